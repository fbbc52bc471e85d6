/*
 * loop_acquire: the completion DPC takes the lock at the top of each pass
 * but releases it only once, after the loop.  The second pass acquires a
 * lock the DPC already holds (SpinLock at the acquire; on a real processor
 * it spins forever).  A single pass is fine.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK DoneList;
} ADAPTER, *PADAPTER;

HW_DPC_ROUTINE SampleCompletionDpc;

VOID SampleCompletionDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
                         PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = HwDeviceExtension;
    PSCSI_REQUEST_BLOCK srb;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    do {
        KeAcquireSpinLock(&adapter->Lock, &oldIrql);  // expect: SpinLock
        srb = adapter->DoneList;
        if (srb != NULL)
            adapter->DoneList = srb->NextSrb;
        if (srb != NULL) {
            srb->SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, adapter, srb);
        }
    } while (srb != NULL);
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
}
