/*
 * emit_dot.c — the Graphviz back end: a state diagram of a rule that a
 * person can read (`lockstep compile --emit dot x.slic | dot -Tsvg`).
 *
 * The states are the constants of the rule's first enum variable (its
 * "main" variable; a rule without one has the single state S).  Each
 * handler body is executed symbolically once per state: a condition that
 * only involves the main variable and constants is decided, any other
 * condition forks the path and is written on the edge as [cond] or its
 * negation; assigning the main variable moves the path to another state;
 * `abort` leads to a red node per distinct message, `halt` to a halt node,
 * and falling off the end to the (possibly new) state.  Assignments to
 * other variables label their edge ("depth = depth + 1").  Edges with the
 * same ends and label are drawn once, and self-loops that change nothing
 * are left out, even when conditions lead to them: they are the complement
 * of the edges that are drawn and only clutter the picture.
 *
 * Conditions are simplified before they are printed: in state `locked`,
 * `s == locked && $1 != 0` is just `$1 != 0`, and the negation of
 * `a != b` is `a == b`.  Constant arithmetic follows dsl/eval.c, as the
 * generated C does.
 */
#include <stdlib.h>
#include <string.h>

#include "../dsl/eval.h"
#include "emit.h"
#include "emit_out.h"

#define MAX_PATHS   256     /* per handler and state; beyond: truncated     */
#define MAX_CONDS   32      /* conditions on one path                       */
#define MAX_EFFECTS 16      /* other-variable assignments on one path       */

enum target { TO_STATE, TO_VIOLATION, TO_HALT };

struct edge {
    int from;                       /* state index                           */
    enum target to;
    int to_index;                   /* state or violation index              */
    char *label;                    /* plain text, '\n' between lines (owned) */
};

/* A node built while simplifying (the AST's own nodes are never changed);
 * all of them are freed at the end of emit_dot. */
struct temp_node {
    struct ast_expr e;
    struct temp_node *next;
};

struct dot {
    const struct ast_rule *rule;
    const struct ast_var *main;     /* first enum variable, or NULL          */
    int state_count;
    char *event_text;               /* label of the handler being explored,
                                       "KeReleaseSpinLock.entry [guard $1]"  */
    int from;                       /* the state it is explored from         */
    int paths;                      /* finished paths of this exploration    */
    bool truncated;
    bool oom;

    struct edge *edges;
    int edge_count, edge_cap;
    const char **violations;        /* distinct abort messages, first seen first */
    int violation_count, violation_cap;
    bool halt;
    struct temp_node *temps;
};

/* One path through a handler body. */
struct path {
    int state;
    int cond_count, effect_count;
    const struct ast_expr *cond[MAX_CONDS];
    const struct ast_stmt *effect[MAX_EFFECTS];
};

/* ---- simplification ----------------------------------------------------- */

static struct ast_expr *temp(struct dot *d, enum expr_kind kind, enum ast_op op,
                             const struct ast_expr *a, const struct ast_expr *b,
                             const struct ast_expr *c)
{
    struct temp_node *t = calloc(1, sizeof *t);
    if (!t) {
        d->oom = true;
        return NULL;
    }
    t->next = d->temps;
    d->temps = t;
    t->e.kind = kind;
    t->e.op = op;
    t->e.a = (struct ast_expr *)a;
    t->e.b = (struct ast_expr *)b;
    t->e.c = (struct ast_expr *)c;
    t->e.ext = -1;
    return &t->e;
}

static bool is_boolean(const struct ast_expr *e)
{
    if (e->ext >= 0)
        return false;
    if (e->kind == EXPR_UNARY)
        return e->op == OP_NOT;
    return e->kind == EXPR_BINARY &&
           ((e->op >= OP_LT && e->op <= OP_NE) || e->op == OP_AND || e->op == OP_OR);
}

/* The negation of a condition, as readably as possible.  In a boolean
 * context (the only place it is used) !!x is x. */
static const struct ast_expr *negate(struct dot *d, const struct ast_expr *e)
{
    static const enum ast_op flip[OP_COUNT] = {
        [OP_LT] = OP_GE, [OP_LE] = OP_GT, [OP_GT] = OP_LE, [OP_GE] = OP_LT,
        [OP_EQ] = OP_NE, [OP_NE] = OP_EQ,
    };
    if (e->ext < 0 && e->kind == EXPR_BINARY && flip[e->op])
        return temp(d, EXPR_BINARY, flip[e->op], e->a, e->b, NULL);
    if (e->ext < 0 && e->kind == EXPR_UNARY && e->op == OP_NOT)
        return e->a;
    return temp(d, EXPR_UNARY, OP_NOT, e, NULL, NULL);
}

/* A value during symbolic execution: known, or the residual expression
 * that is left once the known parts are folded in. */
struct val {
    bool known;
    int64_t v;
    const struct ast_expr *res;
};

static struct val known(int64_t v)
{
    return (struct val){ true, v, NULL };
}

static struct val unknown(const struct ast_expr *res)
{
    return (struct val){ false, 0, res };
}

/* x as a truth value outside a boolean context: x != 0 unless it is 0/1. */
static const struct ast_expr *truth(struct dot *d, const struct ast_expr *x, bool boolean)
{
    if (boolean || is_boolean(x))
        return x;
    struct ast_expr *zero = temp(d, EXPR_INT, OP_NONE, NULL, NULL, NULL);
    if (!zero)
        return x;
    return temp(d, EXPR_BINARY, OP_NE, x, zero, NULL);
}

/* A literal or an enum constant: printed as written even when known. */
static bool is_constant_leaf(const struct ast_expr *e)
{
    return e->ext < 0 && (e->kind == EXPR_INT ||
                          (e->kind == EXPR_NAME && e->sym == SYM_ENUM_CONST));
}

/* When e is the main variable, the constant naming its known value v. */
static const struct ast_enum_const *state_const(const struct dot *d,
                                                const struct ast_expr *e, int64_t v)
{
    if (!d->main || e->ext >= 0 || e->kind != EXPR_NAME || e->var != d->main)
        return NULL;
    for (const struct ast_enum_const *c = d->main->consts; c; c = c->next)
        if (c->value == v)
            return c;
    return NULL;
}

/* A residual expression rebuilt from simplified operands: known operands
 * become literals (constants and the main variable keep their names); e
 * itself when nothing changed. */
static struct val rebuild(struct dot *d, const struct ast_expr *e,
                          struct val a, struct val b, struct val c)
{
    const struct ast_expr *ra = e->a, *rb = e->b, *rc = e->c;
    struct ast_expr *lit[3] = { NULL, NULL, NULL };
    struct val *v[3] = { &a, &b, &c };
    const struct ast_expr **r[3] = { &ra, &rb, &rc };
    for (int i = 0; i < 3; i++) {
        if (!*r[i])
            continue;
        if (v[i]->known && !is_constant_leaf(*r[i])) {
            lit[i] = temp(d, EXPR_INT, OP_NONE, NULL, NULL, NULL);
            if (!lit[i])
                return unknown(e);
            lit[i]->value = v[i]->v;
            const struct ast_enum_const *k = state_const(d, *r[i], v[i]->v);
            if (k) {                /* the main variable: name its state */
                lit[i]->kind = EXPR_NAME;
                lit[i]->name = k->name;
            }
            *r[i] = lit[i];
        } else if (!v[i]->known && v[i]->res) {
            *r[i] = v[i]->res;
        }
    }
    if (ra == e->a && rb == e->b && rc == e->c)
        return unknown(e);
    struct ast_expr *n = temp(d, e->kind, e->op, ra, rb, rc);
    return unknown(n ? n : e);
}

static struct val eval(struct dot *d, const struct ast_expr *e, int state, bool boolean)
{
    struct val none = { false, 0, NULL };
    if (!e)
        return known(0);
    if (e->ext >= 0)
        return unknown(e);
    switch (e->kind) {
    case EXPR_INT:
        return known(e->value);
    case EXPR_NAME:
        if (e->sym == SYM_ENUM_CONST && e->enum_const)
            return known(e->enum_const->value);
        if (e->sym == SYM_VAR && d->main && e->var == d->main)
            return known(state);
        return unknown(e);
    case EXPR_UNARY: {
        if (e->op == OP_DEREF || e->op == OP_ADDR)
            return unknown(e);
        struct val a = eval(d, e->a, state, e->op == OP_NOT);
        int64_t r;
        if (a.known && eval_unary(e->op, a.v, &r) != EVAL_NOT_CONSTANT)
            return known(r);
        if (e->op == OP_NOT)
            return unknown(negate(d, a.res));
        if (e->op == OP_PLUS)
            return a;
        return rebuild(d, e, a, none, none);
    }
    case EXPR_BINARY: {
        if (e->op == OP_AND || e->op == OP_OR) {
            bool is_and = e->op == OP_AND;
            struct val a = eval(d, e->a, state, true);
            if (a.known && !a.v == is_and)
                return known(!is_and);          /* false && x, true || x */
            struct val b = eval(d, e->b, state, true);
            if (a.known)
                return b.known ? known(!!b.v) : unknown(truth(d, b.res, boolean));
            if (b.known && !b.v == is_and)
                return known(!is_and);
            if (b.known)
                return unknown(truth(d, a.res, boolean));
            return rebuild(d, e, a, b, none);
        }
        struct val a = eval(d, e->a, state, false);
        struct val b = eval(d, e->b, state, false);
        if (a.known && b.known) {
            int64_t r = 0;          /* x / 0 is 0, as in the generated C */
            eval_binary(e->op, a.v, b.v, &r);
            return known(r);
        }
        return rebuild(d, e, a, b, none);
    }
    case EXPR_COND: {
        struct val c = eval(d, e->a, state, true);
        if (c.known)
            return eval(d, c.v ? e->b : e->c, state, boolean);
        return rebuild(d, e, c, eval(d, e->b, state, boolean),
                       eval(d, e->c, state, boolean));
    }
    default:
        return unknown(e);
    }
}

/* ---- symbolic execution ------------------------------------------------- */

/* Text broken into lines of about width characters at spaces. */
static char *wrap(const char *s, size_t width)
{
    size_t n = strlen(s);
    char *w = malloc(n + 1);
    if (!w)
        return NULL;
    memcpy(w, s, n + 1);
    size_t line_start = 0, last_space = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '\n') {
            line_start = i + 1;
            last_space = (size_t)-1;
        } else if (w[i] == ' ') {
            last_space = i;
        }
        if (i - line_start >= width && last_space != (size_t)-1 &&
            last_space >= line_start) {
            w[last_space] = '\n';
            line_start = last_space + 1;
            last_space = (size_t)-1;
        }
    }
    return w;
}

/* A handler's label: its event set, wrapped when it is long, then the
 * guard ("[KeAcquireSpinLock,\nKeAcquireSpinLockRaiseToDpc].exit [guard $1]"). */
static char *event_text(const struct ast_rule *rule, const struct ast_handler *h)
{
    struct ast_handler bare = *h;
    bare.guard = NULL;
    struct emit_out o;
    emit_init(&o, NULL);
    emit_event_text(&o, rule, &bare, NULL, true);
    char *text = o.buf ? wrap(o.buf, 48) : NULL;
    free(o.buf);
    if (!text || !h->guard || o.error) {
        if (o.error) {
            free(text);
            return NULL;
        }
        return text;
    }
    emit_init(&o, NULL);
    emit(&o, "%s [guard %s", text, h->guard_or_null ? "|| null " : "");
    emit_expr(&o, rule, h->guard, EMIT_EXPR_SPEC);
    emit(&o, "]");
    free(text);
    if (o.error) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}


static char *text_of_path(struct dot *d, const struct path *p)
{
    struct emit_out o;
    emit_init(&o, NULL);
    emit(&o, "%s", d->event_text);
    for (int i = 0; i < p->cond_count; i++) {
        emit(&o, "\n[");
        emit_expr(&o, d->rule, p->cond[i], EMIT_EXPR_SPEC);
        emit(&o, "]");
    }
    for (int i = 0; i < p->effect_count; i++) {
        const struct ast_stmt *s = p->effect[i];
        emit(&o, "\n");
        emit_expr(&o, d->rule, s->target, EMIT_EXPR_SPEC);
        emit(&o, " = ");
        if (s->op != OP_NONE) {
            struct ast_expr both = { .kind = EXPR_BINARY, .op = s->op,
                                     .a = s->target, .b = s->value, .ext = -1 };
            emit_expr(&o, d->rule, &both, EMIT_EXPR_SPEC);
        } else {
            emit_expr(&o, d->rule, s->value, EMIT_EXPR_SPEC);
        }
    }
    if (o.error || !o.buf) {
        d->oom = true;
        free(o.buf);
        return NULL;
    }
    return o.buf;
}

static int violation_index(struct dot *d, const char *message)
{
    for (int i = 0; i < d->violation_count; i++)
        if (strcmp(d->violations[i], message) == 0)
            return i;
    if (d->violation_count == d->violation_cap) {
        int cap = d->violation_cap ? d->violation_cap * 2 : 8;
        const char **v = realloc(d->violations, (size_t)cap * sizeof *v);
        if (!v) {
            d->oom = true;
            return 0;
        }
        d->violations = v;
        d->violation_cap = cap;
    }
    d->violations[d->violation_count] = message;
    return d->violation_count++;
}

/* A path ended: record its edge unless an identical one exists or it is a
 * self-loop that changes nothing. */
static void finish(struct dot *d, const struct path *p, enum target to,
                   const char *message)
{
    if (d->paths >= MAX_PATHS) {
        d->truncated = true;
        return;
    }
    d->paths++;
    int to_index = 0;
    if (to == TO_STATE) {
        to_index = p->state;
        if (to_index == d->from && p->effect_count == 0)
            return;         /* nothing changes, whatever the conditions */
    } else if (to == TO_VIOLATION) {
        to_index = violation_index(d, message ? message : "");
    } else {
        d->halt = true;
    }
    char *label = text_of_path(d, p);
    if (!label)
        return;
    for (int i = 0; i < d->edge_count; i++) {
        const struct edge *e = &d->edges[i];
        if (e->from == d->from && e->to == to && e->to_index == to_index &&
            strcmp(e->label, label) == 0) {
            free(label);
            return;
        }
    }
    if (d->edge_count == d->edge_cap) {
        int cap = d->edge_cap ? d->edge_cap * 2 : 16;
        struct edge *e = realloc(d->edges, (size_t)cap * sizeof *e);
        if (!e) {
            d->oom = true;
            free(label);
            return;
        }
        d->edges = e;
        d->edge_cap = cap;
    }
    d->edges[d->edge_count++] = (struct edge){ d->from, to, to_index, label };
}

/* The statements still to run: list, then whatever `up` continues with. */
struct cont {
    const struct ast_stmt *list;
    const struct cont *up;
};

static void exec(struct dot *d, const struct ast_stmt *s, const struct cont *k,
                 struct path p);

static void run(struct dot *d, const struct cont *k, struct path p)
{
    while (k && !k->list)
        k = k->up;
    if (!k) {
        finish(d, &p, TO_STATE, NULL);
        return;
    }
    struct cont rest = { k->list->next, k->up };
    exec(d, k->list, &rest, p);
}

static void add_cond(struct dot *d, struct path *p, const struct ast_expr *c)
{
    if (p->cond_count < MAX_CONDS)
        p->cond[p->cond_count++] = c;
    else
        d->truncated = true;
}

static void assign_main(struct dot *d, const struct ast_expr *value,
                        const struct cont *k, struct path p);

static void exec_assign(struct dot *d, const struct ast_stmt *s, const struct cont *k,
                        struct path p)
{
    const struct ast_var *v = s->target ? s->target->var : NULL;
    if (!d->main || v != d->main || s->op != OP_NONE) {
        if (p.effect_count < MAX_EFFECTS)
            p.effect[p.effect_count++] = s;
        else
            d->truncated = true;
        run(d, k, p);
        return;
    }
    assign_main(d, s->value, k, p);
}

/* The main variable gets value: move the path to that state.  A ?: whose
 * condition is open forks the path; any other open value forks it once
 * per constant. */
static void assign_main(struct dot *d, const struct ast_expr *value,
                        const struct cont *k, struct path p)
{
    if (value->ext < 0 && value->kind == EXPR_COND) {
        struct val c = eval(d, value->a, p.state, true);
        if (c.known) {
            assign_main(d, c.v ? value->b : value->c, k, p);
            return;
        }
        struct path q = p;
        add_cond(d, &p, c.res);
        assign_main(d, value->b, k, p);
        add_cond(d, &q, negate(d, c.res));
        assign_main(d, value->c, k, q);
        return;
    }
    struct val x = eval(d, value, p.state, false);
    if (x.known) {
        if (x.v >= 0 && x.v < d->state_count)
            p.state = (int)x.v;
        run(d, k, p);
        return;
    }
    /* An unknown new state: one path per constant it may be. */
    for (const struct ast_enum_const *c = d->main->consts; c; c = c->next) {
        struct path q = p;
        struct ast_expr *name = temp(d, EXPR_NAME, OP_NONE, NULL, NULL, NULL);
        if (!name)
            return;
        name->name = c->name;
        add_cond(d, &q, temp(d, EXPR_BINARY, OP_EQ, x.res, name, NULL));
        q.state = c->value;
        run(d, k, q);
    }
}

static void exec(struct dot *d, const struct ast_stmt *s, const struct cont *k,
                 struct path p)
{
    if (d->paths >= MAX_PATHS || d->oom) {
        d->truncated = d->truncated || d->paths >= MAX_PATHS;
        return;
    }
    if (!s) {
        run(d, k, p);
        return;
    }
    switch (s->kind) {
    case STMT_EMPTY:
        run(d, k, p);
        return;
    case STMT_BLOCK: {
        struct cont body = { s->body, k };
        run(d, &body, p);
        return;
    }
    case STMT_IF: {
        struct val c = eval(d, s->cond, p.state, true);
        if (c.known) {
            exec(d, c.v ? s->then_stmt : s->else_stmt, k, p);
            return;
        }
        struct path q = p;
        add_cond(d, &p, c.res);
        exec(d, s->then_stmt, k, p);
        add_cond(d, &q, negate(d, c.res));
        exec(d, s->else_stmt, k, q);
        return;
    }
    case STMT_ASSIGN:
        exec_assign(d, s, k, p);
        return;
    case STMT_ABORT:
        finish(d, &p, TO_VIOLATION, s->message);
        return;
    case STMT_HALT:
        finish(d, &p, TO_HALT, NULL);
        return;
    }
}

/* ---- output ------------------------------------------------------------- */

static void state_id(struct emit_out *o, const struct dot *d, int i)
{
    const struct ast_enum_const *c = NULL;
    if (d->main)
        for (c = d->main->consts; c && c->value != i; c = c->next)
            ;
    emit(o, "state_");
    emit_c_ident(o, c ? c->name : "S");
}

static void emit_title(struct emit_out *o, const struct ast_rule *r, bool truncated)
{
    struct emit_out t;
    emit_init(&t, NULL);
    emit(&t, "%s (%s)\n", r->name ? r->name : "rule", r->model ? r->model : "");
    if (!r->watches)
        emit(&t, "one global instance");
    else
        emit(&t, "one instance per ");
    for (const struct ast_watch *w = r->watches; w; w = w->next) {
        const struct ast_event *ev = w->event;
        emit(&t, "%s.%s.", ev ? (ev->function ? ev->function : ev->name) : "?",
             emit_when_name(w->when));
        emit_expr(&t, r, w->key, EMIT_EXPR_SPEC);
        if (w->next)
            emit(&t, " or ");
    }
    if (truncated)
        emit(&t, "\n(paths beyond %d per handler and state are not shown)", MAX_PATHS);
    emit(o, "    label=");
    emit_quoted(o, t.buf ? t.buf : "", EMIT_QUOTE_DOT);
    emit(o, ";\n");
    if (t.error)
        o->error = 1;
    free(t.buf);
}

static void emit_graph(struct emit_out *o, struct dot *d)
{
    const struct ast_rule *r = d->rule;

    emit(o, "digraph ");
    emit_quoted(o, r->name ? r->name : "rule", EMIT_QUOTE_DOT);
    emit(o, " {\n");
    emit_title(o, r, d->truncated);
    emit(o, "    labelloc=t;\n"
            "    fontname=\"Helvetica\";\n"
            "    node [fontname=\"Helvetica\", shape=ellipse];\n"
            "    edge [fontname=\"Helvetica\", fontsize=10];\n\n");

    /* states, the initial one entered from a point */
    emit(o, "    __start [shape=point, width=0.1];\n");
    for (int i = 0; i < d->state_count; i++) {
        const struct ast_enum_const *c = NULL;
        if (d->main)
            for (c = d->main->consts; c && c->value != i; c = c->next)
                ;
        emit(o, "    ");
        state_id(o, d, i);
        emit(o, " [label=");
        emit_quoted(o, c ? c->name : "S", EMIT_QUOTE_DOT);
        emit(o, "];\n");
    }
    for (int i = 0; i < d->violation_count; i++) {
        char *text = wrap(d->violations[i], 40);
        emit(o, "    __violation_%d [label=", i);
        emit_quoted(o, text ? text : d->violations[i], EMIT_QUOTE_DOT);
        emit(o, ", shape=doubleoctagon, color=red, fontcolor=red];\n");
        free(text);
    }
    if (d->halt)
        emit(o, "    __halt [label=\"halt\", shape=box, style=rounded, color=gray40, "
                "fontcolor=gray40];\n");

    emit(o, "\n    __start -> ");
    const struct ast_enum_const *init = d->main ? emit_enum_init(d->main) : NULL;
    state_id(o, d, init ? init->value : 0);
    emit(o, ";\n");
    for (int i = 0; i < d->edge_count; i++) {
        const struct edge *e = &d->edges[i];
        emit(o, "    ");
        state_id(o, d, e->from);
        emit(o, " -> ");
        if (e->to == TO_STATE)
            state_id(o, d, e->to_index);
        else if (e->to == TO_VIOLATION)
            emit(o, "__violation_%d", e->to_index);
        else
            emit(o, "__halt");
        emit(o, " [label=");
        emit_quoted(o, e->label, EMIT_QUOTE_DOT);
        emit(o, "%s];\n", e->to == TO_VIOLATION ? ", color=red" : "");
    }
    emit(o, "}\n");
}

int emit_dot(const struct ast_rule *rule, FILE *out)
{
    struct dot d = { .rule = rule };
    for (const struct ast_var *v = rule->vars; v && !d.main; v = v->next)
        if (v->is_enum && v->consts)
            d.main = v;
    d.state_count = d.main ? d.main->const_count : 1;

    for (const struct ast_handler *h = rule->handlers; h; h = h->next) {
        free(d.event_text);
        d.event_text = event_text(rule, h);
        if (!d.event_text) {
            d.oom = true;
            break;
        }
        for (int s = 0; s < d.state_count; s++) {
            struct path p = { .state = s };
            d.from = s;
            d.paths = 0;
            exec(&d, h->body, NULL, p);
        }
    }

    struct emit_out o;
    emit_init(&o, out);
    emit_graph(&o, &d);
    int rc = emit_finish(&o);
    if (d.oom)
        rc = -1;

    for (int i = 0; i < d.edge_count; i++)
        free(d.edges[i].label);
    free(d.event_text);
    free(d.edges);
    free(d.violations);
    while (d.temps) {
        struct temp_node *next = d.temps->next;
        free(d.temps);
        d.temps = next;
    }
    return rc;
}
