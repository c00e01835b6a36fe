/* estim.h: a family of hardware-cost estimators, compared (issue 21 part 3, docs/search.md
 * "Cost estimators").
 *
 * The survey's four ways of pricing a network on an accelerator (Benmeziane et al. 2021):
 * real-time measurement (the RTL through Verilator, sim/), the analytical model (models/), a
 * lookup table of per-layer costs measured once (FBNet, HW-NAS-Bench), and learned predictors
 * trained on measured samples (a linear model on op and byte counts, as HW-NAS-Bench reports
 * for FPGAs, and gradient-boosted regression trees). Each one prices a (layer, accelerator)
 * and sums a network; estim_compare() runs them all on the same pairs against measurement.
 *
 * Depends on arch/, hw/, models/ and sim/ only. Never prints, never exits. */
#ifndef ESTIM_H
#define ESTIM_H

#include <stdint.h>
#include "../common/hn.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

struct sim_options;

/* ---- Measuring one layer (estim_measure.c) ---- */

/* Where a measurement comes from: the analytical model, or the RTL (sim_layer, bit-exact
 * checked). A MAC-free layer (pool, add) has no RTL unit: it always takes the model's. */
enum estim_source { ESTIM_SRC_MODEL = 0, ESTIM_SRC_RTL, ESTIM_SRC_COUNT };
const char *estim_source_name(int s);   /* "model", "rtl" */
int estim_source_parse(const char *s);  /* or -1 */

/* How layers are tiled and priced: the mapper (cost_mapper), the energy table, the mapping
 * cache (may be NULL), where measurements come from and the RTL's options. */
struct estim_ctx {
	int greedy;                     /* 1: map_default, 0: the optimal GLPK mapper */
	struct hw_energy energy;
	struct map_cache *cache;        /* not owned; NULL: none */
	int source;                     /* enum estim_source */
	const struct sim_options *sim;  /* ESTIM_SRC_RTL; NULL: defaults */
	int64_t max_macs;               /* RTL: layers with more MACs take the model's figure
					 * (counted, as explore --rtl does); 0: no limit */
};
void estim_ctx_init(struct estim_ctx *cx); /* glpk, default energy, model, no limit */

/* One layer on one accelerator. */
struct estim_meas {
	int fits;                       /* 0: no tiling fits (the pair is infeasible) */
	int measured;                   /* 1: by the RTL; 0: the model's figure */
	int64_t cycles;                 /* the layer's latency */
	int64_t dram_bytes;
	double energy_pj;               /* the model's; from the RTL, its static part scaled
					 * by RTL cycles / model cycles (the RTL measures no
					 * energy) */
	int64_t model_cycles;           /* the analytical model's cycles, for reference */
	struct map_tiling tiling;
	double seconds;                 /* wall time of this measurement (mapping included,
					 * a Verilator build not) */
	double build_s;                 /* a Verilator build this measurement waited for */
};

/* Tiles l on hw with cx's mapper and prices it with the model, or measures it on the RTL.
 * Returns 0 and fills *out (also when nothing fits: out->fits = 0), or a negative code with
 * err set: the mapper's error, a failed build or run (HN_EEXTERNAL), outputs that are not
 * bit-exact (HN_EEXTERNAL, naming the layer). */
int estim_measure_layer(const struct arch_layer *l, const struct hw_config *hw,
			const struct estim_ctx *cx, struct estim_meas *out, struct hn_err *err);

/* ---- The lookup table (estim_lut.c; file format in docs/search.md) ---- */

/* What a layer's cost depends on: its shape (not its name) and the config fields the model and
 * the RTL read. Plain values; zeroed padding, so two keys compare with memcmp. */
struct estim_key {
	int64_t kind, n, c, h, w, k, r, s;
	int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, pool_max;
	int64_t pe_rows, pe_cols, dataflow, act_bits, weight_bits, acc_bits;
	int64_t ibuf_bytes, wbuf_bytes, obuf_bytes, double_buffer, dram_latency_cycles;
	double freq_mhz, dram_gbps;
};
void estim_key_of(const struct arch_layer *l, const struct hw_config *hw, struct estim_key *k);
/* "conv n1 c16 32x32 k16 3x3 s1/1 p1/1 d1/1 g1 on 4x4 ws a8 w8 acc32 buf 1024/1024/2048
 * single 200 MHz 1.6 GB/s lat 20" into buf. */
void estim_key_format(const struct estim_key *k, char *buf, size_t size);

struct estim_lut_entry {
	struct estim_key key;
	int64_t cycles, dram_bytes;
	double energy_pj;
};

/* A hash table of entries, with what its figures depend on. Owned storage: release with
 * estim_lut_release. Lookups do not change it: threads may share a loaded table. */
struct estim_lut {
	int source;                     /* enum estim_source of the measurements */
	int greedy;                     /* the mapper the tilings came from */
	uint64_t energy_hash;           /* estim_energy_hash() of the table used */
	int64_t n, cap;                 /* entries, slots (a power of two) */
	struct estim_lut_entry *e;      /* cap slots */
	uint8_t *used;                  /* cap flags */
};
uint64_t estim_energy_hash(const struct hw_energy *e);
/* An empty table for measurements of cx (source, mapper, energy). */
void estim_lut_init(struct estim_lut *t, const struct estim_ctx *cx);
void estim_lut_release(struct estim_lut *t);
/* Adds or replaces an entry. 0 or HN_ENOMEM. */
int estim_lut_put(struct estim_lut *t, const struct estim_lut_entry *e);
/* The entry of key, or NULL. */
const struct estim_lut_entry *estim_lut_get(const struct estim_lut *t,
					    const struct estim_key *key);
/* HN_EINVAL naming origin when t was made with another mapper or energy table than cx's. */
int estim_lut_check_ctx(const struct estim_lut *t, const struct estim_ctx *cx,
			const char *origin, struct hn_err *err);
/* Writes / reads the file (text, checksummed). Load refuses another format, another
 * COST_MODEL_VERSION, a wrong checksum, a truncated or malformed file: HN_EINVAL naming the
 * file (and the line), HN_EIO when it cannot be read. *t is initialised by load (release it
 * also after an error). */
int estim_lut_save(const struct estim_lut *t, const char *path, struct hn_err *err);
int estim_lut_load(const char *path, struct estim_lut *t, struct hn_err *err);
/* The same from and to memory: parse reads len bytes of text (origin names it in errors);
 * to_text returns the file's text, checksum line included (caller frees; NULL: out of
 * memory), *len its length. */
int estim_lut_parse(const char *text, size_t len, const char *origin, struct estim_lut *t,
		    struct hn_err *err);
char *estim_lut_to_text(const struct estim_lut *t, size_t *len);

/* What a table does on a miss: the analytical model's figure (counted in *misses) or an
 * error naming the layer and the missing key. */
enum estim_miss { ESTIM_MISS_FAIL = 0, ESTIM_MISS_MODEL };

/* ---- Learned predictors (estim_fit.c: the fits; estim_pred.c: features, files) ---- */

/* Weighted least squares: w (nf) minimising sum_i wt_i (x_i . w - y_i)^2 + ridge |w'|^2 over
 * n rows of X (row-major n x nf), w' the weights of the columns scaled to unit norm; wt NULL:
 * all 1. Normal equations solved by Cholesky. A tiny ridge (1e-9) keeps a fit defined when a
 * feature is constant or repeats another on the data (a space with one DRAM latency) without
 * moving a well-posed one. 0, HN_EINVAL when the system is singular (ridge 0 and fewer
 * independent rows than features), HN_ENOMEM. */
int estim_lsq(const double *X, const double *y, const double *wt, int n, int nf, double ridge,
	      double *w, struct hn_err *err);

/* Gradient-boosted regression trees (Friedman 2001), squared loss: trees of fixed depth on
 * features quantised into at most ESTIM_GBT_BINS quantile bins, shrinkage lr, each tree on a
 * subsample of the rows drawn with the seed (deterministic). */
#define ESTIM_GBT_BINS 64
#define ESTIM_GBT_MAX_DEPTH 6
#define ESTIM_GBT_MAX_TREES 10000
/* nodes of a tree of depth d, in heap order (the children of i are 2i+1 and 2i+2) */
#define ESTIM_GBT_NODES(d) ((1 << ((d) + 1)) - 1)
struct estim_gbt_params {
	int trees, depth, min_leaf;
	double lr, subsample;
	uint64_t seed;
};
void estim_gbt_params_default(struct estim_gbt_params *p); /* 300, 4, 3, 0.1, 0.8, seed 1 */
struct estim_gbt_node {
	int32_t feature;                /* -1: a leaf */
	double threshold;               /* x[feature] <= threshold: left child (2i+1) */
	double value;                   /* leaf output */
};
struct estim_gbt {
	int nf, trees, depth;
	double lr, base;                /* prediction: base + lr x sum of the trees' leaves */
	struct estim_gbt_node *node;    /* owned: trees x ESTIM_GBT_NODES(depth), packed so a
					 * prediction stays in cache */
};
int estim_gbt_fit(const double *X, const double *y, int n, int nf,
		  const struct estim_gbt_params *p, struct estim_gbt *out, struct hn_err *err);
double estim_gbt_predict(const struct estim_gbt *g, const double *x);
void estim_gbt_release(struct estim_gbt *g);

/* Features of a MAC layer on an accelerator. Linear (ESTIM_LIN_NF, cycles are linear in
 * them): 1, the ideal compute cycles MACs / (R x C), the ideal memory cycles (every tensor
 * moved once: g (M K ab + K N wb + M N ab) bytes / bytes per cycle) and the DMA requests'
 * latency g x dram_latency. Trees (ESTIM_GBT_NF): log2 of g, M, N, K, R, C, the element
 * bytes, the buffers, bytes per cycle, 1 + latency, the two ideal cycle counts; the
 * dataflow, double buffering and the kind; log2 of each tensor's bytes over its buffer's;
 * the array's occupancy with (K, N), (M, N) and (K, M) on its rows and columns. */
#define ESTIM_LIN_NF 4
#define ESTIM_GBT_NF 25
void estim_features_linear(const struct arch_layer *l, const struct hw_config *hw, double *x);
void estim_features_gbt(const struct arch_layer *l, const struct hw_config *hw, double *x);
/* The roofline base the trees predict a log ratio to: max(ideal compute, ideal memory, 1). */
double estim_roof_cycles(const struct arch_layer *l, const struct hw_config *hw);

enum estim_pred_kind { ESTIM_PRED_LINEAR = 0, ESTIM_PRED_GBT, ESTIM_PRED_COUNT };
const char *estim_pred_kind_name(int k);  /* "linear", "gbt" */
int estim_pred_kind_parse(const char *s); /* or -1 */

/* A trained predictor of a MAC layer's cycles (MAC-free layers take the model's). */
struct estim_pred {
	int kind;                       /* enum estim_pred_kind */
	int source, greedy;             /* what its samples were measured with */
	double w[ESTIM_LIN_NF];         /* linear */
	struct estim_gbt gbt;           /* gbt (owned) */
	int n_train, n_test;            /* samples it was fitted / tested on */
	double test_mape;               /* % on the test samples (layers), -1 when none */
};
/* One training sample: a measured MAC layer. */
struct estim_sample {
	struct arch_layer l;
	struct hw_config hw;
	int64_t cycles;
};
/* Fits a predictor of `kind` on train (n_train) and reports its layer MAPE on test (n_test,
 * may be 0). Linear: least squares weighted by 1 / cycles^2 (the relative error). GBT:
 * log(cycles / roof) as the target. 0, or HN_EINVAL (too few samples), HN_ENOMEM. */
int estim_pred_train(int kind, const struct estim_sample *train, int n_train,
		     const struct estim_sample *test, int n_test, const struct estim_ctx *cx,
		     const struct estim_gbt_params *gp, struct estim_pred *out, struct hn_err *err);
/* Predicted cycles of a MAC layer: at least 1, at most ESTIM_PRED_MAX_CYCLES (finite). */
#define ESTIM_PRED_MAX_CYCLES 1e15
double estim_pred_layer(const struct estim_pred *p, const struct arch_layer *l,
			const struct hw_config *hw);
void estim_pred_release(struct estim_pred *p);
/* The predictor file (text, checksummed; docs/search.md): as the table, a file of another
 * format or COST_MODEL_VERSION, damaged or malformed, is refused naming the file. */
int estim_pred_save(const struct estim_pred *p, const char *path, struct hn_err *err);
int estim_pred_load(const char *path, struct estim_pred *p, struct hn_err *err);
int estim_pred_parse(const char *text, size_t len, const char *origin, struct estim_pred *p,
		     struct hn_err *err);
char *estim_pred_to_text(const struct estim_pred *p, size_t *len);

/* ---- Estimating a network (estim_net.c) ---- */

enum estim_kind {
	ESTIM_ANALYTICAL = 0, ESTIM_LUT, ESTIM_LINEAR, ESTIM_GBT, ESTIM_RTL, ESTIM_KIND_COUNT
};
const char *estim_kind_name(int k); /* "analytical", "lut", "linear", "gbt", "rtl" */

/* One estimator with what it needs: cx (all), the table (ESTIM_LUT), the predictor
 * (ESTIM_LINEAR / ESTIM_GBT). For ESTIM_RTL, cx->source is taken as ESTIM_SRC_RTL. */
struct estim_using {
	int kind;                       /* enum estim_kind */
	const struct estim_ctx *cx;
	const struct estim_lut *lut;
	int on_miss;                    /* enum estim_miss */
	const char *lut_origin;         /* its file, for messages */
	const struct estim_pred *pred;
};

/* A network's estimate. Energy and DRAM bytes only where the estimator gives them (the
 * analytical model, the table, the RTL: has_energy = 1); predictors estimate cycles. */
struct estim_net_cost {
	int feasible;                   /* 0: a layer fits no tiling; why names it */
	char why[128];
	int64_t cycles, dram_bytes;
	double energy_pj;
	int has_energy;
	int layers, rtl_layers;         /* layers priced; measured on the RTL */
	int lut_misses;                 /* ESTIM_LUT with ESTIM_MISS_MODEL: layers the model priced */
};
/* Estimates every layer of net on hw and sums them. MAC-free layers take the model's figure
 * under every estimator but the table (which holds them too). The RTL simulates each
 * distinct layer shape of the network once (same shape, config and tiling: same cycles). Returns 0 (also infeasible),
 * or a negative code: a table miss under ESTIM_MISS_FAIL (HN_ENOTFOUND naming the table
 * file, the layer and its key), a measurement's error. */
int estim_net(const struct estim_using *u, const struct arch_net *net, const struct hw_config *hw,
	      struct estim_net_cost *out, struct hn_err *err);

/* Puts an estimator's figures into the model's report r of l on hw under tiling t (what
 * eval and the search's evaluator do with --cost): the table's cycles, DRAM bytes and
 * energy (the static term takes the difference, the other terms stay the model's); a
 * predictor's cycles (MAC layers); the RTL's cycles and DRAM bytes (sim_layer under t, MAC
 * layers within cx->max_macs). The stall, utilisation, attained GOP/s and the static energy
 * follow the new cycles, as cost_calib_apply does. ESTIM_ANALYTICAL and an infeasible r: no
 * change. *from_model (may be NULL) = 1 when the model's figure was kept (a MAC-free layer
 * under a predictor or the RTL, a layer above max_macs, a table miss under ESTIM_MISS_MODEL).
 * Returns 0, or a negative code: a table miss under ESTIM_MISS_FAIL (HN_ENOTFOUND naming the
 * file, the layer and its key), the RTL's error. */
int estim_apply(const struct estim_using *u, const struct arch_layer *l,
		const struct hw_config *hw, const struct map_tiling *t, struct cost_report *r,
		int *from_model, struct hn_err *err);

/* estim_apply on every row of a network that cost_net priced (rows[i] for layer i, in place),
 * then its totals again (tot, finished). The RTL simulates each distinct (shape, tiling)
 * once. *from_model: the layers that kept the model's figure. 0, or estim_apply's error
 * (naming the layer). */
int estim_apply_rows(const struct estim_using *u, const struct arch_net *net,
		     const struct hw_config *hw, struct cost_net_row *rows, struct cost_total *tot,
		     int *from_model, struct hn_err *err);

/* An estimator with its file loaded, as eval and explore use it (--cost). */
struct estim_open {
	struct estim_ctx cx;
	struct estim_lut lut;
	struct estim_pred pred;
	struct estim_using u;           /* points into this struct: never copy it */
	char path[512];
};
/* Opens the estimator `name` ("analytical", "lut", "predictor", "rtl") for runs with this
 * mapper (enum cost_mapper) and energy table: loads path (the table or the predictor; the
 * predictor file says linear or gbt) and checks it was made with that mapper and energy
 * table. on_miss: enum estim_miss; the RTL keeps the model's figure for layers above max_macs
 * (0: none) and runs with so (NULL: defaults; not copied). o is caller storage, released with
 * estim_close, also after an error. 0, or HN_EINVAL (an unknown name, a file missing where
 * needed or given where not, a file made for another mapper), the loader's error. */
int estim_open(struct estim_open *o, const char *name, const char *path, int on_miss,
	       int mapper, const struct hw_energy *e, int64_t max_macs,
	       const struct sim_options *so, struct hn_err *err);
void estim_close(struct estim_open *o);

/* ---- The comparison (estim_compare.c) ---- */

/* A (network, accelerator) pair of the comparison: indices into the caller's arrays. */
struct estim_pair { int net, hw; };

struct estim_compare_opts {
	struct estim_ctx cx;            /* mapper, energy, truth source (model or rtl), sim, limit */
	double train_frac;              /* pairs measured for training (0 < f < 1) */
	uint64_t seed;                  /* the split and the trees' subsamples */
	struct estim_gbt_params gbt;
	double min_time_s;              /* repeat an estimator's pass until it took this long
					 * (a stable time per evaluation); 0: once */
	/* optional: before each layer measurement (done of total distinct layers) */
	void (*on_measure)(void *ctx, int64_t done, int64_t total, const char *what);
	void *ctx;
};
void estim_compare_opts_init(struct estim_compare_opts *o);

/* Fidelity and cost of one estimator over the test pairs. */
struct estim_row {
	int kind;                       /* enum estim_kind */
	int n;                          /* test pairs */
	double mape, max_err;           /* % against the truth's network cycles */
	double tau;                     /* Kendall tau-b of the rankings */
	double us_per_eval;             /* wall microseconds per network evaluation, cold: the
					 * model maps every layer (GLPK), as for a pair never seen */
	double us_warm;                 /* the same once the layer shapes are mapped (a shared
					 * mapping cache, as a search has); RTL: as cold */
	double build_s;                 /* one-off cost: measurements for the table / training
					 * the predictor (fits), measurements for training */
	int64_t lookups, misses;        /* table: layers looked up (one pass), and of them the
					 * layers the model priced instead */
};

struct estim_compare {
	int n_pairs, n_train, n_test, n_infeasible; /* infeasible pairs are left out */
	struct estim_pair *test;        /* owned: n_test pairs, in order */
	double *truth;                  /* owned: n_test network cycles by the truth source */
	double *est[ESTIM_KIND_COUNT];  /* owned: n_test estimates per estimator (NULL: not run) */
	struct estim_row row[ESTIM_KIND_COUNT];
	int has[ESTIM_KIND_COUNT];      /* 1: the row was run (rtl only when the truth is rtl) */
	int64_t layers_measured;        /* distinct (layer, config) measured, MAC-free included */
	int64_t layers_train;           /* of them, in the training pairs (the table's entries) */
	int64_t rtl_layers;             /* measured on the RTL */
	int64_t model_layers_big;       /* above max_macs: the model's figure in the truth */
	double measure_s;               /* wall time of all measurements */
	double layer_mape[ESTIM_PRED_COUNT]; /* predictors' % error on unseen test layers */
	int layer_test_n;               /* unseen test layers (MAC) */
	struct estim_lut lut;           /* owned: every layer measured (train and test) */
	struct estim_pred pred[ESTIM_PRED_COUNT]; /* owned: fitted on the training layers */
};

/* Splits pairs into training and test pairs (seeded), measures every distinct (layer, config)
 * of all of them once with the truth source, builds the table and fits the predictors on
 * the training pairs' layers only, then estimates every test pair with each estimator and
 * scores it against the truth. Fills *out (release with estim_compare_release), or returns a
 * negative code (HN_EINVAL: fewer than 2 feasible pairs on a side; a measurement's error). */
int estim_compare_run(const struct arch_net *nets, const struct hw_config *hws,
		      const struct estim_pair *pairs, int n_pairs,
		      const struct estim_compare_opts *o, struct estim_compare *out,
		      struct hn_err *err);
void estim_compare_release(struct estim_compare *c);

/* Mean absolute percentage error and max |error| of est against truth (n values). */
void estim_errors(const double *est, const double *truth, int n, double *mape, double *max_err);

#endif
