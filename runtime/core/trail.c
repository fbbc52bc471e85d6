/*
 * trail.c — see trail.h.
 *
 * Each size class is a slab: blocks of about 64 KiB, each cut into
 * equal chunks, addressed by a 32-bit chunk index (block = index >>
 * shift).  A freed chunk goes on the class's free list, threaded through
 * the chunks' first four bytes, so allocation in the steady state is a
 * pop and never calls malloc.  Blocks are never returned before the pool
 * is freed: memory follows the peak number of trails, as the instance
 * tables do.
 */
#include <stdlib.h>
#include <string.h>

#include "trail.h"

#define BLOCK_BYTES (64 * 1024)

void trail_pool_init(struct trail_pool *p, unsigned length)
{
    memset(p, 0, sizeof *p);
    if (length > LS_TRAIL_MAX)
        length = LS_TRAIL_MAX;
    p->length = length;
    if (length == 0)
        return;
    for (unsigned c = 1;; c *= 2) {
        struct trail_class *k = &p->cls[p->nclass++];
        k->cap = c < length ? c : length;
        uint32_t chunk_bytes = k->cap * (uint32_t)sizeof(struct trail_rec);
        k->shift = 0;
        while ((chunk_bytes << (k->shift + 1)) <= BLOCK_BYTES)
            k->shift++;
        k->mask = (1u << k->shift) - 1;
        k->chunk_bytes = chunk_bytes;
        k->free = TRAIL_NO_CHUNK;
        if (k->cap == length)
            break;
    }
    for (unsigned n = 1, c = 0; n <= length; n++) {
        while (p->cls[c].cap < n)
            c++;
        p->class_of[n] = (uint8_t)c;
    }
}

void trail_pool_free(struct trail_pool *p)
{
    for (unsigned c = 0; c < p->nclass; c++) {
        struct trail_class *k = &p->cls[c];
        for (uint32_t b = 0; b < k->nblocks; b++)
            free(k->blocks[b]);
        free(k->blocks);
    }
    trail_pool_init(p, p->length);
}

/* A chunk of class k, or TRAIL_NO_CHUNK when out of memory. */
static uint32_t chunk_alloc(struct trail_class *k)
{
    if (k->free != TRAIL_NO_CHUNK) {
        uint32_t i = k->free;
        memcpy(&k->free, trail_chunk(k, i), sizeof k->free);
        return i;
    }
    uint32_t per_block = 1u << k->shift;
    if (k->used == (uint64_t)k->nblocks * per_block) {
        if ((uint64_t)k->used + per_block >= TRAIL_NO_CHUNK)
            return TRAIL_NO_CHUNK;
        if (k->nblocks == k->blocks_cap) {
            uint32_t cap = k->blocks_cap ? k->blocks_cap * 2 : 16;
            unsigned char **blocks = realloc(k->blocks, cap * sizeof *blocks);
            if (blocks == NULL)
                return TRAIL_NO_CHUNK;
            k->blocks = blocks;
            k->blocks_cap = cap;
        }
        unsigned char *block = malloc((size_t)per_block * k->cap * sizeof(struct trail_rec));
        if (block == NULL)
            return TRAIL_NO_CHUNK;
        k->blocks[k->nblocks++] = block;
    }
    return k->used++;
}

int trail_grow(struct trail_pool *p, struct trail_hdr *h, const struct trail_rec *r)
{
    unsigned n = h->length;
    struct trail_class *to = &p->cls[p->class_of[n + 1]];
    uint32_t i = chunk_alloc(to);
    if (i == TRAIL_NO_CHUNK)
        return -1;
    struct trail_rec *c = trail_chunk(to, i);
    if (n > 0) {
        struct trail_class *from = &p->cls[p->class_of[n]];
        const struct trail_rec *old = trail_chunk(from, h->chunk);
        for (unsigned k = 0; k < n; k++)        /* a few entries: no memcpy call */
            c[k] = old[k];
        trail_chunk_free(from, h->chunk);
    }
    h->chunk = i;
    c[n] = *r;
    h->length = (uint8_t)(n + 1);
    h->head = 0;                                /* oldest first until full */
    return 0;
}

unsigned trail_copy(const struct trail_pool *p, const struct trail_hdr *h,
                    struct ls_trail_event *out)
{
    if (h->length == 0 || p->length == 0)
        return 0;
    const struct trail_rec *c = trail_chunk(&p->cls[p->class_of[h->length]], h->chunk);
    unsigned n = h->length;
    for (unsigned i = 0; i < n; i++)
        trail_unpack(&c[(h->head + i) % n], &out[i]);
    return n;
}

/* A thread id too large for the packed field reads back as UINT32_MAX. */
void trail_unpack(const struct trail_rec *r, struct ls_trail_event *out)
{
    uint32_t thread = r->packed & TRAIL_THREAD_MASK;
    out->seq = r->seq;
    out->function = r->function;
    out->thread = thread == TRAIL_THREAD_MASK ? UINT32_MAX : thread;
    out->when = (uint8_t)(r->packed >> 31);
    out->irql = (uint8_t)((r->packed >> TRAIL_THREAD_BITS) & 31u);
}
