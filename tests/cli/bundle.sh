#!/usr/bin/env bash
# The export bundle of a front point (explore --bundles, docs/deploy.md "Export bundle"):
# configs/<i>/ holds the AXI wrapper, the point's parameters, the RTL list, the compiled
# program of the point's network and the README; Yosys on exactly those files ('hwnas synth
# --bundle', under HWNAS_LONG=1) gives the AXI top's model (hw_axi_resources): the front's DSP
# less the documented difference, its BRAM36 plus the AXI master's staging memory. A small
# config (2x2) and, under HWNAS_LONG=1, the main job's smallest front point; cached after the
# first synthesis.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-bundle-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# the 2x2 config of tests/data/synth/xcup_ws_2x2_int8.json with 256 B buffers
sed 's/"ibuf_bytes": 2048/"ibuf_bytes": 256/; s/"wbuf_bytes": 2048/"wbuf_bytes": 256/;
     s/"obuf_bytes": 4096/"obuf_bytes": 512/' "$root/tests/data/synth/xcup_ws_2x2_int8.json" \
	> "$tmp/base.json"
cat > "$tmp/space.json" <<JSON
{
	"name": "bundle",
	"nn": { "space": "zoo", "network": "$root/tests/data/nets/tiny_graph.json" },
	"hw": { "base": "$tmp/base.json",
		"choices": { "dataflow": ["ws"] } },
	"objectives": [
		{ "metric": "latency_ms", "goal": "min", "ref": 100 },
		{ "metric": "bram", "goal": "min", "ref": 100 }
	]
}
JSON
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --exhaustive --out "$tmp/o" --quiet --bundles
expect_in "$out" 'the space has no "axi": the front prices the direct top' "bundles of a direct-top front say so"
expect_exit 2 "$HWNAS" synth --bundle
i=$(python3 - "$tmp/o/front.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
pick = [i for i, p in enumerate(pts) if p["hw"]["ibuf_bytes"] == 256 and p["hw"]["dataflow"] == "ws"]
print(pick[0] if pick else -1)
PY
)
[ "$i" -ge 0 ] && ok || bad "the 256 B ws point is not on the front"
b="$tmp/o/configs/$i"
for f in hwnas_accel.v hwnas_params.vh rtl_files.txt hw.json README.md program/manifest.json \
	 program/program.dma.bin program/program.cmp.bin; do
	[ -s "$b/$f" ] && ok || bad "the bundle has no $f"
done
[ -e "$b/program/dram.bin" ] && bad "a bundle's program carries no data image" || ok
# every listed file exists; the header is the point's .vh plus the AXI parameters
python3 - "$b" "$tmp/o/configs/$i.vh" <<'PY' && ok || bad "bundle files"
import json, os, re, sys
b, vh = sys.argv[1], open(sys.argv[2]).read()
files = open(b + "/rtl_files.txt").read().split()
assert "hwnas_accel.v" in files and any(f.endswith("hwnas_axi.v") for f in files)
for f in files:
    assert os.path.isfile(os.path.join(b, f)), f
head = open(b + "/hwnas_params.vh").read()
assert head.startswith(vh)
par = dict((k, int(v)) for k, v in re.findall(r"localparam (\w+) = (\d+);", head))
assert (par["AXI_DW"], par["MAXB"], par["MAXOUT"], par["ROWS"]) == (64, 16, 16, 2)
m = json.load(open(b + "/program/manifest.json"))
assert m["program_version"] == 3 and m["dram"]["file"] is None and m["rtl"]["ROWS"] == 2
assert [l["compiled"] for l in m["layers"]] == [True] * 5
readme = open(b + "/README.md").read()
assert "Vivado" in readme and "not tried" in readme and "0x484e4133" in readme
# the whole network's program (conv, add, pool, fc in one start of the driver)
assert m["whole"] is True and m["expect"] is None and "the whole network as one program" in readme
p = b + "/program/"
assert os.path.getsize(p + "program.dma.bin") == m["record_bytes"]["dma"] * m["program"]["dma"]["count"] > 0
assert os.path.getsize(p + "program.cmp.bin") == m["record_bytes"]["cmp"] * m["program"]["cmp"]["count"] > 0
assert not os.path.exists(p + "layer0.dma.bin")
PY
# a space priced on the AXI top ("axi", 128-bit bus): the bundle's header has that bus and
# its program runs the tilings the front priced (hwnas eval --axi 128's, map_axi_choose)
python3 - "$tmp/space.json" "$tmp/space_axi.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["axi"] = {"dw": 128}
json.dump(s, open(sys.argv[2], "w"))
PY
expect_exit 0 "$HWNAS" explore --space "$tmp/space_axi.json" --exhaustive --out "$tmp/x" --quiet --bundles
case "$out" in *'the space has no "axi"'*) bad "bundles of an axi front: no such note" ;; *) ok ;; esac
for c in "$tmp"/x/configs/[0-9]*/; do
	c=${c%/}
	"$HWNAS" eval --net "$c.net.json" --hw "$c.json" --axi 128 --json > "$c.eval.json"
done
python3 - "$tmp/x/configs" <<'PY' && ok || bad "a bundle of an axi space without the front's bus and tilings"
import glob, json, re, sys
ms = sorted(glob.glob(sys.argv[1] + "/*/program/manifest.json"))
assert ms
for f in ms:
    b = f[:-len("/program/manifest.json")]
    head = open(b + "/hwnas_params.vh").read()
    par = dict((k, int(v)) for k, v in re.findall(r"localparam (\w+) = (\d+);", head))
    assert (par["AXI_DW"], par["MAXB"], par["MAXOUT"]) == (128, 16, 16), par
    m, e = json.load(open(f)), json.load(open(b + ".eval.json"))
    assert m["tilings_for_axi"] == {"dw": 128, "maxb": 16, "maxout": 16}
    til = dict((l["name"], l["tiling"]) for l in e["layers"] if l["gemm"]["g"])
    got = dict((l["name"], l["tiling"]) for l in m["layers"] if l["tiling"])
    assert got == til, (got, til)
PY
# a network with a matmul of two activations (not run whole): one program per layer
sed "s|tiny_graph.json|attn_graph.json|" "$tmp/space.json" > "$tmp/space_mm.json"
expect_exit 0 "$HWNAS" explore --space "$tmp/space_mm.json" --exhaustive --out "$tmp/p" --quiet --bundles
python3 - "$tmp/p/configs" <<'PY' && ok || bad "a bundle of attn_graph without its per-layer program"
import glob, json, os, sys
ms = sorted(glob.glob(sys.argv[1] + "/*/program/manifest.json"))
assert ms
for f in ms:
    m = json.load(open(f))
    d = os.path.dirname(f)
    assert m["whole"] is False and "'scores': a matmul" in m["why_not_whole"], f
    assert os.path.getsize(d + "/layer0.dma.bin") > 0 and not os.path.exists(d + "/program.dma.bin")
    assert "one program per" in open(d + "/../README.md").read()
PY
if ! command -v "${HWNAS_YOSYS:-yosys}" >/dev/null; then
	echo "bundle: synthesis SKIPPED: no yosys (the deps step installs it)"
	finish
	exit
fi
# about a CPU minute of Yosys the first time, then cached: make test-long (or
# HWNAS_BUNDLE_SYNTH=1) runs it
if [ -z "${HWNAS_LONG:-}" ] && [ -z "${HWNAS_BUNDLE_SYNTH:-}" ]; then
	echo "bundle: synthesis SKIPPED (HWNAS_LONG=1 runs it)"
	finish
	exit
fi
expect_exit 0 "$HWNAS" synth --bundle "$b" --hw "$tmp/o/configs/$i.json" --json
printf '%s\n' "$out" > "$tmp/synth.json"
python3 - "$tmp/o/front.json" "$i" "$tmp/synth.json" <<'PY' && ok ||
import json, sys
front, i, synth = json.load(open(sys.argv[1])), int(sys.argv[2]), json.load(open(sys.argv[3]))
p = front["points"][i]
got = (synth["synth"]["dsp"], synth["synth"]["bram36"])
# the AXI top builds 3 DSPs fewer than hwnas_top here (docs/deploy.md "Synthesis"): the
# DMA's byte count (3, unused: the AXI master counts its bytes); its staging memory, 4 words x
# 2 lanes x 36 bits by 32 rows, is 4 BRAM36 in 512x72
assert synth["top"] == "hwnas_accel", synth["top"]
assert (synth["model"]["dsp"], synth["model"]["bram36"]) == (p["dsp"] - 3, p["bram"] + 4), synth["model"]
assert got == (p["dsp"] - 3, p["bram"] + 4), "the bundle synthesises to DSP, BRAM36 %r, the front %r" % (got, (p["dsp"], p["bram"]))
m, s = synth["model"], synth["synth"]
assert abs(m["lut"] - s["lut"]) <= 0.10 * s["lut"], ("LUT", m["lut"], s["lut"])
assert abs(m["ff"] - s["ff"]) <= 0.05 * s["ff"], ("FF", m["ff"], s["ff"])
print("bundle of front point %d: Yosys DSP %d (the front's %d - 3), BRAM36 %g (the front's %d + 4); LUT %d (model %d) FF %d (model %d)"
      % (i, got[0], p["dsp"], got[1], p["bram"], s["lut"], m["lut"], s["ff"], m["ff"]))
PY
	bad "the bundle's synthesis differs from the front"
if [ -z "${HWNAS_LONG:-}" ]; then
	finish
	exit
fi
# the main job (README) with bundles: its smallest-array front point's bundle synthesises as
# it is (about 9 CPU minutes of Yosys, 2.9 GB, the first time) to the AXI top's model
expect_exit 0 "$HWNAS" explore --space "$root/examples/default_space.json" --strategy nsga2 \
	--budget 200 --seed 1 --out "$tmp/main" --quiet --bundles
i=$(python3 - "$tmp/main/front.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
print(min(range(len(pts)), key=lambda i: (pts[i]["hw"]["pe_rows"] * pts[i]["hw"]["pe_cols"],
      pts[i]["hw"]["ibuf_bytes"] + pts[i]["hw"]["wbuf_bytes"] + pts[i]["hw"]["obuf_bytes"], i)))
PY
)
expect_exit 0 "$HWNAS" synth --bundle "$tmp/main/configs/$i" --hw "$tmp/main/configs/$i.json" --json
printf '%s\n' "$out" > "$tmp/synth_main.json"
python3 - "$tmp/main/front.json" "$i" "$tmp/synth_main.json" <<'PY' && ok ||
import json, math, sys
front, i, synth = json.load(open(sys.argv[1])), int(sys.argv[2]), json.load(open(sys.argv[3]))
p, m, s = front["points"][i], synth["model"], synth["synth"]
# the model is the front's with the AXI deltas: fewer DSPs, the staging memory's BRAM
assert m["dsp"] < p["dsp"] and m["bram36"] > p["bram"], (m, p)
assert (s["dsp"], math.ceil(s["bram36"])) == (m["dsp"], m["bram36"]), (s, m)
# LUT / FF: hwnas_top's model plus the AXI top's fitted logic (docs/resources.md "The AXI
# top"), within the band the fit's points are held to (test_synth: 10% LUT; FF 5% here)
assert abs(m["lut"] - s["lut"]) <= 0.10 * s["lut"], ("LUT", m["lut"], s["lut"])
assert abs(m["ff"] - s["ff"]) <= 0.05 * s["ff"], ("FF", m["ff"], s["ff"])
print("bundle of main-job front point %d (%dx%d): Yosys DSP %d (front %d), BRAM36 %g (front %d); LUT %d (model %d) FF %d (model %d)"
      % (i, p["hw"]["pe_rows"], p["hw"]["pe_cols"], s["dsp"], p["dsp"], s["bram36"], p["bram"], s["lut"], m["lut"], s["ff"], m["ff"]))
PY
	bad "the main-job bundle's synthesis differs from the AXI top's model"
finish
