/*
 * queued_double_release: the busy path releases the in-stack queued lock
 * and then jumps to the common exit, which releases the same handle again.
 * QueuedSpinLockRelease reports the second release (the handle is no
 * longer acquired).
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
        KeReleaseInStackQueuedSpinLock(&handle);
        Srb->SrbStatus = SRB_STATUS_BUSY;
        goto done;
    }
    adapter->Active = Srb;
    Srb->SrbStatus = SRB_STATUS_PENDING;
done:
    KeReleaseInStackQueuedSpinLock(&handle);  // expect: QueuedSpinLockRelease
    if (Srb->SrbStatus == SRB_STATUS_BUSY)
        StorPortNotification(RequestComplete, adapter, Srb);
    return TRUE;
}
