/* search_annealing.c: simulated annealing over a scalarisation (search_fitness).
 * Schedule: 10 epochs of L = budget / 10 steps (at least 50); in each, the temperature cools
 * geometrically from T0 to T0 / 1000; T0 is the mean |fitness difference| of the first 16
 * random samples (so the schedule is in the formulation's own units). Each epoch reheats to
 * T0 and, in the Pareto formulation, draws new Chebyshev weights (so epochs cover different
 * parts of the front) and restarts from the best result seen under them among the last 256.
 * A move changes one gene; it is accepted when better, else with probability exp(-delta/T). */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

#define CALIB 16
#define RECENT 256

struct sa_st {
	struct search_problem p;
	struct search_rng rng;
	double w[SEARCH_MAX_OBJ];
	struct search_eval cur, recent[RECENT];
	int n_recent;
	double cur_f, t0;
	int64_t step, epoch_len, reported, proposed;
	int waiting;
	struct search_map seen;
};

static int sa_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct sa_st *s = calloc(1, sizeof(*s));

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	search_rng_seed(&s->rng, p->seed);
	search_rng_weights(&s->rng, p->n_obj, s->w);
	s->epoch_len = p->budget / 10 < 50 ? 50 : p->budget / 10;
	search_map_init(&s->seen);
	*st = s;
	return 0;
}

static int sa_propose(void *st, struct search_point *out)
{
	struct sa_st *s = st;

	if (s->proposed < CALIB) {
		search_rng_point(&s->rng, &s->p, out);
		s->proposed++;
		return 1;
	}
	if (s->waiting || s->reported < CALIB)
		return 0;
	for (int tries = 0; tries < 16; tries++) {
		*out = s->cur.pt;
		strat_mutate(&s->rng, &s->p, out, 1);
		if (!strat_seen(&s->seen, &s->p, out))
			break;
	}
	s->waiting = 1;
	s->proposed++;
	return 1;
}

static void new_epoch(struct sa_st *s)
{
	search_rng_weights(&s->rng, s->p.n_obj, s->w);
	for (int i = 0; i < s->n_recent; i++) {
		double f = search_fitness(&s->p, &s->recent[i], s->w);
		if (i == 0 || f < s->cur_f) {
			s->cur = s->recent[i];
			s->cur_f = f;
		}
	}
}

static void sa_report(void *st, const struct search_eval *e)
{
	struct sa_st *s = st;
	double f = search_fitness(&s->p, e, s->w);

	search_map_put(&s->seen, strat_index(&s->p, &e->pt), 1);
	s->recent[s->reported % RECENT] = *e;
	if (s->n_recent < RECENT)
		s->n_recent++;
	s->reported++;
	if (s->reported <= CALIB) {
		/* calibration: T0 from the spread of random samples, start at the best */
		if (s->reported == 1 || f < s->cur_f) {
			s->cur = *e;
			s->cur_f = f;
		}
		if (s->reported == CALIB) {
			double sum = 0;
			int n = 0;
			for (int i = 1; i < CALIB; i++) {
				double a = fmin(search_fitness(&s->p, &s->recent[i], s->w), 1e3);
				double b = fmin(search_fitness(&s->p, &s->recent[i - 1], s->w), 1e3);
				sum += fabs(a - b);
				n++;
			}
			s->t0 = sum / n > 1e-12 ? sum / n : 1e-3;
		}
		return;
	}
	s->waiting = 0;
	int64_t k = s->step % s->epoch_len;
	double t = s->t0 * pow(1e-3, (double)k / (double)s->epoch_len);
	double delta = f - s->cur_f;
	if (delta <= 0 || search_rng_uniform(&s->rng) < exp(-delta / t)) {
		s->cur = *e;
		s->cur_f = f;
	}
	s->step++;
	if (s->step % s->epoch_len == 0)
		new_epoch(s);
}

static void sa_release(void *st)
{
	struct sa_st *s = st;

	search_map_release(&s->seen);
	free(s);
}

const struct search_ops search_annealing_ops = {
	"annealing", "simulated annealing over a scalarisation, geometric cooling with reheats",
	sa_init, sa_propose, sa_report, sa_release, 0,
	/* the 16 calibration samples, then propose returns 0 until the pending move is
	 * reported */
	SEARCH_AHEAD_ALL, 0,
};
