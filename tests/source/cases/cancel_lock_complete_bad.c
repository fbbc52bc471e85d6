/*
 * cancel_lock_complete: the read routine checks Irp->Cancel under the
 * cancel spin lock and, for a cancelled IRP, completes it before calling
 * IoReleaseCancelSpinLock.  SpinLockSafe counts the cancel spin lock:
 * it reports that IoCompleteRequest.
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
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);  // expect: SpinLockSafe
        IoReleaseCancelSpinLock(cancelIrql);
        return STATUS_CANCELLED;
    }
    InsertTailList(&ext->Pending, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    IoReleaseCancelSpinLock(cancelIrql);
    return STATUS_PENDING;
}
