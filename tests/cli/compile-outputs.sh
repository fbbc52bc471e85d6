#!/usr/bin/env bash
# compile-outputs.sh — what `lockstep compile` writes, for each back end.
. "$(dirname "$0")/lib.bash"

spec=specs/storport/IrqlKeReleaseSpinLock.slic
expect_exit "compile to an out-dir" 0 "$LOCKSTEP" compile --out-dir "$scratch/gen" "$spec"
if [ -f "$scratch/gen/storport/IrqlKeReleaseSpinLock.c" ] && [ -f "$scratch/gen/storport/IrqlKeReleaseSpinLock.h" ]; then
    pass "module written to <out-dir>/<model>/<Rule>.c/.h"
else
    fail "module files missing"
fi
if cc -std=c11 -Wall -Wextra -Werror -pedantic -Iruntime/include -c \
      "$scratch/gen/storport/IrqlKeReleaseSpinLock.c" -o "$scratch/m.o" 2>"$scratch/cc.err"; then
    pass "generated module compiles alone with -std=c11 -Wall -Wextra -Werror -pedantic"
else
    fail "generated module does not compile"; cat "$scratch/cc.err"
fi
expect_exit "compile -o into a missing directory" 2 "$LOCKSTEP" compile -o "$scratch/x/Mine.c" "$spec"
expect_output "missing directory named" "cannot create '.*/x/Mine.c'"
[ -e "$scratch/x" ] && fail "-o into a missing directory created it" || pass "-o into a missing directory writes nothing"
mkdir -p "$scratch/x"
expect_exit "compile -o FILE.c (directory exists)" 0 "$LOCKSTEP" compile -o "$scratch/x/Mine.c" "$spec"
[ -f "$scratch/x/Mine.c" ] && [ -f "$scratch/x/Mine.h" ] && pass "-o writes FILE.c and FILE.h" || fail "-o outputs missing"
ls "$scratch/x" | grep -q tmp && fail "temporary files left behind" || pass "no temporary files left behind"

expect_exit "compile --emit json" 0 "$LOCKSTEP" compile --emit json "$spec"
expect_output "json names the rule" '"name": "IrqlKeReleaseSpinLock"'
expect_exit "compile --emit dot" 0 "$LOCKSTEP" compile --emit dot "$spec"
expect_output "dot is a digraph" '^digraph'
if command -v dot >/dev/null; then
    for s in specs/*/*.slic; do
        if "$LOCKSTEP" compile --emit dot "$s" | dot -Tsvg -o /dev/null; then
            pass "dot renders $(basename "$s")"
        else
            fail "dot cannot render $(basename "$s")"
        fi
    done
fi
expect_exit "compile --check writes nothing" 0 "$LOCKSTEP" compile --check --out-dir "$scratch/none" specs/storport/*.slic
[ -e "$scratch/none" ] && fail "--check created output" || pass "--check created no output"
expect_exit "lockstep rules" 0 "$LOCKSTEP" rules
expect_output "rules lists the seed rules" "IrqlKeReleaseSpinLock +storport"
expect_output "rules lists QueuedSpinLockRelease" "QueuedSpinLockRelease +storport"
expect_exit "lockstep rules --json" 0 "$LOCKSTEP" rules --json
expect_output "rules --json" '^\{"name":"IrqlDispatch"'
finish
