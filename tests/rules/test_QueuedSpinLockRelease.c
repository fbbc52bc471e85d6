/*
 * test_QueuedSpinLockRelease.c — behaviour of the generated
 * QueuedSpinLockRelease module (one instance per KLOCK_QUEUE_HANDLE):
 * KeReleaseInStackQueuedSpinLock only with a handle acquired by
 * KeAcquireInStackQueuedSpinLock; a handle released correctly may be used
 * again.  The rule has no unguarded handler, so the default instance never
 * changes and every handle starts unlocked.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/QueuedSpinLockRelease.h"

/* Two spin locks in the device extension and two KLOCK_QUEUE_HANDLEs on
 * the stack (24 bytes apart, the x64 size). */
static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word HANDLE_1 = 0xffffa0030000;
static const ls_word HANDLE_2 = 0xffffa0030018;

static const char MSG_NOT_ACQUIRED[] =
    "KeReleaseInStackQueuedSpinLock releases a lock handle that was not "
    "acquired with KeAcquireInStackQueuedSpinLock.";

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_QueuedSpinLockRelease;

    harness_check_descriptor(r, "QueuedSpinLockRelease",
                             sizeof(struct ls_state_QueuedSpinLockRelease), "s=unlocked");

    /* the acquire keys by its handle ($2), the release by its only argument */
    CHECK(r->handler_count == 2);
    CHECK(harness_guarded_by_arg(r, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 2));
    CHECK(harness_guarded_by_arg(r, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 1));
    CHECK(r->watch_count == 1);
    CHECK(harness_watch_is(r, 0, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 2));
}

static void acquire_release_clean(void)
{
    struct harness h;
    char buf[64];
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(h.count == 1 && h.inst[0].key == HANDLE_1);   /* keyed by the handle */
    ls_rule_QueuedSpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=locked");
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    ls_rule_QueuedSpinLockRelease.format_state(h.inst[0].state, buf, sizeof buf);
    CHECK_STR(buf, "s=unlocked");
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

/* Event 5 of the spec's documentation: a handle never acquired. */
static void release_of_handle_never_acquired(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_release_queued(&h, HANDLE_1) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == HANDLE_1);
    CHECK(harness_live(&h) == 0);
}

/* The documented trace: released twice. */
static void double_release(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_event(&h, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 0, 1, HANDLE_1) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_ACQUIRED);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

/* The driver acquires through one handle and releases through another:
 * the instance that aborts is the one for the handle released. */
static void release_through_wrong_handle(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_2) == 1);
    CHECK(h.verdict_keys[0] == HANDLE_2);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(h.verdicts == 1);
}

/* A local KLOCK_QUEUE_HANDLE used for one lock, released, then used for
 * another lock: both pairs are correct. */
static void handle_reused_after_release(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(h.verdicts == 0);
    CHECK(h.count == 1);
}

static void two_handles_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_2) == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 2);
}

/* Acquiring twice through one handle is QueuedSpinLock's finding; here one
 * release undoes both and the second release is reported. */
static void nested_acquire_same_handle(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 1);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

/* After handle 1's abort it stays silent; handle 2 is checked as before. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLockRelease);
    CHECK(harness_acquire_queued(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 1);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);  /* no cascade */
    CHECK(harness_acquire_queued(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_release_queued(&h, HANDLE_1) == 0);
    CHECK(harness_live(&h) == 1);
    CHECK(harness_release_queued(&h, HANDLE_2) == 0);
    CHECK(harness_release_queued(&h, HANDLE_2) == 1);
    CHECK(h.verdicts == 2);
    CHECK(h.verdict_keys[0] == HANDLE_1);
    CHECK(h.verdict_keys[1] == HANDLE_2);
    CHECK_STR(h.messages[1], MSG_NOT_ACQUIRED);
    CHECK(harness_live(&h) == 0);
}

int main(void)
{
    descriptor();
    acquire_release_clean();
    release_of_handle_never_acquired();
    double_release();
    release_through_wrong_handle();
    handle_reused_after_release();
    two_handles_interleaved();
    nested_acquire_same_handle();
    aborted_instance_stops();
    return check_done("test_QueuedSpinLockRelease");
}
