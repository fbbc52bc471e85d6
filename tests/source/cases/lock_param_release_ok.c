/*
 * lock_param_release (fixed): each critical section ends with ReleaseIt on
 * its own lock and its own saved IRQL.  The helper's parameter names a
 * different lock at each call: no finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    ULONG Queued;
    ULONG Requests;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

static VOID ReleaseIt(PKSPIN_LOCK Lock, KIRQL Irql)
{
    KeReleaseSpinLock(Lock, Irql);
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL queueIrql, statsIrql;

    KeAcquireSpinLock(&adapter->QueueLock, &queueIrql);
    adapter->Queued++;
    ReleaseIt(&adapter->QueueLock, queueIrql);
    KeAcquireSpinLock(&adapter->StatsLock, &statsIrql);
    adapter->Requests++;
    ReleaseIt(&adapter->StatsLock, statsIrql);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
