/* estim_compare.c: the survey's fidelity-versus-cost table, measured: every estimator on the
 * same test pairs against the truth (the RTL, or the model), with its cost per evaluation.
 * One set of measurements serves all: the training pairs' layers fill the table and train
 * the predictors, the test pairs' layers give the truth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"

void estim_compare_opts_init(struct estim_compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	estim_ctx_init(&o->cx);
	o->train_frac = 0.5;
	o->seed = 1;
	estim_gbt_params_default(&o->gbt);
	o->min_time_s = 0.2;
}

void estim_errors(const double *est, const double *truth, int n, double *mape, double *max_err)
{
	double s = 0, mx = 0;

	for (int i = 0; i < n; i++) {
		double e = truth[i] != 0 ? 100.0 * fabs(est[i] - truth[i]) / fabs(truth[i]) : 0.0;
		s += e;
		if (e > mx)
			mx = e;
	}
	*mape = n ? s / n : 0.0;
	*max_err = mx;
}

void estim_compare_release(struct estim_compare *c)
{
	free(c->test);
	free(c->truth);
	for (int k = 0; k < ESTIM_KIND_COUNT; k++)
		free(c->est[k]);
	estim_lut_release(&c->lut);
	for (int k = 0; k < ESTIM_PRED_COUNT; k++)
		estim_pred_release(&c->pred[k]);
	memset(c, 0, sizeof(*c));
}

/* A distinct (layer, config) and its measurement. */
struct rec {
	struct estim_key key;
	int layer_net, layer_i, hw;     /* where it was first met */
	int train;                      /* met in a training pair */
	struct estim_meas m;
};

struct recs {
	struct rec *r;
	int64_t n, cap;
	int *slot;                      /* open addressing: rec index + 1, 0 empty */
	int64_t nslot;
};

static uint64_t key_hash(const struct estim_key *k)
{
	return hn_fnv1a(HN_FNV_START, k, sizeof(*k));
}

/* The index of key's record, or -1 with *slot_out the free slot. */
static int64_t recs_find(const struct recs *rs, const struct estim_key *k, int64_t *slot_out)
{
	int64_t i = (int64_t)(key_hash(k) & (uint64_t)(rs->nslot - 1));

	while (rs->slot[i]) {
		if (!memcmp(&rs->r[rs->slot[i] - 1].key, k, sizeof(*k)))
			return rs->slot[i] - 1;
		i = (i + 1) & (rs->nslot - 1);
	}
	*slot_out = i;
	return -1;
}

/* Measures every distinct layer of the pairs in order (idx), marking training ones. */
static int measure_all(const struct arch_net *nets, const struct hw_config *hws,
		       const struct estim_pair *pairs, const int *order, int n_pairs, int n_train,
		       const struct estim_compare_opts *o, struct recs *rs, struct estim_compare *out,
		       struct hn_err *err)
{
	int64_t total = 0;
	int ret;

	for (int q = 0; q < n_pairs; q++)
		total += nets[pairs[order[q]].net].n_layers;
	rs->nslot = 64;
	while (rs->nslot < 2 * total)
		rs->nslot *= 2;
	if (!(rs->slot = calloc((size_t)rs->nslot, sizeof(int))))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	for (int q = 0; q < n_pairs; q++) {
		const struct estim_pair *p = &pairs[order[q]];
		const struct arch_net *net = &nets[p->net];
		const struct hw_config *hw = &hws[p->hw];

		for (int i = 0; i < net->n_layers; i++) {
			struct estim_key key;
			int64_t slot, j;

			estim_key_of(&net->layers[i], hw, &key);
			if ((j = recs_find(rs, &key, &slot)) >= 0) {
				if (q < n_train)
					rs->r[j].train = 1;
				continue;
			}
			if (hn_grow(&rs->r, rs->n, &rs->cap, sizeof(*rs->r), 64))
				return hn_fail(err, HN_ENOMEM, "out of memory");
			struct rec *r = &rs->r[rs->n];
			memset(r, 0, sizeof(*r));
			r->key = key;
			r->layer_net = p->net;
			r->layer_i = i;
			r->hw = p->hw;
			r->train = q < n_train;
			if (o->on_measure)
				o->on_measure(o->ctx, rs->n, -1, net->layers[i].name);
			ret = estim_measure_layer(&net->layers[i], hw, &o->cx, &r->m, err);
			if (ret < 0)
				return ret;
			out->measure_s += r->m.seconds + r->m.build_s;
			out->rtl_layers += r->m.measured;
			if (o->cx.source == ESTIM_SRC_RTL && !r->m.measured && r->m.fits &&
			    arch_gemm(&net->layers[i]).g > 0)
				out->model_layers_big++;
			rs->slot[slot] = (int)++rs->n;
		}
	}
	out->layers_measured = rs->n;
	return 0;
}

/* The truth of a pair from the records: its layers' cycles summed; 0 when infeasible.
 * *seconds: the measurement wall time of its distinct layers (what measuring it alone
 * would cost, builds aside). */
static int64_t pair_truth(const struct recs *rs, const struct arch_net *net,
			  const struct hw_config *hw, double *seconds)
{
	int64_t cyc = 0;
	int64_t *seen = malloc(sizeof(int64_t) * (size_t)(net->n_layers ? net->n_layers : 1));
	int ns = 0, ok = 1;

	*seconds = 0;
	for (int i = 0; i < net->n_layers; i++) {
		struct estim_key key;
		int64_t slot, j;

		estim_key_of(&net->layers[i], hw, &key);
		j = recs_find(rs, &key, &slot);
		if (j < 0 || !rs->r[j].m.fits)
			ok = 0;
		if (j < 0)
			continue;
		cyc += rs->r[j].m.cycles;
		int dup = 0;
		for (int s = 0; s < ns && seen; s++)
			dup |= seen[s] == j;
		if (!dup) {
			*seconds += rs->r[j].m.seconds;
			if (seen)
				seen[ns++] = j;
		}
	}
	free(seen);
	return ok ? cyc : 0;
}

/* Prices every test pair with u, in passes until min_time_s has passed, into out->est[kind]
 * and the row's time per evaluation. Cold (warm = 0): each pass starts a new mapping cache,
 * so the model maps every layer again: the cost of a pair not seen before. Warm: one cache
 * over a first, untimed pass and the timed ones: the cost once the shapes are mapped, as in
 * a search. Counts the table's lookups and misses on the first cold pass. */
static int time_passes(struct estim_using *u, const struct arch_net *nets,
		       const struct hw_config *hws, const struct estim_compare_opts *o, int warm,
		       struct estim_compare *out, struct estim_row *row, struct hn_err *err)
{
	struct estim_ctx cx = o->cx;
	struct map_cache *mc = NULL;
	int k = u->kind, passes = 0, ret = 0;
	double t0 = 0, el = 0;

	u->cx = &cx;
	for (int pass = warm ? -1 : 0;; pass++) {
		if (pass == 0)
			t0 = estim_now_s();
		if (!mc || !warm) {
			if (mc)
				map_cache_free(mc);
			if (!(cx.cache = mc = map_cache_new())) {
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				break;
			}
		}
		for (int i = 0; i < out->n_test && ret == 0; i++) {
			struct estim_net_cost nc;
			const struct estim_pair *p = &out->test[i];
			ret = estim_net(u, &nets[p->net], &hws[p->hw], &nc, err);
			out->est[k][i] = (double)nc.cycles;
			if (!warm && pass == 0 && k == ESTIM_LUT) {
				row->misses += nc.lut_misses;
				row->lookups += nc.layers;
			}
		}
		if (ret < 0)
			break;
		if (pass < 0)
			continue;
		passes++;
		el = estim_now_s() - t0;
		if (el >= o->min_time_s || passes >= 100000)
			break;
	}
	if (mc)
		map_cache_free(mc);
	u->cx = &o->cx;
	if (ret == 0)
		*(warm ? &row->us_warm : &row->us_per_eval) = 1e6 * el / ((double)passes * out->n_test);
	return ret;
}

int estim_compare_run(const struct arch_net *nets, const struct hw_config *hws,
		      const struct estim_pair *pairs, int n_pairs,
		      const struct estim_compare_opts *o, struct estim_compare *out,
		      struct hn_err *err)
{
	struct recs rs = { 0 };
	struct estim_sample *train = NULL, *test = NULL;
	struct estim_lut lut_train;
	int *order = NULL, n_train, n_tr = 0, n_te = 0, ret = 0;
	double *rtl_s = NULL;
	uint64_t rng = o->seed;

	memset(out, 0, sizeof(*out));
	estim_lut_init(&out->lut, &o->cx);
	estim_lut_init(&lut_train, &o->cx);
	if (n_pairs < 4 || !(o->train_frac > 0 && o->train_frac < 1))
		return hn_fail(err, HN_EINVAL, "estimators: %d pairs and a training fraction of %g: "
			       "at least 4 pairs and a fraction strictly between 0 and 1 are needed",
			       n_pairs, o->train_frac);
	for (int i = 0; i < n_pairs; i++)
		if (pairs[i].net < 0 || pairs[i].hw < 0)
			return hn_fail(err, HN_EINVAL, "estimators: pair %d is invalid", i);
	order = malloc(sizeof(int) * (size_t)n_pairs);
	rtl_s = calloc((size_t)n_pairs, sizeof(double));
	if (!order || !rtl_s) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	/* the split: a seeded shuffle, the first train_frac of it for training */
	for (int i = 0; i < n_pairs; i++)
		order[i] = i;
	for (int i = n_pairs - 1; i > 0; i--) {
		int j = (int)(estim_rand(&rng) % (uint64_t)(i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	n_train = (int)lround(o->train_frac * n_pairs);
	n_train = n_train < 1 ? 1 : n_train > n_pairs - 1 ? n_pairs - 1 : n_train;
	out->n_pairs = n_pairs;
	out->n_train = n_train;
	if ((ret = measure_all(nets, hws, pairs, order, n_pairs, n_train, o, &rs, out, err)) < 0)
		goto out_free;

	/* the training layers: the table's entries, the predictors' samples */
	train = malloc(sizeof(*train) * (size_t)(rs.n ? rs.n : 1));
	test = malloc(sizeof(*test) * (size_t)(rs.n ? rs.n : 1));
	if (!train || !test) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	double build_lut = 0;
	for (int64_t j = 0; j < rs.n; j++) {
		struct rec *r = &rs.r[j];
		struct estim_lut_entry e = { r->key, r->m.cycles, r->m.dram_bytes, r->m.energy_pj };
		const struct arch_layer *l = &nets[r->layer_net].layers[r->layer_i];
		int mac = arch_gemm(l).g > 0;

		/* a layer no tiling fits has no cost to record: a lookup misses, and the model
		 * says it does not fit */
		if (r->m.fits && ((ret = estim_lut_put(&out->lut, &e)) < 0 ||
				  (r->train && (ret = estim_lut_put(&lut_train, &e)) < 0))) {
			ret = hn_fail(err, ret, "out of memory");
			goto out_free;
		}
		if (r->train)
			build_lut += r->m.seconds;
		if (!mac || !r->m.fits)
			continue;
		struct estim_sample *s = r->train ? &train[n_tr++] : &test[n_te++];
		s->l = *l;
		s->hw = hws[r->hw];
		s->cycles = r->m.cycles;
	}
	out->layers_train = lut_train.n;
	out->layer_test_n = n_te;
	for (int k = 0; k < ESTIM_PRED_COUNT; k++) {
		double t0 = estim_now_s();
		ret = estim_pred_train(k, train, n_tr, test, n_te, &o->cx, &o->gbt, &out->pred[k], err);
		if (ret < 0)
			goto out_free;
		out->layer_mape[k] = out->pred[k].test_mape;
		out->row[k == ESTIM_PRED_LINEAR ? ESTIM_LINEAR : ESTIM_GBT].build_s =
			build_lut + estim_now_s() - t0;
	}
	out->row[ESTIM_LUT].build_s = build_lut;

	/* the test pairs that are feasible, and their truth */
	out->test = malloc(sizeof(*out->test) * (size_t)(n_pairs - n_train));
	out->truth = malloc(sizeof(double) * (size_t)(n_pairs - n_train));
	if (!out->test || !out->truth) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	for (int q = n_train; q < n_pairs; q++) {
		const struct estim_pair *p = &pairs[order[q]];
		double secs;
		int64_t c = pair_truth(&rs, &nets[p->net], &hws[p->hw], &secs);
		if (!c) {
			out->n_infeasible++;
			continue;
		}
		rtl_s[out->n_test] = secs;
		out->truth[out->n_test] = (double)c;
		out->test[out->n_test++] = *p;
	}
	if (out->n_test < 2) {
		ret = hn_fail(err, HN_EINVAL, "estimators: %d feasible test pairs, at least 2 are "
			      "needed (more pairs, or a smaller training fraction)", out->n_test);
		goto out_free;
	}

	/* every estimator on the test pairs, timed */
	for (int k = 0; k < ESTIM_KIND_COUNT; k++) {
		struct estim_row *row = &out->row[k];
		struct estim_using u = { k, &o->cx, &lut_train, ESTIM_MISS_MODEL, NULL, NULL };

		if (k == ESTIM_RTL && o->cx.source != ESTIM_SRC_RTL)
			continue;
		if (!(out->est[k] = malloc(sizeof(double) * (size_t)out->n_test))) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto out_free;
		}
		out->has[k] = 1;
		row->kind = k;
		row->n = out->n_test;
		if (k == ESTIM_LINEAR || k == ESTIM_GBT)
			u.pred = &out->pred[k == ESTIM_LINEAR ? ESTIM_PRED_LINEAR : ESTIM_PRED_GBT];
		if (k == ESTIM_RTL) {
			/* the truth itself: its cost is the measurement of each pair's layers */
			double s = 0;
			for (int i = 0; i < out->n_test; i++) {
				out->est[k][i] = out->truth[i];
				s += rtl_s[i];
			}
			row->us_per_eval = row->us_warm = 1e6 * s / out->n_test;
		} else {
			if ((ret = time_passes(&u, nets, hws, o, 0, out, row, err)) < 0 ||
			    (ret = time_passes(&u, nets, hws, o, 1, out, row, err)) < 0)
				goto out_free;
		}
		estim_errors(out->est[k], out->truth, out->n_test, &row->mape, &row->max_err);
		row->tau = cost_kendall_tau_b(out->est[k], out->truth, out->n_test);
	}
out_free:
	if (ret)
		estim_compare_release(out);
	estim_lut_release(&lut_train);
	free(rs.r);
	free(rs.slot);
	free(train);
	free(test);
	free(order);
	free(rtl_s);
	return ret;
}
