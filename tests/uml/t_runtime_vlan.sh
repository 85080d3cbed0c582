#!/bin/bash
# Inside UML: the runtime engine with what the host kernel lacks — 802.1Q sub-interfaces under
# bridges, gretap and ip6gretap ports, gre, geneve, ipip, ip6tnl — created from a plan, changed
# (a new tag or remote makes the link again), a failing apply undone byte for byte, all removed.
# BUILD/tests/netns/runtime_netns uml-vlan-gre does it in a namespace of its own and checks with
# ip -j -d. The plain build only: ASan does not fit in UML.
set -u
. "$(dirname "$0")/../lib/netns.sh"

if [ -z "${FERRY_UML:-}" ]; then
    # modprobe would load modules into the host's kernel: never run this outside the guest.
    skip all "not inside UML; run it with tests/uml/run.sh"
    exit 0
fi
for m in 8021q ip_gre ip6_gre ipip ip6_tunnel geneve vxlan bridge veth tun ipv6 nf_tables; do
    modprobe "$m" || fail "modprobe-$m" "modprobe $m failed"
done
build=$(dirname "${FERRY:-$FERRY_REPO/build/ferry}")
bin=$build/tests/netns/runtime_netns
if [ ! -x "$bin" ]; then
    fail build "$bin is missing (run make)"
    exit 1
fi
"$bin" -p t_runtime_vlan uml-vlan-gre
exit 0
