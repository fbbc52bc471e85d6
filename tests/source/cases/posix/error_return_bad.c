// scan: --entry worker
/*
 * error_return: when malloc fails the worker returns NULL, ending the
 * thread with table_lock still locked; every other thread then blocks on
 * it for ever.  PthreadLockHeldAtExit at that return.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SIZE 64

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static char *table[TABLE_SIZE];
static unsigned table_used;

void *worker(void *arg)
{
    const char *name = arg;
    char *copy;

    pthread_mutex_lock(&table_lock);
    copy = malloc(strlen(name) + 1);
    if (copy == NULL)
        return NULL;  // expect: PthreadLockHeldAtExit
    strcpy(copy, name);
    table[table_used++ % TABLE_SIZE] = copy;
    pthread_mutex_unlock(&table_lock);
    return copy;
}
