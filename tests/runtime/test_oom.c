/*
 * test_oom.c — out of memory everywhere: malloc, calloc and realloc are
 * wrapped at link time (-Wl,--wrap, see tests/CMakeLists.txt) to fail at
 * the Nth call, and a scenario using every part of the runtime (rules,
 * roles, names, growing instance tables and trails, violations, notices)
 * runs once for each N until it completes with no failure injected.  Each
 * call must return its error value with a message and never crash; the
 * runtime must stay usable; under the sanitizer build, nothing may leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include <lockstep/runtime.h>

extern const struct ls_rule *const ls_shipped_rules[];

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static long allocations, fail_at = -1, failed;

/* 1 when this allocation is the one to fail. */
static int fail_now(void)
{
    if (allocations++ == fail_at) {
        failed++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return fail_now() ? NULL : __real_realloc(p, size);
}

static int bad_messages;

static void on_violation(void *context, const struct ls_violation *v)
{
    int *n = context;
    (*n)++;
    if (v->message == NULL || v->message[0] == '\0')
        bad_messages++;
}

static void on_notice(void *context, uint32_t thread, uint64_t seq, const char *text)
{
    (void)context, (void)thread, (void)seq;
    if (text == NULL || text[0] == '\0')
        bad_messages++;
}

/* An error return must come with a message. */
static void expect_message(struct ls_runtime *rt)
{
    if (ls_runtime_error(rt)[0] == '\0')
        bad_messages++;
}

static int event(struct ls_runtime *rt, uint32_t thread, const char *fn, enum ls_when when,
                 int irql, ls_word a1, ls_word a2)
{
    static uint64_t seq;
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++seq;
    ev.fn = ls_runtime_function(rt, fn, strlen(fn));
    if (ev.fn == UINT32_MAX) {
        expect_message(rt);
        return -1;
    }
    ev.when = (uint8_t)when;
    ev.nargs = 2;
    ev.args[0] = a1;
    ev.args[1] = a2;
    int r = ls_runtime_event(rt, thread, irql, &ev, NULL, 0);
    if (r != 0)
        expect_message(rt);
    return r;
}

/* The scenario; returns the number of calls that reported an error. */
static int scenario(int *violations)
{
    int errors = 0;
    struct ls_runtime *rt = ls_runtime_new();
    if (rt == NULL)
        return 1;
    ls_runtime_set_sinks(rt, on_violation, on_notice, violations);
    ls_runtime_set_trail_length(rt, 4);
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++)
        if (ls_runtime_add_rule(rt, *r) < 0) {
            errors++;
            expect_message(rt);
        }
    if (ls_runtime_map_role(rt, "HW_STARTIO", "MyStartIo") != 0) {
        errors++;
        expect_message(rt);
    }
    uint32_t threads[3];
    const char *names[3] = { "cpu0", "cpu1", "a-thread-with-a-rather-long-name" };
    for (int i = 0; i < 3; i++)
        if ((threads[i] = ls_runtime_thread(rt, names[i], strlen(names[i]))) == UINT32_MAX) {
            errors++;
            expect_message(rt);
        }
    /* 300 locks held at once on three threads (tables and trails grow),
     * a routine returning with them held (every instance steps, many
     * violations), releases, and recorded IRQLs that disagree */
    for (int i = 0; i < 300; i++) {
        uint32_t t = threads[i % 3];
        ls_word lock = (ls_word)0xffffa0000000 + 64 * i;
        errors += event(rt, t, "KeAcquireSpinLock", LS_ENTRY, LS_IRQL_UNKNOWN, lock, 0) != 0;
        errors += event(rt, t, "KeAcquireSpinLock", LS_EXIT, i % 7 == 0 ? 0 : -1, lock, 0) != 0;
        errors += event(rt, t, "KeAcquireInStackQueuedSpinLock", LS_EXIT, LS_IRQL_UNKNOWN,
                        lock + 8, lock + 16) != 0;
        if (i % 50 == 0)
            errors += event(rt, t, "IofCompleteRequest", LS_ENTRY, LS_IRQL_UNKNOWN, 1, 0) != 0;
    }
    errors += event(rt, threads[0], "MyStartIo", LS_EXIT, LS_IRQL_UNKNOWN, 0, 0) != 0;
    for (int i = 0; i < 300; i++) {
        uint32_t t = threads[i % 3];
        ls_word lock = (ls_word)0xffffb0000000 + 64 * i;  /* never acquired */
        errors += event(rt, t, "KeReleaseSpinLock", LS_ENTRY, LS_IRQL_UNKNOWN, lock, 2) != 0;
        errors += event(rt, t, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, LS_IRQL_UNKNOWN,
                        lock + 16, 0) != 0;
    }
    for (uint32_t r = 0; r < ls_runtime_rule_count(rt); r++) {
        const struct ls_rule_stats *s = ls_runtime_stats(rt, r);
        if (s->live_instances > s->instances || s->live_instances > s->peak_instances)
            bad_messages++;
    }
    ls_runtime_free(rt);
    return errors;
}

int main(void)
{
    int v = 0;
    scenario(&v);                           /* no failure: the reference */
    long total = allocations;
    int want_violations = v;
    CHECK(total > 100 && v > 300);
    int runs = 0, complete = 0;
    for (fail_at = 0;; fail_at++) {
        allocations = 0;
        failed = 0;
        v = 0;
        int errors = scenario(&v);
        runs++;
        if (!failed) {                      /* past the last allocation */
            complete = errors == 0 && v == want_violations;
            break;
        }
        if (fail_at > 100000)
            break;
    }
    CHECK(complete);
    CHECK(runs > 100);
    CHECK(bad_messages == 0);
    printf("test_oom: %ld allocations, each failed once\n", total);
    return check_done("test_oom");
}
