/* test_sim.c: the RTL accelerator against the C reference (bit for bit) and against the
 * analytical model (cycle for cycle where docs/model.md says exact), through Verilator.
 *
 * make test runs a few small configs (each verilated once, then cached); HWNAS_LONG=1 adds a
 * sweep over larger arrays, bit widths and dataflows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "test_small_hw.h"
#include "../sim/sim.h"

static const char *hw_name(const struct hw_config *hw, char *buf, size_t n)
{
	snprintf(buf, n, "%dx%d %s %d/%d/%d %s%s%s", hw->pe_rows, hw->pe_cols,
		 hw_dataflow_name(hw->dataflow), hw->act_bits, hw->weight_bits, hw->acc_bits,
		 hw->double_buffer ? "double" : "single", hw->mac_packing ? " " : "",
		 hw->mac_packing ? hw_packing_name(hw->mac_packing) : "");
	return buf;
}

/* Simulates l under m and checks: bit-exact outputs; array and DMA busy cycles equal the
 * model's compute and memory cycles; the latency equal to the model's, single- and
 * double-buffered (docs/model.md "Latency": the model walks the same tile program). */
static void check_layer_opt(const struct arch_layer *l, const struct hw_config *hw,
			    const struct map_tiling *m, const struct sim_options *opt)
{
	struct sim_result r;
	struct cost_report c;
	struct hn_err err = { 0 };
	struct hw_energy e = hw_energy_default();
	char hn[64], ts[80];
	int ret;

	map_tiling_format(m, ts, sizeof(ts));
	ret = sim_layer(l, hw, m, opt, &r, &err);
	if (ret) {
		fprintf(stderr, "  %s on %s (%s): %s\n", l->name, hw_name(hw, hn, sizeof(hn)), ts,
			err.msg);
		CHECK(ret == 0);
		return;
	}
	CHECK(cost_layer(l, hw, m, &e, &c) == 0);
	printf("  %-10s %-26s %-34s rtl %7lld model %7lld (%+.2f%%) exact %d\n", l->name,
	       hw_name(hw, hn, sizeof(hn)), ts, (long long)r.rtl_cycles, (long long)c.cycles,
	       r.rtl_cycles ? 100.0 * (double)(c.cycles - r.rtl_cycles) / (double)r.rtl_cycles : 0,
	       r.bit_exact);
	if (!r.bit_exact)
		fprintf(stderr, "  %s: %lld of %lld outputs differ\n", l->name,
			(long long)r.mismatches, (long long)r.outputs);
	CHECK(r.bit_exact);
	/* dma_bus_extra: the documented bus floor (docs/model.md "DRAM traffic"), reached only
	 * by tiles much narrower than the array; the model does not charge it */
	if (r.dma_bus_extra)
		printf("  %-10s bus-bound DMA beats: +%lld cycles\n", l->name,
		       (long long)r.dma_bus_extra);
	CHECK_EQ_I64(r.array_busy, c.compute_cycles);
	CHECK_EQ_I64(r.dma_busy, c.mem_cycles + r.dma_bus_extra);
	CHECK_EQ_I64(r.dram_bytes, c.dram_bytes);
	CHECK_EQ_I64(r.dma_requests, c.dram_requests);
	/* single- and double-buffered: the model's cycles (docs/model.md "Latency") */
	CHECK_EQ_I64(r.rtl_cycles, c.cycles + r.dma_bus_extra);
}

static void check_layer(const struct arch_layer *l, const struct hw_config *hw,
			const struct map_tiling *m)
{
	check_layer_opt(l, hw, m, NULL);
}

static struct map_tiling tiling(int64_t tm, int64_t tn, int64_t tk, enum map_order o)
{
	struct map_tiling m = { tm, tn, tk, o };
	return m;
}

/* The shapes every config runs: GEMMs with ragged tiles in every loop order, K = 1, M = 1,
 * a conv (3x3, padding), a strided conv, a grouped conv, a depthwise conv, a one-pixel
 * image, FC and a batched matmul. */
static void run_shapes(const struct hw_config *hw)
{
	struct map_tiling m;

	for (int o = 0; o < MAP_ORDER_COUNT; o++) {
		struct arch_layer l = arch_matmul("gemm", 1, 13, 11, 7);
		check_layer(&l, hw, &(struct map_tiling){ 5, 3, 4, (enum map_order)o });
	}
	{
		struct arch_layer l = arch_matmul("gemm_k1", 1, 6, 1, 5);
		check_layer(&l, hw, &(struct map_tiling){ 4, 2, 1, MAP_MNK });
	}
	{
		struct arch_layer l = arch_matmul("gemm_m1", 1, 1, 9, 6);
		check_layer(&l, hw, &(struct map_tiling){ 1, 4, 5, MAP_KNM });
	}
	{
		struct arch_layer l = arch_conv("conv3x3", 1, 3, 6, 6, 5, 3, 1, 1, 1);
		map_default(&l, hw, &m);
		check_layer(&l, hw, &m);
	}
	{
		struct arch_layer l = arch_conv("conv_s2", 2, 4, 7, 7, 6, 3, 2, 1, 1);
		check_layer(&l, hw, &(struct map_tiling){ 8, 4, 9, MAP_NKM });
	}
	{
		struct arch_layer l = arch_conv("conv_g2", 1, 4, 5, 5, 6, 3, 1, 0, 2);
		map_default(&l, hw, &m);
		check_layer(&l, hw, &m);
	}
	{
		struct arch_layer l = arch_conv("dwconv", 1, 6, 5, 5, 6, 3, 1, 1, 6);
		map_default(&l, hw, &m);
		check_layer(&l, hw, &m);
	}
	{
		struct arch_layer l = arch_conv("one_px", 1, 7, 1, 1, 5, 1, 1, 0, 1);
		check_layer(&l, hw, &(struct map_tiling){ 1, 2, 3, MAP_KMN });
	}
	{
		struct arch_layer l = arch_fc("fc", 3, 10, 7);
		map_default(&l, hw, &m);
		check_layer(&l, hw, &m);
	}
	{
		struct arch_layer l = arch_matmul("bmm", 3, 5, 4, 6);
		check_layer(&l, hw, &(struct map_tiling){ 3, 4, 2, MAP_MKN });
	}
	{
		/* the vector unit: a padded max pool, a global average, a residual add */
		struct arch_layer p = arch_pool("maxpool", 1, 6, 5, 5, 3, 2, 1, 1);
		struct arch_layer a = arch_pool("gap", 1, 5, 3, 3, 3, 1, 0, 0);
		struct arch_layer r = arch_add("add", 1, 6, 3, 3);
		check_layer(&p, hw, &m);
		check_layer(&a, hw, &m);
		check_layer(&r, hw, &m);
	}
}

/* gemmlowp's fixed-point helpers as written there (int32, the product in int64, division
 * truncating toward zero), to check sim_requant's closed forms against. */
static int32_t gl_srdhm(int32_t a, int32_t b)
{
	int overflow = a == b && a == INT32_MIN;
	int64_t ab = (int64_t)a * (int64_t)b;
	int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	int32_t hi = (int32_t)((ab + nudge) / ((int64_t)1 << 31));

	return overflow ? INT32_MAX : hi;
}

static int32_t gl_rdbp(int32_t x, int exponent)
{
	const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
	const int32_t remainder = x & mask;
	const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void output_stage_should_equal_gemmlowps_arithmetic(void)
{
	/* 200,000 draws at acc_bits = 32 (TFLite's int32 accumulator): accumulators and biases
	 * over the whole int32 range and near its ends, multipliers over [0, 2^31) with its
	 * ends, shifts 0..31, zero points and clamps of 8-bit outputs. sim_requant must equal
	 * clamp(RDBP(SRDHM(acc + bias, m), s) + zp) computed gemmlowp's way. */
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int64_t bad = 0, n = 200000, clamped = 0;

	for (int64_t i = 0; i < n; i++) {
		int32_t acc = (int32_t)xs(&s), bias = (int32_t)xs(&s);
		int32_t m = (int32_t)(xs(&s) & 0x7fffffff);
		int sh = (int)(xs(&s) % 32), pick = (int)(xs(&s) % 8);
		int32_t zp = (int32_t)(xs(&s) % 256) - 128, lo = -128, hi = 127;
		if (pick == 0)
			acc = INT32_MIN + (int32_t)(xs(&s) % 4);
		else if (pick == 1)
			acc = INT32_MAX - (int32_t)(xs(&s) % 4);
		else if (pick == 2)
			acc = (int32_t)(xs(&s) % 2001) - 1000;
		if (pick == 3)
			m = (int32_t)(xs(&s) % 3) == 0 ? 0 : (xs(&s) % 2 ? INT32_MAX : 1 << 30);
		if (pick >= 4) {
			bias = (int32_t)(xs(&s) % 20001) - 10000;
			m = (int32_t)(((uint32_t)1 << 30) + (uint32_t)(xs(&s) % ((uint32_t)1 << 30)));
			sh = (int)(xs(&s) % 12);
		}
		if (pick == 5)
			lo = zp > -128 ? zp : -128;        /* ReLU */
		int32_t x = (int32_t)((uint32_t)acc + (uint32_t)bias);
		int64_t want = (int64_t)gl_rdbp(gl_srdhm(x, m), sh) + zp;
		want = want < lo ? lo : want > hi ? hi : want;
		clamped += want == lo || want == hi;
		int64_t got = sim_requant(acc, bias, m, sh, zp, lo, hi, 32);
		if (got != want && bad++ < 5)
			fprintf(stderr, "  acc %d bias %d m %d s %d zp %d: got %lld, gemmlowp %lld\n",
				acc, bias, m, sh, zp, (long long)got, (long long)want);
	}
	printf("  %lld draws, %lld at a clamp bound, %lld differ from gemmlowp's arithmetic\n",
	       (long long)n, (long long)clamped, (long long)bad);
	CHECK_EQ_I64(bad, 0);
	CHECK(n - clamped > n / 10);   /* not only the clamp bounds */
	/* hand values: 100 x 0.75 = 75; (-100) x 0.5 = -50; 3 x 0.5 = 1.5 -> 2 (half away
	 * from zero, in RDBP: SRDHM(3, 2^30) = 2 (1.5 rounds up), then /2 = 1); -7 / 4 =
	 * -1.75 -> -2; zp and clamps */
	CHECK_EQ_I64(sim_requant(100, 0, 3 << 29, 0, 0, -128, 127, 32), 75);
	CHECK_EQ_I64(sim_requant(-100, 0, 1 << 30, 0, 0, -128, 127, 32), -50);
	CHECK_EQ_I64(sim_requant(3, 0, 1 << 30, 0, 0, -128, 127, 32), 2);
	CHECK_EQ_I64(sim_requant(3, 0, INT32_MAX, 1, 0, -128, 127, 32), 2);
	CHECK_EQ_I64(sim_requant(-7, 0, INT32_MAX, 2, 0, -128, 127, 32), -2);
	CHECK_EQ_I64(sim_requant(-6, 0, INT32_MAX, 2, 0, -128, 127, 32), -2);
	CHECK_EQ_I64(sim_requant(-5, 0, INT32_MAX, 2, 0, -128, 127, 32), -1);
	CHECK_EQ_I64(sim_requant(1000, 0, INT32_MAX, 63, 0, -8, 7, 64), 0);
	/* -2^63 x (1 - 2^-31) / 2^63 is nearer -1 than 0 */
	CHECK_EQ_I64(sim_requant(INT64_MIN, 0, INT32_MAX, 63, 0, -8, 7, 64), -1);
	CHECK_EQ_I64(sim_requant(1000, -1000, INT32_MAX, 0, 5, -8, 7, 32), 5);
	CHECK_EQ_I64(sim_requant(1000, 0, INT32_MAX, 0, 5, -8, 7, 32), 7);
	CHECK_EQ_I64(sim_requant(-1000, 0, INT32_MAX, 0, 5, 5, 7, 32), 5);    /* ReLU at zp */
	/* the average's two roundings (docs/rtl.md "Vector unit"): a 2x2 window (M = 2^30,
	 * s = 1) of sum 1 gives 1, not round(0.25) = 0; always within 1 of sum / (r s) */
	CHECK_EQ_I64(sim_requant(1, 0, 1 << 30, 1, 0, -128, 127, 33), 1);
	{
		uint64_t z = 12345;
		int64_t far = 0;
		for (int i = 0; i < 100000; i++) {
			int64_t rs = 1 + (int64_t)(xs(&z) % 64), sum = (int64_t)(xs(&z) % 200001) - 100000;
			int e;
			double q = frexp(1.0 / (double)rs, &e);
			int64_t mm = llround(q * 2147483648.0), sh = -e;
			if (mm == ((int64_t)1 << 31)) {
				mm /= 2;
				sh--;
			}
			if (rs == 1) {
				mm = INT32_MAX;
				sh = 0;
			}
			double y = (double)sim_requant(sum, 0, mm, (int)sh, 0, INT64_MIN, INT64_MAX, 33);
			far += fabs(y - (double)sum / (double)rs) > 1.0;
		}
		CHECK_EQ_I64(far, 0);
	}
	/* the bias wraps with the accumulator at acc_bits: 2^19 - 1 + 1 = -2^19 at 20 bits */
	CHECK_EQ_I64(sim_requant((1 << 19) - 1, 1, INT32_MAX, 20, 0, -128, 127, 20), -1);
}

/* The output stage on the RTL with its parameters drawn from their whole range (biases over
 * acc_bits, multipliers over [0, 2^31), shifts 0..63, any zero point, ReLU / ReLU6 / none),
 * and final stores wider than the qbuf (COST_QBUF_WORDS x pe_cols channels: cut in chunks). */
static void sim_should_be_bit_exact_through_the_output_stage_on_its_whole_range(void)
{
	struct hw_config ws = small_hw(2, 1, HW_WS, 8, 32, 1);
	struct hw_config is = small_hw(2, 2, HW_IS, 4, 20, 0);
	struct sim_options o;

	sim_options_init(&o);
	o.outq_full = 1;
	for (int i = 0; i < 2; i++) {
		const struct hw_config *hw = i ? &is : &ws;
		struct arch_layer fc = arch_fc("fc_wide", 2, 3, 150);
		struct arch_layer g = arch_matmul("gemm", 1, 13, 11, 7);
		/* 150 channels in one tile: 64 x 1 = 64 per chunk on 2x1 (3 chunks), 128 on 2x2 */
		check_layer_opt(&fc, hw, &(struct map_tiling){ 2, 150, 3, MAP_MNK }, &o);
		check_layer_opt(&fc, hw, &(struct map_tiling){ 1, 70, 2, MAP_NKM }, &o);
		for (uint64_t seed = 1; seed <= 3; seed++) {
			o.seed = seed;
			check_layer_opt(&g, hw, &(struct map_tiling){ 5, 3, 4, MAP_KMN }, &o);
		}
		o.seed = 1;
	}
	/* realistic parameters: the outputs spread over the act_bits range */
	{
		struct arch_layer l = arch_conv("conv3x3", 1, 8, 6, 6, 5, 3, 1, 1, 1);
		struct map_tiling m;
		map_default(&l, &ws, &m);
		check_layer(&l, &ws, &m);
	}
}

/* The vector unit (docs/rtl.md "Vector unit"): max and average pooling with padding and
 * strides, a global average, and residual adds, with realistic and whole-range parameters,
 * bit-exact and cycle-exact against the model, on 8 and 4 bits, 1, 2 and 3 lanes. */
static void sim_should_run_pooling_and_adds_on_the_vector_unit(void)
{
	const struct hw_config cfgs[3] = {
		small_hw(2, 2, HW_WS, 8, 32, 1), small_hw(3, 3, HW_OS, 4, 12, 0),
		small_hw(2, 1, HW_IS, 8, 24, 1),
	};
	struct map_tiling none = tiling(1, 1, 1, MAP_MNK);
	struct sim_options o;

	sim_options_init(&o);
	for (int i = 0; i < 3; i++) {
		struct arch_layer ls[5] = {
			arch_pool("maxpool", 1, 5, 7, 7, 3, 2, 1, 1),
			arch_pool("avgpool", 2, 4, 6, 6, 2, 2, 0, 0),
			arch_pool("avgpool3", 1, 3, 5, 5, 3, 1, 1, 0),
			arch_pool("gap", 1, 7, 4, 4, 4, 1, 0, 0),
			arch_add("add", 1, 5, 4, 3),
		};
		for (int j = 0; j < 5; j++)
			for (int full = 0; full < (j == 4 ? 3 : 1); full++) {
				o.outq_full = full > 0;
				o.seed = (uint64_t)(1 + full);
				check_layer_opt(&ls[j], &cfgs[i], &none, &o);
			}
	}
}

static void sim_should_be_bit_exact_on_2x2_ws_8bit_single_buffered(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	run_shapes(&hw);
}

/* A depthwise output tile is one element per C-lane obuf word: with 16 columns and a short
 * latency its store is bus-bound; the model charges exactly those cycles (the line floor of
 * docs/model.md), so none are left over as dma_bus_extra. */
static void sim_should_account_for_bus_bound_narrow_tiles_exactly(void)
{
	struct hw_config hw = small_hw(4, 16, HW_WS, 8, 32, 0);
	struct arch_layer l = arch_conv("dwconv", 1, 6, 5, 5, 6, 3, 1, 1, 6);
	struct map_tiling m = tiling(25, 1, 9, MAP_MNK);
	struct sim_result r;
	struct hn_err err = { 0 };

	check_layer(&l, &hw, &m);
	CHECK(sim_layer(&l, &hw, &m, NULL, &r, &err) == 0);
	CHECK_EQ_I64(r.dma_bus_extra, 0);
}

static void sim_should_be_bit_exact_on_4x4_os_8bit_double_buffered(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	run_shapes(&hw);
}

static void sim_should_be_bit_exact_on_3x2_is_16bit_double_buffered(void)
{
	struct hw_config hw = small_hw(3, 2, HW_IS, 16, 40, 1);
	hw.ibuf_bytes = hw.wbuf_bytes = 4096;
	hw.obuf_bytes = 8192;
	run_shapes(&hw);
}

static void sim_should_be_bit_exact_on_4x4_ws_4bit_with_wrapping_accumulator(void)
{
	/* acc 10 bits: sums of 4x4-bit products overflow and wrap, as the reference does */
	struct hw_config hw = small_hw(4, 4, HW_WS, 4, 10, 1);
	run_shapes(&hw);
}

/* A compute-bound double-buffered layer: loads hide behind compute, so the RTL matches the
 * model's max(t(A0) + t(B0) + compute + t(C_last), mem) exactly. */
static void sim_should_match_the_model_exactly_when_compute_bound(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct arch_layer l = arch_matmul("cbound", 1, 40, 30, 20);
	struct map_tiling m = tiling(8, 8, 20, MAP_MNK);
	struct sim_result r;
	struct cost_report c;
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };

	hw.dram_gbps = 40;
	hw.dram_latency_cycles = 3;
	CHECK(sim_layer(&l, &hw, &m, NULL, &r, &err) == 0);
	CHECK(cost_layer(&l, &hw, &m, &e, &c) == 0);
	CHECK(r.bit_exact);
	CHECK(!c.memory_bound);
	CHECK_EQ_I64(r.rtl_cycles, c.cycles);
}

static void sim_should_reuse_the_cached_model(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct sim_rtl_params p;
	char exe[512];
	int built = 1;
	double secs;
	struct hn_err err = { 0 };

	sim_rtl_params_from_hw(&hw, &p);
	CHECK(sim_build(&p, NULL, exe, sizeof(exe), &built, &secs, &err) == 0);
	CHECK(built == 0);
	CHECK(access(exe, X_OK) == 0);
}

/* Runs the cached 2x2 harness on a program text; returns its exit code and the results
 * file's text in res. */
static int run_harness_on(const char *prog, char *res, size_t n)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct sim_rtl_params p;
	char exe[512], dir[] = "/tmp/hwnas-harness-XXXXXX", cmd[2048], path[600];
	int built, rc;
	double secs;
	FILE *f;

	sim_rtl_params_from_hw(&hw, &p);
	if (sim_build(&p, NULL, exe, sizeof(exe), &built, &secs, NULL) != 0 || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/prog", dir);
	f = fopen(path, "w");
	fputs(prog, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s/prog %s/res %s/dump 2>/dev/null", exe, dir, dir, dir);
	rc = system(cmd);
	snprintf(path, sizeof(path), "%s/res", dir);
	res[0] = '\0';
	if ((f = fopen(path, "r"))) {
		size_t got = fread(res, 1, n - 1, f);
		res[got] = '\0';
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	return rc;
}

#define H "hwnas-sim-program 1\n"
static void harness_should_refuse_malformed_programs_without_crashing(void)
{
	static const char *const bad[][2] = {
		{ H "bw nan\nlatency 10\nmemory /dev/null 0\n", "bw must be a finite number > 0" },
		{ H "bw 4\nlatency 10\nmemory /dev/null -5\n", "memory size out of range" },
		{ H "bw 4\nlatency 10\nmemory /dev/null 0\ndump 9223372036854775800 100\n",
		  "dump region outside the memory" },
		{ H "bw 4\nfrobnicate 1\n", "unknown line" },
		{ "hwnas-sim-program 9\n", "bad header" },
	};
	char res[1024];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = run_harness_on(bad[i][0], res, sizeof(res));
		CHECK(rc > 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 2); /* an error, not a signal */
		CHECK_STR_CONTAINS(res, bad[i][1]);
	}
}

/* Copies the RTL and harness sources to a temporary tree; returns it in dir. */
static int copy_sources(char *dir, size_t n)
{
	char cmd[1024];
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;

	snprintf(dir, n, "/tmp/hwnas-test-src-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sim && cp -r %s/rtl %s/ && cp -r %s/sim/harness "
		 "%s/sim/", dir, src, dir, src, dir);
	return system(cmd);
}

static void sim_should_report_a_failed_build_as_an_error_with_the_log(void)
{
	char dir[256], cache[256], path[512], cmd[700];
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct arch_layer l = arch_matmul("gemm", 1, 3, 3, 3);
	struct map_tiling m = tiling(3, 3, 3, MAP_MNK);
	struct sim_options o;
	struct sim_result r;
	struct hn_err err = { 0 };
	FILE *f;

	CHECK(copy_sources(dir, sizeof(dir)) == 0);
	snprintf(path, sizeof(path), "%s/rtl/hwnas_top.v", dir);
	f = fopen(path, "a");
	CHECK(f != NULL);
	if (f) {
		fputs("module broken(input wire a); assign b = ; endmodule\n", f);
		fclose(f);
	}
	snprintf(cache, sizeof(cache), "/tmp/hwnas-test-cache-XXXXXX");
	CHECK(mkdtemp(cache) != NULL);
	sim_options_init(&o);
	o.srcdir = dir;
	o.cache_dir = cache;
	CHECK_EQ_I64(sim_layer(&l, &hw, &m, &o, &r, &err), HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "verilator build");
	CHECK_STR_CONTAINS(err.msg, "log: ");
	const char *log = strstr(err.msg, "log: ");
	CHECK(log && access(log + 5, R_OK) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, cache);
	CHECK(system(cmd) == 0);
}

static void sim_should_report_a_timeout_as_an_error(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct arch_layer l = arch_matmul("slow", 1, 64, 64, 64);
	struct map_tiling m = tiling(16, 16, 16, MAP_MNK);
	struct sim_options o;
	struct sim_result r;
	struct hn_err err = { 0 };

	sim_options_init(&o);
	o.run_timeout_s = 1e-4;
	CHECK_EQ_I64(sim_layer(&l, &hw, &m, &o, &r, &err), HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "timed out");
}

static void sim_should_refuse_bad_tilings(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct arch_layer l = arch_matmul("gemm", 1, 64, 64, 64);
	struct map_tiling m = tiling(64, 64, 64, MAP_MNK);
	struct sim_result r;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(sim_layer(&l, &hw, &m, NULL, &r, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "does not fit");
}

/* Legal configs beyond what a simulation takes are refused with the limit, not crashed on:
 * arrays above 128 and buffers whose one-word-per-element memories exceed 1 GiB. */
static void sim_should_refuse_configs_beyond_the_simulated_range(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct hn_err err = { 0 };

	CHECK(sim_check_hw(&hw, &err) == 0);
	hw.pe_rows = 129;
	CHECK(hw_config_check(&hw, NULL, &err) == 0);
	CHECK_EQ_I64(sim_check_hw(&hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the array must be 1..128 x 1..128, got 129 x 2");
	hw = small_hw(16, 16, HW_WS, 8, 32, 1);
	hw.ibuf_bytes = (int64_t)1 << 30;
	CHECK(hw_config_check(&hw, NULL, &err) == 0);
	CHECK_EQ_I64(sim_check_hw(&hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the buffers would take 16385 MiB of simulated memory (ibuf_bytes 16384 MiB");
	CHECK_STR_CONTAINS(err.msg, "at most 1024 MiB");
	hw.ibuf_bytes = (int64_t)1 << 22; /* 4 MiB: 256 Mibit of words */
	CHECK(sim_check_hw(&hw, &err) == 0);
}

/* Two processes building the same model into an empty cache both succeed. */
static void sim_should_build_safely_from_two_processes_at_once(void)
{
	char cache[256], cmd[300];
	struct hw_config hw = small_hw(1, 2, HW_WS, 8, 32, 0);
	struct sim_rtl_params p;
	pid_t kids[2];

	snprintf(cache, sizeof(cache), "/tmp/hwnas-test-cache-XXXXXX");
	CHECK(mkdtemp(cache) != NULL);
	sim_rtl_params_from_hw(&hw, &p);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct sim_options o;
			char exe[512];
			int built;
			double secs;
			sim_options_init(&o);
			o.cache_dir = cache;
			_exit(sim_build(&p, &o, exe, sizeof(exe), &built, &secs, NULL) == 0 &&
			      access(exe, X_OK) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 2; i++) {
		int st = 1;
		CHECK(kids[i] > 0 && waitpid(kids[i], &st, 0) == kids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache);
	CHECK(system(cmd) == 0);
}

/* Packed MACs (docs/rtl.md "Packed MACs"): odd array sides, so blocks narrower than a pair
 * or a 2 x 2 occur at the edges; the widths at both ends of each packing's range. */
static void sim_should_be_bit_exact_with_packed_macs(void)
{
	static const struct { int r, c; enum hw_dataflow df; int a, w, acc;
			      enum hw_packing pk; int db; } cfg[] = {
		{ 3, 5, HW_WS, 8, 8, 32, HW_PACK_DSP2, 1 },
		{ 3, 5, HW_OS, 4, 4, 12, HW_PACK_DSP4, 0 },
		{ 4, 3, HW_IS, 4, 8, 24, HW_PACK_LUT, 1 },
	};

	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		struct hw_config hw = small_hw(cfg[i].r, cfg[i].c, cfg[i].df, cfg[i].a, cfg[i].acc,
					       cfg[i].db);
		hw.weight_bits = cfg[i].w;
		hw.mac_packing = cfg[i].pk;
		CHECK(hw_config_check(&hw, NULL, &(struct hn_err){ 0 }) == 0);
		run_shapes(&hw);
	}
}

/* HWNAS_LONG=1: the other packings and larger packed arrays (16x16 and above). */
static void sim_should_be_bit_exact_with_packed_macs_long(void)
{
	static const struct { int r, c; enum hw_dataflow df; int a, w, acc;
			      enum hw_packing pk; int db; } cfg[] = {
		{ 4, 3, HW_IS, 4, 8, 24, HW_PACK_DSP2, 0 },
		{ 3, 3, HW_OS, 8, 8, 16, HW_PACK_DSP2, 1 },
		{ 2, 4, HW_WS, 4, 4, 8, HW_PACK_DSP2, 1 },
		{ 4, 4, HW_OS, 4, 4, 8, HW_PACK_DSP4, 1 },
		{ 3, 2, HW_OS, 4, 4, 16, HW_PACK_LUT, 0 },
		{ 2, 3, HW_WS, 16, 4, 20, HW_PACK_LUT, 1 },
		{ 16, 16, HW_WS, 8, 8, 32, HW_PACK_DSP2, 1 },
		{ 16, 16, HW_OS, 4, 4, 16, HW_PACK_DSP4, 1 },
		{ 17, 16, HW_IS, 8, 4, 24, HW_PACK_DSP2, 1 },
	};

	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		struct hw_config hw = small_hw(cfg[i].r, cfg[i].c, cfg[i].df, cfg[i].a, cfg[i].acc,
					       cfg[i].db);
		hw.weight_bits = cfg[i].w;
		hw.mac_packing = cfg[i].pk;
		hw.ibuf_bytes = hw.wbuf_bytes = 8192;
		hw.obuf_bytes = 16384;
		CHECK(hw_config_check(&hw, NULL, &(struct hn_err){ 0 }) == 0);
		run_shapes(&hw);
		struct arch_layer l = arch_conv("conv_big", 1, 16, 12, 12, 24, 3, 1, 1, 1);
		struct map_tiling m;
		map_default(&l, &hw, &m);
		check_layer(&l, &hw, &m);
	}
}

/* hwnas_pkmul, every packing rtl/ instantiates, against the integer products: the operands'
 * corner values (both packed values at their minimum overflowed a packed operand one bit
 * too narrow: 32,640 of 2^25 products of dsp2 at 8 bits were wrong) and random pairs;
 * exhaustive with HWNAS_LONG=1 (sim/harness/pkmul_check.cpp). */
static void pkmul_should_give_every_product_of_every_packing(int all)
{
	char dir[] = "/tmp/hwnas-pkmul-XXXXXX", cmd[4096];

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(cmd, sizeof(cmd), "cd %s && verilator --cc --exe --build -O1 -Wall -Wno-fatal "
		 "--top-module pkmul_check -Mdir obj %s/sim/harness/pkmul_check.v "
		 "%s/rtl/hwnas_pkmul.v %s/sim/harness/pkmul_check.cpp > build.log 2>&1 && "
		 "./obj/Vpkmul_check %s", dir, HWNAS_SRCDIR, HWNAS_SRCDIR, HWNAS_SRCDIR,
		 all ? "all" : "quick");
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void pkmul_should_give_every_product_quick(void)
{
	pkmul_should_give_every_product_of_every_packing(0);
}

static void pkmul_should_give_every_product_exhaustively(void)
{
	pkmul_should_give_every_product_of_every_packing(1);
}

/* hwnas_requant at every width rtl/ builds it with (4 to 16 act bits, 5 to 65 acc bits: the
 * vector unit's lanes at acc_bits, the output stage's at acc_bits + 1) against the output
 * stage's formula on 128-bit integers: corner values, every shift, random draws; and 0 out
 * without en (sim/harness/requant_check.cpp). The lane computes at max(64, acc + 31) bits
 * since issue 19 (acc + 33 before); one bit fewer fails it. */
static void requant_should_equal_the_formula_at_every_width(void)
{
	char dir[] = "/tmp/hwnas-requant-XXXXXX", cmd[4096];

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(cmd, sizeof(cmd), "cd %s && verilator --cc --exe --build -O1 -Wall -Wno-fatal "
		 "--top-module requant_check -Mdir obj %s/sim/harness/requant_check.v "
		 "%s/rtl/hwnas_requant.v %s/sim/harness/requant_check.cpp > build.log 2>&1 && "
		 "./obj/Vrequant_check", dir, HWNAS_SRCDIR, HWNAS_SRCDIR, HWNAS_SRCDIR);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* HWNAS_LONG=1: larger arrays, all dataflows, 4/8/16 bits, single and double buffering. */
static void sim_should_be_bit_exact_on_the_long_sweep(void)
{
	static const int shapes[][2] = { { 8, 8 }, { 4, 16 } };
	static const int bits[][2] = { { 4, 16 }, { 8, 32 }, { 16, 48 } };

	for (int s = 0; s < 2; s++)
		for (int df = 0; df < 3; df++)
			for (int b = 0; b < 3; b++) {
				struct hw_config hw = small_hw(shapes[s][0], shapes[s][1],
							       (enum hw_dataflow)df, bits[b][0],
							       bits[b][1], (s + df + b) % 2);
				hw.ibuf_bytes = hw.wbuf_bytes = 8192;
				hw.obuf_bytes = 16384;
				run_shapes(&hw);
				struct arch_layer l = arch_conv("conv_big", 1, 16, 12, 12, 24, 3, 1, 1, 1);
				struct map_tiling m;
				map_default(&l, &hw, &m);
				check_layer(&l, &hw, &m);
			}
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static int64_t rnd_in(int64_t lo, int64_t hi)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return lo + (int64_t)(rng_state % (uint64_t)(hi - lo + 1));
}

static void model_should_equal_the_tile_programs_makespan_on_random_layers(void)
{
	/* No RTL: sim_prog_build's own program (dependencies, DMA order, halves) through the two
	 * queues, against cost_layer's step walk; many more shapes than a simulation affords. */
	struct hw_energy e = hw_energy_default();
	int n = 0, diff = 0;

	for (int it = 0; it < 1500; it++) {
		struct hw_config hw = small_hw((int)rnd_in(1, 6), (int)rnd_in(1, 6),
					       (enum hw_dataflow)rnd_in(0, 2),
					       (int)(4 << rnd_in(0, 2)), 32, (int)rnd_in(0, 1));
		int64_t G = rnd_in(1, 3), M = rnd_in(1, 40), N = rnd_in(1, 30), K = rnd_in(1, 30);
		struct arch_layer l = it % 3 ? arch_matmul("mm", G, M, K, N) :
			arch_conv("conv", 1, G * rnd_in(1, 3), rnd_in(2, 6), rnd_in(2, 6),
				  G * rnd_in(1, 4), rnd_in(1, 3), 1, 1, (int32_t)G);
		struct arch_gemm g = arch_gemm(&l);
		struct map_tiling t = { rnd_in(1, g.m), rnd_in(1, g.n), rnd_in(1, g.k),
					(enum map_order)rnd_in(0, 5) };
		struct cost_report c;
		struct hn_err err = { 0 };
		int64_t pc = -1;

		hw.dram_gbps = 0.1 * (double)rnd_in(1, 64);
		hw.dram_latency_cycles = (int)rnd_in(1, 40);
		hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 1 << 20;
		if (cost_layer(&l, &hw, &t, &e, &c) || !c.feasible)
			continue;
		if (sim_program_cycles(&l, &hw, &t, &pc, &err)) {
			fprintf(stderr, "  %s\n", err.msg);
			CHECK(0);
			continue;
		}
		n++;
		if (pc != c.cycles && diff++ < 5)
			fprintf(stderr, "  %s g %lld m %lld n %lld k %lld tiles %lld %lld %lld %s on %dx%d "
				"%s db %d: program %lld model %lld\n", l.name, (long long)g.g,
				(long long)g.m, (long long)g.n, (long long)g.k, (long long)t.tm,
				(long long)t.tn, (long long)t.tk, map_order_name(t.order), hw.pe_rows,
				hw.pe_cols, hw_dataflow_name(hw.dataflow), hw.double_buffer,
				(long long)pc, (long long)c.cycles);
	}
	printf("  %d random layers: the model equals the program's makespan on %d\n", n, n - diff);
	CHECK(n >= 1000);
	CHECK_EQ_I64(diff, 0);
}

int main(void)
{
	const char *lg = getenv("HWNAS_LONG");

	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(model_should_equal_the_tile_programs_makespan_on_random_layers);
	RUN(output_stage_should_equal_gemmlowps_arithmetic);
	RUN(sim_should_refuse_bad_tilings);
	RUN(sim_should_refuse_configs_beyond_the_simulated_range);
	RUN(sim_should_be_bit_exact_on_2x2_ws_8bit_single_buffered);
	RUN(sim_should_be_bit_exact_on_4x4_os_8bit_double_buffered);
	RUN(sim_should_account_for_bus_bound_narrow_tiles_exactly);
	RUN(sim_should_be_bit_exact_on_3x2_is_16bit_double_buffered);
	RUN(sim_should_be_bit_exact_on_4x4_ws_4bit_with_wrapping_accumulator);
	RUN(sim_should_match_the_model_exactly_when_compute_bound);
	RUN(pkmul_should_give_every_product_quick);
	RUN(requant_should_equal_the_formula_at_every_width);
	RUN(sim_should_be_bit_exact_with_packed_macs);
	RUN(sim_should_be_bit_exact_through_the_output_stage_on_its_whole_range);
	RUN(sim_should_run_pooling_and_adds_on_the_vector_unit);
	RUN(sim_should_reuse_the_cached_model);
	RUN(harness_should_refuse_malformed_programs_without_crashing);
	RUN(sim_should_report_a_timeout_as_an_error);
	RUN(sim_should_report_a_failed_build_as_an_error_with_the_log);
	RUN(sim_should_build_safely_from_two_processes_at_once);
	if (lg && !strcmp(lg, "1")) {
		RUN(sim_should_be_bit_exact_on_the_long_sweep);
		RUN(pkmul_should_give_every_product_exhaustively);
		RUN(sim_should_be_bit_exact_with_packed_macs_long);
	}
	return TEST_SUMMARY();
}
