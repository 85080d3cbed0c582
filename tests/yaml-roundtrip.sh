#!/bin/bash
# tests/yaml-roundtrip.sh [BUILD_DIR] [CONF...] — conf -> yaml -> conf must be byte-identical.
#
# For each config X.conf (default: tests/yaml-roundtrip.conf and every examples/*.conf):
#   ferry --emit conf X.conf                  the reference
#   ferry --emit yaml X.conf > X.yaml
#   ferry --emit conf X.yaml                  must equal the reference, byte for byte
#   ferry --emit yaml X.yaml                  must equal X.yaml (YAML -> YAML is stable too)
# Prints PASS/FAIL lines like the other sections; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
FERRY=$build/ferry
if [ ! -x "$FERRY" ]; then
    echo "FAIL yaml-roundtrip: $FERRY is not built (make${build#build} first)"
    exit 1
fi
if [ $# -gt 0 ]; then
    confs=("$@")
else
    confs=(tests/yaml-roundtrip.conf)
    for f in examples/*.conf; do [ -f "$f" ] && confs+=("$f"); done
fi

tmp=$(mktemp -d /tmp/ferry-yaml-rt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
for conf in "${confs[@]}"; do
    name=$(basename "$conf" .conf)
    why=
    if ! "$FERRY" --emit conf "$conf" >"$tmp/$name.ref" 2>"$tmp/$name.err"; then
        why="the config itself does not load"
    elif ! "$FERRY" --emit yaml "$conf" >"$tmp/$name.yaml" 2>>"$tmp/$name.err"; then
        why="--emit yaml failed"
    elif ! "$FERRY" --emit conf "$tmp/$name.yaml" >"$tmp/$name.back" 2>>"$tmp/$name.err"; then
        why="the YAML does not load back"
    elif ! cmp -s "$tmp/$name.ref" "$tmp/$name.back"; then
        why="conf -> yaml -> conf differs"
        diff -u --label "$conf" --label "$conf via yaml" "$tmp/$name.ref" "$tmp/$name.back" | head -40 | sed 's/^/    /'
    elif ! "$FERRY" --emit yaml "$tmp/$name.yaml" >"$tmp/$name.yaml2" 2>>"$tmp/$name.err"; then
        why="--emit yaml of the YAML failed"
    elif ! cmp -s "$tmp/$name.yaml" "$tmp/$name.yaml2"; then
        why="yaml -> yaml differs"
        diff -u --label "$name.yaml" --label "$name.yaml again" "$tmp/$name.yaml" "$tmp/$name.yaml2" | head -40 | sed 's/^/    /'
    elif [ -s "$tmp/$name.err" ]; then
        why="messages on stderr"
    fi
    if [ -n "$why" ]; then
        echo "FAIL yaml-roundtrip $conf: $why"
        head -20 "$tmp/$name.err" | sed 's/^/    /'
        failed=1
    else
        echo "PASS yaml-roundtrip $conf"
    fi
done
exit $failed
