/*
 * emit_out.c — the output layer of the back ends (see emit_out.h).
 *
 * Everything a back end writes passes through emit_bytes(), which counts
 * newlines: the C back end asks o->line where it is so that its #line
 * directives can hand the compiler back to the generated file.  Strings
 * from the spec (abort messages, paths, summaries) are escaped by one
 * function with a mode per target language, and expressions are printed
 * by one precedence-aware printer with two styles: the spec's own
 * spelling (for comments, diagram labels, JSON) and C for the module.
 */
#include "emit_out.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/rule.h>
#include <lockstep/utf8.h>

void emit_init(struct emit_out *o, FILE *f)
{
    memset(o, 0, sizeof *o);
    o->f = f;
    o->line = 1;
}

int emit_finish(struct emit_out *o)
{
    if (o->f && (fflush(o->f) != 0 || ferror(o->f)))
        o->error = 1;
    return o->error ? -1 : 0;
}

void emit_bytes(struct emit_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o->line += s[i] == '\n';
    if (o->f) {
        if (n && fwrite(s, 1, n, o->f) != n)
            o->error = 1;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->buf, cap);
        if (!p) {
            o->error = 1;
            return;
        }
        o->buf = p;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

void emit(struct emit_out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->error = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        emit_bytes(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->error = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    emit_bytes(o, big, (size_t)n);
    free(big);
}

/* ---- strings ------------------------------------------------------------ */

void emit_quoted(struct emit_out *o, const char *str, enum emit_quote mode)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    emit_bytes(o, "\"", 1);
    while (*s) {
        unsigned char c = *s;
        const char *esc = NULL;
        char tmp[8];
        switch (c) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = mode == EMIT_QUOTE_DOT ? " " : "\\t"; break;
        case '\r': esc = mode == EMIT_QUOTE_DOT ? " " : "\\r"; break;
        case '?':  /* "??=" and friends are trigraphs in ISO C */
            if (mode == EMIT_QUOTE_C && s[1] == '?')
                esc = "?\\";
            break;
        default:
            break;
        }
        if (!esc && (c < 0x20 || (c == 0x7F && mode != EMIT_QUOTE_JSON))) {
            if (mode == EMIT_QUOTE_C)
                snprintf(tmp, sizeof tmp, "\\%03o", c);
            else if (mode == EMIT_QUOTE_JSON)
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
            else
                snprintf(tmp, sizeof tmp, " ");
            esc = tmp;
        }
        if (esc) {
            emit_bytes(o, esc, strlen(esc));
            s++;
            continue;
        }
        if (c < 0x80) {
            emit_bytes(o, (const char *)s, 1);
            s++;
            continue;
        }
        int n = ls_utf8_length(s);
        if (n > 0) {
            emit_bytes(o, (const char *)s, (size_t)n);
            s += n;
            continue;
        }
        if (mode == EMIT_QUOTE_C)
            snprintf(tmp, sizeof tmp, "\\%03o", c);
        else
            snprintf(tmp, sizeof tmp, "%s", mode == EMIT_QUOTE_JSON ? "\\ufffd" : "?");
        emit_bytes(o, tmp, strlen(tmp));
        s++;
    }
    emit_bytes(o, "\"", 1);
}

void emit_comment_text(struct emit_out *o, const char *s)
{
    for (; s && *s; s++) {
        if (s[0] == '*' && s[1] == '/')
            emit_bytes(o, "* ", 2);
        else if ((unsigned char)*s < 0x20 || *s == 0x7F)
            emit_bytes(o, " ", 1);
        else
            emit_bytes(o, s, 1);
    }
}

/* ---- names and locations ------------------------------------------------ */

const char *emit_when_name(int when)
{
    return when == WHEN_EXIT ? "exit" : "entry";
}

uint32_t emit_loc_line(const struct ast_rule *rule, struct src_loc loc,
                       uint32_t *file)
{
    uint32_t line = 0, col = 0;
    if (file)
        *file = 0;
    if (!rule->sm || loc.file == 0)
        return 0;
    struct src_loc at = src_spelled_at(rule->sm, loc);
    if (at.file == 0 || at.file >= rule->sm->file_count)
        return 0;
    src_line_col(rule->sm, at.file, at.offset, &line, &col);
    if (file && line)
        *file = at.file;
    return line;
}

const char *emit_file_path(const struct ast_rule *rule, uint32_t file)
{
    if (rule->sm && file != 0 && file < rule->sm->file_count &&
        rule->sm->files[file].path)
        return rule->sm->files[file].path;
    return rule->path ? rule->path : "";
}

const struct ast_enum_const *emit_enum_init(const struct ast_var *v)
{
    if (!v->is_enum)
        return NULL;
    if (v->init && v->init->kind == EXPR_NAME && v->init->enum_const)
        return v->init->enum_const;
    for (const struct ast_enum_const *c = v->consts; c; c = c->next)
        if (c->value == v->init_value)
            return c;
    return v->consts;
}

const char *emit_field_suffix(const char *name)
{
    static const char *const keywords[] = {     /* C11, sorted */
        "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
        "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local", "auto",
        "break", "case", "char", "const", "continue", "default", "do", "double",
        "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int",
        "long", "register", "restrict", "return", "short", "signed", "sizeof",
        "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while",
    };
    for (size_t i = 0; name && i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(name, keywords[i]) == 0)
            return "_";
    return "";
}

/* ---- operands and events ------------------------------------------------ */

bool emit_operand_of(const struct ast_expr *e, int *kind, int *index)
{
    *kind = LS_OP_NONE;
    *index = 0;
    if (!e)
        return false;
    if (e->ext >= 0) {
        *kind = LS_OP_EXT;
        *index = e->ext;
    } else if (e->kind == EXPR_PARAM) {
        *kind = LS_OP_ARG;
        *index = e->param;
    } else if (e->kind == EXPR_RETURN) {
        *kind = LS_OP_RETURN;
    } else {
        return false;
    }
    return true;
}

void emit_operand(struct emit_out *o, const struct ast_rule *rule,
                  int kind, int index)
{
    switch (kind) {
    case LS_OP_ARG:
        emit(o, "$%d", index);
        break;
    case LS_OP_RETURN:
        emit(o, "$return");
        break;
    case LS_OP_EXT:
        if (index >= 0 && index < rule->ext_count && rule->ext[index].text)
            emit(o, "%s", rule->ext[index].text);
        else
            emit(o, "ext%d", index);
        break;
    case LS_OP_IRQL:
        if (index == 0)
            emit(o, "sdv_irql_current");
        else if (index == 1)
            emit(o, "sdv_irql_previous");
        else
            emit(o, "sdv_irql_previous_%d", index);
        break;
    default:
        emit(o, "none");
        break;
    }
}

static const char *event_name(const struct ast_event *ev, bool sema_names)
{
    if (sema_names && ev->function)
        return ev->function;
    return ev->name ? ev->name : "?";
}

void emit_event_text(struct emit_out *o, const struct ast_rule *rule,
                     const struct ast_handler *h,
                     const struct ast_event *only, bool sema_names)
{
    if (only || (h->events && !h->events->next)) {
        emit(o, "%s", event_name(only ? only : h->events, sema_names));
    } else {
        emit(o, "[");
        for (const struct ast_event *ev = h->events; ev; ev = ev->next)
            emit(o, "%s%s", event_name(ev, sema_names), ev->next ? ", " : "");
        emit(o, "]");
    }
    emit(o, ".%s", emit_when_name(h->when));
    if (h->guard) {
        emit(o, " [guard %s", h->guard_or_null ? "|| null " : "");
        emit_expr(o, rule, h->guard, EMIT_EXPR_SPEC);
        emit(o, "]");
    }
}

/* ---- expressions -------------------------------------------------------- */

/* C precedence levels, loosest first. */
enum prec {
    P_COND = 3, P_LOR, P_LAND, P_BOR, P_BXOR, P_BAND, P_EQ, P_REL, P_SHIFT,
    P_ADD, P_MUL, P_UNARY, P_PRIMARY
};

/* Precedence of each binary operator (ORDER OP; 0 for the others). */
static const unsigned char binary_prec[OP_COUNT] = {
    [OP_MUL] = P_MUL, [OP_DIV] = P_MUL, [OP_MOD] = P_MUL,
    [OP_ADD] = P_ADD, [OP_SUB] = P_ADD,
    [OP_SHL] = P_SHIFT, [OP_SHR] = P_SHIFT,
    [OP_LT] = P_REL, [OP_LE] = P_REL, [OP_GT] = P_REL, [OP_GE] = P_REL,
    [OP_EQ] = P_EQ, [OP_NE] = P_EQ,
    [OP_BITAND] = P_BAND, [OP_BITXOR] = P_BXOR, [OP_BITOR] = P_BOR,
    [OP_AND] = P_LAND, [OP_OR] = P_LOR,
};

/* The wrap-around helper a generated module calls for an operator whose C
 * meaning is undefined or implementation-defined for some operands, or
 * NULL when the C operator is used as is (ORDER OP). */
static const char *const c_helper[OP_COUNT] = {
    [OP_NEG] = "ls_neg",
    [OP_MUL] = "ls_mul", [OP_DIV] = "ls_div", [OP_MOD] = "ls_mod",
    [OP_ADD] = "ls_add", [OP_SUB] = "ls_sub",
    [OP_SHL] = "ls_shl", [OP_SHR] = "ls_shr",
};

struct printer {
    struct emit_out *o;
    const struct ast_rule *rule;
    enum emit_expr_style style;
};

static bool is_leaf_ext(const struct printer *p, const struct ast_expr *e)
{
    return e->ext >= 0 && p->rule && p->rule->ext && e->ext < p->rule->ext_count;
}

/* The operator e is printed with, OP_NONE when it prints as a primary (a
 * leaf, or a helper call in C). */
static enum ast_op printed_op(const struct printer *p, const struct ast_expr *e)
{
    if (is_leaf_ext(p, e) || (e->kind != EXPR_UNARY && e->kind != EXPR_BINARY))
        return OP_NONE;
    if (p->style == EMIT_EXPR_C && c_helper[e->op])
        return OP_NONE;
    return e->op;
}

/* Skip the unary pluses C output drops. */
static const struct ast_expr *strip_plus(const struct printer *p,
                                         const struct ast_expr *e)
{
    while (p->style == EMIT_EXPR_C && e->kind == EXPR_UNARY &&
           e->op == OP_PLUS && !is_leaf_ext(p, e) && e->a)
        e = e->a;
    return e;
}

/* In C, -5 is written as the literal it is rather than ls_neg(5): true
 * when e is a minus applied to an integer literal, with *v the value. */
static bool negative_literal(const struct printer *p, const struct ast_expr *e,
                             int64_t *v)
{
    if (p->style != EMIT_EXPR_C || e->kind != EXPR_UNARY || e->op != OP_NEG ||
        is_leaf_ext(p, e) || !e->a || e->a->kind != EXPR_INT || is_leaf_ext(p, e->a))
        return false;
    *v = (int64_t)(0 - (uint64_t)e->a->value);     /* wraps, as ls_neg does */
    return true;
}

static bool is_comparison(enum ast_op op);

/* The value of a literal, or of minus a literal. */
static bool literal_of(const struct printer *p, const struct ast_expr *e, int64_t *v)
{
    if (is_leaf_ext(p, e))
        return false;
    if (e->kind == EXPR_INT) {
        *v = e->value;
        return true;
    }
    if (e->kind == EXPR_UNARY && e->op == OP_NEG && e->a && !is_leaf_ext(p, e->a) &&
        e->a->kind == EXPR_INT) {
        *v = (int64_t)(0 - (uint64_t)e->a->value);
        return true;
    }
    return false;
}

/* The values a state variable's field can hold. */
static bool field_range(const struct printer *p, const struct ast_expr *e,
                        int64_t *min, int64_t *max)
{
    if (is_leaf_ext(p, e) || e->kind != EXPR_NAME || e->sym != SYM_VAR || !e->var)
        return false;
    const struct ast_var *v = e->var;
    *min = v->is_enum ? 0 : INT32_MIN;
    *max = !v->is_enum ? INT32_MAX : v->const_count > 65535 ? (int64_t)UINT32_MAX
         : v->const_count > 255 ? 65535 : 255;
    return true;
}

/* A comparison of a state variable with a literal whose outcome the
 * variable's C type already fixes (an int variable against 5000000000, an
 * enum variable against -1): gcc's -Wtype-limits would reject the C, so it
 * is written as its value.  Returns 0 or 1, or -1 when the outcome is
 * open (or the style is not C). */
static int fixed_comparison(const struct printer *p, const struct ast_expr *e)
{
    static const enum ast_op mirror[OP_COUNT] = {
        [OP_LT] = OP_GT, [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE,
        [OP_EQ] = OP_EQ, [OP_NE] = OP_NE,
    };
    int64_t min, max, lit;
    enum ast_op op = e->op;
    if (p->style != EMIT_EXPR_C || e->kind != EXPR_BINARY || is_leaf_ext(p, e) ||
        !is_comparison(op))
        return -1;
    const struct ast_expr *a = strip_plus(p, e->a), *b = strip_plus(p, e->b);
    if (field_range(p, b, &min, &max) && literal_of(p, a, &lit))
        op = mirror[op];            /* lit < x  is  x > lit */
    else if (!field_range(p, a, &min, &max) || !literal_of(p, b, &lit))
        return -1;
    int64_t at_min, at_max;
    switch (op) {
    case OP_EQ: return lit < min || lit > max ? 0 : -1;
    case OP_NE: return lit < min || lit > max ? 1 : -1;
    case OP_LT: at_min = min < lit;  at_max = max < lit;  break;
    case OP_LE: at_min = min <= lit; at_max = max <= lit; break;
    case OP_GT: at_min = min > lit;  at_max = max > lit;  break;
    default:    at_min = min >= lit; at_max = max >= lit; break;
    }
    return at_min == at_max ? (int)at_min : -1;
}

static int prec_of(const struct printer *p, const struct ast_expr *e)
{
    int64_t v;
    e = strip_plus(p, e);
    if (is_leaf_ext(p, e))
        return P_PRIMARY;
    switch (e->kind) {
    case EXPR_INT:
        v = e->value;
        break;
    case EXPR_UNARY:
        if (negative_literal(p, e, &v))
            break;
        return printed_op(p, e) == OP_NONE ? P_PRIMARY : P_UNARY;
    case EXPR_BINARY:
        if (printed_op(p, e) == OP_NONE || fixed_comparison(p, e) >= 0)
            return P_PRIMARY;
        return binary_prec[e->op];
    case EXPR_COND:
        return P_COND;
    default:
        return P_PRIMARY;
    }
    /* a literal */
    if (v >= 0)
        return P_PRIMARY;
    return p->style == EMIT_EXPR_C && v == INT64_MIN ? P_PRIMARY : P_UNARY;
}

static bool is_comparison(enum ast_op op)
{
    return op >= OP_LT && op <= OP_NE;
}

static bool is_bitwise(enum ast_op op)
{
    return op == OP_BITAND || op == OP_BITXOR || op == OP_BITOR ||
           op == OP_SHL || op == OP_SHR;
}

/* Parentheses C does not need but gcc's -Wparentheses and
 * -Wlogical-not-parentheses ask for (and readers appreciate): && inside
 * ||, a different operator inside a bitwise one, a comparison inside a
 * comparison, !x on the left of a comparison. */
static bool wants_parens(const struct printer *p, enum ast_op parent,
                         const struct ast_expr *child, bool left)
{
    enum ast_op op = printed_op(p, strip_plus(p, child));
    if (op == OP_NONE || child->kind == EXPR_COND)
        return false;
    if (parent == OP_OR && op == OP_AND)
        return true;
    if (is_bitwise(parent) && binary_prec[op] && op != parent)
        return true;
    if (is_comparison(parent) && (is_comparison(op) || (left && op == OP_NOT)))
        return true;
    return false;
}

static void print(const struct printer *p, const struct ast_expr *e);

static void print_sub(const struct printer *p, const struct ast_expr *e,
                      int min_prec, bool parens)
{
    if (parens || prec_of(p, e) < min_prec) {
        emit(p->o, "(");
        print(p, e);
        emit(p->o, ")");
    } else {
        print(p, e);
    }
}

static void print_int(const struct printer *p, int64_t v)
{
    if (p->style == EMIT_EXPR_SPEC || (v >= -INT_MAX && v <= INT_MAX))
        emit(p->o, "%" PRId64, v);
    else if (v == INT64_MIN)
        emit(p->o, "(-INT64_C(9223372036854775807) - 1)");
    else if (v > 0)
        emit(p->o, "INT64_C(%" PRId64 ")", v);
    else
        emit(p->o, "-INT64_C(%" PRId64 ")", -v);
}

static void print_c_ident(struct emit_out *o, const char *s)
{
    if (*s >= '0' && *s <= '9')
        emit(o, "_");
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_';
        emit_bytes(o, ok ? s : "_", 1);
    }
}

void emit_c_ident(struct emit_out *o, const char *s)
{
    print_c_ident(o, s ? s : "");
}

static void print_name(const struct printer *p, const struct ast_expr *e)
{
    if (p->style == EMIT_EXPR_SPEC) {
        emit(p->o, "%s", e->name ? e->name : "?");
        return;
    }
    const char *name = e->var ? e->var->name : e->name;
    switch (e->sym) {
    case SYM_VAR:
        emit(p->o, "s->%s%s", name, emit_field_suffix(name));
        break;
    case SYM_ENUM_CONST:
        print_c_ident(p->o, p->rule->name ? p->rule->name : "rule");
        emit(p->o, "_%s", e->enum_const ? e->enum_const->name : e->name);
        break;
    case SYM_IRQL:
        emit(p->o, "ls_env_irql(env, %d)", e->irql_back);
        break;
    default:
        emit(p->o, "0 /* unresolved '%s' */", e->name ? e->name : "?");
        p->o->error = 1;
        break;
    }
}

static void print(const struct printer *p, const struct ast_expr *e)
{
    struct emit_out *o = p->o;
    bool c = p->style == EMIT_EXPR_C;

    e = strip_plus(p, e);
    if (is_leaf_ext(p, e)) {
        if (c) {
            emit(o, "ls_event_ext(ev, %d) /* ", e->ext);
            emit_comment_text(o, p->rule->ext[e->ext].text);
            emit(o, " */");
        } else {
            emit(o, "%s", p->rule->ext[e->ext].text);
        }
        return;
    }
    switch (e->kind) {
    case EXPR_INT: {
        /* DISPATCH_LEVEL reads better than 2: a literal that is a whole
         * object-like macro is shown by name (in C, as a comment) */
        const struct src_manager *sm = p->rule ? p->rule->sm : NULL;
        const struct src_expansion *x = sm && e->loc.expansion &&
            e->loc.expansion < sm->expansion_count ? &sm->expansions[e->loc.expansion] : NULL;
        if (x && x->single && !c) {
            emit(o, "%.*s", (int)x->macro_len, x->macro);
            return;
        }
        print_int(p, e->value);
        if (x && x->single)
            emit(o, " /* %.*s */", (int)x->macro_len, x->macro);
        return;
    }
    case EXPR_NAME:
        print_name(p, e);
        return;
    case EXPR_PARAM:
        emit(o, c ? "ls_event_arg(ev, %d)" : "$%d", e->param);
        return;
    case EXPR_RETURN:
        emit(o, c ? "ev->ret" : "$return");
        return;
    case EXPR_UNARY: {
        int64_t v;
        if (negative_literal(p, e, &v)) {
            print_int(p, v);
            return;
        }
        if (c && c_helper[e->op]) {
            emit(o, "%s(", c_helper[e->op]);
            print_sub(p, e->a, P_COND, false);
            emit(o, ")");
            return;
        }
        if (c && (e->op == OP_DEREF || e->op == OP_ADDR))
            o->error = 1;   /* only extended operands may dereference */
        emit(o, "%s", ast_op_spelling[e->op]);
        /* "- -x" must not become "--x" */
        print_sub(p, e->a, P_UNARY,
                  (e->op == OP_NEG || e->op == OP_PLUS) &&
                  ((e->a->kind == EXPR_UNARY && !is_leaf_ext(p, e->a)) ||
                   (e->a->kind == EXPR_INT && e->a->value < 0)));
        return;
    }
    case EXPR_BINARY: {
        if (c && c_helper[e->op]) {
            emit(o, "%s(", c_helper[e->op]);
            print_sub(p, e->a, P_COND, false);
            emit(o, ", ");
            print_sub(p, e->b, P_COND, false);
            emit(o, ")");
            return;
        }
        int fixed = fixed_comparison(p, e);
        if (fixed >= 0) {
            struct emit_out t;
            struct printer spec = { &t, p->rule, EMIT_EXPR_SPEC };
            emit_init(&t, NULL);
            print(&spec, e);
            emit(o, "%d /* ", fixed);
            emit_comment_text(o, t.buf ? t.buf : "");
            emit(o, ": always %s for its C type */", fixed ? "true" : "false");
            free(t.buf);
            return;
        }
        int prec = binary_prec[e->op];
        print_sub(p, e->a, prec, wants_parens(p, e->op, e->a, true));
        emit(o, " %s ", ast_op_spelling[e->op]);
        print_sub(p, e->b, prec + 1, wants_parens(p, e->op, e->b, false));
        return;
    }
    case EXPR_COND:
        print_sub(p, e->a, P_LOR, false);
        emit(o, " ? ");
        print_sub(p, e->b, P_LOR, false);
        emit(o, " : ");
        print_sub(p, e->c, P_COND, false);
        return;
    case EXPR_MEMBER:
    case EXPR_INDEX:
    case EXPR_CALL:
        if (c) {
            /* sema turns what survives into extended operands */
            emit(o, "0 /* unsupported */");
            o->error = 1;
            return;
        }
        break;
    }
    /* spec spelling of the postfix forms */
    if (e->kind == EXPR_MEMBER) {
        print_sub(p, e->a, P_PRIMARY, false);
        emit(o, "%s%s", e->arrow ? "->" : ".", e->name ? e->name : "?");
    } else if (e->kind == EXPR_INDEX) {
        print_sub(p, e->a, P_PRIMARY, false);
        emit(o, "[");
        print(p, e->b);
        emit(o, "]");
    } else {
        emit(o, "%s(", e->name ? e->name : "?");
        for (const struct ast_expr *arg = e->a; arg; arg = arg->next) {
            print_sub(p, arg, P_COND, false);
            if (arg->next)
                emit(o, ", ");
        }
        emit(o, ")");
    }
}

void emit_expr(struct emit_out *o, const struct ast_rule *rule,
               const struct ast_expr *e, enum emit_expr_style style)
{
    struct printer p = { o, rule, style };
    if (!e) {
        emit(o, "0");
        return;
    }
    print(&p, e);
}

bool emit_expr_is_primary(const struct ast_rule *rule, const struct ast_expr *e,
                          enum emit_expr_style style)
{
    struct printer p = { NULL, rule, style };
    return e && prec_of(&p, e) == P_PRIMARY;
}
