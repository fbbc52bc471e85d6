# lib.bash — helpers for the CLI end-to-end tests (sourced, not run).
# Each test script gets the lockstep binary as $1 and runs from the
# project root; it prints [PASS]/[FAIL] per check and a count at the end.
set -u
LOCKSTEP=$1
passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); echo "[PASS] $1"; }
fail() { failed=$((failed + 1)); echo "[FAIL] $1"; }

# expect_exit NAME STATUS CMD...: run CMD, capture output in $out, check status.
expect_exit() {
    local name=$1 want=$2
    shift 2
    out=$("$@" 2>&1)
    local got=$?
    if [ "$got" = "$want" ]; then pass "$name (exit $got)"; else fail "$name: exit $got, expected $want"; echo "$out" | head -20; fi
}

# expect_output NAME PATTERN: the last command's output matches PATTERN (grep -E).
expect_output() {
    if printf '%s\n' "$out" | grep -Eq -- "$2"; then pass "$1"; else fail "$1: output lacks /$2/"; printf '%s\n' "$out" | head -20; fi
}

# as_nobody CMD...: run CMD without root's power to read any file (as the
# user nobody when the tests run as root), so unreadable-file cases test
# something everywhere.  The scratch directory is opened to others for it.
as_nobody() {
    if [ "$(id -u)" = 0 ]; then
        chmod 755 "$scratch"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}
