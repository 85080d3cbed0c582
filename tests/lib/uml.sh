# shellcheck shell=bash
# User-mode Linux helpers: boot a 6.1 guest kernel as an ordinary process and run one test
# script inside it. Sourced by tests/uml/run.sh.
#
#   uml_unavailable            prints why UML cannot run here (nothing when it can)
#   uml_run WORK TEST [SECS]   boots, runs TEST inside, powers off; results in WORK:
#       out, err, rc           the test's stdout, stderr and exit status (rc missing: no result)
#       console.log            the kernel's console and what the guest's init said while setting
#                              up: boot noise, kept apart from the test's output
#   It sets UML_WHY (why there is no result), UML_BOOT (s from start to the guest's init),
#   UML_TEST_S and UML_OFF (s from the test's end until the process was gone).
#
# The guest (tests/lib/uml-init.sh) sees the host read-only except WORK, which must be a folder
# this harness made and whose path holds no spaces (it goes on the kernel command line).
# Stdin is never read: the console takes no input (con0=null,fd:1), so CI with stdin closed or
# not a terminal is fine. The timeout kills the process group of the one linux.uml started here.
#
# Inside the guest: 1 CPU, HZ=100, and every fork/exec costs tens of milliseconds (UML runs guest
# processes under ptrace), so a test that spawns hundreds of processes takes seconds. ASan builds
# do not run there (the guest's address space ends at 0x7fc0000000, below ASan's shadow): use
# build/, not build-san/. IPv6 is a module in this kernel; modprobe ipv6 (or autoload) first.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

UML_BIN=${UML_BIN:-linux.uml}
UML_MEM=${UML_MEM:-512M}
UML_MODULES=/usr/lib/uml/modules

uml_unavailable() {
    if ! command -v "$UML_BIN" >/dev/null; then
        echo "$UML_BIN is not installed (Debian package user-mode-linux)"
    elif [ ! -d "$UML_MODULES" ]; then
        echo "$UML_MODULES is missing (user-mode-linux installed without its modules?)"
    elif ! command -v modprobe >/dev/null; then
        echo "modprobe is not installed (Debian package kmod)"
    fi
}

# _uml_kill PID: SIGKILL to the process group linux.uml leads (setsid made PID its leader; the
# guest's processes are host processes in that group), then waits until the group is gone.
_uml_kill() {
    local pid=$1
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    for _ in $(seq 50); do
        pgrep -g "$pid" >/dev/null || return 0
        sleep 0.1
    done
    UML_WHY="${UML_WHY:+$UML_WHY; }process group $pid still alive after SIGKILL"
}

# _uml_secs LATER EARLIER: the difference of two `date +%s.%N` stamps, in seconds.
_uml_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

uml_run() {
    local work=$1 test=$2 secs=${3:-300} pid t0 deadline monitor=0
    UML_WHY='' UML_BOOT='' UML_TEST_S='' UML_OFF=''
    case $work in
        /*[[:space:]]* | [!/]*) UML_WHY="work folder '$work' must be an absolute path without spaces"; return 1 ;;
    esac
    cp "$FERRY_REPO/tests/lib/uml-init.sh" "$work/init" && chmod +x "$work/init"
    {
        printf 'FERRY_UML_TEST=%q\n' "$test"
        printf 'FERRY_REPO=%q\n' "$FERRY_REPO"
        printf 'FERRY=%q\n' "${FERRY:-$FERRY_REPO/build/ferry}"
        printf 'FERRY_UML_TIMEOUT=%q\n' "$secs"
    } >"$work/params"
    mkdir -p "$work/uml"
    rm -f "$work/rc"

    # setsid execs without forking only when the caller is not a group leader, i.e. without job
    # control; then $! is linux.uml itself, leader of a fresh group that holds the whole guest.
    [[ $- == *m* ]] && { monitor=1; set +m; }
    t0=$(date +%s.%N)
    # uml_dir keeps UML's pid/socket folder out of ~/.uml; ssl=null: no serial-line ptys.
    setsid "$UML_BIN" mem="$UML_MEM" root=/dev/root rootfstype=hostfs hostfs=/ rw \
        init="$work/init" con=null con0=null,fd:1 ssl=null uml_dir="$work/uml" umid=ferry \
        ferry_work="$work" </dev/null >"$work/console.log" 2>&1 &
    pid=$!
    [ $monitor = 1 ] && set -m

    # The guest enforces the test's own timeout; this one is for a guest that hangs itself.
    # Braces with 2>/dev/null: bash's own "Aborted"/"Killed" notice about the job stays out of
    # the results (a kernel panic ends UML with SIGABRT; the reason is in console.log).
    deadline=$((SECONDS + secs + 60))
    {
        while kill -0 "$pid"; do
            if [ "$SECONDS" -ge "$deadline" ]; then
                _uml_kill "$pid"
                UML_WHY="guest still running after $((secs + 60)) s; killed it"
                break
            fi
            sleep 0.1
        done
        wait "$pid"
        _uml_kill "$pid" # helpers outliving the main process, if any
    } 2>/dev/null
    local t_end
    t_end=$(date +%s.%N)

    [ -s "$work/t-init" ] && UML_BOOT=$(_uml_secs "$(cat "$work/t-init")" "$t0")
    [ -s "$work/t-done" ] && UML_TEST_S=$(_uml_secs "$(cat "$work/t-done")" "$(cat "$work/t-test")")
    [ -s "$work/t-done" ] && UML_OFF=$(_uml_secs "$t_end" "$(cat "$work/t-done")")
    [ -s "$work/rc" ] && return 0
    if [ -z "$UML_WHY" ]; then
        if grep -q 'Kernel panic' "$work/console.log"; then
            UML_WHY="the guest kernel panicked: $(grep -m 1 'Kernel panic' "$work/console.log")"
        elif [ ! -s "$work/t-init" ]; then
            UML_WHY="the guest never reached init"
        else
            UML_WHY="the guest powered off without a result"
        fi
    fi
    return 1
}
