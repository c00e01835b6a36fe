#!/usr/bin/env bash
# CLI tests of 'hwnas estimators' (docs/search.md "Cost estimators"): the table against the
# RTL on a small space (the verilated model tests/cli/sim.sh builds, at two DRAM latencies),
# the files it writes, and its usage errors.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-estim-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for lat in 5 40; do
cat > "$tmp/hw$lat.json" <<JSON
{ "pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "act_bits": 8, "weight_bits": 8,
  "acc_bits": 32, "ibuf_bytes": 4096, "wbuf_bytes": 4096, "obuf_bytes": 8192,
  "double_buffer": false, "freq_mhz": 200, "dram_gbps": 1.6, "dram_latency_cycles": $lat }
JSON
done
d="$root/tests/data/validate"
nets="$d/v_tiny.json,$d/v_cnn.json,$d/v_attn.json"

expect_exit 0 "$HWNAS" estimators --help
expect_in "$out" "example:" "estimators --help"
expect_exit 2 "$HWNAS" estimators --nets "$nets"
expect_in "$err" "--nets and --hws (or --space) are required" "estimators without --hws"
expect_exit 2 "$HWNAS" estimators --nets "$nets" --hws "$tmp/hw5.json" --truth fpga
expect_in "$err" "--truth must be 'rtl' or 'model'" "estimators --truth fpga"
expect_exit 2 "$HWNAS" estimators --space x.json --nets "$nets"
expect_in "$err" "not both" "estimators --space and --nets"
expect_exit 1 "$HWNAS" estimators --nets "$nets" --hws "$tmp/nope.json"
expect_in "$err" "nope.json" "estimators missing config"
expect_exit 1 "$HWNAS" estimators --nets "$d/v_tiny.json" --hws "$tmp/hw5.json" --truth model
expect_in "$err" "at least 4 pairs" "estimators with one pair"

expect_exit 0 "$HWNAS" estimators --nets "$nets" --hws "$tmp/hw5.json,$tmp/hw40.json" --json \
	--quiet --lut-out "$tmp/t.lut" --predictor-out "$tmp/t.pred"
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["truth"] == "rtl" and d["pairs"] == 6 and d["test_pairs"] == 3, d
rows = {r["name"]: r for r in d["estimators"]}
assert set(rows) == {"analytical", "lut", "linear", "gbt", "rtl"}, rows
# the model walks the RTL tile program: exact; the table holds RTL measurements
for k in ("analytical", "lut", "rtl"):
    assert rows[k]["mape"] == 0 and rows[k]["kendall_tau"] == 1, rows[k]
for p in d["test"]:
    assert p["analytical"] == p["truth_cycles"] == p["rtl"], p
assert rows["rtl"]["us_per_eval"] > 100 * rows["linear"]["us_per_eval"], rows
assert d["rtl_layers"] > 0
' && ok || bad "estimators --json figures"
[ -s "$tmp/t.lut" ] && grep -q "^format hwnas-lut 1$" "$tmp/t.lut" && ok || bad "estimators --lut-out"
grep -q "^kind gbt$" "$tmp/t.pred" && ok || bad "estimators --predictor-out"
grep -q "^source rtl$" "$tmp/t.lut" && ok || bad "estimators: the table's source"

# eval --cost: the table, the predictor and the RTL on a network the table holds
net="$d/v_cnn.json"
expect_exit 0 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --json
ana=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["cycles"])')
expect_exit 0 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --cost lut --lut "$tmp/t.lut" --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["cost"] == {"estimator": "lut", "file": sys.argv[2], "layers_from_model": 0}, d["cost"]
assert d["total"]["cycles"] == int(sys.argv[1]), (d["total"]["cycles"], sys.argv[1])
' "$ana" "$tmp/t.lut" && ok || bad "eval --cost lut: the table (RTL-measured) gives the model's total"
expect_exit 0 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --cost rtl --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["cost"]["estimator"] == "rtl" and d["cost"]["layers_from_model"] == 1, d["cost"]  # the pool
assert d["total"]["cycles"] == int(sys.argv[1])
' "$ana" && ok || bad "eval --cost rtl"
expect_exit 0 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --cost predictor --predictor "$tmp/t.pred"
expect_in "$out" "cycles by predictor $tmp/t.pred (gbt); 1 of 6 layers kept the model's figure" \
	"eval --cost predictor"
# a layer the table lacks: an error naming it, or the model with --lut-miss model
echo '{"name": "x", "layers": [{"name": "odd", "type": "fc", "in_features": 33, "out_features": 7}]}' > "$tmp/x.json"
expect_exit 1 "$HWNAS" eval --net "$tmp/x.json" --hw "$tmp/hw5.json" --cost lut --lut "$tmp/t.lut"
expect_in "$err" "t.lut: no entry for layer 'odd' (fc n1 c33" "eval --cost lut miss"
expect_exit 0 "$HWNAS" eval --net "$tmp/x.json" --hw "$tmp/hw5.json" --cost lut --lut "$tmp/t.lut" \
	--lut-miss model
expect_in "$out" "1 of 1 layers kept the model's figure" "eval --lut-miss model"
expect_exit 1 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --cost lut --lut "$tmp/t.lut" --mapper greedy
expect_in "$err" "the table's tilings come from the glpk mapper, this run uses greedy" "eval lut mapper"
expect_exit 2 "$HWNAS" eval --net "$net" --cost lut
expect_in "$err" "--cost lut needs --lut FILE" "eval --cost lut without --lut"
expect_exit 2 "$HWNAS" eval --net "$net" --cost fpga
expect_in "$err" "--cost must be 'analytical', 'lut', 'predictor' or 'rtl'" "eval --cost fpga"
expect_exit 2 "$HWNAS" eval --net "$net" --cost predictor --predictor "$tmp/t.pred" --calib x.json
expect_in "$err" "does not go with --cost predictor" "eval --cost with --calib"
head -c 300 "$tmp/t.lut" > "$tmp/cut.lut"
expect_exit 1 "$HWNAS" eval --net "$net" --hw "$tmp/hw5.json" --cost lut --lut "$tmp/cut.lut"
expect_in "$err" "cut.lut: damaged" "eval --cost lut with a damaged table"

# explore --cost: a table made over an NB201 space, then a search priced by it; each front
# point's reproduce command (it carries --cost) gives its latency and energy exactly
space="$root/tests/data/estim/nb201_in16_4x4_space.json"
bin=$(cd "$(dirname "$HWNAS")" && pwd)/$(basename "$HWNAS")   # the commands run in $tmp/ex
expect_exit 0 "$HWNAS" estimators --space "$space" --points 24 --quiet --lut-out "$tmp/nb.lut" \
	--predictor-out "$tmp/nb.pred"
expect_exit 0 "$HWNAS" explore --space "$space" --strategy random --budget 20 --out "$tmp/ex" \
	--cost lut --lut "$tmp/nb.lut" --lut-miss model
expect_in "$err" "explore: cycles by --cost lut $tmp/nb.lut; " "explore --cost lut summary"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$tmp/ex/front.json")
for i in $(seq 0 $((n - 1))); do
	cmd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["points"][int(sys.argv[2])]["reproduce"])' "$tmp/ex/front.json" "$i")
	case "$cmd" in *"--cost lut --lut $tmp/nb.lut --lut-miss model"*) ok ;; *) bad "reproduce without --cost: $cmd" ;; esac
	got=$(cd "$tmp/ex" && ${cmd/hwnas/$bin} --json | python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(t["latency_ms"], t["energy_mj"])')
	want=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["points"][int(sys.argv[2])]; print(p["latency_ms"], p["energy_mj"])' "$tmp/ex/front.json" "$i")
	[ "$got" = "$want" ] && ok || bad "front point $i: reproduce gives '$got', the front '$want'"
done
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
roles = {i["role"]: i for i in d["produced_by"]["inputs"]}
assert roles["cost estimator"]["value"] == "lut, misses: model", roles
assert roles["cost file"]["path"].endswith("nb.lut"), roles
' "$tmp/ex/front.json" && ok || bad "explore --cost lut: the inputs record the table"
# the same store with another estimator is another run: refused, naming it
expect_exit 1 "$HWNAS" explore --space "$space" --strategy random --budget 20 --out "$tmp/ex"
expect_in "$err" "the store's run had cost estimator lut, misses: model, this run has none" \
	"explore resume with another --cost"
# every evaluation on the RTL: fidelity rtl, and the model's latency (exact)
expect_exit 0 "$HWNAS" explore --space "$space" --strategy random --budget 4 --out "$tmp/exr" \
	--cost rtl --quiet --no-db
expect_exit 0 "$HWNAS" explore --space "$space" --strategy random --budget 4 --out "$tmp/exm" \
	--quiet --no-db
python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
assert all(p["fidelity"] == "rtl" for p in r["points"]), r["points"]
assert [p["latency_ms"] for p in r["points"]] == [p["latency_ms"] for p in m["points"]]
' "$tmp/exr/front.json" "$tmp/exm/front.json" && ok || bad "explore --cost rtl"
expect_exit 0 "$HWNAS" explore --space "$space" --strategy random --budget 10 --out "$tmp/exp" \
	--cost predictor --predictor "$tmp/nb.pred" --quiet --no-db
expect_exit 2 "$HWNAS" explore --space "$space" --out "$tmp/exq" --cost predictor
expect_in "$err" "--cost predictor needs --predictor FILE" "explore --cost predictor without a file"

# the model as the truth: the table
expect_exit 0 "$HWNAS" estimators --nets "$nets" --hws "$tmp/hw5.json,$tmp/hw40.json" \
	--truth model --mapper greedy --quiet
expect_in "$out" "analytical" "estimators --truth model table"
case "$out" in *"rtl    "*) bad "estimators --truth model has an rtl row" ;; *) ok ;; esac
finish
