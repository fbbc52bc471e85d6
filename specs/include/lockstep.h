/*
 * lockstep.h — the umbrella header for rules: TRUE, FALSE, NULL and every
 * constant lockstep ships for rule writers (IRQLs, NTSTATUS codes, WDM and
 * Storport constants).  A rule needs only
 *
 *     #include "lockstep.h"
 *
 * and no driver kit.  See docs/rule-includes.md for the directory.
 */
#ifndef LOCKSTEP_RULES_LOCKSTEP_H
#define LOCKSTEP_RULES_LOCKSTEP_H

#define TRUE    1
#define FALSE   0
#define NULL    0

#include "irql.h"
#include "ntstatus.h"
#include "wdm_constants.h"
#include "storport.h"

#endif
