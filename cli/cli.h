/* cli.h: the command layer. Only cli/ prints or exits. Each cmd_*.c parses its own options
 * with getopt_long, prints --help with an example, and returns 0 (success), 1 (failure) or
 * 2 (usage error). */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
#include <stdio.h>
#include "../common/hn.h"
#include "../estim/estim.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_zoo(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_estim(int argc, char **argv);

/* Prints "hwnas: <msg>" on stderr and returns CLI_FAIL. */
int cli_error(const struct hn_err *err);
/* Prints "hwnas <cmd>: <printf message>" and a pointer to --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when colour may be used on stream f (a terminal and NO_COLOR unset). */
int cli_color(FILE *f);
/* SIGINT, SIGTERM and SIGHUP set hn_stop_signal (the one signal flag): the blocking steps
 * below (builds, simulations, syntheses, the accuracy command, the search driver) stop their
 * children and return HN_EINTR. A second signal ends the process at once. For commands that
 * run external tools or long loops that check the flag; the others keep the default. */
void cli_catch_stop_signals(void);
/* Option values: the whole of s as an integer / a finite number within [lo, hi] into *v;
 * 0, or -1 (the caller reports the option). */
int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *v);
/* "DW[,MAXB[,MAXOUT]]" (--axi of eval and compile) into a (fields not given keep their
 * values): 0, or -1 with why set to the text after "--axi S: ". */
int cli_parse_axi(const char *s, struct cost_axi *a, char *why, size_t size);
int cli_parse_double(const char *s, double lo, double hi, double *v);
/* --mapper's value (cli_opts.c): "glpk" or "greedy" ("default", its old name) into *mapper
 * (enum cost_mapper); 0, or the usage error printed for cmd and CLI_USAGE. */
int cli_parse_mapper(const char *cmd, const char *s, int *mapper);

/* The options several commands share (cli_opts.c). A command lists the ones it takes in its
 * getopt_long table (CLI_LONGOPT_NET, ...) and passes every option to cli_common_option
 * first. Defaults: the built-in config and energy table, the GLPK mapper, batch 0 (a zoo
 * network at batch 1, a network file at its own batch). */
struct cli_common {
	const char *net, *hw, *energy;
	const char *mapper_name;
	int mapper;                     /* enum cost_mapper */
	int64_t batch;
};
enum { CLI_OPT_NET = 0x100, CLI_OPT_HW, CLI_OPT_BATCH, CLI_OPT_ENERGY, CLI_OPT_MAPPER };
#define CLI_LONGOPT_NET { "net", required_argument, NULL, CLI_OPT_NET }
#define CLI_LONGOPT_HW { "hw", required_argument, NULL, CLI_OPT_HW }
#define CLI_LONGOPT_BATCH { "batch", required_argument, NULL, CLI_OPT_BATCH }
#define CLI_LONGOPT_ENERGY { "energy", required_argument, NULL, CLI_OPT_ENERGY }
#define CLI_LONGOPT_MAPPER { "mapper", required_argument, NULL, CLI_OPT_MAPPER }
void cli_common_init(struct cli_common *c);
/* 1 when opt is a shared option (its value taken), 0 when it is not, CLI_USAGE for a bad
 * value (the message printed for cmd). */
int cli_common_option(const char *cmd, int opt, const char *arg, struct cli_common *c);
/* After the options: --mapper's name checked (cli_parse_mapper). 0 or CLI_USAGE. */
int cli_common_finish(const char *cmd, struct cli_common *c);
/* The accelerator (--hw, else the built-in config) and, when e is not NULL, the energy table
 * (--energy, else the defaults). 0, or -1 with err naming the file and the field. */
struct hw_config;
struct hw_energy;
int cli_common_load(const struct cli_common *c, struct hw_config *hw, struct hw_energy *e,
		    struct hn_err *err);
/* --cost and its files (cli_cost.c; docs/search.md "Cost estimators"), for eval and explore:
 * --cost analytical|lut|predictor|rtl, --lut FILE, --lut-miss fail|model, --predictor FILE.
 * A command lists CLI_LONGOPT_COST in its getopt_long table, passes every option to
 * cli_cost_option, calls cli_cost_finish after the options and cli_cost_load once it knows
 * the mapper and the energy table; cost.u is then the estimator (cost.u.kind
 * ESTIM_ANALYTICAL: the model alone). cli_cost_release frees the files. */
struct cli_cost {
	const char *kind_name, *lut_path, *pred_path, *miss_name;
	int on_miss;                    /* enum estim_miss */
	struct estim_open *open;        /* owned: cli_cost_load's */
	struct estim_using u;           /* u.kind from the name; after cli_cost_load, open->u */
};
enum { CLI_OPT_COST = 0x180, CLI_OPT_LUT, CLI_OPT_LUT_MISS, CLI_OPT_PREDICTOR };
#define CLI_LONGOPT_COST { "cost", required_argument, NULL, CLI_OPT_COST }, \
	{ "lut", required_argument, NULL, CLI_OPT_LUT }, \
	{ "lut-miss", required_argument, NULL, CLI_OPT_LUT_MISS }, \
	{ "predictor", required_argument, NULL, CLI_OPT_PREDICTOR }
void cli_cost_init(struct cli_cost *c);
/* 1 when opt is a cost option (taken), 0 when it is not. */
int cli_cost_option(int opt, const char *arg, struct cli_cost *c);
/* The names checked and the files required by the estimator given: 0 or CLI_USAGE. */
int cli_cost_finish(const char *cmd, struct cli_cost *c);
/* Loads the table or the predictor and checks it was made with this mapper and energy table
 * (enum cost_mapper); RTL layers above max_macs (0: none) keep the model's figure, simulated
 * with so. 0, or a negative code with err naming the file. */
struct sim_options;
int cli_cost_load(struct cli_cost *c, int mapper, const struct hw_energy *e, int64_t max_macs,
		  const struct sim_options *so, struct hn_err *err);
void cli_cost_release(struct cli_cost *c);
/* "lut t.lut", "predictor p.pred (gbt)", "rtl" or "analytical", into buf. */
void cli_cost_describe(const struct cli_cost *c, char *buf, size_t size);

/* Prints a JSON document on stdout and deletes it; -1 when out of memory (nothing printed). */
struct cJSON;
int cli_print_json(struct cJSON *root);
/* Nodes of an imported network that are not layers, by op type, on out ("not executed (no
 * layer): 49 Relu, 53 BatchNormalization (folded)"), and a warning on stderr for each unknown
 * op skipped on request (cli_net.c). */
struct arch_net;
void cli_net_notes(const struct arch_net *net, FILE *out);
/* Formats n with thousands separators into buf. */
const char *cli_thousands(long long n, char *buf, size_t size);

/* Progress of long work on stderr (cli/progress.c). On a terminal: one bar redrawn in place
 * (at most 10 times a second, from 0.25 s on, coloured unless NO_COLOR is set), cleared by
 * cli_progress_done. Otherwise: a plain line every 10 s, and a last line from
 * cli_progress_done when any was printed. quiet: nothing. $HWNAS_PROGRESS_INTERVAL (seconds)
 * overrides both delays (tests set 0); $HWNAS_PROGRESS=bar|lines|none overrides the mode.
 *
 *	struct cli_progress pg;
 *	cli_progress_start(&pg, "explore", budget, quiet);
 *	for (...) {
 *		if (cli_progress_due(&pg))      // only then compute an expensive status
 *			cli_progress_update(&pg, done, "front %d, hypervolume %.4f", n, hv);
 *	}
 *	cli_progress_done(&pg);
 */
enum { CLI_PROGRESS_NONE = 0, CLI_PROGRESS_BAR, CLI_PROGRESS_LINES };
struct cli_progress {
	char what[32];                  /* "explore", "report: mapping layers" */
	int64_t total;                  /* 0: unknown (no bar fill, no time left) */
	int64_t done;
	int mode;                       /* CLI_PROGRESS_* */
	int color, utf8;
	double t0, last, delay, every;  /* seconds */
	int shown;                      /* something was drawn */
	char status[160];
};
void cli_progress_start(struct cli_progress *p, const char *what, int64_t total, int quiet);
/* 1 when the next cli_progress_update would draw (time to refresh). */
int cli_progress_due(const struct cli_progress *p);
/* Records done units and redraws when due; fmt (may be NULL: keep the last) is a status
 * shown after the counts. */
void cli_progress_update(struct cli_progress *p, int64_t done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the work: clears the bar, or prints the last line in line mode. */
void cli_progress_done(struct cli_progress *p);
/* A sim_build_fn (sim_options.on_build, sim_synth_options.on_build): says on stderr that a
 * Verilator build or a Yosys synthesis starts and how long the last one took. ctx: the
 * command's progress (its bar is cleared first; nothing is said when it is off), or NULL. */
void cli_build_notice(void *ctx, const char *tool, const char *what, double last_s);

#endif
