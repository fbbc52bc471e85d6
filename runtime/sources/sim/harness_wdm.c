/*
 * harness_wdm.c — the I/O manager's side of a simulated run of a WDM
 * driver (km_wdm_drive): a DriverEntry that filled the DRIVER_OBJECT's
 * dispatch table (MajorFunction[], DriverStartIo, DriverUnload,
 * DriverExtension->AddDevice) gets a device, then IRPs built by a small
 * IRP model, then a teardown and DriverUnload:
 *
 *   device:   AddDevice with a PDO the harness makes (if registered), else
 *             the device DriverEntry created, else one the harness makes
 *   `steps` times, one of those enabled, as the host chooses:
 *     create / read / write / ioctl / cleanup / close   a new IRP to the
 *             dispatch routine (PASSIVE_LEVEL), in file order: create
 *             opens the one file (no create routine: open from the
 *             start), read, write and ioctl need it open, cleanup then
 *             close end it; lengths and IOCTL codes are choices
 *     StartIo          the next packet of IoStartPacket, device idle
 *     DPC              the oldest queued DPC (KeInsertQueueDpc, IoRequestDpc)
 *     timer            the oldest armed timer fires: its DPC runs
 *     cancel           IoCancelIrp on the oldest IRP with a cancel routine
 *   teardown: every IRP with a cancel routine is cancelled (the thread's
 *             I/O on process exit), started packets and queued DPCs run,
 *             the file is cleaned up and closed, DriverUnload runs
 *
 * After each dispatch routine the harness checks what the I/O manager
 * relies on: STATUS_PENDING only with IoMarkIrpPending, any other status
 * only for an IRP completed already.  At the end, an IRP never completed
 * and a device object DriverUnload left behind are misuse.
 */
#include <stdio.h>
#include <string.h>

#include "km_wdm.h"

#define PTR(p) ((ls_word)(uintptr_t)(p))

/* The requests of a file's life.  ORDER: request_mj, request_names. */
enum request { REQ_CREATE, REQ_READ, REQ_WRITE, REQ_IOCTL, REQ_CLEANUP, REQ_CLOSE, REQ_COUNT };
static const UCHAR request_mj[REQ_COUNT] = {
    IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_DEVICE_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CLOSE,
};
static const char *const request_names[REQ_COUNT] = {
    "create", "read", "write", "ioctl", "cleanup", "close",
};

/* Buffer lengths (outcome 0 the whole buffer) and IOCTL codes: the first
 * three codes of the vendor range of FILE_DEVICE_UNKNOWN, where a small
 * driver's own codes start, and one no driver knows. */
static const ULONG lengths[] = { KM_IRP_BUFFER, 0, 8 };
#define VENDOR_IOCTL(f) CTL_CODE(FILE_DEVICE_UNKNOWN, (f), METHOD_BUFFERED, FILE_ANY_ACCESS)
static const ULONG ioctls[] = {
    VENDOR_IOCTL(0x800), VENDOR_IOCTL(0x801), VENDOR_IOCTL(0x802), VENDOR_IOCTL(0xfff),
};
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static enum { FILE_CLOSED, FILE_OPEN, FILE_CLEANED } file_state;
static PDEVICE_OBJECT target;       /* where IRPs go when the driver has none */
static uint64_t irp_seq;            /* IRPs sent, for "the oldest"           */
static uint64_t sent_at[KM_IRPS];

static PDRIVER_DISPATCH handler(enum request r)
{
    return km_wdm.driver->MajorFunction[request_mj[r]];
}

/* The device the next IRP goes to: the driver's newest, else the
 * harness's. */
static PDEVICE_OBJECT device(void)
{
    return km_wdm.driver->DeviceObject ? km_wdm.driver->DeviceObject : target;
}

static struct km_irp *free_irp(void)
{
    for (unsigned i = 0; i < KM_IRPS; i++)
        if (km_wdm.irps[i].state != KM_IRP_OUTSTANDING)
            return &km_wdm.irps[i];
    return NULL;
}

/* IoStartPacket's queue without the IRPs completed meanwhile (cancelled
 * while they waited). */
static void purge_startq(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < km_wdm.nstartq; i++)
        if (km_irp_of(km_wdm.startq[i])->state == KM_IRP_OUTSTANDING)
            km_wdm.startq[n++] = km_wdm.startq[i];
    km_wdm.nstartq = n;
}

/* Fill k with a new IRP for request r to dev, its lengths and code
 * chosen; *text receives the note ("read(8)"). */
static PIRP build_irp(struct km_irp *k, enum request r, PDEVICE_OBJECT dev, char *text,
                      size_t size)
{
    memset(&k->irp, 0, sizeof k->irp);
    memset(k->stack, 0, sizeof k->stack);
    memset(k->buffer, 0, sizeof k->buffer);
    PIRP irp = &k->irp;
    irp->Type = IO_TYPE_IRP;
    irp->Size = (USHORT)sizeof *irp;
    irp->StackCount = KM_IRP_STACK;
    irp->CurrentLocation = KM_IRP_STACK;
    irp->RequestorMode = UserMode;
    irp->AssociatedIrp.SystemBuffer = k->buffer;
    irp->UserBuffer = k->buffer;
    irp->Tail.Overlay.CurrentStackLocation = &k->stack[KM_IRP_STACK - 1];
    irp->Tail.Overlay.OriginalFileObject = &km_wdm.file;
    PIO_STACK_LOCATION s = irp->Tail.Overlay.CurrentStackLocation;
    s->MajorFunction = request_mj[r];
    s->DeviceObject = dev;
    s->FileObject = &km_wdm.file;
    snprintf(text, size, "%s", request_names[r]);
    if (r == REQ_READ || r == REQ_WRITE) {
        ULONG len = lengths[km_choose(COUNT(lengths), "length")];
        s->Parameters.Read.Length = len;        /* Write has the same layout */
        snprintf(text, size, "%s(%lu)", request_names[r], (unsigned long)len);
    } else if (r == REQ_IOCTL) {
        ULONG code = ioctls[km_choose(COUNT(ioctls), "IOCTL code")];
        ULONG len = lengths[km_choose(COUNT(lengths), "length")];
        s->Parameters.DeviceIoControl.IoControlCode = code;
        s->Parameters.DeviceIoControl.InputBufferLength = len;
        s->Parameters.DeviceIoControl.OutputBufferLength = len;
        snprintf(text, size, "ioctl(%#lx,%lu)", (unsigned long)code, (unsigned long)len);
    }
    k->state = KM_IRP_OUTSTANDING;
    k->pending = k->started = 0;
    k->what = request_names[r];
    sent_at[k - km_wdm.irps] = ++irp_seq;
    return irp;
}

/* Send request r to its dispatch routine at PASSIVE_LEVEL and check what
 * it returned against what it did. */
static void dispatch(enum request r)
{
    struct km_irp *k = free_irp();
    if (!k)
        return;                     /* step() offers requests only when there is one */
    PDEVICE_OBJECT dev = device();
    char text[64];
    PIRP irp = build_irp(k, r, dev, text, sizeof text);
    km_note("%s", text);
    PDRIVER_DISPATCH routine = handler(r);
    struct km_call c = { .nargs = 2, .args = { PTR(dev), PTR(irp) } };
    km_call_enter(&c, (const void *)routine, "DRIVER_DISPATCH", 0);
    NTSTATUS st = routine(dev, irp);
    km_call_leave(&c, 1, (ls_word)(ULONG)st);
    if (st == STATUS_PENDING && !k->pending)
        km_finding(SIM_MISUSE, "the %s dispatch routine returned STATUS_PENDING without "
                   "IoMarkIrpPending", k->what);
    else if (st != STATUS_PENDING && k->pending)
        km_finding(SIM_MISUSE, "the %s dispatch routine marked the IRP pending and returned "
                   "0x%08lx, not STATUS_PENDING", k->what, (unsigned long)(ULONG)st);
    else if (st != STATUS_PENDING && k->state == KM_IRP_OUTSTANDING)
        km_finding(SIM_MISUSE, "the %s dispatch routine returned 0x%08lx without completing "
                   "the IRP", k->what, (unsigned long)(ULONG)st);
    if (r == REQ_CREATE && NT_SUCCESS(st))
        file_state = FILE_OPEN;
    else if (r == REQ_CLEANUP)
        file_state = FILE_CLEANED;
    else if (r == REQ_CLOSE)
        file_state = FILE_CLOSED;
}

/* May request r be sent now? */
static int can_send(enum request r)
{
    if (!handler(r) || !free_irp())
        return 0;
    switch (r) {
    case REQ_CREATE: return file_state == FILE_CLOSED;
    case REQ_CLOSE:  return file_state == FILE_CLEANED
                            || (file_state == FILE_OPEN && !handler(REQ_CLEANUP));
    default:         return file_state == FILE_OPEN;
    }
}

static void call_start_io(void)
{
    PIRP irp = km_wdm.startq[0];
    memmove(km_wdm.startq, km_wdm.startq + 1, --km_wdm.nstartq * sizeof km_wdm.startq[0]);
    PDEVICE_OBJECT dev = irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
    dev->CurrentIrp = irp;
    km_note("%s", "StartIo");
    struct km_call c = { .nargs = 2, .args = { PTR(dev), PTR(irp) } };
    km_call_enter(&c, (const void *)km_wdm.driver->DriverStartIo, "DRIVER_STARTIO", 0);
    km_wdm.driver->DriverStartIo(dev, irp);
    km_call_leave(&c, 0, 0);
}

static int can_start_io(void)
{
    if (!km_wdm.driver->DriverStartIo || km_wdm.nstartq == 0)
        return 0;
    PIO_STACK_LOCATION s = km_wdm.startq[0]->Tail.Overlay.CurrentStackLocation;
    return s->DeviceObject && s->DeviceObject->CurrentIrp == NULL;
}

static void fire_timer(void)
{
    struct km_timer t = km_wdm.timers[0];
    memmove(km_wdm.timers, km_wdm.timers + 1, --km_wdm.ntimers * sizeof km_wdm.timers[0]);
    if (t.period > 0)
        km_wdm.timers[km_wdm.ntimers++] = t;        /* due again */
    t.timer->Header.SignalState = 1;
    km_note("%s", "timer");
    struct km_dpc q = { t.dpc, (km_dpc_routine *)t.dpc->DeferredRoutine,
                        t.dpc->DeferredContext, NULL, NULL, "KDEFERRED_ROUTINE" };
    if (q.routine)
        km_run_dpc(&q);
}

/* The outstanding IRP sent first that has a cancel routine, or NULL. */
static PIRP cancelable(void)
{
    struct km_irp *best = NULL;
    for (unsigned i = 0; i < KM_IRPS; i++) {
        struct km_irp *k = &km_wdm.irps[i];
        if (k->state == KM_IRP_OUTSTANDING && k->irp.CancelRoutine
            && (!best || sent_at[i] < sent_at[best - km_wdm.irps]))
            best = k;
    }
    return best ? &best->irp : NULL;
}

static void cancel(PIRP irp)
{
    km_note("cancel(%s)", km_irp_of(irp)->what);
    IoCancelIrp(irp);
}

/* What the I/O manager may do next.  ORDER: REQ_* first, so that
 * ACT_CREATE + r is request r; outcomes are numbered over the enabled
 * ones only, as in the Storport harness. */
enum action { ACT_CREATE, ACT_READ, ACT_WRITE, ACT_IOCTL, ACT_CLEANUP, ACT_CLOSE,
              ACT_STARTIO, ACT_DPC, ACT_TIMER, ACT_CANCEL, ACT_COUNT };

static void step(void)
{
    purge_startq();
    int enabled[ACT_COUNT];
    for (unsigned r = 0; r < REQ_COUNT; r++)
        enabled[ACT_CREATE + r] = can_send((enum request)r);
    enabled[ACT_STARTIO] = can_start_io();
    enabled[ACT_DPC] = km.ndpcs > 0;
    enabled[ACT_TIMER] = km_wdm.ntimers > 0;
    enabled[ACT_CANCEL] = cancelable() != NULL;
    int chosen = km_choose_enabled(enabled, ACT_COUNT, "step");
    if (chosen < 0)
        return;
    enum action a = (enum action)chosen;
    switch (a) {
    case ACT_STARTIO: call_start_io(); break;
    case ACT_DPC: km_call_dpc(); break;
    case ACT_TIMER: fire_timer(); break;
    case ACT_CANCEL: cancel(cancelable()); break;
    case ACT_COUNT: break;
    default: dispatch((enum request)(a - ACT_CREATE)); break;
    }
}

/* The end of the run, as when the process that opened the file exits and
 * the driver is unloaded. */
static void teardown(void)
{
    PIRP irp;
    for (unsigned i = 0; i < KM_IRPS && (irp = cancelable()) != NULL; i++)
        cancel(irp);
    for (unsigned i = 0; i < 2 * (KM_DPCS_MAX + KM_IRPS); i++) {
        purge_startq();
        if (can_start_io())
            call_start_io();
        else if (km.ndpcs > 0)
            km_call_dpc();
        else
            break;
    }
    if (file_state == FILE_OPEN && can_send(REQ_CLEANUP))
        dispatch(REQ_CLEANUP);
    if (file_state != FILE_CLOSED && can_send(REQ_CLOSE))
        dispatch(REQ_CLOSE);
    PDRIVER_OBJECT drv = km_wdm.driver;
    if (drv->DriverUnload) {
        km_note("%s", "DriverUnload");
        struct km_call c = { .nargs = 1, .args = { PTR(drv) } };
        km_call_enter(&c, (const void *)drv->DriverUnload, "DRIVER_UNLOAD", 0);
        drv->DriverUnload(drv);
        km_call_leave(&c, 0, 0);
        for (unsigned i = 0; i < KM_DEVICES; i++)
            if (km_wdm.devices[i].used && !km_wdm.devices[i].harness)
                km_finding(SIM_MISUSE, "DriverUnload returned leaving device object %p "
                           "(IoDeleteDevice deletes it)", (void *)&km_wdm.devices[i].device);
    }
    for (unsigned i = 0; i < KM_IRPS; i++)
        if (km_wdm.irps[i].state == KM_IRP_OUTSTANDING)
            km_finding(SIM_MISUSE, "the %s IRP was never completed (a request that "
                       "hangs for ever)", km_wdm.irps[i].what);
}

/* A device object of the harness's: a PDO, or the device of a driver
 * that created none. */
static PDEVICE_OBJECT harness_device(PDRIVER_OBJECT drv)
{
    struct km_device *d = km_device_new(0);
    d->harness = 1;
    d->device.DriverObject = drv;
    d->device.Flags = DO_BUFFERED_IO;
    return &d->device;
}

enum sim_outcome km_wdm_drive(PDRIVER_OBJECT drv, unsigned steps)
{
    file_state = handler(REQ_CREATE) ? FILE_CLOSED : FILE_OPEN;
    irp_seq = 0;
    memset(sent_at, 0, sizeof sent_at);
    target = NULL;
    PDRIVER_ADD_DEVICE add = drv->DriverExtension ? drv->DriverExtension->AddDevice : NULL;
    if (!drv->DeviceObject && add) {
        PDEVICE_OBJECT pdo = harness_device(NULL);
        km_note("%s", "AddDevice");
        struct km_call c = { .nargs = 2, .args = { PTR(drv), PTR(pdo) } };
        km_call_enter(&c, (const void *)add, "DRIVER_ADD_DEVICE", 0);
        NTSTATUS st = add(drv, pdo);
        km_call_leave(&c, 1, (ls_word)(ULONG)st);
        if (!NT_SUCCESS(st))
            return SIM_RUN_ADAPTER_FAILED;
    }
    if (!drv->DeviceObject)
        target = harness_device(drv);
    for (unsigned i = 0; i < steps; i++)
        step();
    purge_startq();
    teardown();
    return SIM_RUN_DONE;
}
