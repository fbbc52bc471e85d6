/*
 * stub_runtime.c — a stand-in for the runtime (lockstep/runtime.h) that
 * does almost nothing, so bench_trace_parser can time the trace reader
 * alone.  Linked only into that benchmark, never into the product.
 *
 * It interns names for real (a linear search: the reader calls it once per
 * distinct name) and folds every event into a checksum, so an event costs
 * one call and a few adds, as a runtime with no rules would.
 */
#include <stdlib.h>
#include <string.h>

#include <lockstep/runtime.h>

#include "stub_runtime.h"

struct names {
    char **text;
    size_t *length;
    uint32_t count, cap;
};

struct ls_runtime {
    struct names functions, threads;
    struct stub_totals totals;
};

struct ls_runtime *ls_runtime_new(void)
{
    return calloc(1, sizeof(struct ls_runtime));
}

static void names_free(struct names *n)
{
    for (uint32_t i = 0; i < n->count; i++)
        free(n->text[i]);
    free(n->text);
    free(n->length);
}

void ls_runtime_free(struct ls_runtime *rt)
{
    if (!rt)
        return;
    names_free(&rt->functions);
    names_free(&rt->threads);
    free(rt);
}

const char *ls_runtime_error(const struct ls_runtime *rt)
{
    (void)rt;
    return "stub runtime";
}

void ls_runtime_set_sinks(struct ls_runtime *rt, ls_violation_sink on_violation,
                          ls_notice_sink on_notice, void *context)
{
    (void)rt, (void)on_violation, (void)on_notice, (void)context;
}

void ls_runtime_set_trail_length(struct ls_runtime *rt, unsigned length)
{
    (void)rt, (void)length;
}

int ls_runtime_add_rule(struct ls_runtime *rt, const struct ls_rule *rule)
{
    (void)rt, (void)rule;
    return 0;
}

uint32_t ls_runtime_rule_count(const struct ls_runtime *rt)
{
    (void)rt;
    return 0;
}

const struct ls_rule *ls_runtime_rule(const struct ls_runtime *rt, uint32_t index)
{
    (void)rt, (void)index;
    return NULL;
}

const struct ls_rule_stats *ls_runtime_stats(const struct ls_runtime *rt, uint32_t index)
{
    (void)rt, (void)index;
    return NULL;
}

int ls_runtime_map_role(struct ls_runtime *rt, const char *role, const char *function)
{
    (void)rt, (void)role, (void)function;
    return 0;
}

/* Linear search: the reader asks once per distinct name. */
static uint32_t intern(struct names *n, const char *name, size_t length)
{
    for (uint32_t i = 0; i < n->count; i++)
        if (n->length[i] == length && memcmp(n->text[i], name, length) == 0)
            return i;
    if (n->count == n->cap) {
        uint32_t cap = n->cap ? n->cap * 2 : 64;
        char **text = realloc(n->text, cap * sizeof *text);
        if (text)
            n->text = text;
        size_t *len = realloc(n->length, cap * sizeof *len);
        if (len)
            n->length = len;
        if (!text || !len)
            return UINT32_MAX;
        n->cap = cap;
    }
    char *copy = malloc(length + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, name, length);
    copy[length] = '\0';
    n->text[n->count] = copy;
    n->length[n->count] = length;
    return n->count++;
}

uint32_t ls_runtime_function(struct ls_runtime *rt, const char *name, size_t length)
{
    return intern(&rt->functions, name, length);
}

uint32_t ls_runtime_thread(struct ls_runtime *rt, const char *name, size_t length)
{
    return intern(&rt->threads, name, length);
}

const char *ls_runtime_function_name(const struct ls_runtime *rt, uint32_t id)
{
    return id < rt->functions.count ? rt->functions.text[id] : NULL;
}

const char *ls_runtime_thread_name(const struct ls_runtime *rt, uint32_t id)
{
    return id < rt->threads.count ? rt->threads.text[id] : NULL;
}

int ls_runtime_event(struct ls_runtime *rt, uint32_t thread, int irql,
                     struct ls_event *ev, const char *file, uint32_t line)
{
    struct stub_totals *t = &rt->totals;
    t->events++;
    /* no branch or loop on the event's shape: a runtime reads the
     * arguments its rules name, and the benchmark should time the reader */
    t->sum += ev->seq ^ ev->fn ^ thread ^ (uint64_t)(irql + 1) ^ ev->when ^ ev->nargs;
    t->sum += (uint64_t)ev->args[0] + (uint64_t)ev->args[1] * 3 + (uint64_t)ev->ret * 5 +
              ev->flags + line;
    t->located += file != NULL;
    return 0;
}

struct ls_env ls_runtime_env(const struct ls_runtime *rt, uint32_t thread)
{
    (void)rt, (void)thread;
    return (struct ls_env){ NULL, 0 };
}

const struct stub_totals *stub_totals(const struct ls_runtime *rt)
{
    return &rt->totals;
}
