// scan: --entry worker
/*
 * trylock: the worker reads pthread_mutex_trylock's result backwards
 * (0 means acquired).  When the lock is busy it updates and unlocks a lock
 * it does not hold (PthreadLockRelease); when it got the lock it returns
 * holding it (PthreadLockHeldAtExit).
 */
#define _POSIX_C_SOURCE 200809L
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

    if (rc != 0) {
        hist[s->bucket % BUCKETS]++;
        pthread_mutex_unlock(&hist_lock);  // expect: PthreadLockRelease
    } else {
        __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
    }
    return NULL;  // expect: PthreadLockHeldAtExit
}
