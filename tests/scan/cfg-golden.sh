#!/usr/bin/env bash
# cfg-golden.sh — golden test of `lockstep scan --dump-cfg`: the dump of
# tests/scan/cfg/NAME.c must be exactly tests/scan/cfg/NAME.cfg.
#
#   tests/scan/cfg-golden.sh LOCKSTEP tests/scan/cfg/NAME.c
#
# Run from the project root (CTest does): the dump names the file as given,
# and the goldens hold the relative path.  UPDATE=1 rewrites NAME.cfg from
# the dump; review the diff before committing it, since the golden is the
# spec of the CFG builder.
#
# A golden is the right CFG, also where lockstep gets it wrong.  Then
# NAME.todo holds "# " lines saying what is wrong (a TODO naming the lockstep
# bug) followed by the `diff NAME.cfg DUMP` output lockstep gives today; the
# test passes while that diff is exactly the one lockstep gives, and fails
# when it changes, in particular when the bug is fixed (then delete
# NAME.todo).  UPDATE=1 does not touch a golden that has a .todo.
set -u
if [ $# -ne 2 ]; then
    echo "usage: cfg-golden.sh LOCKSTEP tests/scan/cfg/NAME.c" >&2
    exit 2
fi
lockstep=$1 source=$2
golden=${source%.c}.cfg
todo=${source%.c}.todo
name=$(basename "${source%.c}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$lockstep" scan --dump-cfg "$source" >"$scratch/dump" 2>"$scratch/err"
status=$?
if [ "$status" != 0 ] || [ -s "$scratch/err" ]; then
    echo "[FAIL] $name: lockstep scan --dump-cfg exited $status"
    head -20 "$scratch/err"
    exit 1
fi

if [ "${UPDATE:-0}" = 1 ]; then
    if [ -e "$todo" ]; then
        echo "[FAIL] $name: not updated: $golden is written by hand while $todo exists"
        exit 1
    fi
    cp "$scratch/dump" "$golden"
    echo "[UPDATED] $golden"
    exit 0
fi
if [ ! -e "$golden" ]; then
    echo "[FAIL] $name: no $golden (UPDATE=1 writes it)"
    exit 1
fi

diff "$golden" "$scratch/dump" >"$scratch/diff"
if [ -e "$todo" ]; then
    grep -v '^# ' "$todo" >"$scratch/known"
    if [ ! -s "$scratch/diff" ]; then
        echo "[FAIL] $name: the dump matches the golden now: delete $todo"
        grep '^# ' "$todo"
        exit 1
    fi
    if cmp -s "$scratch/known" "$scratch/diff"; then
        echo "[TODO] $name: known lockstep bugs, the dump differs from the golden as $todo says:"
        grep '^# ' "$todo"
        exit 0
    fi
    echo "[FAIL] $name: the dump differs from $golden otherwise than $todo says"
    echo "--- expected difference"
    cat "$scratch/known"
    echo "--- difference"
    cat "$scratch/diff"
    exit 1
fi
if [ -s "$scratch/diff" ]; then
    echo "[FAIL] $name: the dump differs from $golden (< golden, > lockstep)"
    cat "$scratch/diff"
    exit 1
fi
echo "[PASS] $name"
