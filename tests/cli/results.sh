#!/usr/bin/env bash
# results.sh — `lockstep results` end to end: two check runs into one
# database, then the table, JSON and CSV listings (with quoting of an odd
# file name), each filter, --runs, the SARIF log (validated with Microsoft's
# SARIF Multitool through tests/tools/sarif-validate, which installs it on
# first use), run comparison (--diff) in every format, and the errors (bad
# usage, missing and corrupt database) with exit status 2.  What schema 3
# added (source paths, functions, schedules, --trace) and the reading of
# older schemas are in results-trace.sh.
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
expect_output "json object of run 1" "^  \{\"run\": 1, \"rule\": \"QueuedSpinLockRelease\", \"seq\": 5, \"thread\": \"cpu1\", \"function\": \"KeReleaseInStackQueuedSpinLock\", \"file\": null, \"line\": null, \"message\": \"$Q\", \"input\": \"[^\"]*/design.trace\", \"fingerprint\": \"[0-9a-f]{16}\", \"id\": 1\},$"
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
expect_same "csv rows, quoted file name" "run,rule,seq,thread,function,file,line,message,input,fingerprint,id,column,entry,schedule
1,QueuedSpinLockRelease,5,cpu1,KeReleaseInStackQueuedSpinLock,,,$Q,$scratch/design.trace,$(printf '%s' "$json" | sed -n 's/.*"run": 1,.*"fingerprint": "\([0-9a-f]*\)".*/\1/p'),1,,,
2,IrqlKeReleaseSpinLock,3,cpu0,KeReleaseSpinLock,\"src\\we\"\"ird,name.c\",300,$I,$scratch/odd.trace,$(printf '%s' "$json" | sed -n 's/.*"rule": "IrqlKeReleaseSpinLock",.*"fingerprint": "\([0-9a-f]*\)".*/\1/p'),2,,,
2,QueuedSpinLockRelease,5,cpu1,KeReleaseInStackQueuedSpinLock,,,$Q,$scratch/design.trace,$(printf '%s' "$json" | sed -n 's/.*"run": 1,.*"fingerprint": "\([0-9a-f]*\)".*/\1/p'),3,,,"
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
[ "$(rows)" = "(no violations match);" ] && pass "injection attempt matches nothing" || fail "injection: $(rows)"

# ---- SARIF ---------------------------------------------------------------------
# Validation is mandatory: sarif-validate installs the pinned multitool on
# first use and fails (never skips) when it cannot.
VALIDATE=tests/tools/sarif-validate
# lockstep has no web page to name in tool.driver.informationUri
ALLOW=(--allow SARIF2005/Warning_ProvideToolnformationUri)
# expect_valid NAME FILE: the SARIF log in FILE passes the validator.
expect_valid() {
    local report
    if report=$("$VALIDATE" "${ALLOW[@]}" "$2" 2>&1); then pass "$1"; else fail "$1"; printf '%s\n' "$report" | head -30; fi
}
# sarif_query FILE PYTHON: run PYTHON with `log` bound to the parsed FILE
# and `runs` to its runs; its output goes to $out.
sarif_query() {
    out=$(python3 -c "import json, sys
log = json.load(open(sys.argv[1], encoding='utf-8'))
runs = log['runs']
$2" "$1" 2>&1)
}
if ! command -v python3 >/dev/null; then
    fail "python3 is needed to check and validate SARIF"
else
    expect_exit "sarif of every run" 0 "$LOCKSTEP" results --db "$db" --format sarif
    printf '%s\n' "$out" >"$scratch/all.sarif"
    expect_valid "sarif of every run validates" "$scratch/all.sarif"
    "$LOCKSTEP" results --db "$db" --format sarif >"$scratch/again.sarif" 2>&1
    cmp -s "$scratch/all.sarif" "$scratch/again.sarif" && pass "sarif is deterministic" || fail "two sarif logs of one database differ"
    version=$("$LOCKSTEP" --version | awk '{ print $2 }')
    sarif_query "$scratch/all.sarif" '
print(log["version"], len(runs), [r["properties"]["run"] for r in runs])
for r in runs:
    d = r["tool"]["driver"]
    print(d["name"], d["version"], r["invocations"][0]["executionSuccessful"],
          r["invocations"][0]["properties"]["status"],
          [(x["ruleId"], d["rules"][x["ruleIndex"]]["id"] == x["ruleId"], x["level"])
           for x in r["results"]])'
    expect_same "sarif runs, tool, rule index" "2.1.0 2 [1, 2]
lockstep $version True violations [('QueuedSpinLockRelease', True, 'error')]
lockstep $version True violations [('IrqlKeReleaseSpinLock', True, 'error'), ('QueuedSpinLockRelease', True, 'error')]"
    sarif_query "$scratch/all.sarif" '
rule = [x for x in runs[0]["tool"]["driver"]["rules"] if x["id"] == "QueuedSpinLockRelease"][0]
print(rule["shortDescription"]["text"], rule["fullDescription"]["text"] == rule["shortDescription"]["text"],
      rule["defaultConfiguration"]["level"], rule["properties"]["model"], rule["properties"]["specPath"])'
    expect_same "sarif rule descriptor" "KeReleaseInStackQueuedSpinLock is called only with a lock handle acquired by KeAcquireInStackQueuedSpinLock. True error storport specs/storport/QueuedSpinLockRelease.slic"
    # a location with a file: a URI reference that keeps every byte
    sarif_query "$scratch/all.sarif" '
x = runs[1]["results"][0]
print(json.dumps(x["locations"], sort_keys=True))
print(x["message"]["text"])'
    expect_same "sarif physical location, file name percent-encoded" "[{\"logicalLocations\": [{\"kind\": \"function\", \"name\": \"KeReleaseSpinLock\"}], \"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src%5Cwe%22ird%2Cname.c\"}, \"region\": {\"startLine\": 300}}, \"properties\": {\"input\": \"$scratch/odd.trace\", \"seq\": 3, \"thread\": \"cpu0\"}}]
$I"
    # a location without a file: the function, the input and the event
    sarif_query "$scratch/all.sarif" '
x = runs[0]["results"][0]
print(json.dumps(x["locations"], sort_keys=True))
print(json.dumps(x["codeFlows"][0]["threadFlows"], sort_keys=True))
print(json.dumps(x["partialFingerprints"]), json.dumps(x["properties"], sort_keys=True))'
    fp=$(printf '%s' "$json" | sed -n 's/.*"run": 1,.*"fingerprint": "\([0-9a-f]*\)".*/\1/p')
    expect_same "sarif logical location, trail as thread flow, fingerprint" "[{\"logicalLocations\": [{\"kind\": \"function\", \"name\": \"KeReleaseInStackQueuedSpinLock\"}], \"properties\": {\"input\": \"$scratch/design.trace\", \"seq\": 5, \"thread\": \"cpu1\"}}]
[{\"id\": \"cpu1\", \"locations\": [{\"executionOrder\": 1, \"kinds\": [\"call\"], \"location\": {\"logicalLocations\": [{\"kind\": \"function\", \"name\": \"KeReleaseInStackQueuedSpinLock\"}], \"message\": {\"text\": \"Entry of KeReleaseInStackQueuedSpinLock at IRQL 0 (event 5 on cpu1).\"}}, \"properties\": {\"irql\": 0, \"point\": \"entry\", \"seq\": 5, \"thread\": \"cpu1\"}, \"state\": {\"IRQL\": {\"text\": \"0\"}}}]}]
{\"lockstep/v1\": \"$fp\"} {\"instanceKey\": \"0xffffa0030000\", \"run\": 1}"
    # what a run reported besides violations: its diagnostics, as notifications
    sarif_query "$scratch/all.sarif" '
for r in runs:
    print(json.dumps(r["invocations"][0].get("toolExecutionNotifications"), sort_keys=True))'
    expect_same "sarif notifications from diagnostics" "null
[{\"level\": \"note\", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"file://$scratch/design.trace\"}}}], \"message\": {\"text\": \"thread cpu0: the trace records IRQL 0 at event 1 where the model has 1; the recorded value wins\"}, \"properties\": {\"input\": \"$scratch/design.trace\", \"seq\": 1, \"thread\": \"cpu0\"}}]"
    if command -v sqlite3 >/dev/null; then
        # schema 2 stores each rule's help link (rules.help); older schemas
        # are read in results-trace.sh
        "$LOCKSTEP" results --db "$db" --format sarif --run 1 >"$scratch/help.sarif"
        sarif_query "$scratch/help.sarif" '
rule = [x for x in runs[0]["tool"]["driver"]["rules"] if x["id"] == "SpinLock"][0]
print(rule["helpUri"], rule["help"]["text"])'
        expect_same "sarif help link from rules.help" "https://learn.microsoft.com/windows-hardware/drivers/devtest/storport-spinlock A spin lock acquired with KeAcquireSpinLock is released before it is acquired again and before the miniport routine returns. Documentation: https://learn.microsoft.com/windows-hardware/drivers/devtest/storport-spinlock"
    fi
    expect_exit "sarif with filters" 0 "$LOCKSTEP" results --db "$db" --format sarif --last --rule QueuedSpinLockRelease
    printf '%s\n' "$out" >"$scratch/filtered.sarif"
    sarif_query "$scratch/filtered.sarif" 'print([(r["properties"]["run"], [x["ruleId"] for x in r["results"]]) for r in runs])'
    expect_same "sarif of the last run, one rule" "[(2, ['QueuedSpinLockRelease'])]"
    expect_exit "sarif of nothing" 0 "$LOCKSTEP" results --db "$db" --format sarif --rule NoSuchRule
    printf '%s\n' "$out" >"$scratch/empty.sarif"
    expect_valid "sarif with runs but no results validates" "$scratch/empty.sarif"
    expect_exit "sarif does not list runs" 2 "$LOCKSTEP" results --db "$db" --format sarif --runs
    expect_output "sarif with --runs refused" "--format sarif writes violations"

    # The validator is not vacuous: the multitool's own finding (a result
    # without a message) and one only the schema check sees (an unknown
    # level, which the multitool passes in silence) both fail.
    sarif_query "$scratch/all.sarif" '
del runs[0]["results"][0]["message"]
json.dump(log, open(sys.argv[1] + ".no-message", "w"))
log = json.load(open(sys.argv[1]))
log["runs"][1]["results"][0]["level"] = "bogus"
json.dump(log, open(sys.argv[1] + ".bad-level", "w"))'
    "$VALIDATE" "${ALLOW[@]}" "$scratch/all.sarif.no-message" >"$scratch/report" 2>&1
    [ $? = 1 ] && grep -q "error JSON1002" "$scratch/report" && pass "validator rejects a result without message" || { fail "validator missed a result without message"; cat "$scratch/report"; }
    "$VALIDATE" "${ALLOW[@]}" "$scratch/all.sarif.bad-level" >"$scratch/report" 2>&1
    [ $? = 1 ] && grep -q 'level: "bogus" is not one of' "$scratch/report" && pass "validator rejects an unknown level" || { fail "validator missed an unknown level"; cat "$scratch/report"; }
fi

# ---- --runs --------------------------------------------------------------------
expect_exit "--runs" 0 "$LOCKSTEP" results --db "$db" --runs
expect_output "runs header" "^RUN +STARTED +FINISHED +STATUS +VIOLATIONS +FUNCTIONS +COMMAND$"
expect_output "run 1 listed" "^  1  20[0-9-]{8}T[0-9:.]{12}Z  20[0-9-]{8}T[0-9:.]{12}Z  violations +1  - +lockstep check --db .*design.trace$"
expect_output "run 2 listed" "^  2  .* violations +2  - +lockstep check --db .*odd.trace .*design.trace$"
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

# ---- --diff --------------------------------------------------------------------
# Run 1 (base.trace): a queued-lock release of a handle never acquired and a
# release that does not restore the IRQL at miniport.c:212.  Run 2
# (head.trace): the same bad release twice (same fingerprint: one matches
# run 1's, one is new), the IRQL bug gone, and a second acquire of a held
# lock from another CPU (its trail spans two threads).  Run 3: base again.
ddb="$scratch/diff.db"
cat >"$scratch/base.trace" <<'T'
# lockstep-trace 1
1 cpu1 - entry KeReleaseInStackQueuedSpinLock 0xffffa0030000
2 cpu0 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
3 cpu0 - exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
4 cpu0 - entry KeReleaseSpinLock 0xffffa0010000 1 @ miniport.c:212
5 cpu0 - exit KeReleaseSpinLock 0xffffa0010000 1
T
cat >"$scratch/head.trace" <<'T'
# lockstep-trace 1
1 cpu1 - entry KeReleaseInStackQueuedSpinLock 0xffffa0030000
2 cpu1 - entry KeReleaseInStackQueuedSpinLock 0xffffa0038000
3 cpu0 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
4 cpu0 - exit KeAcquireSpinLock 0xffffa0010000 0xffffa0020000
5 cpu1 - entry KeAcquireSpinLock 0xffffa0010000 0xffffa0028000 @ miniport.c:40
T
expect_exit "diff run 1: base" 1 "$LOCKSTEP" check --db "$ddb" "$scratch/base.trace"
expect_exit "diff run 2: head" 1 "$LOCKSTEP" check --db "$ddb" "$scratch/head.trace"
expect_exit "diff run 3: base again" 1 "$LOCKSTEP" check --db "$ddb" "$scratch/base.trace"

S='KeAcquireSpinLock acquires a spin lock that the driver already holds.'
expect_exit "--diff 1 2: new violations" 1 "$LOCKSTEP" results --db "$ddb" --diff 1 2
expect_same "--diff 1 2 table" "STATE      RUN  RULE                   SEQ  THREAD  FUNCTION                        LOCATION        MESSAGE
new          2  QueuedSpinLockRelease    2  cpu1    KeReleaseInStackQueuedSpinLock  -               $Q
new          2  SpinLock                 5  cpu1    KeAcquireSpinLock               miniport.c:40   $S
fixed        1  IrqlKeReleaseSpinLock    4  cpu0    KeReleaseSpinLock               miniport.c:212  $I
unchanged    2  QueuedSpinLockRelease    1  cpu1    KeReleaseInStackQueuedSpinLock  -               $Q
run 2 compared with run 1: 2 new, 1 fixed, 1 unchanged"
diff12=$out
expect_exit "--diff last~2 last~1" 1 "$LOCKSTEP" results --db "$ddb" --diff last~2 last~1
[ "$out" = "$diff12" ] && pass "last~N names the same runs" || fail "--diff last~2 last~1 differs from --diff 1 2"
expect_exit "--diff 2 1: the other way round" 1 "$LOCKSTEP" results --db "$ddb" --diff 2 1
expect_same "--diff 2 1 table" "STATE      RUN  RULE                   SEQ  THREAD  FUNCTION                        LOCATION        MESSAGE
new          1  IrqlKeReleaseSpinLock    4  cpu0    KeReleaseSpinLock               miniport.c:212  $I
fixed        2  QueuedSpinLockRelease    2  cpu1    KeReleaseInStackQueuedSpinLock  -               $Q
fixed        2  SpinLock                 5  cpu1    KeAcquireSpinLock               miniport.c:40   $S
unchanged    1  QueuedSpinLockRelease    1  cpu1    KeReleaseInStackQueuedSpinLock  -               $Q
run 1 compared with run 2: 1 new, 2 fixed, 1 unchanged"
expect_exit "--diff 1 3: nothing new" 0 "$LOCKSTEP" results --db "$ddb" --diff 1 3
expect_same "--diff 1 3 table" "STATE      RUN  RULE                   SEQ  THREAD  FUNCTION                        LOCATION        MESSAGE
unchanged    3  QueuedSpinLockRelease    1  cpu1    KeReleaseInStackQueuedSpinLock  -               $Q
unchanged    3  IrqlKeReleaseSpinLock    4  cpu0    KeReleaseSpinLock               miniport.c:212  $I
run 3 compared with run 1: 0 new, 0 fixed, 2 unchanged"
expect_exit "--diff of a run with itself" 0 "$LOCKSTEP" results --db "$ddb" --diff 2 2
expect_output "a run matches itself" "run 2 compared with run 2: 0 new, 0 fixed, 3 unchanged$"
expect_exit "--diff 3 2 with a filter" 1 "$LOCKSTEP" results --db "$ddb" --diff 3 2 --rule QueuedSpinLockRelease
expect_output "filters apply to both runs" "^run 2 compared with run 3: 1 new, 0 fixed, 1 unchanged$"
expect_exit "--diff 1 2 --input base.trace" 0 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --input "$scratch/base.trace"
expect_output "an input only run 1 read: all fixed" "^run 2 compared with run 1: 0 new, 2 fixed, 0 unchanged$"

expect_exit "--diff 1 2 --format csv" 1 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --format csv
out=$(printf '%s' "$out" | tr -d '\r' | cut -d, -f1-6,9 | sed 's/,[^,]*$//')
expect_same "--diff csv: state column first" "state,run,rule,seq,thread,function
new,2,QueuedSpinLockRelease,2,cpu1,KeReleaseInStackQueuedSpinLock
new,2,SpinLock,5,cpu1,KeAcquireSpinLock
fixed,1,IrqlKeReleaseSpinLock,4,cpu0,KeReleaseSpinLock
unchanged,2,QueuedSpinLockRelease,1,cpu1,KeReleaseInStackQueuedSpinLock"
expect_exit "--diff 1 2 --format json" 1 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --format json
if command -v python3 >/dev/null; then
    out=$(printf '%s' "$out" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(list(rows[0]))
for r in rows:
    print(r["state"], r["run"], r["rule"], r["seq"], r["file"], r["line"], r["input"].rsplit("/", 1)[1])')
    expect_same "--diff json parses: fields and rows" "['state', 'run', 'rule', 'seq', 'thread', 'function', 'file', 'line', 'message', 'input', 'fingerprint', 'id']
new 2 QueuedSpinLockRelease 2 None None head.trace
new 2 SpinLock 5 miniport.c 40 head.trace
fixed 1 IrqlKeReleaseSpinLock 4 miniport.c 212 base.trace
unchanged 2 QueuedSpinLockRelease 1 None None head.trace"

    expect_exit "--diff 1 2 --format sarif" 1 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --format sarif
    printf '%s\n' "$out" >"$scratch/diff.sarif"
    expect_valid "--diff sarif validates" "$scratch/diff.sarif"
    sarif_query "$scratch/diff.sarif" '
r = runs[0]
print(len(runs), r["properties"])
for x in r["results"]:
    print(x["baselineState"], x["properties"]["run"], x["ruleId"],
          r["tool"]["driver"]["rules"][x["ruleIndex"]]["id"] == x["ruleId"])
x = r["results"][1]
for flow in x["codeFlows"][0]["threadFlows"]:
    print(flow["id"], [(l["executionOrder"], l["properties"]["seq"], l["properties"]["point"],
                        l["properties"]["irql"], "physicalLocation" in l["location"])
                       for l in flow["locations"]])'
    expect_same "--diff sarif: baselineState, rules of both runs, a trail over two threads" "1 {'run': 2, 'baselineRun': 1}
new 2 QueuedSpinLockRelease True
new 2 SpinLock True
absent 1 IrqlKeReleaseSpinLock True
unchanged 2 QueuedSpinLockRelease True
cpu0 [(1, 4, 'exit', 2, False)]
cpu1 [(2, 5, 'entry', 0, True)]"
    expect_exit "--diff sarif, nothing new" 0 "$LOCKSTEP" results --db "$ddb" --diff 1 3 --format sarif
fi

expect_exit "--run last~1" 0 "$LOCKSTEP" results --db "$ddb" --run last~1
[ "$(rows)" = "2 QueuedSpinLockRelease 1;2 QueuedSpinLockRelease 2;2 SpinLock 5;" ] && pass "--run last~1 is run 2" || fail "--run last~1: $(rows)"
expect_exit "--diff with an unknown run" 2 "$LOCKSTEP" results --db "$ddb" --diff 1 9
expect_same "unknown run in --diff named" "lockstep results: error: $ddb has no run 9; 'lockstep results --runs' lists them"
expect_exit "--diff past the oldest run" 2 "$LOCKSTEP" results --db "$ddb" --diff last~3 last
expect_same "last~3 of three runs named" "lockstep results: error: $ddb has no run 'last~3': it holds 3 runs"
expect_exit "--diff with one run" 2 "$LOCKSTEP" results --db "$ddb" --diff 1
expect_output "--diff needs two runs" "--diff takes two runs: --diff RUN_A RUN_B"
expect_exit "--diff with a bad run" 2 "$LOCKSTEP" results --db "$ddb" --diff 1 latest
expect_output "bad run named" "not 'latest'"
expect_exit "--diff with --run" 2 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --run 1
expect_exit "--diff with --runs" 2 "$LOCKSTEP" results --db "$ddb" --diff 1 2 --runs
expect_exit "--diff with three runs" 2 "$LOCKSTEP" results --db "$ddb" --diff 1 2 3
if command -v sqlite3 >/dev/null; then
    sqlite3 "$ddb" "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = 3"
    expect_exit "--diff with an interrupted run" 0 "$LOCKSTEP" results --db "$ddb" --diff 1 3
    expect_output "interrupted run warned about" "^lockstep results: warning: run 3 is incomplete"
    if command -v python3 >/dev/null; then
        "$LOCKSTEP" results --db "$ddb" --run 3 --format sarif >"$scratch/incomplete.sarif"
        sarif_query "$scratch/incomplete.sarif" '
i = runs[0]["invocations"][0]
print(i["executionSuccessful"], "endTimeUtc" in i, i["properties"]["status"], i["toolExecutionNotifications"][0]["level"])'
        expect_same "sarif of an interrupted run" "False False incomplete warning"
        expect_valid "sarif of an interrupted run validates" "$scratch/incomplete.sarif"
    fi
fi

# ---- errors --------------------------------------------------------------------
expect_exit "--help" 0 "$LOCKSTEP" results --help
expect_output "help has usage" "^usage: lockstep results"
expect_output "help has --diff" "^       lockstep results --diff RUN_A RUN_B"
expect_output "help names sarif" "or sarif \(a SARIF 2.1.0"
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
