/*
 * stub_runtime.h — what the stand-in runtime (stub_runtime.c) counts, for
 * the parser benchmark to print and check.
 */
#ifndef LS_BENCH_STUB_RUNTIME_H
#define LS_BENCH_STUB_RUNTIME_H

#include <stdint.h>

struct ls_runtime;

struct stub_totals {
    uint64_t events;
    uint64_t located;               /* events with a file:line              */
    uint64_t sum;                   /* of every field, so nothing is skipped */
};

const struct stub_totals *stub_totals(const struct ls_runtime *rt);

#endif
