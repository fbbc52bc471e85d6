/*
 * test_store_paths.c — what schema 3 of the results database
 * (lockstep/store.h) added for source mode and simulation: violations of
 * source paths with their steps, the functions a scan saw, schedules
 * stored with the violations of a real runtime, the id of the last
 * violation, bad input refused before anything is written, batches mixing
 * every kind of row, and files of schema 1 and 2 read as they are and
 * upgraded in place.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"

#include <lockstep/runtime.h>
#include <lockstep/store.h>

extern const struct ls_rule ls_rule_SpinLock;
extern const struct ls_rule ls_rule_QueuedSpinLockRelease;

static char dir[64];

/* A fresh path in the test's directory (any old file removed). */
static const char *fresh(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    return path;
}

/* Every row of sql on db, columns joined by '|' and rows by ';' (NULL as
 * "~"), in a static buffer; "(error: ...)" when the query fails. */
static const char *rows_of(sqlite3 *db, const char *sql)
{
    static char out[4096];
    sqlite3_stmt *s = NULL;
    size_t n = 0;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        snprintf(out, sizeof out, "(error: %s)", sqlite3_errmsg(db));
        return out;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(s) && n < sizeof out; i++) {
            const unsigned char *t = sqlite3_column_text(s, i);
            n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
                                  t ? (const char *)t : "~",
                                  i + 1 < sqlite3_column_count(s) ? "|" : ";");
        }
    if (rc != SQLITE_DONE)
        snprintf(out, sizeof out, "(error: %s)", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return out;
}

/* rows_of on a connection of its own to the file at path. */
static const char *rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    const char *out = "(error: cannot open)";
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        out = rows_of(db, sql);
    sqlite3_close(db);
    return out;
}

/* ---- source paths ---------------------------------------------------------- */

/* The release of a spin lock at a raised IRQL that was never acquired on
 * the path where `locked` is false, in the words of source mode. */
static const struct ls_store_step STEPS[] = {
    { "entry", "AhciHwStartIo", "storahci.c", 180, 5, 2, NULL },
    { "call", "AhciHwStartIo", "storahci.c", 190, 9, 2, "AhciProcessIo(ext, srb)" },
    { "branch", "AhciProcessIo", "storahci.c", 201, 9, 2, "if (locked): false" },
    { "return", "AhciProcessIo", NULL, 0, 0, -1, NULL },
    { "event", "AhciHwStartIo", "storahci.c", 212, 9, 2,
      "KeReleaseSpinLock(&ext->Lock, irql)" },
};

static const char MESSAGE[] = "KeReleaseSpinLock releases a spin lock that is not held.";

static struct ls_store_path_violation path_violation(void)
{
    return (struct ls_store_path_violation){
        .rule = &ls_rule_SpinLock, .message = MESSAGE, .function = "KeReleaseSpinLock",
        .file = "storahci.c", .line = 212, .column = 9, .entry = "AhciHwStartIo",
        .instance_key = "&ext->Lock", .steps = STEPS,
        .step_count = sizeof STEPS / sizeof STEPS[0],
    };
}

static void source_paths(void)
{
    char err[512] = "", fingerprint[17], want[24];
    const char *path = fresh("paths.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ls_store_last_violation(st) == 0);
    int64_t run = ls_store_begin_run(st, "lockstep scan storahci.c", "test");
    int64_t input = ls_store_add_input(st, run, "storahci.c", "source");
    struct ls_store_path_violation v = path_violation();
    CHECK(ls_store_add_path_violation(st, run, input, &v) == 0);
    CHECK(ls_store_last_violation(st) == 1);
    /* the same bug reached from another entry point, at another column */
    v.entry = "AhciHwInterrupt";
    v.column = 13;
    v.instance_key = NULL;
    v.step_count = 0;
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == 0);
    CHECK(ls_store_last_violation(st) == 2);
    CHECK(ls_store_end_run(st, run, "violations") == 0);
    ls_store_close(st);

    CHECK_STR(rows(path, "SELECT kind FROM inputs"), "source;");
    CHECK_STR(rows(path, "SELECT v.id, r.name, v.input, v.seq, v.thread, v.function, v.file, "
                         "v.line, v.column, v.entry, v.instance_key, v.schedule, v.message "
                         "FROM violations v JOIN rules r ON r.id = v.rule ORDER BY v.id"),
              "1|SpinLock|1|0|~|KeReleaseSpinLock|storahci.c|212|9|AhciHwStartIo|&ext->Lock|~|"
              "KeReleaseSpinLock releases a spin lock that is not held.;"
              "2|SpinLock|~|0|~|KeReleaseSpinLock|storahci.c|212|13|AhciHwInterrupt|~|~|"
              "KeReleaseSpinLock releases a spin lock that is not held.;");
    /* neither the column nor the entry point is part of the fingerprint */
    ls_store_fingerprint(fingerprint, "SpinLock", MESSAGE, "KeReleaseSpinLock", "storahci.c",
                         212);
    snprintf(want, sizeof want, "%s;", fingerprint);
    CHECK_STR(rows(path, "SELECT DISTINCT fingerprint FROM violations"), want);
    CHECK_STR(rows(path, "SELECT step, seq, thread, function, point, irql, file, line, "
                         "column, kind, text FROM violation_steps ORDER BY violation, step"),
              "1|1|~|AhciHwStartIo|entry|2|storahci.c|180|5|entry|~;"
              "2|2|~|AhciHwStartIo|call|2|storahci.c|190|9|call|AhciProcessIo(ext, srb);"
              "3|3|~|AhciProcessIo|branch|2|storahci.c|201|9|branch|if (locked): false;"
              "4|4|~|AhciProcessIo|return|~|~|~|~|return|~;"
              "5|5|~|AhciHwStartIo|event|2|storahci.c|212|9|event|"
              "KeReleaseSpinLock(&ext->Lock, irql);");
    CHECK_STR(rows(path, "SELECT count(*) FROM run_rules"), "1;");
    CHECK_STR(rows(path, "SELECT count(*) FROM pragma_foreign_key_check"), "0;");

    /* reopened: the rows are kept, ids go on */
    st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ls_store_last_violation(st) == 0);
    run = ls_store_begin_run(st, "lockstep scan storahci.c", "test");
    v = path_violation();
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == 0);
    CHECK(ls_store_last_violation(st) == 3);
    ls_store_close(st);
    CHECK_STR(rows(path, "SELECT count(*), count(DISTINCT fingerprint) FROM violations"),
              "3|1;");
    CHECK_STR(rows(path, "SELECT status FROM runs ORDER BY id"), "violations;running;");
}

/* Bad input is refused with a reason and writes nothing. */
static void refused(void)
{
    char err[512] = "";
    const char *path = fresh("refused.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "x", "y");
    struct ls_store_step bad_steps[] = { STEPS[0], { "jump", "f", NULL, 0, 0, -1, NULL } };
    struct ls_store_path_violation v = path_violation();
    v.steps = bad_steps;
    v.step_count = 2;
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == -1);
    CHECK_STR(ls_store_error(st), "recording a violation's trail: step 2 has kind 'jump'; "
                                  "expected entry, call, return, branch, event or exit");
    bad_steps[1].kind = NULL;
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == -1);
    CHECK(strstr(ls_store_error(st), "step 2 has kind '(none)'") != NULL);
    v = path_violation();
    v.rule = NULL;
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == -1);
    CHECK_STR(ls_store_error(st), "recording a violation: it names no rule");
    struct ls_store_function f = { .name = "f", .status = "done" };
    CHECK(ls_store_add_function(st, run, 0, &f) == -1);
    CHECK(strstr(ls_store_error(st), "status of analysed, skipped or gave-up") != NULL);
    f = (struct ls_store_function){ .status = "analysed" };
    CHECK(ls_store_add_function(st, run, 0, &f) == -1);
    CHECK(ls_store_last_violation(st) == 0);
    CHECK(ls_store_end_run(st, run, "clean") == 0);
    ls_store_close(st);
    CHECK_STR(rows(path, "SELECT (SELECT count(*) FROM violations), "
                         "(SELECT count(*) FROM violation_steps), "
                         "(SELECT count(*) FROM functions), (SELECT count(*) FROM rules)"),
              "0|0|0|0;");
}

/* ---- functions ------------------------------------------------------------- */

static void functions(void)
{
    char err[512] = "";
    const char *path = fresh("functions.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "lockstep scan storahci.c", "test");
    int64_t input = ls_store_add_input(st, run, "storahci.c", "source");
    const struct ls_store_function seen[] = {
        { "AhciHwStartIo", "storahci.c", 170, "analysed", NULL, 1, 1234 },
        { "AhciProcessIo", "storahci.c", 195, "analysed", NULL, 0, 56 },
        { "AhciAsm", "storahci.c", 300, "skipped", "inline assembly", 0, 0 },
        { "AhciLoop", NULL, 0, "gave-up", "state limit at storahci.c:412", 1, 100000 },
    };
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        CHECK(ls_store_add_function(st, run, i == 3 ? 0 : input, &seen[i]) == 0);
    CHECK(ls_store_end_run(st, run, "clean") == 0);
    ls_store_close(st);
    CHECK_STR(rows(path, "SELECT run, input, name, file, line, status, reason, entry, states "
                         "FROM functions ORDER BY id"),
              "1|1|AhciHwStartIo|storahci.c|170|analysed|~|1|1234;"
              "1|1|AhciProcessIo|storahci.c|195|analysed|~|0|56;"
              "1|1|AhciAsm|storahci.c|300|skipped|inline assembly|0|0;"
              "1|~|AhciLoop|~|~|gave-up|state limit at storahci.c:412|1|100000;");
    CHECK_STR(rows(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                         "AND name = 'functions_run'"), "1;");
}

/* ---- schedules of simulation ------------------------------------------------ */

struct sim {
    struct ls_store *st;
    struct ls_runtime *rt;
    int64_t run, input, ids[4];
    int count;
};

/* The violation sink: store, and keep the id a replay would name. */
static void on_violation(void *context, const struct ls_violation *v)
{
    struct sim *s = context;
    CHECK(ls_store_add_violation(s->st, s->run, s->input, v, s->rt) == 0);
    if (s->count < 4)
        s->ids[s->count++] = ls_store_last_violation(s->st);
}

/* The release of a queued-lock handle never acquired (one violation). */
static void release(struct ls_runtime *rt, uint32_t thread, uint64_t seq, ls_word handle)
{
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    const char *name = "KeReleaseInStackQueuedSpinLock";
    ev.fn = ls_runtime_function(rt, name, strlen(name));
    ev.when = LS_ENTRY;
    ev.nargs = 1;
    ev.args[0] = handle;
    CHECK(ls_runtime_event(rt, thread, LS_IRQL_UNKNOWN, &ev, NULL, 0) == 0);
}

static void schedules(void)
{
    char err[512] = "";
    const char *path = fresh("sim.db");
    struct sim s = { 0 };
    s.st = ls_store_open(path, err, sizeof err);
    CHECK(s.st != NULL);
    s.rt = ls_runtime_new();
    ls_runtime_set_sinks(s.rt, on_violation, NULL, &s);
    CHECK(ls_runtime_add_rule(s.rt, &ls_rule_QueuedSpinLockRelease) == 0);
    s.run = ls_store_begin_run(s.st, "lockstep sim storahci", "test");
    s.input = ls_store_add_input(s.st, s.run, "storahci", "simulation");
    uint32_t cpu = ls_runtime_thread(s.rt, "cpu0", 4);
    const char *schedule = "seed=42 run=7 steps=HwFindAdapter,HwInitialize,HwStartIo#3,"
                           "fault:alloc@2";
    CHECK(ls_store_set_schedule(s.st, schedule) == 0);
    release(s.rt, cpu, 1, 0xffffa0030000);
    release(s.rt, cpu, 2, 0xffffa0038000);
    CHECK(ls_store_set_schedule(s.st, "seed=42 run=8 steps=HwStartIo") == 0);
    struct ls_store_path_violation v = path_violation();
    CHECK(ls_store_add_path_violation(s.st, s.run, 0, &v) == 0);
    CHECK(ls_store_set_schedule(s.st, NULL) == 0);
    release(s.rt, cpu, 3, 0xffffa0040000);
    CHECK(s.count == 3);
    CHECK(ls_store_last_violation(s.st) == 4);
    CHECK(ls_store_end_run(s.st, s.run, "violations") == 0);
    ls_store_close(s.st);
    ls_runtime_free(s.rt);

    CHECK(s.ids[0] == 1 && s.ids[1] == 2 && s.ids[2] == 4);
    CHECK_STR(rows(path, "SELECT id, seq, thread, schedule FROM violations ORDER BY id"),
              "1|1|cpu0|seed=42 run=7 steps=HwFindAdapter,HwInitialize,HwStartIo#3,"
              "fault:alloc@2;"
              "2|2|cpu0|seed=42 run=7 steps=HwFindAdapter,HwInitialize,HwStartIo#3,"
              "fault:alloc@2;"
              "3|0|~|seed=42 run=8 steps=HwStartIo;"
              "4|3|cpu0|~;");
    /* a trail step of the runtime: an event, without the source columns */
    CHECK_STR(rows(path, "SELECT step, seq, thread, function, point, irql, file, line, "
                         "column, kind, text FROM violation_steps WHERE violation = 1"),
              "1|1|cpu0|KeReleaseInStackQueuedSpinLock|entry|0|~|~|~|~|~;");
}

/* ---- batches ------------------------------------------------------------------ */

/* Functions and path violations share the batches: the first
 * LS_STORE_BATCH rows are committed while the run goes on. */
static void batches(void)
{
    char err[512] = "";
    const char *path = fresh("batch.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "x", "y");
    struct ls_store_path_violation v = path_violation();
    struct ls_store_function f = { .name = "f", .status = "analysed", .states = 1 };
    int failures = 0;
    for (int i = 0; i < LS_STORE_BATCH; i++)
        failures += i % 2 ? ls_store_add_function(st, run, 0, &f) != 0
                          : ls_store_add_path_violation(st, run, 0, &v) != 0;
    CHECK(failures == 0);
    CHECK(ls_store_add_function(st, run, 0, &f) == 0);
    CHECK_STR(rows(path, "SELECT (SELECT count(*) FROM violations), "
                         "(SELECT count(*) FROM functions)"), "500|500;");
    CHECK(ls_store_end_run(st, run, "violations") == 0);
    ls_store_close(st);
    CHECK_STR(rows(path, "SELECT (SELECT count(*) FROM violations), "
                         "(SELECT count(*) FROM violation_steps), "
                         "(SELECT count(*) FROM functions)"), "500|2500|501;");
}

/* ---- older files ---------------------------------------------------------------- */

/* What schema 3 added, taken away again: a file as schema 2 wrote it. */
static const char TO_V2[] =
    "DROP TABLE functions;"
    "ALTER TABLE violations DROP COLUMN column;"
    "ALTER TABLE violations DROP COLUMN entry;"
    "ALTER TABLE violations DROP COLUMN schedule;"
    "CREATE TABLE steps_v2 ("
    "  violation INTEGER NOT NULL REFERENCES violations(id),"
    "  step INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  thread TEXT,"
    "  function TEXT,"
    "  point TEXT NOT NULL CHECK (point IN ('entry','exit')),"
    "  irql INTEGER,"
    "  PRIMARY KEY (violation, step));"
    "DROP TABLE violation_steps;"
    "ALTER TABLE steps_v2 RENAME TO violation_steps;"
    "PRAGMA user_version = 2;";
/* And what schema 2 added: a file as schema 1 wrote it. */
static const char TO_V1[] =
    "DROP TABLE diagnostics;"
    "ALTER TABLE rules DROP COLUMN help;"
    "PRAGMA user_version = 1;";

/* A file of schema `version` (1 or 2) with one finished run and one
 * violation of a trace with its step, as that version stored them. */
static const char *older_file(const char *name, int version)
{
    char err[512] = "";
    const char *path = fresh(name);
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "lockstep check t.trace", "0.1");
    CHECK(ls_store_add_rule(st, run, &ls_rule_SpinLock) == 0);
    CHECK(ls_store_end_run(st, run, "violations") == 0);
    ls_store_close(st);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, TO_V2, NULL, NULL, NULL) == SQLITE_OK);
    if (version == 1)
        CHECK(sqlite3_exec(db, TO_V1, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO inputs (run, path, kind) VALUES (1, 't.trace', 'trace');"
                       "INSERT INTO violations (run, rule, input, message, seq, thread, "
                       "  function, file, line, instance_key, fingerprint) VALUES (1, 1, 1, "
                       "  'm', 3, 'cpu0', 'KeAcquireSpinLock', 'a.c', 7, '0x10', "
                       "  '0123456789abcdef');"
                       "INSERT INTO violation_steps VALUES (1, 1, 3, 'cpu0', "
                       "  'KeAcquireSpinLock', 'entry', 2);",
                       NULL, NULL, NULL) == SQLITE_OK);
    /* schema 2 allowed no source-mode step */
    CHECK(sqlite3_exec(db, "INSERT INTO violation_steps VALUES (1, 2, 4, NULL, 'f', "
                           "'call', NULL)", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);
    return path;
}

/* A reader sees an older file in the shape of schema 3 and changes
 * nothing; a writer upgrades it in place, keeping its rows. */
static void upgrade(int version)
{
    char err[512] = "", name[32], want[16];
    snprintf(name, sizeof name, "v%d.db", version);
    const char *path = older_file(name, version);

    sqlite3 *db = ls_store_open_readonly(path, err, sizeof err);
    CHECK(db != NULL);
    CHECK_STR(rows_of(db, "SELECT id, column, entry, schedule, message FROM violations"),
              "1|~|~|~|m;");
    CHECK_STR(rows_of(db, "SELECT step, point, file, line, column, kind, text "
                          "FROM violation_steps"), "1|entry|~|~|~|~|~;");
    CHECK_STR(rows_of(db, "SELECT count(*) FROM functions"), "0;");
    CHECK_STR(rows_of(db, "SELECT count(*) FROM diagnostics"), "0;");
    /* schema 1 stored no help link */
    CHECK_STR(rows_of(db, "SELECT name, help IS NULL FROM rules"),
              version == 1 ? "SpinLock|1;" : "SpinLock|0;");
    sqlite3_close(db);
    snprintf(want, sizeof want, "%d;", version);
    CHECK_STR(rows(path, "PRAGMA user_version"), want);
    CHECK_STR(rows(path, "SELECT count(*) FROM sqlite_master WHERE name = 'functions'"), "0;");

    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "lockstep scan a.c", "0.2");
    struct ls_store_path_violation v = path_violation();
    struct ls_store_function f = { .name = "f", .status = "skipped", .reason = "asm" };
    CHECK(ls_store_add_path_violation(st, run, 0, &v) == 0);
    CHECK(ls_store_add_function(st, run, 0, &f) == 0);
    CHECK(ls_store_end_run(st, run, "violations") == 0);
    ls_store_close(st);
    CHECK_STR(rows(path, "PRAGMA user_version"), "3;");
    CHECK_STR(rows(path, "SELECT id, run, seq, column, entry, message FROM violations "
                         "ORDER BY id"),
              "1|1|3|~|~|m;"
              "2|2|0|9|AhciHwStartIo|KeReleaseSpinLock releases a spin lock that is not "
              "held.;");
    CHECK_STR(rows(path, "SELECT violation, step, seq, thread, point, irql, kind "
                         "FROM violation_steps WHERE step = 1 ORDER BY violation"),
              "1|1|3|cpu0|entry|2|~;2|1|1|~|entry|2|entry;");
    CHECK_STR(rows(path, "SELECT name, status, reason FROM functions"), "f|skipped|asm;");
    CHECK_STR(rows(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                         "('diagnostics', 'functions_run', 'violation_steps_v3')"), "2;");
    CHECK_STR(rows(path, "SELECT count(*) FROM pragma_foreign_key_check"), "0;");
    CHECK_STR(rows(path, "PRAGMA integrity_check"), "ok;");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lockstep-test-store-paths-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    source_paths();
    refused();
    functions();
    schedules();
    batches();
    upgrade(2);
    upgrade(1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_done("test_store_paths");
}
