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
# red-team (issue 14): an output that is a FIFO nobody reads blocked for ever; now an error
mkfifo "$tmp/o.csv" "$tmp/o.html"
expect_exit 1 timeout 20 "$HWNAS" db export --db "$tmp/run/hwnas.db" --csv "$tmp/o.csv"
expect_in "$err" "o.csv: cannot write: a FIFO that nobody reads" "db export to a FIFO"
expect_exit 1 timeout 20 "$HWNAS" report --out "$tmp/run" -o "$tmp/o.html"
expect_in "$err" "o.html: cannot write: a FIFO that nobody reads" "report to a FIFO"
mkdir -p "$tmp/fo"
mkfifo "$tmp/fo/evaluations.jsonl"
expect_exit 1 timeout 20 "$HWNAS" explore --space "$tmp/space.json" --budget 5 --out "$tmp/fo" --quiet
expect_in "$err" "evaluations.jsonl: cannot write: a FIFO that nobody reads" "explore log to a FIFO"
# with a reader it is an ordinary pipe
timeout 20 cat "$tmp/o.csv" > "$tmp/got.csv" &
sleep 0.5 # the reader is waiting in open() before the export starts
expect_exit 0 timeout 20 "$HWNAS" db export --db "$tmp/run/hwnas.db" --csv "$tmp/o.csv"
wait
[ "$(wc -l < "$tmp/got.csv")" = 21 ] && ok || bad "db export through a FIFO: $(wc -l < "$tmp/got.csv") lines, want 21"

# a command that fails anyway keeps its own exit code (2: usage)
"$HWNAS" eval --bogus >/dev/full 2>/dev/null; rc=$?
if [ "$rc" = 2 ]; then ok; else bad "usage error > /dev/full: exit $rc, want 2"; fi
rm -rf "$tmp"
finish
