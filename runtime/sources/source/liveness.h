/*
 * liveness.h — which variables of a function may still be read, at each
 * node of its CFG (classic backward live-variable analysis over ir.h).
 *
 * The engine forgets a path's value of a variable that is dead where the
 * path stands: two paths that differ only in a value nobody will read are
 * then one state, which is what keeps the number of states of a function
 * with many independent branches from doubling at each one.  A variable
 * whose address is taken is live everywhere (it may be read through the
 * pointer).
 */
#ifndef LS_SOURCE_LIVENESS_H
#define LS_SOURCE_LIVENESS_H

#include <stdint.h>

#include "ir.h"

struct liveness {
    uint32_t words;                 /* 64-bit words per node                 */
    uint64_t *in;                   /* nnodes × words: live on entry         */
    uint8_t *addressed;             /* per variable: its address is taken    */
};

/* 0, or -1 when out of memory. */
int liveness_compute(const struct ir_function *f, struct liveness *lv);
void liveness_free(struct liveness *lv);

/* Whether variable var may be read from node on. */
static inline int liveness_live(const struct liveness *lv, int32_t node, int32_t var)
{
    return lv->addressed[var]
        || (lv->in[(size_t)node * lv->words + (uint32_t)var / 64] >> ((uint32_t)var % 64)) & 1;
}

#endif /* LS_SOURCE_LIVENESS_H */
