/* hwnas explore: joint search of network and accelerator (docs/search.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../sim/sim.h"
#include "../search/search.h"
#include "../search/store.h"

#ifdef HWNAS_MPI
#include <mpi.h>
#endif

static const char explore_help[] =
"usage: hwnas explore --space FILE --out DIR [options]\n"
"\n"
"Searches network and accelerator together (docs/search.md): every point of the space is a\n"
"network (NAS-Bench-201 cell, MobileNetV2-style config or a zoo network) and an accelerator\n"
"config, scored with the analytical model for accuracy, latency, energy and FPGA resources.\n"
"Writes DIR/front.json, DIR/front.csv, per front point DIR/configs/<i>.json (the accelerator)\n"
"and DIR/configs/<i>.net.json (the network): 'hwnas eval --net DIR/configs/<i>.net.json\n"
"--hw DIR/configs/<i>.json' gives the point's latency and energy exactly (front.json names\n"
"the mapper, cost model version, dataset, batch and inputs that produced them); and\n"
"DIR/configs/<i>.vh, the Verilog parameters of the synthesised accelerator whose DSP and\n"
"BRAM the front reports; DIR/evaluations.jsonl as it goes. A space with 'targets' (one\n"
"network on several boards, docs/search.md \"Multiple targets\") prices each point on every\n"
"target: objectives such as latency_ms@pynq_z1 or latency_ms@max, the front's figures per\n"
"target, and DIR/configs/<i>.<target>.json with that target's reproduce command.\n"
"With --bundles, per front point the folder DIR/configs/<i>/ for a Vivado block design\n"
"(docs/deploy.md \"Export bundle\"): the AXI top's wrapper and parameters, its RTL file list\n"
"(a copy in DIR/configs/rtl), the point's network compiled (program/) and a README;\n"
"'hwnas synth --bundle DIR/configs/<i> --hw DIR/configs/<i>.json' synthesises it as it is.\n"
"Every evaluation is recorded in a result store (docs/store.md) as it completes: run the same\n"
"command again after a crash or kill and it resumes where it stopped, repeating no\n"
"evaluation, and ends with the same front as an uninterrupted run. SIGINT (Ctrl-C),\n"
"SIGTERM or SIGHUP stops it cleanly after the evaluations in progress (exit 1).\n"
"\n"
"  --space FILE     search-space JSON (examples/default_space.json)\n"
"  --out DIR        output folder (created)\n"
"  --strategy NAME  random | nsga2 | evolution | annealing | reinforce | bo | nested |\n"
"                   two-stage (default nsga2); nested spends its budget on networks and\n"
"                   gives each every accelerator (a nested search of 512 above 4,096);\n"
"                   two-stage picks networks for accuracy under MACs on one accelerator,\n"
"                   then accelerators for them (half the budget each)\n"
"  --budget N       distinct evaluations (default 2000); nested: distinct networks, i.e.\n"
"                   accuracy evaluations\n"
"  --seed S         the same seed gives the same result (default 1)\n"
"  --exhaustive     evaluate every point in index order (the exact front; 5 million points\n"
"                   take seconds); the store keeps its front and a checkpoint, not every\n"
"                   point, and evaluations.jsonl is not written in this mode\n"
"  --db PATH        result store (SQLite; default DIR/hwnas.db); a store of another run is\n"
"                   refused, naming what changed: the strategy, seed or budget, or an input\n"
"                   (the space file, the files it names, the accuracy table, the cost\n"
"                   model's version, the mapper); a run stopped before its first evaluation\n"
"                   is replaced\n"
"  --force          start over: delete every run and evaluation in the store first\n"
"  --no-db          keep no store (no resume)\n"
"  -j, --jobs N     evaluate on N threads (default 1); the result is the same for every N\n"
"  --rtl            after the search, simulate the K best front points (by the first\n"
"                   objective; -j N of them at once) on the Verilog accelerator with\n"
"                   Verilator, all their MAC\n"
"                   layers (each distinct shape once), and re-rank them by measured latency;\n"
"                   their front.json entries get fidelity 'rtl' and the measured latency;\n"
"                   DIR/rtl_refine.json has both rankings. Results are stored: a resumed run\n"
"                   does not simulate again\n"
"  --top-k K        how many front points --rtl simulates (default 3; implies --rtl)\n"
"  --rtl-max-macs N layers above N MACs keep the model's cycles (default 50000000)\n"
"  --cost NAME      who prices each layer's cycles (docs/search.md \"Cost estimators\"):\n"
"                   'analytical' (the model, default), 'lut' (--lut FILE, a table of\n"
"                   measured layers: cycles, DRAM bytes, energy), 'predictor' (--predictor\n"
"                   FILE) or 'rtl' (every layer shape of every evaluated point simulated\n"
"                   once on the Verilog accelerator: slow; fidelity 'rtl'); the tilings and\n"
"                   resources stay the model's. Recorded in the run's inputs and in each\n"
"                   front point's reproduce command\n"
"  --lut FILE       the table ('hwnas estimators --lut-out')\n"
"  --lut-miss WHAT  a layer not in the table: 'fail' (default) or 'model' (counted)\n"
"  --predictor FILE the predictor ('hwnas estimators --predictor-out')\n"
"  --transfer       a space with 'targets': after the search, the transfer loss between\n"
"                   them (docs/search.md \"Transfer loss\"): each target's networks (its\n"
"                   exact (accuracy, metric) front over every network and config) taken to\n"
"                   the others, against their own best at that accuracy; a table and\n"
"                   DIR/transfer.json. Exhaustive over networks x each target's configs\n"
"  --transfer-metric M  the metric compared (default latency_ms; energy_mj, edp, ...)\n"
"  --bundles        per front point the export bundle DIR/configs/<i>/ (above); for the\n"
"                   main job (201 points) about 14 s and 100 MB more\n"
"  --quiet          no progress lines\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas explore --space examples/default_space.json --strategy nsga2 --budget 2000 \\\n"
"      --seed 1 --out out/\n"
"  hwnas explore --space examples/default_space.json --budget 2000 -j 4 --out out/  # resumes\n"
"  hwnas db stats --db out/hwnas.db\n"
"\n"
"exit: 0 ok, 1 failure (bad space file, I/O, a failing accuracy command), 2 usage\n";

struct explore_opts {
	const char *space, *out, *strategy, *db;
	struct cli_cost cost;           /* --cost, --lut, --lut-miss, --predictor */
	int64_t budget, top_k, jobs, rtl_max_macs;
	uint64_t seed;
	int exhaustive, rtl, quiet, no_db, force;
	int transfer, transfer_metric;  /* --transfer [--transfer-metric M] */
	int bundles;                    /* --bundles: configs/<i>/ per front point */
};

struct progress {
	FILE *log;
	const char *log_path;
	int tty, quiet;
	int64_t budget;
	double t0, last;
	const struct search_space *sp;
	struct store *store;
	int64_t die_after;              /* HWNAS_TEST_DIE_AFTER: _exit after this many rows */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_progress(struct progress *p, int64_t n, const struct search_front *f, int final)
{
	double t = now_s() - p->t0, hv = search_front_hypervolume(f), best = NAN;
	double left = n > 0 ? t / (double)n * (double)(p->budget - n) : 0;
	const struct search_objective *o0 = &p->sp->obj[0];
	char label[64];

	for (int i = 0; i < f->n; i++) {
		double v = search_eval_metric(p->sp, &f->p[i], o0->metric, o0->at);
		if (o0->maximize ? !(v <= best) : !(v >= best))
			best = v;
	}
	search_metric_label(p->sp, o0->metric, o0->at, label, sizeof(label));
	fprintf(stderr, "%sexplore: %lld/%lld evaluations, front %d, best %s %.4g, hypervolume "
		"%.4f, %.1f s, %.1f s left%s", p->tty ? "\r" : "", (long long)n,
		(long long)p->budget, f->n, label, best, hv, t,
		final ? 0.0 : left, p->tty && !final ? "   " : "\n");
	fflush(stderr);
}

static int on_eval(void *ctx, const struct search_eval *e, const struct search_front *f,
		   struct hn_err *err)
{
	struct progress *p = ctx;

	if (p->log) {
		char *line = search_eval_to_json_line(p->sp, e);
		if (!line)
			return hn_fail(err, HN_ENOMEM, "out of memory");
		int bad = fputs(line, p->log) < 0 || fputc('\n', p->log) < 0 || fflush(p->log) != 0;
		free(line);
		if (bad)
			return hn_fail(err, HN_EIO, "%s: cannot write: %s", p->log_path, strerror(errno));
	}
	if (p->die_after > 0 && p->store && store_rows_written(p->store) >= p->die_after) {
		/* tests/cli/resume.sh: die as abruptly as kill -9 (no flush, no cleanup) */
		_exit(137);
	}
	if (!p->quiet) {
		double t = now_s();
		if (t - p->last >= (p->tty ? 0.25 : 10.0)) {
			p->last = t;
			print_progress(p, e->seq + 1, f, 0);
		}
	}
	return 0;
}

static int parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (cli_parse_i64(s, lo, hi, out))
		return cli_usage_error("explore", "%s must be an integer in %lld..%lld, got '%s'", opt,
				       (long long)lo, (long long)hi, s);
	return 0;
}

static int parse_args(int argc, char **argv, struct explore_opts *o)
{
	static const struct option longopts[] = {
		{ "space", required_argument, NULL, 's' }, { "out", required_argument, NULL, 'o' },
		{ "strategy", required_argument, NULL, 'S' }, { "budget", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'e' }, { "exhaustive", no_argument, NULL, 'x' },
		{ "top-k", required_argument, NULL, 'k' }, { "rtl", no_argument, NULL, 'r' },
		{ "rtl-max-macs", required_argument, NULL, 'M' },
		{ "bundles", no_argument, NULL, 'B' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, 'd' }, { "no-db", no_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' }, { "force", no_argument, NULL, 'F' },
		{ "transfer", no_argument, NULL, 'T' },
		{ "transfer-metric", required_argument, NULL, 'm' },
		CLI_LONGOPT_COST, { NULL, 0, NULL, 0 },
	};
	int c, ret;
	int64_t v;

	memset(o, 0, sizeof(*o));
	o->strategy = "nsga2";
	o->budget = 2000;
	o->rtl_max_macs = 50000000;
	o->seed = 1;
	o->jobs = 1;
	o->transfer_metric = SEARCH_M_LATENCY_MS;
	cli_cost_init(&o->cost);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hj:", longopts, NULL)) != -1) {
		if (cli_cost_option(c, optarg, &o->cost))
			continue;
		switch (c) {
		case 's': o->space = optarg; break;
		case 'o': o->out = optarg; break;
		case 'S': o->strategy = optarg; break;
		case 'x': o->exhaustive = 1; break;
		case 'r': o->rtl = 1; break;
		case 'q': o->quiet = 1; break;
		case 'B': o->bundles = 1; break;
		case 'd': o->db = optarg; break;
		case 'n': o->no_db = 1; break;
		case 'F': o->force = 1; break;
		case 'T': o->transfer = 1; break;
		case 'm':
			o->transfer = 1;
			o->transfer_metric = search_metric_parse(optarg);
			if (o->transfer_metric < 0 || o->transfer_metric == SEARCH_M_ACCURACY)
				return cli_usage_error("explore", "--transfer-metric must be latency_ms, "
						       "energy_mj, edp, dsp, bram, lut, ff or macs, got "
						       "'%s'", optarg);
			break;
		case 'j':
			if ((ret = parse_i64("--jobs", optarg, 1, 256, &o->jobs)))
				return ret;
			break;
		case 'b':
			if ((ret = parse_i64("--budget", optarg, 1, 1000000000, &o->budget)))
				return ret;
			break;
		case 'e':
			if ((ret = parse_i64("--seed", optarg, 0, INT64_MAX, &v)))
				return ret;
			o->seed = (uint64_t)v;
			break;
		case 'k':
			if ((ret = parse_i64("--top-k", optarg, 1, 1000, &o->top_k)))
				return ret;
			break;
		case 'M':
			if ((ret = parse_i64("--rtl-max-macs", optarg, 1, INT64_MAX / 2, &o->rtl_max_macs)))
				return ret;
			break;
		case 'h': fputs(explore_help, stdout); return -1;
		default:
			return cli_usage_error("explore", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("explore", "unexpected argument '%s'", argv[optind]);
	if (!o->space)
		return cli_usage_error("explore", "--space is required");
	if (!o->out)
		return cli_usage_error("explore", "--out is required");
	if (!o->out[0])
		return cli_usage_error("explore", "--out is empty: name the output folder");
	/* the longest file written below it is configs/<i>.json in a 4096-byte path */
	if (strlen(o->out) > 4000)
		return cli_usage_error("explore", "--out is %zu bytes long, at most 4000",
				       strlen(o->out));
	if (o->db && !o->db[0])
		return cli_usage_error("explore", "--db is empty: name the store file");
	if (!search_strategy_find(o->strategy)) {
		char list[160] = "";
		for (int i = 0; i < search_strategy_count(); i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
				 search_strategy_at(i)->name);
		return cli_usage_error("explore", "unknown strategy '%s' (known: %s)", o->strategy, list);
	}
	if (o->db && o->no_db)
		return cli_usage_error("explore", "--db and --no-db exclude each other");
	if (o->force && o->no_db)
		return cli_usage_error("explore", "--force and --no-db exclude each other");
	if (o->top_k)
		o->rtl = 1;
	else if (o->rtl)
		o->top_k = 3;
	return cli_cost_finish("explore", &o->cost);
}

/* --cost into the space: the evaluator opens the estimator, the run's inputs record it and
 * each front point's reproduce command repeats it. */
static void set_cost(const struct explore_opts *o, struct search_space *sp)
{
	const char *path = o->cost.lut_path ? o->cost.lut_path : o->cost.pred_path;

	hn_strlcpy(sp->cost, o->cost.kind_name, sizeof(sp->cost));
	hn_strlcpy(sp->cost_path, path ? path : "", sizeof(sp->cost_path));
	sp->cost_miss_model = o->cost.on_miss == ESTIM_MISS_MODEL;
	sp->cost_rtl_max_macs = o->rtl_max_macs;
}

/* mkdir -p: creates path and any missing parent folders. */
static int make_dir(const char *path, struct hn_err *err)
{
	char buf[4096];

	hn_strlcpy(buf, path, sizeof(buf));
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return hn_fail(err, HN_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return hn_fail(err, HN_EIO, "%s: cannot create folder: %s", path, strerror(errno));
	{
		struct stat sb;
		if (stat(buf, &sb) == 0 && !S_ISDIR(sb.st_mode))
			return hn_fail(err, HN_EIO, "%s: exists and is not a folder", path);
	}
	return 0;
}

static int write_text(const char *path, const char *text, struct hn_err *err)
{
	FILE *f = hn_fopen_out(path, err);
	int bad;

	if (!f)
		return HN_EIO;
	bad = fputs(text, f) < 0;
	bad |= fclose(f) != 0;
	return bad ? hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno)) : 0;
}

static int write_outputs(const struct explore_opts *o, const struct search_space *sp,
			 const struct search_inputs *in, const struct search_run_result *r,
			 struct hn_err *err)
{
	char path[4096];
	char *text;
	int ret;

	text = search_front_to_json(sp, r, o->exhaustive ? "exhaustive" : o->strategy, o->seed,
				    o->exhaustive ? (int64_t)search_space_size(sp) : o->budget, in);
	if (!text)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/front.json", o->out);
	ret = write_text(path, text, err);
	free(text);
	if (ret < 0)
		return ret;
	text = search_front_to_csv(sp, &r->front);
	if (!text)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/front.csv", o->out);
	ret = write_text(path, text, err);
	free(text);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/configs", o->out);
	if ((ret = make_dir(path, err)) < 0)
		return ret;
	/* one copy of the RTL that every point's bundle (configs/<i>/) lists */
	snprintf(path, sizeof(path), "%s/configs/rtl", o->out);
	if (o->bundles && (ret = sim_export_rtl(NULL, path, err)) < 0)
		return ret;
	for (int i = 0; i < r->front.n; i++) {
		struct hw_config hw;
		char arch[256], comment[400];
		search_space_hw(sp, &r->front.p[i].pt, &hw);
		search_space_describe_nn(sp, &r->front.p[i].pt, arch, sizeof(arch));
		text = hw_config_to_json(&hw);
		if (!text)
			return hn_fail(err, HN_ENOMEM, "out of memory");
		snprintf(path, sizeof(path), "%s/configs/%d.json", o->out, i);
		ret = write_text(path, text, err);
		free(text);
		if (ret < 0)
			return ret;
		/* several targets: each one's accelerator and Verilog parameters beside the first
		 * target's (configs/<i>.json) */
		for (int t = 0; t < sp->n_targets; t++) {
			struct hw_config th;
			search_space_target_hw(sp, t, &r->front.p[i].pt, &th);
			text = hw_config_to_json(&th);
			if (!text)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			snprintf(path, sizeof(path), "%s/configs/%d.%s.json", o->out, i,
				 sp->targets[t].name);
			ret = write_text(path, text, err);
			free(text);
			if (ret < 0)
				return ret;
			snprintf(comment, sizeof(comment), "front point %d (%s) on target %s", i, arch,
				 sp->targets[t].name);
			text = search_hw_to_verilog(&th, comment);
			if (!text)
				return hn_fail(err, HN_ENOMEM, "out of memory");
			snprintf(path, sizeof(path), "%s/configs/%d.%s.vh", o->out, i,
				 sp->targets[t].name);
			ret = write_text(path, text, err);
			free(text);
			if (ret < 0)
				return ret;
		}
		/* the network, as hwnas eval reads it (same layers, same batch) */
		struct arch_net net;
		if ((ret = search_space_net(sp, &r->front.p[i].pt, &net, err)) < 0)
			return ret;
		text = arch_net_to_json(&net);
		if (!text) {
			arch_net_release(&net);
			return hn_fail(err, HN_ENOMEM, "out of memory");
		}
		snprintf(path, sizeof(path), "%s/configs/%d.net.json", o->out, i);
		ret = write_text(path, text, err);
		free(text);
		if (ret < 0) {
			arch_net_release(&net);
			return ret;
		}
		snprintf(comment, sizeof(comment), "front point %d (%s)", i, arch);
		text = search_hw_to_verilog(&hw, comment);
		if (!text) {
			arch_net_release(&net);
			return hn_fail(err, HN_ENOMEM, "out of memory");
		}
		snprintf(path, sizeof(path), "%s/configs/%d.vh", o->out, i);
		ret = write_text(path, text, err);
		/* the bundle: header, AXI wrapper, RTL list, the network's program, README */
		if (ret >= 0 && o->bundles) {
			struct sim_export_options eo;
			memset(&eo, 0, sizeof(eo));
			sim_axi_options_init(&eo.axi);
			if (sp->axi.dw) {
				/* the bus the front was priced at, and its tilings */
				eo.axi.dw = sp->axi.dw;
				eo.axi.maxb = sp->axi.maxb;
				eo.axi.maxout = sp->axi.maxout;
				eo.axi_tilings = 1;
			}
			eo.title = comment;
			eo.mapper = sp->mapper;
			eo.rtl_rel = "../rtl";
			snprintf(path, sizeof(path), "%s/configs/%d", o->out, i);
			ret = sim_export_bundle(&net, &hw, text, &eo, path, err);
		}
		free(text);
		arch_net_release(&net);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void refine_notice(void *ctx, const struct search_refine_top *t)
{
	(void)ctx;
	fprintf(stderr, "explore: RTL simulation of %d front point%s on %d thread%s...\n",
		t->simulated, t->simulated > 1 ? "s" : "", t->threads, t->threads > 1 ? "s" : "");
}

/* --rtl: simulates the top-K front points (search_refine_front), then writes
 * DIR/rtl_refine.json with the model's and the RTL's rankings and prints them. */
static int refine_front(const struct explore_opts *o, const struct search_space *sp,
			struct search_run_result *r, struct store *store, struct hn_err *err)
{
	struct search_refine_opts ro = { 0 };
	struct search_refine_top top;
	struct sim_options so;
	char path[4096];
	FILE *f = NULL;
	int ret;

	sim_options_init(&so);
	if (!o->quiet)
		so.on_build = cli_build_notice;
	ro.top_k = (int)o->top_k; /* at most 1000 */
	ro.max_macs = o->rtl_max_macs;
	ro.threads = (int)o->jobs;
	ro.sim = &so;
	ro.on_start = o->quiet ? NULL : refine_notice;
	if ((ret = search_refine_front(sp, &r->front, &ro, store, &top, err)) < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/rtl_refine.json", o->out);
	if (!(f = hn_fopen_out(path, err))) {
		ret = HN_EIO;
		goto out_release;
	}
	fprintf(f, "{\n\t\"top_k\": %d,\n\t\"rtl_max_macs\": %lld,\n\t\"kendall_tau\": %.6f,\n"
		"\t\"points\": [", top.k, (long long)o->rtl_max_macs, top.kendall_tau);
	for (int i = 0; i < top.k; i++) {
		const struct search_refine_row *w = &top.rows[i];
		char arch[256];
		search_space_describe_nn(sp, &r->front.p[i].pt, arch, sizeof(arch));
		fprintf(f, "%s\n\t\t{\"front_index\": %d, \"arch\": \"%s\", \"model_cycles\": %lld, "
			"\"rtl_cycles\": %lld, \"model_latency_ms\": %.9g, \"rtl_latency_ms\": %.9g, "
			"\"error_pct\": %.4f, \"model_rank\": %d, \"rtl_rank\": %d, \"bit_exact\": %s, "
			"\"from_store\": %s", i ? "," : "", i, arch,
			(long long)w->r.model_cycles, (long long)w->r.rtl_cycles,
			w->r.model_latency_ms, w->r.rtl_latency_ms, w->r.err_pct, w->model_rank,
			w->rtl_rank, w->r.all_bit_exact ? "true" : "false",
			w->from_store ? "true" : "false");
		if (!w->from_store) /* the layer counts are known to the run that simulated */
			fprintf(f, ", \"mac_layers_measured\": %d, \"shapes_simulated\": %d, "
				"\"layers_model_only\": %d", w->r.layers_rtl, w->r.shapes_simulated,
				w->r.layers_model_only);
		fputc('}', f);
	}
	fprintf(f, "\n\t]\n}\n");
	if (fclose(f) != 0) {
		ret = hn_fail(err, HN_EIO, "%s: cannot write", path);
		goto out_release;
	}
	printf("RTL refinement of the %d best front points (Verilator; MAC layers measured, "
	       "pool/add from the model):\n", top.k);
	printf("%4s %12s %12s %8s %10s %8s %9s  %s\n", "#", "model ms", "rtl ms", "error",
	       "model rank", "rtl rank", "bit-exact", "layers measured/model-only");
	for (int i = 0; i < top.k; i++) {
		const struct search_refine_row *w = &top.rows[i];
		printf("%4d %12.4f %12.4f %7.2f%% %10d %8d %9s  %d/%d\n", i, w->r.model_latency_ms,
		       w->r.rtl_latency_ms, w->r.err_pct, w->model_rank, w->rtl_rank,
		       w->r.all_bit_exact ? "yes" : "NO", w->r.layers_rtl, w->r.layers_model_only);
	}
	printf("Kendall tau between the two rankings: %.3f (%s)\n", top.kendall_tau, path);
	ret = 0;
out_release:
	search_refine_top_release(&top);
	return ret;
}

/* Hypervolume 0: no front point inside the reference box, or no feasible point at all. Says
 * which objective's ref excludes the points, and the best value the front reached. */
static void warn_empty_hypervolume(const struct search_space *sp, const struct search_front *f)
{
	int excluded[SEARCH_MAX_OBJ];

	if (f->n == 0) {
		fprintf(stderr, "hwnas: warning: hypervolume 0: no feasible point was found (see "
			"'why' in evaluations.jsonl: constraints, device fit)\n");
		return;
	}
	search_front_outside(f, excluded);
	fprintf(stderr, "hwnas: warning: hypervolume 0: none of the %d front points lies inside "
		"the reference box (%s)\n", f->n, sp->origin);
	for (int j = 0; j < sp->n_obj; j++) {
		const struct search_objective *ob = &sp->obj[j];
		double best = search_eval_metric(sp, &f->p[0], ob->metric, ob->at);
		char label[64];
		if (!excluded[j])
			continue;
		for (int i = 1; i < f->n; i++) {
			double v = search_eval_metric(sp, &f->p[i], ob->metric, ob->at);
			if (ob->maximize ? v > best : v < best)
				best = v;
		}
		search_metric_label(sp, ob->metric, ob->at, label, sizeof(label));
		fprintf(stderr, "hwnas: 'objectives[%d]' %s: its ref %g excludes %d of the %d "
			"points (the front's best is %.6g); %s the ref to count them\n", j,
			label, ob->ref, excluded[j], f->n, best,
			ob->maximize ? "lower" : "raise");
	}
}

/* The front of a multi-target space: per point the accuracy (worst case), then per target its
 * latency, energy, DSP and accelerator: the trade-off between the targets. */
static void print_front_targets(const struct search_space *sp, const struct search_run_result *r)
{
	printf("objectives:");
	for (int j = 0; j < sp->n_obj; j++) {
		char label[64];
		search_metric_label(sp, sp->obj[j].metric, sp->obj[j].at, label, sizeof(label));
		printf(" %s%s", label, j + 1 < sp->n_obj ? "," : "\n");
	}
	printf("%4s %8s", "#", "accuracy");
	for (int t = 0; t < sp->n_targets; t++)
		printf(" | %-9.9s %9s %5s %-16s", sp->targets[t].name, "", "", "");
	printf(" |\n%13s", "");
	for (int t = 0; t < sp->n_targets; t++)
		printf(" | %9s %9s %5s %-16s", "ms", "mJ", "DSP", "hw");
	printf(" | arch\n");
	for (int i = 0; i < r->front.n; i++) {
		const struct search_eval *e = &r->front.p[i];
		char arch[256];
		search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
		printf("%4d %8.2f", i, e->m[SEARCH_M_ACCURACY]);
		for (int t = 0; t < sp->n_targets; t++) {
			struct hw_config hw;
			char hwd[64];
			search_space_target_hw(sp, t, &e->pt, &hw);
			snprintf(hwd, sizeof(hwd), "%dx%d %s %db %lldK", hw.pe_rows, hw.pe_cols,
				 hw_dataflow_name(hw.dataflow), hw.act_bits,
				 (long long)(hw.ibuf_bytes / 1024));
			printf(" | %9.4f %9.4f %5.0f %-16s", e->tm[t][SEARCH_M_LATENCY_MS],
			       e->tm[t][SEARCH_M_ENERGY_MJ], e->tm[t][SEARCH_M_DSP], hwd);
		}
		printf(" | %s\n", arch);
	}
}

static void print_front(const struct search_space *sp, const struct search_run_result *r,
			const struct explore_opts *o)
{
	char b1[32], b2[32];

	char b3[32];
	printf("%s: %s evaluations (%s networks) of %s points (%s), %.2f s; front of %d, "
	       "hypervolume %.4f\n", sp->name, cli_thousands(r->evaluations, b1, sizeof(b1)),
	       cli_thousands(r->networks, b3, sizeof(b3)),
	       cli_thousands((long long)search_space_size(sp), b2, sizeof(b2)),
	       o->exhaustive ? "exhaustive" : o->strategy, r->seconds, r->front.n, r->hypervolume);
	if (sp->n_targets) {
		print_front_targets(sp, r);
		goto notes;
	}
	printf("%4s %8s %-7s %11s %10s %5s %5s %7s  %-12s  %s\n", "#", "accuracy", "source",
	       "latency ms", "energy mJ", "DSP", "BRAM", "LUT", "hw", "arch");
	for (int i = 0; i < r->front.n; i++) {
		const struct search_eval *e = &r->front.p[i];
		struct hw_config hw;
		char arch[256], hwd[64];
		search_space_hw(sp, &e->pt, &hw);
		search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
		snprintf(hwd, sizeof(hwd), "%dx%d %s %db %lldK%s%s", hw.pe_rows, hw.pe_cols,
			 hw_dataflow_name(hw.dataflow), hw.act_bits, (long long)(hw.ibuf_bytes / 1024),
			 hw.mac_packing ? " " : "",
			 hw.mac_packing ? hw_packing_name(hw.mac_packing) : "");
		printf("%4d %8.2f %-7.7s %11.4f %10.4f %5.0f %5.0f %7.0f  %-12s  %s\n", i,
		       e->m[SEARCH_M_ACCURACY],
		       e->acc_source == SEARCH_ACC_TABLE ? "table" : search_acc_source_name(e->acc_source),
		       e->m[SEARCH_M_LATENCY_MS], e->m[SEARCH_M_ENERGY_MJ], e->m[SEARCH_M_DSP],
		       e->m[SEARCH_M_BRAM], e->m[SEARCH_M_LUT], hwd, arch);
	}
	if (r->has_best && sp->form != SEARCH_PARETO) {
		char arch[256];
		search_space_describe_nn(sp, &r->best.pt, arch, sizeof(arch));
		printf("best %s score %.6g: accuracy %.2f, latency %.4f ms, energy %.4f mJ, %s\n",
		       sp->form == SEARCH_MNAS ? "MnasNet" : "weighted", r->best.score,
		       r->best.m[SEARCH_M_ACCURACY], r->best.m[SEARCH_M_LATENCY_MS],
		       r->best.m[SEARCH_M_ENERGY_MJ], arch);
	}
notes:
	if (sp->form == SEARCH_PARETO && r->hypervolume == 0.0)
		warn_empty_hypervolume(sp, &r->front);
	if (r->front.n && r->front.p[0].acc_source == SEARCH_ACC_PROXY)
		printf("note: accuracy is a PROXY (log-MACs fit, docs/search.md), not a measurement\n");
	if (r->front.n && r->front.p[0].acc_source != SEARCH_ACC_NONE)
		printf("note: accuracy includes the quantisation penalty table%s (an assumption, "
		       "docs/search.md)\n", sp->quant_overridden ? " of the space file" : "");
	if (o->bundles && !sp->axi.dw && r->front.n)
		printf("note: the space has no \"axi\": the front prices the direct top, and each "
		       "bundle's AXI top is slower and larger (docs/deploy.md \"Export bundle\"); "
		       "add \"axi\" to the space to search for what you export\n");
}

/* --transfer: the loss of each target's networks on the others (search_transfer_run), as a
 * table and DIR/transfer.json. */
static int transfer_report(const struct explore_opts *o, const struct search_space *sp,
			   struct search_evaluator *ev, struct hn_err *err)
{
	struct search_transfer t;
	char path[4200], b1[32], b2[32];
	const char *mn = search_metric_name(o->transfer_metric);
	char *text;
	int ret = search_transfer_run(sp, ev, o->transfer_metric, &t, err);

	if (ret < 0)
		return ret;
	text = search_transfer_to_json(sp, &t);
	snprintf(path, sizeof(path), "%s/transfer.json", o->out);
	ret = text ? write_text(path, text, err) : hn_fail(err, HN_ENOMEM, "out of memory");
	free(text);
	if (ret == 0) {
		printf("\ntransfer loss, %s: networks on one target's exact (accuracy, %s) front "
		       "taken to another at their best config there, against that target's best at "
		       "the same or better accuracy (%s networks, %s evaluations, %.1f s; %s)\n", mn,
		       mn, cli_thousands(t.networks, b1, sizeof(b1)),
		       cli_thousands(t.evaluations, b2, sizeof(b2)), t.seconds, path);
		printf("%-12s %-12s %7s %11s %10s %10s %9s %8s\n", "from", "to", "picked",
		       "infeasible", "mean loss", "max loss", "HV kept", "tau");
		for (int p = 0; p < t.n_pairs; p++) {
			const struct search_transfer_pair *pr = &t.pairs[p];
			printf("%-12s %-12s %7d %11d %9.1f%% %9.1f%% %8.2f%% %8.3f\n",
			       sp->targets[pr->from].name, sp->targets[pr->to].name, pr->picked,
			       pr->infeasible, pr->mean_loss_pct, pr->max_loss_pct,
			       pr->hv_own > 0 ? 100.0 * pr->hv_picked / pr->hv_own : 0.0,
			       t.kendall_tau[pr->from][pr->to]);
		}
		printf("(HV kept: the 'to' target's (accuracy, %s) hypervolume with the 'from' "
		       "target's networks only, of its own; tau: Kendall tau-b of the networks' best "
		       "%s on the two targets)\n", mn, mn);
	}
	search_transfer_release(&t);
	return ret;
}

/* Opens the store and starts (or resumes) the run in it; *st stays NULL with --no-db. */
static int open_store(const struct explore_opts *o, const struct search_space *sp,
		      const struct search_inputs *in, struct store **st, int64_t *stored,
		      struct hn_err *err)
{
	struct store_run_args a;
	char path[4096];
	int ret;

	*st = NULL;
	*stored = 0;
	if (o->no_db)
		return 0;
	if (o->db)
		hn_strlcpy(path, o->db, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/hwnas.db", o->out);
	memset(&a, 0, sizeof(a));
	hn_strlcpy(a.space_hash, in->id, sizeof(a.space_hash));
	a.inputs = in;
	a.force = o->force;
	a.space_file = o->space;
	a.strategy = o->exhaustive ? "exhaustive" : o->strategy;
	a.seed = o->exhaustive ? 0 : o->seed;
	a.budget = o->exhaustive ? (int64_t)search_space_size(sp) : o->budget;
	if ((ret = store_open(path, 0, st, err)) < 0)
		return ret;
	int64_t n = store_begin_run(*st, sp, &a, err);
	if (n < 0) {
		store_close(*st);
		*st = NULL;
		return (int)n;
	}
	*stored = n;
	return 0;
}

/* ---- MPI (build/hwnas-mpi, docs/store.md) ----
 * Rank 0 runs the command as usual (strategy, store, outputs) and hands each evaluation of a
 * batch to the next idle rank; the others only evaluate. The driver still reports in
 * proposal order, so the front is the serial one. Ranks must run the same binary on the same
 * kind of machine (results travel as raw bytes) and see the same space file. */
struct mpi_ctx {
	int rank, size;
	const struct search_space *sp;
};

#ifdef HWNAS_MPI
enum { TAG_WORK = 1, TAG_STOP, TAG_RESULT };

struct mpi_result {
	int64_t slot;
	int ret;
	double secs;
	struct search_eval e;
	char msg[512];
};

static int mpi_eval_batch(void *ctx, const struct search_point *pts, int n,
			  struct search_eval *out, double *secs, struct hn_err *err)
{
	struct mpi_ctx *m = ctx;
	struct mpi_result res;
	int next = 0, inflight = 0, ret = 0;

	for (int w = 1; w < m->size && next < n; w++, next++, inflight++) {
		uint64_t job[2] = { (uint64_t)next, search_point_index(m->sp, &pts[next]) };
		MPI_Send(job, 2, MPI_UINT64_T, w, TAG_WORK, MPI_COMM_WORLD);
	}
	while (inflight > 0) {
		MPI_Status stt;
		MPI_Recv(&res, (int)sizeof(res), MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
			 &stt);
		inflight--;
		if (res.ret < 0 && ret == 0)
			ret = hn_fail(err, res.ret, "rank %d: %s", stt.MPI_SOURCE, res.msg);
		out[res.slot] = res.e;
		secs[res.slot] = res.secs;
		if (next < n && ret == 0) {
			uint64_t job[2] = { (uint64_t)next, search_point_index(m->sp, &pts[next]) };
			MPI_Send(job, 2, MPI_UINT64_T, stt.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
			next++;
			inflight++;
		}
	}
	return ret;
}

static void mpi_stop_workers(const struct mpi_ctx *m)
{
	uint64_t none[2] = { 0, 0 };

	for (int w = 1; w < m->size; w++)
		MPI_Send(none, 2, MPI_UINT64_T, w, TAG_STOP, MPI_COMM_WORLD);
}

/* A rank > 0: evaluates what rank 0 sends until told to stop. A failure to load the space is
 * answered to every request, so rank 0 reports it and stops. */
static int mpi_worker(int argc, char **argv)
{
	struct explore_opts o;
	struct search_space *sp = calloc(1, sizeof(*sp));
	struct search_evaluator *ev = NULL;
	struct hn_err err = { 0 };
	int ok = 0;

	if (sp && parse_args(argc, argv, &o) == 0 && search_space_load(o.space, sp, &err) == 0 &&
	    (set_cost(&o, sp), search_evaluator_new(sp, &ev, &err) == 0))
		ok = 1;
	else if (!err.msg[0])
		hn_fail(&err, HN_EINVAL, "cannot start (arguments or memory)");
	for (;;) {
		uint64_t job[2];
		MPI_Status stt;
		MPI_Recv(job, 2, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &stt);
		if (stt.MPI_TAG == TAG_STOP)
			break;
		struct mpi_result r;
		memset(&r, 0, sizeof(r));
		r.slot = (int64_t)job[0];
		if (ok) {
			struct search_point pt;
			double t0 = now_s();
			search_point_from_index(sp, job[1], &pt);
			r.ret = search_evaluate(ev, &pt, &r.e, &err);
			r.secs = now_s() - t0;
		} else {
			r.ret = err.code ? err.code : HN_EINVAL;
		}
		if (r.ret < 0)
			hn_strlcpy(r.msg, err.msg, sizeof(r.msg));
		MPI_Send(&r, (int)sizeof(r), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
	}
	search_evaluator_free(ev);
	free(sp);
	return ok ? CLI_OK : CLI_FAIL;
}
#endif

static int explore_main(int argc, char **argv, struct mpi_ctx *mpi)
{
	struct explore_opts o;
	struct search_space *sp = NULL;
	struct search_evaluator *ev = NULL;
	struct search_run_result r;
	struct search_run_opts ro;
	struct progress pr;
	struct store *store = NULL;
	struct search_inputs inputs;
	struct hn_err err = { 0 };
	char path[4096];
	const char *die;
	int64_t stored = 0;
	int ret = parse_args(argc, argv, &o), has_result = 0;

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	sp = malloc(sizeof(*sp));
	if (!sp) {
		fprintf(stderr, "hwnas: out of memory\n");
		return CLI_FAIL;
	}
	if (search_space_load(o.space, sp, &err) < 0) {
		cli_error(&err);
		goto out_free_space;
	}
	set_cost(&o, sp);
	if (o.transfer && !sp->n_targets) {
		ret = cli_usage_error("explore", "--transfer compares targets: %s has no 'targets'",
				      o.space);
		goto out_free_space;
	}
	if (sp->n_targets && o.rtl) {
		fprintf(stderr, "hwnas: explore: %s: --rtl refines one accelerator per point; a space "
			"with 'targets' has %d (not supported yet)\n", o.space, sp->n_targets);
		ret = CLI_USAGE;
		goto out_free_space;
	}
	/* Everything checkable is checked before the store is made (a space that fails here
	 * leaves no store behind): the space, the files it names, the accuracy table. */
	if (search_evaluator_new(sp, &ev, &err) < 0) {
		cli_error(&err);
		goto out_free_space;
	}
	if (search_inputs_collect(o.space, sp, &inputs, &err) < 0) {
		cli_error(&err);
		goto out_free_ev;
	}
	if (make_dir(o.out, &err) < 0) {
		cli_error(&err);
		goto out_free_ev;
	}
	if (open_store(&o, sp, &inputs, &store, &stored, &err) < 0) {
		cli_error(&err);
		goto out_free_ev;
	}
	if (store && store_replaced(store)[0])
		fprintf(stderr, "explore: %s held a run that stopped before its first evaluation; "
			"replaced by this run (%s)\n", store_path(store), store_replaced(store));
	if (store && o.force) /* destructive: said even with --quiet */
		fprintf(stderr, "explore: --force: %s emptied, starting over\n", store_path(store));
	if (store && stored > 0 && !o.quiet)
		fprintf(stderr, "explore: resuming from %s (session %d): %lld evaluations stored\n",
			store_path(store), store_session(store), (long long)stored);
	memset(&pr, 0, sizeof(pr));
	pr.sp = sp;
	pr.quiet = o.quiet;
	pr.tty = isatty(2);
	pr.store = store;
	die = getenv("HWNAS_TEST_DIE_AFTER");
	pr.die_after = die ? strtoll(die, NULL, 10) : 0;
	pr.budget = o.exhaustive ? (int64_t)search_space_size(sp) : o.budget;
	const struct search_ops *so = search_strategy_find(o.strategy);
	if (!o.exhaustive && so && so->budget_networks) { /* evaluations: networks x accelerators */
		uint64_t hw = search_space_hw_size(sp);
		pr.budget *= (int64_t)(hw <= SEARCH_NESTED_HW_EXHAUSTIVE ? hw : SEARCH_NESTED_HW_BUDGET);
	}
	if ((uint64_t)pr.budget > search_space_size(sp))
		pr.budget = (int64_t)search_space_size(sp);
	pr.t0 = pr.last = now_s();
	snprintf(path, sizeof(path), "%s/evaluations.jsonl", o.out);
	pr.log_path = path;
	if (!o.exhaustive && !(pr.log = hn_fopen_out(path, &err))) {
		cli_error(&err);
		goto out_close_store;
	}
	memset(&ro, 0, sizeof(ro));
	ro.strategy = o.strategy;
	ro.budget = o.budget;
	ro.seed = o.seed;
	ro.exhaustive = o.exhaustive;
	ro.on_eval = on_eval;
	ro.ctx = &pr;
	ro.jobs = (int)o.jobs;
	ro.store = store;
#ifdef HWNAS_MPI
	if (mpi && mpi->size > 1) {
		mpi->sp = sp;
		ro.eval_batch = mpi_eval_batch;
		ro.eval_ctx = mpi;
		ro.batch_max = 4 * (mpi->size - 1);
		if (!o.quiet)
			fprintf(stderr, "explore: evaluating on %d MPI ranks\n", mpi->size - 1);
	}
#else
	(void)mpi;
#endif
	has_result = 1;
	/* SIGINT / SIGTERM / SIGHUP: the run stops after the batch in progress (every completed
	 * evaluation is already stored), so the same command resumes it */
	cli_catch_stop_signals();
	if (search_run(sp, ev, &ro, &r, &err) < 0) {
		if (!o.quiet && pr.tty)
			fputc('\n', stderr);
		cli_error(&err);
		if (err.code == HN_EINTR && store)
			fprintf(stderr, "hwnas: every completed evaluation is in %s: run the same "
				"command to resume\n", store_path(store));
		else if (err.code == HN_EINTR)
			fprintf(stderr, "hwnas: the completed evaluations are in %s/evaluations.jsonl; "
				"with --no-db there is no store, so a rerun starts over\n", o.out);
		goto out_close;
	}
	if (!o.quiet)
		print_progress(&pr, r.evaluations, &r.front, 1);
	if (!o.quiet && strcmp(sp->cost, "analytical"))
		fprintf(stderr, "explore: cycles by --cost %s%s%s; %lld layer pricings kept the "
			"model's figure\n", sp->cost, sp->cost_path[0] ? " " : "", sp->cost_path,
			(long long)search_evaluator_cost_from_model(ev));
	if (store && store_end_run(store, r.evaluations, &err) < 0) {
		cli_error(&err);
		goto out_close;
	}
	if (o.rtl && refine_front(&o, sp, &r, store, &err) < 0) {
		cli_error(&err);
		goto out_close;
	}
	if (write_outputs(&o, sp, &inputs, &r, &err) < 0) {
		cli_error(&err);
		goto out_close;
	}
	print_front(sp, &r, &o);
	if (o.transfer && transfer_report(&o, sp, ev, &err) < 0) {
		cli_error(&err);
		goto out_close;
	}
	if (store)
		printf("store: %s, session %d: %lld evaluated, %lld from the store\n",
		       store_path(store), store_session(store),
		       (long long)(r.evaluations - r.from_store), (long long)r.from_store);
	ret = CLI_OK;
out_close:
	if (pr.log && fclose(pr.log) != 0 && ret == CLI_OK) {
		fprintf(stderr, "hwnas: %s: cannot write: %s\n", path, strerror(errno));
		ret = CLI_FAIL;
	}
	if (has_result)
		search_run_result_release(&r);
out_close_store:
	store_close(store);
out_free_ev:
	search_evaluator_free(ev);
out_free_space:
	free(sp);
	return ret;
}

int cmd_explore(int argc, char **argv)
{
#ifdef HWNAS_MPI
	struct mpi_ctx m = { 0, 1, NULL };
	int ret;

	MPI_Init(NULL, NULL);
	MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &m.size);
	if (m.rank > 0) {
		ret = mpi_worker(argc, argv);
	} else {
		ret = explore_main(argc, argv, &m);
		mpi_stop_workers(&m);
	}
	MPI_Finalize();
	return ret;
#else
	return explore_main(argc, argv, NULL);
#endif
}
