/*
 * miniport.c — lockstep's example Storport miniport, written for this
 * project to be simulated (`lockstep sim`) and scanned (`lockstep scan`).
 * Plain C against the DDI model headers (runtime/include/lockstep/ddk).
 *
 * The device (the kernel model's, docs/simulation.md) has two registers:
 * writing REG_COMMAND starts the request at the head of the queue, and
 * REG_STATUS reads 1 when a request has finished (0 when the interrupt is
 * not ours, 0xFFFFFFFF when the device reports an error).
 *
 *   HwStartIo     queues the request under QueueLock (KeAcquireSpinLock)
 *                 and starts the device; flushes complete at once
 *   HwInterrupt   acknowledges the device and queues the completion DPC
 *   DPC           completes the request at the head of the queue, counts
 *                 it under StatsLock (an in-stack queued spin lock)
 *   HwTimer       a watchdog: peeks at the queue with a try-acquire
 *   HwResetBus    fails every queued request
 *
 * Each -DBUG_* switch plants one bug that one rule family catches, on a
 * path only some schedules take:
 *   BUG_RELEASE_WRONG_IRQL             IrqlKeReleaseSpinLock  (find adapter)
 *   BUG_LOCK_HELD_ON_ERROR_PATH        SpinLock     (start I/O, allocation fails)
 *   BUG_RELEASE_NOT_ACQUIRED           SpinLockRelease (reset with requests queued)
 *   BUG_QUEUED_RELEASE_WITHOUT_ACQUIRE QueuedSpinLockRelease (DPC after a device error)
 *   BUG_QUEUED_LOCK_HELD_ON_RETURN     QueuedSpinLock (DPC with nothing queued)
 *   BUG_COMPLETE_UNDER_LOCK            SpinLockSafe (reset with requests queued)
 *   BUG_DPC_LOCK_AT_DIRQL              IrqlDispatch (interrupt)
 * Built without any, it follows every rule on every schedule.
 */
#include <storport.h>

#define MP_TAG 0x704d734cu          /* "LsMp" */
#define REG_COMMAND 0
#define REG_STATUS 1
#define DEVICE_DONE 1
#define DEVICE_ERROR 0xFFFFFFFFu
#define WATCHDOG_US 500000

/* One request the device has been asked to do. */
typedef struct _MP_REQUEST {
    LIST_ENTRY Link;
    PSCSI_REQUEST_BLOCK Srb;
} MP_REQUEST, *PMP_REQUEST;

typedef struct _MP_EXTENSION {
    PULONG Registers;
    KSPIN_LOCK ConfigLock;          /* ConfigGeneration                     */
    ULONG ConfigGeneration;
    KSPIN_LOCK QueueLock;           /* Queue, Queued                        */
    LIST_ENTRY Queue;               /* started, oldest first                */
    ULONG Queued;
    KSPIN_LOCK StatsLock;           /* the counters below                   */
    ULONG Completed, Failed, Ticks;
    BOOLEAN DeviceError;            /* the interrupt saw an error status    */
    BOOLEAN WatchdogArmed;
    STOR_DPC CompletionDpc;
} MP_EXTENSION, *PMP_EXTENSION;

sp_DRIVER_INITIALIZE DriverEntry;
HW_FIND_ADAPTER MpFindAdapter;
HW_INITIALIZE MpInitialize;
HW_BUILDIO MpBuildIo;
HW_STARTIO MpStartIo;
HW_INTERRUPT MpInterrupt;
HW_DPC_ROUTINE MpCompletionDpc;
HW_TIMER MpWatchdog;
HW_RESET_BUS MpResetBus;

static void MpComplete(PMP_EXTENSION Ext, PSCSI_REQUEST_BLOCK Srb, UCHAR Status)
{
    Srb->SrbStatus = Status;
    StorPortNotification(RequestComplete, Ext, Srb);
}

/* Count a finished request; at DISPATCH_LEVEL. */
static void MpCount(PMP_EXTENSION Ext, BOOLEAN Ok)
{
    KLOCK_QUEUE_HANDLE stats;
    KeAcquireInStackQueuedSpinLock(&Ext->StatsLock, &stats);
    if (Ok)
        Ext->Completed++;
    else
        Ext->Failed++;
    KeReleaseInStackQueuedSpinLock(&stats);
}

ULONG MpFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                    PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                    PBOOLEAN Reserved3)
{
    PMP_EXTENSION ext = DeviceExtension;
    STOR_PHYSICAL_ADDRESS base;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(ArgumentString);
    UNREFERENCED_PARAMETER(Reserved3);
    base.QuadPart = 0xfe000000;
    ext->Registers = StorPortGetDeviceBase(ext, PCIBus, 0, base, 2 * sizeof(ULONG), FALSE);
    if (ext->Registers == NULL)
        return SP_RETURN_ERROR;
    KeInitializeSpinLock(&ext->ConfigLock);
    KeInitializeSpinLock(&ext->QueueLock);
    KeInitializeSpinLock(&ext->StatsLock);
    InitializeListHead(&ext->Queue);

    KeAcquireSpinLock(&ext->ConfigLock, &oldIrql);
    ext->ConfigGeneration++;
#ifdef BUG_RELEASE_WRONG_IRQL
    KeReleaseSpinLock(&ext->ConfigLock, DISPATCH_LEVEL);
    UNREFERENCED_PARAMETER(oldIrql);
#else
    KeReleaseSpinLock(&ext->ConfigLock, oldIrql);
#endif

    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->ScatterGather = FALSE;
    return SP_RETURN_FOUND;
}

BOOLEAN MpInitialize(PVOID DeviceExtension)
{
    PMP_EXTENSION ext = DeviceExtension;
    StorPortInitializeDpc(ext, &ext->CompletionDpc, MpCompletionDpc);
    StorPortWriteRegisterUlong(ext, &ext->Registers[REG_STATUS], 0);
    return TRUE;
}

BOOLEAN MpBuildIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    if (Srb->Function == SRB_FUNCTION_EXECUTE_SCSI && Srb->DataTransferLength > 0
        && Srb->DataBuffer == NULL) {
        MpComplete(DeviceExtension, Srb, SRB_STATUS_INVALID_REQUEST);
        return FALSE;
    }
    return TRUE;
}

BOOLEAN MpStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PMP_EXTENSION ext = DeviceExtension;
    PMP_REQUEST req = NULL;
    KIRQL oldIrql;

    if (Srb->Function == SRB_FUNCTION_FLUSH) {
        MpComplete(ext, Srb, SRB_STATUS_SUCCESS);
        return TRUE;
    }
    if (Srb->Function != SRB_FUNCTION_EXECUTE_SCSI) {
        MpComplete(ext, Srb, SRB_STATUS_INVALID_REQUEST);
        return TRUE;
    }

    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    if (StorPortAllocatePool(ext, sizeof *req, MP_TAG, (PVOID *)&req) != STOR_STATUS_SUCCESS) {
#ifndef BUG_LOCK_HELD_ON_ERROR_PATH
        KeReleaseSpinLock(&ext->QueueLock, oldIrql);
#endif
        MpComplete(ext, Srb, SRB_STATUS_BUSY);
        return TRUE;
    }
    req->Srb = Srb;
    InsertTailList(&ext->Queue, &req->Link);
    ext->Queued++;
    StorPortWriteRegisterUlong(ext, &ext->Registers[REG_COMMAND], 1);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);

    if (!ext->WatchdogArmed) {
        ext->WatchdogArmed = TRUE;
        StorPortNotification(RequestTimerCall, ext, MpWatchdog, (ULONG)WATCHDOG_US);
    }
    StorPortNotification(NextRequest, ext);
    return TRUE;
}

BOOLEAN MpInterrupt(PVOID DeviceExtension)
{
    PMP_EXTENSION ext = DeviceExtension;
    ULONG status = StorPortReadRegisterUlong(ext, &ext->Registers[REG_STATUS]);

    if (status == 0)
        return FALSE;                   /* not our interrupt */
    if (status == DEVICE_ERROR)
        ext->DeviceError = TRUE;
    StorPortWriteRegisterUlong(ext, &ext->Registers[REG_STATUS], 0);
#ifdef BUG_DPC_LOCK_AT_DIRQL
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Ticks++;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
#endif
    StorPortIssueDpc(ext, &ext->CompletionDpc, NULL, NULL);
    return TRUE;
}

/* Take the oldest queued request off the queue, or NULL; at DISPATCH_LEVEL. */
static PMP_REQUEST MpDequeue(PMP_EXTENSION Ext)
{
    PMP_REQUEST req = NULL;
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);
    if (!IsListEmpty(&Ext->Queue)) {
        req = CONTAINING_RECORD(RemoveHeadList(&Ext->Queue), MP_REQUEST, Link);
        Ext->Queued--;
    }
    KeReleaseSpinLock(&Ext->QueueLock, oldIrql);
    return req;
}

VOID MpCompletionDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1,
                     PVOID SystemArgument2)
{
    PMP_EXTENSION ext = HwDeviceExtension;
    PMP_REQUEST req;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (ext->DeviceError) {
        /* the device lost everything it had: fail the whole queue */
#ifdef BUG_QUEUED_RELEASE_WITHOUT_ACQUIRE
        KLOCK_QUEUE_HANDLE stats;
        KeReleaseInStackQueuedSpinLock(&stats);
#endif
        ext->DeviceError = FALSE;
        while ((req = MpDequeue(ext)) != NULL) {
            MpCount(ext, FALSE);
            MpComplete(ext, req->Srb, SRB_STATUS_ERROR);
            StorPortFreePool(ext, req);
        }
        return;
    }

    req = MpDequeue(ext);
    if (req == NULL) {
#ifdef BUG_QUEUED_LOCK_HELD_ON_RETURN
        KLOCK_QUEUE_HANDLE stats;
        KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &stats);
        ext->Ticks++;
#endif
        return;                         /* a spurious interrupt's DPC */
    }
    MpCount(ext, TRUE);
    MpComplete(ext, req->Srb, SRB_STATUS_SUCCESS);
    StorPortFreePool(ext, req);
    if (ext->Queued > 0)
        StorPortWriteRegisterUlong(ext, &ext->Registers[REG_COMMAND], 1);
}

VOID MpWatchdog(PVOID DeviceExtension)
{
    PMP_EXTENSION ext = DeviceExtension;
    KLOCK_QUEUE_HANDLE stats;
    ULONG queued = 1;                   /* when the queue is busy, look again later */

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock)) {
        queued = ext->Queued;
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    }
    KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &stats);
    ext->Ticks++;
    KeReleaseInStackQueuedSpinLock(&stats);

    ext->WatchdogArmed = queued > 0;
    if (ext->WatchdogArmed)
        StorPortNotification(RequestTimerCall, ext, MpWatchdog, (ULONG)WATCHDOG_US);
}

BOOLEAN MpResetBus(PVOID DeviceExtension, ULONG PathId)
{
    PMP_EXTENSION ext = DeviceExtension;
    PMP_REQUEST req;

#ifdef BUG_RELEASE_NOT_ACQUIRED
    /* "in case a request died holding it" */
    if (ext->Queued > 0)
        KeReleaseSpinLock(&ext->QueueLock, DISPATCH_LEVEL);
#endif
#ifdef BUG_COMPLETE_UNDER_LOCK
    KIRQL oldIrql;
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    if (!IsListEmpty(&ext->Queue)) {
        req = CONTAINING_RECORD(ext->Queue.Flink, MP_REQUEST, Link);
        IoCompleteRequest(req->Srb->OriginalRequest, IO_NO_INCREMENT);
    }
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
#endif
    while ((req = MpDequeue(ext)) != NULL) {
        MpCount(ext, FALSE);
        StorPortFreePool(ext, req);
    }
    StorPortCompleteRequest(ext, (UCHAR)PathId, 0, 0, SRB_STATUS_BUS_RESET);
    StorPortNotification(ResetDetected, ext);
    StorPortWriteRegisterUlong(ext, &ext->Registers[REG_STATUS], 0);
    return TRUE;
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init = {0};

    init.HwInitializationDataSize = sizeof init;
    init.AdapterInterfaceType = PCIBus;
    init.HwFindAdapter = MpFindAdapter;
    init.HwInitialize = MpInitialize;
    init.HwBuildIo = MpBuildIo;
    init.HwStartIo = MpStartIo;
    init.HwInterrupt = MpInterrupt;
    init.HwResetBus = MpResetBus;
    init.DeviceExtensionSize = sizeof(MP_EXTENSION);
    init.NumberOfAccessRanges = 1;
    init.MultipleRequestPerLu = TRUE;
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
