/* search_json.c: what a run writes: one JSON line per evaluation (evaluations.jsonl),
 * front.json, front.csv and the Verilog parameter header of each front point's accelerator
 * (the -G parameter names of rtl/hwnas_top.v, computed as sim/ computes them). */
#include "search.h"
#include "../sim/sim.h"

#include <cjson/cJSON.h>
#include <limits.h>
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

static cJSON *hw_json(const struct search_space *sp, int t, const struct search_point *pt)
{
	struct hw_config hw;
	char *text;
	cJSON *o;

	search_space_target_hw(sp, t, pt, &hw);
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
	cJSON_AddItemToObject(o, "hw", hw_json(sp, 0, &e->pt));
	if (sp->n_targets) {
		/* the metrics above are the worst case over the targets; each target's here */
		cJSON *ts = cJSON_AddObjectToObject(o, "targets");
		for (int t = 0; t < sp->n_targets; t++) {
			cJSON *x = cJSON_AddObjectToObject(ts, sp->targets[t].name);
			for (int m = 0; m < SEARCH_M_COUNT; m++)
				add_num(x, search_metric_name(m), e->tm[t][m]);
			cJSON_AddItemToObject(x, "hw", hw_json(sp, t, &e->pt));
		}
	}
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

/* The network a point's figures come from, in words. */
static void network_source(const struct search_space *sp, char *buf, size_t size)
{
	if (sp->nn_kind == SEARCH_NN_NB201)
		snprintf(buf, size, "NAS-Bench-201 cell network, %s (arch/arch_nb201.c)",
			 arch_nb201_dataset_name(sp->dataset));
	else if (sp->nn_kind == SEARCH_NN_MBV2)
		snprintf(buf, size, "MobileNetV2-style network (arch/arch_mbspace.c)");
	else if (sp->net_path[0])
		snprintf(buf, size, "network file %s", sp->net_path);
	else
		snprintf(buf, size, "zoo network %s", sp->zoo);
}

/* What produced every figure of the front, so that a reader rebuilds it instead of guessing:
 * the mapper, the cost model's version, the network source, dataset and batch, the energy
 * table, the calibration, and every input file with its hash (the run's identity). */
static cJSON *produced_by(const struct search_space *sp, const struct search_inputs *in)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char text[600];

	cJSON_AddStringToObject(o, "mapper", cost_mapper_name(sp->mapper));
	cJSON_AddNumberToObject(o, "cost_model_version", COST_MODEL_VERSION);
	network_source(sp, text, sizeof(text));
	cJSON_AddStringToObject(o, "network_source", text);
	if (sp->nn_kind == SEARCH_NN_NB201)
		cJSON_AddStringToObject(o, "dataset", arch_nb201_dataset_name(sp->dataset));
	else
		cJSON_AddNullToObject(o, "dataset");
	cJSON_AddNumberToObject(o, "batch", (double)sp->batch);
	cJSON_AddStringToObject(o, "energy", sp->energy_path[0] ? sp->energy_path :
				"default table (hw/hw_energy.c)");
	if (sp->calib_path[0])
		cJSON_AddStringToObject(o, "calibration", sp->calib_path);
	else
		cJSON_AddNullToObject(o, "calibration");
	cJSON_AddStringToObject(o, "fidelity", "model, except points marked \"rtl\" (latency "
				"measured by --rtl)");
	if (!in)
		return o;
	cJSON_AddStringToObject(o, "identity", in->id);
	a = cJSON_AddArrayToObject(o, "inputs");
	for (int i = 0; i < in->n; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "role", in->in[i].role);
		cJSON_AddStringToObject(x, "value", in->in[i].value);
		if (in->in[i].path[0])
			cJSON_AddStringToObject(x, "path", in->in[i].path);
		cJSON_AddItemToArray(a, x);
	}
	return o;
}

/* A file of the space as an absolute path (the command runs in the output folder). */
static const char *absolute(const char *path, char *buf)
{
	return realpath(path, buf) ? buf : path;
}

/* The command that reproduces front point i's latency and energy, run in the output folder
 * (tests/cli/front_repro.sh runs it for every point). */
static void eval_command(const struct search_space *sp, int i, int t, char *buf, size_t size)
{
	char abs[PATH_MAX];
	size_t o = (size_t)snprintf(buf, size, "hwnas eval --net configs/%d.net.json --hw "
				    "configs/%d%s%s.json", i, i, sp->n_targets ? "." : "",
				    search_space_target_name(sp, t));

	if (sp->mapper == COST_MAP_GREEDY && o < size)
		o += (size_t)snprintf(buf + o, size - o, " --mapper greedy");
	if (sp->energy_path[0] && o < size)
		o += (size_t)snprintf(buf + o, size - o, " --energy %s",
				      absolute(sp->energy_path, abs));
	if (sp->calib_path[0] && o < size)
		o += (size_t)snprintf(buf + o, size - o, " --calib %s", absolute(sp->calib_path, abs));
	if (sp->cost[0] && strcmp(sp->cost, "analytical") && o < size) {
		o += (size_t)snprintf(buf + o, size - o, " --cost %s", sp->cost);
		if (sp->cost_path[0] && o < size)
			o += (size_t)snprintf(buf + o, size - o, " --%s %s",
					      !strcmp(sp->cost, "lut") ? "lut" : "predictor",
					      absolute(sp->cost_path, abs));
		if (sp->cost_miss_model && o < size)
			snprintf(buf + o, size - o, " --lut-miss model");
	}
}

char *search_front_to_json(const struct search_space *sp, const struct search_run_result *r,
			   const char *strategy, uint64_t seed, int64_t budget,
			   const struct search_inputs *in)
{
	cJSON *root = cJSON_CreateObject(), *a, *ref;
	char *s;

	cJSON_AddStringToObject(root, "space", sp->name);
	cJSON_AddStringToObject(root, "strategy", strategy);
	cJSON_AddNumberToObject(root, "seed", (double)seed);
	cJSON_AddNumberToObject(root, "budget", (double)budget);
	cJSON_AddNumberToObject(root, "evaluations", (double)r->evaluations);
	cJSON_AddNumberToObject(root, "networks", (double)r->networks);
	cJSON_AddNumberToObject(root, "space_size", (double)search_space_size(sp));
	cJSON_AddStringToObject(root, "formulation", sp->form == SEARCH_PARETO ? "pareto" :
				sp->form == SEARCH_WEIGHTED ? "weighted" : "mnas");
	add_num(root, "hypervolume", r->hypervolume);
	ref = cJSON_AddArrayToObject(root, "objectives");
	if (sp->n_targets) {
		cJSON *ts = cJSON_AddArrayToObject(root, "targets");
		for (int t = 0; t < sp->n_targets; t++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", sp->targets[t].name);
			cJSON_AddStringToObject(x, "device", sp->targets[t].hw_base.device);
			cJSON_AddItemToArray(ts, x);
		}
		cJSON_AddStringToObject(root, "metrics", "per point: the worst case over the "
					"targets (max; accuracy: min); 'targets' holds each target's");
	}
	for (int i = 0; i < sp->n_obj; i++) {
		cJSON *o = cJSON_CreateObject();
		char label[64];
		search_metric_label(sp, sp->obj[i].metric, sp->obj[i].at, label, sizeof(label));
		cJSON_AddStringToObject(o, "metric", label);
		cJSON_AddStringToObject(o, "goal", sp->obj[i].maximize ? "max" : "min");
		add_num(o, "ideal", sp->obj[i].ideal);
		add_num(o, "ref", sp->obj[i].ref);
		cJSON_AddItemToArray(ref, o);
	}
	cJSON_AddItemToObject(root, "produced_by", produced_by(sp, in));
	a = cJSON_AddArrayToObject(root, "points");
	for (int i = 0; i < r->front.n; i++) {
		cJSON *p = eval_json(sp, &r->front.p[i], 0);
		char text[2 * PATH_MAX + 200];
		snprintf(text, sizeof(text), "configs/%d.json", i);
		cJSON_AddStringToObject(p, "config", text);
		snprintf(text, sizeof(text), "configs/%d.net.json", i);
		cJSON_AddStringToObject(p, "network", text);
		/* several targets: the metrics above are the worst case, so each target has its
		 * own command (below), not the point */
		eval_command(sp, i, 0, text, sizeof(text));
		if (!sp->n_targets)
			cJSON_AddStringToObject(p, "reproduce", text);
		for (int t = 0; t < sp->n_targets; t++) {
			/* configs/<i>.json is the first target's, as the plain "hw" */
			cJSON *x = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(p, "targets"), sp->targets[t].name);
			snprintf(text, sizeof(text), "configs/%d.%s.json", i, sp->targets[t].name);
			cJSON_AddStringToObject(x, "config", text);
			eval_command(sp, i, t, text, sizeof(text));
			cJSON_AddStringToObject(x, "reproduce", text);
		}
		cJSON_AddItemToArray(a, p);
	}
	if (r->has_best && sp->form != SEARCH_PARETO)
		cJSON_AddItemToObject(root, "best", eval_json(sp, &r->best, 0));
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

char *search_front_to_csv(const struct search_space *sp, const struct search_front *f)
{
	size_t cap = 512 + (size_t)f->n * (512 + 256 * (size_t)sp->n_targets), o = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	o += (size_t)snprintf(s + o, cap - o, "point,accuracy,latency_ms,energy_mj,dsp,bram,lut,ff,"
			      "macs,arch,pe_rows,pe_cols,dataflow,mac_packing,act_bits,weight_bits,"
			      "ibuf_bytes,wbuf_bytes,obuf_bytes,freq_mhz,fidelity,accuracy_source%s",
			      sp->n_targets ? "" : "\n");
	/* a multi-target space: the columns above are the worst case and the first target's
	 * accelerator; then per target its metrics and accelerator */
	for (int t = 0; t < sp->n_targets && o < cap; t++) {
		const char *n = sp->targets[t].name;
		o += (size_t)snprintf(s + o, cap - o, ",accuracy@%s,latency_ms@%s,energy_mj@%s,dsp@%s,"
				      "bram@%s,lut@%s,hw@%s", n, n, n, n, n, n, n);
	}
	if (sp->n_targets && o < cap)
		o += (size_t)snprintf(s + o, cap - o, "\n");
	for (int i = 0; i < f->n && o < cap; i++) {
		const struct search_eval *e = &f->p[i];
		struct hw_config hw;
		char arch[256];
		search_space_hw(sp, &e->pt, &hw);
		search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
		o += (size_t)snprintf(s + o, cap - o, "%d,%.4f,%.6f,%.6f,%.0f,%.0f,%.0f,%.0f,%.0f,\"%s\","
				      "%d,%d,%s,%s,%d,%d,%lld,%lld,%lld,%g,%s,%s\n", i,
				      e->m[SEARCH_M_ACCURACY], e->m[SEARCH_M_LATENCY_MS],
				      e->m[SEARCH_M_ENERGY_MJ], e->m[SEARCH_M_DSP], e->m[SEARCH_M_BRAM],
				      e->m[SEARCH_M_LUT], e->m[SEARCH_M_FF], e->m[SEARCH_M_MACS], arch,
				      hw.pe_rows, hw.pe_cols, hw_dataflow_name(hw.dataflow),
				      hw_packing_name(hw.mac_packing), hw.act_bits,
				      hw.weight_bits, (long long)hw.ibuf_bytes, (long long)hw.wbuf_bytes,
				      (long long)hw.obuf_bytes, hw.freq_mhz,
				      search_fidelity_name(e->fidelity),
				      search_acc_source_name(e->acc_source));
		if (sp->n_targets && o > 0)
			o--; /* the newline: the targets' columns follow */
		for (int t = 0; t < sp->n_targets && o < cap; t++) {
			const double *m = e->tm[t];
			struct hw_config th;
			search_space_target_hw(sp, t, &e->pt, &th);
			o += (size_t)snprintf(s + o, cap - o, ",%.4f,%.6f,%.6f,%.0f,%.0f,%.0f,"
					      "\"%dx%d %s %d/%db %lldK %gMHz\"",
					      m[SEARCH_M_ACCURACY], m[SEARCH_M_LATENCY_MS],
					      m[SEARCH_M_ENERGY_MJ], m[SEARCH_M_DSP], m[SEARCH_M_BRAM],
					      m[SEARCH_M_LUT], th.pe_rows, th.pe_cols,
					      hw_dataflow_name(th.dataflow), th.act_bits, th.weight_bits,
					      (long long)(th.ibuf_bytes / 1024), th.freq_mhz);
		}
		if (sp->n_targets && o < cap)
			o += (size_t)snprintf(s + o, cap - o, "\n");
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
	/* The synthesised accelerator, whose DSP and BRAM the front reports (hw_resources):
	 * dense buffer depths, as `hwnas synth` builds it (sim_synth_params_from_hw), not the
	 * one-word-per-element depths of the simulation, which would take up to lanes x the
	 * memory. */
	sim_synth_params_from_hw(hw, &p);
	snprintf(s, cap,
		 "// Generated by hwnas explore: %s\n"
		 "// The -G parameters of rtl/hwnas_top.v for this accelerator as `hwnas synth` builds\n"
		 "// it (dense buffers: a half holds capacity / word bits words), the design whose\n"
		 "// DSP and BRAM the front reports. Clock %g MHz, DRAM %g GB/s, device %s: not RTL\n"
		 "// parameters.\n"
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
		 "localparam ONB = %d;\n"
		 "localparam PACK = %d; // mac_packing: 0 none, 1 dsp2, 2 dsp4, 3 lut\n",
		 comment, hw->freq_mhz, hw->dram_gbps, hw->device[0] ? hw->device : "none", p.rows,
		 p.cols, p.df, p.a_bits, p.w_bits, p.acc_bits, p.dbuf, (long long)p.idepth,
		 (long long)p.wdepth, (long long)p.odepth, p.inb, p.wnb, p.onb, p.pack);
	return s;
}

char *search_transfer_to_json(const struct search_space *sp, const struct search_transfer *t)
{
	cJSON *root = cJSON_CreateObject(), *a;
	char *s;

	cJSON_AddStringToObject(root, "space", sp->name);
	cJSON_AddStringToObject(root, "metric", search_metric_name(t->metric));
	cJSON_AddStringToObject(root, "definition", "for each ordered pair (from, to): the networks "
				"on from's exact (accuracy, metric) front, each at its best config on "
				"'to' (lowest metric), against the lowest metric any network reaches on "
				"'to' at the same or better accuracy; loss_pct = (m_to / best_to - 1) x "
				"100 (docs/search.md \"Transfer loss\")");
	cJSON_AddNumberToObject(root, "networks", (double)t->networks);
	cJSON_AddNumberToObject(root, "evaluations", (double)t->evaluations);
	cJSON_AddNumberToObject(root, "seconds", t->seconds);
	add_num(root, "accuracy_ref", t->acc_ref);
	a = cJSON_AddArrayToObject(root, "targets");
	for (int i = 0; i < t->n_targets; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", sp->targets[i].name);
		cJSON_AddNumberToObject(x, "front", t->front_size[i]);
		add_num(x, "metric_ref", t->ref[i]);
		cJSON_AddItemToArray(a, x);
	}
	a = cJSON_AddArrayToObject(root, "pairs");
	for (int p = 0; p < t->n_pairs; p++) {
		const struct search_transfer_pair *pr = &t->pairs[p];
		cJSON *x = cJSON_CreateObject(), *rows;
		cJSON_AddStringToObject(x, "from", sp->targets[pr->from].name);
		cJSON_AddStringToObject(x, "to", sp->targets[pr->to].name);
		cJSON_AddNumberToObject(x, "picked", pr->picked);
		cJSON_AddNumberToObject(x, "infeasible_on_to", pr->infeasible);
		add_num(x, "mean_loss_pct", pr->mean_loss_pct);
		add_num(x, "max_loss_pct", pr->max_loss_pct);
		add_num(x, "hypervolume_own", pr->hv_own);
		add_num(x, "hypervolume_from_picks", pr->hv_picked);
		add_num(x, "kendall_tau", t->kendall_tau[pr->from][pr->to]);
		rows = cJSON_AddArrayToObject(x, "networks");
		for (int i = 0; i < t->n_rows; i++) {
			const struct search_transfer_row *r = &t->rows[i];
			struct search_point pt = { { 0 } };
			uint64_t nn = r->nn;
			char arch[256];
			cJSON *y;
			if (r->from != pr->from || r->to != pr->to)
				continue;
			for (int d = 0; d < sp->n_nn_dims; d++) {
				pt.c[d] = (uint8_t)(nn % (uint64_t)sp->dims[d].n);
				nn /= (uint64_t)sp->dims[d].n;
			}
			search_space_describe_nn(sp, &pt, arch, sizeof(arch));
			y = cJSON_CreateObject();
			cJSON_AddStringToObject(y, "arch", arch);
			add_num(y, "accuracy_from", r->acc_a);
			add_num(y, "metric_from", r->m_a);
			add_num(y, "accuracy_to", r->acc_b);
			add_num(y, "metric_to", r->m_b);
			add_num(y, "best_to", r->best_b);
			add_num(y, "loss_pct", r->loss_pct);
			cJSON_AddItemToArray(rows, y);
		}
		cJSON_AddItemToArray(a, x);
	}
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}
