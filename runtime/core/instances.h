/*
 * instances.h — one rule's instance table: the instances of a rule keyed
 * by a 64-bit value (the watched value of a rule with `watch`, or the
 * thread id for a rule without).
 *
 * Live instances are records in one dense array, so an unguarded event
 * walks them in a straight line; a record is
 *     [ state (state_size) | trail header (6) | pad | key (8) | pad ]
 * with the state at offset 0 and the record size a multiple of
 * max_align_t's alignment, so every state is aligned as rule.h promises
 * and a one-byte state costs 16 bytes in all.  Stopped instances (an
 * abort or a halt: they ignore every later event) keep only their key, in
 * a second array.
 *
 * A key finds its instance (live index, or stopped index with bit 31 set)
 *   - by value: an open-addressing table of 8-byte slots, 32 bits of the
 *     key's hash + the reference; multiplicative (Fibonacci) hashing, the
 *     home slot taken from the hash's top bits, linear probing at load <=
 *     3/4, deletion by backward shift, so there are no tombstone slots and
 *     lookups never slow down as instances come and go;
 *   - or directly (inst_init's `direct`): for small dense keys such as
 *     thread ids, an array of references indexed by the key.
 *
 * The caller reserves room before inserting, so inserts, removals and
 * stops never fail.
 */
#ifndef LS_CORE_INSTANCES_H
#define LS_CORE_INSTANCES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define INST_NONE UINT32_MAX            /* no such key                      */
#define INST_STOPPED 0x80000000u        /* reference bit: a stopped key     */
#define INST_EMPTY UINT64_MAX           /* an unused slot                   */
#define INST_HASH_MUL 0x9e3779b97f4a7c15ULL

struct inst_table {
    size_t state_size;
    size_t key_off;                     /* offset of the key in a record    */
    size_t stride;                      /* bytes per record                 */
    unsigned char *recs;                /* live records, dense              */
    uint32_t live, cap;
    uint64_t *stopped;                  /* keys of stopped instances        */
    uint32_t nstopped, stopped_cap;
    uint32_t used;                      /* keys: live + stopped             */
    int direct;                         /* refs[] by key instead of slots   */
    uint32_t *refs;                     /* direct: reference per key        */
    uint32_t nrefs;
    uint64_t *slots;                    /* (hash << 32) | ref, or INST_EMPTY */
    uint32_t mask;                      /* slot count - 1                   */
    uint32_t shift;                     /* 32 - log2(slot count)            */
};

/* Layout of a record for states of state_size bytes. */
void inst_layout(size_t state_size, size_t *key_off, size_t *stride);

void inst_init(struct inst_table *t, size_t state_size, int direct);
void inst_free(struct inst_table *t);

static inline unsigned char *inst_rec(const struct inst_table *t, uint32_t i)
{
    return t->recs + (size_t)i * t->stride;
}

static inline uint64_t inst_key(const struct inst_table *t, const unsigned char *rec)
{
    uint64_t key;
    memcpy(&key, rec + t->key_off, sizeof key);
    return key;
}

static inline uint32_t inst_hash(uint64_t key)
{
    return (uint32_t)((key * INST_HASH_MUL) >> 32);
}

static inline uint32_t inst_home(const struct inst_table *t, uint32_t hash)
{
    return (uint32_t)((uint64_t)hash >> t->shift);
}

/* The key a reference stands for. */
static inline uint64_t inst_ref_key(const struct inst_table *t, uint32_t ref)
{
    if (ref & INST_STOPPED)
        return t->stopped[ref & ~INST_STOPPED];
    return inst_key(t, inst_rec(t, ref));
}

/* Reference for key: a live index, INST_STOPPED | stopped index, or
 * INST_NONE.  The _direct and _hashed forms are for a caller that knows
 * the table's kind; _hashed also gives the slot the key was found in, so
 * that inst_remove_at need not look for it again. */
static inline uint32_t inst_find_direct(const struct inst_table *t, uint64_t key)
{
    return key < t->nrefs ? t->refs[key] : INST_NONE;
}

static inline uint32_t inst_find_hashed(const struct inst_table *t, uint64_t key, uint32_t *pos)
{
    if (t->used == 0)
        return INST_NONE;
    uint32_t h = inst_hash(key);
    for (uint32_t i = inst_home(t, h);; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (s == INST_EMPTY)
            return INST_NONE;
        if ((uint32_t)(s >> 32) == h && inst_ref_key(t, (uint32_t)s) == key) {
            *pos = i;
            return (uint32_t)s;
        }
    }
}

static inline uint32_t inst_find(const struct inst_table *t, uint64_t key)
{
    uint32_t pos;
    return t->direct ? inst_find_direct(t, key) : inst_find_hashed(t, key, &pos);
}

/* Makes room for `keys` new keys (a live record each, and a slot) and
 * `stopped` more stopped keys (new ones, or live instances that stop);
 * `key` is the key about to be added when keys > 0 (a direct table grows
 * to cover it).  0, or -1 when out of memory (the table is unchanged but
 * for capacity). */
int inst_reserve_slow(struct inst_table *t, uint32_t keys, uint32_t stopped, uint64_t key);

static inline int inst_reserve(struct inst_table *t, uint32_t keys, uint32_t stopped,
                               uint64_t key)
{
    if ((uint64_t)t->live + keys <= t->cap && (uint64_t)t->nstopped + stopped <= t->stopped_cap
        && (t->direct ? keys == 0 || key < t->nrefs
                      : ((uint64_t)t->used + keys) * 4 <= ((uint64_t)t->mask + 1) * 3))
        return 0;
    return inst_reserve_slow(t, keys, stopped, key);
}

/* inst_reserve(t, 0, 1, 0): room for one live instance to stop. */
static inline int inst_reserve_stop(struct inst_table *t)
{
    if (t->nstopped < t->stopped_cap)
        return 0;
    return inst_reserve_slow(t, 0, 1, 0);
}

/* Adds a live instance for key (absent), after inst_reserve; returns its
 * index.  The record's state and trail header are left for the caller. */
uint32_t inst_insert_live(struct inst_table *t, uint64_t key);

/* Adds key (absent) as a stopped instance, after inst_reserve. */
void inst_insert_stopped(struct inst_table *t, uint64_t key);

/* Removes live instance i (the last record moves into its place). */
void inst_remove(struct inst_table *t, uint32_t i);

/* The same, for a hashed table's instance found in slot pos by
 * inst_find_hashed (the table unchanged since). */
void inst_remove_at(struct inst_table *t, uint32_t i, uint32_t pos);

/* Turns live instance i into a stopped one (the last record moves into
 * its place), after inst_reserve made room for one more stopped key. */
void inst_stop(struct inst_table *t, uint32_t i);

#endif
