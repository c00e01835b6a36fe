/* cost.c: the analytical model of docs/model.md. Pure: no allocation, no I/O, no globals.
 * Every count is summed over tile-size classes (full tiles and the smaller last tile of each
 * dimension), so one evaluation is O(1) whatever the layer's size. */
#include "cost_int.h"

#include <stdint.h>
#include <stdio.h> /* snprintf only: the model does no I/O */
#include <string.h>

#include "../common/hn.h"

/* A dimension of extent d cut in tiles of t: cnt[0] tiles of size[0] (= t) and cnt[1] = 1
 * last tile of size[1] (cnt[0] may be 0). */
struct dimcls {
	int64_t size[2], cnt[2], trips;
};

static struct dimcls dim_split(int64_t d, int64_t t)
{
	struct dimcls c;

	c.trips = hn_cdiv(d, t);
	c.size[0] = t;
	c.cnt[0] = c.trips - 1;
	c.size[1] = d - (c.trips - 1) * t;
	c.cnt[1] = 1;
	return c;
}

static int32_t pow2_at_least(double v, int32_t cap)
{
	int32_t n = 1;

	while (n < cap && (double)n < v)
		n *= 2;
	return n;
}

void cost_dma_words_per_line(const struct hw_config *hw, int32_t nb[3])
{
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	const int64_t li = hw->dataflow == HW_IS ? C : R, lw = hw->dataflow == HW_IS ? R : C;
	const double bw = hw_dram_bytes_per_cycle(hw);

	/* a line carries at least bw bytes of full words; obuf lines also carry final
	 * outputs, act bytes wide in DRAM (docs/rtl.md "Parameters") */
	nb[0] = pow2_at_least(bw / (double)(li * hw_act_bytes(hw)), 64);
	nb[1] = pow2_at_least(bw / (double)(lw * hw_weight_bytes(hw)), 64);
	nb[2] = pow2_at_least(bw / (double)(C * hw_act_bytes(hw)), 64);
}

int64_t cost_dma_request_cycles(const struct hw_config *hw, const int32_t nb[3], int which,
				int64_t rows, int64_t cols, int64_t elem_bytes)
{
	struct dmactx d;

	dmactx_init(&d, hw, nb);
	return req_cycles(&d, which, rows, cols, elem_bytes);
}

/* Number of times each tile of a tensor is fetched: the trip count of its irrelevant loop x
 * when a relevant loop with more than one trip lies below x in the order, else 1. */
static int64_t refetch(const char dims[3], const int64_t trips[3], int irrelevant)
{
	int below = 0;

	if (trips[irrelevant] <= 1)
		return 1;
	for (int i = 0; i < 3; i++) {
		if (dims[i] == irrelevant)
			below = 1;
		else if (below && trips[(int)dims[i]] > 1)
			return trips[irrelevant];
	}
	return 1;
}

/* n requests of t cycles each: into the DMA total and count, and t into the longest and
 * shortest of their kind (the fast paths of docs/model.md "Latency"). */
static inline void tally(int64_t n, int64_t t, int64_t *mem, int64_t *reqs, int64_t *longest,
			 int64_t *shortest)
{
	*mem += n * t;
	*reqs += n;
	*longest = hn_max64(*longest, t);
	*shortest = hn_min64(*shortest, t);
}

/* Buffer <-> array bytes of one step: ibuf, wbuf, obuf (docs/model.md "Energy"). */
static void step_sram(enum hw_dataflow df, int64_t R, int64_t C, int64_t sm, int64_t sn,
		      int64_t sk, int64_t ab, int64_t wb, int64_t cb, int64_t out[3])
{
	switch (df) {
	case HW_WS:
		out[0] = sm * sk * ab * hn_cdiv(sn, C);
		out[1] = sk * sn * wb;
		out[2] = 2 * sm * sn * cb * hn_cdiv(sk, R);
		break;
	case HW_OS:
		out[0] = sm * sk * ab * hn_cdiv(sn, C);
		out[1] = sk * sn * wb * hn_cdiv(sm, R);
		out[2] = 2 * sm * sn * cb;
		break;
	default:
		out[0] = sm * sk * ab;
		out[1] = sk * sn * wb * hn_cdiv(sm, C);
		out[2] = 2 * sm * sn * cb * hn_cdiv(sk, R);
		break;
	}
}

void map_buffer_need(const struct arch_gemm *g, const struct hw_config *hw,
		     const struct map_tiling *m, int64_t need[3])
{
	int64_t d = hw->double_buffer ? 2 : 1;
	int64_t tm = hn_min64(m->tm, g->m), tn = hn_min64(m->tn, g->n), tk = hn_min64(m->tk, g->k);

	need[0] = d * tm * tk * hw_act_bytes(hw);
	need[1] = d * tk * tn * hw_weight_bytes(hw);
	need[2] = d * tm * tn * hw_acc_bytes(hw);
}

static const char *const buf_names[3] = { "ibuf", "wbuf", "obuf" };

static void set_why(struct cost_report *out, int b, int64_t need, int64_t have)
{
	snprintf(out->why, sizeof(out->why), "%s: tile needs %lld B, has %lld B", buf_names[b],
		 (long long)need, (long long)have);
}

static void finish_roofline(const struct hw_config *hw, struct cost_report *out)
{
	double ops = 2.0 * (double)out->macs;

	out->stall_cycles = out->cycles - out->compute_cycles;
	out->peak_gops = 2.0 * hw->pe_rows * hw->pe_cols * hw->freq_mhz / 1000.0;
	out->op_intensity = out->dram_bytes ? ops / (double)out->dram_bytes : 0.0;
	out->bw_roof_gops = out->op_intensity * hw->dram_gbps;
	out->attained_gops = out->cycles ? ops * hw->freq_mhz / 1000.0 / (double)out->cycles : 0.0;
	out->utilization = out->cycles ?
		(double)out->macs / ((double)hw->pe_rows * hw->pe_cols * (double)out->cycles) : 0.0;
}

static void finish_energy(const struct hw_config *hw, const struct hw_energy *e,
			  struct cost_report *out)
{
	const int64_t bufs[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	double sram = 0.0;

	for (int b = 0; b < 3; b++)
		sram += (double)out->sram_bytes[b] * hw_energy_sram_pj_per_byte(e, bufs[b]);
	out->energy_pj[COST_E_MAC] = (double)out->macs *
		(hw_energy_mac_pj(e, hw->act_bits > hw->weight_bits ? hw->act_bits : hw->weight_bits) +
		 (double)(hw_act_bytes(hw) + hw_weight_bytes(hw)) * e->reg_pj_per_byte);
	out->energy_pj[COST_E_SRAM] = sram;
	out->energy_pj[COST_E_DRAM] = (double)out->dram_bytes * e->dram_pj_per_byte;
	/* static_mw x seconds, in pJ: mW * cycles / (f_MHz * 1e6) * 1e9 */
	out->energy_pj[COST_E_STATIC] = e->static_mw * (double)out->cycles / hw->freq_mhz * 1e3;
	out->energy_total_pj = out->energy_pj[0] + out->energy_pj[1] + out->energy_pj[2] +
			       out->energy_pj[3];
}

int64_t cost_vector_request_cycles(const struct hw_config *hw, int64_t g, int64_t m, int64_t ch)
{
	return vec_cycles(g, m, ch, hw->pe_cols, hw_act_bytes(hw), hw_dram_bytes_per_cycle(hw),
			  hw->dram_latency_cycles);
}

/* Pool and add: one request of the vector unit (docs/model.md "MAC-free layers"): m output
 * pixels of c channels, each from g input words (the r x s window, or the two addends). */
static void cost_vector(const struct arch_layer *l, const struct hw_config *hw,
			struct cost_report *out)
{
	const int64_t ab = hw_act_bytes(hw), ch = l->c;
	const int64_t g = l->kind == ARCH_POOL ? l->r * l->s : 2;
	const int64_t m = l->kind == ARCH_POOL ? l->n * arch_out_h(l) * arch_out_w(l) :
			  l->n * l->h * l->w;
	const double bw = hw_dram_bytes_per_cycle(hw);
	const int64_t words = g * m * hn_cdiv(ch, hw->pe_cols);

	out->cycles = vec_cycles(g, m, ch, hw->pe_cols, ab, bw, hw->dram_latency_cycles);
	out->compute_cycles = 0;       /* the array is idle */
	out->mem_cycles = out->cycles;
	out->dram_rd_a = g * m * ch * ab;
	out->dram_wr_c = m * ch * ab;
	out->dram_bytes = out->dram_rd_a + out->dram_wr_c;
	out->dram_requests = 1;
	out->memory_bound = out->cycles > words + 2;
}

/* The store of the second-to-last C visit of a double-buffered layer, 0 when there is one
 * visit. That visit ends at the step before the last visit begins: the innermost m or n
 * loop with more than one trip one short of its end, every loop inside it at its end (k
 * too: the store is final), so that dimension's tile is full and the other's the last; the
 * previous group's last visit when m and n have one trip each. */
static int64_t second_last_store(const struct dmactx *dc, const char *dims,
				 const int64_t trips[3], const struct dimcls *dm,
				 const struct dimcls *dn, int64_t groups, int64_t ab)
{
	int64_t sm = dm->size[1], sn = dn->size[1];
	int i = 2;

	while (i >= 0 && (dims[i] == MAP_DIM_K || trips[(int)dims[i]] <= 1))
		i--;
	if (i < 0 && groups <= 1)
		return 0;
	if (i >= 0 && dims[i] == MAP_DIM_M)
		sm = dm->size[0];
	else if (i >= 0)
		sn = dn->size[0];
	return final_store_cycles(dc, sm, sn, ab, NULL);
}

int cost_layer(const struct arch_layer *l, const struct hw_config *hw,
	       const struct map_tiling *m, const struct hw_energy *e, struct cost_report *out)
{
	return cost_layer_below(l, hw, m, e, INT64_MAX, out);
}

int cost_layer_below(const struct arch_layer *l, const struct hw_config *hw,
		     const struct map_tiling *m, const struct hw_energy *e, int64_t cutoff,
		     struct cost_report *out)
{
	memset(out, 0, sizeof(*out));
	out->gemm = arch_gemm(l);
	out->macs = arch_layer_macs(l);
	out->feasible = 1;

	if (out->gemm.g == 0) {
		cost_vector(l, hw, out);
		out->cycles_bound = out->cycles;
		goto out_finish;
	}
	if (m->tm <= 0 || m->tn <= 0 || m->tk <= 0 || (unsigned)m->order >= MAP_ORDER_COUNT)
		return HN_EINVAL;

	const struct arch_gemm *g = &out->gemm;
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	const int64_t ab = hw_act_bytes(hw), wb = hw_weight_bytes(hw), cb = hw_acc_bytes(hw);
	const int64_t bufs[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	int64_t need[3];

	map_buffer_need(g, hw, m, need);
	out->buf_used[0] = need[0];
	out->buf_used[1] = need[1];
	out->buf_used[2] = need[2];
	for (int b = 0; b < 3; b++) {
		if (need[b] > bufs[b]) {
			out->feasible = 0;
			set_why(out, b, need[b], bufs[b]);
			return 0;
		}
	}

	struct dimcls dm = dim_split(g->m, hn_min64(m->tm, g->m));
	struct dimcls dn = dim_split(g->n, hn_min64(m->tn, g->n));
	struct dimcls dk = dim_split(g->k, hn_min64(m->tk, g->k));
	const int64_t trips[3] = { dm.trips, dn.trips, dk.trips };
	const char *dims = map_order_dims[m->order];
	const int64_t ra = refetch(dims, trips, MAP_DIM_N);   /* A depends on m, k */
	const int64_t rb = refetch(dims, trips, MAP_DIM_M);   /* B depends on k, n */
	const int64_t vc = refetch(dims, trips, MAP_DIM_K);   /* visits of each C tile */
	int64_t compute = 0, folds = 0, mem = 0, reqs = 0, sram[3] = { 0, 0, 0 };
	/* the shortest step's compute, the longest loads of each kind and the longest store */
	int64_t cmin = INT64_MAX, wa = 0, wbq = 0, wc = 0, wst = 0;
	/* the longest step's compute, the shortest load of A and of B */
	int64_t cmax = 0, la = INT64_MAX, lb = INT64_MAX;

	/* Steps: every (m, n, k) tile-size class. */
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			for (int q = 0; q < 2; q++) {
				int64_t cnt = dm.cnt[i] * dn.cnt[j] * dk.cnt[q], f, s[3];
				if (!cnt)
					continue;
				int64_t sc = step_cycles(hw->dataflow, R, C, dm.size[i], dn.size[j],
							 dk.size[q], &f);
				compute += cnt * sc;
				cmin = hn_min64(cmin, sc);
				cmax = hn_max64(cmax, sc);
				folds += cnt * f;
				step_sram(hw->dataflow, R, C, dm.size[i], dn.size[j], dk.size[q],
					  ab, wb, cb, s);
				for (int b = 0; b < 3; b++)
					sram[b] += cnt * s[b];
			}
		}
	}
	/* DMA requests per tensor, per tile-size class. */
	int32_t nb[3];
	struct dmactx dc;
	cost_dma_words_per_line(hw, nb);
	dmactx_init(&dc, hw, nb);
	for (int i = 0; i < 2; i++) {
		for (int q = 0; q < 2; q++) {
			int64_t na = dm.cnt[i] * dk.cnt[q] * ra;
			int64_t nbq = dk.cnt[q] * dn.cnt[i] * rb;
			if (na)
				tally(na, req_cycles(&dc, COST_REQ_A, dm.size[i], dk.size[q], ab), &mem,
				      &reqs, &wa, &la);
			if (nbq)
				tally(nbq, req_cycles(&dc, COST_REQ_B, dk.size[q], dn.size[i], wb), &mem,
				      &reqs, &wbq, &lb);
		}
		for (int j = 0; j < 2; j++) {
			int64_t nc = dm.cnt[i] * dn.cnt[j];
			if (!nc)
				continue;
			const int64_t el = dm.size[i] * dn.size[j];
			const int64_t lines = req_lines(&dc, COST_REQ_C_STORE, dm.size[i], dn.size[j]);
			int64_t nq, ts = final_store_cycles(&dc, dm.size[i], dn.size[j], ab, &nq);
			mem += nc * ts;
			wst = hn_max64(wst, ts);
			reqs += nc * nq;
			if (vc > 1) {
				/* K' - 1 partial-sum passes: stored and loaded back, acc bytes */
				int64_t tp = req_time(&dc, el * cb, lines + 2);
				int64_t tl = req_time(&dc, el * cb, lines + 1);
				mem += nc * (vc - 1) * (tp + tl);
				wst = hn_max64(wst, tp);
				wc = hn_max64(wc, tl);
				reqs += 2 * nc * (vc - 1);
			}
		}
	}

	out->dram_rd_a = g->g * g->m * g->k * ab * ra;
	out->dram_rd_b = g->g * g->k * g->n * wb * rb;
	out->dram_rd_c = g->g * g->m * g->n * cb * (vc - 1);
	out->dram_wr_c = g->g * g->m * g->n * (ab + cb * (vc - 1));
	/* every final store reads its columns' output-stage parameters */
	out->dram_rd_q = g->g * dm.trips * g->n * COST_QPARAM_BYTES(cb);
	out->dram_bytes = out->dram_rd_a + out->dram_rd_b + out->dram_rd_c + out->dram_wr_c +
			  out->dram_rd_q;
	out->dram_requests = g->g * reqs;
	out->folds = g->g * folds;
	out->compute_cycles = g->g * compute;
	out->mem_cycles = g->g * mem;
	out->sram_bytes[0] = g->g * sram[0] + out->dram_rd_a;
	out->sram_bytes[1] = g->g * sram[1] + out->dram_rd_b;
	out->sram_bytes[2] = g->g * sram[2] + out->dram_rd_c + out->dram_wr_c;

	if (hw->double_buffer) {
		const int64_t fm = dm.size[dm.cnt[0] ? 0 : 1], fn = dn.size[dn.cnt[0] ? 0 : 1];
		const int64_t fk = dk.size[dk.cnt[0] ? 0 : 1];
		int64_t first = req_cycles(&dc, COST_REQ_A, fm, fk, ab) +
				req_cycles(&dc, COST_REQ_B, fk, fn, wb);
		int64_t last = req_cycles(&dc, COST_REQ_C_FINAL, dm.size[1], dn.size[1], ab);
		int64_t f, clast = step_cycles(hw->dataflow, R, C, dm.size[1], dn.size[1],
					       dk.size[1], &f);
		int64_t serial = first + out->compute_cycles + last;
		/* the closed-form bound (docs/model.md "Latency"): the last step's compute waits
		 * for its own loads, the last store for that compute, and only one store (at most
		 * a full C tile of partial sums, acc bytes) can run between them */
		int64_t stmax = hn_max64(req_time(&dc, dm.size[0] * dn.size[0] * cb,
					 req_lines(&dc, COST_REQ_C_STORE, dm.size[0], dn.size[0]) + 2),
					 final_store_cycles(&dc, dm.size[0], dn.size[0], ab, NULL));
		int64_t tail = out->mem_cycles + hn_max64(0, clast - stmax);
		out->cycles_bound = hn_max64(serial, tail);
		/* When the DMA work between two computes (at most one store and the next step's
		 * loads) never exceeds the shortest step, the array never waits after the first
		 * loads and the bound is exact (docs/model.md "Latency"); else walk the steps. */
		out->memory_bound = tail > serial;
		if (wst + wa + wbq + wc <= cmin) {
			out->cycles = serial;
		} else if (cmax <= hn_min64(la, lb)) {
			/* every step's compute fits in the next step's loads (each step loads A or
			 * B): the DMA never waits, and only the second-to-last visit's store can
			 * overlap the last compute (docs/model.md "Latency") */
			out->cycles = out->mem_cycles +
				hn_max64(0, clast - second_last_store(&dc, dims, trips, &dm,
										 &dn, g->g, ab));
		} else if (out->cycles_bound > cutoff) {
			out->cycles = out->cycles_bound; /* cannot beat the cutoff: no walk */
			return 1;
		} else {
			out->cycles = cost_steps_cycles(g, hw, m, &dc, 1);
		}
	} else {
		out->cycles = out->mem_cycles + out->compute_cycles;
		out->cycles_bound = out->cycles;
		out->memory_bound = out->mem_cycles > out->compute_cycles;
	}
out_finish:
	finish_roofline(hw, out);
	finish_energy(hw, e, out);
	return 0;
}

void cost_total_init(struct cost_total *t)
{
	memset(t, 0, sizeof(*t));
	t->feasible = 1;
}

/* Network sums saturate instead of wrapping (arch_net_check_size keeps real networks far
 * below; a caller that sums anything else sees t->saturated). */
static void sat_add(struct cost_total *t, int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		*sum = INT64_MAX;
		t->saturated = 1;
	}
}

void cost_total_add(struct cost_total *t, const struct cost_report *r, const char *layer_name)
{
	if (!r->feasible && t->feasible) {
		t->feasible = 0;
		snprintf(t->why, sizeof(t->why), "layer '%s': %s", layer_name, r->why);
	}
	sat_add(t, &t->macs, r->macs);
	sat_add(t, &t->cycles, r->cycles);
	sat_add(t, &t->compute_cycles, r->compute_cycles);
	sat_add(t, &t->stall_cycles, r->stall_cycles);
	sat_add(t, &t->dram_bytes, r->dram_bytes);
	for (int i = 0; i < 4; i++)
		t->energy_pj[i] += r->energy_pj[i];
}

void cost_total_finish(struct cost_total *t, const struct hw_config *hw)
{
	double pj = t->energy_pj[0] + t->energy_pj[1] + t->energy_pj[2] + t->energy_pj[3];

	t->latency_ms = (double)t->cycles / (hw->freq_mhz * 1e3);
	t->energy_mj = pj * 1e-9;
	t->edp_mj_ms = t->energy_mj * t->latency_ms;
	t->gops = t->latency_ms > 0 ? 2.0 * (double)t->macs / (t->latency_ms * 1e-3) / 1e9 : 0.0;
	t->utilization = t->cycles ? (double)t->macs /
		((double)hw->pe_rows * hw->pe_cols * (double)t->cycles) : 0.0;
}
