/*
 * wdmsec.h — lockstep's DDI model: IoCreateDeviceSecure, which creates a
 * named device object with the security an SDDL string gives it (as
 * IoCreateDevice, which wdm.h declares, does with the default security), and
 * the SDDL strings drivers commonly pass (u"" literals: 16-bit, as WCHAR).
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_WDMSEC_H
#define LOCKSTEP_DDK_WDMSEC_H

#include "wdm.h"

NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject,
                              ULONG DeviceExtensionSize,
                              PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                              ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PCUNICODE_STRING DefaultSDDLString,
                              LPCGUID DeviceClassGuid,
                              PDEVICE_OBJECT *DeviceObject);

/* DefaultSDDLString values, as counted strings: the kernel and the system
 * only; the system; the system and administrators; those, and everyone
 * may read and write.  Weak definitions in every source file, like the
 * WDK's selectany ones. */
#define LOCKSTEP_DDK_SDDL(name, text) \
    LOCKSTEP_DDK_SELECTANY const UNICODE_STRING name = RTL_CONSTANT_STRING(text)
LOCKSTEP_DDK_SDDL(SDDL_DEVOBJ_KERNEL_ONLY, u"D:P");
LOCKSTEP_DDK_SDDL(SDDL_DEVOBJ_SYS_ALL, u"D:P(A;;GA;;;SY)");
LOCKSTEP_DDK_SDDL(SDDL_DEVOBJ_SYS_ALL_ADM_ALL, u"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
LOCKSTEP_DDK_SDDL(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R,
                  u"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)(A;;GR;;;RC)");

#endif
