/*
 * bench_trace.c — throughput of the native trace readers, text or binary
 * (ls_trace_read tells them apart; convert a trace with `lockstep trace
 * convert`).
 *
 *   bench_trace_parser [-r RUNS] FILE     reader + stand-in runtime (stub_runtime.c):
 *                                         the parser alone
 *   bench_trace [-r RUNS] [--seed|--no-rules] FILE
 *                                         reader + the real runtime with the
 *                                         shipped rules (--seed: the two
 *                                         seed rules; --no-rules: none), the
 *                                         IRQL model and the call checks, as
 *                                         `lockstep check` runs it
 *
 * Each run opens FILE and reads it all through ls_trace_read; the
 * figures are medians over the runs, of wall-clock time and of the
 * process's CPU time (which other work on a shared machine disturbs
 * less).  A baseline is timed the same way:
 * read(2) into a 1 MiB buffer and count newlines with memchr, which is
 * what `wc -l` does, so "x baseline" is the ratio the DESIGN target (within
 * 5x of wc -l) is about.  Generate input with gen_trace.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lockstep/runtime.h>
#include <lockstep/trace.h>

#ifdef BENCH_STUB
#include "stub_runtime.h"
#else
extern const struct ls_rule *const ls_shipped_rules[];
static unsigned long long violations;

static void count_violation(void *context, const struct ls_violation *v)
{
    (void)context, (void)v;
    violations++;
}
#endif

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The baseline: newlines counted as wc -l counts them.  Returns seconds. */
static double time_baseline(const char *path, unsigned long long *lines)
{
    static char buf[1 << 20];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    double t0 = now();
    unsigned long long n = 0;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0)
        for (char *p = buf, *end = buf + got; (p = memchr(p, '\n', (size_t)(end - p))); p++)
            n++;
    double t = now() - t0;
    close(fd);
    *lines = n;
    return t;
}

int main(int argc, char **argv)
{
    int runs = 5, rules = 1;        /* 0 none, 1 all shipped, 2 seed rules */
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-rules") == 0)
            rules = 0;
        else if (strcmp(argv[i], "--seed") == 0)
            rules = 2;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: %s [-r RUNS] [--seed|--no-rules] FILE\n", argv[0]);
            return 2;
        }
    }
    if (!path || runs < 1 || runs > 100) {
        fprintf(stderr, "usage: %s [-r RUNS] [--seed|--no-rules] FILE\n", argv[0]);
        return 2;
    }

    double *secs = calloc((size_t)runs, sizeof *secs);
    double *base = calloc((size_t)runs, sizeof *base);
    double *cpu = calloc((size_t)runs, sizeof *cpu);
    struct ls_trace_result res;
    unsigned long long lines = 0;
    for (int run = 0; run < runs; run++) {
        base[run] = time_baseline(path, &lines);
        int fd = open(path, O_RDONLY);
        if (fd < 0 || base[run] < 0) {
            perror(path);
            return 1;
        }
        struct ls_runtime *rt = ls_runtime_new();
#ifndef BENCH_STUB
        ls_runtime_set_sinks(rt, count_violation, NULL, NULL);
        violations = 0;
        ls_runtime_check_calls(rt, 1);
        for (int r = 0; rules && ls_shipped_rules[r]; r++)
            if ((rules == 1 || strcmp(ls_shipped_rules[r]->name, "IrqlKeReleaseSpinLock") == 0
                 || strcmp(ls_shipped_rules[r]->name, "QueuedSpinLockRelease") == 0)
                && ls_runtime_add_rule(rt, ls_shipped_rules[r]) < 0) {
                fprintf(stderr, "add rule: %s\n", ls_runtime_error(rt));
                return 1;
            }
#endif
        double t0 = now(), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        int rc = ls_trace_read(rt, fd, path, NULL, &res);
        secs[run] = now() - t0;
        cpu[run] = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        close(fd);
        if (rc != 0) {
            fprintf(stderr, "%s\n", res.error);
            return 1;
        }
#ifdef BENCH_STUB
        if (stub_totals(rt)->events != res.events) {
            fprintf(stderr, "event count mismatch\n");
            return 1;
        }
        if (run == 0)
            printf("checksum %016llx, %llu events with a location\n",
                   (unsigned long long)stub_totals(rt)->sum,
                   (unsigned long long)stub_totals(rt)->located);
#else
        if (run == 0)
            printf("%llu violations\n", violations);
#endif
        ls_runtime_free(rt);
    }
    (void)rules;
    double t = median(secs, runs), b = median(base, runs);
    double best = secs[0];          /* sorted by median() */
    double mb = (double)res.bytes / 1e6;
    printf("%s: %.1f MB, %llu lines, %llu events, %d runs (medians)\n", path, mb,
           lines, (unsigned long long)res.events, runs);
    printf("  reader:   %8.3f s  %8.0f MB/s  %6.2f M events/s  (best %.3f s)\n", t, mb / t,
           (double)res.events / t / 1e6, best);
    double c = median(cpu, runs);
    printf("  cpu time: %8.3f s  %8.0f MB/s  %6.2f M events/s  (less disturbed by other "
           "processes)\n", c, mb / c, (double)res.events / c / 1e6);
    printf("  baseline: %8.3f s  %8.0f MB/s  (read + memchr, as wc -l)\n", b, mb / b);
    printf("  ratio:    %8.2f x baseline\n", t / b);
    free(secs);
    free(base);
    free(cpu);
    return 0;
}
