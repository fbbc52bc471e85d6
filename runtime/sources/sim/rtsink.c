/*
 * rtsink.c — a sim_sink into a runtime (sim.h): the simulated processor
 * is the runtime's thread "cpu0", and every event carries the model's IRQL
 * as its recorded IRQL, so the runtime's environment model is checked
 * against the model on every event.
 */
#include <string.h>

#include <lockstep/runtime.h>

#include "sim.h"

static uint32_t rt_function(void *context, const char *name)
{
    struct sim_runtime_sink *s = context;
    return ls_runtime_function(s->rt, name, strlen(name));
}

static int rt_role(void *context, const char *role, const char *function)
{
    struct sim_runtime_sink *s = context;
    return ls_runtime_map_role(s->rt, role, function);
}

/* A refused or failed event stops the run: the runtime's error says why. */
static int rt_event(void *context, int irql, struct ls_event *ev)
{
    struct sim_runtime_sink *s = context;
    s->events++;
    return ls_runtime_event(s->rt, s->thread, irql, ev, NULL, 0) == 0 ? 0 : -1;
}

int sim_runtime_sink_init(struct sim_runtime_sink *s, struct ls_runtime *rt)
{
    s->sink = (struct sim_sink){ rt_function, rt_role, rt_event, s };
    s->rt = rt;
    s->events = 0;
    s->thread = ls_runtime_thread(rt, "cpu0", 4);
    return s->thread == UINT32_MAX ? -1 : 0;
}
