/* arch_layer.c: layer shapes, the lowering to GEMM (docs/model.md "Lowering to GEMM"),
 * MAC and parameter counts, shape checks, constructors and the network array. */
#include "arch.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[ARCH_KIND_COUNT] = {
	[ARCH_CONV] = "conv",
	[ARCH_FC] = "fc",
	[ARCH_MATMUL] = "matmul",
	[ARCH_POOL] = "pool",
	[ARCH_ADD] = "add",
};

const char *arch_kind_name(enum arch_kind kind)
{
	if ((int)kind < 0 || kind >= ARCH_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int arch_kind_parse(const char *s)
{
	for (int i = 0; i < ARCH_KIND_COUNT; i++)
		if (s && !strcmp(s, kind_names[i]))
			return i;
	return -1;
}

/* a * b, saturated at INT64_MAX so that an unchecked layer gives a huge count, never UB.
 * Inputs are >= 0 for every layer that passed arch_layer_check. */
static int64_t mul_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return INT64_MAX;
	return r;
}

static int64_t add_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return INT64_MAX;
	return r;
}

/* torch's floor rule: (in + 2 pad - dil (k - 1) - 1) / stride + 1, and 0 when the dilated
 * kernel does not fit the padded input (C division would round towards zero there). */
static int64_t out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil)
{
	int64_t span = add_sat(mul_sat(dil, k - 1), 1);
	int64_t padded = add_sat(in, mul_sat(2, pad));

	if (stride <= 0 || padded < span)
		return 0;
	return (padded - span) / stride + 1;
}

int64_t arch_out_h(const struct arch_layer *l)
{
	if (l->kind == ARCH_CONV || l->kind == ARCH_POOL)
		return out_size(l->h, l->r, l->stride_h, l->pad_h, l->dil_h);
	return l->h;
}

int64_t arch_out_w(const struct arch_layer *l)
{
	if (l->kind == ARCH_CONV || l->kind == ARCH_POOL)
		return out_size(l->w, l->s, l->stride_w, l->pad_w, l->dil_w);
	return l->w;
}

/* elems_in counts the A operand only (the input activation, before im2col). For ARCH_MATMUL
 * the B operand (g * k * n elements) is an activation too, which b_is_act says. */
struct arch_gemm arch_gemm(const struct arch_layer *l)
{
	struct arch_gemm gm = { 0 };
	int64_t nchw = mul_sat(mul_sat(l->n, l->c), mul_sat(l->h, l->w));
	int64_t groups = l->groups > 0 ? l->groups : 1;

	switch (l->kind) {
	case ARCH_CONV:
		gm.g = groups;
		gm.m = mul_sat(l->n, mul_sat(arch_out_h(l), arch_out_w(l)));
		gm.n = l->k / groups;
		gm.k = mul_sat(l->c / groups, mul_sat(l->r, l->s));
		gm.elems_in = nchw;
		break;
	case ARCH_FC:
		gm.g = 1;
		gm.m = l->n;
		gm.n = l->k;
		gm.k = l->c;
		gm.elems_in = mul_sat(l->n, l->c);
		break;
	case ARCH_MATMUL:
		gm.g = l->n;
		gm.m = l->h;
		gm.k = l->c;
		gm.n = l->k;
		gm.elems_in = mul_sat(gm.g, mul_sat(gm.m, gm.k));
		gm.b_is_act = 1;
		break;
	case ARCH_POOL:
		gm.elems_in = nchw;
		gm.elems_out = mul_sat(mul_sat(l->n, l->c), mul_sat(arch_out_h(l), arch_out_w(l)));
		return gm;
	case ARCH_ADD:
		gm.elems_in = mul_sat(2, nchw);
		gm.elems_out = nchw;
		return gm;
	default:
		return gm;
	}
	gm.elems_out = mul_sat(gm.g, mul_sat(gm.m, gm.n));
	return gm;
}

int64_t arch_layer_macs(const struct arch_layer *l)
{
	struct arch_gemm gm = arch_gemm(l);

	return mul_sat(mul_sat(gm.g, gm.m), mul_sat(gm.n, gm.k));
}

/* Weights, bias (k) and batch-norm gamma/beta (2k; running statistics are buffers, not
 * parameters, as in torch's parameters() count) plus extra_params. */
int64_t arch_layer_params(const struct arch_layer *l)
{
	int64_t p = 0;
	int64_t groups = l->groups > 0 ? l->groups : 1;

	switch (l->kind) {
	case ARCH_CONV:
		p = mul_sat(l->k, mul_sat(l->c / groups, mul_sat(l->r, l->s)));
		break;
	case ARCH_FC:
		p = mul_sat(l->c, l->k);
		break;
	default:
		return l->extra_params;
	}
	if (l->bias)
		p = add_sat(p, l->k);
	if (l->bn)
		p = add_sat(p, mul_sat(2, l->k));
	return add_sat(p, l->extra_params);
}

int64_t arch_net_macs(const struct arch_net *net)
{
	int64_t sum = 0;

	for (int i = 0; i < net->n_layers; i++)
		sum = add_sat(sum, arch_layer_macs(&net->layers[i]));
	return sum;
}

int64_t arch_net_params(const struct arch_net *net)
{
	int64_t sum = 0;

	for (int i = 0; i < net->n_layers; i++)
		sum = add_sat(sum, arch_layer_params(&net->layers[i]));
	return sum;
}

/* Fields every kind must have >= 1, named as in struct arch_layer. */
static int check_positive(const struct arch_layer *l, struct hn_err *err)
{
	const struct { const char *name; int64_t v; } f[] = {
		{ "n", l->n }, { "c", l->c }, { "h", l->h }, { "w", l->w },
		{ "k", l->k }, { "r", l->r }, { "s", l->s },
		{ "stride_h", l->stride_h }, { "stride_w", l->stride_w },
		{ "dil_h", l->dil_h }, { "dil_w", l->dil_w }, { "groups", l->groups },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].v < 1)
			return hn_fail(err, HN_EINVAL, "layer '%s': '%s' must be >= 1, got %lld",
				       l->name, f[i].name, (long long)f[i].v);
	if (l->pad_h < 0 || l->pad_w < 0)
		return hn_fail(err, HN_EINVAL, "layer '%s': padding must be >= 0, got %d x %d",
			       l->name, l->pad_h, l->pad_w);
	if (l->extra_params < 0)
		return hn_fail(err, HN_EINVAL, "layer '%s': 'extra_params' must be >= 0, got %lld",
			       l->name, (long long)l->extra_params);
	return 0;
}

/* Kinds without a filter keep r = s = 1 (and fc also h = w = 1), so that the GEMM of
 * docs/model.md holds. */
static int check_kind_shape(const struct arch_layer *l, struct hn_err *err)
{
	const char *kn = arch_kind_name(l->kind);

	if (l->kind == ARCH_CONV) {
		if (l->c % l->groups)
			return hn_fail(err, HN_EINVAL,
				       "layer '%s': 'groups' (%d) must divide 'c' (%lld), the input channels",
				       l->name, l->groups, (long long)l->c);
		if (l->k % l->groups)
			return hn_fail(err, HN_EINVAL,
				       "layer '%s': 'groups' (%d) must divide 'k' (%lld), the output channels",
				       l->name, l->groups, (long long)l->k);
		return 0;
	}
	if (l->groups != 1)
		return hn_fail(err, HN_EINVAL, "layer '%s': 'groups' must be 1 for a %s layer, got %d",
			       l->name, kn, l->groups);
	if ((l->kind == ARCH_POOL || l->kind == ARCH_ADD) && l->k != l->c)
		return hn_fail(err, HN_EINVAL,
			       "layer '%s': 'k' (%lld) must equal 'c' (%lld) for a %s layer",
			       l->name, (long long)l->k, (long long)l->c, kn);
	if (l->kind == ARCH_POOL)
		return 0;
	if (l->r != 1 || l->s != 1)
		return hn_fail(err, HN_EINVAL, "layer '%s': a %s layer has no filter: 'r' and 's' must be 1",
			       l->name, kn);
	if (l->kind == ARCH_FC && (l->h != 1 || l->w != 1))
		return hn_fail(err, HN_EINVAL, "layer '%s': 'h' and 'w' must be 1 for an fc layer, got %lld x %lld",
			       l->name, (long long)l->h, (long long)l->w);
	if (l->kind == ARCH_MATMUL && l->w != 1)
		return hn_fail(err, HN_EINVAL, "layer '%s': 'w' must be 1 for a matmul layer, got %lld",
			       l->name, (long long)l->w);
	return 0;
}

static int overflow_error(const struct arch_layer *l, struct hn_err *err)
{
	return hn_fail(err, HN_EINVAL,
		       "layer '%s': shape too large: the MAC or parameter count would overflow int64",
		       l->name);
}

/* Every quantity the counts form must fit int64: the padded input and dilated kernel span,
 * the input tensor (twice, for add), the GEMM m and the MACs g*m*n*k, and the parameters. */
#define HN_SHAPE_MAX (INT64_C(1) << 50)

static int check_overflow(const struct arch_layer *l, struct hn_err *err)
{
	int64_t t, m, macs, wts;
	int bad = 0;

	bad |= __builtin_add_overflow(l->h, 2 * (int64_t)l->pad_h, &t);
	bad |= __builtin_add_overflow(l->w, 2 * (int64_t)l->pad_w, &t);
	bad |= __builtin_mul_overflow((int64_t)l->dil_h, l->r, &t);
	bad |= __builtin_mul_overflow((int64_t)l->dil_w, l->s, &t);
	bad |= __builtin_mul_overflow(l->n, l->c, &t);
	bad |= __builtin_mul_overflow(t, l->h, &t);
	bad |= __builtin_mul_overflow(t, l->w, &t);
	bad |= __builtin_mul_overflow(t, 2, &t);
	if (bad)
		return overflow_error(l, err);
	/* The output sizes are exact now (no saturation inside arch_out_h/w). */
	bad |= __builtin_mul_overflow(l->n, arch_out_h(l), &m);
	bad |= __builtin_mul_overflow(m, arch_out_w(l), &m);
	bad |= __builtin_mul_overflow(m, l->k, &macs);
	bad |= __builtin_mul_overflow(macs, l->c / l->groups, &macs);
	bad |= __builtin_mul_overflow(macs, l->r, &macs);
	bad |= __builtin_mul_overflow(macs, l->s, &macs);
	bad |= __builtin_mul_overflow(l->k, l->c / l->groups, &wts);
	bad |= __builtin_mul_overflow(wts, l->r, &wts);
	bad |= __builtin_mul_overflow(wts, l->s, &wts);
	bad |= __builtin_add_overflow(wts, 3 * (l->k > INT64_MAX / 3 ? INT64_MAX / 3 : l->k), &wts);
	bad |= __builtin_add_overflow(wts, l->extra_params, &wts);
	if (bad)
		return overflow_error(l, err);
	/* The cost model multiplies these by element bytes (<= 8) and refetch counts bounded by
	 * the GEMM's dimensions, so byte and cycle counts stay below 2^62 when the MACs, the
	 * im2col input and the output each stay at or below 2^50 (1.1e15: BERT-large's FFN at
	 * batch 4096 is 2^43 MACs). */
	int64_t im2col, out;
	bad |= __builtin_mul_overflow(m, l->c, &im2col);
	bad |= __builtin_mul_overflow(im2col, l->r * l->s, &im2col);
	bad |= __builtin_mul_overflow(m, l->k, &out);
	if (bad || macs > HN_SHAPE_MAX || im2col > HN_SHAPE_MAX || out > HN_SHAPE_MAX)
		return hn_fail(err, HN_EINVAL,
			       "layer '%s': shape too large: MACs, input (im2col) and output must each "
			       "be at most 2^50 for the cost model", l->name);
	return 0;
}

int arch_layer_check(const struct arch_layer *l, struct hn_err *err)
{
	int ret;

	if (!l->name[0])
		return hn_fail(err, HN_EINVAL, "layer '': 'name' must not be empty");
	if ((int)l->kind < 0 || l->kind >= ARCH_KIND_COUNT)
		return hn_fail(err, HN_EINVAL, "layer '%s': unknown kind %d", l->name, (int)l->kind);
	ret = check_positive(l, err);
	if (!ret)
		ret = check_kind_shape(l, err);
	if (!ret)
		ret = check_overflow(l, err);
	if (ret)
		return ret;
	if (arch_out_h(l) < 1 || arch_out_w(l) < 1)
		return hn_fail(err, HN_EINVAL,
			       "layer '%s': output size must be >= 1, got %lld x %lld: the %lld x %lld kernel "
			       "(dilation %d x %d) does not fit the %lld x %lld input with padding %d x %d",
			       l->name, (long long)arch_out_h(l), (long long)arch_out_w(l),
			       (long long)l->r, (long long)l->s, l->dil_h, l->dil_w,
			       (long long)l->h, (long long)l->w, l->pad_h, l->pad_w);
	return 0;
}

static struct arch_layer layer_base(const char *name, enum arch_kind kind)
{
	struct arch_layer l;

	memset(&l, 0, sizeof(l));
	hn_strlcpy(l.name, name ? name : "", sizeof(l.name));
	l.kind = kind;
	l.n = l.c = l.h = l.w = l.k = l.r = l.s = 1;
	l.stride_h = l.stride_w = 1;
	l.dil_h = l.dil_w = 1;
	l.groups = 1;
	return l;
}

struct arch_layer arch_conv(const char *name, int64_t n, int64_t c, int64_t h, int64_t w,
			    int64_t k, int64_t r, int32_t stride, int32_t pad, int32_t groups)
{
	struct arch_layer l = layer_base(name, ARCH_CONV);

	l.n = n; l.c = c; l.h = h; l.w = w;
	l.k = k; l.r = r; l.s = r;
	l.stride_h = l.stride_w = stride;
	l.pad_h = l.pad_w = pad;
	l.groups = groups;
	return l;
}

struct arch_layer arch_fc(const char *name, int64_t n, int64_t c, int64_t k)
{
	struct arch_layer l = layer_base(name, ARCH_FC);

	l.n = n; l.c = c; l.k = k;
	return l;
}

struct arch_layer arch_matmul(const char *name, int64_t g, int64_t m, int64_t kk, int64_t nn)
{
	struct arch_layer l = layer_base(name, ARCH_MATMUL);

	l.n = g; l.h = m; l.c = kk; l.k = nn;
	return l;
}

struct arch_layer arch_pool(const char *name, int64_t n, int64_t c, int64_t h, int64_t w,
			    int64_t r, int32_t stride, int32_t pad, int is_max)
{
	struct arch_layer l = layer_base(name, ARCH_POOL);

	l.n = n; l.c = c; l.h = h; l.w = w;
	l.k = c; l.r = r; l.s = r;
	l.stride_h = l.stride_w = stride;
	l.pad_h = l.pad_w = pad;
	l.pool_max = is_max ? 1 : 0;
	return l;
}

struct arch_layer arch_add(const char *name, int64_t n, int64_t c, int64_t h, int64_t w)
{
	struct arch_layer l = layer_base(name, ARCH_ADD);

	l.n = n; l.c = c; l.h = h; l.w = w; l.k = c;
	return l;
}

void arch_net_init(struct arch_net *net, const char *name, int64_t batch)
{
	memset(net, 0, sizeof(*net));
	hn_strlcpy(net->name, name ? name : "", sizeof(net->name));
	net->batch = batch;
}

/* The capacity is implicit: 0 for an empty net, else the next power of two >= n_layers, so
 * the struct needs no capacity field and stays copyable with '='. */
int arch_net_add(struct arch_net *net, const struct arch_layer *l)
{
	int n = net->n_layers;

	if (n == 0 || (n & (n - 1)) == 0) {
		size_t cap = n ? (size_t)n * 2 : 8;
		struct arch_layer *p;

		if (n == 0 || n >= 8) {
			p = realloc(net->layers, cap * sizeof(*p));
			if (!p)
				return HN_ENOMEM;
			net->layers = p;
		}
	}
	net->layers[n] = *l;
	net->n_layers = n + 1;
	return 0;
}

void arch_net_release(struct arch_net *net)
{
	free(net->layers);
	net->layers = NULL;
	net->n_layers = 0;
	free(net->skipped);
	net->skipped = NULL;
	net->n_skipped = 0;
	net->graph = 0;
	net->n_inputs = 0;
	net->n_outputs = 0;
}

/* Capacity implicit as for the layers: the next power of two >= n_skipped. */
int arch_net_add_skip(struct arch_net *net, const char *name, const char *op, const char *note,
		      int unknown)
{
	int n = net->n_skipped;
	struct arch_skip *s;

	if (n == 0 || (n & (n - 1)) == 0) {
		struct arch_skip *p = realloc(net->skipped, (size_t)(n ? 2 * n : 1) * sizeof(*p));

		if (!p)
			return HN_ENOMEM;
		net->skipped = p;
	}
	s = &net->skipped[n];
	memset(s, 0, sizeof(*s));
	hn_strlcpy(s->name, name ? name : "", sizeof(s->name));
	hn_strlcpy(s->op, op ? op : "", sizeof(s->op));
	hn_strlcpy(s->note, note ? note : "", sizeof(s->note));
	s->unknown = unknown != 0;
	net->n_skipped = n + 1;
	return 0;
}

int arch_net_find_duplicate(const struct arch_net *net, int *dup, int *first)
{
	size_t cap = 16, mask;
	int *slot, ret = 0;

	while (cap < 2 * (size_t)net->n_layers)
		cap *= 2;
	mask = cap - 1;
	slot = malloc(cap * sizeof(*slot)); /* layer index + 1; 0 is empty */
	if (!slot)
		return HN_ENOMEM;
	memset(slot, 0, cap * sizeof(*slot));
	for (int i = 0; i < net->n_layers && !ret; i++) {
		size_t k = (size_t)hn_fnv1a(HN_FNV_START, net->layers[i].name, strlen(net->layers[i].name)) & mask;
		for (; slot[k]; k = (k + 1) & mask) {
			if (!strcmp(net->layers[slot[k] - 1].name, net->layers[i].name)) {
				*dup = i;
				*first = slot[k] - 1;
				ret = 1;
				break;
			}
		}
		if (!ret)
			slot[k] = i + 1;
	}
	free(slot);
	return ret;
}

int arch_net_check_size(const struct arch_net *net, const char *origin, struct hn_err *err)
{
	int64_t macs = 0, elems = 0;

	for (int i = 0; i < net->n_layers; i++) {
		struct arch_gemm g = arch_gemm(&net->layers[i]);
		macs = add_sat(macs, arch_layer_macs(&net->layers[i]));
		elems = add_sat(elems, add_sat(g.elems_in, g.elems_out));
	}
	if (macs > ARCH_NET_MAX || elems > ARCH_NET_MAX)
		return hn_fail(err, HN_EINVAL, "%s: network too large for the model: %d layers, %s "
			       "above 2^56 in total (the model's totals would overflow)",
			       origin ? origin : net->name, net->n_layers,
			       macs > ARCH_NET_MAX ? "MACs" : "activation elements");
	return 0;
}
