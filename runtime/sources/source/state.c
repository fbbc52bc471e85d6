/*
 * state.c — abstract states of source mode (state.h).
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"

struct astate *state_new(const struct ls_rule *const *rules, uint32_t nrules, uint8_t irql)
{
    struct astate *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->irql[0] = irql;
    s->depth = 1;
    s->rules = rules;
    s->nrules = nrules;
    s->slots = calloc(nrules ? nrules : 1, sizeof *s->slots);
    if (s->slots == NULL) {
        free(s);
        return NULL;
    }
    for (uint32_t r = 0; r < nrules; r++) {
        s->slots[r].def = calloc(1, rules[r]->state_size ? rules[r]->state_size : 1);
        if (s->slots[r].def == NULL) {
            state_free(s);
            return NULL;
        }
        rules[r]->init(s->slots[r].def);
    }
    s->ret = value_unknown();
    return s;
}

void state_free(struct astate *s)
{
    if (s == NULL)
        return;
    for (uint32_t r = 0; r < s->nrules; r++) {
        free(s->slots[r].def);
        free(s->slots[r].keys);
        free(s->slots[r].stopped);
        free(s->slots[r].states);
    }
    free(s->slots);
    free(s->vars);
    free(s);
}

static void *dup(const void *p, size_t n)
{
    if (n == 0)
        return NULL;
    void *d = malloc(n);
    if (d)
        memcpy(d, p, n);
    return d;
}

struct astate *state_copy(const struct astate *s)
{
    struct astate *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *s;
    c->slots = calloc(s->nrules ? s->nrules : 1, sizeof *c->slots);
    c->vars = dup(s->vars, s->nvars * sizeof *s->vars);
    c->vars_cap = s->nvars;
    int failed = c->slots == NULL || (s->nvars && c->vars == NULL);
    for (uint32_t r = 0; !failed && r < s->nrules; r++) {
        const struct rule_slot *from = &s->slots[r];
        struct rule_slot *to = &c->slots[r];
        size_t size = s->rules[r]->state_size;
        to->def = dup(from->def, size ? size : 1);
        to->def_stopped = from->def_stopped;
        to->n = to->cap = from->n;
        to->keys = dup(from->keys, from->n * sizeof *from->keys);
        to->stopped = dup(from->stopped, from->n);
        to->states = dup(from->states, from->n * size);
        failed = to->def == NULL
                 || (from->n && (to->keys == NULL || to->stopped == NULL
                                 || (size && to->states == NULL)));
    }
    if (failed) {
        if (c->slots == NULL)
            c->nrules = 0;
        state_free(c);
        return NULL;
    }
    return c;
}

int state_take_env(struct astate *s, const struct astate *from)
{
    struct astate *copy = state_copy(from);
    if (copy == NULL)
        return -1;
    memcpy(s->irql, from->irql, sizeof s->irql);
    s->depth = from->depth;
    struct rule_slot *slots = s->slots;
    s->slots = copy->slots;
    copy->slots = slots;            /* freed with the copy */
    state_free(copy);
    return 0;
}

/* Index of the first binding whose place is >= place. */
static uint32_t find_var(const struct astate *s, uint32_t place)
{
    uint32_t lo = 0, hi = s->nvars;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->vars[mid].place < place)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct value *state_lookup(const struct astate *s, uint32_t place)
{
    uint32_t i = find_var(s, place);
    return i < s->nvars && s->vars[i].place == place ? &s->vars[i].value : NULL;
}

int state_bind(struct astate *s, uint32_t place, const struct value *v)
{
    if (place == 0)
        return 0;
    uint32_t i = find_var(s, place);
    if (i < s->nvars && s->vars[i].place == place) {
        s->vars[i].value = *v;
        return 0;
    }
    if (s->nvars == s->vars_cap) {
        uint32_t cap = s->vars_cap ? s->vars_cap * 2 : 8;
        struct binding *vars = realloc(s->vars, cap * sizeof *vars);
        if (vars == NULL)
            return -1;
        s->vars = vars;
        s->vars_cap = cap;
    }
    memmove(&s->vars[i + 1], &s->vars[i], (s->nvars - i) * sizeof *s->vars);
    memset(&s->vars[i], 0, sizeof s->vars[i]);
    s->vars[i].place = place;
    s->vars[i].value = *v;
    s->nvars++;
    return 0;
}

void state_unbind(struct astate *s, uint32_t place)
{
    uint32_t i = find_var(s, place);
    if (i < s->nvars && s->vars[i].place == place) {
        memmove(&s->vars[i], &s->vars[i + 1], (s->nvars - i - 1) * sizeof *s->vars);
        s->nvars--;
    }
}

void state_drop_locals(struct astate *s, const struct places *p, const char *owner,
                       int (*live)(const void *context, int32_t var), const void *context)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < s->nvars; i++) {
        int32_t var;
        const char *o = place_owner(p, s->vars[i].place, &var);
        if (o == owner && owner != NULL && (live == NULL || !live(context, var)))
            continue;
        s->vars[kept++] = s->vars[i];
    }
    s->nvars = kept;
}

int state_widen(struct astate *s, const struct astate *other)
{
    struct value unknown = value_unknown();
    /* written on the other path only: unknown here too */
    for (uint32_t i = 0; i < other->nvars; i++)
        if (state_lookup(s, other->vars[i].place) == NULL
            && state_bind(s, other->vars[i].place, &unknown) < 0)
            return -1;
    for (uint32_t i = 0; i < s->nvars; i++) {
        const struct value *o = state_lookup(other, s->vars[i].place);
        if (o == NULL || memcmp(o, &s->vars[i].value, sizeof *o) != 0)
            s->vars[i].value = unknown;
    }
    return 0;
}

/* Index of the first key >= key in slot. */
static uint32_t find_key(const struct rule_slot *slot, ls_word key)
{
    uint32_t lo = 0, hi = slot->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (slot->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

unsigned char *state_instance(struct astate *s, uint32_t r, ls_word key, uint8_t **stopped,
                              int *created)
{
    struct rule_slot *slot = &s->slots[r];
    size_t size = s->rules[r]->state_size;
    uint32_t i = find_key(slot, key);
    *created = 0;
    if (i < slot->n && slot->keys[i] == key) {
        *stopped = &slot->stopped[i];
        return slot->states + i * size;
    }
    if (slot->n == slot->cap) {
        uint32_t cap = slot->cap ? slot->cap * 2 : 4;
        ls_word *keys = realloc(slot->keys, cap * sizeof *keys);
        if (keys == NULL)
            return NULL;
        slot->keys = keys;
        uint8_t *st = realloc(slot->stopped, cap);
        if (st == NULL)
            return NULL;
        slot->stopped = st;
        unsigned char *states = realloc(slot->states, cap * (size ? size : 1));
        if (states == NULL)
            return NULL;
        slot->states = states;
        slot->cap = cap;
    }
    memmove(&slot->keys[i + 1], &slot->keys[i], (slot->n - i) * sizeof *slot->keys);
    memmove(&slot->stopped[i + 1], &slot->stopped[i], slot->n - i);
    memmove(slot->states + (i + 1) * size, slot->states + i * size, (slot->n - i) * size);
    slot->keys[i] = key;
    slot->stopped[i] = slot->def_stopped;
    memcpy(slot->states + i * size, slot->def, size);
    slot->n++;
    *created = 1;
    *stopped = &slot->stopped[i];
    return slot->states + i * size;
}

void state_remove_instance(struct astate *s, uint32_t r, uint32_t i)
{
    struct rule_slot *slot = &s->slots[r];
    size_t size = s->rules[r]->state_size;
    memmove(&slot->keys[i], &slot->keys[i + 1], (slot->n - i - 1) * sizeof *slot->keys);
    memmove(&slot->stopped[i], &slot->stopped[i + 1], slot->n - i - 1);
    memmove(slot->states + i * size, slot->states + (i + 1) * size, (slot->n - i - 1) * size);
    slot->n--;
}

/* Folds n bytes at p into h, eight at a time (a multiply and a rotate
 * per word: states are hashed at every step, so this is hot). */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; n > 0; n--, b++)
        h = (h ^ *b) * 0x100000001b3ULL;
    return h;
}

uint64_t state_hash(const struct astate *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = mix(h, &s->depth, sizeof s->depth);
    h = mix(h, s->irql, s->depth);
    for (uint32_t r = 0; r < s->nrules; r++) {
        const struct rule_slot *slot = &s->slots[r];
        size_t size = s->rules[r]->state_size;
        h = mix(h, &slot->def_stopped, 1);
        h = mix(h, slot->def, size);
        h = mix(h, &slot->n, sizeof slot->n);
        h = mix(h, slot->keys, slot->n * sizeof *slot->keys);
        h = mix(h, slot->stopped, slot->n);
        h = mix(h, slot->states, slot->n * size);
    }
    h = mix(h, &s->nvars, sizeof s->nvars);
    h = mix(h, s->vars, s->nvars * sizeof *s->vars);
    h = mix(h, &s->ret, sizeof s->ret);
    /* a final avalanche: the engine's tables index by the low bits */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}
