/*
 * lockstep/runtime.h — the shared runtime: it applies checker modules
 * (lockstep/rule.h) to a stream of call events, whatever produced them
 * (a recorded trace, the static engine, the simulator).
 *
 * A source interns each function and thread name once (ls_runtime_function,
 * ls_runtime_thread) and then hands over events by id; the runtime
 *   - dispatches each event by array index to exactly the handlers that
 *     watch its function (decided when rules are added, never per event);
 *   - keeps rule instances: one per thread for rules without `watch`, one
 *     per watched value (shared by all threads) for rules with one, plus
 *     the default instance new ones are cloned from; an instance whose
 *     state equals the default instance's is dropped, so memory follows
 *     the objects held, not the objects ever seen;
 *   - keeps the environment model: an IRQL stack per thread, updated by
 *     the calls that change the IRQL; a recorded IRQL overrides the model,
 *     and a disagreement is reported once per thread as a notice;
 *   - reports each violation, with the instance's recent events (its
 *     trail), to a sink the caller provides.
 *
 * The library never exits and never prints: errors are returned and their
 * text kept in the runtime (ls_runtime_error).
 */
#ifndef LOCKSTEP_RUNTIME_H
#define LOCKSTEP_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/rule.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_runtime;

#define LS_IRQL_UNKNOWN (-1)        /* an event with no recorded IRQL       */
#define LS_TRAIL_MAX 32             /* most trail events kept per instance  */

/* One event of an instance's trail (compact: the runtime keeps many). */
struct ls_trail_event {
    uint64_t seq;
    uint32_t function;              /* runtime function id                  */
    uint32_t thread;                /* runtime thread id                    */
    uint8_t when;                   /* enum ls_when                         */
    uint8_t irql;                   /* IRQL the rule saw                    */
};

/* A violation, as the runtime hands it to the sink.  Everything points
 * into the runtime and is valid only during the sink call. */
struct ls_violation {
    uint32_t rule;                  /* index of the rule in the runtime     */
    const struct ls_rule *module;
    const struct ls_verdict *verdict;
    const char *message;            /* formatted: $fname substituted        */
    const struct ls_event *event;   /* the event that triggered it          */
    uint32_t thread;                /* thread of that event                 */
    const char *file;               /* source location of the event, or NULL */
    uint32_t line;
    int keyed;                      /* 1: instance of a watched value       */
    ls_word key;                    /* that value                           */
    const struct ls_trail_event *trail;  /* oldest first, ends with event   */
    uint32_t trail_length;
};

/* Sinks may read the runtime (names, stats) but must not apply events or
 * add rules from inside the call. */
typedef void (*ls_violation_sink)(void *context, const struct ls_violation *v);

/* A notice: something worth telling the user that is not a violation
 * (e.g. recorded and modelled IRQL disagree).  Valid during the call. */
typedef void (*ls_notice_sink)(void *context, uint32_t thread, uint64_t seq,
                               const char *text);

/* Per-rule counters. */
struct ls_rule_stats {
    uint64_t events;                /* events that reached the rule         */
    uint64_t steps;                 /* step() calls                         */
    uint64_t instances;             /* instances created in all             */
    uint64_t live_instances;        /* instances alive now                  */
    uint64_t peak_instances;        /* most alive at once                   */
    uint64_t violations;
    uint64_t unknown_guards;        /* handler skipped: its guard reads a
                                       value the event lacks (LS_OP_EXT with
                                       ev->ext NULL)                        */
};

/* A new, empty runtime; NULL when out of memory. */
struct ls_runtime *ls_runtime_new(void);
void ls_runtime_free(struct ls_runtime *rt);

/* Text of the last error. */
const char *ls_runtime_error(const struct ls_runtime *rt);

void ls_runtime_set_sinks(struct ls_runtime *rt, ls_violation_sink on_violation,
                          ls_notice_sink on_notice, void *context);

/* Trail events kept per instance, 0..LS_TRAIL_MAX (default 8).  Call
 * before the first event. */
void ls_runtime_set_trail_length(struct ls_runtime *rt, unsigned length);

/* Add a rule; returns its index, or -1 (ls_runtime_error says why: an
 * ABI mismatch, a state too large, out of memory).  Rules are added before
 * the first event. */
int ls_runtime_add_rule(struct ls_runtime *rt, const struct ls_rule *rule);

/* The stats pointer stays valid until the next ls_runtime_add_rule. */
uint32_t ls_runtime_rule_count(const struct ls_runtime *rt);
const struct ls_rule *ls_runtime_rule(const struct ls_runtime *rt, uint32_t index);
const struct ls_rule_stats *ls_runtime_stats(const struct ls_runtime *rt, uint32_t index);

/* Say which driver function plays a role, so handlers written for
 * fun_<ROLE> or an sdv_Run* harness name fire on it.  Returns 0 or -1. */
int ls_runtime_map_role(struct ls_runtime *rt, const char *role, const char *function);

/* Intern a function or thread name (not NUL-terminated); returns its id,
 * stable for the runtime's life, or UINT32_MAX when out of memory. */
uint32_t ls_runtime_function(struct ls_runtime *rt, const char *name, size_t length);
uint32_t ls_runtime_thread(struct ls_runtime *rt, const char *name, size_t length);
const char *ls_runtime_function_name(const struct ls_runtime *rt, uint32_t id);
const char *ls_runtime_thread_name(const struct ls_runtime *rt, uint32_t id);

/* Refuse, from now on, an exit event whose entry the thread never made
 * (or that an exit of an outer call already closed): ls_runtime_event then
 * returns LS_EVENT_REFUSED.  Off by default; trace readers of a CLI turn
 * it on, since a trace with such an exit is malformed or cut. */
void ls_runtime_check_calls(struct ls_runtime *rt, int on);

#define LS_EVENT_REFUSED 1          /* ls_runtime_event: see above          */

/* Apply one event: ev->fn is a function id, ev->when/nargs/args/ret/seq
 * are filled; irql is the recorded IRQL or LS_IRQL_UNKNOWN; file/line the
 * event's source location (file NULL when none).  Returns 0;
 * LS_EVENT_REFUSED when call checking is on and the event is an exit
 * without its entry (nothing applied, ls_runtime_error says why); -1 when
 * the event is malformed or memory runs out (the runtime stays usable). */
int ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                     struct ls_event *ev, const char *file, uint32_t line);

/* The modelled IRQL stack of a thread (for tests and tools). */
struct ls_env ls_runtime_env(const struct ls_runtime *rt, uint32_t thread);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_RUNTIME_H */
