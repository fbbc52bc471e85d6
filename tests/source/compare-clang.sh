#!/usr/bin/env bash
# compare-clang.sh — the table of docs/source-vs-clang-analyzer.md: for each
# POSIX case of tests/source/cases/posix/, the expected findings (its
# `// expect:` comments), what clang's static analyzer reports with
# alpha.unix.PthreadLock, what `lockstep scan` reports, and the median wall
# and CPU time of 5 runs of each tool on the file.
#
#   tests/source/compare-clang.sh LOCKSTEP [CASE.c...]
#
# Run from anywhere; prints a markdown table on stdout.  CLANG names the
# clang to use (default: clang).  When LOCKSTEP has no `scan` command yet,
# its columns say TBD.  Findings are written LINE:NAME; a clang finding is
# counted as matching when an expected finding is on the same line (clang's
# messages do not name lockstep's rules); a lockstep finding must match line
# and rule.
set -u
if [ $# -lt 1 ]; then
    echo "usage: compare-clang.sh LOCKSTEP [CASE.c...]" >&2
    exit 2
fi
lockstep=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clang=${CLANG:-clang}
runs=5
if [ $# -eq 0 ]; then
    set -- "$here"/cases/posix/*.c
fi

have_scan=0
if [ -x "$lockstep" ] && "$lockstep" scan --help >/dev/null 2>&1; then
    have_scan=1
fi

# Median wall time and median CPU time (user + system) in milliseconds of
# $runs runs of the command, as "WALL / CPU".  The CPU time is the steadier
# figure on a loaded machine.
median_ms() {
    local i t r u s wall=() cpu=() TIMEFORMAT='%3R %3U %3S'
    for ((i = 0; i < runs; i++)); do
        t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
        read -r r u s <<<"$t"
        wall+=("$r")
        cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
    done
    local mid=$(((runs + 1) / 2))
    printf '%s / %s' \
        "$(printf '%s\n' "${wall[@]}" | sort -g | sed -n "${mid}p" | awk '{ printf "%.0f", $1 * 1000 }')" \
        "$(printf '%s\n' "${cpu[@]}" | sort -g | sed -n "${mid}p" | awk '{ printf "%.0f", $1 * 1000 }')"
}

# "L:Rule" words of a case's `// expect:` comments.
expected_of() {
    awk '{
        if (match($0, /\/\/[ \t]*expect:[ \t]*/)) {
            n = split(substr($0, RSTART + RLENGTH), r, /[ \t]*,[ \t]*/)
            for (i = 1; i <= n; i++) { gsub(/[ \t]+$/, "", r[i]); if (r[i] != "") print NR ":" r[i] }
        }
    }' "$1" | sort -t: -k1,1n -u
}

# Extra scan arguments from a `// scan: ARGS` first line.
scan_args_of() {
    local first
    first=$(head -n 1 "$1")
    if [[ $first =~ ^//[[:space:]]*scan:[[:space:]]*(.*)$ ]]; then
        echo "${BASH_REMATCH[1]}"
    fi
}

clang_cmd() {
    "$clang" --analyze -Xanalyzer -analyzer-checker=alpha.unix.PthreadLock \
        -o /dev/null -I"$root/runtime/include/lockstep/ddk" "$1"
}

# "L:message" of clang's warnings about the case itself.
clang_findings() {
    clang_cmd "$1" 2>&1 | awk -v f="$1" '
        index($0, f ":") == 1 && / warning: / {
            split(substr($0, length(f) + 2), p, ":")
            msg = $0; sub(/.* warning: /, "", msg); sub(/ \[[^]]*\]$/, "", msg)
            print p[1] ":" msg
        }' | sort -t: -k1,1n -u
}

lockstep_findings() {
    local args
    read -r -a args <<<"$(scan_args_of "$1")"
    "$lockstep" scan --no-db "${args[@]}" "$1" 2>/dev/null |
        sed -nE 's/^.+:([0-9]+):[0-9]+: error: .* \[([A-Za-z_][A-Za-z0-9_]*)\]$/\1:\2/p' |
        sort -t: -k1,1n -u
}

lockstep_cmd() {
    local args
    read -r -a args <<<"$(scan_args_of "$1")"
    "$lockstep" scan --no-db "${args[@]}" "$1"
}

# Comma-joined words, or "none".
join() {
    local s
    s=$(paste -sd, - | sed 's/,/, /g')
    echo "${s:-none}"
}

# score line|exact EXPECTED FOUND: how many expected findings the tool
# reported (on the same line; with exact, also under the same rule), and how
# many of its findings match none.
score() {
    local mode=$1 expected=$2 found=$3 hit=0 extra=0 e f
    for e in $expected; do
        for f in $found; do
            if [ "$mode" = exact ]; then
                [ "$e" = "$f" ] && { hit=$((hit + 1)); break; }
            else
                [ "${e%%:*}" = "${f%%:*}" ] && { hit=$((hit + 1)); break; }
            fi
        done
    done
    for f in $found; do
        if [ "$mode" = exact ]; then
            grep -qx -- "$f" <<<"$expected" || extra=$((extra + 1))
        else
            grep -q "^${f%%:*}:" <<<"$expected" || extra=$((extra + 1))
        fi
    done
    echo "$hit $extra"
}

echo "| case | expected | clang alpha.unix.PthreadLock | clang ms (wall / cpu) | lockstep scan | lockstep ms (wall / cpu) |"
echo "|---|---|---|---|---|---|"
total_expected=0 clang_hit=0 clang_extra=0 ls_hit=0 ls_extra=0
for case_file in "$@"; do
    name=$(basename "$case_file" .c)
    expected=$(expected_of "$case_file")
    cfound=$(clang_findings "$case_file")
    ctime=$(median_ms clang_cmd "$case_file")
    read -r h x <<<"$(score line "$expected" "$(cut -d: -f1 <<<"$cfound" | grep . | sed 's/$/:/')")"
    total_expected=$((total_expected + $(grep -c . <<<"$expected")))
    clang_hit=$((clang_hit + h)) clang_extra=$((clang_extra + x))
    if [ $have_scan -eq 1 ]; then
        lfound=$(lockstep_findings "$case_file")
        ltime=$(median_ms lockstep_cmd "$case_file")
        read -r h x <<<"$(score exact "$expected" "$lfound")"
        ls_hit=$((ls_hit + h)) ls_extra=$((ls_extra + x))
        lcol=$(join <<<"$lfound")
    else
        lcol=TBD ltime=TBD
    fi
    echo "| $name | $(join <<<"$expected") | $(join <<<"$cfound") | $ctime | $lcol | $ltime |"
done
echo
echo "Expected findings: $total_expected.  clang: $clang_hit on the expected line, $clang_extra elsewhere."
if [ $have_scan -eq 1 ]; then
    echo "lockstep scan: $ls_hit on the expected line, $ls_extra elsewhere."
else
    echo "lockstep scan: TBD (no \`scan\` command in $lockstep)."
fi
