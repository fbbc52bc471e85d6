/*
 * cmd_sim.c — `lockstep sim`: build a driver against the kernel model,
 * run its entry points under many schedules (random from a seed, or every
 * one up to a depth), each in a child process, with the rules attached;
 * print and store each distinct violation with the schedule that reached
 * it, and what the model found besides (hangs, bug checks, crashes,
 * timeouts, wild writes).  `--replay ID` re-runs the schedule stored with
 * a violation.  Exit status 0 clean, 1 violations or findings, 2 usage or
 * input error.  docs/simulation.md has the design.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <lockstep/runtime.h>
#include <lockstep/store.h>

#include "cli.h"
#include "sim_build.h"

#define ERR "lockstep sim: error: "

static const char help[] =
    "usage: lockstep sim [options] DRIVER.c... [-- CFLAGS...]\n"
    "       lockstep sim --replay ID [--db PATH]\n"
    "\n"
    "Compile a driver natively against lockstep's kernel model (the DDI model\n"
    "headers) and run its entry points the way the OS would, with the rules\n"
    "attached to every kernel call (docs/simulation.md).  Each run is a child\n"
    "process: a crash, a hang or a loop in the driver costs that run only.  Each\n"
    "distinct violation is printed and stored with its trail and the schedule\n"
    "that reached it; hangs, bug checks, crashes and timeouts are findings.\n"
    "\n"
    "options:\n"
    "  --seed N        seed of the random schedules (default 1)\n"
    "  --runs N        random runs (default 200); with --exhaustive, the most runs\n"
    "  --steps N       steps each random run takes after initialisation: an entry\n"
    "                  point, an IRP, a DPC ... (default 12)\n"
    "  --exhaustive    every schedule of --depth entry points, with every fault choice\n"
    "  --depth K       entry points per exhaustive schedule (default 3)\n"
    "  --budget MS     time budget of one run in milliseconds (default 5000)\n"
    "  --schedule TEXT run exactly this schedule (as printed with a result)\n"
    "  --replay ID     run again the schedule stored with violation ID, with the\n"
    "                  driver, flags and options of its run\n"
    "  --rule NAME     check only this rule (repeatable; default: every rule of a\n"
    "                  kernel driver model, i.e. all but the POSIX ones)\n"
    "  --trail N       events kept per instance for the report (0-32, default 16)\n"
    "  --db PATH       results database (default lockstep.db)\n"
    "  --no-db         do not store the results\n"
    "  --quiet         print only the summary\n"
    "  -h, --help      show this help\n"
    "\n"
    "CFLAGS after '--' go to the compiler ($CC, default cc), e.g. -DBUG_X or -I DIR.\n"
    "Exit status: 0 nothing found, 1 violations or findings, 2 usage or input error.\n";

enum { SEEN_MAX = 4096 };           /* distinct results printed and stored  */

struct sim_cli {
    /* what to run */
    char **drivers, **cflags;
    int ndrivers, ncflags;
    char **only;
    int only_count;
    uint64_t seed;
    unsigned long runs, steps, depth;
    bool exhaustive, quiet;
    int budget_ms;
    unsigned trail;
    const char *db;
    const char *schedule;           /* --schedule                           */
    long long replay;               /* --replay, 0 when none                */
    char *replay_text;              /* the stored schedule (owned)          */
    char *replay_command;           /* its run's command line (owned)       */
    char *replay_rule, *replay_message;     /* what it reached (owned)      */

    /* the results */
    struct ls_store *store;
    int64_t run_id, input_id;
    bool store_failed;
    const char *input;              /* drivers[0], for messages             */
    struct ls_runtime *rt;          /* of the run in progress               */
    struct sim_schedule sched;
    unsigned long run;              /* its number                           */
    struct ls_rule_stats *totals;   /* per rule, over all runs              */
    uint64_t events, violations, repeats, findings, notices, runs_done;
    bool reproduced;                /* --replay reached its violation        */
    char (*seen)[17];               /* fingerprints already reported        */
    unsigned nseen;
};

/* The schedule of the run so far; "(no schedule: out of memory)" when it
 * cannot be made.  Free with free(). */
static char *schedule_now(const struct sim_cli *c)
{
    char *text = sim_schedule_text(&c->sched);
    return text ? text : strdup("(no schedule: out of memory)");
}

/* Has a result with this fingerprint been reported?  Marks it seen. */
static bool seen_before(struct sim_cli *c, const char *rule, const char *message,
                        const char *function)
{
    char fp[17];
    ls_store_fingerprint(fp, rule, message, function, NULL, 0);
    for (unsigned i = 0; i < c->nseen; i++)
        if (memcmp(c->seen[i], fp, sizeof fp) == 0)
            return true;
    if (c->nseen < SEEN_MAX)
        memcpy(c->seen[c->nseen++], fp, sizeof fp);
    return c->nseen == SEEN_MAX;
}

static void store_error(struct sim_cli *c)
{
    fprintf(stderr, ERR "%s\n", ls_store_error(c->store));
    c->store_failed = true;
}

static void on_violation(void *context, const struct ls_violation *v)
{
    struct sim_cli *c = context;
    const char *fn = v->verdict->function;
    if (c->replay_rule && strcmp(v->module->name, c->replay_rule) == 0
        && strcmp(v->message, c->replay_message) == 0)
        c->reproduced = true;
    if (seen_before(c, v->module->name, v->message, fn)) {
        c->repeats++;
        return;
    }
    c->violations++;
    char *schedule = schedule_now(c);
    int64_t id = 0;
    if (c->store && !c->store_failed) {
        if (ls_store_set_schedule(c->store, schedule) < 0
            || ls_store_add_violation(c->store, c->run_id, c->input_id, v, c->rt) < 0)
            store_error(c);
        else
            id = ls_store_last_violation(c->store);
    }
    if (!c->quiet) {
        printf("%s: run %lu: event %llu: %s: [%s] %s\n", c->input, c->run,
               (unsigned long long)v->event->seq, v->module->severity, v->module->name,
               v->message);
        for (uint32_t i = 0; i < v->trail_length; i++) {
            const struct ls_trail_event *t = &v->trail[i];
            printf("    %s event %llu irql %u %s %s\n", i + 1 == v->trail_length ? "->" : "  ",
                   (unsigned long long)t->seq, t->irql, t->when == LS_EXIT ? "exit" : "entry",
                   ls_runtime_function_name(c->rt, t->function));
        }
        printf("    schedule: %s\n", schedule);
        if (id > 0)
            printf("    stored as violation %lld: lockstep sim --replay %lld\n",
                   (long long)id, (long long)id);
    }
    free(schedule);
}

/* A diagnostic of the run, stored with the schedule in its text. */
static void store_diagnostic(struct sim_cli *c, const char *severity, const char *text,
                             int64_t seq)
{
    if (!c->store || c->store_failed)
        return;
    struct ls_store_diagnostic d = { .severity = severity, .message = text, .offset = -1,
                                     .seq = seq, .thread = "cpu0" };
    if (ls_store_add_diagnostic(c->store, c->run_id, c->input_id, &d) < 0)
        store_error(c);
}

static void on_finding(void *context, enum sim_finding kind, const char *text)
{
    struct sim_cli *c = context;
    if (seen_before(c, sim_finding_names[kind], text, "")) {
        c->repeats++;
        return;
    }
    c->findings++;
    const char *severity = kind == SIM_MISUSE || kind == SIM_IRQL_LEAK ? "warning" : "error";
    char *schedule = schedule_now(c);
    char *message = NULL;
    if (asprintf(&message, "%s: %s; run %lu, schedule: %s", sim_finding_names[kind], text,
                 c->run, schedule) < 0)
        message = NULL;
    store_diagnostic(c, severity, message ? message : text, -1);
    if (!c->quiet)
        printf("%s: run %lu: %s: %s: %s\n    schedule: %s\n", c->input, c->run, severity,
               sim_finding_names[kind], text, schedule);
    free(message);
    free(schedule);
}

/* The runtime's notices: the model's IRQL and the environment model's
 * disagree (after a release of a lock that was not held, say, which the
 * environment model pops and the processor ignores).  Their text names
 * the event, so only the first is shown and stored. */
static void on_notice(void *context, uint32_t thread, uint64_t seq, const char *text)
{
    struct sim_cli *c = context;
    (void)thread;
    if (seen_before(c, "notice", "", ""))
        return;
    c->notices++;
    store_diagnostic(c, "note", text, (int64_t)seq);
    if (!c->quiet)
        printf("%s: run %lu: event %llu: note: %s\n", c->input, c->run,
               (unsigned long long)seq, text);
}

/* Is rule r one this simulation checks: named by --rule, or without
 * --rule one of a kernel driver model (the model simulates the kernel;
 * the POSIX rules watch calls no driver makes)? */
static bool wanted_rule(const struct sim_cli *c, const struct ls_rule *r)
{
    if (c->only_count == 0)
        return strcmp(r->model, "posix") != 0;
    return cli_rule_named(r, c->only, c->only_count);
}

/* A fresh runtime for one run, with the rules asked for.  0, or -1 after
 * reporting. */
static int new_runtime(struct sim_cli *c)
{
    if (!(c->rt = ls_runtime_new())) {
        fprintf(stderr, ERR "out of memory\n");
        return -1;
    }
    ls_runtime_set_sinks(c->rt, on_violation, on_notice, c);
    ls_runtime_set_trail_length(c->rt, c->trail);
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++) {
        if (wanted_rule(c, *r) && ls_runtime_add_rule(c->rt, *r) < 0) {
            fprintf(stderr, ERR "%s\n", ls_runtime_error(c->rt));
            return -1;
        }
    }
    return 0;
}

/* Add this run's rule counters to the totals. */
static void add_totals(struct sim_cli *c)
{
    for (uint32_t i = 0; i < ls_runtime_rule_count(c->rt); i++) {
        const struct ls_rule_stats *s = ls_runtime_stats(c->rt, i);
        c->totals[i].events += s->events;
        c->totals[i].steps += s->steps;
        c->totals[i].instances += s->instances;
        if (s->peak_instances > c->totals[i].peak_instances)
            c->totals[i].peak_instances = s->peak_instances;
        c->totals[i].violations += s->violations;
    }
}

/* Run the schedule c->sched as run number `run`.  Returns the outcome
 * (enum sim_outcome), or -1 after reporting (no child, interrupted, out
 * of memory). */
static int one_run(struct sim_cli *c, const struct sim_driver *d, unsigned long run)
{
    struct sim_runtime_sink sink;
    c->run = run;
    if (new_runtime(c) != 0)
        return -1;
    if (sim_runtime_sink_init(&sink, c->rt) != 0) {
        fprintf(stderr, ERR "out of memory\n");
        return -1;
    }
    const struct sim_host host = { &sink.sink, NULL, on_finding, NULL, NULL, c };
    const struct sim_runner runner = {
        d->entry, c->exhaustive ? (unsigned)c->depth : (unsigned)c->steps, c->budget_ms,
        &cli_interrupted,
    };
    sim_schedule_start(&c->sched, c->exhaustive && !c->sched.prefix_len ? 0 : c->seed, run);
    uint32_t status = 0;
    int outcome = sim_fork_run(&runner, &c->sched, &host, &status);
    if (outcome < 0 && !cli_interrupted)
        fprintf(stderr, ERR "cannot run the simulation: %s\n", strerror(errno));
    add_totals(c);
    c->events += sink.events;
    c->runs_done++;
    if (outcome == SIM_RUN_NOTHING)
        fprintf(stderr, ERR "DriverEntry registered no routines: a Storport miniport calls "
                "StorPortInitialize with its HW_INITIALIZATION_DATA, a WDM driver fills "
                "DriverObject->MajorFunction[] (or sets DriverUnload, DriverStartIo or "
                "DriverExtension->AddDevice)\n");
    else if (outcome == SIM_RUN_ENTRY_FAILED)
        fprintf(stderr, ERR "DriverEntry returned 0x%08x with no call failed by the "
                "simulation (StorPortInitialize refuses HW_INITIALIZATION_DATA without "
                "HwFindAdapter, HwInitialize and HwStartIo)\n", (unsigned)status);
    ls_runtime_free(c->rt);
    c->rt = NULL;
    return outcome;
}

/* Words of text split like a shell would split what quote_arg writes:
 * blanks separate, single quotes quote.  NULL-terminated, malloc'd in one
 * block with the words (free once); NULL when out of memory. */
static char **split_command(const char *text, int *count)
{
    size_t n = strlen(text);
    char **words = malloc((n / 2 + 2) * sizeof *words + n + 1);
    if (!words)
        return NULL;
    char *out = (char *)(words + n / 2 + 2);
    int k = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        words[k++] = out;
        for (; *p && *p != ' '; p++) {
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    *out++ = *p;
                if (!*p)
                    break;
            } else if (*p == '\\' && p[1]) {
                *out++ = *++p;
            } else {
                *out++ = *p;
            }
        }
        *out++ = '\0';
    }
    words[k] = NULL;
    *count = k;
    return words;
}

/* Append word to the command line in f, quoted when it needs to be. */
static void quote_arg(FILE *f, const char *word)
{
    if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789_./=:,+-@%") == strlen(word)) {
        fprintf(f, " %s", word);
        return;
    }
    fputs(" '", f);
    for (const char *p = word; *p; p++)
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    fputc('\'', f);
}

/* The command line stored with the run: the options as given, the
 * drivers by absolute path, the compiler flags; what --replay reads back.
 * malloc'd, NULL when out of memory. */
static char *command_line(const struct sim_cli *c, char **options, int noptions)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fputs("lockstep sim", f);
    for (int i = 0; i < noptions; i++)
        quote_arg(f, options[i]);
    for (int i = 0; i < c->ndrivers; i++) {
        char *abs = realpath(c->drivers[i], NULL);
        quote_arg(f, abs ? abs : c->drivers[i]);
        free(abs);
    }
    if (c->ncflags)
        fputs(" --", f);
    for (int i = 0; i < c->ncflags; i++)
        quote_arg(f, c->cflags[i]);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Parse a count option's value into *out (1..max).  0, or -1 after
 * reporting. */
static int parse_count(const char *option, const char *value, unsigned long max,
                       unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (*value == '-' || *end || end == value || errno || v < 1 || v > max) {
        fprintf(stderr, ERR "%s takes a number from 1 to %lu, not '%s'\n", option, max, value);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parse argv (argv[0] is "sim") into c.  Returns 0, 1 when --help was
 * printed, -1 after reporting a usage error.  *noptions receives how many
 * words after argv[0] are options (getopt moves them to the front). */
static int parse_args(struct sim_cli *c, int argc, char **argv, int *noptions)
{
    static const struct option options[] = {
        { "seed", required_argument, NULL, 's' },
        { "runs", required_argument, NULL, 'r' },
        { "steps", required_argument, NULL, 'n' },
        { "exhaustive", no_argument, NULL, 'x' },
        { "depth", required_argument, NULL, 'k' },
        { "budget", required_argument, NULL, 'b' },
        { "schedule", required_argument, NULL, 'S' },
        { "replay", required_argument, NULL, 'R' },
        { "rule", required_argument, NULL, 'u' },
        { "trail", required_argument, NULL, 't' },
        { "db", required_argument, NULL, 'd' },
        { "no-db", no_argument, NULL, 'N' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int end = 1;                    /* the compiler flags start after "--" */
    while (end < argc && strcmp(argv[end], "--") != 0)
        end++;
    c->cflags = argv + (end < argc ? end + 1 : argc);
    c->ncflags = end < argc ? argc - end - 1 : 0;
    optind = 0;                     /* glibc: start over (replay parses twice) */
    for (int ch; (ch = getopt_long(end, argv, "h", options, NULL)) != -1;) {
        unsigned long v;
        switch (ch) {
        case 's':
            if (parse_count("--seed", optarg, ULONG_MAX - 1, &v) < 0)
                return -1;
            c->seed = v;
            break;
        case 'r': if (parse_count("--runs", optarg, 100000000, &c->runs) < 0) return -1; break;
        case 'n': if (parse_count("--steps", optarg, 10000, &c->steps) < 0) return -1; break;
        case 'k': if (parse_count("--depth", optarg, 64, &c->depth) < 0) return -1; break;
        case 'x': c->exhaustive = true; break;
        case 'b':
            if (parse_count("--budget", optarg, 3600000, &v) < 0)
                return -1;
            c->budget_ms = (int)v;
            break;
        case 'S': c->schedule = optarg; break;
        case 'R': {
            char *e;
            c->replay = strtoll(optarg, &e, 10);
            if (*e || e == optarg || c->replay < 1) {
                fprintf(stderr, ERR "--replay takes a violation id (lockstep results "
                        "shows them), not '%s'\n", optarg);
                return -1;
            }
            break;
        }
        case 'u': c->only[c->only_count++] = optarg; break;
        case 't': {
            if (strcmp(optarg, "0") == 0) {
                c->trail = 0;
                break;
            }
            if (parse_count("--trail", optarg, LS_TRAIL_MAX, &v) < 0)
                return -1;
            c->trail = (unsigned)v;
            break;
        }
        case 'd': c->db = optarg; break;
        case 'N': c->db = NULL; break;
        case 'q': c->quiet = true; break;
        case 'h':
            fputs(help, stdout);
            return 1;
        default:
            return -1;
        }
    }
    *noptions = optind - 1;
    c->drivers = argv + optind;
    c->ndrivers = end - optind;
    return cli_check_rule_names("sim", ls_shipped_rules, c->only, c->only_count);
}

/* --replay: read the violation's schedule, rule, message and its run's
 * command line from the database, and parse that command line into c
 * (driver, flags, options).  *words receives the split command line,
 * which c points into.  0, or -1 after reporting. */
static int load_replay(struct sim_cli *c, char ***words)
{
    char err[512];
    sqlite3 *db = ls_store_open_readonly(c->db ? c->db : "lockstep.db", err, sizeof err);
    if (!db) {
        fprintf(stderr, ERR "%s\n", err);
        return -1;
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db,
        "SELECT v.schedule, r.command_line, ru.name, v.message FROM violations v "
        "JOIN runs r ON r.id = v.run JOIN rules ru ON ru.id = v.rule WHERE v.id = ?", -1, &q,
        NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 1, c->replay);
    int found = rc == SQLITE_OK ? sqlite3_step(q) : rc;
    int result = -1;
    if (found == SQLITE_ROW && sqlite3_column_text(q, 0) && sqlite3_column_text(q, 1)) {
        c->replay_text = strdup((const char *)sqlite3_column_text(q, 0));
        char *command = strdup((const char *)sqlite3_column_text(q, 1));
        c->replay_command = command ? strdup(command) : NULL;
        c->replay_rule = strdup((const char *)sqlite3_column_text(q, 2));
        c->replay_message = strdup((const char *)sqlite3_column_text(q, 3));
        int count = 0;
        *words = command ? split_command(command, &count) : NULL;
        free(command);
        if (!c->replay_text || !c->replay_command || !c->replay_rule || !c->replay_message
            || !*words) {
            fprintf(stderr, ERR "out of memory\n");
        } else if (count < 2 || strcmp((*words)[1], "sim") != 0) {
            fprintf(stderr, ERR "violation %lld was not found by 'lockstep sim'\n", c->replay);
        } else {
            struct sim_cli stored = *c;
            int noptions;
            stored.only_count = 0;
            if (parse_args(&stored, count - 1, *words + 1, &noptions) == 0) {
                c->drivers = stored.drivers;
                c->ndrivers = stored.ndrivers;
                c->cflags = stored.cflags;
                c->ncflags = stored.ncflags;
                c->steps = stored.steps;
                c->depth = stored.depth;
                c->exhaustive = stored.exhaustive;
                c->budget_ms = stored.budget_ms;
                c->only_count = stored.only_count;
                result = 0;
            } else {
                fprintf(stderr, ERR "cannot read the command line of violation %lld's run\n",
                        c->replay);
            }
        }
    } else if (found == SQLITE_ROW || found == SQLITE_DONE) {
        fprintf(stderr, ERR "%s has no violation %lld%s\n", c->db ? c->db : "lockstep.db",
                c->replay, found == SQLITE_ROW ? " found by 'lockstep sim' (it has no schedule)"
                                               : "");
    } else {
        ls_store_describe(err, sizeof err, db, found, c->db ? c->db : "lockstep.db",
                          "reading the violation");
        fprintf(stderr, ERR "%s\n", err);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return result;
}

/* Open the results database and record the run, its rules and its input.
 * 0, or -1 after reporting. */
static int open_store(struct sim_cli *c, const char *command)
{
    char err[512];
    if (!(c->store = ls_store_open(c->db, err, sizeof err))) {
        fprintf(stderr, ERR "%s\n", err);
        return -1;
    }
    c->run_id = ls_store_begin_run(c->store, command, LOCKSTEP_VERSION);
    for (const struct ls_rule *const *r = ls_shipped_rules; c->run_id >= 0 && *r; r++)
        if (wanted_rule(c, *r) && ls_store_add_rule(c->store, c->run_id, *r) < 0)
            c->run_id = -1;
    if (c->run_id >= 0)
        c->input_id = ls_store_add_input(c->store, c->run_id, c->input, "simulation");
    if (c->run_id < 0 || c->input_id < 0) {
        fprintf(stderr, ERR "%s\n", ls_store_error(c->store));
        return -1;
    }
    return 0;
}

/* Store the rule totals and close the run with the outcome. */
static int finish_store(struct sim_cli *c, int status)
{
    bool ok = !c->store_failed && ls_store_finish_input(c->store, c->input_id, c->events) == 0;
    uint32_t k = 0;
    for (const struct ls_rule *const *r = ls_shipped_rules; ok && *r; r++)
        if (wanted_rule(c, *r))
            ok = ls_store_rule_stats(c->store, c->run_id, *r, &c->totals[k++]) == 0;
    const char *outcome = !ok || status == EXIT_USAGE ? "error"
                        : status == EXIT_VIOLATIONS ? "violations" : "clean";
    if (ls_store_end_run(c->store, c->run_id, outcome) < 0 || !ok) {
        if (!c->store_failed)
            fprintf(stderr, ERR "%s\n", ls_store_error(c->store));
        return -1;
    }
    return 0;
}

static void print_summary(const struct sim_cli *c, const char *mode)
{
    printf("\n%-24s %12s %10s\n", "RULE", "EVENTS", "VIOLATIONS");
    uint32_t k = 0;
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++) {
        if (wanted_rule(c, *r)) {
            printf("%-24s %12llu %10llu\n", (*r)->name, (unsigned long long)c->totals[k].events,
                   (unsigned long long)c->totals[k].violations);
            k++;
        }
    }
    printf("%llu run%s (%s): %llu distinct violation%s, %llu finding%s, %llu repeat%s\n",
           (unsigned long long)c->runs_done, c->runs_done == 1 ? "" : "s", mode,
           (unsigned long long)c->violations, c->violations == 1 ? "" : "s",
           (unsigned long long)c->findings, c->findings == 1 ? "" : "s",
           (unsigned long long)c->repeats, c->repeats == 1 ? "" : "s");
}

/* Run the schedules c asks for.  Returns the exit status. */
static int simulate(struct sim_cli *c, const struct sim_driver *d)
{
    char err[256];
    char mode[96];
    int outcome = 0;
    if (c->schedule || c->replay_text) {
        if (sim_schedule_parse(&c->sched, c->schedule ? c->schedule : c->replay_text, err,
                               sizeof err) < 0) {
            fprintf(stderr, ERR "%s\n", err);
            return EXIT_USAGE;
        }
        c->seed = c->sched.seed;
        snprintf(mode, sizeof mode, "one schedule");
        outcome = one_run(c, d, (unsigned long)c->sched.run);
        if (c->sched.diverged)
            fprintf(stderr, "lockstep sim: warning: the driver offered other choices than "
                    "when the schedule was recorded (was it changed?)\n");
    } else if (c->exhaustive) {
        unsigned long n = 0;
        int more = 1;
        c->sched.random = 0;
        while (more == 1 && n < c->runs && !cli_interrupted) {
            outcome = one_run(c, d, n++);
            if (outcome < 0 || outcome == SIM_RUN_NOTHING || outcome == SIM_RUN_ENTRY_FAILED)
                break;
            more = sim_schedule_next(&c->sched);
        }
        if (more < 0) {
            fprintf(stderr, ERR "out of memory\n");
            return EXIT_USAGE;
        }
        snprintf(mode, sizeof mode, "exhaustive to depth %lu%s", c->depth,
                 more == 1 && outcome >= 0 ? ", stopped at --runs: not every schedule ran" : "");
    } else {
        c->sched.random = 1;
        for (unsigned long r = 0; r < c->runs && !cli_interrupted; r++) {
            outcome = one_run(c, d, r);
            if (outcome < 0 || outcome == SIM_RUN_NOTHING || outcome == SIM_RUN_ENTRY_FAILED)
                break;
        }
        snprintf(mode, sizeof mode, "random, seed %llu", (unsigned long long)c->seed);
    }
    if (cli_interrupted) {
        char text[64];
        snprintf(text, sizeof text, "interrupted by %s", cli_interrupt_name());
        store_diagnostic(c, "error", text, -1);
        fprintf(stderr, "lockstep sim: %s; the run is recorded as 'error'\n", text);
    }
    if (c->replay)
        printf("replay of violation %lld: %s ([%s] %s)\n", c->replay,
               c->reproduced ? "reproduced" : "NOT reproduced", c->replay_rule,
               c->replay_message);
    print_summary(c, mode);
    if (outcome < 0 || cli_interrupted || outcome == SIM_RUN_NOTHING
        || outcome == SIM_RUN_ENTRY_FAILED)
        return EXIT_USAGE;
    return c->violations || c->findings ? EXIT_VIOLATIONS : EXIT_CLEAN;
}

int cmd_sim(int argc, char **argv)
{
    struct sim_cli c = {
        .seed = 1, .runs = 200, .steps = 12, .depth = 3, .budget_ms = 5000, .trail = 16,
        .db = "lockstep.db",
    };
    struct sim_driver driver = { 0 };
    char **replay_words = NULL, *command = NULL;
    int status = EXIT_USAGE, noptions = 0;
    sim_schedule_init(&c.sched);
    c.only = calloc((size_t)argc + 1, sizeof *c.only);
    c.seen = calloc(SEEN_MAX, sizeof *c.seen);
    size_t nrules = 0;
    while (ls_shipped_rules[nrules])
        nrules++;
    c.totals = calloc(nrules + 1, sizeof *c.totals);
    if (!c.only || !c.seen || !c.totals) {
        fprintf(stderr, ERR "out of memory\n");
        goto out;
    }
    int parsed = parse_args(&c, argc, argv, &noptions);
    if (parsed != 0) {
        status = parsed > 0 ? EXIT_CLEAN : EXIT_USAGE;
        if (parsed < 0)
            fputs("Run 'lockstep sim --help' for usage.\n", stderr);
        goto out;
    }
    if (c.replay && (c.ndrivers || c.schedule)) {
        fprintf(stderr, ERR "--replay takes the driver and schedule from the database; "
                "give neither\n");
        goto out;
    }
    if (c.replay && load_replay(&c, &replay_words) < 0)
        goto out;
    if (c.ndrivers == 0) {
        fprintf(stderr, ERR "no driver source given\nRun 'lockstep sim --help' for usage.\n");
        goto out;
    }
    for (int i = 0; i < c.ndrivers; i++)
        if (access(c.drivers[i], R_OK) != 0) {
            fprintf(stderr, ERR "cannot read '%s': %s\n", c.drivers[i], strerror(errno));
            goto out;
        }
    c.input = c.drivers[0];
    if (sim_build_load(&driver, c.drivers, c.ndrivers, c.cflags, c.ncflags) < 0)
        goto out;
    if (c.db && (!(command = c.replay ? strdup(c.replay_command)
                                      : command_line(&c, argv + 1, noptions))
                 || open_store(&c, command) < 0)) {
        if (!command)
            fprintf(stderr, ERR "out of memory\n");
        goto out;
    }
    cli_catch_interrupts();
    status = simulate(&c, &driver);
    if (c.store && finish_store(&c, status) < 0)
        status = EXIT_USAGE;
out:
    ls_store_close(c.store);
    sim_build_unload(&driver);
    sim_schedule_free(&c.sched);
    free(replay_words);
    free(command);
    free(c.replay_text);
    free(c.replay_command);
    free(c.replay_rule);
    free(c.replay_message);
    free(c.only);
    free(c.seen);
    free(c.totals);
    return status;
}
