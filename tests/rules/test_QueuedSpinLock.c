/*
 * test_QueuedSpinLock.c — behaviour of the generated QueuedSpinLock module
 * (one instance per KLOCK_QUEUE_HANDLE): a handle whose lock is held is not
 * used for another acquire, and no handle is held when a miniport routine
 * returns to Storport.  A release of a handle that is not held is left to
 * QueuedSpinLockRelease.  Events go through the harness, which applies
 * SLIC's instance semantics (guards, default instance, no cascades).
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/QueuedSpinLock.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word HANDLE_1 = 0xffffa0030000;
static const ls_word HANDLE_2 = 0xffffa0030018;

static const char MSG_HANDLE_HELD[] =
    "KeAcquireInStackQueuedSpinLock acquires through a lock handle whose "
    "in-stack queued spin lock is still held.";
static const char MSG_RETURN_BUILDIO[] =
    "sdv_RunHwBuildIo returns to Storport while still holding an in-stack "
    "queued spin lock.";

/* Lock A through handle 1, as every_routine_checked_at_return holds it in
 * each routine. */
static int hold_a(struct harness *h)
{
    return harness_acquire_queued(h, LOCK_A, HANDLE_1);
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_QueuedSpinLock;

    harness_check_descriptor(r, "QueuedSpinLock", sizeof(struct ls_state_QueuedSpinLock),
                             "s=unlocked");

    CHECK(r->handler_count == 3 + HARNESS_ROUTINES);
    CHECK(harness_guarded_by_arg(r, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 2));
    CHECK(harness_guarded_by_arg(r, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 2));
    CHECK(harness_guarded_by_arg(r, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 1));
    harness_check_routine_exits(r);
    CHECK_STR(harness_role(r, "sdv_RunHwBuildIo", LS_EXIT), "HW_BUILDIO");

    CHECK(r->watch_count == 1);
    CHECK(harness_watch_is(r, 0, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 2));
}

static void acquire_release_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_1) == 0);  /* the handle, reused */
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

static void two_handles_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_2) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 2);
}

/* The same lock and the same handle, acquired again while held: reported
 * at the entry of the second acquire, keyed by the handle. */
static void nested_acquire_same_handle(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_event(&h, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 0, 2,
                        LOCK_A, HANDLE_1) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_HANDLE_HELD);
    CHECK(h.verdict_keys[0] == HANDLE_1);
    CHECK(harness_live(&h) == 1);
}

/* A held handle reused for a different lock: the handle is what counts. */
static void handle_reused_while_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_1) == 1);
    CHECK_STR(h.messages[0], MSG_HANDLE_HELD);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

/* The documented trace: HwStorBuildIo returns with the handle held. */
static void routine_returns_with_handle_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_RETURN_BUILDIO);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

static void every_routine_checked_at_return(void)
{
    harness_check_every_routine(&ls_rule_QueuedSpinLock, hold_a, HANDLE_1,
                                "an in-stack queued spin lock");
}

/* Releasing a handle that is not held is QueuedSpinLockRelease's finding. */
static void release_without_acquire(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

/*
 * QueuedSpinLock is, with SpinLock, the shipped rule that is parametric and
 * has unguarded handlers (the routine exits).  They read `s` and never write
 * it, so a handle first used after some routine exits must start in exactly
 * the state of a handle that lived through them, and is checked at the
 * next exit.
 */
static void late_instance_saw_unguarded_event(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwStartIo") == 0);

    CHECK(harness_event(&h, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 0, 2,
                        LOCK_B, HANDLE_2) == 0);
    CHECK(h.count == 2 && h.inst[1].key == HANDLE_2);
    CHECK(memcmp(h.inst[1].state, h.inst[0].state, ls_rule_QueuedSpinLock.state_size) == 0);
    CHECK(harness_event(&h, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 0, 2,
                        LOCK_B, HANDLE_2) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK_STR(h.messages[0], MSG_RETURN_BUILDIO);
    CHECK(h.verdict_keys[0] == HANDLE_2);
}

/* After handle 1 aborts at HwStorBuildIo's return, the next invocation's
 * local handle lands on the same stack address: its instance stays silent
 * even though the handle is held at the return again, while handle 2 is
 * still checked. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(harness_routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK(harness_live(&h) == 0);

    CHECK(harness_routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);  /* still "held": no cascade */
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(harness_routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK(h.verdicts == 2);
    CHECK(h.verdict_keys[0] == HANDLE_1);
    CHECK(h.verdict_keys[1] == HANDLE_2);
    CHECK_STR(h.messages[1], MSG_RETURN_BUILDIO);
    CHECK(harness_live(&h) == 0);
}

int main(void)
{
    descriptor();
    acquire_release_clean();
    two_handles_interleaved();
    nested_acquire_same_handle();
    handle_reused_while_held();
    routine_returns_with_handle_held();
    every_routine_checked_at_return();
    release_without_acquire();
    late_instance_saw_unguarded_event();
    aborted_instance_stops();
    return check_done("test_QueuedSpinLock");
}
