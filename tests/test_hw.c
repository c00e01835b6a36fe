/* test_hw.c: the accelerator config (defaults, validation, JSON), the device catalogue, the
 * resource model and the energy table. Run from the repository root (make test-unit does):
 * the data files are under tests/data/hw/. */
#include <glob.h>

#include "test.h"
#include "../hw/hw.h"

#define DATA "tests/data/hw/"

static int configs_equal(const struct hw_config *a, const struct hw_config *b)
{
	return a->pe_rows == b->pe_rows && a->pe_cols == b->pe_cols &&
	       a->dataflow == b->dataflow && a->act_bits == b->act_bits &&
	       a->weight_bits == b->weight_bits && a->acc_bits == b->acc_bits &&
	       a->ibuf_bytes == b->ibuf_bytes && a->wbuf_bytes == b->wbuf_bytes &&
	       a->obuf_bytes == b->obuf_bytes && a->double_buffer == b->double_buffer &&
	       a->freq_mhz == b->freq_mhz && a->dram_gbps == b->dram_gbps &&
	       a->dram_latency_cycles == b->dram_latency_cycles && !strcmp(a->device, b->device);
}

static int parse(const char *text, struct hw_config *hw, struct hn_err *err)
{
	return hw_config_parse_json(text, strlen(text), "hw.json", hw, err);
}

/* ---- defaults and validation ---- */

static void default_config_should_be_a_16x16_ws_int8_array_on_zcu102(void)
{
	struct hw_config hw = hw_config_default();

	CHECK_EQ_I64(hw.pe_rows, 16);
	CHECK_EQ_I64(hw.pe_cols, 16);
	CHECK(hw.dataflow == HW_WS);
	CHECK_EQ_I64(hw.act_bits, 8);
	CHECK_EQ_I64(hw.weight_bits, 8);
	CHECK_EQ_I64(hw.acc_bits, 32);
	CHECK_EQ_I64(hw.ibuf_bytes, 65536);
	CHECK_EQ_I64(hw.wbuf_bytes, 65536);
	CHECK_EQ_I64(hw.obuf_bytes, 65536);
	CHECK_EQ_I64(hw.double_buffer, 1);
	CHECK_NEAR(hw.freq_mhz, 200.0, 0);
	CHECK_NEAR(hw.dram_gbps, 19.2, 0);
	CHECK_EQ_I64(hw.dram_latency_cycles, 100);
	CHECK(!strcmp(hw.device, "zcu102"));
}

static void default_config_should_pass_validation(void)
{
	struct hw_config hw = hw_config_default();
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_check(&hw, "default", &err), 0);
}

static void dataflow_names_should_parse_back(void)
{
	for (int df = HW_WS; df <= HW_IS; df++)
		CHECK_EQ_I64(hw_dataflow_parse(hw_dataflow_name((enum hw_dataflow)df)), df);
	CHECK(!strcmp(hw_dataflow_name(HW_OS), "os"));
	CHECK_EQ_I64(hw_dataflow_parse("WS"), -1);
	CHECK_EQ_I64(hw_dataflow_parse(""), -1);
}

static void check_should_name_the_origin_field_range_and_value(void)
{
	struct hw_config hw = hw_config_default();
	struct hn_err err = { 0 };

	hw.pe_rows = 0;
	CHECK_EQ_I64(hw_config_check(&hw, "hw.json", &err), HN_EINVAL);
	CHECK(!strcmp(err.msg, "hw.json: 'pe_rows' must be between 1 and 256, got 0"));
	CHECK_EQ_I64(hw_config_check(&hw, NULL, &err), HN_EINVAL);
	CHECK(!strcmp(err.msg, "'pe_rows' must be between 1 and 256, got 0"));
}

static void check_should_reject_what_json_cannot_express(void)
{
	struct hw_config hw = hw_config_default();
	struct hn_err err = { 0 };

	hw.freq_mhz = nan("");
	CHECK_EQ_I64(hw_config_check(&hw, NULL, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'freq_mhz' must be in [1, 2000] MHz, got nan");

	hw = hw_config_default();
	hw.dataflow = (enum hw_dataflow)7;
	CHECK_EQ_I64(hw_config_check(&hw, NULL, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'dataflow' must be ws, os or is, got 7");

	hw = hw_config_default();
	memset(hw.device, 'x', sizeof(hw.device)); /* no terminating NUL */
	CHECK_EQ_I64(hw_config_check(&hw, NULL, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'device' must be at most 31 bytes (UTF-8)");
}

static void check_field_should_reject_a_name_that_is_not_an_integer_field(void)
{
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_check_field("freq_mhz", 1, NULL, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'freq_mhz' is not an integer field");
	CHECK_EQ_I64(hw_config_check_field("pe_cols", 256, NULL, &err), 0);
}

/* ---- JSON ---- */

static void config_should_survive_a_json_round_trip(void)
{
	struct hw_config a = hw_config_default(), b;
	struct hn_err err = { 0 };
	char *text;

	/* A config unlike the default in every field, with doubles that need 17 digits. */
	a.pe_rows = 7;
	a.pe_cols = 256;
	a.dataflow = HW_IS;
	a.act_bits = 4;
	a.weight_bits = 16;
	a.acc_bits = 64;
	a.ibuf_bytes = 64;
	a.wbuf_bytes = 1LL << 30;
	a.obuf_bytes = 12345;
	a.double_buffer = 0;
	a.freq_mhz = 700.0 / 3.0;
	a.dram_gbps = 0.1 + 0.2;
	a.dram_latency_cycles = 0;
	hn_strlcpy(a.device, "", sizeof(a.device));

	const struct hw_config cases[] = { hw_config_default(), a };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = hw_config_to_json(&cases[i]);
		CHECK(text != NULL);
		if (!text)
			continue;
		memset(&b, 0, sizeof(b));
		CHECK_EQ_I64(parse(text, &b, &err), 0);
		CHECK(configs_equal(&cases[i], &b));
		free(text);
	}
}

static void json_should_write_every_field(void)
{
	struct hw_config hw = hw_config_default();
	const char *names[] = { "pe_rows", "pe_cols", "dataflow", "act_bits", "weight_bits",
				"acc_bits", "ibuf_bytes", "wbuf_bytes", "obuf_bytes",
				"double_buffer", "freq_mhz", "dram_gbps", "dram_latency_cycles",
				"device" };
	char *text = hw_config_to_json(&hw);
	char key[64];

	CHECK(text != NULL);
	for (size_t i = 0; text && i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(key, sizeof(key), "\"%s\":", names[i]);
		CHECK_STR_CONTAINS(text, key);
	}
	CHECK_STR_CONTAINS(text, "\"dataflow\":\t\"ws\"");
	CHECK_STR_CONTAINS(text, "\"double_buffer\":\ttrue");
	free(text);
}

static void missing_fields_should_take_the_default(void)
{
	struct hw_config hw, def = hw_config_default();
	struct hn_err err = { 0 };

	CHECK_EQ_I64(parse("{}", &hw, &err), 0);
	CHECK(configs_equal(&hw, &def));
	CHECK_EQ_I64(parse("{ \"pe_rows\": 8, \"dataflow\": \"os\" }", &hw, &err), 0);
	CHECK_EQ_I64(hw.pe_rows, 8);
	CHECK(hw.dataflow == HW_OS);
	CHECK_EQ_I64(hw.pe_cols, 16);
	CHECK(!strcmp(hw.device, "zcu102"));
}

static void double_buffer_should_accept_booleans_and_0_or_1(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(parse("{\"double_buffer\": false}", &hw, &err), 0);
	CHECK_EQ_I64(hw.double_buffer, 0);
	CHECK_EQ_I64(parse("{\"double_buffer\": 1}", &hw, &err), 0);
	CHECK_EQ_I64(hw.double_buffer, 1);
	CHECK_EQ_I64(parse("{\"double_buffer\": 0}", &hw, &err), 0);
	CHECK_EQ_I64(hw.double_buffer, 0);
	CHECK_EQ_I64(parse("{\"double_buffer\": true}", &hw, &err), 0);
	CHECK_EQ_I64(hw.double_buffer, 1);
}

static void integral_numbers_in_exponent_form_should_be_integers(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(parse("{\"ibuf_bytes\": 1.31072e5, \"pe_rows\": 32.0}", &hw, &err), 0);
	CHECK_EQ_I64(hw.ibuf_bytes, 131072);
	CHECK_EQ_I64(hw.pe_rows, 32);
}

static void a_failed_parse_should_leave_the_config_untouched(void)
{
	struct hw_config hw = hw_config_default(), before;
	struct hn_err err = { 0 };

	hw.pe_rows = 3;
	before = hw;
	CHECK_EQ_I64(parse("{\"pe_cols\": 8, \"act_bits\": 5}", &hw, &err), HN_EINVAL);
	CHECK(configs_equal(&hw, &before));
}

static void a_device_can_be_none(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(parse("{\"device\": \"\"}", &hw, &err), 0);
	CHECK(!strcmp(hw.device, ""));
}

/* Each bad file in tests/data/hw/ and the tail of its message ("<path>: " is checked too). */
static const struct bad_case {
	const char *file;
	const char *msg;
} bad_configs[] = {
	{ "bad_pe_rows_zero.json", "'pe_rows' must be between 1 and 256, got 0" },
	{ "bad_pe_cols_too_big.json", "'pe_cols' must be between 1 and 256, got 512" },
	{ "bad_pe_rows_int32_wrap.json", "'pe_rows' must be between 1 and 256, got 4294967312" },
	{ "bad_pe_rows_fraction.json", "'pe_rows' must be an integer, got 16.5" },
	{ "bad_pe_rows_string.json", "'pe_rows' must be an integer, got string" },
	{ "bad_dataflow_name.json", "'dataflow' must be \"ws\", \"os\" or \"is\", got \"rs\"" },
	{ "bad_dataflow_type.json", "'dataflow' must be a string, got number" },
	{ "bad_act_bits.json", "'act_bits' must be 4, 8 or 16, got 6" },
	{ "bad_weight_bits.json", "'weight_bits' must be 4, 8 or 16, got 32" },
	{ "bad_acc_bits_range.json", "'acc_bits' must be between 8 and 64, got 128" },
	{ "bad_acc_bits_overflow.json",
	  "'acc_bits' must be at least act_bits + weight_bits = 32 so that one product does "
	  "not overflow the accumulator, got 24" },
	{ "bad_mac_packing_name.json",
	  "'mac_packing' must be \"none\", \"dsp2\", \"dsp4\" or \"lut\", got \"dsp3\"" },
	{ "bad_mac_packing_type.json", "'mac_packing' must be a string, got number" },
	{ "bad_mac_packing_dsp2_16bit.json",
	  "'mac_packing' dsp2 needs act_bits and weight_bits of at most 8 (two products in one "
	  "25x18 or 27x18 multiply), got 16 and 8" },
	{ "bad_mac_packing_dsp4_ws.json", "'mac_packing' dsp4 needs dataflow os (" },
	{ "bad_mac_packing_lut_8bit.json",
	  "'mac_packing' lut needs act_bits or weight_bits = 4 (shift-and-add over the 4-bit "
	  "operand), got 8 and 8" },
	{ "bad_ibuf_too_small.json",
	  "'ibuf_bytes' must be between 64 and 1073741824 (64 B .. 1 GiB), got 32" },
	{ "bad_wbuf_too_big.json",
	  "'wbuf_bytes' must be between 64 and 1073741824 (64 B .. 1 GiB), got 2147483648" },
	{ "bad_obuf_huge_number.json",
	  "'obuf_bytes' is too large for a 64-bit integer, got 1e+30" },
	{ "bad_double_buffer_value.json",
	  "'double_buffer' must be 0 or 1 (false or true), got 2" },
	{ "bad_double_buffer_type.json",
	  "'double_buffer' must be true, false, 0 or 1, got string" },
	{ "bad_freq_zero.json", "'freq_mhz' must be in [1, 2000] MHz, got 0" },
	{ "bad_freq_too_high.json", "'freq_mhz' must be in [1, 2000] MHz, got 2500" },
	{ "bad_dram_gbps_negative.json", "'dram_gbps' must be in [0.1, 10000] GB/s, got -1" },
	{ "bad_dram_gbps_type.json", "'dram_gbps' must be a number, got null" },
	{ "bad_latency.json",
	  "'dram_latency_cycles' must be between 0 and 100000 cycles, got 200000" },
	{ "bad_device_unknown.json",
	  "'device' \"zcu999\" is not in the catalogue; known devices: zcu102, zcu104, "
	  "ultra96, pynq_z1, vc707, u250 (or \"\" for none)" },
	{ "bad_device_too_long.json", "'device' must be at most 31 bytes (UTF-8), got 40" },
	{ "bad_device_type.json", "'device' must be a string, got number" },
	{ "bad_unknown_field.json", "unknown field 'pe_col' (known fields: pe_rows, pe_cols," },
	{ "bad_duplicate_field.json", "'pe_rows' appears more than once" },
	{ "bad_syntax_missing_comma.json", "JSON syntax error at byte 18 (line 3, column 2)" },
	{ "bad_syntax_trailing_text.json",
	  "JSON syntax error at byte 19 (line 4, column 1): text after the top-level value" },
	{ "bad_top_level_array.json", "the top level must be a JSON object, got array" },
	{ "bad_empty.json", "JSON syntax error at byte 0 (line 1, column 1)" },
};

static const struct bad_case bad_energy[] = {
	{ "bad_energy_unknown_field.json",
	  "unknown field 'dram_pj' (known fields: mac_pj, sram_pj_per_byte_small," },
};

static void every_bad_config_file_should_give_its_error_text(void)
{
	char path[256], prefix[300];

	for (size_t i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		struct hw_config hw = hw_config_default();
		struct hn_err err = { 0 };

		snprintf(path, sizeof(path), DATA "%s", bad_configs[i].file);
		snprintf(prefix, sizeof(prefix), "%s: ", path);
		CHECK_EQ_I64(hw_config_load(path, &hw, &err), HN_EINVAL);
		CHECK(!strncmp(err.msg, prefix, strlen(prefix)));
		CHECK_STR_CONTAINS(err.msg, bad_configs[i].msg);
	}
}

static void every_bad_file_should_be_listed_with_its_error(void)
{
	glob_t g;

	CHECK_EQ_I64(glob(DATA "bad_*.json", 0, NULL, &g), 0);
	CHECK(g.gl_pathc >= 15);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *name = g.gl_pathv[i] + strlen(DATA);
		int listed = 0;

		for (size_t k = 0; k < sizeof(bad_configs) / sizeof(bad_configs[0]); k++)
			listed |= !strcmp(name, bad_configs[k].file);
		for (size_t k = 0; k < sizeof(bad_energy) / sizeof(bad_energy[0]); k++)
			listed |= !strcmp(name, bad_energy[k].file);
		if (!listed)
			fprintf(stderr, "%s has no expected error in test_hw.c\n", g.gl_pathv[i]);
		CHECK(listed);
	}
	globfree(&g);
}

static void good_config_files_should_load(void)
{
	struct hw_config hw;
	struct hw_resources r;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_load(DATA "good_empty_object.json", &hw, &err), 0);
	CHECK_EQ_I64(hw.pe_rows, 16);
	CHECK_EQ_I64(hw_config_load(DATA "good_partial.json", &hw, &err), 0);
	CHECK_EQ_I64(hw.pe_rows, 8);
	CHECK(hw.dataflow == HW_OS);
	CHECK_EQ_I64(hw.double_buffer, 0);
	CHECK_EQ_I64(hw_config_load(DATA "good_no_device.json", &hw, &err), 0);
	hw_resources(&hw, &r);
	/* 256 x 256 PEs, the DMA's 3, 256 lanes of output stage and vector unit: 8 each */
	CHECK_EQ_I64(r.dsp, 65536 + 3 + 256 * 8);
	CHECK_EQ_I64(r.fits, 1); /* no device: nothing to exceed */
	CHECK(!strcmp(r.why, ""));
}

static void a_missing_file_should_be_an_io_error_naming_the_path(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_load(DATA "no_such_file.json", &hw, &err), HN_EIO);
	CHECK_STR_CONTAINS(err.msg, DATA "no_such_file.json");
}

static void a_parse_without_origin_should_have_no_prefix(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };
	const char *text = "{\"pe_rows\": 0}";

	CHECK_EQ_I64(hw_config_parse_json(text, strlen(text), NULL, &hw, &err), HN_EINVAL);
	CHECK(!strcmp(err.msg, "'pe_rows' must be between 1 and 256, got 0"));
}

static void the_parser_should_respect_the_given_length(void)
{
	struct hw_config hw;
	struct hn_err err = { 0 };
	const char *text = "{\"pe_rows\": 8}garbage";

	CHECK_EQ_I64(hw_config_parse_json(text, 14, "hw.json", &hw, &err), 0);
	CHECK_EQ_I64(hw.pe_rows, 8);
	CHECK_EQ_I64(hw_config_parse_json(text, 10, "hw.json", &hw, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "hw.json: JSON syntax error at byte");
}

/* ---- device catalogue ---- */

struct expect_device {
	const char *name, *part;
	int32_t dsp, bram36, uram;
	int64_t lut, ff;
	double dram_gbps, freq_mhz;
	int a_bits;
};

static void catalogue_should_hold_the_data_sheet_figures(void)
{
	const struct expect_device want[] = {
		{ "zcu102", "XCZU9EG", 2520, 912, 0, 274080, 548160, 19.2, 200, 27 },
		{ "zcu104", "XCZU7EV", 1728, 312, 96, 230400, 460800, 19.2, 200, 27 },
		{ "ultra96", "XCZU3EG", 360, 216, 0, 70560, 141120, 8.5, 200, 27 },
		{ "pynq_z1", "XC7Z020", 220, 140, 0, 53200, 106400, 2.1, 100, 25 },
		{ "vc707", "XC7VX485T", 2800, 1030, 0, 303600, 607200, 12.8, 200, 25 },
		{ "u250", "XCU250", 12288, 2688, 1280, 1728000, 3456000, 77, 300, 27 },
	};

	CHECK_EQ_I64(hw_device_count(), 6);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct hw_device *d = hw_device_find(want[i].name);

		CHECK(d != NULL);
		if (!d)
			continue;
		CHECK(d == hw_device_at((int)i));
		CHECK(!strcmp(d->part, want[i].part));
		CHECK_EQ_I64(d->dsp, want[i].dsp);
		CHECK_EQ_I64(d->bram36, want[i].bram36);
		CHECK_EQ_I64(d->uram, want[i].uram);
		CHECK_EQ_I64(d->lut, want[i].lut);
		CHECK_EQ_I64(d->ff, want[i].ff);
		CHECK_NEAR(d->dram_gbps, want[i].dram_gbps, 1e-12);
		CHECK_NEAR(d->freq_mhz, want[i].freq_mhz, 1e-12);
		CHECK_EQ_I64(d->dsp_a_bits, want[i].a_bits);
		CHECK_EQ_I64(d->dsp_b_bits, 18);
		CHECK(d->source && d->source[0]);
		CHECK(d->family && d->family[0]);
	}
}

static void catalogue_should_return_null_for_unknown_names_and_indices(void)
{
	CHECK(hw_device_find("zcu999") == NULL);
	CHECK(hw_device_find("") == NULL);
	CHECK(hw_device_find(NULL) == NULL);
	CHECK(hw_device_at(-1) == NULL);
	CHECK(hw_device_at(hw_device_count()) == NULL);
}

/* ---- resource model ---- */

static void a_16x16_int8_array_should_use_one_dsp_per_pe(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw_resources(&hw, &r);
	/* one DSP per PE, 3 for the DMA's byte count, and per each of the 16 lanes of the
	 * output stage and the vector unit a 33 x 32 and a 32 x 32 product of 4 slices each
	 * (docs/resources.md) */
	CHECK_EQ_I64(r.dsp, 256 + 3 + 16 * 8);
	CHECK_EQ_I64(r.array_dsp, 256);
	CHECK_EQ_I64(r.macs_per_dsp_x100, 100);
	/* 96 B/cycle of DRAM: DMA beats of 8 words (96 / 16 B, to a power of two), so ibuf and
	 * wbuf lines of 8 x 128 = 1024 bits and obuf lines of 8 x 512 = 4096; store lanes
	 * 8 x 16 = 128. LUT = 256 x (5 + (8+8+32) x 3/8) + (1024 + 1024 + 2 x 4096) x 4 / 2 + 16
	 * lanes x (32 + 33) bits x 27 (two requantisers; no fixed or store-lane term since the
	 * refit after the output stage); FF = 256
	 * x 48 + 700 + 128 x 32 + 600 + 16 x (8 + 2 x 32). */
	CHECK_EQ_I64(r.lut, 256 * 23 + (1024 + 1024 + 2 * 4096) * 4 / 2 + 16 * 65 * 27);
	CHECK_EQ_I64(r.ff, 256 * 48 + 700 + 128 * 32 + 600 + 16 * 72);
	/* ibuf 1024 bits x 512 lines: 29 BRAM18 (512x36); wbuf the same; obuf two memories of
	 * 4096 bits x 64 lines, 114 BRAM18 each: 286 halves; the qbuf 16 x 72 = 1152 bits x 64
	 * words: 32 BRAM18 (512x36): 318 halves = 159 BRAM36. */
	CHECK_EQ_I64(r.bram36, 159);
	CHECK_EQ_I64(r.fits, 1);
	CHECK(!strcmp(r.why, ""));
}

static void a_4bit_array_should_build_its_multipliers_in_luts(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.act_bits = 4;
	hw.weight_bits = 4;
	hw.acc_bits = 16;
	hw_resources(&hw, &r);
	/* the DMA's, and 16 lanes of two products of 16 and 17 x 32 bits, 2 slices each */
	CHECK_EQ_I64(r.dsp, 3 + 16 * 4);
	CHECK_EQ_I64(r.array_dsp, 0);
	CHECK_EQ_I64(r.macs_per_dsp_x100, 0);
	/* Per PE: 5 + (16 + 18) x 9 / 8 = 44 LUT (multiplier and adder), FF = 4 + 4 + 16 = 24;
	 * store lanes 128 of 16 bits; lines 8 x 64, 8 x 64, 2 x 8 x 256 bits. */
	CHECK_EQ_I64(r.lut, 256 * 44 + (512 + 512 + 2 * 2048) * 4 / 2 + 16 * 49 * 27);
	CHECK_EQ_I64(r.ff, 256 * 24 + 700 + 128 * 16 + 600 + 16 * (4 + 32));
}

/* The array's share of the DSPs (what bench_dsp's ops per DSP per cycle divide by) apart from
 * the DMA's 3 and the output stage's C x (mul(c, 32) + mul(c + 1, 32)): dsp2 one slice per
 * pair of columns and one per row for an odd last column, dsp4 one per 2 x 2 block less an
 * odd corner (docs/resources.md "DSP"). */
static void packed_arrays_should_count_the_array_dsps_apart(void)
{
	static const struct {
		int r, c, df, a, w, acc;
		enum hw_packing pk;
		int64_t array, per_lane;        /* per_lane: the output stage's slices per column */
	} t[] = {
		{ 64, 32, HW_OS, 8, 8, 32, HW_PACK_NONE, 2048, 8 },
		{ 64, 32, HW_OS, 8, 8, 32, HW_PACK_DSP2, 1024, 8 },
		{ 48, 64, HW_WS, 8, 8, 32, HW_PACK_DSP2, 1536, 8 },
		{ 8, 9, HW_WS, 8, 8, 16, HW_PACK_DSP2, 8 * 4 + 8, 4 },
		{ 7, 9, HW_OS, 4, 4, 16, HW_PACK_DSP4, 4 * 5 - 1, 4 },
		{ 8, 8, HW_OS, 4, 4, 16, HW_PACK_LUT, 0, 4 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hw_config hw = hw_config_default();
		struct hw_resources r;
		hw.pe_rows = t[i].r;
		hw.pe_cols = t[i].c;
		hw.dataflow = (enum hw_dataflow)t[i].df;
		hw.act_bits = t[i].a;
		hw.weight_bits = t[i].w;
		hw.acc_bits = t[i].acc;
		hw.mac_packing = t[i].pk;
		hw_resources(&hw, &r);
		CHECK_EQ_I64(r.array_dsp, t[i].array);
		CHECK_EQ_I64(r.dsp, t[i].array + 3 + t[i].c * t[i].per_lane);
		CHECK_EQ_I64(r.macs_per_dsp_x100, t[i].array ? 100LL * t[i].r * t[i].c /
			     t[i].array : 0);
	}
}

static void a_mixed_4x8_array_should_still_use_dsps(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.act_bits = 4;
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.dsp, 256 + 3 + 16 * 8);
}

static void an_accumulator_wider_than_the_dsp_should_extend_in_luts(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.act_bits = 16;
	hw.weight_bits = 16;
	hw.acc_bits = 64;
	hw_resources(&hw, &r);
	/* lanes: a 64 x 32 product (4 x 2 slices) and a 65 x 32 (4 x 2) */
	CHECK_EQ_I64(r.dsp, 256 + 3 + 16 * 16);
	/* 5 + (16 + 16 + 64) x 3 / 8 = 41 LUT per PE; beats of 4 words (2 B elements): lines
	 * 4 x 256, 4 x 256, 2 x 4 x 1024 bits, 4 x 16 = 64 store lanes of 64 bits. */
	CHECK_EQ_I64(r.lut, 256 * 41 + (1024 + 1024 + 2 * 4096) * 4 / 2 + 16 * 97 * 27);
	CHECK_EQ_I64(r.ff, 256 * (16 + 16 + 64) + 700 + 64 * 64 + 600 + 16 * (16 + 128));
}

/* The slices Yosys 0.23's synth_xilinx gives a signed a x 32 product, each measured on both
 * families (a one-product module): 9..18 -> 2, 19..42 -> 4, 48 -> 6, 64 and 65 -> 8; 43
 * bits differ (27-bit ports: two slices of the 43, 25-bit: three): 4 xcup, 6 xc7. */
static void dsp_slices_should_follow_yosys_mul2dsp(void)
{
	const int64_t acc[] = { 9, 10, 16, 17, 18, 19, 20, 24, 32, 33, 40, 42, 48, 64, 65 };
	const int64_t want[] = { 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 6, 8, 8 };

	for (size_t i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
		CHECK_EQ_I64(hw_mul_dsp(acc[i], 32, 27), want[i]);
		CHECK_EQ_I64(hw_mul_dsp(32, acc[i], 25), want[i]);
	}
	CHECK_EQ_I64(hw_mul_dsp(43, 32, 27), 4);
	CHECK_EQ_I64(hw_mul_dsp(43, 32, 25), 6);
	CHECK_EQ_I64(hw_mul_dsp(8, 8, 27), 1);
}

static void buffer_bram_should_match_hand_counts(void)
{
	/* 64 KiB read 16 x 8 = 128 bits wide: depth 65536 x 8 / 128 = 4096. 4Kx9 blocks:
	 * ceil(128/9) = 15 side by side, one deep: 15 (512x72 would take 2 x 8 = 16, 1Kx36
	 * 4 x 4 = 16); the capacity bound is ceil(524288 / 36864) = 15, so 15 is optimal. */
	CHECK_EQ_I64(hw_buffer_bram36(65536, 128), 15);
	/* obuf 64 KiB, 16 x 32 = 512 bits, depth 1024: 1Kx36 blocks, ceil(512/36) = 15. */
	CHECK_EQ_I64(hw_buffer_bram36(65536, 512), 15);
	/* 64 B, 128 wide, depth 4: four BRAM18 in 512x36 mode = 2 BRAM36 (no LUTRAM). */
	CHECK_EQ_I64(hw_buffer_bram36(64, 128), 2);
	/* 4 KiB x 8 bits: depth 4096, one 4Kx9 BRAM36. */
	CHECK_EQ_I64(hw_buffer_bram36(4096, 8), 1);
	/* 2 KiB x 8 bits: one 2Kx9 BRAM18, rounded up to a whole BRAM36. */
	CHECK_EQ_I64(hw_buffer_bram36(2048, 8), 1);
	/* 32 KiB, 64 bits, depth 4096: 512x72 takes 1 x 8 = 8, 4Kx9 takes 8 x 1 = 8. */
	CHECK_EQ_I64(hw_buffer_bram36(32768, 64), 8);
	/* 1 MiB, 512 bits, depth 16384: 2Kx9 BRAM18, 57 wide x 8 deep = 456 halves = 228. */
	CHECK_EQ_I64(hw_buffer_bram36(1 << 20, 512), 228);
	/* 1 bit wide, 4 KiB: 32Kx1, one block. */
	CHECK_EQ_I64(hw_buffer_bram36(4096, 1), 1);
}

/* Every memory shape tests/synth_spad.sh synthesized with Yosys (one write enable per word,
 * as the obuf's): the model's halves equal Yosys's RAMB36 x 2 + RAMB18 on each. */
static void memory_brams_should_equal_yosys_on_every_recorded_shape(void)
{
	FILE *f = fopen("tests/data/synth_spad.txt", "r");
	char line[256];
	int rows = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long long wb, nb, lines, r36, r18;
		if (line[0] == '#')
			continue;
		CHECK(sscanf(line, "%lld %lld %lld %lld %lld", &wb, &nb, &lines, &r36, &r18) == 5);
		CHECK_EQ_I64(hw_memory_bram_halves(wb, nb, lines), 2 * r36 + r18);
		rows++;
	}
	fclose(f);
	CHECK(rows >= 20);
}

/* The main job's smallest-DSP front point (tests/data/synth_extra/
 * zu_os_8x8_int16_mainjob.json): Yosys 58 RAMB36 + 58 RAMB18 = 87. ibuf and wbuf, 8 words
 * of 128 bits written whole, 256 lines: 29 BRAM18 in 512x36 (cost 29 x 129 = 3741 against
 * 15 x 257 for 512x72); each obuf half, 8 words of 256 bits with an enable each, 64 lines:
 * every word padded to 29 9-bit bytes, 2088 bits, 29 BRAM36 in 512x72 (7453 against
 * 58 x 129 = 7482 for 512x36). (29 + 29 + 2 x 58) / 2 = 87; before the padding, 86. */
static void the_main_job_point_should_count_yosys_brams(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.pe_rows = 8;
	hw.pe_cols = 8;
	hw.dataflow = HW_OS;
	hw.act_bits = 16;
	hw.weight_bits = 16;
	hw.acc_bits = 32;
	hw.ibuf_bytes = hw.wbuf_bytes = hw.obuf_bytes = 32768;
	hw.double_buffer = 1;
	hw.freq_mhz = 200;
	hw.dram_gbps = 19.2;
	hw_resources(&hw, &r);
	/* 87 for the RTL Yosys read then; since the output stage also its qbuf: 8 lanes x 72
	 * bits x 64 words, 8 BRAM36 in 512x72 (8 x 257 against 16 x 129): 95 (not yet
	 * re-synthesized) */
	CHECK_EQ_I64(r.bram36, 87 + 8);
	CHECK_EQ_I64(hw_memory_bram_halves(576, 1, 64), 16);
	CHECK_EQ_I64(hw_memory_bram_halves(1024, 1, 256), 29);
	CHECK_EQ_I64(hw_memory_bram_halves(256, 8, 64), 58);
}

static void a_config_too_big_for_pynq_z1_should_say_which_budget(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hn_strlcpy(hw.device, "pynq_z1", sizeof(hw.device));
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.fits, 0);
	CHECK(!strcmp(r.why, "needs 387 DSP, pynq_z1 has 220"));

	hw.pe_rows = 8;
	hw.pe_cols = 8;
	/* beats of 16 words at 96 B/cycle. ibuf 1 MiB in lines of 16 x 64 bits, 1024 deep
	 * (two halves): 2Kx9 BRAM18, 114 wide = 114 halves... the model's best of the modes;
	 * the obuf's lines are 16 x 256 bits. */
	hw.ibuf_bytes = 1 << 20;
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.dsp, 64 + 3 + 8 * 8);
	CHECK(r.bram36 > 140);
	CHECK_EQ_I64(r.fits, 0);
	{
		char want[64];
		snprintf(want, sizeof(want), "needs %lld BRAM36, pynq_z1 has 140",
			 (long long)r.bram36);
		CHECK(!strcmp(r.why, want));
	}
}

static void a_64x64_array_should_not_fit_zcu102(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.pe_rows = 64;
	hw.pe_cols = 64;
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.fits, 0);
	CHECK(!strcmp(r.why, "needs 4611 DSP, zcu102 has 2520"));
}

static void a_large_4bit_array_should_run_out_of_luts_not_dsps(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.pe_rows = 128;
	hw.pe_cols = 128;
	hw.act_bits = 4;
	hw.weight_bits = 4;
	hw.acc_bits = 16;
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.dsp, 3 + 128 * 4);
	CHECK_EQ_I64(r.fits, 0);
	CHECK(r.lut > 274080);
	CHECK(!strncmp(r.why, "needs ", 6) && strstr(r.why, " LUT, zcu102 has 274080"));
}

static void an_unknown_device_should_not_fit(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hn_strlcpy(hw.device, "zcu999", sizeof(hw.device));
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.fits, 0);
	CHECK(!strcmp(r.why, "unknown device 'zcu999'"));
}

static void a_config_without_device_should_always_fit(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_resources r;

	hw.pe_rows = 256;
	hw.pe_cols = 256;
	hw.device[0] = '\0';
	hw_resources(&hw, &r);
	CHECK_EQ_I64(r.fits, 1);
	CHECK(!strcmp(r.why, ""));
}

static void every_example_should_load_validate_and_fit(void)
{
	glob_t g;

	CHECK_EQ_I64(glob("examples/*.json", 0, NULL, &g), 0);
	CHECK(g.gl_pathc >= 6);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct hw_config hw;
		struct hw_resources r;
		struct hn_err err = { 0 };

		if (strstr(g.gl_pathv[i], "space"))
			continue; /* search spaces (docs/search.md), not accelerator configs */
		if (hw_config_load(g.gl_pathv[i], &hw, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			CHECK(0);
			continue;
		}
		CHECK(hw.device[0] != '\0');
		hw_resources(&hw, &r);
		if (!r.fits)
			fprintf(stderr, "%s: %s\n", g.gl_pathv[i], r.why);
		CHECK_EQ_I64(r.fits, 1);
	}
	globfree(&g);
}

static void the_default_example_should_be_the_default_config(void)
{
	struct hw_config hw, def = hw_config_default();
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_config_load("examples/zcu102_ws_16x16.json", &hw, &err), 0);
	CHECK(configs_equal(&hw, &def));
}

/* ---- energy ---- */

static void energy_defaults_should_follow_horowitz(void)
{
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };

	CHECK_NEAR(hw_energy_mac_pj(&e, 4), 0.15, 1e-12);
	CHECK_NEAR(hw_energy_mac_pj(&e, 8), 0.30, 1e-12);
	CHECK_NEAR(hw_energy_mac_pj(&e, 16), 0.90, 1e-12);
	CHECK_NEAR(hw_energy_mac_pj(&e, 12), 0.90, 1e-12); /* wider than 8: the 16-bit entry */
	CHECK_NEAR(e.dram_pj_per_byte, 160.0, 0);
	CHECK_NEAR(e.static_mw, 500.0, 0);
	CHECK_NEAR(e.reg_pj_per_byte, 0.06, 0);
	CHECK_EQ_I64(hw_energy_check(&e, NULL, &err), 0);
}

static void sram_energy_should_go_by_buffer_size_class(void)
{
	struct hw_energy e = hw_energy_default();

	CHECK_NEAR(hw_energy_sram_pj_per_byte(&e, 64), 2.5, 0);
	CHECK_NEAR(hw_energy_sram_pj_per_byte(&e, 32768), 2.5, 0);
	CHECK_NEAR(hw_energy_sram_pj_per_byte(&e, 32769), 5.0, 0);
	CHECK_NEAR(hw_energy_sram_pj_per_byte(&e, 262144), 5.0, 0);
	CHECK_NEAR(hw_energy_sram_pj_per_byte(&e, 262145), 12.5, 0);
}

static void energy_json_should_override_a_subset(void)
{
	struct hw_energy e, def = hw_energy_default();
	struct hn_err err = { 0 };

	CHECK_EQ_I64(hw_energy_load(DATA "good_energy_partial.json", &e, &err), 0);
	CHECK_NEAR(e.mac_pj[1], 0.5, 0);
	CHECK_NEAR(e.mac_pj[0], def.mac_pj[0], 0);
	CHECK_NEAR(e.mac_pj[2], def.mac_pj[2], 0);
	CHECK_NEAR(e.dram_pj_per_byte, 100, 0);
	CHECK_NEAR(e.static_mw, 2000, 0);
	CHECK_NEAR(e.sram_pj_per_byte_large, def.sram_pj_per_byte_large, 0);
}

static void energy_json_should_survive_a_round_trip(void)
{
	struct hw_energy a = hw_energy_default(), b;
	struct hn_err err = { 0 };
	char *text;

	a.mac_pj[2] = 1.0 / 3.0;
	a.sram_pj_per_byte_medium = 0.1 + 0.2;
	text = hw_energy_to_json(&a);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK_EQ_I64(hw_energy_parse_json(text, strlen(text), "e.json", &b, &err), 0);
	CHECK(!memcmp(&a, &b, sizeof(a)));
	free(text);
}

static void bad_energy_tables_should_name_the_field(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "{\"mac_pj\": {\"32\": 1}}",
		  "e.json: unknown key 'mac_pj.32' (known keys: 4, 8, 16)" },
		{ "{\"mac_pj\": [1, 2, 3]}",
		  "e.json: 'mac_pj' must be an object with keys \"4\", \"8\", \"16\", got array" },
		{ "{\"mac_pj\": {\"8\": \"x\"}}", "e.json: 'mac_pj.8' must be a number, got string" },
		{ "{\"mac_pj\": {\"8\": -1}}",
		  "e.json: 'mac_pj.8' must be a finite number in [0, 1e+06], got -1" },
		{ "{\"dram_pj_per_byte\": -5}",
		  "e.json: 'dram_pj_per_byte' must be a finite number in [0, 1e+06], got -5" },
		{ "{\"static_mw\": true}", "e.json: 'static_mw' must be a number, got boolean" },
		{ "{\"static_mw\": 1, \"static_mw\": 2}", "e.json: 'static_mw' appears more than once" },
		{ "{\"reg_pj_per_byte\": 1e999}",
		  "e.json: 'reg_pj_per_byte' must be a finite number in [0, 1e+06], got inf" },
		{ "{\"static_mw\" 1}", "e.json: JSON syntax error at byte 13 (line 1, column 14)" },
	};
	struct hn_err err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hw_energy e = hw_energy_default();
		CHECK_EQ_I64(hw_energy_parse_json(cases[i].text, strlen(cases[i].text), "e.json",
						  &e, &err), HN_EINVAL);
		CHECK(!strcmp(err.msg, cases[i].msg));
		if (strcmp(err.msg, cases[i].msg))
			fprintf(stderr, "  got: %s\n", err.msg);
	}
	for (size_t i = 0; i < sizeof(bad_energy) / sizeof(bad_energy[0]); i++) {
		struct hw_energy e;
		char path[256];

		snprintf(path, sizeof(path), DATA "%s", bad_energy[i].file);
		CHECK_EQ_I64(hw_energy_load(path, &e, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, bad_energy[i].msg);
	}
}

int main(void)
{
	RUN(default_config_should_be_a_16x16_ws_int8_array_on_zcu102);
	RUN(default_config_should_pass_validation);
	RUN(dataflow_names_should_parse_back);
	RUN(check_should_name_the_origin_field_range_and_value);
	RUN(check_should_reject_what_json_cannot_express);
	RUN(check_field_should_reject_a_name_that_is_not_an_integer_field);
	RUN(config_should_survive_a_json_round_trip);
	RUN(json_should_write_every_field);
	RUN(missing_fields_should_take_the_default);
	RUN(double_buffer_should_accept_booleans_and_0_or_1);
	RUN(integral_numbers_in_exponent_form_should_be_integers);
	RUN(a_failed_parse_should_leave_the_config_untouched);
	RUN(a_device_can_be_none);
	RUN(every_bad_config_file_should_give_its_error_text);
	RUN(every_bad_file_should_be_listed_with_its_error);
	RUN(good_config_files_should_load);
	RUN(a_missing_file_should_be_an_io_error_naming_the_path);
	RUN(a_parse_without_origin_should_have_no_prefix);
	RUN(the_parser_should_respect_the_given_length);
	RUN(catalogue_should_hold_the_data_sheet_figures);
	RUN(catalogue_should_return_null_for_unknown_names_and_indices);
	RUN(a_16x16_int8_array_should_use_one_dsp_per_pe);
	RUN(a_4bit_array_should_build_its_multipliers_in_luts);
	RUN(packed_arrays_should_count_the_array_dsps_apart);
	RUN(a_mixed_4x8_array_should_still_use_dsps);
	RUN(an_accumulator_wider_than_the_dsp_should_extend_in_luts);
	RUN(dsp_slices_should_follow_yosys_mul2dsp);
	RUN(buffer_bram_should_match_hand_counts);
	RUN(a_config_too_big_for_pynq_z1_should_say_which_budget);
	RUN(a_64x64_array_should_not_fit_zcu102);
	RUN(a_large_4bit_array_should_run_out_of_luts_not_dsps);
	RUN(an_unknown_device_should_not_fit);
	RUN(a_config_without_device_should_always_fit);
	RUN(every_example_should_load_validate_and_fit);
	RUN(the_default_example_should_be_the_default_config);
	RUN(energy_defaults_should_follow_horowitz);
	RUN(sram_energy_should_go_by_buffer_size_class);
	RUN(energy_json_should_override_a_subset);
	RUN(energy_json_should_survive_a_round_trip);
	RUN(bad_energy_tables_should_name_the_field);
	RUN(memory_brams_should_equal_yosys_on_every_recorded_shape);
	RUN(the_main_job_point_should_count_yosys_brams);
	return TEST_SUMMARY();
}
