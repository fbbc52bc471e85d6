#!/usr/bin/env bash
# results-trace.sh — what schema 3 of the results database added, through
# `lockstep results`: the error trace of one violation (--trace) for a
# trace and for a source path, a simulation's schedule, the functions of
# source mode (--functions, and their counts in --runs), violations with a
# column and an entry point in every format, SARIF code flows with source
# locations (validated with tests/tools/sarif-validate), and files of
# schema 1 and 2 read as they are, never changed.  Until `lockstep scan`
# and `lockstep sim` write them, the source-mode rows are inserted with the
# sqlite3 shell.
. "$(dirname "$0")/lib.bash"

if ! command -v sqlite3 >/dev/null || ! command -v python3 >/dev/null; then
    fail "sqlite3 and python3 are needed to build and check the databases"
    finish
    exit
fi

# expect_same NAME WANT: the last output is exactly WANT.
expect_same() {
    if [ "$out" = "$2" ]; then pass "$1"; else fail "$1"; diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$out") | head -20; fi
}

db="$scratch/results.db"
cp tests/trace/design-example.trace "$scratch/design.trace"
expect_exit "run 1: check of the design example" 1 "$LOCKSTEP" check --db "$db" "$scratch/design.trace"
# Run 2 as `lockstep scan` would store it: a release of a spin lock at the
# wrong IRQL on the path from AhciHwStartIo where ext->Busy is true (one
# step without a file), and the four functions of the file.
sqlite3 "$db" <<'SQL'
INSERT INTO runs (id, started_at, finished_at, status, command_line, tool_version)
  VALUES (2, '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:01.500Z', 'violations',
          'lockstep scan src/storahci.c', '0.1.0');
INSERT INTO run_rules (run, rule) SELECT 2, id FROM rules WHERE name = 'IrqlKeReleaseSpinLock';
INSERT INTO inputs (id, run, path, kind) VALUES (10, 2, 'src/storahci.c', 'source');
INSERT INTO violations (id, run, rule, input, message, seq, thread, function, file, line,
                        column, entry, instance_key, fingerprint)
  SELECT 20, 2, id, 10, 'KeReleaseSpinLock does not restore the IRQL that was current when the spin lock was acquired.',
         0, NULL, 'KeReleaseSpinLock', 'src/storahci.c', 212, 9, 'AhciHwStartIo', '&ext->Lock',
         '0123456789abcdef'
    FROM rules WHERE name = 'IrqlKeReleaseSpinLock';
INSERT INTO violation_steps (violation, step, seq, thread, function, point, irql, file, line,
                             column, kind, text) VALUES
  (20, 1, 1, NULL, 'AhciHwStartIo', 'entry', 2, 'src/storahci.c', 180, 5, 'entry', NULL),
  (20, 2, 2, NULL, 'AhciHwStartIo', 'call', 2, 'src/storahci.c', 185, 5, 'call', 'KeAcquireSpinLock(&ext->Lock, &irql)'),
  (20, 3, 3, NULL, 'AhciHwStartIo', 'branch', 2, 'src/storahci.c', 190, 9, 'branch', 'if (ext->Busy): true'),
  (20, 4, 4, NULL, 'AhciHwStartIo', 'call', 0, 'src/storahci.c', 200, 9, 'call', 'KeLowerIrql(PASSIVE_LEVEL)'),
  (20, 5, 5, NULL, 'AhciCompleteIo', 'return', NULL, NULL, NULL, NULL, 'return', 'return STATUS_SUCCESS'),
  (20, 6, 6, NULL, 'AhciHwStartIo', 'event', 0, 'src/storahci.c', 212, 9, 'event', 'KeReleaseSpinLock(&ext->Lock, irql)');
INSERT INTO functions (run, input, name, file, line, status, reason, entry, states) VALUES
  (2, 10, 'AhciHwStartIo', 'src/storahci.c', 170, 'analysed', NULL, 1, 1234),
  (2, 10, 'AhciCompleteIo', 'src/storahci.c', 300, 'analysed', NULL, 0, 56),
  (2, 10, 'AhciAsmHelper', 'src/storahci.c', 320, 'skipped', 'inline assembly', 0, 0),
  (2, 10, 'AhciPoll', 'src/storahci.c', 400, 'gave-up', 'state limit (100000) at src/storahci.c:412', 0, 100000);
SQL
# ...and the violation of run 1 as `lockstep sim` would store it.
sched='seed=42 run=7 steps=HwFindAdapter,HwInitialize,HwStartIo#3,fault:alloc@2'
sqlite3 "$db" "UPDATE violations SET schedule = '$sched' WHERE id = 1"

I='KeReleaseSpinLock does not restore the IRQL that was current when the spin lock was acquired.'
Q='KeReleaseInStackQueuedSpinLock releases a lock handle that was not acquired with KeAcquireInStackQueuedSpinLock.'

# ---- --trace -------------------------------------------------------------------
expect_exit "--trace of a source path" 0 "$LOCKSTEP" results --db "$db" --trace 20
expect_same "a source path as a note chain" "src/storahci.c:212:9: error: $I [IrqlKeReleaseSpinLock]
src/storahci.c:180:5: note: entry AhciHwStartIo at IRQL 2
src/storahci.c:185:5: note: call KeAcquireSpinLock(&ext->Lock, &irql)
src/storahci.c:190:9: note: branch if (ext->Busy): true
src/storahci.c:200:9: note: call KeLowerIrql(PASSIVE_LEVEL) (IRQL 0)
src/storahci.c: note: return STATUS_SUCCESS
src/storahci.c:212:9: note: event KeReleaseSpinLock(&ext->Lock, irql)"
expect_exit "--trace of a trace's violation" 0 "$LOCKSTEP" results --db "$db" --trace 1
expect_same "events of the trail, with the schedule" "$scratch/design.trace: error: $Q [QueuedSpinLockRelease]
$scratch/design.trace: note: schedule $sched
$scratch/design.trace: note: event 5 cpu1 entry KeReleaseInStackQueuedSpinLock (irql 0)"
expect_exit "--trace of an unknown violation" 2 "$LOCKSTEP" results --db "$db" --trace 99
expect_same "unknown violation named" "lockstep results: error: $db has no violation 99; 'lockstep results --format json' lists them with their ids"
expect_exit "--trace of a word" 2 "$LOCKSTEP" results --db "$db" --trace first
expect_output "bad id named" "^lockstep results: error: --trace takes a violation id \(a positive number\), not 'first'$"
expect_exit "--trace 0" 2 "$LOCKSTEP" results --db "$db" --trace 0
expect_exit "--trace with a filter" 2 "$LOCKSTEP" results --db "$db" --trace 1 --run 1
expect_output "--trace takes no filter" "--trace prints one violation as text"
expect_exit "--trace with --format json" 2 "$LOCKSTEP" results --db "$db" --trace 1 --format json
expect_exit "--trace with --runs" 2 "$LOCKSTEP" results --db "$db" --trace 1 --runs
expect_output "--trace and --runs exclude each other" "^lockstep results: error: --trace and --runs exclude each other$"
expect_exit "--trace without an id" 2 "$LOCKSTEP" results --db "$db" --trace

# ---- violations with a column, an entry point, a schedule ----------------------
expect_exit "table" 0 "$LOCKSTEP" results --db "$db"
expect_output "location with its column" "^  2  IrqlKeReleaseSpinLock +0  - +KeReleaseSpinLock +src/storahci.c:212:9  $I$"
expect_exit "json" 0 "$LOCKSTEP" results --db "$db" --format json
out=$(printf '%s' "$out" | python3 -c '
import json, sys
for row in json.load(sys.stdin):
    print(list(row)[10:], row["id"], row.get("column"), row.get("entry"), row.get("schedule"))')
expect_same "json: id always, column, entry and schedule when set" "['id', 'schedule'] 1 None None $sched
['id', 'column', 'entry'] 20 9 AhciHwStartIo None"
expect_exit "csv" 0 "$LOCKSTEP" results --db "$db" --format csv --run 2
out=$(printf '%s' "$out" | tr -d '\r' | cut -d, -f1-7,10-)
expect_same "csv: every field, empty when unknown" "run,rule,seq,thread,function,file,line,fingerprint,id,column,entry,schedule
2,IrqlKeReleaseSpinLock,0,,KeReleaseSpinLock,src/storahci.c,212,0123456789abcdef,20,9,AhciHwStartIo,"

# ---- functions -------------------------------------------------------------------
expect_exit "--functions" 0 "$LOCKSTEP" results --db "$db" --functions
expect_same "functions table" "RUN  FUNCTION        LOCATION            STATUS    ENTRY  STATES  REASON
  2  AhciHwStartIo   src/storahci.c:170  analysed  yes      1234  -
  2  AhciCompleteIo  src/storahci.c:300  analysed  no         56  -
  2  AhciAsmHelper   src/storahci.c:320  skipped   no          0  inline assembly
  2  AhciPoll        src/storahci.c:400  gave-up   no     100000  state limit (100000) at src/storahci.c:412"
expect_exit "--functions RUN" 0 "$LOCKSTEP" results --db "$db" --functions 1
expect_same "a run without functions" "RUN  FUNCTION  LOCATION  STATUS  ENTRY  STATES  REASON
(no functions match)"
expect_exit "--functions=last --format json" 0 "$LOCKSTEP" results --db "$db" --functions=last --format json
out=$(printf '%s' "$out" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(list(rows[0]))
print([(r["name"], r["status"], r["entry"], r["states"], r["reason"]) for r in rows[2:]])')
expect_same "functions json" "['run', 'name', 'file', 'line', 'status', 'entry', 'states', 'reason', 'input']
[('AhciAsmHelper', 'skipped', 0, 0, 'inline assembly'), ('AhciPoll', 'gave-up', 0, 100000, 'state limit (100000) at src/storahci.c:412')]"
expect_exit "--functions --run 2 --file --format csv" 0 "$LOCKSTEP" results --db "$db" --functions --run 2 --file src/storahci.c --format csv
out=$(printf '%s' "$out" | tr -d '\r' | head -2)
expect_same "functions csv" "run,name,file,line,status,entry,states,reason,input
2,AhciHwStartIo,src/storahci.c,170,analysed,1,1234,,src/storahci.c"
expect_exit "--functions --input of another file" 0 "$LOCKSTEP" results --db "$db" --functions --input other.c
expect_output "nothing of another input" "^\(no functions match\)$"
expect_exit "--functions RUN and --run" 2 "$LOCKSTEP" results --db "$db" --functions 2 --run 2
expect_output "the run given once" "give the run once"
expect_exit "--functions with a bad run" 2 "$LOCKSTEP" results --db "$db" --functions latest
expect_output "bad run of --functions named" "^lockstep results: error: --functions takes a run id \(a positive number\), 'last' or 'last~N', not 'latest'$"
expect_exit "--functions of an unknown run" 2 "$LOCKSTEP" results --db "$db" --functions 7
expect_exit "--functions --rule" 2 "$LOCKSTEP" results --db "$db" --functions --rule SpinLock
expect_output "--rule is for violations" "--rule filters violations, not --functions"
expect_exit "--functions --format sarif" 2 "$LOCKSTEP" results --db "$db" --functions --format sarif
expect_output "no sarif of functions" "--format sarif writes violations; --functions lists as table, json or csv"
expect_exit "--functions and --runs" 2 "$LOCKSTEP" results --db "$db" --functions --runs
expect_exit "--runs" 0 "$LOCKSTEP" results --db "$db" --runs
expect_output "run 1 has no functions" "^  1  .*  violations +1  - +lockstep check "
expect_output "run 2 counts its functions" "^  2  .*  violations +1  2 analysed, 1 skipped, 1 gave up  lockstep scan src/storahci.c$"
expect_exit "--runs --format json" 0 "$LOCKSTEP" results --db "$db" --runs --format json
expect_output "json counts only where there are functions" "\"violations\": 1\},$"
expect_output "json counts of run 2" "\"violations\": 1, \"analysed\": 2, \"skipped\": 1, \"gave_up\": 1\}$"

# ---- SARIF ---------------------------------------------------------------------------
VALIDATE=tests/tools/sarif-validate
ALLOW=(--allow SARIF2005/Warning_ProvideToolnformationUri)
# expect_valid NAME FILE: the SARIF log in FILE passes the validator.
expect_valid() {
    local report
    if report=$("$VALIDATE" "${ALLOW[@]}" "$2" 2>&1); then pass "$1"; else fail "$1"; printf '%s\n' "$report" | head -30; fi
}
# sarif_query FILE PYTHON: PYTHON with `runs` bound to FILE's runs; output in $out.
sarif_query() {
    out=$(python3 -c "import json, sys
runs = json.load(open(sys.argv[1], encoding='utf-8'))['runs']
$2" "$1" 2>&1)
}
expect_exit "sarif" 0 "$LOCKSTEP" results --db "$db" --format sarif
printf '%s\n' "$out" >"$scratch/all.sarif"
expect_valid "sarif with source paths validates" "$scratch/all.sarif"
sarif_query "$scratch/all.sarif" '
x = runs[1]["results"][0]
print(json.dumps(x["locations"][0]["physicalLocation"], sort_keys=True))
print(x["codeFlows"][0]["message"]["text"])
flows = x["codeFlows"][0]["threadFlows"]
print(len(flows), "id" in flows[0])
for l in flows[0]["locations"]:
    p = l["location"].get("physicalLocation")
    print(l["executionOrder"], l["kinds"], l["location"]["message"]["text"],
          p and (p["artifactLocation"]["uri"], p["region"]["startLine"], p["region"]["startColumn"]),
          l.get("state", {}).get("IRQL", {}).get("text"))
print(json.dumps(x["properties"], sort_keys=True))
print(json.dumps(runs[0]["results"][0]["properties"], sort_keys=True))'
expect_same "sarif: a source path as one thread flow with locations" "{\"artifactLocation\": {\"uri\": \"src/storahci.c\"}, \"region\": {\"startColumn\": 9, \"startLine\": 212}}
The path from entry point AhciHwStartIo to the violation, step by step; the last step triggered it.
1 False
1 ['enter'] entry AhciHwStartIo ('src/storahci.c', 180, 5) 2
2 ['call'] call KeAcquireSpinLock(&ext->Lock, &irql) ('src/storahci.c', 185, 5) 2
3 ['branch'] branch if (ext->Busy): true ('src/storahci.c', 190, 9) 2
4 ['call'] call KeLowerIrql(PASSIVE_LEVEL) ('src/storahci.c', 200, 9) 0
5 ['return'] return STATUS_SUCCESS None None
6 ['call'] event KeReleaseSpinLock(&ext->Lock, irql) ('src/storahci.c', 212, 9) 0
{\"entry\": \"AhciHwStartIo\", \"instanceKey\": \"&ext->Lock\", \"run\": 2}
{\"instanceKey\": \"0xffffa0030000\", \"run\": 1, \"schedule\": \"$sched\"}"

# ---- older schemas, read as they are ---------------------------------------------------
# A file of schema 2 (and 1) made from one of today's, as those versions
# wrote it: without what the later versions added.
TO_V2="DROP TABLE functions;
ALTER TABLE violations DROP COLUMN column;
ALTER TABLE violations DROP COLUMN entry;
ALTER TABLE violations DROP COLUMN schedule;
CREATE TABLE steps_v2 (violation INTEGER NOT NULL REFERENCES violations(id), step INTEGER NOT NULL,
  seq INTEGER NOT NULL, thread TEXT, function TEXT,
  point TEXT NOT NULL CHECK (point IN ('entry','exit')), irql INTEGER, PRIMARY KEY (violation, step));
INSERT INTO steps_v2 SELECT violation, step, seq, thread, function, point, irql FROM violation_steps;
DROP TABLE violation_steps;
ALTER TABLE steps_v2 RENAME TO violation_steps;
PRAGMA user_version = 2;"
TO_V1="DROP TABLE diagnostics; ALTER TABLE rules DROP COLUMN help; PRAGMA user_version = 1;"
# Its run reports a diagnostic too: after odd.trace leaves cpu0 at IRQL 1,
# design.trace records 0 there.
cat >"$scratch/odd.trace" <<'T'
# lockstep-trace 1
1 cpu0 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
2 cpu0 - exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
3 cpu0 - entry KeReleaseSpinLock 0xffffa0010000 1 @ odd.c:300
4 cpu0 - exit KeReleaseSpinLock 0xffffa0010000 1
T
old="$scratch/old.db"
expect_exit "a check run to make older files of" 1 "$LOCKSTEP" check --db "$old" "$scratch/odd.trace" "$scratch/design.trace"
sqlite3 "$old" "PRAGMA wal_checkpoint(TRUNCATE); $TO_V2" >/dev/null
cp "$old" "$scratch/v1.db"
sqlite3 "$scratch/v1.db" "$TO_V1"
for v in 2 1; do
    file=$([ $v = 2 ] && echo "$old" || echo "$scratch/v1.db")
    sqlite3 "$file" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    sum=$(sha256sum <"$file")
    expect_exit "schema $v: the table" 0 "$LOCKSTEP" results --db "$file"
    expect_output "schema $v: its violation listed" "^  1  QueuedSpinLockRelease +5  cpu1 "
    expect_exit "schema $v: json" 0 "$LOCKSTEP" results --db "$file" --format json
    expect_output "schema $v: json without the new keys" "\"fingerprint\": \"[0-9a-f]{16}\", \"id\": 2\}$"
    expect_exit "schema $v: --trace" 0 "$LOCKSTEP" results --db "$file" --trace 2
    expect_same "schema $v: the trail" "$scratch/design.trace: error: $Q [QueuedSpinLockRelease]
$scratch/design.trace: note: event 5 cpu1 entry KeReleaseInStackQueuedSpinLock (irql 0)"
    expect_exit "schema $v: --functions" 0 "$LOCKSTEP" results --db "$file" --functions
    expect_output "schema $v: no functions" "^\(no functions match\)$"
    expect_exit "schema $v: --runs" 0 "$LOCKSTEP" results --db "$file" --runs
    expect_output "schema $v: runs without function counts" "^  1  .*  violations +2  - +lockstep check "
    expect_exit "schema $v: sarif" 0 "$LOCKSTEP" results --db "$file" --format sarif
    printf '%s\n' "$out" >"$scratch/v$v.sarif"
    expect_valid "schema $v: sarif validates" "$scratch/v$v.sarif"
    sarif_query "$scratch/v$v.sarif" 'print(len(runs[0]["results"]), "toolExecutionNotifications" in runs[0]["invocations"][0])'
    # schema 1 stored no diagnostics, so its run has no notifications
    expect_same "schema $v: results and notifications" "2 $([ $v = 2 ] && echo True || echo False)"
    [ "$(sha256sum <"$file")" = "$sum" ] && pass "schema $v: the file is unchanged" || fail "schema $v: reading changed the file"
    [ "$(sqlite3 "$file" "PRAGMA user_version")" = $v ] && pass "schema $v: still version $v" || fail "schema $v: upgraded by a reader"
done
# a writer upgrades it
expect_exit "check upgrades schema 1" 1 "$LOCKSTEP" check --db "$scratch/v1.db" "$scratch/design.trace"
out=$(sqlite3 "$scratch/v1.db" "PRAGMA user_version; SELECT count(*) FROM violations; SELECT count(*) FROM functions")
expect_same "schema 1 upgraded to 3, its rows kept" "3
3
0"
finish
