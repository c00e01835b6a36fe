#!/usr/bin/env bash
# CLI tests of ONNX import and export (docs/network_format.md "ONNX"): zoo show --onnx,
# eval on an ONNX file gives the zoo's figures, --batch for a dynamic batch, unknown ops
# with and without --skip-unknown-ops, bad files, explore on an ONNX fixed-network space,
# and the whole networks built with python3-onnx (onnx_nets.py).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas_onnx.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
hw=$root/examples/zcu102_ws_16x16.json
py=/usr/bin/python3 # Debian's, with python3-onnx (PATH may lead to another one)

# export, and the weights beside it as a sparse file
expect_exit 0 "$HWNAS" zoo show resnet50 --onnx "$tmp/resnet50.onnx"
expect_in "$err" "wrote $tmp/resnet50.onnx" "zoo show --onnx says what it wrote"
[ -s "$tmp/resnet50.onnx" ] && [ -f "$tmp/resnet50.onnx.weights" ] && ok || bad "no ONNX file or weights"
size=$(stat -c %s "$tmp/resnet50.onnx.weights")
[ "$size" = $((4 * (25557032 + 2 * 26560))) ] && ok || bad "weights file is $size bytes"
expect_exit 0 "$HWNAS" zoo show bert_base --onnx "$tmp/bert.onnx"
expect_in "$err" "23,874,048 parameters without MACs" "the export names what it leaves out"

# the done-when of issue 16: eval on the ONNX file gives the zoo's figures
expect_exit 0 "$HWNAS" eval --net resnet50 --hw "$hw"
zoo_out=$(printf '%s\n' "$out" | sed 1d)
expect_exit 0 "$HWNAS" eval --net "$tmp/resnet50.onnx" --hw "$hw"
onnx_out=$(printf '%s\n' "$out" | sed 1d | grep -v '^not executed')
[ "$zoo_out" = "$onnx_out" ] && ok || bad "eval of resnet50.onnx differs from the zoo's"
expect_in "$out" "not executed (no layer): 53 BatchNormalization (folded), 1 Flatten" "eval lists the nodes that are no layer"
expect_exit 0 "$HWNAS" eval --net "$tmp/resnet50.onnx" --hw "$hw" --json
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["total"]["macs"] == 4089184256, d["total"]["macs"]
ops = [s["op"] for s in d["not_executed"]]
assert ops.count("BatchNormalization") == 53 and ops.count("Flatten") == 1, ops
assert all("folded into" in s["note"] for s in d["not_executed"] if s["op"] == "BatchNormalization")
' && ok || bad "eval --json lists not_executed"
# --batch rescales a fixed batch; JSON round trip keeps not_executed
expect_exit 0 "$HWNAS" zoo show "$tmp/resnet50.onnx" --batch 4
expect_in "$out" "total: 16,356,737,024 MACs" "--batch 4 on an ONNX file"
expect_exit 0 "$HWNAS" zoo show "$tmp/resnet50.onnx" --json
printf '%s\n' "$out" > "$tmp/r50.json"
expect_exit 0 "$HWNAS" zoo show "$tmp/r50.json"
expect_in "$out" "53 BatchNormalization (folded)" "network JSON keeps the not-executed nodes"
# map, sim and validate accept the file too (a small net: sim and validate run the RTL)
expect_exit 0 "$HWNAS" map --net "$tmp/resnet50.onnx" --hw "$hw" --layer layer1.0.conv2
expect_in "$out" "layer1.0.conv2" "map on an ONNX file"
small=$root/tests/data/nets/conv_bn_relu.onnx
expect_exit 0 "$HWNAS" sim --net "$small" --hw "$hw"
expect_in "$out" "/conv/Conv" "sim on an ONNX file"
expect_in "$out" "bit_exact true" "sim on an ONNX file is bit-exact"
expect_exit 0 "$HWNAS" validate --nets "$small" --hws "$hw"
expect_in "$out" "1 points" "validate on an ONNX file"

# an unknown op: an error naming node and op, or with the flag a warning
$py - "$tmp/unknown.onnx" <<'PY'
import sys
from onnx import TensorProto, helper
g = helper.make_graph(
    [helper.make_node("Conv", ["x", "w"], ["y"], name="conv1"),
     helper.make_node("MyOp", ["y"], ["z"], name="mystery", domain="com.example")],
    "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
    [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 4, 8, 8])],
    [helper.make_tensor("w", TensorProto.FLOAT, [4, 4, 1, 1], [0.0] * 16)])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.example", 1)])
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
expect_exit 1 "$HWNAS" eval --net "$tmp/unknown.onnx" --hw "$hw"
expect_in "$err" "node 'mystery' (MyOp): op 'com.example.MyOp' is not supported" "unknown op error names node and op"
expect_exit 0 "$HWNAS" eval --net "$tmp/unknown.onnx" --hw "$hw" --skip-unknown-ops
expect_in "$err" "warning: node 'mystery' (MyOp) skipped (--skip-unknown-ops): the figures leave out" "the flag warns"
expect_in "$out" "total: 1,024 MACs" "the rest is counted (8 x 8 x 4 x 4)"

# bad files: clear errors, exit 1, no crash
printf 'not a model at all\n' > "$tmp/text.onnx"
expect_exit 1 "$HWNAS" zoo show "$tmp/text.onnx"
expect_in "$err" "text.onnx: not an ONNX model" "text is not ONNX"
head -c 3000 "$tmp/resnet50.onnx" > "$tmp/trunc.onnx"
expect_exit 1 "$HWNAS" zoo show "$tmp/trunc.onnx"
expect_in "$err" "trunc.onnx: " "a truncated file is an error naming it"
: > "$tmp/empty.onnx"
expect_exit 1 "$HWNAS" zoo show "$tmp/empty.onnx"
expect_in "$err" "empty" "an empty file"

# explore: a fixed-network space on an ONNX file, relative to the space file; the run records
# the file and its hash (the run identity), and report re-evaluates a design from it
mkdir -p "$tmp/space/nets"
"$HWNAS" zoo show resnet18 --onnx "$tmp/space/nets/r18.onnx" >/dev/null 2>&1
cat > "$tmp/space/space.json" <<JSON
{
	"name": "r18onnx",
	"nn": { "space": "zoo", "network": "nets/r18.onnx" },
	"hw": { "base": "$hw", "choices": { "pe_rows": [8, 16], "pe_cols": [8, 16] } },
	"mapper": "default",
	"objectives": [ { "metric": "latency_ms", "goal": "min", "ref": 400 },
			{ "metric": "energy_mj", "goal": "min", "ref": 1000 } ]
}
JSON
sed 's|"nets/r18.onnx"|"resnet18"|' "$tmp/space/space.json" > "$tmp/space/zoo.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/space/space.json" --strategy random --budget 4 --seed 1 --out "$tmp/out1" --quiet
expect_exit 0 "$HWNAS" explore --space "$tmp/space/zoo.json" --strategy random --budget 4 --seed 1 --out "$tmp/out2" --quiet
python3 - "$tmp/out1/front.json" "$tmp/out2/front.json" "$tmp/space/nets/r18.onnx" <<'PY' && ok || bad "explore on an ONNX space"
import json, re, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pb = a["produced_by"]
assert pb["network_source"] == "network file " + sys.argv[3], pb["network_source"]
f = [i for i in pb["inputs"] if i["role"] == "network file"]
assert len(f) == 1 and f[0]["path"] == sys.argv[3] and re.fullmatch("[0-9a-f]{16}", f[0]["value"]), f
assert [p["latency_ms"] for p in a["points"]] == [p["latency_ms"] for p in b["points"]]
PY
expect_exit 0 "$HWNAS" report --out "$tmp/out1" -o "$tmp/r.html" --quiet
grep -q "configs/0.net.json" "$tmp/r.html" && ok || bad "report re-evaluates a design of an ONNX run"
sed 's|"nets/r18.onnx"|"nets/missing.onnx"|' "$tmp/space/space.json" > "$tmp/space/bad.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/space/bad.json" --strategy random --budget 4 --out "$tmp/out3" --quiet
expect_in "$err" "'nn.network': unknown network '$tmp/space/nets/missing.onnx'" "explore names the bad network"
printf 'garbage' > "$tmp/space/nets/bad.onnx"
sed 's|"nets/r18.onnx"|"nets/bad.onnx"|' "$tmp/space/space.json" > "$tmp/space/bad2.json"
expect_exit 1 "$HWNAS" explore --space "$tmp/space/bad2.json" --strategy random --budget 4 --out "$tmp/out4" --quiet
expect_in "$err" "bad.onnx: not an ONNX model" "explore names the bad ONNX file"

# whole networks built with python3-onnx
if $py -c 'import onnx' 2>/dev/null; then
	mkdir -p "$tmp/nets"
	out=$($py "$root/tests/cli/onnx_nets.py" "$HWNAS" "$tmp/nets" 2>&1) && ok || bad "onnx_nets.py: $out"
	echo "$out" | tail -1
else
	bad "python3-onnx is missing (make deps installs it)"
fi
finish
