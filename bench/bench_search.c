/* bench_search.c: search quality on the main job's space before issue 20
 * (examples/default_space_v1.json, 324 accelerators; the target was set on it): the
 * hypervolume each strategy reaches after N distinct evaluations, as a fraction of the exact
 * front's (exhaustive enumeration). Target (issue 6): the best strategy reaches >= 0.98 of the
 * exact hypervolume within 2 % of the exhaustive evaluations; random search beside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../search/search.h"

#define N_CHECK 6

struct track {
	int64_t at[N_CHECK];
	double hv[N_CHECK];
};

static int on_eval(void *ctx, const struct search_eval *e, const struct search_front *f,
		   struct hn_err *err)
{
	struct track *t = ctx;

	(void)err;
	for (int i = 0; i < N_CHECK; i++)
		if (e->seq + 1 == t->at[i])
			t->hv[i] = search_front_hypervolume(f);
	return 0;
}

int main(void)
{
#ifdef HWNAS_SRCDIR
	const char *path = HWNAS_SRCDIR "/examples/default_space_v1.json";
#else
	const char *path = "examples/default_space_v1.json";
#endif
	struct search_space sp;
	struct search_evaluator *ev;
	struct search_run_opts o;
	struct search_run_result r;
	struct hn_err err = { 0 };
	double exact;
	int64_t total;

	if (search_space_load(path, &sp, &err) < 0 || search_evaluator_new(&sp, &ev, &err) < 0) {
		fprintf(stderr, "bench_search: %s\n", err.msg);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.exhaustive = 1;
	if (search_run(&sp, ev, &o, &r, &err) < 0) {
		fprintf(stderr, "bench_search: %s\n", err.msg);
		return 1;
	}
	exact = r.hypervolume;
	total = r.evaluations;
	printf("space %s: %lld points; exhaustive %.2f s, exact front %d points, hypervolume %.6f\n",
	       sp.name, (long long)total, r.seconds, r.front.n, exact);
	search_run_result_release(&r);

	struct track t;
	const double frac[N_CHECK] = { 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.02 };
	for (int i = 0; i < N_CHECK; i++)
		t.at[i] = (int64_t)(frac[i] * (double)total);
	printf("\nhypervolume / exact after N distinct evaluations (seed 1):\n%-10s", "strategy");
	for (int i = 0; i < N_CHECK; i++)
		printf(" %9lld", (long long)t.at[i]);
	printf(" %9s\n%-10s", "time s", "");
	for (int i = 0; i < N_CHECK; i++)
		printf(" %8.2f%%", 100 * frac[i]);
	printf("\n");
	double best_final = 0, random_final = 0;
	const char *best_name = "";
	for (int s = 0; s < search_strategy_count(); s++) {
		const struct search_ops *ops = search_strategy_at(s);
		if (ops->budget_networks)
			continue; /* its budget counts networks: bench_nested.c */
		memset(t.hv, 0, sizeof(t.hv));
		memset(&o, 0, sizeof(o));
		o.strategy = ops->name;
		o.budget = t.at[N_CHECK - 1];
		o.seed = 1;
		o.on_eval = on_eval;
		o.ctx = &t;
		if (search_run(&sp, ev, &o, &r, &err) < 0) {
			fprintf(stderr, "bench_search: %s\n", err.msg);
			return 1;
		}
		if (r.evaluations < o.budget) /* stopped early (repeats): its final front */
			for (int i = 0; i < N_CHECK; i++)
				if (t.at[i] > r.evaluations)
					t.hv[i] = r.hypervolume;
		printf("%-10s", ops->name);
		for (int i = 0; i < N_CHECK; i++)
			printf(" %9.4f", t.hv[i] / exact);
		printf(" %9.2f\n", r.seconds);
		double fin = t.hv[N_CHECK - 1] / exact;
		if (fin > best_final) {
			best_final = fin;
			best_name = ops->name;
		}
		if (ops == &search_random_ops)
			random_final = fin;
		search_run_result_release(&r);
	}
	printf("\nbest at 2%% of the exhaustive evaluations: %s %.4f of the exact hypervolume "
	       "(target >= 0.98: %s); random %.4f\n", best_name, best_final,
	       best_final >= 0.98 ? "met" : "NOT met", random_final);
	search_evaluator_free(ev);
	return best_final >= 0.98 ? 0 : 1;
}
