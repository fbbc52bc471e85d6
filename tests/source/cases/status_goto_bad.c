/*
 * status_goto: `status` decides both whether the lock was taken and
 * whether to skip to `out`.  When MapBuffers fails after the lock was
 * taken, the goto skips the release and HwStartIo returns holding the
 * lock: SpinLock at the return.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG FreeSlots;
    ULONG Issued;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

static NTSTATUS CheckSrb(PSCSI_REQUEST_BLOCK Srb)
{
    return Srb->DataTransferLength == 0 ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

static NTSTATUS MapBuffers(PADAPTER adapter)
{
    if (adapter->FreeSlots == 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    adapter->FreeSlots--;
    return STATUS_SUCCESS;
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql = PASSIVE_LEVEL;
    NTSTATUS status;

    status = CheckSrb(Srb);
    if (NT_SUCCESS(status)) {
        KeAcquireSpinLock(&adapter->Lock, &oldIrql);
        status = MapBuffers(adapter);
    }
    if (!NT_SUCCESS(status))
        goto out;
    adapter->Issued++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
out:
    Srb->SrbStatus = NT_SUCCESS(status) ? SRB_STATUS_PENDING : SRB_STATUS_ERROR;
    return TRUE;  // expect: SpinLock
}
