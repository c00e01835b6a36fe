/* hwnas report: one self-contained HTML page (and optionally standalone SVG files) with the
 * plots of an exploration: Pareto fronts, the roofline and latency breakdown of one design,
 * model vs RTL cycles, hypervolume vs evaluations, and the front as a sortable table. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "../report/report.h"

#define MAX_RUNS 8
#define MAX_RTL 16
#define HV_SAMPLES 400

static const char report_help[] =
"usage: hwnas report --out DIR [--out DIR2 ...] [options]\n"
"       hwnas report --db FILE [options]\n"
"\n"
"Writes one self-contained HTML page (inline CSS, SVG and a little JS; no network access)\n"
"about an exploration: Pareto fronts (accuracy vs latency, accuracy vs energy, latency vs\n"
"DSP; dots coloured by dataflow, the front outlined, hover for every parameter); the\n"
"roofline and per-layer latency breakdown (compute vs memory stall) of one front design,\n"
"re-evaluated layer by layer; model vs RTL cycles when RTL results are given; hypervolume\n"
"vs evaluations; and the front as a sortable table.\n"
"\n"
"  --out DIR        an explore output folder (front.json, evaluations.jsonl); repeat it to\n"
"                   compare the search progress of several runs (the first is reported)\n"
"  --db FILE        a result store (DIR/hwnas.db, docs/store.md) instead of a folder; also\n"
"                   read from DIR when front.json or evaluations.jsonl is missing\n"
"  -o, --output F   the HTML file (default: DIR/report.html, or report.html beside FILE)\n"
"  --svg DIR        also write every plot as a standalone SVG file into DIR\n"
"  --design N       the front point (# in the table) of the roofline and breakdown\n"
"                   (default: the most accurate)\n"
"  --rtl FILE       RTL results: 'hwnas sim --json' output, or a CSV with model_cycles and\n"
"                   rtl_cycles columns; repeatable\n"
"  --title TEXT     the page title (default: the space name)\n"
"  --quiet          no progress on stderr\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas explore --space examples/default_space.json --budget 2000 --out out\n"
"  hwnas report --out out --svg out/plots      # writes out/report.html\n"
"\n"
"exit: 0 ok, 1 failure (unreadable or bad input files, I/O), 2 usage\n";

struct report_opts {
	const char *out[MAX_RUNS];
	int n_out;
	const char *db, *output, *svg, *title;
	const char *rtl[MAX_RTL];
	int n_rtl;
	int design;                     /* -1: the most accurate */
	int quiet;
};

static int parse_args(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'd' }, { "db", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' }, { "svg", required_argument, NULL, 's' },
		{ "design", required_argument, NULL, 'n' }, { "rtl", required_argument, NULL, 'r' },
		{ "title", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->design = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->n_out == MAX_RUNS)
				return cli_usage_error("report", "at most %d --out folders", MAX_RUNS);
			o->out[o->n_out++] = optarg;
			break;
		case 'b': o->db = optarg; break;
		case 'o': o->output = optarg; break;
		case 's': o->svg = optarg; break;
		case 't': o->title = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'r':
			if (o->n_rtl == MAX_RTL)
				return cli_usage_error("report", "at most %d --rtl files", MAX_RTL);
			o->rtl[o->n_rtl++] = optarg;
			break;
		case 'n': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || v < 0 || v > 1000000)
				return cli_usage_error("report", "--design must be a front point number "
						       "(0, 1, ...), got '%s'", optarg);
			o->design = (int)v;
			break;
		}
		case 'h': fputs(report_help, stdout); return -1;
		default:
			return cli_usage_error("report", "unknown or incomplete option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!o->n_out && !o->db)
		return cli_usage_error("report", "--out DIR or --db FILE is required");
	if (o->n_out && o->db)
		return cli_usage_error("report", "give --out or --db, not both");
	return 0;
}

struct tick_ctx {
	struct cli_progress pg;
};

static void tick(void *ctx, int64_t done, int64_t total)
{
	struct tick_ctx *t = ctx;

	t->pg.total = total;
	cli_progress_update(&t->pg, done, NULL);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A run from a store (--db), or from an explore folder: front.json and evaluations.jsonl,
 * the folder's store (hwnas.db) standing in for whichever is missing. */
static int load_run(const char *src, int is_db, struct report_run *run, struct tick_ctx *tc,
		    char *warn, size_t wsize, struct hn_err *err)
{
	char front[4096], evals[4096], db[4096];

	if (is_db)
		return report_run_load_db(src, run, 0, tick, tc, warn, wsize, err);
	snprintf(front, sizeof(front), "%s/front.json", src);
	snprintf(evals, sizeof(evals), "%s/evaluations.jsonl", src);
	snprintf(db, sizeof(db), "%s/hwnas.db", src);
	if (!exists(front) && exists(db))
		return report_run_load_db(db, run, 0, tick, tc, warn, wsize, err);
	int ret = report_run_load_dir(src, run, tick, tc, err);
	if (ret == 0 && !exists(evals) && exists(db)) {
		ret = report_run_load_db(db, run, 1, tick, tc, warn, wsize, err);
		if (ret == 0)
			hn_strlcpy(run->origin, src, sizeof(run->origin));
	}
	return ret;
}

static int best_accuracy(const struct report_run *run)
{
	int best = -1;

	for (int i = 0; i < run->n_front; i++) {
		const struct report_point *p = &run->front[i], *b = best >= 0 ? &run->front[best] : NULL;
		double a = p->m[SEARCH_M_ACCURACY];
		if (!b || a > b->m[SEARCH_M_ACCURACY] ||
		    (a == b->m[SEARCH_M_ACCURACY] &&
		     p->m[SEARCH_M_LATENCY_MS] < b->m[SEARCH_M_LATENCY_MS]) ||
		    (isnan(b->m[SEARCH_M_ACCURACY]) && !isnan(a)))
			best = i;
	}
	return best;
}

static int write_svgs(const char *dir, const struct report_input *in, struct hn_err *err)
{
	char path[4096];

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return hn_fail(err, HN_EIO, "%s: cannot create folder: %s", dir, strerror(errno));
	for (int w = 0; w < RP_COUNT; w++) {
		struct rbuf b;
		int ret;
		rbuf_init(&b);
		rbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		report_plot_svg(&b, in, w);
		snprintf(path, sizeof(path), "%s/%s.svg", dir, report_plot_id(w));
		ret = rbuf_write(&b, path, err);
		rbuf_release(&b);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void timestamp(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "generated %Y-%m-%d %H:%M UTC by hwnas report", &tm);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct report_run runs[MAX_RUNS];
	struct report_rtl rtl = { 0 };
	struct report_design design;
	struct report_input in;
	struct hn_err err = { 0 }, derr = { 0 };
	struct tick_ctx tc;
	struct rbuf page;
	char output[4096], title[160], when[96];
	int n_runs = 0, has_design = 0, ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	rbuf_init(&page);
	for (int i = 0; i < (o.db ? 1 : o.n_out); i++) {
		char what[32], warn[512] = "";
		snprintf(what, sizeof(what), o.n_out > 1 ? "reading run %d" : "reading", i + 1);
		cli_progress_start(&tc.pg, what, 0, o.quiet);
		int r = load_run(o.db ? o.db : o.out[i], !!o.db, &runs[i], &tc, warn, sizeof(warn),
				 &err);
		cli_progress_done(&tc.pg);
		if (r < 0) {
			report_run_release(&runs[i]);
			cli_error(&err);
			goto out_release;
		}
		if (warn[0])
			fprintf(stderr, "hwnas: warning: %s\n", warn);
		n_runs++;
		cli_progress_start(&tc.pg, "hypervolume", runs[i].n_evals, o.quiet);
		r = report_hv_progress(&runs[i], HV_SAMPLES, tick, &tc);
		cli_progress_done(&tc.pg);
		if (r < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_release;
		}
	}
	for (int i = 0; i < o.n_rtl; i++)
		if (report_rtl_load(o.rtl[i], &rtl, &err) < 0) {
			cli_error(&err);
			goto out_release;
		}
	if (o.design >= runs[0].n_front) {
		ret = cli_usage_error("report", "--design %d: the front of %s has %d points (0..%d)",
				      o.design, runs[0].origin, runs[0].n_front, runs[0].n_front - 1);
		goto out_release;
	}
	int di = o.design >= 0 ? o.design : best_accuracy(&runs[0]);
	if (di >= 0) {
		cli_progress_start(&tc.pg, "mapping layers", 0, o.quiet);
		if (report_design_eval(&runs[0], di, &design, tick, &tc, &derr) == 0)
			has_design = 1;
		cli_progress_done(&tc.pg);
		/* a design that cannot be rebuilt (a network file the report cannot see) still
		 * leaves the rest of the report worth writing */
		if (!has_design)
			fprintf(stderr, "hwnas: warning: front point %d not re-evaluated: %s\n", di,
				derr.msg);
	} else {
		snprintf(derr.msg, sizeof(derr.msg), "the front is empty");
	}
	snprintf(title, sizeof(title), "%s", o.title ? o.title : runs[0].space[0] ?
		 runs[0].space : "hwnas exploration");
	timestamp(when, sizeof(when));
	memset(&in, 0, sizeof(in));
	in.runs = runs;
	in.n_runs = n_runs;
	in.design = has_design ? &design : NULL;
	in.design_error = derr.msg;
	in.rtl = &rtl;
	in.title = title;
	in.generated = when;
	report_html(&page, &in);
	if (o.output) {
		snprintf(output, sizeof(output), "%s", o.output);
	} else if (o.db) {
		/* beside the store */
		const char *slash = strrchr(o.db, '/');
		snprintf(output, sizeof(output), "%.*sreport.html", slash ? (int)(slash - o.db + 1) : 0,
			 o.db);
	} else {
		snprintf(output, sizeof(output), "%s/report.html", o.out[0]);
	}
	if (rbuf_write(&page, output, &err) < 0) {
		cli_error(&err);
		goto out_release;
	}
	if (o.svg && write_svgs(o.svg, &in, &err) < 0) {
		cli_error(&err);
		goto out_release;
	}
	printf("wrote %s (%.0f KiB): %d front points, %lld evaluations%s%s%s\n", output,
	       (double)page.len / 1024, runs[0].n_front, (long long)runs[0].n_evals,
	       rtl.n ? ", RTL comparison" : "", o.svg ? "; SVG plots in " : "", o.svg ? o.svg : "");
	ret = CLI_OK;
out_release:
	if (has_design)
		report_design_release(&design);
	report_rtl_release(&rtl);
	for (int i = 0; i < n_runs; i++)
		report_run_release(&runs[i]);
	rbuf_release(&page);
	return ret;
}
