#!/bin/bash
# `ferry --emit ip` is a script users apply themselves: applied with `ip -batch` in an empty
# namespace it must build the guide's site A. The expectations are read off the example config by
# hand (examples/primary-datacenter.conf), and checked with ip -j.
set -u
. "$(dirname "$0")/../lib/netns.sh"
FERRY=${FERRY:-$FERRY_REPO/build/ferry}
script=$(mktemp /tmp/ferry-emit-ip.XXXXXX)
at_exit rm -f "$script"

if ! ns_new site; then
    fail setup "could not create a namespace"
    exit 1
fi
for i in 1 2 3 4 5; do   # the example's physical interfaces: veth ends named like them
    ns_exec site ip link add "eth$i" type veth peer name "peer$i"
done
"$FERRY" --emit ip "$FERRY_REPO/examples/primary-datacenter.conf" > "$script"
check emit-ip-applies "ip -batch rejected the script" ns_exec site ip -batch "$script"

link() { ns_exec site ip -j -d link show dev "$1"; }
check bridge-vlan-eip1 "vlan-eip1 is not a bridge with alias ferry:/Common/vlan-eip1" eval \
    "link vlan-eip1 | jq -e '.[0].linkinfo.info_kind == \"bridge\" and .[0].ifalias == \"ferry:/Common/vlan-eip1\"'"
check long-name-hashed "/Common/vlan-isession-WAN1 is not a 15-character bridge with its alias" eval \
    "ns_exec site ip -j link show | jq -e 'any(.[]; .ifalias == \"ferry:/Common/vlan-isession-WAN1\" and (.ifname | length) <= 15)'"
check eth3-in-vlan-eip1 "eth3 is not a port of vlan-eip1" eval "link eth3 | jq -e '.[0].master == \"vlan-eip1\"'"
check masquerade-mac "vg-eip does not have 02:01:d7:92:c0:c4" eval \
    "link vg-eip | jq -e '.[0].address == \"02:01:d7:92:c0:c4\"'"
check eip-tap-in-group "eip is not a TAP port of vg-eip" eval \
    "link eip | jq -e '.[0].master == \"vg-eip\" and .[0].linkinfo.info_kind == \"tun\"'"
check server-vlan-in-group "eth4 (vlan-server1) is not a port of vg-eip" eval "link eth4 | jq -e '.[0].master == \"vg-eip\"'"
check self-on-eip-vlan "10.133.64.245/24 is not on vlan-eip1" eval \
    "ns_exec site ip -j addr show dev vlan-eip1 | jq -e 'any(.[0].addr_info[]; .local == \"10.133.64.245\" and .prefixlen == 24)'"
check self-on-group "10.133.63.245/24 is not on vg-eip" eval \
    "ns_exec site ip -j addr show dev vg-eip | jq -e 'any(.[0].addr_info[]; .local == \"10.133.63.245\" and .prefixlen == 24)'"
check route-to-remote-eip "10.133.65.0/24 via 10.133.64.1 proto 77 is missing" eval \
    "ns_exec site ip -j route show 10.133.65.0/24 | jq -e '.[0].gateway == \"10.133.64.1\" and (.[0].protocol == \"77\" or .[0].protocol == 77)'"
check default-route "the default route via 10.133.39.1 is missing" eval \
    "ns_exec site ip -j route show default | jq -e '.[0].gateway == \"10.133.39.1\"'"
