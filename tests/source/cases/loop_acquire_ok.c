/*
 * loop_acquire (fixed): each pass of the completion DPC's loop takes the
 * lock to unlink one request and releases it before completing that
 * request, so every acquire is paired within its own iteration.
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
        KeAcquireSpinLock(&adapter->Lock, &oldIrql);
        srb = adapter->DoneList;
        if (srb != NULL)
            adapter->DoneList = srb->NextSrb;
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        if (srb != NULL) {
            srb->SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, adapter, srb);
        }
    } while (srb != NULL);
}
