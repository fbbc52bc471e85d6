#!/usr/bin/env bash
# miniport.sh — `lockstep sim` on the example miniport (examples/miniport):
# the clean build is clean under random and exhaustive schedules; each
# -DBUG_* switch is found by the rule of its family, stored with the
# schedule that reached it, and `--replay ID` reaches the same violation;
# the driver build is cached.
. "$(dirname "$0")/../cli/lib.bash"

export LOCKSTEP_CACHE="$scratch/cache"
driver=examples/miniport/miniport.c
db="$scratch/sim.db"

expect_exit "clean build, 100 random runs" 0 "$LOCKSTEP" sim --no-db --runs 100 "$driver"
expect_output "clean: every run counted" "^100 runs \(random, seed 1\): 0 distinct violations, 0 findings"
expect_exit "clean build, exhaustive to depth 2" 0 "$LOCKSTEP" sim --no-db --exhaustive --depth 2 "$driver"
expect_output "exhaustive search completes" "runs \(exhaustive to depth 2\): 0 distinct"
[ "$(ls "$LOCKSTEP_CACHE/drivers" | grep -c '\.so$')" = 1 ] && pass "one cached driver for two runs" \
    || fail "cache: $(ls "$LOCKSTEP_CACHE/drivers")"

# bug switch and the rule that must catch it
while read -r bug rule; do
    expect_exit "$bug found" 1 "$LOCKSTEP" sim --db "$db" --runs 40 "$driver" -- "-D$bug"
    expect_output "$bug: [$rule]" "error: \[$rule\] "
    id=$(printf '%s\n' "$out" | grep -A20 "\[$rule\]" | sed -n 's/.*stored as violation \([0-9]*\):.*/\1/p' | head -1)
    stored=$(sqlite3 "$db" "SELECT count(*) FROM violations v JOIN rules r ON r.id = v.rule
                           WHERE v.id = '$id' AND r.name = '$rule' AND v.schedule LIKE 'seed 1 run %; choices%'")
    [ "$stored" = 1 ] && pass "$bug: stored with its schedule (violation $id)" \
        || fail "$bug: violation '$id' not stored with a schedule"
    expect_exit "$bug: --replay $id" 1 "$LOCKSTEP" sim --db "$db" --replay "$id"
    expect_output "$bug: replay reproduces it" "^replay of violation $id: reproduced \(\[$rule\]"
done <<'BUGS'
BUG_RELEASE_WRONG_IRQL IrqlKeReleaseSpinLock
BUG_LOCK_HELD_ON_ERROR_PATH SpinLock
BUG_RELEASE_NOT_ACQUIRED SpinLockRelease
BUG_QUEUED_RELEASE_WITHOUT_ACQUIRE QueuedSpinLockRelease
BUG_QUEUED_LOCK_HELD_ON_RETURN QueuedSpinLock
BUG_COMPLETE_UNDER_LOCK SpinLockSafe
BUG_DPC_LOCK_AT_DIRQL IrqlDispatch
BUGS

# the error path needs a fault: exhaustive search finds it at depth 1
expect_exit "exhaustive finds the error path" 1 "$LOCKSTEP" sim --no-db --exhaustive --depth 1 \
    "$driver" -- -DBUG_LOCK_HELD_ON_ERROR_PATH
expect_output "exhaustive: the schedule has the failed allocation" "steps .*StorPortAllocatePool fails"

# the same seed gives the same runs
a=$("$LOCKSTEP" sim --no-db --runs 20 --seed 7 "$driver" -- -DBUG_RELEASE_NOT_ACQUIRED 2>&1)
b=$("$LOCKSTEP" sim --no-db --runs 20 --seed 7 "$driver" -- -DBUG_RELEASE_NOT_ACQUIRED 2>&1)
[ "$a" = "$b" ] && pass "random schedules are reproducible from the seed" || fail "seed 7 differs between runs"

# --schedule runs the printed text
sched=$(printf '%s\n' "$a" | sed -n 's/^    schedule: //p' | head -1)
expect_exit "--schedule with a printed schedule" 1 "$LOCKSTEP" sim --no-db --schedule "$sched" \
    "$driver" -- -DBUG_RELEASE_NOT_ACQUIRED
expect_output "--schedule reaches the violation" "\[SpinLockRelease\]"

# results: the run, its input kind
expect_exit "results lists the sim runs" 0 "$LOCKSTEP" results --db "$db" --runs
[ "$(sqlite3 "$db" "SELECT DISTINCT kind FROM inputs")" = simulation ] && pass "inputs are 'simulation'" \
    || fail "input kinds: $(sqlite3 "$db" "SELECT DISTINCT kind FROM inputs")"

expect_exit "sim --help" 0 "$LOCKSTEP" sim --help
expect_output "help has usage" "^usage: lockstep sim"
expect_exit "no driver" 2 "$LOCKSTEP" sim --no-db
expect_output "no driver named" "no driver source given"
expect_exit "bad --runs" 2 "$LOCKSTEP" sim --no-db --runs 0 "$driver"
expect_exit "unknown rule" 2 "$LOCKSTEP" sim --no-db --rule NoSuchRule "$driver"
expect_exit "--replay of a missing violation" 2 "$LOCKSTEP" sim --db "$db" --replay 99999
expect_output "missing violation named" "has no violation 99999"
finish
