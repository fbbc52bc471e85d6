/*
 * sdv_map (fixed): MapStartIo, HwStartIo by the sdv-map.h beside this
 * file, releases its spin lock on the abort path too.  No finding.
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
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
        Srb->SrbStatus = SRB_STATUS_ABORTED;
        return TRUE;
    }
    adapter->Issued++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
