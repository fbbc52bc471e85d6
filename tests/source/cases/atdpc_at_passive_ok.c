/*
 * atdpc_at_passive (fixed): CountRequest uses KeAcquireSpinLock and
 * KeReleaseSpinLock with the saved IRQL, which are right at PASSIVE_LEVEL
 * (create) and at DISPATCH_LEVEL (DPC) alike.  No finding from either
 * entry point.
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Requests;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

KDEFERRED_ROUTINE SampleDpc;
DRIVER_DISPATCH SampleCreate;

static VOID CountRequest(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Requests++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

VOID SampleDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
               PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    CountRequest(DeferredContext);
}

NTSTATUS SampleCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    CountRequest(DeviceObject->DeviceExtension);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
