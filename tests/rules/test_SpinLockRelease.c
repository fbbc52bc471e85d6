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

/* KeAcquireSpinLock(lock, &OldIrql): entry then exit; new verdicts. */
static int acquire(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_event(h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, lock, old_irql)
         + harness_event(h, "KeAcquireSpinLock", LS_EXIT, 0, 2, lock, old_irql);
}

/* OldIrql = KeAcquireSpinLockRaiseToDpc(lock) at PASSIVE_LEVEL. */
static int acquire_raise_to_dpc(struct harness *h, ls_word lock)
{
    return harness_event(h, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 0, 1, lock)
         + harness_event(h, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, PASSIVE, 1, lock);
}

/* KeReleaseSpinLock(lock, NewIrql): entry then exit. */
static int release(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_event(h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, lock, new_irql)
         + harness_event(h, "KeReleaseSpinLock", LS_EXIT, 0, 2, lock, new_irql);
}

static const struct ls_handler *find_handler(const char *function, enum ls_when when)
{
    const struct ls_rule *r = &ls_rule_SpinLockRelease;
    for (uint32_t i = 0; i < r->handler_count; i++)
        if (r->handlers[i].when == when && strcmp(r->handlers[i].function, function) == 0)
            return &r->handlers[i];
    return NULL;
}

static bool guarded_by_arg(const struct ls_handler *hd, unsigned n)
{
    return hd && hd->guard.kind == LS_OP_ARG && hd->guard.index == n && !hd->guard_or_null;
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_SpinLockRelease;

    CHECK_STR(r->name, "SpinLockRelease");
    CHECK_STR(r->model, "storport");
    CHECK_STR(r->severity, "error");
    CHECK_STR(r->spec_path, "specs/storport/SpinLockRelease.slic");
    CHECK(r->abi == LS_RULE_ABI);
    CHECK(r->spec_sha256 && strlen(r->spec_sha256) == 64);
    CHECK(r->state_size == sizeof(struct ls_state_SpinLockRelease));
    CHECK(r->state_size <= HARNESS_STATE_BYTES);

    CHECK(r->handler_count == 3);
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLock", LS_EXIT), 1));
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLockRaiseToDpc", LS_EXIT), 1));
    CHECK(guarded_by_arg(find_handler("KeReleaseSpinLock", LS_ENTRY), 1));

    CHECK(r->watch_count == 2);
    CHECK_STR(r->watches[0].function, "KeAcquireSpinLock");
    CHECK_STR(r->watches[1].function, "KeAcquireSpinLockRaiseToDpc");
    for (uint32_t i = 0; i < r->watch_count && i < 2; i++) {
        CHECK(r->watches[i].when == LS_EXIT);
        CHECK(r->watches[i].key.kind == LS_OP_ARG && r->watches[i].key.index == 1);
    }

    _Alignas(max_align_t) unsigned char s1[HARNESS_STATE_BYTES], s2[HARNESS_STATE_BYTES];
    memset(s1, 0xAA, sizeof s1);
    memset(s2, 0x55, sizeof s2);
    r->init(s1);
    r->init(s2);
    CHECK(memcmp(s1, s2, r->state_size) == 0);

    char buf[64];
    CHECK(r->format_state(s1, buf, sizeof buf) == (int)strlen("s=unlocked"));
    CHECK_STR(buf, "s=unlocked");
}

static void acquire_release_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(h.count == 1 && h.inst[0].key == LOCK_A);
    char buf[64];
    ls_rule_SpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=locked");
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    ls_rule_SpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=unlocked");
    CHECK(acquire_raise_to_dpc(&h, LOCK_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == LOCK_B);
    CHECK(harness_live(&h) == 1);                   /* A is still fine */
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 1);
}

/* The second of two releases is the violation. */
static void double_release(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == LOCK_A);
}

static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockRelease);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_A, DISPATCH) == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_A, DISPATCH) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 1);
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
    CHECK(release(&h, LOCK_A, DISPATCH) == 1);
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
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 1);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);       /* no cascade */
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_live(&h) == 1);
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 1);
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
