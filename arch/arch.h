/* arch.h: workloads. Layers, networks, the model zoo, and readers for network files.
 *
 * A network is an ordered list of plain-value layers. Every layer with MACs lowers to a
 * (grouped) GEMM, see arch_gemm() and docs/model.md "Lowering to GEMM". */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>
#include "../common/hn.h"

enum arch_kind {
	ARCH_CONV = 0, /* 2-D convolution, with stride, padding, dilation and groups */
	ARCH_FC,       /* fully connected / GEMM: out[n][k] = in[n][c] x w[c][k] */
	ARCH_MATMUL,   /* batched matmul of two activations: [g][m][kk] x [g][kk][nn] */
	ARCH_POOL,     /* max or average pooling: no MACs, moves data */
	ARCH_ADD,      /* element-wise add of two tensors: no MACs, moves data */
	ARCH_KIND_COUNT
};

#define ARCH_NAME_MAX 48

/* One layer. Shapes use the torch convention: batch n, input channels c, input h x w,
 * output channels k, filter r x s. For ARCH_MATMUL the fields mean: n = number of
 * independent matmuls (batch x heads), h = rows m, c = reduction kk, k = columns nn
 * (w, r, s = 1). For ARCH_FC, c = in features, k = out features, h = w = r = s = 1, n may
 * carry tokens x batch. Pool: c = k = channels. Add: n, c, h, w of each operand. */
struct arch_layer {
	char name[ARCH_NAME_MAX];
	enum arch_kind kind;
	int64_t n, c, h, w;      /* input shape */
	int64_t k, r, s;         /* output channels, filter height, width */
	int32_t stride_h, stride_w;
	int32_t pad_h, pad_w;
	int32_t dil_h, dil_w;
	int32_t groups;          /* conv: c and k divisible by it; depthwise: groups = c = k */
	uint8_t bias;            /* adds k parameters */
	uint8_t bn;              /* a following batch norm: adds 2k parameters (gamma, beta) */
	uint8_t pool_max;        /* pool: 1 max, 0 average */
	int64_t extra_params;    /* parameters without MACs (embedding tables, layer norms) */
};

/* The layer as a grouped GEMM: g independent products out[m][n] = A[m][k] x B[k][n].
 * A is the (im2col of the) input activation, B the weights (or the second activation for
 * ARCH_MATMUL). MAC-free layers have m = n = k = 0 and elems_in / elems_out set. */
struct arch_gemm {
	int64_t g, m, n, k;
	int64_t elems_in;        /* input activation elements read (before im2col) */
	int64_t elems_out;       /* output elements written */
	int b_is_act;            /* ARCH_MATMUL: B is an activation, not a weight */
};

struct arch_net {
	char name[ARCH_NAME_MAX];
	int64_t batch;
	int n_layers;
	struct arch_layer *layers; /* owned: arch_net_release() frees */
};

/* Output height and width of a conv or pool layer (floor rule of torch). */
int64_t arch_out_h(const struct arch_layer *l);
int64_t arch_out_w(const struct arch_layer *l);

/* Lowers a layer to a grouped GEMM. Pure. */
struct arch_gemm arch_gemm(const struct arch_layer *l);

/* Multiply-accumulates and parameters of one layer / a whole network. */
int64_t arch_layer_macs(const struct arch_layer *l);
int64_t arch_layer_params(const struct arch_layer *l);
int64_t arch_net_macs(const struct arch_net *net);
int64_t arch_net_params(const struct arch_net *net);

/* Checks a layer's shape; returns 0 or HN_EINVAL with a message naming the layer and field. */
int arch_layer_check(const struct arch_layer *l, struct hn_err *err);

/* Short name of a kind ("conv", "fc", "matmul", "pool", "add"); arch_kind_parse returns
 * the kind or -1. */
const char *arch_kind_name(enum arch_kind kind);
int arch_kind_parse(const char *s);

/* Network building. arch_net_init gives an empty net; arch_net_add copies a layer in
 * (returns 0 or HN_ENOMEM); arch_net_release frees the layer array. */
void arch_net_init(struct arch_net *net, const char *name, int64_t batch);
int arch_net_add(struct arch_net *net, const struct arch_layer *l);
void arch_net_release(struct arch_net *net);

/* Layer constructors used by the zoo and the search spaces. Names are copied. */
struct arch_layer arch_conv(const char *name, int64_t n, int64_t c, int64_t h, int64_t w,
			    int64_t k, int64_t r, int32_t stride, int32_t pad, int32_t groups);
struct arch_layer arch_fc(const char *name, int64_t n, int64_t c, int64_t k);
struct arch_layer arch_matmul(const char *name, int64_t g, int64_t m, int64_t kk, int64_t nn);
struct arch_layer arch_pool(const char *name, int64_t n, int64_t c, int64_t h, int64_t w,
			    int64_t r, int32_t stride, int32_t pad, int is_max);
struct arch_layer arch_add(const char *name, int64_t n, int64_t c, int64_t h, int64_t w);

/* The built-in zoo. arch_zoo_count/arch_zoo_name enumerate it; arch_zoo_build fills net
 * (caller releases) or returns HN_ENOTFOUND naming the unknown network. batch >= 1. */
int arch_zoo_count(void);
const char *arch_zoo_name(int i);
const char *arch_zoo_describe(int i);
int arch_zoo_build(const char *name, int64_t batch, struct arch_net *net, struct hn_err *err);

/* Reads a network from a file: JSON (docs/formats.md) or a SCALE-Sim topology CSV (by the
 * .csv extension). Errors name the file, the layer and the field. Caller releases net. */
int arch_net_load(const char *path, struct arch_net *net, struct hn_err *err);
int arch_net_parse_json(const char *text, size_t len, const char *origin, struct arch_net *net,
			struct hn_err *err);
int arch_net_parse_scalesim(const char *text, size_t len, const char *origin,
			    struct arch_net *net, struct hn_err *err);

/* A zoo name or a file path, whichever it is. */
int arch_net_resolve(const char *name_or_path, int64_t batch, struct arch_net *net,
		     struct hn_err *err);

/* JSON text of a network (name, batch, macs, params, layers[] with shapes, macs, params).
 * Returns a malloc'd string the caller frees, or NULL on out-of-memory. */
char *arch_net_to_json(const struct arch_net *net);

#endif
