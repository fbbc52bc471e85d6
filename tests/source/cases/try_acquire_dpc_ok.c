/*
 * try_acquire_dpc (fixed): the DPC holds the queue lock (tried, or waited
 * for) only while it unlinks the IRP, and completes the IRP after the
 * release.  Both outcomes of the try-acquire are clean.
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
    PIRP irp = NULL;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock))
        KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    if (!IsListEmpty(&ext->Pending))
        irp = CONTAINING_RECORD(RemoveHeadList(&ext->Pending), IRP,
                                Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    if (irp != NULL) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}
