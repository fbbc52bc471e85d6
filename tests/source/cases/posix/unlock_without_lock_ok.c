// scan: --entry worker
/*
 * unlock_without_lock (fixed): an empty job jumps past the unlock, to
 * `done`; only the path that locked log_lock unlocks it.  No finding.
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
        goto done;
    pthread_mutex_lock(&log_lock);
    if (job->len <= sizeof log_buf - log_used) {
        memcpy(log_buf + log_used, job->text, job->len);
        log_used += job->len;
    }
    pthread_mutex_unlock(&log_lock);
done:
    return NULL;
}
