/* search_nested.c: a search whose budget counts networks (accuracy evaluations), not points
 * (docs/search.md, "Budgets that count accuracy evaluations").
 *
 * Evaluating a network's accuracy is the expensive step in real use (training, or a command
 * that runs for minutes); its cost on an accelerator is the model's microseconds. So the
 * strategy spends its budget on distinct networks and, for each, finds that network's
 * accelerator front with the model:
 * - hardware phase: every accelerator of the space in index order when the HW part has at
 *   most NESTED_HW_EXHAUSTIVE points (the network's exact front); otherwise a nested search of
 *   NESTED_HW_BUDGET accelerators: NESTED_HW_RANDOM random ones, then each a mutation (one or
 *   two HW knobs) of a random member of the network's own front so far;
 * - network phase: the first n_init networks at random (budget / 16, 8 .. 20); then
 *   NESTED_CANDIDATES unseen candidates, each a mutation (one NN knob, two with probability
 *   1/4) of a network that holds a point of the front of everything seen, or (probability
 *   1/4) a random network; with probability NESTED_P_MODEL the one a surrogate ranks best,
 *   else the first (a plain mutation). The surrogate: a ridge regression of each
 *   objective's best value over the network's accelerators (its ideal point) on one-hot NN
 *   knobs, fitted to the networks seen, ranked under a Chebyshev scalarisation with fresh
 *   random weights (ParEGO, Knowles 2006). A network seen before is never proposed again.
 * The driver counts the distinct networks against the budget (ops.budget_networks). */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

#define NESTED_HW_EXHAUSTIVE SEARCH_NESTED_HW_EXHAUSTIVE
#define NESTED_HW_BUDGET SEARCH_NESTED_HW_BUDGET
#define NESTED_HW_RANDOM 64
#define NESTED_CANDIDATES 256
#define NESTED_P_MODEL 0.5
#define NESTED_MAX_FEATURES 128

struct nest_member {
	double obj[SEARCH_MAX_OBJ];
	int net;                        /* index into nets[] */
};

struct nest_st {
	struct search_problem p;
	struct search_rng rng;
	uint64_t hw_size;
	int hw_exhaustive;
	int64_t n_init;
	/* networks proposed, in order: their NN choices (HW dims 0) and their ideal point (the
	 * best of each objective over their feasible accelerators; ok 0 when none is feasible) */
	struct search_point *nets;
	double (*ideal)[SEARCH_MAX_OBJ];
	int *ok;
	int64_t n_nets, cap_nets;
	int n_feat;                     /* one-hot features of a network, 0: no surrogate */
	struct search_map seen_net;     /* NN index -> 1 */
	/* the front of everything reported, with the network of each member */
	struct nest_member *front;
	int64_t n_front, cap_front;
	/* the network in progress */
	struct search_point cur;
	uint64_t hw_next;               /* HW points proposed for it */
	uint64_t hw_reported;
	uint64_t hw_target;             /* how many it gets */
	struct search_map seen_hw;      /* nested: HW index -> 1 */
	struct search_point own[NESTED_HW_BUDGET]; /* nested: the network's own front */
	double own_obj[NESTED_HW_BUDGET][SEARCH_MAX_OBJ];
	int64_t n_own;
	int active;
};

static uint64_t nn_index(const struct nest_st *s, const struct search_point *pt)
{
	uint64_t idx = 0;

	for (int d = s->p.n_nn_dims - 1; d >= 0; d--)
		idx = idx * (uint64_t)s->p.n_choices[d] + pt->c[d];
	return idx;
}

static uint64_t hw_index(const struct nest_st *s, const struct search_point *pt)
{
	uint64_t idx = 0;

	for (int d = s->p.n_dims - 1; d >= s->p.n_nn_dims; d--)
		idx = idx * (uint64_t)s->p.n_choices[d] + pt->c[d];
	return idx;
}

static void set_hw(const struct nest_st *s, uint64_t idx, struct search_point *pt)
{
	for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++) {
		pt->c[d] = (uint8_t)(idx % (uint64_t)s->p.n_choices[d]);
		idx /= (uint64_t)s->p.n_choices[d];
	}
}

static int nest_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct nest_st *s = calloc(1, sizeof(*s));

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	search_rng_seed(&s->rng, p->seed);
	s->hw_size = 1;
	for (int d = p->n_nn_dims; d < p->n_dims; d++)
		s->hw_size *= (uint64_t)p->n_choices[d];
	s->hw_exhaustive = s->hw_size <= NESTED_HW_EXHAUSTIVE;
	s->n_init = p->budget / 16 < 8 ? 8 : p->budget / 16 > 20 ? 20 : p->budget / 16;
	s->n_feat = 1;
	for (int d = 0; d < p->n_nn_dims; d++)
		s->n_feat += p->n_choices[d] - 1;
	if (s->n_feat > NESTED_MAX_FEATURES)
		s->n_feat = 0;
	search_map_init(&s->seen_net);
	search_map_init(&s->seen_hw);
	*st = s;
	return 0;
}

static uint64_t nn_size(const struct nest_st *s)
{
	uint64_t n = 1;

	for (int d = 0; d < s->p.n_nn_dims; d++)
		n *= (uint64_t)s->p.n_choices[d];
	return n;
}

/* Mutates k NN knobs of pt (those with two or more choices). */
static void mutate_nn(struct nest_st *s, struct search_point *pt, int k)
{
	for (int i = 0; i < k; i++) {
		int d, tries = 0;
		do
			d = search_rng_below(&s->rng, s->p.n_nn_dims);
		while (s->p.n_choices[d] < 2 && ++tries < 64);
		if (s->p.n_choices[d] < 2)
			return;
		int v = search_rng_below(&s->rng, s->p.n_choices[d] - 1);
		pt->c[d] = (uint8_t)(v >= pt->c[d] ? v + 1 : v);
	}
}

static void random_nn(struct nest_st *s, struct search_point *pt)
{
	*pt = (struct search_point){ { 0 } };
	for (int d = 0; d < s->p.n_nn_dims; d++)
		pt->c[d] = (uint8_t)search_rng_below(&s->rng, s->p.n_choices[d]);
}

/* One-hot features of a network: 1, then per NN knob one indicator per choice but the
 * first. */
static void features(const struct nest_st *s, const struct search_point *pt, double *x)
{
	int k = 0;

	x[k++] = 1.0;
	for (int d = 0; d < s->p.n_nn_dims; d++)
		for (int c = 1; c < s->p.n_choices[d]; c++)
			x[k++] = pt->c[d] == c;
}

/* Ridge regression (lambda 0.1) of every objective's ideal value on the features, over the
 * networks with a feasible accelerator: w[j * n_feat + f]. Returns 0, or -1 when it cannot
 * (singular, out of memory): the caller falls back to mutation alone. */
static int fit(const struct nest_st *s, double *w)
{
	int F = s->n_feat, J = s->p.n_obj, C = F + J, ret = -1;
	double *a = calloc((size_t)F * (size_t)C, sizeof(double)), x[NESTED_MAX_FEATURES];

	if (!a)
		return -1;
	for (int64_t n = 0; n < s->n_nets; n++) { /* every one is complete when it runs */
		if (!s->ok[n])
			continue;
		features(s, &s->nets[n], x);
		for (int i = 0; i < F; i++) {
			for (int k = 0; k < F; k++)
				a[i * C + k] += x[i] * x[k];
			for (int j = 0; j < J; j++)
				a[i * C + F + j] += x[i] * s->ideal[n][j];
		}
	}
	for (int i = 1; i < F; i++)
		a[i * C + i] += 0.1;
	a[0] += 1e-9;
	/* Gauss-Jordan with partial pivoting on the F x F block, J right-hand sides */
	for (int col = 0; col < F; col++) {
		int piv = col;
		for (int r = col + 1; r < F; r++)
			if (fabs(a[r * C + col]) > fabs(a[piv * C + col]))
				piv = r;
		if (fabs(a[piv * C + col]) < 1e-12)
			goto out;
		if (piv != col)
			for (int k = 0; k < C; k++) {
				double t = a[col * C + k];
				a[col * C + k] = a[piv * C + k];
				a[piv * C + k] = t;
			}
		for (int r = 0; r < F; r++) {
			if (r == col || a[r * C + col] == 0.0)
				continue;
			double m = a[r * C + col] / a[col * C + col];
			for (int k = col; k < C; k++)
				a[r * C + k] -= m * a[col * C + k];
		}
	}
	for (int j = 0; j < J; j++)
		for (int f = 0; f < F; f++)
			w[j * F + f] = a[f * C + F + j] / a[f * C + f];
	ret = 0;
out:
	free(a);
	return ret;
}

/* A candidate: a mutation (one NN knob, two with probability 1/4) of a network that holds a
 * point of the front of everything seen, or (probability 1/4, or no front yet) a random
 * network. */
static void candidate(struct nest_st *s, struct search_point *pt)
{
	if (s->n_front == 0 || search_rng_uniform(&s->rng) < 0.25) {
		random_nn(s, pt);
		return;
	}
	*pt = s->nets[s->front[search_rng_below(&s->rng, (int)s->n_front)].net];
	mutate_nn(s, pt, search_rng_uniform(&s->rng) < 0.25 ? 2 : 1);
}

/* The next network: 0 when every network has been seen. The first n_init at random; then,
 * of NESTED_CANDIDATES unseen candidates, the best under a Chebyshev scalarisation with
 * fresh random weights (as ParEGO, Knowles 2006) of the ideal point the surrogate predicts,
 * over the objectives whose ideal differs between networks (a DSP count that only the
 * accelerator sets has the same best for every network and would only dilute the weights). */
static int next_network(struct nest_st *s, struct search_point *out)
{
	uint64_t v;
	double coef[SEARCH_MAX_OBJ * NESTED_MAX_FEATURES];
	double x[NESTED_MAX_FEATURES], best = INFINITY;
	int have = 0, model;

	if ((uint64_t)s->n_nets >= nn_size(s))
		return 0;
	if (s->n_nets < s->n_init) {
		for (int tries = 0; tries < 200; tries++) {
			random_nn(s, out);
			if (!search_map_get(&s->seen_net, nn_index(s, out), &v))
				return 1;
		}
	}
	model = s->n_nets >= s->n_init && s->n_feat > 0 &&
		search_rng_uniform(&s->rng) < NESTED_P_MODEL && fit(s, coef) == 0;
	double w[SEARCH_MAX_OBJ];
	search_rng_weights(&s->rng, s->p.n_obj, w);
	if (model) {
		double sum = 0;
		for (int j = 0; j < s->p.n_obj; j++) {
			double lo = INFINITY, hi = -INFINITY;
			for (int64_t n = 0; n < s->n_nets; n++)
				if (s->ok[n]) {
					lo = fmin(lo, s->ideal[n][j]);
					hi = fmax(hi, s->ideal[n][j]);
				}
			if (!(hi - lo > 1e-9))
				w[j] = 0;
			sum += w[j];
		}
		for (int j = 0; j < s->p.n_obj && sum > 0; j++)
			w[j] /= sum;
	}
	for (int c = 0; c < NESTED_CANDIDATES; c++) {
		struct search_point pt;
		double f = 0;
		candidate(s, &pt);
		if (search_map_get(&s->seen_net, nn_index(s, &pt), &v))
			continue;
		if (model) {
			double mx = -INFINITY, sum = 0;
			features(s, &pt, x);
			for (int j = 0; j < s->p.n_obj; j++) {
				double y = 0;
				for (int k = 0; k < s->n_feat; k++)
					y += coef[j * s->n_feat + k] * x[k];
				mx = fmax(mx, w[j] * y);
				sum += w[j] * y;
			}
			f = mx + 0.05 * sum;
		}
		if (!have || f < best) {
			*out = pt;
			best = f;
			have = 1;
		}
	}
	if (have)
		return 1;
	/* a crowded neighbourhood: the first unseen network in index order */
	for (uint64_t i = 0; i < nn_size(s); i++) {
		if (search_map_get(&s->seen_net, i, &v))
			continue;
		uint64_t k = i;
		*out = (struct search_point){ { 0 } };
		for (int d = 0; d < s->p.n_nn_dims; d++) {
			out->c[d] = (uint8_t)(k % (uint64_t)s->p.n_choices[d]);
			k /= (uint64_t)s->p.n_choices[d];
		}
		return 1;
	}
	return 0;
}

static int start_network(struct nest_st *s)
{
	struct search_point pt;

	if (!next_network(s, &pt))
		return 0;
	if (s->n_nets == s->cap_nets) {
		int64_t cap = s->cap_nets ? 2 * s->cap_nets : 64;
		struct search_point *n = realloc(s->nets, sizeof(*n) * (size_t)cap);
		if (n)
			s->nets = n;
		double (*id)[SEARCH_MAX_OBJ] = realloc(s->ideal, sizeof(*id) * (size_t)cap);
		if (id)
			s->ideal = id;
		int *ok = realloc(s->ok, sizeof(*ok) * (size_t)cap);
		if (ok)
			s->ok = ok;
		if (!n || !id || !ok)
			return 0; /* out of memory: the run ends with what it has */
		s->cap_nets = cap;
	}
	if (search_map_put(&s->seen_net, nn_index(s, &pt), 1))
		return 0;
	s->ok[s->n_nets] = 0;
	s->nets[s->n_nets++] = pt;
	s->cur = pt;
	s->hw_next = s->hw_reported = 0;
	s->hw_target = s->hw_exhaustive ? s->hw_size :
		       (s->hw_size < NESTED_HW_BUDGET ? s->hw_size : NESTED_HW_BUDGET);
	search_map_release(&s->seen_hw);
	search_map_init(&s->seen_hw);
	s->n_own = 0;
	s->active = 1;
	return 1;
}

/* Nested HW search: a random unseen accelerator, or a mutation of the network's own front. */
static void next_hw(struct nest_st *s, struct search_point *out)
{
	uint64_t v;

	*out = s->cur;
	for (int tries = 0; tries < 200; tries++) {
		if (s->hw_next < NESTED_HW_RANDOM || s->n_own == 0) {
			for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
				out->c[d] = (uint8_t)search_rng_below(&s->rng, s->p.n_choices[d]);
		} else {
			const struct search_point *par = &s->own[search_rng_below(&s->rng, (int)s->n_own)];
			int k = search_rng_uniform(&s->rng) < 0.5 ? 1 : 2;
			for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
				out->c[d] = par->c[d];
			for (int i = 0; i < k; i++) {
				int d = s->p.n_nn_dims + search_rng_below(&s->rng, s->p.n_dims - s->p.n_nn_dims);
				if (s->p.n_choices[d] < 2)
					continue;
				int c = search_rng_below(&s->rng, s->p.n_choices[d] - 1);
				out->c[d] = (uint8_t)(c >= out->c[d] ? c + 1 : c);
			}
		}
		if (!search_map_get(&s->seen_hw, hw_index(s, out), &v))
			return;
	}
	/* repeats: the driver answers them from memory, and they still end the network */
}

static int nest_propose(void *st, struct search_point *out)
{
	struct nest_st *s = st;

	if (s->active && s->hw_reported >= s->hw_target)
		s->active = 0;
	if (!s->active && !start_network(s))
		return 0;
	if (s->hw_next >= s->hw_target)
		return 0; /* waits for the network's last reports */
	if (s->hw_exhaustive) {
		*out = s->cur;
		set_hw(s, s->hw_next, out);
	} else {
		if (s->hw_next > s->hw_reported)
			return 0; /* a mutation needs the front of what came before */
		next_hw(s, out);
		search_map_put(&s->seen_hw, hw_index(s, out), 1);
	}
	s->hw_next++;
	return 1;
}

/* Adds obj (of network net) to the front of everything seen. */
static void front_add(struct nest_st *s, const double *obj, int net)
{
	int n = s->p.n_obj;
	int64_t k = 0;

	for (int64_t i = 0; i < s->n_front; i++) {
		int le = 1;
		for (int j = 0; j < n && le; j++)
			le = s->front[i].obj[j] <= obj[j];
		if (le)
			return; /* weakly dominated */
	}
	for (int64_t i = 0; i < s->n_front; i++)
		if (!search_dominates(obj, s->front[i].obj, n))
			s->front[k++] = s->front[i];
	s->n_front = k;
	if (hn_grow(&s->front, s->n_front, &s->cap_front, sizeof(*s->front), 64))
		return;
	memcpy(s->front[s->n_front].obj, obj, sizeof(double) * (size_t)n);
	s->front[s->n_front++].net = net;
}

/* The network's own front (nested HW search). */
static void own_add(struct nest_st *s, const struct search_eval *e)
{
	int n = s->p.n_obj;
	int64_t k = 0;

	for (int64_t i = 0; i < s->n_own; i++) {
		int le = 1;
		for (int j = 0; j < n && le; j++)
			le = s->own_obj[i][j] <= e->obj[j];
		if (le)
			return;
	}
	for (int64_t i = 0; i < s->n_own; i++)
		if (!search_dominates(e->obj, s->own_obj[i], n)) {
			s->own[k] = s->own[i];
			memmove(s->own_obj[k], s->own_obj[i], sizeof(s->own_obj[k]));
			k++;
		}
	/* at most one member per reported point, and a network gets NESTED_HW_BUDGET */
	s->own[k] = e->pt;
	memcpy(s->own_obj[k], e->obj, sizeof(double) * (size_t)n);
	s->n_own = k + 1;
}

static void nest_report(void *st, const struct search_eval *e)
{
	struct nest_st *s = st;

	s->hw_reported++;
	if (!e->feasible)
		return;
	int64_t n = s->n_nets - 1;
	for (int j = 0; j < s->p.n_obj; j++)
		s->ideal[n][j] = s->ok[n] ? fmin(s->ideal[n][j], e->obj[j]) : e->obj[j];
	s->ok[n] = 1;
	front_add(s, e->obj, (int)(s->n_nets - 1));
	if (!s->hw_exhaustive)
		own_add(s, e);
}

static void nest_release(void *st)
{
	struct nest_st *s = st;

	search_map_release(&s->seen_net);
	search_map_release(&s->seen_hw);
	free(s->nets);
	free(s->ideal);
	free(s->ok);
	free(s->front);
	free(s);
}

const struct search_ops search_nested_ops = {
	"nested", "budget = networks (accuracy evaluations); each network's accelerator front "
	"found with the model (every accelerator, or a nested search of 512)",
	nest_init, nest_propose, nest_report, nest_release, 1,
	/* a network's accelerators are fixed when it starts (or, nested, one at a time);
	 * propose returns 0 until the network's reports are in before it picks the next */
	SEARCH_AHEAD_ALL, 0,
};
