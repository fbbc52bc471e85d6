/*
 * queued_double_release (fixed): the busy path leaves the release to the
 * common exit, so the handle is released exactly once on every path.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLock(&adapter->Lock, &handle);
    if (adapter->Active != NULL) {
        Srb->SrbStatus = SRB_STATUS_BUSY;
        goto done;
    }
    adapter->Active = Srb;
    Srb->SrbStatus = SRB_STATUS_PENDING;
done:
    KeReleaseInStackQueuedSpinLock(&handle);
    if (Srb->SrbStatus == SRB_STATUS_BUSY)
        StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
