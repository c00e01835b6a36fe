/* arch_plan.c: the DRAM tensor plan of a graph network (docs/network_format.md "DRAM tensor
 * plan"): weights, then activations placed greedily by size (largest first, each at the
 * lowest aligned offset that no tensor with an overlapping lifetime occupies), the scheme of
 * TFLite's arena planner ("greedy by size"). Pure: allocates only the plan's arrays. Time:
 * O(t^2) for t tensors in the worst case (each placement scans the placed tensors). */
#include "arch_int.h"

#include <stdlib.h>
#include <string.h>

static int64_t round_up(int64_t x, int64_t a, int *overflow)
{
	int64_t r;

	if (__builtin_add_overflow(x, a - 1, &r)) {
		*overflow = 1;
		return 0;
	}
	return r / a * a;
}

static int64_t mul3(int64_t a, int64_t b, int64_t c, int *overflow)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r) || __builtin_mul_overflow(r, c, &r)) {
		*overflow = 1;
		return 0;
	}
	return r;
}

/* Weight elements of a layer: the GEMM's B operand when it is a weight (conv, fc). */
static int64_t weight_elems(const struct arch_layer *l, int *overflow)
{
	struct arch_gemm g = arch_gemm(l);

	if (g.b_is_act || g.m == 0)
		return 0;
	return mul3(g.g, g.k, g.n, overflow);
}

static int plan_index(const struct arch_net *net, int32_t id)
{
	return id < 0 ? -1 - id : net->n_inputs + id;
}

/* The stored bytes of tensor t (its border set from its readers when padded). */
static int64_t stored_bytes(const struct arch_net *net, const struct arch_plan_opts *o,
			    struct arch_plan_tensor *t, int *overflow)
{
	struct arch_shape s = arch_net_tensor_shape(net, t->id);
	int64_t e;

	if (s.rank == 4 && (t->border_h || t->border_w)) {
		int64_t h = s.d[2] + 2 * (int64_t)t->border_h, w = s.d[3] + 2 * (int64_t)t->border_w;

		e = mul3(mul3(s.d[0], s.d[1], 1, overflow), h, w, overflow);
	} else {
		e = arch_shape_elems(&s);
		if (e == INT64_MAX)
			*overflow = 1;
	}
	return round_up(mul3(e, o->act_bytes, 1, overflow), o->align, overflow);
}

/* Sort key of the greedy placement: larger first, then earlier first, then by index. */
struct plan_key {
	int64_t bytes;
	int first, t;
};

static int by_size(const void *a, const void *b)
{
	const struct plan_key *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->t - y->t;
}

void arch_plan_release(struct arch_plan *plan)
{
	free(plan->act);
	free(plan->weight_offset);
	free(plan->weight_bytes);
	free(plan->order);
	memset(plan, 0, sizeof(*plan));
}

int arch_plan_build(const struct arch_net *net, const struct arch_plan_opts *o,
		    struct arch_plan *plan, struct hn_err *err)
{
	int n = net->n_layers, nt = net->n_inputs + net->n_layers, overflow = 0, ret = 0;
	int *placed = NULL, np = 0, *step = NULL;
	struct plan_key *by;
	int64_t off = 0;

	memset(plan, 0, sizeof(*plan));
	if (!net->graph)
		return hn_fail(err, HN_EINVAL, "%s: the DRAM plan needs a graph (the network's "
			       "'inputs'), this network is a list of unconnected layers", net->name);
	if (o->act_bytes < 1 || o->act_bytes > 8 || o->weight_bytes < 1 || o->weight_bytes > 8)
		return hn_fail(err, HN_EINVAL, "DRAM plan: element bytes must be 1 .. 8, got %lld "
			       "(activations) and %lld (weights)", (long long)o->act_bytes,
			       (long long)o->weight_bytes);
	if (o->align < 1 || o->align > 65536 || (o->align & (o->align - 1)))
		return hn_fail(err, HN_EINVAL, "DRAM plan: 'align' must be a power of two 1 .. 65536, "
			       "got %lld", (long long)o->align);
	plan->n_tensors = nt;
	plan->act = calloc((size_t)nt + 1, sizeof(*plan->act));
	plan->weight_offset = calloc((size_t)n + 1, sizeof(*plan->weight_offset));
	plan->weight_bytes = calloc((size_t)n + 1, sizeof(*plan->weight_bytes));
	plan->order = calloc((size_t)n + 1, sizeof(*plan->order));
	step = calloc((size_t)n + 1, sizeof(*step));
	by = calloc((size_t)nt + 1, sizeof(*by));
	placed = calloc((size_t)nt + 1, sizeof(*placed));
	if (!plan->act || !plan->weight_offset || !plan->weight_bytes || !plan->order || !step ||
	    !by || !placed) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", net->name);
		goto out_free;
	}
	if ((ret = arch_net_topo_order(net, plan->order, err)))
		goto out_free;
	for (int i = 0; i < n; i++)
		step[plan->order[i]] = i;

	/* weights: one after the other, in execution order, for the whole run */
	for (int k = 0; k < n; k++) {
		int i = plan->order[k];
		int64_t b = mul3(weight_elems(&net->layers[i], &overflow), o->weight_bytes, 1,
				 &overflow);

		plan->weight_bytes[i] = round_up(b, o->align, &overflow);
		plan->weight_offset[i] = b ? off : -1;
		if (__builtin_add_overflow(off, plan->weight_bytes[i], &off))
			overflow = 1;
	}
	plan->weights_total = off;
	plan->act_base = off; /* a multiple of align: every weight size is */

	/* lifetimes and borders */
	for (int t = 0; t < nt; t++) {
		struct arch_plan_tensor *p = &plan->act[t];

		p->id = t < net->n_inputs ? ARCH_SRC_INPUT(t) : t - net->n_inputs;
		p->first = p->id < 0 ? -1 : step[p->id];
		p->last = p->first;
	}
	for (int i = 0; i < n; i++) {
		const struct arch_layer *l = &net->layers[i];

		for (int s = 0; s < l->n_in; s++) {
			struct arch_plan_tensor *p = &plan->act[plan_index(net, l->in[s])];

			if (step[i] > p->last)
				p->last = step[i];
			if (o->padded && (l->kind == ARCH_CONV || l->kind == ARCH_POOL) &&
			    arch_net_tensor_shape(net, l->in[s]).rank == 4) {
				if (l->pad_h > p->border_h)
					p->border_h = l->pad_h;
				if (l->pad_w > p->border_w)
					p->border_w = l->pad_w;
			}
		}
	}
	for (int k = 0; k < net->n_outputs; k++)
		plan->act[plan_index(net, net->outputs[k])].last = n - 1;
	for (int t = 0; t < nt; t++)
		plan->act[t].bytes = stored_bytes(net, o, &plan->act[t], &overflow);
	if (overflow) {
		ret = hn_fail(err, HN_EINVAL, "%s: DRAM plan larger than 2^63 bytes", net->name);
		goto out_free;
	}

	/* greedy by size: each tensor at the lowest aligned offset clear of every placed tensor
	 * whose lifetime overlaps its own (placed[] kept sorted by offset) */
	for (int t = 0; t < nt; t++)
		by[t] = (struct plan_key){ plan->act[t].bytes, plan->act[t].first, t };
	qsort(by, (size_t)nt, sizeof(*by), by_size);
	for (int k = 0; k < nt; k++) {
		struct arch_plan_tensor *p = &plan->act[by[k].t];
		int64_t at = 0;
		int j;

		for (j = 0; j < np; j++) {
			const struct arch_plan_tensor *q = &plan->act[placed[j]];

			if (q->last < p->first || p->last < q->first)
				continue; /* never live together */
			if (q->offset >= at + p->bytes)
				break;   /* p fits in the gap before q */
			if (q->offset + q->bytes > at)
				at = q->offset + q->bytes;
		}
		p->offset = at; /* relative while placing: act_base added below */
		if (at + p->bytes > plan->act_total)
			plan->act_total = at + p->bytes;
		/* insert into placed[], sorted by offset */
		for (j = np; j > 0 && plan->act[placed[j - 1]].offset > p->offset; j--)
			placed[j] = placed[j - 1];
		placed[j] = by[k].t;
		np++;
	}
	for (int t = 0; t < nt; t++)
		plan->act[t].offset += plan->act_base;
	/* the peak of the live bytes, a lower bound of act_total: a sweep over the steps, each
	 * tensor adding its bytes at its first step and removing them after its last (step s
	 * is slot s + 1: a network input's step -1 is slot 0) */
	{
		int64_t *delta = calloc((size_t)n + 2, sizeof(*delta)), live = 0;

		if (!delta) {
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", net->name);
			goto out_free;
		}
		for (int t = 0; t < nt; t++) {
			delta[plan->act[t].first + 1] += plan->act[t].bytes;
			delta[plan->act[t].last + 2] -= plan->act[t].bytes;
		}
		for (int k = 0; k <= n; k++) {
			live += delta[k];
			if (live > plan->act_peak_live)
				plan->act_peak_live = live;
		}
		free(delta);
	}
	plan->total = plan->act_base + plan->act_total;
out_free:
	free(step);
	free(by);
	free(placed);
	if (ret)
		arch_plan_release(plan);
	return ret;
}
