#!/usr/bin/env bash
# CLI tests of 'hwnas compile': the files it writes, the manifest's memory map, the records
# in dram.bin at the addresses it names, and the errors (missing net, list-form network,
# unknown layer kind, unwritable folder, missing options); the whole-network form (one
# program: a network of 1x1 convs and fcs, tiny_graph with a 3x3 conv, an add and a global
# pool) and the per-layer form (a matmul of two activations, which is not run whole). The compiled programs run on the simulated AXI
# top in tests/test_compile.c.
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
expect_exit 1 "$HWNAS" compile --net "$root/tests/data/nets/bad_type.json" --hw "$hw" --out "$tmp/x"
expect_in "$err" "layers[0] 'lstm1': 'type' must be one of conv, fc, matmul, pool, add" "compile of an unknown layer kind"
expect_exit 1 "$HWNAS" compile --net "$net" --hw "$hw" --out /proc/hwnas-no/such
expect_in "$err" "--out /proc/hwnas-no/such: cannot create the folder" "compile to an unwritable folder"

attn="$root/tests/data/nets/attn_graph.json"
expect_exit 0 "$HWNAS" compile --net "$attn" --hw "$hw" --out "$tmp/c" --seed 3
expect_in "$out" "1 of 1 layers compiled" "compile summary"
expect_in "$out" "not one program for the whole network: layers[0] 'scores': a matmul" "compile says why not whole"
for f in dram.bin manifest.json layer0.dma.bin layer0.cmp.bin layer0.expect.bin; do
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
assert m["dram"]["bytes"] == len(img) and m["whole"] is False
spans, outs = [], []
for l in m["layers"]:
    if not l["compiled"]:
        continue
    for k in ("dma", "cmp"):
        a, n, rec = l[k]["addr"], l[k]["count"], m["record_bytes"][k]
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
# the whole-network form: one program, every tensor at its own address
pw="$root/tests/data/nets/whole_pw_fc.json"
expect_exit 0 "$HWNAS" compile --net "$pw" --hw "$hw" --out "$tmp/w" --seed 3
expect_in "$out" "the whole network as one program (one start of the driver)" "compile whole summary"
expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/t" --seed 3
expect_in "$out" "vector unit" "compile whole: the add and the pool on the vector unit"
for f in dram.bin manifest.json program.dma.bin program.cmp.bin expect.bin; do
	[ -s "$tmp/w/$f" ] && ok || bad "compile (whole) did not write $f"
done
[ -e "$tmp/w/layer0.dma.bin" ] && bad "compile (whole) wrote per-layer lists" || ok
for c in "w feat,expand,project,fc1,fc2,head" "t image,stem,pw,add,gap,fc"; do
set -- $c
python3 - "$tmp/$1" "$2" <<'PY' && ok || bad "whole manifest and dram.bin disagree ($1)"
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
img = open(d + "/dram.bin", "rb").read()
exp = open(d + "/expect.bin", "rb").read()
assert m["whole"] is True and m["version"] == 2 and m["dram"]["bytes"] == len(img)
rb = m["record_bytes"]
assert (rb["dma"], rb["cmp"], rb["param"]) == (192, 32, 16) and m["program_version"] == 3
p = m["program"]
for k in ("dma", "cmp"):
    a, n, rec = p[k]["addr"], p[k]["count"], rb[k]
    assert open(d + "/" + p[k]["file"], "rb").read() == img[a:a + n * rec], k
# the layers' records tile the two lists in execution order
for k in ("dma", "cmp"):
    first = 0
    for l in m["layers"]:
        assert l[k]["first"] == first and l[k]["addr"] == p[k]["addr"] + first * rb[k], l
        first += l[k]["count"]
    assert first == p[k]["count"], k
# tensors: inside the tensor region, disjoint, the input in dram.bin as expected, the rest zero
t0, tn = m["dram"]["tensors"], m["dram"]["tensors_bytes"]
assert m["expect"]["addr"] == t0 and m["expect"]["bytes"] == tn == len(exp)
ts = sorted((t["addr"], t["addr"] + t["elements"] * t["bytes"], t) for t in m["tensors"])
assert [t["name"] for t in m["tensors"]] == sys.argv[2].split(",")
for (a0, a1, _), (b0, b1, _) in zip(ts, ts[1:]):
    assert a1 <= b0
for a0, a1, t in ts:
    assert t0 <= a0 and a1 <= t0 + tn
    if t["what"] == "network input":
        assert img[a0:a1] == exp[a0 - t0:a1 - t0]
    else:
        assert img[a0:a1] == bytes(a1 - a0) and exp[a0 - t0:a1 - t0] != bytes(a1 - a0), t
by = {t["name"]: t for t in m["tensors"]}
for l in m["layers"]:
    assert l["writes"] == l["name"] and all(r in by for r in l["reads"]), l
    assert l["b"]["addr"] >= m["dram"]["scratch"] and l["params"]["addr"] % 16 == 0, l
    w0 = int.from_bytes(img[l["dma"]["addr"]:l["dma"]["addr"] + 4], "little")
    base = int.from_bytes(img[l["dma"]["addr"] + 4:l["dma"]["addr"] + 8], "little")
    # a layer's first record loads its input tensor (A), its weights (B), or is a vector
    # request (op 3, vop != 0) reading its first input
    src = by[l["reads"][0]]
    assert (w0 & 3 == 0 and src["addr"] <= base < src["addr"] + src["elements"]) or \
           (w0 & 3 == 1 and l["b"]["addr"] <= base < l["b"]["addr"] + l["b"]["elements"]) or \
           (w0 & 3 == 3 and (w0 >> 5) & 3 and l["tiling"] is None and base == src["addr"]), l
PY
done

# the same seed gives the same image; another seed other weights
expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/d" --seed 3
cmp -s "$tmp/t/dram.bin" "$tmp/d/dram.bin" && ok || bad "compile is not deterministic"
expect_exit 0 "$HWNAS" compile --net "$net" --hw "$hw" --out "$tmp/e" --seed 4
cmp -s "$tmp/t/dram.bin" "$tmp/e/dram.bin" && bad "--seed changed nothing" || ok
finish
