/*
 * ir.h — source mode's intermediate form: each C function as lockstep's
 * own control-flow graph over a small expression language.
 *
 * lower.c builds it from libclang's cursors and then the translation unit
 * is disposed of: the IR owns copies of every name, so the engine can
 * follow calls across all scanned files.  Expressions have no side
 * effects — calls, assignments and increments inside an expression are
 * hoisted into nodes of their own, and `&&`, `||` and `?:` become
 * branches — so evaluating one is a pure function of the path's state.
 *
 * Memory: everything lives in one arena per program (ir_program) and is
 * freed at once.
 */
#ifndef LS_SOURCE_IR_H
#define LS_SOURCE_IR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* ---- expressions ---------------------------------------------------------- */

enum ir_expr_kind {
    EX_CONST,               /* integer constant: value                       */
    EX_LOAD,                /* value stored at location `loc`                */
    EX_ADDR,                /* address of location `loc`                     */
    EX_FUNC,                /* address of function `name`                    */
    EX_UNARY,               /* op a                                          */
    EX_BINARY,              /* a op b                                        */
    EX_UNKNOWN              /* a value lockstep does not model (a string, a
                               float, a struct)                               */
};

/* Operators, as their C spelling's token (ir_op_name gives it back). */
enum ir_op {
    OP_NONE, OP_NEG, OP_NOT, OP_BITNOT,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_SHL, OP_SHR,
    OP_AND, OP_OR, OP_XOR,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE
};

struct ir_expr {
    uint8_t kind;           /* enum ir_expr_kind                             */
    uint8_t op;             /* enum ir_op, for EX_UNARY and EX_BINARY        */
    int32_t a, b;           /* operand expressions                           */
    int32_t loc;            /* EX_LOAD, EX_ADDR                              */
    int64_t value;          /* EX_CONST                                      */
    const char *name;       /* EX_FUNC                                       */
};

/* ---- locations (lvalues) --------------------------------------------------- */

enum ir_loc_kind {
    LOC_VAR,                /* variable `var` of the function, or a global   */
    LOC_FIELD,              /* base.name                                     */
    LOC_DEREF,              /* *expr (p->f is FIELD of DEREF)                */
    LOC_INDEX               /* base[index]                                   */
};

struct ir_loc {
    uint8_t kind;
    int32_t var;            /* LOC_VAR: index in ir_function.vars            */
    int32_t base;           /* FIELD, INDEX: base location                   */
    int32_t expr;           /* DEREF: the pointer; INDEX: the index          */
    const char *name;       /* FIELD: the member                             */
};

enum ir_var_kind { VAR_PARAM, VAR_LOCAL, VAR_GLOBAL, VAR_TEMP };

struct ir_var {
    const char *name;       /* as written; temps are "$1", "$2", …           */
    uint8_t kind;           /* enum ir_var_kind                              */
    uint8_t is_static;      /* a global or local with static storage: its
                               name is qualified with its file               */
    int32_t param;          /* VAR_PARAM: 0-based position                   */
};

/* ---- nodes ----------------------------------------------------------------- */

enum ir_node_kind {
    N_NOP,                  /* go on to next[0]                              */
    N_ASSIGN,               /* loc = expr                                    */
    N_CALL,                 /* [loc =] callee(args…)                         */
    N_BRANCH,               /* expr ? next[0] : next[1]                      */
    N_SWITCH,               /* expr: the case targets, else next[0]          */
    N_RETURN,               /* return [expr]; next[0] is the exit            */
    N_EXIT,                 /* the function's end                            */
    N_STOP                  /* lockstep cannot follow the code on (a computed
                               goto, setjmp, inline assembly that jumps):
                               text says why; the path gives up here          */
};

struct ir_case {
    int64_t value;
    int32_t target;
};

struct ir_node {
    uint8_t kind;           /* enum ir_node_kind                             */
    int32_t next[2];        /* successors (-1: none)                         */
    int32_t loc;            /* N_ASSIGN and N_CALL: destination, or -1       */
    int32_t expr;           /* N_ASSIGN value, N_BRANCH/N_SWITCH/N_RETURN
                               operand (-1 for a plain return), N_CALL: the
                               callee when it is not a named function         */
    const char *callee;     /* N_CALL: the function's name, or NULL          */
    int32_t *args;          /* N_CALL: argument expressions                  */
    uint32_t nargs;
    struct ir_case *cases;  /* N_SWITCH                                       */
    uint32_t ncases;
    uint32_t line, column;  /* where in the function's file                  */
    const char *text;       /* the source text of the call, the condition or
                               the return, for error traces; N_STOP: why     */
};

/* ---- functions and programs ------------------------------------------------ */

struct ir_function {
    uint32_t index;         /* in ir_program.functions                       */
    const char *name;
    const char *file;       /* file of the definition                        */
    uint32_t line, column;
    uint32_t end_line, end_column;  /* the closing brace                     */
    int is_static;
    uint32_t nparams;
    struct ir_var *vars;
    uint32_t nvars;
    struct ir_expr *exprs;
    uint32_t nexprs;
    struct ir_loc *locs;
    uint32_t nlocs;
    struct ir_node *nodes;  /* nodes[0] is the entry, nodes[1] the exit      */
    uint32_t nnodes;
    const char *skipped;    /* non-NULL: not analysed, and why               */
};

/* How a function became an entry point. */
struct ir_entry {
    const char *function;
    const char *role;       /* role type ("HW_STARTIO"), or NULL             */
    const char *how;        /* "HW_STARTIO SampleStartIo; at x.c:12",
                               "HW_INITIALIZATION_DATA.HwStartIo at x.c:80", … */
};

/* Everything lowered from the scanned translation units. */
struct ir_program {
    struct arena arena;
    struct ir_function **functions;
    uint32_t nfunctions, functions_cap;
    int32_t *by_name;               /* hash table of function indices, -1
                                       empty; built by ir_index            */
    uint32_t by_name_slots;
    struct ir_entry *entries;
    uint32_t nentries, entries_cap;
};

void ir_program_init(struct ir_program *p);
void ir_program_free(struct ir_program *p);

/* Indexes the functions by name for ir_find_function; call once all
 * units are lowered.  0, or -1 when out of memory (lookups then scan). */
int ir_index(struct ir_program *p);

/* The definition of name (an external function, or a static one of file),
 * or NULL. */
const struct ir_function *ir_find_function(const struct ir_program *p, const char *name,
                                           const char *file);

/* Adds an entry point unless the same (function, role) is there; 0 or -1. */
int ir_add_entry(struct ir_program *p, const char *function, const char *role,
                 const char *how);

/* C spelling of an operator ("==", "!", …). */
const char *ir_op_name(unsigned op);

/* Writes the function's CFG as text (one line per node: id, kind, line,
 * successors, text), for `lockstep scan --dump-cfg` and the tests that
 * compare it with clang's. */
void ir_dump_function(const struct ir_function *f, void (*write)(void *, const char *),
                      void *context);

#endif /* LS_SOURCE_IR_H */
