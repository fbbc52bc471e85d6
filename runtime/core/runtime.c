/*
 * runtime.c — the public runtime API (lockstep/runtime.h): the rule
 * registry, the dispatch table, event processing with SLIC's instance
 * semantics (DESIGN section 8), statistics, sinks and errors.  The
 * pieces it stands on each have their own file: intern.c (names to ids),
 * env.c (the IRQL model), instances.c (one rule's instance table) and
 * trail.c (the recent events of each instance).
 *
 * Dispatch.  Adding a rule interns its handlers' function names (and the
 * `sdv_`-prefixed spelling of each, so an event on sdv_KeAcquireSpinLock
 * reaches KeAcquireSpinLock's handlers); a role handler also fires on the
 * function ls_runtime_map_role gave its role, as well as on its own
 * harness name.  Before the next event the runtime builds one array of
 * (rule, handler, kind of guard) entries sorted by (function id,
 * entry|exit), and one slot per (function id, entry|exit) holding where
 * its entries are and, at an exit, the call's effect on the IRQL: an
 * event reaches exactly its entries, in rule order then handler order,
 * and the environment model, through one slot read.  Functions interned
 * after the build have neither entries nor effects, so they need no
 * rebuild, only an empty slot (the slot table has room to spare and
 * grows by doubling).
 *
 * Events, fastest first.  Most calls of a real trace are ones no rule
 * watches and the IRQL model ignores; ls_runtime_event settles those
 * inline: the checks, the slot, and (when the trace records the IRQL) a
 * comparison with the thread's current level, which the IRQL stack keeps
 * in a field of its own.  A call that moves the IRQL goes on to
 * apply_event, which has no stack frame; only an event with entries
 * reaches run_entries, one frame in which each entry's instance lookup,
 * step and bookkeeping are inlined, the rare outcomes (an abort, a halt,
 * an unguarded handler, out of memory) being functions of their own.
 * docs/runtime.md has the figures.
 *
 * Instances.  A rule with `watch` keeps instances keyed by the guard value
 * (shared by all threads) plus the default instance; a rule without keeps
 * one instance per thread, keyed by the thread id (a direct table: the
 * ids are dense), cloned from the initial state, and ignores guards (as
 * tests/rules/harness.c does).  For each handler entry:
 *   - guarded, or a per-thread rule: the instance for the key.  An absent
 *     key is stepped on a scratch copy of the default; it becomes a real
 *     instance only if its state then differs from the default's (or it
 *     stopped), so a guard that leaves the state alone allocates nothing.
 *   - unguarded (or guard_or_null with value 0): every live instance, then
 *     the default.  The default is stepped first into a scratch copy so each
 *     instance can be compared with the default's *new* state; its verdict
 *     is still reported last, as the harness reports it.
 *   - a live instance whose state becomes byte-equal to the default's is
 *     dropped: a clone made later would be identical.  The comparison is
 *     skipped once the default has stopped, since a clone of a stopped
 *     default is stopped and a live instance is not.
 *   - an instance that aborts or halts becomes a stopped key: it ignores
 *     every later event (no cascades).  Once the default has stopped, an
 *     absent key is a stopped clone, so it is simply not created.
 * One consequence of dropping: when the default itself aborts on an
 * unguarded event, the harness also reports every kept instance still
 * equal to it; here the default's one verdict stands for them all.  No
 * shipped rule can abort in its default instance.
 *
 * Guards whose value the event does not carry: an LS_OP_EXT guard reads
 * ls_event_ext(ev, index) when the source supplies ev->ext.  When ev->ext
 * is NULL (a trace records no memory) the value is unknown; treating it as
 * 0 would pick one arbitrary instance, so the handler is skipped for that
 * event and counted in ls_rule_stats.unknown_guards.
 *
 * Verdicts reached by one unguarded event come in the order of the dense
 * instance array: creation order until instances are removed, then
 * permuted by swap-removal.  The order is deterministic but not otherwise
 * specified.
 *
 * The environment.  A call's effect on its thread's IRQL stack (env.c) is
 * applied when its exit arrives, before that exit's handlers run; then a
 * recorded IRQL, if the event has one, replaces the top of the stack.
 * Rules therefore see an acquire's exit at DISPATCH_LEVEL, as under SDV
 * and as a trace records it.
 *
 * Trails.  An instance's trail holds the events it handled since it came
 * into being, which is the event that first moved it away from the
 * default: steps on a scratch clone that left the state alone are not
 * remembered.  A violation found at that very first step has a trail of
 * one event.
 *
 * Sinks are called in the middle of an event: they may read the runtime
 * (names, statistics) but must not add rules or apply events.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/runtime.h>

#include "env.h"
#include "instances.h"
#include "intern.h"
#include "trail.h"

#if defined(__GNUC__)
#define COLD __attribute__((cold, noinline))
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define COLD
#define NOINLINE
#define ALWAYS_INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

#define MAX_STATE_SIZE 4096
#define DEFAULT_TRAIL_LENGTH 8
#define MESSAGE_BUFFER 512

/* How an entry finds its instances: the handler's mode and, for a guard,
 * where the guard's value comes from, in one field (run_entry). */
enum entry_kind {
    KIND_THREAD,            /* rule without watch: the thread's instance    */
    KIND_ALL,               /* unguarded: every live instance + default     */
    KIND_ARG,               /* guard $N: the instance keyed by argument N   */
    KIND_RETURN,            /* guard $return                                */
    KIND_EXT,               /* guard *$N...: an extended operand            */
    KIND_IRQL               /* guard on an IRQL built-in                    */
};

struct disp_entry {
    struct rt_rule *rule;   /* valid until the next build (rules realloc)   */
    uint32_t handler;
    uint8_t kind;           /* enum entry_kind                              */
    uint8_t guard_index;
    uint8_t or_null;
    uint8_t repeat;         /* an earlier entry of this slot has the rule:
                               the trail may already hold this event, and
                               stats.events has counted it                 */
};

/* What an event on one (function, entry|exit) does: its dispatch entries
 * and, at an exit, its effect on the IRQL. */
struct fn_slot {
    uint32_t first, count;  /* entries disp[first .. first + count)         */
    uint8_t effect;         /* enum env_effect                              */
};

struct rt_rule {
    const struct ls_rule *mod;
    struct inst_table tab;
    unsigned char *def;     /* default instance: a record of tab's layout   */
    unsigned char *scratch; /* a clone being tried out                      */
    int keyed;              /* the rule has `watch`                         */
    int def_stopped;
    uint64_t small_mask;    /* a state of up to 8 bytes: those bytes set in
                               an 8-byte word (see state_same); else 0      */
    struct ls_rule_stats stats;
    uint32_t *fn_ids;       /* per handler: its name, its sdv_ spelling     */
    uint32_t *role_ids;     /* per handler: role id, or INTERN_NONE         */
};

/* The calls a thread has entered and not yet left, innermost last, kept
 * only with ls_runtime_check_calls.  At CALLS_MAX open calls the oldest
 * half is forgotten (lost): an exit may then match one of those. */
struct rt_calls {
    uint32_t *fn;
    uint32_t depth, cap;
    int lost;
};

struct rt_thread {
    struct env_stack env;
    int noticed;            /* the recorded-IRQL notice was given           */
    struct rt_calls calls;
};

struct ls_runtime {
    struct intern functions, threads, roles;
    uint32_t *role_fn;      /* role id -> mapped function id                */
    uint32_t role_fn_count;
    struct rt_rule *rules;
    uint32_t nrules, rules_cap;
    struct rt_thread *thr;  /* indexed by thread id                         */
    uint32_t thr_cap;
    uint8_t *fn_effect;     /* function id -> enum env_effect               */
    uint32_t fn_effect_count;

    struct fn_slot *fslots; /* 2 * fslot_cap, by function id * 2 + when     */
    uint32_t fslot_cap;     /* functions the slots have room for            */
    struct disp_entry *disp;
    int dirty;              /* rules or roles changed since the build       */
    uint32_t fn_limit;      /* function ids below it have a current slot: 0
                               while dirty, else every interned function   */

    struct trail_pool trail;
    int started;            /* an event was applied                         */
    int check_calls;        /* refuse an exit without its entry             */
    int failed;             /* out of memory during the current event       */
    const char *ev_file;    /* the current event's source location, set     */
    uint32_t ev_line;       /* past the fast path (keeps apply_event's
                               arguments in registers)                      */

    ls_violation_sink on_violation;
    ls_notice_sink on_notice;
    void *context;

    char *message;          /* formatted violation message                  */
    size_t message_cap;
    struct ls_trail_event trail_buf[LS_TRAIL_MAX];
    char error[256];
};

/* What one event's handlers share. */
struct ev_ctx {
    struct ls_runtime *rt;
    const struct ls_event *ev;
    const struct ls_env *env;
    uint32_t thread;
    const char *file;
    uint32_t line;
    struct trail_rec rec;
};

static void set_error(struct ls_runtime *rt, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_error(struct ls_runtime *rt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    va_end(ap);
}

/* Interns prefix + name; INTERN_NONE when out of memory. */
static uint32_t intern_prefixed(struct intern *t, const char *prefix, const char *name)
{
    char small[256];
    size_t lp = strlen(prefix), ln = strlen(name);
    char *buf = lp + ln <= sizeof small ? small : malloc(lp + ln);
    if (buf == NULL)
        return INTERN_NONE;
    memcpy(buf, prefix, lp);
    memcpy(buf + lp, name, ln);
    uint32_t id = intern_add(t, buf, lp + ln);
    if (buf != small)
        free(buf);
    return id;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A role as the runtime keys it: HW_STARTIO for fun_HW_STARTIO too. */
static const char *role_key(const char *role)
{
    return has_prefix(role, "fun_") ? role + 4 : role;
}

/* State comparison and copy.  These run on every step, so a state of up
 * to 8 bytes (every shipped rule's is 1 or 4) is handled as one 8-byte
 * word under a mask of its bytes, with no branch on the size: a state
 * always has 8 readable bytes, since it begins a record (or the default
 * or scratch buffer) of at least 16 (instances.h), and the masked copy
 * leaves the bytes after the state (the trail header) as they were. */
static inline int state_same(const struct rt_rule *r, const unsigned char *a,
                             const unsigned char *b)
{
    if (LIKELY(r->small_mask != 0)) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return ((x ^ y) & r->small_mask) == 0;
    }
    return memcmp(a, b, r->tab.state_size) == 0;
}

static inline void state_copy(const struct rt_rule *r, unsigned char *to,
                              const unsigned char *from)
{
    if (LIKELY(r->small_mask != 0)) {
        uint64_t x, y;
        memcpy(&x, from, 8);
        memcpy(&y, to, 8);
        y = (y & ~r->small_mask) | (x & r->small_mask);
        memcpy(to, &y, 8);
        return;
    }
    memcpy(to, from, r->tab.state_size);
}

/* ---- creation ----------------------------------------------------------- */

/* Rules or roles changed: the next event rebuilds the dispatch table (and
 * until then no event passes ls_runtime_event's fast path). */
static void invalidate_dispatch(struct ls_runtime *rt)
{
    rt->dirty = 1;
    rt->fn_limit = 0;
}

/* Interns the environment model's functions, with and without `sdv_`,
 * and records each one's effect by id.  0, or -1 out of memory. */
static int load_env_model(struct ls_runtime *rt)
{
    uint32_t ids[2 * 64];
    if (env_call_count > 64)
        return -1;
    for (size_t i = 0; i < env_call_count; i++) {
        ids[2 * i] = intern_add(&rt->functions, env_calls[i].name, strlen(env_calls[i].name));
        ids[2 * i + 1] = intern_prefixed(&rt->functions, "sdv_", env_calls[i].name);
        if (ids[2 * i] == INTERN_NONE || ids[2 * i + 1] == INTERN_NONE)
            return -1;
    }
    rt->fn_effect_count = rt->functions.count;
    rt->fn_effect = calloc(rt->fn_effect_count, 1);
    if (rt->fn_effect == NULL)
        return -1;
    for (size_t i = 0; i < env_call_count; i++)
        rt->fn_effect[ids[2 * i]] = rt->fn_effect[ids[2 * i + 1]] = env_calls[i].effect;
    return 0;
}

struct ls_runtime *ls_runtime_new(void)
{
    struct ls_runtime *rt = calloc(1, sizeof *rt);
    if (rt == NULL)
        return NULL;
    intern_init(&rt->functions);
    intern_init(&rt->threads);
    intern_init(&rt->roles);
    trail_pool_init(&rt->trail, DEFAULT_TRAIL_LENGTH);
    rt->message_cap = MESSAGE_BUFFER;
    rt->message = malloc(rt->message_cap);
    if (rt->message == NULL || load_env_model(rt) != 0) {
        ls_runtime_free(rt);
        return NULL;
    }
    invalidate_dispatch(rt);            /* the first event builds the slots */
    return rt;
}

static void free_rule(struct rt_rule *r)
{
    inst_free(&r->tab);
    free(r->def);
    free(r->scratch);
    free(r->fn_ids);
    free(r->role_ids);
}

void ls_runtime_free(struct ls_runtime *rt)
{
    if (rt == NULL)
        return;
    for (uint32_t i = 0; i < rt->nrules; i++)
        free_rule(&rt->rules[i]);
    free(rt->rules);
    for (uint32_t i = 0; i < rt->threads.count; i++) {
        env_stack_free(&rt->thr[i].env);
        free(rt->thr[i].calls.fn);
    }
    free(rt->thr);
    intern_free(&rt->functions);
    intern_free(&rt->threads);
    intern_free(&rt->roles);
    free(rt->role_fn);
    free(rt->fn_effect);
    free(rt->fslots);
    free(rt->disp);
    trail_pool_free(&rt->trail);
    free(rt->message);
    free(rt);
}

const char *ls_runtime_error(const struct ls_runtime *rt)
{
    return rt ? rt->error : "no runtime (out of memory)";
}

void ls_runtime_set_sinks(struct ls_runtime *rt, ls_violation_sink on_violation,
                          ls_notice_sink on_notice, void *context)
{
    rt->on_violation = on_violation;
    rt->on_notice = on_notice;
    rt->context = context;
}

/* Trails already kept would not fit pools of another length, so the
 * length is fixed once events have been applied. */
void ls_runtime_set_trail_length(struct ls_runtime *rt, unsigned length)
{
    if (rt->started) {
        set_error(rt, "the trail length must be set before the first event");
        return;
    }
    trail_pool_free(&rt->trail);
    trail_pool_init(&rt->trail, length > LS_TRAIL_MAX ? LS_TRAIL_MAX : length);
}

/* ---- rules and roles ---------------------------------------------------- */

/* Checks a module's descriptor; 0, or -1 with the error set. */
static int check_rule(struct ls_runtime *rt, const struct ls_rule *rule, const char *name)
{
    if (rule->abi != LS_RULE_ABI) {
        set_error(rt, "rule %s was built for checker ABI %u, this runtime has %d",
                  name, (unsigned)rule->abi, LS_RULE_ABI);
        return -1;
    }
    if (rule->state_size == 0 || rule->state_size > MAX_STATE_SIZE) {
        set_error(rt, "rule %s has a state of %zu bytes; the runtime takes 1 to %d",
                  name, rule->state_size, MAX_STATE_SIZE);
        return -1;
    }
    if (rule->step == NULL || rule->init == NULL) {
        set_error(rt, "rule %s has no %s function", name, rule->step ? "init" : "step");
        return -1;
    }
    if (rule->handler_count > 0 && rule->handlers == NULL) {
        set_error(rt, "rule %s lists %u handlers but no handler table",
                  name, (unsigned)rule->handler_count);
        return -1;
    }
    for (uint32_t i = 0; i < rule->handler_count; i++) {
        const struct ls_handler *h = &rule->handlers[i];
        if (h->function == NULL || h->when > LS_EXIT || h->guard.kind > LS_OP_IRQL) {
            set_error(rt, "rule %s: handler %u has %s", name, (unsigned)i,
                      h->function == NULL ? "no function name"
                      : h->when > LS_EXIT ? "an event kind other than entry or exit"
                      : "an unknown guard kind");
            return -1;
        }
    }
    return 0;
}

/* Interns what rule r's handlers name; 0, or -1 out of memory. */
static int resolve_handlers(struct ls_runtime *rt, struct rt_rule *r)
{
    const struct ls_rule *m = r->mod;
    for (uint32_t i = 0; i < m->handler_count; i++) {
        const struct ls_handler *h = &m->handlers[i];
        uint32_t *ids = &r->fn_ids[2 * i];
        ids[0] = intern_add(&rt->functions, h->function, strlen(h->function));
        ids[1] = INTERN_NONE;
        if (ids[0] == INTERN_NONE)
            return -1;
        if (!has_prefix(h->function, "sdv_")
            && (ids[1] = intern_prefixed(&rt->functions, "sdv_", h->function)) == INTERN_NONE)
            return -1;
        r->role_ids[i] = INTERN_NONE;
        if (h->role) {
            const char *role = role_key(h->role);
            if ((r->role_ids[i] = intern_add(&rt->roles, role, strlen(role))) == INTERN_NONE)
                return -1;
        }
    }
    return 0;
}

int ls_runtime_add_rule(struct ls_runtime *rt, const struct ls_rule *rule)
{
    if (rule == NULL) {
        set_error(rt, "no rule given");
        return -1;
    }
    const char *name = rule->name ? rule->name : "(unnamed)";
    if (check_rule(rt, rule, name) != 0)
        return -1;
    if (rt->nrules >= INT32_MAX) {
        set_error(rt, "too many rules");
        return -1;
    }
    if (rt->nrules == rt->rules_cap) {
        uint32_t cap = rt->rules_cap ? rt->rules_cap * 2 : 8;
        struct rt_rule *rules = realloc(rt->rules, cap * sizeof *rules);
        if (rules == NULL)
            goto oom;
        rt->rules = rules;
        rt->rules_cap = cap;
    }

    struct rt_rule *r = &rt->rules[rt->nrules];
    memset(r, 0, sizeof *r);
    r->mod = rule;
    r->keyed = rule->watch_count > 0;
    inst_init(&r->tab, rule->state_size, !r->keyed);
    if (rule->state_size <= sizeof r->small_mask)
        memset(&r->small_mask, 0xff, rule->state_size);
    r->def = calloc(1, r->tab.stride);
    r->scratch = calloc(1, r->tab.stride);
    r->fn_ids = malloc((rule->handler_count ? rule->handler_count : 1) * 2 * sizeof *r->fn_ids);
    r->role_ids = malloc((rule->handler_count ? rule->handler_count : 1) * sizeof *r->role_ids);
    if (r->def == NULL || r->scratch == NULL || r->fn_ids == NULL || r->role_ids == NULL
        || resolve_handlers(rt, r) != 0) {
        free_rule(r);
        goto oom;
    }
    rule->init(r->def);
    invalidate_dispatch(rt);
    return (int)rt->nrules++;

oom:
    set_error(rt, "out of memory adding rule %s", name);
    return -1;
}

uint32_t ls_runtime_rule_count(const struct ls_runtime *rt)
{
    return rt->nrules;
}

const struct ls_rule *ls_runtime_rule(const struct ls_runtime *rt, uint32_t index)
{
    return index < rt->nrules ? rt->rules[index].mod : NULL;
}

const struct ls_rule_stats *ls_runtime_stats(const struct ls_runtime *rt, uint32_t index)
{
    return index < rt->nrules ? &rt->rules[index].stats : NULL;
}

/* A later mapping of the same role replaces the earlier one, as a second
 * `#define fun_ROLE` would. */
int ls_runtime_map_role(struct ls_runtime *rt, const char *role, const char *function)
{
    if (role == NULL || function == NULL || *role_key(role) == '\0' || *function == '\0') {
        set_error(rt, "a role needs a role name and a function name");
        return -1;
    }
    const char *key = role_key(role);
    uint32_t rid = intern_add(&rt->roles, key, strlen(key));
    uint32_t fid = intern_add(&rt->functions, function, strlen(function));
    if (rid == INTERN_NONE || fid == INTERN_NONE)
        goto oom;
    if (rid >= rt->role_fn_count) {
        uint32_t n = rt->roles.count;
        uint32_t *map = realloc(rt->role_fn, n * sizeof *map);
        if (map == NULL)
            goto oom;
        for (uint32_t i = rt->role_fn_count; i < n; i++)
            map[i] = INTERN_NONE;
        rt->role_fn = map;
        rt->role_fn_count = n;
    }
    rt->role_fn[rid] = fid;
    invalidate_dispatch(rt);
    return 0;

oom:
    set_error(rt, "out of memory mapping role %s to %s", role, function);
    return -1;
}

/* ---- names -------------------------------------------------------------- */

static void slot_for_new_function(struct ls_runtime *rt, uint32_t id);

uint32_t ls_runtime_function(struct ls_runtime *rt, const char *name, size_t length)
{
    uint32_t id = intern_add(&rt->functions, name, length);
    if (id == INTERN_NONE)
        set_error(rt, name == NULL && length > 0 ? "no function name given"
                                                 : "out of memory interning a function name");
    else
        slot_for_new_function(rt, id);
    return id;
}

/* A new thread gets its IRQL stack before its name is interned, so an id
 * handed out always has one. */
uint32_t ls_runtime_thread(struct ls_runtime *rt, const char *name, size_t length)
{
    uint32_t id = intern_find(&rt->threads, name, length);
    if (id != INTERN_NONE)
        return id;
    if (name == NULL && length > 0) {
        set_error(rt, "no thread name given");
        return INTERN_NONE;
    }
    uint32_t n = rt->threads.count;
    if (n == rt->thr_cap) {
        uint32_t cap = rt->thr_cap ? rt->thr_cap * 2 : 16;
        struct rt_thread *thr = cap > rt->thr_cap ? realloc(rt->thr, cap * sizeof *thr) : NULL;
        if (thr == NULL)
            goto oom;
        rt->thr = thr;
        rt->thr_cap = cap;
    }
    struct rt_thread t = { { NULL, 0, 0, 0 }, 0, { NULL, 0, 0, 0 } };
    if (env_stack_init(&t.env) != 0)
        goto oom;
    id = intern_add(&rt->threads, name, length);
    if (id == INTERN_NONE) {
        env_stack_free(&t.env);
        goto oom;
    }
    rt->thr[id] = t;
    return id;

oom:
    set_error(rt, "out of memory interning a thread name");
    return INTERN_NONE;
}

const char *ls_runtime_function_name(const struct ls_runtime *rt, uint32_t id)
{
    return intern_name(&rt->functions, id);
}

const char *ls_runtime_thread_name(const struct ls_runtime *rt, uint32_t id)
{
    return intern_name(&rt->threads, id);
}

struct ls_env ls_runtime_env(const struct ls_runtime *rt, uint32_t thread)
{
    struct ls_env none = { NULL, 0 };
    return thread < rt->threads.count ? env_view(&rt->thr[thread].env) : none;
}

/* ---- dispatch table ----------------------------------------------------- */

/* The function ids handler i of r fires on (its name, its sdv_ spelling,
 * the function mapped to its role), without repeats; returns how many. */
static unsigned handler_functions(const struct ls_runtime *rt, const struct rt_rule *r,
                                  uint32_t i, uint32_t ids[3])
{
    unsigned n = 0;
    ids[n++] = r->fn_ids[2 * i];
    if (r->fn_ids[2 * i + 1] != INTERN_NONE)
        ids[n++] = r->fn_ids[2 * i + 1];
    uint32_t role = r->role_ids[i];
    if (role != INTERN_NONE && role < rt->role_fn_count && rt->role_fn[role] != INTERN_NONE) {
        uint32_t f = rt->role_fn[role];
        if (f != ids[0] && (n < 2 || f != ids[1]))
            ids[n++] = f;
    }
    return n;
}

static struct disp_entry make_entry(struct rt_rule *r, uint32_t i)
{
    static const uint8_t kind_of_guard[] = {
        [LS_OP_NONE] = KIND_ALL, [LS_OP_ARG] = KIND_ARG, [LS_OP_RETURN] = KIND_RETURN,
        [LS_OP_EXT] = KIND_EXT, [LS_OP_IRQL] = KIND_IRQL,
    };
    const struct ls_handler *h = &r->mod->handlers[i];
    struct disp_entry e;
    e.rule = r;
    e.handler = i;
    e.kind = !r->keyed ? KIND_THREAD : kind_of_guard[h->guard.kind];   /* checked by check_rule */
    e.guard_index = h->guard.index;
    e.or_null = r->keyed && h->guard.kind != LS_OP_NONE && h->guard_or_null != 0;
    e.repeat = 0;
    return e;
}

/* Room in the slot table for n functions and some to come, so that names
 * a trace interns later rarely make it grow. */
static uint32_t slot_cap_for(uint32_t n)
{
    uint32_t cap = 64;
    while (cap < n && cap < UINT32_MAX / 2)
        cap *= 2;
    return cap < n ? n : cap;
}

/* A function interned after the build: give it an empty slot (growing the
 * table if need be), so that its events take the fast path.  Out of memory
 * only marks the table for a rebuild, which reports it. */
static void slot_for_new_function(struct ls_runtime *rt, uint32_t id)
{
    if (rt->dirty || id < rt->fn_limit)
        return;
    if (id >= rt->fslot_cap) {
        uint32_t cap = slot_cap_for(id + 1);
        struct fn_slot *slots = (size_t)cap * 2 <= SIZE_MAX / sizeof *slots
                                ? realloc(rt->fslots, (size_t)cap * 2 * sizeof *slots) : NULL;
        if (slots == NULL) {
            invalidate_dispatch(rt);
            return;
        }
        memset(slots + (size_t)rt->fslot_cap * 2, 0,
               (size_t)(cap - rt->fslot_cap) * 2 * sizeof *slots);
        rt->fslots = slots;
        rt->fslot_cap = cap;
    }
    rt->fn_limit = id + 1;
}

/* Builds the (function, when) -> entries table by counting sort, which
 * keeps rule order, then handler order, within each slot, and puts each
 * function's IRQL effect in its exit slot.  0 or -1. */
static NOINLINE int build_dispatch(struct ls_runtime *rt)
{
    uint32_t nfn = rt->functions.count, cap = slot_cap_for(nfn);
    size_t nslot = (size_t)cap * 2;
    struct fn_slot *slots = calloc(nslot ? nslot : 1, sizeof *slots);
    uint32_t *cursor = malloc((nslot ? nslot : 1) * sizeof *cursor);
    struct disp_entry *disp = NULL;
    uint32_t ids[3];
    uint64_t total = 0;
    if (slots == NULL || cursor == NULL)
        goto oom;
    for (uint32_t r = 0; r < rt->nrules; r++) {
        const struct rt_rule *rule = &rt->rules[r];
        for (uint32_t i = 0; i < rule->mod->handler_count; i++) {
            unsigned n = handler_functions(rt, rule, i, ids);
            for (unsigned k = 0; k < n; k++)
                slots[(size_t)ids[k] * 2 + rule->mod->handlers[i].when].count++;
            total += n;
        }
    }
    if (total >= UINT32_MAX)
        goto oom;
    for (size_t s = 0, first = 0; s < nslot; s++) {
        slots[s].first = cursor[s] = (uint32_t)first;
        first += slots[s].count;
    }
    for (uint32_t f = 0; f < rt->fn_effect_count && f < nfn; f++)
        slots[(size_t)f * 2 + LS_EXIT].effect = rt->fn_effect[f];
    disp = malloc((total ? total : 1) * sizeof *disp);
    if (disp == NULL)
        goto oom;
    for (uint32_t r = 0; r < rt->nrules; r++) {
        struct rt_rule *rule = &rt->rules[r];
        for (uint32_t i = 0; i < rule->mod->handler_count; i++) {
            unsigned n = handler_functions(rt, rule, i, ids);
            for (unsigned k = 0; k < n; k++)
                disp[cursor[(size_t)ids[k] * 2 + rule->mod->handlers[i].when]++]
                    = make_entry(rule, i);
        }
    }
    for (size_t s = 0; s < nslot; s++)
        for (uint32_t k = slots[s].first + 1; k < slots[s].first + slots[s].count; k++)
            disp[k].repeat = disp[k - 1].rule == disp[k].rule;
    free(cursor);
    free(rt->fslots);
    free(rt->disp);
    rt->fslots = slots;
    rt->fslot_cap = cap;
    rt->disp = disp;
    rt->dirty = 0;
    rt->fn_limit = nfn;
    return 0;

oom:
    free(slots);
    free(cursor);
    free(disp);
    return -1;
}

/* ---- violations and notices --------------------------------------------- */

/* Reports a violation of rule r found by handler on the event of c.  The
 * trail is h's, or the triggering event alone when h is NULL (an instance
 * stepped for the first time). */
static COLD void report(struct ev_ctx *c, struct rt_rule *r, uint32_t handler,
                   const struct ls_verdict *v, int keyed, uint64_t key,
                   const struct trail_hdr *h)
{
    struct ls_runtime *rt = c->rt;
    r->stats.violations++;
    if (rt->on_violation == NULL)
        return;

    /* $fname of a role handler is the driver routine, not the harness name */
    struct ls_verdict copy = *v;
    if (r->mod->handlers[handler].role != NULL)
        copy.function = intern_name(&rt->functions, c->ev->fn);
    size_t n = ls_format_message(&copy, rt->message, rt->message_cap);
    if (n >= rt->message_cap) {
        char *bigger = realloc(rt->message, n + 1);
        if (bigger) {                   /* else the message stays truncated */
            rt->message = bigger;
            rt->message_cap = n + 1;
            ls_format_message(&copy, rt->message, rt->message_cap);
        }
    }

    unsigned length = 0;
    if (h)
        length = trail_copy(&rt->trail, h, rt->trail_buf);
    else if (rt->trail.length > 0)
        trail_unpack(&c->rec, &rt->trail_buf[length++]);

    struct ls_violation out;
    out.rule = (uint32_t)(r - rt->rules);
    out.module = r->mod;
    out.verdict = &copy;
    out.message = rt->message;
    out.event = c->ev;
    out.thread = c->thread;
    out.file = c->file;
    out.line = c->line;
    out.keyed = keyed;
    out.key = keyed ? (ls_word)key : 0;     /* a per-thread instance: no key */
    out.trail = length ? rt->trail_buf : NULL;
    out.trail_length = length;
    rt->on_violation(rt->context, &out);
}

/* The first disagreement of a thread's recorded and modelled IRQL. */
static void notice_irql(struct ls_runtime *rt, uint32_t thread, uint64_t seq,
                        int recorded, unsigned modelled)
{
    char text[512];
    if (rt->on_notice == NULL)
        return;
    snprintf(text, sizeof text, "thread %s: the trace records IRQL %d at event %llu "
             "where the model has %u; the recorded value wins",
             intern_name(&rt->threads, thread), recorded, (unsigned long long)seq, modelled);
    rt->on_notice(rt->context, thread, seq, text);
}

/* ---- applying handlers to instances ------------------------------------- */

static void count_live(struct rt_rule *r)
{
    r->stats.live_instances = r->tab.live;
    if (r->stats.live_instances > r->stats.peak_instances)
        r->stats.peak_instances = r->stats.live_instances;
}

static int run_step(struct ev_ctx *c, struct rt_rule *r, uint32_t handler,
                    void *state, struct ls_verdict *v)
{
    r->stats.steps++;
    int result = r->mod->step(state, handler, c->ev, c->env, v);
    return result == LS_STEP_ABORT || result == LS_STEP_HALT ? result : LS_STEP_CONTINUE;
}

/* The state live instances are compared with before being dropped, or
 * NULL when none may be. */
static const unsigned char *drop_target(const struct rt_rule *r)
{
    return r->def_stopped ? NULL : r->def;
}

/* The rest of step_live for an instance that aborted or halted: report
 * a violation with its trail, and make it a stopped key. */
static COLD void stop_live(struct ev_ctx *c, struct rt_rule *r, const struct disp_entry *e,
                           uint32_t i, int keyed, int result, const struct ls_verdict *v,
                           struct trail_hdr *h)
{
    struct inst_table *tab = &r->tab;
    if (trail_append(&c->rt->trail, h, &c->rec, e->repeat) != 0)
        c->rt->failed = 1;
    if (result == LS_STEP_ABORT)
        report(c, r, e->handler, v, keyed, inst_key(tab, inst_rec(tab, i)), h);
    trail_release(&c->rt->trail, h);
    inst_stop(tab, i);
    count_live(r);
}

/* Steps live instance i of r (room for one more stopped key reserved);
 * pos is its slot when inst_find_hashed found it, else INST_NONE.
 * Returns 1 when the instance left index i (dropped, or stopped), so the
 * caller looks at index i again.  Inline: with step_new, this is where a
 * rule spends its events, and one frame for the whole entry (run_entries)
 * costs less than a call per step. */
static ALWAYS_INLINE int step_live(struct ev_ctx *c, struct rt_rule *r,
                                   const struct disp_entry *e, uint32_t i, uint32_t pos,
                                   int keyed, const unsigned char *same_as_default)
{
    struct inst_table *tab = &r->tab;
    unsigned char *rec = inst_rec(tab, i);
    struct ls_verdict v;
    struct trail_hdr h;
    int result = run_step(c, r, e->handler, rec, &v);

    trail_hdr_load(&h, rec + tab->state_size);
    if (UNLIKELY(result != LS_STEP_CONTINUE)) {
        stop_live(c, r, e, i, keyed, result, &v, &h);
        return 1;
    }
    if (same_as_default && state_same(r, rec, same_as_default)) {
        trail_release(&c->rt->trail, &h);   /* dropped: its trail goes too */
        if (pos != INST_NONE)
            inst_remove_at(tab, i, pos);
        else
            inst_remove(tab, i);
        count_live(r);
        return 1;
    }
    if (trail_append(&c->rt->trail, &h, &c->rec, e->repeat) != 0)
        c->rt->failed = 1;
    trail_hdr_store(rec + tab->state_size, &h);
    return 0;
}

/* The rest of step_new for a clone that aborted or halted: report the
 * violation (its trail is this one event) and add the key as stopped. */
static COLD void stop_new(struct ev_ctx *c, struct rt_rule *r, const struct disp_entry *e,
                          uint64_t key, int keyed, int result, const struct ls_verdict *v)
{
    struct inst_table *tab = &r->tab;
    r->stats.instances++;
    if (result == LS_STEP_ABORT)
        report(c, r, e->handler, v, keyed, key, NULL);
    if (inst_reserve(tab, 1, 1, key) != 0)
        c->rt->failed = 1;
    else
        inst_insert_stopped(tab, key);
}

/* A key with no instance: step a clone of the default and keep it only if
 * it now differs from the default, or stopped.  Room is made only then,
 * so the common case (the guard leaves the state alone) touches nothing
 * but the scratch state; out of memory at that point loses this one
 * step's effect, after any violation has been reported.  Inline, as
 * step_live. */
static ALWAYS_INLINE void step_new(struct ev_ctx *c, struct rt_rule *r,
                                   const struct disp_entry *e, uint64_t key, int keyed)
{
    struct inst_table *tab = &r->tab;
    struct ls_verdict v;
    if (r->def_stopped)
        return;                         /* its clone would be stopped too */
    state_copy(r, r->scratch, r->def);
    int result = run_step(c, r, e->handler, r->scratch, &v);
    if (UNLIKELY(result != LS_STEP_CONTINUE)) {
        stop_new(c, r, e, key, keyed, result, &v);
        return;
    }
    if (state_same(r, r->scratch, r->def))
        return;
    if (inst_reserve(tab, 1, 0, key) != 0) {
        c->rt->failed = 1;
        return;
    }
    struct trail_hdr h = { 0, 0, 0 };
    if (trail_append(&c->rt->trail, &h, &c->rec, 0) != 0)
        c->rt->failed = 1;
    unsigned char *rec = inst_rec(tab, inst_insert_live(tab, key));
    state_copy(r, rec, r->scratch);
    trail_hdr_store(rec + tab->state_size, &h);
    r->stats.instances++;
    count_live(r);
}

/* A handler for one key: the rule's instance for it.  keyed is a
 * constant at each call site, so the lookup is inlined for the table's
 * kind (by hash for watched values, by index for threads). */
static ALWAYS_INLINE void apply_key(struct ev_ctx *c, struct rt_rule *r,
                                    const struct disp_entry *e, uint64_t key, int keyed)
{
    uint32_t pos = INST_NONE;
    uint32_t ref = keyed ? inst_find_hashed(&r->tab, key, &pos) : inst_find_direct(&r->tab, key);
    if (ref == INST_NONE) {
        step_new(c, r, e, key, keyed);
    } else if (!(ref & INST_STOPPED)) {
        if (inst_reserve_stop(&r->tab) != 0)
            c->rt->failed = 1;
        else
            step_live(c, r, e, ref, pos, keyed, drop_target(r));
    }
}

/* step_live for apply_all, out of line: an unguarded handler is rare and
 * steps many instances. */
static NOINLINE int step_live_any(struct ev_ctx *c, struct rt_rule *r,
                                  const struct disp_entry *e, uint32_t i,
                                  const unsigned char *same_as_default)
{
    return step_live(c, r, e, i, INST_NONE, 1, same_as_default);
}

/* An unguarded handler: every live instance, then the default. */
static NOINLINE void apply_all(struct ev_ctx *c, struct rt_rule *r, const struct disp_entry *e)
{
    struct inst_table *tab = &r->tab;
    struct ls_verdict v;
    int have_default = !r->def_stopped, result = LS_STEP_CONTINUE;

    if (inst_reserve(tab, 0, tab->live, 0) != 0) {
        c->rt->failed = 1;
        return;
    }
    if (have_default) {
        state_copy(r, r->scratch, r->def);
        result = run_step(c, r, e->handler, r->scratch, &v);
    }
    const unsigned char *same = have_default && result == LS_STEP_CONTINUE ? r->scratch : NULL;
    for (uint32_t i = 0; i < tab->live;)
        if (!step_live_any(c, r, e, i, same))
            i++;
    if (!have_default)
        return;

    struct trail_hdr h;
    state_copy(r, r->def, r->scratch);
    trail_hdr_load(&h, r->def + tab->state_size);
    if (trail_append(&c->rt->trail, &h, &c->rec, e->repeat) != 0)
        c->rt->failed = 1;
    if (result != LS_STEP_CONTINUE) {
        r->def_stopped = 1;
        if (result == LS_STEP_ABORT)
            report(c, r, e->handler, &v, 0, 0, &h);
        trail_release(&c->rt->trail, &h);
    }
    trail_hdr_store(r->def + tab->state_size, &h);
}

/* Applies one dispatch entry to the event of c.  A guard on an argument
 * and a per-thread rule are nearly every entry, so they are tested first
 * rather than through a jump table. */
static ALWAYS_INLINE void run_entry(struct ev_ctx *c, const struct disp_entry *e)
{
    struct rt_rule *r = e->rule;
    ls_word key;

    r->stats.events += !e->repeat;
    if (LIKELY(e->kind == KIND_ARG)) {
        key = ls_event_arg(c->ev, e->guard_index);
    } else if (e->kind == KIND_THREAD) {
        apply_key(c, r, e, c->thread, 0);
        return;
    } else if (e->kind == KIND_ALL) {
        apply_all(c, r, e);
        return;
    } else if (e->kind == KIND_RETURN) {
        key = c->ev->ret;
    } else if (e->kind == KIND_EXT) {
        if (c->ev->ext == NULL) {           /* a value the source cannot read */
            r->stats.unknown_guards++;
            return;
        }
        key = ls_event_ext(c->ev, e->guard_index);
    } else {
        key = ls_env_irql(c->env, e->guard_index);
    }
    if (e->or_null && key == 0)
        apply_all(c, r, e);
    else
        apply_key(c, r, e, (uint64_t)key, 1);
}

/* ---- events ------------------------------------------------------------- */

/* Why an event cannot be taken; kept out of line so the hot path stays
 * small.  Returns -1. */
static COLD int refuse(struct ls_runtime *rt, const struct ls_event *ev, uint32_t thread,
                       int irql)
{
    if (ev == NULL) {
        set_error(rt, "no event given");
        return -1;
    }
    set_error(rt, "event %llu: %s", (unsigned long long)ev->seq,
              thread >= rt->threads.count ? "unknown thread id"
              : ev->fn >= rt->functions.count ? "unknown function id"
              : ev->when > LS_EXIT ? "neither entry nor exit"
              : ev->nargs > LS_MAX_ARGS ? "more arguments than LS_MAX_ARGS"
              : irql < LS_IRQL_UNKNOWN || irql > ENV_MAX_IRQL ? "IRQL outside 0..31"
              : "out of memory");
    return -1;
}

/* The recorded IRQL disagrees with the model: notice (once per thread),
 * and the recorded value wins. */
static COLD void override_irql(struct ls_runtime *rt, struct rt_thread *t, uint32_t thread,
                               uint64_t seq, int irql)
{
    if (!t->noticed) {
        t->noticed = 1;
        notice_irql(rt, thread, seq, irql, env_top(&t->env));
    }
    env_set_top(&t->env, (uint8_t)irql);
}

/* Applies the entries of slot, ev's (function, entry|exit), to it, after
 * the environment was updated.  0, or -1 when out of memory left some
 * instance without the event. */
static NOINLINE int run_entries(struct ls_runtime *rt, const struct fn_slot *slot,
                                uint32_t thread, const struct ls_event *ev)
{
    const struct env_stack *s = &rt->thr[thread].env;
    struct ls_env env = env_view(s);
    struct ev_ctx c = { rt, ev, &env, thread, rt->ev_file, rt->ev_line,
                        trail_pack(ev->seq, ev->fn, thread, ev->when, env_top(s)) };
    const struct disp_entry *e = &rt->disp[slot->first], *end = e + slot->count;
    rt->failed = 0;
    for (; e < end; e++)
        run_entry(&c, e);
    if (rt->failed) {
        set_error(rt, "event %llu: out of memory; some rule instances missed it",
                  (unsigned long long)ev->seq);
        return -1;
    }
    return 0;
}

static int apply_event(struct ls_runtime *rt, const struct fn_slot *slot, uint32_t thread,
                       int irql, const struct ls_event *ev);

/* apply_event's way when the call pushes onto a full IRQL stack: make
 * room, then apply the event. */
static COLD int grow_env_then_apply(struct ls_runtime *rt, const struct fn_slot *slot,
                                    uint32_t thread, int irql, const struct ls_event *ev)
{
    if (env_grow(&rt->thr[thread].env) != 0)
        return refuse(rt, ev, thread, irql);
    return apply_event(rt, slot, thread, irql, ev);
}

/* apply_event's way when the recorded IRQL disagrees with the model. */
static COLD int override_then_run(struct ls_runtime *rt, const struct fn_slot *slot,
                                  uint32_t thread, int irql, const struct ls_event *ev)
{
    override_irql(rt, &rt->thr[thread], thread, ev->seq, irql);
    if (slot->count == 0)
        return 0;
    return run_entries(rt, slot, thread, ev);
}

/* Applies event ev of thread `thread` (well formed but for the IRQL,
 * which is checked here), whose (function, entry|exit) slot is slot: the
 * call's effect on the IRQL, the recorded IRQL, then (run_entries) the
 * slot's entries.  0, or -1 (refused, or out of memory).  Every call it
 * makes is a tail call and it has few arguments, so it needs next to no
 * stack frame: the rare cases (a full IRQL stack, a recorded IRQL that
 * disagrees) are functions of their own. */
static NOINLINE int apply_event(struct ls_runtime *rt, const struct fn_slot *slot,
                                uint32_t thread, int irql, const struct ls_event *ev)
{
    if ((unsigned)(irql - LS_IRQL_UNKNOWN) > ENV_MAX_IRQL + 1u)
        return refuse(rt, ev, thread, irql);
    struct env_stack *s = &rt->thr[thread].env;

    /* the call has returned: its effect on the IRQL is in place at its exit */
    if (slot->effect != ENV_NONE) {
        if (UNLIKELY(s->depth == s->cap) && env_pushes(slot->effect))
            return grow_env_then_apply(rt, slot, thread, irql, ev);
        env_apply(s, slot->effect, ev);
    }
    if (irql >= 0 && env_top(s) != irql)
        return override_then_run(rt, slot, thread, irql, ev);
    if (slot->count == 0)
        return 0;
    return run_entries(rt, slot, thread, ev);
}

enum { CALLS_MAX = 1 << 16 };

void ls_runtime_check_calls(struct ls_runtime *rt, int on)
{
    rt->check_calls = on != 0;
}

/* Follow ev in the thread's open calls: an entry opens one, an exit closes
 * the innermost open call of its function and any inside it (calls that
 * never returned, as after a longjmp).  Returns 0; LS_EVENT_REFUSED with
 * the error set when an exit has no open entry; -1 when out of memory. */
static COLD int follow_call(struct ls_runtime *rt, uint32_t thread, const struct ls_event *ev)
{
    struct rt_calls *c = &rt->thr[thread].calls;
    if (ev->when == LS_ENTRY) {
        if (c->depth >= CALLS_MAX) {
            memmove(c->fn, c->fn + CALLS_MAX / 2, CALLS_MAX / 2 * sizeof *c->fn);
            c->depth = CALLS_MAX / 2;
            c->lost = 1;
        }
        if (c->depth == c->cap) {
            uint32_t cap = c->cap ? c->cap * 2 : 16;
            uint32_t *fn = realloc(c->fn, cap * sizeof *fn);
            if (fn == NULL) {
                set_error(rt, "out of memory following the calls of a thread");
                return -1;
            }
            c->fn = fn;
            c->cap = cap;
        }
        c->fn[c->depth++] = ev->fn;
        return 0;
    }
    for (uint32_t k = c->depth; k-- > 0;)
        if (c->fn[k] == ev->fn) {
            c->depth = k;
            return 0;
        }
    if (c->lost)
        return 0;
    set_error(rt, "exit of %s on thread %s without its entry (%u call%s open on that thread)",
              ls_runtime_function_name(rt, ev->fn), ls_runtime_thread_name(rt, thread),
              (unsigned)c->depth, c->depth == 1 ? "" : "s");
    return LS_EVENT_REFUSED;
}

/* ls_runtime_event's way for the rare events: a malformed one, or the
 * first after rules or roles changed (the dispatch table is rebuilt). */
static COLD int event_slow(struct ls_runtime *rt, uint32_t thread, int irql,
                           const struct ls_event *ev, const char *file, uint32_t line)
{
    if (ev == NULL || thread >= rt->threads.count || ev->fn >= rt->functions.count
        || ev->when > LS_EXIT || ev->nargs > LS_MAX_ARGS
        || (unsigned)(irql - LS_IRQL_UNKNOWN) > ENV_MAX_IRQL + 1u)
        return refuse(rt, ev, thread, irql);
    /* dirty, or a function interned when its slot could not be made */
    if ((rt->dirty || ev->fn >= rt->fn_limit) && build_dispatch(rt) != 0) {
        set_error(rt, "out of memory building the dispatch table");
        return -1;
    }
    if (rt->check_calls) {
        int rc = follow_call(rt, thread, ev);
        if (rc != 0)
            return rc;
    }
    rt->started = 1;
    rt->ev_file = file;
    rt->ev_line = line;
    return apply_event(rt, &rt->fslots[(size_t)ev->fn * 2 + ev->when], thread, irql, ev);
}

/* The hot path.  Most events of a real trace are calls that no rule
 * watches and that leave the IRQL alone (register reads, notifications,
 * the driver's own routines): for those the work is the checks, one slot
 * read and, when the trace records the IRQL, one comparison with the
 * model's, all here without a call.  Everything else goes on to
 * apply_event, by a tail call.
 *
 * fn_limit stands for three checks: the function id is known, its slot
 * is current (functions interned after the build get an empty one), and
 * the table is not dirty.  The runtime is dirty from its creation, so the
 * first event always takes event_slow, which marks the runtime started.
 * An IRQL outside 0..31 never equals the model's, so it reaches
 * apply_event, which refuses it. */
int ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                     struct ls_event *ev, const char *file, uint32_t line)
{
    if (UNLIKELY(ev == NULL) || UNLIKELY(thread >= rt->threads.count)
        || UNLIKELY(ev->fn >= rt->fn_limit) || UNLIKELY(ev->when > LS_EXIT)
        || UNLIKELY(ev->nargs > LS_MAX_ARGS))
        return event_slow(rt, thread, irql, ev, file, line);
    if (UNLIKELY(rt->check_calls)) {
        /* the common cases inline: an entry with room, the exit of the
         * innermost open call */
        struct rt_calls *c = &rt->thr[thread].calls;
        if (ev->when == LS_ENTRY && c->depth < c->cap) {
            c->fn[c->depth++] = ev->fn;
        } else if (ev->when == LS_EXIT && c->depth && c->fn[c->depth - 1] == ev->fn) {
            c->depth--;
        } else {
            int rc = follow_call(rt, thread, ev);
            if (rc != 0)
                return rc;
        }
    }

    const struct fn_slot *slot = &rt->fslots[(size_t)ev->fn * 2 + ev->when];
    if (LIKELY((slot->count | slot->effect) == 0)
        && (irql == LS_IRQL_UNKNOWN || irql == env_top(&rt->thr[thread].env)))
        return 0;
    rt->ev_file = file;
    rt->ev_line = line;
    return apply_event(rt, slot, thread, irql, ev);
}
