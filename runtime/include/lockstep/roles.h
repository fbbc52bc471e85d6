/*
 * lockstep/roles.h — the driver routine roles the harnesses know: for each
 * role type (`HW_STARTIO`, `DRIVER_DISPATCH`, `KDEFERRED_ROUTINE`, …) the
 * IRQLs the operating system calls such a routine at.  Source mode explores
 * an entry point once per IRQL of its role, and the simulator calls it at
 * one of them; both read this one table.
 */
#ifndef LOCKSTEP_ROLES_H
#define LOCKSTEP_ROLES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LS_PASSIVE_LEVEL 0
#define LS_APC_LEVEL 1
#define LS_DISPATCH_LEVEL 2
#define LS_DEVICE_LEVEL 5           /* the DIRQL lockstep models a device at */

struct ls_role {
    const char *name;               /* role typedef, e.g. "HW_STARTIO"      */
    const char *model;              /* "wdm" or "storport"                  */
    uint8_t irql_min, irql_max;     /* IRQLs it is called at, inclusive     */
};

/* The role named name (a typedef name; a leading "fun_" is ignored), or
 * NULL when lockstep does not know it. */
const struct ls_role *ls_role_lookup(const char *name);

/* All known roles, sorted by name; *count receives their number. */
const struct ls_role *ls_roles(uint32_t *count);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_ROLES_H */
