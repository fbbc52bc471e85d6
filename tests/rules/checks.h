/*
 * checks.h — the checks every behaviour test makes of its module's
 * descriptor, written once.  They CHECK, and check.h counts in static
 * variables, one pair per program; a CHECK in harness.c would count into
 * harness.c's own pair, which no test reports.  So these are static inline
 * and compiled into each test, which includes this header after check.h.
 * Everything that needs no CHECK lives in harness.c.
 */
#ifndef LS_TEST_CHECKS_H
#define LS_TEST_CHECKS_H

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"

/* What all shipped rules share: name, model, severity, spec path
 * (specs/<model>/<name>.slic), ABI, summary, spec hash, a state of
 * state_size bytes that fits the harness, an init that sets every byte
 * whatever was there, and a format_state that writes initial_state for
 * the initial state and keeps snprintf's contract (terminated, truncated,
 * full length returned). */
static inline void harness_check_model_descriptor(const struct ls_rule *r, const char *model,
                                                  const char *name, size_t state_size,
                                                  const char *initial_state)
{
    char spec_path[128];
    snprintf(spec_path, sizeof spec_path, "specs/%s/%s.slic", model, name);

    CHECK_STR(r->name, name);
    CHECK_STR(r->model, model);
    CHECK_STR(r->severity, "error");
    CHECK_STR(r->spec_path, spec_path);
    CHECK(r->abi == LS_RULE_ABI);
    CHECK(r->summary && strlen(r->summary) > 0);
    CHECK(r->spec_sha256 && strlen(r->spec_sha256) == 64);
    CHECK(r->state_size == state_size);
    CHECK(r->state_size <= HARNESS_STATE_BYTES);
    if (r->state_size > HARNESS_STATE_BYTES)
        return;                             /* the buffers below are too small */

    _Alignas(max_align_t) unsigned char s1[HARNESS_STATE_BYTES], s2[HARNESS_STATE_BYTES];
    memset(s1, 0xAA, sizeof s1);
    memset(s2, 0x55, sizeof s2);
    r->init(s1);
    r->init(s2);
    CHECK(memcmp(s1, s2, r->state_size) == 0);

    /* '#' first, so that an empty description must really be written */
    char buf[64], cut[4] = "";
    memset(buf, '#', sizeof buf);
    CHECK(r->format_state(s1, buf, sizeof buf) == (int)strlen(initial_state));
    CHECK_STR(buf, initial_state);
    size_t keep = strlen(initial_state) < sizeof cut - 1 ? strlen(initial_state) : sizeof cut - 1;
    memcpy(cut, initial_state, keep);       /* the truncation expected */
    cut[keep] = '\0';
    memset(buf, '#', sizeof buf);
    CHECK(r->format_state(s1, buf, sizeof cut) == (int)strlen(initial_state));
    CHECK_STR(buf, cut);
    CHECK(buf[sizeof cut] == '#');          /* nothing past size */
}

/* The same for a Storport rule. */
static inline void harness_check_descriptor(const struct ls_rule *r, const char *name,
                                            size_t state_size, const char *initial_state)
{
    harness_check_model_descriptor(r, "storport", name, state_size, initial_state);
}

/* The rules that check the miniport routines at their return: each
 * routine's exit has a handler, unguarded so that it reaches every
 * instance, with an HW_ role; its entry has none. */
static inline void harness_check_routine_exits(const struct ls_rule *r)
{
    for (size_t i = 0; i < HARNESS_ROUTINES; i++) {
        const char *role = harness_role(r, harness_routines[i], LS_EXIT);
        CHECK(harness_unguarded(r, harness_routines[i], LS_EXIT));
        CHECK(role && strncmp(role, "HW_", 3) == 0);
        CHECK(harness_find_handler(r, harness_routines[i], LS_ENTRY) < 0);
    }
}

/* The rules that check the miniport routines at their return, in use: for
 * each routine, a fresh harness runs it with hold(h) taking one lock inside
 * it; the return gives one verdict, keyed `key`, naming the routine and
 * saying it returns "while still holding <held>.". */
static inline void harness_check_every_routine(const struct ls_rule *r,
                                               int (*hold)(struct harness *h),
                                               ls_word key, const char *held)
{
    for (size_t i = 0; i < HARNESS_ROUTINES; i++) {
        struct harness h;
        char want[200];
        harness_init(&h, r);
        CHECK(harness_routine_entry(&h, harness_routines[i]) == 0);
        CHECK(hold(&h) == 0);
        CHECK(harness_routine_exit(&h, harness_routines[i]) == 1);
        snprintf(want, sizeof want, "%s returns to Storport while still holding %s.",
                 harness_routines[i], held);
        CHECK_STR(h.messages[0], want);
        CHECK(h.verdict_keys[0] == key);
    }
}

/* The rules that read the current IRQL split it on one value, level, as a
 * static analyser would: their only value case is sdv_irql_current. */
static inline void harness_check_irql_case(const struct ls_rule *r, ls_word level)
{
    CHECK(r->case_count == 1);
    if (r->case_count >= 1) {
        const struct ls_value_cases *c = &r->cases[0];
        CHECK(c->function == NULL);         /* an environment operand */
        CHECK(c->operand.kind == LS_OP_IRQL && c->operand.index == 0);
        CHECK(c->count == 1 && c->values[0] == level);
    }
}

#endif
