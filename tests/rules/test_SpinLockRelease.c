/*
 * test_SpinLockRelease.c — behaviour of the generated SpinLockRelease
 * module (one instance per spin lock): KeReleaseSpinLock releases only a
 * lock acquired with KeAcquireSpinLock or KeAcquireSpinLockRaiseToDpc, and
 * a correct release makes the lock unlocked again.  Events go through the
 * harness, which applies SLIC's instance semantics.  The rule has no
 * unguarded handler, so the default instance never changes and every lock
 * starts unlocked.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/SpinLockRelease.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word PASSIVE = 0, DISPATCH = 2;

static const char MSG_NOT_ACQUIRED[] =
    "KeReleaseSpinLock releases a spin lock that was not acquired with "
    "KeAcquireSpinLock or KeAcquireSpinLockRaiseToDpc.";

/* OldIrql = KeAcquireSpinLockRaiseToDpc(lock) at PASSIVE_LEVEL. */
static int acquire_raise_to_dpc(struct harness *h, ls_word lock)
{
    return harness_call(h, "KeAcquireSpinLockRaiseToDpc", PASSIVE, 1, lock);
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_SpinLockRelease;

    harness_check_descriptor(r, "SpinLockRelease", sizeof(struct ls_state_SpinLockRelease),
                             "s=unlocked");

    CHECK(r->handler_count == 3);
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLock", LS_EXIT, 1));
    CHECK(harness_guarded_by_arg(r, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, 1));
    CHECK(harness_guarded_by_arg(r, "KeReleaseSpinLock", LS_ENTRY, 1));

    CHECK(r->watch_count == 2);
    CHECK(harness_watch_is(r, 0, "KeAcquireSpinLock", LS_EXIT, 1));
    CHECK(harness_watch_is(r, 1, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, 1));
}

static void acquire_release_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(h.count == 1 && h.inst[0].key == LOCK_A);
    char buf[64];
    ls_rule_SpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=locked");
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    ls_rule_SpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=unlocked");
    CHECK(acquire_raise_to_dpc(&h, LOCK_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

/* A release of a lock never acquired: one verdict keyed by that lock. */
static void release_without_acquire(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_event(&h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_B, PASSIVE) == 1);
    CHECK(harness_event(&h, "KeReleaseSpinLock", LS_EXIT, 0, 2, LOCK_B, PASSIVE) == 0);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == LOCK_B);
    CHECK(harness_live(&h) == 0);
}

/* The documented trace: lock A acquired, lock 0xffffa0018000 released. */
static void release_of_other_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == LOCK_B);
    CHECK(harness_live(&h) == 1);                   /* A is still fine */
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 1);
}

/* The second of two releases is the violation. */
static void double_release(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == LOCK_A);
}

static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 2);
}

/* A nested acquire of the same lock is SpinLock's finding; this rule
 * keeps one bit per lock, so the first release unlocks and the second is
 * reported. */
static void nested_acquire_same_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK(h.verdict_keys[0] == LOCK_A);
}

/* A lock taken with KeAcquireSpinLockAtDpcLevel must be released with
 * KeReleaseSpinLockFromDpcLevel; KeReleaseSpinLock on it is reported. */
static void release_of_lock_acquired_at_dpc_level(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_EXIT, 0, 1, LOCK_A) == 0);
    CHECK(h.count == 0);                            /* not an event of this rule */
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 1);
    CHECK(h.verdict_keys[0] == LOCK_A);
    /* the right release is not this rule's business either */
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_event(&h, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(h.verdicts == 0 && h.count == 0);
}

/* After A's abort its instance is silent, through any number of further
 * acquires and releases; B is checked as before. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 1);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);  /* no cascade */
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_live(&h) == 1);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 1);
    CHECK(h.verdicts == 2);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK(h.verdict_keys[1] == LOCK_B);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK_STR(h.messages[1], MSG_NOT_ACQUIRED);
    CHECK(harness_live(&h) == 0);
}

int main(void)
{
    descriptor();
    acquire_release_clean();
    release_without_acquire();
    release_of_other_lock();
    double_release();
    two_locks_interleaved();
    nested_acquire_same_lock();
    release_of_lock_acquired_at_dpc_level();
    aborted_instance_stops();
    return check_done("test_SpinLockRelease");
}
