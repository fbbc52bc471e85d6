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

/* What a call does to the IRQL stack at its exit.  ORDER: the pushes come
 * before ENV_POP and the pops from it on (env_pushes). */
enum env_effect {
    ENV_NONE = 0,
    ENV_PUSH_DISPATCH,      /* push DISPATCH_LEVEL                          */
    ENV_PUSH_ARG1,          /* KeRaiseIrql(new, &old): push new             */
    ENV_PUSH_STORPORT,      /* StorPortAcquireSpinLock: by lock kind ($2)   */
    ENV_POP,                /* pop one level                                */
    ENV_POP_TO_ARG1,        /* pop, then the top becomes $1                 */
    ENV_POP_TO_ARG2         /* pop, then the top becomes $2                 */
};

/* What a call of the model hands back to the program (DESIGN section 3).
 * A trace records the values themselves; source mode follows them into
 * the driver's variables, so that KeReleaseSpinLock(&l, OldIrql) is known
 * to restore the IRQL that KeAcquireSpinLock(&l, &OldIrql) saved. */
enum env_gives {
    ENV_GIVES_NOTHING = 0,
    ENV_GIVES_OLD_THROUGH_ARG,  /* *$N = the IRQL before the call (N: arg)  */
    ENV_GIVES_OLD_AS_RETURN,    /* $return = the IRQL before the call       */
    ENV_GIVES_CURRENT           /* $return = the current IRQL               */
};

/* One call of the model; names without SDV's `sdv_` prefix. */
struct env_call {
    const char *name;
    uint8_t effect;         /* enum env_effect                              */
    uint8_t gives;          /* enum env_gives                               */
    uint8_t arg;            /* ENV_GIVES_OLD_THROUGH_ARG: which argument    */
};

extern const struct env_call env_calls[];
extern const size_t env_call_count;

/* One thread's IRQL stack: levels[depth - 1] is the current IRQL, also
 * kept in top so that the commonest question (has the recorded IRQL of
 * an event the model leaves alone changed?) is one load.  The depth
 * never drops below 1 (PASSIVE_LEVEL at the bottom), and the stack is
 * unbounded. */
struct env_stack {
    uint8_t *levels;
    uint32_t depth, cap;
    uint8_t top;            /* levels[depth - 1]                            */
};

/* [PASSIVE_LEVEL]; 0, or -1 when out of memory. */
int env_stack_init(struct env_stack *s);
void env_stack_free(struct env_stack *s);

/* An IRQL value from an argument, clamped to 0..31 so it fits the stack
 * (and a trail entry's five bits) whatever garbage a trace carries. */
static inline uint8_t env_level(ls_word v)
{
    return v < 0 ? 0 : v > ENV_MAX_IRQL ? ENV_MAX_IRQL : (uint8_t)v;
}

static inline uint8_t env_top(const struct env_stack *s)
{
    return s->top;
}

static inline void env_set_top(struct env_stack *s, uint8_t level)
{
    s->levels[s->depth - 1] = level;
    s->top = level;
}

static inline struct ls_env env_view(const struct env_stack *s)
{
    struct ls_env e = { s->levels, s->depth };
    return e;
}

/* Room for one more level on s: 0, or -1 when out of memory. */
int env_grow(struct env_stack *s);

/* Pushes a level; the caller made room (depth < cap). */
static inline void env_push(struct env_stack *s, uint8_t level)
{
    s->levels[s->depth++] = level;
    s->top = level;
}

/* Pops one level; popping the last one leaves PASSIVE_LEVEL, which is
 * what lies below the bottom of the stack. */
static inline void env_pop(struct env_stack *s)
{
    if (s->depth > 1)
        s->top = s->levels[--s->depth - 1];
    else
        s->levels[0] = s->top = ENV_PASSIVE_LEVEL;
}

/* StorPortAcquireSpinLock's lock kinds (STOR_SPINLOCK); InterruptLock
 * raises to the device's IRQL, which a trace does not tell: the model
 * uses 5, a typical DIRQL above DISPATCH_LEVEL, so rules that ask "above
 * DISPATCH_LEVEL?" get the right answer. */
#define ENV_STOR_INTERRUPT_LOCK 3
#define ENV_DEVICE_IRQL 5

/* 1 when effect (enum env_effect) pushes a level. */
static inline int env_pushes(unsigned effect)
{
    return effect != ENV_NONE && effect < ENV_POP;
}

/* Applies effect (enum env_effect, not ENV_NONE) of the call ev to s,
 * which has room for one more level (env_grow when depth == cap), so it
 * cannot fail.  Inline, since a third of a typical trace's events move
 * the IRQL, and written as two cases (a push, a pop) rather than a
 * switch: the effects come in no order a predictor can learn, and the
 * jump table of a switch measured slower than these few branches. */
static inline void env_apply(struct env_stack *s, unsigned effect, const struct ls_event *ev)
{
    if (env_pushes(effect)) {
        uint8_t level = ENV_DISPATCH_LEVEL;
        if (effect == ENV_PUSH_ARG1)
            level = env_level(ls_event_arg(ev, 1));
        else if (effect == ENV_PUSH_STORPORT && ls_event_arg(ev, 2) == ENV_STOR_INTERRUPT_LOCK)
            level = ENV_DEVICE_IRQL;
        env_push(s, level);
    } else {
        env_pop(s);
        if (effect != ENV_POP)
            env_set_top(s, env_level(ls_event_arg(ev, effect == ENV_POP_TO_ARG1 ? 1 : 2)));
    }
}

#endif
