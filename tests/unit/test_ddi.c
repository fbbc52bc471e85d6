/*
 * test_ddi.c — the compiler's DDI, harness and role tables (compiler/ddi.c).
 *
 * The tables are static, so the test reads them from ddi.c's source text:
 * every row of every table must be in strictly increasing strcmp order
 * (bsearch depends on it), must be found again through the public look-up
 * functions, and must agree with itself (parameter names vs arity, harness
 * roles that exist).  Spot checks of arities and names follow.
 *
 * ddi.c is found next to this file (../../compiler/ddi.c, from __FILE__);
 * define DDI_SOURCE to point elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ddi.h"

#define MAX_ROWS 256
#define MAX_NAME 64

/* The rows of one table, in source order. */
struct table {
    const char *decl;           /* the array's name in ddi.c                 */
    char names[MAX_ROWS][MAX_NAME];
    int count;
};

static struct table functions = { .decl = "ddi_functions" };
static struct table roles = { .decl = "ddi_roles" };
static struct table harnesses = { .decl = "ddi_harnesses" };
static struct table aliases = { .decl = "ddi_role_aliases" };

/* Path of ddi.c: DDI_SOURCE, else derived from this file's path. */
static void source_path(char *buf, size_t size)
{
#ifdef DDI_SOURCE
    snprintf(buf, size, "%s", DDI_SOURCE);
#else
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_ddi.c");
    int dir = tail ? (int)(tail - self) : 0;
    snprintf(buf, size, "%.*scompiler/ddi.c", dir, self);
#endif
}

/* Reads the first quoted string of each `{ "name", ...` row of each table
 * into its struct table.  Returns 0, or -1 when ddi.c cannot be read. */
static int read_tables(void)
{
    char path[1024];
    source_path(path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("FAIL: cannot open %s (run from the source root or define "
               "DDI_SOURCE)\n", path);
        return -1;
    }
    struct table *all[] = { &functions, &roles, &harnesses, &aliases };
    struct table *current = NULL;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "static const struct ", 20) == 0) {
            current = NULL;
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
                char decl[80];
                snprintf(decl, sizeof decl, " %s[] = {", all[i]->decl);
                if (strstr(line, decl))
                    current = all[i];
            }
            continue;
        }
        if (current == NULL)
            continue;
        if (strncmp(line, "};", 2) == 0) {
            current = NULL;
            continue;
        }
        const char *row = line + strspn(line, " ");
        if (strncmp(row, "{ \"", 3) != 0)
            continue;
        const char *name = row + 3;
        size_t len = strcspn(name, "\"");
        CHECK(len > 0 && len < MAX_NAME && current->count < MAX_ROWS);
        if (len == 0 || len >= MAX_NAME || current->count >= MAX_ROWS)
            continue;
        memcpy(current->names[current->count], name, len);
        current->names[current->count][len] = '\0';
        current->count++;
    }
    fclose(f);
    return 0;
}

static void check_sorted(const struct table *t)
{
    for (int i = 1; i < t->count; i++) {
        if (strcmp(t->names[i - 1], t->names[i]) >= 0) {
            printf("FAIL: %s: \"%s\" must sort after \"%s\"\n", t->decl,
                   t->names[i], t->names[i - 1]);
            check_failures++;
        }
        check_count++;
    }
}

/* Number of comma-separated names in params ("" has none). */
static int param_count(const char *params)
{
    if (*params == '\0')
        return 0;
    int n = 1;
    for (const char *p = params; *p; p++)
        n += *p == ',';
    return n;
}

static void test_tables(void)
{
    if (read_tables() != 0) {
        check_failures++;
        return;
    }
    /* The tables were found at all (a renamed array would skip them). */
    CHECK(functions.count >= 40);
    CHECK(roles.count >= 15);
    CHECK(harnesses.count >= 15);
    CHECK(aliases.count >= 1);

    check_sorted(&functions);
    check_sorted(&roles);
    check_sorted(&harnesses);
    check_sorted(&aliases);

    for (int i = 0; i < functions.count; i++) {
        const struct ddi_signature *sig = ddi_lookup(functions.names[i]);
        CHECK(sig != NULL && strcmp(sig->name, functions.names[i]) == 0);
        if (sig == NULL)
            continue;
        CHECK(sig->params != NULL);
        if (sig->arity >= 0)
            CHECK(param_count(sig->params) == sig->arity);
        else
            CHECK(sig->arity == -1);
    }
    for (int i = 0; i < roles.count; i++) {
        const struct ddi_signature *sig = ddi_role_signature(roles.names[i]);
        CHECK(sig != NULL && strcmp(sig->name, roles.names[i]) == 0);
        if (sig != NULL)
            CHECK(param_count(sig->params) == sig->arity);
    }
    for (int i = 0; i < harnesses.count; i++) {
        char name[MAX_NAME + 8];
        snprintf(name, sizeof name, "sdv_%s", harnesses.names[i]);
        const char *role = ddi_harness_role(name);
        CHECK(role != NULL);
        /* every harness runs a role whose prototype is known */
        CHECK(role != NULL && ddi_role_signature(role) != NULL);
    }
    for (int i = 0; i < aliases.count; i++)
        CHECK(ddi_role_signature(aliases.names[i]) != NULL);
}

static void check_signature(const char *name, int arity, int returns_value,
                            const char *params, int line)
{
    const struct ddi_signature *sig = ddi_lookup(name);
    check_str(sig != NULL, NULL, NULL, __FILE__, line, name);
    if (sig == NULL)
        return;
    check_str(sig->arity == arity, NULL, NULL, __FILE__, line, "arity");
    check_str(sig->returns_value == (returns_value != 0), NULL, NULL,
              __FILE__, line, "returns_value");
    check_str(0, sig->params, params, __FILE__, line, "params");
}
#define CHECK_SIG(name, arity, value, params) \
    check_signature((name), (arity), (value), (params), __LINE__)

static void test_signatures(void)
{
    CHECK_SIG("KeAcquireSpinLock", 2, 0, "SpinLock,OldIrql");
    CHECK_SIG("KeReleaseSpinLock", 2, 0, "SpinLock,NewIrql");
    CHECK_SIG("KeAcquireSpinLockRaiseToDpc", 1, 1, "SpinLock");
    CHECK_SIG("KeTryToAcquireSpinLockAtDpcLevel", 1, 1, "SpinLock");
    CHECK_SIG("KeAcquireInStackQueuedSpinLock", 2, 0, "SpinLock,LockHandle");
    CHECK_SIG("KeReleaseInStackQueuedSpinLock", 1, 0, "LockHandle");
    CHECK_SIG("KeRaiseIrql", 2, 0, "NewIrql,OldIrql");
    CHECK_SIG("KeLowerIrql", 1, 0, "NewIrql");
    CHECK_SIG("KeGetCurrentIrql", 0, 1, "");
    CHECK_SIG("IoAcquireCancelSpinLock", 1, 0, "Irql");
    CHECK_SIG("IoCompleteRequest", 2, 0, "Irp,PriorityBoost");
    CHECK_SIG("StorPortAcquireSpinLock", 4, 0,
              "DeviceExtension,SpinLock,LockContext,LockHandle");
    CHECK_SIG("StorPortReleaseSpinLock", 2, 0, "DeviceExtension,LockHandle");
    CHECK_SIG("KeWaitForSingleObject", 5, 1,
              "Object,WaitReason,WaitMode,Alertable,Timeout");

    CHECK_SIG("pthread_mutex_lock", 1, 1, "mutex");
    CHECK_SIG("pthread_mutex_timedlock", 2, 1, "mutex,abstime");
    CHECK_SIG("pthread_spin_unlock", 1, 1, "lock");
    CHECK_SIG("pthread_cond_wait", 2, 1, "cond,mutex");
    CHECK_SIG("lockstep_thread_exit", 2, 0, "Status,Signal");

    const struct ddi_signature *n = ddi_lookup("StorPortNotification");
    CHECK(n != NULL && n->arity == -1 && !n->returns_value);
}

static void test_unknown_names(void)
{
    CHECK(ddi_lookup("NoSuchFunction") == NULL);
    CHECK(ddi_lookup("") == NULL);
    CHECK(ddi_lookup(NULL) == NULL);
    CHECK(ddi_lookup("keacquirespinlock") == NULL);        /* case matters */
    CHECK(ddi_lookup("KeAcquireSpinLoc") == NULL);         /* no prefixes  */
    CHECK(ddi_lookup("sdv_KeAcquireSpinLock") == NULL);    /* sema strips  */
    CHECK(ddi_harness_role("sdv_RunNothing") == NULL);
    CHECK(ddi_harness_role("KeAcquireSpinLock") == NULL);
    CHECK(ddi_harness_role("sdv_KeAcquireSpinLock") == NULL);
    CHECK(ddi_harness_role("DRIVER_CANCEL") == NULL);      /* needs a prefix */
    CHECK(ddi_harness_role(NULL) == NULL);
    CHECK(ddi_role_signature("NO_SUCH_ROLE") == NULL);
    CHECK(ddi_role_signature("HW_STARTIO_") == NULL);
    CHECK(ddi_role_signature("HW_STARTIO_x") == NULL);
    CHECK(ddi_role_signature("_1") == NULL);
    CHECK(ddi_role_signature(NULL) == NULL);
}

static void test_harnesses(void)
{
    CHECK_STR(ddi_harness_role("sdv_RunDispatchFunction"), "DRIVER_DISPATCH");
    CHECK_STR(ddi_harness_role("sdv_RunStartIo"), "DRIVER_STARTIO");
    CHECK_STR(ddi_harness_role("sdv_RunDPC"), "KDEFERRED_ROUTINE");
    CHECK_STR(ddi_harness_role("sdv_RunISR"), "KSERVICE_ROUTINE");
    CHECK_STR(ddi_harness_role("sdv_RunCancelRoutine"), "DRIVER_CANCEL");
    CHECK_STR(ddi_harness_role("sdv_RunAddDevice"), "DRIVER_ADD_DEVICE");
    CHECK_STR(ddi_harness_role("sdv_RunUnload"), "DRIVER_UNLOAD");
    CHECK_STR(ddi_harness_role("sdv_RunStartDevice"), "DRIVER_DISPATCH");
    CHECK_STR(ddi_harness_role("sdv_RunRemoveDevice"), "DRIVER_DISPATCH");
    CHECK_STR(ddi_harness_role("sdv_RunIoDpcRoutines"), "IO_DPC_ROUTINE");
    CHECK_STR(ddi_harness_role("sdv_RunHwStartIo"), "HW_STARTIO");
    CHECK_STR(ddi_harness_role("sdv_RunHwInterrupt"), "HW_INTERRUPT");
    CHECK_STR(ddi_harness_role("sdv_RunHwFindAdapter"), "HW_FIND_ADAPTER");
    CHECK_STR(ddi_harness_role("sdv_RunHwInitialize"), "HW_INITIALIZE");
    CHECK_STR(ddi_harness_role("sdv_RunHwResetBus"), "HW_RESET_BUS");
    CHECK_STR(ddi_harness_role("sdv_RunHwDpcRoutine"), "HW_DPC_ROUTINE");
    CHECK_STR(ddi_harness_role("sdv_RunHwTimer"), "HW_TIMER");
    CHECK_STR(ddi_harness_role("sdv_RunHwBuildIo"), "HW_BUILDIO");
    /* the prefix is optional, and later WDKs spell it SDV_ */
    CHECK_STR(ddi_harness_role("RunHwStartIo"), "HW_STARTIO");
    CHECK_STR(ddi_harness_role("SDV_RunDispatchFunction"), "DRIVER_DISPATCH");
    CHECK_STR(ddi_harness_role("SDV_DRIVER_CANCEL"), "DRIVER_CANCEL");
}

static void test_roles(void)
{
    const struct ddi_signature *s = ddi_role_signature("HW_STARTIO");
    CHECK(s != NULL && s->arity == 2 && s->returns_value);
    s = ddi_role_signature("HW_INTERRUPT");
    CHECK(s != NULL && s->arity == 1 && s->returns_value);
    s = ddi_role_signature("HW_TIMER");
    CHECK(s != NULL && s->arity == 1 && !s->returns_value);
    s = ddi_role_signature("DRIVER_DISPATCH");
    CHECK(s != NULL && s->arity == 2 && s->returns_value);
    CHECK_STR(s ? s->params : NULL, "DeviceObject,Irp");
    s = ddi_role_signature("KDEFERRED_ROUTINE");
    CHECK(s != NULL && s->arity == 4 && !s->returns_value);
    CHECK_STR(s ? s->params : NULL,
              "Dpc,DeferredContext,SystemArgument1,SystemArgument2");
    s = ddi_role_signature("HW_FIND_ADAPTER");
    CHECK(s != NULL && s->arity == 6 && s->returns_value);

    /* sdv-map.h spellings */
    s = ddi_role_signature("fun_HW_STARTIO");
    CHECK_STR(s ? s->name : NULL, "HW_STARTIO");
    s = ddi_role_signature("IRP_MJ_CREATE");
    CHECK_STR(s ? s->name : NULL, "DRIVER_DISPATCH");
    s = ddi_role_signature("fun_IRP_MJ_PNP");
    CHECK_STR(s ? s->name : NULL, "DRIVER_DISPATCH");
    s = ddi_role_signature("IO_DPC_ROUTINE_1");
    CHECK_STR(s ? s->name : NULL, "IO_DPC_ROUTINE");
    s = ddi_role_signature("fun_KSERVICE_ROUTINE_12");
    CHECK_STR(s ? s->name : NULL, "KSERVICE_ROUTINE");
    s = ddi_role_signature("fun_AddDevice");
    CHECK_STR(s ? s->name : NULL, "DRIVER_ADD_DEVICE");
    s = ddi_role_signature("DriverEntry");
    CHECK_STR(s ? s->name : NULL, "DRIVER_INITIALIZE");
}

int main(void)
{
    test_tables();
    test_signatures();
    test_unknown_names();
    test_harnesses();
    test_roles();
    return check_done("test_ddi");
}
