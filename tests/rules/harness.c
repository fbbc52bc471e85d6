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

int harness_event(struct harness *h, const char *function, enum ls_when when,
                  ls_word ret, int nargs, ...)
{
    struct ls_event ev;
    struct ls_env env = { h->irql, h->irql_depth };
    int before = h->verdicts;
    bool keyed = h->rule->watch_count > 0;
    va_list ap;

    if (h->rule->state_size > HARNESS_STATE_BYTES)
        return 0;                           /* refused in harness_init */
    if (nargs < 0 || nargs > LS_MAX_ARGS)   /* ev.args has LS_MAX_ARGS slots */
        nargs = nargs < 0 ? 0 : LS_MAX_ARGS;
    memset(&ev, 0, sizeof ev);
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    ev.ret = ret;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        ev.args[i] = va_arg(ap, ls_word);
    va_end(ap);

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

int harness_live(const struct harness *h)
{
    int n = 0;
    for (int i = 0; i < h->count; i++)
        n += !h->inst[i].stopped;
    return n;
}
