/* estim_pred.c: the learned predictors of a MAC layer's cycles: their features, training
 * with a held-out error, prediction, and the predictor file (docs/search.md). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"

#define PRED_FORMAT "hwnas-predictor"
#define PRED_FORMAT_VERSION 1

static const char *const kind_names[ESTIM_PRED_COUNT] = { "linear", "gbt" };

const char *estim_pred_kind_name(int k)
{
	return k >= 0 && k < ESTIM_PRED_COUNT ? kind_names[k] : "?";
}

int estim_pred_kind_parse(const char *s)
{
	for (int i = 0; i < ESTIM_PRED_COUNT; i++)
		if (!strcmp(s, kind_names[i]))
			return i;
	return -1;
}

/* Ideal compute cycles (MACs / PEs) and ideal memory cycles (every tensor moved once). */
static void ideal_cycles(const struct arch_layer *l, const struct hw_config *hw, double *comp,
			 double *mem)
{
	struct arch_gemm g = arch_gemm(l);
	double ab = (double)hw_act_bytes(hw), wb = (double)hw_weight_bytes(hw);
	double bytes = (double)g.g * ((double)g.m * (double)g.k * ab +
				      (double)g.k * (double)g.n * wb + (double)g.m * (double)g.n * ab);

	*comp = (double)arch_layer_macs(l) / ((double)hw->pe_rows * (double)hw->pe_cols);
	*mem = bytes / hw_dram_bytes_per_cycle(hw);
}

void estim_features_linear(const struct arch_layer *l, const struct hw_config *hw, double *x)
{
	double comp, mem;

	ideal_cycles(l, hw, &comp, &mem);
	x[0] = 1.0;
	x[1] = comp;
	x[2] = mem;
	x[3] = (double)arch_gemm(l).g * (double)hw->dram_latency_cycles;
}

double estim_roof_cycles(const struct arch_layer *l, const struct hw_config *hw)
{
	double comp, mem;

	ideal_cycles(l, hw, &comp, &mem);
	return fmax(fmax(comp, mem), 1.0);
}

/* x / (x rounded up to a multiple of p): the used share of the last fold. */
static double pad_eff(int64_t x, int64_t p)
{
	return (double)x / (double)(hn_cdiv(x, p) * p);
}

void estim_features_gbt(const struct arch_layer *l, const struct hw_config *hw, double *x)
{
	struct arch_gemm g = arch_gemm(l);
	double comp, mem, ab = (double)hw_act_bytes(hw), wb = (double)hw_weight_bytes(hw);
	int i = 0;

	ideal_cycles(l, hw, &comp, &mem);
	x[i++] = log2((double)g.g);
	x[i++] = log2((double)g.m);
	x[i++] = log2((double)g.n);
	x[i++] = log2((double)g.k);
	x[i++] = log2((double)hw->pe_rows);
	x[i++] = log2((double)hw->pe_cols);
	x[i++] = (double)hw_act_bytes(hw);
	x[i++] = (double)hw_weight_bytes(hw);
	x[i++] = (double)hw_acc_bytes(hw);
	x[i++] = log2((double)hw->ibuf_bytes);
	x[i++] = log2((double)hw->wbuf_bytes);
	x[i++] = log2((double)hw->obuf_bytes);
	x[i++] = log2(hw_dram_bytes_per_cycle(hw));
	x[i++] = log2(1.0 + hw->dram_latency_cycles);
	x[i++] = log2(fmax(comp, 1.0));
	x[i++] = log2(fmax(mem, 1.0));
	x[i++] = (double)hw->dataflow;
	x[i++] = (double)hw->double_buffer;
	x[i++] = (double)l->kind;
	/* how many times each tensor overfills its buffer (what forces refetches) */
	x[i++] = log2((double)g.m * (double)g.k * ab / (double)hw->ibuf_bytes);
	x[i++] = log2((double)g.k * (double)g.n * wb / (double)hw->wbuf_bytes);
	x[i++] = log2((double)g.m * (double)g.n * (double)hw_acc_bytes(hw) / (double)hw->obuf_bytes);
	/* the array's occupancy when two GEMM dimensions are laid on its rows and columns */
	x[i++] = pad_eff(g.k, hw->pe_rows) * pad_eff(g.n, hw->pe_cols);
	x[i++] = pad_eff(g.m, hw->pe_rows) * pad_eff(g.n, hw->pe_cols);
	x[i++] = pad_eff(g.k, hw->pe_rows) * pad_eff(g.m, hw->pe_cols);
}

double estim_pred_layer(const struct estim_pred *p, const struct arch_layer *l,
			const struct hw_config *hw)
{
	double x[ESTIM_GBT_NF > ESTIM_LIN_NF ? ESTIM_GBT_NF : ESTIM_LIN_NF], y = 0;

	if (p->kind == ESTIM_PRED_LINEAR) {
		estim_features_linear(l, hw, x);
		for (int j = 0; j < ESTIM_LIN_NF; j++)
			y += p->w[j] * x[j];
	} else {
		estim_features_gbt(l, hw, x);
		y = estim_roof_cycles(l, hw) * exp(estim_gbt_predict(&p->gbt, x));
	}
	/* at least a cycle; at most ESTIM_PRED_MAX_CYCLES, so that a tree's leaf from a hostile or
	 * extrapolating file (exp of a large value is infinite) stays an int64 count */
	if (!(y >= 1.0))
		return 1.0;
	return y < ESTIM_PRED_MAX_CYCLES ? y : ESTIM_PRED_MAX_CYCLES;
}

void estim_pred_release(struct estim_pred *p)
{
	estim_gbt_release(&p->gbt);
}

int estim_pred_train(int kind, const struct estim_sample *train, int n_train,
		     const struct estim_sample *test, int n_test, const struct estim_ctx *cx,
		     const struct estim_gbt_params *gp, struct estim_pred *out, struct hn_err *err)
{
	int nf = kind == ESTIM_PRED_LINEAR ? ESTIM_LIN_NF : ESTIM_GBT_NF;
	double *X = malloc((size_t)(n_train ? n_train : 1) * (size_t)nf * sizeof(double));
	double *y = malloc((size_t)(n_train ? n_train : 1) * sizeof(double));
	double *wt = malloc((size_t)(n_train ? n_train : 1) * sizeof(double));
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->source = cx->source;
	out->greedy = cx->greedy;
	out->n_train = n_train;
	out->n_test = n_test;
	out->test_mape = -1;
	if (!X || !y || !wt) {
		ret = hn_fail(err, HN_ENOMEM, "predictor: out of memory");
		goto out_free;
	}
	for (int i = 0; i < n_train; i++) {
		const struct estim_sample *s = &train[i];
		double c = (double)(s->cycles > 0 ? s->cycles : 1);
		if (kind == ESTIM_PRED_LINEAR) {
			estim_features_linear(&s->l, &s->hw, &X[(size_t)i * nf]);
			y[i] = c;
			wt[i] = 1.0 / (c * c);  /* the relative error, as the calibration */
		} else {
			estim_features_gbt(&s->l, &s->hw, &X[(size_t)i * nf]);
			y[i] = log(c / estim_roof_cycles(&s->l, &s->hw));
		}
	}
	if (kind == ESTIM_PRED_LINEAR) {
		if (n_train < nf) {
			ret = hn_fail(err, HN_EINVAL, "linear predictor: %d training samples, at "
				      "least %d needed", n_train, nf);
			goto out_free;
		}
		ret = estim_lsq(X, y, wt, n_train, nf, 1e-9, out->w, err);
	} else {
		ret = estim_gbt_fit(X, y, n_train, nf, gp, &out->gbt, err);
	}
	if (ret < 0)
		goto out_free;
	if (n_test > 0) {
		double s = 0;
		for (int i = 0; i < n_test; i++) {
			double c = (double)(test[i].cycles > 0 ? test[i].cycles : 1);
			s += fabs(estim_pred_layer(out, &test[i].l, &test[i].hw) - c) / c;
		}
		out->test_mape = 100.0 * s / n_test;
	}
out_free:
	free(X);
	free(y);
	free(wt);
	return ret;
}

/* ---- The file ---- */

char *estim_pred_to_text(const struct estim_pred *p, size_t *len)
{
	struct estim_buf b = { 0 };
	int ret = 0;

	ret |= estim_bprintf(&b, "# hwnas cost predictor: a MAC layer's cycles (docs/search.md "
			     "\"Cost estimators\")\nformat %s %d\ncost_model_version %d\n"
			     "kind %s\nsource %s\nmapper %s\nsamples %d %d %.17g\n", PRED_FORMAT,
			     PRED_FORMAT_VERSION, COST_MODEL_VERSION, estim_pred_kind_name(p->kind),
			     estim_source_name(p->source), cost_mapper_name(p->greedy ? COST_MAP_GREEDY : COST_MAP_GLPK),
			     p->n_train, p->n_test, p->test_mape);
	if (p->kind == ESTIM_PRED_LINEAR) {
		ret |= estim_bprintf(&b, "linear %d", ESTIM_LIN_NF);
		for (int j = 0; j < ESTIM_LIN_NF; j++)
			ret |= estim_bprintf(&b, " %.17g", p->w[j]);
		ret |= estim_bprintf(&b, "\n");
	} else {
		const struct estim_gbt *g = &p->gbt;
		ret |= estim_bprintf(&b, "gbt %d %d %d %.17g %.17g\n", g->nf, g->trees, g->depth,
				     g->lr, g->base);
		for (int t = 0; t < g->trees && !ret; t++) {
			const struct estim_gbt_node *tr = &g->node[(size_t)t * ESTIM_GBT_NODES(g->depth)];
			int nodes = (1 << (g->depth + 1)) - 1;
			ret |= estim_bprintf(&b, "tree");
			for (int i = 0; i < nodes && !ret; i++)
				ret |= tr[i].feature < 0 ?
					estim_bprintf(&b, " L %.17g", tr[i].value) :
					estim_bprintf(&b, " %d %.17g", tr[i].feature, tr[i].threshold);
			ret |= estim_bprintf(&b, "\n");
		}
	}
	return estim_buf_finish(&b, ret, len);
}

int estim_pred_save(const struct estim_pred *p, const char *path, struct hn_err *err)
{
	size_t len = 0;
	char *text = estim_pred_to_text(p, &len);

	return estim_save_text(text, len, path, err);
}

/* A tree line's nodes, heap order; a node under a leaf is never reached and is written as a
 * leaf too. */
static int parse_tree(const char *s, struct estim_gbt_node *tr, int nodes, int nf)
{
	char *q;

	if (strncmp(s, "tree", 4))
		return -1;
	s += 4;
	for (int i = 0; i < nodes; i++) {
		while (*s == ' ')
			s++;
		if (*s == 'L') {
			tr[i].feature = -1;
			tr[i].value = strtod(s + 1, &q);
			if (q == s + 1)
				return -1;
		} else {
			long f = strtol(s, &q, 10);
			if (q == s || f < 0 || f >= nf || 2 * i + 2 >= nodes)
				return -1;
			tr[i].feature = (int32_t)f;
			s = q;
			tr[i].threshold = strtod(s, &q);
			if (q == s)
				return -1;
		}
		s = q;
	}
	while (*s == ' ')
		s++;
	return *s ? -1 : 0;
}

int estim_pred_load(const char *path, struct estim_pred *p, struct hn_err *err)
{
	char *text = NULL;
	size_t len;
	int ret;

	memset(p, 0, sizeof(*p));
	if ((ret = hn_read_file(path, &text, &len, err)) < 0)
		return ret;
	ret = estim_pred_parse(text, len, path, p, err);
	free(text);
	return ret;
}

int estim_pred_parse(const char *text, size_t len, const char *path, struct estim_pred *p,
		     struct hn_err *err)
{
	char *line = NULL, word[32];
	const char *c, *end, *v;
	size_t body, cap = 1 << 20;
	int lineno = 0, ret;

	memset(p, 0, sizeof(*p));
	if (!(line = malloc(cap))) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
		goto out_free;
	}
	if ((ret = estim_file_body(text, len, path, &body, err)) < 0)
		goto out_free;
	c = text;
	end = text + body;
	if ((ret = estim_header_check(path, &c, end, PRED_FORMAT, PRED_FORMAT_VERSION, line, cap,
				      &lineno, err)) < 0)
		goto out_free;
#define NEXT(key) \
	if (!estim_next_line(&c, end, line, cap) || (lineno++, !(v = estim_header(line, key)))) { \
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: '%s' expected", path, lineno, key); \
		goto out_free; \
	}
	NEXT("kind");
	if ((p->kind = estim_pred_kind_parse(v)) < 0) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'kind' must be linear or gbt, got '%s'",
			      path, lineno, v);
		goto out_free;
	}
	NEXT("source");
	if ((p->source = estim_source_parse(v)) < 0) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'source' must be model or rtl", path,
			      lineno);
		goto out_free;
	}
	NEXT("mapper");
	if (cost_mapper_parse(v) < 0) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'mapper' must be glpk or greedy", path,
			      lineno);
		goto out_free;
	}
	p->greedy = cost_mapper_parse(v) == COST_MAP_GREEDY;
	NEXT("samples");
	if (sscanf(v, "%d %d %lf", &p->n_train, &p->n_test, &p->test_mape) != 3) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'samples' needs three numbers", path,
			      lineno);
		goto out_free;
	}
	if (p->kind == ESTIM_PRED_LINEAR) {
		int nf, off = 0, used;
		NEXT("linear");
		if (sscanf(v, "%d%n", &nf, &off) != 1 || nf != ESTIM_LIN_NF)
			goto bad;
		for (int j = 0; j < nf; j++, off += used)
			if (sscanf(v + off, "%lf%n", &p->w[j], &used) != 1 || !isfinite(p->w[j]))
				goto bad;
		if (sscanf(v + off, "%31s", word) == 1)
			goto bad;
	} else {
		struct estim_gbt *g = &p->gbt;
		NEXT("gbt");
		if (sscanf(v, "%d %d %d %lf %lf", &g->nf, &g->trees, &g->depth, &g->lr, &g->base) != 5 ||
		    g->nf != ESTIM_GBT_NF || g->trees < 1 || g->trees > ESTIM_GBT_MAX_TREES || g->depth < 1 ||
		    g->depth > ESTIM_GBT_MAX_DEPTH)
			goto bad;
		g->node = calloc((size_t)g->trees * ESTIM_GBT_NODES(g->depth), sizeof(*g->node));
		if (!g->node) {
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
			goto out_free;
		}
		for (int t = 0; t < g->trees; t++) {
			struct estim_gbt_node *tr = &g->node[(size_t)t * ESTIM_GBT_NODES(g->depth)];
			for (int i = 0; i < ESTIM_GBT_NODES(g->depth); i++)
				tr[i].feature = -1;
			if (!estim_next_line(&c, end, line, cap)) {
				ret = hn_fail(err, HN_EINVAL, "%s: %d trees, 'gbt' says %d", path, t,
					      g->trees);
				goto out_free;
			}
			lineno++;
			if (parse_tree(line, tr, (1 << (g->depth + 1)) - 1, g->nf))
				goto bad;
		}
	}
#undef NEXT
	if (estim_next_line(&c, end, line, cap)) {
		lineno++;
		goto bad;
	}
	ret = 0;
	goto out_free;
bad:
	ret = hn_fail(err, HN_EINVAL, "%s: line %d: malformed", path, lineno);
out_free:
	if (ret)
		estim_pred_release(p);
	free(line);
	return ret;
}
