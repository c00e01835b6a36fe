/* arch_graph.c: networks as graphs (docs/network_format.md "Graphs"): tensor shapes, the
 * graph check (arity, shapes, names, cycles) and the topological order. */
#include "arch_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t arch_shape_elems(const struct arch_shape *s)
{
	int64_t e = 1;

	for (int i = 0; i < s->rank; i++)
		if (__builtin_mul_overflow(e, s->d[i], &e))
			return INT64_MAX;
	return e;
}

static struct arch_shape shape4(int64_t a, int64_t b, int64_t c, int64_t d)
{
	return (struct arch_shape){ 4, { a, b, c, d } };
}

struct arch_shape arch_layer_out_shape(const struct arch_layer *l)
{
	switch (l->kind) {
	case ARCH_CONV:
	case ARCH_POOL:
		return shape4(l->n, l->k, arch_out_h(l), arch_out_w(l));
	case ARCH_FC:
		return (struct arch_shape){ 2, { l->n, l->k, 0, 0 } };
	case ARCH_MATMUL:
		return (struct arch_shape){ 3, { l->n, l->h, l->k, 0 } };
	default:
		return shape4(l->n, l->c, l->h, l->w);
	}
}

struct arch_shape arch_layer_in_shape(const struct arch_layer *l, int slot)
{
	switch (l->kind) {
	case ARCH_FC:
		return (struct arch_shape){ 2, { l->n, l->c, 0, 0 } };
	case ARCH_MATMUL: /* A is [g][m][kk], B is [g][kk][nn] */
		if (slot == 0)
			return (struct arch_shape){ 3, { l->n, l->h, l->c, 0 } };
		return (struct arch_shape){ 3, { l->n, l->c, l->k, 0 } };
	default:
		return shape4(l->n, l->c, l->h, l->w);
	}
}

/* A network input at the network batch: [C, H, W] a feature map, [T, F] rows of tokens,
 * [F] one row per sample. */
static struct arch_shape input_shape(const struct arch_tensor *t, int64_t batch)
{
	int64_t rows;

	if (t->rank == 3)
		return shape4(batch, t->dims[0], t->dims[1], t->dims[2]);
	if (t->rank == 2) {
		if (__builtin_mul_overflow(batch, t->dims[0], &rows))
			rows = INT64_MAX;
		return (struct arch_shape){ 2, { rows, t->dims[1], 0, 0 } };
	}
	return (struct arch_shape){ 2, { batch, t->dims[0], 0, 0 } };
}

struct arch_shape arch_net_tensor_shape(const struct arch_net *net, int32_t id)
{
	if (id >= 0)
		return arch_layer_out_shape(&net->layers[id]);
	return input_shape(&net->inputs[-1 - id], net->batch);
}

const char *arch_net_tensor_name(const struct arch_net *net, int32_t id)
{
	if (id >= 0 && id < net->n_layers)
		return net->layers[id].name;
	if (id < 0 && -1 - id < net->n_inputs)
		return net->inputs[-1 - id].name;
	return "?";
}

int arch_kind_inputs(enum arch_kind kind)
{
	return kind == ARCH_ADD || kind == ARCH_MATMUL ? 2 : 1;
}

void arch_shape_text(const struct arch_shape *s, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "[");

	for (int i = 0; i < s->rank && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%lld", i ? ", " : "", (long long)s->d[i]);
	if (o < size)
		snprintf(buf + o, size - o, "]");
}

int arch_net_add_input(struct arch_net *net, const char *name, int rank, const int64_t *dims)
{
	struct arch_tensor *t;

	if (net->n_inputs >= ARCH_IO_MAX || rank < 1 || rank > 3)
		return HN_EINVAL;
	t = &net->inputs[net->n_inputs];
	memset(t, 0, sizeof(*t));
	hn_strlcpy(t->name, name ? name : "", sizeof(t->name));
	t->rank = rank;
	for (int i = 0; i < rank; i++)
		t->dims[i] = dims[i];
	net->graph = 1;
	net->n_inputs++;
	return 0;
}

int arch_net_add_output(struct arch_net *net, int32_t id)
{
	if (net->n_outputs >= ARCH_IO_MAX)
		return HN_EINVAL;
	net->outputs[net->n_outputs++] = id;
	return 0;
}

/* ---- the name index ---- */

static size_t names_slot(const struct arch_names *ix, const struct arch_net *net,
			 const char *name)
{
	size_t k = (size_t)hn_fnv1a(HN_FNV_START, name, strlen(name)) & ix->mask;

	while (ix->slot[k] != ARCH_NAMES_EMPTY &&
	       strcmp(arch_net_tensor_name(net, ix->slot[k]), name))
		k = (k + 1) & ix->mask;
	return k;
}

int arch_names_build(struct arch_names *ix, const struct arch_net *net, int32_t *dup,
		     int32_t *first)
{
	size_t cap = 16, total = (size_t)net->n_layers + (size_t)net->n_inputs;

	while (cap < 2 * total)
		cap *= 2;
	ix->slot = malloc(cap * sizeof(*ix->slot));
	if (!ix->slot)
		return HN_ENOMEM;
	ix->mask = cap - 1;
	for (size_t i = 0; i < cap; i++)
		ix->slot[i] = ARCH_NAMES_EMPTY;
	/* inputs first: a layer repeating an input's name is the later definition */
	for (int64_t i = -(int64_t)net->n_inputs; i < net->n_layers; i++) {
		int32_t id = i < 0 ? ARCH_SRC_INPUT(i + net->n_inputs) : (int32_t)i;
		size_t k = names_slot(ix, net, arch_net_tensor_name(net, id));

		if (ix->slot[k] != ARCH_NAMES_EMPTY) {
			*dup = id;
			*first = ix->slot[k];
			arch_names_release(ix);
			return 1;
		}
		ix->slot[k] = id;
	}
	return 0;
}

int32_t arch_names_find(const struct arch_names *ix, const struct arch_net *net,
			const char *name)
{
	return ix->slot[names_slot(ix, net, name)];
}

void arch_names_release(struct arch_names *ix)
{
	free(ix->slot);
	ix->slot = NULL;
}

int arch_names_fail(struct hn_err *err, const char *origin, const struct arch_net *net,
		    int32_t dup, int32_t first)
{
	if (dup >= 0 && first >= 0)
		return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': duplicate layer name (also "
			       "layers[%d])", origin, (int)dup, net->layers[dup].name, (int)first);
	if (dup >= 0)
		return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': a layer cannot have the name "
			       "of network input inputs[%d]", origin, (int)dup, net->layers[dup].name,
			       (int)(-1 - first));
	return hn_fail(err, HN_EINVAL, "%s: inputs[%d] '%s': duplicate input name (also "
		       "inputs[%d])", origin, (int)(-1 - dup), net->inputs[-1 - dup].name,
		       (int)(-1 - first));
}

/* ---- the check ---- */

/* "origin: layers[i] 'name': " + message. */
__attribute__((format(printf, 5, 6)))
static int layer_fail(struct hn_err *err, const char *origin, const struct arch_net *net, int i,
		      const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': %s", origin, i, net->layers[i].name,
		       msg);
}

/* The element count a reader expects from a producer of shape p: equal shapes for two feature
 * maps, equal counts otherwise, a whole multiple for an fc with first_token. */
static int check_slot(const struct arch_net *net, const char *origin, int i, int slot,
		      struct hn_err *err)
{
	const struct arch_layer *l = &net->layers[i];
	int32_t id = l->in[slot];
	struct arch_shape p = arch_net_tensor_shape(net, id), c = arch_layer_in_shape(l, slot);
	int64_t pe = arch_shape_elems(&p), ce = arch_shape_elems(&c);
	const char *src = arch_net_tensor_name(net, id);
	char ps[96], cs[96];

	arch_shape_text(&p, ps, sizeof(ps));
	arch_shape_text(&c, cs, sizeof(cs));
	if (p.rank == 4 && c.rank == 4) {
		if (!memcmp(p.d, c.d, sizeof(p.d)))
			return 0;
		if (l->kind == ARCH_ADD && p.d[1] != c.d[1])
			return layer_fail(err, origin, net, i, "'inputs'[%d] '%s' has %lld channels, "
					  "the add's operands have %lld ('in' [%lld, %lld, %lld])",
					  slot, src, (long long)p.d[1], (long long)c.d[1],
					  (long long)l->c, (long long)l->h, (long long)l->w);
		return layer_fail(err, origin, net, i, "'inputs'[%d] '%s' is %s but the layer reads "
				  "%s (shapes with the batch)", slot, src, ps, cs);
	}
	if (l->kind == ARCH_FC && l->first_token) {
		if (pe % ce == 0)
			return 0;
		return layer_fail(err, origin, net, i, "'inputs'[%d] '%s' is %s (%lld elements), "
				  "not a whole number of the %s rows the layer reads ('first_token')",
				  slot, src, ps, (long long)pe, cs);
	}
	if (pe == ce)
		return 0;
	return layer_fail(err, origin, net, i, "'inputs'[%d] '%s' is %s (%lld elements) but the "
			  "layer reads %s (%lld elements)", slot, src, ps, (long long)pe, cs,
			  (long long)ce);
}

static int check_io(const struct arch_net *net, const char *origin, struct hn_err *err)
{
	if (net->n_inputs < 1 || net->n_inputs > ARCH_IO_MAX)
		return hn_fail(err, HN_EINVAL, "%s: 'inputs': a graph needs 1 to %d network inputs, "
			       "got %d", origin, ARCH_IO_MAX, net->n_inputs);
	for (int i = 0; i < net->n_inputs; i++) {
		const struct arch_tensor *t = &net->inputs[i];

		if (!t->name[0])
			return hn_fail(err, HN_EINVAL, "%s: inputs[%d]: 'name' must not be empty",
				       origin, i);
		if (t->rank < 1 || t->rank > 3)
			return hn_fail(err, HN_EINVAL, "%s: inputs[%d] '%s': 'shape' must have 1 to 3 "
				       "dimensions, got %d", origin, i, t->name, t->rank);
		for (int d = 0; d < t->rank; d++)
			if (t->dims[d] < 1 || t->dims[d] > ((int64_t)1 << 40))
				return hn_fail(err, HN_EINVAL, "%s: inputs[%d] '%s': 'shape'[%d] must be "
					       "1 .. 2^40, got %lld", origin, i, t->name, d,
					       (long long)t->dims[d]);
	}
	if (net->n_outputs < 1 || net->n_outputs > ARCH_IO_MAX)
		return hn_fail(err, HN_EINVAL, "%s: 'outputs': a graph needs 1 to %d outputs, got %d",
			       origin, ARCH_IO_MAX, net->n_outputs);
	for (int i = 0; i < net->n_outputs; i++) {
		int32_t id = net->outputs[i];

		if (id < -net->n_inputs || id >= net->n_layers)
			return hn_fail(err, HN_EINVAL, "%s: 'outputs'[%d]: tensor id %d out of range",
				       origin, i, (int)id);
	}
	return 0;
}

int arch_net_check_graph(const struct arch_net *net, const char *origin, struct hn_err *err)
{
	struct arch_names ix;
	int32_t dup, first;
	int *order, ret;

	if (!net->graph)
		return 0;
	if (!origin)
		origin = net->name;
	if ((ret = check_io(net, origin, err)))
		return ret;
	ret = arch_names_build(&ix, net, &dup, &first);
	if (ret < 0)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
	if (ret)
		return arch_names_fail(err, origin, net, dup, first);
	arch_names_release(&ix);
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		int want = arch_kind_inputs(l->kind);

		if (l->n_in != want)
			return layer_fail(err, origin, net, i, "'inputs' must name %d tensor%s for %s "
					  "layer, got %d", want, want > 1 ? "s" : "",
					  l->kind == ARCH_ADD ? "an add" : l->kind == ARCH_MATMUL ?
					  "a matmul" : "this", (int)l->n_in);
		for (int s = 0; s < want; s++) {
			int32_t id = l->in[s];

			if (id == i)
				return layer_fail(err, origin, net, i, "'inputs'[%d] is the layer itself "
						  "(a cycle)", s);
			if (id < -net->n_inputs || id >= net->n_layers)
				return layer_fail(err, origin, net, i, "'inputs'[%d]: tensor id %d out "
						  "of range", s, (int)id);
			if ((ret = check_slot(net, origin, i, s, err)))
				return ret;
		}
	}
	order = malloc(((size_t)net->n_layers + 1) * sizeof(*order));
	if (!order)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
	ret = arch_net_topo_order(net, order, err);
	free(order);
	if (ret == HN_EINVAL) { /* the message lacks the origin: put it in front */
		char msg[sizeof(err->msg)];

		/* a copy: hn_fail writes err->msg, which must not be its own argument */
		memcpy(msg, err->msg, sizeof(msg));
		ret = hn_fail(err, HN_EINVAL, "%s: %s", origin, msg);
	}
	return ret;
}

/* ---- topological order ---- */

void arch_heap_push(int *h, int *n, int v)
{
	int i = (*n)++;

	while (i > 0 && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

int arch_heap_pop(int *h, int *n)
{
	int top = h[0], v = h[--(*n)], i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = v;
	return top;
}

/* A cycle among the layers Kahn's algorithm could not order (indeg > 0): walk from one of
 * them to a remaining producer until a layer repeats (every remaining layer has one); the
 * walk from that layer's first visit on is the cycle, each layer reading the next. seen and
 * walk are scratch arrays of n_layers + 1. */
static int cycle_fail(const struct arch_net *net, const int *indeg, int *seen, int *walk,
		      struct hn_err *err)
{
	char path[400];
	int cur = -1, len = 0, o = 0, from;

	for (int i = 0; i < net->n_layers && cur < 0; i++)
		if (indeg[i] > 0)
			cur = i;
	memset(seen, 0, ((size_t)net->n_layers + 1) * sizeof(*seen));
	while (cur >= 0 && !seen[cur]) {
		const struct arch_layer *l = &net->layers[cur];
		int next = -1;

		walk[len] = cur;
		seen[cur] = ++len;
		for (int s = 0; s < l->n_in && next < 0; s++)
			if (l->in[s] >= 0 && l->in[s] < net->n_layers && indeg[l->in[s]] > 0)
				next = l->in[s];
		cur = next;
	}
	if (cur < 0) /* cannot happen: a remaining layer has a remaining producer */
		return hn_fail(err, HN_EINVAL, "'inputs' form a cycle");
	from = seen[cur] - 1;
	path[0] = '\0';
	for (int k = from; k < len && o < (int)sizeof(path); k++)
		o += snprintf(path + o, sizeof(path) - (size_t)o, "'%s' <- ",
			      net->layers[walk[k]].name);
	if (o < (int)sizeof(path))
		snprintf(path + o, sizeof(path) - (size_t)o, "'%s'", net->layers[cur].name);
	return hn_fail(err, HN_EINVAL, "layers[%d] '%s': 'inputs' form a cycle (each reads the "
		       "next): %s", cur, net->layers[cur].name, path);
}

int arch_net_topo_order(const struct arch_net *net, int *order, struct hn_err *err)
{
	int n = net->n_layers, *indeg, *start, *cons, *heap, nh = 0, done = 0, ret = 0;

	if (!net->graph) {
		for (int i = 0; i < n; i++)
			order[i] = i;
		return 0;
	}
	indeg = calloc((size_t)n + 1, sizeof(*indeg));
	start = calloc((size_t)n + 2, sizeof(*start));
	cons = malloc(((size_t)n * ARCH_IN_MAX + 1) * sizeof(*cons));
	heap = malloc(((size_t)n + 1) * sizeof(*heap));
	if (!indeg || !start || !cons || !heap) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	/* consumers of each layer, as compressed rows: cons[start[p] .. start[p + 1]) */
	for (int i = 0; i < n; i++)
		for (int s = 0; s < net->layers[i].n_in; s++)
			if (net->layers[i].in[s] >= 0 && net->layers[i].in[s] < n) {
				start[net->layers[i].in[s] + 1]++;
				indeg[i]++;
			}
	for (int i = 0; i < n; i++)
		start[i + 1] += start[i];
	{
		int *fill = heap; /* borrowed as the fill cursor before the heap is used */

		memcpy(fill, start, (size_t)n * sizeof(*fill));
		for (int i = 0; i < n; i++)
			for (int s = 0; s < net->layers[i].n_in; s++) {
				int p = net->layers[i].in[s];

				if (p >= 0 && p < n)
					cons[fill[p]++] = i;
			}
	}
	for (int i = 0; i < n; i++)
		if (indeg[i] == 0)
			arch_heap_push(heap, &nh, i);
	while (nh > 0) {
		int i = arch_heap_pop(heap, &nh);

		order[done++] = i;
		for (int c = start[i]; c < start[i + 1]; c++)
			if (--indeg[cons[c]] == 0)
				arch_heap_push(heap, &nh, cons[c]);
	}
	if (done < n)
		ret = cycle_fail(net, indeg, heap, start, err);
out_free:
	free(indeg);
	free(start);
	free(cons);
	free(heap);
	return ret;
}
