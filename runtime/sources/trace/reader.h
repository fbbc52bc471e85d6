/*
 * reader.h — what the native trace readers (text.c, binary.c) share: the
 * target they deliver to, a runtime called directly on the product's path
 * or a sink (ls_trace_read_to: converters, tools, tests); reading that
 * starts with bytes already taken from the descriptor (ls_trace_read reads
 * the first byte to tell the formats apart, then hands it on); how their
 * messages quote what they found; and the readers' inner entry points.
 */
#ifndef LS_TRACE_READER_H
#define LS_TRACE_READER_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <lockstep/trace.h>
#include <lockstep/utf8.h>

struct trace_target {
    struct ls_runtime *rt;          /* NULL: deliver to sink                 */
    const struct ls_trace_sink *sink;
};

/* The id of a thread or function name; UINT32_MAX when the target failed
 * (trace_failure says why). */
static inline uint32_t trace_name(const struct trace_target *t, int is_function,
                                  const char *name, size_t length)
{
    if (t->rt)
        return is_function ? ls_runtime_function(t->rt, name, length)
                           : ls_runtime_thread(t->rt, name, length);
    return is_function ? t->sink->function(t->sink->context, name, length)
                       : t->sink->thread(t->sink->context, name, length);
}

/* Hands over one event; 0, or -1 when the target failed.  The runtime is
 * tested for first: a predictable branch costs nothing, an indirect call
 * on the product's path would. */
static inline int trace_deliver(const struct trace_target *t, uint32_t thread, int irql,
                                struct ls_event *ev, const char *file, uint32_t line)
{
    if (__builtin_expect(t->rt != NULL, 1))
        return ls_runtime_event(t->rt, thread, irql, ev, file, line);
    return t->sink->event(t->sink->context, thread, irql, ev, file, line);
}

/* Why the target's last call failed, as the readers word it: a runtime
 * only fails for lack of memory. */
static inline void trace_failure(const struct trace_target *t, char *out, size_t size)
{
    if (t->rt)
        snprintf(out, size, "out of memory (%s)", ls_runtime_error(t->rt));
    else
        snprintf(out, size, "%s", t->sink->error ? t->sink->error(t->sink->context)
                                                 : "the event sink failed");
}

/* read(2) into p, at most n bytes, again after a signal unless *cancel
 * is set, but first the *head_len bytes at *head (taken before the reader
 * began; consumed here).  Returns the bytes read, 0 at the end, -1 (errno
 * set; ECANCELED when *cancel is set). */
static inline ssize_t trace_fill(const char **head, size_t *head_len, int fd, void *p,
                                 size_t n, const volatile sig_atomic_t *cancel)
{
    if (cancel && *cancel) {
        errno = ECANCELED;
        return -1;
    }
    if (*head_len) {
        size_t k = *head_len < n ? *head_len : n;
        memcpy(p, *head, k);
        *head += k;
        *head_len -= k;
        return (ssize_t)k;
    }
    ssize_t got;
    do
        got = read(fd, p, n);
    while (got < 0 && errno == EINTR && !(cancel && *cancel));
    if (got < 0 && errno == EINTR)
        errno = ECANCELED;
    return got;
}

/* The text for a failed trace_fill, into out (size bytes). */
static inline void trace_read_error(char *out, size_t size, const char *input)
{
    if (errno == ECANCELED)
        snprintf(out, size, "%s: interrupted", input);
    else
        snprintf(out, size, "%s: read error: %s", input, strerror(errno));
}

enum {
    TRACE_QUOTE_MAX = 40,           /* bytes of a token quoted in a message  */
    TRACE_QUOTE_SIZE = TRACE_QUOTE_MAX * 4 + 8
};

/* Writes n bytes at p into out (TRACE_QUOTE_SIZE bytes) as a message
 * quotes them: in single quotes; control bytes, DEL and bytes that are
 * not part of well-formed UTF-8 (and, for one character, every byte past
 * ASCII) as \xNN; at most TRACE_QUOTE_MAX bytes and then "...".
 * Returns out. */
static inline const char *trace_quote(char *out, const char *p, size_t n, int single_char)
{
    char *o = out;
    *o++ = '\'';
    for (size_t i = 0; i < n && i < TRACE_QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)p[i];
        unsigned char u[4] = { 0 };         /* never read past the n bytes */
        memcpy(u, p + i, n - i < 4 ? n - i : 4);
        int whole = c >= 0x80 && !single_char ? ls_utf8_length(u) : 0;
        if (whole && i + (size_t)whole <= TRACE_QUOTE_MAX) {
            memcpy(o, p + i, (size_t)whole);    /* a character, kept whole */
            o += whole;
            i += (size_t)whole - 1;
        } else if (c < 0x20 || c >= 0x7f) {
            o += sprintf(o, "\\x%02x", c);
        } else {
            *o++ = (char)c;
        }
    }
    if (n > TRACE_QUOTE_MAX)
        o += sprintf(o, "...");
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* ls_trace_read_text and ls_trace_read_binary to any target, the first
 * head_len bytes of the input being head (already read from fd). */
int trace_read_text(const struct trace_target *t, int fd, const char *input,
                    const char *head, size_t head_len, const struct ls_trace_options *opt,
                    struct ls_trace_result *res);
int trace_read_binary(const struct trace_target *t, int fd, const char *input,
                      const char *head, size_t head_len, const struct ls_trace_options *opt,
                      struct ls_trace_result *res);

#endif
