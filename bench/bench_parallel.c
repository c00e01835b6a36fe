/* bench_parallel.c: speed-up of `explore -j N` (issue 7). Measured on the MobileNetV2 space
 * with the GLPK mapper and cold caches (a fresh evaluator per N), where an evaluation solves
 * MILPs and costs milliseconds; on NB201 an evaluation is ~25 cache lookups once warm, and
 * threads gain little there. Random strategy (it proposes ahead without limit), 24
 * evaluations; the fronts must be identical for every N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../search/search.h"

static const char space_json[] =
	"{\"name\":\"mbv2-bench\",\"nn\":{\"space\":\"mbv2\",\"kernel\":[3,5,7],"
	"\"expansion\":[3,6],\"depth_delta\":[-1,0,1],\"resolution\":[160,224]},"
	"\"hw\":{\"choices\":{\"pe_rows\":[8,16,32],\"pe_cols\":[8,16,32],\"buffer_kib\":[32,64,128],"
	"\"dataflow\":[\"ws\",\"os\",\"is\"],\"bits\":[8,16]}},\"device\":\"zcu102\","
	"\"mapper\":\"glpk\",\"objectives\":[{\"metric\":\"accuracy\",\"goal\":\"max\",\"ref\":60},"
	"{\"metric\":\"latency_ms\",\"ref\":200},{\"metric\":\"energy_mj\",\"ref\":200}]}";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run(const struct search_space *sp, int jobs, struct search_run_result *r)
{
	struct search_evaluator *ev;
	struct search_run_opts o;
	struct hn_err err = { 0 };
	int ret;

	if (search_evaluator_new(sp, &ev, &err) < 0) {
		fprintf(stderr, "bench_parallel: %s\n", err.msg);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.strategy = "random";
	o.budget = 300;
	o.seed = 1;
	o.jobs = jobs;
	ret = search_run(sp, ev, &o, r, &err);
	if (ret < 0)
		fprintf(stderr, "bench_parallel: %s\n", err.msg);
	search_evaluator_free(ev);
	return ret;
}

int main(void)
{
	struct search_space sp;
	struct search_run_result r1, r;
	struct hn_err err = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double t1 = 0;

	if (search_space_parse_json(space_json, strlen(space_json), "bench", &sp, &err) < 0) {
		fprintf(stderr, "bench_parallel: %s\n", err.msg);
		return 1;
	}
	printf("explore -j N: MobileNetV2 space, GLPK mapper, cold caches, random, 300 "
	       "evaluations (%ld CPUs online)\n", cpus);
	for (int jobs = 1; jobs <= 2; jobs++) {
		struct search_run_result *res = jobs == 1 ? &r1 : &r;
		double t0 = now_s(), t;
		if (run(&sp, jobs, res) < 0)
			return 1;
		t = now_s() - t0;
		if (jobs == 1)
			t1 = t;
		int same = jobs == 1 || (r.front.n == r1.front.n &&
			   !memcmp(r.front.p, r1.front.p, (size_t)r.front.n * sizeof(*r.front.p)));
		printf("  -j %d: %6.2f s, %5.1f evaluations/s, speed-up %.2f, front %d%s\n", jobs, t,
		       (double)res->evaluations / t, t1 / t, res->front.n,
		       same ? (jobs == 1 ? "" : " (identical)") : " (DIFFERS: a bug)");
		if (jobs > 1)
			search_run_result_release(&r);
		if (!same)
			return 1;
	}
	search_run_result_release(&r1);
	return 0;
}
