/*
 * sema.c — semantic analysis: from a parsed rule to one the emitters can
 * trust.  It walks the tree once, in source order (metadata, state,
 * watches, handlers), and leaves:
 *
 *   - facts for the emitters: rule name, model and metadata; each event's
 *     function, role and signature (ddi.c); variable indexes and folded
 *     initial values; every name bound to a state variable, enum constant
 *     or IRQL built-in; the extended operands (*$1, $2->A.B) a source must
 *     read from memory; the constants each operand is compared with, the
 *     `cases` the static engine splits unknown values by;
 *   - errors for what cannot run, and warnings for what runs but is
 *     probably not meant (dead code, unused state, constant conditions).
 *
 * check_expr() works bottom-up and returns a `struct value`: its type, its
 * folded constant, whether it is a bare event operand.  V_BAD means
 * "already reported" and silences every check above it, so one mistake
 * gives one diagnostic; for the same reason the unused-state lints run
 * only on a rule without errors.
 */
#include "eval.h"
#include "sema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddi.h"
#include "xalloc.h"
#include "lockstep/rule.h"

/* ---- scratch memory -------------------------------------------------------
 * Tables that only live during sema_check() are malloc'd (xalloc.h) and
 * freed at the end; whatever the rule keeps is copied into its arena. */

/* Grows *items (of elem bytes each) so that one more fits. */
static void grow(void **items, size_t elem, size_t count, size_t *cap)
{
    if (count < *cap)
        return;
    *cap = *cap ? *cap * 2 : 16;
    *items = xrealloc(*items, *cap * elem);
}

/* A growing string, for the canonical text of extended operands. */
struct strbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* ---- string map -------------------------------------------------------------
 * Open addressing, FNV-1a, kept at most half full.  Keys are borrowed: they
 * must outlive the map (arena strings do). */

struct strmap {
    const char **keys;
    int *vals;
    size_t cap, count;
};

static size_t hash_str(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The value stored for key, or NULL. */
static int *strmap_find(const struct strmap *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return NULL;
        if (strcmp(m->keys[i], key) == 0)
            return &m->vals[i];
    }
}

static void strmap_put(struct strmap *m, const char *key, int val)
{
    if ((m->count + 1) * 2 > m->cap) {
        struct strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 32;
        m->keys = xcalloc(m->cap, sizeof *m->keys);
        m->vals = xcalloc(m->cap, sizeof *m->vals);
        m->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                strmap_put(m, old.keys[i], old.vals[i]);
        free(old.keys);
        free(old.vals);
    }
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
}

static void strmap_clear(struct strmap *m)
{
    if (m->cap)
        memset(m->keys, 0, m->cap * sizeof *m->keys);
    m->count = 0;
}

static void strmap_free(struct strmap *m)
{
    free(m->keys);
    free(m->vals);
}

/* ---- the analysis context ----------------------------------------------- */

/* A name the rule declares. */
struct symbol {
    struct ast_var *var;                /* a state variable, or            */
    struct ast_enum_const *enum_const;  /* an enum constant                */
};

/* What the lints learn about one state variable (indexed by var->index). */
struct var_use {
    bool tested;        /* read for its value (not just to update itself)  */
    bool assigned;
    bool *const_used;   /* per enum constant, by position                  */
};

/* One comparison constant, before sorting and grouping. */
struct case_rec {
    const char *function;
    int when;
    int kind;
    int index;
    int64_t value;
};

struct sema {
    struct ast_rule *rule;
    struct diag *d;
    int errors;                 /* errors sema reported itself            */

    struct symbol *syms;        /* declared names, in declaration order   */
    size_t sym_count, sym_cap;
    struct strmap sym_map;      /* name -> index in syms                  */
    struct strmap dup_names;    /* declared twice: uses stay quiet        */
    struct var_use *use;

    /* Where the expression being checked sits.  init_var: an initializer
     * (no events).  events/when: a watch, guard or handler.  in_body: a
     * handler body, whose comparisons feed the cases table. */
    const struct ast_var *init_var;
    struct ast_event *events;
    enum ast_when when;
    bool in_body;

    /* Once-per-handler reports, so one mistake repeated in a handler body
     * gives one diagnostic. */
    struct strmap reported_names;
    uint64_t reported_params;   /* bit N: $N reported (bit 63: N >= 63)   */
    bool reported_return;
    bool reported_no_watch;     /* once per rule                          */

    int depth;                  /* check_expr nesting                     */
    bool reported_depth;

    struct ast_ext *ext;        /* extended operands, in first-use order  */
    size_t ext_count, ext_cap;
    struct strmap ext_map;      /* canonical text -> index                */
    struct strbuf text;         /* scratch for canonical texts            */

    struct case_rec *cases;
    size_t case_count, case_cap;
};

#define report_error(s, loc, ...) \
    ((s)->errors++, diag_error((s)->d, (loc), __VA_ARGS__))

static bool should_stop(const struct sema *s)
{
    return diag_should_stop(s->d);
}

static const char *when_name(enum ast_when when)
{
    return when == WHEN_EXIT ? "exit" : "entry";
}

/* ---- locations ---------------------------------------------------------- */

/* The first and last tokens of an expression the parser recorded (it keeps
 * no parentheses, no ']' and no ')' of a call). */
static struct src_loc first_loc(const struct ast_expr *e)
{
    while (e->kind == EXPR_MEMBER || e->kind == EXPR_INDEX
           || e->kind == EXPR_BINARY || e->kind == EXPR_COND)
        e = e->a;
    return e->loc;
}

static struct src_loc last_loc(const struct ast_expr *e)
{
    for (;;) {
        switch (e->kind) {
        case EXPR_UNARY:  e = e->a; break;
        case EXPR_BINARY:
        case EXPR_INDEX:  e = e->b; break;
        case EXPR_COND:   e = e->c; break;
        default:          return e->loc;
        }
    }
}

/* The whole expression as written, for a caret line under all of it.
 * Tokens from macros count at their use site; when the ends do not meet
 * in one file the first token alone is returned. */
static struct src_loc span(const struct sema *s, const struct ast_expr *e)
{
    struct src_loc a = first_loc(e), b = last_loc(e);
    if (!s->rule->sm)
        return a;
    a = src_spelled_at(s->rule->sm, a);
    b = src_spelled_at(s->rule->sm, b);
    if (a.file != b.file || b.offset + b.length < a.offset)
        return first_loc(e);
    a.length = b.offset + b.length - a.offset;
    a.expansion = 0;
    return a;
}

/* ---- names -------------------------------------------------------------- */

static bool is_ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static bool is_c_identifier(const char *s)
{
    if (!s || !is_ident_start(*s))
        return false;
    while (*++s)
        if (!is_ident_char(*s))
            return false;
    return true;
}

/* Model names become directory names and database values: [a-z0-9_]+. */
static bool is_model_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s)
            && *s != '_')
            return false;
    return true;
}

/* Upper-case words (DISPATCH_LEVEL, NT_SUCCESS) are macros by convention. */
static bool looks_like_macro(const char *s)
{
    bool letter = false;
    for (; *s; s++) {
        if (islower((unsigned char)*s))
            return false;
        letter |= isupper((unsigned char)*s) != 0;
    }
    return letter;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The IRQL built-ins: how many levels back each reads, or -1 when name is
 * none of them.  sdv_irql_previous_N counts from 2 to 31, written without
 * leading zeros. */
static int irql_builtin(const char *name)
{
    static const char prev_n[] = "sdv_irql_previous_";
    if (strcmp(name, "sdv_irql_current") == 0)
        return 0;
    if (strcmp(name, "sdv_irql_previous") == 0)
        return 1;
    if (!has_prefix(name, prev_n))
        return -1;
    const char *p = name + sizeof prev_n - 1;
    if (!isdigit((unsigned char)p[0]) || p[0] == '0')
        return -1;
    int n = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p) || n > 31)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n >= 2 && n <= 31 ? n : -1;
}

/* Optimal-string-alignment distance (insertions, deletions, substitutions
 * and swaps of neighbours), or a large number for long names. */
static int edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n > MAX || m > MAX)
        return 1000;
    int rows[3][MAX + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* Close enough to suggest: at most two edits, and few for a short name. */
static bool is_near(const char *typed, const char *cand, int *best)
{
    int dist = edit_distance(typed, cand);
    size_t longer = strlen(typed) > strlen(cand) ? strlen(typed) : strlen(cand);
    if (dist == 0 || dist > 2 || (size_t)dist * 3 > longer || dist >= *best)
        return false;
    *best = dist;
    return true;
}

/* After "undeclared name 'x'": the declared name or built-in it most
 * likely misspells, else a hint about what is missing. */
static void suggest_name(struct sema *s, const struct ast_expr *e)
{
    static const char *const builtins[] = {
        "sdv_irql_current", "sdv_irql_previous"
    };
    int best = 3;
    const char *cand = NULL;
    struct src_loc cand_loc = e->loc;
    for (size_t i = 0; i < s->sym_count; i++) {
        const struct symbol *sym = &s->syms[i];
        const char *name = sym->var ? sym->var->name : sym->enum_const->name;
        if (is_near(e->name, name, &best)) {
            cand = name;
            cand_loc = sym->var ? sym->var->loc : sym->enum_const->loc;
        }
    }
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (is_near(e->name, builtins[i], &best)) {
            cand = builtins[i];
            cand_loc = e->loc;
        }
    if (cand)
        diag_note(s->d, cand_loc, "did you mean '%s'?", cand);
    else if (has_prefix(e->name, "sdv_irql"))
        diag_note(s->d, e->loc, "the IRQL built-ins are 'sdv_irql_current', "
                  "'sdv_irql_previous' and 'sdv_irql_previous_2' to "
                  "'sdv_irql_previous_31'");
    else if (looks_like_macro(e->name) && e->loc.expansion == 0)
        diag_note(s->d, e->loc, "no macro '%s' is defined; is an '#include' "
                  "missing?", e->name);
}

static void report_undeclared(struct sema *s, const struct ast_expr *e)
{
    if (strmap_find(&s->reported_names, e->name))
        return;
    strmap_put(&s->reported_names, e->name, 1);
    report_error(s, e->loc, "undeclared name '%s'", e->name);
    suggest_name(s, e);
}

static const struct symbol *lookup(const struct sema *s, const char *name)
{
    int *i = strmap_find(&s->sym_map, name);
    return i ? &s->syms[*i] : NULL;
}

static void note_const_used(struct sema *s, const struct ast_enum_const *c)
{
    if (c->owner && c->value >= 0 && c->value < c->owner->const_count)
        s->use[c->owner->index].const_used[c->value] = true;
}

/* Binds a NAME node to what it denotes and returns the kind; reports an
 * undeclared name (once per handler). */
static enum sym_kind resolve_name(struct sema *s, struct ast_expr *e)
{
    e->sym = SYM_UNRESOLVED;
    e->var = NULL;
    e->enum_const = NULL;
    const struct symbol *sym = lookup(s, e->name);
    int back;
    if (strmap_find(&s->dup_names, e->name)) {
        /* declared twice, already reported: which one is meant is
         * unknown, so stay quiet about its uses */
    } else if (sym && sym->var) {
        e->sym = SYM_VAR;
        e->var = sym->var;
    } else if (sym) {
        e->sym = SYM_ENUM_CONST;
        e->enum_const = sym->enum_const;
        note_const_used(s, sym->enum_const);
    } else if ((back = irql_builtin(e->name)) >= 0) {
        e->sym = SYM_IRQL;
        e->irql_back = back;
    } else {
        report_undeclared(s, e);
    }
    return e->sym;
}

/* ---- rule name, model and metadata -------------------------------------- */

/* The file name without directories and without ".slic". */
static const char *file_stem(struct sema *s, const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".slic") == 0)
        len -= 5;
    return ast_strndup(s->rule->arena, base, len);
}

/* The name of the directory holding the spec (specs/storport/X.slic ->
 * "storport"), or NULL when the path names none. */
static const char *parent_dir(struct sema *s, const char *path)
{
    const char *end = NULL;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            end = p;
    if (!end)
        return NULL;
    const char *start = end;
    while (start > path && start[-1] != '/' && start[-1] != '\\')
        start--;
    return ast_strndup(s->rule->arena, start, (size_t)(end - start));
}

static void check_rule_name(struct sema *s)
{
    struct ast_rule *r = s->rule;
    const char *path = r->path ? r->path : "";
    r->name = r->meta_name ? r->meta_name : file_stem(s, path);
    if (is_c_identifier(r->name))
        return;
    struct src_loc at = { r->file, 0, 1, 0 };
    if (r->meta_name)
        at = r->meta_loc;
    report_error(s, at, "rule name '%s' is not a C identifier; name the rule "
                 "with a 'rule' header", r->name);
}

enum { META_MODEL, META_SUMMARY, META_SEVERITY, META_HELP, META_COUNT };

static const char *const meta_keys[META_COUNT] = {
    "model", "summary", "severity", "help"          /* ORDER META */
};

/* Checks the `rule Name { key "value"; }` properties and fills model,
 * summary, severity and help, with defaults for those absent.  A model
 * taken from the spec's directory that is not a valid model name falls
 * back to "generic" quietly: only a model the author wrote is an error. */
static void check_meta(struct sema *s)
{
    struct ast_rule *r = s->rule;
    const struct ast_meta *seen[META_COUNT] = { NULL };
    for (const struct ast_meta *m = r->meta; m && !should_stop(s);
         m = m->next) {
        int k = 0;
        while (k < META_COUNT && strcmp(m->key, meta_keys[k]) != 0)
            k++;
        if (k == META_COUNT) {
            report_error(s, m->loc, "unknown rule property '%s'; expected "
                         "'model', 'summary', 'severity' or 'help'", m->key);
        } else if (seen[k]) {
            report_error(s, m->loc, "duplicate rule property '%s'", m->key);
            diag_note(s->d, seen[k]->loc, "previous value is here");
        } else {
            seen[k] = m;
        }
    }

    r->summary = seen[META_SUMMARY] ? seen[META_SUMMARY]->value : "";
    r->help = seen[META_HELP] ? seen[META_HELP]->value : "";
    r->severity = "error";
    if (seen[META_SEVERITY]) {
        const struct ast_meta *m = seen[META_SEVERITY];
        if (strcmp(m->value, "error") == 0 || strcmp(m->value, "warning") == 0)
            r->severity = m->value;
        else
            report_error(s, m->value_loc, "severity must be 'error' or "
                         "'warning', not '%s'", m->value);
    }
    if (seen[META_MODEL]) {
        const struct ast_meta *m = seen[META_MODEL];
        r->model = m->value;
        if (!is_model_name(m->value))
            report_error(s, m->value_loc, "model '%s' is not a valid model "
                         "name; use lower-case letters, digits and '_'",
                         m->value);
    } else {
        const char *dir = parent_dir(s, r->path ? r->path : "");
        r->model = is_model_name(dir) ? dir : "generic";
    }
}

/* ---- state variables ---------------------------------------------------- */

static struct src_loc symbol_loc(const struct symbol *sym)
{
    return sym->var ? sym->var->loc : sym->enum_const->loc;
}

/* Enters one declared name; reports a clash with an earlier declaration
 * or with a built-in. */
static void declare(struct sema *s, struct ast_var *var,
                    struct ast_enum_const *c)
{
    const char *name = var ? var->name : c->name;
    struct src_loc loc = var ? var->loc : c->loc;
    const struct symbol *prev = lookup(s, name);
    if (prev) {
        report_error(s, loc, "duplicate %s '%s'",
                     var ? "state variable" : "enum constant", name);
        diag_note(s->d, symbol_loc(prev), "previous declaration is here");
        strmap_put(&s->dup_names, name, 1);
        return;
    }
    if (irql_builtin(name) >= 0) {
        report_error(s, loc, "'%s' is a built-in; choose another name for "
                     "this %s", name, var ? "state variable" : "enum constant");
        return;
    }
    grow((void **)&s->syms, sizeof *s->syms, s->sym_count, &s->sym_cap);
    s->syms[s->sym_count] = (struct symbol){ var, c };
    strmap_put(&s->sym_map, name, (int)s->sym_count);
    s->sym_count++;
}

struct value;
static struct value check_expr(struct sema *s, struct ast_expr *e);

/* `enum {a, b} s = a;`: the initializer must name one of s's own
 * constants; its position is the initial value. */
static void check_enum_init(struct sema *s, struct ast_var *v)
{
    struct ast_expr *e = v->init;
    e->ext = -1;
    if (e->kind != EXPR_NAME) {
        if (e->kind == EXPR_INT)
            report_error(s, e->loc, "enum initializer must be one of the "
                         "enum's constants ('%lld' is not a constant of '%s')",
                         (long long)e->value, v->name);
        else
            report_error(s, span(s, e), "enum initializer must be one of "
                         "the enum's constants, not an expression");
        return;
    }
    e->sym = SYM_UNRESOLVED;
    for (struct ast_enum_const *c = v->consts; c; c = c->next)
        if (strcmp(c->name, e->name) == 0) {
            e->sym = SYM_ENUM_CONST;
            e->enum_const = c;
            note_const_used(s, c);
            v->init_value = c->value;
            return;
        }
    report_error(s, e->loc, "enum initializer must be one of the enum's "
                 "constants ('%s' is not a constant of '%s')", e->name,
                 v->name);
    int best = 3;
    const struct ast_enum_const *cand = NULL;
    for (const struct ast_enum_const *c = v->consts; c; c = c->next)
        if (is_near(e->name, c->name, &best))
            cand = c;
    if (cand)
        diag_note(s->d, cand->loc, "did you mean '%s'?", cand->name);
}

/* ---- values ------------------------------------------------------------- */

enum vtype { V_BAD, V_INT, V_ENUM };

/* What check_expr learns about an expression. */
struct value {
    enum vtype type;            /* V_BAD: already reported, stay quiet      */
    const struct ast_var *enum_of;  /* V_ENUM: whose constants it holds     */
    bool is_const;              /* folded from literals (enum constants and
                                   names do not count)                      */
    int64_t k;                  /* is_const: the value                      */
    uint8_t op_kind;            /* LS_OP_*: a bare event or IRQL operand    */
    int op_index;
};

static struct value v_bad(void)
{
    return (struct value){ .type = V_BAD };
}

static struct value v_int(void)
{
    return (struct value){ .type = V_INT };
}

static struct value v_const(int64_t k)
{
    return (struct value){ .type = V_INT, .is_const = true, .k = k };
}

static struct value v_enum(const struct ast_var *var)
{
    return (struct value){ .type = V_ENUM, .enum_of = var };
}

static struct value v_operand(int kind, int index)
{
    return (struct value){ .type = V_INT, .op_kind = (uint8_t)kind,
                           .op_index = index };
}

/* `int n = expr;`: the initializer must fold to a constant. */
static void check_int_init(struct sema *s, struct ast_var *v)
{
    s->init_var = v;
    struct value val = check_expr(s, v->init);
    s->init_var = NULL;
    if (val.type == V_BAD)
        return;
    if (val.type == V_ENUM) {
        const struct ast_expr *e = v->init;
        if (e->kind == EXPR_NAME && e->sym == SYM_ENUM_CONST)
            report_error(s, e->loc, "cannot initialize integer variable '%s' "
                         "with enum constant '%s'", v->name, e->name);
        else
            report_error(s, span(s, e), "cannot initialize integer variable "
                         "'%s' with an enum value", v->name);
        return;
    }
    if (!val.is_const) {
        report_error(s, span(s, v->init), "initializer of '%s' is not a "
                     "constant expression", v->name);
        return;
    }
    v->init_value = val.k;
}

/* Numbers the variables, declares them and their constants, and folds the
 * initializers, one variable at a time so diagnostics come in source
 * order. */
static void check_state(struct sema *s)
{
    struct ast_rule *r = s->rule;
    int n = 0;
    for (struct ast_var *v = r->vars; v; v = v->next) {
        v->index = n++;
        v->init_value = 0;
        v->is_read = false;
    }
    r->var_count = n;
    s->use = xcalloc((size_t)n, sizeof *s->use);
    for (struct ast_var *v = r->vars; v; v = v->next)
        s->use[v->index].const_used = xcalloc((size_t)v->const_count, 1);

    for (struct ast_var *v = r->vars; v && !should_stop(s); v = v->next) {
        for (struct ast_enum_const *c = v->consts; c; c = c->next)
            declare(s, NULL, c);
        declare(s, v, NULL);
        if (v->init && v->is_enum)
            check_enum_init(s, v);
        else if (v->init)
            check_int_init(s, v);
    }
}

/* ---- events ------------------------------------------------------------- */

/* Fills function, role, arity and returns_value of one event name:
 *   sdv_RunStartIo   harness (SDV_Run... in later kits): keeps its name,
 *                    role from the harness table
 *   fun_HW_STARTIO   role routine: keeps its name, role "HW_STARTIO"
 *   sdv_KeFoo        SDV's prefixed name for KeFoo
 * Unknown functions are fine: arity -1, and $return assumed available. */
static void resolve_event(struct sema *s, struct ast_event *ev)
{
    const struct ddi_signature *sig = NULL;
    ev->function = ev->name;
    ev->role = NULL;
    if (has_prefix(ev->name, "sdv_Run") || has_prefix(ev->name, "SDV_Run")) {
        ev->role = ddi_harness_role(ev->name);
        if (ev->role)
            sig = ddi_role_signature(ev->role);
        else
            report_error(s, ev->loc, "unknown SDV harness routine '%s'",
                         ev->name);
    } else if (has_prefix(ev->name, "fun_") && ev->name[4]) {
        ev->role = ev->name + 4;
        sig = ddi_role_signature(ev->role);
    } else {
        if (has_prefix(ev->name, "sdv_") && ev->name[4])
            ev->function = ev->name + 4;
        sig = ddi_lookup(ev->function);
    }
    ev->arity = sig ? sig->arity : -1;
    ev->returns_value = sig ? sig->returns_value : true;
}

/* A function listed twice in one event set would run the handler twice
 * per event; warn and drop the repetition. */
static void check_event_set(struct sema *s, struct ast_handler *h)
{
    struct ast_event **link = &h->events;
    while (*link) {
        struct ast_event *ev = *link;
        const struct ast_event *first = h->events;
        while (first != ev && strcmp(first->function, ev->function) != 0)
            first = first->next;
        if (first != ev) {
            diag_warning(s->d, ev->loc, "'%s' is listed twice in this event "
                         "set; the handler runs once per event", ev->function);
            diag_note(s->d, first->loc, "first listed here");
            *link = ev->next;
        } else {
            link = &ev->next;
        }
    }
}

static bool same_key(const struct ast_expr *a, const struct ast_expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case EXPR_PARAM:  return a->param == b->param;
    case EXPR_RETURN: return true;
    case EXPR_UNARY:  return a->op == b->op && same_key(a->a, b->a);
    default:          return false;
    }
}

static bool same_guard(const struct ast_handler *a, const struct ast_handler *b)
{
    return a->guard_or_null == b->guard_or_null && same_key(a->guard, b->guard);
}

/* Two handlers on one event with one guard both run, in source order;
 * usually one was meant to extend the other. */
static void check_repeated_handler(struct sema *s, const struct ast_handler *h)
{
    for (const struct ast_event *ev = h->events; ev; ev = ev->next) {
        for (const struct ast_handler *g = s->rule->handlers; g && g != h;
             g = g->next) {
            if (g->when != h->when || !same_guard(g, h))
                continue;
            const struct ast_event *other = g->events;
            while (other && strcmp(other->function, ev->function) != 0)
                other = other->next;
            if (!other)
                continue;
            diag_warning(s->d, ev->loc, "a second %s for '%s.%s'; both run, "
                         "in source order",
                         h->guard ? "handler with the same guard"
                                  : "unguarded handler",
                         ev->function, when_name(h->when));
            diag_note(s->d, other->loc, "the first handler for '%s.%s' is here",
                      ev->function, when_name(h->when));
            break;
        }
    }
}

/* ---- event operands ----------------------------------------------------- */

/* Starts a watch, guard or handler: the events $N and $return refer to. */
static void begin_events(struct sema *s, struct ast_event *events,
                         enum ast_when when)
{
    s->events = events;
    s->when = when;
    s->in_body = false;
    s->reported_params = 0;
    s->reported_return = false;
    strmap_clear(&s->reported_names);
}

/* Checks $N against the event set; true when it is valid for every
 * function.  Reports each problem once per handler. */
static bool check_param(struct sema *s, const struct ast_expr *e)
{
    int n = e->param;
    uint64_t bit = (uint64_t)1 << (n >= 0 && n < 63 ? n : 63);
    bool first = !(s->reported_params & bit);
    s->reported_params |= bit;
    if (n <= 0) {
        if (first)
            report_error(s, e->loc, "'$%d' is not a parameter; parameters are "
                         "numbered from $1", n);
        return false;
    }
    if (n > LS_MAX_ARGS) {
        if (first)
            report_error(s, e->loc, "'$%d' is out of range: events carry at "
                         "most %d arguments", n, LS_MAX_ARGS);
        return false;
    }
    bool ok = true;
    for (const struct ast_event *ev = s->events; ev; ev = ev->next) {
        if (ev->arity < 0 || n <= ev->arity)
            continue;
        ok = false;
        if (!first)
            continue;
        if (ev->arity == 0)
            report_error(s, e->loc, "'$%d' is out of range: '%s' takes no "
                         "parameters", n, ev->function);
        else
            report_error(s, e->loc, "'$%d' is out of range: '%s' takes %d "
                         "parameter%s", n, ev->function, ev->arity,
                         ev->arity == 1 ? "" : "s");
    }
    return ok;
}

/* $return needs an exit event of a function that returns a value. */
static bool check_return(struct sema *s, const struct ast_expr *e)
{
    bool first = !s->reported_return;
    s->reported_return = true;
    if (s->when == WHEN_ENTRY) {
        if (first)
            report_error(s, e->loc, "'$return' is not available on an '.entry' "
                         "event; the return value is known at '.exit'");
        return false;
    }
    bool ok = true;
    for (const struct ast_event *ev = s->events; ev; ev = ev->next) {
        if (ev->returns_value)
            continue;
        ok = false;
        if (first)
            report_error(s, e->loc, "'$return' is not available: '%s' returns "
                         "VOID", ev->function);
    }
    return ok;
}

/* If e is an extended operand — *$N, or a member chain rooted at $N,
 * $return or *$N — returns the $N/$return node and sets *deref; else NULL.
 * A bare $N is not extended. */
static struct ast_expr *ext_root(struct ast_expr *e, bool *deref)
{
    struct ast_expr *x = e;
    while (x->kind == EXPR_MEMBER)
        x = x->a;
    *deref = false;
    if (x->kind == EXPR_UNARY && x->op == OP_DEREF) {
        *deref = true;
        x = x->a;
    }
    if (x == e || (x->kind != EXPR_PARAM && x->kind != EXPR_RETURN))
        return NULL;
    return x;
}

/* Appends ".A->B" for the member chain above the root.  Iterative: a
 * chain is as long as the input makes it. */
static void ext_path(struct strbuf *b, const struct ast_expr *e)
{
    const struct ast_expr **chain = NULL;
    size_t n = 0, cap = 0;
    for (; e->kind == EXPR_MEMBER; e = e->a) {
        grow((void **)&chain, sizeof *chain, n, &cap);
        chain[n++] = e;
    }
    while (n-- > 0) {
        sb_add(b, chain[n]->arrow ? "->" : ".");
        sb_add(b, chain[n]->name);
    }
    free(chain);
}

/* The canonical spelling of an extended operand into s->text: "*$1",
 * "$2->A.B", "(*$1).F", "$return->X".  Returns the length of the root
 * part, so text + that is the path. */
static size_t ext_text(struct sema *s, struct ast_expr *e,
                       const struct ast_expr *root, bool deref)
{
    char arg[32];
    if (root->kind == EXPR_RETURN)
        snprintf(arg, sizeof arg, "$return");
    else
        snprintf(arg, sizeof arg, "$%d", root->param);
    s->text.len = 0;
    sb_add(&s->text, "");
    bool has_path = e->kind == EXPR_MEMBER;
    if (deref)
        sb_add(&s->text, has_path ? "(*" : "*");
    sb_add(&s->text, arg);
    if (deref && has_path)
        sb_add(&s->text, ")");
    size_t root_len = s->text.len;
    ext_path(&s->text, e);
    return root_len;
}

/* The index in rule->ext of the operand e (an ext_root), adding it on
 * first use. */
static int ext_register(struct sema *s, struct ast_expr *e,
                        const struct ast_expr *root, bool deref)
{
    size_t root_len = ext_text(s, e, root, deref);
    int *found = strmap_find(&s->ext_map, s->text.p);
    if (found)
        return *found;
    struct ast_arena *arena = s->rule->arena;
    grow((void **)&s->ext, sizeof *s->ext, s->ext_count, &s->ext_cap);
    struct ast_ext *x = &s->ext[s->ext_count];
    x->expr = e;
    x->text = ast_strndup(arena, s->text.p, s->text.len);
    x->arg = root->kind == EXPR_RETURN ? 0 : root->param;
    x->deref = deref;
    x->path = x->text + root_len;
    strmap_put(&s->ext_map, x->text, (int)s->ext_count);
    return (int)s->ext_count++;
}

static void report_not_operand(struct sema *s, struct ast_expr *e);

/* *$N and member chains on parameters: check the parameter, register the
 * operand and mark the outermost node as its leaf. */
static struct value check_ext(struct sema *s, struct ast_expr *e)
{
    bool deref;
    struct ast_expr *root = ext_root(e, &deref);
    if (!root) {
        report_not_operand(s, e);
        return v_bad();
    }
    for (struct ast_expr *x = e; x != root; x = x->a)
        x->ext = -1;
    if (s->init_var)
        return v_int();             /* not constant: the caller says so */
    bool ok = root->kind == EXPR_PARAM ? check_param(s, root)
                                       : check_return(s, root);
    if (!ok)
        return v_bad();
    e->ext = ext_register(s, e, root, deref);
    return v_operand(LS_OP_EXT, e->ext);
}

/* A '*' or a member access that does not start from a parameter: say
 * what it was applied to. */
static void report_not_operand(struct sema *s, struct ast_expr *e)
{
    bool deref;
    if (e->kind == EXPR_UNARY) {
        struct ast_expr *a = e->a;
        struct ast_expr *root = ext_root(a, &deref);
        if (root) {
            ext_text(s, a, root, deref);
            report_error(s, span(s, e), "dereferencing '%s' is not supported; "
                         "rules can read '*$N' and field paths such as "
                         "'$N->Field'", s->text.p);
        } else if (a->kind == EXPR_NAME) {
            enum sym_kind k = resolve_name(s, a);
            if (k != SYM_UNRESOLVED)
                report_error(s, e->loc, "cannot dereference %s '%s'; only "
                             "parameters can be dereferenced ('*$N')",
                             k == SYM_VAR ? "state variable"
                             : k == SYM_IRQL ? "built-in" : "enum constant",
                             a->name);
        } else if (check_expr(s, a).type != V_BAD) {
            report_error(s, span(s, e), "only parameters can be dereferenced "
                         "('*$N')");
        }
        return;
    }
    struct ast_expr *base = e;
    while (base->kind == EXPR_MEMBER)
        base = base->a;
    if (base->kind == EXPR_NAME) {
        switch (resolve_name(s, base)) {
        case SYM_VAR:
            report_error(s, base->loc, "'%s' is a state variable, not a "
                         "structure", base->name);
            break;
        case SYM_ENUM_CONST:
            report_error(s, base->loc, "'%s' is an enum constant, not a "
                         "structure", base->name);
            break;
        case SYM_IRQL:
            report_error(s, base->loc, "'%s' is a built-in, not a structure",
                         base->name);
            break;
        case SYM_UNRESOLVED:
            break;
        }
    } else if (base->kind == EXPR_UNARY && base->op == OP_DEREF) {
        report_not_operand(s, base);
    } else if (check_expr(s, base).type != V_BAD) {
        report_error(s, span(s, e), "member access needs a parameter: write "
                     "'$N->%s' or '(*$N).%s'", e->name, e->name);
    }
}

/* A watch key or guard: $N, $return or *$N of the current event. */
static void check_key(struct sema *s, struct ast_expr *key)
{
    key->ext = -1;
    bool deref;
    if (key->kind == EXPR_PARAM)
        check_param(s, key);
    else if (key->kind == EXPR_RETURN)
        check_return(s, key);
    else if (ext_root(key, &deref))
        check_ext(s, key);
    else
        report_error(s, key->loc, "an instance key must be '$N', '$return' "
                     "or '*$N'");
}

/* ---- comparison constants ----------------------------------------------- */

/* Records that operand v is compared with k in the current handler: one
 * record per function of its event set, or one with no function for an
 * IRQL built-in (which still carries the handler's entry/exit, so every
 * record has the same key shape). */
static void record_case(struct sema *s, const struct value *v, int64_t k)
{
    if (!s->in_body || v->op_kind == LS_OP_NONE)
        return;
    for (const struct ast_event *ev = s->events; ev; ev = ev->next) {
        grow((void **)&s->cases, sizeof *s->cases, s->case_count, &s->case_cap);
        s->cases[s->case_count++] = (struct case_rec){
            v->op_kind == LS_OP_IRQL ? NULL : ev->function,
            (int)s->when, v->op_kind, v->op_index, k };
        if (v->op_kind == LS_OP_IRQL)
            break;
    }
}

/* Function name (NULL last), when, operand kind, index, then value. */
static int case_cmp(const void *pa, const void *pb)
{
    const struct case_rec *a = pa, *b = pb;
    if (!a->function != !b->function)
        return a->function ? -1 : 1;
    int c = a->function ? strcmp(a->function, b->function) : 0;
    if (c)
        return c;
    if (a->when != b->when)
        return a->when < b->when ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return 0;
}

static bool same_case_key(const struct case_rec *a, const struct case_rec *b)
{
    struct case_rec x = *a, y = *b;
    x.value = y.value = 0;
    return case_cmp(&x, &y) == 0;
}

/* Sorts the records and groups them into rule->cases (in the arena). */
static void finish_cases(struct sema *s)
{
    struct ast_rule *r = s->rule;
    r->cases = NULL;
    r->case_count = 0;
    if (s->case_count == 0)
        return;
    qsort(s->cases, s->case_count, sizeof *s->cases, case_cmp);
    int groups = 0;
    for (size_t i = 0; i < s->case_count; i++)
        if (i == 0 || !same_case_key(&s->cases[i - 1], &s->cases[i]))
            groups++;
    r->cases = ast_alloc(r->arena, (size_t)groups * sizeof *r->cases);
    size_t i = 0;
    for (int g = 0; g < groups; g++) {
        size_t j = i, distinct = 0;
        for (; j < s->case_count
               && same_case_key(&s->cases[i], &s->cases[j]); j++)
            if (j == i || s->cases[j].value != s->cases[j - 1].value)
                distinct++;
        struct ast_cases *c = &r->cases[g];
        c->function = s->cases[i].function;
        c->when = (enum ast_when)s->cases[i].when;
        c->operand_kind = s->cases[i].kind;
        c->operand_index = s->cases[i].index;
        c->values = ast_alloc(r->arena, distinct * sizeof *c->values);
        for (size_t k = i; k < j; k++)
            if (k == i || s->cases[k].value != s->cases[k - 1].value)
                c->values[c->count++] = s->cases[k].value;
        i = j;
    }
    r->case_count = groups;
}

/* ---- expressions -------------------------------------------------------- */

static bool is_comparison(enum ast_op op)
{
    return op >= OP_LT && op <= OP_NE;
}


/* A condition: also a truth test of a bare operand, which compares it
 * with 0. */
static struct value check_cond(struct sema *s, struct ast_expr *e)
{
    struct value v = check_expr(s, e);
    if (v.op_kind != LS_OP_NONE)
        record_case(s, &v, 0);
    return v;
}

static void warn_constant_condition(struct sema *s, const struct ast_expr *e,
                                    const struct value *v)
{
    if (v->is_const)
        diag_warning(s->d, span(s, e), "condition is always %s",
                     v->k ? "true" : "false");
}

static struct value check_name(struct sema *s, struct ast_expr *e)
{
    switch (resolve_name(s, e)) {
    case SYM_VAR:
        if (!s->init_var) {
            e->var->is_read = true;
            s->use[e->var->index].tested = true;
        }
        return e->var->is_enum ? v_enum(e->var) : v_int();
    case SYM_ENUM_CONST:
        return v_enum(e->enum_const->owner);
    case SYM_IRQL:
        return s->init_var ? v_int() : v_operand(LS_OP_IRQL, e->irql_back);
    case SYM_UNRESOLVED:
        break;
    }
    return v_bad();
}

static struct value check_unary(struct sema *s, struct ast_expr *e)
{
    if (e->op == OP_DEREF)
        return check_ext(s, e);
    if (e->op == OP_ADDR) {
        report_error(s, span(s, e), "cannot take the address of an expression "
                     "in a rule");
        return v_bad();
    }
    struct value v = e->op == OP_NOT ? check_cond(s, e->a)
                                     : check_expr(s, e->a);
    if (v.type == V_BAD)
        return v;
    if (!v.is_const)
        return v_int();
    int64_t k;
    enum eval_status status = eval_unary(e->op, v.k, &k);
    if (status == EVAL_OVERFLOW) {
        report_error(s, e->loc, "integer overflow in constant expression");
        return v_bad();
    }
    return status == EVAL_OK ? v_const(k) : v_int();
}

/* Enum variables hold only their own constants: comparing across
 * enumerations is an error, comparing with a plain integer a warning. */
static void check_enum_compare(struct sema *s, const struct ast_expr *e,
                               const struct value *l, const struct value *r)
{
    const struct ast_expr *a = e->a, *b = e->b;
    if (l->type == V_ENUM && r->type == V_ENUM) {
        if (l->enum_of == r->enum_of)
            return;
        if (b->kind == EXPR_NAME && b->sym == SYM_ENUM_CONST
            && !(a->kind == EXPR_NAME && a->sym == SYM_ENUM_CONST)) {
            report_error(s, e->loc, "comparing '%s' with '%s', a constant of "
                         "'%s'", l->enum_of->name, b->name, r->enum_of->name);
        } else if (a->kind == EXPR_NAME && a->sym == SYM_ENUM_CONST
                   && !(b->kind == EXPR_NAME && b->sym == SYM_ENUM_CONST)) {
            report_error(s, e->loc, "comparing '%s' with '%s', a constant of "
                         "'%s'", r->enum_of->name, a->name, l->enum_of->name);
        } else {
            report_error(s, e->loc, "comparing values of different "
                         "enumerations ('%s' and '%s')", l->enum_of->name,
                         r->enum_of->name);
        }
        return;
    }
    if ((l->type == V_ENUM) == (r->type == V_ENUM))
        return;
    const struct ast_expr *x = l->type == V_ENUM ? a : b;
    const struct ast_var *of = l->type == V_ENUM ? l->enum_of : r->enum_of;
    if (x->kind == EXPR_NAME && x->sym == SYM_ENUM_CONST)
        diag_warning(s->d, e->loc, "comparing enum constant '%s' with an "
                     "integer", x->name);
    else
        diag_warning(s->d, e->loc, "comparing enum variable '%s' with an "
                     "integer; compare it with one of its constants",
                     of->name);
}

static struct value check_binary(struct sema *s, struct ast_expr *e)
{
    enum ast_op op = e->op;
    bool logical = op == OP_AND || op == OP_OR;
    struct value l = logical ? check_cond(s, e->a) : check_expr(s, e->a);
    struct value r = logical ? check_cond(s, e->b) : check_expr(s, e->b);
    if (l.type == V_BAD || r.type == V_BAD)
        return v_bad();
    if (logical && l.is_const && (op == OP_AND ? !l.k : l.k))
        return v_const(op == OP_OR);    /* short-circuits: r never matters */
    if (is_comparison(op)) {
        check_enum_compare(s, e, &l, &r);
        if (r.is_const)
            record_case(s, &l, r.k);
        if (l.is_const)
            record_case(s, &r, l.k);
    }
    if ((op == OP_DIV || op == OP_MOD) && r.is_const && r.k == 0) {
        report_error(s, e->loc, "division by zero");
        return v_bad();
    }
    if ((op == OP_SHL || op == OP_SHR) && r.is_const && (r.k < 0 || r.k > 63)) {
        diag_warning(s->d, e->loc, "shift by %lld is out of range; the count "
                     "must be from 0 to 63", (long long)r.k);
        return v_int();
    }
    if (!l.is_const || !r.is_const)
        return v_int();
    int64_t k;
    if (eval_binary(op, l.k, r.k, &k) != EVAL_OK) {
        report_error(s, e->loc, "integer overflow in constant expression");
        return v_bad();
    }
    return v_const(k);
}

static struct value check_ternary(struct sema *s, struct ast_expr *e)
{
    struct value c = check_cond(s, e->a);
    if (c.type != V_BAD)
        warn_constant_condition(s, e->a, &c);
    struct value t = check_expr(s, e->b);
    struct value f = check_expr(s, e->c);
    if (c.type == V_BAD || t.type == V_BAD || f.type == V_BAD)
        return v_bad();
    if (c.is_const) {
        struct value chosen = c.k ? t : f;
        if (chosen.is_const)
            return v_const(chosen.k);
    }
    if (t.type == V_ENUM && f.type == V_ENUM && t.enum_of == f.enum_of)
        return v_enum(t.enum_of);
    return v_int();
}

static struct value check_index(struct sema *s, struct ast_expr *e)
{
    bool deref;
    struct ast_expr *a = e->a;
    if (a->kind == EXPR_PARAM || a->kind == EXPR_RETURN || ext_root(a, &deref))
        report_error(s, span(s, e), "indexing a parameter is not supported");
    else if (check_expr(s, a).type != V_BAD)
        report_error(s, span(s, e), "indexing is not supported in rules");
    return v_bad();
}

/* After preprocessing, a call is an unknown function or a macro that was
 * never defined. */
static struct value check_call(struct sema *s, struct ast_expr *e)
{
    if (strmap_find(&s->reported_names, e->name))
        return v_bad();             /* once per name and handler */
    strmap_put(&s->reported_names, e->name, 1);
    report_error(s, e->loc, "call to '%s' is not allowed in a rule; only "
                 "macros can be used like functions", e->name);
    if (looks_like_macro(e->name))
        diag_note(s->d, e->loc, "no macro '%s' is defined; is an '#include' "
                  "missing?", e->name);
    return v_bad();
}

/* Deeper expressions are refused: a left-leaning chain such as 1+1+...+1
 * costs the parser no stack but would cost every tree walk one frame per
 * operator. */
#define MAX_EXPR_DEPTH 1000

static struct value check_expr_node(struct sema *s, struct ast_expr *e);

/* Checks and annotates e; see struct value for what it returns. */
static struct value check_expr(struct sema *s, struct ast_expr *e)
{
    if (s->depth >= MAX_EXPR_DEPTH) {
        if (!s->reported_depth)
            report_error(s, e->loc, "expression is nested too deeply (more "
                         "than %d levels)", MAX_EXPR_DEPTH);
        s->reported_depth = true;
        return v_bad();
    }
    s->depth++;
    struct value v = check_expr_node(s, e);
    s->depth--;
    return v;
}

static struct value check_expr_node(struct sema *s, struct ast_expr *e)
{
    e->ext = -1;
    switch (e->kind) {
    case EXPR_INT:
        return v_const(e->value);
    case EXPR_NAME:
        return check_name(s, e);
    case EXPR_PARAM:
        if (s->init_var)
            return v_int();
        return check_param(s, e) ? v_operand(LS_OP_ARG, e->param) : v_bad();
    case EXPR_RETURN:
        if (s->init_var)
            return v_int();
        return check_return(s, e) ? v_operand(LS_OP_RETURN, 0) : v_bad();
    case EXPR_UNARY:
        return check_unary(s, e);
    case EXPR_BINARY:
        return check_binary(s, e);
    case EXPR_COND:
        return check_ternary(s, e);
    case EXPR_MEMBER:
        return check_ext(s, e);
    case EXPR_INDEX:
        return check_index(s, e);
    case EXPR_CALL:
        return check_call(s, e);
    }
    return v_bad();
}

/* ---- statements --------------------------------------------------------- */

/* How a statement ends: 0 when control can reach what follows, else the
 * TERM_ bits of the statements that stop the instance. */
enum { TERM_ABORT = 1, TERM_HALT = 2 };

/* The n-th '$' (0-based) of an abort message in the source, when the
 * string literal was written there directly; otherwise the 'abort'
 * keyword.  Skips white space, comments and concatenated literals. */
static struct src_loc dollar_loc(const struct sema *s,
                                 const struct ast_stmt *st, int nth,
                                 uint32_t len)
{
    struct src_loc loc = st->loc;
    const struct src_manager *sm = s->rule->sm;
    if (!sm || loc.expansion || loc.file == 0 || loc.file >= sm->file_count)
        return loc;
    const char *text = sm->files[loc.file].text;
    size_t size = sm->files[loc.file].size;
    size_t i = loc.offset + loc.length;
    int seen = 0;
    while (i < size) {
        if (isspace((unsigned char)text[i])) {
            i++;
        } else if (text[i] == '/' && i + 1 < size && text[i + 1] == '/') {
            while (i < size && text[i] != '\n')
                i++;
        } else if (text[i] == '/' && i + 1 < size && text[i + 1] == '*') {
            i += 2;
            while (i + 1 < size && !(text[i] == '*' && text[i + 1] == '/'))
                i++;
            i += 2;
        } else if (text[i] == '"') {
            for (i++; i < size && text[i] != '"' && text[i] != '\n'; i++) {
                if (text[i] == '\\') {
                    i++;
                } else if (text[i] == '$' && seen++ == nth) {
                    loc.offset = (uint32_t)i;
                    loc.length = len;
                    return loc;
                }
            }
            i++;
        } else {
            break;
        }
    }
    return st->loc;
}

/* `$fname` is the only placeholder ls_format_message substitutes; any
 * other `$word` would be printed as written. */
static void check_message(struct sema *s, const struct ast_stmt *st)
{
    const char *msg = st->message ? st->message : "";
    int nth = 0;
    for (const char *p = msg; (p = strchr(p, '$')) != NULL; p++, nth++) {
        if (strncmp(p, "$fname", 6) == 0 || !is_ident_char(p[1]))
            continue;
        int len = 1;
        while (is_ident_char(p[len]))
            len++;
        diag_warning(s->d, dollar_loc(s, st, nth, (uint32_t)len),
                     "unknown placeholder '%.*s' in message; only '$fname' is "
                     "substituted", len, p);
    }
}

/* The value assigned to an enum variable must be one of its constants. */
static void check_enum_assign(struct sema *s, const struct ast_var *var,
                              const struct ast_expr *value,
                              const struct value *v)
{
    if (v->type == V_ENUM && v->enum_of == var)
        return;
    if (v->type == V_INT)
        report_error(s, span(s, value), "assigning an integer to enum "
                     "variable '%s'; assign one of its constants", var->name);
    else if (value->kind == EXPR_NAME && value->sym == SYM_ENUM_CONST)
        report_error(s, value->loc, "assigning '%s' (a constant of '%s') to "
                     "'%s'", value->name, v->enum_of->name, var->name);
    else
        report_error(s, span(s, value), "assigning a value of '%s' to '%s', "
                     "which has other constants", v->enum_of->name, var->name);
}

/* The target of an assignment, when it is a state variable; reports any
 * other target. */
static struct ast_var *check_target(struct sema *s, const struct ast_stmt *st)
{
    static const char only_state[] = "rules may only assign their own state "
                                     "variables";
    struct ast_expr *t = st->target;
    t->ext = -1;
    bool deref;
    struct ast_expr *root;
    switch (t->kind) {
    case EXPR_NAME:
        switch (resolve_name(s, t)) {
        case SYM_VAR:
            return t->var;
        case SYM_ENUM_CONST:
            report_error(s, t->loc, "cannot assign to enum constant '%s'",
                         t->name);
            break;
        case SYM_IRQL:
            report_error(s, t->loc, "cannot assign to built-in '%s'; the "
                         "environment model keeps the IRQL", t->name);
            break;
        case SYM_UNRESOLVED:
            break;
        }
        return NULL;
    case EXPR_PARAM:
        report_error(s, span(s, t), "cannot assign to parameter '$%d'; %s",
                     t->param, only_state);
        return NULL;
    case EXPR_RETURN:
        report_error(s, span(s, t), "cannot assign to '$return'; %s",
                     only_state);
        return NULL;
    default:
        root = ext_root(t, &deref);
        if (root) {
            ext_text(s, t, root, deref);
            report_error(s, span(s, t), "cannot assign to '%s'; %s",
                         s->text.p, only_state);
        } else {
            report_error(s, span(s, t), "cannot assign to this expression; %s",
                         only_state);
        }
        return NULL;
    }
}

static void check_assign(struct sema *s, const struct ast_stmt *st)
{
    struct ast_var *var = check_target(s, st);
    struct value v = st->value ? check_expr(s, st->value) : v_const(1);
    if (!var)
        return;
    s->use[var->index].assigned = true;
    if (st->op != OP_NONE) {
        var->is_read = true;        /* the emitted code reads it to update it */
        if (var->is_enum)
            report_error(s, span(s, st->target), "cannot do arithmetic on "
                         "enum variable '%s'; assign one of its constants",
                         var->name);
        return;
    }
    if (v.type == V_BAD)
        return;
    if (var->is_enum) {
        check_enum_assign(s, var, st->value, &v);
    } else if (v.type == V_ENUM) {
        const struct ast_expr *x = st->value;
        if (x->kind == EXPR_NAME && x->sym == SYM_ENUM_CONST)
            report_error(s, x->loc, "assigning enum constant '%s' to integer "
                         "variable '%s'", x->name, var->name);
        else
            report_error(s, span(s, x), "assigning an enum value to integer "
                         "variable '%s'", var->name);
    }
}

static unsigned check_stmt(struct sema *s, struct ast_stmt *st);

/* A block's statements; warns once at the first statement after one
 * that always stops the instance. */
static unsigned check_block(struct sema *s, struct ast_stmt *body)
{
    unsigned term = 0;
    bool warned = false;
    for (struct ast_stmt *st = body; st && !should_stop(s); st = st->next) {
        if (term && !warned && st->kind != STMT_EMPTY) {
            struct src_loc at = st->kind == STMT_ASSIGN ? first_loc(st->target)
                                                        : st->loc;
            diag_warning(s->d, at, "statement is unreachable after %s",
                         term == TERM_ABORT ? "'abort'"
                         : term == TERM_HALT ? "'halt'" : "'abort' or 'halt'");
            warned = true;
        }
        unsigned t = check_stmt(s, st);
        if (!term)
            term = t;
    }
    return term;
}

static unsigned check_stmt(struct sema *s, struct ast_stmt *st)
{
    switch (st->kind) {
    case STMT_BLOCK:
        return check_block(s, st->body);
    case STMT_IF: {
        struct value c = check_cond(s, st->cond);
        if (c.type != V_BAD)
            warn_constant_condition(s, st->cond, &c);
        unsigned t = check_stmt(s, st->then_stmt);
        unsigned f = st->else_stmt ? check_stmt(s, st->else_stmt) : 0;
        return t && f ? t | f : 0;
    }
    case STMT_ASSIGN:
        check_assign(s, st);
        return 0;
    case STMT_ABORT:
        check_message(s, st);
        return TERM_ABORT;
    case STMT_HALT:
        return TERM_HALT;
    case STMT_EMPTY:
        return 0;
    }
    return 0;
}

/* ---- watches and handlers ----------------------------------------------- */

static void check_watch(struct sema *s, struct ast_watch *w)
{
    for (struct ast_event *ev = w->event; ev; ev = ev->next)
        resolve_event(s, ev);
    begin_events(s, w->event, w->when);
    if (w->key)
        check_key(s, w->key);
}

static void check_handler(struct sema *s, struct ast_handler *h)
{
    for (struct ast_event *ev = h->events; ev; ev = ev->next)
        resolve_event(s, ev);
    check_event_set(s, h);
    check_repeated_handler(s, h);
    begin_events(s, h->events, h->when);
    if (h->guard && !s->rule->watches) {
        if (!s->reported_no_watch)
            report_error(s, h->guard->loc, "'guard' needs a 'watch' "
                         "declaration to say what the instances are keyed by");
        s->reported_no_watch = true;
    } else if (h->guard) {
        check_key(s, h->guard);
    }
    s->in_body = true;
    if (h->body)
        check_stmt(s, h->body);
    s->in_body = false;
}

/* ---- lints at the end --------------------------------------------------- */

/* Unused state, reported only for a rule without errors: an undeclared
 * 'lockd' would otherwise also make 'locked' look unused. */
static void check_unused(struct sema *s)
{
    for (const struct ast_var *v = s->rule->vars; v && !should_stop(s);
         v = v->next) {
        const struct var_use *u = &s->use[v->index];
        if (!u->tested) {
            diag_warning(s->d, v->loc, "state variable '%s' is never read",
                         v->name);
            continue;
        }
        if (!u->assigned)
            diag_warning(s->d, v->loc, "state variable '%s' is never assigned "
                         "(its value never changes)", v->name);
        for (const struct ast_enum_const *c = v->consts; c; c = c->next)
            if (c->value >= 0 && c->value < v->const_count
                && !u->const_used[c->value])
                diag_warning(s->d, c->loc, "enum constant '%s' is never used",
                             c->name);
    }
}

/* ---- entry point -------------------------------------------------------- */

int sema_check(struct ast_rule *rule, struct diag *d)
{
    struct sema s = { .rule = rule, .d = d };
    int errors_before = d->error_count;

    check_rule_name(&s);
    check_meta(&s);
    check_state(&s);
    for (struct ast_watch *w = rule->watches; w && !should_stop(&s);
         w = w->next)
        check_watch(&s, w);
    for (struct ast_handler *h = rule->handlers; h && !should_stop(&s);
         h = h->next)
        check_handler(&s, h);
    if (s.errors == 0)
        check_unused(&s);

    rule->ext_count = (int)s.ext_count;
    rule->ext = NULL;
    if (s.ext_count) {
        rule->ext = ast_alloc(rule->arena, s.ext_count * sizeof *rule->ext);
        memcpy(rule->ext, s.ext, s.ext_count * sizeof *rule->ext);
    }
    finish_cases(&s);

    for (int i = 0; i < rule->var_count; i++)
        free(s.use[i].const_used);
    free(s.use);
    free(s.syms);
    free(s.ext);
    free(s.cases);
    free(s.text.p);
    strmap_free(&s.sym_map);
    strmap_free(&s.dup_names);
    strmap_free(&s.ext_map);
    strmap_free(&s.reported_names);
    return d->error_count - errors_before;
}
