/*
 * wdmguid.h — lockstep's DDI model: the GUIDs of the system's device
 * events and bus types (PNP_BUS_INFORMATION.BusTypeGuid).  The model names
 * them but does not state their values: each is declared, never defined,
 * whether or not <initguid.h> came first, so a driver that takes one's
 * address or copies it compiles, and a simulation that needs the value
 * must define it.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_WDMGUID_H
#define LOCKSTEP_DDK_WDMGUID_H

#include "guiddef.h"

/* PnP notifications (IoRegisterPlugPlayNotification) */
extern const GUID GUID_HWPROFILE_QUERY_CHANGE;
extern const GUID GUID_HWPROFILE_CHANGE_CANCELLED;
extern const GUID GUID_HWPROFILE_CHANGE_COMPLETE;
extern const GUID GUID_DEVICE_INTERFACE_ARRIVAL;
extern const GUID GUID_DEVICE_INTERFACE_REMOVAL;
extern const GUID GUID_TARGET_DEVICE_QUERY_REMOVE;
extern const GUID GUID_TARGET_DEVICE_REMOVE_CANCELLED;
extern const GUID GUID_TARGET_DEVICE_REMOVE_COMPLETE;

/* bus types */
extern const GUID GUID_BUS_TYPE_INTERNAL;
extern const GUID GUID_BUS_TYPE_PCMCIA;
extern const GUID GUID_BUS_TYPE_PCI;
extern const GUID GUID_BUS_TYPE_ISAPNP;
extern const GUID GUID_BUS_TYPE_EISA;
extern const GUID GUID_BUS_TYPE_MCA;
extern const GUID GUID_BUS_TYPE_SERENUM;
extern const GUID GUID_BUS_TYPE_USB;
extern const GUID GUID_BUS_TYPE_LPTENUM;
extern const GUID GUID_BUS_TYPE_USBPRINT;
extern const GUID GUID_BUS_TYPE_DOT4PRT;
extern const GUID GUID_BUS_TYPE_1394;
extern const GUID GUID_BUS_TYPE_HID;
extern const GUID GUID_BUS_TYPE_AVC;
extern const GUID GUID_BUS_TYPE_IRDA;
extern const GUID GUID_BUS_TYPE_SD;
extern const GUID GUID_BUS_TYPE_ACPI;
extern const GUID GUID_BUS_TYPE_SW_DEVICE;

#endif
