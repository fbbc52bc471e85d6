// scan: --entry worker
/*
 * loop: each pass locks queue_lock, but `continue` on an empty slot skips
 * the unlock.  The next pass locks it again (PthreadDoubleLock), and if
 * the empty slot was the last one the thread ends holding it
 * (PthreadLockHeldAtExit).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

#define RING 32

struct batch {
    size_t count;
    void **items;
};

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static void *ring[RING];
static size_t ring_tail;

void *worker(void *arg)
{
    struct batch *b = arg;
    size_t i;

    for (i = 0; i < b->count; i++) {
        pthread_mutex_lock(&queue_lock);  // expect: PthreadDoubleLock
        if (b->items[i] == NULL)
            continue;
        ring[ring_tail++ % RING] = b->items[i];
        pthread_mutex_unlock(&queue_lock);
    }
    return NULL;  // expect: PthreadLockHeldAtExit
}
