/*
 * legacy_driver.c — a legacy (non-PnP) WDM driver compiled against the
 * DDI model headers (tests/ddk/CMakeLists.txt), using what the
 * Windows-driver-samples of general/cancel, general/event, general/ioctl
 * and serial/serenum need beyond wdm_dispatch.c: a secure device object
 * and its symbolic link, a cancel-safe queue fed by the read path and
 * drained by a system thread that a semaphore wakes, remove locks per
 * open file, a periodic timer and DPC, an event a user-mode caller hands
 * over by handle, direct and neither-I/O IOCTLs under an exception
 * handler, a work item, registry and safe-string calls, and a serial
 * IOCTL sent to a lower device.  Written for this test; it must compile
 * warning-free, nothing more.  Wide strings are spelled u"..." (16 bits
 * everywhere, as WCHAR is); a driver's L"..." needs -fshort-wchar off
 * Windows (docs/ddk-headers.md).
 */
#include <initguid.h>
#include <ntddk.h>
#include <wdmsec.h>
#include <ntstrsafe.h>
#include <ntddser.h>
#include <dontuse.h>

DEFINE_GUID(GUID_DEVCLASS_LOCKSTEP_TEST, 0x0badc0de, 0x1234, 0x4321,
            0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07);

#define TEST_TAG        0x7473544cu     /* 'LTst' read as a ULONG */
#define IOCTL_TEST_DIRECT \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_TEST_NEITHER \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_NEITHER, FILE_READ_ACCESS)
#define IOCTL_TEST_EVENT \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Lower;               /* a serial port, when attached */
    IO_CSQ Queue;
    LIST_ENTRY Pending;
    KSPIN_LOCK QueueLock;
    KSEMAPHORE Work;
    BOOLEAN Stop;
    PETHREAD Thread;
    KTIMER Timer;
    KDPC TimerDpc;
    PKEVENT UserEvent;
    PIO_WORKITEM WorkItem;
    FAST_MUTEX ConfigLock;
    ULONG Interval;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

typedef struct _FILE_CONTEXT {
    IO_REMOVE_LOCK Rundown;
} FILE_CONTEXT, *PFILE_CONTEXT;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD TestUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH TestCreateClose;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH TestRead;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH TestIoctl;
_Dispatch_type_(IRP_MJ_POWER) DRIVER_DISPATCH TestPower;
KSTART_ROUTINE TestThread;
KDEFERRED_ROUTINE TestTimerDpc;
IO_WORKITEM_ROUTINE TestWork;
IO_CSQ_INSERT_IRP_EX TestInsert;
IO_CSQ_REMOVE_IRP TestRemove;
IO_CSQ_PEEK_NEXT_IRP TestPeek;
IO_CSQ_ACQUIRE_LOCK TestAcquire;
IO_CSQ_RELEASE_LOCK TestRelease;
IO_CSQ_COMPLETE_CANCELED_IRP TestCanceled;

static UNICODE_STRING DeviceName = RTL_CONSTANT_STRING(u"\\Device\\LockstepTest");
static UNICODE_STRING LinkName = RTL_CONSTANT_STRING(u"\\DosDevices\\LockstepTest");

/* ---- the cancel-safe queue's routines ----------------------------------- */
_Use_decl_annotations_
NTSTATUS TestInsert(PIO_CSQ Csq, PIRP Irp, PVOID InsertContext)
{
    PDEVICE_EXTENSION ext = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, Queue);
    UNREFERENCED_PARAMETER(InsertContext);
    InsertTailList(&ext->Pending, &Irp->Tail.Overlay.ListEntry);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID TestRemove(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

_Use_decl_annotations_
PIRP TestPeek(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PDEVICE_EXTENSION ext = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, Queue);
    PLIST_ENTRY entry = Irp ? Irp->Tail.Overlay.ListEntry.Flink : ext->Pending.Flink;

    for (; entry != &ext->Pending; entry = entry->Flink) {
        PIRP next = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(next);
        if (PeekContext == NULL || stack->FileObject == (PFILE_OBJECT)PeekContext)
            return next;
    }
    return NULL;
}

_Use_decl_annotations_
VOID TestAcquire(PIO_CSQ Csq, PKIRQL Irql)
{
    PDEVICE_EXTENSION ext = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, Queue);
    KeAcquireSpinLock(&ext->QueueLock, Irql);
}

_Use_decl_annotations_
VOID TestRelease(PIO_CSQ Csq, KIRQL Irql)
{
    PDEVICE_EXTENSION ext = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, Queue);
    KeReleaseSpinLock(&ext->QueueLock, Irql);
}

_Use_decl_annotations_
VOID TestCanceled(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* ---- the system thread, the timer, the work item ------------------------ */
_Use_decl_annotations_
VOID TestThread(PVOID StartContext)
{
    PDEVICE_EXTENSION ext = StartContext;
    LARGE_INTEGER delay;

    KeSetPriorityThread(KeGetCurrentThread(), LOW_REALTIME_PRIORITY);
    delay.QuadPart = Int32x32To64(10, -10000);      /* 10 ms, relative */
    for (;;) {
        PIRP irp;
        KeWaitForSingleObject(&ext->Work, Executive, KernelMode, FALSE, NULL);
        if (ext->Stop)
            PsTerminateSystemThread(STATUS_SUCCESS);
        irp = IoCsqRemoveNextIrp(&ext->Queue, NULL);
        if (irp == NULL)
            continue;
        KeDelayExecutionThread(KernelMode, FALSE, &delay);
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

_Use_decl_annotations_
VOID TestTimerDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                  PVOID SystemArgument2)
{
    PDEVICE_EXTENSION ext = DeferredContext;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (ext->UserEvent != NULL)
        KeSetEvent(ext->UserEvent, IO_NO_INCREMENT, FALSE);
    if (ext->WorkItem != NULL)
        IoQueueWorkItem(ext->WorkItem, TestWork, DelayedWorkQueue, ext);
}

/* At PASSIVE_LEVEL: read the interval from the registry, under a mutex. */
_Use_decl_annotations_
VOID TestWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = Context;
    RTL_QUERY_REGISTRY_TABLE table[2];
    ULONG interval = ext->Interval;
    WCHAR text[32];

    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    RtlZeroMemory(table, sizeof table);
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = (PWSTR)u"Interval";
    table[0].EntryContext = &interval;
    table[0].DefaultType = (REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE;
    if (NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, u"LockstepTest",
                                          table, NULL, NULL))) {
        ExAcquireFastMutex(&ext->ConfigLock);
        ext->Interval = interval;
        ExReleaseFastMutex(&ext->ConfigLock);
    }
    if (NT_SUCCESS(RtlStringCchPrintfW(text, RTL_NUMBER_OF(text), u"%lu", interval)))
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "interval %lu\n", interval);
}

/* ---- dispatch routines -------------------------------------------------- */
_Use_decl_annotations_
NTSTATUS TestCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_CONTEXT file;
    NTSTATUS status = STATUS_SUCCESS;

    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    if (stack->MajorFunction == IRP_MJ_CREATE) {
        file = ExAllocatePoolQuotaZero(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE,
                                       sizeof *file, TEST_TAG);
        if (file == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            IoInitializeRemoveLock(&file->Rundown, TEST_TAG, 0, 0);
            stack->FileObject->FsContext = file;
        }
    } else {
        ExFreePoolWithTag(stack->FileObject->FsContext, TEST_TAG);
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

_Use_decl_annotations_
NTSTATUS TestRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_CONTEXT file = stack->FileObject->FsContext;
    NTSTATUS status = IoAcquireRemoveLock(&file->Rundown, Irp);

    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    if (stack->Parameters.Read.Length < sizeof(ULONG)) {
        IoReleaseRemoveLock(&file->Rundown, Irp);
        Irp->IoStatus.Status = STATUS_BUFFER_TOO_SMALL;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_BUFFER_TOO_SMALL;
    }
    KeEnterCriticalRegion();
    status = IoCsqInsertIrpEx(&ext->Queue, Irp, NULL, NULL);
    KeReleaseSemaphore(&ext->Work, IO_NO_INCREMENT, 1, FALSE);
    KeLeaveCriticalRegion();
    IoReleaseRemoveLock(&file->Rundown, Irp);
    return NT_SUCCESS(status) ? STATUS_PENDING : status;
}

/* Ask the lower serial port for its timeouts, synchronously. */
static NTSTATUS TestQueryPort(PDEVICE_EXTENSION ext, PSERIAL_TIMEOUTS timeouts)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(IOCTL_SERIAL_GET_TIMEOUTS, ext->Lower, NULL, 0,
                                        timeouts, sizeof *timeouts, FALSE, &done, &iosb);
    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IoCallDriver(ext->Lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

_Use_decl_annotations_
NTSTATUS TestIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_TEST_DIRECT: {
        PUCHAR out = MmGetSystemAddressForMdlSafe(Irp->MdlAddress,
                                                  NormalPagePriority | MdlMappingNoExecute);
        if (out == NULL || outLength < MmGetMdlByteCount(Irp->MdlAddress)) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        RtlFillMemory(out, outLength, 0x5a);
        information = outLength;
        break;
    }
    case IOCTL_TEST_NEITHER: {
        PVOID in = stack->Parameters.DeviceIoControl.Type3InputBuffer;
        ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
        ULONG value = 0;
        PMDL mdl;
        try {
            ProbeForRead(in, inLength, sizeof(UCHAR));
            if (inLength >= sizeof value)
                RtlCopyMemory(&value, in, sizeof value);
        } except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status))
            break;
        mdl = IoAllocateMdl(Irp->UserBuffer, outLength, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        try {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (NT_SUCCESS(status)) {
            PVOID out = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            if (out != NULL && outLength >= sizeof value) {
                RtlCopyBytes(out, &value, sizeof value);
                information = sizeof value;
            }
            MmUnlockPages(mdl);
        }
        IoFreeMdl(mdl);
        break;
    }
    case IOCTL_TEST_EVENT: {
        HANDLE handle;
        PVOID object;
        if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof handle) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        RtlCopyMemory(&handle, Irp->AssociatedIrp.SystemBuffer, sizeof handle);
        status = ObReferenceObjectByHandle(handle, SYNCHRONIZE | EVENT_MODIFY_STATE,
                                           *ExEventObjectType, Irp->RequestorMode,
                                           &object, NULL);
        if (NT_SUCCESS(status))
            ext->UserEvent = object;
        break;
    }
    case IOCTL_SERIAL_GET_TIMEOUTS:
        if (ext->Lower == NULL || outLength < sizeof(SERIAL_TIMEOUTS)) {
            status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
        status = TestQueryPort(ext, Irp->AssociatedIrp.SystemBuffer);
        information = NT_SUCCESS(status) ? sizeof(SERIAL_TIMEOUTS) : 0;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

_Use_decl_annotations_
NTSTATUS TestPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (stack->MinorFunction == IRP_MN_SET_POWER
        && stack->Parameters.Power.Type == DevicePowerState)
        PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
    PoStartNextPowerIrp(Irp);
    if (ext->Lower == NULL) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

/* ---- load and unload ---------------------------------------------------- */
_Use_decl_annotations_
VOID TestUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    PDEVICE_EXTENSION ext = device->DeviceExtension;

    PAGED_CODE();
    KeCancelTimer(&ext->Timer);
    KeFlushQueuedDpcs();
    ext->Stop = TRUE;
    KeReleaseSemaphore(&ext->Work, IO_NO_INCREMENT, 1, TRUE);
    KeWaitForSingleObject(ext->Thread, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(ext->Thread);
    if (ext->UserEvent != NULL)
        ObDereferenceObject(ext->UserEvent);
    IoFreeWorkItem(ext->WorkItem);
    IoDeleteSymbolicLink(&LinkName);
    IoDeleteDevice(device);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PDEVICE_EXTENSION ext;
    HANDLE thread;
    PVOID object;
    LARGE_INTEGER due;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    status = IoCreateDeviceSecure(DriverObject, sizeof(DEVICE_EXTENSION), &DeviceName,
                                  FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE,
                                  &SDDL_DEVOBJ_SYS_ALL_ADM_ALL,
                                  &GUID_DEVCLASS_LOCKSTEP_TEST, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&LinkName, &DeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    ext = device->DeviceExtension;
    RtlZeroMemory(ext, sizeof *ext);
    ext->Self = device;
    ext->Interval = 1000;
    InitializeListHead(&ext->Pending);
    KeInitializeSpinLock(&ext->QueueLock);
    KeInitializeSemaphore(&ext->Work, 0, MAXLONG);
    ExInitializeFastMutex(&ext->ConfigLock);
    IoCsqInitializeEx(&ext->Queue, TestInsert, TestRemove, TestPeek, TestAcquire,
                      TestRelease, TestCanceled);
    KeInitializeDpc(&ext->TimerDpc, TestTimerDpc, ext);
    KeInitializeTimerEx(&ext->Timer, NotificationTimer);
    ext->WorkItem = IoAllocateWorkItem(device);

    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                  TestThread, ext);
    if (!NT_SUCCESS(status) || ext->WorkItem == NULL) {
        if (ext->WorkItem != NULL)
            IoFreeWorkItem(ext->WorkItem);
        IoDeleteSymbolicLink(&LinkName);
        IoDeleteDevice(device);
        return NT_SUCCESS(status) ? STATUS_INSUFFICIENT_RESOURCES : status;
    }
    status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, NULL, KernelMode,
                                       &object, NULL);
    ZwClose(thread);
    ext->Thread = object;

    due.QuadPart = -10000LL * ext->Interval;
    KeSetTimerEx(&ext->Timer, due, (LONG)ext->Interval, &ext->TimerDpc);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = TestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = TestRead;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TestIoctl;
    DriverObject->MajorFunction[IRP_MJ_POWER] = TestPower;
    DriverObject->DriverUnload = TestUnload;
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    KdPrint(("LockstepTest: loaded, thread %p\n", object));
    return status;
}
