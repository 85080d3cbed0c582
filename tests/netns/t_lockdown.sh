#!/bin/bash
# Port lockdown with real traffic: ferry's box A locks its self IP down to tcp:22; from B a
# connection to port 22 gets through, one to port 80 does not, and a connection A makes to B gets
# its replies (established traffic passes). Then allow-service all opens port 80 too.
set -u
. "$(dirname "$0")/../lib/netns.sh"
FERRY=${FERRY:-$FERRY_REPO/build/ferry}
STREAM=$FERRY_REPO/build/tests/helpers/stream
cfg=$(mktemp -d /tmp/ferry-lockdown.XXXXXX)
at_exit rm -rf "$cfg"

if ! ns_new a || ! ns_new b || ! veth_pair a eth1 b vb; then
    fail setup "could not create the namespaces"
    exit 1
fi
A=$(ns_name a)
at_exit rm -rf "/run/ferry/$A"
ns_exec b ip addr add 10.9.0.2/24 dev vb
ferry() { "$FERRY" --netns "$A" --config-dir "$cfg" "$@"; }
check apply "ferry could not apply the locked-down self IP" ferry -c \
    'create net vlan v1 interfaces add { eth1 } tag 10; create net self 10.9.0.1/24 vlan v1 allow-service { tcp:22 }'
head -c 20000 /dev/urandom > "$cfg/payload"

stop() { kill "$@" 2>/dev/null; }
# listen PORT: a one-connection receiver in A, in the background
listen() { ns_exec a "$STREAM" recv "$1" /dev/null >/dev/null 2>&1 & at_exit stop $!; }
listen 22
listen 80
sleep 0.5
connects() { ns_exec b timeout 4 "$STREAM" send 10.9.0.1 "$1" "$cfg/payload" 0 >/dev/null 2>&1; }
check ping-allowed "ICMP to the locked self IP got no reply" ns_exec b ping -n -q -c 1 -w 5 10.9.0.1
check tcp22-allowed "tcp:22 to the locked self IP did not connect" connects 22
if connects 80; then
    fail tcp80-blocked "tcp:80 connected through allow-service { tcp:22 }"
else
    pass tcp80-blocked
fi

# A starts a connection to B: B's replies come back to A's locked address on A's ephemeral port.
ns_exec b "$STREAM" recv 5000 /dev/null >/dev/null 2>&1 &
srv=$!
at_exit stop "$srv"
sleep 0.3
check established-replies "a connection from A to B failed: replies were dropped" \
    ns_exec a timeout 4 "$STREAM" send 10.9.0.2 5000 "$cfg/payload" 0

check open-all "modify to allow-service all failed" ferry -c 'modify net self 10.9.0.1 allow-service all'
listen 80
sleep 0.3
check tcp80-after-all "tcp:80 still blocked after allow-service all" connects 80
