#!/usr/bin/env bash
# CLI tests of 'hwnas eval'.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

expect_exit 0 "$HWNAS" eval --help
expect_in "$out" "example:" "eval --help"
expect_exit 0 "$HWNAS" eval --net resnet18 --mapper default
expect_in "$out" "total:" "eval table"
# the stall figure is cycles - compute, not a copy of another number on the line
echo "$out" | python3 -c '
import re, sys
m = re.search(r"total: ([\d,]+) MACs, ([\d,]+) cycles \(([\d,]+) compute, ([\d,]+) stall\)", sys.stdin.read())
n = [int(x.replace(",", "")) for x in m.groups()]
assert n[1] == n[2] + n[3], n
' && ok || bad "eval totals line adds up"
expect_in "$out" "layer4.1.conv2" "eval lists layers"
expect_exit 0 "$HWNAS" eval --net resnet18 --mapper default --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["total"]
assert t["cycles"] == sum(l["cycles"] for l in d["layers"]), "total cycles"
assert all(l["cycles_bound"] <= l["cycles"] for l in d["layers"] if "cycles_bound" in l)
assert any("cycles_bound" in l for l in d["layers"]), "cycles_bound in eval --json"
assert t["latency_ms"] > 0 and t["energy_mj"] > 0
assert abs(t["macs"] - 1814073344) <= 0.005 * 1814073344, t["macs"]
assert all("name" in l and "cycles" in l for l in d["layers"])
' && ok || bad "eval --json content"
expect_exit 0 "$HWNAS" eval --net resnet18 --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["total"]["feasible"]
' && ok || bad "eval with the GLPK mapper"
expect_exit 0 "$HWNAS" eval --net alexnet --tiling tm=16,tn=16,tk=16,order=mnk --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert all(l["tiling"] == {"tm": 16, "tn": 16, "tk": 16, "order": "mnk"} for l in d["layers"] if "tiling" in l)
' && ok || bad "eval --tiling SPEC applies to every layer"
for f in "$root"/examples/*.json; do
	case "$f" in *space*) continue ;; esac
	expect_exit 0 "$HWNAS" eval --net mobilenet_v2 --hw "$f" --mapper default
done
expect_exit 2 "$HWNAS" eval
expect_in "$err" "--net is required" "eval without --net"
expect_exit 2 "$HWNAS" eval --net resnet18 --bogus
expect_exit 2 "$HWNAS" eval --net resnet18 --batch 0
expect_exit 2 "$HWNAS" eval --net resnet18 --batch 99999999999999999999   # overflows strtoll
expect_in "$err" "--batch must be an integer in 1..1000000" "batch overflow named"
expect_exit 2 "$HWNAS" sim --net resnet18 --timeout nan
expect_in "$err" "--timeout must be a positive number of seconds" "NaN timeout refused"
expect_exit 2 "$HWNAS" map --net resnet18 --gap inf
expect_exit 1 "$HWNAS" eval --net no_such_net
expect_in "$err" "unknown network 'no_such_net'" "unknown network"
expect_exit 1 "$HWNAS" eval --net resnet18 --hw /nonexistent/hw.json
expect_in "$err" "/nonexistent/hw.json" "missing hw file named"
tmp=$(mktemp -d)
echo '{"pe_rows": 0}' > "$tmp/hw.json"
expect_exit 1 "$HWNAS" eval --net resnet18 --hw "$tmp/hw.json"
expect_in "$err" "'pe_rows'" "bad pe_rows named"
echo '{"pe_rows": 16,' > "$tmp/trunc.json"
expect_exit 1 "$HWNAS" eval --net resnet18 --hw "$tmp/trunc.json"
expect_in "$err" "trunc.json" "truncated hw file named"
expect_exit 1 "$HWNAS" eval --net resnet18 --tiling tm=0,tn=1,tk=1
# --axi: the AXI top's cycles (docs/model.md "Through the AXI top"), said in the output;
# every layer slower than on the direct top (pool / add: one element a cycle, not a word)
nets="$(cd "$(dirname "$0")/../data/nets" && pwd)"
expect_exit 0 "$HWNAS" eval --net "$nets/tiny_graph.json" --axi 64,16,4
expect_in "$out" "cycles of the AXI top (bus 64 bits, MAXB 16, MAXOUT 4" "eval --axi says so"
"$HWNAS" eval --net "$nets/tiny_graph.json" --json > "$tmp/d.json" &&
	"$HWNAS" eval --net "$nets/tiny_graph.json" --axi 128 --json > "$tmp/a.json" && ok ||
	bad "eval --axi --json"
python3 - "$tmp/d.json" "$tmp/a.json" <<'PY' && ok || bad "eval --axi: cycles"
import json, sys
d, a = (json.load(open(f)) for f in sys.argv[1:3])
assert "interface" not in d["cost"]
assert a["cost"]["interface"] == {"top": "axi", "axi_dw": 128, "axi_maxb": 16, "axi_maxout": 16}
for x, y in zip(a["layers"], d["layers"]):
    if y["gemm"]["g"] == 0:
        assert x["cycles"] > y["cycles"] and x["compute_cycles"] == 0
    else:
        assert x["cycles"] > y["cycles"] and x["compute_cycles"] == y["compute_cycles"]
PY
for bad in 65 64,0 64,16,17 64,x; do
	expect_exit 2 "$HWNAS" eval --net resnet18 --axi "$bad"
	expect_in "$err" "--axi $bad" "bad --axi $bad named"
done
rm -rf "$tmp"
finish
