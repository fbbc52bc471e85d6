/*
 * liveness.c — live variables per CFG node (liveness.h).
 *
 * Uses: every variable an expression of the node reads, including the
 * variables under a field or an index (reading ctx.OldIrql reads ctx) and
 * the pointers and indices a written location goes through.  Kills: a
 * whole-variable assignment (x = …, or a call's result into x); writing
 * one field kills nothing.  The fixed point is reached by sweeping the
 * nodes backwards until nothing changes.
 */
#include <stdlib.h>
#include <string.h>

#include "liveness.h"

static void set_bit(uint64_t *bits, int32_t var)
{
    bits[(uint32_t)var / 64] |= 1ULL << ((uint32_t)var % 64);
}

static void use_expr(const struct ir_function *f, int32_t x, uint64_t *use, uint8_t *addressed);

/* A location read (read != 0) or written: its root variable is used when
 * read; the expressions inside it are used either way. */
static void use_loc(const struct ir_function *f, int32_t l, int read, uint64_t *use,
                    uint8_t *addressed)
{
    while (l >= 0) {
        const struct ir_loc *loc = &f->locs[l];
        switch (loc->kind) {
        case LOC_VAR:
            if (read && use)
                set_bit(use, loc->var);
            if (addressed && read < 0)
                addressed[loc->var] = 1;
            return;
        case LOC_FIELD:
            l = loc->base;
            break;
        case LOC_INDEX:
            use_expr(f, loc->expr, use, addressed);
            l = loc->base;
            break;
        case LOC_DEREF:
            use_expr(f, loc->expr, use, addressed);
            return;
        }
    }
}

static void use_expr(const struct ir_function *f, int32_t x, uint64_t *use, uint8_t *addressed)
{
    while (x >= 0) {
        const struct ir_expr *e = &f->exprs[x];
        switch (e->kind) {
        case EX_LOAD:
            use_loc(f, e->loc, 1, use, addressed);
            return;
        case EX_ADDR:
            use_loc(f, e->loc, -1, use, addressed);   /* -1: address taken */
            return;
        case EX_UNARY:
            x = e->a;
            break;
        case EX_BINARY:
            use_expr(f, e->a, use, addressed);
            x = e->b;
            break;
        default:
            return;
        }
    }
}

/* The variable a whole-variable write defines, or -1. */
static int32_t defined_var(const struct ir_function *f, const struct ir_node *n)
{
    if ((n->kind == N_ASSIGN || n->kind == N_CALL) && n->loc >= 0
        && f->locs[n->loc].kind == LOC_VAR)
        return f->locs[n->loc].var;
    return -1;
}

/* The node's uses, into use (zeroed by the caller). */
static void node_uses(const struct ir_function *f, const struct ir_node *n, uint64_t *use,
                      uint8_t *addressed)
{
    use_expr(f, n->expr, use, addressed);
    if (n->loc >= 0)
        use_loc(f, n->loc, 0, use, addressed);
    for (uint32_t i = 0; i < n->nargs; i++)
        use_expr(f, n->args[i], use, addressed);
}

int liveness_compute(const struct ir_function *f, struct liveness *lv)
{
    lv->words = (f->nvars + 63) / 64;
    if (lv->words == 0)
        lv->words = 1;
    size_t w = lv->words, n = f->nnodes;
    lv->in = calloc(n * w, sizeof *lv->in);
    lv->addressed = calloc(f->nvars ? f->nvars : 1, 1);
    uint64_t *use = calloc(n * w, sizeof *use);
    uint64_t *out = calloc(w, sizeof *out);
    if (lv->in == NULL || lv->addressed == NULL || use == NULL || out == NULL) {
        free(use);
        free(out);
        liveness_free(lv);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        node_uses(f, &f->nodes[i], use + i * w, lv->addressed);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = n; i-- > 0;) {
            const struct ir_node *node = &f->nodes[i];
            memset(out, 0, w * sizeof *out);
            for (int k = 0; k < 2; k++)
                if (node->next[k] >= 0)
                    for (size_t j = 0; j < w; j++)
                        out[j] |= lv->in[(size_t)node->next[k] * w + j];
            for (uint32_t c = 0; c < node->ncases; c++)
                for (size_t j = 0; j < w; j++)
                    out[j] |= lv->in[(size_t)node->cases[c].target * w + j];
            int32_t def = defined_var(f, node);
            if (def >= 0)
                out[(uint32_t)def / 64] &= ~(1ULL << ((uint32_t)def % 64));
            for (size_t j = 0; j < w; j++) {
                uint64_t v = out[j] | use[i * w + j];
                if (v != lv->in[i * w + j]) {
                    lv->in[i * w + j] = v;
                    changed = 1;
                }
            }
        }
    }
    free(use);
    free(out);
    return 0;
}

void liveness_free(struct liveness *lv)
{
    free(lv->in);
    free(lv->addressed);
    lv->in = NULL;
    lv->addressed = NULL;
}
