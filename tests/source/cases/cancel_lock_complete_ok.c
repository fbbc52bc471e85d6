/*
 * cancel_lock_complete (fixed): the cancelled IRP is completed only after
 * the cancel spin lock has been released.  No finding.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    LIST_ENTRY Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleRead;

NTSTATUS SampleRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    InsertTailList(&ext->Pending, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    IoReleaseCancelSpinLock(cancelIrql);
    return STATUS_PENDING;
}
