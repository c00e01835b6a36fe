/* models.h: the analytical cost model (cost_) and the tile mapper (map_).
 *
 * The model (cost_layer and what it calls, map_default, the calibration's arithmetic) is
 * pure: no allocation, no I/O, no globals. Outside it, and said so above each: the mapping
 * cache (an explicit object the caller creates), cost_net (allocates nothing, but maps with
 * GLPK), and the file readers map_tilings_load and cost_calib_load.
 * The formulas are written down once in docs/model.md; the RTL in rtl/ implements the same
 * specification, and sim/ checks one against the other. */
#ifndef MODELS_H
#define MODELS_H

#include <stdint.h>
#include "../common/hn.h"
#include "../arch/arch.h"
#include "../hw/hw.h"

/* The cost model's version, raised whenever a change moves its figures (2: the exact
 * double-buffered latency; 3: DMA lines of 1 x the bandwidth, not 2 x; 4: the optimal
 * mapper's tilings optimal over every integer tile, not only the class representatives,
 * a few cycles fewer on some layers with a dimension above 128; 5: block RAMs of memories
 * written a word at a time padded to whole bytes, as Yosys maps them; 6: the output stage
 * (final stores read their channels' parameters, one word a cycle) and the vector unit's
 * pool and add streams, docs/rtl.md; 7: the LUT terms refitted after the output stage, which
 * moves which designs fit a device). The result store hashes it with the search space, so
 * a run is not resumed on figures of another model. */
#define COST_MODEL_VERSION 7

/* Loop order of the three tile loops at the DRAM level, outermost first. */
enum map_order { MAP_MNK = 0, MAP_MKN, MAP_NMK, MAP_NKM, MAP_KMN, MAP_KNM, MAP_ORDER_COUNT };
/* The GEMM dimensions, and each order's dimensions outermost first (models/map_order.c). */
enum map_dim { MAP_DIM_M = 0, MAP_DIM_N = 1, MAP_DIM_K = 2 };
extern const char map_order_dims[MAP_ORDER_COUNT][3];

/* A mapping of one layer's GEMM: tile sizes at the buffer level and the loop order.
 * tm x tk of A sits in ibuf, tk x tn of B in wbuf, tm x tn partial sums in obuf. Groups
 * (g) are always the outermost loop, one group at a time. */
struct map_tiling {
	int64_t tm, tn, tk;
	enum map_order order;
};

/* Cost of one layer on one accelerator under one mapping. Units in the field names. */
struct cost_report {
	int feasible;             /* 0: why says which limit is broken */
	char why[96];
	struct arch_gemm gemm;
	int64_t macs;
	int64_t folds;            /* array folds (stationary loads) over the whole layer */
	int64_t compute_cycles;   /* array busy, including fill and drain of every fold */
	int64_t mem_cycles;       /* DMA busy: latency per request + bytes / bandwidth */
	int64_t stall_cycles;     /* cycles - compute_cycles */
	int64_t cycles;           /* the layer's latency */
	int64_t cycles_bound;     /* closed-form lower bound on cycles (the mapper's MILP objective) */
	int memory_bound;         /* 1 when the DMA, not the array, sets the latency */
	double utilization;       /* macs / (rows x cols x cycles) */
	int64_t dram_rd_a, dram_rd_b, dram_rd_c, dram_wr_c; /* bytes per tensor */
	int64_t dram_rd_q;          /* output-stage parameters read by the final stores */
	int64_t dram_bytes;       /* their sum */
	int64_t dram_requests;    /* DMA requests (one per tile transfer) */
	int64_t sram_bytes[3];    /* buffer <-> array bytes: ibuf, wbuf, obuf */
	int64_t buf_used[3];      /* bytes of each buffer the tiling occupies (both halves) */
	double energy_pj[4];      /* MAC, SRAM, DRAM, static */
	double energy_total_pj;
	double op_intensity;      /* ops (2 x MACs) per DRAM byte */
	double attained_gops;     /* 2 x MACs / latency */
	double peak_gops;         /* compute roof: 2 x rows x cols x f */
	double bw_roof_gops;      /* bandwidth roof at this intensity */
};

enum cost_term { COST_E_MAC = 0, COST_E_SRAM, COST_E_DRAM, COST_E_STATIC };

/* Cost of layer l on hw under tiling m, with energy table e. Pure. Returns 0 and fills
 * *out, also for an infeasible point (out->feasible = 0, out->why); returns HN_EINVAL only
 * for arguments that are not a tiling of this layer (tile <= 0). */
int cost_layer(const struct arch_layer *l, const struct hw_config *hw,
	       const struct map_tiling *m, const struct hw_energy *e, struct cost_report *out);

/* The AXI top's timing (docs/model.md "Through the AXI top"): the master's bus bits (64,
 * 128 or 256; 0: the direct top, the model of every figure above), beats per burst and
 * outstanding bursts, as rtl/hwnas_axi.v's AXI_DW, MAXB, MAXOUT. Plain data. */
struct cost_axi {
	int32_t dw, maxb, maxout;
	int32_t im2col;   /* 1: a conv's A is the host's im2col matrix, a pool's input its
			   * window matrix (SIM_PROG_NO_WIN, hwnas compile's programs); 0: the
			   * master walks their windows (sim_layer_axi's) */
};
/* dw 0 (the direct top), maxb 16, maxout 16 (the export bundle's), windows walked. */
void cost_axi_init(struct cost_axi *a);
/* Checks a set dw, maxb, maxout against the AXI top's limits (docs/deploy.md): HN_EINVAL
 * naming the field. */
int cost_axi_check(const struct cost_axi *a, struct hn_err *err);
/* cost_layer with the cycles of the AXI top (a->dw > 0; else cost_layer itself): every DMA
 * request walked burst by burst as rtl/hwnas_axi_mem.v issues it, each command's record
 * fetch, the same queue schedule. Traffic, energy and buffers are cost_layer's; cycles,
 * stall, utilisation, attained GOP/s and static energy follow the AXI cycles; mem_cycles
 * stays the direct DMA's. Pure. */
int cost_layer_axi(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *m, const struct cost_axi *a, const struct hw_energy *e,
		   struct cost_report *out);
/* Where a layer's regions sit in the AXI top's DRAM (byte addresses; only their offsets
 * within 4 KiB and a bus word matter): a GEMM's A (the input tensor), B (weights), C (the
 * output tensor), P (partial sums), Q (output-stage parameter records); a vector layer's
 * one region (vbase) and its first input, second input and output at element offsets
 * vin0, vin1, vout from it. Plain data (a whole-network image's layout, sim_whole_axi). */
struct cost_axi_place {
	int64_t a, b, c, p, q;
	int64_t vbase, vin0, vin1, vout;
};
/* cost_layer_axi with the layer's requests at place's addresses (NULL: the single-layer
 * layout, every region 4 KiB aligned, a vector layer's inputs then its output). */
int cost_layer_axi_at(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *m, const struct cost_axi *a,
		      const struct cost_axi_place *place, const struct hw_energy *e,
		      struct cost_report *out);
/* One layer of a whole-network program on the AXI top: the layer, its tiling, where its
 * regions sit in the program's image. */
struct cost_axi_step {
	const struct arch_layer *l;
	const struct map_tiling *m;
	struct cost_axi_place place;
};
/* The AXI top's cycles of n layers run as one program (one DMA list, one compute list, one
 * start: docs/model.md "A whole network through the AXI top"): the layers walked in program
 * order with the bus (read channel, credit, record fetches) carried from each to the next:
 * a layer's first DMA record is fetched beside the previous layer's last DMA command, its
 * first compute record after the previous layer's last compute. *total: the run's cycles
 * (the top's done included); end[s] (when not NULL): when step s's last command ends, the
 * cycles of the program cut after it being end[s] + 2. HN_EINVAL naming the step when a
 * layer does not fit (a->dw must be set). */
int cost_net_axi(const struct cost_axi_step *steps, int n, const struct hw_config *hw,
		 const struct cost_axi *a, const struct hw_energy *e, int64_t *end,
		 int64_t *total, struct hn_err *err);

/* The tiling a layer runs with on the AXI top (models/map_axi.c, docs/mapping.md "For the
 * AXI top"): the mapper optimises the direct top's cycles, to which the AXI top's bursts are
 * nearly invisible. map_axi_candidates fills out with base (first) and, deduplicated and each
 * fitting the buffers, base with tk rounded up to a multiple of a tap's channels (Cg), of a
 * window row's (s Cg) and to the whole K (a conv; other layers: K only), each with tn =
 * base's and tm the largest that fits, cut to even trips; then base with tn grown so beside
 * its tm and tk; then base with tm grown so. base's loop order throughout. Returns how many,
 * at most MAP_AXI_CANDS (0 for a MAC-free layer). Pure. */
#define MAP_AXI_CANDS 6
int map_axi_candidates(const struct arch_layer *l, const struct hw_config *hw,
		       const struct map_tiling *base, struct map_tiling out[MAP_AXI_CANDS]);
/* The candidate with the fewest cost_layer_axi cycles (ties: the earlier, base first) into
 * *best and its report into *cost; base itself when base is infeasible. Never more cycles
 * than base. Returns 0, or HN_EINVAL when base is not a tiling (tile <= 0). Pure. */
int map_axi_choose(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *base, const struct cost_axi *a,
		   const struct hw_energy *e, struct map_tiling *best, struct cost_report *cost);

/* Buffer words per DMA line (the RTL's banks) of ibuf, wbuf, obuf for hw: powers of two
 * <= 64, the smallest whose line holds at least bw bytes (docs/rtl.md "Parameters"). */
void cost_dma_words_per_line(const struct hw_config *hw, int32_t nb[3]);

/* Cycles of one DMA request of a rows x cols block of elem_bytes elements (docs/model.md
 * "DRAM traffic"): max(latency + ceil(bytes / bw), floor), floor = lines + 1 for a load and
 * lines + 2 for a store, lines = ceil(buffer words of the block / nb[buffer]). Pure. */
enum { COST_REQ_A = 0, COST_REQ_B, COST_REQ_C_LOAD, COST_REQ_C_STORE, COST_REQ_C_FINAL };
/* COST_REQ_C_FINAL: a final store through the output stage (docs/model.md "Output stage"):
 * cut into column chunks of at most COST_QBUF_WORDS x pe_cols channels, each one request
 * that reads its chunk's channel parameters (COST_QPARAM_BYTES(acc bytes) each) and writes
 * rows x chunk outputs of elem_bytes, one buffer word per cycle: max(latency +
 * ceil(bytes / bw), words + 4). The sum over the chunks. */
#define COST_QBUF_WORDS 64
#define COST_QPARAM_BYTES(cb) ((cb) + 5)
int64_t cost_dma_request_cycles(const struct hw_config *hw, const int32_t nb[3], int which,
				int64_t rows, int64_t cols, int64_t elem_bytes);

/* Cycles of one vector request (docs/model.md "MAC-free layers"): g input words per output
 * pixel, m pixels of ch channels: max(latency + ceil((g + 1) m ch ab / bw), g m
 * ceil(ch / pe_cols) + 2). Pure. */
int64_t cost_vector_request_cycles(const struct hw_config *hw, int64_t g, int64_t m, int64_t ch);

/* Network totals. */
struct cost_total {
	int feasible;
	int saturated;                  /* a count passed INT64_MAX: it holds INT64_MAX, and the
					 * totals must not be printed as figures */
	char why[128];
	int64_t macs, cycles, compute_cycles, stall_cycles, dram_bytes;
	double latency_ms, energy_mj, edp_mj_ms, gops, utilization;
	double energy_pj[4];
};

void cost_total_init(struct cost_total *t);
/* Adds one layer's report into the totals (layer name used in why). */
void cost_total_add(struct cost_total *t, const struct cost_report *r, const char *layer_name);
/* Derives latency, energy, GOP/s and EDP from the summed counts. */
void cost_total_finish(struct cost_total *t, const struct hw_config *hw);

/* Buffer bytes a tiling needs: ibuf, wbuf, obuf (counting both halves when double
 * buffered). Pure. */
void map_buffer_need(const struct arch_gemm *g, const struct hw_config *hw,
		     const struct map_tiling *m, int64_t need[3]);

/* The default tiling (until/besides the GLPK mapper): the largest tiles that fit, grown
 * greedily along n, then k, then m, in multiples of the array; order MNK... see
 * docs/model.md. Returns 0 and fills *m; *m->tm = 0 when nothing fits. */
int map_default(const struct arch_layer *l, const struct hw_config *hw, struct map_tiling *m);

const char *map_order_name(enum map_order o); /* "mnk" ... (map_order.c) */
int map_order_parse(const char *s);           /* or -1 */

/* Parses an explicit tiling "tm=64,tn=32,tk=128,order=nkm" (order optional, default mnk).
 * Returns 0 or HN_EINVAL naming the field. */
int map_tiling_parse(const char *spec, struct map_tiling *m, struct hn_err *err);
/* Writes "tm=..,tn=..,tk=..,order=.." into buf. */
void map_tiling_format(const struct map_tiling *m, char *buf, size_t size);

/* ---- The GLPK mapper (docs/mapping.md) ---- */

struct map_options {
	double time_limit_s;   /* GLPK time limit per layer; 0 = none */
	double mip_gap;        /* relative MIP gap accepted; 0 = proven optimal */
	int max_cuts;          /* re-solves for the exact latency (docs/mapping.md); -1 = no limit */
	int64_t enum_max;      /* at most this many candidate tilings: enumerate, no MILP */
	int64_t finish_enum_max; /* exact finish: enumerate up to this many, else re-solve */
	double milp_budget_s;  /* the first GLPK solve's time before enumerating takes over */
};

struct map_result {
	struct map_tiling tiling;
	struct cost_report cost;   /* cost_layer() of the chosen tiling */
	int feasible;              /* 0: no tiling fits; why says which buffer */
	char why[96];
	int solver_status;         /* GLPK glp_mip_status(), or 0 when no solver ran */
	double gap;                /* relative gap of the returned solution (0 = proven) */
	int cuts;                  /* tile sizes cut off: re-solves for the exact latency */
	int enumerated;            /* 1: the candidates were costed one by one (proven too) */
	int milp_solves;           /* GLPK solves run (0: enumeration alone, or no MACs) */
	int milp_gave_up;          /* 1: GLPK's first solve ran out of milp_budget_s */
	int64_t completed;         /* class-interior tilings (not candidates) costed exactly */
	int64_t costed;            /* cost_layer() calls of the whole search (all routes) */
	double solve_ms;           /* wall time of this call */
	int from_cache;            /* 1 when served by the mapping cache */
};

/* A mapping cache keyed by (layer shape, accelerator parameters, options). Thread-safe.
 * map_cache_new returns NULL on out-of-memory; map_cache_free frees it. */
struct map_cache;
struct map_cache *map_cache_new(void);
void map_cache_free(struct map_cache *c);
int64_t map_cache_hits(const struct map_cache *c);
int64_t map_cache_size(const struct map_cache *c);

void map_options_default(struct map_options *o);

/* The optimal mapping of layer l on hw (minimum model latency; ties: DRAM bytes, then
 * energy). cache may be NULL. Returns 0 and fills *out (also when no tiling fits:
 * out->feasible = 0), or a negative code with err set (GLPK failure). */
int map_layer(const struct arch_layer *l, const struct hw_config *hw, const struct hw_energy *e,
	      const struct map_options *opt, struct map_cache *cache, struct map_result *out,
	      struct hn_err *err);

/* Frees the GLPK state of the calling thread. A thread that called map_layer calls it before
 * it ends (GLPK keeps an environment per thread). */
void map_thread_release(void);

/* The same optimum by enumerating every legal tiling (slow; for tests, --exhaustive and
 * benchmarks). */
int map_brute_force(const struct arch_layer *l, const struct hw_config *hw,
		    const struct hw_energy *e, struct map_result *out);

/* Per-layer explicit tilings from a JSON file (docs/mapping.md):
 * {"layers": {"conv1": {"tm": 64, "tn": 32, "tk": 128, "order": "nkm"}, ...}}.
 * map_tilings_load allocates *out (caller frees with map_tilings_free) or returns HN_EIO /
 * HN_EINVAL naming the file, the layer and the field. map_tilings_find returns the tiling
 * of a layer or NULL. (Implemented in models/map_json.c.) */
struct map_tilings_file;
int map_tilings_load(const char *path, struct map_tilings_file **out, struct hn_err *err);
const struct map_tiling *map_tilings_find(const struct map_tilings_file *f, const char *layer);
void map_tilings_free(struct map_tilings_file *f);

/* map_brute_force restricted to the candidate tile sizes of docs/mapping.md "Candidates"
 * (every (trip count, fold count) class's smallest and largest tile): the reference the
 * GLPK formulation is measured against on layers too large to enumerate. */
int map_brute_force_candidates(const struct arch_layer *l, const struct hw_config *hw,
			       const struct hw_energy *e, struct map_result *out);

/* Name of a map_result's solver_status: "optimal", "feasible" (a limit stopped GLPK; the
 * gap says how far it may be), "heuristic" (GLPK found nothing better than the incumbent in
 * time) or "none" (no solve: a MAC-free layer, or no tiling fits). */
const char *map_status_name(int solver_status);
/* How the result was found: "none" (no MACs, or no tiling fits), "enumeration",
 * "milp", "milp+enumeration" (the exact finish, or after milp_budget_s), "milp+cuts". */
const char *map_method_name(const struct map_result *r);

/* ---- Calibration against the RTL (models/calib.c, docs/validation.md) ----
 *
 * A correction of the model's stall term fitted by least squares on RTL samples, per class
 * (dataflow x double buffering): cycles' = compute + a x (cycles - compute) + b, clamped to
 * at least max(compute, mem) for double-buffered (the RTL can never beat either). The
 * identity (a = 1, b = 0) where a class had fewer than 3 samples. Plain data: copy with =. */
struct cost_calib_class {
	int n;          /* samples it was fitted on (0: identity) */
	double a, b;
};
struct cost_calib {
	struct cost_calib_class cls[HW_DF_COUNT][2];  /* [dataflow][double_buffer] */
};

/* One RTL sample: the model's report fields it needs and the RTL's cycles. */
struct cost_calib_sample {
	enum hw_dataflow df;
	int double_buffer;
	int64_t compute_cycles, mem_cycles, model_cycles, rtl_cycles;
};

void cost_calib_init(struct cost_calib *c);  /* the identity */
/* Fits c on n samples (least squares per class on the stall term). Pure. */
void cost_calib_fit(struct cost_calib *c, const struct cost_calib_sample *s, int n);
/* The calibrated cycles of a model report (the report's own cycles when infeasible). */
int64_t cost_calib_cycles(const struct cost_calib *c, const struct hw_config *hw,
			  const struct cost_report *r);
/* Applies c to a report: cycles, stall_cycles, utilisation, attained GOP/s
 * and the static energy follow the calibrated cycles. Use before cost_total_add(). */
void cost_calib_apply(const struct cost_calib *c, const struct hw_config *hw,
		      struct cost_report *r);
/* Kendall's tau-b of two samples of n values (ties counted as in tau-b); 0 when undefined. */
double cost_kendall_tau_b(const double *x, const double *y, int n);

/* The calibration JSON (models/calib_json.c, docs/validation.md "Calibration file"):
 * cost_calib_load reads one (HN_EIO / HN_EINVAL naming the file and the field);
 * cost_calib_to_json returns malloc'd text (caller frees) or NULL on out-of-memory. */
int cost_calib_load(const char *path, struct cost_calib *c, struct hn_err *err);
int cost_calib_parse_json(const char *text, size_t len, const char *origin, struct cost_calib *c,
			  struct hn_err *err);
char *cost_calib_to_json(const struct cost_calib *c);

/* ---- A whole network (models/cost_net.c, docs/model.md "A whole network") ----
 *
 * The one rule every command and the search use to price a network:
 * - a MAC-free layer (arch_gemm(l).g == 0: pooling, add, ...) is priced by the vector unit;
 *   its tiling is map_default's 1x1x1 and is not used;
 * - a MAC layer takes the tiling file's tiling (a layer missing from it is an error), else the
 *   fixed tiling, else the mapper's (on the AXI top, opts.axi, the fastest there of it and its
 *   variants: map_axi_choose); when the mapper finds none, the row is infeasible
 *   (fits = 0) and is costed with the 1x1x1 tiling, whose cost.why names the buffer that is
 *   too small; a given tiling that does not fit is infeasible the same way;
 * - every row, feasible or not, is added to the totals (cost_total_add): the network is
 *   infeasible when any layer is, and tot->why names the first.
 * Commands that cannot go on with an infeasible layer (sim, validate, the RTL refinement)
 * check row.fits; none substitutes a tiling of its own. */
enum cost_mapper { COST_MAP_GLPK = 0, COST_MAP_GREEDY, COST_MAPPER_COUNT };
/* "glpk" (the optimal MILP mapper, map_layer) or "greedy" (map_default); "?" if out of range. */
const char *cost_mapper_name(enum cost_mapper m);
/* The mapper named s exactly, or -1. */
int cost_mapper_parse(const char *s);

struct cost_net_opts {
	enum cost_mapper mapper;
	const struct hw_energy *energy;         /* NULL: hw_energy_default() */
	const struct cost_calib *calib;         /* NULL: the model's own cycles */
	const struct cost_axi *axi;             /* dw > 0: the AXI top's cycles (cost_layer_axi),
						 * the mapper's tiling replaced by map_axi_choose's;
						 * NULL: the direct top */
	const struct map_tiling *fixed;         /* one tiling for every MAC layer, or NULL */
	const struct map_tilings_file *tilings; /* a tiling per MAC layer by name, or NULL */
	const char *tilings_origin;             /* its file name, for the message */
	struct map_cache *cache;                /* the GLPK mapper's cache, or NULL */
	void (*tick)(void *ctx, int done, int total); /* after each layer, or NULL */
	void *tick_ctx;
};
/* GLPK, default energy, no calibration, no fixed tiling, no cache. */
void cost_net_opts_init(struct cost_net_opts *o);

struct cost_net_row {
	struct map_tiling tiling;  /* the tiling costed (1x1x1 when none fits, or no MACs) */
	struct cost_report cost;   /* calibrated when opts.calib is set */
	int fits;                  /* 0: infeasible (cost.why says which buffer) */
};

/* One layer by the rule above. Returns 0 and fills *row (also when infeasible), or a
 * negative code with err set: HN_EINVAL for a layer missing from the tiling file or an
 * invalid given tiling (tile <= 0), the mapper's error otherwise. */
int cost_net_layer(const struct arch_layer *l, const struct hw_config *hw,
		   const struct cost_net_opts *o, struct cost_net_row *row, struct hn_err *err);
/* Every layer of net, rows[i] for layer i (rows may be NULL: totals only), and the totals
 * (finished: latency, energy, EDP). Returns 0 (also for an infeasible network) or the first
 * layer's error. */
int cost_net(const struct arch_net *net, const struct hw_config *hw,
	     const struct cost_net_opts *o, struct cost_net_row *rows, struct cost_total *tot,
	     struct hn_err *err);

/* ---- `hwnas map`: the mapper's own figures per layer, brute force beside (map_check.c) ----
 * Not pure: maps with GLPK and enumerates. */
#define MAP_CHECK_FULL_MAX 4000000.0 /* above this many tile triples, enumerate candidates */
struct map_check_opts {
	enum cost_mapper mapper;
	struct map_options mo;  /* the GLPK mapper's options */
	int exhaustive;         /* also brute force, on MAC layers the mapper found a tiling for */
	const char *layer;      /* only this layer, or NULL */
};
struct map_check_row {
	const struct arch_layer *l;
	struct map_result r;    /* the mapper's (greedy: solver status 0, no solve time) */
	struct map_result b;    /* brute force's, when has_brute */
	int has_brute;
	int brute_full;         /* 1: every fitting tiling; 0: the candidate tile sizes only */
};
/* Tile triples a full enumeration of l would visit (an upper bound: every tile size that fits
 * its buffers alone, before the loop orders). */
double map_check_full_space(const struct arch_layer *l, const struct hw_config *hw);
/* Maps every layer of net (or o->layer only) into rows (room for net->n_layers), *n_rows of
 * them, and the finished totals of the mapper's costs. Returns 0 or the mapper's error (the
 * greedy mapper: HN_EINVAL naming a layer no tiling of which can be costed). */
int map_check_net(const struct arch_net *net, const struct hw_config *hw,
		  const struct hw_energy *e, const struct map_check_opts *o,
		  struct map_cache *cache, struct map_check_row *rows, int *n_rows,
		  struct cost_total *tot, struct hn_err *err);
/* 1 when brute force found a tiling better than the mapper's: fewer cycles, or as few and
 * fewer DRAM bytes (the mapper's order, docs/mapping.md). */
int map_check_brute_better(const struct map_check_row *row);

#endif
