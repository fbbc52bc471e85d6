/*
 * startio_error_return: HwStartIo turns a request away when the adapter is
 * busy, on an early return taken while the spin lock is held.  SpinLock
 * reports that return only: the normal path releases the lock.
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
        Srb->SrbStatus = SRB_STATUS_BUSY;
        StorPortNotification(RequestComplete, adapter, Srb);
        return TRUE;  // expect: SpinLock
    }
    adapter->Active = Srb;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    return TRUE;
}
