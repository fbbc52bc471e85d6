/*
 * cmd_results.c — `lockstep results`: list the runs and violations that
 * `lockstep check` stored in the results database (docs/results-db.md), as
 * an aligned table, JSON, CSV or SARIF (results_sarif.c), and compare two
 * runs (--diff A B: new, fixed and unchanged violations).
 *
 * A thin reader: the database is opened read-only, the schema version is
 * checked, and each listing is one prepared statement whose filters are
 * bound parameters (never text pasted into SQL).  Errors are kept in the
 * struct results handle; only cmd_results prints them and picks the exit
 * status (0 listed, 1 the comparison found new violations, 2 usage or
 * database error).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <lockstep/store.h>

#include "cli.h"
#include "results.h"

static const char help[] =
    "usage: lockstep results [options]\n"
    "       lockstep results --diff RUN_A RUN_B [options]\n"
    "\n"
    "List the violations stored by 'lockstep check' (of every run unless --run\n"
    "or --last is given), or with --runs the runs themselves.  The database is\n"
    "only read, never changed.  A run whose status is 'running' is shown as\n"
    "'incomplete': it was interrupted or is still in progress.\n"
    "\n"
    "With --diff, compare run B with run A by fingerprint: a violation of B\n"
    "is 'new' when A has no match for it, one of A is 'fixed' when B has none,\n"
    "and the matched ones are 'unchanged'.  Each violation matches at most\n"
    "one (two identical violations in B and one in A: one new, one unchanged).\n"
    "The filters apply to both runs; each row gets a 'state' field first.\n"
    "\n"
    "A RUN is a run id, 'last' (the newest run) or 'last~N' (N runs before it).\n"
    "\n"
    "options:\n"
    "  --db PATH            results database (default lockstep.db)\n"
    "  --run RUN            only this run\n"
    "  --last               only the newest run (as --run last)\n"
    "  --diff RUN_A RUN_B   compare run B with run A (the baseline)\n"
    "  --rule NAME          only violations of this rule\n"
    "  --input PATH         only violations found in this input (as given to check)\n"
    "  --file FILE          only violations at this source file\n"
    "  --format FORMAT      table (default), json (an array of objects), csv\n"
    "                       (RFC 4180, with a header row) or sarif (a SARIF 2.1.0\n"
    "                       log: one run object per run; with --diff one for\n"
    "                       run B, each result with its baselineState)\n"
    "  --runs               list runs: id, start, end, status, command, violations\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 listed (even when nothing matched) and, with --diff, B has\n"
    "no new violation; 1 B has new violations; 2 usage or database error.\n";

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV, FORMAT_SARIF };

void results_error(struct results *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

void results_sql_error(struct results *r, int rc)
{
    ls_store_describe(r->error, sizeof r->error, r->db, rc, r->path, "reading the database");
}

int results_prepare(struct results *r, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(r->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) {
        results_sql_error(r, rc);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* Run a one-row, one-column query with an optional integer parameter (used
 * when param >= 0).  *value gets the result, *is_null whether it was NULL
 * or there was no row.  0 or -1. */
static int query_int(struct results *r, const char *sql, int64_t param, int64_t *value,
                     bool *is_null)
{
    sqlite3_stmt *s;
    if (results_prepare(r, sql, &s) < 0)
        return -1;
    int rc = param >= 0 ? sqlite3_bind_int64(s, 1, param) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    *is_null = rc != SQLITE_ROW || sqlite3_column_type(s, 0) == SQLITE_NULL;
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        results_sql_error(r, rc);
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return 0;
}

/* Open path read-only (a lockstep database of a schema this build
 * understands).  0 or -1 with the error in r. */
static int open_results(struct results *r, const char *path)
{
    r->path = path;
    r->db = ls_store_open_readonly(path, r->error, sizeof r->error);
    return r->db ? 0 : -1;
}

/* ---- the violations statement -------------------------------------------- */

/* The violations the filters (?2 rule, ?3 input, ?4 file) select, as `sel`. */
#define SELECTED                                                                       \
    "WITH sel AS ("                                                                    \
    "  SELECT v.id, v.run, r.name AS rule, v.seq, v.thread, v.function, v.file,"       \
    "         v.line, v.message, i.path AS input, v.fingerprint, r.severity,"          \
    "         v.instance_key"                                                          \
    "    FROM violations v JOIN rules r ON r.id = v.rule"                              \
    "    LEFT JOIN inputs i ON i.id = v.input"                                         \
    "   WHERE (?2 IS NULL OR r.name = ?2) AND (?3 IS NULL OR i.path = ?3)"             \
    "     AND (?4 IS NULL OR v.file = ?4))"
/* After RV_STATE, in the order of the RV_* columns. */
#define COLUMNS                                                                        \
    " run, rule, seq, thread, function, file, line, message, input, fingerprint,"      \
    " id, severity, instance_key"

/* A listing: ?1 the run or NULL for all. */
static const char LISTING_SQL[] =
    SELECTED
    " SELECT NULL AS state," COLUMNS
    "   FROM sel WHERE ?1 IS NULL OR run = ?1 ORDER BY run, id";

/* The comparison of run ?5 (A) with run ?6 (B), as multisets of
 * fingerprints: the k-th violation of B with fingerprint f (in id order) is
 * unchanged when A has at least k violations with f, else new; the k-th of
 * A is fixed when B has fewer than k.  With A = B everything is unchanged. */
static const char COMPARISON_SQL[] =
    SELECTED ","
    " ranked AS (SELECT *, row_number() OVER (PARTITION BY run, fingerprint ORDER BY id)"
    "                      AS k"
    "              FROM sel WHERE run IN (?5, ?6)),"
    " counts AS (SELECT fingerprint, sum(run = ?5) AS na, sum(run = ?6) AS nb"
    "              FROM sel WHERE run IN (?5, ?6) GROUP BY fingerprint)"
    " SELECT CASE WHEN run <> ?6 THEN 'fixed' WHEN k <= na THEN 'unchanged' ELSE 'new'"
    "        END AS state," COLUMNS
    "   FROM ranked JOIN counts USING (fingerprint)"
    "  WHERE run = ?6 OR k > nb"
    "  ORDER BY CASE state WHEN 'new' THEN 0 WHEN 'fixed' THEN 1 ELSE 2 END, run, id";

static int bind_text(sqlite3_stmt *s, int i, const char *value)
{
    return value ? sqlite3_bind_text(s, i, value, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

static int bind_run(sqlite3_stmt *s, int i, int64_t run)
{
    return run >= 0 ? sqlite3_bind_int64(s, i, run) : sqlite3_bind_null(s, i);
}

int results_violations(struct results *r, const struct results_filter *f, sqlite3_stmt **out)
{
    bool compare = f->base >= 0;
    if (results_prepare(r, compare ? COMPARISON_SQL : LISTING_SQL, out) < 0)
        return -1;
    sqlite3_stmt *s = *out;
    int rc = bind_run(s, RESULTS_PARAM_RUN, compare ? -1 : f->run);
    if (rc == SQLITE_OK) rc = bind_text(s, 2, f->rule);
    if (rc == SQLITE_OK) rc = bind_text(s, 3, f->input);
    if (rc == SQLITE_OK) rc = bind_text(s, 4, f->file);
    if (compare) {
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 5, f->base);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 6, f->run);
    }
    if (rc != SQLITE_OK) {
        results_sql_error(r, rc);
        sqlite3_finalize(s);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* ---- output ---------------------------------------------------------------- */

/* One CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break, with quotes doubled.  NULL is an empty field. */
static void put_csv_field(const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

/* Columns first .. first + n - 1 of the current row as a JSON object with
 * the given field names: integers as numbers, NULL as null, anything else
 * as a string. */
static void put_json_row(sqlite3_stmt *s, const char *const *fields, int first, int n,
                         bool first_row)
{
    fputs(first_row ? "\n  {" : ",\n  {", stdout);
    for (int i = 0; i < n; i++) {
        int c = first + i;
        printf("%s\"%s\": ", i ? ", " : "", fields[i]);
        switch (sqlite3_column_type(s, c)) {
        case SQLITE_NULL:    fputs("null", stdout); break;
        case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(s, c)); break;
        default:             cli_json_string((const char *)sqlite3_column_text(s, c));
        }
    }
    putchar('}');
}

static void put_csv_row(sqlite3_stmt *s, int first, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            putchar(',');
        put_csv_field((const char *)sqlite3_column_text(s, first + i));
    }
    fputs("\r\n", stdout);
}

/* The cells of a table, kept until every width is known.  Owns the text. */
struct table {
    int columns;
    const char *const *headers;
    const bool *numeric;            /* right-aligned columns                 */
    char **cells;                   /* rows * columns, row-major             */
    size_t rows, capacity;
};

/* Append one row of cells (copied; NULL shows as "-").  0 or -1. */
static int table_add(struct table *t, const char *const *cells)
{
    if (t->rows == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 64;
        char **more = realloc(t->cells, cap * (size_t)t->columns * sizeof *more);
        if (!more)
            return -1;
        t->cells = more;
        t->capacity = cap;
    }
    char **row = t->cells + t->rows * (size_t)t->columns;
    for (int i = 0; i < t->columns; i++) {
        row[i] = strdup(cells[i] ? cells[i] : "-");
        if (!row[i]) {
            while (i-- > 0)
                free(row[i]);
            return -1;
        }
    }
    t->rows++;
    return 0;
}

/* Print the header and rows with aligned columns; the last column is not
 * padded (it is the free text: message or command line). */
static void table_print(const struct table *t)
{
    int width[16] = { 0 };
    for (int i = 0; i < t->columns; i++)
        width[i] = (int)strlen(t->headers[i]);
    for (size_t r = 0; r < t->rows; r++)
        for (int i = 0; i < t->columns; i++) {
            int len = (int)strlen(t->cells[r * (size_t)t->columns + i]);
            if (len > width[i])
                width[i] = len;
        }
    for (size_t r = 0; r <= t->rows; r++) {
        const char *const *row = r == 0 ? t->headers
                               : (const char *const *)t->cells + (r - 1) * (size_t)t->columns;
        for (int i = 0; i < t->columns; i++) {
            if (i + 1 == t->columns)
                printf("%s\n", row[i]);
            else
                printf(t->numeric[i] ? "%*s  " : "%-*s  ", width[i], row[i]);
        }
    }
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->rows * (size_t)t->columns; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* ---- the listings ---------------------------------------------------------- */

/* JSON and CSV fields of the violations statement, by RV_* column. */
static const char *const VIOLATION_FIELDS[] = {
    "state", "run", "rule", "seq", "thread", "function", "file", "line", "message", "input",
    "fingerprint",
};
/* Table columns; a comparison adds STATE in front. */
static const char *const VIOLATION_HEADERS[] = {
    "STATE", "RUN", "RULE", "SEQ", "THREAD", "FUNCTION", "LOCATION", "MESSAGE",
};
static const bool VIOLATION_NUMERIC[] = {
    false, true, false, true, false, false, false, false,
};

/* Runs: 'running' is shown as 'incomplete' (docs/results-db.md). */
static const char RUNS_SQL[] =
    "SELECT r.id, r.started_at, r.finished_at,"
    "       CASE r.status WHEN 'running' THEN 'incomplete' ELSE r.status END,"
    "       r.command_line,"
    "       (SELECT count(*) FROM violations v WHERE v.run = r.id)"
    "  FROM runs r WHERE (?1 IS NULL OR r.id = ?1) ORDER BY r.id";
static const char *const RUN_FIELDS[] = {
    "id", "started_at", "finished_at", "status", "command_line", "violations",
};
static const char *const RUN_HEADERS[] = {
    "RUN", "STARTED", "FINISHED", "STATUS", "VIOLATIONS", "COMMAND",
};
static const bool RUN_NUMERIC[] = { true, false, false, false, true, false };

static const char *text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* The table cells (STATE first) of the current row of a violations
 * statement. */
static void violation_cells(sqlite3_stmt *s, const char **cells, char *location, size_t size)
{
    const char *file = text(s, RV_FILE);
    if (file && sqlite3_column_type(s, RV_LINE) != SQLITE_NULL)
        snprintf(location, size, "%s:%lld", file, (long long)sqlite3_column_int64(s, RV_LINE));
    else
        snprintf(location, size, "%s", file ? file : "-");
    const char *row[] = { text(s, RV_STATE), text(s, RV_RUN), text(s, RV_RULE),
                          text(s, RV_SEQ), text(s, RV_THREAD), text(s, RV_FUNCTION),
                          location, text(s, RV_MESSAGE) };
    memcpy(cells, row, sizeof row);
}

static void run_cells(sqlite3_stmt *s, const char **cells)
{
    const char *row[] = { text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 5),
                          text(s, 4) };
    memcpy(cells, row, sizeof row);
}

/* Counts of a comparison, by state. */
struct tally {
    long long new_, fixed, unchanged;
};

static void count_state(struct tally *t, const char *state)
{
    if (!state)
        return;
    if (strcmp(state, "new") == 0)
        t->new_++;
    else if (strcmp(state, "fixed") == 0)
        t->fixed++;
    else
        t->unchanged++;
}

/* Print the runs (runs true) or the violations f selects (or compares) in
 * the format; a comparison's counts go to *tally.  0, or -1 with the error
 * in r. */
static int list(struct results *r, bool runs, const struct results_filter *f,
                enum format format, struct tally *tally)
{
    bool compare = !runs && f->base >= 0;
    sqlite3_stmt *s;
    if (runs) {
        if (results_prepare(r, RUNS_SQL, &s) < 0)
            return -1;
        int rc = bind_run(s, 1, f->run);
        if (rc != SQLITE_OK) {
            results_sql_error(r, rc);
            sqlite3_finalize(s);
            return -1;
        }
    } else if (results_violations(r, f, &s) < 0) {
        return -1;
    }
    /* columns first .. first + nfields - 1 are the JSON and CSV fields;
     * the table skips `skip` of its header columns */
    int first = runs ? 0 : compare ? RV_STATE : RV_RUN;
    int nfields = runs ? 6 : RV_FINGERPRINT + 1 - first;
    const char *const *fields = runs ? RUN_FIELDS : VIOLATION_FIELDS + first;
    int skip = runs || compare ? 0 : 1;
    struct table t = {
        .columns = (runs ? 6 : 8) - skip,
        .headers = (runs ? RUN_HEADERS : VIOLATION_HEADERS) + skip,
        .numeric = (runs ? RUN_NUMERIC : VIOLATION_NUMERIC) + skip,
    };
    if (format == FORMAT_JSON)
        putchar('[');
    if (format == FORMAT_CSV) {
        for (int i = 0; i < nfields; i++)
            printf("%s%s", i ? "," : "", fields[i]);
        fputs("\r\n", stdout);
    }
    int status = 0, rc;
    size_t count = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (compare)
            count_state(tally, text(s, RV_STATE));
        if (format == FORMAT_JSON) {
            put_json_row(s, fields, first, nfields, count == 0);
        } else if (format == FORMAT_CSV) {
            put_csv_row(s, first, nfields);
        } else {
            const char *cells[8];
            char location[4200];
            if (runs)
                run_cells(s, cells);
            else
                violation_cells(s, cells, location, sizeof location);
            if (table_add(&t, cells + skip) < 0) {
                results_error(r, "out of memory");
                status = -1;
                break;
            }
        }
        count++;
    }
    if (status == 0 && rc != SQLITE_DONE) {
        results_sql_error(r, rc);
        status = -1;
    }
    if (format == FORMAT_JSON)
        fputs(count ? "\n]\n" : "]\n", stdout);
    if (format == FORMAT_TABLE && status == 0) {
        table_print(&t);
        if (count == 0 && !compare)
            puts(runs ? "(no runs)" : "(no violations match)");
        if (compare)
            printf("run %" PRId64 " compared with run %" PRId64 ": %lld new, %lld fixed, "
                   "%lld unchanged\n", f->run, f->base, tally->new_, tally->fixed,
                   tally->unchanged);
    }
    table_free(&t);
    sqlite3_finalize(s);
    return status;
}

/* ---- naming runs ----------------------------------------------------------- */

/* Whether spec names a run: a positive id, "last" or "last~N". */
static bool run_spec_valid(const char *spec)
{
    const char *digits = spec;
    if (strncmp(spec, "last", 4) == 0) {
        if (spec[4] == '\0')
            return true;
        if (spec[4] != '~')
            return false;
        digits = spec + 5;
    }
    if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits) ||
        strlen(digits) > 18)
        return false;
    return digits != spec || strtoll(spec, NULL, 10) >= 1;
}

/* The id of the run spec names (run_spec_valid); 0 or -1 with the error in r
 * when there is no such run. */
static int resolve_run(struct results *r, const char *spec, int64_t *id)
{
    bool none;
    if (strncmp(spec, "last", 4) == 0) {
        int64_t back = spec[4] == '~' ? strtoll(spec + 5, NULL, 10) : 0, runs;
        if (query_int(r, "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1", back,
                      id, &none) < 0)
            return -1;
        if (!none)
            return 0;
        if (query_int(r, "SELECT count(*) FROM runs", -1, &runs, &none) < 0)
            return -1;
        if (runs == 0)
            results_error(r, "%s holds no runs yet", r->path);
        else
            results_error(r, "%s has no run '%s': it holds %" PRId64 " run%s", r->path,
                          spec, runs, runs == 1 ? "" : "s");
        return -1;
    }
    *id = strtoll(spec, NULL, 10);
    int64_t found;
    if (query_int(r, "SELECT id FROM runs WHERE id = ?1", *id, &found, &none) < 0)
        return -1;
    if (none) {
        results_error(r, "%s has no run %" PRId64 "; 'lockstep results --runs' lists them",
                      r->path, *id);
        return -1;
    }
    return 0;
}

/* Warn on stderr when a compared run did not finish: its violations may be
 * only part of what a complete run would find.  0 or -1. */
static int warn_if_incomplete(struct results *r, int64_t run)
{
    int64_t running;
    bool none;
    if (query_int(r, "SELECT status = 'running' FROM runs WHERE id = ?1", run, &running,
                  &none) < 0)
        return -1;
    if (running)
        fprintf(stderr, "lockstep results: warning: run %" PRId64 " is incomplete "
                "(interrupted or still running): violations it never reached count as "
                "fixed or new\n", run);
    return 0;
}

int cmd_results(int argc, char **argv)
{
    static const struct option options[] = {
        { "db", required_argument, NULL, 'd' },
        { "run", required_argument, NULL, 'n' },
        { "last", no_argument, NULL, 'l' },
        { "diff", required_argument, NULL, 'D' },
        { "rule", required_argument, NULL, 'r' },
        { "input", required_argument, NULL, 'i' },
        { "file", required_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "runs", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct results r = { 0 };
    struct results_filter f = { .run = -1, .base = -1 };
    enum format format = FORMAT_TABLE;
    const char *db = "lockstep.db", *run = NULL, *base = NULL, *head = NULL;
    bool runs = false;

    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (ch) {
        case 'd': db = optarg; break;
        case 'n':
        case 'l':
            if (run) {
                fprintf(stderr, "lockstep results: error: --run and --last exclude each "
                                "other; give one, once\n");
                goto usage;
            }
            run = ch == 'l' ? "last" : optarg;
            if (!run_spec_valid(run)) {
                fprintf(stderr, "lockstep results: error: --run takes a run id (a positive "
                                "number), 'last' or 'last~N', not '%s'\n", optarg);
                goto usage;
            }
            break;
        case 'D':
            if (base) {
                fprintf(stderr, "lockstep results: error: --diff given twice\n");
                goto usage;
            }
            base = optarg;
            break;
        case 'r': f.rule = optarg; break;
        case 'i': f.input = optarg; break;
        case 'f': f.file = optarg; break;
        case 'F':
            if (strcmp(optarg, "table") == 0) format = FORMAT_TABLE;
            else if (strcmp(optarg, "json") == 0) format = FORMAT_JSON;
            else if (strcmp(optarg, "csv") == 0) format = FORMAT_CSV;
            else if (strcmp(optarg, "sarif") == 0) format = FORMAT_SARIF;
            else {
                fprintf(stderr, "lockstep results: error: unknown --format '%s' "
                                "(expected table, json, csv or sarif)\n", optarg);
                goto usage;
            }
            break;
        case 'R': runs = true; break;
        case 'h':
            fputs(help, stdout);
            return EXIT_CLEAN;
        default:
            goto usage;
        }
    }
    if (base) {
        /* --diff A B: B is the one operand */
        if (optind == argc) {
            fprintf(stderr, "lockstep results: error: --diff takes two runs: "
                            "--diff RUN_A RUN_B\n");
            goto usage;
        }
        head = argv[optind++];
        const char *bad = !run_spec_valid(base) ? base : !run_spec_valid(head) ? head : NULL;
        if (bad) {
            fprintf(stderr, "lockstep results: error: --diff takes two runs (an id, 'last' "
                            "or 'last~N'), not '%s'\n", bad);
            goto usage;
        }
        if (run || runs) {
            fprintf(stderr, "lockstep results: error: --diff compares two runs; it does "
                            "not take --run, --last or --runs\n");
            goto usage;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "lockstep results: error: unexpected argument '%s'\n", argv[optind]);
        goto usage;
    }
    if (runs && (f.rule || f.input || f.file)) {
        fprintf(stderr, "lockstep results: error: --rule, --input and --file filter "
                        "violations, not --runs\n");
        goto usage;
    }
    if (runs && format == FORMAT_SARIF) {
        fprintf(stderr, "lockstep results: error: --format sarif writes violations; "
                        "--runs lists runs as table, json or csv\n");
        goto usage;
    }

    int status = EXIT_CLEAN;
    struct tally tally = { 0 };
    long long new_results = 0;
    if (open_results(&r, db) < 0)
        status = EXIT_USAGE;
    else if (run && resolve_run(&r, run, &f.run) < 0)
        status = EXIT_USAGE;
    else if (head && (resolve_run(&r, base, &f.base) < 0 || resolve_run(&r, head, &f.run) < 0
                      || warn_if_incomplete(&r, f.base) < 0
                      || (f.run != f.base && warn_if_incomplete(&r, f.run) < 0)))
        status = EXIT_USAGE;
    else if (format == FORMAT_SARIF ? results_sarif(&r, &f, &new_results) < 0
                                    : list(&r, runs, &f, format, &tally) < 0)
        status = EXIT_USAGE;
    else if (head && (tally.new_ > 0 || new_results > 0))
        status = EXIT_VIOLATIONS;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (status != EXIT_USAGE)
            results_error(&r, "writing the listing: %s", strerror(errno));
        status = EXIT_USAGE;
    }
    if (status == EXIT_USAGE)
        fprintf(stderr, "lockstep results: error: %s\n", r.error);
    sqlite3_close(r.db);
    return status;

usage:
    fputs("Run 'lockstep results --help' for usage.\n", stderr);
    return EXIT_USAGE;
}
