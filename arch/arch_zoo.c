/* arch_zoo.c: the built-in networks, layer by layer as torchvision (and HuggingFace for
 * BERT) build them, so that parameter counts match their published figures exactly.
 *
 * Conventions: a conv's following BatchNorm is folded into it as bn = 1 (2k parameters);
 * ReLU, SiLU, dropout, softmax and the SE channel scaling have no layer (no MACs, no
 * parameters); adaptive average pools become ARCH_POOL with a kernel the size of their input;
 * residual adds become ARCH_ADD named "<block>.add". Names are torchvision's module names
 * (the conv's, e.g. "layer1.0.conv1", "features.3.conv.1.0"), so a user can find a layer.
 *
 * Every network is a graph (docs/network_format.md "Graphs"): each layer reads the tensors it
 * reads in torchvision, a residual add both its operands. What is not a layer is looked
 * through: ReLU and dropout keep the tensor; EfficientNet's SE scaling multiplies the
 * depthwise output by the SE branch, so the projection reads the depthwise output and the SE
 * branch ends in its fc2 (not a network output); BERT's softmax keeps the scores, its head
 * split and merge are reshapes, and its inputs are the embedding lookups (not layers). */
#include "arch.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Builder: the first error sticks, so that the network code reads as a list of layers. */
struct zb {
	struct arch_net *net;
	int64_t batch;
	int ret;
};

/* An activation's per-image shape: channels x height x width, and its tensor id. */
struct shp {
	int64_t c, h, w;
	int32_t id;
};

enum { Z_BIAS = 1, Z_BN = 2 };

/* Adds l reading the tensors in[0 .. n_in-1]; returns the id of its output. */
static int32_t zb_add(struct zb *b, struct arch_layer *l, int n_in, int32_t in0, int32_t in1)
{
	l->n_in = n_in;
	l->in[0] = in0;
	l->in[1] = in1;
	if (!b->ret)
		b->ret = arch_net_add(b->net, l);
	return b->net->n_layers - 1;
}

/* A network input of per-image shape c x h x w. */
static struct shp zinput(struct zb *b, const char *name, int64_t c, int64_t h, int64_t w)
{
	const int64_t d[3] = { c, h, w };

	if (!b->ret)
		b->ret = arch_net_add_input(b->net, name, 3, d);
	return (struct shp){ c, h, w, ARCH_SRC_INPUT(b->net->n_inputs - 1) };
}

static void zoutput(struct zb *b, int32_t id)
{
	if (!b->ret)
		b->ret = arch_net_add_output(b->net, id);
}

static void zb_name(char *dst, const char *fmt, va_list ap)
{
	vsnprintf(dst, ARCH_NAME_MAX, fmt, ap);
}

/* Square-kernel conv on input in; returns the output shape. */
__attribute__((format(printf, 9, 10)))
static struct shp zconv(struct zb *b, struct shp in, int64_t k, int64_t r, int32_t stride,
			int32_t pad, int32_t groups, unsigned flags, const char *fmt, ...)
{
	char name[ARCH_NAME_MAX];
	struct arch_layer l;
	va_list ap;

	va_start(ap, fmt);
	zb_name(name, fmt, ap);
	va_end(ap);
	l = arch_conv(name, b->batch, in.c, in.h, in.w, k, r, stride, pad, groups);
	l.bias = (flags & Z_BIAS) != 0;
	l.bn = (flags & Z_BN) != 0;
	return (struct shp){ k, arch_out_h(&l), arch_out_w(&l), zb_add(b, &l, 1, in.id, 0) };
}

__attribute__((format(printf, 7, 8)))
static struct shp zpool(struct zb *b, struct shp in, int64_t r, int32_t stride, int32_t pad,
			int is_max, const char *fmt, ...)
{
	char name[ARCH_NAME_MAX];
	struct arch_layer l;
	va_list ap;

	va_start(ap, fmt);
	zb_name(name, fmt, ap);
	va_end(ap);
	l = arch_pool(name, b->batch, in.c, in.h, in.w, r, stride, pad, is_max);
	return (struct shp){ in.c, arch_out_h(&l), arch_out_w(&l), zb_add(b, &l, 1, in.id, 0) };
}

/* Adaptive average pool to 1 x 1 (torchvision's avgpool before the classifier). */
__attribute__((format(printf, 3, 4)))
static struct shp zgap(struct zb *b, struct shp in, const char *fmt, ...)
{
	char name[ARCH_NAME_MAX];
	struct arch_layer l;
	va_list ap;

	va_start(ap, fmt);
	zb_name(name, fmt, ap);
	va_end(ap);
	l = arch_pool(name, b->batch, in.c, in.h, in.w, in.h, 1, 0, 0);
	l.s = in.w;
	return (struct shp){ in.c, 1, 1, zb_add(b, &l, 1, in.id, 0) };
}

/* The residual add of x and the shortcut sc (same shape). */
__attribute__((format(printf, 4, 5)))
static struct shp zadd(struct zb *b, struct shp x, struct shp sc, const char *fmt, ...)
{
	char name[ARCH_NAME_MAX];
	struct arch_layer l;
	va_list ap;

	va_start(ap, fmt);
	zb_name(name, fmt, ap);
	va_end(ap);
	l = arch_add(name, b->batch, x.c, x.h, x.w);
	x.id = zb_add(b, &l, 2, x.id, sc.id);
	return x;
}

/* A linear layer with bias on rows = batch x tokens, reading tensor src; returns its id. */
static int32_t zfc(struct zb *b, int64_t rows, int64_t in, int64_t out, const char *name,
		   int32_t src)
{
	struct arch_layer l = arch_fc(name, rows, in, out);

	l.bias = 1;
	return zb_add(b, &l, 1, src, 0);
}


/* torchvision.models.alexnet (the "one weird trick" variant torchvision ships). */
static void build_alexnet(struct zb *b)
{
	struct shp x = zinput(b, "image", 3, 224, 224);
	int32_t y;

	x = zconv(b, x, 64, 11, 4, 2, 1, Z_BIAS, "features.0");
	x = zpool(b, x, 3, 2, 0, 1, "features.2");
	x = zconv(b, x, 192, 5, 1, 2, 1, Z_BIAS, "features.3");
	x = zpool(b, x, 3, 2, 0, 1, "features.5");
	x = zconv(b, x, 384, 3, 1, 1, 1, Z_BIAS, "features.6");
	x = zconv(b, x, 256, 3, 1, 1, 1, Z_BIAS, "features.8");
	x = zconv(b, x, 256, 3, 1, 1, 1, Z_BIAS, "features.10");
	x = zpool(b, x, 3, 2, 0, 1, "features.12");
	/* AdaptiveAvgPool2d((6, 6)) on a 6 x 6 map: an identity, kept as a 1 x 1 pool. */
	x = zpool(b, x, 1, 1, 0, 0, "avgpool");
	y = zfc(b, b->batch, x.c * x.h * x.w, 4096, "classifier.1", x.id);
	y = zfc(b, b->batch, 4096, 4096, "classifier.4", y);
	zoutput(b, zfc(b, b->batch, 4096, 1000, "classifier.6", y));
}

/* torchvision.models.vgg16 (configuration "D", no batch norm). */
static void build_vgg16(struct zb *b)
{
	static const int cfg[] = { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0,
				   512, 512, 512, 0, 512, 512, 512, 0 };
	struct shp x = zinput(b, "image", 3, 224, 224);
	int32_t y;
	int idx = 0;

	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		if (cfg[i]) {
			x = zconv(b, x, cfg[i], 3, 1, 1, 1, Z_BIAS, "features.%d", idx);
			idx += 2; /* conv, relu */
		} else {
			x = zpool(b, x, 2, 2, 0, 1, "features.%d", idx);
			idx += 1;
		}
	}
	/* AdaptiveAvgPool2d((7, 7)) on a 7 x 7 map: an identity, kept as a 1 x 1 pool. */
	x = zpool(b, x, 1, 1, 0, 0, "avgpool");
	y = zfc(b, b->batch, x.c * x.h * x.w, 4096, "classifier.0", x.id);
	y = zfc(b, b->batch, 4096, 4096, "classifier.3", y);
	zoutput(b, zfc(b, b->batch, 4096, 1000, "classifier.6", y));
}

/* torchvision.models.resnet18 / resnet50 (ResNet v1.5: the stride sits in the 3 x 3 conv
 * of a bottleneck). */
static void build_resnet(struct zb *b, int bottleneck, const int blocks[4])
{
	const int expansion = bottleneck ? 4 : 1;
	struct shp x = zinput(b, "image", 3, 224, 224);

	x = zconv(b, x, 64, 7, 2, 3, 1, Z_BN, "conv1");
	x = zpool(b, x, 3, 2, 1, 1, "maxpool");
	for (int li = 0; li < 4; li++) {
		int64_t planes = 64 << li;

		for (int bi = 0; bi < blocks[li]; bi++) {
			int32_t stride = (li > 0 && bi == 0) ? 2 : 1;
			struct shp in = x, sc = x;
			int L = li + 1;

			if (bottleneck) {
				x = zconv(b, x, planes, 1, 1, 0, 1, Z_BN, "layer%d.%d.conv1", L, bi);
				x = zconv(b, x, planes, 3, stride, 1, 1, Z_BN, "layer%d.%d.conv2", L, bi);
				x = zconv(b, x, planes * 4, 1, 1, 0, 1, Z_BN, "layer%d.%d.conv3", L, bi);
			} else {
				x = zconv(b, x, planes, 3, stride, 1, 1, Z_BN, "layer%d.%d.conv1", L, bi);
				x = zconv(b, x, planes, 3, 1, 1, 1, Z_BN, "layer%d.%d.conv2", L, bi);
			}
			if (stride != 1 || in.c != planes * expansion)
				sc = zconv(b, in, planes * expansion, 1, stride, 0, 1, Z_BN,
					   "layer%d.%d.downsample.0", L, bi);
			x = zadd(b, x, sc, "layer%d.%d.add", L, bi);
		}
	}
	x = zgap(b, x, "%s", "avgpool");
	zoutput(b, zfc(b, b->batch, x.c, 1000, "fc", x.id));
}

/* torchvision.models.mobilenet_v2 (width 1.0): inverted residuals (t, c, n, s). */
static void build_mobilenet_v2(struct zb *b)
{
	static const int cfg[][4] = {
		{ 1, 16, 1, 1 }, { 6, 24, 2, 2 }, { 6, 32, 3, 2 }, { 6, 64, 4, 2 },
		{ 6, 96, 3, 1 }, { 6, 160, 3, 2 }, { 6, 320, 1, 1 },
	};
	struct shp x = zinput(b, "image", 3, 224, 224);
	int f = 1;

	x = zconv(b, x, 32, 3, 2, 1, 1, Z_BN, "features.0.0");
	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		for (int j = 0; j < cfg[i][2]; j++, f++) {
			int32_t stride = j == 0 ? cfg[i][3] : 1;
			int64_t hidden = x.c * cfg[i][0];
			struct shp in = x;
			int sub = 0;

			if (cfg[i][0] != 1)
				x = zconv(b, x, hidden, 1, 1, 0, 1, Z_BN, "features.%d.conv.%d.0", f, sub++);
			x = zconv(b, x, hidden, 3, stride, 1, (int32_t)hidden, Z_BN,
				  "features.%d.conv.%d.0", f, sub++);
			x = zconv(b, x, cfg[i][1], 1, 1, 0, 1, Z_BN, "features.%d.conv.%d", f, sub);
			if (stride == 1 && in.c == x.c)
				x = zadd(b, x, in, "features.%d.add", f);
		}
	}
	x = zconv(b, x, 1280, 1, 1, 0, 1, Z_BN, "features.%d.0", f);
	x = zgap(b, x, "%s", "avgpool");
	zoutput(b, zfc(b, b->batch, x.c, 1000, "classifier.1", x.id));
}

/* torchvision.models.efficientnet_b0: MBConv stages (expand ratio, kernel, stride, in, out,
 * blocks), squeeze-excitation with max(1, in / 4) channels. The SE's two 1 x 1 convs with
 * bias run on the pooled 1 x 1 map; its sigmoid scaling of the feature map is not a layer. */
static void build_efficientnet_b0(struct zb *b)
{
	static const int cfg[][6] = {
		{ 1, 3, 1, 32, 16, 1 }, { 6, 3, 2, 16, 24, 2 }, { 6, 5, 2, 24, 40, 2 },
		{ 6, 3, 2, 40, 80, 3 }, { 6, 5, 1, 80, 112, 3 }, { 6, 5, 2, 112, 192, 4 },
		{ 6, 3, 1, 192, 320, 1 },
	};
	struct shp x = zinput(b, "image", 3, 224, 224);
	int stage;

	x = zconv(b, x, 32, 3, 2, 1, 1, Z_BN, "features.0.0");
	for (stage = 1; stage <= 7; stage++) {
		const int *c = cfg[stage - 1];

		for (int j = 0; j < c[5]; j++) {
			int32_t stride = j == 0 ? c[2] : 1;
			int64_t hidden = x.c * c[0];
			int64_t squeeze = x.c / 4 > 1 ? x.c / 4 : 1;
			struct shp in = x, se;
			int sub = 0;

			if (c[0] != 1)
				x = zconv(b, x, hidden, 1, 1, 0, 1, Z_BN,
					  "features.%d.%d.block.%d.0", stage, j, sub++);
			x = zconv(b, x, hidden, c[1], stride, (c[1] - 1) / 2, (int32_t)hidden, Z_BN,
				  "features.%d.%d.block.%d.0", stage, j, sub++);
			se = zgap(b, x, "features.%d.%d.block.%d.avgpool", stage, j, sub);
			se = zconv(b, se, squeeze, 1, 1, 0, 1, Z_BIAS,
				   "features.%d.%d.block.%d.fc1", stage, j, sub);
			zconv(b, se, hidden, 1, 1, 0, 1, Z_BIAS,
			      "features.%d.%d.block.%d.fc2", stage, j, sub++);
			x = zconv(b, x, c[4], 1, 1, 0, 1, Z_BN, "features.%d.%d.block.%d.0", stage, j, sub);
			if (stride == 1 && in.c == x.c)
				x = zadd(b, x, in, "features.%d.%d.add", stage, j);
		}
	}
	x = zconv(b, x, 1280, 1, 1, 0, 1, Z_BN, "features.8.0");
	x = zgap(b, x, "%s", "avgpool");
	zoutput(b, zfc(b, b->batch, x.c, 1000, "classifier.1", x.id));
}

/* HuggingFace bert-base-uncased (BertModel with pooler): 12 layers, hidden 768, 12 heads of
 * 64, FFN 3072, sequence 128. The two attention matmuls are ARCH_MATMUL; each residual add
 * carries the LayerNorm that follows it (gamma, beta: 2 x 768) as extra_params; the
 * "embeddings" add carries the word (30522), position (512) and token-type (2) tables and
 * the embedding LayerNorm. */
static void build_bert_base(struct zb *b)
{
	enum { SEQ = 128, HID = 768, HEADS = 12, FFN = 3072, LAYERS = 12, VOCAB = 30522,
	       MAXPOS = 512, TYPES = 2 };
	const int64_t rows = b->batch * SEQ;
	const struct shp tok = { HID, SEQ, 1, 0 }; /* per sequence: 768 features x 128 tokens */
	char name[80]; /* the longest name, "encoder.layer.11.attention.output.LayerNorm", fits
			* ARCH_NAME_MAX; the margin keeps the compiler's truncation check quiet */
	struct shp word = zinput(b, "embeddings.word", tok.c, tok.h, tok.w);
	struct shp pos = zinput(b, "embeddings.position_token_type", tok.c, tok.h, tok.w);
	int32_t x, q, k, v, p, ctx, ln;
	struct arch_layer l;

	l = arch_add("embeddings", b->batch, tok.c, tok.h, tok.w);
	l.extra_params = (int64_t)(VOCAB + MAXPOS + TYPES) * HID + 2 * HID;
	x = zb_add(b, &l, 2, word.id, pos.id);
	for (int i = 0; i < LAYERS; i++) {
#define NAME(suffix) (snprintf(name, sizeof(name), "encoder.layer.%d." suffix, i), name)
		q = zfc(b, rows, HID, HID, NAME("attention.self.query"), x);
		k = zfc(b, rows, HID, HID, NAME("attention.self.key"), x);
		v = zfc(b, rows, HID, HID, NAME("attention.self.value"), x);
		l = arch_matmul(NAME("attention.self.scores"), b->batch * HEADS, SEQ, HID / HEADS, SEQ);
		p = zb_add(b, &l, 2, q, k); /* softmax(Q K^T / 8) has no layer: it keeps the shape */
		l = arch_matmul(NAME("attention.self.context"), b->batch * HEADS, SEQ, SEQ, HID / HEADS);
		ctx = zb_add(b, &l, 2, p, v);
		ctx = zfc(b, rows, HID, HID, NAME("attention.output.dense"), ctx);
		l = arch_add(NAME("attention.output.LayerNorm"), b->batch, tok.c, tok.h, tok.w);
		l.extra_params = 2 * HID;
		ln = zb_add(b, &l, 2, ctx, x);
		k = zfc(b, rows, HID, FFN, NAME("intermediate.dense"), ln);
		k = zfc(b, rows, FFN, HID, NAME("output.dense"), k);
		l = arch_add(NAME("output.LayerNorm"), b->batch, tok.c, tok.h, tok.w);
		l.extra_params = 2 * HID;
		x = zb_add(b, &l, 2, k, ln);
#undef NAME
	}
	/* The pooler: dense + tanh on the [CLS] token of each sequence. */
	l = arch_fc("pooler.dense", b->batch, HID, HID);
	l.bias = 1;
	l.first_token = 1;
	zoutput(b, zb_add(b, &l, 1, x, 0));
}

static void build_resnet18(struct zb *b)
{
	static const int blocks[4] = { 2, 2, 2, 2 };

	build_resnet(b, 0, blocks);
}

static void build_resnet50(struct zb *b)
{
	static const int blocks[4] = { 3, 4, 6, 3 };

	build_resnet(b, 1, blocks);
}

static const struct zoo_entry {
	const char *name;
	void (*build)(struct zb *b);
	const char *describe;
} zoo[] = {
	{ "alexnet", build_alexnet, "AlexNet (torchvision), 224x224 ImageNet" },
	{ "vgg16", build_vgg16, "VGG-16 without BN (torchvision), 224x224 ImageNet" },
	{ "resnet18", build_resnet18, "ResNet-18 (torchvision), 224x224 ImageNet" },
	{ "resnet50", build_resnet50, "ResNet-50 v1.5 (torchvision), 224x224 ImageNet" },
	{ "mobilenet_v2", build_mobilenet_v2, "MobileNetV2 1.0 (torchvision), 224x224 ImageNet" },
	{ "efficientnet_b0", build_efficientnet_b0,
	  "EfficientNet-B0 (torchvision), 224x224 ImageNet" },
	{ "bert_base", build_bert_base,
	  "BERT-base encoder + pooler (bert-base-uncased), sequence 128" },
};

int arch_zoo_count(void)
{
	return (int)(sizeof(zoo) / sizeof(zoo[0]));
}

const char *arch_zoo_name(int i)
{
	return i >= 0 && i < arch_zoo_count() ? zoo[i].name : NULL;
}

const char *arch_zoo_describe(int i)
{
	return i >= 0 && i < arch_zoo_count() ? zoo[i].describe : NULL;
}

int arch_zoo_build(const char *name, int64_t batch, struct arch_net *net, struct hn_err *err)
{
	struct zb b = { net, batch, 0 };

	for (int i = 0; i < arch_zoo_count(); i++) {
		if (strcmp(name, zoo[i].name))
			continue;
		if (batch < 1 || batch > (int64_t)1 << 24)
			return hn_fail(err, HN_EINVAL, "%s: batch must be between 1 and %d, got %lld",
				       name, 1 << 24, (long long)batch);
		arch_net_init(net, name, batch);
		zoo[i].build(&b);
		if (b.ret) {
			arch_net_release(net);
			return hn_fail(err, b.ret, "%s: out of memory building the network", name);
		}
		assert(arch_net_check_graph(net, name, err) == 0);
		return 0;
	}
	return hn_fail(err, HN_ENOTFOUND, "unknown network '%s': 'hwnas zoo list' shows the zoo",
		       name);
}
