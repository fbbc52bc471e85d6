/*
 * test_env.c — the environment model through the runtime: each call that
 * moves the IRQL stack (and the ones that must not), the `sdv_` spelling,
 * when the effect happens (at the call's exit, before rules see the exit),
 * a recorded IRQL overriding the model with one notice per thread, and
 * unknown functions left alone; and the IRQL stack itself (env.h) against
 * a plain array, including the current level it keeps on the side for
 * the runtime's fast path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "env.h"
#include "storport/IrqlDispatch.h"
#include "storport/IrqlKeReleaseSpinLock.h"
#include "storport/SpinLock.h"

#include <lockstep/runtime.h>

static const ls_word LOCK = 0xffffa0010000, HANDLE = 0xffffa0030000;

struct seen {
    int notices;
    char notice[8][256];
    uint32_t notice_thread[8];
    int violations;
    char message[8][256];
    struct ls_trail_event trail[8][LS_TRAIL_MAX];
    uint32_t trail_length[8];
};

static void on_violation(void *context, const struct ls_violation *v)
{
    struct seen *s = context;
    if (s->violations < 8) {
        snprintf(s->message[s->violations], sizeof s->message[0], "%s", v->message);
        memcpy(s->trail[s->violations], v->trail, v->trail_length * sizeof *v->trail);
        s->trail_length[s->violations] = v->trail_length;
    }
    s->violations++;
}

static void on_notice(void *context, uint32_t thread, uint64_t seq, const char *text)
{
    struct seen *s = context;
    (void)seq;
    if (s->notices < 8) {
        snprintf(s->notice[s->notices], sizeof s->notice[0], "%s", text);
        s->notice_thread[s->notices] = thread;
    }
    s->notices++;
}

static uint64_t seq;

/* One event: function by name, recorded irql (or LS_IRQL_UNKNOWN), nargs
 * ls_word arguments.  Returns ls_runtime_event's result. */
static int event(struct ls_runtime *rt, uint32_t thread, const char *fn, enum ls_when when,
                 int irql, int nargs, ...)
{
    struct ls_event ev;
    va_list ap;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++seq;
    ev.fn = ls_runtime_function(rt, fn, strlen(fn));
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        ev.args[i] = va_arg(ap, ls_word);
    va_end(ap);
    return ls_runtime_event(rt, thread, irql, &ev, NULL, 0);
}

/* Entry then exit, IRQL not recorded. */
static void call(struct ls_runtime *rt, uint32_t thread, const char *fn, int nargs,
                 ls_word a1, ls_word a2)
{
    CHECK(event(rt, thread, fn, LS_ENTRY, LS_IRQL_UNKNOWN, nargs, a1, a2) == 0);
    CHECK(event(rt, thread, fn, LS_EXIT, LS_IRQL_UNKNOWN, nargs, a1, a2) == 0);
}

/* The stack of thread, bottom first, as "0 2 2". */
static const char *stack(struct ls_runtime *rt, uint32_t thread)
{
    static char buf[256];
    struct ls_env env = ls_runtime_env(rt, thread);
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < env.irql_depth && n + 4 < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, i ? " %u" : "%u", env.irql_stack[i]);
    return buf;
}

static struct ls_runtime *fresh(struct seen *s, uint32_t *t0)
{
    struct ls_runtime *rt = ls_runtime_new();
    memset(s, 0, sizeof *s);
    ls_runtime_set_sinks(rt, on_violation, on_notice, s);
    *t0 = ls_runtime_thread(rt, "cpu0", 4);
    return rt;
}

static void acquires_push_dispatch(void)
{
    static const char *const pushers[] = {
        "KeAcquireSpinLock", "KeAcquireSpinLockRaiseToDpc", "KeAcquireInStackQueuedSpinLock",
        "KeRaiseIrqlToDpcLevel", "IoAcquireCancelSpinLock",
        "sdv_KeAcquireSpinLock", "sdv_IoAcquireCancelSpinLock",
    };
    for (size_t i = 0; i < sizeof pushers / sizeof pushers[0]; i++) {
        struct seen s;
        uint32_t t;
        struct ls_runtime *rt = fresh(&s, &t);
        CHECK_STR(stack(rt, t), "0");
        CHECK(event(rt, t, pushers[i], LS_ENTRY, LS_IRQL_UNKNOWN, 2, LOCK, HANDLE) == 0);
        CHECK_STR(stack(rt, t), "0");               /* not at the entry */
        CHECK(event(rt, t, pushers[i], LS_EXIT, LS_IRQL_UNKNOWN, 2, LOCK, HANDLE) == 0);
        CHECK_STR(stack(rt, t), "0 2");
        ls_runtime_free(rt);
    }
}

/* StorPortAcquireSpinLock(ext, kind, ...): DpcLock (1) and StartIoLock (2)
 * raise to DISPATCH_LEVEL, InterruptLock (3) to the modelled device IRQL 5. */
static void storport_locks(void)
{
    struct seen s;
    uint32_t t;
    struct ls_runtime *rt = fresh(&s, &t);
    call(rt, t, "StorPortAcquireSpinLock", 2, 0x1000, 1);
    CHECK_STR(stack(rt, t), "0 2");
    call(rt, t, "StorPortAcquireSpinLock", 2, 0x1000, 3);
    CHECK_STR(stack(rt, t), "0 2 5");
    call(rt, t, "StorPortReleaseSpinLock", 2, 0x1000, HANDLE);
    CHECK_STR(stack(rt, t), "0 2");
    call(rt, t, "StorPortAcquireSpinLock", 2, 0x1000, 2);
    CHECK_STR(stack(rt, t), "0 2 2");
    call(rt, t, "StorPortReleaseSpinLock", 2, 0x1000, HANDLE);
    call(rt, t, "StorPortReleaseSpinLock", 2, 0x1000, HANDLE);
    CHECK_STR(stack(rt, t), "0");
    ls_runtime_free(rt);
}

/* KeRaiseIrql(new, &old) pushes new; KeLowerIrql(new),
 * KeReleaseSpinLock(l, new) and IoReleaseCancelSpinLock(new) pop and make
 * the top `new`; the in-stack queued release pops. */
static void raise_lower_release(void)
{
    struct seen s;
    uint32_t t;
    struct ls_runtime *rt = fresh(&s, &t);
    call(rt, t, "KeRaiseIrql", 2, 1, HANDLE);
    CHECK_STR(stack(rt, t), "0 1");
    call(rt, t, "KeRaiseIrql", 2, 2, HANDLE);
    CHECK_STR(stack(rt, t), "0 1 2");
    call(rt, t, "KeLowerIrql", 1, 1, 0);
    CHECK_STR(stack(rt, t), "0 1");
    call(rt, t, "KeLowerIrql", 1, 0, 0);            /* pops, then sets the top */
    CHECK_STR(stack(rt, t), "0");

    call(rt, t, "KeAcquireSpinLock", 2, LOCK, HANDLE);
    call(rt, t, "KeAcquireSpinLock", 2, LOCK + 8, HANDLE);
    CHECK_STR(stack(rt, t), "0 2 2");
    call(rt, t, "KeReleaseSpinLock", 2, LOCK, 2);   /* NewIrql 2: pop, top is 2 */
    CHECK_STR(stack(rt, t), "0 2");
    call(rt, t, "KeReleaseSpinLock", 2, LOCK + 8, 1);  /* NewIrql 1: top becomes 1 */
    CHECK_STR(stack(rt, t), "1");

    call(rt, t, "IoAcquireCancelSpinLock", 1, HANDLE, 0);
    CHECK_STR(stack(rt, t), "1 2");
    call(rt, t, "IoReleaseCancelSpinLock", 1, 0, 0);
    CHECK_STR(stack(rt, t), "0");

    call(rt, t, "KeAcquireInStackQueuedSpinLock", 2, LOCK, HANDLE);
    CHECK_STR(stack(rt, t), "0 2");
    call(rt, t, "KeReleaseInStackQueuedSpinLock", 1, HANDLE, 0);
    CHECK_STR(stack(rt, t), "0");
    call(rt, t, "sdv_KeRaiseIrql", 2, 31 + 9, HANDLE);  /* garbage is clamped */
    CHECK_STR(stack(rt, t), "0 31");
    call(rt, t, "KeLowerIrql", 1, -4, 0);
    CHECK_STR(stack(rt, t), "0");

    /* popping below the bottom leaves PASSIVE_LEVEL */
    call(rt, t, "KeReleaseInStackQueuedSpinLock", 1, HANDLE, 0);
    CHECK_STR(stack(rt, t), "0");
    call(rt, t, "KeReleaseSpinLock", 2, LOCK, 1);
    CHECK_STR(stack(rt, t), "1");
    ls_runtime_free(rt);
}

/* The AtDpcLevel / FromDpcLevel variants and unknown functions leave the
 * stack alone; so does an entry of anything. */
static void no_effect(void)
{
    static const char *const calls[] = {
        "KeAcquireSpinLockAtDpcLevel", "KeReleaseSpinLockFromDpcLevel",
        "KeAcquireInStackQueuedSpinLockAtDpcLevel", "KeReleaseInStackQueuedSpinLockFromDpcLevel",
        "StorPortNotification", "AhciHwStartIo", "sdv_RunHwStartIo", "KeAcquireSpinLockX",
        "keacquirespinlock", "sdv_", "",
    };
    struct seen s;
    uint32_t t;
    struct ls_runtime *rt = fresh(&s, &t);
    call(rt, t, "KeAcquireSpinLock", 2, LOCK, HANDLE);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        call(rt, t, calls[i], 2, LOCK, 0);
    CHECK_STR(stack(rt, t), "0 2");
    CHECK(s.notices == 0 && s.violations == 0);
    ls_runtime_free(rt);
}

/* Threads have their own stacks, and the stack is unbounded. */
static void per_thread_and_deep(void)
{
    struct seen s;
    uint32_t t0;
    struct ls_runtime *rt = fresh(&s, &t0);
    uint32_t t1 = ls_runtime_thread(rt, "cpu1", 4);
    call(rt, t0, "KeAcquireSpinLock", 2, LOCK, HANDLE);
    CHECK_STR(stack(rt, t0), "0 2");
    CHECK_STR(stack(rt, t1), "0");
    for (int i = 0; i < 10000; i++)
        call(rt, t1, "KeRaiseIrql", 2, i % 32, HANDLE);
    struct ls_env env = ls_runtime_env(rt, t1);
    CHECK(env.irql_depth == 10001);
    CHECK(ls_env_irql(&env, 0) == 9999 % 32 && ls_env_irql(&env, 1) == 9998 % 32);
    for (int i = 0; i < 10000; i++)
        call(rt, t1, "KeReleaseInStackQueuedSpinLock", 1, HANDLE, 0);
    CHECK_STR(stack(rt, t1), "0");
    CHECK_STR(stack(rt, t0), "0 2");
    env = ls_runtime_env(rt, 99);                   /* no such thread */
    CHECK(env.irql_stack == NULL && env.irql_depth == 0);
    ls_runtime_free(rt);
}

/* Rules see the stack as it is at the event: an acquire's exit already at
 * DISPATCH_LEVEL, the release's entry at DISPATCH_LEVEL over the saved
 * PASSIVE_LEVEL.  The trail records the IRQL each rule saw. */
static void rules_see_the_model(void)
{
    struct seen s;
    uint32_t t;
    struct ls_runtime *rt = fresh(&s, &t);
    CHECK(ls_runtime_add_rule(rt, &ls_rule_IrqlKeReleaseSpinLock) == 0);
    CHECK(ls_runtime_add_rule(rt, &ls_rule_SpinLock) == 1);
    CHECK(event(rt, t, "sdv_RunHwStartIo", LS_ENTRY, LS_IRQL_UNKNOWN, 0) == 0);
    call(rt, t, "KeAcquireSpinLock", 2, LOCK, HANDLE);
    call(rt, t, "KeReleaseSpinLock", 2, LOCK, 0);  /* restores PASSIVE: fine */
    CHECK(s.violations == 0);
    call(rt, t, "KeAcquireSpinLock", 2, LOCK, HANDLE);
    CHECK(event(rt, t, "sdv_RunHwStartIo", LS_EXIT, LS_IRQL_UNKNOWN, 0) == 0);
    CHECK(s.violations == 1);
    CHECK(s.trail_length[0] == 2);
    CHECK(s.trail[0][0].when == LS_EXIT && s.trail[0][0].irql == 2);  /* acquire exit */
    CHECK(s.trail[0][1].irql == 2);                 /* the routine returns at 2 */
    call(rt, t, "KeReleaseSpinLock", 2, LOCK, 1);  /* 1 is not what was saved */
    CHECK(s.violations == 2);
    CHECK_STR(s.message[1], "KeReleaseSpinLock does not restore the IRQL that was "
              "current when the spin lock was acquired.");
    ls_runtime_free(rt);
}

/* A recorded IRQL wins over the model, is what rules see, and stays (the
 * model continues from it); the first disagreement per thread is a
 * notice, later ones are silent. */
static void recorded_irql(void)
{
    struct seen s;
    uint32_t t0;
    struct ls_runtime *rt = fresh(&s, &t0);
    uint32_t t1 = ls_runtime_thread(rt, "cpu1", 4);
    CHECK(ls_runtime_add_rule(rt, &ls_rule_IrqlDispatch) == 0);

    /* agreeing values: no notice (the exit of an acquire is at 2) */
    seq = 0;
    CHECK(event(rt, t0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, LOCK, HANDLE) == 0);
    CHECK(event(rt, t0, "KeAcquireSpinLock", LS_EXIT, 2, 2, LOCK, HANDLE) == 0);
    CHECK(event(rt, t0, "KeReleaseSpinLock", LS_ENTRY, 2, 2, LOCK, (ls_word)0) == 0);
    CHECK(event(rt, t0, "KeReleaseSpinLock", LS_EXIT, 0, 2, LOCK, (ls_word)0) == 0);
    CHECK(s.notices == 0);

    /* the trace says cpu0 runs at DISPATCH_LEVEL: IrqlDispatch accepts */
    CHECK(event(rt, t0, "KeAcquireSpinLockAtDpcLevel", LS_ENTRY, 2, 1, LOCK) == 0);
    CHECK(s.violations == 0);
    CHECK(s.notices == 1);
    CHECK_STR(s.notice[0], "thread cpu0: the trace records IRQL 2 at event 5 where "
              "the model has 0; the recorded value wins");
    CHECK(s.notice_thread[0] == t0);
    CHECK_STR(stack(rt, t0), "2");
    /* the model continues from there without a recorded value */
    CHECK(event(rt, t0, "KeReleaseSpinLockFromDpcLevel", LS_ENTRY, LS_IRQL_UNKNOWN, 1, LOCK) == 0);
    CHECK(s.violations == 0);
    /* another disagreement on cpu0: silent, but still wins */
    CHECK(event(rt, t0, "KeAcquireSpinLockAtDpcLevel", LS_ENTRY, 0, 1, LOCK) == 0);
    CHECK(s.notices == 1);
    CHECK(s.violations == 1);
    CHECK_STR(s.message[0], "KeAcquireSpinLockAtDpcLevel is called below DISPATCH_LEVEL; "
              "it must be called at DISPATCH_LEVEL.");
    CHECK_STR(stack(rt, t0), "0");

    /* cpu1 gets its own notice */
    CHECK(event(rt, t1, "StorPortNotification", LS_ENTRY, 5, 0) == 0);
    CHECK(s.notices == 2);
    CHECK(s.notice_thread[1] == t1);
    CHECK_STR(s.notice[1], "thread cpu1: the trace records IRQL 5 at event 8 where "
              "the model has 0; the recorded value wins");
    CHECK_STR(stack(rt, t1), "5");

    /* out-of-range IRQLs are refused, on calls with and without an effect */
    CHECK(event(rt, t1, "StorPortNotification", LS_ENTRY, 32, 0) == -1);
    CHECK(strstr(ls_runtime_error(rt), "IRQL outside 0..31") != NULL);
    CHECK(event(rt, t1, "StorPortNotification", LS_ENTRY, -2, 0) == -1);
    CHECK(event(rt, t1, "KeLowerIrql", LS_EXIT, 40, 1, (ls_word)0) == -1);
    CHECK(strstr(ls_runtime_error(rt), "IRQL outside 0..31") != NULL);
    CHECK_STR(stack(rt, t1), "5");                  /* refused: no effect */
    ls_runtime_free(rt);

    /* a refused first event does not start the runtime: the trail length
     * can still be set */
    rt = fresh(&s, &t0);
    CHECK(event(rt, t0, "KeLowerIrql", LS_EXIT, 99, 1, (ls_word)0) == -1);
    ls_runtime_set_trail_length(rt, 3);
    CHECK(strstr(ls_runtime_error(rt), "before the first event") == NULL);
    CHECK(event(rt, t0, "KeLowerIrql", LS_EXIT, 0, 1, (ls_word)0) == 0);
    ls_runtime_set_trail_length(rt, 4);
    CHECK(strstr(ls_runtime_error(rt), "before the first event") != NULL);
    ls_runtime_free(rt);
}

/* The stack (env.h) against a plain array: random effects of every kind,
 * pops below the bottom, recorded levels over the top, growth past the
 * first allocation; its cached top always the array's last level. */
static void stack_model(void)
{
    static uint8_t model[4096];
    uint64_t rng = 0x853c49e6748fea9bULL;
    struct env_stack st;
    struct ls_event ev;
    int depth = 1, bad = 0;
    CHECK(env_stack_init(&st) == 0);
    model[0] = ENV_PASSIVE_LEVEL;
    memset(&ev, 0, sizeof ev);
    for (int op = 0; op < 100000; op++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        unsigned effect = (unsigned)(rng % 8);      /* 7: a recorded level */
        ev.nargs = (uint8_t)(rng >> 8) % 3;
        ev.args[0] = (ls_word)((rng >> 16) % 40) - 4;   /* some out of 0..31 */
        ev.args[1] = (ls_word)((rng >> 24) % 6);
        /* stay deep now and then, so growth and the bottom are both seen */
        if (depth > 3000 && env_pushes(effect))
            effect = ENV_POP;
        if (effect == 7) {
            uint8_t level = (uint8_t)((rng >> 32) % 32);
            env_set_top(&st, level);
            model[depth - 1] = level;
        } else if (effect != ENV_NONE) {
            if (st.depth == st.cap && env_pushes(effect) && env_grow(&st) != 0) {
                bad++;
                break;
            }
            env_apply(&st, effect, &ev);
            ls_word a1 = ev.nargs >= 1 ? ev.args[0] : 0, a2 = ev.nargs >= 2 ? ev.args[1] : 0;
            switch (effect) {
            case ENV_PUSH_DISPATCH: model[depth++] = 2; break;
            case ENV_PUSH_ARG1: model[depth++] = env_level(a1); break;
            case ENV_PUSH_STORPORT: model[depth++] = a2 == 3 ? 5 : 2; break;
            default:
                if (depth > 1)
                    depth--;
                else
                    model[0] = 0;
                if (effect != ENV_POP)
                    model[depth - 1] = env_level(effect == ENV_POP_TO_ARG1 ? a1 : a2);
            }
        }
        bad += (int)st.depth != depth || memcmp(st.levels, model, (size_t)depth) != 0
               || env_top(&st) != model[depth - 1];
    }
    CHECK(bad == 0);
    CHECK(st.cap > 8);
    env_stack_free(&st);
}

/* The example trace of DESIGN section 7, with its recorded IRQLs: the
 * model agrees with every one of them (an acquire's exit is at 2, the
 * release's exit back at 0), so there is no notice, and the only verdict
 * is QueuedSpinLockRelease's at event 5. */
static void design_example(void)
{
    extern const struct ls_rule *const ls_shipped_rules[];
    struct seen s;
    uint32_t cpu0;
    struct ls_runtime *rt = fresh(&s, &cpu0);
    uint32_t cpu1 = ls_runtime_thread(rt, "cpu1", 4);
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++)
        CHECK(ls_runtime_add_rule(rt, *r) >= 0);
    const ls_word lock = 0xffffa0010000, old = 0xffffa0020000, handle = 0xffffa0030000;
    seq = 0;
    CHECK(event(rt, cpu0, "KeAcquireSpinLock", LS_ENTRY, 0, 2, lock, old) == 0);
    CHECK(event(rt, cpu0, "KeAcquireSpinLock", LS_EXIT, 2, 2, lock, old) == 0);
    CHECK(event(rt, cpu0, "KeReleaseSpinLock", LS_ENTRY, 2, 2, lock, (ls_word)0) == 0);
    CHECK(event(rt, cpu0, "KeReleaseSpinLock", LS_EXIT, 0, 2, lock, (ls_word)0) == 0);
    CHECK(s.violations == 0);
    CHECK(event(rt, cpu1, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, LS_IRQL_UNKNOWN, 1,
                handle) == 0);
    CHECK(s.violations == 1 && s.trail_length[0] == 1 && s.trail[0][0].seq == 5);
    CHECK(s.notices == 0);
    CHECK(s.violations == 1);
    CHECK_STR(s.message[0], "KeReleaseInStackQueuedSpinLock releases a lock handle that was "
              "not acquired with KeAcquireInStackQueuedSpinLock.");
    CHECK_STR(stack(rt, cpu0), "0");
    ls_runtime_free(rt);
}

int main(void)
{
    acquires_push_dispatch();
    storport_locks();
    raise_lower_release();
    no_effect();
    per_thread_and_deep();
    rules_see_the_model();
    recorded_irql();
    design_example();
    stack_model();
    return check_done("test_env");
}
