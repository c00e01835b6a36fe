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
expect_in "$err" "space file $tmp/space2.json differs from the store's $space" "other space file refused"

# Every input that shapes a result is part of the run's identity (issue 14): a resume after
# editing the file hw.base points to is refused, naming it, instead of mixing two configs.
two=(explore --space "$tmp/space2.json" --strategy nsga2 --budget 60 --seed 5 --quiet --out "$tmp/h")
expect_exit 0 "$HWNAS" "${two[@]}"
expect_exit 0 "$HWNAS" "${two[@]}"
expect_in "$out" "session 2: 0 evaluated, 60 from the store" "unchanged inputs resume"
sed -i 's/"dram_gbps": *[0-9.]*/"dram_gbps": 9.6/' "$tmp/zcu102_ws_16x16.json"
grep -q '"dram_gbps": 9.6' "$tmp/zcu102_ws_16x16.json" && ok || bad "test setup: base config not edited"
expect_exit 1 "$HWNAS" "${two[@]}"
expect_in "$err" "hw.base file $tmp/zcu102_ws_16x16.json changed since the store was made" \
	"edited hw.base refused, named"
expect_in "$err" "holds another run (60 evaluations)" "the refusal counts the stored run"
expect_in "$err" "--force to start over" "the refusal offers --force"
# the same edit and the same space bytes: a space file naming another base is the space file
cp "$tmp/space2.json" "$tmp/space3.json"
sed -i 's/"nb201-cifar10-x-zcu102"/"renamed"/' "$tmp/space3.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/space3.json" --strategy nsga2 --budget 60 --seed 5 --quiet --out "$tmp/h"
expect_in "$err" "space file $tmp/space3.json differs from the store's $tmp/space2.json" "both changes named"
expect_in "$err" "hw.base file" "both changes named (base)"
# --force starts over
expect_exit 0 "$HWNAS" "${two[@]}" --force
expect_in "$out" "session 1: 60 evaluated, 0 from the store" "--force starts over"
expect_in "$err" "emptied, starting over" "--force says so"
[ "$(rows "$tmp/h/hwnas.db")" = 60 ] && ok || bad "--force left $(rows "$tmp/h/hwnas.db") rows"
expect_exit 2 "$HWNAS" "${two[@]}" --force --no-db

# A run that fails before its first evaluation (a failing accuracy command) leaves a store
# that the corrected run replaces, saying what changed, instead of refusing it.
mb() {
	cat > "$tmp/mb.json" <<JSON
{ "name": "mb", "nn": { "space": "mbv2", "resolution": [96, 128], "stages": [1],
  "kernel": [3, 5], "accuracy_command": "$root/tests/data/search/$1" },
  "hw": { "base": "$root/examples/zcu102_ws_16x16.json", "choices": { "pe_rows": [8, 16] } },
  "mapper": "greedy",
  "objectives": [ { "metric": "accuracy", "goal": "max" }, { "metric": "latency_ms", "ref": 50 } ] }
JSON
}
mb acc_fail.sh
expect_exit 1 "$HWNAS" explore --space "$tmp/mb.json" --budget 4 --quiet --out "$tmp/mb"
expect_in "$err" "model checkpoint not found" "the failing command's message"
[ "$(rows "$tmp/mb/hwnas.db")" = 0 ] && ok || bad "a failed first evaluation stored rows"
mb acc_ok.sh
expect_exit 0 "$HWNAS" explore --space "$tmp/mb.json" --budget 4 --quiet --out "$tmp/mb"
expect_in "$err" "held a run that stopped before its first evaluation; replaced" "empty run replaced"
expect_in "$err" "space file $tmp/mb.json changed since the store was made" "what changed is named"
expect_in "$out" "session 1: 4 evaluated" "the corrected run starts at session 1"
# the accuracy command's script is an input too: edited, the run is another
cp "$root/tests/data/search/acc_ok.sh" "$tmp/acc.sh"
sed -i "s|$root/tests/data/search/acc_ok.sh|$tmp/acc.sh|" "$tmp/mb.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/mb.json" --budget 4 --quiet --out "$tmp/mb2"
echo "# edited" >> "$tmp/acc.sh"
expect_exit 1 "$HWNAS" explore --space "$tmp/mb.json" --budget 4 --quiet --out "$tmp/mb2"
expect_in "$err" "accuracy command $tmp/acc.sh changed since the store was made" "edited command script named"
rm -rf "$tmp"
finish
