#!/usr/bin/env bash
# CLI tests of 'hwnas explore'.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
small_space "$tmp/space.json"

expect_exit 0 "$HWNAS" explore --help
expect_in "$out" "example:" "explore --help"
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nsga2 --budget 300 --seed 3 --out "$tmp/a" --quiet
expect_in "$out" "hypervolume" "explore prints the front"
for f in front.json front.csv evaluations.jsonl configs/0.json configs/0.net.json configs/0.vh; do
	[ -s "$tmp/a/$f" ] && ok || bad "explore wrote no $f"
done
python3 - "$tmp/a" <<'PY' && ok || bad "front.json content"
import json, sys, os
d = json.load(open(sys.argv[1] + "/front.json"))
assert d["strategy"] == "nsga2" and d["seed"] == 3 and d["budget"] == 300
assert d["evaluations"] == 300 and 0 < d["hypervolume"] <= 1
assert len(d["points"]) >= 1
for p in d["points"]:
    for k in ("accuracy", "latency_ms", "energy_mj", "dsp", "bram", "lut", "arch", "hw"):
        assert k in p, k
    assert p["fidelity"] == "model" and p["accuracy_source"] == "nb201-table"
    assert p["arch"].startswith("|") and p["hw"]["device"] == "zcu102"
lines = open(sys.argv[1] + "/evaluations.jsonl").read().splitlines()
assert len(lines) == 300 and all(json.loads(l)["seq"] == i for i, l in enumerate(lines))
files = os.listdir(sys.argv[1] + "/configs")
assert len([f for f in files if f.endswith(".net.json")]) == len(d["points"])
assert len([f for f in files if f.endswith(".vh")]) == len(d["points"])
PY
grep -q "localparam ROWS = " "$tmp/a/configs/0.vh" && ok || bad "Verilog header"
for c in "$tmp"/a/configs/[0-9].json "$tmp"/a/configs/[0-9][0-9].json; do
	[ -e "$c" ] || continue
	expect_exit 0 "$HWNAS" eval --net resnet18 --hw "$c" --mapper greedy
done
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nsga2 --budget 300 --seed 3 --out "$tmp/b" --quiet
cmp -s "$tmp/a/front.json" "$tmp/b/front.json" && ok || bad "same seed, different front.json"
for s in random evolution annealing reinforce bo; do
	expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy $s --budget 100 --out "$tmp/$s" --quiet
done
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --exhaustive --out "$tmp/x" --quiet
expect_in "$out" "(exhaustive)" "exhaustive run"
expect_exit 0 "$HWNAS" explore --space "$root/examples/default_space.json" --budget 200 --out "$tmp/d" --quiet
# "axi": ranked by the AXI top's cycles (docs/model.md "Through the AXI top"): the same seed
# proposes the same first point, slower through AXI
sed 's|"mapper"|"axi": {"dw": 64, "maxb": 16, "maxout": 4}, "mapper"|' "$tmp/space.json" > "$tmp/axi.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/axi.json" --strategy random --budget 20 --seed 5 --out "$tmp/ax" --quiet
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy random --budget 20 --seed 5 --out "$tmp/dx" --quiet
python3 - "$tmp/ax" "$tmp/dx" <<'PY' && ok || bad "explore with axi: latencies not above the direct top's"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1] + "/evaluations.jsonl")]
d = [json.loads(l) for l in open(sys.argv[2] + "/evaluations.jsonl")]
assert len(a) == len(d) == 20
for x, y in zip(a, d):
    assert x["arch"] == y["arch"] and x["hw"] == y["hw"]
    if y.get("feasible", True) and y["latency_ms"] > 0:
        assert x["latency_ms"] > y["latency_ms"], (x["latency_ms"], y["latency_ms"])
    # the resources are the AXI top's (hw_axi_resources): 3 DSPs fewer (the DMA's byte
    # count), its staging memory's BRAM more
    if y["dsp"] > 0:
        assert x["dsp"] == y["dsp"] - 3, (x["dsp"], y["dsp"])
        assert x["bram"] > y["bram"], (x["bram"], y["bram"])
PY
sed 's|"mapper"|"axi": {"dw": 96}, "mapper"|' "$tmp/space.json" > "$tmp/axibad.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/axibad.json" --out "$tmp/f"
expect_in "$err" "axibad.json" "bad axi: the file named"
expect_in "$err" "dw" "bad axi: the field named"
# hypervolume 0: a warning that names the objective whose ref excludes the front
sed 's/"ref": 40/"ref": 0.001/' "$tmp/space.json" > "$tmp/tight.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/tight.json" --budget 50 --out "$tmp/t" --quiet
expect_in "$out" "hypervolume 0.0000" "tight ref: hypervolume 0"
expect_in "$err" "warning: hypervolume 0: none of the" "hypervolume 0 is warned about"
expect_in "$err" "'objectives[1]' latency_ms: its ref 0.001 excludes" "the excluding objective named"
case "$err" in *"'objectives[0]'"*) bad "accuracy's ref named although it excludes nothing" ;; *) ok ;; esac
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --budget 50 --out "$tmp/t2" --quiet
case "$err" in *"hypervolume 0"*) bad "warned with a hypervolume above 0" ;; *) ok ;; esac
# errors
sed 's/"pe_rows": \[8, 16\]/"pe_rows": [8, 0]/' "$tmp/space.json" > "$tmp/bad.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/bad.json" --out "$tmp/e"
expect_in "$err" "'hw.choices.pe_rows[1]'" "bad space names the field"
expect_in "$err" "bad.json" "bad space names the file"
expect_exit 1 "$HWNAS" explore --space "$tmp/missing.json" --out "$tmp/e"
expect_in "$err" "missing.json" "missing space file named"
# files the space names: checked before a store is made, errors name the field and the file
for f in '"energy": "no_energy.json"' '"calibration": "no_calib.json"'; do
	sed "s|\"mapper\"|$f, \"mapper\"|" "$tmp/space.json" > "$tmp/files.json"
	expect_exit 1 "$HWNAS" explore --space "$tmp/files.json" --out "$tmp/f"
	expect_in "$err" "files.json: '${f%%\"*:*}" "bad $f: the field named"
	expect_in "$err" "no_" "bad $f: the file named"
	[ ! -e "$tmp/f/hwnas.db" ] && ok || bad "bad $f: a store was made"
done
echo '{"format": "hwnas-calibration", "version": 1, "classes": [{"dataflow": "xx"}]}' > "$tmp/badcal.json"
sed 's|"mapper"|"calibration": "badcal.json", "mapper"|' "$tmp/space.json" > "$tmp/files.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/files.json" --out "$tmp/f"
expect_in "$err" "'calibration'" "bad calibration content: the field named"
expect_in "$err" "badcal.json" "bad calibration content: the file named"
printf '{ "name": "z", "nn": { "space": "zoo", "network": "no_net.json" }, "hw": { "choices": { "pe_rows": [8] } },\n  "objectives": [ { "metric": "latency_ms", "ref": 10 } ] }\n' > "$tmp/zoofile.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/zoofile.json" --out "$tmp/f"
expect_in "$err" "zoofile.json: 'nn.network'" "missing network file: the field named"
expect_in "$err" "no_net.json" "missing network file: the file named"
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json"
expect_in "$err" "--out is required" "explore without --out"
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json" --out "$tmp/e" --strategy nope
expect_in "$err" "unknown strategy 'nope'" "unknown strategy"
expect_exit 2 "$HWNAS" explore --space "$tmp/space.json" --out "$tmp/e" --budget 0
rm -rf "$tmp"
finish
