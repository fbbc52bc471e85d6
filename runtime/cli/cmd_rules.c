/*
 * cmd_rules.c — `lockstep rules`: the rules compiled into this binary.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: lockstep rules [--json]\n"
    "\n"
    "List the rules built into lockstep (compiled from specs/ into generated/):\n"
    "name, driver model, severity, number of handlers (one per function of\n"
    "each event set), and summary.\n"
    "\n"
    "options:\n"
    "  --json       one JSON object per rule, one per line\n"
    "  -h, --help   show this help\n";

int cmd_rules(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help, stdout);
            return EXIT_CLEAN;
        } else {
            fprintf(stderr, "lockstep rules: error: unexpected argument '%s'\n"
                            "Run 'lockstep rules --help' for usage.\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!json)
        printf("%-24s %-9s %-8s %-8s %s\n", "RULE", "MODEL", "SEVERITY", "HANDLERS", "SUMMARY");
    for (const struct ls_rule *const *r = ls_shipped_rules; *r; r++) {
        const struct ls_rule *rule = *r;
        if (json) {
            printf("{\"name\":");
            cli_json_string(rule->name);
            printf(",\"model\":");
            cli_json_string(rule->model);
            printf(",\"severity\":");
            cli_json_string(rule->severity);
            printf(",\"handlers\":%u,\"spec\":", rule->handler_count);
            cli_json_string(rule->spec_path);
            printf(",\"summary\":");
            cli_json_string(rule->summary);
            printf("}\n");
        } else {
            printf("%-24s %-9s %-8s %-8u %s\n", rule->name, rule->model, rule->severity,
                   rule->handler_count, rule->summary);
        }
    }
    return EXIT_CLEAN;
}
