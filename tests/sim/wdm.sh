#!/usr/bin/env bash
# wdm.sh — `lockstep sim` on WDM drivers: the example legacy driver
# (examples/wdm) is clean under random and exhaustive schedules, and each
# -DBUG_* switch is found by its rule (and the model's finding, where the
# model sees it too), stored with its schedule, and reproduced by
# `--replay ID`; a driver whose device comes from AddDevice is driven, and
# the I/O manager's contract (STATUS_PENDING with IoMarkIrpPending, one
# completion per IRP, every IRP completed) is checked by the model.
. "$(dirname "$0")/../cli/lib.bash"

export LOCKSTEP_CACHE="$scratch/cache"
driver=examples/wdm/wdmdriver.c
pnp=tests/sim/drivers/wdm-pnp.c
db="$scratch/sim.db"

expect_exit "clean build, 100 random runs" 0 "$LOCKSTEP" sim --no-db --runs 100 "$driver"
expect_output "clean: every run counted" "^100 runs \(random, seed 1\): 0 distinct violations, 0 findings"
expect_output "clean: the cancel and completion rules saw events" "^SpinLockSafe +[1-9][0-9]* +0$"
expect_exit "clean build, exhaustive to depth 2" 0 "$LOCKSTEP" sim --no-db --exhaustive --depth 2 "$driver"
expect_output "exhaustive search completes" "runs \(exhaustive to depth 2\): 0 distinct violations, 0 findings"

# bug switch, the rule that must catch it, and the model's finding if any
while read -r bug rule finding; do
    expect_exit "$bug found" 1 "$LOCKSTEP" sim --db "$db" --runs 40 "$driver" -- "-D$bug"
    expect_output "$bug: [$rule]" "error: \[$rule\] "
    if [ "$finding" != - ]; then
        expect_output "$bug: the model's finding" "$finding"
    fi
    id=$(printf '%s\n' "$out" | grep -A20 "\[$rule\]" | sed -n 's/.*stored as violation \([0-9]*\):.*/\1/p' | head -1)
    stored=$(sqlite3 "$db" "SELECT count(*) FROM violations v JOIN rules r ON r.id = v.rule
                           WHERE v.id = '$id' AND r.name = '$rule' AND v.schedule LIKE 'seed 1 run %; choices%'")
    [ "$stored" = 1 ] && pass "$bug: stored with its schedule (violation $id)" \
        || fail "$bug: violation '$id' not stored with a schedule"
    expect_exit "$bug: --replay $id" 1 "$LOCKSTEP" sim --db "$db" --replay "$id"
    expect_output "$bug: replay reproduces it" "^replay of violation $id: reproduced \(\[$rule\]"
done <<'BUGS'
BUG_COMPLETE_UNDER_LOCK SpinLockSafe -
BUG_RELEASE_WRONG_IRQL IrqlKeReleaseSpinLock IRQL not restored: the DRIVER_DISPATCH routine returned at IRQL 2
BUG_DOUBLE_ACQUIRE SpinLock error: hang: KeAcquireSpinLock acquires spin lock
BUG_CANCEL_LOCK_NOT_RELEASED SpinLockSafe IRQL not restored: the DRIVER_CANCEL routine returned at IRQL 2; it was called at 2 and must return at 0
BUGS

# the schedules name the I/O manager's steps
expect_exit "cancel bug: the schedule shows the cancel" 1 "$LOCKSTEP" sim --no-db --runs 10 "$driver" \
    -- -DBUG_CANCEL_LOCK_NOT_RELEASED
expect_output "cancel schedule" "steps create read\([0-9]+\) .*cancel\(read\) cancel routine"
expect_exit "exhaustive finds the double acquire" 1 "$LOCKSTEP" sim --no-db --exhaustive --depth 3 \
    "$driver" -- -DBUG_DOUBLE_ACQUIRE
expect_output "exhaustive: two requests queued" "\[SpinLock\]"

# the same seed gives the same runs; a printed schedule runs again
a=$("$LOCKSTEP" sim --no-db --runs 20 --seed 7 "$driver" -- -DBUG_COMPLETE_UNDER_LOCK 2>&1)
b=$("$LOCKSTEP" sim --no-db --runs 20 --seed 7 "$driver" -- -DBUG_COMPLETE_UNDER_LOCK 2>&1)
[ "$a" = "$b" ] && pass "random schedules are reproducible from the seed" || fail "seed 7 differs between runs"
sched=$(printf '%s\n' "$a" | sed -n 's/^    schedule: //p' | head -1)
expect_exit "--schedule with a printed schedule" 1 "$LOCKSTEP" sim --no-db --schedule "$sched" \
    "$driver" -- -DBUG_COMPLETE_UNDER_LOCK
expect_output "--schedule reaches the violation" "\[SpinLockSafe\]"

# faults: a failed IoCreateDevice fails DriverEntry, which ends that run only
expect_exit "exhaustive with DriverEntry's fault" 0 "$LOCKSTEP" sim --no-db --exhaustive --depth 1 "$driver"
expect_output "every branch ran" "runs \(exhaustive to depth 1\): 0 distinct"

# a PnP-style driver: AddDevice makes the device; the I/O manager's contract
expect_exit "AddDevice driver, well behaved" 0 "$LOCKSTEP" sim --no-db --runs 60 "$pnp" -- -DWELL_BEHAVED
expect_output "AddDevice driver runs" "^60 runs \(random, seed 1\): 0 distinct violations, 0 findings"
expect_exit "AddDevice driver, contract broken" 1 "$LOCKSTEP" sim --no-db --runs 60 "$pnp"
expect_output "STATUS_PENDING without IoMarkIrpPending" "misuse: the read dispatch routine returned STATUS_PENDING without IoMarkIrpPending"
expect_output "double completion is a bug check" "error: bug check: IoCompleteRequest completes the read IRP, which is already complete \(MULTIPLE_IRP_COMPLETE_REQUESTS\)"
expect_output "success without completing" "misuse: the write dispatch routine returned 0x00000000 without completing the IRP"
expect_output "an IRP never completed" "misuse: the write IRP was never completed"
finish
