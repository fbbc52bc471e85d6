/*
 * test_binary.c — the native binary trace format: its reader
 * (runtime/sources/trace/binary.c), the writer of both native formats
 * (writer.c), format detection (ls_trace_read) and the reader -> sink ->
 * writer path that `lockstep trace convert` is.
 *
 * Events are compared through a collecting sink that writes each one as a
 * line with every field spelt out (names, decimal numbers), so "the same
 * events" is a string comparison.  Bad binary input is built here with an
 * encoder of our own, written from docs/trace-binary.md rather than
 * shared with the library, so the document is tested too; every class of
 * damage must give its exact message, and every cut or flipped byte of a
 * valid trace an error or a clean read, never a crash (the sanitizer build
 * runs this too).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "check.h"

extern const struct ls_rule *const ls_shipped_rules[];

/* ---- a growable buffer -------------------------------------------------------- */

struct buf {
    char *data;
    size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        if (!(b->data = realloc(b->data, b->cap)))
            abort();
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void say(struct buf *b, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    put(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void buf_free(struct buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- files ---------------------------------------------------------------------- */

/* A file holding the n bytes; its descriptor, at offset 0. */
static int temp_file(const void *data, size_t n)
{
    char path[] = "/tmp/lockstep-test-binary-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    unlink(path);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)data + done, n - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* The whole content of fd from offset 0. */
static struct buf slurp(int fd)
{
    struct buf b = { 0 };
    char chunk[65536];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t got; (got = read(fd, chunk, sizeof chunk)) > 0;)
        put(&b, chunk, (size_t)got);
    put(&b, "", 0);
    return b;
}

/* ---- a sink that spells events out ------------------------------------------------ */

struct collect {
    struct buf log;
    char *names[2][256];            /* [0] threads, [1] functions, by id     */
    unsigned count[2];
    unsigned problems;
    long fail_after;                /* events accepted before failing; -1: never */
};

static uint32_t add_name(struct collect *c, int kind, const char *name, size_t length)
{
    if (c->count[kind] == 256)
        abort();
    char *copy = malloc(length + 1);
    memcpy(copy, name, length);
    copy[length] = '\0';
    c->names[kind][c->count[kind]] = copy;
    return c->count[kind]++;
}

static uint32_t collect_thread(void *context, const char *name, size_t length)
{
    return add_name(context, 0, name, length);
}

static uint32_t collect_function(void *context, const char *name, size_t length)
{
    return add_name(context, 1, name, length);
}

static int collect_event(void *context, uint32_t thread, int irql, const struct ls_event *ev,
                         const char *file, uint32_t line)
{
    struct collect *c = context;
    if (c->fail_after >= 0 && c->fail_after-- == 0)
        return -1;
    const char *t = c->names[0][thread], *f = c->names[1][ev->fn];
    say(&c->log, "%" PRIu64 " ", ev->seq);
    put(&c->log, t, strlen(t));     /* names may be longer than say() takes */
    say(&c->log, " %d %s ", irql, ev->when == LS_EXIT ? "exit" : "entry");
    put(&c->log, f, strlen(f));
    for (unsigned i = 0; i < ev->nargs; i++)
        say(&c->log, " %" PRId64, ev->args[i]);
    if (ev->flags & LS_EVENT_HAS_RETURN)
        say(&c->log, " = %" PRId64, ev->ret);
    if (file) {
        put(&c->log, " @ ", 3);
        put(&c->log, file, strlen(file));
        say(&c->log, ":%" PRIu32, line);
    }
    say(&c->log, "\n");
    return 0;
}

static const char *collect_error(void *context)
{
    (void)context;
    return "the test sink refused the event";
}

static void on_problem(void *context, const struct ls_trace_problem *p)
{
    struct collect *c = context;
    c->problems++;
    say(&c->log, "P %s:%" PRIu64 ":%u: %s%s\n", p->input, p->line, p->column, p->message,
        p->text ? " (with text)" : "");
}

static void collect_free(struct collect *c)
{
    for (int k = 0; k < 2; k++)
        for (unsigned i = 0; i < c->count[k]; i++)
            free(c->names[k][i]);
    buf_free(&c->log);
}

/* What one read produced. */
struct outcome {
    int rc;
    struct ls_trace_result res;
    struct buf log;                 /* events and problems, spelt out        */
};

/* Reads fd through ls_trace_read_to into a collecting sink. */
static struct outcome read_fd(int fd, int keep_going)
{
    struct collect c = { .fail_after = -1 };
    struct ls_trace_sink sink = { collect_function, collect_thread, collect_event,
                                  collect_error, &c };
    struct ls_trace_options opt = { keep_going, on_problem, NULL, &c, NULL };
    struct outcome o;
    o.rc = ls_trace_read_to(&sink, fd, "t", &opt, &o.res);
    put(&c.log, "", 0);
    o.log = c.log;
    c.log.data = NULL;
    collect_free(&c);
    return o;
}

static struct outcome read_bytes(const void *data, size_t n, int keep_going)
{
    int fd = temp_file(data, n);
    struct outcome o = read_fd(fd, keep_going);
    close(fd);
    return o;
}

/* Reads data with ls_trace_read_binary into a runtime with the shipped
 * rules; the violations as "seq rule" lines. */
static void on_violation(void *context, const struct ls_violation *v)
{
    say(context, "%" PRIu64 " %s\n", v->event->seq, v->module->name);
}

static int read_runtime(int (*reader)(struct ls_runtime *, int, const char *,
                                      const struct ls_trace_options *,
                                      struct ls_trace_result *),
                        const void *data, size_t n, struct buf *violations,
                        struct ls_trace_result *res)
{
    struct ls_runtime *rt = ls_runtime_new();
    for (int i = 0; ls_shipped_rules[i]; i++)
        if (ls_runtime_add_rule(rt, ls_shipped_rules[i]) < 0)
            abort();
    ls_runtime_map_role(rt, "HW_STARTIO", "AhciHwStartIo");
    ls_runtime_set_sinks(rt, on_violation, NULL, violations);
    put(violations, "", 0);
    int fd = temp_file(data, n);
    int rc = reader(rt, fd, "t", NULL, res);
    close(fd);
    ls_runtime_free(rt);
    return rc;
}

/* ---- conversion ------------------------------------------------------------------- */

/* Converts the n bytes (either format) to format; rc the reader's, *error
 * its message or the writer's. */
static struct buf convert(const void *data, size_t n, enum ls_trace_format format, int *rc,
                          char *error, size_t error_size)
{
    int in = temp_file(data, n);
    int out = temp_file("", 0);
    struct ls_trace_writer *w = ls_trace_writer_open(out, format);
    struct ls_trace_sink sink;
    struct ls_trace_result res;
    ls_trace_writer_sink(w, &sink);
    *rc = ls_trace_read_to(&sink, in, "t", NULL, &res);
    snprintf(error, error_size, "%s", res.error);
    if (*rc == 0 && (*rc = ls_trace_writer_finish(w)) != 0)
        snprintf(error, error_size, "%s", ls_trace_writer_error(w));
    ls_trace_writer_free(w);
    struct buf b = slurp(out);
    close(in);
    close(out);
    return b;
}

static struct buf to_format(const struct buf *from, enum ls_trace_format format)
{
    int rc;
    char error[512];
    struct buf b = convert(from->data, from->len, format, &rc, error, sizeof error);
    if (rc != 0)
        printf("conversion failed: %s\n", error);
    CHECK(rc == 0);
    return b;
}

/* ---- an encoder of our own, from docs/trace-binary.md ------------------------------- */

static void varint(struct buf *b, uint64_t v)
{
    unsigned char out[9];
    unsigned n = 1;
    while (n < 9 && v >> (7 * n))
        n++;
    if (n == 9) {
        out[0] = 0;
        for (int i = 0; i < 8; i++)
            out[1 + i] = (unsigned char)(v >> (8 * i));
    } else {
        uint64_t x = v << n | UINT64_C(1) << (n - 1);
        for (unsigned i = 0; i < n; i++)
            out[i] = (unsigned char)(x >> (8 * i));
    }
    put(b, out, n);
}

static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
}

static void header(struct buf *b, uint32_t version)
{
    unsigned char h[12] = { 0x89, 'L', 'S', 'T', '\r', '\n', 0x1a, '\n',
                            (unsigned char)version, (unsigned char)(version >> 8),
                            (unsigned char)(version >> 16), (unsigned char)(version >> 24) };
    put(b, h, sizeof h);
}

/* kind: 0x11 thread, 0x12 function, 0x13 file */
static void name(struct buf *b, unsigned char kind, const char *s)
{
    put(b, &kind, 1);
    varint(b, strlen(s));
    put(b, s, strlen(s));
}

struct ev {
    unsigned irql;                  /* the byte: 0..31, 0xff unknown          */
    uint64_t delta, thread, fn;
    int exit, nargs;
    int64_t args[16];
    int has_ret;
    int64_t ret;
    int located;
    uint64_t file, line;
};

static void event(struct buf *b, const struct ev *e)
{
    struct buf body = { 0 };
    unsigned char irql = (unsigned char)e->irql;
    put(&body, &irql, 1);
    varint(&body, e->delta);
    varint(&body, e->thread);
    varint(&body, e->fn);
    for (int i = 0; i < e->nargs; i++)
        varint(&body, zigzag(e->args[i]));
    if (e->has_ret)
        varint(&body, zigzag(e->ret));
    if (e->located) {
        varint(&body, e->file);
        varint(&body, e->line);
    }
    unsigned char tag = (unsigned char)(e->nargs | (e->exit ? 0x20 : 0) |
                                        (e->has_ret ? 0x40 : 0) | (e->located ? 0x80 : 0));
    put(b, &tag, 1);
    put(b, body.data, body.len);
    buf_free(&body);
}

static void end(struct buf *b, uint64_t events)
{
    unsigned char tag = 0x1f;
    put(b, &tag, 1);
    varint(b, events);
}

/* A header, a thread "cpu0", a function "F", a file "a.c": what most bad
 * inputs start with.  Event i of them has delta 0 (numbers 0, 1, ...). */
static struct buf prologue(void)
{
    struct buf b = { 0 };
    header(&b, 1);
    name(&b, 0x11, "cpu0");
    name(&b, 0x12, "F");
    name(&b, 0x13, "a.c");
    return b;
}

static const struct ev plain = { 0, 0, 0, 0, 0, 1, { 7 }, 0, 0, 0, 0, 0 };

/* b must stop the read with exactly this error (which carries the offset);
 * with keep_going too unless skippable, in which case keep_going reports
 * it to the problem sink and reads on. */
static void check_bad(const struct buf *b, const char *error, int skippable)
{
    struct outcome o = read_bytes(b->data, b->len, 0);
    CHECK(o.rc == -1);
    CHECK_STR(o.res.error, error);
    buf_free(&o.log);
    o = read_bytes(b->data, b->len, 1);
    if (skippable) {
        char want[600];
        snprintf(want, sizeof want, "P t:0:0: %s\n", error + 3);
        CHECK(o.res.malformed == 1);
        CHECK(strstr(o.log.data, want) != NULL);
    } else {
        CHECK(o.rc == -1);
        CHECK_STR(o.res.error, error);
    }
    buf_free(&o.log);
}

/* ---- the fixtures ---------------------------------------------------------------------- */

static const char *const fixtures[] = {
    "design-example.trace", "clean.trace", "IrqlDispatch.trace",
    "IrqlKeReleaseSpinLock.trace", "QueuedSpinLock.trace", "QueuedSpinLockRelease.trace",
    "SpinLock.trace", "SpinLockRelease.trace", "SpinLockSafe.trace",
};

static struct buf fixture(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/trace/%s", LOCKSTEP_SOURCE_DIR, file);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    struct buf b = slurp(fd);
    close(fd);
    return b;
}

/* text -> binary -> text: the same events every way; the runtime gives
 * the same verdicts on both; binary output is canonical (text2 converts
 * to the same bytes). */
static void test_fixture_round_trips(void)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        struct buf text = fixture(fixtures[i]);
        struct buf bin = to_format(&text, LS_TRACE_BINARY);
        struct buf text2 = to_format(&bin, LS_TRACE_TEXT);
        struct buf bin2 = to_format(&text2, LS_TRACE_BINARY);
        struct outcome a = read_bytes(text.data, text.len, 0);
        struct outcome b = read_bytes(bin.data, bin.len, 0);
        struct outcome c = read_bytes(text2.data, text2.len, 0);
        CHECK(a.rc == 0 && b.rc == 0 && c.rc == 0);
        CHECK(a.res.events > 0 && a.res.events == b.res.events);
        CHECK_STR(b.log.data, a.log.data);
        CHECK_STR(c.log.data, a.log.data);
        CHECK(bin.len == bin2.len && memcmp(bin.data, bin2.data, bin.len) == 0);
        CHECK(bin.len < text.len);

        struct buf va = { 0 }, vb = { 0 };
        struct ls_trace_result ra, rb;
        CHECK(read_runtime(ls_trace_read_text, text.data, text.len, &va, &ra) == 0);
        CHECK(read_runtime(ls_trace_read_binary, bin.data, bin.len, &vb, &rb) == 0);
        CHECK_STR(vb.data, va.data);
        CHECK(rb.events == ra.events && rb.bytes == bin.len && rb.malformed == 0);
        if (strcmp(fixtures[i], "design-example.trace") == 0)
            CHECK(rb.lines == 12);  /* 2 threads, 3 functions, a file, 5 events, the end */
        /* ls_trace_read tells them apart */
        buf_free(&vb);
        CHECK(read_runtime(ls_trace_read, bin.data, bin.len, &vb, &rb) == 0);
        CHECK_STR(vb.data, va.data);
        buf_free(&vb);
        CHECK(read_runtime(ls_trace_read, text.data, text.len, &vb, &rb) == 0);
        CHECK_STR(vb.data, va.data);
        CHECK(rb.bytes == text.len && rb.lines == ra.lines);

        struct buf *all[] = { &text, &bin, &text2, &bin2, &a.log, &b.log, &c.log, &va, &vb };
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            buf_free(all[k]);
    }
}

/* ---- values at every boundary, straight from the writer ---------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A value near a varint or zigzag boundary, or anything. */
static int64_t edge_value(void)
{
    static const int64_t fixed[] = { 0, 1, -1, 63, 64, -64, -65, 65535, 65536, -65535,
                                     -65536, INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                     INT64_MIN + 1 };
    unsigned pick = (unsigned)(next_random() % 4);
    if (pick == 0)
        return fixed[next_random() % (sizeof fixed / sizeof fixed[0])];
    if (pick == 1) {                /* +-2^(7n) and neighbours */
        int shift = (int)(next_random() % 63);
        int64_t v = (int64_t)(UINT64_C(1) << shift) + (int64_t)(next_random() % 3) - 1;
        return next_random() & 1 ? v : -v;
    }
    return (int64_t)next_random() >> (next_random() % 64);
}

/* Writes the same random events with the writer in both formats and
 * reads both back: every field survives, in both. */
static void test_writer_values(void)
{
    static const char *const threads[] = { "cpu0", "t.1:x-y_z", "T", "a-very-long-thread-name" };
    static const char *const functions[] = { "F", "_g", "KeAcquireSpinLock", "x9" };
    static const char *const files[] = { "a.c", "C:\\src\\b.c", "dir/\xc3\xa9.c", "x:y:z" };
    for (int format = 0; format < 2; format++) {
        int fd = temp_file("", 0);
        struct ls_trace_writer *w = ls_trace_writer_open(fd, format ? LS_TRACE_BINARY
                                                                    : LS_TRACE_TEXT);
        struct buf want = { 0 };
        uint32_t tid[4], fid[4];
        for (int i = 0; i < 4; i++) {
            tid[i] = ls_trace_writer_thread(w, threads[i], strlen(threads[i]));
            fid[i] = ls_trace_writer_function(w, functions[i], strlen(functions[i]));
        }
        CHECK(ls_trace_writer_thread(w, "cpu0", 4) == tid[0]);   /* interned */
        rng = 42;
        uint64_t seq = 0;
        for (int i = 0; i < 3000; i++) {
            struct ls_event ev = { 0 };
            /* gaps of up to 2^50: every varint length, no overflow */
            uint64_t gap = next_random() % 3 == 0 ? next_random() >> (14 + next_random() % 50) : 0;
            seq = i == 0 ? 0 : seq + 1 + gap;
            if (i == 2999)
                seq = UINT64_MAX;   /* the last number there is */
            ev.seq = seq;
            unsigned t = (unsigned)(next_random() % 4), f = (unsigned)(next_random() % 4);
            ev.fn = fid[f];
            ev.when = next_random() % 2 ? LS_EXIT : LS_ENTRY;
            ev.nargs = (uint8_t)(next_random() % 17);
            for (int a = 0; a < ev.nargs; a++)
                ev.args[a] = edge_value();
            if (next_random() % 3 == 0) {
                ev.flags = LS_EVENT_HAS_RETURN;
                ev.ret = edge_value();
            }
            int irql = (int)(next_random() % 33) - 1;
            const char *file = next_random() % 3 == 0 ? files[next_random() % 4] : NULL;
            uint32_t line = (uint32_t)(next_random() % 4 == 0 ? UINT32_MAX : next_random() % 100000);
            CHECK(ls_trace_writer_event(w, tid[t], irql, &ev, file, line) == 0);
            say(&want, "%" PRIu64 " %s %d %s %s", seq, threads[t], irql,
                ev.when == LS_EXIT ? "exit" : "entry", functions[f]);
            for (int a = 0; a < ev.nargs; a++)
                say(&want, " %" PRId64, ev.args[a]);
            if (ev.flags)
                say(&want, " = %" PRId64, ev.ret);
            if (file)
                say(&want, " @ %s:%" PRIu32, file, line);
            say(&want, "\n");
        }
        CHECK(ls_trace_writer_finish(w) == 0);
        CHECK_STR(ls_trace_writer_error(w), "");
        ls_trace_writer_free(w);
        lseek(fd, 0, SEEK_SET);
        struct outcome o = read_fd(fd, 0);
        close(fd);
        if (o.rc != 0)
            printf("format %d: %s\n", format, o.res.error);
        CHECK(o.rc == 0 && o.res.events == 3000);
        CHECK_STR(o.log.data, want.data);
        buf_free(&o.log);
        buf_free(&want);
    }
}

/* What the writer refuses, with its message; the first failure sticks. */
static void test_writer_errors(void)
{
    int fd = temp_file("", 0);
    struct ls_trace_writer *w = ls_trace_writer_open(fd, LS_TRACE_BINARY);
    uint32_t t = ls_trace_writer_thread(w, "cpu0", 4);
    uint32_t f = ls_trace_writer_function(w, "F", 1);
    struct ls_event ev = { .seq = 5, .fn = f };
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == 0);
    ev.seq = 5;
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == -1);
    CHECK_STR(ls_trace_writer_error(w), "event number 5 is not greater than the previous one (5)");
    ev.seq = 6;                     /* sticks */
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == -1);
    CHECK(ls_trace_writer_function(w, "G", 1) == UINT32_MAX);
    CHECK(ls_trace_writer_finish(w) == -1);
    CHECK_STR(ls_trace_writer_error(w), "event number 5 is not greater than the previous one (5)");
    ls_trace_writer_free(w);

    static const struct {
        int kind;                   /* 0 thread, 1 function, 2 event        */
        const char *name;
        int irql;
        uint32_t thread;
        const char *file;
        const char *error;
    } cases[] = {
        { 0, "cpu 0", 0, 0, NULL, "thread name 'cpu 0' has a character the text format does "
                                  "not allow there" },
        { 0, "", 0, 0, NULL, "thread name '' is empty" },
        { 1, "9lives", 0, 0, NULL, "function name '9lives' has a character the text format "
                                   "does not allow there" },
        { 1, "a.b", 0, 0, NULL, "function name 'a.b' has a character the text format does not "
                                "allow there" },
        { 2, NULL, 32, 0, NULL, "event 1: IRQL 32 is neither 0 to 31 nor unknown" },
        { 2, NULL, -2, 0, NULL, "event 1: IRQL -2 is neither 0 to 31 nor unknown" },
        { 2, NULL, 0, 7, NULL, "event 1: thread id 7 was not given by this writer" },
        { 2, NULL, 0, 0, "a b.c", "file name 'a b.c' has a character the text format does not "
                                  "allow there" },
        { 2, NULL, 0, 0, "", "file name '' is empty" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int format = 0; format < 2; format++) {
            w = ls_trace_writer_open(fd, format ? LS_TRACE_BINARY : LS_TRACE_TEXT);
            t = ls_trace_writer_thread(w, "cpu0", 4);
            f = ls_trace_writer_function(w, "F", 1);
            ev = (struct ls_event){ .seq = 1, .fn = f };
            if (cases[i].kind == 0)
                CHECK(ls_trace_writer_thread(w, cases[i].name, strlen(cases[i].name)) == UINT32_MAX);
            else if (cases[i].kind == 1)
                CHECK(ls_trace_writer_function(w, cases[i].name, strlen(cases[i].name)) ==
                      UINT32_MAX);
            else
                CHECK(ls_trace_writer_event(w, t + cases[i].thread, cases[i].irql, &ev,
                                            cases[i].file, 1) == -1);
            CHECK_STR(ls_trace_writer_error(w), cases[i].error);
            ls_trace_writer_free(w);
        }

    /* more than 16 arguments; a function id never given; after finish */
    w = ls_trace_writer_open(fd, LS_TRACE_TEXT);
    t = ls_trace_writer_thread(w, "cpu0", 4);
    ev = (struct ls_event){ .seq = 1, .fn = 3 };
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == -1);
    CHECK_STR(ls_trace_writer_error(w), "event 1: function id 3 was not given by this writer");
    ls_trace_writer_free(w);
    w = ls_trace_writer_open(fd, LS_TRACE_TEXT);
    t = ls_trace_writer_thread(w, "cpu0", 4);
    ev = (struct ls_event){ .seq = 1, .fn = ls_trace_writer_function(w, "F", 1), .nargs = 17 };
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == -1);
    CHECK_STR(ls_trace_writer_error(w), "event 1: more than 16 arguments");
    ls_trace_writer_free(w);
    w = ls_trace_writer_open(fd, LS_TRACE_BINARY);
    t = ls_trace_writer_thread(w, "cpu0", 4);
    ev = (struct ls_event){ .seq = 1, .fn = ls_trace_writer_function(w, "F", 1) };
    CHECK(ls_trace_writer_finish(w) == 0);
    CHECK(ls_trace_writer_event(w, t, 0, &ev, NULL, 0) == -1);
    CHECK_STR(ls_trace_writer_error(w), "event 1 after the end of the trace");
    ls_trace_writer_free(w);
    close(fd);

    /* a name longer than the binary format allows, and a write error */
    char *big = malloc(65537);
    memset(big, 'a', 65537);
    w = ls_trace_writer_open(fd, LS_TRACE_BINARY);
    CHECK(ls_trace_writer_thread(w, big, 65537) == UINT32_MAX);
    CHECK(strstr(ls_trace_writer_error(w), "is longer than 65536 bytes") != NULL);
    ls_trace_writer_free(w);
    free(big);
    int full = open("/dev/full", O_WRONLY);
    if (full >= 0) {
        w = ls_trace_writer_open(full, LS_TRACE_BINARY);
        CHECK(ls_trace_writer_finish(w) == -1);
        CHECK_STR(ls_trace_writer_error(w), "write error: No space left on device");
        ls_trace_writer_free(w);
        close(full);
    }
}

/* Names of the longest length allowed (64 KiB each) go through both
 * formats, and a binary one through a pipe in small pieces. */
static void test_longest_names(void)
{
    size_t n = 65536;
    char *names[3];
    for (int k = 0; k < 3; k++) {
        names[k] = malloc(n + 1);
        memset(names[k], "tfx"[k], n);
        names[k][n] = '\0';
    }
    names[2][n - 2] = '.';          /* a file "xxx...x.x" */
    for (int format = 0; format < 2; format++) {
        int fd = temp_file("", 0);
        struct ls_trace_writer *w = ls_trace_writer_open(fd, format ? LS_TRACE_BINARY
                                                                    : LS_TRACE_TEXT);
        uint32_t t = ls_trace_writer_thread(w, names[0], n);
        struct ls_event ev = { .seq = 1, .fn = ls_trace_writer_function(w, names[1], n),
                               .nargs = 1, .args = { -1 } };
        CHECK(ls_trace_writer_event(w, t, 2, &ev, names[2], 9) == 0);
        CHECK(ls_trace_writer_finish(w) == 0);
        ls_trace_writer_free(w);
        struct buf trace = slurp(fd);
        close(fd);
        struct outcome o = read_bytes(trace.data, trace.len, 0);
        CHECK(o.rc == 0 && o.res.events == 1);
        CHECK(o.log.len == 3 * n + 20);   /* "1 " t " 2 entry " f " -1 @ " x ":9\n" */
        CHECK(strncmp(o.log.data, "1 ttt", 5) == 0 && strstr(o.log.data, "x.x:9\n") != NULL);
        if (format) {               /* the same through a pipe, 1000 bytes at a time */
            int fds[2];
            if (pipe(fds) != 0)
                abort();
            pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                for (size_t done = 0; done < trace.len; done += 1000)
                    if (write(fds[1], trace.data + done,
                              trace.len - done < 1000 ? trace.len - done : 1000) <= 0)
                        _exit(1);
                _exit(0);
            }
            close(fds[1]);
            struct outcome piped = read_fd(fds[0], 0);
            close(fds[0]);
            waitpid(pid, NULL, 0);
            CHECK(piped.rc == 0);
            CHECK_STR(piped.log.data, o.log.data);
            buf_free(&piped.log);
        }
        buf_free(&o.log);
        buf_free(&trace);
    }
    for (int k = 0; k < 3; k++)
        free(names[k]);
}

/* ---- bad binary input --------------------------------------------------------------- */

static void test_bad_input(void)
{
    struct buf b = { 0 }, v = { 0 };
    struct ls_trace_result res;
    CHECK(read_runtime(ls_trace_read_binary, "", 0, &v, &res) == -1);
    CHECK_STR(res.error, "t: offset 0: empty input: expected the header of a binary trace");
    buf_free(&v);
    put(&b, "\x89LST\r\n\x1a", 7);
    check_bad(&b, "t: offset 0: truncated header: the input ends after 7 of its 12 bytes", 0);
    buf_free(&b);
    put(&b, "\x89LST\n\x1a\n\x01\x00\x00\x00\x1f\x01", 13);   /* CR lost in transfer */
    check_bad(&b, "t: offset 0: not a lockstep binary trace (its first bytes are not the "
                  "magic \\x89LST\\r\\n\\x1a\\n)", 0);
    buf_free(&b);
    header(&b, 2);
    end(&b, 0);
    check_bad(&b, "t: offset 8: unsupported binary trace version 2 (this reader reads "
                  "version 1)", 0);
    buf_free(&b);
    header(&b, 0);
    check_bad(&b, "t: offset 8: unsupported binary trace version 0 (this reader reads "
                  "version 1)", 0);
    buf_free(&b);

    /* the smallest trace: a header and the end marker */
    header(&b, 1);
    end(&b, 0);
    struct outcome o = read_bytes(b.data, b.len, 0);
    CHECK(o.rc == 0 && o.res.events == 0 && o.res.bytes == 14 && o.res.lines == 1);
    buf_free(&o.log);
    buf_free(&b);

    /* the end: missing, a wrong count, data after it */
    b = prologue();                 /* 12 + 6 + 3 + 5 = 26 bytes */
    event(&b, &plain);
    check_bad(&b, "t: offset 32: truncated: the input ends without the end marker (after 1 "
                  "events)", 0);
    end(&b, 2);
    check_bad(&b, "t: offset 32: the end marker counts 2 events, the trace has 1", 0);
    b.len -= 2;
    end(&b, 1);
    put(&b, "\x1f\x01", 2);
    check_bad(&b, "t: offset 34: data after the end marker", 0);
    b.len -= 1;
    check_bad(&b, "t: offset 34: data after the end marker", 0);
    buf_free(&b);

    /* records: unknown, cut short, of the wrong size */
    b = prologue();
    put(&b, "\x14", 1);
    check_bad(&b, "t: offset 26: unknown record type 0x14", 0);
    b.len--;
    put(&b, "\x31", 1);            /* 17 arguments */
    check_bad(&b, "t: offset 26: unknown record type 0x31", 0);
    b.len--;
    event(&b, &plain);
    b.len--;
    check_bad(&b, "t: offset 26: truncated: the input ends inside an event", 0);
    b.len++;
    b.data[b.len - 1] = 0;          /* the last argument now takes 9 bytes */
    check_bad(&b, "t: offset 26: truncated: the input ends inside an event", 0);
    buf_free(&b);

    /* names: cut short, too long, huge, invalid */
    b = prologue();
    put(&b, "\x12\x0b" "Fo", 4);
    check_bad(&b, "t: offset 26: truncated: the input ends inside a function name", 0);
    b.len = 26;
    put(&b, "\x12", 1);
    check_bad(&b, "t: offset 26: truncated: the input ends inside a function name", 0);
    b.len = 26;
    put(&b, "\x11", 1);
    varint(&b, 65537);
    check_bad(&b, "t: offset 26: thread name of 65537 bytes is longer than the limit (65536)", 0);
    b.len = 26;
    put(&b, "\x13", 1);
    varint(&b, UINT64_MAX);
    check_bad(&b, "t: offset 26: file name of 18446744073709551615 bytes is longer than the "
                  "limit (65536)", 0);
    b.len = 26;
    name(&b, 0x11, "cpu 1");
    check_bad(&b, "t: offset 26: thread name 'cpu 1' has a character the text format does "
                  "not allow there", 0);
    b.len = 26;
    name(&b, 0x12, "");
    check_bad(&b, "t: offset 26: function name '' is empty", 0);
    b.len = 26;
    name(&b, 0x13, "a\tb.c");
    check_bad(&b, "t: offset 26: file name 'a\\x09b.c' has a character the text format does "
                  "not allow there", 0);
    b.len = 26;
    name(&b, 0x13, "caf\xc3");              /* cut in the middle of 'é' */
    check_bad(&b, "t: offset 26: file name 'caf\\xc3' is not valid UTF-8", 0);
    b.len = 26;
    name(&b, 0x12, "KeAcquireSpinLock_with_a_name_longer_than_forty_bytes!");
    check_bad(&b, "t: offset 26: function name 'KeAcquireSpinLock_with_a_name_longer_tha...' "
                  "has a character the text format does not allow there", 0);
    buf_free(&b);

    /* events that decode but cannot be: skipped with keep_going */
    static const struct {
        struct ev e;
        const char *error;
    } skippable[] = {
        { { 0, 0, 1, 0, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
          "t: offset 26: thread id 1 is not defined (1 thread names so far)" },
        { { 0, 0, 0, 300, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
          "t: offset 26: function id 300 is not defined (1 function names so far)" },
        { { 32, 0, 0, 0, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
          "t: offset 26: IRQL byte 0x20 is neither 0 to 31 nor 0xff (unknown)" },
        { { 0xfe, 0, 0, 0, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
          "t: offset 26: IRQL byte 0xfe is neither 0 to 31 nor 0xff (unknown)" },
        { { 0, 0, 0, 0, 0, 0, { 0 }, 0, 0, 1, 1, 5 },
          "t: offset 26: file id 1 is not defined (1 file names so far)" },
        { { 0, 0, 0, 0, 0, 0, { 0 }, 0, 0, 1, 0, UINT64_C(4294967296) },
          "t: offset 26: line number 4294967296 does not fit in 32 bits" },
    };
    for (size_t i = 0; i < sizeof skippable / sizeof skippable[0]; i++) {
        b = prologue();
        event(&b, &skippable[i].e);
        struct ev next = plain;     /* delivered after the skipped one */
        next.delta = 4;
        event(&b, &next);
        end(&b, 2);
        check_bad(&b, skippable[i].error, 1);
        o = read_bytes(b.data, b.len, 1);
        CHECK(o.rc == 0 && o.res.events == 1 && o.res.malformed == 1);
        CHECK(strstr(o.log.data, "\n5 cpu0 0 entry F 7\n") != NULL);
        buf_free(&o.log);
        buf_free(&b);
    }

    /* event numbers only go up; the last one there is may be used */
    b = prologue();
    struct ev e = plain;
    e.delta = UINT64_MAX - 1;
    event(&b, &e);
    e.delta = 0;
    event(&b, &e);                  /* 2^64 - 1 */
    event(&b, &e);                  /* would be 2^64 */
    end(&b, 3);
    check_bad(&b, "t: offset 46: event number does not fit in 64 bits (previous "
                  "18446744073709551615, delta 0)", 0);
    b.len = 26;
    e.delta = 5;
    event(&b, &e);
    e.delta = UINT64_MAX - 5;
    event(&b, &e);
    end(&b, 2);
    check_bad(&b, "t: offset 32: event number does not fit in 64 bits (previous 5, delta "
                  "18446744073709551610)", 0);
    buf_free(&b);

    /* keep_going does not go past damage to the structure */
    b = prologue();
    event(&b, &plain);
    put(&b, "\x15", 1);
    o = read_bytes(b.data, b.len, 1);
    CHECK(o.rc == -1 && o.res.events == 1);
    CHECK_STR(o.res.error, "t: offset 32: unknown record type 0x15");
    buf_free(&o.log);
    buf_free(&b);
}

/* A sink that refuses an event stops the read with its message; one that
 * refuses a name too. */
static void test_sink_failure(void)
{
    struct buf text = fixture("clean.trace");
    struct buf bin = to_format(&text, LS_TRACE_BINARY);
    for (int format = 0; format < 2; format++) {
        struct buf *in = format ? &bin : &text;
        struct collect c = { .fail_after = 3 };
        struct ls_trace_sink sink = { collect_function, collect_thread, collect_event,
                                      collect_error, &c };
        struct ls_trace_result res;
        int fd = temp_file(in->data, in->len);
        CHECK(ls_trace_read_to(&sink, fd, "t", NULL, &res) == -1);
        close(fd);
        CHECK(res.events == 3);
        CHECK(strstr(res.error, ": the test sink refused the event") != NULL);
        CHECK(strncmp(res.error, format ? "t: offset " : "t:10:1: ", format ? 10 : 8) == 0);
        collect_free(&c);
    }
    buf_free(&text);
    buf_free(&bin);
}

/* Every prefix of a valid trace is an error (the end marker is missing or
 * cut); every single flipped byte gives an error or a clean read, never a
 * crash. */
static void test_truncation_and_damage(void)
{
    struct buf text = fixture("clean.trace");
    struct buf bin = to_format(&text, LS_TRACE_BINARY);
    struct outcome whole = read_bytes(bin.data, bin.len, 0);
    CHECK(whole.rc == 0);
    unsigned errors = 0;
    for (size_t cut = 1; cut < bin.len; cut++) {
        struct outcome o = read_bytes(bin.data, cut, cut % 2);
        errors += o.rc == -1 && strncmp(o.res.error, "t: offset ", 10) == 0;
        CHECK(o.res.events <= whole.res.events);
        buf_free(&o.log);
    }
    CHECK(errors == bin.len - 1);
    unsigned clean = 0;
    for (size_t at = 0; at < bin.len; at++)
        for (int bit = 0; bit < 8; bit += 3) {
            bin.data[at] ^= (char)(1 << bit);
            struct outcome o = read_bytes(bin.data, bin.len, at % 2);
            clean += o.rc == 0;
            CHECK(o.rc == 0 || o.res.error[0] != '\0');
            buf_free(&o.log);
            bin.data[at] ^= (char)(1 << bit);
        }
    CHECK(clean > 0);               /* some flips only change a value */
    buf_free(&whole.log);
    buf_free(&text);
    buf_free(&bin);
}

/* ---- reading: pipes, progress, detection ----------------------------------------------- */

static unsigned progress_calls;

static void count_progress(void *context, uint64_t bytes, uint64_t events)
{
    (void)context, (void)bytes, (void)events;
    progress_calls++;
}

/* A binary trace of about 45 MB through a pipe written in odd-sized
 * pieces reads as it does from a file; progress comes every 16 MB. */
static void test_pipe_and_progress(void)
{
    int fd = temp_file("", 0);
    struct ls_trace_writer *w = ls_trace_writer_open(fd, LS_TRACE_BINARY);
    uint32_t t[3] = { ls_trace_writer_thread(w, "cpu0", 4), ls_trace_writer_thread(w, "cpu1", 4),
                      ls_trace_writer_thread(w, "cpu2", 4) };
    uint32_t f = ls_trace_writer_function(w, "KeReleaseInStackQueuedSpinLock", 30);
    for (uint64_t i = 1; i <= 2000000; i++) {
        struct ls_event ev = { .seq = i * 3, .fn = f, .nargs = 3 };
        ev.args[0] = (ls_word)(UINT64_C(0xffffa0000000) + i * 16);
        ev.args[1] = -(ls_word)i;
        ev.args[2] = (ls_word)i << 20;
        CHECK(ls_trace_writer_event(w, t[i % 3], (int)(i % 33) - 1, &ev,
                                    i % 100 == 0 ? "src/file.c" : NULL, (uint32_t)i) == 0);
    }
    CHECK(ls_trace_writer_finish(w) == 0);
    ls_trace_writer_free(w);
    struct buf bin = slurp(fd);
    close(fd);
    CHECK(bin.len > 32u << 20 && bin.len < 64u << 20);

    struct buf v_file = { 0 }, v_pipe = { 0 };
    struct ls_trace_result r_file, r_pipe;
    CHECK(read_runtime(ls_trace_read_binary, bin.data, bin.len, &v_file, &r_file) == 0);
    CHECK(r_file.events == 2000000);

    int fds[2];
    if (pipe(fds) != 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t step = 1;
        for (size_t done = 0; done < bin.len; step = step * 7 % 9973 + 1) {
            size_t k = bin.len - done < step ? bin.len - done : step;
            ssize_t n = write(fds[1], bin.data + done, k);
            if (n <= 0)
                _exit(1);
            done += (size_t)n;
        }
        _exit(0);
    }
    close(fds[1]);
    struct ls_runtime *rt = ls_runtime_new();
    for (int i = 0; ls_shipped_rules[i]; i++)
        ls_runtime_add_rule(rt, ls_shipped_rules[i]);
    ls_runtime_set_sinks(rt, on_violation, NULL, &v_pipe);
    put(&v_pipe, "", 0);
    struct ls_trace_options opt = { 0, NULL, count_progress, NULL, NULL };
    progress_calls = 0;
    CHECK(ls_trace_read(rt, fds[0], "t", &opt, &r_pipe) == 0);
    ls_runtime_free(rt);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(r_pipe.events == r_file.events && r_pipe.bytes == bin.len);
    CHECK(progress_calls == bin.len / (16u << 20));
    CHECK(v_file.len > 0);
    CHECK_STR(v_pipe.data, v_file.data);
    buf_free(&v_file);
    buf_free(&v_pipe);
    buf_free(&bin);

    /* a read error */
    struct outcome o = read_fd(1000, 0);
    CHECK(o.rc == -1 && strncmp(o.res.error, "t: read error: ", 15) == 0);
    buf_free(&o.log);
}

static void test_detection(void)
{
    /* empty input is an empty text trace; ls_trace_read_binary refuses it */
    struct outcome o = read_bytes("", 0, 0);
    CHECK(o.rc == 0 && o.res.events == 0 && o.res.bytes == 0);
    buf_free(&o.log);
    /* one byte of each */
    o = read_bytes("\n", 1, 0);
    CHECK(o.rc == 0 && o.res.lines == 1 && o.res.bytes == 1);
    buf_free(&o.log);
    o = read_bytes("\x89", 1, 0);
    CHECK(o.rc == -1);
    CHECK_STR(o.res.error, "t: offset 0: truncated header: the input ends after 1 of its 12 "
                           "bytes");
    buf_free(&o.log);
    /* text errors keep their line:column, with the first byte taken early */
    o = read_bytes("1 c 0 entri F\n", 14, 0);
    CHECK_STR(o.res.error, "t:1:7: expected 'entry' or 'exit', found 'entri'");
    buf_free(&o.log);
    o = read_bytes("\xef\xbb\xbf" "1 c 0 entry F\n", 17, 0);
    CHECK(o.rc == 0);
    CHECK_STR(o.log.data, "1 c 0 entry F\n");
    buf_free(&o.log);
    /* a text trace is not binary */
    struct ls_trace_result res;
    struct buf v = { 0 };
    CHECK(read_runtime(ls_trace_read_binary, "1 c 0 entry F\n", 14, &v, &res) == -1);
    CHECK_STR(res.error, "t: offset 0: not a lockstep binary trace (its first bytes are not "
                         "the magic \\x89LST\\r\\n\\x1a\\n)");
    buf_free(&v);
}

int main(void)
{
    test_fixture_round_trips();
    test_writer_values();
    test_writer_errors();
    test_longest_names();
    test_bad_input();
    test_sink_failure();
    test_truncation_and_damage();
    test_pipe_and_progress();
    test_detection();
    return check_done("test_binary");
}
