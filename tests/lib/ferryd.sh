# shellcheck shell=bash
# ferryd helpers for kernel tests; source after netns.sh.
#
#   fd_conf FILE NAME IF LOCAL REMOTE [NAME IF LOCAL REMOTE]...   # writes ferryd's YAML
#   fd_start NS DIR CONF          # ferryd in namespace NS (detached), run dir DIR; stopped on exit
#   fd_track DIR                  # a ferryd started otherwise: stopped on exit too
#   fd_ctl DIR COMMAND...         # the control socket's reply on stdout (ferryd --ctl)
#   fd_count DIR TUNNEL KEY       # one counter of one tunnel from `show yaml TUNNEL` (packets-in, bad-version, ...)
#   fd_global DIR KEY             # a counter not charged to a tunnel (unknown-peer, bad-ip)
#   fd_alive DIR                  # ferryd's pid is alive and answers

FERRYD=${FERRYD:-$(dirname "${FERRY:-$FERRY_REPO/build/ferry}")/ferryd}
FERRY_HELPERS=${FERRY_HELPERS:-$(dirname "$FERRYD")/tests/helpers}
_fd_dirs=()

fd_conf() {
    local file=$1
    shift
    echo "etherip:" > "$file"
    while [ $# -ge 4 ]; do
        printf '  - name: "%s"\n    interface: %s\n    local: %s\n    remote: %s\n' "$1" "$2" "$3" "$4" >> "$file"
        shift 4
    done
}

_fd_stop_all() {
    local d pid
    for d in "${_fd_dirs[@]}"; do
        pid=$(cat "$d/ferryd.pid" 2>/dev/null) || continue
        kill -TERM "$pid" 2>/dev/null
    done
    for d in "${_fd_dirs[@]}"; do
        pid=$(cat "$d/ferryd.pid" 2>/dev/null) || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    fd_sanitizer_check
    _fd_dirs=()
}

# A detached ferryd's stderr is /dev/null: sanitizer builds write their reports to DIR/sanitizer.PID
# instead (fd_start sets log_path), and this turns any such report into a FAIL.
fd_sanitizer_check() {
    local d f
    for d in "${_fd_dirs[@]}"; do
        for f in "$d"/sanitizer.*; do
            [ -s "$f" ] || continue
            fail "ferryd-sanitizer" "sanitizer report from ferryd ($d)"
            head -n 30 "$f" | sed 's/^/    /'
            rm -f "$f"
        done
    done
}
_fd_registered=0

# fd_track DIR: the ferryd serving DIR is stopped, and its sanitizer log checked, on exit.
fd_track() {
    _fd_dirs+=("$1")
    # Registered at the first one, so it runs before the test's own cleanup removes DIR.
    [ $_fd_registered = 1 ] || { at_exit _fd_stop_all; _fd_registered=1; }
}

fd_start() {
    local ns=$1 dir=$2 conf=$3
    mkdir -p "$dir"
    fd_track "$dir"
    # (log_path is a common flag: LSAN_OPTIONS, read last, would send it back to stderr.)
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$dir/sanitizer" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$dir/sanitizer" \
        LSAN_OPTIONS="${LSAN_OPTIONS:-}:log_path=$dir/sanitizer" ns_exec "$ns" "$FERRYD" --config "$conf" --run-dir "$dir" ${FERRYD_OPTS:-}
}

# fd_stop DIR: SIGTERM, then waits for the process to go (60 s: closing a TAP ferryd made
# unregisters the netdev, which waits for the rtnl lock; a busy host — thousands of links being
# made in other namespaces — holds it for many seconds).
fd_stop() {
    local pid
    pid=$(cat "$1/ferryd.pid" 2>/dev/null) || { echo "no pid file in $1"; return 1; }
    kill -TERM "$pid" || { echo "ferryd $pid was not running"; return 1; }
    for _ in $(seq 600); do
        if ! kill -0 "$pid" 2>/dev/null; then
            sleep 0.2   # a sanitizer report at exit is written by then
            return 0
        fi
        sleep 0.1
    done
    echo "ferryd $pid still runs 60 s after SIGTERM: $(tr '\0' ' ' < "/proc/$pid/wchan" 2>/dev/null)"
    return 1
}

fd_ctl() {
    local dir=$1
    shift
    "$FERRYD" --run-dir "$dir" --ctl "$@"
}

fd_count() {
    fd_ctl "$1" show yaml "$2" | awk -v k="$3:" '$1 == k { print $2; exit }'
}

fd_global() {
    fd_ctl "$1" show yaml | awk -v k="$2:" '/^drops:/ { on = 1; next } /^[^ ]/ { on = 0 } on && $1 == k { print $2; exit }'
}

fd_alive() {
    local pid
    pid=$(cat "$1/ferryd.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null && fd_ctl "$1" help >/dev/null
}

# fd_capture NS IF FILE FILTER COUNT: tshark in the background until COUNT packets or 90 s;
# FD_CAP is its pid, to wait on. Returns once tshark listens, or fails after 60 s. (Not in $(...):
# wait needs a child.)
fd_capture() {
    local ns=$1 ifc=$2 file=$3 filter=$4 count=$5
    rm -f "$file"
    ns_exec "$ns" timeout 90 tshark -q -i "$ifc" -f "$filter" -c "$count" -w "$file" >/dev/null 2>"$file.log" &
    FD_CAP=$!
    for _ in $(seq 600); do
        grep -q "Capturing on" "$file.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "    tshark on $ifc did not start capturing within 60 s: $(head -n 2 "$file.log")"
    return 1
}
