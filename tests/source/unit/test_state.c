/*
 * test_state.c — source mode's abstract states (runtime/sources/source/
 * state.c): bindings, instances keyed by lock in sorted order, the hash
 * that merges equal states, dropping locals, widening, and taking the
 * environment of a callee's exit.
 */
#include "check.h"
#include "state.h"

/* A one-byte state rule, as the shipped per-lock rules are. */
static void init(void *s) { *(unsigned char *)s = 0; }
static int step(void *s, unsigned h, const struct ls_event *ev, const struct ls_env *env,
                struct ls_verdict *out)
{
    (void)h, (void)ev, (void)env, (void)out;
    *(unsigned char *)s = 1;
    return LS_STEP_CONTINUE;
}
static const struct ls_rule rule = {
    .abi = LS_RULE_ABI, .name = "Toy", .state_size = 1, .init = init, .step = step,
};

int main(void)
{
    const struct ls_rule *rules[] = { &rule };
    struct astate *a = state_new(rules, 1, 2);
    CHECK(a != NULL && a->depth == 1 && a->irql[0] == 2);

    /* bindings stay sorted and can be replaced and removed */
    struct value one = value_const(1), two = value_const(2);
    CHECK(state_bind(a, 9, &one) == 0 && state_bind(a, 3, &two) == 0 && state_bind(a, 5, &one) == 0);
    CHECK(a->nvars == 3 && a->vars[0].place == 3 && a->vars[2].place == 9);
    CHECK(state_bind(a, 3, &one) == 0 && state_lookup(a, 3)->lo == 1 && a->nvars == 3);
    state_unbind(a, 5);
    CHECK(a->nvars == 2 && state_lookup(a, 5) == NULL);

    /* instances: created from the default, found again, kept sorted */
    uint8_t *stopped;
    int created;
    unsigned char *i1 = state_instance(a, 0, 500, &stopped, &created);
    CHECK(i1 && created && *i1 == 0);
    *i1 = 1;
    unsigned char *i0 = state_instance(a, 0, 100, &stopped, &created);
    CHECK(i0 && created);
    CHECK(a->slots[0].n == 2 && a->slots[0].keys[0] == 100 && a->slots[0].keys[1] == 500);
    i1 = state_instance(a, 0, 500, &stopped, &created);
    CHECK(!created && *i1 == 1);

    /* equal states hash equal; a copy is independent */
    struct astate *b = state_copy(a);
    CHECK(b != NULL && state_hash(a) == state_hash(b));
    *state_instance(b, 0, 500, &stopped, &created) = 0;
    CHECK(state_hash(a) != state_hash(b));
    state_remove_instance(b, 0, 1);
    CHECK(b->slots[0].n == 1);

    /* widening: a place the two states disagree on becomes unknown */
    struct astate *c = state_copy(a);
    CHECK(state_bind(c, 9, &two) == 0 && state_bind(c, 11, &two) == 0);
    CHECK(state_widen(c, a) == 0);
    CHECK(!value_is_const(state_lookup(c, 9), NULL));
    CHECK(!value_is_const(state_lookup(c, 11), NULL));
    CHECK(value_is_const(state_lookup(c, 3), NULL));
    /* widening again changes nothing: loops end */
    struct astate *d = state_copy(c);
    CHECK(state_widen(d, c) == 0 && state_hash(d) == state_hash(c));

    /* a callee's exit: its IRQL stack and instances, the caller's values */
    struct astate *callee = state_new(rules, 1, 5);
    callee->irql[1] = 2;
    callee->depth = 2;
    CHECK(state_take_env(c, callee) == 0);
    CHECK(c->depth == 2 && c->irql[0] == 5 && c->slots[0].n == 0);
    CHECK(value_is_const(state_lookup(c, 3), NULL));

    state_free(a);
    state_free(b);
    state_free(c);
    state_free(d);
    state_free(callee);
    return check_done("test_state");
}
