/*
 * storport_lock_order (fixed): Storport's interrupt lock is released first,
 * back to DISPATCH_LEVEL, and then the driver's own spin lock, with the
 * IRQL its acquire saved.  No finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK QueueLock;
    PULONG Doorbell;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    STOR_LOCK_HANDLE lockHandle;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->QueueLock, &oldIrql);
    StorPortAcquireSpinLock(adapter, InterruptLock, NULL, &lockHandle);
    adapter->Active = Srb;
    StorPortWriteRegisterUlong(adapter, adapter->Doorbell, 1);
    StorPortReleaseSpinLock(adapter, &lockHandle);
    KeReleaseSpinLock(&adapter->QueueLock, oldIrql);
    return TRUE;
}
