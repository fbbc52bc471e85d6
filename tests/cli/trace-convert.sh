#!/usr/bin/env bash
# trace-convert.sh — `lockstep trace convert` end to end: usage, every
# fixture trace text -> binary -> text without loss, standard input and
# output, `lockstep check` giving the same verdicts on a binary trace as on
# its text, and bad input (missing, malformed, truncated binary,
# unwritable output): exit status 2, a clear error, and no output written
# or an existing one left untouched.
. "$(dirname "$0")/lib.bash"

# Usage.
expect_exit "trace --help" 0 "$LOCKSTEP" trace --help
expect_output "trace help lists convert" "^  convert +rewrite a native trace"
expect_exit "trace convert --help" 0 "$LOCKSTEP" trace convert --help
expect_output "convert help has usage" "^usage: lockstep trace convert \[--to text\|binary\] IN OUT"
expect_exit "trace without a subcommand" 2 "$LOCKSTEP" trace
expect_exit "unknown subcommand" 2 "$LOCKSTEP" trace frob
expect_output "unknown subcommand named" "unknown subcommand 'frob'"
expect_exit "convert without an output" 2 "$LOCKSTEP" trace convert tests/trace/clean.trace
expect_output "missing output named" "expected an input and an output"
expect_exit "convert with three paths" 2 "$LOCKSTEP" trace convert a b c
expect_exit "convert --to pdf" 2 "$LOCKSTEP" trace convert --to pdf tests/trace/clean.trace "$scratch/x"
expect_output "bad format named" "unknown --to 'pdf'; expected text or binary"

# Every fixture: text -> binary -> text.  The fixtures write numbers as the
# text writer does (small values decimal, others hex), so apart from
# comments and blank lines the text comes back byte for byte; and the
# binary form is canonical, so converting the text back gives the same
# bytes.
for trace in tests/trace/*.trace; do
    name=$(basename "$trace" .trace)
    if "$LOCKSTEP" trace convert "$trace" "$scratch/$name.ltb" &&
       "$LOCKSTEP" trace convert --to text "$scratch/$name.ltb" "$scratch/$name.txt" &&
       "$LOCKSTEP" trace convert "$scratch/$name.txt" "$scratch/$name.2.ltb"; then
        pass "$name: converted both ways"
    else
        fail "$name: conversion failed"
        continue
    fi
    if diff <(grep -Ev '^[[:space:]]*(#|$)' "$trace" | tr -s ' \t' ' ') \
            <(grep -Ev '^[[:space:]]*(#|$)' "$scratch/$name.txt") >/dev/null; then
        pass "$name: text -> binary -> text keeps every event"
    else
        fail "$name: events differ after the round trip"
    fi
    cmp -s "$scratch/$name.ltb" "$scratch/$name.2.ltb" && pass "$name: binary is canonical" ||
        fail "$name: binary of the round-tripped text differs"
    [ "$(stat -c %s "$scratch/$name.ltb")" -lt "$(stat -c %s "$trace")" ] &&
        pass "$name: binary is smaller" || fail "$name: binary is not smaller"
    head -c 8 "$scratch/$name.ltb" | od -An -tx1 | grep -q "89 4c 53 54 0d 0a 1a 0a" &&
        pass "$name: starts with the magic" || fail "$name: no magic"
done

# Standard input and output; binary to binary, text to text.
"$LOCKSTEP" trace convert - - <tests/trace/clean.trace >"$scratch/stdout.ltb"
cmp -s "$scratch/stdout.ltb" "$scratch/clean.ltb" && pass "stdin to stdout" || fail "stdin to stdout"
expect_exit "binary to binary" 0 "$LOCKSTEP" trace convert "$scratch/clean.ltb" "$scratch/again.ltb"
cmp -s "$scratch/again.ltb" "$scratch/clean.ltb" && pass "binary to binary is a copy" ||
    fail "binary to binary changed it"
expect_exit "text to text" 0 "$LOCKSTEP" trace convert --to text tests/trace/clean.trace "$scratch/clean.norm"
cmp -s "$scratch/clean.norm" "$scratch/clean.txt" && pass "text to text drops the comments" ||
    fail "text to text"
expect_exit "convert onto its own input" 0 "$LOCKSTEP" trace convert "$scratch/clean.norm" "$scratch/clean.norm"
cmp -s "$scratch/clean.norm" "$scratch/clean.ltb" && pass "in place: replaced whole" ||
    fail "in place"

# lockstep check: a binary trace gives the same verdicts as its text.
for trace in tests/trace/*.trace; do
    name=$(basename "$trace" .trace)
    cp "$trace" "$scratch/check-$name"
    cp "$scratch/$name.ltb" "$scratch/check-$name.bin"
    "$LOCKSTEP" check --no-db "$scratch/check-$name" >"$scratch/text.out" 2>&1
    text_status=$?
    "$LOCKSTEP" check --no-db "$scratch/check-$name.bin" >"$scratch/bin.out" 2>&1
    bin_status=$?
    sed -i "s|check-$name.bin|check-$name|g" "$scratch/bin.out"
    if [ "$text_status" = "$bin_status" ] &&
       diff <(grep -av ' events in ' "$scratch/text.out") <(grep -av ' events in ' "$scratch/bin.out") >/dev/null; then
        pass "$name: check on binary = check on text (exit $bin_status)"
    else
        fail "$name: check on binary differs from text (exit $bin_status, text $text_status)"
        diff "$scratch/text.out" "$scratch/bin.out" | head -5
    fi
done

# Bad input: exit 2, a clear error, nothing written.
expect_exit "missing input" 2 "$LOCKSTEP" trace convert "$scratch/none.trace" "$scratch/none.ltb"
expect_output "missing input named" "cannot read '.*none.trace': No such file or directory"
[ -e "$scratch/none.ltb" ] && fail "output of a missing input exists" || pass "no output for a missing input"

printf '# lockstep-trace 1\n1 cpu0 0 entry F 1\n2 cpu0 0 entri F 2\n' >"$scratch/bad.trace"
echo "old content" >"$scratch/keep.ltb"
expect_exit "malformed text" 2 "$LOCKSTEP" trace convert "$scratch/bad.trace" "$scratch/keep.ltb"
expect_output "malformed text: line and column" "error: .*bad.trace:3:10: expected 'entry' or 'exit', found 'entri'"
[ "$(cat "$scratch/keep.ltb")" = "old content" ] && pass "existing output untouched" ||
    fail "existing output overwritten"

size=$(stat -c %s "$scratch/clean.ltb")
head -c $((size - 1)) "$scratch/clean.ltb" >"$scratch/cut.ltb"
expect_exit "binary without its end marker" 2 "$LOCKSTEP" trace convert --to text "$scratch/cut.ltb" "$scratch/cut.txt"
expect_output "truncation named" "cut.ltb: offset [0-9]+: truncated"
head -c $((size / 2)) "$scratch/clean.ltb" >"$scratch/cut.ltb"
expect_exit "binary cut in half" 2 "$LOCKSTEP" trace convert --to text "$scratch/cut.ltb" "$scratch/cut.txt"
expect_output "cut in half: offset given" "cut.ltb: offset [0-9]+: "
[ -e "$scratch/cut.txt" ] && fail "output of a truncated input exists" || pass "no output for a truncated input"
printf '\x89LST\r\n\x1a\n\x02\x00\x00\x00\x1f\x01' >"$scratch/v2.ltb"
expect_exit "newer version" 2 "$LOCKSTEP" trace convert --to text "$scratch/v2.ltb" "$scratch/v2.txt"
expect_output "newer version named" "unsupported binary trace version 2"
head -c 4 "$scratch/clean.ltb" >"$scratch/stub.ltb"
expect_exit "header cut short" 2 "$LOCKSTEP" trace convert --to text "$scratch/stub.ltb" "$scratch/stub.txt"
expect_output "header cut short named" "truncated header"

if [ -w /dev/full ]; then
    expect_exit "standard output full" 2 sh -c "\"$LOCKSTEP\" trace convert tests/trace/clean.trace - >/dev/full"
    expect_output "write error named" "cannot write '-': write error: No space left on device"
fi
expect_exit "output in a missing directory" 2 "$LOCKSTEP" trace convert tests/trace/clean.trace "$scratch/no/such/dir.ltb"
expect_output "unwritable output named" "cannot create '.*no/such/dir.ltb'"
ls "$scratch"/*.tmp.* >/dev/null 2>&1 && fail "temporary files left behind" || pass "no temporary files left"
finish
