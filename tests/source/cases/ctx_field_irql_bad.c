/*
 * ctx_field_irql: the saved IRQLs live in fields of a local LOCK_CONTEXT.
 * A copy-paste slip saves the stats lock's IRQL (DISPATCH_LEVEL) over the
 * queue lock's (PASSIVE_LEVEL), so the queue lock's release does not
 * restore PASSIVE_LEVEL: IrqlKeReleaseSpinLock at the last release.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG Queued;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

typedef struct _LOCK_CONTEXT {
    KIRQL QueueIrql;
    KIRQL StatsIrql;
} LOCK_CONTEXT;

DRIVER_DISPATCH SampleWrite;

NTSTATUS SampleWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    LOCK_CONTEXT ctx;

    KeAcquireSpinLock(&ext->QueueLock, &ctx.QueueIrql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeAcquireSpinLock(&ext->StatsLock, &ctx.QueueIrql);
    ext->Queued++;
    KeReleaseSpinLock(&ext->StatsLock, ctx.QueueIrql);
    KeReleaseSpinLock(&ext->QueueLock, ctx.QueueIrql);  // expect: IrqlKeReleaseSpinLock
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
