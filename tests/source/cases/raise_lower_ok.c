/*
 * raise_lower (fixed): KeRaiseIrql/KeLowerIrql bracket the call of
 * IoStartNextPacket, so it runs at DISPATCH_LEVEL, and the routine is back
 * at PASSIVE_LEVEL to complete its IRP.  No finding.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    BOOLEAN Stopped;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH SampleCleanup;

NTSTATUS SampleCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    ext->Stopped = FALSE;
    IoStartNextPacket(DeviceObject, FALSE);
    KeLowerIrql(oldIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
