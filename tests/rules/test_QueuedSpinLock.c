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
#include "harness.h"
#include "storport/QueuedSpinLock.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word HANDLE_1 = 0xffffa0030000;
static const ls_word HANDLE_2 = 0xffffa0030018;
static const ls_word DEVEXT = 0xffffa0100000;
static const ls_word SRB = 0xffffa0200000;

static const char MSG_HANDLE_HELD[] =
    "KeAcquireInStackQueuedSpinLock acquires through a lock handle whose "
    "in-stack queued spin lock is still held.";
static const char MSG_RETURN_BUILDIO[] =
    "sdv_RunHwBuildIo returns to Storport while still holding an in-stack "
    "queued spin lock.";

static const char *const ROUTINES[] = {
    "sdv_RunHwStartIo", "sdv_RunHwBuildIo", "sdv_RunHwInterrupt",
    "sdv_RunHwMSIInterrupt", "sdv_RunHwDpcRoutine", "sdv_RunHwTimer",
    "sdv_RunHwFindAdapter", "sdv_RunHwInitialize", "sdv_RunHwPassiveInitialize",
    "sdv_RunHwResetBus", "sdv_RunHwAdapterControl", "sdv_RunHwUnitControl",
};
#define NROUTINES (sizeof ROUTINES / sizeof ROUTINES[0])

/* KeAcquireInStackQueuedSpinLock(lock, &handle): entry then exit. */
static int acquire(struct harness *h, ls_word lock, ls_word handle)
{
    return harness_event(h, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 0, 2, lock, handle)
         + harness_event(h, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 0, 2, lock, handle);
}

/* KeReleaseInStackQueuedSpinLock(&handle): entry then exit. */
static int release(struct harness *h, ls_word handle)
{
    return harness_event(h, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 0, 1, handle)
         + harness_event(h, "KeReleaseInStackQueuedSpinLock", LS_EXIT, 0, 1, handle);
}

static int routine_entry(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_ENTRY, 0, 2, DEVEXT, SRB);
}

/* The routine returns TRUE to Storport. */
static int routine_exit(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_EXIT, 1, 2, DEVEXT, SRB);
}

static const struct ls_handler *find_handler(const char *function, enum ls_when when)
{
    const struct ls_rule *r = &ls_rule_QueuedSpinLock;
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
    const struct ls_rule *r = &ls_rule_QueuedSpinLock;

    CHECK_STR(r->name, "QueuedSpinLock");
    CHECK_STR(r->model, "storport");
    CHECK_STR(r->severity, "error");
    CHECK_STR(r->spec_path, "specs/storport/QueuedSpinLock.slic");
    CHECK(r->abi == LS_RULE_ABI);
    CHECK(r->spec_sha256 && strlen(r->spec_sha256) == 64);
    CHECK(r->state_size == sizeof(struct ls_state_QueuedSpinLock));
    CHECK(r->state_size <= HARNESS_STATE_BYTES);

    CHECK(r->handler_count == 3 + NROUTINES);
    CHECK(guarded_by_arg(find_handler("KeAcquireInStackQueuedSpinLock", LS_ENTRY), 2));
    CHECK(guarded_by_arg(find_handler("KeAcquireInStackQueuedSpinLock", LS_EXIT), 2));
    CHECK(guarded_by_arg(find_handler("KeReleaseInStackQueuedSpinLock", LS_ENTRY), 1));
    for (size_t i = 0; i < NROUTINES; i++) {
        const struct ls_handler *hd = find_handler(ROUTINES[i], LS_EXIT);
        CHECK(hd && hd->guard.kind == LS_OP_NONE);
        CHECK(hd && hd->role && strncmp(hd->role, "HW_", 3) == 0);
    }
    const struct ls_handler *buildio = find_handler("sdv_RunHwBuildIo", LS_EXIT);
    CHECK(buildio && buildio->role && strcmp(buildio->role, "HW_BUILDIO") == 0);

    CHECK(r->watch_count == 1);
    CHECK_STR(r->watches[0].function, "KeAcquireInStackQueuedSpinLock");
    CHECK(r->watches[0].when == LS_EXIT);
    CHECK(r->watches[0].key.kind == LS_OP_ARG && r->watches[0].key.index == 2);

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
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(release(&h, HANDLE_1) == 0);
    CHECK(acquire(&h, LOCK_B, HANDLE_1) == 0);      /* the handle, reused */
    CHECK(release(&h, HANDLE_1) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 1);
}

static void two_handles_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(acquire(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(release(&h, HANDLE_1) == 0);
    CHECK(release(&h, HANDLE_2) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
    CHECK(h.verdicts == 0);
    CHECK(harness_live(&h) == 2);
}

/* The same lock and the same handle, acquired again while held: reported
 * at the entry of the second acquire, keyed by the handle. */
static void nested_acquire_same_handle(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(acquire(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
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
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(acquire(&h, LOCK_B, HANDLE_1) == 1);
    CHECK_STR(h.messages[0], MSG_HANDLE_HELD);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

/* The documented trace: HwStorBuildIo returns with the handle held. */
static void routine_returns_with_handle_held(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_RETURN_BUILDIO);
    CHECK(h.verdict_keys[0] == HANDLE_1);
}

static void every_routine_checked_at_return(void)
{
    for (size_t i = 0; i < NROUTINES; i++) {
        struct harness h;
        char want[200];
        harness_init(&h, &ls_rule_QueuedSpinLock);
        CHECK(routine_entry(&h, ROUTINES[i]) == 0);
        CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
        CHECK(routine_exit(&h, ROUTINES[i]) == 1);
        snprintf(want, sizeof want, "%s returns to Storport while still holding "
                 "an in-stack queued spin lock.", ROUTINES[i]);
        CHECK_STR(h.messages[0], want);
        CHECK(h.verdict_keys[0] == HANDLE_1);
    }
}

/* Releasing a handle that is not held is QueuedSpinLockRelease's finding. */
static void release_without_acquire(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_QueuedSpinLock);
    CHECK(routine_entry(&h, "sdv_RunHwStartIo") == 0);
    CHECK(release(&h, HANDLE_1) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);
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
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(release(&h, HANDLE_1) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(routine_exit(&h, "sdv_RunHwStartIo") == 0);

    CHECK(harness_event(&h, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 0, 2,
                        LOCK_B, HANDLE_2) == 0);
    CHECK(h.count == 2 && h.inst[1].key == HANDLE_2);
    CHECK(memcmp(h.inst[1].state, h.inst[0].state, ls_rule_QueuedSpinLock.state_size) == 0);
    CHECK(harness_event(&h, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 0, 2,
                        LOCK_B, HANDLE_2) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 1);
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
    CHECK(routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 1);
    CHECK(harness_live(&h) == 0);

    CHECK(routine_entry(&h, "sdv_RunHwBuildIo") == 0);
    CHECK(acquire(&h, LOCK_A, HANDLE_1) == 0);      /* still "held": no cascade */
    CHECK(acquire(&h, LOCK_B, HANDLE_2) == 0);
    CHECK(routine_exit(&h, "sdv_RunHwBuildIo") == 1);
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
