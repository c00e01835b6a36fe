/* test_search.c: search spaces, the evaluator and its caches, Pareto fronts, hypervolume,
 * strategies, formulations, constraints, space-file errors and accuracy sources. */
#include "test.h"
#include "../search/search.h"

#include <math.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static const char default_space[] =
	"{\"name\":\"t\",\"nn\":{\"space\":\"nb201\",\"dataset\":\"cifar10\"},"
	"\"hw\":{\"choices\":{\"pe_rows\":[8,16],\"pe_cols\":[8,16],\"buffer_kib\":[32,128],"
	"\"dataflow\":[\"ws\",\"os\",\"is\"],\"bits\":[8,16]}},\"device\":\"zcu102\","
	"\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":80},"
	"{\"metric\":\"latency_ms\",\"ref\":40},{\"metric\":\"energy_mj\",\"ref\":20}]%s}";

static int load_space(const char *extra, struct search_space *sp, struct hn_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), default_space, extra);
	return search_space_parse_json(text, strlen(text), "space.json", sp, err);
}

static int64_t readme_macs(const int ops[6])
{
	int64_t n3 = 0, n1 = 0;

	for (int e = 0; e < 6; e++) {
		n3 += ops[e] == ARCH_NB201_CONV3X3;
		n1 += ops[e] == ARCH_NB201_CONV1X1;
	}
	return 7783040LL + 15 * (2359296LL * n3 + 262144LL * n1);
}

static void nb201_macs_should_match_the_readme_formula(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	int cells[][6] = { { 0, 0, 0, 0, 0, 0 }, { 3, 3, 3, 3, 3, 3 }, { 2, 2, 2, 2, 2, 2 },
			   { 3, 3, 3, 1, 3, 2 }, { 4, 1, 0, 2, 3, 4 }, { 1, 1, 1, 1, 1, 1 } };

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		CHECK(arch_nb201_build(cells[i], ARCH_NB201_CIFAR10, 1, &net, &err) == 0);
		CHECK_EQ_I64(arch_net_macs(&net), readme_macs(cells[i]));
		arch_net_release(&net);
	}
	CHECK_EQ_I64(readme_macs(cells[0]), 7783040);
	CHECK_EQ_I64(readme_macs(cells[1]), 220119680);
}

static void nb201_cell_strings_should_round_trip_and_bad_ones_be_named(void)
{
	struct hn_err err = { 0 };
	int ops[6], back[6];
	char buf[160];

	for (int code = 0; code < ARCH_NB201_CELLS; code += 97) {
		arch_nb201_decode(code, ops);
		arch_nb201_format(ops, buf, sizeof(buf));
		CHECK(arch_nb201_parse(buf, back, &err) == 0);
		CHECK_EQ_I64(arch_nb201_code(back), code);
	}
	CHECK(arch_nb201_parse("|nor_conv_3x3~0|+|conv~0|none~1|+|none~0|none~1|none~2|", ops,
			       &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "unknown op");
	CHECK(arch_nb201_parse("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", ops, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "must read from node 0");
}

static void nb201_table_should_give_the_best_cifar10_cell_94_37(void)
{
	static struct arch_nb201_table t;
	struct hn_err err = { 0 };
	char path[512];
	int ops[6], best = 0;

	CHECK(arch_data_path("nb201_accuracy.csv", path, sizeof(path), &err) == 0);
	CHECK(arch_nb201_table_load(path, &t, &err) == 0);
	for (int i = 1; i < ARCH_NB201_CELLS; i++)
		if (t.acc[0][i] > t.acc[0][best])
			best = i;
	CHECK_NEAR(t.acc[0][best], 94.37, 1e-4);
	CHECK(arch_nb201_parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
			       "nor_conv_3x3~1|nor_conv_1x1~2|", ops, &err) == 0);
	CHECK_EQ_I64(arch_nb201_code(ops), best);
	/* row 0 of the CSV */
	CHECK(arch_nb201_parse("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|"
			       "skip_connect~1|skip_connect~2|", ops, &err) == 0);
	CHECK_NEAR(t.acc[1][arch_nb201_code(ops)], 52.9133, 1e-6);
	CHECK(arch_nb201_table_load("/nonexistent/nb.csv", &t, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "/nonexistent/nb.csv");
}

static void cached_evaluation_should_equal_the_plain_one(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_rng rng;
	struct search_problem p = { 0 };

	CHECK(load_space("", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	p.n_dims = sp.n_dims;
	for (int d = 0; d < sp.n_dims; d++)
		p.n_choices[d] = sp.dims[d].n;
	search_rng_seed(&rng, 7);
	/* bit for bit: the uncached path sums layer by layer in network order, as hwnas eval
	 * does, and a front point must reproduce with eval exactly (summing the energy per
	 * distinct shape, x its count, differed in the last bit on some points) */
	for (int i = 0; i < 300; i++) {
		struct search_point pt;
		struct search_eval a, b;
		search_rng_point(&rng, &p, &pt);
		CHECK(search_evaluate(ev, &pt, &a, &err) == 0);
		CHECK(search_evaluate_uncached(ev, &pt, &b, &err) == 0);
		CHECK_EQ_I64(a.feasible, b.feasible);
		CHECK_EQ_I64(a.cycles, b.cycles);
		for (int m = 0; m < SEARCH_M_COUNT; m++)
			CHECK(!memcmp(&a.m[m], &b.m[m], sizeof(double)) ||
			      (isnan(a.m[m]) && isnan(b.m[m])));
		CHECK_EQ_I64(a.acc_source, SEARCH_ACC_TABLE);
	}
	int64_t shapes, costs, lookups;
	search_evaluator_stats(ev, &shapes, &costs, &lookups);
	CHECK(shapes < 60 && costs < lookups);
	search_evaluator_free(ev);
}

static void pareto_front_should_match_brute_force(void)
{
	struct search_rng rng;
	struct search_front f;
	static struct search_eval e[300];

	search_rng_seed(&rng, 3);
	search_front_init(&f, 3);
	for (int i = 0; i < 300; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].feasible = 1;
		e[i].index = (uint64_t)i;
		for (int k = 0; k < 3; k++) /* coarse grid: ties and duplicates happen */
			e[i].obj[k] = search_rng_below(&rng, 12) / 12.0;
		CHECK(search_front_add(&f, &e[i]) >= 0);
	}
	int want = 0;
	for (int i = 0; i < 300; i++) {
		int dominated = 0, dup_before = 0;
		for (int j = 0; j < 300; j++) {
			dominated |= search_dominates(e[j].obj, e[i].obj, 3);
			if (j < i && !memcmp(e[j].obj, e[i].obj, sizeof(double) * 3))
				dup_before = 1;
		}
		if (!dominated && !dup_before) {
			int found = 0;
			want++;
			for (int k = 0; k < f.n; k++)
				found |= !memcmp(f.p[k].obj, e[i].obj, sizeof(double) * 3);
			CHECK(found);
		}
	}
	CHECK_EQ_I64(f.n, want);
	search_front_release(&f);
}

static void hypervolume_should_match_hand_computed_cases(void)
{
	double a[] = { 0.5, 0.5 };
	double b[] = { 0.2, 0.6, 0.6, 0.2 };
	double c[] = { 0.5, 0.5, 0.5 };
	double d[] = { 0.5, 0.5, 0.0, 0.0, 0.0, 0.5 };
	double e4[] = { 0.5, 0.5, 0.5, 0.5 };
	double out[] = { 0.5, 1.5, 0.2, 0.2 }; /* the second is beyond the reference point */

	CHECK_NEAR(search_hypervolume(a, 1, 2), 0.25, 1e-12);
	CHECK_NEAR(search_hypervolume(b, 2, 2), 0.48, 1e-12);
	CHECK_NEAR(search_hypervolume(c, 1, 3), 0.125, 1e-12);
	CHECK_NEAR(search_hypervolume(d, 2, 3), 0.625, 1e-12);
	CHECK_NEAR(search_hypervolume(e4, 1, 4), 0.0625, 1e-12);
	CHECK_NEAR(search_hypervolume(out, 2, 2), 0.8 * 0.8, 1e-12);
	CHECK_NEAR(search_hypervolume(a, 0, 2), 0.0, 1e-12);
}

/* Toy problem: 8 genes of 8 choices; score = -sum (c - 5)^2 (weighted formulation). */
static void toy_eval(const struct search_point *pt, struct search_eval *e)
{
	memset(e, 0, sizeof(*e));
	e->pt = *pt;
	e->feasible = 1;
	for (int d = 0; d < 8; d++)
		e->score -= (pt->c[d] - 5.0) * (pt->c[d] - 5.0);
}

static double toy_run(const struct search_ops *ops, uint64_t seed, int budget)
{
	struct search_problem p = { 0 };
	void *st;
	double best = -INFINITY;

	p.n_dims = 8;
	for (int d = 0; d < 8; d++)
		p.n_choices[d] = 8;
	p.n_obj = 1;
	p.form = SEARCH_WEIGHTED;
	p.budget = budget;
	p.seed = seed;
	if (ops->init(&st, &p, NULL) < 0)
		return NAN;
	for (int i = 0; i < budget; i++) {
		struct search_point pt;
		struct search_eval e;
		if (!ops->propose(st, &pt))
			break;
		toy_eval(&pt, &e);
		best = fmax(best, e.score);
		ops->report(st, &e);
	}
	ops->release(st);
	return best;
}

static void strategies_should_be_deterministic_and_beat_random_on_a_toy_problem(void)
{
	double rnd = 0;

	for (uint64_t s = 1; s <= 10; s++)
		rnd += toy_run(&search_random_ops, s, 1000);
	for (int i = 0; i < search_strategy_count(); i++) {
		const struct search_ops *ops = search_strategy_at(i);
		double sum = 0;
		CHECK(toy_run(ops, 5, 400) == toy_run(ops, 5, 400));
		if (ops == &search_random_ops || ops->budget_networks || ops == &search_twostage_ops)
			continue; /* nested, two-stage: they need networks (the toy has none) */
		for (uint64_t s = 1; s <= 10; s++)
			sum += toy_run(ops, s, 1000);
		if (!(sum > rnd))
			fprintf(stderr, "strategy %s: %g vs random %g\n", ops->name, sum, rnd);
		CHECK(sum > rnd);
	}
}

static void search_run_should_be_deterministic_per_seed(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };

	CHECK(load_space("", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	for (int i = 0; i < search_strategy_count(); i++) {
		struct search_run_opts o = { 0 };
		struct search_run_result r1, r2;
		o.strategy = search_strategy_at(i)->name;
		o.budget = 300;
		o.seed = 11;
		CHECK(search_run(&sp, ev, &o, &r1, &err) == 0);
		CHECK(search_run(&sp, ev, &o, &r2, &err) == 0);
		if (search_strategy_at(i)->budget_networks)
			CHECK_EQ_I64(r1.networks, 300); /* x 48 accelerators each */
		else
			CHECK_EQ_I64(r1.evaluations, 300);
		CHECK_EQ_I64(r1.front.n, r2.front.n);
		for (int k = 0; k < r1.front.n && k < r2.front.n; k++)
			CHECK_EQ_I64(r1.front.p[k].index, r2.front.p[k].index);
		CHECK(r1.hypervolume == r2.hypervolume && r1.hypervolume > 0);
		search_run_result_release(&r1);
		search_run_result_release(&r2);
	}
	search_evaluator_free(ev);
}

/* nested (issue 21 part 4): the budget counts networks, each network gets every accelerator
 * of a small HW part, so the front equals the brute-force front of the networks it saw. */
struct nets_seen {
	const struct search_space *sp;
	uint64_t id[64];
	int count[64], n;
};

static int note_net(void *ctx, const struct search_eval *e, const struct search_front *f,
		    struct hn_err *err)
{
	struct nets_seen *t = ctx;
	uint64_t id = search_point_nn_id(t->sp, &e->pt);
	int i = 0;

	(void)f;
	(void)err;
	while (i < t->n && t->id[i] != id)
		i++;
	if (i == t->n) {
		if (t->n == 64)
			return HN_EINVAL;
		t->id[t->n] = id;
		t->count[t->n++] = 0;
	}
	t->count[i]++;
	return 0;
}

/* The front of every accelerator of the networks in t, by brute force. */
static void brute_front(const struct search_space *sp, struct search_evaluator *ev,
			const struct nets_seen *t, struct search_front *f)
{
	uint64_t nn = search_space_nn_size(sp), hw = search_space_hw_size(sp);
	struct hn_err err = { 0 };

	search_front_init(f, sp->n_obj);
	for (int i = 0; i < t->n; i++)
		for (uint64_t h = 0; h < hw; h++) {
			struct search_point pt;
			struct search_eval e;
			search_point_from_index(sp, t->id[i] + nn * h, &pt);
			CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
			CHECK(search_front_add(f, &e) >= 0);
		}
	search_front_sort(f);
}

static void nested_should_count_networks_and_find_their_exact_fronts(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_run_opts o = { 0 };
	struct search_run_result r;
	struct search_front f;
	struct nets_seen t = { 0 };

	CHECK(load_space("", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK_EQ_I64(search_space_hw_size(&sp), 48);
	t.sp = &sp;
	o.strategy = "nested";
	o.budget = 40;
	o.seed = 3;
	o.on_eval = note_net;
	o.ctx = &t;
	CHECK(search_run(&sp, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.networks, 40);
	CHECK_EQ_I64(t.n, 40);
	CHECK_EQ_I64(r.evaluations, 40 * 48);
	for (int i = 0; i < t.n; i++)
		CHECK_EQ_I64(t.count[i], 48);
	brute_front(&sp, ev, &t, &f);
	CHECK_EQ_I64(r.front.n, f.n);
	for (int i = 0; i < f.n && i < r.front.n; i++)
		CHECK_EQ_I64(r.front.p[i].index, f.p[i].index);
	CHECK(r.hypervolume == search_front_hypervolume(&f));
	search_front_release(&f);
	search_run_result_release(&r);

	/* a point strategy counts the networks of its evaluations too */
	struct nets_seen u = { 0 };
	u.sp = &sp;
	o.strategy = "random";
	o.budget = 30;
	o.ctx = &u;
	CHECK(search_run(&sp, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.evaluations, 30);
	CHECK_EQ_I64(r.networks, u.n);
	search_run_result_release(&r);
	search_evaluator_free(ev);

	/* every network of a 4-network space: the exhaustive front, and the run stops there */
	const char *mb = "{\"nn\":{\"space\":\"mbv2\",\"width\":[0.75,1.0],\"resolution\":[160,224]},"
			 "\"hw\":{\"choices\":{\"pe_rows\":[8,16],\"dataflow\":[\"ws\",\"os\"],"
			 "\"bits\":[8,16]}},\"device\":\"zcu102\",\"objectives\":["
			 "{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":50},"
			 "{\"metric\":\"latency_ms\",\"ref\":100}]}";
	struct search_run_result ex;
	CHECK(search_space_parse_json(mb, strlen(mb), "mb.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK_EQ_I64(search_space_nn_size(&sp), 4);
	memset(&o, 0, sizeof(o));
	o.exhaustive = 1;
	CHECK(search_run(&sp, ev, &o, &ex, &err) == 0);
	o.exhaustive = 0;
	o.strategy = "nested";
	o.budget = 10;
	o.seed = 1;
	CHECK(search_run(&sp, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.networks, 4);
	CHECK_EQ_I64(r.evaluations, 32);
	CHECK_EQ_I64(r.front.n, ex.front.n);
	CHECK(ex.front.n >= 2);
	for (int i = 0; i < ex.front.n && i < r.front.n; i++)
		CHECK_EQ_I64(r.front.p[i].index, ex.front.p[i].index);
	CHECK(r.hypervolume == ex.hypervolume);
	search_run_result_release(&r);
	search_run_result_release(&ex);
	search_evaluator_free(ev);
}

/* More than 4,096 accelerators: a nested search of 512 per network; measured against each
 * network's exact accelerator front (brute force over its 4,608 accelerators). */
static void nested_search_should_approach_each_networks_front_on_a_large_hw_part(void)
{
	const char *big = ",\"hw\":{\"choices\":{\"pe_rows\":[4,8,12,16,20,24,28,32],"
			  "\"pe_cols\":[4,8,12,16,20,24,28,32],\"buffer_kib\":[16,32,64,128],"
			  "\"dataflow\":[\"ws\",\"os\",\"is\"],\"bits\":[8,16],"
			  "\"freq_mhz\":[100,150,200]}}";
	char text[4096];
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_run_opts o = { 0 };
	struct search_run_result r;
	struct nets_seen t = { 0 };

	snprintf(text, sizeof(text),
		 "{\"name\":\"t\",\"nn\":{\"space\":\"mbv2\",\"resolution\":[32],"
		 "\"width\":[0.35,0.5],\"stages\":[1],\"kernel\":[3]}%s,"
		 "\"device\":\"zcu102\",\"mapper\":\"greedy\",\"objectives\":[{\"metric\":"
		 "\"accuracy\",\"goal\":\"max\",\"ref\":0},{\"metric\":\"latency_ms\",\"ref\":50},"
		 "{\"metric\":\"dsp\",\"ref\":2520}]}",
		 big);
	CHECK(search_space_parse_json(text, strlen(text), "big.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK_EQ_I64(search_space_hw_size(&sp), 4608);
	t.sp = &sp;
	o.strategy = "nested";
	o.budget = 2;
	o.seed = 5;
	o.on_eval = note_net;
	o.ctx = &t;
	CHECK(search_run(&sp, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.networks, 2);
	CHECK_EQ_I64(t.n, 2);
	CHECK(r.evaluations <= 2 * 512 && r.evaluations >= 2 * 400);
	for (int i = 0; i < t.n; i++) {
		struct nets_seen one = { 0 };
		struct search_front f, g;
		one.sp = &sp;
		one.n = 1;
		one.id[0] = t.id[i];
		brute_front(&sp, ev, &one, &f);
		/* the run's points of this network */
		search_front_init(&g, sp.n_obj);
		for (int k = 0; k < r.front.n; k++)
			if (search_point_nn_id(&sp, &r.front.p[k].pt) == t.id[i])
				CHECK(search_front_add(&g, &r.front.p[k]) >= 0);
		double exact = search_front_hypervolume(&f), got = search_front_hypervolume(&g);
		fprintf(stderr, "  network %llu: exact front %d, hypervolume %.4f; nested %d, %.4f\n",
			(unsigned long long)t.id[i], f.n, exact, g.n, got);
		CHECK(got <= exact);
		CHECK(got >= 0.98 * exact);
		search_front_release(&f);
		search_front_release(&g);
	}
	search_run_result_release(&r);
	search_evaluator_free(ev);
}

/* two-stage (issue 21 part 2): stage 1 scores networks on one accelerator, stage 2 gives the
 * (accuracy, MACs) front of stage 1 an equal share of accelerators each. Checked against
 * the run's own evaluations, recomputed by brute force. */
struct evals_log {
	struct search_eval e[400];
	int n;
};

static int log_eval(void *ctx, const struct search_eval *e, const struct search_front *f,
		    struct hn_err *err)
{
	struct evals_log *l = ctx;

	(void)f;
	(void)err;
	if (l->n < 400)
		l->e[l->n++] = *e;
	return 0;
}

static void two_stage_should_give_the_stage_one_front_its_accelerators(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_run_opts o = { 0 };
	struct search_run_result r;
	static struct evals_log l;

	CHECK(load_space("", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	o.strategy = "two-stage";
	o.budget = 200;
	o.seed = 2;
	o.on_eval = log_eval;
	o.ctx = &l;
	CHECK(search_run(&sp, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.evaluations, 200);
	CHECK_EQ_I64(l.n, 200);
	/* stage 1: 100 distinct networks on one accelerator */
	uint64_t hw0 = search_point_hw_id(&sp, &l.e[0].pt);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ_I64(search_point_hw_id(&sp, &l.e[i].pt), hw0);
		for (int j = 0; j < i; j++)
			CHECK(search_point_nn_id(&sp, &l.e[j].pt) != search_point_nn_id(&sp, &l.e[i].pt));
	}
	/* the stage-1 front in (accuracy before the penalty, MACs), by brute force: dominated by
	 * none, and of networks with the same two values the earliest */
	int front[100], nf = 0;
	for (int i = 0; i < 100; i++) {
		int dom = 0;
		for (int j = 0; j < 100 && !dom; j++) {
			double aj = l.e[j].acc_raw, ai = l.e[i].acc_raw;
			double mj = l.e[j].m[SEARCH_M_MACS], mi = l.e[i].m[SEARCH_M_MACS];
			dom = (aj >= ai && mj <= mi && (aj > ai || mj < mi)) ||
			      (j < i && aj == ai && mj == mi);
		}
		if (!dom)
			front[nf++] = i;
	}
	CHECK(nf >= 2);
	/* stage 2: only front networks, at most 100 / 16 = 6 of them, consecutive equal shares */
	int n2 = 0, runs = 0;
	uint64_t prev = UINT64_MAX;
	for (int i = 100; i < 200; i++) {
		uint64_t id = search_point_nn_id(&sp, &l.e[i].pt);
		int in = 0;
		for (int k = 0; k < nf; k++)
			in |= search_point_nn_id(&sp, &l.e[front[k]].pt) == id;
		CHECK(in);
		runs += id != prev;
		prev = id;
		n2++;
	}
	CHECK_EQ_I64(n2, 100);
	CHECK_EQ_I64(runs, nf < 6 ? nf : 6);
	CHECK(r.hypervolume > 0);
	search_run_result_release(&r);
	search_evaluator_free(ev);
}

static void weighted_and_mnas_scores_should_follow_their_formulas(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_point pt = { { 3, 3, 1, 2, 0, 4, 1, 1, 0, 2, 1 } };
	struct search_eval e;

	CHECK(load_space(",\"formulation\":{\"type\":\"weighted\",\"weights\":{\"accuracy\":2,"
			 "\"latency_ms\":1}}", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	double g0 = (e.m[SEARCH_M_ACCURACY] - 80.0) / 20.0, g1 = 1.0 - e.m[SEARCH_M_LATENCY_MS] / 40.0;
	CHECK_NEAR(e.score, 2 * g0 + g1, 1e-9);
	search_evaluator_free(ev);

	CHECK(load_space(",\"formulation\":{\"type\":\"mnas\",\"target_ms\":1.5,\"w\":-0.07}",
			 &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK_NEAR(e.score, e.m[SEARCH_M_ACCURACY] * pow(e.m[SEARCH_M_LATENCY_MS] / 1.5, -0.07), 1e-9);
	search_evaluator_free(ev);
}

static void constraints_should_make_points_infeasible_with_a_reason(void)
{
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	struct search_point pt = { { 3, 3, 3, 3, 3, 3 } };
	struct search_eval e;

	CHECK(load_space(",\"constraints\":[{\"metric\":\"latency_ms\",\"max\":0.001}]", &sp,
			 &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK(!e.feasible && e.violation > 0);
	CHECK_STR_CONTAINS(e.why, "constraint latency_ms <= 0.001");
	struct search_front f;
	search_front_init(&f, sp.n_obj);
	CHECK(search_front_add(&f, &e) == 0 && f.n == 0);
	search_evaluator_free(ev);
	/* a design that does not fit the device */
	const char *big = "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"choices\":{\"pe_rows\":[256],"
			  "\"pe_cols\":[256]}},\"device\":\"pynq_z1\",\"objectives\":[{\"metric\":"
			  "\"accuracy\"}]}";
	CHECK(search_space_parse_json(big, strlen(big), "big.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK(!e.feasible);
	CHECK_STR_CONTAINS(e.why, "does not fit");
	search_evaluator_free(ev);
}

/* mac_packing as a search dimension (issue 20): on the Ultra96 (360 DSP) a 16 x 16 int8 array
 * (256 PEs and, since issue 17, 16 columns of output stage and vector unit at 8 DSPs each)
 * fits only with two MACs per DSP (a 16 x 32 did before the output stage); packing leaves the latency unchanged and halves
 * the array's DSPs; a packing illegal beside the widths or the dataflow is an infeasible
 * point that says why; the device still decides what fits. */
static void the_search_should_find_packed_arrays_larger_than_the_dsp_count(void)
{
	const char *text =
		"{\"nn\":{\"space\":\"zoo\",\"network\":\"resnet18\",\"accuracy\":69.8},"
		"\"hw\":{\"base\":{\"device\":\"ultra96\",\"dram_gbps\":8.5},"
		"\"choices\":{\"pe_rows\":[16],\"pe_cols\":[8,16],\"dataflow\":[\"ws\",\"os\"],"
		"\"mac_packing\":[\"none\",\"dsp2\",\"dsp4\",\"lut\"]}},\"device\":\"ultra96\","
		"\"mapper\":\"greedy\",\"objectives\":[{\"metric\":\"latency_ms\",\"ref\":1000},"
		"{\"metric\":\"dsp\",\"ref\":1000}]}";
	struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	double lat[2][2][HW_PACK_COUNT] = { { { 0 } } };
	int64_t dsp[2][2][HW_PACK_COUNT] = { { { 0 } } };
	int feas[2][2][HW_PACK_COUNT] = { { { 0 } } };

	CHECK(search_space_parse_json(text, strlen(text), "pk.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK_EQ_I64(search_space_hw_size(&sp), 16);
	for (uint64_t i = 0; i < search_space_size(&sp); i++) {
		struct search_point pt;
		struct search_eval e;
		struct hw_config hw;
		search_point_from_index(&sp, i, &pt);
		search_space_hw(&sp, &pt, &hw);
		CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
		int c = hw.pe_cols == 16, d = hw.dataflow == HW_OS, k = (int)hw.mac_packing;
		feas[c][d][k] = e.feasible;
		lat[c][d][k] = e.m[SEARCH_M_LATENCY_MS];
		dsp[c][d][k] = (int64_t)e.m[SEARCH_M_DSP];
		if (k == HW_PACK_LUT || (k == HW_PACK_DSP4))
			CHECK_STR_CONTAINS(e.why, "'mac_packing'"); /* int8: lut, dsp4 are illegal */
	}
	for (int d = 0; d < 2; d++) {
		CHECK(feas[0][d][HW_PACK_NONE] && feas[0][d][HW_PACK_DSP2]);
		CHECK(!feas[1][d][HW_PACK_NONE] && feas[1][d][HW_PACK_DSP2]);
		/* PE DSPs, the DMA's 3, and 8 a column for the output stage and the vector
		 * unit (docs/resources.md): 16x16 unpacked needs 387 > ultra96's 360 */
		CHECK_EQ_I64(dsp[0][d][HW_PACK_NONE], 128 + 3 + 8 * 8);
		CHECK_EQ_I64(dsp[0][d][HW_PACK_DSP2], 64 + 3 + 8 * 8);
		CHECK_EQ_I64(dsp[1][d][HW_PACK_DSP2], 128 + 3 + 16 * 8);
		CHECK(lat[0][d][HW_PACK_NONE] == lat[0][d][HW_PACK_DSP2]);
		CHECK(lat[1][d][HW_PACK_DSP2] < lat[0][d][HW_PACK_DSP2]);
	}
	search_evaluator_free(ev);
}

static void space_errors_should_name_the_file_and_the_field(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "{\"nn\":{\"space\":\"nb201\"}", "line 1: not valid JSON" },
		{ "{\"hw\":{}}", "'nn' is required" },
		{ "{\"nn\":{\"space\":\"nb999\"},\"hw\":{}}", "'nn.space' must be" },
		{ "{\"nn\":{\"space\":\"nb201\",\"dataset\":\"mnist\"},\"hw\":{}}", "'nn.dataset'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"choices\":{\"pe_rows\":[8,0]}},"
		  "\"objectives\":[{\"metric\":\"accuracy\"}]}", "'hw.choices.pe_rows[1]'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"choices\":{\"pe_rowz\":[8]}},"
		  "\"objectives\":[{\"metric\":\"accuracy\"}]}", "'hw.choices.pe_rowz'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"choices\":{\"dataflow\":[\"xx\"]}},"
		  "\"objectives\":[{\"metric\":\"accuracy\"}]}", "'hw.choices.dataflow[0]'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"choices\":{\"mac_packing\":[\"none\","
		  "\"dsp3\"]}},\"objectives\":[{\"metric\":\"accuracy\"}]}",
		  "'hw.choices.mac_packing[1]' must be \"none\", \"dsp2\", \"dsp4\" or \"lut\"" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"speed\"}]}",
		  "'objectives[0].metric'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"latency_ms\"}]}",
		  "'objectives[0].ref' is required" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"accuracy\","
		  "\"goal\":\"min\"}]}", "'objectives[0].goal'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"accuracy\"}],"
		  "\"formulation\":{\"type\":\"mnas\"}}", "'formulation.target_ms'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"accuracy\"}],"
		  "\"constraints\":[{\"metric\":\"latency_ms\"}]}", "'constraints[0]' needs" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"device\":\"zcu999\",\"objectives\":"
		  "[{\"metric\":\"accuracy\"}]}", "'device'" },
		{ "{\"nn\":{\"space\":\"zoo\",\"network\":\"resnet18\"},\"hw\":{\"choices\":{\"bits\":"
		  "[8]}},\"objectives\":[{\"metric\":\"accuracy\"}]}", "needs 'nn.accuracy'" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":\"accuracy\"}],"
		  "\"typo\":1}", "'space.typo' is not a known field" },
		{ "{\"nn\":{\"space\":\"nb201\"},\"hw\":{\"base\":{\"pe_rows\":0}},\"objectives\":"
		  "[{\"metric\":\"accuracy\"}]}", "'pe_rows'" },
	};
	struct search_space sp;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hn_err err = { 0 };
		CHECK(search_space_parse_json(cases[i].text, strlen(cases[i].text), "bad.json", &sp,
					      &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "bad.json");
		CHECK_STR_CONTAINS(err.msg, cases[i].want);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void stop_on_alarm(int sig)
{
	(void)sig;
	hn_stop_signal = SIGTERM;
}

static void accuracy_command_should_be_used_and_its_failures_named(void)
{
	struct hn_err err = { 0 };
	double acc = 0;

	CHECK(arch_acc_command("tests/data/search/acc_ok.sh", "{\"resolution\":224}", 10, &acc,
			       &err) == 0);
	CHECK_NEAR(acc, 64, 1e-12);
	CHECK(arch_acc_command("tests/data/search/acc_fail.sh", "{}", 10, &acc, &err) ==
	      HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "'tests/data/search/acc_fail.sh' exited with status 3");
	CHECK_STR_CONTAINS(err.msg, "model checkpoint not found");
	CHECK(arch_acc_command("tests/data/search/acc_garbage.sh", "{}", 10, &acc, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "not a number");
	CHECK(arch_acc_command("sleep 5", "{}", 0.2, &acc, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "timed out");

	/* issue 14: only one finite percentage is data; everything else is an error */
	static const struct { const char *cmd, *want; } badout[] = {
		{ "echo", "printed nothing" },
		{ "echo 'no model' >&2", "printed nothing, want a percentage; its stderr: no model" },
		{ "head -c 5000 /dev/zero | tr '\\0' ' '; echo 50", "more than 4095 bytes" },
		{ "echo 1e308", "not a percentage in 0..100" },
		{ "echo 150", "printed 150, not a percentage" },
		{ "echo -5", "printed -5, not a percentage" },
		{ "echo nan", "not a number" },
		{ "echo inf", "not a number" },
		{ "echo 0x20", "not a number" },
		{ "echo 50 60", "more than one value" },
		{ "printf '50\\n60\\n'", "more than one value" },
		{ "echo 50%", "more than one value (then '%')" },
		{ "printf '5\\0000'", "NUL byte" },
	};
	for (size_t i = 0; i < sizeof(badout) / sizeof(badout[0]); i++) {
		acc = -1;
		CHECK(arch_acc_command(badout[i].cmd, "{}", 10, &acc, &err) == HN_EEXTERNAL);
		CHECK_STR_CONTAINS(err.msg, badout[i].want);
		CHECK(acc == -1);
	}
	CHECK(arch_acc_command("printf '  72.5 \\r\\n\\n'", "{}", 10, &acc, &err) == 0);
	CHECK_NEAR(acc, 72.5, 0);
	CHECK(arch_acc_command("echo 0; echo 100 >&2", "{}", 10, &acc, &err) == 0);
	CHECK_NEAR(acc, 0, 0);
	/* prints, closes its output, then sleeps: the deadline still holds, for its children too */
	{
		double t0 = now_s();
		CHECK(arch_acc_command("echo 50; exec >&- 2>&-; sleep 30 & sleep 30", "{}", 0.3, &acc,
				       &err) == HN_EEXTERNAL);
		CHECK_STR_CONTAINS(err.msg, "closed its output but did not exit");
		CHECK(now_s() - t0 < 5);
	}
	/* a stop signal ends the wait at once (HN_EINTR), the command's group killed */
	{
		struct sigaction sa, old;
		struct itimerval it = { { 0, 0 }, { 0, 300 * 1000 } };
		double t0 = now_s();
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = stop_on_alarm;
		sigaction(SIGALRM, &sa, &old);
		setitimer(ITIMER_REAL, &it, NULL);
		CHECK(arch_acc_command("echo 50; exec >&- 2>&-; sleep 30", "{}", 60, &acc, &err) ==
		      HN_EINTR);
		CHECK_STR_CONTAINS(err.msg, "stopped by SIGTERM");
		CHECK(now_s() - t0 < 5);
		hn_stop_signal = 0;
		/* and while its output is still open */
		setitimer(ITIMER_REAL, &it, NULL);
		CHECK(arch_acc_command("sleep 30", "{}", 60, &acc, &err) == HN_EINTR);
		CHECK(now_s() - t0 < 10);
		hn_stop_signal = 0;
		sigaction(SIGALRM, &old, NULL);
	}

	/* in a MobileNet space: the command's number, less the quantisation penalty */
	const char *text = "{\"nn\":{\"space\":\"mbv2\",\"resolution\":[160,224],\"kernel\":[3,5],"
			   "\"accuracy_command\":\"tests/data/search/acc_ok.sh\"},\"hw\":{\"choices\":"
			   "{\"bits\":[8,16]}},\"objectives\":[{\"metric\":\"accuracy\"}]}";
	struct search_space sp;
	struct search_evaluator *ev;
	struct search_point pt = { { 0 } };
	struct search_eval e;
	CHECK(search_space_parse_json(text, strlen(text), "mb.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	pt.c[sp.n_nn_dims - 1] = 1; /* resolution 224 */
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK_EQ_I64(e.acc_source, SEARCH_ACC_COMMAND);
	CHECK_NEAR(e.m[SEARCH_M_ACCURACY], 64 - 0.5, 1e-9); /* 8 bits: 0.5 points */
	search_evaluator_free(ev);
	const char *bad = "{\"nn\":{\"space\":\"mbv2\",\"accuracy_command\":"
			  "\"tests/data/search/acc_fail.sh\"},\"hw\":{\"choices\":{\"bits\":[8]}},"
			  "\"objectives\":[{\"metric\":\"accuracy\"}]}";
	CHECK(search_space_parse_json(bad, strlen(bad), "mb.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "acc_fail.sh");
	search_evaluator_free(ev);
}

static void mobilenet_space_should_build_mbv2_and_label_the_proxy(void)
{
	struct hn_err err = { 0 };
	struct arch_mb_config c = arch_mb_default();
	struct arch_net net;

	CHECK(arch_mb_build(&c, 1, &net, &err) == 0);
	/* torchvision mobilenet_v2: 300.8 M MACs (convs and classifier) */
	CHECK_NEAR((double)arch_net_macs(&net), 300.8e6, 0.02);
	CHECK_NEAR(arch_acc_proxy_mb(arch_net_macs(&net)), 72.0, 0.02);
	arch_net_release(&net);
	const char *text = "{\"nn\":{\"space\":\"mbv2\",\"width\":[0.75,1.0]},\"hw\":{\"choices\":"
			   "{\"bits\":[16]}},\"objectives\":[{\"metric\":\"accuracy\"}]}";
	struct search_space sp;
	struct search_evaluator *ev;
	struct search_point pt = { { 0 } };
	struct search_eval e;
	CHECK(search_space_parse_json(text, strlen(text), "mb.json", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK_EQ_I64(e.acc_source, SEARCH_ACC_PROXY);
	CHECK_STR_CONTAINS(search_acc_source_name(e.acc_source), "proxy");
	search_evaluator_free(ev);
}

static void quantisation_penalty_should_interpolate_its_table(void)
{
	struct arch_quant_penalty q = arch_quant_penalty_default();

	CHECK_NEAR(arch_quant_penalty_at(&q, 16, 16), 0.0, 1e-12);
	CHECK_NEAR(arch_quant_penalty_at(&q, 8, 16), 0.5, 1e-12);
	CHECK_NEAR(arch_quant_penalty_at(&q, 4, 8), 4.0, 1e-12);
	CHECK_NEAR(arch_quant_penalty_at(&q, 6, 6), 2.25, 1e-12);
}

int main(void)
{
	RUN(nb201_macs_should_match_the_readme_formula);
	RUN(nb201_cell_strings_should_round_trip_and_bad_ones_be_named);
	RUN(nb201_table_should_give_the_best_cifar10_cell_94_37);
	RUN(cached_evaluation_should_equal_the_plain_one);
	RUN(pareto_front_should_match_brute_force);
	RUN(hypervolume_should_match_hand_computed_cases);
	RUN(strategies_should_be_deterministic_and_beat_random_on_a_toy_problem);
	RUN(search_run_should_be_deterministic_per_seed);
	RUN(nested_should_count_networks_and_find_their_exact_fronts);
	RUN(nested_search_should_approach_each_networks_front_on_a_large_hw_part);
	RUN(two_stage_should_give_the_stage_one_front_its_accelerators);
	RUN(weighted_and_mnas_scores_should_follow_their_formulas);
	RUN(constraints_should_make_points_infeasible_with_a_reason);
	RUN(space_errors_should_name_the_file_and_the_field);
	RUN(the_search_should_find_packed_arrays_larger_than_the_dsp_count);
	RUN(accuracy_command_should_be_used_and_its_failures_named);
	RUN(mobilenet_space_should_build_mbv2_and_label_the_proxy);
	RUN(quantisation_penalty_should_interpolate_its_table);
	return TEST_SUMMARY();
}
