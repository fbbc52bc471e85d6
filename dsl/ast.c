/*
 * ast.c — memory for the syntax tree and the operator spelling table.
 *
 * A rule's nodes and strings are never freed one by one: they all come
 * from one arena, a list of big zeroed blocks, and go away together in
 * ast_free().  The rule itself lives in its arena too, so the parser and
 * sema can hand out pointers freely without thinking about ownership.
 */
#include "ast.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE  (64 * 1024)     /* usable bytes of an ordinary block */
#define ALIGN       16

/* ORDER OP */
const char *const ast_op_spelling[OP_COUNT] = {
    "",
    "-", "+", "!", "~", "*", "&",
    "*", "/", "%", "+", "-", "<<", ">>",
    "<", "<=", ">", ">=", "==", "!=",
    "&", "^", "|", "&&", "||",
};

struct ast_block {
    struct ast_block *next;
    size_t used, size;              /* bytes of data[] handed out / usable */
    _Alignas(ALIGN) unsigned char data[];
};

struct ast_arena {
    struct ast_block *head;         /* the block being filled comes first */
};

static struct ast_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct ast_block))
        xalloc_oom();
    struct ast_block *b = xcalloc(1, sizeof *b + size);
    b->size = size;
    return b;
}

static struct ast_arena *ast_arena_new(void)
{
    struct ast_arena *a = xcalloc(1, sizeof *a);
    return a;
}

/* Frees every block and the arena itself. */
static void arena_free(struct ast_arena *a)
{
    if (!a)
        return;
    for (struct ast_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

/* Returns size zeroed bytes aligned to 16.  A request larger than a
 * quarter block gets a block of its own, linked behind the current one so
 * the space left there is still used. */
void *ast_alloc(struct ast_arena *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ALIGN)
        xalloc_oom();
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (size > BLOCK_SIZE / 4) {
        struct ast_block *b = block_new(size);
        b->used = size;
        if (a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            a->head = b;
        }
        return b->data;
    }
    struct ast_block *b = a->head;
    if (!b || b->size - b->used < size) {
        b = block_new(BLOCK_SIZE);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

char *ast_strndup(struct ast_arena *a, const char *s, size_t len)
{
    char *p = ast_alloc(a, len + 1);
    if (len)
        memcpy(p, s, len);
    return p;                       /* ast_alloc zeroed the terminator */
}

char *ast_sprintf(struct ast_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;                      /* bad format: an empty string */
    char *p = ast_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

struct ast_rule *ast_rule_new(struct src_manager *sm, const char *path,
                              uint32_t file)
{
    struct ast_arena *a = ast_arena_new();
    struct ast_rule *r = ast_alloc(a, sizeof *r);
    r->arena = a;
    r->sm = sm;
    r->path = path ? ast_strndup(a, path, strlen(path)) : NULL;
    r->file = file;
    return r;
}

void ast_free(struct ast_rule *rule)
{
    if (rule)
        arena_free(rule->arena);    /* the rule lives in its own arena */
}

struct ast_expr *ast_expr_new(struct ast_arena *a, enum expr_kind kind,
                              struct src_loc loc)
{
    struct ast_expr *e = ast_alloc(a, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->ext = -1;
    return e;
}
