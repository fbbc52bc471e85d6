/*
 * test_kmodel.c — the kernel model (runtime/sources/sim) called directly,
 * no driver: each DDI's events (names, entry/exit, argument values,
 * return value, the IRQL recorded with each), the processor's IRQL, the
 * values handed back, hang and bug-check detection, fault injection, the
 * pool's misuse checks; then the same calls through a real runtime with
 * the shipped rules, where the environment model must agree with the
 * model on every event (no notice) and a planted bug is caught; the WDM
 * I/O manager's calls (devices, IRPs, cancel, completion routines, the
 * start-packet queue, timers); and the schedule's text round trip.
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
#include "km_wdm.h"

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
    km_wdm_reset(NULL);
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

/* ---- the WDM I/O manager --------------------------------------------------- */

static DRIVER_OBJECT test_driver;

/* An IRP of the model's, outstanding, its current location [1] on dev. */
static PIRP new_irp(unsigned slot, PDEVICE_OBJECT dev)
{
    struct km_irp *k = &km_wdm.irps[slot];
    memset(&k->irp, 0, sizeof k->irp);
    memset(k->stack, 0, sizeof k->stack);
    k->irp.Tail.Overlay.CurrentStackLocation = &k->stack[1];
    k->stack[1].DeviceObject = dev;
    k->stack[1].MajorFunction = IRP_MJ_READ;
    k->state = KM_IRP_OUTSTANDING;
    k->pending = 0;
    k->what = "read";
    return &k->irp;
}

static int cancelled_calls;

static VOID good_cancel(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    cancelled_calls++;
    CHECK(km.irql == DISPATCH_LEVEL && km.nlocks == 1 && irp->Cancel);
    IoReleaseCancelSpinLock(irp->CancelIrql);
    irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static VOID lock_keeping_cancel(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);    /* still holding the cancel lock */
}

static int completions;
static PDEVICE_OBJECT completion_device;

static NTSTATUS count_completion(PDEVICE_OBJECT dev, PIRP irp, PVOID context)
{
    (void)irp;
    completions++;
    completion_device = dev;
    return context ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_SUCCESS;
}

static VOID test_dpc_routine(PKDPC dpc, PVOID context, PVOID a1, PVOID a2)
{
    (void)dpc; (void)context; (void)a1; (void)a2;
}

static void test_wdm_devices(void)
{
    PDEVICE_OBJECT a = NULL, b = NULL;
    reset();
    memset(&test_driver, 0, sizeof test_driver);
    if (setjmp(stop) == 0) {
        CHECK(IoCreateDevice(&test_driver, 128, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &a)
              == STATUS_SUCCESS);
        CHECK(a != NULL && a->DeviceExtension != NULL && test_driver.DeviceObject == a);
        CHECK(a->DriverObject == &test_driver && (a->Flags & DO_DEVICE_INITIALIZING));
        CHECK_STR(name_of(0), "IoCreateDevice");
        CHECK(rec.ev[1].nargs == 7 && rec.ev[1].ret == STATUS_SUCCESS);
        rec.fault_next = 1;
        CHECK(IoCreateDevice(&test_driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &b)
              == STATUS_INSUFFICIENT_RESOURCES && b == NULL && km.faults == 1);
        CHECK(IoCreateDevice(&test_driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &b)
              == STATUS_SUCCESS && b->DeviceExtension == NULL);
        CHECK(test_driver.DeviceObject == b && b->NextDevice == a);
        IoDeleteDevice(b);
        CHECK(test_driver.DeviceObject == a);
        IoDeleteDevice(a);
        CHECK(test_driver.DeviceObject == NULL && rec.findings[SIM_MISUSE] == 0);
        IoDeleteDevice(a);                          /* twice */
        CHECK(rec.findings[SIM_MISUSE] == 1);
        PVOID p = ExAllocatePool(NonPagedPool, 32);
        CHECK(p != NULL);
        ExFreePool(p);
    }
    CHECK(rec.findings[SIM_HANG] == 0 && rec.findings[SIM_BUGCHECK] == 0);
}

static void test_wdm_irps(void)
{
    reset();
    if (setjmp(stop) == 0) {
        PIRP irp = new_irp(0, NULL);
        struct km_irp *k = km_irp_of(irp);
        CHECK(k == &km_wdm.irps[0] && km_irp_of(&rec) == NULL);
        CHECK(IoGetCurrentIrpStackLocation(irp) == &k->stack[1]);
        CHECK(rec.ev[1].ret == (ls_word)(uintptr_t)&k->stack[1]);
        CHECK(IoGetNextIrpStackLocation(irp) == &k->stack[0]);
        IoMarkIrpPending(irp);
        CHECK(k->pending && (k->stack[1].Control & SL_PENDING_RETURNED));
        CHECK(IoSetCancelRoutine(irp, good_cancel) == NULL);
        CHECK(IoSetCancelRoutine(irp, NULL) == good_cancel);
        CHECK(rec.ev[rec.nev - 1].ret == (ls_word)(uintptr_t)good_cancel);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        CHECK(k->state == KM_IRP_COMPLETED);
        IofCompleteRequest(irp, IO_NO_INCREMENT);   /* twice: a bug check */
        CHECK(!"a second completion must stop the run");
    }
    CHECK(rec.findings[SIM_BUGCHECK] == 1);
    CHECK(strstr(rec.last_finding, "MULTIPLE_IRP_COMPLETE_REQUESTS") != NULL);

    reset();
    if (setjmp(stop) == 0) {
        PIRP irp = new_irp(1, NULL);
        IoSetCancelRoutine(irp, good_cancel);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        CHECK(!"completing with a cancel routine set must stop the run");
    }
    CHECK(strstr(rec.last_finding, "CANCEL_STATE_IN_COMPLETED_IRP") != NULL);
    /* an IRP the model did not build (an SRB's) is only recorded */
    reset();
    IRP other;
    memset(&other, 0, sizeof other);
    IoCompleteRequest(&other, IO_NO_INCREMENT);
    CHECK(rec.nev == 2 && rec.findings[SIM_BUGCHECK] == 0);
}

static void test_wdm_cancel(void)
{
    DEVICE_OBJECT dev;
    memset(&dev, 0, sizeof dev);
    reset();
    cancelled_calls = 0;
    if (setjmp(stop) == 0) {
        PIRP irp = new_irp(0, &dev);
        IoSetCancelRoutine(irp, good_cancel);
        CHECK(IoCancelIrp(irp) == TRUE && cancelled_calls == 1);
        CHECK(km.irql == PASSIVE_LEVEL && km.nlocks == 0);
        CHECK(km_wdm.irps[0].state == KM_IRP_COMPLETED && irp->CancelRoutine == NULL);
        CHECK(rec.findings[SIM_IRQL_LEAK] == 0);
        /* without a cancel routine: Cancel set, the lock released again */
        irp = new_irp(1, &dev);
        CHECK(IoCancelIrp(irp) == FALSE && irp->Cancel && km.nlocks == 0);
        CHECK(km.irql == PASSIVE_LEVEL);
        /* a cancel routine that keeps the lock returns at the wrong IRQL */
        irp = new_irp(2, &dev);
        IoSetCancelRoutine(irp, lock_keeping_cancel);
        IoCancelIrp(irp);
        CHECK(rec.findings[SIM_IRQL_LEAK] == 1);
        CHECK(strstr(rec.last_finding, "DRIVER_CANCEL routine returned at IRQL 2") != NULL);
        CHECK(km.nlocks == 1);                      /* the next acquire hangs */
        KIRQL old;
        IoAcquireCancelSpinLock(&old);
        CHECK(!"acquiring the kept cancel lock must hang");
    }
    CHECK(rec.findings[SIM_HANG] == 1);
}

static void test_wdm_completion_routines(void)
{
    DEVICE_OBJECT upper;
    memset(&upper, 0, sizeof upper);
    reset();
    completions = 0;
    if (setjmp(stop) == 0) {
        PIRP irp = new_irp(0, &upper);
        struct km_irp *k = &km_wdm.irps[0];
        IoSetCompletionRoutine(irp, count_completion, NULL, TRUE, TRUE, TRUE);
        CHECK(k->stack[0].CompletionRoutine == count_completion);
        CHECK(k->stack[0].Control == (SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR
                                      | SL_INVOKE_ON_CANCEL));
        /* the lower driver, at location [0], completes it */
        irp->Tail.Overlay.CurrentStackLocation = &k->stack[0];
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        CHECK(completions == 1 && completion_device == &upper);
        CHECK(k->state == KM_IRP_COMPLETED);
        /* only on error: a success does not call it */
        irp = new_irp(1, &upper);
        k = &km_wdm.irps[1];
        IoSetCompletionRoutine(irp, count_completion, (PVOID)1, FALSE, TRUE, FALSE);
        irp->Tail.Overlay.CurrentStackLocation = &k->stack[0];
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        CHECK(completions == 1);
        /* STATUS_MORE_PROCESSING_REQUIRED gives the IRP back */
        irp = new_irp(2, &upper);
        k = &km_wdm.irps[2];
        IoSetCompletionRoutine(irp, count_completion, (PVOID)1, TRUE, TRUE, TRUE);
        irp->Tail.Overlay.CurrentStackLocation = &k->stack[0];
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        CHECK(completions == 2 && k->state == KM_IRP_OUTSTANDING);
        /* the current location is the lowest: no next one */
        irp->Tail.Overlay.CurrentStackLocation = &k->stack[0];
        CHECK(IoGetNextIrpStackLocation(irp) == NULL && rec.findings[SIM_MISUSE] == 1);
    }
    CHECK(rec.findings[SIM_BUGCHECK] == 0 && rec.findings[SIM_IRQL_LEAK] == 0);
}

static void test_wdm_queues_and_timers(void)
{
    DEVICE_OBJECT dev;
    KTIMER timer;
    KDPC dpc;
    memset(&dev, 0, sizeof dev);
    reset();
    if (setjmp(stop) == 0) {
        PIRP a = new_irp(0, &dev), b = new_irp(1, &dev);
        IoStartPacket(&dev, a, NULL, good_cancel);
        IoStartPacket(&dev, b, NULL, NULL);
        CHECK(km_wdm.nstartq == 2 && km_wdm.startq[0] == a && a->CancelRoutine == good_cancel);
        IoStartPacket(&dev, a, NULL, NULL);         /* started twice */
        CHECK(rec.findings[SIM_MISUSE] == 1 && km_wdm.nstartq == 2);
        dev.CurrentIrp = a;
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        IoStartNextPacket(&dev, FALSE);
        KeLowerIrql(old);
        CHECK(dev.CurrentIrp == NULL);

        IoInitializeDpcRequest(&dev, (PIO_DPC_ROUTINE)test_dpc_routine);
        IoRequestDpc(&dev, a, NULL);
        CHECK(km.ndpcs == 1 && km.dpcs[0].arg1 == a && strcmp(km.dpcs[0].role, "IO_DPC_ROUTINE") == 0);
        CHECK(km.dpcs[0].context == &dev);

        KeInitializeTimer(&timer);
        KeInitializeDpc(&dpc, test_dpc_routine, NULL);
        LARGE_INTEGER due = { .QuadPart = -10 };
        CHECK(KeSetTimer(&timer, due, &dpc) == FALSE && km_wdm.ntimers == 1);
        CHECK(KeSetTimerEx(&timer, due, 5, &dpc) == TRUE && km_wdm.ntimers == 1);
        CHECK(km_wdm.timers[0].period == 5 && timer.Dpc == &dpc);
        CHECK(KeCancelTimer(&timer) == TRUE && km_wdm.ntimers == 0);
        CHECK(KeCancelTimer(&timer) == FALSE);
        KeInitializeTimerEx(&timer, SynchronizationTimer);
        CHECK(KeSetTimer(&timer, due, NULL) == FALSE && km_wdm.ntimers == 0);
    }
    CHECK(rec.findings[SIM_HANG] == 0 && rec.findings[SIM_BUGCHECK] == 0);
}

/* IoCancelIrp through a runtime: the environment model follows the cancel
 * spin lock the model takes for the cancel routine, and SpinLockSafe sees
 * a completion under it. */
static void test_runtime_wdm(void)
{
    struct ls_runtime *rt = ls_runtime_new();
    struct sim_runtime_sink sink;
    DEVICE_OBJECT dev;
    memset(&dev, 0, sizeof dev);
    CHECK(rt != NULL);
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++)
        CHECK(ls_runtime_add_rule(rt, *r) >= 0);
    ls_runtime_set_sinks(rt, on_violation, on_notice, NULL);
    CHECK(sim_runtime_sink_init(&sink, rt) == 0);
    const struct sim_host host = { &sink.sink, rec_choose, rec_finding, NULL, NULL, NULL };
    memset(&rec, 0, sizeof rec);
    violations = notices = 0;
    CHECK(km_reset(&host, &stop) == 0);
    km_wdm_reset(NULL);
    if (setjmp(stop) == 0) {
        PIRP irp = new_irp(0, &dev);
        IoSetCancelRoutine(irp, good_cancel);
        IoCancelIrp(irp);
        CHECK(violations == 0 && notices == 0);
        irp = new_irp(1, &dev);
        IoSetCancelRoutine(irp, lock_keeping_cancel);
        IoCancelIrp(irp);
        CHECK(violations == 1);
        CHECK_STR(last_rule, "SpinLockSafe");
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
    test_wdm_devices();
    test_wdm_irps();
    test_wdm_cancel();
    test_wdm_completion_routines();
    test_wdm_queues_and_timers();
    test_runtime_wdm();
    test_schedule();
    km_release_pool();
    return check_done("test_kmodel");
}
