/* arch_onnx.c: ONNX models in and out (docs/network_format.md "ONNX"). The only file of arch/
 * that sees the protobuf-c code generated at build time from Debian's onnx.proto.
 *
 * Reading: protobuf-c unpacks the ModelProto; the graph's nodes are ordered topologically
 * (a cycle or a dangling input is an error); shapes are inferred node by node from the graph
 * inputs and the initializer dims only (value_info is not needed, weights are never read, so
 * external data need not exist). Small int64 tensors (Shape, Constant, Gather, Concat ...) are
 * evaluated so that Reshape targets computed in the graph are known. Every node either becomes
 * a layer (Conv, Gemm, MatMul, pools, Add/Sum of equal shapes) named after the node, or is
 * listed in net->skipped with its op type (a BatchNormalization or bias Add folded into the
 * layer before it says which).
 *
 * The network's graph (docs/network_format.md "Graphs") follows the node inputs: each tensor
 * carries its source (src): a layer's output is that layer; a graph input, or the output of an
 * embedding lookup (Gather from a constant table), is a network input; any other node that is
 * no layer passes on the source of its one activation input that has as many elements as its
 * output (Relu, a folded BatchNormalization, Flatten, Reshape, Transpose, the SE scaling Mul
 * of a map by its per-channel weights). A layer reading a tensor of two such sources (Concat,
 * a Mul of two maps) or of none leaves the import without a graph, net->graph_note saying why.
 *
 * Writing: arch_net_write_onnx builds the graph back from the layer list (see arch.h). */
#include "arch.h"
#include "arch_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.pb-c.h"

#define OX_RANK_MAX 8                        /* dims of a tensor the importer follows */
#define OX_VALS_MAX 16                       /* int64 values kept for shape arithmetic */
#define OX_DIM_MAX ((int64_t)1 << 31)        /* one dimension */
#define OX_ELEMS_MAX ((int64_t)1 << 50)      /* elements of one tensor (the cost model's bound) */
#define OX_NEST_MAX 64                       /* protobuf nesting the reader accepts */
#define OX_OPSET_MIN 6                       /* oldest opset with today's Conv/Gemm/BN semantics */
#define OX_OPSET_MAX 21
#define OX_FILE_MAX ((int64_t)INT32_MAX)     /* protobuf's 2 GiB limit */
#define OX_BATCH_MAX ((int64_t)1 << 24)

static const char *S(const char *s)
{
	return s ? s : "";
}

/* ---- the protobuf nesting check ----
 * protobuf-c unpacks nested messages recursively without a depth limit: a few MB of nested
 * attribute graphs would exhaust the stack. This walk of the wire format measures the depth
 * first, treating a length-delimited payload as a message when it parses as one. */

static int wire_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*i >= n)
			return 0;
		uint8_t b = p[(*i)++];

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 1;
	}
	return 0;
}

/* Depth of nested messages in p[0..n) (0: no nested message), capped at budget; -1 when the
 * bytes are not wire format. */
static int wire_depth(const uint8_t *p, size_t n, int budget)
{
	size_t i = 0;
	int deepest = 0;

	while (i < n) {
		uint64_t key, v;

		if (!wire_varint(p, n, &i, &key) || (key >> 3) == 0)
			return -1;
		switch (key & 7) {
		case 0:
			if (!wire_varint(p, n, &i, &v))
				return -1;
			break;
		case 1:
			if (n - i < 8)
				return -1;
			i += 8;
			break;
		case 5:
			if (n - i < 4)
				return -1;
			i += 4;
			break;
		case 2:
			if (!wire_varint(p, n, &i, &v) || v > n - i)
				return -1;
			if (budget > 0 && v > 0) {
				int d = wire_depth(p + i, (size_t)v, budget - 1);

				if (d >= 0 && d + 1 > deepest)
					deepest = d + 1;
			}
			i += (size_t)v;
			break;
		default:
			return -1;
		}
	}
	return deepest;
}

/* ---- the importer's state ---- */

struct ox_tensor {
	const char *name;
	int rank;                    /* -1: unknown (output of a skipped unknown op) */
	int64_t dim[OX_RANK_MAX];
	uint8_t is_const;            /* an initializer, a Constant, or computed from constants */
	uint8_t has_vals;            /* vals[] holds its int64 values (row-major) */
	int nvals;
	int64_t vals[OX_VALS_MAX];
	uint8_t has_fvals;           /* fvals[] holds its float values (Resize scales) */
	float fvals[OX_VALS_MAX];
	int producer;                /* node index, -1 for graph inputs and initializers */
	int layer;                   /* the layer whose output this is (for folding), else -1 */
	int consumers;               /* node inputs reading it */
	uint8_t defined;             /* shape set (graph input, initializer, or node done) */
	uint8_t src_kind;            /* OX_SRC_*: where its value comes from, for the graph */
	int32_t src;                 /* OX_SRC_LAYER: the layer; OX_SRC_INPUT: the ONNX tensor
				      * that is the network input */
	int32_t net_input;           /* as a network input: its tensor id once added, else 0 */
	uint8_t part;                /* a part of its source: the first token (Gather index 0 of
				      * an activation, as BERT's pooler reads [CLS]) */
};

enum { OX_SRC_NONE = 0, OX_SRC_LAYER, OX_SRC_INPUT, OX_SRC_BAD };

/* An open-addressing hash set of indices keyed by a string the caller's key() gives. */
struct ox_hash {
	int *slot;                   /* -1 empty */
	size_t mask;
};

struct ox {
	const char *origin;
	struct hn_err *err;
	const struct arch_onnx_opts *o;
	int64_t opset;
	const Onnx__GraphProto *g;
	struct ox_tensor *t;
	int nt;
	struct ox_hash tensors;      /* name -> index into t */
	struct ox_hash names;        /* layer name -> layer index (unique names) */
	struct arch_net *net;
	int add_k;                   /* the k-th add of an n-input Add/Sum being emitted */
	char graph_note[160];        /* why the graph was given up, "" while it holds */
};

/* One node being read: its label for messages and its tensors (-1 for an omitted optional). */
struct ox_node {
	const Onnx__NodeProto *n;
	int idx;
	char label[ARCH_NAME_MAX];   /* the node's name, or "<op>_<index>" */
	int nin, nout;
	int *in, *out;
};

static int hash_init(struct ox_hash *h, size_t count)
{
	size_t cap = 16;

	while (cap < 2 * count + 1)
		cap *= 2;
	h->slot = malloc(cap * sizeof(*h->slot));
	if (!h->slot)
		return HN_ENOMEM;
	memset(h->slot, 0xff, cap * sizeof(*h->slot));
	h->mask = cap - 1;
	return 0;
}

static const char *tensor_key(const struct ox *x, int i)
{
	return x->t[i].name;
}

static const char *layer_key(const struct ox *x, int i)
{
	return x->net->layers[i].name;
}

/* The slot of key: its index, or the empty slot where it would go (*found = 0). */
static size_t hash_find(const struct ox *x, const struct ox_hash *h,
			const char *(*key)(const struct ox *, int), const char *name, int *found)
{
	size_t i = (size_t)hn_fnv1a(HN_FNV_START, name, strlen(name)) & h->mask;

	while (h->slot[i] >= 0) {
		if (!strcmp(key(x, h->slot[i]), name)) {
			*found = 1;
			return i;
		}
		i = (i + 1) & h->mask;
	}
	*found = 0;
	return i;
}

static int tensor_index(const struct ox *x, const char *name)
{
	int found;
	size_t i = hash_find(x, &x->tensors, tensor_key, name, &found);

	return found ? x->tensors.slot[i] : -1;
}

__attribute__((format(printf, 3, 4)))
static int node_fail(struct ox *x, const struct ox_node *nd, const char *fmt, ...)
{
	char msg[sizeof(x->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hn_fail(x->err, HN_EINVAL, "%s: node '%s' (%s): %s", x->origin, nd->label,
		       S(nd->n->op_type), msg);
}

/* A name for messages and layers: control characters as '?', the tail kept when too long
 * (the tail of "/encoder/layer.11/attention/self/query/MatMul" is the distinctive part). */
static void clean_name(char *dst, const char *src)
{
	size_t n = strlen(src), off = 0;

	if (n >= ARCH_NAME_MAX) {
		off = n - (ARCH_NAME_MAX - 2);
		dst[0] = '~';
		dst++;
	}
	for (size_t i = 0; src[off + i]; i++)
		dst[i] = (unsigned char)src[off + i] < 0x20 || src[off + i] == 0x7f ? '?' : src[off + i];
	dst[n - off] = '\0';
}

/* ---- attributes ---- */

static const Onnx__AttributeProto *attr(const struct ox_node *nd, const char *name)
{
	for (size_t i = 0; i < nd->n->n_attribute; i++)
		if (nd->n->attribute[i] && !strcmp(S(nd->n->attribute[i]->name), name))
			return nd->n->attribute[i];
	return NULL;
}

static int attr_int(struct ox *x, const struct ox_node *nd, const char *name, int64_t def,
		    int64_t *out)
{
	const Onnx__AttributeProto *a = attr(nd, name);

	*out = def;
	if (!a)
		return 0;
	if (!a->has_i || (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT))
		return node_fail(x, nd, "attribute '%s' must be an int", name);
	*out = a->i;
	return 0;
}

/* ints attribute into v[0..max); *count = its length (0 when absent). */
static int attr_ints(struct ox *x, const struct ox_node *nd, const char *name, int64_t *v,
		     int max, int *count)
{
	const Onnx__AttributeProto *a = attr(nd, name);

	*count = 0;
	if (!a)
		return 0;
	if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
		return node_fail(x, nd, "attribute '%s' must be a list of ints", name);
	if (a->n_ints > (size_t)max)
		return node_fail(x, nd, "attribute '%s' has %zu values, at most %d expected", name,
				 a->n_ints, max);
	for (size_t i = 0; i < a->n_ints; i++)
		v[i] = a->ints[i];
	*count = (int)a->n_ints;
	return 0;
}

/* String attribute into buf (empty when absent). */
static void attr_str(const struct ox_node *nd, const char *name, char *buf, size_t size)
{
	const Onnx__AttributeProto *a = attr(nd, name);
	size_t n = 0;

	if (a && a->has_s) {
		n = a->s.len < size - 1 ? a->s.len : size - 1;
		if (n) /* data is NULL for an empty string */
			memcpy(buf, a->s.data, n);
	}
	buf[n] = '\0';
}

/* ---- tensors ---- */

static int64_t elems(const struct ox_tensor *t)
{
	int64_t e = 1;

	for (int i = 0; i < t->rank; i++)
		if (__builtin_mul_overflow(e, t->dim[i], &e))
			return INT64_MAX;
	return e;
}

static void shape_text(const struct ox_tensor *t, char *buf, size_t size)
{
	size_t at = 0;

	at += (size_t)snprintf(buf, size, "[");
	for (int i = 0; i < t->rank && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%lld", i ? "," : "", (long long)t->dim[i]);
	if (at < size)
		snprintf(buf + at, size - at, "]");
}

/* Checks dims of a tensor being defined: each 0 .. OX_DIM_MAX, elements <= OX_ELEMS_MAX. */
static int check_dims(struct ox *x, const struct ox_node *nd, const char *what, const char *name,
		      int rank, const int64_t *dim)
{
	int64_t e = 1;

	if (rank > OX_RANK_MAX) {
		if (nd)
			return node_fail(x, nd, "output '%s' has %d dimensions, more than %d", name,
					 rank, OX_RANK_MAX);
		return hn_fail(x->err, HN_EINVAL, "%s: %s '%s' has %d dimensions, more than %d",
			       x->origin, what, name, rank, OX_RANK_MAX);
	}
	for (int i = 0; i < rank; i++) {
		if (dim[i] < 0 || dim[i] > OX_DIM_MAX) {
			if (nd)
				return node_fail(x, nd, "output '%s' dimension %d is %lld, outside 0 .. %lld",
						 name, i, (long long)dim[i], (long long)OX_DIM_MAX);
			return hn_fail(x->err, HN_EINVAL, "%s: %s '%s' dimension %d is %lld, outside 0 .. %lld",
				       x->origin, what, name, i, (long long)dim[i], (long long)OX_DIM_MAX);
		}
		if (__builtin_mul_overflow(e, dim[i], &e) || e > OX_ELEMS_MAX) {
			if (nd)
				return node_fail(x, nd, "output '%s' has more than 2^50 elements", name);
			return hn_fail(x->err, HN_EINVAL, "%s: %s '%s' has more than 2^50 elements",
				       x->origin, what, name);
		}
	}
	return 0;
}

/* Defines output j of a node. */
static int set_out(struct ox *x, const struct ox_node *nd, int j, int rank, const int64_t *dim,
		   int is_const)
{
	struct ox_tensor *t = NULL;
	int ret;

	if (j >= nd->nout || nd->out[j] < 0)
		return 0;
	t = &x->t[nd->out[j]];
	if (rank >= 0 && (ret = check_dims(x, nd, "output", t->name, rank, dim)))
		return ret;
	t->rank = rank;
	if (rank > 0)
		memcpy(t->dim, dim, (size_t)rank * sizeof(*dim));
	t->is_const = is_const != 0;
	t->has_vals = 0;
	t->has_fvals = 0;
	t->defined = 1;
	return 0;
}

static int set_vals(struct ox_tensor *t, const int64_t *v, int n)
{
	if (n < 0 || n > OX_VALS_MAX)
		return 0;
	for (int i = 0; i < n; i++) /* v may be NULL when n = 0 (an empty ints attribute) */
		t->vals[i] = v[i];
	t->nvals = n;
	t->has_vals = 1;
	return 0;
}

/* Input i as a tensor of known shape, or an error naming it. NULL input -> error too. */
static int need_in(struct ox *x, const struct ox_node *nd, int i, struct ox_tensor **out)
{
	struct ox_tensor *t = NULL;

	if (i >= nd->nin || nd->in[i] < 0)
		return node_fail(x, nd, "input %d is missing", i);
	t = &x->t[nd->in[i]];
	if (t->rank < 0)
		return node_fail(x, nd, "the shape of input '%s' is unknown (it comes from a "
				 "skipped node)", t->name);
	*out = t;
	return 0;
}

static struct ox_tensor *opt_in(struct ox *x, const struct ox_node *nd, int i)
{
	if (i >= nd->nin || nd->in[i] < 0)
		return NULL;
	return &x->t[nd->in[i]];
}

static int all_const(const struct ox *x, const struct ox_node *nd)
{
	for (int i = 0; i < nd->nin; i++)
		if (nd->in[i] >= 0 && !x->t[nd->in[i]].is_const)
			return 0;
	return 1;
}

/* The int64 values of an input used as a shape or axes list, or an error. */
static int need_vals(struct ox *x, const struct ox_node *nd, int i, const char *what,
		     struct ox_tensor **out)
{
	struct ox_tensor *t = NULL;
	int ret = need_in(x, nd, i, &t);

	if (ret)
		return ret;
	if (!t->has_vals)
		return node_fail(x, nd, "the %s '%s' is not a constant the importer can compute "
				 "(an initializer, a Constant, or Shape/Gather/Concat of them)",
				 what, t->name);
	*out = t;
	return 0;
}

/* Reads the int64 values of a TensorProto (initializer or Constant value) when small. */
static void tensor_vals(struct ox_tensor *t, const Onnx__TensorProto *tp)
{
	int64_t v[OX_VALS_MAX];
	int64_t n = elems(t);

	if (!tp->has_data_type || n > OX_VALS_MAX)
		return;
	if (tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
		if (tp->n_float_data == (size_t)n) {
			for (int64_t i = 0; i < n; i++) /* no memcpy: float_data is NULL when n = 0 */
				t->fvals[i] = tp->float_data[i];
		} else if (tp->has_raw_data && tp->raw_data.len == (size_t)n * 4) {
			for (int64_t i = 0; i < n; i++) {
				uint32_t u = 0;

				for (int b = 3; b >= 0; b--)
					u = (u << 8) | tp->raw_data.data[i * 4 + b];
				memcpy(&t->fvals[i], &u, sizeof(u));
			}
		} else {
			return;
		}
		t->has_fvals = 1;
		t->nvals = (int)n;
		return;
	}
	if (tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
		if (tp->n_int64_data == (size_t)n) {
			for (int64_t i = 0; i < n; i++)
				v[i] = tp->int64_data[i];
		} else if (tp->has_raw_data && tp->raw_data.len == (size_t)n * 8) {
			for (int64_t i = 0; i < n; i++) {
				uint64_t u = 0;

				for (int b = 7; b >= 0; b--) /* little-endian on the wire */
					u = (u << 8) | tp->raw_data.data[i * 8 + b];
				v[i] = (int64_t)u;
			}
		} else {
			return;
		}
	} else if (tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32) {
		if (tp->n_int32_data == (size_t)n) {
			for (int64_t i = 0; i < n; i++)
				v[i] = tp->int32_data[i];
		} else if (tp->has_raw_data && tp->raw_data.len == (size_t)n * 4) {
			for (int64_t i = 0; i < n; i++) {
				uint32_t u = 0;

				for (int b = 3; b >= 0; b--)
					u = (u << 8) | tp->raw_data.data[i * 4 + b];
				v[i] = (int32_t)u;
			}
		} else {
			return;
		}
	} else {
		return;
	}
	set_vals(t, v, (int)n);
}

/* Defines a tensor from a TensorProto's dims (an initializer, a Constant's value). */
static int tensor_from_proto(struct ox *x, const struct ox_node *nd, struct ox_tensor *t,
			     const Onnx__TensorProto *tp)
{
	int64_t dim[OX_RANK_MAX];
	int ret;

	if (tp->n_dims > OX_RANK_MAX)
		return nd ? node_fail(x, nd, "its tensor has %zu dimensions, more than %d",
				      tp->n_dims, OX_RANK_MAX)
			  : hn_fail(x->err, HN_EINVAL, "%s: initializer '%s' has %zu dimensions, "
				    "more than %d", x->origin, t->name, tp->n_dims, OX_RANK_MAX);
	for (size_t i = 0; i < tp->n_dims; i++)
		dim[i] = tp->dims[i];
	if ((ret = check_dims(x, nd, "initializer", t->name, (int)tp->n_dims, dim)))
		return ret;
	t->rank = (int)tp->n_dims;
	memcpy(t->dim, dim, tp->n_dims * sizeof(*dim));
	t->is_const = 1;
	t->defined = 1;
	tensor_vals(t, tp);
	return 0;
}

/* ---- layers and skipped nodes ---- */

/* ---- the graph ---- */

__attribute__((format(printf, 3, 4)))
static void graph_lost(struct ox *x, const struct ox_node *nd, const char *fmt, ...)
{
	char msg[100];
	va_list ap;

	if (x->graph_note[0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->graph_note, sizeof(x->graph_note), "node '%.40s': %s", nd->label, msg);
}

/* The network input tensor t stands for (added on first use), per sample: [N, C, H, W] is
 * [C, H, W] and [N, T, F] is [T, F] (N the batch); [R, F] is R / batch rows of F; [F] one row. */
static int32_t net_input(struct ox *x, const struct ox_node *nd, int ti)
{
	struct ox_tensor *t = &x->t[ti];
	int64_t d[3], b = x->net->batch;
	int rank = t->rank - 1;

	if (t->net_input < 0)
		return t->net_input;
	if (t->rank == 1) {
		rank = 1;
		d[0] = t->dim[0];
	} else if (t->rank == 2 && t->dim[0] % b == 0) {
		rank = t->dim[0] == b ? 1 : 2;
		d[0] = t->dim[0] / b;
		d[rank - 1] = t->dim[1];
	} else if (t->rank >= 3 && t->rank <= 4 && t->dim[0] == b) {
		for (int i = 0; i < rank; i++)
			d[i] = t->dim[i + 1];
	} else {
		graph_lost(x, nd, "input '%.30s' is not [batch, ...] with up to 3 more dimensions",
			   t->name);
		return 0;
	}
	if (arch_net_add_input(x->net, "", rank, d)) {
		graph_lost(x, nd, "more than %d network inputs", ARCH_IO_MAX);
		return 0;
	}
	clean_name(x->net->inputs[x->net->n_inputs - 1].name, t->name);
	t->net_input = ARCH_SRC_INPUT(x->net->n_inputs - 1);
	return t->net_input;
}

/* The tensor id a layer reading ONNX tensor ti reads, or 0 with the graph lost. */
static int32_t source_id(struct ox *x, const struct ox_node *nd, int ti)
{
	const struct ox_tensor *t = &x->t[ti];

	if (t->src_kind == OX_SRC_LAYER)
		return t->src;
	if (t->src_kind == OX_SRC_INPUT)
		return net_input(x, nd, t->src);
	graph_lost(x, nd, "it reads '%.30s', %s", t->name, t->src_kind == OX_SRC_BAD ?
		   "which merges several tensors without a layer (Concat, Mul, ...)" :
		   "which no layer or graph input computes");
	return 0;
}

/* Sets l's inputs from the node's activation (non-constant) inputs: the first for conv, fc
 * and pool, A and B for a matmul; the k-th add of an n-input Add/Sum reads the sum so far
 * (the add before it) and operand k + 1. */
static void wire(struct ox *x, const struct ox_node *nd, struct arch_layer *l)
{
	int act[64], na = 0, k = l->kind == ARCH_ADD ? x->add_k : 0;

	for (int i = 0; i < nd->nin && na < 64; i++)
		if (nd->in[i] >= 0 && !x->t[nd->in[i]].is_const)
			act[na++] = nd->in[i];
	l->n_in = arch_kind_inputs(l->kind);
	if (na < (l->kind == ARCH_ADD ? k + 2 : l->n_in)) {
		graph_lost(x, nd, "it has %d activation inputs", na);
		return;
	}
	if (l->kind == ARCH_ADD) {
		l->in[0] = k ? x->net->n_layers - 1 : source_id(x, nd, act[0]);
		l->in[1] = source_id(x, nd, act[k + 1]);
		if ((!k && x->t[act[0]].part) || x->t[act[k + 1]].part)
			graph_lost(x, nd, "it adds the first token of a tensor (only an fc may read one)");
		return;
	}
	for (int s = 0; s < l->n_in; s++) {
		l->in[s] = source_id(x, nd, act[s]);
		if (x->t[act[s]].part && l->kind == ARCH_FC)
			l->first_token = 1;
		else if (x->t[act[s]].part)
			graph_lost(x, nd, "it reads the first token of '%.30s' (only an fc may)",
				   x->t[act[s]].name);
	}
}

/* The source of each output of a node that made no layer of it (see the file comment). */
static void pass_source(struct ox *x, const struct ox_node *nd)
{
	for (int j = 0; j < nd->nout; j++) {
		struct ox_tensor *t = nd->out[j] >= 0 ? &x->t[nd->out[j]] : NULL;
		int kind = OX_SRC_NONE, n_act = 0;
		int32_t src = 0;

		if (!t || t->src_kind != OX_SRC_NONE)
			continue;
		if (t->layer >= 0) { /* a layer's output, or a BN / bias folded into one */
			t->src_kind = OX_SRC_LAYER;
			t->src = t->layer;
			continue;
		}
		if (!strcmp(S(nd->n->op_type), "Gather") && nd->nin >= 2 && nd->in[0] >= 0 &&
		    nd->in[1] >= 0 && !t->is_const && t->rank >= 1) {
			const struct ox_tensor *D = &x->t[nd->in[0]], *I = &x->t[nd->in[1]];

			if (D->is_const) {
				t->src_kind = OX_SRC_INPUT; /* an embedding lookup: an input */
				t->src = nd->out[j];
				continue;
			}
			if (I->is_const && I->has_vals && I->nvals == 1 && I->vals[0] == 0 &&
			    (D->src_kind == OX_SRC_LAYER || D->src_kind == OX_SRC_INPUT)) {
				t->src_kind = D->src_kind; /* index 0: the first token of D */
				t->src = D->src;
				t->part = 1;
				continue;
			}
		}
		for (int i = 0; i < nd->nin; i++) {
			const struct ox_tensor *a = nd->in[i] >= 0 ? &x->t[nd->in[i]] : NULL;

			if (!a || a->is_const || a->src_kind == OX_SRC_NONE)
				continue;
			n_act++;
			if (a->src_kind == OX_SRC_BAD || t->rank < 0 || a->rank < 0 ||
			    elems(a) != elems(t))
				continue;
			if (kind == OX_SRC_NONE) {
				kind = a->src_kind;
				src = a->src;
				t->part = a->part;
			} else if (kind != a->src_kind || src != a->src || t->part != a->part) {
				kind = OX_SRC_BAD;
			}
		}
		if (kind == OX_SRC_NONE && n_act)
			kind = OX_SRC_BAD;
		t->src_kind = (uint8_t)kind;
		t->src = src;
	}
}

/* After the nodes: the outputs, then the check; a graph that fails it is dropped (the import
 * stands as a list of layers, as before graphs), with the reason in net->graph_note. */
static int finish_graph(struct ox *x, const Onnx__GraphProto *g)
{
	struct arch_net *net = x->net;
	struct hn_err e;

	for (size_t i = 0; i < g->n_output && !x->graph_note[0]; i++) {
		const Onnx__ValueInfoProto *vi = g->output[i];
		int ti = vi && vi->name ? tensor_index(x, vi->name) : -1;
		const struct ox_tensor *t = ti >= 0 ? &x->t[ti] : NULL;
		int32_t id;
		int dup = 0;

		if (!t || (t->src_kind != OX_SRC_LAYER && t->src_kind != OX_SRC_INPUT))
			continue; /* an output no layer computes (a shape, a constant) */
		if (t->src_kind == OX_SRC_INPUT && x->t[t->src].net_input >= 0)
			continue; /* a graph input passed through, read by no layer */
		id = t->src_kind == OX_SRC_LAYER ? t->src : x->t[t->src].net_input;
		for (int k = 0; k < net->n_outputs; k++)
			dup |= net->outputs[k] == id;
		if (!dup && arch_net_add_output(net, id))
			snprintf(x->graph_note, sizeof(x->graph_note), "more than %d outputs",
				 ARCH_IO_MAX);
	}
	if (!x->graph_note[0] && net->n_outputs == 0) {
		/* no graph output is a layer's: the layers no layer reads, as in network JSON */
		uint8_t *read = calloc((size_t)net->n_layers + 1, 1);

		if (!read)
			return hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
		for (int i = 0; i < net->n_layers; i++)
			for (int s = 0; s < net->layers[i].n_in; s++)
				if (net->layers[i].in[s] >= 0)
					read[net->layers[i].in[s]] = 1;
		for (int i = 0; i < net->n_layers && !x->graph_note[0]; i++)
			if (!read[i] && arch_net_add_output(net, i))
				snprintf(x->graph_note, sizeof(x->graph_note), "more than %d outputs",
					 ARCH_IO_MAX);
		free(read);
	}
	if (!x->graph_note[0]) {
		net->graph = 1;
		if (arch_net_check_graph(net, x->origin, &e))
			snprintf(x->graph_note, sizeof(x->graph_note), "%.159s", e.msg);
	}
	if (x->graph_note[0]) {
		net->graph = 0;
		net->n_inputs = net->n_outputs = 0;
		for (int i = 0; i < net->n_layers; i++) {
			net->layers[i].n_in = 0;
			memset(net->layers[i].in, 0, sizeof(net->layers[i].in));
		}
		hn_strlcpy(net->graph_note, x->graph_note, sizeof(net->graph_note));
	}
	return 0;
}

/* Adds l named after the node (made unique), checked; out tensor j remembers it. */
static int emit(struct ox *x, const struct ox_node *nd, struct arch_layer *l, const char *suffix,
		int j)
{
	char name[ARCH_NAME_MAX + 16];
	struct hn_err e;
	size_t slot;
	int found;

	snprintf(name, sizeof(name), "%s%s", nd->label, suffix);
	if (strlen(name) >= ARCH_NAME_MAX)
		clean_name(name, name);
	hn_strlcpy(l->name, name, sizeof(l->name));
	slot = hash_find(x, &x->names, layer_key, l->name, &found);
	for (int k = 2; found; k++) {
		char tail[16];
		size_t tl = (size_t)snprintf(tail, sizeof(tail), "#%d", k);
		size_t keep = strlen(name) + tl < ARCH_NAME_MAX ? strlen(name) : ARCH_NAME_MAX - 1 - tl;

		snprintf(l->name, sizeof(l->name), "%.*s%s", (int)keep, name, tail);
		slot = hash_find(x, &x->names, layer_key, l->name, &found);
	}
	if (arch_layer_check(l, &e))
		return node_fail(x, nd, "%s", e.msg);
	wire(x, nd, l);
	if (x->net->n_layers >= (int)(x->names.mask / 2))
		return node_fail(x, nd, "more layers than nodes (internal limit)");
	if (arch_net_add(x->net, l))
		return hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
	x->names.slot[slot] = x->net->n_layers - 1;
	if (j >= 0 && j < nd->nout && nd->out[j] >= 0)
		x->t[nd->out[j]].layer = x->net->n_layers - 1;
	return 0;
}

static int skip(struct ox *x, const struct ox_node *nd, const char *note, int unknown)
{
	if (arch_net_add_skip(x->net, nd->label, S(nd->n->op_type), note, unknown))
		return hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
	return 0;
}

/* ---- spatial arithmetic shared by Conv and the pools ---- */

enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };

static int auto_pad(struct ox *x, const struct ox_node *nd, int *mode)
{
	char s[32];

	attr_str(nd, "auto_pad", s, sizeof(s));
	if (!s[0] || !strcmp(s, "NOTSET"))
		*mode = PAD_NOTSET;
	else if (!strcmp(s, "SAME_UPPER"))
		*mode = PAD_SAME_UPPER;
	else if (!strcmp(s, "SAME_LOWER"))
		*mode = PAD_SAME_LOWER;
	else if (!strcmp(s, "VALID"))
		*mode = PAD_VALID;
	else
		return node_fail(x, nd, "auto_pad '%s' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID", s);
	return 0;
}

/* One spatial axis as a layer sees it. The layer has symmetric padding and torch's floor rule;
 * ONNX allows begin != end padding, SAME padding and ceil_mode. The output size o follows
 * ONNX; the layer gets pad = floor(total / 2) and, when that alone gives fewer than o outputs,
 * an input longer by the missing rows (*in_adj), so that the output size, kernel and MACs are
 * exact and the input counts the extra padding row as data. */
struct axis {
	int64_t in, k, stride, dil, pb, pe;
	int64_t out, in_adj;
	int32_t pad;
};

static int axis_solve(struct ox *x, const struct ox_node *nd, const char *which, int mode,
		      int ceil_mode, struct axis *a)
{
	int64_t span, total, num;

	if (a->k < 1 || a->k > OX_DIM_MAX || a->stride < 1 || a->stride > OX_DIM_MAX ||
	    a->dil < 1 || a->dil > OX_DIM_MAX)
		return node_fail(x, nd, "%s: kernel %lld, stride %lld, dilation %lld must each be "
				 "1 .. 2^31", which, (long long)a->k, (long long)a->stride,
				 (long long)a->dil);
	if (a->pb < 0 || a->pe < 0 || a->pb > OX_DIM_MAX || a->pe > OX_DIM_MAX)
		return node_fail(x, nd, "%s: pads %lld, %lld must be 0 .. 2^31", which,
				 (long long)a->pb, (long long)a->pe);
	span = a->dil * (a->k - 1) + 1;
	switch (mode) {
	case PAD_SAME_UPPER:
	case PAD_SAME_LOWER:
		a->out = hn_cdiv(a->in, a->stride);
		total = hn_max64(0, (a->out - 1) * a->stride + span - a->in);
		a->pb = mode == PAD_SAME_UPPER ? total / 2 : total - total / 2;
		a->pe = total - a->pb;
		break;
	case PAD_VALID:
		a->pb = a->pe = 0;
		/* fall through */
	default:
		num = a->in + a->pb + a->pe - span;
		if (num < 0)
			return node_fail(x, nd, "%s: the kernel (%lld, dilation %lld) does not fit the "
					 "input of %lld with pads %lld + %lld", which, (long long)a->k,
					 (long long)a->dil, (long long)a->in, (long long)a->pb,
					 (long long)a->pe);
		a->out = (ceil_mode ? hn_cdiv(num, a->stride) : num / a->stride) + 1;
		/* torch's ceil rule: the last window starts inside the input or the left padding */
		if (ceil_mode && (a->out - 1) * a->stride >= a->in + a->pb)
			a->out--;
		break;
	}
	total = a->pb + a->pe;
	a->pad = (int32_t)(total / 2);
	a->in_adj = a->in;
	if ((a->in + 2 * a->pad - span) < 0 || (a->in + 2 * a->pad - span) / a->stride + 1 != a->out)
		a->in_adj = (a->out - 1) * a->stride + span - 2 * (int64_t)a->pad;
	if (a->out < 1)
		return node_fail(x, nd, "%s: the output would be empty", which);
	return 0;
}

/* Reads kernel/strides/pads/dilations of a conv or pool with nsp spatial axes (1 or 2) into
 * a[0] (height) and a[1] (width); a 1-D op has a height axis of 1. */
static int spatial_attrs(struct ox *x, const struct ox_node *nd, const struct ox_tensor *X,
			 int nsp, const int64_t *kernel, int ceil_mode, struct axis a[2])
{
	int64_t st[2], pads[4], dil[2];
	int nst, npads, ndil, mode = PAD_NOTSET, ret;
	const char *which[2] = { "height", "width" };

	if ((ret = attr_ints(x, nd, "strides", st, 2, &nst)) ||
	    (ret = attr_ints(x, nd, "pads", pads, 4, &npads)) ||
	    (ret = attr_ints(x, nd, "dilations", dil, 2, &ndil)) || (ret = auto_pad(x, nd, &mode)))
		return ret;
	if ((nst && nst != nsp) || (npads && npads != 2 * nsp) || (ndil && ndil != nsp))
		return node_fail(x, nd, "strides, pads and dilations must have %d, %d and %d values "
				 "for a %d-D input", nsp, 2 * nsp, nsp, nsp + 2);
	for (int i = 0; i < 2; i++) {
		int s = i - (2 - nsp); /* the op's axis, < 0 for the added height of a 1-D op */

		a[i] = (struct axis){ .in = 1, .k = 1, .stride = 1, .dil = 1, .out = 1, .in_adj = 1 };
		if (s < 0)
			continue;
		a[i].in = X->dim[2 + s];
		a[i].k = kernel[s];
		a[i].stride = nst ? st[s] : 1;
		a[i].dil = ndil ? dil[s] : 1;
		a[i].pb = npads ? pads[s] : 0;
		a[i].pe = npads ? pads[s + nsp] : 0;
		if ((ret = axis_solve(x, nd, which[i], mode, ceil_mode, &a[i])))
			return ret;
	}
	return 0;
}

static int out_spatial(struct ox *x, const struct ox_node *nd, int64_t n, int64_t c, int nsp,
		       const struct axis a[2])
{
	int64_t d[4] = { n, c, a[0].out, a[1].out };

	if (nsp == 1)
		d[2] = a[1].out;
	return set_out(x, nd, 0, 2 + nsp, d, 0);
}

/* ---- ops that become layers ---- */

static int op_conv(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *W = NULL;
	int64_t group, kernel[2], ks[2];
	int nks, nsp, ret;
	struct axis a[2];
	struct arch_layer l;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = need_in(x, nd, 1, &W)))
		return ret;
	if (X->rank == 5)
		return node_fail(x, nd, "3-D convolution (5-D input) is not supported: the "
				 "accelerator runs 1-D and 2-D convolutions");
	if (X->rank != 3 && X->rank != 4)
		return node_fail(x, nd, "input '%s' must be N x C x H x W (or N x C x L), got rank %d",
				 X->name, X->rank);
	nsp = X->rank - 2;
	if (W->rank != X->rank)
		return node_fail(x, nd, "weight '%s' must have rank %d, got %d", W->name, X->rank,
				 W->rank);
	if ((ret = attr_int(x, nd, "group", 1, &group)) ||
	    (ret = attr_ints(x, nd, "kernel_shape", ks, 2, &nks)))
		return ret;
	for (int i = 0; i < nsp; i++) {
		kernel[i] = W->dim[2 + i];
		if (nks && (nks != nsp || ks[i] != kernel[i]))
			return node_fail(x, nd, "kernel_shape does not match the weight '%s'", W->name);
	}
	if (group < 1 || group > OX_DIM_MAX || W->dim[1] * group != X->dim[1] ||
	    W->dim[0] % group)
		return node_fail(x, nd, "input has %lld channels but the weight '%s' is %lld x %lld "
				 "with group %lld", (long long)X->dim[1], W->name, (long long)W->dim[0],
				 (long long)W->dim[1], (long long)group);
	if ((ret = spatial_attrs(x, nd, X, nsp, kernel, 0, a)))
		return ret;
	l = arch_conv("", X->dim[0], X->dim[1], a[0].in_adj, a[1].in_adj, W->dim[0], a[0].k, 1, 0,
		      (int32_t)group);
	l.s = a[1].k;
	l.stride_h = (int32_t)a[0].stride;
	l.stride_w = (int32_t)a[1].stride;
	l.pad_h = a[0].pad;
	l.pad_w = a[1].pad;
	l.dil_h = (int32_t)a[0].dil;
	l.dil_w = (int32_t)a[1].dil;
	l.bias = opt_in(x, nd, 2) != NULL;
	if ((ret = out_spatial(x, nd, X->dim[0], W->dim[0], nsp, a)))
		return ret;
	return emit(x, nd, &l, "", 0);
}

/* Refused (no dataflow for it); with --skip-unknown-ops listed as unknown, its output shape
 * inferred (stride (in - 1) + output_padding + dilated kernel - pads, or output_shape) so that
 * the layers after it still import. */
static int op_conv_transpose(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *W = NULL;
	int64_t st[2], pads[4], dil[2], opad[2], oshape[2], group, d[4];
	int nst, npads, ndil, nop, nos, nsp, ret;

	if (!x->o->skip_unknown)
		return node_fail(x, nd, "transposed convolution is not supported (the accelerator "
				 "has no dataflow for it); --skip-unknown-ops leaves it out");
	if ((ret = need_in(x, nd, 0, &X)) || (ret = need_in(x, nd, 1, &W)))
		return ret;
	if ((X->rank != 3 && X->rank != 4) || W->rank != X->rank)
		return node_fail(x, nd, "input and weight must be 3-D or 4-D");
	nsp = X->rank - 2;
	if ((ret = attr_ints(x, nd, "strides", st, 2, &nst)) ||
	    (ret = attr_ints(x, nd, "pads", pads, 4, &npads)) ||
	    (ret = attr_ints(x, nd, "dilations", dil, 2, &ndil)) ||
	    (ret = attr_ints(x, nd, "output_padding", opad, 2, &nop)) ||
	    (ret = attr_ints(x, nd, "output_shape", oshape, 2, &nos)) ||
	    (ret = attr_int(x, nd, "group", 1, &group)))
		return ret;
	if ((nst && nst != nsp) || (npads && npads != 2 * nsp) || (ndil && ndil != nsp) ||
	    (nop && nop != nsp) || (nos && nos != nsp) || group < 1 || group > OX_DIM_MAX)
		return node_fail(x, nd, "attributes do not match a %d-D input", X->rank);
	d[0] = X->dim[0];
	d[1] = W->dim[1] * group;
	for (int i = 0; i < nsp; i++) {
		int64_t k = W->dim[2 + i], s = nst ? st[i] : 1, dl = ndil ? dil[i] : 1;

		if (s < 1 || s > OX_DIM_MAX || dl < 1 || dl > OX_DIM_MAX)
			return node_fail(x, nd, "strides and dilations must be 1 .. 2^31");
		d[2 + i] = nos ? oshape[i] : s * (X->dim[2 + i] - 1) + (nop ? opad[i] : 0) +
			   (k - 1) * dl + 1 - (npads ? pads[i] + pads[i + nsp] : 0);
		if (d[2 + i] < 1)
			return node_fail(x, nd, "the output would be empty");
	}
	if ((ret = set_out(x, nd, 0, X->rank, d, 0)))
		return ret;
	return skip(x, nd, "unknown op: its work is not in the figures", 1);
}

enum { POOL_MAX = 1, POOL_GLOBAL = 2 };

static int pool(struct ox *x, const struct ox_node *nd, unsigned flags)
{
	struct ox_tensor *X = NULL;
	int64_t ks[2], ceil_mode;
	int nks, nsp, ret;
	struct axis a[2];
	struct arch_layer l;

	if ((ret = need_in(x, nd, 0, &X)))
		return ret;
	if (X->rank == 5)
		return node_fail(x, nd, "3-D pooling (5-D input) is not supported");
	if (X->rank != 3 && X->rank != 4)
		return node_fail(x, nd, "input '%s' must be N x C x H x W (or N x C x L), got rank %d",
				 X->name, X->rank);
	nsp = X->rank - 2;
	if (flags & POOL_GLOBAL) {
		for (int i = 0; i < 2; i++) {
			int s = i - (2 - nsp);

			a[i] = (struct axis){ .in = s < 0 ? 1 : X->dim[2 + s], .stride = 1, .dil = 1 };
			a[i].k = a[i].in_adj = a[i].in;
			a[i].out = 1;
			if (a[i].in < 1)
				return node_fail(x, nd, "input '%s' is empty", X->name);
		}
	} else {
		if ((ret = attr_ints(x, nd, "kernel_shape", ks, 2, &nks)) ||
		    (ret = attr_int(x, nd, "ceil_mode", 0, &ceil_mode)))
			return ret;
		if (nks != nsp)
			return node_fail(x, nd, "kernel_shape must have %d values, got %d", nsp, nks);
		if ((ret = spatial_attrs(x, nd, X, nsp, ks, ceil_mode != 0, a)))
			return ret;
	}
	l = arch_pool("", X->dim[0], X->dim[1], a[0].in_adj, a[1].in_adj, a[0].k, 1, 0,
		      (flags & POOL_MAX) != 0);
	l.s = a[1].k;
	l.stride_h = (int32_t)a[0].stride;
	l.stride_w = (int32_t)a[1].stride;
	l.pad_h = a[0].pad;
	l.pad_w = a[1].pad;
	l.dil_h = (int32_t)a[0].dil;
	l.dil_w = (int32_t)a[1].dil;
	if ((ret = out_spatial(x, nd, X->dim[0], X->dim[1], nsp, a)))
		return ret;
	if ((ret = set_out(x, nd, 1, x->t[nd->out[0]].rank, x->t[nd->out[0]].dim, 0)))
		return ret; /* MaxPool's Indices */
	return emit(x, nd, &l, "", 0);
}

static int op_maxpool(struct ox *x, const struct ox_node *nd) { return pool(x, nd, POOL_MAX); }
static int op_avgpool(struct ox *x, const struct ox_node *nd) { return pool(x, nd, 0); }
static int op_gmaxpool(struct ox *x, const struct ox_node *nd)
{
	return pool(x, nd, POOL_MAX | POOL_GLOBAL);
}
static int op_gavgpool(struct ox *x, const struct ox_node *nd) { return pool(x, nd, POOL_GLOBAL); }

static int op_gemm(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *A = NULL, *B = NULL;
	int64_t ta, tb, M, K, K2, N, d[2];
	struct arch_layer l;
	int ret;

	if ((ret = need_in(x, nd, 0, &A)) || (ret = need_in(x, nd, 1, &B)) ||
	    (ret = attr_int(x, nd, "transA", 0, &ta)) || (ret = attr_int(x, nd, "transB", 0, &tb)))
		return ret;
	if (A->rank != 2 || B->rank != 2)
		return node_fail(x, nd, "A and B must be matrices, got ranks %d and %d", A->rank,
				 B->rank);
	M = ta ? A->dim[1] : A->dim[0];
	K = ta ? A->dim[0] : A->dim[1];
	K2 = tb ? B->dim[1] : B->dim[0];
	N = tb ? B->dim[0] : B->dim[1];
	if (K != K2)
		return node_fail(x, nd, "A is %lld x %lld but B is %lld x %lld (after transA=%lld, "
				 "transB=%lld)", (long long)M, (long long)K, (long long)K2,
				 (long long)N, (long long)ta, (long long)tb);
	d[0] = M;
	d[1] = N;
	if ((ret = set_out(x, nd, 0, 2, d, all_const(x, nd))))
		return ret;
	if (B->is_const && !A->is_const) {
		l = arch_fc("", M, K, N);
		l.bias = opt_in(x, nd, 2) != NULL;
	} else if (A->is_const && B->is_const) {
		return skip(x, nd, "constant operands: computed before run time", 0);
	} else {
		l = arch_matmul("", 1, M, K, N);
	}
	return emit(x, nd, &l, "", 0);
}

/* numpy broadcasting of a and b into out; 0 or -1 when they do not broadcast. */
static int broadcast(int ra, const int64_t *a, int rb, const int64_t *b, int *ro, int64_t *o)
{
	int r = ra > rb ? ra : rb;

	for (int i = 0; i < r; i++) {
		int64_t da = i < r - ra ? 1 : a[i - (r - ra)];
		int64_t db = i < r - rb ? 1 : b[i - (r - rb)];

		if (da != db && da != 1 && db != 1)
			return -1;
		o[i] = da == 1 ? db : da;
	}
	*ro = r;
	return 0;
}

static int op_matmul(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *A = NULL, *B = NULL;
	int64_t a[OX_RANK_MAX], b[OX_RANK_MAX], bat[OX_RANK_MAX], out[OX_RANK_MAX];
	int ra, rb, rbat, ro = 0, ret;
	int64_t M, K, N, g = 1;
	struct arch_layer l;

	if ((ret = need_in(x, nd, 0, &A)) || (ret = need_in(x, nd, 1, &B)))
		return ret;
	if (A->rank < 1 || B->rank < 1)
		return node_fail(x, nd, "operands must have rank >= 1");
	/* numpy: a vector is a row (A) or a column (B) of a matrix */
	ra = A->rank;
	rb = B->rank;
	memcpy(a, A->dim, sizeof(a));
	memcpy(b, B->dim, sizeof(b));
	if (ra == 1) {
		a[1] = a[0];
		a[0] = 1;
		ra = 2;
	}
	if (rb == 1) {
		b[1] = 1;
		rb = 2;
	}
	M = a[ra - 2];
	K = a[ra - 1];
	N = b[rb - 1];
	if (b[rb - 2] != K)
		return node_fail(x, nd, "A ends in %lld x %lld but B in %lld x %lld", (long long)M,
				 (long long)K, (long long)b[rb - 2], (long long)N);
	if (broadcast(ra - 2, a, rb - 2, b, &rbat, bat))
		return node_fail(x, nd, "the batch dimensions of A and B do not broadcast");
	for (int i = 0; i < rbat; i++) {
		g *= bat[i];
		out[ro++] = bat[i];
	}
	if (A->rank > 1)
		out[ro++] = M;
	if (B->rank > 1)
		out[ro++] = N;
	if ((ret = set_out(x, nd, 0, ro, out, all_const(x, nd))))
		return ret;
	if (B->is_const && !A->is_const && B->rank == 2) {
		/* x W: a linear layer on every row of x */
		int64_t rows = M;

		for (int i = 0; i < ra - 2; i++)
			rows *= a[i];
		l = arch_fc("", rows, K, N);
	} else if (A->is_const && B->is_const) {
		return skip(x, nd, "constant operands: computed before run time", 0);
	} else {
		l = arch_matmul("", g, M, K, N);
	}
	return emit(x, nd, &l, "", 0);
}

/* Element-wise ops of two or more inputs. Add and Sum of activations of one shape are
 * residual adds (ARCH_ADD layers, n - 1 of them for n inputs); an Add of a constant right
 * after a conv or linear layer is its bias; everything else is listed. */
static int op_eltwise(struct ox *x, const struct ox_node *nd)
{
	int64_t o[OX_RANK_MAX], tmp[OX_RANK_MAX];
	int ro = 0, n_act = 0, same = 1, first = -1, ret;
	const char *op = S(nd->n->op_type);
	int is_add = !strcmp(op, "Add") || !strcmp(op, "Sum");
	int64_t legacy;

	if ((ret = attr_int(x, nd, "broadcast", 0, &legacy)))
		return ret;
	for (int i = 0; i < nd->nin; i++) {
		struct ox_tensor *t;
		int rt;

		if (nd->in[i] < 0)
			continue;
		if ((ret = need_in(x, nd, i, &t)))
			return ret;
		if (first < 0) {
			first = i;
			ro = t->rank;
			memcpy(o, t->dim, sizeof(o));
			continue;
		}
		if (broadcast(ro, o, t->rank, t->dim, &rt, tmp)) {
			/* opset < 7 with broadcast=1: B aligns at 'axis' of A, the result is A's */
			if (x->opset < 7 && legacy)
				continue;
			return node_fail(x, nd, "the shapes of its inputs do not broadcast");
		}
		ro = rt;
		memcpy(o, tmp, sizeof(o));
	}
	if (first < 0)
		return node_fail(x, nd, "it has no input");
	if ((ret = set_out(x, nd, 0, ro, o, all_const(x, nd))))
		return ret;
	for (int i = 0; i < nd->nin; i++) {
		const struct ox_tensor *t = nd->in[i] >= 0 ? &x->t[nd->in[i]] : NULL;

		if (!t || t->is_const)
			continue;
		n_act++;
		if (t->rank != ro || memcmp(t->dim, o, (size_t)ro * sizeof(*o)))
			same = 0;
	}
	/* constant arithmetic on shapes: Add/Sub/Mul/Div of known int64 values */
	if (all_const(x, nd) && nd->nin == 2 && nd->in[0] >= 0 && nd->in[1] >= 0) {
		const struct ox_tensor *p = &x->t[nd->in[0]], *q = &x->t[nd->in[1]];
		int64_t v[OX_VALS_MAX];
		int n = p->nvals > q->nvals ? p->nvals : q->nvals, ok = p->has_vals && q->has_vals;

		for (int i = 0; ok && i < n; i++) {
			int64_t u = p->vals[p->nvals == 1 ? 0 : i], w = q->vals[q->nvals == 1 ? 0 : i];

			if ((p->nvals != 1 && p->nvals != n) || (q->nvals != 1 && q->nvals != n))
				ok = 0;
			else if (!strcmp(op, "Add"))
				ok = !__builtin_add_overflow(u, w, &v[i]);
			else if (!strcmp(op, "Sub"))
				ok = !__builtin_sub_overflow(u, w, &v[i]);
			else if (!strcmp(op, "Mul"))
				ok = !__builtin_mul_overflow(u, w, &v[i]);
			else if (!strcmp(op, "Div") && w != 0 && !(u == INT64_MIN && w == -1))
				v[i] = u / w;
			else
				ok = 0;
		}
		if (ok && elems(&x->t[nd->out[0]]) == n)
			set_vals(&x->t[nd->out[0]], v, n);
	}
	if (is_add && n_act >= 2 && same && ro >= 1) {
		/* n, c, h, w of the operand: N x C x H x W; tokens as zoo BERT: B x S x H -> n = B,
		 * c = H, h = S */
		int64_t n = o[0], c = ro > 1 ? o[1] : o[0], h = 1, w = 1;

		if (ro == 1)
			n = 1;
		else if (ro == 3) {
			c = o[2];
			h = o[1];
		} else if (ro >= 4) {
			for (int i = 2; i < ro - 1; i++)
				h *= o[i];
			w = o[ro - 1];
		}
		for (int k = 0; k < n_act - 1; k++) {
			struct arch_layer l = arch_add("", n, c, h, w);
			char suffix[16] = "";

			if (k)
				snprintf(suffix, sizeof(suffix), ".%d", k);
			x->add_k = k;
			if ((ret = emit(x, nd, &l, suffix, 0)))
				return ret;
		}
		return 0;
	}
	if (!strcmp(op, "Add") && n_act == 1 && nd->nin == 2 && nd->in[0] >= 0 && nd->in[1] >= 0) {
		/* a bias: the activation comes straight from a conv or linear layer, read only here,
		 * and the constant has one value per output channel / feature */
		int ai = x->t[nd->in[0]].is_const ? 1 : 0;
		const struct ox_tensor *act = &x->t[nd->in[ai]], *cst = &x->t[nd->in[1 - ai]];

		if (act->layer >= 0 && act->consumers == 1) {
			struct arch_layer *l = &x->net->layers[act->layer];

			if ((l->kind == ARCH_FC || l->kind == ARCH_CONV) && !l->bias &&
			    elems(cst) == l->k && cst->rank >= 1 && cst->dim[cst->rank - 1 - (l->kind ==
			    ARCH_CONV && cst->rank >= 3 ? 2 : 0)] == l->k) {
				char note[64];

				l->bias = 1;
				snprintf(note, sizeof(note), "bias, folded into %.40s", l->name);
				return skip(x, nd, note, 0);
			}
		}
	}
	if (all_const(x, nd))
		return skip(x, nd, "constant: computed before run time", 0);
	if (is_add && n_act >= 2)
		return skip(x, nd, "broadcast add: not a layer", 0);
	return skip(x, nd, "", 0);
}

static int op_batchnorm(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *sc = NULL;
	int ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = need_in(x, nd, 1, &sc)))
		return ret;
	if (X->rank < 2 || sc->rank != 1 || sc->dim[0] != X->dim[1])
		return node_fail(x, nd, "scale '%s' must have one value per channel of '%s'",
				 sc->name, X->name);
	if ((ret = set_out(x, nd, 0, X->rank, X->dim, 0)))
		return ret;
	for (int j = 1; j < nd->nout; j++)  /* training mode: running mean and variance */
		if ((ret = set_out(x, nd, j, 1, sc->dim, 0)))
			return ret;
	if (X->layer >= 0 && X->consumers == 1) {
		struct arch_layer *l = &x->net->layers[X->layer];

		if ((l->kind == ARCH_CONV || l->kind == ARCH_FC) && !l->bn && l->k == sc->dim[0]) {
			char note[64];

			l->bn = 1;
			snprintf(note, sizeof(note), "folded into %.47s", l->name);
			return skip(x, nd, note, 0);
		}
	}
	return skip(x, nd, "not after a conv or linear layer: its 2C parameters are not counted",
		    0);
}

/* ---- ops that only reshape, select or transform element-wise ---- */

/* Output 0 (and any other output) has input 0's shape; values pass through (Identity, Cast). */
static int op_same(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int ret;

	if ((ret = need_in(x, nd, 0, &X)))
		return ret;
	for (int j = 0; j < nd->nout; j++)
		if ((ret = set_out(x, nd, j, X->rank, X->dim, all_const(x, nd))))
			return ret;
	if (X->has_vals && nd->nout >= 1 && nd->out[0] >= 0) {
		const char *op = S(nd->n->op_type);

		if (!strcmp(op, "Identity") || !strcmp(op, "Cast") || !strcmp(op, "CastLike"))
			set_vals(&x->t[nd->out[0]], X->vals, X->nvals);
	}
	return skip(x, nd, all_const(x, nd) ? "constant: computed before run time" : "", 0);
}

static int op_layernorm(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t axis, d[OX_RANK_MAX];
	int ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "axis", -1, &axis)))
		return ret;
	if (axis < 0)
		axis += X->rank;
	if (axis < 0 || axis >= X->rank)
		return node_fail(x, nd, "axis is outside the input's %d dimensions", X->rank);
	if ((ret = set_out(x, nd, 0, X->rank, X->dim, 0)))
		return ret;
	memcpy(d, X->dim, sizeof(d));
	for (int i = (int)axis; i < X->rank; i++)
		d[i] = 1;
	for (int j = 1; j < nd->nout; j++)
		if ((ret = set_out(x, nd, j, X->rank, d, 0)))
			return ret;
	return skip(x, nd, "", 0);
}

static int op_constant(struct ox *x, const struct ox_node *nd)
{
	const Onnx__AttributeProto *a;
	struct ox_tensor *t = NULL;
	int ret;

	if (nd->nout < 1 || nd->out[0] < 0)
		return skip(x, nd, "", 0);
	t = &x->t[nd->out[0]];
	if ((a = attr(nd, "value")) && a->t) {
		if ((ret = tensor_from_proto(x, nd, t, a->t)))
			return ret;
	} else if ((a = attr(nd, "value_int")) && a->has_i) {
		if ((ret = set_out(x, nd, 0, 0, NULL, 1)))
			return ret;
		set_vals(t, &a->i, 1);
	} else if ((a = attr(nd, "value_ints"))) {
		int64_t n = (int64_t)a->n_ints;

		if ((ret = set_out(x, nd, 0, 1, &n, 1)))
			return ret;
		if (n <= OX_VALS_MAX)
			set_vals(t, a->ints, (int)n);
	} else if ((a = attr(nd, "value_float")) && a->has_f) {
		if ((ret = set_out(x, nd, 0, 0, NULL, 1)))
			return ret;
	} else if ((a = attr(nd, "value_floats"))) {
		int64_t n = (int64_t)a->n_floats;

		if ((ret = set_out(x, nd, 0, 1, &n, 1)))
			return ret;
	} else {
		return node_fail(x, nd, "it has no value attribute the importer reads (value, "
				 "value_int(s), value_float(s))");
	}
	return skip(x, nd, "constant", 0);
}

static int op_shape(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t start, end, n;
	int ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "start", 0, &start)) ||
	    (ret = attr_int(x, nd, "end", X->rank, &end)))
		return ret;
	if (start < 0)
		start += X->rank;
	if (end < 0)
		end += X->rank;
	start = start < 0 ? 0 : start > X->rank ? X->rank : start;
	end = end < start ? start : end > X->rank ? X->rank : end;
	n = end - start;
	if ((ret = set_out(x, nd, 0, 1, &n, 1)))
		return ret;
	set_vals(&x->t[nd->out[0]], X->dim + start, (int)n);
	return skip(x, nd, "shape arithmetic", 0);
}

/* The axes of a node: attribute 'axes' (older opsets) or input 1 (opset 13+). *given = 0
 * when neither is there. Axes are normalised against rank. */
static int axes_of(struct ox *x, const struct ox_node *nd, int input, int rank, int64_t *ax,
		   int *n, int *given)
{
	int ret;

	*given = 1;
	if ((ret = attr_ints(x, nd, "axes", ax, OX_RANK_MAX, n)))
		return ret;
	if (!*n && attr(nd, "axes") == NULL) {
		struct ox_tensor *t;

		if (!opt_in(x, nd, input)) {
			*given = 0;
			return 0;
		}
		if ((ret = need_vals(x, nd, input, "axes input", &t)))
			return ret;
		if (t->nvals > OX_RANK_MAX)
			return node_fail(x, nd, "more than %d axes", OX_RANK_MAX);
		memcpy(ax, t->vals, (size_t)t->nvals * sizeof(*ax));
		*n = t->nvals;
	}
	for (int i = 0; i < *n; i++) {
		if (ax[i] < 0)
			ax[i] += rank;
		if (ax[i] < 0 || ax[i] >= rank)
			return node_fail(x, nd, "axis %lld is outside %d dimensions", (long long)ax[i],
					 rank);
	}
	return 0;
}

/* The end of an op that only reshapes X (Unsqueeze, Squeeze): output 0 of the given dims,
 * X's known values carried over (they feed Reshape targets), and the node listed as not
 * executed. */
static int reshaped(struct ox *x, const struct ox_node *nd, const struct ox_tensor *X, int rank,
		    const int64_t *d)
{
	int ret;

	if ((ret = set_out(x, nd, 0, rank, d, all_const(x, nd))))
		return ret;
	if (X->has_vals)
		set_vals(&x->t[nd->out[0]], X->vals, X->nvals);
	return skip(x, nd, all_const(x, nd) ? "shape arithmetic" : "", 0);
}

static int op_unsqueeze(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t ax[OX_RANK_MAX], d[OX_RANK_MAX], raw[OX_RANK_MAX];
	int nr, ret, rank, src = 0;
	uint8_t mark[OX_RANK_MAX] = { 0 };

	if ((ret = need_in(x, nd, 0, &X)))
		return ret;
	/* axes index the output, of rank X->rank + number of axes */
	{

		if ((ret = attr_ints(x, nd, "axes", raw, OX_RANK_MAX, &nr)))
			return ret;
		if (!nr) {
			struct ox_tensor *t;

			if ((ret = need_vals(x, nd, 1, "axes input", &t)))
				return ret;
			if (t->nvals > OX_RANK_MAX)
				return node_fail(x, nd, "more than %d axes", OX_RANK_MAX);
			nr = t->nvals;
			memcpy(raw, t->vals, (size_t)nr * sizeof(*raw));
		}
		rank = X->rank + nr;
		if (rank > OX_RANK_MAX)
			return node_fail(x, nd, "the output would have %d dimensions", rank);
		for (int i = 0; i < nr; i++) {
			ax[i] = raw[i] < 0 ? raw[i] + rank : raw[i];
			if (ax[i] < 0 || ax[i] >= rank || mark[ax[i]])
				return node_fail(x, nd, "axis %lld is repeated or outside %d dimensions",
						 (long long)raw[i], rank);
			mark[ax[i]] = 1;
		}
	}
	for (int i = 0; i < rank; i++)
		d[i] = mark[i] ? 1 : X->dim[src++];
	return reshaped(x, nd, X, rank, d);
}

static int op_squeeze(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t ax[OX_RANK_MAX], d[OX_RANK_MAX];
	int n, given, ret, ro = 0;
	uint8_t mark[OX_RANK_MAX] = { 0 };

	if ((ret = need_in(x, nd, 0, &X)) || (ret = axes_of(x, nd, 1, X->rank, ax, &n, &given)))
		return ret;
	for (int i = 0; i < n; i++) {
		if (X->dim[ax[i]] != 1)
			return node_fail(x, nd, "axis %lld of '%s' is %lld, not 1", (long long)ax[i],
					 X->name, (long long)X->dim[ax[i]]);
		mark[ax[i]] = 1;
	}
	for (int i = 0; i < X->rank; i++)
		if (given ? !mark[i] : X->dim[i] != 1)
			d[ro++] = X->dim[i];
	return reshaped(x, nd, X, ro, d);
}

static int op_flatten(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t axis, d[2] = { 1, 1 };
	int ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "axis", 1, &axis)))
		return ret;
	if (axis < 0)
		axis += X->rank;
	if (axis < 0 || axis > X->rank)
		return node_fail(x, nd, "axis is outside the input's %d dimensions", X->rank);
	for (int i = 0; i < X->rank; i++)
		d[i >= axis] *= X->dim[i];
	if ((ret = set_out(x, nd, 0, 2, d, all_const(x, nd))))
		return ret;
	return skip(x, nd, "", 0);
}

static int op_reshape(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *S_ = NULL;
	int64_t shp[OX_RANK_MAX], d[OX_RANK_MAX], allowzero, known = 1;
	int n, ret, infer = -1;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "allowzero", 0, &allowzero)))
		return ret;
	if ((ret = attr_ints(x, nd, "shape", shp, OX_RANK_MAX, &n)))
		return ret;
	if (!n) {
		if ((ret = need_vals(x, nd, 1, "shape input", &S_)))
			return ret;
		if (S_->nvals > OX_RANK_MAX)
			return node_fail(x, nd, "the target shape has more than %d dimensions",
					 OX_RANK_MAX);
		n = S_->nvals;
		memcpy(shp, S_->vals, (size_t)n * sizeof(*shp));
	}
	for (int i = 0; i < n; i++) {
		d[i] = shp[i];
		if (shp[i] == 0 && !allowzero) {
			if (i >= X->rank)
				return node_fail(x, nd, "target dimension %d is 0 (copy) but the input has "
						 "%d dimensions", i, X->rank);
			d[i] = X->dim[i];
		} else if (shp[i] == -1) {
			if (infer >= 0)
				return node_fail(x, nd, "the target shape has two -1 dimensions");
			infer = i;
			continue;
		} else if (shp[i] < 0) {
			return node_fail(x, nd, "target dimension %d is %lld", i, (long long)shp[i]);
		}
		if (__builtin_mul_overflow(known, d[i], &known))
			return node_fail(x, nd, "the target shape overflows");
	}
	if (infer >= 0) {
		if (known == 0 || elems(X) % known)
			return node_fail(x, nd, "cannot reshape %lld elements to a shape with %lld "
					 "elements per -1", (long long)elems(X), (long long)known);
		d[infer] = elems(X) / known;
	} else if (known != elems(X)) {
		char a[96];

		shape_text(X, a, sizeof(a));
		return node_fail(x, nd, "cannot reshape '%s' %s (%lld elements) to %lld elements",
				 X->name, a, (long long)elems(X), (long long)known);
	}
	if ((ret = set_out(x, nd, 0, n, d, X->is_const)))
		return ret;
	if (X->has_vals)
		set_vals(&x->t[nd->out[0]], X->vals, X->nvals);
	return skip(x, nd, X->is_const ? "constant: computed before run time" : "", 0);
}

static int op_transpose(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t perm[OX_RANK_MAX], d[OX_RANK_MAX];
	uint8_t seen[OX_RANK_MAX] = { 0 };
	int n, ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_ints(x, nd, "perm", perm, OX_RANK_MAX, &n)))
		return ret;
	if (!n) {
		n = X->rank;
		for (int i = 0; i < n; i++)
			perm[i] = n - 1 - i;
	}
	if (n != X->rank)
		return node_fail(x, nd, "perm has %d values for %d dimensions", n, X->rank);
	for (int i = 0; i < n; i++) {
		if (perm[i] < 0 || perm[i] >= n || seen[perm[i]])
			return node_fail(x, nd, "perm is not a permutation of 0 .. %d", n - 1);
		seen[perm[i]] = 1;
		d[i] = X->dim[perm[i]];
	}
	if ((ret = set_out(x, nd, 0, n, d, X->is_const)))
		return ret;
	return skip(x, nd, X->is_const ? "constant: computed before run time" : "", 0);
}

static int op_concat(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *F = NULL, *t = NULL;
	int64_t axis, d[OX_RANK_MAX], v[OX_VALS_MAX];
	int ret, nv = 0, vals_ok = 1;

	if ((ret = need_in(x, nd, 0, &F)) || (ret = attr_int(x, nd, "axis", 0, &axis)))
		return ret;
	if (axis < 0)
		axis += F->rank;
	if (axis < 0 || axis >= F->rank)
		return node_fail(x, nd, "axis is outside the input's %d dimensions", F->rank);
	memcpy(d, F->dim, sizeof(d));
	d[axis] = 0;
	for (int i = 0; i < nd->nin; i++) {
		if (nd->in[i] < 0)
			continue;
		if ((ret = need_in(x, nd, i, &t)))
			return ret;
		if (t->rank != F->rank)
			return node_fail(x, nd, "input '%s' has rank %d, not %d", t->name, t->rank,
					 F->rank);
		for (int k = 0; k < t->rank; k++)
			if (k != axis && t->dim[k] != F->dim[k])
				return node_fail(x, nd, "input '%s' differs in dimension %d", t->name, k);
		if (__builtin_add_overflow(d[axis], t->dim[axis], &d[axis]))
			return node_fail(x, nd, "the output overflows");
		if (!t->has_vals || nv + t->nvals > OX_VALS_MAX)
			vals_ok = 0;
		else {
			memcpy(v + nv, t->vals, (size_t)t->nvals * sizeof(*v));
			nv += t->nvals;
		}
	}
	if ((ret = set_out(x, nd, 0, F->rank, d, all_const(x, nd))))
		return ret;
	if (vals_ok && F->rank == 1)
		set_vals(&x->t[nd->out[0]], v, nv);
	return skip(x, nd, all_const(x, nd) ? "shape arithmetic" : "", 0);
}

static int op_gather(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *D = NULL, *I = NULL;
	int64_t axis, d[OX_RANK_MAX];
	int ro = 0, ret;

	if ((ret = need_in(x, nd, 0, &D)) || (ret = need_in(x, nd, 1, &I)) ||
	    (ret = attr_int(x, nd, "axis", 0, &axis)))
		return ret;
	if (axis < 0)
		axis += D->rank;
	if (axis < 0 || axis >= D->rank || D->rank + I->rank - 1 > OX_RANK_MAX)
		return node_fail(x, nd, "axis or ranks out of range");
	for (int i = 0; i < axis; i++)
		d[ro++] = D->dim[i];
	for (int i = 0; i < I->rank; i++)
		d[ro++] = I->dim[i];
	for (int i = (int)axis + 1; i < D->rank; i++)
		d[ro++] = D->dim[i];
	if ((ret = set_out(x, nd, 0, ro, d, all_const(x, nd))))
		return ret;
	if (D->has_vals && I->has_vals && D->rank == 1) {
		int64_t v[OX_VALS_MAX];

		for (int i = 0; i < I->nvals; i++) {
			int64_t k = I->vals[i] < 0 ? I->vals[i] + D->nvals : I->vals[i];

			if (k < 0 || k >= D->nvals)
				return node_fail(x, nd, "index %lld is outside %d values",
						 (long long)I->vals[i], D->nvals);
			v[i] = D->vals[k];
		}
		set_vals(&x->t[nd->out[0]], v, I->nvals);
	}
	if (D->is_const && !I->is_const)
		return skip(x, nd, "table lookup (embedding): its table is not counted", 0);
	return skip(x, nd, all_const(x, nd) ? "shape arithmetic" : "", 0);
}

static int op_slice(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t st[OX_RANK_MAX], en[OX_RANK_MAX], ax[OX_RANK_MAX], sp[OX_RANK_MAX], d[OX_RANK_MAX];
	int nst, nen, nax, nsp = 0, ret;
	int64_t v[OX_VALS_MAX];
	int nv = 0;

	if ((ret = need_in(x, nd, 0, &X)))
		return ret;
	if ((ret = attr_ints(x, nd, "starts", st, OX_RANK_MAX, &nst)) ||
	    (ret = attr_ints(x, nd, "ends", en, OX_RANK_MAX, &nen)) ||
	    (ret = attr_ints(x, nd, "axes", ax, OX_RANK_MAX, &nax)))
		return ret;
	if (!nst) { /* opset 10+: inputs starts, ends, axes, steps */
		struct ox_tensor *t;

		if ((ret = need_vals(x, nd, 1, "starts input", &t)) || t->nvals > OX_RANK_MAX)
			return ret ? ret : node_fail(x, nd, "too many starts");
		nst = t->nvals;
		memcpy(st, t->vals, (size_t)nst * sizeof(*st));
		if ((ret = need_vals(x, nd, 2, "ends input", &t)) || t->nvals != nst)
			return ret ? ret : node_fail(x, nd, "starts and ends differ in length");
		nen = nst;
		memcpy(en, t->vals, (size_t)nen * sizeof(*en));
		if (opt_in(x, nd, 3)) {
			if ((ret = need_vals(x, nd, 3, "axes input", &t)) || t->nvals != nst)
				return ret ? ret : node_fail(x, nd, "axes and starts differ in length");
			nax = nst;
			memcpy(ax, t->vals, (size_t)nax * sizeof(*ax));
		}
		if (opt_in(x, nd, 4)) {
			if ((ret = need_vals(x, nd, 4, "steps input", &t)) || t->nvals != nst)
				return ret ? ret : node_fail(x, nd, "steps and starts differ in length");
			nsp = nst;
			memcpy(sp, t->vals, (size_t)nsp * sizeof(*sp));
		}
	}
	if (nen != nst || (nax && nax != nst))
		return node_fail(x, nd, "starts, ends and axes differ in length");
	memcpy(d, X->dim, sizeof(d));
	for (int i = 0; i < nst; i++) {
		int64_t a = nax ? ax[i] : i, step = nsp ? sp[i] : 1, dim, s, e;

		if (a < 0)
			a += X->rank;
		if (a < 0 || a >= X->rank || step == 0)
			return node_fail(x, nd, "axis %lld or step %lld out of range", (long long)a,
					 (long long)step);
		dim = X->dim[a];
		s = st[i] < 0 ? st[i] + dim : st[i];
		e = en[i] < 0 ? en[i] + dim : en[i];
		if (step > 0) {
			s = s < 0 ? 0 : s > dim ? dim : s;
			e = e < 0 ? 0 : e > dim ? dim : e;
			d[a] = e > s ? (e - s + step - 1) / step : 0;
		} else {
			s = s < 0 ? -1 : s > dim - 1 ? dim - 1 : s;
			e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
			d[a] = s > e ? (s - e + (-step) - 1) / (-step) : 0;
		}
		if (X->has_vals && X->rank == 1 && a == 0) {
			for (int64_t k = s; step > 0 ? k < e : k > e; k += step)
				if (nv < OX_VALS_MAX && k >= 0 && k < X->nvals)
					v[nv++] = X->vals[k];
		}
	}
	if ((ret = set_out(x, nd, 0, X->rank, d, all_const(x, nd))))
		return ret;
	if (X->has_vals && X->rank == 1 && nv == d[0])
		set_vals(&x->t[nd->out[0]], v, nv);
	return skip(x, nd, all_const(x, nd) ? "shape arithmetic" : "", 0);
}

static int op_split(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t axis, sp[OX_RANK_MAX * 8], d[OX_RANK_MAX];
	int n, ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "axis", 0, &axis)) ||
	    (ret = attr_ints(x, nd, "split", sp, OX_RANK_MAX * 8, &n)))
		return ret;
	if (axis < 0)
		axis += X->rank;
	if (axis < 0 || axis >= X->rank)
		return node_fail(x, nd, "axis is outside the input's %d dimensions", X->rank);
	if (!n && opt_in(x, nd, 1)) {
		struct ox_tensor *t;

		if ((ret = need_vals(x, nd, 1, "split input", &t)))
			return ret;
		n = t->nvals;
		memcpy(sp, t->vals, (size_t)n * sizeof(*sp));
	}
	if (n && n != nd->nout)
		return node_fail(x, nd, "split has %d values for %d outputs", n, nd->nout);
	if (!n && (nd->nout < 1 || X->dim[axis] % nd->nout))
		return node_fail(x, nd, "dimension %lld of '%s' does not split into %d equal parts",
				 (long long)X->dim[axis], X->name, nd->nout);
	memcpy(d, X->dim, sizeof(d));
	for (int j = 0; j < nd->nout; j++) {
		d[axis] = n ? sp[j] : X->dim[axis] / nd->nout;
		if ((ret = set_out(x, nd, j, X->rank, d, all_const(x, nd))))
			return ret;
	}
	return skip(x, nd, "", 0);
}

static int op_reduce(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t ax[OX_RANK_MAX], keep, d[OX_RANK_MAX], one_axis;
	int n, given, ret, ro = 0;
	uint8_t mark[OX_RANK_MAX] = { 0 };
	const char *op = S(nd->n->op_type);

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_int(x, nd, "keepdims", 1, &keep)))
		return ret;
	if (!strcmp(op, "ArgMax") || !strcmp(op, "ArgMin")) {
		if ((ret = attr_int(x, nd, "axis", 0, &one_axis)))
			return ret;
		if (one_axis < 0)
			one_axis += X->rank;
		if (one_axis < 0 || one_axis >= X->rank)
			return node_fail(x, nd, "axis is outside %d dimensions", X->rank);
		ax[0] = one_axis;
		n = 1;
		given = 1;
	} else if ((ret = axes_of(x, nd, 1, X->rank, ax, &n, &given))) {
		return ret;
	}
	for (int i = 0; i < n; i++)
		mark[ax[i]] = 1;
	for (int i = 0; i < X->rank; i++) {
		int reduced = given && n ? mark[i] : 1;

		if (!reduced)
			d[ro++] = X->dim[i];
		else if (keep)
			d[ro++] = 1;
	}
	if ((ret = set_out(x, nd, 0, ro, d, all_const(x, nd))))
		return ret;
	return skip(x, nd, "", 0);
}

static int op_pad(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t pads[2 * OX_RANK_MAX], d[OX_RANK_MAX];
	int n, ret;

	if ((ret = need_in(x, nd, 0, &X)) ||
	    (ret = attr_ints(x, nd, "pads", pads, 2 * OX_RANK_MAX, &n)))
		return ret;
	if (!n && opt_in(x, nd, 1)) {
		struct ox_tensor *t;

		if ((ret = need_vals(x, nd, 1, "pads input", &t)))
			return ret;
		n = t->nvals;
		memcpy(pads, t->vals, (size_t)n * sizeof(*pads));
	}
	if (n != 2 * X->rank)
		return node_fail(x, nd, "pads has %d values for %d dimensions", n, X->rank);
	for (int i = 0; i < X->rank; i++) {
		d[i] = X->dim[i] + pads[i] + pads[i + X->rank];
		if (pads[i] < -OX_DIM_MAX || pads[i] > OX_DIM_MAX || pads[i + X->rank] < -OX_DIM_MAX ||
		    pads[i + X->rank] > OX_DIM_MAX || d[i] < 0)
			return node_fail(x, nd, "pads out of range");
	}
	if ((ret = set_out(x, nd, 0, X->rank, d, all_const(x, nd))))
		return ret;
	return skip(x, nd, "padding: the layer after it reads the padded size", 0);
}

static int op_expand_tile(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *R = NULL;
	int64_t d[OX_RANK_MAX];
	int ro, ret;
	int tile = !strcmp(S(nd->n->op_type), "Tile");

	if ((ret = need_in(x, nd, 0, &X)) ||
	    (ret = need_vals(x, nd, 1, tile ? "repeats input" : "shape input", &R)))
		return ret;
	if (R->nvals > OX_RANK_MAX)
		return node_fail(x, nd, "more than %d dimensions", OX_RANK_MAX);
	if (tile) {
		if (R->nvals != X->rank)
			return node_fail(x, nd, "repeats has %d values for %d dimensions", R->nvals,
					 X->rank);
		for (int i = 0; i < X->rank; i++)
			if (R->vals[i] < 0 || __builtin_mul_overflow(X->dim[i], R->vals[i], &d[i]))
				return node_fail(x, nd, "repeats out of range");
		ro = X->rank;
	} else if (broadcast(X->rank, X->dim, R->nvals, R->vals, &ro, d)) {
		return node_fail(x, nd, "'%s' does not broadcast to the shape", X->name);
	}
	if ((ret = set_out(x, nd, 0, ro, d, all_const(x, nd))))
		return ret;
	return skip(x, nd, "", 0);
}

static int op_constant_of_shape(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *R = NULL;
	int ret;

	if ((ret = need_vals(x, nd, 0, "shape input", &R)))
		return ret;
	if (R->nvals > OX_RANK_MAX)
		return node_fail(x, nd, "more than %d dimensions", OX_RANK_MAX);
	if ((ret = set_out(x, nd, 0, R->nvals, R->vals, 1)))
		return ret;
	return skip(x, nd, "constant", 0);
}

static int op_size(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL;
	int64_t v;
	int ret;

	if ((ret = need_in(x, nd, 0, &X)) || (ret = set_out(x, nd, 0, 0, NULL, 1)))
		return ret;
	v = elems(X);
	set_vals(&x->t[nd->out[0]], &v, 1);
	return skip(x, nd, "shape arithmetic", 0);
}

/* Resize (opset 10+: X, roi, scales, sizes; opset 18 'axes') and Upsample (scales as input,
 * or as an attribute before opset 9): sizes when given, else floor(dim x scale). */
static int op_resize(struct ox *x, const struct ox_node *nd)
{
	struct ox_tensor *X = NULL, *sz = opt_in(x, nd, 3), *sc = NULL;
	int64_t ax[OX_RANK_MAX], d[OX_RANK_MAX];
	int nax, ret;
	const Onnx__AttributeProto *a = attr(nd, "scales");

	if ((ret = need_in(x, nd, 0, &X)) || (ret = attr_ints(x, nd, "axes", ax, OX_RANK_MAX, &nax)))
		return ret;
	if (!nax)
		for (nax = 0; nax < X->rank; nax++)
			ax[nax] = nax;
	for (int i = 0; i < nax; i++) {
		ax[i] += ax[i] < 0 ? X->rank : 0;
		if (ax[i] < 0 || ax[i] >= X->rank)
			return node_fail(x, nd, "axis %lld is outside %d dimensions", (long long)ax[i],
					 X->rank);
	}
	memcpy(d, X->dim, sizeof(d));
	if (sz && sz->rank == 1 && sz->dim[0] > 0) {
		if (!sz->has_vals || sz->nvals != nax)
			return node_fail(x, nd, "the sizes '%s' must be %d constants", sz->name, nax);
		for (int i = 0; i < nax; i++)
			d[ax[i]] = sz->vals[i];
	} else {
		float f[OX_VALS_MAX];
		int nf = 0;

		if (a && a->n_floats) { /* Upsample before opset 9 */
			nf = a->n_floats <= OX_VALS_MAX ? (int)a->n_floats : -1;
			if (nf > 0)
				memcpy(f, a->floats, (size_t)nf * sizeof(*f));
		} else {
			sc = opt_in(x, nd, !strcmp(S(nd->n->op_type), "Upsample") ||
				    x->opset < 11 ? 1 : 2);
			if (sc && sc->has_fvals) {
				nf = sc->nvals;
				memcpy(f, sc->fvals, (size_t)nf * sizeof(*f));
			}
		}
		if (nf != nax)
			return node_fail(x, nd, "needs %d constant scales or sizes (an initializer or a "
					 "Constant)", nax);
		for (int i = 0; i < nax; i++) {
			double v = (double)X->dim[ax[i]] * (double)f[i];

			if (!(v >= 0 && v <= (double)OX_DIM_MAX))
				return node_fail(x, nd, "scale %g gives a dimension outside 0 .. 2^31",
						 (double)f[i]);
			d[ax[i]] = (int64_t)v;
		}
	}
	if ((ret = set_out(x, nd, 0, X->rank, d, all_const(x, nd))))
		return ret;
	return skip(x, nd, "resampling: the layer after it reads the new size", 0);
}

/* ---- the op table ---- */

typedef int (*ox_fn)(struct ox *, const struct ox_node *);

static const struct ox_op {
	const char *op;
	ox_fn fn;
} ox_ops[] = {
	{ "Conv", op_conv },
	{ "ConvTranspose", op_conv_transpose },
	{ "Gemm", op_gemm },
	{ "MatMul", op_matmul },
	{ "MaxPool", op_maxpool },
	{ "AveragePool", op_avgpool },
	{ "GlobalMaxPool", op_gmaxpool },
	{ "GlobalAveragePool", op_gavgpool },
	{ "BatchNormalization", op_batchnorm },
	{ "LayerNormalization", op_layernorm },
	{ "Add", op_eltwise }, { "Sum", op_eltwise }, { "Sub", op_eltwise },
	{ "Mul", op_eltwise }, { "Div", op_eltwise }, { "Pow", op_eltwise },
	{ "Max", op_eltwise }, { "Min", op_eltwise }, { "Mean", op_eltwise },
	{ "PRelu", op_same }, /* the slope broadcasts to X (per channel in opset < 7) */
	{ "Equal", op_eltwise }, { "Less", op_eltwise },
	{ "Greater", op_eltwise }, { "LessOrEqual", op_eltwise },
	{ "GreaterOrEqual", op_eltwise }, { "And", op_eltwise }, { "Or", op_eltwise },
	{ "Xor", op_eltwise }, { "Mod", op_eltwise }, { "Where", op_eltwise },
	{ "Relu", op_same }, { "Clip", op_same }, { "Sigmoid", op_same },
	{ "HardSigmoid", op_same }, { "HardSwish", op_same }, { "Tanh", op_same },
	{ "LeakyRelu", op_same }, { "Elu", op_same }, { "Selu", op_same },
	{ "Celu", op_same }, { "Gelu", op_same }, { "Erf", op_same }, { "Mish", op_same },
	{ "Softplus", op_same }, { "Softsign", op_same }, { "ThresholdedRelu", op_same },
	{ "Shrink", op_same }, { "Sqrt", op_same }, { "Exp", op_same }, { "Log", op_same },
	{ "Neg", op_same }, { "Abs", op_same }, { "Reciprocal", op_same },
	{ "Ceil", op_same }, { "Floor", op_same }, { "Round", op_same }, { "Sign", op_same },
	{ "Not", op_same }, { "Sin", op_same }, { "Cos", op_same },
	{ "Identity", op_same }, { "Dropout", op_same }, { "Cast", op_same },
	{ "CastLike", op_same }, { "Softmax", op_same }, { "LogSoftmax", op_same },
	{ "Hardmax", op_same }, { "LRN", op_same }, { "InstanceNormalization", op_same },
	{ "Constant", op_constant },
	{ "ConstantOfShape", op_constant_of_shape },
	{ "Shape", op_shape },
	{ "Size", op_size },
	{ "Flatten", op_flatten },
	{ "Reshape", op_reshape },
	{ "Transpose", op_transpose },
	{ "Squeeze", op_squeeze },
	{ "Unsqueeze", op_unsqueeze },
	{ "Concat", op_concat },
	{ "Gather", op_gather },
	{ "Slice", op_slice },
	{ "Split", op_split },
	{ "Pad", op_pad },
	{ "Expand", op_expand_tile },
	{ "Resize", op_resize },
	{ "Upsample", op_resize },
	{ "Tile", op_expand_tile },
	{ "ReduceMean", op_reduce }, { "ReduceSum", op_reduce }, { "ReduceMax", op_reduce },
	{ "ReduceMin", op_reduce }, { "ReduceProd", op_reduce }, { "ReduceL1", op_reduce },
	{ "ReduceL2", op_reduce }, { "ReduceSumSquare", op_reduce },
	{ "ReduceLogSum", op_reduce }, { "ReduceLogSumExp", op_reduce },
	{ "ArgMax", op_reduce }, { "ArgMin", op_reduce },
};

static ox_fn find_op(const Onnx__NodeProto *n)
{
	const char *dom = S(n->domain);

	if (dom[0] && strcmp(dom, "ai.onnx"))
		return NULL;
	for (size_t i = 0; i < sizeof(ox_ops) / sizeof(ox_ops[0]); i++)
		if (!strcmp(ox_ops[i].op, S(n->op_type)))
			return ox_ops[i].fn;
	return NULL;
}

static int unknown_op(struct ox *x, const struct ox_node *nd)
{
	const char *dom = S(nd->n->domain);

	if (!x->o->skip_unknown)
		return node_fail(x, nd, "op '%s%s%s' is not supported by the importer "
				 "(docs/network_format.md lists the supported ops); "
				 "--skip-unknown-ops skips it", dom, dom[0] ? "." : "",
				 S(nd->n->op_type));
	for (int j = 0; j < nd->nout; j++)
		if (nd->out[j] >= 0) {
			x->t[nd->out[j]].rank = -1;
			x->t[nd->out[j]].defined = 1;
		}
	return skip(x, nd, "unknown op: its work is not in the figures", 1);
}

/* ---- the graph ---- */

static int opset_of(struct ox *x, const Onnx__ModelProto *m)
{
	x->opset = -1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *op = m->opset_import[i];
		const char *dom = op ? S(op->domain) : "";

		if (op && (!dom[0] || !strcmp(dom, "ai.onnx")))
			x->opset = op->has_version ? op->version : -1;
	}
	if (x->opset < 0)
		return hn_fail(x->err, HN_EINVAL, "%s: no opset_import for the default ONNX domain "
			       "(not an ONNX model, or a broken one)", x->origin);
	if (x->opset < OX_OPSET_MIN || x->opset > OX_OPSET_MAX)
		return hn_fail(x->err, HN_EINVAL, "%s: opset %lld is not supported: the importer reads "
			       "opsets %d to %d", x->origin, (long long)x->opset, OX_OPSET_MIN,
			       OX_OPSET_MAX);
	return 0;
}

/* Adds a tensor name; HN_EINVAL when it is defined twice. */
static int add_tensor(struct ox *x, const char *name, int producer, const char *what)
{
	int found;
	size_t slot = hash_find(x, &x->tensors, tensor_key, name, &found);
	struct ox_tensor *t = NULL;

	if (found) {
		char buf[ARCH_NAME_MAX];

		clean_name(buf, name);
		return hn_fail(x->err, HN_EINVAL, "%s: %s '%s' is defined twice", x->origin, what, buf);
	}
	t = &x->t[x->nt];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->producer = producer;
	t->layer = -1;
	t->rank = -1;
	x->tensors.slot[slot] = x->nt++;
	return x->nt - 1;
}

static int graph_input(struct ox *x, const Onnx__ValueInfoProto *vi, int ti, int64_t *batch)
{
	struct ox_tensor *t = &x->t[ti];
	const Onnx__TensorShapeProto *sh;
	char buf[ARCH_NAME_MAX];
	int64_t dim[OX_RANK_MAX];

	clean_name(buf, t->name);
	if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !vi->type->tensor_type || !(sh = vi->type->tensor_type->shape))
		return hn_fail(x->err, HN_EINVAL, "%s: graph input '%s' has no tensor shape",
			       x->origin, buf);
	if (sh->n_dim > OX_RANK_MAX)
		return hn_fail(x->err, HN_EINVAL, "%s: graph input '%s' has %zu dimensions, more "
			       "than %d", x->origin, buf, sh->n_dim, OX_RANK_MAX);
	for (size_t i = 0; i < sh->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = sh->dim[i];

		if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
		    d->dim_value > 0) {
			dim[i] = d->dim_value;
		} else if (i == 0) {
			dim[i] = x->o->batch > 0 ? x->o->batch : 1; /* the dynamic batch */
		} else {
			const char *p = d && d->value_case ==
				ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? S(d->dim_param) : "";
			char pb[ARCH_NAME_MAX];

			clean_name(pb, p);
			return hn_fail(x->err, HN_EINVAL, "%s: graph input '%s' dimension %zu is %s%s%s: "
				       "only the batch (dimension 0) may be symbolic; export with "
				       "fixed sizes", x->origin, buf, i, pb[0] ? "'" : "not fixed",
				       pb, pb[0] ? "'" : "");
		}
	}
	if (check_dims(x, NULL, "graph input", buf, (int)sh->n_dim, dim))
		return HN_EINVAL;
	t->rank = (int)sh->n_dim;
	memcpy(t->dim, dim, sh->n_dim * sizeof(*dim));
	t->defined = 1;
	t->src_kind = OX_SRC_INPUT;
	t->src = ti;
	if (*batch < 0)
		*batch = sh->n_dim ? dim[0] : 1;
	return 0;
}

static void node_label(const Onnx__NodeProto *n, int idx, char *buf)
{
	if (n->name && n->name[0]) {
		clean_name(buf, n->name);
	} else {
		char tmp[96];

		snprintf(tmp, sizeof(tmp), "%s_%d", S(n->op_type), idx);
		clean_name(buf, tmp);
	}
}

static int read_graph(struct ox *x, const Onnx__GraphProto *g)
{
	size_t n_tensors = g->n_initializer + g->n_input;
	int n_nodes = (int)g->n_node, done = 0, nheap = 0, ret = 0;
	int *node_in = NULL, *node_out = NULL, *in_at = NULL, *out_at = NULL;
	int *pending = NULL, *cons_at = NULL, *cons = NULL, *heap = NULL;
	int64_t batch = -1, edges = 0, outs = 0;

	if (g->n_node > (size_t)INT32_MAX / 4)
		return hn_fail(x->err, HN_EINVAL, "%s: too many nodes", x->origin);
	for (int i = 0; i < n_nodes; i++) {
		if (!g->node[i])
			return hn_fail(x->err, HN_EINVAL, "%s: node %d is empty", x->origin, i);
		edges += (int64_t)g->node[i]->n_input;
		outs += (int64_t)g->node[i]->n_output;
	}
	if (edges > INT32_MAX / 4 || outs > INT32_MAX / 4)
		return hn_fail(x->err, HN_EINVAL, "%s: too many node inputs or outputs", x->origin);
	n_tensors += (size_t)outs;
	x->t = calloc(n_tensors + 1, sizeof(*x->t));
	node_in = malloc(((size_t)edges + 1) * sizeof(int));
	node_out = malloc(((size_t)outs + 1) * sizeof(int));
	in_at = malloc(((size_t)n_nodes + 1) * sizeof(int));
	out_at = malloc(((size_t)n_nodes + 1) * sizeof(int));
	pending = calloc((size_t)n_nodes + 1, sizeof(int));
	heap = malloc(((size_t)n_nodes + 1) * sizeof(int));
	if (!x->t || !node_in || !node_out || !in_at || !out_at || !pending || !heap ||
	    hash_init(&x->tensors, n_tensors) ||
	    hash_init(&x->names, (size_t)n_nodes + (size_t)edges + 1)) { /* Sum: n - 1 layers */
		ret = hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
		goto out_free;
	}
	/* names: initializers, graph inputs that are not initializers, node outputs */
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		int ti;

		if (!tp || !tp->name || !tp->name[0]) {
			ret = hn_fail(x->err, HN_EINVAL, "%s: initializer %zu has no name", x->origin, i);
			goto out_free;
		}
		if ((ti = add_tensor(x, tp->name, -1, "initializer")) < 0) {
			ret = ti;
			goto out_free;
		}
		if ((ret = tensor_from_proto(x, NULL, &x->t[ti], tp)))
			goto out_free;
	}
	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		int ti;

		if (!vi || !vi->name || !vi->name[0]) {
			ret = hn_fail(x->err, HN_EINVAL, "%s: graph input %zu has no name", x->origin, i);
			goto out_free;
		}
		if (tensor_index(x, vi->name) >= 0 && x->t[tensor_index(x, vi->name)].is_const)
			continue; /* IR < 4 lists initializers as inputs too */
		if ((ti = add_tensor(x, vi->name, -1, "graph input")) < 0) {
			ret = ti;
			goto out_free;
		}
		if ((ret = graph_input(x, vi, ti, &batch)))
			goto out_free;
	}
	edges = outs = 0;
	for (int i = 0; i < n_nodes; i++) {
		const Onnx__NodeProto *n = g->node[i];

		out_at[i] = (int)outs;
		for (size_t j = 0; j < n->n_output; j++) {
			int ti = -1;

			if (n->output[j] && n->output[j][0] &&
			    (ti = add_tensor(x, n->output[j], i, "tensor")) < 0) {
				ret = ti;
				goto out_free;
			}
			node_out[outs++] = ti;
		}
	}
	out_at[n_nodes] = (int)outs;
	/* inputs, and each node's count of inputs still to be computed */
	for (int i = 0; i < n_nodes; i++) {
		const Onnx__NodeProto *n = g->node[i];

		in_at[i] = (int)edges;
		for (size_t j = 0; j < n->n_input; j++) {
			int ti = -1;

			if (n->input[j] && n->input[j][0]) {
				ti = tensor_index(x, n->input[j]);
				if (ti < 0) {
					char lab[ARCH_NAME_MAX], nm[ARCH_NAME_MAX];

					node_label(n, i, lab);
					clean_name(nm, n->input[j]);
					ret = hn_fail(x->err, HN_EINVAL, "%s: node '%s' (%s): input '%s' is "
						      "missing: no node, graph input or initializer "
						      "defines it", x->origin, lab, S(n->op_type), nm);
					goto out_free;
				}
				x->t[ti].consumers++;
				if (x->t[ti].producer >= 0)
					pending[i]++;
			}
			node_in[edges++] = ti;
		}
	}
	in_at[n_nodes] = (int)edges;
	/* consumers of each tensor (CSR), for Kahn's order */
	cons_at = calloc((size_t)x->nt + 1, sizeof(int));
	cons = malloc(((size_t)edges + 1) * sizeof(int));
	if (!cons_at || !cons) {
		ret = hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
		goto out_free;
	}
	for (int e = 0; e < (int)edges; e++)
		if (node_in[e] >= 0)
			cons_at[node_in[e] + 1]++;
	for (int t = 0; t < x->nt; t++)
		cons_at[t + 1] += cons_at[t];
	{
		int *fill = calloc((size_t)x->nt + 1, sizeof(int));

		if (!fill) {
			ret = hn_fail(x->err, HN_ENOMEM, "%s: out of memory", x->origin);
			goto out_free;
		}
		for (int i = 0; i < n_nodes; i++)
			for (int e = in_at[i]; e < in_at[i + 1]; e++)
				if (node_in[e] >= 0)
					cons[cons_at[node_in[e]] + fill[node_in[e]]++] = i;
		free(fill);
	}
	x->net->batch = batch > 0 ? batch : 1;
	for (int i = 0; i < n_nodes; i++)
		if (!pending[i])
			arch_heap_push(heap, &nheap, i);
	while (nheap) {
		int i = arch_heap_pop(heap, &nheap);
		struct ox_node nd = { g->node[i], i, "", in_at[i + 1] - in_at[i],
				      out_at[i + 1] - out_at[i], node_in + in_at[i], node_out + out_at[i] };
		ox_fn fn = find_op(nd.n);

		node_label(nd.n, i, nd.label);
		/* every op defines output 0 (the ops below index it freely) */
		if (nd.nout < 1 || nd.out[0] < 0) {
			ret = node_fail(x, &nd, "it has no output");
			goto out_free;
		}
		for (int j = 0; j < nd.nin; j++)
			if (nd.in[j] >= 0 && !x->t[nd.in[j]].defined) {
				ret = node_fail(x, &nd, "input '%s' is not defined", x->t[nd.in[j]].name);
				goto out_free;
			}
		ret = fn ? fn(x, &nd) : unknown_op(x, &nd);
		if (ret)
			goto out_free;
		pass_source(x, &nd);
		for (int j = 0; j < nd.nout; j++) {
			int t = nd.out[j];

			if (t < 0)
				continue;
			if (!x->t[t].defined) /* an output the op does not define (an optional one) */
				x->t[t].defined = 1;
			for (int c = cons_at[t]; c < cons_at[t + 1]; c++)
				if (--pending[cons[c]] == 0)
					arch_heap_push(heap, &nheap, cons[c]);
		}
		done++;
	}
	if (done < n_nodes) {
		for (int i = 0; i < n_nodes; i++)
			if (pending[i]) {
				char lab[ARCH_NAME_MAX];

				node_label(g->node[i], i, lab);
				ret = hn_fail(x->err, HN_EINVAL, "%s: the graph has a cycle through node "
					      "'%s' (%s): %d of %d nodes cannot be ordered", x->origin,
					      lab, S(g->node[i]->op_type), n_nodes - done, n_nodes);
				break;
			}
		goto out_free;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		const Onnx__ValueInfoProto *vi = g->output[i];

		if (vi && vi->name && tensor_index(x, vi->name) < 0) {
			char nm[ARCH_NAME_MAX];

			clean_name(nm, vi->name);
			ret = hn_fail(x->err, HN_EINVAL, "%s: graph output '%s' is not computed by any "
				      "node", x->origin, nm);
			goto out_free;
		}
	}
	if (x->net->n_layers == 0)
		ret = hn_fail(x->err, HN_EINVAL, "%s: the graph has no layer the accelerator runs "
			      "(no Conv, Gemm, MatMul, pool or residual Add among its %d nodes)",
			      x->origin, n_nodes);
	if (ret == 0)
		ret = finish_graph(x, g);
out_free:
	free(cons_at);
	free(cons);
	free(heap);
	free(pending);
	free(in_at);
	free(out_at);
	free(node_in);
	free(node_out);
	return ret;
}

static void base_name(char *dst, size_t size, const char *path)
{
	const char *b = strrchr(path, '/');
	char *dot;

	hn_strlcpy(dst, b ? b + 1 : path, size);
	dot = strrchr(dst, '.');
	if (dot && dot != dst)
		*dot = '\0';
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!dst[0])
		hn_strlcpy(dst, "onnx", size);
}

int arch_net_parse_onnx(const void *data, size_t len, const char *origin,
			const struct arch_onnx_opts *o, struct arch_net *net, struct hn_err *err)
{
	static const struct arch_onnx_opts defaults = { 0, 0 };
	struct ox x = { .origin = origin ? origin : "<onnx>", .err = err, .o = o ? o : &defaults,
			.net = net };
	Onnx__ModelProto *m;
	char name[ARCH_NAME_MAX];
	int depth, ret;

	if (x.o->batch < 0 || x.o->batch > OX_BATCH_MAX)
		return hn_fail(err, HN_EINVAL, "%s: batch must be between 1 and %lld, got %lld",
			       x.origin, (long long)OX_BATCH_MAX, (long long)x.o->batch);
	if (len == 0)
		return hn_fail(err, HN_EINVAL, "%s: empty file, not an ONNX model", x.origin);
	if ((int64_t)len > OX_FILE_MAX)
		return hn_fail(err, HN_EINVAL, "%s: %zu bytes, more than protobuf's 2 GiB", x.origin,
			       len);
	depth = wire_depth(data, len, OX_NEST_MAX);
	if (depth < 0)
		return hn_fail(err, HN_EINVAL, "%s: not an ONNX model: the bytes are not protobuf "
			       "(truncated, or another format)", x.origin);
	if (depth >= OX_NEST_MAX)
		return hn_fail(err, HN_EINVAL, "%s: protobuf messages nested %d or more deep, not an "
			       "ONNX model the importer reads", x.origin, OX_NEST_MAX);
	m = onnx__model_proto__unpack(NULL, len, data);
	if (!m)
		return hn_fail(err, HN_EINVAL, "%s: not an ONNX model: protobuf-c cannot unpack it as "
			       "an onnx.ModelProto (truncated, or another format)", x.origin);
	if (!m->has_ir_version || !m->graph) {
		ret = hn_fail(err, HN_EINVAL, "%s: not an ONNX model: no %s", x.origin,
			      !m->has_ir_version ? "ir_version" : "graph");
		goto out_free_model;
	}
	if ((ret = opset_of(&x, m)))
		goto out_free_model;
	if (m->graph->name && m->graph->name[0] && strcmp(m->graph->name, "main_graph") &&
	    strcmp(m->graph->name, "torch_jit") && strcmp(m->graph->name, "torch-jit-export"))
		clean_name(name, m->graph->name);
	else
		base_name(name, sizeof(name), x.origin);
	arch_net_init(net, name, 1);
	x.g = m->graph;
	ret = read_graph(&x, m->graph);
	free(x.t);
	free(x.tensors.slot);
	free(x.names.slot);
	if (ret)
		arch_net_release(net);
out_free_model:
	onnx__model_proto__free_unpacked(m, NULL);
	return ret;
}

int arch_net_load_onnx(const char *path, const struct arch_onnx_opts *o, struct arch_net *net,
		       struct hn_err *err)
{
	struct stat st;
	void *map;
	int fd, ret;

	/* O_NONBLOCK: a FIFO without a writer must not hang the open (issue 14); it is then
	 * refused as not a regular file, and mmap ignores the flag */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return hn_fail(err, HN_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		ret = hn_fail(err, HN_EIO, "%s: cannot stat: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = hn_fail(err, HN_EINVAL, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_size == 0 || st.st_size > OX_FILE_MAX) {
		ret = hn_fail(err, HN_EINVAL, "%s: %lld bytes: %s", path, (long long)st.st_size,
			      st.st_size ? "more than protobuf's 2 GiB" : "empty, not an ONNX model");
		goto out_close;
	}
	/* mapped, not read: real exports carry their weights (100s of MB) the importer skips */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		ret = hn_fail(err, HN_EIO, "%s: cannot map: %s", path, strerror(errno));
		goto out_close;
	}
	ret = arch_net_parse_onnx(map, (size_t)st.st_size, path, o, net, err);
	munmap(map, (size_t)st.st_size);
out_close:
	close(fd);
	return ret;
}

/* ---- the writer ---- */

enum { W_RANK = 4 };

struct w_tensor {
	const char *name;
	int rank;
	int64_t d[W_RANK];
};

struct wr {
	void **mem;                  /* every allocation, freed at the end */
	int64_t n_mem, cap_mem;
	int oom;
	struct w_tensor *t;          /* activations so far, in order */
	int64_t nt, cap_t;
	Onnx__NodeProto **node;
	int64_t n_node, cap_node;
	Onnx__TensorProto **init;
	int64_t n_init, cap_init;
	Onnx__ValueInfoProto **input;
	int64_t n_input, cap_input;
	char *weights;               /* external data file name, relative to the model */
	int64_t weight_bytes;
	int n_fresh;                 /* graph inputs made for layers that read no earlier tensor */
	const struct arch_net *net;
	int64_t *src_t;              /* per layer: its output's index in t[], -1 before it */
	int64_t in_t[ARCH_IO_MAX];   /* per network input: its index in t[], -1 before use */
};

static void *wa(struct wr *w, size_t size)
{
	void *p;

	if (w->oom || hn_grow(&w->mem, w->n_mem, &w->cap_mem, sizeof(*w->mem), 256)) {
		w->oom = 1;
		return NULL;
	}
	p = calloc(1, size ? size : 1);
	if (!p) {
		w->oom = 1;
		return NULL;
	}
	w->mem[w->n_mem++] = p;
	return p;
}

__attribute__((format(printf, 2, 3)))
static char *wstr(struct wr *w, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s = wa(w, strlen(buf) + 1);
	if (s)
		memcpy(s, buf, strlen(buf) + 1);
	return s;
}

/* Appends p to a growing pointer array. */
static void wpush(struct wr *w, void *arr, int64_t *n, int64_t *cap, void *p)
{
	if (w->oom || !p || hn_grow(arr, *n, cap, sizeof(void *), 64)) {
		w->oom = 1;
		return;
	}
	(*(void ***)arr)[(*n)++] = p;
}

static Onnx__ValueInfoProto *wvalue_info(struct wr *w, const char *name, int rank,
					 const int64_t *d)
{
	Onnx__ValueInfoProto *vi = wa(w, sizeof(*vi));
	Onnx__TypeProto *tp = wa(w, sizeof(*tp));
	Onnx__TypeProto__Tensor *tt = wa(w, sizeof(*tt));
	Onnx__TensorShapeProto *sh = wa(w, sizeof(*sh));
	Onnx__TensorShapeProto__Dimension **dims = wa(w, (size_t)rank * sizeof(*dims));

	if (w->oom)
		return NULL;
	onnx__value_info_proto__init(vi);
	onnx__type_proto__init(tp);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(sh);
	for (int i = 0; i < rank; i++) {
		dims[i] = wa(w, sizeof(**dims));
		if (!dims[i])
			return NULL;
		onnx__tensor_shape_proto__dimension__init(dims[i]);
		dims[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		dims[i]->dim_value = d[i];
	}
	sh->n_dim = (size_t)rank;
	sh->dim = dims;
	tt->has_elem_type = 1;
	tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tt->shape = sh;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	vi->name = (char *)name;
	vi->type = tp;
	return vi;
}

/* A weight: its dims, its data in the external file at the next offset. */
static const char *winit(struct wr *w, const char *name, int rank, const int64_t *d)
{
	Onnx__TensorProto *tp = wa(w, sizeof(*tp));
	Onnx__StringStringEntryProto **ext = wa(w, 3 * sizeof(*ext));
	int64_t *dims = wa(w, (size_t)rank * sizeof(*dims)), bytes = 4;

	if (w->oom)
		return NULL;
	onnx__tensor_proto__init(tp);
	for (int i = 0; i < rank; i++) {
		dims[i] = d[i];
		bytes *= d[i];
	}
	for (int i = 0; i < 3; i++) {
		ext[i] = wa(w, sizeof(**ext));
		if (!ext[i])
			return NULL;
		onnx__string_string_entry_proto__init(ext[i]);
	}
	ext[0]->key = "location";
	ext[0]->value = w->weights;
	ext[1]->key = "offset";
	ext[1]->value = wstr(w, "%lld", (long long)w->weight_bytes);
	ext[2]->key = "length";
	ext[2]->value = wstr(w, "%lld", (long long)bytes);
	w->weight_bytes += bytes;
	tp->name = (char *)name;
	tp->n_dims = (size_t)rank;
	tp->dims = dims;
	tp->has_data_type = 1;
	tp->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tp->has_data_location = 1;
	tp->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	tp->n_external_data = 3;
	tp->external_data = ext;
	wpush(w, &w->init, &w->n_init, &w->cap_init, tp);
	return name;
}

static Onnx__NodeProto *wnode(struct wr *w, const char *op, const char *name,
			      const char *const *in, int nin, const char *out)
{
	Onnx__NodeProto *n = wa(w, sizeof(*n));
	char **ins = wa(w, (size_t)nin * sizeof(*ins)), **outs = wa(w, sizeof(*outs));

	if (w->oom)
		return NULL;
	onnx__node_proto__init(n);
	for (int i = 0; i < nin; i++)
		ins[i] = (char *)in[i];
	outs[0] = (char *)out;
	n->name = (char *)name;
	n->op_type = (char *)op;
	n->n_input = (size_t)nin;
	n->input = ins;
	n->n_output = 1;
	n->output = outs;
	wpush(w, &w->node, &w->n_node, &w->cap_node, n);
	return n;
}

static void wattr(struct wr *w, Onnx__NodeProto *n, const char *name, const int64_t *v, int nv,
		  int is_list)
{
	Onnx__AttributeProto *a = wa(w, sizeof(*a));
	Onnx__AttributeProto **arr;

	if (!n || w->oom)
		return;
	arr = wa(w, (n->n_attribute + 1) * sizeof(*arr));
	if (!arr)
		return;
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = 1;
	if (is_list) {
		int64_t *ints = wa(w, (size_t)nv * sizeof(*ints));

		if (!ints)
			return;
		memcpy(ints, v, (size_t)nv * sizeof(*ints));
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
		a->n_ints = (size_t)nv;
		a->ints = ints;
	} else {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
		a->has_i = 1;
		a->i = v[0];
	}
	if (n->n_attribute)
		memcpy(arr, n->attribute, n->n_attribute * sizeof(*arr));
	arr[n->n_attribute++] = a;
	n->attribute = arr;
}

static void wtensor(struct wr *w, const char *name, int rank, const int64_t *d)
{
	if (w->oom || !name || hn_grow(&w->t, w->nt, &w->cap_t, sizeof(*w->t), 64)) {
		w->oom = 1;
		return;
	}
	w->t[w->nt].name = name;
	w->t[w->nt].rank = rank;
	memcpy(w->t[w->nt].d, d, (size_t)rank * sizeof(*d));
	w->nt++;
}

/* The latest activation of this shape other than 'not', else a new graph input. */
static const char *wfind(struct wr *w, int rank, const int64_t *d, const char *not)
{
	char *name;

	for (int64_t i = w->nt - 1; i >= 0; i--)
		if (w->t[i].rank == rank && !memcmp(w->t[i].d, d, (size_t)rank * sizeof(*d)) &&
		    w->t[i].name != not)
			return w->t[i].name;
	name = w->n_fresh ? wstr(w, "input.%d", w->n_fresh) : wstr(w, "input");
	w->n_fresh++;
	wpush(w, &w->input, &w->n_input, &w->cap_input, wvalue_info(w, name, rank, d));
	wtensor(w, name, rank, d);
	return name;
}

/* The input of a linear layer [n, c]: an earlier [n, c], or an earlier [n, C, H, W] with
 * C H W = c through a Flatten. */
static const char *wfind_fc(struct wr *w, const struct arch_layer *l)
{
	const int64_t d[2] = { l->n, l->c };

	for (int64_t i = w->nt - 1; i >= 0; i--) {
		const struct w_tensor *t = &w->t[i];

		if (t->rank == 2 && t->d[0] == l->n && t->d[1] == l->c)
			return t->name;
		if (t->rank == 4 && t->d[0] == l->n && t->d[1] * t->d[2] * t->d[3] == l->c) {
			const char *out = wstr(w, "%s.flatten", l->name), *in[1] = { t->name };
			Onnx__NodeProto *n = wnode(w, "Flatten", out, in, 1, out);
			int64_t one = 1;

			wattr(w, n, "axis", &one, 1, 0);
			wtensor(w, out, 2, d);
			return out;
		}
	}
	return wfind(w, 2, d, NULL);
}

/* The tensor slot of layer l reads in the network's graph, when its ONNX tensor has the
 * shape d (a graph input made for a network input on first use); NULL without a graph or when
 * the shapes differ (BERT's head split: a reshape the exporter does not write), and the caller
 * then finds the tensor by its shape. */
static const char *wsrc(struct wr *w, const struct arch_layer *l, int slot, int rank,
			const int64_t *d)
{
	int32_t id = slot < l->n_in ? l->in[slot] : 0;
	int64_t ti;

	if (!w->net->graph || slot >= l->n_in)
		return NULL;
	if (id >= 0) {
		ti = w->src_t[id];
	} else {
		struct arch_shape sh = arch_net_tensor_shape(w->net, id);
		int i = -1 - id;

		if (w->in_t[i] < 0) {
			const char *name = wstr(w, "%s", w->net->inputs[i].name);

			if (sh.rank != rank || memcmp(sh.d, d, (size_t)rank * sizeof(*d)))
				return NULL;
			wpush(w, &w->input, &w->n_input, &w->cap_input,
			      wvalue_info(w, name, rank, d));
			wtensor(w, name, rank, d);
			w->in_t[i] = w->nt - 1;
		}
		ti = w->in_t[i];
	}
	if (ti < 0 || ti >= w->nt || w->t[ti].rank != rank ||
	    memcmp(w->t[ti].d, d, (size_t)rank * sizeof(*d)))
		return NULL;
	return w->t[ti].name;
}

/* An int64 constant written inline (a Reshape target, a Gather index); rank 0 or 1. */
static const char *wconst_i64(struct wr *w, const char *name, int rank, const int64_t *v,
			      int n)
{
	Onnx__TensorProto *tp = wa(w, sizeof(*tp));
	int64_t *dims = wa(w, sizeof(*dims)), *vals = wa(w, (size_t)n * sizeof(*vals));

	if (w->oom)
		return NULL;
	onnx__tensor_proto__init(tp);
	dims[0] = n;
	memcpy(vals, v, (size_t)n * sizeof(*v));
	tp->name = (char *)name;
	tp->n_dims = (size_t)rank;
	tp->dims = rank ? dims : NULL;
	tp->has_data_type = 1;
	tp->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	tp->n_int64_data = (size_t)n;
	tp->int64_data = vals;
	wpush(w, &w->init, &w->n_init, &w->cap_init, tp);
	return name;
}

/* src reshaped to d (rank dims): a Reshape node named after layer l and its input slot. */
static const char *wreshape(struct wr *w, const struct arch_layer *l, int slot, const char *src,
			    int rank, const int64_t *d)
{
	const char *out = wstr(w, "%s.in%d.reshape", l->name, slot), *in[2];

	in[0] = src;
	in[1] = wconst_i64(w, wstr(w, "%s.in%d.shape", l->name, slot), 1, d, rank);
	wnode(w, "Reshape", out, in, 2, out);
	wtensor(w, out, rank, d);
	return out;
}

/* The ONNX tensor of graph source id (a layer's output, a network input), or -1. */
static int64_t wsrc_index(const struct wr *w, int32_t id)
{
	if (id >= 0)
		return w->src_t[id];
	return w->in_t[-1 - id];
}

/* A graph source of another shape than the layer reads but as many elements (BERT's head
 * split and merge, its adds of token rows): a Reshape to d; an fc's first token: a Reshape
 * to [n, tokens, c] and a Gather of index 0 on the tokens. NULL otherwise. */
static const char *wsrc_reshaped(struct wr *w, const struct arch_layer *l, int slot, int rank,
				 const int64_t *d)
{
	struct arch_shape want = { rank, { 0 } };
	int64_t ti, pe, ce;
	const struct w_tensor *t;

	if (!w->net->graph || slot >= l->n_in || (ti = wsrc_index(w, l->in[slot])) < 0)
		return NULL;
	t = &w->t[ti];
	memcpy(want.d, d, (size_t)rank * sizeof(*d));
	ce = arch_shape_elems(&want);
	pe = 1;
	for (int i = 0; i < t->rank; i++)
		pe *= t->d[i];
	if (pe == ce)
		return wreshape(w, l, slot, t->name, rank, d);
	if (l->kind == ARCH_FC && l->first_token && ce > 0 && pe % ce == 0) {
		const int64_t rows[3] = { l->n, pe / ce, l->c }, zero = 0;
		const char *r = wreshape(w, l, slot, t->name, 3, rows), *in[2];
		const char *out = wstr(w, "%s.first_token", l->name);
		Onnx__NodeProto *n;
		int64_t one = 1;

		in[0] = r;
		in[1] = wconst_i64(w, wstr(w, "%s.first_token.index", l->name), 0, &zero, 1);
		n = wnode(w, "Gather", out, in, 2, out);
		wattr(w, n, "axis", &one, 1, 0);
		wtensor(w, out, 2, d);
		return out;
	}
	return NULL;
}

/* Both inputs of a two-input layer (matmul, add), of shapes d0 and d1: each from the graph,
 * else reshaped from it, else found by its shape (the second not the first's tensor); each
 * step for both slots before the next, so nodes come out in one order. */
static void wsrc_pair(struct wr *w, const struct arch_layer *l, int rank, const int64_t *d0,
		      const int64_t *d1, const char *in[2])
{
	const int64_t *d[2] = { d0, d1 };

	for (int i = 0; i < 2; i++)
		in[i] = wsrc(w, l, i, rank, d[i]);
	for (int i = 0; i < 2; i++)
		if (!in[i])
			in[i] = wsrc_reshaped(w, l, i, rank, d[i]);
	if (!in[0])
		in[0] = wfind(w, rank, d0, NULL);
	if (!in[1])
		in[1] = wfind(w, rank, d1, in[0]);
}

/* An fc's graph input: [n, c] itself, or a [n, C, H, W] map with C H W = c through Flatten. */
static const char *wsrc_fc(struct wr *w, const struct arch_layer *l)
{
	const int64_t d[2] = { l->n, l->c };
	const char *name = wsrc(w, l, 0, 2, d);
	const struct w_tensor *t;

	if (name || !w->net->graph || l->n_in < 1 || l->in[0] < 0 || w->src_t[l->in[0]] < 0)
		return name;
	t = &w->t[w->src_t[l->in[0]]];
	if (t->rank == 4 && t->d[0] == l->n && t->d[1] * t->d[2] * t->d[3] == l->c) {
		const char *out = wstr(w, "%s.flatten", l->name), *in[1] = { t->name };
		Onnx__NodeProto *n = wnode(w, "Flatten", out, in, 1, out);
		int64_t one = 1;

		wattr(w, n, "axis", &one, 1, 0);
		wtensor(w, out, 2, d);
		return out;
	}
	return NULL;
}

static const char *wbn(struct wr *w, const struct arch_layer *l, const char *x, int rank,
		       const int64_t *d)
{
	const char *out = wstr(w, "%s.bn", l->name);
	const char *in[5] = { x, winit(w, wstr(w, "%s.bn.weight", l->name), 1, &l->k),
			      winit(w, wstr(w, "%s.bn.bias", l->name), 1, &l->k),
			      winit(w, wstr(w, "%s.bn.running_mean", l->name), 1, &l->k),
			      winit(w, wstr(w, "%s.bn.running_var", l->name), 1, &l->k) };

	wnode(w, "BatchNormalization", out, in, 5, out);
	/* the layer's own output is read by the batch norm only: the norm's output replaces it */
	w->nt--;
	wtensor(w, out, rank, d);
	return out;
}

static int wlayer(struct wr *w, const struct arch_layer *l, struct hn_err *err)
{
	const int64_t oh = arch_out_h(l), ow = arch_out_w(l);
	const int64_t din[4] = { l->n, l->c, l->h, l->w };
	const char *out = wstr(w, "%s", l->name), *in[3];
	Onnx__NodeProto *n;

	switch (l->kind) {
	case ARCH_CONV: {
		const int64_t dout[4] = { l->n, l->k, oh, ow };
		const int64_t wd[4] = { l->k, l->c / l->groups, l->r, l->s };
		const int64_t ks[2] = { l->r, l->s }, st[2] = { l->stride_h, l->stride_w };
		const int64_t pads[4] = { l->pad_h, l->pad_w, l->pad_h, l->pad_w };
		const int64_t dil[2] = { l->dil_h, l->dil_w }, g = l->groups;

		in[0] = wsrc(w, l, 0, 4, din);
		if (!in[0])
			in[0] = wsrc_reshaped(w, l, 0, 4, din);
		if (!in[0])
			in[0] = wfind(w, 4, din, NULL);
		in[1] = winit(w, wstr(w, "%s.weight", l->name), 4, wd);
		in[2] = l->bias ? winit(w, wstr(w, "%s.bias", l->name), 1, &l->k) : NULL;
		n = wnode(w, "Conv", out, in, l->bias ? 3 : 2, out);
		wattr(w, n, "kernel_shape", ks, 2, 1);
		wattr(w, n, "strides", st, 2, 1);
		wattr(w, n, "pads", pads, 4, 1);
		wattr(w, n, "dilations", dil, 2, 1);
		wattr(w, n, "group", &g, 1, 0);
		wtensor(w, out, 4, dout);
		if (l->bn)
			wbn(w, l, out, 4, dout);
		break;
	}
	case ARCH_POOL: {
		const int64_t dout[4] = { l->n, l->c, oh, ow };
		const int64_t ks[2] = { l->r, l->s }, st[2] = { l->stride_h, l->stride_w };
		const int64_t pads[4] = { l->pad_h, l->pad_w, l->pad_h, l->pad_w };
		const int64_t dil[2] = { l->dil_h, l->dil_w };
		int global = l->r == l->h && l->s == l->w && l->stride_h == 1 && l->stride_w == 1 &&
			     !l->pad_h && !l->pad_w && l->dil_h == 1 && l->dil_w == 1;

		if (!l->pool_max && (l->dil_h != 1 || l->dil_w != 1))
			return hn_fail(err, HN_EINVAL, "layer '%s': an average pool with dilation has no "
				       "ONNX op in opset 13", l->name);
		in[0] = wsrc(w, l, 0, 4, din);
		if (!in[0])
			in[0] = wsrc_reshaped(w, l, 0, 4, din);
		if (!in[0])
			in[0] = wfind(w, 4, din, NULL);
		if (global) {
			n = wnode(w, l->pool_max ? "GlobalMaxPool" : "GlobalAveragePool", out, in, 1, out);
		} else {
			n = wnode(w, l->pool_max ? "MaxPool" : "AveragePool", out, in, 1, out);
			wattr(w, n, "kernel_shape", ks, 2, 1);
			wattr(w, n, "strides", st, 2, 1);
			wattr(w, n, "pads", pads, 4, 1);
			if (l->pool_max)
				wattr(w, n, "dilations", dil, 2, 1);
		}
		wtensor(w, out, 4, dout);
		break;
	}
	case ARCH_FC: {
		const int64_t dout[2] = { l->n, l->k }, wd[2] = { l->k, l->c }, one = 1;

		in[0] = wsrc_fc(w, l);
		if (!in[0]) {
			const int64_t fd[2] = { l->n, l->c };

			in[0] = wsrc_reshaped(w, l, 0, 2, fd);
		}
		if (!in[0])
			in[0] = wfind_fc(w, l);
		in[1] = winit(w, wstr(w, "%s.weight", l->name), 2, wd);
		in[2] = l->bias ? winit(w, wstr(w, "%s.bias", l->name), 1, &l->k) : NULL;
		n = wnode(w, "Gemm", out, in, l->bias ? 3 : 2, out);
		wattr(w, n, "transB", &one, 1, 0);
		wtensor(w, out, 2, dout);
		if (l->bn)
			wbn(w, l, out, 2, dout);
		break;
	}
	case ARCH_MATMUL: {
		const int64_t da[3] = { l->n, l->h, l->c }, db[3] = { l->n, l->c, l->k };
		const int64_t dout[3] = { l->n, l->h, l->k };

		wsrc_pair(w, l, 3, da, db, in);
		wnode(w, "MatMul", out, in, 2, out);
		wtensor(w, out, 3, dout);
		break;
	}
	case ARCH_ADD:
		wsrc_pair(w, l, 4, din, din, in);
		wnode(w, "Add", out, in, 2, out);
		wtensor(w, out, 4, din);
		break;
	default:
		return hn_fail(err, HN_EINVAL, "layer '%s': kind %d has no ONNX op", l->name,
			       (int)l->kind);
	}
	return 0;
}

int arch_net_write_onnx(const struct arch_net *net, const char *path, int64_t *params_left_out,
			struct hn_err *err)
{
	struct wr w = { 0 };
	Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
	Onnx__OperatorSetIdProto ops = ONNX__OPERATOR_SET_ID_PROTO__INIT, *opsp = &ops;
	Onnx__ValueInfoProto *outv = NULL;
	const char *base = strrchr(path, '/');
	int64_t left = 0;
	uint8_t *buf = NULL;
	size_t size;
	char wpath[4096];
	FILE *f;
	int fd, ret = 0, *order;

	if (net->n_layers < 1)
		return hn_fail(err, HN_EINVAL, "%s: the network has no layer", net->name);
	if (snprintf(wpath, sizeof(wpath), "%s.weights", path) >= (int)sizeof(wpath))
		return hn_fail(err, HN_EINVAL, "%s: path too long", path);
	w.weights = wstr(&w, "%s.weights", base ? base + 1 : path);
	w.net = net;
	w.src_t = wa(&w, ((size_t)net->n_layers + 1) * sizeof(*w.src_t));
	order = wa(&w, ((size_t)net->n_layers + 1) * sizeof(*order));
	if (!w.src_t || !order) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	for (int i = 0; i < ARCH_IO_MAX; i++)
		w.in_t[i] = -1;
	/* a graph is written in an execution order, its layers reading their graph inputs */
	if ((ret = arch_net_topo_order(net, order, err)))
		goto out_free;
	for (int k = 0; k < net->n_layers && !ret; k++) {
		int i = order[k];

		w.src_t[i] = -1;
	}
	for (int k = 0; k < net->n_layers && !ret; k++) {
		int i = order[k];

		ret = wlayer(&w, &net->layers[i], err);
		w.src_t[i] = w.nt - 1;
		left += net->layers[i].extra_params;
	}
	if (ret)
		goto out_free;
	if (!w.oom && w.nt > 0) {
		const struct w_tensor *last = &w.t[w.nt - 1];

		outv = wvalue_info(&w, last->name, last->rank, last->d);
	}
	if (w.oom || !outv) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
		goto out_free;
	}
	g.name = (char *)net->name;
	g.n_node = (size_t)w.n_node;
	g.node = w.node;
	g.n_initializer = (size_t)w.n_init;
	g.initializer = w.init;
	g.n_input = (size_t)w.n_input;
	g.input = w.input;
	g.n_output = 1;
	g.output = &outv;
	g.doc_string = "written by hwnas zoo show --onnx: layer shapes only, the weights are zeros";
	ops.domain = "";
	ops.has_version = 1;
	ops.version = 13;
	m.has_ir_version = 1;
	m.ir_version = 7;
	m.n_opset_import = 1;
	m.opset_import = &opsp;
	m.producer_name = "hwnas";
	m.graph = &g;
	size = onnx__model_proto__get_packed_size(&m);
	buf = malloc(size ? size : 1);
	if (!buf) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
		goto out_free;
	}
	onnx__model_proto__pack(&m, buf);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
		ret = hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno));
		if (f)
			fclose(f);
		goto out_free;
	}
	/* the weights: zeros, as a sparse file that takes no disk space */
	fd = open(wpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)w.weight_bytes) || close(fd)) {
		ret = hn_fail(err, HN_EIO, "%s: cannot write: %s", wpath, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_free;
	}
	if (params_left_out)
		*params_left_out = left;
out_free:
	free(buf);
	for (int64_t i = 0; i < w.n_mem; i++)
		free(w.mem[i]);
	free(w.mem);
	free(w.t);
	free(w.node);
	free(w.init);
	free(w.input);
	return ret;
}
