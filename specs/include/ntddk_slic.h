/*
 * ntddk_slic.h — compatibility shim: the rule files SDV shipped with the
 * WDK begin with `#include "ntddk_slic.h"`, SDV's own constants header.
 * lockstep's version takes every constant from lockstep.h, so those files
 * compile unchanged.
 */
#ifndef LOCKSTEP_RULES_NTDDK_SLIC_H
#define LOCKSTEP_RULES_NTDDK_SLIC_H

#include "lockstep.h"

/* WDM rules reach an IRP's current stack location as $2->STACKL->... */
#define STACKL  Tail.Overlay.CurrentStackLocation

#endif
