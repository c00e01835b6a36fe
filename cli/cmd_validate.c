/* hwnas validate: the analytical model against the RTL over a sweep of (layer, config)
 * points: error, ranking (Kendall tau-b), zero-stall exactness, a roofline per point, and a
 * least-squares calibration of the stall term, fitted on half the points and reported on the
 * other half (docs/validation.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../sim/sim.h"

static const char validate_help[] =
"usage: hwnas validate --nets LIST --hws LIST [options]\n"
"\n"
"Runs the analytical model (docs/model.md) and the Verilog accelerator (rtl/, Verilator) on\n"
"the same layers with the same tilings, for every network in LIST and every accelerator\n"
"config in LIST (comma-separated). Prints per (layer, config) the model and RTL cycles, the\n"
"error, bit_exact, the bound (compute or memory, by the model), and a roofline: attained\n"
"GOP/s in the RTL (2 x MACs / RTL time) against the compute roof (2 R C f) and the bandwidth\n"
"roof (ops per DRAM byte x GB/s). Then over the sweep: MAPE, max |error|, Kendall tau-b of\n"
"the model's and the RTL's rankings of all points, by dataflow and by bound; the largest\n"
"error on points without memory stalls (single-buffered, or double-buffered where the array\n"
"never waited after the first loads); the error of the model's closed-form bound alone (what\n"
"the step walk of docs/model.md corrects); and a calibration of the stall term (per\n"
"dataflow x double buffering) fitted on the even-numbered points, with the error before and\n"
"after on the odd-numbered (held-out) points and on all.\n"
"\n"
"  --nets LIST      zoo names or network files (.json, SCALE-Sim .csv, ONNX .onnx),\n"
"                   comma-separated\n"
"  --hws LIST       accelerator config files, comma-separated\n"
"  --layers N       N MAC layers per network: those at positions round(i (L-1) / (N-1)),\n"
"                   i = 0..N-1, among its L MAC layers within --max-macs (default: all)\n"
"  --max-macs N     skip layers with more MACs (bounds RTL time; default 2000000)\n"
"  --mapper NAME    'glpk' (default: the optimal tiling under the model) or 'greedy'\n"
"                   ('default' is its old name)\n"
"  --calib FILE     apply this calibration for the 'after' figures instead of fitting one\n"
"  --calib-out FILE write the calibration fitted on all points (JSON, docs/validation.md)\n"
"  --csv FILE       one row per point\n"
"  --timeout S      wall-clock limit of one simulation in seconds (default 600)\n"
"  --json           JSON on stdout instead of the tables\n"
"  --quiet          no progress on stderr (a bar on a terminal, a line every 10 s otherwise)\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas validate --nets tests/data/validate/v_tiny.json \\\n"
"      --hws tests/data/validate/hw_ws4_8b_s_small.json,tests/data/validate/hw_os4_8b_d_small.json\n"
"\n"
"exit: 0 every point simulated and bit-exact, 1 a mismatch or an error, 2 usage\n";

struct val_opts {
	char *nets, *hws;
	const char *mapper, *calib, *calib_out, *csv;
	int64_t layers, max_macs;
	double timeout;
	int json, quiet;
	int map;                        /* enum cost_mapper */
};

static int parse_args(int argc, char **argv, struct val_opts *o)
{
	static const struct option longopts[] = {
		{ "nets", required_argument, NULL, 'n' }, { "hws", required_argument, NULL, 'w' },
		{ "layers", required_argument, NULL, 'l' }, { "max-macs", required_argument, NULL, 'x' },
		{ "mapper", required_argument, NULL, 'm' }, { "calib", required_argument, NULL, 'c' },
		{ "calib-out", required_argument, NULL, 'C' }, { "csv", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 'o' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->max_macs = 2000000;
	o->timeout = 600;
	o->mapper = "glpk";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->nets = optarg; break;
		case 'w': o->hws = optarg; break;
		case 'm': o->mapper = optarg; break;
		case 'c': o->calib = optarg; break;
		case 'C': o->calib_out = optarg; break;
		case 'v': o->csv = optarg; break;
		case 'j': o->json = 1; break;
		case 'q': o->quiet = 1; break;
		case 'l':
			if (cli_parse_i64(optarg, 1, 100000, &o->layers))
				return cli_usage_error("validate", "--layers must be an integer in 1..100000, got '%s'", optarg);
			break;
		case 'x':
			if (cli_parse_i64(optarg, 1, INT64_MAX, &o->max_macs))
				return cli_usage_error("validate", "--max-macs must be a positive integer, got '%s'", optarg);
			break;
		case 'o':
			if (cli_parse_double(optarg, 1e-6, 1e9, &o->timeout))
				return cli_usage_error("validate", "--timeout must be a positive number of seconds, got '%s'", optarg);
			break;
		case 'h': fputs(validate_help, stdout); return -1;
		default:
			return cli_usage_error("validate", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("validate", "unexpected argument '%s'", argv[optind]);
	if (!o->nets || !o->nets[0])
		return cli_usage_error("validate", "--nets is required");
	if (!o->hws || !o->hws[0])
		return cli_usage_error("validate", "--hws is required");
	if (cli_parse_mapper("validate", o->mapper, &o->map))
		return CLI_USAGE;
	return 0;
}

/* The base name of a path without its extension, into buf. */
static void stem(const char *path, char *buf, size_t n)
{
	const char *s = strrchr(path, '/');
	char *dot;

	hn_strlcpy(buf, s ? s + 1 : path, n);
	if ((dot = strrchr(buf, '.')) && dot != buf)
		*dot = '\0';
}

static void print_point_table(const struct sim_val_run *v)
{
	printf("%-8s %-10s %-20s %-22s %9s %9s %8s %-5s %-4s %-3s %8s %8s %8s\n", "net", "layer",
	       "config", "tiling tm,tn,tk order", "model", "rtl", "error", "exact", "bnd", "st0",
	       "rtl GOPs", "peak", "bw roof");
	for (int i = 0; i < v->n; i++) {
		const struct sim_val_point *p = &v->p[i];
		char til[48];
		double att, peak, bwr;
		sim_validate_roofline(p, &att, &peak, &bwr);
		snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)p->tiling.tm,
			 (long long)p->tiling.tn, (long long)p->tiling.tk,
			 map_order_name(p->tiling.order));
		printf("%-8.8s %-10.10s %-20.20s %-22s %9lld %9lld %+7.2f%% %-5s %-4s %-3s %8.3f %8.3f "
		       "%8.3f\n", p->net, p->layer, p->hw, til, (long long)p->cost.cycles,
		       (long long)p->res.rtl_cycles, p->err, p->res.bit_exact ? "true" : "false",
		       p->cost.memory_bound ? "mem" : "cmp", p->stall_free ? "yes" : "no", att, peak,
		       bwr);
	}
}

static void print_stats_line(const char *what, const struct sim_val_stats *s)
{
	if (!s->n)
		return;
	printf("  %-22s %4d points  MAPE %6.3f%%  max %6.2f%%  tau %6.4f  | calibrated: MAPE "
	       "%6.3f%%  max %6.2f%%\n", what, s->n, s->mape, s->max_err, s->tau, s->mape_cal,
	       s->max_cal);
}

static cJSON *stats_json(const struct sim_val_stats *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "points", s->n);
	cJSON_AddNumberToObject(o, "mape", s->mape);
	cJSON_AddNumberToObject(o, "max_error", s->max_err);
	cJSON_AddNumberToObject(o, "kendall_tau", s->tau);
	cJSON_AddNumberToObject(o, "mape_calibrated", s->mape_cal);
	cJSON_AddNumberToObject(o, "max_error_calibrated", s->max_cal);
	return o;
}

static int write_csv(const char *path, const struct sim_val_run *v)
{
	struct hn_err err;
	FILE *f = hn_fopen_out(path, &err);

	if (!f) {
		cli_error(&err);
		return -1;
	}
	fprintf(f, "net,layer,config,dataflow,act_bits,double_buffer,tm,tn,tk,order,macs,"
		"model_cycles,rtl_cycles,error_pct,calibrated_cycles,calibrated_error_pct,bit_exact,"
		"bound,stall_free,compute_cycles,mem_cycles,rtl_gops,peak_gops,bw_roof_gops,"
		"model_bound_cycles\n");
	for (int i = 0; i < v->n; i++) {
		const struct sim_val_point *p = &v->p[i];
		double att, peak, bwr;
		sim_validate_roofline(p, &att, &peak, &bwr);
		fprintf(f, "%s,%s,%s,%s,%d,%d,%lld,%lld,%lld,%s,%lld,%lld,%lld,%.4f,%lld,%.4f,%d,%s,%d,"
			"%lld,%lld,%.4f,%.4f,%.4f,%lld\n", p->net, p->layer, p->hw,
			hw_dataflow_name(p->hwc.dataflow), p->hwc.act_bits, p->hwc.double_buffer ? 1 : 0,
			(long long)p->tiling.tm, (long long)p->tiling.tn, (long long)p->tiling.tk,
			map_order_name(p->tiling.order), (long long)p->cost.macs,
			(long long)p->cost.cycles, (long long)p->res.rtl_cycles, p->err,
			(long long)p->calib_cycles, p->err_cal, p->res.bit_exact,
			p->cost.memory_bound ? "memory" : "compute", p->stall_free,
			(long long)p->cost.compute_cycles, (long long)p->cost.mem_cycles, att, peak, bwr,
			(long long)p->cost.cycles_bound);
	}
	if (fclose(f)) {
		fprintf(stderr, "hwnas: %s: cannot write: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The summary and the points as one JSON document on stdout; -1 when out of memory. */
static int print_json(const struct sim_val_run *run, const struct sim_val_summary *s,
		      const char *calib)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "points_count", run->n);
	cJSON_AddNumberToObject(root, "mape", s->all.mape);
	cJSON_AddNumberToObject(root, "max_error", s->all.max_err);
	cJSON_AddNumberToObject(root, "kendall_tau", s->all.tau);
	cJSON *cb = cJSON_AddObjectToObject(root, "closed_form_bound");
	cJSON_AddNumberToObject(cb, "mape", s->bound_mape);
	cJSON_AddNumberToObject(cb, "max_error", s->bound_max);
	cJSON *z = cJSON_AddObjectToObject(root, "stall_free");
	cJSON_AddNumberToObject(z, "points", s->stall_free.n);
	cJSON_AddNumberToObject(z, "max_error", s->stall_free.max_err);
	cJSON *bd = cJSON_AddObjectToObject(root, "by_dataflow");
	for (int d = 0; d < HW_DF_COUNT; d++)
		if (s->by_df[d].n)
			cJSON_AddItemToObject(bd, hw_dataflow_name((enum hw_dataflow)d),
					      stats_json(&s->by_df[d]));
	cJSON *bb = cJSON_AddObjectToObject(root, "by_bound");
	cJSON_AddItemToObject(bb, "compute", stats_json(&s->by_bound[0]));
	cJSON_AddItemToObject(bb, "memory", stats_json(&s->by_bound[1]));
	cJSON *bdb = cJSON_AddObjectToObject(root, "by_double_buffer");
	cJSON_AddItemToObject(bdb, "single", stats_json(&s->by_dbuf[0]));
	cJSON_AddItemToObject(bdb, "double", stats_json(&s->by_dbuf[1]));
	cJSON *cal = cJSON_AddObjectToObject(root, "calibration");
	cJSON_AddStringToObject(cal, "source", calib ? calib : "fitted on the even-numbered points");
	cJSON_AddItemToObject(cal, "fit_points", stats_json(&s->fitset));
	cJSON_AddItemToObject(cal, "heldout_points", stats_json(&s->heldout));
	cJSON_AddItemToObject(cal, "all_points", stats_json(&s->all));
	char *ctext = cost_calib_to_json(&s->applied);
	cJSON_AddItemToObject(cal, "applied", ctext ? cJSON_Parse(ctext) : cJSON_CreateNull());
	free(ctext);
	cJSON *pts = cJSON_AddArrayToObject(root, "points");
	for (int i = 0; i < run->n; i++) {
		const struct sim_val_point *p = &run->p[i];
		double att, peak, bwr;
		cJSON *q = cJSON_CreateObject();
		sim_validate_roofline(p, &att, &peak, &bwr);
		cJSON_AddStringToObject(q, "net", p->net);
		cJSON_AddStringToObject(q, "layer", p->layer);
		cJSON_AddStringToObject(q, "config", p->hw);
		cJSON_AddStringToObject(q, "dataflow", hw_dataflow_name(p->hwc.dataflow));
		cJSON_AddNumberToObject(q, "bits", p->hwc.act_bits);
		cJSON_AddBoolToObject(q, "double_buffer", p->hwc.double_buffer);
		cJSON *t = cJSON_AddObjectToObject(q, "tiling");
		cJSON_AddNumberToObject(t, "tm", (double)p->tiling.tm);
		cJSON_AddNumberToObject(t, "tn", (double)p->tiling.tn);
		cJSON_AddNumberToObject(t, "tk", (double)p->tiling.tk);
		cJSON_AddStringToObject(t, "order", map_order_name(p->tiling.order));
		cJSON_AddNumberToObject(q, "macs", (double)p->cost.macs);
		cJSON_AddNumberToObject(q, "model_cycles", (double)p->cost.cycles);
		cJSON_AddNumberToObject(q, "rtl_cycles", (double)p->res.rtl_cycles);
		cJSON_AddNumberToObject(q, "model_bound_cycles", (double)p->cost.cycles_bound);
		cJSON_AddNumberToObject(q, "error_pct", p->err);
		cJSON_AddNumberToObject(q, "calibrated_cycles", (double)p->calib_cycles);
		cJSON_AddNumberToObject(q, "calibrated_error_pct", p->err_cal);
		cJSON_AddBoolToObject(q, "bit_exact", p->res.bit_exact);
		cJSON_AddStringToObject(q, "bound", p->cost.memory_bound ? "memory" : "compute");
		cJSON_AddBoolToObject(q, "stall_free", p->stall_free);
		cJSON_AddNumberToObject(q, "compute_cycles", (double)p->cost.compute_cycles);
		cJSON_AddNumberToObject(q, "mem_cycles", (double)p->cost.mem_cycles);
		cJSON *rf = cJSON_AddObjectToObject(q, "roofline");
		cJSON_AddNumberToObject(rf, "rtl_gops", att);
		cJSON_AddNumberToObject(rf, "model_gops", p->cost.attained_gops);
		cJSON_AddNumberToObject(rf, "compute_roof_gops", peak);
		cJSON_AddNumberToObject(rf, "bandwidth_roof_gops", bwr);
		cJSON_AddNumberToObject(rf, "op_intensity", p->cost.op_intensity);
		cJSON_AddItemToArray(pts, q);
	}
	return cli_print_json(root);
}

/* The point table and the summary as text on stdout. */
static void print_text(const struct sim_val_run *v, const struct sim_val_summary *s,
		       const char *calib)
{
	print_point_table(v);
	printf("\n(bnd: the model's binding resource; st0: the RTL's array never waited after "
	       "the first loads; GOP/s: RTL attained vs compute roof 2RCf and bandwidth roof "
	       "intensity x GB/s)\n\n");
	print_stats_line("all", &s->all);
	for (int d = 0; d < HW_DF_COUNT; d++) {
		char w[32];
		snprintf(w, sizeof(w), "dataflow %s", hw_dataflow_name((enum hw_dataflow)d));
		print_stats_line(w, &s->by_df[d]);
	}
	print_stats_line("compute-bound", &s->by_bound[0]);
	print_stats_line("memory-bound", &s->by_bound[1]);
	print_stats_line("single-buffered", &s->by_dbuf[0]);
	print_stats_line("double-buffered", &s->by_dbuf[1]);
	print_stats_line("without memory stalls", &s->stall_free);
	printf("  (the closed-form bound alone, without the step walk: MAPE %.3f%%, max "
	       "%.2f%%)\n", s->bound_mape, s->bound_max);
	printf("\ncalibration (%s):\n", calib ? calib : "fitted on the even-numbered points");
	print_stats_line("fit points", &s->fitset);
	print_stats_line("held-out points", &s->heldout);
	print_stats_line("all points", &s->all);
}

/* Progress of the sweep on stderr. */
struct val_progress {
	struct cli_progress pg;         /* first: cli_build_notice's ctx too */
	int quiet;
};

static void on_start(void *ctx, int64_t total)
{
	struct val_progress *vp = ctx;

	cli_progress_start(&vp->pg, "validate", total, vp->quiet);
}

static void on_point(void *ctx, int64_t done, const struct sim_val_point *p, int64_t macs)
{
	struct val_progress *vp = ctx;

	if (p)
		cli_progress_update(&vp->pg, done, "%s %s on %s (%lld MACs)", p->net, p->layer, p->hw,
				    (long long)macs);
	else
		cli_progress_update(&vp->pg, done, NULL);
}

static void on_fail(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "hwnas: %s\n", msg);
}

int cmd_validate(int argc, char **argv)
{
	struct val_opts o;
	struct val_progress vp = { 0 };
	struct sim_val_run v = { NULL, 0, 0 };
	struct sim_options so;
	struct cost_calib given;
	struct sim_val_opts vo = { 0 };
	struct sim_val_summary sum;
	struct arch_net *nets = NULL;
	struct sim_val_hw *hws = NULL;
	char (*hw_names)[64] = NULL;
	int64_t cap_nets = 0, cap_hws = 0, cap_names = 0;
	int n_nets = 0, n_hws = 0;
	struct hn_err err = { 0 };
	char *save = NULL, *nets_copy = NULL, *hws_copy = NULL;
	int failed = 0, ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	cli_catch_stop_signals(); /* a build or run stops with its whole process group */
	cost_calib_init(&given);
	if (o.calib && cost_calib_load(o.calib, &given, &err) < 0)
		return cli_error(&err);
	nets_copy = strdup(o.nets);
	hws_copy = strdup(o.hws);
	if (!nets_copy || !hws_copy) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	sim_options_init(&so);
	so.run_timeout_s = o.timeout;
	so.on_build = cli_build_notice;
	so.build_ctx = &vp.pg;

	/* the networks and the configs first: a bad one fails before any simulation */
	for (char *np = strtok_r(nets_copy, ",", &save); np; np = strtok_r(NULL, ",", &save)) {
		if (hn_grow(&nets, n_nets, &cap_nets, sizeof(*nets), 4)) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
		memset(&nets[n_nets], 0, sizeof(nets[0]));
		if (arch_net_resolve(np, 1, &nets[n_nets], &err) < 0)
			goto out_err;
		n_nets++;
	}
	for (char *hp = strtok_r(hws_copy, ",", &save); hp; hp = strtok_r(NULL, ",", &save)) {
		if (hn_grow(&hws, n_hws, &cap_hws, sizeof(*hws), 4) ||
		    hn_grow(&hw_names, n_hws, &cap_names, sizeof(*hw_names), 4)) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
		if (hw_config_load(hp, &hws[n_hws].hw, &err) < 0)
			goto out_err;
		if (sim_check_hw(&hws[n_hws].hw, &err) < 0) {
			hn_err_prefix(&err, hp);
			goto out_err;
		}
		stem(hp, hw_names[n_hws], sizeof(hw_names[0]));
		n_hws++;
	}
	for (int i = 0; i < n_hws; i++) /* hw_names no longer moves */
		hws[i].name = hw_names[i];
	vo.mapper = (enum cost_mapper)o.map;
	vo.layers = o.layers;
	vo.max_macs = o.max_macs;
	vo.sim = &so;
	vo.on_start = on_start;
	vo.on_point = on_point;
	vo.on_fail = on_fail;
	vo.ctx = &vp;
	vp.quiet = o.quiet;
	if (sim_validate_sweep(nets, n_nets, hws, n_hws, &vo, &v, &err) < 0)
		goto out_err;
	cli_progress_done(&vp.pg);
	failed = v.failed;
	if (!v.n) {
		fprintf(stderr, "hwnas: no point was simulated\n");
		goto out_free;
	}
	if (sim_validate_summarize(v.p, v.n, o.calib ? &given : NULL, &sum, &err) < 0)
		goto out_err;

	if (o.csv && write_csv(o.csv, &v) < 0)
		failed = 1;
	if (o.calib_out) {
		char *text = cost_calib_to_json(&sum.fit_all);
		FILE *f = text ? hn_fopen_out(o.calib_out, &err) : NULL;
		if (text && !f)
			cli_error(&err);
		if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0) {
			fprintf(stderr, "hwnas: %s: cannot write: %s\n", o.calib_out, strerror(errno));
			failed = 1;
		}
		if (f && fclose(f)) {
			fprintf(stderr, "hwnas: %s: cannot write: %s\n", o.calib_out, strerror(errno));
			failed = 1;
		}
		free(text);
	}

	if (o.json) {
		if (print_json(&v, &sum, o.calib) < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
	} else {
		print_text(&v, &sum, o.calib);
	}
	ret = failed ? CLI_FAIL : CLI_OK;
	goto out_free;
out_err:
	cli_progress_done(&vp.pg);
	cli_error(&err);
out_free:
	sim_val_run_release(&v);
	for (int i = 0; i < n_nets; i++)
		arch_net_release(&nets[i]);
	free(nets);
	free(hws);
	free(hw_names);
	free(nets_copy);
	free(hws_copy);
	return ret;
}
