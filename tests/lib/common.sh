# shellcheck shell=bash
# Helpers shared by the section runners (tests/*/run.sh). Sourced, not run.
# The protocol: `PASS name`, `FAIL name: why`, `SKIP name: why` at the start of a line; anything
# else a runner prints is detail and is indented by at least one space, so tests/run.sh never
# mistakes it for a result.

# Every runner works from the repository root, whatever the caller's directory.
FERRY_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Sanitizer builds: reports on stderr, stop at the first one, and a distinct exit status (99) so a
# report can never pass for an ordinary test failure (status 1). The caller's own options come first
# so these win where they overlap.
SANITIZER_EXIT=99
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr:halt_on_error=1:abort_on_error=0:exitcode=$SANITIZER_EXIT:detect_leaks=1:color=never"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=stderr:halt_on_error=1:abort_on_error=0:exitcode=$SANITIZER_EXIT:print_stacktrace=1:color=never"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}log_path=stderr:exitcode=$SANITIZER_EXIT"

# indent [PREFIX]: detail lines beneath a result.
indent() { sed "s/^/${1:-    }/"; }

# tail_indented FILE [N]: the last N lines of FILE as detail (what a crash left behind).
tail_indented() {
    [ -s "$1" ] && tail -n "${2:-30}" "$1" | indent
    return 0
}

# pass_through FILE: result lines and already indented lines as they are, every other line indented.
pass_through() {
    sed -E '/^(PASS|FAIL|SKIP)( |$)|^[[:space:]]/!s/^/    /' "$1"
}

# has_result_line FILE: did the output hold at least one PASS/FAIL/SKIP line?
has_result_line() { grep -qE '^(PASS|FAIL|SKIP) ' "$1"; }

# has_sanitizer_report FILE: an ASan/UBSan/LSan report, whatever the exit status said.
has_sanitizer_report() {
    grep -qE '^==[0-9]+==ERROR: (Address|Leak|Memory|Thread)Sanitizer|^SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer|: runtime error: ' "$1"
}

# sanitizer_excerpt FILE: the head of the first sanitizer report in FILE (the error and its stacks,
# not the shadow-byte map), as detail lines.
sanitizer_excerpt() {
    awk '
        !on && (/^==[0-9]+==ERROR: / || /: runtime error: /) { on = 1 }
        on && /^Shadow bytes around/ { exit }
        on { print; if (++n >= 40) exit }
    ' "$1" | indent
}

# describe_status RC [TIMEOUT]: a short reason for a non-zero exit status.
describe_status() {
    local rc=$1
    if [ "$rc" -eq 124 ]; then
        echo "timed out after ${2:-?} s"
    elif [ "$rc" -eq "$SANITIZER_EXIT" ]; then
        echo "sanitizer report"
    elif [ "$rc" -gt 128 ]; then
        echo "killed by signal SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
    else
        echo "exit status $rc"
    fi
}

# abs_path PATH: PATH made absolute against the repository root (runners take build/ relative).
abs_path() {
    case $1 in
        /*) echo "$1" ;;
        *) echo "$FERRY_REPO/$1" ;;
    esac
}

# Result lines for test scripts. A script's results are named "<script>/<check>" (t_harness/ping),
# so names stay unique across files; set TEST_PREFIX to change it.
TEST_PREFIX=${TEST_PREFIX:-$(basename "$0" .sh)}
pass() { echo "PASS $TEST_PREFIX/$1"; }
fail() { echo "FAIL $TEST_PREFIX/$1: $2"; }
skip() { echo "SKIP $TEST_PREFIX/$1: $2"; }

# check NAME WHY CMD...: PASS when CMD succeeds, else FAIL NAME: WHY with CMD's output beneath.
check() {
    local name=$1 why=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        pass "$name"
    else
        fail "$name" "$why"
        [ -n "$out" ] && printf '%s\n' "$out" | head -n 20 | indent
    fi
    return 0
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
    local tries=$(($1 * 10))
    shift
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.1
    done
}

# judge_run NAME RC OUT ERR [WHERE]: after a test script ran and its lines were passed through, a
# FAIL when it exited non-zero without saying why, or printed no result at all ($timeout_s: the
# runner's limit, for the message).
judge_run() {
    local name=$1 rc=$2 out=$3 err=$4 where=${5:-}
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        echo "FAIL $name: $(describe_status "$rc" "$timeout_s")$where with no FAIL line"
        tail_indented "$err" 20
    elif ! has_result_line "$out"; then
        echo "FAIL $name: printed no result"
        tail_indented "$err" 20
    fi
}
