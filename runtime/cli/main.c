/*
 * main.c — `lockstep`: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "check",   cmd_check,   "check recorded call traces with the built-in rules" },
    { "compile", cmd_compile, "compile .slic rule specs to C checker modules, dot or JSON" },
    { "rules",   cmd_rules,   "list the rules built into lockstep" },
    { "scan",    cmd_scan,    "check C source code with the rules (source mode)" },
    { "sim",     cmd_sim,     "run a driver against the kernel model with the rules attached" },
    { "results", cmd_results, "list and filter the results stored by check" },
    { "trace",   cmd_trace,   "convert recorded traces between the text and binary formats" },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fputs("usage: lockstep <command> [options] [args]\n\ncommands:\n", out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'lockstep <command> --help' for a command's options.\n"
          "Exit status: 0 clean, 1 violations found, 2 usage or input error.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lockstep %s (checker ABI %d)\n", LOCKSTEP_VERSION, LS_RULE_ABI);
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "lockstep: error: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
