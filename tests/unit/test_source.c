/*
 * test_source.c — the source manager: line and column mapping (start,
 * middle, end of file, CRLF, no final newline, empty file, BOM), line
 * text, macro expansion chains, and the reasons src_load refuses a file.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "source.h"

static struct src_loc no_loc;

/* Line and column of offset, packed as line * 1000 + col for one CHECK. */
static unsigned lc(struct src_manager *sm, uint32_t file, uint32_t offset)
{
    uint32_t line, col;
    src_line_col(sm, file, offset, &line, &col);
    return line * 1000 + col;
}

/* The text of the line holding offset, copied into a static buffer. */
static const char *line_of(struct src_manager *sm, uint32_t file,
                           uint32_t offset)
{
    static char buf[256];
    size_t len;
    const char *s = src_line_text(sm, file, offset, &len);
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

static uint32_t add(struct src_manager *sm, const char *text)
{
    return src_add_buffer(sm, "buf.slic", text, strlen(text));
}

static void test_line_col(void)
{
    struct src_manager sm;
    src_init(&sm);

    uint32_t f = add(&sm, "ab\ncd\n");
    CHECK(f == 1);
    CHECK(lc(&sm, f, 0) == 1001);
    CHECK(lc(&sm, f, 1) == 1002);
    CHECK(lc(&sm, f, 2) == 1003);           /* the newline itself */
    CHECK(lc(&sm, f, 3) == 2001);
    CHECK(lc(&sm, f, 5) == 2003);
    CHECK(lc(&sm, f, 6) == 3001);           /* end of file, after '\n' */
    CHECK(lc(&sm, f, 99) == 3001);          /* past the end: clamped */
    CHECK_STR(line_of(&sm, f, 0), "ab");
    CHECK_STR(line_of(&sm, f, 2), "ab");
    CHECK_STR(line_of(&sm, f, 4), "cd");
    CHECK_STR(line_of(&sm, f, 6), "");
    CHECK(sm.files[f].line_count == 3);

    uint32_t crlf = add(&sm, "a\r\nbc\r\n\r\nd");
    CHECK(crlf == 2);
    CHECK(lc(&sm, crlf, 1) == 1002);        /* the '\r' */
    CHECK(lc(&sm, crlf, 3) == 2001);
    CHECK(lc(&sm, crlf, 4) == 2002);
    CHECK(lc(&sm, crlf, 7) == 3001);
    CHECK(lc(&sm, crlf, 9) == 4001);
    CHECK_STR(line_of(&sm, crlf, 0), "a");
    CHECK_STR(line_of(&sm, crlf, 3), "bc");
    CHECK_STR(line_of(&sm, crlf, 7), "");
    CHECK_STR(line_of(&sm, crlf, 9), "d");

    uint32_t nofinal = add(&sm, "x\nyz");
    CHECK(lc(&sm, nofinal, 4) == 2003);     /* end of file, no '\n' */
    CHECK_STR(line_of(&sm, nofinal, 4), "yz");
    CHECK_STR(line_of(&sm, nofinal, 2), "yz");

    uint32_t empty = add(&sm, "");
    CHECK(sm.files[empty].size == 0);
    CHECK(sm.files[empty].text[0] == '\0');
    CHECK(lc(&sm, empty, 0) == 1001);
    CHECK_STR(line_of(&sm, empty, 0), "");

    uint32_t bom = add(&sm, "\xEF\xBB\xBFrule\nx");
    CHECK(memcmp(sm.files[bom].text, "\xEF\xBB\xBF", 3) == 0);
    CHECK(lc(&sm, bom, 3) == 1004);         /* columns count bytes */
    CHECK(lc(&sm, bom, 8) == 2001);

    uint32_t tab = add(&sm, "\tx");
    CHECK(lc(&sm, tab, 1) == 1002);         /* a tab is one byte */

    /* Buffers keep embedded NULs; size is authoritative. */
    uint32_t nul = src_add_buffer(&sm, "fuzz", "a\0b\nc", 5);
    CHECK(sm.files[nul].size == 5);
    CHECK(sm.files[nul].text[5] == '\0');
    size_t len;
    const char *s = src_line_text(&sm, nul, 2, &len);
    CHECK(len == 3 && memcmp(s, "a\0b", 3) == 0);
    CHECK(lc(&sm, nul, 4) == 2001);

    /* Many lines: the binary search. */
    char big[3000];
    for (int i = 0; i < 1000; i++)
        memcpy(big + 3 * i, "ab\n", 3);
    uint32_t many = src_add_buffer(&sm, "many", big, sizeof big);
    CHECK(lc(&sm, many, 0) == 1001);
    CHECK(lc(&sm, many, 1500) == 501001);
    CHECK(lc(&sm, many, 2999) == 1000003);
    CHECK(lc(&sm, many, 3000) == 1001001);

    /* A bad id gives line 0 and an empty line. */
    CHECK(lc(&sm, 0, 0) == 0);
    CHECK(lc(&sm, 999, 0) == 0);
    CHECK_STR(line_of(&sm, 999, 0), "");

    src_free(&sm);
    CHECK(sm.file_count == 0 && sm.files == NULL);
}

static void test_expansions(void)
{
    struct src_manager sm;
    src_init(&sm);
    uint32_t f = add(&sm, "#define A B+1\n#define B x\nA;\n");

    struct src_loc def_a = {f, 8, 1, 0}, def_b = {f, 22, 1, 0};
    struct src_loc use_a = {f, 26, 1, 0};       /* "A" on line 3 */
    uint32_t ea = src_add_expansion(&sm, sm.files[f].text + 8, 1, use_a, def_a);
    CHECK(ea == 1);
    struct src_loc use_b = {f, 10, 1, ea};      /* "B" in A's body */
    uint32_t eb = src_add_expansion(&sm, sm.files[f].text + 22, 1, use_b, def_b);
    CHECK(eb == 2);
    CHECK(sm.expansions[eb].macro_len == 1 && sm.expansions[eb].macro[0] == 'B');

    struct src_loc x = {f, 24, 1, eb};          /* "x" from B's body */
    struct src_loc at = src_spelled_at(&sm, x);
    CHECK(at.file == f && at.offset == 26 && at.length == 1 && at.expansion == 0);

    struct src_loc one = {f, 12, 1, ea};        /* "1" from A's body */
    at = src_spelled_at(&sm, one);
    CHECK(at.offset == 26 && at.expansion == 0);

    struct src_loc plain = {f, 3, 2, 0};
    at = src_spelled_at(&sm, plain);
    CHECK(at.offset == 3 && at.length == 2 && at.expansion == 0);

    struct src_loc bad = {f, 3, 1, 77};         /* no such expansion */
    CHECK(src_spelled_at(&sm, bad).expansion == 0);

    for (int i = 0; i < 100; i++)               /* growth */
        CHECK(src_add_expansion(&sm, "A", 1, use_a, def_a) == (uint32_t)(i + 3));
    src_free(&sm);
}

static char dir[] = "/tmp/lockstep-test-source-XXXXXX";

/* Writes size bytes to dir/name and returns the path (static buffer). */
static const char *write_file(const char *name, const char *data, size_t size)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (fp) {
        CHECK(fwrite(data, 1, size, fp) == size);
        fclose(fp);
    }
    return path;
}

/* Expects src_load to refuse path with exactly want as the reason. */
static void refuse(struct src_manager *sm, const char *path, const char *want,
                   int line)
{
    const char *why = NULL;
    uint32_t id = src_load(sm, path, no_loc, &why);
    check_str(id == 0, NULL, NULL, __FILE__, line, path);
    check_str(0, why, want, __FILE__, line, path);
}
#define REFUSE(sm, path, want) refuse((sm), (path), (want), __LINE__)

static void test_load(void)
{
    CHECK(mkdtemp(dir) != NULL);
    struct src_manager sm;
    src_init(&sm);
    const char *why = "untouched";

    char path[256];
    snprintf(path, sizeof path, "%s", write_file("ok.slic", "\xEF\xBB\xBFok\r\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n", 16));
    uint32_t a = src_load(&sm, path, no_loc, &why);
    CHECK(a == 1);
    CHECK_STR(why, "untouched");
    CHECK(sm.files[a].size == 16 && sm.files[a].text[16] == '\0');
    CHECK_STR(sm.files[a].path, path);
    CHECK(sm.files[a].path != path);
    CHECK_STR(line_of(&sm, a, 3), "\xEF\xBB\xBFok");

    struct src_loc inc = {a, 3, 2, 0};
    uint32_t b = src_load(&sm, path, inc, &why);  /* same path, new id */
    CHECK(b == 2);
    CHECK(sm.files[b].included_from.file == a);
    CHECK(sm.files[b].included_from.offset == 3);

    uint32_t c = src_load(&sm, write_file("empty.slic", "", 0), no_loc, &why);
    CHECK(c == 3 && sm.files[c].size == 0 && sm.files[c].text[0] == '\0');

    snprintf(path, sizeof path, "%s/missing.slic", dir);
    REFUSE(&sm, path, "No such file or directory");
    REFUSE(&sm, dir, "is a directory");
    REFUSE(&sm, write_file("nul.slic", "ab\0c\n", 5), "is not a text file");
    REFUSE(&sm, write_file("control.slic", "ab\x01\x02\n", 5), "is not a text file");
    REFUSE(&sm, write_file("elf.slic", "\x7f" "ELF\x02\x01\x01", 7), "is not a text file");
    /* Legacy 8-bit text (SDV's rule files are Windows-1252) is accepted. */
    uint32_t latin1 = src_load(&sm, write_file("latin1.slic", "/* driver\x92s */\n", 15), no_loc, &why);
    CHECK(latin1 != 0);

    const char *large = write_file("large.slic", "", 0);
    CHECK(truncate(large, (off_t)SRC_MAX_FILE_SIZE + 1) == 0);
    REFUSE(&sm, large, "is too large (the limit is 64 MiB)");
    unlink(large);

    const char *secret = write_file("secret.slic", "x\n", 2);
    CHECK(chmod(secret, 0) == 0);
    if (geteuid() != 0)         /* root reads it anyway */
        REFUSE(&sm, secret, "Permission denied");

    CHECK(sm.file_count == 5);  /* refusals add nothing */
    src_free(&sm);

    static const char *const names[] = {
        "ok.slic", "empty.slic", "nul.slic", "latin1.slic", "control.slic",
        "elf.slic", "secret.slic",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    CHECK(rmdir(dir) == 0);
}

int main(void)
{
    test_line_col();
    test_expansions();
    test_load();
    return check_done("test_source");
}
