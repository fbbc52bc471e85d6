/*
 * intern.h — string interning for the runtime: names (functions, threads,
 * roles) become dense uint32 ids 0, 1, 2 ... in the order first seen, so
 * every later table is an array indexed by id and no event does string
 * work.  Names are binary-safe (pointer + length); each is stored once,
 * NUL-terminated, at an address that never moves.
 */
#ifndef LS_CORE_INTERN_H
#define LS_CORE_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_NONE UINT32_MAX

struct intern_name {
    const char *text;               /* NUL-terminated copy (in the arena)   */
    uint32_t length;
    uint32_t hash;                  /* low 32 bits of the name's hash       */
};

struct intern_block;                /* arena block, see intern.c            */

struct intern {
    struct intern_name *names;      /* indexed by id                        */
    uint32_t count, cap;
    uint64_t *slots;                /* (hash << 32) | (id + 1); 0 = empty   */
    uint32_t mask;                  /* slot count - 1 (0 with no slots)     */
    struct intern_block *blocks;    /* newest first                         */
    char *arena_pos;
    size_t arena_left;
};

/* An empty table (allocates nothing). */
void intern_init(struct intern *t);

/* Frees everything; the table is empty afterwards. */
void intern_free(struct intern *t);

/* The id of name[0..length), adding it if new; INTERN_NONE when out of
 * memory or when the name or the table outgrows 32 bits. */
uint32_t intern_add(struct intern *t, const char *name, size_t length);

/* The id of name[0..length), or INTERN_NONE when it was never added. */
uint32_t intern_find(const struct intern *t, const char *name, size_t length);

/* The name of id (NUL-terminated), or NULL for an unknown id. */
const char *intern_name(const struct intern *t, uint32_t id);

#endif
