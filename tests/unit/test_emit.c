/*
 * test_emit.c — the back ends: the output helper (line counting, the
 * three string escapers), the C module (header layout, handler table,
 * step with its #line directives, helpers only when used, the tables and
 * the descriptor), the Graphviz diagram and the JSON description, for a
 * small rule parsed from memory and for a hand-built rule with no state,
 * no handlers and no locations.  When `cc` and `dot` are on the PATH the
 * generated module is compiled with the flags the project promises and
 * the diagram is rendered.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "emit.h"
#include "emit_out.h"
#include "parse.h"
#include "sema.h"

#ifndef LOCKSTEP_SOURCE_DIR
#define LOCKSTEP_SOURCE_DIR "."
#endif

/* Line numbers below refer to this text (line 1 is "rule Demo {"). */
static const char demo_spec[] =
    "rule Demo {\n"                                         /*  1 */
    "    model \"demo\";\n"                                 /*  2 */
    "    summary \"A lock is not acquired twice.\";\n"      /*  3 */
    "}\n"                                                   /*  4 */
    "\n"                                                    /*  5 */
    "state {\n"                                             /*  6 */
    "    enum { unlocked, locked } s = unlocked;\n"         /*  7 */
    "    int depth = 0;\n"                                  /*  8 */
    "}\n"                                                   /*  9 */
    "\n"                                                    /* 10 */
    "watch KeAcquireSpinLock.exit.$1;\n"                    /* 11 */
    "\n"                                                    /* 12 */
    "KeAcquireSpinLock.exit [guard $1]\n"                   /* 13 */
    "{\n"                                                   /* 14 */
    "    if (s == locked && sdv_irql_current >= 2) {\n"     /* 15 */
    "        abort \"$fname acquires a \\\"held\\\" lock.\";\n" /* 16 */
    "    }\n"                                               /* 17 */
    "    s = locked;\n"                                     /* 18 */
    "    depth = depth + 1;\n"                              /* 19 */
    "}\n"                                                   /* 20 */
    "\n"                                                    /* 21 */
    "[KeReleaseSpinLock, KeReleaseSpinLockFromDpcLevel].entry [guard $1]\n" /* 22 */
    "{\n"                                                   /* 23 */
    "    if (s == unlocked) {\n"                            /* 24 */
    "        halt;\n"                                       /* 25 */
    "    } else {\n"                                        /* 26 */
    "        s = unlocked;\n"                               /* 27 */
    "        depth -= 1;\n"                                 /* 28 */
    "    }\n"                                               /* 29 */
    "}\n";                                                  /* 30 */

#define DEMO_PATH "specs/demo/Demo.slic"
#define DEMO_OUT  "generated/demo/Demo.c"

static bool contains(const char *text, const char *piece)
{
    return text && strstr(text, piece) != NULL;
}

/* Position of piece in text, or -1. */
static long where(const char *text, const char *piece)
{
    const char *p = text ? strstr(text, piece) : NULL;
    return p ? (long)(p - text) : -1;
}

/* Run an emitter into a malloc'd string; out_name as for emit_c_source. */
enum which { C_SOURCE, C_HEADER, DOT, JSON };

static char *run_as(const struct ast_rule *rule, enum which which,
                    const char *out_name, int *rc)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f) {
        *rc = -1;
        return NULL;
    }
    switch (which) {
    case C_SOURCE: *rc = emit_c_source(rule, f, out_name); break;
    case C_HEADER: *rc = emit_c_header(rule, f); break;
    case DOT:      *rc = emit_dot(rule, f); break;
    case JSON:     *rc = emit_json(rule, f); break;
    }
    fclose(f);
    return text;
}

static char *run(const struct ast_rule *rule, enum which which, int *rc)
{
    return run_as(rule, which, DEMO_OUT, rc);
}

static bool have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Write text to dir/name. */
static bool save(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = text ? fopen(path, "w") : NULL;
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* Compile a module as the project promises it compiles (skipped without
 * cc).  Returns false only when the compiler rejects it. */
static bool compiles(const char *name, const char *c, const char *h)
{
    if (!have("cc"))
        return true;
    char dir[] = "/tmp/test_emit.XXXXXX";
    char file[64];
    if (!mkdtemp(dir))
        return false;
    snprintf(file, sizeof file, "%s.c", name);
    bool ok = save(dir, file, c);
    snprintf(file, sizeof file, "%s.h", name);
    ok = ok && save(dir, file, h);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cc -std=c11 -Wall -Wextra -Werror -pedantic -I%s/runtime/include "
             "-c %s/%s.c -o %s/%s.o",
             LOCKSTEP_SOURCE_DIR, dir, name, dir, name);
    ok = ok && system(cmd) == 0;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        ok = false;
    return ok;
}

/* Parse and check a spec from memory (NULL on errors, reported). */
static struct ast_rule *parse(struct src_manager *sm, const char *path, const char *text)
{
    struct diag d;
    diag_init(&d, sm, stderr);
    struct parse_options opt = { NULL, 0 };
    struct ast_rule *rule = parse_buffer(sm, &d, path, text, strlen(text), &opt);
    if (rule && (sema_check(rule, &d) > 0 || d.error_count > 0)) {
        ast_free(rule);
        return NULL;
    }
    return rule;
}

/* ---- emit_out ----------------------------------------------------------- */

static char *quoted(const char *s, enum emit_quote mode)
{
    struct emit_out o;
    emit_init(&o, NULL);
    emit_quoted(&o, s, mode);
    return o.buf;
}

static void test_out(void)
{
    struct emit_out o;
    emit_init(&o, NULL);
    CHECK(o.line == 1);
    emit(&o, "a\nb%d\n", 2);
    emit(&o, "%s", "c\n");
    CHECK(o.line == 4);
    CHECK_STR(o.buf, "a\nb2\nc\n");
    CHECK(emit_finish(&o) == 0);
    free(o.buf);

    /* one escaper, three languages */
    const char *tricky = "q\"b\\n\nt\t?\?=\x01\xc3\xa9\xff";     /* a trigraph */
    char *c = quoted(tricky, EMIT_QUOTE_C);
    char *j = quoted(tricky, EMIT_QUOTE_JSON);
    char *d = quoted(tricky, EMIT_QUOTE_DOT);
    CHECK_STR(c, "\"q\\\"b\\\\n\\nt\\t?\\?=\\001\xc3\xa9\\377\"");
    CHECK_STR(j, "\"q\\\"b\\\\n\\nt\\t?\?=\\u0001\xc3\xa9\\ufffd\"");
    CHECK_STR(d, "\"q\\\"b\\\\n\\nt ?\?= \xc3\xa9?\"");
    free(c);
    free(j);
    free(d);

    emit_init(&o, NULL);
    emit_comment_text(&o, "a */ b\nc");
    CHECK_STR(o.buf, "a * / b c");
    free(o.buf);
}

/* ---- a parsed rule ------------------------------------------------------- */

/* The physical line of the "#line N "generated..."" directive must be N - 1. */
static void check_line_back(const char *c)
{
    const char *p = strstr(c, "#line ");
    const char *back = NULL;
    for (; p; p = strstr(p + 1, "#line "))
        if (strncmp(strchr(p, '"'), "\"" DEMO_OUT "\"", strlen(DEMO_OUT) + 2) == 0)
            back = p;
    CHECK(back != NULL);
    if (!back)
        return;
    long physical = 1;
    for (const char *q = c; q < back; q++)
        physical += *q == '\n';
    CHECK(atol(back + 6) == physical + 1);
}

static void test_c(const struct ast_rule *rule)
{
    int rc;
    char *h = run(rule, C_HEADER, &rc);
    CHECK(rc == 0);
    CHECK(contains(h, " * Generated by lockstep from " DEMO_PATH ";\n"
                      " * do not edit — change the spec and run lockstep compile.\n"));
    CHECK(contains(h, "#ifndef LS_RULE_Demo_H\n#define LS_RULE_Demo_H\n"));
    CHECK(contains(h, "#include <lockstep/rule.h>"));
    CHECK(contains(h, "enum Demo_s {\n    Demo_unlocked = 0,\n    Demo_locked = 1\n};"));
    CHECK(contains(h, "    int32_t depth;  /* int depth = 0; */\n"
                      "    uint8_t s;      /* enum {unlocked, locked} s = unlocked; */\n"));
    CHECK(contains(h, "extern const struct ls_rule ls_rule_Demo;"));

    char *c = run(rule, C_SOURCE, &rc);
    CHECK(rc == 0);
    CHECK(contains(c, "#include \"Demo.h\"\n"));
    CHECK(contains(c, "    /* 0 */ { \"KeAcquireSpinLock\", NULL, LS_EXIT, 0, { LS_OP_ARG, 1 }, 13 },"
                      "  /* KeAcquireSpinLock.exit [guard $1] */\n"));
    CHECK(contains(c, "    /* 2 */ { \"KeReleaseSpinLockFromDpcLevel\", NULL, LS_ENTRY, 0, "
                      "{ LS_OP_ARG, 1 }, 22 },"));
    /* helpers only when used */
    CHECK(contains(c, "static inline ls_word ls_add(ls_word a, ls_word b)"));
    CHECK(contains(c, "static inline ls_word ls_sub(ls_word a, ls_word b)"));
    CHECK(!contains(c, "ls_div"));
    CHECK(!contains(c, "ls_shl"));
    CHECK(contains(c, "static int abort_with("));
    /* init */
    CHECK(contains(c, "    memset(s, 0, sizeof *s);\n    s->s = Demo_unlocked;\n    s->depth = 0;\n"));
    /* step: a case list per handler, #line into the spec, C spelling */
    CHECK(contains(c, "    case 1:     /* KeReleaseSpinLock.entry [guard $1] */\n"
                      "    case 2:     /* KeReleaseSpinLockFromDpcLevel.entry [guard $1] */\n"));
    CHECK(contains(c, "#line 15 \"" DEMO_PATH "\"\n"
                      "        if (s->s == Demo_locked && ls_env_irql(env, 0) >= 2) {\n"
                      "            return abort_with(out, handler, "
                      "\"$fname acquires a \\\"held\\\" lock.\", 16);\n"));
    CHECK(contains(c, "        s->s = Demo_locked;\n"
                      "        s->depth = (int32_t)ls_add(s->depth, 1);\n"));
    CHECK(contains(c, "            return LS_STEP_HALT;\n"));
    CHECK(contains(c, "            s->depth = (int32_t)ls_sub(s->depth, 1);\n"));
    CHECK(contains(c, "    (void)ev;\n"));   /* no $N in a body: guards are the host's */
    check_line_back(c);
    /* format_state and tables */
    CHECK(contains(c, "static const char *const names_s[] = { \"unlocked\", \"locked\" };"));
    CHECK(contains(c, "snprintf(buf, size, \"s=%s depth=%\" PRId32,"));
    CHECK(contains(c, "    { \"KeAcquireSpinLock\", LS_EXIT, { LS_OP_ARG, 1 }, 11 },"));
    CHECK(contains(c, "static const ls_word cases_0[] = { 2 };"));
    CHECK(!contains(c, "ext_operands[]"));
    CHECK(contains(c, "    .ext_operands = NULL,\n    .ext_operand_count = 0,\n"));
    CHECK(contains(c, "const struct ls_rule ls_rule_Demo = {\n    .abi = LS_RULE_ABI,\n"));
    CHECK(contains(c, "    .spec_path = \"" DEMO_PATH "\",\n"));
    CHECK(contains(c, "    .spec_sha256 = \"abc123\",\n"));
    CHECK(contains(c, "    .handler_count = 3,\n"));

    /* deterministic */
    char *again = run(rule, C_SOURCE, &rc);
    CHECK(c && again && strcmp(c, again) == 0);
    free(again);

    CHECK(compiles("Demo", c, h));
    free(c);
    free(h);
}

static void test_dot(const struct ast_rule *rule)
{
    int rc;
    char *d = run(rule, DOT, &rc);
    CHECK(rc == 0);
    CHECK(contains(d, "digraph \"Demo\" {\n"));
    CHECK(contains(d, "one instance per KeAcquireSpinLock.exit.$1"));
    CHECK(contains(d, "    __start -> state_unlocked;\n"));
    CHECK(contains(d, "    state_unlocked -> state_locked [label=\"KeAcquireSpinLock.exit "
                      "[guard $1]\\ndepth = depth + 1\"];\n"));
    /* s == locked is decided; the IRQL test is not */
    CHECK(contains(d, "    state_locked -> __violation_0 [label=\"KeAcquireSpinLock.exit "
                      "[guard $1]\\n[sdv_irql_current >= 2]\", color=red];\n"));
    CHECK(contains(d, "    state_locked -> state_locked [label=\"KeAcquireSpinLock.exit "
                      "[guard $1]\\n[sdv_irql_current < 2]\\ndepth = depth + 1\"];\n"));
    CHECK(contains(d, "shape=doubleoctagon, color=red"));
    CHECK(contains(d, "    state_unlocked -> __halt [label=\"[KeReleaseSpinLock,\\n"
                      "KeReleaseSpinLockFromDpcLevel].entry [guard $1]\"];\n"));
    CHECK(contains(d, "    state_locked -> state_unlocked [label=\"[KeReleaseSpinLock,\\n"
                      "KeReleaseSpinLockFromDpcLevel].entry [guard $1]\\ndepth = depth - 1\"];\n"));
    if (have("dot")) {
        char dir[] = "/tmp/test_emit.XXXXXX";
        if (mkdtemp(dir) && save(dir, "Demo.dot", d)) {
            char cmd[512];
            snprintf(cmd, sizeof cmd, "dot -Tsvg -o /dev/null %s/Demo.dot && rm -rf %s",
                     dir, dir);
            CHECK(system(cmd) == 0);
        }
    }
    free(d);
}

static void test_json(const struct ast_rule *rule)
{
    int rc;
    char *j = run(rule, JSON, &rc);
    CHECK(rc == 0);
    static const char *const order[] = {
        "\"name\": \"Demo\"", "\"model\": \"demo\"", "\"summary\"", "\"severity\"",
        "\"help\"", "\"spec\": {", "\"sha256\": \"abc123\"", "\"abi\": 1",
        "\"state\": [", "\"watches\": [", "\"handlers\": [", "\"ext_operands\": []",
        "\"cases\": [",
    };
    long last = -1;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        long at = where(j, order[i]);
        CHECK(at > last);
        last = at;
    }
    CHECK(contains(j, "    {\n      \"name\": \"s\",\n      \"type\": \"enum\",\n"
                      "      \"init\": \"unlocked\",\n      \"values\": [\n"
                      "        \"unlocked\",\n        \"locked\"\n      ]\n    },\n"));
    CHECK(contains(j, "      \"name\": \"depth\",\n      \"type\": \"int\",\n"
                      "      \"init\": 0\n    }"));
    CHECK(contains(j, "\"function\": \"KeAcquireSpinLock\",\n      \"when\": \"exit\",\n"
                      "      \"key\": \"$1\"\n"));
    CHECK(contains(j, "      \"roles\": [\n        null,\n        null\n      ],\n"));
    CHECK(contains(j, "      \"guard\": \"$1\",\n      \"guard_or_null\": false,\n"
                      "      \"line\": 13,\n"));
    CHECK(contains(j, "\"message\": \"$fname acquires a \\\"held\\\" lock.\",\n"
                      "          \"line\": 16\n"));
    CHECK(contains(j, "      \"aborts\": []\n"));
    CHECK(contains(j, "\"function\": null,\n      \"when\": \"exit\",\n"
                      "      \"operand\": \"sdv_irql_current\",\n"
                      "      \"values\": [\n        2\n      ]\n"));
    CHECK(j && j[strlen(j) - 1] == '\n' && j[strlen(j) - 2] == '}');
    free(j);
}

/* ---- a hand-built rule: no state, no handlers, no locations ------------- */

static void test_bare(void)
{
    struct ast_rule *r = ast_rule_new(NULL, "specs/x/Bare.slic", 0);
    r->name = "Bare";
    r->model = "x";
    r->summary = r->severity = r->help = "";
    int rc;
    char *h = run(r, C_HEADER, &rc);
    CHECK(rc == 0);
    CHECK(contains(h, "    uint8_t unused;"));
    char *c = run_as(r, C_SOURCE, "Bare.c", &rc);
    CHECK(rc == 0);
    CHECK(contains(c, "#include \"Bare.h\"\n"));
    CHECK(contains(c, "    (void)handler;\n    return LS_STEP_CONTINUE;\n"));
    CHECK(contains(c, "    .handlers = NULL,\n    .handler_count = 0,\n"));
    CHECK(contains(c, "    .watches = NULL,"));
    CHECK(!contains(c, "\n#line"));
    CHECK(!contains(c, "abort_with"));
    CHECK(contains(c, "return snprintf(buf, size, \"%s\", \"\");"));
    char *d = run(r, DOT, &rc);
    CHECK(rc == 0);
    CHECK(contains(d, "one global instance"));
    CHECK(contains(d, "    __start -> state_S;\n"));
    char *j = run(r, JSON, &rc);
    CHECK(rc == 0);
    CHECK(contains(j, "  \"state\": [],\n  \"watches\": [],\n  \"handlers\": [],\n"));
    CHECK(compiles("Bare", c, h));
    free(h);
    free(c);
    free(d);
    free(j);
    ast_free(r);
}

/* ---- expressions --------------------------------------------------------- */

static const char arith_spec[] =
    "state {\n"
    "    enum { a, b } e = a;\n"
    "    int n = -9223372036854775807 - 1;\n"
    "}\n"
    "watch KeAcquireSpinLockRaiseToDpc.exit.(*$1);\n"
    "KeAcquireSpinLockRaiseToDpc.exit [guard || null *$1]\n"
    "{\n"
    "    n = n / $return % 7 << 2 >> -n;\n"
    "    n = 5000000000;\n"
    "    n = -5;\n"
    "    e = n == 5000000000 || e >= 0 ? b : a;\n"
    "    if (!(*$1 > 0) == 1 || (n & 4) == 0 && n != 2)\n"
    "        e = b;\n"
    "}\n";

static void test_expressions(void)
{
    struct src_manager sm;
    src_init(&sm);
    struct ast_rule *r = parse(&sm, "specs/demo/Arith.slic", arith_spec);
    CHECK(r != NULL);
    if (!r) {
        src_free(&sm);
        return;
    }
    int rc;
    char *c = run_as(r, C_SOURCE, "Arith.c", &rc);
    char *h = run(r, C_HEADER, &rc);
    CHECK(contains(c, "{ \"KeAcquireSpinLockRaiseToDpc\", NULL, LS_EXIT, 1, { LS_OP_EXT, 0 }, 6 },"));
    CHECK(contains(c, "    s->n = (int32_t)(-INT64_C(9223372036854775807) - 1);\n"));
    CHECK(contains(c, "        s->n = (int32_t)ls_shr(ls_shl(ls_mod(ls_div(s->n, ev->ret), 7), 2), "
                      "ls_neg(s->n));\n"));
    CHECK(contains(c, "        s->n = (int32_t)INT64_C(5000000000);\n"));
    CHECK(contains(c, "        s->n = -5;\n"));
    CHECK(contains(c, "        s->e = (uint8_t)(0 /* n == 5000000000: always false for its C type */"
                      " || 1 /* e >= 0: always true for its C type */ ? Arith_b : Arith_a);\n"));
    CHECK(contains(c, "        if ((!(ls_event_ext(ev, 0) /* *$1 */ > 0)) == 1 || "
                      "((s->n & 4) == 0 && s->n != 2)) {\n"));
    CHECK(contains(c, "    /* 0 */ { \"*$1\", 1, 1, \"\" },\n"));
    CHECK(contains(c, "static inline ls_word ls_div(") && contains(c, "static inline ls_word ls_shr("));
    CHECK(!contains(c, "ls_add(") && !contains(c, "ls_mul("));
    CHECK(compiles("Arith", c, h));

    char *j = run(r, JSON, &rc);
    CHECK(contains(j, "      \"guard\": \"*$1\",\n      \"guard_or_null\": true,\n"));
    CHECK(contains(j, "  \"ext_operands\": [\n    {\n      \"text\": \"*$1\",\n"
                      "      \"arg\": 1,\n      \"deref\": true,\n      \"path\": \"\"\n"));
    char *d = run(r, DOT, &rc);
    CHECK(contains(d, "[guard || null *$1]"));
    free(c);
    free(h);
    free(j);
    free(d);
    ast_free(r);
    src_free(&sm);
}

int main(void)
{
    test_out();

    struct src_manager sm;
    src_init(&sm);
    struct ast_rule *rule = parse(&sm, DEMO_PATH, demo_spec);
    CHECK(rule != NULL);
    if (rule) {
        strcpy(rule->spec_sha256, "abc123");
        test_c(rule);
        test_dot(rule);
        test_json(rule);
        ast_free(rule);
    }
    src_free(&sm);

    test_bare();
    test_expressions();
    return check_done("test_emit");
}
