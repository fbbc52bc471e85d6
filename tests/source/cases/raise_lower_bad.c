/*
 * raise_lower: the cleanup routine (PASSIVE_LEVEL) raises to DISPATCH_LEVEL
 * to restart its device queue, but lowers the IRQL again before calling
 * IoStartNextPacket, which must run at DISPATCH_LEVEL: IrqlDispatch.
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
    KeLowerIrql(oldIrql);
    IoStartNextPacket(DeviceObject, FALSE);  // expect: IrqlDispatch
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
