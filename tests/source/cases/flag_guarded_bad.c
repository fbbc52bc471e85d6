/*
 * flag_guarded: `locked` records whether HwStartIo holds the lock, but the
 * early release for an empty transfer forgets to clear it, so the final
 * `if (locked)` releases the lock a second time: SpinLockRelease, and
 * IrqlKeReleaseSpinLock (the IRQL below DISPATCH_LEVEL is not restored).
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG Issued;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    BOOLEAN locked = FALSE;
    KIRQL oldIrql;

    if (Srb->Function == SRB_FUNCTION_EXECUTE_SCSI) {
        KeAcquireSpinLock(&adapter->Lock, &oldIrql);
        locked = TRUE;
    }
    if (locked && Srb->DataTransferLength == 0) {
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    } else {
        adapter->Issued++;
        Srb->SrbStatus = SRB_STATUS_SUCCESS;
    }
    if (locked)
        KeReleaseSpinLock(&adapter->Lock, oldIrql);  // expect: SpinLockRelease, IrqlKeReleaseSpinLock
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
