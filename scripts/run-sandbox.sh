#!/bin/bash
# scripts/run-sandbox.sh BUILD_DIR — what `make run` starts: ferry with the primary data centre
# example loaded, inside a network namespace of its own so nothing it does reaches the host's
# interfaces. As root: namespace ferry-demo with the example's interfaces eth1..eth5 (veth, their
# peers peer1..peer5 in the namespace too). Not root: no namespace, and it says so.
# The namespace is removed when ferry exits; the config folder is made anew each run.
set -u
cd "$(dirname "$0")/.." || exit 1

build=${1:-build}
ferry=$build/ferry
ns="ferry-demo"
owner=/run/ferry-demo.owner          # marks a ferry-demo namespace as made by this script
config_dir=/tmp/ferry-demo-config
example=examples/primary-datacenter.tmsh
in_ns=()                             # the command prefix that enters the sandbox, if any

say() { echo "run-sandbox: $*" >&2; }

# A ferry-demo namespace is removed only when the owner file says this script made it and the
# run that made it is over; anything else named ferry-demo belongs to someone else.
clear_old_sandbox() {
    ip netns list | awk '{print $1}' | grep -qx "$ns" || return 0
    if [ ! -f "$owner" ]; then
        say "a namespace '$ns' exists that this script did not make; leaving it alone"
        return 1
    fi
    local pid
    pid=$(sed -n 's/^pid //p' "$owner")
    if [ -n "$pid" ] && [ "$pid" != $$ ] && kill -0 "$pid" 2>/dev/null &&
        grep -q run-sandbox "/proc/$pid/cmdline" 2>/dev/null; then
        say "another sandbox is running (pid $pid); leaving it alone"
        return 1
    fi
    say "removing the '$ns' namespace a previous run left"
    remove_sandbox
}

setup_sandbox() {
    clear_old_sandbox || return 1
    ip netns add "$ns" || return 1
    printf 'pid %s\nmade by scripts/run-sandbox.sh\n' $$ >"$owner"
    trap remove_sandbox EXIT
    trap 'exit 130' INT TERM
    ip -n "$ns" link set lo up
    # The pairs are made inside the namespace: no end ever appears among the host's interfaces.
    # eth1..eth5 are the example's interfaces; each has a peer (peer1..peer5) to plug a host into.
    local i
    for i in 1 2 3 4 5; do
        ip -n "$ns" link add "eth$i" type veth peer name "peer$i" || return 1
        ip -n "$ns" link set "peer$i" up
    done
    in_ns=(ip netns exec "$ns")
    say "network namespace '$ns': demo interfaces eth1..eth5 (veth, peers peer1..peer5)"
    say "  look inside with: ip netns exec $ns ip -br link"
}

remove_sandbox() {
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -f "$owner"
}

run_ferry() {
    local args=(--config-dir "$config_dir")
    # In the sandbox every change reaches the namespace's kernel (and ferryd); outside it (not
    # root) ferry edits the config only.
    [ ${#in_ns[@]} -gt 0 ] && args+=(--netns "$ns")
    # Each run replays the example from scratch: a running config left by the last run would
    # make every create in it fail with "already exists".
    rm -rf "$config_dir"
    mkdir -p "$config_dir"
    if [ -f "$example" ]; then
        say "loading: $ferry ${args[*]} -f $example"
        "$ferry" "${args[@]}" -f "$example" || return 1
    else
        say "$example is missing: starting with an empty configuration"
    fi
    if [ -t 0 ]; then
        say "starting the shell: $ferry ${args[*]}   (try: list, show net vlan, help; quit leaves)"
        "$ferry" "${args[@]}"
    else
        "$ferry" "${args[@]}" -c 'list; show net vlan'
    fi
    # ferryd was started for the example's EtherIP tunnel: stop it before the namespace goes
    [ ${#in_ns[@]} -gt 0 ] && "$ferry" "${args[@]}" -c 'load sys config file /dev/null' >/dev/null 2>&1
    return 0
}

if [ ! -x "$ferry" ]; then
    say "$ferry is not built yet (make)"
    exit 1
fi
# Not root, ferry cannot change the kernel, so the host namespace is safe. As root it is not:
# without the sandbox, stop rather than let ferry near the host's own interfaces.
if [ "$(id -u)" -ne 0 ]; then
    say "not root: running without a network namespace (ferry cannot change the kernel as $(id -un))"
elif ! command -v ip >/dev/null; then
    say "ip (iproute2) is missing: cannot make the sandbox; as root, ferry will not run outside it"
    exit 1
elif ! setup_sandbox; then
    say "could not set up the '$ns' namespace; as root, ferry will not run outside it"
    exit 1
fi
run_ferry
rc=$?
exit $rc
