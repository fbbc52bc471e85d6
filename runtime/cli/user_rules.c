/*
 * user_rules.c — rules from specs for `lockstep check --spec/--rules` (see
 * user_rules.h).  The pipeline per spec:
 *
 *   spec ──compiler library──► <Rule>.c/.h in memory ──key──► cache hit? ──► dlopen
 *                                                      │ miss
 *                                                      ▼
 *                      private build directory in the cache: $CC -shared
 *                      → checksum trailer → rename to <cache>/rules/<key>.so
 *
 * The key is the SHA-256 of everything the object is made from: the
 * module's .c and .h, rule.h's text, the compiler command line and
 * LS_RULE_ABI.  A hit therefore cannot be the module of another spec, and a
 * change to the spec, its #includes, the compiler command or the contract
 * makes a new entry.  Each entry ends with a trailer (magic + SHA-256 of
 * the object and the key), checked before dlopen: a truncated or damaged
 * file would otherwise crash dlopen with SIGBUS, and a file renamed from
 * another key would load the wrong rule.  A bad entry is removed and rebuilt
 * once.  Entries appear only by rename(2), so concurrent lockstep processes
 * see no entry or a whole one; two that miss together both build, and the
 * second rename replaces an identical file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
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

#include "compile.h"
#include "emit.h"
#include "parse.h"
#include "sha256.h"
#include "user_rules.h"

#define ERR "lockstep check: error: "

/* Flags every module is built with, after the words of $CC.  Warnings stay
 * the compiler's default and are shown only when the build fails. */
static const char *const cc_flags[] = { "-std=c11", "-O2", "-fPIC", "-shared" };

/* The trailer appended to each cached object: magic, then the SHA-256 of
 * the object's bytes followed by the cache key. */
static const char trailer_magic[8] = { 'l', 's', 'r', 'u', 'l', 'e', '0', '1' };
#define TRAILER_SIZE (sizeof trailer_magic + 32)

/* Largest cached object read back for checking (modules are ~20 KB). */
#define MAX_OBJECT_SIZE (64u * 1024 * 1024)

/* A --spec or --rules argument. */
struct source {
    const char *path;               /* borrowed from argv                    */
    bool is_dir;
};

/* One spec and its module. */
struct spec {
    char *path;                     /* as given, or DIR/NAME.slic (owned)    */
    char *name;                     /* rule name (owned)                     */
    char sha256[65];                /* of the spec's bytes                   */
    char *c_text, *h_text;          /* the module (owned)                    */
    size_t c_size, h_size;
    char key[65];                   /* cache key                             */
    char *object;                   /* <cache>/rules/<key>.so (owned)        */
    char *build_dir;                /* while building (owned)                */
    pid_t pid;                      /* the compiler while it runs, else 0    */
    void *handle;                   /* dlopen handle once loaded             */
    const struct ls_rule *rule;
};

struct user_rules {
    struct source *sources;
    int source_count, source_cap;
    struct spec *specs;
    int spec_count, spec_cap;
    char *cc_text;                  /* copy of $CC, split in place (owned)   */
    char **cc;                      /* its words, NULL-terminated (owned)    */
    int cc_count;
    char *cache;                    /* <cache>/rules (owned)                 */
    const struct ls_rule **list;    /* NULL-terminated (owned)               */
};

static void out_of_memory(void)
{
    fprintf(stderr, ERR "out of memory\n");
}

/* malloc'd printf; NULL when out of memory. */
static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

struct user_rules *user_rules_new(void)
{
    return calloc(1, sizeof(struct user_rules));
}

int user_rules_add(struct user_rules *u, const char *path, bool is_dir)
{
    if (u->source_count == u->source_cap) {
        int cap = u->source_cap ? 2 * u->source_cap : 8;
        struct source *s = realloc(u->sources, (size_t)cap * sizeof *s);
        if (!s)
            return -1;
        u->sources = s;
        u->source_cap = cap;
    }
    u->sources[u->source_count++] = (struct source){ path, is_dir };
    return 0;
}

/* Append a spec, taking ownership of path (NULL: out of memory).
 * Returns 0, or -1 when out of memory. */
static int add_spec(struct user_rules *u, char *path)
{
    if (!path)
        return -1;
    if (u->spec_count == u->spec_cap) {
        int cap = u->spec_cap ? 2 * u->spec_cap : 8;
        struct spec *s = realloc(u->specs, (size_t)cap * sizeof *s);
        if (!s) {
            free(path);
            return -1;
        }
        u->specs = s;
        u->spec_cap = cap;
    }
    u->specs[u->spec_count++] = (struct spec){ .path = path };
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_spec_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".slic") == 0;
}

/* Add dir's *.slic files (not hidden ones, not subdirectories' ones) in
 * byte order of their names.  Returns 0, or -1 after reporting. */
static int add_dir(struct user_rules *u, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, ERR "cannot read rule directory '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    errno = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL; errno = 0) {
        if (!is_spec_name(e->d_name))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            char **n = realloc(names, cap * sizeof *n);
            if (!n) {
                rc = -1;
                break;
            }
            names = n;
        }
        if (!(names[count] = strdup(e->d_name)))
            rc = -1;
        else
            count++;
    }
    if (rc == 0 && errno != 0) {
        fprintf(stderr, ERR "cannot read rule directory '%s': %s\n", dir, strerror(errno));
        rc = -2;
    }
    closedir(d);
    if (rc == 0 && count == 0) {
        fprintf(stderr, ERR "no .slic specs in '%s' (subdirectories are not searched)\n", dir);
        rc = -2;
    }
    if (rc == 0) {
        qsort(names, count, sizeof *names, compare_names);
        size_t len = strlen(dir);
        const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
        for (size_t i = 0; i < count && rc == 0; i++)
            rc = add_spec(u, format("%s%s%s", dir, sep, names[i]));
    }
    if (rc == -1)
        out_of_memory();
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc < 0 ? -1 : 0;
}

/* Emit rule's module into s->c_text and s->h_text and note its name and
 * spec hash.  Returns 0, or -1 after reporting. */
static int emit_module(struct spec *s, const struct ast_rule *rule)
{
    s->name = strdup(rule->name);
    memcpy(s->sha256, rule->spec_sha256, sizeof s->sha256);
    char *c_name = format("%s.c", rule->name);
    FILE *c = open_memstream(&s->c_text, &s->c_size);
    FILE *h = open_memstream(&s->h_text, &s->h_size);
    int rc = s->name && c_name && c && h ? 0 : -1;
    if (rc == 0 && (emit_c_source(rule, c, c_name) != 0 || emit_c_header(rule, h) != 0))
        rc = -1;
    if (c && fclose(c) != 0)
        rc = -1;
    if (h && fclose(h) != 0)
        rc = -1;
    free(c_name);
    if (rc != 0)
        out_of_memory();
    return rc;
}

/* Spec → C in memory, with diagnostics exactly as `lockstep compile`
 * prints them.  Returns 0, or -1 when the spec has errors (reported). */
static int compile_one(struct spec *s, const struct parse_options *popt)
{
    struct src_manager sm;
    struct diag d;
    src_init(&sm);
    diag_init(&d, &sm, stderr);
    d.max_errors = 20;
    d.color = isatty(STDERR_FILENO);

    int rc = -1;
    struct ast_rule *rule = compile_checked_rule(&d, s->path, popt);
    if (rule) {
        rc = emit_module(s, rule);
        ast_free(rule);
    }
    src_free(&sm);
    return rc;
}

/* Split $CC (default "cc") into words at blanks: no shell, no quoting. */
static int split_cc(struct user_rules *u)
{
    const char *cc = getenv("CC");
    if (!cc || strspn(cc, " \t") == strlen(cc))
        cc = "cc";
    u->cc_text = strdup(cc);
    u->cc = calloc(strlen(cc) / 2 + 2, sizeof *u->cc);
    if (!u->cc_text || !u->cc)
        return -1;
    char *save = NULL;
    for (char *w = strtok_r(u->cc_text, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        u->cc[u->cc_count++] = w;
    return 0;
}

/* The key: SHA-256 over the contract version, the compiler command line
 * and each input file as "name size\n" + bytes (the sizes make the
 * concatenation unambiguous). */
static void compute_key(const struct user_rules *u, struct spec *s)
{
    struct sha256 h;
    char line[64];
    sha256_init(&h);
    int n = snprintf(line, sizeof line, "lockstep user rule, abi %d\ncc", LS_RULE_ABI);
    sha256_update(&h, line, (size_t)n);
    for (int i = 0; i < u->cc_count; i++)
        sha256_update(&h, u->cc[i], strlen(u->cc[i]) + 1);
    for (size_t i = 0; i < sizeof cc_flags / sizeof *cc_flags; i++)
        sha256_update(&h, cc_flags[i], strlen(cc_flags[i]) + 1);
    const struct { const char *name; const void *text; size_t size; } files[] = {
        { "c", s->c_text, s->c_size },
        { "h", s->h_text, s->h_size },
        { "lockstep/rule.h", user_rules_rule_h, user_rules_rule_h_size },
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        n = snprintf(line, sizeof line, "\n%s %zu\n", files[i].name, files[i].size);
        sha256_update(&h, line, (size_t)n);
        sha256_update(&h, files[i].text, files[i].size);
    }
    unsigned char digest[32];
    sha256_final(&h, digest);
    for (int i = 0; i < 32; i++)
        snprintf(s->key + 2 * i, 3, "%02x", digest[i]);
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

/* Find, create and vet the cache: $LOCKSTEP_CACHE, else
 * $XDG_CACHE_HOME/lockstep, else ~/.cache/lockstep; modules live in its
 * rules/ directory, which must be ours and writable by nobody else (we
 * dlopen what is in it).  Sets u->cache; returns 0, or -1 after
 * reporting. */
static int open_cache(struct user_rules *u)
{
    const char *env = getenv("LOCKSTEP_CACHE");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(geteuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (env && *env)
        u->cache = format("%s/rules", env);
    else if (xdg && xdg[0] == '/')
        u->cache = format("%s/lockstep/rules", xdg);
    else if (home && *home)
        u->cache = format("%s/.cache/lockstep/rules", home);
    else {
        fprintf(stderr, ERR "no cache directory for compiled rules: set LOCKSTEP_CACHE\n");
        return -1;
    }
    if (!u->cache) {
        out_of_memory();
        return -1;
    }
    struct stat st;
    if (make_dirs(u->cache) != 0 || lstat(u->cache, &st) != 0) {
        fprintf(stderr, ERR "cannot create the rule cache '%s': %s\n", u->cache, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
        fprintf(stderr, ERR "the rule cache '%s' must be a directory owned by you and "
                        "writable by nobody else\n", u->cache);
        return -1;
    }
    return 0;
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

/* Is the cached object whole: does its trailer match its bytes and key? */
static const char *check_trailer(const char *path, const char *key)
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

/* Load s's module from the cache.  Returns 1 when loaded, 0 when there is
 * no entry, -1 when the entry is unusable (*why says why; nothing stays
 * loaded). */
static int open_module(struct spec *s, const char **why)
{
    if (access(s->object, F_OK) != 0 && errno == ENOENT)
        return 0;
    if ((*why = check_trailer(s->object, s->key)) != NULL)
        return -1;
    s->handle = dlopen(s->object, RTLD_NOW | RTLD_LOCAL);
    if (!s->handle) {
        *why = dlerror();
        return -1;
    }
    char *symbol = format("ls_rule_%s", s->name);
    const struct ls_rule *r = symbol ? dlsym(s->handle, symbol) : NULL;
    free(symbol);
    if (!r)
        *why = "the module lacks its rule descriptor";
    else if (r->abi != LS_RULE_ABI)
        *why = "the module was built for another checker ABI";
    else if (!r->name || strcmp(r->name, s->name) != 0 || !r->spec_sha256
             || strcmp(r->spec_sha256, s->sha256) != 0)
        *why = "the module was not compiled from this spec";
    if (*why) {
        dlclose(s->handle);
        s->handle = NULL;
        return -1;
    }
    s->rule = r;
    return 1;
}

/* Remove a build directory and what build_start put in it. */
static void remove_build_dir(struct spec *s)
{
    const char *files[] = { ".c", ".h", ".so", "lockstep/rule.h", "cc.log" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = files[i][0] == '.' ? format("%s/%s%s", s->build_dir, s->name, files[i])
                                     : format("%s/%s", s->build_dir, files[i]);
        if (p)
            unlink(p);
        free(p);
    }
    char *inc = format("%s/lockstep", s->build_dir);
    if (inc)
        rmdir(inc);
    free(inc);
    rmdir(s->build_dir);
    free(s->build_dir);
    s->build_dir = NULL;
}

/* Create path exclusively and write data to it; 0, or -1 with errno set. */
static int write_file(const char *path, const void *data, size_t size)
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

/* Write s's sources into a new private build directory in the cache and
 * start the compiler on them (no shell; its output goes to cc.log).
 * Returns 0, or -1 after reporting. */
static int build_start(struct user_rules *u, struct spec *s)
{
    s->build_dir = format("%s/build-XXXXXX", u->cache);
    if (!s->build_dir || !mkdtemp(s->build_dir)) {
        fprintf(stderr, ERR "cannot create a build directory in '%s': %s\n", u->cache,
                s->build_dir ? strerror(errno) : "out of memory");
        free(s->build_dir);
        s->build_dir = NULL;
        return -1;
    }
    char *c = format("%s/%s.c", s->build_dir, s->name);
    char *h = format("%s/%s.h", s->build_dir, s->name);
    char *inc = format("%s/lockstep", s->build_dir);
    char *rule_h = format("%s/lockstep/rule.h", s->build_dir);
    char *so = format("%s/%s.so", s->build_dir, s->name);
    char *log = format("%s/cc.log", s->build_dir);
    const char **argv = calloc((size_t)u->cc_count + 16, sizeof *argv);
    int rc = -1;
    if (!c || !h || !inc || !rule_h || !so || !log || !argv) {
        out_of_memory();
        goto done;
    }
    if (write_file(c, s->c_text, s->c_size) != 0 || write_file(h, s->h_text, s->h_size) != 0
        || mkdir(inc, 0700) != 0
        || write_file(rule_h, user_rules_rule_h, user_rules_rule_h_size) != 0) {
        fprintf(stderr, ERR "cannot write the module of '%s' into '%s': %s\n",
                s->path, s->build_dir, strerror(errno));
        goto done;
    }
    int argc = 0;
    for (int i = 0; i < u->cc_count; i++)
        argv[argc++] = u->cc[i];
    for (size_t i = 0; i < sizeof cc_flags / sizeof *cc_flags; i++)
        argv[argc++] = cc_flags[i];
    argv[argc++] = "-I";
    argv[argc++] = s->build_dir;
    argv[argc++] = "-o";
    argv[argc++] = so;
    argv[argc++] = c;

    posix_spawn_file_actions_t fa;
    int err = posix_spawn_file_actions_init(&fa);
    if (err == 0) {
        err = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (err == 0)
            err = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log,
                                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (err == 0)
            err = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
        if (err == 0)
            err = posix_spawnp(&s->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    if (err != 0) {
        s->pid = 0;
        fprintf(stderr, ERR "cannot run the C compiler '%s': %s (set CC to a C compiler)\n",
                argv[0], strerror(err));
        goto done;
    }
    rc = 0;
done:
    free(c);
    free(h);
    free(inc);
    free(rule_h);
    free(so);
    free(log);
    free(argv);
    if (rc != 0)
        remove_build_dir(s);
    return rc;
}

/* Print the compiler's output from s's build directory to stderr. */
static void show_log(const struct spec *s)
{
    char *log = format("%s/cc.log", s->build_dir);
    FILE *f = log ? fopen(log, "r") : NULL;
    if (f) {
        char buf[4096];
        for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;)
            fwrite(buf, 1, n, stderr);
        fclose(f);
    }
    free(log);
}

/* Append the trailer to the object just built and rename it into the
 * cache.  Returns 0, or -1 with errno set. */
static int publish(const struct spec *s)
{
    char *so = format("%s/%s.so", s->build_dir, s->name);
    size_t size = 0;
    const char *why;
    char *buf = so ? read_object(so, &size, &why) : NULL;
    int rc = -1;
    if (buf) {
        unsigned char trailer[TRAILER_SIZE];
        memcpy(trailer, trailer_magic, sizeof trailer_magic);
        trailer_digest(buf, size, s->key, trailer + sizeof trailer_magic);
        int fd = open(so, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = write(fd, trailer, sizeof trailer);
            if (close(fd) == 0 && n == (ssize_t)sizeof trailer)
                rc = 0;
            else if (n >= 0)
                errno = EIO;
        }
        if (rc == 0)
            rc = rename(so, s->object);
    } else if (so) {
        errno = EIO;
    } else {
        errno = ENOMEM;
    }
    free(buf);
    free(so);
    return rc;
}

/* Wait for s's compiler, publish its object, remove the build directory.
 * Returns 0, or -1 after reporting (with the compiler's output). */
static int build_finish(const struct user_rules *u, struct spec *s)
{
    int status = 0, rc = -1;
    pid_t done;
    while ((done = waitpid(s->pid, &status, 0)) < 0 && errno == EINTR)
        continue;
    s->pid = 0;
    if (done < 0) {
        fprintf(stderr, ERR "cannot wait for the C compiler: %s\n", strerror(errno));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if ((rc = publish(s)) != 0)
            fprintf(stderr, ERR "cannot store the module of '%s' in '%s': %s\n",
                    s->path, u->cache, strerror(errno));
    } else {
        fprintf(stderr, ERR "cannot build the module of '%s': '%s' ", s->path, u->cc[0]);
        if (WIFEXITED(status))
            fprintf(stderr, "exited with status %d", WEXITSTATUS(status));
        else
            fprintf(stderr, "was killed by signal %d", WTERMSIG(status));
        fputs(WIFEXITED(status) && WEXITSTATUS(status) == 127
              ? " (is CC a C compiler?)\n" : "\n", stderr);
        show_log(s);
    }
    remove_build_dir(s);
    return rc;
}

/* Wait for the oldest running build.  Returns its build_finish result. */
static int finish_oldest(const struct user_rules *u)
{
    for (int i = 0; i < u->spec_count; i++)
        if (u->specs[i].pid > 0)
            return build_finish(u, &u->specs[i]);
    return 0;
}

/* Build the modules of specs not loaded yet, up to one compiler per
 * processor at a time; stops starting new ones after a failure.  Returns 0,
 * or -1 after reporting. */
static int build_missing(struct user_rules *u)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus, running = 0, rc = 0;
    for (int i = 0; i < u->spec_count && rc == 0; i++) {
        if (u->specs[i].handle)
            continue;
        if (running == jobs) {
            rc |= finish_oldest(u);
            running--;
        }
        if (rc == 0 && build_start(u, &u->specs[i]) == 0)
            running++;
        else
            rc = -1;
    }
    for (; running > 0; running--)
        rc |= finish_oldest(u);
    return rc;
}

/* Two specs may not define rules of the same name.  Returns 0, or -1 after
 * reporting each clash. */
static int check_names(const struct user_rules *u)
{
    int rc = 0;
    for (int i = 0; i < u->spec_count; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(u->specs[i].name, u->specs[j].name) == 0) {
                fprintf(stderr, ERR "two specs define the rule '%s': '%s' and '%s'\n",
                        u->specs[i].name, u->specs[j].path, u->specs[i].path);
                rc = -1;
                break;
            }
    return rc;
}

int user_rules_load(struct user_rules *u)
{
    for (int i = 0; i < u->source_count; i++) {
        const struct source *src = &u->sources[i];
        if (src->is_dir && add_dir(u, src->path) != 0)
            return -1;
        if (!src->is_dir && add_spec(u, strdup(src->path)) != 0) {
            out_of_memory();
            return -1;
        }
    }
    /* Every spec first, so all diagnostics are shown before giving up. */
    const char *dirs[] = { compile_default_include_dir() };
    struct parse_options popt = { dirs, 1 };
    int failed = 0;
    for (int i = 0; i < u->spec_count; i++)
        failed += compile_one(&u->specs[i], &popt) != 0;
    if (failed) {
        fprintf(stderr, ERR "%d of %d spec%s did not compile; no rule was run\n",
                failed, u->spec_count, u->spec_count == 1 ? "" : "s");
        return -1;
    }
    if (check_names(u) != 0)
        return -1;
    if (split_cc(u) != 0) {
        out_of_memory();
        return -1;
    }
    if (open_cache(u) != 0)
        return -1;

    for (int i = 0; i < u->spec_count; i++) {
        struct spec *s = &u->specs[i];
        compute_key(u, s);
        if (!(s->object = format("%s/%s.so", u->cache, s->key))) {
            out_of_memory();
            return -1;
        }
        const char *why = NULL;
        if (open_module(s, &why) < 0) {
            fprintf(stderr, "lockstep check: note: rebuilding the cached module of '%s' (%s): %s\n",
                    s->path, s->object, why);
            unlink(s->object);
        }
    }
    if (build_missing(u) != 0)
        return -1;

    if (!(u->list = calloc((size_t)u->spec_count + 1, sizeof *u->list))) {
        out_of_memory();
        return -1;
    }
    for (int i = 0; i < u->spec_count; i++) {
        struct spec *s = &u->specs[i];
        const char *why = "the module vanished from the cache";
        if (!s->handle && open_module(s, &why) <= 0) {
            fprintf(stderr, ERR "cannot load the module of '%s' (%s): %s\n",
                    s->path, s->object, why);
            return -1;
        }
        u->list[i] = s->rule;
    }
    return 0;
}

const struct ls_rule *const *user_rules_list(const struct user_rules *u)
{
    return u->list;
}

void user_rules_free(struct user_rules *u)
{
    if (!u)
        return;
    for (int i = 0; i < u->spec_count; i++) {
        struct spec *s = &u->specs[i];
        if (s->handle)
            dlclose(s->handle);
        free(s->path);
        free(s->name);
        free(s->c_text);
        free(s->h_text);
        free(s->object);
    }
    free(u->specs);
    free(u->sources);
    free(u->cc_text);
    free(u->cc);
    free(u->cache);
    free(u->list);
    free(u);
}
