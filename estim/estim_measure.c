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

/* The tiling and the model's report of l, by the rule of every command: MAC-free layers take
 * map_default's tiling (unused); a MAC layer the mapper's; when none fits, the 1x1x1 tiling
 * whose report names the buffer that is too small. */
static int model_layer(const struct arch_layer *l, const struct hw_config *hw,
		       const struct estim_ctx *cx, struct map_tiling *t, struct cost_report *r,
		       int *fits, struct hn_err *err)
{
	*fits = 1;
	if (arch_gemm(l).g == 0 || cx->greedy) {
		map_default(l, hw, t);
		if (arch_gemm(l).g > 0 && t->tm == 0)
			*fits = 0;
	} else {
		struct map_options mo;
		struct map_result mr;
		int ret;

		map_options_default(&mo);
		ret = map_layer(l, hw, &cx->energy, &mo, cx->cache, &mr, err);
		if (ret < 0)
			return ret;
		*t = mr.tiling;
		*fits = mr.feasible;
	}
	if (!*fits)
		*t = (struct map_tiling){ 1, 1, 1, MAP_MNK };
	if (cost_layer(l, hw, t, &cx->energy, r) < 0)
		return hn_fail(err, HN_EINVAL, "layer '%s': invalid tiling", l->name);
	if (!r->feasible)
		*fits = 0;
	return 0;
}

int estim_measure_layer(const struct arch_layer *l, const struct hw_config *hw,
			const struct estim_ctx *cx, struct estim_meas *out, struct hn_err *err)
{
	double t0 = estim_now_s();
	struct cost_report r;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = model_layer(l, hw, cx, &out->tiling, &r, &out->fits, err);
	if (ret < 0)
		return ret;
	out->cycles = out->model_cycles = r.cycles;
	out->dram_bytes = r.dram_bytes;
	out->energy_pj = r.energy_total_pj;
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
		if (r.cycles > 0)
			out->energy_pj += r.energy_pj[COST_E_STATIC] *
					  ((double)sr.rtl_cycles / (double)r.cycles - 1.0);
	}
	out->seconds = estim_now_s() - t0 - out->build_s;
	return 0;
}
