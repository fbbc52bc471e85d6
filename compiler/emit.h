/*
 * emit.h — the back ends.  Each writes one artefact for a rule that passed
 * sema_check(): the C checker module (.c and .h, the contract of
 * runtime/include/lockstep/rule.h), a Graphviz state diagram, or a JSON
 * description for other tools.  Output is deterministic: the same spec
 * always gives the same bytes.
 */
#ifndef LS_COMPILER_EMIT_H
#define LS_COMPILER_EMIT_H

#include <stdio.h>

#include "../dsl/ast.h"

/* The module's header, to be saved as <Rule>.h.  Returns 0, or -1 on a
 * write error. */
int emit_c_header(const struct ast_rule *rule, FILE *out);

/* The module's source.  out_name is the name the file will have (used in
 * the #line directives that return to generated code), e.g.
 * "generated/storport/IrqlKeReleaseSpinLock.c".  Returns 0 or -1. */
int emit_c_source(const struct ast_rule *rule, FILE *out, const char *out_name);

/* A Graphviz digraph of the rule's states and transitions.  Returns 0 or -1. */
int emit_dot(const struct ast_rule *rule, FILE *out);

/* A JSON object describing the rule.  Returns 0 or -1. */
int emit_json(const struct ast_rule *rule, FILE *out);

#endif
