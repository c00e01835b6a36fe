/* search_strategy.c: the strategy table and what strategies share: the fitness of a result
 * under a formulation, and the index of a point (for "seen before" sets). */
#include "search.h"
#include "search_int.h"
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

static const struct search_ops *const strategies[] = {
	&search_random_ops, &search_nsga2_ops, &search_evolution_ops, &search_annealing_ops,
	&search_reinforce_ops, &search_bo_ops, &search_nested_ops, &search_twostage_ops,
};

int search_strategy_count(void)
{
	return (int)(sizeof(strategies) / sizeof(strategies[0]));
}

const struct search_ops *search_strategy_at(int i)
{
	return i >= 0 && i < search_strategy_count() ? strategies[i] : NULL;
}

const struct search_ops *search_strategy_find(const char *name)
{
	for (int i = 0; name && i < search_strategy_count(); i++)
		if (!strcmp(strategies[i]->name, name))
			return strategies[i];
	return NULL;
}

/* rho = 0.05 as in ParEGO (Knowles 2006). */
double search_fitness(const struct search_problem *p, const struct search_eval *e,
		      const double *w)
{
	if (!e->feasible)
		return 1e6 + e->violation;
	if (p->form != SEARCH_PARETO)
		return -e->score;
	double mx = -INFINITY, sum = 0.0;
	for (int i = 0; i < p->n_obj; i++) {
		double v = w[i] * e->obj[i];
		mx = v > mx ? v : mx;
		sum += v;
	}
	return mx + 0.05 * sum;
}

uint64_t strat_index(const struct search_problem *p, const struct search_point *pt)
{
	uint64_t idx = 0;

	for (int d = p->n_dims - 1; d >= 0; d--)
		idx = idx * (uint64_t)p->n_choices[d] + pt->c[d];
	return idx;
}

void strat_mutate(struct search_rng *r, const struct search_problem *p, struct search_point *pt,
		  int k)
{
	for (int i = 0; i < k; i++) {
		int d, tries = 0;
		do
			d = search_rng_below(r, p->n_dims);
		while (p->n_choices[d] < 2 && ++tries < 64);
		if (p->n_choices[d] < 2)
			return;
		int v = search_rng_below(r, p->n_choices[d] - 1);
		pt->c[d] = (uint8_t)(v >= pt->c[d] ? v + 1 : v);
	}
}

int strat_seen(const struct search_map *seen, const struct search_problem *p,
	       const struct search_point *pt)
{
	uint64_t v;

	return search_map_get(seen, strat_index(p, pt), &v);
}
