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
#include "test_small_hw.h" /* test_sim.c's configs: their verilated models are already cached */

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

/* ---- the statistics (pure, hand-computed) ---- */

static struct sim_val_point val_point(enum hw_dataflow df, int dbuf, int mem_bound,
				      int64_t cycles, int64_t rtl)
{
	struct sim_val_point p;

	memset(&p, 0, sizeof(p));
	p.hwc = hw_config_default();
	p.hwc.dataflow = df;
	p.hwc.double_buffer = dbuf;
	p.cost.feasible = 1;
	p.cost.gemm.g = 1;
	p.cost.cycles = cycles;
	p.cost.compute_cycles = 50;
	p.cost.mem_cycles = 60;
	p.cost.cycles_bound = 50;
	p.cost.memory_bound = mem_bound;
	p.res.rtl_cycles = rtl;
	p.res.bit_exact = 1;
	p.err = 100.0 * (double)(cycles - rtl) / (double)rtl;
	p.stall_free = !dbuf;
	return p;
}

static void validate_summary_should_match_hand_computed_statistics(void)
{
	struct sim_val_point p[4] = {
		val_point(HW_WS, 0, 0, 100, 100),  /* err 0 */
		val_point(HW_OS, 1, 1, 110, 100),  /* +10 */
		val_point(HW_WS, 1, 1, 90, 100),   /* -10 */
		val_point(HW_IS, 0, 0, 200, 250),  /* -20 */
	};
	struct sim_val_summary s;
	struct cost_calib given;
	struct hn_err err = { 0 };

	CHECK(sim_validate_summarize(p, 4, NULL, &s, &err) == 0);
	CHECK_EQ_I64(s.all.n, 4);
	CHECK_NEAR(s.all.mape, 10.0, 1e-12);
	CHECK_NEAR(s.all.max_err, 20.0, 1e-12);
	/* pairs: 3 concordant (with point 3), 3 tied in the RTL only: 3 / sqrt(3 x 6) */
	CHECK_NEAR(s.all.tau, 3.0 / sqrt(18.0), 1e-12);
	CHECK_EQ_I64(s.by_df[HW_WS].n, 2);
	CHECK_NEAR(s.by_df[HW_WS].mape, 5.0, 1e-12);
	CHECK_EQ_I64(s.by_df[HW_OS].n, 1);
	CHECK_NEAR(s.by_df[HW_IS].max_err, 20.0, 1e-12);
	CHECK_EQ_I64(s.by_bound[1].n, 2);
	CHECK_NEAR(s.by_bound[1].mape, 10.0, 1e-12);
	CHECK_EQ_I64(s.by_dbuf[0].n, 2);
	CHECK_NEAR(s.by_dbuf[0].mape, 10.0, 1e-12);
	CHECK_EQ_I64(s.stall_free.n, 2);
	/* even points fit, odd points held out */
	CHECK_EQ_I64(s.fitset.n, 2);
	CHECK_NEAR(s.fitset.mape, 5.0, 1e-12);
	CHECK_EQ_I64(s.heldout.n, 2);
	CHECK_NEAR(s.heldout.mape, 15.0, 1e-12);
	/* the bound, 50 cycles: 50, 50, 50 and 80 % off */
	CHECK_NEAR(s.bound_mape, 57.5, 1e-12);
	CHECK_NEAR(s.bound_max, 80.0, 1e-12);
	/* fewer than 3 samples per class: the identity, calibrated = model */
	CHECK_EQ_I64(p[3].calib_cycles, 200);
	CHECK_NEAR(s.all.mape_cal, 10.0, 1e-12);
	CHECK_EQ_I64(p[1].seq, 1);

	/* a given calibration is applied as it is: +10 cycles on ws single-buffered */
	cost_calib_init(&given);
	given.cls[HW_WS][0] = (struct cost_calib_class){ 3, 1.0, 10.0 };
	CHECK(sim_validate_summarize(p, 4, &given, &s, &err) == 0);
	CHECK_EQ_I64(s.applied.cls[HW_WS][0].n, 3);
	CHECK_EQ_I64(p[0].calib_cycles, 110);
	CHECK_NEAR(p[0].err_cal, 10.0, 1e-12);
	CHECK_NEAR(s.all.mape_cal, (10.0 + 10 + 10 + 20) / 4, 1e-12);
}

static void validate_should_pick_evenly_spaced_mac_layers(void)
{
	struct arch_net net;
	struct arch_layer conv = arch_fc("f", 1, 8, 8), pool = arch_pool("p", 1, 8, 4, 4, 2, 2, 0, 1);
	int idx[8];

	arch_net_init(&net, "n", 1);
	for (int i = 0; i < 7; i++) /* layers 0 2 4 6 are MAC layers, 1 3 5 pools */
		CHECK(arch_net_add(&net, i % 2 ? &pool : &conv) == 0);
	CHECK_EQ_I64(sim_validate_pick_layers(&net, 0, 1000, idx), 4);
	CHECK(idx[0] == 0 && idx[3] == 6);
	/* 3 of 4: positions round(i x 3 / 2) = 0, 2 (1.5 rounds up), 3 */
	CHECK_EQ_I64(sim_validate_pick_layers(&net, 3, 1000, idx), 3);
	CHECK(idx[0] == 0 && idx[1] == 4 && idx[2] == 6);
	CHECK_EQ_I64(sim_validate_pick_layers(&net, 0, 10, idx), 0); /* 64 MACs > 10 */
	arch_net_release(&net);
}

/* ---- the sweep ---- */

/* Runs the library's sweep of net_path on the configs and checks every point ran and was
 * bit-exact; returns the points (caller releases). */
static void sweep(const char *const *net_paths, int n_nets, const struct sim_val_hw *hws,
		  int n_hws, struct sim_val_run *run, struct sim_val_summary *s)
{
	struct arch_net nets[4];
	struct hn_err err = { 0 };
	struct sim_val_opts o = { 0 };
	char path[512];

	for (int i = 0; i < n_nets; i++) {
		snprintf(path, sizeof(path), "%s/%s", HWNAS_SRCDIR, net_paths[i]);
		CHECK(arch_net_resolve(path, 1, &nets[i], &err) == 0);
	}
	o.mapper = COST_MAP_GLPK;
	o.max_macs = 2000000;
	CHECK(sim_validate_sweep(nets, n_nets, hws, n_hws, &o, run, &err) == 0);
	CHECK(!run->failed);
	CHECK(sim_validate_summarize(run->p, run->n, NULL, s, &err) == 0);
	for (int i = 0; i < run->n; i++) {
		const struct sim_val_point *p = &run->p[i];
		CHECK(p->res.bit_exact);
		if (p->cost.cycles != p->res.rtl_cycles)
			fprintf(stderr, "  %s on %s: model %lld != rtl %lld\n", p->layer, p->hw,
				(long long)p->cost.cycles, (long long)p->res.rtl_cycles);
	}
	for (int i = 0; i < n_nets; i++)
		arch_net_release(&nets[i]);
}

static void model_should_agree_with_the_rtl_on_a_small_sweep(void)
{
	static const char *const nets[] = { "tests/data/validate/v_tiny.json" };
	struct sim_val_hw hws[3] = {
		{ "ws2", small_hw(2, 2, HW_WS, 8, 32, 0) },
		{ "os4", small_hw(4, 4, HW_OS, 8, 32, 1) },
		{ "ws4", small_hw(4, 4, HW_WS, 4, 10, 1) },
	};
	struct sim_val_run run;
	struct sim_val_summary s;

	sweep(nets, 1, hws, 3, &run, &s);
	printf("  small sweep: %d points, MAPE %.3f%%, max %.2f%%, %d stall-free (max %.2f%%)\n",
	       s.all.n, s.all.mape, s.all.max_err, s.stall_free.n, s.stall_free.max_err);
	CHECK_EQ_I64(s.all.n, 15);
	CHECK(s.stall_free.n >= 5);
	CHECK(s.stall_free.max_err == 0.0);
	/* the model walks the RTL's tile program: exact on every point (docs/validation.md) */
	CHECK(s.all.max_err == 0.0);
	CHECK_NEAR(s.all.tau, 1.0, 1e-12);
	CHECK(!strcmp(run.p[14].hw, "ws4") && !strcmp(run.p[0].layer, "conv3x3"));
	sim_val_run_release(&run);
}

static void model_should_agree_with_the_rtl_on_the_long_sweep(void)
{
	static const char *const names[] = {
		"hw_ws4_8b_s_small", "hw_ws4_8b_d_lowbw", "hw_ws8_16b_d_large", "hw_ws4_4b_d_small",
		"hw_os4_8b_d_small", "hw_os4_16b_s_lowbw", "hw_os8x4_4b_d_lowbw", "hw_os4_8b_d_fast",
		"hw_is4_8b_s_large", "hw_is4_16b_d_small", "hw_is4x8_4b_d_large", "hw_is4_8b_d_lowbw",
	};
	static const char *const nets[] = { "tests/data/validate/v_cnn.json",
		"tests/data/validate/v_attn.json", "tests/data/validate/v_tiny.json" };
	struct sim_val_hw hws[12];
	struct sim_val_run run;
	struct sim_val_summary s;

	for (int h = 0; h < 12; h++) {
		struct hn_err err = { 0 };
		char path[512];
		snprintf(path, sizeof(path), "%s/tests/data/validate/%s.json", HWNAS_SRCDIR, names[h]);
		hws[h].name = names[h];
		CHECK(hw_config_load(path, &hws[h].hw, &err) == 0);
	}
	sweep(nets, 3, hws, 12, &run, &s);
	printf("  long sweep: %d points, MAPE %.3f%%, max %.2f%%, %d stall-free (max %.2f%%)\n",
	       s.all.n, s.all.mape, s.all.max_err, s.stall_free.n, s.stall_free.max_err);
	CHECK(s.all.n >= 60);
	CHECK(s.stall_free.max_err == 0.0);
	CHECK(s.all.max_err == 0.0);
	sim_val_run_release(&run);
}

int main(void)
{
	RUN(calibration_should_recover_a_linear_stall_law);
	RUN(calibration_should_keep_the_identity_below_three_samples);
	RUN(calibrated_cycles_should_never_beat_the_array_or_the_dma);
	RUN(kendall_tau_b_should_match_hand_computed_values);
	RUN(calibration_file_should_round_trip_and_name_bad_fields);
	RUN(validate_summary_should_match_hand_computed_statistics);
	RUN(validate_should_pick_evenly_spaced_mac_layers);
	RUN(model_should_agree_with_the_rtl_on_a_small_sweep);
	if (getenv("HWNAS_LONG") && getenv("HWNAS_LONG")[0] == '1')
		RUN(model_should_agree_with_the_rtl_on_the_long_sweep);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed != 0;
}
