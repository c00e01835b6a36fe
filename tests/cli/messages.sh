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

# red-team: --out naming a file said "cannot open the store"; a store with rows of no run
# gave "front of 0" with exit 0; a --no-db run stopped by a signal was told to resume
touch "$tmp/afile"
expect_exit 1 "$HWNAS" explore --space "$tmp/space.json" --budget 2 --out "$tmp/afile" --quiet
expect_in "$err" "afile: exists and is not a folder" "--out is a file"
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --budget 5 --out "$tmp/r" --quiet
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update evals set space_hash=\"0000000000000000\""); c.commit()' "$tmp/r/hwnas.db"
expect_exit 1 "$HWNAS" db front --db "$tmp/r/hwnas.db"
expect_in "$err" "r/hwnas.db: damaged store: 5 evaluations belong to no run" "orphaned rows"
cat > "$tmp/stop.json" <<'JSON'
{"nn": {"space": "mbv2", "accuracy_command": "kill -TERM $PPID; sleep 1; echo 50"},
 "hw": {"choices": {"bits": [8]}}, "mapper": "default", "objectives": [{"metric": "accuracy"}]}
JSON
expect_exit 1 "$HWNAS" explore --space "$tmp/stop.json" --budget 3 --no-db --out "$tmp/nodb" --quiet
expect_in "$err" "with --no-db there is no store, so a rerun starts over" "--no-db stop message"
case "$err" in *"run the same command to resume"*) bad "--no-db stop message still says resume" ;; *) ok ;; esac

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
