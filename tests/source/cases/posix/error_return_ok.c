// scan: --entry worker
/*
 * error_return (fixed): the malloc failure path unlocks table_lock before
 * the thread returns.  Both returns leave the lock free.
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
    if (copy == NULL) {
        pthread_mutex_unlock(&table_lock);
        return NULL;
    }
    strcpy(copy, name);
    table[table_used++ % TABLE_SIZE] = copy;
    pthread_mutex_unlock(&table_lock);
    return copy;
}
