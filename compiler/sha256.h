/*
 * sha256.h — SHA-256 (FIPS 180-4), used to stamp each generated checker
 * with the hash of the spec it was compiled from, so stale modules in
 * generated/ can be detected.
 */
#ifndef LS_COMPILER_SHA256_H
#define LS_COMPILER_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Incremental state: init, update any number of times, final once. */
struct sha256 {
    uint32_t h[8];              /* intermediate hash value H(i)              */
    uint64_t length;            /* message bytes seen so far                 */
    unsigned char block[64];    /* a partial block waiting for more bytes    */
    size_t used;                /* bytes in block                            */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t size);
/* Pads, writes the 32-byte digest, and leaves s to be re-initialised. */
void sha256_final(struct sha256 *s, unsigned char digest[32]);

/* One-shot digest of data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t size, char hex[65]);

#endif
