/*
 * bench_sim.c — simulated kernel calls per second: the example miniport
 * (examples/miniport, compiled into this program) run in-process under
 * random schedules, its kernel calls going to a runtime with the kernel
 * rules attached, then the same runs with the checkers detached (events
 * go to a sink that drops them).  Prints the median of each and their
 * ratio (DESIGN section 6: >= 1 M calls/s attached, <= 1.5x detached).
 *
 *   bench_sim [-r REPEATS] [-n RUNS] [-s STEPS]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lockstep/runtime.h>

#include "sim.h"

extern const struct ls_rule *const ls_shipped_rules[];
uint32_t DriverEntry(void *driver_object, void *registry_path);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t null_function(void *ctx, const char *name)
{
    (void)ctx;
    return (uint32_t)strlen(name);
}

static int null_role(void *ctx, const char *role, const char *fn)
{
    (void)ctx; (void)role; (void)fn;
    return 0;
}

static int null_event(void *ctx, int irql, struct ls_event *ev)
{
    (void)ctx; (void)irql; (void)ev;
    return 0;
}

static void no_finding(void *ctx, enum sim_finding kind, const char *text)
{
    (void)ctx; (void)kind; (void)text;
}

static void on_violation(void *ctx, const struct ls_violation *v)
{
    (void)v;
    ++*(unsigned long *)ctx;
}

/* Calls per second of `runs` runs, attached (a fresh runtime per run, as
 * `lockstep sim` makes) or detached. */
static double measure(int attached, unsigned runs, unsigned steps, unsigned long *violations)
{
    struct sim_schedule sched;
    sim_schedule_init(&sched);
    sched.random = 1;
    const struct sim_sink null_sink = { null_function, null_role, null_event, NULL };
    uint64_t calls0 = sim_calls();
    double t0 = now();
    for (unsigned r = 0; r < runs; r++) {
        struct ls_runtime *rt = NULL;
        struct sim_runtime_sink rs;
        const struct sim_sink *sink = &null_sink;
        if (attached) {
            rt = ls_runtime_new();
            for (const struct ls_rule *const *rule = ls_shipped_rules; *rule; rule++)
                if (strcmp((*rule)->model, "posix") != 0)
                    ls_runtime_add_rule(rt, *rule);
            ls_runtime_set_sinks(rt, on_violation, NULL, violations);
            sim_runtime_sink_init(&rs, rt);
            sink = &rs.sink;
        }
        const struct sim_host host = { sink, sim_schedule_choose, no_finding, NULL, NULL, &sched };
        sim_schedule_start(&sched, 1, r);
        uint32_t status;
        sim_run(&host, DriverEntry, steps, &status);
        ls_runtime_free(rt);
    }
    double t = now() - t0;
    sim_schedule_free(&sched);
    return (double)(sim_calls() - calls0) / t;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned repeats = 7, runs = 2000, steps = 200;
    for (int ch; (ch = getopt(argc, argv, "r:n:s:")) != -1;) {
        if (ch == 'r') repeats = (unsigned)atoi(optarg);
        else if (ch == 'n') runs = (unsigned)atoi(optarg);
        else if (ch == 's') steps = (unsigned)atoi(optarg);
        else {
            fprintf(stderr, "usage: bench_sim [-r REPEATS] [-n RUNS] [-s STEPS]\n");
            return 2;
        }
    }
    if (repeats < 1 || repeats > 99)
        repeats = 7;
    double on[99], off[99];
    unsigned long violations = 0;
    for (unsigned i = 0; i < repeats; i++) {
        off[i] = measure(0, runs, steps, &violations);
        on[i] = measure(1, runs, steps, &violations);
    }
    qsort(on, repeats, sizeof *on, compare);
    qsort(off, repeats, sizeof *off, compare);
    printf("example miniport, %u runs of %u steps, %u repeats (median; min..max)\n",
           runs, steps, repeats);
    printf("  checkers attached: %6.2f M calls/s  (%.2f..%.2f)\n", on[repeats / 2] / 1e6,
           on[0] / 1e6, on[repeats - 1] / 1e6);
    printf("  checkers detached: %6.2f M calls/s  (%.2f..%.2f)\n", off[repeats / 2] / 1e6,
           off[0] / 1e6, off[repeats - 1] / 1e6);
    printf("  attached / detached time: %.2fx (target <= 1.5x); violations %lu (clean: 0)\n",
           off[repeats / 2] / on[repeats / 2], violations);
    return 0;
}
