/*
 * startio_lock_held (fixed): HwStartIo releases the adapter lock with the
 * IRQL KeAcquireSpinLock saved before it completes the request and returns
 * to Storport.  No rule fires.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG Outstanding;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    adapter->Outstanding++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
