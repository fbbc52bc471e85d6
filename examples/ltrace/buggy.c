/*
 * buggy.c — a tiny multithreaded program with three deliberate lock bugs,
 * one for each of lockstep's POSIX rules (README.md beside it traces it
 * with ltrace and checks the trace).  Two workers take jobs from a shared
 * counter; every bug still lets the program finish, so ltrace records a
 * whole run:
 *
 *   1. PthreadDoubleLock: count_done() locks queue_lock, which its caller
 *      already holds.  With pthread_mutex_lock the worker would hang for
 *      ever; the time-out of pthread_mutex_timedlock lets it go on.
 *   2. PthreadLockHeldAtExit: the worker that gets job 5 gives up on an
 *      error path and returns with log_lock still held.
 *   3. PthreadLockRelease: main's clean-up unlocks stats_lock, a spin lock
 *      nobody holds.
 *
 *   cc -pthread -o buggy buggy.c
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <time.h>

enum { JOBS = 6 };

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t stats_lock;
static int next_job, done;

/* Bug 1: called with queue_lock held. */
static void count_done(void)
{
    struct timespec soon;
    clock_gettime(CLOCK_REALTIME, &soon);
    soon.tv_nsec += 1000000;                    /* 1 ms */
    if (soon.tv_nsec >= 1000000000) {
        soon.tv_sec++;
        soon.tv_nsec -= 1000000000;
    }
    if (pthread_mutex_timedlock(&queue_lock, &soon) == 0)
        pthread_mutex_unlock(&queue_lock);
    done++;
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        int job = next_job < JOBS ? next_job++ : -1;
        if (job == 2)
            count_done();
        pthread_mutex_unlock(&queue_lock);
        if (job < 0)
            return NULL;
        pthread_spin_lock(&stats_lock);
        pthread_spin_unlock(&stats_lock);
        if (job == 5) {                         /* bug 2: no unlock */
            pthread_mutex_lock(&log_lock);
            return NULL;
        }
    }
}

int main(void)
{
    pthread_t threads[2];
    pthread_spin_init(&stats_lock, PTHREAD_PROCESS_PRIVATE);
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    pthread_spin_unlock(&stats_lock);           /* bug 3: not locked */
    printf("%d jobs, %d counted\n", next_job, done);
    return 0;
}
