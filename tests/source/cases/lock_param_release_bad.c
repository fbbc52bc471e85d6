/*
 * lock_param_release: ReleaseIt receives the lock and the saved IRQL as
 * parameters.  The first call passes the statistics lock instead of the
 * queue lock: SpinLockRelease inside ReleaseIt (that lock is not held).
 * The path ends at that violation, so the queue lock still held at the
 * return is not reported as well.
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
    KeReleaseSpinLock(Lock, Irql);  // expect: SpinLockRelease
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL queueIrql, statsIrql;

    KeAcquireSpinLock(&adapter->QueueLock, &queueIrql);
    adapter->Queued++;
    ReleaseIt(&adapter->StatsLock, queueIrql);
    KeAcquireSpinLock(&adapter->StatsLock, &statsIrql);
    adapter->Requests++;
    ReleaseIt(&adapter->StatsLock, statsIrql);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
