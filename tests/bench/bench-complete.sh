#!/bin/bash
# Tab completion with 100,000 routes + 4,094 VLANs + 4,094 self IPs (tests/bench/gen-large.sh),
# measured in-process by BUILD/tests/bench/bench_complete: the best of 50 runs each. Bar: < 10 ms.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
bin=$build/tests/bench/bench_complete
echo "== completion: 100,000 routes + 4,094 VLANs + 4,094 self IPs"
if [ ! -x "$bin" ]; then
    echo "  $bin is not built (make)"
    exit 0
fi
work=$(mktemp -d /tmp/ferry-bench-complete.XXXXXX)
trap 'rm -rf "$work"' EXIT
tests/bench/gen-large.sh 4094 100000 > "$work/large.conf"
if ! "$bin" "$work/large.conf" > "$work/out" 2> "$work/err"; then
    echo "  bench_complete failed:"
    sed 's/^/    /' "$work/err" | head -5
    exit 0
fi
bar() { awk -v t="$1" 'BEGIN { print (t < 10.0) ? "met" : "MISSED" }'; }
while read -r what ms matches; do
    case $what in
    objects) echo "  store: $ms objects" ;;
    index) printf '  %-58s %8.3f ms (once; then per kind, when it changes)\n' "sorted name index of every kind" "$ms" ;;
    tab-name) printf '  %-58s %8.3f ms (bar < 10 ms: %s), %s matches\n' "TAB: modify net route r4242" "$ms" "$(bar "$ms")" "$matches" ;;
    tab-name-all) printf '  %-58s %8.3f ms (bar < 10 ms: %s), %s matches\n' "TAB: modify net route r" "$ms" "$(bar "$ms")" "$matches" ;;
    help-modify-route) printf '  %-58s %8.3f ms (bar < 10 ms: %s), %s matches\n' "?: modify net route" "$ms" "$(bar "$ms")" "$matches" ;;
    tab-vlan-ref) printf '  %-58s %8.3f ms (bar < 10 ms: %s), %s matches\n' "TAB: create net self ... vlan v40 (3 kinds referenced)" "$ms" "$(bar "$ms")" "$matches" ;;
    create-route) printf '  %-58s %8.3f ms\n' "(create net route extra ...: the command itself)" "$ms" ;;
    rebuild) printf '  %-58s %8.3f ms (after the command, not at TAB)\n' "routes' name index sorted again after that change" "$ms" ;;
    tab-after-change) printf '  %-58s %8.3f ms (bar < 10 ms: %s), %s matches\n' "TAB: modify net route r4242, after the change" "$ms" "$(bar "$ms")" "$matches" ;;
    esac
done < "$work/out"
