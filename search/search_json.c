/* search_json.c: what a run writes: one JSON line per evaluation (evaluations.jsonl),
 * front.json, front.csv and the Verilog parameter header of each front point's accelerator
 * (the -G parameter names of rtl/hwnas_top.v, computed as sim/ computes them). */
#include "search.h"
#include "../sim/sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *hw_json(const struct search_space *sp, const struct search_point *pt)
{
	struct hw_config hw;
	char *text;
	cJSON *o;

	search_space_hw(sp, pt, &hw);
	text = hw_config_to_json(&hw);
	o = text ? cJSON_Parse(text) : NULL;
	free(text);
	return o ? o : cJSON_CreateNull();
}

static cJSON *eval_json(const struct search_space *sp, const struct search_eval *e, int full)
{
	cJSON *o = cJSON_CreateObject();
	char arch[256];

	search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
	if (full)
		cJSON_AddNumberToObject(o, "seq", (double)e->seq);
	cJSON_AddNumberToObject(o, "index", (double)e->index);
	add_num(o, "accuracy", e->m[SEARCH_M_ACCURACY]);
	add_num(o, "latency_ms", e->m[SEARCH_M_LATENCY_MS]);
	add_num(o, "energy_mj", e->m[SEARCH_M_ENERGY_MJ]);
	add_num(o, "edp", e->m[SEARCH_M_EDP]);
	add_num(o, "dsp", e->m[SEARCH_M_DSP]);
	add_num(o, "bram", e->m[SEARCH_M_BRAM]);
	add_num(o, "lut", e->m[SEARCH_M_LUT]);
	add_num(o, "ff", e->m[SEARCH_M_FF]);
	add_num(o, "macs", e->m[SEARCH_M_MACS]);
	if (sp->form != SEARCH_PARETO)
		add_num(o, "score", e->score);
	cJSON_AddStringToObject(o, "arch", arch);
	cJSON_AddItemToObject(o, "hw", hw_json(sp, &e->pt));
	cJSON_AddStringToObject(o, "fidelity", search_fidelity_name(e->fidelity));
	cJSON_AddStringToObject(o, "accuracy_source", search_acc_source_name(e->acc_source));
	if (e->acc_penalty > 0) {
		add_num(o, "accuracy_before_quantisation", e->acc_raw);
		add_num(o, "quantisation_penalty", e->acc_penalty);
		cJSON_AddStringToObject(o, "quantisation_penalty_source", "assumption");
	}
	cJSON_AddBoolToObject(o, "feasible", e->feasible);
	if (!e->feasible)
		cJSON_AddStringToObject(o, "why", e->why);
	if (full) {
		cJSON *ch = cJSON_AddObjectToObject(o, "choices");
		for (int d = 0; d < sp->n_dims; d++)
			cJSON_AddNumberToObject(ch, sp->dims[d].name, e->pt.c[d]);
	}
	return o;
}

char *search_eval_to_json_line(const struct search_space *sp, const struct search_eval *e)
{
	cJSON *o = eval_json(sp, e, 1);
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	return s;
}

char *search_front_to_json(const struct search_space *sp, const struct search_run_result *r,
			   const char *strategy, uint64_t seed, int64_t budget)
{
	cJSON *root = cJSON_CreateObject(), *a, *ref;
	char *s;

	cJSON_AddStringToObject(root, "space", sp->name);
	cJSON_AddStringToObject(root, "strategy", strategy);
	cJSON_AddNumberToObject(root, "seed", (double)seed);
	cJSON_AddNumberToObject(root, "budget", (double)budget);
	cJSON_AddNumberToObject(root, "evaluations", (double)r->evaluations);
	cJSON_AddNumberToObject(root, "space_size", (double)search_space_size(sp));
	cJSON_AddStringToObject(root, "formulation", sp->form == SEARCH_PARETO ? "pareto" :
				sp->form == SEARCH_WEIGHTED ? "weighted" : "mnas");
	add_num(root, "hypervolume", r->hypervolume);
	ref = cJSON_AddArrayToObject(root, "objectives");
	for (int i = 0; i < sp->n_obj; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "metric", search_metric_name(sp->obj[i].metric));
		cJSON_AddStringToObject(o, "goal", sp->obj[i].maximize ? "max" : "min");
		add_num(o, "ideal", sp->obj[i].ideal);
		add_num(o, "ref", sp->obj[i].ref);
		cJSON_AddItemToArray(ref, o);
	}
	a = cJSON_AddArrayToObject(root, "points");
	for (int i = 0; i < r->front.n; i++)
		cJSON_AddItemToArray(a, eval_json(sp, &r->front.p[i], 0));
	if (r->has_best && sp->form != SEARCH_PARETO)
		cJSON_AddItemToObject(root, "best", eval_json(sp, &r->best, 0));
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

char *search_front_to_csv(const struct search_space *sp, const struct search_front *f)
{
	size_t cap = 512 + (size_t)f->n * 512, o = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	o += (size_t)snprintf(s + o, cap - o, "point,accuracy,latency_ms,energy_mj,dsp,bram,lut,ff,"
			      "macs,arch,pe_rows,pe_cols,dataflow,act_bits,weight_bits,ibuf_bytes,"
			      "wbuf_bytes,obuf_bytes,freq_mhz,fidelity,accuracy_source\n");
	for (int i = 0; i < f->n && o < cap; i++) {
		const struct search_eval *e = &f->p[i];
		struct hw_config hw;
		char arch[256];
		search_space_hw(sp, &e->pt, &hw);
		search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
		o += (size_t)snprintf(s + o, cap - o, "%d,%.4f,%.6f,%.6f,%.0f,%.0f,%.0f,%.0f,%.0f,\"%s\","
				      "%d,%d,%s,%d,%d,%lld,%lld,%lld,%g,%s,%s\n", i,
				      e->m[SEARCH_M_ACCURACY], e->m[SEARCH_M_LATENCY_MS],
				      e->m[SEARCH_M_ENERGY_MJ], e->m[SEARCH_M_DSP], e->m[SEARCH_M_BRAM],
				      e->m[SEARCH_M_LUT], e->m[SEARCH_M_FF], e->m[SEARCH_M_MACS], arch,
				      hw.pe_rows, hw.pe_cols, hw_dataflow_name(hw.dataflow), hw.act_bits,
				      hw.weight_bits, (long long)hw.ibuf_bytes, (long long)hw.wbuf_bytes,
				      (long long)hw.obuf_bytes, hw.freq_mhz,
				      search_fidelity_name(e->fidelity),
				      search_acc_source_name(e->acc_source));
	}
	return s;
}

char *search_hw_to_verilog(const struct hw_config *hw, const char *comment)
{
	struct sim_rtl_params p;
	size_t cap = 2048;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	sim_rtl_params_from_hw(hw, &p);
	snprintf(s, cap,
		 "// Generated by hwnas explore: %s\n"
		 "// The -G parameters of rtl/hwnas_top.v for this accelerator (sim/ derives them the\n"
		 "// same way). Clock %g MHz, DRAM %g GB/s, device %s: not RTL parameters.\n"
		 "localparam ROWS = %d;\n"
		 "localparam COLS = %d;\n"
		 "localparam DF = %d; // 0 ws, 1 os, 2 is\n"
		 "localparam A_BITS = %d;\n"
		 "localparam W_BITS = %d;\n"
		 "localparam ACC_BITS = %d;\n"
		 "localparam DBUF = %d;\n"
		 "localparam IDEPTH = %lld;\n"
		 "localparam WDEPTH = %lld;\n"
		 "localparam ODEPTH = %lld;\n"
		 "localparam INB = %d;\n"
		 "localparam WNB = %d;\n"
		 "localparam ONB = %d;\n",
		 comment, hw->freq_mhz, hw->dram_gbps, hw->device[0] ? hw->device : "none", p.rows,
		 p.cols, p.df, p.a_bits, p.w_bits, p.acc_bits, p.dbuf, (long long)p.idepth,
		 (long long)p.wdepth, (long long)p.odepth, p.inb, p.wnb, p.onb);
	return s;
}
