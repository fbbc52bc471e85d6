/*
 * release_constant_irql: HwStartIo runs at DISPATCH_LEVEL, so the IRQL
 * KeAcquireSpinLock saves is DISPATCH_LEVEL, but the release passes the
 * constant PASSIVE_LEVEL: it would drop the IRQL under Storport.
 * IrqlKeReleaseSpinLock reports the release.
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
    KeReleaseSpinLock(&adapter->Lock, PASSIVE_LEVEL);  // expect: IrqlKeReleaseSpinLock
    Srb->SrbStatus = SRB_STATUS_PENDING;
    return TRUE;
}
