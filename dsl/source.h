/*
 * source.h — the source manager: every file a compilation reads, loaded
 * once and kept until the end, so tokens and AST nodes can point into the
 * text instead of copying it.  Locations are (file, offset) pairs; line and
 * column are computed only when a diagnostic needs them.
 *
 * Macro expansions are recorded here too, so a location inside an expanded
 * macro can name both the use site and the definition.
 */
#ifndef LS_DSL_SOURCE_H
#define LS_DSL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A position in a loaded file.  file 0 is "no location" (e.g. command line). */
struct src_loc {
    uint32_t file;          /* index into src_manager.files, 1-based         */
    uint32_t offset;        /* byte offset of the first character            */
    uint32_t length;        /* bytes covered (at least 1 for a caret)        */
    uint32_t expansion;     /* 1-based index of the macro expansion the token
                               came from, 0 when written directly            */
};

struct src_file {
    char *path;             /* as opened (owned)                             */
    char *text;             /* contents, NUL-terminated (owned)              */
    size_t size;
    struct src_loc included_from;   /* the #include directive, or file 0     */
    uint32_t *line_starts;  /* offsets of line starts, built lazily (owned)  */
    uint32_t line_count;
};

struct src_expansion {
    const char *macro;      /* macro name (points into its definition file)  */
    uint32_t macro_len;
    struct src_loc use;     /* where the macro was invoked                   */
    struct src_loc def;     /* the macro's name in its #define               */
    bool single;            /* object-like, expanding to exactly one token:
                               the token may be shown by the macro's name   */
};

struct src_manager {
    struct src_file *files; /* files[0] unused                               */
    uint32_t file_count;    /* including the unused slot                     */
    uint32_t file_cap;
    struct src_expansion *expansions;   /* expansions[0] unused              */
    uint32_t expansion_count, expansion_cap;
};

/* Largest file the compiler accepts (bytes). */
#define SRC_MAX_FILE_SIZE (64u * 1024 * 1024)

void src_init(struct src_manager *sm);
void src_free(struct src_manager *sm);

/* Load a file.  Returns its id (>= 1), or 0 and sets *why to a static
 * description ("No such file or directory", "is a directory", "is not a
 * text file", "is too large") when it cannot be read. */
uint32_t src_load(struct src_manager *sm, const char *path,
                  struct src_loc included_from, const char **why);

/* Register text that did not come from a file (tests, fuzzing).  The text
 * is copied. */
uint32_t src_add_buffer(struct src_manager *sm, const char *name,
                        const char *text, size_t size);

/* 1-based line and column (in bytes) of an offset in a file. */
void src_line_col(struct src_manager *sm, uint32_t file, uint32_t offset,
                  uint32_t *line, uint32_t *col);

/* The text of the line containing offset, without its newline. */
const char *src_line_text(struct src_manager *sm, uint32_t file,
                          uint32_t offset, size_t *len);

/* Record a macro expansion; returns its 1-based id. */
uint32_t src_add_expansion(struct src_manager *sm, const char *macro,
                           uint32_t macro_len, struct src_loc use,
                           struct src_loc def);

/* The location a diagnostic should point at: the outermost use site of
 * the macro expansions a location came through. */
struct src_loc src_spelled_at(const struct src_manager *sm, struct src_loc loc);

#endif
