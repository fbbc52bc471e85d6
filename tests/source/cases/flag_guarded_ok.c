/*
 * flag_guarded (fixed): the lock is taken only for SCSI commands and
 * `locked` says so; the early release clears it.  Only a tool that follows
 * the flag sees that no path releases twice or returns holding the lock.
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
        locked = FALSE;
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    } else {
        adapter->Issued++;
        Srb->SrbStatus = SRB_STATUS_SUCCESS;
    }
    if (locked)
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
