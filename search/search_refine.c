/* search_refine.c: RTL refinement of front points (issue 6, "RTL refinement"). Each point's
 * network is mapped as the search mapped it, every distinct MAC layer shape is simulated once
 * on the Verilog accelerator through Verilator (sim_layer), and the network's cycles are
 * summed from the measured layers; MAC-free layers (pool, add: no RTL unit, docs/model.md)
 * and layers above the MAC guard keep the model's cycles and are counted as such. */
#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "../sim/sim.h"

/* Index of an earlier layer of the same shape, or -1. */
static int same_shape_before(const struct arch_net *net, int i)
{
	struct arch_layer a = net->layers[i];

	memset(a.name, 0, sizeof(a.name));
	for (int j = 0; j < i; j++) {
		struct arch_layer b = net->layers[j];
		memset(b.name, 0, sizeof(b.name));
		if (!memcmp(&a, &b, sizeof(a)))
			return j;
	}
	return -1;
}

int search_refine_point(const struct search_space *sp, const struct search_point *pt,
			const struct sim_options *so, struct map_cache *cache, int64_t max_macs,
			struct search_refine *out, struct hn_err *err)
{
	struct arch_net net;
	struct hw_config hw;
	struct cost_net_opts co;
	int64_t *rtl = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->all_bit_exact = 1;
	search_space_hw(sp, pt, &hw);
	cost_net_opts_init(&co);
	co.mapper = sp->mapper;
	co.energy = &sp->energy;
	co.calib = sp->calib_path[0] ? &sp->calib : NULL;
	co.cache = cache;
	ret = search_space_net(sp, pt, &net, err);
	if (ret < 0)
		return ret;
	rtl = calloc((size_t)net.n_layers, sizeof(*rtl));
	if (!rtl) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_release_net;
	}
	for (int i = 0; i < net.n_layers; i++) {
		const struct arch_layer *l = &net.layers[i];
		struct cost_net_row row;
		int j;

		ret = cost_net_layer(l, &hw, &co, &row, err);
		if (ret < 0)
			goto out_free;
		if (!row.fits) {
			ret = hn_fail(err, HN_EINVAL, "layer '%s': no tiling fits: %s", l->name,
				      row.cost.why);
			goto out_free;
		}
		/* the model's cycles as the search computed them (calibrated too) */
		out->model_cycles += row.cost.cycles;
		if (arch_gemm(l).g == 0 || row.cost.macs > max_macs) {
			rtl[i] = row.cost.cycles; /* model-only: no RTL unit, or above the guard */
			out->layers_model_only++;
			continue;
		}
		out->layers_rtl++;
		j = same_shape_before(&net, i);
		if (j >= 0 && arch_gemm(&net.layers[j]).g && rtl[j] >= 0 &&
		    arch_layer_macs(&net.layers[j]) <= max_macs) {
			rtl[i] = rtl[j]; /* same shape, same tiling, same hardware: same cycles */
			continue;
		}
		struct sim_result sr;
		ret = sim_layer(l, &hw, &row.tiling, so, &sr, err);
		if (ret < 0) {
			hn_err_prefix(err, l->name);
			goto out_free;
		}
		out->shapes_simulated++;
		out->sim_seconds += sr.sim_seconds;
		out->build_seconds += sr.build_seconds;
		if (!sr.bit_exact)
			out->all_bit_exact = 0;
		rtl[i] = sr.rtl_cycles;
	}
	for (int i = 0; i < net.n_layers; i++)
		out->rtl_cycles += rtl[i];
	out->model_latency_ms = (double)out->model_cycles / (hw.freq_mhz * 1e3);
	out->rtl_latency_ms = (double)out->rtl_cycles / (hw.freq_mhz * 1e3);
	out->err_pct = out->rtl_cycles ?
		100.0 * (double)(out->model_cycles - out->rtl_cycles) / (double)out->rtl_cycles : 0.0;
	ret = 0;
out_free:
	free(rtl);
out_release_net:
	arch_net_release(&net);
	return ret;
}
