/*
 * parse_int.h — what the Lemon grammar (grammar.y) and the parser driver
 * (parse.c) share: the parse context and the node builders the grammar's
 * actions call (prefix pb_).  Not a public interface.
 */
#ifndef LS_DSL_PARSE_INT_H
#define LS_DSL_PARSE_INT_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "lexer.h"

/* More than the grammar's terminal count (checked in parse.c). */
#define PB_MAX_TOKENS 80

struct parse_ctx {
    struct ast_rule *rule;
    struct ast_arena *arena;
    struct diag *diag;
    bool failed;                    /* an error ended parsing                */
    struct src_loc at;              /* the token being fed                   */
    bool seen_state;                /* a state block was parsed              */
    struct ast_var *last_var;       /* tails for O(1) appends                */
    struct ast_watch *last_watch;
    struct ast_handler *last_handler;
    struct ast_meta *last_meta;
};

/* Lists built left-recursively, kept with their tails. */
struct stmt_list { struct ast_stmt *head, *tail; };
struct expr_list { struct ast_expr *head, *tail; };
struct event_list { struct ast_event *head, *tail; };
struct const_list { struct ast_enum_const *head, *tail; int count; };
struct guard { struct ast_expr *key; bool or_null; };
struct pstring { const char *text; size_t len; struct src_loc loc; };

/* Report a syntax error at t; expected[k] says whether token kind k would
 * have been accepted. */
void pb_syntax_error(struct parse_ctx *ctx, int major, const struct token *t,
                     const bool *expected);
void pb_too_deep(struct parse_ctx *ctx);

void pb_meta_begin(struct parse_ctx *ctx, const struct token *kw,
                   const struct token *name);
void pb_meta_add(struct parse_ctx *ctx, const struct token *key,
                 struct pstring value);
void pb_state_begin(struct parse_ctx *ctx, const struct token *kw);
void pb_var_int(struct parse_ctx *ctx, const struct token *name,
                struct ast_expr *init, bool pointer);
void pb_var_enum(struct parse_ctx *ctx, struct const_list consts,
                 const struct token *name, struct ast_expr *init);
struct const_list pb_const_list(struct parse_ctx *ctx, struct const_list *l,
                                const struct token *name);
void pb_watch(struct parse_ctx *ctx, const struct token *kw,
              struct ast_event *event, const struct token *when,
              struct ast_expr *key);
void pb_handler(struct parse_ctx *ctx, const struct event_list *events,
                const struct token *when, const struct guard *guard,
                struct ast_stmt *body);
struct event_list pb_event_list(struct event_list *l, struct ast_event *e);
struct ast_event *pb_event(struct parse_ctx *ctx, const struct token *name);

struct ast_stmt *pb_block(struct parse_ctx *ctx, const struct token *lbrace,
                          const struct stmt_list *body,
                          const struct token *rbrace);
struct stmt_list pb_stmt_list(struct stmt_list *l, struct ast_stmt *s);
struct ast_stmt *pb_if(struct parse_ctx *ctx, const struct token *kw,
                       struct ast_expr *cond, struct ast_stmt *then_stmt,
                       struct ast_stmt *else_stmt);
struct ast_stmt *pb_assign(struct parse_ctx *ctx, struct ast_expr *target,
                           const struct token *op_token, enum ast_op op,
                           struct ast_expr *value);
struct ast_stmt *pb_abort(struct parse_ctx *ctx, const struct token *kw,
                          struct pstring message);
struct ast_stmt *pb_simple(struct parse_ctx *ctx, enum stmt_kind kind,
                           const struct token *kw);
struct pstring pb_string(struct parse_ctx *ctx, const struct pstring *prefix,
                         const struct token *t);

struct ast_expr *pb_int(struct parse_ctx *ctx, const struct token *t);
struct ast_expr *pb_name(struct parse_ctx *ctx, const struct token *t);
struct ast_expr *pb_param(struct parse_ctx *ctx, const struct token *t);
struct ast_expr *pb_return(struct parse_ctx *ctx, const struct token *t);
struct ast_expr *pb_deref_param(struct parse_ctx *ctx, const struct token *star,
                                const struct token *param);
struct ast_expr *pb_call(struct parse_ctx *ctx, const struct token *callee,
                         struct ast_expr *args);
struct ast_expr *pb_member(struct parse_ctx *ctx, struct ast_expr *base,
                           const struct token *op, const struct token *field,
                           bool arrow);
struct ast_expr *pb_unary(struct parse_ctx *ctx, enum ast_op op,
                          const struct token *t, struct ast_expr *operand);
struct ast_expr *pb_binary(struct parse_ctx *ctx, enum expr_kind kind,
                           enum ast_op op, const struct token *t,
                           struct ast_expr *left, struct ast_expr *right);
struct ast_expr *pb_cond(struct parse_ctx *ctx, const struct token *t,
                         struct ast_expr *cond, struct ast_expr *then_value,
                         struct ast_expr *else_value);
struct expr_list pb_expr_list(struct expr_list *l, struct ast_expr *e);

/* Lemon's entry points (grammar.c). */
void *lsParseAlloc(void *(*malloc_fn)(size_t));
void lsParse(void *parser, int major, struct token minor, struct parse_ctx *ctx);
void lsParseFree(void *parser, void (*free_fn)(void *));

#endif
