#!/usr/bin/env bash
# install-embed.sh — the installed package, as docs/embedding.md uses it:
# install this build into a scratch prefix, build examples/embed against it
# with find_package(lockstep) (the installed rules, and modules the
# installed compiler writes) and with pkg-config, and run each program: it
# must report the double release and the release at PASSIVE_LEVEL with the
# specs' messages and exit 1.  Also: the runtime needs no SQLite, the
# store does.  The example is built with the compiler of this build; a
# sanitizer build's package carries its -fsanitize link flags itself.
. "$(dirname "$0")/lib.bash"

# The build directory: the nearest ancestor of the binary with a CMakeCache.txt.
build=$(cd "$(dirname "$LOCKSTEP")" && pwd)
while [ "$build" != / ] && [ ! -f "$build/CMakeCache.txt" ]; do build=$(dirname "$build"); done
[ -f "$build/CMakeCache.txt" ] || { fail "no CMakeCache.txt above $LOCKSTEP"; finish; exit; }
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
CMAKE=$(cache CMAKE_COMMAND)
CC=$(cache CMAKE_C_COMPILER)
prefix=$scratch/prefix

expect_exit "cmake --install into a scratch prefix" 0 "$CMAKE" --install "$build" --prefix "$prefix"
pcdir=$(dirname "$(find "$prefix" -name lockstep.pc | head -1)")
[ -f "$pcdir/lockstep.pc" ] && pass "lockstep.pc installed" || fail "lockstep.pc installed"
expect_exit "the installed compiler writes the modules" 0 \
    "$prefix/bin/lockstep" compile --out-dir "$scratch/gen" \
    specs/storport/QueuedSpinLockRelease.slic specs/storport/IrqlKeReleaseSpinLock.slic

cat >"$scratch/expected" <<'OUT'
event 4: QueuedSpinLockRelease: KeReleaseInStackQueuedSpinLock releases a lock handle that was not acquired with KeAcquireInStackQueuedSpinLock.
event 5: IrqlKeReleaseSpinLock: KeReleaseSpinLock is called at an IRQL other than DISPATCH_LEVEL.
OUT

# run_embed NAME PROGRAM: exit 1 (violations found) and exactly the two reports.
run_embed() {
    expect_exit "$1: runs and finds violations" 1 "$2"
    if [ "$out" = "$(cat "$scratch/expected")" ]; then pass "$1: both violations, the specs' messages"
    else fail "$1: output"; diff -u "$scratch/expected" - <<<"$out"; fi
}

# cmake_embed NAME ARGS...: configure and build examples/embed in $scratch/NAME.
cmake_embed() {
    local name=$1
    shift
    if "$CMAKE" -S examples/embed -B "$scratch/$name" -DCMAKE_C_COMPILER="$CC" \
           -DCMAKE_PREFIX_PATH="$prefix" "$@" >"$scratch/$name.log" 2>&1 &&
       "$CMAKE" --build "$scratch/$name" >>"$scratch/$name.log" 2>&1; then
        pass "$name: find_package(lockstep) build"
    else
        fail "$name: find_package(lockstep) build"; tail -20 "$scratch/$name.log"
    fi
}

cmake_embed cmake-rules
run_embed cmake-rules "$scratch/cmake-rules/embed"
cmake_embed cmake-modules -DLOCKSTEP_MODULES="$scratch/gen"
run_embed cmake-modules "$scratch/cmake-modules/embed"

export PKG_CONFIG_PATH=$pcdir
if "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -I"$scratch/gen" examples/embed/embed.c \
       "$scratch"/gen/storport/*.c $(pkg-config --cflags --libs lockstep) \
       -o "$scratch/pc-embed" 2>"$scratch/cc.err"; then
    pass "pkg-config: cc ... \$(pkg-config --cflags --libs lockstep)"
else
    fail "pkg-config build"; cat "$scratch/cc.err"
fi
run_embed pkg-config "$scratch/pc-embed"

# Only the store needs SQLite: the runtime builds with SQLite hidden from
# CMake and pkg-config does not name it; asking for the store without it fails.
case " $(pkg-config --libs lockstep) " in
    *sqlite*) fail "lockstep.pc names sqlite" ;;
    *) pass "lockstep.pc needs no sqlite" ;;
esac
cmake_embed cmake-no-sqlite -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=TRUE
run_embed cmake-no-sqlite "$scratch/cmake-no-sqlite/embed"
mkdir -p "$scratch/store-src"
cat >"$scratch/store-src/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(store_probe LANGUAGES C)
find_package(lockstep REQUIRED COMPONENTS store)
CM
expect_exit "COMPONENTS store without SQLite is an error" 1 "$CMAKE" -S "$scratch/store-src" \
    -B "$scratch/store-none" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=TRUE
expect_output "the error names SQLite3" "SQLite3"

# The store through pkg-config: open a results database and close it.
cat >"$scratch/store.c" <<'C'
#include <stdio.h>
#include <lockstep/store.h>

int main(int argc, char **argv)
{
    char err[256];
    struct ls_store *st = argc > 1 ? ls_store_open(argv[1], err, sizeof err) : NULL;
    if (st == NULL)
        return fprintf(stderr, "%s\n", argc > 1 ? err : "no path"), 1;
    ls_store_close(st);
    return 0;
}
C
if "$CC" -std=c11 -Wall -Wextra -Werror "$scratch/store.c" $(pkg-config --cflags --libs lockstep-store) \
       -o "$scratch/store" 2>"$scratch/cc.err"; then
    pass "pkg-config: lockstep-store links (sqlite3 comes with it)"
else
    fail "pkg-config lockstep-store build"; cat "$scratch/cc.err"
fi
expect_exit "the store opens a results database" 0 "$scratch/store" "$scratch/results.db"
[ -s "$scratch/results.db" ] && pass "results.db written" || fail "results.db written"
finish
