#!/bin/sh
# A scripted $EDITOR. Each call takes the next action from the list below and keeps a copy of
# what ferry put in the file (seen.N), shown by post.
n=$(($(cat "$CASE/calls" 2>/dev/null || echo 0) + 1))
echo "$n" > "$CASE/calls"
cp "$1" "$CASE/seen.$n"
case $n in
1) sed -i 's/tag 4092/tag 4000/' "$1" ;;                       # a good change
2) sed -i 's/tag 10$/tag 5000/' "$1" ;;                         # out of range: reopened
3) sed -i 's/tag 5000/tag 12/' "$1" ;;                          # fixed
4) sed -i 's/tag 12$/tagg 12/' "$1" ;;                          # a syntax error: discarded
5) sed -i '/^net vlan \/Common\/old {/,/^}/d' "$1" ;;           # a block removed: deleted
6) sed -i 's/tag 4000$/tag 0/' "$1" ;;                          # out of range: Ctrl-C discards
esac
