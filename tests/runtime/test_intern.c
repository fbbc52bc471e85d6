/*
 * test_intern.c — string interning (runtime/core/intern.c), directly and
 * through ls_runtime_function / ls_runtime_thread: ids are dense and
 * stable, names of any length (and with NUL bytes inside) come back
 * exactly, and the table keeps all of that while growing to 100 000 names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intern.h"

#include <lockstep/runtime.h>

static void dense_and_stable(void)
{
    struct intern t;
    intern_init(&t);
    CHECK(intern_find(&t, "a", 1) == INTERN_NONE);  /* empty table */
    CHECK(intern_name(&t, 0) == NULL);
    CHECK(intern_add(&t, "KeAcquireSpinLock", 17) == 0);
    CHECK(intern_add(&t, "KeReleaseSpinLock", 17) == 1);
    CHECK(intern_add(&t, "KeAcquireSpinLock", 17) == 0);  /* again: same id */
    CHECK(intern_add(&t, "", 0) == 2);                    /* the empty name */
    CHECK(intern_add(&t, "", 0) == 2);
    CHECK(intern_add(&t, NULL, 0) == 2);                  /* NULL, 0 is "" */
    CHECK(intern_add(&t, NULL, 3) == INTERN_NONE);
    CHECK(intern_find(&t, "KeReleaseSpinLock", 17) == 1);
    CHECK(intern_find(&t, "KeReleaseSpinLoc", 16) == INTERN_NONE);
    CHECK(intern_find(&t, "KeReleaseSpinLockX", 18) == INTERN_NONE);
    CHECK_STR(intern_name(&t, 0), "KeAcquireSpinLock");
    CHECK_STR(intern_name(&t, 2), "");
    CHECK(intern_name(&t, 3) == NULL);
    CHECK(t.count == 3);
    intern_free(&t);
    CHECK(t.count == 0 && intern_find(&t, "KeAcquireSpinLock", 17) == INTERN_NONE);
}

/* A name is the bytes given, not up to a NUL: prefixes and embedded NULs
 * are different names; the stored copy is NUL-terminated anyway. */
static void binary_safe(void)
{
    struct intern t;
    intern_init(&t);
    const char a[] = "ab\0cd", b[] = "ab\0ce";
    uint32_t ia = intern_add(&t, a, 5), ib = intern_add(&t, b, 5);
    uint32_t ab = intern_add(&t, "ab", 2), ab0 = intern_add(&t, "ab\0", 3);
    CHECK(ia != ib && ia != ab && ib != ab && ab0 != ab && ab0 != ia);
    CHECK(intern_find(&t, a, 5) == ia);
    CHECK(intern_find(&t, "ab", 2) == ab);
    CHECK(memcmp(intern_name(&t, ia), a, 6) == 0);   /* bytes + terminator */
    CHECK(t.names[ia].length == 5);
    /* a name used as a slice of a longer buffer, as a trace reader passes it */
    const char *line = "12 cpu0 - entry KeLowerIrql 1";
    uint32_t f = intern_add(&t, line + 16, 11);
    CHECK_STR(intern_name(&t, f), "KeLowerIrql");
    CHECK(intern_find(&t, "KeLowerIrql", 11) == f);
    intern_free(&t);
}

/* Long names: longer than a word, than a slot's worth, than an arena
 * block (64 KiB), each stored and found exactly. */
static void long_names(void)
{
    struct intern t;
    intern_init(&t);
    size_t sizes[] = { 7, 8, 9, 15, 16, 17, 255, 256, 4096, 65535, 65536, 200000 };
    uint32_t ids[sizeof sizes / sizeof sizes[0]];
    char *buf = malloc(200001);
    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(buf, 'a' + (int)i, sizes[i]);
        ids[i] = intern_add(&t, buf, sizes[i]);
        CHECK(ids[i] == i);
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(buf, 'a' + (int)i, sizes[i]);
        CHECK(intern_find(&t, buf, sizes[i]) == ids[i]);
        CHECK(strlen(intern_name(&t, ids[i])) == sizes[i]);
        CHECK(memcmp(intern_name(&t, ids[i]), buf, sizes[i]) == 0);
        buf[sizes[i] - 1] ^= 1;             /* one bit off: another name */
        CHECK(intern_find(&t, buf, sizes[i]) == INTERN_NONE);
    }
    free(buf);
    intern_free(&t);
}

/* 100 000 names: ids stay dense and in order, every name is found, and the
 * pointers handed out early still read correctly after the growth. */
static void growth(void)
{
    enum { N = 100000 };
    struct intern t;
    char name[32];
    intern_init(&t);
    const char *first = NULL;
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof name, "fn_%d", i);
        if (intern_add(&t, name, (size_t)n) != (uint32_t)i)
            bad++;
        if (i == 0)
            first = intern_name(&t, 0);
    }
    CHECK(bad == 0);
    CHECK(t.count == N);
    CHECK_STR(first, "fn_0");
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof name, "fn_%d", i);
        if (intern_find(&t, name, (size_t)n) != (uint32_t)i || strcmp(intern_name(&t, (uint32_t)i), name) != 0)
            bad++;
        n = snprintf(name, sizeof name, "gn_%d", i);
        if (intern_find(&t, name, (size_t)n) != INTERN_NONE)
            bad++;
    }
    CHECK(bad == 0);
    intern_free(&t);
}

/* Through the public API: functions and threads are separate id spaces,
 * and the runtime's own names (the IRQL model's) are already there. */
static void runtime_names(void)
{
    struct ls_runtime *rt = ls_runtime_new();
    CHECK(rt != NULL);
    if (rt == NULL)
        return;
    uint32_t acquire = ls_runtime_function(rt, "KeAcquireSpinLock", 17);
    uint32_t mine = ls_runtime_function(rt, "AhciHwStartIo", 13);
    CHECK(acquire != UINT32_MAX && mine != UINT32_MAX && acquire < mine);
    CHECK(ls_runtime_function(rt, "AhciHwStartIo", 13) == mine);
    CHECK(ls_runtime_function(rt, "AhciHwStartIoX", 13) == mine);  /* length counts */
    CHECK_STR(ls_runtime_function_name(rt, mine), "AhciHwStartIo");
    CHECK(ls_runtime_function_name(rt, mine + 1) == NULL);

    uint32_t cpu0 = ls_runtime_thread(rt, "cpu0", 4);
    uint32_t cpu1 = ls_runtime_thread(rt, "cpu1", 4);
    CHECK(cpu0 == 0 && cpu1 == 1);                  /* dense from 0 */
    CHECK(ls_runtime_thread(rt, "cpu0", 4) == 0);
    CHECK_STR(ls_runtime_thread_name(rt, 1), "cpu1");
    CHECK(ls_runtime_thread_name(rt, 2) == NULL);

    char name[32];
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(name, sizeof name, "thread-%d", i);
        if (ls_runtime_thread(rt, name, (size_t)n) != (uint32_t)i + 2)
            bad++;
    }
    CHECK(bad == 0);
    struct ls_env env = ls_runtime_env(rt, 4000);   /* every thread has its stack */
    CHECK(env.irql_depth == 1 && env.irql_stack[0] == 0);
    ls_runtime_free(rt);
}

int main(void)
{
    dense_and_stable();
    binary_safe();
    long_names();
    growth();
    runtime_names();
    return check_done("test_intern");
}
