/*
 * embed.c — two generated checker modules in a program of its own: the
 * lockstep runtime applies them to five calls and prints what they find.
 * Exit status: 1 when a rule was violated, 0 when none was, 2 on error.
 * Build and run: README.md in this directory; explained in docs/embedding.md.
 */
#include <stdio.h>
#include <string.h>

#include <lockstep/runtime.h>
#include "storport/IrqlKeReleaseSpinLock.h"
#include "storport/QueuedSpinLockRelease.h"

/* The violation sink: the runtime calls it once per violation. */
static void report(void *found, const struct ls_violation *v)
{
    ++*(int *)found;
    printf("event %llu: %s: %s\n", (unsigned long long)v->event->seq,
           v->module->name, v->message);
}

int main(void)
{
    static const struct { uint8_t when; const char *fn; ls_word a1, a2; } calls[] = {
        { LS_EXIT,  "KeAcquireInStackQueuedSpinLock", 0x1000, 0x2000 },  /* lock, handle */
        { LS_ENTRY, "KeReleaseInStackQueuedSpinLock", 0x2000, 0 },
        { LS_EXIT,  "KeReleaseInStackQueuedSpinLock", 0x2000, 0 },
        { LS_ENTRY, "KeReleaseInStackQueuedSpinLock", 0x2000, 0 },       /* released twice */
        { LS_ENTRY, "KeReleaseSpinLock", 0x1000, 0 },                    /* at PASSIVE_LEVEL */
    };
    struct ls_runtime *rt = ls_runtime_new();
    int found = 0, rc = 0;

    if (rt == NULL)
        return 2;
    if (ls_runtime_add_rule(rt, &ls_rule_QueuedSpinLockRelease) < 0 ||
        ls_runtime_add_rule(rt, &ls_rule_IrqlKeReleaseSpinLock) < 0)
        rc = -1;
    ls_runtime_set_sinks(rt, report, NULL, &found);
    uint32_t cpu = ls_runtime_thread(rt, "cpu0", 4);
    for (size_t i = 0; rc == 0 && i < sizeof calls / sizeof calls[0]; i++) {
        struct ls_event ev = { .seq = i + 1, .when = calls[i].when, .nargs = 2,
                               .args = { calls[i].a1, calls[i].a2 } };
        ev.fn = ls_runtime_function(rt, calls[i].fn, strlen(calls[i].fn));
        rc = ls_runtime_event(rt, cpu, LS_IRQL_UNKNOWN, &ev, NULL, 0);
    }
    if (rc != 0)
        fprintf(stderr, "embed: %s\n", ls_runtime_error(rt));
    ls_runtime_free(rt);
    return rc != 0 ? 2 : found > 0;
}
