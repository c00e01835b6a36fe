/* search_evolution.c: regularised (aging) evolution (Real et al., AAAI 2019). A queue of the
 * P most recent results; each child mutates one gene of the best of S members sampled at
 * random; the oldest member dies when a child arrives. Pareto formulation: each tournament
 * ranks its sample by a Chebyshev scalarisation with fresh random weights (ParEGO-style), so
 * that successive tournaments pull toward different parts of the front.
 * P = 64 (budget / 20 up to 256), S = P / 4. */
#include "search_strat_int.h"

#include <string.h>

struct evo_st {
	struct search_problem p;
	struct search_rng rng;
	int pop_size, sample;
	struct search_eval *ring;       /* the population, oldest at head */
	int n, head;
	int64_t proposed;
	struct search_map seen;
};

static int evo_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct evo_st *s = calloc(1, sizeof(*s));
	int64_t ps = p->budget / 20;

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	s->pop_size = (int)(ps < 64 ? 64 : ps > 256 ? 256 : ps);
	s->sample = s->pop_size / 4;
	search_rng_seed(&s->rng, p->seed);
	search_map_init(&s->seen);
	s->ring = calloc((size_t)s->pop_size, sizeof(*s->ring));
	if (!s->ring) {
		free(s);
		return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	*st = s;
	return 0;
}

static int evo_propose(void *st, struct search_point *out)
{
	struct evo_st *s = st;

	if (s->proposed < s->pop_size) {
		search_rng_point(&s->rng, &s->p, out);
	} else if (s->n == 0) {
		return 0;
	} else {
		double w[SEARCH_MAX_OBJ];
		const struct search_eval *best = NULL;
		double bf = 0;
		search_rng_weights(&s->rng, s->p.n_obj, w);
		for (int i = 0; i < s->sample; i++) {
			const struct search_eval *c = &s->ring[search_rng_below(&s->rng, s->n)];
			double f = search_fitness(&s->p, c, w);
			if (!best || f < bf) {
				best = c;
				bf = f;
			}
		}
		for (int tries = 0; tries < 16; tries++) {
			*out = best->pt;
			strat_mutate(&s->rng, &s->p, out, 1);
			if (!strat_seen(&s->seen, &s->p, out))
				break;
		}
	}
	s->proposed++;
	return 1;
}

static void evo_report(void *st, const struct search_eval *e)
{
	struct evo_st *s = st;

	search_map_put(&s->seen, strat_index(&s->p, &e->pt), 1);
	if (s->n < s->pop_size) {
		s->ring[(s->head + s->n++) % s->pop_size] = *e;
	} else {
		s->ring[s->head] = *e; /* the oldest dies */
		s->head = (s->head + 1) % s->pop_size;
	}
}

static void evo_release(void *st)
{
	struct evo_st *s = st;

	search_map_release(&s->seen);
	free(s->ring);
	free(s);
}

const struct search_ops search_evolution_ops = {
	"evolution", "regularised (aging) evolution (Real et al. 2019)",
	evo_init, evo_propose, evo_report, evo_release, 0,
	SEARCH_AHEAD_BELOW, 64, /* the random initial population (at least 64) */
};
