/*
 * test_PthreadDoubleLock.c — behaviour of the generated PthreadDoubleLock
 * module (one instance per thread, no `watch`): a lock call on a mutex or
 * spin lock the thread already holds is reported at its entry, since a
 * self-deadlocked call never exits; trylock is allowed; the thread
 * remembers up to four held locks, each from its lock call's exit to its
 * unlock's entry.  The harness plays one thread.
 */
#include <string.h>

#include "check.h"
#include "checks.h"
#include "harness.h"
#include "posix/PthreadDoubleLock.h"

static const ls_word LOCKS[5] = {
    0x5603fd213080, 0x5603fd2130c0, 0x5603fd2130e8, 0x5603fd213100, 0x5603fd213140,
};
static const ls_word COND = 0x5603fd213200;
static const ls_word EBUSY_ = 16, ETIMEDOUT_ = 110, EOWNERDEAD_ = 130;

static const char *const BLOCKING[] = {
    "pthread_mutex_lock", "pthread_mutex_timedlock", "pthread_mutex_clocklock",
    "pthread_spin_lock",
};

static void descriptor(void)
{
    const struct ls_rule *r = &ls_rule_PthreadDoubleLock;
    harness_check_model_descriptor(r, "posix", "PthreadDoubleLock",
                                   sizeof(struct ls_state_PthreadDoubleLock),
                                   "held1=0x0 held2=0x0 held3=0x0 held4=0x0");
    CHECK(r->watch_count == 0);                 /* one instance per thread */
    /* four blocking entries, six acquire exits, two unlock entries */
    CHECK(r->handler_count == 4 + 6 + 2);
    for (unsigned i = 0; i < 4; i++)
        CHECK(harness_unguarded(r, BLOCKING[i], LS_ENTRY));
    CHECK(harness_find_handler(r, "pthread_mutex_trylock", LS_ENTRY) < 0);
    CHECK(harness_find_handler(r, "pthread_spin_trylock", LS_ENTRY) < 0);
    CHECK(harness_unguarded(r, "pthread_mutex_trylock", LS_EXIT));
    CHECK(harness_unguarded(r, "pthread_mutex_unlock", LS_ENTRY));
    CHECK(harness_unguarded(r, "pthread_spin_unlock", LS_ENTRY));
    CHECK(harness_find_handler(r, "pthread_mutex_unlock", LS_EXIT) < 0);
    CHECK(harness_find_handler(r, "pthread_cond_wait", LS_ENTRY) < 0);
}

/* Lock, unlock, lock again, two locks nested: nothing to report. */
static void lock_unlock_relock_clean(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_lock", LOCKS[1], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_unlock", LOCKS[1], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(h.verdicts == 0);
}

/* Each blocking lock function, on a lock the thread holds: reported at
 * the entry (the exit never comes). */
static void relock_reported_at_entry(void)
{
    for (unsigned i = 0; i < 4; i++) {
        struct harness h;
        char want[128];
        harness_init(&h, &ls_rule_PthreadDoubleLock);
        CHECK(harness_pthread(&h, BLOCKING[i], LOCKS[2], 0) == 0);
        CHECK(harness_event(&h, BLOCKING[i], LS_ENTRY, 0, 1, LOCKS[2]) == 1);
        snprintf(want, sizeof want, "%s locks a lock that this thread already holds.",
                 BLOCKING[i]);
        CHECK_STR(h.messages[0], want);
    }
}

/* Taken by trylock, relocked by pthread_mutex_lock. */
static void relock_after_trylock(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_trylock", LOCKS[0], 0) == 0);
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[0]) == 1);
}

/* A trylock of a held lock fails with EBUSY and does not block. */
static void trylock_of_held_lock_allowed(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_trylock", LOCKS[0], EBUSY_) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_lock", LOCKS[1], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_spin_trylock", LOCKS[1], EBUSY_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(h.verdicts == 0);
}

/* Failed acquires hold nothing; EOWNERDEAD does hold. */
static void acquire_results(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_timedlock", LOCKS[0], ETIMEDOUT_) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(h.verdicts == 0);

    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], EOWNERDEAD_) == 0);
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[0]) == 1);
}

/* The unlock counts at its entry: a thread killed inside
 * pthread_mutex_unlock, or whose return ltrace missed, holds nothing. */
static void unlock_counts_at_entry(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_event(&h, "pthread_mutex_unlock", LS_ENTRY, 0, 1, LOCKS[0]) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(h.verdicts == 0);
}

/* Four locks held at once are all remembered, in any order of release;
 * a fifth is not (documented), and a freed slot is reused. */
static void four_slots(void)
{
    for (unsigned victim = 0; victim < 4; victim++) {
        struct harness h;
        harness_init(&h, &ls_rule_PthreadDoubleLock);
        for (unsigned i = 0; i < 5; i++)
            CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[i], 0) == 0);
        CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[4]) == 0);
        CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[victim]) == 1);
    }
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    for (unsigned i = 0; i < 4; i++)
        CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[i], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", LOCKS[1], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[4], 0) == 0);   /* in slot 2 */
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[4]) == 1);
}

/* A NULL lock is never "held" (0 marks a free slot). */
static void null_lock_ignored(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", 0, 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", 0, 0) == 0);
    CHECK(h.verdicts == 0);
}

/* A condition wait returns with its mutex held again: nothing changes. */
static void cond_wait_changes_nothing(void)
{
    struct harness h;
    harness_init(&h, &ls_rule_PthreadDoubleLock);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_cond_wait(&h, COND, LOCKS[0]) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_unlock", LOCKS[0], 0) == 0);
    CHECK(harness_pthread(&h, "pthread_mutex_lock", LOCKS[0], 0) == 0);
    CHECK(harness_cond_wait(&h, COND, LOCKS[0]) == 0);
    CHECK(harness_event(&h, "pthread_mutex_lock", LS_ENTRY, 0, 1, LOCKS[0]) == 1);
}

int main(void)
{
    descriptor();
    lock_unlock_relock_clean();
    relock_reported_at_entry();
    relock_after_trylock();
    trylock_of_held_lock_allowed();
    acquire_results();
    unlock_counts_at_entry();
    four_slots();
    null_lock_ignored();
    cond_wait_changes_nothing();
    return check_done("test_PthreadDoubleLock");
}
