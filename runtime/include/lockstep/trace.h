/*
 * lockstep/trace.h — reading recorded traces into the runtime, and writing
 * them.
 *
 * The native text format is DESIGN section 7 (docs/trace-format.md): one
 * event per line,
 *     <seq> <thread> <irql|-> <entry|exit> <function> [<arg>...] [= <ret>] [@ <file>:<line>]
 * read in constant memory from a file or a pipe.  A malformed line is an
 * error naming file:line:column; with keep_going it is reported to the
 * error sink, counted and skipped instead.  The native binary format
 * (docs/trace-binary.md) carries exactly the same events, names defined
 * once and referred to by id, for reading several times faster.
 *
 * A reader delivers to a runtime or, for converters and other tools, to a
 * sink (struct ls_trace_sink) that has the runtime's shape; a writer
 * (struct ls_trace_writer) takes events of that same shape and writes
 * either format, so reader -> sink -> writer converts.
 */
#ifndef LOCKSTEP_TRACE_H
#define LOCKSTEP_TRACE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <lockstep/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A malformed line, or a malformed record of a binary trace: that has
 * no line, so line and column are 0, text is NULL and the message starts
 * with the record's byte offset ("offset 1234: thread id 9 is not
 * defined").  Valid during the sink call. */
struct ls_trace_problem {
    const char *input;              /* name given to the reader             */
    uint64_t line;                  /* 1-based                              */
    uint32_t column;                /* 1-based byte column                  */
    const char *message;            /* e.g. "expected 'entry' or 'exit'"    */
    const char *text;               /* the line (without newline), NULL if
                                       too long to keep                     */
};

typedef void (*ls_trace_problem_sink)(void *context, const struct ls_trace_problem *p);
typedef void (*ls_trace_progress)(void *context, uint64_t bytes, uint64_t events);

struct ls_trace_options {
    int keep_going;                 /* skip malformed lines (report each)   */
    ls_trace_problem_sink on_problem;
    ls_trace_progress on_progress;  /* called every few MB, may be NULL     */
    void *context;
    const volatile sig_atomic_t *cancel;  /* when set and *cancel becomes
                                       nonzero (a signal handler's flag),
                                       reading stops at the next read(2)
                                       with res->error "...: interrupted"  */
};

struct ls_trace_result {
    uint64_t bytes;                 /* bytes read                           */
    uint64_t lines;                 /* binary: records                      */
    uint64_t events;                /* events delivered to the runtime      */
    uint64_t malformed;             /* lines (records) skipped, keep_going  */
    char error[512];                /* why reading stopped, when it failed  */
};

/* Where a reader may deliver instead of a runtime: the runtime's own
 * interface as callbacks, so a host can convert, filter or collect events.
 * function and thread intern a name (length bytes, not NUL-terminated,
 * already checked against the format) and return its id, or UINT32_MAX
 * when they fail; the reader asks once per distinct name (a binary trace
 * that defines a name twice asks twice).  event takes an
 * event as ls_runtime_event does (ev->fn and thread are ids the sink gave;
 * file is NUL-terminated and valid until the read returns) and returns 0,
 * or -1 to stop the read.  After a failure, error(context) says why; the
 * reader puts that text in res->error. */
struct ls_trace_sink {
    uint32_t (*function)(void *context, const char *name, size_t length);
    uint32_t (*thread)(void *context, const char *name, size_t length);
    int (*event)(void *context, uint32_t thread, int irql, const struct ls_event *ev,
                 const char *file, uint32_t line);
    const char *(*error)(void *context);
    void *context;
};

/* Read a native text trace from fd (a file or a pipe) into rt; `input`
 * names it in messages.  Returns 0 when the whole trace was read, -1 when
 * reading stopped (a malformed line without keep_going, an I/O error, out
 * of memory): res->error then says why, with input:line:column. */
int ls_trace_read_text(struct ls_runtime *rt, int fd, const char *input,
                       const struct ls_trace_options *opt,
                       struct ls_trace_result *res);

/* Read a native binary trace (docs/trace-binary.md) from fd into rt; the
 * same contract as ls_trace_read_text, with positions given as byte
 * offsets ("input: offset N: message"). */
int ls_trace_read_binary(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt,
                         struct ls_trace_result *res);

/* Read a native trace, text or binary as its first bytes show. */
int ls_trace_read(struct ls_runtime *rt, int fd, const char *input,
                  const struct ls_trace_options *opt, struct ls_trace_result *res);

/* ls_trace_read into a sink instead of a runtime. */
int ls_trace_read_to(const struct ls_trace_sink *sink, int fd, const char *input,
                     const struct ls_trace_options *opt, struct ls_trace_result *res);

/* Read the output of ltrace (docs/ltrace.md): `-f` pids, `-t`/`-tt`/`-ttt`
 * timestamps, `<unfinished ...>` / `<... resumed>` pairs and `+++ exited`
 * lines become events of the runtime, one thread per pid.  The same
 * contract as ls_trace_read_text. */
int ls_trace_read_ltrace(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt,
                         struct ls_trace_result *res);

/* ---- writing ---------------------------------------------------------------
 * A writer turns events of the runtime's shape into a native trace on a
 * descriptor, buffered, in constant memory (plus the distinct names).  It
 * checks what it is given (names against the format, event numbers
 * strictly increasing, ids it handed out, IRQL, argument count), so what
 * it writes always reads back; the first failure sticks: every later call
 * fails too, and ls_trace_writer_error says why. */
enum ls_trace_format {
    LS_TRACE_TEXT,                  /* docs/trace-format.md                 */
    LS_TRACE_BINARY                 /* docs/trace-binary.md                 */
};

struct ls_trace_writer;

/* A writer of the given format to fd, which it writes to but never
 * closes; NULL when out of memory. */
struct ls_trace_writer *ls_trace_writer_open(int fd, enum ls_trace_format format);

/* Intern a function or thread name (length bytes, not NUL-terminated) as
 * ls_runtime_function does: the same name gives the same id.  UINT32_MAX
 * when the name is not valid in the format or writing failed. */
uint32_t ls_trace_writer_function(struct ls_trace_writer *w, const char *name, size_t length);
uint32_t ls_trace_writer_thread(struct ls_trace_writer *w, const char *name, size_t length);

/* Write one event: thread and ev->fn are ids from this writer, irql 0..31
 * or LS_IRQL_UNKNOWN, ev->seq greater than the last event's; file NULL or
 * a NUL-terminated file name with its line.  Returns 0 or -1. */
int ls_trace_writer_event(struct ls_trace_writer *w, uint32_t thread, int irql,
                          const struct ls_event *ev, const char *file, uint32_t line);

/* Ends the trace (the binary format's end marker) and writes out what is
 * buffered.  Returns 0, or -1: the output is incomplete. */
int ls_trace_writer_finish(struct ls_trace_writer *w);

/* Why the last call failed. */
const char *ls_trace_writer_error(const struct ls_trace_writer *w);

/* Frees the writer; without ls_trace_writer_finish, buffered output is
 * dropped. */
void ls_trace_writer_free(struct ls_trace_writer *w);

/* Fills *sink so that a reader delivers into w (for ls_trace_read_to). */
void ls_trace_writer_sink(struct ls_trace_writer *w, struct ls_trace_sink *sink);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_TRACE_H */
