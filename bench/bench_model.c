/* bench_model: layer evaluations per second of the analytical model on one core (fixed
 * tiling), and whole-network evaluations per second for resnet50. Target (issue 2): at least
 * 5,000,000 layer evaluations per second. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../models/models.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct arch_net net;
	struct hn_err err;
	volatile int64_t sink = 0;

	if (arch_zoo_build("resnet50", 1, &net, &err) < 0) {
		fprintf(stderr, "bench_model: %s\n", err.msg);
		return 1;
	}
	struct map_tiling *t = calloc((size_t)net.n_layers, sizeof(*t));
	if (!t)
		return 1;
	for (int i = 0; i < net.n_layers; i++)
		map_default(&net.layers[i], &hw, &t[i]);

	/* Layer evaluations: cycle through resnet50's layers and the three dataflows. */
	int64_t n = 0;
	double t0 = now_s(), t1;
	do {
		for (int rep = 0; rep < 20000; rep++) {
			int i = (int)(n % net.n_layers);
			struct cost_report r;
			hw.dataflow = (enum hw_dataflow)(n % 3);
			cost_layer(&net.layers[i], &hw, &t[i], &e, &r);
			sink += r.cycles;
			n++;
		}
		t1 = now_s();
	} while (t1 - t0 < 2.0);
	double lps = (double)n / (t1 - t0);
	printf("model: %.0f layer evaluations/s on one core (%.1f ns each; target >= 5,000,000/s)\n",
	       lps, 1e9 / lps);

	/* The same on a memory-bound config (1.6 GB/s): the closed form's fast path rarely
	 * holds, so most evaluations walk the tile program (docs/model.md "Latency"). */
	struct hw_config slow = hw;
	int64_t walked = 0;
	slow.dram_gbps = 1.6;
	n = 0;
	t0 = now_s();
	do {
		for (int rep = 0; rep < 2000; rep++) {
			int i = (int)(n % net.n_layers);
			struct cost_report r;
			slow.dataflow = (enum hw_dataflow)(n % 3);
			cost_layer(&net.layers[i], &slow, &t[i], &e, &r);
			sink += r.cycles;
			walked += r.cycles != r.cycles_bound;
			n++;
		}
		t1 = now_s();
	} while (t1 - t0 < 2.0);
	printf("model: %.0f layer evaluations/s on a memory-bound config (1.6 GB/s; the step walk's "
	       "answer differs from the closed form on %.0f%% of them)\n", (double)n / (t1 - t0),
	       100.0 * (double)walked / (double)n);

	hw.dataflow = HW_WS;
	int64_t nets = 0;
	t0 = now_s();
	do {
		for (int rep = 0; rep < 1000; rep++) {
			struct cost_total tot;
			cost_total_init(&tot);
			for (int i = 0; i < net.n_layers; i++) {
				struct cost_report r;
				cost_layer(&net.layers[i], &hw, &t[i], &e, &r);
				cost_total_add(&tot, &r, net.layers[i].name);
			}
			cost_total_finish(&tot, &hw);
			sink += tot.cycles;
			nets++;
		}
		t1 = now_s();
	} while (t1 - t0 < 2.0);
	printf("model: %.0f resnet50 evaluations/s (%d layers each, fixed tiling)\n",
	       (double)nets / (t1 - t0), net.n_layers);
	free(t);
	arch_net_release(&net);
	return sink == 42 ? 2 : 0;
}
