/* map_milp.c: the optimal tiling of a layer as a mixed-integer linear program, solved with
 * GLPK (the only file that includes glpk.h). docs/mapping.md is the formulation; in short:
 *
 *   one-hot binaries x over each dimension's candidate tile sizes (map_cands_build) and over
 *   the six loop orders; continuous pair variables w = x_a x_b for the three operand pairs
 *   (m,k), (k,n), (m,n), exact through their marginals; every cost term of docs/model.md is
 *   then a pair-linear expression, times (for the refetch factors and the streamed dimension
 *   of the array) one more one-hot choice, linearised with big-M product variables. The
 *   objective is the model's latency exactly (an epigraph variable for the double-buffered
 *   max), then DRAM bytes and energy in a second, lexicographic solve.
 *
 * Candidates whose lower bound exceeds a heuristic incumbent are dropped before the model is
 * built (a bound argument, so nothing better is lost); the bound counts the refetches the
 * loop orders force, so memory-bound accelerators prune as hard as compute-bound ones
 * (issue 14). The answer is always re-evaluated by cost_layer(). */
#include "map_int.h"
#include "cost_int.h"

#include <assert.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DM = 0, DN = 1, DK = 2 };

/* Loop orders, outermost first (the same table as cost.c). */
static const int order_dims[MAP_ORDER_COUNT][3] = {
	{ DM, DN, DK }, { DM, DK, DN }, { DN, DM, DK }, { DN, DK, DM }, { DK, DM, DN }, { DK, DN, DM },
};

/* Per layer: the constants every coefficient is made of. */
struct ctx {
	const struct arch_layer *l;
	const struct hw_config *hw;
	const struct hw_energy *e;
	struct arch_gemm g;
	int64_t ab, wb, cb, lat, alpha;
	double bw;
	int64_t unit[3], cap[3];
	int32_t nb[3];               /* buffer words per DMA line (cost_dma_words_per_line) */
	struct dmactx dc;            /* what a request's time depends on (cost_int.h) */
	int64_t ci, cw, co;          /* buffer capacities in elements (one half when double) */
	int stream;                  /* the dimension streamed through the array */
	int64_t *costed;             /* counts cost_layer calls (map_result.costed) */
	double inv_bw, inv_nb[3];    /* 1 / bw, 1 / nb */
};

/* One dimension's surviving candidates and what the model sees of each. */
struct dim {
	int64_t D;
	int n;
	int64_t *t, *T, *e;  /* tile, trips, last tile */
	int64_t *hi;         /* the class's largest member when t is its smallest, else 0
			      * (struct map_cands); t itself when every size is a candidate */
	double *f;           /* compute factor: fold sum, or alpha T + D when streamed */
	double fmin;
	int *col;            /* GLPK column of x */
};

/* Sum of DMA cycles over the tile classes of an operand pair of dims a, b (tiles ta, tb,
 * trips Ta, Tb, last tiles ea, eb): requests `which` (COST_REQ_*) of elem-byte elements,
 * timed by cost_dma_request_cycles exactly as cost.c does. */
static int64_t pair_dma(const struct ctx *c, int64_t ta, int64_t Ta, int64_t ea, int64_t tb,
			int64_t Tb, int64_t eb, int which, int64_t elem)
{
	const int64_t sa[2] = { ta, ea }, na[2] = { Ta - 1, 1 };
	const int64_t sb[2] = { tb, eb }, nb[2] = { Tb - 1, 1 };
	int64_t s = 0;

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (na[i] * nb[j] != 0)
				s += na[i] * nb[j] *
				     cost_dma_request_cycles(c->hw, c->nb, which, sa[i], sb[j], elem);
	return s;
}

/* Fetches of each tile of the tensor whose irrelevant dim is irr under order o with trips
 * tr: tr[irr] when a relevant loop of more than one trip lies below irr's (cost.c). Never
 * decreases when any trip count grows. */
static int64_t refetch_of(int o, const int64_t tr[3], int irr)
{
	int below = 0;

	if (tr[irr] <= 1)
		return 1;
	for (int i = 0; i < 3; i++) {
		int d = order_dims[o][i];
		if (d == irr)
			below = 1;
		else if (below && tr[d] > 1)
			return tr[irr];
	}
	return 1;
}

/* A lower bound of the sum, over n requests of B bytes and W buffer words in all, of each
 * request's time max(lat + ceil(bytes / bw), ceil(words / nb) + c0) (cost_int.h
 * req_cycles): the max of two linear functions is convex, so the sum is at least n times
 * its value at the mean request (Jensen), however the sizes are split. It is
 * max(n lat + B / bw, W / nb + n c0): it never decreases when n, B or W grow. */
static double req_sum_lb(const struct ctx *c, double n, double B, double W, int b, double c0)
{
	const double x = n * (double)c->lat + B * c->inv_bw, y = W * c->inv_nb[b] + n * c0;

	return x > y ? x : y;
}

/* mem[o], for each loop order o: a lower bound of the DMA cycles (the sum of every
 * request's time, refetches included) of any tiling with trips tr[] and, for the
 * array-folded dims, fold sums at least F[] (F[d] = the extent on the streamed dim): the
 * requests per tensor are its tiles times its refetch factor, its bytes the tensor's times
 * the same factor, its buffer words the extent of one side times the fold sum of the other
 * (cost_int.h req_lines), each bounded by req_sum_lb. Every term never decreases when a
 * trip count or a fold sum grows (refetch_of, req_sum_lb), so trips and fold sums below a
 * set of tilings' give a bound of all of them (partial_lb). */
static void mem_orders(const struct ctx *c, const int64_t tr[3], const double F[3],
		       double mem[MAP_ORDER_COUNT])
{
	const enum hw_dataflow df = c->hw->dataflow;
	const double ab = (double)c->ab, wb = (double)c->wb, cb = (double)c->cb;
	const double Dm = (double)c->g.m, Dn = (double)c->g.n, Dk = (double)c->g.k;
	const double Tm = (double)tr[DM], Tn = (double)tr[DN], Tk = (double)tr[DK];
	const double wa = df == HW_WS ? Dm * F[DK] : F[DM] * Dk;
	const double wbw = df == HW_IS ? F[DK] * Dn : Dk * F[DN];
	const double wc = df == HW_IS ? F[DM] * Dn : Dm * F[DN];
	const double nc = Tm * Tn, mn = Dm * Dn;
	const double ma = req_sum_lb(c, Tm * Tk, Dm * Dk * ab, wa, 0, 1);
	const double mb = req_sum_lb(c, Tk * Tn, Dk * Dn * wb, wbw, 1, 1);
	/* final stores (cost_int.h final_store_cycles): at least one request per C tile, the
	 * outputs and every store's channel parameters (Tm x N of them), one word per cycle
	 * plus 4 */
	const double qb = (double)COST_QPARAM_BYTES(c->cb);
	const double mc = fmax(nc * (double)c->lat + (mn * ab + Tm * Dn * qb) * c->inv_bw,
			       wc + 4.0 * nc);
	const double mp = req_sum_lb(c, nc, mn * cb, wc, 2, 2) + req_sum_lb(c, nc, mn * cb, wc, 2, 1);
	const double g = (double)c->g.g;

	for (int o = 0; o < MAP_ORDER_COUNT; o++) {
		/* refetch_of, unrolled: the innermost dim's tensor is fetched once, the middle
		 * one's when the innermost loop has trips, the outermost's when either does */
		const int d0 = order_dims[o][0], d1 = order_dims[o][1], d2 = order_dims[o][2];
		double r[3];
		r[d2] = 1.0;
		r[d1] = tr[d2] > 1 ? (double)tr[d1] : 1.0;
		r[d0] = tr[d1] > 1 || tr[d2] > 1 ? (double)tr[d0] : 1.0;
		mem[o] = g * (r[DN] * ma + r[DM] * mb + mc + (r[DK] - 1.0) * mp);
	}
}

/* The tile pairs' buffer capacities in elements: (m,k) ibuf, (k,n) wbuf, (m,n) obuf. */
static int64_t pair_cap(const struct ctx *c, int d, int e)
{
	if (d == DN || e == DN)
		return d == DM || e == DM ? c->co : c->cw;
	return c->ci;
}

/* Lower bound of the latency of any tiling whose dims fixed[d] >= 0 take those candidates,
 * or members of their classes no smaller than them (docs/mapping.md "Pruning"): a free dim
 * takes at least the trips of the largest tile that fits beside the fixed tiles, and its
 * least fold sum; the DMA is mem_orders at those trips, under the order that makes it
 * least (the refetches an order forces are counted: on a memory-bound accelerator they are
 * most of the latency); the compute is the product of the dims' compute factors;
 * double-buffered, at least 3 (latency + 1) of the first loads and last store lie outside
 * the overlap. Every term grows with the fixed tiles' sizes within their classes, so the
 * bound of a class's smallest member bounds the whole class. */
static double lower_bound(const struct ctx *c, const struct dim dm[3], const int fixed[3])
{
	int64_t tr[3];
	double f[3], F[3], comp, mem[MAP_ORDER_COUNT], mmin = INFINITY;

	for (int d = 0; d < 3; d++) {
		if (fixed[d] >= 0) {
			tr[d] = dm[d].T[fixed[d]];
			f[d] = dm[d].f[fixed[d]];
			continue;
		}
		int64_t lim = c->cap[d];
		for (int e = 0; e < 3; e++)
			if (e != d && fixed[e] >= 0)
				lim = hn_min64(lim, pair_cap(c, d, e) / dm[e].t[fixed[e]]);
		if (lim < 1)
			return INFINITY; /* nothing fits beside the fixed tiles */
		tr[d] = hn_cdiv(dm[d].D, hn_min64(lim, dm[d].D));
		f[d] = c->unit[d] ? dm[d].fmin : (double)(c->alpha * tr[d] + dm[d].D);
	}
	for (int d = 0; d < 3; d++)
		F[d] = c->unit[d] ? f[d] : (double)dm[d].D;
	comp = (double)c->g.g * f[0] * f[1] * f[2];
	mem_orders(c, tr, F, mem);
	for (int o = 0; o < MAP_ORDER_COUNT; o++)
		mmin = fmin(mmin, mem[o]);
	if (c->hw->double_buffer)
		return fmax(comp + 3.0 * (double)(c->lat + 1), mmin);
	return comp + mmin;
}

static void dim_release(struct dim *d)
{
	free(d->t);
	free(d->T);
	free(d->e);
	free(d->hi);
	free(d->f);
	free(d->col);
	memset(d, 0, sizeof(*d));
}

/* Fills d from the candidate list. */
static int dim_init(const struct ctx *c, int which, const struct map_cands *mc, struct dim *d)
{
	size_t n = (size_t)mc->n;

	memset(d, 0, sizeof(*d));
	d->D = which == DM ? c->g.m : which == DN ? c->g.n : c->g.k;
	d->t = malloc(n * sizeof(*d->t));
	d->T = malloc(n * sizeof(*d->T));
	d->e = malloc(n * sizeof(*d->e));
	d->hi = malloc(n * sizeof(*d->hi));
	d->f = malloc(n * sizeof(*d->f));
	d->col = calloc(n, sizeof(*d->col));
	if (!d->t || !d->T || !d->e || !d->hi || !d->f || !d->col) {
		dim_release(d);
		return HN_ENOMEM;
	}
	d->n = mc->n;
	d->fmin = INFINITY;
	for (int i = 0; i < mc->n; i++) {
		int64_t t = mc->t[i], T = hn_cdiv(d->D, t), e = d->D - (T - 1) * t;
		d->t[i] = t;
		d->T[i] = T;
		d->e[i] = e;
		d->hi[i] = mc->hi ? mc->hi[i] : t;
		if (c->unit[which])
			d->f[i] = (double)((T - 1) * hn_cdiv(t, c->unit[which]) +
					   hn_cdiv(e, c->unit[which]));
		else
			d->f[i] = (double)(c->alpha * T + d->D);
		d->fmin = fmin(d->fmin, d->f[i]);
	}
	return 0;
}

/* 1 when candidate i of dim d may still be part of a tiling of latency <= ub: its own
 * lower bound, and for each other dim some candidate beside it, is <= ub (lower_bound of
 * the pair: the third dim's trips at least those of the largest tile that fits beside
 * both). Partners are tried largest first, the likeliest to pass. */
static int dim_alive(const struct ctx *c, const struct dim dm[3], int d, int i, double ub)
{
	int fx[3] = { -1, -1, -1 };

	fx[d] = i;
	if (lower_bound(c, dm, fx) > ub)
		return 0;
	for (int p = 0; p < 3; p++) {
		int ok = 0;
		if (p == d)
			continue;
		for (int j = dm[p].n - 1; j >= 0 && !ok; j--) {
			if (dm[d].t[i] * dm[p].t[j] > pair_cap(c, d, p))
				continue;
			fx[p] = j;
			ok = lower_bound(c, dm, fx) <= ub;
		}
		fx[p] = -1;
		if (!ok)
			return 0;
	}
	return 1;
}

/* Keeps the candidates i with keep[i]. */
static void dim_filter(struct dim *d, const char *keep)
{
	int o = 0;

	for (int i = 0; i < d->n; i++) {
		if (!keep[i])
			continue;
		d->t[o] = d->t[i];
		d->T[o] = d->T[i];
		d->e[o] = d->e[i];
		d->hi[o] = d->hi[i];
		d->f[o] = d->f[i];
		o++;
	}
	d->n = o;
}

/* One request's time as a function of one side v of its block, the other side fixed
 * (cost_int.h req_cycles), bounded below by max(p0 + p1 v, q1 v + q0): latency plus bytes
 * over bandwidth, and the buffer lines (words over words per line, where the side the array
 * folds enters as ceil(x / U), bounded by x / U when it is v) plus the line floor. */
struct reqlin {
	double p0, p1, q0, q1;
};

static struct reqlin req_lin(const struct ctx *c, int which, int64_t fixed, int vary_rows,
			     int64_t elem)
{
	const enum hw_dataflow df = c->hw->dataflow;
	/* which side req_lines rounds up to whole array units, and the unit */
	const int ceil_rows = which == COST_REQ_A ? df != HW_WS : df == HW_IS;
	const double U = (double)(which == COST_REQ_A ? (df == HW_WS ? c->hw->pe_rows :
					df == HW_IS ? c->hw->pe_cols : c->hw->pe_rows) :
				  which == COST_REQ_B ? (df == HW_IS ? c->hw->pe_rows :
							 c->hw->pe_cols) : c->hw->pe_cols);
	const int b = which == COST_REQ_A ? 0 : which == COST_REQ_B ? 1 : 2;
	double w;
	struct reqlin r;

	if (vary_rows == ceil_rows)
		w = (double)fixed / U;           /* v rounded up: at least v / U x fixed */
	else
		w = (double)hn_cdiv(fixed, (int64_t)U); /* the fixed side rounded up exactly */
	r.p0 = (double)c->lat;
	r.p1 = (double)(fixed * elem) / c->bw;
	r.q0 = which == COST_REQ_C_STORE ? 2.0 : 1.0;
	r.q1 = w / (double)c->nb[b];
	if (which == COST_REQ_C_FINAL) {
		/* the channels' parameters (cols x qb bytes), one word a cycle, plus 4 (a lower
		 * bound of the chunks' sum too) */
		const double qb = (double)COST_QPARAM_BYTES(c->cb);
		if (vary_rows)
			r.p0 += (double)fixed * qb / c->bw;
		else
			r.p1 += qb / c->bw;
		r.q0 = 4.0;
		r.q1 = w;
	}
	return r;
}

static double reqlin_at(const struct reqlin *r, double v)
{
	return fmax(r->p0 + r->p1 * v, r->q0 + r->q1 * v);
}

/* min over t in [lo, hi] of f(t) + l(D - (T - 1) t): f the first load's time in t, l the
 * last store's in the last tile. Both are maxima of linear functions, so the sum is convex
 * and piecewise linear: its minimum is at an end or at a breakpoint. */
static double first_last_min(const struct reqlin *f, const struct reqlin *l, int64_t D,
			     int64_t T, int64_t lo, int64_t hi)
{
	double pts[4] = { (double)lo, (double)hi, (double)lo, (double)lo };
	double best = INFINITY;

	if (f->q1 != f->p1)
		pts[2] = (f->p0 - f->q0) / (f->q1 - f->p1);
	if (T > 1 && l->q1 != l->p1)
		pts[3] = ((double)D - (l->p0 - l->q0) / (l->q1 - l->p1)) / (double)(T - 1);
	for (int i = 0; i < 4; i++) {
		double t = fmin(fmax(pts[i], (double)lo), (double)hi);
		best = fmin(best, reqlin_at(f, t) + reqlin_at(l, (double)D - (double)(T - 1) * t));
	}
	return best;
}

/* Lower bounds lb[o], for each loop order o, of the exact latency of every tiling whose tile
 * sizes are members of the classes (trips, fold sum) of candidates ix[] (docs/mapping.md
 * "Candidates, and the members between them"); with whole = 0, of the candidates' own
 * tiling only. Inside a class the compute, the requests, the bytes and the buffer words of
 * each tensor (words: the array-folded dim enters as its fold sum, the other as its extent,
 * cost_int.h req_lines) and the refetch factors do not change: only each request's
 * rounding, which req_sum_lb bounds, and the first and last tiles, bounded by the members
 * that make them smallest. Double-buffered: the closed-form bound's two terms, each at
 * least this (the exact latency is at least the closed-form bound). The order enters
 * through the refetch factors only. */
static void class_lb(const struct ctx *c, const struct dim dm[3], const int ix[3], int whole,
		     double lb[MAP_ORDER_COUNT])
{
	double D[3], F[3], f[3];
	int64_t tr[3], lo[3], emin[3];

	for (int d = 0; d < 3; d++) {
		const struct dim *x = &dm[d];
		D[d] = (double)x->D;
		tr[d] = x->T[ix[d]];
		f[d] = x->f[ix[d]];
		F[d] = c->unit[d] ? f[d] : D[d];
		lo[d] = x->t[ix[d]];
		emin[d] = whole ? x->D - (tr[d] - 1) * x->hi[ix[d]] : x->e[ix[d]];
	}
	const double g = (double)c->g.g, comp = g * f[0] * f[1] * f[2];
	double serial = 0.0, tail = 0.0, mem[MAP_ORDER_COUNT];

	if (c->hw->double_buffer) {
		const int64_t fa = req_cycles(&c->dc, COST_REQ_A, lo[DM], lo[DK], c->ab);
		const int64_t fb = req_cycles(&c->dc, COST_REQ_B, lo[DK], lo[DN], c->wb);
		double fl = (double)(fa + fb + req_cycles(&c->dc, COST_REQ_C_FINAL, emin[DM],
							    emin[DN], c->ab));
		/* a member with a large first tile has a small last one: along m (A's rows and
		 * C's rows) and along n (B's and C's columns), the other sides at their least */
		if (whole && dm[DM].hi[ix[DM]] > lo[DM]) {
			struct reqlin rf = req_lin(c, COST_REQ_A, lo[DK], 1, c->ab);
			struct reqlin rl = req_lin(c, COST_REQ_C_FINAL, emin[DN], 1, c->ab);
			fl = fmax(fl, (double)fb + first_last_min(&rf, &rl, dm[DM].D, tr[DM],
								  lo[DM], dm[DM].hi[ix[DM]]));
		}
		if (whole && dm[DN].hi[ix[DN]] > lo[DN]) {
			struct reqlin rf = req_lin(c, COST_REQ_B, lo[DK], 0, c->wb);
			struct reqlin rl = req_lin(c, COST_REQ_C_FINAL, emin[DM], 0, c->ab);
			fl = fmax(fl, (double)fa + first_last_min(&rf, &rl, dm[DN].D, tr[DN],
								  lo[DN], dm[DN].hi[ix[DN]]));
		}
		serial = comp + fl;
		/* the closed form's second term adds the last step's compute less one store of a
		 * full C tile of partial sums (cost.c): the last step is least at the members'
		 * smallest last tiles, the store longest at their largest tiles */
		int64_t folds, him = whole ? dm[DM].hi[ix[DM]] : lo[DM];
		int64_t hin = whole ? dm[DN].hi[ix[DN]] : lo[DN];
		const int64_t clast = step_cycles(c->hw->dataflow, c->hw->pe_rows, c->hw->pe_cols,
						  emin[DM], emin[DN], emin[DK], &folds);
		const int64_t stmax = hn_max64(req_time(&c->dc, him * hin * c->cb,
					       req_lines(&c->dc, COST_REQ_C_STORE, him, hin) + 2),
					       req_cycles(&c->dc, COST_REQ_C_FINAL, him, hin, c->ab));
		tail = clast > stmax ? (double)(clast - stmax) : 0.0;
	}
	mem_orders(c, tr, F, mem);
	for (int o = 0; o < MAP_ORDER_COUNT; o++)
		lb[o] = c->hw->double_buffer ? fmax(serial, mem[o] + tail) : comp + mem[o];
}

/* cost_layer of a tiling, skipping the step walk above cutoff (then 0). With by_bound the
 * report's cycles are the closed-form bound (no walk at all). */
static int eval_tiling(const struct ctx *c, int64_t tm, int64_t tn, int64_t tk, int o,
		       int64_t cutoff, int by_bound, struct cost_report *r)
{
	struct map_tiling t = { tm, tn, tk, (enum map_order)o };
	int rc = cost_layer_below(c->l, c->hw, &t, c->e, by_bound ? -1 : cutoff, r);

	(*c->costed)++;

	if (by_bound && rc >= 0)
		r->cycles = r->cycles_bound;
	return (rc == 0 || (by_bound && rc == 1)) && r->feasible;
}

/* A good feasible tiling among the candidates, by coordinate descent from the default
 * mapper's tiles, on the exact cycles or (by_bound) on the closed-form bound. */
static void descend(const struct ctx *c, const struct dim dm[3], int by_bound,
		    struct map_tiling *best, struct cost_report *br)
{
	struct map_tiling def;
	int idx[3];
	int have = 0;

	map_default(c->l, c->hw, &def);
	const int64_t want[3] = { def.tm, def.tn, def.tk };
	for (int d = 0; d < 3; d++) {
		idx[d] = 0;
		for (int i = 0; i < dm[d].n; i++)
			if (dm[d].t[i] <= want[d])
				idx[d] = i;
	}
	for (int sweep = 0; sweep < 3; sweep++) {
		int changed = 0;
		for (int d = -1; d < 3; d++) {
			/* d = -1: the orders alone at the current tiles. */
			int lo = d < 0 ? 0 : 0, hi = d < 0 ? 1 : dm[d].n;
			for (int i = lo; i < hi; i++) {
				int cur[3] = { idx[0], idx[1], idx[2] };
				if (d >= 0)
					cur[d] = i;
				const int64_t tm = dm[DM].t[cur[DM]], tn = dm[DN].t[cur[DN]],
					      tk = dm[DK].t[cur[DK]];
				if (tm * tn > c->co || tm * tk > c->ci || tk * tn > c->cw)
					continue;
				double lb[MAP_ORDER_COUNT];
				class_lb(c, dm, cur, 0, lb);
				for (int o = 0; o < MAP_ORDER_COUNT; o++) {
					struct cost_report r;
					/* the bound is below the closed form too (by_bound) */
					if (have && lb[o] > (double)br->cycles + 0.5)
						continue;
					if (!eval_tiling(c, tm, tn, tk, o, have ? br->cycles : INT64_MAX,
							 by_bound, &r))
						continue;
					if (!have || map_report_better(&r, br)) {
						*br = r;
						best->tm = dm[DM].t[cur[DM]];
						best->tn = dm[DN].t[cur[DN]];
						best->tk = dm[DK].t[cur[DK]];
						best->order = (enum map_order)o;
						if (have && d >= 0 && cur[d] != idx[d])
							changed = 1;
						have = 1;
					}
				}
			}
			if (have) {
				for (int q = 0; q < 3; q++)
					for (int i = 0; i < dm[q].n; i++)
						if (dm[q].t[i] == (q == DM ? best->tm : q == DN ?
								   best->tn : best->tk))
							idx[q] = i;
			}
		}
		if (!changed && sweep > 0)
			break;
	}
	if (!have)
		br->feasible = 0;
}

/* Before the MILP: a descent on the bound as well, kept when its exact cycles beat the
 * incumbent's (the bound's landscape is smoother, its best tilings usually close to the
 * exact best, and the MILP's first ceiling is the incumbent's bound: a tight one lets GLPK
 * close the gap fast). */
static void improve_by_bound(const struct ctx *c, const struct dim dm[3],
			     struct map_tiling *best, struct cost_report *br)
{
	struct map_tiling tb;
	struct cost_report rb;

	if (!c->hw->double_buffer)
		return; /* the bound is the exact latency */
	descend(c, dm, 1, &tb, &rb);
	(*c->costed)++;
	if (rb.feasible && cost_layer(c->l, c->hw, &tb, c->e, &rb) == 0 && rb.feasible &&
	    (!br->feasible || map_report_better(&rb, br))) {
		*best = tb;
		*br = rb;
	}
}

static double above(const struct map_result *out);

/* The largest candidate of dim d not above lim (-1: none). Candidates ascend. */
static int largest_upto(const struct dim *x, int64_t lim)
{
	int lo = 0, hi = x->n; /* first index with t > lim */

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (x->t[mid] <= lim)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* A better incumbent, by filling: for every pair of candidates of two dims whose bound can
 * still beat the best, the third dim takes its largest candidate that fits beside them (the
 * fewest trips), costed under the orders its bound allows. Coordinate descent misses the
 * optima that need two dims to move at once (a compute-bound conv whose best tn is small
 * and tm as large as the obuf then allows: resnet18 conv1 at 10,000 GB/s, 682,383 cycles
 * from the descent, 548,063 filled). Returns 1 when the best improved. */
static int fill(const struct ctx *c, const struct dim dm[3], struct map_result *out)
{
	const int64_t before = out->cost.cycles;

	for (int d = 0; d < 3; d++) {
		const int p = d == DM ? DN : DM, q = d == DK ? DN : DK;
		for (int i = 0; i < dm[p].n; i++) {
			for (int j = 0; j < dm[q].n; j++) {
				int ix[3];
				double lb[MAP_ORDER_COUNT];
				if (dm[p].t[i] * dm[q].t[j] > pair_cap(c, p, q))
					break;
				ix[p] = i;
				ix[q] = j;
				ix[d] = -1;
				if (lower_bound(c, dm, ix) > above(out))
					continue;
				ix[d] = largest_upto(&dm[d], hn_min64(c->cap[d], hn_min64(
					pair_cap(c, d, p) / dm[p].t[i], pair_cap(c, d, q) / dm[q].t[j])));
				if (ix[d] < 0)
					continue;
				class_lb(c, dm, ix, 0, lb);
				for (int o = 0; o < MAP_ORDER_COUNT; o++) {
					struct cost_report r;
					if (lb[o] > above(out))
						continue;
					if (eval_tiling(c, dm[DM].t[ix[DM]], dm[DN].t[ix[DN]],
							dm[DK].t[ix[DK]], o, out->cost.cycles, 0, &r) &&
					    map_report_better(&r, &out->cost)) {
						out->cost = r;
						out->tiling = (struct map_tiling){ dm[DM].t[ix[DM]],
										   dm[DN].t[ix[DN]],
										   dm[DK].t[ix[DK]],
										   (enum map_order)o };
					}
				}
			}
		}
	}
	return out->cost.cycles < before;
}

/* Every candidate tiling whose bound can still beat out->cost, costed exactly under all six
 * orders; keeps the best in out. Candidates ascend, so a tile that overflows a buffer ends
 * its loop. Proves the optimum over the candidates (docs/mapping.md "Exact latency"). */
static void enumerate(const struct ctx *c, const struct dim dm[3], struct map_result *out)
{
	for (int a = 0; a < dm[DM].n; a++) {
		int fx[3] = { a, -1, -1 };
		if (lower_bound(c, dm, fx) > (double)out->cost.cycles + 0.5)
			continue;
		for (int b = 0; b < dm[DN].n; b++) {
			fx[DN] = b;
			fx[DK] = -1;
			if (dm[DM].t[a] * dm[DN].t[b] > c->co)
				break;
			if (lower_bound(c, dm, fx) > (double)out->cost.cycles + 0.5)
				continue;
			for (int k = 0; k < dm[DK].n; k++) {
				if (dm[DM].t[a] * dm[DK].t[k] > c->ci || dm[DK].t[k] * dm[DN].t[b] > c->cw)
					break;
				/* class_lb is at least lower_bound with all three dims fixed */
				const int ix[3] = { a, b, k };
				double lb[MAP_ORDER_COUNT];
				class_lb(c, dm, ix, 0, lb);
				for (int o = 0; o < MAP_ORDER_COUNT; o++) {
					struct cost_report r;
					if (lb[o] > (double)out->cost.cycles + 0.5)
						continue;
					if (eval_tiling(c, dm[DM].t[a], dm[DN].t[b], dm[DK].t[k], o,
							out->cost.cycles, 0, &r) &&
					    map_report_better(&r, &out->cost)) {
						out->cost = r;
						out->tiling = (struct map_tiling){ dm[DM].t[a], dm[DN].t[b],
										   dm[DK].t[k],
										   (enum map_order)o };
					}
				}
			}
		}
	}
	out->enumerated = 1;
	out->solver_status = GLP_OPT;
	out->gap = 0.0;
}

/* DRAM bytes of every tiling with trips tr under order o (cost.c: they depend on the trips
 * and the order only). */
static int64_t class_dram(const struct ctx *c, const int64_t tr[3], int o)
{
	const struct arch_gemm *g = &c->g;
	const int64_t ra = refetch_of(o, tr, DN), rb = refetch_of(o, tr, DM);
	const int64_t vc = refetch_of(o, tr, DK);

	return g->g * (g->m * g->k * c->ab * ra + g->k * g->n * c->wb * rb +
		       g->m * g->n * (c->cb * (vc - 1) * 2 + c->ab) +
		       tr[DM] * g->n * COST_QPARAM_BYTES(c->cb));
}

/* Per dim: the members of every class whose smallest member is a candidate, grouped by
 * class: the members of candidate i are mem[off[i] .. off[i + 1]). Owned: free mem, off. */
struct members {
	int64_t *mem;
	int *off;
};

static int members_init(const struct ctx *c, const struct dim *x, int d, struct members *m)
{
	size_t n = 0, cap = 0;

	for (int i = 0; i < x->n; i++)
		if (x->hi[i])
			cap += (size_t)(x->hi[i] - x->t[i] + 1);
	m->mem = malloc((cap ? cap : 1) * sizeof(*m->mem));
	m->off = malloc(((size_t)x->n + 1) * sizeof(*m->off));
	if (!m->mem || !m->off)
		return HN_ENOMEM;
	for (int i = 0; i < x->n; i++) {
		m->off[i] = (int)n;
		for (int64_t t = x->t[i]; x->hi[i] && t <= x->hi[i]; t++)
			if (hn_cdiv(x->D, t) == x->T[i] &&
			    (!c->unit[d] || (double)map_fold_sum(x->D, t, c->unit[d]) == x->f[i]))
				m->mem[n++] = t;
	}
	m->off[x->n] = (int)n;
	return 0;
}

/* 1 when tiling t's tile sizes are members of the classes of candidates ix[] (same trips and
 * fold sums, within the classes' ranges). */
static int in_class(const struct ctx *c, const struct dim dm[3], const int ix[3],
		    const struct map_tiling *t)
{
	const int64_t v[3] = { t->tm, t->tn, t->tk };

	for (int d = 0; d < 3; d++) {
		const struct dim *x = &dm[d];
		const int64_t hi = x->hi[ix[d]] ? x->hi[ix[d]] : x->t[ix[d]];
		if (v[d] < x->t[ix[d]] || v[d] > hi || hn_cdiv(x->D, v[d]) != x->T[ix[d]] ||
		    (c->unit[d] && (double)map_fold_sum(x->D, v[d], c->unit[d]) != x->f[ix[d]]))
			return 0;
	}
	return 1;
}

/* Bounds above this cannot reach the best's cycles (cycles are integers). */
static double above(const struct map_result *out)
{
	return (double)out->cost.cycles + 0.5;
}

/* 1 when a member of the class triple of candidates ix[], under order o, that ties the
 * best's cycles and DRAM bytes would beat it on energy. Every such member has the same
 * energy: the MAC, SRAM and DRAM terms are those of the class triple's smallest member
 * (its SRAM and DRAM bytes are the class's, struct map_cands), the static term that of the
 * best's cycles; summed exactly as cost.c's finish_energy does, so the comparison is the
 * one map_report_better would make with the member's own report. */
static int tie_energy_wins(const struct ctx *c, const struct dim dm[3], const int ix[3], int o,
			   const struct map_result *out)
{
	const struct map_tiling t = { dm[DM].t[ix[DM]], dm[DN].t[ix[DN]], dm[DK].t[ix[DK]],
				      (enum map_order)o };
	struct cost_report r;

	(*c->costed)++;
	if (cost_layer(c->l, c->hw, &t, c->e, &r) || !r.feasible)
		return 1; /* cannot tell: cost the members */
	r.energy_total_pj = map_tie_energy(&r, out->cost.cycles, c->hw, c->e);
	r.cycles = out->cost.cycles;
	return map_report_better(&r, &out->cost);
}

double map_tie_energy(const struct cost_report *r, int64_t cycles, const struct hw_config *hw,
		      const struct hw_energy *e)
{
	/* cost.c finish_energy's static term and sum, in its order */
	const double st = e->static_mw * (double)cycles / hw->freq_mhz * 1e3;

	return r->energy_pj[0] + r->energy_pj[1] + r->energy_pj[2] + st;
}

/* The members of the candidates' classes that are not candidates themselves (a class's
 * interior, struct map_cands), wherever the class bound says they can still beat or tie the
 * best: each costed exactly under the orders whose class bound allows it. The candidates
 * themselves were costed (or proven) before. Afterwards the best is optimal over every
 * integer tiling, not only over the candidates (docs/mapping.md "Exact latency"). */
static int complete(const struct ctx *c, const struct dim dm[3], struct map_result *out)
{
	struct members ms[3];
	int any = 0, ret = 0;

	for (int d = 0; d < 3; d++)
		for (int i = 0; i < dm[d].n; i++)
			any |= dm[d].hi[i] > dm[d].t[i] + 1;
	if (!any)
		return 0;
	memset(ms, 0, sizeof(ms));
	for (int d = 0; d < 3 && !ret; d++)
		ret = members_init(c, &dm[d], d, &ms[d]);
	if (ret)
		goto out_free;
	for (int a = 0; a < dm[DM].n; a++) {
		int fx[3] = { a, -1, -1 };
		if (!dm[DM].hi[a] || lower_bound(c, dm, fx) > above(out))
			continue;
		for (int b = 0; b < dm[DN].n; b++) {
			if (!dm[DN].hi[b])
				continue;
			if (dm[DM].t[a] * dm[DN].t[b] > c->co)
				break;
			fx[DN] = b;
			fx[DK] = -1;
			if (lower_bound(c, dm, fx) > above(out))
				continue;
			for (int k = 0; k < dm[DK].n; k++) {
				const int ix[3] = { a, b, k };
				double lb[MAP_ORDER_COUNT];
				int live = 0, inner = 0;
				if (!dm[DK].hi[k])
					continue;
				if (dm[DM].t[a] * dm[DK].t[k] > c->ci || dm[DK].t[k] * dm[DN].t[b] > c->cw)
					break;
				for (int d = 0; d < 3; d++)
					inner |= ms[d].off[ix[d] + 1] - ms[d].off[ix[d]] > 2;
				if (!inner)
					continue;
				class_lb(c, dm, ix, 1, lb); /* at least lower_bound, all dims fixed */
				for (int o = 0; o < MAP_ORDER_COUNT; o++) {
					/* A member can only tie the best's cycles: inside a class triple
					 * the DRAM bytes and the SRAM bytes, so every energy term but the
					 * static one, depend on the order only through the refetch
					 * factors; a tie wins only on fewer DRAM bytes, or on energy from
					 * another class or other refetch factors, and then every member
					 * of the class triple has the energy tie_energy_wins computes. */
					if (lb[o] > (double)out->cost.cycles - 0.5 && lb[o] <= above(out)) {
						const int64_t tr[3] = { dm[DM].T[a], dm[DN].T[b],
									dm[DK].T[k] };
						const int64_t db = class_dram(c, tr, o);
						const int bo = (int)out->tiling.order;
						if (db > out->cost.dram_bytes ||
						    (db == out->cost.dram_bytes &&
						     in_class(c, dm, ix, &out->tiling) &&
						     refetch_of(bo, tr, DN) == refetch_of(o, tr, DN) &&
						     refetch_of(bo, tr, DM) == refetch_of(o, tr, DM) &&
						     refetch_of(bo, tr, DK) == refetch_of(o, tr, DK)) ||
						    (db == out->cost.dram_bytes &&
						     !tie_energy_wins(c, dm, ix, o, out)))
							lb[o] = INFINITY;
					}
					live |= lb[o] <= above(out);
				}
				if (!live)
					continue;
				for (int i = ms[DM].off[a]; i < ms[DM].off[a + 1]; i++) {
					const int64_t tm = ms[DM].mem[i];
					const int em = tm == dm[DM].t[a] || tm == dm[DM].hi[a];
					for (int j = ms[DN].off[b]; j < ms[DN].off[b + 1]; j++) {
						const int64_t tn = ms[DN].mem[j];
						const int en = tn == dm[DN].t[b] || tn == dm[DN].hi[b];
						if (tm * tn > c->co)
							break;
						for (int q = ms[DK].off[k]; q < ms[DK].off[k + 1]; q++) {
							const int64_t tk = ms[DK].mem[q];
							if (tm * tk > c->ci || tk * tn > c->cw)
								break;
							if (em && en && (tk == dm[DK].t[k] ||
									 tk == dm[DK].hi[k]))
								continue; /* a candidate triple */
							for (int o = 0; o < MAP_ORDER_COUNT; o++) {
								struct cost_report r;
								if (lb[o] > above(out))
									continue;
								out->completed++;
								if (eval_tiling(c, tm, tn, tk, o,
										out->cost.cycles, 0, &r) &&
								    map_report_better(&r, &out->cost)) {
									out->cost = r;
									out->tiling = (struct map_tiling){
										tm, tn, tk, (enum map_order)o };
								}
							}
						}
					}
				}
			}
		}
	}
out_free:
	for (int d = 0; d < 3; d++) {
		free(ms[d].mem);
		free(ms[d].off);
	}
	return ret;
}

/* Candidate tile triples left in dm that fit the buffers and whose (m, n) pair's lower
 * bound is <= ub (exact count, or more than limit): per such pair, the k candidates up to
 * min(ci / tm, cw / tn), found by bisection. */
static double triples(const struct ctx *c, const struct dim dm[3], double ub, double limit)
{
	double n = 0;

	for (int a = 0; a < dm[DM].n && n <= limit; a++) {
		for (int b = 0; b < dm[DN].n && dm[DM].t[a] * dm[DN].t[b] <= c->co; b++) {
			const int fx[3] = { a, b, -1 };
			if (lower_bound(c, dm, fx) > ub)
				continue;
			int64_t kmax = hn_min64(c->ci / dm[DM].t[a], c->cw / dm[DN].t[b]);
			int lo = 0, hi = dm[DK].n; /* first index with t > kmax */
			while (lo < hi) {
				int mid = (lo + hi) / 2;
				if (dm[DK].t[mid] <= kmax)
					lo = mid + 1;
				else
					hi = mid;
			}
			n += lo;
		}
	}
	return n;
}

/* ---- The GLPK model ---- */

/* A sparse row under construction (GLPK arrays are 1-based). */
struct rowb {
	int n, cap;
	int *ind;
	double *val;
};

static int rowb_add(struct rowb *r, int col, double v)
{
	if (r->n + 2 > r->cap) {
		int ncap = r->cap ? 2 * r->cap : 256;
		int *ni = realloc(r->ind, (size_t)ncap * sizeof(int));
		if (!ni)
			return HN_ENOMEM;
		r->ind = ni;
		double *nv = realloc(r->val, (size_t)ncap * sizeof(double));
		if (!nv)
			return HN_ENOMEM;
		r->val = nv;
		r->cap = ncap;
	}
	r->n++;
	r->ind[r->n] = col;
	r->val[r->n] = v;
	return 0;
}

/* Adds the row under construction with bounds (type, lb, ub) and empties it. */
static int rowb_commit(glp_prob *lp, struct rowb *r, int type, double lb, double ub)
{
	int row = glp_add_rows(lp, 1);

	glp_set_mat_row(lp, row, r->n, r->ind, r->val);
	glp_set_row_bnds(lp, row, type, lb, ub);
	r->n = 0;
	return row;
}

static int add_col(glp_prob *lp, int kind, double lb, double ub)
{
	int col = glp_add_cols(lp, 1);

	glp_set_col_kind(lp, col, kind);
	if (kind == GLP_BV)
		return col;
	if (ub > lb)
		glp_set_col_bnds(lp, col, ub < INFINITY ? GLP_DB : GLP_LO, lb, ub < INFINITY ? ub : 0.0);
	else
		glp_set_col_bnds(lp, col, GLP_FX, lb, lb);
	return col;
}

/* The three operand pairs: A (m,k), B (k,n), C (m,n); the irrelevant dim of each. */
static const int pair_dims[3][2] = { { DM, DK }, { DK, DN }, { DM, DN } };
static const int pair_irrel[3] = { DN, DM, DK };

/* Refetch patterns: for an operand, the set of its relevant dims below its irrelevant one
 * in order o, as a bitmask over (first, second) of pair_dims. 0: never refetched. */
static int refetch_pattern(int p, int o)
{
	int below = 0, mask = 0;

	for (int i = 0; i < 3; i++) {
		int d = order_dims[o][i];
		if (d == pair_irrel[p])
			below = 1;
		else if (below)
			mask |= d == pair_dims[p][0] ? 1 : 2;
	}
	return mask;
}

struct pairvar {
	int a, b;      /* candidate indices in the pair's two dims */
	int col;
	double dma1;   /* A, B: DMA cycles of every tile; C: the final writes (act bytes) */
	double dma2;   /* C only: one partial-sum pass, stored and loaded back (acc bytes) */
	double first;  /* A, B: DMA of the first tile; C: DMA of the last C tile */
	double lastf;  /* the folded pair: folds of the last step (last tiles) */
	double stmax;  /* C: DMA of the longest store (a full C tile of partial sums) */
};

struct model {
	glp_prob *lp;
	struct pairvar *pv[3];
	int npv[3];
	int z;                       /* cycles */
	int ocol[MAP_ORDER_COUNT];
	int *ucol[3], *vcol[3];      /* per candidate of the pair's irrelevant dim */
	int *scol;                   /* per candidate of the streamed dim */
	int *lcol;                   /* the same for the last step's folds (tail term) */
};

static void model_release(struct model *m)
{
	for (int p = 0; p < 3; p++) {
		free(m->pv[p]);
		free(m->ucol[p]);
		free(m->vcol[p]);
	}
	free(m->scol);
	free(m->lcol);
}

/* Folds of a last tile of e along dim d: ceil(e / U) on a folded dim, 1 on the streamed. */
static int64_t unit_folds(const struct ctx *c, int d, int64_t e)
{
	return c->unit[d] ? hn_cdiv(e, c->unit[d]) : 1;
}

/* Builds the MILP of docs/mapping.md over the candidates in dm, the latency bounded by ub. */
static int build(const struct ctx *c, struct dim dm[3], double ub, struct model *m)
{
	const struct arch_gemm *g = &c->g;
	glp_prob *lp = m->lp;
	struct rowb r = { 0, 0, NULL, NULL };
	int ret = HN_ENOMEM;
	double gg = (double)g->g;
	int dbl = c->hw->double_buffer;
	/* Per operand pair: the buffer capacity (elements) and element bytes. */
	const int64_t pcap[3] = { c->ci, c->cw, c->co };
	const int64_t pel[3] = { c->ab, c->wb, c->ab };

	for (int d = 0; d < 3; d++)
		for (int i = 0; i < dm[d].n; i++)
			dm[d].col[i] = add_col(lp, GLP_BV, 0, 1);
	for (int o = 0; o < MAP_ORDER_COUNT; o++)
		m->ocol[o] = add_col(lp, GLP_BV, 0, 1);
	m->z = add_col(lp, GLP_CV, 0.0, ub);

	/* One-hot rows. */
	for (int d = 0; d < 3; d++) {
		for (int i = 0; i < dm[d].n; i++)
			if (rowb_add(&r, dm[d].col[i], 1.0))
				goto out_free;
		rowb_commit(lp, &r, GLP_FX, 1.0, 1.0);
	}
	for (int o = 0; o < MAP_ORDER_COUNT; o++)
		if (rowb_add(&r, m->ocol[o], 1.0))
			goto out_free;
	rowb_commit(lp, &r, GLP_FX, 1.0, 1.0);

	/* Pair variables of the allowed pairs: those that fit the pair's buffer and whose
	 * lower bound does not exceed the incumbent. */
	for (int p = 0; p < 3; p++) {
		const int da = pair_dims[p][0], db = pair_dims[p][1];
		size_t cap = 64;
		m->pv[p] = malloc(cap * sizeof(struct pairvar));
		if (!m->pv[p])
			goto out_free;
		for (int a = 0; a < dm[da].n; a++) {
			for (int b = 0; b < dm[db].n; b++) {
				int fx[3] = { -1, -1, -1 };
				if (dm[da].t[a] * dm[db].t[b] > pcap[p])
					break;
				fx[da] = a;
				fx[db] = b;
				if (lower_bound(c, dm, fx) > ub)
					continue;
				if ((size_t)m->npv[p] == cap) {
					cap *= 2;
					struct pairvar *np = realloc(m->pv[p], cap * sizeof(*np));
					if (!np)
						goto out_free;
					m->pv[p] = np;
				}
				struct pairvar *v = &m->pv[p][m->npv[p]++];
				v->a = a;
				v->b = b;
				v->col = add_col(lp, GLP_CV, 0.0, 1.0);
				v->dma1 = (double)pair_dma(c, dm[da].t[a], dm[da].T[a], dm[da].e[a],
							   dm[db].t[b], dm[db].T[b], dm[db].e[b],
							   p == 0 ? COST_REQ_A : p == 1 ? COST_REQ_B :
							   COST_REQ_C_FINAL, pel[p]);
				v->dma2 = p == 2 ?
					(double)(pair_dma(c, dm[da].t[a], dm[da].T[a], dm[da].e[a],
							  dm[db].t[b], dm[db].T[b], dm[db].e[b],
							  COST_REQ_C_STORE, c->cb) +
						 pair_dma(c, dm[da].t[a], dm[da].T[a], dm[da].e[a],
							  dm[db].t[b], dm[db].T[b], dm[db].e[b],
							  COST_REQ_C_LOAD, c->cb)) : 0.0;
				v->first = p == 2 ?
					(double)cost_dma_request_cycles(c->hw, c->nb, COST_REQ_C_FINAL,
									dm[da].e[a], dm[db].e[b], c->ab) :
					(double)cost_dma_request_cycles(c->hw, c->nb,
									p == 0 ? COST_REQ_A : COST_REQ_B,
									dm[da].t[a], dm[db].t[b], pel[p]);
				v->stmax = p == 2 ?
					(double)hn_max64(cost_dma_request_cycles(c->hw, c->nb,
						COST_REQ_C_STORE, dm[da].t[a], dm[db].t[b], c->cb),
						cost_dma_request_cycles(c->hw, c->nb, COST_REQ_C_FINAL,
									dm[da].t[a], dm[db].t[b], c->ab)) :
					0.0;
				v->lastf = (double)(unit_folds(c, da, dm[da].e[a]) *
						    unit_folds(c, db, dm[db].e[b]));
			}
		}
		/* Marginals: sum over b of w[a][b] = x_a, sum over a of w[a][b] = x_b. */
		for (int side = 0; side < 2; side++) {
			int dd = pair_dims[p][side];
			for (int i = 0; i < dm[dd].n; i++) {
				if (rowb_add(&r, dm[dd].col[i], -1.0))
					goto out_free;
				for (int k = 0; k < m->npv[p]; k++)
					if ((side ? m->pv[p][k].b : m->pv[p][k].a) == i &&
					    rowb_add(&r, m->pv[p][k].col, 1.0))
						goto out_free;
				rowb_commit(lp, &r, GLP_FX, 0.0, 0.0);
			}
		}
	}

	/* Refetch products. For operand p with irrelevant dim q: extra DMA cycles
	 * sum_j (T_j - 1) u_j (C: a pass stores and loads back), u_j >= E_pat - M (2 - x_qj - O_pat), where
	 * E_pat is the pair's DMA expression restricted to tilings with a relevant loop of more
	 * than one trip below q (pattern pat), O_pat the orders of that pattern. v_j likewise with
	 * the indicator alone (for the DRAM bytes of the second solve). */
	int mem_terms_done = 0;
	(void)mem_terms_done;
	for (int p = 0; p < 3; p++) {
		const int q = pair_irrel[p], da = pair_dims[p][0], db = pair_dims[p][1];
		int ecol[4] = { 0, 0, 0, 0 }, icol[4] = { 0, 0, 0, 0 };
		double bigm = 0.0;

		m->ucol[p] = calloc((size_t)dm[q].n, sizeof(int));
		m->vcol[p] = calloc((size_t)dm[q].n, sizeof(int));
		if (!m->ucol[p] || !m->vcol[p])
			goto out_free;
		for (int k = 0; k < m->npv[p]; k++)
			bigm = fmax(bigm, p == 2 ? m->pv[p][k].dma2 : m->pv[p][k].dma1);
		for (int pat = 1; pat < 4; pat++) {
			int used = 0;
			for (int o = 0; o < MAP_ORDER_COUNT; o++)
				used |= refetch_pattern(p, o) == pat;
			if (!used)
				continue;
			ecol[pat] = add_col(lp, GLP_CV, 0.0, INFINITY);
			icol[pat] = add_col(lp, GLP_CV, 0.0, INFINITY);
			for (int w = 0; w < 2; w++) {
				if (rowb_add(&r, w ? icol[pat] : ecol[pat], -1.0))
					goto out_free;
				for (int k = 0; k < m->npv[p]; k++) {
					const struct pairvar *v = &m->pv[p][k];
					int on = ((pat & 1) && dm[da].T[v->a] > 1) ||
						 ((pat & 2) && dm[db].T[v->b] > 1);
					double coef = w ? 1.0 : p == 2 ? v->dma2 : v->dma1;
					if (on && rowb_add(&r, v->col, coef))
						goto out_free;
				}
				rowb_commit(lp, &r, GLP_FX, 0.0, 0.0);
			}
		}
		for (int j = 0; j < dm[q].n; j++) {
			if (dm[q].T[j] <= 1)
				continue;
			m->ucol[p][j] = add_col(lp, GLP_CV, 0.0, INFINITY);
			m->vcol[p][j] = add_col(lp, GLP_CV, 0.0, INFINITY);
			for (int pat = 1; pat < 4; pat++) {
				if (!ecol[pat])
					continue;
				for (int w = 0; w < 2; w++) {
					double mm = w ? 1.0 : bigm;
					/* u - E - M x_j - M O_pat >= -2M */
					if (rowb_add(&r, w ? m->vcol[p][j] : m->ucol[p][j], 1.0) ||
					    rowb_add(&r, w ? icol[pat] : ecol[pat], -1.0) ||
					    rowb_add(&r, dm[q].col[j], -mm))
						goto out_free;
					for (int o = 0; o < MAP_ORDER_COUNT; o++)
						if (refetch_pattern(p, o) == pat &&
						    rowb_add(&r, m->ocol[o], -mm))
							goto out_free;
					rowb_commit(lp, &r, GLP_LO, -2.0 * mm, 0.0);
				}
			}
		}
	}

	/* Compute: f_stream x S, S the pair expression of the two folded dims' fold sums;
	 * s_c >= S - M (1 - x_c). The pair of the folded dims is the one whose irrelevant dim is
	 * the streamed one. */
	int cp = c->stream == DN ? 0 : c->stream == DM ? 1 : 2;
	int scol_S = add_col(lp, GLP_CV, 0.0, INFINITY);
	double bigs = 0.0;
	if (rowb_add(&r, scol_S, -1.0))
		goto out_free;
	for (int k = 0; k < m->npv[cp]; k++) {
		const struct pairvar *v = &m->pv[cp][k];
		double ff = dm[pair_dims[cp][0]].f[v->a] * dm[pair_dims[cp][1]].f[v->b];
		bigs = fmax(bigs, ff);
		if (rowb_add(&r, v->col, ff))
			goto out_free;
	}
	rowb_commit(lp, &r, GLP_FX, 0.0, 0.0);
	m->scol = calloc((size_t)dm[c->stream].n, sizeof(int));
	if (!m->scol)
		goto out_free;
	for (int i = 0; i < dm[c->stream].n; i++) {
		m->scol[i] = add_col(lp, GLP_CV, 0.0, INFINITY);
		if (rowb_add(&r, m->scol[i], 1.0) || rowb_add(&r, scol_S, -1.0) ||
		    rowb_add(&r, dm[c->stream].col[i], -bigs))
			goto out_free;
		rowb_commit(lp, &r, GLP_LO, -bigs, 0.0);
	}

	/* The last step's compute (double-buffered tail): L the pair expression of its folds
	 * (last tiles), l_c >= L - M (1 - x_c); compute(last) = sum_c (alpha + e_c) l_c. */
	if (dbl) {
		int lcol_L = add_col(lp, GLP_CV, 0.0, INFINITY);
		double bigl = 0.0;
		if (rowb_add(&r, lcol_L, -1.0))
			goto out_free;
		for (int k = 0; k < m->npv[cp]; k++) {
			const struct pairvar *v = &m->pv[cp][k];
			bigl = fmax(bigl, v->lastf);
			if (rowb_add(&r, v->col, v->lastf))
				goto out_free;
		}
		rowb_commit(lp, &r, GLP_FX, 0.0, 0.0);
		m->lcol = calloc((size_t)dm[c->stream].n, sizeof(int));
		if (!m->lcol)
			goto out_free;
		for (int i = 0; i < dm[c->stream].n; i++) {
			m->lcol[i] = add_col(lp, GLP_CV, 0.0, INFINITY);
			if (rowb_add(&r, m->lcol[i], 1.0) || rowb_add(&r, lcol_L, -1.0) ||
			    rowb_add(&r, dm[c->stream].col[i], -bigl))
				goto out_free;
			rowb_commit(lp, &r, GLP_LO, -bigl, 0.0);
		}
	}

	/* Latency rows. mem = sum over pairs of their DMA cycles + refetch extras;
	 * compute = sum_c f_c s_c. Single-buffered: z >= g (mem + compute). Double-buffered:
	 * z >= g mem, z >= first + g compute + last and z >= g mem + compute(last step) - the
	 * longest store (docs/model.md "Latency": the closed-form bound, the max of the three). */
	for (int row = 0; row < (dbl ? 3 : 1); row++) {
		int with_mem = !dbl || row != 1, with_comp = !dbl || row == 1;
		if (rowb_add(&r, m->z, 1.0))
			goto out_free;
		for (int p = 0; p < 3; p++) {
			const int q = pair_irrel[p];
			for (int k = 0; k < m->npv[p]; k++) {
				const struct pairvar *v = &m->pv[p][k];
				double coef = with_mem ? gg * v->dma1 : 0.0;
				if (dbl && row == 1)
					coef = v->first; /* A, B: first tiles; C: the last store */
				if (dbl && row == 2 && p == 2)
					coef -= v->stmax; /* minus the longest store */
				if (coef != 0.0 && rowb_add(&r, v->col, -coef))
					goto out_free;
			}
			if (!with_mem)
				continue;
			for (int j = 0; j < dm[q].n; j++)
				if (m->ucol[p][j] &&
				    rowb_add(&r, m->ucol[p][j],
					     -gg * (double)(dm[q].T[j] - 1)))
					goto out_free;
		}
		if (with_comp)
			for (int i = 0; i < dm[c->stream].n; i++)
				if (rowb_add(&r, m->scol[i], -gg * dm[c->stream].f[i]))
					goto out_free;
		if (dbl && row == 2)
			for (int i = 0; i < dm[c->stream].n; i++)
				if (rowb_add(&r, m->lcol[i],
					     -(double)(c->alpha + dm[c->stream].e[i])))
					goto out_free;
		rowb_commit(lp, &r, GLP_LO, 0.0, 0.0);
	}
	ret = 0;
out_free:
	free(r.ind);
	free(r.val);
	return ret;
}

/* Objective of the second solve: DRAM bytes per group, plus eps x the tiling-dependent
 * energy (SRAM traffic of the steps and the DRAM refetch bytes' buffer and DRAM energy);
 * eps x (its maximum) < 1/2 byte, so energy only breaks ties of DRAM bytes. */
static double set_dram_objective(const struct ctx *c, const struct dim dm[3], const struct model *m,
				 double scale)
{
	const struct arch_gemm *g = &c->g;
	const struct hw_energy *e = c->e;
	double eI = hw_energy_sram_pj_per_byte(e, c->hw->ibuf_bytes);
	double eW = hw_energy_sram_pj_per_byte(e, c->hw->wbuf_bytes);
	double eO = hw_energy_sram_pj_per_byte(e, c->hw->obuf_bytes);
	const double bytes[3] = { (double)(g->m * g->k * c->ab), (double)(g->k * g->n * c->wb),
				  2.0 * (double)(g->m * g->n * c->cb) };
	const double ebuf[3] = { eI, eW, eO };
	/* Step SRAM bytes per group (docs/mapping.md): ibuf M K ab x (n's fold sum on ws/os,
	 * N' on is); wbuf K N wb x (M' on ws, m's fold sum on os/is); obuf 2 M N cb x (k's fold
	 * sum on ws/is, K' on os). Each is "a constant x a per-candidate quantity of one dim". */
	const int sdim[3] = { DN, DM, DK };
	double qmax[3] = { 0, 0, 0 }, emax = 0.0, eps;

	for (int b = 0; b < 3; b++)
		for (int i = 0; i < dm[sdim[b]].n; i++)
			qmax[b] = fmax(qmax[b], sdim[b] == c->stream ? (double)dm[sdim[b]].T[i] :
					dm[sdim[b]].f[i]);
	for (int b = 0; b < 3; b++) {
		const int q = pair_irrel[b];
		double tmax = 1.0;
		for (int j = 0; j < dm[q].n; j++)
			tmax = fmax(tmax, (double)dm[q].T[j]);
		emax += ebuf[b] * (b == 2 ? (double)(g->m * g->n * c->cb) : bytes[b]) * qmax[b] * 2.0 +
			bytes[b] * tmax * (ebuf[b] + e->dram_pj_per_byte);
	}
	eps = emax > 0 ? 0.5 / emax : 0.0;
	/* The largest DRAM refetch bytes: the secondary objective stays below dmax + 1. */
	double dmax = 0.0;
	for (int b = 0; b < 3; b++) {
		double tmax = 1.0;
		for (int j = 0; j < dm[pair_irrel[b]].n; j++)
			tmax = fmax(tmax, (double)dm[pair_irrel[b]].T[j]);
		dmax += bytes[b] * (tmax - 1.0);
	}
	for (int col = 1; col <= glp_get_num_cols(m->lp); col++)
		glp_set_obj_coef(m->lp, col, 0.0);
	for (int b = 0; b < 3; b++) {
		const int d = sdim[b];
		double base = b == 2 ? 2.0 * (double)(g->m * g->n * c->cb) : bytes[b];
		for (int i = 0; i < dm[d].n; i++) {
			double qv = d == c->stream ? (double)dm[d].T[i] : dm[d].f[i];
			glp_set_obj_coef(m->lp, dm[d].col[i], scale * eps * ebuf[b] * base * qv);
		}
		const int q = pair_irrel[b];
		for (int j = 0; j < dm[q].n; j++)
			if (m->vcol[b][j])
				glp_set_obj_coef(m->lp, m->vcol[b][j],
						 scale * bytes[b] * (double)(dm[q].T[j] - 1) *
						 (1.0 + eps * (ebuf[b] + e->dram_pj_per_byte)));
	}
	return dmax + 1.0;
}

struct cb_info {
	double gap;
};

static void on_tree(glp_tree *tree, void *info)
{
	struct cb_info *ci = info;

	if (glp_ios_reason(tree) == GLP_IBINGO || glp_ios_reason(tree) == GLP_ISELECT)
		ci->gap = glp_ios_mip_gap(tree);
}

/* Runs glp_intopt within the remaining time; returns its code. */
static int run(glp_prob *lp, const struct map_options *opt, double t_end, struct cb_info *ci)
{
	glp_iocp parm;

	/* The library never prints: GLPK's own terminal output ("Constructing initial basis")
	 * is off too, not only the MIP messages. GLPK keeps this per thread. */
	glp_term_out(GLP_OFF);
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	parm.mip_gap = opt->mip_gap;
	/* Cycles are integers up to ~1e10: GLPK's default relative objective tolerance (1e-7)
	 * could take a solution one cycle worse for the optimum. */
	parm.tol_obj = 1e-12;
	parm.cb_func = on_tree;
	parm.cb_info = ci;
	if (t_end < INFINITY) {
		double left = t_end - map_now_ms();
		parm.tm_lim = left > 1.0 ? (int)left : 1;
	}
	ci->gap = 0.0;
	return glp_intopt(lp, &parm);
}

/* Reads the chosen tiling from the MILP's solution, and each dim's candidate index. */
static void read_tiling(const struct dim dm[3], const struct model *m, struct map_tiling *t,
			int idx[3])
{
	int64_t v[3] = { 0, 0, 0 };

	for (int d = 0; d < 3; d++)
		for (int i = 0; i < dm[d].n; i++)
			if (glp_mip_col_val(m->lp, dm[d].col[i]) > 0.5) {
				v[d] = dm[d].t[i];
				idx[d] = i;
			}
	t->tm = v[DM];
	t->tn = v[DN];
	t->tk = v[DK];
	t->order = MAP_MNK;
	for (int o = 0; o < MAP_ORDER_COUNT; o++)
		if (glp_mip_col_val(m->lp, m->ocol[o]) > 0.5)
			t->order = (enum map_order)o;
}

/* The exact cost of tile sizes t under every loop order; keeps the best in out. Returns the
 * cost of t's own order in *own. */
static void try_orders(const struct ctx *c, const struct map_tiling *t, struct map_result *out,
		       struct cost_report *own)
{
	for (int o = 0; o < MAP_ORDER_COUNT; o++) {
		struct map_tiling to = *t;
		struct cost_report r;
		to.order = (enum map_order)o;
		(*c->costed)++;
		if (cost_layer(c->l, c->hw, &to, c->e, &r) || !r.feasible)
			continue;
		if (o == (int)t->order)
			*own = r;
		if (map_report_better(&r, &out->cost)) {
			out->cost = r;
			out->tiling = to;
		}
	}
}

/* GLPK's answer (its tiling t and candidate indices), costed exactly under every order
 * (try_orders: the best kept in out, t's own order's report in *own). */
static void take_answer(const struct ctx *c, const struct dim dm[3], const struct model *m,
			struct map_result *out, struct map_tiling *t, struct cost_report *own,
			int idx[3])
{
	read_tiling(dm, m, t, idx);
	memset(own, 0, sizeof(*own));
	try_orders(c, t, out, own);
}

/* The MILP minimises the closed-form bound of docs/model.md (z = cost_layer's
 * cycles_bound), never above the exact cycles. Solves it; when the exact cycles of its
 * answer exceed its bound, cuts those tile sizes off (all orders, each costed exactly), lowers
 * z's ceiling to the best exact cycles found and solves again, until no tiling's bound is
 * below the best (docs/mapping.md "Exact latency"). Keeps the best under cost_layer().
 * can_enum: at most finish_enum_max candidates fit, so the enumeration may finish. */
static int solve(const struct ctx *c, struct dim dm[3], const struct map_options *opt,
		 double t_end, int can_enum, struct map_result *out, struct hn_err *err)
{
	struct model m;
	struct cb_info ci;
	int ret = 0, rc;
	double zlb = 0.0; /* the last proven MILP optimum: a bound of every tiling left */
	int loosened = 0; /* the first solve's ceiling was raised once */

	memset(&m, 0, sizeof(m));
	m.lp = glp_create_prob();
	glp_set_obj_dir(m.lp, GLP_MIN);
	ret = build(c, dm, (double)out->cost.cycles + 0.5, &m);
	if (ret < 0) {
		hn_fail(err, ret, "'%s': out of memory building the tiling MILP", c->l->name);
		goto out_delete_prob;
	}
	/* First solve under the incumbent's bound, not its exact cycles: the MILP's relaxation
	 * is weak, and a ceiling at the optimum's level is what lets GLPK close the gap fast.
	 * The incumbent satisfies it, so some tiling does; the finish raises it to the best
	 * exact cycles (the candidates were pruned against those, above). */
	glp_set_col_bnds(m.lp, m.z, GLP_DB, 0.0, (double)out->cost.cycles_bound + 0.5);
	/* One solve, lexicographic by weights: z + w (DRAM refetch bytes + eps energy) with
	 * w (its maximum) <= 1/2 < one cycle, so the latency optimum is never traded for bytes
	 * (docs/mapping.md "Objective"). */
	double dmax = set_dram_objective(c, dm, &m, 1.0);
	double w = 0.5 / dmax;
	set_dram_objective(c, dm, &m, w);
	glp_set_obj_coef(m.lp, m.z, 1.0);
	out->cuts = 0;
	/* GLPK is fast on most layers and slow (seconds) on a few; where the candidates can
	 * be enumerated, its first solve gets milp_budget_s and the enumeration takes over.
	 * Not with a MIP gap accepted: the enumeration would prove what was not asked for. */
	double t_lim = opt->time_limit_s > 0 ? t_end : INFINITY;
	for (;;) {
		double t_run = t_lim;
		if (can_enum && out->cuts == 0 && opt->milp_budget_s > 0 && opt->mip_gap <= 0)
			t_run = fmin(t_run, map_now_ms() + opt->milp_budget_s * 1e3);
		rc = run(m.lp, opt, t_run, &ci);
		out->milp_solves++;
		int st = glp_mip_status(m.lp);
		if (out->cuts == 0 && (rc == GLP_ENOPFS || st == GLP_NOFEAS)) {
			/* The incumbent satisfies the first solve's ceiling, so "no feasible
			 * tiling" is GLPK's presolver misjudging a ceiling half a cycle above the
			 * optimum (the generative test's case 1219 of seed 20261203, with an
			 * optimal incumbent): once more with a few cycles of room, then the
			 * enumeration */
			if (!loosened) {
				loosened = 1;
				glp_set_col_bnds(m.lp, m.z, GLP_DB, 0.0,
						 (double)out->cost.cycles_bound * (1.0 + 1e-6) + 2.0);
				continue;
			}
			if (can_enum) {
				out->milp_gave_up = 1;
				enumerate(c, dm, out);
				break;
			}
		}
		if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_EMIPGAP && rc != GLP_ENOPFS) {
			/* a numerical failure of GLPK's simplex (GLP_EFAIL: the generative test's
			 * seed 2, case 833): the enumeration proves the optimum without it */
			if (can_enum) {
				out->milp_gave_up = 1;
				enumerate(c, dm, out);
				break;
			}
			ret = hn_fail(err, HN_ESOLVER, "'%s': GLPK glp_intopt failed (code %d)",
				      c->l->name, rc);
			goto out_delete_prob;
		}
		if (rc == GLP_ETMLIM && t_run < t_lim) {
			if (st == GLP_OPT || st == GLP_FEAS) {
				struct map_tiling tf;
				struct cost_report rf;
				int idx[3] = { 0, 0, 0 };
				take_answer(c, dm, &m, out, &tf, &rf, idx);
			}
			out->milp_gave_up = 1;
			enumerate(c, dm, out);
			break;
		}
		if (st != GLP_OPT && st != GLP_FEAS) {
			/* no tiling left whose bound is below the best exact cycles: proven,
			 * unless a limit stopped GLPK before it could say so; then the last
			 * proven MILP optimum zlb bounds every tiling left (the cuts only
			 * removed tilings) */
			if (out->cuts > 0 && (rc == 0 || rc == GLP_ENOPFS)) {
				out->solver_status = GLP_OPT;
				out->gap = 0.0;
			} else if (out->cuts > 0) {
				out->solver_status = GLP_FEAS;
				out->gap = 1.0 - zlb / (double)out->cost.cycles;
			} else {
				out->solver_status = st;
			}
			break;
		}
		out->solver_status = st;
		out->gap = st == GLP_OPT && rc == 0 ? 0.0 : ci.gap;
		if (st == GLP_OPT && rc == 0)
			zlb = glp_mip_col_val(m.lp, m.z);

		struct map_tiling t1;
		struct cost_report r1;
		int idx[3] = { 0, 0, 0 };
		take_answer(c, dm, &m, out, &t1, &r1, idx);
		if (!r1.feasible)
			break;
		/* z is the closed-form bound of t1 exactly (docs/mapping.md) at a proven optimum,
		 * unless GLPK's integrality tolerance let it under-run (a binary at 1 - 1e-5
		 * relaxes a big-M row by 1e-5 M: 27 cycles below 5,638,344 at a DRAM latency of
		 * 50,962 cycles, the generative test's seed 1, case 2089); then its optimum proves
		 * nothing: the enumeration finishes, or the answer is not called optimal */
		if (st == GLP_OPT &&
		    fabs(glp_mip_col_val(m.lp, m.z) - (double)r1.cycles_bound) >
		    0.5 + 1e-9 * (double)r1.cycles_bound) {
			if (can_enum) {
				out->milp_gave_up = 1;
				enumerate(c, dm, out);
				break;
			}
			out->solver_status = GLP_FEAS;
			out->gap = fmax(0.0, 1.0 - glp_mip_col_val(m.lp, m.z) / (double)out->cost.cycles);
			break;
		}
		/* the bound is exact at the MILP's optimum: nothing left can beat it */
		if (st != GLP_OPT || rc != 0 || r1.cycles == r1.cycles_bound)
			break;
		/* few candidates: costing them all is faster than re-solving */
		if (can_enum) {
			enumerate(c, dm, out);
			break;
		}
		if (opt->max_cuts >= 0 && out->cuts >= opt->max_cuts) {
			out->solver_status = GLP_FEAS;
			out->gap = 1.0 - (double)r1.cycles_bound / (double)out->cost.cycles;
			break;
		}
		if (opt->time_limit_s > 0 && map_now_ms() >= t_end) {
			out->solver_status = GLP_FEAS;
			out->gap = 1.0 - (double)r1.cycles_bound / (double)out->cost.cycles;
			break;
		}
		/* cut: x_m[a] + x_n[b] + x_k[c] <= 2 */
		{
			int ind[4] = { 0, dm[DM].col[idx[DM]], dm[DN].col[idx[DN]],
				       dm[DK].col[idx[DK]] };
			double val[4] = { 0, 1, 1, 1 };
			int row = glp_add_rows(m.lp, 1);
			glp_set_mat_row(m.lp, row, 3, ind, val);
			glp_set_row_bnds(m.lp, row, GLP_UP, 0.0, 2.0);
		}
		glp_set_col_bnds(m.lp, m.z, GLP_DB, 0.0, (double)out->cost.cycles + 0.5);
		out->cuts++;
	}
out_delete_prob:
	model_release(&m);
	glp_delete_prob(m.lp);
	return ret;
}

/* The constants of c's layer and accelerator (c->l, hw, e, g set). */
static void ctx_init(struct ctx *c)
{
	const struct hw_config *hw = c->hw;
	int64_t d = hw->double_buffer ? 2 : 1;

	c->ab = hw_act_bytes(hw);
	c->wb = hw_weight_bytes(hw);
	c->cb = hw_acc_bytes(hw);
	c->lat = hw->dram_latency_cycles;
	c->bw = hw_dram_bytes_per_cycle(hw);
	c->inv_bw = 1.0 / c->bw;
	c->alpha = 2 * (int64_t)hw->pe_rows + hw->pe_cols - 2;
	cost_dma_words_per_line(hw, c->nb);
	for (int b = 0; b < 3; b++)
		c->inv_nb[b] = 1.0 / (double)c->nb[b];
	dmactx_init(&c->dc, hw, c->nb);
	map_dim_units(hw, c->unit);
	map_dim_caps(&c->g, hw, c->cap);
	c->stream = !c->unit[DM] ? DM : !c->unit[DN] ? DN : DK;
	c->ci = hw->ibuf_bytes / (d * c->ab);
	c->cw = hw->wbuf_bytes / (d * c->wb);
	c->co = hw->obuf_bytes / (d * c->cb);
}

int map_bounds_at(const struct arch_layer *l, const struct hw_config *hw,
		  const struct map_tiling *t, double part[8], double cls[MAP_ORDER_COUNT])
{
	struct ctx c;
	struct dim full[3], one[3], dm[3];
	struct map_cands mc[3];
	int64_t costed = 0;
	int ret = 0;

	memset(&c, 0, sizeof(c));
	memset(full, 0, sizeof(full));
	memset(one, 0, sizeof(one));
	memset(mc, 0, sizeof(mc));
	c.l = l;
	c.hw = hw;
	c.costed = &costed;
	c.g = arch_gemm(l);
	if (c.g.g == 0)
		return HN_EINVAL;
	ctx_init(&c);
	const int64_t v[3] = { hn_min64(t->tm, c.g.m), hn_min64(t->tn, c.g.n),
			       hn_min64(t->tk, c.g.k) };
	for (int d = 0; d < 3 && !ret; d++) {
		const int64_t D = d == DM ? c.g.m : d == DN ? c.g.n : c.g.k;
		const int64_t T = hn_cdiv(D, v[d]), F = map_fold_sum(D, v[d], c.unit[d]);
		int64_t lo = v[d], hi = v[d], tl[1], th[1];
		struct map_cands m1 = { D, c.unit[d], 1, tl, th };
		if (v[d] > c.cap[d])
			ret = HN_EINVAL; /* t does not fit */
		/* t's class among the sizes that fit (struct map_cands; not always contiguous) */
		for (int64_t u = 1; u <= c.cap[d]; u++) {
			if (hn_cdiv(D, u) != T || map_fold_sum(D, u, c.unit[d]) != F)
				continue;
			lo = hn_min64(lo, u);
			hi = hn_max64(hi, u);
		}
		tl[0] = lo;
		th[0] = hi;
		if (!ret)
			ret = map_cands_build(D, c.unit[d], c.cap[d], &mc[d]);
		if (!ret)
			ret = dim_init(&c, d, &mc[d], &full[d]);
		if (!ret)
			ret = dim_init(&c, d, &m1, &one[d]);
		if (!ret)
			one[d].fmin = full[d].fmin;
	}
	for (int mask = 0; mask < 8 && !ret; mask++) {
		int fx[3];
		for (int d = 0; d < 3; d++) {
			dm[d] = mask >> d & 1 ? one[d] : full[d];
			fx[d] = mask >> d & 1 ? 0 : -1;
		}
		part[mask] = lower_bound(&c, dm, fx);
	}
	if (!ret) {
		const int ix[3] = { 0, 0, 0 };
		class_lb(&c, one, ix, 1, cls);
	}
	for (int d = 0; d < 3; d++) {
		dim_release(&full[d]);
		dim_release(&one[d]);
		map_cands_release(&mc[d]);
	}
	return ret;
}

int map_milp_solve(const struct arch_layer *l, const struct hw_config *hw,
		   const struct hw_energy *e, const struct map_options *opt,
		   struct map_result *out, struct hn_err *err)
{
	double t_end = map_now_ms() + opt->time_limit_s * 1e3;
	struct ctx c;
	struct dim dm[3];
	struct map_cands mc[3];
	char *keep = NULL;
	int ret = 0;

	memset(dm, 0, sizeof(dm));
	memset(mc, 0, sizeof(mc));
	c.l = l;
	c.costed = &out->costed;
	c.hw = hw;
	c.e = e;
	c.g = arch_gemm(l);
	if (c.g.g == 0) {
		map_trivial(l, hw, e, out);
		return 0;
	}
	if (map_check_fits(l, hw, e, out))
		return 0;
	ctx_init(&c);
	for (int d = 0; d < 3; d++) {
		int64_t ext = d == DM ? c.g.m : d == DN ? c.g.n : c.g.k;
		ret = map_cands_build(ext, c.unit[d], c.cap[d], &mc[d]);
		if (ret == 0)
			ret = dim_init(&c, d, &mc[d], &dm[d]);
		if (ret < 0) {
			hn_fail(err, ret, "'%s': out of memory", l->name);
			goto out_release;
		}
	}

	/* Incumbent, then drop every candidate whose bound exceeds it; then the filled pairs
	 * (fill) may find a better incumbent, which prunes again. */
	descend(&c, dm, 0, &out->tiling, &out->cost);
	assert(out->cost.feasible); /* map_check_fits: 1 x 1 x 1 fits, and 1 is a candidate */
	out->feasible = 1;
	for (int pass = 0; pass < 2; pass++) {
		if (pass > 0 && !fill(&c, dm, out))
			break;
		for (int d = 0; d < 3; d++) {
			keep = malloc((size_t)dm[d].n + 1);
			if (!keep) {
				ret = hn_fail(err, HN_ENOMEM, "'%s': out of memory", l->name);
				goto out_release;
			}
			for (int i = 0; i < dm[d].n; i++)
				keep[i] = dim_alive(&c, dm, d, i, (double)out->cost.cycles + 0.5);
			dim_filter(&dm[d], keep);
			free(keep);
			keep = NULL;
		}
	}
	/* the fitting candidate tilings whose (m, n) pair can still win, counted once for both
	 * thresholds */
	double nt = triples(&c, dm, (double)out->cost.cycles + 0.5,
			    fmax((double)opt->enum_max, (double)opt->finish_enum_max));
	if (nt <= (double)opt->enum_max) {
		enumerate(&c, dm, out);
	} else {
		improve_by_bound(&c, dm, &out->tiling, &out->cost);
		ret = solve(&c, dm, opt, t_end, nt <= (double)opt->finish_enum_max, out, err);
	}
	if (ret == 0 && complete(&c, dm, out) < 0)
		ret = hn_fail(err, HN_ENOMEM, "'%s': out of memory", l->name);
out_release:
	for (int d = 0; d < 3; d++) {
		dim_release(&dm[d]);
		map_cands_release(&mc[d]);
	}
	return ret;
}

int map_layer(const struct arch_layer *l, const struct hw_config *hw, const struct hw_energy *e,
	      const struct map_options *opt, struct map_cache *cache, struct map_result *out,
	      struct hn_err *err)
{
	double t0 = map_now_ms();
	struct arch_gemm g = arch_gemm(l);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (g.g == 0) {
		map_trivial(l, hw, e, out); /* no tiling to choose: docs/mapping.md */
		goto out_time;
	}
	if (cache && map_cache_lookup(cache, l, hw, e, opt, out))
		goto out_time;
	ret = map_milp_solve(l, hw, e, opt, out, err);
	if (ret == 0 && cache)
		map_cache_store(cache, l, hw, e, opt, out);
out_time:
	out->solve_ms = map_now_ms() - t0;
	return ret;
}

const char *map_method_name(const struct map_result *r)
{
	if (!r->feasible || r->solver_status == 0)
		return "none";
	if (!r->milp_solves)
		return "enumeration";
	if (r->enumerated)
		return "milp+enumeration";
	return r->cuts ? "milp+cuts" : "milp";
}

const char *map_status_name(int solver_status)
{
	switch (solver_status) {
	case GLP_OPT: return "optimal";
	case GLP_FEAS: return "feasible";
	case 0: return "none";
	default: return "heuristic";
	}
}

void map_thread_release(void)
{
	glp_free_env();
}
