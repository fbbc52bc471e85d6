#!/usr/bin/env bash
# compile_cases.sh — check that source-mode cases compile warning-free.
#
#   compile_cases.sh CC DDK_INCLUDE_DIR CASE.c...
#
# Runs `CC -fsyntax-only -std=c11 -Wall -Wextra -Werror -I DDK_INCLUDE_DIR`
# on each case and lists the ones that fail; exit 1 if any does.
set -u
if [ $# -lt 3 ]; then
    echo "usage: compile_cases.sh CC DDK_INCLUDE_DIR CASE.c..." >&2
    exit 2
fi
cc=$1 ddk=$2
shift 2
failed=0
for case_file in "$@"; do
    if ! "$cc" -fsyntax-only -std=c11 -Wall -Wextra -Werror -I"$ddk" "$case_file"; then
        echo "[FAIL] $case_file does not compile cleanly with $cc"
        failed=$((failed + 1))
    fi
done
echo "$# case(s) compiled, $failed failed"
[ "$failed" -eq 0 ]
