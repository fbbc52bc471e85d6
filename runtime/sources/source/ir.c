/*
 * ir.c — the program table of source mode's IR (ir.h) and its text dump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void ir_program_init(struct ir_program *p)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->arena);
}

void ir_program_free(struct ir_program *p)
{
    free(p->by_name);
    free(p->functions);
    free(p->entries);
    arena_free(&p->arena);
    memset(p, 0, sizeof *p);
}

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int ir_index(struct ir_program *p)
{
    uint32_t slots = 64;
    while (slots < p->nfunctions * 2)
        slots *= 2;
    int32_t *t = malloc(slots * sizeof *t);
    if (t == NULL)
        return -1;
    for (uint32_t i = 0; i < slots; i++)
        t[i] = -1;
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        uint32_t k = hash_name(p->functions[i]->name) & (slots - 1);
        while (t[k] >= 0)
            k = (k + 1) & (slots - 1);
        t[k] = (int32_t)i;
    }
    free(p->by_name);
    p->by_name = t;
    p->by_name_slots = slots;
    return 0;
}

/* A static function is found only from its own file; an external one from
 * anywhere.  Functions of one name sit in one probe run of the index. */
const struct ir_function *ir_find_function(const struct ir_program *p, const char *name,
                                           const char *file)
{
    const struct ir_function *external = NULL;
    uint32_t n = p->by_name ? p->by_name_slots : p->nfunctions;
    uint32_t k = p->by_name ? hash_name(name) & (n - 1) : 0;
    for (uint32_t probes = 0; probes < n; probes++, k = (k + 1) % n) {
        int32_t i = p->by_name ? p->by_name[k] : (int32_t)k;
        if (i < 0)
            break;
        const struct ir_function *f = p->functions[i];
        if (strcmp(f->name, name) != 0)
            continue;
        if (f->is_static) {
            if (file && strcmp(f->file, file) == 0)
                return f;
        } else if (external == NULL) {
            external = f;
        }
    }
    return external;
}

int ir_add_entry(struct ir_program *p, const char *function, const char *role,
                 const char *how)
{
    for (uint32_t i = 0; i < p->nentries; i++) {
        const struct ir_entry *e = &p->entries[i];
        if (strcmp(e->function, function) == 0
            && ((e->role == NULL && role == NULL)
                || (e->role && role && strcmp(e->role, role) == 0)))
            return 0;
    }
    if (p->nentries == p->entries_cap) {
        uint32_t cap = p->entries_cap ? p->entries_cap * 2 : 16;
        struct ir_entry *e = realloc(p->entries, cap * sizeof *e);
        if (e == NULL)
            return -1;
        p->entries = e;
        p->entries_cap = cap;
    }
    struct ir_entry *e = &p->entries[p->nentries];
    e->function = arena_strdup(&p->arena, function);
    e->role = arena_strdup(&p->arena, role);
    e->how = arena_strdup(&p->arena, how);
    if (e->function == NULL || (role && e->role == NULL) || (how && e->how == NULL))
        return -1;
    p->nentries++;
    return 0;
}

const char *ir_op_name(unsigned op)
{
    static const char *const names[] = {
        [OP_NONE] = "?", [OP_NEG] = "-", [OP_NOT] = "!", [OP_BITNOT] = "~",
        [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
        [OP_MOD] = "%", [OP_SHL] = "<<", [OP_SHR] = ">>", [OP_AND] = "&",
        [OP_OR] = "|", [OP_XOR] = "^", [OP_EQ] = "==", [OP_NE] = "!=",
        [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
    };
    return op < sizeof names / sizeof names[0] ? names[op] : "?";
}

static const char *node_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [N_NOP] = "nop", [N_ASSIGN] = "assign", [N_CALL] = "call",
        [N_BRANCH] = "branch", [N_SWITCH] = "switch", [N_RETURN] = "return",
        [N_EXIT] = "exit", [N_STOP] = "stop",
    };
    return kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

void ir_dump_function(const struct ir_function *f, void (*write)(void *, const char *),
                      void *context)
{
    char line[512];
    snprintf(line, sizeof line, "function %s %s:%u (%u nodes)\n", f->name, f->file, f->line,
             f->nnodes);
    write(context, line);
    for (uint32_t i = 0; i < f->nnodes; i++) {
        const struct ir_node *n = &f->nodes[i];
        int len = snprintf(line, sizeof line, "  n%u %s line %u ->", i,
                           node_kind_name(n->kind), n->line);
        for (int k = 0; k < 2; k++)
            if (n->next[k] >= 0 && len < (int)sizeof line)
                len += snprintf(line + len, sizeof line - (size_t)len, " n%d", n->next[k]);
        for (uint32_t c = 0; c < n->ncases && len < (int)sizeof line; c++)
            len += snprintf(line + len, sizeof line - (size_t)len, " [%lld]n%d",
                            (long long)n->cases[c].value, n->cases[c].target);
        if (n->text && len < (int)sizeof line)
            snprintf(line + len, sizeof line - (size_t)len, "  %s", n->text);
        write(context, line);
        write(context, "\n");
    }
}
