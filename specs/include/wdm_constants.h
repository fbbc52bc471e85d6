/*
 * wdm_constants.h — WDM constants rules compare with: IRP major and minor
 * function codes (the MajorFunction/MinorFunction of an IRP's current stack
 * location), IoCompleteRequest priority boosts, and the enumerations SDV's
 * WDM rules test (pool types, processor modes, device relations, device
 * power states, object types, device characteristics).
 *
 * Part of lockstep's rule include directory; see docs/rule-includes.md.
 */
#ifndef LOCKSTEP_RULES_WDM_CONSTANTS_H
#define LOCKSTEP_RULES_WDM_CONSTANTS_H

/* IRP major function codes */
#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_QUERY_EA                 0x07
#define IRP_MJ_SET_EA                   0x08
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION   0x0b
#define IRP_MJ_DIRECTORY_CONTROL        0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL      0x0d
#define IRP_MJ_DEVICE_CONTROL           0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0f
#define IRP_MJ_SCSI                     0x0f    /* = INTERNAL_DEVICE_CONTROL */
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_LOCK_CONTROL             0x11
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_CREATE_MAILSLOT          0x13
#define IRP_MJ_QUERY_SECURITY           0x14
#define IRP_MJ_SET_SECURITY             0x15
#define IRP_MJ_POWER                    0x16
#define IRP_MJ_SYSTEM_CONTROL           0x17
#define IRP_MJ_DEVICE_CHANGE            0x18
#define IRP_MJ_QUERY_QUOTA              0x19
#define IRP_MJ_SET_QUOTA                0x1a
#define IRP_MJ_PNP                      0x1b
#define IRP_MJ_MAXIMUM_FUNCTION         0x1b

/* IRP_MJ_PNP minor codes */
#define IRP_MN_START_DEVICE                 0x00
#define IRP_MN_QUERY_REMOVE_DEVICE          0x01
#define IRP_MN_REMOVE_DEVICE                0x02
#define IRP_MN_CANCEL_REMOVE_DEVICE         0x03
#define IRP_MN_STOP_DEVICE                  0x04
#define IRP_MN_QUERY_STOP_DEVICE            0x05
#define IRP_MN_CANCEL_STOP_DEVICE           0x06
#define IRP_MN_QUERY_DEVICE_RELATIONS       0x07
#define IRP_MN_QUERY_INTERFACE              0x08
#define IRP_MN_QUERY_CAPABILITIES           0x09
#define IRP_MN_QUERY_RESOURCES              0x0a
#define IRP_MN_QUERY_RESOURCE_REQUIREMENTS  0x0b
#define IRP_MN_QUERY_DEVICE_TEXT            0x0c
#define IRP_MN_FILTER_RESOURCE_REQUIREMENTS 0x0d
#define IRP_MN_READ_CONFIG                  0x0f
#define IRP_MN_WRITE_CONFIG                 0x10
#define IRP_MN_EJECT                        0x11
#define IRP_MN_SET_LOCK                     0x12
#define IRP_MN_QUERY_ID                     0x13
#define IRP_MN_QUERY_PNP_DEVICE_STATE       0x14
#define IRP_MN_QUERY_BUS_INFORMATION        0x15
#define IRP_MN_DEVICE_USAGE_NOTIFICATION    0x16
#define IRP_MN_SURPRISE_REMOVAL             0x17
#define IRP_MN_QUERY_LEGACY_BUS_INFORMATION 0x18

/* IRP_MJ_POWER minor codes */
#define IRP_MN_WAIT_WAKE                    0x00
#define IRP_MN_POWER_SEQUENCE               0x01
#define IRP_MN_SET_POWER                    0x02
#define IRP_MN_QUERY_POWER                  0x03

/* IoCompleteRequest's PriorityBoost */
#define IO_NO_INCREMENT                 0
#define IO_CD_ROM_INCREMENT             1
#define IO_DISK_INCREMENT               1
#define IO_NETWORK_INCREMENT            2
#define IO_KEYBOARD_INCREMENT           6
#define IO_MOUSE_INCREMENT              6
#define IO_PARALLEL_INCREMENT           1
#define IO_SERIAL_INCREMENT             2
#define IO_SOUND_INCREMENT              8
#define IO_VIDEO_INCREMENT              1

/* POOL_TYPE */
#define NonPagedPool                    0
#define NonPagedPoolExecute             0
#define PagedPool                       1
#define NonPagedPoolMustSucceed         2
#define DontUseThisType                 3
#define NonPagedPoolCacheAligned        4
#define PagedPoolCacheAligned           5
#define NonPagedPoolCacheAlignedMustS   6
#define NonPagedPoolNx                  512

/* KPROCESSOR_MODE */
#define KernelMode                      0
#define UserMode                        1
#define MaximumMode                     2

/* DEVICE_RELATION_TYPE (IRP_MN_QUERY_DEVICE_RELATIONS) */
#define BusRelations                    0
#define EjectionRelations               1
#define PowerRelations                  2
#define RemovalRelations                3
#define TargetDeviceRelation            4
#define SingleBusRelations              5
#define TransportRelations              6

/* DEVICE_POWER_STATE */
#define PowerDeviceUnspecified          0
#define PowerDeviceD0                   1
#define PowerDeviceD1                   2
#define PowerDeviceD2                   3
#define PowerDeviceD3                   4
#define PowerDeviceMaximum              5

/* Object types (the Type field of kernel objects) */
#define IO_TYPE_ADAPTER                 1
#define IO_TYPE_CONTROLLER              2
#define IO_TYPE_DEVICE                  3
#define IO_TYPE_DRIVER                  4
#define IO_TYPE_FILE                    5
#define IO_TYPE_IRP                     6
#define IO_TYPE_MASTER_ADAPTER          7
#define IO_TYPE_OPEN_PACKET             8
#define IO_TYPE_TIMER                   9
#define IO_TYPE_VPB                     10
#define IO_TYPE_ERROR_LOG               11
#define IO_TYPE_ERROR_MESSAGE           12
#define IO_TYPE_DEVICE_OBJECT_EXTENSION 13

/* Device types and characteristics (IoCreateDevice) */
#define FILE_DEVICE_DISK_FILE_SYSTEM    0x08
#define FILE_DEVICE_NETWORK_FILE_SYSTEM 0x14
#define FILE_DEVICE_TAPE_FILE_SYSTEM    0x20
#define FILE_AUTOGENERATED_DEVICE_NAME  0x80
#define FILE_DEVICE_SECURE_OPEN         0x100

/* OBJECT_ATTRIBUTES flags */
#define OBJ_KERNEL_HANDLE               0x200

/* IoWMIRegistrationControl actions */
#define WMIREG_ACTION_REGISTER          1
#define WMIREG_ACTION_DEREGISTER        2
#define WMIREG_ACTION_REREGISTER        3
#define WMIREG_ACTION_UPDATE_GUIDS      4
#define WMIREG_ACTION_BLOCK_IRPS        5

#endif
