/* hwnas eval: the cost of a network on an accelerator, per layer and in total: the analytical
 * model's, or another estimator's (--cost: a lookup table, a predictor, the RTL). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../estim/estim.h"
#include "../sim/sim.h"

static const char eval_help[] =
"usage: hwnas eval --net NET --hw FILE [options]\n"
"\n"
"Analytical cost (docs/model.md) of every layer of NET on the accelerator in FILE: GEMM\n"
"dimensions, tiling, compute and memory cycles, the binding roof, utilisation, DRAM bytes,\n"
"energy; then totals (cycles, latency, GOP/s, energy, EDP) and the FPGA resources used.\n"
"\n"
"  --net NET        a zoo name (hwnas zoo list) or a network file (.json, SCALE-Sim .csv,\n"
"                   ONNX .onnx: docs/network_format.md)\n"
"  --hw FILE        accelerator config JSON (docs/hw_config.md); default: the built-in\n"
"                   16x16 WS ZCU102 config\n"
"  --batch N        batch size (default: 1 for zoo networks, a network file's own; an\n"
"                   ONNX file's symbolic batch dimension takes it, else 1)\n"
"  --skip-unknown-ops  ONNX: skip ops the importer does not know, with a warning (their\n"
"                   work is left out of the figures), instead of failing\n"
"  --mapper NAME    tiling per layer: 'glpk' (optimal, the default here and in explore)\n"
"                   or 'greedy' ('default' is its old name)\n"
"  --tiling SPEC    an explicit tiling for every layer, 'tm=64,tn=32,tk=128,order=nkm',\n"
"                   or a JSON file of per-layer tilings (docs/mapping.md)\n"
"  --energy FILE    energy-per-action table JSON overriding the defaults\n"
"  --calib FILE     correct every layer's cycles with a calibration fitted on the RTL\n"
"                   ('hwnas validate --calib-out FILE', docs/validation.md)\n"
"  --axi DW[,MAXB[,MAXOUT]]  the cycles of the AXI top (docs/deploy.md) instead of the\n"
"                   direct one: its bus bits (64, 128, 256), beats per burst (default 16)\n"
"                   and outstanding bursts (default 16); docs/model.md \"Through the AXI top\";\n"
"                   without --tiling each layer's tiling is the fastest there of the\n"
"                   mapper's and a few variants (docs/mapping.md \"For the AXI top\")\n"
"  --cost NAME      who prices each layer's cycles (docs/search.md \"Cost estimators\"):\n"
"                   'analytical' (the model, default), 'lut' (a lookup table: --lut FILE;\n"
"                   its DRAM bytes and energy too), 'predictor' (--predictor FILE) or\n"
"                   'rtl' (each MAC layer simulated on the Verilog accelerator); the\n"
"                   tiling, compute and memory cycles stay the model's\n"
"  --lut FILE       the table ('hwnas estimators --lut-out')\n"
"  --lut-miss WHAT  a layer not in the table: 'fail' (default: an error naming it) or\n"
"                   'model' (the model prices it; counted)\n"
"  --predictor FILE the predictor ('hwnas estimators --predictor-out')\n"
"  --json           JSON on stdout instead of the table\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas eval --net resnet18 --hw examples/zcu102_ws_16x16.json\n"
"  hwnas eval --net tests/data/nets/conv_bn_relu.onnx --hw examples/zcu102_ws_16x16.json\n"
"\n"
"exit: 0 ok (also when the design is infeasible: see 'feasible'), 1 bad input, 2 usage\n";

struct eval_opts {
	struct cli_common c;            /* --net, --hw, --batch, --energy, --mapper */
	struct cli_cost cost;           /* --cost, --lut, --lut-miss, --predictor */
	const char *tiling, *calib;
	struct cost_axi axi;            /* --axi (dw 0: the direct top) */
	int json, skip_unknown;
};

/* What priced the cycles, when not the model alone: "cycles by lut t.lut; 2 of 6 layers
 * kept the model's figure". */
static void cost_note(const struct eval_opts *o, int from_model, int layers, char *buf,
		      size_t size)
{
	char what[600];

	buf[0] = '\0';
	if (o->axi.dw)
		snprintf(buf, size, "cycles of the AXI top (bus %d bits, MAXB %d, MAXOUT %d; no "
			 "back-pressure%s)%s", o->axi.dw, o->axi.maxb, o->axi.maxout,
			 o->tiling ? "" : "; tilings chosen for it",
			 o->cost.u.kind == ESTIM_ANALYTICAL ? "" : "; ");
	if (o->cost.u.kind == ESTIM_ANALYTICAL)
		return;
	cli_cost_describe(&o->cost, what, sizeof(what));
	snprintf(buf + strlen(buf), size - strlen(buf), "cycles by %s; %d of %d layers kept the "
		 "model's figure (compute and memory cycles are the model's)", what, from_model,
		 layers);
}

static void print_table(const struct arch_net *net, const struct hw_config *hw,
			const struct cost_net_row *rows, const struct cost_total *tot,
			const struct hw_resources *res, const char *note)
{
	char b1[32], b2[32], b3[32], b4[32];

	printf("%s on %dx%d %s, %d/%d/%d bits%s%s, %.0f MHz, %.1f GB/s%s%s\n\n", net->name,
	       hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow), hw->act_bits,
	       hw->weight_bits, hw->acc_bits, hw->mac_packing ? ", mac_packing " : "",
	       hw->mac_packing ? hw_packing_name(hw->mac_packing) : "", hw->freq_mhz,
	       hw->dram_gbps, hw->device[0] ? ", " : "", hw->device);
	printf("%-28s %-22s %-26s %12s %12s %12s %-7s %5s %12s %10s\n", "layer", "gemm g x m x n x k",
	       "tiling tm,tn,tk order", "compute cyc", "memory cyc", "cycles", "bound", "util",
	       "DRAM bytes", "energy uJ");
	for (int i = 0; i < net->n_layers; i++) {
		const struct cost_report *c = &rows[i].cost;
		const struct map_tiling *t = &rows[i].tiling;
		char dims[48], til[48];
		if (c->gemm.g)
			snprintf(dims, sizeof(dims), "%lldx%lldx%lldx%lld", (long long)c->gemm.g,
				 (long long)c->gemm.m, (long long)c->gemm.n, (long long)c->gemm.k);
		else
			snprintf(dims, sizeof(dims), "(%s, no MACs)", arch_kind_name(net->layers[i].kind));
		if (!c->gemm.g)
			snprintf(til, sizeof(til), "vector unit");
		else if (!c->feasible)
			snprintf(til, sizeof(til), "none fits");
		else
			snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)t->tm,
				 (long long)t->tn, (long long)t->tk, map_order_name(t->order));
		if (!c->feasible) {
			printf("%-28.28s %-22s %-26s infeasible: %s\n", net->layers[i].name, dims, til,
			       c->why);
			continue;
		}
		printf("%-28.28s %-22s %-26s %12lld %12lld %12lld %-7s %4.0f%% %12lld %10.2f\n",
		       net->layers[i].name, dims, til, (long long)c->compute_cycles,
		       (long long)c->mem_cycles, (long long)c->cycles,
		       c->memory_bound ? "memory" : "compute", 100.0 * c->utilization,
		       (long long)c->dram_bytes, c->energy_total_pj * 1e-6);
	}
	printf("\ntotal: %s MACs, %s cycles (%s compute, %s stall)\n",
	       cli_thousands(tot->macs, b1, sizeof(b1)), cli_thousands(tot->cycles, b2, sizeof(b2)),
	       cli_thousands(tot->compute_cycles, b3, sizeof(b3)),
	       cli_thousands(tot->stall_cycles, b4, sizeof(b4)));
	printf("latency %.4f ms, %.1f GOP/s (peak %.1f), utilisation %.1f%%\n", tot->latency_ms,
	       tot->gops, 2.0 * hw->pe_rows * hw->pe_cols * hw->freq_mhz / 1000.0,
	       100.0 * tot->utilization);
	printf("energy %.4f mJ (MAC %.4f, SRAM %.4f, DRAM %.4f, static %.4f), EDP %.6f mJ*ms\n",
	       tot->energy_mj, tot->energy_pj[0] * 1e-9, tot->energy_pj[1] * 1e-9,
	       tot->energy_pj[2] * 1e-9, tot->energy_pj[3] * 1e-9, tot->edp_mj_ms);
	printf("DRAM traffic %s bytes\n", cli_thousands(tot->dram_bytes, b1, sizeof(b1)));
	if (note[0])
		printf("%s\n", note);
	const struct hw_device *d = hw->device[0] ? hw_device_find(hw->device) : NULL;
	if (d)
		printf("resources: DSP %lld/%d, BRAM36 %lld/%d, LUT %lld/%lld, FF %lld/%lld on %s\n",
		       (long long)res->dsp, d->dsp, (long long)res->bram36, d->bram36,
		       (long long)res->lut, (long long)d->lut, (long long)res->ff, (long long)d->ff,
		       d->name);
	else
		printf("resources: DSP %lld, BRAM36 %lld, LUT %lld, FF %lld (no device)\n",
		       (long long)res->dsp, (long long)res->bram36, (long long)res->lut,
		       (long long)res->ff);
	if (!res->fits)
		printf("does not fit the device: %s\n", res->why);
	if (!tot->feasible)
		printf("infeasible: %s\n", tot->why);
	cli_net_notes(net, stdout);
}

static cJSON *report_json(const struct arch_layer *l, const struct cost_net_row *row)
{
	const struct cost_report *c = &row->cost;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", l->name);
	cJSON_AddStringToObject(o, "type", arch_kind_name(l->kind));
	cJSON *g = cJSON_AddObjectToObject(o, "gemm");
	cJSON_AddNumberToObject(g, "g", (double)c->gemm.g);
	cJSON_AddNumberToObject(g, "m", (double)c->gemm.m);
	cJSON_AddNumberToObject(g, "n", (double)c->gemm.n);
	cJSON_AddNumberToObject(g, "k", (double)c->gemm.k);
	if (c->gemm.g) {
		cJSON *t = cJSON_AddObjectToObject(o, "tiling");
		cJSON_AddNumberToObject(t, "tm", (double)row->tiling.tm);
		cJSON_AddNumberToObject(t, "tn", (double)row->tiling.tn);
		cJSON_AddNumberToObject(t, "tk", (double)row->tiling.tk);
		cJSON_AddStringToObject(t, "order", map_order_name(row->tiling.order));
	}
	cJSON_AddBoolToObject(o, "feasible", c->feasible);
	if (!c->feasible) {
		cJSON_AddStringToObject(o, "why", c->why);
		return o;
	}
	cJSON_AddNumberToObject(o, "macs", (double)c->macs);
	cJSON_AddNumberToObject(o, "cycles", (double)c->cycles);
	cJSON_AddNumberToObject(o, "cycles_bound", (double)c->cycles_bound);
	cJSON_AddNumberToObject(o, "compute_cycles", (double)c->compute_cycles);
	cJSON_AddNumberToObject(o, "mem_cycles", (double)c->mem_cycles);
	cJSON_AddNumberToObject(o, "stall_cycles", (double)c->stall_cycles);
	cJSON_AddStringToObject(o, "bound", c->memory_bound ? "memory" : "compute");
	cJSON_AddNumberToObject(o, "utilization", c->utilization);
	cJSON_AddNumberToObject(o, "folds", (double)c->folds);
	cJSON *d = cJSON_AddObjectToObject(o, "dram_bytes");
	cJSON_AddNumberToObject(d, "a", (double)c->dram_rd_a);
	cJSON_AddNumberToObject(d, "b", (double)c->dram_rd_b);
	cJSON_AddNumberToObject(d, "c_read", (double)c->dram_rd_c);
	cJSON_AddNumberToObject(d, "c_write", (double)c->dram_wr_c);
	cJSON_AddNumberToObject(d, "total", (double)c->dram_bytes);
	cJSON_AddNumberToObject(o, "dram_requests", (double)c->dram_requests);
	/* buffer <-> array traffic, plus the DRAM fills and drains each buffer takes */
	cJSON *sb = cJSON_AddObjectToObject(o, "sram_bytes");
	cJSON_AddNumberToObject(sb, "ibuf", (double)c->sram_bytes[0]);
	cJSON_AddNumberToObject(sb, "wbuf", (double)c->sram_bytes[1]);
	cJSON_AddNumberToObject(sb, "obuf", (double)c->sram_bytes[2]);
	cJSON *bu = cJSON_AddObjectToObject(o, "buffer_bytes_used");
	cJSON_AddNumberToObject(bu, "ibuf", (double)c->buf_used[0]);
	cJSON_AddNumberToObject(bu, "wbuf", (double)c->buf_used[1]);
	cJSON_AddNumberToObject(bu, "obuf", (double)c->buf_used[2]);
	cJSON *e = cJSON_AddObjectToObject(o, "energy_pj");
	cJSON_AddNumberToObject(e, "mac", c->energy_pj[COST_E_MAC]);
	cJSON_AddNumberToObject(e, "sram", c->energy_pj[COST_E_SRAM]);
	cJSON_AddNumberToObject(e, "dram", c->energy_pj[COST_E_DRAM]);
	cJSON_AddNumberToObject(e, "static", c->energy_pj[COST_E_STATIC]);
	cJSON_AddNumberToObject(e, "total", c->energy_total_pj);
	cJSON *r = cJSON_AddObjectToObject(o, "roofline");
	cJSON_AddNumberToObject(r, "op_intensity", c->op_intensity);
	cJSON_AddNumberToObject(r, "attained_gops", c->attained_gops);
	cJSON_AddNumberToObject(r, "peak_gops", c->peak_gops);
	cJSON_AddNumberToObject(r, "bw_roof_gops", c->bw_roof_gops);
	cJSON_AddStringToObject(r, "binding_roof",
				c->bw_roof_gops < c->peak_gops ? "bandwidth" : "compute");
	return o;
}

static int print_json(const struct arch_net *net, const struct hw_config *hw,
		      const struct cost_net_row *rows, const struct cost_total *tot,
		      const struct hw_resources *res, const struct eval_opts *o, int from_model)
{
	cJSON *root = cJSON_CreateObject();
	char *hwtext = hw_config_to_json(hw);
	cJSON *cost = cJSON_AddObjectToObject(root, "cost");

	cJSON_AddStringToObject(cost, "estimator", estim_kind_name(o->cost.u.kind));
	if (o->cost.lut_path)
		cJSON_AddStringToObject(cost, "file", o->cost.lut_path);
	if (o->cost.pred_path)
		cJSON_AddStringToObject(cost, "file", o->cost.pred_path);
	cJSON_AddNumberToObject(cost, "layers_from_model", o->cost.u.kind == ESTIM_ANALYTICAL ?
				net->n_layers : from_model);
	/* --axi: the AXI top's cycles (without it, the direct top's: nothing added) */
	if (o->axi.dw) {
		cJSON *itf = cJSON_AddObjectToObject(cost, "interface");
		cJSON_AddStringToObject(itf, "top", "axi");
		cJSON_AddNumberToObject(itf, "axi_dw", o->axi.dw);
		cJSON_AddNumberToObject(itf, "axi_maxb", o->axi.maxb);
		cJSON_AddNumberToObject(itf, "axi_maxout", o->axi.maxout);
	}

	cJSON_AddStringToObject(root, "net", net->name);
	cJSON_AddNumberToObject(root, "batch", (double)net->batch);
	cJSON_AddItemToObject(root, "hw", hwtext ? cJSON_Parse(hwtext) : cJSON_CreateNull());
	free(hwtext);
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	for (int i = 0; i < net->n_layers; i++)
		cJSON_AddItemToArray(layers, report_json(&net->layers[i], &rows[i]));
	/* nodes of an imported graph that are no layer: listed, never dropped silently */
	cJSON *skipped = cJSON_AddArrayToObject(root, "not_executed");
	for (int i = 0; i < net->n_skipped; i++) {
		const struct arch_skip *s = &net->skipped[i];
		cJSON *so = cJSON_CreateObject();

		cJSON_AddStringToObject(so, "name", s->name);
		cJSON_AddStringToObject(so, "op", s->op);
		if (s->note[0])
			cJSON_AddStringToObject(so, "note", s->note);
		if (s->unknown)
			cJSON_AddBoolToObject(so, "unknown", 1);
		cJSON_AddItemToArray(skipped, so);
	}
	cJSON *t = cJSON_AddObjectToObject(root, "total");
	cJSON_AddBoolToObject(t, "feasible", tot->feasible && res->fits);
	if (!tot->feasible)
		cJSON_AddStringToObject(t, "why", tot->why);
	else if (!res->fits)
		cJSON_AddStringToObject(t, "why", res->why);
	cJSON_AddNumberToObject(t, "macs", (double)tot->macs);
	cJSON_AddNumberToObject(t, "cycles", (double)tot->cycles);
	cJSON_AddNumberToObject(t, "compute_cycles", (double)tot->compute_cycles);
	cJSON_AddNumberToObject(t, "stall_cycles", (double)tot->stall_cycles);
	cJSON_AddNumberToObject(t, "latency_ms", tot->latency_ms);
	cJSON_AddNumberToObject(t, "gops", tot->gops);
	cJSON_AddNumberToObject(t, "utilization", tot->utilization);
	cJSON_AddNumberToObject(t, "energy_mj", tot->energy_mj);
	cJSON_AddNumberToObject(t, "edp_mj_ms", tot->edp_mj_ms);
	cJSON_AddNumberToObject(t, "dram_bytes", (double)tot->dram_bytes);
	cJSON *r = cJSON_AddObjectToObject(root, "resources");
	cJSON_AddNumberToObject(r, "dsp", (double)res->dsp);
	cJSON_AddNumberToObject(r, "bram36", (double)res->bram36);
	cJSON_AddNumberToObject(r, "lut", (double)res->lut);
	cJSON_AddNumberToObject(r, "ff", (double)res->ff);
	cJSON_AddBoolToObject(r, "fits", res->fits);
	if (!res->fits)
		cJSON_AddStringToObject(r, "why", res->why);
	return cli_print_json(root);
}

static int parse_args(int argc, char **argv, struct eval_opts *o)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_NET, CLI_LONGOPT_HW, CLI_LONGOPT_BATCH, CLI_LONGOPT_ENERGY,
		CLI_LONGOPT_MAPPER, CLI_LONGOPT_COST, { "tiling", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ "calib", required_argument, NULL, 'c' }, { "axi", required_argument, NULL, 'a' },
		{ "skip-unknown-ops", no_argument, NULL, 'u' }, { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	cost_axi_init(&o->axi);
	cli_common_init(&o->c);
	cli_cost_init(&o->cost);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = cli_common_option("eval", c, optarg, &o->c);
		if (taken == 1)
			continue;
		if (taken)
			return taken;
		if (cli_cost_option(c, optarg, &o->cost))
			continue;
		switch (c) {
		case 't': o->tiling = optarg; break;
		case 'c': o->calib = optarg; break;
		case 'a': {
			char why[160];
			if (cli_parse_axi(optarg, &o->axi, why, sizeof(why)))
				return cli_usage_error("eval", "--axi %s: %s", optarg, why);
			break;
		}
		case 'j': o->json = 1; break;
		case 'u': o->skip_unknown = 1; break;
		case 'h': fputs(eval_help, stdout); return -1;
		default:
			return cli_usage_error("eval", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
	if (!o->c.net)
		return cli_usage_error("eval", "--net is required");
	if (cli_cost_finish("eval", &o->cost))
		return CLI_USAGE;
	if (o->cost.u.kind != ESTIM_ANALYTICAL && o->calib)
		return cli_usage_error("eval", "--calib corrects the model's cycles; it does not go "
				       "with --cost %s", o->cost.kind_name);
	if ((o->cost.u.kind == ESTIM_LUT || o->cost.u.kind == ESTIM_GBT) && o->tiling)
		return cli_usage_error("eval", "--tiling does not go with --cost %s (its figures "
				       "were measured under the mapper's tilings)", o->cost.kind_name);
	return cli_common_finish("eval", &o->c);
}

int cmd_eval(int argc, char **argv)
{
	struct eval_opts o;
	struct arch_net net = { 0 };
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct hw_resources res;
	struct hn_err err = { 0 };
	struct map_tilings_file *tfile = NULL;
	struct map_tiling fixed_spec, *fixed = NULL;
	struct map_cache *cache = NULL;
	struct cost_net_row *rows = NULL;
	struct cost_total tot;
	struct cost_calib calib;
	struct cost_net_opts co;
	struct sim_options so;
	char note[800];
	int from_model = 0, ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	ret = CLI_FAIL;
	if (cli_common_load(&o.c, &hw, &e, &err) < 0)
		return cli_error(&err);
	cost_calib_init(&calib);
	if (o.calib && cost_calib_load(o.calib, &calib, &err) < 0)
		return cli_error(&err);
	if (arch_net_resolve_opts(o.c.net, o.c.batch, o.skip_unknown, &net, &err) < 0)
		return cli_error(&err);
	if (o.tiling) {
		if (strchr(o.tiling, '=')) {
			if (map_tiling_parse(o.tiling, &fixed_spec, &err) < 0) {
				hn_err_prefix(&err, "--tiling");
				cli_error(&err);
				goto out_release_net;
			}
			fixed = &fixed_spec;
		} else if (map_tilings_load(o.tiling, &tfile, &err) < 0) {
			cli_error(&err);
			goto out_release_net;
		}
	}
	cache = map_cache_new();
	rows = calloc((size_t)net.n_layers, sizeof(*rows));
	if (!rows || !cache) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	cost_net_opts_init(&co);
	co.mapper = (enum cost_mapper)o.c.mapper;
	co.energy = &e;
	co.calib = o.calib ? &calib : NULL;
	co.axi = o.axi.dw ? &o.axi : NULL;
	co.fixed = fixed;
	co.tilings = tfile;
	co.tilings_origin = o.tiling;
	co.cache = cache;
	if (cost_net(&net, &hw, &co, rows, &tot, &err) < 0) {
		cli_error(&err);
		goto out_free;
	}
	if (o.cost.u.kind != ESTIM_ANALYTICAL) {
		sim_options_init(&so);
		so.on_build = cli_build_notice;
		if (o.cost.u.kind == ESTIM_RTL) {
			cli_catch_stop_signals();
			if (sim_check_hw(&hw, &err) < 0) {
				cli_error(&err);
				goto out_free;
			}
		}
		if (cli_cost_load(&o.cost, o.c.mapper, &e, 0, &so, &err) < 0 ||
		    estim_apply_rows(&o.cost.u, &net, &hw, rows, &tot, &from_model, &err) < 0) {
			cli_error(&err);
			goto out_free;
		}
	}
	cost_note(&o, from_model, net.n_layers, note, sizeof(note));
	if (tot.saturated) {
		fprintf(stderr, "hwnas: %s: the network's totals exceed the model's range (2^63 "
			"cycles or bytes); no figure is printed\n", net.name);
		goto out_free;
	}
	hw_resources(&hw, &res);
	if (o.json) {
		if (print_json(&net, &hw, rows, &tot, &res, &o, from_model) < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
	} else {
		print_table(&net, &hw, rows, &tot, &res, note);
	}
	ret = CLI_OK;
out_free:
	cli_cost_release(&o.cost);
	free(rows);
	map_cache_free(cache);
	map_tilings_free(tfile);
out_release_net:
	arch_net_release(&net);
	return ret;
}
