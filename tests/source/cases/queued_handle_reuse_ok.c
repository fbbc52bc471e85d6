/*
 * queued_handle_reuse (fixed): each nested in-stack queued lock has its
 * own handle, released innermost first.  No finding.
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
    KLOCK_QUEUE_HANDLE queueHandle, statsHandle;

    KeAcquireInStackQueuedSpinLock(&adapter->QueueLock, &queueHandle);
    adapter->Active = Srb;
    KeAcquireInStackQueuedSpinLock(&adapter->StatsLock, &statsHandle);
    adapter->Requests++;
    KeReleaseInStackQueuedSpinLock(&statsHandle);
    KeReleaseInStackQueuedSpinLock(&queueHandle);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
