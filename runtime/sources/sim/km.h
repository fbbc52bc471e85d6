/*
 * km.h — inside the kernel model: the one simulated processor, the call
 * events every DDI emits, the spin locks it holds, findings, choices and
 * the pool.  Used by the DDI implementations (kmodel_*.c) and the harness;
 * nothing outside runtime/sources/sim sees it.
 *
 * The processor has one current IRQL, as a real one does (the IRQL stack
 * of DESIGN section 3 belongs to the runtime's environment model, which
 * every event's recorded IRQL is checked against).  A finding that a real
 * machine would not survive (a hang, a bug check, the model's memory
 * overwritten) ends the run by longjmp to the harness, out of driver code:
 * the driver's stack frames are abandoned, as the machine's would be.
 */
#ifndef LS_SIM_KM_H
#define LS_SIM_KM_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Every DDI the model implements, in one list: the enum of function
 * slots and the names the events carry come from it.  ORDER: km_fn. */
#define KM_DDIS(X) \
    X(KeGetCurrentIrql) X(KeRaiseIrql) X(KeLowerIrql) X(KeRaiseIrqlToDpcLevel) \
    X(KeInitializeSpinLock) X(KeAcquireSpinLock) X(KeReleaseSpinLock) \
    X(KeAcquireSpinLockRaiseToDpc) X(KeAcquireSpinLockAtDpcLevel) \
    X(KeReleaseSpinLockFromDpcLevel) X(KeTryToAcquireSpinLockAtDpcLevel) \
    X(KeAcquireInStackQueuedSpinLock) X(KeReleaseInStackQueuedSpinLock) \
    X(KeAcquireInStackQueuedSpinLockAtDpcLevel) X(KeReleaseInStackQueuedSpinLockFromDpcLevel) \
    X(IoAcquireCancelSpinLock) X(IoReleaseCancelSpinLock) \
    X(KeInitializeDpc) X(KeInsertQueueDpc) X(KeInitializeEvent) X(KeSetEvent) \
    X(KeStallExecutionProcessor) \
    X(ExAllocatePool2) X(ExAllocatePoolWithTag) X(ExFreePool) X(ExFreePoolWithTag) \
    X(ExAllocatePool) \
    X(IoCompleteRequest) X(IofCompleteRequest) \
    X(IoCreateDevice) X(IoDeleteDevice) \
    X(IoGetCurrentIrpStackLocation) X(IoGetNextIrpStackLocation) X(IoMarkIrpPending) \
    X(IoSetCancelRoutine) X(IoCancelIrp) X(IoSetCompletionRoutine) \
    X(IoStartPacket) X(IoStartNextPacket) X(IoInitializeDpcRequest) X(IoRequestDpc) \
    X(KeInitializeTimer) X(KeInitializeTimerEx) X(KeSetTimer) X(KeSetTimerEx) \
    X(KeCancelTimer) \
    X(StorPortInitialize) X(StorPortEnablePassiveInitialization) \
    X(StorPortAcquireSpinLock) X(StorPortReleaseSpinLock) \
    X(StorPortInitializeDpc) X(StorPortIssueDpc) X(StorPortNotification) \
    X(StorPortCompleteRequest) X(StorPortAllocatePool) X(StorPortFreePool) \
    X(StorPortGetUncachedExtension) X(StorPortGetDeviceBase) \
    X(StorPortReadRegisterUlong) X(StorPortWriteRegisterUlong) X(StorPortStallExecution)

enum km_fn {
#define KM_ENUM(name) KM_##name,
    KM_DDIS(KM_ENUM)
#undef KM_ENUM
    KM_FN_COUNT
};

/* A spin lock the processor holds.  lock names the lock (a KSPIN_LOCK's
 * address, or for Storport's locks a token of the adapter or the DPC);
 * handle is the caller's KLOCK_QUEUE_HANDLE or STOR_LOCK_HANDLE, if any. */
enum km_lock_kind { KM_SPIN, KM_QUEUED, KM_STOR, KM_CANCEL, KM_OS };
struct km_lock {
    const void *lock;
    const void *handle;
    uint8_t kind;           /* enum km_lock_kind                            */
    uint8_t old_irql;       /* the IRQL its acquire raised from             */
    uint64_t seq;           /* event of the acquire                         */
};

#define KM_LOCKS_MAX 32

/* A queued DPC: a KDEFERRED_ROUTINE or a Storport HW_DPC_ROUTINE, which
 * have the same shape (the DPC, a context, two system arguments). */
typedef void km_dpc_routine(void *dpc, void *context, void *arg1, void *arg2);
struct km_dpc {
    void *dpc;
    km_dpc_routine *routine;
    void *context, *arg1, *arg2;
    const char *role;       /* KDEFERRED_ROUTINE or HW_DPC_ROUTINE          */
};
#define KM_DPCS_MAX 8
#define KM_GUARD 0x6c6f636b73746570ull    /* "lockstep": the state's fences */

/* The simulated machine.  The guards fence the state from wild writes of
 * driver code that lands next to it; km_check_guards looks at them. */
struct km_machine {
    uint64_t guard_lo;
    const struct sim_host *host;
    jmp_buf *stop;          /* where a run-ending finding jumps to          */
    uint64_t seq;           /* last event number                            */
    uint8_t irql;           /* the processor's current IRQL                 */
    uint32_t fn[KM_FN_COUNT];   /* the sink's id of each DDI                */
    struct km_lock locks[KM_LOCKS_MAX];
    unsigned nlocks;
    struct km_block *pool;  /* live allocations, newest first              */
    struct km_dpc dpcs[KM_DPCS_MAX];    /* queued, oldest first             */
    unsigned ndpcs;
    unsigned faults;        /* calls the host chose to fail this run        */
    struct {                /* driver routines called, with the sink's id   */
        const void *routine;
        uint32_t id;
    } named[32];
    unsigned nnamed;
    uint64_t guard_hi;
};

extern struct km_machine km;
extern uint64_t km_call_count;

/* Start a run: a processor at PASSIVE_LEVEL holding nothing, the DDI
 * names interned with the host's sink.  Returns 0, or -1 when the sink
 * failed. */
int km_reset(const struct sim_host *host, jmp_buf *stop);

/* Free what the run left allocated. */
void km_release_pool(void);

/* Emit the entry / exit event of DDI fn with its arguments (and, for an
 * exit with has_ret, its return value).  A sink that says stop ends the
 * run. */
void km_entry(enum km_fn fn, unsigned nargs, const ls_word *args);
void km_exit(enum km_fn fn, unsigned nargs, const ls_word *args, int has_ret, ls_word ret);
/* The same for a function the sink interned elsewhere (a driver routine). */
void km_event(uint32_t id, int when, unsigned nargs, const ls_word *args, int has_ret,
              ls_word ret);

/* End the run now: back to the harness. */
_Noreturn void km_stop(void);

/* Report a finding; SIM_HANG, SIM_BUGCHECK and SIM_CORRUPT end the run
 * (the call does not return). */
void km_finding(enum sim_finding kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A choice of the host: 0..options-1, 0 the ordinary outcome. */
unsigned km_choose(unsigned options, const char *what);

/* A harness's choice of its next step among enabled[0..count) (at most
 * KM_STEPS_MAX): the index chosen, numbered over the enabled steps only,
 * so a step that is not possible now takes no number in the schedule and
 * a lone possible step is no choice at all; -1 when none is possible. */
#define KM_STEPS_MAX 32
int km_choose_enabled(const int *enabled, unsigned count, const char *what);

/* Fault injection at a call that can fail: 1 when the host chose to
 * make this call of `ddi` fail. */
int km_fault(enum km_fn ddi);

/* The IRQL moves.  km_raise to a lower IRQL and km_lower to a higher one
 * are bug checks (the run ends); `who` names the call for the text. */
void km_raise(uint8_t irql, const char *who);
void km_lower(uint8_t irql, const char *who);

/* Take lock for the processor; a lock it already holds is a hang (the
 * run ends).  Returns the table entry. */
struct km_lock *km_lock_take(enum km_lock_kind kind, const void *lock, const void *handle,
                             const char *who);
/* The held lock named by lock (handle NULL) or by handle, or NULL. */
struct km_lock *km_lock_find(const void *lock, const void *handle);
void km_lock_drop(struct km_lock *l);

/* Pool memory with a header the model checks on free; NULL when the host
 * chose to fail the allocation of `ddi` or memory ran out. */
void *km_alloc(enum km_fn ddi, size_t size);
/* Free p; a pointer the pool did not hand out (or handed out and took
 * back) is misuse, reported and otherwise ignored. */
void km_free(void *p, const char *who);

/* Queue a DPC unless it is queued already (then nothing changes);
 * returns 1 when queued now, as KeInsertQueueDpc does. */
int km_queue_dpc(void *dpc, km_dpc_routine *routine, void *context, void *arg1, void *arg2,
                 const char *role);

/* Is the machine's state intact?  A broken fence is SIM_CORRUPT. */
void km_check_guards(void);

/* ---- the OS calling a driver routine (harness.c) -------------------------
 * Both harnesses (Storport's in harness.c, WDM's in harness_wdm.c) and the
 * model's own callbacks (IoCancelIrp calling a cancel routine, a completion
 * routine run by IoCompleteRequest) call driver routines the same way:
 * km_call_enter raises the IRQL to the role's (a choice for a range, unless
 * fixed_irql), takes the interrupt lock if asked, and emits the routine's
 * entry event under its symbol name mapped to its role; km_call_leave
 * emits the exit, checks the fences and that the routine returned at
 * exit_irql (SIM_IRQL_LEAK), then restores the IRQL the caller had. */
struct km_call {
    const char *role;
    uint32_t id;
    uint8_t irql;           /* what the routine is called at                */
    uint8_t exit_irql;      /* what it must return at (irql, unless set
                               after km_call_enter: a cancel routine
                               returns at the IRP's CancelIrql)            */
    uint8_t before;         /* the caller's IRQL, restored after            */
    int fixed_irql;         /* call at the current IRQL, no choice          */
    int interrupt_lock;     /* Storport holds the interrupt lock over it    */
    unsigned nargs;
    ls_word args[4];
};
void km_call_enter(struct km_call *c, const void *routine, const char *role, int interrupt_lock);
void km_call_leave(struct km_call *c, int has_ret, ls_word ret);
/* A note for the schedule's steps ("HwStartIo(read)"): fmt with one %s. */
void km_note(const char *fmt, const char *arg);
/* Run the oldest queued DPC (one must be queued), or the given one. */
void km_call_dpc(void);
void km_run_dpc(const struct km_dpc *q);

/* Fences of the WDM model's IRPs and devices (kmodel_wdm.c). */
void km_check_irps(void);

#endif
