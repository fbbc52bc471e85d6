/*
 * emit_out.h — what every back end (emit_c.c, emit_dot.c, emit_json.c)
 * writes with: one printf-checked emit() that counts lines (the C back end
 * needs the current line for its #line directives), one string escaper for
 * C, JSON and Graphviz strings, and the spec-text printers (expressions,
 * operands, event sets) the three back ends share for their comments and
 * labels.
 *
 * Output goes to a FILE or, when the FILE is NULL, into a growing
 * NUL-terminated buffer the caller frees (labels that are built before
 * being written, tests).
 */
#ifndef LS_COMPILER_EMIT_OUT_H
#define LS_COMPILER_EMIT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../dsl/ast.h"

struct emit_out {
    FILE *f;                /* destination; NULL: append to buf              */
    unsigned line;          /* 1-based number of the line being written      */
    int error;              /* nonzero once a write failed                   */
    char *buf;              /* f == NULL: the text so far, NUL-terminated
                               (owned; free() it)                            */
    size_t len, cap;
};

/* Start writing to f (NULL: into o->buf). */
void emit_init(struct emit_out *o, FILE *f);

/* Flush a FILE destination.  Returns 0, or -1 if any write failed. */
int emit_finish(struct emit_out *o);

/* printf into the output, counting the newlines written. */
void emit(struct emit_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write n raw bytes. */
void emit_bytes(struct emit_out *o, const char *s, size_t n);

/* How emit_quoted() escapes. */
enum emit_quote {
    EMIT_QUOTE_C,           /* C string literal: \" \\ \n, octal for other
                               control bytes and invalid UTF-8, \? against
                               trigraphs                                    */
    EMIT_QUOTE_JSON,        /* JSON string: \" \\ \n \uXXXX, U+FFFD for
                               invalid UTF-8                                */
    EMIT_QUOTE_DOT          /* Graphviz string: \" \\, newline as \n (a
                               centred line break), other control bytes as
                               a space, invalid UTF-8 as '?'                */
};

/* Write s between double quotes, escaped for mode.  Never writes a raw
 * newline, so the line count stays right. */
void emit_quoted(struct emit_out *o, const char *s, enum emit_quote mode);

/* Write s for use inside a C block comment: "*" "/" is broken up and
 * control characters become spaces. */
void emit_comment_text(struct emit_out *o, const char *s);

/* How emit_expr() spells an expression. */
enum emit_expr_style {
    EMIT_EXPR_SPEC,         /* as in the spec: names, $N, sdv_irql_current,
                               operators (labels, comments, JSON)           */
    EMIT_EXPR_C             /* as C in a generated module: s->name,
                               <Rule>_<const>, ls_event_arg(ev, N),
                               ls_add(a, b), ...                            */
};

/* Write an expression of a rule that passed sema, parenthesised only where
 * C precedence (or a -Wparentheses warning) needs it.  Sets o->error for a
 * node the style cannot express (e.g. an unresolved name in C). */
void emit_expr(struct emit_out *o, const struct ast_rule *rule,
               const struct ast_expr *e, enum emit_expr_style style);

/* True when emit_expr() writes e as a primary expression (a name, a
 * literal >= 0, a call), which needs no parentheses after a cast. */
bool emit_expr_is_primary(const struct ast_rule *rule, const struct ast_expr *e,
                          enum emit_expr_style style);

/* Write name as a C identifier: characters that cannot appear in one
 * become '_' (a rule named after a file such as "my-rule.slic"). */
void emit_c_ident(struct emit_out *o, const char *name);

/* "_" when name is a C keyword (a state variable called `default` is the
 * field `default_`), else "".  Write fields as "%s%s", name, suffix. */
const char *emit_field_suffix(const char *name);

/* The spec spelling of an operand (enum ls_operand_kind + index): "$2",
 * "$return", the extended operand's text ("*$1"), "sdv_irql_current",
 * "sdv_irql_previous", "sdv_irql_previous_3". */
void emit_operand(struct emit_out *o, const struct ast_rule *rule,
                  int kind, int index);

/* Classify a guard or watch key expression as an operand.  Returns false
 * (kind LS_OP_NONE) for e == NULL or an expression that is none of $N,
 * $return or an extended operand. */
bool emit_operand_of(const struct ast_expr *e, int *kind, int *index);

/* An event set as written, e.g. "KeAcquireSpinLock.exit [guard $1]" or
 * "[KeAcquireSpinLock, KeAcquireSpinLockRaiseToDpc].exit".  only != NULL:
 * just that function of the set.  sema_names: use the names sema resolved
 * (without sdv_) instead of the spelling in the spec. */
void emit_event_text(struct emit_out *o, const struct ast_rule *rule,
                     const struct ast_handler *h,
                     const struct ast_event *only, bool sema_names);

/* Spec line of a location (after macro expansion: where it is spelled),
 * 0 when it has none.  *file (may be NULL) gets the source-manager id. */
uint32_t emit_loc_line(const struct ast_rule *rule, struct src_loc loc,
                       uint32_t *file);

/* Path of a source-manager file, or the rule's path for an unknown id. */
const char *emit_file_path(const struct ast_rule *rule, uint32_t file);

/* Name of an enum variable's initial constant (NULL for int variables). */
const struct ast_enum_const *emit_enum_init(const struct ast_var *v);

/* "entry" or "exit". */
const char *emit_when_name(int when);

#endif
