/*
 * test_SpinLock.c — behaviour of the generated SpinLock module (one
 * instance per spin lock): a second acquire of a held lock is caught at
 * its entry, a miniport routine may not return to Storport with a lock
 * held, and a release of a lock that is not held is left to
 * SpinLockRelease.  Events go through the harness, which applies SLIC's
 * instance semantics (guards, default instance, no cascades).
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/SpinLock.h"

/* Addresses as a miniport's trace shows them: two KSPIN_LOCKs in the device
 * extension, the OldIrql locals on the stack. */
static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word PASSIVE = 0, DISPATCH = 2;

static const char MSG_TWICE[] =
    "KeAcquireSpinLock acquires a spin lock that the driver already holds.";
static const char MSG_TWICE_DPC[] =
    "KeAcquireSpinLockRaiseToDpc acquires a spin lock that the driver already holds.";
static const char MSG_RETURN_STARTIO[] =
    "sdv_RunHwStartIo returns to Storport while still holding a spin lock "
    "acquired with KeAcquireSpinLock.";

/* Lock A, as every_routine_checked_at_return holds it in each routine. */
static int hold_a(struct harness *h)
{
    return harness_acquire_spin_lock(h, LOCK_A, OLD_IRQL_A);
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_SpinLock;

    harness_check_descriptor(r, "SpinLock", sizeof(struct ls_state_SpinLock), "s=unlocked");

    /* two acquires (entry and exit), the release, twelve routine exits */
    CHECK(r->handler_count == 5 + HARNESS_ROUTINES);
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLock", LS_ENTRY, 1));
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLock", LS_EXIT, 1));
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 1));
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, 1));
    CHECK(harness_guarded_by_arg(r, "KeReleaseSpinLock", LS_ENTRY, 1));
    CHECK(harness_find_handler(r, "KeReleaseSpinLock", LS_EXIT) < 0);
    harness_check_routine_exits(r);
    CHECK_STR(harness_role(r, "sdv_RunHwStartIo", LS_EXIT), "HW_STARTIO");

    CHECK(r->watch_count == 2);
    CHECK(harness_watch_is(r, 0, "KeAcquireSpinLock", LS_EXIT, 1));
    CHECK(harness_watch_is(r, 1, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, 1));
    CHECK(r->ext_operand_count == 0);

    /* an acquire's exit moves the state away from the initial one; the new
     * state is described in full, and truncated */
    _Alignas(max_align_t) unsigned char s1[HARNESS_STATE_BYTES], s2[HARNESS_STATE_BYTES];
    r->init(s1);
    r->init(s2);
    char buf[64];
    struct ls_event ev = { .when = LS_EXIT, .nargs = 2, .args = { LOCK_A, OLD_IRQL_A } };
    struct ls_verdict v;
    int locks = harness_find_handler(r, "KeAcquireSpinLock", LS_EXIT);
    CHECK(locks >= 0);
    if (locks >= 0)
        CHECK(r->step(s1, (unsigned)locks, &ev, NULL, &v) == LS_STEP_CONTINUE);
    r->format_state(s1, buf, sizeof buf);
    CHECK_STR(buf, "s=locked");
    CHECK(memcmp(s1, s2, r->state_size) != 0);
    /* snprintf's contract: truncated, terminated, full length returned */
    CHECK(r->format_state(s1, buf, 4) == (int)strlen("s=locked"));
    CHECK_STR(buf, "s=l");
}

/* Acquire, release, return: what every well-behaved routine does. */
static void acquire_release_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);  /* again, after the release */
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

/* KeAcquireSpinLockRaiseToDpc(lock) returns the old IRQL; it locks like
 * KeAcquireSpinLock. */
static void raise_to_dpc_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_event(&h, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, PASSIVE, 1, LOCK_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwInterrupt") == 0);
    CHECK(h.verdicts == 0);
}

/* A, B, release A, release B: out of order, but each lock is released. */
static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_live(&h) == 2);
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 2);
}

/* The documented trace: the same lock twice, the second time through
 * KeAcquireSpinLockRaiseToDpc.  Reported at the entry, which on a real
 * machine never returns. */
static void nested_acquire_same_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 0, 1, LOCK_A) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_TWICE_DPC);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK(harness_live(&h) == 1);                   /* B lives on */
}

/* A spin lock acquired twice through KeAcquireSpinLock. */
static void nested_acquire_same_lock_twice_ke(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, OLD_IRQL_B) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_TWICE);
    CHECK(h.verdict_keys[0] == LOCK_A);
}

/* Nested acquires of different locks are fine. */
static void nested_different_locks(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, DISPATCH) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwDpcRoutine") == 0);
    CHECK(h.verdicts == 0);
}

/* HwStorStartIo returns with lock A still held: one verdict, for A. */
static void routine_returns_with_lock_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, DISPATCH) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_RETURN_STARTIO);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK(harness_live(&h) == 1);
}

/* Two locks held at the return: the unguarded exit reaches every instance,
 * so each held lock gives its own verdict (in the order the locks were
 * first seen). */
static void routine_returns_with_two_locks_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwInterrupt") == 2);
    CHECK(h.verdicts == 2);
    CHECK_STR(h.messages[0], "sdv_RunHwInterrupt returns to Storport while still "
              "holding a spin lock acquired with KeAcquireSpinLock.");
    CHECK_STR(h.messages[1], h.messages[0]);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK(h.verdict_keys[1] == LOCK_B);
    CHECK(harness_live(&h) == 0);
}

/* Every miniport routine the spec lists is checked at its return, and the
 * message names it. */
static void every_routine_checked_at_return(void)
{
    harness_check_every_routine(&ls_rule_SpinLock, hold_a, LOCK_A,
                                "a spin lock acquired with KeAcquireSpinLock");
}

/* A release of a lock that is not held is SpinLockRelease's finding, not
 * this rule's: no verdict, now or when the routine returns. */
static void release_without_acquire(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);  /* and B is usable afterwards */
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(h.verdicts == 0);
}

/*
 * Unguarded events and instances created later.  Of the shipped rules only
 * SpinLock and QueuedSpinLock are both parametric and have unguarded
 * handlers (the routine exits); SpinLockSafe's unguarded counters belong to
 * a rule without `watch`, whose single instance is the default instance
 * itself.  SpinLock's unguarded handlers read `s` but never write it, so
 * "a late instance has seen every unguarded event" shows as: lock B, first
 * acquired after two routine exits, starts from exactly the state of lock
 * A, which existed (unlocked) through those exits, and is then checked at
 * the next exit like A would be.
 */
static void late_instance_saw_unguarded_event(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwDpcRoutine") == 0);
    CHECK(h.count == 1);

    /* B's first event creates it from the default instance */
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(h.count == 2 && h.inst[1].key == LOCK_B);
    CHECK(memcmp(h.inst[1].state, h.inst[0].state, ls_rule_SpinLock.state_size) == 0);
    CHECK(memcmp(h.inst[1].state, h.def.state, ls_rule_SpinLock.state_size) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_B, OLD_IRQL_B) == 0);

    /* B held at the next return: reported for B alone */
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_RETURN_STARTIO);
    CHECK(h.verdict_keys[0] == LOCK_B);
}

/* After its abort, lock A's instance is silent: its second acquire's
 * exit, its release and the routine's return add nothing; lock B, held at
 * the return, still gets its verdict. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 1);  /* the entry aborts */
    CHECK(harness_live(&h) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);  /* a third time: no cascade */
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_live(&h) == 1);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 1);
    CHECK(h.verdicts == 2);
    CHECK_STR(h.messages[0], MSG_TWICE);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK_STR(h.messages[1], MSG_RETURN_STARTIO);
    CHECK(h.verdict_keys[1] == LOCK_B);
    CHECK(harness_live(&h) == 0);

    /* the next invocation: A and B are both stopped for good */
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 2);
}

int main(void)
{
    descriptor();
    acquire_release_clean();
    raise_to_dpc_clean();
    two_locks_interleaved();
    nested_acquire_same_lock();
    nested_acquire_same_lock_twice_ke();
    nested_different_locks();
    routine_returns_with_lock_held();
    routine_returns_with_two_locks_held();
    every_routine_checked_at_return();
    release_without_acquire();
    late_instance_saw_unguarded_event();
    aborted_instance_stops();
    return check_done("test_SpinLock");
}
