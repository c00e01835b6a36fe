/* search_pareto.c: non-dominated fronts and their exact hypervolume (docs/search.md
 * "Hypervolume"). Objectives are normalised to minimise with the reference point at 1, ..., 1. */
#include "search.h"

#include <stdlib.h>
#include <string.h>

int search_dominates(const double *a, const double *b, int n)
{
	int strict = 0;

	for (int i = 0; i < n; i++) {
		if (a[i] > b[i])
			return 0;
		if (a[i] < b[i])
			strict = 1;
	}
	return strict;
}

static int weakly_dominates(const double *a, const double *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] > b[i])
			return 0;
	return 1;
}

void search_front_init(struct search_front *f, int n_obj)
{
	f->n = f->cap = 0;
	f->n_obj = n_obj;
	f->p = NULL;
}

void search_front_release(struct search_front *f)
{
	free(f->p);
	search_front_init(f, f->n_obj);
}

int search_front_add(struct search_front *f, const struct search_eval *e)
{
	int d = f->n_obj, w = 0;

	if (!e->feasible)
		return 0;
	for (int i = 0; i < f->n; i++)
		if (weakly_dominates(f->p[i].obj, e->obj, d))
			return 0;
	for (int i = 0; i < f->n; i++)
		if (!search_dominates(e->obj, f->p[i].obj, d))
			f->p[w++] = f->p[i];
	f->n = w;
	if (hn_grow(&f->p, f->n, &f->cap, sizeof(*f->p), 64))
		return HN_ENOMEM;
	f->p[f->n++] = *e;
	return 1;
}

static int cmp_eval(const void *a, const void *b, void *ctx)
{
	const struct search_eval *x = a, *y = b;
	int dims = *(const int *)ctx;

	for (int i = 0; i < dims; i++)
		if (x->obj[i] != y->obj[i])
			return x->obj[i] < y->obj[i] ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void search_front_sort(struct search_front *f)
{
	if (f->n > 1)
		qsort_r(f->p, (size_t)f->n, sizeof(*f->p), cmp_eval, &f->n_obj);
}

/* Sort key for the sweeps: a pointer to a point and the coordinate to order by. */
struct hv_item {
	const double *x;
	double key;
};

static int cmp_item(const void *a, const void *b)
{
	const struct hv_item *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* 2-D: sweep along objective 0, keeping the best objective 1 so far. items sorted by x[0]. */
static double hv2(struct hv_item *it, int n)
{
	double hv = 0.0, best = 1.0;

	for (int i = 0; i < n; i++) {
		double next = i + 1 < n ? it[i + 1].x[0] : 1.0;
		if (it[i].x[1] < best)
			best = it[i].x[1];
		hv += (next - it[i].x[0]) * (1.0 - best);
	}
	return hv;
}

/* d >= 3: slice along the last objective; each slab's area is the (d-1)-volume of the
 * points below it (HSO). */
static double hv_rec(const double **pts, int n, int d, struct hv_item *buf)
{
	if (n == 0)
		return 0.0;
	if (d == 1) {
		double m = 1.0;
		for (int i = 0; i < n; i++)
			if (pts[i][0] < m)
				m = pts[i][0];
		return 1.0 - m;
	}
	if (d == 2) {
		for (int i = 0; i < n; i++)
			buf[i] = (struct hv_item){ pts[i], pts[i][0] };
		qsort(buf, (size_t)n, sizeof(*buf), cmp_item);
		return hv2(buf, n);
	}
	struct hv_item *order = malloc((size_t)n * sizeof(*order));
	const double **sub = malloc((size_t)n * sizeof(*sub));
	double hv = 0.0;
	if (!order || !sub) {
		free(order);
		free(sub);
		return -1.0;
	}
	for (int i = 0; i < n; i++)
		order[i] = (struct hv_item){ pts[i], pts[i][d - 1] };
	qsort(order, (size_t)n, sizeof(*order), cmp_item);
	for (int i = 0; i < n; i++) {
		double next = i + 1 < n ? order[i + 1].key : 1.0;
		sub[i] = order[i].x;
		if (next <= order[i].key)
			continue;
		double a = hv_rec(sub, i + 1, d - 1, buf);
		if (a < 0) {
			hv = -1.0;
			break;
		}
		hv += (next - order[i].key) * a;
	}
	free(order);
	free(sub);
	return hv;
}

double search_hypervolume(const double *pts, int n, int d)
{
	const double **in = malloc((size_t)(n ? n : 1) * sizeof(*in));
	struct hv_item *buf = malloc((size_t)(n ? n : 1) * sizeof(*buf));
	int m = 0;
	double hv;

	if (!in || !buf) {
		free(in);
		free(buf);
		return -1.0;
	}
	for (int i = 0; i < n; i++) {
		int inside = 1;
		for (int j = 0; j < d; j++)
			inside &= pts[(size_t)i * d + j] < 1.0;
		if (inside)
			in[m++] = &pts[(size_t)i * d];
	}
	hv = hv_rec(in, m, d, buf);
	free(in);
	free(buf);
	return hv;
}

double search_front_hypervolume(const struct search_front *f)
{
	int d = f->n_obj;
	double *pts = malloc((size_t)(f->n ? f->n : 1) * (size_t)d * sizeof(*pts));
	double hv;

	if (!pts)
		return -1.0;
	for (int i = 0; i < f->n; i++)
		memcpy(&pts[(size_t)i * d], f->p[i].obj, (size_t)d * sizeof(double));
	hv = search_hypervolume(pts, f->n, d);
	free(pts);
	return hv;
}

int search_front_outside(const struct search_front *f, int *excluded)
{
	int outside = 0;

	for (int j = 0; j < f->n_obj; j++)
		excluded[j] = 0;
	for (int i = 0; i < f->n; i++) {
		int out = 0;
		for (int j = 0; j < f->n_obj; j++)
			if (!(f->p[i].obj[j] < 1.0)) {
				excluded[j]++;
				out = 1;
			}
		outside += out;
	}
	return outside;
}
