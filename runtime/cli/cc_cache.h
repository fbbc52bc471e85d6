/*
 * cc_cache.h — building shared objects with the system C compiler and
 * keeping them in lockstep's private cache, for every command that loads
 * code it compiled: rules from specs (user_rules.c, `check --spec`) and
 * drivers (sim_build.c, `lockstep sim`).
 *
 * The cache is $LOCKSTEP_CACHE, else $XDG_CACHE_HOME/lockstep, else
 * ~/.cache/lockstep; each user of it has a subdirectory (rules/,
 * drivers/) that must be ours and writable by nobody else, since we
 * dlopen what is in it.  An entry is named by a key, the SHA-256 of what
 * it is made from, and ends with a trailer (docs/user-rules.md): the
 * magic "lsrule01", then the SHA-256 of the object's bytes followed by
 * the key, checked before dlopen, so a damaged entry or one renamed from
 * another key is never loaded.  Entries appear only by rename(2).
 *
 * Errors are printed to stderr with the caller's prefix ("lockstep check:
 * error: "); functions return -1 or NULL after printing.
 */
#ifndef LS_CLI_CC_CACHE_H
#define LS_CLI_CC_CACHE_H

#include <stddef.h>
#include <sys/types.h>

/* $CC (default "cc") split into words at blanks: no shell, no quoting. */
struct cc_command {
    char *text;                     /* the copy the words point into (owned) */
    char **words;                   /* NULL-terminated (owned)               */
    int count;
};

/* 0, or -1 when out of memory. */
int cc_command_init(struct cc_command *cc);
void cc_command_free(struct cc_command *cc);

/* malloc'd printf; NULL when out of memory. */
char *cc_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The cache subdirectory sub (created 0700, vetted), malloc'd, or NULL
 * after reporting with prefix err; noun names what it holds in messages
 * ("rule": "cannot create the rule cache ..."). */
char *cc_cache_dir(const char *sub, const char *noun, const char *err);

/* NULL when the entry at path is whole (its trailer matches its bytes and
 * key), else why not. */
const char *cc_check_entry(const char *path, const char *key);

/* Append the trailer for key to the object at built, then rename it to
 * entry.  0, or -1 with errno set. */
int cc_publish(const char *built, const char *entry, const char *key);

/* Create path exclusively (0600) and write size bytes of data to it.  0,
 * or -1 with errno set. */
int cc_write_file(const char *path, const void *data, size_t size);

/* Start argv (argv[0] looked up in PATH) with standard input from
 * /dev/null, standard output to out (created 0600) and standard error to
 * err (both to out when err is NULL).  0 with *pid set, or an errno value. */
int cc_spawn(const char *const *argv, const char *out, const char *err, pid_t *pid);

/* Wait for pid.  0 when it exited with status 0; otherwise -1 after
 * reporting with prefix err that `what` failed (exit status or signal,
 * and a hint when the compiler could not be run) and printing log, the
 * compiler's output, when it is not NULL. */
int cc_wait(pid_t pid, const char *err, const char *what, const char *compiler,
            const char *log);

#endif
