/*
 * test_text.c — the native text trace reader (runtime/sources/trace/text.c)
 * through the real runtime and the shipped rules.
 *
 * The reader's output is observed where a user sees it: each event that
 * breaks a rule comes back as a violation carrying the parsed event
 * (sequence number, thread, function, arguments, return value, location,
 * and in its trail the IRQL the rule saw), and every malformed line as an
 * error or, with keep_going, a problem.  Most inputs therefore release
 * in-stack queued lock handles never acquired, which QueuedSpinLockRelease
 * reports event by event.
 *
 * Every input also goes through two other builds of the reader (without
 * SSE2, and without any word-at-a-time code: text_words.c, text_bytes.c),
 * which must produce exactly the same outcome; a randomized section
 * mutates valid lines byte by byte to compare them on malformed input.
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

typedef int (*reader_fn)(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt, struct ls_trace_result *res);
int ls_trace_read_text_words(struct ls_runtime *rt, int fd, const char *input,
                             const struct ls_trace_options *opt, struct ls_trace_result *res);
int ls_trace_read_text_bytes(struct ls_runtime *rt, int fd, const char *input,
                             const struct ls_trace_options *opt, struct ls_trace_result *res);

static const struct {
    const char *name;
    reader_fn read;
} builds[] = {
    { "product", ls_trace_read_text },
    { "words", ls_trace_read_text_words },
    { "bytes", ls_trace_read_text_bytes },
};

/* ---- what one read produced ------------------------------------------------ */

struct outcome {
    int rc;
    struct ls_trace_result res;
    char *log;                      /* a line per violation and per problem */
    size_t len, cap;
    unsigned violations, problems, progress_calls;
    uint64_t progress_bytes;
    struct ls_runtime *rt;
};

static void say(struct outcome *o, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(o->log + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        o->cap = o->cap * 2 + (size_t)n + 256;
        o->log = realloc(o->log, o->cap);
        if (!o->log)
            abort();
    }
}

static void on_violation(void *context, const struct ls_violation *v)
{
    struct outcome *o = context;
    const struct ls_event *ev = v->event;
    o->violations++;
    say(o, "V %" PRIu64 " %s %s %s %s irql=%d args=", ev->seq, v->module->name,
        ls_runtime_thread_name(o->rt, v->thread), ls_runtime_function_name(o->rt, ev->fn),
        ev->when == LS_EXIT ? "exit" : "entry",
        v->trail_length ? v->trail[v->trail_length - 1].irql : -1);
    for (unsigned i = 0; i < ev->nargs; i++)
        say(o, "%s%" PRId64, i ? "," : "", ev->args[i]);
    if (ev->flags & LS_EVENT_HAS_RETURN)
        say(o, " ret=%" PRId64, ev->ret);
    if (v->file)
        say(o, " at=%s:%u", v->file, v->line);
    say(o, "\n");
}

static void on_problem(void *context, const struct ls_trace_problem *p)
{
    struct outcome *o = context;
    o->problems++;
    say(o, "P %s:%" PRIu64 ":%u: %s | %s\n", p->input, p->line, p->column, p->message,
        p->text ? p->text : "(no text)");
}

static void on_progress(void *context, uint64_t bytes, uint64_t events)
{
    struct outcome *o = context;
    (void)events;
    if (bytes <= o->progress_bytes)
        o->progress_calls += 1000;  /* not increasing: fails the check */
    o->progress_calls++;
    o->progress_bytes = bytes;
}

static void outcome_free(struct outcome *o)
{
    free(o->log);
    memset(o, 0, sizeof *o);
}

/* A runtime with every shipped rule, HW_STARTIO played by AhciHwStartIo. */
static struct ls_runtime *new_runtime(struct outcome *o)
{
    struct ls_runtime *rt = ls_runtime_new();
    if (!rt)
        abort();
    for (int i = 0; ls_shipped_rules[i]; i++)
        if (ls_runtime_add_rule(rt, ls_shipped_rules[i]) < 0)
            abort();
    ls_runtime_map_role(rt, "HW_STARTIO", "AhciHwStartIo");
    ls_runtime_set_sinks(rt, on_violation, NULL, o);
    o->rt = rt;
    return rt;
}

/* Reads fd with one build into a fresh runtime; fills o. */
static void run_fd(reader_fn read_fn, int fd, int keep_going, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    say(o, "%s", "");
    struct ls_runtime *rt = new_runtime(o);
    struct ls_trace_options opt = { keep_going, on_problem, on_progress, o, NULL };
    o->rc = read_fn(rt, fd, "t", &opt, &o->res);
    ls_runtime_free(rt);
    o->rt = NULL;
}

/* A file holding the n bytes of text; its descriptor, at offset 0. */
static int temp_file(const char *text, size_t n)
{
    char path[] = "/tmp/lockstep-test-text-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    unlink(path);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, text + done, n - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void run_with(reader_fn read_fn, const char *text, size_t n, int keep_going,
                     struct outcome *o)
{
    int fd = temp_file(text, n);
    run_fd(read_fn, fd, keep_going, o);
    close(fd);
}

static int same_outcome(const struct outcome *a, const struct outcome *b)
{
    return a->rc == b->rc && strcmp(a->res.error, b->res.error) == 0 &&
           a->res.bytes == b->res.bytes && a->res.lines == b->res.lines &&
           a->res.events == b->res.events && a->res.malformed == b->res.malformed &&
           strcmp(a->log, b->log) == 0;
}

static int differences;

/* Reads text with every build; checks they agree; o gets the product's
 * outcome. */
static void run_n(const char *text, size_t n, int keep_going, struct outcome *o)
{
    run_with(builds[0].read, text, n, keep_going, o);
    for (size_t i = 1; i < sizeof builds / sizeof builds[0]; i++) {
        struct outcome other;
        run_with(builds[i].read, text, n, keep_going, &other);
        if (!same_outcome(o, &other) && differences++ < 3) {
            printf("build '%s' differs on input:\n%.*s\n--- product: rc %d [%s]\n%s"
                   "--- %s: rc %d [%s]\n%s", builds[i].name, (int)(n > 2000 ? 2000 : n),
                   text, o->rc, o->res.error, o->log, builds[i].name, other.rc,
                   other.res.error, other.log);
        }
        CHECK(same_outcome(o, &other));
        outcome_free(&other);
    }
}

static void run(const char *text, int keep_going, struct outcome *o)
{
    run_n(text, strlen(text), keep_going, o);
}

/* text must stop with exactly this error; with keep_going, the same
 * message comes to the problem sink and the line is skipped. */
static void check_error_at(const char *text, const char *error, int line)
{
    struct outcome o;
    run(text, 0, &o);
    CHECK(o.rc == -1);
    CHECK_STR(o.res.error, error);
    outcome_free(&o);

    run(text, 1, &o);
    CHECK(o.rc == 0);
    CHECK(o.res.malformed == 1);
    CHECK(o.problems == 1);
    const char *bar = strstr(o.log, " | ");
    char want[600];
    snprintf(want, sizeof want, "P %s", error);
    CHECK(bar && strncmp(o.log, want, strlen(want)) == 0 && (size_t)(bar - o.log) == strlen(want));
    char prefix[32];
    snprintf(prefix, sizeof prefix, "P t:%d:", line);
    CHECK(strncmp(o.log, prefix, strlen(prefix)) == 0);
    outcome_free(&o);
}

#define check_error(text, error) check_error_at(text, error, 0 + atoi((error) + 2))

/* ---- valid input -------------------------------------------------------------- */

static void test_design_example(void)
{
    const char *text =
        "# lockstep-trace 1\n"
        "1 cpu0 0 entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000\n"
        "2 cpu0 2 exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000\n"
        "3 cpu0 2 entry KeReleaseSpinLock 0xffffa0010000 0 @ miniport.c:212\n"
        "4 cpu0 0 exit KeReleaseSpinLock 0xffffa0010000 0\n"
        "5 cpu1 - entry KeReleaseInStackQueuedSpinLock 0xffffa0030000\n";
    struct outcome o;
    run(text, 0, &o);
    CHECK(o.rc == 0);
    CHECK_STR(o.res.error, "");
    CHECK(o.res.lines == 6);
    CHECK(o.res.events == 5);
    CHECK(o.res.malformed == 0);
    CHECK(o.res.bytes == strlen(text));
    CHECK_STR(o.log, "V 5 QueuedSpinLockRelease cpu1 KeReleaseInStackQueuedSpinLock entry "
                     "irql=0 args=281473366294528\n");
    outcome_free(&o);

    /* the same through ls_runtime_stats */
    struct ls_runtime *rt = new_runtime(&o);
    say(&o, "%s", "");
    int fd = temp_file(text, strlen(text));
    struct ls_trace_result res;
    CHECK(ls_trace_read_text(rt, fd, "t", NULL, &res) == 0);
    close(fd);
    for (uint32_t i = 0; i < ls_runtime_rule_count(rt); i++) {
        const struct ls_rule_stats *st = ls_runtime_stats(rt, i);
        int is_qslr = strcmp(ls_runtime_rule(rt, i)->name, "QueuedSpinLockRelease") == 0;
        CHECK(st && st->violations == (uint64_t)is_qslr);
    }
    ls_runtime_free(rt);
    outcome_free(&o);
}

static void test_fields(void)
{
    struct outcome o;
    /* sixteen arguments: the extremes of both bases, leading zeros,
     * either case of hex digits; blanks of every kind */
    run("1\tcpu0.1:a-b_c  31 entry\t KeReleaseInStackQueuedSpinLock 0x1 -1 0 "
        "9223372036854775807 -9223372036854775808 0xffffffffffffffff 0x8000000000000000 "
        "0xDeadBeef 0x00000000000000000000001 000000000000000000000042 -0 0x0 "
        "0x7FFFFFFFFFFFFFFF 18 0xabcdef012345 99 \r\n", 0, &o);
    CHECK(o.rc == 0 && o.res.events == 1);
    CHECK_STR(o.log, "V 1 QueuedSpinLockRelease cpu0.1:a-b_c KeReleaseInStackQueuedSpinLock "
                     "entry irql=31 args=1,-1,0,9223372036854775807,-9223372036854775808,-1,"
                     "-9223372036854775808,3735928559,1,42,0,0,9223372036854775807,18,"
                     "188900966474565,99\n");
    outcome_free(&o);

    /* return value and location; an exit event; IRQL unknown: the model's */
    run("1 cpu0 - entry KeAcquireSpinLock 0x10 0x20\n"
        "2 cpu0 - exit KeAcquireSpinLock 0x10 0x20\n"
        "3 cpu0 - exit AhciHwStartIo 0xa 0xb = -5 @ C:\\src\\ahci.c:4294967295\n", 0, &o);
    CHECK(o.rc == 0 && o.res.events == 3);
    CHECK_STR(o.log, "V 3 SpinLock cpu0 AhciHwStartIo exit irql=2 args=10,11 ret=-5 "
                     "at=C:\\src\\ahci.c:4294967295\n");
    outcome_free(&o);

    /* a return value in hex, a location without a return value, recorded
     * IRQLs both checked by IrqlKeReleaseSpinLock */
    run("10 cpu7 5 entry KeReleaseSpinLock 0x10 0 @ a.c:1\n"
        "20 cpu7 2 exit KeRaiseIrql 2 0x40 = 0xffffffffffffffff\n"
        "30 cpu8 2 entry KeReleaseInStackQueuedSpinLock 0x50 = 0x7 @ dir/b.c:77\n", 0, &o);
    CHECK(o.rc == 0 && o.res.events == 3);
    CHECK_STR(o.log,
              "V 10 IrqlKeReleaseSpinLock cpu7 KeReleaseSpinLock entry irql=5 args=16,0 at=a.c:1\n"
              "V 10 SpinLockRelease cpu7 KeReleaseSpinLock entry irql=5 args=16,0 at=a.c:1\n"
              "V 30 QueuedSpinLockRelease cpu8 KeReleaseInStackQueuedSpinLock entry irql=2 "
              "args=80 ret=7 at=dir/b.c:77\n");
    outcome_free(&o);

    /* a function with no arguments, a name of one character, seq 0 first */
    run("0 c 0 entry F\n1 c 0 exit F = 1\n2 c 0 entry KeReleaseInStackQueuedSpinLock 0x1\n",
        0, &o);
    CHECK(o.rc == 0 && o.res.events == 3 && o.violations == 1);
    outcome_free(&o);
}

static void test_layout(void)
{
    struct outcome a, b;
    const char *lf =
        "# lockstep-trace 1\n"
        "\n"
        "1 cpu0 0 entry KeReleaseInStackQueuedSpinLock 0x30 @ x.c:5\n"
        "   # an indented comment\n"
        "  \t \n"
        "\t2 cpu1 0 exit KeReleaseInStackQueuedSpinLock 0x31 = 0\n"
        "3 cpu1 0 entry KeReleaseInStackQueuedSpinLock 0x32   \n"
        "# a comment: 4 cpu0 bogus\n"
        "5 cpu0 0 entry KeReleaseInStackQueuedSpinLock 0x33\n";
    run(lf, 0, &a);
    CHECK(a.rc == 0 && a.res.events == 4 && a.res.lines == 9 && a.violations == 3);

    /* CRLF reads the same */
    char crlf[1000], *c = crlf;
    for (const char *p = lf; *p; p++) {
        if (*p == '\n')
            *c++ = '\r';
        *c++ = *p;
    }
    *c = '\0';
    run(crlf, 0, &b);
    CHECK(b.rc == 0);
    CHECK_STR(b.log, a.log);
    CHECK(b.res.events == a.res.events && b.res.lines == a.res.lines);
    outcome_free(&b);

    /* no final newline: the last line counts */
    char cut[1000];
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(lf) - 1, lf);
    run(cut, 0, &b);
    CHECK(b.rc == 0);
    CHECK_STR(b.log, a.log);
    CHECK(b.res.events == 4 && b.res.lines == 9);
    outcome_free(&b);

    /* no final newline after CRLF lines */
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(crlf) - 2, crlf);
    run(cut, 0, &b);
    CHECK(b.rc == 0 && b.res.events == 4);
    CHECK_STR(b.log, a.log);
    outcome_free(&b);

    /* a UTF-8 byte order mark before the header */
    snprintf(cut, sizeof cut, "\xef\xbb\xbf%s", lf);
    run(cut, 0, &b);
    CHECK(b.rc == 0 && b.res.events == 4);
    CHECK_STR(b.log, a.log);
    outcome_free(&b);
    outcome_free(&a);

    /* empty input, and input with no events */
    run("", 0, &a);
    CHECK(a.rc == 0 && a.res.lines == 0 && a.res.events == 0 && a.res.bytes == 0);
    outcome_free(&a);
    run("\n\n# nothing\n   ", 0, &a);
    CHECK(a.rc == 0 && a.res.lines == 4 && a.res.events == 0);
    outcome_free(&a);

    /* no header; a header with a comment after the version; leading zeros;
     * a lockstep-trace line after the first is a comment */
    run("1 c 0 entry F\n", 0, &a);
    CHECK(a.rc == 0 && a.res.events == 1);
    outcome_free(&a);
    run("#lockstep-trace   001  written by hand\n1 c 0 entry F\n# lockstep-trace 9\n", 0, &a);
    CHECK(a.rc == 0 && a.res.events == 1);
    outcome_free(&a);
    run("# lockstep-traces 2\n1 c 0 entry F\n", 0, &a);
    CHECK(a.rc == 0 && a.res.events == 1);
    outcome_free(&a);
}

/* ---- errors ------------------------------------------------------------------- */

static void test_errors(void)
{
    check_error("x1 cpu0 0 entry F\n", "t:1:1: expected an event number, found 'x1'");
    check_error("1 cpu0 0 entry F\n-2 cpu0 0 entry F\n",
                "t:2:1: expected an event number, found '-2'");
    check_error("12a cpu0 0 entry F\n", "t:1:1: expected an event number, found '12a'");
    check_error("18446744073709551616 cpu0 0 entry F\n",
                "t:1:1: event number '18446744073709551616' does not fit in 64 bits");
    check_error("7 cpu0 0 entry F\n5 cpu0 0 entry F\n",
                "t:2:1: event number 5 is not greater than the previous one (7)");
    check_error("7 cpu0 0 entry F\n  7 cpu0 0 entry F\n",
                "t:2:3: event number 7 is not greater than the previous one (7)");
    check_error("1\n", "t:1:2: expected a thread name, found the end of the line");
    check_error("1 cpu#0 0 entry F\n",
                "t:1:6: invalid character '#' in thread name 'cpu#0'");
    check_error("1 #cpu0 0 entry F\n", "t:1:3: expected a thread name, found '#cpu0'");
    check_error("1 cpu\x01" "0 0 entry F\n",
                "t:1:6: invalid character '\\x01' in thread name 'cpu\\x010'");
    check_error("1 cpu\xc3\xa9 0 entry F\n",
                "t:1:6: invalid character '\\xc3' in thread name 'cpu\xc3\xa9'");
    check_error("1 cpu0 32 entry F\n",
                "t:1:8: expected an IRQL (0 to 31, or '-'), found '32'");
    check_error("1 cpu0 x entry F\n",
                "t:1:8: expected an IRQL (0 to 31, or '-'), found 'x'");
    check_error("1 cpu0 002 entry F\n",
                "t:1:8: expected an IRQL (0 to 31, or '-'), found '002'");
    check_error("1 cpu0 --\n", "t:1:8: expected an IRQL (0 to 31, or '-'), found '--'");
    check_error("1 cpu0\n", "t:1:7: expected an IRQL (0 to 31, or '-'), found the end of the line");
    check_error("1 cpu0 0 entri F\n", "t:1:10: expected 'entry' or 'exit', found 'entri'");
    check_error("1 cpu0 0 Entry F\n", "t:1:10: expected 'entry' or 'exit', found 'Entry'");
    check_error("1 cpu0 0 exits F\n", "t:1:10: expected 'entry' or 'exit', found 'exits'");
    check_error("1 cpu0 0 entry 3Foo\n",
                "t:1:16: expected a function name (a C identifier), found '3Foo'");
    check_error("1 cpu0 0 entry Foo-bar 1\n",
                "t:1:19: invalid character '-' in function name 'Foo-bar'");
    check_error("1 cpu0 0 entry\n",
                "t:1:15: expected a function name (a C identifier), found the end of the line");
    check_error("1 cpu0 0 entry F 9223372036854775808\n",
                "t:1:18: argument '9223372036854775808' does not fit in 64 bits");
    check_error("1 cpu0 0 entry F 1 -9223372036854775809\n",
                "t:1:20: argument '-9223372036854775809' does not fit in 64 bits");
    check_error("1 cpu0 0 entry F 0x10000000000000000\n",
                "t:1:18: argument '0x10000000000000000' does not fit in 64 bits");
    check_error("1 cpu0 0 entry F 99999999999999999999999\n",
                "t:1:18: argument '99999999999999999999999' does not fit in 64 bits");
    check_error("1 cpu0 0 entry F 0x\n",
                "t:1:18: expected an integer argument, '=' or '@', found '0x'");
    check_error("1 cpu0 0 entry F 0X10\n",
                "t:1:18: expected an integer argument, '=' or '@', found '0X10'");
    check_error("1 cpu0 0 entry F -0x10\n",
                "t:1:18: expected an integer argument, '=' or '@', found '-0x10'");
    check_error("1 cpu0 0 entry F 0x12g4\n",
                "t:1:18: expected an integer argument, '=' or '@', found '0x12g4'");
    check_error("1 cpu0 0 entry F 12 - 3\n",
                "t:1:21: expected an integer argument, '=' or '@', found '-'");
    check_error("1 cpu0 0 entry F 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
                "t:1:57: more than 16 arguments");
    check_error("1 cpu0 0 exit F 1 =\n",
                "t:1:20: expected a return value after '=', found the end of the line");
    check_error("1 cpu0 0 exit F 1 = \n",
                "t:1:21: expected a return value after '=', found the end of the line");
    check_error("1 cpu0 0 exit F =5\n", "t:1:18: expected a blank after '=', found '5'");
    check_error("1 cpu0 0 exit F = x\n",
                "t:1:19: expected a return value after '=', found 'x'");
    check_error("1 cpu0 0 exit F = 0x1ffffffffffffffff\n",
                "t:1:19: return value '0x1ffffffffffffffff' does not fit in 64 bits");
    check_error("1 cpu0 0 exit F = 1 2\n",
                "t:1:21: expected '@' or the end of the line after the return value, found '2'");
    check_error("1 cpu0 0 exit F = 1 = 2\n",
                "t:1:21: expected '@' or the end of the line after the return value, found '='");
    check_error("1 cpu0 0 entry F @ foo.c\n",
                "t:1:20: expected '<file>:<line>' after '@', found 'foo.c'");
    check_error("1 cpu0 0 entry F @\n",
                "t:1:19: expected '<file>:<line>' after '@', found the end of the line");
    check_error("1 cpu0 0 entry F @foo.c:1\n", "t:1:19: expected a blank after '@', found 'f'");
    check_error("1 cpu0 0 entry F @ :12\n",
                "t:1:20: expected '<file>:<line>' after '@', found ':12'");
    check_error("1 cpu0 0 entry F @ foo.c:\n",
                "t:1:26: expected a line number after ':', found the end of the line");
    check_error("1 cpu0 0 entry F @ foo.c: 12\n",
                "t:1:26: expected a line number after ':', found a blank");
    check_error("1 cpu0 0 entry F @ foo.c:12x\n",
                "t:1:26: expected a line number after ':', found '12x'");
    check_error("1 cpu0 0 entry F @ foo.c:4294967296\n",
                "t:1:26: line number '4294967296' does not fit in 32 bits");
    check_error("1 cpu0 0 entry F @ foo.c:12 xyz\n",
                "t:1:29: expected the end of the line after the location, found 'xyz'");
    check_error("1 cpu0 0 entry F @ a.c:1 @ b.c:2\n",
                "t:1:26: expected the end of the line after the location, found '@'");
    check_error("1 cpu0 0 entry F @ a\x02.c:1\n", "t:1:21: invalid character '\\x02' in file name");
    check_error("1 cpu0 0 entry F @ caf\xc3\xa9\xff.c:1\n", "t:1:25: invalid UTF-8 in file name");
    check_error("1 cpu0 0 entry F @ \xed\xa0\x80.c:1\n", "t:1:20: invalid UTF-8 in file name");
    check_error("# caf\xc3\n1 cpu0 0 entry F\n", "t:1:6: invalid UTF-8 in comment");
    check_error("# lockstep-trace 1\n#\xc0\xaf overlong\n", "t:2:2: invalid UTF-8 in comment");
    check_error("1 cpu0 0 entry F 1\x7f\n",
                "t:1:18: expected an integer argument, '=' or '@', found '1\\x7f'");

    /* a NUL byte, and a long token quoted short */
    {
        static const char text[] = "1 cpu0 0 entry F 1\0002\n";
        struct outcome o;
        run_n(text, sizeof text - 1, 0, &o);
        CHECK_STR(o.res.error, "t:1:18: expected an integer argument, '=' or '@', found '1\\x002'");
        outcome_free(&o);
    }
    check_error("1 cpu0 0 entry F 0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
                "t:1:18: argument '0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' does not fit in "
                "64 bits");

    /* the header: version 1 or nothing; a bad version stops even with
     * keep_going */
    struct outcome o;
    const char *v2 = "# lockstep-trace 2\n1 c 0 entry F\n";
    run(v2, 0, &o);
    CHECK(o.rc == -1);
    CHECK_STR(o.res.error, "t:1:18: unsupported trace format version 2");
    outcome_free(&o);
    run(v2, 1, &o);
    CHECK(o.rc == -1 && o.res.events == 0);
    CHECK_STR(o.res.error, "t:1:18: unsupported trace format version 2");
    outcome_free(&o);
    run("# lockstep-trace 0010\n", 0, &o);
    CHECK_STR(o.res.error, "t:1:18: unsupported trace format version 10");
    outcome_free(&o);
    run("# lockstep-trace 1.5\n", 0, &o);
    CHECK_STR(o.res.error, "t:1:18: unsupported trace format version '1.5'");
    outcome_free(&o);
    run("# lockstep-trace\n", 0, &o);
    CHECK_STR(o.res.error, "t:1:17: expected the format version after 'lockstep-trace', "
                           "found the end of the line");
    outcome_free(&o);
    run("\xef\xbb\xbf# lockstep-trace 3\r\n", 0, &o);
    CHECK_STR(o.res.error, "t:1:18: unsupported trace format version 3");
    outcome_free(&o);

    /* errors on CRLF lines: the text given to the sink has no '\r' */
    run("1 c 0 entry F\r\n2 c 0 entry F 0xz\r\n3 c 0 entry F\r\n", 1, &o);
    CHECK(o.rc == 0 && o.res.events == 2 && o.res.malformed == 1);
    CHECK_STR(o.log, "P t:2:15: expected an integer argument, '=' or '@', found '0xz' | "
                     "2 c 0 entry F 0xz\n");
    outcome_free(&o);
}

/* A file cut short: a last line that is complete counts (a cut that
 * leaves a shorter valid line cannot be told from one); a line cut in the
 * middle of a token is an error with its position. */
static void test_truncated(void)
{
    const char *whole = "1 c 0 entry KeReleaseInStackQueuedSpinLock 0xffffa0030000 = 0x1 @ a.c:12\n";
    size_t n = strlen(whole);
    struct outcome o;
    for (size_t cut = 1; cut < n; cut++) {
        run_n(whole, cut, 0, &o);
        if (o.rc == 0) {            /* cut in the function name: a shorter name */
            CHECK(o.res.events == 1 && o.violations == (cut >= 42));
        } else {
            unsigned column = 0;
            CHECK(sscanf(o.res.error, "t:1:%u:", &column) == 1 && column >= 1 && column <= cut + 1);
        }
        outcome_free(&o);
    }
    run_n(whole, 42, 0, &o);        /* after the function name */
    CHECK(o.rc == 0 && o.res.events == 1);
    outcome_free(&o);
    run_n(whole, 45, 0, &o);        /* "0x" */
    CHECK_STR(o.res.error, "t:1:44: expected an integer argument, '=' or '@', found '0x'");
    outcome_free(&o);
    run_n(whole, 46, 0, &o);        /* "0xf": a shorter number, undetectable */
    CHECK(o.rc == 0);
    CHECK_STR(o.log, "V 1 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 "
                     "args=15\n");
    outcome_free(&o);
    check_error_at("1 c 0 entry F\n2 cpu0 2 ent", "t:2:10: expected 'entry' or 'exit', found 'ent'", 2);
    run("1 c 0 entry F\n2 c 0 exit F =", 0, &o);
    CHECK_STR(o.res.error, "t:2:15: expected a return value after '=', found the end of the line");
    outcome_free(&o);
    run("1 c 0 entry F\n2 c 0 entry F @ a.c:", 0, &o);
    CHECK_STR(o.res.error, "t:2:21: expected a line number after ':', found the end of the line");
    outcome_free(&o);
    run("1 c 0 entry F\n2 c", 0, &o);
    CHECK_STR(o.res.error, "t:2:4: expected an IRQL (0 to 31, or '-'), found the end of the line");
    outcome_free(&o);
}

static void test_keep_going(void)
{
    const char *text =
        "1 c 0 entry KeReleaseInStackQueuedSpinLock 0x1\n"
        "2 c 0 entri KeReleaseInStackQueuedSpinLock 0x2\n"
        "3 c 0 entry KeReleaseInStackQueuedSpinLock 0x3\n"
        "3 c 0 entry KeReleaseInStackQueuedSpinLock 0x4\n"
        "bad line\n"
        "4 c 99 entry KeReleaseInStackQueuedSpinLock 0x5\n"
        "5 c 0 entry KeReleaseInStackQueuedSpinLock 0x6";
    struct outcome o;
    run(text, 0, &o);
    CHECK(o.rc == -1 && o.res.events == 1 && o.res.lines == 2);
    CHECK_STR(o.res.error, "t:2:7: expected 'entry' or 'exit', found 'entri'");
    outcome_free(&o);

    run(text, 1, &o);
    CHECK(o.rc == 0);
    CHECK_STR(o.res.error, "");
    CHECK(o.res.lines == 7 && o.res.events == 3 && o.res.malformed == 4);
    CHECK_STR(o.log,
              "V 1 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 args=1\n"
              "P t:2:7: expected 'entry' or 'exit', found 'entri' | "
              "2 c 0 entri KeReleaseInStackQueuedSpinLock 0x2\n"
              "V 3 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 args=3\n"
              "P t:4:1: event number 3 is not greater than the previous one (3) | "
              "3 c 0 entry KeReleaseInStackQueuedSpinLock 0x4\n"
              "P t:5:1: expected an event number, found 'bad' | bad line\n"
              "P t:6:5: expected an IRQL (0 to 31, or '-'), found '99' | "
              "4 c 99 entry KeReleaseInStackQueuedSpinLock 0x5\n"
              "V 5 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 args=6\n");
    outcome_free(&o);

    /* keep_going without a sink still counts */
    struct ls_runtime *rt = new_runtime(&o);
    say(&o, "%s", "");
    int fd = temp_file(text, strlen(text));
    struct ls_trace_options opt = { 1, NULL, NULL, NULL, NULL };
    struct ls_trace_result res;
    CHECK(ls_trace_read_text(rt, fd, "t", &opt, &res) == 0 && res.malformed == 4);
    close(fd);
    ls_runtime_free(rt);
    outcome_free(&o);
}

/* A cancel flag already set (a signal arrived) stops every reader before
 * its first read, with "input: interrupted"; a clear one changes nothing. */
static void test_cancel(void)
{
    static const char text[] = "1 c 0 entry KeReleaseInStackQueuedSpinLock 0x1\n";
    int (*const readers[])(struct ls_runtime *, int, const char *,
                           const struct ls_trace_options *, struct ls_trace_result *) = {
        ls_trace_read_text, ls_trace_read, ls_trace_read_binary, ls_trace_read_ltrace,
    };
    volatile sig_atomic_t flag = 1;
    struct ls_trace_options opt = { 0, NULL, NULL, NULL, &flag };
    struct ls_trace_result res;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        struct ls_runtime *rt = ls_runtime_new();
        int fd = temp_file(text, strlen(text));
        flag = 1;
        CHECK(readers[i](rt, fd, "t", &opt, &res) == -1);
        CHECK_STR(res.error, "t: interrupted");
        CHECK(res.events == 0);
        close(fd);
        ls_runtime_free(rt);
    }
    struct ls_runtime *rt = ls_runtime_new();
    int fd = temp_file(text, strlen(text));
    flag = 0;
    CHECK(ls_trace_read_text(rt, fd, "t", &opt, &res) == 0 && res.events == 1);
    close(fd);
    ls_runtime_free(rt);
}

/* A line longer than the reader's buffer (1 MiB): an error, or skipped. */
static void test_long_line(void)
{
    size_t n = 5u << 20;
    char *text = malloc(n + 200);
    size_t len = (size_t)sprintf(text, "1 c 0 entry KeReleaseInStackQueuedSpinLock 0x1\n"
                                       "2 c 0 entry F");
    while (len < n)
        len += (size_t)sprintf(text + len, " 1");
    len += (size_t)sprintf(text + len, "\n3 c 0 entry KeReleaseInStackQueuedSpinLock 0x3\n");
    struct outcome o;
    run_n(text, len, 0, &o);
    CHECK(o.rc == -1 && o.res.events == 1);
    CHECK_STR(o.res.error, "t:2:1048577: line longer than 1048576 bytes");
    outcome_free(&o);
    run_n(text, len, 1, &o);
    CHECK(o.rc == 0 && o.res.events == 2 && o.res.malformed == 1 && o.res.lines == 3);
    CHECK_STR(o.log,
              "V 1 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 args=1\n"
              "P t:2:1048577: line longer than 1048576 bytes | (no text)\n"
              "V 3 QueuedSpinLockRelease c KeReleaseInStackQueuedSpinLock entry irql=0 args=3\n");
    outcome_free(&o);

    /* a line of exactly 1 MiB fits (with or without its newline, and
     * keeps its 1 MB file name); one byte more does not */
    for (int extra = 0; extra < 2; extra++)
        for (int newline = 0; newline < 2; newline++) {
            len = (size_t)sprintf(text, "1 c 0 entry KeReleaseInStackQueuedSpinLock 0x1 @ ");
            while (len < (1u << 20) + (size_t)extra - 4)
                text[len++] = 'a';
            len += (size_t)sprintf(text + len, ".c:7%s", newline ? "\n" : "");
            run_n(text, len, 0, &o);
            if (extra) {
                CHECK_STR(o.res.error, "t:1:1048577: line longer than 1048576 bytes");
            } else {
                CHECK(o.rc == 0 && o.violations == 1);
                CHECK(strstr(o.log, "aaaa.c:7\n") != NULL);
            }
            outcome_free(&o);
        }
    free(text);
}

/* Many lines: lines straddle the buffer's refills; progress is reported
 * every 16 MB. */
static char *many_lines(size_t target, size_t *len)
{
    char *text = malloc(target + 200);
    size_t n = (size_t)sprintf(text, "# lockstep-trace 1\n");
    uint64_t seq = 0;
    while (n < target) {
        seq++;
        switch (seq % 1000 == 0 ? 0 : seq % 5 == 1 ? 1 : 2) {
        case 0:
            n += (size_t)sprintf(text + n, "%" PRIu64 " cpu%u - entry KeReleaseInStackQueuedSpinLock "
                                 "0x%" PRIx64 " @ f%u.c:%u\n", seq, (unsigned)(seq % 7),
                                 UINT64_C(0xffffa0000000) + seq * 16, (unsigned)(seq % 3),
                                 (unsigned)seq);
            break;
        case 1:
            n += (size_t)sprintf(text + n, "%" PRIu64 " cpu%u 0 entry KeAcquireSpinLock "
                                 "0x%" PRIx64 " 0xffffd0007fa0\n", seq, (unsigned)(seq % 7),
                                 UINT64_C(0xffffb0000000) + seq * 64);
            break;
        default:
            n += (size_t)sprintf(text + n, "%" PRIu64 "\tcpu%u 2 exit StorPortReadRegisterUlong "
                                 "0xffffa0080000 %" PRIu64 " = %" PRId64 "\n", seq,
                                 (unsigned)(seq % 7), seq, -(int64_t)seq);
            break;
        }
    }
    *len = n;
    return text;
}

static void test_refills_and_progress(void)
{
    size_t len;
    char *text = many_lines(40u << 20, &len);
    struct outcome o;
    run_with(ls_trace_read_text, text, len, 0, &o);
    CHECK(o.rc == 0);
    CHECK(o.res.bytes == len);
    CHECK(o.progress_calls == 2);   /* at 16 and 32 MB: increasing */
    CHECK(o.violations == o.res.events / 1000 && o.violations > 0);
    outcome_free(&o);
    free(text);
}

/* A pipe delivers a few kilobytes at a time, cutting lines anywhere: the
 * outcome is the same as from a file. */
static void test_pipe(void)
{
    size_t len;
    char *text = many_lines(3u << 20, &len);
    struct outcome file, piped;
    run_with(ls_trace_read_text, text, len, 1, &file);

    int fds[2];
    if (pipe(fds) != 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t step = 1;
        for (size_t done = 0; done < len; step = step * 7 % 9973 + 1) {
            size_t k = len - done < step ? len - done : step;
            ssize_t w = write(fds[1], text + done, k);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    run_fd(ls_trace_read_text, fds[0], 1, &piped);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(piped.rc == 0 && piped.res.bytes == len && piped.res.events > 40000);
    CHECK(same_outcome(&file, &piped));
    outcome_free(&file);
    outcome_free(&piped);
    free(text);

    /* a read error: a descriptor that is not open */
    struct outcome o;
    run_fd(ls_trace_read_text, 1000, 0, &o);
    CHECK(o.rc == -1 && strncmp(o.res.error, "t: read error: ", 15) == 0);
    outcome_free(&o);
}

/* ---- the builds agree on random and mutated input ----------------------------- */

static uint64_t rng = 88172645463325252u;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next_random() % n);
}

/* A random valid event line releasing a fresh lock handle, so that every
 * event comes back as a violation carrying its fields. */
static size_t random_line(char *out, uint64_t seq, uint64_t handle)
{
    static const char *const threads[] = { "cpu0", "cpu1", "t.1:x-y_z", "T", "worker_thread_with_a_long_name" };
    static const char *const blanks[] = { " ", " ", " ", " ", "  ", "\t", " \t " };
    size_t n = (size_t)sprintf(out, "%" PRIu64 "%s%s%s", seq, blanks[pick(7)], threads[pick(5)],
                               blanks[pick(7)]);
    unsigned irql = pick(34);
    n += irql >= 32 ? (size_t)sprintf(out + n, "-") : (size_t)sprintf(out + n, "%u", irql);
    n += (size_t)sprintf(out + n, "%sentry%sKeReleaseInStackQueuedSpinLock 0x%" PRIx64,
                         blanks[pick(7)], blanks[pick(7)], handle);
    for (unsigned i = pick(16); i > 0; i--) {
        uint64_t v = next_random() >> pick(64);
        switch (pick(4)) {
        case 0: n += (size_t)sprintf(out + n, " 0x%" PRIx64, v); break;
        case 1: n += (size_t)sprintf(out + n, " 0x%" PRIX64, v); break;
        case 2: n += (size_t)sprintf(out + n, " %" PRId64, (int64_t)(v >> 1)); break;
        default: n += (size_t)sprintf(out + n, " -%" PRIu64, v >> 1); break;
        }
    }
    if (pick(3) == 0)
        n += (size_t)sprintf(out + n, " = %" PRId64, (int64_t)next_random());
    if (pick(3) == 0)
        n += (size_t)sprintf(out + n, " @ %s:%u", pick(2) ? "src/f.c" : "C:\\x\\y.c", pick(100000));
    n += (size_t)sprintf(out + n, "%s", pick(10) == 0 ? "\r\n" : "\n");
    return n;
}

static void test_builds_agree(void)
{
    static const char noise[] = "0123456789abcdefxX -=@:#\t\r\n\x01\x7f\xff_.zZ";
    char *text = malloc(1 << 20);
    uint64_t events = 0, malformed = 0;
    for (int round = 0; round < 40; round++) {
        size_t n = 0;
        uint64_t seq = 1;
        for (int i = 0; i < 150; i++) {
            size_t start = n;
            n += random_line(text + n, seq, UINT64_C(0x1000) + (uint64_t)round * 1000 + (uint64_t)i);
            seq += 1 + pick(3);
            /* mutate about one line in three: replace, insert or delete a byte */
            if (round > 0 && pick(3) == 0) {
                size_t at = start + pick((unsigned)(n - start));
                char c = noise[pick(sizeof noise - 1)];
                switch (pick(3)) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    memmove(text + at + 1, text + at, n - at);
                    text[at] = c;
                    n++;
                    break;
                default:
                    memmove(text + at, text + at + 1, n - at - 1);
                    n--;
                    break;
                }
            }
        }
        struct outcome o;
        run_n(text, n, 1, &o);
        CHECK(o.rc == 0);
        if (round == 0)
            CHECK(o.res.events == 150 && o.violations == 150 && o.res.malformed == 0);
        events += o.res.events;
        malformed += o.res.malformed;
        outcome_free(&o);
        run_n(text, n, 0, &o);
        outcome_free(&o);
    }
    /* the mutations hit: many lines spoilt, most still fine */
    CHECK(malformed > 39 * 150 / 10 && events > 39 * 150 / 2);
    free(text);
}

/* ---- the fixtures: tests/trace/<name>.trace ----------------------------------
 * Each says what the shipped rules must find in it with lines
 * "# expect: <Rule> <seq>"; a fixture without any must be clean. */
static void check_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/trace/%s", LOCKSTEP_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    struct outcome want;
    memset(&want, 0, sizeof want);
    say(&want, "%s", "");
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char rule[128];
        unsigned long long seq;
        if (sscanf(line, "# expect: %127s %llu", rule, &seq) == 2)
            say(&want, "%llu %s\n", seq, rule);
    }
    fclose(f);

    int fd = open(path, O_RDONLY);
    struct outcome o;
    run_fd(ls_trace_read_text, fd, 0, &o);
    close(fd);
    /* reduce the violations to "<seq> <rule>" */
    struct outcome got;
    memset(&got, 0, sizeof got);
    say(&got, "%s", "");
    for (char *p = o.log; *p;) {
        char *nl = strchr(p, '\n');
        unsigned long long seq;
        char rule[128];
        if (sscanf(p, "V %llu %127s", &seq, rule) == 2)
            say(&got, "%llu %s\n", seq, rule);
        p = nl ? nl + 1 : p + strlen(p);
    }
    if (o.rc != 0 || strcmp(got.log, want.log) != 0)
        printf("fixture %s: rc %d %s\n--- got:\n%s--- expected:\n%s", name, o.rc, o.res.error,
               got.log, want.log);
    CHECK(o.rc == 0);
    CHECK(strcmp(got.log, want.log) == 0);
    outcome_free(&o);
    outcome_free(&got);
    outcome_free(&want);
}

static void test_fixtures(void)
{
    static const char *const fixtures[] = {
        "design-example.trace", "clean.trace", "IrqlDispatch.trace",
        "IrqlKeReleaseSpinLock.trace", "QueuedSpinLock.trace", "QueuedSpinLockRelease.trace",
        "SpinLock.trace", "SpinLockRelease.trace", "SpinLockSafe.trace",
    };
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        check_fixture(fixtures[i]);
}

int main(void)
{
    test_design_example();
    test_fields();
    test_layout();
    test_errors();
    test_truncated();
    test_keep_going();
    test_long_line();
    test_cancel();
    test_refills_and_progress();
    test_pipe();
    test_builds_agree();
    test_fixtures();
    return check_done("test_text");
}
