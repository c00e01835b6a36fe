/* arch.h: workloads. Layers, networks, the model zoo, and readers for network files.
 *
 * A network is an ordered list of plain-value layers. Every layer with MACs lowers to a
 * (grouped) GEMM, see arch_gemm() and docs/model.md "Lowering to GEMM". A network may also
 * be a graph (arch_graph.c, docs/network_format.md "Graphs"): each layer names the tensors it
 * reads (the outputs of other layers or the network's inputs). */
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
#define ARCH_IN_MAX 2   /* tensors a layer reads: add and matmul read two */
#define ARCH_IO_MAX 16  /* inputs / outputs of a network graph */
/* A tensor id: >= 0 is the output of layers[id], < 0 is the network input inputs[-1 - id]. */
#define ARCH_SRC_INPUT(i) (-1 - (int32_t)(i))

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
	/* graph (net->graph): the tensors read, in[0 .. n_in-1], tensor ids (ARCH_SRC_INPUT);
	 * n_in = 0 in a list-form network. matmul: in[0] is A, in[1] is B. */
	int32_t n_in;
	int32_t in[ARCH_IN_MAX];
	uint8_t first_token;     /* fc: reads only the first token of each sample of its input
				  * (BERT's pooler on [CLS]), which holds a whole multiple of the
				  * elements it reads; used by the graph check only */
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

/* A node of an imported graph that is not a layer (ONNX: Relu, Reshape, a BatchNormalization
 * folded into its conv, ...): listed so that no node is silently dropped. */
struct arch_skip {
	char name[ARCH_NAME_MAX];
	char op[32];             /* the ONNX op type */
	char note[64];           /* "folded into layer1.0.conv1", "unknown op: ..." or "" */
	uint8_t unknown;         /* an op the importer does not know, skipped on request: the
				  * figures leave out whatever it computes */
};

/* A network input of a graph: its name and its shape per sample ([C, H, W], [tokens,
 * features] or [features]; the network batch multiplies the first dimension's rows). */
struct arch_tensor {
	char name[ARCH_NAME_MAX];
	int32_t rank;            /* 1 .. 3 */
	int64_t dims[3];
};

struct arch_net {
	char name[ARCH_NAME_MAX];
	int64_t batch;
	int n_layers;
	struct arch_layer *layers; /* owned: arch_net_release() frees */
	int n_skipped;
	struct arch_skip *skipped; /* owned: arch_net_release() frees */
	/* graph: 1 when every layer names its inputs (layers[i].in), the network inputs and
	 * outputs below are set and arch_net_check_graph passed; 0 for a list of unconnected
	 * layers (the old form: each layer states its own input shape). */
	int graph;
	int n_inputs;
	struct arch_tensor inputs[ARCH_IO_MAX];
	int n_outputs;
	int32_t outputs[ARCH_IO_MAX];   /* tensor ids */
	char graph_note[160];      /* ONNX: why an import has no graph ("" otherwise) */
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
/* A whole network's limit (issue 14: 9,000 layers of 2^50 MACs overflowed the totals into
 * negative MACs and cycles): its MACs and its activation elements read and written, each
 * summed over the layers, at most 2^56, so every network total of the model (cycles, bytes,
 * energy) stays inside int64. 0, or HN_EINVAL naming origin (or the network). */
#define ARCH_NET_MAX ((int64_t)1 << 56)
int arch_net_check_size(const struct arch_net *net, const char *origin, struct hn_err *err);

/* The first layer whose name repeats an earlier layer's: 1 with *dup its index and *first the
 * earlier one's, 0 when every name is distinct, HN_ENOMEM. Linear time (a hash table), so a
 * reader stays linear in the layer count (the pairwise check took 276 s on 200k layers). */
int arch_net_find_duplicate(const struct arch_net *net, int *dup, int *first);

/* ---- graphs (arch_graph.c; docs/network_format.md "Graphs") ---- */

/* A whole tensor shape, batch included: rank 4 [n, c, h, w] for a feature map (conv, pool,
 * add, an input of [C, H, W]), rank 2 [rows, features] (fc, an input of [tokens, features]
 * or [features]), rank 3 [g, rows, cols] (matmul). */
struct arch_shape {
	int rank;
	int64_t d[4];
};
int64_t arch_shape_elems(const struct arch_shape *s);
/* The output of layer l; what l reads in its input slot (0 or 1). */
struct arch_shape arch_layer_out_shape(const struct arch_layer *l);
struct arch_shape arch_layer_in_shape(const struct arch_layer *l, int slot);
/* The shape of tensor id of net (a layer output or a network input at net->batch). */
struct arch_shape arch_net_tensor_shape(const struct arch_net *net, int32_t id);
/* Name of tensor id (a layer's name or a network input's). */
const char *arch_net_tensor_name(const struct arch_net *net, int32_t id);
/* Tensors a layer of this kind reads in a graph: 2 for add and matmul, 1 otherwise. */
int arch_kind_inputs(enum arch_kind kind);

/* Appends a network input (name copied, per-sample dims) and sets net->graph; its tensor id
 * is ARCH_SRC_INPUT(net->n_inputs - 1). 0, or HN_EINVAL past ARCH_IO_MAX inputs or for a
 * rank outside 1 .. 3. Building a graph:
 * add the inputs, then layers whose in[] name earlier tensors, then the outputs
 * (arch_net_add_output), then arch_net_check_graph. */
int arch_net_add_input(struct arch_net *net, const char *name, int rank, const int64_t *dims);
/* Appends tensor id to net->outputs. 0, or HN_EINVAL past ARCH_IO_MAX outputs. */
int arch_net_add_output(struct arch_net *net, int32_t id);

/* Checks a graph network: at least one input and one output, every id in range, each layer
 * reading arch_kind_inputs() tensors whose shapes match what it reads (a feature map read as
 * a feature map exactly; otherwise the same element count, an implicit flatten or reshape;
 * an fc with first_token a whole multiple), names unique across layers and inputs, no cycle.
 * 0 for a list-form network (net->graph = 0). HN_EINVAL naming origin (or the network), the
 * layer (index and name) and the field ('inputs', 'outputs'); HN_ENOMEM. */
int arch_net_check_graph(const struct arch_net *net, const char *origin, struct hn_err *err);

/* A topological order of the layers into order[0 .. n_layers-1] (caller's array): the list
 * order itself when it is one, else the smallest ready index first. The list order for a
 * list-form network. HN_EINVAL naming a cycle, HN_ENOMEM. */
int arch_net_topo_order(const struct arch_net *net, int *order, struct hn_err *err);

/* The DRAM tensor plan (arch_plan.c): every activation tensor of a graph (the network inputs
 * and every layer output) and every layer's weights placed in one flat address space.
 * Weights come first, each kept for the whole run; activations follow at the aligned end of
 * the weights, and two activations share bytes only when their lifetimes do not overlap. A
 * tensor lives from the step of the layer that writes it (step -1 for a network input) to the
 * step of its last reader (the last step for a network output), steps counted in
 * arch_net_topo_order's order. Every offset is a multiple of align, every size rounded up to
 * it. padded: each feature map is stored with a border of the largest padding any of its
 * readers (conv, pool) has, so a reader can fetch its windows without padding logic. */
struct arch_plan_opts {
	int64_t act_bytes;       /* bytes per activation element, 1 .. 8 */
	int64_t weight_bytes;    /* bytes per weight element, 1 .. 8 */
	int64_t align;           /* a power of two, 1 .. 65536 */
	int padded;
};
struct arch_plan_tensor {
	int32_t id;              /* tensor id */
	int64_t offset, bytes;   /* bytes: the stored size, rounded up to align */
	int first, last;         /* live from step first to step last (inclusive) */
	int32_t border_h, border_w; /* padded: rows / columns of border on each side */
};
struct arch_plan {
	int n_tensors;                   /* n_inputs + n_layers */
	struct arch_plan_tensor *act;    /* owned; act[i] for tensor id (i < n_inputs ?
					  * ARCH_SRC_INPUT(i) : i - n_inputs) */
	int64_t *weight_offset;          /* owned; per layer, -1 for a layer without weights */
	int64_t *weight_bytes;           /* owned; per layer */
	int *order;                      /* owned; the execution order (n_layers) */
	int64_t weights_total;           /* bytes of the weight region */
	int64_t act_base;                /* where activations start (weights_total aligned) */
	int64_t act_total;               /* bytes of the activation region */
	int64_t act_peak_live;           /* the largest sum of live tensor sizes at one step */
	int64_t total;                   /* act_base + act_total */
};
/* Fills plan (caller releases with arch_plan_release) for a graph network; pure (allocates
 * only plan's arrays). HN_EINVAL for a list-form network or bad options, HN_ENOMEM. */
int arch_plan_build(const struct arch_net *net, const struct arch_plan_opts *o,
		    struct arch_plan *plan, struct hn_err *err);
void arch_plan_release(struct arch_plan *plan);

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

/* Reads a network from a file: JSON (docs/network_format.md) or a SCALE-Sim topology CSV (by the
 * .csv extension). Errors name the file, the layer and the field. Caller releases net. */
int arch_net_load(const char *path, struct arch_net *net, struct hn_err *err);
int arch_net_parse_json(const char *text, size_t len, const char *origin, struct arch_net *net,
			struct hn_err *err);
int arch_net_parse_scalesim(const char *text, size_t len, const char *origin,
			    struct arch_net *net, struct hn_err *err);

/* A zoo name or a file path, whichever it is. */
int arch_net_resolve(const char *name_or_path, int64_t batch, struct arch_net *net,
		     struct hn_err *err);
/* Same; skip_unknown_ops lets an ONNX file with ops the importer does not know load, those
 * nodes listed in net->skipped with unknown = 1 (an error otherwise). */
int arch_net_resolve_opts(const char *name_or_path, int64_t batch, int skip_unknown_ops,
			  struct arch_net *net, struct hn_err *err);

/* Appends a not-executed node to net->skipped (names copied, truncated). 0 or HN_ENOMEM. */
int arch_net_add_skip(struct arch_net *net, const char *name, const char *op, const char *note,
		      int unknown);

/* ---- ONNX (arch_onnx.c; docs/network_format.md "ONNX") ---- */

/* How an ONNX graph is read. batch: the size of a symbolic (dynamic) batch dimension, 0 for
 * 1; skip_unknown: an unknown op is listed as skipped instead of being an error. */
struct arch_onnx_opts {
	int64_t batch;
	int skip_unknown;
};

/* Reads a serialized ONNX ModelProto (protobuf-c against Debian's onnx.proto) into a network:
 * shapes inferred from the graph inputs and the initializer dims, one layer per MAC-bearing
 * node (named after the node), pools and residual adds as layers, every other node in
 * net->skipped. Weights are never read (external data is not needed). Errors name origin, the
 * node and the op. Caller releases net. */
int arch_net_parse_onnx(const void *data, size_t len, const char *origin,
			const struct arch_onnx_opts *o, struct arch_net *net, struct hn_err *err);
int arch_net_load_onnx(const char *path, const struct arch_onnx_opts *o, struct arch_net *net,
		       struct hn_err *err);

/* Writes net as an ONNX model (opset 13) to path, the weights' shapes as initializers whose
 * data lives in "<path>.weights", a sparse file of zeros written beside it (so that other
 * tools can load it). Each layer reads the latest earlier tensor of its input shape (a
 * residual add the two latest), which rebuilds the zoo's graphs. *params_left_out (may be
 * NULL) gets the parameters no ONNX node carries (extra_params: embedding tables, layer
 * norms). Returns 0, HN_EIO naming the file, or HN_ENOMEM. */
int arch_net_write_onnx(const struct arch_net *net, const char *path, int64_t *params_left_out,
			struct hn_err *err);

/* JSON text of a network (name, batch, macs, params, layers[] with shapes, macs, params).
 * Returns a malloc'd string the caller frees, or NULL on out-of-memory. */
char *arch_net_to_json(const struct arch_net *net);

/* ---- NN search spaces and accuracy sources (search/ owns this block: arch_nb201.c,
 * arch_mbspace.c, arch_accuracy.c; docs/search.md) ---- */

/* NAS-Bench-201 cell (Dong & Yang, ICLR 2020): 6 edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3,
 * each one of 5 ops. A cell's code is sum(op[e] x 5^e), 0 .. 15624. */
enum arch_nb201_op {
	ARCH_NB201_NONE = 0, ARCH_NB201_SKIP, ARCH_NB201_CONV1X1, ARCH_NB201_CONV3X3,
	ARCH_NB201_AVGPOOL, ARCH_NB201_OP_COUNT
};
enum arch_nb201_dataset { ARCH_NB201_CIFAR10 = 0, ARCH_NB201_CIFAR100, ARCH_NB201_IMAGENET16 };
#define ARCH_NB201_EDGES 6
#define ARCH_NB201_CELLS 15625

const char *arch_nb201_op_name(int op);                 /* "nor_conv_3x3" ... */
const char *arch_nb201_dataset_name(int ds);            /* "cifar10" ... */
int arch_nb201_dataset_parse(const char *s);            /* or -1 */
/* Parses "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|" into ops[6]; HN_EINVAL naming the part. */
int arch_nb201_parse(const char *cell, int ops[ARCH_NB201_EDGES], struct hn_err *err);
/* Writes the cell string into buf (at least 128 bytes for any cell). */
void arch_nb201_format(const int ops[ARCH_NB201_EDGES], char *buf, size_t size);
int arch_nb201_code(const int ops[ARCH_NB201_EDGES]);
void arch_nb201_decode(int code, int ops[ARCH_NB201_EDGES]);
/* The whole network of a cell on a dataset (the README skeleton; docs/search.md). Caller
 * releases net. Returns 0 or HN_EINVAL / HN_ENOMEM. */
int arch_nb201_build(const int ops[ARCH_NB201_EDGES], int dataset, int64_t batch,
		     struct arch_net *net, struct hn_err *err);

/* The benchmark's test accuracy (%) of every cell on the three datasets, by cell code. */
struct arch_nb201_table {
	double acc[3][ARCH_NB201_CELLS];
	char path[256];                 /* where it was read from */
};
/* Reads the CSV (data/nb201_accuracy.csv: index,arch,cifar10,cifar100,imagenet16_120).
 * Errors name the file and the line. */
int arch_nb201_table_load(const char *path, struct arch_nb201_table *t, struct hn_err *err);
/* Finds data/<name>: $HWNAS_DATA/<name>, then HWNAS_SRCDIR/data/<name> (compile-time),
 * then ./data/<name>. Returns 0 and fills path, or HN_ENOTFOUND listing where it looked. */
int arch_data_path(const char *name, char *path, size_t size, struct hn_err *err);

/* MobileNetV2-style layer-wise space (docs/search.md): 7 stages of inverted residual blocks
 * (Sandler et al. 2018, Table 2), each with its own kernel, expansion and depth. */
#define ARCH_MB_STAGES 7
struct arch_mb_config {
	int kernel[ARCH_MB_STAGES];     /* 3, 5 or 7 */
	int expand[ARCH_MB_STAGES];     /* expansion ratio t (stage 0 of MobileNetV2 uses 1) */
	int depth[ARCH_MB_STAGES];      /* blocks in the stage, >= 1 */
	double width;                   /* channel multiplier, channels rounded to multiples of 8 */
	int resolution;                 /* input height = width, >= 32 */
	int classes;
};
/* MobileNetV2 1.0 at 224 (the published network). */
struct arch_mb_config arch_mb_default(void);
int arch_mb_build(const struct arch_mb_config *c, int64_t batch, struct arch_net *net,
		  struct hn_err *err);
/* JSON text of the architecture ({"type":"mbv2","resolution":..,"width":..,"stages":[..]}),
 * what an accuracy command reads on stdin. Caller frees; NULL on out-of-memory. */
char *arch_mb_to_json(const struct arch_mb_config *c);
/* "r224 w1.00 k3e1d1 k3e6d2 ..." into buf. */
void arch_mb_describe(const struct arch_mb_config *c, char *buf, size_t size);

/* Accuracy proxy for the MobileNet space: a documented fit of ImageNet top-1 (%) to log10 of
 * MACs over the published MobileNetV2 width/resolution variants. A PROXY, not a measurement;
 * outputs label it "proxy". */
double arch_acc_proxy_mb(int64_t macs);

/* Runs `/bin/sh -c cmd` (in its own process group) with input on its stdin and reads its
 * answer: exactly one decimal number, a finite percentage in 0..100, with only white space
 * around it. The deadline (timeout_s) holds until the command has exited, not only while its
 * output is open; at the deadline its whole process group is killed. HN_EEXTERNAL naming the
 * command when it fails, times out, exits non-zero or prints anything else (nothing, two
 * numbers, 150, 1e308, more than 4 KiB); HN_EINTR when hn_stop_signal is set meanwhile (the
 * group is killed). */
int arch_acc_command(const char *cmd, const char *input, double timeout_s, double *acc,
		     struct hn_err *err);

/* Accuracy penalty of quantisation, in percentage points, by bit-width: an ASSUMPTION
 * (defaults and sources in arch_accuracy.c and docs/search.md), overridable per space. */
#define ARCH_QUANT_MAX 8
struct arch_quant_penalty {
	int n;
	int bits[ARCH_QUANT_MAX];       /* ascending */
	double points[ARCH_QUANT_MAX];  /* percentage points lost at that width */
};
struct arch_quant_penalty arch_quant_penalty_default(void);
/* Penalty at the narrower of act_bits and weight_bits: the entry of that width, linear
 * between entries, the widest entry's value above it, the narrowest's below it. */
double arch_quant_penalty_at(const struct arch_quant_penalty *q, int act_bits, int weight_bits);

/* ---- end of the search/ block ---- */

#endif
