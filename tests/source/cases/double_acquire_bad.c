/*
 * double_acquire: LockAndPeek takes the adapter lock for its caller, but
 * HwStartIo already holds it: the acquire in LockAndPeek spins forever on
 * a lock its own processor holds (SpinLock).  Nothing after it runs.
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
    KeAcquireSpinLock(&adapter->Lock, OldIrql);  // expect: SpinLock
    return adapter->Waiting;
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    PSCSI_REQUEST_BLOCK waiting;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    adapter->Requests++;
    waiting = LockAndPeek(adapter, &oldIrql);
    if (waiting == NULL)
        adapter->Waiting = Srb;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = waiting == NULL ? SRB_STATUS_PENDING : SRB_STATUS_BUSY;
    return TRUE;
}
