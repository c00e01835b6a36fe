/* test_targets.c: spaces with several hardware targets (docs/search.md "Multiple targets"):
 * the space file and its errors, per-target metrics against single-target evaluations,
 * aggregates, per-target constraints, the exhaustive front against a brute force built from
 * the single-target spaces, other strategies against that exact front, the store, and the
 * transfer report against a hand enumeration. */
#include "test.h"
#include "../search/search.h"
#include "../search/store.h"

#include <unistd.h>

/* A small MobileNet space (36 networks, greedy mapper) on two targets: "a" (a PYNQ-Z1 with 4
 * configs) and "b" (a ZCU102 with 4: bits 8 or 16, so its accuracy penalty differs). */
static const char two_targets[] =
	"{\"name\":\"tt\",\"nn\":{\"space\":\"mbv2\",\"kernel\":[3,5,7],\"expansion\":[3,6],"
	"\"stages\":[1,2],\"width\":[0.5],\"resolution\":[96],\"classes\":10},"
	"\"mapper\":\"greedy\",\"targets\":["
	"{\"name\":\"a\",\"device\":\"pynq_z1\",\"hw\":{\"base\":{\"pe_rows\":8,\"pe_cols\":8,"
	"\"dram_gbps\":2.1,\"freq_mhz\":100,\"ibuf_bytes\":32768,\"wbuf_bytes\":32768,"
	"\"obuf_bytes\":32768},\"choices\":{\"pe_rows\":[4,8],\"dataflow\":[\"ws\",\"os\"]}}},"
	"{\"name\":\"b\",\"device\":\"zcu102\",\"hw\":{\"base\":{\"pe_rows\":16,\"pe_cols\":16,"
	"\"dram_gbps\":19.2,\"freq_mhz\":200},\"choices\":{\"pe_cols\":[8,16],\"bits\":[8,16]}}}],"
	"\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":0},"
	"{\"metric\":\"latency_ms@a\",\"ref\":1000},{\"metric\":\"latency_ms@b\",\"ref\":100},"
	"{\"metric\":\"energy_mj@mean\",\"ref\":1000}]%s}";

/* The same network space on one of the two targets alone. */
static const char one_target[] =
	"{\"name\":\"t1\",\"nn\":{\"space\":\"mbv2\",\"kernel\":[3,5,7],\"expansion\":[3,6],"
	"\"stages\":[1,2],\"width\":[0.5],\"resolution\":[96],\"classes\":10},"
	"\"mapper\":\"greedy\",\"device\":\"%s\",\"hw\":%s,"
	"\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":0},"
	"{\"metric\":\"latency_ms\",\"ref\":1000}]}";
static const char hw_a[] = "{\"base\":{\"pe_rows\":8,\"pe_cols\":8,\"dram_gbps\":2.1,"
	"\"freq_mhz\":100,\"ibuf_bytes\":32768,\"wbuf_bytes\":32768,\"obuf_bytes\":32768},"
	"\"choices\":{\"pe_rows\":[4,8],\"dataflow\":[\"ws\",\"os\"]}}";
static const char hw_b[] = "{\"base\":{\"pe_rows\":16,\"pe_cols\":16,\"dram_gbps\":19.2,"
	"\"freq_mhz\":200},\"choices\":{\"pe_cols\":[8,16],\"bits\":[8,16]}}";

static int load_two(const char *extra, struct search_space *sp, struct hn_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), two_targets, extra);
	return search_space_parse_json(text, strlen(text), "tt.json", sp, err);
}

static int load_one(int t, struct search_space *sp, struct hn_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), one_target, t ? "zcu102" : "pynq_z1", t ? hw_b : hw_a);
	return search_space_parse_json(text, strlen(text), "t1.json", sp, err);
}

/* The point of the one-target space t for a point of the two-target space: the NN knobs, then
 * target t's knobs (two each, in the order the file gives them). */
static void one_point(const struct search_space *two, const struct search_space *one, int t,
		      const struct search_point *pt, struct search_point *out)
{
	int k = one->n_nn_dims;

	memset(out, 0, sizeof(*out));
	for (int d = 0; d < two->n_nn_dims; d++)
		out->c[d] = pt->c[d];
	for (int d = two->n_nn_dims; d < two->n_dims; d++)
		if (two->dims[d].stage == t)
			out->c[k++] = pt->c[d];
}

static void target_spaces_should_parse_with_per_target_knobs(void)
{
	static struct search_space sp;
	struct hn_err err = { 0 };
	struct hw_config hw;
	struct search_point pt = { { 0 } };

	CHECK(load_two("", &sp, &err) == 0);
	CHECK_EQ_I64(sp.n_targets, 2);
	CHECK(!strcmp(sp.targets[0].name, "a") && !strcmp(sp.targets[1].name, "b"));
	CHECK(!strcmp(sp.targets[1].hw_base.device, "zcu102"));
	CHECK_EQ_I64(search_space_nn_size(&sp), 36);
	CHECK_EQ_I64(search_space_hw_size(&sp), 16);        /* 4 x 4: a point has both configs */
	CHECK(!strcmp(sp.dims[sp.n_nn_dims].name, "a.pe_rows"));
	CHECK(!strcmp(sp.dims[sp.n_dims - 1].name, "b.bits"));
	CHECK_EQ_I64(sp.obj[1].at, 1);
	CHECK_EQ_I64(sp.obj[2].at, 2);
	CHECK_EQ_I64(sp.obj[3].at, SEARCH_AT_MEAN);
	/* last choice of every dim: a gets pe_rows 8, os; b gets pe_cols 16, 16 bits */
	for (int d = 0; d < sp.n_dims; d++)
		pt.c[d] = (uint8_t)(sp.dims[d].n - 1);
	search_space_target_hw(&sp, 0, &pt, &hw);
	CHECK(hw.pe_rows == 8 && hw.pe_cols == 8 && hw.dataflow == HW_OS && hw.act_bits == 8);
	CHECK(!strcmp(hw.device, "pynq_z1"));
	search_space_target_hw(&sp, 1, &pt, &hw);
	CHECK(hw.pe_rows == 16 && hw.pe_cols == 16 && hw.act_bits == 16 && hw.weight_bits == 16);
	CHECK(!strcmp(hw.device, "zcu102"));
	char label[64];
	search_metric_label(&sp, SEARCH_M_LATENCY_MS, 2, label, sizeof(label));
	CHECK(!strcmp(label, "latency_ms@b"));
	/* a fixed config beside a searched one: the space is the searched target's grid */
	{
		static struct search_space mix;
		const char *text = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"fixed\","
				   "\"device\":\"zcu102\",\"hw\":{\"base\":{\"pe_rows\":32}}},"
				   "{\"name\":\"grid\",\"device\":\"pynq_z1\",\"hw\":{\"choices\":"
				   "{\"pe_rows\":[4,8,12],\"dataflow\":[\"ws\",\"is\"]}}}],"
				   "\"objectives\":[{\"metric\":\"accuracy\"},{\"metric\":"
				   "\"latency_ms@fixed\",\"ref\":50}]}";
		struct search_point q = { { 0 } };
		CHECK(search_space_parse_json(text, strlen(text), "mix.json", &mix, &err) == 0);
		CHECK_EQ_I64(search_space_hw_size(&mix), 6);
		q.c[mix.n_nn_dims] = 2;
		q.c[mix.n_nn_dims + 1] = 1;
		search_space_target_hw(&mix, 0, &q, &hw);
		CHECK(hw.pe_rows == 32 && !strcmp(hw.device, "zcu102"));
		search_space_target_hw(&mix, 1, &q, &hw);
		CHECK(hw.pe_rows == 12 && hw.dataflow == HW_IS && !strcmp(hw.device, "pynq_z1"));
	}
	/* @worst is max for a minimised metric and min for accuracy */
	CHECK(load_two(",\"constraints\":[{\"metric\":\"latency_ms@worst\",\"max\":50},"
		       "{\"metric\":\"accuracy@worst\",\"min\":1}]", &sp, &err) == 0);
	CHECK_EQ_I64(sp.con[0].at, SEARCH_AT_MAX);
	CHECK_EQ_I64(sp.con[1].at, SEARCH_AT_MIN);
	/* weights name the objectives by their labels; the score reads the target's value */
	CHECK(load_two(",\"formulation\":{\"type\":\"weighted\",\"weights\":"
		       "{\"latency_ms@b\":2,\"energy_mj@mean\":1}}", &sp, &err) == 0);
	CHECK(sp.weights[2] == 2 && sp.weights[3] == 1 && sp.weights[1] == 0);
	{
		struct search_evaluator *ev;
		struct search_eval e;
		CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
		CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
		CHECK(e.feasible);
		CHECK_NEAR(e.score, 2 * (1 - e.tm[1][SEARCH_M_LATENCY_MS] / 100) +
			   (1 - (e.tm[0][SEARCH_M_ENERGY_MJ] + e.tm[1][SEARCH_M_ENERGY_MJ]) / 2 / 1000),
			   1e-12);
		search_evaluator_free(ev);
	}
	CHECK(load_two(",\"formulation\":{\"type\":\"weighted\",\"weights\":"
		       "{\"latency_ms@a\":1}}", &sp, &err) == 0);
	CHECK(load_two(",\"formulation\":{\"type\":\"weighted\",\"weights\":"
		       "{\"latency_ms@zz\":1}}", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tt.json: 'formulation.weights.latency_ms@zz' is not one of the "
			   "objectives");
}

static void bad_target_spaces_should_be_refused_naming_the_file_and_field(void)
{
	static struct search_space sp;
	struct hn_err err = { 0 };
	char text[4096];

	/* an objective naming a target the space does not have */
	snprintf(text, sizeof(text), two_targets, "");
	char *at = strstr(text, "latency_ms@b");
	memcpy(at, "latency_ms@c", 12);
	CHECK(search_space_parse_json(text, strlen(text), "tt.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tt.json: 'objectives[2].metric': unknown target \"c\" in "
			   "\"latency_ms@c\" (targets: a, b, max, min, mean, worst)");
	/* a constraint too */
	CHECK(load_two(",\"constraints\":[{\"metric\":\"dsp@zz\",\"max\":9}]", &sp, &err) ==
	      HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tt.json: 'constraints[0].metric': unknown target \"zz\"");
	/* two targets of one name */
	snprintf(text, sizeof(text), two_targets, "");
	at = strstr(text, "\"name\":\"b\"");
	memcpy(at, "\"name\":\"a\"", 10);
	CHECK(search_space_parse_json(text, strlen(text), "tt.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tt.json: 'targets[1].name': target \"a\" is already "
			   "targets[0]");
	/* a reserved name, a bad character, one target only */
	snprintf(text, sizeof(text), two_targets, "");
	at = strstr(text, "\"name\":\"b\"");
	CHECK(at != NULL);
	{
		char t2[4200];
		snprintf(t2, sizeof(t2), "%.*s\"name\":\"max\"%s", (int)(at - text), text, at + 10);
		CHECK(search_space_parse_json(t2, strlen(t2), "tt.json", &sp, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "'targets[1].name': \"max\" is reserved");
		snprintf(t2, sizeof(t2), "%.*s\"name\":\"b c\"%s", (int)(at - text), text, at + 10);
		CHECK(search_space_parse_json(t2, strlen(t2), "tt.json", &sp, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "'targets[1].name' must be 1 to 23 letters");
	}
	const char *one = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"a\",\"hw\":{}}],"
			  "\"objectives\":[{\"metric\":\"accuracy\"}]}";
	CHECK(search_space_parse_json(one, strlen(one), "one.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "one.json: 'targets' must be a list of 2 to 4 targets");
	/* hw beside targets; a target without hw; a device not in the catalogue */
	CHECK(load_two(",\"hw\":{}", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tt.json: 'hw' and 'device' go into each of 'targets'");
	const char *nohw = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"a\",\"hw\":{}},"
			   "{\"name\":\"b\"}],\"objectives\":[{\"metric\":\"accuracy\"}]}";
	CHECK(search_space_parse_json(nohw, strlen(nohw), "x.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "x.json: 'targets[1].hw' is required");
	const char *baddev = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"a\",\"hw\":{}},"
			     "{\"name\":\"b\",\"device\":\"zz9\",\"hw\":{\"choices\":{\"pe_rows\":"
			     "[8]}}}],\"objectives\":[{\"metric\":\"accuracy\"}]}";
	CHECK(search_space_parse_json(baddev, strlen(baddev), "x.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "x.json: 'targets[1].device': unknown device \"zz9\"");
	const char *badknob = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"a\",\"hw\":{}},"
			      "{\"name\":\"b\",\"hw\":{\"choices\":{\"pe_rows\":[0]}}}],"
			      "\"objectives\":[{\"metric\":\"accuracy\"}]}";
	CHECK(search_space_parse_json(badknob, strlen(badknob), "x.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "x.json: 'targets[1].hw.choices.pe_rows[0]'");
	/* a target named in a space without targets; a duplicate objective */
	const char *plain = "{\"nn\":{\"space\":\"nb201\"},\"hw\":{},\"objectives\":[{\"metric\":"
			    "\"latency_ms@zcu102\",\"ref\":9}]}";
	CHECK(search_space_parse_json(plain, strlen(plain), "p.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "p.json: 'objectives[0].metric': \"latency_ms@zcu102\" names a "
			   "target, but the space has no 'targets'");
	snprintf(text, sizeof(text), two_targets, "");
	at = strstr(text, "energy_mj@mean");
	memcpy(at, "latency_ms@b  ", 14);
	CHECK(search_space_parse_json(text, strlen(text), "tt.json", &sp, &err) == HN_EINVAL);
}

/* Each target's metrics are the network's on that target's config alone (a one-target space
 * evaluates them independently); the plain metrics are the worst case, the aggregates are
 * max, min and mean of them, and the objectives read the right ones. */
static void per_target_metrics_should_equal_single_target_evaluations(void)
{
	static struct search_space two, one[2];
	struct search_evaluator *ev, *ev1[2];
	struct hn_err err = { 0 };
	int checked = 0;

	CHECK(load_two("", &two, &err) == 0);
	CHECK(load_one(0, &one[0], &err) == 0 && load_one(1, &one[1], &err) == 0);
	CHECK(search_evaluator_new(&two, &ev, &err) == 0);
	CHECK(search_evaluator_new(&one[0], &ev1[0], &err) == 0);
	CHECK(search_evaluator_new(&one[1], &ev1[1], &err) == 0);
	for (uint64_t i = 0; i < search_space_size(&two); i += 37) {
		struct search_point pt, p1;
		struct search_eval e, eu, s[2];
		search_point_from_index(&two, i, &pt);
		CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
		CHECK(search_evaluate_uncached(ev, &pt, &eu, &err) == 0);
		for (int t = 0; t < 2; t++) {
			one_point(&two, &one[t], t, &pt, &p1);
			CHECK(search_evaluate(ev1[t], &p1, &s[t], &err) == 0);
			for (int m = 0; m < SEARCH_M_COUNT; m++) {
				CHECK(e.tm[t][m] == s[t].m[m]);
				CHECK(eu.tm[t][m] == e.tm[t][m]);
			}
		}
		CHECK_EQ_I64(e.feasible, s[0].feasible && s[1].feasible);
		CHECK_EQ_I64(eu.feasible, e.feasible);
		if (!e.feasible)
			continue;
		checked++;
		double la = s[0].m[SEARCH_M_LATENCY_MS], lb = s[1].m[SEARCH_M_LATENCY_MS];
		double ea = s[0].m[SEARCH_M_ENERGY_MJ], eb = s[1].m[SEARCH_M_ENERGY_MJ];
		CHECK(e.m[SEARCH_M_LATENCY_MS] == fmax(la, lb));
		CHECK(e.m[SEARCH_M_ACCURACY] == fmin(s[0].m[SEARCH_M_ACCURACY],
						     s[1].m[SEARCH_M_ACCURACY]));
		CHECK(search_eval_metric(&two, &e, SEARCH_M_LATENCY_MS, SEARCH_AT_MAX) == fmax(la, lb));
		CHECK(search_eval_metric(&two, &e, SEARCH_M_LATENCY_MS, SEARCH_AT_MIN) == fmin(la, lb));
		CHECK(search_eval_metric(&two, &e, SEARCH_M_ENERGY_MJ, SEARCH_AT_MEAN) ==
		      (ea + eb) / 2);
		CHECK(e.obj[0] == (e.m[SEARCH_M_ACCURACY] - 100.0) / (0.0 - 100.0));
		CHECK(e.obj[1] == la / 1000.0);
		CHECK(e.obj[2] == lb / 100.0);
		CHECK(e.obj[3] == (ea + eb) / 2 / 1000.0);
	}
	CHECK(checked > 10);
	/* hand values: a = 3 ms, b = 5 ms */
	struct search_eval h;
	memset(&h, 0, sizeof(h));
	h.tm[0][SEARCH_M_LATENCY_MS] = 3.0;
	h.tm[1][SEARCH_M_LATENCY_MS] = 5.0;
	h.tm[0][SEARCH_M_ACCURACY] = 71.5;
	h.tm[1][SEARCH_M_ACCURACY] = 70.0;
	h.m[SEARCH_M_LATENCY_MS] = 5.0;
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, SEARCH_AT_MAX) == 5.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, SEARCH_AT_MIN) == 3.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, SEARCH_AT_MEAN) == 4.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, 1) == 3.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, 2) == 5.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_ACCURACY, SEARCH_AT_MIN) == 70.0);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_ACCURACY, SEARCH_AT_MEAN) == 70.75);
	CHECK(search_eval_metric(&two, &h, SEARCH_M_LATENCY_MS, SEARCH_AT_PLAIN) == 5.0);
	search_evaluator_free(ev);
	search_evaluator_free(ev1[0]);
	search_evaluator_free(ev1[1]);
}

/* A constraint on one target binds there only; a plain one binds on every target; the reason
 * names the target. */
static void per_target_constraints_should_be_honoured(void)
{
	static struct search_space sp, one;
	struct search_evaluator *ev, *ev1;
	struct hn_err err = { 0 };
	int64_t cut = 0, kept = 0;

	/* target a takes 15 to 50 ms: a bound of 20 cuts some configs of every kind */
	CHECK(load_one(0, &one, &err) == 0);
	CHECK(search_evaluator_new(&one, &ev1, &err) == 0);
	CHECK(load_two(",\"constraints\":[{\"metric\":\"latency_ms@a\",\"max\":20}]", &sp, &err) ==
	      0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	for (uint64_t i = 0; i < search_space_size(&sp); i++) {
		struct search_point pt, p1;
		struct search_eval e, s;
		search_point_from_index(&sp, i, &pt);
		CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
		one_point(&sp, &one, 0, &pt, &p1);
		CHECK(search_evaluate(ev1, &p1, &s, &err) == 0);
		if (s.feasible && s.m[SEARCH_M_LATENCY_MS] > 20) {
			CHECK(!e.feasible);
			CHECK_STR_CONTAINS(e.why, "constraint latency_ms@a <= 20: got");
			cut++;
		} else if (e.feasible) {
			CHECK(e.tm[0][SEARCH_M_LATENCY_MS] <= 20);
			kept++;
		}
	}
	CHECK(cut > 0 && kept > 0);
	search_evaluator_free(ev);
	/* plain: on every target, so b's faster configs do not rescue a */
	CHECK(load_two(",\"constraints\":[{\"metric\":\"latency_ms\",\"max\":20}]", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	for (uint64_t i = 0; i < search_space_size(&sp); i++) {
		struct search_point pt;
		struct search_eval e;
		search_point_from_index(&sp, i, &pt);
		CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
		if (e.feasible)
			CHECK(e.tm[0][SEARCH_M_LATENCY_MS] <= 20 && e.tm[1][SEARCH_M_LATENCY_MS] <= 20);
		else if (e.tm[0][SEARCH_M_LATENCY_MS] <= 20 && e.tm[1][SEARCH_M_LATENCY_MS] > 20)
			CHECK_STR_CONTAINS(e.why, "constraint latency_ms@b <= 20");
	}
	/* a target that does not fit its device: named */
	struct search_point pt = { { 0 } };
	struct search_eval e;
	static struct search_space big;
	const char *text = "{\"nn\":{\"space\":\"nb201\"},\"targets\":[{\"name\":\"small\","
			   "\"device\":\"pynq_z1\",\"hw\":{\"base\":{\"pe_rows\":32,\"pe_cols\":32}}},"
			   "{\"name\":\"big\",\"device\":\"zcu102\",\"hw\":{\"base\":{\"pe_rows\":32,"
			   "\"pe_cols\":32}}}],\"objectives\":[{\"metric\":\"accuracy\"}]}";
	struct search_evaluator *ev2;
	CHECK(search_space_parse_json(text, strlen(text), "big.json", &big, &err) == 0);
	CHECK(search_evaluator_new(&big, &ev2, &err) == 0);
	CHECK(search_evaluate(ev2, &pt, &e, &err) == 0);
	CHECK(!e.feasible);
	CHECK_STR_CONTAINS(e.why, "small: does not fit pynq_z1");
	search_evaluator_free(ev2);
	search_evaluator_free(ev);
	search_evaluator_free(ev1);
}

struct vec {
	double o[SEARCH_MAX_OBJ];
};

static int in_set(const struct vec *v, int n, const double *o, int d)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(v[i].o, o, (size_t)d * sizeof(double)))
			return 1;
	return 0;
}

/* The exact front by brute force: every (network, config a, config b) built from the two
 * one-target spaces' evaluations (accuracy the worst of the two, latency on each, mean
 * energy), normalised as the space says, then an O(n^2) dominance check. The exhaustive
 * run's front must hold the same objective vectors; every other strategy's front point must
 * be on it or dominated by it, and none may dominate it. */
static void exhaustive_front_should_equal_a_brute_force_over_the_targets(void)
{
	static struct search_space two, one[2];
	struct search_evaluator *ev, *ev1[2];
	struct hn_err err = { 0 };
	uint64_t n_nn, n_c[2];
	struct vec *all, *exact;
	int n_all = 0, n_exact = 0, d = 4;

	CHECK(load_two("", &two, &err) == 0);
	CHECK(load_one(0, &one[0], &err) == 0 && load_one(1, &one[1], &err) == 0);
	CHECK(search_evaluator_new(&two, &ev, &err) == 0);
	CHECK(search_evaluator_new(&one[0], &ev1[0], &err) == 0);
	CHECK(search_evaluator_new(&one[1], &ev1[1], &err) == 0);
	n_nn = search_space_nn_size(&two);
	n_c[0] = search_space_hw_size(&one[0]);
	n_c[1] = search_space_hw_size(&one[1]);
	all = calloc(n_nn * n_c[0] * n_c[1], sizeof(*all));
	exact = calloc(n_nn * n_c[0] * n_c[1], sizeof(*exact));
	for (uint64_t nn = 0; nn < n_nn; nn++)
		for (uint64_t ca = 0; ca < n_c[0]; ca++)
			for (uint64_t cb = 0; cb < n_c[1]; cb++) {
				struct search_point pa, pb;
				struct search_eval sa, sb;
				search_point_from_index(&one[0], nn + n_nn * ca, &pa);
				search_point_from_index(&one[1], nn + n_nn * cb, &pb);
				CHECK(search_evaluate(ev1[0], &pa, &sa, &err) == 0);
				CHECK(search_evaluate(ev1[1], &pb, &sb, &err) == 0);
				if (!sa.feasible || !sb.feasible)
					continue;
				double acc = fmin(sa.m[SEARCH_M_ACCURACY], sb.m[SEARCH_M_ACCURACY]);
				struct vec v = { { (acc - 100.0) / (0.0 - 100.0),
						   sa.m[SEARCH_M_LATENCY_MS] / 1000.0,
						   sb.m[SEARCH_M_LATENCY_MS] / 100.0,
						   (sa.m[SEARCH_M_ENERGY_MJ] + sb.m[SEARCH_M_ENERGY_MJ]) /
							   2 / 1000.0 } };
				all[n_all++] = v;
			}
	for (int i = 0; i < n_all; i++) {
		int dom = 0;
		for (int j = 0; j < n_all && !dom; j++)
			dom = search_dominates(all[j].o, all[i].o, d);
		if (!dom && !in_set(exact, n_exact, all[i].o, d))
			exact[n_exact++] = all[i];
	}
	CHECK(n_all > 100);
	CHECK(n_exact > 3);

	struct search_run_opts o = { 0 };
	struct search_run_result r;
	o.exhaustive = 1;
	CHECK(search_run(&two, ev, &o, &r, &err) == 0);
	CHECK_EQ_I64(r.evaluations, (int64_t)search_space_size(&two));
	CHECK_EQ_I64(r.front.n, n_exact);
	for (int i = 0; i < r.front.n; i++)
		CHECK(in_set(exact, n_exact, r.front.p[i].obj, d));
	double hv_exact = r.hypervolume;
	search_run_result_release(&r);
	printf("  exact front: %d points of %d feasible, hypervolume %.4f\n", n_exact, n_all,
	       hv_exact);

	for (int s = 0; s < search_strategy_count(); s++) {
		o.exhaustive = 0;
		o.strategy = search_strategy_at(s)->name;
		o.budget = search_strategy_at(s)->budget_networks ? 12 : 200;
		o.seed = 5;
		CHECK(search_run(&two, ev, &o, &r, &err) == 0);
		int on = 0;
		for (int i = 0; i < r.front.n; i++) {
			const double *p = r.front.p[i].obj;
			int dominated = 0;
			on += in_set(exact, n_exact, p, d);
			for (int j = 0; j < n_exact && !dominated; j++)
				dominated = search_dominates(exact[j].o, p, d);
			CHECK(in_set(exact, n_exact, p, d) || dominated);
			for (int j = 0; j < n_exact; j++)
				CHECK(!search_dominates(p, exact[j].o, d));
		}
		CHECK(r.hypervolume <= hv_exact + 1e-12);
		CHECK(r.front.n > 0);
		printf("  %-10s front %2d, %2d on the exact front, hypervolume %.4f\n", o.strategy,
		       r.front.n, on, r.hypervolume);
		search_run_result_release(&r);
	}
	free(all);
	free(exact);
	search_evaluator_free(ev);
	search_evaluator_free(ev1[0]);
	search_evaluator_free(ev1[1]);
}

/* The store keeps each target's metrics: a point read back equals the one written, field
 * for field, and a point without them is damage. */
static void store_should_round_trip_per_target_metrics(void)
{
	static struct search_space sp;
	struct search_evaluator *ev;
	struct hn_err err = { 0 };
	char dir[] = "/tmp/hwnas_targets_XXXXXX", path[256];
	struct store *st;
	struct store_run_args a = { 0 };
	struct search_point pt;
	struct search_eval e, back;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	CHECK(load_two("", &sp, &err) == 0);
	CHECK(search_evaluator_new(&sp, &ev, &err) == 0);
	CHECK(store_open(path, 0, &st, &err) == 0);
	snprintf(a.space_hash, sizeof(a.space_hash), "0123456789abcdef");
	a.space_file = "tt.json";
	a.strategy = "random";
	a.seed = 1;
	a.budget = 10;
	CHECK(store_begin_run(st, &sp, &a, &err) == 0);
	search_point_from_index(&sp, 77, &pt);
	CHECK(search_evaluate(ev, &pt, &e, &err) == 0);
	CHECK(e.tm[1][SEARCH_M_LATENCY_MS] > 0);
	CHECK(store_put(st, &e, 0.001, &err) == 0);
	memset(&back, 0, sizeof(back));
	CHECK(store_lookup(st, e.index, e.fidelity, &back, &err) == 1);
	CHECK(!memcmp(back.tm, e.tm, sizeof(e.tm)));
	CHECK(!memcmp(back.m, e.m, sizeof(e.m)));
	CHECK(!memcmp(back.obj, e.obj, sizeof(e.obj)));
	store_close(st);
	/* a target row lost */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"DELETE FROM target_metrics WHERE target = 1\" "
		 "2>/dev/null", path);
	if (system(cmd) == 0) {
		CHECK(store_open(path, 0, &st, &err) == 0);
		CHECK(store_begin_run(st, &sp, &a, &err) == 1);
		CHECK(store_lookup(st, e.index, e.fidelity, &back, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "damaged store: point 77 has metrics for 1 of its 2 "
				   "targets");
		store_close(st);
	} else {
		printf("  (sqlite3 command not found: the damaged-row case is skipped)\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	search_evaluator_free(ev);
}

/* The transfer report against a hand enumeration with the one-target spaces: A's front
 * networks, each one's best latency on B, B's best at that accuracy. */
static void transfer_report_should_match_a_hand_enumeration(void)
{
	static struct search_space two, one[2];
	struct search_evaluator *ev, *ev1[2];
	struct hn_err err = { 0 };
	struct search_transfer tr;
	uint64_t n_nn;

	CHECK(load_two("", &two, &err) == 0);
	CHECK(load_one(0, &one[0], &err) == 0 && load_one(1, &one[1], &err) == 0);
	CHECK(search_evaluator_new(&two, &ev, &err) == 0);
	CHECK(search_evaluator_new(&one[0], &ev1[0], &err) == 0);
	CHECK(search_evaluator_new(&one[1], &ev1[1], &err) == 0);
	CHECK(search_transfer_run(&two, ev, SEARCH_M_LATENCY_MS, &tr, &err) == 0);
	n_nn = search_space_nn_size(&two);
	CHECK_EQ_I64(tr.evaluations, (int64_t)(n_nn * 8));
	CHECK_EQ_I64(tr.n_pairs, 2);
	/* per target: every (network, config) point, feasible ones */
	double *acc[2], *lat[2];
	uint64_t nc[2] = { search_space_hw_size(&one[0]), search_space_hw_size(&one[1]) };
	for (int t = 0; t < 2; t++) {
		acc[t] = malloc(n_nn * nc[t] * sizeof(double));
		lat[t] = malloc(n_nn * nc[t] * sizeof(double));
		for (uint64_t i = 0; i < n_nn * nc[t]; i++) {
			struct search_point p;
			struct search_eval e;
			search_point_from_index(&one[t], i, &p);
			CHECK(search_evaluate(ev1[t], &p, &e, &err) == 0);
			acc[t][i] = e.feasible ? e.m[SEARCH_M_ACCURACY] : NAN;
			lat[t][i] = e.feasible ? e.m[SEARCH_M_LATENCY_MS] : NAN;
		}
	}
	int rows_checked = 0;
	for (int p = 0; p < tr.n_pairs; p++) {
		int a = tr.pairs[p].from, b = tr.pairs[p].to, picked = 0;
		double worst = 0;
		/* networks on A's front: some point of theirs no A point dominates */
		for (uint64_t nn = 0; nn < n_nn; nn++) {
			int on = 0;
			for (uint64_t c = 0; c < nc[a] && !on; c++) {
				uint64_t i = nn + n_nn * c;
				int dom = isnan(acc[a][i]);
				for (uint64_t j = 0; j < n_nn * nc[a] && !dom; j++)
					dom = !isnan(acc[a][j]) && acc[a][j] >= acc[a][i] &&
					      lat[a][j] <= lat[a][i] &&
					      (acc[a][j] > acc[a][i] || lat[a][j] < lat[a][i]);
				on = !dom;
			}
			if (!on)
				continue;
			picked++;
			/* its best latency on B (ties: higher accuracy), B's best at that accuracy */
			double mb = INFINITY, ab = -INFINITY, best = INFINITY;
			for (uint64_t c = 0; c < nc[b]; c++) {
				uint64_t i = nn + n_nn * c;
				if (!isnan(lat[b][i]) && (lat[b][i] < mb ||
							  (lat[b][i] == mb && acc[b][i] > ab))) {
					mb = lat[b][i];
					ab = acc[b][i];
				}
			}
			for (uint64_t j = 0; j < n_nn * nc[b]; j++)
				if (!isnan(lat[b][j]) && acc[b][j] >= ab)
					best = fmin(best, lat[b][j]);
			double loss = (mb / best - 1) * 100;
			worst = fmax(worst, loss);
			for (int r = 0; r < tr.n_rows; r++)
				if (tr.rows[r].from == a && tr.rows[r].to == b && tr.rows[r].nn == nn) {
					CHECK(tr.rows[r].m_b == mb);
					CHECK(tr.rows[r].best_b == best);
					CHECK_NEAR(tr.rows[r].loss_pct, loss, 1e-12);
					rows_checked++;
				}
		}
		CHECK_EQ_I64(tr.pairs[p].picked, picked);
		CHECK_NEAR(tr.pairs[p].max_loss_pct, worst, 1e-12);
		CHECK(tr.pairs[p].hv_picked <= tr.pairs[p].hv_own + 1e-12);
		printf("  %s -> %s: %d networks, mean loss %.2f %%, max %.2f %%, HV kept %.4f\n",
		       two.targets[a].name, two.targets[b].name, picked, tr.pairs[p].mean_loss_pct,
		       tr.pairs[p].max_loss_pct, tr.pairs[p].hv_picked / tr.pairs[p].hv_own);
	}
	CHECK_EQ_I64(rows_checked, tr.n_rows);
	CHECK(rows_checked > 2);
	for (int t = 0; t < 2; t++) {
		free(acc[t]);
		free(lat[t]);
	}
	search_transfer_release(&tr);
	/* a space without targets, accuracy as the metric */
	CHECK(search_transfer_run(&one[0], ev1[0], SEARCH_M_LATENCY_MS, &tr, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "t1.json: the transfer report needs a space with 'targets'");
	CHECK(search_transfer_run(&two, ev, SEARCH_M_ACCURACY, &tr, &err) == HN_EINVAL);
	search_evaluator_free(ev);
	search_evaluator_free(ev1[0]);
	search_evaluator_free(ev1[1]);
}

int main(void)
{
	RUN(target_spaces_should_parse_with_per_target_knobs);
	RUN(bad_target_spaces_should_be_refused_naming_the_file_and_field);
	RUN(per_target_metrics_should_equal_single_target_evaluations);
	RUN(per_target_constraints_should_be_honoured);
	RUN(exhaustive_front_should_equal_a_brute_force_over_the_targets);
	RUN(store_should_round_trip_per_target_metrics);
	RUN(transfer_report_should_match_a_hand_enumeration);
	return TEST_SUMMARY();
}
