/*
 * wdm-pnp.c — a WDM driver whose device comes from AddDevice (no device
 * in DriverEntry), with dispatch routines that break the I/O manager's
 * contract on some lengths (tests/sim/wdm.sh):
 *   read of 8 bytes    returns STATUS_PENDING without IoMarkIrpPending
 *   read of 0 bytes    completes the IRP twice (a bug check)
 *   write              leaves the IRP uncompleted and returns success
 * Built with -DWELL_BEHAVED it does none of that and is clean.
 */
#include <wdm.h>

DRIVER_ADD_DEVICE PnpAddDevice;
DRIVER_DISPATCH PnpRead;
DRIVER_DISPATCH PnpWrite;
DRIVER_UNLOAD PnpUnload;

static NTSTATUS Finish(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS PnpAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT fdo;
    UNREFERENCED_PARAMETER(PhysicalDeviceObject);
    return IoCreateDevice(DriverObject, 64, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
}

NTSTATUS PnpRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
#ifndef WELL_BEHAVED
    if (sp->Parameters.Read.Length == 8)
        return STATUS_PENDING;
    if (sp->Parameters.Read.Length == 0)
        Finish(Irp, STATUS_SUCCESS);
#endif
    return Finish(Irp, sp->Parameters.Read.Length ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER);
}

NTSTATUS PnpWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
#ifndef WELL_BEHAVED
    UNREFERENCED_PARAMETER(Irp);
    return STATUS_SUCCESS;
#else
    return Finish(Irp, STATUS_SUCCESS);
#endif
}

VOID PnpUnload(PDRIVER_OBJECT DriverObject)
{
    while (DriverObject->DeviceObject != NULL)
        IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverExtension->AddDevice = PnpAddDevice;
    DriverObject->MajorFunction[IRP_MJ_READ] = PnpRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = PnpWrite;
    DriverObject->DriverUnload = PnpUnload;
    return STATUS_SUCCESS;
}
