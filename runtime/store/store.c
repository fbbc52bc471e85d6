/*
 * store.c — the results database (lockstep/store.h) on SQLite.
 *
 * Every statement is prepared once, at open; rows are written with
 * bind/step/reset.  Violations (of traces, simulation and source paths),
 * diagnostics and functions are written inside an explicit transaction
 * that commits every LS_STORE_BATCH rows and whenever the caller finishes
 * an input, a run, or closes the store.  Every SQLite return code is
 * checked and sqlite3_errmsg() is carried into the handle's error text.
 *
 * The schema grows by versions: a new file gets version 1 and every
 * addition since, an older file the additions it lacks, in one transaction.
 * A read-only connection cannot upgrade, so it shows an older file in the
 * current shape through temporary views instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <lockstep/store.h>

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

static const char SCHEMA_V1[] =
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('running','clean','violations','error')),\n"
    "  command_line TEXT,\n"
    "  tool_version TEXT\n"
    ");\n"
    "CREATE TABLE rules (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  model TEXT,\n"
    "  severity TEXT,\n"
    "  summary TEXT,\n"
    "  spec_path TEXT,\n"
    "  spec_sha256 TEXT NOT NULL,\n"
    "  UNIQUE (name, spec_sha256)\n"
    ");\n"
    "CREATE TABLE run_rules (\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  rule INTEGER NOT NULL REFERENCES rules(id),\n"
    "  PRIMARY KEY (run, rule)\n"
    ");\n"
    "CREATE TABLE inputs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  path TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  sha256 TEXT,\n"
    "  events_seen INTEGER\n"
    ");\n"
    "CREATE INDEX inputs_run ON inputs(run);\n"
    "CREATE TABLE violations (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  rule INTEGER NOT NULL REFERENCES rules(id),\n"
    "  input INTEGER REFERENCES inputs(id),\n"
    "  message TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  thread TEXT,\n"
    "  function TEXT,\n"
    "  file TEXT,\n"
    "  line INTEGER,\n"
    "  instance_key TEXT,\n"
    "  fingerprint TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX violations_run ON violations(run);\n"
    "CREATE INDEX violations_fingerprint ON violations(fingerprint);\n"
    "CREATE TABLE violation_steps (\n"
    "  violation INTEGER NOT NULL REFERENCES violations(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  thread TEXT,\n"
    "  function TEXT,\n"
    "  point TEXT NOT NULL CHECK (point IN ('entry','exit')),\n"
    "  irql INTEGER,\n"
    "  PRIMARY KEY (violation, step)\n"
    ");\n"
    "CREATE TABLE rule_stats (\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  rule INTEGER NOT NULL REFERENCES rules(id),\n"
    "  events INTEGER NOT NULL,\n"
    "  steps INTEGER NOT NULL,\n"
    "  instances INTEGER NOT NULL,\n"
    "  peak_instances INTEGER NOT NULL,\n"
    "  violations INTEGER NOT NULL,\n"
    "  unknown_guards INTEGER NOT NULL,\n"
    "  PRIMARY KEY (run, rule)\n"
    ");\n";

/* Schema 2 adds each rule's help link and what a run reports besides
 * violations. */
static const char SCHEMA_V2_ADDITIONS[] =
    "ALTER TABLE rules ADD COLUMN help TEXT;\n"
    "CREATE TABLE diagnostics (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  input INTEGER REFERENCES inputs(id),\n"
    "  severity TEXT NOT NULL CHECK (severity IN ('error','warning','note')),\n"
    "  line INTEGER,\n"
    "  column INTEGER,\n"
    "  offset INTEGER,\n"
    "  seq INTEGER,\n"
    "  thread TEXT,\n"
    "  message TEXT NOT NULL,\n"
    "  text TEXT\n"
    ");\n"
    "CREATE INDEX diagnostics_run ON diagnostics(run);\n"
    "PRAGMA user_version = 2;\n";

/* Schema 3 adds source mode and simulation: where in a line a violation
 * is, the entry point its path started from, the schedule that reached it,
 * source locations and text for each step, and the functions a scan
 * analysed or skipped.  violation_steps is rebuilt (SQLite cannot alter a
 * CHECK) so that point may also be a source-mode step kind. */
static const char SCHEMA_V3_ADDITIONS[] =
    "ALTER TABLE violations ADD COLUMN column INTEGER;\n"
    "ALTER TABLE violations ADD COLUMN entry TEXT;\n"
    "ALTER TABLE violations ADD COLUMN schedule TEXT;\n"
    "CREATE TABLE violation_steps_v3 (\n"
    "  violation INTEGER NOT NULL REFERENCES violations(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  thread TEXT,\n"
    "  function TEXT,\n"
    "  point TEXT NOT NULL\n"
    "    CHECK (point IN ('entry','exit','call','return','branch','event')),\n"
    "  irql INTEGER,\n"
    "  file TEXT,\n"
    "  line INTEGER,\n"
    "  column INTEGER,\n"
    "  kind TEXT,\n"
    "  text TEXT,\n"
    "  PRIMARY KEY (violation, step)\n"
    ");\n"
    "INSERT INTO violation_steps_v3 (violation, step, seq, thread, function, point, irql)\n"
    "  SELECT violation, step, seq, thread, function, point, irql FROM violation_steps;\n"
    "DROP TABLE violation_steps;\n"
    "ALTER TABLE violation_steps_v3 RENAME TO violation_steps;\n"
    "CREATE TABLE functions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  input INTEGER REFERENCES inputs(id),\n"
    "  name TEXT NOT NULL,\n"
    "  file TEXT,\n"
    "  line INTEGER,\n"
    "  status TEXT NOT NULL CHECK (status IN ('analysed','skipped','gave-up')),\n"
    "  reason TEXT,\n"
    "  entry INTEGER NOT NULL DEFAULT 0,\n"
    "  states INTEGER\n"
    ");\n"
    "CREATE INDEX functions_run ON functions(run);\n"
    "PRAGMA user_version = 3;\n";

/* For readers of an older file: what each version lacks, as temporary
 * objects of the read-only connection (the file is not touched) named like
 * the tables they stand for, which they hide.  Missing columns read as
 * NULL, missing tables are empty. */
static const char READ_AS_V2[] =
    "CREATE TEMP VIEW rules AS SELECT *, NULL AS help FROM main.rules;\n"
    "CREATE TEMP TABLE diagnostics (id, run, input, severity, line, column, offset, seq,\n"
    "                               thread, message, text);\n";
static const char READ_AS_V3[] =
    "CREATE TEMP VIEW violations AS\n"
    "  SELECT *, NULL AS column, NULL AS entry, NULL AS schedule FROM main.violations;\n"
    "CREATE TEMP VIEW violation_steps AS\n"
    "  SELECT *, NULL AS file, NULL AS line, NULL AS column, NULL AS kind, NULL AS text\n"
    "    FROM main.violation_steps;\n"
    "CREATE TEMP TABLE functions (id, run, input, name, file, line, status, reason, entry,\n"
    "                             states);\n";

enum {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_RUN, S_RULE_INSERT, S_RULE_GET, S_RUN_RULE,
    S_INPUT, S_VIOLATION, S_STEP, S_DIAGNOSTIC, S_FUNCTION, S_FINISH_INPUT, S_STATS, S_END_RUN,
    S_COUNT
};

static const char *const SQL[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_RUN] = "INSERT INTO runs (started_at, status, command_line, tool_version) "
              "VALUES (" NOW ", 'running', ?1, ?2)",
    [S_RULE_INSERT] = "INSERT OR IGNORE INTO rules (name, model, severity, summary, "
                      "spec_path, spec_sha256, help) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_RULE_GET] = "SELECT id FROM rules WHERE name = ?1 AND spec_sha256 = ?2",
    [S_RUN_RULE] = "INSERT OR IGNORE INTO run_rules (run, rule) VALUES (?1, ?2)",
    [S_INPUT] = "INSERT INTO inputs (run, path, kind) VALUES (?1, ?2, ?3)",
    [S_VIOLATION] = "INSERT INTO violations (run, rule, input, message, seq, thread, "
                    "function, file, line, instance_key, fingerprint, column, entry, "
                    "schedule) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [S_STEP] = "INSERT INTO violation_steps (violation, step, seq, thread, function, "
               "point, irql, file, line, column, kind, text) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_DIAGNOSTIC] = "INSERT INTO diagnostics (run, input, severity, line, column, offset, "
                     "seq, thread, message, text) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_FUNCTION] = "INSERT INTO functions (run, input, name, file, line, status, reason, "
                   "entry, states) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_FINISH_INPUT] = "UPDATE inputs SET events_seen = ?2 WHERE id = ?1",
    [S_STATS] = "INSERT OR REPLACE INTO rule_stats (run, rule, events, steps, instances, "
                "peak_instances, violations, unknown_guards) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_END_RUN] = "UPDATE runs SET status = ?2, finished_at = " NOW " WHERE id = ?1",
};

struct rule_id {
    const struct ls_rule *rule;
    int64_t run;
    int64_t id;
};

struct ls_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    int in_transaction;
    unsigned pending;               /* rows in the open transaction        */
    struct rule_id *rules;          /* rules added, per run                */
    size_t rule_count, rule_capacity;
    char *schedule;                 /* owned; stored with new violations   */
    int64_t last_violation;         /* row id, 0 when none or rolled back  */
    char error[512];
};

static void set_error(struct ls_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->error, sizeof st->error, fmt, ap);
    va_end(ap);
}

void ls_store_describe(char *out, size_t size, struct sqlite3 *db, int rc,
                       const char *what, const char *doing)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(out, size, "%s: results database is locked by another process (%s)",
                 what, msg);
        break;
    case SQLITE_READONLY:
        snprintf(out, size, "%s: results database is read-only; give a writable one with "
                 "--db (%s)", what, msg);
        break;
    case SQLITE_NOTADB:
        snprintf(out, size, "%s: not a lockstep results database (%s)", what, msg);
        break;
    default:
        if (doing)
            snprintf(out, size, "%s: %s: %s", what, doing, msg);
        else
            snprintf(out, size, "%s: %s", what, msg);
    }
}

/* Undo the open batch after an error; the error text already set wins. */
static void rollback(struct ls_store *st)
{
    if (!st->in_transaction)
        return;
    sqlite3_stmt *s = st->stmt[S_ROLLBACK];
    (void)sqlite3_step(s);          /* the earlier error is the one to report */
    (void)sqlite3_reset(s);
    st->in_transaction = 0;
    st->pending = 0;
    st->last_violation = 0;
}

static int fail(struct ls_store *st, int rc, const char *what)
{
    ls_store_describe(st->error, sizeof st->error, st->db, rc, what, NULL);
    rollback(st);
    return -1;
}

/* Step a prepared statement to completion (or its first row, whose first
 * column goes to *value when value is set) and reset it.  0 or -1. */
static int step(struct ls_store *st, int which, const char *what, int64_t *value)
{
    sqlite3_stmt *s = st->stmt[which];
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && value)
        *value = sqlite3_column_int64(s, 0);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        ls_store_describe(st->error, sizeof st->error, st->db, rc, what, NULL);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        rollback(st);
        return -1;
    }
    rc = sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_OK)
        return fail(st, rc, what);
    return 0;
}

static int bind_text(struct ls_store *st, int which, int index, const char *text)
{
    sqlite3_stmt *s = st->stmt[which];
    int rc = text ? sqlite3_bind_text(s, index, text, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(s, index);
    if (rc != SQLITE_OK) {
        sqlite3_reset(s);
        return fail(st, rc, "binding a value");
    }
    return 0;
}

static int bind_int(struct ls_store *st, int which, int index, int64_t value)
{
    sqlite3_stmt *s = st->stmt[which];
    int rc = sqlite3_bind_int64(s, index, value);
    if (rc != SQLITE_OK) {
        sqlite3_reset(s);
        return fail(st, rc, "binding a value");
    }
    return 0;
}

/* value, or NULL when present is false. */
static int bind_int_or_null(struct ls_store *st, int which, int index, int64_t value,
                            bool present)
{
    if (present)
        return bind_int(st, which, index, value);
    int rc = sqlite3_bind_null(st->stmt[which], index);
    return rc == SQLITE_OK ? 0 : fail(st, rc, "binding a value");
}

/* A row id, or NULL for none (0). */
static int bind_id(struct ls_store *st, int which, int index, int64_t id)
{
    return bind_int_or_null(st, which, index, id, id > 0);
}

static int begin(struct ls_store *st)
{
    if (st->in_transaction)
        return 0;
    if (step(st, S_BEGIN, "starting a transaction", NULL))
        return -1;
    st->in_transaction = 1;
    st->pending = 0;
    return 0;
}

static int commit(struct ls_store *st)
{
    if (!st->in_transaction)
        return 0;
    if (step(st, S_COMMIT, "committing", NULL))
        return -1;
    st->in_transaction = 0;
    st->pending = 0;
    return 0;
}

/* ---- open / close -------------------------------------------------------- */

static int exec(sqlite3 *db, const char *sql, const char *what, const char *path,
                char *err, size_t errlen)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        char where[400];
        snprintf(where, sizeof where, "%s: %s", path, what);
        ls_store_describe(err, errlen, db, rc, where, NULL);
        return -1;
    }
    return 0;
}

/* Read one integer from a one-row query. */
static int query_int(sqlite3 *db, const char *sql, int64_t *value, const char *path,
                     char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *value = sqlite3_column_int64(s, 0);
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        ls_store_describe(err, errlen, db, rc, path, NULL);
        sqlite3_finalize(s);
        return -1;
    }
    rc = sqlite3_finalize(s);
    if (rc != SQLITE_OK) {
        ls_store_describe(err, errlen, db, rc, path, NULL);
        return -1;
    }
    return 0;
}

/* True (with the message in err) when the file's schema is newer than this
 * build understands. */
static bool too_new(int64_t version, const char *path, char *err, size_t errlen)
{
    if (version <= LS_STORE_SCHEMA_VERSION)
        return false;
    snprintf(err, errlen, "%s: results database has schema version %" PRId64
             ", newer than this lockstep understands (%d); use a newer lockstep",
             path, version, LS_STORE_SCHEMA_VERSION);
    return true;
}

/* Check the schema version inside an immediate transaction: create the
 * current schema in an empty file, upgrade an older one in place. */
static int prepare_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    int64_t version = 0, objects = 0;
    if (exec(db, "BEGIN IMMEDIATE", "opening", path, err, errlen))
        return -1;
    if (query_int(db, "PRAGMA user_version", &version, path, err, errlen))
        goto undo;
    if (too_new(version, path, err, errlen))
        goto undo;
    if (version == 0) {
        if (query_int(db, "SELECT count(*) FROM sqlite_master", &objects, path, err, errlen))
            goto undo;
        if (objects) {
            snprintf(err, errlen, "%s: not a lockstep results database (a SQLite database "
                     "with other tables and no lockstep schema version)", path);
            goto undo;
        }
        if (exec(db, SCHEMA_V1, "creating the schema", path, err, errlen))
            goto undo;
        version = 1;
    }
    if (version < 2 &&
        exec(db, SCHEMA_V2_ADDITIONS, "upgrading the schema to version 2", path, err, errlen))
        goto undo;
    if (version < 3 &&
        exec(db, SCHEMA_V3_ADDITIONS, "upgrading the schema to version 3", path, err, errlen))
        goto undo;
    if (exec(db, "COMMIT", "creating the schema", path, err, errlen))
        goto undo;
    return 0;
undo:
    (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

struct ls_store *ls_store_open_timeout(const char *path, int busy_ms, char *err,
                                       size_t errlen)
{
    sqlite3 *db = NULL;
    struct ls_store *st = NULL;
    char where[400];
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(where, sizeof where, "cannot open results database %s", path);
        ls_store_describe(err, errlen, db, rc, where, NULL);
        goto fail;
    }
    rc = sqlite3_busy_timeout(db, busy_ms);
    if (rc != SQLITE_OK) {
        ls_store_describe(err, errlen, db, rc, path, NULL);
        goto fail;
    }
    if (exec(db, "PRAGMA foreign_keys = ON", "enabling foreign keys", path, err, errlen) ||
        exec(db, "PRAGMA journal_mode = WAL", "opening", path, err, errlen) ||
        prepare_schema(db, path, err, errlen))
        goto fail;
    st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    st->db = db;
    for (int i = 0; i < S_COUNT; i++) {
        rc = sqlite3_prepare_v2(db, SQL[i], -1, &st->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            snprintf(where, sizeof where, "%s: preparing a statement", path);
            ls_store_describe(err, errlen, db, rc, where, NULL);
            goto fail;
        }
    }
    return st;
fail:
    if (st) {
        for (int i = 0; i < S_COUNT; i++)
            sqlite3_finalize(st->stmt[i]);
        free(st);
    }
    sqlite3_close(db);
    return NULL;
}

struct sqlite3 *ls_store_open_readonly(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            snprintf(err, errlen, "no results database at %s; run 'lockstep check' first", path);
        else
            snprintf(err, errlen, "cannot open results database %s: %s", path, strerror(errno));
        return NULL;
    }
    sqlite3 *db = NULL;
    int64_t version = 0;
    char where[400];
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        snprintf(where, sizeof where, "cannot open results database %s", path);
        ls_store_describe(err, errlen, db, rc, where, NULL);
        goto fail;
    }
    rc = sqlite3_busy_timeout(db, LS_STORE_BUSY_MS);
    if (rc != SQLITE_OK) {
        ls_store_describe(err, errlen, db, rc, path, "opening");
        goto fail;
    }
    if (query_int(db, "PRAGMA user_version", &version, path, err, errlen))
        goto fail;
    if (version == 0) {
        snprintf(err, errlen, "%s: not a lockstep results database (no lockstep schema version)",
                 path);
        goto fail;
    }
    if (too_new(version, path, err, errlen) ||
        (version < 2 && exec(db, READ_AS_V2, "reading an older schema", path, err, errlen)) ||
        (version < 3 && exec(db, READ_AS_V3, "reading an older schema", path, err, errlen)))
        goto fail;
    return db;
fail:
    sqlite3_close(db);
    return NULL;
}

struct ls_store *ls_store_open(const char *path, char *err, size_t errlen)
{
    return ls_store_open_timeout(path, LS_STORE_BUSY_MS, err, errlen);
}

void ls_store_close(struct ls_store *st)
{
    if (!st)
        return;
    (void)commit(st);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st->rules);
    free(st->schedule);
    free(st);
}

const char *ls_store_error(const struct ls_store *st)
{
    return st ? st->error : "no results database";
}

/* ---- runs, rules, inputs ------------------------------------------------- */

int64_t ls_store_begin_run(struct ls_store *st, const char *command_line,
                           const char *tool_version)
{
    if (commit(st))
        return -1;
    /* autocommit: the 'running' row is visible at once */
    if (bind_text(st, S_RUN, 1, command_line) || bind_text(st, S_RUN, 2, tool_version) ||
        step(st, S_RUN, "recording the run", NULL))
        return -1;
    return sqlite3_last_insert_rowid(st->db);
}

/* The rules.id of rule in run, adding it when new; -1 on error. */
static int64_t rule_id(struct ls_store *st, int64_t run, const struct ls_rule *rule)
{
    for (size_t i = st->rule_count; i-- > 0;)
        if (st->rules[i].rule == rule && st->rules[i].run == run)
            return st->rules[i].id;
    if (st->rule_count == st->rule_capacity) {
        size_t n = st->rule_capacity ? 2 * st->rule_capacity : 16;
        struct rule_id *r = realloc(st->rules, n * sizeof *r);
        if (!r) {
            set_error(st, "out of memory");
            return -1;
        }
        st->rules = r;
        st->rule_capacity = n;
    }
    const char *sha = rule->spec_sha256 ? rule->spec_sha256 : "";
    int64_t id = -1;
    if (begin(st) ||
        bind_text(st, S_RULE_INSERT, 1, rule->name) ||
        bind_text(st, S_RULE_INSERT, 2, rule->model) ||
        bind_text(st, S_RULE_INSERT, 3, rule->severity) ||
        bind_text(st, S_RULE_INSERT, 4, rule->summary) ||
        bind_text(st, S_RULE_INSERT, 5, rule->spec_path) ||
        bind_text(st, S_RULE_INSERT, 6, sha) ||
        bind_text(st, S_RULE_INSERT, 7, rule->help && *rule->help ? rule->help : NULL) ||
        step(st, S_RULE_INSERT, "recording a rule", NULL) ||
        bind_text(st, S_RULE_GET, 1, rule->name) || bind_text(st, S_RULE_GET, 2, sha) ||
        step(st, S_RULE_GET, "recording a rule", &id))
        return -1;
    if (id < 0) {
        set_error(st, "recording rule %s: its row is missing", rule->name);
        rollback(st);
        return -1;
    }
    if (bind_int(st, S_RUN_RULE, 1, run) || bind_int(st, S_RUN_RULE, 2, id) ||
        step(st, S_RUN_RULE, "recording a rule of the run", NULL))
        return -1;
    st->rules[st->rule_count++] = (struct rule_id){rule, run, id};
    return id;
}

int ls_store_add_rule(struct ls_store *st, int64_t run, const struct ls_rule *rule)
{
    return rule_id(st, run, rule) < 0 ? -1 : 0;
}

int64_t ls_store_add_input(struct ls_store *st, int64_t run, const char *path,
                           const char *kind)
{
    if (begin(st) || bind_int(st, S_INPUT, 1, run) || bind_text(st, S_INPUT, 2, path) ||
        bind_text(st, S_INPUT, 3, kind) || step(st, S_INPUT, "recording an input", NULL))
        return -1;
    return sqlite3_last_insert_rowid(st->db);
}

/* ---- violations ---------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *text)
{
    if (text)
        for (const unsigned char *p = (const unsigned char *)text; *p; p++)
            h = (h ^ *p) * 0x100000001b3ull;
    return (h ^ 0) * 0x100000001b3ull;     /* a NUL byte ends each field */
}

void ls_store_fingerprint(char out[17], const char *rule, const char *message,
                          const char *function, const char *file, uint32_t line)
{
    char number[16] = "";
    uint64_t h = 0xcbf29ce484222325ull;
    if (file)
        snprintf(number, sizeof number, "%" PRIu32, line);
    h = fnv1a(h, rule);
    h = fnv1a(h, message);
    h = fnv1a(h, function);
    h = fnv1a(h, file);
    h = fnv1a(h, number);
    snprintf(out, 17, "%016" PRIx64, h);
}

/* Count one more row of the open batch, committing the batch when it is
 * full.  0 or -1. */
static int batched(struct ls_store *st)
{
    if (++st->pending >= LS_STORE_BATCH)
        return commit(st);
    return 0;
}

/* Whether word is one of the NULL-terminated words (never when NULL). */
static bool one_of(const char *word, const char *const *words)
{
    for (; word && *words; words++)
        if (strcmp(word, *words) == 0)
            return true;
    return false;
}

/* Insert the violations row of v, found at event seq on thread (0 and NULL
 * on a source path), with the schedule set last; the new row id goes to
 * st->last_violation.  The rule is added to the run when new.  0 or -1. */
static int insert_violation(struct ls_store *st, int64_t run, int64_t input,
                            const struct ls_store_path_violation *v, int64_t seq,
                            const char *thread)
{
    char fingerprint[17];
    int64_t rule = rule_id(st, run, v->rule);
    if (rule < 0)
        return -1;
    ls_store_fingerprint(fingerprint, v->rule->name, v->message, v->function, v->file,
                         v->line);
    if (begin(st) ||
        bind_int(st, S_VIOLATION, 1, run) || bind_int(st, S_VIOLATION, 2, rule) ||
        bind_id(st, S_VIOLATION, 3, input) ||
        bind_text(st, S_VIOLATION, 4, v->message ? v->message : "") ||
        bind_int(st, S_VIOLATION, 5, seq) ||
        bind_text(st, S_VIOLATION, 6, thread) ||
        bind_text(st, S_VIOLATION, 7, v->function) ||
        bind_text(st, S_VIOLATION, 8, v->file) ||
        bind_int_or_null(st, S_VIOLATION, 9, v->line, v->file != NULL) ||
        bind_text(st, S_VIOLATION, 10, v->instance_key) ||
        bind_text(st, S_VIOLATION, 11, fingerprint) ||
        bind_int_or_null(st, S_VIOLATION, 12, v->column, v->column > 0) ||
        bind_text(st, S_VIOLATION, 13, v->entry) ||
        bind_text(st, S_VIOLATION, 14, st->schedule) ||
        step(st, S_VIOLATION, "recording a violation", NULL))
        return -1;
    st->last_violation = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Insert step `number` of violation: at s, on event seq of thread (the
 * step number and NULL on a source path); point is entry or exit, or a
 * source step's kind.  0 or -1. */
static int insert_step(struct ls_store *st, int64_t violation, uint32_t number, int64_t seq,
                       const char *thread, const char *point, const struct ls_store_step *s)
{
    if (bind_int(st, S_STEP, 1, violation) || bind_int(st, S_STEP, 2, number) ||
        bind_int(st, S_STEP, 3, seq) || bind_text(st, S_STEP, 4, thread) ||
        bind_text(st, S_STEP, 5, s->function) || bind_text(st, S_STEP, 6, point) ||
        bind_int_or_null(st, S_STEP, 7, s->irql, s->irql >= 0) ||
        bind_text(st, S_STEP, 8, s->file) ||
        bind_int_or_null(st, S_STEP, 9, s->line, s->line > 0) ||
        bind_int_or_null(st, S_STEP, 10, s->column, s->column > 0) ||
        bind_text(st, S_STEP, 11, s->kind) || bind_text(st, S_STEP, 12, s->text) ||
        step(st, S_STEP, "recording a violation's trail", NULL))
        return -1;
    return 0;
}

int ls_store_add_violation(struct ls_store *st, int64_t run, int64_t input,
                           const struct ls_violation *v, const struct ls_runtime *rt)
{
    char key[24];
    if (v->keyed)
        snprintf(key, sizeof key, "0x%" PRIx64, (uint64_t)v->key);
    const struct ls_store_path_violation row = {
        .rule = v->module, .message = v->message,
        .function = ls_runtime_function_name(rt, v->event->fn),
        .file = v->file, .line = v->line, .instance_key = v->keyed ? key : NULL,
    };
    if (insert_violation(st, run, input, &row, (int64_t)v->event->seq,
                         ls_runtime_thread_name(rt, v->thread)))
        return -1;
    for (uint32_t i = 0; i < v->trail_length; i++) {
        const struct ls_trail_event *t = &v->trail[i];
        const struct ls_store_step at = {
            .function = ls_runtime_function_name(rt, t->function), .irql = t->irql,
        };
        if (insert_step(st, st->last_violation, i + 1, (int64_t)t->seq,
                        ls_runtime_thread_name(rt, t->thread),
                        t->when == LS_EXIT ? "exit" : "entry", &at))
            return -1;
    }
    return batched(st);
}

int ls_store_add_path_violation(struct ls_store *st, int64_t run, int64_t input,
                                const struct ls_store_path_violation *v)
{
    static const char *const kinds[] = {
        "entry", "call", "return", "branch", "event", "exit", NULL,
    };
    if (!v->rule) {
        set_error(st, "recording a violation: it names no rule");
        return -1;
    }
    for (uint32_t i = 0; i < v->step_count; i++)
        if (!one_of(v->steps[i].kind, kinds)) {
            set_error(st, "recording a violation's trail: step %" PRIu32 " has kind '%s'; "
                      "expected entry, call, return, branch, event or exit", i + 1,
                      v->steps[i].kind ? v->steps[i].kind : "(none)");
            return -1;
        }
    if (insert_violation(st, run, input, v, 0, NULL))
        return -1;
    for (uint32_t i = 0; i < v->step_count; i++)
        if (insert_step(st, st->last_violation, i + 1, i + 1, NULL, v->steps[i].kind,
                        &v->steps[i]))
            return -1;
    return batched(st);
}

int ls_store_set_schedule(struct ls_store *st, const char *schedule)
{
    char *copy = NULL;
    if (schedule) {
        size_t size = strlen(schedule) + 1;
        copy = malloc(size);
        if (!copy) {
            set_error(st, "recording a schedule: out of memory");
            return -1;
        }
        memcpy(copy, schedule, size);
    }
    free(st->schedule);
    st->schedule = copy;
    return 0;
}

int64_t ls_store_last_violation(const struct ls_store *st)
{
    return st->last_violation;
}

/* ---- functions of source mode ---------------------------------------------- */

int ls_store_add_function(struct ls_store *st, int64_t run, int64_t input,
                          const struct ls_store_function *f)
{
    static const char *const statuses[] = { "analysed", "skipped", "gave-up", NULL };
    if (!f->name || !one_of(f->status, statuses)) {
        set_error(st, "recording a function: it needs a name and a status of analysed, "
                  "skipped or gave-up");
        return -1;
    }
    if (begin(st) ||
        bind_int(st, S_FUNCTION, 1, run) || bind_id(st, S_FUNCTION, 2, input) ||
        bind_text(st, S_FUNCTION, 3, f->name) || bind_text(st, S_FUNCTION, 4, f->file) ||
        bind_int_or_null(st, S_FUNCTION, 5, f->line, f->line > 0) ||
        bind_text(st, S_FUNCTION, 6, f->status) || bind_text(st, S_FUNCTION, 7, f->reason) ||
        bind_int(st, S_FUNCTION, 8, f->entry != 0) ||
        bind_int(st, S_FUNCTION, 9, (int64_t)f->states) ||
        step(st, S_FUNCTION, "recording a function", NULL))
        return -1;
    return batched(st);
}

/* ---- diagnostics ----------------------------------------------------------- */

int ls_store_add_diagnostic(struct ls_store *st, int64_t run, int64_t input,
                            const struct ls_store_diagnostic *d)
{
    static const char *const severities[] = { "error", "warning", "note", NULL };
    const char *severity = d->severity;
    if (!one_of(severity, severities)) {
        set_error(st, "recording a diagnostic: severity must be error, warning or note");
        return -1;
    }
    if (begin(st) ||
        bind_int(st, S_DIAGNOSTIC, 1, run) || bind_id(st, S_DIAGNOSTIC, 2, input) ||
        bind_text(st, S_DIAGNOSTIC, 3, severity) ||
        bind_int_or_null(st, S_DIAGNOSTIC, 4, (int64_t)d->line, d->line > 0) ||
        bind_int_or_null(st, S_DIAGNOSTIC, 5, d->column, d->column > 0) ||
        bind_int_or_null(st, S_DIAGNOSTIC, 6, d->offset, d->offset >= 0) ||
        bind_int_or_null(st, S_DIAGNOSTIC, 7, d->seq, d->seq >= 0) ||
        bind_text(st, S_DIAGNOSTIC, 8, d->thread) ||
        bind_text(st, S_DIAGNOSTIC, 9, d->message ? d->message : "") ||
        bind_text(st, S_DIAGNOSTIC, 10, d->text) ||
        step(st, S_DIAGNOSTIC, "recording a diagnostic", NULL))
        return -1;
    return batched(st);
}

/* ---- end of inputs and runs ---------------------------------------------- */

static int one_row_changed(struct ls_store *st, const char *what, int64_t id)
{
    if (sqlite3_changes(st->db) == 1)
        return 0;
    set_error(st, "%s: no row with id %" PRId64, what, id);
    rollback(st);
    return -1;
}

int ls_store_finish_input(struct ls_store *st, int64_t input, uint64_t events)
{
    if (begin(st) || bind_int(st, S_FINISH_INPUT, 1, input) ||
        bind_int(st, S_FINISH_INPUT, 2, (int64_t)events) ||
        step(st, S_FINISH_INPUT, "finishing an input", NULL) ||
        one_row_changed(st, "finishing an input", input))
        return -1;
    return commit(st);
}

int ls_store_rule_stats(struct ls_store *st, int64_t run, const struct ls_rule *rule,
                        const struct ls_rule_stats *s)
{
    int64_t id = rule_id(st, run, rule);
    if (id < 0 || begin(st) ||
        bind_int(st, S_STATS, 1, run) || bind_int(st, S_STATS, 2, id) ||
        bind_int(st, S_STATS, 3, (int64_t)s->events) ||
        bind_int(st, S_STATS, 4, (int64_t)s->steps) ||
        bind_int(st, S_STATS, 5, (int64_t)s->instances) ||
        bind_int(st, S_STATS, 6, (int64_t)s->peak_instances) ||
        bind_int(st, S_STATS, 7, (int64_t)s->violations) ||
        bind_int(st, S_STATS, 8, (int64_t)s->unknown_guards) ||
        step(st, S_STATS, "recording rule statistics", NULL))
        return -1;
    return 0;
}

int ls_store_end_run(struct ls_store *st, int64_t run, const char *status)
{
    static const char *const statuses[] = { "clean", "violations", "error", NULL };
    if (!one_of(status, statuses)) {
        set_error(st, "finishing run %" PRId64 ": status must be clean, violations or "
                  "error, not %s", run, status ? status : "(none)");
        return -1;
    }
    if (begin(st) || bind_int(st, S_END_RUN, 1, run) || bind_text(st, S_END_RUN, 2, status) ||
        step(st, S_END_RUN, "finishing the run", NULL) ||
        one_row_changed(st, "finishing the run", run))
        return -1;
    return commit(st);
}
