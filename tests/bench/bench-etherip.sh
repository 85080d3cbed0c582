#!/bin/bash
# tests/bench/bench-etherip.sh BUILD: TCP throughput (iperf3, 10 s) between two namespaces through
# ferryd's EtherIP tunnel and through a kernel vxlan tunnel over the same veth, same run; the ratio
# (bar: EtherIP >= 0.5x vxlan) and ferryd's CPU (utime+stime from /proc/PID/stat over the run).
# EtherIP is measured twice: with a TAP MTU that fits the 1500-byte veth (1464, as vxlan's 1450
# fits it: the like-for-like figure) and with 1500 (full-size inner frames, outer fragmentation:
# what the server-VLAN bridge of the guide's scenario carries).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
ferryd=$(pwd)/$build/ferryd
secs=${BENCH_SECONDS:-10}
echo "== EtherIP throughput: ferryd vs kernel vxlan, iperf3 TCP ${secs} s, two namespaces over one veth"
for tool in iperf3 ip; do
    command -v $tool >/dev/null || { echo "  skipped: $tool is not installed"; exit 0; }
done
[ -x "$ferryd" ] || { echo "  skipped: $ferryd is not built"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "  skipped: not root (network namespaces)"; exit 0; }

p=ferryb-$$
work=$(mktemp -d /tmp/ferry-bench-eip.XXXXXX)
cleanup() {
    for d in a b; do
        [ -f "$work/$d/ferryd.pid" ] && kill "$(cat "$work/$d/ferryd.pid")" 2>/dev/null
    done
    sleep 0.3
    for n in a b; do
        pids=$(ip netns pids "$p-$n" 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns del "$p-$n" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
A() { ip netns exec "$p-a" "$@"; }
B() { ip netns exec "$p-b" "$@"; }

ip netns add "$p-a" && ip netns add "$p-b" || exit 0
ip -n "$p-a" link add va type veth peer name vb netns "$p-b"
A ip addr add 10.9.0.1/24 dev va; B ip addr add 10.9.0.2/24 dev vb
for n in a b; do ip -n "$p-$n" link set lo up; done
A ip link set va up; B ip link set vb up
printf 'etherip:\n  - name: "/Common/eip"\n    interface: eip\n    local: 10.9.0.1\n    remote: 10.9.0.2\n' > "$work/a.yaml"
printf 'etherip:\n  - name: "/Common/eip"\n    interface: eip\n    local: 10.9.0.2\n    remote: 10.9.0.1\n' > "$work/b.yaml"
A "$ferryd" --config "$work/a.yaml" --run-dir "$work/a" && B "$ferryd" --config "$work/b.yaml" --run-dir "$work/b" ||
    { echo "  skipped: ferryd did not start"; exit 0; }
A ip addr add 10.8.0.1/24 dev eip; B ip addr add 10.8.0.2/24 dev eip
A ip link add vx type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dstport 4789 dev va
B ip link add vx type vxlan id 42 local 10.9.0.2 remote 10.9.0.1 dstport 4789 dev vb
A ip addr add 10.7.0.1/24 dev vx; B ip addr add 10.7.0.2/24 dev vx
A ip link set vx up; B ip link set vx up
B iperf3 -s -D -p 5201 --pidfile "$work/iperf.pid" >/dev/null 2>&1
sleep 0.5

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
pa=$(cat "$work/a/ferryd.pid"); pb=$(cat "$work/b/ferryd.pid")

# run DEST: iperf3 for $secs s; prints Mbit/s received.
run() {
    A iperf3 -c "$1" -p 5201 -t "$secs" -J 2>/dev/null |
        awk -F'[:,]' '/"sum_received"/ { on = 1 } on && /"bits_per_second"/ { printf "%.0f\n", $2 / 1e6; exit }'
}

vx=$(run 10.7.0.2)
results=()
for mtu in 1464 1500; do
    A ip link set eip mtu $mtu; B ip link set eip mtu $mtu
    A ping -c 1 -W 2 10.8.0.2 >/dev/null
    ca=$(cpu_ticks "$pa"); cb=$(cpu_ticks "$pb"); t0=$(date +%s.%N)
    eip=$(run 10.8.0.2)
    t1=$(date +%s.%N)
    ua=$(( $(cpu_ticks "$pa") - ca )); ub=$(( $(cpu_ticks "$pb") - cb ))
    results+=("$mtu ${eip:-0} $ua $ub $t0 $t1")
done
vx=${vx:-0}
printf '  kernel vxlan (MTU 1450):                %6d Mbit/s\n' "$vx"
for r in "${results[@]}"; do
    read -r mtu eip ua ub t0 t1 <<< "$r"
    awk -v mtu="$mtu" -v e="$eip" -v v="$vx" -v ua="$ua" -v ub="$ub" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {
        ratio = v > 0 ? e / v : 0
        el = t1 - t0
        printf "  ferryd EtherIP (TAP MTU %d%s): %6d Mbit/s  ratio %.2fx vxlan (bar >= 0.5x: %s)\n", mtu,
            (mtu > 1464 ? ", fragments" : ",          "), e, ratio, (ratio >= 0.5 ? "met" : "MISSED")
        printf "      ferryd CPU over the run: sender side %.0f%%, receiver side %.0f%% of one CPU\n",
            100 * ua / hz / el, 100 * ub / hz / el
    }'
done
echo "  (machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); iperf3, both ferryds and the kernel share them)"
exit 0
