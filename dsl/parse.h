/*
 * parse.h — the front end's entry point: preprocess a spec file (its
 * #include and #define), tokenize it and parse it into an ast_rule.
 */
#ifndef LS_DSL_PARSE_H
#define LS_DSL_PARSE_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"

struct parse_options {
    const char *const *include_dirs;    /* -I paths, then lockstep's own
                                           include directory, in order       */
    int include_dir_count;
};

/* Parse the spec at path.  Returns the rule (free with ast_free) or NULL
 * when the file could not be read or had syntax errors; all problems are
 * reported to d. */
struct ast_rule *parse_file(struct src_manager *sm, struct diag *d,
                            const char *path, const struct parse_options *opt);

/* The same for text already in memory (tests, the fuzzer); name is used in
 * diagnostics and to resolve #include "x.h" relative to it. */
struct ast_rule *parse_buffer(struct src_manager *sm, struct diag *d,
                              const char *name, const char *text, size_t size,
                              const struct parse_options *opt);

#endif
