/* bench_parallel.c: speed-up of `explore -j N` (issue 7). Measured on the MobileNetV2 space
 * with the GLPK mapper and cold caches (a fresh evaluator per N), where an evaluation solves
 * MILPs and costs milliseconds; on NB201 an evaluation is ~25 cache lookups once warm, and
 * threads gain little there. Random strategy (it proposes ahead without limit), 24 and 300
 * evaluations (issue 19: >= 1.9x at any batch size, no batch barrier); the fronts must be
 * identical for every N. */
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

static int run(const struct search_space *sp, int jobs, int64_t budget,
	       struct search_run_result *r)
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
	o.budget = budget;
	o.seed = 1;
	o.jobs = jobs;
	ret = search_run(sp, ev, &o, r, &err);
	if (ret < 0)
		fprintf(stderr, "bench_parallel: %s\n", err.msg);
	search_evaluator_free(ev);
	return ret;
}

static int same_front(const struct search_run_result *a, const struct search_run_result *b)
{
	return a->front.n == b->front.n && a->evaluations == b->evaluations &&
	       !memcmp(a->front.p, b->front.p, (size_t)a->front.n * sizeof(*a->front.p));
}

/* -j 1 and -j 2 interleaved, REPS times each (the machine is shared: the best of each). */
#define REPS 3

int main(void)
{
	static const int64_t budgets[] = { 24, 300 };
	struct search_space sp;
	struct hn_err err = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double worst = 1e9;

	if (search_space_parse_json(space_json, strlen(space_json), "bench", &sp, &err) < 0) {
		fprintf(stderr, "bench_parallel: %s\n", err.msg);
		return 1;
	}
	printf("explore -j N: MobileNetV2 space, GLPK mapper, cold caches, random (%ld CPUs "
	       "online; -j 1 and -j 2 interleaved, best of %d)\n", cpus, REPS);
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		double best[3] = { 1e9, 1e9, 1e9 }, busy = 0;
		struct search_run_result r1, r;
		int same = 1;
		if (run(&sp, 1, budgets[b], &r1) < 0) /* the reference front */
			return 1;
		for (int k = 0; k < REPS; k++)
			for (int jobs = 1; jobs <= 2; jobs++) {
				double t0 = now_s(), t;
				if (run(&sp, jobs, budgets[b], &r) < 0)
					return 1;
				t = now_s() - t0;
				if (t < best[jobs])
					best[jobs] = t;
				if (jobs == 2 && r.seconds > 0 && r.eval_seconds / (2 * r.seconds) > busy)
					busy = r.eval_seconds / (2 * r.seconds);
				same &= same_front(&r1, &r);
				search_run_result_release(&r);
			}
		printf("  %3lld evaluations: -j 1 %6.3f s, -j 2 %6.3f s: speed-up %.2f (goal >= 1.9), "
		       "threads busy %.0f%% of the -j 2 run, front %d %s\n", (long long)budgets[b],
		       best[1], best[2], best[1] / best[2], 100 * busy, r1.front.n,
		       same ? "(identical)" : "(DIFFERS: a bug)");
		if (best[1] / best[2] < worst)
			worst = best[1] / best[2];
		search_run_result_release(&r1);
		if (!same)
			return 1;
	}
	printf("  -j 2 speed-up at any batch size: %.2f (goal >= 1.9: %s)\n", worst,
	       worst >= 1.9 ? "met" : cpus < 2 ? "one CPU" : "NOT met (see load)");
	return 0;
}
