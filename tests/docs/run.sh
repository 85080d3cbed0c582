#!/bin/bash
# Docs that the program can check: the grammar reference is the program's own output, and every
# example config the docs point at still passes --check.
set -u
cd "$(dirname "$0")/../.."
ferry=build/ferry
if "$ferry" --help-grammar | diff -u docs/grammar.md - > /tmp/ferry-grammar.diff.$$; then
    echo "PASS docs/grammar.md matches ferry --help-grammar"
else
    echo "FAIL docs/grammar.md is stale: run build/ferry --help-grammar > docs/grammar.md"
    head -40 /tmp/ferry-grammar.diff.$$ | sed 's/^/    /'
fi
rm -f /tmp/ferry-grammar.diff.$$
for f in examples/*.conf examples/*.tmsh; do
    [ -e "$f" ] || continue
    case $f in
    *.conf) args=(--check "$f") ;;
    *) args=(--config-dir "$(mktemp -d /tmp/ferry-doc.XXXXXX)" -f "$f") ;;
    esac
    if out=$("$ferry" "${args[@]}" 2>&1 >/dev/null); then
        echo "PASS example $f"
    else
        echo "FAIL example $f: ferry ${args[*]} failed"
        echo "$out" | head -10 | sed 's/^/    /'
    fi
    [ "${args[0]}" = --config-dir ] && rm -rf "${args[1]}"
done
# Each example comes as commands and as a saved config: both must describe the same config.
for t in examples/*.tmsh; do
    [ -e "$t" ] || continue
    c=${t%.tmsh}.conf
    [ -f "$c" ] || continue
    dir=$(mktemp -d /tmp/ferry-doc.XXXXXX)
    "$ferry" --config-dir "$dir" -f "$t" -c "save sys config file $dir/replayed.conf" >/dev/null 2>&1
    if diff -u <("$ferry" --emit conf "$c" 2>&1) "$dir/replayed.conf" > "$dir/diff" 2>&1; then
        echo "PASS example $t builds the same config as $c"
    else
        echo "FAIL example $t and $c differ"
        head -30 "$dir/diff" | sed 's/^/    /'
    fi
    rm -rf "$dir"
done
