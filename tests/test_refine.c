/* RTL refinement of a search point: the network is simulated on the Verilog accelerator
 * (Verilator), bit-exact, and its measured cycles stay close to the model's. */
#include "test.h"
#include "../search/search.h"
#include "../sim/sim.h"

static void refining_a_point_should_simulate_its_layers_bit_exactly(void)
{
	struct search_space sp;
	struct search_point pt;
	struct sim_options so;
	struct search_refine r;
	struct hn_err err = { 0 };
	struct map_cache *cache = map_cache_new();

	CHECK(cache != NULL);
	if (search_space_load("examples/default_space.json", &sp, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		CHECK(0);
		return;
	}
	/* Choice 0 everywhere: the NB201 cell of 'none' edges (the skeleton, 7.78 M MACs) on an
	 * 8x8 array (the grid's smallest), so the simulation takes seconds. */
	memset(&pt, 0, sizeof(pt));
	sim_options_init(&so);
	if (search_refine_point(&sp, &pt, &so, cache, 4000000, &r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		CHECK(0);
		goto out;
	}
	printf("refine: model %lld cycles, rtl %lld cycles (%+.2f%%), %d layers measured "
	       "(%d shapes simulated), %d model-only\n", (long long)r.model_cycles,
	       (long long)r.rtl_cycles, r.err_pct, r.layers_rtl, r.shapes_simulated,
	       r.layers_model_only);
	CHECK(r.all_bit_exact);
	CHECK(r.layers_rtl >= 3);
	CHECK(r.shapes_simulated >= 1 && r.shapes_simulated <= r.layers_rtl);
	/* pool and add layers run on the vector unit too: only layers above the guard are
	 * model-only, and none of this network's is */
	CHECK_EQ_I64(r.layers_model_only, 0);
	CHECK(r.rtl_cycles > 0);
	/* The model walks the RTL's tile program (docs/model.md "Latency"): the same cycles,
	 * also for the 64 x 8 edge tile whose loads outlast its one fold. */
	CHECK_EQ_I64(r.model_cycles, r.rtl_cycles);
	CHECK_NEAR(r.rtl_latency_ms, (double)r.rtl_cycles / 150e3, 1e-9); /* 150 MHz */
out:
	map_cache_free(cache);
}

int main(void)
{
	RUN(refining_a_point_should_simulate_its_layers_bit_exactly);
	return TEST_SUMMARY();
}
