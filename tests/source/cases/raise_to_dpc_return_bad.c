/*
 * raise_to_dpc_return: the timer discards the IRQL that
 * KeAcquireSpinLockRaiseToDpc returns and releases with a variable still
 * holding PASSIVE_LEVEL.  The timer runs at DISPATCH_LEVEL, so that is not
 * the saved IRQL: IrqlKeReleaseSpinLock.
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

    (void)KeAcquireSpinLockRaiseToDpc(&adapter->Lock);
    adapter->Ticks++;
    KeReleaseSpinLock(&adapter->Lock, oldIrql);  // expect: IrqlKeReleaseSpinLock
}
