/*
 * wdm_dispatch.c — a WDM driver skeleton compiled against the DDI model
 * headers (tests/ddk/CMakeLists.txt): DriverEntry registers dispatch
 * routines, an unload routine and a DPC; the read path queues IRPs under a
 * spin lock with a cancel routine; the DPC uses the DPC-level lock calls.
 * Written for this test; it must compile warning-free, nothing more.
 */
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY PendingIrps;
    KDPC Dpc;
    ULONG Completed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD SampleUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH SampleCreateClose;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH SampleRead;
DRIVER_CANCEL SampleCancel;
KDEFERRED_ROUTINE SampleDpc;

_Use_decl_annotations_
NTSTATUS SampleCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID SampleCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

_Use_decl_annotations_
NTSTATUS SampleRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KIRQL oldIrql, cancelIrql;

    if (stack->Parameters.Read.Length == 0) {
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    (void)IoSetCancelRoutine(Irp, SampleCancel);
    IoReleaseCancelSpinLock(cancelIrql);

    IoMarkIrpPending(Irp);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    InsertTailList(&ext->PendingIrps, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    (void)KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return STATUS_PENDING;
}

/* Runs at DISPATCH_LEVEL: the DPC-level forms of the lock calls. */
_Use_decl_annotations_
VOID SampleDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
               PVOID SystemArgument2)
{
    PDEVICE_EXTENSION ext = DeferredContext;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        return;
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock)) {
        KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    }
    while (!IsListEmpty(&ext->PendingIrps)) {
        PLIST_ENTRY entry = RemoveHeadList(&ext->PendingIrps);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
        if (IoSetCancelRoutine(irp, NULL) != NULL) {
            irp->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(irp, IO_DISK_INCREMENT);
            ext->Completed++;
        }
        KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    }
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
}

_Use_decl_annotations_
VOID SampleUnload(PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject != NULL)
        IoDeleteDevice(DriverObject->DeviceObject);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PDEVICE_EXTENSION ext;
    KIRQL oldIrql;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            0x00000022, FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;

    ext = device->DeviceExtension;
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->PendingIrps);
    KeInitializeDpc(&ext->Dpc, SampleDpc, ext);
    ext->Completed = 0;

    /* Raising by hand, as old drivers do around hardware set-up. */
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    KeLowerIrql(oldIrql);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = SampleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SampleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = SampleRead;
    DriverObject->DriverUnload = SampleUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
