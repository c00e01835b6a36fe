/* arch_nb201.c: the NAS-Bench-201 cell space (Dong & Yang, ICLR 2020): cell strings, cell
 * codes and the expansion of a cell into the benchmark's whole network.
 *
 * Skeleton (data/README.md, docs/search.md): stem 3x3 conv 3->16; 5 cells at 16 channels;
 * residual reduction block to 32 (3x3 stride-2 conv, 3x3 conv, shortcut 2x2 avg-pool + 1x1
 * conv, add); 5 cells at 32; reduction to 64; 5 cells at 64; global average pool; linear
 * classifier. Convolutions are ReLU-Conv-BN (bn = 1); ReLU and BN cost nothing here. A node
 * sums its non-`none` inputs: k inputs cost k - 1 element-wise adds; `skip_connect` is an
 * alias and costs nothing.
 *
 * The network is a graph (docs/network_format.md "Graphs"): an edge's layer reads its source
 * node, a node with several inputs is a chain of adds (node = ((e_a + e_b) + e_c)), a
 * skip_connect edge is its source node's tensor itself. A node whose edges are all `none` is
 * zero in the benchmark (its Zero op multiplies by 0); hwnas has no layer for that, so such a
 * node reads, in the graph, as the source of its first edge (looked through, as a ReLU is).
 * The layer list keeps the order it always had (an edge's layers, then the adds), which is
 * not always an execution order: arch_net_topo_order gives one. */
#include "arch.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[ARCH_NB201_OP_COUNT] = {
	"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3",
};
static const char *const ds_names[3] = { "cifar10", "cifar100", "imagenet16_120" };
/* Source node of each edge; the target is 1, 2, 2, 3, 3, 3. */
static const int edge_from[ARCH_NB201_EDGES] = { 0, 0, 1, 0, 1, 2 };
static const int edge_to[ARCH_NB201_EDGES] = { 1, 2, 2, 3, 3, 3 };

const char *arch_nb201_op_name(int op)
{
	return op >= 0 && op < ARCH_NB201_OP_COUNT ? op_names[op] : "?";
}

const char *arch_nb201_dataset_name(int ds)
{
	return ds >= 0 && ds < 3 ? ds_names[ds] : "?";
}

int arch_nb201_dataset_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, ds_names[i]))
			return i;
	return -1;
}

int arch_nb201_code(const int ops[ARCH_NB201_EDGES])
{
	int code = 0;

	for (int e = ARCH_NB201_EDGES - 1; e >= 0; e--)
		code = code * ARCH_NB201_OP_COUNT + ops[e];
	return code;
}

void arch_nb201_decode(int code, int ops[ARCH_NB201_EDGES])
{
	for (int e = 0; e < ARCH_NB201_EDGES; e++) {
		ops[e] = code % ARCH_NB201_OP_COUNT;
		code /= ARCH_NB201_OP_COUNT;
	}
}

void arch_nb201_format(const int ops[ARCH_NB201_EDGES], char *buf, size_t size)
{
	snprintf(buf, size, "|%s~0|+|%s~0|%s~1|+|%s~0|%s~1|%s~2|", arch_nb201_op_name(ops[0]),
		 arch_nb201_op_name(ops[1]), arch_nb201_op_name(ops[2]), arch_nb201_op_name(ops[3]),
		 arch_nb201_op_name(ops[4]), arch_nb201_op_name(ops[5]));
}

int arch_nb201_parse(const char *cell, int ops[ARCH_NB201_EDGES], struct hn_err *err)
{
	const char *p = cell;

	for (int e = 0; e < ARCH_NB201_EDGES; e++) {
		char want_sep[8];
		int op = -1;
		size_t len = 0;
		if (e == 1 || e == 3) {
			if (strncmp(p, "+", 1))
				goto bad;
			p++;
		}
		if (*p != '|')
			goto bad;
		p++;
		for (int o = 0; o < ARCH_NB201_OP_COUNT; o++) {
			size_t n = strlen(op_names[o]);
			if (!strncmp(p, op_names[o], n) && p[n] == '~') {
				op = o;
				len = n;
			}
		}
		if (op < 0)
			return hn_fail(err, HN_EINVAL, "cell '%s': edge %d: unknown op at '%.24s'", cell,
				       e, p);
		p += len;
		snprintf(want_sep, sizeof(want_sep), "~%d|", edge_from[e]);
		if (strncmp(p, want_sep, strlen(want_sep)))
			return hn_fail(err, HN_EINVAL, "cell '%s': edge %d into node %d must read from "
				       "node %d ('%s')", cell, e, edge_to[e], edge_from[e], want_sep);
		p += 2; /* leave the '|' that closes this node or opens the next edge */
		ops[e] = op;
		if (e == 0 || e == 2 || e == 5) {
			if (*p != '|')
				goto bad;
			p++;
		}
	}
	if (*p)
		goto bad;
	return 0;
bad:
	return hn_fail(err, HN_EINVAL, "cell '%s' is not of the form "
		       "'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|' (at offset %d)", cell, (int)(p - cell));
}

static void set_name(struct arch_layer *l, const char *fmt, int a, int b, const char *what)
{
	snprintf(l->name, sizeof(l->name), fmt, a, b, what);
}

/* Adds the layers of one cell at c channels, h x h, stage s, cell i, reading tensor x;
 * *out gets the id of the cell's output (node 3). */
static int add_cell(struct arch_net *net, const int ops[ARCH_NB201_EDGES], int64_t n, int64_t c,
		    int64_t h, int s, int i, int32_t x, int32_t *out)
{
	int inputs[4] = { 0 }, edge_layer[ARCH_NB201_EDGES], first_add[4] = { 0 };
	int32_t node[4];

	for (int e = 0; e < ARCH_NB201_EDGES; e++) {
		struct arch_layer l;
		char what[24];

		edge_layer[e] = -1;
		if (ops[e] == ARCH_NB201_NONE)
			continue;
		inputs[edge_to[e]]++;
		if (ops[e] == ARCH_NB201_SKIP)
			continue;
		if (ops[e] == ARCH_NB201_AVGPOOL) {
			l = arch_pool("", n, c, h, h, 3, 1, 1, 0);
		} else {
			int r = ops[e] == ARCH_NB201_CONV3X3 ? 3 : 1;
			l = arch_conv("", n, c, h, h, c, r, 1, r / 2, 1);
			l.bn = 1;
		}
		snprintf(what, sizeof(what), "e%d.%s", e, ops[e] == ARCH_NB201_AVGPOOL ? "pool" :
			 ops[e] == ARCH_NB201_CONV3X3 ? "conv3x3" : "conv1x1");
		set_name(&l, "s%dc%d.%s", s, i, what);
		l.n_in = 1; /* in[0] set below, once its node is known */
		edge_layer[e] = net->n_layers;
		if (arch_net_add(net, &l))
			return HN_ENOMEM;
	}
	for (int nd = 1; nd <= 3; nd++) {
		first_add[nd] = net->n_layers;
		for (int k = 1; k < inputs[nd]; k++) {
			struct arch_layer l = arch_add("", n, c, h, h);
			char what[24];
			snprintf(what, sizeof(what), "n%d.add%d", nd, k);
			set_name(&l, "s%dc%d.%s", s, i, what);
			l.n_in = 2;
			if (arch_net_add(net, &l))
				return HN_ENOMEM;
		}
	}
	/* wire node by node: a node's edges read earlier nodes only */
	node[0] = x;
	for (int nd = 1; nd <= 3; nd++) {
		int32_t sum = -1, zero_src = -1;
		int k = 0;

		for (int e = 0; e < ARCH_NB201_EDGES; e++) {
			int32_t t;

			if (edge_to[e] != nd)
				continue;
			if (ops[e] == ARCH_NB201_NONE) {
				if (zero_src < 0)
					zero_src = node[edge_from[e]];
				continue;
			}
			if (ops[e] == ARCH_NB201_SKIP) {
				t = node[edge_from[e]];
			} else {
				net->layers[edge_layer[e]].in[0] = node[edge_from[e]];
				t = edge_layer[e];
			}
			if (k == 0) {
				sum = t;
			} else {
				struct arch_layer *a = &net->layers[first_add[nd] + k - 1];

				a->in[0] = sum;
				a->in[1] = t;
				sum = first_add[nd] + k - 1;
			}
			k++;
		}
		node[nd] = k ? sum : zero_src;
	}
	*out = node[3];
	return 0;
}

/* The residual reduction block from c to 2c channels, input h x h, reading tensor x; *out
 * gets the add's id. */
static int add_reduction(struct arch_net *net, int64_t n, int64_t c, int64_t h, int r, int32_t x,
			 int32_t *out)
{
	struct arch_layer l[5];
	int base = net->n_layers;
	char name[32];

	l[0] = arch_conv("", n, c, h, h, 2 * c, 3, 2, 1, 1);
	l[1] = arch_conv("", n, 2 * c, h / 2, h / 2, 2 * c, 3, 1, 1, 1);
	l[2] = arch_pool("", n, c, h, h, 2, 2, 0, 0);
	l[3] = arch_conv("", n, c, h / 2, h / 2, 2 * c, 1, 1, 0, 1);
	l[4] = arch_add("", n, 2 * c, h / 2, h / 2);
	/* conv_a <- x, conv_b <- conv_a, pool <- x, short.conv <- pool, add <- conv_b, short */
	static const int src[5][2] = { { -1, 0 }, { 0, 0 }, { -1, 0 }, { 2, 0 }, { 1, 3 } };
	static const char *const what[5] = { "conv_a", "conv_b", "short.pool", "short.conv",
					     "add" };
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "red%d.%s", r, what[i]);
		hn_strlcpy(l[i].name, name, sizeof(l[i].name));
		if (l[i].kind == ARCH_CONV)
			l[i].bn = 1;
		l[i].n_in = arch_kind_inputs(l[i].kind);
		for (int k = 0; k < l[i].n_in; k++)
			l[i].in[k] = src[i][k] < 0 ? x : base + src[i][k];
		if (arch_net_add(net, &l[i]))
			return HN_ENOMEM;
	}
	*out = base + 4;
	return 0;
}

int arch_nb201_build(const int ops[ARCH_NB201_EDGES], int dataset, int64_t batch,
		     struct arch_net *net, struct hn_err *err)
{
	int64_t h = dataset == ARCH_NB201_IMAGENET16 ? 16 : 32;
	int64_t classes = dataset == ARCH_NB201_CIFAR10 ? 10 :
			  dataset == ARCH_NB201_CIFAR100 ? 100 : 120;
	int64_t c = 16;
	char name[ARCH_NAME_MAX];
	struct arch_layer l;
	int32_t x;

	if (dataset < 0 || dataset > 2)
		return hn_fail(err, HN_EINVAL, "nb201: unknown dataset %d", dataset);
	for (int e = 0; e < ARCH_NB201_EDGES; e++)
		if (ops[e] < 0 || ops[e] >= ARCH_NB201_OP_COUNT)
			return hn_fail(err, HN_EINVAL, "nb201: edge %d: op %d out of range", e, ops[e]);
	snprintf(name, sizeof(name), "nb201-%d", arch_nb201_code(ops));
	arch_net_init(net, name, batch);
	{
		const int64_t image[3] = { 3, h, h };

		if (arch_net_add_input(net, "image", 3, image))
			goto nomem;
	}
	l = arch_conv("stem", batch, 3, h, h, c, 3, 1, 1, 1);
	l.bn = 1;
	l.n_in = 1;
	l.in[0] = ARCH_SRC_INPUT(0);
	x = net->n_layers;
	if (arch_net_add(net, &l))
		goto nomem;
	for (int s = 0; s < 3; s++) {
		if (s > 0) {
			if (add_reduction(net, batch, c, h, s, x, &x))
				goto nomem;
			c *= 2;
			h /= 2;
		}
		for (int i = 0; i < 5; i++)
			if (add_cell(net, ops, batch, c, h, s + 1, i, x, &x))
				goto nomem;
	}
	l = arch_pool("gap", batch, c, h, h, h, (int32_t)h, 0, 0);
	l.n_in = 1;
	l.in[0] = x;
	x = net->n_layers;
	if (arch_net_add(net, &l))
		goto nomem;
	l = arch_fc("classifier", batch, c, classes);
	l.bias = 1;
	l.n_in = 1;
	l.in[0] = x;
	if (arch_net_add(net, &l) || arch_net_add_output(net, net->n_layers - 1))
		goto nomem;
	assert(arch_net_check_graph(net, name, err) == 0);
	return 0;
nomem:
	arch_net_release(net);
	return hn_fail(err, HN_ENOMEM, "nb201: out of memory");
}
