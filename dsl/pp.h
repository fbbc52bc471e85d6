/*
 * pp.h — the preprocessor for spec files: #include, #define (object- and
 * function-like), #undef, #if/#ifdef/#ifndef/#elif/#else/#endif, #error,
 * #warning, #pragma once.  It pulls tokens from one lexer per open file
 * and hands the parser a single stream of expanded tokens.
 *
 * Locations stay exact: a token from a header points into the header, a
 * token produced by a macro carries an expansion id (source.h) naming the
 * use site and the definition.
 */
#ifndef LS_DSL_PP_H
#define LS_DSL_PP_H

#include "lexer.h"
#include "parse.h"

struct pp;

struct pp *pp_new(struct src_manager *sm, struct diag *d,
                  const struct parse_options *opt);
void pp_free(struct pp *p);

/* Start reading the file with id `file` (already loaded). */
void pp_push_file(struct pp *p, uint32_t file);

/* Next expanded token.  Returns TK_EOF at the end of the main file, or
 * TK_ILLEGAL after an error was reported (the caller stops). */
int pp_next(struct pp *p, struct token *t);

#endif
