#!/usr/bin/env bash
# results.sh — `lockstep results` end to end: two check runs into one
# database, then the table, JSON and CSV listings (with quoting of an odd
# file name), each filter, --runs, and the errors (bad usage, missing and
# corrupt database) with exit status 2.
. "$(dirname "$0")/lib.bash"

db="$scratch/results.db"
# The example of DESIGN section 7 (the fixture the trace tests use too).
cp tests/trace/design-example.trace "$scratch/design.trace"
# IrqlKeReleaseSpinLock at a file whose name needs quoting in CSV and JSON.
cat >"$scratch/odd.trace" <<'T'
# lockstep-trace 1
1 cpu0 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
2 cpu0 - exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
3 cpu0 - entry KeReleaseSpinLock 0xffffa0010000 1 @ src\we"ird,name.c:300
4 cpu0 - exit KeReleaseSpinLock 0xffffa0010000 1
T
expect_exit "run 1: the design example" 1 "$LOCKSTEP" check --db "$db" "$scratch/design.trace"
expect_exit "run 2: two traces" 1 "$LOCKSTEP" check --db "$db" "$scratch/odd.trace" "$scratch/design.trace"

# expect_same NAME WANT: the last output is exactly WANT.
expect_same() {
    if [ "$out" = "$2" ]; then pass "$1"; else fail "$1"; diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$out") | head -20; fi
}

Q='KeReleaseInStackQueuedSpinLock releases a lock handle that was not acquired with KeAcquireInStackQueuedSpinLock.'
I='KeReleaseSpinLock does not restore the IRQL that was current when the spin lock was acquired.'

# ---- table (default) ---------------------------------------------------------
expect_exit "table of all violations" 0 "$LOCKSTEP" results --db "$db"
expect_output "table header" "^RUN +RULE +SEQ +THREAD +FUNCTION +LOCATION +MESSAGE$"
expect_output "run 1 row" "^  1  QueuedSpinLockRelease +5  cpu1 +KeReleaseInStackQueuedSpinLock  - +KeReleaseInStackQueuedSpinLock releases"
expect_output "row with its location" "^  2  IrqlKeReleaseSpinLock +3  cpu0 +KeReleaseSpinLock +src.we\"ird,name.c:300  KeReleaseSpinLock does not restore"
[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] && pass "header and three rows" || fail "table has $(printf '%s\n' "$out" | wc -l) lines"
cols=$(printf '%s\n' "$out" | awk '{ i = index($0, " FUNCTION"); print i ? i : index($0, " KeRelease") }' | sort -u | wc -l)
[ "$cols" = 1 ] && pass "FUNCTION column aligned" || fail "FUNCTION column starts at $cols places"

# ---- JSON ----------------------------------------------------------------------
expect_exit "json" 0 "$LOCKSTEP" results --db "$db" --format json
json=$out
expect_output "json object of run 1" "^  \{\"run\": 1, \"rule\": \"QueuedSpinLockRelease\", \"seq\": 5, \"thread\": \"cpu1\", \"function\": \"KeReleaseInStackQueuedSpinLock\", \"file\": null, \"line\": null, \"message\": \"$Q\", \"input\": \"[^\"]*/design.trace\", \"fingerprint\": \"[0-9a-f]{16}\"\},$"
expect_output "json escapes backslash and quote" "\"file\": \"src\\\\\\\\we\\\\\"ird,name.c\", \"line\": 300,"
if command -v python3 >/dev/null; then
    got=$(printf '%s' "$json" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(len(rows), rows[1]["file"], rows[1]["line"], rows[0]["fingerprint"] == rows[2]["fingerprint"])')
    expect_same_json=$(printf '3 %s 300 True' 'src\we"ird,name.c')
    [ "$got" = "$expect_same_json" ] && pass "json parses; same bug, same fingerprint" || fail "json parse: $got"
fi
expect_exit "json of nothing" 0 "$LOCKSTEP" results --db "$db" --rule NoSuchRule --format json
expect_same "empty json array" "[]"

# ---- CSV -----------------------------------------------------------------------
expect_exit "csv" 0 "$LOCKSTEP" results --db "$db" --format csv
csv=$out
out=$(printf '%s' "$csv" | tr -d '\r')
expect_same "csv rows, quoted file name" "run,rule,seq,thread,function,file,line,message,input,fingerprint
1,QueuedSpinLockRelease,5,cpu1,KeReleaseInStackQueuedSpinLock,,,$Q,$scratch/design.trace,$(printf '%s' "$json" | sed -n 's/.*"run": 1,.*"fingerprint": "\([0-9a-f]*\)".*/\1/p')
2,IrqlKeReleaseSpinLock,3,cpu0,KeReleaseSpinLock,\"src\\we\"\"ird,name.c\",300,$I,$scratch/odd.trace,$(printf '%s' "$json" | sed -n 's/.*"rule": "IrqlKeReleaseSpinLock",.*"fingerprint": "\([0-9a-f]*\)".*/\1/p')
2,QueuedSpinLockRelease,5,cpu1,KeReleaseInStackQueuedSpinLock,,,$Q,$scratch/design.trace,$(printf '%s' "$json" | sed -n 's/.*"run": 1,.*"fingerprint": "\([0-9a-f]*\)".*/\1/p')"
[ "$(printf '%s' "$csv" | grep -c $'\r$')" = 4 ] && pass "csv lines end in CRLF" || fail "csv line ends"

# ---- filters -------------------------------------------------------------------
rows() { printf '%s\n' "$out" | tail -n +2 | awk '{ print $1, $2, $3 }' | tr '\n' ';'; }
expect_exit "--rule" 0 "$LOCKSTEP" results --db "$db" --rule QueuedSpinLockRelease
[ "$(rows)" = "1 QueuedSpinLockRelease 5;2 QueuedSpinLockRelease 5;" ] && pass "--rule keeps that rule" || fail "--rule: $(rows)"
expect_exit "--run" 0 "$LOCKSTEP" results --db "$db" --run 1
[ "$(rows)" = "1 QueuedSpinLockRelease 5;" ] && pass "--run 1 keeps run 1" || fail "--run: $(rows)"
expect_exit "--last" 0 "$LOCKSTEP" results --db "$db" --last
[ "$(rows)" = "2 IrqlKeReleaseSpinLock 3;2 QueuedSpinLockRelease 5;" ] && pass "--last keeps run 2" || fail "--last: $(rows)"
expect_exit "--input" 0 "$LOCKSTEP" results --db "$db" --input "$scratch/odd.trace"
[ "$(rows)" = "2 IrqlKeReleaseSpinLock 3;" ] && pass "--input keeps that trace" || fail "--input: $(rows)"
expect_exit "--file" 0 "$LOCKSTEP" results --db "$db" --file 'src\we"ird,name.c'
[ "$(rows)" = "2 IrqlKeReleaseSpinLock 3;" ] && pass "--file keeps that file" || fail "--file: $(rows)"
expect_exit "filters combine" 0 "$LOCKSTEP" results --db "$db" --last --rule QueuedSpinLockRelease --input "$scratch/design.trace"
[ "$(rows)" = "2 QueuedSpinLockRelease 5;" ] && pass "--last --rule --input" || fail "combined: $(rows)"
expect_exit "a filter value is data, not SQL" 0 "$LOCKSTEP" results --db "$db" --rule "x' OR '1'='1"
[ "$(rows)" = "" ] && pass "injection attempt matches nothing" || fail "injection: $(rows)"

# ---- --runs --------------------------------------------------------------------
expect_exit "--runs" 0 "$LOCKSTEP" results --db "$db" --runs
expect_output "runs header" "^RUN +STARTED +FINISHED +STATUS +VIOLATIONS +COMMAND$"
expect_output "run 1 listed" "^  1  20[0-9-]{8}T[0-9:.]{12}Z  20[0-9-]{8}T[0-9:.]{12}Z  violations +1  lockstep check --db .*design.trace$"
expect_output "run 2 listed" "^  2  .* violations +2  lockstep check --db .*odd.trace .*design.trace$"
expect_exit "--runs --format csv" 0 "$LOCKSTEP" results --db "$db" --runs --format csv
expect_output "runs csv" "^2,20[^,]*,20[^,]*,violations,lockstep check --db [^,]*odd.trace [^,]*design.trace,2"
if command -v sqlite3 >/dev/null; then
    # A run that never finished (a killed check) is shown as incomplete.
    sqlite3 "$db" "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = 2"
    expect_exit "--runs with an interrupted run" 0 "$LOCKSTEP" results --db "$db" --runs --format json
    expect_output "running shows as incomplete" "\{\"id\": 2, \"started_at\": \"[^\"]+\", \"finished_at\": null, \"status\": \"incomplete\", .*\"violations\": 2\}"
    out=$(sqlite3 "$db" "SELECT status FROM runs WHERE id = 2")
    expect_same "the database itself is unchanged" "running"
fi

# ---- errors --------------------------------------------------------------------
expect_exit "--help" 0 "$LOCKSTEP" results --help
expect_output "help has usage" "^usage: lockstep results"
expect_exit "bad --format" 2 "$LOCKSTEP" results --db "$db" --format xml
expect_output "bad format named" "unknown --format 'xml'"
expect_exit "bad --run" 2 "$LOCKSTEP" results --db "$db" --run two
expect_exit "unknown run" 2 "$LOCKSTEP" results --db "$db" --run 9
expect_output "unknown run named" "has no run 9"
expect_exit "--run with --last" 2 "$LOCKSTEP" results --db "$db" --run 1 --last
expect_exit "--runs with --rule" 2 "$LOCKSTEP" results --db "$db" --runs --rule SpinLock
expect_exit "unknown option" 2 "$LOCKSTEP" results --db "$db" --frob
expect_exit "extra argument" 2 "$LOCKSTEP" results --db "$db" extra
expect_exit "missing database" 2 "$LOCKSTEP" results --db "$scratch/none.db"
expect_same "missing database message" "lockstep results: error: no results database at $scratch/none.db; run 'lockstep check' first"
[ -e "$scratch/none.db" ] && fail "results created a database" || pass "no database created"
head -c 4096 /dev/urandom >"$scratch/corrupt.db"
expect_exit "corrupt database" 2 "$LOCKSTEP" results --db "$scratch/corrupt.db"
expect_output "corrupt database named" "corrupt.db: not a lockstep results database"
if command -v sqlite3 >/dev/null; then
    sqlite3 "$scratch/other.db" "CREATE TABLE t(x)"
    expect_exit "a foreign SQLite file" 2 "$LOCKSTEP" results --db "$scratch/other.db"
    expect_output "foreign file named" "not a lockstep results database"
    sqlite3 "$scratch/newer.db" "PRAGMA user_version = 99"
    expect_exit "a newer schema" 2 "$LOCKSTEP" results --db "$scratch/newer.db"
    expect_output "newer schema named" "schema version 99, newer"
fi
finish
