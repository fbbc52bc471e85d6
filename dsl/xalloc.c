/*
 * xalloc.c — see xalloc.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

_Noreturn void xalloc_oom(void)
{
    fputs("lockstep: out of memory\n", stderr);
    abort();
}

static void *checked(void *p)
{
    if (!p)
        xalloc_oom();
    return p;
}

void *xrealloc(void *p, size_t size)
{
    return checked(realloc(p, size ? size : 1));
}

void *xcalloc(size_t count, size_t size)
{
    return checked(calloc(count ? count : 1, size ? size : 1));
}

char *xstrdup(const char *s)
{
    return checked(strdup(s));
}
