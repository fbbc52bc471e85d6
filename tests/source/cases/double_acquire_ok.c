/*
 * double_acquire (fixed): HwStartIo lets LockAndPeek take the lock and
 * releases it once, with the IRQL LockAndPeek saved through its pointer
 * parameter.  One acquire, one release: no finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK Waiting;
    ULONG Requests;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

/* Takes the adapter lock and returns the waiting request; the caller
 * releases the lock with the IRQL saved in *OldIrql. */
static PSCSI_REQUEST_BLOCK LockAndPeek(PADAPTER adapter, PKIRQL OldIrql)
{
    KeAcquireSpinLock(&adapter->Lock, OldIrql);
    return adapter->Waiting;
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    PSCSI_REQUEST_BLOCK waiting;
    KIRQL oldIrql;

    waiting = LockAndPeek(adapter, &oldIrql);
    adapter->Requests++;
    if (waiting == NULL)
        adapter->Waiting = Srb;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = waiting == NULL ? SRB_STATUS_PENDING : SRB_STATUS_BUSY;
    return TRUE;
}
