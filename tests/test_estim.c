/* Tests of estim/: the lookup table (sums, file, refusals, misses), the learners (least
 * squares recovers known coefficients; the trees beat the linear model on the model's data;
 * seeded determinism), the predictor file, and the comparison against the RTL on a small
 * space (HWNAS_LONG=1: a larger one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "test.h"
#include "test_small_hw.h"
#include "../estim/estim.h"
#include "../estim/estim_int.h"
#include "../sim/sim.h"
#include "../search/search.h"

static char tmpdir[] = "/tmp/hwnas-estim-XXXXXX";

static void load_net(const char *name, struct arch_net *net)
{
	struct hn_err err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/data/validate/%s.json", HWNAS_SRCDIR, name);
	if (arch_net_load(path, net, &err))
		fprintf(stderr, "%s\n", err.msg);
}

/* The model's own network total: map_layer + cost_layer summed, independent of estim/. */
static void model_total(const struct arch_net *net, const struct hw_config *hw,
			struct cost_total *t)
{
	struct hw_energy e = hw_energy_default();
	struct map_options mo;
	struct hn_err err = { 0 };

	map_options_default(&mo);
	cost_total_init(t);
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct map_tiling tl;
		struct cost_report r;
		if (arch_gemm(l).g == 0) {
			map_default(l, hw, &tl);
		} else {
			struct map_result mr;
			CHECK(map_layer(l, hw, &e, &mo, NULL, &mr, &err) == 0);
			tl = mr.tiling;
		}
		CHECK(cost_layer(l, hw, &tl, &e, &r) == 0);
		cost_total_add(t, &r, l->name);
	}
	cost_total_finish(t, hw);
}

/* A table of every layer of net on hw, measured by the model. */
static void fill_lut(struct estim_lut *t, const struct estim_ctx *cx, const struct arch_net *net,
		     const struct hw_config *hw)
{
	struct hn_err err = { 0 };

	for (int i = 0; i < net->n_layers; i++) {
		struct estim_lut_entry e;
		struct estim_meas m;
		CHECK(estim_measure_layer(&net->layers[i], hw, cx, &m, &err) == 0);
		estim_key_of(&net->layers[i], hw, &e.key);
		e.cycles = m.cycles;
		e.dram_bytes = m.dram_bytes;
		e.energy_pj = m.energy_pj;
		CHECK(estim_lut_put(t, &e) == 0);
	}
}

static void lut_sum_should_equal_the_model_total_on_seen_layers(void)
{
	struct arch_net net;
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct estim_ctx cx;
	struct estim_lut t;
	struct estim_net_cost lut, ana;
	struct cost_total ref;
	struct hn_err err = { 0 };

	estim_ctx_init(&cx);
	load_net("v_cnn", &net);
	estim_lut_init(&t, &cx);
	fill_lut(&t, &cx, &net, &hw);
	CHECK_EQ_I64(t.n, net.n_layers);   /* six distinct shapes, pool included */
	struct estim_using ul = { ESTIM_LUT, &cx, &t, ESTIM_MISS_FAIL, "t.lut", NULL };
	struct estim_using ua = { ESTIM_ANALYTICAL, &cx, NULL, 0, NULL, NULL };
	CHECK(estim_net(&ul, &net, &hw, &lut, &err) == 0);
	CHECK(estim_net(&ua, &net, &hw, &ana, &err) == 0);
	model_total(&net, &hw, &ref);
	CHECK(ref.feasible && lut.feasible && ana.feasible);
	CHECK_EQ_I64(lut.cycles, ref.cycles);
	CHECK_EQ_I64(lut.dram_bytes, ref.dram_bytes);
	CHECK_EQ_I64(ana.cycles, ref.cycles);
	CHECK(lut.energy_pj == ref.energy_pj[0] + ref.energy_pj[1] + ref.energy_pj[2] +
	      ref.energy_pj[3] || fabs(lut.energy_pj / (ref.energy_mj * 1e9) - 1) < 1e-12);
	CHECK_EQ_I64(lut.lut_misses, 0);
	estim_lut_release(&t);
	arch_net_release(&net);
}

static void lut_miss_should_fail_naming_the_layer_or_fall_back_counted(void)
{
	struct arch_net a, b;
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 0);
	struct estim_ctx cx;
	struct estim_lut t;
	struct estim_net_cost c, ana;
	struct hn_err err = { 0 };

	estim_ctx_init(&cx);
	load_net("v_cnn", &a);
	load_net("v_attn", &b);
	estim_lut_init(&t, &cx);
	fill_lut(&t, &cx, &a, &hw);
	struct estim_using u = { ESTIM_LUT, &cx, &t, ESTIM_MISS_FAIL, "zoo.lut", NULL };
	CHECK(estim_net(&u, &b, &hw, &c, &err) == HN_ENOTFOUND);
	CHECK_STR_CONTAINS(err.msg, "zoo.lut: no entry for layer 'qkv' (fc n16 c32");
	CHECK_STR_CONTAINS(err.msg, "on 4x4 ws a8 w8 acc32");
	u.on_miss = ESTIM_MISS_MODEL;
	CHECK(estim_net(&u, &b, &hw, &c, &err) == 0);
	CHECK_EQ_I64(c.lut_misses, b.n_layers);    /* no layer of v_attn is in v_cnn */
	struct estim_using ua = { ESTIM_ANALYTICAL, &cx, NULL, 0, NULL, NULL };
	CHECK(estim_net(&ua, &b, &hw, &ana, &err) == 0);
	CHECK_EQ_I64(c.cycles, ana.cycles);
	/* another config is another key: a miss too */
	hw.dram_latency_cycles = 21;
	CHECK(estim_net(&u, &a, &hw, &c, &err) == 0);
	CHECK_EQ_I64(c.lut_misses, a.n_layers);
	estim_lut_release(&t);
	arch_net_release(&a);
	arch_net_release(&b);
}

/* What eval and the search's evaluator do per layer with --cost: the model's report, then
 * the estimator's figures put into it. */
static void apply_should_put_each_estimators_figures_into_the_report(void)
{
	struct arch_net net;
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct estim_ctx cx;
	struct estim_lut t;
	struct estim_pred lin;
	struct hn_err err = { 0 };
	struct estim_sample smp[8];
	int from_model, n = 0;

	estim_ctx_init(&cx);
	load_net("v_tiny", &net);
	estim_lut_init(&t, &cx);
	fill_lut(&t, &cx, &net, &hw);
	for (int i = 0; i < net.n_layers; i++) {
		const struct arch_layer *l = &net.layers[i];
		struct estim_meas m;
		struct cost_report r0, r;
		CHECK(estim_measure_layer(l, &hw, &cx, &m, &err) == 0);
		CHECK(cost_layer(l, &hw, &m.tiling, &cx.energy, &r0) == 0);
		/* the table made from the model gives the model's figures back, to the bit */
		struct estim_using ul = { ESTIM_LUT, &cx, &t, ESTIM_MISS_FAIL, "t.lut", NULL };
		r = r0;
		CHECK(estim_apply(&ul, l, &hw, &m.tiling, &r, &from_model, &err) == 0);
		CHECK(!from_model);
		CHECK(r.cycles == r0.cycles && r.dram_bytes == r0.dram_bytes &&
		      r.energy_total_pj == r0.energy_total_pj);
		/* the RTL's (the model is exact) */
		struct estim_using ur = { ESTIM_RTL, &cx, NULL, 0, NULL, NULL };
		r = r0;
		CHECK(estim_apply(&ur, l, &hw, &m.tiling, &r, &from_model, &err) == 0);
		CHECK_EQ_I64(from_model, 0);
		CHECK_EQ_I64(r.cycles, r0.cycles);
		CHECK_EQ_I64(r.dram_bytes, r0.dram_bytes);
		smp[n].l = *l;
		smp[n].hw = hw;
		smp[n++].cycles = m.cycles;
	}
	/* a table entry that says otherwise: its cycles and energy, the static term following */
	{
		const struct arch_layer *l = &net.layers[0];
		struct estim_lut_entry e;
		struct estim_meas m;
		struct cost_report r0, r;
		CHECK(estim_measure_layer(l, &hw, &cx, &m, &err) == 0);
		CHECK(cost_layer(l, &hw, &m.tiling, &cx.energy, &r0) == 0);
		estim_key_of(l, &hw, &e.key);
		e.cycles = 2 * r0.cycles;
		e.dram_bytes = r0.dram_bytes + 64;
		e.energy_pj = r0.energy_total_pj + 1000;
		CHECK(estim_lut_put(&t, &e) == 0);
		struct estim_using ul = { ESTIM_LUT, &cx, &t, ESTIM_MISS_FAIL, "t.lut", NULL };
		r = r0;
		CHECK(estim_apply(&ul, l, &hw, &m.tiling, &r, NULL, &err) == 0);
		CHECK_EQ_I64(r.cycles, 2 * r0.cycles);
		CHECK_EQ_I64(r.stall_cycles, 2 * r0.cycles - r0.compute_cycles);
		CHECK_EQ_I64(r.dram_bytes, r0.dram_bytes + 64);
		CHECK_NEAR(r.energy_total_pj, r0.energy_total_pj + 1000, 1e-12);
		CHECK_NEAR(r.energy_pj[0] + r.energy_pj[1] + r.energy_pj[2] + r.energy_pj[3],
			   r.energy_total_pj, 1e-12);
		CHECK_NEAR(r.utilization, r0.utilization / 2, 1e-12);
		/* a miss: an error naming the table, or the model's figure kept */
		hw.dram_latency_cycles = 3;
		r = r0;
		CHECK(estim_apply(&ul, l, &hw, &m.tiling, &r, NULL, &err) == HN_ENOTFOUND);
		CHECK_STR_CONTAINS(err.msg, "t.lut: no entry for layer 'conv3x3'");
		ul.on_miss = ESTIM_MISS_MODEL;
		CHECK(estim_apply(&ul, l, &hw, &m.tiling, &r, &from_model, &err) == 0);
		CHECK(from_model && r.cycles == r0.cycles);
		hw.dram_latency_cycles = 20;
	}
	/* a predictor's cycles, rounded; MAC-free layers keep the model's */
	struct estim_gbt_params gp;
	estim_gbt_params_default(&gp);
	CHECK(estim_pred_train(ESTIM_PRED_LINEAR, smp, n, NULL, 0, &cx, &gp, &lin, &err) == 0);
	{
		struct estim_using up = { ESTIM_LINEAR, &cx, NULL, 0, NULL, &lin };
		struct estim_meas m;
		struct cost_report r;
		const struct arch_layer *l = &net.layers[2];
		CHECK(estim_measure_layer(l, &hw, &cx, &m, &err) == 0);
		CHECK(cost_layer(l, &hw, &m.tiling, &cx.energy, &r) == 0);
		CHECK(estim_apply(&up, l, &hw, &m.tiling, &r, &from_model, &err) == 0);
		CHECK_EQ_I64(r.cycles, (int64_t)(estim_pred_layer(&lin, l, &hw) + 0.5));
		CHECK(r.stall_cycles >= 0 && !from_model);
		struct arch_layer pool = arch_pool("p", 1, 8, 6, 6, 2, 2, 0, 1);
		CHECK(estim_measure_layer(&pool, &hw, &cx, &m, &err) == 0);
		CHECK(cost_layer(&pool, &hw, &m.tiling, &cx.energy, &r) == 0);
		int64_t c0 = r.cycles;
		CHECK(estim_apply(&up, &pool, &hw, &m.tiling, &r, &from_model, &err) == 0);
		CHECK(from_model && r.cycles == c0);
	}
	estim_pred_release(&lin);
	estim_lut_release(&t);
	arch_net_release(&net);
}

static char *read_all(const char *path, size_t *len)
{
	struct hn_err err = { 0 };
	char *t = NULL;
	CHECK(hn_read_file(path, &t, len, &err) == 0);
	return t;
}

static void write_all(const char *path, const char *t, size_t len)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(t, 1, len, f) == len);
	if (f)
		fclose(f);
}

static void lut_file_should_round_trip_and_refuse_others(void)
{
	struct arch_net net;
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct estim_ctx cx;
	struct estim_lut t, u;
	struct hn_err err = { 0 };
	char path[256], other[256];
	size_t len;

	estim_ctx_init(&cx);
	load_net("v_tiny", &net);
	estim_lut_init(&t, &cx);
	fill_lut(&t, &cx, &net, &hw);
	hw.dram_gbps = 0.8;
	fill_lut(&t, &cx, &net, &hw);
	snprintf(path, sizeof(path), "%s/t.lut", tmpdir);
	snprintf(other, sizeof(other), "%s/bad.lut", tmpdir);
	CHECK(estim_lut_save(&t, path, &err) == 0);
	CHECK(estim_lut_load(path, &u, &err) == 0);
	CHECK_EQ_I64(u.n, t.n);
	CHECK_EQ_I64(u.n, 10);
	for (int64_t i = 0; i < t.cap; i++) {
		if (!t.used[i])
			continue;
		const struct estim_lut_entry *e = estim_lut_get(&u, &t.e[i].key);
		CHECK(e && e->cycles == t.e[i].cycles && e->dram_bytes == t.e[i].dram_bytes &&
		      e->energy_pj == t.e[i].energy_pj);
	}
	CHECK(estim_lut_check_ctx(&u, &cx, path, &err) == 0);
	cx.greedy = 1;
	CHECK(estim_lut_check_ctx(&u, &cx, path, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "t.lut: the table's tilings come from the glpk mapper");
	cx.greedy = 0;
	cx.energy.dram_pj_per_byte *= 2;
	CHECK(estim_lut_check_ctx(&u, &cx, path, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "another energy table");
	estim_lut_release(&u);

	char *text = read_all(path, &len);
	/* a damaged byte in an entry */
	char *dmg = malloc(len);
	memcpy(dmg, text, len);
	char *row = strstr(dmg, "\nentries ");
	row = strchr(row + 1, '\n') + 1;
	row[0] = row[0] == '1' ? '2' : '1';
	write_all(other, dmg, len);
	CHECK(estim_lut_load(other, &u, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad.lut: damaged: the checksum does not match");
	estim_lut_release(&u);
	/* truncated */
	write_all(other, text, len / 2);
	CHECK(estim_lut_load(other, &u, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad.lut: damaged");
	estim_lut_release(&u);
	/* another cost model version, checksum made right: refused by version */
	char *v = strstr(text, "cost_model_version ");
	size_t body = (size_t)(strstr(text, "checksum ") - text);
	CHECK(v != NULL);
	memcpy(dmg, text, body);
	dmg[v - text + 19] = (char)('0' + (COST_MODEL_VERSION + 1) % 10);
	CHECK(estim_file_write(other, dmg, body, &err) == 0);
	CHECK(estim_lut_load(other, &u, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad.lut: made with COST_MODEL_VERSION");
	CHECK_STR_CONTAINS(err.msg, "out of date");
	estim_lut_release(&u);
	/* another format */
	CHECK(estim_file_write(other, "format hwnas-predictor 1\n", 25, &err) == 0);
	CHECK(estim_lut_load(other, &u, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad.lut: not a hwnas-lut file");
	estim_lut_release(&u);
	/* an entry count that lies, checksum right */
	memcpy(dmg, text, body);
	char *en = strstr(dmg, "\nentries 10");
	en[10] = '1';          /* "entries 11" */
	CHECK(estim_file_write(other, dmg, body, &err) == 0);
	CHECK(estim_lut_load(other, &u, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad.lut: 10 entries, 'entries' says 11");
	estim_lut_release(&u);
	/* missing file */
	CHECK(estim_lut_load("/nonexistent/x.lut", &u, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "/nonexistent/x.lut");
	estim_lut_release(&u);
	free(dmg);
	free(text);
	estim_lut_release(&t);
	arch_net_release(&net);
}

static void lsq_should_recover_known_coefficients(void)
{
	enum { N = 200, F = 4 };
	static double X[N * F], y[N], wt[N];
	const double w_true[F] = { 37.0, 1.25, 0.5, 3.0 };
	double w[F];
	uint64_t s = 7;
	struct hn_err err = { 0 };

	for (int i = 0; i < N; i++) {
		X[i * F] = 1;
		X[i * F + 1] = (double)(estim_rand(&s) % 1000000);  /* spans like cycle counts */
		X[i * F + 2] = (double)(estim_rand(&s) % 5000);
		X[i * F + 3] = (double)(estim_rand(&s) % 64);
		y[i] = 0;
		for (int j = 0; j < F; j++)
			y[i] += w_true[j] * X[i * F + j];
		wt[i] = 1.0 / (y[i] * y[i]);
	}
	CHECK(estim_lsq(X, y, NULL, N, F, 0, w, &err) == 0);
	for (int j = 0; j < F; j++)
		CHECK_NEAR(w[j], w_true[j], 1e-7);
	CHECK(estim_lsq(X, y, wt, N, F, 0, w, &err) == 0);
	for (int j = 0; j < F; j++)
		CHECK_NEAR(w[j], w_true[j], 1e-7);
	/* the predictors' tiny ridge hardly moves a well-posed fit (the intercept, 37 cycles
	 * under samples of up to 1.25e6, by 1e-4) */
	CHECK(estim_lsq(X, y, wt, N, F, 1e-9, w, &err) == 0);
	for (int j = 0; j < F; j++)
		CHECK_NEAR(w[j], w_true[j], 1e-5);
	/* with noise of +-1 on y, the slope stays within 1e-5 of its value */
	for (int i = 0; i < N; i++)
		y[i] += (double)(estim_rand(&s) % 3) - 1.0;
	CHECK(estim_lsq(X, y, NULL, N, F, 0, w, &err) == 0);
	CHECK_NEAR(w[1], w_true[1], 1e-5);
	/* a feature that repeats another: singular, said so */
	for (int i = 0; i < N; i++) {
		X[i * F + 3] = 2 * X[i * F + 2];
		y[i] = 0;
		for (int j = 0; j < F; j++)
			y[i] += w_true[j] * X[i * F + j];
	}
	CHECK(estim_lsq(X, y, NULL, N, F, 0, w, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "singular");
	/* with the predictors' tiny ridge it is defined, and the fit still reproduces y */
	CHECK(estim_lsq(X, y, NULL, N, F, 1e-9, w, &err) == 0);
	for (int i = 0; i < N; i += 17) {
		double p = 0;
		for (int j = 0; j < F; j++)
			p += w[j] * X[i * F + j];
		CHECK_NEAR(p, y[i], 1e-6);
	}
}

/* A random legal config and a random MAC layer (seeded), for the model's data. */
static struct hw_config random_hw(uint64_t *s)
{
	static const int dims[] = { 2, 4, 8, 16, 32 };
	static const int bits[] = { 4, 8, 16 };
	static const double gbps[] = { 0.4, 1.6, 6.4, 25.6 };
	struct hw_config hw = hw_config_default();

	hw.pe_rows = dims[estim_rand(s) % 5];
	hw.pe_cols = dims[estim_rand(s) % 5];
	hw.dataflow = (enum hw_dataflow)(estim_rand(s) % 3);
	hw.act_bits = hw.weight_bits = bits[estim_rand(s) % 3];
	hw.acc_bits = 32;
	hw.double_buffer = (int32_t)(estim_rand(s) % 2);
	hw.ibuf_bytes = (int64_t)1 << (11 + estim_rand(s) % 7);
	hw.wbuf_bytes = (int64_t)1 << (11 + estim_rand(s) % 7);
	hw.obuf_bytes = (int64_t)1 << (12 + estim_rand(s) % 7);
	hw.freq_mhz = 200;
	hw.dram_gbps = gbps[estim_rand(s) % 4];
	hw.dram_latency_cycles = (int32_t)(estim_rand(s) % 100);
	hw.device[0] = '\0';
	return hw;
}

static struct arch_layer random_layer(uint64_t *s)
{
	int64_t c = (int64_t)4 << (estim_rand(s) % 6), k = (int64_t)4 << (estim_rand(s) % 6);
	int64_t h = 4 + (int64_t)(estim_rand(s) % 29);

	switch (estim_rand(s) % 4) {
	case 0: return arch_fc("fc", 1 + (int64_t)(estim_rand(s) % 16), c * 4, k);
	case 1: return arch_matmul("mm", 1 + (int64_t)(estim_rand(s) % 4), h, c, k);
	case 2: return arch_conv("dw", 1, c, h, h, c, 3, 1 + (int32_t)(estim_rand(s) % 2), 1, (int32_t)c);
	default: return arch_conv("conv", 1, c, h, h, k, estim_rand(s) % 2 ? 3 : 1,
				  1 + (int32_t)(estim_rand(s) % 2), 1, 1);
	}
}

static int model_samples(uint64_t seed, int n, struct estim_sample *out, const struct estim_ctx *cx)
{
	struct hn_err err = { 0 };
	uint64_t s = seed;
	int m = 0;

	while (m < n) {
		struct estim_meas me;
		out[m].hw = random_hw(&s);
		out[m].l = random_layer(&s);
		if (hw_config_check(&out[m].hw, NULL, &err) || arch_layer_check(&out[m].l, &err))
			continue;
		if (estim_measure_layer(&out[m].l, &out[m].hw, cx, &me, &err) || !me.fits)
			continue;
		out[m].cycles = me.cycles;
		m++;
	}
	return m;
}

static void trees_should_beat_the_linear_model_on_the_models_data(void)
{
	enum { NTR = 6000, NTE = 400 };
	static struct estim_sample tr[NTR], te[NTE];
	struct estim_ctx cx;
	struct estim_gbt_params gp;
	struct estim_pred lin, gbt, again;
	struct hn_err err = { 0 };
	char path[256];

	estim_ctx_init(&cx);
	cx.greedy = 1;   /* thousands of layers: the greedy mapper's tilings, fast */
	estim_gbt_params_default(&gp);
	gp.depth = 6;
	printf("  model's data: seeds 11 (train, %d) and 12 (test, %d), greedy mapper\n", NTR, NTE);
	model_samples(11, NTR, tr, &cx);
	model_samples(12, NTE, te, &cx);
	CHECK(estim_pred_train(ESTIM_PRED_LINEAR, tr, NTR, te, NTE, &cx, &gp, &lin, &err) == 0);
	CHECK(estim_pred_train(ESTIM_PRED_GBT, tr, NTR, te, NTE, &cx, &gp, &gbt, &err) == 0);
	printf("  layer test MAPE: linear %.1f%%, gbt %.1f%%\n", lin.test_mape, gbt.test_mape);
	/* measured: linear 32.2%, gbt 18.9% (docs/search.md: 13.2% on 15,000 samples) */
	CHECK(gbt.test_mape < 0.7 * lin.test_mape);
	CHECK(gbt.test_mape < 25.0);
	CHECK(lin.test_mape > 25.0);   /* the cycles are not linear in op and byte counts */
	/* seeded: the same seed gives the same trees, another seed other ones */
	CHECK(estim_pred_train(ESTIM_PRED_GBT, tr, NTR, te, NTE, &cx, &gp, &again, &err) == 0);
	CHECK(again.test_mape == gbt.test_mape);
	CHECK(estim_gbt_predict(&again.gbt, (double[ESTIM_GBT_NF]){ 0 }) ==
	      estim_gbt_predict(&gbt.gbt, (double[ESTIM_GBT_NF]){ 0 }));
	estim_pred_release(&again);
	gp.seed = 2;
	CHECK(estim_pred_train(ESTIM_PRED_GBT, tr, NTR, te, NTE, &cx, &gp, &again, &err) == 0);
	CHECK(again.test_mape != gbt.test_mape);
	estim_pred_release(&again);

	/* the file: the same predictions after a round trip, for both kinds */
	for (int k = 0; k < 2; k++) {
		struct estim_pred *p = k ? &gbt : &lin;
		snprintf(path, sizeof(path), "%s/p%d.pred", tmpdir, k);
		CHECK(estim_pred_save(p, path, &err) == 0);
		CHECK(estim_pred_load(path, &again, &err) == 0);
		CHECK_EQ_I64(again.kind, p->kind);
		CHECK_EQ_I64(again.greedy, 1);
		CHECK(again.test_mape == p->test_mape);
		for (int i = 0; i < NTE; i += 7)
			CHECK(estim_pred_layer(&again, &te[i].l, &te[i].hw) ==
			      estim_pred_layer(p, &te[i].l, &te[i].hw));
		estim_pred_release(&again);
	}
	/* a damaged predictor file is refused, naming it */
	size_t len;
	char *t = read_all(path, &len);
	t[len / 3] ^= 1;
	write_all(path, t, len);
	CHECK(estim_pred_load(path, &again, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "p1.pred: damaged");
	free(t);
	estim_pred_release(&lin);
	estim_pred_release(&gbt);
}

/* The comparison against the RTL: nets x configs (RTL parameter sets already cached by
 * test_sim, run-time fields varied around them). */
static void run_compare(const char *const *names, int n_nets, const struct hw_config *base,
			int n_base, const int *lats, int n_lats, double *rtl_tau)
{
	struct arch_net nets[8];
	struct hw_config hws[64];
	struct estim_pair pairs[512];
	struct estim_compare_opts o;
	struct estim_compare c;
	struct hn_err err = { 0 };
	int n_hw = 0, n_pairs = 0;

	for (int i = 0; i < n_nets; i++)
		load_net(names[i], &nets[i]);
	for (int b = 0; b < n_base; b++)
		for (int j = 0; j < n_lats; j++) {
			hws[n_hw] = base[b];
			hws[n_hw++].dram_latency_cycles = lats[j];
		}
	for (int i = 0; i < n_nets; i++)
		for (int h = 0; h < n_hw; h++)
			pairs[n_pairs++] = (struct estim_pair){ i, h };
	estim_compare_opts_init(&o);
	o.cx.source = ESTIM_SRC_RTL;
	o.min_time_s = 0.1;
	o.seed = 3;
	int ret = estim_compare_run(nets, hws, pairs, n_pairs, &o, &c, &err);
	CHECK(ret == 0);
	if (ret) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	printf("  %d pairs (%d train, %d test), %lld layers measured (%lld on the RTL) in %.1f s\n",
	       c.n_pairs, c.n_train, c.n_test, (long long)c.layers_measured,
	       (long long)c.rtl_layers, c.measure_s);
	printf("  %-10s %8s %8s %7s %10s %10s %9s %6s\n", "estimator", "MAPE%", "max%", "tau",
	       "us cold", "us warm", "build s", "misses");
	for (int k = 0; k < ESTIM_KIND_COUNT; k++)
		if (c.has[k])
			printf("  %-10s %8.3f %8.3f %7.3f %10.1f %10.1f %9.2f %6lld\n",
			       estim_kind_name(k), c.row[k].mape, c.row[k].max_err, c.row[k].tau,
			       c.row[k].us_per_eval, c.row[k].us_warm, c.row[k].build_s,
			       (long long)c.row[k].misses);
	printf("  unseen test layers: %d, layer MAPE linear %.1f%%, gbt %.1f%%\n", c.layer_test_n,
	       c.layer_mape[0], c.layer_mape[1]);
	CHECK(c.has[ESTIM_RTL]);
	CHECK_EQ_I64(c.model_layers_big, 0);
	CHECK(c.rtl_layers > 0);
	/* the model walks the RTL's tile program: exact (docs/validation.md) */
	CHECK(c.row[ESTIM_ANALYTICAL].mape == 0.0);
	CHECK(c.row[ESTIM_ANALYTICAL].tau > 0.9999);
	/* the table holds RTL measurements and its misses fall back to the exact model */
	CHECK(c.row[ESTIM_LUT].mape == 0.0);
	CHECK(c.row[ESTIM_LUT].misses > 0);
	CHECK(c.row[ESTIM_RTL].mape == 0.0);
	/* the predictors err, and rank better than chance */
	CHECK(c.row[ESTIM_LINEAR].mape > 0.0 && c.row[ESTIM_GBT].mape > 0.0);
	CHECK(c.row[ESTIM_LINEAR].tau > 0.3 && c.row[ESTIM_GBT].tau > 0.3);
	/* cost: the linear predictor costs a microsecond, the trees tens (300 of them a layer),
	 * the RTL tens of milliseconds; the model (it maps every layer with GLPK) and the table
	 * (its misses go to the model) between. Measured 0.6, 40, 72,000 and 1,000 us; the
	 * margins leave room for a loaded machine (wall times) */
	CHECK(c.row[ESTIM_RTL].us_per_eval > 20 * c.row[ESTIM_GBT].us_per_eval);
	CHECK(c.row[ESTIM_RTL].us_per_eval > 1000 * c.row[ESTIM_LINEAR].us_per_eval);
	CHECK(c.row[ESTIM_RTL].us_per_eval > 5 * c.row[ESTIM_ANALYTICAL].us_per_eval);
	CHECK(c.row[ESTIM_ANALYTICAL].us_per_eval > 10 * c.row[ESTIM_LINEAR].us_per_eval);
	/* with the shapes mapped (a search's cache) the model costs less than cold */
	CHECK(c.row[ESTIM_ANALYTICAL].us_warm < c.row[ESTIM_ANALYTICAL].us_per_eval);
	/* networks that share no layer shape, configs that differ per pair: every lookup of a
	 * test pair misses (the NB201 space below hits) */
	CHECK(c.row[ESTIM_LUT].lookups > 0);
	CHECK(c.row[ESTIM_LUT].lookups >= c.row[ESTIM_LUT].misses);
	*rtl_tau = c.row[ESTIM_GBT].tau;
	/* every measured layer is in the table it leaves */
	CHECK_EQ_I64(c.lut.n, c.layers_measured);
	CHECK(c.layers_train < c.layers_measured);
	estim_compare_release(&c);
out:
	for (int i = 0; i < n_nets; i++)
		arch_net_release(&nets[i]);
}

static void estimators_should_be_scored_against_the_rtl_on_a_small_space(void)
{
	static const char *const names[] = { "v_tiny", "v_cnn", "v_attn" };
	const struct hw_config base[] = {
		small_hw(2, 2, HW_WS, 8, 32, 0),
		small_hw(4, 4, HW_OS, 8, 32, 1),
		small_hw(4, 4, HW_WS, 4, 10, 1),
	};
	const int lats[] = { 5, 40 };
	double tau;

	run_compare(names, 3, base, 3, lats, 2, &tau);
}

static void estimators_should_be_scored_against_the_rtl_on_the_long_space(void)
{
	static const char *const names[] = { "v_tiny", "v_cnn", "v_attn" };
	static const char *const files[] = {
		"hw_ws4_8b_s_small", "hw_ws4_8b_d_lowbw", "hw_ws8_16b_d_large", "hw_ws4_4b_d_small",
		"hw_os4_8b_d_small", "hw_os4_16b_s_lowbw", "hw_os8x4_4b_d_lowbw", "hw_os4_8b_d_fast",
		"hw_is4_8b_s_large", "hw_is4_16b_d_small", "hw_is4x8_4b_d_large", "hw_is4_8b_d_lowbw",
	};
	struct hw_config base[12];
	const int lats[] = { 5, 20, 60 };
	struct hn_err err = { 0 };
	double tau;

	for (int i = 0; i < 12; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/tests/data/validate/%s.json", HWNAS_SRCDIR, files[i]);
		CHECK(hw_config_load(path, &base[i], &err) == 0);
	}
	run_compare(names, 3, base, 12, lats, 3, &tau);
}

/* An NB201 space (ImageNet16-120 cells x 4 DRAM latencies on the cached 4x4 ws model): the
 * networks share their layer shapes, so the training pairs' table holds (almost) every test
 * layer. */
static void lut_should_hit_every_layer_on_an_nb201_space_against_the_rtl(void)
{
	enum { N = 24 };
	struct search_space sp;
	struct arch_net nets[N];
	struct hw_config hws[N];
	struct estim_pair pairs[N];
	struct estim_compare_opts o;
	struct estim_compare c;
	struct hn_err err = { 0 };
	char path[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/tests/data/estim/nb201_in16_4x4_space.json", HWNAS_SRCDIR);
	CHECK(search_space_load(path, &sp, &err) == 0);
	for (int i = 0; i < N; i++) {
		struct search_point pt;
		/* 24 points spread over the 62,500 (a prime stride) */
		search_point_from_index(&sp, (uint64_t)i * 2593 % search_space_size(&sp), &pt);
		if (search_space_net(&sp, &pt, &nets[n], &err)) {
			fprintf(stderr, "%s\n", err.msg);
			CHECK(0);
			break;
		}
		search_space_hw(&sp, &pt, &hws[n]);
		pairs[n] = (struct estim_pair){ n, n };
		n++;
	}
	estim_compare_opts_init(&o);
	o.cx.source = ESTIM_SRC_RTL;
	o.min_time_s = 0.02;
	o.seed = 5;
	CHECK(n == N);
	CHECK(estim_compare_run(nets, hws, pairs, n, &o, &c, &err) == 0);
	printf("  NB201: %d pairs, %lld layers measured (%lld on the RTL); table %lld lookups, "
	       "%lld misses; %d unseen test layers; gbt %.3f%%, linear %.3f%%\n", c.n_pairs,
	       (long long)c.layers_measured, (long long)c.rtl_layers,
	       (long long)c.row[ESTIM_LUT].lookups, (long long)c.row[ESTIM_LUT].misses,
	       c.layer_test_n, c.row[ESTIM_GBT].mape, c.row[ESTIM_LINEAR].mape);
	CHECK(c.rtl_layers > 20);
	CHECK(c.row[ESTIM_LUT].lookups > 12 * 50);
	CHECK(c.row[ESTIM_LUT].misses * 10 < c.row[ESTIM_LUT].lookups);
	CHECK(c.row[ESTIM_LUT].mape == 0.0 && c.row[ESTIM_ANALYTICAL].mape == 0.0);
	/* (almost) every test layer seen in training: the trees interpolate, the line does not */
	CHECK(c.layer_test_n <= 4);
	CHECK(c.row[ESTIM_GBT].mape < 0.5);
	CHECK(c.row[ESTIM_LINEAR].mape > 1.0);
	estim_compare_release(&c);
	for (int i = 0; i < n; i++)
		arch_net_release(&nets[i]);
}

/* explore --cost lut: the evaluator priced by a table the model filled gives the model's
 * figures, cached and uncached; an entry that says otherwise moves the latency; a miss fails
 * or (counted) falls to the model. */
static void evaluator_should_price_with_the_table(void)
{
	struct search_space sp, spl;
	struct search_evaluator *ana = NULL, *lut = NULL;
	struct estim_ctx cx;
	struct estim_lut t;
	struct hn_err err = { 0 };
	char path[512], lpath[300];
	enum { N = 12 };
	struct search_point pts[N];

	snprintf(path, sizeof(path), "%s/tests/data/estim/nb201_in16_4x4_space.json", HWNAS_SRCDIR);
	CHECK(search_space_load(path, &sp, &err) == 0);
	estim_ctx_init(&cx);
	estim_lut_init(&t, &cx);
	for (int i = 0; i < N; i++) {
		struct arch_net net;
		struct hw_config hw;
		/* cells spread over the 15,625, all at the first DRAM latency (5) */
		search_point_from_index(&sp, (uint64_t)i * 1303 % search_space_nn_size(&sp), &pts[i]);
		CHECK(search_space_net(&sp, &pts[i], &net, &err) == 0);
		search_space_hw(&sp, &pts[i], &hw);
		fill_lut(&t, &cx, &net, &hw);
		arch_net_release(&net);
	}
	snprintf(lpath, sizeof(lpath), "%s/space.lut", tmpdir);
	CHECK(estim_lut_save(&t, lpath, &err) == 0);
	spl = sp;
	hn_strlcpy(spl.cost, "lut", sizeof(spl.cost));
	hn_strlcpy(spl.cost_path, lpath, sizeof(spl.cost_path));
	CHECK(search_evaluator_new(&sp, &ana, &err) == 0);
	CHECK(search_evaluator_new(&spl, &lut, &err) == 0);
	for (int i = 0; i < N && ana && lut; i++) {
		struct search_eval a, b, c;
		CHECK(search_evaluate(ana, &pts[i], &a, &err) == 0);
		CHECK(search_evaluate(lut, &pts[i], &b, &err) == 0);
		CHECK(search_evaluate_uncached(lut, &pts[i], &c, &err) == 0);
		CHECK(a.fidelity == SEARCH_FID_MODEL && b.fidelity == SEARCH_FID_MODEL);
		CHECK(a.m[SEARCH_M_LATENCY_MS] == b.m[SEARCH_M_LATENCY_MS]);
		CHECK(b.m[SEARCH_M_LATENCY_MS] == c.m[SEARCH_M_LATENCY_MS]);
		CHECK_EQ_I64(a.cycles, b.cycles);
		CHECK_EQ_I64(a.dram_bytes, b.dram_bytes);
		CHECK_NEAR(b.m[SEARCH_M_ENERGY_MJ], a.m[SEARCH_M_ENERGY_MJ], 1e-12);
	}
	CHECK_EQ_I64(search_evaluator_cost_from_model(lut), 0);
	search_evaluator_free(lut);
	lut = NULL;
	/* every entry's cycles doubled: every latency doubles */
	for (int64_t i = 0; i < t.cap; i++)
		if (t.used[i])
			t.e[i].cycles *= 2;
	CHECK(estim_lut_save(&t, lpath, &err) == 0);
	CHECK(search_evaluator_new(&spl, &lut, &err) == 0);
	for (int i = 0; i < 3 && lut; i++) {
		struct search_eval a, b;
		CHECK(search_evaluate(ana, &pts[i], &a, &err) == 0);
		CHECK(search_evaluate(lut, &pts[i], &b, &err) == 0);
		CHECK_EQ_I64(b.cycles, 2 * a.cycles);
	}
	search_evaluator_free(lut);
	lut = NULL;
	/* a point whose layers the table lacks (another DRAM latency): an error naming the
	 * table, or the model's figures with the misses counted */
	{
		struct search_point q = pts[0];
		struct search_eval a, b;
		int d = sp.n_dims - 1;      /* dram_latency_cycles, the only HW knob */
		CHECK(sp.dims[d].knob == SEARCH_K_HW_DRAM_LATENCY && sp.dims[d].v[1] == 20);
		q.c[d] = 1;                 /* latency 20: no entry */
		{
			CHECK(search_evaluator_new(&spl, &lut, &err) == 0);
			CHECK(search_evaluate(lut, &q, &b, &err) == HN_ENOTFOUND);
			CHECK_STR_CONTAINS(err.msg, "space.lut: no entry for layer");
			search_evaluator_free(lut);
			spl.cost_miss_model = 1;
			CHECK(search_evaluator_new(&spl, &lut, &err) == 0);
			CHECK(search_evaluate(lut, &q, &b, &err) == 0);
			CHECK(search_evaluate(ana, &q, &a, &err) == 0);
			CHECK_EQ_I64(b.cycles, a.cycles);
			CHECK(search_evaluator_cost_from_model(lut) > 0);
			search_evaluator_free(lut);
		}
	}
	/* a calibration with another estimator: refused */
	spl.calib_path[0] = 'x';
	CHECK(search_evaluator_new(&spl, &lut, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "does not go with the 'lut' cost estimator");
	search_evaluator_free(ana);
	estim_lut_release(&t);
}

/* A predictor whose leaves say 1e300 (a hostile or damaged-then-resigned file, or trees far
 * outside their data): exp() of it is infinite, and the cycles must stay a finite count
 * (they are rounded into an int64). Failed before the clamp: infinite cycles. */
static void predictor_should_stay_finite_on_extreme_leaves(void)
{
	const char body[] = "format hwnas-predictor 1\ncost_model_version %d\nkind gbt\n"
			    "source model\nmapper glpk\nsamples 1 0 -1\n"
			    "gbt 25 1 1 1 1e300\ntree L 1e300 L 0 L 0\n";
	char text[512], path[300];
	struct estim_pred p;
	struct hn_err err = { 0 };
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 0);
	struct arch_layer l = arch_conv("c", 1, 8, 8, 8, 8, 3, 1, 1, 1);
	struct estim_ctx cx;
	int n = snprintf(text, sizeof(text), body, COST_MODEL_VERSION);

	snprintf(path, sizeof(path), "%s/huge.pred", tmpdir);
	CHECK(estim_file_write(path, text, (size_t)n, &err) == 0);
	CHECK(estim_pred_load(path, &p, &err) == 0);
	double y = estim_pred_layer(&p, &l, &hw);
	CHECK(isfinite(y) && y == ESTIM_PRED_MAX_CYCLES);
	/* and through estim_apply, a finite report */
	estim_ctx_init(&cx);
	struct estim_using u = { ESTIM_GBT, &cx, NULL, 0, NULL, &p };
	struct estim_meas m;
	struct cost_report r;
	CHECK(estim_measure_layer(&l, &hw, &cx, &m, &err) == 0);
	CHECK(cost_layer(&l, &hw, &m.tiling, &cx.energy, &r) == 0);
	CHECK(estim_apply(&u, &l, &hw, &m.tiling, &r, NULL, &err) == 0);
	CHECK_EQ_I64(r.cycles, (int64_t)1e15);
	CHECK(isfinite(r.energy_total_pj));
	estim_pred_release(&p);
}

/* Every file of a fuzz corpus folder through a reader: no crash, an error with a message,
 * or a file that round-trips. Returns the files read. */
static int replay(const char *dir, int pred)
{
	char path[1024];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", HWNAS_SRCDIR, dir);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		struct hn_err err = { 0 };
		char *text = NULL, *out;
		size_t len, olen;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", HWNAS_SRCDIR, dir, de->d_name);
		if (hn_read_file(path, &text, &len, &err))
			continue;
		n++;
		if (pred) {
			struct estim_pred p, back;
			ret = estim_pred_parse(text, len, de->d_name, &p, &err);
			if (ret == 0) {
				CHECK((out = estim_pred_to_text(&p, &olen)) != NULL);
				CHECK(estim_pred_parse(out, olen, "back", &back, &err) == 0);
				CHECK(back.kind == p.kind);
				estim_pred_release(&back);
				free(out);
			} else {
				CHECK(err.msg[0] != '\0');
			}
			estim_pred_release(&p);
		} else {
			struct estim_lut t, back;
			ret = estim_lut_parse(text, len, de->d_name, &t, &err);
			if (ret == 0) {
				CHECK((out = estim_lut_to_text(&t, &olen)) != NULL);
				CHECK(estim_lut_parse(out, olen, "back", &back, &err) == 0);
				CHECK_EQ_I64(back.n, t.n);
				estim_lut_release(&back);
				free(out);
			} else {
				CHECK(err.msg[0] != '\0');
			}
			estim_lut_release(&t);
		}
		free(text);
	}
	closedir(d);
	return n;
}

static void fuzz_seeds_and_regressions_should_read_or_fail_cleanly(void)
{
	CHECK(replay("fuzz/corpus/estim_lut", 0) >= 1);
	CHECK(replay("fuzz/corpus/estim_pred", 1) >= 2);
	replay("fuzz/regressions/estim_lut", 0);
	replay("fuzz/regressions/estim_pred", 1);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(lut_sum_should_equal_the_model_total_on_seen_layers);
	RUN(lut_miss_should_fail_naming_the_layer_or_fall_back_counted);
	RUN(lut_file_should_round_trip_and_refuse_others);
	RUN(apply_should_put_each_estimators_figures_into_the_report);
	RUN(fuzz_seeds_and_regressions_should_read_or_fail_cleanly);
	RUN(lsq_should_recover_known_coefficients);
	RUN(predictor_should_stay_finite_on_extreme_leaves);
	RUN(trees_should_beat_the_linear_model_on_the_models_data);
	RUN(estimators_should_be_scored_against_the_rtl_on_a_small_space);
	RUN(lut_should_hit_every_layer_on_an_nb201_space_against_the_rtl);
	RUN(evaluator_should_price_with_the_table);
	if (getenv("HWNAS_LONG"))
		RUN(estimators_should_be_scored_against_the_rtl_on_the_long_space);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd)) { /* best effort */ }
	map_thread_release();
	return TEST_SUMMARY();
}
