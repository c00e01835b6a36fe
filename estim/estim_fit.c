/* estim_fit.c: the two learners of the predictors, written here (no library): weighted least
 * squares by the normal equations, and gradient-boosted regression trees on quantile bins. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"

int estim_lsq(const double *X, const double *y, const double *wt, int n, int nf, double ridge,
	      double *w, struct hn_err *err)
{
	double *A = calloc((size_t)nf * (size_t)nf, sizeof(double));
	double *b = calloc((size_t)nf, sizeof(double));
	double scale[64];
	int ret = 0;

	if (!A || !b) {
		ret = hn_fail(err, HN_ENOMEM, "least squares: out of memory");
		goto out_free;
	}
	if (nf > 64) {
		ret = hn_fail(err, HN_EINVAL, "least squares: %d features, at most 64", nf);
		goto out_free;
	}
	/* Columns scaled to unit weighted norm first: the features span 1 to 1e9 cycles, and the
	 * normal equations square the condition number. */
	for (int j = 0; j < nf; j++) {
		double s = 0;
		for (int i = 0; i < n; i++)
			s += (wt ? wt[i] : 1.0) * X[(size_t)i * nf + j] * X[(size_t)i * nf + j];
		scale[j] = s > 0 ? 1.0 / sqrt(s) : 1.0;
	}
	for (int i = 0; i < n; i++) {
		const double *x = &X[(size_t)i * nf];
		double wi = wt ? wt[i] : 1.0;
		for (int j = 0; j < nf; j++) {
			b[j] += wi * x[j] * scale[j] * y[i];
			for (int k = 0; k <= j; k++)
				A[j * nf + k] += wi * x[j] * scale[j] * x[k] * scale[k];
		}
	}
	for (int j = 0; j < nf; j++)
		A[j * nf + j] += ridge;
	/* Cholesky A = L L^T in place (lower triangle). */
	for (int j = 0; j < nf; j++) {
		double d = A[j * nf + j];
		for (int k = 0; k < j; k++)
			d -= A[j * nf + k] * A[j * nf + k];
		if (!(d > 1e-12)) {
			ret = hn_fail(err, HN_EINVAL, "least squares: singular system (feature %d is "
				      "a combination of the others, or %d samples are too few)", j, n);
			goto out_free;
		}
		A[j * nf + j] = sqrt(d);
		for (int i = j + 1; i < nf; i++) {
			double s = A[i * nf + j];
			for (int k = 0; k < j; k++)
				s -= A[i * nf + k] * A[j * nf + k];
			A[i * nf + j] = s / A[j * nf + j];
		}
	}
	for (int i = 0; i < nf; i++) {          /* L z = b */
		double s = b[i];
		for (int k = 0; k < i; k++)
			s -= A[i * nf + k] * b[k];
		b[i] = s / A[i * nf + i];
	}
	for (int i = nf - 1; i >= 0; i--) {     /* L^T w = z */
		double s = b[i];
		for (int k = i + 1; k < nf; k++)
			s -= A[k * nf + i] * b[k];
		b[i] = s / A[i * nf + i];
	}
	for (int j = 0; j < nf; j++)
		w[j] = b[j] * scale[j];
out_free:
	free(A);
	free(b);
	return ret;
}

void estim_gbt_params_default(struct estim_gbt_params *p)
{
	p->trees = 300;
	p->depth = 4;
	p->min_leaf = 3;
	p->lr = 0.1;
	p->subsample = 0.8;
	p->seed = 1;
}

void estim_gbt_release(struct estim_gbt *g)
{
	free(g->node);
	g->node = NULL;
}

double estim_gbt_predict(const struct estim_gbt *g, const double *x)
{
	double s = 0;

	for (int t = 0; t < g->trees; t++) {
		const struct estim_gbt_node *tr = &g->node[(size_t)t * ESTIM_GBT_NODES(g->depth)];
		int i = 0;
		while (tr[i].feature >= 0)
			i = x[tr[i].feature] <= tr[i].threshold ? 2 * i + 1 : 2 * i + 2;
		s += tr[i].value;
	}
	return g->base + g->lr * s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile bin edges of every feature: edge[f][b] is the largest value of bin b; a value goes
 * to the first bin whose edge is >= it. Distinct values only, so a constant feature has one
 * bin and no split. */
struct bins {
	int nb[ESTIM_GBT_NF > 32 ? ESTIM_GBT_NF : 32];
	double edge[ESTIM_GBT_NF > 32 ? ESTIM_GBT_NF : 32][ESTIM_GBT_BINS];
};

static void make_bins(const double *X, int n, int nf, double *tmp, struct bins *b)
{
	for (int f = 0; f < nf; f++) {
		int u = 0;
		for (int i = 0; i < n; i++)
			tmp[i] = X[(size_t)i * nf + f];
		qsort(tmp, (size_t)n, sizeof(double), cmp_double);
		for (int i = 0; i < n; i++)                 /* distinct values */
			if (!u || tmp[i] != tmp[u - 1])
				tmp[u++] = tmp[i];
		b->nb[f] = 0;
		for (int k = 1; k <= ESTIM_GBT_BINS && k <= u; k++) {
			double e = tmp[(int)((int64_t)k * u / (u < ESTIM_GBT_BINS ? u : ESTIM_GBT_BINS)) - 1];
			if (!b->nb[f] || e != b->edge[f][b->nb[f] - 1])
				b->edge[f][b->nb[f]++] = e;
		}
	}
}

static uint8_t bin_of(const struct bins *b, int f, double v)
{
	int lo = 0, hi = b->nb[f] - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (b->edge[f][mid] >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

/* Grows one tree on rows idx[0..n) of residuals r (heap node `node`, depth d left). */
static void grow_node(struct estim_gbt_node *tr, int node, int d, int *idx, int n,
		      const uint8_t *Xb, int nf, const double *r, const struct bins *b,
		      const struct estim_gbt_params *p, int *tmp)
{
	double sum = 0;
	int best_f = -1, best_b = -1;
	double best_gain = 1e-12;

	for (int i = 0; i < n; i++)
		sum += r[idx[i]];
	tr[node].feature = -1;
	tr[node].value = n ? sum / n : 0.0;
	if (d == 0 || n < 2 * p->min_leaf)
		return;
	for (int f = 0; f < nf; f++) {
		double hs[ESTIM_GBT_BINS] = { 0 };
		int hc[ESTIM_GBT_BINS] = { 0 };
		double ls = 0;
		int lc = 0;

		if (b->nb[f] < 2)
			continue;
		for (int i = 0; i < n; i++) {
			uint8_t v = Xb[(size_t)idx[i] * nf + f];
			hs[v] += r[idx[i]];
			hc[v]++;
		}
		for (int k = 0; k + 1 < b->nb[f]; k++) {
			ls += hs[k];
			lc += hc[k];
			if (lc < p->min_leaf || n - lc < p->min_leaf)
				continue;
			/* the squared-error reduction of splitting the mean into two */
			double rs = sum - ls;
			double gain = ls * ls / lc + rs * rs / (n - lc) - sum * sum / n;
			if (gain > best_gain) {
				best_gain = gain;
				best_f = f;
				best_b = k;
			}
		}
	}
	if (best_f < 0)
		return;
	int nl = 0, nr = 0;
	for (int i = 0; i < n; i++)
		if (Xb[(size_t)idx[i] * nf + best_f] <= best_b)
			idx[nl++] = idx[i];
		else
			tmp[nr++] = idx[i];
	memcpy(idx + nl, tmp, (size_t)nr * sizeof(int));
	tr[node].feature = best_f;
	tr[node].threshold = b->edge[best_f][best_b];
	grow_node(tr, 2 * node + 1, d - 1, idx, nl, Xb, nf, r, b, p, tmp);
	grow_node(tr, 2 * node + 2, d - 1, idx + nl, nr, Xb, nf, r, b, p, tmp);
}

int estim_gbt_fit(const double *X, const double *y, int n, int nf,
		  const struct estim_gbt_params *p, struct estim_gbt *out, struct hn_err *err)
{
	struct bins *b = NULL;
	uint8_t *Xb = NULL;
	double *r = NULL, *pred = NULL, *tmpd = NULL;
	int *idx = NULL, *tmpi = NULL;
	uint64_t rng = p->seed;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (n < 2 * p->min_leaf || n < 2)
		return hn_fail(err, HN_EINVAL, "gradient-boosted trees: %d samples, at least %d "
			       "needed", n, 2 * p->min_leaf > 2 ? 2 * p->min_leaf : 2);
	if (nf > 32 || p->depth < 1 || p->depth > ESTIM_GBT_MAX_DEPTH || p->trees < 1 ||
	    p->trees > ESTIM_GBT_MAX_TREES || !(p->subsample > 0 && p->subsample <= 1) ||
	    !(p->lr > 0))
		return hn_fail(err, HN_EINVAL, "gradient-boosted trees: invalid parameters (at "
			       "most 32 features, depth 1..%d, subsample in (0, 1], lr > 0)",
			       ESTIM_GBT_MAX_DEPTH);
	b = calloc(1, sizeof(*b));
	Xb = malloc((size_t)n * (size_t)nf);
	r = malloc((size_t)n * sizeof(double));
	pred = malloc((size_t)n * sizeof(double));
	tmpd = malloc((size_t)n * sizeof(double));
	idx = malloc((size_t)n * sizeof(int));
	tmpi = malloc((size_t)n * sizeof(int));
	out->node = calloc((size_t)p->trees * ESTIM_GBT_NODES(p->depth), sizeof(*out->node));
	if (!b || !Xb || !r || !pred || !tmpd || !idx || !tmpi || !out->node) {
		ret = hn_fail(err, HN_ENOMEM, "gradient-boosted trees: out of memory");
		goto out_free;
	}
	out->nf = nf;
	out->trees = p->trees;
	out->depth = p->depth;
	out->lr = p->lr;
	make_bins(X, n, nf, tmpd, b);
	for (int i = 0; i < n; i++)
		for (int f = 0; f < nf; f++)
			Xb[(size_t)i * nf + f] = bin_of(b, f, X[(size_t)i * nf + f]);
	out->base = 0;
	for (int i = 0; i < n; i++)
		out->base += y[i];
	out->base /= n;
	for (int i = 0; i < n; i++)
		pred[i] = out->base;
	for (int t = 0; t < p->trees; t++) {
		struct estim_gbt_node *tr = &out->node[(size_t)t * ESTIM_GBT_NODES(p->depth)];
		int m = 0;

		for (int i = 0; i < n; i++) {
			r[i] = y[i] - pred[i];
			/* a seeded subsample of the rows (stochastic gradient boosting) */
			if (p->subsample >= 1 ||
			    (double)(estim_rand(&rng) >> 11) * 0x1p-53 < p->subsample)
				idx[m++] = i;
		}
		for (int i = 0; i < ESTIM_GBT_NODES(p->depth); i++)
			tr[i].feature = -1;
		grow_node(tr, 0, p->depth, idx, m, Xb, nf, r, b, p, tmpi);
		for (int i = 0; i < n; i++) {
			int k = 0;
			while (tr[k].feature >= 0)
				k = X[(size_t)i * nf + tr[k].feature] <= tr[k].threshold ?
					2 * k + 1 : 2 * k + 2;
			pred[i] += p->lr * tr[k].value;
		}
	}
out_free:
	if (ret)
		estim_gbt_release(out);
	free(b);
	free(Xb);
	free(r);
	free(pred);
	free(tmpd);
	free(idx);
	free(tmpi);
	return ret;
}
