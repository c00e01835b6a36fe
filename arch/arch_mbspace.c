/* arch_mbspace.c: the MobileNetV2-style layer-wise space. Stage table of Sandler et al. 2018
 * (Table 2): (expansion t, channels c, blocks n, stride s) = (1,16,1,1) (6,24,2,2) (6,32,3,2)
 * (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), after a 3x3 stride-2 stem to 32 channels and
 * before a 1x1 conv to 1280, global pooling and the classifier. Each stage's kernel,
 * expansion and depth are knobs; so are the width multiplier and the input resolution. The
 * network is a graph: each layer reads the one before it, a residual add the block's input
 * too (docs/network_format.md "Graphs"). */
#include "arch.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int stage_t[ARCH_MB_STAGES] = { 1, 6, 6, 6, 6, 6, 6 };
static const int stage_c[ARCH_MB_STAGES] = { 16, 24, 32, 64, 96, 160, 320 };
static const int stage_n[ARCH_MB_STAGES] = { 1, 2, 3, 4, 3, 3, 1 };
static const int stage_s[ARCH_MB_STAGES] = { 1, 2, 2, 2, 1, 2, 1 };

struct arch_mb_config arch_mb_default(void)
{
	struct arch_mb_config c;

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < ARCH_MB_STAGES; i++) {
		c.kernel[i] = 3;
		c.expand[i] = stage_t[i];
		c.depth[i] = stage_n[i];
	}
	c.width = 1.0;
	c.resolution = 224;
	c.classes = 1000;
	return c;
}

/* Channels times the width multiplier, to a multiple of 8 not below 90 % of it (the
 * _make_divisible rule of the reference implementation). */
static int64_t channels(int c, double w)
{
	double v = c * w;
	int64_t r = (int64_t)(v + 4.0) / 8 * 8;

	if (r < 8)
		r = 8;
	if ((double)r < 0.9 * v)
		r += 8;
	return r;
}

/* Appends l reading *x (and x2 for an add); *x becomes its output. */
static int add(struct arch_net *net, struct arch_layer l, const char *name, int32_t *x,
	       int32_t x2)
{
	hn_strlcpy(l.name, name, sizeof(l.name));
	if (l.kind == ARCH_CONV)
		l.bn = 1;
	l.n_in = arch_kind_inputs(l.kind);
	l.in[0] = *x;
	l.in[1] = l.n_in > 1 ? x2 : 0;
	*x = net->n_layers;
	return arch_net_add(net, &l);
}

int arch_mb_build(const struct arch_mb_config *c, int64_t batch, struct arch_net *net,
		  struct hn_err *err)
{
	int64_t h = c->resolution, ch, out;
	int32_t x;
	char name[ARCH_NAME_MAX];
	int ret = 0;

	if (c->resolution < 32 || c->resolution > 1024)
		return hn_fail(err, HN_EINVAL, "mbv2: resolution must be 32 .. 1024, got %d",
			       c->resolution);
	if (!(c->width >= 0.1 && c->width <= 4.0))
		return hn_fail(err, HN_EINVAL, "mbv2: width must be 0.1 .. 4, got %g", c->width);
	if (c->classes < 1)
		return hn_fail(err, HN_EINVAL, "mbv2: classes must be >= 1, got %d", c->classes);
	for (int s = 0; s < ARCH_MB_STAGES; s++) {
		if (c->kernel[s] != 3 && c->kernel[s] != 5 && c->kernel[s] != 7)
			return hn_fail(err, HN_EINVAL, "mbv2: stage %d: kernel must be 3, 5 or 7, got %d",
				       s, c->kernel[s]);
		if (c->expand[s] < 1 || c->expand[s] > 12)
			return hn_fail(err, HN_EINVAL, "mbv2: stage %d: expansion must be 1 .. 12, got %d",
				       s, c->expand[s]);
		if (c->depth[s] < 1 || c->depth[s] > 12)
			return hn_fail(err, HN_EINVAL, "mbv2: stage %d: depth must be 1 .. 12, got %d",
				       s, c->depth[s]);
	}
	arch_net_init(net, "mbv2", batch);
	{
		const int64_t image[3] = { 3, h, h };

		ret |= arch_net_add_input(net, "image", 3, image);
	}
	x = ARCH_SRC_INPUT(0);
	ch = channels(32, c->width);
	ret |= add(net, arch_conv("", batch, 3, h, h, ch, 3, 2, 1, 1), "stem", &x, 0);
	h = (h + 1) / 2;
	for (int s = 0; s < ARCH_MB_STAGES && !ret; s++) {
		out = channels(stage_c[s], c->width);
		for (int b = 0; b < c->depth[s] && !ret; b++) {
			int stride = b == 0 ? stage_s[s] : 1;
			int64_t hid = ch * c->expand[s], k = c->kernel[s];
			int64_t ho = (h + 2 * (k / 2) - k) / stride + 1;
			int32_t in = x;
			if (c->expand[s] != 1) {
				snprintf(name, sizeof(name), "s%db%d.expand", s, b);
				ret |= add(net, arch_conv("", batch, ch, h, h, hid, 1, 1, 0, 1), name, &x, 0);
			}
			snprintf(name, sizeof(name), "s%db%d.dw%dx%d", s, b, (int)k, (int)k);
			ret |= add(net, arch_conv("", batch, hid, h, h, hid, k, stride, (int32_t)(k / 2),
						  (int32_t)hid), name, &x, 0);
			snprintf(name, sizeof(name), "s%db%d.project", s, b);
			ret |= add(net, arch_conv("", batch, hid, ho, ho, out, 1, 1, 0, 1), name, &x, 0);
			if (stride == 1 && ch == out) {
				snprintf(name, sizeof(name), "s%db%d.add", s, b);
				ret |= add(net, arch_add("", batch, out, ho, ho), name, &x, in);
			}
			ch = out;
			h = ho;
		}
	}
	out = c->width > 1.0 ? channels(1280, c->width) : 1280;
	ret |= add(net, arch_conv("", batch, ch, h, h, out, 1, 1, 0, 1), "head", &x, 0);
	ret |= add(net, arch_pool("", batch, out, h, h, h, (int32_t)h, 0, 0), "gap", &x, 0);
	struct arch_layer fc = arch_fc("", batch, out, c->classes);
	fc.bias = 1;
	ret |= add(net, fc, "classifier", &x, 0);
	ret |= arch_net_add_output(net, x);
	if (ret) {
		arch_net_release(net);
		return hn_fail(err, HN_ENOMEM, "mbv2: out of memory");
	}
	assert(arch_net_check_graph(net, "mbv2", err) == 0);
	return 0;
}

char *arch_mb_to_json(const struct arch_mb_config *c)
{
	size_t size = 256 + ARCH_MB_STAGES * 64;
	char *s = malloc(size);
	size_t o;

	if (!s)
		return NULL;
	o = (size_t)snprintf(s, size, "{\"type\":\"mbv2\",\"resolution\":%d,\"width\":%g,"
			     "\"classes\":%d,\"stages\":[", c->resolution, c->width, c->classes);
	for (int i = 0; i < ARCH_MB_STAGES && o < size; i++)
		o += (size_t)snprintf(s + o, size - o, "%s{\"kernel\":%d,\"expansion\":%d,\"depth\":%d}",
				      i ? "," : "", c->kernel[i], c->expand[i], c->depth[i]);
	if (o < size)
		snprintf(s + o, size - o, "]}\n");
	return s;
}

void arch_mb_describe(const struct arch_mb_config *c, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "r%d w%.2f", c->resolution, c->width);

	for (int i = 0; i < ARCH_MB_STAGES && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, " k%de%dd%d", c->kernel[i], c->expand[i],
				      c->depth[i]);
}
