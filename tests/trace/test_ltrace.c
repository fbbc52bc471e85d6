/*
 * test_ltrace.c — the ltrace importer (runtime/sources/trace/ltrace.c)
 * through the real runtime and the shipped rules.
 *
 * Every event the reader hands over is recorded on its way into the
 * runtime: the test is linked with -Wl,--wrap=ls_runtime_event, so the
 * reader's calls land in __wrap_ls_runtime_event below, which writes the
 * event down ("E seq thread function entry|exit args [= ret]") and passes
 * it on.  Violations of the shipped rules (the posix ones, for these
 * inputs) and problems (keep_going) go to the same log, so each case
 * reads as "this ltrace output gives these events, findings and errors".
 * The wrapper can also refuse an event, as a runtime out of memory would.
 *
 * Covered: each line form ltrace 0.7.3 writes (pids on stderr and with
 * -o, -t/-tt/-ttt/-r timestamps, -i, -T, -n indentation, lib->f and f@lib
 * names), the values it prints, unfinished and resumed calls across
 * threads, thread ends, signal lines, comments, CRLF, a final line
 * without a newline, each class of malformed line with its message and
 * column (stopping, and skipped with keep_going), a line too long, pipes,
 * input longer than the reader's buffer, the committed example logs of
 * examples/ltrace/, and those logs damaged at random.
 */
#define _POSIX_C_SOURCE 200809L

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

/* ---- what one read produced ------------------------------------------------ */

struct outcome {
    int rc;
    struct ls_trace_result res;
    char *log;                      /* a line per event, violation, problem */
    size_t len, cap;
    unsigned events, violations, problems, progress_calls;
    struct ls_runtime *rt;
};

static struct outcome *recording;   /* where the wrapper writes            */
static int refuse_after = -1;       /* events accepted before refusing     */

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

int __real_ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                            struct ls_event *ev, const char *file, uint32_t line);
int __wrap_ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                            struct ls_event *ev, const char *file, uint32_t line);

/* Every event the reader delivers passes here. */
int __wrap_ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                            struct ls_event *ev, const char *file, uint32_t line)
{
    struct outcome *o = recording;
    if (o) {
        if (refuse_after >= 0 && o->events >= (unsigned)refuse_after)
            return -1;
        o->events++;
        say(o, "E %" PRIu64 " %s %s %s", ev->seq, ls_runtime_thread_name(rt, thread),
            ls_runtime_function_name(rt, ev->fn), ev->when == LS_EXIT ? "exit" : "entry");
        for (unsigned i = 0; i < ev->nargs; i++)
            say(o, "%s%" PRId64, i ? "," : " ", ev->args[i]);
        if (ev->flags & LS_EVENT_HAS_RETURN)
            say(o, " = %" PRId64, ev->ret);
        say(o, "%s\n", irql == LS_IRQL_UNKNOWN && !file && !line ? "" : " (irql/file?)");
    }
    return __real_ls_runtime_event(rt, thread, irql, ev, file, line);
}

static void on_violation(void *context, const struct ls_violation *v)
{
    struct outcome *o = context;
    char message[256];
    ls_format_message(v->verdict, message, sizeof message);
    o->violations++;
    say(o, "V %" PRIu64 " %s %s: %s\n", v->event->seq, ls_runtime_thread_name(o->rt, v->thread),
        v->module->name, message);
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
    (void)bytes, (void)events;
    o->progress_calls++;
}

static void outcome_free(struct outcome *o)
{
    free(o->log);
    memset(o, 0, sizeof *o);
}

/* Reads fd into a fresh runtime holding every shipped rule; fills o. */
static void run_fd(int fd, int keep_going, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    say(o, "%s", "");
    struct ls_runtime *rt = ls_runtime_new();
    if (!rt)
        abort();
    for (int i = 0; ls_shipped_rules[i]; i++)
        if (ls_runtime_add_rule(rt, ls_shipped_rules[i]) < 0)
            abort();
    ls_runtime_set_sinks(rt, on_violation, NULL, o);
    o->rt = rt;
    struct ls_trace_options opt = { keep_going, on_problem, on_progress, o, NULL };
    recording = o;
    o->rc = ls_trace_read_ltrace(rt, fd, "t", &opt, &o->res);
    recording = NULL;
    ls_runtime_free(rt);
    o->rt = NULL;
}

/* A file holding the n bytes of text; its descriptor, at offset 0. */
static int temp_file(const char *text, size_t n)
{
    char path[] = "/tmp/lockstep-test-ltrace-XXXXXX";
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

static void run_n(const char *text, size_t n, int keep_going, struct outcome *o)
{
    int fd = temp_file(text, n);
    run_fd(fd, keep_going, o);
    close(fd);
}

static void run(const char *text, int keep_going, struct outcome *o)
{
    run_n(text, strlen(text), keep_going, o);
}

/* text gives exactly this log, reading to the end. */
static void check_log_at(const char *text, const char *log, int line)
{
    struct outcome o;
    run(text, 0, &o);
    check_str(o.rc == 0, NULL, NULL, __FILE__, line, "rc == 0");
    if (o.rc != 0)
        printf("    error: %s\n", o.res.error);
    check_str(0, o.log, log, __FILE__, line, "log");
    outcome_free(&o);
}
#define check_log(text, log) check_log_at((text), (log), __LINE__)

/* text stops with exactly this error; with keep_going the same message
 * comes to the problem sink, that line is skipped and the rest read. */
static void check_error_at(const char *text, size_t n, const char *error, int line)
{
    struct outcome o;
    run_n(text, n, 0, &o);
    check_str(o.rc == -1, NULL, NULL, __FILE__, line, "rc == -1");
    check_str(0, o.res.error, error, __FILE__, line, "error");
    outcome_free(&o);

    run_n(text, n, 1, &o);
    check_str(o.rc == 0 && o.res.malformed == 1 && o.problems == 1, NULL, NULL, __FILE__,
              line, "keep_going: rc 0, one problem");
    const char *p = strstr(o.log, "P ");
    char want[600];
    snprintf(want, sizeof want, "P %s | ", error);
    check_str(p && strncmp(p, want, strlen(want)) == 0, NULL, NULL, __FILE__, line,
              "keep_going: the same message");
    if (!(p && strncmp(p, want, strlen(want)) == 0))
        printf("    log:\n%s    want: %s\n", o.log, want);
    outcome_free(&o);
}
#define check_error(text, error) check_error_at((text), strlen(text), (error), __LINE__)

/* ---- line forms ------------------------------------------------------------- */

/* One whole call in each prefix combination ltrace writes. */
static void test_prefixes(void)
{
    static const char *const lines[] = {
        "f(1, 0x2a) = 3\n",                                 /* no options            */
        "[pid 7] f(1, 0x2a) = 3\n",                          /* -f, on stderr          */
        "7 f(1, 0x2a) = 3\n",                                /* -f -o FILE             */
        "23:54:18 f(1, 0x2a) = 3\n",                         /* -t                     */
        "[pid 7] 23:54:18.988638 f(1, 0x2a) = 3\n",          /* -f -tt                 */
        "7 1795391662.979837 f(1, 0x2a) = 3\n",              /* -f -o -ttt             */
        "  0.000123 f(1, 0x2a) = 3\n",                       /* -r                     */
        "7   0.000123 f(1, 0x2a) = 3\n",                     /* -f -o -r               */
        "7 23:54:18.988638 [0x55da10345268] f(1, 0x2a) = 3\n", /* -i                    */
        "[0x55da10345268] f(1, 0x2a) = 3 <0.000980>\n",      /* -i -T                  */
        "7 bug->f(1, 0x2a)                                = 3\n", /* -e: lib->, aligned */
        "f@libc.so.6(1, 0x2a) = 3\n",                        /* -x: f@lib              */
        "7 libc.so.6->f@GLIBC_2.2.5(1, 0x2a) = 3\r\n",       /* both, CRLF             */
        "7 23:54:18     f(1, 0x2a) = 3   \n",                /* -n indentation, blanks */
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const char *thread = strncmp(lines[i], "[pid 7]", 7) == 0 || lines[i][0] == '7' ? "pid:7"
                                                                                        : "main";
        char want[200];
        snprintf(want, sizeof want, "E 1 %s f entry 1,42\nE 2 %s f exit 1,42 = 3\n", thread,
                 thread);
        struct outcome o;
        run(lines[i], 0, &o);
        CHECK(o.rc == 0 && o.res.lines == 1 && o.res.events == 2);
        CHECK_STR(o.log, want);
        if (strcmp(o.log, want) != 0)
            printf("    input: %s    error: %s\n", lines[i], o.res.error);
        outcome_free(&o);
    }
}

/* What the values ltrace prints read as: integers keep their value;
 * strings, structs, arrays, floats, enum names and truncations read as 0;
 * a return value of that kind, or <void>, is no return value. */
static void test_values(void)
{
    check_log("f(0x7f7505dd56c0, 0, -1, 42, 0755, 09, nil, NULL, 0xFFFFFFFFFFFFFFFF, "
              "18446744073709551615, -9223372036854775808, 'q', '\\n', '\\001', '\\'') = -5\n",
              "E 1 main f entry 140140586292928,0,-1,42,493,9,0,0,-1,-1,"
              "-9223372036854775808,113,10,1,39\n"
              "E 2 main f exit 140140586292928,0,-1,42,493,9,0,0,-1,-1,"
              "-9223372036854775808,113,10,1,39 = -5\n");
    /* strings (escapes, unescaped quotes as ltrace 0.7 writes them, cut
     * with ...), structs, arrays, nesting, floats, enum names, <...>, ... */
    check_log("puts(\"a \"quoted\"\\tstring\\n with \\\\ escape\"...) = 91\n"
              "g({ 1, { 2, \"x,)\" } }, [ 1, 2 ], 1.500000, SIGUSR1, O_RDONLY|O_CLOEXEC, <...>, "
              "..., \"\", 7) = <void>\n"
              "getenv(\"NOPE\") = nil\n"
              "getenv(\"HOME\") = \"/root\"\n"
              "h() = { 1, 2 }\n"
              "signal(SIGUSR1, 0x56474b6751f9) = 0 <0.002525>\n"
              "exit(3)    = <void> <0.000189>\n",
              "E 1 main puts entry 0\nE 2 main puts exit 0 = 91\n"
              "E 3 main g entry 0,0,0,0,0,0,0,0,7\nE 4 main g exit 0,0,0,0,0,0,0,0,7\n"
              "E 5 main getenv entry 0\nE 6 main getenv exit 0 = 0\n"
              "E 7 main getenv entry 0\nE 8 main getenv exit 0\n"
              "E 9 main h entry\nE 10 main h exit\n"
              "E 11 main signal entry 0,94864207729145\n"
              "E 12 main signal exit 0,94864207729145 = 0\n"
              "E 13 main exit entry 3\nE 14 main exit exit 3\n");
    /* more than 16 arguments: the first 16 are kept */
    check_log("printf(\"%d\", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17) = 2\n",
              "E 1 main printf entry 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
              "E 2 main printf exit 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 = 2\n");
}

/* <unfinished ...> and <... resumed> across threads: the entry at the
 * first line, the exit (arguments of both lines) at the second. */
static void test_unfinished(void)
{
    check_log("4245 pthread_join(0x7f7505dd56c0, 0 <unfinished ...>\n"
              "4246 read(3 <unfinished ...>\n"
              "4245 usleep(100000 <unfinished ...>\n"
              "4246 <... read resumed> , \"hello\", 16) = 5\n"
              "4245 <... usleep resumed> ) = <void>\n"
              "4246 +++ exited (status 0) +++\n"
              "4245 <... pthread_join resumed> ) = 0\n",
              "E 1 pid:4245 pthread_join entry 140140586292928,0\n"
              "E 2 pid:4246 read entry 3\n"
              "E 3 pid:4245 usleep entry 100000\n"
              "E 4 pid:4246 read exit 3,0,16 = 5\n"
              "E 5 pid:4245 usleep exit 100000\n"
              "E 6 pid:4246 lockstep_thread_exit entry 0,0\n"
              "E 7 pid:4245 pthread_join exit 140140586292928,0 = 0\n");
    /* <no return ...> is what ltrace writes when a signal or an exit line
     * cuts a call: it may still be resumed */
    check_log("[pid 9] raise(10, 0 <no return ...>\n"
              "[pid 9] --- SIGUSR1 (User defined signal 1) ---\n"
              "[pid 9] <... raise resumed> ) = 0 <0.000776>\n",
              "E 1 pid:9 raise entry 10,0\nE 2 pid:9 raise exit 10,0 = 0\n");
    /* a call with no arguments before the cut, its arguments after it */
    check_log("f( <unfinished ...>\n<... f resumed> 1, 2) = 3\n",
              "E 1 main f entry\nE 2 main f exit 1,2 = 3\n");
    /* nested on one thread (a callback inside qsort): the resume matches
     * the innermost call of that name; calls above it never returned */
    check_log("qsort(0x10, 3 <unfinished ...>\n"
              "cmp(0x10, 0x18 <unfinished ...>\n"
              "longjmp_target(1 <unfinished ...>\n"
              "<... cmp resumed> ) = -1\n"
              "<... qsort resumed> ) = <void>\n",
              "E 1 main qsort entry 16,3\nE 2 main cmp entry 16,24\n"
              "E 3 main longjmp_target entry 1\nE 4 main cmp exit 16,24 = -1\n"
              "E 5 main qsort exit 16,3\n");
    /* two threads waiting in the same function are told apart by pid */
    check_log("1 pthread_mutex_lock(0x10 <unfinished ...>\n"
              "2 pthread_mutex_lock(0x20 <unfinished ...>\n"
              "1 <... pthread_mutex_lock resumed> ) = 0\n"
              "2 <... pthread_mutex_lock resumed> ) = 0\n",
              "E 1 pid:1 pthread_mutex_lock entry 16\nE 2 pid:2 pthread_mutex_lock entry 32\n"
              "E 3 pid:1 pthread_mutex_lock exit 16 = 0\nE 4 pid:2 pthread_mutex_lock exit 32 = 0\n");
    /* more than 64 unfinished calls on one thread: the oldest is dropped */
    char text[8192] = "";
    for (int i = 0; i < 65; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "f%d( <unfinished ...>\n", i);
    strcat(text, "<... f1 resumed> ) = 1\n<... f0 resumed> ) = 0\n");
    struct outcome o;
    run(text, 1, &o);
    CHECK(o.rc == 0 && o.res.events == 66 && o.problems == 1);
    CHECK(strstr(o.log, "E 66 main f1 exit = 1\n") != NULL);
    CHECK(strstr(o.log, "P t:67:1: '<... f0 resumed>' has no unfinished call of 'f0' before it "
                        "in thread main | ") != NULL);
    outcome_free(&o);
}

/* +++ lines end a thread: lockstep_thread_exit(status, signal); status -1
 * when a signal killed it.  Its unfinished calls are forgotten. */
static void test_thread_ends(void)
{
    check_log("[pid 4246] +++ exited (status 3) +++\n"
              "[pid 4247] +++ killed by SIGKILL +++\n"
              "[pid 4248] 23:57:45.913717 +++ killed by SIGSEGV +++\n"
              "4249 [0xffffffffffffffff] +++ killed by SIG34 +++\n"
              "+++ killed by SIGRTMIN +++\n"
              "+++ exited (status 0) +++\n",
              "E 1 pid:4246 lockstep_thread_exit entry 3,0\n"
              "E 2 pid:4247 lockstep_thread_exit entry -1,9\n"
              "E 3 pid:4248 lockstep_thread_exit entry -1,11\n"
              "E 4 pid:4249 lockstep_thread_exit entry -1,34\n"
              "E 5 main lockstep_thread_exit entry -1,0\n"
              "E 6 main lockstep_thread_exit entry 0,0\n");
    check_error("5 f(1 <unfinished ...>\n5 +++ exited (status 0) +++\n5 <... f resumed> ) = 0\n",
                "t:3:3: '<... f resumed>' has no unfinished call of 'f' before it in thread "
                "pid:5");
}

/* Signal and exec lines, comments and blank lines: read, counted as
 * lines, no events. */
static void test_skipped_lines(void)
{
    struct outcome o;
    run("# a comment lockstep allows\n\n   \n"
        "9579 23:56:27.614041 [0x7fa559e60eec] --- SIGUSR1 (User defined signal 1) ---\n"
        "[pid 3] --- Called exec() ---\n"
        "--- SIGCHLD (Child exited) ---   \r\n", 0, &o);
    CHECK(o.rc == 0 && o.res.lines == 6 && o.res.events == 0 && o.res.malformed == 0);
    CHECK_STR(o.log, "");
    outcome_free(&o);
}

/* CRLF line ends, and a last line without a newline. */
static void test_line_ends(void)
{
    check_log("f(1) = 2\r\ng(3) = 4", "E 1 main f entry 1\nE 2 main f exit 1 = 2\n"
              "E 3 main g entry 3\nE 4 main g exit 3 = 4\n");
    check_log("f(1 <unfinished ...>\r\n<... f resumed> ) = 2\r\n",
              "E 1 main f entry 1\nE 2 main f exit 1 = 2\n");
    /* a log cut in the middle of its last line */
    check_error("f(1) = 2\n7 pthread_mutex_lock(0x55ab06140080, 0",
                "t:2:39: the line ends inside the arguments of 'pthread_mutex_lock' (expected "
                "')' or '<unfinished ...>')");
    check_error("f(1) = 2\nputs(\"abc", "t:2:6: the line ends inside the string that starts "
                "here");
    check_error("f(1) = 2\nf(1) = ", "t:2:8: expected a return value after '=', found the end "
                "of the line");
}

/* ---- malformed lines ---------------------------------------------------------- */

static void test_malformed(void)
{
    check_error("[pid x] f() = 0\n", "t:1:6: expected a process id after '[pid ', found 'x]'");
    check_error("[pid 12 f() = 0\n", "t:1:8: expected ']' after the process id, found a blank");
    check_error("[pid 99999999999] f() = 0\n",
                "t:1:6: process id '99999999999' does not fit in 32 bits");
    check_error("12 34 f() = 0\n",
                "t:1:4: expected a timestamp (12:34:56, 12:34:56.123456 or 1700000000.123456), "
                "found '34'");
    check_error("[pid 12]f() = 0\n", "t:1:9: expected a blank after the process id, found 'f()'");
    check_error("12:34 f() = 0\n", "t:1:1: expected a timestamp (12:34:56, 12:34:56.123456 or "
                "1700000000.123456), found '12:34'");
    check_error("4\n", "t:1:1: expected a timestamp (12:34:56, 12:34:56.123456 or "
                "1700000000.123456), found '4'");
    check_error("[zz] f() = 0\n", "t:1:2: expected an instruction pointer after '[', found 'zz]'");
    check_error("[0x10]f() = 0\n",
                "t:1:7: expected a blank after the instruction pointer, found 'f()'");
    check_error("11089 23:57:45.912784 unexpected breakpoint at 0x562f948fe082\n",
                "t:1:23: ltrace lost a breakpoint here ('unexpected breakpoint at "
                "0x562f948fe082'): calls around it may be missing from the log");
    check_error("hello world\n", "t:1:1: expected a call 'f(...)', '<... f resumed>', '+++' or "
                "'---', found 'hello'");
    check_error("f-g(1) = 0\n", "t:1:2: invalid character '-' in function name 'f-g'");
    check_error("3f(1) = 0\n", "t:1:1: expected a timestamp (12:34:56, 12:34:56.123456 or "
                "1700000000.123456), found '3f(1)'");
    check_error("lib->(1) = 0\n", "t:1:6: expected a function name, found '(1)'");
    check_error("f(1) 0\n", "t:1:6: expected '=' and the return value after ')', found '0'");
    check_error("f(1, , 2) = 0\n", "t:1:6: expected an argument, found ','");
    check_error("f(1}) = 0\n", "t:1:4: unexpected '}'");
    check_error("f({ 1 ) = 0\n", "t:1:7: expected '}' to close '{' at column 3, found ')'");
    check_error("f({ 1, 2 = 0\n",
                "t:1:13: expected '}' to close '{' at column 3, found the end of the line");
    check_error("f(0x10000000000000000) = 0\n",
                "t:1:3: argument '0x10000000000000000' does not fit in 64 bits");
    check_error("f(-9223372036854775809) = 0\n",
                "t:1:3: argument '-9223372036854775809' does not fit in 64 bits");
    check_error("f(1) = 99999999999999999999\n",
                "t:1:8: return value '99999999999999999999' does not fit in 64 bits");
    check_error("f(1) = {\n", "t:1:9: expected '}' to close '{' at column 8, found the end of the "
                "line");
    check_error("<... f) = 0\n", "t:1:9: expected 'resumed>' after '<... f)', found '='");
    check_error("<... \n", "t:1:6: expected a function name after '<...', found the end of the "
                "line");
    check_error("<... f resumed> ) = 0\n",
                "t:1:1: '<... f resumed>' has no unfinished call of 'f' before it in thread main");
    check_error("f( <unfinished ...>\n<... f resumed> 1 <unfinished ...>\n",
                "t:2:35: a resumed call of 'f' is not finished on its line");
    check_error("+++ exited (status x) +++\n",
                "t:1:1: expected '+++ exited (status N) +++' or '+++ killed by SIGNAL +++', "
                "found '+++ exited (status x) +++'");
    check_error("+++ killed by SIGKILL\n",
                "t:1:1: expected '+++ exited (status N) +++' or '+++ killed by SIGNAL +++', "
                "found '+++ killed by SIGKILL'");
    check_error("--- SIGSEGV (Segmentation fault)\n",
                "t:1:33: expected '---' at the end of the line, found the end of the line");
    check_error_at("f(1) = 0\nf(\0) = 0\n", 18, "t:2:3: unexpected NUL byte", __LINE__);

    /* a malformed line between good ones: skipped, the rest read */
    struct outcome o;
    run("f(1) = 2\nbogus\ng(3) = 4\n", 1, &o);
    CHECK(o.rc == 0 && o.res.lines == 3 && o.res.events == 4 && o.res.malformed == 1);
    CHECK_STR(o.log, "E 1 main f entry 1\nE 2 main f exit 1 = 2\n"
                     "P t:2:1: expected a call 'f(...)', '<... f resumed>', '+++' or '---', "
                     "found 'bogus' | bogus\n"
                     "E 3 main g entry 3\nE 4 main g exit 3 = 4\n");
    outcome_free(&o);
}

/* A line longer than 1 MiB: reported at column 1048577 without its text,
 * skipped up to its newline with keep_going. */
static void test_long_line(void)
{
    size_t big = (1u << 20) + 100;
    char *text = malloc(2 * big + 64);      /* also two lines just under 1 MiB */
    if (!text)
        abort();
    strcpy(text, "f(1) = 2\nf(");
    size_t n = strlen(text);
    memset(text + n, '1', big);
    n += big;
    n += (size_t)sprintf(text + n, ") = 0\ng(3) = 4\n");
    struct outcome o;
    run_n(text, n, 0, &o);
    CHECK(o.rc == -1);
    CHECK_STR(o.res.error, "t:2:1048577: line longer than 1048576 bytes");
    outcome_free(&o);
    run_n(text, n, 1, &o);
    CHECK(o.rc == 0 && o.res.lines == 3 && o.res.events == 4 && o.res.malformed == 1);
    CHECK(strstr(o.log, "P t:2:1048577: line longer than 1048576 bytes | (no text)\n") != NULL);
    CHECK(strstr(o.log, "E 4 main g exit 3 = 4\n") != NULL);
    outcome_free(&o);

    /* lines just under the limit, made of many arguments or of blanks,
     * read in linear time */
    n = (size_t)sprintf(text, "f(");
    while (n < (1u << 20) - 16)
        n += (size_t)sprintf(text + n, "7, ");
    n += (size_t)sprintf(text + n, "8) = 0\nf(1");
    size_t blanks = (1u << 20) - 16;
    memset(text + n, ' ', blanks);
    n += blanks;
    n += (size_t)sprintf(text + n, ") = 2\n");
    run_n(text, n, 0, &o);
    CHECK(o.rc == 0 && o.res.lines == 2 && o.res.events == 4);
    CHECK(strstr(o.log, "E 2 main f exit 7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7 = 0\n") != NULL);
    CHECK(strstr(o.log, "E 4 main f exit 1 = 2\n") != NULL);
    outcome_free(&o);
    free(text);
}

/* ---- reading ------------------------------------------------------------------- */

/* A pipe, written by a child process, with more bytes than the reader's
 * buffer holds, lines split across reads; progress is reported. */
static void test_pipe_and_big_input(void)
{
    const int calls = 120000;
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        FILE *f = fdopen(fds[1], "w");
        for (int i = 0; i < calls; i++)
            fprintf(f, "[pid %d] 00:03:46.%06d buggy->pthread_mutex_lock(0x5603fd213%03x, 0, "
                       "0, 0x7f74fc331006) = 0\n[pid %d] 00:03:46.%06d "
                       "buggy->pthread_mutex_unlock(0x5603fd213%03x, 0, 0, 0) = 0\n",
                    100 + i % 7, i % 1000000, i % 4096, 100 + i % 7, i % 1000000, i % 4096);
        fclose(f);
        _exit(0);
    }
    close(fds[1]);
    struct outcome o;
    run_fd(fds[0], 0, &o);
    close(fds[0]);
    waitpid(child, NULL, 0);
    CHECK(o.rc == 0);
    CHECK_STR(o.res.error, "");
    CHECK(o.res.lines == 2u * calls && o.res.events == 4u * calls);
    CHECK(o.res.bytes > (16u << 20));
    CHECK(o.progress_calls >= 1);
    CHECK(o.violations == 0);
    outcome_free(&o);
}

/* NULL options and result are allowed. */
static void test_null_arguments(void)
{
    struct ls_runtime *rt = ls_runtime_new();
    int fd = temp_file("f(1) = 2\n", 9);
    CHECK(ls_trace_read_ltrace(rt, fd, NULL, NULL, NULL) == 0);
    close(fd);
    fd = temp_file("bogus\n", 6);
    struct ls_trace_result res;
    CHECK(ls_trace_read_ltrace(rt, fd, NULL, NULL, &res) == -1);
    CHECK_STR(res.error, "<input>:1:1: expected a call 'f(...)', '<... f resumed>', '+++' or "
                         "'---', found 'bogus'");
    close(fd);
    ls_runtime_free(rt);
}

/* The runtime refusing an event (out of memory) stops the read even with
 * keep_going. */
static void test_runtime_failure(void)
{
    struct outcome o;
    refuse_after = 1;
    run("f(1) = 2\ng(3) = 4\n", 1, &o);
    refuse_after = -1;
    CHECK(o.rc == -1 && o.res.events == 1);
    CHECK(strncmp(o.res.error, "t:1:1: out of memory (", 22) == 0);
    outcome_free(&o);
}

/* ---- the rules on ltrace output ---------------------------------------------- */

/* The POSIX rules see one thread per pid: contention between threads is
 * not a double lock, a thread relocking its own mutex is, and a thread
 * that ends holding a lock is reported at its +++ line. */
static void test_posix_rules(void)
{
    struct outcome o;
    run("10 pthread_mutex_lock(0x5603fd213080, 0) = 0\n"
        "11 pthread_mutex_lock(0x5603fd213080, 0 <unfinished ...>\n"
        "10 pthread_mutex_unlock(0x5603fd213080, 0 <unfinished ...>\n"
        "11 <... pthread_mutex_lock resumed> ) = 0\n"
        "10 <... pthread_mutex_unlock resumed> ) = 0\n"
        "11 pthread_mutex_unlock(0x5603fd213080, 0) = 0\n"
        "10 pthread_spin_lock(0x5603fd2130e8) = 0\n"
        "10 pthread_spin_lock(0x5603fd2130e8 <no return ...>\n"
        "10 +++ killed by SIGTERM +++\n"
        "11 pthread_spin_unlock(0x5603fd2130c0) = 0\n"
        "11 +++ exited (status 0) +++\n", 0, &o);
    CHECK(o.rc == 0);
    CHECK(o.violations == 3);
    CHECK(strstr(o.log, "V 11 pid:10 PthreadDoubleLock: pthread_spin_lock locks a lock that "
                        "this thread already holds.\n") != NULL);
    CHECK(strstr(o.log, "V 12 pid:10 PthreadLockHeldAtExit: The thread ends while it still "
                        "holds a pthread mutex or spin lock.\n") != NULL);
    CHECK(strstr(o.log, "V 13 pid:11 PthreadLockRelease: pthread_spin_unlock unlocks a lock "
                        "that is not locked.\n") != NULL);
    outcome_free(&o);
}

/* The committed example logs (examples/ltrace/) read cleanly and give
 * what the README says. */
static void test_example_logs(void)
{
    static const struct {
        const char *file;
        unsigned violations;
        const char *finding;
    } logs[] = {
        { "examples/ltrace/pigz.ltrace", 0, NULL },
        /* a worker ends inside pthread_mutex_unlock as the process exits */
        { "examples/ltrace/xz.ltrace", 0, NULL },
        { "examples/ltrace/buggy.ltrace", 3, "PthreadDoubleLock: pthread_mutex_timedlock locks "
                                             "a lock that this thread already holds." },
    };
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", LOCKSTEP_SOURCE_DIR, logs[i].file);
        int fd = open(path, O_RDONLY);
        CHECK(fd >= 0);
        if (fd < 0)
            continue;
        struct outcome o;
        run_fd(fd, 0, &o);
        close(fd);
        CHECK(o.rc == 0 && o.res.malformed == 0 && o.res.events > 0);
        CHECK(o.violations == logs[i].violations);
        CHECK(!logs[i].finding || strstr(o.log, logs[i].finding) != NULL);
        if (o.rc != 0 || o.violations != logs[i].violations)
            printf("    %s: %s\n", logs[i].file, o.res.error);
        outcome_free(&o);
    }
}

/* Random damage to a real log, a few bytes at a time: with keep_going the
 * read always finishes (only fatal errors stop it) and every line is an
 * event line or a counted problem; without it, it stops exactly when it
 * says why.  Run under the sanitizers, this is the reader's fuzz test. */
static void test_mutations(void)
{
    static const char bytes[] = "()\"'{}[]<>,. =+-#\\\n\r\t0x9aZ_@";
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/ltrace/buggy.ltrace", LOCKSTEP_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    char original[16384];
    size_t n = fread(original, 1, sizeof original, f);
    fclose(f);
    uint64_t seed = 42;
    int bad = 0;
    for (int round = 0; round < 1000 && bad < 3; round++) {
        char text[sizeof original];
        size_t len = n;
        memcpy(text, original, n);
        int edits = 1 + (int)((seed >> 33) % 4);
        for (int k = 0; k < edits; k++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(seed >> 33) % len;
            text[at] = bytes[(seed >> 20) % (sizeof bytes - 1)];
            if ((seed >> 12) % 16 == 0)
                text[at] = '\0';
        }
        if ((seed >> 40) % 8 == 0)
            len = (size_t)(seed >> 17) % len;           /* cut short */
        struct outcome o;
        run_n(text, len, 1, &o);
        int ok = o.rc == 0 && o.res.malformed == o.problems && o.res.lines >= o.problems;
        outcome_free(&o);
        run_n(text, len, 0, &o);
        ok &= o.rc == 0 ? o.res.error[0] == '\0' && o.res.malformed == 0
                        : o.rc == -1 && strncmp(o.res.error, "t:", 2) == 0;
        outcome_free(&o);
        if (!ok && bad++ < 3)
            printf("FAIL: mutation round %d\n%.*s\n", round, (int)len, text);
        CHECK(ok);
    }
}

int main(void)
{
    test_prefixes();
    test_values();
    test_unfinished();
    test_thread_ends();
    test_skipped_lines();
    test_line_ends();
    test_malformed();
    test_long_line();
    test_pipe_and_big_input();
    test_null_arguments();
    test_runtime_failure();
    test_posix_rules();
    test_example_logs();
    test_mutations();
    return check_done("test_ltrace");
}
