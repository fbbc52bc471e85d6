/*
 * env.h — the environment model (DESIGN section 3): per thread an IRQL
 * stack, moved by the calls that raise and lower the IRQL, with SDV's
 * semantics.  The model is a table of (function name, effect); the
 * runtime interns the names once when it is created and keeps the effect
 * per function id, so an event costs an array lookup.  Rules read the
 * stack through struct ls_env and never write it.
 */
#ifndef LS_CORE_ENV_H
#define LS_CORE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/rule.h>

#define ENV_PASSIVE_LEVEL 0
#define ENV_DISPATCH_LEVEL 2
#define ENV_MAX_IRQL 31

/* What a call does to the IRQL stack at its exit. */
enum env_effect {
    ENV_NONE = 0,
    ENV_PUSH_DISPATCH,      /* push DISPATCH_LEVEL                          */
    ENV_PUSH_ARG1,          /* KeRaiseIrql(new, &old): push new             */
    ENV_PUSH_STORPORT,      /* StorPortAcquireSpinLock: by lock kind ($2)   */
    ENV_POP,                /* pop one level                                */
    ENV_POP_TO_ARG1,        /* pop, then the top becomes $1                 */
    ENV_POP_TO_ARG2         /* pop, then the top becomes $2                 */
};

/* One call of the model; names without SDV's `sdv_` prefix. */
struct env_call {
    const char *name;
    uint8_t effect;         /* enum env_effect                              */
};

extern const struct env_call env_calls[];
extern const size_t env_call_count;

/* One thread's IRQL stack: levels[depth - 1] is the current IRQL.  The
 * depth never drops below 1 (PASSIVE_LEVEL at the bottom), and the stack
 * is unbounded. */
struct env_stack {
    uint8_t *levels;
    uint32_t depth, cap;
};

/* [PASSIVE_LEVEL]; 0, or -1 when out of memory. */
int env_stack_init(struct env_stack *s);
void env_stack_free(struct env_stack *s);

/* Applies effect (enum env_effect) of the call ev to s; 0, or -1 when out
 * of memory (the stack is then unchanged). */
int env_apply(struct env_stack *s, unsigned effect, const struct ls_event *ev);

/* An IRQL value from an argument, clamped to 0..31 so it fits the stack
 * (and a trail entry's five bits) whatever garbage a trace carries. */
static inline uint8_t env_level(ls_word v)
{
    return v < 0 ? 0 : v > ENV_MAX_IRQL ? ENV_MAX_IRQL : (uint8_t)v;
}

static inline uint8_t env_top(const struct env_stack *s)
{
    return s->levels[s->depth - 1];
}

static inline void env_set_top(struct env_stack *s, uint8_t level)
{
    s->levels[s->depth - 1] = level;
}

static inline struct ls_env env_view(const struct env_stack *s)
{
    struct ls_env e = { s->levels, s->depth };
    return e;
}

#endif
