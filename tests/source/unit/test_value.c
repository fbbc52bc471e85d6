/*
 * test_value.c — source mode's values and places (runtime/sources/source/
 * value.c): comparisons and refinement of ranges, folding, the places of
 * access paths (the lock identities rules see), k-limiting, the words a
 * rule gets and their display.
 */
#include "check.h"
#include "ir.h"
#include "value.h"

static void test_compare_and_refine(void)
{
    struct value five = value_const(5), zero = value_const(0), u = value_unknown();
    CHECK(value_compare(OP_EQ, &five, &five) == 1);
    CHECK(value_compare(OP_NE, &five, &zero) == 1);
    CHECK(value_compare(OP_LT, &zero, &five) == 1);
    CHECK(value_compare(OP_EQ, &u, &five) == -1);
    CHECK(value_truth(&u) == -1 && value_truth(&five) == 1 && value_truth(&zero) == 0);

    /* if (x != 0) then if (x): the second test is decided */
    struct value x = value_unknown();
    CHECK(value_refine(&x, OP_NE, 0) == 1);
    CHECK(value_truth(&x) == 1);
    CHECK(value_refine(&x, OP_EQ, 0) == 0);         /* infeasible */

    /* ranges: x >= 0 then x < 0 is infeasible (NT_SUCCESS twice) */
    struct value s = value_unknown();
    CHECK(value_refine(&s, OP_GE, 0) == 1);
    CHECK(value_refine(&s, OP_LT, 0) == 0);
    struct value t = value_unknown();
    CHECK(value_refine(&t, OP_LT, 0) == 1);
    CHECK(value_compare(OP_GE, &t, &zero) == 0);

    /* an unknown that is a pointer keeps its identity when found non-NULL */
    struct value p = value_sym(7);
    CHECK(value_refine(&p, OP_NE, 0) == 1);
    CHECK(p.kind == V_SYM && p.place == 7 && value_truth(&p) == 1);
    struct value q = value_sym(7);
    CHECK(value_refine(&q, OP_EQ, 0) == 1);
    CHECK(q.kind == V_INT && value_is_const(&q, NULL));

    /* the same unknown equals itself; two addresses of different places differ */
    struct value a = value_sym(3), b = value_sym(3), c = value_addr(4), d = value_addr(5);
    CHECK(value_compare(OP_EQ, &a, &b) == 1);
    CHECK(value_compare(OP_EQ, &c, &d) == 0);
    CHECK(value_compare(OP_NE, &c, &zero) == 1);    /* an address is never NULL */
}

static void test_fold(void)
{
    struct value a = value_const(6), b = value_const(7), zero = value_const(0);
    struct value r = value_apply(OP_MUL, &a, &b);
    int64_t c = 0;
    CHECK(value_is_const(&r, &c) && c == 42);
    r = value_apply(OP_DIV, &a, &zero);             /* no trap, just unknown */
    CHECK(!value_is_const(&r, NULL));
    struct value big = value_const(INT64_MIN), m1 = value_const(-1);
    r = value_apply(OP_DIV, &big, &m1);
    CHECK(!value_is_const(&r, NULL));
    r = value_apply(OP_SHL, &a, &b);
    CHECK(value_is_const(&r, &c) && c == 6 << 7);
    r = value_apply(OP_NOT, &zero, NULL);
    CHECK(value_is_const(&r, &c) && c == 1);
}

static void test_places(void)
{
    struct places *p = places_new();
    CHECK(p != NULL);
    static const char owner[] = "StartIo", lock[] = "Lock";
    /* ext->Lock from the parameter ext, and again through a copy */
    uint32_t ext = place_var(p, owner, 0, "ext");
    struct value ext_value = value_sym(ext);
    uint32_t target = place_deref(p, &ext_value);
    uint32_t l1 = place_field(p, target, lock);
    uint32_t l2 = place_field(p, place_deref(p, &ext_value), lock);
    CHECK(l1 != 0 && l1 == l2);
    CHECK_STR(place_display(p, l1), "ext->Lock");
    uint32_t other = place_field(p, target, "StatsLock");
    CHECK(other != l1);

    /* a local struct's field: ctx.OldIrql, owned by the function */
    uint32_t ctx = place_var(p, owner, 3, "ctx");
    uint32_t field = place_field(p, ctx, "OldIrql");
    CHECK_STR(place_display(p, field), "ctx.OldIrql");
    int32_t var = -2;
    CHECK(place_owner(p, field, &var) == owner && var == 3);
    CHECK(place_owner(p, l1, &var) == NULL);        /* behind a pointer: nobody's */

    /* two functions' locals of one name are different places */
    CHECK(place_var(p, "A", 0, "i") != place_var(p, "B", 0, "i"));

    /* the word a rule sees, and its display */
    struct value addr = value_addr(l1);
    char buf[64];
    CHECK_STR(word_display(p, value_word(&addr), buf, sizeof buf), "&ext->Lock");
    struct value seven = value_const(7);
    CHECK(value_word(&seven) == 7);
    struct value u = value_unknown();
    CHECK(value_word(&u) == LS_UNKNOWN_WORD);

    /* k-limiting: following pointers without end names finitely many places */
    struct value v = value_sym(ext);
    uint32_t last = 1;
    int steps = 0;
    while (last != 0 && steps < 100) {
        last = place_deref(p, &v);
        if (last)
            v = value_sym(place_field(p, last, "Next"));
        steps++;
    }
    CHECK(last == 0 && steps <= PLACE_DEREFS_MAX + 2);

    /* functions as values */
    uint32_t fn = place_function(p, "Helper");
    CHECK_STR(place_function_name(p, fn), "Helper");
    CHECK(place_function_name(p, l1) == NULL);
    places_free(p);
}

int main(void)
{
    test_compare_and_refine();
    test_fold();
    test_places();
    return check_done("test_value");
}
