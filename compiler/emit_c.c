/*
 * emit_c.c — the C back end: a rule that passed sema becomes one checker
 * module, <Rule>.h and <Rule>.c, implementing the contract of
 * runtime/include/lockstep/rule.h.  docs/generated-modules.md shows the
 * result.
 *
 * The module is meant to read like hand-written C.  Its pieces, in order:
 * the handler table (one entry per function of each event set), the
 * arithmetic helpers the rule needs, init (the `state { }` block), step
 * (a switch over handler indices whose cases are the spec's handler
 * bodies, with #line directives back to the spec), format_state, the
 * watch / extended-operand / comparison-constant tables, and the
 * descriptor ls_rule_<Rule> that ties them together.
 *
 * Everything is written in source order from the annotated AST, so the
 * same spec always gives the same bytes.  What the bodies use (the state,
 * the event, the environment, which helpers) is found by a scan first, so
 * that nothing unused is declared and -Wall -Wextra stay quiet.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/rule.h>

#include "emit.h"
#include "emit_out.h"

/* What the handler bodies use. */
struct uses {
    bool state, ev, env, out;
    bool helper[OP_COUNT];          /* ls_add & co, indexed by operator     */
};

struct cgen {
    struct emit_out o;
    const struct ast_rule *rule;
    char *id;                       /* rule name as a C identifier (owned) */
    struct uses u;

    /* #line bookkeeping: physical line q of the output currently maps to
     * spec line map_line + (q - map_phys - 1) of file map_file (0: the
     * output maps to itself). */
    uint32_t map_file, map_line;
    unsigned map_phys;
};

static const char *const operand_kind_name[] = {
    "LS_OP_NONE", "LS_OP_ARG", "LS_OP_RETURN", "LS_OP_EXT", "LS_OP_IRQL",
};

/* Unsigned so that a stray value cannot index outside the table. */
static const char *kind_name(int kind)
{
    return kind >= 0 && kind <= LS_OP_IRQL ? operand_kind_name[kind] : "LS_OP_NONE";
}

static const char *when_const(int when)
{
    return when == WHEN_EXIT ? "LS_EXIT" : "LS_ENTRY";
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

/* ---- what the bodies use ------------------------------------------------ */

static void scan_expr(struct uses *u, const struct ast_expr *e)
{
    for (; e; e = e->next) {
        if (e->ext >= 0) {
            u->ev = true;
            continue;               /* a leaf: its operands are not read */
        }
        switch (e->kind) {
        case EXPR_NAME:
            if (e->sym == SYM_VAR)
                u->state = true;
            else if (e->sym == SYM_IRQL)
                u->env = true;
            break;
        case EXPR_PARAM:
        case EXPR_RETURN:
            u->ev = true;
            break;
        case EXPR_UNARY:
        case EXPR_BINARY:
            u->helper[e->op] = true;
            break;
        default:
            break;
        }
        scan_expr(u, e->a);
        scan_expr(u, e->b);
        scan_expr(u, e->c);
        if (e->kind != EXPR_CALL)
            break;                  /* next links only CALL arguments */
    }
}

static void scan_stmt(struct uses *u, const struct ast_stmt *s)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case STMT_BLOCK:
            scan_stmt(u, s->body);
            break;
        case STMT_IF:
            scan_expr(u, s->cond);
            scan_stmt(u, s->then_stmt);
            scan_stmt(u, s->else_stmt);
            break;
        case STMT_ASSIGN:
            u->state = true;
            u->helper[s->op] = true;
            scan_expr(u, s->value);
            break;
        case STMT_ABORT:
            u->out = true;
            break;
        default:
            break;
        }
    }
}

/* ---- shared pieces ------------------------------------------------------ */

/* Set up g; false when out of memory (nothing written). */
static bool cgen_init(struct cgen *g, const struct ast_rule *rule, FILE *out)
{
    memset(g, 0, sizeof *g);
    g->rule = rule;
    emit_init(&g->o, out);
    struct emit_out t;
    emit_init(&t, NULL);
    emit_c_ident(&t, rule->name && *rule->name ? rule->name : "rule");
    if (!t.buf || t.error) {
        free(t.buf);
        return false;
    }
    g->id = t.buf;
    for (const struct ast_handler *h = rule->handlers; h; h = h->next)
        scan_stmt(&g->u, h->body);
    return true;
}

/* Flush and free; 0, or -1 when anything failed. */
static int cgen_finish(struct cgen *g)
{
    free(g->id);
    return emit_finish(&g->o);
}

/* Text as lines of a block comment (" * ..."), wrapped at spaces before
 * column 76; a word longer than a line gets a line of its own. */
static void comment_paragraph(struct emit_out *o, const char *text)
{
    size_t col = 0;
    while (*text) {
        size_t n = strcspn(text, " ");
        if (n > 0) {
            if (col == 0) {
                emit(o, " *");
                col = 2;
            } else if (col + 1 + n > 76) {
                emit(o, "\n *");
                col = 2;
            }
            char *word = malloc(n + 1);
            if (!word) {
                o->error = 1;
                return;
            }
            memcpy(word, text, n);
            word[n] = '\0';
            emit(o, " ");
            emit_comment_text(o, word);
            free(word);
            col += 1 + n;
        }
        text += n;
        text += strspn(text, " ");
    }
    if (col)
        emit(o, "\n");
}

/* The first lines of both files. */
static void file_comment(struct cgen *g, const char *ext, const char *what)
{
    const struct ast_rule *r = g->rule;
    struct emit_out t;
    emit_init(&t, NULL);
    emit(&t, "%s.%s — %s %s (%s).", g->id, ext, what, str_or_empty(r->name),
         str_or_empty(r->model));
    emit(&g->o, "/*\n");
    comment_paragraph(&g->o, t.buf ? t.buf : "");
    free(t.buf);
    emit(&g->o, " *\n");
    /* "do not edit" stays on one line, for people and tools that grep */
    emit(&g->o, " * Generated by lockstep from ");
    emit_comment_text(&g->o, str_or_empty(r->path));
    emit(&g->o, ";\n * do not edit — change the spec and run lockstep compile.\n");
    if (r->summary && *r->summary) {
        emit(&g->o, " *\n");
        comment_paragraph(&g->o, r->summary);
    }
    emit(&g->o, " */\n");
}

/* Bytes of an enum variable's field. */
static int enum_size(const struct ast_var *v)
{
    return v->const_count > 65535 ? 4 : v->const_count > 255 ? 2 : 1;
}

static const char *field_type(const struct ast_var *v)
{
    if (v->is_pointer)
        return "int64_t";
    if (!v->is_enum)
        return "int32_t";
    switch (enum_size(v)) {
    case 4:  return "uint32_t";
    case 2:  return "uint16_t";
    default: return "uint8_t";
    }
}

static int field_size(const struct ast_var *v)
{
    return v->is_enum ? enum_size(v) : v->is_pointer ? 8 : 4;
}

/* A variable's declaration as in the spec: "int depth = 0;" or
 * "enum {unlocked, locked} s = unlocked;" (for a comment). */
static void var_decl_text(struct emit_out *o, const struct ast_rule *rule,
                          const struct ast_var *v)
{
    if (v->is_enum) {
        /* a long list shows its first three constants and its last */
        emit(o, "enum {");
        for (const struct ast_enum_const *c = v->consts; c; c = c->next) {
            if (v->const_count > 8 && c->value >= 3 && c->next) {
                if (c->value == 3)
                    emit(o, "..., ");
                continue;
            }
            emit(o, "%s%s", c->name, c->next ? ", " : "");
        }
        emit(o, "} %s", v->name);
    } else {
        emit(o, "int %s%s", v->is_pointer ? "*" : "", v->name);
    }
    if (v->init) {
        emit(o, " = ");
        emit_expr(o, rule, v->init, EMIT_EXPR_SPEC);
    }
    emit(o, ";");
}

/* The literal for a 64-bit value in C. */
static void c_int(struct emit_out *o, const struct ast_rule *rule, int64_t v)
{
    struct ast_expr lit = { .kind = EXPR_INT, .value = v, .ext = -1 };
    emit_expr(o, rule, &lit, EMIT_EXPR_C);
}

/* Writes "a, b, c" from n items produced by item(i), breaking lines before
 * column 76 with continuation lines indented by indent spaces. */
static void wrapped_list(struct cgen *g, unsigned start_col, int indent, int n,
                         void (*item)(struct emit_out *, const void *, int),
                         const void *ctx)
{
    unsigned col = start_col;
    for (int i = 0; i < n; i++) {
        struct emit_out t;
        emit_init(&t, NULL);
        item(&t, ctx, i);
        size_t len = t.len + (i + 1 < n ? 1 : 0);
        if (i > 0 && col + 1 + len > 76) {
            emit(&g->o, "\n%*s", indent, "");
            col = (unsigned)indent;
        } else if (i > 0) {
            emit(&g->o, " ");
            col++;
        }
        emit(&g->o, "%s%s", t.buf ? t.buf : "", i + 1 < n ? "," : "");
        if (t.error)
            g->o.error = 1;
        col += (unsigned)len;
        free(t.buf);
    }
}

/* ---- the header --------------------------------------------------------- */

static void header_enum(struct cgen *g, const struct ast_var *v)
{
    struct emit_out *o = &g->o;
    emit(o, "/* ");
    var_decl_text(o, g->rule, v);
    emit(o, " */\nenum %s_%s {\n", g->id, v->name);
    for (const struct ast_enum_const *c = v->consts; c; c = c->next)
        emit(o, "    %s_%s = %d%s\n", g->id, c->name, c->value, c->next ? "," : "");
    emit(o, "};\n\n");
}

int emit_c_header(const struct ast_rule *rule, FILE *out)
{
    struct cgen g;
    if (!cgen_init(&g, rule, out))
        return -1;
    struct emit_out *o = &g.o;

    file_comment(&g, "h", "state of the rule");
    emit(o, "#ifndef LS_RULE_%s_H\n#define LS_RULE_%s_H\n\n", g.id, g.id);
    emit(o, "#include <lockstep/rule.h>\n\n");
    emit(o, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");

    for (const struct ast_var *v = rule->vars; v; v = v->next)
        if (v->is_enum)
            header_enum(&g, v);

    /* Widest fields first, so the struct has as little padding as it can;
     * within a width, the spec's order. */
    emit(o, "/* One instance's state (the spec's `state { }`): a plain value the\n"
            " * host copies, hashes and compares with memcmp. */\n");
    emit(o, "struct ls_state_%s {\n", g.id);
    int width = 0;
    for (const struct ast_var *v = rule->vars; v; v = v->next) {
        int w = (int)(strlen(field_type(v)) + 1 + strlen(v->name) +
                      strlen(emit_field_suffix(v->name)) + 1);
        if (w > width)
            width = w;
    }
    for (int size = 8; size >= 1; size /= 2) {
        for (const struct ast_var *v = rule->vars; v; v = v->next) {
            if (field_size(v) != size)
                continue;
            const char *suffix = emit_field_suffix(v->name);
            int w = (int)(strlen(field_type(v)) + 1 + strlen(v->name) + strlen(suffix) + 1);
            emit(o, "    %s %s%s;%*s  /* ", field_type(v), v->name, suffix, width - w, "");
            var_decl_text(o, rule, v);
            emit(o, " */\n");
        }
    }
    if (!rule->vars)
        emit(o, "    uint8_t unused;     /* no state variables; C has no empty structs */\n");
    emit(o, "};\n\n");

    emit(o, "/* The module descriptor (the contract of lockstep/rule.h). */\n");
    emit(o, "extern const struct ls_rule ls_rule_%s;\n\n", g.id);
    emit(o, "#ifdef __cplusplus\n}\n#endif\n\n");
    emit(o, "#endif /* LS_RULE_%s_H */\n", g.id);
    return cgen_finish(&g);
}

/* ---- the source: tables before the code --------------------------------- */

/* The header's file name: out_name's base name with .h for .c, else
 * <Rule>.h. */
static void include_own_header(struct cgen *g, const char *out_name)
{
    const char *base = out_name ? strrchr(out_name, '/') : NULL;
    base = base ? base + 1 : out_name;
    size_t n = base ? strlen(base) : 0;
    if (n > 2 && strcmp(base + n - 2, ".c") == 0 && !strpbrk(base, "\"\\")) {
        emit(&g->o, "#include \"%.*s.h\"\n\n", (int)(n - 2), base);
    } else {
        emit(&g->o, "#include \"%s.h\"\n\n", g->id);
    }
}

static void emit_handlers(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    if (!r->handlers)
        return;
    emit(o, "/*\n"
            " * The spec's event handlers, one entry per function of each event\n"
            " * set, in the spec's order; step() switches on the index.\n"
            " *   { function, role, when, guard_or_null, guard, spec_line }\n"
            " */\n");
    emit(o, "static const struct ls_handler handlers[] = {\n");
    unsigned index = 0;
    for (const struct ast_handler *h = r->handlers; h; h = h->next) {
        int kind, arg;
        emit_operand_of(h->guard, &kind, &arg);
        for (const struct ast_event *ev = h->events; ev; ev = ev->next, index++) {
            emit(o, "    /* %u */ { ", index);
            emit_quoted(o, ev->function ? ev->function : ev->name, EMIT_QUOTE_C);
            emit(o, ", ");
            if (ev->role)
                emit_quoted(o, ev->role, EMIT_QUOTE_C);
            else
                emit(o, "NULL");
            emit(o, ", %s, %d, { %s, %d }, %" PRIu32 " },  /* ",
                 when_const(h->when), h->guard_or_null ? 1 : 0, kind_name(kind), arg,
                 emit_loc_line(r, ev->loc, NULL));
            emit_event_text(o, r, h, ev, false);
            emit(o, " */\n");
        }
    }
    emit(o, "};\n\n");
}

/* The arithmetic helpers the bodies call: the spec's integers are 64-bit
 * two's complement that wraps (dsl/eval.c); C leaves signed overflow
 * undefined, so the work is done in uint64_t. */
static void emit_helpers(struct cgen *g)
{
    static const struct {
        enum ast_op op;
        const char *text;
    } helpers[] = {
        { OP_ADD, "static inline ls_word ls_add(ls_word a, ls_word b)\n"
                  "{\n    return (ls_word)((uint64_t)a + (uint64_t)b);\n}\n\n" },
        { OP_SUB, "static inline ls_word ls_sub(ls_word a, ls_word b)\n"
                  "{\n    return (ls_word)((uint64_t)a - (uint64_t)b);\n}\n\n" },
        { OP_MUL, "static inline ls_word ls_mul(ls_word a, ls_word b)\n"
                  "{\n    return (ls_word)((uint64_t)a * (uint64_t)b);\n}\n\n" },
        { OP_NEG, "static inline ls_word ls_neg(ls_word a)\n"
                  "{\n    return (ls_word)(0 - (uint64_t)a);\n}\n\n" },
        { OP_DIV, "/* Division by zero gives 0; INT64_MIN / -1 wraps to INT64_MIN. */\n"
                  "static inline ls_word ls_div(ls_word a, ls_word b)\n"
                  "{\n"
                  "    if (b == 0)\n        return 0;\n"
                  "    if (a == INT64_MIN && b == -1)\n        return INT64_MIN;\n"
                  "    return a / b;\n}\n\n" },
        { OP_MOD, "/* Remainder by zero gives 0, and so does INT64_MIN % -1. */\n"
                  "static inline ls_word ls_mod(ls_word a, ls_word b)\n"
                  "{\n"
                  "    if (b == 0 || (a == INT64_MIN && b == -1))\n        return 0;\n"
                  "    return a % b;\n}\n\n" },
        { OP_SHL, "/* Shift counts are taken modulo 64. */\n"
                  "static inline ls_word ls_shl(ls_word a, ls_word n)\n"
                  "{\n    return (ls_word)((uint64_t)a << ((uint64_t)n & 63));\n}\n\n" },
        { OP_SHR, "/* Arithmetic shift (>> of a negative value is implementation-defined\n"
                  " * in C); counts modulo 64. */\n"
                  "static inline ls_word ls_shr(ls_word a, ls_word n)\n"
                  "{\n"
                  "    unsigned k = (unsigned)((uint64_t)n & 63);\n"
                  "    return a < 0 ? ~(~a >> k) : a >> k;\n}\n\n" },
    };
    bool any = false;
    for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++)
        any |= g->u.helper[helpers[i].op];
    if (!any)
        return;
    emit(&g->o, "/*\n"
                " * Integer arithmetic as the spec defines it: 64-bit two's complement\n"
                " * that wraps around.  Signed overflow is undefined in C, so the work\n"
                " * is done in uint64_t.\n"
                " */\n");
    for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++)
        if (g->u.helper[helpers[i].op])
            emit(&g->o, "%s", helpers[i].text);
}

static void emit_abort_helper(struct cgen *g)
{
    if (!g->u.out)
        return;
    emit(&g->o,
         "/* `abort \"...\";`: report the violation through *out and stop the\n"
         " * instance.  The message keeps its $fname; ls_format_message() fills\n"
         " * it in. */\n"
         "static int abort_with(struct ls_verdict *out, unsigned handler,\n"
         "                      const char *message, uint32_t spec_line)\n"
         "{\n"
         "    out->message = message;\n"
         "    out->function = handlers[handler].function;\n"
         "    out->handler = handler;\n"
         "    out->spec_line = spec_line;\n"
         "    return LS_STEP_ABORT;\n"
         "}\n\n");
}

static void emit_init_fn(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    emit(o, "/* The spec's `state { }`: every instance starts here. */\n");
    emit(o, "static void init(void *state)\n{\n");
    if (!r->vars) {
        emit(o, "    memset(state, 0, sizeof(struct ls_state_%s));\n}\n\n", g->id);
        return;
    }
    emit(o, "    struct ls_state_%s *s = state;\n\n", g->id);
    emit(o, "    memset(s, 0, sizeof *s);\n");
    for (const struct ast_var *v = r->vars; v; v = v->next) {
        emit(o, "    s->%s%s = ", v->name, emit_field_suffix(v->name));
        const struct ast_enum_const *c = emit_enum_init(v);
        if (c) {
            emit(o, "%s_%s", g->id, c->name);
        } else {
            if (!v->is_pointer && (v->init_value < INT32_MIN || v->init_value > INT32_MAX))
                emit(o, "(int32_t)");
            c_int(o, r, v->init_value);
        }
        emit(o, ";\n");
    }
    emit(o, "}\n\n");
}

/* ---- step --------------------------------------------------------------- */

/* Point the compiler at the spec line of loc before the next output line,
 * unless it already maps there. */
static void line_to(struct cgen *g, struct src_loc loc)
{
    uint32_t file;
    uint32_t line = emit_loc_line(g->rule, loc, &file);
    if (line == 0)
        return;
    if (g->map_file == file &&
        g->map_line + (g->o.line - g->map_phys - 1) == line)
        return;
    emit(&g->o, "#line %" PRIu32 " ", line);
    emit_quoted(&g->o, emit_file_path(g->rule, file), EMIT_QUOTE_C);
    emit(&g->o, "\n");
    g->map_file = file;
    g->map_line = line;
    g->map_phys = g->o.line - 1;
}

/* Hand the compiler back to the generated file itself. */
static void line_back(struct cgen *g, const char *out_name)
{
    if (g->map_file == 0)
        return;
    emit(&g->o, "#line %u ", g->o.line + 1);
    emit_quoted(&g->o, out_name ? out_name : "", EMIT_QUOTE_C);
    emit(&g->o, "\n");
    g->map_file = 0;
}

static bool stmt_is_empty(const struct ast_stmt *s)
{
    if (!s || s->kind == STMT_EMPTY)
        return true;
    if (s->kind != STMT_BLOCK)
        return false;
    for (const struct ast_stmt *c = s->body; c; c = c->next)
        if (!stmt_is_empty(c))
            return false;
    return true;
}

static void emit_stmt(struct cgen *g, const struct ast_stmt *s, int depth);

/* The statements of a branch or block, at depth (4 spaces each). */
static void emit_stmts(struct cgen *g, const struct ast_stmt *s, int depth)
{
    for (; s; s = s->next)
        emit_stmt(g, s, depth);
}

static void emit_branch(struct cgen *g, const struct ast_stmt *s, int depth)
{
    if (s && s->kind == STMT_BLOCK)
        emit_stmts(g, s->body, depth);
    else if (s)
        emit_stmt(g, s, depth);
}

/* True when e is an integer literal, or minus one (*v: its value). */
static bool literal_value(const struct ast_expr *e, int64_t *v)
{
    if (e->ext < 0 && e->kind == EXPR_INT) {
        *v = e->value;
        return true;
    }
    if (e->ext < 0 && e->kind == EXPR_UNARY && e->op == OP_NEG && e->a &&
        e->a->ext < 0 && e->a->kind == EXPR_INT) {
        *v = (int64_t)(0 - (uint64_t)e->a->value);
        return true;
    }
    return false;
}

static void emit_assign(struct cgen *g, const struct ast_stmt *s)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    const struct ast_var *v = s->target ? s->target->var : NULL;
    const struct ast_expr *value = s->value;
    struct ast_expr compound;
    int64_t lit;

    if (!v || !value) {
        emit(o, "/* unresolved assignment */;\n");
        o->error = 1;
        return;
    }
    if (s->op != OP_NONE) {         /* x += e  is  x = x + e */
        compound = (struct ast_expr){ .kind = EXPR_BINARY, .loc = s->loc,
                                      .op = s->op, .a = s->target, .b = s->value,
                                      .ext = -1 };
        value = &compound;
    }
    emit(o, "s->%s%s = ", v->name, emit_field_suffix(v->name));
    if (v->is_enum && value->kind == EXPR_NAME && value->sym == SYM_ENUM_CONST) {
        emit_expr(o, r, value, EMIT_EXPR_C);
    } else if (!v->is_enum && literal_value(value, &lit)
               && (v->is_pointer || (lit >= INT32_MIN && lit <= INT32_MAX))) {
        emit_expr(o, r, value, EMIT_EXPR_C);    /* fits: no cast needed */
    } else {
        bool primary = emit_expr_is_primary(r, value, EMIT_EXPR_C);
        emit(o, "(%s)%s", field_type(v), primary ? "" : "(");
        emit_expr(o, r, value, EMIT_EXPR_C);
        emit(o, "%s", primary ? "" : ")");
    }
    emit(o, ";\n");
}

static void emit_stmt(struct cgen *g, const struct ast_stmt *s, int depth)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    int ind = depth * 4;

    switch (s->kind) {
    case STMT_EMPTY:
        return;
    case STMT_BLOCK:
        emit_stmts(g, s->body, depth);
        return;
    case STMT_IF:
        line_to(g, s->loc);
        emit(o, "%*sif (", ind, "");
        emit_expr(o, r, s->cond, EMIT_EXPR_C);
        emit(o, ") {\n");
        emit_branch(g, s->then_stmt, depth + 1);
        for (const struct ast_stmt *e = s->else_stmt;; e = e->else_stmt) {
            if (stmt_is_empty(e)) {
                emit(o, "%*s}\n", ind, "");
                break;
            }
            if (e->kind != STMT_IF) {
                emit(o, "%*s} else {\n", ind, "");
                emit_branch(g, e, depth + 1);
                emit(o, "%*s}\n", ind, "");
                break;
            }
            line_to(g, e->loc);
            emit(o, "%*s} else if (", ind, "");
            emit_expr(o, r, e->cond, EMIT_EXPR_C);
            emit(o, ") {\n");
            emit_branch(g, e->then_stmt, depth + 1);
        }
        return;
    case STMT_ASSIGN:
        line_to(g, s->loc);
        emit(o, "%*s", ind, "");
        emit_assign(g, s);
        return;
    case STMT_ABORT: {
        uint32_t line = emit_loc_line(r, s->loc, NULL);
        line_to(g, s->loc);
        emit(o, "%*sreturn abort_with(out, handler, ", ind, "");
        emit_quoted(o, s->message, EMIT_QUOTE_C);
        emit(o, ", %" PRIu32 ");\n", line);
        return;
    }
    case STMT_HALT:
        line_to(g, s->loc);
        emit(o, "%*sreturn LS_STEP_HALT;\n", ind, "");
        return;
    }
}

static void emit_step(struct cgen *g, const char *out_name)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;

    emit(o, "/*\n"
            " * Apply handler `handler` to one instance.  Each group of case labels\n"
            " * is one handler of the spec (an event set shares its body); the\n"
            " * #line directives point compiler messages at the spec.\n"
            " */\n");
    emit(o, "static int step(void *state, unsigned handler, const struct ls_event *ev,\n"
            "                const struct ls_env *env, struct ls_verdict *out)\n{\n");
    if (g->u.state)
        emit(o, "    struct ls_state_%s *s = state;\n\n", g->id);
    const char *unused[4];
    int n = 0;
    if (!g->u.state)
        unused[n++] = "state";
    if (!g->u.ev)
        unused[n++] = "ev";
    if (!g->u.env)
        unused[n++] = "env";
    if (!g->u.out)
        unused[n++] = "out";
    for (int i = 0; i < n; i++)
        emit(o, "    (void)%s;\n", unused[i]);
    if (!r->handlers) {
        emit(o, "    (void)handler;\n    return LS_STEP_CONTINUE;\n}\n\n");
        return;
    }
    if (n)
        emit(o, "\n");
    emit(o, "    switch (handler) {\n");
    unsigned index = 0;
    for (const struct ast_handler *h = r->handlers; h; h = h->next) {
        if (h != r->handlers)
            emit(o, "\n");
        for (const struct ast_event *ev = h->events; ev; ev = ev->next, index++) {
            emit(o, "    case %u:%*s/* ", index, index < 10 ? 5 : index < 100 ? 4 : 3, "");
            emit_event_text(o, r, h, ev, false);
            emit(o, " */\n");
        }
        if (h->body)
            emit_branch(g, h->body, 2);
        if (h->body)
            line_to(g, h->body->end_loc);
        emit(o, "        return LS_STEP_CONTINUE;\n");
    }
    emit(o, "    }\n");
    line_back(g, out_name);
    emit(o, "    return LS_STEP_CONTINUE;\n}\n\n");
}

/* ---- format_state ------------------------------------------------------- */

static void const_name(struct emit_out *o, const void *ctx, int i)
{
    const struct ast_var *v = ctx;
    const struct ast_enum_const *c = v->consts;
    while (c && c->value != i)
        c = c->next;
    emit_quoted(o, c ? c->name : "?", EMIT_QUOTE_C);
}

static void emit_format_state(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;

    bool any_enum = false;
    for (const struct ast_var *v = r->vars; v; v = v->next) {
        if (!v->is_enum)
            continue;
        if (!any_enum)
            emit(o, "/* Names of the enum constants, for format_state(). */\n");
        any_enum = true;
        emit(o, "static const char *const names_%s[] = { ", v->name);
        wrapped_list(g, (unsigned)(strlen("static const char *const names_[] = { ") +
                                   strlen(v->name)), 4, v->const_count, const_name, v);
        emit(o, " };\n");
    }
    if (any_enum)
        emit(o, "\n");

    emit(o, "/* The state for people: \"name=value\" per variable, in the spec's\n"
            " * order. */\n");
    emit(o, "static int format_state(const void *state, char *buf, size_t size)\n{\n");
    if (!r->vars) {
        emit(o, "    (void)state;\n    return snprintf(buf, size, \"%%s\", \"\");\n}\n\n");
        return;
    }
    emit(o, "    const struct ls_state_%s *s = state;\n\n", g->id);
    /* "s=%s depth=%" PRId32 " t=%s": a literal is reopened after each
     * PRId32, and closed at the end unless one just closed it */
    emit(o, "    return snprintf(buf, size, \"");
    bool open = true;
    for (const struct ast_var *v = r->vars; v; v = v->next) {
        emit(o, "%s%s%s=", open ? "" : " \"", v == r->vars ? "" : " ", v->name);
        emit(o, "%s", v->is_enum ? "%s" : v->is_pointer ? "0x%\" PRIx64" : "%\" PRId32");
        open = v->is_enum;
    }
    if (open)
        emit(o, "\"");
    for (const struct ast_var *v = r->vars; v; v = v->next) {
        emit(o, ",\n                    ");
        if (v->is_enum)
            emit(o, "s->%s%s < %d ? names_%s[s->%s%s] : \"?\"", v->name,
                 emit_field_suffix(v->name), v->const_count, v->name, v->name,
                 emit_field_suffix(v->name));
        else
            emit(o, "%ss->%s%s", v->is_pointer ? "(uint64_t)" : "", v->name,
                 emit_field_suffix(v->name));
    }
    emit(o, ");\n}\n\n");
}

/* ---- tables after the code ---------------------------------------------- */

static void emit_watches(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    if (!r->watches)
        return;
    emit(o, "/* `watch`: one instance per value of the key.\n"
            " *   { function, when, key, spec_line } */\n");
    emit(o, "static const struct ls_watch watches[] = {\n");
    for (const struct ast_watch *w = r->watches; w; w = w->next) {
        int kind, index;
        emit_operand_of(w->key, &kind, &index);
        const struct ast_event *ev = w->event;
        emit(o, "    { ");
        emit_quoted(o, ev ? (ev->function ? ev->function : ev->name) : "", EMIT_QUOTE_C);
        emit(o, ", %s, { %s, %d }, %" PRIu32 " },  /* watch %s.%s.", when_const(w->when),
             kind_name(kind), index, emit_loc_line(r, w->loc, NULL),
             ev && ev->name ? ev->name : "?", emit_when_name(w->when));
        /* the grammar spells a dereferenced key (*$N) */
        bool star = kind == LS_OP_EXT && index < r->ext_count && r->ext[index].deref &&
                    !*str_or_empty(r->ext[index].path);
        emit(o, "%s", star ? "(" : "");
        emit_expr(o, r, w->key, EMIT_EXPR_SPEC);
        emit(o, "%s; */\n", star ? ")" : "");
    }
    emit(o, "};\n\n");
}

static void emit_ext_operands(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    if (r->ext_count <= 0)
        return;
    emit(o, "/* Values the host reads from memory for each event (ls_event.ext).\n"
            " *   { text, arg, deref, path } */\n");
    emit(o, "static const struct ls_ext_operand ext_operands[] = {\n");
    for (int i = 0; i < r->ext_count; i++) {
        const struct ast_ext *x = &r->ext[i];
        emit(o, "    /* %d */ { ", i);
        emit_quoted(o, x->text, EMIT_QUOTE_C);
        emit(o, ", %d, %d, ", x->arg, x->deref ? 1 : 0);
        emit_quoted(o, str_or_empty(x->path), EMIT_QUOTE_C);
        emit(o, " },\n");
    }
    emit(o, "};\n\n");
}

static void case_value(struct emit_out *o, const void *ctx, int i)
{
    const struct ast_cases *c = ctx;
    c_int(o, NULL, c->values[i]);     /* a literal needs no rule */
}

static void emit_cases(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    if (r->case_count <= 0)
        return;
    emit(o, "/* Constants each operand is compared with, so a static analyser can\n"
            " * split an unknown value into finitely many cases. */\n");
    for (int i = 0; i < r->case_count; i++) {
        const struct ast_cases *c = &r->cases[i];
        if (c->count == 0)
            continue;
        emit(o, "static const ls_word cases_%d[] = { ", i);
        wrapped_list(g, (unsigned)strlen("static const ls_word cases_[] = { ") + 2, 4,
                     (int)c->count, case_value, c);
        emit(o, " };\n");
    }
    emit(o, "\n/*   { function, when, operand, count, values } */\n");
    emit(o, "static const struct ls_value_cases cases[] = {\n");
    for (int i = 0; i < r->case_count; i++) {
        const struct ast_cases *c = &r->cases[i];
        emit(o, "    { ");
        if (c->function)
            emit_quoted(o, c->function, EMIT_QUOTE_C);
        else
            emit(o, "NULL");
        emit(o, ", %s, { %s, %d }, %" PRIu32 ", ", when_const(c->when),
             kind_name(c->operand_kind), c->operand_index, c->count);
        if (c->count)
            emit(o, "cases_%d },  /* ", i);
        else
            emit(o, "NULL },  /* ");
        emit_operand(o, r, c->operand_kind, c->operand_index);
        if (c->function)
            emit(o, " of %s.%s", c->function, emit_when_name(c->when));
        emit(o, " */\n");
    }
    emit(o, "};\n\n");
}

static void desc_string(struct emit_out *o, const char *field, const char *value)
{
    emit(o, "    .%s = ", field);
    emit_quoted(o, str_or_empty(value), EMIT_QUOTE_C);
    emit(o, ",\n");
}

static void emit_descriptor(struct cgen *g)
{
    struct emit_out *o = &g->o;
    const struct ast_rule *r = g->rule;
    unsigned handler_count = 0;
    for (const struct ast_handler *h = r->handlers; h; h = h->next)
        for (const struct ast_event *ev = h->events; ev; ev = ev->next)
            handler_count++;
    unsigned watch_count = 0;
    for (const struct ast_watch *w = r->watches; w; w = w->next)
        watch_count++;

    emit(o, "/* The module descriptor: what the host loads. */\n");
    emit(o, "const struct ls_rule ls_rule_%s = {\n", g->id);
    emit(o, "    .abi = LS_RULE_ABI,\n");
    desc_string(o, "name", r->name);
    desc_string(o, "model", r->model);
    desc_string(o, "summary", r->summary);
    desc_string(o, "severity", r->severity);
    desc_string(o, "help", r->help);
    desc_string(o, "spec_path", r->path);
    emit(o, "    .spec_sha256 = ");
    emit_quoted(o, r->spec_sha256, EMIT_QUOTE_C);
    emit(o, ",\n\n");
    emit(o, "    .state_size = sizeof(struct ls_state_%s),\n", g->id);
    emit(o, "    .init = init,\n    .step = step,\n    .format_state = format_state,\n\n");
    if (handler_count)
        emit(o, "    .handlers = handlers,\n    .handler_count = %u,\n", handler_count);
    else
        emit(o, "    .handlers = NULL,\n    .handler_count = 0,\n");
    if (watch_count)
        emit(o, "    .watches = watches,\n    .watch_count = %u,\n", watch_count);
    else
        emit(o, "    .watches = NULL,        /* one global instance */\n"
                "    .watch_count = 0,\n");
    if (r->ext_count > 0)
        emit(o, "    .ext_operands = ext_operands,\n    .ext_operand_count = %d,\n",
             r->ext_count);
    else
        emit(o, "    .ext_operands = NULL,\n    .ext_operand_count = 0,\n");
    if (r->case_count > 0)
        emit(o, "    .cases = cases,\n    .case_count = %d,\n", r->case_count);
    else
        emit(o, "    .cases = NULL,\n    .case_count = 0,\n");
    emit(o, "};\n");
}

int emit_c_source(const struct ast_rule *rule, FILE *out, const char *out_name)
{
    struct cgen g;
    if (!cgen_init(&g, rule, out))
        return -1;
    struct emit_out *o = &g.o;
    bool any_int = false;
    for (const struct ast_var *v = rule->vars; v; v = v->next)
        any_int |= !v->is_enum;

    file_comment(&g, "c", "checker module for the rule");
    include_own_header(&g, out_name);
    if (any_int)
        emit(o, "#include <inttypes.h>\n");
    emit(o, "#include <stdio.h>\n#include <string.h>\n\n");

    emit_handlers(&g);
    emit_helpers(&g);
    emit_abort_helper(&g);
    emit_init_fn(&g);
    emit_step(&g, out_name);
    emit_format_state(&g);
    emit_watches(&g);
    emit_ext_operands(&g);
    emit_cases(&g);
    emit_descriptor(&g);
    return cgen_finish(&g);
}
