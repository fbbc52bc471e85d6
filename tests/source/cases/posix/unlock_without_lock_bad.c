// scan: --entry worker
/*
 * unlock_without_lock: an empty job jumps to `out`, which unlocks log_lock,
 * before the worker has locked it: PthreadLockRelease at that unlock.
 * (Unlocking a mutex one does not hold is undefined for a default mutex.)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>
#include <string.h>

struct job {
    const char *text;
    size_t len;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[4096];
static size_t log_used;

void *worker(void *arg)
{
    struct job *job = arg;

    if (job == NULL || job->len == 0)
        goto out;
    pthread_mutex_lock(&log_lock);
    if (job->len <= sizeof log_buf - log_used) {
        memcpy(log_buf + log_used, job->text, job->len);
        log_used += job->len;
    }
out:
    pthread_mutex_unlock(&log_lock);  // expect: PthreadLockRelease
    return NULL;
}
