/*
 * complete_under_lock: the flush routine completes every queued IRP while
 * it holds the queue lock; IoCompleteRequest may call completion routines
 * that take the same lock.  SpinLockSafe reports the IoCompleteRequest in
 * the loop.
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
    PIRP pending;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    while (!IsListEmpty(&ext->Pending)) {
        pending = CONTAINING_RECORD(RemoveHeadList(&ext->Pending), IRP,
                                    Tail.Overlay.ListEntry);
        pending->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(pending, IO_NO_INCREMENT);  // expect: SpinLockSafe
    }
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
