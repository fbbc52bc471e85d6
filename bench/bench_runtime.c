/*
 * bench_runtime.c — the runtime core's throughput and memory, without any
 * event source: events are generated in memory with pre-interned ids and
 * fed straight to ls_runtime_event, so the figures are the ceiling a
 * trace reader works under (DESIGN section 6 asks >= 15 M events/s for
 * text parsing plus this, and >= 50 M events/s for the binary reader).
 *
 *   bench_runtime [-n EVENTS] [-r RUNS] [-l LOCKS] [--rules seed|all|both]
 *
 * 1. Throughput: EVENTS (default 20 M) events of a driver-like mix on 8
 *    threads: miniport routines entered and left, nested spin locks from a
 *    pool of 1000 (KeAcquireSpinLock, RaiseToDpc, in-stack queued, StorPort
 *    locks), KeRaiseIrql/KeLowerIrql, DPC-level lock calls at
 *    DISPATCH_LEVEL, completions and notifications; a lock is held by one
 *    thread at a time and IRQLs are restored correctly, so a correct
 *    runtime reports no violation.  Two rule sets, each with the IRQL
 *    model: the seed rules of DESIGN section 6 (IrqlKeReleaseSpinLock and
 *    QueuedSpinLockRelease, the set its trace targets are quoted for) and
 *    all shipped rules; --rules picks one (default both).  RUNS (default
 *    5) runs on fresh runtimes, median events/s printed.
 * 2. Memory: LOCKS (default 1 M; 0 skips it) distinct spin locks acquired
 *    and never released, all shipped rules; VmRSS from /proc/self/status
 *    before and after.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lockstep/runtime.h>

extern const struct ls_rule *const ls_shipped_rules[];
extern const struct ls_rule ls_rule_IrqlKeReleaseSpinLock, ls_rule_QueuedSpinLockRelease;

/* DESIGN section 6's seed rules. */
static const struct ls_rule *const seed_rules[] = {
    &ls_rule_IrqlKeReleaseSpinLock, &ls_rule_QueuedSpinLockRelease, NULL
};

enum {
    THREADS = 8,
    LOCK_POOL = 1000,
    MAX_DEPTH = 4
};

/* The functions the mix calls, interned in this order in every runtime. */
enum fn {
    F_ACQUIRE, F_ACQUIRE_DPC, F_RELEASE, F_QUEUED, F_QUEUED_RELEASE,
    F_AT_DPC, F_FROM_DPC, F_STOR_ACQUIRE, F_STOR_RELEASE, F_RAISE, F_LOWER,
    F_COMPLETE, F_NOTIFY, F_INSERT_QUEUE, F_STARTIO, F_ISR, F_DPC, F_COUNT
};

static const char *const fn_names[F_COUNT] = {
    "KeAcquireSpinLock", "KeAcquireSpinLockRaiseToDpc", "KeReleaseSpinLock",
    "KeAcquireInStackQueuedSpinLock", "KeReleaseInStackQueuedSpinLock",
    "KeAcquireSpinLockAtDpcLevel", "KeReleaseSpinLockFromDpcLevel",
    "StorPortAcquireSpinLock", "StorPortReleaseSpinLock", "KeRaiseIrql", "KeLowerIrql",
    "IofCompleteRequest", "StorPortNotification", "KeInsertDeviceQueue",
    "AhciHwStartIo", "AhciHwInterrupt", "AhciHwDpc",
};

/* One generated event: 24 bytes, so 20 M fit in 480 MB. */
struct bev {
    uint8_t fn;                     /* enum fn                              */
    uint8_t thread;
    uint8_t when;
    uint8_t nargs;
    uint32_t pad;
    ls_word a1, a2;
};

/* ---- the generator ------------------------------------------------------ */

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 16) % n);
}

/* Something a thread holds, released in LIFO order. */
struct held {
    uint8_t kind;                   /* F_ACQUIRE, F_QUEUED, F_AT_DPC, F_STOR_ACQUIRE, F_RAISE */
    ls_word lock, handle;
    int old_irql;
};

struct gen_thread {
    int in_routine;
    int waiting;                    /* wants to return from its routine     */
    uint8_t routine;
    int depth;
    struct held stack[MAX_DEPTH + 1];
    int irql;                       /* current IRQL as the model will see it */
    int locks;                      /* spin locks held (not raises)         */
    int pending;                    /* an exit is due                       */
    struct bev exit;
};

static unsigned char lock_busy[LOCK_POOL];

/* Spin locks held by all threads, and threads waiting to return from their
 * routine.  The rules keep one instance per lock for every thread, so a
 * routine that returns while *another* CPU holds a lock is reported (the
 * SDV rules were written for one thread of control).  The mix avoids that:
 * a thread that wants to return stops new acquires everywhere until no
 * spin lock is held, as if the routines' lock sections did not overlap
 * their returns. */
static int locks_held, returning;

static ls_word lock_addr(uint32_t i)
{
    return (ls_word)(0xffffa00000100000ULL + 64 * (uint64_t)i);
}

static struct bev call(uint8_t fn, int thread, int nargs, ls_word a1, ls_word a2)
{
    struct bev b = { fn, (uint8_t)thread, LS_ENTRY, (uint8_t)nargs, 0, a1, a2 };
    return b;
}

/* The next call of thread t (its entry); the exit is kept pending. */
static struct bev next_call(struct gen_thread *g, int t)
{
    if (!g->in_routine) {
        static const uint8_t routines[] = { F_STARTIO, F_STARTIO, F_ISR, F_DPC };
        g->in_routine = 1;
        g->routine = routines[rnd(4)];
        return call(g->routine, t, 2, 0xffffa0500000, 0xffffa0600000 + 0x100 * (ls_word)t);
    }
    uint32_t r = rnd(100);
    if (g->depth > 0 && (r < 35 || g->depth == MAX_DEPTH || returning > 0)) {  /* release */
        struct held *h = &g->stack[--g->depth];
        g->irql = h->old_irql;
        switch (h->kind) {
        case F_ACQUIRE:
            lock_busy[(h->lock - lock_addr(0)) / 64] = 0;
            g->locks--;
            locks_held--;
            return call(F_RELEASE, t, 2, h->lock, h->old_irql);
        case F_QUEUED:
            lock_busy[(h->lock - lock_addr(0)) / 64] = 0;
            g->locks--;
            locks_held--;
            return call(F_QUEUED_RELEASE, t, 1, h->handle, 0);
        case F_AT_DPC:
            lock_busy[(h->lock - lock_addr(0)) / 64] = 0;
            g->locks--;
            locks_held--;
            return call(F_FROM_DPC, t, 1, h->lock, 0);
        case F_STOR_ACQUIRE:
            return call(F_STOR_RELEASE, t, 2, 0xffffa0500000, h->handle);
        default:
            return call(F_LOWER, t, 1, h->old_irql, 0);
        }
    }
    if (g->waiting) {                               /* wants to return */
        if (g->depth == 0 && locks_held == 0) {
            g->waiting = 0;
            returning--;
            g->in_routine = 0;
            struct bev b = call(g->routine, t, 2, 0xffffa0500000,
                                0xffffa0600000 + 0x100 * (ls_word)t);
            b.when = LS_EXIT;                       /* its entry was long ago */
            return b;
        }
        return call(F_NOTIFY, t, 1, 0xffffa0500000, 0);
    }
    if (r < 70 && returning == 0) {                                 /* acquire */
        struct held *h = &g->stack[g->depth];
        uint32_t k = rnd(LOCK_POOL);
        for (int tries = 0; lock_busy[k] && tries < 8; tries++)
            k = rnd(LOCK_POOL);
        if (lock_busy[k])
            return call(F_NOTIFY, t, 1, 0xffffa0500000, 0);
        h->old_irql = g->irql;
        h->lock = lock_addr(k);
        h->handle = 0xffffb0000000 + 0x1000 * (ls_word)t + 0x20 * (ls_word)g->depth;
        uint32_t kind = rnd(10);
        if (kind < 3 && g->irql == 0 && g->locks == 0) {
            h->kind = F_RAISE;
            g->depth++;
            g->irql = 1;
            return call(F_RAISE, t, 2, 1, h->handle);
        }
        if (kind < 4 && g->irql < 2) {
            h->kind = F_STOR_ACQUIRE;
            g->depth++;
            g->irql = 2;
            return call(F_STOR_ACQUIRE, t, 2, 0xffffa0500000, 2);
        }
        lock_busy[k] = 1;
        g->locks++;
        locks_held++;
        g->depth++;
        if (g->irql == 2 && kind >= 8) {            /* already at DISPATCH_LEVEL */
            h->kind = F_AT_DPC;
            return call(F_AT_DPC, t, 1, h->lock, 0);
        }
        g->irql = 2;
        if (kind < 7) {
            h->kind = F_ACQUIRE;
            return kind == 6 ? call(F_ACQUIRE_DPC, t, 1, h->lock, 0)
                             : call(F_ACQUIRE, t, 2, h->lock, h->handle);
        }
        h->kind = F_QUEUED;
        return call(F_QUEUED, t, 2, h->lock, h->handle);
    }
    if (r >= 70 && r < 80 && g->locks == 0)
        return call(F_COMPLETE, t, 2, 0xffffa0700000, 0);
    if (r >= 80 && r < 88 && g->irql == 2)
        return call(F_INSERT_QUEUE, t, 2, 0xffffa0800000, 0xffffa0900000);
    if (r >= 88 && r < 90 && g->depth == 0) {       /* time to return */
        g->waiting = 1;
        returning++;
        return call(F_NOTIFY, t, 1, 0xffffa0500000, 0);
    }
    return call(F_NOTIFY, t, 1, 0xffffa0500000, 0);
}

/* n events of the mix.  The thread of each event is drawn at random and
 * kept for a run of 1 to `burst` events: burst 1 interleaves the threads
 * event by event (the worst case for branch prediction), larger bursts
 * look more like a merged per-CPU trace. */
static struct bev *generate(size_t n, uint32_t burst)
{
    static struct gen_thread threads[THREADS];
    struct bev *out = malloc(n * sizeof *out);
    if (out == NULL)
        return NULL;
    memset(threads, 0, sizeof threads);
    memset(lock_busy, 0, sizeof lock_busy);
    locks_held = returning = 0;
    int t = 0;
    uint32_t left = 0;
    for (size_t i = 0; i < n; i++) {
        if (left == 0) {
            t = (int)rnd(THREADS);
            left = 1 + rnd(burst);
        }
        left--;
        struct gen_thread *g = &threads[t];
        if (g->pending) {
            out[i] = g->exit;
            g->pending = 0;
            continue;
        }
        out[i] = next_call(g, t);
        if (out[i].when == LS_ENTRY && out[i].fn != F_STARTIO && out[i].fn != F_ISR
            && out[i].fn != F_DPC) {
            g->exit = out[i];
            g->exit.when = LS_EXIT;
            g->pending = 1;
        }
    }
    return out;
}

/* ---- runtimes ------------------------------------------------------------ */

struct counts {
    uint64_t violations, notices;
};

static void on_violation(void *context, const struct ls_violation *v)
{
    struct counts *c = context;
    if (c->violations++ < 3)
        fprintf(stderr, "  violation: %s: %s\n", v->module->name, v->message);
}

static void on_notice(void *context, uint32_t thread, uint64_t seq, const char *text)
{
    struct counts *c = context;
    (void)thread, (void)seq, (void)text;
    c->notices++;
}

/* A runtime with the given rules (NULL-terminated), the roles mapped and
 * the ids of the mix interned (the same ids in every runtime made here). */
static struct ls_runtime *make_runtime(const struct ls_rule *const *rules,
                                       uint32_t fn_ids[F_COUNT], uint32_t thread_ids[THREADS],
                                       struct counts *c)
{
    struct ls_runtime *rt = ls_runtime_new();
    if (rt == NULL)
        return NULL;
    ls_runtime_set_sinks(rt, on_violation, on_notice, c);
    for (const struct ls_rule *const *r = rules; *r; r++)
        if (ls_runtime_add_rule(rt, *r) < 0) {
            fprintf(stderr, "bench_runtime: %s\n", ls_runtime_error(rt));
            ls_runtime_free(rt);
            return NULL;
        }
    ls_runtime_map_role(rt, "HW_STARTIO", "AhciHwStartIo");
    ls_runtime_map_role(rt, "HW_INTERRUPT", "AhciHwInterrupt");
    ls_runtime_map_role(rt, "HW_DPC_ROUTINE", "AhciHwDpc");
    for (int i = 0; i < F_COUNT; i++)
        fn_ids[i] = ls_runtime_function(rt, fn_names[i], strlen(fn_names[i]));
    for (int t = 0; t < THREADS; t++) {
        char name[16];
        int n = snprintf(name, sizeof name, "cpu%d", t);
        thread_ids[t] = ls_runtime_thread(rt, name, (size_t)n);
    }
    return rt;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Feeds the events to a fresh runtime; returns the seconds taken, or -1. */
static double run_once(const struct ls_rule *const *rules, const struct bev *evs, size_t n,
                       struct counts *c, int report)
{
    uint32_t fn[F_COUNT], th[THREADS];
    struct ls_runtime *rt = make_runtime(rules, fn, th, c);
    struct ls_event ev;
    if (rt == NULL)
        return -1;
    memset(&ev, 0, sizeof ev);
    double start = now();
    for (size_t i = 0; i < n; i++) {
        const struct bev *b = &evs[i];
        ev.seq = i + 1;
        ev.fn = fn[b->fn];
        ev.when = b->when;
        ev.nargs = b->nargs;
        ev.args[0] = b->a1;
        ev.args[1] = b->a2;
        if (ls_runtime_event(rt, th[b->thread], LS_IRQL_UNKNOWN, &ev, NULL, 0) != 0) {
            fprintf(stderr, "bench_runtime: %s\n", ls_runtime_error(rt));
            ls_runtime_free(rt);
            return -1;
        }
    }
    double took = now() - start;
    if (report) {
        uint64_t steps = 0, peak = 0;
        for (uint32_t r = 0; r < ls_runtime_rule_count(rt); r++) {
            steps += ls_runtime_stats(rt, r)->steps;
            peak += ls_runtime_stats(rt, r)->peak_instances;
        }
        printf("  per run: %llu step() calls, %llu peak live instances (summed over the rules), "
               "%llu violations, %llu notices\n", (unsigned long long)steps,
               (unsigned long long)peak, (unsigned long long)c->violations,
               (unsigned long long)c->notices);
    }
    ls_runtime_free(rt);
    return took;
}

/* LOCKS distinct locks acquired and kept, spread over the threads. */
static int memory(size_t locks)
{
    uint32_t fn[F_COUNT], th[THREADS];
    struct counts c = { 0, 0 };
    struct ls_runtime *rt = make_runtime(ls_shipped_rules, fn, th, &c);
    struct ls_event ev;
    if (rt == NULL)
        return -1;
    memset(&ev, 0, sizeof ev);
    long before = rss_kib();
    double start = now();
    for (size_t i = 0; i < locks; i++) {
        ev.fn = fn[F_ACQUIRE];
        ev.nargs = 2;
        ev.args[0] = (ls_word)(0xffff900000000000ULL + 64 * (uint64_t)i);
        ev.args[1] = 0xffffb0000000;
        for (int w = LS_ENTRY; w <= LS_EXIT; w++) {
            ev.seq = 2 * i + (size_t)w + 1;
            ev.when = (uint8_t)w;
            if (ls_runtime_event(rt, th[i % THREADS], LS_IRQL_UNKNOWN, &ev, NULL, 0) != 0) {
                fprintf(stderr, "bench_runtime: %s\n", ls_runtime_error(rt));
                ls_runtime_free(rt);
                return -1;
            }
        }
    }
    double took = now() - start;
    long after = rss_kib();
    uint64_t live = 0;
    printf("== memory: %zu distinct spin locks acquired, none released "
           "(target: 1 M live lock instances in <= 200 MB) ==\n", locks);
    for (uint32_t r = 0; r < ls_runtime_rule_count(rt); r++) {
        const struct ls_rule_stats *s = ls_runtime_stats(rt, r);
        if (s->live_instances)
            printf("  %-24s %10llu live instances\n", ls_runtime_rule(rt, r)->name,
                   (unsigned long long)s->live_instances);
        live += s->live_instances;
    }
    printf("  VmRSS before %.1f MB, after %.1f MB: %.1f MB for %llu live instances "
           "(%.0f bytes per lock, %.0f per instance), %.0f ns per event\n",
           before / 1024.0, after / 1024.0, (after - before) / 1024.0,
           (unsigned long long)live, (after - before) * 1024.0 / (double)locks,
           (after - before) * 1024.0 / (double)(live ? live : 1),
           took * 1e9 / (double)(2 * locks));
    ls_runtime_free(rt);
    return 0;
}

/* The rule sets the throughput is measured with. */
static const struct {
    const char *option;
    const char *title;
    const struct ls_rule *const *rules;
} rule_sets[] = {
    { "seed", "seed rules (IrqlKeReleaseSpinLock, QueuedSpinLockRelease)", seed_rules },
    { "all", "all shipped rules", ls_shipped_rules },
};

int main(int argc, char **argv)
{
    size_t n = 20000000, locks = 1000000;
    int runs = 5, bad = 0;
    const char *which = "both";
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 == argc)
            bad = 1;
        else if (strcmp(argv[i], "-n") == 0)
            n = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-r") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-l") == 0)
            locks = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--rules") == 0)
            which = argv[i + 1];
        else
            bad = 1;
    }
    if (bad || runs < 1 || runs > 99 || n == 0
        || (strcmp(which, "seed") && strcmp(which, "all") && strcmp(which, "both"))) {
        fprintf(stderr, "usage: bench_runtime [-n EVENTS] [-r RUNS 1..99] [-l LOCKS] "
                "[--rules seed|all|both]\n");
        return 2;
    }

    /* memory first, on a small heap; then the mix */
    if (locks > 0 && memory(locks) != 0)
        return 1;

    static const uint32_t bursts[] = { 1, 16 };
    for (int b = 0; b < 2; b++) {
        struct bev *evs = generate(n, bursts[b]);
        if (evs == NULL) {
            fprintf(stderr, "bench_runtime: out of memory generating %zu events\n", n);
            return 1;
        }
        size_t per_fn[F_COUNT] = { 0 };
        for (size_t i = 0; i < n; i++)
            per_fn[evs[i].fn]++;
        printf("\n== throughput: %zu events, 8 threads %s, 1000 locks ==\n", n,
               bursts[b] == 1 ? "interleaved event by event" : "in runs of 1-16 events");
        printf("  mix:");
        for (int f = 0; f < F_COUNT; f++)
            printf("%s %s %.1f%%", f ? "," : "", fn_names[f], 100.0 * (double)per_fn[f] / (double)n);
        printf("\n");
        for (size_t s = 0; s < sizeof rule_sets / sizeof rule_sets[0]; s++) {
            if (strcmp(which, "both") && strcmp(which, rule_sets[s].option))
                continue;
            printf("-- %s + IRQL model (median of %d runs) --\n", rule_sets[s].title, runs);
            double secs[99];
            for (int r = 0; r < runs; r++) {
                struct counts c = { 0, 0 };
                secs[r] = run_once(rule_sets[s].rules, evs, n, &c, r == 0);
                if (secs[r] < 0)
                    return 1;
            }
            qsort(secs, (size_t)runs, sizeof secs[0], cmp_double);
            printf("  median %.3f s: %.1f M events/s (%.1f ns per event); best %.1f M events/s\n",
                   secs[runs / 2], (double)n / secs[runs / 2] / 1e6,
                   secs[runs / 2] * 1e9 / (double)n, (double)n / secs[0] / 1e6);
        }
        free(evs);
    }
    return 0;
}
