/*
 * loop_break: the timer walks the targets, taking the lock per target, and
 * leaves the loop with `break` while the lock is held when a reset is in
 * progress.  The timer then returns to Storport holding it: SpinLock, at
 * the closing brace (the routine falls off its end).
 */
#include <storport.h>

#define MAX_TARGETS 8

typedef struct _ADAPTER {
    KSPIN_LOCK Lock;
    BOOLEAN Resetting;
    ULONG Ticks[MAX_TARGETS];
} ADAPTER, *PADAPTER;

HW_TIMER SampleTimer;

VOID SampleTimer(PVOID DeviceExtension)
{
    PADAPTER adapter = DeviceExtension;
    KIRQL oldIrql;
    ULONG i;

    for (i = 0; i < MAX_TARGETS; i++) {
        KeAcquireSpinLock(&adapter->Lock, &oldIrql);
        if (adapter->Resetting)
            break;
        adapter->Ticks[i]++;
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
    }
    StorPortNotification(RequestTimerCall, adapter, SampleTimer, 500);
}  // expect: SpinLock
