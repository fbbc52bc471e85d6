/*
 * storport_miniport.c — a Storport miniport skeleton compiled against the
 * DDI model headers (tests/ddk/CMakeLists.txt): DriverEntry fills
 * HW_INITIALIZATION_DATA, start I/O queues requests under the StartIo lock,
 * the interrupt hands them to a DPC that completes them under the DPC lock.
 * Written for this test; it must compile warning-free, nothing more.
 */
#include <storport.h>

typedef struct _HW_DEVICE_EXTENSION {
    PULONG Registers;
    STOR_DPC CompletionDpc;
    PSCSI_REQUEST_BLOCK Pending;
    KSPIN_LOCK HelperLock;
} HW_DEVICE_EXTENSION, *PHW_DEVICE_EXTENSION;

sp_DRIVER_INITIALIZE DriverEntry;
HW_FIND_ADAPTER SampleFindAdapter;
HW_INITIALIZE SampleInitialize;
HW_STARTIO SampleStartIo;
HW_BUILDIO SampleBuildIo;
HW_INTERRUPT SampleInterrupt;
HW_DPC_ROUTINE SampleCompletionDpc;
HW_RESET_BUS SampleResetBus;
HW_ADAPTER_CONTROL SampleAdapterControl;
HW_TIMER SampleTimer;

ULONG SampleFindAdapter(PVOID DeviceExtension, PVOID HwContext,
                        PVOID BusInformation, PCHAR ArgumentString,
                        PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                        PBOOLEAN Reserved3)
{
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(ArgumentString);
    UNREFERENCED_PARAMETER(Reserved3);
    PHW_DEVICE_EXTENSION ext = DeviceExtension;
    ext->Pending = NULL;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->ScatterGather = TRUE;
    return SP_RETURN_FOUND;
}

BOOLEAN SampleInitialize(PVOID DeviceExtension)
{
    PHW_DEVICE_EXTENSION ext = DeviceExtension;
    StorPortInitializeDpc(ext, &ext->CompletionDpc, SampleCompletionDpc);
    KeInitializeSpinLock(&ext->HelperLock);
    return TRUE;
}

BOOLEAN SampleBuildIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    return Srb->Function == SRB_FUNCTION_EXECUTE_SCSI;
}

BOOLEAN SampleStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PHW_DEVICE_EXTENSION ext = DeviceExtension;
    STOR_LOCK_HANDLE lock;

    if (Srb->Function != SRB_FUNCTION_EXECUTE_SCSI) {
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
        StorPortNotification(RequestComplete, ext, Srb);
        return TRUE;
    }
    StorPortAcquireSpinLock(ext, StartIoLock, NULL, &lock);
    if (ext->Pending != NULL) {
        StorPortReleaseSpinLock(ext, &lock);
        Srb->SrbStatus = SRB_STATUS_BUSY;
        StorPortNotification(RequestComplete, ext, Srb);
        return TRUE;
    }
    ext->Pending = Srb;
    StorPortWriteRegisterUlong(ext, ext->Registers, 1);
    StorPortReleaseSpinLock(ext, &lock);
    return TRUE;
}

BOOLEAN SampleInterrupt(PVOID DeviceExtension)
{
    PHW_DEVICE_EXTENSION ext = DeviceExtension;
    if (StorPortReadRegisterUlong(ext, ext->Registers) == 0)
        return FALSE;
    (void)StorPortIssueDpc(ext, &ext->CompletionDpc, NULL, NULL);
    return TRUE;
}

VOID SampleCompletionDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
                         PVOID SystemArgument1, PVOID SystemArgument2)
{
    PHW_DEVICE_EXTENSION ext = HwDeviceExtension;
    STOR_LOCK_HANDLE lock;
    PSCSI_REQUEST_BLOCK srb;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    StorPortAcquireSpinLock(ext, DpcLock, &ext->CompletionDpc, &lock);
    srb = ext->Pending;
    ext->Pending = NULL;
    StorPortReleaseSpinLock(ext, &lock);

    /* The Ke calls the Storport rules watch, at DISPATCH_LEVEL. */
    KeAcquireSpinLockAtDpcLevel(&ext->HelperLock);
    KeReleaseSpinLockFromDpcLevel(&ext->HelperLock);

    if (srb != NULL) {
        srb->SrbStatus = SRB_STATUS_SUCCESS;
        StorPortNotification(RequestComplete, ext, srb);
    }
}

VOID SampleTimer(PVOID DeviceExtension)
{
    STOR_LOCK_HANDLE lock;
    StorPortAcquireSpinLock(DeviceExtension, InterruptLock, NULL, &lock);
    StorPortReleaseSpinLock(DeviceExtension, &lock);
}

BOOLEAN SampleResetBus(PVOID DeviceExtension, ULONG PathId)
{
    StorPortCompleteRequest(DeviceExtension, (UCHAR)PathId, 0, 0,
                            SRB_STATUS_BUS_RESET);
    StorPortNotification(RequestTimerCall, DeviceExtension, SampleTimer, 1000);
    return TRUE;
}

SCSI_ADAPTER_CONTROL_STATUS SampleAdapterControl(PVOID DeviceExtension,
    SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    UNREFERENCED_PARAMETER(Parameters);
    switch (ControlType) {
    case ScsiQuerySupportedControlTypes:
    case ScsiStopAdapter:
    case ScsiRestartAdapter:
        return ScsiAdapterControlSuccess;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init = {0};

    init.HwInitializationDataSize = sizeof init;
    init.AdapterInterfaceType = PCIBus;
    init.HwFindAdapter = SampleFindAdapter;
    init.HwInitialize = SampleInitialize;
    init.HwBuildIo = SampleBuildIo;
    init.HwStartIo = SampleStartIo;
    init.HwInterrupt = SampleInterrupt;
    init.HwResetBus = SampleResetBus;
    init.HwAdapterControl = SampleAdapterControl;
    init.DeviceExtensionSize = sizeof(HW_DEVICE_EXTENSION);
    init.NumberOfAccessRanges = 1;
    init.MultipleRequestPerLu = TRUE;
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
