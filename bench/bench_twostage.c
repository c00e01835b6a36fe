/* bench_twostage.c: two-stage search (networks for accuracy under MACs, then accelerators
 * for them) against joint search (nsga2, evolution) at the same number of evaluations on the same
 * spaces, as hypervolume and as a fraction of the exact front's (exhaustive enumeration);
 * mean of seeds 1 .. 3 (docs/search.md, "Two-stage against joint search"). With space files
 * as arguments, only those. */
#include <stdio.h>
#include <string.h>

#include "../search/search.h"

#ifdef HWNAS_SRCDIR
#define SRC HWNAS_SRCDIR "/"
#else
#define SRC ""
#endif

#define N_SEEDS 3

static int bench_space(const char *path)
{
	static const char *const strategies[] = { "two-stage", "nsga2", "evolution" };
	static const int64_t budgets[] = { 338, 3375, 33750 };
	struct search_space sp;
	struct search_evaluator *ev;
	struct search_run_opts o;
	struct search_run_result r;
	struct hn_err err = { 0 };
	double exact;

	if (search_space_load(path, &sp, &err) < 0 || search_evaluator_new(&sp, &ev, &err) < 0) {
		fprintf(stderr, "bench_twostage: %s\n", err.msg);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.exhaustive = 1;
	if (search_run(&sp, ev, &o, &r, &err) < 0) {
		fprintf(stderr, "bench_twostage: %s\n", err.msg);
		return -1;
	}
	exact = r.hypervolume;
	printf("\n%s (%s): %llu points, exact hypervolume %.4f\n", sp.name, path,
	       (unsigned long long)search_space_size(&sp), exact);
	search_run_result_release(&r);
	printf("%-10s", "budget");
	for (size_t s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++)
		printf(" %20s", strategies[s]);
	printf("\n");
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		printf("%-10lld", (long long)budgets[b]);
		for (size_t s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++) {
			double sum = 0;
			for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
				memset(&o, 0, sizeof(o));
				o.strategy = strategies[s];
				o.budget = budgets[b];
				o.seed = seed;
				if (search_run(&sp, ev, &o, &r, &err) < 0) {
					fprintf(stderr, "bench_twostage: %s\n", err.msg);
					return -1;
				}
				sum += r.hypervolume;
				search_run_result_release(&r);
			}
			printf("      %.4f (%.4f)", sum / N_SEEDS, sum / N_SEEDS / exact);
		}
		printf("\n");
	}
	search_evaluator_free(ev);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const spaces[] = {
		SRC "examples/nb201_c100_ultra96_space.json",
		SRC "examples/nb201_in16_pynq_space.json",
		SRC "examples/nb201_c10_zcu102_dsp_space.json",
		SRC "examples/default_space_v1.json",
	};

	printf("hypervolume (fraction of the exact) at the same number of evaluations, mean of %d "
	       "seeds\n", N_SEEDS);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (bench_space(argv[i]) < 0)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
		if (bench_space(spaces[i]) < 0)
			return 1;
	return 0;
}
