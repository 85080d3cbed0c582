#!/bin/bash
# tests/fuzz/run.sh [--long] — libFuzzer targets tests/fuzz/fuzz_*.c (each defines
# LLVMFuzzerTestOneInput), built with clang -fsanitize=fuzzer,address,undefined against the
# library sources (grammar/*.c compiler/*.c runtime/*.c, and the shell's completion engine) into
# build-fuzz/.
#
# Default (make test): build each target and replay tests/fuzz/corpus/<target>/* and
# tests/fuzz/crashes/<target>/* once: PASS or FAIL per target. crashes/ holds inputs that once
# crashed a target; they stay as regression tests.
# --long (make fuzz): fuzz each target for FUZZ_SECONDS (60) with its corpus folder, which grows;
# a crash leaves its input in build-fuzz/artifacts/<target>/ — fix it, then move it to crashes/.
# No targets: prints nothing. No clang or no libFuzzer runtime: SKIP per target, with the reason.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$FERRY_REPO" || exit 1

long=0
[ "${1:-}" = --long ] && long=1
seconds=${FUZZ_SECONDS:-60}
out=build-fuzz
pkgs="libedit yaml-0.1 libnl-3.0 libnl-route-3.0 libnftables libzstd liblz4 openssl"
version=$(sed -n 's/^VERSION *:= *//p' Makefile)

shopt -s nullglob
targets=(tests/fuzz/fuzz_*.c)
[ ${#targets[@]} -eq 0 ] && exit 0
lib_srcs=(grammar/*.c compiler/*.c runtime/*.c shell/complete.c)   # the library, as the Makefile builds it

# Why fuzz targets cannot be built here, or nothing when they can.
cannot_build() {
    command -v clang >/dev/null || { echo "clang is not installed"; return; }
    command -v pkg-config >/dev/null || { echo "pkg-config is not installed"; return; }
    local probe
    probe=$(mktemp -d /tmp/ferry-fuzz-probe.XXXXXX)
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
    if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >"$probe/log" 2>&1; then
        echo "clang cannot link -fsanitize=fuzzer (libFuzzer runtime missing? Debian: libclang-rt-dev): $(head -n 1 "$probe/log")"
    fi
    rm -rf "$probe"
}

why=$(cannot_build)
if [ -n "$why" ]; then
    for t in "${targets[@]}"; do echo "SKIP $(basename "$t" .c): $why"; done
    exit 0
fi

# pkg-config for every library the program links, as the Makefile does; the flags may be partial
# when a -dev package is missing, and then the compiler's error says which.
pkg_cflags=$(pkg-config --cflags $pkgs 2>/dev/null)
pkg_libs=$(pkg-config --libs $pkgs 2>/dev/null)
mkdir -p "$out"

# build NAME SRC: one clang run per target, library sources included, so every line is
# instrumented for coverage. -O1 -g: fast enough to fuzz, readable stacks.
build() {
    local name=$1 src=$2
    # shellcheck disable=SC2086
    clang -std=gnu11 -O1 -g -D_GNU_SOURCE -DFERRY_VERSION=\"$version\" -DFERRY_FUZZ=1 -I. $pkg_cflags \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
        "$src" "${lib_srcs[@]}" $pkg_libs -lm -lpthread -o "$out/$name" >"$out/$name.build.log" 2>&1
}

# replay NAME: every stored input once; libFuzzer exits non-zero on the first crash, leak or timeout.
replay() {
    local name=$1 inputs=() log=$out/$1.replay.log
    local f
    for f in tests/fuzz/corpus/"$name"/* tests/fuzz/crashes/"$name"/*; do
        [ -f "$f" ] && inputs+=("$f")
    done
    # No stored inputs yet: the empty input at least proves the target runs.
    if [ ${#inputs[@]} -eq 0 ]; then
        : >"$out/$name.empty"
        inputs=("$out/$name.empty")
    fi
    if timeout -k 5 600 "$out/$name" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$log" 2>&1; then
        echo "PASS $name"
        [ "${inputs[0]}" = "$out/$name.empty" ] && echo "    no stored inputs yet: replayed the empty input"
        [ "${inputs[0]}" != "$out/$name.empty" ] && echo "    replayed ${#inputs[@]} inputs"
    else
        local last
        last=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
        echo "FAIL $name: ${last:-an input} crashed, leaked or timed out"
        if has_sanitizer_report "$log"; then sanitizer_excerpt "$log"; else tail_indented "$log" 20; fi
    fi
}

# fuzz NAME: FUZZ_SECONDS of fuzzing; new inputs go into the corpus folder, crashes into artifacts.
fuzz() {
    local name=$1 corpus=tests/fuzz/corpus/$1 art=$out/artifacts/$1/ log=$out/$1.fuzz.log extra=()
    mkdir -p "$corpus" "$art"
    [ -f "tests/fuzz/$name.dict" ] && extra+=("-dict=tests/fuzz/$name.dict")
    # Past crashes seed the run too (read only: new inputs go to the first folder, the corpus).
    [ -d "tests/fuzz/crashes/$name" ] && extra+=("tests/fuzz/crashes/$name")
    if timeout -k 10 $((seconds + 120)) "$out/$name" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" "$corpus" "${extra[@]}" >"$log" 2>&1; then
        echo "PASS $name"
        grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" | indent
    else
        echo "FAIL $name: crash found; input in $(ls -t "$art" 2>/dev/null | head -n 1 | sed "s|^|$art|")"
        if has_sanitizer_report "$log"; then sanitizer_excerpt "$log"; else tail_indented "$log" 20; fi
    fi
}

for src in "${targets[@]}"; do
    name=$(basename "$src" .c)
    if ! build "$name" "$src"; then
        echo "FAIL $name: build failed"
        tail_indented "$out/$name.build.log" 20
        continue
    fi
    if [ $long = 1 ]; then fuzz "$name"; else replay "$name"; fi
done
exit 0
