/* store.h: the result store (search/store.c, prefix store_, docs/store.md). Only store.c
 * includes SQLite. */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>
#include <stdio.h>
#include "search.h"

/* An SQLite file (WAL, synchronous=NORMAL: a kill at any instant leaves it valid and keeps
 * every committed row) with one row per evaluated point, keyed by (space hash, point index,
 * fidelity), and one row per run (its arguments); an exhaustive run keeps its progress and
 * its front instead (store_progress_save). Schema version in PRAGMA user_version. */

#define STORE_SCHEMA_VERSION 4
#define STORE_HASH_LEN 16               /* hex digits of a space hash */

struct store;

/* Opens (creating when absent, unless readonly) the store at path. Errors name the file:
 * not an SQLite file or not a hwnas store (HN_EINVAL), a newer or unknown schema version
 * (HN_EINVAL, both versions named), read-only when writing is asked (HN_EIO). Free with
 * store_close. */
int store_open(const char *path, int readonly, struct store **out, struct hn_err *err);
void store_close(struct store *st);
const char *store_path(const struct store *st);

/* The identity of the space in space_file (search_inputs_collect's id: the space file, the
 * files it points to, the cost model's version, the mapper), as 16 hex digits plus NUL.
 * Reads and checks the space. */
int store_space_hash(const char *space_file, char out[STORE_HASH_LEN + 1], struct hn_err *err);

/* What identifies a run: a resume must give the same. */
struct store_run_args {
	char space_hash[STORE_HASH_LEN + 1];    /* inputs->id */
	const struct search_inputs *inputs;     /* recorded, to name what changed; may be NULL */
	const char *space_file;         /* for messages and `hwnas db stats` */
	const char *strategy;           /* "exhaustive" for --exhaustive */
	uint64_t seed;
	int64_t budget;
	int force;                      /* 1: delete every stored run and evaluation first */
};

/* Starts or resumes the run of a: the store must be empty or hold this run (same space hash,
 * strategy, seed and budget), else HN_EINVAL naming the file, both argument sets and the
 * inputs that changed ("space file space.json changed since the store was made"). A stored
 * run without a single evaluation (it stopped before its first) is replaced, and
 * store_replaced() says which. Opens a new session (1 for the first process of the run, 2
 * for its first resume, ...). sp must outlive the handle's use. Returns the number of
 * evaluations already stored for the space. */
int64_t store_begin_run(struct store *st, const struct search_space *sp,
			const struct store_run_args *a, struct hn_err *err);
/* The runs without evaluations that store_begin_run replaced, described ("" for none). */
const char *store_replaced(const struct store *st);
int store_session(const struct store *st);
/* Evaluations this handle committed: the rows it inserted, and for an exhaustive run the
 * points its progress checkpoints covered beyond what it found stored. */
int64_t store_rows_written(const struct store *st);

/* The stored evaluation of (the run's space, index, fidelity): 1 and *out, 0 when absent,
 * < 0 on error. Every field of struct search_eval round-trips exactly (seq included). */
int store_lookup(struct store *st, uint64_t index, int fidelity, struct search_eval *out,
		 struct hn_err *err);
/* Inserts one evaluation (eval_s: its wall seconds). A point already stored is an error
 * (HN_EINVAL): the driver never evaluates a point twice. */
int store_put(struct store *st, const struct search_eval *e, double eval_s, struct hn_err *err);
/* Groups puts into one transaction (batches; the file stays valid if killed in between). */
int store_tx_begin(struct store *st, struct hn_err *err);
int store_tx_commit(struct store *st, struct hn_err *err);
/* The progress of an exhaustive run (issue 19): points 0 .. next_index-1 are evaluated; the
 * counts and the best are what a resume and a report need beside the front. */
struct store_progress {
	uint64_t next_index;
	int64_t evaluations, networks, feasible;
	int64_t best_index;             /* the run's best point (search_run_result.best), -1 none */
	double eval_s;                  /* wall seconds of the evaluations covered */
};
/* Saves *p and makes the run's model rows exactly rows[0 .. n) (the front and the best:
 * rows no longer among them are deleted, new ones inserted, with eval_s 0), in one
 * transaction: a kill leaves the previous checkpoint or this one. */
int store_progress_save(struct store *st, const struct store_progress *p,
			const struct search_eval *rows, int n, struct hn_err *err);
/* The run's saved progress: 1, *p and fn(ctx, row) for each of its model rows in seq order
 * (fn returning < 0 stops with that code); 0 when none is saved. An exhaustive run that an
 * older hwnas stored one row per point is refused (HN_EINVAL, naming the file). */
int store_progress_load(struct store *st, struct store_progress *p,
			int (*fn)(void *ctx, const struct search_eval *e), void *ctx,
			struct hn_err *err);
/* Marks the run finished with its evaluation count. */
int store_end_run(struct store *st, int64_t evaluations, struct hn_err *err);

/* ---- reading a store (hwnas db) ---- */

#define STORE_MAX_GROUPS 16
struct store_count {
	char label[48];
	int64_t n;
};
struct store_stats {
	int schema_version;
	int64_t points, feasible, runs, sessions;
	double first_time, last_time;   /* Unix seconds of the first and last row (0 if none) */
	double eval_seconds;            /* sum of the evaluations' wall seconds */
	int64_t progress_points;        /* points covered by exhaustive runs' progress (their
					 * rows are the front only), and the feasible ones */
	int64_t progress_feasible;
	int n_strategy, n_fidelity, n_space;
	struct store_count strategy[STORE_MAX_GROUPS], fidelity[STORE_MAX_GROUPS],
		space[STORE_MAX_GROUPS];
};
int store_stats(struct store *st, struct store_stats *out, struct hn_err *err);

/* The run rows as text lines "id space strategy seed budget evaluations state", for stats;
 * calls fn once per run. */
struct store_run_info {
	int64_t id, seed, budget, evaluations, sessions;
	char space_hash[STORE_HASH_LEN + 1], space_file[256], space_name[64], strategy[32];
	char objectives[256];           /* "accuracy:max:80,latency_ms:min:20" */
	int n_obj, finished;
	double created;
};
int store_runs(struct store *st, int (*fn)(void *ctx, const struct store_run_info *r),
	       void *ctx, struct hn_err *err);
/* Evaluations whose space belongs to no run (a damaged or edited store): *n. */
int store_orphans(struct store *st, int64_t *n, struct hn_err *err);

/* Every stored evaluation of space_hash ("" for every space) in (run, seq) order, with its
 * arch text; fn returning < 0 stops with that code. */
struct store_row {
	struct search_eval e;
	char space_hash[STORE_HASH_LEN + 1];
	char arch[256];
	char hw[64];                    /* "16x16 ws 8b 64K": PE array, dataflow, bits, buffer,
					 * and the packing when not none ("64x32 os 8b 128K dsp2") */
	char mac_packing[8];            /* hw_packing_name of the row's accelerator; "" for a
					 * row stored before schema 4, which did not record it */
	char strategy[32];
	int64_t run_id, session;
	double time, eval_s;
};
int store_each(struct store *st, const char *space_hash,
	       int (*fn)(void *ctx, const struct store_row *row, struct hn_err *err), void *ctx,
	       struct hn_err *err);
/* Writes every row as CSV (a header line, then one line per evaluation) to f. */
int store_export_csv(struct store *st, FILE *f, const char *f_name, int64_t *rows,
		     struct hn_err *err);

#endif
