/*
 * rule_select.c — `--rule NAME` for check, scan and sim: which rules of a
 * set (the built-in rules, or the rules of the specs given) a run applies.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

bool cli_rule_named(const struct ls_rule *rule, char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(rule->name, names[i]) == 0)
            return true;
    return count == 0;
}

int cli_check_rule_names(const char *command, const struct ls_rule *const *set,
                         char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        const struct ls_rule *const *r = set;
        while (*r && strcmp((*r)->name, names[i]) != 0)
            r++;
        if (!*r) {
            fprintf(stderr, "lockstep %s: error: no rule named '%s'; %s\n", command, names[i],
                    set == ls_shipped_rules ? "'lockstep rules' lists them"
                                            : "it is in none of the specs given");
            return -1;
        }
    }
    return 0;
}
