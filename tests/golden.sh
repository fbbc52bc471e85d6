#!/usr/bin/env bash
# golden.sh — compare lockstep's output with a golden file.
#
#   golden.sh diag LOCKSTEP CASE.slic    diagnostics of `compile --check`,
#                                        expected in CASE.err (stderr, then
#                                        "exit status N")
#   golden.sh emit LOCKSTEP SPEC FORMAT EXPECTED
#                                        `compile --emit FORMAT` output
#
# With UPDATE=1 the golden file is (re)written instead; review the diff.
set -u
mode=$1 lockstep=$2
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT

case "$mode" in
diag)
    case_file=$3
    expected="${case_file%.slic}.err"
    # Run beside the case so file names in diagnostics are short and stable.
    (cd "$(dirname "$case_file")" &&
        "$lockstep" compile --check --color never "$(basename "$case_file")" 2>&1 >/dev/null
        echo "exit status $?") >"$actual"
    ;;
emit)
    spec=$3 format=$4 expected=$5
    (cd "$(dirname "$spec")/../.." &&
        "$lockstep" compile --emit "$format" "specs/$(basename "$(dirname "$spec")")/$(basename "$spec")") >"$actual" 2>&1
    ;;
*)
    echo "golden.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac

if [ "${UPDATE:-0}" = 1 ]; then
    cp "$actual" "$expected"
    echo "[UPDATED] $expected"
    exit 0
fi
if diff -u "$expected" "$actual"; then
    echo "[PASS] $(basename "$expected")"
else
    echo "[FAIL] $(basename "$expected")"
    exit 1
fi
