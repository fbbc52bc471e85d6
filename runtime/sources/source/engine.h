/*
 * engine.h — source mode's analysis: every path from an entry point
 * through lockstep's CFGs (ir.h), with the checker modules (rule.h)
 * applied to the call events met on the way.
 *
 * The engine explores (program point × rule instances × IRQL stack ×
 * values) with merging of identical states; it calls a function defined
 * in the program through a summary (its entry state → its exit states,
 * computed once per distinct entry state, recursion to a fixed point); it
 * follows the values the environment model hands back (the old IRQL of
 * KeAcquireSpinLock) through the code; and it reports each violation with
 * the path that reached it.  Budgets bound the work: an entry point that
 * needs more states gives up and says where.
 */
#ifndef LS_SOURCE_ENGINE_H
#define LS_SOURCE_ENGINE_H

#include <stdint.h>

#include <lockstep/rule.h>

#include "ir.h"

/* One step of an error trace. */
struct engine_step {
    const char *kind;               /* "entry", "call", "branch", "return",
                                       "exit", "event"                       */
    const char *function;
    const char *file;
    uint32_t line, column;
    int irql;                       /* -1 when unknown                       */
    const char *text;
};

struct engine_violation {
    uint32_t rule;                  /* index in the engine's rule list       */
    const struct ls_rule *module;
    const char *message;            /* $fname substituted                    */
    const char *function;           /* the function whose event fired        */
    const char *file;
    uint32_t line, column;
    const char *entry;              /* the entry point of the path           */
    const char *instance_key;       /* "&ext->Lock", or NULL                 */
    const struct engine_step *steps;/* oldest first; the last is the event   */
    uint32_t nsteps;
};

typedef void (*engine_sink)(void *context, const struct engine_violation *v);

struct engine_limits {
    uint64_t max_states;            /* per entry point                       */
    uint32_t max_call_depth;        /* nested calls followed                 */
    uint32_t widen_after;           /* states at one point before widening   */
};

/* Per-function counters, indexed like ir_program.functions. */
struct engine_function_stats {
    uint64_t states;                /* states explored in the function       */
    const char *gave_up;            /* why, when an exploration gave up here */
};

struct engine;

struct engine *engine_new(const struct ir_program *program,
                          const struct ls_rule *const *rules, uint32_t nrules,
                          const struct engine_limits *limits,
                          engine_sink sink, void *context);
void engine_free(struct engine *e);

/* Explores entry point `entry` (whose definition is f) starting at irql.
 * Returns 0 when every path was followed, 1 when the exploration gave up
 * (engine_function_stats says where and why), -1 when out of memory. */
int engine_explore(struct engine *e, const struct ir_entry *entry,
                   const struct ir_function *f, uint8_t irql);

const struct engine_function_stats *engine_stats(const struct engine *e, uint32_t function);
/* States explored by the last engine_explore. */
uint64_t engine_last_states(const struct engine *e);

#endif /* LS_SOURCE_ENGINE_H */
