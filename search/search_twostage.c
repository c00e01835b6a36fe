/* search_twostage.c: two-stage search, the decomposition many HW-NAS methods use: first pick
 * networks for accuracy under a proxy cost (MACs), with the hardware held fixed, then pick
 * hardware for the networks picked (docs/search.md, "Two-stage against joint search"). The
 * budget counts points, as for the joint strategies, so both can be compared at the same
 * number of evaluations.
 * - Stage 1 (half the budget): networks on one accelerator (the first valid one met: HW
 *   index 0, else random until one is valid), scored by (accuracy before the quantisation
 *   penalty, MACs): a quarter at random, then mutations (one NN knob, two with probability
 *   1/4) of a member of their (accuracy, MACs) front; no network twice.
 * - The networks picked: that front, at most stage-2 budget / 16 of them (evenly spaced
 *   along it, by accuracy), so that each gets 16 accelerators or more.
 * - Stage 2 (the rest): per network an equal share of accelerators: every one when the share
 *   covers the HW part, else a quarter at random and then mutations (one or two HW knobs)
 *   of a member of the network's own front (all objectives).
 * Whatever the budget still allows after that (repeats do not count) goes to random points. */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

struct ts_net {
	struct search_point pt;         /* NN choices (HW dims as proposed) */
	double acc, macs;
	int ok;                         /* its accelerator was valid: acc and macs are known */
};

struct ts_st {
	struct search_problem p;
	struct search_rng rng;
	uint64_t hw_size;
	int64_t b1, b2;
	/* stage 1 */
	struct search_point hw;         /* the accelerator of stage 1 (its HW dims) */
	int hw_valid, hw_tries;
	struct ts_net *nets;
	int64_t n_nets, reported1;
	int64_t *front;                 /* the (accuracy, MACs) front of stage 1: indices */
	int64_t n_front;
	struct search_map seen_net;
	/* stage 2 */
	int stage;                      /* 1, 2, 3 (leftover budget: random points) */
	int64_t *picked;                /* indices into nets */
	int64_t n_picked, cur;
	int64_t share, given, reported2;
	struct search_map seen_hw;
	struct search_point *own;       /* the current network's own front */
	double (*own_obj)[SEARCH_MAX_OBJ];
	int64_t n_own;
};

static uint64_t index_range(const struct ts_st *s, const struct search_point *pt, int from,
			    int to)
{
	uint64_t idx = 0;

	for (int d = to - 1; d >= from; d--)
		idx = idx * (uint64_t)s->p.n_choices[d] + pt->c[d];
	return idx;
}

static int ts_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct ts_st *s = calloc(1, sizeof(*s));

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	search_rng_seed(&s->rng, p->seed);
	s->hw_size = 1;
	for (int d = p->n_nn_dims; d < p->n_dims; d++)
		s->hw_size *= (uint64_t)p->n_choices[d];
	s->b1 = p->budget / 2 > 1 ? p->budget / 2 : 1;
	s->b2 = p->budget - s->b1;
	s->stage = 1;
	s->nets = calloc((size_t)s->b1, sizeof(*s->nets));
	s->picked = calloc((size_t)s->b1, sizeof(*s->picked));
	s->front = calloc((size_t)s->b1, sizeof(*s->front));
	s->own = calloc((size_t)(s->b2 > 0 ? s->b2 : 1), sizeof(*s->own));
	s->own_obj = calloc((size_t)(s->b2 > 0 ? s->b2 : 1), sizeof(*s->own_obj));
	if (!s->nets || !s->picked || !s->front || !s->own || !s->own_obj) {
		free(s->nets);
		free(s->front);
		free(s->picked);
		free(s->own);
		free(s->own_obj);
		free(s);
		return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	search_map_init(&s->seen_net);
	search_map_init(&s->seen_hw);
	*st = s;
	return 0;
}

/* 1 when a is at least as good as b in accuracy (max) and MACs (min) and better in one. */
static int net_dominates(const struct ts_net *a, const struct ts_net *b)
{
	return a->acc >= b->acc && a->macs <= b->macs && (a->acc > b->acc || a->macs < b->macs);
}

/* Network i (reported, ok) joins the stage-1 front unless a member weakly dominates it. */
static void front_add(struct ts_st *s, int64_t i)
{
	const struct ts_net *t = &s->nets[i];
	int64_t k = 0;

	for (int64_t j = 0; j < s->n_front; j++) {
		const struct ts_net *m = &s->nets[s->front[j]];
		if (m->acc >= t->acc && m->macs <= t->macs)
			return;
	}
	for (int64_t j = 0; j < s->n_front; j++)
		if (!net_dominates(t, &s->nets[s->front[j]]))
			s->front[k++] = s->front[j];
	s->front[k++] = i;
	s->n_front = k;
}

static void stage1_point(struct ts_st *s, struct search_point *out)
{
	uint64_t v;
	int nf = (int)s->n_front;

	for (int tries = 0; tries < 200; tries++) {
		if (s->n_nets < s->b1 / 4 || nf == 0 || search_rng_uniform(&s->rng) < 0.1) {
			for (int d = 0; d < s->p.n_nn_dims; d++)
				out->c[d] = (uint8_t)search_rng_below(&s->rng, s->p.n_choices[d]);
		} else {
			*out = s->nets[s->front[search_rng_below(&s->rng, nf)]].pt;
			int k = search_rng_uniform(&s->rng) < 0.25 ? 2 : 1;
			for (int i = 0; i < k; i++) {
				int d = search_rng_below(&s->rng, s->p.n_nn_dims);
				if (s->p.n_choices[d] < 2)
					continue;
				int c = search_rng_below(&s->rng, s->p.n_choices[d] - 1);
				out->c[d] = (uint8_t)(c >= out->c[d] ? c + 1 : c);
			}
		}
		if (!search_map_get(&s->seen_net, index_range(s, out, 0, s->p.n_nn_dims), &v))
			return;
	}
}

/* The networks for stage 2: the stage-1 front by accuracy, evenly thinned to b2 / 16. */
static void pick(struct ts_st *s)
{
	int64_t n = 0, cap = s->b2 / 16 > 1 ? s->b2 / 16 : 1;

	for (int64_t i = 0; i < s->n_front; i++)
		s->picked[n++] = s->front[i];
	for (int64_t i = 1; i < n; i++) /* ties: the earlier network first */
		for (int64_t j = i; j > 0 && s->picked[j] < s->picked[j - 1]; j--) {
			int64_t t = s->picked[j];
			s->picked[j] = s->picked[j - 1];
			s->picked[j - 1] = t;
		}
	for (int64_t i = 1; i < n; i++) /* insertion sort, accuracy descending */
		for (int64_t j = i; j > 0 && s->nets[s->picked[j]].acc > s->nets[s->picked[j - 1]].acc;
		     j--) {
			int64_t t = s->picked[j];
			s->picked[j] = s->picked[j - 1];
			s->picked[j - 1] = t;
		}
	if (n > cap) {
		for (int64_t k = 0; k < cap; k++)
			s->picked[k] = s->picked[cap > 1 ? k * (n - 1) / (cap - 1) : 0];
		n = cap;
	}
	s->n_picked = n;
	s->cur = -1;
}

static int next_network(struct ts_st *s)
{
	if (++s->cur >= s->n_picked)
		return 0;
	s->share = s->b2 / s->n_picked + (s->cur < s->b2 % s->n_picked);
	s->given = s->reported2 = 0;
	s->n_own = 0;
	search_map_release(&s->seen_hw);
	search_map_init(&s->seen_hw);
	return 1;
}

static void stage2_point(struct ts_st *s, struct search_point *out)
{
	uint64_t v;

	*out = s->nets[s->picked[s->cur]].pt;
	if ((uint64_t)s->share >= s->hw_size) { /* every accelerator, in index order */
		uint64_t idx = (uint64_t)s->given;
		for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++) {
			out->c[d] = (uint8_t)(idx % (uint64_t)s->p.n_choices[d]);
			idx /= (uint64_t)s->p.n_choices[d];
		}
		return;
	}
	for (int tries = 0; tries < 200; tries++) {
		if (s->given < s->share / 4 || s->n_own == 0) {
			for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
				out->c[d] = (uint8_t)search_rng_below(&s->rng, s->p.n_choices[d]);
		} else {
			const struct search_point *par = &s->own[search_rng_below(&s->rng, (int)s->n_own)];
			for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
				out->c[d] = par->c[d];
			int k = search_rng_uniform(&s->rng) < 0.5 ? 1 : 2;
			for (int i = 0; i < k && s->p.n_dims > s->p.n_nn_dims; i++) {
				int d = s->p.n_nn_dims +
					search_rng_below(&s->rng, s->p.n_dims - s->p.n_nn_dims);
				if (s->p.n_choices[d] < 2)
					continue;
				int c = search_rng_below(&s->rng, s->p.n_choices[d] - 1);
				out->c[d] = (uint8_t)(c >= out->c[d] ? c + 1 : c);
			}
		}
		if (!search_map_get(&s->seen_hw, index_range(s, out, s->p.n_nn_dims, s->p.n_dims), &v))
			return;
	}
}

static int ts_propose(void *st, struct search_point *out)
{
	struct ts_st *s = st;

	if (s->stage == 1) {
		if (s->reported1 < s->n_nets)
			return 0; /* mutations and the accelerator need the reports */
		if (s->n_nets < s->b1) {
			*out = (struct search_point){ { 0 } };
			stage1_point(s, out);
			if (s->hw_valid) {
				for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
					out->c[d] = s->hw.c[d];
			} else if (s->hw_tries++ > 0) {
				for (int d = s->p.n_nn_dims; d < s->p.n_dims; d++)
					out->c[d] = (uint8_t)search_rng_below(&s->rng, s->p.n_choices[d]);
			}
			search_map_put(&s->seen_net, index_range(s, out, 0, s->p.n_nn_dims), 1);
			s->nets[s->n_nets].pt = *out;
			s->n_nets++;
			return 1;
		}
		pick(s);
		s->stage = next_network(s) ? 2 : 3;
	}
	if (s->stage == 2) {
		if (s->given >= s->share) {
			if (s->reported2 < s->given)
				return 0;
			if (!next_network(s))
				s->stage = 3;
		}
	}
	if (s->stage == 2) {
		if ((uint64_t)s->share < s->hw_size && s->reported2 < s->given)
			return 0; /* a mutation needs the network's front so far */
		stage2_point(s, out);
		search_map_put(&s->seen_hw, index_range(s, out, s->p.n_nn_dims, s->p.n_dims), 1);
		s->given++;
		return 1;
	}
	search_rng_point(&s->rng, &s->p, out);
	return 1;
}

static void own_add(struct ts_st *s, const struct search_eval *e)
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
	s->own[k] = e->pt; /* at most one member per report, and a network gets share <= b2 */
	memcpy(s->own_obj[k], e->obj, sizeof(double) * (size_t)n);
	s->n_own = k + 1;
}

static void ts_report(void *st, const struct search_eval *e)
{
	struct ts_st *s = st;

	if (s->stage == 1) {
		struct ts_net *t = &s->nets[s->reported1++];
		t->ok = e->acc_source != SEARCH_ACC_NONE && e->m[SEARCH_M_MACS] > 0;
		t->acc = e->acc_raw;
		t->macs = e->m[SEARCH_M_MACS];
		if (t->ok && !s->hw_valid) {
			s->hw = e->pt;
			s->hw_valid = 1;
		}
		if (t->ok)
			front_add(s, s->reported1 - 1);
		return;
	}
	if (s->stage == 2) {
		s->reported2++;
		if (e->feasible && s->reported2 <= s->b2)
			own_add(s, e);
	}
}

static void ts_release(void *st)
{
	struct ts_st *s = st;

	search_map_release(&s->seen_net);
	search_map_release(&s->seen_hw);
	free(s->nets);
	free(s->picked);
	free(s->front);
	free(s->own);
	free(s->own_obj);
	free(s);
}

const struct search_ops search_twostage_ops = {
	"two-stage", "networks for accuracy under MACs on one accelerator, then accelerators for "
	"the networks picked (half the budget each)",
	ts_init, ts_propose, ts_report, ts_release, 0,
	SEARCH_AHEAD_NONE, 0,
};
