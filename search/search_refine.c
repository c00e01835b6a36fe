/* search_refine.c: RTL refinement of front points (issue 6, "RTL refinement"). Each point's
 * network is mapped as the search mapped it, every distinct MAC layer shape is simulated once
 * on the Verilog accelerator through Verilator (sim_layer), and the network's cycles are
 * summed from the measured layers; MAC-free layers (pool, add: no RTL unit, docs/model.md)
 * and layers above the MAC guard keep the model's cycles and are counted as such. */
#include "search.h"
#include "store.h"

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
		if (row.cost.macs > max_macs) {
			rtl[i] = row.cost.cycles; /* model-only: above the guard */
			out->layers_model_only++;
			continue;
		}
		out->layers_rtl++;
		j = same_shape_before(&net, i);
		if (j >= 0 && rtl[j] >= 0 && arch_layer_macs(&net.layers[j]) <= max_macs) {
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

/* ---- the top K of a front ---- */

struct refine_job {
	const struct search_space *sp;
	const struct search_point *pt;
	const struct sim_options *so;
	struct map_cache *cache;
	int64_t max_macs;
	struct search_refine out;
	int ret;
	struct hn_err err;
};

static void refine_job_run(void *ctx, int i)
{
	struct refine_job *j = &((struct refine_job *)ctx)[i];

	j->ret = search_refine_point(j->sp, j->pt, j->so, j->cache, j->max_macs, &j->out, &j->err);
}

/* Rank (0 = fastest) of each of n latencies; ties by position. */
static void rank_by(const struct search_refine_row *rows, int n, int rtl, int *rank)
{
	for (int i = 0; i < n; i++) {
		double li = rtl ? rows[i].r.rtl_latency_ms : rows[i].r.model_latency_ms;
		rank[i] = 0;
		for (int j = 0; j < n; j++) {
			double lj = rtl ? rows[j].r.rtl_latency_ms : rows[j].r.model_latency_ms;
			rank[i] += lj < li || (lj == li && j < i);
		}
	}
}

int search_refine_front(const struct search_space *sp, struct search_front *front,
			const struct search_refine_opts *o, struct store *store,
			struct search_refine_top *out, struct hn_err *err)
{
	int k = (int)hn_min64(o->top_k, front->n), n_jobs = 0, ret = 0;
	struct refine_job *jobs = calloc((size_t)k + 1, sizeof(*jobs));
	int *job_of = calloc((size_t)k + 1, sizeof(int));
	int *mr = calloc((size_t)k + 1, sizeof(int)), *rr = calloc((size_t)k + 1, sizeof(int));
	double *x = calloc((size_t)k + 1, sizeof(double)), *y = calloc((size_t)k + 1, sizeof(double));
	struct map_cache *cache = map_cache_new();

	memset(out, 0, sizeof(*out));
	out->rows = calloc((size_t)k + 1, sizeof(*out->rows));
	if (!jobs || !job_of || !mr || !rr || !x || !y || !cache || !out->rows) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	out->k = k;
	/* Stored results first: a resumed run simulates nothing twice. */
	for (int i = 0; i < k; i++) {
		struct search_eval *e = &front->p[i];
		struct search_refine *rf = &out->rows[i].r;
		struct search_eval st;
		int found = 0;

		job_of[i] = -1;
		if (store && (found = store_lookup(store, e->index, SEARCH_FID_RTL, &st, err)) < 0) {
			ret = found;
			goto out_free;
		}
		if (found) {
			out->rows[i].from_store = 1;
			rf->model_cycles = e->cycles;
			rf->rtl_cycles = st.cycles;
			rf->model_latency_ms = e->m[SEARCH_M_LATENCY_MS];
			rf->rtl_latency_ms = st.m[SEARCH_M_LATENCY_MS];
			rf->all_bit_exact = st.feasible;
			rf->err_pct = st.cycles ? 100.0 * (double)(e->cycles - st.cycles) /
				(double)st.cycles : 0.0;
			continue;
		}
		jobs[n_jobs].sp = sp;
		jobs[n_jobs].pt = &e->pt;
		jobs[n_jobs].so = o->sim;
		jobs[n_jobs].cache = cache;
		jobs[n_jobs].max_macs = o->max_macs;
		job_of[i] = n_jobs++;
	}
	out->simulated = n_jobs;
	out->threads = (int)hn_min64(o->threads, n_jobs);
	if (n_jobs && o->on_start)
		o->on_start(o->ctx, out);
	/* sim_layer runs each harness as a process of its own and cached model builds are
	 * atomic, so concurrent simulations are safe */
	hn_parallel_for(n_jobs, o->threads, refine_job_run, jobs, map_thread_release);
	for (int i = 0; i < k; i++) {
		struct search_eval *e = &front->p[i];
		struct refine_job *j = job_of[i] >= 0 ? &jobs[job_of[i]] : NULL;

		if (j) {
			if (j->ret < 0) {
				char what[48];
				*err = j->err;
				snprintf(what, sizeof(what), "--rtl: front point %d", i);
				hn_err_prefix(err, what);
				ret = j->ret;
				goto out_free;
			}
			out->rows[i].r = j->out;
			/* The measured latency replaces the model's; energy and EDP stay the
			 * model's (docs/search.md). */
			struct search_eval st = *e;
			st.fidelity = SEARCH_FID_RTL;
			st.feasible = j->out.all_bit_exact;
			st.cycles = j->out.rtl_cycles;
			st.m[SEARCH_M_LATENCY_MS] = j->out.rtl_latency_ms;
			if (store && (ret = store_put(store, &st, j->out.sim_seconds, err)) < 0)
				goto out_free;
		}
		e->fidelity = SEARCH_FID_RTL;
		e->m[SEARCH_M_LATENCY_MS] = out->rows[i].r.rtl_latency_ms;
	}
	rank_by(out->rows, k, 0, mr);
	rank_by(out->rows, k, 1, rr);
	for (int i = 0; i < k; i++) {
		out->rows[i].model_rank = mr[i];
		out->rows[i].rtl_rank = rr[i];
		x[i] = mr[i];
		y[i] = rr[i];
	}
	/* ranks have no ties, so tau-b is tau-a here; one point agrees with itself */
	out->kendall_tau = k > 1 ? cost_kendall_tau_b(x, y, k) : 1.0;
out_free:
	map_cache_free(cache);
	free(jobs);
	free(job_of);
	free(mr);
	free(rr);
	free(x);
	free(y);
	if (ret < 0)
		search_refine_top_release(out);
	return ret;
}

void search_refine_top_release(struct search_refine_top *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
