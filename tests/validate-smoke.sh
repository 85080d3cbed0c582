#!/bin/bash
# tests/validate-smoke.sh [BUILD_DIR] [--perf] — quick checks of ferry's semantic validation.
# Each case runs commands (-c, on an empty config folder) or checks a small config (--check) and
# expects one exact stderr line (or a clean run). Prints PASS/FAIL lines and a summary; exit 1 on
# any failure. --perf also times --check on the 100k-route benchmark config.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
[ "${1:-}" = --perf ] && build=build
perf=0
for a in "$@"; do [ "$a" = --perf ] && perf=1; done
FERRY=$(pwd)/$build/ferry
work=$(mktemp -d /tmp/ferry-vsmoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

report() {   # report NAME OK DETAIL...
    if [ "$2" = 1 ]; then
        echo "PASS $1"; pass=$((pass + 1))
    else
        echo "FAIL $1"; shift 2; printf '    %s\n' "$@"; fail=$((fail + 1))
    fi
}

# expect_cmd NAME 'COMMANDS' 'EXACT STDERR LINE'   (the line must appear; "" = stderr empty, rc 0)
expect_cmd() {
    local name=$1 cmds=$2 want=$3 dir rc
    dir=$(mktemp -d "$work/cfg.XXXXXX")
    (cd "$work" && "$FERRY" --config-dir "$dir" -c "$cmds" >"$work/out" 2>"$work/err")
    rc=$?
    check "$name" "$want" "$rc"
}

# expect_conf NAME 'CONFIG TEXT' 'EXACT STDERR LINE'   (checked as t.conf)
expect_conf() {
    local name=$1 text=$2 want=$3 rc
    printf '%s\n' "$text" >"$work/t.conf"
    (cd "$work" && "$FERRY" --check t.conf >"$work/out" 2>"$work/err")
    rc=$?
    check "$name" "$want" "$rc"
}

check() {
    local name=$1 want=$2 rc=$3
    if [ -z "$want" ]; then
        if [ "$rc" = 0 ] && ! grep -q 'error:' "$work/err"; then report "$name" 1
        else report "$name" 0 "expected no error, got rc $rc:" "$(cat "$work/err")"; fi
    elif [ "$rc" != 0 ] && grep -qxF -- "$want" "$work/err"; then
        report "$name" 1
    else
        report "$name" 0 "expected: $want" "rc $rc, stderr:" "$(cat "$work/err")"
    fi
}

B='create net vlan v1 interfaces add { eth1 { tagged } } tag 10; create net vlan v2 tag 20; create net self 10.1.1.1/24 vlan v1'

# --- valid configurations stay valid
expect_cmd ok-guide-site-a 'create net vlan vlan-eip1 interfaces add { eth3 { untagged } } tag 4092; create net vlan vlan-server1 interfaces add { eth4 } tag 100; create net self 10.133.64.245/24 vlan vlan-eip1 allow-service none; create net tunnels tunnel eip profile etherip local-address 10.133.64.245 remote-address 10.133.65.245; create net vlan-group vg-eip mode transparent members add { eip vlan-server1 } mac-masquerade 02:01:d7:92:c0:c4; create net route to-remote-eip network 10.133.65.0/24 gw 10.133.64.1; create net self 10.20.0.1/24 vlan vg-eip' ''
expect_cmd ok-trunk 'create net vlan native interfaces add { eth1 } tag 5; create net vlan v10 interfaces add { eth1 { tagged } } tag 10; create net vlan v10b interfaces add { eth2 { tagged } } tag 10' ''
expect_cmd ok-same-vlan-same-network "$B; create net self 10.1.1.2/24 vlan v1; create net self 10.1.1.3/25 vlan v1" ''
expect_cmd ok-ipv6 'create net vlan v1; create net self 2001:db8::1/64 vlan v1; create net route r6 network 2001:db8:99::/48 gw 2001:db8::fe; create net route d6 network default-inet6 gw 2001:db8::fe; create net route d4 network default blackhole' ''
expect_cmd ok-delete-in-order "$B; create net route r1 network 10.2.0.0/16 gw 10.1.1.254; delete net route r1; delete net self 10.1.1.1; delete net vlan v1 v2" ''

# --- rule by rule
expect_cmd tag-duplicate "$B; create net vlan v3 interfaces add { eth1 { tagged } } tag 10" \
    "<command>:1:163: error: net vlan /Common/v3: interface eth1 already carries tag 10 in net vlan /Common/v1; a tag names one VLAN on an interface: use another tag or another interface"
expect_cmd untagged-twice 'create net vlan a interfaces add { eth2 }; create net vlan b interfaces add { eth2 }' \
    "<command>:1:79: error: net vlan /Common/b: interface eth2 is already untagged in net vlan /Common/a; an interface carries untagged frames for one VLAN only: make one of them tagged"
expect_cmd tagged-no-tag 'create net vlan a interfaces add { eth2 { tagged } }' \
    "<command>:1:36: error: net vlan /Common/a: interface eth2 is tagged but the VLAN has no tag; give tag 1..4094 or make eth2 untagged"
expect_cmd self-overlap "$B; create net self 10.1.1.2/16 vlan v2" \
    "<command>:1:143: error: net self /Common/10.1.1.2: address 10.1.1.2/16 overlaps net self /Common/10.1.1.1 (10.1.1.1/24) on /Common/v1: the same network on two VLANs is ambiguous; put both on one VLAN or use networks that do not overlap"
expect_cmd self-same-address "$B; create net self other address 10.1.1.1/24 vlan v1" \
    "<command>:1:157: error: net self /Common/other: address 10.1.1.1 is already the address of net self /Common/10.1.1.1; each self IP needs its own address"
expect_cmd gw-unreachable "$B; create net route r1 network 10.2.0.0/16 gw 10.9.9.1" \
    "<command>:1:170: error: net route /Common/r1: gw 10.9.9.1 is not inside any self IP's network; add a self IP on that network or use interface"
expect_cmd route-two-nexthops "$B; create net route r1 network 10.2.0.0/16 gw 10.1.1.254 interface v1" \
    "<command>:1:191: error: net route /Common/r1: gw and interface are both given; a route takes exactly one of gw, interface or blackhole"
expect_cmd route-duplicate "$B; create net route r1 network 10.2.0.0/16 blackhole; create net route r2 network 10.2.0.0/16 interface v1" \
    "<command>:1:206: error: net route /Common/r2: network 10.2.0.0/16 is already routed by net route /Common/r1; one route per network: modify that route instead"
expect_cmd tunnel-local-not-self "$B; create net tunnels tunnel t1 profile gre local-address 10.1.1.9 remote-address 10.2.2.2" \
    "<command>:1:182: error: net tunnels tunnel /Common/t1: local-address 10.1.1.9 is not the address of any net self; a tunnel starts at one of this box's self IPs: create net self 10.1.1.9/LEN vlan VLAN or use an existing self IP's address"
expect_cmd tunnel-family "$B; create net tunnels tunnel t1 profile gre local-address 10.1.1.1 remote-address 2001:db8::1" \
    "<command>:1:206: error: net tunnels tunnel /Common/t1: remote-address 2001:db8::1 is IPv6 but local-address 10.1.1.1 is IPv4; both ends of a tunnel use one family"
expect_cmd multicast-masquerade "$B; create net vlan-group g1 members add { v2 } mac-masquerade 01:01:d7:92:c0:c4" \
    "<command>:1:186: error: net vlan-group /Common/g1: mac-masquerade 01:01:d7:92:c0:c4 is a multicast address (bit 0 of the first octet is set) and cannot be a source MAC; use the unicast, locally administered 02:01:d7:92:c0:c4 (first octet 02: bit 0 cleared, bit 1 set)"
expect_cmd member-twice "$B; create net vlan-group g1 members add { v1 }; create net vlan-group g2 members add { v2 v1 }" \
    "<command>:1:214: error: net vlan-group /Common/g2: member /Common/v1 is already in net vlan-group /Common/g1; a VLAN or tunnel belongs to one group at most"
expect_cmd delete-referenced "$B; delete net vlan v1" \
    "<command>:1:143: error: net vlan /Common/v1 cannot be deleted: net self /Common/10.1.1.1 uses it (vlan)"
expect_cmd delete-self-gw "$B; create net route r1 network 10.2.0.0/16 gw 10.1.1.254; delete net self 10.1.1.1" \
    "<command>:1:198: error: net self /Common/10.1.1.1 cannot be deleted: net route /Common/r1 uses it (gw 10.1.1.254 is inside 10.1.1.0/24)"
expect_cmd remote-is-local 'create wom local-endpoint ip 10.1.1.1; create wom remote-endpoint peer ip 10.1.1.1' \
    "<command>:1:75: error: wom remote-endpoint /Common/peer: ip 10.1.1.1 is this site's own wom local-endpoint ip; a remote endpoint is the peer site's ferryd"
expect_cmd schedule-overlap 'create wom bandwidth-schedule s entries add { weekdays 08:00-18:00 20mbit daily 17:00-19:00 5mbit }' \
    "<command>:1:75: error: wom bandwidth-schedule /Common/s: entries 'daily 17:00-19:00 5mbit' overlaps 'weekdays 08:00-18:00 20mbit' (weekdays 17:00-18:00); one rate applies at a time: make the ranges meet without overlapping"
expect_conf ipv6-overlap-conf 'net vlan /Common/a { }
net vlan /Common/b { }
net self /Common/2001:db8::1 {
    address 2001:db8::1/64
    vlan /Common/a
}
net self /Common/2001:db8::2 {
    address 2001:db8::2/48
    vlan /Common/b
}' \
    "t.conf:8:13: error: net self /Common/2001:db8::2: address 2001:db8::2/48 overlaps net self /Common/2001:db8::1 (2001:db8::1/64) on /Common/a: the same network on two VLANs is ambiguous; put both on one VLAN or use networks that do not overlap"
expect_conf wrong-kind-conf 'net route /Common/r1 {
    interface /Common/r1
    network 10.0.0.0/8
}' \
    "t.conf:2:15: error: net route /Common/r1: interface /Common/r1 is a net route, not a net vlan, net vlan-group or net tunnels tunnel"

if [ $perf = 1 ] && [ -x tests/bench/gen-large.sh ]; then
    tests/bench/gen-large.sh 4094 100000 >"$work/large.conf"
    best=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e' -o "$work/time" "$FERRY" --check "$work/large.conf" >/dev/null 2>&1
        t=$(cat "$work/time")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "  --check of 100k routes + 4094 VLANs + 4094 self IPs (load + validate): best of 3 ${best} s"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
