/*
 * cmd_check.c — `lockstep check`: apply the built-in rules to recorded
 * traces (native text format), print each violation with its trail and a
 * summary per rule.  Exit status 0 clean, 1 violations, 2 usage or input
 * error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lockstep/runtime.h>
#include <lockstep/store.h>
#include <lockstep/trace.h>

#include "cli.h"
#include "user_rules.h"

static const char help[] =
    "usage: lockstep check [options] TRACE...\n"
    "\n"
    "Check recorded call traces (native text or binary, docs/trace-format.md and\n"
    "docs/trace-binary.md, or ltrace output, docs/ltrace.md) with the rules\n"
    "built into lockstep, or instead with rules compiled from specs (--spec,\n"
    "--rules; docs/user-rules.md).  TRACE '-' reads standard input.\n"
    "Each violation is printed with the events of its instance that led to it,\n"
    "then a summary per rule.  Results go to a SQLite database\n"
    "(docs/results-db.md).\n"
    "\n"
    "options:\n"
    "  --spec FILE.slic     check with the rule of this spec instead of the built-in\n"
    "                       rules (repeatable); compiled with $CC (default cc) and\n"
    "                       cached in $LOCKSTEP_CACHE (default ~/.cache/lockstep)\n"
    "  --rules DIR          the same for every DIR/*.slic (repeatable)\n"
    "  --rule NAME          check only this rule (repeatable; default: all)\n"
    "  --role ROLE=FUNC     FUNC is the driver routine with role ROLE, so rules\n"
    "                       written for fun_ROLE / sdv_Run* fire on it\n"
    "                       (e.g. --role HW_STARTIO=AhciHwStartIo)\n"
    "  --format FORMAT      native (default: text or binary, as the file's first\n"
    "                       bytes show), text, binary or ltrace\n"
    "  --trail N            events kept per instance for the report (0-32, default 8)\n"
    "  --db PATH            results database (default lockstep.db)\n"
    "  --no-db              do not store the results\n"
    "  --keep-going         report malformed lines and skip them instead of stopping\n"
    "  --quiet              print only the summary\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 no violation, 1 violations found, 2 usage or input error.\n";

enum { DIAGNOSTICS_MAX = 1000 };    /* printed and stored per input          */

typedef int (*trace_reader)(struct ls_runtime *rt, int fd, const char *input,
                            const struct ls_trace_options *opt,
                            struct ls_trace_result *res);

/* The readers --format chooses from, and the input kind each is stored as. */
static const struct {
    const char *name;
    trace_reader read;
    const char *kind;
} formats[] = {
    { "native", ls_trace_read,        "trace"  },
    { "text",   ls_trace_read_text,   "trace"  },
    { "binary", ls_trace_read_binary, "trace"  },
    { "ltrace", ls_trace_read_ltrace, "ltrace" },
};

struct check {
    struct ls_runtime *rt;
    struct ls_store *store;         /* NULL with --no-db                     */
    int64_t run, input_id;          /* store ids                             */
    bool store_failed;              /* a violation could not be stored       */
    const char *input;              /* the trace being read                  */
    unsigned format;                /* index in formats[]                    */
    bool quiet;
    bool progress;                  /* a progress line on a terminal         */
    uint64_t violations;
    uint64_t notices;
    uint64_t diagnostics;           /* of the current input                  */
    double started;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *when_name(int when)
{
    return when == LS_EXIT ? "exit" : "entry";
}

static void on_violation(void *context, const struct ls_violation *v)
{
    struct check *c = context;
    c->violations++;
    if (c->store && !c->store_failed
        && ls_store_add_violation(c->store, c->run, c->input_id, v, c->rt) < 0) {
        fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        c->store_failed = true;
    }
    if (c->quiet)
        return;
    if (c->progress)
        fputs("\r\033[K", stderr);
    const char *thread = ls_runtime_thread_name(c->rt, v->thread);
    if (v->file)
        printf("%s:%u: ", v->file, v->line);
    printf("%s: event %llu (%s): %s: [%s] %s\n", c->input,
           (unsigned long long)v->event->seq, thread, v->module->severity,
           v->module->name, v->message);
    for (uint32_t i = 0; i < v->trail_length; i++) {
        const struct ls_trail_event *t = &v->trail[i];
        char irql[16] = "";         /* user-space programs have no IRQL */
        if (strcmp(formats[c->format].name, "ltrace") != 0)
            snprintf(irql, sizeof irql, " irql %u", t->irql);
        printf("    %s event %llu %s%s %s %s\n", i + 1 == v->trail_length ? "->" : "  ",
               (unsigned long long)t->seq, ls_runtime_thread_name(c->rt, t->thread), irql,
               when_name(t->when), ls_runtime_function_name(c->rt, t->function));
    }
}

static void store_diagnostic(struct check *c, const struct ls_store_diagnostic *d)
{
    if (c->store && !c->store_failed
        && ls_store_add_diagnostic(c->store, c->run, c->input_id, d) < 0) {
        fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        c->store_failed = true;
    }
}

/* Print and store a diagnostic of the current input; only the first DIAGNOSTICS_MAX
 * of an input are printed and stored, so a trace of garbage read with
 * --keep-going cannot flood the terminal or the database.  Returns false
 * when this one is over the limit. */
static bool keep_diagnostic(struct check *c, const struct ls_store_diagnostic *d)
{
    if (++c->diagnostics > DIAGNOSTICS_MAX)
        return false;
    store_diagnostic(c, d);
    if (c->progress)
        fputs("\r\033[K", stderr);
    return true;
}

static void on_notice(void *context, uint32_t thread, uint64_t seq, const char *text)
{
    struct check *c = context;
    struct ls_store_diagnostic d = {
        .severity = "note", .message = text, .offset = -1, .seq = (int64_t)seq,
        .thread = ls_runtime_thread_name(c->rt, thread),
    };
    c->notices++;
    if (keep_diagnostic(c, &d))
        fprintf(stderr, "%s: event %llu: note: %s\n", c->input, (unsigned long long)seq, text);
}

static void on_problem(void *context, const struct ls_trace_problem *p)
{
    struct check *c = context;
    struct ls_store_diagnostic d = {
        .severity = "error", .message = p->message, .line = p->line, .column = p->column,
        .offset = -1, .seq = -1, .text = p->text,
    };
    if (!keep_diagnostic(c, &d))
        return;
    if (p->line)
        fprintf(stderr, "%s:%llu:%u: error: %s (line skipped)\n", p->input,
                (unsigned long long)p->line, p->column, p->message);
    else                            /* a binary record: the message has its offset */
        fprintf(stderr, "%s: error: %s (record skipped)\n", p->input, p->message);
}

/* Say (and store) how many diagnostics of the input were over the limit. */
static void count_dropped_diagnostics(struct check *c)
{
    if (c->diagnostics <= DIAGNOSTICS_MAX)
        return;
    char text[128];
    snprintf(text, sizeof text, "%llu further diagnostics of this input not shown or stored",
             (unsigned long long)(c->diagnostics - DIAGNOSTICS_MAX));
    struct ls_store_diagnostic d = { .severity = "note", .message = text, .offset = -1, .seq = -1 };
    store_diagnostic(c, &d);
    fprintf(stderr, "%s: note: %s\n", c->input, text);
}

static void on_progress(void *context, uint64_t bytes, uint64_t events)
{
    struct check *c = context;
    double t = now_seconds() - c->started;
    if (t <= 0)
        return;
    fprintf(stderr, "\r\033[K%s: %.0f MB, %.0f MB/s, %.1f M events/s", c->input,
            bytes / 1e6, bytes / 1e6 / t, events / 1e6 / t);
}

/* Add the rules of set (NULL-terminated) named in only[] (all when count
 * is 0). */
static int add_rules(struct ls_runtime *rt, const struct ls_rule *const *set,
                     char **only, int count)
{
    if (cli_check_rule_names("check", set, only, count) < 0)
        return -1;
    for (const struct ls_rule *const *r = set; *r; r++) {
        if (cli_rule_named(*r, only, count) && ls_runtime_add_rule(rt, *r) < 0) {
            fprintf(stderr, "lockstep check: error: %s\n", ls_runtime_error(rt));
            return -1;
        }
    }
    return 0;
}

/* Open the results database and record the run and its rules.  Returns 0,
 * or -1 after reporting. */
static int open_store(struct check *c, const char *path, int argc, char **argv)
{
    char err[512];
    c->store = ls_store_open(path, err, sizeof err);
    if (!c->store) {
        fprintf(stderr, "lockstep check: error: %s\n", err);
        return -1;
    }
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *command = malloc(len + 9);
    if (!command) {
        fprintf(stderr, "lockstep check: error: out of memory\n");
        return -1;
    }
    strcpy(command, "lockstep");
    for (int i = 0; i < argc; i++)
        strcat(strcat(command, " "), argv[i]);
    c->run = ls_store_begin_run(c->store, command, LOCKSTEP_VERSION);
    free(command);
    for (uint32_t i = 0; c->run >= 0 && i < ls_runtime_rule_count(c->rt); i++)
        if (ls_store_add_rule(c->store, c->run, ls_runtime_rule(c->rt, i)) < 0)
            c->run = -1;
    if (c->run < 0) {
        fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        return -1;
    }
    return 0;
}

/* Store the per-rule statistics and close the run with the outcome. */
static int finish_store(struct check *c, int status)
{
    bool ok = !c->store_failed;
    for (uint32_t i = 0; ok && i < ls_runtime_rule_count(c->rt); i++)
        ok = ls_store_rule_stats(c->store, c->run, ls_runtime_rule(c->rt, i),
                                 ls_runtime_stats(c->rt, i)) == 0;
    const char *outcome = !ok || status == EXIT_USAGE ? "error"
                        : status == EXIT_VIOLATIONS ? "violations" : "clean";
    if (ls_store_end_run(c->store, c->run, outcome) < 0 || !ok) {
        if (ok)
            fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        return -1;
    }
    return 0;
}

static void print_summary(const struct ls_runtime *rt, double seconds, uint64_t events)
{
    printf("\n%-24s %12s %10s %10s %10s\n", "RULE", "EVENTS", "INSTANCES", "PEAK", "VIOLATIONS");
    for (uint32_t i = 0; i < ls_runtime_rule_count(rt); i++) {
        const struct ls_rule_stats *s = ls_runtime_stats(rt, i);
        printf("%-24s %12llu %10llu %10llu %10llu\n", ls_runtime_rule(rt, i)->name,
               (unsigned long long)s->events, (unsigned long long)s->instances,
               (unsigned long long)s->peak_instances, (unsigned long long)s->violations);
    }
    printf("%llu events in %.2f s\n", (unsigned long long)events, seconds);
}

/* Open a trace for reading ('-' is standard input); -1 after reporting
 * why it cannot be read.  A directory is refused here, before any read. */
static int open_trace(const char *path)
{
    if (strcmp(path, "-") == 0)
        return STDIN_FILENO;
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        fd = -1;
        errno = EISDIR;
    }
    if (fd < 0)
        fprintf(stderr, "lockstep check: error: cannot read '%s': %s\n", path, strerror(errno));
    return fd;
}

/* True when every trace named is there, readable and not a directory, so
 * that a mistyped name is reported before a long run starts rather than
 * after it.  Nothing is opened here: a named pipe opened and closed would
 * lose its writer. */
static bool traces_readable(char **paths, int count)
{
    bool ok = true;
    for (int i = 0; i < count; i++) {
        struct stat sb;
        if (strcmp(paths[i], "-") == 0)
            continue;
        if (stat(paths[i], &sb) == 0) {     /* else errno says why */
            if (!S_ISDIR(sb.st_mode) && access(paths[i], R_OK) == 0)
                continue;
            if (S_ISDIR(sb.st_mode))
                errno = EISDIR;
        }
        fprintf(stderr, "lockstep check: error: cannot read '%s': %s\n", paths[i],
                strerror(errno));
        ok = false;
    }
    return ok;
}

/* Read one trace; returns 0, or -1 after reporting why it stopped. */
static int check_trace(struct check *c, const char *path, const struct ls_trace_options *opt,
                       uint64_t *events)
{
    int fd = open_trace(path);
    if (fd < 0)
        return -1;
    struct ls_trace_result res;
    c->input = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (c->store && (c->input_id = ls_store_add_input(c->store, c->run, c->input,
                                                      formats[c->format].kind)) < 0) {
        fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        c->store_failed = true;
    }
    c->diagnostics = 0;
    int rc = formats[c->format].read(c->rt, fd, c->input, opt, &res);
    if (rc == 0 && res.bytes == 0) {
        snprintf(res.error, sizeof res.error, "%s: empty trace (no header and no events)",
                 c->input);
        rc = -1;
    }
    count_dropped_diagnostics(c);
    if (rc != 0) {
        struct ls_store_diagnostic d = {
            .severity = "error", .message = res.error[0] ? res.error : "reading stopped",
            .offset = -1, .seq = -1,
        };
        store_diagnostic(c, &d);
    }
    if (c->store && !c->store_failed && ls_store_finish_input(c->store, c->input_id, res.events) < 0) {
        fprintf(stderr, "lockstep check: error: %s\n", ls_store_error(c->store));
        c->store_failed = true;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (c->progress)
        fputs("\r\033[K", stderr);
    *events += res.events;
    if (rc != 0)
        fprintf(stderr, "%s: error: %s\n", res.error[0] == '\0' ? c->input : "lockstep check",
                res.error[0] ? res.error : "reading stopped");
    else if (res.malformed)
        fprintf(stderr, "%s: %llu malformed line%s skipped\n", c->input,
                (unsigned long long)res.malformed, res.malformed == 1 ? "" : "s");
    return rc == 0 && res.malformed == 0 ? 0 : -1;
}

int cmd_check(int argc, char **argv)
{
    static const struct option options[] = {
        { "rule", required_argument, NULL, 'r' },
        { "spec", required_argument, NULL, 's' },
        { "rules", required_argument, NULL, 'S' },
        { "role", required_argument, NULL, 'R' },
        { "trail", required_argument, NULL, 't' },
        { "keep-going", no_argument, NULL, 'k' },
        { "format", required_argument, NULL, 'f' },
        { "db", required_argument, NULL, 'd' },
        { "no-db", no_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct check c = { .progress = isatty(STDERR_FILENO) };
    struct user_rules *user = NULL;     /* --spec and --rules, if any     */
    char **only = calloc((size_t)argc + 1, sizeof *only);
    char **roles = calloc((size_t)argc + 1, sizeof *roles);
    int only_count = 0, role_count = 0, status = EXIT_USAGE;
    long trail = 8;
    const char *db = "lockstep.db";
    struct ls_trace_options topt = { 0 };

    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (ch) {
        case 'r': only[only_count++] = optarg; break;
        case 's':
        case 'S':
            if ((!user && !(user = user_rules_new())) || user_rules_add(user, optarg, ch == 'S') < 0) {
                fprintf(stderr, "lockstep check: error: out of memory\n");
                goto out;
            }
            break;
        case 'R':
            if (!strchr(optarg, '=') || optarg[0] == '=' || strchr(optarg, '=')[1] == '\0') {
                fprintf(stderr, "lockstep check: error: --role takes ROLE=FUNCTION, not '%s'\n", optarg);
                goto out;
            }
            roles[role_count++] = optarg;
            break;
        case 't': {
            char *end;
            trail = strtol(optarg, &end, 10);
            if (*end || trail < 0 || trail > LS_TRAIL_MAX) {
                fprintf(stderr, "lockstep check: error: --trail takes a number from 0 to %d\n", LS_TRAIL_MAX);
                goto out;
            }
            break;
        }
        case 'k': topt.keep_going = 1; break;
        case 'f': {
            unsigned n = sizeof formats / sizeof formats[0];
            for (c.format = 0; c.format < n && strcmp(formats[c.format].name, optarg); c.format++)
                ;
            if (c.format == n) {
                fprintf(stderr, "lockstep check: error: --format takes native, text, binary "
                                "or ltrace, not '%s'\n", optarg);
                goto out;
            }
            break;
        }
        case 'd': db = optarg; break;
        case 'n': db = NULL; break;
        case 'q': c.quiet = true; break;
        case 'h':
            fputs(help, stdout);
            status = EXIT_CLEAN;
            goto out;
        default:
            goto usage;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "lockstep check: error: no trace given\n");
        goto usage;
    }

    if (!traces_readable(argv + optind, argc - optind))
        goto out;

    c.rt = ls_runtime_new();
    if (!c.rt) {
        fprintf(stderr, "lockstep check: error: out of memory\n");
        goto out;
    }
    ls_runtime_set_sinks(c.rt, on_violation, on_notice, &c);
    ls_runtime_check_calls(c.rt, 1);        /* an exit without its entry is malformed */
    ls_runtime_set_trail_length(c.rt, (unsigned)trail);
    if (user && user_rules_load(user) < 0)
        goto out;
    if (add_rules(c.rt, user ? user_rules_list(user) : ls_shipped_rules, only, only_count) < 0)
        goto out;
    for (int i = 0; i < role_count; i++) {
        char *eq = strchr(roles[i], '=');
        *eq = '\0';
        if (ls_runtime_map_role(c.rt, roles[i], eq + 1) < 0) {
            fprintf(stderr, "lockstep check: error: %s\n", ls_runtime_error(c.rt));
            goto out;
        }
    }
    if (db && open_store(&c, db, argc, argv) < 0)
        goto out;
    topt.on_problem = on_problem;
    topt.on_progress = c.progress ? on_progress : NULL;
    topt.context = &c;

    uint64_t events = 0;
    bool failed = false;
    c.started = now_seconds();
    cli_catch_interrupts();
    topt.cancel = &cli_interrupted;
    for (int i = optind; i < argc && !cli_interrupted; i++)
        failed |= check_trace(&c, argv[i], &topt, &events) < 0;
    if (cli_interrupted) {
        char text[64];
        snprintf(text, sizeof text, "interrupted by %s", cli_interrupt_name());
        struct ls_store_diagnostic d = { .severity = "error", .message = text,
                                         .offset = -1, .seq = -1 };
        c.input_id = 0;
        store_diagnostic(&c, &d);
        fprintf(stderr, "lockstep check: %s; the run is recorded as 'error'\n", text);
    }
    print_summary(c.rt, now_seconds() - c.started, events);
    status = failed ? EXIT_USAGE : c.violations ? EXIT_VIOLATIONS : EXIT_CLEAN;
    if (c.store && finish_store(&c, status) < 0)
        status = EXIT_USAGE;
    goto out;

usage:
    fputs("Run 'lockstep check --help' for usage.\n", stderr);
out:
    ls_store_close(c.store);
    ls_runtime_free(c.rt);
    user_rules_free(user);              /* after the runtime and store: they use its rules */
    free(only);
    free(roles);
    return status;
}
