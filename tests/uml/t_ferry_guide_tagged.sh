#!/bin/bash
# Inside UML: the guide's site A with tagged VLANs, applied by ferry itself (--netns), the one
# variant the host kernel cannot take (no 802.1Q there). Every VLAN of the example is made tagged
# on its interface; ip -j -d is the oracle. The plain build only: ASan does not fit in UML.
set -u
. "$(dirname "$0")/../lib/netns.sh"

if [ -z "${FERRY_UML:-}" ]; then
    skip all "not inside UML; run it with tests/uml/run.sh"
    exit 0
fi
for m in 8021q bridge veth tun ipv6 nf_tables; do
    modprobe "$m" || fail "modprobe-$m" "modprobe $m failed"
done
FERRY=${FERRY:-$FERRY_REPO/build/ferry}
work=$(mktemp -d)
at_exit rm -rf "$work"
sed 's/{ untagged }/{ tagged }/' "$FERRY_REPO/examples/primary-datacenter.tmsh" > "$work/site-a-tagged.tmsh"
cp "$work/site-a-tagged.tmsh" "$work/site-a-tagged-locked.tmsh"
# The guest's kernel refuses nftables' inet family ("Operation not supported"), so port lockdown
# is left out here (allow-service all: no table); t_lockdown tests it on the host's kernel.
sed -n 's|^create net self \([0-9.]*\)/.*|modify net self \1 allow-service all|p' "$work/site-a-tagged.tmsh" >> "$work/site-a-tagged.tmsh"
check variant-is-tagged "the tagged variant has no tagged interface" grep -q '{ tagged }' "$work/site-a-tagged.tmsh"

if ! ns_new site; then
    fail setup "could not create a namespace"
    exit 1
fi
NS=$(ns_name site)
at_exit rm -rf "/run/ferry/$NS"
for i in 1 2 3 4 5; do ns_exec site ip link add "eth$i" type veth peer name "peer$i"; done
stop_ferryd() { "$FERRY" --netns "$NS" --config-dir "$work/cfg" -c 'load sys config file /dev/null' >/dev/null 2>&1; }
at_exit stop_ferryd
link() { ns_exec site ip -j -d link show dev "$1"; }
# First the example as it is: its port lockdown needs nftables' inet family, which this kernel
# refuses, so the apply must fail and leave nothing behind: a real failure half-way through.
ferry_links() { ns_exec site ip -j link show | jq '[.[] | select((.ifalias // "") | startswith("ferry:"))] | length'; }
if "$FERRY" --netns "$NS" --config-dir "$work/cfg0" -f "$work/site-a-tagged-locked.tmsh" 2>"$work/err0"; then
    fail nft-refused "the apply succeeded although this kernel has no inet nftables"
else
    pass nft-refused
fi
check nft-refusal-undone "ferry links remain after the refused apply: $(ferry_links)" test "$(ferry_links)" = 0
check nft-refusal-no-subif "eth3.4092 remains after the refused apply" eval "! link eth3.4092 >/dev/null 2>&1"
check nft-refusal-not-kept "the refused config was kept in running.conf" eval "! test -s '$work/cfg0/running.conf'"

if "$FERRY" --netns "$NS" --config-dir "$work/cfg" -f "$work/site-a-tagged.tmsh" 2>"$work/err"; then
    pass apply
else
    fail apply "ferry --netns could not apply the tagged site A"
    sed 's/^/    /' "$work/err"
fi

# The example's tags: eth3 carries vlan-eip1 (tag 4092), eth4 vlan-server1 (tag 4091).
tag_of() { grep -A2 "create net vlan $1 " "$work/site-a-tagged.tmsh" | sed -n 's/.* tag \([0-9]*\).*/\1/p' | head -1; }
eip_tag=$(tag_of vlan-eip1)
srv_tag=$(tag_of vlan-server1)
check eip-subif "eth3.$eip_tag is not an 802.1Q sub-interface of eth3 in vlan-eip1" eval \
    "link eth3.$eip_tag | jq -e '.[0].linkinfo.info_kind == \"vlan\" and .[0].linkinfo.info_data.id == $eip_tag and .[0].master == \"vlan-eip1\"'"
check server-subif-in-group "eth4.$srv_tag is not in vg-eip" eval \
    "link eth4.$srv_tag | jq -e '.[0].linkinfo.info_kind == \"vlan\" and .[0].master == \"vg-eip\"'"
check eth3-not-enslaved "eth3 itself was put in a bridge although it is only tagged" eval \
    "link eth3 | jq -e '.[0].master == null'"
check self-on-eip "10.133.64.245/24 is not on vlan-eip1" eval \
    "ns_exec site ip -j addr show dev vlan-eip1 | jq -e 'any(.[0].addr_info[]; .local == \"10.133.64.245\")'"
links() { ns_exec site ip -j link show | jq -c '[.[] | {ifname, ifindex}]'; }
before=$(links)
"$FERRY" --netns "$NS" --config-dir "$work/cfg" --apply 2>"$work/err"
after=$(links)
if [ "$before" = "$after" ]; then
    pass reapply-nothing
else
    fail reapply-nothing "a second apply re-created links"
    diff <(echo "$before" | jq -c '.[]') <(echo "$after" | jq -c '.[]') | sed 's/^/    /'
    sed 's/^/    /' "$work/err"
fi
check retag "changing vlan-eip1's tag failed" \
    "$FERRY" --netns "$NS" --config-dir "$work/cfg" -c 'modify net vlan vlan-eip1 tag 300'
check retagged "eth3.300 did not replace eth3.$eip_tag" eval \
    "link eth3.300 | jq -e '.[0].linkinfo.info_data.id == 300' && ! link eth3.$eip_tag >/dev/null 2>&1"
exit 0
