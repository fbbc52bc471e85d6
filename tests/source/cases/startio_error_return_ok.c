/*
 * startio_error_return (fixed): the busy path releases the spin lock before
 * it completes the request and returns, like the normal path.  No rule
 * fires on either path.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    if (adapter->Active != NULL) {
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        Srb->SrbStatus = SRB_STATUS_BUSY;
        StorPortNotification(RequestComplete, adapter, Srb);
        return TRUE;
    }
    adapter->Active = Srb;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    return TRUE;
}
