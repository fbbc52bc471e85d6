/*
 * xalloc.h — allocation for the compiler (dsl/ and compiler/): out of
 * memory prints "lockstep: out of memory" and aborts, which STYLE rule 4
 * allows in the compiler and forbids in the runtime library.
 */
#ifndef LS_DSL_XALLOC_H
#define LS_DSL_XALLOC_H

#include <stddef.h>

/* Report out-of-memory and abort (also for sizes that would overflow). */
_Noreturn void xalloc_oom(void);

void *xrealloc(void *p, size_t size);       /* size 0 is treated as 1 */
void *xcalloc(size_t count, size_t size);
char *xstrdup(const char *s);

#endif
