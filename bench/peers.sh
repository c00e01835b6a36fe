#!/usr/bin/env bash
# bench/peers.sh: the peers' column of issue 19's table, measured interleaved with hwnas on
# this machine (bench/bench_peers.md says how to set the peers up; nothing of theirs is in
# this tree). Usage:
#   PEERS=/work/peers bash bench/peers.sh [maestro] [scalesim]
# PEERS holds maestro/ (built with -O2: its binary PEERS/maestro/maestro) and scale-sim-v2/
# (run by /usr/bin/python3 with Debian's python3-numpy and python3-tqdm). HWNAS = the hwnas
# binary (default build/hwnas).
# Prints per pair the medians and the ratio; scratch files go to a temporary folder.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${PEERS:?set PEERS to the folder holding maestro/ and scale-sim-v2/}"
HWNAS=${HWNAS:-$here/build/hwnas}
REPS=${REPS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
what=${*:-maestro scalesim}

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# secs CMD...: wall seconds of one run (output discarded)
secs() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || echo "failed: $*" >&2; echo "$(now) - $t0" | bc; }

maestro() {
	local m=$PEERS/maestro
	[ -x "$m/maestro" ] || { echo "maestro: build $m/maestro first (bench_peers.md)"; return 1; }
	# ResNet-18's convolutions and FC in MAESTRO's mapping language, with the dataflow block of
	# the first layer of MAESTRO's own data/mapping/Resnet50_kcp_ws.m (read there, at run time)
	"$HWNAS" zoo show resnet18 --json > "$tmp/r18.json"
	python3 - "$m/data/mapping/Resnet50_kcp_ws.m" "$tmp/r18.json" > "$tmp/r18.m" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
flow = re.search(r"Dataflow \{.*?\n\t\t\}", text, re.S).group(0)
net = json.load(open(sys.argv[2]))
print("Network Resnet18 {")
for l in net["layers"]:
    if l.get("type") not in ("conv", "fc"):
        continue
    if l["type"] == "fc":
        k, c, r, s, y, x, st = l["out_features"], l["in_features"], 1, 1, 1, 1, 1
    else:
        k, c = l["out_channels"], l["in"][0] // l.get("groups", 1)
        r, s = l["kernel"]
        st = l["stride"][0]
        y, x = l["in"][1] + 2 * l["padding"][0], l["in"][2] + 2 * l["padding"][1]
    name = re.sub(r"[^A-Za-z0-9_]", "_", l["name"])
    print("\tLayer %s {\n\t\tType: CONV\n\t\tStride { X: %d, Y: %d }\n"
          "\t\tDimensions { K: %d, C: %d, R: %d, S: %d, Y: %d, X: %d }\n\t\t%s\n\t}"
          % (name, st, st, k, c, r, s, y, x, flow))
print("}")
PY
	local n18 n50
	n18=$(grep -c 'Layer ' "$tmp/r18.m")
	n50=$(grep -c 'Layer ' "$m/data/mapping/Resnet50_kcp_ws.m")
	: > "$tmp/m18"; : > "$tmp/h18"; : > "$tmp/m50"; : > "$tmp/h50"
	for i in $(seq "$REPS"); do
		(cd "$m" && secs ./maestro --HW_file=data/hw/accelerator_1.m --Mapping_file="$tmp/r18.m" \
			--print_res=false --print_res_csv_file=false --print_log_file=false) >> "$tmp/m18"
		secs "$HWNAS" eval --net resnet18 >> "$tmp/h18"
		(cd "$m" && secs ./maestro --HW_file=data/hw/accelerator_1.m \
			--Mapping_file=data/mapping/Resnet50_kcp_ws.m --print_res=false \
			--print_res_csv_file=false --print_log_file=false) >> "$tmp/m50"
		secs "$HWNAS" eval --net resnet50 >> "$tmp/h50"
	done
	local a b c d
	a=$(median < "$tmp/m18"); b=$(median < "$tmp/h18"); c=$(median < "$tmp/m50"); d=$(median < "$tmp/h50")
	printf 'MAESTRO -O2 ResNet-18 (%d layers, a given mapping): %.1f ms, %.3f ms/layer; hwnas eval --net resnet18 (optimal mapping): %.1f ms; ratio %.2f\n' \
		"$n18" "$(echo "$a * 1000" | bc)" "$(echo "$a * 1000 / $n18" | bc -l)" "$(echo "$b * 1000" | bc)" "$(echo "$a / $b" | bc -l)"
	printf 'MAESTRO -O2 ResNet-50 (%d layers, its own file): %.1f ms, %.3f ms/layer; hwnas eval --net resnet50: %.1f ms; ratio %.2f\n' \
		"$n50" "$(echo "$c * 1000" | bc)" "$(echo "$c * 1000 / $n50" | bc -l)" "$(echo "$d * 1000" | bc)" "$(echo "$c / $d" | bc -l)"
}

scalesim() {
	local s=$PEERS/scale-sim-v2 reps=${SCALESIM_REPS:-1}
	[ -f "$s/scalesim/scale.py" ] || { echo "scalesim: no $s/scalesim/scale.py"; return 1; }
	# AlexNet's conv2 as SCALE-Sim's topologies/conv_nets/alexnet.csv has it, on an 8x8 WS
	# array with the 32 KiB buffers of examples/pynq_z1_ws_8x8_int8.json
	printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv2,27,27,5,5,96,256,1,\n' > "$tmp/conv2.csv"
	cat > "$tmp/ws8.cfg" <<CFG
[general]
run_name = hwnas_peer_ws8

[architecture_presets]
ArrayHeight:    8
ArrayWidth:     8
IfmapSramSzkB:   32
FilterSramSzkB:  32
OfmapSramSzkB:   32
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : ws
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC
CFG
	local hw=$here/examples/pynq_z1_ws_8x8_int8.json
	for i in $(seq "$reps"); do
		/usr/bin/time -f '%e %M %U %S' -o "$tmp/h.time" "$HWNAS" sim --net "$tmp/conv2.csv" --hw "$hw" \
			--max-macs 0 --mapper greedy --json > "$tmp/h.json" 2>/dev/null
		(cd "$s" && /usr/bin/time -f '%e %M %U %S' -o "$tmp/s.time" env PYTHONPATH="$s" /usr/bin/python3 \
			scalesim/scale.py -c "$tmp/ws8.cfg" -t "$tmp/conv2.csv" -p "$tmp/runs" \
			> "$tmp/s.log" 2>&1)
		read -r hs hk hu hy < "$tmp/h.time"
		read -r ss sk su sy < "$tmp/s.time"
		local cyc
		cyc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['layers'][0]['rtl_cycles'])" "$tmp/h.json")
		printf 'AlexNet conv2 8x8 ws: hwnas sim %.1f s, %d MiB (%d RTL cycles, %.0f k cycles/s whole process); SCALE-Sim v2 %.1f s, %d MiB; ratio %.1fx (run %d)\n' \
			"$hs" $((hk / 1024)) "$cyc" "$(echo "$cyc / $hs / 1000" | bc -l)" "$ss" $((sk / 1024)) \
			"$(echo "$ss / $hs" | bc -l)" "$i"
		printf '  CPU seconds (user + system): hwnas %.1f, SCALE-Sim %.1f; ratio %.1fx\n' \
			"$(echo "$hu + $hy" | bc)" "$(echo "$su + $sy" | bc)" \
			"$(echo "($su + $sy) / ($hu + $hy)" | bc -l)"
		grep -i 'compute cycles\|total cycles\|stall' "$tmp/s.log" | head -3
	done
}

for w in $what; do "$w"; done
