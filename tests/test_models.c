/* Unit tests of the analytical model against hand-computed counts (docs/model.md). */
#include "test.h"
#include "../models/models.h"
#include "../models/cost_int.h"
#include "../models/map_int.h"

#include <math.h>

/* A config with round numbers: 8 bytes per cycle (0.8 GB/s at 100 MHz), 10-cycle latency. */
static struct hw_config small_hw(enum hw_dataflow df, int rows, int cols, int db)
{
	struct hw_config hw = hw_config_default();

	hw.pe_rows = rows;
	hw.pe_cols = cols;
	hw.dataflow = df;
	hw.act_bits = hw.weight_bits = 8;
	hw.acc_bits = 32;
	hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 1 << 16;
	hw.double_buffer = db;
	hw.freq_mhz = 100;
	hw.dram_gbps = 0.8;
	hw.dram_latency_cycles = 10;
	hw.device[0] = '\0';
	return hw;
}

static void ws_single_tile_gemm_should_take_the_hand_computed_cycles(void)
{
	/* FC 10 x 4 -> 4 on a 4x4 WS array, one tile: one fold of 2R + C + T - 2 = 8+4+10-2 = 20
	 * cycles. DMA: A 40 B -> 10 + 5; B 16 B -> 10 + 2; the final store writes 40 B and reads
	 * 4 channels' parameters of 4 + 5 B: 76 B -> 10 + 10 (its floor, 10 words + 4, is
	 * lower): 47 cycles. */
	struct arch_layer l = arch_fc("fc", 10, 4, 4);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 10, 4, 4, MAP_MNK };
	struct cost_report r;

	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK(r.feasible);
	CHECK_EQ_I64(r.folds, 1);
	CHECK_EQ_I64(r.compute_cycles, 20);
	CHECK_EQ_I64(r.mem_cycles, 47);
	CHECK_EQ_I64(r.cycles, 67);
	CHECK_EQ_I64(r.dram_bytes, 132);
	CHECK_EQ_I64(r.dram_rd_q, 36);
	CHECK_EQ_I64(r.dram_requests, 3);
	CHECK_NEAR(r.utilization, 160.0 / (16.0 * 67.0), 1e-12);
	/* Double-buffered, one step: first loads 27 + compute 20 + last store 20 = 67 too. */
	hw.double_buffer = 1;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.cycles, 67);
}

static void os_tiled_gemm_should_count_refetches_by_loop_order(void)
{
	/* 8 x 8 x 6 GEMM (FC 8 rows, 6 in, 8 out) in 4 x 4 x 3 tiles on a 4x4 OS array: 8 steps of
	 * one fold, 2*4 + 4 + 3 - 2 = 13 cycles each = 104. */
	struct arch_layer l = arch_fc("fc", 8, 6, 8);
	struct hw_config hw = small_hw(HW_OS, 4, 4, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 4, 4, 3, MAP_MNK };
	struct cost_report r;

	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.compute_cycles, 104);
	/* mnk: A refetched per n tile (k below n): 48 x 2; B per m tile: 48 x 2; C once: 64. */
	CHECK_EQ_I64(r.dram_rd_a, 96);
	CHECK_EQ_I64(r.dram_rd_b, 96);
	CHECK_EQ_I64(r.dram_rd_c, 0);
	CHECK_EQ_I64(r.dram_wr_c, 64);
	/* 4 final stores read 4 channels' parameters each (9 B): 2 m tiles x 8 channels x 9 */
	CHECK_EQ_I64(r.dram_rd_q, 144);
	/* 8 A requests of 12 B (10 + 2), 8 B of 12 B, 4 final C of 16 + 36 B (10 + 7): 260. */
	CHECK_EQ_I64(r.mem_cycles, 260);
	CHECK_EQ_I64(r.cycles, 364);
	/* Double-buffered: max(12 + 12 + 104 + 17, 260 + max(0, 13 - 18)) = 260 (18: the
	 * longest store, a full tile of partial sums, bounds what can overlap the last
	 * compute), memory-bound. */
	hw.double_buffer = 1;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.cycles, 260);
	CHECK(r.memory_bound);
	CHECK_EQ_I64(r.stall_cycles, 260 - 104);

	/* kmn: A read once (n innermost), B per m tile, C visited twice: partial sums out and
	 * back at 4 bytes, final at 1 byte. */
	t.order = MAP_KMN;
	hw.double_buffer = 0;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.dram_rd_a, 48);
	CHECK_EQ_I64(r.dram_rd_b, 96);
	CHECK_EQ_I64(r.dram_rd_c, 256);
	CHECK_EQ_I64(r.dram_wr_c, 64 + 256);
	/* 4 A (12), 8 B (12), 4 final C (52 B: 17), 4 partial writes + 4 reads of 64 B (18). */
	CHECK_EQ_I64(r.mem_cycles, 4 * 12 + 8 * 12 + 4 * 17 + 8 * 18);
}

static void narrow_tiles_should_pay_the_dma_bus_floor(void)
{
	/* FC 10 x 4 -> 1 on a 4x16 WS array, 8 B/cycle, no DRAM latency. Words per line
	 * (docs/rtl.md): ibuf 8 / (4 lanes x 1 B) = 2, wbuf 8 / 16 -> 1, obuf 1. A 10 x 4:
	 * 10 words, 5 lines, max(ceil(40/8), 5 + 1) = 6; B 4 x 1: 4 words, 4 lines,
	 * max(1, 4 + 1) = 5; C 10 x 1 final store: 10 words through the output stage, one a
	 * cycle, max(ceil((10 + 9) / 8), 10 + 4) = 14: 25 cycles (t(b) alone: 9). Compute: one
	 * fold of 8 + 16 + 10 - 2 = 32. */
	struct arch_layer l = arch_fc("fc", 10, 4, 1);
	struct hw_config hw = small_hw(HW_WS, 4, 16, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 10, 1, 4, MAP_MNK };
	struct cost_report r;
	int32_t nb[3];

	hw.dram_latency_cycles = 0;
	cost_dma_words_per_line(&hw, nb);
	CHECK_EQ_I64(nb[0], 2);
	CHECK_EQ_I64(nb[1], 1);
	CHECK_EQ_I64(nb[2], 1);
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.mem_cycles, 25);
	CHECK_EQ_I64(r.compute_cycles, 32);
	CHECK_EQ_I64(r.cycles, 57);
}

static void vector_layers_should_take_the_hand_computed_stream(void)
{
	/* On 4x4 (C = 4), 8 B/cycle, latency 10 (docs/model.md "MAC-free layers"). Max pool
	 * 3x3, stride 2, padding 1 over 6 channels of 7x7: 4 x 4 = 16 pixels, g = 9, words =
	 * 9 x 16 x ceil(6 / 4) = 288, bytes = 10 x 16 x 6 = 960: max(10 + 120, 288 + 2) = 290. */
	struct hw_config hw = small_hw(HW_WS, 4, 4, 1);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 1, 1, 1, MAP_MNK };
	struct arch_layer pool = arch_pool("pool", 1, 6, 7, 7, 3, 2, 1, 1);
	struct arch_layer add = arch_add("add", 1, 8, 4, 4);
	struct cost_report r;

	CHECK(cost_layer(&pool, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.cycles, 290);
	CHECK_EQ_I64(r.dram_bytes, 960);
	CHECK_EQ_I64(r.dram_rd_a, 864);
	CHECK_EQ_I64(r.dram_requests, 1);
	CHECK_EQ_I64(r.compute_cycles, 0);
	CHECK(!r.memory_bound);
	/* add of two 8 x 4 x 4: 16 pixels, g = 2, words 2 x 16 x 2 = 64, bytes 3 x 128 = 384:
	 * max(10 + 48, 66) = 66; at 1 B/cycle the DRAM binds: 10 + 384 = 394 */
	CHECK(cost_layer(&add, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.cycles, 66);
	hw.dram_gbps = 0.1;
	CHECK(cost_layer(&add, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.cycles, 394);
	CHECK(r.memory_bound);
	CHECK_EQ_I64(cost_vector_request_cycles(&hw, 2, 16, 8), 394);
}

static void a_final_store_wider_than_the_qbuf_should_be_cut_in_chunks(void)
{
	/* FC 2 x 3 -> 150 on a 2x1 WS array (C = 1: 64 channels a chunk), single-buffered,
	 * one tile: the final store of 2 x 150 is 3 requests of 64, 64, 22 columns, each
	 * max(10 + ceil((2 tc + 9 tc) / 8), 2 tc + 4): 132, 132, 48. */
	struct arch_layer l = arch_fc("fc", 2, 3, 150);
	struct hw_config hw = small_hw(HW_WS, 2, 1, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 2, 150, 3, MAP_MNK };
	struct cost_report r;
	int32_t nb[3];

	cost_dma_words_per_line(&hw, nb);
	CHECK_EQ_I64(cost_dma_request_cycles(&hw, nb, COST_REQ_C_FINAL, 2, 150, 1), 132 + 132 + 48);
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	/* A and B loads, then 3 store requests */
	CHECK_EQ_I64(r.dram_requests, 5);
	CHECK_EQ_I64(r.dram_rd_q, 150 * 9);
}

static void ws_edge_tiles_should_pay_full_array_depth(void)
{
	/* M = 5, N = 6, K = 7 on a 4x4 WS array, tiles 5 x 6 x 7 (one step): stationary block
	 * 7 x 6 -> 2 x 2 folds of 2*4 + 4 + 5 - 2 = 15 cycles = 60. */
	struct arch_layer l = arch_fc("fc", 5, 7, 6);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 5, 6, 7, MAP_MNK };
	struct cost_report r;

	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.folds, 4);
	CHECK_EQ_I64(r.compute_cycles, 60);
	/* IS: stationary A^T 7 x 5 -> 2 x 2 folds, streaming n = 6: 2*4 + 4 + 6 - 2 = 16. */
	hw.dataflow = HW_IS;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.compute_cycles, 64);
	/* Tiles 3 x 6 x 7 split M into 3 + 2: IS folds per step ceil(7/4) x ceil(3/4) = 2, so
	 * 2 steps x 2 folds x 16 = 64 as well. */
	t.tm = 3;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.compute_cycles, 64);
	CHECK_EQ_I64(r.folds, 4);
}

static void grouped_conv_should_repeat_the_program_per_group(void)
{
	/* Depthwise 3x3 on 8 channels of 6x6, pad 1: g = 8, M = 36, N = 1, K = 9. */
	struct arch_layer l = arch_conv("dw", 1, 8, 6, 6, 8, 3, 1, 1, 8);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 36, 1, 9, MAP_MNK };
	struct cost_report r;

	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.macs, 8 * 36 * 9);
	/* per group: ceil(9/4) x 1 folds of 8 + 4 + 36 - 2 = 46 cycles: 138; x 8 groups. */
	CHECK_EQ_I64(r.compute_cycles, 8 * 3 * 46);
	CHECK_EQ_I64(r.dram_rd_a, 8 * 36 * 9);
	CHECK_EQ_I64(r.dram_rd_b, 8 * 9);
}

static void tiling_that_overflows_a_buffer_should_be_infeasible_with_the_buffer_named(void)
{
	struct arch_layer l = arch_fc("fc", 64, 64, 64);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 1);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 64, 64, 64, MAP_MNK };
	struct cost_report r;

	hw.obuf_bytes = 4096;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK(!r.feasible);
	CHECK_STR_CONTAINS(r.why, "obuf: tile needs 32768 B, has 4096 B");
	t.tm = 0;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == HN_EINVAL);
}

static void default_tiling_should_fit_every_zoo_layer(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct hn_err err;

	for (int z = 0; z < arch_zoo_count(); z++) {
		struct arch_net net;
		CHECK(arch_zoo_build(arch_zoo_name(z), 1, &net, &err) == 0);
		for (int i = 0; i < net.n_layers; i++) {
			struct map_tiling t;
			struct cost_report r;
			CHECK(map_default(&net.layers[i], &hw, &t) == 0);
			CHECK(t.tm > 0);
			CHECK(cost_layer(&net.layers[i], &hw, &t, &e, &r) == 0);
			CHECK(r.feasible);
			CHECK(r.cycles >= r.compute_cycles);
			CHECK(r.utilization <= 1.0);
		}
		arch_net_release(&net);
	}
}

static void energy_should_add_up_its_terms(void)
{
	struct arch_layer l = arch_fc("fc", 10, 4, 4);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 0);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 10, 4, 4, MAP_MNK };
	struct cost_report r;

	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_NEAR(r.energy_pj[COST_E_DRAM], 132 * e.dram_pj_per_byte, 1e-12);
	CHECK_NEAR(r.energy_pj[COST_E_MAC],
		   160 * (hw_energy_mac_pj(&e, 8) + 2 * e.reg_pj_per_byte), 1e-12);
	/* static: mW x cycles / MHz x 1e3 pJ */
	CHECK_NEAR(r.energy_pj[COST_E_STATIC], e.static_mw * 67 / 100.0 * 1e3, 1e-12);
	CHECK_NEAR(r.energy_total_pj, r.energy_pj[0] + r.energy_pj[1] + r.energy_pj[2] +
		   r.energy_pj[3], 1e-12);
	/* roofline: 320 ops over 132 DRAM bytes; peak 2 x 16 PEs x 100 MHz = 3.2 GOP/s */
	CHECK_NEAR(r.op_intensity, 320.0 / 132.0, 1e-12);
	CHECK_NEAR(r.peak_gops, 3.2, 1e-12);
	CHECK_NEAR(r.attained_gops, 320.0 * 100e6 / 67.0 / 1e9, 1e-9);
}

static void network_totals_should_convert_cycles_to_milliseconds(void)
{
	struct hw_config hw = small_hw(HW_WS, 4, 4, 0);
	struct cost_total t;
	struct cost_report r = { 0 };

	cost_total_init(&t);
	r.feasible = 1;
	r.cycles = 200000;
	r.macs = 1000000;
	r.energy_pj[0] = 1e9;
	cost_total_add(&t, &r, "a");
	cost_total_add(&t, &r, "b");
	cost_total_finish(&t, &hw);
	CHECK_NEAR(t.latency_ms, 4.0, 1e-12);     /* 400,000 cycles at 100 MHz */
	CHECK_NEAR(t.energy_mj, 2.0, 1e-12);
	CHECK_NEAR(t.edp_mj_ms, 8.0, 1e-12);
	CHECK_NEAR(t.gops, 2.0 * 2e6 / 4e-3 / 1e9, 1e-12);
	r.feasible = 0;
	snprintf(r.why, sizeof(r.why), "ibuf: too small");
	cost_total_add(&t, &r, "c");
	CHECK(!t.feasible);
	CHECK_STR_CONTAINS(t.why, "layer 'c': ibuf: too small");
}

static void double_buffered_layer_should_take_the_rtls_cycles_when_steps_are_uneven(void)
{
	/* docs/validation.md's worst point of the old closed form: pw (1x1 conv, 24 -> 32 on
	 * 6x6, M 36 N 32 K 24) on 4x4 ws, 8-bit, 0.4 GB/s at 200 MHz (2 B/cycle), latency 20,
	 * tiling 36 x 28 x 4 mnk. The RTL took 3316 cycles; the closed form gave 2468: the six
	 * steps of the 28-wide n tile are compute-bound, the six of the 4-wide one memory-bound,
	 * and the first C tile's 524-cycle store waits to the end. With the output stage
	 * (COST_MODEL_VERSION 5: final stores read their channels' parameters) 3460, the RTL's
	 * figure too (hwnas sim, tests/cli/sim.sh), bound 2488. */
	struct arch_layer l = arch_conv("pw", 1, 24, 6, 6, 32, 1, 1, 0, 1);
	struct hw_config hw = small_hw(HW_WS, 4, 4, 1);
	struct hw_energy e = hw_energy_default();
	struct map_tiling t = { 36, 28, 4, MAP_MNK };
	struct cost_report r;

	hw.ibuf_bytes = hw.wbuf_bytes = 8192;
	hw.obuf_bytes = 16384;
	hw.freq_mhz = 200;
	hw.dram_gbps = 0.4;
	hw.dram_latency_cycles = 20;
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(r.compute_cycles, 2208);
	CHECK_EQ_I64(r.cycles_bound, 2488);
	CHECK_EQ_I64(r.cycles, 3460);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int64_t rng_in(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static void step_walk_should_agree_with_itself_the_bound_and_the_serial_sum(void)
{
	/* Random GEMMs, tilings, arrays, dataflows and memories: the fast paths and the jumping
	 * walk give the plain walk's cycles, the closed form never exceeds them nor they the
	 * serial sum, and the walk of a single-buffered program is that sum. */
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int bad_eq = 0, bad_lb = 0, bad_ub = 0, bad_serial = 0, n = 0;
	struct hw_energy e = hw_energy_default();

	for (int it = 0; it < 4000; it++) {
		struct hw_config hw = small_hw((enum hw_dataflow)rng_in(&seed, 0, 2),
					       (int)rng_in(&seed, 1, 8), (int)rng_in(&seed, 1, 8),
					       1);
		int64_t G = rng_in(&seed, 1, 3), M = rng_in(&seed, 1, 90);
		int64_t N = rng_in(&seed, 1, 60), K = rng_in(&seed, 1, 70);
		struct arch_layer l = arch_matmul("mm", G, M, K, N);
		struct map_tiling t = { rng_in(&seed, 1, M), rng_in(&seed, 1, N),
					rng_in(&seed, 1, K), (enum map_order)rng_in(&seed, 0, 5) };
		struct cost_report r;
		struct dmactx dc;
		int32_t nb[3];

		hw.act_bits = hw.weight_bits = (int)(4 << rng_in(&seed, 0, 2));
		hw.dram_gbps = 0.1 * (double)rng_in(&seed, 1, 64);
		hw.dram_latency_cycles = (int)rng_in(&seed, 1, 40);
		hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 1 << 22;
		if (cost_layer(&l, &hw, &t, &e, &r) || !r.feasible)
			continue;
		cost_dma_words_per_line(&hw, nb);
		dmactx_init(&dc, &hw, nb);
		int64_t plain = cost_steps_cycles(&r.gemm, &hw, &t, &dc, 0);
		n++;
		bad_eq += plain != r.cycles || cost_steps_cycles(&r.gemm, &hw, &t, &dc, 1) != plain;
		bad_lb += r.cycles_bound > r.cycles;
		bad_ub += r.cycles > r.compute_cycles + r.mem_cycles;
		hw.double_buffer = 0;
		cost_dma_words_per_line(&hw, nb);
		dmactx_init(&dc, &hw, nb);
		CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
		bad_serial += cost_steps_cycles(&r.gemm, &hw, &t, &dc, 0) !=
			      r.mem_cycles + r.compute_cycles;
	}
	CHECK(n > 3000);
	CHECK_EQ_I64(bad_eq, 0);
	CHECK_EQ_I64(bad_lb, 0);
	CHECK_EQ_I64(bad_ub, 0);
	CHECK_EQ_I64(bad_serial, 0);
}

/* Log-uniform integer in lo .. hi (lo >= 1). */
static int64_t rng_log(uint64_t *s, int64_t lo, int64_t hi)
{
	double u = (double)rng_in(s, 0, 1000000) / 1e6;
	int64_t v = (int64_t)exp(log((double)lo) + u * (log((double)hi + 1.0) - log((double)lo)));

	return v < lo ? lo : v > hi ? hi : v;
}

static void mapper_bounds_should_not_exceed_the_exact_latency(void)
{
	/* The mapper prunes with lower bounds (docs/mapping.md "Pruning", "Candidates, and the
	 * members between them"): the partial bounds with any set of dims fixed (at the smallest
	 * member of the tiling's classes, the others free) and the class bound of the tiling's
	 * classes, per order, against the exact latency of random tilings, on memories over the
	 * whole legal range (0.1 .. 10,000 GB/s, 1 .. 2,000 MHz, latency 0 .. 100,000 cycles)
	 * and buffers from 64 B. One above the exact latency would let the mapper prune the
	 * optimum. */
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	struct hw_energy e = hw_energy_default();
	int n = 0, bad_part = 0, bad_cls = 0;
	double tight = 0.0;

	for (int it = 0; it < 3000; it++) {
		static const int bits[] = { 4, 8, 16 };
		struct hw_config hw = small_hw((enum hw_dataflow)rng_in(&seed, 0, 2),
					       (int)rng_log(&seed, 1, 32), (int)rng_log(&seed, 1, 32),
					       (int)rng_in(&seed, 0, 1));
		struct arch_layer l = arch_matmul("mm", rng_in(&seed, 1, 3), rng_log(&seed, 1, 400),
						  rng_log(&seed, 1, 300), rng_log(&seed, 1, 300));
		struct arch_gemm g = arch_gemm(&l);
		struct map_tiling t = { rng_log(&seed, 1, g.m), rng_log(&seed, 1, g.n),
					rng_log(&seed, 1, g.k), MAP_MNK };
		double part[8], cls[MAP_ORDER_COUNT], best = INFINITY;
		struct cost_report r;

		hw.act_bits = bits[rng_in(&seed, 0, 2)];
		hw.weight_bits = bits[rng_in(&seed, 0, 2)];
		hw.acc_bits = rng_in(&seed, 0, 1) ? hw.act_bits + hw.weight_bits : 32;
		if (hw.acc_bits < hw.act_bits + hw.weight_bits)
			hw.acc_bits = hw.act_bits + hw.weight_bits;
		hw.dram_gbps = (double)rng_log(&seed, 1, 100000) / 10.0;
		hw.freq_mhz = rng_in(&seed, 0, 1) ? 200.0 : (double)rng_log(&seed, 1, 2000);
		hw.dram_latency_cycles = (int32_t)(rng_in(&seed, 0, 3) ? rng_log(&seed, 1, 100000) : 0);
		hw.ibuf_bytes = rng_log(&seed, 64, 1 << 18);
		hw.wbuf_bytes = rng_log(&seed, 64, 1 << 18);
		hw.obuf_bytes = rng_log(&seed, 64, 1 << 18);
		if (cost_layer(&l, &hw, &t, &e, &r) || !r.feasible ||
		    map_bounds_at(&l, &hw, &t, part, cls) != 0)
			continue;
		n++;
		for (int o = 0; o < MAP_ORDER_COUNT; o++) {
			t.order = (enum map_order)o;
			CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0 && r.feasible);
			double x = (double)r.cycles;
			/* the bounds are sums of doubles: allow their rounding, not a cycle */
			for (int mask = 0; mask < 8; mask++)
				bad_part += part[mask] > x * (1.0 + 1e-12) + 1e-6;
			bad_cls += cls[o] > x * (1.0 + 1e-12) + 1e-6;
			best = fmin(best, x);
		}
		tight += part[7] / best;
	}
	printf("  %d tilings x 6 orders: %d partial bounds and %d class bounds above the exact "
	       "latency; all dims fixed, the partial bound is %.0f%% of the best order's on "
	       "average\n", n, bad_part, bad_cls, n ? 100.0 * tight / n : 0.0);
	CHECK(n > 1000);
	CHECK_EQ_I64(bad_part, 0);
	CHECK_EQ_I64(bad_cls, 0);
}

/* The smallest tile of dim extent D whose trips and fold sum (on unit, 0: streamed) are t's,
 * among 1 .. cap: the smallest member of t's class (docs/mapping.md). */
static int64_t class_lo(int64_t D, int64_t t, int64_t unit, int64_t cap)
{
	for (int64_t u = 1; u <= cap && u <= t; u++)
		if (hn_cdiv(D, u) == hn_cdiv(D, t) && map_fold_sum(D, u, unit) == map_fold_sum(D, t, unit))
			return u;
	return t;
}

static void class_members_should_share_every_energy_term_but_the_static_one(void)
{
	/* The mapper skips a class triple that can only tie the best's cycles and DRAM bytes when
	 * the energy its members would then have does not beat the best's (map_tie_energy): it
	 * takes the MAC, SRAM and DRAM terms of the triple's smallest member and the static term
	 * of the cycles. Checked bit for bit against the members' own reports. */
	uint64_t seed = 0x51ed270b27a5f3c1ULL;
	struct hw_energy e = hw_energy_default();
	int n = 0, bad = 0, moved = 0;

	for (int it = 0; it < 3000; it++) {
		static const int bits[] = { 4, 8, 16 };
		struct hw_config hw = small_hw((enum hw_dataflow)rng_in(&seed, 0, 2),
					       (int)rng_log(&seed, 1, 32), (int)rng_log(&seed, 1, 32),
					       (int)rng_in(&seed, 0, 1));
		struct arch_layer l = arch_matmul("mm", rng_in(&seed, 1, 3), rng_log(&seed, 1, 400),
						  rng_log(&seed, 1, 300), rng_log(&seed, 1, 300));
		struct arch_gemm g = arch_gemm(&l);
		struct map_tiling t = { rng_log(&seed, 1, g.m), rng_log(&seed, 1, g.n),
					rng_log(&seed, 1, g.k), (enum map_order)rng_in(&seed, 0, 5) };
		struct cost_report r, rl;
		int64_t unit[3], cap[3];

		hw.act_bits = bits[rng_in(&seed, 0, 2)];
		hw.weight_bits = bits[rng_in(&seed, 0, 2)];
		hw.acc_bits = hw.act_bits + hw.weight_bits;
		hw.dram_gbps = (double)rng_log(&seed, 1, 100000) / 10.0;
		hw.freq_mhz = rng_in(&seed, 0, 1) ? 200.0 : (double)rng_log(&seed, 1, 2000);
		hw.dram_latency_cycles = (int32_t)rng_log(&seed, 1, 3000);
		hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 1 << 20;
		map_dim_units(&hw, unit);
		map_dim_caps(&g, &hw, cap);
		struct map_tiling lo = { class_lo(g.m, t.tm, unit[0], cap[0]),
					 class_lo(g.n, t.tn, unit[1], cap[1]),
					 class_lo(g.k, t.tk, unit[2], cap[2]), t.order };
		if (cost_layer(&l, &hw, &t, &e, &r) || !r.feasible ||
		    cost_layer(&l, &hw, &lo, &e, &rl) || !rl.feasible)
			continue;
		n++;
		moved += lo.tm != t.tm || lo.tn != t.tn || lo.tk != t.tk;
		bad += r.dram_bytes != rl.dram_bytes ||
		       map_tie_energy(&rl, r.cycles, &hw, &e) != r.energy_total_pj;
	}
	printf("  %d tilings (%d not their class's smallest): %d whose energy is not its class's "
	       "smallest member's with its own cycles\n", n, moved, bad);
	CHECK(n > 2000 && moved > 1000);
	CHECK_EQ_I64(bad, 0);
}


/* A small network of every kind the rule names: MAC layers and a MAC-free pool. */
static void small_net(struct arch_net *net)
{
	struct arch_layer ls[3] = {
		arch_conv("c1", 1, 8, 10, 10, 16, 3, 1, 1, 1),
		arch_pool("p1", 1, 16, 10, 10, 2, 2, 0, 1),
		arch_fc("fc", 1, 400, 10),
	};

	arch_net_init(net, "small", 1);
	for (int i = 0; i < 3; i++)
		CHECK(arch_net_add(net, &ls[i]) == 0);
}

/* Field by field: a struct's padding is not part of a tiling (memcmp read it, and the
 * sanitizer build's stack gave it other bytes). */
static int same_tiling(const struct map_tiling *a, const struct map_tiling *b)
{
	return a->tm == b->tm && a->tn == b->tn && a->tk == b->tk && a->order == b->order;
}

static void cost_net_should_sum_the_rows_it_returns_with_either_mapper(void)
{
	struct hw_config hw = small_hw(HW_WS, 4, 4, 1);
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct arch_net net;
	struct cost_net_opts co;
	struct cost_net_row rows[3];
	struct cost_total tot, sum;

	small_net(&net);
	cost_net_opts_init(&co);
	CHECK(co.mapper == COST_MAP_GLPK);
	for (int m = 0; m < COST_MAPPER_COUNT; m++) {
		co.mapper = (enum cost_mapper)m;
		CHECK(cost_net(&net, &hw, &co, rows, &tot, &err) == 0);
		cost_total_init(&sum);
		for (int i = 0; i < 3; i++) {
			const struct arch_layer *l = &net.layers[i];
			struct cost_report r;
			struct map_tiling t;
			CHECK(rows[i].fits && rows[i].cost.feasible);
			if (arch_gemm(l).g == 0) {
				/* MAC-free: the vector unit, whatever the mapper */
				CHECK(rows[i].tiling.tm == 1 && rows[i].tiling.tn == 1 &&
				      rows[i].tiling.tk == 1);
			} else if (m == COST_MAP_GLPK) {
				struct map_options mo;
				struct map_result mr;
				map_options_default(&mo);
				CHECK(map_layer(l, &hw, &e, &mo, NULL, &mr, &err) == 0 && mr.feasible);
				CHECK(same_tiling(&mr.tiling, &rows[i].tiling));
			} else {
				CHECK(map_default(l, &hw, &t) == 0);
				CHECK(same_tiling(&t, &rows[i].tiling));
			}
			CHECK(cost_layer(l, &hw, &rows[i].tiling, &e, &r) == 0);
			CHECK_EQ_I64(rows[i].cost.cycles, r.cycles);
			cost_total_add(&sum, &r, l->name);
		}
		cost_total_finish(&sum, &hw);
		CHECK(tot.feasible);
		CHECK_EQ_I64(tot.cycles, sum.cycles);
		CHECK_EQ_I64(tot.macs, 8 * 9 * 16 * 100 + 400 * 10);
		CHECK_EQ_I64(tot.dram_bytes, sum.dram_bytes);
		CHECK_NEAR(tot.energy_mj, sum.energy_mj, 1e-12);
		CHECK_NEAR(tot.latency_ms, (double)sum.cycles / (100.0 * 1e3), 1e-12);
	}
	CHECK(!strcmp(cost_mapper_name(COST_MAP_GREEDY), "greedy"));
	CHECK(cost_mapper_parse("glpk") == COST_MAP_GLPK);
	CHECK(cost_mapper_parse("default") == -1); /* the CLI's alias, not a name */
	arch_net_release(&net);
}

static void cost_net_should_keep_going_past_a_layer_no_tiling_fits(void)
{
	/* obuf 6 B, double-buffered 4-byte sums: even 1x1 needs 8 B. */
	struct hw_config hw = small_hw(HW_WS, 4, 4, 1);
	struct hn_err err = { 0 };
	struct arch_net net;
	struct cost_net_opts co;
	struct cost_net_row rows[3];
	struct cost_total tot;

	hw.obuf_bytes = 6;
	small_net(&net);
	cost_net_opts_init(&co);
	for (int m = 0; m < COST_MAPPER_COUNT; m++) {
		co.mapper = (enum cost_mapper)m;
		CHECK(cost_net(&net, &hw, &co, rows, &tot, &err) == 0);
		CHECK(!rows[0].fits && !rows[0].cost.feasible && !rows[2].fits);
		CHECK(rows[0].tiling.tm == 1 && rows[0].tiling.tn == 1 && rows[0].tiling.tk == 1);
		CHECK_STR_CONTAINS(rows[0].cost.why, "obuf: tile needs 8 B, has 6 B");
		CHECK(rows[1].fits && rows[1].cost.feasible && rows[1].cost.cycles > 0);
		CHECK(!tot.feasible);
		CHECK_STR_CONTAINS(tot.why, "layer 'c1': obuf");
		CHECK_EQ_I64(tot.cycles, rows[1].cost.cycles); /* infeasible rows add no cycles */
	}
	/* A given tiling that does not fit: infeasible the same way; one <= 0: an error. */
	struct map_tiling big = { 64, 64, 64, MAP_MNK }, zero = { 0, 1, 1, MAP_MNK };
	hw.obuf_bytes = 1024; /* 64 x 64 sums need 32 KiB */
	co.fixed = &big;
	CHECK(cost_net(&net, &hw, &co, rows, &tot, &err) == 0);
	CHECK(!rows[0].fits && rows[0].tiling.tm == 64 && rows[1].fits && !tot.feasible);
	co.fixed = &zero;
	CHECK(cost_net(&net, &hw, &co, rows, &tot, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'c1': invalid tiling 0,1,1");
	arch_net_release(&net);
}


/* The AXI top's tiling choice (map_axi_choose through cost_net_layer, docs/mapping.md "For
 * the AXI top") on random layers: never more AXI cycles than the mapper's tiling, and
 * exactly the minimum over the candidate set, which this test prices itself.
 * HWNAS_MAP_AXI_SEED=N replays a run (the seed is printed). */
static void axi_choice_should_take_the_fastest_candidate_and_never_lose_to_the_mapper(void)
{
	const char *se = getenv("HWNAS_MAP_AXI_SEED");
	const uint64_t seed0 = se ? strtoull(se, NULL, 10) : 20261204;
	uint64_t seed = seed0 * 0x9e3779b97f4a7c15ULL + 1;
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct cost_axi a;
	int gained = 0;

	printf("  seed %llu (HWNAS_MAP_AXI_SEED)\n", (unsigned long long)seed0);
	cost_axi_init(&a);
	for (int it = 0; it < 40; it++) {
		struct hw_config hw = small_hw((enum hw_dataflow)rng_in(&seed, 0, 2),
					       (int)rng_log(&seed, 2, 8), (int)rng_log(&seed, 2, 8),
					       (int)rng_in(&seed, 0, 1));
		const int64_t kind = rng_in(&seed, 0, 3), c = rng_in(&seed, 1, 24);
		const int64_t groups = kind == 0 && rng_in(&seed, 0, 3) == 0 ? c : 1;
		struct arch_layer l = kind == 3 ?
			arch_fc("fc", rng_in(&seed, 1, 8), rng_in(&seed, 1, 300), rng_in(&seed, 1, 60)) :
			arch_conv("conv", 1, c, rng_in(&seed, 3, 12), rng_in(&seed, 3, 12),
				  groups > 1 ? c : rng_in(&seed, 1, 24), rng_in(&seed, 1, 3),
				  (int32_t)rng_in(&seed, 1, 2), (int32_t)rng_in(&seed, 0, 1),
				  (int32_t)groups);
		const struct arch_gemm g = arch_gemm(&l);
		struct cost_net_opts co;
		struct cost_net_row mapped, chosen;
		struct map_tiling cand[MAP_AXI_CANDS];
		struct cost_report r, base;
		int64_t best = -1;
		int n, at = -1;
		char what[160];

		hw.ibuf_bytes = rng_log(&seed, 256, 1 << 15);
		hw.wbuf_bytes = rng_log(&seed, 256, 1 << 15);
		hw.obuf_bytes = rng_log(&seed, 256, 1 << 15);
		hw.dram_latency_cycles = (int32_t)rng_in(&seed, 0, 120);
		a.dw = 64 << rng_in(&seed, 0, 1);
		snprintf(what, sizeof(what), "case %d: %s c %lld k %lld r %lld g %d, %s %dx%d", it,
			 l.name, (long long)l.c, (long long)l.k, (long long)l.r, l.groups,
			 hw_dataflow_name(hw.dataflow), hw.pe_rows, hw.pe_cols);
		cost_net_opts_init(&co);
		CHECK(cost_net_layer(&l, &hw, &co, &mapped, &err) == 0);
		if (!mapped.fits)
			continue;
		co.axi = &a;
		CHECK(cost_net_layer(&l, &hw, &co, &chosen, &err) == 0);
		CHECK(cost_layer_axi(&l, &hw, &mapped.tiling, &a, &e, &base) == 0);
		/* the candidates: the mapper's first, distinct, each fitting its buffers, tk the
		 * mapper's or above it (a multiple of a tap's or a window row's channels, or K) */
		n = map_axi_candidates(&l, &hw, &mapped.tiling, cand);
		CHECK(n >= 1 && n <= MAP_AXI_CANDS && same_tiling(&cand[0], &mapped.tiling));
		for (int i = 0; i < n; i++) {
			const int64_t cg = l.c / l.groups;
			int64_t need[3];
			map_buffer_need(&g, &hw, &cand[i], need);
			CHECK(need[0] <= hw.ibuf_bytes && need[1] <= hw.wbuf_bytes &&
			      need[2] <= hw.obuf_bytes);
			CHECK(cand[i].tk >= hn_min64(mapped.tiling.tk, g.k));
			CHECK(i == 0 || cand[i].tk == hn_min64(mapped.tiling.tk, g.k) ||
			      cand[i].tk == g.k || (l.kind == ARCH_CONV && cand[i].tk % cg == 0));
			for (int j = 0; j < i; j++)
				CHECK(!same_tiling(&cand[i], &cand[j]));
			CHECK(cost_layer_axi(&l, &hw, &cand[i], &a, &e, &r) == 0);
			if (r.feasible && (best < 0 || r.cycles < best)) {
				best = r.cycles;
				at = i;
			}
		}
		CHECK(at >= 0 && base.feasible && chosen.fits);
		CHECK(chosen.cost.cycles <= base.cycles);
		CHECK_EQ_I64(chosen.cost.cycles, best);
		CHECK(at < 0 || same_tiling(&chosen.tiling, &cand[at]));
		if (chosen.cost.cycles != best || chosen.cost.cycles > base.cycles)
			fprintf(stderr, "  %s (HWNAS_MAP_AXI_SEED=%llu)\n", what,
				(unsigned long long)seed0);
		gained += chosen.cost.cycles < base.cycles;
		/* a given tiling is costed as given: no choice */
		const struct map_tiling given = mapped.tiling;
		co.fixed = &given;
		CHECK(cost_net_layer(&l, &hw, &co, &chosen, &err) == 0);
		CHECK(same_tiling(&chosen.tiling, &mapped.tiling));
		CHECK_EQ_I64(chosen.cost.cycles, base.cycles);
	}
	printf("  %d of 40 layers faster than the mapper's tiling\n", gained);
	CHECK(gained > 0);
}

/* ResNet-18's layer1.0.conv1 on zcu102_ws_16x16 (docs/mapping.md "For the AXI top"): the
 * mapper's 486,16,32 takes the AXI top (64-bit bus) 1,717,354 cycles; tk 64 (whole taps of
 * 64 channels) with tm refilled to 448 (7 even trips) takes it 1,097,625 (-36%). */
static void axi_choice_should_cut_resnet18_layer1_conv1_to_whole_taps(void)
{
	struct hw_config hw;
	struct arch_net net;
	struct hn_err err = { 0 };
	struct cost_axi a;
	struct cost_net_opts co;
	struct cost_net_row mapped, chosen;
	const struct map_tiling fixed = { 486, 16, 32, MAP_MNK };
	const struct arch_layer *l = NULL;

	CHECK_EQ_I64(hw_config_load("examples/zcu102_ws_16x16.json", &hw, &err), 0);
	CHECK_EQ_I64(arch_zoo_build("resnet18", 1, &net, &err), 0);
	for (int i = 0; i < net.n_layers; i++)
		if (!strcmp(net.layers[i].name, "layer1.0.conv1"))
			l = &net.layers[i];
	CHECK(l != NULL);
	if (!l)
		return;
	cost_axi_init(&a);
	a.dw = 64;
	cost_net_opts_init(&co);
	CHECK(cost_net_layer(l, &hw, &co, &mapped, &err) == 0);   /* the direct top's */
	CHECK(same_tiling(&mapped.tiling, &fixed));
	co.axi = &a;
	co.fixed = &fixed;
	CHECK(cost_net_layer(l, &hw, &co, &mapped, &err) == 0);
	CHECK_EQ_I64(mapped.cost.cycles, 1717354);
	co.fixed = NULL;
	CHECK(cost_net_layer(l, &hw, &co, &chosen, &err) == 0);
	printf("  chosen %lld,%lld,%lld %s: %lld cycles\n", (long long)chosen.tiling.tm,
	       (long long)chosen.tiling.tn, (long long)chosen.tiling.tk,
	       map_order_name(chosen.tiling.order), (long long)chosen.cost.cycles);
	CHECK(same_tiling(&chosen.tiling, &(struct map_tiling){ 448, 16, 64, MAP_MNK }));
	CHECK_EQ_I64(chosen.cost.cycles, 1097625);
	arch_net_release(&net);
}

int main(void)
{
	RUN(ws_single_tile_gemm_should_take_the_hand_computed_cycles);
	RUN(cost_net_should_sum_the_rows_it_returns_with_either_mapper);
	RUN(cost_net_should_keep_going_past_a_layer_no_tiling_fits);
	RUN(narrow_tiles_should_pay_the_dma_bus_floor);
	RUN(os_tiled_gemm_should_count_refetches_by_loop_order);
	RUN(vector_layers_should_take_the_hand_computed_stream);
	RUN(a_final_store_wider_than_the_qbuf_should_be_cut_in_chunks);
	RUN(ws_edge_tiles_should_pay_full_array_depth);
	RUN(grouped_conv_should_repeat_the_program_per_group);
	RUN(tiling_that_overflows_a_buffer_should_be_infeasible_with_the_buffer_named);
	RUN(default_tiling_should_fit_every_zoo_layer);
	RUN(energy_should_add_up_its_terms);
	RUN(network_totals_should_convert_cycles_to_milliseconds);
	RUN(double_buffered_layer_should_take_the_rtls_cycles_when_steps_are_uneven);
	RUN(step_walk_should_agree_with_itself_the_bound_and_the_serial_sum);
	RUN(axi_choice_should_take_the_fastest_candidate_and_never_lose_to_the_mapper);
	RUN(axi_choice_should_cut_resnet18_layer1_conv1_to_whole_taps);
	RUN(mapper_bounds_should_not_exceed_the_exact_latency);
	RUN(class_members_should_share_every_energy_term_but_the_static_one);
	return TEST_SUMMARY();
}
