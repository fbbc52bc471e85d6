/*
 * queued_handle_reuse: one KLOCK_QUEUE_HANDLE serves two nested in-stack
 * queued locks.  The second acquire reuses a handle whose lock is still
 * held (QueuedSpinLock).  The path ends at that violation (the acquire
 * would spin forever), so the second release, which names a handle no
 * longer acquired, is not reported as well.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    PSCSI_REQUEST_BLOCK Active;
    ULONG Requests;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLock(&adapter->QueueLock, &handle);
    adapter->Active = Srb;
    KeAcquireInStackQueuedSpinLock(&adapter->StatsLock, &handle);  // expect: QueuedSpinLock
    adapter->Requests++;
    KeReleaseInStackQueuedSpinLock(&handle);
    KeReleaseInStackQueuedSpinLock(&handle);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
