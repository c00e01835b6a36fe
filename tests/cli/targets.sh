#!/usr/bin/env bash
# CLI tests of spaces with several hardware targets (docs/search.md "Multiple targets"): the
# front shows each target's figures and every one reproduces with its 'hwnas eval' command,
# the transfer report, the store (resume; other targets refused), and bad spaces.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
HWNAS=$(cd "$(dirname "$HWNAS")" && pwd)/$(basename "$HWNAS")
tmp=$(mktemp -d)
# 36 MobileNet-style networks on a PYNQ-Z1 (4 configs) and a ZCU102 (4 configs, 8 or 16 bits)
space() { # space FILE NAME_A NAME_B OBJECTIVE_B [EXTRA]
	cat > "$1" <<JSON
{
	"name": "two",
	"nn": { "space": "mbv2", "kernel": [3, 5, 7], "expansion": [3, 6], "stages": [1, 2],
		"width": [0.5], "resolution": [96], "classes": 10 },
	"mapper": "greedy",
	"targets": [
		{ "name": "$2", "device": "pynq_z1",
		  "hw": { "base": "$root/examples/pynq_z1_ws_8x8_int8.json",
			  "choices": { "pe_rows": [4, 8], "dataflow": ["ws", "os"] } } },
		{ "name": "$3", "device": "zcu102",
		  "hw": { "base": { "pe_rows": 16, "pe_cols": 16, "dram_gbps": 19.2, "freq_mhz": 200 },
			  "choices": { "pe_cols": [8, 16], "bits": [8, 16] } } }
	],
	"objectives": [
		{ "metric": "accuracy", "goal": "max", "ref": 0 },
		{ "metric": "latency_ms@$2", "goal": "min", "ref": 1000 },
		{ "metric": "$4", "goal": "min", "ref": 100 }
	]$5
}
JSON
}
space "$tmp/s.json" pynq zcu latency_ms@zcu ', "constraints": [ { "metric": "latency_ms@pynq", "max": 30 } ]'

# 1. exhaustive front with the transfer report
expect_exit 0 "$HWNAS" explore --space "$tmp/s.json" --exhaustive --out "$tmp/a" --quiet --transfer
expect_in "$out" "objectives: accuracy, latency_ms@pynq, latency_ms@zcu" "objective labels"
expect_in "$out" "transfer loss, latency_ms" "transfer section"
expect_in "$out" "pynq         zcu" "transfer pair row"
python3 - "$tmp/a" "$HWNAS" <<'PY' && ok || bad "multi-target front.json / reproduce"
import json, shlex, subprocess, sys
out, hwnas = sys.argv[1], sys.argv[2]
d = json.load(open(out + "/front.json"))
assert [t["name"] for t in d["targets"]] == ["pynq", "zcu"]
assert [o["metric"] for o in d["objectives"]] == ["accuracy", "latency_ms@pynq", "latency_ms@zcu"]
assert d["points"]
n = 0
for i, p in enumerate(d["points"]):
    assert "reproduce" not in p, "a multi-target point reproduces per target"
    ts = p["targets"]
    # plain metrics: the worst case over the targets
    assert p["latency_ms"] == max(ts["pynq"]["latency_ms"], ts["zcu"]["latency_ms"])
    assert p["accuracy"] == min(ts["pynq"]["accuracy"], ts["zcu"]["accuracy"])
    assert ts["pynq"]["latency_ms"] <= 30, "constraint latency_ms@pynq <= 30"
    for name, t in ts.items():
        assert t["config"] == "configs/%d.%s.json" % (i, name)
        assert t["hw"]["device"] == ("pynq_z1" if name == "pynq" else "zcu102")
        cmd = shlex.split(t["reproduce"])
        r = subprocess.run([hwnas] + cmd[1:] + ["--json"], cwd=out, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        e = json.loads(r.stdout)
        got = (e["total"]["latency_ms"], e["total"]["energy_mj"], e["resources"]["dsp"])
        want = (t["latency_ms"], t["energy_mj"], t["dsp"])
        assert got == want, (i, name, got, want)
        n += 1
tr = json.load(open(out + "/transfer.json"))
assert tr["metric"] == "latency_ms" and tr["networks"] == 36 and tr["evaluations"] == 36 * 8
assert [(p["from"], p["to"]) for p in tr["pairs"]] == [("pynq", "zcu"), ("zcu", "pynq")]
for p in tr["pairs"]:
    assert p["picked"] == len(p["networks"]) > 0
    for r in p["networks"]:
        assert r["loss_pct"] >= 0 and abs(r["loss_pct"] - (r["metric_to"] / r["best_to"] - 1) * 100) < 1e-9
    assert abs(p["max_loss_pct"] - max(r["loss_pct"] for r in p["networks"])) < 1e-12
    assert p["hypervolume_from_picks"] <= p["hypervolume_own"] + 1e-12
print("%d target points reproduced" % n)
PY
head -1 "$tmp/a/front.csv" | grep -q "latency_ms@pynq,energy_mj@pynq" && ok || bad "front.csv per-target columns"
test -f "$tmp/a/configs/0.zcu.vh" && test -f "$tmp/a/configs/0.pynq.json" && ok || bad "per-target configs"

# 2. aggregates: worst case and mean
space "$tmp/agg.json" pynq zcu latency_ms@max ', "constraints": [ { "metric": "energy_mj@mean", "max": 50 } ]'
expect_exit 0 "$HWNAS" explore --space "$tmp/agg.json" --strategy random --budget 100 --seed 3 --out "$tmp/g" --quiet --no-db
python3 - "$tmp/g" <<'PY' && ok || bad "aggregates"
import json, sys
d = json.load(open(sys.argv[1] + "/front.json"))
assert d["objectives"][2]["metric"] == "latency_ms@max"
for p in d["points"]:
    ts = p["targets"]
    assert (ts["pynq"]["energy_mj"] + ts["zcu"]["energy_mj"]) / 2 <= 50
ev = [json.loads(l) for l in open(sys.argv[1] + "/evaluations.jsonl")]
cut = [e for e in ev if not e["feasible"] and "energy_mj@mean" in e["why"]]
assert all((e["targets"]["pynq"]["energy_mj"] + e["targets"]["zcu"]["energy_mj"]) / 2 > 50 for e in cut)
PY

# 3. the store: a rerun resumes from it; a store made for other targets is refused
expect_exit 0 "$HWNAS" explore --space "$tmp/s.json" --strategy nsga2 --budget 120 --seed 2 --out "$tmp/r" --quiet
cp "$tmp/r/front.csv" "$tmp/front1.csv"
expect_exit 0 "$HWNAS" explore --space "$tmp/s.json" --strategy nsga2 --budget 120 --seed 2 --out "$tmp/r" --quiet
expect_in "$out" "0 evaluated, 120 from the store" "resume from the store"
cmp -s "$tmp/r/front.csv" "$tmp/front1.csv" && ok || bad "a resumed run gives another front"
# the report and db read a multi-target run: objectives by their labels
expect_exit 0 "$HWNAS" report --out "$tmp/r" -o "$tmp/r.html"
grep -q "latency_ms@zcu" "$tmp/r.html" && ok || bad "report: objective labels"
python3 - "$tmp/r" "$tmp/r.html" <<'PY' && ok || bad "report: the per-target table"
import json, re, sys
d = json.load(open(sys.argv[1] + "/front.json"))
html = open(sys.argv[2]).read()
t = html[html.index('id="targets-table"'):]
t = t[:t.index("</table>")]
assert "latency ms @zcu" in t
rows = re.findall(r'<tr data-i="(\d+)">(.*?)</tr>', t)
assert len(rows) == len(d["points"])
for i, r in rows:
    v = [float(x) for x in re.findall(r'data-v="([^"]+)"', r)]
    p = d["points"][int(i)]["targets"]
    assert v[1:] == [p["pynq"]["accuracy"], p["pynq"]["latency_ms"], p["pynq"]["energy_mj"], p["pynq"]["dsp"],
                     p["zcu"]["accuracy"], p["zcu"]["latency_ms"], p["zcu"]["energy_mj"], p["zcu"]["dsp"]], (i, v)
PY
expect_exit 0 "$HWNAS" report --db "$tmp/r/hwnas.db" -o "$tmp/r2.html"
expect_exit 0 "$HWNAS" db front --db "$tmp/r/hwnas.db"
expect_in "$out" "latency_ms@pynq latency_ms@zcu" "db front labels"
python3 - "$tmp/r" "$out" <<'PY' && ok || bad "db front values are the per-target ones"
import json, sys
d = json.load(open(sys.argv[1] + "/front.json"))
rows = [l.split() for l in sys.argv[2].splitlines()[2:]]
want = sorted((p["targets"]["pynq"]["latency_ms"], p["targets"]["zcu"]["latency_ms"]) for p in d["points"])
got = sorted((float(r[2]), float(r[3])) for r in rows)
assert len(got) == len(want)
for g, w in zip(got, want):  # printed with 6 significant digits
    assert all(abs(a - b) <= 1e-5 * b for a, b in zip(g, w)), (g, w)
PY
space "$tmp/s.json" pynq zcu102 latency_ms@zcu102 ', "constraints": [ { "metric": "latency_ms@pynq", "max": 30 } ]'
expect_exit 1 "$HWNAS" explore --space "$tmp/s.json" --strategy nsga2 --budget 120 --seed 2 --out "$tmp/r" --quiet
expect_in "$err" "the targets is pynq,zcu102, the store's run used pynq,zcu" "store of other targets refused"

# an exhaustive run keeps its front and a checkpoint: killed, resumed on 2 threads, rerun
cat > "$tmp/x.json" <<JSON
{ "name": "nb201-two", "nn": { "space": "nb201" }, "mapper": "greedy",
  "targets": [ { "name": "p", "device": "pynq_z1", "hw": { "base": "$root/examples/pynq_z1_ws_8x8_int8.json", "choices": { "pe_rows": [4, 8] } } },
	       { "name": "z", "device": "zcu102", "hw": { "base": "$root/examples/zcu102_ws_16x16.json", "choices": { "pe_cols": [8, 16] } } } ],
  "objectives": [ { "metric": "accuracy", "ref": 80 }, { "metric": "latency_ms@p", "ref": 200 },
		  { "metric": "latency_ms@z", "ref": 20 } ] }
JSON
args=(explore --space "$tmp/x.json" --exhaustive --quiet)     # 15,625 x 2 x 2 = 62,500 points
expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/xref"
expect_exit 137 env HWNAS_TEST_DIE_AFTER=5000 "$HWNAS" "${args[@]}" --out "$tmp/x"
expect_exit 0 "$HWNAS" "${args[@]}" -j 2 --out "$tmp/x"
expect_in "$out" "from the store" "exhaustive resume"
cmp -s "$tmp/xref/front.json" "$tmp/x/front.json" && ok || bad "resumed exhaustive front.json differs"
expect_exit 0 "$HWNAS" "${args[@]}" --out "$tmp/x"
expect_in "$out" "0 evaluated, 62500 from the store" "rerun of a finished exhaustive run"
cmp -s "$tmp/xref/front.json" "$tmp/x/front.json" && ok || bad "rerun exhaustive front.json differs"
# threads: the same front
expect_exit 0 "$HWNAS" explore --space "$tmp/x.json" --strategy evolution --budget 200 --seed 4 --out "$tmp/j1" --quiet --no-db
expect_exit 0 "$HWNAS" explore --space "$tmp/x.json" --strategy evolution --budget 200 --seed 4 --out "$tmp/j2" --quiet --no-db -j 2
cmp -s "$tmp/j1/front.csv" "$tmp/j2/front.csv" && ok || bad "-j 2 gives another front"

# --force empties the store, the targets' metrics too (also for a single-target run)
small_space "$tmp/one.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/one.json" --strategy random --budget 5 --out "$tmp/r" --quiet --force
[ "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from target_metrics').fetchone()[0])" "$tmp/r/hwnas.db")" = 0 ] && ok || bad "--force left per-target rows"

# the shipped examples parse and run
for ex in nb201_pynq_zcu102_targets_space nb201_three_boards_space; do
	expect_exit 0 "$HWNAS" explore --space "$root/examples/$ex.json" --strategy random --budget 20 --out "$tmp/ex" --quiet --no-db
done
expect_in "$out" "latency_ms@ultra96" "three-board example"

# 4. bad spaces and options
space "$tmp/bad.json" pynq zcu latency_ms@zcu2
expect_exit 1 "$HWNAS" explore --space "$tmp/bad.json" --out "$tmp/b" --quiet
expect_in "$err" "bad.json: 'objectives[2].metric': unknown target \"zcu2\" in \"latency_ms@zcu2\"" "unknown target"
space "$tmp/dup.json" pynq pynq latency_ms@pynq
expect_exit 1 "$HWNAS" explore --space "$tmp/dup.json" --out "$tmp/b" --quiet
expect_in "$err" "dup.json: 'targets[1].name': target \"pynq\" is already targets[0]" "duplicate target"
test ! -e "$tmp/b/hwnas.db" && ok || bad "a refused space left a store"
small_space "$tmp/one.json"
expect_exit 2 "$HWNAS" explore --space "$tmp/one.json" --out "$tmp/b" --quiet --transfer
expect_in "$err" "--transfer compares targets" "--transfer without targets"
expect_exit 2 "$HWNAS" explore --space "$tmp/agg.json" --out "$tmp/b" --quiet --rtl
expect_in "$err" "has 2 (not supported yet)" "--rtl with targets"
expect_exit 2 "$HWNAS" explore --space "$tmp/agg.json" --out "$tmp/b" --transfer-metric accuracy
rm -rf "$tmp"
finish
