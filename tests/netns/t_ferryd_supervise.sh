#!/bin/bash
# Supervision (runtime/ferryd_supervise.c, driven by tests/helpers/ferryd_sync as an apply would):
# the first sync starts ferryd in the namespace, the same configuration again changes nothing, a
# changed one is a reload, a refused one leaves ferryd and its file as they were, none stops it.
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/ferryd.sh"

sync=$FERRY_HELPERS/ferryd_sync
[ -x "$FERRYD" ] || { skip setup "$FERRYD is not built"; exit 0; }
[ -x "$sync" ] || { skip setup "$sync is not built (make)"; exit 0; }
export FERRYD
work=$(mktemp -d /tmp/ferryd-sup.XXXXXX)
at_exit rm -rf "$work"
ns_new a || { fail setup "namespace"; exit 1; }
ns=$(ns_name a)
run=$work/run
fd_track "$run"
s() {   # s YAML_FILE|-
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$run/sanitizer" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$run/sanitizer" \
        LSAN_OPTIONS="${LSAN_OPTIONS:-}:log_path=$run/sanitizer" "$sync" "$ns" "$run" "$work/ferryd.yaml" "$1"
}

fd_conf "$work/one.yaml" /Common/eip eip 10.1.0.1 10.1.0.2
fd_conf "$work/two.yaml" /Common/eip eip 10.1.0.1 10.1.0.2 /Common/eip2 eip2 10.1.0.1 10.1.0.3
printf 'etherip:\n  - name: x\n    interface: eip\n    local: 10.1.0.1\n' > "$work/bad.yaml"

check start "the first sync did not start ferryd" s "$work/one.yaml"
check in-namespace "eip is not in the namespace" ns_exec a ip link show eip
check serving "ferryd does not show /Common/eip" eval "fd_ctl '$run' show | grep -q '^tunnel /Common/eip$'"
pid=$(cat "$run/ferryd.pid")
check same-again "the same configuration again failed" s "$work/one.yaml"
check same-no-reload "the same configuration again reloaded or restarted ferryd" \
    eval "[ \"\$(cat '$run/ferryd.pid')\" = '$pid' ] && fd_ctl '$run' show yaml | grep -q '^reloads: 0$'"
check changed-reloads "a changed configuration failed" s "$work/two.yaml"
check changed-two "after the reload ferryd does not show two tunnels (same pid $pid)" \
    eval "[ \"\$(cat '$run/ferryd.pid')\" = '$pid' ] && [ \"\$(fd_ctl '$run' show | grep -c '^tunnel ')\" = 2 ]"
err=$(s "$work/bad.yaml" 2>&1); rc=$?
echo "    $err"
check refused "a bad configuration was not refused with ferryd's reason" \
    eval "[ $rc -eq 1 ] && echo \"\$err\" | grep -q \"refused the configuration: .*'remote' is missing\""
check refused-file-restored "the file was not put back after the refusal" cmp -s "$work/ferryd.yaml" "$work/two.yaml"
check refused-still-two "after the refusal ferryd does not run the two tunnels" \
    eval "[ \"\$(fd_ctl '$run' show | grep -c '^tunnel ')\" = 2 ]"
check stop "a sync with none did not succeed" s -
check stopped "ferryd still runs, or its pid file, socket or configuration is left" \
    eval "! kill -0 $pid 2>/dev/null && [ ! -e '$run/ferryd.pid' ] && [ ! -e '$run/ferryd.sock' ] && [ ! -e '$work/ferryd.yaml' ]"
err=$(FERRYD=/nonexistent/ferryd s "$work/one.yaml" 2>&1); rc=$?
check start-failure "a missing binary was not reported ($err)" eval "[ $rc -eq 1 ] && echo \"\$err\" | grep -q nonexistent"
check start-failure-no-file "a failed start left the configuration file" test ! -e "$work/ferryd.yaml"
