/*
 * diag.c — prints diagnostics in the one format every phase uses:
 *
 *     In file included from top.slic:3:
 *     inc.h:12:5: error: undeclared name 'foo'
 *        12 |     if (foo == 1) {
 *           |         ^~~
 *     inc.h:2:9: note: expanded from macro 'FOO'
 *     ...
 *
 * A location that came out of a macro is reported at its outermost use
 * site (what the user wrote), followed by one "expanded from macro" note
 * per expansion, innermost first, pointing into each macro's body.  The
 * include chain of the reported file is printed before an error or
 * warning, as gcc does; notes belong to the diagnostic before them and do
 * not repeat it.
 *
 * The context also counts errors and warnings and enforces the error
 * limit: the error that reaches max_errors is followed by a fatal line,
 * and everything after it, notes included, is dropped.
 */
#include "diag.h"

#include <stdarg.h>
#include <string.h>

/* ANSI escapes, chosen to look like gcc's. */
#define C_BOLD    "\033[1m"
#define C_RED     "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN    "\033[1;36m"
#define C_GREEN   "\033[1;32m"
#define C_RESET   "\033[0m"

#define GUTTER    "      | "    /* width of "%5u | " */

void diag_init(struct diag *d, struct src_manager *sm, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->sm = sm;
    d->out = out;
}

bool diag_should_stop(const struct diag *d)
{
    return d->max_errors > 0 && d->error_count >= d->max_errors;
}

/* Writes s wrapped in the escape esc when colours are on. */
static void put_styled(struct diag *d, const char *esc, const char *s)
{
    if (d->color)
        fputs(esc, d->out);
    fputs(s, d->out);
    if (d->color)
        fputs(C_RESET, d->out);
}

static bool has_file(const struct diag *d, uint32_t file)
{
    return d->sm && file != 0 && file < d->sm->file_count;
}

/* "path:line:col: " (or "lockstep: " without a file), then the level
 * word ("error:"), then a space. */
static void put_header(struct diag *d, struct src_loc loc, const char *color,
                       const char *word)
{
    if (d->color)
        fputs(C_BOLD, d->out);
    if (has_file(d, loc.file)) {
        uint32_t line, col;
        src_line_col(d->sm, loc.file, loc.offset, &line, &col);
        fprintf(d->out, "%s:%u:%u:", d->sm->files[loc.file].path,
                (unsigned)line, (unsigned)col);
    } else {
        fputs("lockstep:", d->out);
    }
    if (d->color)
        fputs(C_RESET, d->out);
    fputc(' ', d->out);
    put_styled(d, color, word);
    fputc(' ', d->out);
}

/* UTF-8 continuation bytes take no column on the terminal. */
static bool is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* The source line of loc and a caret line under it.  The caret line copies
 * the tabs of the source line so the caret lands under the right byte,
 * and the ~ run stops at the end of the line. */
static void put_snippet(struct diag *d, struct src_loc loc)
{
    uint32_t line, col;
    size_t len;
    src_line_col(d->sm, loc.file, loc.offset, &line, &col);
    const char *text = src_line_text(d->sm, loc.file, loc.offset, &len);

    fprintf(d->out, "%5u |", (unsigned)line);
    if (len > 0) {
        fputc(' ', d->out);
        fwrite(text, 1, len, d->out);
    }
    fputc('\n', d->out);

    size_t caret = col - 1;
    if (caret > len)                    /* on the '\n' of a CRLF line */
        caret = len;
    size_t end = caret + (loc.length ? loc.length : 1);
    if (end > len)
        end = len;
    fputs(GUTTER, d->out);
    for (size_t i = 0; i < caret; i++)
        if (!is_cont(text[i]))
            fputc(text[i] == '\t' ? '\t' : ' ', d->out);
    if (d->color)
        fputs(C_GREEN, d->out);
    fputc('^', d->out);
    for (size_t i = caret + 1; i < end; i++)
        if (!is_cont(text[i]))
            fputc('~', d->out);
    if (d->color)
        fputs(C_RESET, d->out);
    fputc('\n', d->out);
}

/* gcc's "In file included from a.slic:3," / "from b.slic:7:" lines for the
 * files that #included file, innermost first. */
static void put_include_chain(struct diag *d, uint32_t file)
{
    const struct src_manager *sm = d->sm;
    struct src_loc inc = sm->files[file].included_from;
    for (uint32_t depth = 0; has_file(d, inc.file) && depth < sm->file_count;
         depth++) {
        uint32_t line, col;
        src_line_col(d->sm, inc.file, inc.offset, &line, &col);
        struct src_loc next = sm->files[inc.file].included_from;
        fputs(depth == 0 ? "In file included from " : "                 from ",
              d->out);
        if (d->color)
            fputs(C_BOLD, d->out);
        fprintf(d->out, "%s:%u", sm->files[inc.file].path, (unsigned)line);
        if (d->color)
            fputs(C_RESET, d->out);
        fputs(has_file(d, next.file) ? ",\n" : ":\n", d->out);
        inc = next;
    }
}

/* One "expanded from macro" note per expansion loc came through, from the
 * innermost outwards, each pointing into that macro's body: at the token
 * itself for the innermost macro, then at the use of the inner macro. */
static void put_expansion_notes(struct diag *d, struct src_loc loc)
{
    const struct src_manager *sm = d->sm;
    struct src_loc spelled = loc;
    uint32_t e = loc.expansion;
    for (uint32_t steps = 0; e != 0 && e < sm->expansion_count
         && steps < sm->expansion_count; steps++) {
        const struct src_expansion *x = &sm->expansions[e];
        struct src_loc at = spelled;
        at.expansion = 0;
        put_header(d, at, C_CYAN, "note:");
        fprintf(d->out, "expanded from macro '%.*s'\n", (int)x->macro_len,
                x->macro);
        if (has_file(d, at.file))
            put_snippet(d, at);
        spelled = x->use;
        e = x->use.expansion;
    }
}

void diag_report(struct diag *d, enum diag_level level, struct src_loc loc,
                 const char *fmt, ...)
{
    if (diag_should_stop(d))
        return;
    bool werror = level == DIAG_WARNING && d->warnings_as_errors;
    bool is_error = level == DIAG_ERROR || werror;
    if (is_error)
        d->error_count++;
    else if (level == DIAG_WARNING)
        d->warning_count++;

    if (d->out) {
        struct src_loc at = loc;
        if (d->sm)
            at = src_spelled_at(d->sm, loc);
        bool located = has_file(d, at.file);
        if (located && level != DIAG_NOTE)
            put_include_chain(d, at.file);
        if (is_error)
            put_header(d, at, C_RED, "error:");
        else if (level == DIAG_WARNING)
            put_header(d, at, C_MAGENTA, "warning:");
        else
            put_header(d, at, C_CYAN, "note:");
        va_list ap;
        va_start(ap, fmt);
        vfprintf(d->out, fmt, ap);
        va_end(ap);
        fputs(werror ? " [-Werror]\n" : "\n", d->out);
        if (located)
            put_snippet(d, at);
        if (d->sm && loc.expansion != 0)
            put_expansion_notes(d, loc);
    }

    if (is_error && diag_should_stop(d) && d->out) {
        struct src_loc none = {0, 0, 0, 0};
        put_header(d, none, C_RED, "fatal error:");
        fputs("too many errors emitted, stopping now\n", d->out);
    }
}
