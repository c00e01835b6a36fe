/* hwnas db: inspect a result store (docs/store.md): stats, front, export. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "../search/search.h"
#include "../search/store.h"

static const char db_help[] =
"usage: hwnas db stats|front|export [--db PATH] [options]\n"
"\n"
"Reads a result store written by 'hwnas explore' (docs/store.md); never writes to it, so it\n"
"can be used while a run is going on.\n"
"\n"
"  stats            points, feasible points, by strategy / fidelity / space, time span, runs\n"
"  front            the Pareto front of the stored points (per space), an aligned table\n"
"  export --csv F   every stored evaluation as CSV (one row per point, every column)\n"
"\n"
"  --db PATH        the store (default out/hwnas.db)\n"
"  --json           front: JSON instead of the table\n"
"  --csv FILE       export: the CSV file to write ('-' for stdout)\n"
"  -h, --help       this text\n"
"\n"
"examples:\n"
"  hwnas db stats --db out/hwnas.db\n"
"  hwnas db front --db out/hwnas.db --json > front.json\n"
"  hwnas db export --csv all.csv --db out/hwnas.db\n"
"\n"
"exit: 0 ok, 1 failure (no store, not a store, unreadable), 2 usage\n";

struct db_opts {
	const char *action, *db, *csv;
	int json;
};

static int parse_args(int argc, char **argv, struct db_opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "csv", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->db = "out/hwnas.db";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'c': o->csv = optarg; break;
		case 'J': o->json = 1; break;
		case 'h': fputs(db_help, stdout); return -1;
		default:
			return cli_usage_error("db", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("db", "an action is required: stats, front or export");
	o->action = argv[optind++];
	if (optind < argc)
		return cli_usage_error("db", "unexpected argument '%s'", argv[optind]);
	if (strcmp(o->action, "stats") && strcmp(o->action, "front") && strcmp(o->action, "export"))
		return cli_usage_error("db", "unknown action '%s' (known: stats, front, export)",
				       o->action);
	if (!o->db[0])
		return cli_usage_error("db", "--db is empty: name the store file");
	if (!strcmp(o->action, "export") && !o->csv)
		return cli_usage_error("db", "export needs --csv FILE");
	if (strcmp(o->action, "export") && o->csv)
		return cli_usage_error("db", "--csv goes with export");
	if (strcmp(o->action, "front") && o->json)
		return cli_usage_error("db", "--json goes with front");
	return 0;
}

static const char *fmt_time(double t, char *buf, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || !localtime_r(&s, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		hn_strlcpy(buf, "-", size);
	return buf;
}

/* ---- stats ---- */

static int print_run(void *ctx, const struct store_run_info *r)
{
	char b[32];

	(void)ctx;
	printf("  run %lld: %s, seed %lld, budget %lld: %lld evaluations, %lld session%s, %s\n"
	       "    space %s ('%s', hash %s), created %s\n", (long long)r->id, r->strategy,
	       (long long)r->seed, (long long)r->budget, (long long)r->evaluations,
	       (long long)r->sessions, r->sessions == 1 ? "" : "s",
	       r->finished ? "finished" : "not finished (resume with the same arguments)",
	       r->space_file, r->space_name, r->space_hash, fmt_time(r->created, b, sizeof(b)));
	return 0;
}

static void print_groups(const char *title, const struct store_count *g, int n)
{
	printf("%-12s", title);
	for (int i = 0; i < n; i++)
		printf("%s%s %lld", i ? ", " : " ", g[i].label, (long long)g[i].n);
	printf("%s\n", n ? "" : " -");
}

static int do_stats(struct store *st, const char *path, struct hn_err *err)
{
	struct store_stats s;
	char b1[32], b2[32], b3[32], b4[32];
	int ret = store_stats(st, &s, err);

	if (ret < 0)
		return ret;
	printf("store %s (schema version %d)\n", path, s.schema_version);
	printf("%-12s %s (feasible %s), %lld run%s, %lld session%s\n", "points:",
	       cli_thousands(s.points, b1, sizeof(b1)), cli_thousands(s.feasible, b2, sizeof(b2)),
	       (long long)s.runs, s.runs == 1 ? "" : "s", (long long)s.sessions,
	       s.sessions == 1 ? "" : "s");
	if (s.progress_points > 0)
		printf("%-12s %s (feasible %s) evaluated by exhaustive runs, which keep their front "
		       "as rows\n", "exhaustive:", cli_thousands(s.progress_points, b1, sizeof(b1)),
		       cli_thousands(s.progress_feasible, b2, sizeof(b2)));
	print_groups("strategy:", s.strategy, s.n_strategy);
	print_groups("fidelity:", s.fidelity, s.n_fidelity);
	print_groups("space:", s.space, s.n_space);
	printf("%-12s %s .. %s (%.1f s), %.2f s spent in evaluations\n", "time:",
	       fmt_time(s.first_time, b3, sizeof(b3)), fmt_time(s.last_time, b4, sizeof(b4)),
	       s.last_time - s.first_time, s.eval_seconds);
	printf("runs:\n");
	return store_runs(st, print_run, NULL, err);
}

/* ---- front ---- */

struct space_front {
	struct store_run_info run;      /* the first run of the space: its objectives */
	int metric[SEARCH_MAX_OBJ];
	/* a multi-target run's objective ("latency_ms@zcu102"): its label, and the value is read
	 * back from the normalised objective (ideal + obj x (ref - ideal)) */
	char label[SEARCH_MAX_OBJ][48];
	int at[SEARCH_MAX_OBJ];
	double ref[SEARCH_MAX_OBJ];
	struct search_front f;
	struct store_row *rows;         /* rows that entered the front; a member's seq indexes it */
	int n_rows;
	int64_t cap_rows;
};

struct front_ctx {
	struct space_front sf[STORE_MAX_GROUPS];
	int n;
};

static int collect_space(void *ctx, const struct store_run_info *r)
{
	struct front_ctx *c = ctx;

	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->sf[i].run.space_hash, r->space_hash))
			return 0;
	if (c->n == STORE_MAX_GROUPS)
		return 0;
	struct space_front *s = &c->sf[c->n++];
	memset(s, 0, sizeof(*s));
	s->run = *r;
	/* "accuracy:max:80,latency_ms:min:20" */
	const char *p = r->objectives;
	for (int i = 0; i < r->n_obj && i < SEARCH_MAX_OBJ && *p; i++) {
		char name[32];
		size_t n = strcspn(p, ":"), b = strcspn(p, ":@");
		const char *c2 = strchr(p, ':');
		snprintf(s->label[i], sizeof(s->label[i]), "%.*s", (int)(n < 47 ? n : 47), p);
		snprintf(name, sizeof(name), "%.*s", (int)(b < 31 ? b : 31), p);
		s->metric[i] = search_metric_parse(name);
		s->at[i] = b < n;
		s->ref[i] = NAN;
		if (c2 && (c2 = strchr(c2 + 1, ':')))
			s->ref[i] = strtod(c2 + 1, NULL);
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	search_front_init(&s->f, r->n_obj);
	return 0;
}

struct add_ctx {
	struct space_front *s;
};

static int add_row(void *ctx, const struct store_row *row, struct hn_err *err)
{
	struct space_front *s = ((struct add_ctx *)ctx)->s;
	struct search_eval e = row->e;

	if (!e.feasible)
		return 0;
	for (int i = 0; i < s->f.n_obj; i++)
		if (!isfinite(e.obj[i]))
			return hn_fail(err, HN_EINVAL, "damaged store: evals row idx %llu: obj%d is not "
				       "a finite number on a feasible row",
				       (unsigned long long)e.index, i);
	if (hn_grow(&s->rows, s->n_rows, &s->cap_rows, sizeof(*s->rows), 256))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	e.seq = s->n_rows;
	int added = search_front_add(&s->f, &e);
	if (added < 0)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	if (added)
		s->rows[s->n_rows++] = *row;
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_front_table(const struct space_front *s, int many)
{
	const struct search_front *f = &s->f;

	if (many)
		printf("space %s (%s):\n", s->run.space_file, s->run.space_hash);
	printf("front of %d (hypervolume %.4f)\n%4s", f->n, search_front_hypervolume(f), "#");
	for (int i = 0; i < f->n_obj; i++)
		printf(" %12s", s->label[i]);
	printf(" %9s  %-22s %s\n", "index", "hw", "arch");
	int unrecorded = 0;

	for (int k = 0; k < f->n; k++) {
		const struct search_eval *e = &f->p[k];
		const struct store_row *row = &s->rows[e->seq];
		printf("%4d", k);
		for (int i = 0; i < f->n_obj; i++) {
			double ideal = s->metric[i] == SEARCH_M_ACCURACY ? 100.0 : 0.0;
			printf(" %12.6g", s->at[i] ? ideal + e->obj[i] * (s->ref[i] - ideal) :
			       e->m[s->metric[i]]);
		}
		printf(" %9llu  %-22s %s\n", (unsigned long long)e->index, row->hw, row->arch);
		unrecorded += !row->mac_packing[0];
	}
	if (unrecorded)
		printf("note: %d of these points were stored before store schema version 4, which "
		       "did not record mac_packing: their hw shows no packing, whatever it was\n",
		       unrecorded);
}

static void print_front_json(const struct front_ctx *c)
{
	printf("{\"fronts\": [");
	for (int j = 0; j < c->n; j++) {
		const struct space_front *s = &c->sf[j];
		printf("%s\n {\"space_file\": ", j ? "," : "");
		json_str(s->run.space_file);
		printf(", \"space_hash\": \"%s\", \"hypervolume\": %.17g, \"points\": [",
		       s->run.space_hash, search_front_hypervolume(&s->f));
		for (int k = 0; k < s->f.n; k++) {
			const struct search_eval *e = &s->f.p[k];
			const struct store_row *row = &s->rows[e->seq];
			printf("%s\n  {\"index\": %llu", k ? "," : "", (unsigned long long)e->index);
			for (int m = 0; m < SEARCH_M_COUNT; m++)
				if (isfinite(e->m[m]))
					printf(", \"%s\": %.17g", search_metric_name(m), e->m[m]);
			printf(", \"fidelity\": \"%s\", \"strategy\": ", search_fidelity_name(e->fidelity));
			json_str(row->strategy);
			printf(", \"hw\": ");
			json_str(row->hw);
			printf(", \"mac_packing\": ");
			if (row->mac_packing[0])
				json_str(row->mac_packing);
			else
				printf("null"); /* a row stored before schema 4 */
			printf(", \"arch\": ");
			json_str(row->arch);
			printf("}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static int do_front(struct store *st, int json, struct hn_err *err)
{
	struct front_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	ret = store_runs(st, collect_space, c, err);
	if (ret == 0) {
		int64_t orphans = 0;
		ret = store_orphans(st, &orphans, err);
		if (ret == 0 && orphans > 0)
			ret = hn_fail(err, HN_EINVAL, "%s: damaged store: %lld evaluations belong "
				      "to no run (their space hash is in no runs row); the front would "
				      "leave them out", store_path(st), (long long)orphans);
	}
	for (int j = 0; j < c->n && ret == 0; j++) {
		struct add_ctx a = { &c->sf[j] };
		ret = store_each(st, c->sf[j].run.space_hash, add_row, &a, err);
		search_front_sort(&c->sf[j].f);
	}
	if (ret == 0) {
		if (json)
			print_front_json(c);
		else if (c->n == 0)
			printf("the store holds no run\n");
		for (int j = 0; !json && j < c->n; j++)
			print_front_table(&c->sf[j], c->n > 1);
	}
	for (int j = 0; j < c->n; j++) {
		search_front_release(&c->sf[j].f);
		free(c->sf[j].rows);
	}
	free(c);
	return ret;
}

/* ---- export ---- */

static int do_export(struct store *st, const char *csv, struct hn_err *err)
{
	int to_stdout = !strcmp(csv, "-");
	FILE *f = to_stdout ? stdout : hn_fopen_out(csv, err);
	int64_t rows = 0;
	int ret;

	if (!f)
		return HN_EIO;
	ret = store_export_csv(st, f, csv, &rows, err);
	if (!to_stdout && fclose(f) != 0 && ret == 0)
		ret = hn_fail(err, HN_EIO, "%s: cannot write: %s", csv, strerror(errno));
	if (ret == 0 && !to_stdout)
		printf("%s: %lld rows\n", csv, (long long)rows);
	return ret;
}

int cmd_db(int argc, char **argv)
{
	struct db_opts o;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	if (store_open(o.db, 1, &st, &err) < 0)
		return cli_error(&err);
	if (!strcmp(o.action, "stats"))
		ret = do_stats(st, o.db, &err);
	else if (!strcmp(o.action, "front"))
		ret = do_front(st, o.json, &err);
	else
		ret = do_export(st, o.csv, &err);
	store_close(st);
	return ret < 0 ? cli_error(&err) : CLI_OK;
}
