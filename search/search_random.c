/* search_random.c: the "random" strategy, uniform random sampling (the baseline). */
#include "search_strat_int.h"

#include <stdlib.h>

struct random_st {
	struct search_problem p;
	struct search_rng rng;
};

static int random_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct random_st *s = calloc(1, sizeof(*s));

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	search_rng_seed(&s->rng, p->seed);
	*st = s;
	return 0;
}

static int random_propose(void *st, struct search_point *out)
{
	struct random_st *s = st;

	search_rng_point(&s->rng, &s->p, out);
	return 1;
}

static void random_report(void *st, const struct search_eval *e)
{
	(void)st;
	(void)e;
}

static void random_release(void *st)
{
	free(st);
}

const struct search_ops search_random_ops = {
	"random", "uniform random sampling (the baseline)",
	random_init, random_propose, random_report, random_release, 0,
	SEARCH_AHEAD_ALL, 0, /* never reads a report */
};
