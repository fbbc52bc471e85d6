#!/usr/bin/env bash
# check_generated.sh — fail when generated/ is stale: recompile every spec
# in specs/ into a scratch directory and compare with the committed modules.
# Run from the project root:  tests/check_generated.sh build/runtime/lockstep
# To refresh generated/:      build/runtime/lockstep compile specs/*/*.slic
set -u
lockstep=$1
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
"$lockstep" compile --out-dir "$fresh" specs/*/*.slic || exit 1
if diff -ru generated "$fresh"; then
    echo "generated/ is up to date ($(ls "$fresh"/*/*.c | wc -l) modules)"
else
    echo "generated/ is stale: run 'lockstep compile specs/*/*.slic' from the project root and commit"
    exit 1
fi
