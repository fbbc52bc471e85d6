/*
 * switch_fallthrough (fixed): every case of the switch releases the lock
 * exactly once; FLUSH reaches the release by falling through into
 * SHUTDOWN.  The fall-through path must not be taken for a double release.
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
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        break;
    default:
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        break;
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
