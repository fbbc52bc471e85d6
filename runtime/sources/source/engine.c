/*
 * engine.c — path exploration for source mode (engine.h).
 *
 * One exploration runs per (function, entry state): a FIFO worklist of
 * (node, state, trace) items, a set of (node, state hash) already seen so
 * that equal states reaching a point are explored once, and, once a point
 * has seen `widen_after` states, widening: the values a new state has that
 * differ from the last one seen there become unknown, so a loop counter
 * stops making new states while a flag set before the loop keeps its
 * value.
 *
 * Calls.  A call of a function defined in the program is explored as its
 * own exploration from the caller's state with the parameters bound to the
 * arguments; the exit states are remembered under (function, hash of the
 * entry state) — the function's summary — and every later call in an equal
 * state reuses them, their trace steps copied behind the caller's.  A call
 * reached again while its own summary is being computed (recursion) uses
 * the exits found so far, and the summary is recomputed until it stops
 * growing.  Any other call is the environment's: its entry and exit are
 * events for the rules, the environment model (runtime/core/env.c) moves
 * the IRQL at its exit and hands back the values it gives (the old IRQL
 * through KeAcquireSpinLock's out-parameter, as KeAcquireSpinLockRaiseToDpc's
 * return value), and a return value the model does not give is either
 * split into the constants the rules compare it with (the modules' cases
 * tables: pthread_mutex_trylock returns 0 or something else) or an unknown
 * that stays the same unknown each time the path reads it.
 *
 * The model's one assumption: an IRQL argument the path cannot know (a
 * KeReleaseSpinLock whose NewIrql was saved by another routine) is taken
 * to be the one the model expects, so no rule reports what lockstep cannot
 * see.  A wrong variable or a wrong constant is known, and reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "env.h"
#include "liveness.h"
#include "state.h"
#include "value.h"

/* ---- traces ------------------------------------------------------------------- */

enum step_kind { S_ENTRY, S_CALL, S_BRANCH, S_RETURN, S_EXIT, S_EVENT };

static const char *const step_kind_names[] = {
    [S_ENTRY] = "entry", [S_CALL] = "call", [S_BRANCH] = "branch",
    [S_RETURN] = "return", [S_EXIT] = "exit", [S_EVENT] = "event",
};

struct tstep {
    const struct tstep *parent;
    const struct ir_function *f;
    uint32_t line, column;
    uint8_t kind;                   /* enum step_kind                        */
    uint8_t irql;
    const char *text;
};

/* ---- the engine -------------------------------------------------------------- */

/* A handler some event reaches: rules[rule]->handlers[handler]. */
struct handler_ref {
    const char *key;                /* function name, or role                */
    uint8_t when;
    uint8_t by_role;
    uint32_t rule, handler;
};

struct exit_rec {
    struct astate *s;
    uint64_t hash;
    const struct tstep *trace;      /* the path to this exit; its steps after
                                       the summary's root are the callee's   */
};

struct summary {
    const struct ir_function *f;
    uint64_t entry_hash;
    int done;
    int used_early;                 /* read while being computed             */
    const struct tstep *root;       /* the call step its exploration began at */
    struct exit_rec *exits;
    uint32_t nexits, cap;
    uint32_t *index;                /* hash table of exit numbers + 1; 0 empty */
    uint32_t index_slots;
};

/* What a call node names, worked out on its first visit. */
struct callee_cache {
    const struct ir_node *node;
    const struct ir_function *f;    /* the definition, or NULL               */
    const struct env_call *model;   /* the environment model's entry, or NULL */
    int watched;                    /* some rule handles its events          */
};

/* What the engine works out once per function: its variables' places and
 * its live variables. */
struct function_info {
    uint32_t *var_places;           /* per variable; 0 until first needed    */
    struct liveness live;
    int have_live;
};

struct engine {
    const struct ir_program *program;
    const struct ls_rule *const *rules;
    uint32_t nrules;
    struct engine_limits limits;
    engine_sink sink;
    void *context;
    struct places *places;
    struct arena arena;             /* trace steps and texts                 */
    struct handler_ref *handlers;
    uint32_t nhandlers;
    struct summary **summaries;
    uint32_t nsummaries, summaries_cap;
    struct callee_cache *callees;   /* open addressing on the node address   */
    uint32_t ncallees_slots, ncallees;
    uint64_t *reported;             /* hashes of reported violations         */
    uint32_t nreported, reported_cap;
    struct engine_function_stats *stats;
    struct function_info *info;     /* per function                          */
    /* the exploration of the current entry point */
    const struct ir_entry *entry;
    uint64_t states;
    int giving_up;
    int violated;                   /* the event just fired was a violation  */
    int oom;
};

/* One exploration of one function from one entry state. */
struct frame {
    const struct ir_function *f;
    uint32_t depth;
    const struct tstep *root;       /* the call step the callee starts from  */
    struct work { int32_t node; struct astate *s; const struct tstep *trace; } *work;
    uint32_t head, nwork, work_cap;
    uint64_t *seen;                 /* open addressing; 0 = empty            */
    uint32_t seen_slots, nseen;
    uint32_t *count;                /* states seen per node                  */
    struct astate **last;           /* last state seen per node (widening)   */
    struct summary *out;
};

static int explore_function(struct engine *e, const struct ir_function *f, struct astate *entry,
                            const struct tstep *root, uint32_t depth, struct summary *out);

/* ---- set-up -------------------------------------------------------------------- */

static int compare_handler(const void *a, const void *b)
{
    const struct handler_ref *x = a, *y = b;
    int c = x->by_role - y->by_role;
    if (c == 0)
        c = strcmp(x->key, y->key);
    if (c == 0)
        c = x->when - y->when;
    if (c == 0)
        c = x->rule < y->rule ? -1 : x->rule > y->rule;
    if (c == 0)
        c = x->handler < y->handler ? -1 : x->handler > y->handler;
    return c;
}

struct engine *engine_new(const struct ir_program *program,
                          const struct ls_rule *const *rules, uint32_t nrules,
                          const struct engine_limits *limits,
                          engine_sink sink, void *context)
{
    struct engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->program = program;
    e->rules = rules;
    e->nrules = nrules;
    e->limits = *limits;
    e->sink = sink;
    e->context = context;
    arena_init(&e->arena);
    e->places = places_new();
    e->stats = calloc(program->nfunctions ? program->nfunctions : 1, sizeof *e->stats);
    e->info = calloc(program->nfunctions ? program->nfunctions : 1, sizeof *e->info);
    e->ncallees_slots = 1024;
    e->callees = calloc(e->ncallees_slots, sizeof *e->callees);
    uint32_t n = 0;
    for (uint32_t r = 0; r < nrules; r++)
        n += rules[r]->handler_count;
    e->handlers = calloc(n ? n : 1, sizeof *e->handlers);
    if (e->places == NULL || e->stats == NULL || e->info == NULL || e->callees == NULL
        || e->handlers == NULL) {
        engine_free(e);
        return NULL;
    }
    for (uint32_t r = 0; r < nrules; r++) {
        for (uint32_t h = 0; h < rules[r]->handler_count; h++) {
            const struct ls_handler *hd = &rules[r]->handlers[h];
            struct handler_ref *ref = &e->handlers[e->nhandlers++];
            ref->by_role = hd->role != NULL;
            ref->key = hd->role ? hd->role : hd->function;
            if (strncmp(ref->key, "fun_", 4) == 0)
                ref->key += 4;
            ref->when = hd->when;
            ref->rule = r;
            ref->handler = h;
        }
    }
    qsort(e->handlers, e->nhandlers, sizeof *e->handlers, compare_handler);
    return e;
}

static void free_exits(struct summary *s)
{
    for (uint32_t i = 0; i < s->nexits; i++)
        state_free(s->exits[i].s);
    free(s->exits);
    free(s->index);
}

static void free_summary(struct summary *s)
{
    free_exits(s);
    free(s);
}

void engine_free(struct engine *e)
{
    if (e == NULL)
        return;
    for (uint32_t i = 0; i < e->nsummaries; i++)
        free_summary(e->summaries[i]);
    free(e->summaries);
    free(e->handlers);
    free(e->callees);
    free(e->reported);
    free(e->stats);
    for (uint32_t i = 0; e->info && i < e->program->nfunctions; i++) {
        free(e->info[i].var_places);
        liveness_free(&e->info[i].live);
    }
    free(e->info);
    places_free(e->places);
    arena_free(&e->arena);
    free(e);
}

const struct engine_function_stats *engine_stats(const struct engine *e, uint32_t function)
{
    return function < e->program->nfunctions ? &e->stats[function] : NULL;
}

uint64_t engine_last_states(const struct engine *e)
{
    return e->states;
}

static void give_up(struct engine *e, const struct ir_function *f, const char *why)
{
    if (e->stats[f->index].gave_up == NULL)
        e->stats[f->index].gave_up = arena_strdup(&e->arena, why);
    e->giving_up = 1;
}

/* ---- values of the program --------------------------------------------------- */

/* The place of f's variable var (globals are nobody's). */
static uint32_t var_place(struct engine *e, const struct ir_function *f, int32_t var)
{
    struct function_info *fi = &e->info[f->index];
    if (fi->var_places == NULL && (fi->var_places = calloc(f->nvars, sizeof *fi->var_places)) == NULL) {
        e->oom = 1;
        return 0;
    }
    if (fi->var_places[var] == 0) {
        const struct ir_var *v = &f->vars[var];
        fi->var_places[var] = v->kind == VAR_GLOBAL ? place_var(e->places, NULL, -1, v->name)
                                                    : place_var(e->places, f->name, var, v->name);
    }
    return fi->var_places[var];
}

/* f's live variables, computed on first use; NULL when out of memory. */
static const struct liveness *live_of(struct engine *e, const struct ir_function *f)
{
    struct function_info *fi = &e->info[f->index];
    if (!fi->have_live) {
        if (liveness_compute(f, &fi->live) < 0) {
            e->oom = 1;
            return NULL;
        }
        fi->have_live = 1;
    }
    return &fi->live;
}

struct live_at { const struct liveness *lv; int32_t node; };

static int is_live(const void *context, int32_t var)
{
    const struct live_at *at = context;
    return var < 0 || liveness_live(at->lv, at->node, var);
}

static struct value eval(struct engine *e, const struct ir_function *f, struct astate *s,
                         int32_t x);

static uint32_t eval_loc(struct engine *e, const struct ir_function *f, struct astate *s,
                         int32_t l)
{
    if (l < 0)
        return 0;
    const struct ir_loc *loc = &f->locs[l];
    switch (loc->kind) {
    case LOC_VAR:
        return var_place(e, f, loc->var);
    case LOC_FIELD:
        return place_field(e->places, eval_loc(e, f, s, loc->base), loc->name);
    case LOC_DEREF: {
        struct value p = eval(e, f, s, loc->expr);
        return place_deref(e->places, &p);
    }
    case LOC_INDEX: {
        struct value i = eval(e, f, s, loc->expr);
        return place_index(e->places, eval_loc(e, f, s, loc->base), &i);
    }
    }
    return 0;
}

static struct value read_place(const struct astate *s, uint32_t place)
{
    if (place == 0)
        return value_unknown();
    const struct value *b = state_lookup(s, place);
    return b ? *b : value_sym(place);
}

static struct value eval(struct engine *e, const struct ir_function *f, struct astate *s,
                         int32_t x)
{
    if (x < 0)
        return value_unknown();
    const struct ir_expr *ex = &f->exprs[x];
    switch (ex->kind) {
    case EX_CONST:
        return value_const(ex->value);
    case EX_LOAD:
        return read_place(s, eval_loc(e, f, s, ex->loc));
    case EX_ADDR:
        return value_addr(eval_loc(e, f, s, ex->loc));
    case EX_FUNC:
        return value_addr(place_function(e->places, ex->name));
    case EX_UNARY: {
        struct value a = eval(e, f, s, ex->a);
        if (ex->op == OP_NOT) {
            int t = value_truth(&a);
            if (t >= 0)
                return value_const(!t);
            struct value v = value_unknown();
            v.lo = 0, v.hi = 1;
            return v;
        }
        return value_apply(ex->op, &a, NULL);
    }
    case EX_BINARY: {
        struct value a = eval(e, f, s, ex->a);
        struct value b = eval(e, f, s, ex->b);
        return value_apply(ex->op, &a, &b);
    }
    default:
        return value_unknown();
    }
}

/* Narrows what s knows so that `expr` has truth `want`; 0 when it cannot
 * (the path is infeasible).  Understood: x, !x, x OP c and c OP x for a
 * comparison OP, x being a read of a place; anything else is left alone. */
static int refine(struct engine *e, const struct ir_function *f, struct astate *s, int32_t x,
                  int want)
{
    const struct ir_expr *ex = &f->exprs[x];
    unsigned op = want ? OP_NE : OP_EQ;
    int64_t c = 0;
    int32_t target = x;
    if (ex->kind == EX_UNARY && ex->op == OP_NOT)
        return refine(e, f, s, ex->a, !want);
    if (ex->kind == EX_BINARY && ex->op >= OP_EQ && ex->op <= OP_GE) {
        static const unsigned negate[] = {
            [OP_EQ] = OP_NE, [OP_NE] = OP_EQ, [OP_LT] = OP_GE,
            [OP_LE] = OP_GT, [OP_GT] = OP_LE, [OP_GE] = OP_LT,
        };
        static const unsigned swap[] = {
            [OP_EQ] = OP_EQ, [OP_NE] = OP_NE, [OP_LT] = OP_GT,
            [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE,
        };
        struct value a = eval(e, f, s, ex->a), b = eval(e, f, s, ex->b);
        op = want ? ex->op : negate[ex->op];
        if (value_is_const(&b, &c)) {
            target = ex->a;
        } else if (value_is_const(&a, &c)) {
            target = ex->b;
            op = swap[op];
        } else {
            return 1;
        }
    }
    const struct ir_expr *t = &f->exprs[target];
    if (t->kind != EX_LOAD)
        return 1;
    uint32_t place = eval_loc(e, f, s, t->loc);
    if (place == 0)
        return 1;
    struct value v = read_place(s, place);
    struct value narrowed = v;
    if (!value_refine(&narrowed, op, c))
        return 0;
    /* every copy of the same unknown learns the same fact */
    if (v.kind == V_SYM)
        for (uint32_t i = 0; i < s->nvars; i++)
            if (s->vars[i].value.kind == V_SYM && s->vars[i].value.place == v.place)
                s->vars[i].value = narrowed;
    if (state_bind(s, place, &narrowed) < 0)
        e->oom = 1;
    return 1;
}

/* ---- events and rules ---------------------------------------------------------- */

static const struct tstep *add_step(struct engine *e, const struct tstep *parent,
                                    const struct ir_function *f, enum step_kind kind,
                                    uint32_t line, uint32_t column, const struct astate *s,
                                    const char *text)
{
    struct tstep *t = arena_alloc(&e->arena, sizeof *t);
    if (t == NULL) {
        e->oom = 1;
        return parent;
    }
    t->parent = parent;
    t->f = f;
    t->line = line;
    t->column = column;
    t->kind = (uint8_t)kind;
    t->irql = s->irql[s->depth - 1];
    t->text = text;
    return t;
}

/* Reports a violation once per (rule, place, message). */
static void report(struct engine *e, uint32_t rule, const struct ls_verdict *verdict,
                   const char *fname, ls_word key, int keyed, const struct tstep *trace)
{
    struct ls_verdict v = *verdict;
    v.function = fname;
    char message[512];
    ls_format_message(&v, message, sizeof message);
    const char *file = trace->f ? trace->f->file : "";
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *parts[] = { e->rules[rule]->name, message, file };
    for (int i = 0; i < 3; i++)
        for (const char *c = parts[i]; *c; c++)
            h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
    h = (h ^ trace->line) * 0x100000001b3ULL;
    for (uint32_t i = 0; i < e->nreported; i++)
        if (e->reported[i] == h)
            return;
    if (e->nreported == e->reported_cap) {
        uint32_t cap = e->reported_cap ? e->reported_cap * 2 : 32;
        uint64_t *r = realloc(e->reported, cap * sizeof *r);
        if (r == NULL) {
            e->oom = 1;
            return;
        }
        e->reported = r;
        e->reported_cap = cap;
    }
    e->reported[e->nreported++] = h;

    uint32_t n = 0;
    for (const struct tstep *t = trace; t; t = t->parent)
        n++;
    struct engine_step *steps = calloc(n ? n : 1, sizeof *steps);
    if (steps == NULL) {
        e->oom = 1;
        return;
    }
    uint32_t i = n;
    for (const struct tstep *t = trace; t; t = t->parent) {
        struct engine_step *st = &steps[--i];
        st->kind = step_kind_names[t->kind];
        st->function = t->f ? t->f->name : "";
        st->file = t->f ? t->f->file : NULL;
        st->line = t->line;
        st->column = t->column;
        st->irql = t->irql;
        st->text = t->text;
    }
    char keytext[256];
    struct engine_violation out = {
        .rule = rule, .module = e->rules[rule], .message = message, .function = fname,
        .file = file, .line = trace->line, .column = trace->column,
        .entry = e->entry->function,
        .instance_key = keyed ? word_display(e->places, key, keytext, sizeof keytext) : NULL,
        .steps = steps, .nsteps = n,
    };
    e->sink(e->context, &out);
    free(steps);
}

/* The value of a guard operand for an event. */
static int guard_value(const struct ls_operand *op, const struct ls_event *ev,
                       const struct ls_env *env, ls_word *out)
{
    switch (op->kind) {
    case LS_OP_ARG: *out = ls_event_arg(ev, op->index); return 1;
    case LS_OP_RETURN: *out = ev->ret; return 1;
    case LS_OP_IRQL: *out = ls_env_irql(env, op->index); return 1;
    default: return 0;          /* *$N: memory source mode does not read */
    }
}

/* Steps one instance; reports an abort.  Returns the step result. */
static int step_instance(struct engine *e, struct astate *s, uint32_t r, uint32_t h,
                         unsigned char *state, uint8_t *stopped, const struct ls_event *ev,
                         const char *fname, ls_word key, int keyed, const struct tstep *trace)
{
    if (*stopped)
        return LS_STEP_HALT;
    struct ls_env env = state_env(s);
    struct ls_verdict verdict;
    memset(&verdict, 0, sizeof verdict);
    int result = e->rules[r]->step(state, h, ev, &env, &verdict);
    if (result == LS_STEP_ABORT) {
        report(e, r, &verdict, fname, key, keyed, trace);
        e->violated = 1;
    }
    if (result != LS_STEP_CONTINUE)
        *stopped = 1;
    return result;
}

/* Drops rule r's live instances equal to the default (SLIC: a clone made
 * later would be identical), keeping states canonical. */
static void drop_default_equal(struct astate *s, uint32_t r)
{
    struct rule_slot *slot = &s->slots[r];
    size_t size = s->rules[r]->state_size;
    if (slot->def_stopped)
        return;
    for (uint32_t i = slot->n; i-- > 0;)
        if (!slot->stopped[i] && memcmp(slot->states + i * size, slot->def, size) == 0)
            state_remove_instance(s, r, i);
}

/* Applies one handler to the instances its guard selects. */
static void run_handler(struct engine *e, struct astate *s, const struct handler_ref *ref,
                        const struct ls_event *ev, const char *fname, const struct tstep *trace)
{
    const struct ls_rule *rule = e->rules[ref->rule];
    const struct ls_handler *hd = &rule->handlers[ref->handler];
    struct rule_slot *slot = &s->slots[ref->rule];
    struct ls_env env = state_env(s);
    if (rule->watch_count == 0) {
        step_instance(e, s, ref->rule, ref->handler, slot->def, &slot->def_stopped, ev, fname,
                      0, 0, trace);
        return;
    }
    ls_word key = 0;
    int guarded = hd->guard.kind != LS_OP_NONE;
    if (guarded && !guard_value(&hd->guard, ev, &env, &key))
        return;
    if (!guarded || (hd->guard_or_null && key == 0)) {
        for (uint32_t i = 0; i < slot->n; i++)
            step_instance(e, s, ref->rule, ref->handler, slot->states + i * rule->state_size,
                          &slot->stopped[i], ev, fname, slot->keys[i], 1, trace);
        step_instance(e, s, ref->rule, ref->handler, slot->def, &slot->def_stopped, ev, fname,
                      0, 0, trace);
        drop_default_equal(s, ref->rule);
        return;
    }
    uint8_t *stopped;
    int created;
    unsigned char *state = state_instance(s, ref->rule, key, &stopped, &created);
    if (state == NULL) {
        e->oom = 1;
        return;
    }
    step_instance(e, s, ref->rule, ref->handler, state, stopped, ev, fname, key, 1, trace);
    drop_default_equal(s, ref->rule);
}

/* Sends an event to every handler of `key` (a function, or with by_role
 * a role) at `when`; fname is what $fname names. */
static void fire(struct engine *e, struct astate *s, const char *key, int by_role, uint8_t when,
                 const struct ls_event *ev, const char *fname, const struct tstep *trace)
{
    uint32_t lo = 0, hi = e->nhandlers;
    struct handler_ref probe = { key, when, (uint8_t)by_role, 0, 0 };
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (compare_handler(&e->handlers[mid], &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < e->nhandlers; i++) {
        const struct handler_ref *ref = &e->handlers[i];
        if (ref->by_role != by_role || ref->when != when || strcmp(ref->key, key) != 0)
            break;
        run_handler(e, s, ref, ev, fname, trace);
    }
}

static int watched(const struct engine *e, const char *name)
{
    for (uint32_t i = 0; i < e->nhandlers; i++)
        if (!e->handlers[i].by_role && strcmp(e->handlers[i].key, name) == 0)
            return 1;
    return 0;
}

/* ---- the environment model ------------------------------------------------------ */

static const struct env_call *model_call(const char *name)
{
    if (strncmp(name, "sdv_", 4) == 0)
        name += 4;
    for (size_t i = 0; i < env_call_count; i++)
        if (strcmp(env_calls[i].name, name) == 0)
            return &env_calls[i];
    return NULL;
}

/* The IRQL the stack will have below its top: sdv_irql_previous. */
static uint8_t previous_irql(const struct astate *s)
{
    return s->depth >= 2 ? s->irql[s->depth - 2] : 0;
}

/* Fills the event's argument words; an IRQL argument the model reads but
 * the path does not know becomes the value the model expects. */
static void event_args(const struct env_call *model, const struct value *args, uint32_t nargs,
                       const struct astate *s, struct ls_event *ev)
{
    ev->nargs = (uint8_t)(nargs < LS_MAX_ARGS ? nargs : LS_MAX_ARGS);
    for (uint32_t i = 0; i < ev->nargs; i++)
        ev->args[i] = value_word(&args[i]);
    if (model == NULL)
        return;
    unsigned irql_arg = model->effect == ENV_POP_TO_ARG1 || model->effect == ENV_PUSH_ARG1 ? 1
                        : model->effect == ENV_POP_TO_ARG2 ? 2 : 0;
    if (irql_arg && irql_arg <= nargs && !value_is_const(&args[irql_arg - 1], NULL))
        ev->args[irql_arg - 1] = model->effect == ENV_PUSH_ARG1 ? ENV_DISPATCH_LEVEL
                                                                : previous_irql(s);
}

/* The model's effect at the call's exit; 0, or -1 when the IRQL stack
 * would grow past STATE_IRQL_MAX. */
static int model_effect(const struct env_call *model, const struct ls_event *ev, struct astate *s)
{
    switch (model->effect) {
    case ENV_NONE:
        return 0;
    case ENV_POP:
    case ENV_POP_TO_ARG1:
    case ENV_POP_TO_ARG2:
        if (s->depth > 1)
            s->depth--;
        else
            s->irql[0] = 0;
        if (model->effect != ENV_POP)
            s->irql[s->depth - 1] = env_level(ls_event_arg(ev, model->effect == ENV_POP_TO_ARG1 ? 1 : 2));
        return 0;
    default: {
        if (s->depth == STATE_IRQL_MAX)
            return -1;
        uint8_t level = ENV_DISPATCH_LEVEL;
        if (model->effect == ENV_PUSH_ARG1)
            level = env_level(ls_event_arg(ev, 1));
        else if (model->effect == ENV_PUSH_STORPORT
                 && ls_event_arg(ev, 2) == ENV_STOR_INTERRUPT_LOCK)
            level = ENV_DEVICE_IRQL;
        s->irql[s->depth++] = level;
        return 0;
    }
    }
}

/* The constants the rules compare name's return value with: the values a
 * return the path does not know is split into.  Sorted, distinct. */
static uint32_t return_cases(const struct engine *e, const char *name, ls_word *out, uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t r = 0; r < e->nrules; r++) {
        const struct ls_rule *rule = e->rules[r];
        for (uint32_t i = 0; i < rule->case_count; i++) {
            const struct ls_value_cases *c = &rule->cases[i];
            if (c->function == NULL || c->when != LS_EXIT || c->operand.kind != LS_OP_RETURN
                || strcmp(c->function, name) != 0)
                continue;
            for (uint32_t k = 0; k < c->count; k++) {
                uint32_t j = 0;
                while (j < n && out[j] != c->values[k])
                    j++;
                if (j == n && n < max)
                    out[n++] = c->values[k];
            }
        }
    }
    return n;
}

/* ---- the worklist ----------------------------------------------------------------- */

static int push(struct engine *e, struct frame *fr, int32_t node, struct astate *s,
                const struct tstep *trace)
{
    if (node < 0) {
        state_free(s);
        return 0;
    }
    /* a value nobody reads any more does not tell states apart */
    const struct liveness *lv = live_of(e, fr->f);
    if (lv == NULL) {
        state_free(s);
        return -1;
    }
    struct live_at at = { lv, node };
    state_drop_locals(s, e->places, fr->f->name, is_live, &at);
    if (fr->count[node] >= e->limits.widen_after && fr->last[node]
        && state_widen(s, fr->last[node]) < 0) {
        state_free(s);
        return -1;
    }
    uint64_t h = state_hash(s) ^ ((uint64_t)(node + 1) * 0x9E3779B97F4A7C15ULL);
    if (h == 0)
        h = 1;
    uint32_t i = (uint32_t)h & (fr->seen_slots - 1);
    for (; fr->seen[i]; i = (i + 1) & (fr->seen_slots - 1))
        if (fr->seen[i] == h) {
            state_free(s);
            return 0;
        }
    fr->seen[i] = h;
    if (++fr->nseen * 2 > fr->seen_slots) {
        uint32_t n = fr->seen_slots * 2;
        uint64_t *seen = calloc(n, sizeof *seen);
        if (seen == NULL) {
            state_free(s);
            return -1;
        }
        for (uint32_t k = 0; k < fr->seen_slots; k++) {
            if (!fr->seen[k])
                continue;
            uint32_t j = (uint32_t)fr->seen[k] & (n - 1);
            while (seen[j])
                j = (j + 1) & (n - 1);
            seen[j] = fr->seen[k];
        }
        free(fr->seen);
        fr->seen = seen;
        fr->seen_slots = n;
    }
    fr->count[node]++;
    struct astate *copy = state_copy(s);
    if (copy == NULL) {
        state_free(s);
        return -1;
    }
    state_free(fr->last[node]);
    fr->last[node] = copy;
    if (fr->nwork == fr->work_cap) {
        uint32_t cap = fr->work_cap ? fr->work_cap * 2 : 64;
        struct work *w = realloc(fr->work, cap * sizeof *w);
        if (w == NULL) {
            state_free(s);
            return -1;
        }
        fr->work = w;
        fr->work_cap = cap;
    }
    fr->work[fr->nwork++] = (struct work){ node, s, trace };
    return 0;
}

/* Push a copy of s (s stays the caller's). */
static int push_copy(struct engine *e, struct frame *fr, int32_t node, const struct astate *s,
                     const struct tstep *trace)
{
    struct astate *c = state_copy(s);
    if (c == NULL)
        return -1;
    return push(e, fr, node, c, trace);
}

/* ---- calls ---------------------------------------------------------------------------- */

/* The facts about the callee of call node n, named name; cached per node
 * when name is the node's own callee (not a function pointer's target). */
static struct callee_cache resolve_callee(struct engine *e, const struct ir_function *f,
                                          const struct ir_node *n, const char *name)
{
    uint32_t mask = e->ncallees_slots - 1;
    uint32_t i = (uint32_t)(((uintptr_t)n >> 4) * 2654435761u) & mask;
    for (; e->callees[i].node; i = (i + 1) & mask)
        if (e->callees[i].node == n && name == n->callee)
            return e->callees[i];
    struct callee_cache c = { n, ir_find_function(e->program, name, f->file), model_call(name),
                              watched(e, name) };
    if (name == n->callee && e->ncallees * 2 < e->ncallees_slots) {
        e->callees[i] = c;
        e->ncallees++;
    }
    return c;
}

static struct summary *find_summary(struct engine *e, const struct ir_function *g, uint64_t h)
{
    for (uint32_t i = 0; i < e->nsummaries; i++)
        if (e->summaries[i]->f == g && e->summaries[i]->entry_hash == h)
            return e->summaries[i];
    return NULL;
}

static struct summary *new_summary(struct engine *e, const struct ir_function *g, uint64_t h)
{
    if (e->nsummaries == e->summaries_cap) {
        uint32_t cap = e->summaries_cap ? e->summaries_cap * 2 : 64;
        struct summary **v = realloc(e->summaries, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        e->summaries = v;
        e->summaries_cap = cap;
    }
    struct summary *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->f = g;
    s->entry_hash = h;
    e->summaries[e->nsummaries++] = s;
    return s;
}

/* The callee's exits from entry state `in`: computed, or remembered. */
static struct summary *summarise(struct engine *e, const struct ir_function *g,
                                 struct astate *in, const struct tstep *root, uint32_t depth)
{
    uint64_t h = state_hash(in);
    struct summary *sum = find_summary(e, g, h);
    if (sum) {
        if (!sum->done)
            sum->used_early = 1;
        state_free(in);
        return sum;
    }
    sum = new_summary(e, g, h);
    if (sum == NULL) {
        state_free(in);
        e->oom = 1;
        return NULL;
    }
    sum->root = root;
    /* recursion: explore again while the exits used early keep growing */
    for (int round = 0; round < 8; round++) {
        uint32_t before = sum->nexits;
        sum->used_early = 0;
        struct astate *copy = state_copy(in);
        if (copy == NULL || explore_function(e, g, copy, root, depth, sum) < 0) {
            e->oom = 1;
            break;
        }
        if (!sum->used_early || sum->nexits == before || e->giving_up)
            break;
    }
    sum->done = 1;
    state_free(in);
    return sum;
}

/* The steps of trace after root (a callee's path from its call), copied
 * in order behind `onto`; NULL when out of memory. */
static const struct tstep *replay_steps(struct engine *e, const struct tstep *trace,
                                        const struct tstep *root, const struct tstep *onto)
{
    uint32_t n = 0;
    for (const struct tstep *t = trace; t && t != root; t = t->parent)
        n++;
    if (n == 0)
        return onto;
    const struct tstep **order = malloc(n * sizeof *order);
    if (order == NULL)
        return NULL;
    uint32_t i = n;
    for (const struct tstep *t = trace; t && t != root; t = t->parent)
        order[--i] = t;
    const struct tstep *last = onto;
    for (i = 0; i < n && last; i++) {
        struct tstep *copy = arena_alloc(&e->arena, sizeof *copy);
        if (copy) {
            *copy = *order[i];
            copy->parent = last;
        }
        last = copy;
    }
    free(order);
    return last;
}

/* A call of g, defined in the program, through its summary.  The callee
 * starts from the caller's rule instances and IRQL with only its
 * parameters (and what a pointer parameter points to) known, so one
 * summary serves every caller in the same rule state; each exit then
 * continues the caller's state with the callee's instances, IRQL and
 * writes. */
static int do_defined_call(struct engine *e, struct frame *fr, const struct ir_node *n,
                           const struct astate *s, const struct tstep *trace,
                           const struct ir_function *g, const struct value *args, uint32_t nargs)
{
    const struct ir_function *f = fr->f;
    const struct tstep *call = add_step(e, trace, f, S_CALL, n->line, n->column, s, n->text);
    struct astate *in = state_copy(s);
    if (in == NULL)
        return -1;
    in->nvars = 0;
    for (uint32_t i = 0; i < g->nvars; i++) {
        const struct ir_var *v = &g->vars[i];
        if (v->kind != VAR_PARAM)
            continue;
        struct value a = v->param >= 0 && (uint32_t)v->param < nargs ? args[v->param]
                                                                     : value_unknown();
        const struct value *pointee = a.kind == V_ADDR ? state_lookup(s, a.place) : NULL;
        if (state_bind(in, var_place(e, g, (int32_t)i), &a) < 0
            || (pointee && state_bind(in, a.place, pointee) < 0)) {
            state_free(in);
            return -1;
        }
    }
    struct summary *sum = summarise(e, g, in, call, fr->depth + 1);
    if (sum == NULL)
        return -1;
    for (uint32_t i = 0; i < sum->nexits && !e->giving_up; i++) {
        const struct exit_rec *x = &sum->exits[i];
        struct astate *out = state_copy(s);
        if (out == NULL || state_take_env(out, x->s) < 0) {
            state_free(out);
            return -1;
        }
        for (uint32_t k = 0; k < x->s->nvars; k++) {
            int32_t var;
            if (place_owner(e->places, x->s->vars[k].place, &var) == g->name)
                continue;           /* the callee's locals end with it */
            if (state_bind(out, x->s->vars[k].place, &x->s->vars[k].value) < 0) {
                state_free(out);
                return -1;
            }
        }
        if (n->loc >= 0 && state_bind(out, eval_loc(e, f, out, n->loc), &x->s->ret) < 0) {
            state_free(out);
            return -1;
        }
        out->ret = value_unknown();
        const struct tstep *t = replay_steps(e, x->trace, sum->root, call);
        if (t == NULL) {
            state_free(out);
            return -1;
        }
        if (push(e, fr, n->next[0], out, t) < 0)
            return -1;
    }
    return 0;
}

static int do_external_call(struct engine *e, struct frame *fr, const struct ir_node *n,
                            struct astate *s, const struct tstep *trace, const char *name,
                            const struct callee_cache *callee, const struct value *args,
                            uint32_t nargs)
{
    const struct ir_function *f = fr->f;
    const struct env_call *model = callee->model;
    int interesting = model != NULL || callee->watched;
    const struct tstep *t = interesting
        ? add_step(e, trace, f, S_CALL, n->line, n->column, s, n->text) : trace;
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.when = LS_ENTRY;
    event_args(model, args, nargs, s, &ev);
    e->violated = 0;
    if (interesting)
        fire(e, s, name, 0, LS_ENTRY, &ev, name, t);
    if (e->violated)
        return 0;       /* the call is where the path went wrong: it ends here */

    uint8_t before = s->irql[s->depth - 1];
    if (model && model_effect(model, &ev, s) < 0) {
        give_up(e, f, "the IRQL stack grows past 32 levels");
        return 0;
    }
    int have_ret = 0;
    struct value ret = value_unknown();
    if (model && model->gives == ENV_GIVES_OLD_THROUGH_ARG && model->arg >= 1
        && model->arg <= nargs) {
        struct value old = value_const(before);
        if (state_bind(s, place_deref(e->places, &args[model->arg - 1]), &old) < 0)
            return -1;
    } else if (model && model->gives == ENV_GIVES_OLD_AS_RETURN) {
        ret = value_const(before), have_ret = 1;
    } else if (model && model->gives == ENV_GIVES_CURRENT) {
        ret = value_const(s->irql[s->depth - 1]), have_ret = 1;
    }

    ls_word cases[32];
    uint32_t ncases = have_ret ? 0 : return_cases(e, name, cases, 31);
    if (ncases > 0 && n->loc < 0) {
        /* the program drops the value: it does not tell the cases apart,
         * so the path is the usual one, success, which is 0 for the
         * calls rules compare with constants (POSIX's convention) */
        uint32_t k = 0;
        while (k < ncases && cases[k] != 0)
            k++;
        cases[0] = k < ncases ? 0 : cases[0];
        ncases = 1;
    } else if (ncases > 0) {
        /* the value no case names: the smallest non-negative one left */
        ls_word other = 0;
        for (int again = 1; again;) {
            again = 0;
            for (uint32_t i = 0; i < ncases; i++)
                if (cases[i] == other)
                    other++, again = 1;
        }
        cases[ncases++] = other;
    } else if (!have_ret) {
        /* an unknown that stays itself: the call site's own place, fresh
         * on each pass through the call */
        char label[64];
        snprintf(label, sizeof label, "%s()@%u:%u", name, n->line, n->column);
        uint32_t place = place_var(e->places, f->name, -1, label);
        state_unbind(s, place);
        ret = value_sym(place);
    }
    uint32_t choices = ncases ? ncases : 1;
    for (uint32_t i = 0; i < choices; i++) {
        struct astate *out = i + 1 < choices ? state_copy(s) : s;
        if (out == NULL)
            return -1;
        struct value r = ncases ? value_const(cases[i]) : ret;
        if (n->loc >= 0 && state_bind(out, eval_loc(e, f, out, n->loc), &r) < 0) {
            if (out != s)
                state_free(out);
            return -1;
        }
        ev.when = LS_EXIT;
        ev.ret = value_word(&r);
        ev.flags = LS_EVENT_HAS_RETURN;
        if (interesting)
            fire(e, out, name, 0, LS_EXIT, &ev, name, t);
        if (out == s) {
            /* the caller frees s: hand over a copy */
            if (push_copy(e, fr, n->next[0], out, t) < 0)
                return -1;
        } else if (push(e, fr, n->next[0], out, t) < 0) {
            return -1;
        }
    }
    return 0;
}

static int do_call(struct engine *e, struct frame *fr, const struct ir_node *n, struct astate *s,
                   const struct tstep *trace)
{
    const struct ir_function *f = fr->f;
    struct value args[LS_MAX_ARGS];
    uint32_t nargs = n->nargs < LS_MAX_ARGS ? n->nargs : LS_MAX_ARGS;
    for (uint32_t i = 0; i < nargs; i++)
        args[i] = eval(e, f, s, n->args[i]);
    const char *name = n->callee;
    if (name == NULL && n->expr >= 0) {
        struct value target = eval(e, f, s, n->expr);
        if (target.kind == V_ADDR)
            name = place_function_name(e->places, target.place);
    }
    if (name == NULL) {
        /* a call through a pointer lockstep cannot resolve: no events */
        if (n->loc >= 0) {
            struct value r = value_unknown();
            if (state_bind(s, eval_loc(e, f, s, n->loc), &r) < 0)
                return -1;
        }
        return push_copy(e, fr, n->next[0], s, trace);
    }
    struct callee_cache c = resolve_callee(e, f, n, name);
    if (c.f && c.f->skipped == NULL && fr->depth < e->limits.max_call_depth)
        return do_defined_call(e, fr, n, s, trace, c.f, args, nargs);
    return do_external_call(e, fr, n, s, trace, name, &c, args, nargs);
}

/* ---- one node ---------------------------------------------------------------------------- */

/* Adds s (with trace) to the exits of the exploration, once per distinct
 * state and return value. */
static int record_exit(struct engine *e, struct frame *fr, struct astate *s,
                       const struct tstep *trace)
{
    (void)e;
    struct summary *out = fr->out;
    uint64_t h = state_hash(s) ^ (uint64_t)value_word(&s->ret) * 0x9E3779B97F4A7C15ULL;
    if ((out->nexits + 1) * 2 > out->index_slots) {
        uint32_t slots = out->index_slots ? out->index_slots * 2 : 16;
        uint32_t *index = calloc(slots, sizeof *index);
        if (index == NULL)
            return -1;
        for (uint32_t i = 0; i < out->nexits; i++) {
            uint32_t k = (uint32_t)out->exits[i].hash & (slots - 1);
            while (index[k])
                k = (k + 1) & (slots - 1);
            index[k] = i + 1;
        }
        free(out->index);
        out->index = index;
        out->index_slots = slots;
    }
    uint32_t k = (uint32_t)h & (out->index_slots - 1);
    for (; out->index[k]; k = (k + 1) & (out->index_slots - 1))
        if (out->exits[out->index[k] - 1].hash == h)
            return 0;
    if (out->nexits == out->cap) {
        uint32_t cap = out->cap ? out->cap * 2 : 4;
        struct exit_rec *x = realloc(out->exits, cap * sizeof *x);
        if (x == NULL)
            return -1;
        out->exits = x;
        out->cap = cap;
    }
    struct astate *copy = state_copy(s);
    if (copy == NULL)
        return -1;
    out->exits[out->nexits] = (struct exit_rec){ copy, h, trace };
    out->index[k] = ++out->nexits;
    return 0;
}

static int step_node(struct engine *e, struct frame *fr, const struct work *w)
{
    const struct ir_function *f = fr->f;
    const struct ir_node *n = &f->nodes[w->node];
    struct astate *s = w->s;
    switch (n->kind) {
    case N_NOP:
        return push_copy(e, fr, n->next[0], s, w->trace);
    case N_ASSIGN: {
        struct value v = eval(e, f, s, n->expr);
        if (state_bind(s, eval_loc(e, f, s, n->loc), &v) < 0)
            return -1;
        return push_copy(e, fr, n->next[0], s, w->trace);
    }
    case N_CALL:
        return do_call(e, fr, n, s, w->trace);
    case N_BRANCH: {
        struct value c = eval(e, f, s, n->expr);
        int truth = value_truth(&c);
        for (int side = 1; side >= 0; side--) {
            if (truth >= 0 && truth != side)
                continue;
            struct astate *out = state_copy(s);
            if (out == NULL)
                return -1;
            const struct tstep *t = w->trace;
            if (truth < 0) {
                if (!refine(e, f, out, n->expr, side)) {
                    state_free(out);
                    continue;
                }
                t = add_step(e, t, f, S_BRANCH, n->line, n->column, out,
                             arena_printf(&e->arena, "%s is %s", n->text ? n->text : "condition",
                                          side ? "true" : "false"));
            }
            if (push(e, fr, n->next[side ? 0 : 1], out, t) < 0)
                return -1;
        }
        return 0;
    }
    case N_SWITCH: {
        struct value v = eval(e, f, s, n->expr);
        struct astate *rest = state_copy(s);       /* the default's state */
        if (rest == NULL)
            return -1;
        int rest_feasible = 1;
        for (uint32_t i = 0; i < n->ncases; i++) {
            struct value c = value_const(n->cases[i].value);
            int eq = value_compare(OP_EQ, &v, &c);
            if (eq == 0)
                continue;
            if (eq == 1)
                rest_feasible = 0;
            struct astate *out = state_copy(s);
            if (out == NULL) {
                state_free(rest);
                return -1;
            }
            const struct ir_expr *x = &f->exprs[n->expr];
            if (eq < 0 && x->kind == EX_LOAD) {
                uint32_t place = eval_loc(e, f, out, x->loc);
                struct value narrowed = read_place(out, place), r2 = read_place(rest, place);
                value_refine(&narrowed, OP_EQ, n->cases[i].value);
                if (!value_refine(&r2, OP_NE, n->cases[i].value))
                    rest_feasible = 0;
                if (state_bind(out, place, &narrowed) < 0 || state_bind(rest, place, &r2) < 0) {
                    state_free(out);
                    state_free(rest);
                    return -1;
                }
            }
            const struct tstep *t = add_step(e, w->trace, f, S_BRANCH, n->line, n->column, out,
                arena_printf(&e->arena, "switch (%s): case %lld", n->text ? n->text : "",
                             (long long)n->cases[i].value));
            if (push(e, fr, n->cases[i].target, out, t) < 0) {
                state_free(rest);
                return -1;
            }
        }
        if (!rest_feasible) {
            state_free(rest);
            return 0;
        }
        const struct tstep *t = add_step(e, w->trace, f, S_BRANCH, n->line, n->column, rest,
            arena_printf(&e->arena, "switch (%s): %s", n->text ? n->text : "",
                         n->ncases ? "no case matches" : "default"));
        return push(e, fr, n->next[0], rest, t);
    }
    case N_RETURN: {
        s->ret = n->expr >= 0 ? eval(e, f, s, n->expr) : value_unknown();
        const struct tstep *t = add_step(e, w->trace, f, S_RETURN, n->line, n->column, s, n->text);
        return push_copy(e, fr, n->next[0], s, t);
    }
    case N_EXIT: {
        const struct tstep *t = w->trace;
        if (t == NULL || t->kind != S_RETURN || t->f != f)
            t = add_step(e, t, f, S_EXIT, n->line, n->column, s, "end of function");
        return record_exit(e, fr, s, t);
    }
    case N_STOP: {
        char why[256];
        snprintf(why, sizeof why, "%s:%u: %s", f->file, n->line, n->text ? n->text : "stopped");
        give_up(e, f, why);
        return 0;
    }
    }
    return 0;
}

static void free_frame(struct frame *fr)
{
    for (uint32_t i = fr->head; i < fr->nwork; i++)
        state_free(fr->work[i].s);
    if (fr->last)
        for (uint32_t i = 0; i < fr->f->nnodes; i++)
            state_free(fr->last[i]);
    free(fr->work);
    free(fr->seen);
    free(fr->count);
    free(fr->last);
}

/* Explores f from state entry (taken over) until its worklist is empty;
 * its exits go to out.  0, or -1 when out of memory. */
static int explore_function(struct engine *e, const struct ir_function *f, struct astate *entry,
                            const struct tstep *root, uint32_t depth, struct summary *out)
{
    struct frame fr;
    memset(&fr, 0, sizeof fr);
    fr.f = f;
    fr.depth = depth;
    fr.root = root;
    fr.out = out;
    fr.seen_slots = 256;
    fr.seen = calloc(fr.seen_slots, sizeof *fr.seen);
    fr.count = calloc(f->nnodes, sizeof *fr.count);
    fr.last = calloc(f->nnodes, sizeof *fr.last);
    int rc = 0;
    if (fr.seen == NULL || fr.count == NULL || fr.last == NULL
        || push(e, &fr, 0, entry, root) < 0) {
        if (fr.seen == NULL || fr.count == NULL || fr.last == NULL)
            state_free(entry);
        rc = -1;
    }
    while (rc == 0 && fr.head < fr.nwork && !e->giving_up && !e->oom) {
        struct work w = fr.work[fr.head++];
        e->states++;
        e->stats[f->index].states++;
        if (e->states > e->limits.max_states) {
            char why[256];
            snprintf(why, sizeof why, "%s:%u: more than %llu states from entry point %s",
                     f->file, f->nodes[w.node].line, (unsigned long long)e->limits.max_states,
                     e->entry->function);
            give_up(e, f, why);
            state_free(w.s);
            break;
        }
        rc = step_node(e, &fr, &w);
        state_free(w.s);
        /* keep the queue compact: move the live part down now and then */
        if (fr.head > 4096 && fr.head * 2 > fr.nwork) {
            memmove(fr.work, fr.work + fr.head, (fr.nwork - fr.head) * sizeof *fr.work);
            fr.nwork -= fr.head;
            fr.head = 0;
        }
    }
    free_frame(&fr);
    return rc < 0 || e->oom ? -1 : 0;
}

/* ---- entry points -------------------------------------------------------------------------- */

int engine_explore(struct engine *e, const struct ir_entry *entry, const struct ir_function *f,
                   uint8_t irql)
{
    e->entry = entry;
    e->states = 0;
    e->giving_up = 0;
    struct astate *s = state_new(e->rules, e->nrules, irql);
    if (s == NULL)
        return -1;
    char *text = arena_printf(&e->arena, "entry point %s%s%s at IRQL %u", f->name,
                              entry->role ? " as " : "", entry->role ? entry->role : "", irql);
    const struct tstep *root = add_step(e, NULL, f, S_ENTRY, f->line, f->column, s, text);

    /* the harness's event as the routine is entered: fun_<ROLE>, sdv_Run* */
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.when = LS_ENTRY;
    struct value params[LS_MAX_ARGS];
    uint32_t nparams = f->nparams < LS_MAX_ARGS ? f->nparams : LS_MAX_ARGS;
    for (uint32_t i = 0; i < f->nvars; i++)
        if (f->vars[i].kind == VAR_PARAM && (uint32_t)f->vars[i].param < nparams)
            params[f->vars[i].param] = value_sym(var_place(e, f, (int32_t)i));
    event_args(NULL, params, nparams, s, &ev);
    if (entry->role)
        fire(e, s, entry->role, 1, LS_ENTRY, &ev, f->name, root);
    fire(e, s, f->name, 0, LS_ENTRY, &ev, f->name, root);

    struct summary top;
    memset(&top, 0, sizeof top);
    top.f = f;
    top.root = root;
    int rc = explore_function(e, f, s, root, 0, &top);
    for (uint32_t i = 0; rc == 0 && i < top.nexits; i++) {
        struct astate *x = top.exits[i].s;
        const struct tstep *t = top.exits[i].trace;
        ev.when = LS_EXIT;
        ev.ret = value_word(&x->ret);
        ev.flags = LS_EVENT_HAS_RETURN;
        if (entry->role)
            fire(e, x, entry->role, 1, LS_EXIT, &ev, f->name, t);
        fire(e, x, f->name, 0, LS_EXIT, &ev, f->name, t);
        if (entry->role == NULL) {
            /* a thread's start routine returns: the thread ends */
            struct ls_event end;
            memset(&end, 0, sizeof end);
            end.nargs = 2;
            fire(e, x, "lockstep_thread_exit", 0, LS_ENTRY, &end, "lockstep_thread_exit", t);
        }
    }
    free_exits(&top);
    if (rc < 0 || e->oom)
        return -1;
    return e->giving_up ? 1 : 0;
}
