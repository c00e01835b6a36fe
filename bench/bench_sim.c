/* bench_sim.c: Verilator simulation speed of the RTL accelerator (simulated cycles and MACs
 * per wall-clock second of the harness's cycle loop) on 16x16 and 32x32 arrays, and the
 * verilate + compile time of each configuration (measured in a fresh cache folder, so the
 * figure is a real build; the user's cache is untouched). Target: >= 200 k cycles/s on 16x16.
 * BENCH_SIM_QUICK=1: 16x16 only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/sim.h"

struct cfg {
	int rows, cols;
	enum hw_dataflow df;
	int64_t n; /* the benchmark is an n x n x n matmul */
};

int main(void)
{
	static const struct cfg cfgs[] = {
		{ 16, 16, HW_WS, 256 }, { 16, 16, HW_OS, 256 }, { 32, 32, HW_WS, 384 },
	};
	const char *quick = getenv("BENCH_SIM_QUICK");
	char cache[] = "/tmp/hwnas-bench-sim-XXXXXX", cmd[128];
	int fail = 0;

	if (!mkdtemp(cache)) {
		perror("mkdtemp");
		return 1;
	}
	printf("%-16s %8s %12s %10s %12s %12s %9s\n", "config", "build s", "cycles", "sim s",
	       "cycles/s", "MACs/s", "bit_exact");
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		const struct cfg *c = &cfgs[i];
		struct hw_config hw = hw_config_default();
		struct arch_layer l = arch_matmul("bench", 1, c->n, c->n, c->n);
		struct map_tiling m;
		struct sim_options o;
		struct sim_result r;
		struct hn_err err = { 0 };
		char name[32];

		if (quick && quick[0] == '1' && c->rows > 16)
			continue;
		hw.pe_rows = c->rows;
		hw.pe_cols = c->cols;
		hw.dataflow = c->df;
		map_default(&l, &hw, &m);
		sim_options_init(&o);
		o.cache_dir = cache;
		snprintf(name, sizeof(name), "%dx%d %s", c->rows, c->cols, hw_dataflow_name(c->df));
		if (sim_layer(&l, &hw, &m, &o, &r, &err)) {
			printf("%-16s error: %s\n", name, err.msg);
			fail = 1;
			continue;
		}
		printf("%-16s %8.1f %12lld %10.3f %12.0f %12.3g %9s\n", name, r.build_seconds,
		       (long long)r.sim_cycles, r.sim_seconds,
		       r.sim_seconds > 0 ? (double)r.sim_cycles / r.sim_seconds : 0.0,
		       r.sim_seconds > 0 ? (double)r.macs / r.sim_seconds : 0.0,
		       r.bit_exact ? "true" : "false");
		fail |= !r.bit_exact;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache);
	if (system(cmd) != 0)
		fail = 1;
	return fail;
}
