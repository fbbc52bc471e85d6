/*
 * emit_json.c — the JSON back end: one object describing a rule for other
 * tools (editors, documentation generators, the results viewer).  The
 * schema, field by field, is docs/json.md; keep the two in step.
 *
 * The output is pretty-printed exactly as `jq .` would print it (two-space
 * indentation, one member or element per line, empty arrays as []), so
 * it diffs well and a golden test can compare it byte for byte.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include <lockstep/rule.h>

#include "emit.h"
#include "emit_out.h"

#define JSON_MAX_DEPTH 16

/* A streaming writer: it only has to know, per open container, whether an
 * element has been written yet, and whether a key is waiting for its
 * value. */
struct json {
    struct emit_out *o;
    int depth;
    bool empty[JSON_MAX_DEPTH];     /* no element yet at this depth          */
    bool after_key;
};

/* Separator and indentation before a value or key. */
static void j_sep(struct json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth == 0)
        return;
    emit(j->o, "%s\n%*s", j->empty[j->depth] ? "" : ",", j->depth * 2, "");
    j->empty[j->depth] = false;
}

static void j_open(struct json *j, char c)
{
    j_sep(j);
    emit(j->o, "%c", c);
    if (j->depth + 1 >= JSON_MAX_DEPTH) {
        j->o->error = 1;
        return;
    }
    j->empty[++j->depth] = true;
}

static void j_close(struct json *j, char c)
{
    if (!j->empty[j->depth])
        emit(j->o, "\n%*s", (j->depth - 1) * 2, "");
    emit(j->o, "%c", c);
    if (j->depth > 0)
        j->depth--;
}

static void j_key(struct json *j, const char *key)
{
    j_sep(j);
    emit_quoted(j->o, key, EMIT_QUOTE_JSON);
    emit(j->o, ": ");
    j->after_key = true;
}

static void j_str(struct json *j, const char *s)
{
    j_sep(j);
    if (s)
        emit_quoted(j->o, s, EMIT_QUOTE_JSON);
    else
        emit(j->o, "null");
}

static void j_int(struct json *j, int64_t v)
{
    j_sep(j);
    emit(j->o, "%" PRId64, v);
}

static void j_bool(struct json *j, bool v)
{
    j_sep(j);
    emit(j->o, "%s", v ? "true" : "false");
}

/* An operand's spec spelling as a JSON string. */
static void j_operand(struct json *j, const struct ast_rule *rule, int kind, int index)
{
    struct emit_out t;
    emit_init(&t, NULL);
    emit_operand(&t, rule, kind, index);
    j_str(j, t.buf ? t.buf : "");
    if (t.error)
        j->o->error = 1;
    free(t.buf);
}

/* Operand of a guard or watch key, null when there is none. */
static void j_operand_of(struct json *j, const struct ast_rule *rule,
                         const struct ast_expr *e)
{
    int kind, index;
    if (emit_operand_of(e, &kind, &index))
        j_operand(j, rule, kind, index);
    else
        j_str(j, NULL);
}

static void j_state(struct json *j, const struct ast_rule *r)
{
    j_key(j, "state");
    j_open(j, '[');
    for (const struct ast_var *v = r->vars; v; v = v->next) {
        j_open(j, '{');
        j_key(j, "name");
        j_str(j, v->name);
        j_key(j, "type");
        j_str(j, v->is_enum ? "enum" : "int");
        j_key(j, "init");
        const struct ast_enum_const *init = emit_enum_init(v);
        if (v->is_enum)
            j_str(j, init ? init->name : NULL);
        else
            j_int(j, v->init_value);
        if (v->is_enum) {
            j_key(j, "values");
            j_open(j, '[');
            for (const struct ast_enum_const *c = v->consts; c; c = c->next)
                j_str(j, c->name);
            j_close(j, ']');
        }
        j_close(j, '}');
    }
    j_close(j, ']');
}

static void j_watches(struct json *j, const struct ast_rule *r)
{
    j_key(j, "watches");
    j_open(j, '[');
    for (const struct ast_watch *w = r->watches; w; w = w->next) {
        const struct ast_event *ev = w->event;
        j_open(j, '{');
        j_key(j, "function");
        j_str(j, ev ? (ev->function ? ev->function : ev->name) : NULL);
        j_key(j, "when");
        j_str(j, emit_when_name(w->when));
        j_key(j, "key");
        j_operand_of(j, r, w->key);
        j_close(j, '}');
    }
    j_close(j, ']');
}

/* The abort statements of a handler body, in source order. */
static void j_aborts(struct json *j, const struct ast_rule *r, const struct ast_stmt *s)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case STMT_BLOCK:
            j_aborts(j, r, s->body);
            break;
        case STMT_IF:
            j_aborts(j, r, s->then_stmt);
            j_aborts(j, r, s->else_stmt);
            break;
        case STMT_ABORT:
            j_open(j, '{');
            j_key(j, "message");
            j_str(j, s->message ? s->message : "");
            j_key(j, "line");
            j_int(j, emit_loc_line(r, s->loc, NULL));
            j_close(j, '}');
            break;
        default:
            break;
        }
    }
}

static void j_handlers(struct json *j, const struct ast_rule *r)
{
    j_key(j, "handlers");
    j_open(j, '[');
    for (const struct ast_handler *h = r->handlers; h; h = h->next) {
        j_open(j, '{');
        j_key(j, "functions");
        j_open(j, '[');
        for (const struct ast_event *ev = h->events; ev; ev = ev->next)
            j_str(j, ev->function ? ev->function : ev->name);
        j_close(j, ']');
        j_key(j, "roles");
        j_open(j, '[');
        for (const struct ast_event *ev = h->events; ev; ev = ev->next)
            j_str(j, ev->role);
        j_close(j, ']');
        j_key(j, "when");
        j_str(j, emit_when_name(h->when));
        j_key(j, "guard");
        j_operand_of(j, r, h->guard);
        j_key(j, "guard_or_null");
        j_bool(j, h->guard_or_null);
        j_key(j, "line");
        j_int(j, emit_loc_line(r, h->loc, NULL));
        j_key(j, "aborts");
        j_open(j, '[');
        j_aborts(j, r, h->body);
        j_close(j, ']');
        j_close(j, '}');
    }
    j_close(j, ']');
}

static void j_ext_operands(struct json *j, const struct ast_rule *r)
{
    j_key(j, "ext_operands");
    j_open(j, '[');
    for (int i = 0; i < r->ext_count; i++) {
        const struct ast_ext *x = &r->ext[i];
        j_open(j, '{');
        j_key(j, "text");
        j_str(j, x->text ? x->text : "");
        j_key(j, "arg");
        j_int(j, x->arg);
        j_key(j, "deref");
        j_bool(j, x->deref);
        j_key(j, "path");
        j_str(j, x->path ? x->path : "");
        j_close(j, '}');
    }
    j_close(j, ']');
}

static void j_cases(struct json *j, const struct ast_rule *r)
{
    j_key(j, "cases");
    j_open(j, '[');
    for (int i = 0; i < r->case_count; i++) {
        const struct ast_cases *c = &r->cases[i];
        j_open(j, '{');
        j_key(j, "function");
        j_str(j, c->function);
        j_key(j, "when");
        j_str(j, emit_when_name(c->when));
        j_key(j, "operand");
        j_operand(j, r, c->operand_kind, c->operand_index);
        j_key(j, "values");
        j_open(j, '[');
        for (uint32_t k = 0; k < c->count; k++)
            j_int(j, c->values[k]);
        j_close(j, ']');
        j_close(j, '}');
    }
    j_close(j, ']');
}

static void j_member_str(struct json *j, const char *key, const char *value)
{
    j_key(j, key);
    j_str(j, value ? value : "");
}

int emit_json(const struct ast_rule *rule, FILE *out)
{
    struct emit_out o;
    emit_init(&o, out);
    struct json j = { .o = &o };

    j_open(&j, '{');
    j_member_str(&j, "name", rule->name);
    j_member_str(&j, "model", rule->model);
    j_member_str(&j, "summary", rule->summary);
    j_member_str(&j, "severity", rule->severity);
    j_member_str(&j, "help", rule->help);
    j_key(&j, "spec");
    j_open(&j, '{');
    j_member_str(&j, "path", rule->path);
    j_member_str(&j, "sha256", rule->spec_sha256);
    j_close(&j, '}');
    j_key(&j, "abi");
    j_int(&j, LS_RULE_ABI);
    j_state(&j, rule);
    j_watches(&j, rule);
    j_handlers(&j, rule);
    j_ext_operands(&j, rule);
    j_cases(&j, rule);
    j_close(&j, '}');
    emit(&o, "\n");
    return emit_finish(&o);
}
