#!/usr/bin/env bash
# bad-input.sh — `lockstep scan` on input it cannot or should not analyse
# fully: missing, unreadable and non-C files, parse errors, broken compile
# databases, code it gives up on (computed goto, setjmp), code that is
# large, deep, recursive or loops without end, and bad options.  Each run
# must give a clear diagnostic (file:line:col where there is one), the
# right exit status (2 for input and usage errors, 0 or 1 otherwise), end
# within `timeout 60` and never crash (a signal, or a sanitizer report when
# LOCKSTEP is the LOCKSTEP_SANITIZE=ON build).
#
#   tests/scan/bad-input.sh LOCKSTEP        (from the project root)
#
# The test files are written to the scratch directory.  A check that fails
# because lockstep is wrong today carries a TODO naming the bug: it prints
# [TODO] while the bug lasts and [FAIL] once the check holds, so the TODO
# gets removed.
. "$(dirname "$0")/../cli/lib.bash"
todos=0
limit=60

# A sanitizer report ends the run with a signal rather than an exit status
# a check could mistake for a finding; a leak is a failure too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
sanitized=0
if ldd "$LOCKSTEP" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    sanitized=1
fi

# run [ARGS...]: `lockstep scan ARGS` under `timeout $limit`; sets $out
# (stdout and stderr) and $status.
run() {
    out=$(timeout "$limit" "$LOCKSTEP" scan "$@" 2>&1)
    status=$?
}

# verdict NAME HOLDS [TODO]: record one check (HOLDS: 0 when it holds).
# With TODO, a known lockstep bug: a miss prints [TODO], a hold is a
# failure (remove the TODO).
verdict() {
    local name=$1 holds=$2 todo=${3:-}
    if [ -z "$todo" ]; then
        if [ "$holds" = 0 ]; then
            pass "$name"
        else
            fail "$name"
            printf '%s\n' "$out" | grep -v ': note: ' | head -20 | sed 's/^/    /'
        fi
    elif [ "$holds" = 0 ]; then
        fail "$name holds now: remove its TODO ($todo)"
    else
        todos=$((todos + 1))
        echo "[TODO] $name: known lockstep bug: $todo"
    fi
}

# bounded NAME [TODO]: the last run ended in time, without a crash or a
# sanitizer report.
bounded() {
    local holds=0
    if [ "$status" = 124 ]; then
        holds=1
        [ -z "${2:-}" ] && echo "    did not end within $limit s"
    elif [ "$status" -ge 128 ] || printf '%s\n' "$out" |
            grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehavior'; then
        holds=1
        [ -z "${2:-}" ] && printf '%s\n' "$out" | tail -30 | sed 's/^/    /'
    fi
    verdict "$1: ends in time, no crash (exit $status)" $holds "${2:-}"
}
exits() {   # exits NAME STATUS [TODO]
    [ "$status" = "$2" ]
    verdict "$1: exit $2 (got $status)" $? "${3:-}"
}
says() {    # says NAME PATTERN [TODO]: the output matches PATTERN (grep -E)
    printf '%s\n' "$out" | grep -Eq -- "$2"
    verdict "$1: says /$2/" $? "${3:-}"
}
silent() {  # silent NAME PATTERN [TODO]: the output does not match PATTERN
    ! printf '%s\n' "$out" | grep -Eq -- "$2"
    verdict "$1: does not say /$2/" $? "${3:-}"
}
# scan NAME STATUS ARGS...: run, and check it ends and exits with STATUS.
scan() {
    local name=$1 want=$2
    shift 2
    run "$@"
    bounded "$name"
    exits "$name" "$want"
}

s=$scratch
db=(--db "$s/results.db")
runs() { sqlite3 "$s/results.db" "SELECT count(*) FROM runs"; }
last_status() { sqlite3 "$s/results.db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1"; }

# ---- files that cannot be read or are not C -------------------------------
scan "missing file" 2 --no-db "$s/nope.c"
says "missing file" "lockstep scan: error: cannot read '$s/nope.c'"
says "missing file: reason" "cannot read '$s/nope.c': No such file or directory"

printf 'int f(void) { return 0; }\n' >"$s/secret.c"
chmod 000 "$s/secret.c"
out=$(as_nobody timeout "$limit" "$LOCKSTEP" scan --no-db "$s/secret.c" 2>&1)
status=$?
bounded "unreadable file"
exits "unreadable file" 2
says "unreadable file" "cannot read '$s/secret.c'"
says "unreadable file: reason" "cannot read '$s/secret.c': Permission denied"

mkdir "$s/adir"
scan "directory" 2 --no-db "$s/adir"
says "directory" "'$s/adir'"
says "directory: reason" "[Ii]s a directory"

printf 'int f(int a)\n{\n    return a +;\n}\n\nint g(void) { return 1; }\n' >"$s/syntax.c"
scan "syntax error" 2 --no-db --functions "$s/syntax.c"
says "syntax error" "^$s/syntax.c:3:15: error: expected expression$"
says "syntax error: function skipped" "^$s/syntax.c:1: f skipped: line 3: expected expression$"
says "syntax error: the rest analysed" "^$s/syntax.c:6: g analysed$"
scan "syntax error, --dump-cfg" 2 --dump-cfg "$s/syntax.c"
says "syntax error, --dump-cfg" "syntax.c:3:15: error: expected expression"

png='\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa\0\0\0\x04sBIT'
printf "$png" >"$s/image.png"
scan "a PNG" 2 --no-db "$s/image.png"
says "a PNG" "lockstep scan: error: .*'$s/image.png'"
printf "$png" >"$s/image.c"
scan "a PNG named .c" 2 --no-db "$s/image.c"
says "a PNG named .c" "^$s/image.c:1:[0-9]+: error: "
cp specs/storport/SpinLock.slic "$s/SpinLock.slic"
scan "a .slic" 2 --no-db "$s/SpinLock.slic"
says "a .slic" "lockstep scan: error: .*'$s/SpinLock.slic'"
: >"$s/empty.c"
scan "an empty file" 0 --no-db "$s/empty.c"
says "an empty file" "0 functions?,"

printf '#include "missing.h"\nint f(void) { return 0; }\n' >"$s/include.c"
scan "missing header" 2 --no-db "$s/include.c"
says "missing header" "^$s/include.c:1:10: error: 'missing.h' file not found$"

# ---- compile databases (-p DIR) --------------------------------------------
printf 'int f(void) { return 0; }\n' >"$s/good.c"
scan "-p: no such directory" 2 --no-db -p "$s/nodir"
says "-p: no such directory" "lockstep scan: error: cannot load $s/nodir/compile_commands.json"
mkdir "$s/nodb"
scan "-p: no compile_commands.json" 2 --no-db -p "$s/nodb"
says "-p: no compile_commands.json" "cannot load $s/nodb/compile_commands.json"
mkdir "$s/badjson"
printf '[{"directory": "%s", "file": ' "$s" >"$s/badjson/compile_commands.json"
scan "-p: truncated JSON" 2 --no-db -p "$s/badjson"
says "-p: truncated JSON" "cannot load $s/badjson/compile_commands.json"
printf '[{"directory": 5}]\n' >"$s/badjson/compile_commands.json"
scan "-p: entry without file" 2 --no-db -p "$s/badjson"
says "-p: entry without file" "cannot load $s/badjson/compile_commands.json"
mkdir "$s/gone"
printf '[{"directory": "%s", "command": "cc -c gone.c", "file": "gone.c"}]\n' "$s" \
    >"$s/gone/compile_commands.json"
scan "-p: entry for a missing file" 2 --no-db -p "$s/gone"
says "-p: entry for a missing file" "cannot read '$s/gone.c'"
mkdir "$s/flags"
printf '[{"directory": "%s", "command": "cc -fno-such-flag -c good.c", "file": "good.c"}]\n' "$s" \
    >"$s/flags/compile_commands.json"
scan "-p: entry with an unknown flag" 2 --no-db -p "$s/flags"
says "-p: entry with an unknown flag" "unknown argument: '-fno-such-flag'"
scan "-p: file not in the database" 2 --no-db -p "$s/flags" other.c
says "-p: file not in the database" "compile_commands.json has no entry for the files given"

# ---- recursion ---------------------------------------------------------------
# walk() takes the lock and calls itself holding it: the second acquire is
# reported, and the exploration ends.
cat >"$s/recursion.c" <<'EOF'
#include <storport.h>
KSPIN_LOCK Lock;
HW_STARTIO StartIo;
static int walk(int n)
{
    KIRQL old;
    KeAcquireSpinLock(&Lock, &old);
    if (n > 0)
        walk(n - 1);
    KeReleaseSpinLock(&Lock, old);
    return n;
}
BOOLEAN StartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb)
{
    (void)ext;
    walk((int)srb->DataTransferLength);
    return TRUE;
}
EOF
scan "direct recursion holding a lock" 1 --no-db "$s/recursion.c"
says "direct recursion holding a lock" "^$s/recursion.c:7:5: error: .*\[SpinLock\]$"

# even() holds the lock across odd(), which calls even() again.
cat >"$s/mutual.c" <<'EOF'
#include <storport.h>
KSPIN_LOCK Lock;
HW_STARTIO StartIo;
static int odd(int n);
static int even(int n)
{
    KIRQL old;
    int r;
    KeAcquireSpinLock(&Lock, &old);
    r = n == 0 ? 1 : odd(n - 1);
    KeReleaseSpinLock(&Lock, old);
    return r;
}
static int odd(int n)
{
    return n == 0 ? 0 : even(n - 1);
}
BOOLEAN StartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb)
{
    (void)ext;
    return (BOOLEAN)even((int)srb->DataTransferLength);
}
EOF
scan "mutual recursion holding a lock" 1 --no-db "$s/mutual.c"
says "mutual recursion holding a lock" "^$s/mutual.c:9:5: error: .*\[SpinLock\]$"

# The same with a pthread mutex: the second lock deadlocks, so nothing
# after it can be reported (tests/source/README.md, choice 1).
cat >"$s/precursion.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int depth(int n)
{
    pthread_mutex_lock(&m);
    if (n > 0)
        depth(n - 1);
    pthread_mutex_unlock(&m);
    return n;
}
void *worker(void *arg)
{
    depth((int)(long)arg);
    return arg;
}
EOF
scan "recursion holding a mutex" 1 --no-db --entry worker "$s/precursion.c"
says "recursion holding a mutex" "^$s/precursion.c:5:5: error: .*\[PthreadDoubleLock\]$"
silent "recursion holding a mutex: nothing after the deadlock" "\[PthreadLockRelease\]"

# ---- goto into a loop, computed goto, setjmp -----------------------------------
cat >"$s/goto_loop.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void *worker(void *arg)
{
    long i = 0, n = (long)arg;
    if (n > 10)
        goto inside;
    while (i < n) {
        pthread_mutex_lock(&m);
inside:
        pthread_mutex_unlock(&m);
        i++;
    }
    return arg;
}
EOF
scan "goto into a loop" 1 --no-db --entry worker "$s/goto_loop.c"
says "goto into a loop" "^$s/goto_loop.c:11:9: error: .*\[PthreadLockRelease\]$"

cat >"$s/computed.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void *worker(void *arg)
{
    static void *next[] = { &&done, &&again };
    int i = arg != 0;
    pthread_mutex_lock(&m);
again:
    goto *next[i];
done:
    pthread_mutex_unlock(&m);
    return arg;
}
EOF
scan "computed goto" 0 --no-db --entry worker "$s/computed.c"
says "computed goto" "^$s/computed.c:3: worker gave-up: $s/computed.c:9: computed goto: lockstep cannot tell where it jumps$"
says "computed goto: counted" "1 functions?, 0 analysed, 0 skipped, 1 gave up"

cat >"$s/setjmp.c" <<'EOF'
#include <pthread.h>
#include <setjmp.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf env;
static void fail(void) { longjmp(env, 1); }
void *worker(void *arg)
{
    pthread_mutex_lock(&m);
    if (setjmp(env) != 0) {
        pthread_mutex_unlock(&m);
        return 0;
    }
    if (arg)
        fail();
    pthread_mutex_unlock(&m);
    return arg;
}
EOF
scan "setjmp/longjmp" 0 --no-db --entry worker "$s/setjmp.c"
says "setjmp/longjmp" "^$s/setjmp.c:6: worker gave-up: $s/setjmp.c:9: setjmp: "

# ---- size and depth --------------------------------------------------------------
# 10 000 lines in one function: 3330 lock / maybe-count / unlock triples,
# then a lock the thread still holds when it returns (line 9998).
{
    printf '#include <pthread.h>\nstatic pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n'
    printf 'static int counter;\nvoid *worker(void *arg)\n{\n    long n = (long)arg;\n'
    for i in $(seq 1 3330); do
        printf '    pthread_mutex_lock(&m);\n    if (n == %d) counter++;\n    pthread_mutex_unlock(&m);\n' "$i"
    done
    printf '    pthread_mutex_lock(&m);\n    return arg;\n}\n'
} >"$s/long.c"
run --no-db --entry worker "$s/long.c"
bounded "10 000-line function"
exits "10 000-line function" 1
says "10 000-line function: the lock held at the end" \
    "^$s/long.c:9998:5: error: .*\[PthreadLockHeldAtExit\]$"

# 100 levels: 50 ifs each around a while, the lock dropped and taken again
# in the innermost body.  Balanced: no finding; the state budget may run out.
{
    printf '#include <pthread.h>\nstatic pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n'
    printf 'void *worker(void *arg)\n{\n    long n = (long)arg;\n    pthread_mutex_lock(&m);\n'
    for i in $(seq 1 50); do printf '    if (n > %d) {\n    while (n > %d) {\n' "$i" $((i * 1000)); done
    printf '    pthread_mutex_unlock(&m);\n    n--;\n    pthread_mutex_lock(&m);\n'
    for _ in $(seq 1 50); do printf '    n--;\n    }\n    }\n'; done
    printf '    pthread_mutex_unlock(&m);\n    return arg;\n}\n'
} >"$s/deep.c"
scan "100-deep ifs and loops" 0 --no-db --entry worker "$s/deep.c"
silent "100-deep ifs and loops: no finding" ": error: "
says "100-deep ifs and loops: analysed or gave up on the budget" \
    "1 analysed|worker gave-up: $s/deep.c:[0-9]+: more than 200000 states from entry point worker"

# Loops that take a lock on every pass and never release it.  The same
# lock: the second pass deadlocks, and the exploration converges.
cat >"$s/loop.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void *worker(void *arg)
{
    long n = (long)arg;
    while (n-- > 0)
        pthread_mutex_lock(&m);
    return arg;
}
EOF
scan "same lock in a loop" 1 --no-db --entry worker "$s/loop.c"
says "same lock in a loop" "^$s/loop.c:7:9: error: .*\[PthreadDoubleLock\]$"
# A new lock on every pass: the states never repeat, so the state budget
# ends the exploration with a gave-up line.
cat >"$s/locks.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t locks[1000];
void *worker(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++)
        pthread_mutex_lock(&locks[i]);
    return arg;
}
EOF
scan "a new lock on every pass, --max-states 1000" 1 --no-db --entry worker --max-states 1000 "$s/locks.c"
says "a new lock on every pass, --max-states 1000" "^$s/locks.c:8:5: error: .*\[PthreadLockHeldAtExit\]$"
says "a new lock on every pass, --max-states 1000: gave up" \
    "^$s/locks.c:3: worker gave-up: $s/locks.c:[0-9]+: more than 1000 states from entry point worker$"
# With the default budget (200 000 states) it must end in time too, and in
# bounded memory (capped at 2 GB here, so that a regression cannot take the
# machine).
if [ $sanitized = 1 ]; then
    out=$(ASAN_OPTIONS="$ASAN_OPTIONS:hard_rss_limit_mb=2048" \
          timeout "$limit" "$LOCKSTEP" scan --no-db --entry worker "$s/locks.c" 2>&1)
    status=$?
else
    out=$(ulimit -v 2097152; timeout "$limit" "$LOCKSTEP" scan --no-db --entry worker "$s/locks.c" 2>&1)
    status=$?
fi
[ "$status" = 1 ] && printf '%s\n' "$out" |
    grep -Eq "^$s/locks.c:3: worker gave-up: $s/locks.c:[0-9]+: more than 200000 states"
verdict "a new lock on every pass, default budget: gives up within $limit s and 2 GB (exit $status)" $?

# ---- options ----------------------------------------------------------------------
scan "--max-states 0" 0 --no-db --entry worker --max-states 0 "$s/loop.c"
says "--max-states 0" "^$s/loop.c:3: worker gave-up: $s/loop.c:[0-9]+: more than 0 states from entry point worker$"
for bad in abc -1 '' 1e3 12x 99999999999999999999; do
    scan "--max-states '$bad'" 2 --no-db --max-states "$bad" "$s/loop.c"
    says "--max-states '$bad'" "^lockstep scan: error: --max-states takes a number from 0 to 1000000000, not '$bad'$"
done
scan "--irql 99" 2 --no-db --irql 99 "$s/loop.c"
says "--irql 99" "error: --irql takes a number from 0 to 31, not '99'"
scan "unknown --rule" 2 --no-db --rule NoSuchRule "$s/loop.c"
says "unknown --rule" "^lockstep scan: error: no rule named 'NoSuchRule'; 'lockstep rules' lists them$"
scan "unknown --entry" 2 --no-db --entry nosuch "$s/loop.c"
says "unknown --entry" "^lockstep scan: error: entry point nosuch \(named with --entry\) is not defined in the scanned files$"
# A bad role is an error like an unknown rule: nothing is analysed after it.
scan "--entry FUNC:BADROLE" 2 --no-db --entry worker:NOT_A_ROLE "$s/precursion.c"
says "--entry FUNC:BADROLE" "^lockstep scan: error: --entry worker:NOT_A_ROLE: unknown role 'NOT_A_ROLE'$"
silent "--entry FUNC:BADROLE: nothing analysed" "\[Pthread|entry point runs?, [1-9]"
scan "no file" 2 --no-db
says "no file" "^lockstep scan: error: no source file given$"

# ---- the results database records each run ---------------------------------
scan "--db: clean run" 0 "${db[@]}" "$s/good.c"
[ "$(runs)" = 1 ] && [ "$(last_status)" = clean ]
verdict "--db: clean run recorded as 'clean' (runs: $(runs), status: $(last_status))" $?
scan "--db: violations" 1 "${db[@]}" --entry worker "$s/goto_loop.c"
[ "$(runs)" = 2 ] && [ "$(last_status)" = violations ]
verdict "--db: run with findings recorded as 'violations' (status: $(last_status))" $?
scan "--db: input error" 2 "${db[@]}" "$s/syntax.c"
[ "$(runs)" = 3 ] && [ "$(last_status)" = error ]
verdict "--db: run with a parse error recorded as 'error' (status: $(last_status))" $?
scan "--db: missing file" 2 "${db[@]}" "$s/nope.c"
[ "$(runs)" = 4 ] && [ "$(last_status)" = error ]
verdict "--db: run on a missing file recorded as 'error' (status: $(last_status))" $?
scan "--db: bad --entry role" 2 "${db[@]}" --entry worker:NOT_A_ROLE "$s/good.c"
[ "$(runs)" = 5 ] && [ "$(last_status)" = error ]
verdict "--db: run with a bad role recorded as 'error' (status: $(last_status))" $?
scan "--db: unknown --rule" 2 "${db[@]}" --rule NoSuchRule "$s/good.c"
[ "$(runs)" = 5 ]
verdict "--db: a usage error before the scan records no run (runs: $(runs))" $?

echo "$todos known lockstep bugs (TODO)"
finish
