#!/usr/bin/env bash
# Output that cannot be written (issue 14): every command that prints, with its standard
# output on /dev/full, exits 1 and says so, instead of exiting 0 with the output lost.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
small_space "$tmp/space.json"
"$HWNAS" explore --space "$tmp/space.json" --budget 20 --seed 1 --quiet --out "$tmp/run" >/dev/null ||
	bad "explore for the store failed"
full() {
	"$HWNAS" "$@" >/dev/full 2>"$tmp/err"; local rc=$?
	if [ "$rc" = 1 ]; then ok; else bad "'hwnas $*' > /dev/full: exit $rc, want 1"; fi
	expect_in "$(cat "$tmp/err")" "cannot write the output (standard output): No space left on device" "'hwnas $*' > /dev/full"
}
[ -w /dev/full ] || { echo "skip: no /dev/full"; finish; exit; }
full eval --net resnet18 --mapper default
full eval --net resnet18 --mapper default --json
full zoo list
full zoo show resnet18 --json
full zoo show bert_base
full map --net alexnet
full db stats --db "$tmp/run/hwnas.db"
full db front --db "$tmp/run/hwnas.db"
full db front --db "$tmp/run/hwnas.db" --json
full explore --space "$tmp/space.json" --budget 20 --seed 1 --quiet --out "$tmp/run"
full --help
full --version
for c in zoo eval map sim validate synth explore db report; do
	full "$c" --help
done
# a command that fails anyway keeps its own exit code (2: usage)
"$HWNAS" eval --bogus >/dev/full 2>/dev/null; rc=$?
if [ "$rc" = 2 ]; then ok; else bad "usage error > /dev/full: exit $rc, want 2"; fi
rm -rf "$tmp"
finish
