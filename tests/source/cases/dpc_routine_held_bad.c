/*
 * dpc_routine_held: the Storport DPC takes the lock with
 * KeAcquireSpinLockRaiseToDpc and returns early, still holding it, when
 * there is nothing to complete.  SpinLock reports that return
 * (sdv_RunHwDpcRoutine.exit).
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
    if (srb == NULL)
        return;  // expect: SpinLock
    adapter->Done = NULL;
    KeReleaseSpinLock(&adapter->Lock, irql);
    srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, adapter, srb);
}
