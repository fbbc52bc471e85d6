/*
 * switch_fallthrough: HwStartIo holds the lock across a switch.  FLUSH
 * falls through into SHUTDOWN, which releases it (fine), but the
 * RESET_DEVICE case breaks without releasing, so that path returns to
 * Storport holding the lock: SpinLock at the return.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG Flushes;
    ULONG Resets;
    BOOLEAN Dirty;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    switch (Srb->Function) {
    case SRB_FUNCTION_FLUSH:
        adapter->Flushes++;
        /* fall through */
    case SRB_FUNCTION_SHUTDOWN:
        adapter->Dirty = FALSE;
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        break;
    case SRB_FUNCTION_RESET_DEVICE:
        adapter->Resets++;
        break;
    default:
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        break;
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;  // expect: SpinLock
}
