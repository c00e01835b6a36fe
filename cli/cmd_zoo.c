/* cmd_zoo.c: `hwnas zoo list` and `hwnas zoo show NAME|FILE [--json] [--batch N] [--onnx FILE]`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../arch/arch.h"

static void zoo_help(FILE *f)
{
	fprintf(f,
		"usage: hwnas zoo list\n"
		"       hwnas zoo show NAME|FILE [--json] [--batch N] [--onnx OUT]\n"
		"\n"
		"list     the built-in networks: layers, MACs and parameters at batch 1\n"
		"show     one network layer by layer: shapes, the GEMM each layer lowers to\n"
		"         (g independent m x k by k x n products), MACs and parameters.\n"
		"         NAME is a zoo network; FILE a network JSON file (docs/network_format.md),\n"
		"         a SCALE-Sim topology .csv or an ONNX model .onnx\n"
		"\n"
		"options:\n"
		"  --json              print the network as JSON (readable back as a network file)\n"
		"  --batch N           batch size (default: 1 for the zoo, the file's own for a\n"
		"                      file; an ONNX file's symbolic batch dimension, else 1)\n"
		"  --onnx OUT          also write the network as an ONNX model to OUT (weights:\n"
		"                      zeros in OUT.weights, a sparse file)\n"
		"  --skip-unknown-ops  ONNX: skip ops the importer does not know, with a warning\n"
		"                      (their work is left out), instead of failing\n"
		"  -h, --help          this help\n"
		"\n"
		"examples:\n"
		"  hwnas zoo list\n"
		"  hwnas zoo show resnet50\n"
		"  hwnas zoo show bert_base --batch 8\n"
		"  hwnas zoo show mobilenet_v2 --json > mbv2.json\n"
		"  hwnas zoo show resnet50 --onnx resnet50.onnx\n"
		"  hwnas zoo show tests/data/nets/conv_bn_relu.onnx --batch 8\n"
		"  hwnas zoo show tests/data/nets/scalesim_resnet_head.csv\n");
}

/* A table of strings printed with aligned columns; numeric columns align right. */
enum { TBL_COLS = 10, TBL_CELL = 80 };

struct table {
	int ncols, nrows;
	int64_t cap;
	const char *head[TBL_COLS];
	int right[TBL_COLS];
	char (*cells)[TBL_COLS][TBL_CELL];
};

static int table_row(struct table *t)
{
	if (hn_grow(&t->cells, t->nrows, &t->cap, sizeof(*t->cells), 64))
		return -1;
	memset(t->cells[t->nrows], 0, sizeof(*t->cells));
	return t->nrows++;
}

static void table_print(const struct table *t, FILE *f)
{
	int wid[TBL_COLS];

	for (int c = 0; c < t->ncols; c++) {
		wid[c] = (int)strlen(t->head[c]);
		for (int r = 0; r < t->nrows; r++)
			if ((int)strlen(t->cells[r][c]) > wid[c])
				wid[c] = (int)strlen(t->cells[r][c]);
	}
	for (int r = -1; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->head[c] : t->cells[r][c];
			int last = c == t->ncols - 1;

			if (t->right[c])
				fprintf(f, "%*s%s", wid[c], s, last ? "" : "  ");
			else if (last)
				fprintf(f, "%s", s);
			else
				fprintf(f, "%-*s  ", wid[c], s);
		}
		fputc('\n', f);
	}
}

static int zoo_list(void)
{
	struct table t = { .ncols = 5, .head = { "name", "layers", "MACs", "params", "description" },
			   .right = { 0, 1, 1, 1, 0 } };
	struct hn_err err = { 0 };
	int ret = CLI_OK;

	for (int i = 0; i < arch_zoo_count(); i++) {
		struct arch_net net;
		int r;

		if (arch_zoo_build(arch_zoo_name(i), 1, &net, &err)) {
			ret = cli_error(&err);
			goto out_free_table;
		}
		r = table_row(&t);
		if (r < 0) {
			arch_net_release(&net);
			ret = cli_error(&(struct hn_err){ HN_ENOMEM, "out of memory" });
			goto out_free_table;
		}
		snprintf(t.cells[r][0], TBL_CELL, "%s", net.name);
		snprintf(t.cells[r][1], TBL_CELL, "%d", net.n_layers);
		cli_thousands(arch_net_macs(&net), t.cells[r][2], TBL_CELL);
		cli_thousands(arch_net_params(&net), t.cells[r][3], TBL_CELL);
		snprintf(t.cells[r][4], TBL_CELL, "%s", arch_zoo_describe(i));
		arch_net_release(&net);
	}
	table_print(&t, stdout);
	printf("(MACs at batch 1; 'hwnas zoo show NAME' lists the layers)\n");
out_free_table:
	free(t.cells);
	return ret;
}

/* Input and output shapes as text: CxHxW for maps, tokens x features for fc, heads x m x k
 * for matmul (per sample of the batch). */
static void shape_text(const struct arch_layer *l, int64_t batch, int out, char *buf, size_t n)
{
	long long per = (long long)(batch > 0 && l->n % batch == 0 ? l->n / batch : l->n);

	switch (l->kind) {
	case ARCH_FC:
		if (per == 1)
			snprintf(buf, n, "%lld", (long long)(out ? l->k : l->c));
		else
			snprintf(buf, n, "%lldx%lld", per, (long long)(out ? l->k : l->c));
		break;
	case ARCH_MATMUL:
		snprintf(buf, n, "%lldx%lldx%lld", per, (long long)l->h, (long long)(out ? l->k : l->c));
		break;
	default:
		if (out)
			snprintf(buf, n, "%lldx%lldx%lld", (long long)l->k, (long long)arch_out_h(l),
				 (long long)arch_out_w(l));
		else
			snprintf(buf, n, "%lldx%lldx%lld", (long long)l->c, (long long)l->h, (long long)l->w);
		break;
	}
}

static void kernel_text(const struct arch_layer *l, char *buf, size_t n)
{
	if (l->kind != ARCH_CONV && l->kind != ARCH_POOL)
		snprintf(buf, n, "-");
	else if (l->r == l->s && l->stride_h == l->stride_w)
		snprintf(buf, n, "%lld/%d", (long long)l->r, l->stride_h);
	else
		snprintf(buf, n, "%lldx%lld/%dx%d", (long long)l->r, (long long)l->s, l->stride_h,
			 l->stride_w);
}

/* One line on the network's graph (docs/network_format.md "Graphs"); --json lists it all. */
static void zoo_show_graph(const struct arch_net *net)
{
	if (!net->graph) {
		if (net->graph_note[0])
			printf("no graph (a list of layers): %s\n", net->graph_note);
		return;
	}
	printf("graph: input%s", net->n_inputs > 1 ? "s" : "");
	for (int i = 0; i < net->n_inputs; i++) {
		const struct arch_tensor *t = &net->inputs[i];

		printf("%s %s [", i ? "," : "", t->name);
		for (int d = 0; d < t->rank; d++)
			printf("%s%lld", d ? ", " : "", (long long)t->dims[d]);
		printf("]");
	}
	printf("; output%s", net->n_outputs > 1 ? "s" : "");
	for (int i = 0; i < net->n_outputs; i++)
		printf("%s %s", i ? "," : "", arch_net_tensor_name(net, net->outputs[i]));
	printf("\n");
}

static int zoo_show_table(const struct arch_net *net)
{
	struct table t = { .ncols = 8,
			   .head = { "layer", "type", "input", "output", "kernel/stride",
				     "GEMM g/m/n/k", "MACs", "params" },
			   .right = { 0, 0, 1, 1, 1, 1, 1, 1 } };
	char a[32], b[32];

	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct arch_gemm gm = arch_gemm(l);
		int r = table_row(&t);

		if (r < 0) {
			free(t.cells);
			return cli_error(&(struct hn_err){ HN_ENOMEM, "out of memory" });
		}
		snprintf(t.cells[r][0], TBL_CELL, "%s", l->name);
		if (l->kind == ARCH_CONV && l->groups > 1)
			snprintf(t.cells[r][1], TBL_CELL, "conv/g%d", l->groups);
		else if (l->kind == ARCH_POOL)
			snprintf(t.cells[r][1], TBL_CELL, "%spool", l->pool_max ? "max" : "avg");
		else
			snprintf(t.cells[r][1], TBL_CELL, "%s", arch_kind_name(l->kind));
		shape_text(l, net->batch, 0, t.cells[r][2], TBL_CELL);
		shape_text(l, net->batch, 1, t.cells[r][3], TBL_CELL);
		kernel_text(l, t.cells[r][4], TBL_CELL);
		if (gm.g)
			snprintf(t.cells[r][5], TBL_CELL, "%lld/%lld/%lld/%lld", (long long)gm.g,
				 (long long)gm.m, (long long)gm.n, (long long)gm.k);
		else
			snprintf(t.cells[r][5], TBL_CELL, "-");
		cli_thousands(arch_layer_macs(l), t.cells[r][6], TBL_CELL);
		cli_thousands(arch_layer_params(l), t.cells[r][7], TBL_CELL);
	}
	printf("%s: %d layers, batch %lld\n\n", net->name, net->n_layers, (long long)net->batch);
	table_print(&t, stdout);
	printf("\ntotal: %s MACs, %s params\n", cli_thousands(arch_net_macs(net), a, sizeof(a)),
	       cli_thousands(arch_net_params(net), b, sizeof(b)));
	cli_net_notes(net, stdout);
	zoo_show_graph(net);
	free(t.cells);
	return CLI_OK;
}

static int zoo_show(const char *what, int64_t batch, int json, const char *onnx, int skip)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	int ret;

	if (arch_net_resolve_opts(what, batch, skip, &net, &err))
		return cli_error(&err);
	if (onnx) {
		int64_t left = 0;
		char a[32];

		if (arch_net_write_onnx(&net, onnx, &left, &err)) {
			ret = cli_error(&err);
			goto out_release_net;
		}
		fprintf(stderr, "wrote %s (weights: %s.weights)\n", onnx, onnx);
		if (left)
			fprintf(stderr, "hwnas: note: %s parameters without MACs (embedding tables, "
				"layer norms) have no ONNX node and are not in %s\n",
				cli_thousands(left, a, sizeof(a)), onnx);
	}
	if (json) {
		char *text = arch_net_to_json(&net);

		if (!text) {
			ret = cli_error(&(struct hn_err){ HN_ENOMEM, "out of memory writing JSON" });
			goto out_release_net;
		}
		printf("%s\n", text);
		free(text);
		ret = CLI_OK;
	} else {
		ret = zoo_show_table(&net);
	}
out_release_net:
	arch_net_release(&net);
	return ret;
}

static int parse_batch(const char *s, int64_t *out)
{
	if (cli_parse_i64(s, 1, 1 << 24, out))
		return cli_usage_error("zoo", "--batch must be an integer from 1 to %d, got '%s'",
				       1 << 24, s);
	return CLI_OK;
}

int cmd_zoo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "batch", required_argument, NULL, 'b' },
		{ "onnx", required_argument, NULL, 'o' },
		{ "skip-unknown-ops", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t batch = 0;
	int json = 0, skip = 0, c, nargs;
	const char *sub, *onnx = NULL;

	opterr = 0;
	optind = 0; /* glibc: 0 also resets getopt's internal state */
	/* GNU getopt permutes: options may come before or after "show NAME". */
	while ((c = getopt_long(argc, argv, ":hjb:o:u", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			zoo_help(stdout);
			return CLI_OK;
		case 'j':
			json = 1;
			break;
		case 'b':
			if (parse_batch(optarg, &batch))
				return CLI_USAGE;
			break;
		case 'o':
			onnx = optarg;
			break;
		case 'u':
			skip = 1;
			break;
		case ':':
			return cli_usage_error("zoo", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("zoo", "unknown option '-%c'", optopt);
			return cli_usage_error("zoo", "unknown option '%s'", argv[optind - 1]);
		}
	}
	nargs = argc - optind;
	if (nargs < 1)
		return cli_usage_error("zoo", "missing subcommand: 'list' or 'show NAME|FILE'");
	sub = argv[optind];
	if (!strcmp(sub, "list")) {
		if (nargs > 1)
			return cli_usage_error("zoo", "'list' takes no argument, got '%s'", argv[optind + 1]);
		if (json || batch || onnx || skip)
			return cli_usage_error("zoo", "'list' takes no options (it shows batch 1)");
		return zoo_list();
	}
	if (!strcmp(sub, "show")) {
		if (nargs < 2)
			return cli_usage_error("zoo", "'show' needs a network: a zoo NAME or a FILE");
		if (nargs > 2)
			return cli_usage_error("zoo", "unexpected argument '%s'", argv[optind + 2]);
		return zoo_show(argv[optind + 1], batch, json, onnx, skip);
	}
	return cli_usage_error("zoo", "unknown subcommand '%s' (expected 'list' or 'show')", sub);
}
