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
#include "harness.h"
#include "storport/SpinLock.h"

/* Addresses as a miniport's trace shows them: two KSPIN_LOCKs in the device
 * extension, the OldIrql locals on the stack, the HwStorStartIo arguments. */
static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word DEVEXT = 0xffffa0100000;
static const ls_word SRB = 0xffffa0200000;
static const ls_word PASSIVE = 0, DISPATCH = 2;

static const char MSG_TWICE[] =
    "KeAcquireSpinLock acquires a spin lock that the driver already holds.";
static const char MSG_TWICE_DPC[] =
    "KeAcquireSpinLockRaiseToDpc acquires a spin lock that the driver already holds.";
static const char MSG_RETURN_STARTIO[] =
    "sdv_RunHwStartIo returns to Storport while still holding a spin lock "
    "acquired with KeAcquireSpinLock.";

/* The twelve miniport routines the rule checks at their return. */
static const char *const ROUTINES[] = {
    "sdv_RunHwStartIo", "sdv_RunHwBuildIo", "sdv_RunHwInterrupt",
    "sdv_RunHwMSIInterrupt", "sdv_RunHwDpcRoutine", "sdv_RunHwTimer",
    "sdv_RunHwFindAdapter", "sdv_RunHwInitialize", "sdv_RunHwPassiveInitialize",
    "sdv_RunHwResetBus", "sdv_RunHwAdapterControl", "sdv_RunHwUnitControl",
};
#define NROUTINES (sizeof ROUTINES / sizeof ROUTINES[0])

/* KeAcquireSpinLock(lock, &OldIrql): entry then exit.  Returns the new
 * verdicts of both events. */
static int acquire(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_event(h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, lock, old_irql)
         + harness_event(h, "KeAcquireSpinLock", LS_EXIT, 0, 2, lock, old_irql);
}

/* KeReleaseSpinLock(lock, NewIrql): entry then exit. */
static int release(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_event(h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, lock, new_irql)
         + harness_event(h, "KeReleaseSpinLock", LS_EXIT, 0, 2, lock, new_irql);
}

/* The harness runs a miniport routine: entry, and (routine_exit) its
 * return with TRUE. */
static int routine_entry(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_ENTRY, 0, 2, DEVEXT, SRB);
}

static int routine_exit(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_EXIT, 1, 2, DEVEXT, SRB);
}

/* A handler of the module for (function, when), or NULL. */
static const struct ls_handler *find_handler(const char *function, enum ls_when when)
{
    const struct ls_rule *r = &ls_rule_SpinLock;
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
    const struct ls_rule *r = &ls_rule_SpinLock;

    CHECK_STR(r->name, "SpinLock");
    CHECK_STR(r->model, "storport");
    CHECK_STR(r->severity, "error");
    CHECK_STR(r->spec_path, "specs/storport/SpinLock.slic");
    CHECK(r->abi == LS_RULE_ABI);
    CHECK(r->summary && strlen(r->summary) > 0);
    CHECK(r->spec_sha256 && strlen(r->spec_sha256) == 64);
    CHECK(r->state_size == sizeof(struct ls_state_SpinLock));
    CHECK(r->state_size <= HARNESS_STATE_BYTES);

    /* two acquires (entry and exit), the release, twelve routine exits */
    CHECK(r->handler_count == 5 + NROUTINES);
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLock", LS_ENTRY), 1));
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLock", LS_EXIT), 1));
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLockRaiseToDpc", LS_ENTRY), 1));
    CHECK(guarded_by_arg(find_handler("KeAcquireSpinLockRaiseToDpc", LS_EXIT), 1));
    CHECK(guarded_by_arg(find_handler("KeReleaseSpinLock", LS_ENTRY), 1));
    CHECK(find_handler("KeReleaseSpinLock", LS_EXIT) == NULL);
    for (size_t i = 0; i < NROUTINES; i++) {
        const struct ls_handler *hd = find_handler(ROUTINES[i], LS_EXIT);
        CHECK(hd && hd->guard.kind == LS_OP_NONE);
        CHECK(hd && hd->role && strncmp(hd->role, "HW_", 3) == 0);
        CHECK(find_handler(ROUTINES[i], LS_ENTRY) == NULL);
    }
    const struct ls_handler *startio = find_handler("sdv_RunHwStartIo", LS_EXIT);
    CHECK(startio && startio->role && strcmp(startio->role, "HW_STARTIO") == 0);

    CHECK(r->watch_count == 2);
    CHECK_STR(r->watches[0].function, "KeAcquireSpinLock");
    CHECK_STR(r->watches[1].function, "KeAcquireSpinLockRaiseToDpc");
    for (uint32_t i = 0; i < r->watch_count && i < 2; i++) {
        CHECK(r->watches[i].when == LS_EXIT);
        CHECK(r->watches[i].key.kind == LS_OP_ARG && r->watches[i].key.index == 1);
    }
    CHECK(r->ext_operand_count == 0);

    /* init is deterministic down to the last byte, whatever was there */
    _Alignas(max_align_t) unsigned char s1[HARNESS_STATE_BYTES], s2[HARNESS_STATE_BYTES];
    memset(s1, 0xAA, sizeof s1);
    memset(s2, 0x55, sizeof s2);
    r->init(s1);
    r->init(s2);
    CHECK(memcmp(s1, s2, r->state_size) == 0);

    char buf[64];
    CHECK(r->format_state(s1, buf, sizeof buf) == (int)strlen("s=unlocked"));
    CHECK_STR(buf, "s=unlocked");
    struct ls_event ev = { .when = LS_EXIT, .nargs = 2, .args = { LOCK_A, OLD_IRQL_A } };
    struct ls_verdict v;
    const struct ls_handler *locks = find_handler("KeAcquireSpinLock", LS_EXIT);
    CHECK(locks != NULL);
    if (locks)
        CHECK(r->step(s1, (unsigned)(locks - r->handlers), &ev, NULL, &v) == LS_STEP_CONTINUE);
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
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);     /* again, after the release */
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
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
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwInterrupt") == 0);
    CHECK(h.verdicts == 0);
}

/* A, B, release A, release B: out of order, but each lock is released. */
static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_live(&h) == 2);
    CHECK(release(&h, LOCK_A, DISPATCH) == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
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
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_B, DISPATCH) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwDpcRoutine") == 0);
    CHECK(h.verdicts == 0);
}

/* HwStorStartIo returns with lock A still held: one verdict, for A. */
static void routine_returns_with_lock_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_B, DISPATCH) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 1);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwInterrupt") == 2);
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
    for (size_t i = 0; i < NROUTINES; i++) {
        struct harness h;
        char want[200];
        harness_init(&h, &ls_rule_SpinLock);
        CHECK(routine_entry(&h, ROUTINES[i]) == 0);
        CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
        CHECK(routine_exit(&h, ROUTINES[i]) == 1);
        snprintf(want, sizeof want, "%s returns to Storport while still holding "
                 "a spin lock acquired with KeAcquireSpinLock.", ROUTINES[i]);
        CHECK_STR(h.messages[0], want);
        CHECK(h.verdict_keys[0] == LOCK_A);
    }
}

/* A release of a lock that is not held is SpinLockRelease's finding, not
 * this rule's: no verdict, now or when the routine returns. */
static void release_without_acquire(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);     /* and B is usable afterwards */
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
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
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(routine_exit(&h, "sdv_RunHwDpcRoutine") == 0);
    CHECK(h.count == 1);

    /* B's first event creates it from the default instance */
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(h.count == 2 && h.inst[1].key == LOCK_B);
    CHECK(memcmp(h.inst[1].state, h.inst[0].state, ls_rule_SpinLock.state_size) == 0);
    CHECK(memcmp(h.inst[1].state, h.def.state, ls_rule_SpinLock.state_size) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_B, OLD_IRQL_B) == 0);

    /* B held at the next return: reported for B alone */
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 1);
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
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 1);     /* the entry aborts */
    CHECK(harness_live(&h) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);     /* a third time: no cascade */
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_live(&h) == 1);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 1);
    CHECK(h.verdicts == 2);
    CHECK_STR(h.messages[0], MSG_TWICE);
    CHECK(h.verdict_keys[0] == LOCK_A);
    CHECK_STR(h.messages[1], MSG_RETURN_STARTIO);
    CHECK(h.verdict_keys[1] == LOCK_B);
    CHECK(harness_live(&h) == 0);

    /* the next invocation: A and B are both stopped for good */
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
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
