/*
 * ltrace.c — the ltrace importer: ls_trace_read_ltrace streams the output
 * of ltrace(1) (0.7.x, as Debian ships it; docs/ltrace.md) from a file or
 * a pipe into the runtime, so the rules can check real programs:
 *
 *     [pid 4246] 23:54:18.991197 pthread_mutex_lock(0x56038996c080, 0) = 0
 *     4245 23:54:18.990953 bug->pthread_join(0x7f7505dd56c0, 0 <unfinished ...>
 *     4245 23:54:18.996353 <... pthread_join resumed> ) = 0
 *     4246 23:54:18.996226 +++ exited (status 0) +++
 *
 * Each line is read in three steps: the prefixes ltrace's options add
 * (a process id, `[pid N]` on stderr or `N ` with -o; a timestamp of -t,
 * -tt, -ttt or -r; an instruction pointer of -i; the indentation of -n),
 * then the body, then what the body means for the runtime:
 *
 *   - a whole call, `f(args) = ret`, is an entry and an exit event;
 *   - `f(args <unfinished ...>` (or `<no return ...>`, which ltrace prints
 *     when a signal or an exit cuts the line, not only for calls that never
 *     return) is an entry event; the call waits on its thread's stack of
 *     unfinished calls until `<... f resumed> more args) = ret` gives its
 *     exit event, with the arguments of both lines;
 *   - `+++ exited (status N) +++` and `+++ killed by SIGX +++` end the
 *     thread: one synthetic event, lockstep_thread_exit(status, signal),
 *     which rules such as PthreadLockHeldAtExit watch;
 *   - `--- SIGX (...) ---` and `--- Called exec() ---` are read and skipped.
 *
 * Each traced pid is one runtime thread, "pid:N"; lines without a pid
 * (ltrace without -f) belong to the thread "main".  Event numbers are
 * handed out in line order.  Values are what rules compare: integers
 * (decimal, negative, 0x hex, ltrace's 0-prefixed octal), nil, characters;
 * anything else ltrace prints (strings, structs, arrays, floats, enum names,
 * `<...>`) reads as 0, and a return value of that kind or `<void>` as no
 * return value at all.  The names ltrace decorates, `lib->f` (-e, -l) and
 * `f@lib` (-x), are reduced to `f`.
 *
 * The contract is ls_trace_read_text's (trace.h): constant memory (one
 * buffer of MAX_LINE bytes, and per traced thread a stack of at most
 * MAX_PENDING unfinished calls), a malformed line is an error
 * "input:line:column: message" that stops the read, or with keep_going a
 * problem for the sink, counted and skipped.  ltrace's output is slow to
 * produce, so this reader favours plain code over the text reader's
 * word-at-a-time tricks.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "reader.h"

enum {
    MAX_LINE = 1 << 20,             /* longest line accepted, newline excluded */
    PROGRESS_EVERY = 16 << 20,      /* bytes between on_progress calls       */
    QUOTE_MAX = 40,                 /* bytes of a token quoted in a message  */
    MAX_PENDING = 64,               /* unfinished calls kept per thread: ltrace
                                       nests no deeper                       */
    MAX_NESTING = 64,               /* brackets inside one printed value     */
    TASKS_START = 64                /* slots of a new task map               */
};

/* The synthetic event of a thread's end, and the thread of lines without
 * a pid; docs/ltrace.md promises both names. */
static const char THREAD_EXIT[] = "lockstep_thread_exit";
static const char NO_PID_THREAD[] = "main";

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_BLANK(c) ((c) == ' ' || (c) == '\t')

/* ---- readers and threads ----------------------------------------------------- */

/* A call whose line ended before its return value. */
struct pending {
    uint32_t fn;                    /* runtime function id                   */
    uint8_t nargs;
    ls_word args[LS_MAX_ARGS];
};

/* One traced thread: ltrace's pid. */
struct task {
    uint64_t key;                   /* pid + 1; 0 for lines without a pid    */
    int used;
    uint32_t thread;                /* runtime thread id                     */
    struct pending *stack;          /* unfinished calls, oldest first        */
    uint32_t depth, cap;
};

/* Open addressing on the key, at most half full. */
struct task_map {
    struct task *slots;
    uint32_t mask, count;
};

struct reader {
    struct ls_runtime *rt;
    const char *input;
    struct ls_trace_options opt;
    struct ls_trace_result *res;
    char *buf;                      /* MAX_LINE + 1 bytes and a NUL          */
    const char *line;               /* the line being parsed, NUL-terminated;
                                       NULL for a line too long to keep      */
    const char *line_end;           /* its NUL                               */
    int stop;                       /* a problem ended the read              */
    uint64_t seq;                   /* the last event number handed out      */
    uint32_t exit_fn;               /* id of THREAD_EXIT, or UINT32_MAX      */
    struct task_map tasks;
    char quoted[2][QUOTE_MAX * 4 + 8];
};

/* What one line says about a call.  The arguments are those this line
 * prints; the name points into the line. */
struct call {
    const char *name;               /* without lib-> and @lib                */
    size_t length;
    const char *at;                 /* where the call starts, for messages   */
    unsigned nargs;                 /* kept: at most LS_MAX_ARGS             */
    ls_word args[LS_MAX_ARGS];
    int finished;                   /* ')' seen: a return value follows      */
    int has_return;
    ls_word ret;
};

/* ---- diagnostics ------------------------------------------------------------ */

/* n bytes at p, quoted as a message shows them: control bytes as \xNN, at
 * most QUOTE_MAX bytes and then "...". */
static const char *quote(struct reader *r, int slot, const char *p, size_t n)
{
    char *out = r->quoted[slot], *o = out;
    *o++ = '\'';
    for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f)
            o += sprintf(o, "\\x%02x", c);
        else
            *o++ = (char)c;
    }
    if (n > QUOTE_MAX)
        o += sprintf(o, "...");
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* What a message says it found at p: the text up to the next blank,
 * quoted, "a blank" or "the end of the line". */
static const char *found(struct reader *r, int slot, const char *p)
{
    if (*p == '\0')
        return "the end of the line";
    if (IS_BLANK(*p))
        return "a blank";
    const char *e = p;
    while (*e && !IS_BLANK(*e))
        e++;
    return quote(r, slot, p, (size_t)(e - p));
}

/* Hands a problem to the caller: res->error when reading stops (no
 * keep_going, or fatal), else the problem sink, and the line is counted
 * as malformed.  Returns -1 either way, so a parser can `return fail(...)`;
 * r->stop says whether reading goes on. */
static int report(struct reader *r, int fatal, uint32_t column, const char *message)
{
    if (fatal || !r->opt.keep_going) {
        snprintf(r->res->error, sizeof r->res->error, "%s:%llu:%u: %s", r->input,
                 (unsigned long long)r->res->lines, column, message);
        r->stop = 1;
        return -1;
    }
    r->res->malformed++;
    if (r->opt.on_problem) {
        struct ls_trace_problem p = {
            .input = r->input, .line = r->res->lines, .column = column, .message = message,
            .text = r->line
        };
        r->opt.on_problem(r->opt.context, &p);
    }
    return -1;
}

/* A problem at byte `at` of the current line (see report). */
PRINTF_LIKE(4, 5)
static int problem(struct reader *r, int fatal, const char *at, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return report(r, fatal, (uint32_t)(at - r->line) + 1, message);
}

#define fail(r, at, ...) problem((r), 0, (at), __VA_ARGS__)

/* ---- threads --------------------------------------------------------------- */

static uint32_t task_slot(uint64_t key, uint32_t mask)
{
    uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);
    return (uint32_t)(h >> 32) & mask;
}

/* Grows the map to twice its size; 0, or -1 when out of memory. */
static int tasks_grow(struct task_map *m)
{
    uint32_t size = (m->mask + 1) * 2;
    struct task *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t i = 0; i <= m->mask; i++) {
        if (!m->slots[i].used)
            continue;
        uint32_t j = task_slot(m->slots[i].key, size - 1);
        while (slots[j].used)
            j = (j + 1) & (size - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->mask = size - 1;
    return 0;
}

/* The thread of key (pid + 1, or 0 for "no pid"), created and named in the
 * runtime the first time; NULL after reporting when out of memory. */
static struct task *task_of(struct reader *r, uint64_t key, const char *at)
{
    struct task_map *m = &r->tasks;
    uint32_t i = task_slot(key, m->mask);
    for (; m->slots[i].used; i = (i + 1) & m->mask)
        if (m->slots[i].key == key)
            return &m->slots[i];
    if ((m->count + 1) * 2 > m->mask + 1) {
        if (tasks_grow(m) != 0) {
            problem(r, 1, at, "out of memory (threads)");
            return NULL;
        }
        for (i = task_slot(key, m->mask); m->slots[i].used; i = (i + 1) & m->mask)
            ;
    }
    char name[32];
    int n = key ? snprintf(name, sizeof name, "pid:%llu", (unsigned long long)(key - 1))
                : snprintf(name, sizeof name, "%s", NO_PID_THREAD);
    uint32_t id = ls_runtime_thread(r->rt, name, (size_t)n);
    if (id == UINT32_MAX) {
        problem(r, 1, at, "out of memory (%s)", ls_runtime_error(r->rt));
        return NULL;
    }
    m->slots[i] = (struct task){ .key = key, .used = 1, .thread = id };
    m->count++;
    return &m->slots[i];
}

/* Pushes an unfinished call.  A thread holding MAX_PENDING already drops
 * its oldest: calls left unfinished that long never returned (longjmp).
 * Returns 0, or -1 after reporting when out of memory. */
static int task_push(struct reader *r, struct task *t, const struct pending *call,
                     const char *at)
{
    if (t->depth == MAX_PENDING) {
        memmove(t->stack, t->stack + 1, (MAX_PENDING - 1) * sizeof *t->stack);
        t->depth--;
    }
    if (t->depth == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 4;
        struct pending *s = realloc(t->stack, cap * sizeof *s);
        if (!s)
            return problem(r, 1, at, "out of memory (unfinished calls)");
        t->stack = s;
        t->cap = cap;
    }
    t->stack[t->depth++] = *call;
    return 0;
}

/* ---- events ------------------------------------------------------------------ */

/* Hands one event of thread t to the runtime.  Returns 0, or -1 after
 * reporting when the runtime is out of memory. */
static int deliver(struct reader *r, const struct task *t, uint32_t fn, enum ls_when when,
                   unsigned nargs, const ls_word *args, int has_return, ls_word ret)
{
    struct ls_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = ++r->seq;
    ev.fn = fn;
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    memcpy(ev.args, args, nargs * sizeof *args);
    ev.flags = has_return ? LS_EVENT_HAS_RETURN : 0;
    ev.ret = has_return ? ret : 0;
    int rc = ls_runtime_event(r->rt, t->thread, LS_IRQL_UNKNOWN, &ev, NULL, 0);
    if (rc == LS_EVENT_REFUSED)
        return problem(r, 0, r->line, "%s", ls_runtime_error(r->rt));
    if (rc != 0)
        return problem(r, 1, r->line, "out of memory (%s)", ls_runtime_error(r->rt));
    r->res->events++;
    return 0;
}

/* The runtime id of a function name; UINT32_MAX after reporting. */
static uint32_t function_id(struct reader *r, const char *name, size_t length, const char *at)
{
    uint32_t id = ls_runtime_function(r->rt, name, length);
    if (id == UINT32_MAX)
        problem(r, 1, at, "out of memory (%s)", ls_runtime_error(r->rt));
    return id;
}

/* ---- values ------------------------------------------------------------------- */

enum { INT_OK, INT_SYNTAX, INT_RANGE };

/* integer ::= '-'? [0-9]+ | '0x' [0-9a-fA-F]+ | '0' [0-7]+ (octal)
 * The integer that is exactly [p, e).  Unsigned values up to 2^64 - 1
 * are accepted (ltrace prints unsigned long in decimal) and keep their
 * bits; a negative one must fit int64. */
static int parse_integer(const char *p, const char *e, ls_word *v)
{
    int neg = p < e && *p == '-';
    unsigned base = 10;
    uint64_t u = 0;
    int over = 0;
    p += neg;
    if (p == e)
        return INT_SYNTAX;
    if (!neg && e - p > 2 && p[0] == '0' && p[1] == 'x') {
        base = 16;
        p += 2;
    } else if (!neg && e - p > 1 && p[0] == '0') {
        base = 8;
        for (const char *q = p; q < e; q++)
            if (*q == '8' || *q == '9')
                base = 10;
    }
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p, d;
        if (IS_DIGIT(c))
            d = c - '0';
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return INT_SYNTAX;
        if (d >= base)
            return INT_SYNTAX;
        over |= u > (UINT64_MAX - d) / base;
        u = u * base + d;
    }
    if (over || (neg && u > (uint64_t)INT64_MAX + 1))
        return INT_RANGE;
    if (neg)
        *v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(ls_word)u;
    else
        *v = u <= INT64_MAX ? (ls_word)u : -(ls_word)(~u) - 1;
    return INT_OK;
}

/* char ::= "'" ( c | '\' [ntrabfv0\\'"] | '\' [0-7]{1,3} ) "'"
 * The value of the character literal that is exactly [p, e); 0 when it
 * is not one. */
static int parse_char(const char *p, const char *e, ls_word *v)
{
    static const char escapes[] = "n\nt\tr\ra\ab\bf\fv\v\\\\''\"\"";
    if (e - p < 3 || p[0] != '\'' || e[-1] != '\'')
        return 0;
    p++, e--;
    if (e - p == 1 && *p != '\\') {
        *v = (unsigned char)*p;
        return 1;
    }
    if (*p != '\\' || e - p < 2)
        return 0;
    p++;
    if (e - p == 1)
        for (const char *s = escapes; *s; s += 2)
            if (*p == s[0]) {
                *v = (unsigned char)s[1];
                return 1;
            }
    unsigned n = 0;
    for (const char *q = p; q < e; q++) {
        if (*q < '0' || *q > '7' || e - p > 3)
            return 0;
        n = n * 8 + (unsigned)(*q - '0');
    }
    *v = (ls_word)(n & 0xff);
    return 1;
}

enum { VALUE_KNOWN, VALUE_UNKNOWN, VALUE_RANGE };

/* What the printed value [p, e) says as a rule's integer: VALUE_KNOWN with
 * *v set (an integer, nil, a character), VALUE_UNKNOWN with *v = 0
 * (strings, structs, arrays, floats, enum names, <...>), or VALUE_RANGE
 * (an integer beyond 64 bits). */
static int classify(const char *p, const char *e, ls_word *v)
{
    size_t n = (size_t)(e - p);
    *v = 0;
    if ((n == 3 && memcmp(p, "nil", 3) == 0) || (n == 4 && memcmp(p, "NULL", 4) == 0) ||
        (n == 5 && memcmp(p, "(nil)", 5) == 0))
        return VALUE_KNOWN;
    if (n && (IS_DIGIT(*p) || *p == '-')) {
        int rc = parse_integer(p, e, v);
        if (rc != INT_SYNTAX)
            return rc == INT_OK ? VALUE_KNOWN : VALUE_RANGE;
        *v = 0;
        return VALUE_UNKNOWN;
    }
    if (n && *p == '\'' && parse_char(p, e, v))
        return VALUE_KNOWN;
    return VALUE_UNKNOWN;
}

/* cut ::= [ ' ' ] ( '<unfinished ...>' | '<no return ...>' ) blank* end
 * What ends the line of a call ltrace could not finish on it: the end of
 * the marker at p, or NULL when p is not at one.  (One blank at most
 * before it, as ltrace writes it: value_end asks at every blank.) */
static const char *call_cut(const char *p)
{
    static const char *const marks[] = { "<unfinished ...>", "<no return ...>" };
    if (*p == ' ')
        p++;
    if (*p != '<')
        return NULL;
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(marks[i]);
        if (strncmp(p, marks[i], n) == 0) {
            const char *q = p + n;
            while (IS_BLANK(*q))
                q++;
            if (*q == '\0')
                return q;
        }
    }
    return NULL;
}

/* Whether the '"' at q, inside a string, closes it; the text ends at
 * limit.  ltrace 0.7 does not escape quotes inside strings ("say "hi""),
 * so a quote closes the string only where a value can end after it:
 * before ',', ')', ']', '}', " <", " }", " ]" or the end, optionally
 * after the "..." of a cut string.  (A string holding `", ` is misread:
 * docs/ltrace.md.)
 * Returns the end of the string, or NULL. */
static const char *string_close(const char *q, const char *limit)
{
    const char *after = q + 1;
    if (limit - after >= 3 && memcmp(after, "...", 3) == 0)
        after += 3;
    if (after == limit || *after == ',' || *after == ')' || *after == ']' || *after == '}' ||
        (limit - after >= 2 && after[0] == ' ' &&
         (after[1] == '<' || after[1] == '}' || after[1] == ']')))
        return after;
    return NULL;
}

/* The end of the string or character literal that opens at p (a '"' or
 * a '\''), backslash escapes skipped; NULL when limit comes first. */
static const char *quoted_end(const char *p, const char *limit)
{
    char quote_char = *p;
    for (const char *q = p + 1; q < limit; q++) {
        if (*q == '\\') {
            q++;
            continue;
        }
        if (*q == quote_char) {
            const char *after = quote_char == '"' ? string_close(q, limit) : q + 1;
            if (after)
                return after;
        }
    }
    return NULL;
}

/* value ::= any text, with "strings", 'chars', (...), [...] and {...}
 * balanced, up to limit, or in an argument list (in_args) up to the first
 * ',' or ')' outside them or the cut of an unfinished call.  Returns that
 * end, or NULL after reporting a string or bracket left open. */
static const char *value_end(struct reader *r, const char *p, const char *limit, int in_args)
{
    char want[MAX_NESTING];
    const char *opened[MAX_NESTING];
    int depth = 0;
    while (p < limit) {
        char c = *p;
        if (depth == 0 && in_args &&
            (c == ',' || c == ')' || ((c == ' ' || c == '<') && call_cut(p))))
            return p;
        if (c == '"' || c == '\'') {
            const char *after = quoted_end(p, limit);
            if (!after) {
                fail(r, p, "the line ends inside the %s that starts here",
                     c == '"' ? "string" : "character");
                return NULL;
            }
            p = after;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            if (depth == MAX_NESTING) {
                fail(r, p, "values nested more than %d deep", MAX_NESTING);
                return NULL;
            }
            want[depth] = c == '(' ? ')' : c == '[' ? ']' : '}';
            opened[depth++] = p;
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) {
                fail(r, p, "unexpected '%c'", c);
                return NULL;
            }
            if (c != want[depth - 1]) {
                fail(r, p, "expected '%c' to close '%c' at column %u, found '%c'",
                     want[depth - 1], *opened[depth - 1],
                     (unsigned)(opened[depth - 1] - r->line) + 1, c);
                return NULL;
            }
            depth--;
        }
        p++;
    }
    if (depth) {
        fail(r, p, "expected '%c' to close '%c' at column %u, found the end of the line",
             want[depth - 1], *opened[depth - 1], (unsigned)(opened[depth - 1] - r->line) + 1);
        return NULL;
    }
    return p;
}

/* args ::= [ value { ',' value } ] ( ')' | cut )
 * Reads the arguments at *pp into c (appending to those it holds) and
 * moves *pp past the ')' or the cut.  Returns 0, or -1 after reporting. */
static int parse_args(struct reader *r, const char **pp, struct call *c)
{
    const char *p = *pp;
    for (;;) {
        while (IS_BLANK(*p))
            p++;
        if (*p == ')') {
            c->finished = 1;
            *pp = p + 1;
            return 0;
        }
        const char *cut = call_cut(p);
        if (cut) {
            c->finished = 0;
            *pp = cut;
            return 0;
        }
        if (*p == '\0')
            return fail(r, p, "the line ends inside the arguments of '%.*s' (expected ')' "
                        "or '<unfinished ...>')", (int)c->length, c->name);
        if (*p == ',')
            return fail(r, p, "expected an argument, found ','");
        const char *e = value_end(r, p, r->line_end, 1);
        if (!e)
            return -1;
        const char *t = e;
        while (t > p && IS_BLANK(t[-1]))
            t--;
        ls_word v;
        if (classify(p, t, &v) == VALUE_RANGE)
            return fail(r, p, "argument %s does not fit in 64 bits",
                        quote(r, 0, p, (size_t)(t - p)));
        if (c->nargs < LS_MAX_ARGS)
            c->args[c->nargs++] = v;
        p = *e == ',' ? e + 1 : e;
    }
}

/* ret ::= blank* '=' blank+ value [ blank+ '<' seconds '>' ] blank*
 * The return value after a call's ')' at p (the '<...>' is -T's time
 * spent).  Returns 0, or -1 after reporting. */
static int parse_return(struct reader *r, const char *p, struct call *c)
{
    while (IS_BLANK(*p))
        p++;
    if (*p != '=')
        return fail(r, p, "expected '=' and the return value after ')', found %s",
                    found(r, 0, p));
    p++;
    while (IS_BLANK(*p))
        p++;
    const char *end = r->line_end;
    while (end > p && IS_BLANK(end[-1]))
        end--;
    if (end > p && end[-1] == '>') {            /* -T: " <0.000123>" */
        const char *lt = end - 1;
        while (lt > p && (IS_DIGIT(lt[-1]) || lt[-1] == '.'))
            lt--;
        if (lt < end - 1 && lt - p >= 2 && lt[-1] == '<' && IS_BLANK(lt[-2])) {
            end = lt - 1;
            while (end > p && IS_BLANK(end[-1]))
                end--;
        }
    }
    if (p == end)
        return fail(r, p, "expected a return value after '=', found the end of the line");
    c->has_return = 0;
    c->ret = 0;
    if (end - p == 6 && memcmp(p, "<void>", 6) == 0)
        return 0;
    /* the value takes the whole rest: check its strings and brackets */
    if (!value_end(r, p, end, 0))
        return -1;
    switch (classify(p, end, &c->ret)) {
    case VALUE_KNOWN:
        c->has_return = 1;
        break;
    case VALUE_RANGE:
        return fail(r, p, "return value %s does not fit in 64 bits",
                    quote(r, 0, p, (size_t)(end - p)));
    default:
        break;
    }
    return 0;
}

/* ---- lines ------------------------------------------------------------------- */

/* name ::= [ library '->' ] function [ '@' library ]
 * function ::= [A-Za-z_.$][A-Za-z0-9_.$]*
 * Sets c->name to the function in [p, e).  Returns 0, or -1 after
 * reporting. */
static int parse_name(struct reader *r, const char *p, const char *e, struct call *c)
{
    const char *name = p;
    for (const char *q = p; q + 1 < e; q++)
        if (q[0] == '-' && q[1] == '>')
            name = q + 2;
    const char *at = memchr(name, '@', (size_t)(e - name));
    const char *end = at ? at : e;
    if (name == end)
        return fail(r, name, "expected a function name, found %s", found(r, 0, name));
    for (const char *q = name; q < end; q++) {
        char ch = *q;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
                 ch == '.' || ch == '$' || (q > name && IS_DIGIT(ch));
        if (!ok)
            return fail(r, q, "invalid character %s in function name %s",
                        quote(r, 0, q, 1), quote(r, 1, name, (size_t)(end - name)));
    }
    c->name = name;
    c->length = (size_t)(end - name);
    return 0;
}

/* call ::= name '(' args [ ret ]
 * A call line: its entry event, and its exit event when the line is
 * whole; otherwise the call waits for its "resumed" line. */
static int parse_call(struct reader *r, struct task *t, const char *p)
{
    struct call c;
    memset(&c, 0, sizeof c);
    c.at = p;
    const char *open = p;
    while (*open && *open != '(' && !IS_BLANK(*open))
        open++;
    if (*open != '(')
        return fail(r, p, "expected a call 'f(...)', '<... f resumed>', '+++' or '---', "
                    "found %s", found(r, 0, p));
    if (parse_name(r, p, open, &c) != 0)
        return -1;
    p = open + 1;
    if (parse_args(r, &p, &c) != 0)
        return -1;
    if (c.finished && parse_return(r, p, &c) != 0)
        return -1;

    uint32_t fn = function_id(r, c.name, c.length, c.at);
    if (fn == UINT32_MAX || deliver(r, t, fn, LS_ENTRY, c.nargs, c.args, 0, 0) != 0)
        return -1;
    if (c.finished)
        return deliver(r, t, fn, LS_EXIT, c.nargs, c.args, c.has_return, c.ret);
    struct pending pend = { .fn = fn, .nargs = (uint8_t)c.nargs };
    memcpy(pend.args, c.args, sizeof pend.args);
    return task_push(r, t, &pend, c.at);
}

/* resumed ::= '<...' blank+ name blank+ 'resumed>' [ ',' ] args ret
 * The rest of an unfinished call of the same thread: its exit event,
 * carrying the arguments of both lines.  Calls left above it on the
 * thread's stack never returned, and are dropped. */
static int parse_resumed(struct reader *r, struct task *t, const char *p)
{
    struct call c;
    memset(&c, 0, sizeof c);
    const char *start = p;
    p += 4;
    while (IS_BLANK(*p))
        p++;
    const char *e = p;
    while (*e && !IS_BLANK(*e))
        e++;
    if (e == p)
        return fail(r, p, "expected a function name after '<...', found %s", found(r, 0, p));
    const char *word = e;
    while (IS_BLANK(*word))
        word++;
    if (strncmp(word, "resumed>", 8) != 0)
        return fail(r, word, "expected 'resumed>' after '<... %.*s', found %s", (int)(e - p), p,
                    found(r, 0, word));
    if (parse_name(r, p, e, &c) != 0)
        return -1;
    c.at = start;
    p = word + 8;
    while (IS_BLANK(*p))
        p++;
    if (*p == ',')
        p++;
    if (parse_args(r, &p, &c) != 0)
        return -1;
    if (!c.finished)
        return fail(r, p, "a resumed call of '%.*s' is not finished on its line",
                    (int)c.length, c.name);
    if (parse_return(r, p, &c) != 0)
        return -1;

    uint32_t fn = function_id(r, c.name, c.length, start);
    if (fn == UINT32_MAX)
        return -1;
    uint32_t i = t->depth;
    while (i > 0 && t->stack[i - 1].fn != fn)
        i--;
    if (i == 0)
        return fail(r, start, "'<... %.*s resumed>' has no unfinished call of '%.*s' before "
                    "it in thread %s", (int)c.length, c.name, (int)c.length, c.name,
                    ls_runtime_thread_name(r->rt, t->thread));
    struct pending *call = &t->stack[i - 1];
    ls_word args[LS_MAX_ARGS];
    unsigned n = call->nargs;
    memcpy(args, call->args, n * sizeof *args);
    for (unsigned k = 0; k < c.nargs && n < LS_MAX_ARGS; k++)
        args[n++] = c.args[k];
    t->depth = i - 1;
    return deliver(r, t, fn, LS_EXIT, n, args, c.has_return, c.ret);
}

/* A Linux signal's number from its name (ltrace prints the name); 0 when
 * it is none of the standard ones ("SIG34" gives 34). */
static ls_word signal_number(const char *p, size_t n)
{
    static const char *const names[] = {
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
        "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
    };
    if (n < 4 || memcmp(p, "SIG", 3) != 0)
        return 0;
    p += 3, n -= 3;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], p, n) == 0)
            return (ls_word)i + 1;
    if (n == 3 && memcmp(p, "IOT", 3) == 0)
        return 6;
    if (n == 4 && memcmp(p, "POLL", 4) == 0)
        return 29;
    ls_word v;
    return n <= 3 && parse_integer(p, p + n, &v) == INT_OK ? v : 0;
}

/* end ::= '+++' blank ( 'exited (status' blank N ')' | 'killed by' blank SIG ) blank '+++'
 * The end of thread t: its lockstep_thread_exit(status, signal) event;
 * its unfinished calls never return. */
static int parse_end(struct reader *r, struct task *t, const char *p)
{
    static const char exited[] = "+++ exited (status ", killed[] = "+++ killed by ";
    const char *rest = NULL, *e;
    ls_word args[2] = { -1, 0 };
    if (strncmp(p, exited, sizeof exited - 1) == 0) {
        const char *q = p + sizeof exited - 1;
        for (e = q; *e && *e != ')'; e++)
            ;
        if (*e == ')' && parse_integer(q, e, &args[0]) == INT_OK)
            rest = e + 1;
    } else if (strncmp(p, killed, sizeof killed - 1) == 0) {
        const char *q = p + sizeof killed - 1;
        for (e = q; *e && !IS_BLANK(*e); e++)
            ;
        if (e > q) {
            args[1] = signal_number(q, (size_t)(e - q));
            rest = e;
        }
    }
    if (rest) {
        while (IS_BLANK(*rest))
            rest++;
        if (strncmp(rest, "+++", 3) == 0) {
            for (rest += 3; IS_BLANK(*rest); rest++)
                ;
            if (*rest)
                rest = NULL;
        } else {
            rest = NULL;
        }
    }
    if (!rest)
        return fail(r, p, "expected '+++ exited (status N) +++' or '+++ killed by SIGNAL "
                    "+++', found %s", quote(r, 0, p, strlen(p)));
    if (r->exit_fn == UINT32_MAX &&
        (r->exit_fn = function_id(r, THREAD_EXIT, sizeof THREAD_EXIT - 1, p)) == UINT32_MAX)
        return -1;
    t->depth = 0;
    return deliver(r, t, r->exit_fn, LS_ENTRY, 2, args, 0, 0);
}

/* note ::= '---' blank ... blank '---'   (a signal, or exec)
 * Read and skipped: rules see calls, not signals. */
static int parse_note(struct reader *r, const char *p)
{
    const char *end = p + strlen(p);
    while (end > p && IS_BLANK(end[-1]))
        end--;
    if (end - p < 7 || memcmp(end - 4, " ---", 4) != 0)
        return fail(r, end, "expected '---' at the end of the line, found %s",
                    found(r, 0, end));
    return 0;
}

/* timestamp ::= D+ ':' D+ ':' D+ [ '.' D+ ]   (-t, -tt)
 *             | D+ '.' D+                     (-ttt, -r)
 * Whether [p, e) is one. */
static int is_timestamp(const char *p, const char *e)
{
    int colons = 0, dots = 0, digits = 0;
    for (; p < e; p++) {
        if (IS_DIGIT(*p)) {
            digits++;
            continue;
        }
        if (!digits || (*p != ':' && *p != '.') || dots)
            return 0;
        if (*p == ':')
            colons++;
        else
            dots++;
        digits = 0;
    }
    return digits && (colons == 2 || (colons == 0 && dots == 1));
}

/* line ::= blank* [ '#' ... | prefix* body ]
 * prefix ::= '[pid' blank N ']' | N   (-f: stderr, -o)
 *          | timestamp | '[' ip ']'   (-t/-tt/-ttt/-r, -i)
 * body ::= call | resumed | end | note
 * Parses the NUL-terminated line and hands its events to the runtime.
 * Returns 0, or -1 after reporting a problem. */
static int parse_line(struct reader *r, const char *p)
{
    while (IS_BLANK(*p))
        p++;
    if (*p == '\0' || *p == '#')
        return 0;

    /* the pid: "[pid N] " on stderr, "N " with -o */
    uint64_t key = 0;
    const char *e;
    if (strncmp(p, "[pid ", 5) == 0 || IS_DIGIT(*p)) {
        int bracket = *p == '[';
        const char *q = bracket ? p + 5 : p;
        for (e = q; IS_DIGIT(*e); e++)
            ;
        int is_pid = e > q && (bracket ? *e == ']' : IS_BLANK(*e));
        if (bracket && !is_pid)
            return e > q ? fail(r, e, "expected ']' after the process id, found %s",
                                found(r, 0, e))
                         : fail(r, q, "expected a process id after '[pid ', found %s",
                                found(r, 0, q));
        if (is_pid) {
            ls_word pid;
            if (e - q > 10 || parse_integer(q, e, &pid) != INT_OK || pid > UINT32_MAX)
                return fail(r, q, "process id %s does not fit in 32 bits",
                            quote(r, 0, q, (size_t)(e - q)));
            key = (uint64_t)pid + 1;
            p = e + bracket;
            if (!IS_BLANK(*p))
                return fail(r, p, "expected a blank after the process id, found %s",
                            found(r, 0, p));
            while (IS_BLANK(*p))
                p++;
        }
    }
    /* the timestamp */
    if (IS_DIGIT(*p)) {
        for (e = p; *e && !IS_BLANK(*e); e++)
            ;
        if (!is_timestamp(p, e) || !IS_BLANK(*e))
            return fail(r, p, "expected a timestamp (12:34:56, 12:34:56.123456 or "
                        "1700000000.123456), found %s", found(r, 0, p));
        for (p = e; IS_BLANK(*p); p++)
            ;
    }
    /* the instruction pointer of -i */
    if (*p == '[') {
        for (e = p + 1; *e && *e != ']' && !IS_BLANK(*e); e++)
            ;
        ls_word ip;
        if (*e != ']' || (classify(p + 1, e, &ip) != VALUE_KNOWN))
            return fail(r, p + 1, "expected an instruction pointer after '[', found %s",
                        found(r, 0, p + 1));
        p = e + 1;
        if (!IS_BLANK(*p))
            return fail(r, p, "expected a blank after the instruction pointer, found %s",
                        found(r, 0, p));
        while (IS_BLANK(*p))
            p++;
    }

    if (strncmp(p, "--- ", 4) == 0)
        return parse_note(r, p);
    struct task *t = task_of(r, key, p);
    if (!t)
        return -1;
    if (strncmp(p, "+++ ", 4) == 0)
        return parse_end(r, t, p);
    if (strncmp(p, "<...", 4) == 0 && IS_BLANK(p[4]))
        return parse_resumed(r, t, p);
    if (strncmp(p, "unexpected breakpoint at ", 25) == 0)
        return fail(r, p, "ltrace lost a breakpoint here (%s): calls around it may be missing "
                    "from the log", quote(r, 0, p, strlen(p)));
    return parse_call(r, t, p);
}

/* ---- reading ------------------------------------------------------------------ */

/* One line [p, end): counted, its CR dropped, NUL-terminated in place
 * (*end is writable) and parsed.  Returns -1 when reading stops. */
static int handle_line(struct reader *r, char *p, char *end)
{
    r->res->lines++;
    if (end > p && end[-1] == '\r')
        end--;
    *end = '\0';
    r->line = p;
    r->line_end = end;
    const char *nul = memchr(p, '\0', (size_t)(end - p));
    if (nul)
        fail(r, nul, "unexpected NUL byte");
    else
        parse_line(r, p);
    return r->stop ? -1 : 0;
}

/* The read loop: fill the buffer, parse its whole lines, keep the partial
 * one for the next read; a line longer than MAX_LINE is reported and its
 * bytes skipped up to its newline. */
static int read_all(struct reader *r, int fd)
{
    const size_t cap = MAX_LINE + 1;
    char *buf = r->buf;
    size_t len = 0;
    int skipping = 0;
    uint64_t next_progress = PROGRESS_EVERY;
    const char *no_head = NULL;     /* nothing was read before this reader   */
    size_t no_head_len = 0;

    for (;;) {
        ssize_t got = trace_fill(&no_head, &no_head_len, fd, buf + len, cap - len,
                                 r->opt.cancel);
        if (got < 0) {
            trace_read_error(r->res->error, sizeof r->res->error, r->input);
            return -1;
        }
        size_t old = len;
        len += (size_t)got;
        r->res->bytes += (uint64_t)got;
        char *p = buf, *end = buf + len, *scan = buf + old, *nl;
        while ((nl = memchr(scan, '\n', (size_t)(end - scan))) != NULL) {
            if (skipping)
                skipping = 0;       /* the end of a line too long to keep */
            else if (handle_line(r, p, nl) != 0)
                return -1;
            p = scan = nl + 1;
        }
        len = skipping ? 0 : (size_t)(end - p);
        memmove(buf, p, len);
        if (got == 0) {
            if (len > 0 && handle_line(r, buf, buf + len) != 0)
                return -1;
            return 0;
        }
        if (len == cap) {               /* no newline in a full buffer */
            char message[64];
            snprintf(message, sizeof message, "line longer than %d bytes", MAX_LINE);
            r->res->lines++;
            r->line = NULL;
            report(r, 0, MAX_LINE + 1, message);
            if (r->stop)
                return -1;
            skipping = 1;
            len = 0;
        }
        if (r->opt.on_progress && r->res->bytes >= next_progress) {
            r->opt.on_progress(r->opt.context, r->res->bytes, r->res->events);
            next_progress = r->res->bytes + PROGRESS_EVERY;
        }
    }
}

int ls_trace_read_ltrace(struct ls_runtime *rt, int fd, const char *input,
                         const struct ls_trace_options *opt,
                         struct ls_trace_result *res)
{
    struct ls_trace_result scratch;
    struct reader r;
    memset(&r, 0, sizeof r);
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    r.rt = rt;
    r.input = input ? input : "<input>";
    if (opt)
        r.opt = *opt;
    r.res = res;
    r.exit_fn = UINT32_MAX;
    r.buf = malloc(MAX_LINE + 2);
    r.tasks.slots = calloc(TASKS_START, sizeof *r.tasks.slots);
    r.tasks.mask = TASKS_START - 1;

    int rc = -1;
    if (!r.buf || !r.tasks.slots)
        snprintf(res->error, sizeof res->error, "%s: out of memory", r.input);
    else
        rc = read_all(&r, fd);

    free(r.buf);
    if (r.tasks.slots)
        for (uint32_t i = 0; i <= r.tasks.mask; i++)
            free(r.tasks.slots[i].stack);
    free(r.tasks.slots);
    return rc;
}
