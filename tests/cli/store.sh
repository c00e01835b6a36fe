#!/usr/bin/env bash
# CLI tests of the result store: explore --db / --no-db / -j, and hwnas db stats|front|export.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
small_space "$tmp/space.json"
run=(explore --space "$tmp/space.json" --budget 300 --seed 3 --quiet)

expect_exit 0 "$HWNAS" "${run[@]}" --strategy nsga2 --out "$tmp/a"
[ -s "$tmp/a/hwnas.db" ] && ok || bad "no default store DIR/hwnas.db"
expect_in "$out" "store: $tmp/a/hwnas.db, session 1: 300 evaluated, 0 from the store" "store line"
# -j N gives the same front for every strategy (the driver proposes ahead only where exact)
for s in random nsga2 evolution annealing reinforce bo; do
	expect_exit 0 "$HWNAS" "${run[@]}" --strategy $s --out "$tmp/s1-$s" --no-db
	[ -e "$tmp/s1-$s/hwnas.db" ] && bad "--no-db wrote a store" || ok
	expect_exit 0 "$HWNAS" "${run[@]}" --strategy $s --out "$tmp/s3-$s" -j 3
	cmp -s "$tmp/s1-$s/front.json" "$tmp/s3-$s/front.json" && ok || bad "$s: -j 3 front differs from -j 1"
done
expect_exit 0 "$HWNAS" "${run[@]}" --strategy nsga2 --out "$tmp/b" --db "$tmp/other.db"
[ -s "$tmp/other.db" ] && [ ! -e "$tmp/b/hwnas.db" ] && ok || bad "--db PATH not used"
expect_exit 2 "$HWNAS" "${run[@]}" --out "$tmp/c" --db x.db --no-db
expect_exit 2 "$HWNAS" "${run[@]}" --out "$tmp/c" -j 0

# hwnas db
expect_exit 0 "$HWNAS" db --help
expect_in "$out" "examples:" "db --help"
expect_exit 0 "$HWNAS" db stats --db "$tmp/a/hwnas.db"
expect_in "$out" "points:      300 (feasible" "stats points"
expect_in "$out" "strategy:    nsga2 300" "stats by strategy"
expect_in "$out" "fidelity:    model 300" "stats by fidelity"
expect_in "$out" "finished" "stats run state"
expect_exit 0 "$HWNAS" db front --db "$tmp/a/hwnas.db"
expect_in "$out" "accuracy   latency_ms" "front table header"
expect_exit 0 "$HWNAS" db front --json --db "$tmp/a/hwnas.db"
printf '%s\n' "$out" > "$tmp/dbfront.json"
python3 - "$tmp/dbfront.json" "$tmp/a/front.json" <<'PY' && ok || bad "db front = explore front"
import json, sys
d = json.load(open(sys.argv[1]))["fronts"][0]
e = json.load(open(sys.argv[2]))
key = lambda p: (round(p["accuracy"], 9), round(p["latency_ms"], 9))
assert sorted(map(key, d["points"])) == sorted(map(key, e["points"])), (len(d["points"]), len(e["points"]))
assert abs(d["hypervolume"] - e["hypervolume"]) < 1e-9
PY
expect_exit 0 "$HWNAS" db export --csv "$tmp/all.csv" --db "$tmp/a/hwnas.db"
expect_in "$out" "300 rows" "export row count"
python3 - "$tmp/all.csv" <<'PY' && ok || bad "export CSV content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 300
for k in ("idx", "arch", "pe_rows", "dataflow", "accuracy", "latency_ms", "energy_mj", "cycles",
          "dram_bytes", "fidelity", "strategy", "seed", "time", "session", "feasible", "why"):
    assert k in rows[0], k
assert sorted(int(r["seq"]) for r in rows) == list(range(300))
assert len(set(r["idx"] for r in rows)) == 300
PY
# Packed MACs (issue 20): the store records each point's mac_packing (db front, export); a
# version 3 store (no column) is read as it is ("not recorded") and migrated by a resume.
sed 's/"bits": \[8, 16\] }/"bits": [8, 16], "mac_packing": ["none", "dsp2"] }/' "$tmp/space.json" > "$tmp/pk.json"
grep -q mac_packing "$tmp/pk.json" && ok || bad "packed space not written"
pk=(explore --space "$tmp/pk.json" --budget 200 --seed 3 --quiet)
expect_exit 0 "$HWNAS" "${pk[@]}" --out "$tmp/pk"
expect_exit 0 "$HWNAS" db front --json --db "$tmp/pk/hwnas.db"
printf '%s\n' "$out" > "$tmp/pkfront.json"
expect_exit 0 "$HWNAS" db export --csv "$tmp/pk.csv" --db "$tmp/pk/hwnas.db"
python3 - "$tmp/pkfront.json" "$tmp/pk/front.json" "$tmp/pk.csv" "$tmp/pk/front.csv" <<'PY' && ok || bad "db front/export: mac_packing"
import csv, json, sys
d = json.load(open(sys.argv[1]))["fronts"][0]["points"]
e = {p["index"]: p for p in json.load(open(sys.argv[2]))["points"]}
assert len(d) == len(e) and {p["mac_packing"] for p in d} == {"none", "dsp2"}, d
for p in d:
    assert p["mac_packing"] == e[p["index"]]["hw"]["mac_packing"], p
    assert p["hw"].endswith(" dsp2") == (p["mac_packing"] == "dsp2"), p
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) == 200 and {r["mac_packing"] for r in rows} == {"none", "dsp2"}
for r in rows:   # dsp2 at 16 bits is infeasible, and says why
    if r["mac_packing"] == "dsp2" and r["act_bits"] == "16":
        assert r["feasible"] == "0" and "dsp2 needs act_bits" in r["why"], r
f = list(csv.DictReader(open(sys.argv[4])))       # explore's front.csv, in front.json's order
want = [p["hw"]["mac_packing"] for p in json.load(open(sys.argv[2]))["points"]]
assert [r["mac_packing"] for r in f] == want, ([r["mac_packing"] for r in f], want)
PY
cp "$tmp/pk/hwnas.db" "$tmp/v3.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('alter table evals drop column mac_packing'); c.execute('pragma user_version = 3'); c.commit()" "$tmp/v3.db"
expect_exit 0 "$HWNAS" db stats --db "$tmp/v3.db"
expect_in "$out" "(schema version 3)" "a version 3 store is read as it is"
expect_exit 0 "$HWNAS" db front --db "$tmp/v3.db"
expect_in "$out" "were stored before store schema version 4, which did not record mac_packing" "db front: packing not recorded"
expect_exit 0 "$HWNAS" db front --json --db "$tmp/v3.db"
expect_in "$out" '"mac_packing": null' "db front --json: null packing"
mkdir -p "$tmp/pk3" && cp "$tmp/v3.db" "$tmp/pk3/hwnas.db"
expect_exit 0 "$HWNAS" "${pk[@]}" --out "$tmp/pk3"
expect_in "$out" "session 2: 0 evaluated, 200 from the store" "a version 3 store resumes"
cmp -s "$tmp/pk/front.json" "$tmp/pk3/front.json" && ok || bad "resumed version 3 store: another front"
expect_exit 0 "$HWNAS" db stats --db "$tmp/pk3/hwnas.db"
expect_in "$out" "(schema version 4)" "the resume migrated it"

# errors
expect_exit 1 "$HWNAS" db stats --db "$tmp/missing.db"
expect_in "$err" "$tmp/missing.db" "missing store named"
echo "not a database, just text, long enough to have a header of its own............" > "$tmp/text.db"
expect_exit 1 "$HWNAS" db stats --db "$tmp/text.db"
expect_in "$err" "$tmp/text.db: not a hwnas store" "text file refused"
expect_exit 1 "$HWNAS" "${run[@]}" --strategy nsga2 --out "$tmp/d" --db "$tmp/text.db"
expect_in "$err" "not a hwnas store" "explore refuses a text file as store"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()" "$tmp/foreign.db"
expect_exit 1 "$HWNAS" db stats --db "$tmp/foreign.db"
expect_in "$err" "without the hwnas tables" "foreign SQLite file refused"
cp "$tmp/a/hwnas.db" "$tmp/new.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma user_version = 7'); c.commit()" "$tmp/new.db"
expect_exit 1 "$HWNAS" db stats --db "$tmp/new.db"
expect_in "$err" "$tmp/new.db: store schema version 7, this hwnas reads version 4" "newer schema refused"
expect_exit 2 "$HWNAS" db
expect_exit 2 "$HWNAS" db frobnicate
expect_in "$err" "unknown action 'frobnicate'" "unknown action"
expect_exit 2 "$HWNAS" db export --db "$tmp/a/hwnas.db"
expect_in "$err" "export needs --csv" "export without --csv"
rm -rf "$tmp"
finish
