/*
 * helper_consumes_lock (fixed): when IssueCommand fails it has already
 * released the lock, and HwStartIo only completes the request.  Telling the
 * two paths apart needs IssueCommand's return value: no finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PULONG Registers;
    PSCSI_REQUEST_BLOCK Active;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

/* Called with the lock held; releases it when it returns FALSE. */
static BOOLEAN IssueCommand(PADAPTER adapter, PSCSI_REQUEST_BLOCK Srb, KIRQL oldIrql)
{
    if (adapter->Registers == NULL) {
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        return FALSE;
    }
    adapter->Active = Srb;
    StorPortWriteRegisterUlong(adapter, adapter->Registers, 1);
    return TRUE;
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    if (!IssueCommand(adapter, Srb, oldIrql)) {
        /* IssueCommand released the lock. */
        Srb->SrbStatus = SRB_STATUS_ERROR;
        StorPortNotification(RequestComplete, adapter, Srb);
        return TRUE;
    }
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    return TRUE;
}
