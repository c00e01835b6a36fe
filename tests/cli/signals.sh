#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGHUP during 'hwnas explore': a clean stop (exit 1, a message naming the
# store), nothing completed is lost, and the same command resumes to the same front as an
# uninterrupted run. Also a store on a read-only folder: a clear error, nothing lost.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
space="$root/examples/default_space.json"
tmp=$(mktemp -d)
args=(explore --space "$space" --budget 3000 --seed 3 --quiet)

expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/whole"
# issue 14: SIGHUP stops like SIGTERM; at -j 4 the stored rows still equal the log's lines.
for spec in TERM:1 INT:1 INT:4 HUP:2; do
	sig=${spec%%:*} jobs=${spec#*:}
	d="$tmp/$sig-$jobs/out"      # a nested folder: --out creates its parents
	"$HWNAS" "${args[@]}" -j "$jobs" --out "$d" >"$tmp/$sig.out" 2>"$tmp/$sig.err" &
	pid=$!
	# stop it once some evaluations are stored
	for _ in $(seq 100); do
		[ -s "$d/evaluations.jsonl" ] && break
		sleep 0.05
	done
	kill -s "$sig" "$pid"
	wait "$pid"; rc=$?
	if [ "$rc" = 1 ]; then ok; else bad "SIG$sig: exit $rc, want 1 ($(cat "$tmp/$sig.err"))"; fi
	expect_in "$(cat "$tmp/$sig.err")" "stopped by SIG$sig" "SIG$sig message"
	expect_in "$(cat "$tmp/$sig.err")" "run the same command to resume" "SIG$sig resume hint"
	rows=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from evals").fetchone()[0])' "$d/hwnas.db")
	lines=$(wc -l < "$d/evaluations.jsonl")
	if [ "$rows" -ge 1 ] && [ "$rows" = "$lines" ]; then ok; else bad "SIG$sig -j $jobs: $rows stored rows, $lines log lines"; fi
	expect_exit 0 "$HWNAS" "${args[@]}" -j "$jobs" --out "$d"
	expect_in "$out" "from the store" "SIG$sig resumed"
	if [ "$rows" -lt 3000 ]; then
		expect_in "$out" "$((3000 - rows)) evaluated, $rows from the store" "SIG$sig: none repeated"
	fi
	if cmp -s "$d/front.json" "$tmp/whole/front.json"; then ok; else bad "SIG$sig: resumed front differs"; fi
done

# A store that cannot be written: a clear error naming it, exit 1.
mkdir -p "$tmp/ro"
cp "$tmp/whole/hwnas.db" "$tmp/ro/hwnas.db"
chmod 0555 "$tmp/ro"
chmod 0444 "$tmp/ro/hwnas.db"
if [ "$(id -u)" = 0 ]; then chattr +i "$tmp/ro/hwnas.db" 2>/dev/null; fi
if touch "$tmp/ro/hwnas.db" 2>/dev/null; then
	echo "skip: cannot make a read-only store here (no chattr)"
else
	expect_exit 1 "$HWNAS" "${args[@]}" --out "$tmp/ro"
	expect_in "$err" "$tmp/ro/hwnas.db: the store is read-only" "read-only store named"
	# the stored rows are intact
	n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True).execute("select count(*) from evals").fetchone()[0])' "$tmp/ro/hwnas.db")
	if [ "$n" = 3000 ]; then ok; else bad "read-only store lost rows: $n"; fi
fi
[ "$(id -u)" = 0 ] && chattr -i "$tmp/ro/hwnas.db" 2>/dev/null

# issue 14: the store made immutable mid-run (root, chattr): SQLite's own checkpoints ignore
# the failure (exit 0, a WAL growing without end, the store file empty); ours fail the run.
mkdir -p "$tmp/imm"
if [ "$(id -u)" = 0 ] && touch "$tmp/imm/x" && chattr +i "$tmp/imm/x" 2>/dev/null; then
	chattr -i "$tmp/imm/x"
	"$HWNAS" "${args[@]}" --out "$tmp/imm/o" >"$tmp/imm.out" 2>"$tmp/imm.err" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$tmp/imm/o/evaluations.jsonl" ] && break
		sleep 0.05
	done
	chattr +i "$tmp/imm/o/hwnas.db"
	wait "$pid"; rc=$?
	chattr -i "$tmp/imm/o/hwnas.db"
	if [ "$rc" = 1 ]; then ok; else bad "immutable store mid-run: exit $rc, want 1"; fi
	expect_in "$(cat "$tmp/imm.err")" "hwnas.db: cannot write: cannot copy the log into the store file (checkpoint)" "immutable store: checkpoint failure named"
	wal=$(stat -c %s "$tmp/imm/o/hwnas.db-wal")
	if [ "$wal" -lt $((8 << 20)) ]; then ok; else bad "immutable store: WAL grew to $wal bytes"; fi
else
	echo "skip: immutable-store test needs root and chattr"
fi

# A full disk (a 96 KiB tmpfs, root only): a clear error, exit 1, the store stays valid with
# every row it took, and the run resumes elsewhere to the same front.
mkdir -p "$tmp/full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=96k tmpfs "$tmp/full" 2>/dev/null; then
	expect_exit 1 "$HWNAS" "${args[@]}" --out "$tmp/full/o"
	expect_in "$err" "$tmp/full/o/hwnas.db: cannot write: database or disk is full" "full disk named"
	rows=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from evals").fetchone()[0])' "$tmp/full/o/hwnas.db")
	lines=$(wc -l < "$tmp/full/o/evaluations.jsonl")
	if [ "$rows" -ge 1 ] && [ "$rows" = "$lines" ]; then ok; else bad "full disk: $rows rows, $lines log lines"; fi
	mkdir -p "$tmp/moved"
	cp "$tmp/full/o/hwnas.db" "$tmp/moved/"
	umount "$tmp/full"
	expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/moved"
	expect_in "$out" "$rows from the store" "full disk: resumed"
	if cmp -s "$tmp/moved/front.json" "$tmp/whole/front.json"; then ok; else bad "full disk: resumed front differs"; fi
else
	echo "skip: full-disk test needs root and tmpfs"
fi
chmod -R u+w "$tmp"
rm -rf "$tmp"
finish
