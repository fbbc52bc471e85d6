/*
 * trail.h — each rule instance's trail: a ring of the last N events it
 * handled (N = the runtime's trail length, at most LS_TRAIL_MAX), handed
 * to the violation sink oldest first.
 *
 * Memory is the point (DESIGN section 6: a million live lock instances in
 * 200 MB).  A typical lock instance handles two or three events before it
 * is dropped again, so a fixed ring of N entries per instance would waste
 * most of its bytes.  Instead an instance holds a 6-byte header (chunk
 * index, length, ring head) and its entries live in a shared pool of
 * chunks in size classes 1, 2, 4, ... N entries: a trail moves to the next
 * class when it fills its chunk, and becomes a true ring only at N.  The
 * commonest life of a lock instance, created by the acquire and dropped
 * by the release (whose event its trail never needs), takes one 16-byte
 * chunk and no move.  An entry is 16 bytes: sequence number, function id,
 * and thread id, IRQL and entry/exit packed into one word.
 */
#ifndef LS_CORE_TRAIL_H
#define LS_CORE_TRAIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lockstep/runtime.h>

/* One packed entry. */
struct trail_rec {
    uint64_t seq;
    uint32_t function;
    uint32_t packed;        /* thread (26 bits) | irql (5) << 26 | when << 31 */
};

#define TRAIL_THREAD_BITS 26
#define TRAIL_THREAD_MASK ((1u << TRAIL_THREAD_BITS) - 1)

/* An instance's trail; stored unaligned in its record (TRAIL_HDR_SIZE
 * bytes), so load and store it with trail_hdr_load/trail_hdr_store. */
struct trail_hdr {
    uint32_t chunk;         /* chunk index in the class for `length`        */
    uint8_t length;         /* entries held, 0..N                           */
    uint8_t head;           /* when length == N: the oldest entry's index   */
};

#define TRAIL_HDR_SIZE 6

#define TRAIL_CLASSES 8
#define TRAIL_NO_CHUNK UINT32_MAX               /* an empty free list        */

struct trail_class {
    uint32_t cap;           /* entries per chunk                            */
    uint32_t shift;         /* log2 of chunks per block                     */
    uint32_t mask;          /* chunks per block - 1                         */
    uint32_t chunk_bytes;   /* cap * sizeof(struct trail_rec)               */
    unsigned char **blocks;
    uint32_t nblocks, blocks_cap;
    uint32_t used;          /* chunks ever handed out                       */
    uint32_t free;          /* free list head, TRAIL_NO_CHUNK when empty    */
};

struct trail_pool {
    unsigned length;        /* N                                            */
    unsigned nclass;
    uint8_t class_of[LS_TRAIL_MAX + 1];  /* class holding a trail of n entries */
    struct trail_class cls[TRAIL_CLASSES];
};

/* A pool for trails of `length` (0..LS_TRAIL_MAX) entries; allocates
 * nothing yet. */
void trail_pool_init(struct trail_pool *p, unsigned length);
void trail_pool_free(struct trail_pool *p);

/* Appends r to the trail *h (a new chunk when it grows out of its own).
 * With check_repeat, nothing changes when the last entry is already r
 * (a second handler of one rule on one event reaching the same instance).
 * 0, or -1 when out of memory (*h unchanged). */
static inline int trail_append(struct trail_pool *p, struct trail_hdr *h,
                               const struct trail_rec *r, int check_repeat);

/* Gives the trail's chunk back; *h becomes empty. */
static inline void trail_release(struct trail_pool *p, struct trail_hdr *h);

/* Writes the trail oldest first into out (room for LS_TRAIL_MAX);
 * returns the number of entries. */
unsigned trail_copy(const struct trail_pool *p, const struct trail_hdr *h,
                    struct ls_trail_event *out);

/* Packs one event; a thread id too large for its field is saturated and
 * reads back as UINT32_MAX. */
static inline struct trail_rec trail_pack(uint64_t seq, uint32_t function, uint32_t thread,
                                          unsigned when, unsigned irql)
{
    struct trail_rec r;
    r.seq = seq;
    r.function = function;
    r.packed = (thread < TRAIL_THREAD_MASK ? thread : TRAIL_THREAD_MASK)
             | (uint32_t)(irql & 31u) << TRAIL_THREAD_BITS
             | (uint32_t)(when & 1u) << 31;
    return r;
}

void trail_unpack(const struct trail_rec *r, struct ls_trail_event *out);

/* Entries of chunk i of class k. */
static inline struct trail_rec *trail_chunk(const struct trail_class *k, uint32_t i)
{
    return (struct trail_rec *)(void *)(k->blocks[i >> k->shift]
                                        + (size_t)(i & k->mask) * k->chunk_bytes);
}

/* trail_append's slow path: a first chunk from a new block, or a move to
 * a bigger chunk. */
int trail_grow(struct trail_pool *p, struct trail_hdr *h, const struct trail_rec *r);

/* Puts chunk i of class k on the class's free list, threaded through the
 * chunks' first four bytes. */
static inline void trail_chunk_free(struct trail_class *k, uint32_t i)
{
    memcpy(trail_chunk(k, i), &k->free, sizeof k->free);
    k->free = i;
}

/* The hot cases are inline: a new trail taking a one-entry chunk off the
 * free list (every instance starts so), an entry added to a chunk with
 * room, and the ring once full. */
static inline int trail_append(struct trail_pool *p, struct trail_hdr *h,
                               const struct trail_rec *r, int check_repeat)
{
    unsigned n = h->length, length = p->length;
    if (length == 0)
        return 0;
    if (n == 0) {
        struct trail_class *k = &p->cls[0];     /* class 0 holds one entry */
        uint32_t i = k->free;
        if (i == TRAIL_NO_CHUNK)
            return trail_grow(p, h, r);
        struct trail_rec *c = trail_chunk(k, i);
        memcpy(&k->free, c, sizeof k->free);
        c[0] = *r;
        h->chunk = i;
        h->length = 1;
        h->head = 0;
        return 0;
    }
    const struct trail_class *k = &p->cls[p->class_of[n]];
    struct trail_rec *c = trail_chunk(k, h->chunk);
    if (check_repeat) {
        const struct trail_rec *last = &c[n < length ? n - 1 : (h->head + length - 1) % length];
        if (last->seq == r->seq && last->function == r->function && last->packed == r->packed)
            return 0;
    }
    if (n == length) {                          /* full: a ring */
        c[h->head] = *r;
        h->head = (uint8_t)(h->head + 1u == length ? 0 : h->head + 1u);
        return 0;
    }
    if (n == k->cap)
        return trail_grow(p, h, r);
    c[n] = *r;
    h->length = (uint8_t)(n + 1);
    return 0;
}

static inline void trail_release(struct trail_pool *p, struct trail_hdr *h)
{
    if (h->length > 0 && p->length > 0)
        trail_chunk_free(&p->cls[p->class_of[h->length]], h->chunk);
    h->chunk = 0;
    h->length = 0;
    h->head = 0;
}

static inline void trail_hdr_load(struct trail_hdr *h, const unsigned char *p)
{
    memcpy(&h->chunk, p, 4);
    h->length = p[4];
    h->head = p[5];
}

static inline void trail_hdr_store(unsigned char *p, const struct trail_hdr *h)
{
    memcpy(p, &h->chunk, 4);
    p[4] = h->length;
    p[5] = h->head;
}

#endif
