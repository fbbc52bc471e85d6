/*
 * ddi.c — what the compiler knows about the functions a rule may watch
 * (implements ddi.h).
 *
 * Three tables, each sorted by name in strcmp order and searched with
 * bsearch(): the kernel and Storport DDIs with their parameter lists, the
 * SDV harness routines with the driver role each one runs, and the
 * prototypes of those roles.  Sema uses them to reject `$3` on a
 * two-parameter function or `$return` on a VOID one, and to give
 * `fun_HW_STARTIO` and `sdv_RunHwStartIo` the signature of HwStorStartIo.
 *
 * Parameter names, counts and VOID-ness follow Microsoft's public DDI
 * reference (learn.microsoft.com/windows-hardware/drivers/ddi), and POSIX
 * for the pthread functions.  Where a DDI is documented as a macro
 * (KeAcquireSpinLock, IoCompleteRequest) the table describes the call a
 * driver writes, which is what rules name.
 * Keep every table sorted: tests/unit/test_ddi.c checks the order and
 * that each row is reachable through the look-up functions.
 */
#include "ddi.h"

#include <stdlib.h>
#include <string.h>

/* Kernel, HAL and Storport DDIs, then (lower case, so sorted after them)
 * lockstep's thread-exit event and the POSIX thread functions the posix
 * rules watch.  arity -1: variadic (StorPortNotification), so $N is not
 * checked; params then names only the fixed leading parameters.
 * AllocateAdapterChannel, FreeAdapterChannel, FreeMapRegisters,
 * GetScatterGatherList and PutScatterGatherList are DMA_OPERATIONS members,
 * called through DmaAdapter->DmaOperations; IoCallDriver and
 * IoCompleteRequest are macros over IofCallDriver and IofCompleteRequest,
 * and a binary's trace shows the latter, so both spellings are listed. */
static const struct ddi_signature ddi_functions[] = {
    /* name                                      arity  value  parameters */
    { "AllocateAdapterChannel",                      5, true,  "DmaAdapter,DeviceObject,NumberOfMapRegisters,ExecutionRoutine,Context" },
    { "ExAllocatePool2",                             3, true,  "Flags,NumberOfBytes,Tag" },
    { "ExAllocatePoolWithTag",                       3, true,  "PoolType,NumberOfBytes,Tag" },
    { "ExFreePool",                                  1, false, "P" },
    { "ExFreePoolWithTag",                           2, false, "P,Tag" },
    { "FreeAdapterChannel",                          1, false, "DmaAdapter" },
    { "FreeMapRegisters",                            3, false, "DmaAdapter,MapRegisterBase,NumberOfMapRegisters" },
    { "GetScatterGatherList",                        8, true,  "DmaAdapter,DeviceObject,Mdl,CurrentVa,Length,ExecutionRoutine,Context,WriteToDevice" },
    { "IoAcquireCancelSpinLock",                     1, false, "Irql" },
    { "IoAllocateController",                        4, false, "ControllerObject,DeviceObject,ExecutionRoutine,Context" },
    { "IoAllocateIrp",                               2, true,  "StackSize,ChargeQuota" },
    { "IoCallDriver",                                2, true,  "DeviceObject,Irp" },
    { "IoCompleteRequest",                           2, false, "Irp,PriorityBoost" },
    { "IoFreeController",                            1, false, "ControllerObject" },
    { "IoFreeIrp",                                   1, false, "Irp" },
    { "IoMarkIrpPending",                            1, false, "Irp" },
    { "IoReleaseCancelSpinLock",                     1, false, "Irql" },
    { "IoRequestDpc",                                3, false, "DeviceObject,Irp,Context" },
    { "IoSetCancelRoutine",                          2, true,  "Irp,CancelRoutine" },
    { "IoStartNextPacket",                           2, false, "DeviceObject,Cancelable" },
    { "IoStartPacket",                               4, false, "DeviceObject,Irp,Key,CancelFunction" },
    { "IofCallDriver",                               2, true,  "DeviceObject,Irp" },
    { "IofCompleteRequest",                          2, false, "Irp,PriorityBoost" },
    { "KeAcquireInStackQueuedSpinLock",              2, false, "SpinLock,LockHandle" },
    { "KeAcquireInStackQueuedSpinLockAtDpcLevel",    2, false, "SpinLock,LockHandle" },
    { "KeAcquireInStackQueuedSpinLockForDpc",        2, false, "SpinLock,LockHandle" },
    { "KeAcquireInterruptSpinLock",                  1, true,  "Interrupt" },
    { "KeAcquireSpinLock",                           2, false, "SpinLock,OldIrql" },
    { "KeAcquireSpinLockAtDpcLevel",                 1, false, "SpinLock" },
    { "KeAcquireSpinLockRaiseToDpc",                 1, true,  "SpinLock" },
    { "KeGetCurrentIrql",                            0, true,  "" },
    { "KeInitializeDpc",                             3, false, "Dpc,DeferredRoutine,DeferredContext" },
    { "KeInitializeSpinLock",                        1, false, "SpinLock" },
    { "KeInsertByKeyDeviceQueue",                    3, true,  "DeviceQueue,DeviceQueueEntry,SortKey" },
    { "KeInsertDeviceQueue",                         2, true,  "DeviceQueue,DeviceQueueEntry" },
    { "KeInsertQueueDpc",                            3, true,  "Dpc,SystemArgument1,SystemArgument2" },
    { "KeLowerIrql",                                 1, false, "NewIrql" },
    { "KeRaiseIrql",                                 2, false, "NewIrql,OldIrql" },
    { "KeRaiseIrqlToDpcLevel",                       0, true,  "" },
    { "KeReleaseInStackQueuedSpinLock",              1, false, "LockHandle" },
    { "KeReleaseInStackQueuedSpinLockForDpc",        1, false, "LockHandle" },
    { "KeReleaseInStackQueuedSpinLockFromDpcLevel",  1, false, "LockHandle" },
    { "KeReleaseInterruptSpinLock",                  2, false, "Interrupt,OldIrql" },
    { "KeReleaseSpinLock",                           2, false, "SpinLock,NewIrql" },
    { "KeReleaseSpinLockFromDpcLevel",               1, false, "SpinLock" },
    { "KeRemoveByKeyDeviceQueue",                    2, true,  "DeviceQueue,SortKey" },
    { "KeRemoveDeviceQueue",                         1, true,  "DeviceQueue" },
    { "KeSetEvent",                                  3, true,  "Event,Increment,Wait" },
    { "KeStallExecutionProcessor",                   1, false, "MicroSeconds" },
    { "KeSynchronizeExecution",                      3, true,  "Interrupt,SynchronizeRoutine,SynchronizeContext" },
    { "KeTryToAcquireSpinLockAtDpcLevel",            1, true,  "SpinLock" },
    { "KeWaitForSingleObject",                       5, true,  "Object,WaitReason,WaitMode,Alertable,Timeout" },
    { "PutScatterGatherList",                        3, false, "DmaAdapter,ScatterGather,WriteToDevice" },
    { "StorPortAcquireSpinLock",                     4, false, "DeviceExtension,SpinLock,LockContext,LockHandle" },
    { "StorPortAcquireSpinLockEx",                   4, true,  "HwDeviceExtension,SpinLock,LockContext,LockHandle" },
    { "StorPortAllocatePool",                        4, true,  "HwDeviceExtension,NumberOfBytes,Tag,BufferPointer" },
    { "StorPortCompleteRequest",                     5, false, "HwDeviceExtension,PathId,TargetId,Lun,SrbStatus" },
    { "StorPortEnablePassiveInitialization",         2, true,  "DeviceExtension,HwPassiveInitializeRoutine" },
    { "StorPortFreePool",                            2, true,  "HwDeviceExtension,BufferPointer" },
    { "StorPortGetPhysicalAddress",                  4, true,  "HwDeviceExtension,Srb,VirtualAddress,Length" },
    { "StorPortGetScatterGatherList",                2, true,  "HwDeviceExtension,Srb" },
    { "StorPortGetUncachedExtension",                3, true,  "HwDeviceExtension,ConfigInfo,NumberOfBytes" },
    { "StorPortInitialize",                          4, true,  "Argument1,Argument2,HwInitializationData,HwContext" },
    { "StorPortInitializeDpc",                       3, false, "DeviceExtension,Dpc,HwDpcRoutine" },
    { "StorPortIssueDpc",                            4, true,  "DeviceExtension,Dpc,SystemArgument1,SystemArgument2" },
    { "StorPortNotification",                       -1, false, "NotificationType,HwDeviceExtension" },
    { "StorPortReleaseSpinLock",                     2, false, "DeviceExtension,LockHandle" },
    { "StorPortStallExecution",                      1, false, "Delay" },
    { "StorPortSynchronizeAccess",                   3, true,  "HwDeviceExtension,SynchronizedAccessRoutine,Context" },
    /* lockstep's own event: an importer's "this thread ended"
     * (docs/ltrace.md); Status is -1 when a signal killed it */
    { "lockstep_thread_exit",                        2, false, "Status,Signal" },
    /* POSIX threads, parameters named as in POSIX.1-2017 (clocklock and
     * clockwait: POSIX.1-2024, glibc 2.30) */
    { "pthread_cond_clockwait",                      4, true,  "cond,mutex,clock_id,abstime" },
    { "pthread_cond_timedwait",                      3, true,  "cond,mutex,abstime" },
    { "pthread_cond_wait",                           2, true,  "cond,mutex" },
    { "pthread_exit",                                1, false, "value_ptr" },
    { "pthread_mutex_clocklock",                     3, true,  "mutex,clock_id,abstime" },
    { "pthread_mutex_destroy",                       1, true,  "mutex" },
    { "pthread_mutex_init",                          2, true,  "mutex,attr" },
    { "pthread_mutex_lock",                          1, true,  "mutex" },
    { "pthread_mutex_timedlock",                     2, true,  "mutex,abstime" },
    { "pthread_mutex_trylock",                       1, true,  "mutex" },
    { "pthread_mutex_unlock",                        1, true,  "mutex" },
    { "pthread_spin_destroy",                        1, true,  "lock" },
    { "pthread_spin_init",                           2, true,  "lock,pshared" },
    { "pthread_spin_lock",                           1, true,  "lock" },
    { "pthread_spin_trylock",                        1, true,  "lock" },
    { "pthread_spin_unlock",                         1, true,  "lock" },
};

/* Prototypes of the driver routines rules refer to by role: `fun_<ROLE>`,
 * the harness routines below, and role-type declarations in source
 * (`HW_STARTIO AhciHwStartIo;`). */
static const struct ddi_signature ddi_roles[] = {
    /* role                                    arity  value  parameters */
    { "DRIVER_ADD_DEVICE",                         2, true,  "DriverObject,PhysicalDeviceObject" },
    { "DRIVER_CANCEL",                             2, false, "DeviceObject,Irp" },
    { "DRIVER_CONTROL",                            4, true,  "DeviceObject,Irp,MapRegisterBase,Context" },
    { "DRIVER_DISPATCH",                           2, true,  "DeviceObject,Irp" },
    { "DRIVER_INITIALIZE",                         2, true,  "DriverObject,RegistryPath" },
    { "DRIVER_STARTIO",                            2, false, "DeviceObject,Irp" },
    { "DRIVER_UNLOAD",                             1, false, "DriverObject" },
    { "HW_ADAPTER_CONTROL",                        3, true,  "DeviceExtension,ControlType,Parameters" },
    { "HW_BUILDIO",                                2, true,  "DeviceExtension,Srb" },
    { "HW_DPC_ROUTINE",                            4, false, "Dpc,HwDeviceExtension,SystemArgument1,SystemArgument2" },
    { "HW_FIND_ADAPTER",                           6, true,  "DeviceExtension,HwContext,BusInformation,ArgumentString,ConfigInfo,Reserved3" },
    { "HW_INITIALIZE",                             1, true,  "DeviceExtension" },
    { "HW_INTERRUPT",                              1, true,  "DeviceExtension" },
    { "HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE",     2, true,  "HwDeviceExtension,MessageId" },
    { "HW_PASSIVE_INITIALIZE_ROUTINE",             1, true,  "DeviceExtension" },
    { "HW_RESET_BUS",                              2, true,  "DeviceExtension,PathId" },
    { "HW_STARTIO",                                2, true,  "DeviceExtension,Srb" },
    { "HW_STATE_CHANGE",                           5, false, "HwDeviceExtension,Context,AddressType,Address,Status" },
    { "HW_TIMER",                                  1, false, "DeviceExtension" },
    { "HW_UNIT_CONTROL",                           3, true,  "DeviceExtension,ControlType,Parameters" },
    { "IO_COMPLETION_ROUTINE",                     3, true,  "DeviceObject,Irp,Context" },
    { "IO_DPC_ROUTINE",                            4, false, "Dpc,DeviceObject,Irp,Context" },
    { "IO_WORKITEM_ROUTINE",                       2, false, "DeviceObject,Context" },
    { "KDEFERRED_ROUTINE",                         4, false, "Dpc,DeferredContext,SystemArgument1,SystemArgument2" },
    { "KSERVICE_ROUTINE",                          2, true,  "Interrupt,ServiceContext" },
    { "KSYNCHRONIZE_ROUTINE",                      1, true,  "SynchronizeContext" },
};

/* A name that stands for a role: an SDV harness routine (stored without
 * its sdv_ prefix) or one of the routine names SDV's sdv-map.h files use
 * instead of the role typedef (fun_AddDevice, fun_DriverStartIo). */
struct ddi_alias {
    const char *name;
    const char *role;           /* a name in ddi_roles                       */
};

/* SDV harness routines, by name without the sdv_ prefix.  RunAddDevice,
 * RunCancelFunction, RunDispatchFunction, RunIoCompletionRoutines,
 * RunIoDpcRoutines, RunISRRoutines, RunKeDpcRoutines,
 * RunQueryDeviceRelations, RunStartIo, RunUnload and RunHwDpcRoutines are
 * the names of SDV's own harnesses, which the rule files it shipped use.
 * The rest are lockstep's: short forms (RunDPC, RunISR, RunCancelRoutine,
 * RunStartDevice, RunRemoveDevice) and one per Storport miniport entry
 * point (HwStorStartIo: RunHwStartIo, and so on).
 *
 * RunDPC runs a KDEFERRED_ROUTINE, not an IO_DPC_ROUTINE: it is the general
 * DPC (KeInitializeDpc, KeInsertQueueDpc), like SDV's RunKeDpcRoutines; the
 * DpcForIsr routine (IoRequestDpc) has its own harness, RunIoDpcRoutines. */
static const struct ddi_alias ddi_harnesses[] = {
    /* harness (without sdv_)        role */
    { "RunAddDevice",               "DRIVER_ADD_DEVICE" },
    { "RunCancelFunction",          "DRIVER_CANCEL" },
    { "RunCancelRoutine",           "DRIVER_CANCEL" },
    { "RunDPC",                     "KDEFERRED_ROUTINE" },
    { "RunDispatchFunction",        "DRIVER_DISPATCH" },
    { "RunHwAdapterControl",        "HW_ADAPTER_CONTROL" },
    { "RunHwBuildIo",               "HW_BUILDIO" },
    { "RunHwDpcRoutine",            "HW_DPC_ROUTINE" },
    { "RunHwDpcRoutines",           "HW_DPC_ROUTINE" },
    { "RunHwFindAdapter",           "HW_FIND_ADAPTER" },
    { "RunHwInitialize",            "HW_INITIALIZE" },
    { "RunHwInterrupt",             "HW_INTERRUPT" },
    { "RunHwMSIInterrupt",          "HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE" },
    { "RunHwPassiveInitialize",     "HW_PASSIVE_INITIALIZE_ROUTINE" },
    { "RunHwResetBus",              "HW_RESET_BUS" },
    { "RunHwStartIo",               "HW_STARTIO" },
    { "RunHwTimer",                 "HW_TIMER" },
    { "RunHwUnitControl",           "HW_UNIT_CONTROL" },
    { "RunISR",                     "KSERVICE_ROUTINE" },
    { "RunISRRoutines",             "KSERVICE_ROUTINE" },
    { "RunIoCompletionRoutines",    "IO_COMPLETION_ROUTINE" },
    { "RunIoDpcRoutines",           "IO_DPC_ROUTINE" },
    { "RunKeDpcRoutines",           "KDEFERRED_ROUTINE" },
    { "RunQueryDeviceRelations",    "DRIVER_DISPATCH" },    /* IRP_MJ_PNP */
    { "RunRemoveDevice",            "DRIVER_DISPATCH" },    /* IRP_MJ_PNP */
    { "RunStartDevice",             "DRIVER_DISPATCH" },    /* IRP_MJ_PNP */
    { "RunStartIo",                 "DRIVER_STARTIO" },
    { "RunUnload",                  "DRIVER_UNLOAD" },
};

/* sdv-map.h routine names that are not role typedefs. */
static const struct ddi_alias ddi_role_aliases[] = {
    { "AddDevice",                  "DRIVER_ADD_DEVICE" },
    { "DriverEntry",                "DRIVER_INITIALIZE" },
    { "DriverStartIo",              "DRIVER_STARTIO" },
    { "DriverUnload",               "DRIVER_UNLOAD" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* bsearch comparators: the key is the name looked for. */
static int compare_signature(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ddi_signature *)elem)->name);
}

static int compare_alias(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ddi_alias *)elem)->name);
}

static const struct ddi_signature *find_role(const char *role)
{
    return bsearch(role, ddi_roles, COUNT(ddi_roles), sizeof ddi_roles[0],
                   compare_signature);
}

static const struct ddi_alias *find_alias(const struct ddi_alias *table,
                                          size_t count, const char *name)
{
    return bsearch(name, table, count, sizeof table[0], compare_alias);
}

/* s without prefix, or NULL when s does not start with it. */
static const char *skip_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const struct ddi_signature *ddi_lookup(const char *name)
{
    if (name == NULL)
        return NULL;
    return bsearch(name, ddi_functions, COUNT(ddi_functions),
                   sizeof ddi_functions[0], compare_signature);
}

/* Accepts the harness with or without its prefix (sdv_RunStartIo,
 * RunStartIo); later WDKs spell the prefix SDV_.  A prefixed role typedef
 * (SDV_DRIVER_CANCEL, used by later WDK rules for "the cancel routine")
 * names its own role. */
const char *ddi_harness_role(const char *harness_name)
{
    if (harness_name == NULL)
        return NULL;
    const char *bare = skip_prefix(harness_name, "sdv_");
    if (bare == NULL)
        bare = skip_prefix(harness_name, "SDV_");
    const struct ddi_alias *h = find_alias(ddi_harnesses, COUNT(ddi_harnesses),
                                           bare ? bare : harness_name);
    if (h != NULL)
        return h->role;
    if (bare == NULL)
        return NULL;
    const struct ddi_signature *role = find_role(bare);
    return role ? role->name : NULL;
}

/* Besides the role typedefs themselves this resolves the names SDV's
 * sdv-map.h files use: IRP_MJ_<X> (the dispatch routine for that major
 * function), a numbered instance such as IO_DPC_ROUTINE_1, and the aliases
 * above.  A leading fun_ is ignored. */
const struct ddi_signature *ddi_role_signature(const char *role)
{
    if (role == NULL)
        return NULL;
    const char *bare = skip_prefix(role, "fun_");
    if (bare != NULL)
        role = bare;

    const struct ddi_signature *sig = find_role(role);
    if (sig != NULL)
        return sig;
    if (skip_prefix(role, "IRP_MJ_") != NULL)
        return find_role("DRIVER_DISPATCH");
    const struct ddi_alias *alias = find_alias(ddi_role_aliases,
                                               COUNT(ddi_role_aliases), role);
    if (alias != NULL)
        return find_role(alias->role);

    /* IO_DPC_ROUTINE_1 -> IO_DPC_ROUTINE */
    const char *underscore = strrchr(role, '_');
    if (underscore == NULL || underscore == role || underscore[1] == '\0'
        || strspn(underscore + 1, "0123456789") != strlen(underscore + 1))
        return NULL;
    char base[64];
    size_t len = (size_t)(underscore - role);
    if (len >= sizeof base)
        return NULL;
    memcpy(base, role, len);
    base[len] = '\0';
    return find_role(base);
}
