/*
 * scan.c — source mode from files to findings (scan.h).
 *
 * Every translation unit is parsed once and lowered to lockstep's IR, and
 * only then disposed of; the analysis runs on the whole program's IR, so
 * a helper defined in another file is followed like one in the same file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>
#include <lockstep/roles.h>

#include "lower.h"
#include "scan.h"

#define MAX_ARGS 1024
#define ERRORS_SHOWN 20                 /* clang errors printed per unit     */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The DDI model headers: the source tree's when lockstep runs from its
 * build, the installed ones otherwise. */
static const char *ddk_dir(void)
{
    if (access(LOCKSTEP_DDK_DIR "/wdm.h", R_OK) == 0)
        return LOCKSTEP_DDK_DIR;
    return LOCKSTEP_INSTALLED_DDK_DIR;
}

/* The flags that put the model headers on the path (MODEL_FLAGS of them,
 * none with --no-model-headers): after the user's own -I, as a system
 * directory; and the Windows compiler's ways that driver code relies on
 * (a 16-bit wchar_t for L"..." strings, Microsoft extensions). */
#define MODEL_FLAGS 4
static int model_flags(const struct scan_options *o, const char **args)
{
    if (!o->model_headers)
        return 0;
    args[0] = "-isystem";
    args[1] = ddk_dir();
    args[2] = "-fshort-wchar";
    args[3] = "-fms-extensions";
    return MODEL_FLAGS;
}

static void diag(const struct scan_callbacks *cb, void *ctx, const char *severity,
                 const char *file, uint32_t line, uint32_t column, const char *message)
{
    if (cb->diagnostic)
        cb->diagnostic(ctx, severity, file, line, column, message);
}

/* clang's errors in a unit (the first ERRORS_SHOWN, then how many more);
 * returns how many. */
static unsigned report_clang_errors(CXTranslationUnit tu, const char *path,
                                    const struct scan_callbacks *cb, void *ctx)
{
    unsigned errors = 0, n = clang_getNumDiagnostics(tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Error && ++errors > ERRORS_SHOWN) {
            clang_disposeDiagnostic(d);
            continue;
        }
        if (sev >= CXDiagnostic_Error) {
            CXFile file;
            unsigned line, column;
            clang_getExpansionLocation(clang_getDiagnosticLocation(d), &file, &line, &column, NULL);
            CXString name = clang_getFileName(file);
            CXString text = clang_getDiagnosticSpelling(d);
            diag(cb, ctx, sev == CXDiagnostic_Fatal ? "fatal error" : "error",
                 clang_getCString(name), line, column, clang_getCString(text));
            clang_disposeString(name);
            clang_disposeString(text);
        }
        clang_disposeDiagnostic(d);
    }
    if (errors > ERRORS_SHOWN) {
        char msg[512];
        snprintf(msg, sizeof msg, "%u more errors in %s not shown; the functions they are in "
                 "are skipped (--functions lists them)", errors - ERRORS_SHOWN, path);
        diag(cb, ctx, "note", NULL, 0, 0, msg);
    }
    return errors;
}

static uint64_t count_lines(CXTranslationUnit tu, const char *path)
{
    CXFile file = clang_getFile(tu, path);
    size_t size = 0;
    const char *text = file ? clang_getFileContents(tu, file, &size) : NULL;
    uint64_t lines = 0;
    for (size_t i = 0; text && i < size; i++)
        lines += text[i] == '\n';
    return lines;
}

/* Parses one unit (args: the compiler flags, without the compiler and
 * with or without the file) and lowers it.  Returns 0, 1 when the unit
 * had errors, -1 when out of memory. */
static int parse_unit(CXIndex index, const char *file, const char *const *args, int nargs,
                      struct ir_program *p, const struct scan_callbacks *cb, void *ctx,
                      struct scan_totals *totals)
{
    if (file) {
        struct stat sb;
        int err = access(file, R_OK) != 0 ? errno
                : stat(file, &sb) != 0 ? errno
                : S_ISDIR(sb.st_mode) ? EISDIR : 0;
        if (err) {
            char msg[512];
            snprintf(msg, sizeof msg, "cannot read '%s': %s", file, strerror(err));
            diag(cb, ctx, "error", NULL, 0, 0, msg);
            totals->units_failed++;
            return 1;
        }
    }
    CXTranslationUnit tu = NULL;
    enum CXErrorCode rc = clang_parseTranslationUnit2(index, file, args, nargs, NULL, 0,
                                                      CXTranslationUnit_KeepGoing
                                                      | CXTranslationUnit_DetailedPreprocessingRecord,
                                                      &tu);
    totals->units++;
    if (rc != CXError_Success || tu == NULL) {
        char msg[512];
        snprintf(msg, sizeof msg, "libclang could not parse '%s' (error %d)",
                 file ? file : "(compile command)", (int)rc);
        diag(cb, ctx, "error", file, 0, 0, msg);
        totals->units_failed++;
        return 1;
    }
    CXString spelling = clang_getTranslationUnitSpelling(tu);
    unsigned errors = report_clang_errors(tu, clang_getCString(spelling), cb, ctx);
    totals->lines += count_lines(tu, clang_getCString(spelling));
    clang_disposeString(spelling);
    int lowered = lower_translation_unit(p, tu);
    clang_disposeTranslationUnit(tu);
    if (lowered < 0)
        return -1;
    if (errors) {
        totals->units_failed++;
        return 1;
    }
    return 0;
}

/* Units named on the command line: FILE... -- CFLAGS. */
static int parse_files(CXIndex index, const struct scan_options *o, struct ir_program *p,
                       const struct scan_callbacks *cb, void *ctx, struct scan_totals *totals)
{
    const char *args[MAX_ARGS];
    int nargs = 0;
    args[nargs++] = "-ferror-limit=0";      /* every error, so none is skipped silently */
    for (uint32_t i = 0; i < o->ncflags && nargs < MAX_ARGS - MODEL_FLAGS; i++)
        args[nargs++] = o->cflags[i];
    nargs += model_flags(o, args + nargs);
    int worst = 0;
    for (uint32_t i = 0; i < o->nfiles; i++) {
        int rc = parse_unit(index, o->files[i], args, nargs, p, cb, ctx, totals);
        if (rc < 0)
            return -1;
        if (rc > worst)
            worst = rc;
    }
    return worst;
}

static int wanted(const struct scan_options *o, const char *file)
{
    if (o->nfiles == 0)
        return 1;
    for (uint32_t i = 0; i < o->nfiles; i++) {
        size_t lf = strlen(file), lo = strlen(o->files[i]);
        if (strcmp(file, o->files[i]) == 0
            || (lf > lo && strcmp(file + lf - lo, o->files[i]) == 0 && file[lf - lo - 1] == '/'))
            return 1;
    }
    return 0;
}

/* Units of a compile_commands.json (-p DIR), like clang-tidy. */
static int parse_database(CXIndex index, const struct scan_options *o, struct ir_program *p,
                          const struct scan_callbacks *cb, void *ctx, struct scan_totals *totals)
{
    CXCompilationDatabase_Error err;
    CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(o->build_dir, &err);
    if (err != CXCompilationDatabase_NoError || db == NULL) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot load %s/compile_commands.json", o->build_dir);
        diag(cb, ctx, "error", NULL, 0, 0, msg);
        if (db)
            clang_CompilationDatabase_dispose(db);
        return 1;
    }
    CXCompileCommands cmds = clang_CompilationDatabase_getAllCompileCommands(db);
    unsigned n = cmds ? clang_CompileCommands_getSize(cmds) : 0;
    int worst = 0, found = 0;
    for (unsigned i = 0; i < n && worst >= 0; i++) {
        CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, i);
        CXString file = clang_CompileCommand_getFilename(cmd);
        CXString dir = clang_CompileCommand_getDirectory(cmd);
        char path[4096];
        const char *f = clang_getCString(file), *d = clang_getCString(dir);
        if (f[0] == '/' || d[0] == '\0')
            snprintf(path, sizeof path, "%s", f);
        else
            snprintf(path, sizeof path, "%s/%s", d, f);
        if (wanted(o, f) || wanted(o, path)) {
            found++;
            /* the command minus the compiler, -c, -o FILE and the source */
            CXString held[MAX_ARGS];
            const char *args[MAX_ARGS];
            int nheld = 0, nargs = 0;
            unsigned nargs_cmd = clang_CompileCommand_getNumArgs(cmd);
            for (unsigned a = 1; a < nargs_cmd && nheld < MAX_ARGS - 8; a++) {
                held[nheld] = clang_CompileCommand_getArg(cmd, a);
                const char *arg = clang_getCString(held[nheld++]);
                if (strcmp(arg, "-c") == 0 || strcmp(arg, f) == 0 || strcmp(arg, path) == 0)
                    continue;
                if (strcmp(arg, "-o") == 0) {
                    a++;
                    continue;
                }
                args[nargs++] = arg;
            }
            args[nargs++] = "-working-directory";
            args[nargs++] = d;
            args[nargs++] = "-ferror-limit=0";
            nargs += model_flags(o, args + nargs);
            for (uint32_t k = 0; k < o->ncflags && nargs < MAX_ARGS; k++)
                args[nargs++] = o->cflags[k];
            int rc = parse_unit(index, path, args, nargs, p, cb, ctx, totals);
            if (rc < 0 || rc > worst)
                worst = rc;
            for (int h = 0; h < nheld; h++)
                clang_disposeString(held[h]);
        }
        clang_disposeString(file);
        clang_disposeString(dir);
    }
    if (cmds)
        clang_CompileCommands_dispose(cmds);
    clang_CompilationDatabase_dispose(db);
    if (found == 0 && worst >= 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s/compile_commands.json has no entry for the files given",
                 o->build_dir);
        diag(cb, ctx, "error", NULL, 0, 0, msg);
        return 1;
    }
    return worst;
}

/* `#define fun_HW_STARTIO AhciHwStartIo` lines of an sdv-map.h. */
static int read_sdv_map(struct ir_program *p, const char *path, int must_exist,
                        const struct scan_callbacks *cb, void *ctx)
{
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        if (must_exist) {
            char msg[512];
            snprintf(msg, sizeof msg, "cannot read sdv-map file '%s'", path);
            diag(cb, ctx, "error", NULL, 0, 0, msg);
            return 1;
        }
        return 0;
    }
    char line[1024];
    uint32_t lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, in) && rc >= 0) {
        char role[256], fn[256];
        lineno++;
        if (sscanf(line, " # define fun_%255s %255s", role, fn) != 2)
            continue;
        const struct ls_role *r = ls_role_lookup(role);
        if (r == NULL) {
            char msg[512];
            snprintf(msg, sizeof msg, "unknown role fun_%s; the line is ignored", role);
            diag(cb, ctx, "warning", path, lineno, 1, msg);
            continue;
        }
        char how[512];
        snprintf(how, sizeof how, "mapped in %s:%u", path, lineno);
        if (ir_add_entry(p, fn, r->name, how) < 0)
            rc = -1;
    }
    fclose(in);
    return rc;
}

/* The sdv-map.h next to each scanned file, and --sdv-map. */
static int read_sdv_maps(struct ir_program *p, const struct scan_options *o,
                         const struct scan_callbacks *cb, void *ctx)
{
    int worst = 0;
    if (o->sdv_map && (worst = read_sdv_map(p, o->sdv_map, 1, cb, ctx)) < 0)
        return -1;
    char seen[16][1024];
    uint32_t nseen = 0;
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", p->functions[i]->file);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        uint32_t k = 0;
        while (k < nseen && strcmp(seen[k], dir) != 0)
            k++;
        if (k < nseen || nseen == 16)
            continue;
        snprintf(seen[nseen++], sizeof seen[0], "%s", dir);
        char path[1100];
        snprintf(path, sizeof path, "%s/sdv-map.h", dir);
        if (read_sdv_map(p, path, 0, cb, ctx) < 0)
            return -1;
    }
    return worst;
}

/* Entry points when none was declared, registered or named: the defined
 * external functions no other function calls (and main). */
static int add_root_entries(struct ir_program *p)
{
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        const struct ir_function *f = p->functions[i];
        if (f->is_static && strcmp(f->name, "main") != 0)
            continue;
        int called = 0;
        for (uint32_t j = 0; j < p->nfunctions && !called; j++) {
            const struct ir_function *g = p->functions[j];
            for (uint32_t n = 0; n < g->nnodes && !called; n++)
                called = g != f && g->nodes[n].kind == N_CALL && g->nodes[n].callee
                         && strcmp(g->nodes[n].callee, f->name) == 0;
        }
        if (!called && ir_add_entry(p, f->name, NULL, "not called by other scanned code") < 0)
            return -1;
    }
    return 0;
}

/* --entry FUNC[:ROLE] replaces the entry points found. */
static int named_entries(struct ir_program *p, const struct scan_options *o,
                         const struct scan_callbacks *cb, void *ctx)
{
    p->nentries = 0;
    for (uint32_t i = 0; i < o->nentries; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", o->entries[i]);
        char *colon = strchr(name, ':');
        const char *role = NULL;
        if (colon) {
            *colon = '\0';
            const struct ls_role *r = ls_role_lookup(colon + 1);
            if (r == NULL) {
                char msg[512];
                snprintf(msg, sizeof msg, "--entry %s: unknown role '%s'", o->entries[i], colon + 1);
                diag(cb, ctx, "error", NULL, 0, 0, msg);
                return 1;
            }
            role = r->name;
        }
        if (ir_add_entry(p, name, role, "named with --entry") < 0)
            return -1;
    }
    return 0;
}

static void dump_write(void *context, const char *text)
{
    const struct scan_callbacks *cb = ((void **)context)[0];
    cb->dump(((void **)context)[1], text);
}

/* Explores every entry point at each IRQL of its role. */
static int analyse(struct ir_program *p, const struct scan_options *o,
                   const struct ls_rule *const *rules, uint32_t nrules,
                   const struct scan_callbacks *cb, void *ctx, struct scan_totals *totals)
{
    struct engine *e = engine_new(p, rules, nrules, &o->limits, cb->violation, ctx);
    uint8_t *is_entry = calloc(p->nfunctions ? p->nfunctions : 1, 1);
    if (e == NULL || is_entry == NULL) {
        engine_free(e);
        free(is_entry);
        return -1;
    }
    int rc = 0;
    for (uint32_t i = 0; i < p->nentries && rc >= 0; i++) {
        const struct ir_entry *entry = &p->entries[i];
        const struct ir_function *f = ir_find_function(p, entry->function, NULL);
        if (f == NULL) {
            /* a static function is found from its own file */
            for (uint32_t k = 0; k < p->nfunctions && f == NULL; k++)
                if (strcmp(p->functions[k]->name, entry->function) == 0)
                    f = p->functions[k];
        }
        if (f == NULL) {
            char msg[512];
            snprintf(msg, sizeof msg, "entry point %s (%s) is not defined in the scanned files",
                     entry->function, entry->how ? entry->how : "");
            diag(cb, ctx, o->nentries ? "error" : "note", NULL, 0, 0, msg);
            if (o->nentries)
                rc = 1;
            continue;
        }
        if (f->skipped)
            continue;
        is_entry[f->index] = 1;
        const struct ls_role *role = entry->role ? ls_role_lookup(entry->role) : NULL;
        uint8_t lo = role ? role->irql_min : o->irql, hi = role ? role->irql_max : o->irql;
        for (unsigned irql = lo; irql <= hi; irql++) {
            int r = engine_explore(e, entry, f, (uint8_t)irql);
            if (r < 0) {
                rc = -1;
                break;
            }
            totals->entries++;
            totals->states += engine_last_states(e);
            if (cb->entry)
                cb->entry(ctx, f->name, entry->role, (uint8_t)irql, engine_last_states(e), r == 1);
        }
    }
    for (uint32_t i = 0; i < p->nfunctions && rc >= 0; i++) {
        const struct ir_function *f = p->functions[i];
        const struct engine_function_stats *st = engine_stats(e, i);
        struct scan_function out = { f->name, f->file, f->line, "analysed", NULL,
                                     is_entry[i], st->states };
        if (f->skipped)
            out.status = "skipped", out.reason = f->skipped, totals->skipped++;
        else if (st->gave_up)
            out.status = "gave-up", out.reason = st->gave_up, totals->gave_up++;
        else if (st->states == 0)
            out.status = "skipped", out.reason = "not reached from any entry point",
            totals->skipped++;
        else
            totals->analysed++;
        totals->functions++;
        if (cb->function)
            cb->function(ctx, &out);
    }
    engine_free(e);
    free(is_entry);
    return rc;
}

int scan_run(const struct scan_options *o, const struct ls_rule *const *rules, uint32_t nrules,
             const struct scan_callbacks *cb, void *ctx, struct scan_totals *totals)
{
    memset(totals, 0, sizeof *totals);
    struct ir_program p;
    ir_program_init(&p);
    CXIndex index = clang_createIndex(0, 0);
    double t0 = now();
    int rc = o->build_dir ? parse_database(index, o, &p, cb, ctx, totals)
                          : parse_files(index, o, &p, cb, ctx, totals);
    clang_disposeIndex(index);
    totals->parse_seconds = now() - t0;
    if (rc >= 0 && o->dump_cfg) {
        void *pair[2] = { (void *)cb, ctx };
        for (uint32_t i = 0; i < p.nfunctions; i++)
            ir_dump_function(p.functions[i], dump_write, pair);
        ir_program_free(&p);
        return rc;
    }
    int r = 0;
    if (rc >= 0 && ir_index(&p) < 0)
        rc = -1;
    if (rc >= 0) {
        const struct ir_function *main_entry = ir_find_function(&p, "DriverEntry", NULL);
        if (main_entry && ir_add_entry(&p, "DriverEntry", "DRIVER_INITIALIZE",
                                       "the driver's DriverEntry") < 0)
            rc = -1;
    }
    if (rc >= 0 && (r = read_sdv_maps(&p, o, cb, ctx)) != 0)
        rc = r < 0 ? -1 : r > rc ? r : rc;
    if (rc >= 0 && o->nentries && (r = named_entries(&p, o, cb, ctx)) != 0) {
        /* a bad --entry is a usage error: nothing is analysed */
        ir_program_free(&p);
        return r;
    }
    if (rc >= 0 && p.nentries == 0 && add_root_entries(&p) < 0)
        rc = -1;
    t0 = now();
    if (rc >= 0 && (r = analyse(&p, o, rules, nrules, cb, ctx, totals)) != 0)
        rc = r < 0 ? -1 : r > rc ? r : rc;
    totals->analysis_seconds = now() - t0;
    ir_program_free(&p);
    return rc;
}
