#!/bin/bash
# Proves the netns harness itself: two namespaces joined by a veth pair, addresses on both ends,
# a ping across, the host's links untouched, and nothing left behind after cleanup.
# ip -j is the oracle for state; ping's exit status for reachability.
set -u
. "$(dirname "$0")/../lib/netns.sh"

host_links() { ip -j link show | jq -r '.[].ifname' | sort; }
before=$(host_links)

if ! ns_new a || ! ns_new b; then
    fail setup "could not create namespaces"
    exit 1
fi
A=$(ns_name a)
B=$(ns_name b)
listed() { ip -j netns list | jq -e --arg n "$1" 'any(.[]; .name == $n)' >/dev/null; }
check namespaces "ip netns list lacks $A or $B" eval 'listed "$A" && listed "$B"'

if ! veth_pair a va b vb; then
    fail veth "could not create the veth pair"
    exit 1
fi
ns_exec a ip addr add 10.200.0.1/30 dev va
ns_exec b ip addr add 10.200.0.2/30 dev vb

# A veth reports UP once both ends are up; that can lag the command by a moment.
link_up() { link_json "$1" "$2" | jq -e '.[0].operstate == "UP"' >/dev/null; }
check veth-up "va or vb is not UP" wait_for 3 eval 'link_up a va && link_up b vb'
check veth-kind "va is not a veth" eval "link_json a va | jq -e '.[0].linkinfo.info_kind == \"veth\"'"

has_addr() { # NS IF ADDR LEN
    ip -n "$(ns_name "$1")" -j addr show dev "$2" |
        jq -e --arg a "$3" --argjson l "$4" \
            '[.[0].addr_info[] | select(.family == "inet" and .local == $a and .prefixlen == $l)] | length == 1'
}
check address-a "10.200.0.1/30 is not on va" has_addr a va 10.200.0.1 30
check address-b "10.200.0.2/30 is not on vb" has_addr b vb 10.200.0.2 30
check host-untouched "the host's link list changed" test "$(host_links)" = "$before"

# -w: keep trying until one reply or the deadline, so the first ARP round trip cannot flake it.
check ping "ping from a to 10.200.0.2 got no reply" ns_exec a ping -n -q -c 1 -w 5 10.200.0.2
check ping-back "ping from b to 10.200.0.1 got no reply" ns_exec b ping -n -q -c 1 -w 5 10.200.0.1

# The negative: with vb down the same ping must fail, so a PASS above means the packets crossed the veth.
ip -n "$B" link set vb down
if ns_exec a ping -n -q -c 1 -w 1 10.200.0.2 >/dev/null 2>&1; then
    fail ping-needs-link "ping succeeded with vb down"
else
    pass ping-needs-link
fi

ns_cleanup
check cleanup "namespaces still listed after cleanup" eval '! listed "$A" && ! listed "$B"'
check cleanup-files "/run/netns still holds $A or $B" eval '[ ! -e "/run/netns/$A" ] && [ ! -e "/run/netns/$B" ]'
check host-untouched-after "the host's link list changed" test "$(host_links)" = "$before"
