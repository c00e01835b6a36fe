/* search_reinforce.c: a REINFORCE controller (Williams 1992) as in Zoph & Le 2017 and
 * MnasNet (Tan et al. 2019), with an independent softmax policy per choice (no RNN: the
 * dimensions are sampled independently). Reward R = -fitness (infeasible: below the worst
 * feasible seen); baseline b = exponential moving average of R (decay 0.95); advantage
 * normalised by a moving average of |R - b|; update theta[d][c] += lr * A * (1[c = a_d] -
 * pi_d(c)), lr = 0.1. 5 % of the samples are uniform (exploration). Pareto formulation: the
 * Chebyshev weights are redrawn every budget / 10 samples (the baseline restarts). */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

struct rf_st {
	struct search_problem p;
	struct search_rng rng;
	double theta[SEARCH_MAX_DIMS][SEARCH_MAX_CHOICES];
	double w[SEARCH_MAX_OBJ];
	double baseline, spread, worst;
	int64_t reported, period;
	int have_baseline;
};

static int rf_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct rf_st *s = calloc(1, sizeof(*s));

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	search_rng_seed(&s->rng, p->seed);
	search_rng_weights(&s->rng, p->n_obj, s->w);
	s->period = p->budget / 10 < 50 ? 50 : p->budget / 10;
	s->worst = -INFINITY;
	*st = s;
	return 0;
}

static void policy(const struct rf_st *s, int d, double *pi)
{
	double mx = -INFINITY, sum = 0;
	int n = s->p.n_choices[d];

	for (int c = 0; c < n; c++)
		mx = fmax(mx, s->theta[d][c]);
	for (int c = 0; c < n; c++) {
		pi[c] = exp(s->theta[d][c] - mx);
		sum += pi[c];
	}
	for (int c = 0; c < n; c++)
		pi[c] /= sum;
}

static int rf_propose(void *st, struct search_point *out)
{
	struct rf_st *s = st;
	double pi[SEARCH_MAX_CHOICES];

	*out = (struct search_point){ { 0 } };
	if (search_rng_uniform(&s->rng) < 0.05) {
		search_rng_point(&s->rng, &s->p, out);
		return 1;
	}
	for (int d = 0; d < s->p.n_dims; d++) {
		double u = search_rng_uniform(&s->rng), acc = 0;
		int n = s->p.n_choices[d], c = n - 1;
		policy(s, d, pi);
		for (int i = 0; i < n; i++) {
			acc += pi[i];
			if (u < acc) {
				c = i;
				break;
			}
		}
		out->c[d] = (uint8_t)c;
	}
	return 1;
}

static void rf_report(void *st, const struct search_eval *e)
{
	struct rf_st *s = st;
	double pi[SEARCH_MAX_CHOICES], f = search_fitness(&s->p, e, s->w), r;

	if (e->feasible) {
		r = -f;
		s->worst = s->worst == -INFINITY ? r : fmin(s->worst, r);
	} else {
		r = (s->worst == -INFINITY ? -1.0 : s->worst) - 0.1 * fabs(s->worst) - 0.1;
	}
	if (!s->have_baseline) {
		s->baseline = r;
		s->spread = 0;
		s->have_baseline = 1;
	} else {
		double a = r - s->baseline;
		s->spread = 0.95 * s->spread + 0.05 * fabs(a);
		double adv = s->spread > 1e-12 ? a / s->spread : 0.0;
		adv = fmax(-3.0, fmin(3.0, adv));
		for (int d = 0; d < s->p.n_dims; d++) {
			int n = s->p.n_choices[d];
			policy(s, d, pi);
			for (int c = 0; c < n; c++)
				s->theta[d][c] += 0.1 * adv * ((c == e->pt.c[d]) - pi[c]);
		}
		s->baseline = 0.95 * s->baseline + 0.05 * r;
	}
	s->reported++;
	if (s->p.form == SEARCH_PARETO && s->reported % s->period == 0) {
		search_rng_weights(&s->rng, s->p.n_obj, s->w);
		s->have_baseline = 0;
		s->worst = -INFINITY;
	}
}

static void rf_release(void *st)
{
	free(st);
}

const struct search_ops search_reinforce_ops = {
	"reinforce", "REINFORCE policy gradient, softmax per choice, moving-average baseline",
	rf_init, rf_propose, rf_report, rf_release, 0,
	SEARCH_AHEAD_NONE, 0, /* every proposal samples the policy the last report moved */
};
