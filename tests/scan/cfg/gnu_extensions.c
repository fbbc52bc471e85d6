/*
 * gnu_extensions.c — GNU C control flow that clang accepts and drivers
 * use: the binary conditional `a ?: b`, case ranges and `asm goto`.
 * (Statement expressions are in control_flow.c, computed goto in
 * giving_up.c.)  The golden gnu_extensions.cfg is what lockstep should
 * print; gnu_extensions.todo lists where it does not yet.
 */
int f(int);
void sink(int);

/* b is evaluated only when a is 0: a branch, like a ? a : b. */
int binary_conditional(int a)
{
    return a ?: f(a);
}

/* `case 1 ... 3` covers 1, 2 and 3. */
int case_range(int a)
{
    switch (a) {
    case 1 ... 3:
        return 1;
    case 10:
        return 2;
    }
    return 0;
}

/* `asm goto` may jump to its labels: lockstep cannot tell whether it
 * does, so the path must stop there (ir.h: N_STOP for "inline assembly
 * that jumps"), not fall through as if the label were never reached. */
int asm_goto(int a)
{
    asm goto("" : : : : out);
    sink(a);
    return a;
out:
    return 0;
}
