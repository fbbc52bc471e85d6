/*
 * binary.c — the native binary trace reader: ls_trace_read_binary streams
 * a trace in the format of docs/trace-binary.md from a file or a pipe into
 * the runtime, and ls_trace_read / ls_trace_read_to read either native
 * format, text or binary, as the first byte of the input shows.
 *
 * The format exists to be read fast, so the reader is built like the text
 * one, in constant memory:
 *
 *   - read(2) fills one buffer; the records in it are decoded in place and
 *     the partial record at its end moves to the front for the next read.
 *   - An event is decoded without bounds checks: while more input may come,
 *     a record is only started with BIN_MAX_EVENT bytes (the longest event)
 *     ahead, and the buffer has that much readable padding after it, so at
 *     the end of the input a record cut short is decoded from padding and
 *     then found to run past the end: one compare per event, no check per
 *     field.  Only name records, whose length is in the record, are
 *     checked before they are used.
 *   - Numbers are prefix varints (binfmt.h): one load, a count of trailing
 *     zeros and two shifts each, no loop.  The ids in an event index the
 *     reader's arrays of runtime ids; all of an event's checks (ids in
 *     range, IRQL, line) are one combined test whose failure takes a cold
 *     path that works out which one failed.
 *
 * A problem is "input: offset N: message" in res->error, N the byte offset
 * of the record.  Damage to the structure (magic, version, unknown record,
 * truncation, an over-long name, an event number beyond 64 bits, data after
 * the end marker, a wrong event count) stops the read even with keep_going:
 * nothing after it can be trusted.  An event that decodes but names an
 * undefined id, an IRQL that does not exist or a line beyond 32 bits is,
 * with keep_going, reported to the problem sink (line and column 0, the
 * message starting "offset N: "), counted and skipped.
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

#include "binfmt.h"
#include "reader.h"

#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define COLD __attribute__((cold, noinline))
#else
#define UNLIKELY(x) (x)
#define PRINTF_LIKE(f, a)
#define COLD
#endif

enum {
    READ_SIZE = 256 << 10,          /* asked of each read(2): stays in L2    */
    /* room for a read beside the longest record left over from the last */
    BUF_SIZE = READ_SIZE + 1 + BIN_MAX_VARINT + BIN_MAX_NAME,
    PAD = BIN_MAX_EVENT + 16,       /* readable bytes after the buffer       */
    PROGRESS_EVERY = 16 << 20,      /* bytes between on_progress calls       */
    MAX_IDS = UINT32_MAX - 1        /* names of one kind                     */
};

/* The names of one kind, by binary id: the target's id of each thread or
 * function, the text of each file name. */
struct ids {
    uint32_t *id;                   /* threads, functions                    */
    char **text;                    /* files, NUL-terminated                 */
    uint32_t count, cap;
};

struct reader {
    struct trace_target target;
    const char *input;
    struct ls_trace_options opt;
    struct ls_trace_result *res;
    const char *head;               /* input read before the reader started  */
    size_t head_len;
    unsigned char *buf;             /* BUF_SIZE + PAD bytes                  */
    uint64_t buf_offset;            /* input offset of buf[0]                */
    struct ids names[3];            /* by enum bin_name_kind                 */
    uint64_t next_seq;              /* least event number the next may have  */
    int seq_full;                   /* an event had number 2^64 - 1          */
    uint64_t records;               /* event records decoded                 */
    int ended;                      /* the end marker was read               */
    struct ls_event ev;             /* the event being filled                */
};

/* ---- diagnostics ------------------------------------------------------------ */

/* Reports a problem with the record at input offset `at`.  Without
 * keep_going (or when fatal) it becomes res->error and -1 is returned:
 * reading stops.  Otherwise it goes to the problem sink, the record counts
 * as malformed and 0 is returned. */
COLD
static int vproblem(struct reader *r, int fatal, uint64_t at, const char *fmt, va_list ap)
{
    char message[300];
    int n = snprintf(message, sizeof message, "offset %llu: ", (unsigned long long)at);
    vsnprintf(message + n, sizeof message - (size_t)n, fmt, ap);
    if (fatal || !r->opt.keep_going) {
        snprintf(r->res->error, sizeof r->res->error, "%s: %s", r->input, message);
        return -1;
    }
    r->res->malformed++;
    if (r->opt.on_problem) {
        struct ls_trace_problem p = { r->input, 0, 0, message, NULL };
        r->opt.on_problem(r->opt.context, &p);
    }
    return 0;
}

PRINTF_LIKE(4, 5) COLD
static int problem(struct reader *r, int fatal, uint64_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vproblem(r, fatal, at, fmt, ap);
    va_end(ap);
    return rc;
}

/* The input offset of p in the buffer. */
static uint64_t offset_of(const struct reader *r, const unsigned char *p)
{
    return r->buf_offset + (uint64_t)(p - r->buf);
}

/* A problem with the record at p that stops the read: returns NULL, which
 * the record decoders return for that. */
PRINTF_LIKE(3, 4) COLD
static const unsigned char *stop(struct reader *r, const unsigned char *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(r, 1, offset_of(r, p), fmt, ap);
    va_end(ap);
    return NULL;
}

/* ---- records ------------------------------------------------------------------ */

/* header ::= magic version.  The first BIN_HEADER_SIZE bytes (len of them
 * read, fewer only at the end of the input).  Returns 0 or -1. */
static int check_header(struct reader *r, size_t len)
{
    const unsigned char *b = r->buf;
    if (len == 0)
        return problem(r, 1, 0, "empty input: expected the header of a binary trace");
    if (memcmp(b, BIN_MAGIC, len < BIN_MAGIC_SIZE ? len : BIN_MAGIC_SIZE) != 0)
        return problem(r, 1, 0, "not a lockstep binary trace (its first bytes are not the "
                       "magic \\x89LST\\r\\n\\x1a\\n)");
    if (len < BIN_HEADER_SIZE)
        return problem(r, 1, 0, "truncated header: the input ends after %zu of its %d bytes",
                       len, (int)BIN_HEADER_SIZE);
    uint32_t version = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
                       (uint32_t)b[11] << 24;
    if (version != BIN_VERSION)
        return problem(r, 1, 8, "unsupported binary trace version %lu (this reader reads "
                       "version %d)", (unsigned long)version, (int)BIN_VERSION);
    return 0;
}

/* name ::= tag length byte*   (tag BIN_THREAD_NAME, _FUNCTION_NAME, _FILE_NAME)
 * Defines the next id of its kind.  Returns the byte after the record, p
 * itself when the record is not all in [p, end) and more input may come,
 * or NULL when reading stops. */
static const unsigned char *define_name(struct reader *r, const unsigned char *p,
                                        const unsigned char *end, int eof)
{
    enum bin_name_kind kind = (enum bin_name_kind)(p[0] - BIN_THREAD_NAME);
    const char *what = bin_kind_name(kind);
    uint64_t n;
    const unsigned char *s = bin_get(p + 1, &n);
    if (s > end)                    /* only at the end of the input */
        return stop(r, p, "truncated: the input ends inside a %s name", what);
    if (n > BIN_MAX_NAME)
        return stop(r, p, "%s name of %llu bytes is longer than the limit (%d)", what,
                    (unsigned long long)n, (int)BIN_MAX_NAME);
    if (n > (uint64_t)(end - s))
        return eof ? stop(r, p, "truncated: the input ends inside a %s name", what) : p;
    const char *name = (const char *)s;
    const char *wrong = bin_name_problem(kind, name, (size_t)n);
    if (wrong) {
        char quoted[TRACE_QUOTE_SIZE];
        return stop(r, p, "%s name %s %s", what, trace_quote(quoted, name, (size_t)n, 0),
                    wrong);
    }
    struct ids *ids = &r->names[kind];
    if (ids->count == MAX_IDS)
        return stop(r, p, "more than %lu %s names", (unsigned long)MAX_IDS, what);
    if (ids->count == ids->cap) {
        uint32_t cap = ids->cap == 0 ? 64 : ids->cap > MAX_IDS / 2 ? MAX_IDS : ids->cap * 2;
        void *grown = kind == BIN_FILE ? realloc(ids->text, cap * sizeof *ids->text)
                                       : realloc(ids->id, cap * sizeof *ids->id);
        if (!grown)
            return stop(r, p, "out of memory (%s names)", what);
        if (kind == BIN_FILE)
            ids->text = grown;
        else
            ids->id = grown;
        ids->cap = cap;
    }
    if (kind == BIN_FILE) {
        char *text = malloc((size_t)n + 1);
        if (!text)
            return stop(r, p, "out of memory (file names)");
        memcpy(text, name, (size_t)n);
        text[n] = '\0';
        ids->text[ids->count++] = text;
    } else {
        uint32_t id = trace_name(&r->target, kind == BIN_FUNCTION, name, (size_t)n);
        if (id == UINT32_MAX) {
            char why[256];
            trace_failure(&r->target, why, sizeof why);
            return stop(r, p, "%s", why);
        }
        ids->id[ids->count++] = id;
    }
    return s + n;
}

/* end ::= BIN_END count.  The end marker, whose count must be the number
 * of event records.  Returns as define_name does. */
static const unsigned char *end_marker(struct reader *r, const unsigned char *p,
                                       const unsigned char *end)
{
    uint64_t count;
    const unsigned char *q = bin_get(p + 1, &count);
    if (q > end)                    /* only at the end of the input */
        return stop(r, p, "truncated: the input ends inside the end marker");
    if (count != r->records)
        return stop(r, p, "the end marker counts %llu events, the trace has %llu",
                    (unsigned long long)count, (unsigned long long)r->records);
    r->ended = 1;
    return q;
}

/* What is wrong with an event whose combined check failed; reports it.
 * Returns 0 (skipped, keep_going) or -1. */
COLD
static int bad_event(struct reader *r, const unsigned char *p, uint64_t thread, uint64_t fn,
                     unsigned irql, int located, uint64_t file, uint64_t line)
{
    uint64_t at = offset_of(r, p);
    static const char undefined[] = "%s id %llu is not defined (%lu %s names so far)";
    if (thread >= r->names[BIN_THREAD].count)
        return problem(r, 0, at, undefined, "thread", (unsigned long long)thread,
                       (unsigned long)r->names[BIN_THREAD].count, "thread");
    if (fn >= r->names[BIN_FUNCTION].count)
        return problem(r, 0, at, undefined, "function", (unsigned long long)fn,
                       (unsigned long)r->names[BIN_FUNCTION].count, "function");
    if (irql > 31 && irql != BIN_IRQL_UNKNOWN)
        return problem(r, 0, at, "IRQL byte 0x%02x is neither 0 to 31 nor 0xff (unknown)",
                       irql);
    if (located && file >= r->names[BIN_FILE].count)
        return problem(r, 0, at, undefined, "file", (unsigned long long)file,
                       (unsigned long)r->names[BIN_FILE].count, "file");
    return problem(r, 0, at, "line number %llu does not fit in 32 bits",
                   (unsigned long long)line);
}

/* records ::= ( event | name | end )*
 * event ::= tag irql seq-delta thread function arg* [ret] [file line]
 * Decodes the records in [p, end) and hands their events to the target.
 * eof: no input follows end.  Returns where it stopped (end, or a record
 * that needs more input), or NULL when reading stops.  The counters live
 * in locals across the loop: the target's call could change anything in
 * memory, so fields of *r would be reloaded and stored for every event. */
static const unsigned char *parse(struct reader *r, const unsigned char *p,
                                  const unsigned char *end, int eof)
{
    struct ls_event *ev = &r->ev;
    uint64_t records = 0, events = 0;
    uint64_t next_seq = r->next_seq;
    int seq_full = r->seq_full;
    const unsigned char *stopped = p;

    if (r->ended && p < end)
        return stop(r, p, "data after the end marker");
    while (p < end) {
        if (!eof && end - p < BIN_MAX_EVENT)
            break;                  /* maybe not whole: read more first */
        unsigned tag = p[0];
        if (UNLIKELY((tag & BIN_NARGS_MASK) > LS_MAX_ARGS)) {
            r->records += records; /* end_marker checks the count */
            r->res->lines += records;
            records = 0;
            const unsigned char *q;
            if (tag >= BIN_THREAD_NAME && tag <= BIN_FILE_NAME)
                q = define_name(r, p, end, eof);
            else if (tag == BIN_END)
                q = end_marker(r, p, end);
            else
                q = stop(r, p, "unknown record type 0x%02x", tag);
            if (q == p || !q) {
                stopped = q;
                goto out;
            }
            r->res->lines++;
            p = q;
            if (r->ended && p < end) {
                stopped = stop(r, p, "data after the end marker");
                goto out;
            }
            continue;
        }

        unsigned irql = p[1];
        uint64_t delta, thread, fn, u, ret = 0, file = 0, line = 0;
        const unsigned char *q = bin_get(p + 2, &delta);
        q = bin_get(q, &thread);
        q = bin_get(q, &fn);
        unsigned nargs = tag & BIN_NARGS_MASK;
        for (unsigned i = 0; i < nargs; i++) {
            q = bin_get(q, &u);
            ev->args[i] = bin_unzigzag(u);
        }
        if (tag & BIN_RETURN)
            q = bin_get(q, &ret);
        if (tag & BIN_LOCATION) {
            q = bin_get(q, &file);
            q = bin_get(q, &line);
        }
        if (UNLIKELY(q > end)) {   /* only at the end of the input */
            stopped = stop(r, p, "truncated: the input ends inside an event");
            goto out;
        }
        records++;

        /* event numbers count up from the previous one: seq - previous - 1
         * is stored, so only going past 2^64 - 1 can break the order */
        uint64_t seq;
        if (UNLIKELY(__builtin_add_overflow(next_seq, delta, &seq) || seq_full)) {
            stopped = stop(r, p, "event number does not fit in 64 bits (previous %llu, "
                           "delta %llu)", (unsigned long long)(next_seq - 1),
                           (unsigned long long)delta);
            goto out;
        }
        next_seq = seq + 1;
        seq_full = seq == UINT64_MAX;

        int located = (tag & BIN_LOCATION) != 0;
        if (UNLIKELY((thread >= r->names[BIN_THREAD].count) |
                     (fn >= r->names[BIN_FUNCTION].count) |
                     ((irql > 31) & (irql != BIN_IRQL_UNKNOWN)) |
                     (located & ((file >= r->names[BIN_FILE].count) | (line > UINT32_MAX))))) {
            if (bad_event(r, p, thread, fn, irql, located, file, line) != 0) {
                stopped = NULL;
                goto out;
            }
            p = q;
            continue;
        }
        ev->seq = seq;
        ev->fn = r->names[BIN_FUNCTION].id[fn];
        ev->when = tag & BIN_EXIT ? LS_EXIT : LS_ENTRY;
        ev->nargs = (uint8_t)nargs;
        ev->flags = tag & BIN_RETURN ? LS_EVENT_HAS_RETURN : 0;
        ev->ret = bin_unzigzag(ret);
        ev->ext = NULL;
        int rc = trace_deliver(&r->target, r->names[BIN_THREAD].id[thread],
                               irql == BIN_IRQL_UNKNOWN ? LS_IRQL_UNKNOWN : (int)irql, ev,
                               located ? r->names[BIN_FILE].text[file] : NULL, (uint32_t)line);
        if (UNLIKELY(rc == LS_EVENT_REFUSED)) {      /* an exit without its entry */
            if (problem(r, 0, offset_of(r, p), "%s", ls_runtime_error(r->target.rt)) != 0) {
                stopped = NULL;
                goto out;
            }
        } else if (UNLIKELY(rc != 0)) {
            char why[256];
            trace_failure(&r->target, why, sizeof why);
            stopped = stop(r, p, "%s", why);
            goto out;
        } else {
            events++;
        }
        p = q;
    }
    stopped = p;
out:
    r->records += records;
    r->res->lines += records;
    r->res->events += events;
    r->next_seq = next_seq;
    r->seq_full = seq_full;
    return stopped;
}

/* ---- the read loop ------------------------------------------------------------ */

/* Reads more input after the len bytes in the buffer.  Returns the bytes
 * read, 0 at the end, -1 after setting res->error. */
static ssize_t read_more(struct reader *r, int fd, size_t len)
{
    size_t room = BUF_SIZE - len;
    ssize_t got = trace_fill(&r->head, &r->head_len, fd, r->buf + len,
                             room < READ_SIZE ? room : READ_SIZE, r->opt.cancel);
    if (got < 0) {
        trace_read_error(r->res->error, sizeof r->res->error, r->input);
        return -1;
    }
    r->res->bytes += (uint64_t)got;
    return got;
}

/* Reads the header, then records until the end of the input.  Returns 0
 * or -1. */
static int read_all(struct reader *r, int fd)
{
    size_t len = 0;                 /* bytes in buf                          */
    int eof = 0;
    uint64_t next_progress = PROGRESS_EVERY;

    while (len < BIN_HEADER_SIZE && !eof) {
        ssize_t got = read_more(r, fd, len);
        if (got < 0)
            return -1;
        eof = got == 0;
        len += (size_t)got;
    }
    if (check_header(r, len) != 0)
        return -1;
    const unsigned char *p = r->buf + BIN_HEADER_SIZE;
    for (;;) {
        p = parse(r, p, r->buf + len, eof);
        if (!p)
            return -1;
        if (eof)
            break;
        /* keep the unparsed rest, read more after it */
        len = (size_t)(r->buf + len - p);
        memmove(r->buf, p, len);
        r->buf_offset += (uint64_t)(p - r->buf);
        p = r->buf;
        ssize_t got = read_more(r, fd, len);
        if (got < 0)
            return -1;
        eof = got == 0;
        len += (size_t)got;
        if (r->opt.on_progress && r->res->bytes >= next_progress) {
            r->opt.on_progress(r->opt.context, r->res->bytes, r->res->events);
            next_progress = r->res->bytes + PROGRESS_EVERY;
        }
    }
    if (!r->ended)
        return problem(r, 1, r->res->bytes, "truncated: the input ends without the end "
                       "marker (after %llu events)", (unsigned long long)r->records);
    return 0;
}

int trace_read_binary(const struct trace_target *t, int fd, const char *input,
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
    r.input = input ? input : "<input>";
    if (opt)
        r.opt = *opt;
    r.res = res;
    r.head = head;
    r.head_len = head_len;

    int rc = -1;
    r.buf = calloc(1, BUF_SIZE + PAD);
    if (!r.buf) {
        snprintf(res->error, sizeof res->error, "%s: out of memory", r.input);
    } else {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        rc = read_all(&r, fd);
    }

    free(r.buf);
    for (uint32_t i = 0; i < r.names[BIN_FILE].count; i++)
        free(r.names[BIN_FILE].text[i]);
    for (int k = 0; k < 3; k++) {
        free(r.names[k].id);
        free(r.names[k].text);
    }
    return rc;
}

int ls_trace_read_binary(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt, struct ls_trace_result *res)
{
    struct trace_target t = { rt, NULL };
    return trace_read_binary(&t, fd, input, NULL, 0, opt, res);
}

/* ---- either format -------------------------------------------------------------- */

/* Reads the first byte and hands the input to the reader it calls for:
 * the binary one when it is the magic's first byte (no text trace starts
 * with it), else the text one.  An empty input is an empty text trace. */
static int read_either(const struct trace_target *t, int fd, const char *input,
                       const struct ls_trace_options *opt, struct ls_trace_result *res)
{
    struct ls_trace_result scratch;
    if (!res)
        res = &scratch;
    char first;
    const char *none = NULL;
    size_t none_len = 0;
    ssize_t got = trace_fill(&none, &none_len, fd, &first, 1, opt ? opt->cancel : NULL);
    if (got <= 0) {
        memset(res, 0, sizeof *res);
        if (got == 0)
            return 0;
        trace_read_error(res->error, sizeof res->error, input ? input : "<input>");
        return -1;
    }
    if (first == BIN_MAGIC[0])
        return trace_read_binary(t, fd, input, &first, 1, opt, res);
    return trace_read_text(t, fd, input, &first, 1, opt, res);
}

int ls_trace_read(struct ls_runtime *rt, int fd, const char *input,
                  const struct ls_trace_options *opt, struct ls_trace_result *res)
{
    struct trace_target t = { rt, NULL };
    return read_either(&t, fd, input, opt, res);
}

int ls_trace_read_to(const struct ls_trace_sink *sink, int fd, const char *input,
                     const struct ls_trace_options *opt, struct ls_trace_result *res)
{
    struct trace_target t = { NULL, sink };
    return read_either(&t, fd, input, opt, res);
}
