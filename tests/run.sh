#!/bin/bash
# Runs every test section and prints the one summary line CI reads last.
# Each section prints `PASS name`, `FAIL name: why` or `SKIP name: why` lines; anything else is detail.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/ferry-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

section() {
    local name=$1; shift
    echo "== $name"
    "$@" 2>&1 | tee -a "$log" | grep -E '^(FAIL|SKIP)|^ ' || true
}

section "unit (plain)"       tests/unit/run.sh build
section "unit (asan+ubsan)"  tests/unit/run.sh build-san
section "golden (plain)"     tests/golden/run.sh build
section "golden (asan+ubsan)" tests/golden/run.sh build-san
section "yaml round trip"    tests/yaml-roundtrip.sh build
section "validation smoke"   tests/validate-smoke.sh build
section "shell (plain)"       tests/shell/run.sh build
section "shell (asan+ubsan)" tests/shell/run.sh build-san
for s in tests/docs/run.sh tests/fuzz/run.sh tests/netns/run.sh tests/uml/run.sh; do
    [ -x "$s" ] && section "$(basename "$(dirname "$s")")" "$s"
done

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
if [ "$skipped" -gt 0 ]; then
    echo "skipped:"
    grep '^SKIP' "$log" | sed 's/^/  /'
fi
if [ "$failed" -gt 0 ]; then
    echo "failed:"
    grep '^FAIL' "$log" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
