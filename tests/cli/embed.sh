#!/usr/bin/env bash
# embed.sh — a generated module used on its own, as docs/contract.md shows:
# only rule.h and the module, compiled as C11 with all warnings, driven by
# hand; a release of an unacquired handle must abort with the spec's text.
. "$(dirname "$0")/lib.bash"

"$LOCKSTEP" compile --out-dir "$scratch/gen" specs/storport/QueuedSpinLockRelease.slic || fail "compile"
cat >"$scratch/app.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "storport/QueuedSpinLockRelease.h"

int main(void)
{
    const struct ls_rule *r = &ls_rule_QueuedSpinLockRelease;
    struct ls_state_QueuedSpinLockRelease st;
    struct ls_verdict v;
    struct ls_event acquire = { .when = LS_EXIT, .nargs = 2, .args = { 0x1000, 0x2000 } };
    struct ls_event release = { .when = LS_ENTRY, .nargs = 1, .args = { 0x2000 } };
    char msg[200];
    unsigned acq = 0, rel = 0;

    for (unsigned i = 0; i < r->handler_count; i++) {
        if (strcmp(r->handlers[i].function, "KeAcquireInStackQueuedSpinLock") == 0) acq = i;
        if (strcmp(r->handlers[i].function, "KeReleaseInStackQueuedSpinLock") == 0) rel = i;
    }
    r->init(&st);
    if (r->step(&st, acq, &acquire, NULL, &v) != LS_STEP_CONTINUE) return 1;
    if (r->step(&st, rel, &release, NULL, &v) != LS_STEP_CONTINUE) return 2;
    if (r->step(&st, rel, &release, NULL, &v) != LS_STEP_ABORT) return 3;
    ls_format_message(&v, msg, sizeof msg);
    puts(msg);
    return 0;
}
C
if cc -std=c11 -Wall -Wextra -Werror -pedantic -Iruntime/include -I"$scratch/gen" \
      "$scratch/app.c" "$scratch/gen/storport/QueuedSpinLockRelease.c" -o "$scratch/app" 2>"$scratch/cc.err"; then
    pass "module + rule.h build a standalone program"
else
    fail "standalone build"; cat "$scratch/cc.err"
fi
expect_exit "standalone program runs" 0 "$scratch/app"
expect_output "second release aborts with \$fname substituted" "^KeReleaseInStackQueuedSpinLock releases a lock handle"
finish
