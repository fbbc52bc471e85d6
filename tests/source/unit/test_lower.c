/*
 * test_lower.c — libclang to lockstep's CFG (runtime/sources/source/
 * lower.c) and the live variables over it (liveness.c), on snippets
 * parsed from memory: operators read from tokens and from a macro's
 * definition, short-circuit conditions as branches, switch targets, the
 * entry points a unit declares and registers, dropped call results, and
 * which variables are live where.
 */
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "check.h"
#include "ir.h"
#include "liveness.h"
#include "lower.h"

/* Lowers text as file "t.c" into p; 0 on success. */
static int lower_text(struct ir_program *p, const char *text)
{
    CXIndex index = clang_createIndex(0, 0);
    struct CXUnsavedFile file = { "t.c", text, (unsigned long)strlen(text) };
    CXTranslationUnit tu;
    const char *args[] = { "-std=c11" };
    if (clang_parseTranslationUnit2(index, "t.c", args, 1, &file, 1,
                                    CXTranslationUnit_DetailedPreprocessingRecord, &tu)
        != CXError_Success) {
        clang_disposeIndex(index);
        return -1;
    }
    int rc = lower_translation_unit(p, tu);
    clang_disposeTranslationUnit(tu);
    clang_disposeIndex(index);
    return rc;
}

static const struct ir_function *function(const struct ir_program *p, const char *name)
{
    for (uint32_t i = 0; i < p->nfunctions; i++)
        if (strcmp(p->functions[i]->name, name) == 0)
            return p->functions[i];
    return NULL;
}

/* How many nodes of f are of kind k. */
static int count(const struct ir_function *f, int k)
{
    int n = 0;
    for (uint32_t i = 0; i < f->nnodes; i++)
        n += f->nodes[i].kind == k;
    return n;
}

/* The first branch node's condition operator. */
static int branch_op(const struct ir_function *f)
{
    for (uint32_t i = 0; i < f->nnodes; i++)
        if (f->nodes[i].kind == N_BRANCH)
            return f->exprs[f->nodes[i].expr].op;
    return -1;
}

int main(void)
{
    struct ir_program p;
    ir_program_init(&p);
    CHECK(lower_text(&p,
        "#define OK(s) (((long)(s)) >= 0)\n"
        "typedef int ROUTINE(int);\n"
        "int f(int); int g(void);\n"
        "void take(ROUTINE *r);\n"
        "int le(int a, int b) { if (a <= b) return 1; return 0; }\n"
        "int mac(int s) { if (OK(s)) return 1; return 0; }\n"
        "int sc(int a, int b) { if (a && (b || !a)) return 1; return 0; }\n"
        "int sw(int x) { switch (x) { case 1: x++; case 2: return 2; default: break; } return x; }\n"
        "int drop(void) { g(); (void)g(); return g(); }\n"
        "int live(int a) { int t = a + 1; int u = 2; g(); return t; }\n"
        "int reg(int x) { take(f); return x; }\n") == 0);

    const struct ir_function *le = function(&p, "le"), *mac = function(&p, "mac");
    CHECK(le && branch_op(le) == OP_LE);
    CHECK(mac && branch_op(mac) == OP_GE);          /* from the macro's definition */

    /* a && (b || !a): three decisions, no temporaries */
    const struct ir_function *sc = function(&p, "sc");
    CHECK(sc && count(sc, N_BRANCH) == 3 && count(sc, N_ASSIGN) == 0);

    /* two case targets and the default; case 1 falls through into case 2 */
    const struct ir_function *sw = function(&p, "sw");
    CHECK(sw && count(sw, N_SWITCH) == 1);
    for (uint32_t i = 0; sw && i < sw->nnodes; i++)
        if (sw->nodes[i].kind == N_SWITCH)
            CHECK(sw->nodes[i].ncases == 2 && sw->nodes[i].next[0] >= 0);

    /* a statement's dropped result has no destination; a returned one has */
    const struct ir_function *drop = function(&p, "drop");
    int with_dest = 0, without = 0;
    for (uint32_t i = 0; drop && i < drop->nnodes; i++)
        if (drop->nodes[i].kind == N_CALL)
            drop->nodes[i].loc >= 0 ? with_dest++ : without++;
    CHECK(with_dest == 1 && without == 2);

    /* liveness: t is live at the call, u is not */
    const struct ir_function *live = function(&p, "live");
    struct liveness lv;
    CHECK(live && liveness_compute(live, &lv) == 0);
    int32_t t = -1, u = -1;
    for (uint32_t i = 0; live && i < live->nvars; i++) {
        if (strcmp(live->vars[i].name, "t") == 0) t = (int32_t)i;
        if (strcmp(live->vars[i].name, "u") == 0) u = (int32_t)i;
    }
    for (uint32_t i = 0; live && i < live->nnodes; i++)
        if (live->nodes[i].kind == N_CALL) {
            CHECK(liveness_live(&lv, (int32_t)i, t));
            CHECK(!liveness_live(&lv, (int32_t)i, u));
        }
    liveness_free(&lv);

    /* f passed where a ROUTINE * is expected is not an entry point: ROUTINE
     * is no driver role; nothing else registers here */
    CHECK(p.nentries == 0);
    ir_program_free(&p);
    return check_done("test_lower");
}
