/* search_eval.c: the evaluator. A point -> network (NB201 cell, MobileNet config or zoo
 * network) + accelerator -> per layer tiling and cost_layer -> totals, resources, accuracy ->
 * metrics, feasibility, normalised objectives and the formulation's score.
 *
 * Caches (why NB201 x a HW grid of millions of pairs runs in seconds): a network is stored as
 * a multiset of distinct layer shapes (shape id, multiplicity), once per NN choice; the cost
 * of a shape on an accelerator is computed once per (HW choice, shape). A cell network has
 * ~100 layers but ~25 distinct shapes, and the costs add up, so an evaluation is ~25 lookups.
 * search_evaluate_uncached() is the plain path the cache is tested against. */
#include "search.h"
#include "search_int.h"
#include "../estim/estim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHAPE_FIELDS 18

struct shape_key {
	int64_t v[SHAPE_FIELDS];
};

/* The part of a cost_report that the totals need. */
struct cost_small {
	int64_t cycles, compute, stall, dram, macs;
	double e[4];
	int feasible;
	char why[96];
};

struct nn_entry {
	int64_t macs;
	int64_t first, count;           /* into pair_shape / pair_mult */
	int64_t lfirst, lcount;         /* into layer_pair: the layers in network order */
	struct arch_mb_config mb;       /* MobileNet: for the accuracy command */
};

struct hw_entry {
	struct hw_config hw;
	struct hw_resources res;
	int valid;
	char why[160];
};

struct search_evaluator {
	struct search_space sp;
	struct hw_energy energy;
	struct arch_nb201_table *table;
	struct map_cache *mcache;

	struct arch_layer *shapes;
	struct shape_key *keys;
	int64_t n_shapes, cap_shapes;
	struct search_map shape_map;    /* hash of the key -> shape id (collisions: chained scan) */

	struct nn_entry *nn;
	int64_t n_nn, cap_nn;
	struct search_map nn_map;       /* nn id -> entry */
	int32_t *pair_shape;
	int64_t *pair_mult;
	char (*pair_name)[ARCH_NAME_MAX]; /* the network's first layer of that shape (for why:
					   * not the shape's, which depends on the cache history) */
	int64_t n_pairs, cap_pairs;
	/* per layer of each network, in order: its pair (relative to the entry's first), so that
	 * energies are summed layer by layer in network order, the order `hwnas eval` sums them
	 * in: floating-point sums depend on the order, and a front point must reproduce exactly */
	int32_t *layer_pair;
	int64_t n_layer_pairs, cap_layer_pairs;
	int64_t *pair_cost;             /* scratch: the cost index of each pair of one evaluation */
	int64_t cap_pair_cost;

	struct hw_entry *hw;
	int64_t n_hw, cap_hw;
	struct search_map hw_map;       /* hw id -> entry */

	struct cost_small *cost;
	int64_t n_cost, cap_cost;
	struct search_map cost_map;     /* hw entry x 2^24 + shape id -> cost */

	struct search_map acc_map;      /* nn id (x 289 + bits when the command prices them) -> acc */
	int64_t lookups;
	int shared;                     /* a clone: table, mcache and est belong to its parent */
	struct estim_open *est;         /* sp.cost's estimator, NULL for the model alone */
	int64_t cost_fm_own;            /* the parent's count of cost_fm */
	int64_t *cost_fm;               /* layers sp.cost left to the model (shared, atomic) */
};

static const char *const acc_source_names[] = { "none", "nb201-table", "command", "proxy",
						"fixed" };

const char *search_acc_source_name(int s)
{
	return s >= 0 && s <= SEARCH_ACC_FIXED ? acc_source_names[s] : "?";
}

const char *search_fidelity_name(int f)
{
	return f == SEARCH_FID_RTL ? "rtl" : "model";
}

/* Grows *arr (of elem bytes) to hold need elements; 0 or HN_ENOMEM. */
static int reserve(void **arr, int64_t *cap, int64_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	int64_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *p = realloc(*arr, (size_t)c * elem);
	if (!p)
		return HN_ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

int search_evaluator_new(const struct search_space *sp, struct search_evaluator **out,
			 struct hn_err *err)
{
	struct search_evaluator *ev = calloc(1, sizeof(*ev));
	int ret = 0;

	if (!ev)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	ev->sp = *sp;
	ev->energy = sp->energy;
	search_map_init(&ev->shape_map);
	search_map_init(&ev->nn_map);
	search_map_init(&ev->hw_map);
	search_map_init(&ev->cost_map);
	search_map_init(&ev->acc_map);
	if (sp->nn_kind == SEARCH_NN_NB201) {
		char path[512];
		ev->table = malloc(sizeof(*ev->table));
		if (!ev->table) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto fail;
		}
		ret = arch_data_path("nb201_accuracy.csv", path, sizeof(path), err);
		if (ret == 0)
			ret = arch_nb201_table_load(path, ev->table, err);
		if (ret < 0)
			goto fail;
	}
	if (sp->mapper == COST_MAP_GLPK) {
		ev->mcache = map_cache_new();
		if (!ev->mcache) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto fail;
		}
	}
	ev->cost_fm = &ev->cost_fm_own;
	if (sp->cost[0] && strcmp(sp->cost, "analytical")) {
		if (sp->calib_path[0]) {
			ret = hn_fail(err, HN_EINVAL, "%s: the space's calibration corrects the "
				      "model's cycles; it does not go with the '%s' cost estimator",
				      sp->origin, sp->cost);
			goto fail;
		}
		if (!(ev->est = calloc(1, sizeof(*ev->est)))) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto fail;
		}
		ret = estim_open(ev->est, sp->cost, sp->cost_path[0] ? sp->cost_path : NULL,
				 sp->cost_miss_model ? ESTIM_MISS_MODEL : ESTIM_MISS_FAIL, sp->mapper,
				 &ev->energy, sp->cost_rtl_max_macs, NULL, err);
		if (ret < 0)
			goto fail;
	}
	*out = ev;
	return 0;
fail:
	search_evaluator_free(ev);
	return ret;
}

int search_evaluator_clone(const struct search_evaluator *ev, struct search_evaluator **out,
			   struct hn_err *err)
{
	struct search_evaluator *c = calloc(1, sizeof(*c));

	if (!c)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	c->sp = ev->sp;
	c->energy = ev->energy;
	c->table = ev->table;
	c->mcache = ev->mcache;
	c->est = ev->est;
	c->cost_fm = ev->cost_fm;
	c->shared = 1;
	search_map_init(&c->shape_map);
	search_map_init(&c->nn_map);
	search_map_init(&c->hw_map);
	search_map_init(&c->cost_map);
	search_map_init(&c->acc_map);
	*out = c;
	return 0;
}

void search_evaluator_free(struct search_evaluator *ev)
{
	if (!ev)
		return;
	if (!ev->shared) {
		free(ev->table);
		if (ev->mcache)
			map_cache_free(ev->mcache);
		if (ev->est)
			estim_close(ev->est);
		free(ev->est);
	}
	free(ev->pair_name);
	free(ev->layer_pair);
	free(ev->pair_cost);
	free(ev->shapes);
	free(ev->keys);
	free(ev->nn);
	free(ev->pair_shape);
	free(ev->pair_mult);
	free(ev->hw);
	free(ev->cost);
	search_map_release(&ev->shape_map);
	search_map_release(&ev->nn_map);
	search_map_release(&ev->hw_map);
	search_map_release(&ev->cost_map);
	search_map_release(&ev->acc_map);
	free(ev);
}

int64_t search_evaluator_cost_from_model(const struct search_evaluator *ev)
{
	return __atomic_load_n(ev->cost_fm, __ATOMIC_RELAXED);
}

void search_evaluator_stats(const struct search_evaluator *ev, int64_t *shapes, int64_t *costs,
			    int64_t *lookups)
{
	*shapes = ev->n_shapes;
	*costs = ev->n_cost;
	*lookups = ev->lookups;
}

const char *search_evaluator_table_path(const struct search_evaluator *ev)
{
	return ev->table ? ev->table->path : "";
}

/* ---- networks ---- */

/* The network of pt (search_space_net) and, for MobileNet points, its config. */
static int build_net(struct search_evaluator *ev, const struct search_point *pt,
		     struct arch_net *net, struct arch_mb_config *mb, struct hn_err *err)
{
	if (ev->sp.nn_kind == SEARCH_NN_MBV2)
		search_space_mb(&ev->sp, pt, mb);
	return search_space_net(&ev->sp, pt, net, err);
}

static struct shape_key shape_key_of(const struct arch_layer *l)
{
	struct shape_key k = { { l->kind, l->n, l->c, l->h, l->w, l->k, l->r, l->s, l->stride_h,
				 l->stride_w, l->pad_h, l->pad_w, l->dil_h, l->dil_w, l->groups,
				 l->pool_max, l->bias, l->bn } };
	return k;
}

static uint64_t shape_hash(const struct shape_key *k)
{
	uint64_t h = 0x243f6a8885a308d3ULL;

	for (int i = 0; i < SHAPE_FIELDS; i++)
		h = search_mix64(h ^ (uint64_t)k->v[i]) + (uint64_t)i;
	return h;
}

/* The id of a layer's shape, interning it. */
static int64_t intern_shape(struct search_evaluator *ev, const struct arch_layer *l)
{
	struct shape_key k = shape_key_of(l);
	uint64_t h = shape_hash(&k), id;

	if (search_map_get(&ev->shape_map, h, &id) && !memcmp(&ev->keys[id], &k, sizeof(k)))
		return (int64_t)id;
	for (int64_t i = 0; i < ev->n_shapes; i++) /* a 64-bit hash collision: rare, exact */
		if (!memcmp(&ev->keys[i], &k, sizeof(k)))
			return i;
	if (reserve((void **)&ev->shapes, &ev->cap_shapes, ev->n_shapes + 1, sizeof(*ev->shapes)))
		return HN_ENOMEM;
	void *p = realloc(ev->keys, (size_t)ev->cap_shapes * sizeof(*ev->keys)); /* same cap */
	if (!p)
		return HN_ENOMEM;
	ev->keys = p;
	id = (uint64_t)ev->n_shapes++;
	ev->shapes[id] = *l;
	ev->keys[id] = k;
	if (search_map_put(&ev->shape_map, h, id))
		return HN_ENOMEM;
	return (int64_t)id;
}

static int nn_entry_get(struct search_evaluator *ev, const struct search_point *pt,
			struct nn_entry **out, struct hn_err *err)
{
	uint64_t id = search_point_nn_id(&ev->sp, pt), at;
	struct arch_net net;
	struct nn_entry e;
	int ret;

	if (search_map_get(&ev->nn_map, id, &at)) {
		*out = &ev->nn[at];
		return 0;
	}
	memset(&e, 0, sizeof(e));
	ret = build_net(ev, pt, &net, &e.mb, err);
	if (ret < 0)
		return ret;
	e.macs = arch_net_macs(&net);
	e.first = ev->n_pairs;
	e.lfirst = ev->n_layer_pairs;
	e.lcount = net.n_layers;
	if (reserve((void **)&ev->layer_pair, &ev->cap_layer_pairs,
		    ev->n_layer_pairs + net.n_layers, sizeof(*ev->layer_pair))) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_release;
	}
	for (int i = 0; i < net.n_layers; i++) {
		int64_t s = intern_shape(ev, &net.layers[i]), j;
		if (s < 0) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto out_release;
		}
		for (j = e.first; j < ev->n_pairs; j++)
			if (ev->pair_shape[j] == s)
				break;
		ev->layer_pair[ev->n_layer_pairs++] = (int32_t)(j - e.first);
		if (j < ev->n_pairs) {
			ev->pair_mult[j]++;
			continue;
		}
		int64_t c1 = ev->cap_pairs, c2 = ev->cap_pairs, c3 = ev->cap_pairs;
		if (reserve((void **)&ev->pair_shape, &c1, ev->n_pairs + 1, sizeof(int32_t)) ||
		    reserve((void **)&ev->pair_mult, &c2, ev->n_pairs + 1, sizeof(int64_t)) ||
		    reserve((void **)&ev->pair_name, &c3, ev->n_pairs + 1, sizeof(*ev->pair_name))) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			goto out_release;
		}
		ev->cap_pairs = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
		hn_strlcpy(ev->pair_name[ev->n_pairs], net.layers[i].name, sizeof(*ev->pair_name));
		ev->pair_shape[ev->n_pairs] = (int32_t)s;
		ev->pair_mult[ev->n_pairs++] = 1;
	}
	e.count = ev->n_pairs - e.first;
	if (reserve((void **)&ev->nn, &ev->cap_nn, ev->n_nn + 1, sizeof(*ev->nn)) ||
	    search_map_put(&ev->nn_map, id, (uint64_t)ev->n_nn)) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_release;
	}
	ev->nn[ev->n_nn] = e;
	*out = &ev->nn[ev->n_nn++];
out_release:
	if (ret < 0)
		ev->n_layer_pairs = e.lfirst;
	arch_net_release(&net);
	return ret;
}

/* ---- accelerators and layer costs ---- */

/* The accelerator of target t of pt (t = 0 without targets), keyed by its own knobs only, so
 * that a layer priced on one target's config is priced once however the other targets'
 * knobs vary. */
/* A design point's resources: the AXI top's (hw_axi_resources: its staging memory, DSP
 * difference and the AXI master's LUTs and FFs on the space's bus) when the space asks for
 * it ("axi"), since that is what a bundle exports. */
static void point_resources(const struct search_space *sp, const struct hw_config *hw,
			    struct hw_resources *res)
{
	if (sp->axi.dw) {
		const struct hw_axi_bus bus = { sp->axi.dw, sp->axi.maxb, sp->axi.maxout };
		hw_axi_resources(hw, &bus, res);
	} else {
		hw_resources(hw, res);
	}
}

static int hw_entry_get(struct search_evaluator *ev, int t, const struct search_point *pt,
			int64_t *at_out)
{
	const struct search_space *sp = &ev->sp;
	uint64_t id = 0, at;
	struct hw_entry e;
	struct hn_err err = { 0 };

	for (int d = sp->n_dims - 1; d >= sp->n_nn_dims; d--)
		if (sp->dims[d].stage == t)
			id = id * (uint64_t)sp->dims[d].n + pt->c[d];
	id = id * SEARCH_MAX_TARGETS + (uint64_t)t;
	if (search_map_get(&ev->hw_map, id, &at)) {
		*at_out = (int64_t)at;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	search_space_target_hw(sp, t, pt, &e.hw);
	e.valid = hw_config_check(&e.hw, NULL, &err) == 0;
	if (!e.valid)
		hn_strlcpy(e.why, err.msg, sizeof(e.why));
	else
		point_resources(sp, &e.hw, &e.res);
	if (reserve((void **)&ev->hw, &ev->cap_hw, ev->n_hw + 1, sizeof(*ev->hw)) ||
	    search_map_put(&ev->hw_map, id, (uint64_t)ev->n_hw))
		return HN_ENOMEM;
	ev->hw[ev->n_hw] = e;
	*at_out = ev->n_hw++;
	return 0;
}

/* Tiling and cost of one layer (cost_net_layer: the same rule as `hwnas eval`, with the
 * space's mapper, energy table and calibration). */
static void net_opts(struct search_evaluator *ev, struct cost_net_opts *co)
{
	cost_net_opts_init(co);
	co->mapper = ev->sp.mapper;
	co->energy = &ev->energy;
	co->calib = ev->sp.calib_path[0] ? &ev->sp.calib : NULL; /* as hwnas eval --calib */
	co->axi = ev->sp.axi.dw ? &ev->sp.axi : NULL;            /* as hwnas eval --axi */
	co->cache = ev->mcache;
}

static int layer_cost(struct search_evaluator *ev, const struct arch_layer *l,
		      const struct hw_config *hw, struct cost_report *r, struct hn_err *err)
{
	struct cost_net_opts co;
	struct cost_net_row row;
	int ret;

	net_opts(ev, &co);
	ret = cost_net_layer(l, hw, &co, &row, err);
	if (ret == 0 && ev->est) {
		/* another estimator's figures in the model's report (the tiling stays the
		 * mapper's): a table's, a predictor's, the RTL's */
		int fm = 0;
		ret = estim_apply(&ev->est->u, l, hw, &row.tiling, &row.cost, &fm, err);
		if (fm)
			__atomic_fetch_add(ev->cost_fm, 1, __ATOMIC_RELAXED);
	}
	if (ret == 0)
		*r = row.cost;
	return ret;
}

/* The cost of a shape on an accelerator, as an index into ev->cost (which grows: a pointer
 * would not survive the next computed cost). */
static int cost_get(struct search_evaluator *ev, int64_t hw_at, int32_t shape, int64_t *out,
		    struct hn_err *err)
{
	uint64_t key = ((uint64_t)hw_at << 24) | (uint64_t)shape, at;
	struct cost_report r;
	struct cost_small c;
	int ret;

	ev->lookups++;
	if (search_map_get(&ev->cost_map, key, &at)) {
		*out = (int64_t)at;
		return 0;
	}
	ret = layer_cost(ev, &ev->shapes[shape], &ev->hw[hw_at].hw, &r, err);
	if (ret < 0)
		return ret;
	memset(&c, 0, sizeof(c));
	c.cycles = r.cycles;
	c.compute = r.compute_cycles;
	c.stall = r.stall_cycles;
	c.dram = r.dram_bytes;
	c.macs = r.macs;
	memcpy(c.e, r.energy_pj, sizeof(c.e));
	c.feasible = r.feasible;
	hn_strlcpy(c.why, r.why, sizeof(c.why));
	if (reserve((void **)&ev->cost, &ev->cap_cost, ev->n_cost + 1, sizeof(*ev->cost)) ||
	    search_map_put(&ev->cost_map, key, (uint64_t)ev->n_cost))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	ev->cost[ev->n_cost] = c;
	*out = ev->n_cost++;
	return 0;
}

/* The integer totals of mult layers of one shape (exact in any order; the energies, which
 * are not, are added layer by layer in search_evaluate). The first infeasible pair holds the
 * network's first infeasible layer: pairs are in the order of their first layer. */
static void total_add(struct cost_total *t, const struct cost_small *c, int64_t mult,
		      const char *name)
{
	if (!c->feasible && t->feasible) {
		t->feasible = 0;
		snprintf(t->why, sizeof(t->why), "layer '%.30s': %.85s", name, c->why);
	}
	t->macs += mult * c->macs;
	t->cycles += mult * c->cycles;
	t->compute_cycles += mult * c->compute;
	t->stall_cycles += mult * c->stall;
	t->dram_bytes += mult * c->dram;
}

/* ---- accuracy ---- */

static int accuracy(struct search_evaluator *ev, const struct search_point *pt,
		    const struct nn_entry *nn, const struct hw_config *hw, struct search_eval *out,
		    struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	int priced_by_cmd = sp->acc_cmd[0] && sp->quant_from_command;

	out->acc_penalty = 0.0;
	if (sp->nn_kind == SEARCH_NN_NB201) {
		int ops[ARCH_NB201_EDGES];
		search_space_nb201_ops(sp, pt, ops);
		out->acc_raw = ev->table->acc[sp->dataset][arch_nb201_code(ops)];
		out->acc_source = SEARCH_ACC_TABLE;
	} else if (sp->nn_kind == SEARCH_NN_ZOO) {
		out->acc_raw = sp->fixed_accuracy;
		out->acc_source = isnan(sp->fixed_accuracy) ? SEARCH_ACC_NONE : SEARCH_ACC_FIXED;
	} else if (!sp->acc_cmd[0]) {
		out->acc_raw = arch_acc_proxy_mb(nn->macs / (sp->batch > 0 ? sp->batch : 1));
		out->acc_source = SEARCH_ACC_PROXY;
	} else {
		uint64_t key = search_point_nn_id(sp, pt), bits;
		if (priced_by_cmd)
			key = key * 289 + (uint64_t)(hw->act_bits * 17 + hw->weight_bits);
		out->acc_source = SEARCH_ACC_COMMAND;
		if (search_map_get(&ev->acc_map, key, &bits)) {
			memcpy(&out->acc_raw, &bits, sizeof(double));
		} else {
			char *js = arch_mb_to_json(&nn->mb), *in;
			double acc = 0;
			int ret;
			if (!js)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			in = js;
			if (priced_by_cmd) {
				size_t n = strlen(js) + 64;
				in = malloc(n);
				if (in) {
					/* {"type":...} -> {"act_bits":8,"weight_bits":8,"type":...} */
					snprintf(in, n, "{\"act_bits\":%d,\"weight_bits\":%d,%s",
						 hw->act_bits, hw->weight_bits, js + 1);
				}
			}
			ret = in ? arch_acc_command(sp->acc_cmd, in, sp->acc_timeout_s, &acc, err) :
				   hn_fail(err, HN_ENOMEM, "out of memory");
			if (in != js)
				free(in);
			free(js);
			if (ret < 0)
				return ret;
			memcpy(&bits, &acc, sizeof(double));
			if (search_map_put(&ev->acc_map, key, bits))
				return hn_fail(err, HN_ENOMEM, "out of memory");
			out->acc_raw = acc;
		}
	}
	if (out->acc_source != SEARCH_ACC_NONE && !priced_by_cmd)
		out->acc_penalty = arch_quant_penalty_at(&sp->quant, hw->act_bits, hw->weight_bits);
	out->m[SEARCH_M_ACCURACY] = out->acc_raw - out->acc_penalty;
	return 0;
}

/* ---- the record ---- */

static void add_violation(struct search_eval *out, double amount, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void add_violation(struct search_eval *out, double amount, const char *fmt, ...)
{
	if (out->feasible) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(out->why, sizeof(out->why), fmt, ap);
		va_end(ap);
	}
	out->feasible = 0;
	out->violation += amount;
}

/* Metrics from the totals and resources, and whether the design fits its device. */
static void finish_metrics(const struct search_space *sp, const struct hw_entry *h,
			   struct cost_total *t, struct search_eval *out)
{
	cost_total_finish(t, &h->hw);
	out->m[SEARCH_M_LATENCY_MS] = t->latency_ms;
	out->m[SEARCH_M_ENERGY_MJ] = t->energy_mj;
	out->m[SEARCH_M_EDP] = t->edp_mj_ms;
	out->m[SEARCH_M_DSP] = (double)h->res.dsp;
	out->m[SEARCH_M_BRAM] = (double)h->res.bram36;
	out->m[SEARCH_M_LUT] = (double)h->res.lut;
	out->m[SEARCH_M_FF] = (double)h->res.ff;
	out->m[SEARCH_M_MACS] = (double)t->macs;
	out->cycles = t->cycles;
	out->stall_cycles = t->stall_cycles;
	out->dram_bytes = t->dram_bytes;
	if (!t->feasible)
		add_violation(out, 5.0, "%s", t->why);
	if (sp->fit_device && !h->res.fits)
		add_violation(out, 2.0, "does not fit %s: %s", h->hw.device, h->res.why);
}

static void check_constraint(const struct search_space *sp, const struct search_constraint *c,
			     int at, struct search_eval *out)
{
	double v = search_eval_metric(sp, out, c->metric, at);
	char label[64];

	search_metric_label(sp, c->metric, at, label, sizeof(label));
	if (v > c->hi)
		add_violation(out, (v - c->hi) / fmax(fabs(c->hi), 1e-9),
			      "constraint %s <= %g: got %.4g", label, c->hi, v);
	else if (v < c->lo)
		add_violation(out, (c->lo - v) / fmax(fabs(c->lo), 1e-9),
			      "constraint %s >= %g: got %.4g", label, c->lo, v);
}

/* Constraints, objectives and score of the metrics. */
static void finish(const struct search_space *sp, struct search_eval *out)
{
	for (int i = 0; i < sp->n_con; i++) {
		const struct search_constraint *c = &sp->con[i];
		if (sp->n_targets && c->at == SEARCH_AT_PLAIN) /* a plain bound holds everywhere */
			for (int t = 0; t < sp->n_targets; t++)
				check_constraint(sp, c, 1 + t, out);
		else
			check_constraint(sp, c, c->at, out);
	}
	for (int i = 0; i < sp->n_obj; i++) {
		const struct search_objective *o = &sp->obj[i];
		out->obj[i] = (search_eval_metric(sp, out, o->metric, o->at) - o->ideal) /
			      (o->ref - o->ideal);
	}
	out->score = 0.0;
	if (sp->form == SEARCH_WEIGHTED) {
		for (int i = 0; i < sp->n_obj; i++)
			out->score += sp->weights[i] * (1.0 - out->obj[i]);
	} else if (sp->form == SEARCH_MNAS) {
		double lat = out->m[SEARCH_M_LATENCY_MS], r = lat / sp->mnas_target_ms;
		out->score = out->m[SEARCH_M_ACCURACY] *
			     pow(r, lat <= sp->mnas_target_ms ? sp->mnas_alpha : sp->mnas_beta);
	}
}

static void start(const struct search_space *sp, const struct search_point *pt,
		  struct search_eval *out)
{
	memset(out, 0, sizeof(*out));
	out->pt = *pt;
	out->index = search_point_index(sp, pt);
	out->feasible = 1;
	/* every evaluation measured on the RTL (explore --cost rtl) */
	out->fidelity = !strcmp(sp->cost, "rtl") ? SEARCH_FID_RTL : SEARCH_FID_MODEL;
}

/* Metrics of pt on target t (t = 0 without targets) into out (start()ed): 0, or 1 when the
 * target's config is invalid (violation added, nothing priced), or < 0 on error. */
static int eval_target(struct search_evaluator *ev, int t, const struct search_point *pt,
		       struct nn_entry *nn, struct search_eval *out, struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	struct cost_total tot;
	int64_t hw_at;
	int ret;

	if (hw_entry_get(ev, t, pt, &hw_at) < 0)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	const struct hw_entry *h = &ev->hw[hw_at];
	if (!h->valid) {
		add_violation(out, 10.0, "%s", h->why);
		return 1;
	}
	ret = accuracy(ev, pt, nn, &h->hw, out, err);
	if (ret < 0)
		return ret;
	cost_total_init(&tot);
	if (reserve((void **)&ev->pair_cost, &ev->cap_pair_cost, nn->count, sizeof(int64_t)))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	for (int64_t i = 0; i < nn->count; i++) {
		int64_t p = nn->first + i;
		ret = cost_get(ev, hw_at, ev->pair_shape[p], &ev->pair_cost[i], err);
		if (ret < 0)
			return ret;
		total_add(&tot, &ev->cost[ev->pair_cost[i]], ev->pair_mult[p], ev->pair_name[p]);
	}
	for (int64_t i = nn->lfirst; i < nn->lfirst + nn->lcount; i++) {
		const struct cost_small *c = &ev->cost[ev->pair_cost[ev->layer_pair[i]]];
		for (int k = 0; k < 4; k++)
			tot.energy_pj[k] += c->e[k];
	}
	finish_metrics(sp, h, &tot, out);
	return 0;
}

/* A multi-target point from its per-target records r[t]: tm, m = the worst case, the first
 * target's counts and accuracy source, each target's infeasibility named after it. Returns 1
 * when a target's config is invalid (as eval_target). */
static int combine_targets(const struct search_space *sp, const struct search_eval *r,
			   const int *invalid, struct search_eval *out)
{
	int any_invalid = 0;

	for (int t = 0; t < sp->n_targets; t++) {
		memcpy(out->tm[t], r[t].m, sizeof(out->tm[t]));
		if (!r[t].feasible)
			add_violation(out, r[t].violation, "%s: %s", sp->targets[t].name, r[t].why);
		any_invalid |= invalid[t];
	}
	for (int k = 0; k < SEARCH_M_COUNT; k++) {
		double v = r[0].m[k];
		for (int t = 1; t < sp->n_targets; t++)
			v = k == SEARCH_M_ACCURACY ? fmin(v, r[t].m[k]) : fmax(v, r[t].m[k]);
		out->m[k] = v;
	}
	out->acc_raw = r[0].acc_raw;
	out->acc_source = r[0].acc_source;
	out->acc_penalty = any_invalid ? 0.0 : out->acc_raw - out->m[SEARCH_M_ACCURACY];
	out->cycles = r[0].cycles;
	out->stall_cycles = r[0].stall_cycles;
	out->dram_bytes = r[0].dram_bytes;
	return any_invalid;
}

int search_evaluate(struct search_evaluator *ev, const struct search_point *pt,
		    struct search_eval *out, struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	struct search_eval r[SEARCH_MAX_TARGETS];
	int invalid[SEARCH_MAX_TARGETS] = { 0 };
	struct nn_entry *nn = NULL;
	int ret;

	start(sp, pt, out);
	ret = nn_entry_get(ev, pt, &nn, err);
	if (ret < 0)
		return ret;
	if (!sp->n_targets) {
		ret = eval_target(ev, 0, pt, nn, out, err);
		if (ret == 0)
			finish(sp, out);
		return ret < 0 ? ret : 0;
	}
	for (int t = 0; t < sp->n_targets; t++) {
		start(sp, pt, &r[t]);
		if ((ret = eval_target(ev, t, pt, nn, &r[t], err)) < 0)
			return ret;
		invalid[t] = ret;
	}
	if (!combine_targets(sp, r, invalid, out))
		finish(sp, out);
	return 0;
}

static int eval_target_uncached(struct search_evaluator *ev, int tg,
				const struct search_point *pt, struct search_eval *out,
				struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	struct arch_net net;
	struct nn_entry nn;
	struct hw_entry h;
	struct cost_total t;
	struct hn_err herr = { 0 };
	int ret;

	memset(&h, 0, sizeof(h));
	memset(&nn, 0, sizeof(nn));
	search_space_target_hw(sp, tg, pt, &h.hw);
	if (hw_config_check(&h.hw, NULL, &herr) < 0) {
		add_violation(out, 10.0, "%s", herr.msg);
		return 1;
	}
	point_resources(sp, &h.hw, &h.res);
	ret = build_net(ev, pt, &net, &nn.mb, err);
	if (ret < 0)
		return ret;
	nn.macs = arch_net_macs(&net);
	ret = accuracy(ev, pt, &nn, &h.hw, out, err);
	if (ret == 0) {
		struct cost_net_opts co;
		struct cost_net_row *rows = NULL;
		int fm = 0;
		net_opts(ev, &co);
		if (ev->est && !(rows = calloc((size_t)(net.n_layers ? net.n_layers : 1),
						 sizeof(*rows))))
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
		if (ret == 0)
			ret = cost_net(&net, &h.hw, &co, rows, &t, err);
		if (ret == 0 && ev->est)
			ret = estim_apply_rows(&ev->est->u, &net, &h.hw, rows, &t, &fm, err);
		if (fm)
			__atomic_fetch_add(ev->cost_fm, fm, __ATOMIC_RELAXED);
		free(rows);
	}
	if (ret == 0)
		finish_metrics(sp, &h, &t, out);
	arch_net_release(&net);
	return ret;
}

int search_evaluate_target(struct search_evaluator *ev, int t, const struct search_point *pt,
			   struct search_eval *out, struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	struct nn_entry *nn = NULL;
	int ret;

	start(sp, pt, out);
	if ((ret = nn_entry_get(ev, pt, &nn, err)) < 0)
		return ret;
	if ((ret = eval_target(ev, t, pt, nn, out, err)) != 0)
		return ret < 0 ? ret : 0;
	if (!sp->n_targets) {
		finish(sp, out);
		return 0;
	}
	/* the constraints that hold on this target alone: its own and the plain ones */
	memcpy(out->tm[t], out->m, sizeof(out->tm[t]));
	for (int i = 0; i < sp->n_con; i++)
		if (sp->con[i].at == 1 + t || sp->con[i].at == SEARCH_AT_PLAIN)
			check_constraint(sp, &sp->con[i], 1 + t, out);
	return 0;
}

int search_evaluate_uncached(struct search_evaluator *ev, const struct search_point *pt,
			     struct search_eval *out, struct hn_err *err)
{
	const struct search_space *sp = &ev->sp;
	struct search_eval r[SEARCH_MAX_TARGETS];
	int invalid[SEARCH_MAX_TARGETS] = { 0 }, ret;

	start(sp, pt, out);
	if (!sp->n_targets) {
		ret = eval_target_uncached(ev, 0, pt, out, err);
		if (ret == 0)
			finish(sp, out);
		return ret < 0 ? ret : 0;
	}
	for (int t = 0; t < sp->n_targets; t++) {
		start(sp, pt, &r[t]);
		if ((ret = eval_target_uncached(ev, t, pt, &r[t], err)) < 0)
			return ret;
		invalid[t] = ret;
	}
	if (!combine_targets(sp, r, invalid, out))
		finish(sp, out);
	return 0;
}
