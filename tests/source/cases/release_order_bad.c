/*
 * release_order: the dispatch routine takes the queue lock (raising to
 * DISPATCH_LEVEL) and nests the stats lock at DPC level, but releases the
 * outer lock first: the IRQL is back at PASSIVE_LEVEL when the inner lock
 * is released with KeReleaseSpinLockFromDpcLevel.  IrqlDispatch there.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG Queued;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleDeviceControl;

NTSTATUS SampleDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    oldIrql = KeAcquireSpinLockRaiseToDpc(&ext->QueueLock);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Queued++;
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);  // expect: IrqlDispatch
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
