/*
 * complete_under_lock (fixed): the queued IRPs are moved to a local list
 * under the lock and completed after it is released.  Every
 * IoCompleteRequest runs with no spin lock held.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LIST_ENTRY Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleFlush;

NTSTATUS SampleFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    LIST_ENTRY flushed;
    PIRP pending;
    KIRQL oldIrql;

    InitializeListHead(&flushed);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    while (!IsListEmpty(&ext->Pending))
        InsertTailList(&flushed, RemoveHeadList(&ext->Pending));
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    while (!IsListEmpty(&flushed)) {
        pending = CONTAINING_RECORD(RemoveHeadList(&flushed), IRP,
                                    Tail.Overlay.ListEntry);
        pending->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(pending, IO_NO_INCREMENT);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
