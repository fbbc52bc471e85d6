/*
 * test_runtime.c — the runtime (lockstep/runtime.h) driving the shipped
 * Storport modules: the verdicts of the behaviour tests in tests/rules/
 * (two locks, nested acquires, release without acquire, late instances, no
 * cascades), per-thread instances of rules without `watch`, role mapping,
 * trails, dropping instances that are back to the default, statistics,
 * every refusal of ls_runtime_add_rule, guards the runtime cannot evaluate,
 * and a differential test: thousands of random event sequences fed both to
 * the runtime and to tests/rules/harness.c, the reference host, with the
 * same verdicts expected.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#include <lockstep/runtime.h>

extern const struct ls_rule *const ls_shipped_rules[];
extern const struct ls_rule ls_rule_SpinLock, ls_rule_SpinLockRelease, ls_rule_SpinLockSafe,
    ls_rule_QueuedSpinLock, ls_rule_QueuedSpinLockRelease, ls_rule_IrqlKeReleaseSpinLock,
    ls_rule_IrqlDispatch;

static const ls_word LOCK_A = 0xffffa0010000;
static const ls_word LOCK_B = 0xffffa0018000;
static const ls_word LOCK_C = 0xffffa001c000;
static const ls_word OLD_IRQL_A = 0xffffa0020000;
static const ls_word OLD_IRQL_B = 0xffffa0020008;
static const ls_word HANDLE_A = 0xffffa0030000;
static const ls_word PASSIVE = 0, DISPATCH = 2;

static const char MSG_TWICE[] =
    "KeAcquireSpinLock acquires a spin lock that the driver already holds.";
static const char MSG_TWICE_DPC[] =
    "KeAcquireSpinLockRaiseToDpc acquires a spin lock that the driver already holds.";
static const char MSG_RETURN_STARTIO[] =
    "sdv_RunHwStartIo returns to Storport while still holding a spin lock "
    "acquired with KeAcquireSpinLock.";
static const char MSG_NOT_ACQUIRED[] =
    "KeReleaseSpinLock releases a spin lock that was not acquired with "
    "KeAcquireSpinLock or KeAcquireSpinLockRaiseToDpc.";
static const char MSG_NOT_DISPATCH[] =
    "KeReleaseSpinLock is called at an IRQL other than DISPATCH_LEVEL.";
static const char MSG_SAFE[] =
    "IofCompleteRequest is called while the driver holds a spin lock.";

/* ---- a runtime and what its sinks received ------------------------------ */

struct got {
    uint32_t rule;
    int keyed;
    ls_word key;
    uint32_t thread;
    uint64_t seq;
    char message[256];
    char function[64];                      /* verdict->function           */
    uint32_t trail_length;
    struct ls_trail_event trail[LS_TRAIL_MAX];
};

#define MAX_GOT 512

struct fixture {
    struct ls_runtime *rt;
    uint32_t cpu0, cpu1;
    uint64_t seq;
    int n;
    struct got got[MAX_GOT];
    int consistent;                         /* every violation well formed */
};

static void on_violation(void *context, const struct ls_violation *v)
{
    struct fixture *f = context;
    char again[256];
    /* the message is the verdict formatted; the trail ends with the event */
    ls_format_message(v->verdict, again, sizeof again);
    if (strcmp(again, v->message) != 0 || v->module != ls_runtime_rule(f->rt, v->rule)
        || (v->trail_length > 0 && (v->trail[v->trail_length - 1].seq != v->event->seq
                                    || v->trail[v->trail_length - 1].function != v->event->fn
                                    || v->trail[v->trail_length - 1].thread != v->thread)))
        f->consistent = 0;
    if (f->n == MAX_GOT)
        return;
    struct got *g = &f->got[f->n++];
    g->rule = v->rule;
    g->keyed = v->keyed;
    g->key = v->key;
    g->thread = v->thread;
    g->seq = v->event->seq;
    snprintf(g->message, sizeof g->message, "%s", v->message);
    snprintf(g->function, sizeof g->function, "%s", v->verdict->function);
    g->trail_length = v->trail_length;
    if (v->trail_length)
        memcpy(g->trail, v->trail, v->trail_length * sizeof *v->trail);
}

/* A runtime with the given rules (NULL-terminated; all shipped rules when
 * rules is NULL) and threads cpu0, cpu1. */
static struct fixture *fixture_new(const struct ls_rule *const *rules)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->rt = ls_runtime_new();
    f->consistent = 1;
    ls_runtime_set_sinks(f->rt, on_violation, NULL, f);
    for (const struct ls_rule *const *r = rules ? rules : ls_shipped_rules; *r; r++)
        CHECK(ls_runtime_add_rule(f->rt, *r) >= 0);
    f->cpu0 = ls_runtime_thread(f->rt, "cpu0", 4);
    f->cpu1 = ls_runtime_thread(f->rt, "cpu1", 4);
    return f;
}

static void fixture_free(struct fixture *f)
{
    CHECK(f->consistent);
    ls_runtime_free(f->rt);
    free(f);
}

/* Index of the rule named name, or -1. */
static int rule_index(struct fixture *f, const char *name)
{
    for (uint32_t i = 0; i < ls_runtime_rule_count(f->rt); i++)
        if (strcmp(ls_runtime_rule(f->rt, i)->name, name) == 0)
            return (int)i;
    return -1;
}

static const struct ls_rule_stats *stats(struct fixture *f, const char *name)
{
    int i = rule_index(f, name);
    return i < 0 ? NULL : ls_runtime_stats(f->rt, (uint32_t)i);
}

/* Violations of rule `name` so far. */
static int count(struct fixture *f, const char *name)
{
    int i = rule_index(f, name), n = 0;
    for (int k = 0; k < f->n; k++)
        n += (int)f->got[k].rule == i;
    return n;
}

/* One event with a recorded IRQL (or LS_IRQL_UNKNOWN); the new violations. */
static int event_at(struct fixture *f, uint32_t thread, int irql, const char *fn,
                    enum ls_when when, ls_word ret, int nargs, const ls_word *args)
{
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++f->seq;
    ev.fn = ls_runtime_function(f->rt, fn, strlen(fn));
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    ev.ret = ret;
    memcpy(ev.args, args, (size_t)nargs * sizeof *args);
    int before = f->n;
    CHECK(ls_runtime_event(f->rt, thread, irql, &ev, NULL, 0) == 0);
    return f->n - before;
}

static int event_args(struct fixture *f, uint32_t thread, const char *fn, enum ls_when when,
                      ls_word ret, int nargs, const ls_word *args)
{
    return event_at(f, thread, LS_IRQL_UNKNOWN, fn, when, ret, nargs, args);
}

/* One event with nargs ls_word arguments; returns the new violations. */
static int event(struct fixture *f, uint32_t thread, const char *fn, enum ls_when when,
                 ls_word ret, int nargs, ...)
{
    ls_word args[LS_MAX_ARGS];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        args[i] = va_arg(ap, ls_word);
    va_end(ap);
    return event_args(f, thread, fn, when, ret, nargs, args);
}

/* Entry then exit; the new violations of both. */
static int call(struct fixture *f, uint32_t thread, const char *fn, int nargs, ...)
{
    ls_word args[LS_MAX_ARGS];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        args[i] = va_arg(ap, ls_word);
    va_end(ap);
    return event_args(f, thread, fn, LS_ENTRY, 0, nargs, args)
         + event_args(f, thread, fn, LS_EXIT, 0, nargs, args);
}

static int acquire(struct fixture *f, uint32_t thread, ls_word lock, ls_word old_irql)
{
    return call(f, thread, "KeAcquireSpinLock", 2, lock, old_irql);
}

static int release(struct fixture *f, uint32_t thread, ls_word lock, ls_word new_irql)
{
    return call(f, thread, "KeReleaseSpinLock", 2, lock, new_irql);
}

static int routine_exit(struct fixture *f, uint32_t thread, const char *routine)
{
    return event(f, thread, routine, LS_EXIT, 1, 0);
}

/* ---- the behaviour tests' cases, through the runtime -------------------- */

/* A, B, release A to DISPATCH, release B to PASSIVE: correct code, no
 * verdict from any rule; every lock instance is back to the default and
 * dropped. */
static void two_locks_interleaved(void)
{
    struct fixture *f = fixture_new(NULL);
    CHECK(event(f, f->cpu0, "sdv_RunHwStartIo", LS_ENTRY, 0, 0) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(stats(f, "SpinLock")->live_instances == 2);
    CHECK(release(f, f->cpu0, LOCK_A, DISPATCH) == 0);
    CHECK(release(f, f->cpu0, LOCK_B, PASSIVE) == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 0);
    CHECK(f->n == 0);
    CHECK(stats(f, "SpinLock")->live_instances == 0);
    CHECK(stats(f, "SpinLockRelease")->live_instances == 0);
    CHECK(stats(f, "SpinLockSafe")->live_instances == 0);
    fixture_free(f);
}

/* The same lock twice, the second time through RaiseToDpc: SpinLock
 * reports it at the entry, for lock A; B lives on. */
static void nested_acquire(void)
{
    struct fixture *f = fixture_new(NULL);
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLockRaiseToDpc", LS_ENTRY, 0, 1, LOCK_A) == 1);
    CHECK(f->n == 1);
    CHECK((int)f->got[0].rule == rule_index(f, "SpinLock"));
    CHECK_STR(f->got[0].message, MSG_TWICE_DPC);
    CHECK(f->got[0].keyed == 1 && f->got[0].key == LOCK_A);
    CHECK(f->got[0].thread == f->cpu0);
    CHECK(stats(f, "SpinLock")->live_instances == 1);

    /* KeAcquireSpinLock twice on another runtime */
    struct fixture *g = fixture_new(NULL);
    CHECK(acquire(g, g->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(event(g, g->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, OLD_IRQL_B) == 1);
    CHECK_STR(g->got[0].message, MSG_TWICE);
    fixture_free(g);
    fixture_free(f);
}

/* Releasing a lock that is not held: SpinLockRelease's verdict (and the
 * IRQL rule's, since nothing raised the IRQL); SpinLock says nothing. */
static void release_without_acquire(void)
{
    struct fixture *f = fixture_new(NULL);
    CHECK(event(f, f->cpu0, "sdv_RunHwStartIo", LS_ENTRY, 0, 0) == 0);
    CHECK(release(f, f->cpu0, LOCK_B, PASSIVE) == 2);
    CHECK(count(f, "SpinLockRelease") == 1 && count(f, "IrqlKeReleaseSpinLock") == 1);
    CHECK(count(f, "SpinLock") == 0);
    int i = f->got[0].rule == (uint32_t)rule_index(f, "SpinLockRelease") ? 0 : 1;
    CHECK_STR(f->got[i].message, MSG_NOT_ACQUIRED);
    CHECK(f->got[i].keyed == 1 && f->got[i].key == LOCK_B);
    CHECK_STR(f->got[1 - i].message, MSG_NOT_DISPATCH);
    CHECK(f->got[1 - i].keyed == 0 && f->got[1 - i].key == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 0);
    /* B is stopped for SpinLockRelease, usable for SpinLock */
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(release(f, f->cpu0, LOCK_B, PASSIVE) == 0);
    CHECK(release(f, f->cpu0, LOCK_B, PASSIVE) == 0);
    CHECK(f->n == 2);
    fixture_free(f);
}

/* Lock B, first seen after two routine exits, starts from the default
 * (which saw them) and is checked at the next exit like A would be. */
static void late_instance(void)
{
    const struct ls_rule *only[] = { &ls_rule_SpinLock, NULL };
    struct fixture *f = fixture_new(only);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(release(f, f->cpu0, LOCK_A, PASSIVE) == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwDpcRoutine") == 0);
    CHECK(stats(f, "SpinLock")->live_instances == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(stats(f, "SpinLock")->live_instances == 1);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 1);
    CHECK_STR(f->got[0].message, MSG_RETURN_STARTIO);
    CHECK(f->got[0].key == LOCK_B);
    fixture_free(f);
}

/* After its abort A is silent; B, held at the return, is reported; the
 * next invocation finds both stopped.  Two locks held at a return give two
 * verdicts, in the order the locks were acquired. */
static void no_cascades(void)
{
    const struct ls_rule *only[] = { &ls_rule_SpinLock, NULL };
    struct fixture *f = fixture_new(only);
    CHECK(event(f, f->cpu0, "sdv_RunHwStartIo", LS_ENTRY, 0, 0) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 1);
    CHECK(stats(f, "SpinLock")->live_instances == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(stats(f, "SpinLock")->live_instances == 1);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 1);
    CHECK(f->n == 2);
    CHECK_STR(f->got[0].message, MSG_TWICE);
    CHECK(f->got[0].key == LOCK_A);
    CHECK_STR(f->got[1].message, MSG_RETURN_STARTIO);
    CHECK(f->got[1].key == LOCK_B);
    CHECK(event(f, f->cpu0, "sdv_RunHwStartIo", LS_ENTRY, 0, 0) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 0);
    CHECK(f->n == 2);

    CHECK(acquire(f, f->cpu0, LOCK_C, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_C + 8, OLD_IRQL_B) == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwInterrupt") == 2);
    CHECK(f->got[2].key == LOCK_C && f->got[3].key == LOCK_C + 8);
    fixture_free(f);
}

/* Rules without `watch` keep one instance per thread: IrqlKeReleaseSpinLock
 * reports a bad release once on each thread; SpinLockSafe counts each
 * thread's locks apart. */
static void per_thread_instances(void)
{
    struct fixture *f = fixture_new(NULL);
    CHECK(event(f, f->cpu0, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_A, PASSIVE) >= 1);
    CHECK(count(f, "IrqlKeReleaseSpinLock") == 1);
    CHECK(event(f, f->cpu1, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_B, PASSIVE) >= 1);
    CHECK(count(f, "IrqlKeReleaseSpinLock") == 2);
    CHECK(f->got[f->n - 1].thread == f->cpu1);
    CHECK(event(f, f->cpu0, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_C, PASSIVE) >= 0);
    CHECK(event(f, f->cpu1, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_C, PASSIVE) >= 0);
    CHECK(count(f, "IrqlKeReleaseSpinLock") == 2);  /* each thread's instance stopped */
    CHECK(stats(f, "IrqlKeReleaseSpinLock")->instances == 2);
    CHECK(stats(f, "IrqlKeReleaseSpinLock")->live_instances == 0);

    struct fixture *g = fixture_new(NULL);
    CHECK(acquire(g, g->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(stats(g, "SpinLockSafe")->live_instances == 1);
    CHECK(call(g, g->cpu1, "IofCompleteRequest", 2, (ls_word)0x10, (ls_word)0) == 0);
    CHECK(call(g, g->cpu0, "IofCompleteRequest", 2, (ls_word)0x10, (ls_word)0) == 1);
    CHECK_STR(g->got[0].message, MSG_SAFE);
    CHECK(g->got[0].thread == g->cpu0 && g->got[0].keyed == 0);
    /* per-thread instances have no key, whatever the thread's id */
    CHECK(call(g, g->cpu1, "KeReleaseSpinLock", 2, LOCK_B, PASSIVE) == 2);
    CHECK(g->got[1].thread == g->cpu1 && g->got[1].keyed == 0 && g->got[1].key == 0);
    CHECK(stats(g, "SpinLockSafe")->live_instances == 0);   /* stopped */
    fixture_free(g);
    fixture_free(f);
}

/* fun_<ROLE> / sdv_Run* handlers fire on the driver routine mapped to the
 * role (mapped before or after the rules, before or after events; a new
 * mapping replaces the old), and $fname names that routine.  The harness
 * name itself still works. */
static void role_mapping(void)
{
    struct fixture *f = fixture_new((const struct ls_rule *const[]){ NULL });
    struct ls_runtime *rt = f->rt;
    CHECK(ls_runtime_map_role(rt, "HW_STARTIO", "AhciHwStartIo") == 0);
    CHECK(ls_runtime_add_rule(rt, &ls_rule_SpinLock) == 0);
    CHECK(ls_runtime_add_rule(rt, &ls_rule_QueuedSpinLock) == 1);
    CHECK(event(f, f->cpu0, "AhciHwStartIo", LS_ENTRY, 0, 2, (ls_word)1, (ls_word)2) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(call(f, f->cpu0, "KeAcquireInStackQueuedSpinLock", 2, LOCK_B, HANDLE_A) == 0);
    CHECK(event(f, f->cpu0, "AhciHwStartIo", LS_EXIT, 1, 2, (ls_word)1, (ls_word)2) == 2);
    CHECK_STR(f->got[0].message, "AhciHwStartIo returns to Storport while still holding "
              "a spin lock acquired with KeAcquireSpinLock.");
    CHECK_STR(f->got[0].function, "AhciHwStartIo");
    CHECK_STR(f->got[1].message, "AhciHwStartIo returns to Storport while still holding "
              "an in-stack queued spin lock.");
    CHECK(f->got[1].key == HANDLE_A);

    /* mapped after events, spelled fun_ROLE */
    CHECK(ls_runtime_map_role(rt, "fun_HW_INTERRUPT", "AhciIsr") == 0);
    CHECK(acquire(f, f->cpu0, LOCK_B, OLD_IRQL_B) == 0);
    CHECK(routine_exit(f, f->cpu0, "AhciIsr") == 1);
    CHECK_STR(f->got[2].message, "AhciIsr returns to Storport while still holding "
              "a spin lock acquired with KeAcquireSpinLock.");
    CHECK(f->got[2].key == LOCK_B);

    /* a new mapping replaces the old one */
    CHECK(ls_runtime_map_role(rt, "HW_INTERRUPT", "AhciIsr2") == 0);
    CHECK(acquire(f, f->cpu0, LOCK_C, OLD_IRQL_B) == 0);
    CHECK(routine_exit(f, f->cpu0, "AhciIsr") == 0);
    CHECK(routine_exit(f, f->cpu0, "AhciIsr2") == 1);
    CHECK_STR(f->got[3].function, "AhciIsr2");

    /* the harness name, and a role mapped to it, fire once */
    CHECK(ls_runtime_map_role(rt, "HW_TIMER", "sdv_RunHwTimer") == 0);
    CHECK(acquire(f, f->cpu0, LOCK_C + 8, OLD_IRQL_B) == 0);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwTimer") == 1);
    CHECK_STR(f->got[4].message, "sdv_RunHwTimer returns to Storport while still holding "
              "a spin lock acquired with KeAcquireSpinLock.");

    CHECK(ls_runtime_map_role(rt, NULL, "X") == -1);
    CHECK(ls_runtime_map_role(rt, "HW_STARTIO", "") == -1);
    CHECK(ls_runtime_map_role(rt, "fun_", "X") == -1);
    CHECK(strstr(ls_runtime_error(rt), "role") != NULL);
    fixture_free(f);
}

/* An event spelled with SDV's prefix reaches the plain name's handlers;
 * $fname is the handler's name. */
static void sdv_prefix(void)
{
    const struct ls_rule *only[] = { &ls_rule_SpinLock, NULL };
    struct fixture *f = fixture_new(only);
    CHECK(call(f, f->cpu0, "sdv_KeAcquireSpinLock", 2, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(event(f, f->cpu0, "sdv_KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, OLD_IRQL_A) == 1);
    CHECK_STR(f->got[0].message, MSG_TWICE);
    fixture_free(f);
}

/* ---- trails ------------------------------------------------------------- */

static void trails(void)
{
    /* default length 8: the instance's events, oldest first, ending with
     * the violation's event; the first acquire's entry left the default
     * alone, so the instance begins at the exit */
    const struct ls_rule *only[] = { &ls_rule_SpinLock, NULL };
    struct fixture *f = fixture_new(only);
    uint32_t acq = ls_runtime_function(f->rt, "KeAcquireSpinLock", 17);
    uint32_t run = ls_runtime_function(f->rt, "sdv_RunHwStartIo", 16);
    CHECK(acquire(f, f->cpu1, LOCK_A, OLD_IRQL_A) == 0);            /* seq 1, 2 */
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_B, 0) == 0);  /* 3 */
    CHECK(routine_exit(f, f->cpu1, "sdv_RunHwStartIo") == 1);       /* 4 */
    struct got *g = &f->got[0];
    CHECK(g->trail_length == 2);
    CHECK(g->trail[0].seq == 2 && g->trail[0].function == acq && g->trail[0].when == LS_EXIT);
    CHECK(g->trail[0].thread == f->cpu1 && g->trail[0].irql == 2);
    CHECK(g->trail[1].seq == 4 && g->trail[1].function == run && g->trail[1].when == LS_EXIT);
    fixture_free(f);

    /* length 4: a ring keeps the last four */
    f = fixture_new((const struct ls_rule *const[]){ NULL });
    ls_runtime_set_trail_length(f->rt, 4);
    CHECK(ls_runtime_add_rule(f->rt, &ls_rule_SpinLock) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);            /* 1, 2 */
    for (int i = 0; i < 6; i++)                                     /* 3 .. 8 */
        CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_A, 0) == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, 0) == 1);  /* 9 */
    g = &f->got[0];
    CHECK(g->trail_length == 4);
    for (uint32_t i = 0; i < 4 && i < g->trail_length; i++)
        CHECK(g->trail[i].seq == 6 + i);
    CHECK(g->trail[3].when == LS_ENTRY);
    fixture_free(f);

    /* lengths grow through every size class to the ring, and wrap often */
    for (unsigned length = 1; length <= LS_TRAIL_MAX + 1; length += 3) {
        unsigned want = length > LS_TRAIL_MAX ? LS_TRAIL_MAX : length;
        f = fixture_new((const struct ls_rule *const[]){ NULL });
        ls_runtime_set_trail_length(f->rt, length);
        CHECK(ls_runtime_add_rule(f->rt, &ls_rule_SpinLock) == 0);
        for (int i = 0; i < 100; i++)
            CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_A, 0) == 0);
        CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, 0) == 1);
        g = &f->got[0];
        CHECK(g->trail_length == want);
        int ordered = 1;
        for (uint32_t i = 0; i < g->trail_length; i++)
            ordered &= g->trail[i].seq == 101 - g->trail_length + 1 + i;
        CHECK(ordered);
        fixture_free(f);
    }

    /* length 0: no trail; a stateless rule's trail is its one event */
    f = fixture_new((const struct ls_rule *const[]){ NULL });
    ls_runtime_set_trail_length(f->rt, 0);
    CHECK(ls_runtime_add_rule(f->rt, &ls_rule_SpinLock) == 0);
    CHECK(ls_runtime_add_rule(f->rt, &ls_rule_IrqlKeReleaseSpinLock) == 1);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 0);
    CHECK(acquire(f, f->cpu0, LOCK_A, OLD_IRQL_A) == 1);
    CHECK(f->got[0].trail_length == 0);
    fixture_free(f);
    f = fixture_new(NULL);
    CHECK(event(f, f->cpu1, "KeReleaseSpinLock", LS_ENTRY, 0, 2, LOCK_A, PASSIVE) == 2);
    CHECK(f->got[0].trail_length == 1 && f->got[0].trail[0].seq == 1);
    CHECK(f->got[1].trail_length == 1 && f->got[1].trail[0].thread == f->cpu1);
    /* after the first event the length is fixed */
    ls_runtime_set_trail_length(f->rt, 3);
    CHECK(strstr(ls_runtime_error(f->rt), "before the first event") != NULL);
    fixture_free(f);
}

/* ---- memory follows the locks held -------------------------------------- */

static void drop_to_default(void)
{
    enum { N = 10000 };
    struct fixture *f = fixture_new(NULL);
    for (int i = 0; i < N; i++)
        CHECK(acquire(f, f->cpu0, LOCK_A + 64 * (ls_word)i, OLD_IRQL_A) == 0);
    CHECK(stats(f, "SpinLock")->live_instances == N);
    CHECK(stats(f, "SpinLockRelease")->live_instances == N);
    CHECK(stats(f, "SpinLockSafe")->live_instances == 1);
    for (int i = N - 1; i >= 0; i--)
        CHECK(release(f, f->cpu0, LOCK_A + 64 * (ls_word)i, i ? DISPATCH : PASSIVE) == 0);
    CHECK(f->n == 0);
    const char *keyed[] = { "SpinLock", "SpinLockRelease" };
    for (int k = 0; k < 2; k++) {
        const struct ls_rule_stats *s = stats(f, keyed[k]);
        CHECK(s->live_instances == 0);
        CHECK(s->peak_instances == N);
        CHECK(s->instances == N);
    }
    CHECK(stats(f, "SpinLockSafe")->live_instances == 0);
    struct ls_env env = ls_runtime_env(f->rt, f->cpu0);
    CHECK(env.irql_depth == 1 && env.irql_stack[0] == 0);

    /* interleaved pairs on distinct locks, many times over: still nothing */
    for (int i = 0; i < N; i++) {
        CHECK(acquire(f, f->cpu0, LOCK_B + 64 * (ls_word)i, OLD_IRQL_A) == 0);
        CHECK(release(f, f->cpu0, LOCK_B + 64 * (ls_word)i, PASSIVE) == 0);
    }
    CHECK(stats(f, "SpinLock")->live_instances == 0);
    CHECK(stats(f, "SpinLock")->peak_instances == N);
    fixture_free(f);
}

/* ---- statistics --------------------------------------------------------- */

static void statistics(void)
{
    const struct ls_rule *only[] = { &ls_rule_SpinLock, NULL };
    struct fixture *f = fixture_new(only);
    const struct ls_rule_stats *s = stats(f, "SpinLock");
    CHECK(s->events == 0 && s->steps == 0 && s->instances == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_A, 0) == 0);
    CHECK(s->events == 1 && s->steps == 1 && s->instances == 0 && s->live_instances == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_EXIT, 0, 2, LOCK_A, 0) == 0);
    CHECK(s->events == 2 && s->steps == 2 && s->instances == 1 && s->live_instances == 1);
    CHECK(acquire(f, f->cpu0, LOCK_B, 0) == 0);
    CHECK(s->events == 4 && s->steps == 4 && s->instances == 2 && s->live_instances == 2);
    CHECK(release(f, f->cpu0, LOCK_A, 0) == 0);     /* only the entry is watched */
    CHECK(s->events == 5 && s->steps == 5 && s->live_instances == 1 && s->peak_instances == 2);
    CHECK(event(f, f->cpu0, "StorPortNotification", LS_ENTRY, 0, 0) == 0);
    CHECK(s->events == 5);
    CHECK(routine_exit(f, f->cpu0, "sdv_RunHwStartIo") == 1);  /* B and the default */
    CHECK(s->events == 6 && s->steps == 7 && s->violations == 1 && s->live_instances == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK_B, 0) == 0);
    CHECK(s->events == 7 && s->steps == 7);         /* B is stopped */
    CHECK(s->instances == 2 && s->peak_instances == 2 && s->unknown_guards == 0);
    CHECK(ls_runtime_stats(f->rt, 1) == NULL && ls_runtime_rule(f->rt, 1) == NULL);
    fixture_free(f);
}

/* ---- refusals ------------------------------------------------------------ */

static int null_step(void *state, unsigned handler, const struct ls_event *ev,
                     const struct ls_env *env, struct ls_verdict *out)
{
    (void)state, (void)handler, (void)ev, (void)env, (void)out;
    return LS_STEP_CONTINUE;
}

static void add_rule_errors(void)
{
    struct ls_runtime *rt = ls_runtime_new();
    struct ls_rule r = ls_rule_SpinLock;
    struct ls_handler bad[1];

    CHECK(ls_runtime_add_rule(rt, NULL) == -1);
    CHECK_STR(ls_runtime_error(rt), "no rule given");
    r.abi = 2;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock was built for checker ABI 2, this runtime has 1");
    r = ls_rule_SpinLock;
    r.state_size = 0;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock has a state of 0 bytes; the runtime takes 1 to 4096");
    r.state_size = 4097;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock has a state of 4097 bytes; the runtime takes 1 to 4096");
    r = ls_rule_SpinLock;
    r.step = NULL;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock has no step function");
    r = ls_rule_SpinLock;
    r.init = NULL;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock has no init function");
    r = ls_rule_SpinLock;
    r.handlers = NULL;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock lists 17 handlers but no handler table");
    r = ls_rule_SpinLock;
    r.handlers = bad;
    r.handler_count = 1;
    bad[0] = ls_rule_SpinLock.handlers[0];
    bad[0].function = NULL;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock: handler 0 has no function name");
    bad[0] = ls_rule_SpinLock.handlers[0];
    bad[0].when = 2;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock: handler 0 has an event kind other than entry or exit");
    bad[0] = ls_rule_SpinLock.handlers[0];
    bad[0].guard.kind = 9;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule SpinLock: handler 0 has an unknown guard kind");
    r = ls_rule_SpinLock;
    r.name = NULL;
    r.abi = 0;
    CHECK(ls_runtime_add_rule(rt, &r) == -1);
    CHECK_STR(ls_runtime_error(rt), "rule (unnamed) was built for checker ABI 0, this runtime has 1");
    CHECK(ls_runtime_rule_count(rt) == 0);

    /* the limits themselves are accepted, and so is a rule with no handlers */
    r = ls_rule_SpinLock;
    r.state_size = 4096;
    r.step = null_step;
    CHECK(ls_runtime_add_rule(rt, &r) == 0);
    r = ls_rule_IrqlDispatch;
    r.handler_count = 0;
    r.handlers = NULL;
    CHECK(ls_runtime_add_rule(rt, &r) == 1);
    CHECK(ls_runtime_rule_count(rt) == 2);

    /* events the runtime cannot take */
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = 7;
    CHECK(ls_runtime_event(rt, 0, LS_IRQL_UNKNOWN, &ev, NULL, 0) == -1);
    CHECK_STR(ls_runtime_error(rt), "event 7: unknown thread id");
    uint32_t t = ls_runtime_thread(rt, "t", 1);
    ev.fn = 100000;
    CHECK(ls_runtime_event(rt, t, LS_IRQL_UNKNOWN, &ev, NULL, 0) == -1);
    CHECK_STR(ls_runtime_error(rt), "event 7: unknown function id");
    ev.fn = 0;
    ev.nargs = LS_MAX_ARGS + 1;
    CHECK(ls_runtime_event(rt, t, LS_IRQL_UNKNOWN, &ev, NULL, 0) == -1);
    ev.nargs = 0;
    ev.when = 2;
    CHECK(ls_runtime_event(rt, t, LS_IRQL_UNKNOWN, &ev, NULL, 0) == -1);
    CHECK(ls_runtime_event(rt, t, LS_IRQL_UNKNOWN, NULL, NULL, 0) == -1);
    ev.when = LS_ENTRY;
    CHECK(ls_runtime_event(rt, t, LS_IRQL_UNKNOWN, &ev, NULL, 0) == 0);  /* still usable */
    ls_runtime_free(rt);
    ls_runtime_free(NULL);
}

/* ---- guards: unknown values, NULL, halts, an aborting default ------------ */

/* A hand-written module exercising what the shipped rules do not:
 *   0 Open.exit [guard $1]            n = 1
 *   1 Close.entry [guard || null $1]  abort if n == 0, else n = 0
 *   2 Poke.entry [guard *$1]          n = 2 (an extended operand)
 *   3 Stop.entry [guard $1]           halt
 *   4 Bang.entry                      abort if n == 0: the default aborts
 *   5 fun_HW_TIMER.exit               abort if n != 0 (a role handler) */
struct probe_state { int32_t n; };

static const struct ls_handler probe_handlers[] = {
    { "Open", NULL, LS_EXIT, 0, { LS_OP_ARG, 1 }, 1 },
    { "Close", NULL, LS_ENTRY, 1, { LS_OP_ARG, 1 }, 2 },
    { "Poke", NULL, LS_ENTRY, 0, { LS_OP_EXT, 0 }, 3 },
    { "Stop", NULL, LS_ENTRY, 0, { LS_OP_ARG, 1 }, 4 },
    { "Bang", NULL, LS_ENTRY, 0, { LS_OP_NONE, 0 }, 5 },
    { "fun_HW_TIMER", "HW_TIMER", LS_EXIT, 0, { LS_OP_NONE, 0 }, 6 },
};
static const struct ls_watch probe_watch[] = { { "Open", LS_EXIT, { LS_OP_ARG, 1 }, 1 } };
static const struct ls_ext_operand probe_ext[] = { { "*$1", 1, 1, "" } };

static void probe_init(void *state)
{
    memset(state, 0, sizeof(struct probe_state));
}

static int probe_step(void *state, unsigned handler, const struct ls_event *ev,
                      const struct ls_env *env, struct ls_verdict *out)
{
    struct probe_state *s = state;
    (void)ev, (void)env;
    out->function = probe_handlers[handler].function;
    out->handler = handler;
    out->spec_line = probe_handlers[handler].spec_line;
    switch (handler) {
    case 0: s->n = 1; return LS_STEP_CONTINUE;
    case 1:
        if (s->n == 0) { out->message = "$fname closes what is not open."; return LS_STEP_ABORT; }
        s->n = 0;
        return LS_STEP_CONTINUE;
    case 2: s->n = 2; return LS_STEP_CONTINUE;
    case 3: return LS_STEP_HALT;
    case 4:
        if (s->n == 0) { out->message = "$fname bangs."; return LS_STEP_ABORT; }
        return LS_STEP_CONTINUE;
    case 5:
        if (s->n != 0) { out->message = "$fname returns with it open."; return LS_STEP_ABORT; }
        return LS_STEP_CONTINUE;
    }
    return LS_STEP_CONTINUE;
}

static int probe_format(const void *state, char *buf, size_t size)
{
    return snprintf(buf, size, "n=%d", (int)((const struct probe_state *)state)->n);
}

static const struct ls_rule probe_rule = {
    .abi = LS_RULE_ABI, .name = "Probe", .model = "test", .summary = "", .severity = "error",
    .help = "", .spec_path = "", .spec_sha256 = "",
    .state_size = sizeof(struct probe_state), .init = probe_init, .step = probe_step,
    .format_state = probe_format,
    .handlers = probe_handlers, .handler_count = 6,
    .watches = probe_watch, .watch_count = 1,
    .ext_operands = probe_ext, .ext_operand_count = 1,
};

static void guards(void)
{
    struct fixture *f = fixture_new((const struct ls_rule *const[]){ &probe_rule, NULL });
    const struct ls_rule_stats *s = ls_runtime_stats(f->rt, 0);

    /* *$1 unknown (no ext values): skipped and counted, no step */
    CHECK(event(f, f->cpu0, "Poke", LS_ENTRY, 0, 1, (ls_word)0x10) == 0);
    CHECK(s->unknown_guards == 1 && s->steps == 0 && s->events == 1);
    /* supplied: keyed by the value read, not by $1 */
    struct ls_event ev;
    ls_word ext[1] = { 0x77 };
    memset(&ev, 0, sizeof ev);
    ev.seq = ++f->seq;
    ev.fn = ls_runtime_function(f->rt, "Poke", 4);
    ev.nargs = 1;
    ev.args[0] = 0x10;
    ev.ext = ext;
    CHECK(ls_runtime_event(f->rt, f->cpu0, LS_IRQL_UNKNOWN, &ev, NULL, 0) == 0);
    CHECK(s->unknown_guards == 1 && s->live_instances == 1);
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0x77) == 0);  /* 2 -> 0 */
    CHECK(s->live_instances == 0);

    /* guard || null with NULL: every instance and the default.  The
     * default aborts (reported once, unkeyed, after the instances); it
     * stops, so 0x1 and 0x2, now n = 0 like it, are not dropped. */
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x1) == 0);
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x2) == 0);
    CHECK(s->live_instances == 2);
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0) == 1);
    CHECK(f->got[0].keyed == 0 && f->got[0].key == 0);
    CHECK_STR(f->got[0].message, "Close closes what is not open.");
    CHECK(s->live_instances == 2 && s->instances == 3);
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0x1) == 1);
    CHECK(f->got[1].keyed == 1 && f->got[1].key == 1);
    CHECK(s->live_instances == 1);
    fixture_free(f);

    /* halt stops silently; the default aborting reports once, unkeyed */
    f = fixture_new((const struct ls_rule *const[]){ &probe_rule, NULL });
    s = ls_runtime_stats(f->rt, 0);
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x1) == 0);
    CHECK(event(f, f->cpu0, "Stop", LS_ENTRY, 0, 1, (ls_word)0x1) == 0);
    CHECK(s->live_instances == 0);
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0x1) == 0);  /* stopped */
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x2) == 0);
    CHECK(event(f, f->cpu0, "Bang", LS_ENTRY, 0, 0) == 1);  /* 2 is open; default bangs */
    CHECK(f->got[0].keyed == 0 && f->got[0].key == 0);
    CHECK_STR(f->got[0].message, "Bang bangs.");
    CHECK(s->live_instances == 1);
    /* the default stopped: new keys are stopped clones, 2 lives on */
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x3) == 0);
    CHECK(s->live_instances == 1);
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0x2) == 0);
    CHECK(s->live_instances == 1);                  /* n = 0 but kept: default stopped */
    CHECK(event(f, f->cpu0, "Close", LS_ENTRY, 0, 1, (ls_word)0x2) == 1);
    CHECK_STR(f->got[1].message, "Close closes what is not open.");

    /* a role handler of a hand-written rule: fun_ spelling, mapped later */
    CHECK(ls_runtime_map_role(f->rt, "HW_TIMER", "MyTimer") == 0);
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x4) == 0);  /* stopped clone */
    fixture_free(f);

    f = fixture_new((const struct ls_rule *const[]){ &probe_rule, NULL });
    CHECK(ls_runtime_map_role(f->rt, "HW_TIMER", "MyTimer") == 0);
    CHECK(event(f, f->cpu0, "Open", LS_EXIT, 0, 1, (ls_word)0x4) == 0);
    CHECK(event(f, f->cpu0, "MyTimer", LS_EXIT, 0, 0) == 1);
    CHECK_STR(f->got[0].message, "MyTimer returns with it open.");
    CHECK_STR(f->got[0].function, "MyTimer");
    CHECK(f->got[0].key == 4);
    fixture_free(f);
}

/* ---- differential test against tests/rules/harness.c -------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

/* The model's IRQL stack, kept here by hand as the reference. */
struct ref_env {
    uint8_t levels[256];
    int depth;
};

static uint8_t clamp_irql(ls_word v)
{
    return v < 0 ? 0 : v > 31 ? 31 : (uint8_t)v;
}

static void ref_pop(struct ref_env *e)
{
    if (e->depth > 1)
        e->depth--;
    else
        e->levels[0] = 0;
}

static void ref_push(struct ref_env *e, uint8_t level)
{
    if (e->depth < (int)sizeof e->levels)
        e->levels[e->depth++] = level;
}

/* The exit of `fn` (plain name) with arguments a. */
static void ref_exit(struct ref_env *e, const char *fn, const ls_word *a)
{
    if (!strcmp(fn, "KeAcquireSpinLock") || !strcmp(fn, "KeAcquireSpinLockRaiseToDpc")
        || !strcmp(fn, "KeAcquireInStackQueuedSpinLock") || !strcmp(fn, "IoAcquireCancelSpinLock"))
        ref_push(e, 2);
    else if (!strcmp(fn, "KeRaiseIrql"))
        ref_push(e, clamp_irql(a[0]));
    else if (!strcmp(fn, "KeReleaseSpinLock") || !strcmp(fn, "KeLowerIrql")
             || !strcmp(fn, "IoReleaseCancelSpinLock")) {
        ref_pop(e);
        e->levels[e->depth - 1] = clamp_irql(a[!strcmp(fn, "KeReleaseSpinLock") ? 1 : 0]);
    } else if (!strcmp(fn, "KeReleaseInStackQueuedSpinLock"))
        ref_pop(e);
}

struct alphabet {
    const char *fn;
    int nargs;
    char arg1, arg2;                        /* 'L' lock, 'H' handle, 'I' irql, 'P' pointer */
};

static const struct alphabet calls[] = {
    { "KeAcquireSpinLock", 2, 'L', 'P' },
    { "KeAcquireSpinLock", 2, 'L', 'P' },
    { "KeAcquireSpinLockRaiseToDpc", 1, 'L', 0 },
    { "KeReleaseSpinLock", 2, 'L', 'I' },
    { "KeReleaseSpinLock", 2, 'L', 'I' },
    { "KeAcquireInStackQueuedSpinLock", 2, 'L', 'H' },
    { "KeAcquireInStackQueuedSpinLock", 2, 'L', 'H' },
    { "KeReleaseInStackQueuedSpinLock", 1, 'H', 0 },
    { "KeReleaseInStackQueuedSpinLock", 1, 'H', 0 },
    { "KeAcquireSpinLockAtDpcLevel", 1, 'L', 0 },
    { "KeReleaseSpinLockFromDpcLevel", 1, 'L', 0 },
    { "KeAcquireInStackQueuedSpinLockAtDpcLevel", 2, 'L', 'H' },
    { "IoAcquireCancelSpinLock", 1, 'P', 0 },
    { "IoReleaseCancelSpinLock", 1, 'I', 0 },
    { "KeRaiseIrql", 2, 'I', 'P' },
    { "KeLowerIrql", 1, 'I', 0 },
    { "IoStartNextPacket", 2, 'P', 'I' },
    { "IofCompleteRequest", 2, 'P', 'I' },
    { "IoCompleteRequest", 2, 'P', 'I' },
    { "KeInsertDeviceQueue", 2, 'P', 'P' },
    { "sdv_RunHwStartIo", 2, 'P', 'P' },
    { "sdv_RunHwInterrupt", 2, 'P', 'P' },  /* the runtime calls it MyIsr */
    { "sdv_RunHwDpcRoutine", 2, 'P', 'P' },
    { "StorPortNotification", 1, 'P', 0 },
};

static ls_word pick(char kind)
{
    static const ls_word locks[] = { 0xffffa0010000, 0xffffa0010008, 0xffffa0018000, 0 };
    static const ls_word handles[] = { 0xffffa0030000, 0xffffa0030018, 0 };
    switch (kind) {
    case 'L': return locks[rnd(rnd(8) ? 3 : 4)];
    case 'H': return handles[rnd(rnd(8) ? 2 : 3)];
    case 'I': return (ls_word)rnd(3);
    case 'P': return 0xffffa0200000 + 8 * (ls_word)rnd(2);
    default: return 0;
    }
}

/* One verdict for comparison: key and message. */
struct cmp_verdict {
    ls_word key;
    char message[300];
};

static int cmp_verdicts(const void *a, const void *b)
{
    const struct cmp_verdict *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->message, y->message);
}

/* Replaces a leading `from` in s with `to`. */
static void rename_prefix(char *s, size_t size, const char *from, const char *to)
{
    size_t n = strlen(from);
    if (strncmp(s, from, n) == 0) {
        char rest[256];
        snprintf(rest, sizeof rest, "%s", s + n);
        snprintf(s, size, "%s%s", to, rest);
    }
}

/* How a sequence exercises the runtime's fast paths as well as its rules. */
enum {
    SEQ_ON_CPU1 = 1,        /* the events are cpu1's (the harness has no threads) */
    SEQ_RECORDED = 2,       /* events record an IRQL: mostly the model's, now and
                               then another, which overrides it                 */
    SEQ_LATE_NAMES = 4,     /* calls no rule watches, interned after the first
                               event, a few hundred of them at once (the slot
                               table grows)                                     */
    SEQ_LATE_ROLE = 8       /* a role mapped halfway (the dispatch table is
                               rebuilt between two events)                      */
};

/* Runs one random sequence of `length` events through a runtime with
 * rules[0 .. nrules) and through the harness; returns the number of
 * events whose verdicts differed (and reports the first). */
static int one_sequence(int length, const struct ls_rule *const *rules, int nrules,
                        int *verdicts_seen, unsigned how)
{
    const struct ls_rule *list[17];
    for (int r = 0; r < nrules && r < 16; r++)
        list[r] = rules[r];
    list[nrules < 16 ? nrules : 16] = NULL;
    struct fixture *f = fixture_new(list);
    uint32_t thread = how & SEQ_ON_CPU1 ? f->cpu1 : f->cpu0;
    static struct harness h[16];
    struct ref_env env = { { 0 }, 1 };
    int bad = 0, dpc_mapped = 0, late = 0;
    int map_at = how & SEQ_LATE_ROLE ? (int)rnd((uint32_t)length) : -1;

    CHECK(ls_runtime_map_role(f->rt, "HW_INTERRUPT", "MyIsr") == 0);
    for (int r = 0; r < nrules; r++)
        harness_init(&h[r], rules[r]);

    for (int i = 0; i < length && !bad; i++) {
        if (i == map_at) {
            CHECK(ls_runtime_map_role(f->rt, "HW_DPC_ROUTINE", "MyDpc") == 0);
            dpc_mapped = 1;
        }
        if (how & SEQ_LATE_NAMES && rnd(8) == 0) {
            /* a call nothing watches: no verdict, no IRQL effect; a batch
             * of new names first, now and then */
            char name[32];
            if (rnd(4) == 0)
                for (int k = 0; k < 300; k++, late++) {
                    snprintf(name, sizeof name, "Unwatched%d", late);
                    CHECK(ls_runtime_function(f->rt, name, strlen(name)) != UINT32_MAX);
                }
            snprintf(name, sizeof name, "Unwatched%d", late++);
            int before = f->n;
            event(f, thread, name, rnd(2) ? LS_EXIT : LS_ENTRY, 0, 1, (ls_word)i);
            if (f->n != before) {
                printf("FAIL: event %d (%s): a verdict\n", i, name);
                bad++;
            }
            continue;
        }
        const struct alphabet *a = &calls[rnd(sizeof calls / sizeof calls[0])];
        enum ls_when when = rnd(2) ? LS_EXIT : LS_ENTRY;
        ls_word args[2] = { pick(a->arg1), pick(a->arg2) };
        ls_word ret = (ls_word)rnd(3);
        const char *rt_name = a->fn;
        char prefixed[64];
        if (!strcmp(a->fn, "sdv_RunHwInterrupt"))
            rt_name = "MyIsr";
        else if (!strcmp(a->fn, "sdv_RunHwDpcRoutine") && dpc_mapped)
            rt_name = "MyDpc";
        else if (strncmp(a->fn, "sdv_", 4) != 0 && rnd(4) == 0) {
            snprintf(prefixed, sizeof prefixed, "sdv_%s", a->fn);
            rt_name = prefixed;             /* SDV's spelling: same handlers */
        }

        /* the reference environment, given to every harness: the call's
         * effect at its exit, then a recorded IRQL over the top */
        if (when == LS_EXIT)
            ref_exit(&env, a->fn, args);
        int irql = LS_IRQL_UNKNOWN;
        if (how & SEQ_RECORDED && rnd(4) != 0)
            irql = rnd(8) ? env.levels[env.depth - 1] : (int)rnd(4);
        if (irql != LS_IRQL_UNKNOWN)
            env.levels[env.depth - 1] = (uint8_t)irql;
        int shown = env.depth < 32 ? env.depth : 32;
        for (int r = 0; r < nrules; r++) {
            memcpy(h[r].irql, env.levels + env.depth - shown, (size_t)shown);
            h[r].irql_depth = (uint32_t)shown;
        }

        int before = f->n;
        event_at(f, thread, irql, rt_name, when, ret, a->nargs, args);
        struct ls_env got_env = ls_runtime_env(f->rt, thread);
        if ((int)got_env.irql_depth != env.depth
            || memcmp(got_env.irql_stack, env.levels, (size_t)env.depth) != 0) {
            printf("FAIL: event %d (%s): IRQL stacks differ\n", i, a->fn);
            bad++;
        }

        for (int r = 0; r < nrules; r++) {
            struct cmp_verdict want[HARNESS_MAX_VERDICTS], got[MAX_GOT];
            int nw = 0, ng = 0, hb = h[r].verdicts;
            harness_event(&h[r], a->fn, when, ret, a->nargs, args[0], args[1]);
            for (int k = hb; k < h[r].verdicts; k++) {
                want[nw].key = h[r].verdict_keys[k];
                snprintf(want[nw].message, sizeof want[nw].message, "%s", h[r].messages[k]);
                rename_prefix(want[nw].message, sizeof want[nw].message,
                              "sdv_RunHwInterrupt", "MyIsr");
                if (dpc_mapped)
                    rename_prefix(want[nw].message, sizeof want[nw].message,
                                  "sdv_RunHwDpcRoutine", "MyDpc");
                nw++;
            }
            for (int k = before; k < f->n; k++) {
                if (f->got[k].rule != (uint32_t)r)
                    continue;
                got[ng].key = f->got[k].key;
                snprintf(got[ng].message, sizeof got[ng].message, "%s", f->got[k].message);
                if (f->got[k].keyed != (rules[r]->watch_count > 0))
                    bad++;
                ng++;
            }
            qsort(want, (size_t)nw, sizeof *want, cmp_verdicts);
            qsort(got, (size_t)ng, sizeof *got, cmp_verdicts);
            int same = nw == ng;
            for (int k = 0; same && k < nw; k++)
                same = want[k].key == got[k].key && !strcmp(want[k].message, got[k].message);
            if (!same) {
                printf("FAIL: event %d (%s %s): rule %s: harness %d verdicts, runtime %d\n",
                       i, a->fn, when ? "exit" : "entry", rules[r]->name, nw, ng);
                for (int k = 0; k < nw; k++)
                    printf("   harness: %llx %s\n", (unsigned long long)want[k].key, want[k].message);
                for (int k = 0; k < ng; k++)
                    printf("   runtime: %llx %s\n", (unsigned long long)got[k].key, got[k].message);
                bad++;
            }
            *verdicts_seen += nw;
        }
    }
    fixture_free(f);
    return bad;
}

static void differential(void)
{
    const struct ls_rule *rules[16];
    int nrules = 0;
    for (const struct ls_rule *const *r = ls_shipped_rules; *r && nrules < 16; r++)
        rules[nrules++] = *r;
    CHECK(nrules == 10);                    /* 7 storport, 3 posix */
    int failures = 0, seen = 0;
    for (int s = 0; s < 3000 && failures == 0; s++)
        failures += one_sequence(20 + (int)rnd(60), rules, nrules, &seen, (unsigned)s % 16);
    CHECK(failures == 0);
    CHECK(seen > 1000);                     /* the sequences do find things */

    /* the seed rules alone: most calls have no entry, so most events take
     * the runtime's fast path */
    const struct ls_rule *seed[] = { &ls_rule_IrqlKeReleaseSpinLock,
                                     &ls_rule_QueuedSpinLockRelease };
    seen = 0;
    for (int s = 0; s < 1000 && failures == 0; s++)
        failures += one_sequence(20 + (int)rnd(60), seed, 2, &seen, (unsigned)s % 16);
    CHECK(failures == 0);
    CHECK(seen > 300);
}

/* One bare event for the call checks: ls_runtime_event's result. */
static int raw_event(struct fixture *f, uint32_t thread, const char *fn, enum ls_when when)
{
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++f->seq;
    ev.fn = ls_runtime_function(f->rt, fn, strlen(fn));
    ev.when = (uint8_t)when;
    return ls_runtime_event(f->rt, thread, LS_IRQL_UNKNOWN, &ev, NULL, 0);
}

/* ls_runtime_check_calls: exits must close an open entry of their thread;
 * an exit of an outer call closes the calls inside it that never returned;
 * a refused exit changes nothing.  Off, anything goes. */
static void call_checks(void)
{
    struct fixture *f = fixture_new(NULL);
    CHECK(raw_event(f, f->cpu0, "Orphan", LS_EXIT) == 0);       /* off by default */
    ls_runtime_check_calls(f->rt, 1);
    CHECK(raw_event(f, f->cpu0, "A", LS_ENTRY) == 0);
    CHECK(raw_event(f, f->cpu0, "B", LS_ENTRY) == 0);
    CHECK(raw_event(f, f->cpu1, "B", LS_EXIT) == LS_EVENT_REFUSED);  /* other thread */
    CHECK_STR(ls_runtime_error(f->rt),
              "exit of B on thread cpu1 without its entry (0 calls open on that thread)");
    CHECK(raw_event(f, f->cpu0, "C", LS_EXIT) == LS_EVENT_REFUSED);
    CHECK_STR(ls_runtime_error(f->rt),
              "exit of C on thread cpu0 without its entry (2 calls open on that thread)");
    CHECK(raw_event(f, f->cpu0, "A", LS_EXIT) == 0);        /* B never returned */
    CHECK(raw_event(f, f->cpu0, "B", LS_EXIT) == LS_EVENT_REFUSED);
    /* a refused exit is not applied: the lock it would release stays held */
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, (ls_word)0x10, (ls_word)0x20) == 0);
    CHECK(event(f, f->cpu0, "KeAcquireSpinLock", LS_EXIT, 0, 2, (ls_word)0x10, (ls_word)0x20) == 0);
    struct ls_env env = ls_runtime_env(f->rt, f->cpu0);
    CHECK(ls_env_irql(&env, 0) == 2);
    CHECK(raw_event(f, f->cpu0, "KeReleaseSpinLock", LS_EXIT) == LS_EVENT_REFUSED);
    env = ls_runtime_env(f->rt, f->cpu0);
    CHECK(ls_env_irql(&env, 0) == 2);
    /* deep: past the limit of open calls the oldest are forgotten, and an
     * exit that may match one of them is let through */
    for (int i = 0; i < 70000; i++)
        CHECK(raw_event(f, f->cpu1, i == 0 ? "Outer" : "Inner", LS_ENTRY) == 0);
    CHECK(raw_event(f, f->cpu1, "Outer", LS_EXIT) == 0);
    fixture_free(f);
}

int main(void)
{
    two_locks_interleaved();
    nested_acquire();
    release_without_acquire();
    late_instance();
    no_cascades();
    per_thread_instances();
    role_mapping();
    sdv_prefix();
    trails();
    drop_to_default();
    statistics();
    add_rule_errors();
    guards();
    differential();
    call_checks();
    return check_done("test_runtime");
}
