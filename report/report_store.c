/* report_store.c: a run read from the result store (search.h store_*, docs/store.md) instead
 * of front.json / evaluations.jsonl. The store keeps one run; its rows carry the point's
 * choices, so the accelerator of a row is rebuilt from the run's space file
 * (search_space_hw) when that file is still there and unchanged (same hash). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../search/store.h"

struct db_ctx {
	struct report_run *run;
	struct store_run_info info;
	int n_info;
	struct search_space *sp;        /* NULL when the space file is unavailable */
	struct search_front front;
	report_tick_fn tick;
	void *tick_ctx;
};

static int on_run(void *ctx, const struct store_run_info *r)
{
	struct db_ctx *c = ctx;

	if (c->n_info++ == 0)
		c->info = *r;
	return 0;
}

/* "accuracy:max:80,latency_ms:min:20" (ideal: 100 for accuracy, 0 otherwise, as
 * docs/search.md "Formulations" defines it). */
static int parse_objectives(const char *s, struct report_run *run, const char *origin,
			    struct hn_err *err)
{
	char buf[256], *save = NULL;

	hn_strlcpy(buf, s, sizeof(buf));
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char name[64], goal[8];
		double ref;
		struct report_objective *o = &run->obj[run->n_obj];
		if (run->n_obj == SEARCH_MAX_OBJ)
			break;
		if (sscanf(tok, "%63[^:]:%7[^:]:%lf", name, goal, &ref) != 3 ||
		    report_objective_parse(run, name, o) < 0)
			return hn_fail(err, HN_EINVAL, "%s: run objectives '%s': cannot read '%s'",
				       origin, s, tok);
		o->maximize = !strcmp(goal, "max");
		o->ideal = o->metric == SEARCH_M_ACCURACY ? 100 : 0;
		o->ref = ref;
		if (o->ref == o->ideal)
			return hn_fail(err, HN_EINVAL, "%s: objective '%s' has its reference at its "
				       "ideal", origin, name);
		run->n_obj++;
	}
	return 0;
}

static void fill_point(struct db_ctx *c, const struct store_row *row, struct report_point *p)
{
	const struct search_eval *e = &row->e;

	memset(p, 0, sizeof(*p));
	p->seq = e->seq;
	p->index = (int64_t)e->index;
	p->feasible = e->feasible;
	for (int m = 0; m < SEARCH_M_COUNT; m++)
		p->m[m] = e->m[m];
	memcpy(p->tm, e->tm, sizeof(p->tm));
	hn_strlcpy(p->arch, row->arch, sizeof(p->arch));
	hn_strlcpy(p->fidelity, search_fidelity_name(e->fidelity), sizeof(p->fidelity));
	hn_strlcpy(p->acc_source, search_acc_source_name(e->acc_source), sizeof(p->acc_source));
	p->acc_penalty = isfinite(e->acc_penalty) ? e->acc_penalty : 0;
	p->pt = e->pt;
	p->has_pt = 1;
	hn_strlcpy(p->mac_packing, row->mac_packing, sizeof(p->mac_packing));
	if (c->sp) {
		search_space_hw(c->sp, &e->pt, &p->hw);
		p->has_hw = 1;
		hn_strlcpy(p->mac_packing, hw_packing_name(p->hw.mac_packing),
			   sizeof(p->mac_packing));
	}
}

static int on_row(void *ctx, const struct store_row *row, struct hn_err *err)
{
	struct db_ctx *c = ctx;
	struct report_run *run = c->run;

	/* a store holds one run (store_begin_run refuses another): every row of its space */
	if (hn_grow(&run->evals, run->n_evals, &run->cap_evals, sizeof(*run->evals), 1024))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	fill_point(c, row, &run->evals[run->n_evals++]);
	if (row->e.fidelity == SEARCH_FID_MODEL) {
		struct search_eval e = row->e;
		/* the front keeps the row number in seq to find its report_point again */
		e.seq = run->n_evals - 1;
		if (search_front_add(&c->front, &e) < 0)
			return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	if (c->tick && (run->n_evals & 1023) == 0)
		c->tick(c->tick_ctx, run->n_evals, c->info.evaluations);
	return 0;
}

/* The run's space, when its file is still there with the hash the run recorded. */
static struct search_space *load_space(const struct store_run_info *info)
{
	struct search_space *sp = malloc(sizeof(*sp));
	struct hn_err e = { 0 };
	char hash[STORE_HASH_LEN + 1];

	if (!sp || !info->space_file[0] || store_space_hash(info->space_file, hash, &e) < 0 ||
	    strcmp(hash, info->space_hash) || search_space_load(info->space_file, sp, &e) < 0) {
		free(sp);
		return NULL;
	}
	return sp;
}

int report_run_load_db(const char *path, struct report_run *run, int evals_only,
		       report_tick_fn tick, void *ctx, char *warning, size_t wsize,
		       struct hn_err *err)
{
	struct store *st = NULL;
	struct db_ctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (!evals_only) {
		memset(run, 0, sizeof(*run));
		hn_strlcpy(run->origin, path, sizeof(run->origin));
	}
	if (warning && wsize)
		warning[0] = '\0';
	if ((ret = store_open(path, 1, &st, err)) < 0)
		return ret;
	if ((ret = store_runs(st, on_run, &c, err)) < 0)
		goto out_close;
	if (!c.n_info) {
		ret = hn_fail(err, HN_EINVAL, "%s: the store holds no run", path);
		goto out_close;
	}
	c.run = run;
	c.tick = tick;
	c.tick_ctx = ctx;
	c.sp = load_space(&c.info);
	if (!c.sp && warning)
		snprintf(warning, wsize, "%s: the space file '%.200s' of the run is missing or "
			 "changed: accelerator parameters are not shown", path, c.info.space_file);
	if (!evals_only) {
		hn_strlcpy(run->space, c.info.space_name, sizeof(run->space));
		hn_strlcpy(run->strategy, c.info.strategy, sizeof(run->strategy));
		hn_strlcpy(run->formulation, "pareto", sizeof(run->formulation));
		run->seed = c.info.seed;
		run->budget = c.info.budget;
		run->evaluations = c.info.evaluations;
		run->space_size = c.sp ? (int64_t)search_space_size(c.sp) : 0;
		/* a run of several targets: their names from its space (objectives name them) */
		for (int t = 0; c.sp && t < c.sp->n_targets; t++)
			hn_strlcpy(run->targets[run->n_targets++], c.sp->targets[t].name,
				   sizeof(run->targets[0]));
		if ((ret = parse_objectives(c.info.objectives, run, path, err)) < 0)
			goto out_free;
	}
	free(run->evals);
	run->evals = NULL;
	run->n_evals = run->cap_evals = 0;
	run->has_evals = 1;
	search_front_init(&c.front, run->n_obj);
	if ((ret = store_each(st, c.info.space_hash, on_row, &c, err)) < 0)
		goto out_release_front;
	if (!evals_only) {
		search_front_sort(&c.front);
		run->front = calloc((size_t)c.front.n + 1, sizeof(*run->front));
		if (!run->front) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto out_release_front;
		}
		for (int i = 0; i < c.front.n; i++)
			run->front[i] = run->evals[c.front.p[i].seq];
		run->n_front = c.front.n;
		run->sp = c.sp; /* the report rebuilds a point's network from it */
		c.sp = NULL;
		run->hypervolume = search_front_hypervolume(&c.front);
		if (run->evaluations <= 0)
			run->evaluations = run->n_evals;
	}
	ret = 0;
out_release_front:
	search_front_release(&c.front);
out_free:
	free(c.sp);
out_close:
	store_close(st);
	return ret;
}
