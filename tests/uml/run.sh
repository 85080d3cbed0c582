#!/bin/bash
# tests/uml/run.sh [BUILD_DIR] — runs each tests/uml/t_*.sh inside its own user-mode Linux guest
# (a 6.1 kernel with 802.1Q, GRE, netem, dummy, which the host kernel lacks). One boot per test
# file: a couple of seconds each, and no test can inherit another's links, qdiscs or modules.
# A detail line under each file gives the boot time. SKIP only when UML is not installed.
set -u
. "$(dirname "$0")/../lib/uml.sh"
cd "$FERRY_REPO" || exit 1

build=${1:-build}
export FERRY
FERRY=$(abs_path "$build")/ferry   # may not exist yet; tests that need it say so
timeout_s=${UML_TIMEOUT:-300}

shopt -s nullglob
scripts=(tests/uml/t_*.sh)
[ ${#scripts[@]} -eq 0 ] && exit 0

why=$(uml_unavailable)
if [ -n "$why" ]; then
    for s in "${scripts[@]}"; do echo "SKIP $(basename "$s" .sh): $why"; done
    exit 0
fi

works=()
trap '[ -n "${UML_KEEP:-}" ] || rm -rf "${works[@]}"' EXIT

for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    if [ ! -x "$s" ]; then
        echo "FAIL $name: $s is not executable (chmod +x, and commit the mode)"
        continue
    fi
    # Under /tmp on purpose: a short path without spaces, for the kernel command line.
    work=$(mktemp -d /tmp/ferry-uml.XXXXXX)
    works+=("$work")
    if ! uml_run "$work" "$FERRY_REPO/$s" "$timeout_s"; then
        [ -f "$work/out" ] && pass_through "$work/out"
        echo "FAIL $name: $UML_WHY"
        tail_indented "$work/console.log" 20
        continue
    fi
    rc=$(cat "$work/rc")
    pass_through "$work/out"
    judge_run "$name" "$rc" "$work/out" "$work/err" " inside UML"
    echo "    uml: boot ${UML_BOOT} s (linux.uml start to init), test ${UML_TEST_S} s, power-off ${UML_OFF} s"
done
[ -n "${UML_KEEP:-}" ] && echo "    uml: work folders kept: ${works[*]}"
exit 0
