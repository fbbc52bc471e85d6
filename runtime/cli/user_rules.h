/*
 * user_rules.h — rules given to `lockstep check` as specs (--spec FILE,
 * --rules DIR) instead of the built-in set.  Each spec is compiled to C in
 * memory, built with the system C compiler into a shared object kept in a
 * cache keyed by a hash of what went into it, and loaded with dlopen.  No
 * rule is loaded that was not compiled from a spec in this run: a cache
 * entry is found only through the hash of the C just generated, and the
 * loaded module must name the same spec hash (docs/user-rules.md).
 */
#ifndef LS_CLI_USER_RULES_H
#define LS_CLI_USER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <lockstep/rule.h>

/* The specs asked for and, once loaded, their modules.  Owns the dlopen
 * handles: free it only after the runtime and store that use the rules. */
struct user_rules;

/* An empty set, or NULL when out of memory. */
struct user_rules *user_rules_new(void);

/* Record a spec file (is_dir false) or a directory whose *.slic files are
 * all used (is_dir true).  Nothing is read yet; path is borrowed and must
 * outlive the set (argv does).  Returns 0, or -1 when out of memory. */
int user_rules_add(struct user_rules *u, const char *path, bool is_dir);

/* Compile every recorded spec (diagnostics to stderr as `lockstep compile`
 * prints them), then find or build each module in the cache and load it.
 * Returns 0, or -1 after reporting on stderr; on -1 no rule is usable. */
int user_rules_load(struct user_rules *u);

/* The loaded rules in command-line order (a directory's specs sorted by
 * name), NULL-terminated; valid after user_rules_load returned 0. */
const struct ls_rule *const *user_rules_list(const struct user_rules *u);

/* Unload the modules and free the set; NULL is allowed. */
void user_rules_free(struct user_rules *u);

/* The text of lockstep/rule.h, built in (rule_h_text.c, made by CMake), so
 * modules can be compiled without the source tree. */
extern const unsigned char user_rules_rule_h[];
extern const size_t user_rules_rule_h_size;

#endif
