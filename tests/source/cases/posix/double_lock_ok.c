// scan: --entry worker
/*
 * double_lock (fixed): record_locked() documents that its caller holds
 * stats_lock and does not lock it itself.  One lock, one unlock per
 * thread: no finding.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long jobs_done, bytes_done;

/* The caller holds stats_lock. */
static void record_locked(unsigned long bytes)
{
    bytes_done += bytes;
}

void *worker(void *arg)
{
    unsigned long bytes = *(unsigned long *)arg;

    pthread_mutex_lock(&stats_lock);
    jobs_done++;
    record_locked(bytes);
    pthread_mutex_unlock(&stats_lock);
    return NULL;
}
