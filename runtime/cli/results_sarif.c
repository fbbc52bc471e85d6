/*
 * results_sarif.c — `lockstep results --format sarif`: the selected
 * violations as a SARIF 2.1.0 log (the OASIS standard), for code-scanning
 * services and SARIF viewers.  The mapping, field by field, is in
 * docs/results-db.md ("SARIF"); keep the two in step.
 *
 * One SARIF run object per lockstep run: the tool with the rules the run
 * applied, the invocation (command line, times, status, and the run's
 * diagnostics as notifications) and one result per violation, with the
 * violation's error trace (a trail of events, or a path through source
 * code) as a code flow.  A comparison
 * (--diff A B) is one run object for B: B's violations with baselineState
 * "new" or "unchanged", and A's fixed ones as "absent".
 *
 * The output depends only on the database (no clock, no GUIDs; everything
 * in id or name order), so the same database gives the same bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"
#include "results.h"

#define SARIF_SCHEMA \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* Key of our fingerprint in result.partialFingerprints (SARIF §3.27.17:
 * a name plus a version, bumped if the fingerprint's definition changes). */
#define FINGERPRINT_KEY "lockstep/v1"

/* The runs to write: ?1 one run, or NULL for all. */
static const char RUNS_SQL[] =
    "SELECT id, started_at, finished_at, status, command_line, tool_version"
    "  FROM runs WHERE ?1 IS NULL OR id = ?1 ORDER BY id";

/* The rules of runs ?1 and ?2 (the same run unless comparing): those the
 * runs applied and any their violations name, one per name (the newest
 * spec version), in name order. */
static const char RULES_SQL[] =
    "SELECT name, severity, summary, model, spec_path, spec_sha256, help"
    "  FROM rules WHERE id IN ("
    "       SELECT max(id) FROM rules WHERE id IN ("
    "              SELECT rule FROM run_rules WHERE run IN (?1, ?2)"
    "              UNION SELECT rule FROM violations WHERE run IN (?1, ?2))"
    "        GROUP BY name)"
    " ORDER BY name";

/* What run ?1 reported besides violations. */
static const char DIAGNOSTICS_SQL[] =
    "SELECT d.severity, d.message, i.path, d.line, d.column, d.offset, d.seq, d.thread,"
    "       d.text"
    "  FROM diagnostics d LEFT JOIN inputs i ON i.id = d.input"
    " WHERE d.run = ?1 ORDER BY d.id";

/* The writer's state: statements prepared once, the rule names of the run
 * being written (sorted, for ruleIndex), the comparison's count. */
struct sarif {
    struct results *r;
    const struct results_filter *f;
    struct cli_json w;
    sqlite3_stmt *runs, *rules, *steps, *violations, *diagnostics;
    char **rule_names;              /* owned, rule_count of them, sorted     */
    size_t rule_count;
    long long new_results;
};

/* One step of an error trace, copied out of the steps statement: an event
 * of a trail, or with a kind a step of a source path. */
struct step {
    long long number, seq, irql, line, column;  /* line, column: 0 unknown */
    bool has_irql, exit;
    char *thread, *function;        /* owned; NULL when unknown              */
    char *file, *kind, *text;       /* owned; NULL when unknown or an event  */
};

static const char *text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static bool is_null(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL;
}

/* ---- small writers --------------------------------------------------------- */

static void member_str(struct cli_json *w, const char *key, const char *value)
{
    cli_json_key(w, key);
    cli_json_str(w, value);
}

static void member_int(struct cli_json *w, const char *key, long long value)
{
    cli_json_key(w, key);
    cli_json_int(w, value);
}

/* "key": {"text": value} — a SARIF message or multiformatMessageString. */
static void member_text(struct cli_json *w, const char *key, const char *value)
{
    cli_json_key(w, key);
    cli_json_open(w, '{');
    member_str(w, "text", value);
    cli_json_close(w);
}

/* A file name as a URI reference (RFC 3986), so that any name survives:
 * bytes other than unreserved characters and '/' are percent-encoded, and
 * an absolute path becomes a file: URI.  Returns a malloc'd string or NULL. */
static char *file_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    char *uri = malloc(strlen(path) * 3 + sizeof "file://");
    if (!uri)
        return NULL;
    char *o = uri;
    if (path[0] == '/')
        o += sprintf(o, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return uri;
}

/* "physicalLocation": file (as a URI) and a region when there is one: line
 * (and column) when line >= 1, else the byte offset when offset >= 0.
 * 0 or -1 (out of memory). */
static int physical_region(struct sarif *x, const char *file, long long line,
                           long long column, long long offset)
{
    char *uri = file_uri(file);
    if (!uri) {
        results_error(x->r, "out of memory");
        return -1;
    }
    struct cli_json *w = &x->w;
    cli_json_key(w, "physicalLocation");
    cli_json_open(w, '{');
    cli_json_key(w, "artifactLocation");
    cli_json_open(w, '{');
    member_str(w, "uri", uri);
    cli_json_close(w);
    if (line >= 1 || offset >= 0) {
        cli_json_key(w, "region");
        cli_json_open(w, '{');
        if (line >= 1) {
            member_int(w, "startLine", line);
            if (column >= 1)
                member_int(w, "startColumn", column);
        } else {
            member_int(w, "byteOffset", offset);
        }
        cli_json_close(w);
    }
    cli_json_close(w);
    free(uri);
    return 0;
}

/* The "physicalLocation" of the violation in the current row of v (which
 * has a file).  0 or -1. */
static int violation_location(struct sarif *x, sqlite3_stmt *v)
{
    return physical_region(x, text(v, RV_FILE), sqlite3_column_int64(v, RV_LINE),
                           sqlite3_column_int64(v, RV_COLUMN), -1);
}

/* "logicalLocations": [the function], when it is known. */
static void logical_locations(struct cli_json *w, const char *function)
{
    if (!function)
        return;
    cli_json_key(w, "logicalLocations");
    cli_json_open(w, '[');
    cli_json_open(w, '{');
    member_str(w, "name", function);
    member_str(w, "kind", "function");
    cli_json_close(w);
    cli_json_close(w);
}

/* ---- the rules ------------------------------------------------------------- */

static void free_rule_names(struct sarif *x)
{
    for (size_t i = 0; i < x->rule_count; i++)
        free(x->rule_names[i]);
    free(x->rule_names);
    x->rule_names = NULL;
    x->rule_count = 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of rule name in the rules array written last, or -1. */
static long long rule_index(const struct sarif *x, const char *name)
{
    if (!name || x->rule_count == 0)
        return -1;
    char **hit = bsearch(&name, x->rule_names, x->rule_count, sizeof *x->rule_names,
                         compare_names);
    return hit ? hit - x->rule_names : -1;
}

/* One reportingDescriptor from the current row of the rules statement. */
static void rule_descriptor(struct cli_json *w, sqlite3_stmt *s)
{
    const char *name = text(s, 0), *summary = text(s, 2), *help = text(s, 6);
    bool has_summary = summary && *summary, has_help = help && *help;
    cli_json_open(w, '{');
    member_str(w, "id", name);      /* no "name": SARIF wants it to differ from id */
    if (has_summary) {
        member_text(w, "shortDescription", summary);
        member_text(w, "fullDescription", summary);
    }
    if (has_help && strstr(help, "://"))
        member_str(w, "helpUri", help);
    if (has_summary || has_help) {
        /* the summary, then where to read more */
        size_t size = (has_summary ? strlen(summary) : 0) + (has_help ? strlen(help) : 0) + 32;
        char *help_text = malloc(size);
        if (help_text) {
            snprintf(help_text, size, "%s%s%s%s", has_summary ? summary : "",
                     has_summary && has_help ? " " : "", has_help ? "Documentation: " : "",
                     has_help ? help : "");
            member_text(w, "help", help_text);
            free(help_text);
        }
    }
    cli_json_key(w, "defaultConfiguration");
    cli_json_open(w, '{');
    member_str(w, "level", results_level(text(s, 1)));
    cli_json_close(w);
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    if (!is_null(s, 3))
        member_str(w, "model", text(s, 3));
    if (!is_null(s, 1))
        member_str(w, "severity", text(s, 1));
    if (!is_null(s, 4))
        member_str(w, "specPath", text(s, 4));
    if (text(s, 5) && *text(s, 5))
        member_str(w, "specSha256", text(s, 5));
    cli_json_close(w);
    cli_json_close(w);
}

/* "rules": the rules of run (and of base when comparing), remembering their
 * names for ruleIndex.  0 or -1. */
static int write_rules(struct sarif *x, int64_t run, int64_t base)
{
    sqlite3_stmt *s = x->rules;
    free_rule_names(x);
    sqlite3_reset(s);
    int rc = sqlite3_bind_int64(s, 1, run);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 2, base >= 0 ? base : run);
    if (rc != SQLITE_OK) {
        results_sql_error(x->r, rc);
        return -1;
    }
    size_t capacity = 0;
    cli_json_key(&x->w, "rules");
    cli_json_open(&x->w, '[');
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (x->rule_count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            char **more = realloc(x->rule_names, capacity * sizeof *more);
            if (!more) {
                results_error(x->r, "out of memory");
                return -1;
            }
            x->rule_names = more;
        }
        char *name = strdup(text(s, 0));
        if (!name) {
            results_error(x->r, "out of memory");
            return -1;
        }
        x->rule_names[x->rule_count++] = name;
        rule_descriptor(&x->w, s);
    }
    if (rc != SQLITE_DONE) {
        results_sql_error(x->r, rc);
        return -1;
    }
    cli_json_close(&x->w);
    return 0;
}

/* ---- a result's code flow -------------------------------------------------- */

static void free_steps(struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(steps[i].thread);
        free(steps[i].function);
        free(steps[i].file);
        free(steps[i].kind);
        free(steps[i].text);
    }
    free(steps);
}

/* A copy of column i of s in *out (NULL for NULL); false when out of memory. */
static bool copy_text(sqlite3_stmt *s, int i, char **out)
{
    *out = text(s, i) ? strdup(text(s, i)) : NULL;
    return *out || !text(s, i);
}

/* Read the trail of violation id into *out (*count steps; *out NULL when
 * there are none).  0 or -1. */
static int read_steps(struct sarif *x, int64_t id, struct step **out, size_t *count)
{
    sqlite3_stmt *s = x->steps;
    struct step *steps = NULL;
    size_t n = 0, capacity = 0;
    *out = NULL;
    *count = 0;
    sqlite3_reset(s);
    int rc = sqlite3_bind_int64(s, 1, id);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            struct step *more = realloc(steps, capacity * sizeof *more);
            if (!more)
                goto oom;
            steps = more;
        }
        struct step *t = &steps[n++];
        *t = (struct step){
            .number = sqlite3_column_int64(s, RS_STEP),
            .seq = sqlite3_column_int64(s, RS_SEQ),
            .irql = sqlite3_column_int64(s, RS_IRQL),
            .line = sqlite3_column_int64(s, RS_LINE),
            .column = sqlite3_column_int64(s, RS_COLUMN),
            .has_irql = !is_null(s, RS_IRQL),
            .exit = text(s, RS_POINT) && strcmp(text(s, RS_POINT), "exit") == 0,
        };
        if (!copy_text(s, RS_THREAD, &t->thread) || !copy_text(s, RS_FUNCTION, &t->function) ||
            !copy_text(s, RS_FILE, &t->file) || !copy_text(s, RS_KIND, &t->kind) ||
            !copy_text(s, RS_TEXT, &t->text))
            goto oom;
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        results_sql_error(x->r, rc);
        free_steps(steps, n);
        return -1;
    }
    *out = steps;
    *count = n;
    return 0;
oom:
    results_error(x->r, "out of memory");
    free_steps(steps, n);
    return -1;
}

static bool same_thread(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The SARIF threadFlowLocation kind of a step: an event is a call (entry)
 * or a return (exit); a source step's kind is SARIF's own word but for
 * entry (of the entry point: "enter") and event (a call the rule sees). */
static const char *flow_kind(const struct step *t)
{
    if (!t->kind)
        return t->exit ? "return" : "call";
    if (strcmp(t->kind, "entry") == 0)
        return "enter";
    return strcmp(t->kind, "event") == 0 ? "call" : t->kind;
}

/* One threadFlowLocation: the step, its thread, function, entry or exit
 * (or kind) and IRQL.  A source step has its own source location; the
 * triggering event of a trail (seq of the violation) gets the violation's.
 * 0 or -1. */
static int thread_flow_location(struct sarif *x, const struct step *t, sqlite3_stmt *v)
{
    struct cli_json *w = &x->w;
    char message[4200], irql[24] = "";
    if (t->kind) {
        results_step_text(message, sizeof message, t->kind, t->function, t->text);
    } else {
        if (t->has_irql)
            snprintf(irql, sizeof irql, " at IRQL %lld", t->irql);
        snprintf(message, sizeof message, "%s of %s%s (event %lld%s%s).",
                 t->exit ? "Exit" : "Entry", t->function ? t->function : "an unknown function",
                 irql, t->seq, t->thread ? " on " : "", t->thread ? t->thread : "");
    }
    cli_json_open(w, '{');
    cli_json_key(w, "location");
    cli_json_open(w, '{');
    int located = 0;
    if (t->file)
        located = physical_region(x, t->file, t->line, t->column, -1);
    else if (!t->kind && t->seq == sqlite3_column_int64(v, RV_SEQ) && text(v, RV_FILE))
        located = violation_location(x, v);
    if (located < 0)
        return -1;
    logical_locations(w, t->function);
    member_text(w, "message", message);
    cli_json_close(w);
    cli_json_key(w, "kinds");
    cli_json_open(w, '[');
    cli_json_str(w, flow_kind(t));
    cli_json_close(w);
    if (t->has_irql) {
        snprintf(irql, sizeof irql, "%lld", t->irql);
        cli_json_key(w, "state");
        cli_json_open(w, '{');
        member_text(w, "IRQL", irql);
        cli_json_close(w);
    }
    member_int(w, "executionOrder", t->number);
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    member_int(w, "seq", t->seq);
    if (t->thread)
        member_str(w, "thread", t->thread);
    member_str(w, "point", t->kind ? t->kind : t->exit ? "exit" : "entry");
    if (t->has_irql)
        member_int(w, "irql", t->irql);
    cli_json_close(w);
    cli_json_close(w);
    return 0;
}

/* "codeFlows": the error trace of the violation in the current row of v,
 * one threadFlow per thread (in order of first appearance; a source path
 * has one, without id), executionOrder giving the order across threads.
 * Nothing when the trace is empty.  0 or -1. */
static int code_flows(struct sarif *x, sqlite3_stmt *v)
{
    struct step *steps;
    size_t n;
    if (read_steps(x, sqlite3_column_int64(v, RV_ID), &steps, &n) < 0)
        return -1;
    if (n == 0)
        return 0;
    struct cli_json *w = &x->w;
    int status = 0;
    cli_json_key(w, "codeFlows");
    cli_json_open(w, '[');
    cli_json_open(w, '{');
    if (text(v, RV_ENTRY)) {
        char message[4200];
        snprintf(message, sizeof message, "The path from entry point %s to the violation, "
                 "step by step; the last step triggered it.", text(v, RV_ENTRY));
        member_text(w, "message", message);
    } else {
        member_text(w, "message", "The events of the rule instance that led to the "
                                  "violation, oldest first; the last one triggered it.");
    }
    cli_json_key(w, "threadFlows");
    cli_json_open(w, '[');
    for (size_t i = 0; i < n && status == 0; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_thread(steps[j].thread, steps[i].thread);
        if (seen)
            continue;
        cli_json_open(w, '{');
        if (steps[i].thread)
            member_str(w, "id", steps[i].thread);
        cli_json_key(w, "locations");
        cli_json_open(w, '[');
        for (size_t j = i; j < n && status == 0; j++)
            if (same_thread(steps[j].thread, steps[i].thread))
                status = thread_flow_location(x, &steps[j], v);
        cli_json_close(w);
        cli_json_close(w);
    }
    cli_json_close(w);
    cli_json_close(w);
    cli_json_close(w);
    free_steps(steps, n);
    return status;
}

/* ---- results --------------------------------------------------------------- */

/* One result from the current row of the violations statement v.
 * 0 or -1. */
static int result(struct sarif *x, sqlite3_stmt *v)
{
    struct cli_json *w = &x->w;
    const char *rule = text(v, RV_RULE), *message = text(v, RV_MESSAGE);
    const char *state = text(v, RV_STATE);
    long long index = rule_index(x, rule);
    cli_json_open(w, '{');
    member_str(w, "ruleId", rule);
    if (index >= 0)
        member_int(w, "ruleIndex", index);
    member_str(w, "level", results_level(text(v, RV_SEVERITY)));
    member_text(w, "message", message && *message ? message : "The rule was violated.");
    cli_json_key(w, "locations");
    cli_json_open(w, '[');
    cli_json_open(w, '{');
    if (text(v, RV_FILE) && violation_location(x, v) < 0)
        return -1;
    logical_locations(w, text(v, RV_FUNCTION));
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    if (text(v, RV_INPUT))
        member_str(w, "input", text(v, RV_INPUT));
    member_int(w, "seq", sqlite3_column_int64(v, RV_SEQ));
    if (text(v, RV_THREAD))
        member_str(w, "thread", text(v, RV_THREAD));
    cli_json_close(w);
    cli_json_close(w);
    cli_json_close(w);
    cli_json_key(w, "partialFingerprints");
    cli_json_open(w, '{');
    member_str(w, FINGERPRINT_KEY, text(v, RV_FINGERPRINT));
    cli_json_close(w);
    if (code_flows(x, v) < 0)
        return -1;
    if (state) {
        bool new_ = strcmp(state, "new") == 0;
        member_str(w, "baselineState", new_ ? "new" : strcmp(state, "fixed") == 0
                                                         ? "absent" : "unchanged");
        x->new_results += new_;
    }
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    member_int(w, "run", sqlite3_column_int64(v, RV_RUN));
    if (text(v, RV_INSTANCE_KEY))
        member_str(w, "instanceKey", text(v, RV_INSTANCE_KEY));
    if (text(v, RV_ENTRY))
        member_str(w, "entry", text(v, RV_ENTRY));
    if (text(v, RV_SCHEDULE))
        member_str(w, "schedule", text(v, RV_SCHEDULE));
    cli_json_close(w);
    cli_json_close(w);
    return 0;
}

/* "results": every row of the violations statement, listing only run
 * unless comparing.  0 or -1. */
static int write_results(struct sarif *x, int64_t run)
{
    sqlite3_stmt *v = x->violations;
    sqlite3_reset(v);
    if (x->f->base < 0) {
        int rc = sqlite3_bind_int64(v, RESULTS_PARAM_RUN, run);
        if (rc != SQLITE_OK) {
            results_sql_error(x->r, rc);
            return -1;
        }
    }
    cli_json_key(&x->w, "results");
    cli_json_open(&x->w, '[');
    int rc;
    while ((rc = sqlite3_step(v)) == SQLITE_ROW)
        if (result(x, v) < 0)
            return -1;
    if (rc != SQLITE_DONE) {
        results_sql_error(x->r, rc);
        return -1;
    }
    cli_json_close(&x->w);
    return 0;
}

/* ---- runs ------------------------------------------------------------------ */

/* One notification from the current row of the diagnostics statement:
 * its severity, text, place in the input and event.  0 or -1. */
static int notification(struct sarif *x, sqlite3_stmt *d)
{
    struct cli_json *w = &x->w;
    const char *input = text(d, 2);
    cli_json_open(w, '{');
    member_str(w, "level", results_level(text(d, 0)));
    member_text(w, "message", text(d, 1));
    if (input) {
        cli_json_key(w, "locations");
        cli_json_open(w, '[');
        cli_json_open(w, '{');
        if (physical_region(x, input, is_null(d, 3) ? 0 : sqlite3_column_int64(d, 3),
                            is_null(d, 4) ? 0 : sqlite3_column_int64(d, 4),
                            is_null(d, 5) ? -1 : sqlite3_column_int64(d, 5)) < 0)
            return -1;
        cli_json_close(w);
        cli_json_close(w);
    }
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    if (input)
        member_str(w, "input", input);
    if (!is_null(d, 6))
        member_int(w, "seq", sqlite3_column_int64(d, 6));
    if (text(d, 7))
        member_str(w, "thread", text(d, 7));
    if (text(d, 8))
        member_str(w, "text", text(d, 8));
    cli_json_close(w);
    cli_json_close(w);
    return 0;
}

/* "toolExecutionNotifications": a warning when the run never finished,
 * then what it stored in diagnostics, when there is anything.  0 or -1. */
static int notifications(struct sarif *x, int64_t run, bool running)
{
    struct cli_json *w = &x->w;
    sqlite3_stmt *d = x->diagnostics;
    bool open = false;
    sqlite3_reset(d);
    int rc = sqlite3_bind_int64(d, 1, run);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(d);
    if (running || rc == SQLITE_ROW) {
        cli_json_key(w, "toolExecutionNotifications");
        cli_json_open(w, '[');
        open = true;
    }
    if (running) {
        cli_json_open(w, '{');
        member_str(w, "level", "warning");
        member_text(w, "message", "The run did not finish (it was interrupted or is still "
                                  "running): its results may be incomplete.");
        cli_json_close(w);
    }
    for (; rc == SQLITE_ROW; rc = sqlite3_step(d))
        if (notification(x, d) < 0)
            return -1;
    if (rc != SQLITE_DONE) {
        results_sql_error(x->r, rc);
        return -1;
    }
    if (open)
        cli_json_close(w);
    return 0;
}

/* "invocations": how the current row of the runs statement ran.  A run that
 * never finished or failed is not executionSuccessful.  0 or -1. */
static int invocation(struct sarif *x, int64_t run)
{
    struct cli_json *w = &x->w;
    sqlite3_stmt *s = x->runs;
    const char *status = text(s, 3);
    bool running = strcmp(status, "running") == 0;
    cli_json_key(w, "invocations");
    cli_json_open(w, '[');
    cli_json_open(w, '{');
    if (text(s, 4))
        member_str(w, "commandLine", text(s, 4));
    member_str(w, "startTimeUtc", text(s, 1));
    if (text(s, 2))
        member_str(w, "endTimeUtc", text(s, 2));
    cli_json_key(w, "executionSuccessful");
    cli_json_bool(w, strcmp(status, "clean") == 0 || strcmp(status, "violations") == 0);
    if (notifications(x, run, running) < 0)
        return -1;
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    member_str(w, "status", running ? "incomplete" : status);
    cli_json_close(w);
    cli_json_close(w);
    cli_json_close(w);
    return 0;
}

/* One SARIF run object for the current row of the runs statement.  0 or -1. */
static int write_run(struct sarif *x)
{
    struct cli_json *w = &x->w;
    sqlite3_stmt *s = x->runs;
    int64_t run = sqlite3_column_int64(s, 0);
    cli_json_open(w, '{');
    cli_json_key(w, "tool");
    cli_json_open(w, '{');
    cli_json_key(w, "driver");
    cli_json_open(w, '{');
    member_str(w, "name", "lockstep");
    if (text(s, 5))
        member_str(w, "version", text(s, 5));
    if (write_rules(x, run, x->f->base) < 0)
        return -1;
    cli_json_close(w);
    cli_json_close(w);
    if (invocation(x, run) < 0 || write_results(x, run) < 0)
        return -1;
    cli_json_key(w, "properties");
    cli_json_open(w, '{');
    member_int(w, "run", run);
    if (x->f->base >= 0)
        member_int(w, "baselineRun", x->f->base);
    cli_json_close(w);
    cli_json_close(w);
    return 0;
}

int results_sarif(struct results *r, const struct results_filter *f, long long *new_results)
{
    struct sarif x = { .r = r, .f = f };
    int status = -1, rc;
    if (results_prepare(r, RUNS_SQL, &x.runs) < 0 ||
        results_prepare(r, RULES_SQL, &x.rules) < 0 ||
        results_prepare(r, results_steps_sql, &x.steps) < 0 ||
        results_prepare(r, DIAGNOSTICS_SQL, &x.diagnostics) < 0 ||
        results_violations(r, f, &x.violations) < 0)
        goto done;
    rc = f->run >= 0 ? sqlite3_bind_int64(x.runs, 1, f->run) : sqlite3_bind_null(x.runs, 1);
    if (rc != SQLITE_OK) {
        results_sql_error(r, rc);
        goto done;
    }

    cli_json_open(&x.w, '{');
    member_str(&x.w, "$schema", SARIF_SCHEMA);
    member_str(&x.w, "version", "2.1.0");
    cli_json_key(&x.w, "runs");
    cli_json_open(&x.w, '[');
    while ((rc = sqlite3_step(x.runs)) == SQLITE_ROW)
        if (write_run(&x) < 0)
            goto done;
    if (rc != SQLITE_DONE) {
        results_sql_error(r, rc);
        goto done;
    }
    cli_json_close(&x.w);
    cli_json_close(&x.w);
    *new_results = x.new_results;
    status = 0;
done:
    free_rule_names(&x);
    sqlite3_finalize(x.runs);
    sqlite3_finalize(x.rules);
    sqlite3_finalize(x.steps);
    sqlite3_finalize(x.violations);
    sqlite3_finalize(x.diagnostics);
    return status;
}
