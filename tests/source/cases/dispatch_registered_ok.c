/*
 * dispatch_registered (fixed): the read routine, registered through
 * MajorFunction[IRP_MJ_READ] and so run at PASSIVE_LEVEL, takes its lock
 * with KeAcquireSpinLock, which raises to DISPATCH_LEVEL itself.  Clean.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Reads;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
NTSTATUS SampleRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);

NTSTATUS SampleRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Reads++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = SampleRead;
    return STATUS_SUCCESS;
}
