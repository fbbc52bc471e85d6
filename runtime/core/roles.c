/*
 * roles.c — the IRQL each driver routine role is called at (lockstep/roles.h).
 *
 * From the WDK documentation of each callback.  Where a role is called at
 * more than one IRQL the range covers them all (an I/O completion routine
 * runs at PASSIVE_LEVEL up to DISPATCH_LEVEL); interrupt routines run at
 * the device's IRQL, which lockstep models as LS_DEVICE_LEVEL.
 */
#include <stdlib.h>
#include <string.h>

#include <lockstep/roles.h>

#define P LS_PASSIVE_LEVEL
#define D LS_DISPATCH_LEVEL
#define DIRQL LS_DEVICE_LEVEL

/* Sorted by name (ls_role_lookup searches it). */
static const struct ls_role roles[] = {
    { "DRIVER_ADD_DEVICE",                     "wdm",      P, P },
    { "DRIVER_CANCEL",                         "wdm",      D, D },
    { "DRIVER_CONTROL",                        "wdm",      D, D },
    { "DRIVER_DISPATCH",                       "wdm",      P, P },
    { "DRIVER_INITIALIZE",                     "wdm",      P, P },
    { "DRIVER_STARTIO",                        "wdm",      D, D },
    { "DRIVER_UNLOAD",                         "wdm",      P, P },
    { "HW_ADAPTER_CONTROL",                    "storport", P, D },
    { "HW_BUILDIO",                            "storport", D, D },
    { "HW_DPC_ROUTINE",                        "storport", D, D },
    { "HW_FIND_ADAPTER",                       "storport", P, P },
    { "HW_INITIALIZE",                         "storport", DIRQL, DIRQL },
    { "HW_INTERRUPT",                          "storport", DIRQL, DIRQL },
    { "HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE", "storport", DIRQL, DIRQL },
    { "HW_PASSIVE_INITIALIZE_ROUTINE",         "storport", P, P },
    { "HW_RESET_BUS",                          "storport", D, D },
    { "HW_STARTIO",                            "storport", D, D },
    { "HW_STATE_CHANGE",                       "storport", D, D },
    { "HW_TIMER",                              "storport", D, D },
    { "HW_UNIT_CONTROL",                       "storport", P, D },
    { "IO_COMPLETION_ROUTINE",                 "wdm",      P, D },
    { "IO_DPC_ROUTINE",                        "wdm",      D, D },
    { "IO_WORKITEM_ROUTINE",                   "wdm",      P, P },
    { "IO_WORKITEM_ROUTINE_EX",                "wdm",      P, P },
    { "KDEFERRED_ROUTINE",                     "wdm",      D, D },
    { "KSERVICE_ROUTINE",                      "wdm",      DIRQL, DIRQL },
    { "KSTART_ROUTINE",                        "wdm",      P, P },
    { "KSYNCHRONIZE_ROUTINE",                  "wdm",      DIRQL, DIRQL },
};

#define ROLE_COUNT (sizeof roles / sizeof roles[0])

static int compare_role(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ls_role *)elem)->name);
}

const struct ls_role *ls_role_lookup(const char *name)
{
    if (name == NULL)
        return NULL;
    if (strncmp(name, "fun_", 4) == 0)
        name += 4;
    return bsearch(name, roles, ROLE_COUNT, sizeof roles[0], compare_role);
}

const struct ls_role *ls_roles(uint32_t *count)
{
    *count = ROLE_COUNT;
    return roles;
}
