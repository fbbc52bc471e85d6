/*
 * ddi.h — what the compiler knows about the functions rules watch: the
 * signatures of the kernel DDIs (so `$3` on a two-parameter function is an
 * error) and the SDV harness names (`sdv_RunStartIo`, `fun_HW_STARTIO`)
 * with the driver roles they stand for.
 *
 * A function missing from the table is not an error: its arity is simply
 * unknown and `$N` is not checked.
 */
#ifndef LS_COMPILER_DDI_H
#define LS_COMPILER_DDI_H

#include <stdbool.h>

struct ddi_signature {
    const char *name;           /* e.g. "KeAcquireSpinLock"                  */
    int arity;                  /* number of parameters                      */
    bool returns_value;         /* false for VOID                            */
    const char *params;         /* parameter names, comma-separated:
                                   "SpinLock,OldIrql"                        */
};

/* Signature of a function (name without the sdv_ prefix), or NULL. */
const struct ddi_signature *ddi_lookup(const char *name);

/* An SDV harness routine such as sdv_RunStartIo: the role typedef of the
 * driver routine it runs (e.g. "DRIVER_STARTIO").  NULL if unknown. */
const char *ddi_harness_role(const char *harness_name);

/* Signature of a driver role routine (fun_HW_STARTIO → role "HW_STARTIO"):
 * NULL when the role's prototype is not in the table. */
const struct ddi_signature *ddi_role_signature(const char *role);

#endif
