/* test_synth.c: the Yosys flow (sim/synth.c) and the resource model against it.
 *
 * make test: the stat parser on a saved log, the parameters, errors and timeouts with stand-in
 * executables, and one small real synthesis (a 2x2 array, about a minute once, then cached)
 * when yosys is installed. HWNAS_LONG=1: the sweep of the configs in tests/data/synth/ with the
 * bounds of docs/synthesis.md (DSP exact, BRAM exact in BRAM18 halves, LUT within 25%). */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "../sim/sim.h"

#define DATA "tests/data/synth/"

static void parser_should_count_cells_of_the_last_stat_table(void)
{
	struct sim_synth_stat s;
	struct hn_err err = { 0 };
	char *text;
	size_t len;

	CHECK_EQ_I64(hn_read_file(DATA "yosys_4x4_ws.log", &text, &len, &err), 0);
	if (!text)
		return;
	CHECK_EQ_I64(sim_synth_parse_stat(text, &s, &err), 0);
	CHECK_EQ_I64(s.dsp, 19);
	CHECK_EQ_I64(s.ramb36, 4);
	CHECK_EQ_I64(s.ramb18, 30);
	CHECK_EQ_I64(s.bram36_x2, 38);
	CHECK_EQ_I64(s.lut_logic, 290 + 983 + 1087 + 1379 + 1910 + 2009);
	CHECK_EQ_I64(s.lut_mem, 32); /* 32 SRL16E, one LUT each */
	CHECK_EQ_I64(s.lut, s.lut_logic + 32);
	CHECK_EQ_I64(s.ff, 1908);
	CHECK_EQ_I64(s.carry, 358);
	CHECK_EQ_I64(s.cells, 13926);
	free(text);
}

static void parser_should_count_xc7_cells_and_lutram(void)
{
	const char *log = "   Number of cells:                 9\n"
			  "     DSP48E1                         3\n"
			  "     RAMB18E1                        1\n"
			  "     RAMB36E1                        2\n"
			  "     RAM64M                          2\n"
			  "     LUT6                           10\n"
			  "     FDSE                            4\n"
			  "     FDRE                            6\n"
			  "\n   Estimated number of LCs: 10\n";
	struct sim_synth_stat s;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(sim_synth_parse_stat(log, &s, &err), 0);
	CHECK_EQ_I64(s.dsp, 3);
	CHECK_EQ_I64(s.bram36_x2, 5);
	CHECK_EQ_I64(s.lut, 10 + 8);
	CHECK_EQ_I64(s.ff, 10);
}

static void parser_should_reject_a_log_without_statistics(void)
{
	struct sim_synth_stat s;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(sim_synth_parse_stat("ERROR: syntax error\n", &s, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "Number of cells");
}

static struct hw_config small_hw(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_load(DATA "xcup_ws_2x2_int8.json", &hw, &err), 0);
	return hw;
}

static void params_should_be_dense_and_whole_lines(void)
{
	struct hw_config hw = small_hw();
	struct sim_rtl_params p, s;

	sim_rtl_params_from_hw(&hw, &s);
	sim_synth_params_from_hw(&hw, &p);
	/* the beat words are the simulation's; 2048 B of 2-lane 8-bit words: 1024 words */
	CHECK_EQ_I64(p.inb, s.inb);
	CHECK_EQ_I64(p.onb, s.onb);
	CHECK_EQ_I64(p.idepth, 1024);
	CHECK_EQ_I64(p.idepth % p.inb, 0);
	/* obuf: 4096 B of 2 x 32-bit words: 512 */
	CHECK_EQ_I64(p.odepth, 512);
	hw.act_bits = hw.weight_bits = 4;
	hw.acc_bits = 16;
	hw.double_buffer = 1;
	sim_synth_params_from_hw(&hw, &p);
	/* 2048 B, two halves, 2 x 4-bit words: 1024 words per half */
	CHECK_EQ_I64(p.idepth, 1024);
	CHECK(!strcmp(sim_synth_family(&hw), "xcup"));
	strcpy(hw.device, "pynq_z1");
	CHECK(!strcmp(sim_synth_family(&hw), "xc7"));
	strcpy(hw.device, "u250");
	CHECK(!strcmp(sim_synth_family(&hw), "xcup"));
}

/* The AXI top's model (hw_axi_resources): hwnas_top's less hw_axi_dsp_delta DSPs, plus
 * rtl/hwnas_axi_mem.v's staging memory, one hwnas_spad of max(INB, WNB, ONB) words of the
 * most lanes a row, an acc-byte element per write enable (32 bits padded to 4 9-bit bytes),
 * max(IDEPTH, WDEPTH, ODEPTH) / NBK rows. Hand counts against hw_memory_bram_halves' table;
 * Yosys gave the same BRAM on both (docs/deploy.md "Synthesis of the AXI top"). */
static void the_axi_model_should_count_the_staging_memory(void)
{
	struct hw_config hw = small_hw();
	const struct hw_axi_bus bus = { 64, 16, 16 };
	struct hw_resources top, axi;

	/* tests/cli/bundle.sh's 2x2: 256 / 256 / 512 B single buffers, beats of 4 words: SW =
	 * 128 words, 4 x 2 lanes x 36 = 288 bits, 32 rows: 4 BRAM36 in 512x72 (4 x 257 against
	 * 8 x 129 in 512x36) = 8 halves; hwnas_top 16 halves: 12 BRAM36 (Yosys: 12) */
	hw.ibuf_bytes = hw.wbuf_bytes = 256;
	hw.obuf_bytes = 512;
	hw_resources(&hw, &top);
	hw_axi_resources(&hw, &bus, &axi);
	CHECK_EQ_I64(hw_axi_staging_bram_halves(&hw), 8);
	CHECK_EQ_I64(top.bram36, 8);
	CHECK_EQ_I64(axi.bram_halves, top.bram_halves + 8);
	CHECK_EQ_I64(axi.bram36, 12);
	CHECK_EQ_I64(axi.dsp, top.dsp - hw_axi_dsp_delta(&hw));
	CHECK_EQ_I64(axi.dsp, 20);
	/* LUT and FF: hwnas_top's plus the AXI top's own logic on the bus */
	{
		struct hw_axi_shape s;
		int64_t lut, ff;
		hw_axi_shape_of(&hw, &bus, &s);
		hw_axi_logic(&s, &lut, &ff);
		CHECK_EQ_I64(s.inb, 4);
		CHECK_EQ_I64(s.onb, 4);
		CHECK_EQ_I64(s.sw, 128);
		CHECK_EQ_I64(s.ilanes + s.wlanes + s.olanes, 6);
		CHECK(lut > 0 && ff > 0);
		CHECK_EQ_I64(axi.lut, top.lut + lut);
		CHECK_EQ_I64(axi.ff, top.ff + ff);
	}

	/* the main job's smallest front point (8x8 ws 16-bit, 32 KiB double buffers, 200 MHz,
	 * 19.2 GB/s: beats of 8 words): SW = 1024 words, 8 x 8 lanes x 36 = 2304 bits, 128
	 * rows: 32 BRAM36 in 512x72 = 64 halves; 95 + 32 = 127 BRAM36, 131 - 3 = 128 DSP */
	hw = hw_config_default();
	hw.pe_rows = hw.pe_cols = 8;
	hw.act_bits = hw.weight_bits = 16;
	hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 32768;
	hw.double_buffer = 1;
	hw.freq_mhz = 200;
	hw.dram_gbps = 19.2;
	hw_resources(&hw, &top);
	hw_axi_resources(&hw, &bus, &axi);
	CHECK_EQ_I64(hw_axi_staging_bram_halves(&hw), 64);
	CHECK_EQ_I64(top.bram36, 95);
	CHECK_EQ_I64(axi.bram36, 127);
	CHECK_EQ_I64(axi.dsp, 128);

	/* is with an odd lane count: 3x2 is 8-bit, 1 KiB buffers: lanes ibuf 2, wbuf 3, obuf
	 * 2 -> 3; SW = the wbuf's 1024 * 8 / 24 = 342 -> whole beats; a row of NBK x 3 x 36 */
	hw = small_hw();
	hw.pe_rows = 3;
	hw.pe_cols = 2;
	hw.dataflow = HW_IS;
	hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 1024;
	{
		struct sim_rtl_params p;
		int64_t nbk, sw;
		sim_synth_params_from_hw(&hw, &p);
		nbk = p.inb > p.wnb ? p.inb : p.wnb;
		nbk = nbk > p.onb ? nbk : p.onb;
		sw = p.idepth > p.wdepth ? p.idepth : p.wdepth;
		sw = sw > p.odepth ? sw : p.odepth;
		CHECK_EQ_I64(hw_axi_staging_bram_halves(&hw),
			     hw_memory_bram_halves(32, nbk * 3, (sw + nbk - 1) / nbk));
	}
}

/* hw_axi_logic against every Yosys synthesis of the AXI top's own logic recorded in
 * tests/data/synth/axi_master.csv (bench/axi_lut.sh measures them again): within
 * AXI_LUT_TOL and AXI_FF_TOL on every point, those the constants were fitted on ("fit") and
 * those held out ("held") alike (docs/resources.md "The AXI top"). */
#define AXI_LUT_TOL 0.15
#define AXI_FF_TOL 0.02
static void the_axi_logic_should_match_every_recorded_synthesis(void)
{
	FILE *f = fopen(DATA "axi_master.csv", "r");
	char line[512];
	int n = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct hw_axi_point ap;
		int64_t lut, ff;
		int rc = hw_axi_point_parse(line, &ap);

		CHECK(rc >= 0);
		if (rc != 0)
			continue;
		hw_axi_logic(&ap.s, &lut, &ff);
		if (fabs((double)(lut - ap.lut)) > AXI_LUT_TOL * (double)ap.lut ||
		    fabs((double)(ff - ap.ff)) > AXI_FF_TOL * (double)ap.ff)
			fprintf(stderr, "  %s (%s): LUT %lld model %lld, FF %lld model %lld\n", ap.name,
				ap.set, (long long)ap.lut, (long long)lut, (long long)ap.ff, (long long)ff);
		CHECK_NEAR((double)lut, (double)ap.lut, AXI_LUT_TOL);
		CHECK_NEAR((double)ff, (double)ap.ff, AXI_FF_TOL);
		n++;
	}
	fclose(f);
	/* the four syntheses of the fit at least (docs/resources.md "The AXI top"); held rows,
	 * when the file has them, are checked the same */
	CHECK(n >= 4);
	/* the row reader: a comment, a short row, a row without a positive LUT */
	{
		struct hw_axi_point ap;
		CHECK_EQ_I64(hw_axi_point_parse("# planned\n", &ap), 1);
		CHECK_EQ_I64(hw_axi_point_parse("x,fit,2,2,0,8,8,32\n", &ap), -1);
		CHECK_EQ_I64(hw_axi_point_parse("x,fit,2,2,0,8,8,32,4,4,1,16,16,16,64,16,16,0,5,c\n",
						&ap), -1);
		CHECK_EQ_I64(hw_axi_point_parse("x,held,2,8,2,4,8,16,2,4,1,256,256,128,64,16,16,"
						"20673,5337,667acd0\n", &ap), 0);
		/* is: the input lanes are the columns, the weight lanes the rows */
		CHECK_EQ_I64(ap.s.ilanes, 8);
		CHECK_EQ_I64(ap.s.wlanes, 2);
		CHECK_EQ_I64(ap.s.sw, 256);
		CHECK_EQ_I64(ap.lut, 20673);
	}
}

static char cache_dir[64];

static void make_cache(void)
{
	snprintf(cache_dir, sizeof(cache_dir), "/tmp/hwnas-test-synth-%d", (int)getpid());
	mkdir(cache_dir, 0777);
}

static void write_exe(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

static void a_failed_synthesis_should_be_an_error_naming_the_log(void)
{
	struct hw_config hw = small_hw();
	struct sim_synth_options o;
	struct sim_synth_result r;
	struct hn_err err = { 0 };
	char exe[128];

	snprintf(exe, sizeof(exe), "%s/fake-yosys-fail", cache_dir);
	write_exe(exe, "echo 'ERROR: Module hwnas_top not found'; exit 1");
	sim_synth_options_init(&o);
	o.cache_dir = cache_dir;
	o.yosys = exe;
	o.no_cache = 1;
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r, &err), HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "failed (exit 1): ERROR: Module hwnas_top not found");
	CHECK_STR_CONTAINS(err.msg, "log: ");
	CHECK(access(r.log_path, R_OK) == 0);
	/* a log without statistics is an error too */
	write_exe(exe, "echo 'all fine, no stat'");
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r, &err), HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "no cell statistics");
	CHECK(access(r.result_path, F_OK) != 0);
}

static void a_timed_out_synthesis_should_be_an_error(void)
{
	struct hw_config hw = small_hw();
	struct sim_synth_options o;
	struct sim_synth_result r;
	struct hn_err err = { 0 };
	char exe[128];

	snprintf(exe, sizeof(exe), "%s/fake-yosys-slow", cache_dir);
	write_exe(exe, "sleep 30");
	sim_synth_options_init(&o);
	o.cache_dir = cache_dir;
	o.yosys = exe;
	o.timeout_s = 0.3;
	o.no_cache = 1;
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r, &err), HN_EEXTERNAL);
	CHECK_STR_CONTAINS(err.msg, "timed out");
}

static void a_result_should_be_cached_per_parameter_set(void)
{
	struct hw_config hw = small_hw();
	struct sim_synth_options o;
	struct sim_synth_result r, r2;
	struct hn_err err = { 0 };
	char exe[128], body[512];

	/* a stand-in yosys that writes a stat table into the log it is given (-l LOG) */
	snprintf(exe, sizeof(exe), "%s/fake-yosys-ok", cache_dir);
	snprintf(body, sizeof(body), "printf '   Number of cells: 3\\n     DSP48E2 4\\n"
		 "     LUT6 100\\n     FDRE 50\\n\\n' >> \"$3\"");
	write_exe(exe, body);
	sim_synth_options_init(&o);
	o.cache_dir = cache_dir;
	o.yosys = exe;
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r, &err), 0);
	CHECK_EQ_I64(r.cached, 0);
	CHECK_EQ_I64(r.stat.dsp, 4);
	CHECK_EQ_I64(r.stat.lut, 100);
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r2, &err), 0);
	CHECK_EQ_I64(r2.cached, 1);
	CHECK_EQ_I64(r2.stat.ff, 50);
	CHECK(!strcmp(r.result_path, r2.result_path));
	/* another parameter set is another entry */
	hw.pe_cols = 3;
	CHECK_EQ_I64(sim_synth_run(&hw, &o, &r2, &err), 0);
	CHECK_EQ_I64(r2.cached, 0);
	CHECK(strcmp(r.result_path, r2.result_path) != 0);
}

static int have_yosys(void)
{
	return system("yosys -V >/dev/null 2>&1") == 0;
}

/* Synthesizes one config (default cache) and checks the model's bounds. */
static void check_config(const char *path)
{
	struct hw_config hw;
	struct sim_synth_options o;
	struct sim_synth_result r;
	struct hw_resources m;
	struct hn_err err = { 0 };
	double bram, lut_err, bram_err;

	if (hw_config_load(path, &hw, &err)) {
		fprintf(stderr, "  %s\n", err.msg);
		CHECK(0);
		return;
	}
	sim_synth_options_init(&o);
	if (sim_synth_run(&hw, &o, &r, &err)) {
		fprintf(stderr, "  %s: %s\n", path, err.msg);
		CHECK(0);
		return;
	}
	hw_resources(&hw, &m);
	bram = (double)r.stat.bram36_x2 / 2.0;
	bram_err = 100.0 * ((double)m.bram36 - bram) / bram;
	lut_err = 100.0 * (double)(m.lut - r.stat.lut) / (double)r.stat.lut;
	printf("  %-40s DSP %5lld/%-5lld BRAM36 %6.1f/%-4lld (%+5.1f%%; halves %lld/%lld) LUT "
	       "%6lld/%-6lld (%+5.1f%%) FF %6lld/%-6lld%s\n", path, (long long)r.stat.dsp,
	       (long long)m.dsp, bram, (long long)m.bram36, bram_err,
	       (long long)r.stat.bram36_x2, (long long)m.bram_halves, (long long)r.stat.lut,
	       (long long)m.lut, lut_err, (long long)r.stat.ff, (long long)m.ff,
	       r.cached ? " (cached)" : "");
	CHECK_EQ_I64(m.dsp, r.stat.dsp);
	/* BRAM exact in BRAM18 halves (a RAMB36 is two): bram36 only rounds them up */
	CHECK_EQ_I64(m.bram_halves, r.stat.bram36_x2);
	CHECK(fabs(bram_err) <= 10.0);
	CHECK(fabs(lut_err) <= 25.0);
}

static void the_model_should_match_a_small_synthesis(void)
{
	if (!have_yosys()) {
		printf("  (yosys not installed: skipped)\n");
		return;
	}
	check_config(DATA "xcup_ws_2x2_int8.json");
}

/* Packed MACs (issue 20), small: two int8 products per DSP (with a last odd column) and
 * four int4 products per DSP (2 x 2 blocks, 1 x 2 and 2 x 1 edges, a LUT corner). */
static void the_model_should_match_small_packed_syntheses(void)
{
	if (!have_yosys()) {
		printf("  (yosys not installed: skipped)\n");
		return;
	}
	check_config(DATA "xcup_ws_2x3_int8_dsp2.json");
	check_config(DATA "xcup_os_3x3_int4_dsp4.json");
}

static void the_model_should_match_the_synthesis_sweep(void)
{
	glob_t g;

	if (glob(DATA "*.json", 0, NULL, &g)) {
		CHECK(0);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		check_config(g.gl_pathv[i]);
	globfree(&g);
}

int main(void)
{
	const char *lg = getenv("HWNAS_LONG");
	char cmd[128];

	make_cache();
	RUN(parser_should_count_cells_of_the_last_stat_table);
	RUN(parser_should_count_xc7_cells_and_lutram);
	RUN(parser_should_reject_a_log_without_statistics);
	RUN(params_should_be_dense_and_whole_lines);
	RUN(the_axi_model_should_count_the_staging_memory);
	RUN(the_axi_logic_should_match_every_recorded_synthesis);
	RUN(a_failed_synthesis_should_be_an_error_naming_the_log);
	RUN(a_timed_out_synthesis_should_be_an_error);
	RUN(a_result_should_be_cached_per_parameter_set);
	RUN(the_model_should_match_a_small_synthesis);
	RUN(the_model_should_match_small_packed_syntheses);
	if (lg && lg[0] == '1' && have_yosys())
		RUN(the_model_should_match_the_synthesis_sweep);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", cache_dir);
	return TEST_SUMMARY();
}
