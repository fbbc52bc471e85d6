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
 *
 * The effects themselves (env_apply) are inline in env.h, since they run
 * on a third of a trace's events; this file has the table of calls and
 * what allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"

const struct env_call env_calls[] = {
    { "KeAcquireSpinLock",                 ENV_PUSH_DISPATCH, ENV_GIVES_OLD_THROUGH_ARG, 2 },
    { "KeAcquireSpinLockRaiseToDpc",       ENV_PUSH_DISPATCH, ENV_GIVES_OLD_AS_RETURN, 0 },
    { "KeAcquireInStackQueuedSpinLock",    ENV_PUSH_DISPATCH, ENV_GIVES_NOTHING, 0 },
    { "KeRaiseIrqlToDpcLevel",             ENV_PUSH_DISPATCH, ENV_GIVES_OLD_AS_RETURN, 0 },
    { "IoAcquireCancelSpinLock",           ENV_PUSH_DISPATCH, ENV_GIVES_OLD_THROUGH_ARG, 1 },
    { "StorPortAcquireSpinLock",           ENV_PUSH_STORPORT, ENV_GIVES_NOTHING, 0 },
    { "KeRaiseIrql",                       ENV_PUSH_ARG1,     ENV_GIVES_OLD_THROUGH_ARG, 2 },
    { "KeReleaseSpinLock",                 ENV_POP_TO_ARG2,   ENV_GIVES_NOTHING, 0 },
    { "KeLowerIrql",                       ENV_POP_TO_ARG1,   ENV_GIVES_NOTHING, 0 },
    { "IoReleaseCancelSpinLock",           ENV_POP_TO_ARG1,   ENV_GIVES_NOTHING, 0 },
    { "KeReleaseInStackQueuedSpinLock",    ENV_POP,           ENV_GIVES_NOTHING, 0 },
    { "StorPortReleaseSpinLock",           ENV_POP,           ENV_GIVES_NOTHING, 0 },
    /* the AtDpcLevel / FromDpcLevel variants leave the IRQL alone */
    { "KeAcquireSpinLockAtDpcLevel",       ENV_NONE,          ENV_GIVES_NOTHING, 0 },
    { "KeReleaseSpinLockFromDpcLevel",     ENV_NONE,          ENV_GIVES_NOTHING, 0 },
    { "KeAcquireInStackQueuedSpinLockAtDpcLevel", ENV_NONE,   ENV_GIVES_NOTHING, 0 },
    { "KeReleaseInStackQueuedSpinLockFromDpcLevel", ENV_NONE, ENV_GIVES_NOTHING, 0 },
    { "KeGetCurrentIrql",                  ENV_NONE,          ENV_GIVES_CURRENT, 0 },
};
const size_t env_call_count = sizeof env_calls / sizeof env_calls[0];

int env_stack_init(struct env_stack *s)
{
    s->levels = malloc(8);
    if (s->levels == NULL) {
        s->depth = s->cap = 0;
        return -1;
    }
    s->levels[0] = s->top = ENV_PASSIVE_LEVEL;
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

int env_grow(struct env_stack *s)
{
    if (s->depth < s->cap)
        return 0;
    if (s->cap > UINT32_MAX / 2)
        return -1;
    uint8_t *levels = realloc(s->levels, (size_t)s->cap * 2);
    if (levels == NULL)
        return -1;
    s->levels = levels;
    s->cap *= 2;
    return 0;
}
