#!/bin/bash
# Inside UML: the guest kernel provides what the host's lacks and later tests need — 802.1Q
# sub-interfaces, gretap, netem, dummy — plus the modules the design names. `ip -j -d` (and
# `tc -j` for qdiscs) is the oracle. Everything but modprobe happens in a namespace of its own.
set -u
. "$(dirname "$0")/../lib/netns.sh"

if [ -z "${FERRY_UML:-}" ]; then
    # modprobe would load modules into the host's kernel: never run this outside the guest.
    skip all "not inside UML; run it with tests/uml/run.sh"
    exit 0
fi
echo "    kernel $(uname -r), $(nproc) CPU, $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo)"

for m in 8021q ip_gre sch_netem dummy veth bridge tun tcp_bbr nf_tables nft_tproxy ipv6; do
    check "modprobe-$m" "modprobe $m failed" modprobe "$m"
done

if ! ns_new k; then
    fail netns "ip netns add failed inside UML"
    exit 1
fi
K=$(ns_name k)
ip_k() { ip -n "$K" "$@"; }
# jq_link IF FILTER: runs FILTER on `ip -j -d link show IF`, succeeding when it yields true.
jq_link() { ip_k -j -d link show dev "$1" | jq -e ".[0] | $2" >/dev/null; }

check veth "veth pair v0/v1 not created" eval 'ip_k link add v0 type veth peer name v1 &&
    ip_k link set v0 up && ip_k link set v1 up && jq_link v0 ".linkinfo.info_kind == \"veth\""'

ip_k link add link v0 name v0.100 type vlan id 100
check vlan "v0.100 is not an 802.1Q VLAN with id 100 on v0" \
    jq_link v0.100 '.linkinfo.info_kind == "vlan" and .linkinfo.info_data.protocol == "802.1Q"
        and .linkinfo.info_data.id == 100 and .link == "v0"'

ip_k link add g0 type gretap local 10.9.0.1 remote 10.9.0.2 key 7
check gretap "g0 is not a gretap link 10.9.0.1 -> 10.9.0.2" \
    jq_link g0 '.linkinfo.info_kind == "gretap" and .linkinfo.info_data.local == "10.9.0.1"
        and .linkinfo.info_data.remote == "10.9.0.2"'

ip_k link add d0 type dummy
check dummy "d0 is not a dummy link" jq_link d0 '.linkinfo.info_kind == "dummy"'

tc -n "$K" qdisc add dev v0 root netem delay 10ms
check netem "v0's root qdisc is not netem with a 10 ms delay" eval '
    tc -n "$K" -j qdisc show dev v0 | jq -e ".[] | select(.root) | .kind == \"netem\" and .options.delay.delay == 0.01" >/dev/null &&
    jq_link v0 ".qdisc == \"netem\""'

# netem must really hold packets: a ping over v0 takes at least the 10 ms it adds.
ip_k addr add 10.201.0.1/30 dev v0
ns_new p && ip_k link set v1 netns "$(ns_name p)" && ip -n "$(ns_name p)" addr add 10.201.0.2/30 dev v1 &&
    ip -n "$(ns_name p)" link set v1 up
out=$(ns_exec k ping -n -c 3 -i 0.2 -w 5 10.201.0.2 2>&1)
min=$(echo "$out" | sed -nE 's|^rtt min/avg/max/mdev = ([0-9.]+)/.*|\1|p')
if [ -z "$min" ]; then
    fail netem-delay "no ping reply across the netem link"
    echo "$out" | indent
elif awk -v m="$min" 'BEGIN { exit !(m >= 10) }'; then
    pass netem-delay
    echo "    rtt min $min ms with netem delay 10ms"
else
    fail netem-delay "rtt min $min ms, expected at least 10 ms"
fi

# ferry will create links without calling modprobe: the kernel must load modules by itself.
check autoload "ip link add type vxlan did not load vxlan on demand" \
    eval 'ip_k link add vx0 type vxlan id 42 dstport 4789 && jq_link vx0 ".linkinfo.info_kind == \"vxlan\""'

check ipv6 "no ::1 on lo after modprobe ipv6" \
    eval 'ip_k -j addr show dev lo | jq -e "any(.[0].addr_info[]; .local == \"::1\")" >/dev/null'
