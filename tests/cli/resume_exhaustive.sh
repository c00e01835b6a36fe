#!/usr/bin/env bash
# Resume of an exhaustive run (issue 19): it keeps a checkpoint (points covered, counts) and
# its front in the store, not a row per point. Killed at several points (HWNAS_TEST_DIE_AFTER=N:
# _exit right after the first checkpoint covering N more points, as abruptly as kill -9), then
# the main job's space before issue 20 (default_space_v1.json, 5,062,500 points) killed with
# a real kill -9 at a random time, each resumed: the checkpoint never goes back, no point is
# evaluated twice after it (the sessions' counts add up to the space), and front.json equals
# an uninterrupted run's.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
small_space "$tmp/space.json"     # 15,625 networks x 16 accelerators = 250,000 points
args=(explore --space "$tmp/space.json" --exhaustive --quiet)

q() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1" "$2"; }

expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/ref"
expect_in "$out" "session 1: 250000 evaluated, 0 from the store" "uninterrupted run"
front=$(q "$tmp/ref/hwnas.db" "select count(*) from evals")
n_front=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['points']))" "$tmp/ref/front.json")
[ "$front" -ge "$n_front" ] && [ "$front" -le $((n_front + 1)) ] && ok ||
	bad "the store holds $front rows, want the $n_front front points (and the best)"
[ "$(q "$tmp/ref/hwnas.db" "select evaluations from progress")" = 250000 ] && ok || bad "progress of the finished run"

# checkpoints every 250,000 / 64 points, rounded to batches of 1,024: 4,096
last=0
for n in 5000 30000; do
	expect_exit 137 env HWNAS_TEST_DIE_AFTER=$n "$HWNAS" "${args[@]}" --out "$tmp/r"
	now=$(q "$tmp/r/hwnas.db" "select evaluations from progress")
	want=$(( last + (n + 4095) / 4096 * 4096 ))
	[ "$now" = "$want" ] && ok || bad "after dying at $n more points: checkpoint at $now, want $want"
	last=$now
done
expect_exit 0 "$HWNAS" "${args[@]}" -j 2 --out "$tmp/r"
expect_in "$out" "session 3: $((250000 - last)) evaluated, $last from the store" "the last session"
cmp -s "$tmp/ref/front.json" "$tmp/r/front.json" && ok || bad "resumed front.json differs from the uninterrupted run"
expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/r"
expect_in "$out" "session 4: 0 evaluated, 250000 from the store" "rerun of a finished run"
cmp -s "$tmp/ref/front.json" "$tmp/r/front.json" && ok || bad "rerun front.json differs"
expect_exit 0 "$HWNAS" db stats --db "$tmp/r/hwnas.db"
expect_in "$out" "exhaustive:  250,000" "db stats counts the points of the checkpoint"

# The main job's space before issue 20 (examples/default_space_v1.json; the 18,000,000 points
# of today's take 4 x as long), killed by a real kill -9 at a random time, resumed on 2 threads.
main=(explore --space "$root/examples/default_space_v1.json" --exhaustive --quiet)
expect_exit 0 "$HWNAS" "${main[@]}" --out "$tmp/mref"
"$HWNAS" "${main[@]}" --out "$tmp/m" >/dev/null 2>&1 &
pid=$!
sleep "$((RANDOM % 2)).$((RANDOM % 9 + 1))"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
done_=$(q "$tmp/m/hwnas.db" "select coalesce((select evaluations from progress), 0)")
echo "resume_exhaustive: kill -9 after a checkpoint of $done_ of 5,062,500 points"
expect_exit 0 "$HWNAS" "${main[@]}" -j 2 --out "$tmp/m"
expect_in "$out" "session 2: $((5062500 - done_)) evaluated, $done_ from the store" "resumed main job"
cmp -s "$tmp/mref/front.json" "$tmp/m/front.json" && ok || bad "main job: resumed front.json differs"
size=$(stat -c %s "$tmp/m/hwnas.db")
[ "$size" -le 1000000 ] && ok || bad "main job store is $size bytes"
rm -rf "$tmp"
finish
