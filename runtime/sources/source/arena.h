/*
 * arena.h — a bump allocator: many small allocations, freed all at once.
 * Source mode keeps its IR and its error traces in arenas.
 */
#ifndef LS_SOURCE_ARENA_H
#define LS_SOURCE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t used_total;              /* bytes handed out, for statistics     */
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);

/* size bytes aligned for any type, zeroed; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);

/* A copy of s (or of its first n bytes) in the arena; NULL when out of
 * memory.  arena_strdup(a, NULL) is NULL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* LS_SOURCE_ARENA_H */
