/*
 * gen_trace.c — writes a large, realistic native text trace (DESIGN
 * section 7) to stdout, deterministically from a seed: the input of the
 * trace benchmarks and of end-to-end tests that want volume.
 *
 *   gen_trace [-n EVENTS] [-t THREADS] [-s SEED] [--bug-rate R]
 *             [--irql recorded|unknown] [--locks N]
 *
 * T threads (cpu0, cpu1, ...) run Storport miniport routines (AhciHwStartIo,
 * AhciHwBuildIo, ...) and inside them nest spin locks over N lock
 * addresses: KeAcquireSpinLock / KeReleaseSpinLock with the OldIrql pointer
 * and the NewIrql it saved, KeAcquireSpinLockRaiseToDpc, in-stack queued
 * locks with a lock handle on the thread's stack, the DPC-level variants,
 * StorPortAcquireSpinLock, KeRaiseIrql / KeLowerIrql, and register and
 * notification calls with return values.  Threads interleave at event
 * granularity (the entry and exit of one call may have other threads'
 * events between them), and a lock is never taken while another thread
 * holds it.
 *
 * Each thread mirrors the runtime's IRQL model (runtime/core/env.c: a
 * call's effect applies at its exit; a release pops and sets the top to
 * its NewIrql), so the recorded IRQL column agrees with the model and a
 * correct trace gives no violation under the shipped rules.  With
 * --bug-rate R, each eligible operation is, with probability R, replaced
 * by one deliberate bug, chosen so that it gives exactly one violation
 * and leaves the model consistent for what follows:
 *   release-without-acquire  KeReleaseSpinLock of a never-acquired lock in
 *                            place of the KeLowerIrql that ends a raise to
 *                            DISPATCH_LEVEL (SpinLockRelease)
 *   wrong-new-irql           the outermost KeReleaseSpinLock passes a NewIrql
 *                            other than the saved one (IrqlKeReleaseSpinLock);
 *                            the IRQL it leaves is lowered again later
 *   double-acquire           KeAcquireSpinLock of a lock the thread holds;
 *                            the call never returns (SpinLock)
 * The counts of each go to stderr at the end, with the number of
 * violations the shipped rules must report ("expected violations: N").
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_THREADS = 1024,
    MAX_FRAMES = 8,                 /* open scopes per thread               */
    MAX_LEVELS = 64,                /* IRQL stack depth per thread          */
    MAX_LOCKS = 1 << 20,
    OUT_SIZE = 1 << 20
};

#define PASSIVE 0
#define APC 1
#define DISPATCH 2

/* ---- output ------------------------------------------------------------------ */

static char out[OUT_SIZE + 512];
static size_t out_len;

static void flush(void)
{
    if (fwrite(out, 1, out_len, stdout) != out_len) {
        perror("gen_trace: write");
        exit(1);
    }
    out_len = 0;
}

static void put(const char *s)
{
    size_t n = strlen(s);
    memcpy(out + out_len, s, n);
    out_len += n;
}

static void put_dec(uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        out[out_len++] = tmp[--n];
}

static void put_hex(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    int n = 0;
    do
        tmp[n++] = digits[v & 15];
    while (v >>= 4);
    out[out_len++] = '0';
    out[out_len++] = 'x';
    while (n)
        out[out_len++] = tmp[--n];
}

/* ---- randomness: splitmix64 ------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static double unit(void)
{
    return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- the world ---------------------------------------------------------------- */

/* One argument or return value: printed in hex (pointers) or decimal. */
struct val {
    uint64_t v;
    int hex;
};

#define P(x) ((struct val){ (x), 1 })
#define D(x) ((struct val){ (uint64_t)(x), 0 })

/* How a call moves the IRQL stack at its exit (as runtime/core/env.c). */
enum effect { NONE, PUSH_DISPATCH, PUSH_ARG1, POP, POP_TO_ARG1, POP_TO_ARG2 };

/* A call: printed as an entry now and an exit later. */
struct call {
    const char *fn;
    struct val args[6];
    int nargs;
    int has_ret;
    struct val ret;
    enum effect effect;
    int returns;                    /* 0: the call never returns (a deadlock) */
};

/* A scope a thread has opened and must close. */
enum frame_kind { F_ROUTINE, F_LOCK, F_RAISETODPC, F_QUEUED, F_DPCLOCK, F_STORPORT, F_RAISE };

struct frame {
    enum frame_kind kind;
    uint32_t lock;                  /* index into the lock table            */
    uint64_t handle;                /* lock handle / OldIrql pointer        */
    uint8_t old;                    /* IRQL to restore                      */
    int routine;                    /* F_ROUTINE: which                     */
    int budget;                     /* F_ROUTINE: operations left           */
};

struct thread {
    char name[16];
    int wrong_irql;                 /* had a wrong-new-irql bug              */
    uint8_t levels[MAX_LEVELS];     /* the IRQL model, levels[depth-1] current */
    int depth;
    struct frame frames[MAX_FRAMES];
    int nframes;
    int pending;                    /* an entry printed, its exit due        */
    struct call call;
    struct frame after;             /* pushed when the pending call returns  */
    int push_after;
    uint64_t stack;                 /* base of the thread's stack            */
};

struct routine {
    const char *name;
    int nargs;
    int has_ret;
};

static const struct routine routines[] = {
    { "AhciHwStartIo", 2, 1 },
    { "AhciHwBuildIo", 2, 1 },
    { "AhciHwInterrupt", 1, 1 },
    { "AhciHwDpcRoutine", 4, 0 },
    { "AhciHwTimer", 1, 0 },
    { "AhciHwResetBus", 2, 1 },
};
#define ROUTINES (int)(sizeof routines / sizeof routines[0])

static const char *const files[] = {
    "ahci.c", "ahci_io.c", "ahci_int.c", "miniport.c", "storport_glue.c", "dpc.c",
};

static struct thread *threads;
static int nthreads = 4;
static uint32_t nlocks = 4096;
static int32_t *owner;              /* per lock: holding thread or -1       */
static unsigned char *tainted;      /* per lock: had its double acquire     */
static uint64_t seq;
static int irql_recorded = 1;
static double bug_rate;
static uint64_t bogus_locks;
static unsigned long long bugs_release, bugs_irql, bugs_double;

static const uint64_t device_extension = UINT64_C(0xffffa0080000);

static uint64_t lock_address(uint32_t i)
{
    return UINT64_C(0xffffa0100000) + (uint64_t)i * 0x40;
}

static uint8_t current(const struct thread *t)
{
    return t->levels[t->depth - 1];
}

/* Applies a call's effect to the thread's IRQL stack, as the runtime's
 * environment model does at the call's exit. */
static void apply(struct thread *t, const struct call *c)
{
    switch (c->effect) {
    case PUSH_DISPATCH:
        t->levels[t->depth++] = DISPATCH;
        break;
    case PUSH_ARG1:
        t->levels[t->depth++] = (uint8_t)c->args[0].v;
        break;
    case POP:
    case POP_TO_ARG1:
    case POP_TO_ARG2:
        if (t->depth > 1)
            t->depth--;
        else
            t->levels[0] = PASSIVE;
        if (c->effect != POP)
            t->levels[t->depth - 1] = (uint8_t)c->args[c->effect == POP_TO_ARG1 ? 0 : 1].v;
        break;
    default:
        break;
    }
}

static void put_line(struct thread *t, const struct call *c, int exit_event)
{
    put_dec(++seq);
    out[out_len++] = ' ';
    put(t->name);
    out[out_len++] = ' ';
    if (irql_recorded)
        put_dec(current(t));
    else
        out[out_len++] = '-';
    put(exit_event ? " exit " : " entry ");
    put(c->fn);
    for (int i = 0; i < c->nargs; i++) {
        out[out_len++] = ' ';
        if (c->args[i].hex)
            put_hex(c->args[i].v);
        else
            put_dec(c->args[i].v);
    }
    if (exit_event && c->has_ret) {
        put(" = ");
        if (c->ret.hex)
            put_hex(c->ret.v);
        else
            put_dec(c->ret.v);
    }
    if (!exit_event && below(8) == 0) {
        put(" @ ");
        put(files[below(sizeof files / sizeof files[0])]);
        out[out_len++] = ':';
        put_dec(100 + below(2400));
    }
    out[out_len++] = '\n';
    if (out_len >= OUT_SIZE)
        flush();
}

/* Starts a call: prints its entry; its exit comes at the thread's next turn. */
static void begin(struct thread *t, struct call c)
{
    put_line(t, &c, 0);
    if (!c.returns)
        return;
    t->call = c;
    t->pending = 1;
}

static struct call make(const char *fn, enum effect effect, int nargs, ...)
{
    struct call c;
    memset(&c, 0, sizeof c);
    c.fn = fn;
    c.effect = effect;
    c.nargs = nargs;
    c.returns = 1;
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        c.args[i] = va_arg(ap, struct val);
    va_end(ap);
    return c;
}

static void with_ret(struct call *c, struct val ret)
{
    c->has_ret = 1;
    c->ret = ret;
}

/* A lock no thread holds, reserved for t; UINT32_MAX if none was found. */
static uint32_t free_lock(int t)
{
    for (int tries = 0; tries < 8; tries++) {
        uint32_t i = (uint32_t)below(nlocks);
        if (owner[i] < 0) {
            owner[i] = t;
            return i;
        }
    }
    return UINT32_MAX;
}

/* Opens a scope: prints the acquiring call's entry, pushes the frame when
 * the call returns. */
static void open_scope(struct thread *t, struct frame f, struct call c)
{
    t->after = f;
    t->push_after = 1;
    begin(t, c);
}

/* Tries to open a lock or raise scope on thread ti; 0 if none fits now. */
static int open_something(struct thread *t, int ti)
{
    uint8_t irql = current(t);
    uint64_t slot = t->stack - 0x40 - (uint64_t)t->nframes * 0x20;
    struct frame f;
    memset(&f, 0, sizeof f);
    f.handle = slot;
    f.old = irql;
    if (t->nframes >= MAX_FRAMES - 1 || t->depth >= MAX_LEVELS - 2 || irql > DISPATCH)
        return 0;

    unsigned pick = below(10);
    if (pick == 9 || (pick == 8 && irql == DISPATCH)) {
        f.kind = F_RAISE;
        open_scope(t, f, make("KeRaiseIrql", PUSH_ARG1, 2, D(DISPATCH), P(slot)));
        return 1;
    }
    uint32_t lock = free_lock(ti);
    if (lock == UINT32_MAX)
        return 0;
    f.lock = lock;
    uint64_t a = lock_address(lock);
    switch (pick) {
    case 0: case 1: case 2: case 3:
        f.kind = F_LOCK;
        open_scope(t, f, make("KeAcquireSpinLock", PUSH_DISPATCH, 2, P(a), P(slot)));
        break;
    case 4: {
        f.kind = F_RAISETODPC;
        struct call c = make("KeAcquireSpinLockRaiseToDpc", PUSH_DISPATCH, 1, P(a));
        with_ret(&c, D(irql));
        open_scope(t, f, c);
        break;
    }
    case 5: case 6:
        f.kind = F_QUEUED;
        open_scope(t, f, make("KeAcquireInStackQueuedSpinLock", PUSH_DISPATCH, 2, P(a), P(slot)));
        break;
    case 7:
        if (irql == DISPATCH) {
            f.kind = F_DPCLOCK;
            open_scope(t, f, make("KeAcquireSpinLockAtDpcLevel", NONE, 1, P(a)));
        } else {
            f.kind = F_STORPORT;    /* DpcLock (1) or StartIoLock (2): DISPATCH_LEVEL */
            open_scope(t, f, make("StorPortAcquireSpinLock", PUSH_DISPATCH, 4,
                                  P(device_extension), D(1 + below(2)),
                                  P(t->stack - 0x400), P(slot)));
        }
        break;
    default:
        owner[lock] = -1;
        return 0;
    }
    return 1;
}

/* Closes the innermost scope (not a routine): prints the releasing call's
 * entry, perhaps replaced by a deliberate bug. */
static void close_scope(struct thread *t)
{
    struct frame *f = &t->frames[--t->nframes];
    uint64_t a = lock_address(f->lock);
    struct call c;
    switch (f->kind) {
    case F_LOCK:
    case F_RAISETODPC:
        if (t->nframes == 1 && t->depth == 2 && unit() < bug_rate) {
            bugs_irql++;            /* only scope: the wrong level is repaired later */
            t->wrong_irql = 1;
            c = make("KeReleaseSpinLock", POP_TO_ARG2, 2, P(a), D(f->old == PASSIVE ? APC : PASSIVE));
        } else {
            c = make("KeReleaseSpinLock", POP_TO_ARG2, 2, P(a), D(f->old));
        }
        owner[f->lock] = -1;
        break;
    case F_QUEUED:
        c = make("KeReleaseInStackQueuedSpinLock", POP, 1, P(f->handle));
        owner[f->lock] = -1;
        break;
    case F_DPCLOCK:
        c = make("KeReleaseSpinLockFromDpcLevel", NONE, 1, P(a));
        owner[f->lock] = -1;
        break;
    case F_STORPORT:
        c = make("StorPortReleaseSpinLock", POP, 2, P(device_extension), P(f->handle));
        owner[f->lock] = -1;
        break;
    case F_RAISE:
        if (current(t) == DISPATCH && unit() < bug_rate) {
            bugs_release++;         /* ends the raise as KeLowerIrql would */
            c = make("KeReleaseSpinLock", POP_TO_ARG2, 2,
                     P(UINT64_C(0xffffb0000000) + 0x40 * bogus_locks++), D(f->old));
        } else {
            c = make("KeLowerIrql", POP_TO_ARG1, 1, D(f->old));
        }
        break;
    default:
        return;
    }
    begin(t, c);
}

/* A call that changes nothing: register access, notifications. */
static void leaf_call(struct thread *t)
{
    uint64_t reg = UINT64_C(0xffffc0001000) + 4 * below(64);
    uint64_t srb = UINT64_C(0xffffa0c00000) + 0x100 * below(256);
    struct call c;
    switch (below(5)) {
    case 0:
        c = make("StorPortReadRegisterUlong", NONE, 2, P(device_extension), P(reg));
        with_ret(&c, P(rnd() & 0xffffffff));
        break;
    case 1:
        c = make("StorPortWriteRegisterUlong", NONE, 3, P(device_extension), P(reg),
                 P(rnd() & 0xffff));
        break;
    case 2:
        c = make("StorPortGetPhysicalAddress", NONE, 4, P(device_extension), P(srb),
                 P(srb + 0x40), P(t->stack - 0x80));
        with_ret(&c, P(UINT64_C(0x1c0000000) + (rnd() & 0xfffff000)));
        break;
    case 3:
        c = make("StorPortNotification", NONE, 3, D(0), P(device_extension), P(srb));
        break;
    default:
        c = make("StorPortStallExecution", NONE, 1, D(1 + below(50)));
        break;
    }
    begin(t, c);
}

/* A bug with no exit: acquiring a spin lock the thread already holds. */
static int double_acquire(struct thread *t)
{
    for (int i = t->nframes - 1; i >= 0; i--)
        if ((t->frames[i].kind == F_LOCK || t->frames[i].kind == F_RAISETODPC) &&
            !tainted[t->frames[i].lock]) {
            /* SpinLock's instance for the lock stops at its abort: a
             * second double acquire of it would go unreported */
            tainted[t->frames[i].lock] = 1;
            struct call c = make("KeAcquireSpinLock", PUSH_DISPATCH, 2,
                                 P(lock_address(t->frames[i].lock)),
                                 P(t->stack - 0x300));
            c.returns = 0;          /* it spins forever: no exit */
            bugs_double++;
            begin(t, c);
            return 1;
        }
    return 0;
}

/* The call of a routine frame: its entry and its exit carry the same
 * arguments. */
static struct call routine_call(const struct frame *f)
{
    const struct routine *r = &routines[f->routine];
    struct call c = make(r->name, NONE, r->nargs, P(device_extension), P(f->handle),
                         P(0), P(0));
    if (r->has_ret)
        with_ret(&c, D(1));
    return c;
}

/* One event of thread ti. */
static void step(int ti)
{
    struct thread *t = &threads[ti];
    if (t->pending) {
        t->pending = 0;
        apply(t, &t->call);
        put_line(t, &t->call, 1);
        if (t->push_after) {
            t->frames[t->nframes++] = t->after;
            t->push_after = 0;
        }
        return;
    }
    if (t->nframes == 0) {
        if (t->depth == 1 && current(t) != PASSIVE) {
            begin(t, make("KeLowerIrql", POP_TO_ARG1, 1, D(PASSIVE)));
            return;
        }
        struct frame *f = &t->frames[t->nframes++];
        memset(f, 0, sizeof *f);
        f->kind = F_ROUTINE;
        f->routine = (int)below(ROUTINES);
        f->budget = 2 + (int)below(14);
        f->handle = UINT64_C(0xffffa0c00000) + 0x100 * below(256);   /* the Srb */
        struct call c = routine_call(f);
        put_line(t, &c, 0);         /* the routine runs until its budget is spent */
        return;
    }
    struct frame *top = &t->frames[t->nframes - 1];
    struct frame *routine = &t->frames[0];
    if (routine->budget <= 0) {     /* wind down: close scopes, then return */
        if (top->kind != F_ROUTINE) {
            close_scope(t);
            return;
        }
        struct call c = routine_call(routine);
        t->nframes--;
        put_line(t, &c, 1);
        return;
    }
    routine->budget--;
    unsigned pick = below(10);
    if (bug_rate > 0 && current(t) == DISPATCH && unit() < bug_rate / 4 && double_acquire(t))
        return;
    if (top->kind != F_ROUTINE && pick < 3) {
        close_scope(t);
        return;
    }
    if (pick < 7 && open_something(t, ti))
        return;
    leaf_call(t);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: gen_trace [-n EVENTS] [-t THREADS] [-s SEED] [--bug-rate R]\n"
            "                 [--irql recorded|unknown] [--locks N]\n"
            "Writes a native text trace of EVENTS events (default 1000000) to stdout.\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long events = 1000000, seed = 1;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (strcmp(a, "-n") == 0)
            events = strtoull(v, NULL, 10);
        else if (strcmp(a, "-t") == 0)
            nthreads = atoi(v);
        else if (strcmp(a, "-s") == 0)
            seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--bug-rate") == 0)
            bug_rate = atof(v);
        else if (strcmp(a, "--locks") == 0)
            nlocks = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--irql") == 0 && strcmp(v, "recorded") == 0)
            irql_recorded = 1;
        else if (strcmp(a, "--irql") == 0 && strcmp(v, "unknown") == 0)
            irql_recorded = 0;
        else
            usage();
    }
    if (nthreads < 1 || nthreads > MAX_THREADS || nlocks < 16 || nlocks > MAX_LOCKS ||
        bug_rate < 0 || bug_rate > 1)
        usage();

    rng_state = seed;
    threads = calloc((size_t)nthreads, sizeof *threads);
    owner = malloc(nlocks * sizeof *owner);
    tainted = calloc(nlocks, 1);
    if (!threads || !owner || !tainted) {
        fprintf(stderr, "gen_trace: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i < nlocks; i++)
        owner[i] = -1;
    for (int i = 0; i < nthreads; i++) {
        snprintf(threads[i].name, sizeof threads[i].name, "cpu%d", i);
        threads[i].depth = 1;
        threads[i].stack = UINT64_C(0xffffd0000000) + (uint64_t)i * 0x100000 + 0x8000;
    }

    put("# lockstep-trace 1\n");
    char header[200];
    snprintf(header, sizeof header,
             "# gen_trace -n %llu -t %d -s %llu --bug-rate %g --irql %s --locks %u\n",
             events, nthreads, seed, bug_rate, irql_recorded ? "recorded" : "unknown",
             (unsigned)nlocks);
    put(header);

    /* A thread tends to run for a while before another gets a turn, as a
     * CPU's calls cluster in a merged trace. */
    int ti = 0;
    while (seq < events) {
        if (below(4) == 0)
            ti = (int)below((unsigned)nthreads);
        step(ti);
    }
    flush();
    /* IrqlKeReleaseSpinLock keeps one instance per thread, which stops at
     * its first abort: it reports one wrong NewIrql per thread */
    unsigned long long irql_threads = 0;
    for (int i = 0; i < nthreads; i++)
        irql_threads += (unsigned long long)threads[i].wrong_irql;
    fprintf(stderr, "gen_trace: %llu events; bugs: %llu release-without-acquire, "
            "%llu wrong-new-irql (on %llu threads), %llu double-acquire; "
            "expected violations: %llu\n",
            (unsigned long long)seq, bugs_release, bugs_irql, irql_threads, bugs_double,
            bugs_release + irql_threads + bugs_double);
    return 0;
}
