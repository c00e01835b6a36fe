/* hwnas sim: cycle-accurate Verilator runs of a network's layers on the RTL accelerator, with
 * the analytical model's prediction beside each and a bit-exact check of every output. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../sim/sim.h"

static const char sim_help[] =
"usage: hwnas sim --net NET [--hw FILE] [options]\n"
"       hwnas sim --net NET [--hw FILE] --whole [--axi] [options]\n"
"\n"
"Runs every layer of NET on the Verilog accelerator (rtl/): conv, FC and matmul on the\n"
"array with the output stage (requantisation, activation), pool and add on the vector\n"
"unit; simulated cycle by cycle with Verilator, on random deterministic inputs, weights and\n"
"quantisation parameters, and checks every output element against a C reference. Prints\n"
"per layer the RTL cycles, the analytical model's cycles (docs/model.md), their error and\n"
"bit_exact; then totals.\n"
"\n"
"The verilated model is built once per RTL parameter set (about 5-60 s) and cached in\n"
"$HWNAS_CACHE, $XDG_CACHE_HOME/hwnas or ~/.cache/hwnas.\n"
"\n"
"  --net NET        a zoo name (hwnas zoo list) or a network file (.json, SCALE-Sim .csv,\n"
"                   ONNX .onnx)\n"
"  --hw FILE        accelerator config JSON; default: the built-in 16x16 WS config\n"
"  --batch N        batch size (default: 1 for zoo networks, a network file's own; an\n"
"                   ONNX file's symbolic batch dimension takes it, else 1)\n"
"  --layer NAME     simulate only this layer\n"
"  --mapper NAME    tiling per layer: 'glpk' (optimal, the default) or 'greedy'\n"
"                   ('default' is its old name)\n"
"  --tiling SPEC    one tiling for every layer, 'tm=64,tn=32,tk=128,order=nkm'\n"
"  --max-macs N     skip layers with more MACs than N (default 50000000; 0: no limit)\n"
"  --seed N         seed of the random inputs and weights (default 1)\n"
"  --timeout S      wall-clock limit of one layer's simulation in seconds (default 600)\n"
"  --trace FILE     write a VCD waveform (needs --layer; builds a traced model)\n"
"  --whole          run the network whole as one program on one simulated DRAM, layer\n"
"                   after layer: each layer reads the tensors the RTL wrote for its\n"
"                   inputs (NET must be a graph; conv, fc, pool, add), the DMA walking\n"
"                   conv and pool windows over them, and every tensor is compared with\n"
"                   a C reference chain from the network inputs (docs/rtl.md \"Whole\n"
"                   networks\"). Prints per layer RTL and model cycles, then the totals,\n"
"                   the verdict and the simulation speed. Not with --layer, --trace or\n"
"                   --max-macs.\n"
"  --axi            with --whole: the same program through the AXI top (rtl/hwnas_axi.v:\n"
"                   64-bit bus, bursts of 16, 16 outstanding) and the host driver\n"
"                   (driver/hwnas_drv.c), laid out as `hwnas compile` writes it: one DMA\n"
"                   list and one compute list for the whole network, started once; every\n"
"                   tensor read back and compared with the C reference chain. Prints per\n"
"                   layer the model's cycles and bit_exact, then the network's AXI cycles\n"
"                   (the top's CYCLES register) beside the model's and the AXI model's\n"
"                   (the layers walked as the one program, cost_net_axi; docs/deploy.md\n"
"                   \"A whole network through the driver\")\n"
"  --per-layer      with --whole --axi: also run the program's prefixes (the lists cut\n"
"                   after each layer) for each layer's AXI cycles, the difference of\n"
"                   the prefixes' end times (they sum to the network's)\n"
"                   with --whole alone: one harness run per layer instead, each on its own\n"
"                   image with the tensors the RTL wrote copied in; each layer is also\n"
"                   checked against its own reference from those inputs (same cycles)\n"
"  --json           JSON on stdout instead of the table\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas sim --net mobilenet_v2 --hw examples/zcu102_ws_16x16.json --layer features.1.conv.1\n"
"  hwnas sim --net tests/data/nets/whole_cnn.json \\\n"
"      --hw tests/data/validate/hw_ws4_8b_s_small.json --whole\n"
"  hwnas sim --net tests/data/nets/whole_pw_fc.json \\\n"
"      --hw tests/data/validate/hw_ws4_8b_s_small.json --whole --axi\n"
"\n"
"exit: 0 every simulated layer (--whole: every tensor of the network) bit-exact, 1 a\n"
"mismatch or an error (bad input, failed build or run), 2 usage\n";

struct sim_opts {
	struct cli_common c;            /* --net, --hw, --batch, --mapper */
	const char *layer, *tiling, *trace;
	int64_t max_macs;
	uint64_t seed;
	double timeout;
	int json, whole, per_layer, axi, max_macs_given;
};

enum row_state { ROW_SIM = 0, ROW_MODEL_ONLY, ROW_SKIPPED, ROW_ERROR };

struct sim_row {
	enum row_state state;
	char why[600];
	struct map_tiling tiling;
	struct cost_report cost;
	struct sim_result res;
};

static double err_pct(int64_t rtl, int64_t model)
{
	return rtl ? 100.0 * (double)(model - rtl) / (double)rtl : 0.0;
}

static int parse_args(int argc, char **argv, struct sim_opts *o)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_NET, CLI_LONGOPT_HW, CLI_LONGOPT_BATCH, CLI_LONGOPT_MAPPER,
		{ "layer", required_argument, NULL, 'l' }, { "tiling", required_argument, NULL, 't' },
		{ "max-macs", required_argument, NULL, 'x' }, { "seed", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'o' }, { "trace", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' }, { "whole", no_argument, NULL, 'w' },
		{ "per-layer", no_argument, NULL, 'P' }, { "axi", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	int64_t v;

	memset(o, 0, sizeof(*o));
	cli_common_init(&o->c);
	o->max_macs = 50000000;
	o->seed = 1;
	o->timeout = 600;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = cli_common_option("sim", c, optarg, &o->c);
		if (taken == 1)
			continue;
		if (taken)
			return taken;
		switch (c) {
		case 'l': o->layer = optarg; break;
		case 't': o->tiling = optarg; break;
		case 'v': o->trace = optarg; break;
		case 'j': o->json = 1; break;
		case 'w': o->whole = 1; break;
		case 'P': o->per_layer = 1; break;
		case 'A': o->axi = 1; break;
		case 'x':
			o->max_macs_given = 1;
			if (cli_parse_i64(optarg, 0, INT64_MAX, &o->max_macs))
				return cli_usage_error("sim", "--max-macs must be a non-negative integer, got '%s'", optarg);
			break;
		case 's':
			if (cli_parse_i64(optarg, 0, INT64_MAX, &v))
				return cli_usage_error("sim", "--seed must be a non-negative integer, got '%s'", optarg);
			o->seed = (uint64_t)v;
			break;
		case 'o':
			if (cli_parse_double(optarg, 1e-6, 1e9, &o->timeout))
				return cli_usage_error("sim", "--timeout must be a positive number of seconds, got '%s'", optarg);
			break;
		case 'h': fputs(sim_help, stdout); return -1;
		default:
			return cli_usage_error("sim", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("sim", "unexpected argument '%s'", argv[optind]);
	if (!o->c.net)
		return cli_usage_error("sim", "--net is required");
	if (cli_common_finish("sim", &o->c))
		return CLI_USAGE;
	if (o->whole && (o->layer || o->trace || o->max_macs_given))
		return cli_usage_error("sim", "--whole runs every layer: not with %s",
				       o->layer ? "--layer" : o->trace ? "--trace" : "--max-macs");
	if (o->trace && !o->layer)
		return cli_usage_error("sim", "--trace needs --layer (one waveform per run)");
	if (o->per_layer && !o->whole)
		return cli_usage_error("sim", "--per-layer needs --whole");
	if (o->axi && !o->whole)
		return cli_usage_error("sim", "--axi needs --whole (one layer through the AXI top: "
				       "tests/test_axi.c)");
	return 0;
}

static void print_table(const struct arch_net *net, const struct hw_config *hw,
			const struct sim_row *rows, const int *sel)
{
	int64_t rtl = 0, model = 0, nsim = 0, exact = 1;
	char b1[32], b2[32];

	printf("%s on %dx%d %s, %d/%d/%d bits, %s-buffered, %.0f MHz, %.1f GB/s, latency %d\n\n",
	       net->name, hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow), hw->act_bits,
	       hw->weight_bits, hw->acc_bits, hw->double_buffer ? "double" : "single",
	       hw->freq_mhz, hw->dram_gbps, hw->dram_latency_cycles);
	printf("%-24s %-24s %12s %12s %8s %-9s %9s\n", "layer", "tiling tm,tn,tk order",
	       "rtl cycles", "model cycles", "error", "bit_exact", "sim s");
	for (int i = 0; i < net->n_layers; i++) {
		const struct sim_row *r = &rows[i];
		char til[48];
		if (!sel[i])
			continue;
		if (arch_gemm(&net->layers[i]).g == 0)
			snprintf(til, sizeof(til), "vector unit");
		else
			snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)r->tiling.tm,
				 (long long)r->tiling.tn, (long long)r->tiling.tk,
				 map_order_name(r->tiling.order));
		switch (r->state) {
		case ROW_SIM:
			printf("%-24.24s %-24s %12lld %12lld %7.2f%% %-9s %9.3f\n", net->layers[i].name,
			       til, (long long)r->res.rtl_cycles, (long long)r->cost.cycles,
			       err_pct(r->res.rtl_cycles, r->cost.cycles),
			       r->res.bit_exact ? "true" : "false", r->res.sim_seconds);
			rtl += r->res.rtl_cycles;
			model += r->cost.cycles;
			nsim++;
			exact &= r->res.bit_exact;
			break;
		case ROW_MODEL_ONLY:
			printf("%-24.24s %-24s %12s %12lld %8s %-9s\n", net->layers[i].name,
			       "(model only)", "-", (long long)r->cost.cycles, "-", "-");
			break;
		default:
			printf("%-24.24s %-24s %s: %s\n", net->layers[i].name, til,
			       r->state == ROW_SKIPPED ? "skipped" : "error", r->why);
			break;
		}
	}
	printf("\ntotal over %lld simulated layers: rtl %s cycles, model %s cycles, error %.2f%%, "
	       "bit_exact %s\n", (long long)nsim, cli_thousands(rtl, b1, sizeof(b1)),
	       cli_thousands(model, b2, sizeof(b2)), err_pct(rtl, model),
	       nsim && exact ? "true" : "false");
}

static int print_json(const struct arch_net *net, const struct hw_config *hw,
		      const struct sim_row *rows, const int *sel)
{
	cJSON *root = cJSON_CreateObject();
	char *hwtext = hw_config_to_json(hw);
	int64_t rtl = 0, model = 0, nsim = 0, exact = 1;

	cJSON_AddStringToObject(root, "net", net->name);
	cJSON_AddItemToObject(root, "hw", hwtext ? cJSON_Parse(hwtext) : cJSON_CreateNull());
	free(hwtext);
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	for (int i = 0; i < net->n_layers; i++) {
		const struct sim_row *r = &rows[i];
		if (!sel[i])
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", net->layers[i].name);
		cJSON_AddStringToObject(o, "type", arch_kind_name(net->layers[i].kind));
		cJSON_AddBoolToObject(o, "simulated", r->state == ROW_SIM);
		cJSON_AddNumberToObject(o, "model_cycles", (double)r->cost.cycles);
		if (arch_gemm(&net->layers[i]).g != 0 &&
		    (r->state == ROW_SIM || r->state == ROW_SKIPPED || r->state == ROW_ERROR)) {
			cJSON *t = cJSON_AddObjectToObject(o, "tiling");
			cJSON_AddNumberToObject(t, "tm", (double)r->tiling.tm);
			cJSON_AddNumberToObject(t, "tn", (double)r->tiling.tn);
			cJSON_AddNumberToObject(t, "tk", (double)r->tiling.tk);
			cJSON_AddStringToObject(t, "order", map_order_name(r->tiling.order));
		}
		if (r->state == ROW_SIM) {
			const struct sim_result *x = &r->res;
			cJSON_AddNumberToObject(o, "rtl_cycles", (double)x->rtl_cycles);
			cJSON_AddNumberToObject(o, "error_pct", err_pct(x->rtl_cycles, r->cost.cycles));
			cJSON_AddBoolToObject(o, "bit_exact", x->bit_exact);
			cJSON_AddNumberToObject(o, "mismatches", (double)x->mismatches);
			cJSON_AddNumberToObject(o, "outputs", (double)x->outputs);
			cJSON_AddNumberToObject(o, "macs", (double)x->macs);
			cJSON_AddNumberToObject(o, "array_busy_cycles", (double)x->array_busy);
			cJSON_AddNumberToObject(o, "dma_busy_cycles", (double)x->dma_busy);
			cJSON_AddNumberToObject(o, "stall_cycles", (double)(x->rtl_cycles - x->array_busy));
			cJSON_AddNumberToObject(o, "model_compute_cycles", (double)r->cost.compute_cycles);
			cJSON_AddNumberToObject(o, "model_mem_cycles", (double)r->cost.mem_cycles);
			cJSON_AddNumberToObject(o, "dma_requests", (double)x->dma_requests);
			cJSON_AddNumberToObject(o, "dma_bus_extra_cycles", (double)x->dma_bus_extra);
			cJSON_AddNumberToObject(o, "dram_bytes", (double)x->dram_bytes);
			cJSON_AddNumberToObject(o, "sim_seconds", x->sim_seconds);
			cJSON_AddNumberToObject(o, "build_seconds", x->build_seconds);
			rtl += x->rtl_cycles;
			model += r->cost.cycles;
			nsim++;
			exact &= x->bit_exact;
		} else if (r->state != ROW_MODEL_ONLY) {
			cJSON_AddStringToObject(o, r->state == ROW_SKIPPED ? "skipped" : "error", r->why);
		}
		cJSON_AddItemToArray(layers, o);
	}
	cJSON *t = cJSON_AddObjectToObject(root, "total");
	cJSON_AddNumberToObject(t, "layers_simulated", (double)nsim);
	cJSON_AddNumberToObject(t, "rtl_cycles", (double)rtl);
	cJSON_AddNumberToObject(t, "model_cycles", (double)model);
	cJSON_AddNumberToObject(t, "error_pct", err_pct(rtl, model));
	cJSON_AddBoolToObject(t, "bit_exact", nsim && exact);
	return cli_print_json(root);
}

static void whole_layer_notice(void *ctx, int done, int total, const struct arch_layer *l)
{
	(void)ctx;
	fprintf(stderr, "sim: [%d/%d] %s (%s): %lld MACs ...\n", done, total, l->name,
		arch_kind_name(l->kind), (long long)arch_layer_macs(l));
}

static void whole_tiling(const struct arch_layer *l, const struct map_tiling *t, char *buf,
			 size_t size)
{
	if (arch_gemm(l).g == 0)
		snprintf(buf, size, "vector unit");
	else
		snprintf(buf, size, "%lld,%lld,%lld %s", (long long)t->tm, (long long)t->tn,
			 (long long)t->tk, map_order_name(t->order));
}

static double per_s(double v, double s)
{
	return s > 0 ? v / s : 0.0;
}

/* --whole --axi: one start for the network, so cycles per network (no per-layer spans). */
static void print_axi_table(const struct arch_net *net, const struct hw_config *hw,
			    const struct sim_whole_result *w)
{
	char b1[32], b2[32], b3[32], til[48];

	printf("%s whole through the AXI top and the driver on %dx%d %s, %d/%d/%d bits, "
	       "%s-buffered, %.0f MHz, %.1f GB/s, latency %d\n\n", net->name, hw->pe_rows,
	       hw->pe_cols, hw_dataflow_name(hw->dataflow), hw->act_bits, hw->weight_bits,
	       hw->acc_bits, hw->double_buffer ? "double" : "single", hw->freq_mhz,
	       hw->dram_gbps, hw->dram_latency_cycles);
	printf("%-24s %-7s %-24s %12s %12s %12s %-9s\n", "layer", "type", "tiling tm,tn,tk order",
	       "axi cycles", "model cycles", "axi model", "bit_exact");
	for (int i = 0; i < w->n; i++) {
		const struct sim_whole_layer *x = &w->layers[i];
		const struct arch_layer *l = &net->layers[x->layer];
		char ac[32] = "-";   /* per layer only from the prefixes' runs (--per-layer) */
		if (w->axi_spans)
			snprintf(ac, sizeof(ac), "%lld", (long long)x->res.rtl_cycles);
		whole_tiling(l, &x->tiling, til, sizeof(til));
		printf("%-24.24s %-7s %-24s %12s %12lld %12lld %-9s\n", l->name,
		       arch_kind_name(l->kind), til, ac, (long long)x->cost.cycles,
		       (long long)x->model_axi_cycles, x->chain_mismatches == 0 ? "true" : "false");
	}
	if (w->axi_spans)
		printf("\na layer's axi cycles: the end of the program cut after it less the end of "
		       "the program cut before it (one run per prefix)\n");
	printf("\none start of the driver: one DMA list and one compute list for the whole "
	       "network; every tensor read back after done\n");
	printf("network per run: axi %s cycles (start to done), model %s cycles (sum of the "
	       "layers), %s (the program's makespan at the model's times); axi / model %.2f\n",
	       cli_thousands(w->rtl_cycles, b1, sizeof(b1)),
	       cli_thousands(w->model_cycles, b2, sizeof(b2)),
	       cli_thousands(w->program_cycles, b3, sizeof(b3)),
	       w->model_cycles ? (double)w->rtl_cycles / (double)w->model_cycles : 0.0);
	printf("AXI model: %s cycles (the layers walked as the one program, cost_net_axi; a "
	       "layer's: the program cut after it less the program cut before); axi / AXI model "
	       "%.3f, error %.2f%%\n", cli_thousands(w->model_axi_cycles, b2, sizeof(b2)),
	       w->model_axi_cycles ? (double)w->rtl_cycles / (double)w->model_axi_cycles : 0.0,
	       err_pct(w->rtl_cycles, w->model_axi_cycles));
	printf("network outputs: %s elements, %lld differ from the C reference chain; "
	       "bit_exact %s\n", cli_thousands(w->outputs, b3, sizeof(b3)),
	       (long long)w->mismatches, w->bit_exact ? "true" : "false");
	printf("time: %.1f s wall (%.1f s in the AXI harness, %.1f s building)\n",
	       w->wall_seconds, w->sim_seconds, w->build_seconds);
}

static void print_whole_table(const struct arch_net *net, const struct hw_config *hw,
			      const struct sim_whole_result *w)
{
	char b1[32], b2[32], b3[32], til[48];

	if (w->axi) {
		print_axi_table(net, hw, w);
		return;
	}
	printf("%s whole on %dx%d %s, %d/%d/%d bits, %s-buffered, %.0f MHz, %.1f GB/s, latency "
	       "%d\n\n", net->name, hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow),
	       hw->act_bits, hw->weight_bits, hw->acc_bits,
	       hw->double_buffer ? "double" : "single", hw->freq_mhz, hw->dram_gbps,
	       hw->dram_latency_cycles);
	printf("%-24s %-7s %-24s %12s %12s %8s %-9s %9s\n", "layer", "type",
	       "tiling tm,tn,tk order", "rtl cycles", "model cycles", "error", "bit_exact",
	       "sim s");
	for (int i = 0; i < w->n; i++) {
		const struct sim_whole_layer *x = &w->layers[i];
		const struct arch_layer *l = &net->layers[x->layer];
		whole_tiling(l, &x->tiling, til, sizeof(til));
		printf("%-24.24s %-7s %-24s %12lld %12lld %7.2f%% %-9s", l->name,
		       arch_kind_name(l->kind), til, (long long)x->res.rtl_cycles,
		       (long long)x->cost.cycles, err_pct(x->res.rtl_cycles, x->cost.cycles),
		       x->chain_mismatches == 0 ? "true" : "false");
		if (w->one_image)
			printf(" %9s\n", "-"); /* one run for the whole network */
		else
			printf(" %9.3f\n", x->res.sim_seconds);
	}
	if (w->one_image)
		printf("\none program on one image of %s elements: every layer reads the tensors "
		       "the RTL wrote in it\n", cli_thousands(w->image_elements, b3, sizeof(b3)));
	else
		printf("\none run per layer, each on its own image with the RTL's tensors copied "
		       "in\n");
	printf("whole network, %d layers in a chain: rtl %s cycles, model %s cycles, error "
	       "%.2f%%, model == rtl on %s layers\n", w->n,
	       cli_thousands(w->rtl_cycles, b1, sizeof(b1)),
	       cli_thousands(w->model_cycles, b2, sizeof(b2)),
	       err_pct(w->rtl_cycles, w->model_cycles), w->cycles_equal ? "all" : "not all");
	printf("windows: walked by the DMA over NHWC tensors%s", w->host_layouts ? "" :
	       " on every conv and pool layer (no re-layout between layers)\n");
	if (w->host_layouts)
		printf(", except %d layers laid out by the host (im2col / window matrix)\n",
		       w->host_layouts);
	printf("network outputs: %s elements, %lld differ from the C reference chain; "
	       "bit_exact %s\n", cli_thousands(w->outputs, b3, sizeof(b3)),
	       (long long)w->mismatches, w->bit_exact ? "true" : "false");
	printf("time: %.1f s wall (%.1f s in the harness, %.1f s building), %.0f simulated "
	       "cycles/s of wall time\n", w->wall_seconds, w->sim_seconds, w->build_seconds,
	       per_s((double)w->sim_cycles, w->wall_seconds - w->build_seconds));
}

static int print_whole_json(const struct arch_net *net, const struct hw_config *hw,
			    const struct sim_whole_result *w)
{
	cJSON *root = cJSON_CreateObject();
	char *hwtext = hw_config_to_json(hw);

	cJSON_AddStringToObject(root, "net", net->name);
	cJSON_AddItemToObject(root, "hw", hwtext ? cJSON_Parse(hwtext) : cJSON_CreateNull());
	free(hwtext);
	cJSON_AddBoolToObject(root, "whole", 1);
	cJSON_AddBoolToObject(root, "axi", w->axi);
	cJSON_AddBoolToObject(root, "one_image", w->one_image);
	cJSON_AddNumberToObject(root, "image_elements", (double)w->image_elements);
	/* "none": every conv and pool window walked by the DMA (docs/rtl.md "Window
	 * addressing"); "host": some layer's im2col or window matrix laid out by the host */
	cJSON_AddStringToObject(root, "relayout", w->host_layouts ? "host" : "none");
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	for (int i = 0; i < w->n; i++) {
		const struct sim_whole_layer *x = &w->layers[i];
		const struct arch_layer *l = &net->layers[x->layer];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", l->name);
		cJSON_AddStringToObject(o, "type", arch_kind_name(l->kind));
		if (arch_gemm(l).g != 0) {
			cJSON *t = cJSON_AddObjectToObject(o, "tiling");
			cJSON_AddNumberToObject(t, "tm", (double)x->tiling.tm);
			cJSON_AddNumberToObject(t, "tn", (double)x->tiling.tn);
			cJSON_AddNumberToObject(t, "tk", (double)x->tiling.tk);
			cJSON_AddStringToObject(t, "order", map_order_name(x->tiling.order));
		}
		if (!w->axi || w->axi_spans) {
			/* through the AXI top: per layer only from the prefixes' runs */
			cJSON_AddNumberToObject(o, "rtl_cycles", (double)x->res.rtl_cycles);
			cJSON_AddNumberToObject(o, "error_pct",
						err_pct(x->res.rtl_cycles, x->cost.cycles));
		}
		cJSON_AddNumberToObject(o, "model_cycles", (double)x->cost.cycles);
		if (w->axi)
			cJSON_AddNumberToObject(o, "model_axi_cycles", (double)x->model_axi_cycles);
		cJSON_AddBoolToObject(o, "bit_exact", x->chain_mismatches == 0);
		cJSON_AddNumberToObject(o, "mismatches", (double)x->chain_mismatches);
		cJSON_AddNumberToObject(o, "outputs", (double)x->res.outputs);
		cJSON_AddNumberToObject(o, "distinct_values", (double)x->distinct);
		cJSON_AddBoolToObject(o, "host_layout", x->host_layout);
		cJSON_AddNumberToObject(o, "macs", (double)x->res.macs);
		if (!w->one_image) {
			/* measured per run; one image has one run for the network */
			cJSON_AddNumberToObject(o, "layer_mismatches", (double)x->res.mismatches);
			cJSON_AddNumberToObject(o, "dram_bytes", (double)x->res.dram_bytes);
			cJSON_AddNumberToObject(o, "sim_cycles", (double)x->res.sim_cycles);
			cJSON_AddNumberToObject(o, "sim_seconds", x->res.sim_seconds);
		}
		cJSON_AddItemToArray(layers, o);
	}
	cJSON *t = cJSON_AddObjectToObject(root, "total");
	cJSON_AddNumberToObject(t, "layers", (double)w->n);
	cJSON_AddNumberToObject(t, "rtl_cycles", (double)w->rtl_cycles);
	cJSON_AddNumberToObject(t, "model_cycles", (double)w->model_cycles);
	cJSON_AddNumberToObject(t, "error_pct", err_pct(w->rtl_cycles, w->model_cycles));
	cJSON_AddBoolToObject(t, "cycles_equal", w->cycles_equal);
	if (w->one_image)
		cJSON_AddNumberToObject(t, "program_cycles", (double)w->program_cycles);
	if (w->axi) {
		cJSON_AddNumberToObject(t, "axi_cycles", (double)w->rtl_cycles);
		cJSON_AddNumberToObject(t, "model_axi_cycles", (double)w->model_axi_cycles);
		cJSON_AddNumberToObject(t, "axi_error_pct", err_pct(w->rtl_cycles,
								    w->model_axi_cycles));
		cJSON_AddNumberToObject(t, "axi_rd_bytes", (double)w->axi_rd_bytes);
		cJSON_AddNumberToObject(t, "axi_wr_bytes", (double)w->axi_wr_bytes);
	}
	cJSON_AddBoolToObject(t, "bit_exact", w->bit_exact);
	cJSON_AddNumberToObject(t, "outputs", (double)w->outputs);
	cJSON_AddNumberToObject(t, "mismatches", (double)w->mismatches);
	cJSON_AddNumberToObject(t, "macs", (double)w->macs);
	cJSON_AddNumberToObject(t, "sim_cycles", (double)w->sim_cycles);
	cJSON_AddNumberToObject(t, "sim_seconds", w->sim_seconds);
	cJSON_AddNumberToObject(t, "build_seconds", w->build_seconds);
	cJSON_AddNumberToObject(t, "wall_seconds", w->wall_seconds);
	cJSON_AddNumberToObject(t, "sim_cycles_per_s",
				per_s((double)w->sim_cycles, w->wall_seconds - w->build_seconds));
	return cli_print_json(root);
}

/* --whole: the network as one chain on the RTL (sim_whole). */
static int run_whole(const struct sim_opts *o, const struct arch_net *net,
		     const struct hw_config *hw, const struct sim_options *so,
		     const struct cost_net_opts *co)
{
	struct sim_whole_opts wo = { .sim = so, .cost = co, .on_layer = whole_layer_notice,
				     .per_layer = o->per_layer };
	struct sim_whole_result w;
	struct hn_err err = { 0 };
	int ret = CLI_FAIL;

	if ((o->axi ? sim_whole_axi(net, hw, &wo, NULL, &w, &err) :
	     sim_whole(net, hw, &wo, &w, &err)) < 0) {
		cli_error(&err);
		goto out;
	}
	if (o->json ? print_whole_json(net, hw, &w) < 0 : (print_whole_table(net, hw, &w), 0)) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out;
	}
	ret = w.bit_exact ? CLI_OK : CLI_FAIL;
out:
	sim_whole_release(&w);
	return ret;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_opts o;
	struct arch_net net = { 0 };
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0 };
	struct map_tiling fixed_spec, *fixed = NULL;
	struct map_cache *cache = NULL;
	struct sim_options so;
	struct cost_net_opts co;
	struct sim_row *rows = NULL;
	int *sel = NULL, nsel = 0, failed = 0, done = 0;
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	cli_catch_stop_signals(); /* a build or run stops with its whole process group */
	if (cli_common_load(&o.c, &hw, NULL, &err) < 0)
		return cli_error(&err);
	if (sim_check_hw(&hw, &err) < 0) {
		hn_err_prefix(&err, o.c.hw ? o.c.hw : "default config");
		return cli_error(&err);
	}
	if (o.tiling) {
		if (map_tiling_parse(o.tiling, &fixed_spec, &err) < 0) {
			hn_err_prefix(&err, "--tiling");
			return cli_error(&err);
		}
		fixed = &fixed_spec;
	}
	if (arch_net_resolve(o.c.net, o.c.batch, &net, &err) < 0)
		return cli_error(&err);
	rows = calloc((size_t)net.n_layers + 1, sizeof(*rows));
	sel = calloc((size_t)net.n_layers + 1, sizeof(*sel));
	cache = map_cache_new();
	if (!rows || !sel || !cache) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	for (int i = 0; i < net.n_layers; i++) {
		sel[i] = !o.layer || !strcmp(o.layer, net.layers[i].name);
		nsel += sel[i];
	}
	if (!nsel) {
		fprintf(stderr, "hwnas: %s has no layer '%s'\n", net.name, o.layer);
		goto out_free;
	}
	sim_options_init(&so);
	so.on_build = cli_build_notice;
	so.seed = o.seed;
	so.run_timeout_s = o.timeout;
	so.vcd_path = o.trace;
	cost_net_opts_init(&co);
	co.mapper = (enum cost_mapper)o.c.mapper;
	co.energy = &e;
	co.fixed = fixed;
	co.cache = cache;
	if (o.whole) {
		ret = run_whole(&o, &net, &hw, &so, &co);
		goto out_free;
	}

	for (int i = 0; i < net.n_layers; i++) {
		const struct arch_layer *l = &net.layers[i];
		struct sim_row *r = &rows[i];
		if (!sel[i])
			continue;
		done++;
		struct cost_net_row nr;
		if (cost_net_layer(l, &hw, &co, &nr, &err) < 0) {
			r->state = ROW_ERROR;
			hn_strlcpy(r->why, err.msg, sizeof(r->why));
			failed = 1;
			continue;
		}
		r->tiling = nr.tiling;
		r->cost = nr.cost;
		/* pool, add: one vector request (docs/rtl.md "Vector unit"), the tiling unused */
		if (!nr.fits) {
			r->state = ROW_ERROR;
			snprintf(r->why, sizeof(r->why), "no feasible tiling: %s", r->cost.why);
			failed = 1;
			continue;
		}
		if (o.max_macs && r->cost.macs > o.max_macs) {
			r->state = ROW_SKIPPED;
			snprintf(r->why, sizeof(r->why), "%lld MACs > --max-macs %lld",
				 (long long)r->cost.macs, (long long)o.max_macs);
			continue;
		}
		fprintf(stderr, "sim: [%d/%d] %s: %lld MACs ...\n", done, nsel, l->name,
			(long long)r->cost.macs);
		if (sim_layer(l, &hw, &r->tiling, &so, &r->res, &err) < 0) {
			r->state = ROW_ERROR;
			hn_strlcpy(r->why, err.msg, sizeof(r->why));
			fprintf(stderr, "hwnas: %s\n", err.msg);
			failed = 1;
			continue;
		}
		if (r->res.built)
			fprintf(stderr, "sim: built the verilated model in %.1f s: %s\n",
				r->res.build_seconds, r->res.model);
		r->state = ROW_SIM;
		failed |= !r->res.bit_exact;
	}
	if (o.json) {
		if (print_json(&net, &hw, rows, sel) < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
	} else {
		print_table(&net, &hw, rows, sel);
	}
	ret = failed ? CLI_FAIL : CLI_OK;
out_free:
	free(rows);
	free(sel);
	map_cache_free(cache);
	arch_net_release(&net);
	return ret;
}
