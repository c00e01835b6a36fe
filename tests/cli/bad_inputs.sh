#!/usr/bin/env bash
# The error catalogue (tests/data/bad/MANIFEST): every malformed or impossible input gives
# the documented exit code and a message that contains the expected fragment. A crash, a
# sanitizer report (SAN=1 builds exit non-zero on the first one) or a hang (60 s) fails.
# Tabs in the output count as spaces.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/tests/data/bad
case "$HWNAS" in /*) ;; *) HWNAS=$PWD/$HWNAS ;; esac
cd "$dir" || exit 1
# fifo:NAME entries: FIFOs no process ever writes to (opening one for reading blocks).
fifos=$(mktemp -d)
trap 'rm -rf "$fifos" /tmp/hwnas-fifo-base' EXIT
rm -f /tmp/hwnas-fifo-base && mkfifo /tmp/hwnas-fifo-base   # space_fifo_base.json's hw.base
n=0
while IFS='|' read -r file cmd code frag; do
	case "$file" in '#'* | '') continue ;; esac
	file=$(echo "$file" | xargs)
	case "$file" in fifo:*) f=$fifos/${file#fifo:}; [ -p "$f" ] || mkfifo "$f"; file=$f ;; esac
	code=$(echo "$code" | xargs)
	frag=$(echo "$frag" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
	read -ra words <<<"$cmd"
	args=()
	for w in "${words[@]}"; do args+=("${w//\{\}/$file}"); done
	n=$((n + 1))
	out=$(timeout 60 "$HWNAS" "${args[@]}" 2>&1 </dev/null); rc=$?
	if [ "$rc" != "$code" ]; then
		bad "$file: 'hwnas ${args[*]}' exited $rc, want $code; output: $(printf '%s' "$out" | tail -3)"
		continue
	fi
	out=${out//$'\t'/ } # cJSON indents and separates with tabs
	case "$out" in
	*"$frag"*) ok ;;
	*) bad "$file: 'hwnas ${args[*]}': '$frag' not in: $(printf '%s' "$out" | head -3)" ;;
	esac
done <MANIFEST
# The catalogue itself: at least 40 entries, every file it names exists (except missing_*).
[ "$n" -ge 40 ] && ok || bad "MANIFEST has only $n entries"
while IFS='|' read -r file _; do
	case "$file" in '#'* | '') continue ;; esac
	file=$(echo "$file" | xargs)
	case "$file" in missing_* | fifo:*) continue ;; esac
	[ -e "$file" ] && ok || bad "MANIFEST names $file, which does not exist"
done <MANIFEST
finish
