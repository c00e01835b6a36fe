/* test_axi.c: the AXI top (rtl/hwnas_axi.v) run through sim/harness/harness_axi.cpp, an AXI4
 * slave memory model with latency, bandwidth and random back-pressure, against the C
 * reference (bit for bit) and beside the direct harness's cycles (the model's). The host side
 * of the harness is the C driver (driver/hwnas_drv.c): its register accesses are AXI4-Lite
 * transactions on the Verilated top.
 *
 * White-box: it builds tile programs with sim/'s internal sim_prog_build (sim_int.h). The AXI
 * harness is verilated here (cached in $HWNAS_CACHE or ~/.cache/hwnas as axi-<hash>). The
 * seed of the back-pressure is printed; HWNAS_AXI_SEED replays one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_small_hw.h"
#include "../sim/sim.h"

/* Runs l on hw through the AXI top; checks bit-exactness and prints the cycles beside the
 * direct harness's (= the model's, docs/rtl.md). Returns the AXI cycles (-1 on failure). */
static long run_axi(const struct arch_layer *l, const struct hw_config *hw,
		    const struct map_tiling *m, int dw, int maxb, double stall, uint64_t seed)
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
	printf("  %-8s %dx%d %s bus %3d maxb %2d stall %.2f seed %-6llu bit-exact %d  axi %7lld"
	       "  direct %7lld  model %7lld  (axi %+.1f%%)\n", l->name, hw->pe_rows, hw->pe_cols,
	       hw_dataflow_name(hw->dataflow), dw, maxb, stall, (unsigned long long)seed,
	       r.bit_exact, (long long)r.rtl_cycles, (long long)d.rtl_cycles, (long long)model,
	       d.rtl_cycles ? 100.0 * (double)(r.rtl_cycles - d.rtl_cycles) /
	       (double)d.rtl_cycles : 0);
	sim_axi_result_release(&axi);
	return (long)r.rtl_cycles;
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

/* A DMA record with a vector op is refused with STATUS.error, not run as a store. */
static void axi_should_refuse_vector_layers(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct arch_layer p = arch_pool("pool", 1, 4, 6, 6, 2, 2, 0, 1);
	struct map_tiling m = { 1, 1, 1, MAP_MNK };
	struct sim_axi_options ao;
	struct sim_axi_result axi;
	struct sim_result r;
	struct hn_err err = { 0 };

	sim_axi_options_init(&ao);
	CHECK(sim_layer_axi(&p, &hw, &m, NULL, &ao, &r, &axi, &err) == HN_EINVAL);
	CHECK(strstr(err.msg, "vector") != NULL);
	sim_axi_result_release(&axi);
}

int main(void)
{
	RUN(axi_should_run_a_gemm_bit_exactly_on_ws);
	RUN(axi_should_run_os_and_is_layouts_bit_exactly);
	RUN(axi_should_requantise_convs_like_the_direct_top);
	RUN(axi_should_refuse_vector_layers);
	return TEST_SUMMARY();
}
