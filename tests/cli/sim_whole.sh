#!/usr/bin/env bash
# CLI tests of 'hwnas sim --whole' (docs/rtl.md "Whole networks"): a small CNN graph run as one
# chain on a 4x4 WS config, its table and JSON, the bad inputs, and a harness whose dumped
# outputs are corrupted (as a faulty store would leave them): exit 1, bit_exact false. Then
# '--whole --axi' (docs/deploy.md "A whole network through the driver"): the CNN and a
# 1x1-conv and fc network in one start of the driver on the simulated AXI top, and an AXI
# harness that corrupts the last byte of the tensors it reads back.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-sim-whole-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
net=$root/tests/data/nets/whole_cnn.json
hw=$root/tests/data/validate/hw_ws4_8b_s_small.json

# usage errors and bad inputs
expect_exit 2 "$HWNAS" sim --net "$net" --hw "$hw" --axi
expect_in "$err" "--axi needs --whole" "sim --axi without --whole"
expect_exit 2 "$HWNAS" sim --net "$net" --hw "$hw" --whole --layer stem
expect_in "$err" "--whole runs every layer: not with --layer" "sim --whole --layer"
expect_exit 2 "$HWNAS" sim --net "$net" --hw "$hw" --whole --trace "$tmp/w.vcd"
expect_in "$err" "not with --trace" "sim --whole --trace"
expect_exit 2 "$HWNAS" sim --net "$net" --hw "$hw" --whole --max-macs 10
expect_in "$err" "not with --max-macs" "sim --whole --max-macs"
expect_exit 1 "$HWNAS" sim --net "$root/tests/data/nets/small_net.json" --hw "$hw" --whole
expect_in "$err" "needs a graph" "sim --whole on a list of layers"
expect_exit 1 "$HWNAS" sim --net "$tmp/none.json" --hw "$hw" --whole
expect_in "$err" "none.json" "sim --whole on a missing file"
cat > "$tmp/acc.json" <<'JSON'
{ "pe_rows": 4, "pe_cols": 4, "act_bits": 8, "weight_bits": 8, "acc_bits": 8 }
JSON
expect_exit 1 "$HWNAS" sim --net "$net" --hw "$tmp/acc.json" --whole
expect_in "$err" "acc_bits" "sim --whole on a config the RTL cannot run"

if ! command -v verilator >/dev/null; then
	echo "verilator not found: the RTL runs are skipped"
	finish
	exit $?
fi

expect_exit 0 "$HWNAS" sim --net "$net" --hw "$hw" --whole
expect_in "$out" "bit_exact true" "sim --whole table verdict"
expect_in "$out" "model == rtl on all layers" "sim --whole table cycles"
expect_in "$out" "8 layers in a chain" "sim --whole table layers"
expect_in "$out" "no re-layout between layers" "sim --whole table windows"
expect_in "$out" "one program on one image" "sim --whole table: one image"
expect_in "$err" "[8/8] fc (fc)" "sim --whole progress"

expect_exit 0 "$HWNAS" sim --net "$net" --hw "$hw" --whole --json --seed 7
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["whole"] is True and d["relayout"] == "none" and d["one_image"] is True, d
names = [l["name"] for l in d["layers"]]
assert names == ["stem", "dw", "pw", "add", "pool", "down", "gap", "fc"], names
for l in d["layers"]:
    assert l["bit_exact"] is True and l["mismatches"] == 0, l
    assert l["rtl_cycles"] == l["model_cycles"], l
    assert l["distinct_values"] >= 2, l
    assert l["host_layout"] is False, l
t = d["total"]
assert t["bit_exact"] is True and t["cycles_equal"] is True, t
assert t["rtl_cycles"] == sum(l["rtl_cycles"] for l in d["layers"]), t
assert t["model_cycles"] == t["rtl_cycles"], t
assert t["outputs"] == 10 and t["mismatches"] == 0, t
assert t["macs"] == 26104, t
' && ok || bad "sim --whole --json content"

expect_exit 2 "$HWNAS" sim --net "$net" --hw "$hw" --per-layer
expect_in "$err" "--per-layer needs --whole" "sim --per-layer without --whole"
expect_exit 0 "$HWNAS" sim --net "$net" --hw "$hw" --whole --per-layer --json --seed 7
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["one_image"] is False and d["total"]["bit_exact"] is True, d
assert d["total"]["cycles_equal"] is True, d
for l in d["layers"]:
    assert l["layer_mismatches"] == 0 and l["mismatches"] == 0, l
' && ok || bad "sim --whole --per-layer --json content"

# A harness that corrupts the last element of every dumped region (the last tensor of the
# one image, the network output; every layer's output in per-layer runs): what is read back
# differs from the reference chain, so the verdict is false and the exit 1.
src=$tmp/src
mkdir -p "$src/sim"
cp -r "$root/rtl" "$src/rtl"
cp -r "$root/sim/harness" "$src/sim/harness"
sed -i 's|^\t\t\tfwrite(mem.data() + r.base|\t\t\tmem[(size_t)(r.base + r.count - 1)] ^= 1, fwrite(mem.data() + r.base|' \
	"$src/sim/harness/harness.cpp"
if grep -q 'mem\[(size_t)(r.base + r.count - 1)\] ^= 1' "$src/sim/harness/harness.cpp"; then
	ok
	HWNAS_SRCDIR=$src expect_exit 1 "$HWNAS" sim --net "$net" --hw "$hw" --whole
	expect_in "$out" "bit_exact false" "sim --whole with a corrupting harness"
	expect_in "$out" "10 elements, 1 differ" "sim --whole with a corrupting harness: outputs"
	HWNAS_SRCDIR=$src expect_exit 1 "$HWNAS" sim --net "$net" --hw "$hw" --whole --per-layer
	expect_in "$out" "bit_exact false" "sim --whole --per-layer with a corrupting harness"
else
	bad "sim_whole.sh: the dump line of harness.cpp changed; update the corruption"
fi

# --whole --axi: one start of the driver for the whole network
pw=$root/tests/data/nets/whole_pw_fc.json
expect_exit 0 "$HWNAS" sim --net "$pw" --hw "$hw" --whole --axi
expect_in "$out" "through the AXI top and the driver" "sim --whole --axi title"
expect_in "$out" "one start of the driver" "sim --whole --axi: one start"
expect_in "$out" "13 elements, 0 differ" "sim --whole --axi outputs"
expect_in "$out" "bit_exact true" "sim --whole --axi verdict"
expect_exit 0 "$HWNAS" sim --net "$pw" --hw "$hw" --whole --axi --json --seed 3
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["whole"] is True and d["axi"] is True and d["one_image"] is True, d
assert [l["name"] for l in d["layers"]] == ["expand", "project", "fc1", "fc2", "head"], d
for l in d["layers"]:
    assert l["bit_exact"] is True and l["mismatches"] == 0 and "rtl_cycles" not in l, l
t = d["total"]
assert t["bit_exact"] is True and t["outputs"] == 13 and t["mismatches"] == 0, t
assert t["axi_cycles"] == t["rtl_cycles"] >= t["program_cycles"] > 0, t
assert t["model_cycles"] == sum(l["model_cycles"] for l in d["layers"]), t
assert t["axi_rd_bytes"] > 0 and t["axi_wr_bytes"] > 0, t
assert t["model_axi_cycles"] == sum(l["model_axi_cycles"] for l in d["layers"]) > 0, t
' && ok || bad "sim --whole --axi --json content"
# per-layer AXI cycles from the program's prefixes: they sum to the network's
expect_exit 0 "$HWNAS" sim --net "$pw" --hw "$hw" --whole --axi --per-layer --json --seed 3
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["total"]
assert t["bit_exact"] is True, t
assert all(l["rtl_cycles"] > 0 for l in d["layers"]), d["layers"]
assert sum(l["rtl_cycles"] for l in d["layers"]) == t["axi_cycles"], d
' && ok || bad "sim --whole --axi --per-layer --json: per-layer cycles"
# the CNN: windows walked and pools / add on the vector unit by the AXI top
expect_exit 0 "$HWNAS" sim --net "$net" --hw "$hw" --whole --axi
expect_in "$out" "10 elements, 0 differ" "sim --whole --axi whole_cnn outputs"
expect_in "$out" "bit_exact true" "sim --whole --axi whole_cnn verdict"
expect_in "$out" "vector unit" "sim --whole --axi whole_cnn: pool and add"
# a layer the AXI top cannot run in a chain: named
expect_exit 1 "$HWNAS" sim --net "$root/tests/data/nets/attn_graph.json" --hw "$hw" --whole --axi
expect_in "$err" "attn_graph: layers[0] 'scores': a matmul" "sim --whole --axi names the layer it cannot run"
# an AXI harness that flips the last byte it reads back (the last element of head, a network
# output): exit 1, bit_exact false
sed -i 's|^\tif (dump_n && fwrite(&dram\[dump_at\]|\tif (dump_n) dram[dump_at + dump_n - 1] ^= 1;\n&|' \
	"$src/sim/harness/harness_axi.cpp"
mkdir -p "$src/driver"
cp "$root/driver/"* "$src/driver/"
if grep -q 'dram\[dump_at + dump_n - 1\] ^= 1' "$src/sim/harness/harness_axi.cpp"; then
	ok
	HWNAS_SRCDIR=$src expect_exit 1 "$HWNAS" sim --net "$pw" --hw "$hw" --whole --axi
	expect_in "$out" "13 elements, 1 differ" "sim --whole --axi with a corrupting harness"
	expect_in "$out" "bit_exact false" "sim --whole --axi with a corrupting harness: verdict"
else
	bad "sim_whole.sh: the dump line of harness_axi.cpp changed; update the corruption"
fi
finish
