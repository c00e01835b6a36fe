/* estim_measure.c: one layer on one accelerator, by the model or on the RTL: the measurement
 * every estimator of estim/ is built from or scored against. */
#include <string.h>

#include "estim.h"
#include "estim_int.h"
#include "../sim/sim.h"

static const char *const source_names[ESTIM_SRC_COUNT] = { "model", "rtl" };

const char *estim_source_name(int s)
{
	return s >= 0 && s < ESTIM_SRC_COUNT ? source_names[s] : "?";
}

int estim_source_parse(const char *s)
{
	for (int i = 0; i < ESTIM_SRC_COUNT; i++)
		if (!strcmp(s, source_names[i]))
			return i;
	return -1;
}

void estim_ctx_init(struct estim_ctx *cx)
{
	memset(cx, 0, sizeof(*cx));
	cx->energy = hw_energy_default();
	cx->source = ESTIM_SRC_MODEL;
}

int estim_measure_layer(const struct arch_layer *l, const struct hw_config *hw,
			const struct estim_ctx *cx, struct estim_meas *out, struct hn_err *err)
{
	double t0 = estim_now_s();
	struct cost_net_opts co;
	struct cost_net_row row;
	const struct cost_report *r = &row.cost;
	int ret;

	memset(out, 0, sizeof(*out));
	/* the tiling and the model's figures by the one rule every command uses */
	cost_net_opts_init(&co);
	co.mapper = cx->greedy ? COST_MAP_GREEDY : COST_MAP_GLPK;
	co.energy = &cx->energy;
	co.cache = cx->cache;
	if ((ret = cost_net_layer(l, hw, &co, &row, err)) < 0)
		return ret;
	out->tiling = row.tiling;
	out->fits = row.fits;
	out->cycles = out->model_cycles = r->cycles;
	out->dram_bytes = r->dram_bytes;
	out->energy_pj = r->energy_total_pj;
	if (cx->source == ESTIM_SRC_RTL && out->fits && arch_gemm(l).g > 0 &&
	    (cx->max_macs <= 0 || arch_layer_macs(l) <= cx->max_macs)) {
		struct sim_options dflt;
		const struct sim_options *so = cx->sim;
		struct sim_result sr;

		if (!so) {
			sim_options_init(&dflt);
			so = &dflt;
		}
		ret = sim_layer(l, hw, &out->tiling, so, &sr, err);
		if (ret < 0)
			return ret;
		if (!sr.bit_exact)
			return hn_fail(err, HN_EEXTERNAL, "layer '%s': the RTL's outputs differ from "
				       "the C reference in %lld of %lld elements", l->name,
				       (long long)sr.mismatches, (long long)sr.outputs);
		out->measured = 1;
		out->build_s = sr.build_seconds;
		out->cycles = sr.rtl_cycles;
		out->dram_bytes = sr.dram_bytes;
		if (r->cycles > 0)
			out->energy_pj += r->energy_pj[COST_E_STATIC] *
					  ((double)sr.rtl_cycles / (double)r->cycles - 1.0);
	}
	out->seconds = estim_now_s() - t0 - out->build_s;
	return 0;
}
