/*
 * giving_up.c — code lockstep cannot follow: a computed goto (it cannot
 * tell where the jump goes) and setjmp (it does not follow the second
 * return).  Each becomes a `stop` node whose text says why; the engine
 * reports the function as gave-up with that reason (tests/scan/
 * bad-input.sh checks that), and cfg-check.sh skips these functions.
 */
#include <setjmp.h>

void sink(int);

int computed_goto(int a)
{
    static void *targets[] = { &&one, &&two };
    goto *targets[a & 1];
one:
    return 1;
two:
    return 2;
}

static jmp_buf env;

int uses_setjmp(int a)
{
    if (setjmp(env) != 0)
        return -1;
    sink(a);
    return 0;
}
