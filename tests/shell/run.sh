#!/bin/bash
# tests/shell/run.sh [--update] [BUILD_DIR] [CASE...] — transcript tests of the interactive shell.
#
# Each case is a folder tests/shell/<case>/ holding
#   keys      what is typed, one step a line:
#               'TEXT      the text, typed literally (a ? or a brace is just a character here)
#               Tab        a key by its tmux name: Tab, Enter, C-c, C-d, C-r, Escape, Up, BSpace;
#                          several on one line are sent together ("Tab Tab")
#               sleep N    wait N seconds
#               !COMMAND   run a bash command in the scratch folder, with ferry's environment and
#                          $FERRY (another ferry working on the same config folder, say)
#               # ...      a comment
#             after a step that ends a line (Enter, C-c, C-d, q) or runs a command (!), and at the
#             end, the runner waits until the screen has stopped changing; other keys are typed
#             ahead, which is safe while libedit reads them.
#   expected  the whole transcript (scrollback included) after the last step: trailing spaces and
#             blank lines dropped, the prompt's USER@(HOST) written as USER@(HOST)
#   setup     optional: a command file run with ferry -f first, into the same --config-dir
#   env       optional: VAR=value lines added to ferry's environment ($CASE is the scratch copy of
#             the case folder, where ferry runs; put helper scripts such as an $EDITOR there)
#   size      optional: COLUMNSxROWS of the terminal (default 200x50: wide, so that no line wraps whatever the user and host names)
#   post      optional: a bash script run after the keys, in the scratch folder, with HOME and CFG
#             set; its output is appended to the transcript after a line "--- post"
# ferry runs in a scratch copy of the folder with --config-dir cfg and HOME=home (history goes
# there), in a clean environment (LC_ALL=C, TERM=screen). When ferry ends, the pane shows
# "[ferry exited N]". A sanitizer report from ferry (ASan build) is a FAIL.
#
# --update rewrites expected from what the screen showed: read the diff before committing it.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$FERRY_REPO" || exit 1

update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
build=${1:-build}
[ $# -gt 0 ] && shift
FERRY=$(abs_path "$build")/ferry

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP shell: tmux is not installed (Debian: apt-get install tmux)"
    exit 0
fi
if [ ! -x "$FERRY" ]; then
    echo "FAIL shell: $build/ferry is not built"
    exit 0
fi

scratch=$(mktemp -d /tmp/ferry-shell.XXXXXX)
sock=ferry-shell-test-$$
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$scratch"' EXIT

user=$(id -un)
host=$(hostname | cut -d. -f1)

screen() {
    T capture-pane -t t -p -J -S - 2>/dev/null
}

# Waits until the screen has not changed for 0.15 s (at most 10 s).
wait_stable() {
    local last="" now same=0 tries=0
    while [ $tries -lt 400 ]; do
        now=$(screen)
        if [ "$now" = "$last" ]; then
            same=$((same + 1))
            [ $same -ge 6 ] && return 0
        else
            same=0
            last=$now
        fi
        sleep 0.025
        tries=$((tries + 1))
    done
}

normalise() {
    sed -e 's/[[:space:]]*$//' -e "s/$user@($host)/USER@(HOST)/g" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

run_case() {
    local name=$1 src=tests/shell/$1 dir=$scratch/$1 size=200x50 line key
    rm -rf "$dir"
    cp -a "$src" "$dir"
    rm -f "$dir/expected"
    mkdir -p "$dir/home"
    [ -f "$src/size" ] && size=$(cat "$src/size")
    local envs=(PATH="$PATH" HOME="$dir/home" LC_ALL=C TZ=UTC TERM=screen CASE="$dir"
                ASAN_OPTIONS="${ASAN_OPTIONS//log_path=stderr/log_path=$dir/sanitizer}"
                UBSAN_OPTIONS="${UBSAN_OPTIONS//log_path=stderr/log_path=$dir/sanitizer}"
                LSAN_OPTIONS="${LSAN_OPTIONS//log_path=stderr/log_path=$dir/sanitizer}")
    if [ -f "$src/env" ]; then
        while IFS= read -r line; do
            case $line in ''|'#'*) continue ;; esac
            envs+=("${line//\$CASE/$dir}")
        done < "$src/env"
    fi
    if [ -f "$src/setup" ]; then
        if ! (cd "$dir" && env -i "${envs[@]}" "$FERRY" --config-dir cfg -f setup >"$dir/setup.out" 2>&1); then
            echo "FAIL shell/$name: the setup commands failed"
            indent < "$dir/setup.out"
            return
        fi
    fi
    local q=() e
    for e in "${envs[@]}"; do q+=("$(printf '%q' "$e")"); done
    T kill-server 2>/dev/null
    T new-session -d -s t -x "${size%x*}" -y "${size#*x}" -c "$dir" \
        "env -i ${q[*]} $(printf '%q' "$FERRY") --config-dir cfg; echo \"[ferry exited \$?]\"; sleep 600"
    T set-option -t t history-limit 5000 >/dev/null
    wait_stable
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            ''|'#'*) continue ;;
            "'"*) T send-keys -t t -l -- "${line#\'}" ;;
            'sleep '*) sleep "${line#sleep }" ;;
            '!'*) (cd "$dir" && env -i "${envs[@]}" FERRY="$FERRY" bash -c "${line#!}") >>"$dir/commands.out" 2>&1
                  wait_stable ;;
            *) for key in $line; do T send-keys -t t "$key"; done
               case " $line " in *" Enter "*|*" C-c "*|*" C-d "*|*" q "*) wait_stable ;; esac ;;
        esac
    done < "$src/keys"
    wait_stable
    screen | normalise > "$dir/got"
    if [ -f "$src/post" ]; then
        { echo "--- post"; (cd "$dir" && HOME=$dir/home CFG=$dir/cfg bash "$dir/post" 2>&1); } >> "$dir/got"
    fi
    T kill-server 2>/dev/null
    if compgen -G "$dir/sanitizer*" >/dev/null && cat "$dir"/sanitizer* > "$dir/sanitizer.all" &&
       has_sanitizer_report "$dir/sanitizer.all"; then
        echo "FAIL shell/$name: sanitizer report"
        sanitizer_excerpt "$dir/sanitizer.all"
        return
    fi
    if [ $update = 1 ]; then
        if ! cmp -s "$dir/got" "$src/expected" 2>/dev/null; then
            cp "$dir/got" "$src/expected"
            echo "PASS shell/$name"
            echo "    updated: expected"
        else
            echo "PASS shell/$name"
        fi
        return
    fi
    if [ ! -f "$src/expected" ]; then
        echo "FAIL shell/$name: no expected transcript (run tests/shell/run.sh --update $build $name)"
        head -40 "$dir/got" | indent
    elif diff -u "$src/expected" "$dir/got" > "$dir/diff"; then
        echo "PASS shell/$name"
    else
        echo "FAIL shell/$name: the screen differs from expected"
        tail -n +3 "$dir/diff" | head -60 | indent
    fi
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    for d in tests/shell/*/; do
        [ -f "$d/keys" ] && cases+=("$(basename "$d")")
    done
fi
for c in "${cases[@]}"; do
    run_case "$c"
done
exit 0
