/* test_sim_fuzz.c: the generative RTL test. Random legal configs from the whole documented
 * range of every field (docs/hw_config.md), random layers of every kind and random tilings in
 * every loop order, each simulated on the RTL through Verilator and checked: every output
 * bit-exact against the C reference, and the RTL's cycles (latency, array busy, DMA busy,
 * bytes, requests) equal to the analytical model's (docs/model.md).
 *
 * A verilated model is built per RTL parameter set (tens of seconds), so a run draws a bounded
 * pool of "skeletons" (the config fields that are RTL parameters: array, dataflow, widths,
 * buffering, buffer depths, DMA line words) and varies the run-time fields freely around each
 * (DRAM bandwidth within the range that keeps the line words, clock, latency, buffer bytes
 * within the range that keeps the depths, the layer, the tiling).
 *
 * Every case prints its seeds; a failure prints a replay line. Environment:
 *   HWNAS_FUZZ_REPLAY=SKEL:CASE  run that one case (the two hex seeds a case prints)
 *   HWNAS_FUZZ_SEED=N            the run's seed (default: fixed, so make test is repeatable)
 *   HWNAS_FUZZ_CASES=N           cases to run (default 40; HWNAS_LONG=1: 300)
 *   HWNAS_FUZZ_SECONDS=S         keep drawing until S seconds have passed (make fuzz-rtl); the
 *                                skeleton pool grows by one every 12 cases
 *   HWNAS_FUZZ_CORNERS=N         N cases around each corner of the simulated range (the largest
 *                                arrays and memories, fixed skeletons) before the random run
 *                                (default 0; HWNAS_LONG=1: 2)
 *   HWNAS_FUZZ_CORNER=I          corner I's cases alone (with the seed's draws), nothing else
 * The fixed regression cases (failures found by this test, kept) run first, always. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "../sim/sim.h"

/* ---- random numbers: splitmix64, one state per draw sequence ---- */

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t seed_of(uint64_t base, uint64_t i)
{
	uint64_t s = base ^ (i * 0xd1b54a32d192ed03ULL);

	return mix(&s);
}

static int64_t uni(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(mix(s) % (uint64_t)(hi - lo + 1));
}

static double unif(uint64_t *s)
{
	return (double)(mix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int chance(uint64_t *s, double p)
{
	return unif(s) < p;
}

/* log-uniform in [lo, hi] */
static double logu(uint64_t *s, double lo, double hi)
{
	return lo * pow(hi / lo, unif(s));
}

static int64_t logi(uint64_t *s, int64_t lo, int64_t hi)
{
	int64_t v = (int64_t)floor(logu(s, (double)lo, (double)hi + 1.0));

	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- limits that keep one case cheap ---- */

#define CASE_TRIES 40               /* draws per case before it is skipped */

/* What one case may cost: MACs of the layer, the model's latency, and latency x PEs (the
 * simulation's work). The corners of the range (below) allow larger layers, so that a
 * 128 x 128 array sees dimensions above its own. */
struct caps {
	int64_t macs, cycles;
	double pe_cycles;
	int array_only;         /* redraw pooling and adds (the vector unit) */
};

static const struct caps random_caps = { 40000, 400000, 6.0e7, 0 };

/* ---- skeletons: the config fields that are RTL parameters ---- */

static const int bit_choices[3] = { 4, 8, 16 };

/* DRAM bytes per cycle: from 0.1 GB/s at 2000 MHz to 10,000 GB/s at 1 MHz (docs/hw_config.md) */
#define BW_MIN 0.05
#define BW_MAX 1e7

/* A clock and a bandwidth in their ranges with bw bytes per cycle: freq in
 * [max(1, 100 / bw), min(2000, 1e7 / bw)] keeps dram_gbps = bw x freq / 1000 in [0.1, 10000].
 * top = 1: the highest clock. */
static void set_bw(uint64_t *s, struct hw_config *hw, double bw, int top)
{
	double lo = 100.0 / bw > 1 ? 100.0 / bw : 1, hi = 1e7 / bw < 2000 ? 1e7 / bw : 2000;

	hw->freq_mhz = top || hi <= lo ? hi : logu(s, lo, hi);
	hw->dram_gbps = bw * hw->freq_mhz / 1000.0;
	if (hw->dram_gbps > 10000)
		hw->dram_gbps = 10000;
	if (hw->dram_gbps < 0.1)
		hw->dram_gbps = 0.1;
}

static struct hw_config draw_skeleton(uint64_t seed)
{
	struct hw_config hw = hw_config_default();
	uint64_t s = seed;
	int cls = (int)uni(&s, 0, 99);
	int lo_acc;

	if (cls < 55) {                 /* small arrays, the bulk */
		hw.pe_rows = (int)uni(&s, 1, 4);
		hw.pe_cols = (int)uni(&s, 1, 4);
	} else if (cls < 85) {          /* mid, rectangular */
		hw.pe_rows = (int)logi(&s, 1, 16);
		hw.pe_cols = (int)logi(&s, 1, 16);
	} else if (cls < 95) {          /* one long side: up to the largest the RTL runs */
		int64_t big = chance(&s, 0.5) ? 128 : logi(&s, 17, 128);
		int64_t small = uni(&s, 1, 3);
		hw.pe_rows = (int)(chance(&s, 0.5) ? big : small);
		hw.pe_cols = (int)(hw.pe_rows == big ? small : big);
	} else {                        /* a large square */
		/* (up to 40 x 40 so that a pool's builds stay cheap; the largest arrays are the
		 * fixed corners below, corner_skeleton) */
		hw.pe_rows = hw.pe_cols = (int)(chance(&s, 0.5) ? 32 : logi(&s, 17, 40));
	}
	hw.dataflow = (enum hw_dataflow)uni(&s, 0, HW_DF_COUNT - 1);
	hw.act_bits = bit_choices[uni(&s, 0, 2)];
	hw.weight_bits = bit_choices[uni(&s, 0, 2)];
	lo_acc = hw.act_bits + hw.weight_bits;
	switch (uni(&s, 0, 3)) {
	case 0: hw.acc_bits = lo_acc; break;              /* wraps on the second MAC */
	case 1: hw.acc_bits = 64; break;
	default: hw.acc_bits = (int)uni(&s, lo_acc, 64); break;
	}
	hw.double_buffer = (int)uni(&s, 0, 1);
	{
		/* small buffers mostly (the smallest tilings), some large ones; the depth is one
		 * word per element, so the verilated memories grow with the bytes */
		uint64_t s2 = seed ^ 0xb0ffe25ULL;
		int64_t pes = (int64_t)hw.pe_rows * hw.pe_cols;
		int64_t cap = pes > 64 ? 8192 : pes <= 16 && chance(&s2, 0.1) ? 4 << 20 : 65536;
		hw.ibuf_bytes = logi(&s, 64, cap);
		hw.wbuf_bytes = logi(&s, 64, cap);
		hw.obuf_bytes = logi(&s, 64, cap);
	}
	{
		/* bytes per cycle from tiny (a request of a few bytes takes thousands of cycles) to
		 * far above a line of 64 words; clock and bandwidth inside their ranges */
		set_bw(&s, &hw, logu(&s, BW_MIN, 1.5e4), 0);
	}
	hw.dram_latency_cycles = 10;
	hw.device[0] = '\0';
	{
		/* mac_packing: 3 in 10 skeletons none, the others one of the packings legal
		 * beside the drawn dataflow and widths (a stream of its own, so the fields above
		 * are drawn as before it existed) */
		uint64_t s3 = seed ^ 0x9ac4ULL;
		enum hw_packing legal[HW_PACK_COUNT];
		int n = 0;
		for (int pk = 1; pk < HW_PACK_COUNT; pk++) {
			struct hn_err e = { 0 };
			if (!hw_packing_check(&hw, (enum hw_packing)pk, &e))
				legal[n++] = (enum hw_packing)pk;
		}
		if (n && chance(&s3, 0.7))
			hw.mac_packing = legal[uni(&s3, 0, n - 1)];
	}
	return hw;
}

static int params_equal(const struct sim_rtl_params *a, const struct sim_rtl_params *b)
{
	return a->rows == b->rows && a->cols == b->cols && a->df == b->df &&
	       a->a_bits == b->a_bits && a->w_bits == b->w_bits && a->acc_bits == b->acc_bits &&
	       a->dbuf == b->dbuf && a->idepth == b->idepth && a->wdepth == b->wdepth &&
	       a->odepth == b->odepth && a->inb == b->inb && a->wnb == b->wnb && a->onb == b->onb &&
	       a->pack == b->pack;
}

/* The bytes per cycle that keep the skeleton's line words: nb = n means bw / unit in
 * (n / 2, n] (n = 1: (0, 1]; n = 64: above 32), unit = lanes x element bytes. */
static void bw_window(const struct hw_config *hw, const int32_t nb[3], double *lo, double *hi)
{
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	const int64_t li = hw->dataflow == HW_IS ? C : R, lw = hw->dataflow == HW_IS ? R : C;
	const double unit[3] = { (double)(li * hw_act_bytes(hw)), (double)(lw * hw_weight_bytes(hw)),
				 (double)(C * hw_act_bytes(hw)) };

	*lo = 0;
	*hi = 1e300;
	for (int b = 0; b < 3; b++) {
		double l = nb[b] == 1 ? 0 : unit[b] * nb[b] / 2, h = nb[b] == 64 ? 1e300 : unit[b] * nb[b];
		*lo = l > *lo ? l : *lo;
		*hi = h < *hi ? h : *hi;
	}
}

/* Buffer bytes with the same verilated depth as `bytes` (sim_rtl_params_from_hw: depth =
 * ceil(max(bytes / d / eb, 1) / nb) x nb), at least 64. */
static void bytes_window(int64_t bytes, int64_t d, int64_t eb, int64_t nb, int64_t *lo,
			 int64_t *hi)
{
	int64_t depth = hn_cdiv(hn_max64(bytes / d / eb, 1), nb) * nb;

	*lo = depth == nb ? 64 : (depth - nb + 1) * d * eb;
	*hi = (depth + 1) * d * eb - 1;
	*lo = hn_max64(*lo, 64);
}

/* ---- one case ---- */

struct fcase {
	struct hw_config hw;
	struct arch_layer l;
	struct map_tiling m;
	int outq_full;           /* output-stage parameters from their whole range (sim.h) */
	uint64_t data_seed;      /* inputs, weights and those parameters (0: sim's default) */
};

static int64_t dim(uint64_t *s, int64_t lanes)
{
	switch (uni(s, 0, 5)) {
	case 0: return 1;
	case 1: return uni(s, 1, lanes + 1);
	case 2: return lanes * uni(s, 2, 4) + uni(s, 0, 1);     /* far above the array */
	default: return logi(s, 1, 40);
	}
}

static struct arch_layer draw_layer(uint64_t *s, const struct hw_config *hw)
{
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	struct arch_layer l;
	int kind = (int)uni(s, 0, 11);

	if (kind < 4) {
		/* conv: plain, strided, dilated, grouped, depthwise, rectangular filters */
		int gk = (int)uni(s, 0, 3);
		int64_t g = gk == 0 ? uni(s, 2, 3) : 1, cg = uni(s, 1, 4), kg = dim(s, C);
		int64_t n = uni(s, 1, 2), r = uni(s, 1, 3), t = uni(s, 1, 3);
		if (gk == 1) {          /* depthwise */
			g = uni(s, 1, 8);
			cg = kg = 1;
		}
		if (kg > 12)
			kg = 12;
		l = arch_conv("conv", n, g * cg, uni(s, 1, 9), uni(s, 1, 9), g * kg, r, 1, 0,
			      (int32_t)g);
		l.s = t;
		l.stride_h = (int32_t)uni(s, 1, 3);
		l.stride_w = (int32_t)uni(s, 1, 3);
		l.dil_h = (int32_t)(chance(s, 0.25) ? uni(s, 2, 3) : 1);
		l.dil_w = (int32_t)(chance(s, 0.25) ? uni(s, 2, 3) : 1);
		l.pad_h = (int32_t)uni(s, 0, r);
		l.pad_w = (int32_t)uni(s, 0, t);
	} else if (kind < 6) {
		l = arch_fc("fc", uni(s, 1, 5), dim(s, R), dim(s, C));
	} else if (kind == 10) {
		/* the vector unit: max or average pooling (padding, strides, global) */
		int64_t h = uni(s, 1, 9), w = uni(s, 1, 9), r = uni(s, 1, 4), c = dim(s, C);
		int glob = chance(s, 0.2);
		if (c > 12)
			c = 12;
		if (glob)
			w = h;
		l = arch_pool("pool", uni(s, 1, 2), c, h, w, glob ? h : r, (int32_t)uni(s, 1, 3),
			      glob ? 0 : (int32_t)uni(s, 0, r / 2), chance(s, 0.5));
	} else if (kind == 11) {
		int64_t c = dim(s, C);
		l = arch_add("add", uni(s, 1, 2), c > 24 ? 24 : c, uni(s, 1, 9), uni(s, 1, 9));
	} else {
		l = arch_matmul("mm", chance(s, 0.3) ? uni(s, 2, 3) : 1, dim(s, R), dim(s, R),
				dim(s, C));
	}
	return l;
}

/* A tiling in a random loop order, shrunk until it fits the buffers (halving the larger
 * tile of the buffer that overflows the most). Tiles may exceed the extents (clamped). */
static struct map_tiling draw_tiling(uint64_t *s, const struct arch_gemm *g,
				     const struct hw_config *hw)
{
	const int64_t ext[3] = { g->m, g->n, g->k };
	const int64_t unit[3] = { hw->pe_rows, hw->pe_cols, hw->pe_rows };
	const int64_t bufs[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	static const int pair[3][2] = { { 0, 2 }, { 2, 1 }, { 0, 1 } };
	int64_t t[3], need[3];
	struct map_tiling m;

	for (int i = 0; i < 3; i++) {
		switch (uni(s, 0, 4)) {
		case 0: t[i] = 1; break;
		case 1: t[i] = ext[i] + uni(s, 0, 2); break;
		case 2: t[i] = unit[i] * uni(s, 1, 3); break;
		default: t[i] = uni(s, 1, ext[i]); break;
		}
	}
	m.order = (enum map_order)uni(s, 0, MAP_ORDER_COUNT - 1);
	for (;;) {
		double worst = 1.0;
		int wb = -1;
		m.tm = t[0];
		m.tn = t[1];
		m.tk = t[2];
		map_buffer_need(g, hw, &m, need);
		for (int b = 0; b < 3; b++)
			if ((double)need[b] / (double)bufs[b] > worst) {
				worst = (double)need[b] / (double)bufs[b];
				wb = b;
			}
		if (wb < 0)
			break;
		int d0 = pair[wb][0], d1 = pair[wb][1];
		int64_t c0 = hn_min64(t[d0], ext[d0]), c1 = hn_min64(t[d1], ext[d1]);
		int d = c0 >= c1 ? d0 : d1;
		t[d] = hn_cdiv(hn_min64(t[d], ext[d]), 2);
	}
	return m;
}

/* Draws the run-time fields of a case around skeleton sk. Returns 0, or 1 when the case is
 * too expensive to simulate (the caller draws again). */
static int draw_case(uint64_t seed, const struct hw_config *sk, const struct caps *cap,
		     struct fcase *fc)
{
	uint64_t s = seed;
	struct hw_config hw = *sk;
	struct sim_rtl_params want, got;
	struct hw_energy e = hw_energy_default();
	struct cost_report c;
	int32_t nb[3];
	double lo, hi;
	int64_t d = hw.double_buffer ? 2 : 1;
	const int64_t eb[3] = { hw_act_bytes(&hw), hw_weight_bytes(&hw), hw_acc_bytes(&hw) };
	int64_t *bytes[3] = { &hw.ibuf_bytes, &hw.wbuf_bytes, &hw.obuf_bytes };
	int64_t blo[3], bhi[3];

	sim_rtl_params_from_hw(sk, &want);
	cost_dma_words_per_line(sk, nb);
	/* bandwidth: anywhere that keeps the line words */
	bw_window(&hw, nb, &lo, &hi);
	if (hi > 1e200)
		hi = lo * 8;
	lo = lo > BW_MIN ? lo : BW_MIN;
	hi = hi < BW_MAX ? hi : BW_MAX;
	{
		double bw = logu(&s, lo * 1.0001, hi);
		set_bw(&s, &hw, bw, chance(&s, 0.5));
	}
	/* latency: 0, small, or large */
	switch (uni(&s, 0, 3)) {
	case 0: hw.dram_latency_cycles = 0; break;
	case 1: hw.dram_latency_cycles = uni(&s, 1, 4); break;
	case 2: hw.dram_latency_cycles = logi(&s, 5, 200); break;
	default: hw.dram_latency_cycles = logi(&s, 200, 100000); break;
	}
	/* the layer and a tiling that fits the largest buffers of the same depths */
	for (int b = 0; b < 3; b++) {
		int32_t n = b == 0 ? want.inb : b == 1 ? want.wnb : want.onb;
		bytes_window(*bytes[b], d, eb[b], n, &blo[b], &bhi[b]);
		*bytes[b] = bhi[b];
	}
	fc->l = draw_layer(&s, &hw);
	if (arch_out_h(&fc->l) < 1 || arch_out_w(&fc->l) < 1)
		return 1;
	if (cap->array_only && (fc->l.kind == ARCH_POOL || fc->l.kind == ARCH_ADD))
		return 1;
	struct arch_gemm g = arch_gemm(&fc->l);
	if (g.g * g.m * g.n * g.k > cap->macs)
		return 1;
	fc->m = g.g ? draw_tiling(&s, &g, &hw) : (struct map_tiling){ 1, 1, 1, MAP_MNK };
	/* buffers: the tightest the tiling fits (within the depth window), or anywhere above */
	{
		int64_t need[3];
		map_buffer_need(&g, &hw, &fc->m, need);
		for (int b = 0; b < 3; b++) {
			int64_t l0 = hn_max64(blo[b], need[b]);
			*bytes[b] = chance(&s, 0.5) ? l0 : uni(&s, l0, bhi[b]);
		}
	}
	sim_rtl_params_from_hw(&hw, &got);
	if (!params_equal(&want, &got)) {
		/* a rounding at a window's edge: keep the skeleton's clock and bandwidth */
		hw.freq_mhz = sk->freq_mhz;
		hw.dram_gbps = sk->dram_gbps;
		sim_rtl_params_from_hw(&hw, &got);
		if (!params_equal(&want, &got))
			return 2;
	}
	if (cost_layer(&fc->l, &hw, &fc->m, &e, &c) == 0 && c.feasible &&
	    (c.cycles > cap->cycles ||
	     (double)c.cycles * (double)(hw.pe_rows * hw.pe_cols) > cap->pe_cycles))
		return 1;
	fc->hw = hw;
	/* the output stage: half the cases draw its parameters from their whole range */
	fc->outq_full = chance(&s, 0.5);
	fc->data_seed = mix(&s);
	return 0;
}

static void describe(const struct fcase *fc, char *buf, size_t n)
{
	const struct hw_config *hw = &fc->hw;
	const struct arch_layer *l = &fc->l;
	char ts[96];

	map_tiling_format(&fc->m, ts, sizeof(ts));
	snprintf(buf, n, "hw {rows %d cols %d %s a%d w%d acc%d pack %s %s ibuf %" PRId64 " wbuf %" PRId64
		 " obuf %" PRId64 " freq %.17g gbps %.17g lat %" PRId64 "} %s n%" PRId64 " c%"
		 PRId64 " h%" PRId64 " w%" PRId64 " k%" PRId64 " r%" PRId64 " s%" PRId64
		 " stride %d,%d pad %d,%d dil %d,%d groups %d; %s", hw->pe_rows, hw->pe_cols,
		 hw_dataflow_name(hw->dataflow), hw->act_bits, hw->weight_bits, hw->acc_bits,
		 hw_packing_name(hw->mac_packing), hw->double_buffer ? "double" : "single",
		 hw->ibuf_bytes, hw->wbuf_bytes,
		 hw->obuf_bytes, hw->freq_mhz, hw->dram_gbps, (int64_t)hw->dram_latency_cycles,
		 arch_kind_name(l->kind), l->n, l->c, l->h, l->w, l->k, l->r, l->s, l->stride_h,
		 l->stride_w, l->pad_h, l->pad_w, l->dil_h, l->dil_w, l->groups, ts);
}

struct tally {
	int cases, failures, skipped;
	int kind[5], df[HW_DF_COUNT]; /* cases by layer kind (conv, fc, matmul, pool, add) and
				       * dataflow */
	int64_t sim_cycles;
	double build_s, sim_s;
	struct sim_rtl_params seen[256];
	int nseen, nbuilt;
};

/* Runs one case: the checks of docs/model.md's exactness claim. Returns 1 when it failed. */
static int run_case(const struct fcase *fc, const char *tag, struct tally *t)
{
	struct sim_result r;
	struct cost_report c;
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct sim_rtl_params p;
	char desc[600];
	int64_t prog = -1;
	int bad = 0, before = test_failed_checks;

	describe(fc, desc, sizeof(desc));
	sim_rtl_params_from_hw(&fc->hw, &p);
	{
		int known = 0;
		for (int i = 0; i < t->nseen; i++)
			known |= params_equal(&t->seen[i], &p);
		if (!known && t->nseen < 256)
			t->seen[t->nseen++] = p;
	}
	if (hw_config_check(&fc->hw, "fuzz", &err)) {
		fprintf(stderr, "  %s: drew an illegal config: %s\n  %s\n", tag, err.msg, desc);
		CHECK(0);
		return 1;
	}
	if (cost_layer(&fc->l, &fc->hw, &fc->m, &e, &c) || !c.feasible) {
		fprintf(stderr, "  %s: the model refuses a tiling that fits: %s\n  %s\n", tag, c.why,
			desc);
		CHECK(0);
		return 1;
	}
	if (sim_program_cycles(&fc->l, &fc->hw, &fc->m, &prog, &err) == 0)
		CHECK_EQ_I64(prog, c.cycles);
	else
		bad = 1;
	{
		struct sim_options o;
		sim_options_init(&o);
		o.outq_full = fc->outq_full;
		if (fc->data_seed)
			o.seed = fc->data_seed;
		if (!bad && sim_layer(&fc->l, &fc->hw, &fc->m, &o, &r, &err) != 0)
			bad = 1;
	}
	if (bad) {
		fprintf(stderr, "  %s: %s\n", tag, err.msg);
		CHECK(0);
	} else {
		t->sim_cycles += r.sim_cycles;
		t->build_s += r.build_seconds;
		t->sim_s += r.sim_seconds;
		t->nbuilt += r.built;
		char built[40] = "";
		if (r.built)
			snprintf(built, sizeof(built), " [built in %.0f s]", r.build_seconds);
		printf("  %s %s %s%s a%d w%d acc%d %s %s nb %d/%d/%d bw %.3g lat %d oq %s zp %"
		       PRId64 " [%" PRId64 ",%" PRId64 "]: rtl %" PRId64 " model %" PRId64
		       " exact %d (%" PRId64 " outputs)%s\n", tag,
		       hw_dataflow_name(fc->hw.dataflow), arch_kind_name(fc->l.kind),
		       fc->l.groups > 1 ? " grouped" : "", fc->hw.act_bits, fc->hw.weight_bits,
		       fc->hw.acc_bits, hw_packing_name(fc->hw.mac_packing),
		       fc->hw.double_buffer ? "db" : "sb", p.inb, p.wnb, p.onb,
		       hw_dram_bytes_per_cycle(&fc->hw), (int)fc->hw.dram_latency_cycles,
		       fc->outq_full ? "full" : "real", r.out_zp, r.out_lo, r.out_hi, r.rtl_cycles,
		       c.cycles, r.bit_exact, r.outputs, built);
		if (!r.bit_exact)
			fprintf(stderr, "  %s: %" PRId64 " of %" PRId64 " outputs differ\n", tag,
				r.mismatches, r.outputs);
		CHECK(r.bit_exact);
		CHECK_EQ_I64(r.rtl_cycles, c.cycles);
		CHECK_EQ_I64(r.dma_bus_extra, 0);
		CHECK_EQ_I64(r.array_busy, c.compute_cycles);
		CHECK_EQ_I64(r.dma_busy, c.mem_cycles);
		CHECK_EQ_I64(r.dram_bytes, c.dram_bytes);
		CHECK_EQ_I64(r.dma_requests, c.dram_requests);
	}
	t->cases++;
	t->kind[fc->l.kind == ARCH_CONV ? 0 : fc->l.kind == ARCH_FC ? 1 :
		fc->l.kind == ARCH_POOL ? 3 : fc->l.kind == ARCH_ADD ? 4 : 2]++;
	t->df[fc->hw.dataflow]++;
	if (test_failed_checks != before) {
		t->failures++;
		fprintf(stderr, "  FAILED %s\n  %s\n", tag, desc);
		return 1;
	}
	return 0;
}

/* Draws and runs a case around skeleton sk (named skel, its replay name: a seed in hex or
 * cornerN) from case_seed; tries derived case seeds until one is within the caps. */
static int fuzz_around(const struct hw_config *sk, const char *skel, uint64_t case_seed,
		       int replay, const struct caps *cap, struct tally *t)
{
	struct fcase fc;
	char tag[128];

	for (int i = 0; i < CASE_TRIES; i++) {
		uint64_t cs = replay ? case_seed : seed_of(case_seed, (uint64_t)i);
		int rc = draw_case(cs, sk, cap, &fc);
		if (rc == 2) {
			fprintf(stderr, "  case %s:%016" PRIx64 ": the run-time fields changed the "
				"RTL parameters (a test bug)\n", skel, cs);
			CHECK(0);
			return 1;
		}
		if (rc && !replay)
			continue;
		snprintf(tag, sizeof(tag), "case %s:%016" PRIx64 " %dx%d", skel, cs, sk->pe_rows,
			 sk->pe_cols);
		if (rc)
			printf("  %s: over the cost limits, run anyway (replay)\n", tag);
		if (run_case(&fc, tag, t)) {
			fprintf(stderr, "  replay: HWNAS_FUZZ_REPLAY=%s:%016" PRIx64
				" build/tests/test_sim_fuzz\n", skel, cs);
			return 1;
		}
		return 0;
	}
	t->skipped++;
	return 0;
}

/* The same for a drawn skeleton (skeleton seed, case seed). */
static int fuzz_one(uint64_t skel_seed, uint64_t case_seed, int replay, struct tally *t)
{
	struct hw_config sk = draw_skeleton(skel_seed);
	char skel[24];

	snprintf(skel, sizeof(skel), "%016" PRIx64, skel_seed);
	return fuzz_around(&sk, skel, case_seed, replay, &random_caps, t);
}

/* ---- fixed regression cases: failures this test found, kept as explicit cases ---- */

static struct hw_config reg_hw(int rows, int cols, enum hw_dataflow df, int a, int w, int acc,
			       int dbuf, int64_t ib, int64_t wb, int64_t ob, double freq,
			       double gbps, int64_t lat)
{
	struct hw_config hw = hw_config_default();

	hw.pe_rows = rows;
	hw.pe_cols = cols;
	hw.dataflow = df;
	hw.act_bits = a;
	hw.weight_bits = w;
	hw.acc_bits = acc;
	hw.double_buffer = dbuf;
	hw.ibuf_bytes = ib;
	hw.wbuf_bytes = wb;
	hw.obuf_bytes = ob;
	hw.freq_mhz = freq;
	hw.dram_gbps = gbps;
	hw.dram_latency_cycles = (int32_t)lat;
	hw.device[0] = '\0';
	return hw;
}

/* A DMA line of 64 words (a narrow array with a fast memory, 5,000 B/cycle): rtl/hwnas_dma.v's
 * line count shifted by at most 5 (32 words), so a request wrote about twice its lines, past
 * its half, and took the extra beats' cycles. */
static void sim_should_be_exact_with_dma_lines_of_64_words(void)
{
	struct tally t = { 0 };
	struct fcase fc;

	memset(&fc, 0, sizeof(fc));
	/* single-buffered, a tile that fills the half: the extra beats wrapped around the
	 * line address and overwrote the tile with zeros (8 of 8 outputs wrong) */
	fc.hw = reg_hw(1, 1, HW_WS, 8, 8, 32, 0, 64, 64, 256, 200, 1000, 3);
	fc.l = arch_matmul("mm64", 1, 8, 8, 1);
	fc.m = (struct map_tiling){ 8, 1, 8, MAP_MNK };
	run_case(&fc, "regression nb64 full half", &t);
	/* the extra beats' cycles: 24 more than the model (4,642 for 4,618) */
	fc.hw = reg_hw(2, 2, HW_IS, 4, 8, 16, 0, 4096, 4096, 8192, 100, 5000, 0);
	fc.l = arch_conv("conv64", 1, 3, 9, 9, 4, 3, 1, 1, 1);
	fc.m = (struct map_tiling){ 81, 4, 27, MAP_KNM };
	run_case(&fc, "regression nb64 is", &t);
}

/* Arrays of more than 65 rows or columns: the skew and deskew delay lines were arrays of
 * registers shifted in a loop, which Verilator refuses to build beyond its unroll limit
 * (BLKLOOPINIT); found as case f554e80969d4a703:de1f9417ae054d1e. */
static void sim_should_build_and_be_exact_on_arrays_above_65_lanes(void)
{
	struct tally t = { 0 };
	struct fcase fc;

	memset(&fc, 0, sizeof(fc));
	fc.hw = reg_hw(3, 128, HW_IS, 8, 8, 42, 0, 315, 3375, 1062, 2000, 0.17264807750254618, 106);
	fc.l = arch_conv("conv", 1, 3, 6, 7, 1, 3, 1, 1, 1);
	fc.l.s = 1;
	fc.l.stride_w = 3;
	fc.l.pad_w = 0;
	fc.l.dil_w = 2;
	fc.m = (struct map_tiling){ 7, 128, 4, MAP_MNK };
	run_case(&fc, "regression 3x128 is", &t);
	fc.hw = reg_hw(70, 2, HW_OS, 4, 4, 8, 1, 1024, 1024, 1024, 200, 3, 7);
	fc.l = arch_matmul("mm", 1, 71, 5, 3);
	fc.m = (struct map_tiling){ 71, 3, 2, MAP_NKM };
	run_case(&fc, "regression 70x2 os", &t);
}

/* The array's read address runs past a tile's last word; with a depth that is not a power
 * of two in lines it went past the scratchpad's last line, which Verilator's code read
 * (out of bounds) before checking: with 9,216-bit lines the harness crashed (SIGSEGV).
 * Found as case 1bcb0fad1f003789:ca7c4ffffd6b435c. */
static void sim_should_not_read_past_a_scratchpad_with_wide_lines(void)
{
	struct tally t = { 0 };
	struct fcase fc;

	memset(&fc, 0, sizeof(fc));
	fc.hw = reg_hw(13, 9, HW_IS, 16, 4, 20, 1, 2308, 120, 365, 2000, 2641.868964058212, 0);
	fc.l = arch_conv("conv", 2, 4, 9, 6, 4, 2, 2, 1, 4);
	fc.l.stride_w = 1;
	fc.l.pad_w = 0;
	fc.l.dil_h = 3;
	fc.m = (struct map_tiling){ 32, 1, 39, MAP_NKM };
	run_case(&fc, "regression 13x9 is wide lines", &t);
}

/* The run's settings (environment, see the top of the file). */
static struct {
	uint64_t seed;
	int64_t cases;
	double seconds;
	int pool;
	int corners;            /* cases around each corner skeleton */
	int corner;             /* only this corner (HWNAS_FUZZ_CORNER), or -1 */
	time_t t0;
	struct tally t;
} run;

/* ---- the corners of the simulated range (docs/rtl.md "Parameters") ----
 *
 * The random draw keeps builds cheap (squares up to 40 x 40, buffers up to 4 MiB); the
 * largest arrays and buffers a simulation takes are fixed skeletons here, with the run-time
 * fields (bandwidth, clock, latency, buffer bytes within the depths, layer, tiling) drawn
 * around them as for any skeleton. HWNAS_LONG=1 runs two cases around each;
 * HWNAS_FUZZ_CORNERS=N runs N (a new seed's cases in make fuzz-rtl CORNERS=N). The build
 * times are in docs/validation.md. */
#define N_CORNERS 8

static const struct caps corner_caps = { 4000000, 400000, 4.0e8, 0 };

static struct hw_config corner_skeleton(int i)
{
	const int64_t K = 1024, M = 1024 * 1024;
	struct hw_config hw;

	switch (i) {
	case 0:         /* the largest array, each dataflow */
		hw = reg_hw(128, 128, HW_WS, 8, 8, 32, 1, 256 * K, 256 * K, 256 * K, 200, 19.2, 100);
		break;
	case 1:
		hw = reg_hw(128, 128, HW_OS, 8, 8, 32, 1, 256 * K, 256 * K, 256 * K, 200, 19.2, 100);
		break;
	case 2:
		hw = reg_hw(128, 128, HW_IS, 8, 8, 32, 1, 256 * K, 256 * K, 256 * K, 200, 19.2, 100);
		break;
	case 3:         /* 64 wide with packed MACs (issue 20's arrays) */
		hw = reg_hw(64, 64, HW_OS, 8, 8, 32, 1, 128 * K, 128 * K, 128 * K, 200, 19.2, 100);
		hw.mac_packing = HW_PACK_DSP2;
		break;
	case 4:         /* one row and one column at the largest */
		hw = reg_hw(1, 128, HW_WS, 16, 8, 40, 0, 64 * K, 64 * K, 64 * K, 200, 200, 10);
		break;
	case 5:
		hw = reg_hw(128, 1, HW_IS, 8, 4, 12, 1, 64 * K, 64 * K, 64 * K, 200, 19.2, 10);
		break;
	case 6:         /* the largest simulated memories: exactly SIM_MAX_BUFFER_BITS */
		hw = reg_hw(1, 1, HW_WS, 8, 8, 32, 1, 512 * M, 256 * M, 256 * M, 200, 0.4, 10);
		break;
	default:        /* large buffers with lanes and DMA lines of 64 words */
		hw = reg_hw(4, 4, HW_IS, 16, 8, 40, 1, 64 * M, 16 * M, 16 * M, 200, 60, 10);
		break;
	}
	return hw;
}

/* The largest simulated memories (corner 6, exactly SIM_MAX_BUFFER_BITS) with tiles of one
 * element, so that every step alternates halves: the second half of each buffer starts at
 * line 2^28 (ibuf) or 2^27, the top bit of the line addresses. */
static void sim_should_be_exact_with_the_largest_simulated_memories(struct tally *t)
{
	struct fcase fc;

	memset(&fc, 0, sizeof(fc));
	fc.hw = corner_skeleton(6);
	fc.l = arch_matmul("mm", 1, 2, 3, 2);
	fc.m = (struct map_tiling){ 1, 1, 1, MAP_MNK };
	run_case(&fc, "corner6 halves", t);
	fc.m = (struct map_tiling){ 1, 2, 1, MAP_KNM };
	run_case(&fc, "corner6 halves knm", t);
}

/* run.corners cases around each corner (or corner run.corner alone) from the run's seed:
 * bit-exact outputs and the model's cycles, as for any drawn case. */
static void sim_should_be_exact_at_the_corners_of_the_simulated_range(void)
{
	struct tally t = { 0 };

	for (int c = 0; c < N_CORNERS; c++) {
		struct hw_config sk = corner_skeleton(c);
		struct hn_err err = { 0 };
		char skel[16];
		if (run.corner >= 0 && c != run.corner)
			continue;
		CHECK(sim_check_hw(&sk, &err) == 0);
		snprintf(skel, sizeof(skel), "corner%d", c);
		if (c == 6)
			sim_should_be_exact_with_the_largest_simulated_memories(&t);
		for (int i = 0; i < run.corners; i++) {
			/* every other case on the array (the vector unit's cases are cheap, and a
			 * corner is about the array and the buffers) */
			struct caps cap = corner_caps;
			cap.array_only = i % 2 == 0;
			fuzz_around(&sk, skel, seed_of(run.seed ^ 0xc0c0ULL, (uint64_t)(c * 1000 + i)),
				    0, &cap, &t);
		}
	}
	printf("  corners: %d cases, %d failed, %d skipped; %d RTL parameter sets (%d built, "
	       "%.0f s); %" PRId64 " cycles simulated in %.0f s\n", t.cases, t.failures,
	       t.skipped, t.nseen, t.nbuilt, t.build_s, t.sim_cycles, t.sim_s);
	CHECK_EQ_I64(t.skipped, 0);
}

/* One step past each corner is refused before anything is built, with the field and the
 * limit in the message: an array of 129 rows or columns, and the largest-memory corner with
 * one more word in a buffer. */
static void sim_should_refuse_configs_just_beyond_the_corners(void)
{
	struct hn_err err = { 0 };
	struct hw_config hw;

	for (int c = 0; c < N_CORNERS; c++) {
		hw = corner_skeleton(c);
		CHECK(hw_config_check(&hw, NULL, &err) == 0);
		CHECK(sim_check_hw(&hw, &err) == 0);
	}
	hw = corner_skeleton(0);
	hw.pe_rows = SIM_MAX_PES + 1;
	CHECK(hw_config_check(&hw, NULL, &err) == 0);
	CHECK_EQ_I64(sim_check_hw(&hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'pe_rows' 129 is above 128");
	hw = corner_skeleton(4);
	hw.pe_cols = SIM_MAX_PES + 1;
	CHECK_EQ_I64(sim_check_hw(&hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'pe_cols' 129 is above 128");
	/* exactly SIM_MAX_BUFFER_BITS; 8 more obuf bytes are one more 32-bit word per half */
	hw = corner_skeleton(6);
	{
		struct sim_rtl_params p;
		sim_rtl_params_from_hw(&hw, &p);
		CHECK_EQ_I64(2 * (p.idepth * 8 + p.wdepth * 8 + p.odepth * 32), SIM_MAX_BUFFER_BITS);
	}
	hw.obuf_bytes += 8;
	CHECK(hw_config_check(&hw, NULL, &err) == 0);
	CHECK_EQ_I64(sim_check_hw(&hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the buffers would take 1025 MiB of simulated memory "
			   "(ibuf_bytes 512 MiB, wbuf_bytes 256 MiB, obuf_bytes 257 MiB");
	CHECK_STR_CONTAINS(err.msg, "at most 1024 MiB");
}

static void print_tally(const char *what)
{
	const struct tally *t = &run.t;

	printf("  fuzz %s: %d cases (conv %d, fc %d, matmul %d, pool %d, add %d; ws %d, os %d, "
	       "is %d), %d failed, %d skipped as too long; %d RTL parameter sets (%d built, %.0f s);"
	       " %" PRId64 " cycles simulated in %.0f s; %.0f s in all\n", what, t->cases,
	       t->kind[0], t->kind[1], t->kind[2], t->kind[3], t->kind[4], t->df[0], t->df[1], t->df[2], t->failures, t->skipped,
	       t->nseen, t->nbuilt, t->build_s, t->sim_cycles, t->sim_s,
	       difftime(time(NULL), run.t0));
}

/* Case i of the run: a skeleton from the pool (fixed in a counted run, growing by one every
 * 12 cases in a timed one) and a case seed. */
static void sim_should_match_the_model_bit_and_cycle_exactly_on_random_configs(void)
{
	printf("  run seed %#" PRIx64 " (HWNAS_FUZZ_SEED), %s\n", run.seed,
	       run.seconds > 0 ? "until the time is up" : "fixed count");
	for (int64_t i = 0;; i++) {
		if (run.seconds > 0 ? difftime(time(NULL), run.t0) >= run.seconds : i >= run.cases)
			break;
		int64_t np = run.seconds > 0 ? 1 + i / 12 : run.pool;
		uint64_t cs = seed_of(run.seed, (uint64_t)i);
		uint64_t sk = seed_of(run.seed ^ 0xa5a5a5a5ULL, (uint64_t)uni(&cs, 0, np - 1));
		fuzz_one(sk, seed_of(run.seed, (uint64_t)i + 0x100000000ULL), 0, &run.t);
		if (i % 100 == 99)
			print_tally("so far");
	}
	print_tally("total");
}

int main(void)
{
	const char *replay = getenv("HWNAS_FUZZ_REPLAY"), *e;
	const int long_run = (e = getenv("HWNAS_LONG")) && !strcmp(e, "1");

	setvbuf(stdout, NULL, _IOLBF, 0);
	run.t0 = time(NULL);
	run.seed = 34; /* its pool: 4x4 os, 6x2 ws, 2x1 os, 3x1 is (HWNAS_FUZZ_LIST=1) */
	run.cases = long_run ? 300 : 40;
	run.pool = long_run ? 10 : 4;
	run.corners = long_run ? 2 : 0;
	run.corner = -1;
	if (replay) {
		uint64_t a, b;
		int c, bad;
		if (sscanf(replay, "corner%d:%" SCNx64, &c, &b) == 2 && c >= 0 && c < N_CORNERS) {
			struct hw_config sk = corner_skeleton(c);
			char skel[16];
			snprintf(skel, sizeof(skel), "corner%d", c);
			bad = fuzz_around(&sk, skel, b, 1, &corner_caps, &run.t);
		} else if (sscanf(replay, "%" SCNx64 ":%" SCNx64, &a, &b) == 2) {
			bad = fuzz_one(a, b, 1, &run.t);
		} else {
			fprintf(stderr, "HWNAS_FUZZ_REPLAY must be SKEL:CASE (hex, or cornerN:CASE), "
				"got '%s'\n", replay);
			return 2;
		}
		if (bad)
			test_failed++;
		else
			test_passed++;
		return TEST_SUMMARY();
	}
	if ((e = getenv("HWNAS_FUZZ_SECONDS")) && e[0])
		run.seconds = strtod(e, NULL);
	if (run.seconds > 0) /* a timed run explores: a new seed each time, unless one is given */
		run.seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	if ((e = getenv("HWNAS_FUZZ_SEED")) && e[0])
		run.seed = strtoull(e, NULL, 0);
	if ((e = getenv("HWNAS_FUZZ_CASES")) && e[0])
		run.cases = strtoll(e, NULL, 0);
	if ((e = getenv("HWNAS_FUZZ_CORNERS")) && e[0])
		run.corners = (int)strtol(e, NULL, 0);
	if ((e = getenv("HWNAS_FUZZ_CORNER")) && e[0]) {
		/* one corner's cases alone, without the other tests */
		run.corner = (int)strtol(e, NULL, 0);
		if (run.corners <= 0)
			run.corners = 1;
		RUN(sim_should_be_exact_at_the_corners_of_the_simulated_range);
		return TEST_SUMMARY();
	}

	if ((e = getenv("HWNAS_FUZZ_LIST")) && !strcmp(e, "1")) {
		/* the counted run's skeletons, without simulating (to choose a seed) */
		for (int i = 0; i < run.pool; i++) {
			struct hw_config sk = draw_skeleton(seed_of(run.seed ^ 0xa5a5a5a5ULL,
								    (uint64_t)i));
			struct sim_rtl_params p;
			sim_rtl_params_from_hw(&sk, &p);
			printf("%dx%d %s a%d w%d acc%d %s %s depth %lld/%lld/%lld nb %d/%d/%d\n",
			       sk.pe_rows, sk.pe_cols, hw_dataflow_name(sk.dataflow), sk.act_bits,
			       sk.weight_bits, sk.acc_bits, hw_packing_name(sk.mac_packing),
			       sk.double_buffer ? "db" : "sb",
			       (long long)p.idepth, (long long)p.wdepth, (long long)p.odepth, p.inb,
			       p.wnb, p.onb);
		}
		return 0;
	}
	RUN(sim_should_be_exact_with_dma_lines_of_64_words);
	RUN(sim_should_build_and_be_exact_on_arrays_above_65_lanes);
	RUN(sim_should_not_read_past_a_scratchpad_with_wide_lines);
	RUN(sim_should_refuse_configs_just_beyond_the_corners);
	if (run.corners > 0)
		RUN(sim_should_be_exact_at_the_corners_of_the_simulated_range);
	RUN(sim_should_match_the_model_bit_and_cycle_exactly_on_random_configs);
	return TEST_SUMMARY();
}
