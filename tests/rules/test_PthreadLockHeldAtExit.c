/*
 * test_PthreadLockHeldAtExit.c — behaviour of the generated
 * PthreadLockHeldAtExit module (one instance per thread, no `watch`): the
 * thread-exit event importers add, lockstep_thread_exit, is reported when
 * the thread still holds a lock it acquired; unlocks count at their entry,
 * condition waits release their mutex while they wait.  The harness plays one
 * thread.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "posix/PthreadLockHeldAtExit.h"

static const ls_word MUTEX_A = 0x5603fd213080;
static const ls_word MUTEX_B = 0x5603fd2130c0;
static const ls_word SPIN = 0x5603fd2130e8;
static const ls_word COND = 0x5603fd213100;
static const ls_word EBUSY_ = 16, EPERM_ = 1, ETIMEDOUT_ = 110, EOWNERDEAD_ = 130;
static const ls_word SIGKILL_ = 9;

static const char MSG[] = "The thread ends while it still holds a pthread mutex or spin lock.";

static const char *const ACQUIRES[] = {
    "pthread_mutex_lock", "pthread_mutex_trylock", "pthread_mutex_timedlock",
    "pthread_mutex_clocklock", "pthread_spin_lock", "pthread_spin_trylock",
};

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_PthreadLockHeldAtExit;
    harness_check_model_descriptor(r, "posix", "PthreadLockHeldAtExit",
                                   sizeof(struct ls_state_PthreadLockHeldAtExit),
                                   "held=0 releasing=0");
    CHECK(r->watch_count == 0);
    CHECK(r->handler_count == 6 + 2 + 2 + 3 + 3 + 1);
    for (unsigned i = 0; i < 6; i++)
        CHECK(harness_unguarded(r, ACQUIRES[i], LS_EXIT));
    CHECK(harness_unguarded(r, "pthread_mutex_unlock", LS_ENTRY));
    CHECK(harness_unguarded(r, "pthread_mutex_unlock", LS_EXIT));
    CHECK(harness_unguarded(r, "pthread_spin_unlock", LS_ENTRY));
    CHECK(harness_unguarded(r, "pthread_spin_unlock", LS_EXIT));
    CHECK(harness_unguarded(r, "lockstep_thread_exit", LS_ENTRY));
    CHECK(harness_find_handler(r, "lockstep_thread_exit", LS_EXIT) < 0);
}

/* Every acquire released before the thread exits. */
static void released_before_exit(void)
{
    for (unsigned i = 0; i < 6; i++) {
        struct harness h;
        const char *unlock = strstr(ACQUIRES[i], "spin") ? "pthread_spin_unlock"
                                                         : "pthread_mutex_unlock";
        harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
        CHECK(harness_pthread(&h, ACQUIRES[i], MUTEX_A, 0) == 0);
        CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_B, 0) == 0);
        CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, 0) == 0);
        CHECK(harness_pthread(&h, unlock, MUTEX_A, 0) == 0);
        CHECK(harness_thread_exit(&h, 0, 0) == 0);
        CHECK(h.verdicts == 0);
    }
}

/* Each acquire left held at the exit. */
static void held_at_exit(void)
{
    for (unsigned i = 0; i < 6; i++) {
        struct harness h;
        harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
        CHECK(harness_pthread(&h, ACQUIRES[i], MUTEX_A, 0) == 0);
        CHECK(harness_thread_exit(&h, 0, 0) == 1);
        CHECK_STR(h.messages[0], MSG);
    }
}

/* Killed by a signal while holding a spin lock. */
static void killed_holding(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_spin_lock", SPIN, 0) == 0);
    CHECK(harness_thread_exit(&h, -1, SIGKILL_) == 1);
    CHECK_STR(h.messages[0], MSG);
}

/* Failed acquires hold nothing; EOWNERDEAD does. */
static void acquire_results(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_trylock", MUTEX_A, EBUSY_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_timedlock", MUTEX_A, ETIMEDOUT_) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_trylock", SPIN, EBUSY_) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 0);

    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, EOWNERDEAD_) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 1);
}

/* An unlock of a lock the thread never held (PthreadLockRelease's
 * finding) does not hide one it holds; a failed unlock releases nothing. */
static void unlocks_do_not_hide_held_locks(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 1);

    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, EPERM_) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 1);

    /* a failed unlock of a lock the thread never held gives nothing back */
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, EPERM_) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 0);
}

/* The unlock counts at its entry: a thread that ends inside
 * pthread_mutex_unlock (the process exiting under it, as ltrace showed
 * for xz -T4) holds nothing. */
static void ends_inside_unlock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_event(&h, "pthread_mutex_unlock", LS_ENTRY, 0, 1, MUTEX_A) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 0);
}

/* A condition wait releases its mutex while it waits and holds it again
 * when it returns: a thread that ends while waiting (xz -T4's workers, when
 * the process exits) holds nothing. */
static void cond_wait(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_cond_wait(&h, COND, MUTEX_A) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 0);

    harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_cond_wait(&h, COND, MUTEX_A) == 0);
    CHECK(harness_thread_exit(&h, 0, 0) == 1);

    static const char *const waits[] = {
        "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait",
    };
    for (unsigned i = 0; i < 3; i++) {
        harness_init(&h, &ls_rule_PthreadLockHeldAtExit);
        CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
        CHECK(harness_event(&h, waits[i], LS_ENTRY, 0, 3, COND, MUTEX_A, (ls_word)0) == 0);
        CHECK(harness_thread_exit(&h, 0, 0) == 0);
        CHECK(harness_unguarded(&ls_rule_PthreadLockHeldAtExit, waits[i], LS_ENTRY));
        CHECK(harness_unguarded(&ls_rule_PthreadLockHeldAtExit, waits[i], LS_EXIT));
    }
}

int main(void)
{
    descriptor();
    released_before_exit();
    held_at_exit();
    killed_holding();
    acquire_results();
    unlocks_do_not_hide_held_locks();
    ends_inside_unlock();
    cond_wait();
    return check_done("test_PthreadLockHeldAtExit");
}
