/*
 * sim_build.c — build, cache and load the driver for `lockstep sim` (see
 * sim_build.h).
 *
 *   sources ──$CC -E──► preprocessed text ──key──► cache hit? ──► dlopen
 *                                               │ miss
 *                                               ▼
 *              $CC -shared -fPIC ... → trailer → rename to drivers/<key>.so
 *
 * The key covers everything the object is made from: the preprocessed
 * text of each source (so an edited header changes it too), the compiler
 * command, lockstep's flags and the user's.  Preprocessing also finds most
 * errors early; either step's diagnostics are shown as the compiler wrote
 * them.  Builds happen in a private directory of the cache, removed after.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_cache.h"
#include "sha256.h"
#include "sim_build.h"

#define ERR "lockstep sim: error: "

/* Flags every driver is built with, after the words of $CC; the user's
 * flags come after them, so they may override the optimisation level. */
static const char *const build_flags[] = { "-shared", "-fPIC", "-g", "-O1" };

/* The DDI model headers: the source tree's when lockstep runs from its
 * build tree, else the installed ones. */
static const char *ddk_dir(void)
{
    return access(LS_SIM_DDK_DIR "/storport.h", R_OK) == 0 ? LS_SIM_DDK_DIR
                                                           : LS_SIM_INSTALLED_DDK_DIR;
}

struct build {
    struct cc_command cc;
    char *dir;                      /* private build directory (owned)       */
    char *log;                      /* <dir>/cc.log (owned)                  */
    const char **argv;              /* scratch command line (owned)          */
    int nfiles;                     /* <dir>/<n>.i made so far               */
};

/* Start the command line: $CC, flags, -I ddk, the user's flags. */
static int start_argv(struct build *b, const char *const *flags, size_t nflags,
                      char *const *cflags, int ncflags)
{
    int argc = 0;
    for (int i = 0; i < b->cc.count; i++)
        b->argv[argc++] = b->cc.words[i];
    for (size_t i = 0; i < nflags; i++)
        b->argv[argc++] = flags[i];
    b->argv[argc++] = "-I";
    b->argv[argc++] = ddk_dir();
    for (int i = 0; i < ncflags; i++)
        b->argv[argc++] = cflags[i];
    return argc;
}

/* Run b->argv (NULL-terminated) to the end.  0, or -1 after reporting
 * with the compiler's diagnostics. */
static int run_compiler(struct build *b, const char *what)
{
    pid_t pid;
    int err = cc_spawn(b->argv, b->log, NULL, &pid);
    if (err != 0) {
        fprintf(stderr, ERR "cannot run the C compiler '%s': %s (set CC to a C compiler)\n",
                b->argv[0], strerror(err));
        return -1;
    }
    return cc_wait(pid, ERR, what, b->argv[0], b->log);
}

/* Hash the file at path into h as "name size\n" + bytes.  0, or -1 after
 * reporting. */
static int hash_file(struct sha256 *h, const char *name, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, ERR "cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char buf[1 << 15];
    size_t n, total = 0;
    sha256_update(h, name, strlen(name) + 1);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sha256_update(h, buf, n);
        total += n;
    }
    int bad = ferror(f);
    fclose(f);
    char size[32];
    int len = snprintf(size, sizeof size, " %zu\n", total);
    sha256_update(h, size, (size_t)len);
    if (bad) {
        fprintf(stderr, ERR "cannot read '%s'\n", path);
        return -1;
    }
    return 0;
}

static void remove_build(struct build *b)
{
    if (!b->dir)
        return;
    for (int i = 0; i < b->nfiles; i++) {
        char *p = cc_format("%s/%d.i", b->dir, i);
        if (p)
            unlink(p);
        free(p);
    }
    char *so = cc_format("%s/driver.so", b->dir);
    if (so)
        unlink(so);
    free(so);
    if (b->log)
        unlink(b->log);
    rmdir(b->dir);
}

/* Preprocess every source and compute the key.  0, or -1 after reporting. */
static int make_key(struct build *b, char *const *sources, int nsources, char *const *cflags,
                    int ncflags, char key[65])
{
    static const char *const pre_flags[] = { "-E" };
    struct sha256 h;
    sha256_init(&h);
    const char intro[] = "lockstep driver 1\n";
    sha256_update(&h, intro, sizeof intro - 1);
    int argc = start_argv(b, build_flags, sizeof build_flags / sizeof *build_flags, cflags,
                          ncflags);
    for (int i = 0; i < argc; i++)
        sha256_update(&h, b->argv[i], strlen(b->argv[i]) + 1);
    for (int i = 0; i < nsources; i++) {
        char *out = cc_format("%s/%d.i", b->dir, i);
        char *what = cc_format("the driver source '%s'", sources[i]);
        int rc = -1;
        if (out && what) {
            argc = start_argv(b, pre_flags, 1, cflags, ncflags);
            b->argv[argc++] = "-o";
            b->argv[argc++] = out;
            b->argv[argc++] = sources[i];
            b->argv[argc] = NULL;
            b->nfiles = i + 1;
            rc = run_compiler(b, what);
            if (rc == 0)
                rc = hash_file(&h, sources[i], out);
        } else {
            fprintf(stderr, ERR "out of memory\n");
        }
        free(out);
        free(what);
        if (rc != 0)
            return -1;
    }
    unsigned char digest[32];
    sha256_final(&h, digest);
    for (int i = 0; i < 32; i++)
        snprintf(key + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

/* Compile the driver into <dir>/driver.so and publish it as entry.  0, or
 * -1 after reporting. */
static int compile_driver(struct build *b, char *const *sources, int nsources,
                          char *const *cflags, int ncflags, const char *entry, const char *key)
{
    char *so = cc_format("%s/driver.so", b->dir);
    if (!so) {
        fprintf(stderr, ERR "out of memory\n");
        return -1;
    }
    int argc = start_argv(b, build_flags, sizeof build_flags / sizeof *build_flags, cflags,
                          ncflags);
    b->argv[argc++] = "-o";
    b->argv[argc++] = so;
    for (int i = 0; i < nsources; i++)
        b->argv[argc++] = sources[i];
    b->argv[argc] = NULL;
    int rc = run_compiler(b, "the driver");
    if (rc == 0 && (rc = cc_publish(so, entry, key)) != 0)
        fprintf(stderr, ERR "cannot store the driver in the cache as '%s': %s\n", entry,
                strerror(errno));
    free(so);
    return rc;
}

/* dlopen the cache entry and find DriverEntry.  0, or -1 after reporting. */
static int load(struct sim_driver *d)
{
    d->handle = dlopen(d->object, RTLD_NOW | RTLD_LOCAL);
    if (!d->handle) {
        const char *why = dlerror();
        const char *undefined = why ? strstr(why, "undefined symbol: ") : NULL;
        if (undefined)
            fprintf(stderr, ERR "the driver calls %s, which the kernel model does not "
                    "implement (docs/simulation.md lists the calls it does)\n",
                    undefined + strlen("undefined symbol: "));
        else
            fprintf(stderr, ERR "cannot load the driver: %s\n", why ? why : "dlopen failed");
        return -1;
    }
    *(void **)&d->entry = dlsym(d->handle, "DriverEntry");
    if (!d->entry) {
        fprintf(stderr, ERR "the driver has no DriverEntry: define "
                "'ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)' (Storport) or "
                "'NTSTATUS DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING)', not static\n");
        return -1;
    }
    return 0;
}

int sim_build_load(struct sim_driver *d, char *const *sources, int nsources,
                   char *const *cflags, int ncflags)
{
    memset(d, 0, sizeof *d);
    struct build b = { .nfiles = 0 };
    char *cache = NULL;
    int rc = -1;
    if (cc_command_init(&b.cc) != 0
        || !(b.argv = calloc((size_t)(b.cc.count + ncflags + nsources) + 16, sizeof *b.argv))) {
        fprintf(stderr, ERR "out of memory\n");
        goto out;
    }
    if (!(cache = cc_cache_dir("drivers", "driver", ERR)))
        goto out;
    b.dir = cc_format("%s/build-XXXXXX", cache);
    if (!b.dir || !mkdtemp(b.dir)) {
        fprintf(stderr, ERR "cannot create a build directory in '%s': %s\n", cache,
                b.dir ? strerror(errno) : "out of memory");
        free(b.dir);
        b.dir = NULL;
        goto out;
    }
    if (!(b.log = cc_format("%s/cc.log", b.dir))) {
        fprintf(stderr, ERR "out of memory\n");
        goto out;
    }
    char key[65];
    if (make_key(&b, sources, nsources, cflags, ncflags, key) != 0)
        goto out;
    if (!(d->object = cc_format("%s/%s.so", cache, key))) {
        fprintf(stderr, ERR "out of memory\n");
        goto out;
    }
    const char *why = access(d->object, F_OK) == 0 ? cc_check_entry(d->object, key)
                                                   : "not built yet";
    if (why && access(d->object, F_OK) == 0) {
        fprintf(stderr, "lockstep sim: note: rebuilding the cached driver (%s): %s\n",
                d->object, why);
        unlink(d->object);
    }
    if (why && compile_driver(&b, sources, nsources, cflags, ncflags, d->object, key) != 0)
        goto out;
    rc = load(d);
out:
    remove_build(&b);
    free(b.dir);
    free(b.log);
    free(b.argv);
    free(cache);
    cc_command_free(&b.cc);
    if (rc != 0)
        sim_build_unload(d);
    return rc;
}

void sim_build_unload(struct sim_driver *d)
{
    if (d->handle)
        dlclose(d->handle);
    free(d->object);
    memset(d, 0, sizeof *d);
}
