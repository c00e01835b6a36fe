/* search_nsga2.c: NSGA-II (Deb et al. 2002) on categorical genes. Binary tournament on
 * (rank, crowding distance), uniform crossover, per-gene mutation 1/n (at least one gene),
 * elitist (mu + lambda) selection by fast non-dominated sorting and crowding, constrained
 * domination (feasible beats infeasible, then smaller violation). A repeated point is ranked
 * last so the population keeps distinct members. Scalar formulations: one objective, -score.
 * Population: 64, or budget / 40 up to 256 for long runs. */
#include "search_strat_int.h"

#include <math.h>
#include <string.h>

struct member {
	struct search_eval e;
	double f[SEARCH_MAX_OBJ];       /* the vector nsga2 minimises */
	int rank;
	double crowd;
};

struct nsga2_st {
	struct search_problem p;
	struct search_rng rng;
	int n_f;                        /* length of member.f */
	int pop_size;
	struct member *pop;             /* pop_size parents */
	int n_pop;
	struct member *merged;          /* parents + offspring, 2 pop_size */
	struct search_point *queue;     /* offspring to propose */
	int n_queue, next_queue;
	struct member *kids;            /* reported offspring */
	int n_kids, expected;
	struct search_map seen;
};

static void vec_of(const struct nsga2_st *s, const struct search_eval *e, double *f)
{
	if (s->p.form == SEARCH_PARETO)
		memcpy(f, e->obj, sizeof(double) * (size_t)s->n_f);
	else
		f[0] = -e->score;
}

/* Constrained domination. */
static int cdom(const struct nsga2_st *s, const struct member *a, const struct member *b)
{
	if (a->e.feasible != b->e.feasible)
		return a->e.feasible;
	if (!a->e.feasible)
		return a->e.violation < b->e.violation;
	return search_dominates(a->f, b->f, s->n_f);
}

static int cmp_f(const void *x, const void *y, void *ctx)
{
	const struct member *a = *(struct member *const *)x, *b = *(struct member *const *)y;
	int k = *(int *)ctx;

	return a->f[k] < b->f[k] ? -1 : a->f[k] > b->f[k];
}

/* Ranks m[0..n) by Deb's fast non-dominated sort, O(M n^2) (duplicates of earlier members
 * get rank n), then crowding distance within each front. */
static void rank_and_crowd(struct nsga2_st *s, struct member *m, int n)
{
	int *count = calloc((size_t)n, sizeof(int)), *cur = malloc((size_t)n * sizeof(int));
	int *next = malloc((size_t)n * sizeof(int));
	unsigned char *dup = calloc((size_t)n, 1), *dom = calloc((size_t)n * (size_t)n, 1);
	struct member **front = malloc((size_t)n * sizeof(*front));
	int nc = 0, r = 0;

	if (!count || !cur || !next || !dup || !dom || !front)
		goto out_free; /* ranks stay as they were: selection degrades, no crash */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i && !dup[i]; j++)
			if (m[i].e.index == m[j].e.index)
				dup[i] = 1;
	for (int i = 0; i < n; i++) {
		m[i].crowd = 0;
		m[i].rank = n;
		for (int j = 0; j < n; j++) {
			if (i == j || dup[i] || dup[j])
				continue;
			if (cdom(s, &m[i], &m[j]))
				dom[(size_t)i * n + j] = 1;
			else if (cdom(s, &m[j], &m[i]))
				count[i]++;
		}
		if (!dup[i] && count[i] == 0)
			cur[nc++] = i;
	}
	while (nc > 0) {
		int nn = 0;
		for (int a = 0; a < nc; a++) {
			int i = cur[a];
			front[a] = &m[i];
			m[i].rank = r;
			for (int j = 0; j < n; j++)
				if (dom[(size_t)i * n + j] && --count[j] == 0)
					next[nn++] = j;
		}
		for (int k = 0; k < s->n_f && nc > 2; k++) {
			qsort_r(front, (size_t)nc, sizeof(*front), cmp_f, &k);
			double span = front[nc - 1]->f[k] - front[0]->f[k];
			front[0]->crowd = front[nc - 1]->crowd = INFINITY;
			for (int i = 1; i < nc - 1 && span > 0; i++)
				front[i]->crowd += (front[i + 1]->f[k] - front[i - 1]->f[k]) / span;
		}
		if (nc <= 2)
			for (int i = 0; i < nc; i++)
				front[i]->crowd = INFINITY;
		memcpy(cur, next, (size_t)nn * sizeof(int));
		nc = nn;
		r++;
	}
out_free:
	free(count);
	free(cur);
	free(next);
	free(dup);
	free(dom);
	free(front);
}

static int better(const struct member *a, const struct member *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->crowd > b->crowd);
}

static int cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;

	if (better(a, b))
		return -1;
	if (better(b, a))
		return 1;
	return a->e.index < b->e.index ? -1 : a->e.index > b->e.index;
}

static const struct member *tournament(struct nsga2_st *s)
{
	const struct member *a = &s->pop[search_rng_below(&s->rng, s->n_pop)];
	const struct member *b = &s->pop[search_rng_below(&s->rng, s->n_pop)];

	return better(b, a) ? b : a;
}

static void make_offspring(struct nsga2_st *s)
{
	s->n_queue = s->next_queue = 0;
	for (int i = 0; i < s->pop_size; i++) {
		struct search_point child;
		for (int tries = 0; tries < 16; tries++) {
			const struct member *a = tournament(s), *b = tournament(s);
			child = a->e.pt;
			for (int d = 0; d < s->p.n_dims; d++)
				if (search_rng_uniform(&s->rng) < 0.5)
					child.c[d] = b->e.pt.c[d];
			int flips = 0;
			for (int d = 0; d < s->p.n_dims; d++)
				if (search_rng_uniform(&s->rng) < 1.0 / s->p.n_dims) {
					struct search_point one = child;
					strat_mutate(&s->rng, &s->p, &one, 1);
					child = one;
					flips++;
				}
			if (!flips)
				strat_mutate(&s->rng, &s->p, &child, 1);
			if (!strat_seen(&s->seen, &s->p, &child))
				break;
		}
		s->queue[s->n_queue++] = child;
	}
	s->expected = s->n_queue;
	s->n_kids = 0;
}

static int nsga2_init(void **st, const struct search_problem *p, struct hn_err *err)
{
	struct nsga2_st *s = calloc(1, sizeof(*s));
	int64_t ps = p->budget / 40;

	if (!s)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->p = *p;
	s->n_f = p->form == SEARCH_PARETO ? p->n_obj : 1;
	s->pop_size = (int)(ps < 64 ? 64 : ps > 256 ? 256 : ps);
	search_rng_seed(&s->rng, p->seed);
	search_map_init(&s->seen);
	s->pop = calloc((size_t)s->pop_size, sizeof(*s->pop));
	s->merged = calloc(2 * (size_t)s->pop_size, sizeof(*s->merged));
	s->kids = calloc((size_t)s->pop_size, sizeof(*s->kids));
	s->queue = calloc((size_t)s->pop_size, sizeof(*s->queue));
	if (!s->pop || !s->merged || !s->kids || !s->queue) {
		free(s->pop);
		free(s->merged);
		free(s->kids);
		free(s->queue);
		free(s);
		return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	/* generation 0: random */
	for (int i = 0; i < s->pop_size; i++)
		search_rng_point(&s->rng, p, &s->queue[i]);
	s->n_queue = s->expected = s->pop_size;
	*st = s;
	return 0;
}

static int nsga2_propose(void *st, struct search_point *out)
{
	struct nsga2_st *s = st;

	if (s->next_queue >= s->n_queue)
		return 0;
	*out = s->queue[s->next_queue++];
	return 1;
}

static void nsga2_report(void *st, const struct search_eval *e)
{
	struct nsga2_st *s = st;
	struct member m;

	memset(&m, 0, sizeof(m));
	m.e = *e;
	vec_of(s, e, m.f);
	search_map_put(&s->seen, strat_index(&s->p, &e->pt), 1);
	s->kids[s->n_kids++] = m;
	if (s->n_kids < s->expected)
		return;
	/* (mu + lambda): parents and offspring, best pop_size survive */
	int n = 0;
	for (int i = 0; i < s->n_pop; i++)
		s->merged[n++] = s->pop[i];
	for (int i = 0; i < s->n_kids; i++)
		s->merged[n++] = s->kids[i];
	rank_and_crowd(s, s->merged, n);
	qsort(s->merged, (size_t)n, sizeof(*s->merged), cmp_member);
	s->n_pop = n < s->pop_size ? n : s->pop_size;
	memcpy(s->pop, s->merged, (size_t)s->n_pop * sizeof(*s->pop));
	/* ranks and crowding of the survivors for the tournaments */
	rank_and_crowd(s, s->pop, s->n_pop);
	make_offspring(s);
}

static void nsga2_release(void *st)
{
	struct nsga2_st *s = st;

	search_map_release(&s->seen);
	free(s->pop);
	free(s->merged);
	free(s->kids);
	free(s->queue);
	free(s);
}

const struct search_ops search_nsga2_ops = {
	"nsga2", "NSGA-II: non-dominated sorting genetic algorithm (Deb et al. 2002)",
	nsga2_init, nsga2_propose, nsga2_report, nsga2_release, 0,
	/* a generation is fixed when it starts; propose returns 0 at its end until every child
	 * is reported */
	SEARCH_AHEAD_ALL, 0,
};
