#!/usr/bin/env bash
# Messages that pointed at the wrong thing (issue 14 "Smaller"): each now names the real
# cause. The input-file cases (a NUL in a CSV column, CR-only line ends, a duplicate layer in
# a tiling file, names counted in bytes) are in the catalogue, tests/data/bad/MANIFEST.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
small_space "$tmp/space.json"

# --out '' and --db '' are usage errors (exit 2), not an "empty file" or exit 1
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json" --budget 2 --out '' --quiet
expect_in "$err" "--out is empty: name the output folder" "--out ''"
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json" --budget 2 --out "$tmp/o" --db '' --quiet
expect_in "$err" "--db is empty: name the store file" "explore --db ''"
expect_exit 2 "$HWNAS" db stats --db ''
expect_in "$err" "--db is empty: name the store file" "db --db ''"

# a long --out: the message keeps its end (the reason) instead of being cut at 512 bytes
long="$tmp/$(printf 'd%.0s' $(seq 200))/$(printf 'e%.0s' $(seq 200))/$(printf 'f%.0s' $(seq 150))"
expect_exit 1 "$HWNAS" explore --space "$tmp/space.json" --budget 2 --out "$long" --quiet
expect_in "$err" "bytes long, at most 511 (SQLite's limit): use a shorter --out or --db" "long --out"
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json" --budget 2 --out "$long$long$long$long$long$long$long$long" --quiet
expect_in "$err" "bytes long, at most 4000" "very long --out"

# a second explore on a store in use: "another process holds the store", not "point N is
# already stored"
"$HWNAS" explore --space "$root/examples/default_space.json" --budget 3000 --seed 2 --quiet \
	--out "$tmp/busy" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/busy/evaluations.jsonl" ] && break
	sleep 0.05
done
expect_exit 1 "$HWNAS" explore --space "$root/examples/default_space.json" --budget 3000 --seed 2 \
	--quiet --out "$tmp/busy"
expect_in "$err" "busy/hwnas.db: another process holds the store" "second explore on a busy store"
kill "$pid" 2>/dev/null
wait "$pid"
rm -rf "$tmp"
finish
