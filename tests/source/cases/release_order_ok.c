/*
 * release_order (fixed): the inner DPC-level lock is released first, while
 * the outer lock still keeps the processor at DISPATCH_LEVEL; then the
 * outer release restores PASSIVE_LEVEL.  No finding.
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
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
