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

/* One (layer, config) point. */
struct point {
	char net[48], layer[48], hw[64];
	struct hw_config hwc;
	struct map_tiling tiling;
	struct cost_report cost;
	struct sim_result res;
	int64_t calib_cycles;
	int stall_free;     /* the RTL's array never waited (beyond the first loads) */
	double err, err_cal;
};

struct pointv {
	struct point *p;
	int n;
	int64_t cap;
};

static double pct(int64_t model, int64_t rtl)
{
	return rtl ? 100.0 * (double)(model - rtl) / (double)rtl : 0.0;
}

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

static struct point *push(struct pointv *v)
{
	if (hn_grow(&v->p, v->n, &v->cap, sizeof(*v->p), 64))
		return NULL;
	memset(&v->p[v->n], 0, sizeof(v->p[0]));
	return &v->p[v->n++];
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

/* Indices of the MAC layers to run: every one within max_macs, or N of them evenly spaced. */
static int pick_layers(const struct arch_net *net, const struct val_opts *o, int *idx)
{
	int n = 0, k = 0;

	for (int i = 0; i < net->n_layers; i++)
		if (arch_gemm(&net->layers[i]).g > 0 && arch_layer_macs(&net->layers[i]) <= o->max_macs)
			idx[n++] = i;
	if (!o->layers || o->layers >= n)
		return n;
	for (int i = 0; i < o->layers; i++) {
		int j = o->layers == 1 ? 0 :
			(int)llround((double)i * (double)(n - 1) / (double)(o->layers - 1));
		if (k == 0 || idx[j] != idx[k - 1])
			idx[k++] = idx[j];
	}
	return k;
}

/* Runs one point; returns 0, or -1 with the message printed (the sweep goes on). */
static int run_point(struct point *p, const struct arch_layer *l, const struct val_opts *o,
		     struct map_cache *cache, const struct sim_options *so)
{
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };

	struct cost_net_opts co;
	struct cost_net_row row;

	cost_net_opts_init(&co);
	co.mapper = (enum cost_mapper)o->map;
	co.energy = &e;
	co.cache = cache;
	if (cost_net_layer(l, &p->hwc, &co, &row, &err) < 0) {
		fprintf(stderr, "hwnas: %s\n", err.msg);
		return -1;
	}
	p->tiling = row.tiling;
	p->cost = row.cost;
	if (!row.fits) {
		fprintf(stderr, "hwnas: %s on %s: no feasible tiling: %s\n", l->name, p->hw,
			p->cost.why);
		return -1;
	}
	if (sim_layer(l, &p->hwc, &p->tiling, so, &p->res, &err) < 0) {
		fprintf(stderr, "hwnas: %s on %s: %s\n", l->name, p->hw, err.msg);
		return -1;
	}
	p->err = pct(p->cost.cycles, p->res.rtl_cycles);
	p->stall_free = !p->hwc.double_buffer ||
		p->res.rtl_cycles == p->res.first_load_cycles + p->res.compute_cycles +
		p->res.last_store_cycles;
	return 0;
}

/* Error statistics of a subset of points. */
struct stats {
	int n;
	double mape, max_err, tau;
	double mape_cal, max_cal;
};

static void stats_of(const struct point *p, int n, int (*sel)(const struct point *, int),
		     int arg, struct stats *s)
{
	double *x = malloc((size_t)(n + 1) * sizeof(double));
	double *y = malloc((size_t)(n + 1) * sizeof(double));

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		if (sel && !sel(&p[i], arg))
			continue;
		if (x && y) {
			x[s->n] = (double)p[i].cost.cycles;
			y[s->n] = (double)p[i].res.rtl_cycles;
		}
		s->mape += fabs(p[i].err);
		s->mape_cal += fabs(p[i].err_cal);
		s->max_err = fmax(s->max_err, fabs(p[i].err));
		s->max_cal = fmax(s->max_cal, fabs(p[i].err_cal));
		s->n++;
	}
	if (s->n) {
		s->mape /= s->n;
		s->mape_cal /= s->n;
	}
	s->tau = x && y ? cost_kendall_tau_b(x, y, s->n) : 0.0;
	free(x);
	free(y);
}

static int sel_df(const struct point *p, int df) { return (int)p->hwc.dataflow == df; }
static int sel_bound(const struct point *p, int mem) { return p->cost.memory_bound == mem; }
static int sel_dbuf(const struct point *p, int d) { return !!p->hwc.double_buffer == d; }
static int sel_stall_free(const struct point *p, int sf) { return p->stall_free == sf; }
/* Roofline of a point: attained GOP/s in the RTL, the compute roof and the bandwidth roof. */
static void roofline(const struct point *p, double *att, double *peak, double *bwroof)
{
	*att = p->res.rtl_cycles ? 2.0 * (double)p->cost.macs * p->hwc.freq_mhz / 1000.0 /
		(double)p->res.rtl_cycles : 0.0;
	*peak = p->cost.peak_gops;
	*bwroof = p->cost.bw_roof_gops;
}

static void print_point_table(const struct pointv *v)
{
	printf("%-8s %-10s %-20s %-22s %9s %9s %8s %-5s %-4s %-3s %8s %8s %8s\n", "net", "layer",
	       "config", "tiling tm,tn,tk order", "model", "rtl", "error", "exact", "bnd", "st0",
	       "rtl GOPs", "peak", "bw roof");
	for (int i = 0; i < v->n; i++) {
		const struct point *p = &v->p[i];
		char til[48];
		double att, peak, bwr;
		roofline(p, &att, &peak, &bwr);
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

/* The closed-form bound (cost_report.cycles_bound, docs/model.md "Latency") against the RTL:
 * MAPE and max |error| in %, what the model would miss without the step walk. */
static void bound_error(const struct point *p, int n, double *mape, double *max)
{
	*mape = *max = 0.0;
	for (int i = 0; i < n; i++) {
		double e = fabs(pct(p[i].cost.cycles_bound, p[i].res.rtl_cycles));
		*mape += e / n;
		*max = fmax(*max, e);
	}
}

static void print_stats_line(const char *what, const struct stats *s)
{
	if (!s->n)
		return;
	printf("  %-22s %4d points  MAPE %6.3f%%  max %6.2f%%  tau %6.4f  | calibrated: MAPE "
	       "%6.3f%%  max %6.2f%%\n", what, s->n, s->mape, s->max_err, s->tau, s->mape_cal,
	       s->max_cal);
}

static cJSON *stats_json(const struct stats *s)
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

static int write_csv(const char *path, const struct pointv *v)
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
		const struct point *p = &v->p[i];
		double att, peak, bwr;
		roofline(p, &att, &peak, &bwr);
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

static void samples_of(const struct point *p, int n, int parity, struct cost_calib_sample *s,
		       int *ns)
{
	*ns = 0;
	for (int i = 0; i < n; i++) {
		if (parity >= 0 && i % 2 != parity)
			continue;
		s[*ns] = (struct cost_calib_sample){ p[i].hwc.dataflow, p[i].hwc.double_buffer,
			p[i].cost.compute_cycles, p[i].cost.mem_cycles, p[i].cost.cycles,
			p[i].res.rtl_cycles };
		(*ns)++;
	}
}

int cmd_validate(int argc, char **argv)
{
	struct val_opts o;
	struct cli_progress pg = { 0 };
	struct pointv v = { NULL, 0, 0 };
	struct map_cache *cache = NULL;
	struct sim_options so;
	struct cost_calib fit_half, fit_all, *applied;
	struct cost_calib_sample *samples = NULL;
	struct hn_err err = { 0 };
	char *save = NULL, *nets_copy = NULL, *hws_copy = NULL;
	int failed = 0, ns, ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	cli_catch_stop_signals(); /* a build or run stops with its whole process group */
	cost_calib_init(&fit_half);
	if (o.calib && cost_calib_load(o.calib, &fit_half, &err) < 0)
		return cli_error(&err);
	cache = map_cache_new();
	nets_copy = strdup(o.nets);
	hws_copy = strdup(o.hws);
	if (!cache || !nets_copy || !hws_copy) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	sim_options_init(&so);
	so.run_timeout_s = o.timeout;
	so.on_build = cli_build_notice;
	so.build_ctx = &pg;

	/* the points first, so that progress reads "6/10" (every net on every config) */
	int64_t total = 0, n_hws = 1, done = 0;
	for (const char *c = o.hws; *c; c++)
		n_hws += *c == ',';
	{
		char *nl = strdup(o.nets), *save3 = NULL;
		if (!nl) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
		for (char *np = strtok_r(nl, ",", &save3); np; np = strtok_r(NULL, ",", &save3)) {
			struct arch_net net = { 0 };
			int *idx;
			if (arch_net_resolve(np, 1, &net, &err) < 0) {
				free(nl);
				goto out_err;
			}
			idx = calloc((size_t)net.n_layers + 1, sizeof(int));
			total += idx ? pick_layers(&net, &o, idx) : 0;
			free(idx);
			arch_net_release(&net);
		}
		free(nl);
	}
	total *= n_hws;
	cli_progress_start(&pg, "validate", total, o.quiet);
	for (char *hp = strtok_r(hws_copy, ",", &save); hp; hp = strtok_r(NULL, ",", &save)) {
		struct hw_config hw;
		char hname[64], *save2 = NULL;
		if (hw_config_load(hp, &hw, &err) < 0)
			goto out_err;
		if (sim_check_hw(&hw, &err) < 0) {
			hn_err_prefix(&err, hp);
			goto out_err;
		}
		stem(hp, hname, sizeof(hname));
		char *nl = strdup(o.nets);
		if (!nl) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
		for (char *np = strtok_r(nl, ",", &save2); np; np = strtok_r(NULL, ",", &save2)) {
			struct arch_net net = { 0 };
			int *idx, k;
			if (arch_net_resolve(np, 1, &net, &err) < 0) {
				free(nl);
				goto out_err;
			}
			idx = calloc((size_t)net.n_layers + 1, sizeof(int));
			k = idx ? pick_layers(&net, &o, idx) : 0;
			for (int j = 0; j < k; j++) {
				const struct arch_layer *l = &net.layers[idx[j]];
				struct point *p = push(&v);
				if (!p) {
					failed = 1;
					break;
				}
				hn_strlcpy(p->net, net.name, sizeof(p->net));
				hn_strlcpy(p->layer, l->name, sizeof(p->layer));
				hn_strlcpy(p->hw, hname, sizeof(p->hw));
				p->hwc = hw;
				cli_progress_update(&pg, done++, "%s %s on %s (%lld MACs)", net.name,
						    l->name, hname, (long long)arch_layer_macs(l));
				if (run_point(p, l, &o, cache, &so) < 0) {
					v.n--;
					failed = 1;
					continue;
				}
				failed |= !p->res.bit_exact;
			}
			free(idx);
			arch_net_release(&net);
		}
		free(nl);
	}
	cli_progress_update(&pg, done, NULL);
	cli_progress_done(&pg);
	if (!v.n) {
		fprintf(stderr, "hwnas: no point was simulated\n");
		goto out_free;
	}

	/* Calibration: fitted on the even-numbered points (unless --calib gave one), reported
	 * on the odd-numbered ones and on all; the file written is the fit on all points. */
	samples = malloc((size_t)v.n * sizeof(*samples));
	if (!samples) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	if (!o.calib) {
		samples_of(v.p, v.n, 0, samples, &ns);
		cost_calib_fit(&fit_half, samples, ns);
	}
	applied = &fit_half;
	samples_of(v.p, v.n, -1, samples, &ns);
	cost_calib_fit(&fit_all, samples, ns);
	for (int i = 0; i < v.n; i++) {
		struct point *p = &v.p[i];
		p->calib_cycles = cost_calib_cycles(applied, &p->hwc, &p->cost);
		p->err_cal = pct(p->calib_cycles, p->res.rtl_cycles);
	}

	struct stats all, by_df[3], by_bound[2], by_dbuf[2], sf, heldout, fitset;
	double bnd_mape, bnd_max;
	stats_of(v.p, v.n, NULL, 0, &all);
	bound_error(v.p, v.n, &bnd_mape, &bnd_max);
	for (int d = 0; d < 3; d++)
		stats_of(v.p, v.n, sel_df, d, &by_df[d]);
	for (int b = 0; b < 2; b++) {
		stats_of(v.p, v.n, sel_bound, b, &by_bound[b]);
		stats_of(v.p, v.n, sel_dbuf, b, &by_dbuf[b]);
	}
	stats_of(v.p, v.n, sel_stall_free, 1, &sf);
	{
		/* held-out (odd) and fit (even) halves: copy them out, then reuse stats_of */
		struct point *half = malloc((size_t)v.n * sizeof(*half));
		int nh = 0;
		if (!half) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
		for (int i = 1; i < v.n; i += 2)
			half[nh++] = v.p[i];
		stats_of(half, nh, NULL, 0, &heldout);
		nh = 0;
		for (int i = 0; i < v.n; i += 2)
			half[nh++] = v.p[i];
		stats_of(half, nh, NULL, 0, &fitset);
		free(half);
	}

	if (o.csv && write_csv(o.csv, &v) < 0)
		failed = 1;
	if (o.calib_out) {
		char *text = cost_calib_to_json(&fit_all);
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
		cJSON *root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "points_count", v.n);
		cJSON_AddNumberToObject(root, "mape", all.mape);
		cJSON_AddNumberToObject(root, "max_error", all.max_err);
		cJSON_AddNumberToObject(root, "kendall_tau", all.tau);
		cJSON *cb = cJSON_AddObjectToObject(root, "closed_form_bound");
		cJSON_AddNumberToObject(cb, "mape", bnd_mape);
		cJSON_AddNumberToObject(cb, "max_error", bnd_max);
		cJSON *z = cJSON_AddObjectToObject(root, "stall_free");
		cJSON_AddNumberToObject(z, "points", sf.n);
		cJSON_AddNumberToObject(z, "max_error", sf.max_err);
		cJSON *bd = cJSON_AddObjectToObject(root, "by_dataflow");
		for (int d = 0; d < 3; d++)
			if (by_df[d].n)
				cJSON_AddItemToObject(bd, hw_dataflow_name((enum hw_dataflow)d),
						      stats_json(&by_df[d]));
		cJSON *bb = cJSON_AddObjectToObject(root, "by_bound");
		cJSON_AddItemToObject(bb, "compute", stats_json(&by_bound[0]));
		cJSON_AddItemToObject(bb, "memory", stats_json(&by_bound[1]));
		cJSON *bdb = cJSON_AddObjectToObject(root, "by_double_buffer");
		cJSON_AddItemToObject(bdb, "single", stats_json(&by_dbuf[0]));
		cJSON_AddItemToObject(bdb, "double", stats_json(&by_dbuf[1]));
		cJSON *cal = cJSON_AddObjectToObject(root, "calibration");
		cJSON_AddStringToObject(cal, "source", o.calib ? o.calib : "fitted on the even-numbered points");
		cJSON_AddItemToObject(cal, "fit_points", stats_json(&fitset));
		cJSON_AddItemToObject(cal, "heldout_points", stats_json(&heldout));
		cJSON_AddItemToObject(cal, "all_points", stats_json(&all));
		char *ctext = cost_calib_to_json(applied);
		cJSON_AddItemToObject(cal, "applied", ctext ? cJSON_Parse(ctext) : cJSON_CreateNull());
		free(ctext);
		cJSON *pts = cJSON_AddArrayToObject(root, "points");
		for (int i = 0; i < v.n; i++) {
			const struct point *p = &v.p[i];
			double att, peak, bwr;
			cJSON *q = cJSON_CreateObject();
			roofline(p, &att, &peak, &bwr);
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
		if (cli_print_json(root) < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
	} else {
		print_point_table(&v);
		printf("\n(bnd: the model's binding resource; st0: the RTL's array never waited after "
		       "the first loads; GOP/s: RTL attained vs compute roof 2RCf and bandwidth roof "
		       "intensity x GB/s)\n\n");
		print_stats_line("all", &all);
		for (int d = 0; d < 3; d++) {
			char w[32];
			snprintf(w, sizeof(w), "dataflow %s", hw_dataflow_name((enum hw_dataflow)d));
			print_stats_line(w, &by_df[d]);
		}
		print_stats_line("compute-bound", &by_bound[0]);
		print_stats_line("memory-bound", &by_bound[1]);
		print_stats_line("single-buffered", &by_dbuf[0]);
		print_stats_line("double-buffered", &by_dbuf[1]);
		print_stats_line("without memory stalls", &sf);
		printf("  (the closed-form bound alone, without the step walk: MAPE %.3f%%, max "
		       "%.2f%%)\n", bnd_mape, bnd_max);
		printf("\ncalibration (%s):\n", o.calib ? o.calib : "fitted on the even-numbered points");
		print_stats_line("fit points", &fitset);
		print_stats_line("held-out points", &heldout);
		print_stats_line("all points", &all);
	}
	ret = failed ? CLI_FAIL : CLI_OK;
	goto out_free;
out_err:
	cli_progress_done(&pg);
	cli_error(&err);
out_free:
	free(samples);
	free(v.p);
	free(nets_copy);
	free(hws_copy);
	map_cache_free(cache);
	return ret;
}
