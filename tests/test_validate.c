/* test_validate.c: the calibration (fit, apply, file), Kendall's tau-b, and the model against
 * the RTL on a small sweep with asserted bounds (docs/validation.md).
 *
 * make test runs the sweep on the configs tests/test_sim.c already builds (cached); with
 * HWNAS_LONG=1 the sweep covers the twelve configs of tests/data/validate/ and asserts the
 * figures docs/validation.md reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "../sim/sim.h"

static void calibration_should_recover_a_linear_stall_law(void)
{
	struct cost_calib_sample s[8];
	struct cost_calib c;

	/* rtl stall = 1.5 x model stall + 20 on ws double-buffered */
	for (int i = 0; i < 8; i++) {
		int64_t comp = 1000 + 100 * i, stall = 50 * i;
		s[i] = (struct cost_calib_sample){ HW_WS, 1, comp, comp + stall, comp + stall,
			comp + (int64_t)(1.5 * (double)stall) + 20 };
	}
	cost_calib_fit(&c, s, 8);
	CHECK_EQ_I64(c.cls[HW_WS][1].n, 8);
	CHECK_NEAR(c.cls[HW_WS][1].a, 1.5, 1e-9);
	CHECK_NEAR(c.cls[HW_WS][1].b, 20.0, 1e-6);
	/* other classes: the identity */
	CHECK_EQ_I64(c.cls[HW_OS][1].n, 0);
	CHECK_NEAR(c.cls[HW_OS][1].a, 1.0, 0);
}

static void calibration_should_keep_the_identity_below_three_samples(void)
{
	struct cost_calib_sample s[2] = { { HW_IS, 0, 100, 50, 150, 170 },
					  { HW_IS, 0, 200, 50, 250, 280 } };
	struct cost_calib c;

	cost_calib_fit(&c, s, 2);
	CHECK_EQ_I64(c.cls[HW_IS][0].n, 0);
}

static void calibrated_cycles_should_never_beat_the_array_or_the_dma(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct arch_layer l = arch_fc("fc", 64, 64, 64);
	struct map_tiling t = { 16, 16, 16, MAP_MNK };
	struct cost_report r;
	struct cost_calib c;

	hw.double_buffer = 1;
	cost_calib_init(&c);
	CHECK(cost_layer(&l, &hw, &t, &e, &r) == 0);
	CHECK_EQ_I64(cost_calib_cycles(&c, &hw, &r), r.cycles); /* identity */
	c.cls[hw.dataflow][1] = (struct cost_calib_class){ 5, 0.0, -1e6 };
	CHECK_EQ_I64(cost_calib_cycles(&c, &hw, &r), hn_max64(r.compute_cycles, r.mem_cycles));
	c.cls[hw.dataflow][1] = (struct cost_calib_class){ 5, 1.0, 100.0 };
	int64_t before = r.cycles;
	double st = r.energy_pj[COST_E_STATIC];
	cost_calib_apply(&c, &hw, &r);
	CHECK_EQ_I64(r.cycles, before + 100);
	CHECK_EQ_I64(r.stall_cycles, r.cycles - r.compute_cycles);
	CHECK_NEAR(r.energy_pj[COST_E_STATIC], st * (double)(before + 100) / (double)before, 1e-9);
}

static void kendall_tau_b_should_match_hand_computed_values(void)
{
	const double x[4] = { 1, 2, 3, 4 }, up[4] = { 10, 20, 30, 40 }, down[4] = { 4, 3, 2, 1 };
	const double xt[4] = { 1, 2, 2, 3 }, yt[4] = { 1, 3, 2, 4 };

	CHECK_NEAR(cost_kendall_tau_b(x, up, 4), 1.0, 1e-12);
	CHECK_NEAR(cost_kendall_tau_b(x, down, 4), -1.0, 1e-12);
	/* pairs: (1,2) c, (1,3) c, (1,4) c, (2,3) tie in x, (2,4) c, (3,4) c: 5 concordant, 0
	 * discordant, 1 tie in x only: 5 / sqrt(6 x 5) */
	CHECK_NEAR(cost_kendall_tau_b(xt, yt, 4), 5.0 / sqrt(30.0), 1e-12);
}

static void calibration_file_should_round_trip_and_name_bad_fields(void)
{
	struct cost_calib c, d;
	struct hn_err err = { 0 };
	char path[] = "/tmp/hwnas-calib-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char *text;

	CHECK(fd >= 0);
	cost_calib_init(&c);
	c.cls[HW_OS][1] = (struct cost_calib_class){ 12, 1.25, -7.5 };
	text = cost_calib_to_json(&c);
	CHECK(text != NULL);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	CHECK(cost_calib_load(path, &d, &err) == 0);
	CHECK_EQ_I64(d.cls[HW_OS][1].n, 12);
	CHECK_NEAR(d.cls[HW_OS][1].a, 1.25, 0);
	CHECK_NEAR(d.cls[HW_OS][1].b, -7.5, 0);
	CHECK_EQ_I64(d.cls[HW_WS][0].n, 0);

	f = fopen(path, "w");
	fputs("{\"format\": \"hwnas-calibration\", \"classes\": [{\"dataflow\": \"xs\", "
	      "\"double_buffer\": true, \"a\": 1, \"b\": 0}]}", f);
	fclose(f);
	CHECK(cost_calib_load(path, &d, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "classes[0]: 'dataflow'");
	f = fopen(path, "w");
	fputs("{\"format\": \"hwnas-calibration\", \"classes\": [{\"dataflow\": \"ws\", "
	      "\"double_buffer\": 1, \"a\": 1, \"b\": 0}]}", f);
	fclose(f);
	CHECK(cost_calib_load(path, &d, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'double_buffer' must be true or false");
	unlink(path);
	CHECK(cost_calib_load(path, &d, &err) == HN_EIO);
}

/* ---- the sweep ---- */

struct sweep {
	int n, n_exact, exact_ok;
	double sum, max;
	int n_wrong;             /* points where the model's cycles are not the RTL's */
};

static void sweep_net(struct sweep *sw, const char *net_path, const struct hw_config *hw)
{
	struct arch_net net = { 0 };
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct cost_net_opts co;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", HWNAS_SRCDIR, net_path);
	CHECK(arch_net_resolve(path, 1, &net, &err) == 0);
	cost_net_opts_init(&co);
	co.energy = &e;
	for (int i = 0; i < net.n_layers; i++) {
		const struct arch_layer *l = &net.layers[i];
		struct cost_net_row mr;
		struct sim_result r;
		if (arch_gemm(l).g == 0 || arch_layer_macs(l) > 2000000)
			continue;
		CHECK(cost_net_layer(l, hw, &co, &mr, &err) == 0 && mr.fits);
		if (sim_layer(l, hw, &mr.tiling, NULL, &r, &err)) {
			fprintf(stderr, "  %s: %s\n", l->name, err.msg);
			CHECK(0);
			continue;
		}
		CHECK(r.bit_exact);
		double pe = 100.0 * (double)(mr.cost.cycles - r.rtl_cycles) / (double)r.rtl_cycles;
		int stall_free = !hw->double_buffer ||
			r.rtl_cycles == r.first_load_cycles + r.compute_cycles + r.last_store_cycles;
		sw->n++;
		sw->sum += fabs(pe);
		sw->max = fmax(sw->max, fabs(pe));
		if (mr.cost.cycles != r.rtl_cycles) {
			fprintf(stderr, "  %s: model %lld != rtl %lld\n", l->name,
				(long long)mr.cost.cycles, (long long)r.rtl_cycles);
			sw->n_wrong++;
		}
		if (stall_free) {
			sw->n_exact++;
			if (mr.cost.cycles != r.rtl_cycles) {
				fprintf(stderr, "  %s: stall-free but model %lld != rtl %lld\n", l->name,
					(long long)mr.cost.cycles, (long long)r.rtl_cycles);
				sw->exact_ok = 0;
			}
		}
	}
	arch_net_release(&net);
}

static struct hw_config test_sim_hw(int rows, int cols, enum hw_dataflow df, int bits, int acc,
				    int dbuf)
{
	struct hw_config hw = hw_config_default();

	/* tests/test_sim.c's small_hw: its verilated models are already cached */
	hw.pe_rows = rows;
	hw.pe_cols = cols;
	hw.dataflow = df;
	hw.act_bits = hw.weight_bits = bits;
	hw.acc_bits = acc;
	hw.double_buffer = dbuf;
	hw.ibuf_bytes = hw.wbuf_bytes = 2048;
	hw.obuf_bytes = 4096;
	hw.dram_latency_cycles = 20;
	hw.dram_gbps = 1.6;
	hw.device[0] = '\0';
	return hw;
}

static void model_should_agree_with_the_rtl_on_a_small_sweep(void)
{
	struct hw_config hws[3] = {
		test_sim_hw(2, 2, HW_WS, 8, 32, 0),
		test_sim_hw(4, 4, HW_OS, 8, 32, 1),
		test_sim_hw(4, 4, HW_WS, 4, 10, 1),
	};
	struct sweep sw = { 0, 0, 1, 0, 0, 0 };

	for (int h = 0; h < 3; h++)
		sweep_net(&sw, "tests/data/validate/v_tiny.json", &hws[h]);
	printf("  small sweep: %d points, MAPE %.3f%%, max %.2f%%, %d stall-free (exact: %s)\n",
	       sw.n, sw.n ? sw.sum / sw.n : 0, sw.max, sw.n_exact, sw.exact_ok ? "yes" : "no");
	CHECK_EQ_I64(sw.n, 15);
	CHECK(sw.exact_ok);
	CHECK(sw.n_exact >= 5);
	/* the model walks the RTL's tile program: exact on every point (docs/validation.md) */
	CHECK_EQ_I64(sw.n_wrong, 0);
	CHECK(sw.max == 0.0);
}

static void model_should_agree_with_the_rtl_on_the_long_sweep(void)
{
	static const char *const hws[] = {
		"hw_ws4_8b_s_small", "hw_ws4_8b_d_lowbw", "hw_ws8_16b_d_large", "hw_ws4_4b_d_small",
		"hw_os4_8b_d_small", "hw_os4_16b_s_lowbw", "hw_os8x4_4b_d_lowbw", "hw_os4_8b_d_fast",
		"hw_is4_8b_s_large", "hw_is4_16b_d_small", "hw_is4x8_4b_d_large", "hw_is4_8b_d_lowbw",
	};
	static const char *const nets[] = { "v_cnn", "v_attn", "v_tiny" };
	struct sweep sw = { 0, 0, 1, 0, 0, 0 };

	for (size_t h = 0; h < sizeof(hws) / sizeof(hws[0]); h++) {
		struct hw_config hw;
		struct hn_err err = { 0 };
		char path[512], np[128];
		snprintf(path, sizeof(path), "%s/tests/data/validate/%s.json", HWNAS_SRCDIR, hws[h]);
		CHECK(hw_config_load(path, &hw, &err) == 0);
		for (int n = 0; n < 3; n++) {
			snprintf(np, sizeof(np), "tests/data/validate/%s.json", nets[n]);
			sweep_net(&sw, np, &hw);
		}
	}
	printf("  long sweep: %d points, MAPE %.3f%%, max %.2f%%, %d stall-free (exact: %s)\n",
	       sw.n, sw.n ? sw.sum / sw.n : 0, sw.max, sw.n_exact, sw.exact_ok ? "yes" : "no");
	CHECK(sw.n >= 60);
	CHECK(sw.exact_ok);
	CHECK_EQ_I64(sw.n_wrong, 0);
	CHECK(sw.max == 0.0);
}

int main(void)
{
	RUN(calibration_should_recover_a_linear_stall_law);
	RUN(calibration_should_keep_the_identity_below_three_samples);
	RUN(calibrated_cycles_should_never_beat_the_array_or_the_dma);
	RUN(kendall_tau_b_should_match_hand_computed_values);
	RUN(calibration_file_should_round_trip_and_name_bad_fields);
	RUN(model_should_agree_with_the_rtl_on_a_small_sweep);
	if (getenv("HWNAS_LONG") && getenv("HWNAS_LONG")[0] == '1')
		RUN(model_should_agree_with_the_rtl_on_the_long_sweep);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed != 0;
}
