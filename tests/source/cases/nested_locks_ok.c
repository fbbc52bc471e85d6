/*
 * nested_locks (fixed): two different locks, the stats lock nested inside
 * the queue lock, each released with the IRQL its own acquire saved
 * (DISPATCH_LEVEL for the inner, PASSIVE_LEVEL for the outer).  No finding.
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
    KeReleaseSpinLock(&ext->StatsLock, statsIrql);
    KeReleaseSpinLock(&ext->QueueLock, queueIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
