/*
 * diag.h — diagnostics in one fixed format:
 *
 *     file:line:col: error: message
 *         source line
 *         ^~~~
 *
 * followed by notes for the #include chain and macro expansions involved.
 * The context counts errors and warnings and stops accepting errors past a
 * limit; callers ask diag_should_stop() to give up early.
 */
#ifndef LS_DSL_DIAG_H
#define LS_DSL_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

struct diag {
    struct src_manager *sm;
    FILE *out;              /* where diagnostics go; NULL discards them      */
    int error_count;
    int warning_count;
    int max_errors;         /* stop after this many errors (0: no limit)     */
    bool warnings_as_errors;
    bool color;             /* ANSI colours (a terminal)                     */
};

void diag_init(struct diag *d, struct src_manager *sm, FILE *out);

/* Report a diagnostic at loc (file 0: no position, printed as "lockstep:").
 * Printf-style message; quote constructs in single quotes. */
void diag_report(struct diag *d, enum diag_level level, struct src_loc loc,
                 const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define diag_error(d, loc, ...)   diag_report((d), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_report((d), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(d, loc, ...)    diag_report((d), DIAG_NOTE, (loc), __VA_ARGS__)

/* True once the error limit is reached (the "too many errors" note has
 * been printed); phases should stop. */
bool diag_should_stop(const struct diag *d);

#endif
