/* search_run.c: the driver. It owns the budget and the stop rule, answers repeated points
 * from memory (they do not count against the budget), keeps the front, and reports every
 * result to the strategy in proposal order, so that a seed fixes the run.
 *
 * Batches (docs/store.md). Proposals are collected into a batch, the new ones evaluated
 * together (on o->jobs threads, or through o->eval_batch: MPI), written to the store in one
 * transaction, then recorded and reported in proposal order. A strategy is asked for a
 * proposal while earlier ones are unreported only when that cannot change what it proposes
 * (the `ahead` trait of its ops), so the sequence of proposals and reports, and therefore the front, is
 * the same for every number of threads or ranks. A point found in the store is reported from
 * it instead of evaluated: a resumed run replays the strategy to where it stopped. */
#include "search.h"
#include "store.h"
#include "search_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Whether the strategy may be asked for proposal `next` before its earlier proposals are
 * reported (its ops' ahead trait; ops NULL: exhaustive, always). */
static int may_propose_ahead(const struct search_ops *ops, int64_t next)
{
	if (!ops)
		return 1;
	return ops->ahead == SEARCH_AHEAD_ALL ||
	       (ops->ahead == SEARCH_AHEAD_BELOW && next < ops->ahead_below);
}

/* ---- evaluation on the thread pool (hn_pool; the caller is worker 0) ---- */

/* One evaluator per worker (ev[0] the caller's), on threads kept for the whole run so the
 * mapper's per-thread caches last. */
struct pool {
	int n;
	struct search_evaluator **ev;
	struct hn_pool *hp;
	/* the batch */
	const struct search_point *pts;
	struct search_eval *out;
	double *secs;
	int *rets;
	struct hn_err *errs;
};

static void pool_job(void *ctx, int i, int worker)
{
	struct pool *p = ctx;
	double t0 = now_s();

	p->rets[i] = search_evaluate(p->ev[worker], &p->pts[i], &p->out[i], &p->errs[i]);
	p->secs[i] = now_s() - t0;
}

static void pool_release(struct pool *p)
{
	hn_pool_free(p->hp);
	for (int i = 1; p->ev && i < p->n; i++)
		search_evaluator_free(p->ev[i]);
	free(p->ev);
	memset(p, 0, sizeof(*p));
}

/* n evaluators (clones of ev) and n - 1 threads; an error when the system gives fewer. */
static int pool_init(struct pool *p, struct search_evaluator *ev, int n, struct hn_err *err)
{
	memset(p, 0, sizeof(*p));
	p->ev = calloc((size_t)n, sizeof(*p->ev));
	if (!p->ev)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	p->ev[0] = ev;
	for (p->n = 1; p->n < n; p->n++) {
		int ret = search_evaluator_clone(ev, &p->ev[p->n], err);
		if (ret < 0) {
			pool_release(p);
			return ret;
		}
	}
	p->hp = hn_pool_new(n, map_thread_release);
	if (!p->hp || hn_pool_threads(p->hp) < n) {
		pool_release(p);
		return hn_fail(err, HN_ENOMEM, "cannot start %d evaluation threads", n);
	}
	return 0;
}

/* Evaluates pts[0 .. count) on every worker; the first error in order is returned. */
static int pool_run(struct pool *p, const struct search_point *pts, int count,
		    struct search_eval *out, double *secs, int *rets, struct hn_err *errs,
		    struct hn_err *err)
{
	p->pts = pts;
	p->out = out;
	p->secs = secs;
	p->rets = rets;
	p->errs = errs;
	hn_pool_for(p->hp, count, pool_job, p);
	for (int i = 0; i < count; i++)
		if (rets[i] < 0) {
			*err = errs[i];
			return rets[i];
		}
	return 0;
}

/* ---- the run ---- */

/* Best by score (scalar formulations) or by the first objective (Pareto). */
static void keep_best(const struct search_space *sp, struct search_run_result *r,
		      const struct search_eval *e)
{
	if (!e->feasible)
		return;
	int better = !r->has_best ||
		     (sp->form == SEARCH_PARETO ? e->obj[0] < r->best.obj[0] : e->score > r->best.score);
	if (better) {
		r->best = *e;
		r->has_best = 1;
	}
}

/* e->seq is set; adds e to the front, counts its network (nets: NN ids seen) and tells
 * on_eval. */
static int record(const struct search_space *sp, const struct search_run_opts *o,
		  struct search_run_result *r, struct search_map *nets, const struct search_eval *e,
		  struct hn_err *err)
{
	uint64_t nn = search_point_nn_id(sp, &e->pt), v;

	r->evaluations++;
	if (!search_map_get(nets, nn, &v)) {
		if (search_map_put(nets, nn, 1))
			return hn_fail(err, HN_ENOMEM, "out of memory");
		r->networks++;
	}
	if (search_front_add(&r->front, e) < 0)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	keep_best(sp, r, e);
	return o->on_eval ? o->on_eval(o->ctx, e, &r->front, err) : 0;
}

enum { P_MEMO, P_NEW, P_DUP };

/* One proposal of a batch: answered from memory (P_MEMO, done[at]), new (P_NEW, batch[at]),
 * or a repeat of an earlier new one of the same batch (P_DUP, batch[at]). */
struct prop {
	int kind;
	int64_t at;
};

struct run {
	const struct search_space *sp;
	const struct search_run_opts *o;
	struct search_run_result *r;
	const struct search_ops *ops;   /* NULL: exhaustive */
	void *st;
	uint64_t next_index;            /* exhaustive */
	int budget_networks;            /* the budget counts distinct networks */
	/* exhaustive runs with a store keep a progress checkpoint, not a row per point */
	int progress;
	int64_t feasible, ckpt_at, ckpt_every;
	double eval_s;
	int ended;                      /* a network beyond the budget was proposed */
	struct search_map nets;         /* NN ids evaluated */
	struct pool pool;
	int cap;                        /* new evaluations per batch */
	/* every distinct evaluation of the run, for repeats (not kept when exhaustive) */
	struct search_map memo;
	struct search_eval *done;
	int64_t n_done, cap_done;
	/* the batch */
	struct prop *props;
	int64_t n_props, cap_props;
	struct search_eval *batch;      /* cap entries */
	int *need;                      /* 1: to evaluate, 0: from the store */
	struct search_point *pts;
	struct search_eval *out;
	double *secs, *batch_secs;
	int *rets;
	struct hn_err *errs;
};

static int propose(struct run *x, struct search_point *pt)
{
	if (x->ops)
		return x->ops->propose(x->st, pt);
	if (x->next_index >= search_space_size(x->sp))
		return 0;
	search_point_from_index(x->sp, x->next_index++, pt);
	return 1;
}

static int push_prop(struct run *x, int kind, int64_t at)
{
	if (hn_grow(&x->props, x->n_props, &x->cap_props, sizeof(*x->props), 256))
		return HN_ENOMEM;
	x->props[x->n_props++] = (struct prop){ kind, at };
	return 0;
}

static int keep_done(struct run *x, const struct search_eval *e)
{
	if (!x->ops)
		return 0;
	if (hn_grow(&x->done, x->n_done, &x->cap_done, sizeof(*x->done), 1024))
		return HN_ENOMEM;
	x->done[x->n_done] = *e;
	return search_map_put(&x->memo, e->index, (uint64_t)x->n_done++);
}

/* 1 when pt's network is new (not evaluated, not among the batch's nn new points) and the
 * budget of networks is spent. */
static int new_network_over(struct run *x, const struct search_point *pt, int nn,
			    int64_t budget)
{
	uint64_t id = search_point_nn_id(x->sp, pt), v;
	int64_t nets = x->r->networks;

	if (search_map_get(&x->nets, id, &v))
		return 0;
	for (int k = 0; k < nn; k++) {
		uint64_t b = search_point_nn_id(x->sp, &x->batch[k].pt);
		int first = 1;
		if (b == id)
			return 0;
		for (int j = 0; j < k && first; j++)
			first = search_point_nn_id(x->sp, &x->batch[j].pt) != b;
		nets += first && !search_map_get(&x->nets, b, &v);
	}
	return nets >= budget;
}

/* Collects one batch of proposals; *n_new gets the new ones. Returns 0, or < 0. */
static int collect(struct run *x, int64_t budget, int64_t max_prop, int *n_new,
		   struct hn_err *err)
{
	struct search_run_result *r = x->r;
	uint64_t total = search_space_size(x->sp);
	int nn = 0, n_eval = 0;

	x->n_props = 0;
	while (!x->ended && (x->budget_networks || r->evaluations + nn < budget) &&
	       (uint64_t)(r->evaluations + nn) < total &&
	       r->proposals < max_prop && n_eval < x->cap && nn < x->cap) {
		struct search_point pt;
		uint64_t idx, at;
		int64_t k;
		if (x->n_props > 0 && !may_propose_ahead(x->o->strategy ? x->ops : NULL,
							 r->proposals))
			break;
		if (!propose(x, &pt))
			break; /* done, or waiting for the reports of this batch */
		r->proposals++;
		idx = search_point_index(x->sp, &pt);
		if (x->ops && search_map_get(&x->memo, idx, &at)) {
			if (push_prop(x, P_MEMO, (int64_t)at) < 0)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			continue;
		}
		for (k = 0; x->ops && k < nn; k++)
			if (x->batch[k].index == idx)
				break;
		if (x->ops && k < nn) {
			if (push_prop(x, P_DUP, k) < 0)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			continue;
		}
		if (x->budget_networks && new_network_over(x, &pt, nn, budget)) {
			x->ended = 1;
			break;
		}
		struct search_eval *e = &x->batch[nn];
		int found = 0;
		if (x->o->store && !x->progress) {
			found = store_lookup(x->o->store, idx, SEARCH_FID_MODEL, e, err);
			if (found < 0)
				return found;
		}
		if (!found) {
			memset(e, 0, sizeof(*e));
			e->pt = pt;
			e->index = idx;
			x->pts[n_eval++] = pt;
		}
		x->need[nn] = !found;
		if (push_prop(x, P_NEW, nn++) < 0)
			return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	*n_new = nn;
	return 0;
}

/* Evaluates the batch's new points that the store did not have. */
static int evaluate(struct run *x, int nn, struct hn_err *err)
{
	int n_eval = 0, ret;

	for (int k = 0; k < nn; k++)
		n_eval += x->need[k];
	if (n_eval == 0)
		return 0;
	if (x->o->eval_batch)
		ret = x->o->eval_batch(x->o->eval_ctx, x->pts, n_eval, x->out, x->secs, err);
	else
		ret = pool_run(&x->pool, x->pts, n_eval, x->out, x->secs, x->rets, x->errs, err);
	if (ret < 0)
		return ret;
	for (int k = 0, j = 0; k < nn; k++) {
		if (!x->need[k])
			continue;
		x->batch[k] = x->out[j];
		x->batch_secs[k] = x->secs[j++];
	}
	return 0;
}

static int process(struct run *x, int nn, struct hn_err *err)
{
	struct store *st = x->o->store;
	int64_t seq = x->r->evaluations;
	int ret = 0;

	for (int k = 0; k < nn; k++) {
		x->batch[k].seq = seq++;
		x->r->from_store += !x->need[k];
		x->feasible += x->batch[k].feasible != 0;
		x->eval_s += x->batch_secs[k];
		x->r->eval_seconds += x->need[k] ? x->batch_secs[k] : 0.0;
	}
	if (st && !x->progress) {
		int puts = 0;
		for (int k = 0; k < nn; k++)
			puts += x->need[k];
		if (puts > 1 && (ret = store_tx_begin(st, err)) < 0)
			return ret;
		for (int k = 0; k < nn && ret == 0; k++)
			if (x->need[k])
				ret = store_put(st, &x->batch[k], x->batch_secs[k], err);
		if (puts > 1 && ret == 0)
			ret = store_tx_commit(st, err);
		if (ret < 0)
			return ret;
	}
	for (int64_t i = 0; i < x->n_props; i++) {
		const struct prop *p = &x->props[i];
		const struct search_eval *e;
		if (p->kind == P_MEMO) {
			e = &x->done[p->at];
		} else if (p->kind == P_DUP) {
			e = &x->batch[p->at];
		} else {
			e = &x->batch[p->at];
			if ((ret = record(x->sp, x->o, x->r, &x->nets, e, err)) < 0)
				return ret;
			if (keep_done(x, e) < 0)
				return hn_fail(err, HN_ENOMEM, "out of memory");
		}
		if (x->ops)
			x->ops->report(x->st, e);
	}
	return 0;
}

/* ---- progress of exhaustive runs (docs/store.md) ----
 * An exhaustive run visits points in index order, so its state after point i is the front,
 * the best point and the counts: that is what it saves (every ckpt_every evaluations and at
 * the end or a stop), not 5 million rows. Re-adding the saved front members and the best in
 * evaluation order rebuilds the front exactly: a point is on it iff no point strictly
 * dominates it and no earlier point equals it, and a witness of either is itself a member. */

static int save_progress(struct run *x, struct hn_err *err)
{
	struct search_run_result *r = x->r;
	struct store_progress p;
	struct search_eval *rows = r->front.p;
	int n = r->front.n, ret;

	memset(&p, 0, sizeof(p));
	p.next_index = x->next_index;
	p.evaluations = r->evaluations;
	p.networks = r->networks;
	p.feasible = x->feasible;
	p.best_index = r->has_best ? (int64_t)r->best.index : -1;
	p.eval_s = x->eval_s;
	if (r->has_best) {
		int on_front = 0;
		for (int i = 0; i < n && !on_front; i++)
			on_front = rows[i].index == r->best.index;
		if (!on_front) {
			rows = malloc((size_t)(n + 1) * sizeof(*rows));
			if (!rows)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			memcpy(rows, r->front.p, (size_t)n * sizeof(*rows));
			rows[n++] = r->best;
		}
	}
	ret = store_progress_save(x->o->store, &p, rows, n, err);
	if (rows != r->front.p)
		free(rows);
	if (ret == 0)
		x->ckpt_at = r->evaluations;
	return ret;
}

struct load_ctx {
	struct run *x;
	int64_t best_index;
};

static int load_row(void *ctx, const struct search_eval *e)
{
	struct load_ctx *c = ctx;
	struct search_run_result *r = c->x->r;

	if ((int64_t)e->index == c->best_index) {
		r->best = *e;
		r->has_best = 1;
	}
	return search_front_add(&r->front, e) < 0 ? HN_ENOMEM : 0;
}

/* Continues from the saved progress, if any: the front, the best, the counts, and the
 * networks seen (recomputed from the points covered). */
static int load_progress(struct run *x, struct hn_err *err)
{
	struct search_run_result *r = x->r;
	struct store_progress p;
	struct load_ctx c = { x, -1 };
	int ret;

	x->progress = 1;
	x->ckpt_every = (int64_t)(search_space_size(x->sp) / 64);
	x->ckpt_every = x->ckpt_every < 1024 ? 1024 : x->ckpt_every > 65536 ? 65536 : x->ckpt_every;
	ret = store_progress_load(x->o->store, &p, NULL, NULL, err);
	if (ret <= 0)
		return ret;
	/* read twice: the first pass gives best_index before the rows are replayed */
	search_front_release(&r->front);
	c.best_index = p.best_index;
	if ((ret = store_progress_load(x->o->store, &p, load_row, &c, err)) < 0)
		return ret;
	if (p.best_index >= 0 && !r->has_best)
		return hn_fail(err, HN_EINVAL, "%s: damaged store: the best point %lld has no row",
			       store_path(x->o->store), (long long)p.best_index);
	for (uint64_t i = 0; i < p.next_index; i++) {
		struct search_point pt;
		uint64_t v;
		search_point_from_index(x->sp, i, &pt);
		uint64_t id = search_point_nn_id(x->sp, &pt);
		if (!search_map_get(&x->nets, id, &v) && search_map_put(&x->nets, id, 1))
			return hn_fail(err, HN_ENOMEM, "out of memory");
	}
	if ((int64_t)x->nets.n != p.networks)
		return hn_fail(err, HN_EINVAL, "%s: damaged store: the progress counts %lld networks, "
			       "its %lld points hold %lld", store_path(x->o->store),
			       (long long)p.networks, (long long)p.next_index, (long long)x->nets.n);
	x->next_index = p.next_index;
	r->evaluations = r->proposals = r->from_store = p.evaluations;
	r->networks = p.networks;
	x->feasible = p.feasible;
	x->eval_s = p.eval_s;
	x->ckpt_at = p.evaluations;
	return 0;
}

/* ---- -j N without a batch barrier (issue 19) ----
 * The proposals of the run stand in a window of w slots in proposal order (proposal s in
 * ring[s % w]). N worker threads take the first slot still to evaluate, so a slow evaluation
 * holds up no other thread; the caller proposes into the window as far as the strategy's
 * ahead rule, the budget and the window allow, and stores, records and reports the finished
 * slots at the window's head in proposal order. The strategy therefore sees the serial
 * sequence of proposals and reports, as with batches, and the front is the -j 1 one. */

enum { S_TODO = 0, S_BUSY, S_DONE };

struct slot {
	int kind;                       /* P_MEMO (done[at]), P_NEW, P_DUP (an earlier slot's
					 * point: in memo when this slot is reported) */
	int64_t at;
	int state;                      /* S_*, under the stream's lock */
	int need;                       /* P_NEW: 1 evaluated here, 0 found in the store */
	struct search_point pt;
	uint64_t index;
	struct search_eval e;
	double secs;
	int ret;
	struct hn_err err;
};

struct stream {
	struct run *x;
	struct slot *ring;
	int64_t w;
	int64_t head, tail, claim;      /* first unreported, next proposal, first not taken */
	int64_t pending_new;            /* P_NEW slots not yet recorded */
	struct search_map pending;      /* point index -> slot of a P_NEW not yet recorded */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int stop;
	struct search_evaluator **ev;
	int n_ev;
	struct hn_pool *hp;             /* worker w (1 .. n_ev) evaluates with ev[w - 1] */
	int started;
};

static struct slot *slot_at(struct stream *s, int64_t i)
{
	return &s->ring[i % s->w];
}

/* The first slot to evaluate, or -1; under the lock. Workers take slots in order, so the
 * slots before `claim` are all taken. */
static int64_t next_todo(struct stream *s)
{
	while (s->claim < s->tail) {
		struct slot *sl = slot_at(s, s->claim);
		if (sl->state == S_TODO)
			return s->claim;
		s->claim++;
	}
	return -1;
}

/* A pool job: worker `w` evaluates slots until the stream stops. */
static void stream_job(void *ctx, int i, int w)
{
	struct stream *s = ctx;
	struct search_evaluator *ev = s->ev[w - 1];

	(void)i;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		int64_t k;
		while (!s->stop && (k = next_todo(s)) < 0)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->stop)
			break;
		struct slot *sl = slot_at(s, k);
		sl->state = S_BUSY;
		s->claim = k + 1;
		pthread_mutex_unlock(&s->mu);
		/* the slot is ours until S_DONE: the caller reuses it only after reporting it */
		double t0 = now_s();
		sl->ret = search_evaluate(ev, &sl->pt, &sl->e, &sl->err);
		sl->secs = now_s() - t0;
		pthread_mutex_lock(&s->mu);
		sl->state = S_DONE;
		pthread_cond_signal(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
}

static void stream_release(struct stream *s)
{
	if (s->started) {
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_broadcast(&s->work);
		pthread_mutex_unlock(&s->mu);
		hn_pool_wait(s->hp);
	}
	hn_pool_free(s->hp);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	for (int i = 1; s->ev && i < s->n_ev; i++)
		search_evaluator_free(s->ev[i]);
	free(s->ev);
	free(s->ring);
	search_map_release(&s->pending);
}

static int stream_init(struct stream *s, struct run *x, struct search_evaluator *ev, int jobs,
		       struct hn_err *err)
{
	memset(s, 0, sizeof(*s));
	s->x = x;
	s->w = 32 * (int64_t)jobs;
	search_map_init(&s->pending);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	s->ring = calloc((size_t)s->w, sizeof(*s->ring));
	s->ev = calloc((size_t)jobs, sizeof(*s->ev));
	if (!s->ring || !s->ev)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	s->ev[0] = ev;
	for (s->n_ev = 1; s->n_ev < jobs; s->n_ev++) {
		int ret = search_evaluator_clone(ev, &s->ev[s->n_ev], err);
		if (ret < 0)
			return ret;
	}
	/* jobs threads besides the caller, who proposes and reports */
	s->hp = hn_pool_new(jobs + 1, map_thread_release);
	if (!s->hp || hn_pool_threads(s->hp) < jobs + 1)
		return hn_fail(err, HN_ENOMEM, "cannot start %d evaluation threads", jobs);
	hn_pool_start(s->hp, jobs, stream_job, s);
	s->started = 1;
	return 0;
}

/* Proposes into the window while the strategy, the budget and the window allow. */
static int stream_fill(struct stream *s, int64_t budget, int64_t max_prop, struct hn_err *err)
{
	struct run *x = s->x;
	struct search_run_result *r = x->r;
	uint64_t total = search_space_size(x->sp);

	while (s->tail - s->head < s->w && r->evaluations + s->pending_new < budget &&
	       (uint64_t)(r->evaluations + s->pending_new) < total && r->proposals < max_prop) {
		struct search_point pt;
		uint64_t idx, at;
		struct slot *sl;
		if (s->tail > s->head && !may_propose_ahead(x->ops, r->proposals))
			break;
		if (!propose(x, &pt))
			break; /* done, or waiting for reports */
		r->proposals++;
		idx = search_point_index(x->sp, &pt);
		sl = slot_at(s, s->tail);
		sl->pt = pt;
		sl->index = idx;
		sl->need = 0;
		sl->ret = 0;
		if (search_map_get(&x->memo, idx, &at)) {
			sl->kind = P_MEMO;
			sl->at = (int64_t)at;
		} else if (search_map_get(&s->pending, idx, &at) && (int64_t)at >= s->head) {
			sl->kind = P_DUP;
		} else {
			int found = 0;
			sl->kind = P_NEW;
			if (x->o->store) {
				found = store_lookup(x->o->store, idx, SEARCH_FID_MODEL, &sl->e, err);
				if (found < 0)
					return found;
			}
			if (!found) {
				memset(&sl->e, 0, sizeof(sl->e));
				sl->e.pt = pt;
				sl->e.index = idx;
			}
			sl->need = !found;
			sl->secs = 0;
			s->pending_new++;
			if (search_map_put(&s->pending, idx, (uint64_t)s->tail))
				return hn_fail(err, HN_ENOMEM, "out of memory");
		}
		pthread_mutex_lock(&s->mu);
		sl->state = sl->need ? S_TODO : S_DONE;
		s->tail++;
		if (sl->need)
			pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->mu);
	}
	return 0;
}

/* Waits for the head slot, then stores (one transaction), records and reports every finished
 * slot from the head on, in proposal order. */
static int stream_drain(struct stream *s, struct hn_err *err)
{
	struct run *x = s->x;
	struct search_run_result *r = x->r;
	struct store *st = x->o->store;
	int64_t end, seq = r->evaluations, puts = 0;
	int ret = 0;

	pthread_mutex_lock(&s->mu);
	while (slot_at(s, s->head)->state != S_DONE)
		pthread_cond_wait(&s->done, &s->mu);
	for (end = s->head; end < s->tail && slot_at(s, end)->state == S_DONE; end++)
		;
	pthread_mutex_unlock(&s->mu);
	for (int64_t i = s->head; i < end; i++) {
		struct slot *sl = slot_at(s, i);
		if (sl->kind != P_NEW)
			continue;
		if (sl->ret < 0) { /* the first error in proposal order; earlier slots go on */
			end = i;
			ret = sl->ret;
			*err = sl->err;
			break;
		}
		sl->e.seq = seq++;
		r->from_store += !sl->need;
		r->eval_seconds += sl->need ? sl->secs : 0.0;
		puts += sl->need;
	}
	if (st && puts > 0) {
		int r2 = puts > 1 ? store_tx_begin(st, err) : 0;
		for (int64_t i = s->head; i < end && r2 == 0; i++) {
			struct slot *sl = slot_at(s, i);
			if (sl->kind == P_NEW && sl->need)
				r2 = store_put(st, &sl->e, sl->secs, err);
		}
		if (puts > 1 && r2 == 0)
			r2 = store_tx_commit(st, err);
		if (r2 < 0)
			return r2;
	}
	for (; s->head < end; s->head++) {
		struct slot *sl = slot_at(s, s->head);
		const struct search_eval *e = &sl->e;
		uint64_t at;
		int r2;
		if (sl->kind == P_MEMO) {
			e = &x->done[sl->at];
		} else if (sl->kind == P_DUP) {
			if (!search_map_get(&x->memo, sl->index, &at))
				return hn_fail(err, HN_EINVAL, "a repeated point was never recorded");
			e = &x->done[at];
		} else {
			s->pending_new--;
			if ((r2 = record(x->sp, x->o, r, &x->nets, e, err)) < 0)
				return r2;
			if (keep_done(x, e) < 0)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			e = &x->done[x->n_done - 1];
		}
		x->ops->report(x->st, e);
	}
	return ret;
}

static int stream_run(struct run *x, struct search_evaluator *ev, int jobs, int64_t budget,
		      int64_t max_prop, struct hn_err *err)
{
	struct stream s;
	int ret = stream_init(&s, x, ev, jobs, err);

	while (ret == 0) {
		/* a stop signal is honoured between drains: the store holds exactly the
		 * evaluations reported; those in flight are dropped and done on resume */
		if (hn_stop_signal) {
			ret = HN_EINTR;
			break;
		}
		if ((ret = stream_fill(&s, budget, max_prop, err)) < 0 || s.head == s.tail)
			break;
		ret = stream_drain(&s, err);
	}
	stream_release(&s);
	return ret;
}

static void run_release(struct run *x)
{
	pool_release(&x->pool);
	search_map_release(&x->memo);
	search_map_release(&x->nets);
	free(x->done);
	free(x->props);
	free(x->batch);
	free(x->need);
	free(x->pts);
	free(x->out);
	free(x->secs);
	free(x->batch_secs);
	free(x->rets);
	free(x->errs);
	if (x->ops && x->st)
		x->ops->release(x->st);
}

static int run_loop(const struct search_space *sp, struct search_evaluator *ev,
		    const struct search_run_opts *o, struct search_run_result *r,
		    struct hn_err *err)
{
	struct run x;
	int64_t budget = o->exhaustive ? (int64_t)search_space_size(sp) : o->budget;
	int64_t max_prop = o->exhaustive ? budget : 20 * o->budget + 1000;
	int jobs = o->jobs > 1 ? o->jobs : 1, ret;
	size_t c;

	memset(&x, 0, sizeof(x));
	x.sp = sp;
	x.o = o;
	x.r = r;
	search_map_init(&x.memo);
	search_map_init(&x.nets);
	if (!o->exhaustive) {
		struct search_problem p;
		x.ops = search_strategy_find(o->strategy);
		if (!x.ops)
			return hn_fail(err, HN_EINVAL, "unknown strategy '%s'",
				       o->strategy ? o->strategy : "");
		memset(&p, 0, sizeof(p));
		p.n_dims = sp->n_dims;
		p.n_nn_dims = sp->n_nn_dims;
		for (int d = 0; d < sp->n_dims; d++)
			p.n_choices[d] = sp->dims[d].n;
		p.n_obj = sp->n_obj;
		p.form = sp->form;
		p.budget = budget;
		p.seed = o->seed;
		x.budget_networks = x.ops->budget_networks;
		if (x.budget_networks) {
			/* a network's accelerators are proposals too */
			uint64_t hw = search_space_hw_size(sp);
			max_prop *= (int64_t)(hw <= SEARCH_NESTED_HW_EXHAUSTIVE ? hw :
					      SEARCH_NESTED_HW_BUDGET);
		}
		if ((ret = x.ops->init(&x.st, &p, err)) < 0) {
			x.st = NULL;
			goto out;
		}
	}
	if (!o->eval_batch && !o->exhaustive && jobs > 1 && !x.budget_networks) {
		ret = stream_run(&x, ev, jobs, budget, max_prop, err);
		goto out_stopped;
	}
	/* -j 1 evaluates and commits one point at a time (the plain serial driver); exhaustive
	 * runs commit a thousand rows per transaction. */
	if (o->eval_batch)
		x.cap = o->batch_max > 0 ? o->batch_max : 1;
	else
		x.cap = o->exhaustive ? 1024 : jobs == 1 ? 1 : 4 * jobs;
	c = (size_t)x.cap;
	x.batch = calloc(c, sizeof(*x.batch));
	x.need = calloc(c, sizeof(*x.need));
	x.pts = calloc(c, sizeof(*x.pts));
	x.out = calloc(c, sizeof(*x.out));
	x.secs = calloc(c, sizeof(*x.secs));
	x.batch_secs = calloc(c, sizeof(*x.batch_secs));
	x.rets = calloc(c, sizeof(*x.rets));
	x.errs = calloc(c, sizeof(*x.errs));
	if (!x.batch || !x.need || !x.pts || !x.out || !x.secs || !x.batch_secs || !x.rets ||
	    !x.errs) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out;
	}
	if (!o->eval_batch && (ret = pool_init(&x.pool, ev, jobs, err)) < 0)
		goto out;
	if (o->exhaustive && o->store && (ret = load_progress(&x, err)) < 0)
		goto out;
	for (;;) {
		int nn = 0;
		/* A stop signal (hn_stop_signal) is honoured between batches, after a batch is both
		 * stored and reported, so the store holds exactly the evaluations reported (the
		 * log's lines); an evaluation a signal interrupts is dropped and done on resume. */
		if (hn_stop_signal) {
			ret = HN_EINTR;
			break;
		}
		if ((ret = collect(&x, budget, max_prop, &nn, err)) < 0)
			break;
		if (x.n_props == 0)
			break;
		if ((ret = evaluate(&x, nn, err)) < 0 || (ret = process(&x, nn, err)) < 0)
			break;
		if (x.progress && r->evaluations - x.ckpt_at >= x.ckpt_every &&
		    (ret = save_progress(&x, err)) < 0)
			break;
	}
	/* the end, or a stop between batches: everything evaluated is saved */
	if (x.progress && (ret == 0 || ret == HN_EINTR)) {
		struct hn_err e2 = { 0 };
		int r2 = save_progress(&x, &e2);
		if (r2 < 0) {
			*err = e2;
			ret = r2;
		}
	}
out_stopped:
	if (ret == HN_EINTR || (ret < 0 && hn_stop_signal))
		ret = hn_fail(err, HN_EINTR, "explore: stopped by %s after %lld evaluations",
			      hn_signal_name(hn_stop_signal), (long long)r->evaluations);
out:
	run_release(&x);
	return ret;
}

int search_run(const struct search_space *sp, struct search_evaluator *ev,
	       const struct search_run_opts *o, struct search_run_result *r, struct hn_err *err)
{
	double t0 = now_s();
	int ret;

	memset(r, 0, sizeof(*r));
	search_front_init(&r->front, sp->n_obj);
	ret = run_loop(sp, ev, o, r, err);
	search_front_sort(&r->front);
	r->hypervolume = search_front_hypervolume(&r->front);
	r->seconds = now_s() - t0;
	return ret;
}

void search_run_result_release(struct search_run_result *r)
{
	search_front_release(&r->front);
}
