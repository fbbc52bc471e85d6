/*
 * test_IrqlDispatch.c — behaviour of the generated IrqlDispatch module:
 * fourteen routines (DMA operations, controller objects, device queues,
 * DPC-level spin locks) are called only at DISPATCH_LEVEL.  The rule reads
 * sdv_irql_current, which the tests set with harness_irql as the
 * environment model would.  It has no `watch` and no state: its one
 * instance is the harness's default instance.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "storport/IrqlDispatch.h"

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word DEVICE_QUEUE = 0xffffa0060000;
static const ls_word QUEUE_ENTRY = 0xffffa0070000;
static const ls_word SORT_KEY = 4096;

static const char *const ROUTINES[] = {
    "AllocateAdapterChannel", "FreeAdapterChannel", "FreeMapRegisters",
    "GetScatterGatherList", "PutScatterGatherList",
    "IoAllocateController", "IoFreeController", "IoStartNextPacket",
    "KeAcquireSpinLockAtDpcLevel", "KeReleaseSpinLockFromDpcLevel",
    "KeInsertDeviceQueue", "KeInsertByKeyDeviceQueue",
    "KeRemoveDeviceQueue", "KeRemoveByKeyDeviceQueue",
};
#define NROUTINES (sizeof ROUTINES / sizeof ROUTINES[0])

static const char BELOW[] = " is called below DISPATCH_LEVEL; it must be called at DISPATCH_LEVEL.";
static const char ABOVE[] = " is called above DISPATCH_LEVEL; it must be called at DISPATCH_LEVEL.";

/* KeInsertDeviceQueue(DeviceQueue, DeviceQueueEntry): entry then exit
 * (returns FALSE: the queue was not busy). */
static int insert_device_queue(struct harness *h)
{
    return harness_call(h, "KeInsertDeviceQueue", 0, 2, DEVICE_QUEUE, QUEUE_ENTRY);
}

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_IrqlDispatch;

    /* no state variables: an empty description */
    harness_check_descriptor(r, "IrqlDispatch", sizeof(struct ls_state_IrqlDispatch), "");

    CHECK(r->handler_count == NROUTINES);
    for (size_t i = 0; i < NROUTINES; i++)
        CHECK(harness_unguarded(r, ROUTINES[i], LS_ENTRY)
              && harness_role(r, ROUTINES[i], LS_ENTRY) == NULL);
    CHECK(r->watch_count == 0);

    /* sdv_irql_current is compared with DISPATCH_LEVEL */
    harness_check_irql_case(r, 2);
}

/* Every routine at DISPATCH_LEVEL, in a DPC: nothing to report. */
static void every_routine_at_dispatch(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    harness_irql(&h, 1, 2);
    for (size_t i = 0; i < NROUTINES; i++) {
        CHECK(harness_event(&h, ROUTINES[i], LS_ENTRY, 0, 1, DEVICE_QUEUE) == 0);
        CHECK(harness_event(&h, ROUTINES[i], LS_EXIT, 0, 1, DEVICE_QUEUE) == 0);
    }
    CHECK(h.verdicts == 0);
}

/* Every routine at PASSIVE_LEVEL: one verdict each, naming the routine.
 * A fresh harness per routine, since the first abort stops the rule. */
static void every_routine_at_passive(void)
{
    for (size_t i = 0; i < NROUTINES; i++) {
        struct harness h;
        char want[160];
        harness_init(&h, &ls_rule_IrqlDispatch);
        CHECK(harness_event(&h, ROUTINES[i], LS_ENTRY, 0, 1, DEVICE_QUEUE) == 1);
        snprintf(want, sizeof want, "%s%s", ROUTINES[i], BELOW);
        CHECK_STR(h.messages[0], want);
        CHECK(h.verdict_keys[0] == 0);
    }
}

/* The documented trace, at PASSIVE_LEVEL; and at APC_LEVEL. */
static void insert_device_queue_below_dispatch(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    CHECK(insert_device_queue(&h) == 1);
    CHECK(h.verdicts == 1);
    CHECK_STR(h.messages[0], "KeInsertDeviceQueue is called below DISPATCH_LEVEL; "
              "it must be called at DISPATCH_LEVEL.");

    harness_init(&h, &ls_rule_IrqlDispatch);
    harness_irql(&h, 2, 0, 1);                      /* after KeRaiseIrql(APC_LEVEL) */
    CHECK(insert_device_queue(&h) == 1);
    CHECK_STR(h.messages[0], "KeInsertDeviceQueue is called below DISPATCH_LEVEL; "
              "it must be called at DISPATCH_LEVEL.");
}

/* From HwStorInterrupt at device IRQL, and at HIGH_LEVEL. */
static void remove_device_queue_above_dispatch(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    harness_irql(&h, 2, 0, 5);
    CHECK(harness_event(&h, "KeRemoveByKeyDeviceQueue", LS_ENTRY, 0, 2, DEVICE_QUEUE, SORT_KEY) == 1);
    CHECK_STR(h.messages[0], "KeRemoveByKeyDeviceQueue is called above DISPATCH_LEVEL; "
              "it must be called at DISPATCH_LEVEL.");

    harness_init(&h, &ls_rule_IrqlDispatch);
    harness_irql(&h, 3, 0, 2, 15);
    CHECK(harness_event(&h, "KeRemoveDeviceQueue", LS_ENTRY, 0, 1, DEVICE_QUEUE) == 1);
    char want[160];
    snprintf(want, sizeof want, "KeRemoveDeviceQueue%s", ABOVE);
    CHECK_STR(h.messages[0], want);
}

/* The usual pattern for DPC-level locks: an outer KeAcquireSpinLock raises
 * to DISPATCH_LEVEL (the model pushes 2), the inner lock is taken and
 * dropped at DPC level, then the outer lock is released.  KeAcquireSpinLock
 * itself is not this rule's event. */
static void dpc_level_lock_under_outer_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, OLD_IRQL_A) == 0);
    harness_irql(&h, 2, 0, 2);
    CHECK(harness_event(&h, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_ENTRY, 0, 1, LOCK_A + 8) == 0);
    CHECK(harness_event(&h, "KeAcquireSpinLockAtDpcLevel", LS_EXIT, 0, 1, LOCK_A + 8) == 0);
    CHECK(insert_device_queue(&h) == 0);
    CHECK(harness_event(&h, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY, 0, 1, LOCK_A + 8) == 0);
    CHECK(harness_event(&h, "KeReleaseSpinLockFromDpcLevel", LS_EXIT, 0, 1, LOCK_A + 8) == 0);
    CHECK(harness_event(&h, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_A, (ls_word)0) == 0);
    harness_irql(&h, 1, 0);
    CHECK(harness_event(&h, "KeReleaseSpinLock", LS_EXIT, 0, 2, LOCK_A, (ls_word)0) == 0);
    CHECK(h.verdicts == 0);
}

/* Only entries are checked: KeReleaseSpinLockFromDpcLevel's exit may be
 * seen at any IRQL the caller has dropped to since. */
static void exits_are_not_checked(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    for (size_t i = 0; i < NROUTINES; i++)
        CHECK(harness_event(&h, ROUTINES[i], LS_EXIT, 0, 1, DEVICE_QUEUE) == 0);
    CHECK(h.verdicts == 0);
}

/* The single instance stops at its first abort: later calls, right or
 * wrong, add nothing. */
static void aborted_instance_stops(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_IrqlDispatch);
    CHECK(insert_device_queue(&h) == 1);
    CHECK(h.def.stopped);
    CHECK(insert_device_queue(&h) == 0);
    harness_irql(&h, 2, 0, 5);
    CHECK(harness_event(&h, "IoFreeController", LS_ENTRY, 0, 1, DEVICE_QUEUE) == 0);
    harness_irql(&h, 1, 2);
    CHECK(insert_device_queue(&h) == 0);
    CHECK(h.verdicts == 1);
    CHECK(harness_live(&h) == 0);
}

int main(void)
{
    descriptor();
    every_routine_at_dispatch();
    every_routine_at_passive();
    insert_device_queue_below_dispatch();
    remove_device_queue_above_dispatch();
    dpc_level_lock_under_outer_lock();
    exits_are_not_checked();
    aborted_instance_stops();
    return check_done("test_IrqlDispatch");
}
