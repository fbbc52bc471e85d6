/*
 * dpc_routine_held (fixed): the early return for an empty completion slot
 * releases the lock first, with the IRQL KeAcquireSpinLockRaiseToDpc
 * returned.  Both returns leave the lock free.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    PSCSI_REQUEST_BLOCK Done;
} ADAPTER, *PADAPTER;

HW_DPC_ROUTINE SampleDpc;

VOID SampleDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
               PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = HwDeviceExtension;
    PSCSI_REQUEST_BLOCK srb;
    KIRQL irql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    irql = KeAcquireSpinLockRaiseToDpc(&adapter->Lock);
    srb = adapter->Done;
    if (srb == NULL) {
        KeReleaseSpinLock(&adapter->Lock, irql);
        return;
    }
    adapter->Done = NULL;
    KeReleaseSpinLock(&adapter->Lock, irql);
    srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, srb);
}
