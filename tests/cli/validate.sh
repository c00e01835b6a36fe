#!/usr/bin/env bash
# CLI tests of 'hwnas validate' (one small cached verilated model, the one tests/cli/sim.sh
# builds; the full sweep is tests/test_validate.c under HWNAS_LONG=1).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-validate-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/hw.json" <<'JSON'
{ "pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "act_bits": 8, "weight_bits": 8,
  "acc_bits": 32, "ibuf_bytes": 4096, "wbuf_bytes": 4096, "obuf_bytes": 8192,
  "double_buffer": false, "freq_mhz": 200, "dram_gbps": 1.6, "dram_latency_cycles": 20 }
JSON
net="$root/tests/data/validate/v_tiny.json"

expect_exit 0 "$HWNAS" validate --help
expect_in "$out" "example:" "validate --help"
expect_exit 2 "$HWNAS" validate --hws "$tmp/hw.json"
expect_in "$err" "--nets is required" "validate without --nets"
expect_exit 2 "$HWNAS" validate --nets "$net"
expect_in "$err" "--hws is required" "validate without --hws"
expect_exit 2 "$HWNAS" validate --nets "$net" --hws "$tmp/hw.json" --layers 0
expect_in "$err" "--layers must be" "validate --layers 0"
echo '{"format": "other"}' > "$tmp/bad_calib.json"
expect_exit 1 "$HWNAS" validate --nets "$net" --hws "$tmp/hw.json" --calib "$tmp/bad_calib.json"
expect_in "$err" "'format' must be \"hwnas-calibration\"" "validate --calib bad file"
expect_exit 1 "$HWNAS" validate --nets "$net" --hws "$tmp/nope.json"
expect_in "$err" "nope.json" "validate --hws missing file"

expect_exit 0 "$HWNAS" validate --nets "$net" --hws "$tmp/hw.json" --json --csv "$tmp/p.csv" \
	--calib-out "$tmp/calib.json"
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("mape", "max_error", "kendall_tau", "points", "by_dataflow", "by_bound", "calibration",
          "closed_form_bound"):
    assert k in d, k
assert len(d["points"]) == 5, len(d["points"])
# single-buffered: the model is exact (docs/validation.md)
assert d["max_error"] == 0, d["max_error"]
for p in d["points"]:
    assert p["bit_exact"] and p["model_cycles"] == p["rtl_cycles"], p
    assert p["model_bound_cycles"] <= p["model_cycles"], p
    rf = p["roofline"]
    assert 0 < rf["rtl_gops"] <= min(rf["compute_roof_gops"], rf["bandwidth_roof_gops"]) + 1e-9, rf
' && ok || bad "validate --json fields and exactness"
expect_in "$(head -1 "$tmp/p.csv")" "model_cycles,rtl_cycles,error_pct" "validate --csv header"
[ "$(wc -l < "$tmp/p.csv")" = 6 ] && ok || bad "validate --csv rows"
expect_exit 0 "$HWNAS" eval --net "$net" --hw "$tmp/hw.json" --calib "$tmp/calib.json"
expect_in "$out" "cycles" "eval --calib with validate's file"

expect_exit 0 "$HWNAS" validate --nets "$net" --hws "$tmp/hw.json" --layers 2
expect_in "$out" "conv3x3" "validate --layers 2 keeps the first"
expect_in "$out" "fc" "validate --layers 2 keeps the last"
expect_in "$out" "without memory stalls" "validate summary"
expect_in "$out" "held-out points" "validate calibration halves"
finish
