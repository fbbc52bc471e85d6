/*
 * writer.c — ls_trace_writer: events of the runtime's shape (names interned
 * to ids, then events by id) written as a native trace, text
 * (docs/trace-format.md) or binary (docs/trace-binary.md).  With
 * ls_trace_writer_sink it is the other half of a converter: any reader
 * delivers into it.
 *
 * Names are interned in the writer's own tables (core/intern.h), so the
 * same name always gets the same id; the binary format defines each name
 * with a record just before its first use.  Everything is checked as the
 * readers would check it, so a writer never writes what its reader
 * rejects.  Output is buffered and written in blocks of OUT_SIZE; the
 * first failure is kept and every later call fails with it.
 *
 * Text arguments are written in decimal when they are small (a count, an
 * IRQL, a status), in hex otherwise (an address), which is how traces are
 * usually written by hand: the format does not record which was used, so
 * text -> binary -> text keeps every value but not its spelling.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "binfmt.h"
#include "intern.h"

enum {
    OUT_SIZE = 256 << 10,           /* written out when this much is buffered */
    /* room after OUT_SIZE for the longest record: a text line with three
     * names of BIN_MAX_NAME bytes and 19 numbers */
    SLACK = 3 * BIN_MAX_NAME + 1024,
    DECIMAL_MAX = 65535             /* larger magnitudes are written in hex    */
};

struct ls_trace_writer {
    int fd;
    enum ls_trace_format format;
    unsigned char *buf;             /* OUT_SIZE + SLACK bytes                 */
    size_t len;
    struct intern names[3];         /* by enum bin_name_kind                  */
    uint64_t next_seq;              /* least number the next event may have   */
    int seq_full;                   /* an event had number 2^64 - 1           */
    uint64_t events;
    int finished;
    int failed;
    char error[300];
};

/* Keeps the first failure; returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(struct ls_trace_writer *w, const char *fmt, ...)
{
    if (w->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->error, sizeof w->error, fmt, ap);
    va_end(ap);
    w->failed = 1;
    return -1;
}

/* Writes out the buffer.  Returns 0 or -1. */
static int flush(struct ls_trace_writer *w)
{
    for (size_t done = 0; done < w->len;) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(w, "write error: %s", n < 0 ? strerror(errno) : "nothing written");
        done += (size_t)n;
    }
    w->len = 0;
    return 0;
}

/* After each record: writes out a full buffer.  Returns 0 or -1. */
static int written(struct ls_trace_writer *w, unsigned char *end)
{
    w->len = (size_t)(end - w->buf);
    return w->len >= OUT_SIZE ? flush(w) : 0;
}

struct ls_trace_writer *ls_trace_writer_open(int fd, enum ls_trace_format format)
{
    struct ls_trace_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->buf = malloc(OUT_SIZE + SLACK);
    if (!w->buf) {
        free(w);
        return NULL;
    }
    w->fd = fd;
    w->format = format;
    for (int k = 0; k < 3; k++)
        intern_init(&w->names[k]);
    if (format == LS_TRACE_BINARY) {
        memcpy(w->buf, BIN_MAGIC, BIN_MAGIC_SIZE);
        unsigned char *v = w->buf + BIN_MAGIC_SIZE;
        v[0] = BIN_VERSION & 0xff;
        v[1] = v[2] = v[3] = 0;
        w->len = BIN_HEADER_SIZE;
    } else {
        w->len = (size_t)sprintf((char *)w->buf, "# lockstep-trace 1\n");
    }
    return w;
}

void ls_trace_writer_free(struct ls_trace_writer *w)
{
    if (!w)
        return;
    for (int k = 0; k < 3; k++)
        intern_free(&w->names[k]);
    free(w->buf);
    free(w);
}

const char *ls_trace_writer_error(const struct ls_trace_writer *w)
{
    return w->failed ? w->error : "";
}

/* ---- names ------------------------------------------------------------------ */

/* The id of a name of the kind, interned (and, in binary, defined) when
 * new; UINT32_MAX when it is invalid or the writer failed. */
static uint32_t name_id(struct ls_trace_writer *w, enum bin_name_kind kind, const char *name,
                        size_t length)
{
    struct intern *t = &w->names[kind];
    if (w->failed)
        return UINT32_MAX;
    uint32_t id = intern_find(t, name, length);
    if (id != INTERN_NONE)
        return id;
    const char *wrong = bin_name_problem(kind, name, length);
    if (wrong) {
        fail(w, "%s name '%.*s' %s", bin_kind_name(kind), length > 40 ? 40 : (int)length, name,
             wrong);
        return UINT32_MAX;
    }
    if ((id = intern_add(t, name, length)) == INTERN_NONE) {
        fail(w, "out of memory (%s names)", bin_kind_name(kind));
        return UINT32_MAX;
    }
    if (w->format == LS_TRACE_BINARY) {
        unsigned char *p = w->buf + w->len;
        *p++ = (unsigned char)(BIN_THREAD_NAME + kind);
        p = bin_put(p, length);
        memcpy(p, name, length);
        if (written(w, p + length) != 0)
            return UINT32_MAX;
    }
    return id;
}

uint32_t ls_trace_writer_function(struct ls_trace_writer *w, const char *name, size_t length)
{
    return name_id(w, BIN_FUNCTION, name, length);
}

uint32_t ls_trace_writer_thread(struct ls_trace_writer *w, const char *name, size_t length)
{
    return name_id(w, BIN_THREAD, name, length);
}

/* ---- events ----------------------------------------------------------------- */

static char *put_text(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_decimal(char *p, uint64_t v)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

/* An argument or return value: small magnitudes in decimal, the rest in
 * hex, negative ones as their 64-bit two's complement. */
static char *put_value(char *p, ls_word v)
{
    static const char hex[] = "0123456789abcdef";
    if (v >= -DECIMAL_MAX && v <= DECIMAL_MAX) {
        if (v < 0)
            *p++ = '-';
        return put_decimal(p, (uint64_t)(v < 0 ? -v : v));
    }
    uint64_t u = (uint64_t)v;
    int shift = 60;
    while ((u >> shift) == 0)
        shift -= 4;
    *p++ = '0';
    *p++ = 'x';
    for (; shift >= 0; shift -= 4)
        *p++ = hex[(u >> shift) & 0xf];
    return p;
}

/* One text line (docs/trace-format.md). */
static int text_event(struct ls_trace_writer *w, uint32_t thread, int irql,
                      const struct ls_event *ev, uint32_t file, uint32_t line)
{
    const struct intern_name *t = &w->names[BIN_THREAD].names[thread];
    const struct intern_name *f = &w->names[BIN_FUNCTION].names[ev->fn];
    char *p = (char *)w->buf + w->len;
    p = put_decimal(p, ev->seq);
    *p++ = ' ';
    p = put_text(p, t->text, t->length);
    *p++ = ' ';
    p = irql == LS_IRQL_UNKNOWN ? put_text(p, "-", 1) : put_decimal(p, (uint64_t)irql);
    p = ev->when == LS_EXIT ? put_text(p, " exit ", 6) : put_text(p, " entry ", 7);
    p = put_text(p, f->text, f->length);
    for (unsigned i = 0; i < ev->nargs; i++) {
        *p++ = ' ';
        p = put_value(p, ev->args[i]);
    }
    if (ev->flags & LS_EVENT_HAS_RETURN) {
        p = put_text(p, " = ", 3);
        p = put_value(p, ev->ret);
    }
    if (file != INTERN_NONE) {
        const struct intern_name *n = &w->names[BIN_FILE].names[file];
        p = put_text(p, " @ ", 3);
        p = put_text(p, n->text, n->length);
        *p++ = ':';
        p = put_decimal(p, line);
    }
    *p++ = '\n';
    return written(w, (unsigned char *)p);
}

/* One event record (docs/trace-binary.md); delta is seq minus the
 * previous event's seq minus one. */
static int binary_event(struct ls_trace_writer *w, uint32_t thread, int irql,
                        const struct ls_event *ev, uint64_t delta, uint32_t file,
                        uint32_t line)
{
    unsigned char *p = w->buf + w->len;
    unsigned tag = ev->nargs | (ev->when == LS_EXIT ? BIN_EXIT : 0) |
                   (ev->flags & LS_EVENT_HAS_RETURN ? BIN_RETURN : 0) |
                   (file != INTERN_NONE ? BIN_LOCATION : 0);
    p[0] = (unsigned char)tag;
    p[1] = irql == LS_IRQL_UNKNOWN ? BIN_IRQL_UNKNOWN : (unsigned char)irql;
    p += 2;
    p = bin_put(p, delta);
    p = bin_put(p, thread);
    p = bin_put(p, ev->fn);
    for (unsigned i = 0; i < ev->nargs; i++)
        p = bin_put(p, bin_zigzag(ev->args[i]));
    if (tag & BIN_RETURN)
        p = bin_put(p, bin_zigzag(ev->ret));
    if (file != INTERN_NONE) {
        p = bin_put(p, file);
        p = bin_put(p, line);
    }
    return written(w, p);
}

int ls_trace_writer_event(struct ls_trace_writer *w, uint32_t thread, int irql,
                          const struct ls_event *ev, const char *file, uint32_t line)
{
    if (w->failed)
        return -1;
    if (w->finished)
        return fail(w, "event %llu after the end of the trace", (unsigned long long)ev->seq);
    if (thread >= w->names[BIN_THREAD].count)
        return fail(w, "event %llu: thread id %lu was not given by this writer",
                    (unsigned long long)ev->seq, (unsigned long)thread);
    if (ev->fn >= w->names[BIN_FUNCTION].count)
        return fail(w, "event %llu: function id %lu was not given by this writer",
                    (unsigned long long)ev->seq, (unsigned long)ev->fn);
    if (irql < LS_IRQL_UNKNOWN || irql > 31)
        return fail(w, "event %llu: IRQL %d is neither 0 to 31 nor unknown",
                    (unsigned long long)ev->seq, irql);
    if (ev->nargs > LS_MAX_ARGS || ev->when > LS_EXIT)
        return fail(w, "event %llu: %s", (unsigned long long)ev->seq,
                    ev->when > LS_EXIT ? "neither entry nor exit" : "more than 16 arguments");
    if (ev->seq < w->next_seq || w->seq_full)
        return fail(w, "event number %llu is not greater than the previous one (%llu)",
                    (unsigned long long)ev->seq, (unsigned long long)(w->next_seq - 1));
    uint32_t file_id = file ? name_id(w, BIN_FILE, file, strlen(file)) : INTERN_NONE;
    if (w->failed)
        return -1;
    uint64_t delta = ev->seq - w->next_seq;
    w->next_seq = ev->seq + 1;
    w->seq_full = ev->seq == UINT64_MAX;
    w->events++;
    return w->format == LS_TRACE_BINARY ? binary_event(w, thread, irql, ev, delta, file_id, line)
                                        : text_event(w, thread, irql, ev, file_id, line);
}

int ls_trace_writer_finish(struct ls_trace_writer *w)
{
    if (w->failed)
        return -1;
    if (!w->finished && w->format == LS_TRACE_BINARY) {
        unsigned char *p = w->buf + w->len;
        *p++ = BIN_END;
        w->len = (size_t)(bin_put(p, w->events) - w->buf);
    }
    w->finished = 1;
    return flush(w);
}

/* ---- as a sink ---------------------------------------------------------------- */

static uint32_t sink_function(void *context, const char *name, size_t length)
{
    return ls_trace_writer_function(context, name, length);
}

static uint32_t sink_thread(void *context, const char *name, size_t length)
{
    return ls_trace_writer_thread(context, name, length);
}

static int sink_event(void *context, uint32_t thread, int irql, const struct ls_event *ev,
                      const char *file, uint32_t line)
{
    return ls_trace_writer_event(context, thread, irql, ev, file, line);
}

static const char *sink_error(void *context)
{
    return ls_trace_writer_error(context);
}

void ls_trace_writer_sink(struct ls_trace_writer *w, struct ls_trace_sink *sink)
{
    sink->function = sink_function;
    sink->thread = sink_thread;
    sink->event = sink_event;
    sink->error = sink_error;
    sink->context = w;
}
