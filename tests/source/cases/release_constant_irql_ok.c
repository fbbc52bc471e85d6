/*
 * release_constant_irql (fixed): the release passes back the IRQL the
 * acquire saved (DISPATCH_LEVEL, since HwStartIo runs there), so the IRQL
 * Storport called HwStartIo at is restored.  No finding.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG Issued;
} ADAPTER, *PADAPTER;

HW_STARTIO SampleStartIo;

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&adapter->Lock, &oldIrql);
    adapter->Issued++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
