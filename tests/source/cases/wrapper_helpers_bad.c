/*
 * wrapper_helpers: LockAdapter acquires and hands back the old IRQL,
 * UnlockAdapter releases.  HwStartIo's removed-device path returns without
 * calling UnlockAdapter: SpinLock at that return (the lock was taken in
 * the helper, for the caller).
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    BOOLEAN Removed;
    ULONG Issued;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

static KIRQL LockAdapter(PADAPTER adapter)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    return oldIrql;
}

static VOID UnlockAdapter(PADAPTER adapter, KIRQL oldIrql)
{
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL irql = LockAdapter(adapter);

    if (adapter->Removed) {
        Srb->SrbStatus = SRB_STATUS_NO_DEVICE;
        StorPortNotification(RequestComplete, adapter, Srb);
        return TRUE;  // expect: SpinLock
    }
    adapter->Issued++;
    UnlockAdapter(adapter, irql);
    return TRUE;
}
