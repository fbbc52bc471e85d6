/*
 * slic_base.h — compatibility shim: rule files from later WDKs begin with
 * `#include "slic_base.h"` instead of ntddk_slic.h.  Same constants.
 */
#ifndef LOCKSTEP_RULES_SLIC_BASE_H
#define LOCKSTEP_RULES_SLIC_BASE_H

#include "ntddk_slic.h"

#endif
