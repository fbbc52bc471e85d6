/*
 * macros.c — control flow written inside macros, as driver code writes it
 * (list walks, status checks, do { } while (0) bodies, case labels).  The
 * nodes of a macro's expansion carry the line of the macro's use.  The
 * golden macros.cfg is what lockstep should print; macros.todo lists where
 * it does not yet.
 */
int f(int);
void sink(int);

#define OK(s) ((s) >= 0)
#define FAILED(s) (!OK(s))
#define CHECK(s)            \
    do {                    \
        if (FAILED(s))      \
            return (s);     \
    } while (0)
#define FOREACH(i, n) for ((i) = 0; (i) < (n); (i)++)
#define CASE_SINK(v) case v: sink(v); break

int status_checks(int a)
{
    int s = f(a);
    CHECK(s);
    if (OK(f(s)))
        return 1;
    return FAILED(s) ? -1 : 0;
}

/* A for loop whose parts all come from a macro. */
int for_in_macro(int n)
{
    int i, total = 0;
    FOREACH(i, n)
        total += i;
    return total;
}

void cases_from_macro(int a)
{
    switch (a) {
    CASE_SINK(1);
    CASE_SINK(2);
    default:
        break;
    }
}
