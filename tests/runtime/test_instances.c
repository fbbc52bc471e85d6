/*
 * test_instances.c — one rule's instance table (runtime/core/instances.c)
 * against a plain array model: random inserts, removals (backward shift
 * plus swap-remove, with the slot looked up again or the one the lookup
 * found) and stops, by value (lock-like addresses and odd keys) and
 * direct (dense thread ids), with every key's reference, record and the
 * dense array checked as it goes; and the record layout rule.h asks for
 * (states aligned to max_align_t) and the runtime relies on (at least 16
 * bytes, so a state of up to 8 can be read as one word).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "instances.h"
#include "trail.h"

enum { KEYS = 3000 };

/* The model: what each key is. */
enum { ABSENT, LIVE, STOPPED };

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Key number k: lock-like addresses, 64 bytes apart, plus a few that are
 * 0, negative, or differ only in the top bits. */
static int direct_keys;                     /* key k is k (a thread id) */

static uint64_t key_of(int k)
{
    if (direct_keys)
        return (uint64_t)k;
    if (k % 97 == 0)
        return ((uint64_t)k + 1) << 52;
    if (k == 1)
        return 0;
    if (k == 2)
        return UINT64_MAX;
    return 0xffffa00000000000ULL + 64 * (uint64_t)k;
}

static void layout(void)
{
    size_t key_off, stride;
    for (size_t s = 1; s <= 4096; s = s < 64 ? s + 1 : s * 2) {
        inst_layout(s, &key_off, &stride);
        CHECK(stride % _Alignof(max_align_t) == 0);
        CHECK(key_off >= s + TRAIL_HDR_SIZE && key_off % 8 == 0);
        CHECK(key_off + 8 <= stride);
        CHECK(stride >= 16);
    }
    inst_layout(1, &key_off, &stride);
    CHECK(stride == 16);                    /* a one-byte state: 16 bytes in all */
    inst_layout(2, &key_off, &stride);
    CHECK(stride == 16);

    /* every record's state is aligned */
    struct inst_table t;
    inst_init(&t, 3, 0);
    CHECK(inst_reserve(&t, 100, 0, 0) == 0);
    int aligned = 1;
    for (int i = 0; i < 100; i++) {
        uint32_t idx = inst_insert_live(&t, key_of(i + 10));
        aligned &= ((uintptr_t)inst_rec(&t, idx) % _Alignof(max_align_t)) == 0;
    }
    CHECK(aligned);
    inst_free(&t);
}

static int check_table(const struct inst_table *t, const unsigned char *model, const uint32_t *tag)
{
    int bad = 0;
    uint32_t live = 0, stopped = 0;
    for (int k = 0; k < KEYS; k++) {
        uint32_t ref = inst_find(t, key_of(k));
        switch (model[k]) {
        case ABSENT:
            bad += ref != INST_NONE;
            break;
        case STOPPED:
            stopped++;
            bad += ref == INST_NONE || !(ref & INST_STOPPED);
            break;
        default:
            live++;
            if (ref == INST_NONE || (ref & INST_STOPPED) || ref >= t->live) {
                bad++;
                break;
            }
            uint32_t state;
            memcpy(&state, inst_rec(t, ref), 4);
            bad += state != tag[k] || inst_key(t, inst_rec(t, ref)) != key_of(k);
        }
    }
    bad += live != t->live || stopped != t->nstopped || live + stopped != t->used;
    return bad;
}

static void random_operations(int direct)
{
    static unsigned char model[KEYS];
    static uint32_t tag[KEYS];
    struct inst_table t;
    int bad = 0;
    direct_keys = direct;
    inst_init(&t, 4, direct);
    memset(model, ABSENT, sizeof model);

    for (int op = 0; op < 200000; op++) {
        /* phases: grow a lot, then mostly remove, then mixed */
        int k = (int)(next() % KEYS);
        uint64_t r = next() % 10;
        int phase = (op / 20000) % 3;
        if (model[k] == ABSENT && (phase == 0 ? r < 8 : phase == 1 ? r < 2 : r < 5)) {
            if (r == 0) {
                if (inst_reserve(&t, 1, 1, key_of(k)) != 0) { bad++; break; }
                inst_insert_stopped(&t, key_of(k));
                model[k] = STOPPED;
            } else {
                if (inst_reserve(&t, 1, 0, key_of(k)) != 0) { bad++; break; }
                uint32_t i = inst_insert_live(&t, key_of(k));
                tag[k] = (uint32_t)next();
                memcpy(inst_rec(&t, i), &tag[k], 4);
                model[k] = LIVE;
            }
        } else if (model[k] == LIVE) {
            /* the lookup the runtime makes for the table's kind agrees with
             * inst_find; a hashed one gives the slot, for inst_remove_at */
            uint32_t pos = INST_NONE;
            uint32_t i = direct ? inst_find_direct(&t, key_of(k))
                                : inst_find_hashed(&t, key_of(k), &pos);
            if (i != inst_find(&t, key_of(k)) || (!direct && pos > t.mask)) { bad++; break; }
            if (i == INST_NONE || (i & INST_STOPPED)) { bad++; break; }
            if (r < 1) {
                if (inst_reserve(&t, 0, 1, key_of(k)) != 0) { bad++; break; }
                inst_stop(&t, i);
                model[k] = STOPPED;
            } else if (phase != 0 || r < 3) {
                if (!direct && r % 2)
                    inst_remove_at(&t, i, pos);
                else
                    inst_remove(&t, i);
                model[k] = ABSENT;
            }
        }
        if (op % 997 == 0)
            bad += check_table(&t, model, tag);
    }
    bad += check_table(&t, model, tag);
    CHECK(bad == 0);
    CHECK(t.nstopped > 0 && t.live > 0);
    inst_free(&t);
}

/* Keys whose hashes share a home slot cannot be made on purpose without
 * the hash, but a table kept at its fullest (just under 3/4) and emptied
 * in insertion order exercises long clusters and wrap-around. */
static void full_table(void)
{
    struct inst_table t;
    direct_keys = 0;
    inst_init(&t, 1, 0);
    int bad = 0;
    CHECK(inst_reserve(&t, 3000, 0, 0) == 0);
    uint32_t slots = t.mask + 1;
    for (int k = 0; k < KEYS; k++) {
        if (inst_reserve(&t, 1, 0, key_of(k)) != 0) { bad++; break; }
        unsigned char one = (unsigned char)k;
        memcpy(inst_rec(&t, inst_insert_live(&t, key_of(k))), &one, 1);
    }
    CHECK(t.mask + 1 == slots);             /* reserved up front: no rehash */
    for (int k = 0; k < KEYS; k += 2) {
        uint32_t pos;
        uint32_t i = inst_find_hashed(&t, key_of(k), &pos);
        if (i == INST_NONE) { bad++; continue; }
        if (k % 4)
            inst_remove_at(&t, i, pos);
        else
            inst_remove(&t, i);
    }
    for (int k = 0; k < KEYS; k++) {
        uint32_t i = inst_find(&t, key_of(k));
        if (k % 2 == 0)
            bad += i != INST_NONE;
        else
            bad += i == INST_NONE || inst_rec(&t, i)[0] != (unsigned char)k;
    }
    CHECK(bad == 0);
    CHECK(t.live == KEYS / 2 && t.used == KEYS / 2);
    inst_free(&t);
    CHECK(inst_find(&t, key_of(5)) == INST_NONE);
}

int main(void)
{
    layout();
    random_operations(0);
    random_operations(1);
    full_table();
    return check_done("test_instances");
}
