/*
 * harness.h — a small, obviously-correct host for checker modules, used
 * by the behaviour tests: it applies the SLIC instance semantics of
 * DESIGN section 8 with linear searches (the real runtime uses hash
 * tables) so each test reads as "these events give these verdicts".
 *
 *   - a rule without `watch` has one instance;
 *   - a guarded handler applies to the instance keyed by the guard value,
 *     cloned from the default instance when new;
 *   - an unguarded handler applies to every live instance and the default;
 *   - an instance that aborts or halts stops for good.
 *
 * It also holds what the tests share rather than repeat: a call as entry
 * plus exit, the Storport calls and miniport routines and the POSIX calls
 * they make, and
 * questions about a rule's descriptor (which handler, which guard, which
 * watch).  The checks built on them, which CHECK, are in checks.h.
 */
#ifndef LS_TEST_HARNESS_H
#define LS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <lockstep/rule.h>

#define HARNESS_MAX_INSTANCES 64
#define HARNESS_MAX_VERDICTS 64
#define HARNESS_STATE_BYTES 256

struct harness_instance {
    ls_word key;
    bool stopped;
    /* a module casts this to its state struct: align it for any type */
    _Alignas(max_align_t) unsigned char state[HARNESS_STATE_BYTES];
};

struct harness {
    const struct ls_rule *rule;
    struct harness_instance def;            /* the default instance          */
    struct harness_instance inst[HARNESS_MAX_INSTANCES];
    int count;
    uint8_t irql[32];                       /* the IRQL stack the rule sees  */
    uint32_t irql_depth;
    char messages[HARNESS_MAX_VERDICTS][256];  /* formatted verdicts         */
    ls_word verdict_keys[HARNESS_MAX_VERDICTS];
    int verdicts;
};

void harness_init(struct harness *h, const struct ls_rule *rule);

/* Set the IRQL stack from the bottom up: harness_irql(h, 2, 0, 2) makes
 * sdv_irql_current 2 and sdv_irql_previous 0.  At most 32 levels. */
void harness_irql(struct harness *h, int depth, ...);

/* Deliver one event: function name, entry/exit, return value (ignored on
 * entry), nargs arguments (at most LS_MAX_ARGS), each passed as an ls_word:
 * a plain int literal read back by va_arg as int64_t is undefined
 * behaviour.  Returns the number of new verdicts. */
int harness_event(struct harness *h, const char *function, enum ls_when when,
                  ls_word ret, int nargs, ...);

/* Deliver one call: its entry (return value 0) then its exit (return value
 * ret), both with the same nargs arguments, each an ls_word as for
 * harness_event.  Returns the new verdicts of both events. */
int harness_call(struct harness *h, const char *function, ls_word ret, int nargs, ...);

/* Live (not stopped) keyed instances. */
int harness_live(const struct harness *h);

/* ---- the descriptor ------------------------------------------------------ */

/* The index of rule's handler for (function, when), or -1. */
int harness_find_handler(const struct ls_rule *rule, const char *function,
                         enum ls_when when);

/* That handler, or NULL. */
const struct ls_handler *harness_handler(const struct ls_rule *rule,
                                         const char *function, enum ls_when when);

/* True if the handler exists and is keyed by argument $n alone (no "or
 * NULL" fallback to every instance). */
bool harness_guarded_by_arg(const struct ls_rule *rule, const char *function,
                            enum ls_when when, unsigned n);

/* True if the handler exists and has no guard: it reaches every instance. */
bool harness_unguarded(const struct ls_rule *rule, const char *function,
                       enum ls_when when);

/* The handler's role ("HW_STARTIO"), or NULL when it has none or there is
 * no such handler. */
const char *harness_role(const struct ls_rule *rule, const char *function,
                         enum ls_when when);

/* True if rule's watch i exists and creates instances at (function, when)
 * keyed by argument $n. */
bool harness_watch_is(const struct ls_rule *rule, unsigned i, const char *function,
                      enum ls_when when, unsigned n);

/* ---- the Storport calls the tests make ---------------------------------- */

/* KeAcquireSpinLock(lock, &OldIrql) and KeReleaseSpinLock(lock, NewIrql),
 * entry then exit; new verdicts. */
int harness_acquire_spin_lock(struct harness *h, ls_word lock, ls_word old_irql);
int harness_release_spin_lock(struct harness *h, ls_word lock, ls_word new_irql);

/* KeAcquireInStackQueuedSpinLock(lock, &handle) and
 * KeReleaseInStackQueuedSpinLock(&handle), entry then exit; new verdicts. */
int harness_acquire_queued(struct harness *h, ls_word lock, ls_word handle);
int harness_release_queued(struct harness *h, ls_word handle);

/* The twelve miniport routines Storport calls (sdv_RunHwStartIo, ...), as
 * the rules that check them at their return name them. */
#define HARNESS_ROUTINES 12
extern const char *const harness_routines[HARNESS_ROUTINES];

/* The harness runs a miniport routine with a device extension and an SRB:
 * its entry, or its exit returning TRUE.  New verdicts. */
int harness_routine_entry(struct harness *h, const char *routine);
int harness_routine_exit(struct harness *h, const char *routine);

/* ---- the POSIX calls the tests make -------------------------------------- */

/* One call of a pthread lock function on lock (pthread_mutex_lock,
 * pthread_spin_unlock, ...): its entry, then its exit returning ret.  New
 * verdicts. */
int harness_pthread(struct harness *h, const char *function, ls_word lock, ls_word ret);

/* pthread_cond_wait(cond, mutex): entry, then exit returning 0. */
int harness_cond_wait(struct harness *h, ls_word cond, ls_word mutex);

/* The end of the thread, as trace importers report it:
 * lockstep_thread_exit(status, signal).  New verdicts. */
int harness_thread_exit(struct harness *h, ls_word status, ls_word signal);

#endif
