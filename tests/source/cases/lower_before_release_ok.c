/*
 * lower_before_release (fixed): the lock is released (back to the raised
 * DISPATCH_LEVEL it was acquired at) before KeLowerIrql restores the
 * caller's PASSIVE_LEVEL.  No finding.
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
    KeReleaseSpinLock(&ext->Lock, lockIrql);
    KeLowerIrql(callerIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
