/* sim_validate.c: the analytical model against the RTL over a sweep of (layer, config)
 * points (hwnas validate, docs/validation.md): the sweep itself (sim_validate_sweep) and its
 * statistics and calibration (sim_validate_summarize). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static double pct(int64_t model, int64_t rtl)
{
	return rtl ? 100.0 * (double)(model - rtl) / (double)rtl : 0.0;
}

int sim_validate_pick_layers(const struct arch_net *net, int64_t layers, int64_t max_macs,
			     int *idx)
{
	int n = 0, k = 0;

	for (int i = 0; i < net->n_layers; i++)
		if (arch_gemm(&net->layers[i]).g > 0 && arch_layer_macs(&net->layers[i]) <= max_macs)
			idx[n++] = i;
	if (!layers || layers >= n)
		return n;
	for (int i = 0; i < layers; i++) {
		int j = layers == 1 ? 0 :
			(int)llround((double)i * (double)(n - 1) / (double)(layers - 1));
		if (k == 0 || idx[j] != idx[k - 1])
			idx[k++] = idx[j];
	}
	return k;
}

/* Runs one point; 0, or -1 with msg set (the sweep goes on). */
static int run_point(struct sim_val_point *p, const struct arch_layer *l,
		     const struct sim_val_opts *o, struct map_cache *cache, char *msg, size_t size)
{
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct cost_net_opts co;
	struct cost_net_row row;

	cost_net_opts_init(&co);
	co.mapper = o->mapper;
	co.energy = &e;
	co.cache = cache;
	if (cost_net_layer(l, &p->hwc, &co, &row, &err) < 0) {
		snprintf(msg, size, "%s", err.msg);
		return -1;
	}
	p->tiling = row.tiling;
	p->cost = row.cost;
	if (!row.fits) {
		snprintf(msg, size, "%s on %s: no feasible tiling: %s", l->name, p->hw, p->cost.why);
		return -1;
	}
	if (sim_layer(l, &p->hwc, &p->tiling, o->sim, &p->res, &err) < 0) {
		snprintf(msg, size, "%s on %s: %s", l->name, p->hw, err.msg);
		return -1;
	}
	p->err = pct(p->cost.cycles, p->res.rtl_cycles);
	p->stall_free = !p->hwc.double_buffer ||
		p->res.rtl_cycles == p->res.first_load_cycles + p->res.compute_cycles +
		p->res.last_store_cycles;
	return 0;
}

int sim_validate_sweep(const struct arch_net *nets, int n_nets, const struct sim_val_hw *hws,
		       int n_hws, const struct sim_val_opts *o, struct sim_val_run *out,
		       struct hn_err *err)
{
	struct map_cache *cache = map_cache_new();
	int64_t total = 0, done = 0, cap = 0;
	int *idx = NULL, max_layers = 0, ret = 0;

	memset(out, 0, sizeof(*out));
	for (int n = 0; n < n_nets; n++)
		max_layers = nets[n].n_layers > max_layers ? nets[n].n_layers : max_layers;
	idx = calloc((size_t)max_layers + 1, sizeof(int));
	if (!cache || !idx) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	for (int n = 0; n < n_nets; n++)
		total += sim_validate_pick_layers(&nets[n], o->layers, o->max_macs, idx);
	total *= n_hws;
	if (o->on_start)
		o->on_start(o->ctx, total);
	for (int h = 0; h < n_hws; h++) {
		for (int n = 0; n < n_nets; n++) {
			const struct arch_net *net = &nets[n];
			int k = sim_validate_pick_layers(net, o->layers, o->max_macs, idx);
			for (int j = 0; j < k; j++) {
				const struct arch_layer *l = &net->layers[idx[j]];
				struct sim_val_point *p;
				char msg[sizeof(err->msg) + 200];
				if (hn_grow(&out->p, out->n, &cap, sizeof(*out->p), 64)) {
					ret = hn_fail(err, HN_ENOMEM, "out of memory");
					goto out_free;
				}
				p = &out->p[out->n];
				memset(p, 0, sizeof(*p));
				hn_strlcpy(p->net, net->name, sizeof(p->net));
				hn_strlcpy(p->layer, l->name, sizeof(p->layer));
				hn_strlcpy(p->hw, hws[h].name, sizeof(p->hw));
				p->hwc = hws[h].hw;
				if (o->on_point)
					o->on_point(o->ctx, done, p, arch_layer_macs(l));
				done++;
				if (run_point(p, l, o, cache, msg, sizeof(msg)) < 0) {
					out->failed = 1;
					if (o->on_fail)
						o->on_fail(o->ctx, msg);
					continue;
				}
				out->n++;
				out->failed |= !p->res.bit_exact;
			}
		}
	}
	if (o->on_point)
		o->on_point(o->ctx, done, NULL, 0);
out_free:
	free(idx);
	map_cache_free(cache);
	if (ret < 0)
		sim_val_run_release(out);
	return ret;
}

void sim_val_run_release(struct sim_val_run *r)
{
	free(r->p);
	memset(r, 0, sizeof(*r));
}

/* ---- statistics ---- */

static void stats_of(const struct sim_val_point *p, int n,
		     int (*sel)(const struct sim_val_point *, int), int arg,
		     struct sim_val_stats *s)
{
	double *x = malloc((size_t)(n + 1) * sizeof(double));
	double *y = malloc((size_t)(n + 1) * sizeof(double));

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		if (sel && !sel(&p[i], arg))
			continue;
		if (x && y) {
			x[s->n] = (double)p[i].cost.cycles;
			y[s->n] = (double)p[i].res.rtl_cycles;
		}
		s->mape += fabs(p[i].err);
		s->mape_cal += fabs(p[i].err_cal);
		s->max_err = fmax(s->max_err, fabs(p[i].err));
		s->max_cal = fmax(s->max_cal, fabs(p[i].err_cal));
		s->n++;
	}
	if (s->n) {
		s->mape /= s->n;
		s->mape_cal /= s->n;
	}
	s->tau = x && y ? cost_kendall_tau_b(x, y, s->n) : 0.0;
	free(x);
	free(y);
}

static int sel_df(const struct sim_val_point *p, int df) { return (int)p->hwc.dataflow == df; }
static int sel_bound(const struct sim_val_point *p, int mem) { return p->cost.memory_bound == mem; }
static int sel_dbuf(const struct sim_val_point *p, int d) { return !!p->hwc.double_buffer == d; }
static int sel_stall_free(const struct sim_val_point *p, int sf) { return p->stall_free == sf; }
static int sel_parity(const struct sim_val_point *p, int parity) { return p->seq % 2 == parity; }

/* Calibration samples of the points of one parity (-1: all). */
static void samples_of(const struct sim_val_point *p, int n, int parity,
		       struct cost_calib_sample *s, int *ns)
{
	*ns = 0;
	for (int i = 0; i < n; i++) {
		if (parity >= 0 && i % 2 != parity)
			continue;
		s[*ns] = (struct cost_calib_sample){ p[i].hwc.dataflow, p[i].hwc.double_buffer,
			p[i].cost.compute_cycles, p[i].cost.mem_cycles, p[i].cost.cycles,
			p[i].res.rtl_cycles };
		(*ns)++;
	}
}

int sim_validate_summarize(struct sim_val_point *p, int n, const struct cost_calib *given,
			   struct sim_val_summary *s, struct hn_err *err)
{
	struct cost_calib_sample *samples = malloc((size_t)(n + 1) * sizeof(*samples));
	int ns;

	memset(s, 0, sizeof(*s));
	if (!samples)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	/* fitted on the even-numbered points unless given, reported on the odd-numbered ones
	 * and on all; fit_all (the file hwnas validate writes) on all points */
	cost_calib_init(&s->applied);
	if (given) {
		s->applied = *given;
	} else {
		samples_of(p, n, 0, samples, &ns);
		cost_calib_fit(&s->applied, samples, ns);
	}
	samples_of(p, n, -1, samples, &ns);
	cost_calib_fit(&s->fit_all, samples, ns);
	free(samples);
	for (int i = 0; i < n; i++) {
		p[i].seq = i;
		p[i].calib_cycles = cost_calib_cycles(&s->applied, &p[i].hwc, &p[i].cost);
		p[i].err_cal = pct(p[i].calib_cycles, p[i].res.rtl_cycles);
	}
	stats_of(p, n, NULL, 0, &s->all);
	for (int i = 0; i < n; i++) {
		double e = fabs(pct(p[i].cost.cycles_bound, p[i].res.rtl_cycles));
		s->bound_mape += e / n;
		s->bound_max = fmax(s->bound_max, e);
	}
	for (int d = 0; d < HW_DF_COUNT; d++)
		stats_of(p, n, sel_df, d, &s->by_df[d]);
	for (int b = 0; b < 2; b++) {
		stats_of(p, n, sel_bound, b, &s->by_bound[b]);
		stats_of(p, n, sel_dbuf, b, &s->by_dbuf[b]);
	}
	stats_of(p, n, sel_stall_free, 1, &s->stall_free);
	stats_of(p, n, sel_parity, 1, &s->heldout);
	stats_of(p, n, sel_parity, 0, &s->fitset);
	return 0;
}

void sim_validate_roofline(const struct sim_val_point *p, double *att, double *peak,
			   double *bwroof)
{
	*att = p->res.rtl_cycles ? 2.0 * (double)p->cost.macs * p->hwc.freq_mhz / 1000.0 /
		(double)p->res.rtl_cycles : 0.0;
	*peak = p->cost.peak_gops;
	*bwroof = p->cost.bw_roof_gops;
}
