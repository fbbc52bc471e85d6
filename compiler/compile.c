/*
 * compile.c — the compiler driver (see compile.h): parse → sema → emit,
 * with outputs written atomically.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "emit.h"
#include "parse.h"
#include "sema.h"
#include "sha256.h"
#include "xalloc.h"

/* An output being written: a temporary file renamed over `path` at the end. */
struct output {
    char *path;
    char *tmp;
    FILE *f;
};

static int report_io(struct diag *d, const char *what, const char *path)
{
    struct src_loc none = { 0, 0, 0, 0 };
    diag_error(d, none, "cannot %s '%s': %s", what, path, strerror(errno));
    return COMPILE_IO_ERROR;
}

static int output_open(struct diag *d, struct output *o, const char *path)
{
    size_t n = strlen(path);
    o->path = xstrdup(path);
    o->tmp = xrealloc(NULL, n + 16);
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        errno = saved;
        free(o->tmp);
        o->tmp = NULL;
        return report_io(d, "create", path);
    }
    fchmod(fd, 0644);
    return COMPILE_OK;
}

/* Finish (rename into place) or, when ok is false, discard. */
static int output_close(struct diag *d, struct output *o, bool ok)
{
    int rc = COMPILE_OK;
    if (o->f) {
        if (fflush(o->f) != 0 || ferror(o->f))
            rc = ok ? report_io(d, "write", o->path) : rc;
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp) {
        if (ok && rc == COMPILE_OK && rename(o->tmp, o->path) != 0)
            rc = report_io(d, "rename into", o->path);
        if (!ok || rc != COMPILE_OK)
            unlink(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return rc;
}

/* mkdir -p */
static int make_dirs(struct diag *d, const char *dir)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                int rc = report_io(d, "create directory", p);
                free(p);
                return rc;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return COMPILE_OK;
}

static int write_c(struct diag *d, const struct ast_rule *rule,
                   const struct compile_options *opt)
{
    char *c_path, *h_path;
    if (opt->out_file) {
        size_t n = strlen(opt->out_file);
        c_path = xstrdup(opt->out_file);
        h_path = xrealloc(NULL, n + 3);
        snprintf(h_path, n + 3, "%.*s.h", (int)(n > 2 && strcmp(opt->out_file + n - 2, ".c") == 0 ? n - 2 : n),
                 opt->out_file);
    } else {
        const char *root = opt->out_dir ? opt->out_dir : "generated";
        size_t n = strlen(root) + strlen(rule->model) + strlen(rule->name) + 8;
        char *dir = xrealloc(NULL, n);
        snprintf(dir, n, "%s/%s", root, rule->model);
        int rc = make_dirs(d, dir);
        c_path = xrealloc(NULL, n);
        h_path = xrealloc(NULL, n);
        snprintf(c_path, n, "%s/%s.c", dir, rule->name);
        snprintf(h_path, n, "%s/%s.h", dir, rule->name);
        free(dir);
        if (rc != COMPILE_OK) {
            free(c_path);
            free(h_path);
            return rc;
        }
    }

    struct output c = { 0 }, h = { 0 };
    int rc = output_open(d, &c, c_path);
    if (rc == COMPILE_OK)
        rc = output_open(d, &h, h_path);
    /* The module's #line back to itself names the file without its
     * directory, so the output does not depend on where it was written. */
    const char *c_name = strrchr(c_path, '/') ? strrchr(c_path, '/') + 1 : c_path;
    if (rc == COMPILE_OK && (emit_c_source(rule, c.f, c_name) != 0
                             || emit_c_header(rule, h.f) != 0))
        rc = report_io(d, "write", c_path);
    bool ok = rc == COMPILE_OK;
    int rc_c = output_close(d, &c, ok);
    int rc_h = output_close(d, &h, ok && rc_c == COMPILE_OK);
    free(c_path);
    free(h_path);
    return rc != COMPILE_OK ? rc : rc_c != COMPILE_OK ? rc_c : rc_h;
}

static int write_text(struct diag *d, const struct ast_rule *rule,
                      const struct compile_options *opt)
{
    int (*emitter)(const struct ast_rule *, FILE *) =
        opt->emit == COMPILE_DOT ? emit_dot : emit_json;
    if (!opt->out_file || strcmp(opt->out_file, "-") == 0) {
        if (emitter(rule, stdout) != 0 || fflush(stdout) != 0)
            return report_io(d, "write", "<stdout>");
        return COMPILE_OK;
    }
    struct output o = { 0 };
    int rc = output_open(d, &o, opt->out_file);
    if (rc == COMPILE_OK && emitter(rule, o.f) != 0)
        rc = report_io(d, "write", opt->out_file);
    int rc_close = output_close(d, &o, rc == COMPILE_OK);
    return rc != COMPILE_OK ? rc : rc_close;
}

struct ast_rule *compile_checked_rule(struct diag *d, const char *path,
                                      const struct parse_options *popt)
{
    int errors_before = d->error_count;
    struct ast_rule *rule = parse_file(d->sm, d, path, popt);
    if (!rule)
        return NULL;
    const struct src_file *f = &d->sm->files[rule->file];
    sha256_hex(f->text, f->size, rule->spec_sha256);
    if (sema_check(rule, d) > 0 || d->error_count > errors_before) {
        ast_free(rule);
        return NULL;
    }
    return rule;
}

int compile_spec(struct diag *d, const char *path, const struct compile_options *opt)
{
    struct parse_options popt = { opt->include_dirs, opt->include_dir_count };
    struct ast_rule *rule = compile_checked_rule(d, path, &popt);
    if (!rule)
        return COMPILE_ERRORS;

    int rc = COMPILE_OK;
    if (opt->emit == COMPILE_C)
        rc = write_c(d, rule, opt);
    else if (opt->emit == COMPILE_DOT || opt->emit == COMPILE_JSON)
        rc = write_text(d, rule, opt);
    ast_free(rule);
    return rc;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *compile_default_include_dir(void)
{
    static char installed[4096];
    const char *env = getenv("LOCKSTEP_INCLUDE");
    if (env && *env)
        return env;
    /* <prefix>/bin/lockstep → <prefix>/share/lockstep/include */
    ssize_t n = readlink("/proc/self/exe", installed, sizeof installed - 64);
    if (n > 0) {
        installed[n] = '\0';
        char *slash = strrchr(installed, '/');
        if (slash) {
            strcpy(slash, "/../share/lockstep/include");
            if (is_dir(installed))
                return installed;
        }
    }
    return LOCKSTEP_RULE_INCLUDE_DIR;
}
