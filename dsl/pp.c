/*
 * pp.c — the spec preprocessor (see pp.h).
 *
 * Design.  One lexer per open file sits on a stack of frames; pp_next()
 * reads raw tokens from the top frame, runs directives (a '#' first on its
 * line) and expands macros.  Expansion is eager and recursive: a macro
 * call is replaced by its body with the arguments substituted (each
 * argument fully expanded first), and the result is rescanned while the
 * macro is marked active, so a macro never expands inside itself.  The
 * finished tokens go to a queue the parser drains; they are not rescanned
 * again.  (Unlike ISO C, a function-like macro name at the very end of an
 * expansion does not take its arguments from the text after the call;
 * spec files never rely on that.)
 *
 * Every expanded token keeps the location of its spelling and gets the id
 * of an expansion record (use site + definition), so diagnostics can show
 * both.  Tokens substituted from arguments keep their own locations.
 *
 * Errors are reported once and end preprocessing: pp_next then returns
 * TK_ILLEGAL.  Limits (include depth, expansion depth and size) turn
 * hostile input into errors instead of exhausted memory.
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval.h"
#include "pp.h"
#include "xalloc.h"

#define MAX_INCLUDE_DEPTH   64
#define MAX_EXPANSION_DEPTH 200
#define MAX_EXPANSION_SIZE  (1u << 20)   /* tokens one top-level call yields */
#define MACRO_BUCKETS       256

struct tokvec {
    struct token *v;
    size_t len, cap;
};

struct macro {
    struct token name;          /* the name in its #define                   */
    bool function_like;
    int param_count;
    struct token *params;
    struct tokvec body;
    bool active;                /* being expanded: do not expand again       */
    struct macro *next;         /* hash chain                                */
};

/* An #if group being read. */
struct cond {
    struct src_loc loc;         /* the #if/#ifdef/#ifndef                    */
    bool taken;                 /* some branch of this group was taken      */
    bool seen_else;
};

struct frame {
    struct lexer lx;
    uint32_t file;
    char *real_path;            /* for cycle detection (owned, may be NULL)  */
    struct token peek;          /* next raw token, when has_peek             */
    bool has_peek;
    size_t cond_base;           /* cond stack depth when the file began      */
};

struct pp {
    struct src_manager *sm;
    struct diag *diag;
    const struct parse_options *opt;
    struct frame frames[MAX_INCLUDE_DEPTH];
    int depth;
    struct cond *conds;
    size_t cond_len, cond_cap;
    struct macro *macros[MACRO_BUCKETS];
    struct tokvec queue;        /* expanded tokens waiting for the parser    */
    size_t queue_pos;
    char **once;                /* real paths of #pragma once files          */
    size_t once_len;
    int expansion_depth;
    size_t expansion_size;
    bool failed;
    struct token eof;           /* returned at the end of the main file      */
};

/* Where a macro call reads its arguments from: a token list being
 * rescanned, or (list == NULL) the files themselves. */
struct tokin {
    struct pp *pp;
    const struct tokvec *list;
    size_t pos;
};

static int expand_list(struct pp *p, const struct tokvec *in, struct tokvec *out);

/* ---- small helpers ---------------------------------------------------- */

static void vec_push(struct tokvec *v, const struct token *t)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->v = xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->len++] = *t;
}

static void vec_free(struct tokvec *v)
{
    free(v->v);
    v->v = NULL;
    v->len = v->cap = 0;
}

static bool tok_is(const struct token *t, const char *s)
{
    size_t n = strlen(s);
    return t->len == n && memcmp(t->text, s, n) == 0;
}

static bool same_spelling(const struct token *a, const struct token *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Report an error and put the preprocessor into its failed state.
 * Returns TK_ILLEGAL. */
static int pp_fail(struct pp *p, struct src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int pp_fail(struct pp *p, struct src_loc loc, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(p->diag, loc, "%s", msg);
    p->failed = true;
    return TK_ILLEGAL;
}

/* ---- macros ------------------------------------------------------------- */

static unsigned hash_name(const char *s, size_t n)
{
    unsigned h = 5381;
    while (n--)
        h = h * 33 + (unsigned char)*s++;
    return h % MACRO_BUCKETS;
}

static struct macro **find_macro_slot(struct pp *p, const struct token *name)
{
    struct macro **m = &p->macros[hash_name(name->text, name->len)];
    while (*m && !same_spelling(&(*m)->name, name))
        m = &(*m)->next;
    return m;
}

static struct macro *find_macro(struct pp *p, const struct token *name)
{
    return name->kind == TK_ID ? *find_macro_slot(p, name) : NULL;
}

static void free_macro(struct macro *m)
{
    free(m->params);
    vec_free(&m->body);
    free(m);
}

/* True when two definitions are the same (a redefinition is then allowed). */
static bool same_definition(const struct macro *a, const struct macro *b)
{
    if (a->function_like != b->function_like || a->param_count != b->param_count
        || a->body.len != b->body.len)
        return false;
    for (int i = 0; i < a->param_count; i++)
        if (!same_spelling(&a->params[i], &b->params[i]))
            return false;
    for (size_t i = 0; i < a->body.len; i++)
        if (!same_spelling(&a->body.v[i], &b->body.v[i])
            || (i > 0 && a->body.v[i].space != b->body.v[i].space))
            return false;
    return true;
}

/* ---- raw tokens from the files ------------------------------------------ */

static int raw_next(struct pp *p, struct token *t)
{
    struct frame *f = &p->frames[p->depth - 1];
    if (f->has_peek) {
        *t = f->peek;
        f->has_peek = false;
        return t->kind;
    }
    return lex_next(&f->lx, t);
}

static const struct token *raw_peek(struct pp *p)
{
    struct frame *f = &p->frames[p->depth - 1];
    if (!f->has_peek) {
        lex_next(&f->lx, &f->peek);
        f->has_peek = true;
    }
    return &f->peek;
}

/* The rest of a directive line, up to the next token that starts a line. */
static int read_line(struct pp *p, struct tokvec *line)
{
    for (;;) {
        const struct token *next = raw_peek(p);
        if (next->kind == TK_ILLEGAL) {
            p->failed = true;
            return TK_ILLEGAL;
        }
        if (next->kind == TK_EOF || next->bol)
            return TK_EOF;
        struct token t;
        raw_next(p, &t);
        vec_push(line, &t);
    }
}

/* ---- macro calls -------------------------------------------------------- */

static int in_next(struct tokin *in, struct token *t)
{
    if (!in->list)
        return raw_next(in->pp, t);
    if (in->pos < in->list->len) {
        *t = in->list->v[in->pos++];
        return t->kind;
    }
    t->kind = TK_EOF;
    return TK_EOF;
}

static bool in_next_is_lparen(struct tokin *in)
{
    if (!in->list)
        return raw_peek(in->pp)->kind == TK_LPAREN;
    return in->pos < in->list->len && in->list->v[in->pos].kind == TK_LPAREN;
}

/* Read the arguments of a call to m (the '(' is next) into args[].
 * Returns the number of arguments, or -1 after an error. */
static int read_args(struct pp *p, struct tokin *in, const struct macro *m,
                     const struct token *name, struct tokvec **args_out)
{
    struct token t;
    struct tokvec *args = NULL;
    int count = 0, depth = 0;

    in_next(in, &t);                                /* the '(' */
    for (;;) {
        if (in_next(in, &t) == TK_EOF || t.kind == TK_ILLEGAL) {
            for (int i = 0; i < count; i++)
                vec_free(&args[i]);
            free(args);
            if (t.kind == TK_ILLEGAL) {
                p->failed = true;
                return -1;
            }
            pp_fail(p, name->loc, "unterminated call to macro '%.*s'",
                    (int)name->len, name->text);
            return -1;
        }
        if (count == 0 || (depth == 0 && t.kind == TK_COMMA)) {
            args = xrealloc(args, (size_t)(count + 1) * sizeof *args);
            memset(&args[count++], 0, sizeof *args);
            if (t.kind == TK_COMMA && depth == 0)
                continue;
        }
        if (t.kind == TK_RPAREN && depth == 0)
            break;
        if (t.kind == TK_LPAREN) depth++;
        if (t.kind == TK_RPAREN) depth--;
        vec_push(&args[count - 1], &t);
    }
    /* "F()" passes no argument to a macro without parameters. */
    if (count == 1 && args[0].len == 0 && m->param_count == 0)
        count = 0;
    *args_out = args;
    return count;
}

/* Substitute the (expanded) arguments into m's body, marking the body's
 * own tokens with the expansion id. */
static void substitute(const struct macro *m, const struct token *name,
                       const struct tokvec *args, uint32_t id,
                       struct tokvec *out)
{
    for (size_t i = 0; i < m->body.len; i++) {
        struct token t = m->body.v[i];
        int param = -1;
        for (int j = 0; t.kind == TK_ID && j < m->param_count; j++)
            if (same_spelling(&t, &m->params[j]))
                param = j;
        if (param >= 0) {
            for (size_t k = 0; k < args[param].len; k++)
                vec_push(out, &args[param].v[k]);
            continue;
        }
        t.loc.expansion = id;
        t.bol = false;
        if (i == 0)
            t.space = name->space;
        vec_push(out, &t);
    }
}

/* Expand the macro named by `name` (whose call arguments, if any, come
 * from `in`) onto out.  Returns TK_EOF on success, TK_ILLEGAL on error. */
static int expand_macro(struct pp *p, struct tokin *in, struct macro *m,
                        const struct token *name, struct tokvec *out)
{
    struct tokvec *args = NULL, subst = { 0 };
    int argc = 0, rc = TK_EOF;

    if (m->function_like) {
        if (!in_next_is_lparen(in)) {               /* just a name */
            vec_push(out, name);
            return TK_EOF;
        }
        argc = read_args(p, in, m, name, &args);
        if (argc < 0)
            return TK_ILLEGAL;
        if (argc != m->param_count)
            rc = pp_fail(p, name->loc,
                         "macro '%.*s' takes %d argument%s, but %d %s given",
                         (int)name->len, name->text, m->param_count,
                         m->param_count == 1 ? "" : "s", argc,
                         argc == 1 ? "was" : "were");
    }
    if (rc == TK_EOF && p->expansion_depth >= MAX_EXPANSION_DEPTH)
        rc = pp_fail(p, name->loc, "macro expansion nested too deeply in '%.*s'",
                     (int)name->len, name->text);

    /* Arguments are expanded completely before substitution (C 6.10.3.1). */
    for (int i = 0; i < argc && rc == TK_EOF; i++) {
        struct tokvec expanded = { 0 };
        p->expansion_depth++;
        rc = expand_list(p, &args[i], &expanded);
        p->expansion_depth--;
        vec_free(&args[i]);
        args[i] = expanded;
    }
    if (rc == TK_EOF) {
        uint32_t id = src_add_expansion(p->sm, m->name.text, m->name.len,
                                        name->loc, m->name.loc);
        p->sm->expansions[id].single = !m->function_like && m->body.len == 1;
        substitute(m, name, args, id, &subst);
        m->active = true;
        p->expansion_depth++;
        rc = expand_list(p, &subst, out);
        p->expansion_depth--;
        m->active = false;
        if (rc == TK_EOF && (p->expansion_size += subst.len) > MAX_EXPANSION_SIZE)
            rc = pp_fail(p, name->loc, "expansion of macro '%.*s' is too large",
                         (int)name->len, name->text);
    }
    for (int i = 0; i < argc; i++)
        vec_free(&args[i]);
    free(args);
    vec_free(&subst);
    return rc;
}

/* Expand every macro in `in` onto out. */
static int expand_list(struct pp *p, const struct tokvec *in, struct tokvec *out)
{
    struct tokin src = { p, in, 0 };
    struct token t;
    while (in_next(&src, &t) != TK_EOF) {
        struct macro *m = t.noexpand ? NULL : find_macro(p, &t);
        if (m && m->active) {
            t.noexpand = true;                      /* never again */
            m = NULL;
        }
        if (!m) {
            vec_push(out, &t);
            continue;
        }
        if (expand_macro(p, &src, m, &t, out) != TK_EOF)
            return TK_ILLEGAL;
    }
    return TK_EOF;
}

/* ---- #if expressions ----------------------------------------------------- */

struct cexpr {
    struct pp *pp;
    const struct tokvec *toks;
    size_t pos;
    struct src_loc line_loc;    /* for "missing expression" at line end     */
};

/* Binary operator of a token and its precedence (higher binds tighter);
 * 0 when the token is not one. */
static int binary_prec(int kind, enum ast_op *op)
{
    switch (kind) {
    case TK_STAR:    *op = OP_MUL;    return 10;
    case TK_SLASH:   *op = OP_DIV;    return 10;
    case TK_PERCENT: *op = OP_MOD;    return 10;
    case TK_PLUS:    *op = OP_ADD;    return 9;
    case TK_MINUS:   *op = OP_SUB;    return 9;
    case TK_SHL:     *op = OP_SHL;    return 8;
    case TK_SHR:     *op = OP_SHR;    return 8;
    case TK_LT:      *op = OP_LT;     return 7;
    case TK_LE:      *op = OP_LE;     return 7;
    case TK_GT:      *op = OP_GT;     return 7;
    case TK_GE:      *op = OP_GE;     return 7;
    case TK_EQ:      *op = OP_EQ;     return 6;
    case TK_NE:      *op = OP_NE;     return 6;
    case TK_AMP:     *op = OP_BITAND; return 5;
    case TK_CARET:   *op = OP_BITXOR; return 4;
    case TK_PIPE:    *op = OP_BITOR;  return 3;
    case TK_ANDAND:  *op = OP_AND;    return 2;
    case TK_OROR:    *op = OP_OR;     return 1;
    default:         return 0;
    }
}

static const struct token *ce_peek(struct cexpr *c)
{
    static const struct token end = { .kind = TK_EOF };
    return c->pos < c->toks->len ? &c->toks->v[c->pos] : &end;
}

static struct src_loc ce_loc(struct cexpr *c)
{
    return c->pos < c->toks->len ? c->toks->v[c->pos].loc : c->line_loc;
}

static bool ce_expr(struct cexpr *c, int min_prec, int64_t *v);

static bool ce_primary(struct cexpr *c, int64_t *v)
{
    const struct token *t = ce_peek(c);
    enum ast_op op = OP_NONE;
    switch (t->kind) {
    case TK_INTEGER:
        c->pos++;
        *v = t->value;
        return true;
    case TK_ID:                     /* an undefined name is 0, as in C */
        c->pos++;
        *v = 0;
        return true;
    case TK_LPAREN:
        c->pos++;
        if (!ce_expr(c, 0, v))
            return false;
        if (ce_peek(c)->kind != TK_RPAREN) {
            pp_fail(c->pp, ce_loc(c), "expected ')' in preprocessor expression");
            return false;
        }
        c->pos++;
        return true;
    case TK_MINUS: op = OP_NEG; break;
    case TK_PLUS:  op = OP_PLUS; break;
    case TK_BANG:  op = OP_NOT; break;
    case TK_TILDE: op = OP_BITNOT; break;
    case TK_EOF:
        pp_fail(c->pp, ce_loc(c), "expected value in preprocessor expression");
        return false;
    default:
        pp_fail(c->pp, t->loc, "'%.*s' is not valid in a preprocessor expression",
                (int)t->len, t->text);
        return false;
    }
    c->pos++;
    int64_t a;
    return ce_primary(c, &a) && eval_unary(op, a, v) != EVAL_NOT_CONSTANT;
}

/* Precedence climbing over binary operators, then ?: (lowest). */
static bool ce_expr(struct cexpr *c, int min_prec, int64_t *v)
{
    if (!ce_primary(c, v))
        return false;
    for (;;) {
        enum ast_op op;
        const struct token *t = ce_peek(c);
        int prec = binary_prec(t->kind, &op);
        if (prec == 0 || prec <= min_prec)
            break;
        c->pos++;
        int64_t rhs;
        if (!ce_expr(c, prec, &rhs))
            return false;
        if (eval_binary(op, *v, rhs, v) == EVAL_DIV_ZERO) {
            pp_fail(c->pp, t->loc, "division by zero in preprocessor expression");
            return false;
        }
    }
    if (min_prec == 0 && ce_peek(c)->kind == TK_QUESTION) {
        int64_t a, b;
        c->pos++;
        if (!ce_expr(c, 0, &a))
            return false;
        if (ce_peek(c)->kind != TK_COLON) {
            pp_fail(c->pp, ce_loc(c), "expected ':' in preprocessor expression");
            return false;
        }
        c->pos++;
        if (!ce_expr(c, 0, &b))
            return false;
        *v = *v ? a : b;
    }
    return true;
}

/* Evaluate the tokens of an #if/#elif line.  Returns -1 on error. */
static int eval_condition(struct pp *p, const struct token *directive,
                          const struct tokvec *line)
{
    struct tokvec resolved = { 0 }, expanded = { 0 };
    int result = -1;

    /* `defined X` and `defined(X)` are decided before expansion. */
    for (size_t i = 0; i < line->len; i++) {
        struct token t = line->v[i];
        if (t.kind == TK_ID && tok_is(&t, "defined")) {
            bool paren = i + 1 < line->len && line->v[i + 1].kind == TK_LPAREN;
            size_t n = i + 1 + paren;
            if (n >= line->len || line->v[n].kind != TK_ID
                || (paren && (n + 1 >= line->len || line->v[n + 1].kind != TK_RPAREN))) {
                pp_fail(p, t.loc, "'defined' must be followed by a macro name");
                goto out;
            }
            t.kind = TK_INTEGER;
            t.value = find_macro(p, &line->v[n]) != NULL;
            i = n + paren;
        }
        vec_push(&resolved, &t);
    }
    if (expand_list(p, &resolved, &expanded) != TK_EOF)
        goto out;

    struct src_loc end = directive->loc;
    if (line->len) {
        end = line->v[line->len - 1].loc;
        end.offset += end.length;
        end.length = 1;
    }
    struct cexpr c = { p, &expanded, 0, end };
    int64_t v;
    if (!ce_expr(&c, 0, &v))
        goto out;
    if (c.pos < expanded.len) {
        const struct token *t = &expanded.v[c.pos];
        pp_fail(p, t->loc, "unexpected '%.*s' in preprocessor expression",
                (int)t->len, t->text);
        goto out;
    }
    result = v != 0;
out:
    vec_free(&resolved);
    vec_free(&expanded);
    return result;
}

/* ---- directives ---------------------------------------------------------- */

/* Skip the lines of a group whose condition is false, up to the #elif,
 * #else or #endif that ends it (nested groups are skipped whole).  Leaves
 * that directive's name in *dir and its line in *line. */
static int skip_group(struct pp *p, struct token *dir, struct tokvec *line)
{
    int nesting = 0;
    struct token t;
    for (;;) {
        if (raw_next(p, &t) == TK_ILLEGAL) {
            p->failed = true;
            return TK_ILLEGAL;
        }
        if (t.kind == TK_EOF)
            return TK_EOF;                          /* caller reports */
        if (t.kind != TK_HASH || !t.bol)
            continue;
        const struct token *name = raw_peek(p);
        if (name->kind == TK_ILLEGAL) {
            p->failed = true;
            return TK_ILLEGAL;
        }
        if (name->bol || name->kind == TK_EOF)
            continue;                               /* a lone '#' */
        raw_next(p, dir);
        line->len = 0;
        if (read_line(p, line) == TK_ILLEGAL)
            return TK_ILLEGAL;
        if (tok_is(dir, "if") || tok_is(dir, "ifdef") || tok_is(dir, "ifndef"))
            nesting++;
        else if (tok_is(dir, "endif") && nesting > 0)
            nesting--;
        else if (nesting == 0 && (tok_is(dir, "elif") || tok_is(dir, "else")
                                  || tok_is(dir, "endif")))
            return TK_HASH;
    }
}

/* Handle the conditional directive `dir` with its line.  taking says
 * whether the new branch's condition holds.  Skips false branches. */
static int run_conditionals(struct pp *p, struct token dir, struct tokvec *line,
                            int taking)
{
    for (;;) {
        struct cond *c = &p->conds[p->cond_len - 1];
        if (taking < 0)
            return TK_ILLEGAL;
        if (taking) {
            c->taken = true;
            return TK_EOF;                          /* read this branch */
        }
        int rc = skip_group(p, &dir, line);
        if (rc == TK_ILLEGAL)
            return rc;
        if (rc == TK_EOF)
            return pp_fail(p, c->loc, "unterminated conditional directive");
        if (tok_is(&dir, "endif")) {
            p->cond_len--;
            return TK_EOF;
        }
        if (c->seen_else)
            return pp_fail(p, dir.loc, "'#%.*s' after '#else'",
                           (int)dir.len, dir.text);
        if (tok_is(&dir, "else")) {
            c->seen_else = true;
            taking = !c->taken;
        } else {                                    /* #elif */
            taking = c->taken ? 0 : eval_condition(p, &dir, line);
        }
    }
}

static void push_cond(struct pp *p, struct src_loc loc)
{
    if (p->cond_len == p->cond_cap) {
        p->cond_cap = p->cond_cap ? p->cond_cap * 2 : 8;
        p->conds = xrealloc(p->conds, p->cond_cap * sizeof *p->conds);
    }
    p->conds[p->cond_len++] = (struct cond){ loc, false, false };
}

/* #else/#elif met while reading a taken branch: skip to the #endif. */
static int finish_conditional(struct pp *p, struct token dir, struct tokvec *line)
{
    struct frame *f = &p->frames[p->depth - 1];
    if (p->cond_len <= f->cond_base)
        return pp_fail(p, dir.loc, "'#%.*s' without '#if'", (int)dir.len, dir.text);
    if (tok_is(&dir, "endif")) {
        p->cond_len--;
        return TK_EOF;
    }
    struct cond *c = &p->conds[p->cond_len - 1];
    if (c->seen_else)
        return pp_fail(p, dir.loc, "'#%.*s' after '#else'", (int)dir.len, dir.text);
    if (tok_is(&dir, "else"))
        c->seen_else = true;
    return run_conditionals(p, dir, line, 0);
}

static int do_define(struct pp *p, const struct tokvec *line,
                     const struct token *dir)
{
    if (line->len == 0 || line->v[0].kind != TK_ID)
        return pp_fail(p, line->len ? line->v[0].loc : dir->loc,
                       "macro name must be an identifier");
    struct macro *m = xrealloc(NULL, sizeof *m);
    memset(m, 0, sizeof *m);
    m->name = line->v[0];
    size_t i = 1;
    if (line->len > 1 && line->v[1].kind == TK_LPAREN && !line->v[1].space) {
        m->function_like = true;
        for (i = 2;; i++) {
            if (i < line->len && line->v[i].kind == TK_RPAREN && m->param_count == 0) {
                i++;
                break;
            }
            if (i >= line->len || line->v[i].kind != TK_ID) {
                free_macro(m);
                return pp_fail(p, i < line->len ? line->v[i].loc : line->v[i - 1].loc,
                               "expected a parameter name in macro definition");
            }
            m->params = xrealloc(m->params, (size_t)(m->param_count + 1) * sizeof *m->params);
            m->params[m->param_count++] = line->v[i++];
            if (i < line->len && line->v[i].kind == TK_RPAREN) {
                i++;
                break;
            }
            if (i >= line->len || line->v[i].kind != TK_COMMA) {
                free_macro(m);
                return pp_fail(p, i < line->len ? line->v[i].loc : line->v[i - 1].loc,
                               "expected ',' or ')' in macro parameter list");
            }
        }
    }
    for (; i < line->len; i++) {
        if (line->v[i].kind == TK_HASH || line->v[i].kind == TK_HASHHASH) {
            struct src_loc loc = line->v[i].loc;
            free_macro(m);
            return pp_fail(p, loc, "'#' and '##' in macros are not supported");
        }
        vec_push(&m->body, &line->v[i]);
    }

    struct macro **slot = find_macro_slot(p, &m->name);
    if (*slot) {
        struct macro *old = *slot;
        if (!same_definition(old, m)) {
            diag_warning(p->diag, m->name.loc, "'%.*s' macro redefined",
                         (int)m->name.len, m->name.text);
            diag_note(p->diag, old->name.loc, "previous definition is here");
        }
        m->next = old->next;
        free_macro(old);
    }
    *slot = m;
    return TK_EOF;
}

static int do_undef(struct pp *p, const struct tokvec *line, const struct token *dir)
{
    if (line->len != 1 || line->v[0].kind != TK_ID)
        return pp_fail(p, line->len ? line->v[0].loc : dir->loc,
                       "'#undef' takes one macro name");
    struct macro **slot = find_macro_slot(p, &line->v[0]);
    if (*slot) {
        struct macro *m = *slot;
        *slot = m->next;
        free_macro(m);
    }
    return TK_EOF;
}

static char *canonical_path(const char *path)
{
    return realpath(path, NULL);
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Join dir and name into a fresh string. */
static char *join_path(const char *dir, size_t dir_len, const char *name, size_t len)
{
    char *s = xrealloc(NULL, dir_len + len + 2);
    memcpy(s, dir, dir_len);
    size_t n = dir_len;
    if (n && s[n - 1] != '/')
        s[n++] = '/';
    memcpy(s + n, name, len);
    s[n + len] = '\0';
    return s;
}

/* Find an #include'd file: beside the including file (for "x.h"), then
 * in the include directories.  Returns a malloc'ed path or NULL. */
static char *find_include(struct pp *p, const char *name, size_t len, bool quoted)
{
    if (len && name[0] == '/') {
        char *s = join_path("", 0, name, len);
        if (is_regular_file(s))
            return s;
        free(s);
        return NULL;
    }
    if (quoted) {
        const char *cur = p->sm->files[p->frames[p->depth - 1].file].path;
        const char *slash = strrchr(cur, '/');
        char *s = slash ? join_path(cur, (size_t)(slash - cur + 1), name, len)
                        : join_path("", 0, name, len);
        if (is_regular_file(s))
            return s;
        free(s);
    }
    for (int i = 0; p->opt && i < p->opt->include_dir_count; i++) {
        const char *dir = p->opt->include_dirs[i];
        char *s = join_path(dir, strlen(dir), name, len);
        if (is_regular_file(s))
            return s;
        free(s);
    }
    return NULL;
}

static int do_include(struct pp *p, const struct tokvec *line, const struct token *dir)
{
    const char *name;
    size_t len;
    bool quoted;
    struct src_loc loc;

    if (line->len == 1 && line->v[0].kind == TK_STRING) {
        name = line->v[0].text + 1;
        len = line->v[0].len - 2;
        quoted = true;
        loc = line->v[0].loc;
    } else if (line->len >= 2 && line->v[0].kind == TK_LT
               && line->v[line->len - 1].kind == TK_GT) {
        name = line->v[0].text + 1;
        len = (size_t)(line->v[line->len - 1].text - name);
        quoted = false;
        loc = line->v[0].loc;
        loc.length = (uint32_t)len + 2;
    } else {
        return pp_fail(p, line->len ? line->v[0].loc : dir->loc,
                       "expected \"FILENAME\" or <FILENAME> after '#include'");
    }
    if (len == 0)
        return pp_fail(p, loc, "empty filename in '#include'");

    char *path = find_include(p, name, len, quoted);
    if (!path)
        return pp_fail(p, loc, "'%.*s' file not found", (int)len, name);
    char *real = canonical_path(path);
    for (size_t i = 0; real && i < p->once_len; i++)
        if (strcmp(p->once[i], real) == 0) {       /* #pragma once */
            free(real);
            free(path);
            return TK_EOF;
        }
    for (int i = 0; real && i < p->depth; i++)
        if (p->frames[i].real_path && strcmp(p->frames[i].real_path, real) == 0) {
            free(real);
            free(path);
            return pp_fail(p, loc, "'%.*s' includes itself (an #include cycle)",
                           (int)len, name);
        }
    if (p->depth == MAX_INCLUDE_DEPTH) {
        free(real);
        free(path);
        return pp_fail(p, loc, "#include nested too deeply");
    }
    const char *why = NULL;
    uint32_t id = src_load(p->sm, path, loc, &why);
    free(path);
    if (!id) {
        free(real);
        return pp_fail(p, loc, "cannot read '%.*s': %s", (int)len, name, why);
    }
    free(real);
    pp_push_file(p, id);
    return TK_EOF;
}

/* Run the directive after a '#' at the start of a line. */
static int run_directive(struct pp *p, const struct token *hash)
{
    struct token dir;
    struct tokvec line = { 0 };
    int rc = TK_EOF;

    const struct token *next = raw_peek(p);
    if (next->kind == TK_ILLEGAL)
        return p->failed = true, TK_ILLEGAL;
    if (next->kind == TK_EOF || next->bol)
        return TK_EOF;                              /* the null directive */
    raw_next(p, &dir);
    if (read_line(p, &line) == TK_ILLEGAL) {
        vec_free(&line);
        return TK_ILLEGAL;
    }

    if (tok_is(&dir, "define")) {
        rc = do_define(p, &line, &dir);
    } else if (tok_is(&dir, "undef")) {
        rc = do_undef(p, &line, &dir);
    } else if (tok_is(&dir, "include")) {
        rc = do_include(p, &line, &dir);
    } else if (tok_is(&dir, "if") || tok_is(&dir, "ifdef") || tok_is(&dir, "ifndef")) {
        int taking;
        if (tok_is(&dir, "if") && line.len == 0) {
            pp_fail(p, dir.loc, "'#if' with no expression");
            taking = -1;
        } else if (tok_is(&dir, "if")) {
            taking = eval_condition(p, &dir, &line);
        } else if (line.len != 1 || line.v[0].kind != TK_ID) {
            pp_fail(p, line.len ? line.v[0].loc : dir.loc,
                    "'#%.*s' takes one macro name", (int)dir.len, dir.text);
            taking = -1;
        } else {
            taking = (find_macro(p, &line.v[0]) != NULL) == tok_is(&dir, "ifdef");
        }
        if (taking >= 0) {
            push_cond(p, hash->loc);
            rc = run_conditionals(p, dir, &line, taking);
        } else {
            rc = TK_ILLEGAL;
        }
    } else if (tok_is(&dir, "elif") || tok_is(&dir, "else") || tok_is(&dir, "endif")) {
        rc = finish_conditional(p, dir, &line);
    } else if (tok_is(&dir, "error")) {
        const char *start = line.len ? line.v[0].text : "";
        const char *end = line.len ? line.v[line.len - 1].text + line.v[line.len - 1].len : start;
        rc = pp_fail(p, hash->loc, "#error %.*s", (int)(end - start), start);
    } else if (tok_is(&dir, "warning")) {
        const char *start = line.len ? line.v[0].text : "";
        const char *end = line.len ? line.v[line.len - 1].text + line.v[line.len - 1].len : start;
        diag_warning(p->diag, hash->loc, "#warning %.*s", (int)(end - start), start);
    } else if (tok_is(&dir, "pragma")) {
        struct frame *f = &p->frames[p->depth - 1];
        if (line.len == 1 && tok_is(&line.v[0], "once") && f->real_path) {
            p->once = xrealloc(p->once, (p->once_len + 1) * sizeof *p->once);
            p->once[p->once_len++] = xstrdup(f->real_path);
        }                                           /* other pragmas: ignored */
    } else {
        rc = pp_fail(p, dir.loc, "invalid preprocessing directive '#%.*s'",
                     (int)dir.len, dir.text);
    }
    vec_free(&line);
    return rc;
}

/* ---- the token stream ---------------------------------------------------- */

struct pp *pp_new(struct src_manager *sm, struct diag *d,
                  const struct parse_options *opt)
{
    struct pp *p = xrealloc(NULL, sizeof *p);
    memset(p, 0, sizeof *p);
    p->sm = sm;
    p->diag = d;
    p->opt = opt;
    return p;
}

void pp_free(struct pp *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->depth; i++)
        free(p->frames[i].real_path);
    for (int i = 0; i < MACRO_BUCKETS; i++)
        while (p->macros[i]) {
            struct macro *m = p->macros[i];
            p->macros[i] = m->next;
            free_macro(m);
        }
    for (size_t i = 0; i < p->once_len; i++)
        free(p->once[i]);
    free(p->once);
    free(p->conds);
    vec_free(&p->queue);
    free(p);
}

void pp_push_file(struct pp *p, uint32_t file)
{
    struct frame *f = &p->frames[p->depth++];
    memset(f, 0, sizeof *f);
    const struct src_file *sf = &p->sm->files[file];
    lex_init(&f->lx, p->diag, file, sf->text, sf->size);
    f->file = file;
    f->real_path = canonical_path(sf->path);
    f->cond_base = p->cond_len;
}

int pp_next(struct pp *p, struct token *t)
{
    for (;;) {
        if (p->failed)
            return t->kind = TK_ILLEGAL;
        if (p->queue_pos < p->queue.len) {
            *t = p->queue.v[p->queue_pos++];
            return t->kind;
        }
        p->queue.len = p->queue_pos = 0;

        if (raw_next(p, t) == TK_ILLEGAL) {
            p->failed = true;
            return TK_ILLEGAL;
        }
        if (t->kind == TK_EOF) {
            struct frame *f = &p->frames[p->depth - 1];
            if (p->cond_len > f->cond_base)
                return pp_fail(p, p->conds[p->cond_len - 1].loc,
                               "unterminated conditional directive");
            if (p->depth == 1) {
                p->eof = *t;
                return TK_EOF;
            }
            free(f->real_path);
            p->depth--;
            continue;
        }
        if (t->kind == TK_HASH && t->bol) {
            if (run_directive(p, t) == TK_ILLEGAL)
                return t->kind = TK_ILLEGAL;
            continue;
        }
        struct macro *m = find_macro(p, t);
        if (!m)
            return t->kind;
        struct tokin in = { p, NULL, 0 };
        struct token name = *t;
        p->expansion_size = 0;
        if (expand_macro(p, &in, m, &name, &p->queue) == TK_ILLEGAL)
            return t->kind = TK_ILLEGAL;
    }
}
