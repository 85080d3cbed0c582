#!/bin/bash
# The reason ferry exists, end to end: a VM keeps its IP, its MAC and its open TCP connection while
# it moves from site A to site B, because site B's server VLAN is site A's, bridged through an
# EtherIP tunnel that ferryd carries across a routed WAN.
#
#  client 10.133.62.10 ── siteA (routes; vg-eip bridge 02:01:d7:92:c0:c4: eip TAP + server port, self 10.133.63.245)
#                            │ wan 10.133.64.245
#                          router 10.133.64.1 / 10.133.65.1
#                            │ wan 10.133.65.245
#                         siteB (vg-eip bridge 02:01:d7:92:c0:c5: eip TAP + server port, self 10.133.63.246)
#  VM 10.133.63.10 (02:00:00:63:00:10, gw 10.133.63.245): its link starts in site A's bridge,
#  and moves to site B's mid-stream. The client streams 20 MB to the VM over ~10 s; the VM's copy
#  must have the sender's sha256, with no reset.
# Built with ip commands as the lowering describes the guide's sites (docs/lowering.md).
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"

stream=$FERRY_HELPERS/stream
[ -x "$FERRYD" ] || { skip setup "$FERRYD is not built"; exit 0; }
[ -x "$stream" ] || { skip setup "$stream is not built (make)"; exit 0; }
work=$(mktemp -d /tmp/ferryd-vmotion.XXXXXX)
at_exit rm -rf "$work"

for n in client siteA router siteB vm; do ns_new $n || { fail setup "namespace $n"; exit 1; }; done
veth_pair client eth0 siteA cli || exit 1
veth_pair siteA wan router ra || exit 1
veth_pair router rb siteB wan || exit 1
veth_pair vm eth0 siteA srv || exit 1
ns_exec vm ip link set eth0 address 02:00:00:63:00:10

ns_exec client ip addr add 10.133.62.10/24 dev eth0
ns_exec client ip route add default via 10.133.62.1
ns_exec router sysctl -qw net.ipv4.ip_forward=1
ns_exec router ip addr add 10.133.64.1/24 dev ra
ns_exec router ip addr add 10.133.65.1/24 dev rb
site() {   # site NAME MAC WAN_ADDR WAN_GW SELF REMOTE
    local n=$1
    ns_exec $n sysctl -qw net.ipv4.ip_forward=1
    ns_exec $n ip addr add "$3/24" dev wan
    ns_exec $n ip route add "${6%.*}.0/24" via "$4"
    ns_exec $n ip link add vg-eip type bridge
    ns_exec $n ip link set vg-eip address "$2"
    ns_exec $n ip link set vg-eip up
    ns_exec $n ip addr add "$5/24" dev vg-eip
    ns_exec $n ip tuntap add dev eip mode tap      # persistent, as the runtime makes it
    ns_exec $n ip link set eip master vg-eip up
    fd_conf "$work/$n.yaml" /Common/eip eip "$3" "$6"
    fd_start $n "$work/$n" "$work/$n.yaml"
}
site siteA 02:01:d7:92:c0:c4 10.133.64.245 10.133.64.1 10.133.63.245 10.133.65.245
site siteB 02:01:d7:92:c0:c5 10.133.65.245 10.133.65.1 10.133.63.246 10.133.64.245
ns_exec siteA ip addr add 10.133.62.1/24 dev cli
ns_exec siteA ip link set srv master vg-eip
ns_exec vm ip addr add 10.133.63.10/24 dev eth0
ns_exec vm ip route add default via 10.133.63.245

check ferryd-running "ferryd is not answering in both sites" eval "fd_alive '$work/siteA' && fd_alive '$work/siteB'"
check client-to-vm "the client cannot reach the VM in site A" ns_exec client ping -c 2 -i 0.2 -W 2 10.133.63.10
check vlan-stretched "the VM cannot reach site B's self IP over the EtherIP bridge" \
    ns_exec vm ping -c 2 -i 0.2 -W 2 -s 1472 -M do 10.133.63.246

head -c 20000000 /dev/urandom > "$work/data"
ns_exec vm timeout 60 "$stream" recv 5001 "$work/received" > "$work/recv.out" 2> "$work/recv.err" &
receiver=$!
for _ in $(seq 50); do grep -q listening "$work/recv.err" 2>/dev/null && break; sleep 0.1; done
ns_exec client timeout 60 "$stream" send 10.133.63.10 5001 "$work/data" 2000000 > "$work/send.out" 2> "$work/send.err" &
sender=$!

sleep 4
# vMotion: the VM's link leaves site A's bridge and joins site B's (same interface inside the VM:
# same MAC, same IP); then the hypervisor's announcement (a frame from the VM) teaches the bridges.
before=$(fd_count "$work/siteB" /Common/eip packets-in)
ns_exec siteA ip link set srv netns "$(ns_name siteB)"
ns_exec siteB ip link set srv master vg-eip up
ns_exec vm ping -c 1 -W 1 10.133.63.245 >/dev/null
moved=$(date +%s.%N)
check vm-in-site-b "the VM's link is not a port of site B's vg-eip" eval "link_json siteB srv | jq -e '.[0].master == \"vg-eip\"'"
check vm-left-site-a "the VM's link is still in site A" eval "! ns_exec siteA ip link show srv >/dev/null 2>&1"

wait "$sender"; src=$?
wait "$receiver"; rrc=$?
done_at=$(date +%s.%N)
sed 's/^/    sender: /' "$work/send.err" | grep -v listening
sed 's/^/    receiver: /' "$work/recv.err" | grep -v listening
check sender-ok "the sender failed (exit $src): $(head -n 1 "$work/send.err")" test "$src" -eq 0
check receiver-ok "the receiver failed (exit $rrc): $(head -n 1 "$work/recv.err")" test "$rrc" -eq 0
check all-bytes "the VM received $(cat "$work/recv.out" 2>/dev/null) bytes, not 20000000" \
    test "$(cat "$work/recv.out" 2>/dev/null)" = 20000000
a=$(sha256sum < "$work/data" | cut -d' ' -f1)
b=$(sha256sum < "$work/received" 2>/dev/null | cut -d' ' -f1)
echo "    sent $a"
echo "    got  $b ($(awk -v a="$moved" -v b="$done_at" 'BEGIN { printf "stream ended %.1f s after the move", b - a }'))"
check same-sha256 "the VM's copy differs from what the client sent" test "$a" = "$b"
after=$(fd_count "$work/siteB" /Common/eip packets-in)
check via-tunnel "site B's tunnel did not carry the stream to the VM after the move ($before -> $after packets in)" \
    test "$((after - before))" -gt 1000
check ferryd-still-running "ferryd stopped during the move" eval "fd_alive '$work/siteA' && fd_alive '$work/siteB'"
