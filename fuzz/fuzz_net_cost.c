/* fuzz_net_cost: a network JSON the reader accepts, priced on the default accelerator with
 * the default tiling: the cost model must stay defined (no signed overflow, no division by
 * zero) for every shape arch_layer_check lets through (MACs, im2col input and output at most
 * 2^50 each), give non-negative counts, and a latency between the closed-form bound and the
 * serial sum (the step walk of models/cost_steps.c, in bounded time). */
#include "fuzz.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct cost_total tot;
	struct arch_net net;
	struct hn_err err = { 0 };

	/* The first byte picks the dataflow and double buffering, so all of them get fuzzed. */
	if (size > 0) {
		hw.dataflow = (enum hw_dataflow)(data[0] % 3);
		hw.double_buffer = (data[0] >> 2) & 1;
	}
	if (arch_net_parse_json(text, size, "fuzz.json", &net, &err))
		goto out_free_text;
	cost_total_init(&tot);
	for (int i = 0; i < net.n_layers; i++) {
		const struct arch_layer *l = &net.layers[i];
		struct map_tiling m;
		struct cost_report r;

		FUZZ_ASSERT(map_default(l, &hw, &m) == 0);
		if (m.tm == 0)
			continue;
		FUZZ_ASSERT(cost_layer(l, &hw, &m, &e, &r) == 0);
		FUZZ_ASSERT(r.cycles >= 0 && r.compute_cycles >= 0 && r.mem_cycles >= 0);
		/* the exact latency lies between the closed-form bound and the serial sum */
		FUZZ_ASSERT(r.cycles >= r.cycles_bound);
		FUZZ_ASSERT(r.gemm.g == 0 || r.cycles <= r.compute_cycles + r.mem_cycles);
		FUZZ_ASSERT(r.dram_bytes >= 0);
		cost_total_add(&tot, &r, l->name);
	}
	cost_total_finish(&tot, &hw);
	arch_net_release(&net);
out_free_text:
	free(text);
	return 0;
}
