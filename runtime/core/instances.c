/*
 * instances.c — see instances.h.
 *
 * A slot packs the top 32 bits of key * INST_HASH_MUL with a reference.
 * The home slot is the top log2(slots) of those bits, so growing and
 * backward-shift deletion compute homes from the slots alone and never
 * re-read keys, and a probe touches a record only when 32 hash bits match.
 * Multiplicative hashing suits the keys we get: lock and handle addresses
 * a fixed stride apart, which the multiply spreads over the top bits.
 * Moving the last record into a hole (swap-remove) costs one probe to find
 * the slot that points at it (or one store, in a direct table).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "instances.h"
#include "trail.h"

#define MAX_REFS 0x7fffffffu            /* both kinds stay below bit 31     */

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

void inst_layout(size_t state_size, size_t *key_off, size_t *stride)
{
    *key_off = round_up(state_size + TRAIL_HDR_SIZE, 8);
    *stride = round_up(*key_off + 8, _Alignof(max_align_t));
}

void inst_init(struct inst_table *t, size_t state_size, int direct)
{
    memset(t, 0, sizeof *t);
    t->state_size = state_size;
    t->direct = direct;
    t->shift = 32;
    inst_layout(state_size, &t->key_off, &t->stride);
}

void inst_free(struct inst_table *t)
{
    free(t->recs);
    free(t->stopped);
    free(t->slots);
    free(t->refs);
    inst_init(t, t->state_size, t->direct);
}

/* Rehashes into a table of 2^bits slots; 0 or -1. */
static int resize_slots(struct inst_table *t, unsigned bits)
{
    uint64_t n = (uint64_t)1 << bits;
    uint64_t *slots = malloc((size_t)n * sizeof *slots);
    if (slots == NULL)
        return -1;
    memset(slots, 0xff, (size_t)n * sizeof *slots);
    uint32_t mask = (uint32_t)(n - 1), shift = 32 - bits;
    if (t->slots) {
        for (uint64_t i = 0; i <= t->mask; i++) {
            uint64_t s = t->slots[i];
            if (s == INST_EMPTY)
                continue;
            uint32_t j = (uint32_t)((s >> 32) >> shift);
            while (slots[j] != INST_EMPTY)
                j = (j + 1) & mask;
            slots[j] = s;
        }
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    t->shift = shift;
    return 0;
}

/* Capacity for `need` elements, doubling from cap. */
static uint32_t grown_cap(uint32_t cap, uint64_t need)
{
    uint64_t n = cap ? cap : 16;
    while (n < need)
        n *= 2;
    return n > MAX_REFS + 1ull ? MAX_REFS + 1u : (uint32_t)n;
}

/* A direct table's reference array, grown to cover key; 0 or -1. */
static int grow_refs(struct inst_table *t, uint64_t key)
{
    if (key >= MAX_REFS)
        return -1;
    uint32_t n = grown_cap(t->nrefs, key + 1);
    uint32_t *refs = realloc(t->refs, (size_t)n * sizeof *refs);
    if (refs == NULL)
        return -1;
    for (uint32_t i = t->nrefs; i < n; i++)
        refs[i] = INST_NONE;
    t->refs = refs;
    t->nrefs = n;
    return 0;
}

int inst_reserve_slow(struct inst_table *t, uint32_t keys, uint32_t stopped, uint64_t key)
{
    uint64_t need_live = (uint64_t)t->live + keys;
    uint64_t need_stopped = (uint64_t)t->nstopped + stopped;
    uint64_t need_keys = (uint64_t)t->used + keys;
    if (need_live > MAX_REFS || need_stopped > MAX_REFS || need_keys > MAX_REFS)
        return -1;
    if (t->direct) {
        if (keys > 0 && key >= t->nrefs && grow_refs(t, key) != 0)
            return -1;
    } else {
        uint64_t n = t->slots ? (uint64_t)t->mask + 1 : 0;
        if (need_keys * 4 > n * 3) {
            unsigned bits = 4;
            while (need_keys * 4 > ((uint64_t)3 << bits))
                bits++;
            if (resize_slots(t, bits) != 0)
                return -1;
        }
    }
    if (need_live > t->cap) {
        uint32_t cap = grown_cap(t->cap, need_live);
        unsigned char *recs = realloc(t->recs, (size_t)cap * t->stride);
        if (recs == NULL)
            return -1;
        t->recs = recs;
        t->cap = cap;
    }
    if (need_stopped > t->stopped_cap) {
        uint32_t cap = grown_cap(t->stopped_cap, need_stopped);
        uint64_t *more = realloc(t->stopped, (size_t)cap * sizeof *more);
        if (more == NULL)
            return -1;
        t->stopped = more;
        t->stopped_cap = cap;
    }
    return 0;
}

/* The empty slot where key (absent, hash h) goes. */
static uint32_t free_slot(const struct inst_table *t, uint32_t h)
{
    uint32_t i = inst_home(t, h);
    while (t->slots[i] != INST_EMPTY)
        i = (i + 1) & t->mask;
    return i;
}

/* Slot whose reference is ref (which must exist), found by its key. */
static uint32_t slot_of(const struct inst_table *t, uint64_t key, uint32_t ref)
{
    uint32_t i = inst_home(t, inst_hash(key));
    while ((uint32_t)t->slots[i] != ref)
        i = (i + 1) & t->mask;
    return i;
}

/* Points key (present) at a new reference. */
static void set_ref(struct inst_table *t, uint64_t key, uint32_t old, uint32_t ref)
{
    if (t->direct) {
        t->refs[key] = ref;
    } else {
        uint32_t s = slot_of(t, key, old);
        t->slots[s] = (t->slots[s] & ~(uint64_t)UINT32_MAX) | ref;
    }
}

/* Adds key (absent) with reference ref. */
static void add_key(struct inst_table *t, uint64_t key, uint32_t ref)
{
    if (t->direct) {
        t->refs[key] = ref;
    } else {
        uint32_t h = inst_hash(key);
        t->slots[free_slot(t, h)] = (uint64_t)h << 32 | ref;
    }
    t->used++;
}

/* Fills the hole at slot i by shifting later members of its cluster back
 * (each may move only if its home is not between the hole and itself). */
static void delete_slot(struct inst_table *t, uint32_t i)
{
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
        uint64_t s = t->slots[j];
        if (s == INST_EMPTY)
            break;
        uint32_t home = inst_home(t, (uint32_t)(s >> 32));
        if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
            t->slots[hole] = s;
            hole = j;
        }
    }
    t->slots[hole] = INST_EMPTY;
}

/* Moves the last live record into the hole at index i (already unhooked
 * from the key lookup). */
static void fill_hole(struct inst_table *t, uint32_t i)
{
    uint32_t last = --t->live;
    if (i == last)
        return;
    unsigned char *to = inst_rec(t, i);
    if (t->stride == 16)                /* states up to 2 bytes: a constant copy */
        memcpy(to, inst_rec(t, last), 16);
    else
        memcpy(to, inst_rec(t, last), t->stride);
    set_ref(t, inst_key(t, to), last, i);
}

uint32_t inst_insert_live(struct inst_table *t, uint64_t key)
{
    uint32_t index = t->live++;
    memcpy(inst_rec(t, index) + t->key_off, &key, sizeof key);
    add_key(t, key, index);
    return index;
}

void inst_insert_stopped(struct inst_table *t, uint64_t key)
{
    uint32_t index = t->nstopped++;
    t->stopped[index] = key;
    add_key(t, key, index | INST_STOPPED);
}

void inst_remove(struct inst_table *t, uint32_t i)
{
    uint64_t key = inst_key(t, inst_rec(t, i));
    if (t->direct)
        t->refs[key] = INST_NONE;
    else
        delete_slot(t, slot_of(t, key, i));
    t->used--;
    fill_hole(t, i);
}

void inst_remove_at(struct inst_table *t, uint32_t i, uint32_t pos)
{
    delete_slot(t, pos);
    t->used--;
    fill_hole(t, i);
}

void inst_stop(struct inst_table *t, uint32_t i)
{
    uint64_t key = inst_key(t, inst_rec(t, i));
    uint32_t index = t->nstopped++;
    t->stopped[index] = key;
    set_ref(t, key, i, index | INST_STOPPED);
    fill_hole(t, i);
}
