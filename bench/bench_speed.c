/* bench_speed.c: the table of issue 19, one figure per row, where users wait: one layer at a
 * fixed tiling, the optimal mapper on a cold cache, the whole 'hwnas eval --net resnet18'
 * process, the exhaustive explore of the main job's space before issue 20 (default_space_v1,
 * the space of issue 19's figure) with the store on, the RTL simulation of AlexNet's conv2 on
 * 8x8 and 32x32 WS arrays, and -j 2. The peers' columns are measured outside the tree
 * (bench/bench_peers.md, bench/peers.sh).
 *
 * Environment: HWNAS = the binary (default build/hwnas); BENCH_SPEED_NO_SIM=1 skips the RTL
 * rows (a cold Verilator cache builds two models, about a minute); BENCH_SPEED_ROWS=LIST
 * runs only the rows whose digits LIST holds ('5' the RTL rows alone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../models/models.h"
#include "../sim/sim.h"

#ifdef HWNAS_SRCDIR
#define SRC HWNAS_SRCDIR "/"
#else
#define SRC ""
#endif

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(double *v, int n, double p)
{
	if (n == 0)
		return 0.0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1) + 0.5)];
}

/* Runs argv as a new process with stdout and stderr to /dev/null: its wall and CPU (user +
 * system) seconds; returns its exit status, or -1. */
static int run_process(char *const argv[], double *wall, double *cpu)
{
	struct rusage ru;
	int status;
	double t0;
	pid_t pid;

	fflush(stdout);
	t0 = wall_s();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status))
		return -1;
	*wall = wall_s() - t0;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return WEXITSTATUS(status);
}

/* Row 1: cost_layer on resnet50's layers at their default tilings, the three dataflows. */
static void row_layer(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct arch_net net;
	struct hn_err err = { 0 };
	struct map_tiling t[256];
	volatile int64_t sink = 0;
	int64_t n = 0;
	double t0, t1;

	if (arch_zoo_build("resnet50", 1, &net, &err) < 0 || net.n_layers > 256) {
		printf("1 one layer, fixed tiling: %s\n", err.msg);
		return;
	}
	for (int i = 0; i < net.n_layers; i++)
		map_default(&net.layers[i], &hw, &t[i]);
	t0 = cpu_s();
	do {
		for (int rep = 0; rep < 20000; rep++, n++) {
			struct cost_report r;
			hw.dataflow = (enum hw_dataflow)(n % 3);
			cost_layer(&net.layers[n % net.n_layers], &hw, &t[n % net.n_layers], &e, &r);
			sink += r.cycles;
		}
		t1 = cpu_s();
	} while (t1 - t0 < 1.0);
	printf("1 one layer, fixed tiling          %8.3f us per layer (CPU; resnet50's layers, 3 "
	       "dataflows; goal: keep ~0.35 us)\n", 1e6 * (t1 - t0) / (double)n);
	arch_net_release(&net);
}

/* Row 2: map_layer without a cache on every distinct GEMM shape of the zoo, 16x16 ws. */
static void row_mapper(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct map_options opt;
	static double ms[4096];
	int n = 0;

	map_options_default(&opt);
	for (int zi = 0; zi < arch_zoo_count(); zi++) {
		struct arch_net net;
		struct hn_err err = { 0 };
		if (arch_zoo_build(arch_zoo_name(zi), 1, &net, &err) < 0)
			continue;
		for (int li = 0; li < net.n_layers && n < 4096; li++) {
			struct map_result r;
			struct arch_gemm g = arch_gemm(&net.layers[li]);
			double c0;
			int dup = 0;
			if (g.g == 0)
				continue;
			for (int lj = 0; lj < li && !dup; lj++) {
				struct arch_gemm h = arch_gemm(&net.layers[lj]);
				dup = h.g == g.g && h.m == g.m && h.n == g.n && h.k == g.k;
			}
			if (dup)
				continue;
			c0 = cpu_s();
			if (map_layer(&net.layers[li], &hw, &e, &opt, NULL, &r, &err) < 0)
				continue;
			ms[n++] = 1e3 * (cpu_s() - c0);
		}
		arch_net_release(&net);
	}
	double med = percentile(ms, n, 0.5), p99 = percentile(ms, n, 0.99);
	printf("2 optimal mapping, cold cache      %8.3f ms median, %.2f ms p99, %.2f ms max "
	       "(CPU; %d zoo layer shapes on 16x16 ws; goal <= 0.3 / 5 ms): %s\n",
	       med, p99, percentile(ms, n, 1.0), n,
	       med <= 0.3 && p99 <= 5.0 ? "met" : "NOT met");
}

/* Row 3: the whole 'hwnas eval --net resnet18' process, median of 15. */
static void row_eval(const char *bin)
{
	char *argv[] = { (char *)bin, "eval", "--net", "resnet18", NULL };
	double wall[15], cpu[15];
	int ok = 0;

	for (int i = 0; i < 15; i++)
		if (run_process(argv, &wall[ok], &cpu[ok]) == 0)
			ok++;
	if (!ok) {
		printf("3 resnet18 eval, whole process: %s failed or missing\n", bin);
		return;
	}
	double mw = 1e3 * percentile(wall, ok, 0.5), mc = 1e3 * percentile(cpu, ok, 0.5);
	printf("3 resnet18 'eval', whole process   %8.1f ms wall, %.1f ms CPU (median of %d; goal "
	       "<= 10 ms): %s\n", mw, mc, ok, mc <= 10.0 ? "met on CPU" : "NOT met");
}

/* Row 4: 'explore --exhaustive' of examples/default_space_v1.json with the store on. */
static void row_exhaustive(const char *bin)
{
	char dir[] = "/tmp/hwnas-bench-speed-XXXXXX", out[64], db[80], cmd[128];
	struct stat sb;
	double wall = 0, cpu = 0;
	int st;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return;
	}
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(db, sizeof(db), "%s/hwnas.db", out);
	char *argv[] = { (char *)bin, "explore", "--space", SRC "examples/default_space_v1.json",
			 "--exhaustive", "--quiet", "--out", out, NULL };
	st = run_process(argv, &wall, &cpu);
	if (st != 0 || stat(db, &sb) != 0)
		printf("4 exhaustive explore: failed (exit %d)\n", st);
	else
		printf("4 exhaustive explore, store on     %8.2f s wall, %.2f s CPU, store %.2f MB "
		       "(5,062,500 points; goal <= 10 s, <= 100 MB): %s\n", wall, cpu,
		       (double)sb.st_size / 1e6,
		       sb.st_size > 100000000 ? "NOT met" : wall <= 10.0 ? "met" :
		       cpu <= 10.0 ? "met on CPU time, NOT on wall (a shared machine)" : "NOT met");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_speed: could not remove %s\n", dir);
}

/* Row 5: AlexNet's conv2 as SCALE-Sim v2's topologies/conv_nets/alexnet.csv has it (27x27x96
 * in, 5x5, 256 filters, stride 1, no padding) on the 8x8 WS config of
 * examples/pynq_z1_ws_8x8_int8.json and the same at 32x32, default tiling; models from the
 * user's cache (built once). Cycles per second of the harness's cycle loop. */
static void row_sim(void)
{
	static const int sizes[] = { 8, 32 };
	static const double goal[] = { 1e6, 3e5 };
	struct arch_layer l = arch_conv("conv2", 1, 96, 27, 27, 256, 5, 1, 0, 1);

	for (int i = 0; i < 2; i++) {
		struct hw_config hw;
		struct hn_err err = { 0 };
		struct map_tiling m;
		struct sim_options o;
		struct sim_result r;
		if (hw_config_load(SRC "examples/pynq_z1_ws_8x8_int8.json", &hw, &err) < 0) {
			printf("5 RTL simulation: %s\n", err.msg);
			return;
		}
		hw.pe_rows = hw.pe_cols = sizes[i];
		map_default(&l, &hw, &m);
		sim_options_init(&o);
		if (sim_layer(&l, &hw, &m, &o, &r, &err) < 0) {
			printf("5 RTL simulation %dx%d: %s\n", sizes[i], sizes[i], err.msg);
			continue;
		}
		struct hw_energy e = hw_energy_default();
		struct cost_report c;
		cost_layer(&l, &hw, &m, &e, &c);
		double cps = r.sim_seconds > 0 ? (double)r.sim_cycles / r.sim_seconds : 0;
		double cpu = r.sim_cpu_seconds > 0 ? (double)r.sim_cycles / r.sim_cpu_seconds : 0;
		printf("5 RTL sim, AlexNet conv2, %2dx%-2d ws %8.0f k cycles/s wall, %.0f k per CPU "
		       "second (%lld cycles in %.2f s; bit-exact %s, RTL cycles %s the model's; build "
		       "%.0f s%s; goal >= %.0f k): %s\n", sizes[i], sizes[i], cps / 1e3, cpu / 1e3,
		       (long long)r.sim_cycles, r.sim_seconds, r.bit_exact ? "yes" : "NO",
		       r.rtl_cycles == c.cycles ? "==" : "!=", r.build_seconds,
		       r.built ? "" : ", cached", goal[i] / 1e3,
		       cps >= goal[i] ? "met" : cpu >= goal[i] ? "met on CPU time, NOT on wall" :
		       "NOT met");
	}
}

/* Row 6: bench_parallel's summary line (it sits beside this binary). */
static void row_parallel(const char *self)
{
	char cmd[1200], line[512];
	const char *slash = strrchr(self, '/');
	FILE *p;
	int found = 0;

	snprintf(cmd, sizeof(cmd), "%.*sbench_parallel", slash ? (int)(slash - self + 1) : 0, self);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		if (strstr(line, "evaluations: -j 1") || strstr(line, "at any batch size")) {
			printf("6 -j 2 on 2 cores     %s", line);
			found = 1;
		}
	if (!p || pclose(p) != 0 || !found)
		printf("6 -j 2: %s failed\n", cmd);
}

/* Whether row (1..6) runs: every row unless BENCH_SPEED_ROWS names some. */
static int row_on(int row)
{
	const char *rows = getenv("BENCH_SPEED_ROWS");

	return !rows || !rows[0] || strchr(rows, '0' + row) != NULL;
}

int main(int argc, char **argv)
{
	const char *bin = getenv("HWNAS") ? getenv("HWNAS") : "build/hwnas";
	const char *no_sim = getenv("BENCH_SPEED_NO_SIM");
	double load[3] = { -1, -1, -1 };

	(void)argc;
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("issue 19: where users wait (load average %.1f at the start; figures on a shared "
	       "machine vary with it)\n", load[0]);
	if (row_on(1))
		row_layer();
	if (row_on(2))
		row_mapper();
	if (row_on(3))
		row_eval(bin);
	if (row_on(4))
		row_exhaustive(bin);
	if (row_on(5) && !(no_sim && no_sim[0] == '1'))
		row_sim();
	if (row_on(6))
		row_parallel(argv[0]);
	return 0;
}
