#!/bin/bash
# VLAN-group modes with real frames: in a translucent group (BIG-IP's default) a frame forwarded
# from one member to another leaves with the locally administered bit of its source MAC flipped;
# in a transparent group it leaves as it came. tshark on the receiving host is the oracle.
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"
command -v tshark >/dev/null || { skip setup "tshark is not installed"; exit 0; }
FERRY=${FERRY:-$FERRY_REPO/build/ferry}
work=$(mktemp -d /tmp/ferry-translucent.XXXXXX)
at_exit rm -rf "$work"

if ! ns_new box || ! ns_new h1 || ! ns_new h2 || ! veth_pair box e1 h1 v1 || ! veth_pair box e2 h2 v2; then
    fail setup "could not create the namespaces"
    exit 1
fi
BOX=$(ns_name box)
at_exit rm -rf "/run/ferry/$BOX"
ns_exec h1 ip addr add 10.8.0.1/24 dev v1
ns_exec h2 ip addr add 10.8.0.2/24 dev v2
ferry() { "$FERRY" --netns "$BOX" --config-dir "$work/cfg" "$@"; }
check apply "ferry could not build the translucent group" ferry -c \
    'create net vlan a interfaces add { e1 } tag 11; create net vlan b interfaces add { e2 } tag 12; create net vlan-group g members add { a b }'
h1_mac=$(ns_exec h1 ip -j link show dev v1 | jq -r '.[0].address')
flipped=$(printf '%02x%s' $((0x${h1_mac:0:2} ^ 2)) "${h1_mac:2}")

# seen_src: the Ethernet sources of the ICMP echo requests from h1 that reach h2
seen_src() {
    fd_capture h2 v2 "$work/$1.pcap" "icmp and src host 10.8.0.1" 2 || return 1
    ns_exec h1 ping -n -q -c 3 -i 0.2 -w 5 10.8.0.2 >/dev/null 2>&1
    wait "$FD_CAP" 2>/dev/null
    tshark -r "$work/$1.pcap" -T fields -e eth.src 2>/dev/null | sort -u
}
src=$(seen_src translucent)
check translucent-flips-bit "h2 saw '$src', not h1's $h1_mac with the local bit flipped ($flipped)" test "$src" = "$flipped"
check transparent "modify to mode transparent failed" ferry -c 'modify net vlan-group g mode transparent'
src=$(seen_src transparent)
check transparent-keeps-mac "h2 saw '$src', not h1's own $h1_mac" test "$src" = "$h1_mac"
check no-bridge-table "table bridge ferry is still there with no translucent group" eval \
    "! ns_exec box nft list tables | grep -q 'bridge ferry'"
