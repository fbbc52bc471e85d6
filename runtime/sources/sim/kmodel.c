/*
 * kmodel.c — the core of the kernel model (km.h): the simulated
 * processor's IRQL, the spin locks it holds, call events, findings,
 * choices and the pool.  The DDIs themselves are in kmodel_ke.c (IRQL,
 * spin locks, DPCs, events, pool), kmodel_wdm.c (devices, IRPs, cancel,
 * start I/O, timers) and kmodel_storport.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km.h"

struct km_machine km;
uint64_t km_call_count;

const char *const sim_finding_names[SIM_FINDING_COUNT] = {
    "hang", "bug check", "IRQL not restored", "model state corrupted", "misuse",
    "crash", "timeout",
};

static const char *const ddi_names[KM_FN_COUNT] = {
#define KM_NAME(name) #name,
    KM_DDIS(KM_NAME)
#undef KM_NAME
};

/* A pool block: the header before what the driver gets. */
struct km_block {
    uint64_t magic;
    struct km_block *next;
    size_t size;
    uint64_t pad;           /* keeps the payload 16-byte aligned            */
};
#define KM_BLOCK_MAGIC 0x706f6f6c626c6b31ull     /* "poolblk1" */

int km_reset(const struct sim_host *host, jmp_buf *stop)
{
    km_release_pool();
    memset(&km, 0, sizeof km);
    km.guard_lo = km.guard_hi = KM_GUARD;
    km.host = host;
    km.stop = stop;
    for (unsigned i = 0; i < KM_FN_COUNT; i++)
        if ((km.fn[i] = host->sink->function(host->sink->context, ddi_names[i])) == UINT32_MAX)
            return -1;
    return 0;
}

void km_release_pool(void)
{
    for (struct km_block *b = km.pool, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    km.pool = NULL;
}

void km_check_guards(void)
{
    if (km.guard_lo != KM_GUARD || km.guard_hi != KM_GUARD) {
        km.guard_lo = km.guard_hi = KM_GUARD;   /* report once */
        km_finding(SIM_CORRUPT, "the kernel model's processor state was overwritten "
                   "(a wild write in driver code)");
    }
}

_Noreturn void km_stop(void)
{
    longjmp(*km.stop, 1);
}

void km_event(uint32_t id, int when, unsigned nargs, const ls_word *args, int has_ret,
              ls_word ret)
{
    struct ls_event ev;
    ev.seq = ++km.seq;
    ev.fn = id;
    ev.when = (uint8_t)when;
    ev.nargs = (uint8_t)nargs;
    ev.flags = has_ret ? LS_EVENT_HAS_RETURN : 0;
    if (nargs)
        memcpy(ev.args, args, nargs * sizeof *args);
    ev.ret = ret;
    ev.ext = NULL;
    const struct sim_sink *s = km.host->sink;
    if (s->event(s->context, km.irql, &ev) != 0)
        km_stop();
}

void km_entry(enum km_fn fn, unsigned nargs, const ls_word *args)
{
    km_check_guards();
    km_call_count++;
    km_event(km.fn[fn], LS_ENTRY, nargs, args, 0, 0);
}

void km_exit(enum km_fn fn, unsigned nargs, const ls_word *args, int has_ret, ls_word ret)
{
    km_event(km.fn[fn], LS_EXIT, nargs, args, has_ret, ret);
}

void km_finding(enum sim_finding kind, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    km.host->finding(km.host->context, kind, text);
    if (kind == SIM_HANG || kind == SIM_BUGCHECK || kind == SIM_CORRUPT)
        km_stop();
}

unsigned km_choose(unsigned options, const char *what)
{
    unsigned c = km.host->choose(km.host->context, options, what);
    return c < options ? c : 0;
}

int km_choose_enabled(const int *enabled, unsigned count, const char *what)
{
    unsigned list[KM_STEPS_MAX], n = 0;
    for (unsigned a = 0; a < count && n < KM_STEPS_MAX; a++)
        if (enabled[a])
            list[n++] = a;
    if (n == 0)
        return -1;
    return (int)list[n == 1 ? 0 : km_choose(n, what)];
}

int km_fault(enum km_fn ddi)
{
    char what[80];
    snprintf(what, sizeof what, "fail %s", ddi_names[ddi]);
    if (km_choose(2, what) == 0)
        return 0;
    km.faults++;
    if (km.host->note) {
        snprintf(what, sizeof what, "%s fails", ddi_names[ddi]);
        km.host->note(km.host->context, what);
    }
    return 1;
}

void km_raise(uint8_t irql, const char *who)
{
    if (irql < km.irql)
        km_finding(SIM_BUGCHECK, "%s raises the IRQL from %u down to %u "
                   "(IRQL_NOT_GREATER_OR_EQUAL)", who, km.irql, irql);
    km.irql = irql;
}

void km_lower(uint8_t irql, const char *who)
{
    if (irql > km.irql)
        km_finding(SIM_BUGCHECK, "%s lowers the IRQL from %u up to %u "
                   "(IRQL_NOT_LESS_OR_EQUAL)", who, km.irql, irql);
    km.irql = irql;
}

struct km_lock *km_lock_find(const void *lock, const void *handle)
{
    for (unsigned i = 0; i < km.nlocks; i++)
        if (handle ? km.locks[i].handle == handle : km.locks[i].lock == lock)
            return &km.locks[i];
    return NULL;
}

struct km_lock *km_lock_take(enum km_lock_kind kind, const void *lock, const void *handle,
                             const char *who)
{
    if (km_lock_find(lock, NULL))
        km_finding(SIM_HANG, "%s acquires spin lock %p, which this processor already holds: "
                   "a real machine would spin for ever", who, lock);
    if (km.nlocks == KM_LOCKS_MAX)
        km_finding(SIM_HANG, "%s: the processor holds %d spin locks; a lock is never released",
                   who, KM_LOCKS_MAX);
    struct km_lock *l = &km.locks[km.nlocks++];
    l->lock = lock;
    l->handle = handle;
    l->kind = (uint8_t)kind;
    l->old_irql = km.irql;
    l->seq = km.seq;
    return l;
}

void km_lock_drop(struct km_lock *l)
{
    *l = km.locks[--km.nlocks];
}

int km_queue_dpc(void *dpc, km_dpc_routine *routine, void *context, void *arg1, void *arg2,
                 const char *role)
{
    for (unsigned i = 0; i < km.ndpcs; i++)
        if (km.dpcs[i].dpc == dpc)
            return 0;
    if (km.ndpcs == KM_DPCS_MAX || routine == NULL)
        return 0;
    km.dpcs[km.ndpcs++] = (struct km_dpc){ dpc, routine, context, arg1, arg2, role };
    return 1;
}

void *km_alloc(enum km_fn ddi, size_t size)
{
    if (km_fault(ddi) || size > ((size_t)1 << 30))
        return NULL;
    struct km_block *b = calloc(1, sizeof *b + size);
    if (!b)
        return NULL;
    b->magic = KM_BLOCK_MAGIC;
    b->size = size;
    b->next = km.pool;
    km.pool = b;
    return b + 1;
}

void km_free(void *p, const char *who)
{
    struct km_block **link = &km.pool;
    while (*link && *link + 1 != p)
        link = &(*link)->next;
    if (!*link) {
        km_finding(SIM_MISUSE, "%s frees %p, which the pool did not hand out "
                   "or which was freed before", who, p);
        return;
    }
    struct km_block *b = *link;
    if (b->magic != KM_BLOCK_MAGIC) {
        km_finding(SIM_CORRUPT, "%s: the pool header before %p was overwritten "
                   "(a write before the start of the block)", who, p);
    }
    *link = b->next;
    free(b);
}
