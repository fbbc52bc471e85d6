/*
 * compile.h — one spec through the whole compiler: parse, check, and
 * write the requested artefact.  Used by `lockstep compile`, the tests and
 * the benchmark.  Outputs are written to a temporary file and renamed into
 * place, so an error never leaves a half-written module behind.
 */
#ifndef LS_COMPILER_COMPILE_H
#define LS_COMPILER_COMPILE_H

#include <stdbool.h>

#include "../dsl/diag.h"

enum compile_emit {
    COMPILE_CHECK,          /* diagnostics only                              */
    COMPILE_C,              /* <Rule>.c and <Rule>.h                         */
    COMPILE_DOT,            /* Graphviz state diagram                        */
    COMPILE_JSON            /* JSON description                              */
};

struct compile_options {
    enum compile_emit emit;
    const char *out_dir;    /* C: modules go to out_dir/<model>/             */
    const char *out_file;   /* dot/json: this file ("-" or NULL: stdout);
                               C: the .c path (the .h goes beside it)        */
    const char *const *include_dirs;    /* searched after the spec's dir     */
    int include_dir_count;
};

/* Results of compile_spec. */
enum {
    COMPILE_OK = 0,         /* compiled (warnings may have been reported)    */
    COMPILE_ERRORS = 1,     /* the spec has errors (reported)                */
    COMPILE_IO_ERROR = 2    /* an output could not be written (reported)     */
};

struct ast_rule;
struct parse_options;

/* Parse and check the spec at path, reporting to d: the rule, with its
 * spec_sha256 set, ready for an emitter (free it with ast_free), or NULL
 * when the spec has errors. */
struct ast_rule *compile_checked_rule(struct diag *d, const char *path,
                                      const struct parse_options *popt);

/* Compile the spec at path, reporting to d (whose source manager must be
 * fresh or shared only with earlier specs). */
int compile_spec(struct diag *d, const char *path, const struct compile_options *opt);

/* lockstep's own rule include directory: $LOCKSTEP_INCLUDE if set, else
 * the installed share/lockstep/include beside the running binary, else the
 * source tree's specs/include. */
const char *compile_default_include_dir(void);

#endif
