/*
 * posix.h — POSIX constants for rules about programs (specs/posix): the
 * error numbers the pthread lock functions return, with Linux's values
 * (the same on x86, x86-64 and arm64; ltrace, which records these traces,
 * runs on Linux only), and PTHREAD_LOCK_ACQUIRED, which tells from a lock
 * function's return value whether the caller now holds the lock.
 *
 * Separate from lockstep.h, whose names every driver rule shares: a rule
 * about POSIX programs includes "posix.h".  Part of lockstep's rule
 * include directory; see docs/rule-includes.md.
 */
#ifndef LOCKSTEP_RULES_POSIX_H
#define LOCKSTEP_RULES_POSIX_H

#define EPERM           1       /* unlock of a mutex the caller does not own */
#define EAGAIN          11      /* recursive mutex: lock count at its limit */
#define EBUSY           16      /* trylock: the lock is held                */
#define EINVAL          22      /* not an initialised lock                  */
#define EDEADLK         35      /* error-checking mutex: caller holds it    */
#define ETIMEDOUT       110     /* timedlock, clocklock: the time ran out   */
#define EOWNERDEAD      130     /* robust mutex: its owner died holding it;
                                   the caller holds it now                  */
#define ENOTRECOVERABLE 131     /* robust mutex: unusable                   */

/* True when a pthread_mutex_*lock or pthread_spin_*lock call that returned
 * ret left its caller holding the lock. */
#define PTHREAD_LOCK_ACQUIRED(ret)  ((ret) == 0 || (ret) == EOWNERDEAD)

#endif
