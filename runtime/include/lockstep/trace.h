/*
 * lockstep/trace.h — reading recorded traces into the runtime.
 *
 * The native text format is DESIGN section 7 (docs/trace-format.md): one
 * event per line,
 *     <seq> <thread> <irql|-> <entry|exit> <function> [<arg>...] [= <ret>] [@ <file>:<line>]
 * read in constant memory from a file or a pipe.  A malformed line is an
 * error naming file:line:column; with keep_going it is reported to the
 * error sink, counted and skipped instead.
 */
#ifndef LOCKSTEP_TRACE_H
#define LOCKSTEP_TRACE_H

#include <stdint.h>

#include <lockstep/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A malformed line.  Valid during the sink call. */
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
};

struct ls_trace_result {
    uint64_t bytes;                 /* bytes read                           */
    uint64_t lines;
    uint64_t events;                /* events delivered to the runtime      */
    uint64_t malformed;             /* lines skipped (keep_going)           */
    char error[512];                /* why reading stopped, when it failed  */
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

/* Read the output of ltrace (docs/ltrace.md): `-f` pids, `-t`/`-tt`/`-ttt`
 * timestamps, `<unfinished ...>` / `<... resumed>` pairs and `+++ exited`
 * lines become events of the runtime, one thread per pid.  The same
 * contract as ls_trace_read_text. */
int ls_trace_read_ltrace(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt,
                         struct ls_trace_result *res);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_TRACE_H */
