#!/usr/bin/env bash
# bad-input.sh — `lockstep sim` on drivers that go wrong (tests/sim/drivers):
# one that does not compile shows the compiler's diagnostics (exit 2), as
# does one without DriverEntry, one that registers nothing and one calling
# a DDI the model lacks; a crash, an endless loop and a wild write over the
# model's memory are findings of their run, with its schedule, stored, and
# the other runs go on.
. "$(dirname "$0")/../cli/lib.bash"

export LOCKSTEP_CACHE="$scratch/cache"
d=tests/sim/drivers
db="$scratch/sim.db"

expect_exit "does not compile" 2 "$LOCKSTEP" sim --no-db "$d/broken.c"
expect_output "the compiler's diagnostics are shown" "broken.c:9:.*missing_init"
expect_output "and said to be the build's" "cannot build the driver: '.*' exited with status"
expect_exit "no DriverEntry" 2 "$LOCKSTEP" sim --no-db "$d/no-entry.c"
expect_output "no DriverEntry named" "the driver has no DriverEntry"
expect_exit "registers nothing" 2 "$LOCKSTEP" sim --no-db "$d/nothing.c"
expect_output "registers nothing named" "DriverEntry registered no routines"
expect_exit "unmodelled DDI" 2 "$LOCKSTEP" sim --no-db "$d/unmodelled.c"
expect_output "unmodelled DDI named" "the driver calls IoCallDriver, which the kernel model does not implement"
expect_exit "missing file" 2 "$LOCKSTEP" sim --no-db "$d/no-such.c"
expect_output "missing file named" "cannot read '$d/no-such.c'"

expect_exit "crash" 1 "$LOCKSTEP" sim --db "$db" --runs 20 --steps 3 "$d/crash.c"
expect_output "crash is a finding with its schedule" "error: crash: the driver crashed: Segmentation fault"
expect_output "crash schedule printed" "schedule: seed 1 run [0-9]+; choices .*HwStartIo\(write\)"
expect_output "every run ran" "^20 runs \(random"
[ "$(sqlite3 "$db" "SELECT count(*) FROM diagnostics WHERE message LIKE 'crash: %schedule: seed 1 run%'")" = 1 ] \
    && pass "crash stored with its schedule" || fail "crash not stored"
[ "$(sqlite3 "$db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" = violations ] \
    && pass "crash run closed" || fail "run status: $(sqlite3 "$db" "SELECT status FROM runs")"

expect_exit "endless loop" 1 "$LOCKSTEP" sim --db "$db" --runs 4 --steps 3 --budget 200 "$d/loop.c"
expect_output "loop is a timeout finding" "error: timeout: the run did not finish within its time budget of 200 ms"
expect_output "loop schedule shows the step" "schedule: .*steps .*HwStartIo\(write\)"
expect_output "loop: every run ran" "^4 runs \(random"

expect_exit "wild write" 1 "$LOCKSTEP" sim --db "$db" --runs 5 --steps 2 "$d/corrupt.c"
expect_output "wild write is a finding" "error: model state corrupted: the driver wrote past the end of the SRB"
expect_output "wild write: every run ran" "^5 runs \(random"
[ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status = 'running'")" = 0 ] \
    && pass "no run left 'running'" || fail "a run was left running"
finish
