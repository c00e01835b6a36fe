/* map_axi.c: the tiling a layer runs with on the AXI top (docs/mapping.md "For the AXI
 * top"). The GLPK mapper minimises the direct top's cycles, which hardly see how a conv's A
 * block is cut into bursts; the AXI top's master reads a conv's A as runs of a tap's
 * channels, so a tk that covers whole taps or whole window rows gives it longer, merged runs
 * and fewer bursts (docs/deploy.md "How the AXI master works"). map_axi_candidates lists a
 * handful of variants of the mapper's tiling; map_axi_choose prices each with
 * cost_layer_axi and keeps the fastest, the mapper's on a tie, so it is never slower than
 * the mapper's tiling. Pure. */
#include "models.h"

/* Largest tile of extent d not above cap, with as few trips as cap allows and the trips
 * as even as they can be (the same trip count, the smallest tile). */
static int64_t even_tile(int64_t d, int64_t cap)
{
	int64_t trips;

	if (cap >= d)
		return d;
	trips = (d + cap - 1) / cap;
	return (d + trips - 1) / trips;
}

/* t with its tile of dimension dim (MAP_DIM_M or MAP_DIM_N) the largest that fits both
 * buffers it shares beside t's other two tiles, cut to even trips (tile 0: not even 1 fits). */
static struct map_tiling grow(const struct arch_gemm *g, const struct hw_config *hw,
			      struct map_tiling t, enum map_dim dim)
{
	const int64_t d = hw->double_buffer ? 2 : 1;
	/* tm: ibuf (tm x tk) and obuf (tm x tn); tn: wbuf (tk x tn) and obuf */
	const int64_t cap = dim == MAP_DIM_M ?
		hn_min64(hw->ibuf_bytes / (d * t.tk * hw_act_bytes(hw)),
			 hw->obuf_bytes / (d * t.tn * hw_acc_bytes(hw))) :
		hn_min64(hw->wbuf_bytes / (d * t.tk * hw_weight_bytes(hw)),
			 hw->obuf_bytes / (d * t.tm * hw_acc_bytes(hw)));
	const int64_t ext = dim == MAP_DIM_M ? g->m : g->n;
	const int64_t tile = cap < 1 ? 0 : even_tile(ext, cap);

	if (dim == MAP_DIM_M)
		t.tm = tile;
	else
		t.tn = tile;
	return t;
}

static int fits(const struct arch_gemm *g, const struct hw_config *hw, const struct map_tiling *t)
{
	const int64_t have[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	int64_t need[3];

	map_buffer_need(g, hw, t, need);
	return need[0] <= have[0] && need[1] <= have[1] && need[2] <= have[2];
}

static int same(const struct map_tiling *a, const struct map_tiling *b)
{
	return a->tm == b->tm && a->tn == b->tn && a->tk == b->tk && a->order == b->order;
}

/* Appends t to out[0 .. *n) unless it is there already or does not fit. */
static void add(const struct arch_gemm *g, const struct hw_config *hw,
		const struct map_tiling *t, struct map_tiling *out, int *n)
{
	if (*n >= MAP_AXI_CANDS || t->tm < 1 || t->tn < 1 || t->tk < 1 || !fits(g, hw, t))
		return;
	for (int i = 0; i < *n; i++)
		if (same(&out[i], t))
			return;
	out[(*n)++] = *t;
}

int map_axi_candidates(const struct arch_layer *l, const struct hw_config *hw,
		       const struct map_tiling *base, struct map_tiling out[MAP_AXI_CANDS])
{
	const struct arch_gemm g = arch_gemm(l);
	struct map_tiling clamped = *base;   /* tiles no larger than the extents */
	int64_t q[3], tk0;
	int n = 0, nq = 0;

	if (g.g == 0)
		return 0;
	out[n++] = *base;   /* first, unconditionally: the tie-break keeps it */
	tk0 = hn_min64(base->tk, g.k);
	clamped.tm = hn_min64(base->tm, g.m);
	clamped.tn = hn_min64(base->tn, g.n);
	clamped.tk = tk0;
	/* the K quanta a run can end on: a tap's channels, a window row's, the whole window
	 * (a non-conv layer's A rows are plain: only the whole row) */
	if (l->kind == ARCH_CONV) {
		const int64_t cg = l->c / (l->groups > 0 ? l->groups : 1);
		q[nq++] = cg;
		q[nq++] = cg * l->s;
	}
	q[nq++] = g.k;
	/* tk rounded up only: rounding down never won (ResNet-18, MobileNetV2 on the ws, os
	 * and is example configs, docs/mapping.md) */
	for (int i = 0; i < nq; i++) {
		struct map_tiling t = clamped;
		t.tk = hn_min64((tk0 + q[i] - 1) / q[i] * q[i], g.k);
		if (t.tk == tk0)
			continue;
		t = grow(&g, hw, t, MAP_DIM_M);
		add(&g, hw, &t, out, &n);
	}
	/* the mapper's tiles with tn, then tm, grown to fill the buffers beside the others */
	for (int dim = MAP_DIM_N; dim >= MAP_DIM_M; dim--) {
		const struct map_tiling t = grow(&g, hw, clamped, (enum map_dim)dim);
		add(&g, hw, &t, out, &n);
	}
	return n;
}

int map_axi_choose(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *base, const struct cost_axi *a,
		   const struct hw_energy *e, struct map_tiling *best, struct cost_report *cost)
{
	struct map_tiling c[MAP_AXI_CANDS];
	const int n = map_axi_candidates(l, hw, base, c);
	int ret;

	*best = *base;
	if ((ret = cost_layer_axi(l, hw, base, a, e, cost)) < 0)
		return ret;
	for (int i = 1; i < n && cost->feasible; i++) {
		struct cost_report r;
		if (cost_layer_axi(l, hw, &c[i], a, e, &r) < 0 || !r.feasible ||
		    r.cycles >= cost->cycles)
			continue;
		*best = c[i];
		*cost = r;
	}
	return 0;
}
