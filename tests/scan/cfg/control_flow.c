/*
 * control_flow.c — every standard C control-flow construct lockstep's CFG
 * builder (runtime/sources/source/lower.c) handles, one small function
 * each, plus statement expressions.  The golden control_flow.cfg is
 * `lockstep scan --dump-cfg` of this file, and cfg-check.sh compares each
 * function's CFG with clang's.  GNU extensions are in gnu_extensions.c,
 * control flow written inside macros in macros.c, what lockstep gives up
 * on in giving_up.c.
 */
int f(int);
int g(void);
void sink(int);

int if_else_chain(int a)
{
    if (a == 1)
        return 10;
    else if (a == 2)
        return 20;
    else if (a > 100)
        sink(a);
    else
        sink(-a);
    return 0;
}

int if_without_else(int a)
{
    int x = 0;
    if (a)
        x = 1;
    if (a < 0) {
    }
    return x;
}

int while_loop(int n)
{
    int s = 0;
    while (n > 0) {
        s += n;
        n--;
    }
    return s;
}

int do_while_loop(int n)
{
    do {
        n = f(n);
    } while (n < 10);
    return n;
}

void do_while_zero(int a)
{
    do {
        if (a)
            break;
        sink(a);
    } while (0);
    sink(1);
}

int do_while_continue(int a)
{
    do {
        if (a == 3)
            continue;   /* to the condition, not the top of the body */
        sink(a);
    } while (--a);
    return a;
}

int for_all_parts(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += i;
    return s;
}

int for_no_init(int i, int n)
{
    for (; i < n; i++)
        sink(i);
    return i;
}

int for_no_cond(int n)
{
    for (int i = 0;; i++) {
        if (i == n)
            return i;
    }
}

int for_no_inc(int n)
{
    int i;
    for (i = 0; i < n;)
        i = f(i);
    return i;
}

void for_nothing(void)
{
    for (;;)
        if (g())
            break;
}

int for_only_cond(int n)
{
    for (; n;)
        n = f(n);
    return n;
}

int nested_break_continue(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (i == 3)
            continue;
        while (s < 100) {
            if (f(s))
                break;
            if (g())
                continue;
            s++;
        }
        if (s > 50)
            break;
    }
    return s;
}

int return_in_loop(int n)
{
    while (n) {
        if (f(n) == 0)
            return n;
        n--;
    }
    return -1;
}

int switch_fallthrough(int a)
{
    int x = 0;
    switch (a) {
    case 1:
        x += 1;
        /* fall through */
    case 2:
        x += 2;
        break;
    case 3:
    case 4:
        x = 4;
        break;
    default:
        x = -1;
    }
    return x;
}

int switch_default_in_middle(int a)
{
    int x = 0;
    switch (a) {
    case 1:
        x = 1;
        break;
    default:
        x = 2;
        /* fall through */
    case 5:
        x += 5;
    }
    return x;
}

void switch_no_default(int a)
{
    switch (a) {
    case 0:
        sink(0);
        break;
    case 7:
        sink(7);
    }
    sink(a);
}

int switch_nested(int a, int b)
{
    switch (a) {
    case 1:
        switch (b) {
        case 1:
            return 11;
        case 2:
            break;
        }
        return 1;
    case 2:
        for (;;) {
            if (g())
                break;      /* leaves the loop, not the switch */
        }
        return 2;
    }
    return 0;
}

/* Duff's device: case labels inside a do-while body. */
void duff(int *to, const int *from, int count)
{
    int n = (count + 3) / 4;
    switch (count % 4) {
    case 0: do { *to = *from++;
    case 3:      *to = *from++;
    case 2:      *to = *from++;
    case 1:      *to = *from++;
            } while (--n > 0);
    }
}

int switch_continue(int n)
{
    int s = 0;
    while (n-- > 0) {
        switch (f(n)) {
        case 0:
            continue;       /* the loop's, through the switch */
        case 1:
            s++;
            break;
        }
        s += 2;
    }
    return s;
}

int goto_forward(int a)
{
    if (a)
        goto out;
    sink(a);
out:
    return a;
}

int goto_backward(int a)
{
again:
    a = f(a);
    if (a > 0)
        goto again;
    return a;
}

int goto_into_loop(int n)
{
    int i = 0;
    if (n > 10)
        goto inside;
    while (i < n) {
        sink(i);
inside:
        i++;
    }
    return i;
}

int label_never_jumped_to(int a)
{
    sink(a);
unused:
    a++;
    return a;
}

int dead_code_after_return(int a)
{
    return a;
    if (a)
        sink(a);
}

int logic_in_conditions(int a, int b, int c)
{
    if (a && b)
        return 1;
    if (a || b)
        return 2;
    if (!a)
        return 3;
    if (a && (b || !c))
        return 4;
    if (!(a || b) && c)
        return 5;
    return 0;
}

int logic_in_values(int a, int b, int c)
{
    int x = a && b;
    int y = a || b || c;
    int z = !a;
    return x + y + z;
}

int conditional_in_condition(int a, int b, int c)
{
    if (a ? b : c)
        return 1;
    while (!(a ? b : c))
        a = f(a);
    return 0;
}

int conditional_in_value(int a, int b)
{
    int x = a ? b : -b;
    sink(a > b ? f(a) : f(b));
    return x;
}

int comma_expressions(int a)
{
    int x = (sink(a), a + 1);
    if (sink(x), x > 3)
        return x;
    for (int i = 0, j = 10; i < j; i++, j--)
        sink(i);
    return 0;
}

int call_and_assign_in_condition(int a)
{
    int x;
    if ((x = f(a)) != 0)
        return x;
    while ((x = g()) > 0 && f(x))
        sink(x);
    return -1;
}

int statement_expression(int a)
{
    int x = ({
        int t = f(a);
        if (t < 0)
            t = 0;
        t;
    });
    return x;
}
