/*
 * cmd_results.c — `lockstep results`: list the runs, violations and
 * source-mode functions stored in the results database
 * (docs/results-db.md), as an aligned table, JSON, CSV or SARIF
 * (results_sarif.c), compare two runs (--diff A B: new, fixed and
 * unchanged violations), and print one violation's error trace as a
 * compiler's note chain (--trace ID).
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
    "       lockstep results --trace ID [--db PATH]\n"
    "       lockstep results --functions [RUN] [options]\n"
    "\n"
    "List the violations stored by 'lockstep check', 'scan' or 'sim' (of every\n"
    "run unless --run or --last is given), or with --runs the runs themselves,\n"
    "or with --functions the functions source mode analysed or skipped.  The\n"
    "database is only read, never changed.  A run whose status is 'running' is\n"
    "shown as 'incomplete': it was interrupted or is still in progress.\n"
    "\n"
    "With --trace, print the error trace of violation ID (the 'id' field of\n"
    "--format json or csv) as a compiler prints notes: the violation, the\n"
    "schedule that reached it (simulation), then each step of its path\n"
    "(source mode) or each event of its rule instance (traces), oldest first.\n"
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
    "  --runs               list runs: id, start, end, status, violations,\n"
    "                       functions analysed and skipped (source mode), command\n"
    "  --functions [RUN]    list the functions of source mode: name, location,\n"
    "                       status, entry point or not, states, reason (of RUN\n"
    "                       or --run, else of every run; --input and --file filter)\n"
    "  --trace ID           print the error trace of violation ID\n"
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

const char *results_level(const char *severity)
{
    if (severity && (strcmp(severity, "error") == 0 || strcmp(severity, "note") == 0 ||
                     strcmp(severity, "none") == 0))
        return severity;
    return "warning";
}

void results_step_text(char *out, size_t size, const char *kind, const char *function,
                       const char *text)
{
    size_t n = strlen(kind);
    if (text && strncmp(text, kind, n) == 0 && (text[n] == ' ' || text[n] == '\0')) {
        snprintf(out, size, "%s", text);
        return;
    }
    const char *what = text ? text : function;
    snprintf(out, size, "%s%s%s", kind, what ? " " : "", what ? what : "");
}

const char results_steps_sql[] =
    "SELECT step, seq, thread, function, point, irql, file, line, column, kind, text"
    "  FROM violation_steps WHERE violation = ?1 ORDER BY step";

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
    "         v.line, v.message, i.path AS input, v.fingerprint, v.column, v.entry,"   \
    "         v.schedule, r.severity, v.instance_key"                                  \
    "    FROM violations v JOIN rules r ON r.id = v.rule"                              \
    "    LEFT JOIN inputs i ON i.id = v.input"                                         \
    "   WHERE (?2 IS NULL OR r.name = ?2) AND (?3 IS NULL OR i.path = ?3)"             \
    "     AND (?4 IS NULL OR v.file = ?4))"
/* After RV_STATE, in the order of the RV_* columns. */
#define COLUMNS                                                                        \
    " run, rule, seq, thread, function, file, line, message, input, fingerprint,"      \
    " id, column, entry, schedule, severity, instance_key"

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
 * as a string.  Fields from index `optional` on are left out when NULL. */
static void put_json_row(sqlite3_stmt *s, const char *const *fields, int first, int n,
                         int optional, bool first_row)
{
    fputs(first_row ? "\n  {" : ",\n  {", stdout);
    for (int i = 0; i < n; i++) {
        int c = first + i;
        if (i >= optional && sqlite3_column_type(s, c) == SQLITE_NULL)
            continue;
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

static const char *text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* "file:line:column" in out, as far as they are known (line and column 0
 * when not), or fallback when there is no file.  Returns out. */
static const char *where(char *out, size_t size, const char *file, long long line,
                         long long column, const char *fallback)
{
    if (!file)
        snprintf(out, size, "%s", fallback);
    else if (line < 1)
        snprintf(out, size, "%s", file);
    else if (column < 1)
        snprintf(out, size, "%s:%lld", file, line);
    else
        snprintf(out, size, "%s:%lld:%lld", file, line, column);
    return out;
}

/* What a listing prints of its statement's rows: the JSON and CSV fields
 * (columns first .. first + nfields - 1; JSON leaves those from index
 * `optional` on out when NULL) and the table, whose cells() fills a row
 * (with any text it makes in buf) and whose `empty` line says nothing
 * matched. */
struct listing {
    const char *const *fields;
    int first, nfields, optional;
    const char *const *headers;
    const bool *numeric;
    int columns;
    void (*cells)(sqlite3_stmt *s, const char **cells, char *buf, size_t size);
    const char *empty;
};

/* Violations (RV_* columns), STATE first; a listing that is not a
 * comparison skips it. */
static const char *const VIOLATION_FIELDS[] = {
    "state", "run", "rule", "seq", "thread", "function", "file", "line", "message", "input",
    "fingerprint", "id", "column", "entry", "schedule",
};
static const char *const VIOLATION_HEADERS[] = {
    "STATE", "RUN", "RULE", "SEQ", "THREAD", "FUNCTION", "LOCATION", "MESSAGE",
};
static const bool VIOLATION_NUMERIC[] = {
    false, true, false, true, false, false, false, false,
};

static void violation_cells(sqlite3_stmt *s, const char **cells, char *buf, size_t size)
{
    const char *row[] = {
        text(s, RV_STATE), text(s, RV_RUN), text(s, RV_RULE), text(s, RV_SEQ),
        text(s, RV_THREAD), text(s, RV_FUNCTION),
        where(buf, size, text(s, RV_FILE), sqlite3_column_int64(s, RV_LINE),
              sqlite3_column_int64(s, RV_COLUMN), "-"),
        text(s, RV_MESSAGE),
    };
    memcpy(cells, row, sizeof row);
}

static const struct listing VIOLATIONS = {
    VIOLATION_FIELDS, RV_STATE, RV_SCHEDULE + 1, RV_COLUMN,
    VIOLATION_HEADERS, VIOLATION_NUMERIC, 8, violation_cells, "(no violations match)",
};

/* Runs: 'running' is shown as 'incomplete' (docs/results-db.md); the
 * function counts are NULL for a run without functions rows. */
static const char RUNS_SQL[] =
    "SELECT r.id, r.started_at, r.finished_at,"
    "       CASE r.status WHEN 'running' THEN 'incomplete' ELSE r.status END,"
    "       r.command_line,"
    "       (SELECT count(*) FROM violations v WHERE v.run = r.id),"
    "       (SELECT sum(f.status = 'analysed') FROM functions f WHERE f.run = r.id),"
    "       (SELECT sum(f.status = 'skipped') FROM functions f WHERE f.run = r.id),"
    "       (SELECT sum(f.status = 'gave-up') FROM functions f WHERE f.run = r.id)"
    "  FROM runs r WHERE (?1 IS NULL OR r.id = ?1) ORDER BY r.id";
static const char *const RUN_FIELDS[] = {
    "id", "started_at", "finished_at", "status", "command_line", "violations",
    "analysed", "skipped", "gave_up",
};
static const char *const RUN_HEADERS[] = {
    "RUN", "STARTED", "FINISHED", "STATUS", "VIOLATIONS", "FUNCTIONS", "COMMAND",
};
static const bool RUN_NUMERIC[] = { true, false, false, false, true, false, false };

/* The FUNCTIONS cell says "12 analysed, 3 skipped, 1 gave up", leaving
 * out counts of 0 but the first; "-" for a run that has none. */
static void run_cells(sqlite3_stmt *s, const char **cells, char *buf, size_t size)
{
    bool counted = sqlite3_column_type(s, 6) != SQLITE_NULL;
    long long skipped = sqlite3_column_int64(s, 7), gave_up = sqlite3_column_int64(s, 8);
    int n = snprintf(buf, size, "%lld analysed", (long long)sqlite3_column_int64(s, 6));
    if (skipped && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", %lld skipped", skipped);
    if (gave_up && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", %lld gave up", gave_up);
    const char *row[] = {
        text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 5),
        counted ? buf : NULL, text(s, 4),
    };
    memcpy(cells, row, sizeof row);
}

static const struct listing RUNS = {
    RUN_FIELDS, 0, 9, 6, RUN_HEADERS, RUN_NUMERIC, 7, run_cells, "(no runs)",
};

/* The functions of source mode: ?1 the run or NULL for all, ?2 the input,
 * ?3 the file. */
static const char FUNCTIONS_SQL[] =
    "SELECT f.run, f.name, f.file, f.line, f.status, f.entry, f.states, f.reason, i.path"
    "  FROM functions f LEFT JOIN inputs i ON i.id = f.input"
    " WHERE (?1 IS NULL OR f.run = ?1) AND (?2 IS NULL OR i.path = ?2)"
    "   AND (?3 IS NULL OR f.file = ?3)"
    " ORDER BY f.run, f.id";
static const char *const FUNCTION_FIELDS[] = {
    "run", "name", "file", "line", "status", "entry", "states", "reason", "input",
};
static const char *const FUNCTION_HEADERS[] = {
    "RUN", "FUNCTION", "LOCATION", "STATUS", "ENTRY", "STATES", "REASON",
};
static const bool FUNCTION_NUMERIC[] = { true, false, false, false, false, true, false };

static void function_cells(sqlite3_stmt *s, const char **cells, char *buf, size_t size)
{
    const char *row[] = {
        text(s, 0), text(s, 1),
        where(buf, size, text(s, 2), sqlite3_column_int64(s, 3), 0, "-"), text(s, 4),
        sqlite3_column_int(s, 5) ? "yes" : "no", text(s, 6), text(s, 7),
    };
    memcpy(cells, row, sizeof row);
}

static const struct listing FUNCTIONS = {
    FUNCTION_FIELDS, 0, 9, 9, FUNCTION_HEADERS, FUNCTION_NUMERIC, 7, function_cells,
    "(no functions match)",
};

/* What cmd_results shows. */
enum mode { LIST_VIOLATIONS, LIST_RUNS, LIST_FUNCTIONS, SHOW_TRACE };

/* Prepare sql, a runs or functions listing, with the run of f as ?1 and,
 * when sql has them, its input and file as ?2 and ?3.  0 or -1. */
static int prepare_listing(struct results *r, const char *sql, const struct results_filter *f,
                           sqlite3_stmt **out)
{
    if (results_prepare(r, sql, out) < 0)
        return -1;
    int rc = bind_run(*out, 1, f->run);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(*out) >= 3) {
        rc = bind_text(*out, 2, f->input);
        if (rc == SQLITE_OK)
            rc = bind_text(*out, 3, f->file);
    }
    if (rc != SQLITE_OK) {
        results_sql_error(r, rc);
        sqlite3_finalize(*out);
        *out = NULL;
        return -1;
    }
    return 0;
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

/* Print the listing of mode (not SHOW_TRACE): the violations f selects (or
 * compares), the runs, or the functions, in the format; a comparison's
 * counts go to *tally.  0, or -1 with the error in r. */
static int list(struct results *r, enum mode mode, const struct results_filter *f,
                enum format format, struct tally *tally)
{
    bool compare = mode == LIST_VIOLATIONS && f->base >= 0;
    sqlite3_stmt *s;
    const char *sql = mode == LIST_RUNS ? RUNS_SQL : FUNCTIONS_SQL;
    if (mode == LIST_VIOLATIONS ? results_violations(r, f, &s) < 0
                                : prepare_listing(r, sql, f, &s) < 0)
        return -1;
    const struct listing *l = mode == LIST_RUNS ? &RUNS
                            : mode == LIST_FUNCTIONS ? &FUNCTIONS : &VIOLATIONS;
    /* only a comparison shows the violations' STATE */
    int skip = mode == LIST_VIOLATIONS && !compare;
    const char *const *fields = l->fields + skip;
    int first = l->first + skip, nfields = l->nfields - skip, optional = l->optional - skip;
    struct table t = {
        .columns = l->columns - skip, .headers = l->headers + skip,
        .numeric = l->numeric + skip,
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
            put_json_row(s, fields, first, nfields, optional, count == 0);
        } else if (format == FORMAT_CSV) {
            put_csv_row(s, first, nfields);
        } else {
            const char *cells[8];
            char buf[4200];
            l->cells(s, cells, buf, sizeof buf);
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
            puts(l->empty);
        if (compare)
            printf("run %" PRId64 " compared with run %" PRId64 ": %lld new, %lld fixed, "
                   "%lld unchanged\n", f->run, f->base, tally->new_, tally->fixed,
                   tally->unchanged);
    }
    table_free(&t);
    sqlite3_finalize(s);
    return status;
}

/* ---- one violation's error trace -------------------------------------------- */

static const char TRACE_SQL[] =
    "SELECT v.file, v.line, v.column, r.severity, v.message, r.name, i.path, v.schedule"
    "  FROM violations v JOIN rules r ON r.id = v.rule"
    "  LEFT JOIN inputs i ON i.id = v.input WHERE v.id = ?1";

/* Print the steps of violation id from statement steps (results_steps_sql):
 * a source step as "FILE:LINE:COL: note: KIND TEXT" (at `place` when it
 * has no file), an entry without text with " at IRQL N", a later step
 * whose IRQL differs from the last one known with " (IRQL N)"; an event as
 * "PLACE: note: event SEQ THREAD entry|exit FUNCTION (irql N)".  Returns
 * the last SQLite code (SQLITE_DONE when all went well). */
static int print_steps(sqlite3_stmt *steps, int64_t id, const char *place)
{
    long long irql = -1;
    int rc = sqlite3_bind_int64(steps, 1, id);
    while (rc == SQLITE_OK && (rc = sqlite3_step(steps)) == SQLITE_ROW) {
        const char *kind = text(steps, RS_KIND);
        bool has_irql = sqlite3_column_type(steps, RS_IRQL) != SQLITE_NULL;
        long long step_irql = sqlite3_column_int64(steps, RS_IRQL);
        if (!kind) {
            const char *thread = text(steps, RS_THREAD), *function = text(steps, RS_FUNCTION);
            printf("%s: note: event %lld %s %s %s", place,
                   (long long)sqlite3_column_int64(steps, RS_SEQ), thread ? thread : "-",
                   text(steps, RS_POINT), function ? function : "-");
            if (has_irql)
                printf(" (irql %lld)", step_irql);
        } else {
            char at[4200], what[4200];
            where(at, sizeof at, text(steps, RS_FILE), sqlite3_column_int64(steps, RS_LINE),
                  sqlite3_column_int64(steps, RS_COLUMN), place);
            results_step_text(what, sizeof what, kind, text(steps, RS_FUNCTION),
                              text(steps, RS_TEXT));
            printf("%s: note: %s", at, what);
            if (has_irql && !text(steps, RS_TEXT) && strcmp(kind, "entry") == 0)
                printf(" at IRQL %lld", step_irql);
            else if (has_irql && irql >= 0 && step_irql != irql)
                printf(" (IRQL %lld)", step_irql);
        }
        if (has_irql)
            irql = step_irql;
        putchar('\n');
        rc = SQLITE_OK;
    }
    return rc;
}

/* Print violation id's error trace: "WHERE: error: MESSAGE [RULE]", the
 * schedule that reached it as a note, then its steps (print_steps), whose
 * place without a file is the input, else the violation's place.  0, or -1
 * with the error in r (also for an id the database does not hold). */
static int show_trace(struct results *r, int64_t id)
{
    sqlite3_stmt *v, *steps = NULL;
    if (results_prepare(r, TRACE_SQL, &v) < 0)
        return -1;
    int status = -1, rc = sqlite3_bind_int64(v, 1, id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(v);
    if (rc == SQLITE_DONE) {
        results_error(r, "%s has no violation %" PRId64 "; 'lockstep results --format json' "
                      "lists them with their ids", r->path, id);
        goto done;
    }
    if (rc == SQLITE_ROW) {
        char at[4200];
        const char *input = text(v, 6), *schedule = text(v, 7);
        where(at, sizeof at, text(v, 0), sqlite3_column_int64(v, 1),
              sqlite3_column_int64(v, 2), input ? input : "lockstep");
        printf("%s: %s: %s [%s]\n", at, results_level(text(v, 3)), text(v, 4), text(v, 5));
        if (schedule)
            printf("%s: note: schedule %s\n", at, schedule);
        if (results_prepare(r, results_steps_sql, &steps) < 0)
            goto done;
        rc = print_steps(steps, id, input ? input : at);
    }
    if (rc == SQLITE_DONE)
        status = 0;
    else
        results_sql_error(r, rc);
done:
    sqlite3_finalize(steps);
    sqlite3_finalize(v);
    return status;
}

/* ---- naming runs ----------------------------------------------------------- */

/* Whether text is a decimal number of 1 to 18 digits (it fits an int64_t). */
static bool decimal(const char *text)
{
    size_t n = strlen(text);
    return n >= 1 && n <= 18 && strspn(text, "0123456789") == n;
}

/* Whether text is a row id: a positive decimal number. */
static bool id_valid(const char *text)
{
    return decimal(text) && strtoll(text, NULL, 10) >= 1;
}

/* Whether spec names a run: a positive id, "last" or "last~N". */
static bool run_spec_valid(const char *spec)
{
    if (strcmp(spec, "last") == 0)
        return true;
    if (strncmp(spec, "last~", 5) == 0)
        return decimal(spec + 5);
    return id_valid(spec);
}

/* Whether spec, given with option, names a run; if not, says so. */
static bool run_spec_ok(const char *option, const char *spec)
{
    if (run_spec_valid(spec))
        return true;
    fprintf(stderr, "lockstep results: error: %s takes a run id (a positive number), 'last' "
                    "or 'last~N', not '%s'\n", option, spec);
    return false;
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

/* Make option (--runs, --functions, --trace or --diff) choose what to show,
 * unless another of them did: true, or false after saying so. */
static bool choose(enum mode *mode, const char **chosen, enum mode to, const char *option)
{
    if (*chosen && strcmp(*chosen, option) != 0) {
        fprintf(stderr, "lockstep results: error: %s and %s exclude each other\n", *chosen,
                option);
        return false;
    }
    *mode = to;
    *chosen = option;
    return true;
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
        { "functions", optional_argument, NULL, 'U' },
        { "trace", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct results r = { 0 };
    struct results_filter f = { .run = -1, .base = -1 };
    enum format format = FORMAT_TABLE;
    enum mode mode = LIST_VIOLATIONS;
    const char *db = "lockstep.db", *run = NULL, *base = NULL, *head = NULL;
    const char *chosen = NULL, *functions_run = NULL;
    int64_t trace_id = 0;

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
            if (!run_spec_ok("--run", run))
                goto usage;
            break;
        case 'D':
            if (base) {
                fprintf(stderr, "lockstep results: error: --diff given twice\n");
                goto usage;
            }
            if (!choose(&mode, &chosen, LIST_VIOLATIONS, "--diff"))
                goto usage;
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
        case 'R':
            if (!choose(&mode, &chosen, LIST_RUNS, "--runs"))
                goto usage;
            break;
        case 'U':
            if (!choose(&mode, &chosen, LIST_FUNCTIONS, "--functions"))
                goto usage;
            functions_run = optarg;
            break;
        case 'T':
            if (!choose(&mode, &chosen, SHOW_TRACE, "--trace"))
                goto usage;
            if (!id_valid(optarg)) {
                fprintf(stderr, "lockstep results: error: --trace takes a violation id (a "
                                "positive number), not '%s'\n", optarg);
                goto usage;
            }
            trace_id = strtoll(optarg, NULL, 10);
            break;
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
        if (run) {
            fprintf(stderr, "lockstep results: error: --diff compares two runs; it does "
                            "not take --run or --last\n");
            goto usage;
        }
    }
    if (mode == LIST_FUNCTIONS) {
        /* --functions RUN: the run may be the one operand */
        if (!functions_run && optind < argc)
            functions_run = argv[optind++];
        if (functions_run) {
            if (run) {
                fprintf(stderr, "lockstep results: error: give the run once: --functions "
                                "RUN or --run RUN\n");
                goto usage;
            }
            if (!run_spec_ok("--functions", functions_run))
                goto usage;
            run = functions_run;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "lockstep results: error: unexpected argument '%s'\n", argv[optind]);
        goto usage;
    }
    if (mode == SHOW_TRACE && (run || f.rule || f.input || f.file || format != FORMAT_TABLE)) {
        fprintf(stderr, "lockstep results: error: --trace prints one violation as text; it "
                        "takes no --run, --last, --rule, --input, --file or --format\n");
        goto usage;
    }
    if (mode == LIST_RUNS && (f.rule || f.input || f.file)) {
        fprintf(stderr, "lockstep results: error: --rule, --input and --file filter "
                        "violations, not --runs\n");
        goto usage;
    }
    if (mode == LIST_FUNCTIONS && f.rule) {
        fprintf(stderr, "lockstep results: error: --rule filters violations, not "
                        "--functions\n");
        goto usage;
    }
    if ((mode == LIST_RUNS || mode == LIST_FUNCTIONS) && format == FORMAT_SARIF) {
        fprintf(stderr, "lockstep results: error: --format sarif writes violations; "
                        "%s lists as table, json or csv\n", chosen);
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
    else if (mode == SHOW_TRACE ? show_trace(&r, trace_id) < 0
             : format == FORMAT_SARIF ? results_sarif(&r, &f, &new_results) < 0
             : list(&r, mode, &f, format, &tally) < 0)
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
