#!/usr/bin/env bash
# Every example in every '--help' runs and exits 0 (issue 13, part 5: 'hwnas sim --help'
# showed '--net lenet5', which is not in the zoo, and docs/cli.md and the man page copied it).
# The examples are read from the help texts themselves (the lines after "example:" or
# "examples:" up to a blank line, backslash continuations joined) and run in order, in a
# scratch folder that sees the source tree's examples/, tests/ and data/ as the README's
# commands do, so that an example may use the output of the one before it (explore, then db).
# The Verilator models and Yosys results are cached (~/.cache/hwnas), so a second run is fast.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
HWNAS=$(cd "$(dirname "$HWNAS")" && pwd)/$(basename "$HWNAS")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in examples tests data; do ln -s "$root/$d" "$tmp/$d"; done

cmds=$("$HWNAS" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}')
[ -n "$cmds" ] && ok || bad "'hwnas --help' lists no commands"

# examples TEXT: one example command per line, continuations joined
examples() {
	awk '/^examples?:$/ {on = 1; next}
	     on && /^$/ {on = 0}
	     on { sub(/^ +/, ""); line = line $0;
	          if (line ~ /\\$/) { sub(/\\$/, "", line); next }
	          print line; line = "" }'
}

n=0
for c in $cmds; do
	ex=$("$HWNAS" "$c" --help | examples)
	[ -n "$ex" ] && ok || bad "'hwnas $c --help' has no example"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case "$line" in
		hwnas\ *) ;;
		*) bad "hwnas $c --help: an example that is not an hwnas command: $line"; continue ;;
		esac
		n=$((n + 1))
		t0=$(date +%s)
		(cd "$tmp" && HWNAS_PROGRESS=none bash -c "\"\$0\" ${line#hwnas }" "$HWNAS") \
			>"$tmp/ex.out" 2>"$tmp/ex.err" </dev/null
		rc=$?
		if [ $rc = 0 ]; then
			ok
			echo "ok ($(( $(date +%s) - t0 )) s): $line"
		else
			bad "'hwnas $c --help' example exits $rc: $line: $(tail -3 "$tmp/ex.err")"
		fi
	done <<<"$ex"
done
echo "$n examples run"
[ "$n" -ge 15 ] && ok || bad "only $n examples found"
finish
