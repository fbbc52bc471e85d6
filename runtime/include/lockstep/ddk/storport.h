/*
 * storport.h — lockstep's DDI model of the Storport miniport interface:
 * HW_INITIALIZATION_DATA and the role types of the miniport's routines
 * (HW_FIND_ADAPTER, HW_INITIALIZE, HW_STARTIO, HW_INTERRUPT, HW_DPC_ROUTINE,
 * ...), the SCSI request block, PORT_CONFIGURATION_INFORMATION, the
 * StorPort* calls (StorPortAcquireSpinLock with its STOR_SPINLOCK kinds and
 * STOR_LOCK_HANDLE, StorPortInitialize, StorPortNotification,
 * StorPortIssueDpc, ...) and their constants.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 * Unlike the WDK's storport.h it includes the WDM model (wdm.h): the
 * Storport rules also watch Ke* spin lock calls, so a miniport scanned
 * against this header may make them.  Structures carry the fields miniports
 * commonly touch, not the real layout.  Constants agree with
 * specs/include/storport.h.
 */
#ifndef LOCKSTEP_DDK_STORPORT_H
#define LOCKSTEP_DDK_STORPORT_H

#include "wdm.h"

/* ---- constants (as specs/include/storport.h) ---------------------------- */

/* The locks StorPortAcquireSpinLock takes (the first three) and
 * StorPortAcquireSpinLockEx takes (all). */
typedef enum _STOR_SPINLOCK {
    DpcLock = 1,
    StartIoLock,
    InterruptLock,
    ThreadedDpcLock,
    DpcLevelLock
} STOR_SPINLOCK;

/* StorPortNotification's first argument; 4 and 5 are retired. */
typedef enum _SCSI_NOTIFICATION_TYPE {
    RequestComplete = 0,
    NextRequest = 1,
    NextLuRequest = 2,
    ResetDetected = 3,
    RequestTimerCall = 6,
    BusChangeDetected = 7,
    WMIEvent = 8,
    WMIReregister = 9,
    LinkUp = 10,
    LinkDown = 11,
    QueryTickCount = 12,
    BufferOverrunDetected = 13,
    TraceNotification = 14,
    GetExtendedFunctionTable = 15,
    EnablePassiveInitialization = 0x1000,
    InitializeDpc = 0x1001,
    IssueDpc = 0x1002,
    AcquireSpinLock = 0x1003,
    ReleaseSpinLock = 0x1004,
    StateChangeDetectedCall = 0x1005,
    IoTargetRequestServiceTime = 0x1006,
    AsyncNotificationDetected = 0x1007
} SCSI_NOTIFICATION_TYPE;

/* SCSI_REQUEST_BLOCK.SrbStatus; the two flag bits may be or-ed in. */
#define SRB_STATUS_PENDING              0x00
#define SRB_STATUS_SUCCESS              0x01
#define SRB_STATUS_ABORTED              0x02
#define SRB_STATUS_ABORT_FAILED         0x03
#define SRB_STATUS_ERROR                0x04
#define SRB_STATUS_BUSY                 0x05
#define SRB_STATUS_INVALID_REQUEST      0x06
#define SRB_STATUS_INVALID_PATH_ID      0x07
#define SRB_STATUS_NO_DEVICE            0x08
#define SRB_STATUS_TIMEOUT              0x09
#define SRB_STATUS_SELECTION_TIMEOUT    0x0A
#define SRB_STATUS_COMMAND_TIMEOUT      0x0B
#define SRB_STATUS_MESSAGE_REJECTED     0x0D
#define SRB_STATUS_BUS_RESET            0x0E
#define SRB_STATUS_PARITY_ERROR         0x0F
#define SRB_STATUS_REQUEST_SENSE_FAILED 0x10
#define SRB_STATUS_NO_HBA               0x11
#define SRB_STATUS_DATA_OVERRUN         0x12
#define SRB_STATUS_UNEXPECTED_BUS_FREE  0x13
#define SRB_STATUS_PHASE_SEQUENCE_FAILURE 0x14
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15
#define SRB_STATUS_REQUEST_FLUSHED      0x16
#define SRB_STATUS_INVALID_LUN          0x20
#define SRB_STATUS_INVALID_TARGET_ID    0x21
#define SRB_STATUS_BAD_FUNCTION         0x22
#define SRB_STATUS_ERROR_RECOVERY       0x23
#define SRB_STATUS_NOT_POWERED          0x24
#define SRB_STATUS_LINK_DOWN            0x25
#define SRB_STATUS_INTERNAL_ERROR       0x30
#define SRB_STATUS_QUEUE_FROZEN         0x40
#define SRB_STATUS_AUTOSENSE_VALID      0x80
#define SRB_STATUS(Status) \
    ((Status) & ~(SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN))

/* SCSI_REQUEST_BLOCK.Function */
#define SRB_FUNCTION_EXECUTE_SCSI       0x00
#define SRB_FUNCTION_IO_CONTROL         0x02
#define SRB_FUNCTION_SHUTDOWN           0x07
#define SRB_FUNCTION_FLUSH              0x08
#define SRB_FUNCTION_ABORT_COMMAND      0x10
#define SRB_FUNCTION_RESET_BUS          0x12
#define SRB_FUNCTION_RESET_DEVICE       0x13
#define SRB_FUNCTION_RESET_LOGICAL_UNIT 0x20
#define SRB_FUNCTION_POWER              0x24
#define SRB_FUNCTION_PNP                0x25

/* STOR_STATUS: an unsigned ULONG, so these stay positive. */
#define STOR_STATUS_SUCCESS                 0x00000000
#define STOR_STATUS_UNSUCCESSFUL            0xC1000001
#define STOR_STATUS_NOT_IMPLEMENTED         0xC1000002
#define STOR_STATUS_INSUFFICIENT_RESOURCES  0xC1000003
#define STOR_STATUS_BUFFER_TOO_SMALL        0xC1000004
#define STOR_STATUS_ACCESS_DENIED           0xC1000005
#define STOR_STATUS_INVALID_PARAMETER       0xC1000006
#define STOR_STATUS_INVALID_DEVICE_REQUEST  0xC1000007
#define STOR_STATUS_INVALID_IRQL            0xC1000008
#define STOR_STATUS_INVALID_DEVICE_STATE    0xC1000009
#define STOR_STATUS_INVALID_BUFFER_SIZE     0xC100000A
#define STOR_STATUS_UNSUPPORTED_VERSION     0xC100000B
#define STOR_STATUS_BUSY                    0xC100000C

/* HwStorFindAdapter's result */
#define SP_RETURN_NOT_FOUND             0
#define SP_RETURN_FOUND                 1
#define SP_RETURN_ERROR                 2
#define SP_RETURN_BAD_CONFIG            3

/* PORT_CONFIGURATION_INFORMATION.SynchronizationModel */
#define StorSynchronizeHalfDuplex       0
#define StorSynchronizeFullDuplex       1

/* wdm.h (included above) declares the whole enumeration, with the same
 * values; this is the short form for a wdm.h without it */
#ifndef LOCKSTEP_DDK_INTERFACE_TYPE
typedef enum _INTERFACE_TYPE {
    Internal = 0, Isa, Eisa, MicroChannel, TurboChannel, PCIBus
} INTERFACE_TYPE;
#endif

typedef enum _SCSI_ADAPTER_CONTROL_TYPE {
    ScsiQuerySupportedControlTypes = 0,
    ScsiStopAdapter,
    ScsiRestartAdapter,
    ScsiSetBootConfig,
    ScsiSetRunningConfig,
    ScsiAdapterControlMax
} SCSI_ADAPTER_CONTROL_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_STATUS {
    ScsiAdapterControlSuccess = 0,
    ScsiAdapterControlUnsuccessful
} SCSI_ADAPTER_CONTROL_STATUS;

typedef enum _SCSI_UNIT_CONTROL_TYPE {
    ScsiQuerySupportedUnitControlTypes = 0,
    ScsiUnitUsage,
    ScsiUnitStart,
    ScsiUnitPower
} SCSI_UNIT_CONTROL_TYPE;

typedef enum _SCSI_UNIT_CONTROL_STATUS {
    ScsiUnitControlSuccess = 0,
    ScsiUnitControlUnsuccessful
} SCSI_UNIT_CONTROL_STATUS;

/* ---- requests, locks, DPCs ---------------------------------------------- */
typedef struct _SCSI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;             /* SRB_FUNCTION_* */
    UCHAR SrbStatus;            /* SRB_STATUS_*   */
    UCHAR ScsiStatus;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR QueueTag;
    UCHAR QueueAction;
    UCHAR CdbLength;
    UCHAR SenseInfoBufferLength;
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    ULONG QueueSortKey;
    UCHAR Cdb[16];
} SCSI_REQUEST_BLOCK, *PSCSI_REQUEST_BLOCK;

/* Filled by StorPortAcquireSpinLock, named by StorPortReleaseSpinLock:
 * the caller's storage, like KLOCK_QUEUE_HANDLE. */
typedef struct _STOR_LOCK_HANDLE {
    STOR_SPINLOCK Lock;
    union {
        KLOCK_QUEUE_HANDLE LockHandle;
        KIRQL OldIrql;
    } Context;
} STOR_LOCK_HANDLE, *PSTOR_LOCK_HANDLE;

typedef struct _STOR_DPC {
    KDPC Dpc;
    KSPIN_LOCK Lock;
} STOR_DPC, *PSTOR_DPC;

typedef PHYSICAL_ADDRESS STOR_PHYSICAL_ADDRESS;

typedef struct _STOR_SCATTER_GATHER_ELEMENT {
    STOR_PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length;
    ULONG_PTR Reserved;
} STOR_SCATTER_GATHER_ELEMENT, *PSTOR_SCATTER_GATHER_ELEMENT;

typedef struct _STOR_SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[];
} STOR_SCATTER_GATHER_LIST, *PSTOR_SCATTER_GATHER_LIST;

/* ---- role types: the miniport's routines --------------------------------
 * The roles of compiler/ddi.c's ddi_roles table; Storport calls each at
 * the IRQL its role documents (HW_STARTIO at DISPATCH_LEVEL, HW_INTERRUPT
 * at DIRQL, ...). */
typedef struct _PORT_CONFIGURATION_INFORMATION PORT_CONFIGURATION_INFORMATION,
    *PPORT_CONFIGURATION_INFORMATION;

typedef ULONG sp_DRIVER_INITIALIZE(PVOID DriverObject, PVOID RegistryPath);
typedef ULONG HW_FIND_ADAPTER(PVOID DeviceExtension, PVOID HwContext,
                              PVOID BusInformation, PCHAR ArgumentString,
                              PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                              PBOOLEAN Reserved3);
typedef HW_FIND_ADAPTER *PHW_FIND_ADAPTER;
typedef BOOLEAN HW_INITIALIZE(PVOID DeviceExtension);
typedef HW_INITIALIZE *PHW_INITIALIZE;
typedef BOOLEAN HW_PASSIVE_INITIALIZE_ROUTINE(PVOID DeviceExtension);
typedef HW_PASSIVE_INITIALIZE_ROUTINE *PHW_PASSIVE_INITIALIZE_ROUTINE;
typedef BOOLEAN HW_BUILDIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef HW_BUILDIO *PHW_BUILDIO;
typedef BOOLEAN HW_STARTIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef HW_STARTIO *PHW_STARTIO;
typedef BOOLEAN HW_INTERRUPT(PVOID DeviceExtension);
typedef HW_INTERRUPT *PHW_INTERRUPT;
typedef BOOLEAN HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE(PVOID HwDeviceExtension,
                                                      ULONG MessageId);
typedef HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE *PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE;
typedef VOID HW_DPC_ROUTINE(PSTOR_DPC Dpc, PVOID HwDeviceExtension,
                            PVOID SystemArgument1, PVOID SystemArgument2);
typedef HW_DPC_ROUTINE *PHW_DPC_ROUTINE;
typedef VOID HW_TIMER(PVOID DeviceExtension);
typedef HW_TIMER *PHW_TIMER;
typedef BOOLEAN HW_RESET_BUS(PVOID DeviceExtension, ULONG PathId);
typedef HW_RESET_BUS *PHW_RESET_BUS;
typedef SCSI_ADAPTER_CONTROL_STATUS HW_ADAPTER_CONTROL(PVOID DeviceExtension,
    SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters);
typedef HW_ADAPTER_CONTROL *PHW_ADAPTER_CONTROL;
typedef SCSI_UNIT_CONTROL_STATUS HW_UNIT_CONTROL(PVOID DeviceExtension,
    SCSI_UNIT_CONTROL_TYPE ControlType, PVOID Parameters);
typedef HW_UNIT_CONTROL *PHW_UNIT_CONTROL;
typedef VOID HW_STATE_CHANGE(PVOID HwDeviceExtension, PVOID Context,
                             SHORT AddressType, PVOID Address, ULONG Status);
typedef HW_STATE_CHANGE *PHW_STATE_CHANGE;
typedef BOOLEAN STOR_SYNCHRONIZED_ACCESS(PVOID HwDeviceExtension, PVOID Context);
typedef STOR_SYNCHRONIZED_ACCESS *PSTOR_SYNCHRONIZED_ACCESS;

/* ---- configuration ------------------------------------------------------ */
struct _PORT_CONFIGURATION_INFORMATION {
    ULONG Length;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG NumberOfAccessRanges;
    PVOID AccessRanges;
    UCHAR NumberOfBuses;
    UCHAR MaximumNumberOfTargets;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN Dma32BitAddresses;
    UCHAR Dma64BitAddresses;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    ULONG SynchronizationModel;         /* StorSynchronize*Duplex */
    PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE HwMSInterruptRoutine;
    ULONG MaxNumberOfIO;
    ULONG MaxIOsPerLun;
};

/* What DriverEntry hands StorPortInitialize: the miniport's routines. */
typedef struct _HW_INITIALIZATION_DATA {
    ULONG HwInitializationDataSize;
    INTERFACE_TYPE AdapterInterfaceType;
    PHW_INITIALIZE HwInitialize;
    PHW_STARTIO HwStartIo;
    PHW_INTERRUPT HwInterrupt;
    PHW_FIND_ADAPTER HwFindAdapter;
    PHW_RESET_BUS HwResetBus;
    PVOID HwDmaStarted;                 /* unused by Storport */
    PVOID HwAdapterState;               /* unused by Storport */
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    ULONG NumberOfAccessRanges;
    PVOID Reserved;
    BOOLEAN MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    USHORT VendorIdLength;
    PVOID VendorId;
    USHORT PortVersionFlags;
    USHORT DeviceIdLength;
    PVOID DeviceId;
    PHW_ADAPTER_CONTROL HwAdapterControl;
    PHW_BUILDIO HwBuildIo;
    PVOID HwFreeAdapterResources;       /* not modelled */
    PVOID HwProcessServiceRequest;      /* not modelled */
    PVOID HwCompleteServiceIrp;         /* not modelled */
    PVOID HwInitializeTracing;          /* not modelled */
    PVOID HwCleanupTracing;             /* not modelled */
    PVOID HwTracingEnabled;             /* not modelled */
    ULONG FeatureSupport;
    ULONG SrbTypeFlags;
    ULONG AddressTypeFlags;
    ULONG Reserved1;
    PHW_UNIT_CONTROL HwUnitControl;
} HW_INITIALIZATION_DATA, *PHW_INITIALIZATION_DATA;

/* ---- StorPort calls ----------------------------------------------------- */
ULONG StorPortInitialize(PVOID Argument1, PVOID Argument2,
                         PHW_INITIALIZATION_DATA HwInitializationData,
                         PVOID HwContext);
BOOLEAN StorPortEnablePassiveInitialization(PVOID DeviceExtension,
    PHW_PASSIVE_INITIALIZE_ROUTINE HwPassiveInitializeRoutine);

VOID StorPortAcquireSpinLock(PVOID DeviceExtension, STOR_SPINLOCK SpinLock,
                             PVOID LockContext, PSTOR_LOCK_HANDLE LockHandle);
ULONG StorPortAcquireSpinLockEx(PVOID HwDeviceExtension, STOR_SPINLOCK SpinLock,
                                PVOID LockContext, PSTOR_LOCK_HANDLE LockHandle);
VOID StorPortReleaseSpinLock(PVOID DeviceExtension, PSTOR_LOCK_HANDLE LockHandle);
BOOLEAN StorPortSynchronizeAccess(PVOID HwDeviceExtension,
    PSTOR_SYNCHRONIZED_ACCESS SynchronizedAccessRoutine, PVOID Context);

VOID StorPortInitializeDpc(PVOID DeviceExtension, PSTOR_DPC Dpc,
                           PHW_DPC_ROUTINE HwDpcRoutine);
BOOLEAN StorPortIssueDpc(PVOID DeviceExtension, PSTOR_DPC Dpc,
                         PVOID SystemArgument1, PVOID SystemArgument2);

/* The arguments after the device extension depend on NotificationType:
 * RequestComplete takes the SRB, RequestTimerCall the HW_TIMER routine and
 * a delay in microseconds, NextRequest nothing more. */
VOID StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType,
                          PVOID HwDeviceExtension, ...);
VOID StorPortCompleteRequest(PVOID HwDeviceExtension, UCHAR PathId,
                             UCHAR TargetId, UCHAR Lun, UCHAR SrbStatus);

ULONG StorPortAllocatePool(PVOID HwDeviceExtension, ULONG NumberOfBytes,
                           ULONG Tag, PVOID *BufferPointer);
ULONG StorPortFreePool(PVOID HwDeviceExtension, PVOID BufferPointer);
PVOID StorPortGetUncachedExtension(PVOID HwDeviceExtension,
                                   PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                   ULONG NumberOfBytes);
STOR_PHYSICAL_ADDRESS StorPortGetPhysicalAddress(PVOID HwDeviceExtension,
    PSCSI_REQUEST_BLOCK Srb, PVOID VirtualAddress, PULONG Length);
PSTOR_SCATTER_GATHER_LIST StorPortGetScatterGatherList(PVOID HwDeviceExtension,
                                                       PSCSI_REQUEST_BLOCK Srb);
PVOID StorPortGetDeviceBase(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                            ULONG SystemIoBusNumber, STOR_PHYSICAL_ADDRESS IoAddress,
                            ULONG NumberOfBytes, BOOLEAN InIoSpace);

/* Device registers: where simulation injects hardware errors. */
ULONG StorPortReadRegisterUlong(PVOID HwDeviceExtension, PULONG Register);
VOID StorPortWriteRegisterUlong(PVOID HwDeviceExtension, PULONG Register,
                                ULONG Value);
VOID StorPortStallExecution(ULONG Delay);

#endif
