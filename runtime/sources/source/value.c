/*
 * value.c — values and places of source mode (value.h).
 *
 * Places are interned in an open-addressing hash table on their key; the
 * key of a derived place is built from its base's key, so a place is found
 * again however the code reached it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "value.h"

#define TAG_ADDR ((ls_word)0x4C00000000000000LL)
#define TAG_SYM ((ls_word)0x5300000000000000LL)
#define TAG_MASK ((ls_word)0x7F00000000000000LL)

/* ---- values ----------------------------------------------------------------- */

struct value value_const(int64_t c)
{
    struct value v;
    memset(&v, 0, sizeof v);
    v.kind = V_INT;
    v.lo = v.hi = c;
    return v;
}

struct value value_unknown(void)
{
    struct value v;
    memset(&v, 0, sizeof v);
    v.kind = V_INT;
    v.lo = INT64_MIN;
    v.hi = INT64_MAX;
    return v;
}

struct value value_addr(uint32_t place)
{
    struct value v = value_const(0);
    v.kind = V_ADDR;
    v.place = place;
    v.lo = INT64_MIN;
    v.hi = INT64_MAX;
    v.has_ne = 1;               /* an address is never NULL */
    return v;
}

struct value value_sym(uint32_t place)
{
    struct value v = value_unknown();
    v.kind = V_SYM;
    v.place = place;
    return v;
}

int value_is_const(const struct value *v, int64_t *c)
{
    if (v->kind != V_ADDR && v->lo == v->hi) {
        if (c)
            *c = v->lo;
        return 1;
    }
    return 0;
}

/* Whether v's range includes x. */
static int may_be(const struct value *v, int64_t x)
{
    return v->lo <= x && x <= v->hi && !(v->has_ne && v->ne == x);
}

int value_truth(const struct value *v)
{
    if (!may_be(v, 0))
        return 1;
    return value_is_const(v, NULL) ? 0 : -1;
}

/* Same unknown (or same address): equal for sure. */
static int same_symbol(const struct value *a, const struct value *b)
{
    return a->kind == b->kind && a->kind != V_INT && a->place != 0 && a->place == b->place;
}

int value_compare(unsigned op, const struct value *a, const struct value *b)
{
    if (same_symbol(a, b)) {
        switch (op) {
        case OP_EQ: case OP_LE: case OP_GE: return 1;
        default: return 0;
        }
    }
    if (a->kind == V_ADDR && b->kind == V_ADDR && a->place && b->place
        && a->place != b->place && (op == OP_EQ || op == OP_NE))
        return op == OP_NE;
    int64_t c;
    if (a->kind != V_ADDR && b->kind != V_ADDR) {
        /* ranges */
        switch (op) {
        case OP_EQ:
        case OP_NE: {
            int eq = -1;
            if (a->hi < b->lo || b->hi < a->lo)
                eq = 0;
            else if (value_is_const(a, &c) && value_is_const(b, NULL) && b->lo == c)
                eq = 1;
            else if (value_is_const(b, &c) && !may_be(a, c))
                eq = 0;
            else if (value_is_const(a, &c) && !may_be(b, c))
                eq = 0;
            return eq < 0 ? -1 : op == OP_EQ ? eq : !eq;
        }
        case OP_LT: return a->hi < b->lo ? 1 : a->lo >= b->hi ? 0 : -1;
        case OP_LE: return a->hi <= b->lo ? 1 : a->lo > b->hi ? 0 : -1;
        case OP_GT: return a->lo > b->hi ? 1 : a->hi <= b->lo ? 0 : -1;
        case OP_GE: return a->lo >= b->hi ? 1 : a->hi < b->lo ? 0 : -1;
        default: return -1;
        }
    }
    /* an address against a constant: only NULL is known */
    const struct value *other = a->kind == V_ADDR ? b : a;
    if (value_is_const(other, &c) && c == 0 && (op == OP_EQ || op == OP_NE))
        return op == OP_NE;
    return -1;
}

int value_refine(struct value *v, unsigned op, int64_t c)
{
    if (v->kind == V_ADDR)
        return op == OP_EQ ? c != 0 : 1;
    switch (op) {
    case OP_EQ:
        if (!may_be(v, c))
            return 0;
        v->lo = v->hi = c;
        v->has_ne = 0;
        v->ne = 0;
        if (v->kind == V_SYM && c == 0) {
            /* a NULL pointer or a zero flag: nothing behind it to reach */
            v->kind = V_INT;
            v->place = 0;
        }
        break;
    case OP_NE:
        if (value_is_const(v, NULL) && v->lo == c)
            return 0;
        if (v->lo == c)
            v->lo++;
        else if (v->hi == c)
            v->hi--;
        else if (v->lo < c && c < v->hi) {
            v->has_ne = 1;
            v->ne = c;
        }
        break;
    case OP_LT:
        if (c == INT64_MIN || v->lo >= c)
            return 0;
        if (v->hi > c - 1) v->hi = c - 1;
        break;
    case OP_LE:
        if (v->lo > c)
            return 0;
        if (v->hi > c) v->hi = c;
        break;
    case OP_GT:
        if (c == INT64_MAX || v->hi <= c)
            return 0;
        if (v->lo < c + 1) v->lo = c + 1;
        break;
    case OP_GE:
        if (v->hi < c)
            return 0;
        if (v->lo < c) v->lo = c;
        break;
    default:
        return 1;
    }
    if (v->has_ne && (v->ne < v->lo || v->ne > v->hi))
        v->has_ne = 0, v->ne = 0;
    if (v->has_ne && v->lo == v->hi)
        return 0;                   /* the one value left is excluded */
    if (v->kind == V_SYM && v->lo == v->hi && v->lo == 0)
        v->kind = V_INT, v->place = 0;
    return 1;
}

/* Two's complement arithmetic, as the machine does it. */
static int64_t wrap(uint64_t x)
{
    int64_t r;
    memcpy(&r, &x, sizeof r);
    return r;
}

struct value value_apply(unsigned op, const struct value *a, const struct value *b)
{
    if (op >= OP_EQ && op <= OP_GE && b) {
        int r = value_compare(op, a, b);
        if (r >= 0)
            return value_const(r);
        struct value v = value_unknown();
        v.lo = 0;
        v.hi = 1;
        return v;
    }
    int64_t x, y = 0;
    if (!value_is_const(a, &x) || (b && !value_is_const(b, &y)))
        return value_unknown();
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    switch (op) {
    case OP_NEG: return value_const(wrap(0 - ux));
    case OP_NOT: return value_const(x == 0);
    case OP_BITNOT: return value_const(wrap(~ux));
    case OP_ADD: return value_const(wrap(ux + uy));
    case OP_SUB: return value_const(wrap(ux - uy));
    case OP_MUL: return value_const(wrap(ux * uy));
    case OP_DIV:
        if (y == 0 || (x == INT64_MIN && y == -1)) return value_unknown();
        return value_const(x / y);
    case OP_MOD:
        if (y == 0 || (x == INT64_MIN && y == -1)) return value_unknown();
        return value_const(x % y);
    case OP_SHL: return y < 0 || y > 63 ? value_unknown() : value_const(wrap(ux << y));
    case OP_SHR: return y < 0 || y > 63 ? value_unknown() : value_const(x >> y);
    case OP_AND: return value_const(wrap(ux & uy));
    case OP_OR: return value_const(wrap(ux | uy));
    case OP_XOR: return value_const(wrap(ux ^ uy));
    default: return value_unknown();
    }
}

/* ---- places ----------------------------------------------------------------- */

struct place {
    const char *key;
    const char *display;
    const char *owner;              /* function of the root variable, or NULL */
    int32_t var;                    /* that variable's number in owner       */
    uint8_t is_deref;               /* display is "*" + inner's display       */
    uint8_t derefs;                 /* pointers followed to reach the place  */
    uint32_t inner;                 /* is_deref: the place dereferenced       */
};

struct places {
    struct arena arena;
    struct place *v;                /* v[0] is "no place"                     */
    uint32_t n, cap;
    uint32_t *slots;                /* hash table of ids; 0 = empty           */
    uint32_t nslots;
    struct derived *derived;        /* (base, field name) -> place, a cache   */
    uint32_t nderived;
};

/* A cache entry: the field `name` (the IR's own string, compared by
 * address) of place base.  Fields are read on nearly every step, and
 * building their key text each time was the engine's main cost. */
struct derived {
    uint32_t base;
    const char *name;
    uint32_t place;
};

#define DERIVED_SLOTS 4096

struct places *places_new(void)
{
    struct places *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    arena_init(&p->arena);
    p->cap = 256;
    p->nslots = 512;
    p->v = calloc(p->cap, sizeof *p->v);
    p->slots = calloc(p->nslots, sizeof *p->slots);
    p->derived = calloc(DERIVED_SLOTS, sizeof *p->derived);
    if (p->v == NULL || p->slots == NULL || p->derived == NULL) {
        places_free(p);
        return NULL;
    }
    p->v[0].key = p->v[0].display = "?";
    p->n = 1;
    return p;
}

void places_free(struct places *p)
{
    if (p == NULL)
        return;
    arena_free(&p->arena);
    free(p->v);
    free(p->slots);
    free(p->derived);
    free(p);
}

static uint32_t hash_string(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int grow_slots(struct places *p)
{
    uint32_t n = p->nslots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (uint32_t id = 1; id < p->n; id++) {
        uint32_t i = hash_string(p->v[id].key) & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = id;
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = n;
    return 0;
}

/* The place with this key, made from the other fields if new. */
static uint32_t intern(struct places *p, const char *key, const char *display,
                       const char *owner, int32_t var, int is_deref, uint32_t inner,
                       unsigned derefs)
{
    uint32_t i = hash_string(key) & (p->nslots - 1);
    for (; p->slots[i]; i = (i + 1) & (p->nslots - 1))
        if (strcmp(p->v[p->slots[i]].key, key) == 0)
            return p->slots[i];
    if (p->n == p->cap) {
        struct place *v = realloc(p->v, p->cap * 2 * sizeof *v);
        if (v == NULL)
            return 0;
        p->v = v;
        p->cap *= 2;
    }
    struct place *pl = &p->v[p->n];
    pl->key = arena_strdup(&p->arena, key);
    pl->display = arena_strdup(&p->arena, display);
    pl->owner = owner;
    pl->var = var;
    pl->is_deref = (uint8_t)is_deref;
    pl->derefs = (uint8_t)derefs;
    pl->inner = inner;
    if (pl->key == NULL || pl->display == NULL)
        return 0;
    p->slots[i] = p->n;
    uint32_t id = p->n++;
    if (p->n * 2 > p->nslots && grow_slots(p) < 0)
        return 0;
    return id;
}

uint32_t place_var(struct places *p, const char *owner, int32_t var, const char *name)
{
    char key[512];
    snprintf(key, sizeof key, "%s::%s", owner ? owner : "", name);
    return intern(p, key, name, owner, owner ? var : -1, 0, 0, 0);
}

/* Derived place: key and display from the base's, joined by sep. */
static uint32_t derive(struct places *p, uint32_t base, const char *dot, const char *arrow,
                       const char *suffix)
{
    if (base == 0)
        return 0;
    const struct place *b = &p->v[base];
    char key[1024], display[1024];
    snprintf(key, sizeof key, "(%s)%s%s", b->key, dot, suffix);
    if (b->is_deref)
        snprintf(display, sizeof display, "%s%s%s", p->v[b->inner].display, arrow, suffix);
    else
        snprintf(display, sizeof display, "%s%s%s", b->display, dot, suffix);
    return intern(p, key, display, b->owner, b->var, 0, 0, b->derefs);
}

uint32_t place_field(struct places *p, uint32_t base, const char *field)
{
    struct derived *d = &p->derived[(base * 2654435761u ^ (uint32_t)((uintptr_t)field >> 3))
                                    & (DERIVED_SLOTS - 1)];
    if (d->base == base && d->name == field && base != 0)
        return d->place;
    uint32_t place = derive(p, base, ".", "->", field);
    if (place != 0)
        *d = (struct derived){ base, field, place };
    return place;
}

uint32_t place_index(struct places *p, uint32_t base, const struct value *index)
{
    char text[32];
    int64_t c;
    if (value_is_const(index, &c))
        snprintf(text, sizeof text, "[%lld]", (long long)c);
    else
        snprintf(text, sizeof text, "[?]");
    if (base == 0)
        return 0;
    const struct place *b = &p->v[base];
    /* p[i] on a pointer p reads *p's element: display it as p[i] */
    if (b->is_deref) {
        char key[1024], display[1024];
        snprintf(key, sizeof key, "(%s)%s", b->key, text);
        snprintf(display, sizeof display, "%s%s", p->v[b->inner].display, text);
        return intern(p, key, display, b->owner, b->var, 0, 0, b->derefs);
    }
    return derive(p, base, text, text, "");
}

uint32_t place_deref(struct places *p, const struct value *pointer)
{
    if (pointer->kind == V_ADDR)
        return pointer->place;
    if (pointer->kind != V_SYM || pointer->place == 0)
        return 0;
    const struct place *inner = &p->v[pointer->place];
    if (inner->derefs >= PLACE_DEREFS_MAX)
        return 0;
    char key[1024], display[1024];
    snprintf(key, sizeof key, "*(%s)", inner->key);
    snprintf(display, sizeof display, "*%s", inner->display);
    /* what a pointer points to belongs to no function's frame */
    return intern(p, key, display, NULL, -1, 1, pointer->place, inner->derefs + 1u);
}

uint32_t place_function(struct places *p, const char *name)
{
    char key[512];
    snprintf(key, sizeof key, "fn:%s", name);
    return intern(p, key, name, NULL, -1, 0, 0, 0);
}

const char *place_display(const struct places *p, uint32_t place)
{
    return place < p->n ? p->v[place].display : "?";
}

const char *place_function_name(const struct places *p, uint32_t place)
{
    if (place == 0 || place >= p->n || strncmp(p->v[place].key, "fn:", 3) != 0)
        return NULL;
    return p->v[place].display;
}

const char *place_owner(const struct places *p, uint32_t place, int32_t *var)
{
    if (place >= p->n)
        return NULL;
    *var = p->v[place].var;
    return p->v[place].owner;
}

ls_word value_word(const struct value *v)
{
    int64_t c;
    if (value_is_const(v, &c))
        return c;
    if (v->place == 0)
        return LS_UNKNOWN_WORD;
    return (v->kind == V_ADDR ? TAG_ADDR : TAG_SYM) | (ls_word)v->place;
}

const char *word_display(const struct places *p, ls_word w, char *buf, size_t size)
{
    ls_word tag = w & TAG_MASK;
    uint32_t place = (uint32_t)(w & 0xffffffff);
    if ((tag == TAG_ADDR || tag == TAG_SYM) && (w & ~TAG_MASK) == (ls_word)place
        && place < p->n)
        snprintf(buf, size, "%s%s", tag == TAG_ADDR ? "&" : "", p->v[place].display);
    else if (w == LS_UNKNOWN_WORD)
        snprintf(buf, size, "(unknown)");
    else
        snprintf(buf, size, "%lld", (long long)w);
    return buf;
}
