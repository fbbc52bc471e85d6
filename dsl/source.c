/*
 * source.c — the source manager.
 *
 * Every file the front end reads is loaded here whole and stays in memory
 * until src_free(), so tokens, AST nodes and diagnostics can refer to text
 * by (file, offset) instead of copying it.  Files are checked once, at load
 * time, to be text (no NUL or other control byte) so later phases never meet
 * binary garbage from disk; buffers added by tests and the fuzzer skip
 * those checks on purpose.
 *
 * Line numbers are needed only for diagnostics, so each file's table of
 * line starts is built the first time it is asked for and searched with a
 * binary search.  Macro expansions are kept in a flat table; a location
 * names its expansion by 1-based index.
 */
#define _POSIX_C_SOURCE 200809L

#include "source.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char too_large[] = "is too large (the limit is 64 MiB)";

/* Grow an array of `elem` byte elements so index `need` fits; *cap is
 * doubled (starting at `first`).  Returns the possibly moved array. */
static void *grow(void *array, uint32_t *cap, uint32_t need, size_t elem,
                  uint32_t first)
{
    if (need < *cap)
        return array;
    uint32_t n = *cap ? *cap : first;
    while (n <= need) {
        if (n > UINT32_MAX / 2)
            xalloc_oom();
        n *= 2;
    }
    if ((size_t)n > SIZE_MAX / elem)
        xalloc_oom();
    *cap = n;
    return xrealloc(array, (size_t)n * elem);
}

void src_init(struct src_manager *sm)
{
    memset(sm, 0, sizeof *sm);
}

void src_free(struct src_manager *sm)
{
    for (uint32_t i = 1; i < sm->file_count; i++) {
        free(sm->files[i].path);
        free(sm->files[i].text);
        free(sm->files[i].line_starts);
    }
    free(sm->files);
    free(sm->expansions);
    memset(sm, 0, sizeof *sm);
}

/* Append a file whose text (size bytes plus a NUL, malloc'ed) the manager
 * takes over; copies path.  Returns the new id. */
static uint32_t add_file(struct src_manager *sm, const char *path, char *text,
                         size_t size, struct src_loc included_from)
{
    if (sm->file_count == 0)
        sm->file_count = 1;             /* slot 0 means "no file" */
    sm->files = grow(sm->files, &sm->file_cap, sm->file_count,
                     sizeof *sm->files, 8);
    uint32_t id = sm->file_count++;
    struct src_file *f = &sm->files[id];
    memset(f, 0, sizeof *f);
    if (!path)
        path = "<buffer>";
    size_t n = strlen(path);
    f->path = xrealloc(NULL, n + 1);
    memcpy(f->path, path, n + 1);
    f->text = text;
    f->size = size;
    f->included_from = included_from;
    return id;
}

/* True when s[0..size) looks like text: no NUL byte and no control
 * character other than white space.  Bytes >= 0x80 are allowed whatever
 * the encoding: the rule files SDV shipped are Windows-1252 (a curly
 * apostrophe in a comment), and the lexer rejects such bytes outside
 * comments and strings anyway. */
static int is_text(const unsigned char *s, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r'
            && s[i] != '\v' && s[i] != '\f' && s[i] != 0x1a /* DOS EOF */)
            return 0;
    return 1;
}

/* Read all of fd into a malloc'ed, NUL-terminated buffer.  Returns it and
 * sets *size, or returns NULL and sets *why.  hint is the size fstat saw;
 * the loop does not trust it (pipes report 0, files may grow). */
static char *read_all(int fd, size_t hint, size_t *size, const char **why)
{
    size_t cap = hint + 1 < 4096 ? 4096 : hint + 1, len = 0;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (len + 1 >= cap) {          /* len <= the limit, so this is bounded */
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + len, cap - 1 - len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            *why = strerror(errno);
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len > SRC_MAX_FILE_SIZE) {
            free(buf);
            *why = too_large;
            return NULL;
        }
    }
    buf[len] = '\0';
    *size = len;
    return buf;
}

uint32_t src_load(struct src_manager *sm, const char *path,
                  struct src_loc included_from, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *why = strerror(errno);
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a directory";
        close(fd);
        return 0;
    }
    size_t hint = 0;
    if (S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > SRC_MAX_FILE_SIZE) {
            *why = too_large;
            close(fd);
            return 0;
        }
        hint = (size_t)st.st_size;
    }
    size_t size = 0;
    char *text = read_all(fd, hint, &size, why);
    close(fd);
    if (!text)
        return 0;
    if (!is_text((const unsigned char *)text, size)) {
        *why = "is not a text file";
        free(text);
        return 0;
    }
    return add_file(sm, path, text, size, included_from);
}

uint32_t src_add_buffer(struct src_manager *sm, const char *name,
                        const char *text, size_t size)
{
    if (size > UINT32_MAX - 1)          /* offsets are 32-bit */
        size = UINT32_MAX - 1;
    char *copy = xrealloc(NULL, size + 1);
    if (size)
        memcpy(copy, text, size);
    copy[size] = '\0';
    struct src_loc none = {0, 0, 0, 0};
    return add_file(sm, name, copy, size, none);
}

/* The file with this id, its line table built; NULL for a bad id.
 * line_starts holds the offset of every line, including the empty line
 * after a final newline, so offset == size always has a line. */
static struct src_file *lines_of(struct src_manager *sm, uint32_t file)
{
    if (file == 0 || file >= sm->file_count)
        return NULL;
    struct src_file *f = &sm->files[file];
    if (f->line_starts)
        return f;
    uint32_t count = 1;
    for (size_t i = 0; i < f->size; i++)
        count += f->text[i] == '\n';
    f->line_starts = xrealloc(NULL, (size_t)count * sizeof *f->line_starts);
    uint32_t n = 0;
    f->line_starts[n++] = 0;
    for (size_t i = 0; i < f->size; i++)
        if (f->text[i] == '\n')
            f->line_starts[n++] = (uint32_t)(i + 1);
    f->line_count = n;
    return f;
}

/* Index (0-based) of the line containing offset, clamped to the file. */
static uint32_t line_index(const struct src_file *f, uint32_t offset)
{
    uint32_t lo = 0, hi = f->line_count;  /* line_starts[lo] <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t clamp(const struct src_file *f, uint32_t offset)
{
    return offset > f->size ? (uint32_t)f->size : offset;
}

void src_line_col(struct src_manager *sm, uint32_t file, uint32_t offset,
                  uint32_t *line, uint32_t *col)
{
    struct src_file *f = lines_of(sm, file);
    if (!f) {
        *line = *col = 0;
        return;
    }
    offset = clamp(f, offset);
    uint32_t i = line_index(f, offset);
    *line = i + 1;
    *col = offset - f->line_starts[i] + 1;
}

const char *src_line_text(struct src_manager *sm, uint32_t file,
                          uint32_t offset, size_t *len)
{
    struct src_file *f = lines_of(sm, file);
    if (!f) {
        *len = 0;
        return "";
    }
    uint32_t start = f->line_starts[line_index(f, clamp(f, offset))];
    const char *s = f->text + start;
    const char *nl = memchr(s, '\n', f->size - start);
    size_t n = nl ? (size_t)(nl - s) : f->size - start;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    *len = n;
    return s;
}

uint32_t src_add_expansion(struct src_manager *sm, const char *macro,
                           uint32_t macro_len, struct src_loc use,
                           struct src_loc def)
{
    if (sm->expansion_count == 0)
        sm->expansion_count = 1;        /* id 0 means "not expanded" */
    sm->expansions = grow(sm->expansions, &sm->expansion_cap,
                          sm->expansion_count, sizeof *sm->expansions, 16);
    uint32_t id = sm->expansion_count++;
    struct src_expansion *e = &sm->expansions[id];
    e->macro = macro;
    e->macro_len = macro_len;
    e->use = use;
    e->def = def;
    return id;
}

/* Follows use links outward.  A use site can only lie in an expansion
 * made before it, but the walk is bounded anyway so a corrupt table
 * cannot loop. */
struct src_loc src_spelled_at(const struct src_manager *sm, struct src_loc loc)
{
    for (uint32_t steps = 0; loc.expansion != 0; steps++) {
        if (loc.expansion >= sm->expansion_count || steps >= sm->expansion_count) {
            loc.expansion = 0;
            break;
        }
        loc = sm->expansions[loc.expansion].use;
    }
    return loc;
}
