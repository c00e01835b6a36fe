/* test_store.c: the result store (round trip of every field, errors that name the file and
 * the versions) and the driver on top of it (a resumed run and a threaded run end as the
 * serial one). */
#include "test.h"
#include "../search/search.h"
#include "../search/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

static const char space_json[] =
	"{\"name\":\"t\",\"nn\":{\"space\":\"nb201\",\"dataset\":\"cifar10\"},"
	"\"hw\":{\"choices\":{\"pe_rows\":[8,16],\"pe_cols\":[8,16],\"buffer_kib\":[32,128],"
	"\"dataflow\":[\"ws\",\"os\",\"is\"],\"bits\":[8,16]}},\"device\":\"zcu102\","
	"\"mapper\":\"default\","
	"\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":80},"
	"{\"metric\":\"latency_ms\",\"ref\":40},{\"metric\":\"energy_mj\",\"ref\":20}],"
	"\"constraints\":[{\"metric\":\"latency_ms\",\"max\":3}]}";

static char dir[64];

static const char *tmp_path(const char *name)
{
	static char buf[8][160];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, 160, "%s/%s", dir, name);
	return p;
}

static int64_t query_db(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return v;
}

static struct search_space *load_space(void)
{
	static struct search_space sp;
	struct hn_err err = { 0 };

	if (search_space_parse_json(space_json, strlen(space_json), "space.json", &sp, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return &sp;
}

static struct store_run_args args(const char *strategy, int64_t budget)
{
	struct store_run_args a;

	memset(&a, 0, sizeof(a));
	strcpy(a.space_hash, "0123456789abcdef");
	a.space_file = "space.json";
	a.strategy = strategy;
	a.seed = 7;
	a.budget = budget;
	return a;
}

static int count_run(void *ctx, const struct store_run_info *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

static int same_eval(const struct search_eval *a, const struct search_eval *b)
{
	int same = !memcmp(&a->pt, &b->pt, sizeof(a->pt)) && a->index == b->index &&
		   a->seq == b->seq && a->feasible == b->feasible && !strcmp(a->why, b->why) &&
		   a->acc_source == b->acc_source && a->fidelity == b->fidelity &&
		   a->cycles == b->cycles && a->stall_cycles == b->stall_cycles &&
		   a->dram_bytes == b->dram_bytes;
	const double *x[] = { a->m, a->obj, &a->violation, &a->score, &a->acc_raw, &a->acc_penalty };
	const double *y[] = { b->m, b->obj, &b->violation, &b->score, &b->acc_raw, &b->acc_penalty };
	const int n[] = { SEARCH_M_COUNT, SEARCH_MAX_OBJ, 1, 1, 1, 1 };

	for (int i = 0; i < 6; i++)
		for (int j = 0; j < n[i]; j++)
			same &= (isnan(x[i][j]) && isnan(y[i][j])) || !memcmp(&x[i][j], &y[i][j], 8);
	return same;
}

static void store_should_round_trip_every_field_of_an_evaluation(void)
{
	struct search_space *sp = load_space();
	struct search_evaluator *ev = NULL;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_run_args a = args("random", 10);
	struct search_eval e[3], back;
	struct search_point pt;

	CHECK(search_evaluator_new(sp, &ev, &err) == 0);
	CHECK(store_open(tmp_path("rt.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == 0);
	CHECK_EQ_I64(store_session(st), 1);
	for (int i = 0; i < 3; i++) {
		search_point_from_index(sp, (uint64_t)(i * 977 + 5), &pt);
		CHECK(search_evaluate(ev, &pt, &e[i], &err) == 0);
		e[i].seq = i;
	}
	e[1].m[SEARCH_M_ACCURACY] = NAN;        /* a zoo network without accuracy */
	e[1].score = -INFINITY;
	e[2].feasible = 0;
	strcpy(e[2].why, "constraint latency_ms <= 3: got 4.5, \"quoted\"");
	e[2].violation = 0.1 + 0.2;             /* not exactly representable in decimal */
	e[2].fidelity = SEARCH_FID_RTL;
	for (int i = 0; i < 3; i++)
		CHECK(store_put(st, &e[i], 0.001 * i, &err) == 0);
	CHECK_EQ_I64(store_rows_written(st), 3);
	for (int i = 0; i < 3; i++) {
		memset(&back, 0x55, sizeof(back));
		CHECK(store_lookup(st, e[i].index, e[i].fidelity, &back, &err) == 1);
		CHECK(same_eval(&e[i], &back));
	}
	CHECK(store_lookup(st, e[2].index, SEARCH_FID_MODEL, &back, &err) == 0);
	CHECK(store_lookup(st, 123456, SEARCH_FID_MODEL, &back, &err) == 0);
	/* a second put of the same point is refused: the driver never evaluates twice */
	CHECK(store_put(st, &e[0], 0, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "already stored");
	CHECK(store_end_run(st, 3, &err) == 0);
	store_close(st);
	/* reopened (a new process): the rows, a second session of the same run */
	CHECK(store_open(tmp_path("rt.db"), 0, &st, &err) == 0);
	CHECK_EQ_I64(store_begin_run(st, sp, &a, &err), 3);
	CHECK_EQ_I64(store_session(st), 2);
	CHECK(store_lookup(st, e[1].index, SEARCH_FID_MODEL, &back, &err) == 1);
	CHECK(same_eval(&e[1], &back));
	store_close(st);
	search_evaluator_free(ev);
}

static void store_should_refuse_a_run_with_other_arguments(void)
{
	struct search_space *sp = load_space();
	struct search_evaluator *ev = NULL;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_run_args a = args("nsga2", 100), b = args("nsga2", 200);
	struct search_eval e;
	struct search_point pt;

	CHECK(search_evaluator_new(sp, &ev, &err) == 0);
	search_point_from_index(sp, 17, &pt);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	/* a run that stopped before its first evaluation is replaced, and said so */
	CHECK(store_open(tmp_path("args.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == 0);
	CHECK(!strcmp(store_replaced(st), ""));
	store_close(st);
	CHECK(store_open(tmp_path("args.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &b, &err) == 0);
	CHECK_STR_CONTAINS(store_replaced(st), "--budget 100");
	CHECK_EQ_I64(store_session(st), 1);
	CHECK(store_put(st, &e, 0, &err) == 0);
	store_close(st);
	/* a run with evaluations is not */
	CHECK(store_open(tmp_path("args.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "args.db: holds another run (1 evaluations)");
	CHECK_STR_CONTAINS(err.msg, "--budget 100");
	CHECK_STR_CONTAINS(err.msg, "--budget 200");
	CHECK_STR_CONTAINS(err.msg, "or --force to start over");
	store_close(st);
	/* --force starts over */
	a.force = 1;
	CHECK(store_open(tmp_path("args.db"), 0, &st, &err) == 0);
	CHECK_EQ_I64(store_begin_run(st, sp, &a, &err), 0);
	CHECK_EQ_I64(store_session(st), 1);
	CHECK(store_lookup(st, e.index, SEARCH_FID_MODEL, &e, &err) == 0);
	store_close(st);
	search_evaluator_free(ev);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void run_identity_should_cover_every_input_and_name_what_changed(void)
{
	/* A resume after editing the file hw.base points to mixed two configs in one store
	 * (issue 14): the identity covers the space file, the files it names, the accuracy
	 * table, the cost model's version and the mapper, and a refusal names the change. */
	static struct search_space sp;
	struct search_inputs in1, in2, in3, was;
	struct store_run_args a = args("nsga2", 100), b = args("nsga2", 100);
	struct search_evaluator *ev = NULL;
	struct search_eval e;
	struct search_point pt;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	char h[STORE_HASH_LEN + 1], text[4096], diff[1024];
	const char *space = tmp_path("id_space.json"), *base = tmp_path("id_base.json");

	write_file(base, "{\"pe_rows\": 8, \"device\": \"zcu102\"}\n");
	write_file(space, "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"base\":\"id_base.json\","
		   "\"choices\":{\"pe_cols\":[8,16]}},\"objectives\":[{\"metric\":\"accuracy\"}]}");
	CHECK(search_space_load(space, &sp, &err) == 0);
	CHECK(search_inputs_collect(space, &sp, &in1, &err) == 0);
	CHECK_EQ_I64(in1.n, 5);
	CHECK(!strcmp(in1.in[0].role, "space file") && !strcmp(in1.in[1].role, "hw.base file"));
	CHECK(!strcmp(in1.in[1].path, base));
	CHECK(!strcmp(in1.in[2].role, "accuracy table"));
	CHECK(!strcmp(in1.in[3].role, "cost model version") && atoi(in1.in[3].value) ==
	      COST_MODEL_VERSION);
	CHECK(!strcmp(in1.in[4].role, "mapper") && !strcmp(in1.in[4].value, "glpk"));
	CHECK(store_space_hash(space, h, &err) == 0);
	CHECK(!strcmp(h, in1.id));
	/* the text form round-trips */
	CHECK(search_inputs_to_text(&in1, text, sizeof(text)) == 0);
	CHECK(search_inputs_from_text(text, &was, &err) == 0);
	search_inputs_diff(&was, &in1, diff, sizeof(diff));
	CHECK(!strcmp(diff, ""));

	/* a store of the first inputs, with one evaluation */
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	search_point_from_index(&sp, 3, &pt);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	search_evaluator_free(ev);
	strcpy(a.space_hash, in1.id);
	a.inputs = &in1;
	CHECK(store_open(tmp_path("id.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, &sp, &a, &err) == 0);
	CHECK(store_put(st, &e, 0, &err) == 0);
	store_close(st);

	/* the base config edited: another identity, and the refusal says which file changed */
	write_file(base, "{\"pe_rows\": 16, \"device\": \"zcu102\"}\n");
	CHECK(search_space_load(space, &sp, &err) == 0);
	CHECK(search_inputs_collect(space, &sp, &in2, &err) == 0);
	CHECK(strcmp(in1.id, in2.id) != 0);
	strcpy(b.space_hash, in2.id);
	b.inputs = &in2;
	CHECK(store_open(tmp_path("id.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, &sp, &b, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "hw.base file ");
	CHECK_STR_CONTAINS(err.msg, "id_base.json changed since the store was made");
	CHECK(strstr(err.msg, "space file") == NULL);
	store_close(st);

	/* the model's version and the mapper are named too */
	in3 = in1;
	strcpy(in3.in[3].value, "2");
	strcpy(in3.in[4].value, "greedy");
	search_inputs_diff(&in3, &in1, diff, sizeof(diff));
	CHECK_STR_CONTAINS(diff, "the store's figures are version 2");
	CHECK_STR_CONTAINS(diff, "the mapper is glpk, the store's run used greedy");
	/* an edited space file */
	write_file(space, "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"base\":\"id_base.json\","
		   "\"choices\":{\"pe_cols\":[8,32]}},\"objectives\":[{\"metric\":\"accuracy\"}]}");
	CHECK(search_space_load(space, &sp, &err) == 0);
	CHECK(search_inputs_collect(space, &sp, &in3, &err) == 0);
	search_inputs_diff(&in2, &in3, diff, sizeof(diff));
	CHECK_STR_CONTAINS(diff, "id_space.json changed since the store was made");
	CHECK(strstr(diff, "hw.base") == NULL);
	/* a missing hw.base is an error naming it */
	remove(base);
	CHECK(search_inputs_collect(space, &sp, &in3, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "id_base.json");
}

static void store_should_name_the_file_when_it_is_not_a_store(void)
{
	struct store *st = NULL;
	struct hn_err err = { 0 };
	FILE *f = fopen(tmp_path("text.db"), "w");
	sqlite3 *db;

	fputs("name,value\nthis is a CSV file and not a database at all, sorry\n", f);
	fclose(f);
	CHECK(store_open(tmp_path("text.db"), 0, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "text.db: not a hwnas store (not an SQLite database)");
	CHECK(store_open(tmp_path("text.db"), 1, &st, &err) == HN_EINVAL);
	CHECK(sqlite3_open(tmp_path("foreign.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE evals(x)", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(tmp_path("foreign.db"), 0, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "foreign.db: not a hwnas store (an SQLite database without "
			   "the hwnas tables)");
	CHECK(store_open(tmp_path("absent.db"), 1, &st, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "absent.db: cannot open the store");
}

static void store_should_refuse_a_newer_schema_naming_both_versions(void)
{
	struct store *st = NULL;
	struct hn_err err = { 0 };
	sqlite3 *db;
	char want[128];

	CHECK(store_open(tmp_path("v.db"), 0, &st, &err) == 0);
	store_close(st);
	CHECK(sqlite3_open(tmp_path("v.db"), &db) == SQLITE_OK);
	snprintf(want, sizeof(want), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	CHECK(sqlite3_exec(db, want, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(tmp_path("v.db"), 0, &st, &err) == HN_EINVAL);
	snprintf(want, sizeof(want), "v.db: store schema version %d, this hwnas reads version %d "
		 "(written by a newer hwnas)", STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	CHECK_STR_CONTAINS(err.msg, want);
	CHECK(sqlite3_open(tmp_path("v.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(tmp_path("v.db"), 1, &st, &err) == HN_EINVAL);
	snprintf(want, sizeof(want), "store schema version 0, this hwnas reads version %d",
		 STORE_SCHEMA_VERSION);
	CHECK_STR_CONTAINS(err.msg, want);
}

static void store_should_migrate_a_version_1_store(void)
{
	/* version 1 had no runs.inputs: readers open it as it is, a writer migrates it */
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_stats stats;
	sqlite3 *db;
	int64_t n = 0;

	CHECK(store_open(tmp_path("v1.db"), 0, &st, &err) == 0);
	store_close(st);
	CHECK(sqlite3_open(tmp_path("v1.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "ALTER TABLE runs DROP COLUMN inputs; PRAGMA user_version = 1",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(tmp_path("v1.db"), 1, &st, &err) == 0);
	CHECK(store_stats(st, &stats, &err) == 0);
	CHECK_EQ_I64(stats.schema_version, 1);
	store_close(st);
	CHECK(store_open(tmp_path("v1.db"), 0, &st, &err) == 0);
	CHECK(store_stats(st, &stats, &err) == 0);
	CHECK_EQ_I64(stats.schema_version, STORE_SCHEMA_VERSION);
	store_close(st);
	CHECK(sqlite3_open(tmp_path("v1.db"), &db) == SQLITE_OK);
	sqlite3_stmt *q = NULL;
	CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('runs') WHERE "
				 "name = 'inputs'", -1, &q, NULL) == SQLITE_OK);
	if (q && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	CHECK_EQ_I64(n, 1);
}

static void store_should_say_when_the_file_is_read_only(void)
{
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_stats s;
	int immutable = 0;

	CHECK(store_open(tmp_path("ro.db"), 0, &st, &err) == 0);
	store_close(st);
	CHECK(chmod(tmp_path("ro.db"), 0444) == 0);
	if (geteuid() == 0) {
		/* root writes through permissions: make the file immutable instead */
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "chattr +i %s 2>/dev/null", tmp_path("ro.db"));
		immutable = system(cmd) == 0;
		if (!immutable)
			fprintf(stderr, "note: running as root without chattr: read-only case skipped\n");
	}
	if (geteuid() != 0 || immutable) {
		CHECK(store_open(tmp_path("ro.db"), 0, &st, &err) == HN_EIO);
		CHECK_STR_CONTAINS(err.msg, "ro.db: the store is read-only (no write permission)");
	}
	CHECK(store_open(tmp_path("ro.db"), 1, &st, &err) == 0);
	CHECK(store_stats(st, &s, &err) == 0);
	CHECK_EQ_I64(s.points, 0);
	CHECK_EQ_I64(s.schema_version, STORE_SCHEMA_VERSION);
	store_close(st);
	if (immutable) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "chattr -i %s", tmp_path("ro.db"));
		CHECK(system(cmd) == 0);
	}
}

/* issue 14: a crafted or damaged store is refused with the column named, never used (a bad
 * choices column divided by zero, n_obj 99 overflowed the stack, NaN reordered the front). */
static void store_should_refuse_damaged_rows_naming_the_column(void)
{
	static const struct { const char *sql, *want; } cases[] = {
		{ "UPDATE evals SET choices = '9,9,9,9,9,9,9,9,9,9,9'", "'choices'" },
		{ "UPDATE evals SET choices = ''", "'choices' does not match" },
		{ "UPDATE evals SET choices = '0,,1'", "'choices' is not a list" },
		{ "UPDATE evals SET choices = '1,0,0,0,0,0,0,0,0,0,0,0'", "'choices'" },
		{ "UPDATE evals SET choices = x'30'", "'choices' is not text" },
		{ "UPDATE evals SET obj0 = 'abc'", "'obj0' is not a number" },
		{ "UPDATE evals SET obj1 = NULL WHERE feasible = 1", "'obj1' is not a finite number" },
		{ "UPDATE evals SET feasible = 7", "'feasible' is out of range" },
		{ "UPDATE evals SET seq = -1", "'seq' is out of range" },
		{ "UPDATE evals SET seq = 'x'", "'seq' is not an integer" },
		{ "UPDATE evals SET cycles = 1.5", "'cycles' is not an integer" },
		{ "UPDATE evals SET fidelity = 'model'", NULL }, /* a no-op: still good */
		{ "UPDATE evals SET acc_source = 'oracle'", "'acc_source'" },
		{ "UPDATE evals SET why = x'41004200'", "'why'" },
		{ "UPDATE evals SET latency_ms = x'00'", "'latency_ms' is not a number" },
		{ "UPDATE evals SET mac_packing = 'dsp9'", "'mac_packing' is not a MAC packing" },
		{ "UPDATE evals SET mac_packing = x'647370'", "'mac_packing' is not text" },
	};
	struct search_space *sp = load_space();
	struct search_evaluator *ev = NULL;
	struct store_run_args a = args("random", 10);
	struct hn_err err = { 0 };
	struct search_eval e, back;
	struct store *st = NULL;
	const char *db = tmp_path("damaged.db");
	int64_t feasible_idx = -1;

	CHECK(search_evaluator_new(sp, &ev, &err) == 0);
	for (uint64_t i = 0; feasible_idx < 0 && i < 2000; i += 7) {
		search_point_from_index(sp, i, &e.pt);
		CHECK(search_evaluate(ev, &e.pt, &e, &err) == 0);
		if (e.feasible)
			feasible_idx = (int64_t)i;
	}
	CHECK(feasible_idx >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sqlite3 *h;
		unlink(db);
		CHECK(store_open(db, 0, &st, &err) == 0);
		CHECK(store_begin_run(st, sp, &a, &err) == 0);
		e.seq = 0;
		CHECK(store_put(st, &e, 0, &err) == 0);
		store_close(st);
		CHECK(sqlite3_open(db, &h) == SQLITE_OK);
		CHECK(sqlite3_exec(h, cases[i].sql, NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK(store_open(db, 0, &st, &err) == 0);
		CHECK(store_begin_run(st, sp, &a, &err) == 1);
		if (cases[i].want) {
			CHECK(store_lookup(st, e.index, SEARCH_FID_MODEL, &back, &err) == HN_EINVAL);
			CHECK_STR_CONTAINS(err.msg, "damaged.db: damaged store");
			CHECK_STR_CONTAINS(err.msg, cases[i].want);
		} else {
			CHECK(store_lookup(st, e.index, SEARCH_FID_MODEL, &back, &err) == 1);
			CHECK(same_eval(&e, &back));
		}
		store_close(st);
	}
	/* the runs table: n_obj and the objectives decide array sizes in `db front` */
	static const char *const runs_sql[] = {
		"UPDATE runs SET n_obj = 99", "UPDATE runs SET n_obj = -1", "UPDATE runs SET n_obj = 'x'",
		"UPDATE runs SET objectives = 'accuracy:max:80'",
		"UPDATE runs SET objectives = 'nope:min:1,latency_ms:min:40,energy_mj:min:20'",
	};
	for (size_t i = 0; i < sizeof(runs_sql) / sizeof(runs_sql[0]); i++) {
		sqlite3 *h;
		unlink(db);
		CHECK(store_open(db, 0, &st, &err) == 0);
		CHECK(store_begin_run(st, sp, &a, &err) == 0);
		store_close(st);
		CHECK(sqlite3_open(db, &h) == SQLITE_OK);
		CHECK(sqlite3_exec(h, runs_sql[i], NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK(store_open(db, 1, &st, &err) == 0);
		CHECK(store_runs(st, count_run, NULL, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "damaged store: runs row 1");
		store_close(st);
	}
	search_evaluator_free(ev);
}

/* Packed MACs (issue 20): a space with mac_packing none | dsp2 and 8 or 16 bits. */
static const char packed_space_json[] =
	"{\"name\":\"p\",\"nn\":{\"space\":\"nb201\",\"dataset\":\"cifar10\"},"
	"\"hw\":{\"choices\":{\"pe_rows\":[8,16],\"pe_cols\":[8,16],\"bits\":[8,16],"
	"\"mac_packing\":[\"none\",\"dsp2\"]}},\"device\":\"zcu102\",\"mapper\":\"default\","
	"\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":80},"
	"{\"metric\":\"dsp\",\"ref\":2520}]}";

struct packed_rows {
	const struct search_space *sp;
	int n, bad;
	uint64_t idx[8];
	char packing[8][8], hw[8][64];
};

static int collect_packed(void *ctx, const struct store_row *row, struct hn_err *err)
{
	struct packed_rows *c = ctx;

	(void)err;
	if (c->n == 8)
		return 0;
	c->idx[c->n] = row->e.index;
	strcpy(c->packing[c->n], row->mac_packing);
	strcpy(c->hw[c->n], row->hw);
	c->n++;
	return 0;
}

/* Stores three points of the packed space (a feasible one without packing, a feasible dsp2
 * one, an infeasible dsp2 one at 16 bits) in db; their indices in idx[3]. */
static void put_packed_points(const char *db, const struct search_space *sp, uint64_t idx[3],
			      struct search_eval e[3])
{
	struct search_evaluator *ev = NULL;
	struct store_run_args a = args("random", 10);
	struct store *st = NULL;
	struct hn_err err = { 0 };
	int found = 0;

	CHECK(search_evaluator_new(sp, &ev, &err) == 0);
	CHECK(store_open(db, 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == 0);
	/* a step of 15,625 + 13: the next accelerator and another of the 15,625 cells */
	for (uint64_t i = 0; found != 7 && i < search_space_size(sp); i += 15625 + 13) {
		struct search_eval x;
		struct search_point pt;
		struct hw_config hw;
		int k;
		search_point_from_index(sp, i, &pt);
		CHECK(search_evaluate(ev, &pt, &x, &err) == 0);
		search_space_hw(sp, &pt, &hw);
		k = !x.feasible ? 2 : hw.mac_packing == HW_PACK_DSP2 ? 1 : 0;
		if (found & (1 << k) || (k == 2 && hw.mac_packing != HW_PACK_DSP2))
			continue;
		found |= 1 << k;
		x.seq = k;
		e[k] = x;
		idx[k] = i;
	}
	CHECK_EQ_I64(found, 7);
	for (int k = 0; k < 3; k++)
		CHECK(store_put(st, &e[k], 0, &err) == 0);
	CHECK(store_end_run(st, 3, &err) == 0);
	store_close(st);
	search_evaluator_free(ev);
}

static void store_should_record_each_points_mac_packing(void)
{
	struct search_space sp;
	struct search_eval e[3], back;
	struct packed_rows c;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_run_args a = args("random", 10);
	const char *db = tmp_path("packed.db");
	uint64_t idx[3];
	char sql[128];
	static const char *const want[3] = { "none", "dsp2", "dsp2" };

	CHECK(search_space_parse_json(packed_space_json, strlen(packed_space_json), "p.json", &sp,
				      &err) == 0);
	put_packed_points(db, &sp, idx, e);
	CHECK_STR_CONTAINS(e[2].why, "dsp2 needs act_bits and weight_bits of at most 8");
	/* the column itself */
	for (int k = 0; k < 3; k++) {
		snprintf(sql, sizeof(sql), "SELECT mac_packing = '%s' FROM evals WHERE idx = %llu",
			 want[k], (unsigned long long)idx[k]);
		CHECK_EQ_I64(query_db(db, sql), 1);
	}
	/* read back by a reader (hwnas db, report) */
	memset(&c, 0, sizeof(c));
	CHECK(store_open(db, 1, &st, &err) == 0);
	CHECK(store_each(st, "", collect_packed, &c, &err) == 0);
	store_close(st);
	CHECK_EQ_I64(c.n, 3);
	for (int k = 0; k < 3 && k < c.n; k++) {
		size_t n = strlen(c.hw[k]);
		CHECK_EQ_I64((int64_t)c.idx[k], (int64_t)idx[k]);
		CHECK(!strcmp(c.packing[k], want[k]));
		/* "8x16 ws 8b 64K dsp2"; no suffix without packing */
		CHECK((k > 0) == (n > 5 && !strcmp(c.hw[k] + n - 5, " dsp2")));
	}
	/* and by a resume: every field as written */
	CHECK(store_open(db, 0, &st, &err) == 0);
	CHECK_EQ_I64(store_begin_run(st, &sp, &a, &err), 3);
	for (int k = 0; k < 3; k++) {
		CHECK(store_lookup(st, idx[k], SEARCH_FID_MODEL, &back, &err) == 1);
		CHECK(same_eval(&e[k], &back));
	}
	store_close(st);
}

/* A version 3 store (no mac_packing column): a reader opens it as it is and says the packing
 * is not recorded ("", no hw suffix), a writer migrates it to version 4, keeps its rows (a
 * resume finds them exactly) with the packing unrecorded, and records it for new rows. */
static void store_should_read_and_migrate_a_version_3_store_without_packing(void)
{
	struct search_space sp;
	struct search_eval e[3], back;
	struct search_evaluator *ev = NULL;
	struct packed_rows c;
	struct store_stats stats;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct store_run_args a = args("random", 10);
	const char *db = tmp_path("v3.db");
	uint64_t idx[3], more;
	sqlite3 *h;

	CHECK(search_space_parse_json(packed_space_json, strlen(packed_space_json), "p.json", &sp,
				      &err) == 0);
	put_packed_points(db, &sp, idx, e);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "ALTER TABLE evals DROP COLUMN mac_packing; PRAGMA user_version = 3",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK_EQ_I64(query_db(db, "SELECT count(*) FROM pragma_table_info('evals') WHERE name = "
			      "'mac_packing'"), 0);
	/* a reader: as it is */
	memset(&c, 0, sizeof(c));
	CHECK(store_open(db, 1, &st, &err) == 0);
	CHECK(store_stats(st, &stats, &err) == 0);
	CHECK_EQ_I64(stats.schema_version, 3);
	CHECK(store_each(st, "", collect_packed, &c, &err) == 0);
	store_close(st);
	CHECK_EQ_I64(c.n, 3);
	for (int k = 0; k < c.n; k++) {
		CHECK(!strcmp(c.packing[k], ""));
		CHECK(!strstr(c.hw[k], "dsp2") && !strstr(c.hw[k], "none"));
	}
	CHECK_EQ_I64(query_db(db, "PRAGMA user_version"), 3);
	/* a writer: migrated, the old rows resume exactly, a new row records its packing */
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(store_open(db, 0, &st, &err) == 0);
	CHECK_EQ_I64(query_db(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_EQ_I64(store_begin_run(st, &sp, &a, &err), 3);
	for (int k = 0; k < 3; k++) {
		CHECK(store_lookup(st, idx[k], SEARCH_FID_MODEL, &back, &err) == 1);
		CHECK(same_eval(&e[k], &back));
	}
	more = idx[1] + 1;
	while (more == idx[0] || more == idx[2])
		more++;
	{
		struct search_point pt;
		search_point_from_index(&sp, more, &pt);
		CHECK(search_evaluate(ev, &pt, &back, &err) == 0);
	}
	back.seq = 3;
	if (store_put(st, &back, 0, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		CHECK(0);
	}
	store_close(st);
	search_evaluator_free(ev);
	CHECK_EQ_I64(query_db(db, "SELECT count(*) FROM evals WHERE mac_packing IS NULL"), 3);
	memset(&c, 0, sizeof(c));
	CHECK(store_open(db, 1, &st, &err) == 0);
	CHECK(store_each(st, "", collect_packed, &c, &err) == 0);
	store_close(st);
	CHECK_EQ_I64(c.n, 4);
	if (c.n == 4) {
		struct hw_config hw;
		search_space_hw(&sp, &back.pt, &hw);
		CHECK_EQ_I64((int64_t)c.idx[3], (int64_t)more);
		CHECK(!strcmp(c.packing[3], hw_packing_name(hw.mac_packing)));
		CHECK(!strcmp(c.packing[0], "") && !strcmp(c.packing[1], ""));
	}
}

/* issue 14: a FIFO as the store blocked for ever; '' was called an empty file; a second
 * writer evaluated the same points and was told "already stored". */
static void store_should_refuse_odd_paths_and_a_second_writer(void)
{
	struct search_space *sp = load_space();
	struct store_run_args a = args("random", 10);
	struct store *st = NULL, *st2 = NULL;
	struct hn_err err = { 0 };
	char longp[700];

	CHECK(mkfifo(tmp_path("fifo.db"), 0600) == 0);
	CHECK(store_open(tmp_path("fifo.db"), 0, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "fifo.db: not a regular file (a FIFO)");
	CHECK(store_open(tmp_path("fifo.db"), 1, &st, &err) == HN_EINVAL);
	CHECK(store_open(dir, 1, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "a directory");
	CHECK(store_open("", 0, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the store path is empty");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	CHECK(store_open(longp, 0, &st, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the store path is 699 bytes long");
	CHECK(store_open(tmp_path("two.db"), 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == 0);
	CHECK(store_open(tmp_path("two.db"), 0, &st2, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "two.db: another process holds the store");
	CHECK(store_open(tmp_path("two.db"), 1, &st2, &err) == 0); /* readers are welcome */
	store_close(st2);
	store_close(st);
	CHECK(store_open(tmp_path("two.db"), 0, &st, &err) == 0); /* free again once closed */
	store_close(st);
}

/* A run in a fresh store, then the same run resumed from a store cut after `keep` rows, and
 * on `jobs` threads: the fronts must be the same. */
static void run_with(const char *strategy, int jobs, const char *db, int64_t budget,
		     struct search_run_result *r)
{
	struct search_space *sp = load_space();
	struct search_evaluator *ev = NULL;
	struct store *st = NULL;
	struct search_run_opts o;
	struct hn_err err = { 0 };
	struct store_run_args a = args(strategy, budget);

	CHECK(search_evaluator_new(sp, &ev, &err) == 0);
	memset(&o, 0, sizeof(o));
	o.strategy = strategy;
	o.budget = budget;
	o.seed = 7;
	o.jobs = jobs;
	if (db) {
		CHECK(store_open(db, 0, &st, &err) == 0);
		CHECK(store_begin_run(st, sp, &a, &err) >= 0);
		o.store = st;
	}
	CHECK(search_run(sp, ev, &o, r, &err) == 0);
	store_close(st);
	search_evaluator_free(ev);
}

static int same_front(const struct search_run_result *a, const struct search_run_result *b)
{
	if (a->front.n != b->front.n || a->evaluations != b->evaluations ||
	    a->proposals != b->proposals)
		return 0;
	for (int i = 0; i < a->front.n; i++)
		if (!same_eval(&a->front.p[i], &b->front.p[i]))
			return 0;
	return 1;
}

static void runs_should_end_alike_resumed_or_on_threads_for_every_strategy(void)
{
	for (int i = 0; i < search_strategy_count(); i++) {
		const char *name = search_strategy_at(i)->name;
		/* nested: a budget of networks, 48 accelerators each */
		int64_t budget = search_strategy_at(i)->budget_networks ? 20 : 300;
		struct search_run_result serial, threaded, first, resumed;
		char db[160];
		sqlite3 *h;

		snprintf(db, sizeof(db), "%s/resume-%s.db", dir, name);
		run_with(name, 1, NULL, budget, &serial);
		run_with(name, 3, NULL, budget, &threaded);
		CHECK(same_front(&serial, &threaded));
		run_with(name, 1, db, budget, &first);
		CHECK(same_front(&serial, &first));
		/* cut the store to its first 120 rows, as a kill would, then resume */
		CHECK(sqlite3_open(db, &h) == SQLITE_OK);
		CHECK(sqlite3_exec(h, "DELETE FROM evals WHERE seq >= 120", NULL, NULL, NULL) ==
		      SQLITE_OK);
		sqlite3_close(h);
		run_with(name, 2, db, budget, &resumed);
		CHECK(same_front(&serial, &resumed));
		CHECK_EQ_I64(resumed.from_store, 120);
		if (!same_front(&serial, &threaded) || !same_front(&serial, &resumed))
			fprintf(stderr, "strategy %s differs\n", name);
		search_run_result_release(&serial);
		search_run_result_release(&threaded);
		search_run_result_release(&first);
		search_run_result_release(&resumed);
	}
}

/* Exhaustive runs (issue 19) keep a checkpoint, not a row per point: a run stopped part-way
 * and resumed (on 2 threads), and a finished one run again, end with the front, the best
 * and the counts of a run without a store; the store holds only the front and the best. */
static int stop_at_seq(void *ctx, const struct search_eval *e, const struct search_front *f,
		       struct hn_err *err)
{
	(void)f;
	(void)err;
	if (e->seq == *(const int64_t *)ctx)
		hn_stop_signal = SIGTERM;
	return 0;
}

static int exhaustive_with(const char *db, int jobs, int64_t stop_seq,
			   struct search_run_result *r, struct hn_err *err)
{
	struct search_space *sp = load_space();
	struct search_evaluator *ev = NULL;
	struct store *st = NULL;
	struct search_run_opts o;
	struct store_run_args a = args("exhaustive", (int64_t)search_space_size(sp));
	int ret;

	a.seed = 0;
	CHECK(search_evaluator_new(sp, &ev, err) == 0);
	memset(&o, 0, sizeof(o));
	o.exhaustive = 1;
	o.jobs = jobs;
	if (stop_seq >= 0) {
		o.on_eval = stop_at_seq;
		o.ctx = &stop_seq;
	}
	if (db) {
		CHECK(store_open(db, 0, &st, err) == 0);
		CHECK(store_begin_run(st, sp, &a, err) >= 0);
		o.store = st;
	}
	ret = search_run(sp, ev, &o, r, err);
	hn_stop_signal = 0;
	store_close(st);
	search_evaluator_free(ev);
	return ret;
}

static int same_run(const struct search_run_result *a, const struct search_run_result *b)
{
	return same_front(a, b) && a->networks == b->networks && a->has_best == b->has_best &&
	       same_eval(&a->best, &b->best) && a->hypervolume == b->hypervolume;
}

static void exhaustive_runs_should_resume_from_their_checkpoint(void)
{
	struct search_run_result ref, stopped, resumed, again;
	struct hn_err err = { 0 };
	const char *db = tmp_path("exhaustive.db");
	int64_t total = (int64_t)search_space_size(load_space()), rows;

	CHECK(exhaustive_with(NULL, 1, -1, &ref, &err) == 0);
	CHECK_EQ_I64(ref.evaluations, total);
	/* stopped by a signal at evaluation 100,000: honoured after its batch of 1,024 */
	CHECK(exhaustive_with(db, 1, 100000, &stopped, &err) == HN_EINTR);
	CHECK_EQ_I64(stopped.evaluations, 98 * 1024);
	CHECK_EQ_I64(query_db(db, "SELECT evaluations FROM progress"), 98 * 1024);
	CHECK_EQ_I64(query_db(db, "SELECT next_index FROM progress"), 98 * 1024);
	CHECK(exhaustive_with(db, 2, -1, &resumed, &err) == 0);
	CHECK(same_run(&ref, &resumed));
	CHECK_EQ_I64(resumed.from_store, 98 * 1024);
	/* the store: the front and the best, the counts of every point */
	rows = query_db(db, "SELECT count(*) FROM evals");
	CHECK(rows == ref.front.n || rows == ref.front.n + 1);
	CHECK_EQ_I64(query_db(db, "SELECT evaluations FROM progress"), total);
	CHECK_EQ_I64(query_db(db, "SELECT networks FROM progress"), 15625);
	CHECK_EQ_I64(query_db(db, "SELECT count(*) FROM evals e JOIN progress p ON e.idx = "
			      "p.best_idx"), 1);
	CHECK(exhaustive_with(db, 1, -1, &again, &err) == 0);
	CHECK(same_run(&ref, &again));
	CHECK_EQ_I64(again.from_store, total);
	search_run_result_release(&ref);
	search_run_result_release(&stopped);
	search_run_result_release(&resumed);
	search_run_result_release(&again);
}

/* A store of version 2 holding an exhaustive run as one row per point is read as it is and
 * migrated, but not resumed (its rows are not a checkpoint): the message says why and what
 * to do. */
static void exhaustive_run_of_an_older_store_should_be_refused_naming_why(void)
{
	struct search_space *sp = load_space();
	struct store_run_args a = args("exhaustive", (int64_t)search_space_size(sp));
	struct search_run_result r;
	struct store *st = NULL;
	struct hn_err err = { 0 };
	struct search_eval e;
	sqlite3 *h;
	const char *db = tmp_path("v2-exhaustive.db");

	a.seed = 0;
	CHECK(store_open(db, 0, &st, &err) == 0);
	CHECK(store_begin_run(st, sp, &a, &err) == 0);
	memset(&e, 0, sizeof(e));
	for (int i = 0; i < 3; i++) {
		search_point_from_index(sp, (uint64_t)i, &e.pt);
		e.index = (uint64_t)i;
		e.seq = i;
		strcpy(e.why, "");
		CHECK(store_put(st, &e, 0.0, &err) == 0);
	}
	store_close(st);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "DROP TABLE progress; PRAGMA user_version = 2", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(h);
	CHECK(store_open(db, 1, &st, &err) == 0); /* a reader opens it as it is */
	store_close(st);
	memset(&err, 0, sizeof(err));
	CHECK(exhaustive_with(db, 1, -1, &r, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "v2-exhaustive.db: holds this exhaustive run as 3 rows, one "
			   "per point (an older hwnas, store schema version 2)");
	CHECK_STR_CONTAINS(err.msg, "--force to start over");
	CHECK_EQ_I64(query_db(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	search_run_result_release(&r);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/hwnas_test_store.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(store_should_round_trip_every_field_of_an_evaluation);
	RUN(store_should_refuse_a_run_with_other_arguments);
	RUN(run_identity_should_cover_every_input_and_name_what_changed);
	RUN(store_should_name_the_file_when_it_is_not_a_store);
	RUN(store_should_refuse_a_newer_schema_naming_both_versions);
	RUN(store_should_migrate_a_version_1_store);
	RUN(store_should_say_when_the_file_is_read_only);
	RUN(store_should_refuse_damaged_rows_naming_the_column);
	RUN(store_should_record_each_points_mac_packing);
	RUN(store_should_read_and_migrate_a_version_3_store_without_packing);
	RUN(store_should_refuse_odd_paths_and_a_second_writer);
	RUN(runs_should_end_alike_resumed_or_on_threads_for_every_strategy);
	RUN(exhaustive_runs_should_resume_from_their_checkpoint);
	RUN(exhaustive_run_of_an_older_store_should_be_refused_naming_why);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "note: could not remove %s\n", dir);
	return TEST_SUMMARY();
}
