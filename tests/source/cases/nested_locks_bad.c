/*
 * nested_locks: a write dispatch routine (PASSIVE_LEVEL) nests the stats
 * lock inside the queue lock but releases the inner lock with the outer
 * lock's saved IRQL (PASSIVE_LEVEL) while the outer one is still held:
 * IrqlKeReleaseSpinLock at that release.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG Queued;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleWrite;

NTSTATUS SampleWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL queueIrql, statsIrql;

    KeAcquireSpinLock(&ext->QueueLock, &queueIrql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeAcquireSpinLock(&ext->StatsLock, &statsIrql);
    ext->Queued++;
    KeReleaseSpinLock(&ext->StatsLock, queueIrql);  // expect: IrqlKeReleaseSpinLock
    KeReleaseSpinLock(&ext->QueueLock, statsIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
