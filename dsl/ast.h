/*
 * ast.h — the syntax tree of one rule, as the parser builds it and the
 * compiler annotates it.
 *
 * The parser (grammar.y) fills the fields marked "syntax"; sema (compiler/
 * sema.c) resolves names and fills the fields marked "sema"; the emitters
 * read both.  All nodes and strings live in one arena owned by the
 * ast_rule and are freed together with ast_free().  Lists are singly
 * linked through `next`, in source order.
 */
#ifndef LS_DSL_AST_H
#define LS_DSL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* Operators, in the order of ast_op_spelling[] (ORDER OP). */
enum ast_op {
    OP_NONE,
    /* unary */
    OP_NEG, OP_PLUS, OP_NOT, OP_BITNOT, OP_DEREF, OP_ADDR,
    /* binary, by C precedence */
    OP_MUL, OP_DIV, OP_MOD, OP_ADD, OP_SUB, OP_SHL, OP_SHR,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
    OP_BITAND, OP_BITXOR, OP_BITOR, OP_AND, OP_OR,
    OP_COUNT
};

/* C spelling of each operator ("-", "!", "<=", ...), indexed by ast_op. */
extern const char *const ast_op_spelling[OP_COUNT];

enum expr_kind {
    EXPR_INT,       /* integer literal: value                                */
    EXPR_NAME,      /* identifier: name (resolved by sema)                   */
    EXPR_PARAM,     /* $N: param                                             */
    EXPR_RETURN,    /* $return                                               */
    EXPR_UNARY,     /* op a                                                  */
    EXPR_BINARY,    /* a op b                                                */
    EXPR_COND,      /* a ? b : c                                             */
    EXPR_MEMBER,    /* a.name or a->name (arrow)                             */
    EXPR_INDEX,     /* a[b]                                                  */
    EXPR_CALL       /* name(args): only macros may look like calls; sema
                       rejects what is left after expansion                  */
};

/* What a name denotes (sema). */
enum sym_kind {
    SYM_UNRESOLVED,
    SYM_VAR,        /* a state variable: var                                 */
    SYM_ENUM_CONST, /* an enum constant: enum_const                          */
    SYM_IRQL        /* sdv_irql_current (irql_back 0), sdv_irql_previous (1),
                       sdv_irql_previous_N (N)                              */
};

struct ast_var;
struct ast_enum_const;

struct ast_expr {
    enum expr_kind kind;            /* syntax */
    struct src_loc loc;             /* syntax: the operator or the token      */
    enum ast_op op;                 /* syntax: UNARY, BINARY                  */
    int64_t value;                  /* syntax: INT                            */
    const char *name;               /* syntax: NAME, MEMBER field, CALL callee */
    bool arrow;                     /* syntax: MEMBER uses '->'               */
    int param;                      /* syntax: PARAM N (>= 0 as written)      */
    struct ast_expr *a, *b, *c;     /* syntax: operands; CALL: a = first arg  */
    struct ast_expr *next;          /* syntax: next CALL argument             */

    enum sym_kind sym;              /* sema: NAME                             */
    struct ast_var *var;            /* sema: SYM_VAR                          */
    struct ast_enum_const *enum_const; /* sema: SYM_ENUM_CONST                */
    int irql_back;                  /* sema: SYM_IRQL                         */
    int ext;                        /* sema: >= 0 when this node is an
                                       extended operand (*$N, $N->f): index
                                       into ast_rule.ext; the emitters treat
                                       it as a leaf. -1 otherwise.            */
};

struct ast_enum_const {
    const char *name;               /* syntax */
    struct src_loc loc;             /* syntax */
    int value;                      /* syntax: position in its enum (0, 1, ...) */
    struct ast_var *owner;          /* syntax */
    struct ast_enum_const *next;    /* syntax */
};

/* A state variable: `int n = 0;` or `enum {a, b} s = a;` */
struct ast_var {
    const char *name;               /* syntax */
    struct src_loc loc;             /* syntax: the variable's name            */
    bool is_enum;                   /* syntax */
    bool is_pointer;                /* syntax: `int *p`, holds a 64-bit value
                                       such as an object address            */
    struct ast_enum_const *consts;  /* syntax: enum constants                 */
    int const_count;                /* syntax */
    struct ast_expr *init;          /* syntax: initializer (may be NULL)      */
    struct ast_var *next;           /* syntax */

    int64_t init_value;             /* sema: constant value of init           */
    bool is_read;                   /* sema: read somewhere                   */
    int index;                      /* sema: position among the variables     */
};

/* One function of an event set: `KeAcquireSpinLock.exit` or an element of
 * `[F1, F2].exit`. */
struct ast_event {
    const char *name;               /* syntax: as written (sdv_Ke..., fun_...) */
    struct src_loc loc;             /* syntax */
    struct ast_event *next;         /* syntax */

    const char *function;           /* sema: name without SDV's sdv_ prefix   */
    const char *role;               /* sema: role for fun_ and sdv_Run* names */
    int arity;                      /* sema: parameter count, -1 if unknown   */
    bool returns_value;             /* sema: false for VOID functions         */
};

enum ast_when { WHEN_ENTRY = 0, WHEN_EXIT = 1 };   /* = enum ls_when */

/* `watch F.exit.$1;` */
struct ast_watch {
    struct ast_event *event;        /* syntax: exactly one function           */
    enum ast_when when;             /* syntax */
    struct ast_expr *key;           /* syntax: PARAM, RETURN or UNARY(DEREF)  */
    struct src_loc loc;             /* syntax: the 'watch' keyword            */
    struct ast_watch *next;         /* syntax */
};

enum stmt_kind {
    STMT_BLOCK,     /* { body }                                              */
    STMT_IF,        /* if (cond) then_stmt else else_stmt                    */
    STMT_ASSIGN,    /* target = value; (op != OP_NONE for +=, -=, ++, --)    */
    STMT_ABORT,     /* abort "message";                                      */
    STMT_HALT,      /* halt;                                                 */
    STMT_EMPTY      /* ;                                                     */
};

struct ast_stmt {
    enum stmt_kind kind;            /* syntax */
    struct src_loc loc;             /* syntax: first token of the statement   */
    struct ast_stmt *next;          /* syntax: next statement in a block      */
    struct ast_stmt *body;          /* syntax: BLOCK                          */
    struct src_loc end_loc;         /* syntax: BLOCK closing '}'              */
    struct ast_expr *cond;          /* syntax: IF                             */
    struct ast_stmt *then_stmt;     /* syntax: IF                             */
    struct ast_stmt *else_stmt;     /* syntax: IF (may be NULL)               */
    struct ast_expr *target;        /* syntax: ASSIGN                         */
    struct ast_expr *value;         /* syntax: ASSIGN (for ++/--: literal 1)  */
    enum ast_op op;                 /* syntax: ASSIGN compound operator       */
    const char *message;            /* syntax: ABORT, escapes decoded         */
};

/* `events [guard ...] { body }` */
struct ast_handler {
    struct ast_event *events;       /* syntax: one or more functions          */
    enum ast_when when;             /* syntax */
    struct ast_expr *guard;         /* syntax: NULL when unguarded            */
    bool guard_or_null;             /* syntax: [guard || null ...]            */
    struct ast_stmt *body;          /* syntax: a STMT_BLOCK                   */
    struct src_loc loc;             /* syntax: first token                    */
    struct ast_handler *next;       /* syntax */
};

/* lockstep's metadata header: `rule Name { model "x"; summary "..."; }` */
struct ast_meta {
    const char *key;                /* syntax */
    struct src_loc loc;             /* syntax */
    const char *value;              /* syntax: the string, escapes decoded    */
    struct src_loc value_loc;       /* syntax */
    struct ast_meta *next;          /* syntax */
};

/* An extended operand collected by sema (*$N, $N->a.b, (*$N).f). */
struct ast_ext {
    struct ast_expr *expr;          /* first occurrence                       */
    const char *text;               /* canonical spelling, e.g. "*$1"         */
    int arg;                        /* argument it starts from, 0: $return    */
    bool deref;                     /* begins with *$N                        */
    const char *path;               /* "->A.B" after the argument, or ""      */
};

/* Constants one operand is compared with (sema). */
struct ast_cases {
    const char *function;           /* NULL for SYM_IRQL operands             */
    enum ast_when when;
    int operand_kind;               /* enum ls_operand_kind                   */
    int operand_index;              /* as ls_operand.index                    */
    int64_t *values;                /* sorted, distinct                       */
    uint32_t count;
};

struct ast_rule {
    const char *path;               /* syntax: spec path as given             */
    uint32_t file;                  /* syntax: source-manager id of the spec  */
    struct ast_meta *meta;          /* syntax */
    const char *meta_name;          /* syntax: name in the `rule` header or NULL */
    struct src_loc meta_loc;        /* syntax */
    struct ast_var *vars;           /* syntax: state variables                */
    struct ast_watch *watches;      /* syntax */
    struct ast_handler *handlers;   /* syntax */

    /* sema */
    const char *name;               /* rule name (header, else file stem)     */
    const char *model;              /* model (header, else spec's directory)  */
    const char *summary, *severity, *help;  /* "" when absent                 */
    int var_count;
    struct ast_ext *ext;            /* extended operands                      */
    int ext_count;
    struct ast_cases *cases;        /* comparison constants                   */
    int case_count;

    char spec_sha256[65];           /* driver: hex SHA-256 of the spec bytes  */
    struct src_manager *sm;         /* syntax: where locations resolve        */
    struct ast_arena *arena;        /* owns every node and string             */
};

/* Allocation in the rule's arena (zeroed; aborts on out-of-memory, which
 * the compiler may do: see STYLE rule 4). */
void *ast_alloc(struct ast_arena *arena, size_t size);
char *ast_strndup(struct ast_arena *arena, const char *s, size_t len);
char *ast_sprintf(struct ast_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct ast_rule *ast_rule_new(struct src_manager *sm, const char *path,
                             uint32_t file);
void ast_free(struct ast_rule *rule);

/* New expression node with ext = -1. */
struct ast_expr *ast_expr_new(struct ast_arena *arena, enum expr_kind kind,
                              struct src_loc loc);

#endif
