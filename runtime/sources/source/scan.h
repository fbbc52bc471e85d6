/*
 * scan.h — source mode from files to findings: parse each translation
 * unit once with libclang (from a command line or a compile_commands.json),
 * lower it to CFGs, find the entry points, and explore each from the IRQL
 * its role is called at, with the given rules.  The caller (the CLI)
 * receives diagnostics, per-function results and violations through
 * callbacks, and prints or stores them.
 */
#ifndef LS_SOURCE_SCAN_H
#define LS_SOURCE_SCAN_H

#include <stdint.h>

#include <lockstep/rule.h>

#include "engine.h"

struct scan_options {
    const char *const *files;       /* sources to scan (with -p: a filter)  */
    uint32_t nfiles;
    const char *const *cflags;      /* compiler flags after `--`            */
    uint32_t ncflags;
    const char *build_dir;          /* -p: directory of compile_commands.json */
    const char *const *entries;     /* --entry FUNC or FUNC:ROLE; none: found */
    uint32_t nentries;
    uint8_t irql;                   /* IRQL of an entry point without a role */
    const char *sdv_map;            /* --sdv-map FILE, or NULL              */
    int model_headers;              /* put lockstep's DDI headers on the path */
    int dump_cfg;                   /* print the CFGs instead of analysing  */
    struct engine_limits limits;
};

/* A function of the scanned code and what became of it. */
struct scan_function {
    const char *name, *file;
    uint32_t line;
    const char *status;             /* "analysed", "skipped", "gave-up"     */
    const char *reason;             /* NULL when analysed                   */
    int entry;                      /* explored as an entry point           */
    uint64_t states;
};

struct scan_callbacks {
    /* a problem with the input: severity "error", "warning" or "note";
     * file may be NULL, line and column 0 */
    void (*diagnostic)(void *context, const char *severity, const char *file,
                       uint32_t line, uint32_t column, const char *message);
    void (*violation)(void *context, const struct engine_violation *v);
    void (*function)(void *context, const struct scan_function *f);
    /* one exploration of an entry point done */
    void (*entry)(void *context, const char *function, const char *role, uint8_t irql,
                  uint64_t states, int gave_up);
    /* a line of --dump-cfg output */
    void (*dump)(void *context, const char *text);
};

struct scan_totals {
    uint32_t units, units_failed;   /* translation units parsed / with errors */
    uint64_t lines;                 /* lines of the main files               */
    uint32_t functions, analysed, skipped, gave_up;
    uint32_t entries;               /* entry point explorations              */
    uint64_t states;
    double parse_seconds, analysis_seconds;
};

/* Runs the scan.  Returns 0 when everything could be read and analysed,
 * 1 when some input had errors (reported as diagnostics; what could be
 * read was still analysed), -1 when out of memory. */
int scan_run(const struct scan_options *options, const struct ls_rule *const *rules,
             uint32_t nrules, const struct scan_callbacks *cb, void *context,
             struct scan_totals *totals);

#endif /* LS_SOURCE_SCAN_H */
