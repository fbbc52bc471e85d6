/*
 * lexer.h — the re2c tokenizer for spec files (lexer.re).
 *
 * A token is a kind, a pointer + length into the loaded source (never a
 * copy), and a location.  The lexer knows nothing of directives or
 * keywords: `#` is a token like any other and words are TK_ID; the
 * preprocessor (pp.c) runs directives and the parser driver (parse.c) maps
 * keywords.  Token kinds are the TK_ constants Lemon writes to grammar.h.
 */
#ifndef LS_DSL_LEXER_H
#define LS_DSL_LEXER_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "grammar.h"

#define TK_EOF 0

struct token {
    int kind;               /* TK_*; TK_EOF at the end of input              */
    const char *text;       /* spelling, in the source manager's copy        */
    uint32_t len;
    struct src_loc loc;
    bool bol;               /* first token on its line                       */
    bool space;             /* white space (or a comment) precedes it        */
    bool noexpand;          /* preprocessor: never expand this name again    */
    int64_t value;          /* TK_INTEGER value; TK_PARAM number             */
};

struct lexer {
    const unsigned char *cur, *lim, *mar, *tok, *base;
    uint32_t file;
    bool bol;
    struct diag *diag;
};

void lex_init(struct lexer *lx, struct diag *d, uint32_t file,
              const char *text, size_t size);

/* Next token into *t.  Returns t->kind: TK_EOF at the end, TK_ILLEGAL after
 * reporting a lexical error (the caller stops). */
int lex_next(struct lexer *lx, struct token *t);

/* Decode a string literal token (with its quotes) into buf; returns the
 * decoded length.  buf needs at most t->len bytes. */
size_t lex_string_value(const struct token *t, char *buf);

#endif
