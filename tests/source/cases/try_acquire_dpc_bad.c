/*
 * try_acquire_dpc: the DPC tries the queue lock and, when that fails,
 * waits for it with KeAcquireSpinLockAtDpcLevel; then it completes an IRP
 * before releasing the lock.  SpinLockSafe reports IoCompleteRequest (on
 * the wait path: the rule does not count KeTryToAcquireSpinLockAtDpcLevel).
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

KDEFERRED_ROUTINE SampleDpc;

VOID SampleDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
               PVOID SystemArgument2)
{
    PDEVICE_EXTENSION ext = DeferredContext;
    PIRP irp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock))
        KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    if (!IsListEmpty(&ext->Pending)) {
        irp = CONTAINING_RECORD(RemoveHeadList(&ext->Pending), IRP,
                                Tail.Overlay.ListEntry);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);  // expect: SpinLockSafe
    }
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
}
