#!/usr/bin/env bash
# A front point reproduces its figures (issue 13, part 3): for every point of a run's front,
# the 'reproduce' command front.json gives ('hwnas eval' on configs/<i>.net.json and
# configs/<i>.json) prints the front's latency and energy exactly, and its DSP and BRAM.
# Runs the main job (examples/default_space.json, nsga2, budget 2000, seed 1: the Makefile's
# 'make run'), a space without "mapper" (the default must be eval's), and a greedy-mapper
# space of a network file at batch 2 with an energy table and a calibration.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
HWNAS=$(cd "$(dirname "$HWNAS")" && pwd)/$(basename "$HWNAS")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_front DIR: every point reproduced by its command, run in DIR
check_front() {
	python3 - "$1" "$HWNAS" <<'PY'
import json, shlex, subprocess, sys
out, hwnas = sys.argv[1], sys.argv[2]
d = json.load(open(out + "/front.json"))
assert d["points"], "empty front"
bad = 0
for i, p in enumerate(d["points"]):
    assert p["fidelity"] == "model"
    cmd = shlex.split(p["reproduce"])
    assert cmd[:2] == ["hwnas", "eval"], p["reproduce"]
    r = subprocess.run([hwnas] + cmd[1:] + ["--json"], cwd=out, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    e = json.loads(r.stdout)
    got = (e["total"]["latency_ms"], e["total"]["energy_mj"], e["resources"]["dsp"],
           e["resources"]["bram36"])
    want = (p["latency_ms"], p["energy_mj"], p["dsp"], p["bram"])
    if got != want:
        bad += 1
        print("point %d: eval gives %r, the front %r" % (i, got, want))
print("%s: %d front points, %d not reproduced" % (out, len(d["points"]), bad))
sys.exit(1 if bad else 0)
PY
}

# 1. the main job
t0=$(date +%s%N)
expect_exit 0 "$HWNAS" explore --space "$root/examples/default_space.json" --strategy nsga2 \
	--budget 2000 --seed 1 --out "$tmp/main" --quiet
t1=$(date +%s%N)
echo "main job: $(( (t1 - t0) / 1000000 )) ms (optimal mapper)"
check_front "$tmp/main" && ok || bad "main job: a front point does not reproduce"
python3 - "$tmp/main/front.json" <<'PY' && ok || bad "main job: front.json provenance, trade-off"
import json, sys
d = json.load(open(sys.argv[1]))
pb = d["produced_by"]
assert pb["mapper"] == "glpk" and pb["cost_model_version"] >= 3, pb
assert pb["dataset"] == "cifar10" and pb["batch"] == 1, pb
assert "NAS-Bench-201" in pb["network_source"], pb
roles = [i["role"] for i in pb["inputs"]]
assert roles == ["space file", "hw.base file", "accuracy table", "cost model version",
                 "mapper"], roles
assert [o["metric"] for o in d["objectives"]] == ["accuracy", "latency_ms", "energy_mj", "dsp"]
# the co-design trade-off: the front holds several array sizes, not only the largest
arrays = {(p["hw"]["pe_rows"], p["hw"]["pe_cols"]) for p in d["points"]}
dsps = sorted({p["dsp"] for p in d["points"]})
# (8x8: 64 PEs + 3 + 8 lanes x 8 of the output stage and vector unit = 131 DSP)
assert len(arrays) >= 5 and dsps[0] < 200 and dsps[-1] > 1000, (arrays, dsps)
print("main job front: %d points, %d array shapes, DSP %d .. %d" %
      (len(d["points"]), len(arrays), dsps[0], dsps[-1]))
PY
# Packed MACs on the main job's front (issue 20): dsp2 points, each with the resource model's
# DSPs (docs/resources.md "DSP": R x C / 2 for the array, 3 for the DMA, 8 per obuf lane for
# the 32-bit accumulators' two requantisers), the same accelerator unpacked (hwnas eval)
# with the same latency and R x C / 2 more DSPs, and arrays larger than their DSP count.
python3 - "$tmp/main" "$HWNAS" <<'PY' && ok || bad "main job: packed points on the front"
import json, os, subprocess, sys
out, hwnas = sys.argv[1], sys.argv[2]
d = json.load(open(out + "/front.json"))
pts = d["points"]
packed = [(i, p) for i, p in enumerate(pts) if p["hw"]["mac_packing"] == "dsp2"]
assert len(packed) >= 10, "only %d dsp2 points on the front" % len(packed)
assert {p["hw"]["mac_packing"] for p in pts} == {"none", "dsp2"}
assert max(max(p["hw"]["pe_rows"], p["hw"]["pe_cols"]) for p in pts) == 64, "no 64-wide array"
bigger = 0
for i, p in packed:
    h = p["hw"]
    R, C = h["pe_rows"], h["pe_cols"]
    assert h["act_bits"] <= 8 and h["weight_bits"] <= 8 and h["acc_bits"] == 32, h
    assert p["dsp"] == R * C // 2 + 3 + 8 * C, (i, R, C, p["dsp"])
    bigger += R * C > p["dsp"]
assert bigger >= 1, "no packed point with more PEs than DSPs"
# the same accelerator unpacked: the array's DSPs double, the latency does not move
i, p = max(packed, key=lambda ip: ip[1]["hw"]["pe_rows"] * ip[1]["hw"]["pe_cols"])
cfg = json.load(open("%s/configs/%d.json" % (out, i)))
assert cfg["mac_packing"] == "dsp2", cfg
cfg["mac_packing"] = "none"
json.dump(cfg, open(out + "/unpacked.json", "w"))
r = subprocess.run([hwnas, "eval", "--net", "configs/%d.net.json" % i, "--hw", "unpacked.json",
                    "--json"], cwd=out, capture_output=True, text=True)
assert r.returncode == 0, r.stderr
e = json.loads(r.stdout)
R, C = p["hw"]["pe_rows"], p["hw"]["pe_cols"]
assert e["resources"]["dsp"] == p["dsp"] + R * C // 2, (e["resources"]["dsp"], p["dsp"])
assert e["total"]["latency_ms"] == p["latency_ms"], (e["total"]["latency_ms"], p["latency_ms"])
print("main job front: %d dsp2 points (%d with more PEs than DSPs); %dx%d dsp2 %d DSP, "
      "unpacked %d" % (len(packed), bigger, R, C, p["dsp"], e["resources"]["dsp"]))
PY

# 2. no "mapper": the optimal mapper, as eval's default
small_space "$tmp/nomapper.json"
sed -i '/"mapper"/d' "$tmp/nomapper.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/nomapper.json" --budget 200 --out "$tmp/nm" --quiet
check_front "$tmp/nm" && ok || bad "default mapper: a front point does not reproduce"
expect_in "$(cat "$tmp/nm/front.json")" '"mapper":	"glpk"' "the default mapper is glpk"

# 3. greedy mapper, a network file at its own batch (2), an energy table, a calibration
mkdir -p "$tmp/sp"
cp "$root/tests/data/nets/small_net.json" "$tmp/sp/net.json"
cp "$root/tests/data/hw/good_energy_partial.json" "$tmp/sp/energy.json"
cat > "$tmp/sp/calib.json" <<'JSON'
{"format": "hwnas-calibration", "version": 1,
 "classes": [{"dataflow": "ws", "double_buffer": true, "a": 1.25, "b": 17, "n": 9},
             {"dataflow": "os", "double_buffer": true, "a": 0.75, "b": 3, "n": 9}]}
JSON
cat > "$tmp/sp/space.json" <<JSON
{
	"name": "file-net",
	"nn": { "space": "zoo", "network": "net.json", "accuracy": 70 },
	"hw": { "base": "$root/examples/zcu102_ws_16x16.json",
		"choices": { "pe_rows": [2, 4, 8, 16], "pe_cols": [4, 8, 16], "dataflow": ["ws", "os", "is"],
			     "buffer_kib": [8, 32], "dram_gbps": [1.5, 19.2] } },
	"mapper": "greedy",
	"energy": "energy.json",
	"calibration": "calib.json",
	"objectives": [
		{ "metric": "latency_ms", "goal": "min", "ref": 5 },
		{ "metric": "energy_mj", "goal": "min", "ref": 5 },
		{ "metric": "dsp", "goal": "min", "ref": 2520 }
	]
}
JSON
expect_exit 0 "$HWNAS" explore --space "$tmp/sp/space.json" --exhaustive --out "$tmp/fn" --quiet
check_front "$tmp/fn" && ok || bad "file network: a front point does not reproduce"
python3 - "$tmp/fn/front.json" <<'PY' && ok || bad "file network: provenance"
import json, sys
d = json.load(open(sys.argv[1]))
pb = d["produced_by"]
assert pb["mapper"] == "greedy" and pb["batch"] == 2, pb
assert pb["network_source"].startswith("network file") and pb["energy"].endswith("energy.json")
assert pb["calibration"].endswith("calib.json")
assert [i["role"] for i in pb["inputs"]] == ["space file", "hw.base file", "network file",
    "energy file", "calibration file", "cost model version", "mapper"], pb["inputs"]
assert all("--mapper greedy" in p["reproduce"] and "--calib" in p["reproduce"] for p in d["points"])
PY
# without the energy table or the calibration, eval gives other figures (so both count)
c0=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['points'][0]['reproduce'])" "$tmp/fn/front.json")
lat=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['points'][0]; print(repr((p['latency_ms'], p['energy_mj'])))" "$tmp/fn/front.json")
cd "$tmp/fn"
plain=$("$HWNAS" eval --net configs/0.net.json --hw configs/0.json --mapper greedy --json |
	python3 -c "import json,sys; t=json.load(sys.stdin)['total']; print(repr((t['latency_ms'], t['energy_mj'])))")
cd - >/dev/null
[ "$plain" != "$lat" ] && ok || bad "energy table and calibration changed nothing ($c0)"
# one mapper vocabulary: 'greedy' everywhere, 'default' its old name
expect_exit 0 "$HWNAS" eval --net resnet18 --mapper greedy --json
g=$out
expect_exit 0 "$HWNAS" eval --net resnet18 --mapper default --json
[ "$g" = "$out" ] && ok || bad "eval: --mapper greedy and default differ"
for a in "eval --net resnet18" "sim --net resnet18" "validate --nets resnet18 --hws x.json"; do
	expect_exit 2 "$HWNAS" $a --mapper nope
	expect_in "$err" "--mapper must be 'glpk' or 'greedy', got 'nope'" "$a --mapper nope"
done
# hwnas report re-evaluates a point with what front.json records, guessing nothing
for d in fn main; do
	expect_exit 0 "$HWNAS" report --out "$tmp/$d" --quiet
	html=$(cat "$tmp/$d/report.html")
	expect_in "$html" "(as the run recorded it" "report $d: the recorded network"
	expect_in "$html" "the run recorded" "report $d: latency compared"
	case "$html" in *"(differs: see the note)"*) bad "report $d: re-evaluation differs" ;; *) ok ;; esac
done
expect_in "$(cat "$tmp/fn/report.html")" "the greedy mapper" "report: the recorded mapper"
finish
