/*
 * lexer.re — tokenizer for .slic spec files, turned into C by re2c.
 *
 * The input is a whole file held by the source manager, NUL-terminated, so
 * the lexer uses the sentinel method with a bounds check (re2c:eof): a NUL
 * before the end of the buffer is an ordinary (illegal) character.  Every
 * token records its start, so each diagnostic has an exact column.
 * Lexical errors are reported here and end the token stream (TK_ILLEGAL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lexer.h"

/*!re2c
    re2c:api:style = free-form;
    re2c:define:YYCTYPE  = "unsigned char";
    re2c:define:YYCURSOR = "lx->cur";
    re2c:define:YYMARKER = "lx->mar";
    re2c:define:YYLIMIT  = "lx->lim";
    re2c:yyfill:enable   = 0;
    re2c:eof             = 0;

    letter  = [A-Za-z_];
    digit   = [0-9];
    hex     = [0-9A-Fa-f];
    ident   = letter (letter | digit)*;
    isuffix = [uUlL]* | "i64" | "ui64";
    decimal = [1-9] digit* isuffix;
    octal   = "0" [0-7]* isuffix;
    hexnum  = "0" [xX] hex+ isuffix;
    badnum  = digit (letter | digit)*;
    space   = [ \t\v\f\r]+ | "\\" "\r"? "\n";
    newline = "\n";
    escape  = "\\" [^\n\x00];
*/

void lex_init(struct lexer *lx, struct diag *d, uint32_t file,
              const char *text, size_t size)
{
    lx->base = (const unsigned char *)text;
    lx->cur = lx->base;
    lx->lim = lx->base + size;
    lx->mar = lx->tok = lx->cur;
    lx->file = file;
    lx->bol = true;
    lx->diag = d;
    /* A UTF-8 byte order mark is not part of the text. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        lx->cur += 3;
}

static struct src_loc loc_at(const struct lexer *lx, const unsigned char *p,
                             size_t len)
{
    struct src_loc loc = { lx->file, (uint32_t)(p - lx->base),
                           len ? (uint32_t)len : 1, 0 };
    return loc;
}

/* Report an error covering len bytes at the current token and return
 * TK_ILLEGAL.  The message is printf-style. */
static int lex_error(struct lexer *lx, struct token *t, size_t len,
                     const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(lx->diag, loc_at(lx, lx->tok, len), "%s", msg);
    t->kind = TK_ILLEGAL;
    return TK_ILLEGAL;
}

/* Value of an integer literal; false if it does not fit in 64 bits. */
static bool integer_value(const unsigned char *s, const unsigned char *e,
                          int64_t *value)
{
    unsigned base = 10;
    uint64_t v = 0;
    if (s[0] == '0' && s + 1 < e && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    for (; s < e; s++) {
        unsigned digit;
        if (*s >= '0' && *s <= '9') digit = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') digit = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') digit = *s - 'A' + 10;
        else break;                         /* a suffix */
        if (v > (UINT64_MAX - digit) / base)
            return false;
        v = v * base + digit;
    }
    /* Decimal constants are signed; hexadecimal and octal ones may use all
     * 64 bits (pointer values), read as their two's complement. */
    if (base == 10 && v > INT64_MAX)
        return false;
    *value = (int64_t)v;
    return true;
}

/* Value of the character after a backslash in '\n'-style literals. */
static int64_t escape_value(unsigned char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return 0;
    default:  return c;
    }
}

/* Name of a character for "unexpected character" messages. */
static const char *char_name(unsigned char c, char buf[16])
{
    static const char hexdigits[] = "0123456789abcdef";
    if (c >= 0x21 && c < 0x7f) {
        buf[0] = (char)c;
        buf[1] = '\0';
    } else {
        memcpy(buf, "\\x", 2);
        buf[2] = hexdigits[c >> 4];
        buf[3] = hexdigits[c & 15];
        buf[4] = '\0';
    }
    return buf;
}

int lex_next(struct lexer *lx, struct token *t)
{
    bool space = false;
    char name[16];

    for (;;) {
        lx->tok = lx->cur;
        t->kind = TK_ILLEGAL;
/*!re2c
    space           { space = true; continue; }
    newline         { lx->bol = true; space = true; continue; }
    "//" [^\n\x00]* { space = true; continue; }
    "/*"            { goto block_comment; }
    $               { t->kind = TK_EOF; goto done; }

    ident           { t->kind = TK_ID; goto done; }
    decimal | octal | hexnum {
                      if (!integer_value(lx->tok, lx->cur, &t->value))
                          return lex_error(lx, t, lx->cur - lx->tok,
                              "integer constant '%.*s' does not fit in 64 bits",
                              (int)(lx->cur - lx->tok), lx->tok);
                      t->kind = TK_INTEGER; goto done; }
    badnum          { return lex_error(lx, t, lx->cur - lx->tok,
                          "invalid number '%.*s'",
                          (int)(lx->cur - lx->tok), lx->tok); }
    "'" [^'\\\n\x00] "'" { t->value = lx->tok[1]; t->kind = TK_INTEGER; goto done; }
    "'" escape "'"  { t->value = escape_value(lx->tok[2]); t->kind = TK_INTEGER; goto done; }
    "'"             { return lex_error(lx, t, 1,
                          "missing terminating ' character"); }
    "\"" ([^"\\\n\x00] | escape)* "\"" { t->kind = TK_STRING; goto done; }
    "\""            { return lex_error(lx, t, 1,
                          "missing terminating '\"' character"); }
    "$" digit+      {
                      int64_t n = 0;
                      for (const unsigned char *p = lx->tok + 1; p < lx->cur; p++) {
                          n = n * 10 + (*p - '0');
                          if (n > 999999)
                              return lex_error(lx, t, lx->cur - lx->tok,
                                  "parameter number '%.*s' is too large",
                                  (int)(lx->cur - lx->tok), lx->tok);
                      }
                      t->value = n; t->kind = TK_PARAM; goto done; }
    "$return"       { t->kind = TK_RETURN; goto done; }
    "$" ident       { return lex_error(lx, t, lx->cur - lx->tok,
                          "unexpected '%.*s'; parameters are written '$1', '$2', ... or '$return' ('$fname' is only substituted in abort messages)",
                          (int)(lx->cur - lx->tok), lx->tok); }

    "{"  { t->kind = TK_LBRACE;   goto done; }
    "}"  { t->kind = TK_RBRACE;   goto done; }
    "("  { t->kind = TK_LPAREN;   goto done; }
    ")"  { t->kind = TK_RPAREN;   goto done; }
    "["  { t->kind = TK_LBRACKET; goto done; }
    "]"  { t->kind = TK_RBRACKET; goto done; }
    ";"  { t->kind = TK_SEMI;     goto done; }
    ","  { t->kind = TK_COMMA;    goto done; }
    "."  { t->kind = TK_DOT;      goto done; }
    "->" { t->kind = TK_ARROW;    goto done; }
    "?"  { t->kind = TK_QUESTION; goto done; }
    ":"  { t->kind = TK_COLON;    goto done; }
    "="  { t->kind = TK_ASSIGN;   goto done; }
    "+=" { t->kind = TK_PLUSEQ;   goto done; }
    "-=" { t->kind = TK_MINUSEQ;  goto done; }
    "++" { t->kind = TK_INC;      goto done; }
    "--" { t->kind = TK_DEC;      goto done; }
    "+"  { t->kind = TK_PLUS;     goto done; }
    "-"  { t->kind = TK_MINUS;    goto done; }
    "*"  { t->kind = TK_STAR;     goto done; }
    "/"  { t->kind = TK_SLASH;    goto done; }
    "%"  { t->kind = TK_PERCENT;  goto done; }
    "<<" { t->kind = TK_SHL;      goto done; }
    ">>" { t->kind = TK_SHR;      goto done; }
    "<"  { t->kind = TK_LT;       goto done; }
    "<=" { t->kind = TK_LE;       goto done; }
    ">"  { t->kind = TK_GT;       goto done; }
    ">=" { t->kind = TK_GE;       goto done; }
    "==" { t->kind = TK_EQ;       goto done; }
    "!=" { t->kind = TK_NE;       goto done; }
    "&"  { t->kind = TK_AMP;      goto done; }
    "^"  { t->kind = TK_CARET;    goto done; }
    "|"  { t->kind = TK_PIPE;     goto done; }
    "&&" { t->kind = TK_ANDAND;   goto done; }
    "||" { t->kind = TK_OROR;     goto done; }
    "!"  { t->kind = TK_BANG;     goto done; }
    "~"  { t->kind = TK_TILDE;    goto done; }
    "#"  { t->kind = TK_HASH;     goto done; }
    "##" { t->kind = TK_HASHHASH; goto done; }

    *    { return lex_error(lx, t, 1, "unexpected character '%s'",
                            char_name(lx->tok[0], name)); }
*/

block_comment:
        /* Inside a comment: only its end, newlines and end of input matter. */
        for (;;) {
/*!re2c
    "*/"          { space = true; break; }
    newline       { lx->bol = true; continue; }
    $             { lx->cur = lx->tok; /* rewind to the comment start */
                    return lex_error(lx, t, 2, "unterminated comment"); }
    [^*\n\x00]+ | "*" | [\x00] { continue; }
*/
        }
        continue;
    }

done:
    t->text = (const char *)lx->tok;
    t->len = (uint32_t)(lx->cur - lx->tok);
    t->loc = loc_at(lx, lx->tok, t->len);
    t->bol = lx->bol;
    t->space = space;
    t->noexpand = false;
    if (t->kind != TK_EOF)
        lx->bol = false;
    return t->kind;
}

size_t lex_string_value(const struct token *t, char *buf)
{
    const char *s = t->text + 1, *e = t->text + t->len - 1;
    size_t n = 0;
    while (s < e) {
        if (*s != '\\') {
            buf[n++] = *s++;
            continue;
        }
        s++;
        buf[n++] = (char)escape_value((unsigned char)*s++);
    }
    return n;
}
