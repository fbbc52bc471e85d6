// scan: --entry worker
/*
 * wrappers (fixed): the cache-full path returns right after its unlock, so
 * each path through the wrappers unlocks cache_lock exactly once.  No
 * finding.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

#define CACHE_SIZE 128

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache[CACHE_SIZE];
static size_t cache_used;

static void lock_cache(void)
{
    pthread_mutex_lock(&cache_lock);
}

static void unlock_cache(void)
{
    pthread_mutex_unlock(&cache_lock);
}

/* The caller holds cache_lock.  Returns 0, or -1 when the cache is full. */
static int cache_store(int key)
{
    if (cache_used == CACHE_SIZE)
        return -1;
    cache[cache_used++] = key;
    return 0;
}

void *worker(void *arg)
{
    int key = *(int *)arg;

    lock_cache();
    if (cache_store(key) != 0) {
        unlock_cache();
        return NULL;
    }
    unlock_cache();
    return NULL;
}
