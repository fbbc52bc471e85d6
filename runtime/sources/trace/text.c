/*
 * text.c — the native text trace reader: ls_trace_read_text streams a
 * trace in the format of DESIGN section 7 (docs/trace-format.md) from a
 * file or a pipe into the runtime, one event per line:
 *
 *     <seq> <thread> <irql|-> <entry|exit> <function> [<arg>...] [= <ret>] [@ <file>:<line>]
 *
 * A trace can be tens of gigabytes and the checks behind it are cheap, so
 * the reader is built for speed in constant memory:
 *
 *   - read(2) fills one buffer of MAX_LINE + 1 bytes.  After each read the
 *     bytes up to the last newline are whole lines, parsed in place; the
 *     partial line after it moves to the front for the next read.  A final
 *     line without a newline gets one appended.  Nothing is allocated per
 *     line.
 *   - Every line handed to the parser ends with '\n' and the buffer has PAD
 *     readable bytes either side, so the scanners need no bounds checks:
 *     each stops at the newline.  The end of a token is found sixteen
 *     bytes at a time (SSE2, which every x86-64 has; eight with plain
 *     64-bit words elsewhere); numbers are converted from words read
 *     backwards from the token's end, sixteen hex or eight decimal digits
 *     at a time, with exact overflow checks.  irql and entry|exit are
 *     compared in place.
 *   - Thread, function and file names are looked up in the reader's own
 *     hash maps under an O(1) hash of their bytes; only a name never seen
 *     before is checked character by character and interned in the
 *     runtime (learn_name), so the millionth "KeAcquireSpinLock" costs one
 *     probe and a few word compares.  File names are kept NUL-terminated
 *     for the whole read.
 *   - The common line (single blanks, nothing unusual) goes straight
 *     through parse_line with one predictable branch per field; anything
 *     else (runs of blanks, comments, errors) takes a slower branch of the
 *     same code, so there is one grammar, one set of messages.
 *
 * (A two-stage design in the manner of simdjson, bitmaps of blanks and
 * newlines first and tokens popped from them, was tried and measured
 * about 10% slower: at the instruction rates a modern core reaches on this
 * code the instruction count, not the chain from one token's position to
 * the next, is what costs.)
 *
 * A malformed line stops the read with "input:line:column: message" in
 * res->error; with keep_going it goes to the problem sink instead, is
 * counted and skipped.  The message says what was expected and quotes
 * what was found.
 *
 * Events go to a runtime or, for ls_trace_read_to (converters), to a sink
 * (reader.h); trace_read_text is the entry point for both, and also takes
 * the bytes ls_trace_read has already read to tell text from binary.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/trace.h>
#include <lockstep/utf8.h>

#include "reader.h"

#if defined(__SSE2__) && defined(__x86_64__) && !defined(LS_TRACE_NO_SSE2)
#include <emmintrin.h>
#define SSE2 1                      /* x86-64: SSE2 is always there          */
#else
#define SSE2 0
#endif

enum {
    MAX_LINE = 1 << 20,             /* longest line accepted, newline excluded */
    PAD = 64,                       /* readable bytes around the buffer      */
    PROGRESS_EVERY = 16 << 20,      /* bytes between on_progress calls       */
    BLOCK_SIZE = 64 << 10,          /* arena block for kept names            */
    MAP_START = 256                 /* slots of a new name map               */
};

/* LS_TRACE_NO_SSE2 and LS_TRACE_NO_WORDS build the portable code on any
 * machine: the tests compare all three builds. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    !defined(LS_TRACE_NO_WORDS)
#define LE_WORDS 1                  /* word-at-a-time scanning and hashing   */
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define COLD __attribute__((cold, noinline))
#define HOT_INLINE inline __attribute__((always_inline))
#elif defined(__GNUC__)
#define LE_WORDS 0
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define COLD __attribute__((cold, noinline))
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define LE_WORDS 0
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define PRINTF_LIKE(f, a)
#define COLD
#define HOT_INLINE inline
#endif

/* ---- character classes ----------------------------------------------------
 * One table, built at compile time from CLASS(c), answers every "may this
 * byte appear here" question with one load.  '\r' counts as a blank, so a
 * CRLF line reads like an LF line. */
enum {
    C_BLANK = 1,                    /* space, tab, carriage return           */
    C_EOL = 2,                      /* '\n'                                  */
    C_THREAD = 4,                   /* [A-Za-z0-9_.:-]                       */
    C_IDSTART = 8,                  /* [A-Za-z_]                             */
    C_IDENT = 16,                   /* [A-Za-z0-9_]                          */
    C_ARGS_END = 32                 /* '\n', '=', '@': what ends the arguments */
};
#define C_END (C_BLANK | C_EOL)     /* what may follow a token               */

#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define CLASS(c)                                                              \
    (((c) == ' ' || (c) == '\t' || (c) == '\r' ? C_BLANK : 0) |               \
     ((c) == '\n' ? C_EOL : 0) |                                              \
     (IS_ALPHA(c) || IS_DIGIT(c) || (c) == '_' || (c) == '.' || (c) == ':' || \
      (c) == '-' ? C_THREAD : 0) |                                            \
     (IS_ALPHA(c) || (c) == '_' ? C_IDSTART : 0) |                            \
     (IS_ALPHA(c) || IS_DIGIT(c) || (c) == '_' ? C_IDENT : 0) |              \
     ((c) == '\n' || (c) == '=' || (c) == '@' ? C_ARGS_END : 0))
#define HEXVAL(c)                                                             \
    (IS_DIGIT(c) ? (c) - '0' : (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 :    \
     (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 : 0xff)

#define ROW(F, b) F((b) + 0), F((b) + 1), F((b) + 2), F((b) + 3), F((b) + 4),   \
    F((b) + 5), F((b) + 6), F((b) + 7), F((b) + 8), F((b) + 9), F((b) + 10),   \
    F((b) + 11), F((b) + 12), F((b) + 13), F((b) + 14), F((b) + 15)
#define TABLE(F) ROW(F, 0), ROW(F, 16), ROW(F, 32), ROW(F, 48), ROW(F, 64),  \
    ROW(F, 80), ROW(F, 96), ROW(F, 112), ROW(F, 128), ROW(F, 144),           \
    ROW(F, 160), ROW(F, 176), ROW(F, 192), ROW(F, 208), ROW(F, 224), ROW(F, 240)

static const unsigned char cls[256] = { TABLE(CLASS) };
static const unsigned char hexval[256] = { TABLE(HEXVAL) };

#define IS(p, c) (cls[(unsigned char)*(p)] & (c))

/* ---- words ----------------------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS (ONES * 0x80)

static HOT_INLINE uint64_t load64(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return x;
}

/* The first byte at or after p that ends a token: a blank, the newline or
 * another control character (every byte up to ' '). */
static HOT_INLINE char *token_end(char *p)
{
#if SSE2
    const __m128i space = _mm_set1_epi8(' ');
    for (;; p += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, space), x));
        if (m)
            return p + __builtin_ctz(m);
    }
#elif LE_WORDS
    for (;; p += 8) {
        /* flags each byte below 0x21; a borrow only disturbs the bytes
         * above the lowest flagged one, so that one is exact */
        uint64_t x = load64(p);
        uint64_t t = (x - ONES * 0x21) & ~x & HIGHS;
        if (t)
            return p + (__builtin_ctzll(t) >> 3);
    }
#else
    while ((unsigned char)*p > ' ')
        p++;
    return p;
#endif
}

static inline char *skip_blanks(char *p)
{
    while (IS(p, C_BLANK))
        p++;
    return p;
}

/* ---- name maps ---------------------------------------------------------------
 * Open addressing, linear probing, at most half full.  Each name is kept
 * NUL-terminated in the reader's arena with zero bytes after it, so a
 * compare may read whole words. */
struct name {
    uint64_t hash;
    const char *text;               /* NULL: empty slot                      */
    uint32_t length;
    uint32_t id;                    /* runtime id (functions, threads)       */
};

struct name_map {
    struct name *slots;
    uint32_t mask;
    uint32_t count;
};

/* A chunk of the arena; names never move once copied. */
struct block {
    struct block *next;
    size_t used, size;
    char data[];
};

#if LE_WORDS
static HOT_INLINE uint64_t low_bytes(uint64_t x, size_t n)
{
    return n >= 8 ? x : x & ((UINT64_C(1) << (8 * n)) - 1);
}
#endif

/* Hash of n bytes at s (s has 8 readable bytes past n).  Looks at no more
 * than 24 bytes: a collision only costs a compare. */
static HOT_INLINE uint64_t name_hash(const char *s, size_t n)
{
#if LE_WORDS
    uint64_t a, b;
    if (n >= 8) {
        a = load64(s);
        b = load64(s + n - 8);
        if (n > 16)
            b ^= load64(s + n / 2 - 4) * UINT64_C(0x94d049bb133111eb);
    } else {
        a = low_bytes(load64(s), n);
        b = 0;
    }
    uint64_t h = (a ^ n) * UINT64_C(0x9e3779b97f4a7c15) ^ b * UINT64_C(0xc2b2ae3d27d4eb4f);
    return h ^ (h >> 29);
#else
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
    return h ^ (h >> 29);
#endif
}

/* Slot of a hash: the high half, which the multiplications mixed best. */
static HOT_INLINE uint32_t slot_of(uint64_t h, uint32_t mask)
{
    return (uint32_t)(h >> 32) & mask;
}

/* Whether the n bytes at a and b are equal; both have 8 readable bytes
 * past n.  (A version without a branch on n measured slower: the branch
 * predictor learns each call site's usual lengths.) */
static HOT_INLINE int same_bytes(const char *a, const char *b, size_t n)
{
#if LE_WORDS
    if (n <= 8)
        return low_bytes(load64(a) ^ load64(b), n) == 0;
    uint64_t diff = load64(a + n - 8) ^ load64(b + n - 8);
    for (size_t i = 0; i < n - 8; i += 8)
        diff |= load64(a + i) ^ load64(b + i);
    return diff == 0;
#else
    return memcmp(a, b, n) == 0;
#endif
}

/* The entry of the n > 0 bytes at s, hashed h, or NULL. */
static HOT_INLINE struct name *map_find(const struct name_map *m, uint64_t h,
                                    const char *s, size_t n)
{
    for (uint32_t i = slot_of(h, m->mask);; i = (i + 1) & m->mask) {
        struct name *e = &m->slots[i];
        if (!e->text)
            return NULL;
        if (e->hash == h && e->length == n && same_bytes(e->text, s, n))
            return e;
    }
}

/* ---- the reader ------------------------------------------------------------ */

struct reader {
    struct trace_target target;
    const char *input;
    struct ls_trace_options opt;
    struct ls_trace_result *res;
    char *buf;                      /* MAX_LINE + 1 bytes, PAD readable bytes
                                       before and after                      */
    char *line_start;               /* of the line being parsed              */
    char *chunk_end;                /* one past the last newline to parse    */
    const char *head;               /* input read before the reader started  */
    size_t head_len;
    uint64_t prev_seq;
    int have_seq;
    struct name_map functions, threads, files;
    struct block *blocks;
    struct ls_event ev;             /* the event being filled                */
    char quoted[2][TRACE_QUOTE_SIZE];
};

/* A copy of n bytes, NUL-terminated and followed by zeros for word reads,
 * that lives as long as the reader; NULL when out of memory. */
static const char *keep_bytes(struct reader *r, const char *s, size_t n)
{
    size_t need = n + 1 + 8;
    struct block *b = r->blocks;
    if (!b || b->size - b->used < need) {
        size_t size = need > BLOCK_SIZE / 4 ? need : BLOCK_SIZE;
        b = calloc(1, sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        if (size == BLOCK_SIZE || !r->blocks) {
            b->next = r->blocks;
            r->blocks = b;
        } else {                    /* an outsized name: keep the current block */
            b->next = r->blocks->next;
            r->blocks->next = b;
        }
    }
    char *t = b->data + b->used;
    memcpy(t, s, n);                /* the rest is already zero (calloc)     */
    b->used += need;
    return t;
}

/* Adds a name known not to be in m; returns its entry, NULL when out of
 * memory. */
static struct name *map_add(struct reader *r, struct name_map *m, uint64_t h,
                            const char *s, size_t n, uint32_t id)
{
    if ((m->count + 1) * 2 > m->mask + 1) {
        uint32_t size = (m->mask + 1) * 2;
        struct name *slots = calloc(size, sizeof *slots);
        if (!slots)
            return NULL;
        for (uint32_t i = 0; i <= m->mask; i++) {
            struct name *e = &m->slots[i];
            if (!e->text)
                continue;
            uint32_t j = slot_of(e->hash, size - 1);
            while (slots[j].text)
                j = (j + 1) & (size - 1);
            slots[j] = *e;
        }
        free(m->slots);
        m->slots = slots;
        m->mask = size - 1;
    }
    const char *text = keep_bytes(r, s, n);
    if (!text)
        return NULL;
    uint32_t i = slot_of(h, m->mask);
    while (m->slots[i].text)
        i = (i + 1) & m->mask;
    m->slots[i] = (struct name){ h, text, (uint32_t)n, id };
    m->count++;
    return &m->slots[i];
}

/* ---- diagnostics ------------------------------------------------------------ */

/* n bytes at p quoted (trace_quote) in slot 0 or 1 of the reader. */
static const char *quote(struct reader *r, int slot, const char *p, size_t n,
                         int single_char)
{
    return trace_quote(r->quoted[slot], p, n, single_char);
}

/* What a message says it found at p: the token there, quoted, "a blank"
 * or "the end of the line".  A token runs to the next blank or newline. */
static const char *found(struct reader *r, int slot, char *p)
{
    if (*p == '\n')
        return "the end of the line";
    if (IS(p, C_BLANK))
        return "a blank";
    char *e = p;
    while (!IS(e, C_END))
        e++;
    return quote(r, slot, p, (size_t)(e - p), 0);
}

static const char *one_char(struct reader *r, int slot, const char *p)
{
    return quote(r, slot, p, 1, 1);
}

/* Hands a problem to the caller.  Without keep_going (or when fatal) it
 * becomes res->error and -1 is returned: reading stops.  Otherwise it
 * goes to the problem sink, with text the line or NULL, the line counts
 * as malformed and 0 is returned. */
static int report(struct reader *r, int fatal, uint32_t column,
                  const char *message, const char *text)
{
    uint64_t line = r->res->lines;
    if (fatal || !r->opt.keep_going) {
        snprintf(r->res->error, sizeof r->res->error, "%s:%llu:%u: %s", r->input,
                 (unsigned long long)line, column, message);
        return -1;
    }
    r->res->malformed++;
    if (r->opt.on_problem) {
        struct ls_trace_problem p = { r->input, line, column, message, text };
        r->opt.on_problem(r->opt.context, &p);
    }
    return 0;
}

/* Reports a problem at byte `at` of the current line (see report).
 * Returns the start of the next line when reading goes on, else NULL. */
PRINTF_LIKE(4, 5) COLD
static char *problem(struct reader *r, int fatal, char *at, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    uint32_t column = (uint32_t)(at - r->line_start) + 1;
    char *eol = memchr(at, '\n', (size_t)(r->chunk_end - at));
    char *end = eol > r->line_start && eol[-1] == '\r' ? eol - 1 : eol;
    char saved = *end;
    *end = '\0';                    /* the line, NUL-terminated in place     */
    int rc = report(r, fatal, column, message, r->line_start);
    *end = saved;
    return rc == 0 ? eol + 1 : NULL;
}

COLD
static char *out_of_memory(struct reader *r, char *at, const char *what)
{
    return problem(r, 1, at, "out of memory (%s)", what);
}

/* The runtime or the sink refused a name or an event: reading stops. */
COLD
static char *target_failed(struct reader *r, char *at)
{
    char why[256];
    trace_failure(&r->target, why, sizeof why);
    return problem(r, 1, at, "%s", why);
}

/* ---- numbers ---------------------------------------------------------------- */

enum { INT_OK, INT_SYNTAX, INT_RANGE };

#if LE_WORDS
/* The last n (1..8) bytes before e as one word, the bytes before them
 * replaced by '0' (a digit of value 0 in both bases). */
static HOT_INLINE uint64_t digits_word(const char *e, unsigned n)
{
    uint64_t x = load64(e - 8);
    uint64_t keep = n >= 8 ? ~UINT64_C(0) : ~UINT64_C(0) << (8 * (8 - n));
    return (x & keep) | (ONES * '0' & ~keep);
}

/* The n (1..8) decimal digits before e, eight at a time: 0 when one is
 * not a digit.  (After Lemire's SWAR digit parsing.) */
static HOT_INLINE int dec8(const char *e, unsigned n, uint64_t *v)
{
    uint64_t x = digits_word(e, n);
    if ((x & ONES * 0xf0) != ONES * 0x30 || ((x + ONES * 0x06) & ONES * 0xf0) != ONES * 0x30)
        return 0;
    x &= ONES * 0x0f;
    x = (x * 10 + (x >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
    x = (x * 100 + (x >> 16)) & UINT64_C(0x0000ffff0000ffff);
    *v = (x * 10000 + (x >> 32)) & 0xffffffffu;
    return 1;
}

/* The n (1..8) hex digits before e, either case: 0 when one is not. */
static HOT_INLINE int hex8(const char *e, unsigned n, uint64_t *v)
{
    uint64_t x = digits_word(e, n);
    uint64_t y = x | ONES * 0x20;   /* 'A'-'F' to 'a'-'f'; digits unchanged */
    /* with every byte below 0x80 these sums carry into no neighbour:
     * bit 7 of a byte says "y >= lo" for y + (0x80 - lo), "y > hi" for
     * y + (0x7f - hi) */
    uint64_t digit = (y + ONES * (0x80 - '0')) & ~(y + ONES * (0x7f - '9'));
    uint64_t letter = (y + ONES * (0x80 - 'a')) & ~(y + ONES * (0x7f - 'f'));
    if ((x & HIGHS) || ((digit | letter) & HIGHS) != HIGHS)
        return 0;
    x = (y & ONES * 0x0f) + ((letter & HIGHS) >> 7) * 9;
    x = ((x << 4) | (x >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
    x = ((x << 8) | (x >> 16)) & UINT64_C(0x0000ffff0000ffff);
    *v = ((x << 16) | (x >> 32)) & 0xffffffffu;
    return 1;
}
#endif

#if SSE2
/* The n (1..16) hex digits before e, either case, sixteen at a time: 0
 * when one is not a hex digit. */
static HOT_INLINE int hex16(const char *e, unsigned n, uint64_t *v)
{
    /* keep[n + i] is 0xff when byte i of the 16 is one of the n digits */
    static const unsigned char keep[32] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    __m128i k = _mm_loadu_si128((const __m128i *)(const void *)(keep + n));
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(e - 16));
    x = _mm_or_si128(_mm_and_si128(k, x), _mm_andnot_si128(k, _mm_set1_epi8('0')));
    __m128i y = _mm_or_si128(x, _mm_set1_epi8(0x20));          /* fold case */
    __m128i t = _mm_sub_epi8(y, _mm_set1_epi8('0'));
    __m128i u = _mm_sub_epi8(y, _mm_set1_epi8('a'));
    __m128i zero = _mm_setzero_si128();
    __m128i digit = _mm_cmpeq_epi8(_mm_subs_epu8(t, _mm_set1_epi8(9)), zero);   /* t <= 9 */
    __m128i letter = _mm_cmpeq_epi8(_mm_subs_epu8(u, _mm_set1_epi8(5)), zero);  /* u <= 5 */
    if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff)
        return 0;
    __m128i nibble = _mm_or_si128(_mm_and_si128(digit, t),
                                  _mm_and_si128(letter, _mm_add_epi8(u, _mm_set1_epi8(10))));
    /* each 16-bit lane: its first digit times 16 plus its second */
    __m128i pair = _mm_and_si128(_mm_or_si128(_mm_slli_epi16(nibble, 4), _mm_srli_epi16(nibble, 8)),
                                 _mm_set1_epi16(0xff));
    uint64_t bytes = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(pair, pair));
    *v = __builtin_bswap64(bytes);  /* the first pair is the most significant */
    return 1;
}
#endif

/* The same a digit at a time: beyond 16 digits, and on machines that are
 * not little-endian. */
static int parse_digits(const char *p, const char *e, int hex, uint64_t *v)
{
    uint64_t u = 0;
    int over = 0;
    for (; p < e; p++) {
        unsigned d = hex ? hexval[(unsigned char)*p] : (unsigned)(unsigned char)*p - '0';
        if (d >= (hex ? 16u : 10u))
            return INT_SYNTAX;
        over |= hex ? u >> 60 != 0 : u > (UINT64_MAX - d) / 10;
        u = hex ? u << 4 | d : u * 10 + d;
    }
    *v = u;
    return over ? INT_RANGE : INT_OK;
}

/* The unsigned number in [p, e), hex or decimal digits only, e > p. */
static HOT_INLINE int parse_unsigned(const char *p, const char *e, int hex, uint64_t *v)
{
#if LE_WORDS
    size_t n = (size_t)(e - p);
    uint64_t hi, lo;
#if SSE2
    if (hex && n <= 16)
        return hex16(e, (unsigned)n, v) ? INT_OK : INT_SYNTAX;
#endif
    if (n <= 8)
        return (hex ? hex8(e, (unsigned)n, v) : dec8(e, (unsigned)n, v)) ? INT_OK : INT_SYNTAX;
    if (n <= 16) {
        int ok = hex ? hex8(e - 8, (unsigned)n - 8, &hi) && hex8(e, 8, &lo)
                     : dec8(e - 8, (unsigned)n - 8, &hi) && dec8(e, 8, &lo);
        if (!ok)
            return INT_SYNTAX;
        *v = hex ? hi << 32 | lo : hi * 100000000 + lo;
        return INT_OK;
    }
#endif
    return parse_digits(p, e, hex, v);
}

/* integer ::= '-'? [0-9]+ | '0x' [0-9A-Fa-f]+
 * The integer that is the whole token [p, e): hex may use all 64 bits
 * (then it reads as negative), decimal must fit int64.  Returns INT_OK
 * with *v set, INT_SYNTAX or INT_RANGE. */
static HOT_INLINE int parse_integer(const char *p, const char *e, ls_word *v)
{
    uint64_t u;
    int rc;
    if (p[0] == '0' && p[1] == 'x') {
        if (UNLIKELY(e - p <= 2))
            return INT_SYNTAX;
        if ((rc = parse_unsigned(p + 2, e, 1, &u)) != INT_OK)
            return rc;
        *v = u <= INT64_MAX ? (ls_word)u : -(ls_word)(~u) - 1;
        return INT_OK;
    }
    int neg = *p == '-';
    if (UNLIKELY(e - p <= neg))
        return INT_SYNTAX;
    if ((rc = parse_unsigned(p + neg, e, 0, &u)) != INT_OK)
        return rc;
    if (u > (uint64_t)INT64_MAX + (unsigned)neg)
        return INT_RANGE;
    *v = neg ? (u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(ls_word)u) : (ls_word)u;
    return INT_OK;
}

/* irql ::= [0-9] | [0-9][0-9] (at most 31) | '-'.  The IRQL token [p, p+n),
 * or -2 when it is not one. */
static HOT_INLINE int parse_irql(const char *p, size_t n)
{
    unsigned d0 = (unsigned)(unsigned char)p[0] - '0', d1 = (unsigned)(unsigned char)p[1] - '0';
    if (n == 1)
        return p[0] == '-' ? LS_IRQL_UNKNOWN : d0 < 10 ? (int)d0 : -2;
    if (n == 2 && d0 < 10 && d1 < 10 && d0 * 10 + d1 <= 31)
        return (int)(d0 * 10 + d1);
    return -2;
}

/* The ':' that splits a location token [p, e) into file and line: the
 * last one.  NULL when there is none. */
static HOT_INLINE const char *location_colon(const char *p, const char *e)
{
    while (e > p && e[-1] != ':')
        e--;
    return e > p ? e - 1 : NULL;
}

/* The line number in [p, e): INT_OK with *line set, INT_SYNTAX (not all
 * digits, or none) or INT_RANGE (beyond 32 bits). */
static HOT_INLINE int parse_line_number(const char *p, const char *e, uint32_t *line)
{
    uint64_t n = 0;
    if (p == e)
        return INT_SYNTAX;
    for (; p < e; p++) {
        if (!IS_DIGIT(*p))
            return INT_SYNTAX;
        if ((n = n * 10 + (unsigned)(*p - '0')) > UINT32_MAX) {
            while (++p < e)
                if (!IS_DIGIT(*p))
                    return INT_SYNTAX;
            return INT_RANGE;
        }
    }
    *line = (uint32_t)n;
    return INT_OK;
}

/* ---- events ---------------------------------------------------------------- */

/* Hands the filled event (r->ev: args, nargs, ret, flags, when) to the
 * runtime.  Returns next, or NULL when reading stops. */
static HOT_INLINE char *deliver(struct reader *r, uint64_t seq, const struct name *thread,
                                int irql, const struct name *fn, const char *file,
                                uint32_t line, char *next)
{
    struct ls_event *ev = &r->ev;
    ev->seq = seq;
    ev->fn = fn->id;
    ev->ext = NULL;
    r->prev_seq = seq;
    r->have_seq = 1;
    int rc = trace_deliver(&r->target, thread->id, irql, ev, file, line);
    if (UNLIKELY(rc != 0))
        return rc == LS_EVENT_REFUSED
            ? problem(r, 0, r->line_start, "%s", ls_runtime_error(r->target.rt))
            : target_failed(r, r->line_start);
    r->res->events++;
    return next;
}

/* ---- lines ---------------------------------------------------------------- */

/* Where the token after the one that ended at e starts: e + 1 when e is a
 * single blank, as it nearly always is; at the newline when e is one. */
static HOT_INLINE char *after(char *e)
{
    if (LIKELY(IS(e, C_BLANK) && !IS(e + 1, C_BLANK)))
        return e + 1;
    return skip_blanks(e);
}

/* A name not found in m, or one that a control byte ends, at [p, e):
 * checks its characters and what ends it, interns it in the runtime and
 * adds it to m.  Returns the entry, or NULL with *end set as parse_name
 * does. */
COLD
static struct name *learn_name(struct reader *r, struct name_map *m, char *p, char *e,
                               uint64_t h, int is_function, char **end)
{
    const char *what = is_function ? "function" : "thread";
    int first = is_function ? C_IDSTART : C_THREAD;
    int rest = is_function ? C_IDENT : C_THREAD;
    if (!IS(p, first)) {
        *end = problem(r, 0, p, is_function
                       ? "expected a function name (a C identifier), found %s"
                       : "expected a thread name, found %s", found(r, 0, p));
        return NULL;
    }
    for (char *q = p + 1; q <= e; q++)
        if (q == e ? !IS(q, C_END) : !IS(q, rest)) {
            *end = problem(r, 0, q, "invalid character %s in %s name %s", one_char(r, 0, q),
                           what, found(r, 1, p));
            return NULL;
        }
    size_t n = (size_t)(e - p);
    struct name *entry = map_find(m, h, p, n);
    if (!entry) {
        uint32_t id = trace_name(&r->target, is_function, p, n);
        if (id == UINT32_MAX) {
            *end = target_failed(r, p);
            return NULL;
        }
        if (!(entry = map_add(r, m, h, p, n, id))) {
            *end = out_of_memory(r, p, "name table");
            return NULL;
        }
    }
    *end = e;
    return entry;
}

/* name ::= thread [A-Za-z0-9_.:-]+ | function [A-Za-z_][A-Za-z0-9_]*
 * Looks up the name at p in m; a name found there was checked when it was
 * learnt.  Returns the entry and sets *end to the end of the name, or
 * NULL with *end set to where reading goes on (NULL: stop). */
static HOT_INLINE struct name *parse_name(struct reader *r, struct name_map *m, char *p,
                                          int is_function, char **end)
{
    char *e = token_end(p);
    size_t n = (size_t)(e - p);
    uint64_t h = name_hash(p, n);
    struct name *entry = n ? map_find(m, h, p, n) : NULL;
    if (UNLIKELY(!entry || !IS(e, C_END)))
        return learn_name(r, m, p, e, h, is_function, end);
    *end = e;
    return entry;
}

/* The first byte in [p, e) that is a NUL or does not start well-formed
 * UTF-8, or NULL when there is none.  Only the bytes a name check lets
 * through unseen need it: file names (once per distinct name) and
 * comments. */
static char *bad_text(char *p, const char *e)
{
    while (p < e) {
        unsigned char c = (unsigned char)*p;
        if (c == '\0')
            return p;
        if (c < 0x80) {
            p++;
            continue;
        }
        int n = ls_utf8_length((const unsigned char *)p);
        if (n == 0 || n > e - p)
            return p;
        p += n;
    }
    return NULL;
}

/* location ::= '@' blank+ file ':' line   (file: any non-blank bytes)
 * p is at '@'.  Sets *file and *line; returns the end of the location or
 * NULL with *next set as parse_name does. */
static char *parse_location(struct reader *r, char *p, const char **file,
                            uint32_t *line, char **next)
{
    p++;
    if (!IS(p, C_BLANK)) {
        *next = *p == '\n'
            ? problem(r, 0, p, "expected '<file>:<line>' after '@', found the end of the line")
            : problem(r, 0, p, "expected a blank after '@', found %s", one_char(r, 0, p));
        return NULL;
    }
    p = skip_blanks(p);
    char *e = token_end(p);
    if (!IS(e, C_END)) {
        *next = problem(r, 0, e, "invalid character %s in file name", one_char(r, 0, e));
        return NULL;
    }
    char *colon = (char *)location_colon(p, e);
    if (!colon || colon == p) {
        *next = problem(r, 0, p, "expected '<file>:<line>' after '@', found %s", found(r, 0, p));
        return NULL;
    }
    switch (parse_line_number(colon + 1, e, line)) {
    case INT_OK:
        break;
    case INT_RANGE:
        *next = problem(r, 0, colon + 1, "line number %s does not fit in 32 bits",
                        found(r, 0, colon + 1));
        return NULL;
    default:
        *next = problem(r, 0, colon + 1, "expected a line number after ':', found %s",
                        found(r, 0, colon + 1));
        return NULL;
    }
    size_t len = (size_t)(colon - p);
    uint64_t h = name_hash(p, len);
    struct name *f = map_find(&r->files, h, p, len);
    char *bad = f ? NULL : bad_text(p, colon);
    if (bad) {
        *next = problem(r, 0, bad, *bad ? "invalid UTF-8 in file name"
                                        : "unexpected NUL byte in file name");
        return NULL;
    }
    if (!f && !(f = map_add(r, &r->files, h, p, len, 0))) {
        *next = out_of_memory(r, p, "file names");
        return NULL;
    }
    *file = f->text;
    return e;
}

/* header ::= '#' blank* 'lockstep-trace' blank+ version ...
 * The first line, when it is a comment: a lockstep-trace header must name
 * version 1.  Returns the start of the next line, or NULL. */
static char *parse_header(struct reader *r, char *p)
{
    static const char tag[] = "lockstep-trace";
    char *q = skip_blanks(p + 1);
    if (memcmp(q, tag, sizeof tag - 1) == 0 && IS(q + sizeof tag - 1, C_END)) {
        q = skip_blanks(q + sizeof tag - 1);
        if (*q == '\n')
            return problem(r, 1, q, "expected the format version after 'lockstep-trace', "
                           "found the end of the line");
        char *e = q;
        while (!IS(e, C_END))
            e++;
        char *v = q;
        while (v < e && IS_DIGIT(*v))
            v++;
        int number = v == e && e - q <= 20;
        char *z = q;                /* past leading zeros */
        while (z < e - 1 && *z == '0')
            z++;
        if (!(number && e - z == 1 && *z == '1'))
            return number
                ? problem(r, 1, q, "unsupported trace format version %.*s", (int)(e - z), z)
                : problem(r, 1, q, "unsupported trace format version %s",
                          quote(r, 0, q, (size_t)(e - q), 0));
    }
    return (char *)memchr(q, '\n', (size_t)(r->chunk_end - q)) + 1;
}

/* line ::= blank* ( '#' ... | event )? blank* '\n'
 * event ::= seq thread irql when function arg* ['=' ret] ['@' location]
 * Parses the line at p and hands its event to the runtime, or reports
 * what is wrong with it.  Returns the start of the next line, or NULL
 * when reading stops. */
static char *parse_line(struct reader *r, char *p)
{
    struct ls_event *ev = &r->ev;
    char *e;
    int rc;

    if (UNLIKELY(!IS_DIGIT(*p))) {
        p = skip_blanks(p);
        if (*p == '\n')
            return p + 1;
        if (*p == '#') {
            char *nl = memchr(p, '\n', (size_t)(r->chunk_end - p));
            char *bad = bad_text(p, nl);
            if (bad)
                return problem(r, 0, bad, *bad ? "invalid UTF-8 in comment"
                                               : "unexpected NUL byte in comment");
            if (r->res->lines == 1)
                return parse_header(r, p);
            return nl + 1;
        }
    }

    /* seq: unsigned decimal, strictly increasing */
    uint64_t seq = 0;
    e = token_end(p);
    rc = e > p && IS(e, C_END) ? parse_unsigned(p, e, 0, &seq) : INT_SYNTAX;
    if (UNLIKELY(rc != INT_OK))
        return rc == INT_RANGE
            ? problem(r, 0, p, "event number %s does not fit in 64 bits", found(r, 0, p))
            : problem(r, 0, p, "expected an event number, found %s", found(r, 0, p));
    if (UNLIKELY(r->have_seq && seq <= r->prev_seq))
        return problem(r, 0, p, "event number %llu is not greater than the previous one (%llu)",
                       (unsigned long long)seq, (unsigned long long)r->prev_seq);
    p = after(e);

    struct name *thread = parse_name(r, &r->threads, p, 0, &e);
    if (UNLIKELY(!thread))
        return e;
    p = after(e);

    /* irql and when, the short tokens, are read without scanning */
    int irql;
    unsigned d = (unsigned)(unsigned char)p[0] - '0';
    if (LIKELY(IS(p + 1, C_END) && (d < 10 || p[0] == '-'))) {
        irql = d < 10 ? (int)d : LS_IRQL_UNKNOWN;
        e = p + 1;
    } else {
        e = token_end(p);
        irql = parse_irql(p, (size_t)(e - p));
        if (irql == -2 || !IS(e, C_END))
            return problem(r, 0, p, "expected an IRQL (0 to 31, or '-'), found %s", found(r, 0, p));
    }
    p = after(e);

    if (memcmp(p, "entry", 5) == 0 && IS(p + 5, C_END)) {
        ev->when = LS_ENTRY;
        e = p + 5;
    } else if (memcmp(p, "exit", 4) == 0 && IS(p + 4, C_END)) {
        ev->when = LS_EXIT;
        e = p + 4;
    } else {
        return problem(r, 0, p, "expected 'entry' or 'exit', found %s", found(r, 0, p));
    }
    p = after(e);

    struct name *fn = parse_name(r, &r->functions, p, 1, &e);
    if (UNLIKELY(!fn))
        return e;
    p = after(e);

    /* arguments, then '= ret', then '@ file:line' */
    unsigned nargs = 0;
    while (!IS(p, C_ARGS_END)) {
        if (UNLIKELY(nargs == LS_MAX_ARGS))
            return problem(r, 0, p, "more than %d arguments", LS_MAX_ARGS);
        e = token_end(p);
        rc = IS(e, C_END) ? parse_integer(p, e, &ev->args[nargs]) : INT_SYNTAX;
        if (UNLIKELY(rc != INT_OK))
            return rc == INT_RANGE
                ? problem(r, 0, p, "argument %s does not fit in 64 bits", found(r, 0, p))
                : problem(r, 0, p, "expected an integer argument, '=' or '@', found %s",
                          found(r, 0, p));
        nargs++;
        p = after(e);
    }
    ev->nargs = (uint8_t)nargs;
    ev->flags = 0;
    ev->ret = 0;
    if (*p == '=') {
        p++;
        if (!IS(p, C_BLANK))
            return *p == '\n'
                ? problem(r, 0, p, "expected a return value after '=', found the end of the line")
                : problem(r, 0, p, "expected a blank after '=', found %s", one_char(r, 0, p));
        p = skip_blanks(p);
        e = token_end(p);
        rc = IS(e, C_END) && *p != '\n' ? parse_integer(p, e, &ev->ret) : INT_SYNTAX;
        if (rc != INT_OK)
            return rc == INT_RANGE
                ? problem(r, 0, p, "return value %s does not fit in 64 bits", found(r, 0, p))
                : problem(r, 0, p, "expected a return value after '=', found %s",
                          found(r, 0, p));
        ev->flags = LS_EVENT_HAS_RETURN;
        p = after(e);
        if (*p != '\n' && *p != '@')
            return problem(r, 0, p, "expected '@' or the end of the line after the return "
                           "value, found %s", found(r, 0, p));
    }
    const char *file = NULL;
    uint32_t line = 0;
    if (*p == '@') {
        char *next;
        if (!(p = parse_location(r, p, &file, &line, &next)))
            return next;
        p = skip_blanks(p);
        if (*p != '\n')
            return problem(r, 0, p, "expected the end of the line after the location, "
                           "found %s", found(r, 0, p));
    }
    return deliver(r, seq, thread, irql, fn, file, line, p + 1);
}

/* Parses the whole lines in [p, end); end[-1] is '\n' and PAD bytes after
 * end are readable.  Returns 0 or -1. */
static int parse_lines(struct reader *r, char *p, char *end)
{
    r->chunk_end = end;
    while (p < end) {
        r->res->lines++;
        r->line_start = p;
        if (!(p = parse_line(r, p)))
            return -1;
    }
    return 0;
}

/* The read loop: fill, parse the whole lines, keep the partial one. */
static int read_all(struct reader *r, int fd)
{
    const size_t cap = MAX_LINE + 1;
    char *buf = r->buf;
    size_t len = 0;                 /* bytes in buf                          */
    int skipping = 0;               /* discarding a too-long line            */
    int first = 1;
    uint64_t next_progress = PROGRESS_EVERY;

    for (;;) {
        ssize_t got = trace_fill(&r->head, &r->head_len, fd, buf + len, cap - len,
                                 r->opt.cancel);
        if (got < 0) {
            trace_read_error(r->res->error, sizeof r->res->error, r->input);
            return -1;
        }
        size_t old = len;
        len += (size_t)got;
        r->res->bytes += (uint64_t)got;
        char *begin = buf;
        if (first && len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
            begin += 3;             /* a UTF-8 byte order mark */
        if (first && (len >= 3 || got == 0))
            first = 0;
        if (skipping) {
            char *nl = memchr(buf, '\n', len);
            if (nl) {
                begin = nl + 1;
                skipping = 0;
            } else {
                len = 0;
                old = 0;
            }
        }
        if (!skipping) {
            /* the last newline is in the new bytes, if anywhere */
            char *lo = buf + old > begin ? buf + old : begin;
            char *nl = buf + len;
            while (nl > lo && nl[-1] != '\n')
                nl--;
            if (nl > lo) {
                if (parse_lines(r, begin, nl) != 0)
                    return -1;
                begin = nl;
            }
            len = (size_t)(buf + len - begin);
            memmove(buf, begin, len);
            if (got == 0 && len > 0) {
                buf[len] = '\n';    /* the final line has no newline */
                if (parse_lines(r, buf, buf + len + 1) != 0)
                    return -1;
                len = 0;
            }
            if (len == cap) {       /* no newline in a full buffer */
                char message[64];
                snprintf(message, sizeof message, "line longer than %d bytes", MAX_LINE);
                r->res->lines++;
                if (report(r, 0, MAX_LINE + 1, message, NULL) != 0)
                    return -1;
                skipping = 1;
                len = 0;
            }
        }
        if (r->opt.on_progress && r->res->bytes >= next_progress) {
            r->opt.on_progress(r->opt.context, r->res->bytes, r->res->events);
            next_progress = r->res->bytes + PROGRESS_EVERY;
        }
        if (got == 0)
            return 0;
    }
}

int trace_read_text(const struct trace_target *t, int fd, const char *input,
                    const char *head, size_t head_len, const struct ls_trace_options *opt,
                    struct ls_trace_result *res)
{
    struct ls_trace_result scratch;
    struct reader r;
    memset(&r, 0, sizeof r);
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    r.target = *t;
    r.head = head;
    r.head_len = head_len;
    r.input = input ? input : "<input>";
    if (opt)
        r.opt = *opt;
    r.res = res;

    /* the buffer, PAD readable bytes either side: the word reads of the
     * number parsers look back, the token scanner looks ahead */
    char *base = calloc(1, PAD + MAX_LINE + 1 + PAD);
    r.buf = base ? base + PAD : NULL;
    struct name_map *maps[] = { &r.functions, &r.threads, &r.files };
    int ok = base != NULL;
    for (int i = 0; i < 3; i++) {
        maps[i]->slots = calloc(MAP_START, sizeof(struct name));
        maps[i]->mask = MAP_START - 1;
        ok &= maps[i]->slots != NULL;
    }
    int rc = -1;
    if (!ok) {
        snprintf(res->error, sizeof res->error, "%s: out of memory", r.input);
    } else {
        /* a trace is read once, front to back: ask for readahead (a pipe
         * says ESPIPE, which does not matter) */
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        rc = read_all(&r, fd);
    }

    free(base);
    for (int i = 0; i < 3; i++)
        free(maps[i]->slots);
    while (r.blocks) {
        struct block *b = r.blocks;
        r.blocks = b->next;
        free(b);
    }
    return rc;
}

int ls_trace_read_text(struct ls_runtime *rt, int fd, const char *input,
                       const struct ls_trace_options *opt,
                       struct ls_trace_result *res)
{
    struct trace_target t = { rt, NULL };
    return trace_read_text(&t, fd, input, NULL, 0, opt, res);
}
