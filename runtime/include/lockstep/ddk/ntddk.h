/*
 * ntddk.h — lockstep's DDI model: the header non-WDM kernel drivers
 * include.  Everything lockstep models is in wdm.h, so this only includes
 * it; drivers written against <ntddk.h> compile unchanged.
 *
 * Part of the DDI model headers (docs/ddk-headers.md): a model of the
 * Windows kernel interfaces for scanning and simulating drivers, not
 * Microsoft's headers; written from the public documentation, nothing copied.
 */
#ifndef LOCKSTEP_DDK_NTDDK_H
#define LOCKSTEP_DDK_NTDDK_H

#include "wdm.h"

#endif
