/* hwnas compile: a network as the AXI top's DRAM image (programs, packed weights and
 * parameters, memory map, manifest); the library part is sim_compile_net (sim/sim_compile.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"
#include "../sim/sim.h"

static const char compile_help[] =
"usage: hwnas compile --net NET --hw FILE --out DIR [options]\n"
"\n"
"Compiles NET for the AXI top of the accelerator (rtl/hwnas_axi.v): per conv, FC and\n"
"matmul layer the binary tile program (192-byte DMA and 32-byte compute records), the\n"
"layer's weights packed at the DRAM tensor plan's offsets, its output-stage parameters\n"
"(16-byte records) and a seeded input, all in one DRAM image from address 0. Writes:\n"
"  DIR/dram.bin            the image (load it at DRAM address 0)\n"
"  DIR/manifest.json       the memory map: per layer the lists' addresses and counts and\n"
"                          where A, B (weights), C (output tensor), partial sums and\n"
"                          parameters sit; the RTL parameters; the seed\n"
"  DIR/layer<i>.dma.bin    layer i's DMA list, DIR/layer<i>.cmp.bin its compute list\n"
"  DIR/layer<i>.expect.bin the outputs the C reference computes (act bytes each)\n"
"Weights, inputs and parameters are random values from --seed (those of 'hwnas sim').\n"
"Pool and add layers are listed but not compiled yet (the AXI top runs them).\n"
"The format is docs/deploy.md's (\"Program format\", \"hwnas compile\").\n"
"\n"
"  --net NET        a zoo name or a network file with a graph (inputs, outputs)\n"
"  --hw FILE        accelerator config JSON\n"
"  --out DIR        output folder (created)\n"
"  --batch N        batch size (default: 1 for zoo networks, a file's own)\n"
"  --mapper NAME    tiling per layer: 'glpk' (the default) or 'greedy'\n"
"  --seed N         seed of the random weights, inputs and parameters (default 1)\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas compile --net tests/data/nets/res_block.json \\\n"
"      --hw examples/pynq_z1_ws_8x8_int8.json --out res_block\n"
"\n"
"exit: 0 compiled, 1 an error (bad input, no tiling fits, unwritable folder), 2 usage\n";

int cmd_compile(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_NET, CLI_LONGOPT_HW, CLI_LONGOPT_BATCH, CLI_LONGOPT_MAPPER,
		{ "out", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cli_common cc;
	struct sim_compile_options so;
	struct sim_compile_report rep;
	struct hw_config hw;
	struct arch_net net;
	struct hn_err err = { 0 };
	const char *out = NULL;
	int c, ncomp = 0;
	int64_t v;

	cli_common_init(&cc);
	sim_compile_options_init(&so);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = cli_common_option("compile", c, optarg, &cc);
		if (taken == 1)
			continue;
		if (taken)
			return taken;
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			if (cli_parse_i64(optarg, 0, INT64_MAX, &v))
				return cli_usage_error("compile", "--seed must be a non-negative integer, got '%s'", optarg);
			so.seed = (uint64_t)v;
			break;
		case 'h': fputs(compile_help, stdout); return CLI_OK;
		default:
			return cli_usage_error("compile", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("compile", "unexpected argument '%s'", argv[optind]);
	if (!cc.net)
		return cli_usage_error("compile", "--net is required");
	if (!cc.hw)
		return cli_usage_error("compile", "--hw is required");
	if (!out)
		return cli_usage_error("compile", "--out is required");
	if (cli_common_finish("compile", &cc))
		return CLI_USAGE;
	so.mapper = (enum cost_mapper)cc.mapper;
	if (cli_common_load(&cc, &hw, NULL, &err) < 0)
		return cli_error(&err);
	if (arch_net_resolve(cc.net, cc.batch, &net, &err) < 0)
		return cli_error(&err);
	if (sim_compile_net(&net, &hw, &so, out, &rep, &err) < 0) {
		arch_net_release(&net);
		return cli_error(&err);
	}
	printf("%s on %dx%d %s, %d/%d/%d bits: %s/dram.bin, %llu bytes\n\n", net.name,
	       hw.pe_rows, hw.pe_cols, hw_dataflow_name(hw.dataflow), hw.act_bits, hw.weight_bits,
	       hw.acc_bits, out, (unsigned long long)rep.bytes);
	printf("%-4s %-24s %-22s %8s %8s %12s %12s\n", "#", "layer", "tiling tm,tn,tk order",
	       "dma recs", "cmp recs", "dma list at", "model cycles");
	for (int i = 0; i < rep.n; i++) {
		const struct sim_compile_layer *l = &rep.layers[i];
		char til[48];
		if (!l->compiled) {
			printf("%-4d %-24.24s not compiled: %s\n", i, net.layers[i].name, l->why);
			continue;
		}
		ncomp++;
		snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)l->tiling.tm,
			 (long long)l->tiling.tn, (long long)l->tiling.tk,
			 map_order_name(l->tiling.order));
		printf("%-4d %-24.24s %-22s %8lld %8lld %#12llx %12lld\n", i, net.layers[i].name, til,
		       (long long)l->map.ndq, (long long)l->map.ncq, (unsigned long long)l->map.dq,
		       (long long)l->model_cycles);
	}
	printf("\n%d of %d layers compiled; memory map: programs 0x0, tensor plan %#llx (%llu "
	       "bytes), parameters %#llx, scratch %#llx; %s/manifest.json\n", ncomp, rep.n,
	       (unsigned long long)rep.tensors_at, (unsigned long long)rep.tensors_bytes,
	       (unsigned long long)rep.params_at, (unsigned long long)rep.scratch_at, out);
	sim_compile_report_release(&rep);
	arch_net_release(&net);
	return CLI_OK;
}
