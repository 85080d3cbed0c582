#!/bin/bash
# make bench: the runtime against its bars, measured in this run.
#   apply 100,000 routes (20.x.y.0/24 via 10.0.0.2, a bridge with 10.0.0.1/16 in front) into a fresh
#   namespace with runtime_apply, vs `ip -batch` of the same 100,000 `route add` lines into another
#   fresh namespace: best of three each, and the ratio (bar: ferry >= 2x faster);
#   then, with those 100,000 routes in: change one route (time and kernel operations; bar < 50 ms
#   and exactly one operation), and apply the same plan again (0 operations): once reading
#   everything (the kernel's dump of 100,000 routes alone takes 60-120 ms here), once with the
#   plan applied before (apply_opts.previous: only the changed route is read).
# Root only (network namespaces); anything else prints why and stops.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
bin=$build/tests/bench/bench_apply
n=${BENCH_ROUTES:-100000}

echo "== apply: $n routes, runtime_apply vs ip -batch (fresh namespace each, best of 3)"
if [ "$(id -u)" -ne 0 ]; then
    echo "  skipped: needs root (network namespaces)"
    exit 0
fi
if [ ! -x "$bin" ]; then
    echo "  skipped: $bin is missing (make)"
    exit 0
fi
work=$(mktemp -d /tmp/ferry-bench-apply.XXXXXX)
prefix=ferry-bench-$$
cleanup() {
    for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-"); do ip netns del "$ns"; done
    rm -rf "$work"
}
trap cleanup EXIT

fresh() { # fresh NAME: a namespace with lo up and br0 10.0.0.1/16
    ip netns add "$1" && ip -n "$1" link set lo up && ip -n "$1" link add br0 type bridge &&
        ip -n "$1" link set br0 up && ip -n "$1" addr add 10.0.0.1/16 dev br0
}

awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
    printf "route add %d.%d.%d.0/24 via 10.0.0.2 proto 77\n", 20 + int(i / 65536), int(i / 256) % 256, i % 256 }' \
    >"$work/routes.batch"

best() { sort -n | head -1; }
ferry_ms=() ip_ms=() ack_ms=()
for round in 1 2 3; do
    fresh "$prefix-f$round" || exit 1
    line=$(ip netns exec "$prefix-f$round" "$bin" full "$n") || { echo "  runtime_apply failed: $line"; exit 1; }
    ferry_ms+=("$(echo "$line" | awk '{print $2}')")
    [ "$round" = 1 ] && echo "  runtime_apply, round 1: $line"
    fresh "$prefix-a$round" || exit 1
    line=$(ip netns exec "$prefix-a$round" "$bin" full "$n" ack-each) || { echo "  runtime_apply failed: $line"; exit 1; }
    ack_ms+=("$(echo "$line" | awk '{print $2}')")
    fresh "$prefix-i$round" || exit 1
    t0=$(date +%s%N)
    ip -n "$prefix-i$round" -batch "$work/routes.batch" || { echo "  ip -batch failed"; exit 1; }
    t1=$(date +%s%N)
    ip_ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')")
    [ "$round" -lt 3 ] && ip netns del "$prefix-f$round"
    ip netns del "$prefix-a$round"
    ip netns del "$prefix-i$round"
done
f=$(printf '%s\n' "${ferry_ms[@]}" | best)
a=$(printf '%s\n' "${ack_ms[@]}" | best)
i=$(printf '%s\n' "${ip_ms[@]}" | best)
ratio=$(awk -v f="$f" -v i="$i" 'BEGIN { printf "%.2f", i / f }')
printf '  runtime_apply   %8.1f ms   (rounds: %s)\n' "$f" "${ferry_ms[*]}"
printf '    NLM_F_ACK on each message instead of one barrier per chunk: %.1f ms\n' "$a"
printf '  ip -batch       %8.1f ms   (rounds: %s)\n' "$i" "${ip_ms[*]}"
echo "  ratio: ferry is ${ratio}x faster than ip -batch (bar >= 2x: $(awk -v r="$ratio" 'BEGIN { print (r >= 2) ? "met" : "MISSED" }'))"

echo "== change one route with $n in (the namespace of the last round)"
out=$(ip netns exec "$prefix-f3" "$bin" change "$n" 7) || { echo "  failed: $out"; exit 1; }
echo "$out" | sed 's/^/  /'
verdict() { # verdict WHAT: best time and the operation counts of the lines named WHAT
    local t o
    t=$(echo "$out" | awk -v w="$1" '$1 == w { print $2 }' | best)
    o=$(echo "$out" | awk -v w="$1" '$1 == w { print $5 }' | sort -u | tr '\n' ' ')
    echo "  $2: best $t ms (bar < 50 ms: $(awk -v t="$t" 'BEGIN { print (t < 50) ? "met" : "MISSED" }')), operations: ${o}(bar: exactly 1: $([ "$o" = "1 " ] && echo met || echo MISSED))"
}
verdict change-one "change one route, reading all $n routes (full reconcile)"
verdict change-one-incremental "change one route, with the plan applied before (apply_opts.previous)"
exit 0
