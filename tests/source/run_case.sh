#!/usr/bin/env bash
# run_case.sh — run one source-mode case through `lockstep scan` and compare
# its findings with the case's `// expect:` comments.
#
#   run_case.sh LOCKSTEP CASEFILE
#
# The case may name extra scan arguments on its first line:
#   // scan: --entry worker
# Each line where a violation must be reported ends with
#   // expect: RuleA, RuleB
# The findings are the (line, rule) pairs of the stdout lines
#   <CASEFILE>:<line>:<col>: error: <message> [<Rule>]
# compared as sets (two findings of one rule on one line count once).  The
# exit status must be 1 when findings are expected and 0 when none are, and
# scan must not give up on any function (a `gave-up:` line): a case that is
# not fully explored proves nothing.
# Prints [PASS]/[FAIL] and, on failure, what is missing and what is
# unexpected, each with the source line.
set -u
if [ $# -ne 2 ]; then
    echo "usage: run_case.sh LOCKSTEP CASEFILE" >&2
    exit 2
fi
lockstep=$1 case_file=$2
if [ ! -r "$case_file" ]; then
    echo "run_case.sh: cannot read '$case_file'" >&2
    exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Extra arguments from a `// scan: ARGS` first line (word-split on purpose).
args=()
first=$(head -n 1 "$case_file")
if [[ $first =~ ^//[[:space:]]*scan:[[:space:]]*(.*)$ ]]; then
    read -r -a args <<<"${BASH_REMATCH[1]}"
fi

# Expected: "LINE RULE" for each rule of each `// expect:` comment.
awk '{
    if (match($0, /\/\/[ \t]*expect:[ \t]*/)) {
        n = split(substr($0, RSTART + RLENGTH), rules, /[ \t]*,[ \t]*/)
        for (i = 1; i <= n; i++) {
            gsub(/[ \t]+$/, "", rules[i])
            if (rules[i] != "")
                print NR, rules[i]
        }
    }
}' "$case_file" | sort -u >"$scratch/expected"

"$lockstep" scan --no-db "${args[@]}" "$case_file" >"$scratch/stdout" 2>"$scratch/stderr"
status=$?

# Found: "LINE RULE" for each error line about this file; errors about any
# other file are kept apart (they are always unexpected).
case_real=$(realpath "$case_file")
: >"$scratch/found"
: >"$scratch/elsewhere"
re='^(.+):([0-9]+):([0-9]+): error: .* \[([A-Za-z_][A-Za-z0-9_]*)\]$'
while IFS= read -r line; do
    if [[ $line =~ $re ]]; then
        path=${BASH_REMATCH[1]} lno=${BASH_REMATCH[2]} rule=${BASH_REMATCH[4]}
        if [ "$path" = "$case_file" ] || [ "$(realpath -q "$path")" = "$case_real" ]; then
            echo "$lno $rule" >>"$scratch/found"
        else
            echo "$line" >>"$scratch/elsewhere"
        fi
    fi
done <"$scratch/stdout"
sort -u -o "$scratch/found" "$scratch/found"

if [ -s "$scratch/expected" ]; then want_status=1; else want_status=0; fi

# One line of the case, for the report.
source_line() {
    sed -n "$1{s/^[[:space:]]*//;p;}" "$case_file"
}

fail=0
comm -23 "$scratch/expected" "$scratch/found" >"$scratch/missing"
comm -13 "$scratch/expected" "$scratch/found" >"$scratch/unexpected"
if [ -s "$scratch/missing" ] || [ -s "$scratch/unexpected" ] || [ -s "$scratch/elsewhere" ]; then
    fail=1
fi
if [ "$status" -ne "$want_status" ]; then
    fail=1
fi
gave_up=$(grep -E 'gave[- ]up:' "$scratch/stdout")
if [ -n "$gave_up" ]; then
    fail=1
fi

if [ $fail -eq 0 ]; then
    echo "[PASS] $case_file ($(wc -l <"$scratch/found") finding(s))"
    exit 0
fi

echo "[FAIL] $case_file"
echo "  command: $lockstep scan --no-db ${args[*]} $case_file"
if [ "$status" -ne "$want_status" ]; then
    echo "  exit status $status, expected $want_status"
fi
if [ -n "$gave_up" ]; then
    echo "  scan gave up (the case is not fully explored):"
    echo "$gave_up" | sed 's/^/    /'
fi
while read -r lno rule; do
    echo "  missing:    line $lno [$rule]: $(source_line "$lno")"
done <"$scratch/missing"
while read -r lno rule; do
    echo "  unexpected: line $lno [$rule]: $(source_line "$lno")"
done <"$scratch/unexpected"
while IFS= read -r line; do
    echo "  unexpected (another file): $line"
done <"$scratch/elsewhere"
if [ -s "$scratch/stderr" ]; then
    echo "  stderr:"
    sed 's/^/    /' "$scratch/stderr"
fi
echo "  stdout:"
sed 's/^/    /' "$scratch/stdout"
exit 1
