/*
 * test_store.c — the results database (lockstep/store.h): creating and
 * reopening a file, the schema version check, refusing a file that is not
 * a database or belongs to something else, a locked database (an error,
 * not a hang), an unwritable path, a run written through a real runtime
 * (release-without-acquire of QueuedSpinLockRelease) with its trail and
 * statistics, batches of more than LS_STORE_BATCH violations, fingerprints
 * equal across runs, a run without end_run left 'running' and diagnostics.
 * test_store_paths.c tests what schema 3 added and the upgrades of older
 * files.
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

extern const struct ls_rule ls_rule_QueuedSpinLockRelease;

static char dir[64];
static char path_buf[256];

static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    unlink(path_buf);
    return path_buf;
}

/* One integer from a query on a plain sqlite3 connection; -1 on error. */
static long long query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long value = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        value = sqlite3_column_int64(s, 0);
    else
        printf("query failed: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return value;
}

/* One text from a query, copied to a static buffer. */
static const char *query_text(const char *path, const char *sql)
{
    static char buf[4][512];
    static int next;
    char *out = buf[next++ % 4];
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    strcpy(out, "(error)");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(out, 512, "%s", t ? (const char *)t : "(null)");
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void create_and_reopen(void)
{
    char err[512] = "";
    const char *path = tmp_path("create.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    ls_store_close(st);
    CHECK(query(path, "PRAGMA user_version") == LS_STORE_SCHEMA_VERSION);
    CHECK_STR(query_text(path, "PRAGMA journal_mode"), "wal");
    CHECK(query(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                "('runs','rules','run_rules','inputs','violations','violation_steps',"
                "'rule_stats','diagnostics')") == 8);
    CHECK(query(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                "('violations_run','violations_fingerprint')") == 2);
    st = ls_store_open(path, err, sizeof err);      /* reopen: schema kept */
    CHECK(st != NULL);
    CHECK(ls_store_begin_run(st, "lockstep check x", "0.1") == 1);
    ls_store_close(st);
    st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ls_store_begin_run(st, NULL, NULL) == 2);
    ls_store_close(st);
    CHECK(query(path, "SELECT count(*) FROM runs") == 2);
    ls_store_close(NULL);
}

static void newer_schema(void)
{
    char err[512] = "";
    const char *path = tmp_path("newer.db");
    CHECK(raw_exec(path, "PRAGMA user_version = 4") == SQLITE_OK);
    CHECK(ls_store_open(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "schema version 4, newer than this lockstep understands (3)") != NULL);
    CHECK(ls_store_open_readonly(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "schema version 4, newer") != NULL);
}

static void not_a_database(void)
{
    char err[512] = "";
    const char *path = tmp_path("garbage.db");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < 4096; i++)
        fputc("garbage!"[i % 8], f);
    fclose(f);
    CHECK(ls_store_open(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "not a lockstep results database (file is not a database)") != NULL);
    CHECK(strstr(err, path) != NULL);

    /* a SQLite database of something else */
    path = tmp_path("other.db");
    CHECK(raw_exec(path, "CREATE TABLE songs (title TEXT)") == SQLITE_OK);
    CHECK(ls_store_open(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "not a lockstep results database (a SQLite database with other "
                      "tables") != NULL);
}

static void locked(void)
{
    char err[512] = "";
    const char *path = tmp_path("locked.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    ls_store_close(st);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ls_store_open_timeout(path, 50, err, sizeof err) == NULL);
    CHECK(strstr(err, "results database is locked by another process (database is "
                      "locked)") != NULL);

    /* locked while a run is being written: the error is in the handle */
    CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    st = ls_store_open_timeout(path, 50, err, sizeof err);
    CHECK(st != NULL);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ls_store_begin_run(st, "x", "y") == -1);
    CHECK(strstr(ls_store_error(st), "locked") != NULL);
    CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ls_store_begin_run(st, "x", "y") == 1);   /* usable again */
    ls_store_close(st);
    sqlite3_close(db);
}

static void unwritable(void)
{
    char err[512] = "";
    CHECK(ls_store_open("/nonexistent-lockstep-dir/results.db", err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot open results database /nonexistent-lockstep-dir/results.db: "
                      "unable to open database file") != NULL);
}

/* ---- runs through a real runtime ----------------------------------------- */

struct sink {
    struct ls_store *st;
    struct ls_runtime *rt;
    int64_t run, input;
    int failures;
    int added;
    const char *path;               /* probed for committed batches        */
};

static void on_violation(void *context, const struct ls_violation *v)
{
    struct sink *s = context;
    if (ls_store_add_violation(s->st, s->run, s->input, v, s->rt)) {
        printf("add_violation: %s\n", ls_store_error(s->st));
        s->failures++;
    }
    /* the first batch is committed, the second is not yet visible */
    if (++s->added == LS_STORE_BATCH + 1)
        CHECK(query(s->path, "SELECT count(*) FROM violations WHERE run = (SELECT "
                    "max(id) FROM runs)") == LS_STORE_BATCH);
}

static uint64_t seq;

static void event(struct ls_runtime *rt, uint32_t thread, const char *fn, int when,
                  int nargs, ls_word arg, ls_word arg2)
{
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++seq;
    ev.fn = ls_runtime_function(rt, fn, strlen(fn));
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    ev.args[0] = arg;
    ev.args[1] = arg2;
    CHECK(ls_runtime_event(rt, thread, LS_IRQL_UNKNOWN, &ev, "driver.c", 42) == 0);
}

/* One run: `releases` releases of distinct never-acquired handles after one
 * good acquire/release pair; end_run unless `finish` is 0. */
static int64_t one_run(const char *path, int releases, int finish)
{
    char err[512] = "";
    struct sink s = {0};
    s.path = path;
    s.st = ls_store_open(path, err, sizeof err);
    CHECK(s.st != NULL);
    if (!s.st)
        return -1;
    s.rt = ls_runtime_new();
    ls_runtime_set_sinks(s.rt, on_violation, NULL, &s);
    CHECK(ls_runtime_add_rule(s.rt, &ls_rule_QueuedSpinLockRelease) == 0);
    s.run = ls_store_begin_run(s.st, "lockstep check t.trace", "test");
    CHECK(s.run > 0);
    CHECK(ls_store_add_rule(s.st, s.run, &ls_rule_QueuedSpinLockRelease) == 0);
    CHECK(ls_store_add_rule(s.st, s.run, &ls_rule_QueuedSpinLockRelease) == 0);
    s.input = ls_store_add_input(s.st, s.run, "t.trace", "trace");
    CHECK(s.input > 0);
    uint32_t cpu = ls_runtime_thread(s.rt, "cpu0", 4);
    seq = 0;
    event(s.rt, cpu, "KeAcquireInStackQueuedSpinLock", LS_ENTRY, 2, 0x1000, 0x2000);
    event(s.rt, cpu, "KeAcquireInStackQueuedSpinLock", LS_EXIT, 2, 0x1000, 0x2000);
    event(s.rt, cpu, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 1, 0x2000, 0);
    event(s.rt, cpu, "KeReleaseInStackQueuedSpinLock", LS_EXIT, 1, 0x2000, 0);
    for (int i = 0; i < releases; i++) {
        event(s.rt, cpu, "KeReleaseInStackQueuedSpinLock", LS_ENTRY, 1,
              (ls_word)0xffffa0030000 + (ls_word)i * 64, 0);
        event(s.rt, cpu, "KeReleaseInStackQueuedSpinLock", LS_EXIT, 1,
              (ls_word)0xffffa0030000 + (ls_word)i * 64, 0);
    }
    CHECK(s.failures == 0);
    CHECK(ls_store_finish_input(s.st, s.input, seq) == 0);
    CHECK(ls_store_rule_stats(s.st, s.run, &ls_rule_QueuedSpinLockRelease,
                              ls_runtime_stats(s.rt, 0)) == 0);
    if (finish)
        CHECK(ls_store_end_run(s.st, s.run, releases ? "violations" : "clean") == 0);
    ls_store_close(s.st);
    ls_runtime_free(s.rt);
    return s.run;
}

static void run_with_violations(void)
{
    const char *path = tmp_path("run.db");
    int64_t run = one_run(path, 1, 1);
    CHECK(run == 1);
    CHECK_STR(query_text(path, "SELECT status FROM runs WHERE id = 1"), "violations");
    CHECK(query(path, "SELECT finished_at IS NOT NULL AND started_at <= finished_at "
                "FROM runs WHERE id = 1") == 1);
    CHECK_STR(query_text(path, "SELECT command_line || ' ' || tool_version FROM runs"),
              "lockstep check t.trace test");
    CHECK(query(path, "SELECT count(*) FROM rules") == 1);
    CHECK(query(path, "SELECT count(*) FROM run_rules") == 1);
    CHECK_STR(query_text(path, "SELECT name || ' ' || severity || ' ' || model FROM rules"),
              "QueuedSpinLockRelease error storport");
    CHECK(query(path, "SELECT length(spec_sha256) FROM rules") == 64);
    CHECK(query(path, "SELECT events_seen FROM inputs WHERE path = 't.trace' "
                "AND kind = 'trace' AND sha256 IS NULL") == 6);
    CHECK(query(path, "SELECT count(*) FROM violations") == 1);
    CHECK_STR(query_text(path, "SELECT message FROM violations"),
              "KeReleaseInStackQueuedSpinLock releases a lock handle that was not acquired "
              "with KeAcquireInStackQueuedSpinLock.");
    CHECK_STR(query_text(path, "SELECT seq || ' ' || thread || ' ' || function || ' ' || "
                         "file || ':' || line || ' ' || instance_key || ' ' || input "
                         "FROM violations"),
              "5 cpu0 KeReleaseInStackQueuedSpinLock driver.c:42 0xffffa0030000 1");
    CHECK(query(path, "SELECT length(fingerprint) FROM violations") == 16);
    char want[17];
    ls_store_fingerprint(want, "QueuedSpinLockRelease",
                         "KeReleaseInStackQueuedSpinLock releases a lock handle that was "
                         "not acquired with KeAcquireInStackQueuedSpinLock.",
                         "KeReleaseInStackQueuedSpinLock", "driver.c", 42);
    CHECK_STR(query_text(path, "SELECT fingerprint FROM violations"), want);
    CHECK(query(path, "SELECT count(*) FROM violation_steps") >= 1);
    CHECK_STR(query_text(path, "SELECT seq || ' ' || thread || ' ' || function || ' ' || "
                         "point FROM violation_steps ORDER BY step DESC LIMIT 1"),
              "5 cpu0 KeReleaseInStackQueuedSpinLock entry");
    CHECK(query(path, "SELECT violations FROM rule_stats WHERE run = 1") == 1);
    CHECK(query(path, "SELECT events FROM rule_stats WHERE run = 1") > 0);
    CHECK(query(path, "SELECT count(*) FROM pragma_foreign_key_check") == 0);

    /* a clean second run shares the rules row */
    CHECK(one_run(path, 0, 1) == 2);
    CHECK_STR(query_text(path, "SELECT status FROM runs WHERE id = 2"), "clean");
    CHECK(query(path, "SELECT count(*) FROM rules") == 1);
    CHECK(query(path, "SELECT count(*) FROM run_rules") == 2);
}

static void batches_and_fingerprints(void)
{
    const char *path = tmp_path("batch.db");
    CHECK(one_run(path, 2500, 1) == 1);
    CHECK(one_run(path, 2500, 1) == 2);
    CHECK(query(path, "SELECT count(*) FROM violations WHERE run = 1") == 2500);
    CHECK(query(path, "SELECT count(*) FROM violations WHERE run = 2") == 2500);
    CHECK(query(path, "SELECT count(DISTINCT instance_key) FROM violations") == 2500);
    /* the key and seq differ, the fingerprint does not */
    CHECK(query(path, "SELECT count(DISTINCT fingerprint) FROM violations") == 1);
    CHECK(query(path, "SELECT count(*) FROM violations a JOIN violations b "
                "ON a.fingerprint = b.fingerprint AND a.seq = b.seq "
                "WHERE a.run = 1 AND b.run = 2") == 2500);
}

static void left_running(void)
{
    const char *path = tmp_path("running.db");
    CHECK(one_run(path, 3, 0) == 1);
    CHECK_STR(query_text(path, "SELECT status FROM runs"), "running");
    CHECK(query(path, "SELECT finished_at IS NULL FROM runs") == 1);

    char err[512];
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ls_store_end_run(st, 1, "finished") == -1);
    CHECK(strstr(ls_store_error(st), "status must be clean, violations or error") != NULL);
    CHECK(ls_store_end_run(st, 99, "clean") == -1);
    CHECK(strstr(ls_store_error(st), "no row with id 99") != NULL);
    CHECK(ls_store_finish_input(st, 99, 1) == -1);
    ls_store_close(st);
    CHECK_STR(query_text(path, "SELECT status FROM runs"), "running");
}

static void diagnostics(void)
{
    char err[512] = "";
    const char *path = tmp_path("diagnostics.db");
    struct ls_store *st = ls_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    int64_t run = ls_store_begin_run(st, "x", "y");
    int64_t input = ls_store_add_input(st, run, "a.trace", "trace");
    struct ls_store_diagnostic skipped = {
        .severity = "error", .message = "expected 'entry' or 'exit'", .line = 3,
        .column = 12, .offset = -1, .seq = -1, .text = "3 cpu0 - enter F",
    };
    struct ls_store_diagnostic notice = {
        .severity = "note", .message = "recorded IRQL 0 disagrees", .offset = -1,
        .seq = 7, .thread = "cpu1",
    };
    struct ls_store_diagnostic bad = { .severity = "fatal", .message = "x" };
    CHECK(ls_store_add_diagnostic(st, run, input, &skipped) == 0);
    CHECK(ls_store_add_diagnostic(st, run, 0, &notice) == 0);
    CHECK(ls_store_add_diagnostic(st, run, input, &bad) == -1);
    CHECK(strstr(ls_store_error(st), "severity must be") != NULL);
    CHECK(ls_store_end_run(st, run, "error") == 0);
    ls_store_close(st);
    CHECK(query(path, "SELECT count(*) FROM diagnostics") == 2);
    CHECK_STR(query_text(path, "SELECT severity || ' ' || line || ':' || column || ' ' || "
                         "message || ' | ' || text FROM diagnostics WHERE input IS NOT NULL"),
              "error 3:12 expected 'entry' or 'exit' | 3 cpu0 - enter F");
    CHECK_STR(query_text(path, "SELECT quote(line) || quote(offset) || ' ' || seq || ' ' || "
                         "thread FROM diagnostics WHERE input IS NULL"), "NULLNULL 7 cpu1");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lockstep-test-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    create_and_reopen();
    newer_schema();
    diagnostics();
    not_a_database();
    locked();
    unwritable();
    run_with_violations();
    batches_and_fingerprints();
    left_running();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_done("test_store");
}
