/*
 * lower.c — libclang cursors to lockstep's CFGs (see lower.h, ir.h).
 *
 * The walk is the classic one: statements append nodes, and the edges
 * still waiting for their target (the "open" edges: the fall-through of
 * the last node, the false side of a branch, a `break` before its loop's
 * end exists) are kept in a list and patched when the next node is made.
 * Conditions lower to branches directly, so `a && b`, `a || b`, `!a` and
 * `c ? a : b` in an `if` cost no temporaries; in a value position they
 * branch into assignments of 1 and 0 to a temporary.
 *
 * libclang 14 has no operator-kind API.  An operator is read from the
 * tokens of the expression: the token after the left operand's extent
 * (binary), the first or last token (unary).  An expression written inside
 * a macro has the macro's invocation as its extent (and libclang 14's
 * spelling locations are its expansion locations too), so there the
 * operator is taken from the macro's definition when that is unambiguous
 * (macro_operator).  An operator found in neither place leaves the
 * expression unknown, never guessed.  Casts, parentheses and libclang's unexposed
 * implicit conversions are looked through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/roles.h>

#include "lower.h"

#define MAX_KIDS 64                 /* children read of one cursor           */
#define TEXT_MAX 160                /* characters of source kept per node    */
#define CASE_RANGE_MAX 4096         /* values of a GNU case range followed   */

/* One open edge: slot `slot` of node `node` still needs its target. */
struct edge { int32_t node; int32_t slot; };

struct edges {
    struct edge *v;
    uint32_t n, cap;
};

/* A growable array of T (nodes, exprs, locs, vars). */
#define VEC(T) struct { T *v; uint32_t n, cap; }

struct var_map { CXCursor decl; int32_t var; };
struct label { const char *name; int32_t node; };

/* The jump targets of the innermost loop or switch. */
struct jumps {
    struct edges breaks, continues;
    int takes_continue;             /* a loop (a switch passes it outward)   */
    struct jumps *outer;
};

/* A switch being lowered: its case labels become targets of its node. */
struct switch_ctx {
    int32_t node;
    VEC(struct ir_case) cases;
    int32_t default_target;
    struct switch_ctx *outer;
};

struct lower {
    struct ir_program *prog;
    CXTranslationUnit tu;
    const char *file;               /* the main file, in the arena           */
    const char *contents;           /* its bytes, for source text            */
    size_t contents_size;
    const char *fname;              /* function being lowered                */
    VEC(struct ir_node) nodes;
    VEC(struct ir_expr) exprs;
    VEC(struct ir_loc) locs;
    VEC(struct ir_var) vars;
    VEC(struct var_map) var_map;
    VEC(struct label) labels;
    struct edges open;
    struct jumps *jumps;
    struct switch_ctx *sw;
    uint32_t temps;
    const char *too_many;           /* why the function cannot be read whole */
    int32_t last_call;              /* node of the call lowered last         */
    int oom;
};

/* ---- small helpers -------------------------------------------------------- */

#define VEC_PUSH(l, vec, item)                                              \
    do {                                                                    \
        if ((vec).n == (vec).cap) {                                         \
            uint32_t cap_ = (vec).cap ? (vec).cap * 2 : 16;                 \
            void *v_ = realloc((vec).v, cap_ * sizeof *(vec).v);            \
            if (v_ == NULL) { (l)->oom = 1; break; }                        \
            (vec).v = v_;                                                   \
            (vec).cap = cap_;                                               \
        }                                                                   \
        (vec).v[(vec).n++] = (item);                                        \
    } while (0)

static void edges_add(struct lower *l, struct edges *e, int32_t node, int32_t slot)
{
    struct edge x = { node, slot };
    VEC_PUSH(l, *e, x);
}

static void edges_append(struct lower *l, struct edges *to, struct edges *from)
{
    for (uint32_t i = 0; i < from->n; i++)
        edges_add(l, to, from->v[i].node, from->v[i].slot);
    from->n = 0;
}

static char *cx_string(struct lower *l, CXString s)
{
    char *d = arena_strdup(&l->prog->arena, clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
    if (d == NULL)
        l->oom = 1;
    return d;
}

/* Expansion position of a location (a macro's use, not its definition). */
static void position(CXSourceLocation loc, uint32_t *line, uint32_t *column, unsigned *offset)
{
    CXFile file;
    unsigned ln, col, off;
    clang_getExpansionLocation(loc, &file, &ln, &col, &off);
    if (line) *line = ln;
    if (column) *column = col;
    if (offset) *offset = off;
}

/* The children of c.  Statements of a block are lowered as they are
 * visited (lower_block), so only expressions and declarations are read
 * this way; one with more than MAX_KIDS children (a call with 70
 * arguments) makes its function skipped, never half read. */
struct kids { CXCursor v[MAX_KIDS]; unsigned n, total; };

static enum CXChildVisitResult collect_kid(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    struct kids *k = data;
    if (k->n < MAX_KIDS)
        k->v[k->n++] = c;
    k->total++;
    return CXChildVisit_Continue;
}

static void kids_of(struct lower *l, CXCursor c, struct kids *k)
{
    k->n = k->total = 0;
    clang_visitChildren(c, collect_kid, k);
    if (k->total > MAX_KIDS && l->too_many == NULL) {
        uint32_t line;
        position(clang_getCursorLocation(c), &line, NULL, NULL);
        l->too_many = arena_printf(&l->prog->arena, "line %u: more than %d operands in one "
                                   "expression or declaration", line, MAX_KIDS);
    }
}

static int is_expr_kind(enum CXCursorKind k)
{
    return clang_isExpression(k) != 0;
}

/* Looks through parentheses, casts and implicit conversions. */
static CXCursor strip(struct lower *l, CXCursor c)
{
    for (;;) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k != CXCursor_ParenExpr && k != CXCursor_CStyleCastExpr
            && k != CXCursor_UnexposedExpr)
            return c;
        struct kids kids;
        kids_of(l, c, &kids);
        /* a cast's first child may be its TypeRef; the operand is last.  An
         * implicit conversion has one child; an unexposed expression with
         * more (GNU a ?: b) is an expression of its own */
        if (kids.n == 0 || !is_expr_kind(clang_getCursorKind(kids.v[kids.n - 1]))
            || (k == CXCursor_UnexposedExpr && kids.n != 1))
            return c;
        c = kids.v[kids.n - 1];
    }
}

/* The source text of c, whitespace collapsed, at most TEXT_MAX bytes. */
static const char *source_text(struct lower *l, CXCursor c)
{
    CXSourceRange r = clang_getCursorExtent(c);
    unsigned a, b;
    position(clang_getRangeStart(r), NULL, NULL, &a);
    position(clang_getRangeEnd(r), NULL, NULL, &b);
    if (l->contents == NULL || b <= a || b > l->contents_size)
        return cx_string(l, clang_getCursorSpelling(c));
    char buf[TEXT_MAX + 4];
    size_t n = 0;
    int space = 0;
    for (unsigned i = a; i < b && n < TEXT_MAX; i++) {
        char ch = l->contents[i];
        if (ch == '\n' || ch == '\t' || ch == '\r' || ch == ' ') {
            space = n > 0;
            continue;
        }
        if (space)
            buf[n++] = ' ';
        space = 0;
        if (n < TEXT_MAX)
            buf[n++] = ch;
    }
    if (n >= TEXT_MAX)
        memcpy(buf + n, "...", 3), n += 3;
    char *d = arena_strndup(&l->prog->arena, buf, n);
    if (d == NULL)
        l->oom = 1;
    return d;
}

/* ---- building blocks ---------------------------------------------------- */

static int32_t new_node(struct lower *l, enum ir_node_kind kind, CXCursor at)
{
    struct ir_node n;
    memset(&n, 0, sizeof n);
    n.kind = (uint8_t)kind;
    n.next[0] = n.next[1] = -1;
    n.loc = n.expr = -1;
    position(clang_getCursorLocation(at), &n.line, &n.column, NULL);
    VEC_PUSH(l, l->nodes, n);
    return l->oom ? 0 : (int32_t)l->nodes.n - 1;
}

/* Makes a node the target of every open edge; its own fall-through
 * (slot 0) becomes the only open edge.  Returns its index. */
static int32_t emit(struct lower *l, enum ir_node_kind kind, CXCursor at)
{
    int32_t id = new_node(l, kind, at);
    if (l->oom)
        return 0;
    for (uint32_t i = 0; i < l->open.n; i++)
        l->nodes.v[l->open.v[i].node].next[l->open.v[i].slot] = id;
    l->open.n = 0;
    edges_add(l, &l->open, id, 0);
    return id;
}

/* Sends the open edges to an existing node; nothing is open afterwards. */
static void jump_to(struct lower *l, int32_t target)
{
    for (uint32_t i = 0; i < l->open.n; i++)
        l->nodes.v[l->open.v[i].node].next[l->open.v[i].slot] = target;
    l->open.n = 0;
}

static int32_t new_expr(struct lower *l, enum ir_expr_kind kind)
{
    struct ir_expr e;
    memset(&e, 0, sizeof e);
    e.kind = (uint8_t)kind;
    e.a = e.b = e.loc = -1;
    VEC_PUSH(l, l->exprs, e);
    return l->oom ? 0 : (int32_t)l->exprs.n - 1;
}

static int32_t const_expr(struct lower *l, int64_t value)
{
    int32_t e = new_expr(l, EX_CONST);
    if (!l->oom)
        l->exprs.v[e].value = value;
    return e;
}

static int32_t unknown_expr(struct lower *l)
{
    return new_expr(l, EX_UNKNOWN);
}

static int32_t loc_expr(struct lower *l, enum ir_expr_kind kind, int32_t loc)
{
    int32_t e = new_expr(l, kind);
    if (!l->oom)
        l->exprs.v[e].loc = loc;
    return e;
}

static int32_t op_expr(struct lower *l, enum ir_op op, int32_t a, int32_t b)
{
    int32_t e = new_expr(l, b < 0 ? EX_UNARY : EX_BINARY);
    if (!l->oom) {
        l->exprs.v[e].op = (uint8_t)op;
        l->exprs.v[e].a = a;
        l->exprs.v[e].b = b;
    }
    return e;
}

static int32_t new_loc(struct lower *l, enum ir_loc_kind kind, int32_t var, int32_t base,
                       int32_t expr, const char *name)
{
    struct ir_loc x = { (uint8_t)kind, var, base, expr, name };
    VEC_PUSH(l, l->locs, x);
    return l->oom ? 0 : (int32_t)l->locs.n - 1;
}

static int32_t add_var(struct lower *l, const char *name, enum ir_var_kind kind, int32_t param)
{
    struct ir_var v = { name, (uint8_t)kind, 0, param };
    VEC_PUSH(l, l->vars, v);
    return l->oom ? 0 : (int32_t)l->vars.n - 1;
}

/* A fresh temporary's location. */
static int32_t temp_loc(struct lower *l)
{
    char *name = arena_printf(&l->prog->arena, "$%u", ++l->temps);
    if (name == NULL) {
        l->oom = 1;
        return 0;
    }
    return new_loc(l, LOC_VAR, add_var(l, name, VAR_TEMP, -1), -1, -1, NULL);
}

/* The variable a declaration cursor stands for, added on first use. */
static int32_t var_of(struct lower *l, CXCursor decl)
{
    decl = clang_getCanonicalCursor(decl);
    for (uint32_t i = 0; i < l->var_map.n; i++)
        if (clang_equalCursors(l->var_map.v[i].decl, decl))
            return l->var_map.v[i].var;
    enum CXCursorKind k = clang_getCursorKind(decl);
    const char *name = cx_string(l, clang_getCursorSpelling(decl));
    int global = k == CXCursor_VarDecl
                 && clang_getCursorKind(clang_getCursorSemanticParent(decl)) != CXCursor_FunctionDecl;
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(decl);
    int32_t v = add_var(l, name, global ? VAR_GLOBAL : k == CXCursor_ParmDecl ? VAR_PARAM : VAR_LOCAL, -1);
    if (!l->oom && sc == CX_SC_Static) {
        /* a static's name is qualified so two files' statics differ */
        l->vars.v[v].is_static = 1;
        if (global)
            l->vars.v[v].name = arena_printf(&l->prog->arena, "%s:%s", l->file, name);
        else
            l->vars.v[v].kind = VAR_GLOBAL,
            l->vars.v[v].name = arena_printf(&l->prog->arena, "%s:%s.%s", l->file, l->fname, name);
    }
    struct var_map m = { decl, v };
    VEC_PUSH(l, l->var_map, m);
    return v;
}

static int is_array_type(CXType t)
{
    t = clang_getCanonicalType(t);
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray
           || t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray;
}

/* ---- operators ------------------------------------------------------------ */

struct op_spelling { const char *text; int op; };

/* Binary and compound-assignment spellings; assignment, logical and comma
 * operators have negative codes handled by the callers. */
enum { OPX_ASSIGN = -1, OPX_LAND = -2, OPX_LOR = -3, OPX_COMMA = -4, OPX_UNKNOWN = -99 };

static const struct op_spelling binary_ops[] = {
    { "+", OP_ADD }, { "-", OP_SUB }, { "*", OP_MUL }, { "/", OP_DIV }, { "%", OP_MOD },
    { "<<", OP_SHL }, { ">>", OP_SHR }, { "&", OP_AND }, { "|", OP_OR }, { "^", OP_XOR },
    { "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT }, { "<=", OP_LE }, { ">", OP_GT },
    { ">=", OP_GE }, { "=", OPX_ASSIGN }, { "&&", OPX_LAND }, { "||", OPX_LOR },
    { ",", OPX_COMMA },
    { "+=", OP_ADD }, { "-=", OP_SUB }, { "*=", OP_MUL }, { "/=", OP_DIV },
    { "%=", OP_MOD }, { "<<=", OP_SHL }, { ">>=", OP_SHR }, { "&=", OP_AND },
    { "|=", OP_OR }, { "^=", OP_XOR },
};

static int lookup_op(const char *text, size_t n)
{
    for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
        if (strlen(binary_ops[i].text) == n && memcmp(binary_ops[i].text, text, n) == 0)
            return binary_ops[i].op;
    return OPX_UNKNOWN;
}

/* Offsets of a cursor's extent and of an operand's, where the code is
 * expanded, when all four are in one file. */
struct op_span {
    CXFile file;
    unsigned start, end;            /* the expression                       */
    unsigned op_start, op_end;      /* the operand                          */
};

static int span_of(CXCursor c, CXCursor operand, struct op_span *sp)
{
    CXSourceLocation locs[4] = {
        clang_getRangeStart(clang_getCursorExtent(c)),
        clang_getRangeEnd(clang_getCursorExtent(c)),
        clang_getRangeStart(clang_getCursorExtent(operand)),
        clang_getRangeEnd(clang_getCursorExtent(operand)),
    };
    unsigned *out[4] = { &sp->start, &sp->end, &sp->op_start, &sp->op_end };
    for (int i = 0; i < 4; i++) {
        CXFile file;
        clang_getExpansionLocation(locs[i], &file, NULL, NULL, out[i]);
        if (i == 0)
            sp->file = file;
        else if (file == NULL || !clang_File_isEqual(file, sp->file))
            return 0;
    }
    return sp->file != NULL && sp->start < sp->end;
}

/* The operator token of expression c with operand `operand`: the token
 * right after the operand (binary), or the first token before it or the
 * last after it (unary, *prefix says which).  Empty when the tokens there
 * are not an operator (the expression is written inside a macro). */
static void operator_token(struct lower *l, CXCursor c, CXCursor operand, int binary,
                           int *prefix, char out[4])
{
    out[0] = '\0';
    struct op_span sp;
    if (!span_of(c, operand, &sp))
        return;
    CXSourceRange r = clang_getRange(clang_getLocationForOffset(l->tu, sp.file, sp.start),
                                     clang_getLocationForOffset(l->tu, sp.file, sp.end));
    CXToken *tokens;
    unsigned n;
    clang_tokenize(l->tu, r, &tokens, &n);
    int pick = -1;
    unsigned off = 0;
    for (unsigned i = 0; i < n && pick < 0; i++) {
        clang_getSpellingLocation(clang_getTokenLocation(l->tu, tokens[i]), NULL, NULL, NULL, &off);
        if (binary ? off >= sp.op_end && off < sp.end : off < sp.op_start)
            pick = (int)i;
        else if (binary && off >= sp.op_end)
            break;
    }
    if (!binary && pick < 0 && n > 0) {
        pick = (int)n - 1;              /* postfix: the last token */
        clang_getSpellingLocation(clang_getTokenLocation(l->tu, tokens[pick]), NULL, NULL, NULL,
                                  &off);
    }
    if (pick >= 0 && clang_getTokenKind(tokens[pick]) == CXToken_Punctuation
        && (binary || off < sp.op_start || off >= sp.op_end)) {
        CXString t = clang_getTokenSpelling(l->tu, tokens[pick]);
        const char *text = clang_getCString(t);
        if (strlen(text) < 4) {
            strcpy(out, text);
            if (prefix)
                *prefix = off < sp.op_start;
        }
        clang_disposeString(t);
    }
    clang_disposeTokens(l->tu, tokens, n);
}

/* An operator written inside a macro's definition, which libclang 14 only
 * shows as the macro's invocation: when the body of the macro invoked at
 * c holds exactly one token that can be this kind of operator, it is the
 * one (NT_SUCCESS's `>=`, a flag test's `!`).  Anything more tangled stays
 * unknown. */
static void macro_operator(struct lower *l, CXCursor c, int binary, char out[4])
{
    CXCursor use = clang_getCursor(l->tu, clang_getRangeStart(clang_getCursorExtent(c)));
    if (clang_getCursorKind(use) != CXCursor_MacroExpansion)
        return;
    CXCursor def = clang_getCursorReferenced(use);
    if (clang_getCursorKind(def) != CXCursor_MacroDefinition)
        return;
    CXToken *tokens;
    unsigned n;
    clang_tokenize(l->tu, clang_getCursorExtent(def), &tokens, &n);
    unsigned i = 1, found = 0;
    char pick[4] = "";
    if (clang_Cursor_isMacroFunctionLike(def)) {
        while (i < n) {             /* skip the parameter list */
            CXString t = clang_getTokenSpelling(l->tu, tokens[i++]);
            int close = strcmp(clang_getCString(t), ")") == 0;
            clang_disposeString(t);
            if (close)
                break;
        }
    }
    for (; i < n; i++) {
        if (clang_getTokenKind(tokens[i]) != CXToken_Punctuation)
            continue;
        CXString t = clang_getTokenSpelling(l->tu, tokens[i]);
        const char *text = clang_getCString(t);
        int op = lookup_op(text, strlen(text));
        int counts = binary ? op != OPX_UNKNOWN && op != OPX_COMMA
                            : strcmp(text, "!") == 0 || strcmp(text, "~") == 0;
        if (counts && strlen(text) < 4) {
            found++;
            strcpy(pick, text);
        }
        clang_disposeString(t);
    }
    clang_disposeTokens(l->tu, tokens, n);
    if (found == 1)
        strcpy(out, pick);
}

/* The operator of a binary (or compound assignment) expression whose left
 * operand is lhs. */
static int binary_op(struct lower *l, CXCursor c, CXCursor lhs)
{
    char text[4];
    operator_token(l, c, lhs, 1, NULL, text);
    if (text[0] == '\0')
        macro_operator(l, c, 1, text);
    return text[0] ? lookup_op(text, strlen(text)) : OPX_UNKNOWN;
}

/* A unary operator's spelling ("" when unknown), and whether it stands
 * before its operand. */
static const char *unary_op(struct lower *l, CXCursor c, CXCursor operand, int *prefix,
                            char buf[4])
{
    *prefix = 1;
    operator_token(l, c, operand, 0, prefix, buf);
    if (buf[0] == '\0')
        macro_operator(l, c, 0, buf);
    return buf;
}

/* ---- expressions ---------------------------------------------------------- */

static int32_t lower_expr(struct lower *l, CXCursor c);
static int32_t lower_loc(struct lower *l, CXCursor c);
static void lower_cond(struct lower *l, CXCursor c, struct edges *t, struct edges *f);
static void lower_stmt(struct lower *l, CXCursor c);
static enum CXChildVisitResult lower_each(CXCursor c, CXCursor parent, CXClientData data);

/* The value of an integer constant expression, if c is one. */
static int evaluate_int(CXCursor c, int64_t *value)
{
    CXEvalResult r = clang_Cursor_Evaluate(c);
    if (r == NULL)
        return 0;
    int ok = clang_EvalResult_getKind(r) == CXEval_Int;
    if (ok)
        *value = clang_EvalResult_getAsLongLong(r);
    clang_EvalResult_dispose(r);
    return ok;
}

/* A role whose routine a value of type t holds: PHW_STARTIO, HW_STARTIO *
 * and an array of PDRIVER_DISPATCH all name one. */
static const char *role_of_type(CXType t)
{
    if (is_array_type(t))
        t = clang_getArrayElementType(t);
    CXString s = clang_getTypeSpelling(t);
    char name[128];
    snprintf(name, sizeof name, "%s", clang_getCString(s));
    clang_disposeString(s);
    size_t n = strlen(name);
    while (n > 0 && (name[n - 1] == '*' || name[n - 1] == ' '))
        name[--n] = '\0';
    const struct ls_role *role = ls_role_lookup(name);
    if (role == NULL && name[0] == 'P')
        role = ls_role_lookup(name + 1);
    return role ? role->name : NULL;
}

/* The function c names, when c is (through casts and &) a function. */
static const char *function_named(struct lower *l, CXCursor c)
{
    c = strip(l, c);
    if (clang_getCursorKind(c) == CXCursor_UnaryOperator) {
        struct kids k;
        kids_of(l, c, &k);
        if (k.n == 1)
            c = strip(l, k.v[0]);
    }
    if (clang_getCursorKind(c) != CXCursor_DeclRefExpr)
        return NULL;
    CXCursor d = clang_getCursorReferenced(c);
    if (clang_getCursorKind(d) != CXCursor_FunctionDecl)
        return NULL;
    return cx_string(l, clang_getCursorSpelling(d));
}

/* A routine stored where its role is known (a field or a DDI parameter of
 * a role's pointer type) is an entry point. */
static void note_registration(struct lower *l, CXCursor value, CXType where, CXCursor at)
{
    const char *role = role_of_type(where);
    if (role == NULL)
        return;
    const char *fn = function_named(l, value);
    if (fn == NULL)
        return;
    uint32_t line;
    position(clang_getCursorLocation(at), &line, NULL, NULL);
    char how[256];
    snprintf(how, sizeof how, "registered as %s at %s:%u", role, l->file, line);
    if (ir_add_entry(l->prog, fn, role, how) < 0)
        l->oom = 1;
}

static int32_t lower_call(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n == 0)
        return unknown_expr(l);
    CXCursor callee = strip(l, k.v[0]);
    const char *name = NULL;
    CXCursor decl = clang_getNullCursor();
    if (clang_getCursorKind(callee) == CXCursor_DeclRefExpr) {
        decl = clang_getCursorReferenced(callee);
        if (clang_getCursorKind(decl) == CXCursor_FunctionDecl)
            name = cx_string(l, clang_getCursorSpelling(decl));
    }
    int32_t callee_expr = name ? -1 : lower_expr(l, k.v[0]);
    int32_t *args = NULL;
    uint32_t nargs = k.n - 1;
    if (nargs > 0) {
        args = arena_alloc(&l->prog->arena, nargs * sizeof *args);
        if (args == NULL) {
            l->oom = 1;
            return 0;
        }
    }
    for (uint32_t i = 0; i < nargs; i++) {
        CXCursor arg = k.v[i + 1];
        args[i] = lower_expr(l, arg);
        if (name && !clang_Cursor_isNull(decl) && (int)i < clang_Cursor_getNumArguments(decl))
            note_registration(l, arg, clang_getCursorType(clang_Cursor_getArgument(decl, i)), c);
        if (name && strcmp(name, "pthread_create") == 0 && i == 2) {
            const char *fn = function_named(l, arg);
            if (fn && ir_add_entry(l->prog, fn, NULL, "thread started by pthread_create") < 0)
                l->oom = 1;
        }
    }
    if (name && (strcmp(name, "setjmp") == 0 || strcmp(name, "_setjmp") == 0
                 || strcmp(name, "sigsetjmp") == 0 || strcmp(name, "__builtin_setjmp") == 0)) {
        int32_t n = emit(l, N_STOP, c);
        if (!l->oom)
            l->nodes.v[n].text = "setjmp: lockstep does not follow the second return of setjmp";
        return unknown_expr(l);
    }
    CXType result = clang_getCursorType(c);
    int32_t dest = result.kind == CXType_Void ? -1 : temp_loc(l);
    int32_t n = emit(l, N_CALL, c);
    if (l->oom)
        return 0;
    l->last_call = n;
    struct ir_node *node = &l->nodes.v[n];
    node->callee = name;
    node->expr = callee_expr;
    node->args = args;
    node->nargs = nargs;
    node->loc = dest;
    node->text = source_text(l, c);
    return dest >= 0 ? loc_expr(l, EX_LOAD, dest) : unknown_expr(l);
}

/* Assigns value to loc at cursor c; returns the assigned value's expr. */
static int32_t assign(struct lower *l, int32_t loc, int32_t value, CXCursor c)
{
    int32_t n = emit(l, N_ASSIGN, c);
    if (l->oom)
        return 0;
    l->nodes.v[n].loc = loc;
    l->nodes.v[n].expr = value;
    l->nodes.v[n].text = source_text(l, c);
    return loc_expr(l, EX_LOAD, loc);
}

/* A condition in value position: a temporary set to 1 or 0 on each side. */
static int32_t cond_value(struct lower *l, CXCursor c)
{
    int32_t tmp = temp_loc(l);
    struct edges t = { 0 }, f = { 0 }, done = { 0 };
    lower_cond(l, c, &t, &f);
    edges_append(l, &l->open, &t);
    assign(l, tmp, const_expr(l, 1), c);
    edges_append(l, &done, &l->open);
    edges_append(l, &l->open, &f);
    assign(l, tmp, const_expr(l, 0), c);
    edges_append(l, &l->open, &done);
    free(t.v), free(f.v), free(done.v);
    return loc_expr(l, EX_LOAD, tmp);
}

static int32_t lower_binary(struct lower *l, CXCursor c, int compound)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n != 2)
        return unknown_expr(l);
    int op = binary_op(l, c, k.v[0]);
    if (op == OPX_LAND || op == OPX_LOR)
        return cond_value(l, c);
    if (op == OPX_COMMA) {
        lower_expr(l, k.v[0]);
        return lower_expr(l, k.v[1]);
    }
    if (op == OPX_ASSIGN) {
        int32_t value = lower_expr(l, k.v[1]);
        int32_t loc = lower_loc(l, k.v[0]);
        note_registration(l, k.v[1], clang_getCursorType(k.v[0]), c);
        return assign(l, loc, value, c);
    }
    if (op == OPX_UNKNOWN) {
        lower_expr(l, k.v[0]);
        lower_expr(l, k.v[1]);
        return unknown_expr(l);
    }
    if (compound) {
        int32_t loc = lower_loc(l, k.v[0]);
        int32_t value = lower_expr(l, k.v[1]);
        return assign(l, loc, op_expr(l, (enum ir_op)op, loc_expr(l, EX_LOAD, loc), value), c);
    }
    int32_t a = lower_expr(l, k.v[0]);
    int32_t b = lower_expr(l, k.v[1]);
    return op_expr(l, (enum ir_op)op, a, b);
}

static int32_t lower_unary(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n != 1)
        return unknown_expr(l);
    int prefix;
    char buf[4];
    const char *op = unary_op(l, c, k.v[0], &prefix, buf);
    if (strcmp(op, "&") == 0) {
        const char *fn = function_named(l, k.v[0]);
        if (fn) {
            int32_t e = new_expr(l, EX_FUNC);
            if (!l->oom)
                l->exprs.v[e].name = fn;
            return e;
        }
        return loc_expr(l, EX_ADDR, lower_loc(l, k.v[0]));
    }
    if (strcmp(op, "*") == 0)
        return loc_expr(l, EX_LOAD, lower_loc(l, c));
    if (strcmp(op, "++") == 0 || strcmp(op, "--") == 0) {
        int32_t loc = lower_loc(l, k.v[0]);
        int32_t old = -1;
        if (!prefix) {
            int32_t tmp = temp_loc(l);
            old = assign(l, tmp, loc_expr(l, EX_LOAD, loc), c);
        }
        int32_t now = assign(l, loc, op_expr(l, op[0] == '+' ? OP_ADD : OP_SUB,
                                             loc_expr(l, EX_LOAD, loc), const_expr(l, 1)), c);
        return prefix ? now : old;
    }
    if (strcmp(op, "!") == 0)
        return op_expr(l, OP_NOT, lower_expr(l, k.v[0]), -1);
    if (strcmp(op, "-") == 0)
        return op_expr(l, OP_NEG, lower_expr(l, k.v[0]), -1);
    if (strcmp(op, "~") == 0)
        return op_expr(l, OP_BITNOT, lower_expr(l, k.v[0]), -1);
    if (strcmp(op, "+") == 0)
        return lower_expr(l, k.v[0]);
    lower_expr(l, k.v[0]);          /* __real__, __extension__, …: keep effects */
    return unknown_expr(l);
}

/* GNU `a ?: b` (c): a, evaluated once, unless it is 0, then b. */
static int32_t lower_elvis(struct lower *l, CXCursor c, CXCursor a, CXCursor b)
{
    int32_t tmp = temp_loc(l);
    assign(l, tmp, lower_expr(l, a), a);
    int32_t n = emit(l, N_BRANCH, c);
    if (l->oom)
        return 0;
    l->nodes.v[n].expr = loc_expr(l, EX_LOAD, tmp);
    l->nodes.v[n].text = source_text(l, a);
    struct edges t = { 0 };
    l->open.n = 0;
    edges_add(l, &t, n, 0);
    edges_add(l, &l->open, n, 1);
    assign(l, tmp, lower_expr(l, b), b);
    edges_append(l, &l->open, &t);
    free(t.v);
    return loc_expr(l, EX_LOAD, tmp);
}

/* Whether c, an expression libclang does not expose, is GNU `a ?: b`:
 * four children (a, two opaque copies of it, b) and `?` right before `:`. */
static int is_elvis(struct lower *l, CXCursor c, const struct kids *k)
{
    if (k->n != 4)
        return 0;
    CXToken *tokens;
    unsigned n;
    int found = 0;
    clang_tokenize(l->tu, clang_getCursorExtent(c), &tokens, &n);
    for (unsigned i = 0; i + 1 < n && !found; i++) {
        CXString x = clang_getTokenSpelling(l->tu, tokens[i]);
        CXString y = clang_getTokenSpelling(l->tu, tokens[i + 1]);
        found = strcmp(clang_getCString(x), "?") == 0 && strcmp(clang_getCString(y), ":") == 0;
        clang_disposeString(x);
        clang_disposeString(y);
    }
    clang_disposeTokens(l->tu, tokens, n);
    return found;
}

static int32_t lower_conditional(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n != 3)
        return unknown_expr(l);
    int32_t tmp = temp_loc(l);
    struct edges t = { 0 }, f = { 0 }, done = { 0 };
    lower_cond(l, k.v[0], &t, &f);
    edges_append(l, &l->open, &t);
    assign(l, tmp, lower_expr(l, k.v[1]), k.v[1]);
    edges_append(l, &done, &l->open);
    edges_append(l, &l->open, &f);
    assign(l, tmp, lower_expr(l, k.v[2]), k.v[2]);
    edges_append(l, &l->open, &done);
    free(t.v), free(f.v), free(done.v);
    return loc_expr(l, EX_LOAD, tmp);
}

static int32_t lower_expr(struct lower *l, CXCursor c)
{
    if (l->oom)
        return 0;
    enum CXCursorKind kind = clang_getCursorKind(c);
    int64_t value;
    switch (kind) {
    case CXCursor_IntegerLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_UnaryExpr:                /* sizeof, _Alignof */
        return evaluate_int(c, &value) ? const_expr(l, value) : unknown_expr(l);
    case CXCursor_ParenExpr:
    case CXCursor_CStyleCastExpr:
    case CXCursor_UnexposedExpr: {
        /* a constant through a cast: (NTSTATUS)0xC000000DL is negative */
        if (evaluate_int(c, &value))
            return const_expr(l, value);
        struct kids k;
        kids_of(l, c, &k);
        if (kind == CXCursor_UnexposedExpr && is_elvis(l, c, &k))
            return lower_elvis(l, c, k.v[0], k.v[3]);
        CXCursor inner = strip(l, c);
        if (!clang_equalCursors(inner, c))
            return lower_expr(l, inner);
        for (unsigned i = 0; i < k.n; i++)
            if (is_expr_kind(clang_getCursorKind(k.v[i])))
                lower_expr(l, k.v[i]);
        return unknown_expr(l);
    }
    case CXCursor_DeclRefExpr: {
        CXCursor d = clang_getCursorReferenced(c);
        enum CXCursorKind dk = clang_getCursorKind(d);
        if (dk == CXCursor_EnumConstantDecl)
            return const_expr(l, clang_getEnumConstantDeclValue(d));
        if (dk == CXCursor_FunctionDecl) {
            int32_t e = new_expr(l, EX_FUNC);
            if (!l->oom)
                l->exprs.v[e].name = cx_string(l, clang_getCursorSpelling(d));
            return e;
        }
        if (dk != CXCursor_VarDecl && dk != CXCursor_ParmDecl)
            return unknown_expr(l);
        int32_t loc = lower_loc(l, c);
        return loc_expr(l, is_array_type(clang_getCursorType(c)) ? EX_ADDR : EX_LOAD, loc);
    }
    case CXCursor_MemberRefExpr:
    case CXCursor_ArraySubscriptExpr: {
        int32_t loc = lower_loc(l, c);
        return loc_expr(l, is_array_type(clang_getCursorType(c)) ? EX_ADDR : EX_LOAD, loc);
    }
    case CXCursor_CallExpr:
        return lower_call(l, c);
    case CXCursor_BinaryOperator:
        return lower_binary(l, c, 0);
    case CXCursor_CompoundAssignOperator:
        return lower_binary(l, c, 1);
    case CXCursor_UnaryOperator:
        return lower_unary(l, c);
    case CXCursor_ConditionalOperator:
        return lower_conditional(l, c);
    case CXCursor_StmtExpr:
        clang_visitChildren(c, lower_each, l);
        return unknown_expr(l);
    default: {
        /* literals lockstep does not model, initializer lists, …: their
         * effects still happen */
        struct kids k;
        kids_of(l, c, &k);
        for (unsigned i = 0; i < k.n; i++)
            if (is_expr_kind(clang_getCursorKind(k.v[i])))
                lower_expr(l, k.v[i]);
        return unknown_expr(l);
    }
    }
}

/* The location an lvalue expression designates; a write-only temporary
 * for anything lockstep does not model. */
static int32_t lower_loc(struct lower *l, CXCursor c)
{
    if (l->oom)
        return 0;
    c = strip(l, c);
    struct kids k;
    switch (clang_getCursorKind(c)) {
    case CXCursor_DeclRefExpr: {
        CXCursor d = clang_getCursorReferenced(c);
        enum CXCursorKind dk = clang_getCursorKind(d);
        if (dk == CXCursor_VarDecl || dk == CXCursor_ParmDecl)
            return new_loc(l, LOC_VAR, var_of(l, d), -1, -1, NULL);
        break;
    }
    case CXCursor_MemberRefExpr: {
        kids_of(l, c, &k);
        const char *field = cx_string(l, clang_getCursorSpelling(c));
        if (k.n == 0)
            break;
        CXCursor base = k.v[0];
        CXType bt = clang_getCanonicalType(clang_getCursorType(base));
        int32_t base_loc = bt.kind == CXType_Pointer
            ? new_loc(l, LOC_DEREF, -1, -1, lower_expr(l, base), NULL)
            : lower_loc(l, base);
        return new_loc(l, LOC_FIELD, -1, base_loc, -1, field);
    }
    case CXCursor_ArraySubscriptExpr: {
        kids_of(l, c, &k);
        if (k.n != 2)
            break;
        CXCursor base = strip(l, k.v[0]);
        int32_t base_loc = is_array_type(clang_getCursorType(base))
            ? lower_loc(l, base)
            : new_loc(l, LOC_DEREF, -1, -1, lower_expr(l, k.v[0]), NULL);
        return new_loc(l, LOC_INDEX, -1, base_loc, lower_expr(l, k.v[1]), NULL);
    }
    case CXCursor_UnaryOperator: {
        kids_of(l, c, &k);
        int prefix;
        char buf[4];
        if (k.n == 1 && strcmp(unary_op(l, c, k.v[0], &prefix, buf), "*") == 0)
            return new_loc(l, LOC_DEREF, -1, -1, lower_expr(l, k.v[0]), NULL);
        break;
    }
    default:
        break;
    }
    lower_expr(l, c);
    return temp_loc(l);
}

/* ---- conditions ----------------------------------------------------------- */

/* Lowers c as a condition: on return the open edges are empty, t holds the
 * edges taken when c is true and f those taken when it is false. */
static void lower_cond(struct lower *l, CXCursor c, struct edges *t, struct edges *f)
{
    CXCursor s = strip(l, c);
    enum CXCursorKind kind = clang_getCursorKind(s);
    struct kids k;
    if (kind == CXCursor_BinaryOperator) {
        kids_of(l, s, &k);
        int op = k.n == 2 ? binary_op(l, s, k.v[0]) : OPX_UNKNOWN;
        if (op == OPX_LAND || op == OPX_LOR) {
            struct edges t1 = { 0 }, f1 = { 0 };
            lower_cond(l, k.v[0], &t1, &f1);
            if (op == OPX_LAND) {
                edges_append(l, &l->open, &t1);
                edges_append(l, f, &f1);
            } else {
                edges_append(l, &l->open, &f1);
                edges_append(l, t, &t1);
            }
            lower_cond(l, k.v[1], t, f);
            free(t1.v), free(f1.v);
            return;
        }
        if (op == OPX_COMMA) {
            lower_expr(l, k.v[0]);
            lower_cond(l, k.v[1], t, f);
            return;
        }
    } else if (kind == CXCursor_UnaryOperator) {
        kids_of(l, s, &k);
        int prefix;
        char buf[4];
        if (k.n == 1 && strcmp(unary_op(l, s, k.v[0], &prefix, buf), "!") == 0) {
            lower_cond(l, k.v[0], f, t);
            return;
        }
    } else if (kind == CXCursor_ConditionalOperator) {
        kids_of(l, s, &k);
        if (k.n == 3) {
            struct edges tc = { 0 }, fc = { 0 };
            lower_cond(l, k.v[0], &tc, &fc);
            edges_append(l, &l->open, &tc);
            lower_cond(l, k.v[1], t, f);
            edges_append(l, &l->open, &fc);
            lower_cond(l, k.v[2], t, f);
            free(tc.v), free(fc.v);
            return;
        }
    }
    int32_t e = lower_expr(l, c);
    int32_t n = emit(l, N_BRANCH, c);
    if (l->oom)
        return;
    l->nodes.v[n].expr = e;
    l->nodes.v[n].text = source_text(l, c);
    l->open.n = 0;
    edges_add(l, t, n, 0);
    edges_add(l, f, n, 1);
}

/* ---- statements ------------------------------------------------------------ */

static int32_t label_node(struct lower *l, const char *name, CXCursor at)
{
    for (uint32_t i = 0; i < l->labels.n; i++)
        if (strcmp(l->labels.v[i].name, name) == 0)
            return l->labels.v[i].node;
    struct label lab = { name, new_node(l, N_NOP, at) };
    VEC_PUSH(l, l->labels, lab);
    return lab.node;
}

/* A statement that may be an expression. */
static void lower_stmt_or_expr(struct lower *l, CXCursor c)
{
    if (is_expr_kind(clang_getCursorKind(c)))
        lower_expr(l, c);
    else
        lower_stmt(l, c);
}

static void push_jumps(struct lower *l, struct jumps *j, int is_loop)
{
    memset(j, 0, sizeof *j);
    j->takes_continue = is_loop;
    j->outer = l->jumps;
    l->jumps = j;
}

static void pop_jumps(struct lower *l, struct jumps *j)
{
    edges_append(l, &l->open, &j->breaks);
    l->jumps = j->outer;
    free(j->breaks.v);
    free(j->continues.v);
}

/* `while (c) body` and `for (init; c; inc) body`: head, body, back edge.
 * Without a condition the loop goes round for ever (for (;;)), or, with
 * unknown set, may or may not. */
static void lower_loop(struct lower *l, CXCursor at, CXCursor *cond, CXCursor body,
                       CXCursor *inc, int unknown)
{
    struct jumps j;
    push_jumps(l, &j, 1);
    int32_t head = emit(l, N_NOP, at);
    struct edges t = { 0 }, f = { 0 };
    if (cond) {
        lower_cond(l, *cond, &t, &f);
    } else if (unknown) {
        int32_t n = emit(l, N_BRANCH, at);
        if (!l->oom) {
            l->nodes.v[n].expr = unknown_expr(l);
            l->nodes.v[n].text = "loop condition (inside a macro)";
        }
        l->open.n = 0;
        edges_add(l, &t, n, 0);
        edges_add(l, &f, n, 1);
    } else {
        edges_append(l, &t, &l->open);
    }
    edges_append(l, &l->open, &t);
    lower_stmt(l, body);
    edges_append(l, &l->open, &j.continues);
    if (inc)
        lower_stmt_or_expr(l, *inc);
    jump_to(l, head);
    edges_append(l, &l->open, &f);
    free(t.v), free(f.v);
    pop_jumps(l, &j);
}

static void lower_do(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n != 2)
        return;
    struct jumps j;
    push_jumps(l, &j, 1);
    int32_t head = emit(l, N_NOP, c);
    lower_stmt(l, k.v[0]);
    edges_append(l, &l->open, &j.continues);
    struct edges t = { 0 }, f = { 0 };
    lower_cond(l, k.v[1], &t, &f);
    edges_append(l, &l->open, &t);
    jump_to(l, head);
    edges_append(l, &l->open, &f);
    free(t.v), free(f.v);
    pop_jumps(l, &j);
}

/* for: libclang lists the present parts only; which is which follows from
 * the source: the parts before the first ';' are init, and so on. */
static void lower_for(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n == 0)
        return;
    CXCursor body = k.v[k.n - 1];
    CXToken *tokens;
    unsigned ntokens, semis[2] = { 0, 0 }, nsemi = 0, depth = 0;
    clang_tokenize(l->tu, clang_getCursorExtent(c), &tokens, &ntokens);
    for (unsigned i = 0; i < ntokens && nsemi < 2; i++) {
        CXString s = clang_getTokenSpelling(l->tu, tokens[i]);
        const char *t = clang_getCString(s);
        if (strcmp(t, "(") == 0)
            depth++;
        else if (strcmp(t, ")") == 0)
            depth--;
        else if (strcmp(t, ";") == 0 && depth == 1)
            position(clang_getTokenLocation(l->tu, tokens[i]), NULL, NULL, &semis[nsemi++]);
        clang_disposeString(s);
    }
    clang_disposeTokens(l->tu, tokens, ntokens);
    /* written inside a macro, the parts all stand at the macro's use and
     * the ';'s say nothing: trust them only when the parts' positions
     * are distinct */
    for (unsigned i = 1; i + 1 < k.n && nsemi == 2; i++) {
        unsigned a, b;
        position(clang_getRangeStart(clang_getCursorExtent(k.v[i - 1])), NULL, NULL, &a);
        position(clang_getRangeStart(clang_getCursorExtent(k.v[i])), NULL, NULL, &b);
        if (a >= b)
            nsemi = 0;
    }
    CXCursor *init = NULL, *cond = NULL, *inc = NULL;
    if (nsemi == 2) {
        for (unsigned i = 0; i + 1 < k.n; i++) {
            unsigned off;
            position(clang_getRangeStart(clang_getCursorExtent(k.v[i])), NULL, NULL, &off);
            if (off < semis[0])
                init = &k.v[i];
            else if (off < semis[1])
                cond = &k.v[i];
            else
                inc = &k.v[i];
        }
    } else if (k.n == 4) {
        /* written inside a macro, all three parts present */
        init = &k.v[0], cond = &k.v[1], inc = &k.v[2];
    } else {
        /* inside a macro with a part left out: which is which cannot be
         * told, so every part runs at the head and the loop may or may
         * not go round (an over-approximation, never a missed path) */
        for (unsigned i = 0; i + 1 < k.n; i++)
            lower_stmt_or_expr(l, k.v[i]);
        lower_loop(l, c, NULL, body, NULL, 1);
        return;
    }
    if (init)
        lower_stmt_or_expr(l, *init);
    lower_loop(l, c, cond, body, inc, 0);
}

static void lower_switch(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    if (k.n < 2)
        return;
    int32_t value = lower_expr(l, k.v[k.n - 2]);
    struct switch_ctx sw = { 0 };
    sw.node = emit(l, N_SWITCH, c);
    sw.default_target = -1;
    sw.outer = l->sw;
    if (l->oom)
        return;
    l->nodes.v[sw.node].expr = value;
    l->nodes.v[sw.node].text = source_text(l, k.v[k.n - 2]);
    l->open.n = 0;
    l->sw = &sw;
    struct jumps j;
    push_jumps(l, &j, 0);
    lower_stmt(l, k.v[k.n - 1]);
    l->sw = sw.outer;
    struct ir_node *node = &l->nodes.v[sw.node];
    if (sw.default_target >= 0)
        node->next[0] = sw.default_target;
    else
        edges_add(l, &j.breaks, sw.node, 0);
    node = &l->nodes.v[sw.node];
    node->ncases = sw.cases.n;
    if (sw.cases.n) {
        node->cases = arena_alloc(&l->prog->arena, sw.cases.n * sizeof *node->cases);
        if (node->cases == NULL)
            l->oom = 1;
        else
            memcpy(node->cases, sw.cases.v, sw.cases.n * sizeof *node->cases);
    }
    free(sw.cases.v);
    pop_jumps(l, &j);
}

static void lower_case(struct lower *l, CXCursor c, int is_default)
{
    struct kids k;
    kids_of(l, c, &k);
    int32_t target = emit(l, N_NOP, c);
    if (l->sw) {
        if (is_default) {
            l->sw->default_target = target;
        } else {
            int64_t lo = 0, hi = 0;
            struct ir_case cs = { 0, target };
            if (k.n >= 1 && evaluate_int(k.v[0], &lo)) {
                /* GNU case lo ... hi: each value is a target */
                if (k.n < 3 || !evaluate_int(k.v[1], &hi))
                    hi = lo;
                if (hi - lo >= CASE_RANGE_MAX && l->too_many == NULL)
                    l->too_many = "a case range of more than 4096 values";
                for (int64_t v = lo; v <= hi && v - lo < CASE_RANGE_MAX; v++) {
                    cs.value = v;
                    VEC_PUSH(l, l->sw->cases, cs);
                }
            }
        }
    }
    if (k.n > 0)
        lower_stmt(l, k.v[k.n - 1]);
}

static void lower_return(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    int32_t value = k.n == 1 ? lower_expr(l, k.v[0]) : -1;
    int32_t n = emit(l, N_RETURN, c);
    if (l->oom)
        return;
    l->nodes.v[n].expr = value;
    l->nodes.v[n].text = source_text(l, c);
    jump_to(l, 1);
}

static void lower_decl(struct lower *l, CXCursor c)
{
    struct kids k;
    kids_of(l, c, &k);
    for (unsigned i = 0; i < k.n; i++) {
        if (clang_getCursorKind(k.v[i]) != CXCursor_VarDecl)
            continue;
        struct kids init;
        kids_of(l, k.v[i], &init);
        int32_t var = var_of(l, k.v[i]);
        if (init.n == 0)
            continue;
        CXCursor value = init.v[init.n - 1];
        if (!is_expr_kind(clang_getCursorKind(value)))
            continue;
        int32_t e = lower_expr(l, value);
        note_registration(l, value, clang_getCursorType(k.v[i]), k.v[i]);
        if (clang_getCursorKind(strip(l, value)) == CXCursor_InitListExpr)
            continue;
        if (clang_Cursor_getStorageClass(k.v[i]) == CX_SC_Static)
            continue;           /* initialised once, not on each pass */
        assign(l, new_loc(l, LOC_VAR, var, -1, -1, NULL), e, k.v[i]);
    }
}

/* Whether an asm statement is `asm goto` (its tokens say so). */
static int asm_jumps(struct lower *l, CXCursor c)
{
    CXToken *tokens;
    unsigned n;
    int found = 0;
    clang_tokenize(l->tu, clang_getCursorExtent(c), &tokens, &n);
    for (unsigned i = 0; i < n && i < 4 && !found; i++) {
        CXString t = clang_getTokenSpelling(l->tu, tokens[i]);
        found = strcmp(clang_getCString(t), "goto") == 0;
        clang_disposeString(t);
    }
    clang_disposeTokens(l->tu, tokens, n);
    return found;
}

/* Lowers each statement of a block as libclang visits it: a block may
 * hold any number of them. */
static enum CXChildVisitResult lower_each(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    lower_stmt(data, c);
    return CXChildVisit_Continue;
}

static void lower_stmt(struct lower *l, CXCursor c)
{
    if (l->oom)
        return;
    struct kids k;
    switch (clang_getCursorKind(c)) {
    case CXCursor_CompoundStmt:
        clang_visitChildren(c, lower_each, l);
        break;
    case CXCursor_DeclStmt:
        lower_decl(l, c);
        break;
    case CXCursor_IfStmt: {
        kids_of(l, c, &k);
        if (k.n < 2)
            break;
        struct edges t = { 0 }, f = { 0 }, out = { 0 };
        lower_cond(l, k.v[0], &t, &f);
        edges_append(l, &l->open, &t);
        lower_stmt(l, k.v[1]);
        edges_append(l, &out, &l->open);
        edges_append(l, &l->open, &f);
        if (k.n >= 3)
            lower_stmt(l, k.v[2]);
        edges_append(l, &l->open, &out);
        free(t.v), free(f.v), free(out.v);
        break;
    }
    case CXCursor_WhileStmt:
        kids_of(l, c, &k);
        if (k.n == 2)
            lower_loop(l, c, &k.v[0], k.v[1], NULL, 0);
        break;
    case CXCursor_DoStmt:
        lower_do(l, c);
        break;
    case CXCursor_ForStmt:
        lower_for(l, c);
        break;
    case CXCursor_SwitchStmt:
        lower_switch(l, c);
        break;
    case CXCursor_CaseStmt:
        lower_case(l, c, 0);
        break;
    case CXCursor_DefaultStmt:
        lower_case(l, c, 1);
        break;
    case CXCursor_BreakStmt:
        if (l->jumps)
            edges_append(l, &l->jumps->breaks, &l->open);
        break;
    case CXCursor_ContinueStmt: {
        struct jumps *j = l->jumps;
        while (j && !j->takes_continue)
            j = j->outer;
        if (j)
            edges_append(l, &j->continues, &l->open);
        break;
    }
    case CXCursor_ReturnStmt:
        lower_return(l, c);
        break;
    case CXCursor_GotoStmt: {
        kids_of(l, c, &k);
        if (k.n == 1) {
            const char *name = cx_string(l, clang_getCursorSpelling(k.v[0]));
            jump_to(l, label_node(l, name, c));
        }
        break;
    }
    case CXCursor_LabelStmt: {
        const char *name = cx_string(l, clang_getCursorSpelling(c));
        int32_t n = label_node(l, name, c);
        if (!l->oom)        /* made at a goto before: it stands here */
            position(clang_getCursorLocation(c), &l->nodes.v[n].line, &l->nodes.v[n].column, NULL);
        jump_to(l, n);
        edges_add(l, &l->open, n, 0);
        kids_of(l, c, &k);
        if (k.n > 0)
            lower_stmt(l, k.v[k.n - 1]);
        break;
    }
    case CXCursor_IndirectGotoStmt: {
        int32_t n = emit(l, N_STOP, c);
        if (!l->oom)
            l->nodes.v[n].text = "computed goto: lockstep cannot tell where it jumps";
        l->open.n = 0;
        break;
    }
    case CXCursor_AsmStmt:
        if (asm_jumps(l, c)) {
            int32_t n = emit(l, N_STOP, c);
            if (!l->oom)
                l->nodes.v[n].text = "asm goto: lockstep cannot tell where it jumps";
            l->open.n = 0;
        }
        break;
    case CXCursor_NullStmt:
    case CXCursor_MSAsmStmt:
        break;
    default:
        if (is_expr_kind(clang_getCursorKind(c))) {
            /* a call whose value the statement drops has no destination:
             * the engine then knows the program never looks at it */
            l->last_call = -1;
            lower_expr(l, c);
            if (clang_getCursorKind(strip(l, c)) == CXCursor_CallExpr && l->last_call >= 0 && !l->oom)
                l->nodes.v[l->last_call].loc = -1;
        } else {
            /* __try/__except and friends: their statements in order */
            kids_of(l, c, &k);
            for (unsigned i = 0; i < k.n; i++)
                lower_stmt_or_expr(l, k.v[i]);
        }
        break;
    }
}

/* ---- functions ------------------------------------------------------------- */

/* Copies a builder array into the arena. */
static void *freeze(struct lower *l, const void *v, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *d = arena_alloc(&l->prog->arena, n * size);
    if (d == NULL) {
        l->oom = 1;
        return NULL;
    }
    memcpy(d, v, n * size);
    return d;
}

static void reset_builder(struct lower *l)
{
    l->nodes.n = l->exprs.n = l->locs.n = l->vars.n = 0;
    l->var_map.n = l->labels.n = 0;
    l->open.n = 0;
    l->jumps = NULL;
    l->sw = NULL;
    l->temps = 0;
    l->too_many = NULL;
}

static void free_builder(struct lower *l)
{
    free(l->nodes.v), free(l->exprs.v), free(l->locs.v), free(l->vars.v);
    free(l->var_map.v), free(l->labels.v), free(l->open.v);
}

static struct ir_function *lower_function(struct lower *l, CXCursor fn)
{
    reset_builder(l);
    struct ir_function *f = arena_alloc(&l->prog->arena, sizeof *f);
    if (f == NULL) {
        l->oom = 1;
        return NULL;
    }
    f->name = l->fname = cx_string(l, clang_getCursorSpelling(fn));
    f->file = l->file;
    f->is_static = clang_Cursor_getStorageClass(fn) == CX_SC_Static;
    position(clang_getCursorLocation(fn), &f->line, &f->column, NULL);
    position(clang_getRangeEnd(clang_getCursorExtent(fn)), &f->end_line, &f->end_column, NULL);
    if (f->end_column > 1)
        f->end_column--;            /* the range ends after the brace */

    int nparams = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < nparams; i++) {
        int32_t v = var_of(l, clang_Cursor_getArgument(fn, (unsigned)i));
        if (!l->oom)
            l->vars.v[v].param = i;
    }
    f->nparams = nparams > 0 ? (uint32_t)nparams : 0;

    struct kids k;
    kids_of(l, fn, &k);
    CXCursor body = clang_getNullCursor();
    for (unsigned i = 0; i < k.n; i++)
        if (clang_getCursorKind(k.v[i]) == CXCursor_CompoundStmt)
            body = k.v[i];
    /* node 0 is the entry, node 1 the exit (N_RETURN nodes jump to it) */
    emit(l, N_NOP, fn);
    int32_t exit = new_node(l, N_EXIT, fn);
    if (!l->oom) {
        l->nodes.v[exit].line = f->end_line;
        l->nodes.v[exit].column = f->end_column;
        l->nodes.v[exit].text = "end of function";
    }
    if (!clang_Cursor_isNull(body))
        lower_stmt(l, body);
    /* falling off the end returns too */
    jump_to(l, exit);
    /* a label no goto reaches first is still a node; one never defined
     * (a goto into nothing clang would reject) just has no successor */
    f->nodes = freeze(l, l->nodes.v, l->nodes.n, sizeof *l->nodes.v);
    f->nnodes = l->nodes.n;
    f->exprs = freeze(l, l->exprs.v, l->exprs.n, sizeof *l->exprs.v);
    f->nexprs = l->exprs.n;
    f->locs = freeze(l, l->locs.v, l->locs.n, sizeof *l->locs.v);
    f->nlocs = l->locs.n;
    f->vars = freeze(l, l->vars.v, l->vars.n, sizeof *l->vars.v);
    f->nvars = l->vars.n;
    return l->oom ? NULL : f;
}

static int add_function(struct ir_program *p, struct ir_function *f)
{
    if (p->nfunctions == p->functions_cap) {
        uint32_t cap = p->functions_cap ? p->functions_cap * 2 : 64;
        struct ir_function **v = realloc(p->functions, cap * sizeof *v);
        if (v == NULL)
            return -1;
        p->functions = v;
        p->functions_cap = cap;
    }
    f->index = p->nfunctions;
    p->functions[p->nfunctions++] = f;
    return 0;
}

/* The first error clang reported between two lines of the main file. */
static const char *error_within(struct lower *l, uint32_t first, uint32_t last)
{
    unsigned n = clang_getNumDiagnostics(l->tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(l->tu, i);
        const char *found = NULL;
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            CXSourceLocation loc = clang_getDiagnosticLocation(d);
            uint32_t line;
            position(loc, &line, NULL, NULL);
            if (clang_Location_isFromMainFile(loc) && line >= first && line <= last) {
                CXString s = clang_getDiagnosticSpelling(d);
                found = arena_printf(&l->prog->arena, "line %u: %s", line, clang_getCString(s));
                clang_disposeString(s);
                if (found == NULL)
                    l->oom = 1;
            }
        }
        clang_disposeDiagnostic(d);
        if (found)
            return found;
    }
    return NULL;
}

/* Top-level declarations: function definitions, and role-type
 * declarations such as `HW_STARTIO SampleStartIo;`. */
static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    struct lower *l = data;
    if (l->oom)
        return CXChildVisit_Break;
    if (clang_getCursorKind(c) != CXCursor_FunctionDecl
        || !clang_Location_isFromMainFile(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    struct kids k;
    kids_of(l, c, &k);
    if (k.n >= 1 && clang_getCursorKind(k.v[0]) == CXCursor_TypeRef) {
        CXString t = clang_getCursorSpelling(k.v[0]);
        const struct ls_role *role = ls_role_lookup(clang_getCString(t));
        clang_disposeString(t);
        if (role) {
            const char *name = cx_string(l, clang_getCursorSpelling(c));
            uint32_t line;
            position(clang_getCursorLocation(c), &line, NULL, NULL);
            char how[256];
            snprintf(how, sizeof how, "declared %s %s; at %s:%u", role->name, name ? name : "",
                     l->file, line);
            if (name && ir_add_entry(l->prog, name, role->name, how) < 0)
                l->oom = 1;
        }
    }
    if (!clang_isCursorDefinition(c))
        return CXChildVisit_Continue;
    struct ir_function *f = lower_function(l, c);
    if (f == NULL) {
        l->oom = 1;
        return CXChildVisit_Break;
    }
    f->skipped = error_within(l, f->line, f->end_line);
    if (f->skipped == NULL)
        f->skipped = l->too_many;
    if (add_function(l->prog, f) < 0)
        l->oom = 1;
    return CXChildVisit_Continue;
}

int lower_translation_unit(struct ir_program *p, CXTranslationUnit tu)
{
    struct lower l;
    memset(&l, 0, sizeof l);
    l.prog = p;
    l.tu = tu;
    CXString name = clang_getTranslationUnitSpelling(tu);
    l.file = cx_string(&l, name);
    CXFile file = clang_getFile(tu, l.file ? l.file : "");
    if (file)
        l.contents = clang_getFileContents(tu, file, &l.contents_size);
    if (!l.oom)
        clang_visitChildren(clang_getTranslationUnitCursor(tu), visit_top, &l);
    free_builder(&l);
    return l.oom ? -1 : 0;
}
