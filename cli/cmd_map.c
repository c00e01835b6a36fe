/* hwnas map: the optimal tiling of every layer (GLPK MILP, docs/mapping.md), with buffer
 * occupancy, DRAM traffic per tensor, cycles, solver time and status; --exhaustive checks it
 * against brute force. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

static const char map_help[] =
"usage: hwnas map --net NET [--hw FILE] [options]\n"
"\n"
"The optimal tiling (tile sizes tm, tn, tk and loop order) of every layer of NET on the\n"
"accelerator in FILE (docs/mapping.md): a GLPK MILP over the model's closed-form bound,\n"
"finished on its exact latency, or an enumeration of the candidates the bound leaves when\n"
"they are few; proven optimal either way: minimum latency, then DRAM bytes, then energy,\n"
"within the buffers. Per layer: the tiling, buffer occupancy, DRAM bytes per tensor,\n"
"cycles, solver time and status, cache hit (with --layer also how it was found: method\n"
"in --json); then totals.\n"
"\n"
"  --net NET         a zoo name (hwnas zoo list) or a network file (.json, SCALE-Sim .csv,\n"
"                    ONNX .onnx)\n"
"  --hw FILE         accelerator config JSON (docs/hw_config.md); default: the built-in\n"
"                    16x16 WS ZCU102 config\n"
"  --layer NAME      only this layer\n"
"  --batch N         batch size (default: 1 for zoo networks, a network file's own; an\n"
"                    ONNX file's symbolic batch dimension takes it, else 1)\n"
"  --energy FILE     energy-per-action table JSON (it breaks ties)\n"
"  --mapper NAME     'glpk' (the optimal mapper, the default) or 'greedy' (the largest tiles\n"
"                    that fit, docs/model.md): with --exhaustive, how far it is from optimal\n"
"  --time-limit S    GLPK time limit per layer in seconds (default 10; 0 = none)\n"
"  --gap G           relative MIP gap accepted (default 0: proven optimal)\n"
"  --exhaustive      also enumerate tilings by brute force and compare (slow: layers with\n"
"                    more than 4 million fitting tile triples are enumerated over the\n"
"                    candidate tile sizes only, marked 'cand')\n"
"  --json            JSON on stdout instead of the table\n"
"  -h, --help        this text\n"
"\n"
"example:\n"
"  hwnas map --net resnet18 --hw examples/zcu102_ws_16x16.json --layer layer1.0.conv1\n"
"\n"
"exit: 0 ok (also when a layer fits no tiling: see 'feasible'), 1 bad input, solver\n"
"failure, or --exhaustive found a tiling better than the mapper's (fewer cycles, or as\n"
"few and fewer DRAM bytes; expected only with --mapper greedy, --gap or a --time-limit\n"
"that stopped GLPK),\n"
"2 usage\n";

struct map_opts {
	struct cli_common c;            /* --net, --hw, --batch, --energy */
	int json;
	struct map_check_opts mc;       /* --mapper, --layer, --exhaustive, --time-limit, --gap */
};

static int parse_args(int argc, char **argv, struct map_opts *o)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_NET, CLI_LONGOPT_HW, CLI_LONGOPT_BATCH, CLI_LONGOPT_ENERGY,
		CLI_LONGOPT_MAPPER, { "layer", required_argument, NULL, 'l' },
		{ "time-limit", required_argument, NULL, 't' }, { "gap", required_argument, NULL, 'g' },
		{ "exhaustive", no_argument, NULL, 'x' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(o, 0, sizeof(*o));
	cli_common_init(&o->c);
	map_options_default(&o->mc.mo);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = cli_common_option("map", c, optarg, &o->c);
		if (taken == 1)
			continue;
		if (taken)
			return taken;
		switch (c) {
		case 'l': o->mc.layer = optarg; break;
		case 'x': o->mc.exhaustive = 1; break;
		case 'j': o->json = 1; break;
		case 't':
			if (cli_parse_double(optarg, 0, 86400, &o->mc.mo.time_limit_s) < 0)
				return cli_usage_error("map", "--time-limit must be seconds in 0..86400, "
						       "got '%s'", optarg);
			break;
		case 'g':
			if (cli_parse_double(optarg, 0, 1, &o->mc.mo.mip_gap) < 0)
				return cli_usage_error("map", "--gap must be a number in 0..1, got '%s'",
						       optarg);
			break;
		case 'h': fputs(map_help, stdout); return -1;
		default:
			return cli_usage_error("map", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("map", "unexpected argument '%s'", argv[optind]);
	if (!o->c.net)
		return cli_usage_error("map", "--net is required");
	ret = cli_common_finish("map", &o->c);
	o->mc.mapper = (enum cost_mapper)o->c.mapper;
	return ret;
}

static const char *const buf_names[3] = { "ibuf", "wbuf", "obuf" };

static void print_table(const struct arch_net *net, const struct hw_config *hw,
			const struct map_opts *o, const struct map_check_row *rows, int n,
			const struct cost_total *tot, double solve_ms, int hits)
{
	const int64_t bufs[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	char b1[32], b2[32];
	int agree = 0, compared = 0;

	printf("%s on %dx%d %s, buffers %lld/%lld/%lld B%s, %.1f GB/s at %.0f MHz, mapper %s\n\n",
	       net->name, hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow),
	       (long long)bufs[0], (long long)bufs[1], (long long)bufs[2],
	       hw->double_buffer ? " (double-buffered)" : "", hw->dram_gbps, hw->freq_mhz,
	       cost_mapper_name((enum cost_mapper)o->c.mapper));
	printf("%-26s %-20s %-18s %-23s %-29s %12s %9s %-9s %s\n", "layer", "gemm g x m x n x k",
	       "tiling tm,tn,tk", "buffers used i/w/o %", "DRAM bytes A / B / C", "cycles",
	       "solve ms", "status", o->mc.exhaustive ? "exhaustive" : "");
	for (int i = 0; i < n; i++) {
		const struct map_result *r = &rows[i].r;
		const struct cost_report *c = &r->cost;
		char dims[48], til[40], occ[40], dram[48], ex[96] = "";
		if (!c->gemm.g) {
			printf("%-26.26s (%s, no MACs: vector unit, no tiling) %12lld\n", rows[i].l->name,
			       arch_kind_name(rows[i].l->kind), (long long)c->cycles);
			continue;
		}
		snprintf(dims, sizeof(dims), "%lldx%lldx%lldx%lld", (long long)c->gemm.g,
			 (long long)c->gemm.m, (long long)c->gemm.n, (long long)c->gemm.k);
		if (!r->feasible) {
			printf("%-26.26s %-20s infeasible: %s\n", rows[i].l->name, dims, r->why);
			continue;
		}
		snprintf(til, sizeof(til), "%lld,%lld,%lld %s", (long long)r->tiling.tm,
			 (long long)r->tiling.tn, (long long)r->tiling.tk,
			 map_order_name(r->tiling.order));
		snprintf(occ, sizeof(occ), "%.0f/%.0f/%.0f", 100.0 * (double)c->buf_used[0] / (double)bufs[0],
			 100.0 * (double)c->buf_used[1] / (double)bufs[1],
			 100.0 * (double)c->buf_used[2] / (double)bufs[2]);
		snprintf(dram, sizeof(dram), "%lld / %lld / %lld", (long long)c->dram_rd_a,
			 (long long)c->dram_rd_b, (long long)(c->dram_rd_c + c->dram_wr_c));
		if (rows[i].has_brute) {
			const struct cost_report *bc = &rows[i].b.cost;
			int same = bc->cycles == c->cycles && bc->dram_bytes == c->dram_bytes;
			compared++;
			agree += same;
			/* over the candidates only, brute force can lose to the mapper, which also
			 * visits the classes' interiors */
			snprintf(ex, sizeof(ex), "%lld (%s, %.0f ms) %s", (long long)bc->cycles,
				 rows[i].brute_full ? "all" : "cand", rows[i].b.solve_ms,
				 same ? "agree" : map_check_brute_better(&rows[i]) ? "BRUTE BETTER" :
				 rows[i].brute_full ? "differ" : "mapper better");
		}
		printf("%-26.26s %-20s %-18s %-23s %-29s %12lld %9.2f %-9s %s%s\n", rows[i].l->name, dims,
		       til, occ, dram, (long long)c->cycles, r->solve_ms,
		       map_status_name(r->solver_status), r->from_cache ? "(cached) " : "", ex);
		if (o->mc.layer)
			printf("  buffers: %s %lld B, %s %lld B, %s %lld B; DRAM bytes: A %lld, B %lld, "
			       "C read %lld, C written %lld; compute %lld, memory %lld cycles, %s-bound; "
			       "closed-form bound %lld cycles; found by %s, gap %.3g\n", buf_names[0], (long long)c->buf_used[0], buf_names[1],
			       (long long)c->buf_used[1], buf_names[2], (long long)c->buf_used[2],
			       (long long)c->dram_rd_a, (long long)c->dram_rd_b, (long long)c->dram_rd_c,
			       (long long)c->dram_wr_c, (long long)c->compute_cycles,
			       (long long)c->mem_cycles, c->memory_bound ? "memory" : "compute",
			       (long long)c->cycles_bound, map_method_name(r), r->gap);
	}
	printf("\ntotal: %s cycles (%.4f ms), DRAM %s bytes, energy %.4f mJ; solver %.1f ms, "
	       "%d cache hits\n", cli_thousands(tot->cycles, b1, sizeof(b1)), tot->latency_ms,
	       cli_thousands(tot->dram_bytes, b2, sizeof(b2)), tot->energy_mj, solve_ms, hits);
	if (o->mc.exhaustive)
		printf("exhaustive: %d of %d layers agree with brute force\n", agree, compared);
	if (!tot->feasible)
		printf("infeasible: %s\n", tot->why);
}

static int print_json(const struct arch_net *net, const char *hwname, const struct map_opts *o,
		      const struct map_check_row *rows, int n, const struct cost_total *tot,
		      double solve_ms, int hits)
{
	cJSON *root = cJSON_CreateObject();
	int64_t ex_cycles = 0;

	cJSON_AddStringToObject(root, "net", net->name);
	cJSON_AddStringToObject(root, "hw", hwname);
	cJSON_AddStringToObject(root, "mapper", cost_mapper_name((enum cost_mapper)o->c.mapper));
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	for (int i = 0; i < n; i++) {
		const struct map_result *r = &rows[i].r;
		const struct cost_report *c = &r->cost;
		cJSON *L = cJSON_CreateObject();
		cJSON_AddItemToArray(layers, L);
		cJSON_AddStringToObject(L, "name", rows[i].l->name);
		cJSON_AddBoolToObject(L, "feasible", r->feasible);
		if (!r->feasible)
			cJSON_AddStringToObject(L, "why", r->why);
		if (c->gemm.g && r->feasible) {
			cJSON *t = cJSON_AddObjectToObject(L, "tiling");
			cJSON_AddNumberToObject(t, "tm", (double)r->tiling.tm);
			cJSON_AddNumberToObject(t, "tn", (double)r->tiling.tn);
			cJSON_AddNumberToObject(t, "tk", (double)r->tiling.tk);
			cJSON_AddStringToObject(t, "order", map_order_name(r->tiling.order));
			cJSON *b = cJSON_AddObjectToObject(L, "buffers");
			for (int k = 0; k < 3; k++)
				cJSON_AddNumberToObject(b, buf_names[k], (double)c->buf_used[k]);
		}
		cJSON_AddNumberToObject(L, "cycles", (double)c->cycles);
		cJSON_AddNumberToObject(L, "dram_bytes", (double)c->dram_bytes);
		cJSON *d = cJSON_AddObjectToObject(L, "dram");
		cJSON_AddNumberToObject(d, "a", (double)c->dram_rd_a);
		cJSON_AddNumberToObject(d, "b", (double)c->dram_rd_b);
		cJSON_AddNumberToObject(d, "c_read", (double)c->dram_rd_c);
		cJSON_AddNumberToObject(d, "c_write", (double)c->dram_wr_c);
		cJSON_AddNumberToObject(L, "solver_ms", r->solve_ms);
		cJSON_AddStringToObject(L, "status", map_status_name(r->solver_status));
		cJSON_AddStringToObject(L, "method", map_method_name(r));
		cJSON_AddNumberToObject(L, "cycles_bound", (double)c->cycles_bound);
		cJSON_AddNumberToObject(L, "gap", r->gap);
		cJSON_AddBoolToObject(L, "cached", r->from_cache);
		if (rows[i].has_brute) {
			cJSON_AddNumberToObject(L, "exhaustive_cycles", (double)rows[i].b.cost.cycles);
			cJSON_AddNumberToObject(L, "exhaustive_dram_bytes",
						(double)rows[i].b.cost.dram_bytes);
			cJSON_AddStringToObject(L, "exhaustive_scope", rows[i].brute_full ? "all" :
						"candidates");
			cJSON_AddNumberToObject(L, "exhaustive_ms", rows[i].b.solve_ms);
			cJSON_AddBoolToObject(L, "brute_better", map_check_brute_better(&rows[i]));
			ex_cycles += rows[i].b.cost.cycles;
		} else if (o->mc.exhaustive) {
			cJSON_AddNumberToObject(L, "exhaustive_cycles", (double)c->cycles);
			ex_cycles += c->cycles;
		}
	}
	cJSON *t = cJSON_AddObjectToObject(root, "total");
	cJSON_AddBoolToObject(t, "feasible", tot->feasible);
	cJSON_AddNumberToObject(t, "cycles", (double)tot->cycles);
	cJSON_AddNumberToObject(t, "latency_ms", tot->latency_ms);
	cJSON_AddNumberToObject(t, "dram_bytes", (double)tot->dram_bytes);
	cJSON_AddNumberToObject(t, "energy_mj", tot->energy_mj);
	cJSON_AddNumberToObject(t, "solver_ms", solve_ms);
	cJSON_AddNumberToObject(t, "cache_hits", hits);
	if (o->mc.exhaustive)
		cJSON_AddNumberToObject(t, "exhaustive_cycles", (double)ex_cycles);
	return cli_print_json(root);
}

int cmd_map(int argc, char **argv)
{
	struct map_opts o;
	struct arch_net net = { 0 };
	struct hw_config hw = hw_config_default();
	struct hw_energy e = hw_energy_default();
	struct hn_err err = { 0, "" };
	struct map_cache *cache = NULL;
	struct map_check_row *rows = NULL;
	struct cost_total tot;
	double solve_ms = 0;
	int n = 0, warned = 0;
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? CLI_OK : ret;
	if (cli_common_load(&o.c, &hw, &e, &err) < 0)
		return cli_error(&err);
	if (arch_net_resolve(o.c.net, o.c.batch, &net, &err) < 0)
		return cli_error(&err);
	ret = CLI_FAIL;
	cache = map_cache_new();
	rows = calloc((size_t)net.n_layers + 1, sizeof(*rows));
	if (!rows || !cache) {
		fprintf(stderr, "hwnas: out of memory\n");
		goto out_free;
	}
	if (map_check_net(&net, &hw, &e, &o.mc, cache, rows, &n, &tot, &err) < 0) {
		cli_error(&err);
		goto out_free;
	}
	for (int i = 0; i < n; i++) {
		solve_ms += rows[i].r.solve_ms;
		if (rows[i].has_brute && !rows[i].brute_full && !warned++)
			fprintf(stderr, "hwnas map: --exhaustive: layers with more than %.0f fitting "
				"tile triples are enumerated over the candidate tile sizes only "
				"(docs/mapping.md)\n", MAP_CHECK_FULL_MAX);
	}
	if (o.mc.layer && n == 0) {
		fprintf(stderr, "hwnas: network '%s' has no layer '%s'\n", net.name, o.mc.layer);
		goto out_free;
	}
	if (tot.saturated) {
		fprintf(stderr, "hwnas: %s: the network's totals exceed the model's range (2^63 "
			"cycles or bytes); no figure is printed\n", net.name);
		goto out_free;
	}
	if (o.json) {
		if (print_json(&net, o.c.hw ? o.c.hw : "default", &o, rows, n, &tot, solve_ms,
			       (int)map_cache_hits(cache)) < 0) {
			fprintf(stderr, "hwnas: out of memory\n");
			goto out_free;
		}
	} else {
		print_table(&net, &hw, &o, rows, n, &tot, solve_ms, (int)map_cache_hits(cache));
	}
	ret = CLI_OK;
	for (int i = 0; i < n; i++) {
		if (!map_check_brute_better(&rows[i]))
			continue;
		fprintf(stderr, "hwnas map: --exhaustive: brute force beat the mapper on layer '%s': "
			"%lld cycles, %lld DRAM bytes vs %lld, %lld (status %s)\n", rows[i].l->name,
			(long long)rows[i].b.cost.cycles, (long long)rows[i].b.cost.dram_bytes,
			(long long)rows[i].r.cost.cycles, (long long)rows[i].r.cost.dram_bytes,
			map_status_name(rows[i].r.solver_status));
		ret = CLI_FAIL;
	}
out_free:
	free(rows);
	map_cache_free(cache);
	arch_net_release(&net);
	return ret;
}
