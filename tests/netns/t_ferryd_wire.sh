#!/bin/bash
# ferryd's EtherIP on the wire: two namespaces joined by a veth, ferryd in each with a TAP. A
# capture on the veth must decode (tshark) as EtherIP version 3 carrying the sender TAP's frame;
# full-size inner packets cross (outer fragmentation); IPv6 outer works; the process lifecycle
# (pid file, control socket, SIGTERM: TAPs it made go, a persistent TAP it attached stays).
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"

[ -x "$FERRYD" ] || { skip setup "$FERRYD is not built"; exit 0; }
command -v tshark >/dev/null || { skip setup "tshark is not installed"; exit 0; }
work=$(mktemp -d /tmp/ferryd-wire.XXXXXX)
at_exit rm -rf "$work"

ns_new a && ns_new b && veth_pair a va b vb || { fail setup "namespaces"; exit 1; }
ns_exec a ip addr add 10.133.64.245/24 dev va
ns_exec b ip addr add 10.133.64.246/24 dev vb
ns_exec a ip addr add 2001:db8:64::1/64 dev va nodad
ns_exec b ip addr add 2001:db8:64::2/64 dev vb nodad
# Site B's TAP exists beforehand, persistent, as the runtime makes it; site A's ferryd makes its own.
ns_exec b ip tuntap add dev eip mode tap
ns_exec b ip link set eip up
fd_conf "$work/a.yaml" /Common/eip eip 10.133.64.245 10.133.64.246 /Common/eip6 eip6 2001:db8:64::1 2001:db8:64::2
fd_conf "$work/b.yaml" /Common/eip eip 10.133.64.246 10.133.64.245 /Common/eip6 eip6 2001:db8:64::2 2001:db8:64::1
check start-a "ferryd did not start in a" fd_start a "$work/a" "$work/a.yaml"
check start-b "ferryd did not start in b" fd_start b "$work/b" "$work/b.yaml"
check pid-and-socket "no pid file or control socket" test -s "$work/a/ferryd.pid" -a -S "$work/a/ferryd.sock"
check tap-created "ferryd did not create eip in a" eval "link_json a eip | jq -e '.[0].linkinfo.info_kind == \"tun\"'"
check tap-attached "show does not say b's eip was attached" eval "fd_ctl '$work/b' show yaml eip | grep -q 'tap: attached'"

for n in a b; do
    ns_exec $n ip link set eip up
    ns_exec $n ip link set eip6 up
done
ns_exec a ip addr add 192.168.97.1/24 dev eip
ns_exec b ip addr add 192.168.97.2/24 dev eip
ns_exec a ip addr add 192.168.98.1/24 dev eip6
ns_exec b ip addr add 192.168.98.2/24 dev eip6
mac_a=$(link_json a eip | jq -r '.[0].address')

# What a sends: its ARP request, three echo requests, maybe its ARP reply; the first three.
fd_capture b vb "$work/wire.pcap" "ip proto 97 and src host 10.133.64.245" 3 || fail capture "tshark did not start"
check ping "no ping reply through the tunnel" ns_exec a ping -c 3 -i 0.2 -W 2 192.168.97.2
wait "$FD_CAP"
fields=$(tshark -r "$work/wire.pcap" -T fields -e etherip.ver -e etherip.reserved -e eth.src -e ip.src 2>/dev/null)
echo "$fields" | sed 's/^/    /'
check decodes-as-etherip "tshark did not decode 3 EtherIP version 3 packets" \
    test "$(echo "$fields" | awk '$1 == 3 && ($2 == "0x0000" || $2 == "0")' | wc -l)" -eq 3
check inner-source-mac "the inner frames from 10.133.64.245 do not carry a's TAP MAC $mac_a" \
    eval "echo \"\$fields\" | awk -v m='$mac_a' '\$1 == 3 && \$4 ~ /^10.133.64.245/ { all++; if (index(\$3, \",\" m)) n++ } END { exit !(n == 3 && n == all) }'"
# The bytes right after the 20-byte outer IP header (frame offset 34) are 30 00.
check outer-header "the outer header is not 0x3000 right after the IP header" \
    eval "tshark -r '$work/wire.pcap' -x 2>/dev/null | grep -E '^0020 ' | awk '{ if (\$4 \$5 != \"3000\") bad++; n++ } END { exit !(n == 3 && !bad) }'"

# A full-size inner packet (1500 bytes, DF inside) crosses: the outer packet is fragmented.
fd_capture b vb "$work/frag.pcap" "ip proto 97 or (ip[6:2] & 0x1fff != 0)" 4 || fail capture-2 "tshark did not start"
check full-size-1500 "ping -s 1472 -M do did not cross the tunnel" ns_exec a ping -c 3 -i 0.3 -W 2 -s 1472 -M do 192.168.97.2
wait "$FD_CAP"
check outer-fragments "the 1536-byte outer packets were not sent as IP fragments" \
    eval "tshark -r '$work/frag.pcap' -T fields -e ip.flags.mf 2>/dev/null | grep -Eq '^(1|True)'"
check ipv6-outer "no ping reply through the IPv6 tunnel" ns_exec a ping -c 2 -i 0.2 -W 2 -s 1472 -M do 192.168.98.2

out=$(fd_count "$work/a" /Common/eip packets-out)
check counters "packets-out of a's tunnel is ${out:-missing}, not >= 5" test "${out:-0}" -ge 5
check show-text "show (text) lacks the tunnel" eval "fd_ctl '$work/a' show | grep -q '^tunnel /Common/eip$'"
check ctl-error "an unknown command is not answered with error:" eval "! fd_ctl '$work/a' frobnicate | grep -qv '^error:'"

# SIGTERM: clean exit; the TAP ferryd made goes, the persistent one stays; pid file and socket go.
check sigterm-a "ferryd in a did not exit on SIGTERM" fd_stop "$work/a"
check sigterm-b "ferryd in b did not exit on SIGTERM" fd_stop "$work/b"
check cleanup-files "pid file or socket left behind" test ! -e "$work/a/ferryd.pid" -a ! -e "$work/a/ferryd.sock"
check own-tap-removed "a's eip (ferryd's own) is still there" eval "! ns_exec a ip link show eip >/dev/null 2>&1"
check persistent-tap-kept "b's persistent eip is gone" ns_exec b ip link show eip

# A configuration refused at start: exit status 1, the reason on stderr, nothing left behind.
printf 'etherip:\n  - name: x\n    interface: eipx\n    local: 10.133.64.245\n    remote: 10.133.64.300\n' > "$work/bad.yaml"
err=$(ns_exec a "$FERRYD" --config "$work/bad.yaml" --run-dir "$work/bad" 2>&1); rc=$?
echo "    $err"
check start-refused "a bad configuration at start did not fail with the reason (rc $rc)" \
    eval "[ $rc -eq 1 ] && echo \"\$err\" | grep -q \"remote must be an IPv4 or IPv6 address, not '10.133.64.300'\""
check start-refused-clean "a refused start left a pid file, socket or TAP" \
    eval "[ ! -e '$work/bad/ferryd.pid' ] && [ ! -e '$work/bad/ferryd.sock' ] && ! ns_exec a ip link show eipx >/dev/null 2>&1"
