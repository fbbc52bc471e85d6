/*
 * intern.c — see intern.h.
 *
 * Layout: names[] holds (text, length, hash) per id; slots[] is an open-
 * addressing table (linear probing, load <= 1/2) of 64-bit words packing
 * the name's 32-bit hash with id + 1, so a probe compares hashes without
 * touching names[] and only a matching hash costs a memcmp.  Names are
 * never removed, so no deletion scheme is needed.  The text lives in
 * arena blocks of 64 KiB (or one block of its own for a longer name) that
 * never move, which keeps intern_name() pointers valid for the table's
 * life.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "intern.h"

#define ARENA_BLOCK (64 * 1024)

struct intern_block {
    struct intern_block *next;
    char text[];
};

void intern_init(struct intern *t)
{
    memset(t, 0, sizeof *t);
}

void intern_free(struct intern *t)
{
    struct intern_block *b = t->blocks;
    while (b) {
        struct intern_block *next = b->next;
        free(b);
        b = next;
    }
    free(t->names);
    free(t->slots);
    intern_init(t);
}

/* Slot of name (hash h) or of the empty slot where it would go. */
static uint32_t probe(const struct intern *t, const char *name, uint32_t length, uint32_t h)
{
    uint32_t i = h & t->mask;
    for (;;) {
        uint64_t s = t->slots[i];
        if (s == 0)
            return i;
        if ((uint32_t)(s >> 32) == h) {
            const struct intern_name *n = &t->names[(uint32_t)s - 1];
            if (n->length == length && memcmp(n->text, name, length) == 0)
                return i;
        }
        i = (i + 1) & t->mask;
    }
}

uint32_t intern_find(const struct intern *t, const char *name, size_t length)
{
    if (t->slots == NULL || length >= UINT32_MAX || (name == NULL && length > 0))
        return INTERN_NONE;
    uint32_t h = (uint32_t)hash_bytes(name, length);
    uint64_t s = t->slots[probe(t, name, (uint32_t)length, h)];
    return s == 0 ? INTERN_NONE : (uint32_t)s - 1;
}

/* Doubles the slot table (or makes the first); 0, or -1 out of memory. */
static int grow_slots(struct intern *t)
{
    uint64_t n = t->slots ? (uint64_t)t->mask + 1 : 0;
    uint64_t want = n ? n * 2 : 64;
    if (want > ((uint64_t)1 << 31))
        return -1;
    uint64_t *slots = calloc((size_t)want, sizeof *slots);
    if (slots == NULL)
        return -1;
    uint32_t mask = (uint32_t)(want - 1);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t s = t->slots[i];
        if (s == 0)
            continue;
        uint32_t j = (uint32_t)(s >> 32) & mask;
        while (slots[j] != 0)
            j = (j + 1) & mask;
        slots[j] = s;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

/* A stable NUL-terminated copy of name[0..length) in the arena, or NULL. */
static const char *arena_copy(struct intern *t, const char *name, size_t length)
{
    if (length + 1 > t->arena_left) {
        size_t size = length + 1 > ARENA_BLOCK ? length + 1 : ARENA_BLOCK;
        struct intern_block *b = malloc(sizeof *b + size);
        if (b == NULL)
            return NULL;
        b->next = t->blocks;
        t->blocks = b;
        t->arena_pos = b->text;
        t->arena_left = size;
    }
    char *copy = t->arena_pos;
    if (length > 0)
        memcpy(copy, name, length);
    copy[length] = '\0';
    t->arena_pos += length + 1;
    t->arena_left -= length + 1;
    return copy;
}

uint32_t intern_add(struct intern *t, const char *name, size_t length)
{
    if (length >= UINT32_MAX || (name == NULL && length > 0))
        return INTERN_NONE;
    if (name == NULL)
        name = "";
    /* keep the load at most 1/2: short probe sequences on misses */
    if ((t->slots == NULL || (uint64_t)(t->count + 1) * 2 > (uint64_t)t->mask + 1)
        && grow_slots(t) != 0)
        return INTERN_NONE;
    uint32_t h = (uint32_t)hash_bytes(name, length);
    uint32_t i = probe(t, name, (uint32_t)length, h);
    if (t->slots[i] != 0)
        return (uint32_t)t->slots[i] - 1;

    if (t->count >= INTERN_NONE - 1)
        return INTERN_NONE;
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        if (cap < t->cap)
            return INTERN_NONE;
        struct intern_name *names = realloc(t->names, (size_t)cap * sizeof *names);
        if (names == NULL)
            return INTERN_NONE;
        t->names = names;
        t->cap = cap;
    }
    const char *copy = arena_copy(t, name, length);
    if (copy == NULL)
        return INTERN_NONE;
    uint32_t id = t->count++;
    t->names[id] = (struct intern_name){ copy, (uint32_t)length, h };
    t->slots[i] = ((uint64_t)h << 32) | ((uint64_t)id + 1);
    return id;
}

const char *intern_name(const struct intern *t, uint32_t id)
{
    return id < t->count ? t->names[id].text : NULL;
}
