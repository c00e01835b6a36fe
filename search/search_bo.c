/* search_bo.c: the "bo" strategy, Bayesian optimisation with a Tree-structured Parzen
 * Estimator (TPE, Bergstra et al., NeurIPS 2011) on categorical dimensions. After 20 random
 * samples (or budget / 50, up to 200), observations are split by fitness into the best n_good
 * = ceil(0.25 sqrt(n)) (at most 25, hyperopt's rule) and the rest; per dimension l(c) and g(c)
 * are the smoothed choice frequencies in each set (prior weight 1, uniform). 24 candidates are
 * drawn from l and the one with the largest sum of log l/g not yet evaluated is proposed (the
 * expected-improvement maximiser under TPE). Pareto formulation: each refit draws new
 * Chebyshev weights (ParEGO). The model is refitted every proposal up to 2,000 observations,
 * then every n / 1,000. */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

#define CANDIDATES 24
#define GOOD_MAX 25

struct obs {
	struct search_point pt;
	double obj[SEARCH_MAX_OBJ];
	double score, violation;
	int feasible;
};

struct tpe_st {
	struct search_problem p;
	struct search_rng rng;
	struct obs *o;
	int64_t n, cap, startup, proposed, last_fit;
	double cnt_all[SEARCH_MAX_DIMS][SEARCH_MAX_CHOICES];
	double lg[SEARCH_MAX_DIMS][SEARCH_MAX_CHOICES];  /* log l - log g */
	double lcdf[SEARCH_MAX_DIMS][SEARCH_MAX_CHOICES]; /* sampling from l */
	struct search_map seen;
};

static int tpe_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct tpe_st *s = calloc(1, sizeof(*s));
	int64_t su = p->budget / 50;

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	s->startup = su < 20 ? 20 : su > 200 ? 200 : su;
	s->last_fit = -1;
	search_rng_seed(&s->rng, p->seed);
	search_map_init(&s->seen);
	*st = s;
	return 0;
}

static double obs_fitness(const struct tpe_st *s, const struct obs *o, const double *w)
{
	struct search_eval e;

	e.feasible = o->feasible;
	e.violation = o->violation;
	e.score = o->score;
	memcpy(e.obj, o->obj, sizeof(e.obj));
	return search_fitness(&s->p, &e, w);
}

/* Keeps the n_good smallest fitness values (insertion into a sorted list of <= 25). */
static void refit(struct tpe_st *s)
{
	double w[SEARCH_MAX_OBJ], bf[GOOD_MAX];
	int64_t bi[GOOD_MAX];
	int k = (int)ceil(0.25 * sqrt((double)s->n)), m = 0;
	double cnt_good[SEARCH_MAX_DIMS][SEARCH_MAX_CHOICES];

	k = k < 1 ? 1 : k > GOOD_MAX ? GOOD_MAX : k;
	search_rng_weights(&s->rng, s->p.n_obj, w);
	for (int64_t i = 0; i < s->n; i++) {
		double f = obs_fitness(s, &s->o[i], w);
		if (m == k && f >= bf[m - 1])
			continue;
		int j = m < k ? m++ : m - 1;
		while (j > 0 && bf[j - 1] > f) {
			bf[j] = bf[j - 1];
			bi[j] = bi[j - 1];
			j--;
		}
		bf[j] = f;
		bi[j] = i;
	}
	memset(cnt_good, 0, sizeof(cnt_good));
	for (int i = 0; i < m; i++)
		for (int d = 0; d < s->p.n_dims; d++)
			cnt_good[d][s->o[bi[i]].pt.c[d]] += 1.0;
	for (int d = 0; d < s->p.n_dims; d++) {
		int nc = s->p.n_choices[d];
		double acc = 0, nbad = (double)(s->n - m);
		for (int c = 0; c < nc; c++) {
			double l = (cnt_good[d][c] + 1.0 / nc) / (m + 1.0);
			double g = (s->cnt_all[d][c] - cnt_good[d][c] + 1.0 / nc) / (nbad + 1.0);
			s->lg[d][c] = log(l) - log(g);
			acc += l;
			s->lcdf[d][c] = acc;
		}
	}
	s->last_fit = s->n;
}

static int tpe_propose(void *st, struct search_point *out)
{
	struct tpe_st *s = st;

	s->proposed++;
	if (s->n < s->startup) {
		search_rng_point(&s->rng, &s->p, out);
		return 1;
	}
	int64_t every = s->n <= 2000 ? 1 : s->n / 1000;
	if (s->last_fit < 0 || s->n - s->last_fit >= every)
		refit(s);
	double best = -INFINITY;
	int found = 0;
	for (int i = 0; i < CANDIDATES; i++) {
		struct search_point c = { { 0 } };
		double score = 0;
		for (int d = 0; d < s->p.n_dims; d++) {
			int nc = s->p.n_choices[d], v = nc - 1;
			double u = search_rng_uniform(&s->rng) * s->lcdf[d][nc - 1];
			for (int j = 0; j < nc; j++)
				if (u < s->lcdf[d][j]) {
					v = j;
					break;
				}
			c.c[d] = (uint8_t)v;
			score += s->lg[d][v];
		}
		int unseen = !strat_seen(&s->seen, &s->p, &c);
		/* unseen candidates first, then the largest l/g */
		if (!found || (unseen && found == 1) || (unseen + 1 == found && score > best)) {
			*out = c;
			best = score;
			found = unseen + 1;
		}
	}
	return 1;
}

static void tpe_report(void *st, const struct search_eval *e)
{
	struct tpe_st *s = st;

	if (hn_grow(&s->o, s->n, &s->cap, sizeof(*s->o), 1024))
		return; /* the observation is lost; the search goes on with the rest */
	struct obs *o = &s->o[s->n++];
	o->pt = e->pt;
	memcpy(o->obj, e->obj, sizeof(o->obj));
	o->score = e->score;
	o->violation = e->violation;
	o->feasible = e->feasible;
	for (int d = 0; d < s->p.n_dims; d++)
		s->cnt_all[d][e->pt.c[d]] += 1.0;
	search_map_put(&s->seen, strat_index(&s->p, &e->pt), 1);
}

static void tpe_release(void *st)
{
	struct tpe_st *s = st;

	search_map_release(&s->seen);
	free(s->o);
	free(s);
}

const struct search_ops search_bo_ops = {
	"bo", "Bayesian optimisation: TPE surrogate (Bergstra et al. 2011), EI by l/g ratio",
	tpe_init, tpe_propose, tpe_report, tpe_release, 0,
	SEARCH_AHEAD_BELOW, 20, /* the random start-up samples (at least 20) */
};
