#!/usr/bin/env bash
# user-rules.sh — `lockstep check --spec/--rules`: rules compiled from specs
# at run time give the same verdicts as the built-in ones; the module cache
# is hit on the second run, keyed by what the module is made of, private,
# safe under concurrency and rebuilt when damaged; every failure (spec
# errors, missing or unreadable specs, empty directories, duplicate names,
# a broken or missing C compiler) exits 2 without running any rule; a new
# rule written by a user catches a violation in a hand-written trace.
. "$(dirname "$0")/lib.bash"

export LOCKSTEP_CACHE="$scratch/cache"
cache="$LOCKSTEP_CACHE/rules"

# A C compiler that counts its runs, so the tests can tell hits from misses.
cat >"$scratch/counting-cc" <<SH
#!/bin/sh
echo run >>"$scratch/cc-runs"
exec cc "\$@"
SH
chmod +x "$scratch/counting-cc"
export CC="$scratch/counting-cc"
runs() { if [ -e "$scratch/cc-runs" ]; then wc -l <"$scratch/cc-runs" | tr -d ' '; else echo 0; fi; }
# The run's output without the timing line.
verdicts() { "$@" 2>&1 | grep -v ' events in '; echo "exit ${PIPESTATUS[0]}"; }

# ---- the shipped specs, given as specs, agree with the built-in rules ----
shipped=(specs/*/*.slic)
for spec in "${shipped[@]}"; do
    rule=$(basename "$spec" .slic)
    built_in=$(verdicts "$LOCKSTEP" check --no-db --rule "$rule" tests/trace/*.trace)
    from_spec=$(verdicts "$LOCKSTEP" check --no-db --spec "$spec" tests/trace/*.trace)
    if [ "$built_in" = "$from_spec" ]; then
        pass "--spec $spec: same verdicts as the built-in $rule on every fixture"
    else
        fail "--spec $spec differs from the built-in rule"
        diff <(echo "$built_in") <(echo "$from_spec") | head -10
    fi
done
[ "$(runs)" = ${#shipped[@]} ] && pass "one compiler run per spec" || fail "compiler ran $(runs) times for ${#shipped[@]} specs"

rules_args=()
for d in specs/*/; do ls "$d"*.slic >/dev/null 2>&1 && rules_args+=(--rules "$d"); done
default=$(verdicts "$LOCKSTEP" check --no-db tests/trace/*.trace)
dir=$(verdicts "$LOCKSTEP" check --no-db "${rules_args[@]}" tests/trace/*.trace)
[ "$default" = "$dir" ] && pass "${rules_args[*]} equals the default run" \
    || { fail "${rules_args[*]} differs from the default run"; diff <(echo "$default") <(echo "$dir") | head; }
[ "$(runs)" = ${#shipped[@]} ] && pass "--rules hits the entries --spec made" || fail "--rules rebuilt entries"
printf '%s\n' "$dir" | grep -q "^exit 1$" && pass "the fixtures have violations" || fail "fixtures: $dir"

# ---- the cache -------------------------------------------------------------
before=$(runs)
stamps=$(stat -c '%n %Y %i' "$cache"/*.so)
expect_exit "second run" 1 "$LOCKSTEP" check --no-db --rules specs/storport tests/trace/design-example.trace
[ "$(runs)" = "$before" ] && pass "second run hits the cache (no compiler run)" || fail "compiler ran on a warm cache"
[ "$(stat -c '%n %Y %i' "$cache"/*.so)" = "$stamps" ] && pass "cache entries untouched" || fail "cache entries rewritten"
[ "$(ls "$cache" | grep -c '\.so$')" = ${#shipped[@]} ] && pass "one entry per spec" || fail "entries: $(ls "$cache")"
[ "$(stat -c %a "$cache")" = 700 ] && pass "cache directory is private (0700)" || fail "cache mode $(stat -c %a "$cache")"
ls -a "$cache" | grep -q '^build-' && fail "build directories left behind" || pass "no build directories left"

mkdir -p "$scratch/edit"
cp specs/storport/SpinLock.slic "$scratch/edit/"
expect_exit "a copy elsewhere" 1 "$LOCKSTEP" check --no-db --spec "$scratch/edit/SpinLock.slic" tests/trace/SpinLock.trace
before=$(runs)
echo "/* an edit */" >>"$scratch/edit/SpinLock.slic"
expect_exit "edited spec" 1 "$LOCKSTEP" check --no-db --spec "$scratch/edit/SpinLock.slic" tests/trace/SpinLock.trace
[ "$(runs)" = $((before + 1)) ] && pass "an edited spec is rebuilt" || fail "edited spec: $(runs) runs, expected $((before + 1))"
before=$(runs)
CC="$scratch/counting-cc -DANOTHER_COMMAND" expect_exit "another compiler command" 1 \
    "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/SpinLock.trace
[ "$(runs)" = $((before + 1)) ] && pass "the compiler command is part of the key" || fail "compiler command not in the key"

# Damaged entries: truncated, garbage, another entry's file, and a forged
# trailer around a module of another spec.  Each is rebuilt, with a note.
entry_of() {   # entry_of SPEC NAME: build SPEC alone, keep a copy of its entry as NAME.so
    rm -f "$cache"/*.so
    "$LOCKSTEP" check --no-db --spec "$1" tests/trace/clean.trace >/dev/null 2>&1
    cp "$cache"/*.so "$scratch/$2.so"
    ls "$cache"/*.so
}
entry_of "$scratch/edit/SpinLock.slic" edited >/dev/null
entry_of specs/storport/QueuedSpinLock.slic queued >/dev/null
spin=$(entry_of specs/storport/SpinLock.slic spin)
damage() {     # damage NAME COMMAND...: damage the SpinLock entry, check it is rebuilt
    local name=$1
    shift
    cp "$scratch/spin.so" "$spin"
    "$@"
    rm -f "$scratch/cc-runs"
    expect_exit "$name: still checks" 1 "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/SpinLock.trace
    expect_output "$name: noted and rebuilt" "note: rebuilding the cached module of 'specs/storport/SpinLock.slic'"
    expect_output "$name: the violation is still found" "\[SpinLock\] KeAcquireSpinLock acquires a spin lock"
    local why=$out
    [ "$(runs)" = 1 ] && pass "$name: rebuilt once" || fail "$name: $(runs) compiler runs"
    "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/clean.trace >/dev/null 2>&1
    [ "$(runs)" = 1 ] && pass "$name: the rebuilt entry is whole" || fail "$name: rebuilt entry not used"
    out=$why
}
damage "truncated entry" truncate -s 3000 "$spin"
damage "truncated by one byte" truncate -s -1 "$spin"
damage "garbage entry" sh -c "head -c 20000 /dev/urandom >'$spin'"
damage "empty entry" truncate -s 0 "$spin"
damage "another entry's file" cp "$scratch/queued.so" "$spin"
expect_output "another entry's file: says why" "checksum mismatch"
key=$(basename "$spin" .so)
forge() {      # the module of an edited SpinLock.slic with a valid trailer for this key
    head -c -40 "$scratch/edited.so" >"$scratch/forged"
    local sum
    sum=$(cat "$scratch/forged" <(printf '%s' "$key") | sha256sum | cut -c1-64)
    { cat "$scratch/forged"; printf 'lsrule01'; printf "$(echo "$sum" | sed 's/../\\x&/g')"; } >"$spin"
}
damage "a module of another version of the spec" forge
expect_output "another version: says why" "the module was not compiled from this spec"

# Concurrent processes on a cold cache all succeed and leave whole entries.
rm -rf "$LOCKSTEP_CACHE"
for i in 1 2 3 4; do
    ("$LOCKSTEP" check --no-db --spec specs/storport/QueuedSpinLockRelease.slic \
        --spec specs/storport/SpinLock.slic tests/trace/design-example.trace \
        >"$scratch/par$i.out" 2>&1; echo $? >"$scratch/par$i.rc") &
done
wait
ok=1
for i in 1 2 3 4; do
    [ "$(cat "$scratch/par$i.rc")" = 1 ] && grep -q '^QueuedSpinLockRelease .* 1$' "$scratch/par$i.out" || ok=0
done
[ $ok = 1 ] && pass "four concurrent runs on a cold cache" || { fail "concurrent runs"; cat "$scratch"/par*.out | head -20; }
[ "$(ls "$cache" | grep -c '\.so$')" = 2 ] && ! ls -a "$cache" | grep -q '^build-' \
    && pass "concurrent runs leave exactly the 2 entries" || fail "after concurrent runs: $(ls -a "$cache")"

# Where the cache lives without LOCKSTEP_CACHE.
env -u LOCKSTEP_CACHE XDG_CACHE_HOME="$scratch/xdg" \
    "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/clean.trace >/dev/null 2>&1
ls "$scratch/xdg/lockstep/rules/"*.so >/dev/null 2>&1 && pass "\$XDG_CACHE_HOME/lockstep" || fail "no cache under XDG_CACHE_HOME"
env -u LOCKSTEP_CACHE -u XDG_CACHE_HOME HOME="$scratch/home" \
    "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/clean.trace >/dev/null 2>&1
ls "$scratch/home/.cache/lockstep/rules/"*.so >/dev/null 2>&1 && pass "~/.cache/lockstep" || fail "no cache under HOME"
[ "$(stat -c %a "$scratch/home/.cache")" = 700 ] && pass "created directories are 0700" || fail "mode $(stat -c %a "$scratch/home/.cache")"
mkdir -p "$scratch/open/rules" && chmod 777 "$scratch/open/rules"
LOCKSTEP_CACHE="$scratch/open" expect_exit "a cache others can write" 2 \
    "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic tests/trace/clean.trace
expect_output "is refused" "rule cache '.*/open/rules' must be a directory owned by you and writable by nobody else"

# ---- semantics: --rule, --role, duplicates, the database ------------------
expect_exit "--rule filters the loaded rules" 1 "$LOCKSTEP" check --no-db --rules specs/storport --rule QueuedSpinLockRelease tests/trace/design-example.trace
expect_output "only that rule" "^RULE.*VIOLATIONS$"
[ "$(printf '%s\n' "$out" | grep -c '^[A-Z][A-Za-z]* \+[0-9]')" = 1 ] && pass "one rule in the summary" || fail "summary: $out"
expect_exit "--rule naming a rule not given" 2 "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic --rule QueuedSpinLock tests/trace/clean.trace
expect_output "unknown rule named" "no rule named 'QueuedSpinLock'; it is in none of the specs given"
cat >"$scratch/role.trace" <<'T'
1 cpu0 2 entry AhciHwStartIo 0xffffa0100000 0xffffa0200000
2 cpu0 2 entry KeAcquireSpinLock 0xffffa0018000 0xffffa0020000
3 cpu0 2 exit KeAcquireSpinLock 0xffffa0018000 0xffffa0020000
4 cpu0 2 exit AhciHwStartIo 0xffffa0100000 0xffffa0200000 = 1
T
expect_exit "--role with a user rule" 1 "$LOCKSTEP" check --no-db --spec specs/storport/SpinLock.slic --role HW_STARTIO=AhciHwStartIo "$scratch/role.trace"
expect_output "\$fname is the driver routine" "\[SpinLock\] AhciHwStartIo returns to Storport while still holding"
expect_exit "two specs of one rule" 2 "$LOCKSTEP" check --no-db --rules specs/storport --spec "$scratch/edit/SpinLock.slic" tests/trace/clean.trace
expect_output "both files named" "two specs define the rule 'SpinLock': 'specs/storport/SpinLock.slic' and '.*/edit/SpinLock.slic'"
expect_exit "results database" 1 "$LOCKSTEP" check --db "$scratch/r.db" --spec "$scratch/edit/SpinLock.slic" tests/trace/SpinLock.trace
if command -v sqlite3 >/dev/null; then
    got=$(sqlite3 "$scratch/r.db" "select name, spec_path, spec_sha256 from rules;")
    [ "$got" = "SpinLock|$scratch/edit/SpinLock.slic|$(sha256sum <"$scratch/edit/SpinLock.slic" | cut -c1-64)" ] \
        && pass "the database names the user's spec and its hash" || fail "rules row: $got"
fi

# ---- a new rule written by a user -------------------------------------------
mkdir -p "$scratch/mine"
cat >"$scratch/mine/DoubleClose.slic" <<'S'
rule DoubleClose {
    model    "demo";
    summary  "A handle from OpenThing is closed at most once.";
}

state { enum { open, closed } s = open; }

watch OpenThing.exit.$return;           /* one instance per handle */

OpenThing.exit [guard $return] { s = open; }

CloseThing.entry [guard $1]
{
    if (s == closed) {
        abort "$fname closes a handle that is already closed.";
    } else {
        s = closed;
    }
}
S
cat >"$scratch/app.trace" <<'T'
# lockstep-trace 1
1 main - entry OpenThing
2 main - exit OpenThing = 0x100
3 main - entry OpenThing
4 main - exit OpenThing = 0x200
5 main - entry CloseThing 0x100
6 main - exit CloseThing 0x100
7 main - entry CloseThing 0x200
8 main - exit CloseThing 0x200
9 main - entry CloseThing 0x100 @ app.c:42
T
expect_exit "a user's rule finds a double close" 1 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app.trace"
expect_output "with the rule's message" "^app.c:42: .*app.trace: event 9 \(main\): error: \[DoubleClose\] CloseThing closes a handle that is already closed.$"
expect_output "two instances" "^DoubleClose +5 +2 +2 +1$"
grep -v "^9 " "$scratch/app.trace" >"$scratch/app-ok.trace"
expect_exit "and passes a correct trace" 0 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app-ok.trace"
expect_exit "the built-in rules do not know it" 2 "$LOCKSTEP" check --no-db --rule DoubleClose "$scratch/app.trace"

# ---- errors: nothing runs, exit 2 -------------------------------------------
cat >"$scratch/mine/Broken.slic" <<'S'
state { enum { unlocked, locked } s = unlocked; }
KeReleaseSpinLock.entry { if (s == lockd) abort "x"; }
S
before=$(runs)
expect_exit "a spec with an error" 2 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app.trace"
expect_output "diagnostic with file:line:col" "^$scratch/mine/Broken.slic:2:36: error: undeclared name 'lockd'$"
expect_output "and the source line" "^    2 \| KeReleaseSpinLock.entry \{ if \(s == lockd\) abort \"x\"; \}$"
expect_output "nothing was run" "1 of 2 specs did not compile; no rule was run"
printf '%s\n' "$out" | grep -q "DoubleClose\|^RULE" && fail "rules ran despite the error" || pass "no summary, no verdict"
[ "$(runs)" = "$before" ] && pass "no compiler run for a spec with errors" || fail "compiler ran"
diag_check=$("$LOCKSTEP" compile --check "$scratch/mine/Broken.slic" 2>&1)
[ "$(printf '%s\n' "$out" | grep -v '^lockstep check: ')" = "$diag_check" ] \
    && pass "diagnostics exactly as 'lockstep compile' prints them" || fail "diagnostics differ from compile --check"
rm "$scratch/mine/Broken.slic"

expect_exit "a missing spec" 2 "$LOCKSTEP" check --no-db --spec "$scratch/none.slic" "$scratch/app.trace"
expect_output "missing spec named" "cannot read '.*/none.slic': No such file or directory"
expect_exit "a directory given as a spec" 2 "$LOCKSTEP" check --no-db --spec "$scratch/mine" "$scratch/app.trace"
expect_output "directory named" "cannot read '.*/mine': is a directory"
head -c 3000 /dev/urandom >"$scratch/binary.slic"
expect_exit "a binary file as a spec" 2 "$LOCKSTEP" check --no-db --spec "$scratch/binary.slic" "$scratch/app.trace"
cp "$scratch/mine/DoubleClose.slic" "$scratch/locked.slic" && chmod 000 "$scratch/locked.slic"
chmod 755 "$scratch/app.trace" 2>/dev/null
expect_exit "an unreadable spec" 2 as_nobody "$LOCKSTEP" check --no-db --spec "$scratch/locked.slic" "$scratch/app.trace"
expect_output "unreadable spec named" "cannot read '.*/locked.slic': Permission denied"
expect_exit "a missing rule directory" 2 "$LOCKSTEP" check --no-db --rules "$scratch/nodir" "$scratch/app.trace"
expect_output "missing directory named" "cannot read rule directory '.*/nodir': No such file or directory"
mkdir -p "$scratch/empty/sub" && cp "$scratch/mine/DoubleClose.slic" "$scratch/empty/sub/"
expect_exit "a directory without specs" 2 "$LOCKSTEP" check --no-db --rules "$scratch/empty" "$scratch/app.trace"
expect_output "empty directory named" "no .slic specs in '.*/empty' \(subdirectories are not searched\)"

rm -rf "$LOCKSTEP_CACHE"
CC=false expect_exit "CC=false" 2 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app.trace"
expect_output "compiler failure named" "cannot build the module of '.*/DoubleClose.slic': 'false' exited with status 1"
ls -a "$cache" | grep -q '^build-' && fail "CC=false left a build directory" || pass "CC=false leaves no build directory"
CC="$scratch/no-such-cc" expect_exit "a missing compiler" 2 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app.trace"
expect_output "missing compiler named" "cannot run the C compiler '.*/no-such-cc': No such file or directory"
printf '#!/bin/sh\necho "mycc: the module is not to my taste" >&2\nexit 3\n' >"$scratch/picky-cc" && chmod +x "$scratch/picky-cc"
CC="$scratch/picky-cc" expect_exit "a compiler error" 2 "$LOCKSTEP" check --no-db --rules "$scratch/mine" "$scratch/app.trace"
expect_output "exit status" "'.*/picky-cc' exited with status 3"
expect_output "the compiler's output is shown" "^mycc: the module is not to my taste$"
[ -z "$(ls "$cache")" ] && pass "failed builds leave the cache empty" || fail "cache after failures: $(ls -a "$cache")"
finish
