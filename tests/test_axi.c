/* test_axi.c: the AXI top (rtl/hwnas_axi.v) run through sim/harness/harness_axi.cpp, an AXI4
 * slave memory model with latency, bandwidth and random back-pressure, against the C
 * reference (bit for bit) and beside the direct harness's cycles (the model's). The host side
 * of the harness is the C driver (driver/hwnas_drv.c): its register accesses are AXI4-Lite
 * transactions on the Verilated top.
 *
 * White-box: it builds tile programs with sim/'s internal sim_prog_build (sim_int.h). The AXI
 * harness is verilated here (cached in $HWNAS_CACHE or ~/.cache/hwnas as axi-<hash>). The
 * seed of the back-pressure is printed; HWNAS_AXI_SEED replays one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_small_hw.h"
#include "../sim/sim_int.h"

static char cache[1024];

/* Builds (or finds) the AXI harness for p with a dw-bit bus and bursts of maxb beats. */
static int axi_build(const struct sim_rtl_params *p, int dw, int maxb, int maxout, char *exe,
		     size_t n)
{
	char paths[40][1024], defs[600], gs[600], cmd[16384], dir[1200];
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;
	uint64_t h = 1469598103934665603ULL;
	int nv = 0;
	struct hn_err err = { 0 };

	if (sim_list_rtl(src, paths, 30, &nv, &err))
		return -1;
	snprintf(paths[nv++], 1024, "%s/sim/harness/harness_axi.cpp", src);
	snprintf(paths[nv++], 1024, "%s/sim/harness/program.h", src);
	snprintf(paths[nv++], 1024, "%s/driver/hwnas_drv.c", src);
	snprintf(paths[nv++], 1024, "%s/driver/hwnas_drv.h", src);
	snprintf(gs, sizeof(gs), "-GROWS=%d -GCOLS=%d -GDF=%d -GA_BITS=%d -GW_BITS=%d "
		 "-GACC_BITS=%d -GDBUF=%d -GIDEPTH=%lld -GWDEPTH=%lld -GODEPTH=%lld -GINB=%d "
		 "-GWNB=%d -GONB=%d -GAXI_DW=%d -GMAXB=%d -GMAXOUT=%d", p->rows, p->cols, p->df,
		 p->a_bits, p->w_bits, p->acc_bits, p->dbuf, (long long)p->idepth,
		 (long long)p->wdepth, (long long)p->odepth, p->inb, p->wnb, p->onb, dw, maxb,
		 maxout);
	snprintf(defs, sizeof(defs), "-DHW_ROWS=%d -DHW_COLS=%d -DHW_DF=%d -DHW_A_BITS=%d "
		 "-DHW_W_BITS=%d -DHW_ACC_BITS=%d -DHW_INB=%d -DHW_WNB=%d -DHW_ONB=%d "
		 "-DHW_AXI_DW=%d -DHW_MAXB=%d", p->rows, p->cols, p->df, p->a_bits, p->w_bits,
		 p->acc_bits, p->inb, p->wnb, p->onb, dw, maxb);
	h = sim_fnv(h, gs, strlen(gs));
	if (sim_fnv_files(&h, paths, nv, &err))
		return -1;
	snprintf(dir, sizeof(dir), "%s/axi-%016llx", cache, (unsigned long long)h);
	snprintf(exe, n, "%s/harness_axi", dir);
	if (access(exe, X_OK) == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && verilator --cc --exe --build -j 2 -O2 "
		 "--x-assign fast --x-initial fast -Wno-fatal -Wno-lint -Wno-style "
		 "--top-module hwnas_axi %s -CFLAGS '%s -I%s/sim/harness -I%s/driver' --Mdir %s/obj "
		 "-o %s/harness_axi %s/rtl/*.v %s/sim/harness/harness_axi.cpp %s/driver/hwnas_drv.c "
		 "> %s/build.log 2>&1", dir, gs, defs, src, src, dir, dir, src, src, src, dir);
	return system(cmd) == 0 && access(exe, X_OK) == 0 ? 0 : -1;
}

/* Runs l on hw through the AXI top; checks bit-exactness and prints the cycles beside the
 * direct harness's (docs/rtl.md) and the model's. Returns the AXI cycles (-1 on failure). */
static long run_axi(const struct arch_layer *l, const struct hw_config *hw,
		    const struct map_tiling *m, int dw, int maxb, double stall, uint64_t seed)
{
	struct sim_rtl_params p;
	struct sim_prog prog;
	struct hn_err err = { 0 };
	struct sim_result r;
	char exe[1400], dir[] = "/tmp/hwnas-axi-XXXXXX", pp[64], mp[64], rp[64], dp[64];
	char cmd[2048], line[256], status[128] = "";
	long cycles = -1;
	int64_t *got;
	FILE *f;

	sim_rtl_params_from_hw(hw, &p);
	p.ostage = 0;   /* the AXI top has no output stage yet (docs/deploy.md) */
	if (axi_build(&p, dw, maxb, 4, exe, sizeof(exe))) {
		fprintf(stderr, "  AXI harness build failed (log in %s)\n", cache);
		CHECK(0);
		return -1;
	}
	CHECK(sim_prog_build(l, hw, m, &p, 1, 0, &prog, &err) == 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(pp, sizeof(pp), "%s/prog", dir);
	snprintf(mp, sizeof(mp), "%s/mem", dir);
	snprintf(rp, sizeof(rp), "%s/res", dir);
	snprintf(dp, sizeof(dp), "%s/dump", dir);
	CHECK(sim_prog_write(&prog, &p, pp, mp, &err) == 0);
	snprintf(cmd, sizeof(cmd), "%s %s %s %s --seed %llu --stall %g > %s/log 2>&1", exe, pp, rp,
		 dp, (unsigned long long)seed, stall, dir);
	CHECK(system(cmd) == 0);
	if ((f = fopen(rp, "r"))) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "status %127[^\n]", status);
			sscanf(line, "cycles %ld", &cycles);
		}
		fclose(f);
	}
	if (strcmp(status, "ok"))
		fprintf(stderr, "  %s: AXI harness status '%s' (seed %llu)\n", l->name, status,
			(unsigned long long)seed);
	CHECK(!strcmp(status, "ok"));
	got = calloc((size_t)prog.nout, sizeof(int64_t));
	if ((f = fopen(dp, "rb"))) {
		CHECK(fread(got, sizeof(int64_t), (size_t)prog.nout, f) == (size_t)prog.nout);
		fclose(f);
	}
	int64_t bad = 0;
	for (int64_t i = 0; i < prog.nout; i++)
		bad += got[i] != prog.expect[i];
	free(got);
	CHECK_EQ_I64(bad, 0);
	CHECK(sim_layer(l, hw, m, NULL, &r, &err) == 0);
	printf("  %-8s %dx%d %s bus %3d stall %.2f seed %-6llu bit-exact %d  axi %7ld  direct %7lld"
	       "  (%+.1f%%)\n", l->name, hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow),
	       dw, stall, (unsigned long long)seed, bad == 0, cycles, (long long)r.rtl_cycles,
	       r.rtl_cycles ? 100.0 * (double)(cycles - r.rtl_cycles) / (double)r.rtl_cycles : 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!test_failed_checks && system(cmd) != 0)
		CHECK(0);
	sim_prog_release(&prog);
	return cycles;
}

static uint64_t seed0(void)
{
	const char *s = getenv("HWNAS_AXI_SEED");
	return s ? strtoull(s, NULL, 10) : 1;
}

static void axi_should_run_a_gemm_bit_exactly_on_ws(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 1);
	struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
	struct map_tiling m = { 4, 3, 5, MAP_MNK };

	run_axi(&l, &hw, &m, 64, 4, 0.3, seed0());
	if (getenv("HWNAS_LONG")) {
		run_axi(&l, &hw, &m, 64, 16, 0.0, seed0());
		run_axi(&l, &hw, &m, 128, 4, 0.3, seed0() + 1);
	}
}

static void axi_should_run_os_and_is_layouts_bit_exactly(void)
{
	struct hw_config os = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct hw_config is = small_hw(3, 2, HW_IS, 16, 32, 1);
	struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
	struct map_tiling m = { 5, 6, 4, MAP_NKM };

	run_axi(&l, &os, &m, 64, 16, 0.2, seed0() + 2);
	if (getenv("HWNAS_LONG"))
		run_axi(&l, &is, &m, 64, 16, 0.2, seed0() + 3);
}

int main(void)
{
	const char *c = getenv("HWNAS_CACHE");
	const char *home = getenv("HOME");

	if (c && c[0])
		snprintf(cache, sizeof(cache), "%s", c);
	else
		snprintf(cache, sizeof(cache), "%s/.cache/hwnas", home ? home : "/tmp");
	mkdir(cache, 0755);
	RUN(axi_should_run_a_gemm_bit_exactly_on_ws);
	RUN(axi_should_run_os_and_is_layouts_bit_exactly);
	return TEST_SUMMARY();
}
