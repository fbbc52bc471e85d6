#!/bin/sh
# check_decls.sh — the DDI model headers (runtime/include/lockstep/ddk/)
# against what the compiler and the rules assume:
#   - every kernel DDI in compiler/ddi.c's ddi_functions table is declared
#     with its parameter count (exactly; variadic where the table says -1)
#     and returns a value exactly when the table says so;
#   - every role in ddi_roles is a function typedef of that shape;
#   - every object-like numeric constant of the rule include directory
#     (specs/include/irql.h, ntstatus.h, storport.h, wdm_constants.h) has
#     the same value in the headers.
# A call with N zero arguments must compile with -Werror; with N+1 (and, for
# a variadic DDI, N-1) it must not.  Each failed check prints [FAIL].
#
# usage: check_decls.sh SOURCE_DIR CC [CFLAGS...]
set -u
src=$1
cc=$2
shift 2
flags="$*"      # extra compiler flags (a target triple); no spaces inside one
ddk=$src/runtime/include/lockstep/ddk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
checks=0

compiles() {    # status of compiling $file against the headers
    # shellcheck disable=SC2086  # $flags is a word list on purpose
    "$cc" $flags -fsyntax-only -std=c11 -Wall -Wextra -Werror -I"$ddk" "$file" \
        >"$tmp/out" 2>&1
}

prelude='#include "storport.h"
#include "ntddk.h"
void check(void);
void check(void)
{'

# zeros N: "0, 0, ..., 0" (N of them)
zeros() {
    i=0 z=
    while [ "$i" -lt "$1" ]; do
        z="$z${z:+, }0"
        i=$((i + 1))
    done
    printf '%s' "$z"
}

# rows TABLE: "name arity value params" for each row of a ddi.c table
rows() {
    sed -n "/ $1\\[\\] = {/,/^};/p" "$src/compiler/ddi.c" |
        sed -n 's/^ *{ "\([A-Za-z_0-9]*\)", *\(-\{0,1\}[0-9]*\), *\([a-z]*\), *"\([^"]*\)".*/\1 \2 \3 \4/p'
}

# DMA_OPERATIONS members, called through DmaAdapter->DmaOperations
dma_members=" AllocateAdapterChannel FreeAdapterChannel FreeMapRegisters GetScatterGatherList PutScatterGatherList "

# check KIND NAME CALLEE ARITY VALUE PARAMS
check_one() {
    kind=$1 name=$2 callee=$3 arity=$4 value=$5 params=$6
    fixed=$arity
    if [ "$arity" -lt 0 ]; then     # variadic: the named leading parameters
        fixed=$(printf '%s' "$params" | tr ',' '\n' | grep -c .)
    fi
    void=1
    [ "$value" = true ] && void=0
    decl=
    [ "$kind" = role ] && decl="    $name *$callee = 0;"
    checks=$((checks + 1))
    file=$tmp/$name.c
    printf '%s\n%s\n    _Static_assert(__builtin_types_compatible_p(__typeof__(%s(%s)), void) == %s, "%s: return type");\n}\n' \
        "$prelude" "$decl" "$callee" "$(zeros "$fixed")" "$void" "$name" >"$file"
    if ! compiles; then
        echo "[FAIL] $kind $name: not declared as $fixed parameter(s), $([ $void = 1 ] && echo VOID || echo returning a value)"
        sed 's/^/    /' "$tmp/out" | head -5
        fail=$((fail + 1))
        return
    fi
    more=$((fixed + 1))
    printf '%s\n%s\n    (void)%s(%s);\n}\n' "$prelude" "$decl" "$callee" "$(zeros "$more")" >"$file"
    if [ "$arity" -lt 0 ]; then
        if ! compiles; then
            echo "[FAIL] $kind $name: not variadic"
            fail=$((fail + 1))
            return
        fi
        if [ "$fixed" -gt 0 ]; then
            printf '%s\n%s\n    (void)%s(%s);\n}\n' "$prelude" "$decl" "$callee" "$(zeros $((fixed - 1)))" >"$file"
            if compiles; then
                echo "[FAIL] $kind $name: accepts fewer than $fixed arguments"
                fail=$((fail + 1))
            fi
        fi
    elif compiles; then
        echo "[FAIL] $kind $name: accepts $more arguments (unprototyped or variadic?)"
        fail=$((fail + 1))
    fi
}

rows ddi_functions >"$tmp/functions"
rows ddi_roles >"$tmp/roles"
if [ ! -s "$tmp/functions" ] || [ ! -s "$tmp/roles" ]; then
    echo "[FAIL] cannot read the tables of $src/compiler/ddi.c"
    exit 1
fi

while read -r name arity value params; do
    case $name in
        [a-z]*) continue ;;     # lockstep's own event, POSIX threads
    esac
    case $dma_members in
        *" $name "*) callee="((PDMA_ADAPTER)0)->DmaOperations->$name" ;;
        *) callee=$name ;;
    esac
    check_one ddi "$name" "$callee" "$arity" "$value" "${params:-}"
done <"$tmp/functions"

while read -r name arity value params; do
    check_one role "$name" "role_$name" "$arity" "$value" "${params:-}"
done <"$tmp/roles"

# constants: one static assertion per object-like numeric macro
file=$tmp/constants.c
printf '%s\n' "$prelude" >"$file"
for h in irql.h ntstatus.h storport.h wdm_constants.h; do
    sed -n 's/^#define[ 	]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)[ 	]\{1,\}\((\{0,1\}-\{0,1\}[0-9][0-9A-Fa-fxX]*)\{0,1\}\).*/\1 \2/p' \
        "$src/specs/include/$h" |
    while read -r name value; do
        printf '    _Static_assert((long long)(%s) == (long long)(%s), "%s differs from specs/include/%s");\n' \
            "$name" "$value" "$name" "$h"
    done
done >>"$file"
printf '}\n' >>"$file"
nconst=$(grep -c _Static_assert "$file")
checks=$((checks + 1))
if ! compiles; then
    echo "[FAIL] constants of specs/include differ from the headers:"
    grep -e 'error' "$tmp/out" | sed 's/^/    /' | head -20
    fail=$((fail + 1))
fi

echo "$checks checks ($nconst constants), $fail failed"
[ "$fail" -eq 0 ]
