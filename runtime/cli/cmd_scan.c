/*
 * cmd_scan.c — `lockstep scan`: check C source with the rules (source
 * mode, docs/source-mode.md).  Each violation is printed like a compiler
 * error followed by its error trace as notes; then the functions analysed
 * or skipped, and a summary.  Results go to the database like check's.
 * Exit status 0 clean, 1 violations, 2 usage or input error.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/store.h>

#include "cli.h"
#include "scan.h"
#include "user_rules.h"

static const char help[] =
    "usage: lockstep scan [options] FILE.c... [-- CFLAGS...]\n"
    "       lockstep scan [options] -p BUILD_DIR [FILE.c...]\n"
    "\n"
    "Check C source with the rules: every path from each entry point of the\n"
    "driver (role-type declarations such as 'HW_STARTIO f;', routines registered\n"
    "in DriverEntry, an sdv-map.h, or --entry) is explored, and each violation\n"
    "is reported with the path that reaches it.  lockstep's DDI model headers\n"
    "(<wdm.h>, <ntddk.h>, <storport.h>) are on the include path; flags after\n"
    "'--' go to the C front end (libclang), e.g. -I, -D, or -target\n"
    "x86_64-pc-windows-msvc -fms-extensions for a real WDK's headers.\n"
    "\n"
    "options:\n"
    "  -p BUILD_DIR         take the files and flags from BUILD_DIR/compile_commands.json\n"
    "                       (FILEs given then select among its entries)\n"
    "  --entry FUNC[:ROLE]  explore FUNC as the entry point (repeatable); replaces\n"
    "                       the entry points found in the code\n"
    "  --irql N             IRQL an entry point without a role starts at (default 0)\n"
    "  --sdv-map FILE       read '#define fun_ROLE Function' lines from FILE\n"
    "                       (an sdv-map.h next to a source is read anyway)\n"
    "  --no-model-headers   do not put lockstep's DDI model headers on the path\n"
    "  --spec FILE.slic     check with this spec's rule instead of the built-in\n"
    "                       rules (repeatable), as in 'lockstep check'\n"
    "  --rules DIR          the same for every DIR/*.slic (repeatable)\n"
    "  --rule NAME          check only this rule (repeatable; default: all)\n"
    "  --max-states N       states explored per entry point before giving up\n"
    "                       (default 200000)\n"
    "  --db PATH            results database (default lockstep.db)\n"
    "  --no-db              do not store the results\n"
    "  --functions          list every function with what became of it\n"
    "  --dump-cfg           print lockstep's control-flow graph of each function\n"
    "  --quiet              print only the summary\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 no violation, 1 violations found, 2 usage or input error.\n";

struct scan_cli {
    struct ls_store *store;
    int64_t run, input;
    bool store_failed;
    bool quiet, list_functions;
    uint64_t violations;
    uint32_t errors;                /* input errors reported                 */
};

static void on_diagnostic(void *context, const char *severity, const char *file,
                          uint32_t line, uint32_t column, const char *message)
{
    struct scan_cli *c = context;
    if (file && *file && line)
        fprintf(stderr, "%s:%u:%u: %s: %s\n", file, line, column, severity, message);
    else
        fprintf(stderr, "lockstep scan: %s: %s\n", severity, message);
    if (strcmp(severity, "note") != 0 && strcmp(severity, "warning") != 0)
        c->errors++;
    if (c->store && !c->store_failed) {
        struct ls_store_diagnostic d = {
            .severity = strcmp(severity, "fatal error") == 0 ? "error" : severity,
            .message = message, .line = line, .column = column, .offset = -1, .seq = -1,
            .text = file,
        };
        if (ls_store_add_diagnostic(c->store, c->run, c->input, &d) < 0)
            c->store_failed = true;
    }
}

static void on_violation(void *context, const struct engine_violation *v)
{
    struct scan_cli *c = context;
    c->violations++;
    if (!c->quiet) {
        printf("%s:%u:%u: error: %s [%s]\n", v->file, v->line, v->column, v->message,
               v->module->name);
        for (uint32_t i = 0; i < v->nsteps; i++) {
            const struct engine_step *s = &v->steps[i];
            printf("%s:%u:%u: note: %s%s%s (IRQL %d)\n", s->file ? s->file : "?", s->line,
                   s->column, s->kind, s->text ? ": " : "", s->text ? s->text : "", s->irql);
        }
    }
    if (c->store == NULL || c->store_failed)
        return;
    struct ls_store_step *steps = calloc(v->nsteps ? v->nsteps : 1, sizeof *steps);
    if (steps == NULL) {
        c->store_failed = true;
        return;
    }
    for (uint32_t i = 0; i < v->nsteps; i++) {
        const struct engine_step *s = &v->steps[i];
        steps[i] = (struct ls_store_step){ s->kind, s->function, s->file, s->line, s->column,
                                           s->irql, s->text };
    }
    struct ls_store_path_violation pv = {
        .rule = v->module, .message = v->message, .function = v->function, .file = v->file,
        .line = v->line, .column = v->column, .entry = v->entry,
        .instance_key = v->instance_key, .steps = steps, .step_count = v->nsteps,
    };
    if (ls_store_add_path_violation(c->store, c->run, c->input, &pv) < 0)
        c->store_failed = true;
    free(steps);
}

static void on_function(void *context, const struct scan_function *f)
{
    struct scan_cli *c = context;
    if (c->list_functions || (!c->quiet && strcmp(f->status, "gave-up") == 0))
        printf("%s:%u: %s %s%s%s\n", f->file, f->line, f->name, f->status,
               f->reason ? ": " : "", f->reason ? f->reason : "");
    if (c->store == NULL || c->store_failed)
        return;
    struct ls_store_function sf = { f->name, f->file, f->line, f->status, f->reason, f->entry,
                                    f->states };
    if (ls_store_add_function(c->store, c->run, c->input, &sf) < 0)
        c->store_failed = true;
}

static void on_dump(void *context, const char *text)
{
    (void)context;
    fputs(text, stdout);
}

/* The rules to apply: the built-in ones or the specs', filtered by
 * --rule.  A NULL-terminated array the caller frees, or NULL after
 * reporting. */
static const struct ls_rule **choose_rules(const struct ls_rule *const *set, char **only,
                                           int count, uint32_t *n)
{
    if (cli_check_rule_names("scan", set, only, count) < 0)
        return NULL;
    uint32_t total = 0;
    while (set[total])
        total++;
    const struct ls_rule **out = calloc(total + 1, sizeof *out);
    if (out == NULL) {
        fprintf(stderr, "lockstep scan: error: out of memory\n");
        return NULL;
    }
    *n = 0;
    for (uint32_t k = 0; k < total; k++)
        if (cli_rule_named(set[k], only, count))
            out[(*n)++] = set[k];
    return out;
}

/* argv[first..argc) joined by spaces, after prefix; NULL when out of
 * memory. */
static char *join(const char *prefix, int argc, char **argv, int first)
{
    size_t len = strlen(prefix) + 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    strcpy(s, prefix);
    for (int i = first; i < argc; i++)
        strcat(strcat(s, *s ? " " : ""), argv[i]);
    return s;
}

/* The run (command as given), its rules, and one input row for the scan
 * as a whole (the files, or the build directory). */
static int open_store(struct scan_cli *c, const char *path, const char *command,
                      const char *input, const struct ls_rule **rules, uint32_t nrules)
{
    char err[512];
    c->store = ls_store_open(path, err, sizeof err);
    if (c->store == NULL) {
        fprintf(stderr, "lockstep scan: error: %s\n", err);
        return -1;
    }
    c->run = ls_store_begin_run(c->store, command, LOCKSTEP_VERSION);
    for (uint32_t i = 0; c->run >= 0 && i < nrules; i++)
        if (ls_store_add_rule(c->store, c->run, rules[i]) < 0)
            c->run = -1;
    if (c->run >= 0)
        c->input = ls_store_add_input(c->store, c->run, input, "source");
    if (c->run < 0 || c->input < 0) {
        fprintf(stderr, "lockstep scan: error: %s\n", ls_store_error(c->store));
        return -1;
    }
    return 0;
}

static int parse_count(const char *text, const char *option, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text == '\0' || *end || *text == '-' || v > max) {
        fprintf(stderr, "lockstep scan: error: %s takes a number from 0 to %llu, not '%s'\n",
                option, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    static const struct option options[] = {
        { "entry", required_argument, NULL, 'e' },
        { "irql", required_argument, NULL, 'i' },
        { "sdv-map", required_argument, NULL, 'm' },
        { "no-model-headers", no_argument, NULL, 'H' },
        { "rule", required_argument, NULL, 'r' },
        { "spec", required_argument, NULL, 's' },
        { "rules", required_argument, NULL, 'S' },
        { "max-states", required_argument, NULL, 'x' },
        { "db", required_argument, NULL, 'd' },
        { "no-db", no_argument, NULL, 'n' },
        { "functions", no_argument, NULL, 'f' },
        { "dump-cfg", no_argument, NULL, 'D' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct scan_cli c = { 0 };
    struct scan_options o = { 0 };
    struct user_rules *user = NULL;
    const struct ls_rule **rules = NULL;
    uint32_t nrules = 0;
    char **only = calloc((size_t)argc + 1, sizeof *only);
    const char **entries = calloc((size_t)argc + 1, sizeof *entries);
    char *command = join("lockstep", argc, argv, 0);    /* before getopt permutes */
    char *input = NULL;
    int only_count = 0, status = EXIT_USAGE;
    const char *db = "lockstep.db";
    unsigned long long number;

    o.model_headers = 1;
    o.limits = (struct engine_limits){ 200000, 16, 8 };
    if (only == NULL || entries == NULL || command == NULL) {
        fprintf(stderr, "lockstep scan: error: out of memory\n");
        goto out;
    }
    /* everything after "--" is for the C front end */
    int flags_at = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            flags_at = i;
            break;
        }
    optind = 1;
    for (int ch; (ch = getopt_long(flags_at, argv, "hp:", options, NULL)) != -1;) {
        switch (ch) {
        case 'p': o.build_dir = optarg; break;
        case 'e': entries[o.nentries++] = optarg; break;
        case 'i':
            if (parse_count(optarg, "--irql", 31, &number) < 0)
                goto out;
            o.irql = (uint8_t)number;
            break;
        case 'm': o.sdv_map = optarg; break;
        case 'H': o.model_headers = 0; break;
        case 'r': only[only_count++] = optarg; break;
        case 's':
        case 'S':
            if ((!user && !(user = user_rules_new())) || user_rules_add(user, optarg, ch == 'S') < 0) {
                fprintf(stderr, "lockstep scan: error: out of memory\n");
                goto out;
            }
            break;
        case 'x':
            if (parse_count(optarg, "--max-states", 1000000000ULL, &number) < 0)
                goto out;
            o.limits.max_states = number;
            break;
        case 'd': db = optarg; break;
        case 'n': db = NULL; break;
        case 'f': c.list_functions = true; break;
        case 'D': o.dump_cfg = 1; break;
        case 'q': c.quiet = true; break;
        case 'h':
            fputs(help, stdout);
            status = EXIT_CLEAN;
            goto out;
        default:
            goto usage;
        }
    }
    o.files = (const char *const *)argv + optind;
    o.nfiles = (uint32_t)(flags_at - optind);
    o.cflags = flags_at < argc ? (const char *const *)argv + flags_at + 1 : NULL;
    o.ncflags = flags_at < argc ? (uint32_t)(argc - flags_at - 1) : 0;
    o.entries = entries;
    if (o.nfiles == 0 && o.build_dir == NULL) {
        fprintf(stderr, "lockstep scan: error: no source file given\n");
        goto usage;
    }
    if (user && user_rules_load(user) < 0)
        goto out;
    rules = choose_rules(user ? user_rules_list(user) : ls_shipped_rules, only, only_count,
                         &nrules);
    if (rules == NULL)
        goto out;
    input = o.nfiles ? join("", optind + (int)o.nfiles, argv, optind) : strdup(o.build_dir);
    if (input == NULL) {
        fprintf(stderr, "lockstep scan: error: out of memory\n");
        goto out;
    }
    if (db && !o.dump_cfg && open_store(&c, db, command, input, rules, nrules) < 0)
        goto out;

    struct scan_callbacks cb = { on_diagnostic, on_violation, on_function, NULL, on_dump };
    struct scan_totals t;
    int rc = scan_run(&o, rules, nrules, &cb, &c, &t);
    if (rc < 0) {
        fprintf(stderr, "lockstep scan: error: out of memory\n");
        goto out;
    }
    if (o.dump_cfg) {
        status = rc ? EXIT_USAGE : EXIT_CLEAN;
        goto out;
    }
    double seconds = t.parse_seconds + t.analysis_seconds;
    printf("\n%u translation unit%s (%u with errors), %llu lines: %u function%s, "
           "%u analysed, %u skipped, %u gave up\n",
           t.units, t.units == 1 ? "" : "s", t.units_failed, (unsigned long long)t.lines,
           t.functions, t.functions == 1 ? "" : "s", t.analysed, t.skipped, t.gave_up);
    printf("%u entry point run%s, %llu states; %llu violation%s; "
           "%.2f s (parse %.2f s, analysis %.2f s)",
           t.entries, t.entries == 1 ? "" : "s", (unsigned long long)t.states,
           (unsigned long long)c.violations, c.violations == 1 ? "" : "s", seconds,
           t.parse_seconds, t.analysis_seconds);
    if (seconds > 0 && t.lines)
        printf(", %.0f lines/s", (double)t.lines / seconds);
    printf("\n");
    status = rc > 0 || c.errors ? EXIT_USAGE : c.violations ? EXIT_VIOLATIONS : EXIT_CLEAN;
    if (c.store) {
        const char *outcome = c.store_failed || status == EXIT_USAGE ? "error"
                            : status == EXIT_VIOLATIONS ? "violations" : "clean";
        if (ls_store_finish_input(c.store, c.input, t.states) < 0
            || ls_store_end_run(c.store, c.run, outcome) < 0 || c.store_failed) {
            fprintf(stderr, "lockstep scan: error: %s\n", ls_store_error(c.store));
            status = EXIT_USAGE;
        }
    }
    goto out;

usage:
    fputs("Run 'lockstep scan --help' for usage.\n", stderr);
out:
    ls_store_close(c.store);
    user_rules_free(user);
    free(rules);
    free(only);
    free(entries);
    free(command);
    free(input);
    return status;
}
