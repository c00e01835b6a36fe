/* search_run.c: the driver. It owns the budget and the stop rule, answers repeated points
 * from memory (they do not count against the budget), keeps the front, and reports every
 * result to the strategy in proposal order, so that a seed fixes the run. */
#include "search.h"
#include "search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best by score (scalar formulations) or by the first objective (Pareto). */
static void keep_best(const struct search_space *sp, struct search_run_result *r,
		      const struct search_eval *e)
{
	if (!e->feasible)
		return;
	int better = !r->has_best ||
		     (sp->form == SEARCH_PARETO ? e->obj[0] < r->best.obj[0] : e->score > r->best.score);
	if (better) {
		r->best = *e;
		r->has_best = 1;
	}
}

static int record(const struct search_space *sp, const struct search_run_opts *o,
		  struct search_run_result *r, struct search_eval *e, struct hn_err *err)
{
	e->seq = r->evaluations++;
	if (search_front_add(&r->front, e) < 0)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	keep_best(sp, r, e);
	return o->on_eval ? o->on_eval(o->ctx, e, &r->front, err) : 0;
}

static int run_exhaustive(const struct search_space *sp, struct search_evaluator *ev,
			  const struct search_run_opts *o, struct search_run_result *r,
			  struct hn_err *err)
{
	uint64_t total = search_space_size(sp);

	for (uint64_t i = 0; i < total; i++) {
		struct search_point pt;
		struct search_eval e;
		search_point_from_index(sp, i, &pt);
		int ret = search_evaluate(ev, &pt, &e, err);
		if (ret == 0)
			ret = record(sp, o, r, &e, err);
		if (ret < 0)
			return ret;
		r->proposals++;
	}
	return 0;
}

static int run_strategy(const struct search_space *sp, struct search_evaluator *ev,
			const struct search_run_opts *o, struct search_run_result *r,
			struct hn_err *err)
{
	const struct search_ops *ops = search_strategy_find(o->strategy);
	struct search_problem p;
	struct search_map memo;
	struct search_eval *done = NULL;
	uint64_t total = search_space_size(sp);
	int64_t budget = o->budget, cap = 0, max_prop = 20 * o->budget + 1000;
	void *st = NULL;
	int ret;

	if (!ops)
		return hn_fail(err, HN_EINVAL, "unknown strategy '%s'", o->strategy ? o->strategy : "");
	memset(&p, 0, sizeof(p));
	p.n_dims = sp->n_dims;
	for (int d = 0; d < sp->n_dims; d++)
		p.n_choices[d] = sp->dims[d].n;
	p.n_obj = sp->n_obj;
	p.form = sp->form;
	p.budget = budget;
	p.seed = o->seed;
	ret = ops->init(&st, &p, err);
	if (ret < 0)
		return ret;
	search_map_init(&memo);
	while (r->evaluations < budget && (uint64_t)r->evaluations < total &&
	       r->proposals < max_prop) {
		struct search_point pt;
		struct search_eval e;
		uint64_t at, idx;
		if (!ops->propose(st, &pt))
			break; /* a serial driver has reported everything: the strategy is done */
		r->proposals++;
		idx = search_point_index(sp, &pt);
		if (search_map_get(&memo, idx, &at)) {
			ops->report(st, &done[at]);
			continue;
		}
		ret = search_evaluate(ev, &pt, &e, err);
		if (ret < 0)
			goto out;
		ret = record(sp, o, r, &e, err);
		if (ret < 0)
			goto out;
		if (r->evaluations > cap) {
			cap = cap ? 2 * cap : 1024;
			struct search_eval *d = realloc(done, (size_t)cap * sizeof(*d));
			if (!d) {
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				goto out;
			}
			done = d;
		}
		done[e.seq] = e;
		if (search_map_put(&memo, idx, (uint64_t)e.seq) < 0) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto out;
		}
		ops->report(st, &e);
	}
out:
	search_map_release(&memo);
	free(done);
	ops->release(st);
	return ret;
}

int search_run(const struct search_space *sp, struct search_evaluator *ev,
	       const struct search_run_opts *o, struct search_run_result *r, struct hn_err *err)
{
	double t0 = now_s();
	int ret;

	memset(r, 0, sizeof(*r));
	search_front_init(&r->front, sp->n_obj);
	ret = o->exhaustive ? run_exhaustive(sp, ev, o, r, err) : run_strategy(sp, ev, o, r, err);
	search_front_sort(&r->front);
	r->hypervolume = search_front_hypervolume(&r->front);
	r->seconds = now_s() - t0;
	return ret;
}

void search_run_result_release(struct search_run_result *r)
{
	search_front_release(&r->front);
}
