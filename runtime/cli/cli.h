/*
 * cli.h — the lockstep command line: one binary, one function per
 * subcommand.  Each returns the process exit status: 0 clean, 1 violations
 * found, 2 usage or input error.
 */
#ifndef LS_CLI_H
#define LS_CLI_H

#include <lockstep/rule.h>

enum { EXIT_CLEAN = 0, EXIT_VIOLATIONS = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_rules(int argc, char **argv);

/* Print s to stdout as a JSON string (quoted, escaped). */
void cli_json_string(const char *s);

/* The rules built into the binary (generated/), NULL-terminated. */
extern const struct ls_rule *const ls_shipped_rules[];

#endif
