/*
 * test_parse.c — unit tests of the front end below sema: the re2c lexer,
 * the preprocessor and the Lemon grammar (AST shapes, precedence, error
 * messages).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lexer.h"
#include "parse.h"

static struct src_manager sm;
static struct diag d;
static char *diag_text;
static size_t diag_len;
static FILE *diag_out;

static void start(void)
{
    src_init(&sm);
    diag_out = open_memstream(&diag_text, &diag_len);
    diag_init(&d, &sm, diag_out);
}

/* Diagnostics printed since start(). */
static const char *diagnostics(void)
{
    fflush(diag_out);
    return diag_text;
}

static void finish(void)
{
    fclose(diag_out);
    free(diag_text);
    diag_text = NULL;
    src_free(&sm);
}

static struct ast_rule *parse(const char *text)
{
    static const char *const dirs[] = { LOCKSTEP_SOURCE_DIR "/specs/include" };
    struct parse_options opt = { dirs, 1 };
    return parse_buffer(&sm, &d, "t.slic", text, strlen(text), &opt);
}

/* ---- lexer ------------------------------------------------------------- */

static void lexer_tokens(void)
{
    start();
    const char *text = "\xEF\xBB\xBF" "watch F.exit.$12; x = 0xffffffffffffffff + 017 + 'a' + '\\n';\n"
                       "  \"a\\\"b\" $return -> ## #";
    uint32_t f = src_add_buffer(&sm, "l.slic", text, strlen(text));
    struct lexer lx;
    struct token t;
    lex_init(&lx, &d, f, sm.files[f].text, sm.files[f].size);
    static const int kinds[] = {
        TK_ID, TK_ID, TK_DOT, TK_ID, TK_DOT, TK_PARAM, TK_SEMI, TK_ID, TK_ASSIGN,
        TK_INTEGER, TK_PLUS, TK_INTEGER, TK_PLUS, TK_INTEGER, TK_PLUS, TK_INTEGER, TK_SEMI,
        TK_STRING, TK_RETURN, TK_ARROW, TK_HASHHASH, TK_HASH, TK_EOF,
    };
    int64_t values[32] = { 0 };
    bool bol[32] = { false };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        CHECK(lex_next(&lx, &t) == kinds[i]);
        values[i] = t.value;
        bol[i] = t.bol;
        if (i == 17) {
            char buf[16];
            size_t n = lex_string_value(&t, buf);
            CHECK(n == 3 && memcmp(buf, "a\"b", 3) == 0);
        }
    }
    CHECK(values[5] == 12);                 /* $12 */
    CHECK(values[9] == -1);                 /* all 64 bits set */
    CHECK(values[11] == 15);                /* octal */
    CHECK(values[13] == 'a');
    CHECK(values[15] == '\n');
    CHECK(bol[0] && !bol[1] && bol[17]);    /* first token of each line */
    CHECK(strcmp(diagnostics(), "") == 0);
    finish();
}

static void lexer_errors(void)
{
    static const struct { const char *text, *message; } cases[] = {
        { "x = \"abc\n", "missing terminating '\"' character" },
        { "/* open", "unterminated comment" },
        { "x = `", "unexpected character '`'" },
        { "x = \x01", "unexpected character '\\x01'" },
        { "$999999999", "parameter number '$999999999' is too large" },
        { "18446744073709551616", "does not fit in 64 bits" },
        { "9223372036854775808", "does not fit in 64 bits" },
        { "08", "invalid number '08'" },
        { "$name", "unexpected '$name'" },
        { "'", "missing terminating ' character" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        start();
        uint32_t f = src_add_buffer(&sm, "e.slic", cases[i].text, strlen(cases[i].text));
        struct lexer lx;
        struct token t;
        lex_init(&lx, &d, f, sm.files[f].text, sm.files[f].size);
        int kind;
        while ((kind = lex_next(&lx, &t)) != TK_EOF && kind != TK_ILLEGAL)
            ;
        CHECK(kind == TK_ILLEGAL);
        CHECK(strstr(diagnostics(), cases[i].message) != NULL);
        finish();
    }
}

/* ---- preprocessor ------------------------------------------------------ */

/* The first handler's first statement of a rule whose body is `{ n = E; }`. */
static struct ast_expr *assigned_value(struct ast_rule *r)
{
    return r->handlers->body->body->value;
}

static void macros(void)
{
    start();
    struct ast_rule *r = parse(
        "#define TWO 2\n"
        "#define ADD(a, b) ((a) + (b))\n"
        "#define SELF SELF\n"
        "#define EMPTY()\n"
        "#define NESTED(x) ADD(x, TWO)\n"
        "state { int n = 0; }\n"
        "F.entry { n = NESTED(ADD(1, TWO)) EMPTY(); }\n");
    CHECK(r != NULL);
    if (r) {
        struct ast_expr *e = assigned_value(r);   /* ((1 + 2) + 2) */
        CHECK(e->kind == EXPR_BINARY && e->op == OP_ADD);
        CHECK(e->b->kind == EXPR_INT && e->b->value == 2);
        CHECK(e->b->loc.expansion != 0);          /* came from TWO */
        CHECK(e->a->kind == EXPR_BINARY && e->a->a->value == 1);
        CHECK(e->a->a->loc.expansion == 0);       /* written by the user */
        ast_free(r);
    }
    CHECK(strcmp(diagnostics(), "") == 0);
    finish();

    start();                                      /* a macro never expands in itself */
    r = parse("#define SELF SELF + 1\nstate { int n = 0; }\nF.entry { n = SELF; }\n");
    CHECK(r != NULL);
    if (r) {
        struct ast_expr *e = assigned_value(r);
        CHECK(e->kind == EXPR_BINARY && e->a->kind == EXPR_NAME && strcmp(e->a->name, "SELF") == 0);
        ast_free(r);
    }
    finish();
}

static void conditionals(void)
{
    start();
    struct ast_rule *r = parse(
        "#define A 1\n"
        "#if defined(A) && A + 1 == 2\n"
        "#  ifdef B\n"
        "state { int wrong1 = 0; }\n"
        "#  elif 0\n"
        "state { int wrong2 = 0; }\n"
        "#  else\n"
        "state { int right = 0; }\n"
        "#  endif\n"
        "#elif 1\n"
        "state { int wrong3 = 0; }\n"
        "#else\n"
        "#error not reached\n"
        "#endif\n"
        "#undef A\n"
        "#ifndef A\n"
        "F.entry { right = 1; }\n"
        "#endif\n");
    CHECK(r != NULL);
    if (r) {
        CHECK(r->vars && strcmp(r->vars->name, "right") == 0 && !r->vars->next);
        CHECK(r->handlers != NULL);
        ast_free(r);
    }
    CHECK(strcmp(diagnostics(), "") == 0);
    finish();
}

static void includes(void)
{
    char dir[] = "/tmp/lockstep-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], hdr[128];
    snprintf(path, sizeof path, "%s/rule.slic", dir);
    snprintf(hdr, sizeof hdr, "%s/local.h", dir);
    FILE *f = fopen(hdr, "w");
    fputs("#pragma once\n#define LOCAL 7\n", f);
    fclose(f);
    f = fopen(path, "w");
    fputs("#include \"local.h\"\n#include \"local.h\"\n#include <irql.h>\n"
          "state { int n = LOCAL; }\nF.entry { n = DISPATCH_LEVEL; }\n", f);
    fclose(f);

    start();
    static const char *const dirs[] = { LOCKSTEP_SOURCE_DIR "/specs/include" };
    struct parse_options opt = { dirs, 1 };
    struct ast_rule *r = parse_file(&sm, &d, path, &opt);
    CHECK(r != NULL);
    if (r) {
        CHECK(r->vars->init->value == 7);
        CHECK(assigned_value(r)->value == 2);
        struct src_loc at = assigned_value(r)->loc;
        CHECK(sm.files[at.file].included_from.file != 0);          /* spelled in irql.h */
        CHECK(src_spelled_at(&sm, at).file == 1);                   /* used in the rule */
        ast_free(r);
    }
    CHECK(strcmp(diagnostics(), "") == 0);
    finish();
    unlink(path);
    unlink(hdr);
    rmdir(dir);
}

/* ---- grammar ------------------------------------------------------------ */

static void rule_shape(void)
{
    start();
    struct ast_rule *r = parse(
        "rule R { model \"m\"; summary \"a\" \"b\"; }\n"
        "state { enum { u, l } s = u; int *p; int n; }\n"
        "watch A.exit.(*$2);\n"
        "[A | B, sdv_C].exit [guard || null *$2] { s = l; n++; p -= 2; }\n"
        "D.entry [guard $return] { if (s == u) if (n) halt; else abort \"x\"; }\n");
    CHECK(r != NULL);
    if (r) {
        CHECK(strcmp(r->meta_name, "R") == 0);
        CHECK(strcmp(r->meta->next->value, "ab") == 0);      /* concatenated */
        struct ast_var *v = r->vars;
        CHECK(v->is_enum && v->const_count == 2 && v->consts->next->value == 1);
        CHECK(v->next->is_pointer && !v->next->next->is_pointer);
        CHECK(r->watches->key->kind == EXPR_UNARY && r->watches->key->op == OP_DEREF);
        struct ast_handler *h = r->handlers;
        CHECK(strcmp(h->events->next->next->name, "sdv_C") == 0);
        CHECK(h->guard_or_null && h->guard->op == OP_DEREF && h->guard->a->param == 2);
        struct ast_stmt *inc = h->body->body->next;
        CHECK(inc->kind == STMT_ASSIGN && inc->op == OP_ADD && inc->value->value == 1);
        CHECK(inc->next->op == OP_SUB);
        /* dangling else: binds to the inner if */
        struct ast_stmt *outer = h->next->body->body;
        CHECK(outer->kind == STMT_IF && outer->else_stmt == NULL);
        CHECK(outer->then_stmt->else_stmt && outer->then_stmt->else_stmt->kind == STMT_ABORT);
        CHECK(h->next->guard->kind == EXPR_RETURN);
        ast_free(r);
    }
    CHECK(strcmp(diagnostics(), "") == 0);
    finish();
}

static void precedence(void)
{
    start();
    struct ast_rule *r = parse("state { int n; }\n"
                               "F.entry { n = 1 + 2 * 3 == 7 && !$1 || $2->a.b ? -1 : ~0; }\n");
    CHECK(r != NULL);
    if (r) {
        struct ast_expr *e = assigned_value(r);
        CHECK(e->kind == EXPR_COND);
        struct ast_expr *c = e->a;                        /* (... && ...) || ... */
        CHECK(c->op == OP_OR && c->a->op == OP_AND);
        struct ast_expr *eq = c->a->a;
        CHECK(eq->op == OP_EQ && eq->a->op == OP_ADD && eq->a->b->op == OP_MUL);
        CHECK(c->a->b->op == OP_NOT);
        CHECK(c->b->kind == EXPR_MEMBER && !c->b->arrow && c->b->a->arrow);
        CHECK(e->b->op == OP_NEG && e->c->op == OP_BITNOT);
        ast_free(r);
    }
    finish();
}

static void syntax_errors(void)
{
    static struct { const char *text, *message; } cases[] = {
        { "state { int n; }\nF.entry { n = 1 }\n", "t.slic:2:17: error: expected ';' before '}'" },
        { "state { int n; }\nF.entry { n = 1;\n", "expected '}' at end of input" },
        { "F.entry { }\n}", "unmatched '}'" },
        { "F.start { }", "unknown event kind 'start'" },
        { "select one { }", "not supported yet" },
        { "F.entry { } with guard (a)", "'with guard' clauses are not supported yet" },
        { "state { int n; } state { int m; }", "duplicate 'state' block" },
        { "rule A { } rule B { }", "duplicate 'rule' header" },
        { "F.entry { if (1 { } }", "expected ')' before '{'" },
        { "state { int n; }\nF.entry { n = ; }\n", "expected an expression before ';'" },
        { NULL, "expression or statement nested too deeply" },      /* filled below */
    };
    static char deep[3000];                 /* 2000 '!' in a row */
    size_t n = (size_t)snprintf(deep, sizeof deep, "state { int n; } F.entry { n = ");
    memset(deep + n, '!', 2000);
    snprintf(deep + n + 2000, sizeof deep - n - 2000, "1; }");
    cases[sizeof cases / sizeof cases[0] - 1].text = deep;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        start();
        struct ast_rule *r = parse(cases[i].text);
        CHECK(r == NULL);
        if (r)
            ast_free(r);
        CHECK(strstr(diagnostics(), cases[i].message) != NULL);
        if (!strstr(diagnostics(), cases[i].message))
            fprintf(stderr, "  case %zu printed:\n%s", i, diagnostics());
        finish();
    }
}

int main(void)
{
    lexer_tokens();
    lexer_errors();
    macros();
    conditionals();
    includes();
    rule_shape();
    precedence();
    syntax_errors();
    return check_done("test_parse");
}
