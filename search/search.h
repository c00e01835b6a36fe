/* search.h: joint search of network and accelerator (docs/search.md).
 *
 * A search space (read from JSON) is a list of categorical dimensions: the NN knobs first
 * (NAS-Bench-201 edges, MobileNet-space stage knobs), then the HW knobs (pe_rows, buffers,
 * dataflow, bits, ...). A point is one choice index per dimension: a plain fixed-size value
 * that is copied with `=` and maps one to one to an integer index (so it hashes exactly).
 *
 * The evaluator turns a point into a struct search_eval (metrics, normalised objectives,
 * feasibility with a reason), caching per layer shape x accelerator. Strategies are a table of
 * struct search_ops (init / propose / report / release); the driver (search_run) owns the
 * budget and the stop rule and reports results in proposal order, so that the same seed gives
 * the same result. */
#ifndef SEARCH_H
#define SEARCH_H

#include <stdint.h>
#include <stdio.h>
#include "../common/hn.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

#define SEARCH_MAX_DIMS 48
#define SEARCH_MAX_CHOICES 32
#define SEARCH_MAX_OBJ 6
#define SEARCH_MAX_CON 8
#define SEARCH_CMD_MAX 512
#define SEARCH_MAX_TARGETS 4
#define SEARCH_TARGET_NAME 24

/* ---- Points and spaces ---- */

struct search_point {
	uint8_t c[SEARCH_MAX_DIMS];     /* choice index per dimension; unused dims are 0 */
};

enum search_metric {
	SEARCH_M_ACCURACY = 0, /* % (after the quantisation penalty) */
	SEARCH_M_LATENCY_MS,
	SEARCH_M_ENERGY_MJ,
	SEARCH_M_EDP,          /* mJ x ms */
	SEARCH_M_DSP,
	SEARCH_M_BRAM,         /* BRAM36 blocks */
	SEARCH_M_LUT,
	SEARCH_M_FF,
	SEARCH_M_MACS,         /* per inference (batch) */
	SEARCH_M_COUNT
};
const char *search_metric_name(int m);  /* "accuracy", "latency_ms", ... "bram", ... */
int search_metric_parse(const char *s); /* or -1 */

enum search_nn_kind { SEARCH_NN_NB201 = 0, SEARCH_NN_MBV2, SEARCH_NN_ZOO };

/* What a dimension sets. NN knobs of the MobileNet space carry their stage in dim.stage. */
enum search_knob {
	SEARCH_K_NB201_EDGE = 0,        /* stage = edge index, values = enum arch_nb201_op */
	SEARCH_K_MB_KERNEL, SEARCH_K_MB_EXPAND, SEARCH_K_MB_DEPTH,
	SEARCH_K_MB_WIDTH, SEARCH_K_MB_RESOLUTION,
	SEARCH_K_HW_PE_ROWS, SEARCH_K_HW_PE_COLS, SEARCH_K_HW_DATAFLOW,
	SEARCH_K_HW_BITS,               /* act_bits and weight_bits together */
	SEARCH_K_HW_ACT_BITS, SEARCH_K_HW_WEIGHT_BITS, SEARCH_K_HW_ACC_BITS,
	SEARCH_K_HW_BUFFER,             /* ibuf, wbuf and obuf bytes together */
	SEARCH_K_HW_IBUF, SEARCH_K_HW_WBUF, SEARCH_K_HW_OBUF,
	SEARCH_K_HW_DOUBLE_BUFFER, SEARCH_K_HW_FREQ, SEARCH_K_HW_DRAM_GBPS,
	SEARCH_K_HW_DRAM_LATENCY,
	SEARCH_K_HW_MAC_PACKING,        /* enum hw_packing */
	SEARCH_K_COUNT
};

struct search_dim {
	char name[48];                  /* "edge0", "s2.kernel", "pe_rows", "buffer_bytes";
					 * a target's HW knob: "zcu102.pe_rows" */
	int knob;                       /* enum search_knob */
	int stage;                      /* NB201 edge or MobileNet stage; a HW knob: its target
					 * (0 in a space without targets) */
	int n;                          /* number of choices, 1 .. SEARCH_MAX_CHOICES */
	double v[SEARCH_MAX_CHOICES];   /* the values (dataflow: enum hw_dataflow) */
};

/* Where a metric is read in a space with several targets (docs/search.md "Multiple
 * targets"): SEARCH_AT_PLAIN (0) is the space's one accelerator, or in a multi-target space
 * the worst case over the targets (max; accuracy: min); 1 + t is target t; the aggregates
 * are over every target. */
enum { SEARCH_AT_PLAIN = 0, SEARCH_AT_MAX = -1, SEARCH_AT_MIN = -2, SEARCH_AT_MEAN = -3 };

struct search_objective {
	int metric;                     /* enum search_metric */
	int at;                         /* SEARCH_AT_*, or 1 + target */
	int maximize;                   /* accuracy: 1 */
	double ideal;                   /* the best value there could be (accuracy 100, else 0) */
	double ref;                     /* hypervolume reference (the worst value that counts) */
};

/* metric within [lo, hi]; a missing side is -inf / +inf. */
struct search_constraint {
	int metric;
	int at;                         /* SEARCH_AT_PLAIN: on every target; else as objectives */
	double lo, hi;
};

enum search_form { SEARCH_PARETO = 0, SEARCH_WEIGHTED, SEARCH_MNAS };

/* One hardware target of a multi-target space: a device with a base config and its own HW
 * knobs (sp->dims with stage == the target's index; none for a fixed config). */
struct search_target {
	char name[SEARCH_TARGET_NAME];  /* "pynq_z1": objectives say latency_ms@pynq_z1 */
	struct hw_config hw_base;       /* with the device set */
	char hw_base_path[512];         /* "" when given inline */
};

struct search_space {
	char origin[256];               /* the file name, for messages */
	char name[64];
	int nn_kind;                    /* enum search_nn_kind */
	int dataset;                    /* NB201: enum arch_nb201_dataset */
	char zoo[ARCH_NAME_MAX];        /* zoo network (SEARCH_NN_ZOO) */
	double fixed_accuracy;          /* zoo: the accuracy the user states, NaN if none */
	struct arch_mb_config mb_base;  /* MobileNet space: values of knobs not searched */
	char acc_cmd[SEARCH_CMD_MAX];   /* external accuracy command, "" for none */
	double acc_timeout_s;
	int quant_from_command;         /* 1: the command sees the bits and prices them itself */
	struct arch_quant_penalty quant;
	int quant_overridden;           /* 1: the space file gave its own table */
	int64_t batch;
	struct hw_config hw_base;       /* values of HW fields not searched */
	char hw_base_path[512];         /* the file hw.base names ("" when given inline) */
	enum cost_mapper mapper;        /* the optimal GLPK mapper (the default everywhere) */
	struct hw_energy energy;        /* the energy table: the default or the space's "energy" */
	char energy_path[512];          /* "energy" file, "" for the default table */
	struct cost_calib calib;        /* the space's "calibration" (identity when none) */
	char calib_path[512];           /* "calibration" file, "" for none */
	struct cost_axi axi;            /* "axi": rank by the AXI top's cycles (dw 0: the direct
					 * top's; docs/model.md "Through the AXI top") */
	char net_path[512];             /* SEARCH_NN_ZOO: the network file, "" for a zoo name */
	/* who prices a layer's cycles (explore --cost; docs/search.md "Cost estimators"): the
	 * model ("" or "analytical"), "lut" or "predictor" (cost_path) or "rtl"; set by the
	 * command, not read from the space file */
	char cost[16];
	char cost_path[512];
	int cost_miss_model;            /* 1: a table miss is priced by the model (counted) */
	int64_t cost_rtl_max_macs;      /* rtl: layers above keep the model's figure; 0: none */
	/* several hardware targets ("targets"; docs/search.md "Multiple targets"): 0 for the
	 * single accelerator of hw_base; else a point is a network and one config per target,
	 * and hw_base is targets[0]'s */
	int n_targets;
	struct search_target targets[SEARCH_MAX_TARGETS];
	int n_dims, n_nn_dims;          /* dims[0 .. n_nn_dims) are NN knobs, then HW knobs */
	struct search_dim dims[SEARCH_MAX_DIMS];
	int n_obj;
	struct search_objective obj[SEARCH_MAX_OBJ];
	int n_con;
	struct search_constraint con[SEARCH_MAX_CON];
	int fit_device;                 /* 1: a design must fit its device (default) */
	int form;                       /* enum search_form */
	double weights[SEARCH_MAX_OBJ]; /* SEARCH_WEIGHTED: one per objective */
	double mnas_target_ms, mnas_alpha, mnas_beta; /* reward acc x (lat/T)^(alpha or beta) */
};

/* Reads a space file (docs/search.md). Errors name the file and the field:
 * "space.json: 'hw.choices.pe_rows[2]' must be between 1 and 256, got 0". */
int search_space_load(const char *path, struct search_space *sp, struct hn_err *err);
int search_space_parse_json(const char *text, size_t len, const char *origin,
			    struct search_space *sp, struct hn_err *err);

/* Number of points of the whole space, of its NN part and of its HW part. */
uint64_t search_space_size(const struct search_space *sp);
uint64_t search_space_nn_size(const struct search_space *sp);
uint64_t search_space_hw_size(const struct search_space *sp);

/* The point <-> index bijection (mixed radix, dimension 0 fastest). */
uint64_t search_point_index(const struct search_space *sp, const struct search_point *pt);
void search_point_from_index(const struct search_space *sp, uint64_t index,
			     struct search_point *pt);
uint64_t search_point_nn_id(const struct search_space *sp, const struct search_point *pt);
uint64_t search_point_hw_id(const struct search_space *sp, const struct search_point *pt);
int search_point_eq(const struct search_point *a, const struct search_point *b);

/* The accelerator of a point: hw_base with the point's HW knobs applied (in a multi-target
 * space, the first target's). */
void search_space_hw(const struct search_space *sp, const struct search_point *pt,
		     struct hw_config *hw);
/* The accelerator of target t of a point (t = 0 in a space without targets). */
void search_space_target_hw(const struct search_space *sp, int t, const struct search_point *pt,
			    struct hw_config *hw);
/* The targets a space prices a network on: n_targets, or 1 for a space without targets. */
int search_space_target_count(const struct search_space *sp);
/* "zcu102" (target t), "" in a space without targets. */
const char *search_space_target_name(const struct search_space *sp, int t);
/* An objective's or constraint's metric as written: "latency_ms", "latency_ms@zcu102",
 * "latency_ms@max". */
void search_metric_label(const struct search_space *sp, int metric, int at, char *buf,
			 size_t size);
/* The network of a point, exactly as the search priced it: the NB201 cell on the space's
 * dataset, the MobileNet config, the zoo network or the space's network file, at the space's
 * batch. The one builder: the evaluator, the RTL refinement, explore's configs/<i>.net.json
 * and the report (from a store) call it. Fills *net (caller releases with arch_net_release)
 * or returns the builder's error. */
int search_space_net(const struct search_space *sp, const struct search_point *pt,
		     struct arch_net *net, struct hn_err *err);
/* The NB201 ops / MobileNet config of a point. */
void search_space_nb201_ops(const struct search_space *sp, const struct search_point *pt,
			    int ops[ARCH_NB201_EDGES]);
void search_space_mb(const struct search_space *sp, const struct search_point *pt,
		     struct arch_mb_config *mb);
/* The NN description: the cell string (NB201), "r224 w1.00 k3e1d1 ..." (MobileNet) or the
 * zoo name. */
void search_space_describe_nn(const struct search_space *sp, const struct search_point *pt,
			      char *buf, size_t size);

/* ---- Inputs: everything that shapes a result (search_inputs.c, docs/store.md) ----
 * A run's identity: the bytes of the space file and of every file it points to (hw.base, a
 * network file, energy and calibration tables, the accuracy command's program, the accuracy
 * table), the cost model's version and the mapper. A resume must find the same; front.json
 * lists them. */

#define SEARCH_MAX_INPUTS (10 + SEARCH_MAX_TARGETS + 1)
#define SEARCH_ID_LEN 16               /* hex digits of an identity or a file hash */

struct search_input {
	char role[24];                  /* "space file", "hw.base file", "network file",
					 * "energy file", "calibration file", "accuracy command"
					 * (its program, when a file), "accuracy table",
					 * "cost model version", "mapper"; with --cost, "cost
					 * estimator" and "cost file" */
	char value[112];                /* a file's FNV-1a 64 (hex); the version; the mapper;
					 * the target names ("pynq_z1,zcu102") */
	char path[512];                 /* the file ("" for the version and the mapper) */
};

struct search_inputs {
	int n;
	struct search_input in[SEARCH_MAX_INPUTS];
	char id[SEARCH_ID_LEN + 1];     /* FNV-1a 64 of every role and value: the identity */
};

/* Collects the inputs of the space read from space_file (sp as search_space_load left it)
 * and hashes them. HN_EIO / HN_ENOTFOUND naming a file that cannot be read. */
int search_inputs_collect(const char *space_file, const struct search_space *sp,
			  struct search_inputs *out, struct hn_err *err);
/* The inputs as text ("role\tvalue\tpath" lines) and back (HN_EINVAL on a malformed text). */
int search_inputs_to_text(const struct search_inputs *in, char *buf, size_t size);
int search_inputs_from_text(const char *text, struct search_inputs *out, struct hn_err *err);
/* What differs from `was` (a store's) to `now`, as one sentence naming each change
 * ("space.json changed since the store was made; the cost model is version 4, the store's
 * figures are version 3"); "" when they agree. */
void search_inputs_diff(const struct search_inputs *was, const struct search_inputs *now,
			char *buf, size_t size);

/* ---- Evaluation ---- */

enum search_acc_source {
	SEARCH_ACC_NONE = 0,     /* no accuracy (a zoo network without one) */
	SEARCH_ACC_TABLE,        /* "nb201-table": measured, NAS-Bench-201 */
	SEARCH_ACC_COMMAND,      /* "command": the user's external command */
	SEARCH_ACC_PROXY,        /* "proxy": arch_acc_proxy_mb, not a measurement */
	SEARCH_ACC_FIXED         /* "fixed": stated in the space file */
};
const char *search_acc_source_name(int s);
enum search_fidelity { SEARCH_FID_MODEL = 0, SEARCH_FID_RTL };
const char *search_fidelity_name(int f); /* "model", "rtl" */

/* One evaluated point: plain values, so that a store can keep it as one row (issue 7). */
struct search_eval {
	struct search_point pt;
	uint64_t index;                 /* search_point_index() */
	int64_t seq;                    /* evaluation number in the run, from 0 */
	int feasible;                   /* 0: why says which limit or constraint */
	char why[160];
	double violation;               /* > 0 when infeasible: how far (for strategies) */
	double m[SEARCH_M_COUNT];       /* metrics */
	double obj[SEARCH_MAX_OBJ];     /* objectives normalised to minimise: (v - ideal) /
					 * (ref - ideal); the reference point is 1, ..., 1 */
	double score;                   /* SEARCH_WEIGHTED / SEARCH_MNAS: higher is better */
	double acc_raw;                 /* accuracy before the quantisation penalty */
	double acc_penalty;             /* percentage points taken off (assumption table) */
	int acc_source;
	int fidelity;
	/* mapping summary: totals over the layers under the chosen tilings (0 when the
	 * accelerator is invalid) */
	int64_t cycles, stall_cycles, dram_bytes;
	/* a space with targets: the metrics on each target (tm[t], accuracy after that target's
	 * quantisation); m is then the worst case over the targets (max; accuracy: min), and
	 * cycles .. dram_bytes are the first target's. All 0 in a space without targets. */
	double tm[SEARCH_MAX_TARGETS][SEARCH_M_COUNT];
};
/* "latency_ms", "latency_ms@zcu102" (a target of names[0 .. n_targets)), "latency_ms@max",
 * "@min", "@mean", "@worst" (max; accuracy: min) into *metric and *at. 0, or -1 for an unknown
 * metric, -2 for a target suffix when n_targets is 0, -3 for an unknown target. */
int search_metric_label_parse(const char *s, const char (*names)[SEARCH_TARGET_NAME],
			      int n_targets, int *metric, int *at);
/* The value of metric at `at` (SEARCH_AT_*) from per-target metrics tm[0 .. n_targets) and
 * the plain ones m (n_targets 0: m): the one rule for aggregates (max, min, mean). */
double search_metric_at(const double (*tm)[SEARCH_M_COUNT], int n_targets, const double *m,
			int metric, int at);
/* The value of metric at `at` (SEARCH_AT_*) of an evaluation. */
double search_eval_metric(const struct search_space *sp, const struct search_eval *e, int metric,
			  int at);

struct search_evaluator;
/* Evaluator of a space: owns the accuracy table (loaded here for NB201, HN_ENOTFOUND when
 * data/nb201_accuracy.csv is not found) and the caches. Not thread-safe: one per thread
 * (search_evaluator_clone). Free with search_evaluator_free. */
int search_evaluator_new(const struct search_space *sp, struct search_evaluator **out,
			 struct hn_err *err);
void search_evaluator_free(struct search_evaluator *ev);
/* A second evaluator of the same space for another thread: its own caches (per-shape costs,
 * networks, accelerators), sharing the read-only accuracy table and the thread-safe mapping
 * cache of ev, which must outlive it. Free with search_evaluator_free. */
int search_evaluator_clone(const struct search_evaluator *ev, struct search_evaluator **out,
			   struct hn_err *err);
/* Lookups, predictions or RTL runs of sp->cost that kept the model's figure for a layer (a
 * table miss under cost_miss_model, a MAC-free layer, a layer above cost_rtl_max_macs),
 * counted over the (shape, accelerator) pairs this evaluator priced. */
int64_t search_evaluator_cost_from_model(const struct search_evaluator *ev);
/* Evaluates pt into *out (also when infeasible). Negative only for a real error (an accuracy
 * command failing, a mapper failing, out of memory). */
int search_evaluate(struct search_evaluator *ev, const struct search_point *pt,
		    struct search_eval *out, struct hn_err *err);
/* The network of pt on target t alone (t = 0 in a space without targets, where this is
 * search_evaluate): out->m (and out->tm[t]) its metrics there, infeasible when it breaks the
 * target's device, its invalid config, or a constraint on that target (metric@t, or a plain
 * one); objectives and score are left 0 in a multi-target space. For the transfer report. */
int search_evaluate_target(struct search_evaluator *ev, int t, const struct search_point *pt,
			   struct search_eval *out, struct hn_err *err);
/* Same, without the caches: expands the network and sums cost_layer over every layer. For
 * tests of the cache (and of the per-shape accounting). */
int search_evaluate_uncached(struct search_evaluator *ev, const struct search_point *pt,
			     struct search_eval *out, struct hn_err *err);
/* Cache statistics: distinct layer shapes, (shape, hw) costs computed, lookups. */
void search_evaluator_stats(const struct search_evaluator *ev, int64_t *shapes,
			    int64_t *costs, int64_t *lookups);
/* The path of the accuracy table in use ("" when none). */
const char *search_evaluator_table_path(const struct search_evaluator *ev);

/* ---- Pareto front and hypervolume ---- */

/* 1 when a dominates b (all objectives <= and one <), minimisation, n objectives. */
int search_dominates(const double *a, const double *b, int n);

/* The non-dominated feasible evaluations seen so far. */
struct search_front {
	int n, n_obj;
	int64_t cap;
	struct search_eval *p;          /* owned */
};
void search_front_init(struct search_front *f, int n_obj);
void search_front_release(struct search_front *f);
/* Adds e when feasible and not weakly dominated by a member, removing members it dominates.
 * Returns 1 when added, 0 when not, HN_ENOMEM. */
int search_front_add(struct search_front *f, const struct search_eval *e);
/* Sorts members by their first objective, then the next ones (a stable output order). */
void search_front_sort(struct search_front *f);

/* Hypervolume dominated by n points of d objectives (row-major, minimisation) up to the
 * reference point 1, ..., 1; points not strictly below it in every objective are ignored.
 * Exact: d = 1, 2 by sweep, d = 3 by slicing into 2-D sweeps (O(n^2 log n)), d >= 4 by
 * recursive slicing (HSO, While et al. 2006). Returns < 0 on out-of-memory. */
double search_hypervolume(const double *pts, int n, int d);
double search_front_hypervolume(const struct search_front *f);
/* The members outside the reference box (the hypervolume ignores them), and per objective j
 * how many its reference value excludes (excluded[j], n_obj entries: normalised o >= 1). */
int search_front_outside(const struct search_front *f, int *excluded);

/* ---- Strategies ---- */

/* The problem as strategies see it. */
struct search_problem {
	int n_dims;
	int n_nn_dims;                  /* dims 0 .. n_nn_dims-1 choose the network */
	int n_choices[SEARCH_MAX_DIMS];
	int n_obj;
	int form;                       /* SEARCH_PARETO: strategies scalarise with weights */
	int64_t budget;                 /* a hint (schedules); the driver enforces it */
	uint64_t seed;
};

/* Lower is better. Pareto: augmented Chebyshev scalarisation of e->obj with weights w
 * (ParEGO, Knowles 2006); weighted / MnasNet: -score. Infeasible: 1e6 + violation. */
double search_fitness(const struct search_problem *p, const struct search_eval *e,
		      const double *w);

struct search_ops {
	const char *name;
	const char *summary;
	/* Allocates the strategy state; returns 0 or HN_ENOMEM. */
	int (*init)(void **st, const struct search_problem *p, struct hn_err *err);
	/* Writes the next point to evaluate; returns 1, or 0 when it waits for reports. */
	int (*propose)(void *st, struct search_point *out);
	/* The result of a proposed point, in proposal order. */
	void (*report)(void *st, const struct search_eval *e);
	void (*release)(void *st);
	/* 1: the budget counts distinct networks (accuracy evaluations), not distinct points */
	int budget_networks;
	/* Whether the driver may ask for more proposals before the earlier ones are reported
	 * (-j N, MPI): SEARCH_AHEAD_NONE (one at a time, always exact), SEARCH_AHEAD_ALL, or
	 * SEARCH_AHEAD_BELOW for proposals 0 .. ahead_below-1. Read from the strategy's code:
	 * propose() must not read state that report() changes, for the proposals covered;
	 * tests/test_store.c checks each against the serial run. */
	int ahead;
	int64_t ahead_below;
};
enum { SEARCH_AHEAD_NONE = 0, SEARCH_AHEAD_ALL, SEARCH_AHEAD_BELOW };
/* nested (search_nested.c): every accelerator of a network when the HW part has at most
 * SEARCH_NESTED_HW_EXHAUSTIVE points, else a nested search of SEARCH_NESTED_HW_BUDGET. */
#define SEARCH_NESTED_HW_EXHAUSTIVE 4096
#define SEARCH_NESTED_HW_BUDGET 512
extern const struct search_ops search_random_ops, search_nsga2_ops, search_evolution_ops,
	search_annealing_ops, search_reinforce_ops, search_bo_ops, search_nested_ops,
	search_twostage_ops;
int search_strategy_count(void);
const struct search_ops *search_strategy_at(int i);
const struct search_ops *search_strategy_find(const char *name);

/* A small seedable PRNG (xoshiro256**, seeded by splitmix64). */
struct search_rng {
	uint64_t s[4];
};
void search_rng_seed(struct search_rng *r, uint64_t seed);
uint64_t search_rng_next(struct search_rng *r);
double search_rng_uniform(struct search_rng *r);          /* [0, 1) */
int search_rng_below(struct search_rng *r, int n);         /* 0 .. n-1 */
void search_rng_point(struct search_rng *r, const struct search_problem *p,
		      struct search_point *pt);
/* A weight vector on the simplex (uniform), n entries. */
void search_rng_weights(struct search_rng *r, int n, double *w);

/* ---- The driver ---- */

struct store;

/* Evaluates n points into out[0 .. n) (and the wall seconds of each into secs), in any order
 * or place (MPI ranks); returns 0 or a negative code with err filled. */
typedef int (*search_eval_batch_fn)(void *ctx, const struct search_point *pts, int n,
				    struct search_eval *out, double *secs, struct hn_err *err);

struct search_run_opts {
	const char *strategy;           /* name in the table (ignored when exhaustive) */
	int64_t budget;                 /* distinct evaluations */
	uint64_t seed;
	int exhaustive;                 /* every point in index order, no strategy */
	/* Called after every new evaluation (not for repeats answered from memory), with the
	 * front so far; a negative return stops the run with that code (err filled by it). */
	int (*on_eval)(void *ctx, const struct search_eval *e, const struct search_front *f,
		       struct hn_err *err);
	void *ctx;
	/* Evaluations at a time: analytical ones on this many threads (1: no threads). The result
	 * does not depend on it (docs/store.md: which strategies propose ahead). */
	int jobs;
	/* When set, evaluations go through it instead of the threads, up to batch_max points at a
	 * time (MPI, cli/cmd_explore.c). */
	search_eval_batch_fn eval_batch;
	void *eval_ctx;
	int batch_max;
	/* The result store (store_begin_run done), or NULL: a point found there is reported from
	 * it instead of evaluated; every new evaluation is written to it before on_eval. */
	struct store *store;
};

struct search_run_result {
	struct search_front front;
	int64_t evaluations;            /* distinct points evaluated */
	int64_t networks;               /* distinct networks among them (accuracy evaluations) */
	int64_t proposals;              /* points proposed, repeats included */
	int64_t from_store;             /* of the evaluations, found in the store */
	double eval_seconds;            /* wall seconds of the evaluations done (summed over
					 * threads: / (jobs x seconds) is how busy they were) */
	int has_best;
	struct search_eval best;        /* best score (weighted / MnasNet) or best first objective */
	double hypervolume;
	double seconds;
};

/* Runs a search. Stops at the budget (distinct points, or distinct networks for a strategy
 * with budget_networks: the proposal of a network beyond the budget ends the run), when the strategy repeats itself for 20 x budget
 * proposals, or when the space is exhausted. Points found in o->store count as evaluations of
 * the run, so a resumed run replays the strategy and ends exactly as an uninterrupted one.
 * Caller releases r. */
int search_run(const struct search_space *sp, struct search_evaluator *ev,
	       const struct search_run_opts *o, struct search_run_result *r, struct hn_err *err);
void search_run_result_release(struct search_run_result *r);

/* ---- Transfer between targets (search_transfer.c, docs/search.md "Transfer loss") ----
 * For each ordered pair of targets (A, B): the networks a search for A keeps (those on A's
 * exact (accuracy, metric) front over every network and every config of A) deployed on B at
 * their best config there, against B's own best at the same or better accuracy. Exhaustive
 * over networks x each target's configs (a sum over the targets, not their product). */
struct search_transfer_row {
	int from, to;                   /* targets A and B */
	uint64_t nn;                    /* the network (search_point_nn_id) */
	double acc_a, m_a;              /* its point on A's front */
	double acc_b, m_b;              /* its best metric on B (and the accuracy there); NaN
					 * when no config of B takes it */
	double best_b;                  /* B's best metric at accuracy >= acc_b, any network */
	double loss_pct;                /* (m_b / best_b - 1) x 100; NaN when infeasible on B */
};
struct search_transfer_pair {
	int from, to;
	int picked;                     /* networks on A's front */
	int infeasible;                 /* of them, without a feasible config on B */
	double mean_loss_pct, max_loss_pct;
	int worst;                      /* index into rows of the largest loss, -1 none */
	double hv_own, hv_picked;       /* B's 2-D (accuracy, metric) hypervolume: every network,
					 * A's picks only */
};
struct search_transfer {
	int metric;                     /* enum search_metric (a minimised one) */
	int n_targets;
	int n_pairs;
	struct search_transfer_pair pairs[SEARCH_MAX_TARGETS * (SEARCH_MAX_TARGETS - 1)];
	int front_size[SEARCH_MAX_TARGETS];     /* each target's (accuracy, metric) front */
	double ref[SEARCH_MAX_TARGETS];         /* the metric's hypervolume reference per target */
	double acc_ref;
	double kendall_tau[SEARCH_MAX_TARGETS][SEARCH_MAX_TARGETS]; /* of the networks' best
					 * metric on A and on B (networks feasible on both) */
	int n_rows;
	struct search_transfer_row *rows;       /* owned */
	int64_t evaluations, networks;
	double seconds;
};
/* Computes the table for a space with targets (HN_EINVAL naming the space otherwise, or for a
 * metric that is not minimised). Fills *out; release with search_transfer_release. */
int search_transfer_run(const struct search_space *sp, struct search_evaluator *ev, int metric,
			struct search_transfer *out, struct hn_err *err);
void search_transfer_release(struct search_transfer *t);
/* The table as JSON (transfer.json). Caller frees. */
char *search_transfer_to_json(const struct search_space *sp, const struct search_transfer *t);

/* ---- Output (search_json.c) ---- */

/* One evaluation as a JSON object on one line (evaluations.jsonl), no newline. Caller frees. */
char *search_eval_to_json_line(const struct search_space *sp, const struct search_eval *e);
/* front.json of a run: the points (each with its configs/<i>.json, configs/<i>.net.json and
 * the `hwnas eval` command that reproduces its latency and energy), and what produced them
 * (mapper, cost model version, network source, dataset, batch, energy, calibration, the
 * inputs in; in may be NULL). Caller frees. */
char *search_front_to_json(const struct search_space *sp, const struct search_run_result *r,
			   const char *strategy, uint64_t seed, int64_t budget,
			   const struct search_inputs *in);
/* front.csv text. Caller frees. */
char *search_front_to_csv(const struct search_space *sp, const struct search_front *f);
/* Verilog parameter header of a config: the -G parameters of rtl/hwnas_top.v as `hwnas
 * synth` builds it (sim_synth_params_from_hw: dense buffer depths). Caller frees. */
char *search_hw_to_verilog(const struct hw_config *hw, const char *comment);

/* The result store (store_*) is declared in store.h. */
struct store;

/* ---- RTL refinement of front points (search_refine.c) ---- */

struct sim_options;
struct search_refine {
	int64_t model_cycles;      /* the model's network cycles under the search's tilings */
	int64_t rtl_cycles;        /* measured MAC layers + the model's cycles for the rest */
	double model_latency_ms, rtl_latency_ms;
	double err_pct;            /* (model - rtl) / rtl x 100 */
	int layers_rtl;            /* MAC layers whose cycles were measured (each distinct shape
				    * simulated once: same shape, tiling and hardware, same cycles) */
	int shapes_simulated;
	int layers_model_only;     /* pool/add (no RTL unit) and layers above the MAC guard */
	int all_bit_exact;         /* every simulated layer matched the C reference */
	double sim_seconds, build_seconds;
};

/* Simulates the point's network on the RTL (sim_layer) with the tilings the search used.
 * Layers with more than max_macs MACs keep the model's cycles (counted in
 * layers_model_only). Negative with err set when a build or run fails. */
int search_refine_point(const struct search_space *sp, const struct search_point *pt,
			const struct sim_options *so, struct map_cache *cache, int64_t max_macs,
			struct search_refine *out, struct hn_err *err);

/* --rtl of explore: the K first points of a front (front order: the first objective first). */
struct search_refine_row {
	struct search_refine r;
	int from_store;            /* 1: read from the store (a resumed run simulates nothing
				    * twice); the layer counts are then unknown (0) */
	int model_rank, rtl_rank;  /* 0 = fastest; ties by front position */
};
struct search_refine_top {
	int k;                     /* points refined: min(top_k, front size) */
	int simulated, threads;    /* points simulated now, on this many threads */
	struct search_refine_row *rows;  /* owned, k */
	double kendall_tau;        /* of the two rankings (1 for a single point) */
};
struct search_refine_opts {
	int top_k;
	int64_t max_macs;          /* layers above keep the model's cycles */
	int threads;               /* points simulated at once (hn_parallel_for) */
	const struct sim_options *sim;
	/* called once before the simulations start (none: not called), e.g. for a notice */
	void (*on_start)(void *ctx, const struct search_refine_top *t);
	void *ctx;
};
/* Simulates the first top_k points of front (search_refine_point) on up to `threads`
 * threads, reading points already measured from store and adding the new ones to it
 * (store may be NULL), and marks those front points fidelity "rtl" with the measured
 * latency. Fills *out (caller releases with search_refine_top_release), or returns a
 * negative code with err naming the front point. */
int search_refine_front(const struct search_space *sp, struct search_front *front,
			const struct search_refine_opts *o, struct store *store,
			struct search_refine_top *out, struct hn_err *err);
void search_refine_top_release(struct search_refine_top *t);

#endif
