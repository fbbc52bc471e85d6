/*
 * hash.h — the hash of byte strings (interned names): eight bytes at a
 * time, ending in the 64-bit finaliser of MurmurHash3 (multiply and
 * xor-shift), so every input bit reaches the low bits that open addressing
 * uses for the home slot.  (Instance keys use a single multiply, see
 * instances.h.)  Values are for in-memory tables only; they are not stable
 * across machines (byte order) and must never be stored.
 */
#ifndef LS_CORE_HASH_H
#define LS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t hash_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Eight bytes at a time; the tail is read as one zero-padded word, and the
 * length is mixed in first so "a" and "a\0" differ. */
static inline uint64_t hash_bytes(const void *data, size_t length)
{
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)length * 0xbf58476d1ce4e5b9ULL);
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x94d049bb133111ebULL;
        h ^= h >> 31;
        p += 8;
        length -= 8;
    }
    if (length > 0) {
        uint64_t w = 0;
        memcpy(&w, p, length);
        h = (h ^ w) * 0x94d049bb133111ebULL;
    }
    return hash_mix(h);
}

#endif
