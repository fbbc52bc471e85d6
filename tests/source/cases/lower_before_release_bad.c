/*
 * lower_before_release: the dispatch routine raises to DISPATCH_LEVEL,
 * takes a spin lock, then lowers the IRQL back to PASSIVE_LEVEL before
 * releasing the lock.  KeReleaseSpinLock then runs below DISPATCH_LEVEL:
 * IrqlKeReleaseSpinLock.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Generation;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleFlush;

NTSTATUS SampleFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL callerIrql, lockIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &callerIrql);
    KeAcquireSpinLock(&ext->Lock, &lockIrql);
    ext->Generation++;
    KeLowerIrql(callerIrql);
    KeReleaseSpinLock(&ext->Lock, lockIrql);  // expect: IrqlKeReleaseSpinLock
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
