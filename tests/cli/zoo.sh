#!/usr/bin/env bash
# CLI tests of 'hwnas zoo': list, show (table and --json), network files, errors, usage.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
nets=$root/tests/data/nets

expect_exit 0 "$HWNAS" zoo --help
expect_in "$out" "hwnas zoo show resnet50" "zoo --help has an example"

expect_exit 0 "$HWNAS" zoo list
for n in alexnet vgg16 resnet18 resnet50 mobilenet_v2 efficientnet_b0 bert_base; do
	expect_in "$out" "$n" "zoo list names $n"
done
expect_in "$out" "25,557,032" "zoo list shows resnet50's params"

expect_exit 0 "$HWNAS" zoo show resnet50
expect_in "$out" "layer1.0.conv1" "zoo show lists torchvision layer names"
expect_in "$out" "total: 4,089,184,256 MACs, 25,557,032 params" "zoo show totals"

expect_exit 0 "$HWNAS" zoo show resnet50 --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["name"] == "resnet50" and d["batch"] == 1
assert d["macs"] == 4089184256, d["macs"]
assert d["params"] == 25557032, d["params"]
assert d["macs"] == sum(l["macs"] for l in d["layers"])
assert d["params"] == sum(l["params"] for l in d["layers"])
l = [l for l in d["layers"] if l["name"] == "layer2.0.conv2"][0]
assert l["out"] == [128, 28, 28] and l["gemm"] == {"g": 1, "m": 784, "n": 128, "k": 1152}, l
' && ok || bad "zoo show resnet50 --json content"

# The JSON output reads back as a network file, at another batch too.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$HWNAS" zoo show bert_base --json > "$tmp/bert.json" && ok || bad "zoo show bert_base --json"
expect_exit 0 "$HWNAS" zoo show "$tmp/bert.json" --batch 2 --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["batch"] == 2 and d["macs"] == 2 * (12 * 931135488 + 589824), d["macs"]
assert d["params"] == 109482240, d["params"]
' && ok || bad "bert_base JSON read back at batch 2"

expect_exit 0 "$HWNAS" zoo show "$nets/small_net.json"
expect_in "$out" "total: 574,080 MACs" "zoo show of a JSON file"
expect_exit 0 "$HWNAS" zoo show "$nets/scalesim_resnet_head.csv"
expect_in "$out" "conv1" "zoo show of a SCALE-Sim file"
# graphs (docs/network_format.md "Graphs"): the zoo's, a graph file, its JSON round trip
expect_exit 0 "$HWNAS" zoo show resnet18
expect_in "$out" "graph: input image [3, 224, 224]; output fc" "zoo show names the graph's inputs and outputs"
expect_exit 0 "$HWNAS" zoo show "$nets/res_block.json" --json
printf '%s\n' "$out" > "$tmp/res_block.json"
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
L = {l["name"]: l for l in d["layers"]}
assert d["inputs"] == [{"name": "image", "shape": [3, 32, 32]}] and d["outputs"] == ["fc"], d
assert L["add"]["inputs"] == ["conv_b", "stem"] and L["gap"]["inputs"] == ["add"], L["add"]
' && ok || bad "zoo show --json writes the graph"
expect_exit 0 "$HWNAS" zoo show "$tmp/res_block.json"
expect_in "$out" "graph: input image [3, 32, 32]; output fc" "the written graph reads back"
expect_exit 1 "$HWNAS" zoo show "$nets/bad_graph_add.json"
expect_in "$err" "bad_graph_add.json: layers[1] 'add': 'inputs'[1] 'image' has 3 channels, the add's operands have 16" "graph shape error"

# Bad input: exit 1 and a message naming the file, the layer and the field.
expect_exit 1 "$HWNAS" zoo show "$nets/bad_kernel.json"
expect_in "$err" "bad_kernel.json: layers[1] 'conv2': 'kernel' must be a positive integer or [h, w], got -1" "bad kernel message"
expect_exit 1 "$HWNAS" zoo show "$nets/bad_syntax.json"
expect_in "$err" "bad_syntax.json:4:57: JSON syntax error" "syntax error position"
expect_exit 1 "$HWNAS" zoo show "$nets/bad_scalesim.csv"
expect_in "$err" "bad_scalesim.csv:3: column 5 'Filter Width'" "SCALE-Sim error position"
expect_exit 1 "$HWNAS" zoo show resnet9000
expect_in "$err" "unknown network 'resnet9000' (not in the zoo, no such file)" "unknown network"

# Usage errors: exit 2.
expect_exit 2 "$HWNAS" zoo
expect_in "$err" "missing subcommand" "zoo without a subcommand"
expect_exit 2 "$HWNAS" zoo show
expect_in "$err" "'show' needs a network" "zoo show without NAME"
expect_exit 2 "$HWNAS" zoo show resnet50 --bogus
expect_in "$err" "unknown option '--bogus'" "unknown option"
expect_exit 2 "$HWNAS" zoo show resnet50 --batch 0
expect_in "$err" "--batch must be an integer" "bad batch"
expect_exit 2 "$HWNAS" zoo frobnicate
expect_in "$err" "unknown subcommand 'frobnicate'" "unknown subcommand"

finish
