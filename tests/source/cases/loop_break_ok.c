/*
 * loop_break (fixed): the timer releases the lock before it breaks out of
 * the loop, so whichever way the loop ends the lock is free when the timer
 * returns to Storport.
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
        if (adapter->Resetting) {
            KeReleaseSpinLock(&adapter->Lock, oldIrql);
            break;
        }
        adapter->Ticks[i]++;
        KeReleaseSpinLock(&adapter->Lock, oldIrql);
    }
    StorPortNotification(RequestTimerCall, adapter, SampleTimer, 500);
}
