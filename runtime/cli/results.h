/*
 * results.h — what the two halves of `lockstep results` share:
 * cmd_results.c (options, the table/JSON/CSV listings, run comparison,
 * error traces) and results_sarif.c (the SARIF 2.1.0 log).  Both read the
 * database through the one violations statement and the one steps
 * statement built there, so a filter, the comparison or a step means the
 * same in every format.
 */
#ifndef LS_CLI_RESULTS_H
#define LS_CLI_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The open database and the last error; owned by cmd_results. */
struct results {
    sqlite3 *db;
    const char *path;
    char error[600];
};

/* What to show; NULL / -1 means no filter.  With base >= 0 it is the
 * comparison of run base (A, the baseline) with run `run` (B). */
struct results_filter {
    int64_t run, base;
    const char *rule, *input, *file;
};

/* Columns of the violations statement. */
enum {
    RV_STATE,           /* comparison: 'new', 'fixed' or 'unchanged'; else NULL */
    RV_RUN, RV_RULE, RV_SEQ, RV_THREAD, RV_FUNCTION, RV_FILE, RV_LINE, RV_MESSAGE,
    RV_INPUT, RV_FINGERPRINT,
    RV_ID,              /* violations.id                                         */
    RV_COLUMN, RV_ENTRY, RV_SCHEDULE,   /* up to here: the JSON and CSV fields;
                                           JSON leaves these three out when NULL */
    RV_SEVERITY,        /* the rule's severity                                   */
    RV_INSTANCE_KEY,
    RV_COUNT
};

/* Columns of results_steps_sql, the error trace of violation ?1 in step
 * order.  A step with a kind is a step of a source path (seq is the step
 * number); one without is an event of a trace or simulation. */
enum {
    RS_STEP, RS_SEQ, RS_THREAD, RS_FUNCTION, RS_POINT, RS_IRQL,
    RS_FILE, RS_LINE, RS_COLUMN, RS_KIND, RS_TEXT
};
extern const char results_steps_sql[];

/* Parameter of a listing (not comparison) statement that holds the run:
 * rebind it to list another run with the same statement. */
#define RESULTS_PARAM_RUN 1

void results_error(struct results *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Record a failed SQLite call on r's database. */
void results_sql_error(struct results *r, int rc);
/* Prepare sql into *out; 0 or -1 with the error in r. */
int results_prepare(struct results *r, const char *sql, sqlite3_stmt **out);

/* The level of a rule severity, for SARIF and the --trace header: error,
 * warning, note or none as such, anything else warning (SARIF's default). */
const char *results_level(const char *severity);

/* What a source-mode step did, in out: its kind and its text ("call
 * KeAcquireSpinLock(&ext->Lock, &irql)"), or its function when it has no
 * text ("entry AhciHwStartIo"); a text that starts with the kind word is
 * the whole of it ("return TRUE"). */
void results_step_text(char *out, size_t size, const char *kind, const char *function,
                       const char *text);

/* Prepare the statement that yields the violations f selects (RV_*
 * columns), or with f->base >= 0 the comparison of the two runs, with its
 * parameters bound.  0 or -1 with the error in r. */
int results_violations(struct results *r, const struct results_filter *f,
                       sqlite3_stmt **out);

/* Write the SARIF 2.1.0 log of f's selection to stdout: one run object per
 * lockstep run, or for a comparison one run object for run B whose results
 * carry baselineState.  *new_results gets the number of 'new' results.
 * 0 or -1 with the error in r. */
int results_sarif(struct results *r, const struct results_filter *f, long long *new_results);

#endif
