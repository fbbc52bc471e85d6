/*
 * cmd_results.c — `lockstep results`: list the runs and violations that
 * `lockstep check` stored in the results database (docs/results-db.md), as
 * an aligned table, JSON or CSV.
 *
 * A thin reader: the database is opened read-only, the schema version is
 * checked, and each listing is one prepared statement whose filters are
 * bound parameters (never text pasted into SQL).  Errors are kept in the
 * struct results handle; only cmd_results prints them and picks the exit
 * status (0 listed, 2 usage or database error).
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

static const char help[] =
    "usage: lockstep results [options]\n"
    "\n"
    "List the violations stored by 'lockstep check' (of every run unless --run\n"
    "or --last is given), or with --runs the runs themselves.  The database is\n"
    "only read, never changed.  A run whose status is 'running' is shown as\n"
    "'incomplete': it was interrupted or is still in progress.\n"
    "\n"
    "options:\n"
    "  --db PATH            results database (default lockstep.db)\n"
    "  --run ID             only this run\n"
    "  --last               only the newest run\n"
    "  --rule NAME          only violations of this rule\n"
    "  --input PATH         only violations found in this input (as given to check)\n"
    "  --file FILE          only violations at this source file\n"
    "  --format FORMAT      table (default), json (an array of objects) or csv\n"
    "                       (RFC 4180, with a header row)\n"
    "  --runs               list runs: id, start, end, status, command, violations\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 listed (even when nothing matched), 2 usage or database error.\n";

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV };

/* The open database and the last error; owned by cmd_results. */
struct results {
    sqlite3 *db;
    const char *path;
    char error[600];
};

static void set_error(struct results *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(struct results *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

/* Record a failed SQLite call. */
static void sql_error(struct results *r, int rc, const char *doing)
{
    ls_store_describe(r->error, sizeof r->error, r->db, rc, r->path, doing);
}

/* Prepare sql into *out; 0 or -1 with the error in r. */
static int prepare(struct results *r, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(r->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) {
        sql_error(r, rc, "reading the database");
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
    if (prepare(r, sql, &s) < 0)
        return -1;
    int rc = param >= 0 ? sqlite3_bind_int64(s, 1, param) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    *is_null = rc != SQLITE_ROW || sqlite3_column_type(s, 0) == SQLITE_NULL;
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sql_error(r, rc, "reading the database");
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

/* One row of the current statement as a JSON object with the given field
 * names: integers as numbers, NULL as null, anything else as a string. */
static void put_json_row(sqlite3_stmt *s, const char *const *fields, int n, bool first)
{
    fputs(first ? "\n  {" : ",\n  {", stdout);
    for (int i = 0; i < n; i++) {
        printf("%s\"%s\": ", i ? ", " : "", fields[i]);
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_NULL:    fputs("null", stdout); break;
        case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(s, i)); break;
        default:             cli_json_string((const char *)sqlite3_column_text(s, i));
        }
    }
    putchar('}');
}

static void put_csv_row(sqlite3_stmt *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            putchar(',');
        put_csv_field((const char *)sqlite3_column_text(s, i));
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

/* What to list; NULL / -1 means no filter. */
struct filter {
    int64_t run;
    const char *rule, *input, *file;
};

/* Violations: columns in the order of the JSON and CSV fields. */
static const char VIOLATIONS_SQL[] =
    "SELECT v.run, r.name, v.seq, v.thread, v.function, v.file, v.line, v.message,"
    "       i.path, v.fingerprint"
    "  FROM violations v JOIN rules r ON r.id = v.rule"
    "  LEFT JOIN inputs i ON i.id = v.input"
    " WHERE (?1 IS NULL OR v.run = ?1) AND (?2 IS NULL OR r.name = ?2)"
    "   AND (?3 IS NULL OR i.path = ?3) AND (?4 IS NULL OR v.file = ?4)"
    " ORDER BY v.run, v.id";
static const char *const VIOLATION_FIELDS[] = {
    "run", "rule", "seq", "thread", "function", "file", "line", "message", "input",
    "fingerprint",
};
static const char *const VIOLATION_HEADERS[] = {
    "RUN", "RULE", "SEQ", "THREAD", "FUNCTION", "LOCATION", "MESSAGE",
};
static const bool VIOLATION_NUMERIC[] = { true, false, true, false, false, false, false };

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

/* The table cells of the current row of a violations or runs statement. */
static void violation_cells(sqlite3_stmt *s, const char **cells, char *location, size_t size)
{
    if (text(s, 5) && sqlite3_column_type(s, 6) != SQLITE_NULL)
        snprintf(location, size, "%s:%lld", text(s, 5), (long long)sqlite3_column_int64(s, 6));
    else
        snprintf(location, size, "%s", text(s, 5) ? text(s, 5) : "-");
    const char *row[] = { text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4),
                          location, text(s, 7) };
    memcpy(cells, row, sizeof row);
}

static void run_cells(sqlite3_stmt *s, const char **cells)
{
    const char *row[] = { text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 5),
                          text(s, 4) };
    memcpy(cells, row, sizeof row);
}

static int bind_text(sqlite3_stmt *s, int i, const char *value)
{
    return value ? sqlite3_bind_text(s, i, value, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* Print the runs (runs true) or the violations matching f in the format.
 * 0, or -1 with the error in r. */
static int list(struct results *r, bool runs, const struct filter *f, enum format format)
{
    sqlite3_stmt *s;
    if (prepare(r, runs ? RUNS_SQL : VIOLATIONS_SQL, &s) < 0)
        return -1;
    int rc = f->run >= 0 ? sqlite3_bind_int64(s, 1, f->run) : sqlite3_bind_null(s, 1);
    if (!runs) {
        if (rc == SQLITE_OK) rc = bind_text(s, 2, f->rule);
        if (rc == SQLITE_OK) rc = bind_text(s, 3, f->input);
        if (rc == SQLITE_OK) rc = bind_text(s, 4, f->file);
    }
    if (rc != SQLITE_OK) {
        sql_error(r, rc, "reading the database");
        sqlite3_finalize(s);
        return -1;
    }
    const char *const *fields = runs ? RUN_FIELDS : VIOLATION_FIELDS;
    int nfields = runs ? 6 : 10;
    struct table t = {
        .columns = runs ? 6 : 7,
        .headers = runs ? RUN_HEADERS : VIOLATION_HEADERS,
        .numeric = runs ? RUN_NUMERIC : VIOLATION_NUMERIC,
    };
    if (format == FORMAT_JSON)
        putchar('[');
    if (format == FORMAT_CSV) {
        for (int i = 0; i < nfields; i++)
            printf("%s%s", i ? "," : "", fields[i]);
        fputs("\r\n", stdout);
    }
    int status = 0;
    size_t count = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (format == FORMAT_JSON) {
            put_json_row(s, fields, nfields, count == 0);
        } else if (format == FORMAT_CSV) {
            put_csv_row(s, nfields);
        } else {
            const char *cells[7];
            char location[4200];
            if (runs)
                run_cells(s, cells);
            else
                violation_cells(s, cells, location, sizeof location);
            if (table_add(&t, cells) < 0) {
                set_error(r, "out of memory");
                status = -1;
                break;
            }
        }
        count++;
    }
    if (status == 0 && rc != SQLITE_DONE) {
        sql_error(r, rc, "reading the database");
        status = -1;
    }
    if (format == FORMAT_JSON)
        fputs(count ? "\n]\n" : "]\n", stdout);
    if (format == FORMAT_TABLE && status == 0)
        table_print(&t);
    table_free(&t);
    sqlite3_finalize(s);
    return status;
}

/* Resolve --last to the newest run id and check that a --run id exists.
 * 0 or -1 with the error in r. */
static int resolve_run(struct results *r, struct filter *f, bool last)
{
    int64_t id;
    bool none;
    if (last) {
        if (query_int(r, "SELECT max(id) FROM runs", -1, &id, &none) < 0)
            return -1;
        if (none) {
            set_error(r, "%s holds no runs yet", r->path);
            return -1;
        }
        f->run = id;
    } else if (f->run >= 0) {
        if (query_int(r, "SELECT id FROM runs WHERE id = ?1", f->run, &id, &none) < 0)
            return -1;
        if (none) {
            set_error(r, "%s has no run %" PRId64 "; 'lockstep results --runs' lists them",
                      r->path, f->run);
            return -1;
        }
    }
    return 0;
}

int cmd_results(int argc, char **argv)
{
    static const struct option options[] = {
        { "db", required_argument, NULL, 'd' },
        { "run", required_argument, NULL, 'n' },
        { "last", no_argument, NULL, 'l' },
        { "rule", required_argument, NULL, 'r' },
        { "input", required_argument, NULL, 'i' },
        { "file", required_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "runs", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct results r = { 0 };
    struct filter f = { .run = -1 };
    enum format format = FORMAT_TABLE;
    const char *db = "lockstep.db";
    bool last = false, runs = false;

    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (ch) {
        case 'd': db = optarg; break;
        case 'n': {
            char *end;
            errno = 0;
            long long id = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end || errno || id < 1) {
                fprintf(stderr, "lockstep results: error: --run takes a run id (a positive "
                                "number), not '%s'\n", optarg);
                goto usage;
            }
            f.run = id;
            break;
        }
        case 'l': last = true; break;
        case 'r': f.rule = optarg; break;
        case 'i': f.input = optarg; break;
        case 'f': f.file = optarg; break;
        case 'F':
            if (strcmp(optarg, "table") == 0) format = FORMAT_TABLE;
            else if (strcmp(optarg, "json") == 0) format = FORMAT_JSON;
            else if (strcmp(optarg, "csv") == 0) format = FORMAT_CSV;
            else {
                fprintf(stderr, "lockstep results: error: unknown --format '%s' "
                                "(expected table, json or csv)\n", optarg);
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
    if (optind < argc) {
        fprintf(stderr, "lockstep results: error: unexpected argument '%s'\n", argv[optind]);
        goto usage;
    }
    if (last && f.run >= 0) {
        fprintf(stderr, "lockstep results: error: --run and --last exclude each other\n");
        goto usage;
    }
    if (runs && (f.rule || f.input || f.file)) {
        fprintf(stderr, "lockstep results: error: --rule, --input and --file filter "
                        "violations, not --runs\n");
        goto usage;
    }

    int status = EXIT_CLEAN;
    if (open_results(&r, db) < 0 || resolve_run(&r, &f, last) < 0
        || list(&r, runs, &f, format) < 0)
        status = EXIT_USAGE;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (status == EXIT_CLEAN)
            set_error(&r, "writing the listing: %s", strerror(errno));
        status = EXIT_USAGE;
    }
    if (status != EXIT_CLEAN)
        fprintf(stderr, "lockstep results: error: %s\n", r.error);
    sqlite3_close(r.db);
    return status;

usage:
    fputs("Run 'lockstep results --help' for usage.\n", stderr);
    return EXIT_USAGE;
}
