/*
 * env.c — see env.h.
 *
 * The model follows SDV's (DESIGN sections 3 and 8): an acquire pushes
 * DISPATCH_LEVEL, KeReleaseSpinLock(l, new) and KeLowerIrql(new) pop and
 * make sure the top is `new`, the in-stack queued release pops.  The
 * runtime applies a call's effect when the call's exit arrives, before
 * the rules see that exit: an exit event is "the call has returned", so
 * KeAcquireSpinLock.exit runs at DISPATCH_LEVEL, as it does under SDV
 * (whose model body runs before the rule's .exit handler) and as a trace
 * records it (`2 cpu0 2 exit KeAcquireSpinLock ...`).
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* StorPortAcquireSpinLock's lock kinds (STOR_SPINLOCK); InterruptLock
 * raises to the device's IRQL, which a trace does not tell: the model
 * uses 5, a typical DIRQL above DISPATCH_LEVEL, so rules that ask "above
 * DISPATCH_LEVEL?" get the right answer. */
#define STOR_INTERRUPT_LOCK 3
#define ENV_DEVICE_IRQL 5

const struct env_call env_calls[] = {
    { "KeAcquireSpinLock",                 ENV_PUSH_DISPATCH },
    { "KeAcquireSpinLockRaiseToDpc",       ENV_PUSH_DISPATCH },
    { "KeAcquireInStackQueuedSpinLock",    ENV_PUSH_DISPATCH },
    { "KeRaiseIrqlToDpcLevel",             ENV_PUSH_DISPATCH },
    { "IoAcquireCancelSpinLock",           ENV_PUSH_DISPATCH },
    { "StorPortAcquireSpinLock",           ENV_PUSH_STORPORT },
    { "KeRaiseIrql",                       ENV_PUSH_ARG1 },
    { "KeReleaseSpinLock",                 ENV_POP_TO_ARG2 },
    { "KeLowerIrql",                       ENV_POP_TO_ARG1 },
    { "IoReleaseCancelSpinLock",           ENV_POP_TO_ARG1 },
    { "KeReleaseInStackQueuedSpinLock",    ENV_POP },
    { "StorPortReleaseSpinLock",           ENV_POP },
    /* the AtDpcLevel / FromDpcLevel variants leave the IRQL alone */
    { "KeAcquireSpinLockAtDpcLevel",       ENV_NONE },
    { "KeReleaseSpinLockFromDpcLevel",     ENV_NONE },
    { "KeAcquireInStackQueuedSpinLockAtDpcLevel", ENV_NONE },
    { "KeReleaseInStackQueuedSpinLockFromDpcLevel", ENV_NONE },
};
const size_t env_call_count = sizeof env_calls / sizeof env_calls[0];

int env_stack_init(struct env_stack *s)
{
    s->levels = malloc(8);
    if (s->levels == NULL) {
        s->depth = s->cap = 0;
        return -1;
    }
    s->levels[0] = ENV_PASSIVE_LEVEL;
    s->depth = 1;
    s->cap = 8;
    return 0;
}

void env_stack_free(struct env_stack *s)
{
    free(s->levels);
    s->levels = NULL;
    s->depth = s->cap = 0;
}

static int push(struct env_stack *s, uint8_t level)
{
    if (s->depth == s->cap) {
        if (s->cap > UINT32_MAX / 2)
            return -1;
        uint8_t *levels = realloc(s->levels, (size_t)s->cap * 2);
        if (levels == NULL)
            return -1;
        s->levels = levels;
        s->cap *= 2;
    }
    s->levels[s->depth++] = level;
    return 0;
}

/* Pops one level; popping the last one leaves PASSIVE_LEVEL, which is
 * what lies below the bottom of the stack. */
static void pop(struct env_stack *s)
{
    if (s->depth > 1)
        s->depth--;
    else
        s->levels[0] = ENV_PASSIVE_LEVEL;
}

int env_apply(struct env_stack *s, unsigned effect, const struct ls_event *ev)
{
    switch (effect) {
    case ENV_PUSH_DISPATCH:
        return push(s, ENV_DISPATCH_LEVEL);
    case ENV_PUSH_ARG1:
        return push(s, env_level(ls_event_arg(ev, 1)));
    case ENV_PUSH_STORPORT:
        return push(s, ls_event_arg(ev, 2) == STOR_INTERRUPT_LOCK
                       ? ENV_DEVICE_IRQL : ENV_DISPATCH_LEVEL);
    case ENV_POP:
        pop(s);
        return 0;
    case ENV_POP_TO_ARG1:
    case ENV_POP_TO_ARG2:
        pop(s);
        env_set_top(s, env_level(ls_event_arg(ev, effect == ENV_POP_TO_ARG1 ? 1 : 2)));
        return 0;
    default:
        return 0;
    }
}
