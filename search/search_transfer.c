/* search_transfer.c: how much a network chosen for one target loses on another (the survey's
 * transferability challenge; docs/search.md "Transfer loss").
 *
 * Per target t, every network is priced on every config of t alone (search_evaluate_target:
 * the network's front over t's configs in (accuracy, metric), accuracy after t's
 * quantisation), so the work is networks x the sum of the targets' config counts, not their
 * product. Target t's front is the 2-D front of all those points. The networks on A's front
 * are what a search for A keeps; each is then taken to B at its best config there (lowest
 * metric, ties to the higher accuracy) and compared with the best metric any network reaches
 * on B at the same or better accuracy. */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One (accuracy, metric) point of a network on a target. */
struct tpoint {
	double acc, m;
	uint64_t nn;
};

struct tdata {
	struct tpoint *pts;             /* every network's own front on this target */
	int64_t n, cap;
	struct tpoint *front;           /* the target's front, accuracy descending */
	int64_t n_front;
	double *best_m, *best_acc;      /* per network: its lowest metric (NaN: none) */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* accuracy descending, then metric ascending */
static int cmp_tpoint(const void *a, const void *b)
{
	const struct tpoint *x = a, *y = b;

	if (x->acc != y->acc)
		return x->acc < y->acc ? 1 : -1;
	if (x->m != y->m)
		return x->m < y->m ? -1 : 1;
	return x->nn < y->nn ? -1 : x->nn > y->nn;
}

/* The 2-D front (max accuracy, min metric) of p[0 .. n), sorted in place, into out (may be
 * p itself): accuracy descending, metric strictly descending. Returns its size. */
static int64_t front2(struct tpoint *p, int64_t n, struct tpoint *out)
{
	double best = INFINITY;
	int64_t k = 0;

	qsort(p, (size_t)n, sizeof(*p), cmp_tpoint);
	for (int64_t i = 0; i < n; i++)
		if (p[i].m < best) {
			best = p[i].m;
			out[k++] = p[i];
		}
	return k;
}

/* The number of configs of target t and the point of network nn, config c of t. */
static uint64_t target_configs(const struct search_space *sp, int t)
{
	uint64_t n = 1;

	for (int d = sp->n_nn_dims; d < sp->n_dims; d++)
		if (sp->dims[d].stage == t)
			n *= (uint64_t)sp->dims[d].n;
	return n;
}

static void make_point(const struct search_space *sp, int t, uint64_t nn, uint64_t c,
		       struct search_point *pt)
{
	memset(pt, 0, sizeof(*pt));
	for (int d = 0; d < sp->n_nn_dims; d++) {
		pt->c[d] = (uint8_t)(nn % (uint64_t)sp->dims[d].n);
		nn /= (uint64_t)sp->dims[d].n;
	}
	for (int d = sp->n_nn_dims; d < sp->n_dims; d++)
		if (sp->dims[d].stage == t) {
			pt->c[d] = (uint8_t)(c % (uint64_t)sp->dims[d].n);
			c /= (uint64_t)sp->dims[d].n;
		}
}

/* Prices every network on every config of target t into *td. */
static int price_target(const struct search_space *sp, struct search_evaluator *ev, int t,
			int metric, uint64_t n_nn, struct tdata *td, int64_t *evals,
			struct hn_err *err)
{
	uint64_t n_c = target_configs(sp, t);
	struct tpoint *own = malloc((size_t)n_c * sizeof(*own));
	int ret = 0;

	td->best_m = malloc((size_t)n_nn * sizeof(double));
	td->best_acc = malloc((size_t)n_nn * sizeof(double));
	if (!own || !td->best_m || !td->best_acc) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	for (uint64_t nn = 0; nn < n_nn && ret == 0; nn++) {
		int64_t k = 0;
		for (uint64_t c = 0; c < n_c; c++) {
			struct search_point pt;
			struct search_eval e;
			make_point(sp, t, nn, c, &pt);
			if ((ret = search_evaluate_target(ev, t, &pt, &e, err)) < 0)
				break;
			(*evals)++;
			if (e.feasible)
				own[k++] = (struct tpoint){ e.m[SEARCH_M_ACCURACY], e.m[metric], nn };
		}
		if (ret < 0)
			break;
		k = front2(own, k, own);
		/* the network's lowest metric is the last of its front (metric descending) */
		td->best_m[nn] = k ? own[k - 1].m : NAN;
		td->best_acc[nn] = k ? own[k - 1].acc : NAN;
		while (ret == 0 && td->n + k > td->cap) /* hn_grow doubles once per call */
			if (hn_grow(&td->pts, td->cap, &td->cap, sizeof(*td->pts), 1024))
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
		if (ret < 0)
			break;
		memcpy(td->pts + td->n, own, (size_t)k * sizeof(*own));
		td->n += k;
	}
	if (ret == 0) {
		td->front = malloc((size_t)(td->n ? td->n : 1) * sizeof(*td->front));
		if (!td->front)
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
		else
			td->n_front = front2(td->pts, td->n, td->front);
	}
out_free:
	free(own);
	return ret;
}

/* The lowest metric on the front at accuracy >= acc (the front is accuracy descending,
 * metric descending: the last point that still has the accuracy). */
static double best_at(const struct tdata *td, double acc)
{
	double best = NAN;

	for (int64_t i = 0; i < td->n_front && td->front[i].acc >= acc; i++)
		best = td->front[i].m;
	return best;
}

/* Hypervolume of (accuracy, metric) points normalised by (acc_ref, ref), ideal (100, 0). */
static double hv_of(const struct tpoint *p, int64_t n, double acc_ref, double ref)
{
	double *x = malloc((size_t)(n ? n : 1) * 2 * sizeof(*x)), hv;

	if (!x)
		return -1.0;
	for (int64_t i = 0; i < n; i++) {
		x[2 * i] = (p[i].acc - 100.0) / (acc_ref - 100.0);
		x[2 * i + 1] = p[i].m / ref;
	}
	hv = search_hypervolume(x, (int)n, 2);
	free(x);
	return hv;
}

/* The metric's reference on target t: an objective on it at t, else one over every target,
 * else 1.1 x the worst metric of t's front. */
static double metric_ref(const struct search_space *sp, int metric, int t, const struct tdata *td)
{
	double worst = 0.0;

	for (int i = 0; i < sp->n_obj; i++)
		if (sp->obj[i].metric == metric && sp->obj[i].at == 1 + t)
			return sp->obj[i].ref;
	for (int i = 0; i < sp->n_obj; i++)
		if (sp->obj[i].metric == metric && sp->obj[i].at <= 0)
			return sp->obj[i].ref;
	for (int64_t i = 0; i < td->n_front; i++)
		worst = fmax(worst, td->front[i].m);
	return worst > 0 ? 1.1 * worst : 1.0;
}

int search_transfer_run(const struct search_space *sp, struct search_evaluator *ev, int metric,
			struct search_transfer *out, struct hn_err *err)
{
	struct tdata td[SEARCH_MAX_TARGETS];
	uint64_t n_nn = search_space_nn_size(sp);
	double t0 = now_s();
	int ret = 0, T = sp->n_targets;
	int64_t cap_rows = 0;
	char *picked = NULL;

	memset(out, 0, sizeof(*out));
	memset(td, 0, sizeof(td));
	if (T < 2)
		return hn_fail(err, HN_EINVAL, "%s: the transfer report needs a space with 'targets' "
			       "(two or more)", sp->origin);
	if (metric < 0 || metric >= SEARCH_M_COUNT || metric == SEARCH_M_ACCURACY)
		return hn_fail(err, HN_EINVAL, "%s: the transfer report compares a minimised metric "
			       "(latency_ms, energy_mj, edp, dsp, ...), not '%s'", sp->origin,
			       search_metric_name(metric));
	if (n_nn > 100000000)
		return hn_fail(err, HN_EINVAL, "%s: %llu networks: too many for an exhaustive transfer "
			       "report", sp->origin, (unsigned long long)n_nn);
	out->metric = metric;
	out->n_targets = T;
	out->networks = (int64_t)n_nn;
	out->acc_ref = 0.0;
	for (int i = 0; i < sp->n_obj; i++)
		if (sp->obj[i].metric == SEARCH_M_ACCURACY)
			out->acc_ref = sp->obj[i].ref;
	if (!(picked = malloc((size_t)n_nn))) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	for (int t = 0; t < T; t++) {
		if ((ret = price_target(sp, ev, t, metric, n_nn, &td[t], &out->evaluations, err)) < 0)
			goto out_free;
		out->front_size[t] = (int)td[t].n_front;
		out->ref[t] = metric_ref(sp, metric, t, &td[t]);
	}
	for (int a = 0; a < T; a++) {
		for (int b = 0; b < T; b++) {
			struct search_transfer_pair *pr;
			struct tpoint *mine;
			int64_t n_mine = 0;
			double sum = 0.0;
			int n_loss = 0;
			if (a == b)
				continue;
			pr = &out->pairs[out->n_pairs++];
			memset(pr, 0, sizeof(*pr));
			pr->from = a;
			pr->to = b;
			pr->worst = -1;
			memset(picked, 0, (size_t)n_nn);
			for (int64_t i = 0; i < td[a].n_front; i++) {
				const struct tpoint *p = &td[a].front[i];
				struct search_transfer_row *r;
				if (picked[p->nn]) /* a network twice on A's front: its first point */
					continue;
				picked[p->nn] = 1;
				pr->picked++;
				if (hn_grow(&out->rows, out->n_rows, &cap_rows, sizeof(*out->rows), 64)) {
					ret = hn_fail(err, HN_ENOMEM, "out of memory");
					goto out_free;
				}
				r = &out->rows[out->n_rows];
				r->from = a;
				r->to = b;
				r->nn = p->nn;
				r->acc_a = p->acc;
				r->m_a = p->m;
				r->m_b = td[b].best_m[p->nn];
				r->acc_b = td[b].best_acc[p->nn];
				r->best_b = isnan(r->m_b) ? NAN : best_at(&td[b], r->acc_b);
				r->loss_pct = isnan(r->m_b) ? NAN : (r->m_b / r->best_b - 1.0) * 100.0;
				if (isnan(r->loss_pct)) {
					pr->infeasible++;
				} else {
					sum += r->loss_pct;
					n_loss++;
					if (pr->worst < 0 ||
					    r->loss_pct > out->rows[pr->worst].loss_pct)
						pr->worst = out->n_rows;
				}
				out->n_rows++;
			}
			pr->mean_loss_pct = n_loss ? sum / n_loss : NAN;
			pr->max_loss_pct = pr->worst >= 0 ? out->rows[pr->worst].loss_pct : NAN;
			/* B's front from A's picks alone, against B's own */
			mine = malloc((size_t)(td[b].n ? td[b].n : 1) * sizeof(*mine));
			if (!mine) {
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				goto out_free;
			}
			for (int64_t i = 0; i < td[b].n; i++)
				if (picked[td[b].pts[i].nn])
					mine[n_mine++] = td[b].pts[i];
			pr->hv_own = hv_of(td[b].front, td[b].n_front, out->acc_ref, out->ref[b]);
			pr->hv_picked = hv_of(mine, n_mine, out->acc_ref, out->ref[b]);
			free(mine);
		}
	}
	/* do the targets rank the networks alike? Kendall tau-b of their best metric */
	for (int a = 0; a < T; a++)
		for (int b = a + 1; b < T; b++) {
			double *x = malloc((size_t)n_nn * sizeof(*x)), *y = malloc((size_t)n_nn * sizeof(*y));
			int n = 0;
			if (!x || !y) {
				free(x);
				free(y);
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				goto out_free;
			}
			for (uint64_t nn = 0; nn < n_nn; nn++)
				if (!isnan(td[a].best_m[nn]) && !isnan(td[b].best_m[nn])) {
					x[n] = td[a].best_m[nn];
					y[n++] = td[b].best_m[nn];
				}
			out->kendall_tau[a][b] = out->kendall_tau[b][a] =
				n > 1 ? cost_kendall_tau_b(x, y, n) : NAN;
			free(x);
			free(y);
		}
	out->seconds = now_s() - t0;
out_free:
	for (int t = 0; t < T; t++) {
		free(td[t].pts);
		free(td[t].front);
		free(td[t].best_m);
		free(td[t].best_acc);
	}
	free(picked);
	if (ret < 0)
		search_transfer_release(out);
	return ret;
}

void search_transfer_release(struct search_transfer *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n_rows = 0;
}
