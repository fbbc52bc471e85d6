/*
 * wrapper_helpers (fixed): LockAdapter acquires for its caller and returns
 * the saved IRQL; every path of HwStartIo hands that IRQL back to
 * UnlockAdapter.  Acquire and release live in different helpers: no
 * finding.
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
        UnlockAdapter(adapter, irql);
        Srb->SrbStatus = SRB_STATUS_NO_DEVICE;
        StorPortNotification(RequestComplete, adapter, Srb);
        return TRUE;
    }
    adapter->Issued++;
    UnlockAdapter(adapter, irql);
    return TRUE;
}
