#!/usr/bin/env bash
# A front point's exported accelerator synthesises to the front's figures (issue 13, part 3):
# configs/<i>.vh holds the parameters 'hwnas synth' builds (dense buffer depths, not the
# simulation's one word per element), and Yosys on configs/<i>.json gives the front's DSP and
# BRAM36. One small config (2x2, about 15 s of Yosys once, then cached), the config of
# tests/data/synth/xcup_ws_2x2_int8.json that tests/test_synth.c also synthesises.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v "${HWNAS_YOSYS:-yosys}" >/dev/null; then
	echo "synth_front: SKIPPED: no yosys (the deps step installs it)"
	finish
	exit
fi
cat > "$tmp/space.json" <<JSON
{
	"name": "synth-front",
	"nn": { "space": "zoo", "network": "$root/tests/data/nets/small_net.json" },
	"hw": { "base": "$root/tests/data/synth/xcup_ws_2x2_int8.json",
		"choices": { "dataflow": ["ws", "os"], "ibuf_kib": [2, 8] } },
	"objectives": [
		{ "metric": "latency_ms", "goal": "min", "ref": 100 },
		{ "metric": "bram", "goal": "min", "ref": 100 }
	]
}
JSON
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --exhaustive --out "$tmp/o" --quiet
# the 2 KiB ibuf, ws point: the config tests/test_synth.c synthesises (cached after either)
i=$(python3 - "$tmp/o/front.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
pick = [i for i, p in enumerate(pts) if p["hw"]["ibuf_bytes"] == 2048 and p["hw"]["dataflow"] == "ws"]
print(pick[0] if pick else -1)
PY
)
[ "$i" -ge 0 ] && ok || bad "the 2 KiB ws point is not on the front"
expect_exit 0 "$HWNAS" synth --hw "$tmp/o/configs/$i.json" --json
printf '%s\n' "$out" > "$tmp/synth.json"
python3 - "$tmp/o/front.json" "$i" "$tmp/synth.json" "$tmp/o/configs/$i.vh" <<'PY' && ok ||
import json, re, sys
front, i, synth, vh = json.load(open(sys.argv[1])), int(sys.argv[2]), json.load(open(sys.argv[3])), open(sys.argv[4]).read()
p = front["points"][i]
got = (synth["synth"]["dsp"], synth["synth"]["bram36"])
assert got == (p["dsp"], p["bram"]), "synth gives DSP, BRAM36 %r, the front %r" % (got, (p["dsp"], p["bram"]))
par = dict((k, int(v)) for k, v in re.findall(r"localparam (\w+) = (\d+);", vh))
want = synth["rtl_params"]
for k in ("idepth", "wdepth", "odepth", "inb", "wnb", "onb"):
    assert par[k.upper()] == want[k], "%s: the header has %d, synth used %d" % (k, par[k.upper()], want[k])
assert (par["ROWS"], par["COLS"]) == (2, 2)
print("front point %d: synth DSP %d BRAM36 %g = the front's; header depths %d/%d/%d = synth's"
      % (i, got[0], got[1], par["IDEPTH"], par["WDEPTH"], par["ODEPTH"]))
PY
	bad "synthesis of the exported parameters differs from the front"
finish
