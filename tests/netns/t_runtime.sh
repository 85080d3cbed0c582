#!/bin/bash
# The runtime engine (runtime_apply) against the host kernel: BUILD/tests/netns/runtime_netns, from
# tests/netns/runtime_netns.c, runs each test in a network namespace of its own (unshare) and checks
# the kernel with ip -j and nft. The sanitizer build's copy runs too when it is there, as
# t_runtime-san/*. The UML part (802.1Q, GRE) is tests/uml/t_runtime_vlan.sh.
set -u
. "$(dirname "$0")/../lib/netns.sh"

build=$(dirname "${FERRY:-$FERRY_REPO/build/ferry}")
bin=$build/tests/netns/runtime_netns
if [ ! -x "$bin" ]; then
    fail build "$bin is missing (run make)"
    exit 1
fi
"$bin" -p t_runtime
san=$FERRY_REPO/build-san/tests/netns/runtime_netns
if [ "$(abs_path "$build")" != "$FERRY_REPO/build-san" ] && [ -x "$san" ]; then
    "$san" -p t_runtime-san
fi
exit 0
