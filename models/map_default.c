/* map_default.c: the default tiling, a greedy choice used where no mapper runs (and as the
 * GLPK mapper's fallback reference). docs/model.md "Tiling". */
#include "models.h"

/* Halves v, keeping it a multiple of unit when it is at least unit. */
static int64_t shrink(int64_t v, int64_t unit)
{
	int64_t h = (v + 1) / 2;

	if (h >= unit)
		h = h / unit * unit;
	return h < 1 ? 1 : h;
}

int map_default(const struct arch_layer *l, const struct hw_config *hw, struct map_tiling *m)
{
	struct arch_gemm g = arch_gemm(l);
	const int64_t bufs[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	/* The two GEMM dimensions each buffer holds: ibuf (m, k), wbuf (k, n), obuf (m, n). */
	static const int pair[3][2] = { { 0, 2 }, { 2, 1 }, { 0, 1 } };
	int64_t t[3], unit[3];
	struct hw_energy e = hw_energy_default();

	m->order = MAP_MNK;
	if (g.g == 0) {
		m->tm = m->tn = m->tk = 1;
		return 0;
	}
	t[0] = g.m;
	t[1] = g.n;
	t[2] = g.k;
	unit[0] = hw->dataflow == HW_OS ? hw->pe_rows : hw->pe_cols;
	unit[1] = hw->pe_cols;
	unit[2] = hw->pe_rows;
	for (;;) {
		struct map_tiling cur = { t[0], t[1], t[2], MAP_MNK };
		int64_t need[3];
		double worst = 1.0;
		int wb = -1;

		map_buffer_need(&g, hw, &cur, need);
		for (int b = 0; b < 3; b++) {
			double r = (double)need[b] / (double)bufs[b];
			if (r > worst) {
				worst = r;
				wb = b;
			}
		}
		if (wb < 0)
			break;
		int d0 = pair[wb][0], d1 = pair[wb][1];
		int d = t[d0] >= t[d1] ? d0 : d1;
		if (t[d] == 1)
			d = d == d0 ? d1 : d0;
		if (t[d] == 1) {
			m->tm = m->tn = m->tk = 0;
			return 0;
		}
		t[d] = shrink(t[d], unit[d]);
	}
	m->tm = t[0];
	m->tn = t[1];
	m->tk = t[2];
	/* Of the six loop orders, the one the model likes best for these tiles. */
	int64_t best = -1;
	for (int o = 0; o < MAP_ORDER_COUNT; o++) {
		struct map_tiling cand = { t[0], t[1], t[2], (enum map_order)o };
		struct cost_report r;
		if (cost_layer(l, hw, &cand, &e, &r) == 0 && r.feasible &&
		    (best < 0 || r.cycles < best)) {
			best = r.cycles;
			m->order = (enum map_order)o;
		}
	}
	return 0;
}
