/*
 * binfmt.h — the constants and the number encoding of the native binary
 * trace format (docs/trace-binary.md), shared by its reader (binary.c) and
 * its writer (writer.c), so the two cannot drift apart.
 *
 * Numbers are prefix varints: the count of trailing zero bits of the first
 * byte, plus one, is the length n (1..8) and the n bytes, little-endian,
 * shifted right by n, are the value (7n bits); a first byte of zero is
 * followed by the value in 8 plain bytes.  Unlike LEB128 the length is
 * known from the first byte, so a reader decodes any number with one
 * unaligned load, a count of trailing zeros and two shifts, no loop.
 */
#ifndef LS_TRACE_BINFMT_H
#define LS_TRACE_BINFMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lockstep/rule.h>
#include <lockstep/utf8.h>

/* "\x89LST\r\n\x1a\n": a non-ASCII first byte no text trace starts with,
 * then the name, then line ends and ^Z that a text-mode transfer would
 * mangle (as PNG's signature does). */
#define BIN_MAGIC "\x89LST\r\n\x1a\n"
#define BIN_MAGIC_SIZE 8

enum {
    BIN_VERSION = 1,                /* the version this code reads and writes */
    BIN_HEADER_SIZE = BIN_MAGIC_SIZE + 4,  /* magic, version (u32 LE)        */

    /* a record starts with a tag byte.  An event's tag is its argument
     * count (0..16) in bits 0-4 plus the flags below; bit patterns with a
     * count above 16 are the other records. */
    BIN_NARGS_MASK = 0x1f,
    BIN_EXIT = 0x20,                /* LS_EXIT, else LS_ENTRY                 */
    BIN_RETURN = 0x40,              /* a return value follows the arguments   */
    BIN_LOCATION = 0x80,            /* a file id and a line follow            */
    BIN_THREAD_NAME = 0x11,         /* defines the next thread id             */
    BIN_FUNCTION_NAME = 0x12,       /* defines the next function id           */
    BIN_FILE_NAME = 0x13,           /* defines the next file id               */
    BIN_END = 0x1f,                 /* the end marker, with the event count   */

    BIN_IRQL_UNKNOWN = 0xff,        /* the IRQL byte of an event without one  */
    BIN_MAX_NAME = 65536,           /* longest name, bytes                    */
    BIN_MAX_VARINT = 9,
    /* the longest event: tag, IRQL, seq, thread, function, 16 arguments,
     * return value, file, line */
    BIN_MAX_EVENT = 2 + (3 + LS_MAX_ARGS + 3) * BIN_MAX_VARINT
};

/* What a name defines; indexes the tables of both sides. */
enum bin_name_kind { BIN_THREAD, BIN_FUNCTION, BIN_FILE };

/* "thread", "function" or "file", for messages. */
static inline const char *bin_kind_name(enum bin_name_kind kind)
{
    return kind == BIN_THREAD ? "thread" : kind == BIN_FUNCTION ? "function" : "file";
}

static inline uint64_t bin_load64(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

static inline void bin_store64(unsigned char *p, uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(p, &x, sizeof x);
}

/* Decodes the varint at p; returns the byte after it.  Reads 9 bytes
 * whatever the length: the caller guarantees they are readable. */
static inline const unsigned char *bin_get(const unsigned char *p, uint64_t *v)
{
    uint64_t x = bin_load64(p);
    if ((x & 0xff) == 0) {
        *v = bin_load64(p + 1);
        return p + 9;
    }
    unsigned n = (unsigned)__builtin_ctzll(x) + 1;
    unsigned drop = 64 - 8 * n;     /* bytes after the varint */
    *v = x << drop >> (drop + n);
    return p + n;
}

/* Encodes v at p (9 bytes writable); returns the byte after it. */
static inline unsigned char *bin_put(unsigned char *p, uint64_t v)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned n = (bits + 6) / 7;
    if (n > 8) {
        p[0] = 0;
        bin_store64(p + 1, v);
        return p + 9;
    }
    bin_store64(p, (v << n | UINT64_C(1) << (n - 1)));
    return p + n;
}

/* Arguments and return values are signed: zigzag maps small magnitudes of
 * either sign to small varints (0, -1, 1, -2 ... to 0, 1, 2, 3 ...). */
static inline uint64_t bin_zigzag(ls_word v)
{
    uint64_t twice = (uint64_t)v << 1;
    return v < 0 ? ~twice : twice;
}

static inline ls_word bin_unzigzag(uint64_t u)
{
    ls_word half = (ls_word)(u >> 1);
    return u & 1 ? -half - 1 : half;
}

/* Whether the n bytes at s are a valid name of the kind, as the text
 * format reads it back: a thread [A-Za-z0-9_.:-]+, a function a C
 * identifier, a file well-formed UTF-8 with no byte up to ' '; not empty,
 * at most BIN_MAX_NAME bytes.  Returns NULL, or what is wrong ("is
 * empty", ...). */
static inline const char *bin_name_problem(enum bin_name_kind kind, const char *s, size_t n)
{
    if (n == 0)
        return "is empty";
    if (n > BIN_MAX_NAME)
        return "is longer than 65536 bytes";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (kind == BIN_FILE && c >= 0x80) {
            unsigned char u[4] = { 0 };     /* never read past the name */
            memcpy(u, s + i, n - i < 4 ? n - i : 4);
            int length = ls_utf8_length(u);
            if (length == 0)
                return "is not valid UTF-8";
            i += (size_t)length - 1;
            continue;
        }
        int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        int digit = c >= '0' && c <= '9';
        int ok = kind == BIN_FILE ? c > ' '
               : kind == BIN_THREAD ? alpha || digit || c == '_' || c == '.' || c == ':' || c == '-'
               : alpha || c == '_' || (digit && i > 0);
        if (!ok)
            return "has a character the text format does not allow there";
    }
    return NULL;
}

#endif
