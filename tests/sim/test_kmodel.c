/*
 * test_kmodel.c — the kernel model (runtime/sources/sim) called directly,
 * no driver: each DDI's events (names, entry/exit, argument values,
 * return value, the IRQL recorded with each), the processor's IRQL, the
 * values handed back, hang and bug-check detection, fault injection, the
 * pool's misuse checks; then the same calls through a real runtime with
 * the shipped rules, where the environment model must agree with the
 * model on every event (no notice) and a planted bug is caught; and the
 * schedule's text round trip.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storport.h>

#include <lockstep/roles.h>
#include <lockstep/runtime.h>

#include "check.h"
#include "km.h"
#include "km_storport.h"

/* ---- a host that records --------------------------------------------------- */

#define MAX_EVENTS 64
static struct {
    const char *names[KM_FN_COUNT + 8];
    uint32_t nnames;
    struct { uint32_t fn; int when, irql, nargs; ls_word args[4], ret; } ev[MAX_EVENTS];
    int nev;
    int fault_next;             /* the next fault choice says "fail"        */
    int findings[SIM_FINDING_COUNT];
    char last_finding[512];
} rec;

static uint32_t rec_function(void *ctx, const char *name)
{
    (void)ctx;
    rec.names[rec.nnames] = name;
    return rec.nnames++;
}

static int rec_role(void *ctx, const char *role, const char *fn)
{
    (void)ctx; (void)role; (void)fn;
    return 0;
}

static int rec_event(void *ctx, int irql, struct ls_event *ev)
{
    (void)ctx;
    if (rec.nev < MAX_EVENTS) {
        rec.ev[rec.nev].fn = ev->fn;
        rec.ev[rec.nev].when = ev->when;
        rec.ev[rec.nev].irql = irql;
        rec.ev[rec.nev].nargs = ev->nargs;
        memcpy(rec.ev[rec.nev].args, ev->args, sizeof rec.ev[0].args);
        rec.ev[rec.nev].ret = ev->ret;
        rec.nev++;
    }
    return 0;
}

static unsigned rec_choose(void *ctx, unsigned options, const char *what)
{
    (void)ctx; (void)options;
    if (strncmp(what, "fail ", 5) == 0 && rec.fault_next) {
        rec.fault_next = 0;
        return 1;
    }
    return 0;
}

static void rec_finding(void *ctx, enum sim_finding kind, const char *text)
{
    (void)ctx;
    rec.findings[kind]++;
    snprintf(rec.last_finding, sizeof rec.last_finding, "%s", text);
}

static const struct sim_sink rec_sink = { rec_function, rec_role, rec_event, NULL };
static const struct sim_host rec_host = { &rec_sink, rec_choose, rec_finding, NULL, NULL, NULL };
static jmp_buf stop;

static void reset(void)
{
    memset(&rec, 0, sizeof rec);
    CHECK(km_reset(&rec_host, &stop) == 0);
    km_adapter_reset();
}

static const char *name_of(int i)
{
    return rec.names[rec.ev[i].fn];
}

/* ---- the DDIs one by one --------------------------------------------------- */

static void test_spin_lock(void)
{
    KSPIN_LOCK lock;
    KIRQL old = 99;
    reset();
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    CHECK(old == PASSIVE_LEVEL);
    CHECK(km.irql == DISPATCH_LEVEL);
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL);
    KeReleaseSpinLock(&lock, old);
    CHECK(km.irql == PASSIVE_LEVEL);
    CHECK(rec.nev == 8);
    CHECK_STR(name_of(2), "KeAcquireSpinLock");
    CHECK(rec.ev[2].when == LS_ENTRY && rec.ev[2].irql == PASSIVE_LEVEL);
    CHECK(rec.ev[2].nargs == 2 && rec.ev[2].args[0] == (ls_word)(uintptr_t)&lock
          && rec.ev[2].args[1] == (ls_word)(uintptr_t)&old);
    CHECK(rec.ev[3].when == LS_EXIT && rec.ev[3].irql == DISPATCH_LEVEL);
    CHECK_STR(name_of(5), "KeGetCurrentIrql");
    CHECK(rec.ev[5].ret == DISPATCH_LEVEL);
    CHECK_STR(name_of(6), "KeReleaseSpinLock");
    CHECK(rec.ev[6].args[1] == PASSIVE_LEVEL && rec.ev[6].irql == DISPATCH_LEVEL);
    CHECK(rec.ev[7].irql == PASSIVE_LEVEL);

    KIRQL was = KeAcquireSpinLockRaiseToDpc(&lock);
    CHECK(was == PASSIVE_LEVEL && rec.ev[rec.nev - 1].ret == PASSIVE_LEVEL);
    KeReleaseSpinLock(&lock, was);
    CHECK(km.nlocks == 0);
}

static void test_hang(void)
{
    KSPIN_LOCK lock = 0;
    KIRQL old;
    reset();
    if (setjmp(stop) == 0) {
        KeAcquireSpinLock(&lock, &old);
        KeAcquireSpinLockAtDpcLevel(&lock);
        CHECK(!"a second acquire of a held lock must not return");
    }
    CHECK(rec.findings[SIM_HANG] == 1);
    CHECK(strstr(rec.last_finding, "KeAcquireSpinLockAtDpcLevel acquires spin lock") != NULL);
    /* the entry event of the hanging call was emitted, its exit never */
    CHECK_STR(name_of(rec.nev - 1), "KeAcquireSpinLockAtDpcLevel");
    CHECK(rec.ev[rec.nev - 1].when == LS_ENTRY);

    /* trying does not spin: FALSE */
    reset();
    if (setjmp(stop) == 0) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        CHECK(KeTryToAcquireSpinLockAtDpcLevel(&lock) == TRUE);
        CHECK(KeTryToAcquireSpinLockAtDpcLevel(&lock) == FALSE);
        KeReleaseSpinLockFromDpcLevel(&lock);
    }
    CHECK(rec.findings[SIM_HANG] == 0);
}

static void test_queued_and_irql(void)
{
    KSPIN_LOCK lock = 0;
    KLOCK_QUEUE_HANDLE h;
    KIRQL old;
    reset();
    if (setjmp(stop) == 0) {
        KeRaiseIrql(APC_LEVEL, &old);
        KeAcquireInStackQueuedSpinLock(&lock, &h);
        CHECK(h.OldIrql == APC_LEVEL && h.LockQueue.Lock == &lock);
        CHECK(km.irql == DISPATCH_LEVEL);
        KeReleaseInStackQueuedSpinLock(&h);
        CHECK(km.irql == APC_LEVEL);
        /* a release of a handle not held changes nothing */
        KeReleaseInStackQueuedSpinLock(&h);
        CHECK(km.irql == APC_LEVEL);
        KeLowerIrql(old);
        CHECK(km.irql == PASSIVE_LEVEL);
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeRaiseIrql(APC_LEVEL, &old);     /* downwards: a bug check */
        CHECK(!"raising to a lower IRQL must stop the run");
    }
    CHECK(rec.findings[SIM_BUGCHECK] == 1);
    CHECK(strstr(rec.last_finding, "IRQL_NOT_GREATER_OR_EQUAL") != NULL);
}

static void test_storport_locks(void)
{
    STOR_LOCK_HANDLE a, b;
    STOR_DPC dpc;
    reset();
    if (setjmp(stop) == 0) {
        StorPortAcquireSpinLock(NULL, InterruptLock, NULL, &a);
        CHECK(km.irql == LS_DEVICE_LEVEL && a.Context.OldIrql == PASSIVE_LEVEL);
        StorPortReleaseSpinLock(NULL, &a);
        CHECK(km.irql == PASSIVE_LEVEL);
        StorPortAcquireSpinLock(NULL, DpcLock, &dpc, &a);
        CHECK(km.irql == DISPATCH_LEVEL);
        StorPortAcquireSpinLock(NULL, StartIoLock, NULL, &b);    /* another lock: fine */
        StorPortReleaseSpinLock(NULL, &b);
        StorPortAcquireSpinLock(NULL, DpcLock, &dpc, &b);        /* the same DPC lock */
        CHECK(!"acquiring a held DpcLock must hang");
    }
    CHECK(rec.findings[SIM_HANG] == 1);
}

static void test_faults_and_pool(void)
{
    PVOID p = NULL;
    reset();
    if (setjmp(stop) == 0) {
        rec.fault_next = 1;
        CHECK(StorPortAllocatePool(NULL, 64, 0, &p) == STOR_STATUS_INSUFFICIENT_RESOURCES);
        CHECK(p == NULL && rec.ev[rec.nev - 1].ret == (ls_word)STOR_STATUS_INSUFFICIENT_RESOURCES);
        CHECK(StorPortAllocatePool(NULL, 64, 0, &p) == STOR_STATUS_SUCCESS && p != NULL);
        memset(p, 0xAB, 64);
        StorPortFreePool(NULL, p);
        CHECK(rec.findings[SIM_MISUSE] == 0);
        StorPortFreePool(NULL, p);                  /* twice */
        CHECK(rec.findings[SIM_MISUSE] == 1);
        CHECK(strstr(rec.last_finding, "freed before") != NULL);

        ULONG *regs = StorPortGetDeviceBase(NULL, PCIBus, 0, (PHYSICAL_ADDRESS){ .QuadPart = 0 },
                                            8, FALSE);
        CHECK(regs != NULL);
        StorPortWriteRegisterUlong(NULL, &regs[1], 7);
        CHECK(StorPortReadRegisterUlong(NULL, &regs[1]) == 7);
        rec.fault_next = 1;
        CHECK(StorPortReadRegisterUlong(NULL, &regs[1]) == 0xFFFFFFFFu);
        KSPIN_LOCK l = 0;
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        rec.fault_next = 1;
        CHECK(KeTryToAcquireSpinLockAtDpcLevel(&l) == FALSE);
        CHECK(km.nlocks == 0);
    }
    CHECK(rec.findings[SIM_HANG] == 0 && rec.findings[SIM_BUGCHECK] == 0);
}

static void test_corruption(void)
{
    reset();
    if (setjmp(stop) == 0) {
        km.guard_hi = 0;                            /* a wild write */
        KeStallExecutionProcessor(1);
        CHECK(!"a broken fence must stop the run");
    }
    CHECK(rec.findings[SIM_CORRUPT] == 1);
    reset();
    if (setjmp(stop) == 0) {
        km_adapter.srbs[2].guard_srb = 1;           /* past the end of an SRB */
        km_check_srbs();
        CHECK(!"a broken SRB fence must stop the run");
    }
    CHECK(rec.findings[SIM_CORRUPT] == 1);
    CHECK(strstr(rec.last_finding, "past the end of the SRB") != NULL);
}

/* ---- through a runtime with the shipped rules ------------------------------ */

extern const struct ls_rule *const ls_shipped_rules[];
static int violations, notices;
static char last_rule[64];

static void on_violation(void *ctx, const struct ls_violation *v)
{
    (void)ctx;
    violations++;
    snprintf(last_rule, sizeof last_rule, "%s", v->module->name);
}

static void on_notice(void *ctx, uint32_t thread, uint64_t seq, const char *text)
{
    (void)ctx; (void)thread; (void)seq; (void)text;
    notices++;
}

static void test_runtime(void)
{
    struct ls_runtime *rt = ls_runtime_new();
    struct sim_runtime_sink sink;
    CHECK(rt != NULL);
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++)
        CHECK(ls_runtime_add_rule(rt, *r) >= 0);
    ls_runtime_set_sinks(rt, on_violation, on_notice, NULL);
    CHECK(sim_runtime_sink_init(&sink, rt) == 0);
    const struct sim_host host = { &sink.sink, rec_choose, rec_finding, NULL, NULL, NULL };
    memset(&rec, 0, sizeof rec);
    CHECK(km_reset(&host, &stop) == 0);
    if (setjmp(stop) == 0) {
        KSPIN_LOCK a = 0, b = 0;
        KLOCK_QUEUE_HANDLE h;
        STOR_LOCK_HANDLE s;
        KIRQL old, old2;
        KeAcquireSpinLock(&a, &old);
        KeAcquireInStackQueuedSpinLock(&b, &h);
        KeReleaseInStackQueuedSpinLock(&h);
        KeAcquireSpinLockAtDpcLevel(&b);
        KeReleaseSpinLockFromDpcLevel(&b);
        KeReleaseSpinLock(&a, old);
        StorPortAcquireSpinLock(NULL, InterruptLock, NULL, &s);
        StorPortReleaseSpinLock(NULL, &s);
        IoAcquireCancelSpinLock(&old2);
        IoReleaseCancelSpinLock(old2);
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeLowerIrql(old);
        CHECK(violations == 0);
        CHECK(notices == 0);                        /* model and environment agree */
        CHECK(sink.events == 24);
        KeAcquireSpinLock(&a, &old);
        KeReleaseSpinLock(&a, DISPATCH_LEVEL);      /* the planted bug */
        CHECK(violations == 1);
        CHECK_STR(last_rule, "IrqlKeReleaseSpinLock");
    }
    ls_runtime_free(rt);
}

/* ---- schedules ------------------------------------------------------------- */

static void test_schedule(void)
{
    struct sim_schedule s, t;
    char err[128];
    sim_schedule_init(&s);
    sim_schedule_init(&t);
    s.random = 1;
    sim_schedule_start(&s, 42, 7);
    unsigned a = sim_schedule_choose(&s, 5, "step");
    unsigned b = sim_schedule_choose(&s, 2, "fail X");
    sim_schedule_note(&s, "HwStartIo(read)");
    char *text = sim_schedule_text(&s);
    CHECK(text != NULL && strncmp(text, "seed 42 run 7; choices ", 23) == 0);
    CHECK(strstr(text, "; steps HwStartIo(read)") != NULL);
    CHECK(sim_schedule_parse(&t, text, err, sizeof err) == 0);
    CHECK(t.prefix_len == 2 && t.prefix[0].pick == a && t.prefix[1].pick == b);
    sim_schedule_start(&t, t.seed, t.run);
    CHECK(sim_schedule_choose(&t, 5, "step") == a && sim_schedule_choose(&t, 2, "fail X") == b);
    CHECK(!t.diverged);
    CHECK(sim_schedule_choose(&t, 3, "step") == 0);         /* past the prefix */
    CHECK(sim_schedule_parse(&t, "seed 1 run 0; choices 3/2", err, sizeof err) < 0);
    CHECK(sim_schedule_parse(&t, "nonsense", err, sizeof err) < 0);

    /* exhaustive: two choices of 2 and 3 outcomes make 6 branches */
    struct sim_schedule e;
    sim_schedule_init(&e);
    int branches = 0, more = 1;
    while (more == 1) {
        sim_schedule_start(&e, 0, (uint64_t)branches);
        sim_schedule_choose(&e, 2, "step");
        sim_schedule_choose(&e, 3, "step");
        branches++;
        more = sim_schedule_next(&e);
    }
    CHECK(branches == 6);
    free(text);
    sim_schedule_free(&s);
    sim_schedule_free(&t);
    sim_schedule_free(&e);
}

int main(void)
{
    test_spin_lock();
    test_hang();
    test_queued_and_irql();
    test_storport_locks();
    test_faults_and_pool();
    test_corruption();
    test_runtime();
    test_schedule();
    km_release_pool();
    return check_done("test_kmodel");
}
