/*
 * devioctl.h — lockstep's DDI model: I/O control codes.  CTL_CODE packs a
 * device type, a function number, a transfer method and the access a
 * caller needs into the 32-bit code IRP_MJ_DEVICE_CONTROL carries in
 * Parameters.DeviceIoControl.IoControlCode; the FILE_DEVICE_* device types
 * are also IoCreateDevice's DeviceType.  Standalone, as in the WDK: a
 * driver's public header shared with its user-mode application includes it.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_DEVIOCTL_H
#define LOCKSTEP_DDK_DEVIOCTL_H

/* bits 31-16 device type, 15-14 access, 13-2 function, 1-0 method */
#define CTL_CODE(DeviceType, Function, Method, Access) \
    (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#define DEVICE_TYPE_FROM_CTL_CODE(ctl)  (((ULONG)(ctl) & 0xffff0000) >> 16)
#define METHOD_FROM_CTL_CODE(ctl)       ((ULONG)(ctl) & 3)

/* transfer methods: where the I/O manager puts the caller's buffers */
#define METHOD_BUFFERED                 0
#define METHOD_IN_DIRECT                1
#define METHOD_OUT_DIRECT               2
#define METHOD_NEITHER                  3
#define METHOD_DIRECT_TO_HARDWARE       METHOD_IN_DIRECT
#define METHOD_DIRECT_FROM_HARDWARE     METHOD_OUT_DIRECT

/* the access the caller's handle must have */
#define FILE_ANY_ACCESS                 0
#define FILE_SPECIAL_ACCESS             FILE_ANY_ACCESS
#define FILE_READ_ACCESS                0x0001
#define FILE_WRITE_ACCESS               0x0002

/* device types (values below 0x8000 are Microsoft's; drivers of their own
 * kind of device use 0x8000 and up) */
#define FILE_DEVICE_BEEP                0x01
#define FILE_DEVICE_CD_ROM              0x02
#define FILE_DEVICE_CONTROLLER          0x04
#define FILE_DEVICE_DISK                0x07
#define FILE_DEVICE_DISK_FILE_SYSTEM    0x08
#define FILE_DEVICE_FILE_SYSTEM         0x09
#define FILE_DEVICE_KEYBOARD            0x0b
#define FILE_DEVICE_MOUSE               0x0f
#define FILE_DEVICE_NETWORK             0x12
#define FILE_DEVICE_NETWORK_FILE_SYSTEM 0x14
#define FILE_DEVICE_NULL                0x15
#define FILE_DEVICE_PARALLEL_PORT       0x16
#define FILE_DEVICE_PRINTER             0x18
#define FILE_DEVICE_SCREEN              0x1c
#define FILE_DEVICE_SERIAL_PORT         0x1b
#define FILE_DEVICE_SOUND               0x1d
#define FILE_DEVICE_TAPE                0x1f
#define FILE_DEVICE_TAPE_FILE_SYSTEM    0x20
#define FILE_DEVICE_UNKNOWN             0x22
#define FILE_DEVICE_VIDEO               0x23
#define FILE_DEVICE_MASS_STORAGE        0x2d
#define FILE_DEVICE_SMARTCARD           0x31
#define FILE_DEVICE_ACPI                0x32
#define FILE_DEVICE_BUS_EXTENDER        0x2a
#define FILE_DEVICE_SERENUM             0x37
#define FILE_DEVICE_BATTERY             0x29
#define FILE_DEVICE_SERIAL_MOUSE_PORT   0x1a
#define FILE_DEVICE_KS                  0x2f
#define FILE_DEVICE_TRANSPORT           0x21

#endif
