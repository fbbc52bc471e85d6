/*
 * dispatch_registered: SampleRead has no role declaration; DriverEntry's
 * MajorFunction[IRP_MJ_READ] makes it a dispatch routine, run at
 * PASSIVE_LEVEL.  There it takes a lock with KeAcquireSpinLockAtDpcLevel,
 * which requires DISPATCH_LEVEL: IrqlDispatch at the acquire.
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

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);  // expect: IrqlDispatch
    ext->Reads++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
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
