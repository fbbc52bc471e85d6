/*
 * bench_compile.c — how long the compiler takes per spec: preprocessing,
 * parsing, sema and C emission (into memory), repeated and reported as the
 * median, minimum and maximum in milliseconds.
 *
 *   bench_compile [-n RUNS] SPEC.slic...
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "emit.h"
#include "parse.h"
#include "sema.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One full compilation of path to C in memory; returns 0 on success. */
static int compile_once(const char *path, const struct parse_options *opt)
{
    struct src_manager sm;
    struct diag d;
    char *buf = NULL;
    size_t len = 0;
    int rc = 1;

    src_init(&sm);
    diag_init(&d, &sm, stderr);
    struct ast_rule *rule = parse_file(&sm, &d, path, opt);
    if (rule && sema_check(rule, &d) == 0) {
        FILE *f = open_memstream(&buf, &len);
        rc = emit_c_header(rule, f) || emit_c_source(rule, f, "bench.c");
        fclose(f);
        free(buf);
    }
    if (rule)
        ast_free(rule);
    src_free(&sm);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = 200, first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || runs < 1) {
        fprintf(stderr, "usage: bench_compile [-n RUNS] SPEC.slic...\n");
        return 2;
    }
    const char *dirs[] = { compile_default_include_dir() };
    struct parse_options opt = { dirs, 1 };
    double *t = malloc((size_t)runs * sizeof *t);

    printf("%-28s %10s %10s %10s  (ms per spec, %d runs)\n", "spec", "median", "min", "max", runs);
    for (int i = first; i < argc; i++) {
        for (int r = 0; r < runs; r++) {
            double start = now_ms();
            if (compile_once(argv[i], &opt) != 0) {
                fprintf(stderr, "bench_compile: %s does not compile\n", argv[i]);
                return 1;
            }
            t[r] = now_ms() - start;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        const char *name = strrchr(argv[i], '/');
        printf("%-28s %10.3f %10.3f %10.3f\n", name ? name + 1 : argv[i],
               t[runs / 2], t[0], t[runs - 1]);
    }
    free(t);
    return 0;
}
