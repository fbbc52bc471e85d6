/*
 * wdmdriver.c — lockstep's example legacy WDM driver, written for this
 * project to be simulated (`lockstep sim`) and scanned (`lockstep scan`).
 * Plain C against the DDI model headers (runtime/include/lockstep/ddk).
 *
 * One device, whose extension keeps a queue of read and write IRPs under
 * QueueLock, each cancelable (WdCancel) while it waits:
 *
 *   create / close    a per-open context from pool (FsContext)
 *   read / write      queue the IRP pending; a read queues the completion
 *                     DPC, a write arms a timer whose DPC completes it
 *   DPC               completes everything queued, outside the lock
 *   ioctl 0x800       statistics, read at DISPATCH_LEVEL (KeRaiseIrql)
 *   ioctl 0x801       fails everything queued; cleanup does the same
 *   ioctl 0x802       a flush through IoStartPacket and WdStartIo
 *   unload            cancels the timer, deletes the device
 *
 * Each -DBUG_* switch plants one bug, on a path only some schedules take:
 *   BUG_COMPLETE_UNDER_LOCK       SpinLockSafe (the DPC completes under QueueLock)
 *   BUG_RELEASE_WRONG_IRQL        IrqlKeReleaseSpinLock (reset / cleanup)
 *   BUG_DOUBLE_ACQUIRE            SpinLock, and the model's hang (a write
 *                                 while another request is queued)
 *   BUG_CANCEL_LOCK_NOT_RELEASED  SpinLockSafe, and the model's "IRQL not
 *                                 restored" (the cancel routine keeps the
 *                                 cancel spin lock)
 * Built without any, it follows every rule on every schedule.
 */
#include <wdm.h>

#define WD_TAG 0x64576c4cu          /* "LlWd" */
#define IOCTL_WD_GET_STATS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WD_RESET     CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WD_FLUSH     CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define WD_WRITE_DELAY     (-100000)    /* 10 ms from now, in 100 ns units */

typedef struct _WD_STATS {
    ULONG Queued, Completed, Cancelled;
} WD_STATS, *PWD_STATS;

typedef struct _WD_EXTENSION {
    KSPIN_LOCK QueueLock;           /* Queue, Stats                         */
    LIST_ENTRY Queue;               /* IRPs waiting for the device          */
    WD_STATS Stats;
    KDPC CompletionDpc;             /* a read is done                       */
    KTIMER WriteTimer;              /* a write is done when it fires        */
    KDPC WriteDpc;
} WD_EXTENSION, *PWD_EXTENSION;

typedef struct _WD_OPEN {
    ULONG Requests;
} WD_OPEN, *PWD_OPEN;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD WdUnload;
DRIVER_DISPATCH WdCreate;
DRIVER_DISPATCH WdClose;
DRIVER_DISPATCH WdCleanup;
DRIVER_DISPATCH WdReadWrite;
DRIVER_DISPATCH WdDeviceControl;
DRIVER_STARTIO WdStartIo;
DRIVER_CANCEL WdCancel;
KDEFERRED_ROUTINE WdCompletionDpc;

static NTSTATUS WdFinish(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* The oldest queued IRP whose cancel routine this call took back, or
 * NULL; with QueueLock held.  An IRP whose cancel routine has already
 * been taken is being cancelled: WdCancel completes it. */
static PIRP WdDequeueLocked(PWD_EXTENSION Ext)
{
    while (!IsListEmpty(&Ext->Queue)) {
        PLIST_ENTRY entry = RemoveHeadList(&Ext->Queue);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) != NULL)
            return irp;
        InitializeListHead(entry);  /* WdCancel's RemoveEntryList is harmless */
    }
    return NULL;
}

/* Fail everything queued with STATUS_CANCELLED; at PASSIVE_LEVEL. */
static VOID WdFailQueued(PWD_EXTENSION Ext)
{
    LIST_ENTRY failed;
    PIRP irp;
    KIRQL oldIrql;

    InitializeListHead(&failed);
    KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);
    while ((irp = WdDequeueLocked(Ext)) != NULL) {
        Ext->Stats.Cancelled++;
        InsertTailList(&failed, &irp->Tail.Overlay.ListEntry);
    }
#ifdef BUG_RELEASE_WRONG_IRQL
    KeReleaseSpinLock(&Ext->QueueLock, DISPATCH_LEVEL);
#else
    KeReleaseSpinLock(&Ext->QueueLock, oldIrql);
#endif
    while (!IsListEmpty(&failed))
        WdFinish(CONTAINING_RECORD(RemoveHeadList(&failed), IRP, Tail.Overlay.ListEntry),
                 STATUS_CANCELLED, 0);
}

NTSTATUS WdCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PWD_OPEN open = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *open, WD_TAG);

    UNREFERENCED_PARAMETER(DeviceObject);
    if (open == NULL)
        return WdFinish(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    open->Requests = 0;
    sp->FileObject->FsContext = open;
    return WdFinish(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS WdClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);

    UNREFERENCED_PARAMETER(DeviceObject);
    if (sp->FileObject->FsContext != NULL)
        ExFreePoolWithTag(sp->FileObject->FsContext, WD_TAG);
    sp->FileObject->FsContext = NULL;
    return WdFinish(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS WdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    WdFailQueued(DeviceObject->DeviceExtension);
    return WdFinish(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS WdReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWD_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN write = sp->MajorFunction == IRP_MJ_WRITE;
    KIRQL oldIrql;
    LARGE_INTEGER due;

    if (sp->Parameters.Read.Length == 0)
        return WdFinish(Irp, STATUS_SUCCESS, 0);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
#ifdef BUG_DOUBLE_ACQUIRE
    if (write && !IsListEmpty(&ext->Queue)) {
        KIRQL again;                /* "make sure nobody else drains it" */
        KeAcquireSpinLock(&ext->QueueLock, &again);
    }
#endif
    IoSetCancelRoutine(Irp, WdCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        KeReleaseSpinLock(&ext->QueueLock, oldIrql);
        return WdFinish(Irp, STATUS_CANCELLED, 0);
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    ext->Stats.Queued++;
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);

    if (write) {
        due.QuadPart = WD_WRITE_DELAY;
        KeSetTimer(&ext->WriteTimer, due, &ext->WriteDpc);
    } else {
        KeInsertQueueDpc(&ext->CompletionDpc, NULL, NULL);
    }
    return STATUS_PENDING;
}

NTSTATUS WdDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWD_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    KIRQL oldIrql;

    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_WD_GET_STATS:
        if (sp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(WD_STATS))
            return WdFinish(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
        KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
        *(PWD_STATS)Irp->AssociatedIrp.SystemBuffer = ext->Stats;
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
        KeLowerIrql(oldIrql);
        return WdFinish(Irp, STATUS_SUCCESS, sizeof(WD_STATS));
    case IOCTL_WD_RESET:
        WdFailQueued(ext);
        return WdFinish(Irp, STATUS_SUCCESS, 0);
    case IOCTL_WD_FLUSH:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, NULL, NULL);
        return STATUS_PENDING;
    default:
        return WdFinish(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

/* The device keeps nothing buffered: a flush is done at once. */
VOID WdStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    WdFinish(Irp, STATUS_SUCCESS, 0);
    IoStartNextPacket(DeviceObject, FALSE);
}

VOID WdCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWD_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

#ifndef BUG_CANCEL_LOCK_NOT_RELEASED
    IoReleaseCancelSpinLock(Irp->CancelIrql);
#endif
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    ext->Stats.Cancelled++;
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    WdFinish(Irp, STATUS_CANCELLED, 0);
}

/* Both DPCs: the device finished everything queued. */
VOID WdCompletionDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                     PVOID SystemArgument2)
{
    PWD_EXTENSION ext = DeferredContext;
    PIRP irp;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    for (;;) {
        KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
        irp = WdDequeueLocked(ext);
        if (irp != NULL)
            ext->Stats.Completed++;
#ifdef BUG_COMPLETE_UNDER_LOCK
        if (irp != NULL)
            WdFinish(irp, STATUS_SUCCESS, 0);
#endif
        KeReleaseSpinLock(&ext->QueueLock, oldIrql);
        if (irp == NULL)
            return;
#ifndef BUG_COMPLETE_UNDER_LOCK
        WdFinish(irp, STATUS_SUCCESS, 0);
#endif
    }
}

VOID WdUnload(PDRIVER_OBJECT DriverObject)
{
    PWD_EXTENSION ext = DriverObject->DeviceObject->DeviceExtension;

    KeCancelTimer(&ext->WriteTimer);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PWD_EXTENSION ext;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(WD_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0,
                            FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    device->Flags |= DO_BUFFERED_IO;
    ext = device->DeviceExtension;
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Queue);
    KeInitializeDpc(&ext->CompletionDpc, WdCompletionDpc, ext);
    KeInitializeDpc(&ext->WriteDpc, WdCompletionDpc, ext);
    KeInitializeTimer(&ext->WriteTimer);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = WdCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = WdClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = WdCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = WdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = WdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WdDeviceControl;
    DriverObject->DriverStartIo = WdStartIo;
    DriverObject->DriverUnload = WdUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
