#!/usr/bin/env bash
# help.sh — usage, --help on every command, exit codes for bad usage.
. "$(dirname "$0")/lib.bash"

expect_exit "lockstep --help" 0 "$LOCKSTEP" --help
expect_output "top-level help lists compile" "compile +compile"
expect_exit "lockstep with no command" 2 "$LOCKSTEP"
expect_exit "unknown command" 2 "$LOCKSTEP" frobnicate
expect_output "unknown command named" "unknown command 'frobnicate'"
expect_exit "lockstep --version" 0 "$LOCKSTEP" --version
expect_output "version names the ABI" "checker ABI 1"
for cmd in check compile rules results scan sim trace; do
    expect_exit "lockstep $cmd --help" 0 "$LOCKSTEP" "$cmd" --help
    expect_output "$cmd help has usage" "^usage: lockstep $cmd"
done
for cmd in check compile rules results scan sim trace; do
    "$LOCKSTEP" --help | grep -q "^  $cmd " && pass "top-level help lists $cmd" \
        || fail "top-level help does not list $cmd"
done
expect_exit "scan with an unknown option" 2 "$LOCKSTEP" scan --frob x.c
expect_exit "scan without a file" 2 "$LOCKSTEP" scan --no-db
expect_exit "sim with an unknown option" 2 "$LOCKSTEP" sim --frob x.c
expect_exit "compile without specs" 2 "$LOCKSTEP" compile
expect_exit "compile with an unknown option" 2 "$LOCKSTEP" compile --frob specs/storport/SpinLock.slic
expect_exit "compile --emit with a bad format" 2 "$LOCKSTEP" compile --emit pdf specs/storport/SpinLock.slic
expect_output "bad format named" "unknown --emit 'pdf'"
expect_exit "rules with an extra argument" 2 "$LOCKSTEP" rules extra
finish
