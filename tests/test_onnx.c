/* test_onnx.c: the ONNX importer and exporter (arch_onnx.c; docs/network_format.md "ONNX").
 *
 * - Debian's libonnx-testdata: every PyTorch single-module export either imports with the
 *   layer the module's parameters describe (checked against a table written from the modules'
 *   arguments) or is refused with a message saying why; an export not in either table fails;
 * - graphs written here byte by byte (a small protobuf encoder, independent of protobuf-c):
 *   SAME and asymmetric padding, ceil_mode, a dynamic batch, a Reshape whose target the graph
 *   computes, bias and batch-norm folding, residual Sum, unknown ops with and without the flag;
 * - bad files: truncated (every prefix of an export), not protobuf, wrong opset, a cycle, a
 *   missing input, a shape that does not infer, a huge dim, a 2 GB claimed length, deep
 *   nesting: an error with a message, never a crash;
 * - the zoo written as ONNX and read back gives the same layers (names, shapes, MACs, params);
 * - the fuzz seeds and regressions (fuzz/corpus/onnx, fuzz/regressions/onnx).
 * Whole networks built with python3-onnx are checked by tests/cli/onnx.sh. */
#include "../arch/arch.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#define TESTDATA "/usr/share/libonnx-testdata/data"

/* ---- a protobuf encoder for the graphs of the tests ---- */

struct pb {
	uint8_t *b;
	size_t n, cap;
};

static void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (p->n + n > p->cap) {
		p->cap = (p->n + n) * 2 + 64;
		p->b = realloc(p->b, p->cap);
		if (!p->b)
			abort();
	}
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void pb_varint(struct pb *p, uint64_t v)
{
	do {
		uint8_t c = (uint8_t)(v & 0x7f);

		v >>= 7;
		if (v)
			c |= 0x80;
		pb_raw(p, &c, 1);
	} while (v);
}

static void pb_int(struct pb *p, int f, int64_t v)
{
	pb_varint(p, (uint64_t)f << 3);
	pb_varint(p, (uint64_t)v);
}

static void pb_bytes(struct pb *p, int f, const void *d, size_t n)
{
	pb_varint(p, (uint64_t)f << 3 | 2);
	pb_varint(p, n);
	pb_raw(p, d, n);
}

static void pb_str(struct pb *p, int f, const char *s)
{
	pb_bytes(p, f, s, strlen(s));
}

/* Appends sub as message field f and frees it. */
static void pb_sub(struct pb *p, int f, struct pb *sub)
{
	pb_bytes(p, f, sub->b ? sub->b : (uint8_t *)"", sub->n);
	free(sub->b);
	*sub = (struct pb){ 0 };
}

/* onnx.proto field numbers */
enum { M_IR = 1, M_OPSET = 8, M_GRAPH = 7, OP_DOMAIN = 1, OP_VERSION = 2,
       G_NODE = 1, G_NAME = 2, G_INIT = 5, G_INPUT = 11, G_OUTPUT = 12,
       N_IN = 1, N_OUT = 2, N_NAME = 3, N_OP = 4, N_ATTR = 5, N_DOMAIN = 7,
       A_NAME = 1, A_I = 3, A_S = 4, A_INTS = 8, A_TYPE = 20,
       T_DIMS = 1, T_TYPE = 2, T_NAME = 8, T_RAW = 9,
       V_NAME = 1, V_TYPE = 2, TP_TENSOR = 1, TT_ELEM = 1, TT_SHAPE = 2, SH_DIM = 1,
       D_VALUE = 1, D_PARAM = 2 };

/* A graph input: dims, d[i] < 0 meaning symbolic "N<i>". */
static void g_input(struct pb *g, const char *name, int rank, const int64_t *d)
{
	struct pb vi = { 0 }, tp = { 0 }, tt = { 0 }, sh = { 0 };

	for (int i = 0; i < rank; i++) {
		struct pb dim = { 0 };
		char sym[16];

		snprintf(sym, sizeof(sym), "N%d", i);
		if (d[i] < 0)
			pb_str(&dim, D_PARAM, sym);
		else
			pb_int(&dim, D_VALUE, d[i]);
		pb_sub(&sh, SH_DIM, &dim);
	}
	pb_int(&tt, TT_ELEM, 1);
	pb_sub(&tt, TT_SHAPE, &sh);
	pb_sub(&tp, TP_TENSOR, &tt);
	pb_str(&vi, V_NAME, name);
	pb_sub(&vi, V_TYPE, &tp);
	pb_sub(g, G_INPUT, &vi);
}

/* A float initializer with dims only (no data: the importer never reads weights). */
static void g_init(struct pb *g, const char *name, int rank, const int64_t *d)
{
	struct pb t = { 0 };

	for (int i = 0; i < rank; i++)
		pb_int(&t, T_DIMS, d[i]);
	pb_int(&t, T_TYPE, 1);
	pb_str(&t, T_NAME, name);
	pb_sub(g, G_INIT, &t);
}

/* A 1-D int64 initializer with its values (raw_data, little-endian). */
static void g_init_i64(struct pb *g, const char *name, int n, const int64_t *v)
{
	struct pb t = { 0 };
	uint8_t raw[8 * 16];

	for (int i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			raw[i * 8 + b] = (uint8_t)((uint64_t)v[i] >> (8 * b));
	pb_int(&t, T_DIMS, n);
	pb_int(&t, T_TYPE, 7);
	pb_str(&t, T_NAME, name);
	pb_bytes(&t, T_RAW, raw, (size_t)n * 8);
	pb_sub(g, G_INIT, &t);
}

/* A 1-D float initializer with its values (raw_data, little-endian IEEE 754). */
static void g_init_f32(struct pb *g, const char *name, int n, const float *v)
{
	struct pb t = { 0 };
	uint8_t raw[4 * 16];

	for (int i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &v[i], sizeof(u));
		for (int b = 0; b < 4; b++)
			raw[i * 4 + b] = (uint8_t)(u >> (8 * b));
	}
	pb_int(&t, T_DIMS, n);
	pb_int(&t, T_TYPE, 1);
	pb_str(&t, T_NAME, name);
	pb_bytes(&t, T_RAW, raw, (size_t)n * 4);
	pb_sub(g, G_INIT, &t);
}

/* A node. ins/outs: comma-separated names. attrs: "name=1,2" (ints), "name:1" (int),
 * "name'TEXT" (string), separated by ';'. */
static void g_node(struct pb *g, const char *op, const char *name, const char *ins,
		   const char *outs, const char *attrs)
{
	struct pb n = { 0 };
	char buf[256], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", ins);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		pb_str(&n, N_IN, !strcmp(tok, "-") ? "" : tok);
	snprintf(buf, sizeof(buf), "%s", outs);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		pb_str(&n, N_OUT, !strcmp(tok, "-") ? "" : tok);
	if (name)
		pb_str(&n, N_NAME, name);
	pb_str(&n, N_OP, op);
	snprintf(buf, sizeof(buf), "%s", attrs ? attrs : "");
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		struct pb a = { 0 };
		char *sep = strpbrk(tok, "=:'"), kind = sep ? *sep : 0;

		if (!sep)
			abort();
		*sep = '\0';
		pb_str(&a, A_NAME, tok);
		if (kind == '\'') {
			pb_str(&a, A_S, sep + 1);
			pb_int(&a, A_TYPE, 3);
		} else if (kind == ':') {
			pb_int(&a, A_I, strtoll(sep + 1, NULL, 10));
			pb_int(&a, A_TYPE, 2);
		} else {
			char *v2, *s2;

			for (v2 = strtok_r(sep + 1, ",", &s2); v2; v2 = strtok_r(NULL, ",", &s2))
				pb_int(&a, A_INTS, strtoll(v2, NULL, 10));
			pb_int(&a, A_TYPE, 7);
		}
		pb_sub(&n, N_ATTR, &a);
	}
	pb_sub(g, G_NODE, &n);
}

/* The model around graph g (consumed), at opset (none when < 0). */
static struct pb model(struct pb *g, int64_t opset)
{
	struct pb m = { 0 }, op = { 0 };

	pb_int(&m, M_IR, 7);
	if (opset >= 0) {
		pb_str(&op, OP_DOMAIN, "");
		pb_int(&op, OP_VERSION, opset);
		pb_sub(&m, M_OPSET, &op);
	}
	pb_str(g, G_NAME, "test");
	pb_sub(&m, M_GRAPH, g);
	return m;
}

static int parse(struct pb *m, int64_t batch, int skip, struct arch_net *net, struct hn_err *err)
{
	struct arch_onnx_opts o = { batch, skip };
	int ret = arch_net_parse_onnx(m->b, m->n, "t.onnx", &o, net, err);

	free(m->b);
	*m = (struct pb){ 0 };
	if (ret)
		CHECK(err->msg[0] != '\0' && ret < 0);
	return ret;
}

/* Parses the model of g and expects an error containing want. */
static void expect_error(struct pb *g, int64_t opset, const char *want)
{
	struct pb m = model(g, opset);
	struct arch_net net;
	struct hn_err err = { 0 };

	if (parse(&m, 0, 0, &net, &err) == 0) {
		fprintf(stderr, "expected an error with '%s', got %d layers\n", want, net.n_layers);
		arch_net_release(&net);
		CHECK(0);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, want);
}

/* ---- padding, pooling, batch ---- */

static void same_upper_padding_should_give_ceil_of_input_over_stride(void)
{
	static const int64_t x7[4] = { 1, 3, 7, 7 }, x8[4] = { 1, 3, 8, 8 }, w[4] = { 4, 3, 3, 3 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	/* 7 / 2 -> 4 outputs; total pad (4-1)*2 + 3 - 7 = 2: 1 each side */
	g_input(&g, "x", 4, x7);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c", "x,w", "y", "auto_pad'SAME_UPPER;strides=2,2;kernel_shape=3,3");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.layers[0].h, 7);
	CHECK_EQ_I64(net.layers[0].pad_h, 1);
	CHECK_EQ_I64(arch_out_h(&net.layers[0]), 4);
	CHECK_EQ_I64(arch_out_w(&net.layers[0]), 4);
	arch_net_release(&net);
	/* 8 / 2 -> 4 outputs; total pad 3*2 + 3 - 8 = 1, odd: pad 0 and one more input row */
	g_input(&g, "x", 4, x8);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c", "x,w", "y", "auto_pad'SAME_UPPER;strides=2,2");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.layers[0].pad_h, 0);
	CHECK_EQ_I64(net.layers[0].h, 9);
	CHECK_EQ_I64(arch_out_h(&net.layers[0]), 4);
	CHECK_EQ_I64(arch_layer_macs(&net.layers[0]), 4 * 4 * 4 * 3 * 9);
	arch_net_release(&net);
}

static void asymmetric_pads_and_ceil_mode_should_give_onnx_output_sizes(void)
{
	static const int64_t x5[4] = { 1, 2, 5, 5 }, w[4] = { 2, 2, 3, 3 }, x6[4] = { 1, 2, 6, 6 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	/* pads begin 0, end 1: 5 + 1 - 3 + 1 = 4 outputs */
	g_input(&g, "x", 4, x5);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c", "x,w", "y", "pads=0,0,1,1");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(arch_out_h(&net.layers[0]), 4);
	CHECK_EQ_I64(arch_out_w(&net.layers[0]), 4);
	arch_net_release(&net);
	/* MaxPool k3 s2 on 6: floor (6-3)/2+1 = 2, ceil_mode 3 */
	g_input(&g, "x", 4, x6);
	g_node(&g, "MaxPool", "p", "x", "y", "kernel_shape=3,3;strides=2,2;ceil_mode:1");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(arch_out_h(&net.layers[0]), 3);
	CHECK(net.layers[0].pool_max == 1);
	arch_net_release(&net);
}

static void dynamic_batch_should_take_the_requested_batch(void)
{
	static const int64_t x[4] = { -1, 3, 8, 8 }, w[4] = { 4, 3, 1, 1 }, bad[4] = { 1, -1, 8, 8 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c", "x,w", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 4, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.batch, 4);
	CHECK_EQ_I64(net.layers[0].n, 4);
	CHECK_EQ_I64(arch_net_macs(&net), 4 * 64 * 4 * 3);
	arch_net_release(&net);
	g_input(&g, "x", 4, bad);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c", "x,w", "y", NULL);
	expect_error(&g, 13, "dimension 1 is 'N1'");
}

/* torch's flatten of a dynamic batch: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), -1)) */
static void reshape_target_computed_from_shape_should_infer(void)
{
	static const int64_t x[4] = { 2, 8, 4, 4 }, w[2] = { 10, 128 }, zero[1] = { 0 },
			     minus1[1] = { -1 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 2, w);
	g_init_i64(&g, "zero", 1, zero);
	g_init_i64(&g, "minus1", 1, minus1);
	g_node(&g, "Shape", NULL, "x", "s", NULL);
	g_node(&g, "Constant", NULL, "", "i0", NULL); /* no value: an error if reached */
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) != 0);
	CHECK_STR_CONTAINS(err.msg, "Constant_1");
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 2, w);
	g_init_i64(&g, "zero", 1, zero);
	g_init_i64(&g, "minus1", 1, minus1);
	g_node(&g, "Shape", NULL, "x", "s", NULL);
	g_node(&g, "Gather", NULL, "s,zero", "b", "axis:0");
	g_node(&g, "Concat", NULL, "b,minus1", "shape", "axis:0");
	g_node(&g, "Reshape", NULL, "x,shape", "flat", NULL);
	g_node(&g, "Gemm", "fc", "flat,w", "y", "transB:1");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 1);
	CHECK(net.layers[0].kind == ARCH_FC);
	CHECK_EQ_I64(net.layers[0].n, 2);
	CHECK_EQ_I64(net.layers[0].c, 128);
	CHECK_EQ_I64(net.layers[0].k, 10);
	CHECK_EQ_I64(net.n_skipped, 4); /* Shape, Gather, Concat, Reshape: listed */
	CHECK(!strcmp(net.skipped[3].op, "Reshape"));
	arch_net_release(&net);
}

static void bias_add_and_batch_norm_should_fold_into_their_layer(void)
{
	static const int64_t x[3] = { 1, 16, 32 }, w[2] = { 32, 64 }, b[1] = { 64 },
			     x4[4] = { 1, 3, 8, 8 }, cw[4] = { 8, 3, 3, 3 }, c8[1] = { 8 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	/* torch's Linear on a 3-D input: MatMul + Add(bias) */
	g_input(&g, "x", 3, x);
	g_init(&g, "w", 2, w);
	g_init(&g, "b", 1, b);
	g_node(&g, "MatMul", "lin", "x,w", "t", NULL);
	g_node(&g, "Add", "lin_bias", "b,t", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 1);
	CHECK(net.layers[0].kind == ARCH_FC && net.layers[0].bias == 1);
	CHECK_EQ_I64(net.layers[0].n, 16);
	CHECK_EQ_I64(arch_net_params(&net), 32 * 64 + 64);
	CHECK_STR_CONTAINS(net.skipped[0].note, "bias, folded into lin");
	arch_net_release(&net);
	/* Conv -> BatchNormalization -> Relu */
	g_input(&g, "x", 4, x4);
	g_init(&g, "w", 4, cw);
	g_init(&g, "s", 1, c8);
	g_init(&g, "bb", 1, c8);
	g_init(&g, "mu", 1, c8);
	g_init(&g, "var", 1, c8);
	g_node(&g, "Conv", "conv", "x,w", "c", "pads=1,1,1,1");
	g_node(&g, "BatchNormalization", "bn", "c,s,bb,mu,var", "n", NULL);
	g_node(&g, "Relu", "relu", "n", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK(net.layers[0].bn == 1 && net.layers[0].bias == 0);
	CHECK_EQ_I64(arch_net_params(&net), 8 * 27 + 16);
	CHECK_EQ_I64(arch_net_macs(&net), 64 * 8 * 27);
	CHECK_EQ_I64(net.n_skipped, 2);
	CHECK(!strcmp(net.skipped[1].op, "Relu"));
	arch_net_release(&net);
}

static void sum_of_three_should_be_two_adds_and_names_unique(void)
{
	static const int64_t x[4] = { 2, 4, 3, 3 }, w[4] = { 4, 4, 1, 1 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "same", "x,w", "a", NULL);
	g_node(&g, "Conv", "same", "a,w", "b", NULL);
	g_node(&g, "Sum", "s", "x,a,b", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 4);
	CHECK(!strcmp(net.layers[0].name, "same") && !strcmp(net.layers[1].name, "same#2"));
	CHECK(net.layers[2].kind == ARCH_ADD && net.layers[3].kind == ARCH_ADD);
	CHECK(!strcmp(net.layers[3].name, "s.1"));
	CHECK_EQ_I64(net.layers[2].n * net.layers[2].c * net.layers[2].h * net.layers[2].w, 72);
	/* the graph: x -> same -> same#2; s = x + same, s.1 = s + same#2 */
	CHECK(net.graph == 1 && net.n_inputs == 1 && !strcmp(net.inputs[0].name, "x"));
	CHECK(net.inputs[0].rank == 3 && net.inputs[0].dims[0] == 4 && net.batch == 2);
	CHECK(net.layers[0].in[0] == ARCH_SRC_INPUT(0) && net.layers[1].in[0] == 0);
	CHECK(net.layers[2].in[0] == ARCH_SRC_INPUT(0) && net.layers[2].in[1] == 0);
	CHECK(net.layers[3].in[0] == 2 && net.layers[3].in[1] == 1);
	CHECK(net.n_outputs == 1 && net.outputs[0] == 3);
	arch_net_release(&net);
	/* a name longer than a layer name keeps its tail; no name: "<op>_<index>" */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "/encoder/stage.3/block.11/attention/output/dense/Conv", "x,w", "a",
	       NULL);
	g_node(&g, "Conv", NULL, "a,w", "b", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK(!strcmp(net.layers[0].name, "~r/stage.3/block.11/attention/output/dense/Conv"));
	CHECK(strlen(net.layers[0].name) < ARCH_NAME_MAX);
	CHECK(!strcmp(net.layers[1].name, "Conv_1"));
	arch_net_release(&net);
}

/* The graph looks through nodes that are no layer: Relu, a BatchNormalization folded into
 * its conv, the SE scaling Mul of a map by its pooled branch; a Concat of two maps merges
 * tensors hwnas has no layer for, so that import has no graph and says why. */
static void onnx_graph_should_look_through_relu_and_se_mul_and_give_up_at_concat(void)
{
	static const int64_t x[4] = { 1, 4, 6, 6 }, w[4] = { 4, 4, 1, 1 }, s1[4] = { 4, 4, 1, 1 };
	static const int64_t c[1] = { 4 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_init(&g, "sw", 4, s1);
	g_init(&g, "g", 1, c);
	g_init(&g, "b", 1, c);
	g_init(&g, "mu", 1, c);
	g_init(&g, "var", 1, c);
	g_node(&g, "Conv", "c1", "x,w", "a", NULL);
	g_node(&g, "BatchNormalization", "bn", "a,g,b,mu,var", "an", NULL);
	g_node(&g, "Relu", "r", "an", "ar", NULL);
	g_node(&g, "GlobalAveragePool", "gap", "ar", "p", NULL);
	g_node(&g, "Conv", "se", "p,sw", "q", NULL);
	g_node(&g, "Sigmoid", "sig", "q", "qs", NULL);
	g_node(&g, "Mul", "scale", "ar,qs", "y", NULL);
	g_node(&g, "Conv", "c2", "y,w", "z", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 4);
	CHECK(net.graph == 1);
	if (!net.graph)
		fprintf(stderr, "no graph: %s\n", net.graph_note);
	CHECK(net.layers[1].in[0] == 0);  /* gap reads c1 through bn and relu */
	CHECK(net.layers[2].in[0] == 1);  /* se reads gap */
	CHECK(net.layers[3].in[0] == 0);  /* c2 reads c1's map, scaled by the SE branch */
	/* no graph outputs declared: the layers no layer reads, the SE branch's end too */
	CHECK(net.n_outputs == 2 && net.outputs[0] == 2 && net.outputs[1] == 3);
	arch_net_release(&net);

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_init(&g, "w8", 4, (const int64_t[4]){ 4, 8, 1, 1 });
	g_node(&g, "Conv", "c1", "x,w", "a", NULL);
	g_node(&g, "Conv", "c2", "x,w", "b", NULL);
	g_node(&g, "Concat", "cat", "a,b", "ab", "axis:1");
	g_node(&g, "Conv", "c3", "ab,w8", "z", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 3);
	CHECK(net.graph == 0 && net.n_inputs == 0 && net.layers[2].n_in == 0);
	CHECK_STR_CONTAINS(net.graph_note, "node 'c3': it reads 'ab', which merges several "
			   "tensors without a layer");
	arch_net_release(&net);
}

/* BERT's pooler reads hidden_states[:, 0], a Gather of index 0 on the tokens: the fc after
 * it reads the first token of the layer before (first_token); anything else reading a first
 * token leaves the import without a graph. */
static void gather_of_the_first_token_should_feed_an_fc_as_first_token(void)
{
	static const int64_t x[3] = { 1, 8, 16 }, w1[2] = { 16, 16 }, w2[2] = { 16, 4 };
	static const int64_t zero[1] = { 0 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 3, x);
	g_init(&g, "w1", 2, w1);
	g_init(&g, "w2", 2, w2);
	g_init_i64(&g, "idx", 1, zero);
	g_node(&g, "MatMul", "enc", "x,w1", "h", NULL);
	g_node(&g, "Gather", "cls", "h,idx", "h0", "axis:1");
	g_node(&g, "MatMul", "pool", "h0,w2", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 2);
	CHECK(net.graph == 1);
	if (!net.graph)
		fprintf(stderr, "no graph: %s\n", net.graph_note);
	CHECK(net.layers[1].kind == ARCH_FC && net.layers[1].n == 1 && net.layers[1].in[0] == 0);
	CHECK(net.layers[1].first_token == 1 && net.layers[0].first_token == 0);
	arch_net_release(&net);

	/* the first token added to another tensor: no graph, and why */
	g_input(&g, "x", 3, x);
	g_input(&g, "z", 3, (const int64_t[3]){ 1, 1, 16 });
	g_init(&g, "w1", 2, w1);
	g_init_i64(&g, "idx", 1, zero);
	g_node(&g, "MatMul", "enc", "x,w1", "h", NULL);
	g_node(&g, "MatMul", "enc2", "z,w1", "k", NULL);
	g_node(&g, "Gather", "cls", "h,idx", "h0", "axis:1");
	g_node(&g, "Add", "sum", "h0,k", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK(net.n_layers == 3 && net.graph == 0);
	CHECK_STR_CONTAINS(net.graph_note, "node 'sum': it adds the first token of a tensor");
	arch_net_release(&net);
}

/* A decoder's upsampling: Resize by constant scales, or to constant sizes, then a conv. */
static void resize_should_scale_the_map_for_the_next_layer(void)
{
	static const int64_t x[4] = { 1, 4, 8, 8 }, w[4] = { 4, 4, 1, 1 }, sizes[4] = { 1, 4, 12, 12 };
	static const float scales[4] = { 1, 1, 2, 2.5f };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_init_f32(&g, "scales", 4, scales);
	g_node(&g, "Resize", "up", "x,-,scales", "a", "mode'nearest");
	g_node(&g, "Conv", "conv", "a,w", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.layers[0].h, 16);
	CHECK_EQ_I64(net.layers[0].w, 20); /* floor(8 x 2.5) */
	arch_net_release(&net);
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_init_i64(&g, "sizes", 4, sizes);
	g_node(&g, "Resize", "up", "x,-,-,sizes", "a", NULL);
	g_node(&g, "Conv", "conv", "a,w", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(arch_net_macs(&net), 144 * 16);
	arch_net_release(&net);
	/* scales the graph computes at run time: a clear error */
	g_input(&g, "x", 4, x);
	g_node(&g, "Shape", NULL, "x", "s", NULL);
	g_node(&g, "Resize", "up", "x,-,s", "a", NULL);
	expect_error(&g, 13, "node 'up' (Resize): needs 4 constant scales or sizes");
}

/* Fuzzing findings (UBSan, fuzz/regressions/onnx/empty_float_initializer.onnx): empty
 * tensors and attributes have NULL data that must not reach memcpy. Checked under SAN=1. */
static void empty_tensors_and_attributes_should_be_read_safely(void)
{
	static const int64_t x[4] = { 1, 4, 8, 8 }, w[4] = { 4, 4, 1, 1 }, zero[1] = { 0 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_init(&g, "empty", 1, zero);
	g_node(&g, "Constant", "c", "", "k", "value_ints=");
	g_node(&g, "Conv", "conv", "x,w", "y", "auto_pad'");
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK_EQ_I64(net.n_layers, 1);
	arch_net_release(&net);
}

/* A regression: a Gemm of a constant A by an activation B was listed as constant. */
static void gemm_of_constant_by_activation_should_be_a_matmul(void)
{
	static const int64_t a[2] = { 2, 3 }, b[2] = { 3, 4 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	g_input(&g, "b", 2, b);
	g_init(&g, "a", 2, a);
	g_node(&g, "Gemm", "wx", "a,b", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 0, &net, &err) == 0);
	CHECK(net.n_layers == 1 && net.layers[0].kind == ARCH_MATMUL);
	CHECK_EQ_I64(arch_net_macs(&net), 2 * 3 * 4);
	arch_net_release(&net);
}

static void unknown_op_should_fail_or_be_listed_with_the_flag(void)
{
	static const int64_t x[4] = { 1, 4, 3, 3 }, w[4] = { 4, 4, 1, 1 };
	struct pb g = { 0 }, m;
	struct arch_net net;
	struct hn_err err = { 0 };

	for (int skip = 0; skip < 2; skip++) {
		g_input(&g, "x", 4, x);
		g_init(&g, "w", 4, w);
		g_node(&g, "Conv", "conv", "x,w", "a", NULL);
		g_node(&g, "FancyNorm", "fancy", "a", "y", NULL);
		m = model(&g, 13);
		if (!skip) {
			CHECK(parse(&m, 0, 0, &net, &err) != 0);
			CHECK_STR_CONTAINS(err.msg, "node 'fancy' (FancyNorm)");
			CHECK_STR_CONTAINS(err.msg, "--skip-unknown-ops");
			continue;
		}
		CHECK(parse(&m, 0, 1, &net, &err) == 0);
		CHECK_EQ_I64(net.n_layers, 1);
		CHECK_EQ_I64(net.n_skipped, 1);
		CHECK(net.skipped[0].unknown == 1 && !strcmp(net.skipped[0].op, "FancyNorm"));
		arch_net_release(&net);
	}
	/* ConvTranspose with the flag: listed, its output shape inferred for the conv after it:
	 * 2 (3 - 1) + 1 + 3 - 2 = 6 */
	{
		static const int64_t wt[4] = { 4, 2, 3, 3 }, w2[4] = { 8, 2, 1, 1 };

		g_input(&g, "x", 4, x);
		g_init(&g, "wt", 4, wt);
		g_init(&g, "w2", 4, w2);
		g_node(&g, "ConvTranspose", "up", "x,wt", "a",
		       "strides=2,2;pads=1,1,1,1;output_padding=1,1");
		g_node(&g, "Conv", "conv", "a,w2", "y", NULL);
		m = model(&g, 13);
		CHECK(parse(&m, 0, 1, &net, &err) == 0);
		CHECK_EQ_I64(net.n_layers, 1);
		CHECK_EQ_I64(net.layers[0].c, 2);
		CHECK_EQ_I64(net.layers[0].h, 6);
		CHECK(net.n_skipped == 1 && net.skipped[0].unknown);
		arch_net_release(&net);
	}
	/* a layer after a skipped unknown op has no input shape: a clear error */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "FancyNorm", "fancy", "x", "a", NULL);
	g_node(&g, "Conv", "conv", "a,w", "y", NULL);
	m = model(&g, 13);
	CHECK(parse(&m, 0, 1, &net, &err) != 0);
	CHECK_STR_CONTAINS(err.msg, "shape of input 'a' is unknown");
}

/* ---- bad files ---- */

static void bad_graphs_should_give_clear_errors(void)
{
	static const int64_t x[4] = { 1, 4, 3, 3 }, w[4] = { 4, 4, 1, 1 }, w5[4] = { 4, 5, 1, 1 };
	static const int64_t huge[4] = { 1, (int64_t)1 << 40, 3, 3 }, shp[2] = { 5, -1 };
	struct pb g = { 0 };

	/* wrong opset, and none */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "conv", "x,w", "y", NULL);
	expect_error(&g, 99, "opset 99 is not supported");
	g_input(&g, "x", 4, x);
	expect_error(&g, 3, "opset 3 is not supported");
	g_input(&g, "x", 4, x);
	expect_error(&g, -1, "no opset_import");
	/* a cycle */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c1", "x,w", "a", NULL);
	g_node(&g, "Add", "loop1", "a,c", "b", NULL);
	g_node(&g, "Relu", "loop2", "b", "c", NULL);
	expect_error(&g, 13, "cycle through node 'loop1' (Add)");
	/* a missing input */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c1", "x,w_typo", "a", NULL);
	expect_error(&g, 13, "node 'c1' (Conv): input 'w_typo' is missing");
	/* shapes that do not infer */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w5);
	g_node(&g, "Conv", "c1", "x,w", "a", NULL);
	expect_error(&g, 13, "input has 4 channels but the weight 'w' is 4 x 5");
	g_input(&g, "x", 4, x);
	g_init_i64(&g, "shape", 2, shp);
	g_node(&g, "Reshape", "r", "x,shape", "a", NULL);
	expect_error(&g, 13, "node 'r' (Reshape): cannot reshape 36 elements");
	g_input(&g, "x", 4, x);
	g_node(&g, "Reshape", "r", "x,x", "a", NULL);
	expect_error(&g, 13, "is not a constant the importer can compute");
	/* a huge declared dim, in an input and in an initializer */
	g_input(&g, "x", 4, huge);
	expect_error(&g, 13, "dimension 1 is 1099511627776");
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, huge);
	expect_error(&g, 13, "initializer 'w' dimension 1 is 1099511627776");
	/* a tensor defined twice */
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "Conv", "c1", "x,w", "a", NULL);
	g_node(&g, "Conv", "c2", "x,w", "a", NULL);
	expect_error(&g, 13, "tensor 'a' is defined twice");
	/* a fuzzing finding (fuzz/regressions/onnx/add_without_output.onnx): an Add of one
	 * activation and an omitted input was read as a bias add of tensor -1 */
	g_input(&g, "x", 4, x);
	g_node(&g, "Add", "a", "x,-", "y", NULL);
	expect_error(&g, 13, "no layer the accelerator runs");
	g_input(&g, "x", 4, x);
	g_node(&g, "Add", "a", "x,x", "-", NULL);
	expect_error(&g, 13, "node 'a' (Add): it has no output");
	/* no layer at all */
	g_input(&g, "x", 4, x);
	g_node(&g, "Relu", "r", "x", "a", NULL);
	expect_error(&g, 13, "no layer the accelerator runs");
	/* 3-D convolution and ConvTranspose: refused */
	{
		static const int64_t x5[5] = { 1, 2, 4, 4, 4 }, w5d[5] = { 2, 2, 1, 1, 1 };

		g_input(&g, "x", 5, x5);
		g_init(&g, "w", 5, w5d);
		g_node(&g, "Conv", "c3", "x,w", "a", NULL);
		expect_error(&g, 13, "3-D convolution");
	}
	g_input(&g, "x", 4, x);
	g_init(&g, "w", 4, w);
	g_node(&g, "ConvTranspose", "up", "x,w", "a", NULL);
	expect_error(&g, 13, "transposed convolution is not supported");
}

static void bytes_that_are_not_onnx_should_give_clear_errors(void)
{
	static const char *const texts[] = {
		"hello, this is not a model\n",
		"{\"name\": \"n\", \"layers\": [{\"type\": \"fc\", \"in_features\": 4}]}",
		"\x08",                         /* a key without its value */
		"\x3a\xff\xff\xff\xff\x0f",     /* field 7 claiming 4 GB */
	};
	struct arch_net net;
	struct hn_err err = { 0 };
	struct pb m = { 0 };

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		CHECK(arch_net_parse_onnx(texts[i], strlen(texts[i]), "t.onnx", NULL, &net, &err) < 0);
		CHECK_STR_CONTAINS(err.msg, "t.onnx: ");
		CHECK_STR_CONTAINS(err.msg, "not");
	}
	CHECK(arch_net_parse_onnx("", 0, "t.onnx", NULL, &net, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "empty");
	/* a 2 GB claimed length: ir_version, then the graph field saying 2^31 bytes follow */
	pb_int(&m, M_IR, 7);
	pb_varint(&m, (uint64_t)M_GRAPH << 3 | 2);
	pb_varint(&m, (uint64_t)1 << 31);
	pb_raw(&m, "\x0a\x00", 2);
	CHECK(arch_net_parse_onnx(m.b, m.n, "t.onnx", NULL, &net, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "not an ONNX model");
	free(m.b);
}

/* Attribute -> Graph -> Node -> Attribute ... 2000 deep: protobuf-c would recurse for each. */
static void deep_nesting_should_be_refused_before_unpacking(void)
{
	struct pb cur = { 0 }, m = { 0 };
	struct arch_net net;
	struct hn_err err = { 0 };

	for (int i = 0; i < 700; i++) {
		struct pb a = { 0 }, g = { 0 }, n = { 0 };

		pb_str(&a, A_NAME, "body");
		pb_sub(&a, 6, &cur);      /* AttributeProto.g */
		pb_sub(&n, N_ATTR, &a);
		pb_str(&n, N_OP, "If");
		pb_sub(&g, G_NODE, &n);
		cur = g;
	}
	pb_int(&m, M_IR, 7);
	pb_sub(&m, M_GRAPH, &cur);
	CHECK(arch_net_parse_onnx(m.b, m.n, "t.onnx", NULL, &net, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "nested");
	free(m.b);
}

/* ---- the zoo, written and read back ---- */

static int same_layer(const struct arch_layer *a, const struct arch_layer *b)
{
	return !strcmp(a->name, b->name) && a->kind == b->kind && a->n == b->n && a->c == b->c &&
	       a->h == b->h && a->w == b->w && a->k == b->k && a->r == b->r && a->s == b->s &&
	       a->stride_h == b->stride_h && a->stride_w == b->stride_w && a->pad_h == b->pad_h &&
	       a->pad_w == b->pad_w && a->dil_h == b->dil_h && a->dil_w == b->dil_w &&
	       a->groups == b->groups && a->bias == b->bias && a->bn == b->bn &&
	       a->pool_max == b->pool_max;
}

/* Layer ia of a and ib of b read the same tensors (by name, in either order). */
static int same_inputs(const struct arch_net *a, int ia, const struct arch_net *b, int ib)
{
	const struct arch_layer *x = &a->layers[ia], *y = &b->layers[ib];
	const char *x0, *x1, *y0, *y1;

	if (x->n_in != y->n_in)
		return 0;
	x0 = arch_net_tensor_name(a, x->in[0]);
	y0 = arch_net_tensor_name(b, y->in[0]);
	if (x->n_in == 1)
		return !strcmp(x0, y0);
	x1 = arch_net_tensor_name(a, x->in[1]);
	y1 = arch_net_tensor_name(b, y->in[1]);
	return (!strcmp(x0, y0) && !strcmp(x1, y1)) || (!strcmp(x0, y1) && !strcmp(x1, y0));
}

static void zoo_written_as_onnx_should_read_back_layer_for_layer(void)
{
	char path[] = "/tmp/hwnas_test_onnx_XXXXXX", file[64], wfile[80];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s.onnx", path);
	snprintf(wfile, sizeof(wfile), "%s.weights", file);
	for (int z = 0; z < arch_zoo_count(); z++) {
		struct arch_net a, b;
		struct hn_err err = { 0 };
		int64_t left = -1, extra = 0;

		for (int64_t batch = 1; batch <= 3; batch += 2) {
			CHECK(arch_zoo_build(arch_zoo_name(z), batch, &a, &err) == 0);
			CHECK(arch_net_write_onnx(&a, file, &left, &err) == 0);
			if (arch_net_load_onnx(file, NULL, &b, &err)) {
				fprintf(stderr, "%s: %s\n", arch_zoo_name(z), err.msg);
				CHECK(0);
				arch_net_release(&a);
				continue;
			}
			CHECK_EQ_I64(b.n_layers, a.n_layers);
			CHECK_EQ_I64(b.batch, batch);
			for (int i = 0; i < a.n_layers && i < b.n_layers; i++) {
				if (!same_layer(&a.layers[i], &b.layers[i])) {
					fprintf(stderr, "%s: layer %d '%s' read back as '%s'\n",
						arch_zoo_name(z), i, a.layers[i].name, b.layers[i].name);
					CHECK(0);
				}
				extra += a.layers[i].extra_params;
			}
			CHECK_EQ_I64(arch_net_macs(&b), arch_net_macs(&a));
			CHECK_EQ_I64(arch_net_params(&b) + left, arch_net_params(&a));
			/* the connections come back (BERT's through the Reshapes of its head split
			 * and merge and the Gather of the pooler's first token) */
			{
				CHECK(b.graph == 1 && b.n_outputs == 1);
				if (!b.graph)
					fprintf(stderr, "%s: %s\n", arch_zoo_name(z), b.graph_note);
				for (int i = 0; b.graph && i < a.n_layers && i < b.n_layers; i++)
					if (!same_inputs(&a, i, &b, i) ||
					    a.layers[i].first_token != b.layers[i].first_token) {
						fprintf(stderr, "%s: %s reads %s\n", arch_zoo_name(z),
							a.layers[i].name,
							arch_net_tensor_name(&b, b.layers[i].in[0]));
						CHECK(0);
					}
			}
			CHECK_EQ_I64(left, batch == 1 ? extra : left);
			arch_net_release(&a);
			arch_net_release(&b);
		}
	}
	unlink(file);
	unlink(wfile);
}

/* Every prefix of a written ResNet-18 (about 10 KB): an error with a message, or (a prefix
 * ending at a node boundary) a shorter network; never a crash. */
static void every_prefix_of_an_export_should_fail_cleanly(void)
{
	char path[] = "/tmp/hwnas_test_onnx_XXXXXX", file[64], wfile[80], *text = NULL;
	struct arch_net a, b;
	struct hn_err err = { 0 };
	size_t len = 0;
	int fd = mkstemp(path), errors = 0;

	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s.onnx", path);
	snprintf(wfile, sizeof(wfile), "%s.weights", file);
	CHECK(arch_zoo_build("resnet18", 1, &a, &err) == 0);
	CHECK(arch_net_write_onnx(&a, file, NULL, &err) == 0);
	CHECK(hn_read_file(file, &text, &len, &err) == 0);
	for (size_t n = 0; n < len; n++) {
		char *copy = malloc(n + 1); /* exactly n bytes, so ASan sees any over-read */

		memcpy(copy, text, n);
		if (arch_net_parse_onnx(copy, n, "p.onnx", NULL, &b, &err) == 0) {
			CHECK(b.n_layers <= a.n_layers);
			arch_net_release(&b);
		} else {
			CHECK(err.msg[0] != '\0');
			errors++;
		}
		free(copy);
	}
	CHECK(errors > (int)len / 2);
	free(text);
	arch_net_release(&a);
	unlink(file);
	unlink(wfile);
}

/* ---- Debian's libonnx-testdata: real PyTorch exports of single modules ---- */

/* What a module's export must import as (the first layer; count layers of that shape). */
struct expect {
	const char *test;
	int count;
	enum arch_kind kind;
	int64_t n, c, h, w, k, r, s;
	int32_t sh, sw, ph, pw, dh, dw, g;
	int bias, pool_max;
};

/* From the modules' arguments (torch common_nn / test_operators): e.g. Conv2d(3, 4, (3, 2))
 * on a 2 x 3 x 7 x 5 input; a 1-D op is a 2-D layer of height 1. */
static const struct expect accepted[] = {
	{ "test_Conv1d", 1, ARCH_CONV, 2, 4, 1, 10, 5, 1, 3, 1, 1, 0, 0, 1, 1, 1, 1, 0 },
	{ "test_Conv1d_dilated", 1, ARCH_CONV, 2, 4, 1, 10, 5, 1, 3, 1, 1, 0, 0, 1, 2, 1, 1, 0 },
	{ "test_Conv1d_groups", 1, ARCH_CONV, 2, 4, 1, 6, 6, 1, 3, 1, 1, 0, 0, 1, 1, 2, 1, 0 },
	{ "test_Conv1d_pad1", 1, ARCH_CONV, 2, 4, 1, 10, 5, 1, 3, 1, 1, 0, 1, 1, 1, 1, 1, 0 },
	{ "test_Conv1d_pad1size1", 1, ARCH_CONV, 1, 4, 1, 1, 4, 1, 3, 1, 1, 0, 1, 1, 1, 1, 1, 0 },
	{ "test_Conv1d_pad2", 1, ARCH_CONV, 2, 4, 1, 10, 5, 1, 5, 1, 1, 0, 2, 1, 1, 1, 1, 0 },
	{ "test_Conv1d_pad2size1", 1, ARCH_CONV, 1, 4, 1, 1, 4, 1, 5, 1, 1, 0, 2, 1, 1, 1, 1, 0 },
	{ "test_Conv1d_stride", 1, ARCH_CONV, 2, 4, 1, 10, 5, 1, 3, 1, 2, 0, 0, 1, 1, 1, 1, 0 },
	{ "test_Conv2d", 1, ARCH_CONV, 2, 3, 7, 5, 4, 3, 2, 1, 1, 0, 0, 1, 1, 1, 1, 0 },
	{ "test_Conv2d_depthwise", 1, ARCH_CONV, 2, 4, 6, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 4, 1, 0 },
	{ "test_Conv2d_depthwise_padded", 1, ARCH_CONV, 2, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1, 0 },
	{ "test_Conv2d_depthwise_strided", 1, ARCH_CONV, 2, 4, 6, 6, 4, 3, 3, 2, 2, 0, 0, 1, 1, 4, 1, 0 },
	{ "test_Conv2d_depthwise_with_multiplier", 1, ARCH_CONV, 2, 4, 6, 6, 8, 3, 3, 1, 1, 0, 0,
	  1, 1, 4, 1, 0 },
	{ "test_Conv2d_dilated", 1, ARCH_CONV, 2, 3, 8, 8, 2, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1, 0 },
	{ "test_Conv2d_groups", 1, ARCH_CONV, 2, 4, 6, 5, 6, 3, 2, 1, 1, 0, 0, 1, 1, 2, 1, 0 },
	{ "test_Conv2d_groups_thnn", 1, ARCH_CONV, 2, 4, 6, 5, 6, 3, 2, 1, 1, 0, 0, 1, 1, 2, 1, 0 },
	{ "test_Conv2d_no_bias", 1, ARCH_CONV, 2, 3, 6, 5, 4, 3, 2, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_Conv2d_padding", 1, ARCH_CONV, 2, 3, 6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0 },
	{ "test_Conv2d_strided", 1, ARCH_CONV, 2, 3, 6, 6, 4, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 0 },
	{ "test_operator_conv", 1, ARCH_CONV, 20, 16, 50, 40, 13, 3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_Linear", 1, ARCH_FC, 4, 10, 1, 1, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0 },
	{ "test_Linear_no_bias", 1, ARCH_FC, 4, 10, 1, 1, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_operator_addmm", 2, ARCH_MATMUL, 1, 3, 2, 1, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_operator_mm", 1, ARCH_MATMUL, 1, 3, 2, 1, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	/* AvgPool1d(2) is exported as Unsqueeze + a 2 x 1 AveragePool */
	{ "test_AvgPool1d", 1, ARCH_POOL, 2, 3, 6, 1, 3, 2, 1, 2, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_AvgPool1d_stride", 1, ARCH_POOL, 2, 3, 6, 1, 3, 2, 1, 2, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_AvgPool2d", 1, ARCH_POOL, 2, 3, 6, 6, 3, 2, 2, 2, 2, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_AvgPool2d_stride", 1, ARCH_POOL, 2, 3, 6, 6, 3, 2, 2, 2, 2, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_MaxPool1d", 1, ARCH_POOL, 2, 10, 1, 4, 10, 1, 4, 1, 4, 0, 0, 1, 1, 1, 0, 1 },
	{ "test_MaxPool1d_stride", 1, ARCH_POOL, 2, 10, 1, 4, 10, 1, 4, 1, 4, 0, 0, 1, 1, 1, 0, 1 },
	{ "test_MaxPool1d_stride_padding_dilation", 1, ARCH_POOL, 1, 1, 1, 220000, 1, 1, 200, 1, 10,
	  0, 100, 1, 10, 1, 0, 1 },
	{ "test_MaxPool2d", 1, ARCH_POOL, 1, 3, 7, 7, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 1 },
	{ "test_MaxPool2d_stride_padding_dilation", 1, ARCH_POOL, 1, 1, 1000, 1000, 1, 60, 80, 10,
	  10, 10, 20, 10, 10, 1, 0, 1 },
	{ "test_operator_maxpool", 1, ARCH_POOL, 20, 16, 1, 50, 16, 1, 3, 1, 2, 0, 0, 1, 1, 1, 0, 1 },
	/* x + y of two [1] tensors; Sum of three: residual adds */
	{ "test_operator_basic", 1, ARCH_ADD, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0 },
	{ "test_operator_symbolic_override_nested", 2, ARCH_ADD, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0,
	  1, 1, 1, 0, 0 },
};

/* Refused, and why (a substring of the message). */
static const struct refusal {
	const char *prefix, *why;
} refused[] = {
	{ "test_Conv3d", "3-D convolution" },
	{ "test_AvgPool3d", "3-D pooling" },
	{ "test_MaxPool3d", "3-D pooling" },
	{ "test_ConvTranspose2d", "transposed convolution is not supported" },
	{ "test_operator_convtranspose", "transposed convolution is not supported" },
	/* everything else has no MAC-bearing node, pool or residual add: activations, batch
	 * norm alone, padding, embedding lookups, softmax, element-wise and shape ops */
	{ "test_", "no layer the accelerator runs" },
};

static void check_expect(const struct expect *e, const struct arch_net *net)
{
	int ok = net->n_layers == e->count;

	for (int i = 0; ok && i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];

		ok = l->kind == e->kind && l->n == e->n && l->c == e->c && l->h == e->h &&
		     l->w == e->w && l->k == e->k && l->r == e->r && l->s == e->s &&
		     l->stride_h == e->sh && l->stride_w == e->sw && l->pad_h == e->ph &&
		     l->pad_w == e->pw && l->dil_h == e->dh && l->dil_w == e->dw &&
		     l->groups == e->g && l->bias == e->bias && l->pool_max == e->pool_max;
	}
	if (!ok) {
		const struct arch_layer *l = net->n_layers ? &net->layers[0] : NULL;

		fprintf(stderr, "%s: %d layers, first %s n%lld c%lld h%lld w%lld k%lld r%lld s%lld "
			"st%dx%d pad%dx%d dil%dx%d g%d bias%d\n", e->test, net->n_layers,
			l ? arch_kind_name(l->kind) : "-", l ? (long long)l->n : 0,
			l ? (long long)l->c : 0, l ? (long long)l->h : 0, l ? (long long)l->w : 0,
			l ? (long long)l->k : 0, l ? (long long)l->r : 0, l ? (long long)l->s : 0,
			l ? l->stride_h : 0, l ? l->stride_w : 0, l ? l->pad_h : 0, l ? l->pad_w : 0,
			l ? l->dil_h : 0, l ? l->dil_w : 0, l ? l->groups : 0, l ? l->bias : 0);
		CHECK(0);
	}
}

static int testdata_dir(const char *sub, int *n_ok, int *n_refused)
{
	char dir[256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", TESTDATA, sub);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char file[600];
		const struct expect *e = NULL;
		struct arch_net net;
		struct hn_err err = { 0 };
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/model.onnx", dir, de->d_name);
		for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
			if (!strcmp(accepted[i].test, de->d_name))
				e = &accepted[i];
		ret = arch_net_load_onnx(file, NULL, &net, &err);
		if (e) {
			if (ret) {
				fprintf(stderr, "%s: %s\n", de->d_name, err.msg);
				CHECK(0);
				continue;
			}
			check_expect(e, &net);
			arch_net_release(&net);
			(*n_ok)++;
			continue;
		}
		if (!ret) {
			fprintf(stderr, "%s: imported (%d layers) but is in no table\n", de->d_name,
				net.n_layers);
			arch_net_release(&net);
			CHECK(0);
			continue;
		}
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (!strncmp(de->d_name, refused[i].prefix, strlen(refused[i].prefix))) {
				CHECK_STR_CONTAINS(err.msg, refused[i].why);
				CHECK_STR_CONTAINS(err.msg, de->d_name); /* the file is named */
				break;
			}
		(*n_refused)++;
	}
	closedir(d);
	return 0;
}

static void pytorch_exports_in_libonnx_testdata_should_import_or_be_refused(void)
{
	int ok = 0, refusals = 0;

	if (testdata_dir("pytorch-converted", &ok, &refusals) ||
	    testdata_dir("pytorch-operator", &ok, &refusals)) {
		fprintf(stderr, "%s: missing: apt-get install libonnx-testdata (make deps)\n",
			TESTDATA);
		CHECK(0);
		return;
	}
	printf("libonnx-testdata: %d PyTorch exports imported and checked, %d refused\n", ok,
	       refusals);
	CHECK_EQ_I64(ok, (int64_t)(sizeof(accepted) / sizeof(accepted[0])));
	CHECK(refusals >= 70);
}

/* ---- fuzz seeds and regressions ---- */

static int replay(const char *dir)
{
	const char *root = getenv("HWNAS_SRCDIR");
	char path[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", root && root[0] ? root : ".", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char file[1024], *text = NULL;
		size_t len = 0;
		struct arch_net net;
		struct hn_err err = { 0 };

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (hn_read_file(file, &text, &len, &err))
			continue;
		if (arch_net_parse_onnx(text, len, de->d_name, NULL, &net, &err) == 0) {
			/* fuzz_onnx's invariant: the import reads back from its JSON (a graph with
			 * adds off the batch failed it: graph_adds_off_batch.onnx) */
			char *json = arch_net_to_json(&net);
			struct arch_net back;

			CHECK(json != NULL);
			if (json && arch_net_parse_json(json, strlen(json), "w.json", &back, &err)) {
				fprintf(stderr, "%s: %s\n", de->d_name, err.msg);
				CHECK(0);
			} else if (json) {
				CHECK_EQ_I64(arch_net_macs(&back), arch_net_macs(&net));
				arch_net_release(&back);
			}
			free(json);
			arch_net_release(&net);
		} else {
			CHECK(err.msg[0] != '\0');
		}
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

static void fuzz_seeds_should_read_without_crashing(void)
{
	CHECK(replay("fuzz/corpus/onnx") >= 8);
	replay("fuzz/regressions/onnx");
}

int main(void)
{
	RUN(same_upper_padding_should_give_ceil_of_input_over_stride);
	RUN(asymmetric_pads_and_ceil_mode_should_give_onnx_output_sizes);
	RUN(dynamic_batch_should_take_the_requested_batch);
	RUN(reshape_target_computed_from_shape_should_infer);
	RUN(bias_add_and_batch_norm_should_fold_into_their_layer);
	RUN(sum_of_three_should_be_two_adds_and_names_unique);
	RUN(onnx_graph_should_look_through_relu_and_se_mul_and_give_up_at_concat);
	RUN(gather_of_the_first_token_should_feed_an_fc_as_first_token);
	RUN(resize_should_scale_the_map_for_the_next_layer);
	RUN(empty_tensors_and_attributes_should_be_read_safely);
	RUN(gemm_of_constant_by_activation_should_be_a_matmul);
	RUN(unknown_op_should_fail_or_be_listed_with_the_flag);
	RUN(bad_graphs_should_give_clear_errors);
	RUN(bytes_that_are_not_onnx_should_give_clear_errors);
	RUN(deep_nesting_should_be_refused_before_unpacking);
	RUN(zoo_written_as_onnx_should_read_back_layer_for_layer);
	RUN(every_prefix_of_an_export_should_fail_cleanly);
	RUN(pytorch_exports_in_libonnx_testdata_should_import_or_be_refused);
	RUN(fuzz_seeds_should_read_without_crashing);
	return TEST_SUMMARY();
}
