/* report_design.c: one front point re-evaluated layer by layer, for the roofline and the
 * latency breakdown, with exactly what the run recorded, nothing guessed: front.json names
 * the point's network file, the mapper, the energy table and the calibration (docs/search.md
 * "Outputs"); a store names the run's space file (hash-checked), from which
 * search_space_net rebuilds the point's network and the space gives the rest. A run that
 * recorded neither (front.json from before hwnas recorded them) is not re-evaluated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct tick_fwd {
	report_tick_fn tick;
	void *ctx;
};

static void tick_layer(void *ctx, int done, int total)
{
	const struct tick_fwd *f = ctx;

	f->tick(f->ctx, done, total);
}

/* Maps and prices every layer of d->net on d->hw as hwnas eval does (cost_net), with the
 * run's mapper, energy table and calibration (NULL: none). */
static int eval_layers(struct report_design *d, enum cost_mapper mapper,
		       const struct hw_energy *e, const struct cost_calib *calib,
		       report_tick_fn tick, void *ctx, struct hn_err *err)
{
	struct cost_net_row *rows = calloc((size_t)d->net.n_layers + 1, sizeof(*rows));
	struct tick_fwd fwd = { tick, ctx };
	struct cost_net_opts co;
	int ret;

	d->mapper = cost_mapper_name(mapper);
	d->layers = calloc((size_t)d->net.n_layers + 1, sizeof(*d->layers));
	cost_net_opts_init(&co);
	co.mapper = mapper;
	co.energy = e;
	co.calib = calib;
	co.cache = map_cache_new();
	if (!rows || !d->layers || !co.cache) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
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
out_free:
	map_cache_free(co.cache);
	free(rows);
	return ret;
}

/* A point of a run whose front.json recorded what produced it: its network file (relative
 * to the run's folder), the run's mapper, energy table and calibration. */
static int eval_recorded(const struct report_run *run, const struct report_point *p,
			 struct report_design *d, report_tick_fn tick, void *ctx,
			 struct hn_err *err)
{
	struct hw_energy e = hw_energy_default();
	struct cost_calib calib;
	char path[1200];
	int mapper = cost_mapper_parse(run->mapper);

	if (mapper < 0)
		return hn_fail(err, HN_EINVAL, "%s/front.json: 'produced_by.mapper' must be "
			       "\"glpk\" or \"greedy\", got \"%s\"", run->origin, run->mapper);
	snprintf(path, sizeof(path), "%s/%s", run->origin, p->network);
	int ret = arch_net_load(path, &d->net, err);
	if (ret < 0)
		return ret;
	snprintf(d->net_note, sizeof(d->net_note), "%.100s, batch %lld (as the run recorded it)",
		 p->network, (long long)d->net.batch);
	cost_calib_init(&calib);
	if ((run->energy[0] && (ret = hw_energy_load(run->energy, &e, err)) < 0) ||
	    (run->calib[0] && (ret = cost_calib_load(run->calib, &calib, err)) < 0))
		return ret;
	return eval_layers(d, (enum cost_mapper)mapper, &e, run->calib[0] ? &calib : NULL, tick,
			   ctx, err);
}

/* A point of a run read from its store: the network, mapper, energy table and calibration of
 * the run's space file (which the store checked by its hash). */
static int eval_space(const struct report_run *run, const struct report_point *p,
		      struct report_design *d, report_tick_fn tick, void *ctx,
		      struct hn_err *err)
{
	const struct search_space *sp = run->sp;
	int ret = search_space_net(sp, &p->pt, &d->net, err);

	if (ret < 0)
		return ret;
	snprintf(d->net_note, sizeof(d->net_note), "the point in space %.60s, batch %lld (from the "
		 "space file the store recorded)", sp->name, (long long)d->net.batch);
	return eval_layers(d, sp->mapper, &sp->energy, sp->calib_path[0] ? &sp->calib : NULL,
			   tick, ctx, err);
}

int report_design_eval(const struct report_run *run, int i, struct report_design *d,
		       report_tick_fn tick, void *ctx, struct hn_err *err)
{
	const struct report_point *p;
	int ret;

	memset(d, 0, sizeof(*d));
	if (i < 0 || i >= run->n_front)
		return hn_fail(err, HN_EINVAL, "--design %d: the front has %d points (0..%d)", i,
			       run->n_front, run->n_front - 1);
	p = &run->front[i];
	d->point = i;
	/* several targets: the design shown is the first target's ('hw'), m the worst case */
	d->run_latency_ms = run->n_targets ? p->tm[0][SEARCH_M_LATENCY_MS] :
					     p->m[SEARCH_M_LATENCY_MS];
	if (!p->has_hw)
		return hn_fail(err, HN_EINVAL, "%s: front point %d has no 'hw' object", run->origin, i);
	d->hw = p->hw;
	if (run->mapper[0] && p->network[0])
		ret = eval_recorded(run, p, d, tick, ctx, err);
	else if (run->sp && p->has_pt)
		ret = eval_space(run, p, d, tick, ctx, err);
	else
		ret = hn_fail(err, HN_ENOTFOUND, "%s: front point %d: the run records neither its "
			      "network nor its mapper (front.json from before hwnas recorded them): "
			      "run explore again, or report from its store (--db)", run->origin, i);
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
