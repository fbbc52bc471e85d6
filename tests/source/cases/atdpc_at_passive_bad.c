/*
 * atdpc_at_passive: CountRequest takes its lock with the DPC-level call.
 * From the DPC (DISPATCH_LEVEL) that is right; from the create dispatch
 * routine (PASSIVE_LEVEL) it is not: IrqlDispatch inside CountRequest,
 * reached through SampleCreate only.
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
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);  // expect: IrqlDispatch
    ext->Requests++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
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
