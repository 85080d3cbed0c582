#!/bin/bash
# tests/netns/run.sh [BUILD_DIR] — runs each tests/netns/t_*.sh against the host kernel, in network
# namespaces the tests make with tests/lib/netns.sh. Each test prints its own result lines.
# Not root, or namespaces unavailable: one SKIP per test script, with the reason.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$FERRY_REPO" || exit 1

build=${1:-build}
export FERRY_REPO
export FERRY
FERRY=$(abs_path "$build")/ferry   # may not exist yet; tests that need it say so
timeout_s=${NETNS_TIMEOUT:-600}
scratch=$(mktemp -d /tmp/ferry-netns.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

shopt -s nullglob
scripts=(tests/netns/t_*.sh)
[ ${#scripts[@]} -eq 0 ] && exit 0

# Why namespaced tests cannot run here, or nothing when they can.
cannot_run() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)"
        return
    fi
    command -v ip >/dev/null || { echo "ip (iproute2) is not installed"; return; }
    command -v jq >/dev/null || { echo "jq is not installed (the tests read ip -j with it)"; return; }
    local probe=ferryt-$$-probe err
    if ! err=$(ip netns add "$probe" 2>&1); then
        echo "ip netns add failed: $(echo "$err" | head -n 1)"
        return
    fi
    ip netns del "$probe"
}

why=$(cannot_run)
if [ -n "$why" ]; then
    for s in "${scripts[@]}"; do echo "SKIP $(basename "$s" .sh): $why"; done
    exit 0
fi

# sweep PREFIX: removes namespaces a killed test left behind. The prefix is unique to this runner
# and test, so only namespaces this run made can match.
sweep() {
    local left n
    left=$(ip netns list | awk '{print $1}' | grep -E "^$1-" || true)
    [ -z "$left" ] && return 0
    for n in $left; do
        pids=$(ip netns pids "$n" 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns del "$n"
    done
    echo "$left"
}

i=0
for s in "${scripts[@]}"; do
    i=$((i + 1))
    name=$(basename "$s" .sh)
    if [ ! -x "$s" ]; then
        echo "FAIL $name: $s is not executable (chmod +x, and commit the mode)"
        continue
    fi
    prefix=ferryt-$$-$i
    out=$scratch/$name.out
    err=$scratch/$name.err
    { FERRYT_PREFIX=$prefix timeout -k 10 "$timeout_s" "$s" </dev/null >"$out" 2>"$err"; } 2>/dev/null
    rc=$?
    pass_through "$out"
    judge_run "$name" "$rc" "$out" "$err"
    left=$(sweep "$prefix")
    if [ -n "$left" ]; then
        echo "FAIL $name/cleanup: left namespaces behind (now removed): $(echo $left)"
    fi
done
exit 0
