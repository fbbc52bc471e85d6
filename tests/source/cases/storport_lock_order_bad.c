/*
 * storport_lock_order: HwStartIo holds its own spin lock, then Storport's
 * interrupt lock (StorPortAcquireSpinLock raises to the device IRQL), and
 * releases its own lock first, at device IRQL instead of DISPATCH_LEVEL:
 * IrqlKeReleaseSpinLock.
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
    KeReleaseSpinLock(&adapter->QueueLock, oldIrql);  // expect: IrqlKeReleaseSpinLock
    StorPortReleaseSpinLock(adapter, &lockHandle);
    return TRUE;
}
