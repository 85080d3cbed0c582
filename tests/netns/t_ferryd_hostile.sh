#!/bin/bash
# Hostile protocol-97 input: packets with another version, reserved bits set, too short, or from
# an address that is no tunnel's remote are dropped and counted by reason; none reaches the TAP;
# ferryd keeps running. The forged packets come from send97 (raw IP_HDRINCL socket) in namespace a.
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"

send97=$FERRY_HELPERS/send97
[ -x "$FERRYD" ] || { skip setup "$FERRYD is not built"; exit 0; }
[ -x "$send97" ] || { skip setup "$send97 is not built (make)"; exit 0; }
command -v tshark >/dev/null || { skip setup "tshark is not installed"; exit 0; }
work=$(mktemp -d /tmp/ferryd-hostile.XXXXXX)
at_exit rm -rf "$work"

ns_new a && ns_new b && veth_pair a va b vb || { fail setup "namespaces"; exit 1; }
ns_exec a ip addr add 10.1.0.1/24 dev va
ns_exec b ip addr add 10.1.0.2/24 dev vb
fd_conf "$work/b.yaml" /Common/eip eip 10.1.0.2 10.1.0.1
check start "ferryd did not start" fd_start b "$work/b" "$work/b.yaml"
ns_exec b ip link set eip up

# Inner frames: broadcast, a marker EtherType (0x88b5, local experimental), source ..:aa for the
# hostile ones, ..:bb for the one good packet.
pad=$(printf '%092d' 0)
bad_frame=ffffffffffff0200000000aa88b5$pad
good_frame=ffffffffffff0200000000bb88b5$pad

rm -f "$work/tap.pcap"
ns_exec b timeout 20 tshark -q -i eip -f "ether proto 0x88b5" -a duration:6 -w "$work/tap.pcap" >/dev/null 2>"$work/tshark.log" &
cap=$!
for _ in $(seq 100); do grep -q "Capturing on" "$work/tshark.log" 2>/dev/null && break; sleep 0.1; done

s() { ns_exec a "$send97" "$@"; }
s 10.1.0.1 10.1.0.2 4000$bad_frame 200            # version 4
s 10.1.0.1 10.1.0.2 3001$bad_frame 3              # reserved bits
s 10.1.0.1 10.1.0.2 3100$bad_frame 2              # version 3, a reserved bit in the first byte
s 10.1.0.1 10.1.0.2 3000ffffffffffff0200 4        # 2 + 8 bytes: shorter than an Ethernet header
s 10.1.0.1 10.1.0.2 30 1                          # 1 byte
s 10.1.0.99 10.1.0.2 3000$bad_frame 5             # a source that is no tunnel's remote
s 10.1.0.1 10.1.0.2 3000$good_frame 1             # the control: this one must arrive
wait "$cap"

frames=$(tshark -r "$work/tap.pcap" -T fields -e eth.src 2>/dev/null)
echo "$frames" | sort | uniq -c | sed 's/^/    /'
check good-delivered "the well-formed packet did not reach the TAP" eval "echo \"\$frames\" | grep -q '02:00:00:00:00:bb'"
check nothing-hostile "a hostile packet reached the TAP" eval "! echo \"\$frames\" | grep -q '02:00:00:00:00:aa'"

show=$(fd_ctl "$work/b" show yaml)
echo "$show" | sed -n '/drops:/,/last-error/p' | sed 's/^/    /'
c() { fd_count "$work/b" /Common/eip "$1"; }
check count-bad-version "bad-version is $(c bad-version), not 200" test "$(c bad-version)" = 200
check count-bad-reserved "bad-reserved is $(c bad-reserved), not 5" test "$(c bad-reserved)" = 5
check count-short "short is $(c short), not 5" test "$(c short)" = 5
check count-unknown-peer "unknown-peer is $(fd_global "$work/b" unknown-peer), not 5" test "$(fd_global "$work/b" unknown-peer)" = 5
check last-unknown-peer "show does not name 10.1.0.99 as the last unknown peer" eval "echo \"\$show\" | grep -q 'last-unknown-peer: 10.1.0.99'"
check packets-in "packets-in is $(c packets-in), not 1" test "$(c packets-in)" = 1
check still-running "ferryd is not running or not answering" fd_alive "$work/b"
