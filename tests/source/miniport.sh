#!/usr/bin/env bash
# miniport.sh — source mode on the example Storport miniport
# (examples/miniport/miniport.c): the clean build gives no finding, and
# each deliberate bug switch is found by the rule family it was written
# for, at the line of the bug.  tests/sim/miniport.sh shows simulation
# finding the same bugs.
. "$(dirname "$0")/../cli/lib.bash"

miniport=examples/miniport/miniport.c
expect_exit "clean build: no finding" 0 "$LOCKSTEP" scan --no-db "$miniport"
expect_output "clean build: every function analysed" " 0 skipped, 0 gave up"

# bug switch, then the rule it must trip (others may fire on the same path)
while read -r bug rule; do
    expect_exit "$bug" 1 "$LOCKSTEP" scan --no-db "$miniport" -- "-D$bug"
    expect_output "$bug: found by $rule" "^$miniport:[0-9]+:[0-9]+: error: .*\[$rule\]$"
    expect_output "$bug: with its error trace" "^$miniport:[0-9]+:[0-9]+: note: entry: entry point"
done <<'LIST'
BUG_RELEASE_WRONG_IRQL IrqlKeReleaseSpinLock
BUG_LOCK_HELD_ON_ERROR_PATH SpinLock
BUG_RELEASE_NOT_ACQUIRED SpinLockRelease
BUG_QUEUED_RELEASE_WITHOUT_ACQUIRE QueuedSpinLockRelease
BUG_QUEUED_LOCK_HELD_ON_RETURN QueuedSpinLock
BUG_COMPLETE_UNDER_LOCK SpinLockSafe
BUG_DPC_LOCK_AT_DIRQL IrqlDispatch
LIST

# every switch the driver has is in the list above
for bug in $(grep -o 'BUG_[A-Z_]*[A-Z]' "$miniport" | sort -u); do
    grep -q "^$bug " "$0" && pass "$bug is tested" || fail "$bug is not tested here"
done

# stored: the error trace is in the database and results --trace prints it
db="$scratch/r.db"
"$LOCKSTEP" scan --db "$db" "$miniport" -- -DBUG_LOCK_HELD_ON_ERROR_PATH >/dev/null
id=$(sqlite3 "$db" "SELECT min(id) FROM violations")
expect_exit "results --trace of a source-mode violation" 0 "$LOCKSTEP" results --db "$db" --trace "$id"
expect_output "results --trace shows the steps" "^$miniport:[0-9]+:[0-9]+: note: "
finish
