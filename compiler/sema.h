/*
 * sema.h — semantic analysis of a parsed rule: name resolution, type and
 * permission checks, lints, and the facts the emitters need (rule name and
 * metadata, extended operands, comparison constants).
 */
#ifndef LS_COMPILER_SEMA_H
#define LS_COMPILER_SEMA_H

#include "../dsl/ast.h"
#include "../dsl/diag.h"

/* Check and annotate rule (fills every "sema" field of ast.h).  Reports
 * through d; returns the number of errors found (0: the rule may be
 * emitted). */
int sema_check(struct ast_rule *rule, struct diag *d);

#endif
