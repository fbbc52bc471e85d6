/*
 * test_diag.c — the exact text of diagnostics: an error with its caret, a
 * warning, a note, tabs and UTF-8 before the caret, the include chain, the
 * macro expansion notes, -Werror, colours, and the error limit.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"

static struct src_manager sm;
static struct diag d;
static char *out_buf;
static size_t out_size;

/* Fresh source manager and a diag context writing into memory. */
static void start(void)
{
    src_init(&sm);
    FILE *fp = open_memstream(&out_buf, &out_size);
    CHECK(fp != NULL);
    diag_init(&d, &sm, fp);
}

/* Everything printed since start(); valid until the next start(). */
static const char *output(void)
{
    fflush(d.out);
    return out_buf;
}

static void finish(void)
{
    fclose(d.out);
    free(out_buf);
    out_buf = NULL;
    src_free(&sm);
}

static uint32_t add(const char *name, const char *text)
{
    return src_add_buffer(&sm, name, text, strlen(text));
}

/* Location of the n-th (0-based) occurrence of word in file. */
static struct src_loc at(uint32_t file, const char *word, int n)
{
    const char *text = sm.files[file].text, *p;
    for (p = strstr(text, word); p && n-- > 0; p = strstr(p + 1, word))
        ;
    CHECK(p != NULL);
    struct src_loc loc = {file, p ? (uint32_t)(p - text) : 0,
                          (uint32_t)strlen(word), 0};
    return loc;
}

static void test_levels(void)
{
    start();
    uint32_t f = add("path/to/file.slic",
                     "rule R {\n    if (foo == 1) {\n\tx = bar;\n}\n");
    diag_error(&d, at(f, "foo", 0), "undeclared name '%s'", "foo");
    CHECK_STR(output(),
        "path/to/file.slic:2:9: error: undeclared name 'foo'\n"
        "    2 |     if (foo == 1) {\n"
        "      |         ^~~\n");
    CHECK(d.error_count == 1 && d.warning_count == 0);
    finish();

    start();
    f = add("w.slic", "int n = 0;\n\tx = bar;\n");
    diag_warning(&d, at(f, "bar", 0), "'%s' is never read", "bar");
    diag_note(&d, at(f, "n", 1), "declared here");
    CHECK_STR(output(),
        "w.slic:2:6: warning: 'bar' is never read\n"
        "    2 | \tx = bar;\n"
        "      | \t    ^~~\n"
        "w.slic:1:5: note: declared here\n"
        "    1 | int n = 0;\n"
        "      |     ^\n");
    CHECK(d.error_count == 0 && d.warning_count == 1);
    finish();
}

static void test_caret_edges(void)
{
    start();
    uint32_t f = add("e.slic", "a = \"caf\xC3\xA9\" + b;\r\nend\n\n");
    struct src_loc b = at(f, "b", 0);
    b.length = 40;                          /* capped at the line's end */
    diag_error(&d, b, "bad");
    struct src_loc crlf = {f, b.offset + 2, 1, 0};  /* the '\r' */
    diag_error(&d, crlf, "at the end");
    struct src_loc eof = {f, (uint32_t)sm.files[f].size, 1, 0};
    diag_error(&d, eof, "unexpected end of input");
    struct src_loc none = {0, 0, 0, 0};
    diag_error(&d, none, "cannot open '%s'", "x.slic");
    CHECK_STR(output(),
        "e.slic:1:15: error: bad\n"
        "    1 | a = \"caf\xC3\xA9\" + b;\n"
        "      |              ^~\n"
        "e.slic:1:17: error: at the end\n"
        "    1 | a = \"caf\xC3\xA9\" + b;\n"
        "      |                ^\n"
        "e.slic:4:1: error: unexpected end of input\n"
        "    4 |\n"
        "      | ^\n"
        "lockstep: error: cannot open 'x.slic'\n");
    CHECK(d.error_count == 4);
    finish();
}

static void test_include_chain(void)
{
    start();
    uint32_t top = add("top.slic", "rule R {}\n\n#include \"mid.h\"\n");
    uint32_t mid = add("mid.h", "#include \"inc.h\"\n");
    uint32_t inc = add("inc.h", "int x = y;\n");
    sm.files[mid].included_from = at(top, "#include", 0);
    sm.files[inc].included_from = at(mid, "#include", 0);
    diag_error(&d, at(inc, "y", 0), "undeclared name 'y'");
    diag_note(&d, at(inc, "x", 0), "in the initializer of 'x'");
    diag_warning(&d, at(mid, "inc.h", 0), "deprecated header");
    CHECK_STR(output(),
        "In file included from mid.h:1,\n"
        "                 from top.slic:3:\n"
        "inc.h:1:9: error: undeclared name 'y'\n"
        "    1 | int x = y;\n"
        "      |         ^\n"
        "inc.h:1:5: note: in the initializer of 'x'\n"
        "    1 | int x = y;\n"
        "      |     ^\n"
        "In file included from top.slic:3:\n"
        "mid.h:1:11: warning: deprecated header\n"
        "    1 | #include \"inc.h\"\n"
        "      |           ^~~~~\n");
    finish();
}

static void test_macro_notes(void)
{
    start();
    uint32_t f = add("m.slic",
                     "#define LIMIT 3\n"
                     "#define CHECKED (LIMIT > n)\n"
                     "x = CHECKED;\n"
                     "y = LIMIT;\n");
    struct src_loc def_limit = at(f, "LIMIT", 0);

    /* y = LIMIT;  the 3 comes from LIMIT */
    uint32_t e1 = src_add_expansion(&sm, "LIMIT", 5, at(f, "LIMIT", 2), def_limit);
    struct src_loc three = at(f, "3", 0);
    three.expansion = e1;
    diag_error(&d, three, "value out of range");
    CHECK_STR(output(),
        "m.slic:4:5: error: value out of range\n"
        "    4 | y = LIMIT;\n"
        "      |     ^~~~~\n"
        "m.slic:1:15: note: expanded from macro 'LIMIT'\n"
        "    1 | #define LIMIT 3\n"
        "      |               ^\n");
    finish();

    /* x = CHECKED;  the 3 comes from LIMIT inside CHECKED */
    start();
    f = add("m.slic",
            "#define LIMIT 3\n"
            "#define CHECKED (LIMIT > n)\n"
            "x = CHECKED;\n");
    def_limit = at(f, "LIMIT", 0);
    struct src_loc def_checked = at(f, "CHECKED", 0);
    uint32_t ec = src_add_expansion(&sm, "CHECKED", 7, at(f, "CHECKED", 1), def_checked);
    struct src_loc inner_use = at(f, "LIMIT", 1);
    inner_use.expansion = ec;
    uint32_t el = src_add_expansion(&sm, "LIMIT", 5, inner_use, def_limit);
    three = at(f, "3", 0);
    three.expansion = el;
    diag_warning(&d, three, "comparison is always true");
    CHECK_STR(output(),
        "m.slic:3:5: warning: comparison is always true\n"
        "    3 | x = CHECKED;\n"
        "      |     ^~~~~~~\n"
        "m.slic:1:15: note: expanded from macro 'LIMIT'\n"
        "    1 | #define LIMIT 3\n"
        "      |               ^\n"
        "m.slic:2:18: note: expanded from macro 'CHECKED'\n"
        "    2 | #define CHECKED (LIMIT > n)\n"
        "      |                  ^~~~~\n");
    finish();
}

static void test_werror(void)
{
    start();
    d.warnings_as_errors = true;
    uint32_t f = add("w.slic", "halt;\n");
    diag_warning(&d, at(f, "halt", 0), "unreachable code");
    CHECK_STR(output(),
        "w.slic:1:1: error: unreachable code [-Werror]\n"
        "    1 | halt;\n"
        "      | ^~~~\n");
    CHECK(d.error_count == 1 && d.warning_count == 0);
    finish();
}

static void test_error_limit(void)
{
    start();
    d.max_errors = 2;
    uint32_t f = add("l.slic", "a b c\n");
    diag_error(&d, at(f, "a", 0), "first");
    diag_warning(&d, at(f, "b", 0), "a warning");
    CHECK(!diag_should_stop(&d));
    diag_error(&d, at(f, "b", 0), "second");
    CHECK(diag_should_stop(&d));
    diag_note(&d, at(f, "b", 0), "dropped note");
    diag_error(&d, at(f, "c", 0), "dropped error");
    diag_warning(&d, at(f, "c", 0), "dropped warning");
    CHECK_STR(output(),
        "l.slic:1:1: error: first\n"
        "    1 | a b c\n"
        "      | ^\n"
        "l.slic:1:3: warning: a warning\n"
        "    1 | a b c\n"
        "      |   ^\n"
        "l.slic:1:3: error: second\n"
        "    1 | a b c\n"
        "      |   ^\n"
        "lockstep: fatal error: too many errors emitted, stopping now\n");
    CHECK(d.error_count == 2 && d.warning_count == 1);
    finish();
}

static void test_color_and_silence(void)
{
    start();
    d.color = true;
    uint32_t f = add("c.slic", "x y\n");
    diag_error(&d, at(f, "y", 0), "e");
    diag_warning(&d, at(f, "x", 0), "w");
    d.max_errors = 2;
    struct src_loc none = {0, 0, 0, 0};
    diag_note(&d, none, "n");
    diag_error(&d, none, "e2");
    CHECK_STR(output(),
        "\033[1mc.slic:1:3:\033[0m \033[1;31merror:\033[0m e\n"
        "    1 | x y\n"
        "      |   \033[1;32m^\033[0m\n"
        "\033[1mc.slic:1:1:\033[0m \033[1;35mwarning:\033[0m w\n"
        "    1 | x y\n"
        "      | \033[1;32m^\033[0m\n"
        "\033[1mlockstep:\033[0m \033[1;36mnote:\033[0m n\n"
        "\033[1mlockstep:\033[0m \033[1;31merror:\033[0m e2\n"
        "\033[1mlockstep:\033[0m \033[1;31mfatal error:\033[0m "
        "too many errors emitted, stopping now\n");
    finish();

    src_init(&sm);
    diag_init(&d, &sm, NULL);
    d.max_errors = 1;
    f = add("s.slic", "x\n");
    diag_warning(&d, at(f, "x", 0), "w");
    diag_error(&d, at(f, "x", 0), "e");
    diag_error(&d, at(f, "x", 0), "e");
    CHECK(d.error_count == 1 && d.warning_count == 1 && diag_should_stop(&d));
    src_free(&sm);
}

int main(void)
{
    test_levels();
    test_caret_edges();
    test_include_chain();
    test_macro_notes();
    test_werror();
    test_error_limit();
    test_color_and_silence();
    return check_done("test_diag");
}
