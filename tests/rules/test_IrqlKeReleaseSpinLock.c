/*
 * test_IrqlKeReleaseSpinLock.c — behaviour of the generated
 * IrqlKeReleaseSpinLock module, the seed rule: KeReleaseSpinLock runs at
 * DISPATCH_LEVEL and its NewIrql is the IRQL saved by the acquire
 * (sdv_irql_previous).  The tests move the IRQL stack with harness_irql as
 * the environment model does: an acquire pushes DISPATCH_LEVEL, a release
 * pops.  The rule has no `watch`: one instance, the default instance.
 *
 * ls_format_message() from rule.h, which every host uses to turn a verdict
 * into text, is tested here too.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/IrqlKeReleaseSpinLock.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word PASSIVE = 0, APC = 1, DISPATCH = 2;

static const char MSG_NOT_DISPATCH[] =
    "KeReleaseSpinLock is called at an IRQL other than DISPATCH_LEVEL.";
static const char MSG_NOT_RESTORED[] =
    "KeReleaseSpinLock does not restore the IRQL that was current when the "
    "spin lock was acquired.";

/* KeAcquireSpinLock(lock, &OldIrql) events; the caller moves the IRQL. */
static int acquire_entry(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_event(h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, lock, old_irql);
}

static int acquire_exit(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_event(h, "KeAcquireSpinLock", LS_EXIT, 0, 2, lock, old_irql);
}

static int release_entry(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_event(h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, lock, new_irql);
}

static int release_exit(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_event(h, "KeReleaseSpinLock", LS_EXIT, 0, 2, lock, new_irql);
}

/* ---- ls_format_message ------------------------------------------------ */

/* Formats `message` with $fname = `function` into a buffer of `size`
 * bytes; checks the text written and the full length returned. */
static void check_format(const char *message, const char *function, size_t size,
                         const char *want_text, size_t want_len)
{
    struct ls_verdict v = { message, function, 0, 0 };
    char buf[128];
    memset(buf, '#', sizeof buf);
    CHECK(ls_format_message(&v, buf, size) == want_len);
    CHECK_STR(buf, want_text);
    CHECK(buf[size] == '#');                        /* nothing past size */
}

static void format_message(void)
{
    const char *f = "KeReleaseSpinLock";
    check_format("$fname is called.", f, 64, "KeReleaseSpinLock is called.", 28);
    check_format("called by $fname here.", f, 64, "called by KeReleaseSpinLock here.", 33);
    check_format("called by $fname", f, 64, "called by KeReleaseSpinLock", 27);
    check_format("$fname then $fname", f, 64,
                 "KeReleaseSpinLock then KeReleaseSpinLock", 40);
    check_format("$fname$fname", "F", 64, "FF", 2);
    check_format("no function here.", f, 64, "no function here.", 17);
    check_format("", f, 64, "", 0);
    /* near misses are copied as they are, without reading past the end */
    check_format("cost: $5", f, 64, "cost: $5", 8);
    check_format("ends in $fnam", f, 64, "ends in $fnam", 13);
    check_format("$$fname", "F", 64, "$F", 2);
    check_format("$fnames", "F", 64, "Fs", 2);
    check_format("$FNAME", "F", 64, "$FNAME", 6);
    /* truncated: always terminated, full length still returned */
    check_format("$fname is called.", f, 10, "KeRelease", 28);
    check_format("$fname is called.", f, 18, "KeReleaseSpinLock", 28);
    check_format("$fname is called.", f, 28, "KeReleaseSpinLock is called", 28);
    check_format("$fname is called.", f, 29, "KeReleaseSpinLock is called.", 28);
    check_format("$fname is called.", f, 1, "", 28);
    /* missing pieces read as empty */
    check_format("$fname is called.", NULL, 64, " is called.", 11);
    check_format(NULL, f, 64, "", 0);

    /* size 0: nothing written, a NULL buffer allowed; the length says
     * how big a buffer to allocate */
    struct ls_verdict v = { "$fname is called.", f, 0, 0 };
    CHECK(ls_format_message(&v, NULL, 0) == 28);
    char one = '#';
    CHECK(ls_format_message(&v, &one, 0) == 28 && one == '#');
}

/* ---- the module ------------------------------------------------------- */

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_IrqlKeReleaseSpinLock;

    /* no state variables: an empty description */
    harness_check_descriptor(r, "IrqlKeReleaseSpinLock",
                             sizeof(struct ls_state_IrqlKeReleaseSpinLock), "");
    CHECK_STR(r->help, "https://learn.microsoft.com/windows-hardware/drivers/devtest/"
              "storport-irqlkereleasespinlock");

    CHECK(r->handler_count == 1);
    if (r->handler_count >= 1) {
        CHECK_STR(r->handlers[0].function, "KeReleaseSpinLock");
        CHECK(r->handlers[0].when == LS_ENTRY);
        CHECK(r->handlers[0].guard.kind == LS_OP_NONE);
        CHECK(r->handlers[0].role == NULL);
    }
    CHECK(r->watch_count == 0);
    CHECK(r->ext_operand_count == 0);

    /* the constants a static analyser splits sdv_irql_current on */
    harness_check_irql_case(r, DISPATCH);
}

/* Acquired at PASSIVE_LEVEL, released back to PASSIVE_LEVEL. */
static void correct_release(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(acquire_entry(&h, LOCK_A, OLD_IRQL_A) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(acquire_exit(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 0);
    harness_irql(&h, 1, 0);
    CHECK(release_exit(&h, LOCK_A, PASSIVE) == 0);  /* the exit is not checked */
    CHECK(h.verdicts == 0);
}

/* OldIrql = KeAcquireSpinLockRaiseToDpc(lock); KeReleaseSpinLock(lock,
 * OldIrql). */
static void correct_release_after_raise_to_dpc(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(harness_event(&h, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 0, 1, LOCK_A) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(harness_event(&h, "KeAcquireSpinLockRaiseToDpc", LS_EXIT, PASSIVE, 1, LOCK_A) == 0);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 0);
}

/* In a DPC the lock is acquired at DISPATCH_LEVEL, so OldIrql is 2 and
 * the release stays at 2; releasing to PASSIVE_LEVEL there is wrong. */
static void release_in_dpc(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    harness_irql(&h, 1, 2);
    CHECK(acquire_entry(&h, LOCK_A, OLD_IRQL_A) == 0);
    harness_irql(&h, 2, 2, 2);
    CHECK(acquire_exit(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release_entry(&h, LOCK_A, DISPATCH) == 0);
    CHECK(h.verdicts == 0);

    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    harness_irql(&h, 2, 2, 2);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 1);
    CHECK_STR(h.messages[0], MSG_NOT_RESTORED);
}

/* No acquire, so no DISPATCH_LEVEL: released at PASSIVE_LEVEL. */
static void release_at_passive(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_DISPATCH);
    CHECK(h.verdict_keys[0] == 0);                  /* no watch: no key */
    CHECK(release_exit(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 1);
}

/* From HwStorInterrupt, at device IRQL: above DISPATCH_LEVEL is "other
 * than DISPATCH_LEVEL" too, whatever NewIrql says. */
static void release_at_device_irql(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    harness_irql(&h, 3, 0, 2, 5);
    CHECK(release_entry(&h, LOCK_A, DISPATCH) == 1);
    CHECK_STR(h.messages[0], MSG_NOT_DISPATCH);
}

/* The documented trace: acquired at PASSIVE_LEVEL, released to APC_LEVEL.
 * At the release the current IRQL is 2 and the previous 0. */
static void release_does_not_restore(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(acquire_entry(&h, LOCK_A, OLD_IRQL_A) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(acquire_exit(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release_entry(&h, LOCK_A, APC) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], MSG_NOT_RESTORED);
    CHECK(h.verdict_keys[0] == 0);
}

/* A at PASSIVE (OldIrql 0), B at DISPATCH (OldIrql 2), A released first.
 * Correct code swaps the saved IRQLs so that the IRQL drops only when the
 * last lock goes: release A to 2, B to 0.  No verdict. */
static void two_locks_interleaved(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(acquire_entry(&h, LOCK_A, OLD_IRQL_A) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(acquire_exit(&h, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire_entry(&h, LOCK_B, OLD_IRQL_B) == 0);
    harness_irql(&h, 3, 0, 2, 2);
    CHECK(acquire_exit(&h, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release_entry(&h, LOCK_A, DISPATCH) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(release_exit(&h, LOCK_A, DISPATCH) == 0);
    CHECK(release_entry(&h, LOCK_B, PASSIVE) == 0);
    harness_irql(&h, 1, 0);
    CHECK(release_exit(&h, LOCK_B, PASSIVE) == 0);
    CHECK(h.verdicts == 0);
}

/* The same interleaving with each lock's own saved IRQL: releasing A to
 * PASSIVE_LEVEL while B is still held is a real bug, and the rule reports
 * it (with the "does not restore" message, although 0 is A's saved IRQL). */
static void two_locks_interleaved_own_irqls(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    harness_irql(&h, 3, 0, 2, 2);                   /* A then B held */
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 1);
    CHECK_STR(h.messages[0], MSG_NOT_RESTORED);
}

/* The rule's single instance stops at its first abort: a second bad
 * release, or a good one, adds nothing. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 1);
    CHECK(h.def.stopped);
    CHECK(release_entry(&h, LOCK_B, PASSIVE) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(release_entry(&h, LOCK_A, APC) == 0);
    CHECK(release_entry(&h, LOCK_A, PASSIVE) == 0);
    CHECK(h.verdicts == 1);
    CHECK(harness_live(&h) == 0);
}

/* Other releases are not this rule's events, at any IRQL. */
static void other_functions_ignored(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlKeReleaseSpinLock);
    CHECK(harness_event(&h, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 0, 1, LOCK_A) == 0);
    CHECK(harness_event(&h, "KeLowerIrql", LS_ENTRY, 0, 1, APC) == 0);
    CHECK(h.verdicts == 0);
}

int main(void)
{
    format_message();
    descriptor();
    correct_release();
    correct_release_after_raise_to_dpc();
    release_in_dpc();
    release_at_passive();
    release_at_device_irql();
    release_does_not_restore();
    two_locks_interleaved();
    two_locks_interleaved_own_irqls();
    aborted_instance_stops();
    other_functions_ignored();
    return check_done("test_IrqlKeReleaseSpinLock");
}
