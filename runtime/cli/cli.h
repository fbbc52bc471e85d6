/*
 * cli.h — the lockstep command line: one binary, one function per
 * subcommand.  Each returns the process exit status: 0 clean, 1 violations
 * found, 2 usage or input error.
 */
#ifndef LS_CLI_H
#define LS_CLI_H

#include <signal.h>
#include <stdbool.h>

#include <lockstep/rule.h>

enum { EXIT_CLEAN = 0, EXIT_VIOLATIONS = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Print s to stdout as a JSON string (quoted, escaped; a byte that is not
 * well-formed UTF-8 becomes \ufffd). */
void cli_json_string(const char *s);

/* A JSON document streamed to stdout, indented two spaces a level (as jq
 * prints): the writer places commas, line breaks and indentation.  Start
 * from a zeroed struct; open, then key + value pairs (objects) or values
 * (arrays), then close; closing the outermost level ends the line.
 * At most CLI_JSON_DEPTH - 1 levels. */
#define CLI_JSON_DEPTH 32
struct cli_json {
    int depth;
    char closer[CLI_JSON_DEPTH];    /* '}' or ']' of each open level          */
    bool filled[CLI_JSON_DEPTH];    /* the level has a member already         */
    bool after_key;                 /* a key was written; its value is next   */
};
void cli_json_open(struct cli_json *w, char bracket);   /* '{' or '['    */
void cli_json_close(struct cli_json *w);
void cli_json_key(struct cli_json *w, const char *key);
void cli_json_str(struct cli_json *w, const char *s);    /* NULL: null    */
void cli_json_int(struct cli_json *w, long long v);
void cli_json_bool(struct cli_json *w, bool v);

/* SIGINT, SIGTERM and SIGHUP set cli_interrupted (interrupts.c) once
 * cli_catch_interrupts has run; cli_interrupt_name names the signal. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupts(void);
const char *cli_interrupt_name(void);

/* --rule NAME (rule_select.c): whether rule is one of names[count] (any
 * rule when count is 0), and whether every name is a rule of set (a
 * NULL-terminated array); the latter reports the first that is not as
 * "lockstep COMMAND: error: no rule named ..." and returns -1, else 0. */
bool cli_rule_named(const struct ls_rule *rule, char *const *names, int count);
int cli_check_rule_names(const char *command, const struct ls_rule *const *set,
                         char *const *names, int count);

/* The rules built into the binary (generated/), NULL-terminated. */
extern const struct ls_rule *const ls_shipped_rules[];

#endif
