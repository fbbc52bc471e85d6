/*
 * test_sema.c — semantic analysis on small specs held in strings: the
 * facts sema fills in for the emitters (rule name and model, event
 * functions, roles and arities, variable indexes and initial values, name
 * bindings, extended operands, comparison constants) and the errors and
 * warnings it reports, counted and matched by their text.
 *
 * Specs define the few constants they need with #define instead of
 * including lockstep.h, so the test does not depend on where the rule
 * include directory is.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lockstep/rule.h"
#include "parse.h"
#include "sema.h"

/* One compilation: the rule (NULL if parsing failed), sema's error count,
 * the warning count and everything printed. */
struct run {
    struct src_manager sm;
    struct diag d;
    struct ast_rule *rule;
    int errors;
    int warnings;
    char *out;
    size_t out_size;
    FILE *fp;
};

static struct run *compile(const char *name, const char *text)
{
    struct run *r = calloc(1, sizeof *r);
    src_init(&r->sm);
    r->fp = open_memstream(&r->out, &r->out_size);
    diag_init(&r->d, &r->sm, r->fp);
    struct parse_options opt = { NULL, 0 };
    r->rule = parse_buffer(&r->sm, &r->d, name, text, strlen(text), &opt);
    CHECK(r->rule != NULL);
    if (r->rule)
        r->errors = sema_check(r->rule, &r->d);
    r->warnings = r->d.warning_count;
    fflush(r->fp);
    return r;
}

static void done(struct run *r)
{
    fclose(r->fp);
    free(r->out);
    ast_free(r->rule);
    src_free(&r->sm);
    free(r);
}

/* True when the diagnostics printed contain text. */
static bool said(const struct run *r, const char *text)
{
    bool found = r->out && strstr(r->out, text) != NULL;
    if (!found)
        printf("--- expected a diagnostic containing: %s\n--- got:\n%s",
               text, r->out ? r->out : "");
    return found;
}

/* A rule must give exactly these counts and mention text. */
static void expect(const char *text, int errors, int warnings,
                   const char *message)
{
    struct run *r = compile("specs/wdm/Test.slic", text);
    CHECK(r->errors == errors);
    CHECK(r->warnings == warnings);
    if (r->errors != errors || r->warnings != warnings)
        printf("--- %d errors, %d warnings for:\n%s\n--- output:\n%s",
               r->errors, r->warnings, text, r->out ? r->out : "");
    if (message)
        CHECK(said(r, message));
    done(r);
}

static struct ast_event *event_at(struct ast_rule *rule, int handler, int n)
{
    struct ast_handler *h = rule->handlers;
    while (h && handler-- > 0)
        h = h->next;
    struct ast_event *ev = h ? h->events : NULL;
    while (ev && n-- > 0)
        ev = ev->next;
    return ev;
}

static const struct ast_cases *find_cases(const struct ast_rule *rule,
                                          const char *function, int when,
                                          int kind, int index)
{
    for (int i = 0; i < rule->case_count; i++) {
        const struct ast_cases *c = &rule->cases[i];
        if (((!function && !c->function)
             || (function && c->function && strcmp(function, c->function) == 0))
            && (int)c->when == when && c->operand_kind == kind
            && c->operand_index == index)
            return c;
    }
    return NULL;
}

/* ---- facts ------------------------------------------------------------------ */

static const char seed_rule[] =
    "#define DISPATCH_LEVEL 2\n"
    "KeReleaseSpinLock.entry\n"
    "{\n"
    "    if (sdv_irql_current != DISPATCH_LEVEL) {\n"
    "        abort \"$fname called at an IRQL other than DISPATCH_LEVEL.\";\n"
    "    } else if ($2 != sdv_irql_previous) {\n"
    "        abort \"$fname does not restore the IRQL.\";\n"
    "    }\n"
    "}\n";

static void test_seed_rule(void)
{
    struct run *r = compile("specs/storport/IrqlKeReleaseSpinLock.slic",
                            seed_rule);
    struct ast_rule *rule = r->rule;
    CHECK(r->errors == 0 && r->warnings == 0);
    CHECK_STR(rule->name, "IrqlKeReleaseSpinLock");
    CHECK_STR(rule->model, "storport");
    CHECK_STR(rule->severity, "error");
    CHECK_STR(rule->summary, "");
    CHECK_STR(rule->help, "");
    CHECK(rule->var_count == 0 && rule->ext_count == 0);

    struct ast_event *ev = event_at(rule, 0, 0);
    CHECK_STR(ev->function, "KeReleaseSpinLock");
    CHECK(ev->role == NULL);
    CHECK(ev->arity == 2);
    CHECK(!ev->returns_value);

    /* sdv_irql_current compared with 2; $2 with a non-constant: nothing. */
    CHECK(rule->case_count == 1);
    const struct ast_cases *c = find_cases(rule, NULL, WHEN_ENTRY, LS_OP_IRQL, 0);
    CHECK(c && c->count == 1 && c->values[0] == 2);

    const struct ast_expr *cond = rule->handlers->body->body->cond;
    CHECK(cond->a->sym == SYM_IRQL && cond->a->irql_back == 0);
    const struct ast_expr *cond2 = rule->handlers->body->body->else_stmt->cond;
    CHECK(cond2->b->sym == SYM_IRQL && cond2->b->irql_back == 1);
    done(r);
}

static void test_names_and_models(void)
{
    struct run *r = compile("Flat.slic", "F.entry { halt; }\n");
    CHECK_STR(r->rule->name, "Flat");
    CHECK_STR(r->rule->model, "generic");
    done(r);

    r = compile("/tmp/My Rules/Spaced.slic", "F.entry { halt; }\n");
    CHECK_STR(r->rule->model, "generic");   /* directory is not a model name */
    CHECK(r->errors == 0);
    done(r);

    r = compile("specs\\ndis\\Win.slic", "F.entry { halt; }\n");
    CHECK_STR(r->rule->name, "Win");
    CHECK_STR(r->rule->model, "ndis");
    done(r);

    r = compile("tests/x/release-without-acquire.slic", "F.entry { halt; }\n");
    CHECK(r->errors == 1);
    CHECK(said(r, "rule name 'release-without-acquire' is not a C identifier; "
                  "name the rule with a 'rule' header"));
    done(r);

    r = compile("tests/x/release-without-acquire.slic",
                "rule ReleaseWithoutAcquire {\n"
                "    model \"storport\";\n"
                "    summary \"No release without an acquire.\";\n"
                "    severity \"warning\";\n"
                "    help \"https://example.org/rwa\";\n"
                "}\n"
                "F.entry { halt; }\n");
    CHECK(r->errors == 0);
    CHECK_STR(r->rule->name, "ReleaseWithoutAcquire");
    CHECK_STR(r->rule->model, "storport");
    CHECK_STR(r->rule->summary, "No release without an acquire.");
    CHECK_STR(r->rule->severity, "warning");
    CHECK_STR(r->rule->help, "https://example.org/rwa");
    done(r);

    expect("rule R { model \"wdm\"; sumary \"x\"; }\nF.entry { halt; }\n", 1, 0,
           "unknown rule property 'sumary'; expected 'model', 'summary', "
           "'severity' or 'help'");
    expect("rule R { summary \"a\"; summary \"b\"; }\nF.entry { halt; }\n", 1, 0,
           "duplicate rule property 'summary'");
    expect("rule R { severity \"fatal\"; }\nF.entry { halt; }\n", 1, 0,
           "severity must be 'error' or 'warning', not 'fatal'");
    expect("rule R { model \"StorPort\"; }\nF.entry { halt; }\n", 1, 0,
           "model 'StorPort' is not a valid model name");
}

static void test_events(void)
{
    struct run *r = compile("specs/storport/Ev.slic",
        "[sdv_KeAcquireSpinLock, KeAcquireSpinLockAtDpcLevel, DriverEntry].entry { halt; }\n"
        "fun_HW_STARTIO.entry { halt; }\n"
        "sdv_RunStartIo.exit { halt; }\n"
        "MyOwnHelper.exit { if ($7 == 1) { halt; } }\n");
    struct ast_rule *rule = r->rule;
    CHECK(r->errors == 0);

    struct ast_event *ev = event_at(rule, 0, 0);
    CHECK_STR(ev->name, "sdv_KeAcquireSpinLock");
    CHECK_STR(ev->function, "KeAcquireSpinLock");
    CHECK(ev->role == NULL && ev->arity == 2 && !ev->returns_value);
    ev = event_at(rule, 0, 1);
    CHECK_STR(ev->function, "KeAcquireSpinLockAtDpcLevel");
    CHECK(ev->arity == 1);
    ev = event_at(rule, 0, 2);
    CHECK_STR(ev->function, "DriverEntry");
    CHECK(ev->role == NULL);

    ev = event_at(rule, 1, 0);
    CHECK_STR(ev->function, "fun_HW_STARTIO");
    CHECK_STR(ev->role, "HW_STARTIO");
    CHECK(ev->arity == 2 && ev->returns_value);

    ev = event_at(rule, 2, 0);
    CHECK_STR(ev->function, "sdv_RunStartIo");
    CHECK(ev->role != NULL && ev->arity >= 0);

    ev = event_at(rule, 3, 0);
    CHECK_STR(ev->function, "MyOwnHelper");
    CHECK(ev->arity == -1 && ev->returns_value);
    done(r);

    expect("sdv_RunFoo.entry { halt; }\n", 1, 0,
           "unknown SDV harness routine 'sdv_RunFoo'");
}

static void test_state(void)
{
    struct run *r = compile("specs/wdm/State.slic",
        "#define BASE 3\n"
        "state {\n"
        "    int depth = -(BASE * 2) + (1 << 4);\n"
        "    enum { unlocked, locked, broken } s = locked;\n"
        "    int quiet;\n"
        "    enum { idle, busy } t;\n"
        "}\n"
        "F.entry {\n"
        "    if (s == locked && depth > 0 && quiet == 0) {\n"
        "        s = broken; t = busy; quiet = 1;\n"
        "    } else if (t == idle) {\n"
        "        s = unlocked; depth = depth - 1;\n"
        "    }\n"
        "}\n");
    struct ast_rule *rule = r->rule;
    CHECK(r->errors == 0 && r->warnings == 0);
    CHECK(rule->var_count == 4);
    struct ast_var *v = rule->vars;
    CHECK_STR(v->name, "depth");
    CHECK(v->index == 0 && v->init_value == 10 && v->is_read);
    v = v->next;
    CHECK_STR(v->name, "s");
    CHECK(v->index == 1 && v->init_value == 1 && v->is_enum && v->is_read);
    v = v->next;
    CHECK(v->index == 2 && v->init_value == 0);
    v = v->next;
    CHECK(v->index == 3 && v->init_value == 0);

    const struct ast_expr *cond = rule->handlers->body->body->cond;
    /* ((s == locked) && (depth > 0)) && (quiet == 0) */
    const struct ast_expr *eq = cond->a->a;
    CHECK(eq->a->sym == SYM_VAR && eq->a->var == rule->vars->next);
    CHECK(eq->b->sym == SYM_ENUM_CONST && eq->b->enum_const->value == 1);
    CHECK(rule->case_count == 0);   /* state, not event operands */
    done(r);
}

static void test_irql_names(void)
{
    struct run *r = compile("specs/wdm/Irql.slic",
        "F.entry { if (sdv_irql_previous_5 == 1 || sdv_irql_previous_31 > 2) { halt; } }\n");
    CHECK(r->errors == 0);
    const struct ast_expr *or = r->rule->handlers->body->body->cond;
    CHECK(or->a->a->sym == SYM_IRQL && or->a->a->irql_back == 5);
    CHECK(or->b->a->sym == SYM_IRQL && or->b->a->irql_back == 31);
    CHECK(find_cases(r->rule, NULL, WHEN_ENTRY, LS_OP_IRQL, 5) != NULL);
    done(r);

    expect("F.entry { if (sdv_irql_previous_1 == 1) { halt; } }\n", 1, 0,
           "undeclared name 'sdv_irql_previous_1'");
    expect("F.entry { if (sdv_irql_previous_32 == 1) { halt; } }\n", 1, 0,
           "the IRQL built-ins are");
    expect("F.entry { if (sdv_irql_previous_02 == 1) { halt; } }\n", 1, 0,
           "undeclared name 'sdv_irql_previous_02'");
    expect("F.entry { if (sdv_irql_curent == 1) { halt; } }\n", 1, 0,
           "did you mean 'sdv_irql_current'?");
}

static void test_ext_operands(void)
{
    struct run *r = compile("specs/wdm/Ext.slic",
        "state { int seen = 0; }\n"
        "watch KeAcquireInStackQueuedSpinLock.entry.(*$1);\n"
        "KeAcquireInStackQueuedSpinLock.entry [guard *$1] {\n"
        "    if (*$1 == 0) { abort \"null lock\"; }\n"
        "    seen = 1;\n"
        "}\n"
        "IoCompleteRequest.entry {\n"
        "    if ($1->Tail.Overlay.CurrentStackLocation->MinorFunction == 2\n"
        "        && (*$1).Flags != 0x10\n"
        "        && $1->Tail.Overlay.CurrentStackLocation->MinorFunction != 7\n"
        "        && seen) { halt; }\n"
        "}\n"
        "IoCallDriver.exit { if ($return->Status) { halt; } }\n");
    struct ast_rule *rule = r->rule;
    CHECK(r->errors == 0);
    CHECK(rule->ext_count == 4);
    CHECK_STR(rule->ext[0].text, "*$1");
    CHECK(rule->ext[0].arg == 1 && rule->ext[0].deref);
    CHECK_STR(rule->ext[0].path, "");
    CHECK_STR(rule->ext[1].text,
              "$1->Tail.Overlay.CurrentStackLocation->MinorFunction");
    CHECK(rule->ext[1].arg == 1 && !rule->ext[1].deref);
    CHECK_STR(rule->ext[1].path, "->Tail.Overlay.CurrentStackLocation->MinorFunction");
    CHECK_STR(rule->ext[2].text, "(*$1).Flags");
    CHECK(rule->ext[2].deref);
    CHECK_STR(rule->ext[2].path, ".Flags");
    CHECK_STR(rule->ext[3].text, "$return->Status");
    CHECK(rule->ext[3].arg == 0);

    CHECK(rule->watches->key->ext == 0);
    CHECK(rule->handlers->guard->ext == 0);
    const struct ast_expr *ifc = rule->handlers->body->body->cond;
    CHECK(ifc->a->ext == 0);
    CHECK(ifc->a->a->ext == -1);    /* only the outermost node */

    const struct ast_cases *c = find_cases(rule, "IoCompleteRequest",
                                           WHEN_ENTRY, LS_OP_EXT, 1);
    CHECK(c && c->count == 2 && c->values[0] == 2 && c->values[1] == 7);
    c = find_cases(rule, "IoCompleteRequest", WHEN_ENTRY, LS_OP_EXT, 2);
    CHECK(c && c->count == 1 && c->values[0] == 16);
    c = find_cases(rule, "IoCallDriver", WHEN_EXIT, LS_OP_EXT, 3);
    CHECK(c && c->count == 1 && c->values[0] == 0);   /* truth test */
    done(r);

    expect("F.entry { if ($1[2] == 0) { halt; } }\n", 1, 0,
           "indexing a parameter is not supported");
    expect("F.entry { if (*$1->Next == 0) { halt; } }\n", 1, 0,
           "dereferencing '$1->Next' is not supported");
}

static void test_cases(void)
{
    struct run *r = compile("specs/wdm/Cases.slic",
        "#define STATUS_PENDING 0x103\n"
        "#define NT_SUCCESS(s) ((s) >= 0)\n"
        "#define DISPATCH_LEVEL 2\n"
        "state { enum { idle, busy } s = idle; }\n"
        "[IoCallDriver, IofCallDriver].exit {\n"
        "    if ($return == STATUS_PENDING) { s = busy; }\n"
        "    else if (NT_SUCCESS($return)) { s = idle; }\n"
        "    else if (-1 == $return || $return == 2 * 4 || $return == 0x103) { halt; }\n"
        "    if (!$1 || $2 == busy) { halt; }\n"
        "    if (sdv_irql_current > DISPATCH_LEVEL || sdv_irql_current < 1) { halt; }\n"
        "}\n"
        "KeLowerIrql.entry { if ($1 == DISPATCH_LEVEL + 1 || s == busy) { halt; } }\n");
    struct ast_rule *rule = r->rule;
    CHECK(r->errors == 0);

    const struct ast_cases *c = find_cases(rule, "IoCallDriver", WHEN_EXIT,
                                           LS_OP_RETURN, 0);
    CHECK(c && c->count == 4);
    if (c && c->count == 4)
        CHECK(c->values[0] == -1 && c->values[1] == 0 && c->values[2] == 8
              && c->values[3] == 0x103);
    CHECK(find_cases(rule, "IofCallDriver", WHEN_EXIT, LS_OP_RETURN, 0) != NULL);
    c = find_cases(rule, "IoCallDriver", WHEN_EXIT, LS_OP_ARG, 1);
    CHECK(c && c->count == 1 && c->values[0] == 0);
    /* compared with an enum constant: not a case */
    CHECK(find_cases(rule, "IoCallDriver", WHEN_EXIT, LS_OP_ARG, 2) == NULL);
    c = find_cases(rule, NULL, WHEN_EXIT, LS_OP_IRQL, 0);
    CHECK(c && c->count == 2 && c->values[0] == 1 && c->values[1] == 2);
    c = find_cases(rule, "KeLowerIrql", WHEN_ENTRY, LS_OP_ARG, 1);
    CHECK(c && c->count == 1 && c->values[0] == 3);

    /* order: function name, when, kind, index; the NULL function last */
    for (int i = 1; i < rule->case_count; i++) {
        const struct ast_cases *a = &rule->cases[i - 1], *b = &rule->cases[i];
        CHECK(a->function != NULL || b->function == NULL);
        if (a->function && b->function) {
            int k = strcmp(a->function, b->function);
            CHECK(k < 0 || (k == 0 && (a->when < b->when
                  || (a->when == b->when && (a->operand_kind < b->operand_kind
                  || (a->operand_kind == b->operand_kind
                      && a->operand_index < b->operand_index))))));
        }
    }
    CHECK(rule->cases[rule->case_count - 1].function == NULL);
    done(r);
}

/* ---- errors ---------------------------------------------------------------------- */

static void test_errors(void)
{
    expect("state { enum { unlocked, locked } s = unlocked; }\n"
           "F.entry { if (s == lockd) { s = locked; } else { s = unlocked; } }\n",
           1, 0, "did you mean 'locked'?");
    /* reported once per handler */
    expect("state { int n = 0; }\n"
           "F.entry { if (m == 1 || m == 2) { n = m; } }\n", 1, 0,
           "undeclared name 'm'");
    expect("F.entry { if ($1 == DISPATCH_LEVEL) { halt; } }\n", 1, 0,
           "is an '#include' missing?");
    expect("state { int n = 0; int n = 1; }\nF.entry { n = 1; }\n", 1, 0,
           "duplicate state variable 'n'");
    expect("state { enum { a, b, a } s = a; }\nF.entry { s = b; }\n", 1, 0,
           "duplicate enum constant 'a'");
    expect("state { enum { a, b } s = a; enum { b, c } t = c; }\n"
           "F.entry { s = b; }\n", 1, 0, "duplicate enum constant 'b'");
    expect("state { int a = 0; enum { a, b } s = b; }\nF.entry { s = b; }\n",
           1, 0, "duplicate enum constant 'a'");
    expect("state { enum { a, b } s = c; }\nF.entry { s = b; }\n", 1, 0,
           "enum initializer must be one of the enum's constants ('c' is not "
           "a constant of 's')");
    expect("state { enum { a, b } s = a; enum { c, d } t = a; }\n"
           "F.entry { s = b; t = d; }\n", 1, 0, "('a' is not a constant of 't')");
    expect("state { int n = $1; }\nF.entry { n = 1; }\n", 1, 0,
           "initializer of 'n' is not a constant expression");
    expect("state { int n = 0; int m = n + 1; }\nF.entry { n = m; }\n", 1, 0,
           "initializer of 'm' is not a constant expression");
    expect("KeReleaseSpinLock.entry { $1 = 0; }\n", 1, 0,
           "cannot assign to parameter '$1'; rules may only assign their own "
           "state variables");
    expect("F.entry { sdv_irql_current = 2; }\n", 1, 0,
           "cannot assign to built-in 'sdv_irql_current'");
    expect("state { enum { unlocked, locked } s = unlocked; }\n"
           "F.entry { if (s == unlocked) { locked = 1; } }\n", 1, 0,
           "cannot assign to enum constant 'locked'");
    expect("F.exit { $return = 0; }\n", 1, 0, "cannot assign to '$return'");
    expect("F.entry { *$1 = 0; }\n", 1, 0, "cannot assign to '*$1'");
    expect("F.entry { $1->Flags = 0; }\n", 1, 0, "cannot assign to '$1->Flags'");
    expect("F.entry { if ($0 == 1) { halt; } }\n", 1, 0,
           "'$0' is not a parameter; parameters are numbered from $1");
    expect("KeReleaseSpinLock.entry { if ($3 == 1 || $3 == 2) { halt; } }\n",
           1, 0, "'$3' is out of range: 'KeReleaseSpinLock' takes 2 parameters");
    expect("[KeReleaseSpinLock, KeReleaseSpinLockFromDpcLevel].entry {\n"
           "    if ($2 == 1) { halt; }\n}\n", 1, 0,
           "'$2' is out of range: 'KeReleaseSpinLockFromDpcLevel' takes 1 parameter");
    expect("F.entry { if ($17 == 1) { halt; } }\n", 1, 0,
           "'$17' is out of range: events carry at most 16 arguments");
    expect("IoCallDriver.entry { if ($return == 0) { halt; } }\n", 1, 0,
           "'$return' is not available on an '.entry' event");
    expect("KeReleaseSpinLock.exit { if ($return == 0) { halt; } }\n", 1, 0,
           "'$return' is not available: 'KeReleaseSpinLock' returns VOID");
    expect("state { int n = 0; }\n"
           "KeAcquireSpinLock.exit [guard $1] { n = 1; }\n", 1, 0,
           "'guard' needs a 'watch' declaration");
    expect("state { int n = 0; }\nwatch IoAllocateIrp.exit.$return;\n"
           "IoAllocateIrp.entry [guard $return] { n = 1; }\n"
           "IoFreeIrp.entry [guard $1] { if (n == 1) { n = 0; } }\n", 1, 0,
           "'$return' is not available on an '.entry' event");
    expect("state { int n = 0; }\nwatch KeAcquireSpinLock.exit.$3;\n"
           "KeAcquireSpinLock.exit [guard $1] { n = 1; }\n"
           "KeReleaseSpinLock.entry [guard $1] { if (n == 1) { n = 0; } }\n",
           1, 0, "'$3' is out of range: 'KeAcquireSpinLock' takes 2 parameters");
    expect("F.entry { if (IS_LOCKED($1)) { halt; } }\n", 1, 0,
           "call to 'IS_LOCKED' is not allowed in a rule; only macros can be "
           "used like functions");
    expect("F.entry { if (&$1 == 0) { halt; } }\n", 1, 0,
           "cannot take the address of an expression in a rule");
    expect("state { enum { closed, open } s = closed; enum { opened, shut } handleState = shut; }\n"
           "F.entry { if (s == closed && handleState == shut) { s = opened; handleState = opened; } }\n",
           1, 0, "assigning 'opened' (a constant of 'handleState') to 's'");
    expect("state { enum { closed, open } s = closed; }\n"
           "F.entry { if (s == closed) { s = 1; } else { s = closed; } }\n", 1, 0,
           "assigning an integer to enum variable 's'");
    expect("state { enum { closed, open } s = closed; enum { opened, shut } h = shut; }\n"
           "F.entry { if (s == opened) { s = open; h = opened; } else { s = closed; h = shut; } }\n",
           1, 0, "comparing 's' with 'opened', a constant of 'h'");
    expect("state { int n = 0; enum { a, b } s = a; }\n"
           "F.entry { if (s == b) { n = a; s = a; } else { s = b; } }\n", 1, 0,
           "assigning enum constant 'a' to integer variable 'n'");
    expect("state { int n = 0; }\nF.entry { if ($1 / 0 == n) { n = 1; } }\n", 1, 0,
           "division by zero");
    expect("state { int n = 10 % (2 - 2); }\nF.entry { n = 1; if (n) { halt; } }\n",
           1, 0, "division by zero");
    expect("state { int n = 9223372036854775807 + 1; }\nF.entry { n = 1; if (n) { halt; } }\n",
           1, 0, "integer overflow in constant expression");
    expect("state { int n = 0; }\nF.entry { if (n.count == 1) { n = 1; } }\n", 1, 0,
           "'n' is a state variable, not a structure");
    expect("state { enum { a, b } s = a; }\nF.entry { if (s == a) { s += 1; } }\n",
           1, 0, "cannot do arithmetic on enum variable 's'");
    expect("state { int sdv_irql_current = 0; }\nF.entry { halt; }\n", 1, 0,
           "'sdv_irql_current' is a built-in");
}

/* One mistake, one diagnostic. */
static void test_no_cascades(void)
{
    /* the second 'idle' is not declared; dpc = idle still names its own */
    expect("state { enum { idle, started } io = idle;\n"
           "        enum { idle, queued } dpc = idle; }\n"
           "F.entry { if (io == idle) { io = started; dpc = queued; } }\n",
           1, 0, "duplicate enum constant 'idle'");
    /* uses of a name declared twice stay quiet */
    expect("state { int held = 0; enum { free, held } s = free; }\n"
           "F.entry { s = held; held = 1; }\n", 1, 0,
           "duplicate enum constant 'held'");
    /* a guard without a watch is reported once per rule */
    expect("state { int n = 0; }\n"
           "KeAcquireSpinLock.exit [guard $1] { n = 1; }\n"
           "KeReleaseSpinLock.entry [guard *$1] { if (n) { n = 0; } }\n",
           1, 0, "'guard' needs a 'watch' declaration");
    /* the same call twice in a handler: once */
    expect("F.exit { if (OK($return) || OK($1)) { halt; } }\n", 1, 0,
           "call to 'OK'");
    /* a VOID function in an exit set: one error for it, none for the rest */
    expect("[IoCallDriver, IoCompleteRequest].exit {\n"
           "    if ($return == 0 || $return == 1) { halt; }\n}\n", 1, 0,
           "'$return' is not available: 'IoCompleteRequest' returns VOID");
    /* an undeclared operand does not also give an enum complaint */
    expect("state { enum { a, b } s = a; }\n"
           "F.entry { if (s == c) { s = b; } else { s = a; } }\n", 1, 0,
           "undeclared name 'c'");
    /* variables of two enumerations */
    expect("state { enum { a, b } s = a; enum { c, d } t = c; }\n"
           "F.entry { if (s == t) { s = b; t = d; } else { s = a; t = c; } }\n",
           1, 0, "comparing values of different enumerations ('s' and 't')");
    /* a deeply nested expression is refused, not recursed into */
    size_t terms = 3000;
    char *deep = malloc(terms * 2 + 64), *p = deep;
    p += sprintf(p, "F.entry { if ($1 == 1");
    for (size_t i = 1; i < terms; i++)
        p += sprintf(p, "+1");
    sprintf(p, ") { halt; } }\n");
    expect(deep, 1, 0, "expression is nested too deeply");
    free(deep);
}

/* Warnings count as errors under -Werror: the rule must not be emitted. */
static void test_werror(void)
{
    const char *text = "F.entry { if (1) { halt; } }\n";
    struct run *r = calloc(1, sizeof *r);
    src_init(&r->sm);
    r->fp = open_memstream(&r->out, &r->out_size);
    diag_init(&r->d, &r->sm, r->fp);
    r->d.warnings_as_errors = true;
    struct parse_options opt = { NULL, 0 };
    r->rule = parse_buffer(&r->sm, &r->d, "specs/wdm/W.slic", text,
                           strlen(text), &opt);
    CHECK(r->rule && sema_check(r->rule, &r->d) == 1);
    done(r);
}

/* ---- warnings --------------------------------------------------------------------- */

static void test_warnings(void)
{
    expect("state { int n = 0; }\n"
           "F.entry { if (n == 1) { abort \"twice\"; n = 2; } n = 1; }\n", 0, 1,
           "statement is unreachable after 'abort'");
    expect("state { int n = 0; }\n"
           "F.entry { if (n == 1) { abort \"a\"; } else { halt; } n = 1; }\n", 0, 1,
           "statement is unreachable after 'abort' or 'halt'");
    expect("state { int n = 0; int m = 0; }\nF.entry { n = 1; m = 2; if (n) { halt; } }\n",
           0, 1, "state variable 'm' is never read");
    expect("state { int n = 0; }\nF.entry { n++; }\n", 0, 1,
           "state variable 'n' is never read");
    expect("state { int limit = 3; int n = 0; }\n"
           "F.entry { if (n > limit) { halt; } n = n + 1; }\n", 0, 1,
           "state variable 'limit' is never assigned (its value never changes)");
    expect("state { enum { a, b, c } s = a; }\n"
           "F.entry { if (s == a) { s = b; } else { halt; } }\n", 0, 1,
           "enum constant 'c' is never used");
    expect("F.entry { if (1 == 1) { halt; } }\n", 0, 1,
           "condition is always true");
    expect("#define CHECKING 0\nF.entry { if (CHECKING) { halt; } }\n", 0, 1,
           "condition is always false");
    expect("F.entry { if ($1 << 64) { halt; } }\n", 0, 1,
           "shift by 64 is out of range");
    expect("[KeAcquireSpinLock, sdv_KeAcquireSpinLock].exit { halt; }\n", 0, 1,
           "'KeAcquireSpinLock' is listed twice in this event set");
    expect("KeAcquireSpinLock.exit { halt; }\nKeAcquireSpinLock.exit { halt; }\n",
           0, 1, "a second unguarded handler for 'KeAcquireSpinLock.exit'");
    expect("state { int n = 0; }\nwatch KeAcquireSpinLock.exit.$1;\n"
           "KeAcquireSpinLock.exit [guard $1] { n = 1; }\n"
           "KeAcquireSpinLock.exit [guard $1] { if (n == 1) { halt; } }\n", 0, 1,
           "a second handler with the same guard for 'KeAcquireSpinLock.exit'");
    expect("F.entry { abort \"$fnme failed with $1\"; }\n", 0, 2,
           "unknown placeholder '$fnme' in message; only '$fname' is substituted");
    expect("state { enum { a, b } s = a; }\n"
           "F.entry { if (s == 1) { s = b; } else { s = a; } }\n", 0, 1,
           "comparing enum variable 's' with an integer");

    /* the duplicate in an event set is dropped: the handler runs once */
    struct run *r = compile("specs/wdm/Twice.slic",
                            "[A, B, sdv_A].entry { halt; }\n");
    CHECK(event_at(r->rule, 0, 2) == NULL);
    done(r);

    /* no unused-state lints on a rule with errors (no cascades) */
    expect("state { enum { unlocked, locked } s = unlocked; }\n"
           "F.entry { s = lockd; }\n", 1, 0, "undeclared name 'lockd'");
}

/* The caret lands on the placeholder inside the string. */
static void test_placeholder_location(void)
{
    struct run *r = compile("specs/wdm/Msg.slic",
                            "F.entry {\n    abort \"$fname: bad $lock\";\n}\n");
    CHECK(said(r, "Msg.slic:2:24: warning: unknown placeholder '$lock'"));
    done(r);
}

int main(void)
{
    test_seed_rule();
    test_names_and_models();
    test_events();
    test_state();
    test_irql_names();
    test_ext_operands();
    test_cases();
    test_errors();
    test_no_cascades();
    test_warnings();
    test_werror();
    test_placeholder_location();
    return check_done("test_sema");
}
