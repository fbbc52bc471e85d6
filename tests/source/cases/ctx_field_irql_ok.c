/*
 * ctx_field_irql (fixed): each lock saves its IRQL in its own field of the
 * local LOCK_CONTEXT and is released with it.  Following values through
 * struct fields of a local keeps this clean.
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
    KeAcquireSpinLock(&ext->StatsLock, &ctx.StatsIrql);
    ext->Queued++;
    KeReleaseSpinLock(&ext->StatsLock, ctx.StatsIrql);
    KeReleaseSpinLock(&ext->QueueLock, ctx.QueueIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
