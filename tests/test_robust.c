/* test_robust.c: robustness of the readers and of the counts (docs/robustness.md).
 *
 * - MAC counts of BERT-large-sized layers at big batches do not wrap, and the cost model's
 *   cycles for them stay positive and scale with the work;
 * - absurd shapes are rejected by arch_layer_check with a message, never wrapped;
 * - every prefix of a valid file (a truncated file) gives an error, never a crash, from
 *   every reader, reading exactly len bytes of a buffer without a terminating NUL;
 * - the committed fuzz seeds and regressions (fuzz/corpus, fuzz/regressions) go through their
 *   readers (under SAN=1 this is the sanitizer check of every fuzz finding). */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../search/search.h"

/* Paths are relative to the source tree: make runs the tests from there; HWNAS_SRCDIR
 * overrides. */
static const char *src_path(const char *rel, char *buf, size_t size)
{
	const char *root = getenv("HWNAS_SRCDIR");

	snprintf(buf, size, "%s/%s", root && root[0] ? root : ".", rel);
	return buf;
}

/* ---- integer overflow: big layers ---- */

/* BERT-large (Devlin et al. 2019): hidden 1024, FFN 4096, 16 heads of 64, sequence 512. */
enum { BL_HIDDEN = 1024, BL_FFN = 4096, BL_HEADS = 16, BL_HEAD_DIM = 64, BL_SEQ = 512 };

static void bert_large_ffn_at_batch_4096_should_count_2_pow_43_macs(void)
{
	/* 4096 x 512 tokens = 2^21 rows, x 1024 x 4096 = 2^21 x 2^10 x 2^12 = 2^43 MACs, which a
	 * 32-bit count would wrap 2048 times. */
	struct arch_layer l = arch_fc("ffn1", (int64_t)4096 * BL_SEQ, BL_HIDDEN, BL_FFN);
	struct hn_err err = { 0 };

	CHECK(arch_layer_check(&l, &err) == 0);
	CHECK_EQ_I64(arch_layer_macs(&l), 8796093022208LL);
	CHECK_EQ_I64(arch_layer_macs(&l), (int64_t)1 << 43);
	CHECK_EQ_I64(arch_layer_params(&l), (int64_t)BL_HIDDEN * BL_FFN);
}

static void bert_large_attention_at_batch_4096_should_count_2_pow_40_macs(void)
{
	/* Q x K^T: 4096 x 16 heads = 2^16 matmuls of [512 x 64] x [64 x 512]: 2^16 x 2^9 x 2^6 x 2^9. */
	struct arch_layer l = arch_matmul("qk", (int64_t)4096 * BL_HEADS, BL_SEQ, BL_HEAD_DIM, BL_SEQ);
	struct arch_gemm g = arch_gemm(&l);
	struct hn_err err = { 0 };

	CHECK(arch_layer_check(&l, &err) == 0);
	CHECK_EQ_I64(arch_layer_macs(&l), (int64_t)1 << 40);
	CHECK_EQ_I64(g.elems_out, (int64_t)1 << 34); /* 2^16 x 512 x 512 scores */
}

static void bert_large_ffn_from_json_at_batch_4096_should_count_the_same_macs(void)
{
	static const char text[] =
		"{\"name\": \"bl_ffn\", \"batch\": 4096, \"layers\": ["
		"{\"name\": \"ffn1\", \"type\": \"fc\", \"in_features\": 1024, \"out_features\": 4096,"
		" \"tokens\": 512},"
		"{\"name\": \"ffn2\", \"type\": \"fc\", \"in_features\": 4096, \"out_features\": 1024,"
		" \"tokens\": 512}]}";
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK(arch_net_parse_json(text, sizeof(text) - 1, "bl.json", &net, &err) == 0);
	if (err.code)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_EQ_I64(net.n_layers, 2);
	CHECK_EQ_I64(net.layers[0].n, (int64_t)4096 * 512);
	CHECK_EQ_I64(arch_net_macs(&net), (int64_t)2 << 43);
	arch_net_release(&net);
}

/* The BERT-large encoder (24 layers) at sequence 512 and batch b, built by hand: Q, K, V and
 * output projections, the two attention matmuls, the two FFN layers. */
static void bert_large(int64_t b, struct arch_net *net)
{
	const int64_t t = b * BL_SEQ, g = b * BL_HEADS;

	arch_net_init(net, "bert_large", b);
	for (int i = 0; i < 24; i++) {
		const struct arch_layer ls[8] = {
			arch_fc("q", t, BL_HIDDEN, BL_HIDDEN), arch_fc("k", t, BL_HIDDEN, BL_HIDDEN),
			arch_fc("v", t, BL_HIDDEN, BL_HIDDEN),
			arch_matmul("qk", g, BL_SEQ, BL_HEAD_DIM, BL_SEQ),
			arch_matmul("av", g, BL_SEQ, BL_SEQ, BL_HEAD_DIM),
			arch_fc("o", t, BL_HIDDEN, BL_HIDDEN), arch_fc("ffn1", t, BL_HIDDEN, BL_FFN),
			arch_fc("ffn2", t, BL_FFN, BL_HIDDEN),
		};
		for (int j = 0; j < 8; j++) {
			struct arch_layer l = ls[j];

			snprintf(l.name, sizeof(l.name), "enc%d.%.8s", i, ls[j].name);
			CHECK(arch_net_add(net, &l) == 0);
		}
	}
}

static void bert_large_at_batch_4096_should_count_the_hand_computed_macs(void)
{
	struct arch_net b1, b4096;
	struct hn_err err = { 0 };

	bert_large(1, &b1);
	bert_large(4096, &b4096);
	for (int i = 0; i < b4096.n_layers; i++)
		CHECK(arch_layer_check(&b4096.layers[i], &err) == 0);
	/* Per encoder layer and sample: QKVO 4 x 512 x 1024^2 = 2^31, QK and AV 16 x 512 x 64 x
	 * 512 = 2^28 each, FFN 2 x 512 x 1024 x 4096 = 2^32: 13 x 2^29; 24 layers: 312 x 2^29. */
	CHECK_EQ_I64(arch_net_macs(&b1), 312LL << 29);
	CHECK_EQ_I64(arch_net_macs(&b1), 167503724544LL);
	CHECK_EQ_I64(arch_net_macs(&b4096), 312LL << 41);
	arch_net_release(&b1);
	arch_net_release(&b4096);
}

/* Cycles of a layer under the default tiling on the default accelerator. */
static struct cost_report price(const struct arch_layer *l, const struct hw_config *hw)
{
	struct hw_energy e = hw_energy_default();
	struct map_tiling m;
	struct cost_report r;

	memset(&r, 0, sizeof(r));
	CHECK(map_default(l, hw, &m) == 0);
	CHECK(m.tm > 0);
	if (m.tm > 0)
		CHECK(cost_layer(l, hw, &m, &e, &r) == 0);
	return r;
}

static void bert_large_ffn_cycles_should_stay_positive_and_scale_with_the_batch(void)
{
	struct hw_config hw = hw_config_default();
	struct arch_layer l2048 = arch_fc("ffn1", (int64_t)2048 * BL_SEQ, BL_HIDDEN, BL_FFN);
	struct arch_layer l4096 = arch_fc("ffn1", (int64_t)4096 * BL_SEQ, BL_HIDDEN, BL_FFN);
	struct cost_report a = price(&l2048, &hw), b = price(&l4096, &hw);
	/* The array does at most rows x cols MACs a cycle. */
	int64_t floor4096 = ((int64_t)1 << 43) / (hw.pe_rows * hw.pe_cols);

	CHECK(b.feasible);
	CHECK_EQ_I64(b.macs, (int64_t)1 << 43);
	CHECK(b.cycles > 0 && b.compute_cycles > 0 && b.mem_cycles > 0);
	CHECK(b.compute_cycles >= floor4096);
	CHECK(b.cycles >= b.compute_cycles && b.cycles >= b.mem_cycles / 2);
	CHECK_EQ_I64(b.stall_cycles, b.cycles - b.compute_cycles);
	CHECK(b.stall_cycles >= 0);
	/* Weights (1024 x 4096 bytes at 8 bits) are read at least once, the output written once. */
	CHECK(b.dram_bytes >= (int64_t)BL_HIDDEN * BL_FFN + ((int64_t)1 << 33));
	CHECK(b.dram_bytes > 0 && b.utilization > 0.0 && b.utilization <= 1.0);
	/* Twice the tokens, twice the work: cycles and traffic within 10% of double. */
	CHECK_NEAR((double)b.cycles, 2.0 * (double)a.cycles, 0.10);
	CHECK_NEAR((double)b.compute_cycles, 2.0 * (double)a.compute_cycles, 0.10);
	CHECK(b.energy_total_pj > a.energy_total_pj);
}

static void network_totals_of_bert_large_at_batch_4096_should_not_wrap(void)
{
	struct hw_config hw = hw_config_default();
	struct arch_net net;
	struct cost_total t;
	int64_t sum = 0;

	bert_large(4096, &net);
	cost_total_init(&t);
	for (int i = 0; i < net.n_layers; i++) {
		struct cost_report r = price(&net.layers[i], &hw);

		CHECK(r.cycles > 0);
		CHECK(!__builtin_add_overflow(sum, r.cycles, &sum));
		cost_total_add(&t, &r, net.layers[i].name);
	}
	cost_total_finish(&t, &hw);
	CHECK(t.feasible);
	CHECK_EQ_I64(t.cycles, sum);
	CHECK_EQ_I64(t.macs, arch_net_macs(&net));
	CHECK(t.latency_ms > 0.0 && t.energy_mj > 0.0);
	arch_net_release(&net);
}

/* issue 14: numbers inside the old ranges gave undefined behaviour or a wrong figure. The
 * ranges are narrowed to what the model computes exactly; a total that would pass int64
 * saturates and says so. */
static void absurd_but_once_legal_numbers_should_be_refused_or_exact(void)
{
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	static const double bad_freq[] = { 1e-300, 1e-6, 0.999, 2000.5 };
	static const double bad_bw[] = { 1e-300, 1e-6, 0.0999, 10001 };

	for (size_t i = 0; i < 4; i++) {
		hw = hw_config_default();
		hw.freq_mhz = bad_freq[i];
		CHECK(hw_config_check(&hw, NULL, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "'freq_mhz' must be in [1, 2000] MHz");
		hw = hw_config_default();
		hw.dram_gbps = bad_bw[i];
		CHECK(hw_config_check(&hw, NULL, &err) == HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "'dram_gbps' must be in [0.1, 10000] GB/s");
	}
	e.mac_pj[1] = 1e308;
	CHECK(hw_energy_check(&e, "e.json", &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "e.json: 'mac_pj.8' must be a finite number in [0, 1e+06]");
	/* the corners that remain: the slowest DRAM at the fastest clock (0.05 B/cycle), the
	 * longest latency, every energy at its maximum, on the largest layer (2^50 MACs): every
	 * count positive and the energy finite (UBSan checks the arithmetic under SAN=1) */
	hw = hw_config_default();
	hw.freq_mhz = 2000;
	hw.dram_gbps = 0.1;
	hw.dram_latency_cycles = 100000;
	CHECK(hw_config_check(&hw, NULL, &err) == 0);
	e = hw_energy_default();
	for (int i = 0; i < 3; i++)
		e.mac_pj[i] = 1e6;
	e.dram_pj_per_byte = e.sram_pj_per_byte_large = e.static_mw = 1e6;
	CHECK(hw_energy_check(&e, NULL, &err) == 0);
	struct arch_layer big = arch_fc("big", (int64_t)1 << 25, (int64_t)1 << 12, (int64_t)1 << 13);
	struct map_tiling t;
	struct cost_report r;
	CHECK(arch_layer_check(&big, &err) == 0);
	CHECK(map_default(&big, &hw, &t) == 0);
	CHECK(cost_layer(&big, &hw, &t, &e, &r) == 0);
	CHECK(r.feasible && r.cycles > 0 && r.mem_cycles > 0 && r.dram_bytes > 0);
	CHECK(r.cycles >= r.dram_bytes * 20); /* 0.05 B/cycle */
	CHECK(isfinite(r.energy_total_pj) && r.energy_total_pj > 0);
}

/* issue 14: 9,000 layers of 2^50 MACs overflowed the network totals into negative MACs. */
static void networks_beyond_2p56_should_be_refused_and_totals_saturate(void)
{
	struct arch_net net;
	struct hn_err err = { 0 };
	struct cost_total t;
	struct cost_report r;

	arch_net_init(&net, "huge", 1);
	for (int i = 0; i < 9000; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		struct arch_layer l = arch_fc(name, 1, (int64_t)1 << 25, (int64_t)1 << 25);
		CHECK(arch_net_add(&net, &l) == 0);
		if (i == 63) /* 64 x 2^50 = 2^56: still inside */
			CHECK(arch_net_check_size(&net, "h.json", &err) == 0);
	}
	CHECK(arch_net_check_size(&net, "h.json", &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "h.json: network too large for the model: 9000 layers, MACs "
			   "above 2^56");
	CHECK_EQ_I64(arch_net_macs(&net), INT64_MAX); /* saturated, never negative */
	arch_net_release(&net);
	/* a sum past int64 saturates and is flagged, never wraps */
	memset(&r, 0, sizeof(r));
	r.feasible = 1;
	r.cycles = r.macs = r.dram_bytes = INT64_MAX / 2 + 1;
	cost_total_init(&t);
	cost_total_add(&t, &r, "a");
	CHECK(!t.saturated);
	cost_total_add(&t, &r, "b");
	CHECK(t.saturated);
	CHECK_EQ_I64(t.cycles, INT64_MAX);
	CHECK_EQ_I64(t.macs, INT64_MAX);
}

/* issue 14: cJSON kept the last of two equal keys and cut a key at an escaped NUL. Every
 * JSON reader now refuses both, naming the file and where. */
static void json_readers_should_refuse_duplicate_keys_and_nul_escapes(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	struct search_space sp;
	struct cost_calib cal;
	const char *t;

	t = "{\"layers\": [{\"type\": \"fc\", \"in_features\": 4, \"out_features\": 4, "
	    "\"out_features\": 8}]}";
	CHECK(arch_net_parse_json(t, strlen(t), "n.json", &net, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "n.json: 'out_features' appears more than once (in layers[0])");
	t = "{\"name\": \"a\", \"name\": \"b\", \"layers\": [{\"type\": \"fc\", \"in_features\": 4, "
	    "\"out_features\": 4}]}";
	CHECK(arch_net_parse_json(t, strlen(t), "n.json", &net, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'name' appears more than once (in the top level)");
	t = "{\"layers\": [{\"type\": \"fc\", \"in_features\\u0000x\": 4, \"out_features\": 4}]}";
	CHECK(arch_net_parse_json(t, strlen(t), "n.json", &net, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "n.json:1:40: a NUL character (\\u0000) in a string");
	/* an escaped backslash before u0000 is text, not a NUL: read as a name */
	t = "{\"layers\": [{\"name\": \"a\\\\u0000\", \"type\": \"fc\", \"in_features\": 4, "
	    "\"out_features\": 4}]}";
	CHECK(arch_net_parse_json(t, strlen(t), "n.json", &net, &err) == 0);
	CHECK(net.n_layers == 1 && !strcmp(net.layers[0].name, "a\\u0000"));
	arch_net_release(&net);
	t = "{\"nn\": {\"space\": \"nb201\", \"space\": \"mbv2\"}, \"hw\": {}, \"objectives\": "
	    "[{\"metric\": \"accuracy\"}]}";
	CHECK(search_space_parse_json(t, strlen(t), "s.json", &sp, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "s.json: 'space' appears more than once (in nn)");
	t = "{\"format\": \"hwnas-calibration\", \"version\": 2, \"classes\": []}";
	CHECK(cost_calib_parse_json(t, strlen(t), "c.json", &cal, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "c.json: 'version' must be 1, got 2");
	t = "{\"format\": \"hwnas-calibration\", \"format\": \"x\", \"classes\": []}";
	CHECK(cost_calib_parse_json(t, strlen(t), "c.json", &cal, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'format' appears more than once");
	t = "{\"format\": \"hwnas-calibration\", \"version\": 1, \"classes\": [], \"extra\": 1}";
	CHECK(cost_calib_parse_json(t, strlen(t), "c.json", &cal, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "unknown field 'extra'");
	t = "{\"format\": \"hwnas-calibration\", \"classes\": []}"; /* no version: 1 */
	CHECK(cost_calib_parse_json(t, strlen(t), "c.json", &cal, &err) == 0);
}

/* ---- absurd shapes ---- */

static void check_rejected(struct arch_layer l, const char *fragment)
{
	struct hn_err err = { 0 };

	CHECK(arch_layer_check(&l, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, fragment);
	CHECK_STR_CONTAINS(err.msg, l.name);
}

static void absurd_shapes_should_be_rejected_not_wrapped(void)
{
	const int64_t p62 = (int64_t)1 << 62, p32 = (int64_t)1 << 32;
	struct arch_layer l;

	/* 2^62 input channels: the input tensor alone is 2^62 x 32 x 32 elements. */
	check_rejected(arch_conv("c2p62", 1, p62, 32, 32, 16, 3, 1, 1, 1), "would overflow int64");
	/* 2^32 tokens x 2^32 in x 2^32 out: 2^96 MACs. */
	check_rejected(arch_fc("fc2p96", p32, p32, p32), "would overflow int64");
	/* 2^20 matmuls of [2^20 x 2^20] x [2^20 x 2^20]: 2^80 MACs. */
	check_rejected(arch_matmul("mm2p80", 1 << 20, 1 << 20, 1 << 20, 1 << 20), "would overflow");
	/* An add of two 2^62-element tensors reads 2^63 elements. */
	check_rejected(arch_add("add2p63", 1, p62, 1, 1), "would overflow int64");
	/* A pool over a 2^31 x 2^31 map of 2^2 channels: n c h w = 2^64. */
	check_rejected(arch_pool("pool2p64", 1, 4, (int64_t)1 << 31, (int64_t)1 << 31, 2, 2, 0, 1),
		       "would overflow int64");
	/* Padding that overflows the padded size. */
	l = arch_conv("padwrap", 1, 1, INT64_MAX - 1, 1, 1, 1, 1, INT32_MAX, 1);
	check_rejected(l, "would overflow int64");
	/* A huge batch on a layer that is fine at batch 1. */
	check_rejected(arch_conv("batchwrap", (int64_t)1 << 40, 512, 56, 56, 512, 3, 1, 1, 1),
		       "would overflow int64");
	/* Parameters alone overflow: 2^32 x 2^32 weights. */
	check_rejected(arch_fc("params2p64", 1, p32, p32), "would overflow int64");
	/* Zero and negative sizes name the field. */
	check_rejected(arch_conv("zero_c", 1, 0, 32, 32, 16, 3, 1, 1, 1), "'c' must be >= 1");
	check_rejected(arch_conv("neg_k", 1, 3, 32, 32, -16, 3, 1, 1, 1), "'k' must be >= 1");
	check_rejected(arch_conv("neg_pad", 1, 3, 32, 32, 16, 3, 1, -1, 1), "padding must be >= 0");
	check_rejected(arch_conv("zero_stride", 1, 3, 32, 32, 16, 3, 0, 1, 1), "'stride_h' must be >= 1");
	/* Saturating counts never go negative, even for a layer nobody checked. */
	l = arch_fc("unchecked", p32, p32, p32);
	CHECK(arch_layer_macs(&l) == INT64_MAX);
	CHECK(arch_layer_params(&l) > 0);
}

static void absurd_sizes_in_files_should_be_named_errors(void)
{
	static const char net[] =
		"{\"layers\": [{\"name\": \"huge\", \"type\": \"fc\", \"in_features\": 4294967296,"
		" \"out_features\": 4294967296, \"tokens\": 4294967296}]}";
	static const char csv[] =
		"Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
		"huge, 99999999999999999999, 230, 7, 7, 3, 64, 2,\n";
	static const char hw[] = "{\"ibuf_bytes\": 4611686018427387904}";
	static const char hw_wrap[] = "{\"pe_rows\": 4294967312}";
	struct arch_net n;
	struct hw_config c;
	struct hn_err err = { 0 };

	CHECK(arch_net_parse_json(net, sizeof(net) - 1, "n.json", &n, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "n.json: layers[0] 'huge': shape too large");
	CHECK(arch_net_parse_scalesim(csv, sizeof(csv) - 1, "t.csv", &n, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "t.csv:2:");
	CHECK_STR_CONTAINS(err.msg, "'huge'");
	CHECK(hw_config_parse_json(hw, sizeof(hw) - 1, "hw.json", &c, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "hw.json: 'ibuf_bytes' must be between 64 and 1073741824");
	CHECK(hw_config_parse_json(hw_wrap, sizeof(hw_wrap) - 1, "hw.json", &c, &err) == HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "got 4294967312");
}

/* ---- truncation ---- */

enum reader { R_NET_JSON, R_SCALESIM, R_HW_JSON, R_ENERGY_JSON, R_SEARCH_SPACE, R_CALIB_JSON,
	      R_COUNT };
static const char *const reader_names[R_COUNT] = {
	"net_json", "scalesim", "hw_json", "energy_json", "search_space", "calib_json"
};

/* Runs one reader on exactly len bytes (a heap copy without a NUL after it, so that ASan sees
 * a read past len). Returns the reader's code; an error must name the origin. */
static int read_with(enum reader r, const char *data, size_t len, const char *origin)
{
	char *buf = malloc(len ? len : 1);
	struct hn_err err = { 0 };
	struct arch_net net;
	struct hw_config hw;
	struct hw_energy e;
	int ret;

	if (!buf)
		abort();
	memcpy(buf, data, len);
	switch (r) {
	case R_NET_JSON:
		ret = arch_net_parse_json(buf, len, origin, &net, &err);
		break;
	case R_SCALESIM:
		ret = arch_net_parse_scalesim(buf, len, origin, &net, &err);
		break;
	case R_HW_JSON:
		ret = hw_config_parse_json(buf, len, origin, &hw, &err);
		break;
	case R_SEARCH_SPACE: {
		static struct search_space sp; /* large: off the stack */

		ret = search_space_parse_json(buf, len, origin, &sp, &err);
		break;
	}
	case R_CALIB_JSON: {
		struct cost_calib c;

		ret = cost_calib_parse_json(buf, len, origin, &c, &err);
		break;
	}
	default:
		ret = hw_energy_parse_json(buf, len, origin, &e, &err);
		break;
	}
	if (ret == 0 && (r == R_NET_JSON || r == R_SCALESIM))
		arch_net_release(&net);
	if (ret) {
		CHECK(ret < 0 && err.code == ret);
		CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		CHECK_STR_CONTAINS(err.msg, origin);
	}
	free(buf);
	return ret;
}

/* Every proper prefix of a valid file: a JSON prefix that stops before the closing brace is
 * an error; a CSV prefix may be a valid shorter file, but never a crash. */
static void check_prefixes(enum reader r, const char *rel)
{
	char path[512], *text = NULL;
	size_t len = 0, last = 0;
	struct hn_err err = { 0 };
	int failed = 0;

	if (hn_read_file(src_path(rel, path, sizeof(path)), &text, &len, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		CHECK(0);
		return;
	}
	CHECK(read_with(r, text, len, rel) == 0);
	for (size_t i = 0; i < len; i++)
		if (text[i] == '}')
			last = i;
	for (size_t n = 0; n < len; n++) {
		int ret = read_with(r, text, n, rel);

		if (r != R_SCALESIM && n <= last && ret == 0 && !failed) {
			fprintf(stderr, "%s: the %zu-byte prefix was accepted\n", rel, n);
			failed = 1;
			CHECK(0);
		}
	}
	free(text);
}

static void every_prefix_of_a_valid_file_should_be_an_error_not_a_crash(void)
{
	check_prefixes(R_NET_JSON, "tests/data/nets/small_net.json");
	check_prefixes(R_NET_JSON, "fuzz/corpus/net_json/zoo_bert_base_head.json");
	check_prefixes(R_SCALESIM, "tests/data/nets/scalesim_resnet_head.csv");
	check_prefixes(R_HW_JSON, "examples/zcu102_ws_16x16.json");
	check_prefixes(R_HW_JSON, "examples/pynq_z1_ws_8x8_int8.json");
	check_prefixes(R_ENERGY_JSON, "tests/data/hw/good_energy_partial.json");
	check_prefixes(R_ENERGY_JSON, "fuzz/corpus/energy_json/full.json");
}

static void every_prefix_of_a_written_zoo_network_should_be_an_error(void)
{
	struct arch_net net;
	struct hn_err err = { 0 };
	char *text;
	size_t len, last = 0;
	int failed = 0;

	CHECK(arch_zoo_build("alexnet", 2, &net, &err) == 0);
	text = arch_net_to_json(&net);
	CHECK(text != NULL);
	if (!text)
		return;
	len = strlen(text);
	CHECK(read_with(R_NET_JSON, text, len, "alexnet.json") == 0);
	for (size_t i = 0; i < len; i++)
		if (text[i] == '}')
			last = i;
	/* Every 7th prefix: the written file is a few KB and each read parses it whole. */
	for (size_t n = 0; n <= last; n += 7)
		if (read_with(R_NET_JSON, text, n, "alexnet.json") == 0 && !failed) {
			failed = 1;
			CHECK(0);
		}
	free(text);
	arch_net_release(&net);
}

/* ---- fuzz seeds and regressions ---- */

/* Every file of dir/<reader>/ through its reader; the fuzz target fuzz_net_cost reads
 * network JSON too. Returns the number of files read. */
static int read_dir(const char *dir)
{
	int count = 0;

	for (int r = 0; r <= R_COUNT; r++) {
		const char *name = r == R_COUNT ? "net_cost" : reader_names[r];
		enum reader rd = r == R_COUNT ? R_NET_JSON : (enum reader)r;
		char rel[256], path[512];
		struct dirent *de;
		DIR *d;

		snprintf(rel, sizeof(rel), "%s/%s", dir, name);
		d = opendir(src_path(rel, path, sizeof(path)));
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char file[1024], *text = NULL;
			size_t len = 0;
			struct hn_err err = { 0 };
			struct stat st;

			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			if (de->d_name[0] == '.' || stat(file, &st) || !S_ISREG(st.st_mode))
				continue;
			if (hn_read_file(file, &text, &len, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				CHECK(0);
				continue;
			}
			read_with(rd, text, len, de->d_name);
			free(text);
			count++;
		}
		closedir(d);
	}
	return count;
}

static void fuzz_seeds_and_regressions_should_read_without_crashing(void)
{
	CHECK(read_dir("fuzz/corpus") >= 40);
	CHECK(read_dir("fuzz/regressions") >= 1);
}

/* A finding of the fuzzing, fixed: the SCALE-Sim reader took control characters in layer
 * names that the JSON reader refuses (so the network could not be written and read back). */
static void csv_should_reject_control_characters_in_layer_names(void)
{
	static const char csv[] =
		"Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
		"la\x7f" "er, 56, 56, 1, 1, 64, 256, 1,\n";
	struct arch_net net;
	struct hn_err err = { 0 };
	int ret = arch_net_parse_scalesim(csv, sizeof(csv) - 1, "del.csv", &net, &err);

	CHECK(ret == HN_EINVAL);
	if (ret == 0)
		arch_net_release(&net);
	CHECK_STR_CONTAINS(err.msg, "del.csv:2: column 1 'Layer name' must not contain control "
			   "characters");
}

/* Fuzz finding: a space file's "hw.base": "/dev/zero" made hn_read_file grow its buffer
 * until the process ran out of memory. */
static void reading_dev_zero_should_stop_with_an_error(void)
{
	char *text = NULL;
	size_t len = 0;
	struct hn_err err = { 0 };

	CHECK(hn_read_file("/dev/zero", &text, &len, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "/dev/zero: not a regular file (a character device)");
	CHECK(text == NULL);
}

/* issue 14: a FIFO nobody writes to blocked the open for ever (--net, --hw, hw.base). */
static void reading_a_fifo_should_not_block(void)
{
	char path[64], *text = NULL;
	size_t len = 0;
	struct hn_err err = { 0 };

	snprintf(path, sizeof(path), "/tmp/hwnas_test_fifo.%d", (int)getpid());
	unlink(path);
	CHECK(mkfifo(path, 0600) == 0);
	alarm(20); /* a regression hangs: fail instead */
	CHECK(hn_read_file(path, &text, &len, &err) == HN_EIO);
	alarm(0);
	CHECK_STR_CONTAINS(err.msg, "not a regular file (a FIFO or pipe)");
	CHECK(text == NULL);
	unlink(path);
}

static void reading_a_directory_should_name_it(void)
{
	char path[512], *text = NULL;
	size_t len = 0;
	struct hn_err err = { 0 };

	CHECK(hn_read_file(src_path("tests/data/bad/a_directory.json", path, sizeof(path)), &text,
			   &len, &err) == HN_EIO);
	CHECK_STR_CONTAINS(err.msg, "a_directory.json: read error: Is a directory");
	CHECK(text == NULL);
}

int main(void)
{
	RUN(bert_large_ffn_at_batch_4096_should_count_2_pow_43_macs);
	RUN(bert_large_attention_at_batch_4096_should_count_2_pow_40_macs);
	RUN(bert_large_ffn_from_json_at_batch_4096_should_count_the_same_macs);
	RUN(bert_large_at_batch_4096_should_count_the_hand_computed_macs);
	RUN(bert_large_ffn_cycles_should_stay_positive_and_scale_with_the_batch);
	RUN(network_totals_of_bert_large_at_batch_4096_should_not_wrap);
	RUN(absurd_shapes_should_be_rejected_not_wrapped);
	RUN(absurd_but_once_legal_numbers_should_be_refused_or_exact);
	RUN(json_readers_should_refuse_duplicate_keys_and_nul_escapes);
	RUN(networks_beyond_2p56_should_be_refused_and_totals_saturate);
	RUN(absurd_sizes_in_files_should_be_named_errors);
	RUN(every_prefix_of_a_valid_file_should_be_an_error_not_a_crash);
	RUN(every_prefix_of_a_written_zoo_network_should_be_an_error);
	RUN(fuzz_seeds_and_regressions_should_read_without_crashing);
	RUN(csv_should_reject_control_characters_in_layer_names);
	RUN(reading_dev_zero_should_stop_with_an_error);
	RUN(reading_a_fifo_should_not_block);
	RUN(reading_a_directory_should_name_it);
	return TEST_SUMMARY();
}
