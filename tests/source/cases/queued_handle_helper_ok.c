/*
 * queued_handle_helper (fixed): both paths hand the lock handle to
 * FinishLocked, which releases it through the pointer it receives.  The
 * release inside the helper must match the caller's acquire: no finding.
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
        FinishLocked(adapter, Srb, &handle);
        return TRUE;
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    FinishLocked(adapter, Srb, &handle);
    return TRUE;
}
