// scan: --entry worker
/*
 * trylock (fixed): the worker updates and unlocks only when trylock
 * acquired the lock: 0, or EOWNERDEAD (a robust mutex whose owner died:
 * the caller holds it, as PTHREAD_LOCK_ACQUIRED says).  Busy: it counts a
 * drop and leaves.  No finding.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#define BUCKETS 16

struct sample {
    unsigned bucket;
};

static pthread_mutex_t hist_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long hist[BUCKETS], dropped;

void *worker(void *arg)
{
    struct sample *s = arg;
    int rc = pthread_mutex_trylock(&hist_lock);

    if (rc == 0 || rc == EOWNERDEAD) {
        hist[s->bucket % BUCKETS]++;
        pthread_mutex_unlock(&hist_lock);
    } else {
        __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}
