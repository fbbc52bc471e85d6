/*
 * harness.c — see harness.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

void harness_init(struct harness *h, const struct ls_rule *rule)
{
    memset(h, 0, sizeof *h);
    h->rule = rule;
    if (rule->state_size > HARNESS_STATE_BYTES) {
        fprintf(stderr, "harness: state of %s too large\n", rule->name);
        return;
    }
    rule->init(h->def.state);
    h->irql_depth = 1;                      /* PASSIVE_LEVEL */
}

void harness_irql(struct harness *h, int depth, ...)
{
    va_list ap;
    int n = depth < 0 ? 0 : depth;
    if (n > (int)sizeof h->irql)            /* the depth must not outrun irql[] */
        n = (int)sizeof h->irql;
    va_start(ap, depth);
    for (int i = 0; i < n; i++)
        h->irql[i] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    h->irql_depth = (uint32_t)n;
}

static ls_word operand_value(const struct ls_event *ev, struct ls_operand op)
{
    switch (op.kind) {
    case LS_OP_ARG:    return ls_event_arg(ev, op.index);
    case LS_OP_RETURN: return ev->ret;
    default:           return 0;            /* EXT: not modelled here */
    }
}

static void step_one(struct harness *h, struct harness_instance *in, unsigned handler,
                     const struct ls_event *ev, const struct ls_env *env)
{
    struct ls_verdict v;
    if (in->stopped)
        return;
    int r = h->rule->step(in->state, handler, ev, env, &v);
    if (r == LS_STEP_CONTINUE)
        return;
    in->stopped = true;
    if (r == LS_STEP_ABORT && h->verdicts < HARNESS_MAX_VERDICTS) {
        ls_format_message(&v, h->messages[h->verdicts], sizeof h->messages[0]);
        h->verdict_keys[h->verdicts++] = in->key;
    }
}

static struct harness_instance *instance_for(struct harness *h, ls_word key)
{
    for (int i = 0; i < h->count; i++)
        if (h->inst[i].key == key)
            return &h->inst[i];
    if (h->count == HARNESS_MAX_INSTANCES)
        return NULL;
    struct harness_instance *in = &h->inst[h->count++];
    *in = h->def;                           /* cloned: has seen every unguarded event */
    in->key = key;
    return in;
}

/* Reads nargs ls_word arguments from ap into args; returns how many were
 * read, nargs clamped to the LS_MAX_ARGS slots of an event. */
static int gather_args(ls_word *args, int nargs, va_list ap)
{
    if (nargs < 0 || nargs > LS_MAX_ARGS)
        nargs = nargs < 0 ? 0 : LS_MAX_ARGS;
    for (int i = 0; i < nargs; i++)
        args[i] = va_arg(ap, ls_word);
    return nargs;
}

/* Delivers one event to every handler for (function, when) and the
 * instances it applies to.  Returns the number of new verdicts. */
static int deliver(struct harness *h, const char *function, enum ls_when when,
                   ls_word ret, int nargs, const ls_word *args)
{
    struct ls_event ev;
    struct ls_env env = { h->irql, h->irql_depth };
    int before = h->verdicts;
    bool keyed = h->rule->watch_count > 0;

    if (h->rule->state_size > HARNESS_STATE_BYTES)
        return 0;                           /* refused in harness_init */
    memset(&ev, 0, sizeof ev);
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    ev.ret = ret;
    memcpy(ev.args, args, (size_t)nargs * sizeof args[0]);

    for (unsigned i = 0; i < h->rule->handler_count; i++) {
        const struct ls_handler *hd = &h->rule->handlers[i];
        if (hd->when != when || strcmp(hd->function, function) != 0)
            continue;
        ls_word key = operand_value(&ev, hd->guard);
        bool all = !keyed || hd->guard.kind == LS_OP_NONE
                   || (hd->guard_or_null && key == 0);
        if (!keyed) {
            step_one(h, &h->def, i, &ev, &env);
        } else if (all) {
            for (int k = 0; k < h->count; k++)
                step_one(h, &h->inst[k], i, &ev, &env);
            step_one(h, &h->def, i, &ev, &env);
        } else {
            struct harness_instance *in = instance_for(h, key);
            if (in)
                step_one(h, in, i, &ev, &env);
        }
    }
    return h->verdicts - before;
}

int harness_event(struct harness *h, const char *function, enum ls_when when,
                  ls_word ret, int nargs, ...)
{
    ls_word args[LS_MAX_ARGS];
    va_list ap;
    va_start(ap, nargs);
    nargs = gather_args(args, nargs, ap);
    va_end(ap);
    return deliver(h, function, when, ret, nargs, args);
}

int harness_call(struct harness *h, const char *function, ls_word ret, int nargs, ...)
{
    ls_word args[LS_MAX_ARGS];
    va_list ap;
    va_start(ap, nargs);
    nargs = gather_args(args, nargs, ap);
    va_end(ap);
    return deliver(h, function, LS_ENTRY, 0, nargs, args)
         + deliver(h, function, LS_EXIT, ret, nargs, args);
}

int harness_live(const struct harness *h)
{
    int n = 0;
    for (int i = 0; i < h->count; i++)
        n += !h->inst[i].stopped;
    return n;
}

int harness_find_handler(const struct ls_rule *rule, const char *function,
                         enum ls_when when)
{
    for (uint32_t i = 0; i < rule->handler_count; i++)
        if (rule->handlers[i].when == when && strcmp(rule->handlers[i].function, function) == 0)
            return (int)i;
    return -1;
}

const struct ls_handler *harness_handler(const struct ls_rule *rule,
                                         const char *function, enum ls_when when)
{
    int i = harness_find_handler(rule, function, when);
    return i < 0 ? NULL : &rule->handlers[i];
}

bool harness_guarded_by_arg(const struct ls_rule *rule, const char *function,
                            enum ls_when when, unsigned n)
{
    const struct ls_handler *hd = harness_handler(rule, function, when);
    return hd && hd->guard.kind == LS_OP_ARG && hd->guard.index == n && !hd->guard_or_null;
}

bool harness_unguarded(const struct ls_rule *rule, const char *function,
                       enum ls_when when)
{
    const struct ls_handler *hd = harness_handler(rule, function, when);
    return hd && hd->guard.kind == LS_OP_NONE;
}

const char *harness_role(const struct ls_rule *rule, const char *function,
                         enum ls_when when)
{
    const struct ls_handler *hd = harness_handler(rule, function, when);
    return hd ? hd->role : NULL;
}

bool harness_watch_is(const struct ls_rule *rule, unsigned i, const char *function,
                      enum ls_when when, unsigned n)
{
    const struct ls_watch *w = i < rule->watch_count ? &rule->watches[i] : NULL;
    return w && strcmp(w->function, function) == 0 && w->when == when
           && w->key.kind == LS_OP_ARG && w->key.index == n;
}

/* ---- Storport calls ------------------------------------------------------ */

/* A device extension and an SRB, as HwStorStartIo receives them. */
static const ls_word DEVEXT = 0xffffa0100000;
static const ls_word SRB = 0xffffa0200000;

int harness_acquire_spin_lock(struct harness *h, ls_word lock, ls_word old_irql)
{
    return harness_call(h, "KeAcquireSpinLock", 0, 2, lock, old_irql);
}

int harness_release_spin_lock(struct harness *h, ls_word lock, ls_word new_irql)
{
    return harness_call(h, "KeReleaseSpinLock", 0, 2, lock, new_irql);
}

int harness_acquire_queued(struct harness *h, ls_word lock, ls_word handle)
{
    return harness_call(h, "KeAcquireInStackQueuedSpinLock", 0, 2, lock, handle);
}

int harness_release_queued(struct harness *h, ls_word handle)
{
    return harness_call(h, "KeReleaseInStackQueuedSpinLock", 0, 1, handle);
}

const char *const harness_routines[HARNESS_ROUTINES] = {
    "sdv_RunHwStartIo", "sdv_RunHwBuildIo", "sdv_RunHwInterrupt",
    "sdv_RunHwMSIInterrupt", "sdv_RunHwDpcRoutine", "sdv_RunHwTimer",
    "sdv_RunHwFindAdapter", "sdv_RunHwInitialize", "sdv_RunHwPassiveInitialize",
    "sdv_RunHwResetBus", "sdv_RunHwAdapterControl", "sdv_RunHwUnitControl",
};

int harness_routine_entry(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_ENTRY, 0, 2, DEVEXT, SRB);
}

int harness_routine_exit(struct harness *h, const char *routine)
{
    return harness_event(h, routine, LS_EXIT, 1, 2, DEVEXT, SRB);
}

/* ---- POSIX calls --------------------------------------------------------- */

int harness_pthread(struct harness *h, const char *function, ls_word lock, ls_word ret)
{
    return harness_call(h, function, ret, 1, lock);
}

int harness_cond_wait(struct harness *h, ls_word cond, ls_word mutex)
{
    return harness_call(h, "pthread_cond_wait", 0, 2, cond, mutex);
}

int harness_thread_exit(struct harness *h, ls_word status, ls_word signal)
{
    return harness_event(h, "lockstep_thread_exit", LS_ENTRY, 0, 2, status, signal);
}
