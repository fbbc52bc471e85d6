/*
 * runner.c — one child process per simulated run (sim.h, sim_fork_run).
 *
 * Driver code may crash, loop for ever or write over anything; none of
 * that may cost more than its run.  So the parent forks, and the child
 * (which inherits the loaded driver, untouched by earlier runs) runs
 * sim_run with a host that writes every event, role, choice, note and
 * finding as a record into a pipe; the parent reads the records under a
 * deadline and hands them to the real host (a runtime, the store).
 *
 * Records: a 4-byte length (of what follows), a type byte, then fields in
 * native byte order (parent and child are the same program on the same
 * machine):
 *   'F' function: u32 child id, name      'R' role: role NUL function
 *   'E' event: u8 when, nargs, irql, flags; u32 fn; u64 seq; args; ret
 *   'C' choice: u16 pick, options         'N' note: text
 *   'X' finding: u8 kind, text            'D' done: u8 outcome, u32 status
 *   'S' signal: i32 signal number, u64 fault address
 * The child buffers records and writes them when the buffer fills or the
 * run ends; its fatal-signal handler writes the complete records still
 * buffered, then an 'S' record, then exits — so the events up to a crash
 * reach the parent.  The same handler ends a run at its time budget
 * (SIGALRM from the child's own timer); the parent kills a child that
 * outlives its budget by a second more.  A run whose pipe closes without 'D' or 'S' ended
 * some other way (a signal the handler could not catch, exit() in driver
 * code): the parent reports what waitpid says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

enum { BUF_SIZE = 1 << 16, TEXT_MAX = 1024 };

/* ---- the child ------------------------------------------------------------ */

static struct {
    int fd;
    unsigned char buf[BUF_SIZE];
    size_t len;             /* bytes of complete records                    */
    uint32_t names;         /* function ids handed out                      */
    struct sim_schedule *sched;
} out;

static void write_all(const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(out.fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            _exit(4);       /* the parent is gone: nobody to tell */
        c += k;
        n -= (size_t)k;
    }
}

static void flush(void)
{
    write_all(out.buf, out.len);
    out.len = 0;
}

/* Append one record of type with the two parts of its payload. */
static void put(char type, const void *a, size_t alen, const void *b, size_t blen)
{
    uint32_t len = (uint32_t)(1 + alen + blen);
    if (out.len + 4 + len > BUF_SIZE)
        flush();
    unsigned char *p = out.buf + out.len;
    memcpy(p, &len, 4);
    p[4] = (unsigned char)type;
    memcpy(p + 5, a, alen);
    if (blen)
        memcpy(p + 5 + alen, b, blen);
    out.len += 4 + len;     /* complete only now: the signal handler's view */
}

static size_t text_len(const char *s)
{
    size_t n = strlen(s);
    return n > TEXT_MAX ? TEXT_MAX : n;
}

static uint32_t child_function(void *context, const char *name)
{
    (void)context;
    uint32_t id = out.names++;
    put('F', &id, 4, name, text_len(name));
    return id;
}

static int child_role(void *context, const char *role, const char *function)
{
    (void)context;
    char both[2 * TEXT_MAX + 2];
    size_t r = text_len(role), f = text_len(function);
    memcpy(both, role, r);
    both[r] = '\0';
    memcpy(both + r + 1, function, f);
    put('R', both, r + 1 + f, NULL, 0);
    return 0;
}

struct wire_event {
    uint8_t when, nargs, irql, flags;
    uint32_t fn;
    uint64_t seq;
};

static int child_event(void *context, int irql, struct ls_event *ev)
{
    (void)context;
    struct wire_event w = { ev->when, ev->nargs, (uint8_t)irql, (uint8_t)ev->flags, ev->fn,
                            ev->seq };
    ls_word words[LS_MAX_ARGS + 1];
    memcpy(words, ev->args, ev->nargs * sizeof *words);
    words[ev->nargs] = ev->ret;
    put('E', &w, sizeof w, words, (ev->nargs + 1u) * sizeof *words);
    return 0;
}

static unsigned child_choose(void *context, unsigned options, const char *what)
{
    (void)context;
    unsigned pick = sim_schedule_choose(out.sched, options, what);
    uint16_t c[2] = { (uint16_t)pick, (uint16_t)options };
    put('C', c, sizeof c, NULL, 0);
    return pick;
}

static void child_note(void *context, const char *text)
{
    (void)context;
    put('N', text, text_len(text), NULL, 0);
}

static void child_finding(void *context, enum sim_finding kind, const char *text)
{
    (void)context;
    uint8_t k = (uint8_t)kind;
    put('X', &k, 1, text, text_len(text));
}

/* A fatal signal in the child, or SIGALRM at the end of its time budget:
 * send the records that are complete, then the signal. */
static void on_fatal(int signo, siginfo_t *info, void *uc)
{
    (void)uc;
    int32_t s = signo;
    uint64_t addr = signo == SIGALRM ? 0 : (uint64_t)(uintptr_t)info->si_addr;
    unsigned char rec[4 + 1 + 12];
    uint32_t len = 1 + 12;
    memcpy(rec, &len, 4);
    rec[4] = 'S';
    memcpy(rec + 5, &s, 4);
    memcpy(rec + 9, &addr, 8);
    write_all(out.buf, out.len);
    write_all(rec, sizeof rec);
    _exit(3);
}

static void catch_fatal_signals(void)
{
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);         /* so a stack overflow is caught too */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGALRM };
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    signal(SIGINT, SIG_IGN);        /* the parent decides when to stop */
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_DFL);
}

static _Noreturn void child(const struct sim_runner *r, struct sim_schedule *sched, int fd)
{
    out.fd = fd;
    out.len = 0;
    out.names = 0;
    out.sched = sched;
    catch_fatal_signals();
    if (r->budget_ms > 0) {
        struct itimerval t = { { 0, 0 }, { r->budget_ms / 1000, r->budget_ms % 1000 * 1000 } };
        setitimer(ITIMER_REAL, &t, NULL);
    }
    static const struct sim_sink sink = { child_function, child_role, child_event, NULL };
    const struct sim_host host = { &sink, child_choose, child_finding, NULL, child_note, NULL };
    uint32_t status = 0;
    struct { uint8_t outcome; uint32_t status; } __attribute__((packed)) done;
    done.outcome = (uint8_t)sim_run(&host, r->entry, r->steps, &status);
    done.status = status;
    put('D', &done, sizeof done, NULL, 0);
    flush();
    _exit(0);
}

/* ---- the parent ------------------------------------------------------------ */

struct reader {
    const struct sim_host *host;
    struct sim_schedule *sched;
    uint32_t *map;          /* child function id -> host's id               */
    uint32_t map_len, map_cap;
    int done;               /* 'D' or 'S' seen                              */
    int outcome;
    uint32_t status;
    int signo;              /* from 'S'                                     */
    uint64_t addr;
    int garbled;            /* a record made no sense                       */
};

static void finding(struct reader *rd, enum sim_finding kind, const char *text)
{
    rd->host->finding(rd->host->context, kind, text);
}

/* Handle one record (type, payload of n bytes).  0, or -1 when it is
 * malformed (the stream is garbled; the child is killed). */
static int handle(struct reader *rd, unsigned char type, const unsigned char *p, size_t n)
{
    char text[TEXT_MAX + 1];
    const struct sim_sink *sink = rd->host->sink;
    switch (type) {
    case 'F': {
        uint32_t id;
        if (n < 4 || n - 4 > TEXT_MAX)
            return -1;
        memcpy(&id, p, 4);
        if (id != rd->map_len)
            return -1;
        if (rd->map_len == rd->map_cap) {
            uint32_t cap = rd->map_cap ? 2 * rd->map_cap : 128;
            uint32_t *m = realloc(rd->map, cap * sizeof *m);
            if (!m)
                return -1;
            rd->map = m;
            rd->map_cap = cap;
        }
        memcpy(text, p + 4, n - 4);
        text[n - 4] = '\0';
        uint32_t hid = sink->function(sink->context, text);
        if (hid == UINT32_MAX)
            return -1;
        rd->map[rd->map_len++] = hid;
        return 0;
    }
    case 'R': {
        if (n > 2 * TEXT_MAX + 1 || n == 0)
            return -1;
        char both[2 * TEXT_MAX + 2];
        memcpy(both, p, n);
        both[n] = '\0';
        size_t r = strlen(both);
        if (r >= n)
            return -1;
        return sink->role(sink->context, both, both + r + 1);
    }
    case 'E': {
        struct wire_event w;
        if (n < sizeof w)
            return -1;
        memcpy(&w, p, sizeof w);
        if (w.nargs > LS_MAX_ARGS || n != sizeof w + (w.nargs + 1u) * sizeof(ls_word)
            || w.fn >= rd->map_len || w.when > LS_EXIT || w.irql > 31)
            return -1;
        struct ls_event ev = { .seq = w.seq, .fn = rd->map[w.fn], .when = w.when,
                               .nargs = w.nargs, .flags = w.flags };
        memcpy(ev.args, p + sizeof w, w.nargs * sizeof(ls_word));
        memcpy(&ev.ret, p + sizeof w + w.nargs * sizeof(ls_word), sizeof ev.ret);
        return sink->event(sink->context, w.irql, &ev);
    }
    case 'C': {
        uint16_t c[2];
        if (n != sizeof c)
            return -1;
        memcpy(c, p, sizeof c);
        sim_schedule_record(rd->sched, c[0], c[1]);
        return 0;
    }
    case 'N':
    case 'X': {
        size_t off = type == 'X';
        if (n < off || n - off > TEXT_MAX || (type == 'X' && p[0] >= SIM_FINDING_COUNT))
            return -1;
        memcpy(text, p + off, n - off);
        text[n - off] = '\0';
        if (type == 'N') {
            sim_schedule_note(rd->sched, text);
            if (rd->host->note)
                rd->host->note(rd->host->context, text);
        } else {
            finding(rd, (enum sim_finding)p[0], text);
        }
        return 0;
    }
    case 'D':
        if (n != 5)
            return -1;
        rd->outcome = p[0];
        memcpy(&rd->status, p + 1, 4);
        rd->done = 1;
        return 0;
    case 'S': {
        int32_t signo;
        if (n != 12)
            return -1;
        memcpy(&signo, p, 4);
        memcpy(&rd->addr, p + 4, 8);
        rd->signo = signo;
        rd->done = 1;
        return 0;
    }
    default:
        return -1;
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read and handle the child's records until the pipe closes, the stream
 * is garbled, the deadline passes or *cancel is set.  0 at end of
 * stream, 1 on timeout, 2 when cancelled, -1 when garbled, -2 on a read
 * error. */
static int read_records(struct reader *rd, int fd, long long deadline,
                        const volatile sig_atomic_t *cancel)
{
    static unsigned char buf[2 * BUF_SIZE];
    size_t have = 0;
    for (;;) {
        if (cancel && *cancel)
            return 2;
        long long left = deadline - now_ms();
        if (left <= 0)
            return 1;
        struct pollfd pfd = { fd, POLLIN, 0 };
        int k = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
        if (k < 0 && errno != EINTR)
            return -2;
        if (k <= 0)
            continue;
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got < 0)
            return -2;
        if (got == 0)
            return 0;
        have += (size_t)got;
        size_t at = 0;
        while (have - at >= 5) {
            uint32_t len;
            memcpy(&len, buf + at, 4);
            if (len == 0 || len > BUF_SIZE)
                return -1;
            if (have - at < 4 + (size_t)len)
                break;
            if (handle(rd, buf[at + 4], buf + at + 5, len - 1) != 0)
                return -1;
            at += 4 + len;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
    }
}

int sim_fork_run(const struct sim_runner *r, struct sim_schedule *sched,
                 const struct sim_host *host, uint32_t *status)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    fflush(NULL);               /* the child must not repeat buffered output */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(r, sched, fds[1]);
    }
    close(fds[1]);
    struct reader rd = { .host = host, .sched = sched, .outcome = SIM_RUN_STOPPED };
    /* the child stops itself at its budget (SIGALRM); the parent's own
     * deadline, a second later, covers a child too stuck even for that */
    int rc = read_records(&rd, fds[0],
                          now_ms() + (r->budget_ms > 0 ? r->budget_ms + 1000LL : 1LL << 40),
                          r->cancel);
    if (rc != 0)
        kill(pid, SIGKILL);
    close(fds[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        continue;
    free(rd.map);

    char text[256];
    if (rc == 1 || rd.signo == SIGALRM) {
        snprintf(text, sizeof text, "the run did not finish within its time budget of %d ms "
                 "(a loop that never ends?); it was killed", r->budget_ms);
        finding(&rd, SIM_TIMEOUT, text);
        return SIM_RUN_STOPPED;
    }
    if (rc == -1) {
        finding(&rd, SIM_CORRUPT, "the run's event stream was garbled (the driver wrote over "
                "the simulator's memory?); it was killed");
        return SIM_RUN_STOPPED;
    }
    if (rc == 2)
        errno = EINTR;
    if (rc == 2 || rc == -2)
        return -1;
    if (rd.signo) {
        snprintf(text, sizeof text, "the driver crashed: %s (signal %d) at address %#llx",
                 strsignal(rd.signo), rd.signo, (unsigned long long)rd.addr);
        finding(&rd, SIM_CRASH, text);
        return SIM_RUN_STOPPED;
    }
    if (!rd.done) {
        if (WIFSIGNALED(ws))
            snprintf(text, sizeof text, "the run was killed by %s (signal %d)",
                     strsignal(WTERMSIG(ws)), WTERMSIG(ws));
        else
            snprintf(text, sizeof text, "the run ended without finishing (exit status %d: "
                     "exit() called in driver code?)", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
        finding(&rd, SIM_CRASH, text);
        return SIM_RUN_STOPPED;
    }
    *status = rd.status;
    return rd.outcome;
}
