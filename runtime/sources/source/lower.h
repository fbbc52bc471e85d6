/*
 * lower.h — from a libclang translation unit to source mode's IR (ir.h):
 * one CFG per function defined in the unit's main file, the entry points
 * the unit declares or registers, and per function whether it could be
 * analysed (a function clang reported errors in is skipped, with the
 * first error as the reason: libclang would otherwise drop the code it
 * cannot type without a word).
 */
#ifndef LS_SOURCE_LOWER_H
#define LS_SOURCE_LOWER_H

#include <clang-c/Index.h>

#include "ir.h"

/* Lowers every function defined in tu's main file into p, and records the
 * entry points it finds:
 *   - role-type declarations:            HW_STARTIO SampleStartIo;
 *   - routines stored in a field or array element whose type is a role's
 *     pointer type (DriverObject->MajorFunction[IRP_MJ_READ] = f,
 *     init.HwStartIo = f, DriverObject->DriverUnload = f);
 *   - routines passed to a DDI parameter of such a type
 *     (StorPortInitializeDpc(ext, &dpc, f), KeInitializeDpc(&dpc, f, c));
 *   - thread functions passed to pthread_create (no role).
 * Returns 0, or -1 when out of memory. */
int lower_translation_unit(struct ir_program *p, CXTranslationUnit tu);

#endif /* LS_SOURCE_LOWER_H */
