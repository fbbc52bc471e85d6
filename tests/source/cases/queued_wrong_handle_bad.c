/*
 * queued_wrong_handle: the queue lock is acquired through queueHandle but
 * released through statsHandle, which was never acquired
 * (QueuedSpinLockRelease).  The path ends at that violation, so the queue
 * lock still held when HwStartIo returns is not reported as well.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    ULONG Queued;
    ULONG Requests;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KLOCK_QUEUE_HANDLE queueHandle, statsHandle;

    KeAcquireInStackQueuedSpinLock(&adapter->QueueLock, &queueHandle);
    adapter->Queued++;
    KeReleaseInStackQueuedSpinLock(&statsHandle);  // expect: QueuedSpinLockRelease
    KeAcquireInStackQueuedSpinLock(&adapter->StatsLock, &statsHandle);
    adapter->Requests++;
    KeReleaseInStackQueuedSpinLock(&statsHandle);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
