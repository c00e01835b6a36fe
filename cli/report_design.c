/* report_design.c: one front point re-evaluated layer by layer, for the roofline and the
 * latency breakdown. front.json records what produced a point (its network file, the mapper,
 * the energy table, the calibration: docs/search.md "Outputs"), and the point is re-evaluated
 * with exactly that. Runs from before it was recorded name the network by its description
 * (NB201 cell string, MobileNet "r224 w1.00 k3e1d1 ...", or a zoo name) and not by dataset,
 * batch or mapper; for them the variant is chosen that reproduces the point's recorded MACs
 * and latency. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Parses arch_mb_describe's "r224 w1.00 k3e1d1 k3e6d2 ..." back. */
static int parse_mb(const char *s, struct arch_mb_config *c)
{
	int off = 0;

	*c = arch_mb_default();
	if (sscanf(s, "r%d w%lf%n", &c->resolution, &c->width, &off) != 2)
		return -1;
	s += off;
	for (int i = 0; i < ARCH_MB_STAGES; i++) {
		if (sscanf(s, " k%de%dd%d%n", &c->kernel[i], &c->expand[i], &c->depth[i], &off) != 3)
			return -1;
		s += off;
	}
	return *s ? -1 : 0;
}

/* Builds candidate network v (0, 1, ...) of a description at batch 1; HN_ENOTFOUND past the
 * last candidate. */
static int build_candidate(const char *arch, int v, struct arch_net *net, char *note,
			   size_t size, struct hn_err *err)
{
	if (arch[0] == '|') {
		int ops[ARCH_NB201_EDGES];
		if (v >= 3)
			return HN_ENOTFOUND;
		if (arch_nb201_parse(arch, ops, err) < 0)
			return HN_EINVAL;
		snprintf(note, size, "NAS-Bench-201 cell on %s", arch_nb201_dataset_name(v));
		return arch_nb201_build(ops, v, 1, net, err);
	}
	if (arch[0] == 'r' && arch[1] >= '0' && arch[1] <= '9') {
		struct arch_mb_config c;
		if (v >= 1)
			return HN_ENOTFOUND;
		if (parse_mb(arch, &c) < 0)
			return hn_fail(err, HN_EINVAL, "cannot read the MobileNet description '%s'",
				       arch);
		snprintf(note, size, "MobileNetV2-space network (%d classes)", c.classes);
		return arch_mb_build(&c, 1, net, err);
	}
	if (v >= 1)
		return HN_ENOTFOUND;
	snprintf(note, size, "zoo network %.60s", arch);
	return arch_zoo_build(arch, 1, net, err);
}

/* The network of a point: the candidate whose MACs (x a whole batch) equal the point's. */
static int build_net(const struct report_point *p, struct arch_net *net, char *note,
		     size_t size, struct hn_err *err)
{
	double want = p->m[SEARCH_M_MACS];
	int ret;

	for (int v = 0;; v++) {
		struct arch_net n1;
		char nt[128];
		ret = build_candidate(p->arch, v, &n1, nt, sizeof(nt), err);
		if (ret == HN_ENOTFOUND && v > 0)
			break;
		if (ret < 0)
			return ret;
		double m1 = (double)arch_net_macs(&n1);
		double batch = m1 > 0 && isfinite(want) ? want / m1 : 1;
		arch_net_release(&n1);
		if (!(batch >= 1 && batch == floor(batch) && batch <= 1e6))
			continue;
		/* rebuild at that batch (every builder scales all layers by it) */
		if (p->arch[0] == '|') {
			int ops[ARCH_NB201_EDGES];
			arch_nb201_parse(p->arch, ops, err);
			ret = arch_nb201_build(ops, v, (int64_t)batch, net, err);
		} else if (p->arch[0] == 'r' && p->arch[1] >= '0' && p->arch[1] <= '9') {
			struct arch_mb_config c;
			parse_mb(p->arch, &c);
			ret = arch_mb_build(&c, (int64_t)batch, net, err);
		} else {
			ret = arch_zoo_build(p->arch, (int64_t)batch, net, err);
		}
		if (ret < 0)
			return ret;
		snprintf(note, size, "%s, batch %lld", nt, (long long)batch);
		return 0;
	}
	return hn_fail(err, HN_ENOTFOUND, "no rebuild of '%s' has the point's %.0f MACs", p->arch,
		       want);
}

struct tick_fwd {
	report_tick_fn tick;
	void *ctx;
};

static void tick_layer(void *ctx, int done, int total)
{
	const struct tick_fwd *f = ctx;

	f->tick(f->ctx, done, total);
}

/* Maps and prices every layer with one mapper and the calibration (NULL: none), as hwnas
 * eval does (cost_net). */
static int eval_layers(struct report_design *d, const struct hw_energy *e,
		       enum cost_mapper mapper, const struct cost_calib *calib,
		       struct map_cache *cache, report_tick_fn tick, void *ctx, struct hn_err *err)
{
	struct cost_net_row *rows = calloc((size_t)d->net.n_layers + 1, sizeof(*rows));
	struct tick_fwd fwd = { tick, ctx };
	struct cost_net_opts co;
	int ret;

	if (!rows)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	cost_net_opts_init(&co);
	co.mapper = mapper;
	co.energy = e;
	co.calib = calib;
	co.cache = cache;
	if (tick) {
		co.tick = tick_layer;
		co.tick_ctx = &fwd;
	}
	ret = cost_net(&d->net, &d->hw, &co, rows, &d->tot, err);
	for (int i = 0; ret == 0 && i < d->net.n_layers; i++) {
		d->layers[i].layer = d->net.layers[i];
		d->layers[i].tiling = rows[i].tiling;
		d->layers[i].cost = rows[i].cost;
	}
	free(rows);
	return ret;
}

static int same(double a, double b)
{
	return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-12;
}

/* A point of a run that recorded what produced it: its network file (relative to the run's
 * folder), the run's mapper, energy table and calibration, nothing guessed. */
static int eval_recorded(const struct report_run *run, const struct report_point *p,
			 struct report_design *d, report_tick_fn tick, void *ctx,
			 struct hn_err *err)
{
	struct hw_energy e = hw_energy_default();
	struct cost_calib calib;
	struct map_cache *cache = NULL;
	char path[1200];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", run->origin, p->network);
	if ((ret = arch_net_load(path, &d->net, err)) < 0)
		return ret;
	snprintf(d->net_note, sizeof(d->net_note), "%.100s, batch %lld (as the run recorded it)",
		 p->network, (long long)d->net.batch);
	cost_calib_init(&calib);
	if ((run->energy[0] && (ret = hw_energy_load(run->energy, &e, err)) < 0) ||
	    (run->calib[0] && (ret = cost_calib_load(run->calib, &calib, err)) < 0))
		goto out_release;
	d->mapper = !strcmp(run->mapper, "greedy") ? "greedy" : "glpk";
	d->layers = calloc((size_t)d->net.n_layers + 1, sizeof(*d->layers));
	cache = map_cache_new();
	if (!d->layers || !cache) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_release;
	}
	ret = eval_layers(d, &e, !strcmp(d->mapper, "glpk") ? COST_MAP_GLPK : COST_MAP_GREEDY,
			  run->calib[0] ? &calib : NULL, cache,
			  tick, ctx, err);
out_release:
	map_cache_free(cache);
	if (ret < 0)
		report_design_release(d);
	return ret;
}

int report_design_eval(const struct report_run *run, int i, struct report_design *d,
		       report_tick_fn tick, void *ctx, struct hn_err *err)
{
	const struct report_point *p;
	struct hw_energy e = hw_energy_default();
	struct map_cache *cache;
	int ret;

	memset(d, 0, sizeof(*d));
	if (i < 0 || i >= run->n_front)
		return hn_fail(err, HN_EINVAL, "--design %d: the front has %d points (0..%d)", i,
			       run->n_front, run->n_front - 1);
	p = &run->front[i];
	d->point = i;
	d->run_latency_ms = p->m[SEARCH_M_LATENCY_MS];
	if (!p->has_hw)
		return hn_fail(err, HN_EINVAL, "%s: front point %d has no 'hw' object", run->origin, i);
	d->hw = p->hw;
	if (run->mapper[0] && p->network[0])
		return eval_recorded(run, p, d, tick, ctx, err);
	if ((ret = build_net(p, &d->net, d->net_note, sizeof(d->net_note), err)) < 0)
		return ret;
	d->layers = calloc((size_t)d->net.n_layers + 1, sizeof(*d->layers));
	cache = map_cache_new();
	if (!d->layers || !cache) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free_cache;
	}
	d->mapper = "glpk";
	if ((ret = eval_layers(d, &e, COST_MAP_GLPK, NULL, cache, tick, ctx, err)) < 0)
		goto out_free_cache;
	if (!same(d->tot.latency_ms, d->run_latency_ms)) {
		/* The run may have used the greedy mapper (space "mapper": "default"). */
		struct cost_total glpk_tot = d->tot;
		if ((ret = eval_layers(d, &e, COST_MAP_GREEDY, NULL, cache, NULL, NULL, err)) < 0)
			goto out_free_cache;
		if (same(d->tot.latency_ms, d->run_latency_ms)) {
			d->mapper = "greedy";
		} else {
			d->tot = glpk_tot;
			ret = eval_layers(d, &e, COST_MAP_GLPK, NULL, cache, NULL, NULL, err);
			if (ret < 0)
				goto out_free_cache;
		}
	}
	ret = 0;
out_free_cache:
	map_cache_free(cache);
	if (ret < 0)
		report_design_release(d);
	return ret;
}

void report_design_release(struct report_design *d)
{
	arch_net_release(&d->net);
	free(d->layers);
	d->layers = NULL;
}
