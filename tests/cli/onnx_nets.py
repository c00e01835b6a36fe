#!/usr/bin/python3
"""onnx_nets.py: whole networks built as ONNX graphs the way torch.onnx.export writes them
(python3-onnx, independent of hwnas's C code), imported by hwnas and checked.

- small graphs with hand-calculated MACs and parameters: Conv+BatchNorm+Relu, a residual
  block (Add), Flatten+Gemm, MobileNetV2 inverted residual blocks (depthwise), a U-Net
  decoder step (Resize, Concat), a BERT
  encoder layer (MatMuls, heads reshaped with Reshape/Transpose, the batch dynamic);
- ResNet-18, ResNet-50, MobileNetV2 and VGG-16 from a Python description of the torchvision
  architectures: MACs, parameters and every layer's shapes equal 'hwnas zoo show NAME';
  their weights are external data that does not exist (the importer reads shapes only).

usage: onnx_nets.py HWNAS WORKDIR [--corpus DIR]   (exit 0 when every check passes)
"""
import json
import os
import subprocess
import sys

import onnx
from onnx import TensorProto, helper

HWNAS, WORK = sys.argv[1], sys.argv[2]
CORPUS = sys.argv[sys.argv.index("--corpus") + 1] if "--corpus" in sys.argv else None
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL: " + what, file=sys.stderr)


class Graph:
    """A graph under construction, node names as torch 1.13+ writes them (/a/b/Conv)."""

    def __init__(self, name, shape, external=False):
        self.name, self.nodes, self.inits, self.external = name, [], [], external
        self.n = 0
        self.inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)]
        self.shape = {"input": list(shape)}

    def tensor(self):
        self.n += 1
        return "t%d" % self.n

    def weight(self, name, dims):
        if self.external:
            t = TensorProto()
            t.name, t.data_type = name, TensorProto.FLOAT
            t.dims.extend(dims)
            t.data_location = TensorProto.EXTERNAL
            for k, v in (("location", "missing.weights"), ("offset", "0"), ("length", "0")):
                e = t.external_data.add()
                e.key, e.value = k, v
        else:
            n = 1
            for d in dims:
                n *= d
            t = helper.make_tensor(name, TensorProto.FLOAT, dims, [0.0] * n)
        self.inits.append(t)
        return name

    def ints(self, name, vals):
        self.inits.append(helper.make_tensor(name, TensorProto.INT64, [len(vals)], vals))
        return name

    def node(self, op, path, ins, **attrs):
        out = self.tensor()
        self.nodes.append(helper.make_node(op, ins, [out], name="/%s/%s" % (path, op), **attrs))
        return out

    def conv(self, x, path, cin, cout, k, s=1, p=0, g=1, bias=False, bn=True, act="Relu"):
        w = self.weight(path + ".weight", [cout, cin // g, k, k])
        ins = [x, w] + ([self.weight(path + ".bias", [cout])] if bias else [])
        y = self.node("Conv", path, ins, kernel_shape=[k, k], strides=[s, s], pads=[p] * 4,
                      dilations=[1, 1], group=g)
        if bn:
            bnp = path.rsplit(".", 1)[0] + ".bn" if path.endswith(".0") else path + "_bn"
            ps = [self.weight("%s.%s" % (bnp, n), [cout])
                  for n in ("weight", "bias", "running_mean", "running_var")]
            y = self.node("BatchNormalization", bnp, [y] + ps, epsilon=1e-5)
        if act == "Relu":
            y = self.node("Relu", path + "_relu", [y])
        elif act == "Relu6":
            y = self.node("Clip", path + "_relu6", [y, self.minmax()])
        return y

    def minmax(self):
        if not any(t.name == "zero" for t in self.inits):
            self.inits.append(helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]))
        return "zero"

    def gemm(self, x, path, cin, cout):
        w, b = self.weight(path + ".weight", [cout, cin]), self.weight(path + ".bias", [cout])
        return self.node("Gemm", path, [x, w, b], alpha=1.0, beta=1.0, transB=1)

    def save(self, out, opset=13, dynamic_batch=False):
        if dynamic_batch:
            self.inputs[0].type.tensor_type.shape.dim[0].dim_param = "batch"
        outputs = [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)]
        g = helper.make_graph(self.nodes, "main_graph", self.inputs, outputs, self.inits)
        m = helper.make_model(g, producer_name="pytorch", opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 7
        # the output's shape as ONNX's own shape inference gives it (as the exporter writes it)
        inferred = onnx.shape_inference.infer_shapes(m)
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            if vi.name == out and vi.type.tensor_type.HasField("shape"):
                m.graph.output[0].CopyFrom(vi)
        path = os.path.join(WORK, self.name + ".onnx")
        if not self.external:  # the checker wants external data to exist; hwnas does not
            onnx.checker.check_model(m)
        onnx.save(m, path)
        return path


def hwnas_json(what, *extra):
    r = subprocess.run([HWNAS, "zoo", "show", what, "--json"] + list(extra),
                       capture_output=True, text=True)
    if r.returncode != 0:
        check(False, "hwnas zoo show %s: %s" % (what, r.stderr.strip()))
        return None
    return json.loads(r.stdout)


def expect(path, macs, params, kinds, extra=(), batch=None):
    j = hwnas_json(path, *extra)
    if not j:
        return None
    name = os.path.basename(path)
    check(j["macs"] == macs, "%s: MACs %d, want %d" % (name, j["macs"], macs))
    check(j["params"] == params, "%s: params %d, want %d" % (name, j["params"], params))
    got = [l["type"] for l in j["layers"]]
    check(got == kinds, "%s: layers %s, want %s" % (name, got, kinds))
    if batch is not None:
        check(j["batch"] == batch, "%s: batch %d, want %d" % (name, j["batch"], batch))
    return j


# ---- small graphs, hand-calculated ----

def conv_bn_relu():
    g = Graph("conv_bn_relu", [1, 3, 32, 32])
    y = g.conv("input", "conv", 3, 16, 3, 1, 1)
    # 32 x 32 outputs x 16 filters x 3 x 3 x 3; weights 16*27, BN gamma+beta 2*16
    j = expect(g.save(y), 32 * 32 * 16 * 27, 16 * 27 + 32, ["conv"])
    if j:
        ops = sorted(s["op"] for s in j["not_executed"])
        check(ops == ["BatchNormalization", "Relu"], "conv_bn_relu: not executed %s" % ops)


def residual():
    g = Graph("residual", [1, 16, 8, 8])
    y = g.conv("input", "layer.conv1", 16, 16, 3, 1, 1)
    y = g.conv(y, "layer.conv2", 16, 16, 3, 1, 1, act=None)
    y = g.node("Add", "layer", [y, "input"])
    y = g.node("Relu", "layer", [y])
    j = expect(g.save(y), 2 * 64 * 16 * 16 * 9, 2 * (16 * 16 * 9 + 32), ["conv", "conv", "add"])
    if j:  # the graph: input -> conv1 -> conv2; add = conv2 + input (through BN and Relu)
        L = j["layers"]
        check(j.get("inputs") == [{"name": "input", "shape": [16, 8, 8]}],
              "residual: network inputs %s" % j.get("inputs"))
        check(L[0].get("inputs") == ["input"] and L[1].get("inputs") == [L[0]["name"]],
              "residual: convs read %s, %s" % (L[0].get("inputs"), L[1].get("inputs")))
        check(L[2].get("inputs") == [L[1]["name"], "input"],
              "residual: the add reads %s" % L[2].get("inputs"))
        check(j.get("outputs") == [L[2]["name"]], "residual: outputs %s" % j.get("outputs"))


def flatten_gemm():
    g = Graph("flatten_gemm", [2, 8, 4, 4])
    y = g.node("Flatten", "flatten", ["input"], axis=1)
    y = g.gemm(y, "fc", 128, 10)
    j = expect(g.save(y), 2 * 128 * 10, 128 * 10 + 10, ["fc"], batch=2)
    if j:
        check(j["layers"][0]["in"] == [1, 128], "flatten_gemm: fc input %s" % j["layers"][0]["in"])


def mbv2_blocks():
    """Two MobileNetV2 inverted residuals (t=6): 1x1 expand, 3x3 depthwise, 1x1 project."""
    g = Graph("mbv2_blocks", [1, 24, 28, 28])
    x, macs, params = "input", 0, 0
    for b, stride in ((0, 1), (1, 2)):
        cin, hid, cout = 24, 144, 24 if stride == 1 else 32
        h_in = 28
        h_out = h_in // stride
        y = g.conv(x, "f.%d.conv.0.0" % b, cin, hid, 1, act="Relu6")
        y = g.conv(y, "f.%d.conv.1.0" % b, hid, hid, 3, stride, 1, g=hid, act="Relu6")
        y = g.conv(y, "f.%d.conv.2" % b, hid, cout, 1, act=None)
        macs += h_in * h_in * hid * cin + h_out * h_out * hid * 9 + h_out * h_out * cout * hid
        params += hid * cin + 2 * hid + hid * 9 + 2 * hid + cout * hid + 2 * cout
        if stride == 1:
            y = g.node("Add", "f.%d" % b, [x, y])
        x = y
    j = expect(g.save(x), macs, params, ["conv", "conv", "conv", "add", "conv", "conv", "conv"])
    if j:
        L = j["layers"]
        check(L[3].get("inputs") == ["input", L[2]["name"]],
              "mbv2_blocks: the add reads %s" % L[3].get("inputs"))
        check(L[4].get("inputs") == [L[3]["name"]],
              "mbv2_blocks: block 1 reads %s" % L[4].get("inputs"))
        check(j["layers"][1]["groups"] == 144, "mbv2_blocks: depthwise groups %s" % j["layers"][1]["groups"])


def decoder():
    """A U-Net style decoder step: conv, Resize x2 (nearest, constant scales), Concat with the
    skip connection, conv."""
    g = Graph("decoder", [1, 32, 16, 16])
    skip = g.conv("input", "enc", 32, 32, 3, 1, 1)
    y = g.conv(skip, "down", 32, 64, 3, 2, 1)
    g.inits.append(helper.make_tensor("scales", TensorProto.FLOAT, [4], [1.0, 1.0, 2.0, 2.0]))
    y = g.node("Resize", "up", [y, "", "scales"], mode="nearest")
    y = g.node("Concat", "cat", [y, skip], axis=1)
    y = g.conv(y, "dec", 96, 32, 3, 1, 1)
    macs = 256 * 32 * 32 * 9 + 64 * 64 * 32 * 9 + 256 * 32 * 96 * 9
    params = 32 * 32 * 9 + 64 + 64 * 32 * 9 + 128 + 32 * 96 * 9 + 64
    j = expect(g.save(y), macs, params, ["conv", "conv", "conv"])
    # the Concat merges two tensors without a layer: no graph, the figures as before
    check(j is not None and "inputs" not in j, "decoder: a graph through a Concat")


def bert_layer():
    """One BERT-base encoder layer as torch exports it with a dynamic batch: Linear on 3-D
    inputs as MatMul + Add, heads by Reshape + Transpose, the reshape targets computed from
    Shape (Gather, Unsqueeze, Concat), softmax, GELU by Erf, LayerNormalization (opset 17)."""
    S, H, A, D, F = 128, 768, 12, 64, 3072
    g = Graph("bert_layer", [1, S, H], external=True)

    def linear(x, path, cin, cout):
        w, b = g.weight(path + ".weight", [cin, cout]), g.weight(path + ".bias", [cout])
        return g.node("Add", path, [g.node("MatMul", path, [x, w]), b])

    def heads(x, path, transpose_k=False):
        shape = g.node("Shape", path, [x])
        batch = g.node("Gather", path, [shape, g.ints("i0", [0]) if not any(
            t.name == "i0" for t in g.inits) else "i0"], axis=0)
        tail = g.ints(path + ".tail", [S, A, D])
        target = g.node("Concat", path, [batch, tail], axis=0)
        y = g.node("Reshape", path, [x, target])
        return g.node("Transpose", path, [y], perm=[0, 2, 3, 1] if transpose_k else [0, 2, 1, 3])

    def layernorm(x, path):
        return g.node("LayerNormalization", path, [x, g.weight(path + ".weight", [H]),
                                                    g.weight(path + ".bias", [H])], axis=-1)

    x = "input"
    q = heads(linear(x, "attention.self.query", H, H), "q")
    k = heads(linear(x, "attention.self.key", H, H), "k", transpose_k=True)
    v = heads(linear(x, "attention.self.value", H, H), "v")
    s = g.node("MatMul", "attention.self.scores", [q, k])
    s = g.node("Div", "attention.self", [s, g.minmax()])
    p = g.node("Softmax", "attention.self", [s], axis=-1)
    c = g.node("MatMul", "attention.self.context", [p, v])
    c = g.node("Transpose", "attention.self.ctx", [c], perm=[0, 2, 1, 3])
    c = g.node("Reshape", "attention.self.ctx", [c, g.ints("hid", [-1, S, H])])
    a = linear(c, "attention.output.dense", H, H)
    a = layernorm(g.node("Add", "attention.output", [a, x]), "attention.output.LayerNorm")
    f = linear(a, "intermediate.dense", H, F)
    erf = g.node("Erf", "gelu", [g.node("Div", "gelu", [f, g.minmax()])])
    f = g.node("Mul", "gelu", [f, g.node("Add", "gelu1", [erf, g.minmax()])])
    o = linear(f, "output.dense", F, H)
    o = layernorm(g.node("Add", "output", [o, a]), "output.LayerNorm")
    path = g.save(o, opset=17, dynamic_batch=True)
    for batch in (1, 2):
        lin = batch * S * (4 * H * H + 2 * H * F)
        att = batch * A * (S * D * S + S * S * D)
        params = 4 * (H * H + H) + (H * F + F) + (F * H + H)  # LayerNorms: not layers
        expect(path, lin + att, params, ["fc", "fc", "fc", "matmul", "matmul", "fc", "add", "fc",
                                         "fc", "add"], ("--batch", str(batch)), batch=batch)
    # the same figures as the zoo's BERT-base layer 0 (its adds carry LayerNorm parameters)
    z = hwnas_json("bert_base")
    j = hwnas_json(path)
    if z and j:
        zl = [l for l in z["layers"] if l["name"].startswith("encoder.layer.0.")]
        check([l["macs"] for l in zl] == [l["macs"] for l in j["layers"]],
              "bert_layer: per-layer MACs differ from bert_base layer 0")
        # the same connections too: the reshapes, transposes, softmax and LayerNorms between
        # the layers are looked through; the zoo's layer 0 reads 'embeddings' for 'input'
        def reads(layers):
            pos = {l["name"]: i for i, l in enumerate(layers)}
            return [sorted(pos.get(t, -1) for t in l.get("inputs", [])) for l in layers]
        check(reads(zl) == reads(j["layers"]),
              "bert_layer: the connections differ from bert_base layer 0")
        check(j.get("inputs") == [{"name": "input", "shape": [128, 768]}],
              "bert_layer: network inputs %s" % j.get("inputs"))


# ---- torchvision architectures from their description ----

def resnet(name, bottleneck, blocks):
    g = Graph(name, [1, 3, 224, 224], external=True)
    x = g.conv("input", "conv1", 3, 64, 7, 2, 3)
    x = g.node("MaxPool", "maxpool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
    cin = 64
    for li, nb in enumerate(blocks):
        planes = 64 << li
        cout = planes * (4 if bottleneck else 1)
        for bi in range(nb):
            s = 2 if li > 0 and bi == 0 else 1
            p = "layer%d.%d" % (li + 1, bi)
            if bottleneck:
                y = g.conv(x, p + ".conv1", cin, planes, 1)
                y = g.conv(y, p + ".conv2", planes, planes, 3, s, 1)
                y = g.conv(y, p + ".conv3", planes, cout, 1, act=None)
            else:
                y = g.conv(x, p + ".conv1", cin, planes, 3, s, 1)
                y = g.conv(y, p + ".conv2", planes, planes, 3, 1, 1, act=None)
            idn = x
            if s != 1 or cin != cout:
                idn = g.conv(x, p + ".downsample.0", cin, cout, 1, s, act=None)
            x = g.node("Relu", p, [g.node("Add", p, [y, idn])])
            cin = cout
    x = g.node("GlobalAveragePool", "avgpool", [x])
    x = g.node("Flatten", "flatten", [x], axis=1)
    return g, g.gemm(x, "fc", cin, 1000)


def mobilenet_v2():
    g = Graph("mobilenet_v2", [1, 3, 224, 224], external=True)
    cfg = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
           (6, 160, 3, 2), (6, 320, 1, 1)]
    x, cin, f = g.conv("input", "features.0.0", 3, 32, 3, 2, 1, act="Relu6"), 32, 1
    for t, c, n, s in cfg:
        for i in range(n):
            stride, hid, sub = s if i == 0 else 1, cin * t, 0
            y = x
            if t != 1:
                y = g.conv(y, "features.%d.conv.%d.0" % (f, sub), cin, hid, 1, act="Relu6")
                sub += 1
            y = g.conv(y, "features.%d.conv.%d.0" % (f, sub), hid, hid, 3, stride, 1, g=hid,
                       act="Relu6")
            y = g.conv(y, "features.%d.conv.%d" % (f, sub + 1), hid, c, 1, act=None)
            if stride == 1 and cin == c:
                y = g.node("Add", "features.%d" % f, [x, y])
            x, cin, f = y, c, f + 1
    x = g.conv(x, "features.%d.0" % f, cin, 1280, 1, act="Relu6")
    x = g.node("GlobalAveragePool", "avgpool", [x])
    x = g.node("Flatten", "flatten", [x], axis=1)
    x = g.node("Dropout", "classifier.0", [x])
    return g, g.gemm(x, "classifier.1", 1280, 1000)


def vgg16():
    g = Graph("vgg16", [1, 3, 224, 224], external=True)
    x, cin, idx = "input", 3, 0
    for v in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]:
        if v:
            x = g.conv(x, "features.%d" % idx, cin, v, 3, 1, 1, bias=True, bn=False)
            cin, idx = v, idx + 2
        else:
            x = g.node("MaxPool", "features.%d" % idx, [x], kernel_shape=[2, 2], strides=[2, 2])
            idx += 1
    # AdaptiveAvgPool2d((7, 7)) of a 7 x 7 map: torch exports a 1 x 1 AveragePool
    x = g.node("AveragePool", "avgpool", [x], kernel_shape=[1, 1], strides=[1, 1])
    x = g.node("Flatten", "flatten", [x], axis=1)
    x = g.node("Relu", "classifier.1", [g.gemm(x, "classifier.0", 512 * 49, 4096)])
    x = g.node("Dropout", "classifier.2", [x])
    x = g.node("Relu", "classifier.4", [g.gemm(x, "classifier.3", 4096, 4096)])
    x = g.node("Dropout", "classifier.5", [x])
    return g, g.gemm(x, "classifier.6", 4096, 1000)


def same_as_zoo(zoo, built):
    g, out = built
    path = g.save(out)
    z, j = hwnas_json(zoo), hwnas_json(path)
    if not z or not j:
        return
    check(j["macs"] == z["macs"], "%s.onnx: MACs %d, zoo %d" % (zoo, j["macs"], z["macs"]))
    check(j["params"] == z["params"], "%s.onnx: params %d, zoo %d" % (zoo, j["params"], z["params"]))
    check(len(j["layers"]) == len(z["layers"]),
          "%s.onnx: %d layers, zoo %d" % (zoo, len(j["layers"]), len(z["layers"])))
    keys = ("type", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "macs",
            "params", "gemm")
    for a, b in zip(j["layers"], z["layers"]):
        diff = [k for k in keys if a.get(k) != b.get(k)]
        check(not diff, "%s.onnx: layer %s (zoo %s) differs in %s" % (zoo, a["name"], b["name"], diff))
    # the connections: each layer reads the same layers (by position; the network input
    # is 'input' in the file, 'image' in the zoo), an add's operands in either order
    def reads(net):
        pos = {l["name"]: i for i, l in enumerate(net["layers"])}
        return [sorted(pos.get(t, -1) for t in l.get("inputs", [])) for l in net["layers"]]
    check("inputs" in j, "%s.onnx: no graph" % zoo)
    check(reads(j) == reads(z), "%s.onnx: the connections differ from the zoo's" % zoo)


conv_bn_relu()
residual()
flatten_gemm()
mbv2_blocks()
decoder()
bert_layer()
same_as_zoo("resnet18", resnet("resnet18", False, [2, 2, 2, 2]))
same_as_zoo("resnet50", resnet("resnet50", True, [3, 4, 6, 3]))
same_as_zoo("mobilenet_v2", mobilenet_v2())
same_as_zoo("vgg16", vgg16())
if CORPUS:
    import shutil
    for n in ("conv_bn_relu", "residual", "flatten_gemm", "bert_layer"):
        shutil.copy(os.path.join(WORK, n + ".onnx"), os.path.join(CORPUS, n + ".onnx"))
print("onnx_nets.py: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
