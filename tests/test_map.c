/* test_map.c: the GLPK tile mapper against exhaustive enumeration, the mapping cache, the
 * infeasible and MAC-free cases, time limits, and the tiling parsers. */
#include <stdint.h>
#include <unistd.h>

#include "test.h"
#include "../models/models.h"

/* xorshift64*: the test's own generator, reproducible everywhere. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static int64_t rnd(int64_t lo, int64_t hi)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return lo + (int64_t)((rng_state * 2685821657736338717ULL >> 11) % (uint64_t)(hi - lo + 1));
}

/* A small accelerator where tiling matters: buffers of a few hundred bytes to a few KiB. */
static struct hw_config small_hw(int variant)
{
	static const int arrays[4][2] = { { 2, 2 }, { 4, 4 }, { 8, 4 }, { 16, 16 } };
	struct hw_config hw = hw_config_default();

	hw.pe_rows = arrays[variant % 4][0];
	hw.pe_cols = arrays[variant % 4][1];
	hw.dataflow = (enum hw_dataflow)((variant / 4) % 3);
	hw.double_buffer = (variant / 12) % 2;
	hw.dram_gbps = (variant / 24) % 2 ? 19.2 : 0.9; /* 96 or 4.5 bytes per cycle at 200 MHz */
	hw.act_bits = rnd(0, 3) ? 8 : 16;
	hw.weight_bits = 8;
	hw.acc_bits = rnd(0, 1) ? 32 : 24;
	hw.ibuf_bytes = rnd(64, 2048);
	hw.wbuf_bytes = rnd(64, 2048);
	hw.obuf_bytes = rnd(256, 4096);
	hw.dram_latency_cycles = (int32_t)rnd(0, 60);
	return hw;
}

/* A random layer with M, N, K up to about max: a grouped matmul, an FC or a conv. */
static struct arch_layer small_layer(int64_t max)
{
	switch (rnd(0, 2)) {
	case 0:
		return arch_matmul("mm", rnd(1, 3), rnd(1, max), rnd(1, max), rnd(1, max));
	case 1:
		return arch_fc("fc", rnd(1, max), rnd(1, max), rnd(1, max));
	default: {
		int32_t g = (int32_t)rnd(1, 2);
		int64_t hw = rnd(2, 6);
		return arch_conv("conv", 1, g * rnd(1, max / 9 + 1), hw, hw, g * rnd(1, max / 2),
				 rnd(1, 3), 1, 1, g);
	}
	}
}

static void map_should_match_brute_force_on_small_layers(void)
{
	struct hw_energy e = hw_energy_default();
	struct map_options opt;
	int n = 0, agree = 0, tie_dram = 0, infeasible = 0;
	double t_milp = 0, t_brute = 0;

	map_options_default(&opt);
	for (int i = 0; i < 240; i++) {
		struct hw_config hw = small_hw(i % 48);
		struct arch_layer l = small_layer(i < 120 ? 24 : 40);
		struct arch_gemm g = arch_gemm(&l);
		struct map_result a, b;
		struct hn_err err = { 0, "" };

		if (g.m * g.n * g.k > 40 * 40 * 40)
			continue;
		CHECK(map_layer(&l, &hw, &e, &opt, NULL, &a, &err) == 0);
		CHECK(map_brute_force(&l, &hw, &e, &b) == 0);
		n++;
		t_milp += a.solve_ms;
		t_brute += b.solve_ms;
		CHECK_EQ_I64(a.feasible, b.feasible);
		if (!b.feasible) {
			infeasible++;
			continue;
		}
		if (a.cost.cycles == b.cost.cycles && a.cost.dram_bytes == b.cost.dram_bytes)
			agree++;
		else
			fprintf(stderr, "  layer %d (g %lld, m %lld n %lld k %lld) %dx%d %s db %d: milp "
				"%lld cyc %lld B (%lld,%lld,%lld,%s) vs brute %lld cyc %lld B "
				"(%lld,%lld,%lld,%s)\n", i, (long long)g.g, (long long)g.m,
				(long long)g.n, (long long)g.k, hw.pe_rows, hw.pe_cols,
				hw_dataflow_name(hw.dataflow), hw.double_buffer,
				(long long)a.cost.cycles, (long long)a.cost.dram_bytes,
				(long long)a.tiling.tm, (long long)a.tiling.tn, (long long)a.tiling.tk,
				map_order_name(a.tiling.order), (long long)b.cost.cycles,
				(long long)b.cost.dram_bytes, (long long)b.tiling.tm,
				(long long)b.tiling.tn, (long long)b.tiling.tk,
				map_order_name(b.tiling.order));
		tie_dram += a.cost.cycles == b.cost.cycles;
		CHECK_EQ_I64(a.cost.cycles, b.cost.cycles);
		CHECK_EQ_I64(a.cost.dram_bytes, b.cost.dram_bytes);
	}
	printf("  %d layers (%d infeasible): MILP = brute force on %d of %d feasible "
	       "(cycles and DRAM bytes); MILP %.1f ms, brute force %.1f ms in total\n", n,
	       infeasible, agree, n - infeasible, t_milp, t_brute);
	CHECK(n >= 200);
}

int main(void)
{
	RUN(map_should_match_brute_force_on_small_layers);
	return TEST_SUMMARY();
}
