/*
 * test_SpinLockSafe.c — behaviour of the generated SpinLockSafe module: no
 * IoStartNextPacket or IoCompleteRequest (IofCompleteRequest in a compiled
 * driver) while a spin lock is held.  The rule has no `watch`: one instance,
 * the harness's default instance, counts the locks held through unguarded
 * handlers, so every event reaches it.
 */
#include <string.h>

#include "check.h"
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

/* KeAcquireSpinLock(lock, &OldIrql): entry then exit; new verdicts. */
static int acquire(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_event(h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, lock, old_irql)
         + harness_event(h, "KeAcquireSpinLock", LS_EXIT, 0, 2, lock, old_irql);
}

static int release(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_event(h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, lock, new_irql)
         + harness_event(h, "KeReleaseSpinLock", LS_EXIT, 0, 2, lock, new_irql);
}

/* IoCompleteRequest(Irp, IO_NO_INCREMENT) as a compiled driver calls it. */
static int complete(struct harness *h)
{
    return harness_event(h, "IofCompleteRequest", LS_ENTRY, 0, 2, IRP, IO_NO_INCREMENT)
         + harness_event(h, "IofCompleteRequest", LS_EXIT, 0, 2, IRP, IO_NO_INCREMENT);
}

/* The rule's counter, read through format_state. */
static const char *held(const struct harness *h)
{
    static char buf[32];
    ls_rule_SpinLockSafe.format_state(h->def.state, buf, sizeof buf);
    return buf;
}

static const struct ls_handler *find_handler(const char *function, enum ls_when when)
{
    const struct ls_rule *r = &ls_rule_SpinLockSafe;
    for (uint32_t i = 0; i < r->handler_count; i++)
        if (r->handlers[i].when == when && strcmp(r->handlers[i].function, function) == 0)
            return &r->handlers[i];
    return NULL;
}

static bool unguarded(const struct ls_handler *hd)
{
    return hd && hd->guard.kind == LS_OP_NONE;
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_SpinLockSafe;

    CHECK_STR(r->name, "SpinLockSafe");
    CHECK_STR(r->model, "storport");
    CHECK_STR(r->severity, "error");
    CHECK_STR(r->spec_path, "specs/storport/SpinLockSafe.slic");
    CHECK(r->abi == LS_RULE_ABI);
    CHECK(r->spec_sha256 && strlen(r->spec_sha256) == 64);
    CHECK(r->state_size == sizeof(struct ls_state_SpinLockSafe));
    CHECK(r->state_size <= HARNESS_STATE_BYTES);

    CHECK(r->handler_count == 9);
    CHECK(unguarded(find_handler("KeAcquireSpinLock", LS_EXIT)));
    CHECK(unguarded(find_handler("KeAcquireSpinLockAtDpcLevel", LS_EXIT)));
    CHECK(unguarded(find_handler("IoAcquireCancelSpinLock", LS_EXIT)));
    CHECK(unguarded(find_handler("KeReleaseSpinLock", LS_ENTRY)));
    CHECK(unguarded(find_handler("KeReleaseSpinLockFromDpcLevel", LS_ENTRY)));
    CHECK(unguarded(find_handler("IoReleaseCancelSpinLock", LS_ENTRY)));
    CHECK(unguarded(find_handler("IoStartNextPacket", LS_ENTRY)));
    CHECK(unguarded(find_handler("IoCompleteRequest", LS_ENTRY)));
    CHECK(unguarded(find_handler("IofCompleteRequest", LS_ENTRY)));
    CHECK(r->watch_count == 0);

    _Alignas(max_align_t) unsigned char s1[HARNESS_STATE_BYTES], s2[HARNESS_STATE_BYTES];
    memset(s1, 0xAA, sizeof s1);
    memset(s2, 0x55, sizeof s2);
    r->init(s1);
    r->init(s2);
    CHECK(memcmp(s1, s2, r->state_size) == 0);

    char buf[32];
    CHECK(r->format_state(s1, buf, sizeof buf) == (int)strlen("held=0"));
    CHECK_STR(buf, "held=0");
}

static void complete_without_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(complete(&h) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(complete(&h) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 0);
    CHECK(h.verdicts == 0);
    CHECK_STR(held(&h), "held=0");
}

static void complete_holding_spin_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK_STR(held(&h), "held=1");
    CHECK(complete(&h) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_COMPLETE);
    CHECK(h.verdict_keys[0] == 0);                  /* no watch: no key */
}

/* The documented trace: the cancel spin lock, then IoCompleteRequest. */
static void complete_holding_cancel_spin_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, "IoAcquireCancelSpinLock", LS_ENTRY, 0, 1, OLD_IRQL_CANCEL) == 0);
    CHECK(harness_event(&h, "IoAcquireCancelSpinLock", LS_EXIT, 0, 1, OLD_IRQL_CANCEL) == 0);
    CHECK(harness_event(&h, "IoCompleteRequest", LS_ENTRY, 0, 2, IRP, IO_NO_INCREMENT) == 1);
    CHECK_STR(h.messages[0], "IoCompleteRequest is called while the driver holds a spin lock.");

    /* released first: fine */
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, "IoAcquireCancelSpinLock", LS_EXIT, 0, 1, OLD_IRQL_CANCEL) == 0);
    CHECK(harness_event(&h, "IoReleaseCancelSpinLock", LS_ENTRY, 0, 1, PASSIVE) == 0);
    CHECK(harness_event(&h, "IoCompleteRequest", LS_ENTRY, 0, 2, IRP, IO_NO_INCREMENT) == 0);
    CHECK(h.verdicts == 0);
}

/* In a DPC: a lock taken at DISPATCH_LEVEL, then IoStartNextPacket. */
static void start_next_packet_holding_dpc_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_EXIT, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 1);
    CHECK_STR(h.messages[0], "IoStartNextPacket is called while the driver holds a spin lock.");

    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_EXIT, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 0);
    CHECK(h.verdicts == 0);
}

/* A, B, release A: B is still held, so completing is a violation; after
 * releasing B it is not. */
static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_A, DISPATCH) == 0);
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
    CHECK(complete(&h) == 0);
    CHECK(h.verdicts == 0);

    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(&h, LOCK_A, DISPATCH) == 0);
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
    CHECK(release(&h, LOCK_B, PASSIVE) == 0);
    CHECK_STR(held(&h), "held=0");
    CHECK(complete(&h) == 0);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);     /* and one acquire still counts */
    CHECK(complete(&h) == 1);
}

/* The rule's instance is the default one: after its abort, the rule is
 * silent (per thread, in a trace), however many requests follow. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_SpinLockSafe);
    CHECK(acquire(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(complete(&h) == 1);
    CHECK(h.def.stopped);
    CHECK(complete(&h) == 0);
    CHECK(harness_event(&h, "IoStartNextPacket", LS_ENTRY, 0, 2, DEVICE_OBJECT, TRUE_) == 0);
    CHECK(release(&h, LOCK_A, PASSIVE) == 0);
    CHECK(acquire(&h, LOCK_B, OLD_IRQL_B) == 0);
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
    two_locks_interleaved();
    release_without_acquire_saturates();
    aborted_instance_stops();
    return check_done("test_SpinLockSafe");
}
