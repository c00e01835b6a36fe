/* report.h: the HTML report of an exploration (report/, prefix report_; rbuf_ the string
 * builder). cli/cmd_report.c parses the options, calls these and prints; the plot
 * primitives are internal (report_int.h).
 *
 * The report reads a run (front.json + evaluations.jsonl of an explore output folder) into
 * plain structs (report_json.c), re-evaluates one chosen design layer by layer
 * (report_design.c), and writes one self-contained HTML page with inline SVG plots
 * (report_html.c, built on the plot primitives of report_svg.c and the string builder of
 * report_buf.c). Only report_json.c includes cJSON. Nothing here prints: errors go to a
 * struct hn_err, cmd_report.c prints them. */
#ifndef REPORT_H
#define REPORT_H

#include <stdarg.h>
#include <stdint.h>
#include "../common/hn.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../search/search.h"

/* ---- A growing string (report_buf.c) ---- */

/* Appends never fail visibly: on out-of-memory the buffer latches oom = 1 and later appends
 * do nothing, so that a page is built with plain calls and checked once at the end. */
struct rbuf {
	char *s;        /* owned, NUL-terminated when len > 0 */
	size_t len, cap;
	int oom;
};
void rbuf_init(struct rbuf *b);
void rbuf_release(struct rbuf *b);
void rbuf_puts(struct rbuf *b, const char *s);
void rbuf_printf(struct rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, " and ' escaped (text and attribute values of HTML and SVG). */
void rbuf_esc(struct rbuf *b, const char *s);
/* Writes the buffer to path; HN_ENOMEM if it latched oom, HN_EIO naming the path. */
int rbuf_write(const struct rbuf *b, const char *path, struct hn_err *err);

/* ---- A run (report_json.c) ---- */

struct report_point {
	int64_t seq;                    /* evaluation number, -1 in front.json */
	int64_t index;                  /* search_point_index of the run's space */
	int feasible;
	double m[SEARCH_M_COUNT];       /* metrics by enum search_metric; NaN when absent */
	char arch[256];                 /* NB201 cell string, MobileNet description, zoo name */
	int has_hw;
	struct hw_config hw;
	char mac_packing[8];            /* hw's packing ("none", "dsp2", ...), or a store row's
					 * when hw could not be rebuilt; "" unknown */
	char fidelity[16];              /* "model", "rtl" */
	char acc_source[16];
	double acc_penalty;             /* quantisation penalty, percentage points (0: none) */
	char network[64];               /* front.json: "configs/<i>.net.json", "" when absent */
	int has_pt;                     /* a store's row: pt holds the point's choices */
	struct search_point pt;
	/* a run of several targets: each target's metrics (m is then the worst case) */
	double tm[SEARCH_MAX_TARGETS][SEARCH_M_COUNT];
};

struct report_objective {
	int metric;                     /* enum search_metric */
	int at;                         /* SEARCH_AT_*: plain, a target (1 + t), an aggregate */
	char label[64];                 /* "latency_ms@zcu102" */
	int maximize;
	double ideal, ref;
};

/* One explore run: its front and, when written, every evaluation in order. */
struct report_run {
	char origin[512];               /* the folder it was read from, for messages */
	char space[64], strategy[32], formulation[16];
	int64_t seed, budget, evaluations, space_size;
	double hypervolume;             /* as the run reported it */
	/* front.json's produced_by (runs since it was recorded; "" when absent): the mapper,
	 * the energy table and calibration files ("" for the default / none) */
	char mapper[16], energy[512], calib[512];
	/* a store's run: its space (the file it names, unchanged), owned; NULL otherwise */
	struct search_space *sp;
	int n_targets;                  /* a run of several hardware targets, else 0 */
	char targets[SEARCH_MAX_TARGETS][SEARCH_TARGET_NAME];
	int n_obj;
	struct report_objective obj[SEARCH_MAX_OBJ];
	int n_front;
	struct report_point *front;     /* owned */
	int64_t n_evals, cap_evals;
	struct report_point *evals;     /* owned; empty when evaluations.jsonl is absent */
	int has_evals;
	int n_hv;                       /* hypervolume progress (report_hv_progress) */
	int64_t *hv_at;                 /* owned: evaluations done at each sample */
	double *hv;                     /* owned: hypervolume of the front so far */
};

/* The value of objective o at point p (its target's or the aggregate over the targets). */
double report_value(const struct report_run *run, const struct report_point *p,
		    const struct report_objective *o);
/* Reads an objective's metric label ("latency_ms@zcu102") against run's targets into o;
 * < 0 when unknown. */
int report_objective_parse(const struct report_run *run, const char *label,
			   struct report_objective *o);

/* Called while reading long inputs: done of total units (total may be 0: unknown). */
typedef void (*report_tick_fn)(void *ctx, int64_t done, int64_t total);

/* Reads DIR/front.json and, when present, DIR/evaluations.jsonl into *run (caller
 * releases). Errors name the file and, for evaluations.jsonl, the line. */
int report_run_load_dir(const char *dir, struct report_run *run, report_tick_fn tick,
			void *ctx, struct hn_err *err);
void report_run_release(struct report_run *run);
/* Reads the run of a result store (report_store.c): its rows in evaluation order, the front
 * of its model-fidelity rows, its hypervolume. With evals_only, only run->evals is replaced
 * (the rest came from front.json). The accelerator of each row is rebuilt from the run's
 * space file; when that file is missing or changed, *warning says so and points have no hw.
 * Caller releases run. */
int report_run_load_db(const char *path, struct report_run *run, int evals_only,
		       report_tick_fn tick, void *ctx, char *warning, size_t wsize,
		       struct hn_err *err);

/* One RTL-vs-model comparison: a layer simulated by 'hwnas sim' (or a validate row). */
struct report_rtl_row {
	char source[96];                /* the file it came from (base name) */
	char name[ARCH_NAME_MAX];
	double model_cycles, rtl_cycles;
	int bit_exact;                  /* -1 unknown */
};
struct report_rtl {
	int n;
	int64_t cap;
	struct report_rtl_row *rows;    /* owned */
};
void report_rtl_release(struct report_rtl *r);
/* Adds the simulated layers of a 'hwnas sim --json' output, or the rows of a CSV whose header
 * names model_cycles and rtl_cycles (optional name/layer and bit_exact columns). */
int report_rtl_load(const char *path, struct report_rtl *r, struct hn_err *err);

/* ---- The chosen design re-evaluated (report_design.c) ---- */

struct report_layer {
	struct arch_layer layer;
	struct map_tiling tiling;
	struct cost_report cost;
};

struct report_design {
	int point;                      /* index in run->front */
	char net_note[160];             /* how the network was rebuilt ("NB201 cifar10 cell") */
	struct arch_net net;            /* owned */
	struct hw_config hw;
	struct report_layer *layers;    /* owned, net.n_layers */
	struct cost_total tot;
	const char *mapper;             /* "glpk" or "greedy": the run's, as recorded */
	double run_latency_ms;          /* what the run recorded, to compare */
};
/* Re-evaluates front point i as 'hwnas eval' does (cost_net), with what the run recorded:
 * front.json's network file (configs/<i>.net.json), mapper, energy table and calibration, or
 * a store's space (search_space_net of the point, the space's mapper, energy, calibration).
 * HN_ENOTFOUND for a run that recorded neither: nothing is guessed. tick is called per
 * layer. Caller releases d. */
int report_design_eval(const struct report_run *run, int i, struct report_design *d,
		       report_tick_fn tick, void *ctx, struct hn_err *err);
void report_design_release(struct report_design *d);

/* Colours of the three dataflows (ws, os, is) and of other series. */
const char *report_df_color(int df);
extern const char *const report_series_colors[8];

/* ---- The page (report_html.c) ---- */

struct report_input {
	struct report_run *runs;        /* runs[0] is the one reported; the others add their
					 * hypervolume progress */
	int n_runs;
	const struct report_design *design; /* NULL when it could not be re-evaluated */
	const char *design_error;       /* why, when design is NULL */
	const struct report_rtl *rtl;
	const char *title;
	const char *generated;          /* a timestamp line */
};

/* The plots of the page, each a standalone SVG document. */
enum report_plot {
	RP_ACC_LAT = 0, RP_ACC_ENERGY, RP_LAT_DSP, RP_ROOFLINE, RP_BREAKDOWN, RP_RTL,
	RP_PROGRESS, RP_COUNT
};
const char *report_plot_id(int which);      /* "acc-latency" ... (the --svg file stem) */
/* Appends plot `which` as a standalone <svg> element. */
void report_plot_svg(struct rbuf *b, const struct report_input *in, int which);
/* Fills run->hv_at / hv / n_hv: the hypervolume of the feasible front of the first e
 * evaluations, in the run's normalised objectives (docs/search.md), at most max_samples
 * values of e (every evaluation while the front changes little, else evenly spaced).
 * Returns 0 or HN_ENOMEM. */
int report_hv_progress(struct report_run *run, int max_samples, report_tick_fn tick,
		       void *ctx);
/* The whole page. */
void report_html(struct rbuf *b, const struct report_input *in);

#endif
