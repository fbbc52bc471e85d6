/*
 * queued_handle_helper: FinishLocked receives the caller's lock handle and
 * releases it.  HwStartIo calls it on the normal path only; the invalid
 * request path returns with the in-stack queued lock held: QueuedSpinLock.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

/* Ends the request and drops the queued lock the caller took with Handle. */
static VOID FinishLocked(PADAPTER adapter, PSCSI_REQUEST_BLOCK Srb,
                         PKLOCK_QUEUE_HANDLE Handle)
{
    adapter->Active = NULL;
    KeReleaseInStackQueuedSpinLock(Handle);
    StorPortNotification(RequestComplete, adapter, Srb);
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLock(&adapter->Lock, &handle);
    if (Srb->Function != SRB_FUNCTION_EXECUTE_SCSI) {
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
        return TRUE;  // expect: QueuedSpinLock
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    FinishLocked(adapter, Srb, &handle);
    return TRUE;
}
