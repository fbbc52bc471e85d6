/*
 * sdv_map: MapStartIo has no role-type declaration; the sdv-map.h beside
 * this file maps fun_HW_STARTIO to it.  As HwStartIo it runs at
 * DISPATCH_LEVEL and returns holding its spin lock on the abort path:
 * SpinLock at that return.
 */
#include <storport.h>
#include "sdv-map.h"

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    BOOLEAN Aborting;
    ULONG Issued;
} ADAPTER, *PADAPTER;

BOOLEAN MapStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);

BOOLEAN MapStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    if (adapter->Aborting) {
        Srb->SrbStatus = SRB_STATUS_ABORTED;
        return TRUE;  // expect: SpinLock
    }
    adapter->Issued++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
