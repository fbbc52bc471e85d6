/*
 * raise_to_dpc_return (fixed): the IRQL KeAcquireSpinLockRaiseToDpc
 * returns (DISPATCH_LEVEL in a timer) is kept and passed to the release.
 * Following the return value into the local is what keeps this clean.
 */
#include <storport.h>

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    ULONG Ticks;
} ADAPTER, *PADAPTER;

HW_TIMER SampleTimer;

VOID SampleTimer(PVOID DeviceExtension)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql = PASSIVE_LEVEL;

    oldIrql = KeAcquireSpinLockRaiseToDpc(&adapter->Lock);
    adapter->Ticks++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);
}
