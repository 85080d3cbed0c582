#!/bin/bash
# Reload: adding a tunnel while a ping runs over the first loses nothing (its TAP fd stays open,
# its counters go on); a bad configuration is refused with the reason and the old one keeps
# forwarding; a configuration whose TAP cannot be opened is refused whole; SIGHUP reloads too.
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"

[ -x "$FERRYD" ] || { skip setup "$FERRYD is not built"; exit 0; }
work=$(mktemp -d /tmp/ferryd-reload.XXXXXX)
at_exit rm -rf "$work"

ns_new a && ns_new b && veth_pair a va b vb || { fail setup "namespaces"; exit 1; }
ns_exec a ip addr add 10.1.0.1/24 dev va
ns_exec b ip addr add 10.1.0.2/24 dev vb
ns_exec a ip addr add 10.1.0.11/24 dev va
ns_exec b ip addr add 10.1.0.12/24 dev vb
fd_conf "$work/a.yaml" /Common/eip eip 10.1.0.1 10.1.0.2
fd_conf "$work/b.yaml" /Common/eip eip 10.1.0.2 10.1.0.1
check start "ferryd did not start" eval "fd_start a '$work/a' '$work/a.yaml' && fd_start b '$work/b' '$work/b.yaml'"
for n in a b; do ns_exec $n ip link set eip up; done
ns_exec a ip addr add 192.168.97.1/24 dev eip
ns_exec b ip addr add 192.168.97.2/24 dev eip
ns_exec a ip neigh flush dev eip   # the new TAP has a new MAC
ns_exec a ping -c 1 -W 2 192.168.97.2 >/dev/null   # neighbours resolved before counting

# 600 pings, 10 ms apart (6 s); the reloads happen in the middle.
ns_exec a ping -c 600 -i 0.01 -W 1 192.168.97.2 > "$work/ping.out" 2>&1 &
pinger=$!
sleep 1.5
before=$(fd_count "$work/b" /Common/eip packets-in)
fd_conf "$work/a.yaml" /Common/eip eip 10.1.0.1 10.1.0.2 /Common/eip2 eip2 10.1.0.11 10.1.0.12
fd_conf "$work/b.yaml" /Common/eip eip 10.1.0.2 10.1.0.1 /Common/eip2 eip2 10.1.0.12 10.1.0.11
check reload-add-a "reload in a did not answer ok" eval "test \"\$(fd_ctl '$work/a' reload)\" = ok"
check reload-add-b "reload in b did not answer ok" eval "test \"\$(fd_ctl '$work/b' reload)\" = ok"
after=$(fd_count "$work/b" /Common/eip packets-in)
check counters-kept "packets-in went from $before to $after across the reload (reset?)" test "$after" -ge "$before"
sleep 0.5

# A bad file: refused with the reason, the running tunnels stay.
cp "$work/b.yaml" "$work/b.good"
printf 'etherip:\n  - name: "/Common/eip"\n    interface: eip\n    local: 10.1.0.2\n    remote: 10.1.0.1\n    colour: blue\n' > "$work/b.yaml"
reply=$(fd_ctl "$work/b" reload)
echo "    $reply"
check bad-key-refused "the reply is not error: ... unknown key 'colour'" eval "echo \"\$reply\" | grep -q \"^error: .*unknown key 'colour'\""
check bad-value-refused "remote 10.1.0.300 was not refused" eval \
    "printf 'etherip:\n  - name: x\n    interface: eip\n    local: 10.1.0.2\n    remote: 10.1.0.300\n' > '$work/b.yaml' && fd_ctl '$work/b' reload | grep -q '^error: .*10.1.0.300'"
# A file that parses but whose TAP cannot be opened (va is a veth): refused whole.
fd_conf "$work/b.yaml" /Common/eip eip 10.1.0.2 10.1.0.1 /Common/eip3 vb 10.1.0.2 10.1.0.21
reply=$(fd_ctl "$work/b" reload)
echo "    $reply"
check tap-failure-refused "the reply is not error: ... vb ... not a TAP" eval "echo \"\$reply\" | grep -q '^error: interface vb exists and is not a TAP'"
check still-two-tunnels "after the refused reloads b does not show eip and eip2" eval \
    "fd_ctl '$work/b' show | grep -c '^tunnel ' | grep -qx 2"
check last-reload-error "show does not keep the last reload error" eval "fd_ctl '$work/b' show yaml | grep -q '^last-reload-error: \"interface vb'"
cp "$work/b.good" "$work/b.yaml"

wait "$pinger"
tail -n 2 "$work/ping.out" | sed 's/^/    /'
check no-loss "pings were lost during the reloads" grep -q ' 600 received, 0% packet loss' "$work/ping.out"

for n in a b; do ns_exec $n ip link set eip2 up; done
ns_exec a ip addr add 192.168.98.1/24 dev eip2
ns_exec b ip addr add 192.168.98.2/24 dev eip2
check new-tunnel-forwards "no ping reply through the added tunnel eip2" ns_exec a ping -c 2 -i 0.2 -W 2 192.168.98.2

# SIGHUP: back to one tunnel; the TAP ferryd made for eip2 goes.
fd_conf "$work/b.yaml" /Common/eip eip 10.1.0.2 10.1.0.1
kill -HUP "$(cat "$work/b/ferryd.pid")"
for _ in $(seq 30); do ns_exec b ip link show eip2 >/dev/null 2>&1 || break; sleep 0.1; done
check sighup-reload "after SIGHUP eip2 is still there" eval "! ns_exec b ip link show eip2 >/dev/null 2>&1"
check sighup-keeps-eip "after SIGHUP eip does not forward" ns_exec a ping -c 2 -i 0.2 -W 2 192.168.97.2
check reloads-counted "show does not count 2 reloads" eval "fd_ctl '$work/b' show yaml | grep -q '^reloads: 2$'"

# The TAP deleted under ferryd: it stops watching it (no busy loop), says so, and a reload opens
# the interface again.
ns_exec b ip link del eip
pid=$(cat "$work/b/ferryd.pid")
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
sleep 1
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
check tap-deleted-no-spin "ferryd used $((t1 - t0)) ticks in the second after its TAP was deleted" test $((t1 - t0)) -lt 20
check tap-deleted-said "show does not say the TAP is lost" eval "fd_ctl '$work/b' show | grep -q 'last error: TAP eip: .*a reload opens it again'"
check tap-deleted-reload "reload after the TAP was deleted did not answer ok" eval "test \"\$(fd_ctl '$work/b' reload)\" = ok"
ns_exec b ip link set eip up
ns_exec b ip addr add 192.168.97.2/24 dev eip
ns_exec a ip neigh flush dev eip   # the new TAP has a new MAC
check tap-deleted-forwards "after the reload eip does not forward" ns_exec a ping -c 2 -i 0.2 -W 2 192.168.97.2
