/* test_axi_model.c: the model's AXI timing (cost_layer_axi, models/cost_axi.c, docs/model.md
 * "Through the AXI top") against the AXI top itself: random GEMM, FC and conv layers with
 * random tilings in every loop order, and random pools (max or average, padded, strided,
 * global) and adds (one vector request each), at random DRAM latencies, on the small configs
 * test_axi.c builds (their verilated models are shared through the cache), each run through
 * sim_layer_axi with no back-pressure, bit-exact, and its RTL cycles compared with the
 * model's.
 *
 * The comparison is exact equality (AXI_MODEL_TOL below); the distribution of the differences
 * is printed.
 * Environment: HWNAS_AXI_MODEL_SEED=N (the run's seed, printed; default fixed),
 * HWNAS_AXI_MODEL_CASES=N (default 8; HWNAS_LONG=1: 120; of each kind), HWNAS_AXI_MODEL_CASE=I
 * (only MAC case I of the seed's draws), HWNAS_AXI_MODEL_VCASE=I (only vector case I),
 * HWNAS_AXI_MODEL_SKEL=S (every case on config S of skels[]; without
 * it case i runs on config i mod the configs in use). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_small_hw.h"
#include "../models/models.h"
#include "../sim/sim.h"

/* The configs: an array and its AXI master (bus bits, MAXB, MAXOUT). */
struct skel {
	int rows, cols;
	enum hw_dataflow df;
	int bits, dbuf, dw, maxb, maxout;
	double gbps;              /* DRAM GB/s (0: small_hw's 1.6) */
};

static const struct skel skels[] = {
	{ 2, 2, HW_WS, 8, 1, 64, 4, 4, 0 },
	{ 4, 4, HW_OS, 8, 1, 64, 16, 4, 0 },
	{ 4, 4, HW_WS, 8, 1, 128, 8, 4, 0 },
	{ 2, 2, HW_WS, 8, 1, 64, 16, 4, 0 },
	{ 3, 2, HW_IS, 16, 1, 64, 16, 4, 0 },
	{ 2, 2, HW_WS, 8, 1, 128, 4, 4, 0 },
	/* wide vector words: 8 lanes of 16 bits span two or three 64-bit beats */
	{ 2, 8, HW_WS, 16, 1, 64, 4, 4, 0 },
	/* 32 B/cycle: lines of 16 words, staging rows of 32 elements, 64-bit beats of 8 */
	{ 2, 2, HW_WS, 8, 1, 64, 16, 4, 6.4 },
	/* 256-bit buses: beats of 32 elements of 1 byte, of 16 of 2 (the packer's and
	 * unpacker's rotations and windows over more than a staging row) */
	{ 2, 2, HW_WS, 8, 1, 256, 4, 4, 0 },
	{ 4, 4, HW_OS, 16, 1, 256, 8, 4, 12.8 },
};
#define N_SKELS (sizeof(skels) / sizeof(skels[0]))
/* make test: the first three, the builds test_axi's short cases make anyway (no verilator
 * run of its own); HWNAS_LONG: all */
#define N_SKELS_SHORT 3

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t pick(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* A random layer: a GEMM, an FC or a conv (padding, stride, groups). */
static struct arch_layer draw_layer(uint64_t *s, char *what, size_t n)
{
	switch (pick(s, 0, 2)) {
	case 0: {
		int64_t m = pick(s, 1, 24), k = pick(s, 1, 24), nn = pick(s, 1, 24);
		snprintf(what, n, "gemm %lldx%lldx%lld", (long long)m, (long long)k, (long long)nn);
		return arch_matmul("gemm", 1, m, k, nn);
	}
	case 1: {
		int64_t b = pick(s, 1, 6), c = pick(s, 1, 40), k = pick(s, 1, 24);
		snprintf(what, n, "fc %lld: %lld -> %lld", (long long)b, (long long)c, (long long)k);
		return arch_fc("fc", b, c, k);
	}
	default: {
		int32_t g = (int32_t)pick(s, 1, 2), st = (int32_t)pick(s, 1, 2);
		int64_t c = g * pick(s, 1, 3), k = g * pick(s, 1, 4), h = pick(s, 3, 7);
		int64_t r = pick(s, 1, 3);
		int32_t pad = (int32_t)pick(s, 0, r / 2);
		snprintf(what, n, "conv %lld -> %lld, %lldx%lld, r %lld s %d p %d g %d",
			 (long long)c, (long long)k, (long long)h, (long long)h, (long long)r, st,
			 pad, g);
		return arch_conv("conv", 1, c, h, h, k, r, st, pad, g);
	}
	}
}

/* A random tiling that fits the buffers, in a random loop order. */
static int draw_tiling(uint64_t *s, const struct arch_layer *l, const struct hw_config *hw,
		       struct map_tiling *m)
{
	const struct arch_gemm g = arch_gemm(l);

	for (int tries = 0; tries < 200; tries++) {
		int64_t need[3];
		m->tm = pick(s, 1, g.m);
		m->tn = pick(s, 1, g.n);
		m->tk = pick(s, 1, g.k);
		m->order = (enum map_order)pick(s, 0, MAP_ORDER_COUNT - 1);
		map_buffer_need(&g, hw, m, need);
		if (need[0] <= hw->ibuf_bytes && need[1] <= hw->wbuf_bytes &&
		    need[2] <= hw->obuf_bytes)
			return 0;
	}
	return -1;
}

/* The model walks the master's structure and should equal its cycles (docs/model.md "Through
 * the AXI top": 750 of 750 random cases on main at 319157d). A case beyond
 * max(AXI_MODEL_TOL, AXI_MODEL_TOL_REL x cycles) fails, and so does a run with fewer than
 * AXI_MODEL_EXACT_PCT % exact: both say exact. */
#define AXI_MODEL_TOL 0
#define AXI_MODEL_TOL_REL 0.0
#define AXI_MODEL_EXACT_PCT 100

struct tally {
	int n, exact, worse;
	int64_t maxerr;
	double sumrel;
};

/* l under m on config k at DRAM latency lat (im2col: a conv's A as the host's matrix)
 * through the AXI top and the model; into t. Returns 0, or -1 when the run failed. */
static int run_one(const struct skel *k, int32_t lat, const struct arch_layer *lp,
		   const struct map_tiling *mp, int im2col, const char *what_in, struct tally *t,
		   const char *replay)
{
	struct hw_config hw = small_hw(k->rows, k->cols, k->df, k->bits, 32, k->dbuf);
	const struct arch_layer l = *lp;
	const struct map_tiling m = *mp;
	struct sim_axi_options ao;
	struct sim_axi_result axi;
	struct sim_result r;
	struct cost_report c;
	struct cost_axi ca;
	struct hn_err err = { 0 };
	struct hw_energy e = hw_energy_default();
	char what[120], tl[96];
	int64_t d, tol;

	hw.dram_latency_cycles = lat;
	if (k->gbps > 0)
		hw.dram_gbps = k->gbps;
	snprintf(what, sizeof(what), "%s%s", what_in, im2col ? " im2col" : "");
	map_tiling_format(&m, tl, sizeof(tl));
	sim_axi_options_init(&ao);
	ao.dw = k->dw;
	ao.maxb = k->maxb;
	ao.maxout = k->maxout;
	ao.no_win = im2col;
	cost_axi_init(&ca);
	ca.dw = k->dw;
	ca.maxb = k->maxb;
	ca.maxout = k->maxout;
	ca.im2col = im2col;
	CHECK(cost_layer_axi(&l, &hw, &m, &ca, &e, &c) == 0);
	if (!im2col && c.feasible && c.gemm.g > 0) {
		/* the whole-program entry on a one-layer program: the layer alone (its regions
		 * 4 KiB aligned, as sim_axi_place's) */
		struct cost_axi_step st = { &l, &m, { 0, 0, 0, 0, 0, 0, 0, 0, 0 } };
		int64_t tot = 0, end = 0;
		CHECK_EQ_I64(cost_net_axi(&st, 1, &hw, &ca, &e, &end, &tot, &err), 0);
		CHECK_EQ_I64(tot, c.cycles);
		CHECK_EQ_I64(end + 2, tot);
	}
	if (sim_layer_axi(&l, &hw, &m, NULL, &ao, &r, &axi, &err)) {
		printf("  %s: %s (replay: %s)\n", what, err.msg, replay);
		CHECK(0);
		sim_axi_result_release(&axi);
		return -1;
	}
	CHECK(r.bit_exact);
	d = c.cycles - r.rtl_cycles;
	tol = (int64_t)(AXI_MODEL_TOL_REL * (double)r.rtl_cycles);
	tol = tol > AXI_MODEL_TOL ? tol : AXI_MODEL_TOL;
	printf(" %dx%d %s bus %3d maxb %2d lat %2d  %-40s %-26s axi %6lld model %6lld  %+lld%s%s\n",
	       k->rows, k->cols, hw_dataflow_name(k->df), k->dw, k->maxb, hw.dram_latency_cycles,
	       what, tl, (long long)r.rtl_cycles, (long long)c.cycles, (long long)d,
	       d ? "  replay: " : "", d ? replay : "");
	fflush(stdout);
	t->n++;
	t->exact += d == 0;
	t->sumrel += r.rtl_cycles ? (double)llabs(d) / (double)r.rtl_cycles : 0;
	if (llabs(d) > t->maxerr)
		t->maxerr = llabs(d);
	if (llabs(d) > tol) {
		t->worse++;
		printf("  beyond the tolerance (%lld cycles)\n", (long long)tol);
	}
	sim_axi_result_release(&axi);
	return 0;
}

/* One drawn case: returns 0 (compared), 1 (skipped: no tiling fits) or -1 (the run failed). */
static int run_case(uint64_t seed, int si, struct tally *t, const char *replay)
{
	struct hw_config hw = small_hw(skels[si].rows, skels[si].cols, skels[si].df,
				       skels[si].bits, 32, skels[si].dbuf);
	struct map_tiling m;
	char what[96];
	uint64_t s = seed;
	const int32_t lat = (int32_t)pick(&s, 0, 64);
	const struct arch_layer l = draw_layer(&s, what, sizeof(what));

	if (draw_tiling(&s, &l, &hw, &m))
		return 1;
	/* a third of the convs as the host's im2col matrix (hwnas compile's programs) */
	return run_one(&skels[si], lat, &l, &m, l.kind == ARCH_CONV && pick(&s, 0, 2) == 0, what,
		       t, replay);
}

/* The cases the generative run found the model wrong on, each fixed (make test runs those
 * on test_axi's builds, HWNAS_LONG the rest). */
static void axi_model_should_match_the_axi_top_on_past_failures(void)
{
	struct arch_layer c1 = arch_conv("conv", 1, 4, 7, 7, 4, 3, 1, 1, 2);
	struct arch_layer c2 = arch_conv("conv", 1, 6, 6, 6, 4, 3, 1, 0, 2);
	struct arch_layer g3 = arch_matmul("gemm", 1, 20, 12, 4);
	struct arch_layer c4 = arch_conv("conv", 1, 2, 6, 6, 4, 2, 2, 0, 1);
	struct arch_layer g5 = arch_matmul("gemm", 1, 21, 8, 22);
	struct arch_layer c6 = arch_conv("conv", 1, 1, 6, 6, 4, 2, 1, 1, 1);
	struct map_tiling m1 = { 2, 2, 13, MAP_NMK }, m2 = { 7, 1, 11, MAP_MKN };
	struct map_tiling m3 = { 9, 3, 4, MAP_KNM }, m4 = { 2, 1, 2, MAP_NKM };
	struct map_tiling m5 = { 17, 1, 7, MAP_NKM }, m6 = { 14, 4, 2, MAP_NKM };
	/* seed 20261203's cases 78, 50, 15, 34, 37, 44 and 94 */
	struct arch_layer f7 = arch_fc("fc", 2, 16, 15), f8 = arch_fc("fc", 4, 21, 23);
	struct arch_layer f9 = arch_fc("fc", 6, 10, 11), f10 = arch_fc("fc", 3, 28, 12);
	struct arch_layer f11 = arch_fc("fc", 6, 13, 23), f12 = arch_fc("fc", 5, 39, 22);
	struct arch_layer g13 = arch_matmul("gemm", 1, 24, 4, 23);
	struct map_tiling m7 = { 1, 15, 12, MAP_NKM }, m8 = { 3, 10, 7, MAP_MNK };
	struct map_tiling m9 = { 1, 11, 2, MAP_NKM }, m10 = { 3, 7, 25, MAP_MNK };
	struct map_tiling m11 = { 1, 15, 4, MAP_MKN }, m12 = { 1, 13, 36, MAP_NKM };
	struct map_tiling m13 = { 13, 19, 3, MAP_MKN };
	struct arch_layer c14 = arch_conv("conv", 1, 12, 6, 6, 4, 3, 1, 1, 1);
	struct map_tiling m14 = { 6, 4, 36, MAP_MNK };
	struct tally t = { 0 };

	/* latency 0: a compute record's fetch made the 192-byte record's last bursts due
	 * before a final store's parameter read (-574 cycles) */
	run_one(&skels[1], 0, &c1, &m1, 0, "conv 4 -> 4, 7x7, r 3 p 1 g 2", &t, "regression 1");
	/* a final store's record fetch beside its W beats (-20) */
	run_one(&skels[0], 13, &c2, &m2, 0, "conv 6 -> 4, 6x6, r 3 g 2", &t, "regression 2");
	/* the bus credit at 128 bits (-8) */
	run_one(&skels[2], 17, &g3, &m3, 0, "gemm 20x12x4", &t, "regression 3");
	/* the AW issuer waited for the staging buffer's read (+1 and +2) */
	run_one(&skels[0], 14, &f7, &m7, 0, "fc 2: 16 -> 15", &t, "regression 7");
	run_one(&skels[2], 27, &f8, &m8, 0, "fc 4: 21 -> 23", &t, "regression 8");
	if (getenv("HWNAS_LONG")) {
		run_one(&skels[3], 35, &f9, &m9, 0, "fc 6: 10 -> 11", &t, "regression 9");
		run_one(&skels[4], 3, &f10, &m10, 0, "fc 3: 28 -> 12", &t, "regression 10");
		run_one(&skels[1], 61, &f11, &m11, 0, "fc 6: 13 -> 23", &t, "regression 11");
		run_one(&skels[2], 28, &f12, &m12, 0, "fc 5: 39 -> 22", &t, "regression 12");
		run_one(&skels[4], 1, &g13, &m13, 0, "gemm 24x4x23", &t, "regression 13");
		run_one(&skels[5], 0, &c4, &m4, 0, "conv 2 -> 4, 6x6, r 2 s 2", &t, "regression 4");
		/* a store's reads in time order with its W beats (-22) */
		run_one(&skels[5], 19, &g5, &m5, 0, "gemm 21x8x22", &t, "regression 5");
		/* a store's 192-byte record fetch takes AR slots (-12) */
		run_one(&skels[3], 45, &c6, &m6, 0, "conv 1 -> 4, 6x6, r 2 p 1", &t, "regression 6");
		/* a pad run of 12 elements in one staging row of 32 takes two cycles: the
		 * unpacker writes at most a beat's worth (8) a cycle (the model had one) */
		run_one(&skels[7], 20, &c14, &m14, 0, "conv 12 -> 4, 6x6, r 3 p 1", &t,
			"regression 14");
	}
	CHECK_EQ_I64(t.worse, 0);
	CHECK_EQ_I64(t.exact, t.n);
}

static void axi_model_should_match_the_axi_top_on_random_layers(void)
{
	const char *se = getenv("HWNAS_AXI_MODEL_SEED"), *ce = getenv("HWNAS_AXI_MODEL_CASES");
	const char *one = getenv("HWNAS_AXI_MODEL_CASE"), *sk = getenv("HWNAS_AXI_MODEL_SKEL");
	const int lng = getenv("HWNAS_LONG") != NULL;
	const uint64_t seed = se ? strtoull(se, NULL, 10) : 20261203;
	const int cases = ce ? atoi(ce) : lng ? 120 : 8;
	const int nsk = lng ? (int)N_SKELS : N_SKELS_SHORT;
	struct tally t = { 0 };

	printf("  seed %llu (HWNAS_AXI_MODEL_SEED), %d cases\n", (unsigned long long)seed, cases);
	for (int i = 0; i < cases; i++) {
		uint64_t s = seed * 1000003ULL + (uint64_t)i;
		const int si = sk ? atoi(sk) % (int)N_SKELS : i % nsk;
		char replay[160];
		if (one && atoi(one) != i)
			continue;
		snprintf(replay, sizeof(replay), "HWNAS_AXI_MODEL_SEED=%llu HWNAS_AXI_MODEL_CASE=%d"
			 "%s%s", (unsigned long long)seed, i, sk ? " HWNAS_AXI_MODEL_SKEL=" : "",
			 sk ? sk : "");
		printf("  case %3d:", i);
		run_case(rnd(&s), si, &t, replay);
	}
	printf("  %d compared: %d exact, %d beyond the tolerance; max |error| %lld cycles, mean "
	       "|error| %.3f%%\n", t.n, t.exact, t.worse, (long long)t.maxerr,
	       t.n ? 100.0 * t.sumrel / t.n : 0.0);
	CHECK(t.n > 0);
	CHECK_EQ_I64(t.worse, 0);
	CHECK(100 * t.exact >= AXI_MODEL_EXACT_PCT * t.n);
}

/* The pools and adds of docs/deploy.md's AXI table (test_axi.c's, latency 20), no
 * back-pressure: the model equals the top (make test: the first four, on test_axi's builds;
 * HWNAS_LONG: also a wide add whose input outruns its output). */
static void axi_model_should_match_the_axi_top_on_the_tables_pools_and_adds(void)
{
	const struct arch_layer mx = arch_pool("maxpool", 1, 5, 7, 7, 3, 2, 1, 1);
	const struct arch_layer av = arch_pool("avgpool", 2, 6, 6, 5, 3, 1, 1, 0);
	const struct arch_layer gap = arch_pool("gap", 1, 7, 4, 4, 4, 1, 0, 0);
	const struct arch_layer add = arch_add("add", 1, 9, 5, 3);
	const struct arch_layer add16 = arch_add("add", 1, 16, 6, 3);
	const struct map_tiling none = { 1, 1, 1, MAP_MNK };
	struct tally t = { 0 };

	run_one(&skels[0], 20, &mx, &none, 0, "3x3 / 2 max pool, pad 1", &t, "table");
	run_one(&skels[1], 20, &av, &none, 0, "3x3 / 1 average pool, pad 1, batch 2", &t, "table");
	run_one(&skels[1], 20, &gap, &none, 0, "global average pool 4 x 4", &t, "table");
	run_one(&skels[0], 20, &add, &none, 0, "residual add 9 ch on 5 x 3", &t, "table");
	if (getenv("HWNAS_LONG")) {
		run_one(&skels[4], 20, &mx, &none, 0, "max pool", &t, "table");
		run_one(&skels[4], 20, &add, &none, 0, "add", &t, "table");
		/* words of two or three beats, eight output elements a group of two: the
		 * unpacker runs ahead of the W packer and waits for the output queue's room */
		run_one(&skels[6], 0, &add16, &none, 0, "add 16 ch, the output queue full", &t,
			"table");
	}
	CHECK_EQ_I64(t.worse, 0);
	CHECK_EQ_I64(t.exact, t.n);
}

/* A random MAC-free layer: a pool (max or average, padded, strided, or global) or an add. */
static struct arch_layer draw_vector(uint64_t *s, char *what, size_t n)
{
	const int64_t b = pick(s, 1, 2), c = pick(s, 1, 9);

	switch (pick(s, 0, 2)) {
	case 0: {
		const int64_t r = pick(s, 1, 3), h = pick(s, r, 8), w = pick(s, r, 8);
		const int32_t st = (int32_t)pick(s, 1, 2), pad = (int32_t)pick(s, 0, r / 2);
		const int mx = (int)pick(s, 0, 1);
		snprintf(what, n, "%s %lld x %lld, %lldx%lld, r %lld s %d p %d",
			 mx ? "maxpool" : "avgpool", (long long)b, (long long)c, (long long)h,
			 (long long)w, (long long)r, st, pad);
		return arch_pool("pool", b, c, h, w, r, st, pad, mx);
	}
	case 1: {
		const int64_t h = pick(s, 1, 5);
		snprintf(what, n, "global avgpool %lld x %lld, %lldx%lld", (long long)b,
			 (long long)c, (long long)h, (long long)h);
		return arch_pool("gap", b, c, h, h, h, 1, 0, 0);
	}
	default: {
		const int64_t h = pick(s, 1, 6), w = pick(s, 1, 6);
		snprintf(what, n, "add %lld x %lld, %lldx%lld", (long long)b, (long long)c,
			 (long long)h, (long long)w);
		return arch_add("add", b, c, h, w);
	}
	}
}

/* Pools and adds (one vector request each, docs/model.md "Through the AXI top"): the same
 * comparison; the seed and replay as above (HWNAS_AXI_MODEL_VCASE=I: only vector case I). */
static void axi_model_should_match_the_axi_top_on_pools_and_adds(void)
{
	const char *se = getenv("HWNAS_AXI_MODEL_SEED"), *ce = getenv("HWNAS_AXI_MODEL_CASES");
	const char *one = getenv("HWNAS_AXI_MODEL_VCASE"), *sk = getenv("HWNAS_AXI_MODEL_SKEL");
	const int lng = getenv("HWNAS_LONG") != NULL;
	const uint64_t seed = se ? strtoull(se, NULL, 10) : 20261203;
	const int cases = ce ? atoi(ce) : lng ? 120 : 8;
	const int nsk = lng ? (int)N_SKELS : N_SKELS_SHORT;
	const struct map_tiling none = { 1, 1, 1, MAP_MNK };
	struct tally t = { 0 };

	printf("  seed %llu (HWNAS_AXI_MODEL_SEED), %d cases\n", (unsigned long long)seed, cases);
	for (int i = 0; i < cases; i++) {
		uint64_t s = seed * 1000033ULL + (uint64_t)i, cs;
		const int si = sk ? atoi(sk) % (int)N_SKELS : i % nsk;
		char replay[160], what[96];
		if (one && atoi(one) != i)
			continue;
		snprintf(replay, sizeof(replay), "HWNAS_AXI_MODEL_SEED=%llu HWNAS_AXI_MODEL_VCASE=%d"
			 "%s%s", (unsigned long long)seed, i, sk ? " HWNAS_AXI_MODEL_SKEL=" : "",
			 sk ? sk : "");
		printf("  vector case %3d:", i);
		cs = rnd(&s);
		{
			const int32_t lat = (int32_t)pick(&cs, 0, 64);
			const struct arch_layer l = draw_vector(&cs, what, sizeof(what));
			/* a third of the pools read the host's window matrix (no_win) */
			run_one(&skels[si], lat, &l, &none, l.kind == ARCH_POOL &&
				pick(&cs, 0, 2) == 0, what, &t, replay);
		}
	}
	printf("  %d compared: %d exact, %d beyond the tolerance; max |error| %lld cycles, mean "
	       "|error| %.3f%%\n", t.n, t.exact, t.worse, (long long)t.maxerr,
	       t.n ? 100.0 * t.sumrel / t.n : 0.0);
	CHECK(t.n > 0);
	CHECK_EQ_I64(t.worse, 0);
	CHECK(100 * t.exact >= AXI_MODEL_EXACT_PCT * t.n);
}

int main(void)
{
	RUN(axi_model_should_match_the_axi_top_on_past_failures);
	RUN(axi_model_should_match_the_axi_top_on_random_layers);
	RUN(axi_model_should_match_the_axi_top_on_the_tables_pools_and_adds);
	RUN(axi_model_should_match_the_axi_top_on_pools_and_adds);
	return TEST_SUMMARY();
}
