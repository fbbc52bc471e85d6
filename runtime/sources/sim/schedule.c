/*
 * schedule.c — where the decisions of a simulated run come from (sim.h):
 * a recorded prefix first, then random choices from (seed, run) or
 * outcome 0; the trail of what was chosen, its text, and the depth-first
 * enumeration of the exhaustive search.
 *
 * Random choices: a fault ("fail X") happens with probability 1/8, so a
 * run mostly takes the ordinary paths and still reaches every error path
 * in a few hundred runs; any other choice is uniform.  The generator is
 * splitmix64 seeded from seed and run, so run R of seed S is the same
 * run on every machine.
 *
 * The text: "seed S run R; choices P/N P/N ...; steps NOTE NOTE ...".
 * Only the choices matter for a replay; the options count of each lets a
 * replay notice that the driver no longer offers the same choices
 * (sim_schedule.diverged).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void sim_schedule_init(struct sim_schedule *s)
{
    memset(s, 0, sizeof *s);
}

void sim_schedule_free(struct sim_schedule *s)
{
    free(s->prefix);
    free(s->trail);
    free(s->steps);
    memset(s, 0, sizeof *s);
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sim_schedule_start(struct sim_schedule *s, uint64_t seed, uint64_t run)
{
    s->seed = seed;
    s->run = run;
    s->count = 0;
    s->diverged = 0;
    s->steps_len = 0;
    if (s->steps)
        s->steps[0] = '\0';
    uint64_t x = seed;
    s->rng = splitmix(&x) ^ (run * 0xd6e8feb86659fd93ull);
}

void sim_schedule_record(struct sim_schedule *s, unsigned pick, unsigned options)
{
    if (s->count == s->cap) {
        unsigned cap = s->cap ? 2 * s->cap : 64;
        struct sim_choice *t = realloc(s->trail, cap * sizeof *t);
        if (!t)
            return;         /* the trail is short; the run goes on */
        s->trail = t;
        s->cap = cap;
    }
    s->trail[s->count++] = (struct sim_choice){ (uint16_t)pick, (uint16_t)options };
}

unsigned sim_schedule_choose(void *schedule, unsigned options, const char *what)
{
    struct sim_schedule *s = schedule;
    unsigned pick = 0;
    if (s->count < s->prefix_len) {
        const struct sim_choice *c = &s->prefix[s->count];
        if (c->options != options)
            s->diverged = 1;
        pick = c->pick < options ? c->pick : options - 1;
    } else if (s->random) {
        uint64_t r = splitmix(&s->rng);
        pick = strncmp(what, "fail ", 5) == 0 ? (r % 8 == 0) : (unsigned)(r % options);
    }
    sim_schedule_record(s, pick, options);
    return pick;
}

void sim_schedule_note(void *schedule, const char *text)
{
    struct sim_schedule *s = schedule;
    size_t n = strlen(text);
    if (s->steps_len + n + 2 > s->steps_cap) {
        size_t cap = s->steps_cap ? 2 * s->steps_cap : 256;
        while (cap < s->steps_len + n + 2)
            cap *= 2;
        char *p = realloc(s->steps, cap);
        if (!p)
            return;
        s->steps = p;
        s->steps_cap = cap;
    }
    if (s->steps_len)
        s->steps[s->steps_len++] = ' ';
    memcpy(s->steps + s->steps_len, text, n + 1);
    s->steps_len += n;
}

int sim_schedule_next(struct sim_schedule *s)
{
    unsigned i = s->count;
    while (i > 0 && s->trail[i - 1].pick + 1 >= s->trail[i - 1].options)
        i--;
    if (i == 0)
        return 0;
    if (i > s->prefix_len) {
        struct sim_choice *p = realloc(s->prefix, i * sizeof *p);
        if (!p)
            return -1;
        s->prefix = p;
    }
    memcpy(s->prefix, s->trail, i * sizeof *s->prefix);
    s->prefix[i - 1].pick++;
    s->prefix_len = i;
    return 1;
}

char *sim_schedule_text(const struct sim_schedule *s)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fprintf(f, "seed %llu run %llu; choices", (unsigned long long)s->seed,
            (unsigned long long)s->run);
    for (unsigned i = 0; i < s->count; i++)
        fprintf(f, " %u/%u", s->trail[i].pick, s->trail[i].options);
    fprintf(f, "; steps %s", s->steps_len ? s->steps : "(none)");
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int sim_schedule_parse(struct sim_schedule *s, const char *text, char *err, size_t errlen)
{
    unsigned long long seed, run;
    int used = 0;
    if (sscanf(text, "seed %llu run %llu; choices%n", &seed, &run, &used) != 2 || used == 0) {
        snprintf(err, errlen, "not a simulation schedule: '%.60s'", text);
        return -1;
    }
    s->seed = seed;
    s->run = run;
    s->random = 0;
    s->prefix_len = 0;
    const char *p = text + used;
    unsigned cap = 0;
    for (;;) {
        unsigned pick, options;
        int n = 0;
        if (sscanf(p, " %u/%u%n", &pick, &options, &n) != 2 || n == 0)
            break;
        if (options < 2 || pick >= options || options > UINT16_MAX) {
            snprintf(err, errlen, "schedule choice %u/%u is out of range", pick, options);
            return -1;
        }
        if (s->prefix_len == cap) {
            cap = cap ? 2 * cap : 64;
            struct sim_choice *c = realloc(s->prefix, cap * sizeof *c);
            if (!c) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            s->prefix = c;
        }
        s->prefix[s->prefix_len++] = (struct sim_choice){ (uint16_t)pick, (uint16_t)options };
        p += n;
    }
    while (*p == ' ')
        p++;
    if (*p != ';' && *p != '\0') {
        snprintf(err, errlen, "schedule: unexpected '%.20s' among the choices", p);
        return -1;
    }
    return 0;
}
