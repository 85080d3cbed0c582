#!/bin/bash
# ferry --netns end to end: the guide's site A applied to a fresh namespace, checked with ip -j
# and nft; a change, a second apply that changes nothing, a change the kernel refuses (the config
# and the kernel stay as they were), and an empty config that leaves nothing of ferry's behind.
set -u
. "$(dirname "$0")/../lib/netns.sh"
FERRY=${FERRY:-$FERRY_REPO/build/ferry}
cfg=$(mktemp -d /tmp/ferry-netns-cfg.XXXXXX)
at_exit rm -rf "$cfg"

if ! ns_new site; then
    fail setup "could not create a namespace"
    exit 1
fi
NS=$(ns_name site)
at_exit rm -rf "/run/ferry/$NS"
stop_ferryd() { "$FERRY" --netns "$NS" --config-dir "$cfg" -c 'load sys config file /dev/null' >/dev/null 2>&1; }
at_exit stop_ferryd
for i in 1 2 3 4 5; do ns_exec site ip link add "eth$i" type veth peer name "peer$i"; done
ferry() { "$FERRY" --netns "$NS" --config-dir "$cfg" "$@"; }

check apply-example "ferry -f examples/primary-datacenter.tmsh failed" ferry -f "$FERRY_REPO/examples/primary-datacenter.tmsh"
link() { ns_exec site ip -j -d link show dev "$1"; }
check vg-eip-bridge "vg-eip is not a bridge with 02:01:d7:92:c0:c4" eval \
    "link vg-eip | jq -e '.[0].linkinfo.info_kind == \"bridge\" and .[0].address == \"02:01:d7:92:c0:c4\"'"
check eip-tap "eip is not a TAP in vg-eip" eval "link eip | jq -e '.[0].master == \"vg-eip\" and .[0].linkinfo.info_kind == \"tun\"'"
check ferryd-runs "ferryd does not answer for the namespace" test -S "/run/ferry/$NS/ferryd.sock"
check route-proto "10.133.65.0/24 via 10.133.64.1 proto 77 is missing" eval \
    "ns_exec site ip -j route show 10.133.65.0/24 | jq -e '.[0].gateway == \"10.133.64.1\"'"
check lockdown-table "table inet ferry is missing" eval "ns_exec site nft list tables | grep -qx 'table inet ferry'"
check show-self "show net self does not say the EtherIP self is in the kernel" eval \
    "ferry -c 'show net self 10.133.64.245' | grep -q '10.133.64.245/24 .* yes'"

check modify-lockdown "modify allow-service failed" ferry -c 'modify net self 10.133.64.245 allow-service { tcp:22 }'
check lockdown-updated "tcp:22 to 10.133.64.245 is not in the ports4 set" eval \
    "ns_exec site nft list set inet ferry ports4 | grep -q '10.133.64.245 . tcp . 22'"

before=$(ns_exec site ip -j link show | jq -c '[.[] | {ifname, ifindex, master}]')
check reapply "ferry --apply failed" ferry --apply
after=$(ns_exec site ip -j link show | jq -c '[.[] | {ifname, ifindex, master}]')
check reapply-changes-nothing "a second apply re-created links" test "$before" = "$after"

# linkdown comes and goes with the bridges' carrier, whatever ferry does: compare without it
routes() { ns_exec site ip -j route show table all | jq -S -c 'map(del(.flags))'; }
routes_before=$(routes)
if ferry -c 'create net vlan vlan-nowhere interfaces add { eth9 } tag 9' 2>"$cfg/err"; then
    fail refused-change "a VLAN on the missing eth9 was accepted"
else
    pass refused-change
fi
check refused-change-says-why "the error does not name eth9" grep -q eth9 "$cfg/err"
check refused-change-not-kept "the refused VLAN is in the running config" eval "! ferry -c 'list net vlan' | grep -q vlan-nowhere"
routes_after=$(routes)
check refused-change-routes "the routes changed after a refused change" test "$routes_before" = "$routes_after"
check refused-change-links "vlan-nowhere exists after a refused change" eval "! link vlan-nowhere >/dev/null 2>&1"

check empty-config "loading an empty config failed" ferry -c 'load sys config file /dev/null'
check nothing-left "ferry's links are still there" eval \
    "test \"\$(ns_exec site ip -j link show | jq '[.[] | select(.ifalias // \"\" | startswith(\"ferry:\"))] | length')\" = 0"
check no-table "table inet ferry is still there" eval "! ns_exec site nft list tables | grep -q 'inet ferry'"
check ferryd-stopped "ferryd still answers" eval "! test -S /run/ferry/$NS/ferryd.sock"
check veths-kept "the namespace's own veths are gone" eval "link eth1 >/dev/null"
