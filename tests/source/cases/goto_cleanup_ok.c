/*
 * goto_cleanup (fixed): every exit, accepted or not, goes through the
 * `unlock` label, which releases the lock before HwBuildIo returns.  The
 * goto paths must not be reported.
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
        goto unlock;
    if (adapter->Queued >= adapter->QueueDepth)
        goto unlock;
    adapter->Queued++;
    accepted = TRUE;
unlock:
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    if (!accepted)
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    return accepted;
}
