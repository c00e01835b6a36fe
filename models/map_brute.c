/* map_brute.c: the mapper's exhaustive reference and the helpers its GLPK formulation shares
 * with it: the lexicographic order of reports, the candidate tile sizes of a dimension, the
 * fit check. docs/mapping.md. */
#include "map_int.h"
#include "cost_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double map_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int map_report_better(const struct cost_report *a, const struct cost_report *b)
{
	if (a->feasible != b->feasible)
		return a->feasible;
	if (!a->feasible)
		return 0;
	if (a->cycles != b->cycles)
		return a->cycles < b->cycles;
	if (a->dram_bytes != b->dram_bytes)
		return a->dram_bytes < b->dram_bytes;
	/* Energy is a double sum: ignore differences at rounding level, so that two tilings
	 * with the same counts compare equal whichever code path evaluated them. */
	return a->energy_total_pj < b->energy_total_pj * (1.0 - 1e-12);
}

void map_dim_units(const struct hw_config *hw, int64_t unit[3])
{
	/* docs/model.md "Compute": ws folds k on rows and n on cols, streams m; os folds m on
	 * rows and n on cols, streams k; is folds k on rows and m on cols, streams n. */
	switch (hw->dataflow) {
	case HW_WS: unit[0] = 0; unit[1] = hw->pe_cols; unit[2] = hw->pe_rows; break;
	case HW_OS: unit[0] = hw->pe_rows; unit[1] = hw->pe_cols; unit[2] = 0; break;
	default:    unit[0] = hw->pe_cols; unit[1] = 0; unit[2] = hw->pe_rows; break;
	}
}

void map_dim_caps(const struct arch_gemm *g, const struct hw_config *hw, int64_t cap[3])
{
	int64_t d = hw->double_buffer ? 2 : 1;
	int64_t ci = hw->ibuf_bytes / (d * hw_act_bytes(hw));
	int64_t cw = hw->wbuf_bytes / (d * hw_weight_bytes(hw));
	int64_t co = hw->obuf_bytes / (d * hw_acc_bytes(hw));

	cap[0] = hn_min64(g->m, hn_min64(ci, co));
	cap[1] = hn_min64(g->n, hn_min64(cw, co));
	cap[2] = hn_min64(g->k, hn_min64(ci, cw));
}

/* Folds of a dimension of extent d cut in tiles of t, on an array side of unit PEs: the
 * sum over its tiles of ceil(size / unit); 0 on the streamed dimension (unit 0). */
int64_t map_fold_sum(int64_t d, int64_t t, int64_t unit)
{
	int64_t trips = hn_cdiv(d, t);

	if (!unit)
		return 0;
	return (trips - 1) * hn_cdiv(t, unit) + hn_cdiv(d - (trips - 1) * t, unit);
}

int map_cands_build(int64_t d, int64_t unit, int64_t cap, struct map_cands *c)
{
	/* Within one trip count T = ceil(d/t) the model sees t through the fold sum F(t) (array
	 * dimensions only), the buffer need (grows with t), the first tile (grows with t), the
	 * last tile d - (T-1)t (shrinks with t) and the DMA rounding of each tile size. We keep,
	 * for every (T, F) class, its smallest and its largest member, and the largest in hi[]
	 * so that the exact finish can visit the members between them: docs/mapping.md. */
	enum { CLS_MAX = 64 };
	int64_t cf[CLS_MAX], clo[CLS_MAX], chi[CLS_MAX];
	int ncls = 0;
	int64_t cur_trips = -1;
	size_t alloc = 64;

	memset(c, 0, sizeof(*c));
	c->d = d;
	c->unit = unit;
	if (cap <= MAP_CANDS_ALL) {
		/* Small dimensions: every tile size is a candidate, the restriction is exact. */
		c->t = malloc((size_t)(cap > 0 ? cap : 1) * sizeof(*c->t));
		if (!c->t)
			return HN_ENOMEM;
		for (int64_t t = 1; t <= cap; t++)
			c->t[c->n++] = t;
		return 0;
	}
	c->t = malloc(alloc * sizeof(*c->t));
	c->hi = malloc(alloc * sizeof(*c->hi));
	if (!c->t || !c->hi) {
		map_cands_release(c);
		return HN_ENOMEM;
	}
	for (int64_t t = 1; t <= cap + 1; t++) {
		int64_t trips = t <= cap ? hn_cdiv(d, t) : -2;
		int64_t f = t <= cap ? map_fold_sum(d, t, unit) : 0;
		int k;

		if (trips != cur_trips || ncls == CLS_MAX) {
			/* Flush the previous trip class (or a CLS_MAX chunk of it: its classes' member
			 * ranges then stay disjoint from the next chunk's): members ascending. */
			int64_t out[2 * CLS_MAX], ohi[2 * CLS_MAX];
			int nout = 0;
			for (int i = 0; i < ncls; i++) {
				out[nout] = clo[i];
				ohi[nout++] = chi[i];
				if (chi[i] != clo[i]) {
					out[nout] = chi[i];
					ohi[nout++] = 0;
				}
			}
			for (int i = 1; i < nout; i++) /* insertion sort, nout is tiny */
				for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
					int64_t s = out[j], sh = ohi[j];
					out[j] = out[j - 1];
					ohi[j] = ohi[j - 1];
					out[j - 1] = s;
					ohi[j - 1] = sh;
				}
			if ((size_t)(c->n + nout) > alloc) {
				alloc = 2 * alloc + (size_t)nout;
				int64_t *p = realloc(c->t, alloc * sizeof(*c->t));
				if (!p) {
					map_cands_release(c);
					return HN_ENOMEM;
				}
				c->t = p;
				p = realloc(c->hi, alloc * sizeof(*c->hi));
				if (!p) {
					map_cands_release(c);
					return HN_ENOMEM;
				}
				c->hi = p;
			}
			for (int i = 0; i < nout; i++) {
				c->t[c->n] = out[i];
				c->hi[c->n++] = ohi[i];
			}
			ncls = 0;
			cur_trips = trips;
		}
		if (t > cap)
			break;
		for (k = 0; k < ncls && cf[k] != f; k++)
			;
		if (k == ncls) {
			cf[k] = f;
			clo[k] = t;
			ncls++;
		}
		chi[k] = t;
	}
	return 0;
}

void map_cands_release(struct map_cands *c)
{
	free(c->t);
	free(c->hi);
	c->t = NULL;
	c->hi = NULL;
	c->n = 0;
}

int map_check_fits(const struct arch_layer *l, const struct hw_config *hw,
		   const struct hw_energy *e, struct map_result *out)
{
	struct map_tiling one = { 1, 1, 1, MAP_MNK };

	memset(out, 0, sizeof(*out));
	out->tiling = one;
	cost_layer(l, hw, &one, e, &out->cost);
	out->feasible = out->cost.feasible;
	if (out->feasible)
		return 0;
	snprintf(out->why, sizeof(out->why), "no tiling fits: even 1x1x1 %.60s", out->cost.why);
	return 1;
}

void map_trivial(const struct arch_layer *l, const struct hw_config *hw,
		 const struct hw_energy *e, struct map_result *out)
{
	struct map_tiling one = { 1, 1, 1, MAP_MNK };

	memset(out, 0, sizeof(*out));
	out->tiling = one;
	cost_layer(l, hw, &one, e, &out->cost);
	out->feasible = out->cost.feasible;
	if (!out->feasible)
		hn_strlcpy(out->why, out->cost.why, sizeof(out->why));
}

/* Keeps the best of the tilings in lists tm[], tn[], tk[] x every order. */
static void search(const struct arch_layer *l, const struct hw_config *hw,
		   const struct hw_energy *e, const struct arch_gemm *g,
		   const int64_t *tl[3], const int64_t nl[3], struct map_result *out)
{
	int64_t d = hw->double_buffer ? 2 : 1;
	int64_t ci = hw->ibuf_bytes / (d * hw_act_bytes(hw));
	int64_t cw = hw->wbuf_bytes / (d * hw_weight_bytes(hw));
	int64_t co = hw->obuf_bytes / (d * hw_acc_bytes(hw));
	int have = 0;

	(void)g;
	for (int64_t a = 0; a < nl[0]; a++) {
		int64_t tm = tl[0][a];
		for (int64_t b = 0; b < nl[1]; b++) {
			int64_t tn = tl[1][b];
			if (tm * tn > co)
				break;
			for (int64_t c = 0; c < nl[2]; c++) {
				int64_t tk = tl[2][c];
				if (tm * tk > ci || tk * tn > cw)
					break;
				for (int o = 0; o < MAP_ORDER_COUNT; o++) {
					struct map_tiling t = { tm, tn, tk, (enum map_order)o };
					struct cost_report r;
					if (cost_layer_below(l, hw, &t, e, have ? out->cost.cycles :
							     INT64_MAX, &r) != 0 || !r.feasible)
						continue;
					if (!have || map_report_better(&r, &out->cost)) {
						out->cost = r;
						out->tiling = t;
						have = 1;
					}
				}
			}
		}
	}
}

/* Candidate lists are ascending, so the capacity checks in search() may stop a loop early;
 * the integer lists below are ascending too. */
static int brute(const struct arch_layer *l, const struct hw_config *hw,
		 const struct hw_energy *e, int candidates_only, struct map_result *out)
{
	double t0 = map_now_ms();
	struct arch_gemm g = arch_gemm(l);
	int64_t cap[3], unit[3], nl[3];
	struct map_cands cands[3];
	const int64_t *tl[3];
	int ret = 0;

	if (g.g == 0) {
		map_trivial(l, hw, e, out);
		goto out_time;
	}
	if (map_check_fits(l, hw, e, out))
		goto out_time;
	map_dim_caps(&g, hw, cap);
	map_dim_units(hw, unit);
	memset(cands, 0, sizeof(cands));
	for (int i = 0; i < 3; i++) {
		if (candidates_only) {
			ret = map_cands_build(i == 0 ? g.m : i == 1 ? g.n : g.k, unit[i], cap[i],
					      &cands[i]);
		} else {
			cands[i].t = malloc((size_t)cap[i] * sizeof(int64_t));
			ret = cands[i].t ? 0 : HN_ENOMEM;
			for (int64_t v = 1; !ret && v <= cap[i]; v++)
				cands[i].t[cands[i].n++] = v;
		}
		if (ret < 0)
			goto out_release;
		tl[i] = cands[i].t;
		nl[i] = cands[i].n;
	}
	search(l, hw, e, &g, tl, nl, out);
out_release:
	for (int i = 0; i < 3; i++)
		map_cands_release(&cands[i]);
out_time:
	out->solve_ms = map_now_ms() - t0;
	return ret;
}

int map_brute_force(const struct arch_layer *l, const struct hw_config *hw,
		    const struct hw_energy *e, struct map_result *out)
{
	return brute(l, hw, e, 0, out);
}

int map_brute_force_candidates(const struct arch_layer *l, const struct hw_config *hw,
			       const struct hw_energy *e, struct map_result *out)
{
	return brute(l, hw, e, 1, out);
}
