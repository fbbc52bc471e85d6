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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc_cache.h"
#include "compile.h"
#include "emit.h"
#include "parse.h"
#include "sha256.h"
#include "user_rules.h"

#define ERR "lockstep check: error: "

/* Flags every module is built with, after the words of $CC.  Warnings stay
 * the compiler's default and are shown only when the build fails. */
static const char *const cc_flags[] = { "-std=c11", "-O2", "-fPIC", "-shared" };

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
    struct cc_command cc;           /* $CC                                   */
    char *cache;                    /* <cache>/rules (owned)                 */
    const struct ls_rule **list;    /* NULL-terminated (owned)               */
};

static void out_of_memory(void)
{
    fprintf(stderr, ERR "out of memory\n");
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
            rc = add_spec(u, cc_format("%s%s%s", dir, sep, names[i]));
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
    char *c_name = cc_format("%s.c", rule->name);
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
    for (int i = 0; i < u->cc.count; i++)
        sha256_update(&h, u->cc.words[i], strlen(u->cc.words[i]) + 1);
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

/* Load s's module from the cache.  Returns 1 when loaded, 0 when there is
 * no entry, -1 when the entry is unusable (*why says why; nothing stays
 * loaded). */
static int open_module(struct spec *s, const char **why)
{
    if (access(s->object, F_OK) != 0 && errno == ENOENT)
        return 0;
    if ((*why = cc_check_entry(s->object, s->key)) != NULL)
        return -1;
    s->handle = dlopen(s->object, RTLD_NOW | RTLD_LOCAL);
    if (!s->handle) {
        *why = dlerror();
        return -1;
    }
    char *symbol = cc_format("ls_rule_%s", s->name);
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
        char *p = files[i][0] == '.' ? cc_format("%s/%s%s", s->build_dir, s->name, files[i])
                                     : cc_format("%s/%s", s->build_dir, files[i]);
        if (p)
            unlink(p);
        free(p);
    }
    char *inc = cc_format("%s/lockstep", s->build_dir);
    if (inc)
        rmdir(inc);
    free(inc);
    rmdir(s->build_dir);
    free(s->build_dir);
    s->build_dir = NULL;
}

/* Write s's sources into a new private build directory in the cache and
 * start the compiler on them (no shell; its output goes to cc.log).
 * Returns 0, or -1 after reporting. */
static int build_start(struct user_rules *u, struct spec *s)
{
    s->build_dir = cc_format("%s/build-XXXXXX", u->cache);
    if (!s->build_dir || !mkdtemp(s->build_dir)) {
        fprintf(stderr, ERR "cannot create a build directory in '%s': %s\n", u->cache,
                s->build_dir ? strerror(errno) : "out of memory");
        free(s->build_dir);
        s->build_dir = NULL;
        return -1;
    }
    char *c = cc_format("%s/%s.c", s->build_dir, s->name);
    char *h = cc_format("%s/%s.h", s->build_dir, s->name);
    char *inc = cc_format("%s/lockstep", s->build_dir);
    char *rule_h = cc_format("%s/lockstep/rule.h", s->build_dir);
    char *so = cc_format("%s/%s.so", s->build_dir, s->name);
    char *log = cc_format("%s/cc.log", s->build_dir);
    const char **argv = calloc((size_t)u->cc.count + 16, sizeof *argv);
    int rc = -1;
    if (!c || !h || !inc || !rule_h || !so || !log || !argv) {
        out_of_memory();
        goto done;
    }
    if (cc_write_file(c, s->c_text, s->c_size) != 0 || cc_write_file(h, s->h_text, s->h_size) != 0
        || mkdir(inc, 0700) != 0
        || cc_write_file(rule_h, user_rules_rule_h, user_rules_rule_h_size) != 0) {
        fprintf(stderr, ERR "cannot write the module of '%s' into '%s': %s\n",
                s->path, s->build_dir, strerror(errno));
        goto done;
    }
    int argc = 0;
    for (int i = 0; i < u->cc.count; i++)
        argv[argc++] = u->cc.words[i];
    for (size_t i = 0; i < sizeof cc_flags / sizeof *cc_flags; i++)
        argv[argc++] = cc_flags[i];
    argv[argc++] = "-I";
    argv[argc++] = s->build_dir;
    argv[argc++] = "-o";
    argv[argc++] = so;
    argv[argc++] = c;

    int err = cc_spawn(argv, log, NULL, &s->pid);
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

/* Wait for s's compiler, publish its object, remove the build directory.
 * Returns 0, or -1 after reporting (with the compiler's output). */
static int build_finish(const struct user_rules *u, struct spec *s)
{
    char *log = cc_format("%s/cc.log", s->build_dir);
    char *what = cc_format("the module of '%s'", s->path);
    char *so = cc_format("%s/%s.so", s->build_dir, s->name);
    int rc = -1;
    if (!log || !what || !so)
        out_of_memory();
    else if ((rc = cc_wait(s->pid, ERR, what, u->cc.words[0], log)) == 0
             && (rc = cc_publish(so, s->object, s->key)) != 0)
        fprintf(stderr, ERR "cannot store the module of '%s' in '%s': %s\n",
                s->path, u->cache, strerror(errno));
    s->pid = 0;
    free(log);
    free(what);
    free(so);
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
    if (cc_command_init(&u->cc) != 0) {
        out_of_memory();
        return -1;
    }
    if (!(u->cache = cc_cache_dir("rules", "rule", ERR)))
        return -1;

    for (int i = 0; i < u->spec_count; i++) {
        struct spec *s = &u->specs[i];
        compute_key(u, s);
        if (!(s->object = cc_format("%s/%s.so", u->cache, s->key))) {
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
    cc_command_free(&u->cc);
    free(u->cache);
    free(u->list);
    free(u);
}
