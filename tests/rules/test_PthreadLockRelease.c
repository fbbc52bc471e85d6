/*
 * test_PthreadLockRelease.c — behaviour of the generated PthreadLockRelease
 * module (one instance per lock): pthread_mutex_unlock and
 * pthread_spin_unlock of a lock that is not locked, and a condition wait
 * whose mutex is not locked, are reported; a lock is held from the exit of
 * a call that acquired it to the entry of its unlock.  Events go through
 * the harness, which applies SLIC's instance semantics.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "posix/PthreadLockRelease.h"

/* Addresses as ltrace prints them: two mutexes and a spin lock in a
 * program's data, a condition variable beside them. */
static const ls_word MUTEX_A = 0x5603fd213080;
static const ls_word MUTEX_B = 0x5603fd2130c0;
static const ls_word SPIN = 0x5603fd2130e8;
static const ls_word COND = 0x5603fd213100;
static const ls_word EBUSY_ = 16, EPERM_ = 1, ETIMEDOUT_ = 110, EOWNERDEAD_ = 130;

static const char MSG_MUTEX[] = "pthread_mutex_unlock unlocks a lock that is not locked.";
static const char MSG_SPIN[] = "pthread_spin_unlock unlocks a lock that is not locked.";
static const char MSG_WAIT[] = "pthread_cond_wait waits with a mutex that is not locked.";

static const char *const ACQUIRES[] = {
    "pthread_mutex_lock", "pthread_mutex_trylock", "pthread_mutex_timedlock",
    "pthread_mutex_clocklock", "pthread_spin_lock", "pthread_spin_trylock",
};
static const char *const WAITS[] = {
    "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait",
};

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_PthreadLockRelease;
    harness_check_model_descriptor(r, "posix", "PthreadLockRelease",
                                   sizeof(struct ls_state_PthreadLockRelease), "s=unlocked");

    /* six acquire exits, two unlocks (entry and exit), three waits (entry
     * and exit); every one keyed by the lock it names */
    CHECK(r->handler_count == 6 + 4 + 6);
    CHECK(r->watch_count == 6);
    for (unsigned i = 0; i < 6; i++) {
        CHECK(harness_guarded_by_arg(r, ACQUIRES[i], LS_EXIT, 1));
        CHECK(harness_find_handler(r, ACQUIRES[i], LS_ENTRY) < 0);
        CHECK(harness_watch_is(r, i, ACQUIRES[i], LS_EXIT, 1));
    }
    CHECK(harness_guarded_by_arg(r, "pthread_mutex_unlock", LS_ENTRY, 1));
    CHECK(harness_guarded_by_arg(r, "pthread_mutex_unlock", LS_EXIT, 1));
    CHECK(harness_guarded_by_arg(r, "pthread_spin_unlock", LS_ENTRY, 1));
    CHECK(harness_guarded_by_arg(r, "pthread_spin_unlock", LS_EXIT, 1));
    for (unsigned i = 0; i < 3; i++) {
        CHECK(harness_guarded_by_arg(r, WAITS[i], LS_ENTRY, 2));
        CHECK(harness_guarded_by_arg(r, WAITS[i], LS_EXIT, 2));
    }
    CHECK(r->ext_operand_count == 0);
}

/* Every acquire, then the matching unlock: nothing to report, and the
 * lock can be taken again. */
static void lock_unlock_clean(void)
{
    for (unsigned i = 0; i < 6; i++) {
        struct harness h;
        const char *unlock = strstr(ACQUIRES[i], "spin") ? "pthread_spin_unlock"
                                                         : "pthread_mutex_unlock";
        harness_init(&h, &ls_rule_PthreadLockRelease);
        CHECK(harness_pthread(&h, ACQUIRES[i], MUTEX_A, 0) == 0);
        CHECK(harness_pthread(&h, unlock, MUTEX_A, 0) == 0);
        CHECK(harness_pthread(&h, ACQUIRES[i], MUTEX_A, 0) == 0);
        CHECK(harness_pthread(&h, unlock, MUTEX_A, 0) == 0);
        CHECK(h.verdicts == 0);
    }
}

/* An unlock of a lock never locked, for either kind. */
static void unlock_without_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 1);
    CHECK_STR(h.messages[0], MSG_MUTEX);
    CHECK(h.verdict_keys[0] == MUTEX_A);
    CHECK(harness_pthread(&h, "pthread_spin_unlock", SPIN, 0) == 1);
    CHECK_STR(h.messages[1], MSG_SPIN);
    CHECK(h.verdict_keys[1] == SPIN);
}

/* The second of two unlocks is reported at its entry. */
static void unlock_twice(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
    CHECK(harness_event(&h, "pthread_mutex_unlock", LS_ENTRY, 0, 1, MUTEX_A) == 1);
    CHECK_STR(h.messages[0], MSG_MUTEX);
}

/* A trylock that failed (EBUSY) or a timed lock that timed out did not
 * take the lock: unlocking it afterwards is the bug. */
static void failed_acquire_holds_nothing(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_trylock", MUTEX_A, EBUSY_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 1);
    CHECK(harness_pthread(&h, "pthread_mutex_timedlock", MUTEX_B, ETIMEDOUT_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, 0) == 1);
    CHECK(harness_pthread(&h, "pthread_spin_trylock", SPIN, EBUSY_) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_unlock", SPIN, 0) == 1);
    CHECK(h.verdicts == 3);
}

/* A robust mutex whose owner died: EOWNERDEAD, and the caller holds it. */
static void owner_dead_acquires(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, EOWNERDEAD_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
    CHECK(h.verdicts == 0);
}

/* An unlock that failed (EPERM: not the owner of an error-checking mutex)
 * left the lock held, so the owner's unlock is fine. */
static void failed_unlock_keeps_lock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, EPERM_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
    CHECK(h.verdicts == 0);
}

/* Contention as a multithreaded trace shows it: thread 2 enters
 * pthread_mutex_lock while thread 1 holds the mutex, thread 1's unlock
 * begins, thread 2's lock returns before thread 1's unlock does. */
static void contention_is_not_a_bug(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);                /* 1 */
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, MUTEX_A) == 0);     /* 2 */
    CHECK(harness_event(&h, "pthread_mutex_unlock", LS_ENTRY, 0, 1, MUTEX_A) == 0);   /* 1 */
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_EXIT, 0, 1, MUTEX_A) == 0);      /* 2 */
    CHECK(harness_event(&h, "pthread_mutex_unlock", LS_EXIT, 0, 1, MUTEX_A) == 0);    /* 1 */
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);              /* 2 */
    CHECK(h.verdicts == 0);
}

/* A condition wait releases its mutex ($2) while it waits and holds it
 * again when it returns; another thread may take the mutex meanwhile. */
static void cond_wait_releases_and_retakes(void)
{
    for (unsigned i = 0; i < 3; i++) {
        struct harness h;
        harness_init(&h, &ls_rule_PthreadLockRelease);
        CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
        CHECK(harness_event(&h, WAITS[i], LS_ENTRY, 0, 3, COND, MUTEX_A, (ls_word)0) == 0);
        CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);    /* another thread */
        CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
        CHECK(harness_event(&h, WAITS[i], LS_EXIT, ETIMEDOUT_, 3, COND, MUTEX_A, (ls_word)0) == 0);
        CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
        CHECK(h.verdicts == 0);
    }
}

/* Waiting with a mutex the thread does not hold. */
static void cond_wait_without_mutex(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_cond_wait(&h, COND, MUTEX_B) == 1);
    CHECK_STR(h.messages[0], MSG_WAIT);
    CHECK(h.verdict_keys[0] == MUTEX_B);
}

/* Two locks are two instances; after its abort a lock stays silent. */
static void locks_are_independent_and_stop(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadLockRelease);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", MUTEX_A, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, 0) == 1);
    CHECK(h.verdict_keys[0] == MUTEX_B);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_B, 0) == 0);  /* no cascade */
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", MUTEX_A, 0) == 0);
    CHECK(h.verdicts == 1);
}

int main(void)
{
    descriptor();
    lock_unlock_clean();
    unlock_without_lock();
    unlock_twice();
    failed_acquire_holds_nothing();
    owner_dead_acquires();
    failed_unlock_keeps_lock();
    contention_is_not_a_bug();
    cond_wait_releases_and_retakes();
    cond_wait_without_mutex();
    locks_are_independent_and_stop();
    return check_done("test_PthreadLockRelease");
}
