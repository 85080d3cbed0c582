# shellcheck shell=bash
# Network namespace helpers for kernel tests. Sourced by tests/netns/t_*.sh (and later by UML tests).
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   ns_new a && ns_new b                 # namespaces ferryt-<pid>-a, ferryt-<pid>-b, removed on exit
#   veth_pair a va b vb                  # va in a <-> vb in b, both up
#   ns_exec a ip addr add 10.200.0.1/30 dev va
#   ip -n "$(ns_name a)" -j link show    # the full name, for ip -n and friends
#
# Tests refer to namespaces by short names; the full name carries a prefix unique to this run
# ($FERRYT_PREFIX when a runner sets one, else ferryt-<pid>), so parallel runs never collide and a
# runner can sweep up whatever a killed test left behind. Nothing here touches the host's own
# interfaces, routes or firewall: links are created inside a test namespace, never moved out.
#
# This file owns the EXIT trap. A test that needs its own cleanup registers it with at_exit
# instead of calling trap, or the namespaces would outlive it.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FERRYT_PREFIX=${FERRYT_PREFIX:-ferryt-$$}
_ferryt_ns=()      # short names of the namespaces this script made and has not deleted
_ferryt_exit=()    # at_exit commands, run last-registered first

at_exit() { _ferryt_exit+=("$*"); }

_ferryt_on_exit() {
    local i
    for ((i = ${#_ferryt_exit[@]} - 1; i >= 0; i--)); do
        eval "${_ferryt_exit[i]}" || true
    done
    _ferryt_exit=()
    ns_cleanup
}
trap _ferryt_on_exit EXIT
# Without these a Ctrl-C or the runner's timeout would end the script without the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

ns_name() { echo "$FERRYT_PREFIX-$1"; }

# ns_new NAME: a fresh namespace with lo up, registered for removal on exit.
ns_new() {
    local name=$1 full
    case $name in
        '' | *[!A-Za-z0-9_.-]*) echo "ns_new: bad name '$name'" >&2; return 1 ;;
    esac
    full=$(ns_name "$name")
    ip netns add "$full" || return 1
    _ferryt_ns+=("$name")
    ip -n "$full" link set lo up
}

# ns_exec NAME CMD...: CMD inside the namespace.
ns_exec() {
    local full
    full=$(ns_name "$1")
    shift
    ip netns exec "$full" "$@"
}

# ns_del NAME: ends the processes still running inside it (only this test's can be there: the
# name is unique to the run), then removes it.
ns_del() {
    local full pids
    full=$(ns_name "$1")
    pids=$(ip netns pids "$full" 2>/dev/null)
    if [ -n "$pids" ]; then
        kill $pids 2>/dev/null
        sleep 0.2
        pids=$(ip netns pids "$full" 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    fi
    ip netns del "$full" 2>/dev/null
    local keep=() n
    for n in "${_ferryt_ns[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
    _ferryt_ns=("${keep[@]}")
}

# ns_cleanup: removes every namespace this script made. Safe to call twice.
ns_cleanup() {
    local n
    for n in "${_ferryt_ns[@]}"; do ns_del "$n"; done
    _ferryt_ns=()
}

# veth_pair NS1 IF1 NS2 IF2: a veth pair from IF1 in NS1 to IF2 in NS2, both ends up. Made inside
# NS1 with the peer created straight in NS2, so no end ever exists in the host namespace.
veth_pair() {
    local a b
    a=$(ns_name "$1")
    b=$(ns_name "$3")
    ip -n "$a" link add "$2" type veth peer name "$4" netns "$b" || return 1
    ip -n "$a" link set "$2" up && ip -n "$b" link set "$4" up
}

# link_json NS IF: `ip -j -d link show` of one link, the oracle the tests read with jq.
link_json() { ip -n "$(ns_name "$1")" -j -d link show dev "$2"; }
