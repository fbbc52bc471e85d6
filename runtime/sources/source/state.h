/*
 * state.h — the abstract state of one path at one program point: the IRQL
 * stack of the environment model, every rule's instances (SLIC's `watch`
 * semantics, as the trace runtime keeps them), and the values the path has
 * given to places.
 *
 * States are copied at each fork and compared by a 64-bit hash of their
 * canonical bytes (instances sorted by key, bindings by place), so two
 * paths that reach a point in the same state are explored once.
 */
#ifndef LS_SOURCE_STATE_H
#define LS_SOURCE_STATE_H

#include <stdint.h>

#include <lockstep/rule.h>

#include "value.h"

#define STATE_IRQL_MAX 32           /* deeper: the path gives up             */

/* One rule's instances.  For a rule without `watch` there is only the
 * default instance (it is the per-thread instance). */
struct rule_slot {
    unsigned char *def;             /* the default instance's state          */
    uint8_t def_stopped;
    uint32_t n, cap;                /* keyed instances, sorted by key        */
    ls_word *keys;
    uint8_t *stopped;
    unsigned char *states;          /* n × state_size                        */
};

struct binding {
    uint32_t place;
    uint32_t pad;                   /* zero                                  */
    struct value value;
};

struct astate {
    uint8_t irql[STATE_IRQL_MAX];
    uint32_t depth;
    uint32_t nrules;
    const struct ls_rule *const *rules;
    struct rule_slot *slots;        /* nrules                                */
    struct binding *vars;           /* sorted by place                       */
    uint32_t nvars, vars_cap;
    struct value ret;               /* the value a return statement gave     */
};

/* A fresh state: IRQL stack [irql], every rule's default instance
 * initialised, no bindings.  NULL when out of memory. */
struct astate *state_new(const struct ls_rule *const *rules, uint32_t nrules, uint8_t irql);
struct astate *state_copy(const struct astate *s);
void state_free(struct astate *s);

/* Replaces the IRQL stack and the rule instances of s with from's (the
 * state a called function returns in, with the caller's values).  0, or
 * -1 when out of memory (s is then unchanged). */
int state_take_env(struct astate *s, const struct astate *from);

/* Bindings. */
const struct value *state_lookup(const struct astate *s, uint32_t place);
int state_bind(struct astate *s, uint32_t place, const struct value *v);
void state_unbind(struct astate *s, uint32_t place);
/* Drops the bindings of places rooted in a local of function owner: all
 * of them (live NULL: the function returns), or those of the variables
 * live says nobody reads any more. */
void state_drop_locals(struct astate *s, const struct places *p, const char *owner,
                       int (*live)(const void *context, int32_t var), const void *context);
/* Joins other into s: every place the two give different values (or
 * only one of them gives a value) becomes unknown in s.  A point that
 * has seen many states widens each newcomer against the last one, so its
 * states only ever lose facts and loops and long if-chains terminate.
 * 0, or -1 when out of memory. */
int state_widen(struct astate *s, const struct astate *other);

/* The instance of rule r for key: its state bytes and stopped flag; adds
 * one cloned from the default when absent (*created set).  NULL when out
 * of memory. */
unsigned char *state_instance(struct astate *s, uint32_t r, ls_word key, uint8_t **stopped,
                              int *created);
/* Removes rule r's instance number i (it returned to the default). */
void state_remove_instance(struct astate *s, uint32_t r, uint32_t i);

/* IRQL stack, as the rules read it. */
static inline struct ls_env state_env(const struct astate *s)
{
    struct ls_env e = { s->irql, s->depth };
    return e;
}

/* A 64-bit hash of the whole state, the return value included (two
 * paths that reach a function's exit with different return values are
 * two exits). */
uint64_t state_hash(const struct astate *s);

#endif /* LS_SOURCE_STATE_H */
