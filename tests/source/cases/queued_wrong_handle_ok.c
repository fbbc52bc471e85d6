/*
 * queued_wrong_handle (fixed): each in-stack queued lock is released
 * through the handle it was acquired with.  No finding.
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
    KeReleaseInStackQueuedSpinLock(&queueHandle);
    KeAcquireInStackQueuedSpinLock(&adapter->StatsLock, &statsHandle);
    adapter->Requests++;
    KeReleaseInStackQueuedSpinLock(&statsHandle);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
