/*
 * trace_fuzz.h — what the trace fuzzers (fuzz_trace_text.c,
 * fuzz_trace_binary.c, fuzz_trace_ltrace.c) share.  Each input is put in a
 * memory file and read
 *
 *   1. into a runtime with every shipped rule, with and without
 *      keep_going, as `lockstep check` reads a trace;
 *   2. for the native formats, when that read succeeds, into a sink that
 *      digests every event
 *      (names, numbers, location), and converted to the other format and
 *      back with the writer, each step read and digested again: all the
 *      digests must agree, and every conversion of a valid trace succeed.
 *
 * A crash, a sanitizer report, a leak or a broken round trip (abort) is a
 * finding.
 */
#ifndef LS_FUZZ_TRACE_FUZZ_H
#define LS_FUZZ_TRACE_FUZZ_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lockstep/trace.h>

extern const struct ls_rule *const ls_shipped_rules[];

typedef int (*fuzz_reader)(struct ls_runtime *rt, int fd, const char *input,
                           const struct ls_trace_options *opt, struct ls_trace_result *res);

/* A memory file holding the n bytes, at offset 0; the same one each time. */
static inline int fuzz_file(int slot, const void *data, size_t n)
{
    static int fds[3] = { -1, -1, -1 };
    if (fds[slot] < 0 && (fds[slot] = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
        abort();
    int fd = fds[slot];
    if (ftruncate(fd, 0) != 0 || (n && pwrite(fd, data, n, 0) != (ssize_t)n))
        abort();
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* ---- a sink that digests events ------------------------------------------------ */

struct digest {
    char **names[2];                /* thread, function names by id          */
    uint32_t count[2];
    uint64_t hash, events;
};

static inline uint32_t digest_name(struct digest *d, int kind, const char *name, size_t length)
{
    char **grown = realloc(d->names[kind], (d->count[kind] + 1) * sizeof *grown);
    char *copy = malloc(length + 1);
    if (!grown || !copy)
        abort();
    memcpy(copy, name, length);
    copy[length] = '\0';
    d->names[kind] = grown;
    grown[d->count[kind]] = copy;
    return d->count[kind]++;
}

static inline uint32_t digest_thread(void *context, const char *name, size_t length)
{
    return digest_name(context, 0, name, length);
}

static inline uint32_t digest_function(void *context, const char *name, size_t length)
{
    return digest_name(context, 1, name, length);
}

static inline void digest_bytes(struct digest *d, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->hash = (d->hash ^ ((const unsigned char *)p)[i]) * UINT64_C(0x100000001b3);
}

static inline int digest_event(void *context, uint32_t thread, int irql, const struct ls_event *ev,
                        const char *file, uint32_t line)
{
    struct digest *d = context;
    if (thread >= d->count[0] || ev->fn >= d->count[1])
        abort();                    /* an id the sink never gave */
    const char *t = d->names[0][thread], *f = d->names[1][ev->fn];
    digest_bytes(d, t, strlen(t) + 1);
    digest_bytes(d, f, strlen(f) + 1);
    int64_t fields[4] = { (int64_t)ev->seq, irql, ev->when, ev->nargs };
    digest_bytes(d, fields, sizeof fields);
    digest_bytes(d, ev->args, ev->nargs * sizeof ev->args[0]);
    if (ev->flags & LS_EVENT_HAS_RETURN)
        digest_bytes(d, &ev->ret, sizeof ev->ret);
    if (file) {
        digest_bytes(d, file, strlen(file) + 1);
        digest_bytes(d, &line, sizeof line);
    }
    d->events++;
    return 0;
}

static inline void digest_free(struct digest *d)
{
    for (int k = 0; k < 2; k++) {
        for (uint32_t i = 0; i < d->count[k]; i++)
            free(d->names[k][i]);
        free(d->names[k]);
    }
}

/* Reads fd (either format) into a digest; returns its hash, *events its
 * count; aborts when the read fails. */
static inline uint64_t digest_of(int fd, uint64_t *events)
{
    struct digest d = { .hash = UINT64_C(0xcbf29ce484222325) };
    struct ls_trace_sink sink = { digest_function, digest_thread, digest_event, NULL, &d };
    struct ls_trace_result res;
    if (ls_trace_read_to(&sink, fd, "fuzz", NULL, &res) != 0) {
        fprintf(stderr, "a converted trace does not read back: %s\n", res.error);
        abort();
    }
    digest_free(&d);
    *events = d.events;
    return d.hash;
}

/* Converts fd (either format) into memory file `slot` in format;
 * aborts when that fails. */
static inline int convert_to(int fd, int slot, enum ls_trace_format format)
{
    int out = fuzz_file(slot, NULL, 0);
    struct ls_trace_writer *w = ls_trace_writer_open(out, format);
    struct ls_trace_sink sink;
    struct ls_trace_result res;
    if (!w)
        abort();
    ls_trace_writer_sink(w, &sink);
    lseek(fd, 0, SEEK_SET);
    if (ls_trace_read_to(&sink, fd, "fuzz", NULL, &res) != 0 || ls_trace_writer_finish(w) != 0) {
        fprintf(stderr, "a valid trace does not convert: %s %s\n", res.error,
                ls_trace_writer_error(w));
        abort();
    }
    ls_trace_writer_free(w);
    lseek(out, 0, SEEK_SET);
    return out;
}

/* ---- the test ------------------------------------------------------------------ */

static inline void ignore_violation(void *context, const struct ls_violation *v)
{
    (void)context, (void)v;
}

static inline void ignore_problem(void *context, const struct ls_trace_problem *p)
{
    (void)context;
    if (!p->message)
        abort();
}

/* Reads the input with `reader` into a runtime that follows calls, as
 * `lockstep check` does, and again with keep_going when that stops.
 * Returns whether the first read succeeded. */
static inline int fuzz_read(fuzz_reader reader, const uint8_t *data, size_t size)
{
    int valid = 0;
    for (int keep_going = 0; keep_going < 2 && !valid; keep_going++) {
        struct ls_runtime *rt = ls_runtime_new();
        for (int i = 0; ls_shipped_rules[i]; i++)
            ls_runtime_add_rule(rt, ls_shipped_rules[i]);
        ls_runtime_set_sinks(rt, ignore_violation, NULL, NULL);
        ls_runtime_check_calls(rt, 1);
        struct ls_trace_options opt = { keep_going, ignore_problem, NULL, NULL, NULL };
        struct ls_trace_result res;
        int rc = reader(rt, fuzz_file(0, data, size), "fuzz", &opt, &res);
        if (rc != 0 && res.error[0] == '\0')
            abort();                /* a failure must say why */
        if (!keep_going)
            valid = rc == 0;
        ls_runtime_free(rt);
    }
    return valid;
}

/* fuzz_read, then a round trip through the other native format when the
 * input (of format `own`) is valid. */
static inline int fuzz_trace(fuzz_reader reader, enum ls_trace_format own, const uint8_t *data,
                      size_t size)
{
    if (!fuzz_read(reader, data, size))
        return 0;
    enum ls_trace_format other = own == LS_TRACE_TEXT ? LS_TRACE_BINARY : LS_TRACE_TEXT;
    uint64_t n0, n1, n2;
    int in = fuzz_file(0, data, size);
    uint64_t h0 = digest_of(in, &n0);
    int converted = convert_to(in, 1, other);
    uint64_t h1 = digest_of(converted, &n1);
    int back = convert_to(converted, 2, own);
    uint64_t h2 = digest_of(back, &n2);
    if (h0 != h1 || h0 != h2 || n0 != n1 || n0 != n2) {
        fprintf(stderr, "round trip changed the events: %llu/%llu/%llu events\n",
                (unsigned long long)n0, (unsigned long long)n1, (unsigned long long)n2);
        abort();
    }
    return 0;
}

#endif
