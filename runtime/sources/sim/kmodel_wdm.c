/*
 * kmodel_wdm.c — the kernel model's I/O manager calls for WDM drivers
 * (km_wdm.h): device objects, IRP completion with completion routines,
 * stack locations, pending and cancel (IoSetCancelRoutine, IoCancelIrp
 * calling the cancel routine with the cancel spin lock held), the device
 * queue of IoStartPacket, IoRequestDpc, and timers whose DPC the harness
 * runs when they fire.
 *
 * What the model checks as the real I/O manager would bug-check: an IRP
 * completed twice (MULTIPLE_IRP_COMPLETE_REQUESTS) and an IRP completed
 * with its cancel routine still set (CANCEL_STATE_IN_COMPLETED_IRP) end
 * the run.  An IRP the model did not build (an SRB's OriginalRequest) is
 * only recorded.
 *
 * Where the model differs from Windows: IoStartPacket queues the packet
 * and the harness calls StartIo as a step of its own when the device is
 * idle (Windows calls it at once when the device is idle), so a routine is
 * never called from inside another one's DDI; IoStartNextPacket makes the
 * device idle.  A timer fires when the harness chooses, not when its due
 * time passes.
 */
#include <string.h>

#include "km_wdm.h"

#define PTR(p) ((ls_word)(uintptr_t)(p))
#define ARGS(...) const ls_word args[] = { __VA_ARGS__ }; \
                  const unsigned nargs = sizeof args / sizeof args[0]

struct km_wdm km_wdm;

static void fence_device(struct km_device *d)
{
    d->guard_lo = d->guard_device = d->guard_hi = KM_GUARD;
}

static void fence_irp(struct km_irp *k)
{
    k->guard_lo = k->guard_irp = k->guard_stack = k->guard_hi = KM_GUARD;
}

void km_wdm_reset(PDRIVER_OBJECT driver)
{
    memset(&km_wdm, 0, sizeof km_wdm);
    km_wdm.driver = driver;
    for (unsigned i = 0; i < KM_DEVICES; i++)
        fence_device(&km_wdm.devices[i]);
    for (unsigned i = 0; i < KM_IRPS; i++)
        fence_irp(&km_wdm.irps[i]);
    km_wdm.file.Type = IO_TYPE_FILE;
    km_wdm.file.Size = sizeof km_wdm.file;
}

void km_check_irps(void)
{
    for (unsigned i = 0; i < KM_IRPS; i++) {
        struct km_irp *k = &km_wdm.irps[i];
        const char *what = k->guard_lo != KM_GUARD ? "before the IRP"
                         : k->guard_irp != KM_GUARD ? "past the end of the IRP"
                         : k->guard_stack != KM_GUARD ? "past the IRP's stack locations"
                         : k->guard_hi != KM_GUARD ? "past the end of the IRP's buffer"
                         : NULL;
        if (what) {
            fence_irp(k);
            km_finding(SIM_CORRUPT, "the driver wrote %s %p (IRP %u of the model)", what,
                       (void *)&k->irp, i);
        }
    }
    for (unsigned i = 0; i < KM_DEVICES; i++) {
        struct km_device *d = &km_wdm.devices[i];
        const char *what = d->guard_lo != KM_GUARD ? "before the device object"
                         : d->guard_device != KM_GUARD ? "past the end of the device object"
                         : d->guard_hi != KM_GUARD ? "past the end of the device extension"
                         : NULL;
        if (what) {
            fence_device(d);
            km_finding(SIM_CORRUPT, "the driver wrote %s %p", what, (void *)&d->device);
        }
    }
}

struct km_irp *km_irp_of(const void *irp)
{
    for (unsigned i = 0; i < KM_IRPS; i++)
        if (&km_wdm.irps[i].irp == irp)
            return &km_wdm.irps[i];
    return NULL;
}

static struct km_device *device_of(const void *device)
{
    for (unsigned i = 0; i < KM_DEVICES; i++)
        if (&km_wdm.devices[i].device == device)
            return &km_wdm.devices[i];
    return NULL;
}

struct km_device *km_device_new(ULONG extension_size)
{
    for (unsigned i = 0; i < KM_DEVICES; i++) {
        struct km_device *d = &km_wdm.devices[i];
        if (d->used)
            continue;
        memset(&d->device, 0, sizeof d->device);
        memset(d->extension, 0, sizeof d->extension);
        d->used = 1;
        d->harness = 0;
        d->device.Type = IO_TYPE_DEVICE;
        d->device.Size = (USHORT)sizeof d->device;
        d->device.StackSize = 1;
        d->device.DeviceExtension = extension_size ? d->extension : NULL;
        return d;
    }
    return NULL;
}

int km_wdm_registered(const DRIVER_OBJECT *driver)
{
    for (unsigned i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        if (driver->MajorFunction[i])
            return 1;
    return driver->DriverStartIo || driver->DriverUnload
        || (driver->DriverExtension && driver->DriverExtension->AddDevice);
}

/* ---- devices --------------------------------------------------------------- */

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    ARGS(PTR(DriverObject), DeviceExtensionSize, PTR(DeviceName), DeviceType,
         DeviceCharacteristics, Exclusive, PTR(DeviceObject));
    km_entry(KM_IoCreateDevice, nargs, args);
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    struct km_device *d = NULL;
    if (DeviceExtensionSize > KM_DEVICE_EXTENSION)
        km_finding(SIM_MISUSE, "IoCreateDevice with a device extension of %lu bytes; the "
                   "model has room for %d", (unsigned long)DeviceExtensionSize,
                   KM_DEVICE_EXTENSION);
    else if (!km_fault(KM_IoCreateDevice) && (d = km_device_new(DeviceExtensionSize)) != NULL)
        status = STATUS_SUCCESS;
    if (d) {
        PDEVICE_OBJECT dev = &d->device;
        dev->DriverObject = DriverObject;
        dev->DeviceType = DeviceType;
        dev->Characteristics = DeviceCharacteristics;
        dev->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
        if (DriverObject) {
            dev->NextDevice = DriverObject->DeviceObject;
            DriverObject->DeviceObject = dev;
        }
        *DeviceObject = dev;
    } else {
        *DeviceObject = NULL;
    }
    km_exit(KM_IoCreateDevice, nargs, args, 1, (ls_word)(ULONG)status);
    return status;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    ARGS(PTR(DeviceObject));
    km_entry(KM_IoDeleteDevice, nargs, args);
    struct km_device *d = device_of(DeviceObject);
    if (!d || !d->used || d->harness) {
        km_finding(SIM_MISUSE, "IoDeleteDevice(%p), a device object the driver did not "
                   "create or deleted before", (void *)DeviceObject);
    } else {
        PDRIVER_OBJECT drv = DeviceObject->DriverObject;
        for (PDEVICE_OBJECT *link = drv ? &drv->DeviceObject : NULL; link && *link;
             link = &(*link)->NextDevice)
            if (*link == DeviceObject) {
                *link = DeviceObject->NextDevice;
                break;
            }
        d->used = 0;
    }
    km_exit(KM_IoDeleteDevice, nargs, args, 0, 0);
}

/* ---- IRPs ------------------------------------------------------------------ */

PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP Irp)
{
    ARGS(PTR(Irp));
    km_entry(KM_IoGetCurrentIrpStackLocation, nargs, args);
    PIO_STACK_LOCATION s = Irp->Tail.Overlay.CurrentStackLocation;
    km_exit(KM_IoGetCurrentIrpStackLocation, nargs, args, 1, PTR(s));
    return s;
}

/* The location below the current one, or NULL (misuse) when the IRP has
 * none. */
static PIO_STACK_LOCATION next_location(PIRP Irp, const char *who)
{
    struct km_irp *k = km_irp_of(Irp);
    PIO_STACK_LOCATION s = Irp->Tail.Overlay.CurrentStackLocation;
    if (!s || (k && s == &k->stack[0])) {
        km_finding(SIM_MISUSE, "%s: IRP %p has no stack location below the current one",
                   who, (void *)Irp);
        return NULL;
    }
    return s - 1;
}

PIO_STACK_LOCATION IoGetNextIrpStackLocation(PIRP Irp)
{
    ARGS(PTR(Irp));
    km_entry(KM_IoGetNextIrpStackLocation, nargs, args);
    PIO_STACK_LOCATION s = next_location(Irp, "IoGetNextIrpStackLocation");
    km_exit(KM_IoGetNextIrpStackLocation, nargs, args, 1, PTR(s));
    return s;
}

VOID IoMarkIrpPending(PIRP Irp)
{
    ARGS(PTR(Irp));
    km_entry(KM_IoMarkIrpPending, nargs, args);
    if (Irp->Tail.Overlay.CurrentStackLocation)
        Irp->Tail.Overlay.CurrentStackLocation->Control |= SL_PENDING_RETURNED;
    struct km_irp *k = km_irp_of(Irp);
    if (k)
        k->pending = 1;
    km_exit(KM_IoMarkIrpPending, nargs, args, 0, 0);
}

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
    ARGS(PTR(Irp), PTR(CancelRoutine));
    km_entry(KM_IoSetCancelRoutine, nargs, args);
    PDRIVER_CANCEL old = Irp->CancelRoutine;
    Irp->CancelRoutine = CancelRoutine;
    km_exit(KM_IoSetCancelRoutine, nargs, args, 1, PTR(old));
    return old;
}

VOID IoSetCompletionRoutine(PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                            BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                            BOOLEAN InvokeOnCancel)
{
    ARGS(PTR(Irp), PTR(CompletionRoutine), PTR(Context), InvokeOnSuccess, InvokeOnError,
         InvokeOnCancel);
    km_entry(KM_IoSetCompletionRoutine, nargs, args);
    PIO_STACK_LOCATION next = next_location(Irp, "IoSetCompletionRoutine");
    if (next) {
        next->CompletionRoutine = CompletionRoutine;
        next->Context = Context;
        next->Control = (UCHAR)((InvokeOnSuccess ? SL_INVOKE_ON_SUCCESS : 0)
                                | (InvokeOnError ? SL_INVOKE_ON_ERROR : 0)
                                | (InvokeOnCancel ? SL_INVOKE_ON_CANCEL : 0));
    }
    km_exit(KM_IoSetCompletionRoutine, nargs, args, 0, 0);
}

/* The completion routines of the locations from the completing one up, as
 * the I/O manager runs them: each at the completer's IRQL, with the
 * device object of the location above it, until one says
 * STATUS_MORE_PROCESSING_REQUIRED. */
static void run_completion_routines(struct km_irp *k)
{
    PIRP irp = &k->irp;
    for (PIO_STACK_LOCATION s = irp->Tail.Overlay.CurrentStackLocation;
         s && s < k->stack + KM_IRP_STACK; s++) {
        PIO_COMPLETION_ROUTINE routine = s->CompletionRoutine;
        NTSTATUS st = irp->IoStatus.Status;
        UCHAR when = irp->Cancel ? SL_INVOKE_ON_CANCEL
                   : NT_SUCCESS(st) ? SL_INVOKE_ON_SUCCESS : SL_INVOKE_ON_ERROR;
        s->CompletionRoutine = NULL;
        if (!routine || !(s->Control & when))
            continue;
        PDEVICE_OBJECT upper = s + 1 < k->stack + KM_IRP_STACK ? s[1].DeviceObject : NULL;
        km_note("%s", "completion routine");
        struct km_call c = { .fixed_irql = 1, .nargs = 3,
                             .args = { PTR(upper), PTR(irp), PTR(s->Context) } };
        km_call_enter(&c, (const void *)routine, "IO_COMPLETION_ROUTINE", 0);
        NTSTATUS r = routine(upper, irp, s->Context);
        km_call_leave(&c, 1, (ls_word)(ULONG)r);
        if (r == STATUS_MORE_PROCESSING_REQUIRED) {
            k->state = KM_IRP_OUTSTANDING;      /* the routine owns it again */
            return;
        }
    }
}

/* IoCompleteRequest and IofCompleteRequest. */
static void complete_irp(enum km_fn fn, PIRP Irp, CCHAR PriorityBoost, const char *who)
{
    ARGS(PTR(Irp), PriorityBoost);
    km_entry(fn, nargs, args);
    struct km_irp *k = km_irp_of(Irp);
    if (k) {
        if (k->state != KM_IRP_OUTSTANDING)
            km_finding(SIM_BUGCHECK, "%s completes the %s IRP, which is already complete "
                       "(MULTIPLE_IRP_COMPLETE_REQUESTS)", who, k->what);
        if (Irp->CancelRoutine)
            km_finding(SIM_BUGCHECK, "%s completes the %s IRP with its cancel routine "
                       "still set (CANCEL_STATE_IN_COMPLETED_IRP)", who, k->what);
        k->state = KM_IRP_COMPLETED;
        run_completion_routines(k);
    }
    km_exit(fn, nargs, args, 0, 0);
}

VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    complete_irp(KM_IoCompleteRequest, Irp, PriorityBoost, "IoCompleteRequest");
}

VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    complete_irp(KM_IofCompleteRequest, Irp, PriorityBoost, "IofCompleteRequest");
}

/* As Windows does it: the cancel spin lock taken (through the model's
 * IoAcquireCancelSpinLock, so its events are there for the rules), Cancel
 * set, the cancel routine taken out of the IRP and called at
 * DISPATCH_LEVEL with the lock held; it must release the lock with the
 * IRP's CancelIrql and so return at that IRQL.  Without a cancel routine
 * the lock is released here.  TRUE when a cancel routine was called. */
BOOLEAN IoCancelIrp(PIRP Irp)
{
    ARGS(PTR(Irp));
    km_entry(KM_IoCancelIrp, nargs, args);
    struct km_irp *k = km_irp_of(Irp);
    BOOLEAN called = FALSE;
    if (k && k->state != KM_IRP_OUTSTANDING) {
        km_finding(SIM_MISUSE, "IoCancelIrp on the %s IRP, which is already complete",
                   k->what);
    } else {
        KIRQL irql;
        IoAcquireCancelSpinLock(&irql);
        Irp->CancelIrql = irql;
        Irp->Cancel = TRUE;
        PDRIVER_CANCEL routine = Irp->CancelRoutine;
        Irp->CancelRoutine = NULL;
        if (routine) {
            PIO_STACK_LOCATION s = Irp->Tail.Overlay.CurrentStackLocation;
            PDEVICE_OBJECT dev = s ? s->DeviceObject : NULL;
            km_note("%s", "cancel routine");
            struct km_call c = { .nargs = 2, .args = { PTR(dev), PTR(Irp) } };
            km_call_enter(&c, (const void *)routine, "DRIVER_CANCEL", 0);
            c.exit_irql = c.before = irql;
            routine(dev, Irp);
            km_call_leave(&c, 0, 0);
            called = TRUE;
        } else {
            IoReleaseCancelSpinLock(irql);
        }
    }
    km_exit(KM_IoCancelIrp, nargs, args, 1, called);
    return called;
}

/* ---- the device queue and DPCs --------------------------------------------- */

VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key,
                   PDRIVER_CANCEL CancelFunction)
{
    ARGS(PTR(DeviceObject), PTR(Irp), PTR(Key), PTR(CancelFunction));
    km_entry(KM_IoStartPacket, nargs, args);
    struct km_irp *k = km_irp_of(Irp);
    if (CancelFunction)
        Irp->CancelRoutine = CancelFunction;
    if (!k || k->started || km_wdm.nstartq == KM_IRPS) {
        km_finding(SIM_MISUSE, "IoStartPacket(%p): not an IRP the I/O manager sent, or "
                   "one started before", (void *)Irp);
    } else {
        k->started = 1;
        km_wdm.startq[km_wdm.nstartq++] = Irp;
    }
    km_exit(KM_IoStartPacket, nargs, args, 0, 0);
}

VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    ARGS(PTR(DeviceObject), Cancelable);
    km_entry(KM_IoStartNextPacket, nargs, args);
    DeviceObject->CurrentIrp = NULL;
    km_exit(KM_IoStartNextPacket, nargs, args, 0, 0);
}

VOID IoInitializeDpcRequest(PDEVICE_OBJECT DeviceObject, PIO_DPC_ROUTINE DpcRoutine)
{
    ARGS(PTR(DeviceObject), PTR(DpcRoutine));
    km_entry(KM_IoInitializeDpcRequest, nargs, args);
    DeviceObject->Dpc.DeferredRoutine = (PKDEFERRED_ROUTINE)DpcRoutine;
    DeviceObject->Dpc.DeferredContext = DeviceObject;
    km_exit(KM_IoInitializeDpcRequest, nargs, args, 0, 0);
}

VOID IoRequestDpc(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    ARGS(PTR(DeviceObject), PTR(Irp), PTR(Context));
    km_entry(KM_IoRequestDpc, nargs, args);
    km_queue_dpc(&DeviceObject->Dpc, (km_dpc_routine *)DeviceObject->Dpc.DeferredRoutine,
                 DeviceObject, Irp, Context, "IO_DPC_ROUTINE");
    km_exit(KM_IoRequestDpc, nargs, args, 0, 0);
}

/* ---- timers ---------------------------------------------------------------- */

/* Take timer out of the armed ones; 1 when it was armed. */
static int disarm(PKTIMER Timer)
{
    for (unsigned i = 0; i < km_wdm.ntimers; i++)
        if (km_wdm.timers[i].timer == Timer) {
            memmove(&km_wdm.timers[i], &km_wdm.timers[i + 1],
                    (--km_wdm.ntimers - i) * sizeof km_wdm.timers[0]);
            return 1;
        }
    return 0;
}

static void initialize_timer(PKTIMER Timer, TIMER_TYPE Type)
{
    memset(Timer, 0, sizeof *Timer);
    Timer->Header.Type = (UCHAR)(8 + Type);     /* the timer object types */
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    ARGS(PTR(Timer));
    km_entry(KM_KeInitializeTimer, nargs, args);
    initialize_timer(Timer, NotificationTimer);
    km_exit(KM_KeInitializeTimer, nargs, args, 0, 0);
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    ARGS(PTR(Timer), Type);
    km_entry(KM_KeInitializeTimerEx, nargs, args);
    initialize_timer(Timer, Type);
    km_exit(KM_KeInitializeTimerEx, nargs, args, 0, 0);
}

/* KeSetTimer and KeSetTimerEx: (re)arm; TRUE when it was armed before.
 * Only a timer with a DPC can do anything the harness would run. */
static BOOLEAN arm_timer(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    BOOLEAN was = (BOOLEAN)disarm(Timer);
    Timer->Dpc = Dpc;
    Timer->Period = Period;
    Timer->DueTime.QuadPart = (ULONGLONG)DueTime.QuadPart;
    Timer->Header.SignalState = 0;
    if (Dpc && km_wdm.ntimers < KM_TIMERS)
        km_wdm.timers[km_wdm.ntimers++] = (struct km_timer){ Timer, Dpc, Period };
    return was;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    ARGS(PTR(Timer), (ls_word)DueTime.QuadPart, PTR(Dpc));
    km_entry(KM_KeSetTimer, nargs, args);
    BOOLEAN was = arm_timer(Timer, DueTime, 0, Dpc);
    km_exit(KM_KeSetTimer, nargs, args, 1, was);
    return was;
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    ARGS(PTR(Timer), (ls_word)DueTime.QuadPart, (ls_word)Period, PTR(Dpc));
    km_entry(KM_KeSetTimerEx, nargs, args);
    BOOLEAN was = arm_timer(Timer, DueTime, Period, Dpc);
    km_exit(KM_KeSetTimerEx, nargs, args, 1, was);
    return was;
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    ARGS(PTR(Timer));
    km_entry(KM_KeCancelTimer, nargs, args);
    BOOLEAN was = (BOOLEAN)disarm(Timer);
    km_exit(KM_KeCancelTimer, nargs, args, 1, was);
    return was;
}
