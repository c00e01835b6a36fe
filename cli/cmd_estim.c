/* hwnas estimators: the survey's four ways of pricing a network (the analytical model, a
 * lookup table, learned predictors, the RTL) on the same (network, accelerator) pairs,
 * scored against measurement: MAPE, Kendall tau and cost per evaluation (docs/search.md
 * "Cost estimators"). The work is estim_compare_run (estim/); this file parses, loads,
 * calls and prints. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../estim/estim.h"
#include "../search/search.h"
#include "../sim/sim.h"

static const char estim_help[] =
"usage: hwnas estimators (--nets LIST --hws LIST | --space FILE --points N) [options]\n"
"\n"
"Compares the cost estimators on the same (network, accelerator) pairs: every network of\n"
"--nets on every config of --hws, or N points of a search space drawn with the seed. The\n"
"pairs are split at random (--seed) into training and test pairs; every distinct (layer,\n"
"config) of all of them is measured once by the truth (--truth: the RTL through Verilator,\n"
"bit-exact checked, or the model). The training pairs' layers fill a lookup table and\n"
"train the predictors (least squares on op and byte counts; gradient-boosted trees); then\n"
"each estimator prices every test pair, and the table gives, per estimator, the network\n"
"cycles' MAPE, max error and Kendall tau-b against the truth, its wall time per network\n"
"evaluation and its one-off cost (measurements, fitting). Table misses are priced by the\n"
"model and counted. Pool and add layers (no RTL unit) take the model's figure everywhere.\n"
"\n"
"  --nets LIST      zoo names or network files, comma-separated\n"
"  --hws LIST       accelerator config files, comma-separated\n"
"  --space FILE     a search space (docs/search.md) instead; with --points N\n"
"  --points N       points of the space to draw (distinct, seeded; default 40)\n"
"  --truth SRC      'rtl' (default) or 'model'\n"
"  --mapper NAME    'glpk' (default) or 'greedy'\n"
"  --train-frac F   share of the pairs measured for training (default 0.5)\n"
"  --seed S         the split, the draw and the trees' subsamples (default 1)\n"
"  --max-macs N     RTL: layers with more MACs take the model's figure (default 2000000)\n"
"  --lut-out FILE   write the lookup table of every layer measured (docs/search.md)\n"
"  --predictor-out FILE  write the predictor trained on the training pairs\n"
"  --predictor KIND which one --predictor-out writes: 'gbt' (default) or 'linear'\n"
"  --json           JSON on stdout instead of the table\n"
"  --quiet          no progress on stderr\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas estimators --nets tests/data/validate/v_tiny.json,tests/data/validate/v_cnn.json \\\n"
"      --hws tests/data/validate/hw_ws4_8b_s_small.json,tests/data/validate/hw_os4_8b_d_small.json\n"
"\n"
"exit: 0 ok, 1 an error (a measurement failed, a file), 2 usage\n";

struct estim_opts {
	char *nets, *hws;
	const char *space, *lut_out, *pred_out;
	int64_t points, max_macs, seed;
	double train_frac;
	int truth, greedy, pred_kind, json, quiet;
};

static int parse_args(int argc, char **argv, struct estim_opts *o)
{
	static const struct option longopts[] = {
		{ "nets", required_argument, NULL, 'n' }, { "hws", required_argument, NULL, 'w' },
		{ "space", required_argument, NULL, 's' }, { "points", required_argument, NULL, 'p' },
		{ "truth", required_argument, NULL, 't' }, { "mapper", required_argument, NULL, 'm' },
		{ "train-frac", required_argument, NULL, 'f' }, { "seed", required_argument, NULL, 'S' },
		{ "max-macs", required_argument, NULL, 'x' }, { "lut-out", required_argument, NULL, 'L' },
		{ "predictor-out", required_argument, NULL, 'P' },
		{ "predictor", required_argument, NULL, 'k' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->points = 40;
	o->max_macs = 2000000;
	o->seed = 1;
	o->train_frac = 0.5;
	o->truth = ESTIM_SRC_RTL;
	o->pred_kind = ESTIM_PRED_GBT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->nets = optarg; break;
		case 'w': o->hws = optarg; break;
		case 's': o->space = optarg; break;
		case 'L': o->lut_out = optarg; break;
		case 'P': o->pred_out = optarg; break;
		case 'j': o->json = 1; break;
		case 'q': o->quiet = 1; break;
		case 't':
			if ((o->truth = estim_source_parse(optarg)) < 0)
				return cli_usage_error("estimators", "--truth must be 'rtl' or 'model', got '%s'", optarg);
			break;
		case 'm': {
			int m;
			if (cli_parse_mapper("estimators", optarg, &m))
				return CLI_USAGE;
			o->greedy = m == COST_MAP_GREEDY;
			break;
		}
		case 'k':
			if ((o->pred_kind = estim_pred_kind_parse(optarg)) < 0)
				return cli_usage_error("estimators", "--predictor must be 'gbt' or 'linear', got '%s'", optarg);
			break;
		case 'p':
			if (cli_parse_i64(optarg, 4, 10000, &o->points))
				return cli_usage_error("estimators", "--points must be an integer in 4..10000, got '%s'", optarg);
			break;
		case 'x':
			if (cli_parse_i64(optarg, 1, INT64_MAX, &o->max_macs))
				return cli_usage_error("estimators", "--max-macs must be a positive integer, got '%s'", optarg);
			break;
		case 'S':
			if (cli_parse_i64(optarg, 0, INT64_MAX, &o->seed))
				return cli_usage_error("estimators", "--seed must be a non-negative integer, got '%s'", optarg);
			break;
		case 'f':
			if (cli_parse_double(optarg, 0.01, 0.99, &o->train_frac))
				return cli_usage_error("estimators", "--train-frac must be a number in 0.01..0.99, got '%s'", optarg);
			break;
		case 'h': fputs(estim_help, stdout); return -1;
		default:
			return cli_usage_error("estimators", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("estimators", "unexpected argument '%s'", argv[optind]);
	if (o->space && (o->nets || o->hws))
		return cli_usage_error("estimators", "give --space, or --nets and --hws, not both");
	if (!o->space && (!o->nets || !o->hws))
		return cli_usage_error("estimators", "--nets and --hws (or --space) are required");
	return 0;
}

/* Splits a comma-separated list in place; returns the count (at most max). */
static int split_list(char *s, char **items, int max)
{
	int n = 0;
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
		items[n++] = tok;
	return n;
}

#define MAX_ITEMS 256

struct inputs {
	struct arch_net *nets;
	struct hw_config *hws;
	struct estim_pair *pairs;
	char (*net_name)[64], (*hw_name)[64];
	int n_nets, n_hws, n_pairs;
};

static void inputs_release(struct inputs *in)
{
	for (int i = 0; i < in->n_nets; i++)
		arch_net_release(&in->nets[i]);
	free(in->nets);
	free(in->hws);
	free(in->pairs);
	free(in->net_name);
	free(in->hw_name);
}

static void stem(const char *path, char *buf, size_t n)
{
	const char *s = strrchr(path, '/');
	char *dot;

	hn_strlcpy(buf, s ? s + 1 : path, n);
	if ((dot = strrchr(buf, '.')) && dot != buf)
		*dot = '\0';
}

static int alloc_inputs(struct inputs *in, int nets, int hws, int pairs)
{
	in->nets = calloc((size_t)nets, sizeof(*in->nets));
	in->net_name = calloc((size_t)nets, sizeof(*in->net_name));
	in->hws = calloc((size_t)hws, sizeof(*in->hws));
	in->hw_name = calloc((size_t)hws, sizeof(*in->hw_name));
	in->pairs = calloc((size_t)pairs, sizeof(*in->pairs));
	return in->nets && in->net_name && in->hws && in->hw_name && in->pairs ? 0 : HN_ENOMEM;
}

static int load_lists(struct estim_opts *o, struct inputs *in, struct hn_err *err)
{
	char *nets[MAX_ITEMS], *hws[MAX_ITEMS];
	int nn = split_list(o->nets, nets, MAX_ITEMS), nh = split_list(o->hws, hws, MAX_ITEMS);
	int ret;

	if (alloc_inputs(in, nn, nh, nn * nh))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	for (int i = 0; i < nn; i++) {
		if ((ret = arch_net_resolve(nets[i], 0, &in->nets[i], err)) < 0)
			return ret;
		in->n_nets++;
		stem(nets[i], in->net_name[i], sizeof(in->net_name[i]));
	}
	for (int h = 0; h < nh; h++) {
		if ((ret = hw_config_load(hws[h], &in->hws[h], err)) < 0)
			return ret;
		if (o->truth == ESTIM_SRC_RTL && (ret = sim_check_hw(&in->hws[h], err)) < 0)
			return hn_fail(err, ret, "%s: %s", hws[h], err->msg);
		in->n_hws++;
		stem(hws[h], in->hw_name[h], sizeof(in->hw_name[h]));
	}
	for (int i = 0; i < nn; i++)
		for (int h = 0; h < nh; h++)
			in->pairs[in->n_pairs++] = (struct estim_pair){ i, h };
	return 0;
}

/* N distinct points of the space (seeded), each its own network and config. */
static int load_space(const struct estim_opts *o, struct inputs *in, struct hn_err *err)
{
	struct search_space sp;
	struct search_rng rng;
	uint64_t size;
	int64_t n;
	int ret;

	if ((ret = search_space_load(o->space, &sp, err)) < 0)
		return ret;
	size = search_space_size(&sp);
	n = (int64_t)size < o->points ? (int64_t)size : o->points;
	if (alloc_inputs(in, (int)n, (int)n, (int)n))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	search_rng_seed(&rng, (uint64_t)o->seed);
	uint64_t *seen = calloc((size_t)n, sizeof(uint64_t));
	if (!seen)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	for (int64_t i = 0; i < n; i++) {
		struct search_point pt;
		uint64_t idx;
		int dup;
		do {
			idx = search_rng_next(&rng) % size;
			dup = 0;
			for (int64_t j = 0; j < i; j++)
				dup |= seen[j] == idx;
		} while (dup);
		seen[i] = idx;
		search_point_from_index(&sp, idx, &pt);
		if ((ret = search_space_net(&sp, &pt, &in->nets[i], err)) < 0)
			break;
		in->n_nets++;
		search_space_hw(&sp, &pt, &in->hws[i]);
		if (o->truth == ESTIM_SRC_RTL && (ret = sim_check_hw(&in->hws[i], err)) < 0)
			break;
		in->n_hws++;
		search_space_describe_nn(&sp, &pt, in->net_name[i], sizeof(in->net_name[i]));
		snprintf(in->hw_name[i], sizeof(in->hw_name[i]), "point %llu",
			 (unsigned long long)idx);
		in->pairs[in->n_pairs++] = (struct estim_pair){ (int)i, (int)i };
	}
	free(seen);
	return ret < 0 ? ret : 0;
}

static void on_measure(void *ctx, int64_t done, int64_t total, const char *what)
{
	struct cli_progress *pg = ctx;
	(void)total;
	if (cli_progress_due(pg))
		cli_progress_update(pg, done, "%lld layers measured, next '%s'", (long long)done, what);
}

static void print_table(const struct estim_compare *c, const struct estim_opts *o)
{
	printf("%d pairs (%d training, %d test, %d infeasible left out); %lld distinct layers "
	       "measured by the %s (%lld on the RTL) in %.1f s; truth: %s\n\n", c->n_pairs,
	       c->n_train, c->n_test, c->n_infeasible, (long long)c->layers_measured,
	       estim_source_name(o->truth), (long long)c->rtl_layers, c->measure_s,
	       estim_source_name(o->truth));
	printf("%-11s %9s %9s %8s %12s %12s %10s\n", "estimator", "MAPE %", "max %", "tau",
	       "us/net cold", "us/net warm", "one-off s");
	for (int k = 0; k < ESTIM_KIND_COUNT; k++) {
		const struct estim_row *r = &c->row[k];
		if (!c->has[k])
			continue;
		printf("%-11s %9.3f %9.3f %8.3f %12.1f %12.1f %10.2f\n", estim_kind_name(k),
		       r->mape, r->max_err, r->tau, r->us_per_eval, r->us_warm, r->build_s);
	}
	if (c->layer_test_n)
		printf("\npredictors on the %d test layers not in the training pairs: MAPE linear "
		       "%.1f%%, gbt %.1f%% (trained on %d layers)\n", c->layer_test_n,
		       c->layer_mape[ESTIM_PRED_LINEAR], c->layer_mape[ESTIM_PRED_GBT],
		       c->pred[ESTIM_PRED_GBT].n_train);
	else
		printf("\nevery test layer was in the training pairs (predictors trained on %d "
		       "layers)\n", c->pred[ESTIM_PRED_GBT].n_train);
	printf("table: %lld lookups, %lld misses priced by the model\n",
	       (long long)c->row[ESTIM_LUT].lookups, (long long)c->row[ESTIM_LUT].misses);
	if (c->model_layers_big)
		printf("%lld layers above --max-macs took the model's figure in the truth\n",
		       (long long)c->model_layers_big);
}

static int print_json(const struct estim_compare *c, const struct estim_opts *o,
		      const struct inputs *in)
{
	cJSON *root = cJSON_CreateObject(), *rows, *pairs;

	cJSON_AddStringToObject(root, "truth", estim_source_name(o->truth));
	cJSON_AddStringToObject(root, "mapper", o->greedy ? "greedy" : "glpk");
	cJSON_AddNumberToObject(root, "cost_model_version", COST_MODEL_VERSION);
	cJSON_AddNumberToObject(root, "seed", (double)o->seed);
	cJSON_AddNumberToObject(root, "train_frac", o->train_frac);
	cJSON_AddNumberToObject(root, "pairs", c->n_pairs);
	cJSON_AddNumberToObject(root, "train_pairs", c->n_train);
	cJSON_AddNumberToObject(root, "test_pairs", c->n_test);
	cJSON_AddNumberToObject(root, "infeasible_pairs", c->n_infeasible);
	cJSON_AddNumberToObject(root, "layers_measured", (double)c->layers_measured);
	cJSON_AddNumberToObject(root, "layers_train", (double)c->layers_train);
	cJSON_AddNumberToObject(root, "rtl_layers", (double)c->rtl_layers);
	cJSON_AddNumberToObject(root, "measure_s", c->measure_s);
	cJSON_AddNumberToObject(root, "layer_test_n", c->layer_test_n);
	cJSON_AddNumberToObject(root, "layer_mape_linear", c->layer_mape[ESTIM_PRED_LINEAR]);
	cJSON_AddNumberToObject(root, "layer_mape_gbt", c->layer_mape[ESTIM_PRED_GBT]);
	rows = cJSON_AddArrayToObject(root, "estimators");
	for (int k = 0; k < ESTIM_KIND_COUNT; k++) {
		const struct estim_row *r = &c->row[k];
		if (!c->has[k])
			continue;
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", estim_kind_name(k));
		cJSON_AddNumberToObject(j, "n", r->n);
		cJSON_AddNumberToObject(j, "mape", r->mape);
		cJSON_AddNumberToObject(j, "max_error", r->max_err);
		cJSON_AddNumberToObject(j, "kendall_tau", r->tau);
		cJSON_AddNumberToObject(j, "us_per_eval", r->us_per_eval);
		cJSON_AddNumberToObject(j, "us_per_eval_warm", r->us_warm);
		cJSON_AddNumberToObject(j, "one_off_s", r->build_s);
		if (k == ESTIM_LUT) {
			cJSON_AddNumberToObject(j, "lookups", (double)r->lookups);
			cJSON_AddNumberToObject(j, "misses", (double)r->misses);
		}
		cJSON_AddItemToArray(rows, j);
	}
	pairs = cJSON_AddArrayToObject(root, "test");
	for (int i = 0; i < c->n_test; i++) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "net", in->net_name[c->test[i].net]);
		cJSON_AddStringToObject(j, "hw", in->hw_name[c->test[i].hw]);
		cJSON_AddNumberToObject(j, "truth_cycles", c->truth[i]);
		for (int k = 0; k < ESTIM_KIND_COUNT; k++)
			if (c->has[k])
				cJSON_AddNumberToObject(j, estim_kind_name(k), c->est[k][i]);
		cJSON_AddItemToArray(pairs, j);
	}
	return cli_print_json(root);
}

int cmd_estim(int argc, char **argv)
{
	struct estim_opts o;
	struct inputs in = { 0 };
	struct estim_compare_opts co;
	struct estim_compare c;
	struct sim_options so;
	struct cli_progress pg;
	struct hn_err err = { 0 };
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	cli_catch_stop_signals();
	if ((o.space ? load_space(&o, &in, &err) : load_lists(&o, &in, &err)) < 0) {
		inputs_release(&in);
		return cli_error(&err);
	}
	estim_compare_opts_init(&co);
	co.cx.greedy = o.greedy;
	co.cx.source = o.truth;
	co.cx.max_macs = o.max_macs;
	sim_options_init(&so);
	co.cx.sim = &so;
	co.seed = (uint64_t)o.seed;
	co.gbt.seed = (uint64_t)o.seed;
	co.train_frac = o.train_frac;
	cli_progress_start(&pg, "estimators: measuring layers", 0, o.quiet);
	co.on_measure = on_measure;
	co.ctx = &pg;
	ret = estim_compare_run(in.nets, in.hws, in.pairs, in.n_pairs, &co, &c, &err);
	cli_progress_done(&pg);
	if (ret < 0) {
		inputs_release(&in);
		return cli_error(&err);
	}
	if ((o.lut_out && estim_lut_save(&c.lut, o.lut_out, &err) < 0) ||
	    (o.pred_out && estim_pred_save(&c.pred[o.pred_kind], o.pred_out, &err) < 0)) {
		ret = cli_error(&err);
	} else {
		if (o.json)
			ret = print_json(&c, &o, &in) < 0 ? CLI_FAIL : CLI_OK;
		else
			print_table(&c, &o);
		ret = ret ? ret : CLI_OK;
	}
	estim_compare_release(&c);
	inputs_release(&in);
	return ret;
}
