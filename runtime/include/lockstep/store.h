/*
 * lockstep/store.h — the results database: one SQLite file (WAL mode) that
 * records each run of `lockstep check`, `scan` or `sim`, the rules and
 * inputs it used, every violation with its error trace (the events of a
 * trace or a simulation, or the steps of a path through source code),
 * the functions a scan analysed or skipped, and per-rule statistics.  The
 * schema is versioned with PRAGMA user_version and documented in
 * docs/results-db.md.
 *
 * A run is written as: begin_run (committed at once, status 'running'),
 * add_rule / add_input, then add_violation, add_path_violation,
 * add_diagnostic and add_function (batched: a transaction commits every
 * LS_STORE_BATCH rows), finish_input, rule_stats, end_run (sets the final
 * status and finished_at in one transaction).  A run whose end_run never
 * happened stays 'running' — incomplete, never mistaken for complete.
 *
 * The library never exits and never prints: functions return -1 (or NULL
 * from open) and the text is kept in the handle (ls_store_error).  After an
 * error the rows of the open batch are rolled back.
 */
#ifndef LOCKSTEP_STORE_H
#define LOCKSTEP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/rule.h>
#include <lockstep/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LS_STORE_SCHEMA_VERSION 3   /* PRAGMA user_version written; an older
                                       file is upgraded when opened to write */
#define LS_STORE_BATCH 1000         /* rows per transaction                 */
#define LS_STORE_BUSY_MS 5000       /* default wait for a locked database   */

struct ls_store;
struct sqlite3;

/* Open (creating if needed) the results database at path, waiting at most
 * LS_STORE_BUSY_MS for a lock.  NULL on failure, with the reason in err
 * (not a database, a newer schema, locked, cannot open). */
struct ls_store *ls_store_open(const char *path, char *err, size_t errlen);
/* The same with an explicit busy timeout in milliseconds. */
struct ls_store *ls_store_open_timeout(const char *path, int busy_ms, char *err,
                                       size_t errlen);
/* Commits the pending batch (a run without end_run stays 'running') and
 * closes.  NULL is ignored. */
void ls_store_close(struct ls_store *st);

/* Open an existing results database read-only, for queries (lockstep
 * results): it must hold a lockstep schema this build understands.  An
 * older schema is shown in the current shape through temporary views
 * (missing columns NULL, missing tables empty); the file is not changed.
 * Returns the connection (close it with sqlite3_close) or NULL with the
 * reason in err. */
struct sqlite3 *ls_store_open_readonly(const char *path, char *err, size_t errlen);

/* The text for a failed SQLite call on a results database, in one wording
 * for every tool: "<what>: results database is locked ...", "<what>:
 * results database is read-only ...", "<what>: not a lockstep results
 * database (...)", else "<what>[: <doing>]: <sqlite message>". */
void ls_store_describe(char *out, size_t size, struct sqlite3 *db, int rc,
                       const char *what, const char *doing);
const char *ls_store_error(const struct ls_store *st);

/* A new run (status 'running', started_at now), committed at once; its id,
 * or -1.  Either string may be NULL. */
int64_t ls_store_begin_run(struct ls_store *st, const char *command_line,
                           const char *tool_version);
/* Record that the run uses rule (one `rules` row per distinct name and
 * spec_sha256, linked by `run_rules`).  0 or -1. */
int ls_store_add_rule(struct ls_store *st, int64_t run, const struct ls_rule *rule);
/* A new input of the run (kind "trace", "source" or "simulation"; sha256
 * left NULL); its id or -1. */
int64_t ls_store_add_input(struct ls_store *st, int64_t run, const char *path,
                           const char *kind);
/* Record a violation from a runtime sink, with its trail; names are read
 * from rt.  A rule not yet added to the run is added.  0 or -1. */
int ls_store_add_violation(struct ls_store *st, int64_t run, int64_t input,
                           const struct ls_violation *v, const struct ls_runtime *rt);

/* One step of a source-mode error trace. */
struct ls_store_step {
    const char *kind;       /* "entry", "call", "return", "branch", "event", "exit" */
    const char *function;   /* function the step is in                       */
    const char *file;       /* may be NULL                                   */
    uint32_t line, column;  /* 1-based; 0 when unknown                       */
    int irql;               /* IRQL at the step, -1 when unknown             */
    const char *text;       /* what happened, e.g. "KeAcquireSpinLock(&ext->Lock, &irql)"
                               or "if (locked): false"; may be NULL          */
};
/* A violation found on a path through source code. */
struct ls_store_path_violation {
    const struct ls_rule *rule;
    const char *message;    /* $fname already substituted                    */
    const char *function;   /* function whose event fired ($fname)           */
    const char *file;
    uint32_t line, column;
    const char *entry;      /* entry point the path starts from              */
    const char *instance_key;  /* lock expression text, or NULL              */
    const struct ls_store_step *steps;  /* oldest first; the last is the violating event */
    uint32_t step_count;
};
/* Record a violation of a source path with its steps (seq 0, no thread;
 * each step's point is its kind, its seq its number).  The fingerprint is
 * ls_store_fingerprint's, without the column or entry.  A rule not yet
 * added to the run is added.  0 or -1 (also for a step of unknown kind,
 * before anything is written). */
int ls_store_add_path_violation(struct ls_store *st, int64_t run, int64_t input,
                                const struct ls_store_path_violation *v);
/* One function of a translation unit as source mode saw it. */
struct ls_store_function {
    const char *name, *file;
    uint32_t line;
    const char *status;     /* "analysed", "skipped", "gave-up"              */
    const char *reason;     /* NULL for analysed                             */
    int entry;              /* 1: explored as an entry point                 */
    uint64_t states;        /* abstract states explored                      */
};
/* Record a function of run (input may be 0); batched with the violations.
 * 0 or -1. */
int ls_store_add_function(struct ls_store *st, int64_t run, int64_t input,
                          const struct ls_store_function *f);
/* The schedule stored with the violations added after this call (NULL: none).
 * The text is copied.  0 or -1 (out of memory; the old schedule stays). */
int ls_store_set_schedule(struct ls_store *st, const char *schedule);
/* Row id of the violation added last by this handle, or 0 (none yet, or
 * its batch was rolled back).  The row is committed with its batch. */
int64_t ls_store_last_violation(const struct ls_store *st);

/* Something a run reports besides violations: a malformed line skipped
 * with --keep-going, a notice of the environment model, why a run stopped. */
struct ls_store_diagnostic {
    const char *severity;           /* "error", "warning" or "note"         */
    const char *message;
    uint64_t line;                  /* 1-based line in the input, 0 if none */
    uint32_t column;                /* 1-based column, 0 if none            */
    int64_t offset;                 /* byte offset in the input, -1 if none */
    int64_t seq;                    /* event number, -1 if none             */
    const char *thread;             /* may be NULL                          */
    const char *text;               /* the offending line, may be NULL      */
};

/* Record a diagnostic of run (input may be 0 for the run as a whole);
 * batched with the violations.  0 or -1. */
int ls_store_add_diagnostic(struct ls_store *st, int64_t run, int64_t input,
                            const struct ls_store_diagnostic *d);
/* Set the input's events_seen and commit the pending batch.  0 or -1. */
int ls_store_finish_input(struct ls_store *st, int64_t input, uint64_t events);
/* Record the rule's counters for the run (replacing earlier ones).  0 or -1. */
int ls_store_rule_stats(struct ls_store *st, int64_t run, const struct ls_rule *rule,
                        const struct ls_rule_stats *stats);
/* Finish the run: status "clean", "violations" or "error", finished_at now,
 * committed together with the pending batch.  0 or -1. */
int ls_store_end_run(struct ls_store *st, int64_t run, const char *status);

/* The fingerprint stored with a violation: FNV-1a 64 over rule name,
 * message, function, file and line (see docs/results-db.md), as 16 lower
 * case hex digits plus NUL in out[17]. */
void ls_store_fingerprint(char out[17], const char *rule, const char *message,
                          const char *function, const char *file, uint32_t line);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_STORE_H */
