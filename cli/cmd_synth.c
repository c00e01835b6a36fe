/* hwnas synth: Yosys synthesis of the RTL accelerator for a config, its DSP, BRAM, LUT and FF
 * beside the resource model's estimates (docs/synthesis.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../hw/hw.h"
#include "../sim/sim.h"

static const char synth_help[] =
"usage: hwnas synth [--hw FILE] [--axi | --bundle DIR] [--json] [--timeout S] [--no-cache]\n"
"\n"
"Synthesizes the Verilog accelerator (rtl/) with the config's parameters using Yosys\n"
"`synth_xilinx` for its device's family (zynqmp, alveo, no device: -family xcup; zynq7,\n"
"virtex7: -family xc7) and prints the DSP slices, block RAMs (BRAM36; a RAMB18 counts as\n"
"half), LUTs (logic, LUTRAM and shift registers) and flip-flops it uses beside the resource\n"
"model's estimates (hwnas eval, docs/resources.md) and the model's error.\n"
"\n"
"Buffers get dense depths (capacity / word bits), not the one-word-per-element depths of\n"
"`hwnas sim`. A 4x4 array takes about a minute, 16x16 several; results are cached per\n"
"parameter set in $HWNAS_CACHE, $XDG_CACHE_HOME/hwnas or ~/.cache/hwnas (synth-<hash>.stat,\n"
"with the Yosys log beside it). $HWNAS_YOSYS names another yosys executable.\n"
"\n"
"  --hw FILE        accelerator config JSON; default: the built-in 16x16 WS config\n"
"  --timeout S      wall-clock limit of the synthesis in seconds (default 1800)\n"
"  --no-cache       synthesize again even when a cached result exists\n"
"  --axi            the AXI top (rtl/hwnas_axi.v: 64-bit bus, bursts of 16, 16 outstanding)\n"
"                   instead of hwnas_top (docs/deploy.md)\n"
"  --bundle DIR     an export bundle as it is (explore's configs/<i>/: the files of its\n"
"                   rtl_files.txt, top hwnas_accel); pass its hw.json as --hw\n"
"  --json           JSON on stdout instead of the table\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas synth --hw tests/data/synth/xcup_ws_2x2_int8.json\n"
"\n"
"exit: 0 synthesized, 1 an error (bad config, Yosys failed or timed out: the message names\n"
"its log), 2 usage\n";

/* (model - synth) / synth in percent; 0 when both are 0, +inf when only synth is 0. */
static double diff_pct(double model, double synth)
{
	if (synth == 0)
		return model == 0 ? 0.0 : INFINITY;
	return 100.0 * (model - synth) / synth;
}

static void print_table(const struct hw_config *hw, const struct sim_synth_result *r,
			const struct hw_resources *m)
{
	const struct sim_rtl_params *p = &r->params;
	const struct { const char *what; double synth, model; } row[] = {
		{ "DSP", (double)r->stat.dsp, (double)m->dsp },
		{ "BRAM36", (double)r->stat.bram36_x2 / 2.0, (double)m->bram36 },
		{ "LUT", (double)r->stat.lut, (double)m->lut },
		{ "FF", (double)r->stat.ff, (double)m->ff },
	};

	printf("%dx%d %s, %d/%d/%d bits, mac_packing %s, %s buffers %lld/%lld/%lld B, device %s "
	       "(-family %s)\n", hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow),
	       hw->act_bits, hw->weight_bits, hw->acc_bits, hw_packing_name(hw->mac_packing),
	       hw->double_buffer ? "double" : "single",
	       (long long)hw->ibuf_bytes, (long long)hw->wbuf_bytes, (long long)hw->obuf_bytes,
	       hw->device[0] ? hw->device : "none", r->family);
	printf("RTL: depths %lld/%lld/%lld words per half, DMA beats %d/%d/%d words\n\n",
	       (long long)p->idepth, (long long)p->wdepth, (long long)p->odepth, p->inb, p->wnb,
	       p->onb);
	printf("%-8s %10s %10s %9s\n", "", "synthesis", "model", "model err");
	for (size_t i = 0; i < sizeof(row) / sizeof(row[0]); i++) {
		double d = diff_pct(row[i].model, row[i].synth);
		char s[32];
		if (row[i].synth == floor(row[i].synth))
			snprintf(s, sizeof(s), "%.0f", row[i].synth);
		else
			snprintf(s, sizeof(s), "%.1f", row[i].synth);
		if (isinf(d))
			printf("%-8s %10s %10.0f %9s\n", row[i].what, s, row[i].model, "n/a");
		else
			printf("%-8s %10s %10.0f %+8.1f%%\n", row[i].what, s, row[i].model, d);
	}
	printf("\nsynthesis: RAMB36 %lld, RAMB18 %lld; LUT %lld logic + %lld LUTRAM/SRL; "
	       "carry %lld; %.0f s%s\nlog: %s\n", (long long)r->stat.ramb36,
	       (long long)r->stat.ramb18, (long long)r->stat.lut_logic,
	       (long long)r->stat.lut_mem, (long long)r->stat.carry, r->seconds,
	       r->cached ? " (cached)" : "", r->log_path);
}

static void add_pct(cJSON *o, const char *key, double model, double synth)
{
	double d = diff_pct(model, synth);

	if (isinf(d))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, d);
}

static int print_json(const struct hw_config *hw, const struct sim_synth_result *r,
		      const struct hw_resources *m, const char *top)
{
	const struct sim_rtl_params *p = &r->params;
	cJSON *root = cJSON_CreateObject(), *o;
	double bram = (double)r->stat.bram36_x2 / 2.0;

	o = cJSON_AddObjectToObject(root, "hw");
	cJSON_AddNumberToObject(o, "pe_rows", hw->pe_rows);
	cJSON_AddNumberToObject(o, "pe_cols", hw->pe_cols);
	cJSON_AddStringToObject(o, "dataflow", hw_dataflow_name(hw->dataflow));
	cJSON_AddNumberToObject(o, "act_bits", hw->act_bits);
	cJSON_AddNumberToObject(o, "weight_bits", hw->weight_bits);
	cJSON_AddNumberToObject(o, "acc_bits", hw->acc_bits);
	cJSON_AddStringToObject(o, "mac_packing", hw_packing_name(hw->mac_packing));
	cJSON_AddStringToObject(o, "device", hw->device);
	cJSON_AddStringToObject(root, "family", r->family);
	cJSON_AddStringToObject(root, "top", top);
	o = cJSON_AddObjectToObject(root, "rtl_params");
	cJSON_AddNumberToObject(o, "idepth", (double)p->idepth);
	cJSON_AddNumberToObject(o, "wdepth", (double)p->wdepth);
	cJSON_AddNumberToObject(o, "odepth", (double)p->odepth);
	cJSON_AddNumberToObject(o, "inb", p->inb);
	cJSON_AddNumberToObject(o, "wnb", p->wnb);
	cJSON_AddNumberToObject(o, "onb", p->onb);
	o = cJSON_AddObjectToObject(root, "synth");
	cJSON_AddNumberToObject(o, "dsp", (double)r->stat.dsp);
	cJSON_AddNumberToObject(o, "bram36", bram);
	cJSON_AddNumberToObject(o, "lut", (double)r->stat.lut);
	cJSON_AddNumberToObject(o, "ff", (double)r->stat.ff);
	cJSON_AddNumberToObject(o, "ramb36", (double)r->stat.ramb36);
	cJSON_AddNumberToObject(o, "ramb18", (double)r->stat.ramb18);
	cJSON_AddNumberToObject(o, "lut_logic", (double)r->stat.lut_logic);
	cJSON_AddNumberToObject(o, "lut_mem", (double)r->stat.lut_mem);
	cJSON_AddNumberToObject(o, "carry", (double)r->stat.carry);
	o = cJSON_AddObjectToObject(root, "model");
	cJSON_AddNumberToObject(o, "dsp", (double)m->dsp);
	cJSON_AddNumberToObject(o, "bram36", (double)m->bram36);
	cJSON_AddNumberToObject(o, "lut", (double)m->lut);
	cJSON_AddNumberToObject(o, "ff", (double)m->ff);
	o = cJSON_AddObjectToObject(root, "model_error_pct");
	add_pct(o, "dsp", (double)m->dsp, (double)r->stat.dsp);
	add_pct(o, "bram36", (double)m->bram36, bram);
	add_pct(o, "lut", (double)m->lut, (double)r->stat.lut);
	add_pct(o, "ff", (double)m->ff, (double)r->stat.ff);
	cJSON_AddBoolToObject(root, "cached", r->cached);
	cJSON_AddNumberToObject(root, "seconds", r->seconds);
	cJSON_AddStringToObject(root, "log", r->log_path);
	return cli_print_json(root) < 0 ? CLI_FAIL : CLI_OK;
}

int cmd_synth(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_HW,
		{ "timeout", required_argument, NULL, 't' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "axi", no_argument, NULL, 'a' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_synth_options opt;
	struct sim_synth_result r;
	struct hw_resources m;
	struct hw_config hw;
	struct hn_err err = { 0 };
	struct cli_common com;
	int json = 0, c;

	sim_synth_options_init(&opt);
	opt.on_build = cli_build_notice;
	cli_common_init(&com);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = cli_common_option("synth", c, optarg, &com);
		if (taken == 1)
			continue;
		if (taken)
			return taken;
		switch (c) {
		case 't':
			if (cli_parse_double(optarg, 1e-6, 1e9, &opt.timeout_s))
				return cli_usage_error("synth", "--timeout must be a positive number "
						       "of seconds, got '%s'", optarg);
			break;
		case 'n':
			opt.no_cache = 1;
			break;
		case 'b':
			opt.bundle_dir = optarg;
			break;
		case 'a':
			/* the AXI top as an exported bundle builds it (docs/deploy.md) */
			opt.axi_dw = 64;
			opt.axi_maxb = 16;
			opt.axi_maxout = 16;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(synth_help, stdout);
			return CLI_OK;
		default:
			return cli_usage_error("synth", "unknown or incomplete option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
	if (cli_common_load(&com, &hw, NULL, &err) < 0)
		return cli_error(&err);
	cli_catch_stop_signals(); /* yosys stops with its whole process group */
	if (sim_synth_run(&hw, &opt, &r, &err))
		return cli_error(&err);
	if (opt.axi_dw > 0 || opt.bundle_dir) {
		/* the AXI top: fewer DSPs, the staging memory's BRAM, the AXI master's, slave's
		 * and glue's LUTs and FFs on its bus (docs/deploy.md "Synthesis of the AXI top") */
		struct hw_axi_bus bus = { opt.axi_dw, opt.axi_maxb, opt.axi_maxout };
		struct hw_axi_shape shape;
		int64_t alut, aff;
		if (opt.bundle_dir) {
			struct sim_axi_options ao;
			if (sim_export_bundle_bus(opt.bundle_dir, &ao, &err))
				return cli_error(&err);
			bus.dw = ao.dw;
			bus.maxb = ao.maxb;
			bus.maxout = ao.maxout;
		}
		hw_axi_resources(&hw, &bus, &m);
		hw_axi_shape_of(&hw, &bus, &shape);
		hw_axi_logic(&shape, &alut, &aff);
		if (!json)
			printf("AXI top (%d-bit bus, bursts of %d, %d outstanding): the model's DSP "
			       "less %lld (the DMA's byte-count product, not built through AXI), BRAM "
			       "with the AXI master's staging memory (%lld BRAM18 halves), LUT and FF "
			       "with the AXI master's, slave's and glue's (%lld LUT, %lld FF)\n\n",
			       bus.dw, bus.maxb, bus.maxout, (long long)hw_axi_dsp_delta(&hw),
			       (long long)hw_axi_staging_bram_halves(&hw), (long long)alut,
			       (long long)aff);
	} else {
		hw_resources(&hw, &m);
	}
	if (json)
		return print_json(&hw, &r, &m, opt.bundle_dir ? "hwnas_accel" :
				  opt.axi_dw > 0 ? "hwnas_axi" : "hwnas_top");
	print_table(&hw, &r, &m);
	return CLI_OK;
}
