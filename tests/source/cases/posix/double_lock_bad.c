// scan: --entry worker
/*
 * double_lock: worker holds stats_lock and calls record(), which locks it
 * again.  A default mutex deadlocks there (PthreadDoubleLock at the inner
 * lock); nothing after that call ever runs, so nothing else is reported.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long jobs_done, bytes_done;

static void record(unsigned long bytes)
{
    pthread_mutex_lock(&stats_lock);  // expect: PthreadDoubleLock
    bytes_done += bytes;
    pthread_mutex_unlock(&stats_lock);
}

void *worker(void *arg)
{
    unsigned long bytes = *(unsigned long *)arg;

    pthread_mutex_lock(&stats_lock);
    jobs_done++;
    record(bytes);
    pthread_mutex_unlock(&stats_lock);
    return NULL;
}
