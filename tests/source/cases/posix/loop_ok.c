// scan: --entry worker
/*
 * loop (fixed): every pass locks and unlocks queue_lock once, whether or
 * not its slot is empty, so each lock in the loop finds it free and the
 * thread ends holding nothing.  No finding.
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
        pthread_mutex_lock(&queue_lock);
        if (b->items[i] != NULL)
            ring[ring_tail++ % RING] = b->items[i];
        pthread_mutex_unlock(&queue_lock);
    }
    return NULL;
}
