/*
 * cc_cache.c — the compiler and cache helpers shared by `check --spec`
 * and `sim` (see cc_cache.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc_cache.h"
#include "sha256.h"

/* The trailer appended to each cached object: magic, then the SHA-256 of
 * the object's bytes followed by the cache key. */
static const char trailer_magic[8] = { 'l', 's', 'r', 'u', 'l', 'e', '0', '1' };
#define TRAILER_SIZE (sizeof trailer_magic + 32)

/* Largest cached object read back for checking. */
#define MAX_OBJECT_SIZE (64u * 1024 * 1024)

int cc_command_init(struct cc_command *cc)
{
    const char *env = getenv("CC");
    if (!env || strspn(env, " \t") == strlen(env))
        env = "cc";
    cc->count = 0;
    cc->text = strdup(env);
    cc->words = calloc(strlen(env) / 2 + 2, sizeof *cc->words);
    if (!cc->text || !cc->words) {
        cc_command_free(cc);
        return -1;
    }
    char *save = NULL;
    for (char *w = strtok_r(cc->text, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        cc->words[cc->count++] = w;
    return 0;
}

void cc_command_free(struct cc_command *cc)
{
    free(cc->text);
    free(cc->words);
    cc->text = NULL;
    cc->words = NULL;
    cc->count = 0;
}

char *cc_format(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

/* mkdir -p with mode 0700 for the directories it creates.  Returns 0, or
 * -1 with errno set. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = c;
        if (rc != 0 && errno != EEXIST)
            return -1;
        if (c == '\0')
            return 0;
    }
}

char *cc_cache_dir(const char *sub, const char *noun, const char *err)
{
    const char *env = getenv("LOCKSTEP_CACHE");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char *dir;
    if (!home || !*home) {
        struct passwd *pw = getpwuid(geteuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (env && *env)
        dir = cc_format("%s/%s", env, sub);
    else if (xdg && xdg[0] == '/')
        dir = cc_format("%s/lockstep/%s", xdg, sub);
    else if (home && *home)
        dir = cc_format("%s/.cache/lockstep/%s", home, sub);
    else {
        fprintf(stderr, "%sno cache directory for compiled %ss: set LOCKSTEP_CACHE\n", err, noun);
        return NULL;
    }
    if (!dir) {
        fprintf(stderr, "%sout of memory\n", err);
        return NULL;
    }
    struct stat st;
    if (make_dirs(dir) != 0 || lstat(dir, &st) != 0) {
        fprintf(stderr, "%scannot create the %s cache '%s': %s\n", err, noun, dir,
                strerror(errno));
        free(dir);
        return NULL;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
        fprintf(stderr, "%sthe %s cache '%s' must be a directory owned by you and "
                        "writable by nobody else\n", err, noun, dir);
        free(dir);
        return NULL;
    }
    return dir;
}

/* The SHA-256 of data followed by key: what an object's trailer holds. */
static void trailer_digest(const void *data, size_t size, const char *key,
                           unsigned char digest[32])
{
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, data, size);
    sha256_update(&h, key, strlen(key));
    sha256_final(&h, digest);
}

/* Read the whole regular file at path into a malloc'd buffer.  Returns it,
 * or NULL with *why set (errno text or a description). */
static char *read_object(const char *path, size_t *size, const char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char *buf = NULL;
    *why = NULL;
    if (fd < 0 || fstat(fd, &st) != 0)
        *why = strerror(errno);
    else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
        *why = "not a regular file owned by you";
    else if (st.st_size > MAX_OBJECT_SIZE)
        *why = "too large";
    else if (!(buf = malloc((size_t)st.st_size + 1)))
        *why = "out of memory";
    else {
        size_t got = 0;
        for (ssize_t n = 1; n > 0 && got < (size_t)st.st_size; got += n > 0 ? (size_t)n : 0)
            n = read(fd, buf + got, (size_t)st.st_size - got);
        if (got != (size_t)st.st_size)
            *why = "cannot be read";
        *size = got;
    }
    if (fd >= 0)
        close(fd);
    if (*why) {
        free(buf);
        return NULL;
    }
    return buf;
}

const char *cc_check_entry(const char *path, const char *key)
{
    size_t size = 0;
    const char *why;
    char *buf = read_object(path, &size, &why);
    if (!buf)
        return why;
    unsigned char digest[32];
    if (size < TRAILER_SIZE || memcmp(buf + size - TRAILER_SIZE, trailer_magic,
                                      sizeof trailer_magic) != 0)
        why = "no lockstep trailer (truncated or not written by lockstep)";
    else {
        trailer_digest(buf, size - TRAILER_SIZE, key, digest);
        if (memcmp(buf + size - 32, digest, 32) != 0)
            why = "checksum mismatch (damaged)";
    }
    free(buf);
    return why;
}

int cc_publish(const char *built, const char *entry, const char *key)
{
    size_t size = 0;
    const char *why;
    char *buf = read_object(built, &size, &why);
    int rc = -1;
    if (buf) {
        unsigned char trailer[TRAILER_SIZE];
        memcpy(trailer, trailer_magic, sizeof trailer_magic);
        trailer_digest(buf, size, key, trailer + sizeof trailer_magic);
        int fd = open(built, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = write(fd, trailer, sizeof trailer);
            if (close(fd) == 0 && n == (ssize_t)sizeof trailer)
                rc = 0;
            else if (n >= 0)
                errno = EIO;
        }
        if (rc == 0)
            rc = rename(built, entry);
    } else {
        errno = EIO;
    }
    free(buf);
    return rc;
}

int cc_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    for (ssize_t n = 1; n > 0 && done < size; done += n > 0 ? (size_t)n : 0)
        n = write(fd, (const char *)data + done, size - done);
    int saved = errno;
    if (close(fd) != 0 || done != size) {
        errno = done != size ? saved : errno;
        return -1;
    }
    return 0;
}

int cc_spawn(const char *const *argv, const char *out, const char *err, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return rc;
    rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out,
                                              O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (rc == 0)
        rc = err ? posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err,
                                                    O_WRONLY | O_CREAT | O_TRUNC, 0600)
                 : posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    if (rc == 0)
        rc = posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Print the file at path (the compiler's output) to stderr. */
static void show_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

int cc_wait(pid_t pid, const char *err, const char *what, const char *compiler,
            const char *log)
{
    int status = 0;
    pid_t done;
    while ((done = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        continue;
    if (done < 0) {
        fprintf(stderr, "%scannot wait for the C compiler: %s\n", err, strerror(errno));
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    fprintf(stderr, "%scannot build %s: '%s' ", err, what, compiler);
    if (WIFEXITED(status))
        fprintf(stderr, "exited with status %d", WEXITSTATUS(status));
    else
        fprintf(stderr, "was killed by signal %d", WTERMSIG(status));
    fputs(WIFEXITED(status) && WEXITSTATUS(status) == 127
          ? " (is CC a C compiler?)\n" : "\n", stderr);
    if (log)
        show_log(log);
    return -1;
}
