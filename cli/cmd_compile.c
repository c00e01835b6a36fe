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
#include "../driver/hwnas_drv.h"   /* the record sizes */

static const char compile_help[] =
"usage: hwnas compile --net NET --hw FILE --out DIR [options]\n"
"\n"
"Compiles NET for the AXI top of the accelerator (rtl/hwnas_axi.v) into one DRAM image\n"
"from address 0: binary tile programs (192-byte DMA and 32-byte compute records), every\n"
"tensor NHWC at its own address (the network inputs seeded), each layer's weights, partial\n"
"sums and output-stage parameters (16-byte records). The program is the WHOLE network:\n"
"one DMA list and one compute list that the driver starts once, each layer reading the\n"
"tensors the layers before it wrote (the top walks conv and pool windows over them; pool\n"
"and add run on its vector unit). Writes:\n"
"  DIR/dram.bin            the image (load it at DRAM address 0)\n"
"  DIR/manifest.json       the memory map: the lists' addresses and counts, every tensor's\n"
"                          address, per layer its records in the lists, its weights,\n"
"                          partial sums and parameters; the RTL parameters; the seed\n"
"  DIR/program.dma.bin     the DMA list, DIR/program.cmp.bin the compute list\n"
"  DIR/expect.bin          the tensor region as a correct run leaves it (every tensor the\n"
"                          C reference chain computes, act bytes each)\n"
"A network with a layer that does not run in a chain (a matmul of two activations, an fc\n"
"reading the first token only) is compiled one program per conv, FC and matmul layer\n"
"instead (DIR/layer<i>.dma.bin, .cmp.bin, .expect.bin, each started on its own; the\n"
"manifest says which layer and why).\n"
"Weights, inputs and parameters are random values from --seed (those of 'hwnas sim').\n"
"The format is docs/deploy.md's (\"Program format\", \"hwnas compile\").\n"
"\n"
"  --net NET        a zoo name or a network file with a graph (inputs, outputs)\n"
"  --hw FILE        accelerator config JSON\n"
"  --out DIR        output folder (created)\n"
"  --batch N        batch size (default: 1 for zoo networks, a file's own)\n"
"  --mapper NAME    tiling per layer: 'glpk' (the default) or 'greedy'\n"
"  --axi DW[,MAXB[,MAXOUT]]\n"
"                   choose each tiling for the AXI top at this bus (the fastest of the\n"
"                   mapper's tiling and its variants, as 'hwnas eval --axi'; model cycles\n"
"                   then the AXI model's of the layer alone); default: the mapper's tiling,\n"
"                   the one 'hwnas sim --whole --axi' runs\n"
"  --seed N         seed of the random weights, inputs and parameters (default 1)\n"
"  -h, --help       this text\n"
"\n"
"example:\n"
"  hwnas compile --net tests/data/nets/whole_pw_fc.json \\\n"
"      --hw examples/pynq_z1_ws_8x8_int8.json --out pw_fc\n"
"\n"
"exit: 0 compiled, 1 an error (bad input, no tiling fits, unwritable folder), 2 usage\n";

/* The whole-network form: one program, its records per layer. */
static void print_whole(const struct arch_net *net, const struct sim_compile_report *rep,
			const char *out)
{
	int64_t model = 0;

	printf("%-4s %-24s %-22s %14s %14s %12s\n", "#", "layer", "tiling tm,tn,tk order",
	       "dma records", "cmp records", "model cycles");
	for (int i = 0; i < rep->n; i++) {
		const struct sim_compile_layer *l = &rep->layers[i];
		char til[48], d[48], c[48];
		if (arch_gemm(&net->layers[i]).g == 0)
			snprintf(til, sizeof(til), "vector unit");
		else
			snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)l->tiling.tm,
				 (long long)l->tiling.tn, (long long)l->tiling.tk,
				 map_order_name(l->tiling.order));
		const long long d0 = (long long)((l->map.dq - rep->dq) / HND_DMA_RECORD);
		const long long c0 = (long long)((l->map.cq - rep->cq) / HND_CMP_RECORD);
		snprintf(d, sizeof(d), "%lld..%lld", d0, d0 + (long long)l->map.ndq - 1);
		if (l->map.ncq)
			snprintf(c, sizeof(c), "%lld..%lld", c0, c0 + (long long)l->map.ncq - 1);
		else
			snprintf(c, sizeof(c), "-");
		printf("%-4d %-24.24s %-22s %14s %14s %12lld\n", i, net->layers[i].name, til, d, c,
		       (long long)l->model_cycles);
		model += l->model_cycles;
	}
	printf("\nthe whole network as one program (one start of the driver): DMA list at %#llx "
	       "(%lld records), compute list at %#llx (%lld records); tensors %#llx (%llu bytes, "
	       "%d tensors), weights and parameters %#llx; model %lld cycles; %s/manifest.json\n",
	       (unsigned long long)rep->dq, (long long)rep->ndq, (unsigned long long)rep->cq,
	       (long long)rep->ncq, (unsigned long long)rep->tensors_at,
	       (unsigned long long)rep->tensors_bytes, rep->n_tensors,
	       (unsigned long long)rep->scratch_at, (long long)model, out);
}

int cmd_compile(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_NET, CLI_LONGOPT_HW, CLI_LONGOPT_BATCH, CLI_LONGOPT_MAPPER,
		{ "out", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
		{ "axi", required_argument, NULL, 'a' },
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
		case 'a': {
			char why[160];
			if (cli_parse_axi(optarg, &so.axi, why, sizeof(why)))
				return cli_usage_error("compile", "--axi %s: %s", optarg, why);
			break;
		}
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
	if (rep.whole) {
		print_whole(&net, &rep, out);
		goto out_release;
	}
	printf("not one program for the whole network: %s\n\n", rep.why_whole);
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
out_release:
	sim_compile_report_release(&rep);
	arch_net_release(&net);
	return CLI_OK;
}
