/*
 * kmodel_storport.c — the kernel model's StorPort* calls (km_storport.h):
 * registration, Storport's spin locks with their kinds, DPCs, the timer,
 * request completion, pool, the device's registers.
 *
 * Storport's locks: StartIoLock and InterruptLock are one lock each per
 * adapter, DpcLock is the lock of the STOR_DPC given as LockContext.
 * DpcLock and StartIoLock raise to DISPATCH_LEVEL, InterruptLock to the
 * device's IRQL (LS_DEVICE_LEVEL, as the environment model assumes).
 * Storport holds the interrupt lock itself while it runs HwInterrupt and
 * HwInitialize (the harness takes it), so acquiring it there is a hang.
 *
 * The device is a bank of ULONG registers that reads back what was
 * written; the harness sets register KM_DEVICE_STATUS to 1 before each
 * interrupt.  A read the host chooses to fail returns 0xFFFFFFFF, what a
 * device that reports an error or has gone away answers.
 */
#include <stdarg.h>
#include <string.h>

#include <lockstep/roles.h>

#include "km_storport.h"

#define PTR(p) ((ls_word)(uintptr_t)(p))
#define ARGS(...) const ls_word args[] = { __VA_ARGS__ }; \
                  const unsigned nargs = sizeof args / sizeof args[0]

struct km_adapter km_adapter;

void km_adapter_reset(void)
{
    memset(&km_adapter, 0, sizeof km_adapter);
    for (unsigned i = 0; i < KM_SRBS; i++) {
        struct km_srb *s = &km_adapter.srbs[i];
        s->guard_lo = s->guard_srb = s->guard_data = s->guard_sense = s->guard_hi = KM_GUARD;
    }
}

void km_check_srbs(void)
{
    for (unsigned i = 0; i < KM_SRBS; i++) {
        struct km_srb *s = &km_adapter.srbs[i];
        const char *what = s->guard_lo != KM_GUARD ? "before the SRB"
                         : s->guard_srb != KM_GUARD ? "past the end of the SRB"
                         : s->guard_data != KM_GUARD ? "past the end of the SRB's data buffer"
                         : s->guard_sense != KM_GUARD ? "past the end of the sense buffer"
                         : s->guard_hi != KM_GUARD ? "past the end of the SRB extension"
                         : NULL;
        if (what) {
            s->guard_lo = s->guard_srb = s->guard_data = s->guard_sense = s->guard_hi = KM_GUARD;
            km_finding(SIM_CORRUPT, "the driver wrote %s %p (request %u of the model)",
                       what, (void *)&s->srb, i);
        }
    }
}

struct km_srb *km_srb_of(const void *srb)
{
    for (unsigned i = 0; i < KM_SRBS; i++)
        if (&km_adapter.srbs[i].srb == srb)
            return &km_adapter.srbs[i];
    return NULL;
}

ULONG StorPortInitialize(PVOID Argument1, PVOID Argument2,
                         PHW_INITIALIZATION_DATA HwInitializationData, PVOID HwContext)
{
    ARGS(PTR(Argument1), PTR(Argument2), PTR(HwInitializationData), PTR(HwContext));
    km_entry(KM_StorPortInitialize, nargs, args);
    ULONG status = (ULONG)STATUS_INVALID_PARAMETER;
    const HW_INITIALIZATION_DATA *d = HwInitializationData;
    if (d && d->HwInitializationDataSize >= sizeof *d && d->HwFindAdapter && d->HwInitialize
        && d->HwStartIo) {
        km_adapter.init = *d;
        km_adapter.hw_context = HwContext;
        km_adapter.registered = 1;
        status = STATUS_SUCCESS;
    }
    km_exit(KM_StorPortInitialize, nargs, args, 1, status);
    return status;
}

BOOLEAN StorPortEnablePassiveInitialization(PVOID DeviceExtension,
                                            PHW_PASSIVE_INITIALIZE_ROUTINE HwPassiveInitializeRoutine)
{
    ARGS(PTR(DeviceExtension), PTR(HwPassiveInitializeRoutine));
    km_entry(KM_StorPortEnablePassiveInitialization, nargs, args);
    km_adapter.passive = HwPassiveInitializeRoutine;
    km_exit(KM_StorPortEnablePassiveInitialization, nargs, args, 1, TRUE);
    return TRUE;
}

VOID StorPortAcquireSpinLock(PVOID DeviceExtension, STOR_SPINLOCK SpinLock, PVOID LockContext,
                             PSTOR_LOCK_HANDLE LockHandle)
{
    ARGS(PTR(DeviceExtension), SpinLock, PTR(LockContext), PTR(LockHandle));
    km_entry(KM_StorPortAcquireSpinLock, nargs, args);
    const void *lock = SpinLock == InterruptLock ? (void *)&km_adapter.interrupt_lock
                     : SpinLock == StartIoLock ? (void *)&km_adapter.startio_lock
                     : LockContext ? LockContext : (void *)&km_adapter.dpc_lock;
    if (SpinLock < DpcLock || SpinLock > InterruptLock)
        km_finding(SIM_MISUSE, "StorPortAcquireSpinLock with lock kind %d, which only "
                   "StorPortAcquireSpinLockEx takes", (int)SpinLock);
    else if (SpinLock == DpcLock && LockContext == NULL)
        km_finding(SIM_MISUSE, "StorPortAcquireSpinLock(DpcLock) without the STOR_DPC "
                   "as LockContext");
    KIRQL old = km.irql;
    km_raise(SpinLock == InterruptLock ? LS_DEVICE_LEVEL : DISPATCH_LEVEL,
             "StorPortAcquireSpinLock");
    km_lock_take(KM_STOR, lock, LockHandle, "StorPortAcquireSpinLock")->old_irql = old;
    LockHandle->Lock = SpinLock;
    LockHandle->Context.OldIrql = old;
    km_exit(KM_StorPortAcquireSpinLock, nargs, args, 0, 0);
}

VOID StorPortReleaseSpinLock(PVOID DeviceExtension, PSTOR_LOCK_HANDLE LockHandle)
{
    ARGS(PTR(DeviceExtension), PTR(LockHandle));
    km_entry(KM_StorPortReleaseSpinLock, nargs, args);
    struct km_lock *l = km_lock_find(NULL, LockHandle);
    if (l) {
        KIRQL old = l->old_irql;
        km_lock_drop(l);
        km_lower(old, "StorPortReleaseSpinLock");
    }
    km_exit(KM_StorPortReleaseSpinLock, nargs, args, 0, 0);
}

VOID StorPortInitializeDpc(PVOID DeviceExtension, PSTOR_DPC Dpc, PHW_DPC_ROUTINE HwDpcRoutine)
{
    ARGS(PTR(DeviceExtension), PTR(Dpc), PTR(HwDpcRoutine));
    km_entry(KM_StorPortInitializeDpc, nargs, args);
    memset(Dpc, 0, sizeof *Dpc);
    Dpc->Dpc.DeferredRoutine = (PKDEFERRED_ROUTINE)HwDpcRoutine;
    Dpc->Dpc.DeferredContext = DeviceExtension;
    km_exit(KM_StorPortInitializeDpc, nargs, args, 0, 0);
}

BOOLEAN StorPortIssueDpc(PVOID DeviceExtension, PSTOR_DPC Dpc, PVOID SystemArgument1,
                         PVOID SystemArgument2)
{
    ARGS(PTR(DeviceExtension), PTR(Dpc), PTR(SystemArgument1), PTR(SystemArgument2));
    km_entry(KM_StorPortIssueDpc, nargs, args);
    BOOLEAN queued = (BOOLEAN)km_queue_dpc(Dpc, (km_dpc_routine *)Dpc->Dpc.DeferredRoutine,
                                           DeviceExtension, SystemArgument1, SystemArgument2,
                                           "HW_DPC_ROUTINE");
    km_exit(KM_StorPortIssueDpc, nargs, args, 1, queued);
    return queued;
}

/* Complete one request; completing one that is not outstanding is misuse. */
static void complete_srb(PSCSI_REQUEST_BLOCK Srb, const char *who)
{
    struct km_srb *s = km_srb_of(Srb);
    if (!s || s->state != KM_SRB_OUTSTANDING) {
        km_finding(SIM_MISUSE, "%s completes SRB %p, which %s", who, (void *)Srb,
                   !s ? "Storport never handed to the driver"
                      : "is already complete");
        return;
    }
    s->state = KM_SRB_COMPLETED;
}

VOID StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType, PVOID HwDeviceExtension, ...)
{
    ls_word args[4] = { NotificationType, PTR(HwDeviceExtension) };
    unsigned nargs = 2;
    PSCSI_REQUEST_BLOCK srb = NULL;
    PHW_TIMER timer = NULL;
    ULONG delay = 0;
    va_list ap;
    va_start(ap, HwDeviceExtension);
    if (NotificationType == RequestComplete) {
        srb = va_arg(ap, PSCSI_REQUEST_BLOCK);
        args[nargs++] = PTR(srb);
    } else if (NotificationType == RequestTimerCall) {
        timer = va_arg(ap, PHW_TIMER);
        delay = va_arg(ap, ULONG);
        args[nargs++] = PTR(timer);
        args[nargs++] = delay;
    }
    va_end(ap);
    km_entry(KM_StorPortNotification, nargs, args);
    if (NotificationType == RequestComplete)
        complete_srb(srb, "StorPortNotification(RequestComplete)");
    else if (NotificationType == RequestTimerCall)
        km_adapter.timer = delay ? timer : NULL;
    km_exit(KM_StorPortNotification, nargs, args, 0, 0);
}

VOID StorPortCompleteRequest(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun,
                             UCHAR SrbStatus)
{
    ARGS(PTR(HwDeviceExtension), PathId, TargetId, Lun, SrbStatus);
    km_entry(KM_StorPortCompleteRequest, nargs, args);
    for (unsigned i = 0; i < KM_SRBS; i++) {
        struct km_srb *s = &km_adapter.srbs[i];
        if (s->state == KM_SRB_OUTSTANDING) {
            s->srb.SrbStatus = SrbStatus;
            s->state = KM_SRB_COMPLETED;
        }
    }
    km_exit(KM_StorPortCompleteRequest, nargs, args, 0, 0);
}

ULONG StorPortAllocatePool(PVOID HwDeviceExtension, ULONG NumberOfBytes, ULONG Tag,
                           PVOID *BufferPointer)
{
    ARGS(PTR(HwDeviceExtension), NumberOfBytes, Tag, PTR(BufferPointer));
    km_entry(KM_StorPortAllocatePool, nargs, args);
    *BufferPointer = km_alloc(KM_StorPortAllocatePool, NumberOfBytes);
    ULONG status = *BufferPointer ? STOR_STATUS_SUCCESS : STOR_STATUS_INSUFFICIENT_RESOURCES;
    km_exit(KM_StorPortAllocatePool, nargs, args, 1, status);
    return status;
}

ULONG StorPortFreePool(PVOID HwDeviceExtension, PVOID BufferPointer)
{
    ARGS(PTR(HwDeviceExtension), PTR(BufferPointer));
    km_entry(KM_StorPortFreePool, nargs, args);
    km_free(BufferPointer, "StorPortFreePool");
    km_exit(KM_StorPortFreePool, nargs, args, 1, STOR_STATUS_SUCCESS);
    return STOR_STATUS_SUCCESS;
}

PVOID StorPortGetUncachedExtension(PVOID HwDeviceExtension,
                                   PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                   ULONG NumberOfBytes)
{
    ARGS(PTR(HwDeviceExtension), PTR(ConfigInfo), NumberOfBytes);
    km_entry(KM_StorPortGetUncachedExtension, nargs, args);
    PVOID p = km_alloc(KM_StorPortGetUncachedExtension, NumberOfBytes);
    km_exit(KM_StorPortGetUncachedExtension, nargs, args, 1, PTR(p));
    return p;
}

PVOID StorPortGetDeviceBase(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                            ULONG SystemIoBusNumber, STOR_PHYSICAL_ADDRESS IoAddress,
                            ULONG NumberOfBytes, BOOLEAN InIoSpace)
{
    ARGS(PTR(HwDeviceExtension), BusType, SystemIoBusNumber, IoAddress.QuadPart, NumberOfBytes,
         InIoSpace);
    km_entry(KM_StorPortGetDeviceBase, nargs, args);
    PVOID base = NumberOfBytes <= sizeof km_adapter.registers
                 && !km_fault(KM_StorPortGetDeviceBase) ? km_adapter.registers : NULL;
    km_exit(KM_StorPortGetDeviceBase, nargs, args, 1, PTR(base));
    return base;
}

/* The register's index in the device's bank, or -1 (misuse reported)
 * when Register is not one of the device's registers. */
static long register_index(PULONG Register, const char *who)
{
    uintptr_t at = (uintptr_t)Register, base = (uintptr_t)km_adapter.registers;
    if (at >= base && at < base + sizeof km_adapter.registers && (at - base) % sizeof(ULONG) == 0)
        return (long)((at - base) / sizeof(ULONG));
    km_finding(SIM_MISUSE, "%s at %p, which is not a register of the device "
               "(StorPortGetDeviceBase maps them)", who, (void *)Register);
    return -1;
}

ULONG StorPortReadRegisterUlong(PVOID HwDeviceExtension, PULONG Register)
{
    ARGS(PTR(HwDeviceExtension), PTR(Register));
    km_entry(KM_StorPortReadRegisterUlong, nargs, args);
    long i = register_index(Register, "StorPortReadRegisterUlong");
    ULONG v = i < 0 || km_fault(KM_StorPortReadRegisterUlong) ? 0xFFFFFFFFu
            : km_adapter.registers[i];
    km_exit(KM_StorPortReadRegisterUlong, nargs, args, 1, v);
    return v;
}

VOID StorPortWriteRegisterUlong(PVOID HwDeviceExtension, PULONG Register, ULONG Value)
{
    ARGS(PTR(HwDeviceExtension), PTR(Register), Value);
    km_entry(KM_StorPortWriteRegisterUlong, nargs, args);
    long i = register_index(Register, "StorPortWriteRegisterUlong");
    if (i >= 0)
        km_adapter.registers[i] = Value;
    km_exit(KM_StorPortWriteRegisterUlong, nargs, args, 0, 0);
}

VOID StorPortStallExecution(ULONG Delay)
{
    ARGS(Delay);
    km_entry(KM_StorPortStallExecution, nargs, args);
    km_exit(KM_StorPortStallExecution, nargs, args, 0, 0);
}
