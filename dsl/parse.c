/*
 * parse.c — the parser driver and the AST builders the grammar calls.
 *
 * The driver pulls preprocessed tokens from pp.c, maps keywords, keeps a
 * stack of open brackets (so "expected '}'" can say which '{' it closes),
 * and feeds the Lemon parser until the end of input or the first error.
 * Syntax errors name what was found and, when the parser's state allows
 * only a few tokens, what was expected.
 */
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"
#include "pp.h"
#include "xalloc.h"

#define MAX_NESTING 256

struct driver {
    struct parse_ctx ctx;
    int open_kind[MAX_NESTING];     /* TK_LBRACE, TK_LPAREN, TK_LBRACKET     */
    struct src_loc open_loc[MAX_NESTING];
    int open_depth;
};

/* ---- token names for messages --------------------------------------- */

static const struct { const char *word; int kind; } keywords[] = {
    { "abort", TK_ABORT }, { "else", TK_ELSE },   { "enum", TK_ENUM },
    { "guard", TK_GUARD }, { "halt", TK_HALT },   { "if", TK_IF },
    { "int", TK_INT },     { "null", TK_NULL },   { "rule", TK_RULE },
    { "select", TK_SELECT }, { "state", TK_STATE }, { "watch", TK_WATCH },
    { "with", TK_WITH },
};

static int keyword_kind(const struct token *t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == t->len
            && memcmp(keywords[i].word, t->text, t->len) == 0)
            return keywords[i].kind;
    return TK_ID;
}

/* How a token kind is named in "expected ..." lists. */
static const char *kind_name(int kind)
{
    switch (kind) {
    case TK_EOF:      return "end of input";
    case TK_ID:       return "an identifier";
    case TK_INTEGER:  return "a number";
    case TK_STRING:   return "a string";
    case TK_PARAM:    return "'$N'";
    case TK_RETURN:   return "'$return'";
    case TK_LBRACE:   return "'{'";
    case TK_RBRACE:   return "'}'";
    case TK_LPAREN:   return "'('";
    case TK_RPAREN:   return "')'";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    case TK_SEMI:     return "';'";
    case TK_COMMA:    return "','";
    case TK_DOT:      return "'.'";
    case TK_ASSIGN:   return "'='";
    case TK_COLON:    return "':'";
    case TK_ELSE:     return "'else'";
    case TK_GUARD:    return "'guard'";
    case TK_NULL:     return "'null'";
    case TK_STAR:     return "'*'";
    case TK_OROR:     return "'||'";
    default:          return NULL;     /* operators: too many to list */
    }
}

/* Tokens that can begin an expression. */
static bool starts_expression(int kind)
{
    switch (kind) {
    case TK_ID: case TK_INTEGER: case TK_PARAM: case TK_RETURN: case TK_LPAREN:
    case TK_MINUS: case TK_PLUS: case TK_BANG: case TK_TILDE: case TK_STAR: case TK_AMP:
        return true;
    default:
        return false;
    }
}

/* Tokens that can continue an expression (binary and postfix operators);
 * the range relies on the order of the precedence block in grammar.y. */
static bool continues_expression(int kind)
{
    return (kind >= TK_QUESTION && kind <= TK_PERCENT) || kind == TK_DOT
           || kind == TK_ARROW || kind == TK_LBRACKET;
}

static int closer_of(int open)
{
    return open == TK_LBRACE ? TK_RBRACE : open == TK_LPAREN ? TK_RPAREN : TK_RBRACKET;
}

static struct driver *driver_of(struct parse_ctx *ctx)
{
    return (struct driver *)ctx;            /* ctx is the first member */
}

/* Append node to the singly linked list (head, tail), linked by ->next. */
#define APPEND(head, tail, node)            \
    do {                                    \
        if (tail)                           \
            (tail)->next = (node);          \
        else                                \
            (head) = (node);                \
        (tail) = (node);                    \
    } while (0)

/* ---- errors ------------------------------------------------------------ */

void pb_syntax_error(struct parse_ctx *ctx, int major, const struct token *t,
                     const bool *expected)
{
    struct driver *dr = driver_of(ctx);
    const char *names[4];
    int count = 0, inner_closer = -1;
    bool too_many = false;

    if (ctx->failed)
        return;
    ctx->failed = true;
    if (dr->open_depth > 0)
        inner_closer = closer_of(dr->open_kind[dr->open_depth - 1]);
    /* Name what was expected: "an expression" for the start of one, then
     * the punctuation and keywords.  Operators (which could continue an
     * expression almost anywhere) are not listed. */
    bool expression = expected[TK_ID] && expected[TK_INTEGER] && expected[TK_LPAREN];
    bool other = false;
    for (int k = 1; k < PB_MAX_TOKENS; k++)
        other |= expected[k] && !continues_expression(k);
    if (expression)
        names[count++] = "an expression";
    for (int k = 1; k < PB_MAX_TOKENS; k++) {
        if (!expected[k] || (expression && starts_expression(k))
            || (other && continues_expression(k)))
            continue;
        const char *name = kind_name(k);
        if (!name)
            continue;
        if (count == 4)
            too_many = true;
        else
            names[count++] = name;
    }

    char found[80];
    if (major == TK_EOF)
        snprintf(found, sizeof found, "end of input");
    else
        snprintf(found, sizeof found, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->text);

    if (major == TK_EOF && inner_closer >= 0) {
        diag_error(ctx->diag, t->loc, "expected %s at end of input", kind_name(inner_closer));
        expected = NULL;                    /* always add the note below */
    } else if (too_many || count == 0) {
        diag_error(ctx->diag, t->loc, "unexpected %s", found);
    } else {
        char list[200] = "";
        for (int i = 0; i < count; i++) {
            strcat(list, i == 0 ? "" : i == count - 1 ? " or " : ", ");
            strcat(list, names[i]);
        }
        diag_error(ctx->diag, t->loc, "expected %s before %s", list, found);
    }
    if (inner_closer >= 0 && (!expected || expected[inner_closer]))
        diag_note(ctx->diag, dr->open_loc[dr->open_depth - 1], "to match this %s",
                  kind_name(dr->open_kind[dr->open_depth - 1]));
}

/* The parser's stack is full: nesting without brackets (`!!!!...x`,
 * `if (a) if (b) ...`), which the bracket limit does not catch. */
void pb_too_deep(struct parse_ctx *ctx)
{
    if (ctx->failed)
        return;
    diag_error(ctx->diag, ctx->at, "expression or statement nested too deeply");
    ctx->failed = true;
}

/* ---- builders ---------------------------------------------------------- */

static char *tok_str(struct parse_ctx *ctx, const struct token *t)
{
    return ast_strndup(ctx->arena, t->text, t->len);
}

static bool tok_is(const struct token *t, const char *s)
{
    return strlen(s) == t->len && memcmp(t->text, s, t->len) == 0;
}

static void fail(struct parse_ctx *ctx)
{
    ctx->failed = true;
}

void pb_meta_begin(struct parse_ctx *ctx, const struct token *kw,
                   const struct token *name)
{
    if (ctx->rule->meta_name) {
        diag_error(ctx->diag, kw->loc, "duplicate 'rule' header");
        diag_note(ctx->diag, ctx->rule->meta_loc, "previous 'rule' header is here");
        fail(ctx);
        return;
    }
    ctx->rule->meta_name = tok_str(ctx, name);
    ctx->rule->meta_loc = name->loc;
}

void pb_meta_add(struct parse_ctx *ctx, const struct token *key,
                 struct pstring value)
{
    struct ast_meta *m = ast_alloc(ctx->arena, sizeof *m);
    m->key = tok_str(ctx, key);
    m->loc = key->loc;
    m->value = value.text;
    m->value_loc = value.loc;
    APPEND(ctx->rule->meta, ctx->last_meta, m);
}

void pb_state_begin(struct parse_ctx *ctx, const struct token *kw)
{
    if (ctx->seen_state) {
        diag_error(ctx->diag, kw->loc, "duplicate 'state' block; declare every state variable in one block");
        fail(ctx);
    }
    ctx->seen_state = true;
}

static struct ast_var *new_var(struct parse_ctx *ctx, const struct token *name,
                               struct ast_expr *init)
{
    struct ast_var *v = ast_alloc(ctx->arena, sizeof *v);
    v->name = tok_str(ctx, name);
    v->loc = name->loc;
    v->init = init;
    APPEND(ctx->rule->vars, ctx->last_var, v);
    return v;
}

void pb_var_int(struct parse_ctx *ctx, const struct token *name,
                struct ast_expr *init, bool pointer)
{
    new_var(ctx, name, init)->is_pointer = pointer;
}

void pb_var_enum(struct parse_ctx *ctx, struct const_list consts,
                 const struct token *name, struct ast_expr *init)
{
    struct ast_var *v = new_var(ctx, name, init);
    v->is_enum = true;
    v->consts = consts.head;
    v->const_count = consts.count;
    for (struct ast_enum_const *c = consts.head; c; c = c->next)
        c->owner = v;
}

struct const_list pb_const_list(struct parse_ctx *ctx, struct const_list *l,
                                const struct token *name)
{
    struct const_list r = l ? *l : (struct const_list){ NULL, NULL, 0 };
    struct ast_enum_const *c = ast_alloc(ctx->arena, sizeof *c);
    c->name = tok_str(ctx, name);
    c->loc = name->loc;
    c->value = r.count++;
    APPEND(r.head, r.tail, c);
    return r;
}

/* entry/exit from the identifier after the '.'; -1 after an error. */
static int event_kind(struct parse_ctx *ctx, const struct token *t)
{
    if (tok_is(t, "entry"))
        return WHEN_ENTRY;
    if (tok_is(t, "exit"))
        return WHEN_EXIT;
    diag_error(ctx->diag, t->loc, "unknown event kind '%.*s'; expected 'entry' or 'exit'",
               (int)t->len, t->text);
    fail(ctx);
    return -1;
}

void pb_watch(struct parse_ctx *ctx, const struct token *kw,
              struct ast_event *event, const struct token *when,
              struct ast_expr *key)
{
    int w = event_kind(ctx, when);
    if (w < 0)
        return;
    struct ast_watch *wa = ast_alloc(ctx->arena, sizeof *wa);
    wa->event = event;
    wa->when = (enum ast_when)w;
    wa->key = key;
    wa->loc = kw->loc;
    APPEND(ctx->rule->watches, ctx->last_watch, wa);
}

void pb_handler(struct parse_ctx *ctx, const struct event_list *events,
                const struct token *when, const struct guard *guard,
                struct ast_stmt *body)
{
    int w = event_kind(ctx, when);
    if (w < 0)
        return;
    struct ast_handler *h = ast_alloc(ctx->arena, sizeof *h);
    h->events = events->head;
    h->when = (enum ast_when)w;
    h->guard = guard->key;
    h->guard_or_null = guard->or_null;
    h->body = body;
    h->loc = events->head->loc;
    APPEND(ctx->rule->handlers, ctx->last_handler, h);
}

struct event_list pb_event_list(struct event_list *l, struct ast_event *e)
{
    struct event_list r = l ? *l : (struct event_list){ NULL, NULL };
    APPEND(r.head, r.tail, e);
    return r;
}

struct ast_event *pb_event(struct parse_ctx *ctx, const struct token *name)
{
    struct ast_event *e = ast_alloc(ctx->arena, sizeof *e);
    e->name = tok_str(ctx, name);
    e->loc = name->loc;
    e->arity = -1;
    return e;
}

static struct ast_stmt *new_stmt(struct parse_ctx *ctx, enum stmt_kind kind,
                                 struct src_loc loc)
{
    struct ast_stmt *s = ast_alloc(ctx->arena, sizeof *s);
    s->kind = kind;
    s->loc = loc;
    return s;
}

struct ast_stmt *pb_block(struct parse_ctx *ctx, const struct token *lbrace,
                          const struct stmt_list *body,
                          const struct token *rbrace)
{
    struct ast_stmt *s = new_stmt(ctx, STMT_BLOCK, lbrace->loc);
    s->body = body->head;
    s->end_loc = rbrace->loc;
    return s;
}

struct stmt_list pb_stmt_list(struct stmt_list *l, struct ast_stmt *s)
{
    struct stmt_list r = *l;
    APPEND(r.head, r.tail, s);
    return r;
}

struct ast_stmt *pb_if(struct parse_ctx *ctx, const struct token *kw,
                       struct ast_expr *cond, struct ast_stmt *then_stmt,
                       struct ast_stmt *else_stmt)
{
    struct ast_stmt *s = new_stmt(ctx, STMT_IF, kw->loc);
    s->cond = cond;
    s->then_stmt = then_stmt;
    s->else_stmt = else_stmt;
    return s;
}

struct ast_stmt *pb_assign(struct parse_ctx *ctx, struct ast_expr *target,
                           const struct token *op_token, enum ast_op op,
                           struct ast_expr *value)
{
    struct ast_stmt *s = new_stmt(ctx, STMT_ASSIGN, target->loc);
    s->target = target;
    s->op = op;
    if (!value) {                           /* x++ / x-- */
        value = ast_expr_new(ctx->arena, EXPR_INT, op_token->loc);
        value->value = 1;
    }
    s->value = value;
    return s;
}

struct ast_stmt *pb_abort(struct parse_ctx *ctx, const struct token *kw,
                          struct pstring message)
{
    struct ast_stmt *s = new_stmt(ctx, STMT_ABORT, kw->loc);
    s->message = message.text;
    return s;
}

struct ast_stmt *pb_simple(struct parse_ctx *ctx, enum stmt_kind kind,
                           const struct token *kw)
{
    return new_stmt(ctx, kind, kw->loc);
}

struct pstring pb_string(struct parse_ctx *ctx, const struct pstring *prefix,
                         const struct token *t)
{
    size_t before = prefix ? prefix->len : 0;
    char *buf = ast_alloc(ctx->arena, before + t->len + 1);
    if (before)
        memcpy(buf, prefix->text, before);
    size_t n = before + lex_string_value(t, buf + before);
    buf[n] = '\0';
    struct pstring r = { buf, n, prefix ? prefix->loc : t->loc };
    return r;
}

struct ast_expr *pb_int(struct parse_ctx *ctx, const struct token *t)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_INT, t->loc);
    e->value = t->value;
    return e;
}

struct ast_expr *pb_name(struct parse_ctx *ctx, const struct token *t)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_NAME, t->loc);
    e->name = tok_str(ctx, t);
    return e;
}

struct ast_expr *pb_param(struct parse_ctx *ctx, const struct token *t)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_PARAM, t->loc);
    e->param = (int)t->value;
    return e;
}

struct ast_expr *pb_return(struct parse_ctx *ctx, const struct token *t)
{
    return ast_expr_new(ctx->arena, EXPR_RETURN, t->loc);
}

struct ast_expr *pb_deref_param(struct parse_ctx *ctx, const struct token *star,
                                const struct token *param)
{
    return pb_unary(ctx, OP_DEREF, star, pb_param(ctx, param));
}

struct ast_expr *pb_call(struct parse_ctx *ctx, const struct token *callee,
                         struct ast_expr *args)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_CALL, callee->loc);
    e->name = tok_str(ctx, callee);
    e->a = args;
    return e;
}

struct ast_expr *pb_member(struct parse_ctx *ctx, struct ast_expr *base,
                           const struct token *op, const struct token *field,
                           bool arrow)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_MEMBER, field->loc);
    (void)op;
    e->a = base;
    e->name = tok_str(ctx, field);
    e->arrow = arrow;
    return e;
}

struct ast_expr *pb_unary(struct parse_ctx *ctx, enum ast_op op,
                          const struct token *t, struct ast_expr *operand)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_UNARY, t->loc);
    e->op = op;
    e->a = operand;
    return e;
}

struct ast_expr *pb_binary(struct parse_ctx *ctx, enum expr_kind kind,
                           enum ast_op op, const struct token *t,
                           struct ast_expr *left, struct ast_expr *right)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, kind, t->loc);
    e->op = op;
    e->a = left;
    e->b = right;
    return e;
}

struct ast_expr *pb_cond(struct parse_ctx *ctx, const struct token *t,
                         struct ast_expr *cond, struct ast_expr *then_value,
                         struct ast_expr *else_value)
{
    struct ast_expr *e = ast_expr_new(ctx->arena, EXPR_COND, t->loc);
    e->a = cond;
    e->b = then_value;
    e->c = else_value;
    return e;
}

struct expr_list pb_expr_list(struct expr_list *l, struct ast_expr *e)
{
    struct expr_list r = l ? *l : (struct expr_list){ NULL, NULL };
    APPEND(r.head, r.tail, e);
    return r;
}

/* ---- the driver ------------------------------------------------------------ */

/* Track brackets; returns false (after reporting) when the token cannot be
 * fed: a closer with nothing open, or nesting past MAX_NESTING. */
static bool track_brackets(struct driver *dr, const struct token *t)
{
    struct parse_ctx *ctx = &dr->ctx;
    switch (t->kind) {
    case TK_LBRACE:
    case TK_LPAREN:
    case TK_LBRACKET:
        if (dr->open_depth == MAX_NESTING) {
            diag_error(ctx->diag, t->loc, "brackets nested too deeply (the limit is %d)",
                       MAX_NESTING);
            return false;
        }
        dr->open_kind[dr->open_depth] = t->kind;
        dr->open_loc[dr->open_depth++] = t->loc;
        return true;
    case TK_RBRACE:
    case TK_RPAREN:
    case TK_RBRACKET:
        if (dr->open_depth == 0) {
            diag_error(ctx->diag, t->loc, "unmatched '%.*s'", (int)t->len, t->text);
            return false;
        }
        dr->open_depth--;
        return true;
    default:
        return true;
    }
}

/* Report tokens the grammar has no place for; false when t must not be fed. */
static bool check_token(struct driver *dr, const struct token *t)
{
    struct diag *d = dr->ctx.diag;
    switch (t->kind) {
    case TK_SELECT:
        diag_error(d, t->loc, "'select' blocks ('select one', 'select all') are not supported yet");
        return false;
    case TK_WITH:
        diag_error(d, t->loc, "'with guard' clauses are not supported yet");
        return false;
    case TK_HASH:
    case TK_HASHHASH:
        diag_error(d, t->loc, "stray '%.*s'; a directive must start its line",
                   (int)t->len, t->text);
        return false;
    default:
        return track_brackets(dr, t);
    }
}

static struct ast_rule *parse_file_id(struct src_manager *sm, struct diag *d,
                                      uint32_t file, const struct parse_options *opt)
{
    struct driver *dr = xcalloc(1, sizeof *dr);
    struct pp *pp = pp_new(sm, d, opt);
    void *parser = lsParseAlloc(malloc);
    int errors_before = d->error_count;
    struct token t;

    if (!parser)
        xalloc_oom();
    _Static_assert(TK_INTEGER < PB_MAX_TOKENS, "PB_MAX_TOKENS too small");
    struct ast_rule *rule = ast_rule_new(sm, sm->files[file].path, file);
    dr->ctx.rule = rule;
    dr->ctx.arena = rule->arena;
    dr->ctx.diag = d;

    pp_push_file(pp, file);
    for (;;) {
        int kind = pp_next(pp, &t);
        if (kind == TK_ILLEGAL)
            break;
        if (kind == TK_ID)
            t.kind = keyword_kind(&t);
        if (!check_token(dr, &t))
            break;
        dr->ctx.at = t.loc;
        lsParse(parser, t.kind, t, &dr->ctx);
        if (dr->ctx.failed || t.kind == TK_EOF)
            break;
    }
    lsParseFree(parser, free);
    pp_free(pp);
    bool ok = !dr->ctx.failed && d->error_count == errors_before;
    free(dr);
    if (!ok) {
        ast_free(rule);
        return NULL;
    }
    return rule;
}

struct ast_rule *parse_file(struct src_manager *sm, struct diag *d,
                            const char *path, const struct parse_options *opt)
{
    const char *why = NULL;
    struct src_loc none = { 0, 0, 0, 0 };
    uint32_t file = src_load(sm, path, none, &why);
    if (!file) {
        diag_error(d, none, "cannot read '%s': %s", path, why);
        return NULL;
    }
    return parse_file_id(sm, d, file, opt);
}

struct ast_rule *parse_buffer(struct src_manager *sm, struct diag *d,
                              const char *name, const char *text, size_t size,
                              const struct parse_options *opt)
{
    return parse_file_id(sm, d, src_add_buffer(sm, name, text, size), opt);
}
