/*
 * startio_lock_held: HwStartIo takes the adapter lock with KeAcquireSpinLock
 * and returns to Storport still holding it.  SpinLock reports the return
 * (sdv_RunHwStartIo.exit with the lock held).  The fix releases it first.
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
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;  // expect: SpinLock
}
