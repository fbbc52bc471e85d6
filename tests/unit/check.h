/*
 * check.h — the whole unit-test framework: CHECK(cond) and CHECK_STR(got,
 * want) print "FAIL: file:line: what" and count; check_done(name) prints
 * the summary and returns main()'s exit status.  Include it once per test.
 */
#ifndef LS_TESTS_CHECK_H
#define LS_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_count, check_failures;

#define CHECK(cond) check_str(!!(cond), NULL, NULL, __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want) check_str(0, (got), (want), __FILE__, __LINE__, \
                                       #got " == " #want)

/* Counts one check: ok, or (when want is set) got equal to want.  A failed
 * string comparison prints both strings. */
static inline void check_str(int ok, const char *got, const char *want,
                             const char *file, int line, const char *what)
{
    if (want)
        ok = got && strcmp(got, want) == 0;
    check_count++;
    if (ok)
        return;
    check_failures++;
    printf("FAIL: %s:%d: %s\n", file, line, what);
    if (want)
        printf("--- got:\n%s\n--- expected:\n%s\n---\n", got ? got : "(null)", want);
}

static inline int check_done(const char *name)
{
    if (check_failures)
        return 1;
    printf("%s: %d checks passed\n", name, check_count);
    return 0;
}

#endif
