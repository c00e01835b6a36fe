#!/usr/bin/env bash
# Resume after a crash: a run killed at several points (HWNAS_TEST_DIE_AFTER=N makes explore
# _exit right after its N-th stored evaluation, as abruptly as kill -9; then one real kill -9
# at a random time) and resumed each time must lose no stored evaluation (row count never
# falls), repeat none (each row is written once, by the session that evaluated it; the
# sessions' counts add up to the budget) and end with the front.json of an uninterrupted run.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
space=$root/examples/default_space.json
args=(explore --space "$space" --strategy nsga2 --budget 800 --seed 5 --quiet)

rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from evals').fetchone()[0])" "$1"; }
per_session() { python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(' '.join('%d:%d' % r for r in c.execute('select session, count(*) from evals group by session order by session')))" "$1"; }

expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/ref"
expect_in "$out" "session 1: 800 evaluated, 0 from the store" "uninterrupted run"

last=0
for n in 1 100 250; do
	expect_exit 137 env HWNAS_TEST_DIE_AFTER=$n "$HWNAS" "${args[@]}" --out "$tmp/r"
	now=$(rows "$tmp/r/hwnas.db")
	[ "$now" = $((last + n)) ] && ok || bad "after dying at $n more rows: $now rows, want $((last + n))"
	last=$now
done
# a real kill -9 at a random time (-j 2: the number of threads does not matter)
"$HWNAS" "${args[@]}" -j 2 --out "$tmp/r" >/dev/null 2>&1 &
pid=$!
sleep "0.$((RANDOM % 9 + 1))"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
now=$(rows "$tmp/r/hwnas.db")
[ "$now" -ge "$last" ] && ok || bad "kill -9 lost rows: $now < $last"
echo "resume: rows after the kills: 1, 101, 351, $now (kill -9 at a random time)"
last=$now
expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/r"
expect_in "$out" "session 5: $((800 - last)) evaluated, $last from the store" "the last session"
[ "$(rows "$tmp/r/hwnas.db")" = 800 ] && ok || bad "rows at the end: $(rows "$tmp/r/hwnas.db")"
ps=$(per_session "$tmp/r/hwnas.db")
expect_in "$ps" "1:1 2:100 3:250 " "rows per session"
cmp -s "$tmp/ref/front.json" "$tmp/r/front.json" && ok || bad "resumed front.json differs from the uninterrupted run"
cmp -s "$tmp/ref/evaluations.jsonl" "$tmp/r/evaluations.jsonl" && ok ||
	bad "resumed evaluations.jsonl differs"
# a finished run run again evaluates nothing
expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/r"
expect_in "$out" "session 6: 0 evaluated, 800 from the store" "rerun of a finished run"
cmp -s "$tmp/ref/front.json" "$tmp/r/front.json" && ok || bad "rerun front.json differs"

# other arguments are refused, naming the store and both argument sets
expect_exit 1 "$HWNAS" explore --space "$space" --strategy nsga2 --budget 800 --seed 6 --quiet --out "$tmp/r"
expect_in "$err" "$tmp/r/hwnas.db: holds another run" "other seed refused"
expect_in "$err" "--seed 5" "the stored arguments named"
expect_in "$err" "--seed 6" "the new arguments named"
expect_exit 1 "$HWNAS" explore --space "$space" --strategy random --budget 800 --seed 5 --quiet --out "$tmp/r"
expect_in "$err" "holds another run" "other strategy refused"
cp "$space" "$root/examples/zcu102_ws_16x16.json" "$tmp/"
mv "$tmp/default_space.json" "$tmp/space2.json"
echo " " >> "$tmp/space2.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/space2.json" --strategy nsga2 --budget 800 --seed 5 --quiet --out "$tmp/r"
expect_in "$err" "space hash" "other space file refused"
rm -rf "$tmp"
finish
