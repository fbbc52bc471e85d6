/*
 * goto_cleanup: HwBuildIo's error exits jump to a label placed after the
 * release, so both rejected-request paths return to Storport holding the
 * lock.  SpinLock reports the shared return; the accepted path is fine.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG MaxTransfer;
    ULONG Queued;
    ULONG QueueDepth;
} ADAPTER, *PADAPTER;

HW_BUILDIO SampleBuildIo;

BOOLEAN SampleBuildIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    BOOLEAN accepted = FALSE;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    if (Srb->DataTransferLength > adapter->MaxTransfer)
        goto out;
    if (adapter->Queued >= adapter->QueueDepth)
        goto out;
    adapter->Queued++;
    accepted = TRUE;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
out:
    if (!accepted)
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    return accepted;  // expect: SpinLock
}
