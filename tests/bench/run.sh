#!/bin/bash
# make bench: figures with their bar or peer, measured in this run. Not a test: nothing fails here.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
ferry=$build/ferry
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Runs a command three times and prints the best wall time (s) and the peak RSS (KB) of that run.
best_of_three() {
    local best="" rss=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
            echo "  command failed: $*" >&2; sed "s/^/    /" "$work/stderr" | head -5 >&2; return 1; }
        read -r t m < "$work/time"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$t; rss=$m
        fi
    done
    echo "$best $rss"
}

echo "== compile: 100,000 routes + 4,094 VLANs + 4,094 self IPs"
tests/bench/gen-large.sh 4094 100000 > "$work/large.conf"
echo "  config: $(wc -l < "$work/large.conf") lines, $(du -h "$work/large.conf" | cut -f1)"
for what in "--check" "--emit conf" "--emit yaml"; do
    # shellcheck disable=SC2086
    if r=$(best_of_three "$ferry" $what "$work/large.conf"); then
        read -r t m <<< "$r"
        printf '  %-12s load + validate%s: %5.2f s (bar < 1 s: %s), peak RSS %d MB (bar < 200 MB: %s)\n' \
            "$what" "$([ "$what" = --check ] || echo ' + print')" "$t" \
            "$(awk -v t="$t" 'BEGIN { print (t < 1.0) ? "met" : "MISSED" }')" $((m / 1024)) \
            "$([ $((m / 1024)) -lt 200 ] && echo met || echo MISSED)"
    fi
done
for s in tests/bench/bench-*.sh; do
    [ -x "$s" ] && "$s" "$build"
done
exit 0
