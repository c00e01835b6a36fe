#!/usr/bin/env bash
# CLI tests of 'hwnas sim' (builds one small verilated model on first use; cached after).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-sim-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/hw.json" <<'JSON'
{ "pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "act_bits": 8, "weight_bits": 8,
  "acc_bits": 32, "ibuf_bytes": 4096, "wbuf_bytes": 4096, "obuf_bytes": 8192,
  "double_buffer": false, "freq_mhz": 200, "dram_gbps": 1.6, "dram_latency_cycles": 20 }
JSON
cat > "$tmp/net.json" <<'JSON'
{ "name": "tiny", "batch": 1, "layers": [
  {"name": "c1", "type": "conv", "in": [3, 8, 8], "out_channels": 8, "kernel": 3, "padding": 1},
  {"name": "dw", "type": "conv", "in": [8, 8, 8], "out_channels": 8, "kernel": 3,
   "stride": 2, "padding": 1, "groups": 8},
  {"name": "pool", "type": "pool", "in": [8, 4, 4], "kernel": 2, "op": "max"},
  {"name": "fc", "type": "fc", "in_features": 32, "out_features": 10} ] }
JSON

expect_exit 0 "$HWNAS" sim --help
expect_in "$out" "example:" "sim --help"
expect_exit 2 "$HWNAS" sim
expect_in "$err" "--net is required" "sim without --net"
expect_exit 2 "$HWNAS" sim --net "$tmp/net.json" --trace "$tmp/w.vcd"
expect_in "$err" "--trace needs --layer" "sim --trace without --layer"
expect_exit 2 "$HWNAS" sim --net "$tmp/net.json" --max-macs -3
expect_exit 1 "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --layer nope
expect_in "$err" "no layer 'nope'" "sim --layer unknown"

# issue 14: SIGINT (Ctrl-C) during a Verilator build left verilator, make and g++ running
# and the temporary folder behind. A fresh cache forces a build; once it has started, SIGINT
# must end hwnas (exit 1, "stopped by SIGINT"), every process of the build, and the folder.
if command -v verilator >/dev/null; then
	cache="$tmp/fresh-cache"
	mkdir -p "$cache"
	HWNAS_CACHE="$cache" "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --mapper default \
		>/dev/null 2>"$tmp/int.err" &
	pid=$!
	for _ in $(seq 200); do
		pgrep -f "$cache" >/dev/null && ls -d "$cache"/.tmp-* >/dev/null 2>&1 && break
		sleep 0.05
	done
	sleep 0.5 # let make start its compilers
	kill -INT "$pid"
	wait "$pid"; rc=$?
	if [ "$rc" = 1 ]; then ok; else bad "SIGINT during the build: exit $rc, want 1"; fi
	expect_in "$(cat "$tmp/int.err")" "stopped by SIGINT" "SIGINT during the build: message"
	sleep 0.2
	if pgrep -f "$cache" >/dev/null; then
		bad "SIGINT during the build: left running: $(pgrep -af "$cache" | head -3)"
		kill -KILL $(pgrep -f "$cache") 2>/dev/null # by id: only this test's own build
	else
		ok
	fi
	if ls -d "$cache"/.tmp-* >/dev/null 2>&1; then bad "SIGINT during the build: temporary folder left"; else ok; fi
fi

expect_exit 0 "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --mapper default
expect_in "$out" "bit_exact true" "sim table total"
case "$out" in *"(model only)"*) bad "sim pool runs on the vector unit: $out" ;; *) ok ;; esac

expect_exit 0 "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --mapper default --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sim = [l for l in d["layers"] if l["simulated"]]
assert [l["name"] for l in sim] == ["c1", "dw", "pool", "fc"], sim
for l in sim:
    assert l["bit_exact"] is True, l
    # single-buffered: the RTL takes exactly the cycles docs/model.md predicts
    assert l["rtl_cycles"] == l["model_cycles"], l
assert d["total"]["bit_exact"] is True
assert d["total"]["rtl_cycles"] == sum(l["rtl_cycles"] for l in sim)
' && ok || bad "sim --json content"

expect_exit 0 "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --mapper default \
	--layer fc --tiling tm=1,tn=4,tk=8,order=knm --trace "$tmp/fc.vcd"
expect_in "$out" "bit_exact true" "sim --trace run"
[ -s "$tmp/fc.vcd" ] && ok || bad "sim --trace wrote no waveform"

expect_exit 0 "$HWNAS" sim --net "$tmp/net.json" --hw "$tmp/hw.json" --max-macs 100 --mapper default
expect_in "$out" "skipped" "sim --max-macs skips"

# a broken RTL tree is an error with the build log named, not a crash
mkdir -p "$tmp/src/sim" && cp -r "$root/rtl" "$tmp/src/" && cp -r "$root/sim/harness" "$tmp/src/sim/"
echo "module oops(; endmodule" >> "$tmp/src/rtl/hwnas_top.v"
expect_exit 1 env HWNAS_SRCDIR="$tmp/src" HWNAS_CACHE="$tmp/cache" "$HWNAS" sim \
	--net "$tmp/net.json" --hw "$tmp/hw.json" --layer fc --mapper default
expect_in "$err" "log: " "sim failed build names the log"

if [ "${HWNAS_LONG:-0}" = 1 ]; then
	for hw in "$root"/examples/pynq_z1_ws_8x8_int8.json "$root"/examples/ultra96_is_8x8.json; do
		expect_exit 0 "$HWNAS" sim --net "$root/tests/data/nets/small_net.json" --hw "$hw"
		expect_in "$out" "bit_exact true" "sim small_net on $hw"
	done
fi
# A network file keeps its own batch, as in eval (small_net.json: batch 2, 512 x 16 x 27 MACs
# in stem); nothing simulated above --max-macs 1.
expect_exit 0 "$HWNAS" sim --net "$root/tests/data/nets/small_net.json" --layer stem --max-macs 1
expect_in "$out" "skipped: 221184 MACs" "sim keeps a network file's batch"
finish
