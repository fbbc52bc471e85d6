/*
 * queued_locks.c — in-stack queued spin locks, the raise-to-DPC acquire,
 * interrupt synchronisation, pool and the DMA operations, compiled against
 * the DDI model headers (tests/ddk/CMakeLists.txt).  Written for this
 * test; it must compile warning-free, nothing more.
 */
#include <wdm.h>

#define SAMPLE_TAG 0x706d6153u  /* 'Samp' */

typedef struct _COUNTER {
    KSPIN_LOCK Lock;
    ULONG Value;
    PKINTERRUPT Interrupt;
    PDMA_ADAPTER Adapter;
} COUNTER, *PCOUNTER;

KSYNCHRONIZE_ROUTINE SampleSynchronized;
IO_COMPLETION_ROUTINE SampleCompletion;
DRIVER_CONTROL SampleAdapterControl;

/* At or below DISPATCH_LEVEL. */
ULONG SampleIncrement(PCOUNTER Counter)
{
    KLOCK_QUEUE_HANDLE handle;
    ULONG value;

    KeAcquireInStackQueuedSpinLock(&Counter->Lock, &handle);
    value = ++Counter->Value;
    KeReleaseInStackQueuedSpinLock(&handle);
    return value;
}

/* Already at DISPATCH_LEVEL (a DPC). */
VOID SampleIncrementAtDpc(PCOUNTER Counter)
{
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&Counter->Lock, &handle);
    Counter->Value++;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);

    KeAcquireInStackQueuedSpinLockForDpc(&Counter->Lock, &handle);
    Counter->Value++;
    KeReleaseInStackQueuedSpinLockForDpc(&handle);
}

ULONG SampleReset(PCOUNTER Counter)
{
    KIRQL oldIrql = KeAcquireSpinLockRaiseToDpc(&Counter->Lock);
    ULONG old = Counter->Value;
    Counter->Value = 0;
    KeReleaseSpinLock(&Counter->Lock, oldIrql);
    return old;
}

_Use_decl_annotations_
BOOLEAN SampleSynchronized(PVOID SynchronizeContext)
{
    PCOUNTER counter = SynchronizeContext;
    counter->Value = 0;
    return TRUE;
}

VOID SampleTouchHardware(PCOUNTER Counter)
{
    KIRQL irql = KeAcquireInterruptSpinLock(Counter->Interrupt);
    Counter->Value++;
    KeReleaseInterruptSpinLock(Counter->Interrupt, irql);
    (void)KeSynchronizeExecution(Counter->Interrupt, SampleSynchronized, Counter);
    KeStallExecutionProcessor(10);
}

_Use_decl_annotations_
IO_ALLOCATION_ACTION SampleAdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                          PVOID MapRegisterBase, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(MapRegisterBase);
    UNREFERENCED_PARAMETER(Context);
    return DeallocateObjectKeepRegisters;
}

_Use_decl_annotations_
NTSTATUS SampleCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PKEVENT event = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    (void)KeSetEvent(event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS SampleForwardAndWait(PDEVICE_OBJECT Lower, PIRP Irp)
{
    KEVENT event;
    NTSTATUS status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, SampleCompletion, &event, TRUE, TRUE, TRUE);
    status = IoCallDriver(Lower, Irp);
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
    }
    return status;
}

NTSTATUS SampleDma(PCOUNTER Counter, PDEVICE_OBJECT DeviceObject)
{
    PVOID buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 512, SAMPLE_TAG);
    NTSTATUS status;
    KIRQL oldIrql;

    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    status = Counter->Adapter->DmaOperations->AllocateAdapterChannel(
        Counter->Adapter, DeviceObject, 1, SampleAdapterControl, Counter);
    KeLowerIrql(oldIrql);
    ExFreePoolWithTag(buffer, SAMPLE_TAG);
    return status;
}
