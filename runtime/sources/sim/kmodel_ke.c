/*
 * kmodel_ke.c — the kernel model's Ke/Io/Ex calls: the IRQL, executive
 * and in-stack queued spin locks, the cancel spin lock, DPCs, events and
 * pool (IRPs, devices and timers are kmodel_wdm.c's), with the semantics of the real calls on one
 * processor.  Each emits its entry and exit event with the real argument
 * values (and return value), and writes the values the real call hands
 * back (the old IRQL through KeAcquireSpinLock's second argument, the
 * queue handle's fields).
 *
 * What the model adds to the real semantics: acquiring a spin lock the
 * processor already holds is reported as a hang (km_lock_take) instead of
 * spinning, and releasing a lock or handle the processor does not hold
 * changes nothing (the rules say why it is wrong; a real machine's
 * behaviour would be undefined).  The in-stack queued release lowers the
 * IRQL to what the model saved at the acquire, which is what the real
 * handle holds unless the driver overwrote it.
 */
#include <storport.h>

#include "km.h"

#define PTR(p) ((ls_word)(uintptr_t)(p))

/* Argument lists of up to four words, spelled once per DDI. */
#define ARGS(...) const ls_word args[] = { __VA_ARGS__ }; \
                  const unsigned nargs = sizeof args / sizeof args[0]

/* The cancel spin lock is one lock of the whole system. */
static const char cancel_lock;

KIRQL KeGetCurrentIrql(VOID)
{
    km_entry(KM_KeGetCurrentIrql, 0, NULL);
    km_exit(KM_KeGetCurrentIrql, 0, NULL, 1, km.irql);
    return km.irql;
}

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    ARGS(NewIrql, PTR(OldIrql));
    km_entry(KM_KeRaiseIrql, nargs, args);
    KIRQL old = km.irql;
    km_raise(NewIrql, "KeRaiseIrql");
    *OldIrql = old;
    km_exit(KM_KeRaiseIrql, nargs, args, 0, 0);
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    ARGS(NewIrql);
    km_entry(KM_KeLowerIrql, nargs, args);
    km_lower(NewIrql, "KeLowerIrql");
    km_exit(KM_KeLowerIrql, nargs, args, 0, 0);
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    km_entry(KM_KeRaiseIrqlToDpcLevel, 0, NULL);
    KIRQL old = km.irql;
    km_raise(DISPATCH_LEVEL, "KeRaiseIrqlToDpcLevel");
    km_exit(KM_KeRaiseIrqlToDpcLevel, 0, NULL, 1, old);
    return old;
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    ARGS(PTR(SpinLock));
    km_entry(KM_KeInitializeSpinLock, nargs, args);
    *SpinLock = 0;
    km_exit(KM_KeInitializeSpinLock, nargs, args, 0, 0);
}

/* KeAcquireSpinLock and KeAcquireSpinLockRaiseToDpc: raise to
 * DISPATCH_LEVEL, take the lock; the IRQL it was at. */
static KIRQL acquire_raising(PKSPIN_LOCK SpinLock, const char *who)
{
    KIRQL old = km.irql;
    km_raise(DISPATCH_LEVEL, who);
    km_lock_take(KM_SPIN, SpinLock, NULL, who);
    return old;
}

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    ARGS(PTR(SpinLock), PTR(OldIrql));
    km_entry(KM_KeAcquireSpinLock, nargs, args);
    *OldIrql = acquire_raising(SpinLock, "KeAcquireSpinLock");
    km_exit(KM_KeAcquireSpinLock, nargs, args, 0, 0);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    ARGS(PTR(SpinLock));
    km_entry(KM_KeAcquireSpinLockRaiseToDpc, nargs, args);
    KIRQL old = acquire_raising(SpinLock, "KeAcquireSpinLockRaiseToDpc");
    km_exit(KM_KeAcquireSpinLockRaiseToDpc, nargs, args, 1, old);
    return old;
}

/* Let go of the lock `lock` (or the one taken through handle) if the
 * processor holds it. */
static void drop_if_held(const void *lock, const void *handle)
{
    struct km_lock *l = km_lock_find(lock, handle);
    if (l)
        km_lock_drop(l);
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    ARGS(PTR(SpinLock), NewIrql);
    km_entry(KM_KeReleaseSpinLock, nargs, args);
    drop_if_held(SpinLock, NULL);
    km_lower(NewIrql, "KeReleaseSpinLock");
    km_exit(KM_KeReleaseSpinLock, nargs, args, 0, 0);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ARGS(PTR(SpinLock));
    km_entry(KM_KeAcquireSpinLockAtDpcLevel, nargs, args);
    km_lock_take(KM_SPIN, SpinLock, NULL, "KeAcquireSpinLockAtDpcLevel");
    km_exit(KM_KeAcquireSpinLockAtDpcLevel, nargs, args, 0, 0);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    ARGS(PTR(SpinLock));
    km_entry(KM_KeReleaseSpinLockFromDpcLevel, nargs, args);
    drop_if_held(SpinLock, NULL);
    km_exit(KM_KeReleaseSpinLockFromDpcLevel, nargs, args, 0, 0);
}

/* FALSE when this processor holds the lock (trying does not spin) or when
 * the host chose "another processor holds it". */
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ARGS(PTR(SpinLock));
    km_entry(KM_KeTryToAcquireSpinLockAtDpcLevel, nargs, args);
    BOOLEAN got = !km_lock_find(SpinLock, NULL) && !km_fault(KM_KeTryToAcquireSpinLockAtDpcLevel);
    if (got)
        km_lock_take(KM_SPIN, SpinLock, NULL, "KeTryToAcquireSpinLockAtDpcLevel");
    km_exit(KM_KeTryToAcquireSpinLockAtDpcLevel, nargs, args, 1, got);
    return got;
}

/* The queued acquires: take the lock, fill the caller's handle. */
static void acquire_queued(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle, int raise,
                           const char *who)
{
    KIRQL old = km.irql;
    if (raise)
        km_raise(DISPATCH_LEVEL, who);
    km_lock_take(KM_QUEUED, SpinLock, LockHandle, who)->old_irql = old;
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = old;
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    ARGS(PTR(SpinLock), PTR(LockHandle));
    km_entry(KM_KeAcquireInStackQueuedSpinLock, nargs, args);
    acquire_queued(SpinLock, LockHandle, 1, "KeAcquireInStackQueuedSpinLock");
    km_exit(KM_KeAcquireInStackQueuedSpinLock, nargs, args, 0, 0);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock,
                                              PKLOCK_QUEUE_HANDLE LockHandle)
{
    ARGS(PTR(SpinLock), PTR(LockHandle));
    km_entry(KM_KeAcquireInStackQueuedSpinLockAtDpcLevel, nargs, args);
    acquire_queued(SpinLock, LockHandle, 0, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
    km_exit(KM_KeAcquireInStackQueuedSpinLockAtDpcLevel, nargs, args, 0, 0);
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    ARGS(PTR(LockHandle));
    km_entry(KM_KeReleaseInStackQueuedSpinLock, nargs, args);
    struct km_lock *l = km_lock_find(NULL, LockHandle);
    if (l) {
        KIRQL old = l->old_irql;
        km_lock_drop(l);
        km_lower(old, "KeReleaseInStackQueuedSpinLock");
    }
    km_exit(KM_KeReleaseInStackQueuedSpinLock, nargs, args, 0, 0);
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    ARGS(PTR(LockHandle));
    km_entry(KM_KeReleaseInStackQueuedSpinLockFromDpcLevel, nargs, args);
    drop_if_held(NULL, LockHandle);
    km_exit(KM_KeReleaseInStackQueuedSpinLockFromDpcLevel, nargs, args, 0, 0);
}

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    ARGS(PTR(Irql));
    km_entry(KM_IoAcquireCancelSpinLock, nargs, args);
    KIRQL old = km.irql;
    km_raise(DISPATCH_LEVEL, "IoAcquireCancelSpinLock");
    km_lock_take(KM_CANCEL, &cancel_lock, NULL, "IoAcquireCancelSpinLock");
    *Irql = old;
    km_exit(KM_IoAcquireCancelSpinLock, nargs, args, 0, 0);
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    ARGS(Irql);
    km_entry(KM_IoReleaseCancelSpinLock, nargs, args);
    drop_if_held(&cancel_lock, NULL);
    km_lower(Irql, "IoReleaseCancelSpinLock");
    km_exit(KM_IoReleaseCancelSpinLock, nargs, args, 0, 0);
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    ARGS(PTR(Dpc), PTR(DeferredRoutine), PTR(DeferredContext));
    km_entry(KM_KeInitializeDpc, nargs, args);
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    km_exit(KM_KeInitializeDpc, nargs, args, 0, 0);
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    ARGS(PTR(Dpc), PTR(SystemArgument1), PTR(SystemArgument2));
    km_entry(KM_KeInsertQueueDpc, nargs, args);
    BOOLEAN queued = (BOOLEAN)km_queue_dpc(Dpc, (km_dpc_routine *)Dpc->DeferredRoutine,
                                           Dpc->DeferredContext, SystemArgument1,
                                           SystemArgument2, "KDEFERRED_ROUTINE");
    km_exit(KM_KeInsertQueueDpc, nargs, args, 1, queued);
    return queued;
}

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    ARGS(PTR(Event), Type, State);
    km_entry(KM_KeInitializeEvent, nargs, args);
    Event->Header.Type = (UCHAR)Type;
    Event->Header.SignalState = State;
    km_exit(KM_KeInitializeEvent, nargs, args, 0, 0);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    ARGS(PTR(Event), Increment, Wait);
    km_entry(KM_KeSetEvent, nargs, args);
    LONG previous = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    km_exit(KM_KeSetEvent, nargs, args, 1, previous);
    return previous;
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    ARGS(MicroSeconds);
    km_entry(KM_KeStallExecutionProcessor, nargs, args);
    km_exit(KM_KeStallExecutionProcessor, nargs, args, 0, 0);
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    ARGS((ls_word)Flags, (ls_word)NumberOfBytes, Tag);
    km_entry(KM_ExAllocatePool2, nargs, args);
    PVOID p = km_alloc(KM_ExAllocatePool2, NumberOfBytes);
    km_exit(KM_ExAllocatePool2, nargs, args, 1, PTR(p));
    return p;
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    ARGS(PoolType, (ls_word)NumberOfBytes);
    km_entry(KM_ExAllocatePool, nargs, args);
    PVOID p = km_alloc(KM_ExAllocatePool, NumberOfBytes);
    km_exit(KM_ExAllocatePool, nargs, args, 1, PTR(p));
    return p;
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    ARGS(PoolType, (ls_word)NumberOfBytes, Tag);
    km_entry(KM_ExAllocatePoolWithTag, nargs, args);
    PVOID p = km_alloc(KM_ExAllocatePoolWithTag, NumberOfBytes);
    km_exit(KM_ExAllocatePoolWithTag, nargs, args, 1, PTR(p));
    return p;
}

VOID ExFreePool(PVOID P)
{
    ARGS(PTR(P));
    km_entry(KM_ExFreePool, nargs, args);
    km_free(P, "ExFreePool");
    km_exit(KM_ExFreePool, nargs, args, 0, 0);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ARGS(PTR(P), Tag);
    km_entry(KM_ExFreePoolWithTag, nargs, args);
    km_free(P, "ExFreePoolWithTag");
    km_exit(KM_ExFreePoolWithTag, nargs, args, 0, 0);
}
