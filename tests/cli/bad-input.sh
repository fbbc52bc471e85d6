#!/usr/bin/env bash
# bad-input.sh — every class of bad input: a clear error with a position,
# exit status 2, and no output written (existing outputs left untouched).
. "$(dirname "$0")/lib.bash"
good=specs/storport/SpinLock.slic

expect_exit "missing spec" 2 "$LOCKSTEP" compile --check "$scratch/nope.slic"
expect_output "missing spec named" "cannot read '.*nope.slic': No such file or directory"
expect_exit "spec is a directory" 2 "$LOCKSTEP" compile --check "$scratch"
expect_output "directory refused" "is a directory"
expect_exit "path through a file" 2 "$LOCKSTEP" compile --check "$good/x.slic"
expect_output "path through a file refused" "Not a directory"
printf 'state { int n = 0; }\n\x7fELF\x02\x01\x01\x00\x00' >"$scratch/binary.slic"
expect_exit "binary spec" 2 "$LOCKSTEP" compile --check "$scratch/binary.slic"
expect_output "binary refused" "is not a text file"

# A truncated spec: the good one cut in the middle of a handler.
head -c 900 "$good" >"$scratch/truncated.slic"
expect_exit "truncated spec" 2 "$LOCKSTEP" compile --check "$scratch/truncated.slic"
expect_output "truncated: position given" "truncated.slic:[0-9]+:[0-9]+: error: "

# Huge inputs: 10 MB of comments around a good rule compiles; 10 MB of junk
# stops at the first bad token; 70 MB is refused outright.
{ cat "$good"; for _ in $(seq 160000); do echo "/* padding padding padding padding padding padding */"; done; } >"$scratch/big.slic"
start=$(date +%s)
expect_exit "10 MB spec of comments" 0 "$LOCKSTEP" compile --check "$scratch/big.slic"
[ $(( $(date +%s) - start )) -le 10 ] && pass "10 MB spec in under 10 s" || fail "10 MB spec too slow"
head -c 10000000 /dev/zero | tr '\0' '@' >"$scratch/junk.slic"
expect_exit "10 MB of junk" 2 "$LOCKSTEP" compile --check "$scratch/junk.slic"
expect_output "junk: first bad character" "junk.slic:1:1: error: unexpected character '@'"
truncate -s 70M "$scratch/huge.slic"
expect_exit "70 MB spec" 2 "$LOCKSTEP" compile --check "$scratch/huge.slic"
expect_output "too large refused" "is too large"

# Hostile nesting and macros end in errors, not crashes.
{ echo 'state { int n = 0; } KeReleaseSpinLock.entry { n = '; head -c 100000 /dev/zero | tr '\0' '('; echo '1'; } >"$scratch/deep.slic"
expect_exit "100000 nested parentheses" 2 "$LOCKSTEP" compile --check "$scratch/deep.slic"
expect_output "nesting limit" "nested too deeply"
{ echo '#define A0 1'; for i in $(seq 1 40); do echo "#define A$i A$((i-1)) + A$((i-1))"; done
  echo 'state { int n = A40; }'; } >"$scratch/bomb.slic"
expect_exit "exponential macro" 2 "$LOCKSTEP" compile --check "$scratch/bomb.slic"
expect_output "expansion limit" "too large"
printf '#include "self.slic"\n' >"$scratch/self.slic"
expect_exit "spec includes itself" 2 "$LOCKSTEP" compile --check "$scratch/self.slic"
expect_output "include cycle" "includes itself"

# A spec with errors writes nothing and leaves an existing output alone.
printf 'state { int n = 0; }\nKeReleaseSpinLock.entry { n = undeclared; }\n' >"$scratch/Bad.slic"
mkdir -p "$scratch/out"
echo "precious" >"$scratch/out/Bad.c"
expect_exit "spec with errors" 2 "$LOCKSTEP" compile -o "$scratch/out/Bad.c" "$scratch/Bad.slic"
[ "$(cat "$scratch/out/Bad.c")" = precious ] && pass "existing output untouched" || fail "existing output changed"
[ -e "$scratch/out/Bad.h" ] && fail "header written despite errors" || pass "no header written"
[ "$(ls "$scratch/out")" = Bad.c ] && pass "no temporary files left" || fail "stray files: $(ls "$scratch/out")"
expect_exit "out-dir under a regular file" 2 "$LOCKSTEP" compile --out-dir "$good" "$good"
expect_output "unwritable out-dir named" "cannot create directory"
finish
