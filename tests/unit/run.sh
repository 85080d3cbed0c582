#!/bin/bash
# tests/unit/run.sh BUILD_DIR — runs every BUILD_DIR/tests/test_* binary built from tests/unit/test_*.c.
# Each binary prints its own PASS/FAIL lines; they pass through. A binary that crashes, is killed,
# leaves a sanitizer report or prints nothing is a FAIL of the binary, with the end of its output.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$FERRY_REPO" || exit 1

build=${1:?usage: tests/unit/run.sh BUILD_DIR}
bindir=$(abs_path "$build")/tests
timeout_s=${UNIT_TIMEOUT:-300}
scratch=$(mktemp -d /tmp/ferry-unit.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# The binaries to expect: one per source, and any other test_* binary that is there.
names() {
    local f
    for f in tests/unit/test_*.c; do [ -e "$f" ] && basename "$f" .c; done
    for f in "$bindir"/test_*; do [ -x "$f" ] && [ -f "$f" ] && basename "$f"; done
}

run_binary() {
    local name=$1 bin=$bindir/$1 out=$scratch/$1.out err=$scratch/$1.err rc
    if [ ! -x "$bin" ]; then
        echo "FAIL $name: not built ($build/tests/$name is missing; run make$([ "$build" = build-san ] && echo ' SAN=1'))"
        return
    fi
    # stdin closed off: a unit test has no business reading it.
    # The braces catch bash's own "Segmentation fault" notice; the test's stderr goes to $err.
    { timeout -k 5 "$timeout_s" "$bin" </dev/null >"$out" 2>"$err"; } 2>/dev/null
    rc=$?
    pass_through "$out"
    if has_sanitizer_report "$err"; then
        echo "FAIL $name: $(describe_status "$rc" "$timeout_s" | sed '/^sanitizer/!s/^/sanitizer report, /')$(last_test "$out")"
        sanitizer_excerpt "$err"
    elif [ "$rc" -eq 0 ] && ! has_result_line "$out"; then
        echo "FAIL $name: ran no test"
    elif [ "$rc" -eq 1 ] && grep -q '^FAIL ' "$out"; then
        : # ordinary test failures: their FAIL lines are already out
    elif [ "$rc" -ne 0 ]; then
        echo "FAIL $name: $(describe_status "$rc" "$timeout_s")$(last_test "$out")"
        tail_indented "$err"
    fi
}

# last_test OUT: ", after <test>" naming the last test that reported, to locate a crash.
last_test() {
    local t
    t=$(grep -E '^(PASS|FAIL) ' "$1" | tail -n 1 | sed -E 's/^(PASS|FAIL) ([^:]*).*/\2/')
    [ -n "$t" ] && echo ", after $t"
}

list=$(names | sort -u)
if [ -z "$list" ]; then
    echo "SKIP unit: no tests/unit/test_*.c yet"
    exit 0
fi
for name in $list; do
    run_binary "$name"
done
exit 0
