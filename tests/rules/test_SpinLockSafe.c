/*
 * test_SpinLockSafe.c — behaviour of the generated SpinLockSafe module: no
 * IoStartNextPacket or IoCompleteRequest (IofCompleteRequest in a compiled
 * driver) while a spin lock is held.  The rule has no `watch`: one instance,
 * the harness's default instance, counts the locks held through unguarded
 * handlers, so every event reaches it.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/SpinLockSafe.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word OLD_IRQL_CANCEL = 0xffffa0040000;
static const ls_word IRP = 0xffffa0050000;
static const ls_word DEVICE_OBJECT = 0xffffa0060000;
static const ls_word PASSIVE = 0, DISPATCH = 2;
static const ls_word IO_NO_INCREMENT = 0, TRUE_ = 1;

static const char MSG_COMPLETE[] =
    "IofCompleteRequest is called while the driver holds a spin lock.";

/* IoCompleteRequest(Irp, IO_NO_INCREMENT) as a compiled driver calls it. */
static int complete(struct harness *h)
{
    return harness_call(h, "IofCompleteRequest", 0, 2, IRP, IO_NO_INCREMENT);
}

/* The rule's counter, read through format_state. */
static const char *held(const struct harness *h)
{
    static char buf[32];
    ls_rule_SpinLockSafe.format_state(h->def.state, buf, sizeof buf);
    return buf;
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_SpinLockSafe;

    harness_check_descriptor(r, "SpinLockSafe", sizeof(struct ls_state_SpinLockSafe),
                             "held=0");

    CHECK(r->handler_count == 14);
    CHECK(harness_unguarded(r, "KeAcquireSpinLock", LS_EXIT));
    CHECK(harness_unguarded(r, "KeAcquireSpinLockAtDpcLevel", LS_EXIT));
    CHECK(harness_unguarded(r, "KeAcquireSpinLockRaiseToDpc", LS_EXIT));
    CHECK(harness_unguarded(r, "KeAcquireInStackQueuedSpinLock", LS_EXIT));
    CHECK(harness_unguarded(r, "KeAcquireInStackQueuedSpinLockAtDpcLevel", LS_EXIT));
    CHECK(harness_unguarded(r, "IoAcquireCancelSpinLock", LS_EXIT));
    CHECK(harness_unguarded(r, "KeReleaseInStackQueuedSpinLock", LS_ENTRY));
    CHECK(harness_unguarded(r, "KeReleaseInStackQueuedSpinLockFromDpcLevel", LS_ENTRY));
    CHECK(harness_unguarded(r, "KeReleaseSpinLock", LS_ENTRY));
    CHECK(harness_unguarded(r, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY));
    CHECK(harness_unguarded(r, "IoReleaseCancelSpinLock", LS_ENTRY));
    CHECK(harness_unguarded(r, "IoStartNextPacket", LS_ENTRY));
    CHECK(harness_unguarded(r, "IoCompleteRequest", LS_ENTRY));
    CHECK(harness_unguarded(r, "IofCompleteRequest", LS_ENTRY));
    CHECK(r->watch_count == 0);
}

static void complete_without_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(complete(&h) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(complete(&h) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 0);
    CHECK(h.verdicts == 0);
    CHECK_STR(held(&h), "held=0");
}

static void complete_holding_spin_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK_STR(held(&h), "held=1");
    CHECK(complete(&h) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_COMPLETE);
    CHECK(h.verdict_keys[0] == 0);                  /* no watch: no key */
}

/* A lock taken with `acquire` (one argument) is still held when `call`
 * (two arguments) comes: reported, naming `call`.  Released first with
 * `release` (one argument): fine. */
static void call_while_held(const char *acquire, ls_word lock, const char *release,
                            ls_word release_arg, const char *call, ls_word arg1, ls_word arg2)
{
    struct harness h;
    char want[128];
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, acquire, LS_ENTRY, 0, 1, lock) == 0);
    CHECK(harness_event(&h, acquire, LS_EXIT, 0, 1, lock) == 0);
    CHECK(harness_event(&h, call, LS_ENTRY, 0, 2, arg1, arg2) == 1);
    snprintf(want, sizeof want, "%s is called while the driver holds a spin lock.", call);
    CHECK_STR(h.messages[0], want);

    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, acquire, LS_EXIT, 0, 1, lock) == 0);
    CHECK(harness_event(&h, release, LS_ENTRY, 0, 1, release_arg) == 0);
    CHECK(harness_event(&h, call, LS_ENTRY, 0, 2, arg1, arg2) == 0);
    CHECK(h.verdicts == 0);
}

/* The documented trace: the cancel spin lock, then IoCompleteRequest. */
static void complete_holding_cancel_spin_lock(void)
{
    call_while_held("IoAcquireCancelSpinLock", OLD_IRQL_CANCEL, "IoReleaseCancelSpinLock", PASSIVE,
                    "IoCompleteRequest", IRP, IO_NO_INCREMENT);
}

/* In a DPC: a lock taken at DISPATCH_LEVEL, then IoStartNextPacket. */
static void start_next_packet_holding_dpc_lock(void)
{
    call_while_held("KeAcquireSpinLockAtDpcLevel", LOCK_A, "KeReleaseSpinLockFromDpcLevel", LOCK_A,
                    "IoStartNextPacket", DEVICE_OBJECT, TRUE_);
}

/* A lock taken with KeAcquireSpinLockRaiseToDpc, then IoCompleteRequest. */
static void complete_holding_raise_to_dpc_lock(void)
{
    call_while_held("KeAcquireSpinLockRaiseToDpc", LOCK_A, "KeReleaseSpinLock", LOCK_A,
                    "IofCompleteRequest", IRP, IO_NO_INCREMENT);
}

/* An in-stack queued spin lock (the handle is the released argument). */
static void complete_holding_queued_lock(void)
{
    call_while_held("KeAcquireInStackQueuedSpinLock", LOCK_A, "KeReleaseInStackQueuedSpinLock",
                    OLD_IRQL_A, "IoCompleteRequest", IRP, IO_NO_INCREMENT);
}

/* A, B, release A: B is still held, so completing is a violation; after
 * releasing B it is not. */
static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK(complete(&h) == 0);
    CHECK(h.verdicts == 0);

    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, DISPATCH) == 0);
    CHECK_STR(held(&h), "held=1");
    CHECK(complete(&h) == 1);
    CHECK_STR(h.messages[0], MSG_COMPLETE);
}

/* A release with nothing held leaves the count at 0: were it -1, the
 * IoCompleteRequest below would be reported. */
static void release_without_acquire_saturates(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_release_spin_lock(&h, LOCK_B, PASSIVE) == 0);
    CHECK_STR(held(&h), "held=0");
    CHECK(complete(&h) == 0);
    /* and one acquire still counts */
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(complete(&h) == 1);
}

/* The rule's instance is the default one: after its abort, the rule is
 * silent (per thread, in a trace), however many requests follow. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_acquire_spin_lock(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(complete(&h) == 1);
    CHECK(h.def.stopped);
    CHECK(complete(&h) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 0);
    CHECK(harness_release_spin_lock(&h, LOCK_A, PASSIVE) == 0);
    CHECK(harness_acquire_spin_lock(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(complete(&h) == 0);
    CHECK(h.verdicts == 1);
    CHECK(harness_live(&h) == 0);                   /* no keyed instances at all */
}

int main(void)
{
    descriptor();
    complete_without_lock();
    complete_holding_spin_lock();
    complete_holding_cancel_spin_lock();
    start_next_packet_holding_dpc_lock();
    complete_holding_raise_to_dpc_lock();
    complete_holding_queued_lock();
    two_locks_interleaved();
    release_without_acquire_saturates();
    aborted_instance_stops();
    return check_done("test_SpinLockSafe");
}
