/*
 * harness.c — the operating system's side of a simulated run (sim_run):
 * DriverEntry, then the Storport miniport's entry points in an order
 * Storport allows, each at the IRQL its role is called at (the table of
 * lockstep/roles.h), with requests built by a small SRB model.  A driver
 * that called no StorPortInitialize but filled its DRIVER_OBJECT's
 * dispatch table is a WDM driver: harness_wdm.c drives it instead.  The
 * way a routine is called (km_call_enter / km_call_leave) is shared by both
 * harnesses and by the model's own callbacks (km.h).
 *
 *   DriverEntry (PASSIVE) ─► HwFindAdapter (PASSIVE) ─► HwInitialize (DIRQL)
 *      ─► HwPassiveInitialize (PASSIVE, if enabled)
 *      ─► `steps` times, one of those enabled, as the host chooses:
 *           HwBuildIo + HwStartIo with a new read / write / flush SRB
 *           HwInterrupt (the device's status register set first)
 *           the oldest queued DPC           (when one is queued)
 *           HwTimer                         (when the driver armed it)
 *           HwResetBus                      (when the driver has one)
 *
 * Around each routine the harness does what the OS does: raises the IRQL
 * to the role's (through the model's KeRaiseIrql, so the environment
 * model follows) and lowers it back after, holds the interrupt lock while
 * HwInitialize and HwInterrupt run, and emits the routine's own entry and
 * exit events, under the routine's symbol name (dladdr) or, for a static
 * routine, fun_<ROLE>, mapped to its role for the rules' sdv_Run* and
 * fun_<ROLE> handlers.  After each routine it checks the model's fences
 * and that the routine returned at the IRQL it was called at.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <lockstep/roles.h>

#include "km_storport.h"
#include "km_wdm.h"

/* The sink's id for routine, which plays role: interned (and mapped to
 * the role) the first time.  A run that cannot name it stops. */
static uint32_t routine_id(const void *routine, const char *role)
{
    for (unsigned i = 0; i < km.nnamed; i++)
        if (km.named[i].routine == routine)
            return km.named[i].id;
    char fallback[64];
    const char *name = fallback;
    Dl_info info;
    if (dladdr(routine, &info) && info.dli_sname && info.dli_saddr == routine)
        name = info.dli_sname;
    else
        snprintf(fallback, sizeof fallback, "fun_%s", role);
    const struct sim_sink *s = km.host->sink;
    uint32_t id = s->function(s->context, name);
    if (id == UINT32_MAX || s->role(s->context, role, name) != 0)
        km_stop();
    if (km.nnamed < sizeof km.named / sizeof km.named[0]) {
        km.named[km.nnamed].routine = routine;
        km.named[km.nnamed++].id = id;
    }
    return id;
}

/* The IRQL the OS calls a routine of role at: the role's, or one of its
 * two ends when it has a range, as the host chooses. */
static uint8_t role_irql(const char *role)
{
    const struct ls_role *r = ls_role_lookup(role);
    if (!r)
        return PASSIVE_LEVEL;
    if (r->irql_min == r->irql_max)
        return r->irql_min;
    char what[64];
    snprintf(what, sizeof what, "IRQL of %s", role);
    return km_choose(2, what) ? r->irql_max : r->irql_min;
}

void km_call_enter(struct km_call *c, const void *routine, const char *role, int interrupt_lock)
{
    c->role = role;
    c->id = routine_id(routine, role);
    c->before = km.irql;
    c->irql = c->fixed_irql ? km.irql : role_irql(role);
    c->exit_irql = c->irql;
    c->interrupt_lock = interrupt_lock;
    if (c->irql > km.irql) {
        KIRQL old;
        KeRaiseIrql(c->irql, &old);
    }
    if (interrupt_lock)
        km_lock_take(KM_OS, &km_adapter.interrupt_lock, NULL, "Storport");
    km_event(c->id, LS_ENTRY, c->nargs, c->args, 0, 0);
}

void km_call_leave(struct km_call *c, int has_ret, ls_word ret)
{
    km_event(c->id, LS_EXIT, c->nargs, c->args, has_ret, ret);
    km_check_guards();
    km_check_srbs();
    km_check_irps();
    if (c->interrupt_lock) {
        struct km_lock *l = km_lock_find(&km_adapter.interrupt_lock, NULL);
        if (l)
            km_lock_drop(l);
    }
    if (km.irql != c->exit_irql && c->exit_irql == c->irql)
        km_finding(SIM_IRQL_LEAK, "the %s routine returned at IRQL %u; it was called at %u",
                   c->role, km.irql, c->irql);
    else if (km.irql != c->exit_irql)
        km_finding(SIM_IRQL_LEAK, "the %s routine returned at IRQL %u; it was called at %u "
                   "and must return at %u", c->role, km.irql, c->irql, c->exit_irql);
    if (km.irql > c->before) {
        KeLowerIrql(c->before);
    } else if (km.irql < c->before) {
        KIRQL old;
        KeRaiseIrql(c->before, &old);
    }
}

void km_note(const char *fmt, const char *arg)
{
    if (!km.host->note)
        return;
    char text[96];
    snprintf(text, sizeof text, fmt, arg);
    km.host->note(km.host->context, text);
}

#define PTR(p) ((ls_word)(uintptr_t)(p))

/* ---- requests ------------------------------------------------------------ */

enum request { REQ_READ, REQ_WRITE, REQ_FLUSH };
static const char *const request_names[] = { "read", "write", "flush" };

/* A free request slot (a completed one is reused), or NULL. */
static struct km_srb *free_srb(void)
{
    for (unsigned i = 0; i < KM_SRBS; i++)
        if (km_adapter.srbs[i].state != KM_SRB_OUTSTANDING)
            return &km_adapter.srbs[i];
    return NULL;
}

/* Fill s with a new request of kind r, as Storport hands one over. */
static PSCSI_REQUEST_BLOCK build_srb(struct km_srb *s, enum request r)
{
    PSCSI_REQUEST_BLOCK srb = &s->srb;
    memset(srb, 0, sizeof *srb);
    memset(&s->irp, 0, sizeof s->irp);
    srb->Length = sizeof *srb;
    srb->Function = r == REQ_FLUSH ? SRB_FUNCTION_FLUSH : SRB_FUNCTION_EXECUTE_SCSI;
    if (r != REQ_FLUSH) {
        srb->CdbLength = 10;
        srb->Cdb[0] = r == REQ_READ ? 0x28 : 0x2A;     /* READ(10), WRITE(10) */
        srb->Cdb[8] = 1;                                /* one block */
        srb->DataTransferLength = KM_SRB_DATA;
        srb->DataBuffer = s->data;
    }
    srb->SrbStatus = SRB_STATUS_PENDING;
    srb->TimeOutValue = 10;
    srb->SenseInfoBuffer = s->sense;
    srb->SenseInfoBufferLength = sizeof s->sense;
    srb->SrbExtension = km_adapter.init.SrbExtensionSize <= KM_SRB_EXTENSION ? s->extension : NULL;
    s->irp.Type = IO_TYPE_IRP;
    srb->OriginalRequest = &s->irp;
    if (km.host->shape_srb)
        km.host->shape_srb(km.host->context, srb);
    s->state = KM_SRB_OUTSTANDING;
    return srb;
}

/* ---- the entry points ----------------------------------------------------- */

static ls_word call_find_adapter(void)
{
    const HW_INITIALIZATION_DATA *d = &km_adapter.init;
    BOOLEAN again = FALSE;
    PORT_CONFIGURATION_INFORMATION *cfg = &km_adapter.config;
    cfg->Length = sizeof *cfg;
    cfg->AdapterInterfaceType = d->AdapterInterfaceType;
    cfg->NumberOfAccessRanges = d->NumberOfAccessRanges;
    cfg->MaximumTransferLength = 0x10000;
    struct km_call c = { .nargs = 4, .args = { PTR(km_adapter.ext), PTR(km_adapter.hw_context),
                                            0, PTR(cfg) } };
    km_call_enter(&c, (const void *)d->HwFindAdapter, "HW_FIND_ADAPTER", 0);
    ULONG r = d->HwFindAdapter(km_adapter.ext, km_adapter.hw_context, NULL, NULL, cfg, &again);
    km_call_leave(&c, 1, r);
    return r;
}

/* HwInitialize, HwPassiveInitialize, HwInterrupt, HwTimer: a routine of
 * the device extension alone.  routine is called as role's type. */
static ls_word call_ext_routine(const void *routine, const char *role)
{
    struct km_call c = { .nargs = 1, .args = { PTR(km_adapter.ext) } };
    int interrupt = strcmp(role, "HW_INTERRUPT") == 0 || strcmp(role, "HW_INITIALIZE") == 0;
    km_call_enter(&c, routine, role, interrupt);
    ls_word r = 0;
    int has_ret = strcmp(role, "HW_TIMER") != 0;
    if (has_ret)
        r = ((PHW_INITIALIZE)routine)(km_adapter.ext);  /* all BOOLEAN (PVOID) */
    else
        ((PHW_TIMER)routine)(km_adapter.ext);
    km_call_leave(&c, has_ret, r);
    return r;
}

static void call_start_io(enum request r)
{
    const HW_INITIALIZATION_DATA *d = &km_adapter.init;
    struct km_srb *slot = free_srb();
    if (!slot)
        return;                     /* step() offers start I/O only when there is one */
    PSCSI_REQUEST_BLOCK srb = build_srb(slot, r);
    km_note("HwStartIo(%s)", request_names[r]);
    struct km_call c = { .nargs = 2, .args = { PTR(km_adapter.ext), PTR(srb) } };
    if (d->HwBuildIo) {
        km_call_enter(&c, (const void *)d->HwBuildIo, "HW_BUILDIO", 0);
        BOOLEAN go = d->HwBuildIo(km_adapter.ext, srb);
        km_call_leave(&c, 1, go);
        if (!go)
            return;
    }
    km_call_enter(&c, (const void *)d->HwStartIo, "HW_STARTIO", 0);
    BOOLEAN ok = d->HwStartIo(km_adapter.ext, srb);
    km_call_leave(&c, 1, ok);
}

static void call_interrupt(void)
{
    km_note("%s", "HwInterrupt");
    km_adapter.registers[KM_DEVICE_STATUS] = 1;
    call_ext_routine((const void *)km_adapter.init.HwInterrupt, "HW_INTERRUPT");
}

void km_call_dpc(void)
{
    struct km_dpc q = km.dpcs[0];
    memmove(km.dpcs, km.dpcs + 1, --km.ndpcs * sizeof km.dpcs[0]);
    km_run_dpc(&q);
}

/* A KDEFERRED_ROUTINE, HW_DPC_ROUTINE and IO_DPC_ROUTINE all take four
 * pointers; each is called as its own type. */
void km_run_dpc(const struct km_dpc *q)
{
    km_note("%s", "DPC");
    struct km_call c = { .nargs = 4, .args = { PTR(q->dpc), PTR(q->context), PTR(q->arg1),
                                               PTR(q->arg2) } };
    km_call_enter(&c, (const void *)q->routine, q->role, 0);
    if (strcmp(q->role, "HW_DPC_ROUTINE") == 0)
        ((PHW_DPC_ROUTINE)q->routine)(q->dpc, q->context, q->arg1, q->arg2);
    else if (strcmp(q->role, "IO_DPC_ROUTINE") == 0)
        ((PIO_DPC_ROUTINE)q->routine)(q->dpc, q->context, q->arg1, q->arg2);
    else
        ((PKDEFERRED_ROUTINE)q->routine)(q->dpc, q->context, q->arg1, q->arg2);
    km_call_leave(&c, 0, 0);
}

static void call_timer(void)
{
    PHW_TIMER t = km_adapter.timer;
    km_adapter.timer = NULL;        /* one shot, as RequestTimerCall arms it */
    km_note("%s", "HwTimer");
    call_ext_routine((const void *)t, "HW_TIMER");
}

static void call_reset(void)
{
    km_note("%s", "HwResetBus");
    struct km_call c = { .nargs = 2, .args = { PTR(km_adapter.ext), 0 } };
    km_call_enter(&c, (const void *)km_adapter.init.HwResetBus, "HW_RESET_BUS", 0);
    BOOLEAN ok = km_adapter.init.HwResetBus(km_adapter.ext, 0);
    km_call_leave(&c, 1, ok);
}

/* What Storport may do next.  ORDER: the choice's outcomes, so a schedule
 * names the same action whatever else is enabled: disabled actions are
 * skipped when numbering. */
enum action { ACT_READ, ACT_WRITE, ACT_FLUSH, ACT_INTERRUPT, ACT_DPC, ACT_TIMER, ACT_RESET,
              ACT_COUNT };

/* Choose and take one step. */
static void step(void)
{
    int can_start = free_srb() != NULL;
    const int enabled[ACT_COUNT] = {
        can_start, can_start, can_start, km_adapter.init.HwInterrupt != NULL,
        km.ndpcs > 0, km_adapter.timer != NULL, km_adapter.init.HwResetBus != NULL,
    };
    int chosen = km_choose_enabled(enabled, ACT_COUNT, "step");
    if (chosen < 0)
        return;
    enum action a = (enum action)chosen;
    switch (a) {
    case ACT_READ: case ACT_WRITE: case ACT_FLUSH:
        call_start_io((enum request)(a - ACT_READ));
        break;
    case ACT_INTERRUPT: call_interrupt(); break;
    case ACT_DPC: km_call_dpc(); break;
    case ACT_TIMER: call_timer(); break;
    case ACT_RESET: call_reset(); break;
    case ACT_COUNT: break;
    }
}

/* The device extension, fenced like the rest of the model's memory. */
static unsigned char extension_space[64 * 1024];

enum sim_outcome sim_run(const struct sim_host *host, sim_driver_entry *entry,
                         unsigned steps, uint32_t *status)
{
    jmp_buf stop;
    *status = 0;
    km_adapter_reset();
    if (setjmp(stop) != 0) {
        km_release_pool();
        return SIM_RUN_STOPPED;
    }
    if (km_reset(host, &stop) != 0)
        return SIM_RUN_STOPPED;

    static DRIVER_OBJECT driver;
    static DRIVER_EXTENSION driver_extension;
    static UNICODE_STRING registry;
    memset(&driver, 0, sizeof driver);
    memset(&driver_extension, 0, sizeof driver_extension);
    driver.Type = IO_TYPE_DRIVER;
    driver.Size = sizeof driver;
    driver.DriverExtension = &driver_extension;
    driver_extension.DriverObject = &driver;
    km_wdm_reset(&driver);
    struct km_call c = { .nargs = 2, .args = { PTR(&driver), PTR(&registry) } };
    km_call_enter(&c, (const void *)entry, "DRIVER_INITIALIZE", 0);
    uint32_t st = entry(&driver, &registry);
    km_call_leave(&c, 1, (int32_t)st);
    *status = st;
    if ((int32_t)st < 0) {
        /* failing because the host failed a call is a legitimate end */
        km_release_pool();
        return km.faults ? SIM_RUN_ADAPTER_FAILED : SIM_RUN_ENTRY_FAILED;
    }
    if (!km_adapter.registered) {
        enum sim_outcome wdm = km_wdm_registered(&driver) ? km_wdm_drive(&driver, steps)
                                                          : SIM_RUN_NOTHING;
        km_release_pool();
        return wdm;
    }

    size_t size = km_adapter.init.DeviceExtensionSize;
    if (size > sizeof extension_space) {
        km_finding(SIM_MISUSE, "a device extension of %zu bytes; the model has room for %zu",
                   size, sizeof extension_space);
        return SIM_RUN_ADAPTER_FAILED;
    }
    memset(extension_space, 0, sizeof extension_space);
    km_adapter.ext = extension_space;

    enum sim_outcome outcome = SIM_RUN_ADAPTER_FAILED;
    km_note("%s", "HwFindAdapter");
    if (call_find_adapter() == SP_RETURN_FOUND) {
        km_note("%s", "HwInitialize");
        if (call_ext_routine((const void *)km_adapter.init.HwInitialize, "HW_INITIALIZE")) {
            if (km_adapter.passive) {
                km_note("%s", "HwPassiveInitialize");
                call_ext_routine((const void *)km_adapter.passive, "HW_PASSIVE_INITIALIZE_ROUTINE");
            }
            for (unsigned i = 0; i < steps; i++)
                step();
            outcome = SIM_RUN_DONE;
        }
    }
    km_release_pool();
    return outcome;
}

uint64_t sim_calls(void)
{
    return km_call_count;
}
