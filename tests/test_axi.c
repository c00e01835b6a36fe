/* test_axi.c: the AXI top (rtl/hwnas_axi.v) run through sim/harness/harness_axi.cpp, an AXI4
 * slave memory model with latency, bandwidth and random back-pressure, against the C
 * reference (bit for bit) and beside the direct harness's cycles (the model's). The host side
 * of the harness is the C driver (driver/hwnas_drv.c): its register accesses are AXI4-Lite
 * transactions on the Verilated top. Convs walk their windows over the NHWC input in the
 * AXI master (docs/rtl.md "Window addressing"); pools and adds run as vector requests.
 *
 * White-box: it builds tile programs with sim/'s internal sim_prog_build (sim_int.h). The AXI
 * harness is verilated here (cached in $HWNAS_CACHE or ~/.cache/hwnas as axi-<hash>). The
 * seed of the back-pressure is printed; HWNAS_AXI_SEED replays one. The generative case
 * prints its seed too; HWNAS_AXI_GEN_SEED replays it (HWNAS_AXI_GEN_N: how many layers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_small_hw.h"
#include "../models/models.h"
#include "../sim/sim.h"
#include "../driver/hwnas_drv.h"

/* Runs l on hw through the AXI top; checks bit-exactness and prints the cycles beside the
 * direct harness's (= the model's, docs/rtl.md). Returns the AXI cycles (-1 on failure). */
static long run_axi_opt(const struct arch_layer *l, const struct hw_config *hw,
			const struct map_tiling *m, int dw, int maxb, double stall, uint64_t seed,
			int no_win)
{
	struct sim_axi_options ao;
	struct sim_axi_result axi;
	struct sim_result r, d;
	struct hn_err err = { 0 };
	int64_t model = 0;

	sim_axi_options_init(&ao);
	ao.dw = dw;
	ao.maxb = maxb;
	ao.stall = stall;
	ao.seed = seed;
	ao.no_win = no_win;
	if (sim_layer_axi(l, hw, m, NULL, &ao, &r, &axi, &err)) {
		fprintf(stderr, "  %s: %s (seed %llu)\n", l->name, err.msg, (unsigned long long)seed);
		CHECK(0);
		sim_axi_result_release(&axi);
		return -1;
	}
	CHECK_EQ_I64(r.outputs, axi.nout);
	CHECK_EQ_I64(r.mismatches, 0);
	CHECK(r.bit_exact);
	CHECK(sim_layer(l, hw, m, NULL, &d, &err) == 0);
	CHECK(d.bit_exact);
	CHECK(sim_program_cycles(l, hw, m, &model, &err) == 0);
	printf("  %-9s %dx%d %s %2d-bit bus %3d maxb %2d stall %.2f seed %-6llu bit-exact %d  "
	       "axi %7lld  direct %7lld  model %7lld  (axi %+.1f%%)\n", l->name, hw->pe_rows,
	       hw->pe_cols, hw_dataflow_name(hw->dataflow), hw->act_bits, dw, maxb, stall,
	       (unsigned long long)seed,
	       r.bit_exact, (long long)r.rtl_cycles, (long long)d.rtl_cycles, (long long)model,
	       d.rtl_cycles ? 100.0 * (double)(r.rtl_cycles - d.rtl_cycles) /
	       (double)d.rtl_cycles : 0);
	sim_axi_result_release(&axi);
	return (long)r.rtl_cycles;
}

static long run_axi(const struct arch_layer *l, const struct hw_config *hw,
		    const struct map_tiling *m, int dw, int maxb, double stall, uint64_t seed)
{
	return run_axi_opt(l, hw, m, dw, maxb, stall, seed, 0);
}

static uint64_t seed0(void)
{
	const char *s = getenv("HWNAS_AXI_SEED");
	return s ? strtoull(s, NULL, 10) : 1;
}

static void axi_should_run_a_gemm_bit_exactly_on_ws(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
	struct map_tiling m = { 4, 3, 5, MAP_MNK };

	run_axi(&l, &hw, &m, 64, 4, 0.3, seed0());
	if (getenv("HWNAS_LONG")) {
		run_axi(&l, &hw, &m, 64, 16, 0.0, seed0());
		run_axi(&l, &hw, &m, 128, 4, 0.3, seed0() + 1);
	}
}

static void axi_should_run_os_and_is_layouts_bit_exactly(void)
{
	struct hw_config os = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct hw_config is = small_hw(3, 2, HW_IS, 16, 32, 1);
	struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
	struct map_tiling m = { 5, 6, 4, MAP_NKM };

	run_axi(&l, &os, &m, 64, 16, 0.2, seed0() + 2);
	if (getenv("HWNAS_LONG"))
		run_axi(&l, &is, &m, 64, 16, 0.2, seed0() + 3);
}

/* The output stage's parameters drawn from their whole range (outq_full), a conv with
 * padding and groups, and a 128-bit bus: the records and the obuf walk through AXI. */
static void axi_should_requantise_convs_like_the_direct_top(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct arch_layer c = arch_conv("conv", 1, 6, 7, 7, 8, 3, 1, 1, 2);
	struct map_tiling m = { 16, 4, 9, MAP_MNK };

	run_axi(&c, &hw, &m, 128, 8, 0.25, seed0() + 4);
}

/* Beats of unequal widths: 2x4 is 8-bit at 8 B/cycle has ibuf lines of 2 words, wbuf lines of
 * 4 and obuf lines of 2, so the AXI master's staging rows hold 4 words (hwnas_axi_mem.v): an
 * ibuf line or a partial-sum line starts in the middle of a row (em_off, s_cb 2), an output
 * word goes to any word of one; K in two tiles stores and reloads partial sums. */
static void axi_should_stage_lines_narrower_than_a_staging_row(void)
{
	struct hw_config hw = small_hw(2, 4, HW_IS, 8, 32, 1);
	struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
	struct map_tiling m = { 5, 6, 4, MAP_NKM };

	run_axi(&l, &hw, &m, 64, 16, 0.2, seed0() + 40);
}

/* The window walk of a conv's A loads (docs/rtl.md "Window addressing") in the AXI master:
 * padding, strides, dilation, groups and depthwise, on the three small configs' builds; the
 * same conv with the host's im2col (2-D loads) gives the same outputs. */
static void axi_should_walk_conv_windows_bit_exactly(void)
{
	struct hw_config ws = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct hw_config os = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct hw_config ws4 = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct arch_layer pad = arch_conv("conv_pad", 1, 5, 6, 7, 6, 3, 1, 1, 1);
	struct arch_layer st = arch_conv("conv_s2", 2, 4, 9, 8, 5, 3, 2, 2, 1);
	struct arch_layer dil = arch_conv("conv_dil", 1, 6, 9, 9, 4, 3, 1, 2, 2);
	struct arch_layer dwc = arch_conv("conv_dw", 1, 8, 7, 6, 8, 3, 2, 1, 8);
	struct map_tiling m1 = { 7, 4, 10, MAP_MNK }, m2 = { 12, 5, 7, MAP_NKM };
	struct map_tiling m3 = { 9, 2, 5, MAP_MNK }, m4 = { 16, 1, 9, MAP_MNK };

	dil.dil_h = 2;
	dil.dil_w = 3;
	run_axi(&pad, &ws, &m1, 64, 4, 0.3, seed0() + 10);
	run_axi(&st, &os, &m2, 64, 16, 0.2, seed0() + 11);
	run_axi(&dil, &ws4, &m3, 128, 8, 0.25, seed0() + 12);
	run_axi(&dwc, &ws4, &m4, 128, 8, 0.25, seed0() + 13);
	if (getenv("HWNAS_LONG")) {
		struct hw_config is = small_hw(3, 2, HW_IS, 16, 32, 1);
		run_axi(&pad, &is, &m1, 64, 16, 0.2, seed0() + 14);
		run_axi(&dil, &is, &m3, 64, 16, 0.2, seed0() + 15);
		run_axi(&dwc, &os, &m4, 64, 16, 0.2, seed0() + 16);
		run_axi_opt(&st, &os, &m2, 64, 16, 0.2, seed0() + 17, 1);
	}
}

/* A tap's channels (one run: 40 bytes) across a 4 KiB page: pixel 102 of the 11 x 11 x 40
 * input starts at byte 4080 of the (4 KiB aligned) input; the run's bursts split there (the
 * harness checks every burst). */
static void axi_should_split_a_tap_run_at_a_4k_page(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct arch_layer c = arch_conv("conv_4k", 1, 40, 11, 11, 4, 1, 1, 0, 1);
	struct map_tiling m = { 8, 4, 40, MAP_MNK };

	run_axi(&c, &hw, &m, 128, 8, 0.25, seed0() + 20);
}

/* Pools (max and average, padded; a global average) and a residual add as vector requests:
 * the master streams the input words to the vector unit and writes the output words back. */
static void axi_should_run_pools_and_adds_bit_exactly(void)
{
	struct hw_config ws = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct hw_config os = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct arch_layer mx = arch_pool("maxpool", 1, 5, 7, 7, 3, 2, 1, 1);
	struct arch_layer av = arch_pool("avgpool", 2, 6, 6, 5, 3, 1, 1, 0);
	struct arch_layer gap = arch_pool("gap", 1, 7, 4, 4, 4, 1, 0, 0);
	struct arch_layer add = arch_add("add", 1, 9, 5, 3);
	struct map_tiling none = { 1, 1, 1, MAP_MNK };

	run_axi(&mx, &ws, &none, 64, 4, 0.3, seed0() + 30);
	run_axi(&av, &os, &none, 64, 16, 0.2, seed0() + 31);
	run_axi(&add, &ws, &none, 64, 4, 0.3, seed0() + 32);
	run_axi(&gap, &os, &none, 64, 16, 0.2, seed0() + 33);
	/* the host's window matrix instead of the walk over NHWC (the master's matrix mode) */
	run_axi_opt(&mx, &os, &none, 64, 16, 0.2, seed0() + 38, 1);
	run_axi_opt(&av, &ws, &none, 64, 4, 0.3, seed0() + 39, 1);
	if (getenv("HWNAS_LONG")) {
		struct hw_config is = small_hw(3, 2, HW_IS, 16, 32, 1);
		struct hw_config ws4 = small_hw(4, 4, HW_WS, 8, 32, 1);
		run_axi(&mx, &is, &none, 64, 16, 0.2, seed0() + 34);
		run_axi(&add, &is, &none, 64, 16, 0.2, seed0() + 35);
		run_axi(&av, &ws4, &none, 128, 8, 0.25, seed0() + 36);
	}
}

/* One run with the harness's error injection / start while busy (ao's err_rbeat, err_bresp,
 * busy_start; w_early: the slave takes W ahead of AW): the run after the error (or with the ignored start) must be bit-exact; *info
 * gets the harness's figures. Returns its AXI cycles (-1 on failure). */
static long run_axi_inject(const struct arch_layer *l, const struct hw_config *hw,
			   const struct map_tiling *m, double stall, uint64_t seed, int64_t er,
			   int64_t eb, int64_t busy, int w_early, struct sim_axi_result *info)
{
	struct sim_axi_options ao;
	struct sim_result r;
	struct hn_err err = { 0 };

	sim_axi_options_init(&ao);
	ao.stall = stall;
	ao.seed = seed;
	ao.err_rbeat = er;
	ao.err_bresp = eb;
	ao.busy_start = busy;
	ao.w_early = w_early;
	if (sim_layer_axi(l, hw, m, NULL, &ao, &r, info, &err)) {
		fprintf(stderr, "  %s: %s (seed %llu, err R beat %lld B %lld, busy start %lld)\n",
			l->name, err.msg, (unsigned long long)seed, (long long)er, (long long)eb,
			(long long)busy);
		CHECK(0);
		sim_axi_result_release(info);
		return -1;
	}
	CHECK_EQ_I64(r.mismatches, 0);
	CHECK(r.bit_exact);
	printf("  %-8s stall %.2f seed %-4llu SLVERR R beat %4lld / %4lld B %3lld / %3lld busy start "
	       "%3lld W early %d (%lld beats): error run %6lld cycles status %lld, rerun %6lld cycles "
	       "bit-exact %d\n",
	       l->name, stall, (unsigned long long)seed, (long long)er, (long long)info->r_beats,
	       (long long)eb, (long long)info->b_resps, (long long)busy, w_early,
	       (long long)info->w_early_beats, (long long)info->err_cycles, (long long)info->err_status,
	       (long long)r.rtl_cycles, r.bit_exact);
	sim_axi_result_release(info);
	return (long)r.rtl_cycles;
}

/* An SLVERR on a read beat or a write response, with bursts in flight: the top stops issuing,
 * drains what it issued (the harness checks the memory side's view at done: every AR and AW
 * answered, every W burst complete, nothing offered after it) and reports done + error through
 * the driver; the SAME top then runs the program again without a reset, bit-exactly and, with
 * no back-pressure, in exactly the cycles of a clean run. A CTRL.start while busy is ignored
 * (STATUS still busy, same cycles, same outputs). */
static void axi_should_drain_an_error_and_restart_without_a_reset(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct arch_layer g = arch_matmul("gemm", 1, 13, 11, 7);
	struct arch_layer mx = arch_pool("maxpool", 1, 5, 7, 7, 3, 2, 1, 1);
	struct map_tiling m = { 4, 3, 5, MAP_MNK }, none = { 1, 1, 1, MAP_MNK };
	struct sim_axi_result clean, e;
	const double stalls[] = { 0.3, 0.6 };
	uint64_t s = seed0() + 50;

	long c0 = run_axi_inject(&g, &hw, &m, 0, s, 0, 0, -1, 0, &clean);
	CHECK(c0 > 0 && clean.r_beats > 8 && clean.b_resps > 2);
	CHECK_EQ_I64(clean.err_cycles, -1);
	int64_t rp[] = { 1, clean.r_beats / 3, clean.r_beats / 2 + 1, clean.r_beats };
	int64_t bp[] = { 1, clean.b_resps / 2 + 1, clean.b_resps };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ_I64(run_axi_inject(&g, &hw, &m, 0, s, rp[i], 0, -1, 0, &e), c0);
		CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
		CHECK(e.err_cycles > 0);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_I64(run_axi_inject(&g, &hw, &m, 0, s, 0, bp[i], -1, 0, &e), c0);
		CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	}
	/* random back-pressure: the error run drains under it, the rerun is bit-exact */
	for (int k = 0; k < 2; k++) {
		CHECK(run_axi_inject(&g, &hw, &m, stalls[k], s + 1 + (uint64_t)k, rp[2], 0, -1,
				     0, &e) > 0);
		CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
		CHECK(run_axi_inject(&g, &hw, &m, stalls[k], s + 3 + (uint64_t)k, 0, bp[1], -1,
				     0, &e) > 0);
		CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	}
	/* a slave that takes W beats ahead of their AW (the master then owes AWs for W bursts
	 * begun): clean, an R error and a B error under 60% back-pressure */
	CHECK(run_axi_inject(&g, &hw, &m, 0.6, s + 8, 0, 0, -1, 1, &e) > 0);
	CHECK(run_axi_inject(&g, &hw, &m, 0.6, s + 9, rp[2], 0, -1, 1, &e) > 0);
	CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	CHECK(run_axi_inject(&g, &hw, &m, 0.6, s + 10, 0, bp[1], -1, 1, &e) > 0);
	CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	CHECK(run_axi_inject(&mx, &hw, &none, 0.6, s + 11, 0, 9, -1, 1, &e) > 0);
	CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	/* a start while busy: ignored */
	CHECK_EQ_I64(run_axi_inject(&g, &hw, &m, 0, s, 0, 0, 40, 0, &e), c0);
	CHECK_EQ_I64(e.busy_status & 7, HND_STATUS_BUSY);
	CHECK(run_axi_inject(&g, &hw, &m, 0.3, s + 5, 0, 0, 200, 0, &e) > 0);
	CHECK_EQ_I64(e.busy_status & 7, HND_STATUS_BUSY);
	/* a vector request (its input words streamed, its output words packed) */
	long v0 = run_axi_inject(&mx, &hw, &none, 0, s + 6, 0, 0, -1, 0, &clean);
	CHECK_EQ_I64(run_axi_inject(&mx, &hw, &none, 0, s + 6, clean.r_beats / 2, 0, -1, 0, &e), v0);
	CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	CHECK(run_axi_inject(&mx, &hw, &none, 0.3, s + 7, 0, clean.b_resps / 2 + 1, -1, 0, &e) > 0);
	CHECK_EQ_I64(e.err_status & 7, HND_STATUS_DONE | HND_STATUS_ERROR);
	CHECK_EQ_I64(run_axi_inject(&mx, &hw, &none, 0, s + 6, 0, 0, 25, 0, &e), v0);
	CHECK_EQ_I64(e.busy_status & 7, HND_STATUS_BUSY);
}

static uint64_t gen_state;

static int64_t gen_in(int64_t lo, int64_t hi)
{
	gen_state ^= gen_state << 13;
	gen_state ^= gen_state >> 7;
	gen_state ^= gen_state << 17;
	return lo + (int64_t)(gen_state % (uint64_t)(hi - lo + 1));
}

/* Random conv (padding, stride, dilation, groups), pool and add geometries and tilings on
 * the builds above, each bit-exact through the AXI top. The seed is printed;
 * HWNAS_AXI_GEN_SEED replays it. 4 layers (16 under HWNAS_LONG, or HWNAS_AXI_GEN_N). */
static void axi_should_run_random_layers_bit_exactly(void)
{
	const char *e = getenv("HWNAS_AXI_GEN_SEED"), *nn = getenv("HWNAS_AXI_GEN_N");
	uint64_t seed = e ? strtoull(e, NULL, 10) : (uint64_t)time(NULL);
	int n = nn ? atoi(nn) : getenv("HWNAS_LONG") ? 16 : 4;
	struct hw_config cfgs[3] = { small_hw(2, 2, HW_WS, 8, 32, 1),
				     small_hw(4, 4, HW_OS, 8, 32, 1),
				     small_hw(4, 4, HW_WS, 8, 32, 1) };
	const int dws[3] = { 64, 64, 128 }, maxbs[3] = { 4, 16, 8 };

	printf("  generative seed %llu (HWNAS_AXI_GEN_SEED=%llu replays)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	gen_state = seed * 2654435761u + 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < n; i++) {
		int c = (int)gen_in(0, 2), kind = (int)gen_in(0, 3);
		const struct hw_config *hw = &cfgs[c];
		struct arch_layer l;
		struct map_tiling m = { 1, 1, 1, MAP_MNK };
		struct hn_err err = { 0 };
		int64_t cyc;
		char name[32];

		snprintf(name, sizeof(name), "rnd%d", i);
		if (kind <= 1) {
			int64_t g = gen_in(1, 3), cg = gen_in(1, 5), r = gen_in(1, 3);
			int64_t k = g * gen_in(1, 4);
			l = arch_conv(name, gen_in(1, 2), g * cg, gen_in(r, 9), gen_in(r, 9), k, r,
				      (int32_t)gen_in(1, 2), (int32_t)gen_in(0, r - 1), (int32_t)g);
			l.s = gen_in(1, 3);
			l.dil_h = (int32_t)gen_in(1, 2);
			l.dil_w = (int32_t)gen_in(1, 2);
			if (arch_out_h(&l) < 1 || arch_out_w(&l) < 1 ||
			    l.h + 2 * l.pad_h < l.dil_h * (l.r - 1) + 1 ||
			    l.w + 2 * l.pad_w < l.dil_w * (l.s - 1) + 1) {
				l.dil_h = l.dil_w = 1;
				l.s = l.r;
			}
			m.tm = gen_in(1, 24);
			m.tn = gen_in(1, 8);
			m.tk = gen_in(1, 24);
			m.order = (enum map_order)gen_in(0, 5);
			if (sim_program_cycles(&l, hw, &m, &cyc, &err))
				CHECK(map_default(&l, hw, &m) == 0);
		} else if (kind == 2) {
			int64_t r = gen_in(1, 3);
			l = arch_pool(name, gen_in(1, 2), gen_in(1, 9), gen_in(r, 8), gen_in(r, 8), r,
				      (int32_t)gen_in(1, 2), (int32_t)gen_in(0, r / 2),
				      (int)gen_in(0, 1));
		} else {
			l = arch_add(name, gen_in(1, 2), gen_in(1, 9), gen_in(1, 6), gen_in(1, 6));
		}
		run_axi(&l, hw, &m, dws[c], maxbs[c], 0.25, seed + (uint64_t)i);
	}
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The version-3 record of a conv's A load with a window and of an add (docs/deploy.md
 * "Program format"), word for word; the walk's start and strides by hand: H 9, W 8, C 6,
 * Cg 3, P 5, Q 4, S 3, strides 2, 2, dilations 1, 2, paddings 1, 1, block at m0 27, k0 13:
 * pixel 27 = (b 1, y 1, x 3), tap 13 = (r 1, s 1, c 1), iy0 = 1 x 2 - 1 = 1, ix0 = 3 x 2 - 1
 * = 5, org0 = ((1 x 9 + 1) x 8 + 5) x 6 = 510, rorg0 = 510 - 3 x 2 x 6 = 474, toff0 = (1 x 8
 * + 1 x 2) x 6 = 60. */
static void driver_should_pack_window_and_vector_records(void)
{
	struct hnd_dma d = { .op = 0, .half = 1, .base = 0x1000, .rows = 7, .cols = 9,
			     .win = { 1, 9 | 8 << 16, 5 | 4 << 16, 6 | 3 << 16, 3 | 2 << 8 | 2 << 16,
				      1 | 2 << 8 | 1 << 16 | 1u << 24, 0, 27, 13 } };
	struct hnd_dma a = { .op = 3, .final = 1, .vop = 3, .vg = 2, .rows = 30, .cols = 5,
			     .vbase2 = 0x2000, .vout = 0x3000, .vzp1 = (uint32_t)-3, .vzp2 = 4,
			     .vm1 = 111, .vm2 = 222, .vmo = 333, .vsh = 1 | 2 << 8 | 3 << 16 | 4 << 24 };
	struct hnd_dma g = { .op = 1, .rows = 3, .cols = 4 };
	uint8_t r[HND_DMA_RECORD];
	static const uint32_t walk[15] = { 0, 12, 96, 432 - 384, 12, 48, 3 | 1 << 16, 510, 474,
					   1, 5, 1 | 1 << 16, 60, 48, 1 | 2 << 16 };

	CHECK_EQ_I64(HND_DMA_RECORD, 192);
	hnd_pack_dma(&d, r);
	CHECK_EQ_I64(le32(r), 4 | 1 << 7);                   /* op 0, half 1, ext */
	for (int i = 0; i < HND_WIN_WORDS; i++)
		CHECK_EQ_I64(le32(r + 88 + 4 * i), d.win[i]);
	CHECK_EQ_I64(le32(r + 31 * 4), 0);
	for (int i = 0; i < 15; i++)
		CHECK_EQ_I64(le32(r + (32 + i) * 4), walk[i]);
	CHECK_EQ_I64(le32(r + 47 * 4), 0);

	hnd_pack_dma(&a, r);
	CHECK_EQ_I64(le32(r), 3 | 16 | 3 << 5 | 1 << 7);
	CHECK_EQ_I64(le32(r + 52), 2);
	CHECK_EQ_I64(le32(r + 56), 0x2000);
	CHECK_EQ_I64(le32(r + 60), 0x3000);
	CHECK_EQ_I64(le32(r + 64), 0xfffffffdu);
	CHECK_EQ_I64(le32(r + 68), 4);
	CHECK_EQ_I64(le32(r + 72), 111);
	CHECK_EQ_I64(le32(r + 76), 222);
	CHECK_EQ_I64(le32(r + 80), 333);
	CHECK_EQ_I64(le32(r + 84), 0x04030201u);
	CHECK_EQ_I64(le32(r + 32 * 4), 10);                  /* pixels: 30 / (2 + 1) */

	/* no window, no vector op: no ext bit, words 13..47 zero */
	hnd_pack_dma(&g, r);
	CHECK_EQ_I64(le32(r), 1);
	for (int i = 13; i < 48; i++)
		CHECK_EQ_I64(le32(r + 4 * i), 0);
}

int main(void)
{
	RUN(driver_should_pack_window_and_vector_records);
	RUN(axi_should_run_a_gemm_bit_exactly_on_ws);
	RUN(axi_should_run_os_and_is_layouts_bit_exactly);
	RUN(axi_should_requantise_convs_like_the_direct_top);
	RUN(axi_should_stage_lines_narrower_than_a_staging_row);
	RUN(axi_should_walk_conv_windows_bit_exactly);
	RUN(axi_should_split_a_tap_run_at_a_4k_page);
	RUN(axi_should_run_pools_and_adds_bit_exactly);
	RUN(axi_should_drain_an_error_and_restart_without_a_reset);
	RUN(axi_should_run_random_layers_bit_exactly);
	return TEST_SUMMARY();
}
