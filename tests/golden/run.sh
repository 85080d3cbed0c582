#!/bin/bash
# tests/golden/run.sh [--update] BUILD_DIR [CASE...] — golden tests of the ferry binary.
#
# A case is a folder tests/golden/<case>/ holding
#   cmd           one line: the arguments to ferry, in shell syntax; $EXAMPLES is the repo's examples/
#   stdin         optional: fed to ferry (otherwise stdin is /dev/null)
#   expected.out  stdout    (missing = empty)
#   expected.err  stderr    (missing = empty)
#   expected.rc   exit code (missing = 0)
# plus any input files cmd names. ferry runs inside a scratch copy of the folder, less expected.*
# (so a case that writes files leaves the tree clean), laid out like the repo: $EXAMPLES is the
# relative path ../../../examples, and outputs that name files are the same in every checkout.
# argv[0] is "ferry" whichever build is tested, so build/ and build-san/ share the expected files.
#
# --update rewrites the expected files from what ferry printed and names those that changed;
# review the change with git diff. A sanitizer report is always a FAIL and is never recorded.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$FERRY_REPO" || exit 1

update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
build=${1:?usage: tests/golden/run.sh [--update] BUILD_DIR [CASE...]}
shift
FERRY=$(abs_path "$build")/ferry
timeout_s=${GOLDEN_TIMEOUT:-60}
max_diff_lines=80

scratch=$(mktemp -d /tmp/ferry-golden.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tests/golden"
ln -s "$FERRY_REPO/examples" "$scratch/examples"

# run_ferry CASE: runs the case in its scratch copy; leaves $scratch/CASE.{out,err,rc}.
run_ferry() {
    local case=$1 dir=$scratch/tests/golden/$1 in=/dev/null args
    cp -a "tests/golden/$case" "$dir"
    rm -f "$dir"/expected.*   # what ferry sees must not depend on what it is expected to print
    args=$(cat "tests/golden/$case/cmd")
    [ -f "$dir/stdin" ] && in=$dir/stdin
    # A clean environment: the developer's locale, pager, editor or terminal must not change
    # what ferry prints. exec -a fixes argv[0]; eval gives cmd its shell quoting.
    (cd "$dir" && env -i PATH="$PATH" HOME="$dir" LC_ALL=C TZ=UTC TERM=dumb \
        ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" LSAN_OPTIONS="$LSAN_OPTIONS" \
        FERRY="$FERRY" EXAMPLES=../../../examples \
        timeout -k 5 "$timeout_s" bash -c 'eval "exec -a ferry \"\$FERRY\" $1"' ferry-golden "$args" \
        <"$in" >"$scratch/$case.out" 2>"$scratch/$case.err")
    echo $? >"$scratch/$case.rc"
}

# show_diff EXPECTED ACTUAL LABEL: a unified diff as detail lines, cut when it runs long.
show_diff() {
    local exp=$1 act=$2 label=$3
    [ -f "$exp" ] || exp=/dev/null
    diff -u --label "expected $label" --label "actual $label" "$exp" "$act" >"$scratch/diff"
    head -n "$max_diff_lines" "$scratch/diff" | indent
    local n
    n=$(wc -l <"$scratch/diff")
    [ "$n" -gt "$max_diff_lines" ] && echo "    ... $((n - max_diff_lines)) more diff lines"
}

# same_text EXPECTED ACTUAL: a missing expected file stands for empty output.
same_text() {
    if [ -f "$1" ]; then cmp -s "$1" "$2"; else [ ! -s "$2" ]; fi
}

check_case() {
    local case=$1 dir=tests/golden/$1 rc want_rc why=()
    rc=$(cat "$scratch/$case.rc")
    want_rc=0
    [ -f "$dir/expected.rc" ] && want_rc=$(tr -d ' \n' <"$dir/expected.rc")
    if has_sanitizer_report "$scratch/$case.err"; then
        echo "FAIL $case: sanitizer report"
        sanitizer_excerpt "$scratch/$case.err"
        return
    fi
    if [ "$rc" -eq 124 ]; then
        echo "FAIL $case: timed out after $timeout_s s"
        return
    fi
    same_text "$dir/expected.out" "$scratch/$case.out" || why+=("stdout differs")
    same_text "$dir/expected.err" "$scratch/$case.err" || why+=("stderr differs")
    [ "$rc" = "$want_rc" ] || why+=("exit code $rc, expected $want_rc")
    if [ ${#why[@]} -eq 0 ]; then
        echo "PASS $case"
        return
    fi
    local msg
    msg=$(printf '%s; ' "${why[@]}")
    echo "FAIL $case: ${msg%; }"
    same_text "$dir/expected.out" "$scratch/$case.out" || show_diff "$dir/expected.out" "$scratch/$case.out" stdout
    same_text "$dir/expected.err" "$scratch/$case.err" || show_diff "$dir/expected.err" "$scratch/$case.err" stderr
}

# update_case CASE: writes the expected files that differ. Empty outputs and exit code 0 are
# written only where a file already exists, so cases stay as small as the contract allows.
update_case() {
    local case=$1 dir=tests/golden/$1 rc changed=()
    rc=$(cat "$scratch/$case.rc")
    if has_sanitizer_report "$scratch/$case.err"; then
        echo "FAIL $case: sanitizer report; expected files left as they were"
        sanitizer_excerpt "$scratch/$case.err"
        return
    fi
    if [ "$rc" -eq 124 ]; then
        echo "FAIL $case: timed out after $timeout_s s; expected files left as they were"
        return
    fi
    echo "$rc" >"$scratch/$case.rcfile"
    local f src
    for f in out err rc; do
        src=$scratch/$case.$f
        [ $f = rc ] && src=$scratch/$case.rcfile
        if [ -f "$dir/expected.$f" ]; then
            cmp -s "$src" "$dir/expected.$f" && continue
        elif [ $f = rc ] && [ "$rc" = 0 ]; then
            continue
        elif [ $f != rc ] && [ ! -s "$src" ]; then
            continue
        fi
        cp "$src" "$dir/expected.$f"
        changed+=("expected.$f")
    done
    echo "PASS $case"
    [ ${#changed[@]} -gt 0 ] && echo "    updated: ${changed[*]}"
    return 0
}

cases=()
if [ $# -gt 0 ]; then
    cases=("$@")
else
    while IFS= read -r d; do cases+=("$(basename "$d")"); done \
        < <(find tests/golden -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
fi
for case in "${cases[@]}"; do
    if [ ! -f "tests/golden/$case/cmd" ]; then
        echo "FAIL $case: tests/golden/$case/cmd is missing"
    elif [ "$(grep -c . "tests/golden/$case/cmd")" -ne 1 ]; then
        echo "FAIL $case: cmd must be exactly one line of arguments"
    elif [ ! -x "$FERRY" ]; then
        echo "FAIL $case: $build/ferry is not built"
    else
        run_ferry "$case"
        if [ $update = 1 ]; then update_case "$case"; else check_case "$case"; fi
    fi
done
exit 0
