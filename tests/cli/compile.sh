#!/usr/bin/env bash
# CLI tests of 'hwnas compile': the files it writes, the manifest's memory map, the records
# in dram.bin at the addresses it names, and the errors (missing net, list-form network,
# unwritable folder, missing options). The compiled programs run on the simulated AXI top in
# tests/test_compile.c.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-compile-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
hw="$root/examples/pynq_z1_ws_8x8_int8.json"
net="$root/tests/data/nets/tiny_graph.json"

expect_exit 0 "$HWNAS" compile --help
expect_in "$out" "example:" "compile --help"
expect_exit 2 "$HWNAS" compile --hw "$hw" --out "$tmp/x"
expect_in "$err" "--net is required" "compile without --net"
expect_exit 2 "$HWNAS" compile --net "$net" --hw "$hw"
expect_in "$err" "--out is required" "compile without --out"
expect_exit 2 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/x" --seed -1
expect_exit 1 "$HWNAS" compile --net "$tmp/missing.json" --hw "$hw" --out "$tmp/x"
expect_in "$err" "missing.json" "compile with a missing network"
expect_exit 1 "$HWNAS" compile --net "$root/tests/data/nets/small_net.json" --hw "$hw" --out "$tmp/x"
expect_in "$err" "small_net: compile needs a graph network" "compile of a list-form network"
expect_exit 1 "$HWNAS" compile --net "$net" --hw "$hw" --out /proc/hwnas-no/such
expect_in "$err" "--out /proc/hwnas-no/such: cannot create the folder" "compile to an unwritable folder"

expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/c" --seed 3
expect_in "$out" "3 of 5 layers compiled" "compile summary"
expect_in "$out" "not compiled: kind 'add' runs on the vector unit" "compile names the vector layers"
for f in dram.bin manifest.json layer0.dma.bin layer0.cmp.bin layer0.expect.bin layer4.dma.bin; do
	[ -s "$tmp/c/$f" ] && ok || bad "compile did not write $f"
done
# the manifest parses, its lists lie in dram.bin byte for byte, and its regions do not overlap
# (outputs may: the tensor plan reuses an activation's bytes once its readers are done)
python3 - "$tmp/c" <<'PY' && ok || bad "manifest and dram.bin disagree"
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
img = open(d + "/dram.bin", "rb").read()
assert m["format"] == "hwnas-compile" and m["program_version"] == 3 and m["seed"] == 3
assert m["dram"]["bytes"] == len(img)
spans, outs = [], []
for l in m["layers"]:
    if not l["compiled"]:
        continue
    for k, rec in (("dma", 192), ("cmp", 32)):
        a, n = l[k]["addr"], l[k]["count"]
        assert open(d + "/" + l[k]["file"], "rb").read() == img[a:a + n * rec], (l["name"], k)
        spans.append((a, a + n * rec))
    for k in ("a", "partial"):
        r = l[k]
        spans.append((r["addr"], r["addr"] + r["elements"] * r["bytes"]))
    outs.append((l["c"]["addr"], l["c"]["addr"] + l["c"]["elements"] * l["c"]["bytes"]))
    assert m["dram"]["tensors"] <= outs[-1][0] and outs[-1][1] <= m["dram"]["tensors"] + m["dram"]["tensors_bytes"]
    spans.append((l["params"]["addr"], l["params"]["addr"] + 16 * l["params"]["records"]))
    assert len(open(d + "/" + l["c"]["expect"], "rb").read()) == l["c"]["elements"] * l["c"]["bytes"]
    # DMA record 0 is a load (op 0 or 1) whose base lies in the layer's A or B region
    w0 = int.from_bytes(img[l["dma"]["addr"]:l["dma"]["addr"] + 4], "little")
    base = int.from_bytes(img[l["dma"]["addr"] + 4:l["dma"]["addr"] + 8], "little")
    assert w0 & 3 in (0, 1)
    reg = l["a"] if w0 & 3 == 0 else l["b"]
    assert reg["addr"] <= base < reg["addr"] + reg["elements"] * reg["bytes"]
spans.sort()
for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
    assert a1 <= b0, (a0, a1, b0, b1)
for o0, o1 in outs:
    for a0, a1 in spans:
        assert o1 <= a0 or a1 <= o0, (o0, o1, a0, a1)
PY
# the same seed gives the same image; another seed other weights
expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/d" --seed 3
cmp -s "$tmp/c/dram.bin" "$tmp/d/dram.bin" && ok || bad "compile is not deterministic"
expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/e" --seed 4
cmp -s "$tmp/c/dram.bin" "$tmp/e/dram.bin" && bad "--seed changed nothing" || ok
finish
