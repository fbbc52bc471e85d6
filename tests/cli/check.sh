#!/usr/bin/env bash
# check.sh — `lockstep check` end to end on small traces: the DESIGN
# section 7 example, a clean trace, each seed rule's violation, role
# mapping, stdin, exit codes and malformed input (with and without
# --keep-going).
. "$(dirname "$0")/lib.bash"

# The example of DESIGN section 7 (the fixture the trace tests use too).
cp tests/trace/design-example.trace "$scratch/design.trace"
expect_exit "DESIGN example: a violation" 1 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/design.trace"
expect_output "event 5 violates QueuedSpinLockRelease" "design.trace: event 5 \(cpu1\): error: \[QueuedSpinLockRelease\] KeReleaseInStackQueuedSpinLock releases a lock handle"
expect_output "only that violation" "^QueuedSpinLockRelease +1 +[0-9]+ +[0-9]+ +1$"
expect_output "IrqlKeReleaseSpinLock is satisfied" "^IrqlKeReleaseSpinLock +1 .* 0$"

grep -v "^5 " "$scratch/design.trace" >"$scratch/clean.trace"     # without the bad release
expect_exit "clean trace" 0 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/clean.trace"
expect_exit "clean trace from stdin" 0 sh -c "\"$LOCKSTEP\" check --db \"$scratch/results.db\" - <\"$scratch/clean.trace\""

# IrqlKeReleaseSpinLock: the release restores the wrong IRQL (1, not 0).
cat >"$scratch/wrong-irql.trace" <<'T'
# lockstep-trace 1
1 cpu0 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
2 cpu0 - exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
3 cpu0 - entry KeReleaseSpinLock 0xffffa0010000 1 @ miniport.c:300
4 cpu0 - exit KeReleaseSpinLock 0xffffa0010000 1
T
expect_exit "wrong NewIrql" 1 "$LOCKSTEP" check --db "$scratch/results.db" --rule IrqlKeReleaseSpinLock "$scratch/wrong-irql.trace"
expect_output "location and message" "^miniport.c:300: .*event 3 \(cpu0\): error: \[IrqlKeReleaseSpinLock\] KeReleaseSpinLock does not restore"
expect_output "trail ends with the violating event" "^    -> event 3 cpu0 irql 2 entry KeReleaseSpinLock$"

# A release at PASSIVE_LEVEL, recorded in the trace.
printf '# lockstep-trace 1\n1 cpu0 0 entry KeReleaseSpinLock 0xffffa0010000 0\n' >"$scratch/passive.trace"
expect_exit "release at PASSIVE_LEVEL" 1 "$LOCKSTEP" check --db "$scratch/results.db" --rule IrqlKeReleaseSpinLock "$scratch/passive.trace"
expect_output "IRQL message" "called at an IRQL other than DISPATCH_LEVEL"

# Role mapping: a miniport routine returning with a lock held.
cat >"$scratch/role.trace" <<'T'
1 cpu0 2 entry AhciHwStartIo 0xffffa0100000 0xffffa0200000
2 cpu0 2 entry KeAcquireSpinLockAtDpcLevel 0xffffa0010000
3 cpu0 2 exit KeAcquireSpinLockAtDpcLevel 0xffffa0010000
4 cpu0 2 entry KeAcquireSpinLock 0xffffa0018000 0xffffa0020000
5 cpu0 2 exit KeAcquireSpinLock 0xffffa0018000 0xffffa0020000
6 cpu0 2 exit AhciHwStartIo 0xffffa0100000 0xffffa0200000 = 1
T
expect_exit "routine returns holding a lock" 1 "$LOCKSTEP" check --db "$scratch/results.db" --rule SpinLock --role HW_STARTIO=AhciHwStartIo "$scratch/role.trace"
expect_output "\$fname is the driver routine" "\[SpinLock\] AhciHwStartIo returns to Storport while still holding a spin lock"
expect_output "trail shows the lock's acquire" "^       event 5 cpu0 irql 2 exit KeAcquireSpinLock$"
expect_exit "without the role mapping nothing fires" 0 "$LOCKSTEP" check --db "$scratch/results.db" --rule SpinLock "$scratch/role.trace"

# Bad usage and bad input.
expect_exit "no trace" 2 "$LOCKSTEP" check
expect_exit "unknown rule" 2 "$LOCKSTEP" check --db "$scratch/results.db" --rule NoSuchRule "$scratch/clean.trace"
expect_output "unknown rule named" "no rule named 'NoSuchRule'"
expect_exit "bad --role" 2 "$LOCKSTEP" check --db "$scratch/results.db" --role HW_STARTIO "$scratch/clean.trace"
expect_exit "missing trace" 2 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/none.trace"
expect_output "missing trace named" "cannot read '.*none.trace'"
printf '# lockstep-trace 1\n1 cpu0 0 entry KeAcquireSpinLock 0x10 0x20\n2 cpu0 0 entri KeAcquireSpinLock 0x10 0x20\n3 cpu0 0 entry KeReleaseInStackQueuedSpinLock 0x30\n' >"$scratch/bad.trace"
expect_exit "malformed line stops the check" 2 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/bad.trace"
expect_output "malformed line has file:line:column" "bad.trace:3:[0-9]+: "
expect_exit "--keep-going still fails the run" 2 "$LOCKSTEP" check --db "$scratch/results.db" --keep-going "$scratch/bad.trace"
expect_output "--keep-going reaches the violation after the bad line" "event 3 \(cpu0\): error: \[QueuedSpinLockRelease\]"
expect_output "--keep-going counts skipped lines" "1 malformed line skipped"
mkdir "$scratch/dir.trace"
expect_exit "a directory as a trace" 2 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/clean.trace" "$scratch/dir.trace"
expect_output "directory named" "cannot read '.*dir.trace': Is a directory"
case $out in *RULE*) fail "the directory was only found after reading" ;; *) pass "refused before any reading" ;; esac
cp "$scratch/clean.trace" "$scratch/secret.trace" && chmod 000 "$scratch/secret.trace"
expect_exit "an unreadable trace" 2 as_nobody "$LOCKSTEP" check --no-db "$scratch/secret.trace"
expect_output "unreadable trace named" "cannot read '.*secret.trace': Permission denied"
"$LOCKSTEP" check --db "$scratch/ro.db" "$scratch/clean.trace" >/dev/null
chmod 444 "$scratch/ro.db"
expect_exit "a read-only database" 2 as_nobody "$LOCKSTEP" check --db "$scratch/ro.db" "$scratch/clean.trace"
expect_output "read-only database named" "ro.db: opening: results database is read-only; give a writable one with --db"
"$LOCKSTEP" check --db "$scratch/new.db" "$scratch/clean.trace" >/dev/null
sqlite3 "$scratch/new.db" "PRAGMA user_version = 99"
expect_exit "a database of a newer schema" 2 "$LOCKSTEP" check --db "$scratch/new.db" "$scratch/clean.trace"
expect_output "newer schema named" "new.db: results database has schema version 99, newer than this lockstep understands"
[ "$(sqlite3 "$scratch/new.db" "select count(*) from runs")" = 1 ] && pass "newer database left alone" || fail "newer database changed"

printf '# lockstep-trace 1\n1 cpu0 - entry A\n2 cpu0 - exit A\n3 cpu1 - exit KeReleaseSpinLock 0x10 0\n' >"$scratch/orphan.trace"
expect_exit "an exit without its entry" 2 "$LOCKSTEP" check --no-db "$scratch/orphan.trace"
expect_output "orphan exit named" "orphan.trace:4:1: exit of KeReleaseSpinLock on thread cpu1 without its entry \(0 calls open on that thread\)"
mkfifo "$scratch/fifo.trace"
(cat "$scratch/design.trace" >"$scratch/fifo.trace" &)
expect_exit "a named pipe as a trace" 1 "$LOCKSTEP" check --no-db "$scratch/fifo.trace"
expect_output "the pipe read whole" "^5 events in"
: >"$scratch/empty.trace"
expect_exit "an empty trace" 2 "$LOCKSTEP" check --db "$scratch/results.db" "$scratch/empty.trace"
expect_output "empty trace named" "empty.trace: empty trace \(no header and no events\)"
expect_exit "an empty trace from stdin" 2 sh -c "\"$LOCKSTEP\" check --no-db - </dev/null"
expect_output "empty stdin named" "<stdin>: empty trace"
expect_exit "an unknown --format" 2 "$LOCKSTEP" check --no-db --format xml "$scratch/clean.trace"
expect_output "formats listed" "--format takes native, text, binary or ltrace, not 'xml'"

# SIGINT while reading a pipe: the run is closed as 'error' with the reason.
idb="$scratch/interrupted.db"
(sleep 30 | "$LOCKSTEP" check --db "$idb" - >"$scratch/int.out" 2>&1; echo $? >"$scratch/int.status") &
for _ in $(seq 50); do [ -s "$idb" ] && break; sleep 0.1; done
sleep 0.5
pkill -INT -f "check --db $idb" || true
wait
[ "$(cat "$scratch/int.status")" = 2 ] && pass "interrupted check exits 2" || fail "interrupted check exit $(cat "$scratch/int.status")"
grep -q "interrupted by SIGINT; the run is recorded as 'error'" "$scratch/int.out" && pass "interruption reported" || fail "interruption message: $(cat "$scratch/int.out")"
out=$(sqlite3 "$idb" "select r.status, d.message from runs r join diagnostics d on d.run = r.id where d.input is null")
[ "$out" = "error|interrupted by SIGINT" ] && pass "interrupted run stored as error with the reason" || fail "interrupted run: $out"

# Diagnostics: skipped lines (--keep-going) and model notices are stored with the run.
ddb="$scratch/diag.db"
expect_exit "--keep-going run" 2 "$LOCKSTEP" check --db "$ddb" --keep-going "$scratch/bad.trace"
out=$(sqlite3 "$ddb" "select r.status, d.severity, d.line, d.column, d.text from diagnostics d join runs r on r.id = d.run")
[ "$out" = "error|error|3|10|2 cpu0 0 entri KeAcquireSpinLock 0x10 0x20" ] && pass "skipped line stored as a diagnostic" || fail "diagnostic row: $out"
printf '# lockstep-trace 1\n1 cpu0 0 entry KeAcquireSpinLock 0x10 0x20\n2 cpu0 0 exit KeAcquireSpinLock 0x10 0x20\n' >"$scratch/notice.trace"
expect_exit "recorded IRQL disagrees with the model" 0 "$LOCKSTEP" check --db "$ddb" "$scratch/notice.trace"
expect_output "notice printed" "notice.trace: event 2: note: thread cpu0: the trace records IRQL 0 at event 2 where the model has 2"
out=$(sqlite3 "$ddb" "select severity, seq, thread from diagnostics where run = 2")
[ "$out" = "note|2|cpu0" ] && pass "notice stored as a diagnostic" || fail "notice row: $out"
for i in $(seq 1500); do echo "$i cpu0 - bogus F"; done >"$scratch/garbage.trace"
expect_exit "1500 malformed lines with --keep-going" 2 "$LOCKSTEP" check --db "$ddb" --keep-going "$scratch/garbage.trace"
expect_output "diagnostics beyond the limit counted" "500 further diagnostics of this input not shown or stored"
[ "$(sqlite3 "$ddb" "select count(*) from diagnostics where run = 3")" = 1001 ] && pass "1000 diagnostics and a count stored" || fail "diagnostics of the garbage run"

# The results database: one run per check, violations and their steps.
db="$scratch/db-test.db"
expect_exit "check writes the results database" 1 "$LOCKSTEP" check --db "$db" "$scratch/design.trace"
expect_exit "a second run" 0 "$LOCKSTEP" check --db "$db" "$scratch/clean.trace"
if command -v sqlite3 >/dev/null; then
    out=$(sqlite3 "$db" "select id, status from runs order by id;")
    [ "$out" = "$(printf '1|violations\n2|clean')" ] && pass "runs recorded with their outcome" || fail "runs: $out"
    out=$(sqlite3 "$db" "select v.seq, v.thread, r.name, v.instance_key from violations v join rules r on r.id = v.rule;")
    [ "$out" = "5|cpu1|QueuedSpinLockRelease|0xffffa0030000" ] && pass "violation row" || fail "violation row: $out"
    out=$(sqlite3 "$db" "select count(*) from violation_steps;")
    [ "$out" = 1 ] && pass "violation steps stored" || fail "steps: $out"
fi
expect_exit "--no-db writes nothing" 1 "$LOCKSTEP" check --no-db "$scratch/design.trace"
[ -e lockstep.db ] && fail "a lockstep.db appeared in the working directory" || pass "no stray lockstep.db"
head -c 4096 /dev/urandom >"$scratch/corrupt.db"
expect_exit "corrupt database" 2 "$LOCKSTEP" check --db "$scratch/corrupt.db" "$scratch/clean.trace"
expect_output "corrupt database named" "not a lockstep results database"
expect_exit "database in a missing directory" 2 "$LOCKSTEP" check --db "$scratch/no/such/dir.db" "$scratch/clean.trace"
expect_output "unopenable database named" "cannot open results database"
if command -v sqlite3 >/dev/null; then
    # Hold a write lock from another process while lockstep tries to write.
    (sqlite3 "$db" "BEGIN EXCLUSIVE; SELECT 1;" ".shell sleep 8" "COMMIT;" >/dev/null 2>&1 &)
    sleep 1
    expect_exit "locked database" 2 "$LOCKSTEP" check --db "$db" "$scratch/clean.trace"
    expect_output "locked database named" "locked"
fi
finish
