/* map_int.h: internals shared by the mapper's files (map_milp.c, map_brute.c, map_cache.c).
 * Nothing outside models/ includes this header. docs/mapping.md explains the candidate sets
 * and the lexicographic order (cycles, then DRAM bytes, then energy). */
#ifndef MAP_INT_H
#define MAP_INT_H

#include "models.h"

/* 1 when report a is strictly better than b: feasible first, then fewer cycles, then fewer
 * DRAM bytes, then less energy. */
int map_report_better(const struct cost_report *a, const struct cost_report *b);

/* The candidate tile sizes of one GEMM dimension (docs/mapping.md "Candidates"). Owned by
 * the struct: map_cands_release() frees t and hi.
 *
 * Above MAP_CANDS_ALL fitting sizes the candidates are the smallest (lo) and largest (hi)
 * member of every class of tile sizes with the same trip count T and fold sum F; the
 * members strictly between them are the class's interior, which the mapper's exact finish
 * visits when a class bound says they can still win (map_milp.c "complete"). hi[i] is the
 * class's hi when t[i] is its lo, 0 when t[i] is a class's hi and not its lo. hi is NULL
 * when every size is a candidate (no interior anywhere). */
struct map_cands {
	int64_t d;       /* the dimension's extent */
	int64_t unit;    /* array rows/cols it is folded on, 0 when it is the streamed one */
	int n;
	int64_t *t;      /* ascending */
	int64_t *hi;     /* per candidate, see above; NULL when all sizes are candidates */
};

/* Trip count and fold sum of tile t of a dimension of extent d folded on unit (the fold sum
 * is 0 on the streamed dimension, unit 0): the class a tile size belongs to. */
int64_t map_fold_sum(int64_t d, int64_t t, int64_t unit);

/* Which array unit each GEMM dimension (m, n, k) is folded on under hw's dataflow, 0 for the
 * streamed dimension. */
void map_dim_units(const struct hw_config *hw, int64_t unit[3]);

/* Largest tile of each dimension (m, n, k) that fits every buffer with the other two tiles
 * at 1 (0 when even 1 does not fit). */
void map_dim_caps(const struct arch_gemm *g, const struct hw_config *hw, int64_t cap[3]);

/* Up to this many fitting tile sizes, a dimension's candidates are all of them. */
#define MAP_CANDS_ALL 128

/* Fills c with the candidates of a dimension of extent d folded on unit (0: streamed), not
 * larger than cap. Returns 0 or HN_ENOMEM. */
int map_cands_build(int64_t d, int64_t unit, int64_t cap, struct map_cands *c);
void map_cands_release(struct map_cands *c);

/* Fills out for a layer no tiling fits (feasible = 0, why names the buffer) and returns 1,
 * or returns 0 when the 1 x 1 x 1 tiling fits. */
int map_check_fits(const struct arch_layer *l, const struct hw_config *hw,
		   const struct hw_energy *e, struct map_result *out);

/* MAC-free layers (pool, add): the trivial tiling 1 x 1 x 1 mnk and cost_layer's report. */
void map_trivial(const struct arch_layer *l, const struct hw_config *hw,
		 const struct hw_energy *e, struct map_result *out);

/* Milliseconds of a monotonic clock. */
double map_now_ms(void);

/* The GLPK solve itself (map_milp.c), without the cache. */
int map_milp_solve(const struct arch_layer *l, const struct hw_config *hw,
		   const struct hw_energy *e, const struct map_options *opt,
		   struct map_result *out, struct hn_err *err);

/* For tests (tests/test_models.c): the mapper's lower bounds at tiling t (its tile sizes
 * clamped to the extents, each fitting the buffers beside tiles of 1). part[mask], mask = 0
 * .. 7 (bit 0 m, 1 n, 2 k): the partial bound with the dims in mask fixed to the smallest
 * member of t's class of that dim and the others free (docs/mapping.md "Pruning"); cls[o]:
 * the class bound of t's three classes under order o ("Candidates, and the members between
 * them"). Each must be at most the exact latency of t under order o (every o for part).
 * Returns 0, HN_EINVAL (no MACs, or t does not fit) or HN_ENOMEM. */
int map_bounds_at(const struct arch_layer *l, const struct hw_config *hw,
		  const struct map_tiling *t, double part[8], double cls[MAP_ORDER_COUNT]);

/* The energy cost_layer() would report for a tiling with r's MAC, SRAM and DRAM energy and
 * `cycles` cycles (the static term follows the cycles): inside a class triple (struct
 * map_cands) under one order those three terms are the same for every member, so this is
 * the energy of any member that takes `cycles` (map_milp.c complete; tests/test_models.c
 * checks it bit for bit). */
double map_tie_energy(const struct cost_report *r, int64_t cycles, const struct hw_config *hw,
		      const struct hw_energy *e);

/* Cache lookup and store (map_cache.c). lookup returns 1 and fills *out on a hit. */
int map_cache_lookup(struct map_cache *c, const struct arch_layer *l, const struct hw_config *hw,
		     const struct hw_energy *e, const struct map_options *opt,
		     struct map_result *out);
void map_cache_store(struct map_cache *c, const struct arch_layer *l, const struct hw_config *hw,
		     const struct hw_energy *e, const struct map_options *opt,
		     const struct map_result *r);

#endif
