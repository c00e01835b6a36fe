#!/usr/bin/env bash
# CLI tests of 'hwnas explore --rtl': the best front points simulated on the RTL, re-ranked,
# stored, and not simulated again on a resume.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
space="$root/tests/data/search/rtl_small_space.json"
tmp=$(mktemp -d)

expect_exit 0 "$HWNAS" explore --space "$space" --budget 60 --seed 2 --out "$tmp/o" \
	--top-k 2 --rtl-max-macs 3000000 --quiet
expect_in "$out" "RTL refinement of the 2 best front points" "refinement table"
expect_in "$out" "Kendall tau" "rankings compared"
python3 - "$tmp/o" <<'PY' && ok || bad "rtl_refine.json and front.json content"
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/rtl_refine.json"))
f = json.load(open(d + "/front.json"))
assert r["top_k"] == 2 and len(r["points"]) == 2
for p in r["points"]:
    assert p["bit_exact"] is True, p
    assert p["rtl_cycles"] > 0 and p["mac_layers_measured"] > 0
    assert abs(p["error_pct"]) < 10, p
    fp = f["points"][p["front_index"]]
    assert fp["fidelity"] == "rtl"
    assert abs(fp["latency_ms"] - p["rtl_latency_ms"]) < 1e-6 * p["rtl_latency_ms"]
assert sorted(p["rtl_rank"] for p in r["points"]) == [0, 1]
assert all(p["fidelity"] == "model" for p in f["points"][2:])
PY
cp "$tmp/o/rtl_refine.json" "$tmp/first_refine.json"
# A resume simulates nothing again: the RTL rows come from the store.
start=$(date +%s)
expect_exit 0 "$HWNAS" explore --space "$space" --budget 60 --seed 2 --out "$tmp/o" \
	--top-k 2 --rtl-max-macs 3000000
expect_in "$err" "resuming" "resumed"
case "$err" in *"RTL simulation of"*) bad "resume simulated again" ;; *) ok ;; esac
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(p["from_store"] for p in d["points"])' \
	"$tmp/o/rtl_refine.json" && ok || bad "resumed refinement marked from_store"
# Two simulations at once (-j 2) give the same measurements and rankings.
expect_exit 0 "$HWNAS" explore --space "$space" --budget 60 --seed 2 --out "$tmp/j2" \
	--top-k 2 --rtl-max-macs 3000000 -j 2 --quiet
if cmp -s "$tmp/first_refine.json" "$tmp/j2/rtl_refine.json"; then ok; else bad "-j 2 refinement differs"; fi
expect_exit 2 "$HWNAS" explore --space "$space" --out "$tmp/x" --top-k 0
rm -rf "$tmp"
finish
