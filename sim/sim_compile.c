/* sim_compile.c: `hwnas compile`, a network as the AXI top's DRAM (docs/deploy.md "hwnas
 * compile"): every MAC layer's tile program (the records of driver/hwnas_drv.h), its packed
 * weights and output-stage parameters for seeded random values, its seeded input, the memory
 * map (the network's weights and activations where arch_plan_build puts them), a manifest,
 * and the outputs the C reference expects. Prints nothing. */
#include "sim_int.h"
#include "../driver/hwnas_drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ALIGN 4096

static uint64_t align_up(uint64_t v) { return (v + ALIGN - 1) & ~(uint64_t)(ALIGN - 1); }

void sim_compile_options_init(struct sim_compile_options *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->mapper = COST_MAP_GLPK;
	cost_axi_init(&o->axi);
}

void sim_compile_report_release(struct sim_compile_report *r)
{
	free(r->layers);
	free(r->tensor_addr);
	free(r->tensor_elems);
	memset(r, 0, sizeof(*r));
}

/* A JSON string body (quotes and backslashes escaped, control characters dropped). */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The manifest's fields common to both forms, up to "latency_cycles". */
static void manifest_head(FILE *f, const struct arch_net *net, const struct hw_config *hw,
			  const struct sim_rtl_params *rp, const struct sim_compile_options *o,
			  const struct sim_compile_report *r)
{
	/* program version 3: the records of HND_ID_VALUE ("HNA3", docs/deploy.md) */
	fprintf(f, "{\n  \"format\": \"hwnas-compile\",\n  \"version\": 2,\n"
		"  \"program_version\": 3,\n  \"id\": \"0x%08x\",\n  \"net\": ", HND_ID_VALUE);
	json_str(f, net->name);
	fprintf(f, ",\n  \"batch\": %lld,\n  \"seed\": %llu,\n  \"mapper\": \"%s\",\n",
		(long long)net->batch, (unsigned long long)o->seed,
		cost_mapper_name(o->mapper));
	/* the bus the tilings were chosen for (null: the mapper's, the direct top's choice) */
	if (o->axi.dw)
		fprintf(f, "  \"tilings_for_axi\": {\"dw\": %d, \"maxb\": %d, \"maxout\": %d},\n",
			o->axi.dw, o->axi.maxb, o->axi.maxout);
	else
		fprintf(f, "  \"tilings_for_axi\": null,\n");
	fprintf(f, "  \"rtl\": {\"ROWS\": %d, \"COLS\": %d, \"DF\": %d, \"A_BITS\": %d, "
		"\"W_BITS\": %d, \"ACC_BITS\": %d, \"PACK\": %d, \"DBUF\": %d, \"INB\": %d, "
		"\"WNB\": %d, \"ONB\": %d},\n", rp->rows, rp->cols, rp->df, rp->a_bits, rp->w_bits,
		rp->acc_bits, rp->pack, rp->dbuf, rp->inb, rp->wnb, rp->onb);
	fprintf(f, "  \"dram\": {\"file\": %s, \"base\": 0, \"bytes\": %llu, "
		"\"programs\": %llu, \"tensors\": %llu, \"tensors_bytes\": %llu, "
		"\"params\": %llu, \"scratch\": %llu},\n",
		o->program_only ? "null" : "\"dram.bin\"",
		(unsigned long long)r->bytes, (unsigned long long)r->programs_at,
		(unsigned long long)r->tensors_at, (unsigned long long)r->tensors_bytes,
		(unsigned long long)r->params_at, (unsigned long long)r->scratch_at);
	fprintf(f, "  \"data\": %s,\n", o->program_only ? "\"none: programs and memory map only; "
		"the final stores' zero point is 0 and their clamp the whole act_bits range\"" :
		"\"seeded random weights, inputs and parameters\"");
	fprintf(f, "  \"bw_bytes_per_cycle\": %.17g,\n  \"latency_cycles\": %d,\n",
		hw_dram_bytes_per_cycle(hw), hw->dram_latency_cycles);
	fprintf(f, "  \"record_bytes\": {\"dma\": %d, \"cmp\": %d, \"param\": %d},\n",
		HND_DMA_RECORD, HND_CMP_RECORD, HND_PARAM_RECORD);
	fprintf(f, "  \"whole\": %s,\n", r->whole ? "true" : "false");
	if (!r->whole) {
		fprintf(f, "  \"why_not_whole\": ");
		json_str(f, r->why_whole);
		fprintf(f, ",\n");
	}
}

/* The per-layer form: one program per compiled layer. */
/* A layer's partial sums and parameter records, the end of its manifest entry. */
static void manifest_tail(FILE *f, const struct sim_axi_map *m, int more)
{
	fprintf(f, "\"partial\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d}, "
		"\"params\": {\"addr\": %llu, \"records\": %lld, \"bytes\": %d}}%s\n",
		(unsigned long long)m->p, (long long)m->np, m->cb, (unsigned long long)m->q,
		(long long)m->nq, HND_PARAM_RECORD, more ? "," : "");
}

static int write_manifest(const char *path, const struct arch_net *net,
			  const struct hw_config *hw, const struct sim_rtl_params *rp,
			  const struct sim_compile_options *o, const struct sim_compile_report *r,
			  struct hn_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	manifest_head(f, net, hw, rp, o, r);
	fprintf(f, "  \"layers\": [\n");
	for (int i = 0; i < r->n; i++) {
		const struct sim_compile_layer *c = &r->layers[i];
		const struct sim_axi_map *m = &c->map;
		fprintf(f, "    {\"index\": %d, \"name\": ", i);
		json_str(f, net->layers[i].name);
		fprintf(f, ", \"kind\": \"%s\", \"compiled\": %s", arch_kind_name(net->layers[i].kind),
			c->compiled ? "true" : "false");
		if (!c->compiled) {
			fprintf(f, ", \"why\": ");
			json_str(f, c->why);
			fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
			continue;
		}
		fprintf(f, ", \"tiling\": {\"tm\": %lld, \"tn\": %lld, \"tk\": %lld, \"order\": \"%s\"}"
			", \"macs\": %lld, \"model_cycles\": %lld,\n", (long long)c->tiling.tm,
			(long long)c->tiling.tn, (long long)c->tiling.tk,
			map_order_name(c->tiling.order), (long long)c->macs,
			(long long)c->model_cycles);
		fprintf(f, "     \"dma\": {\"addr\": %llu, \"count\": %lld, \"file\": \"layer%d.dma.bin\"}, "
			"\"cmp\": {\"addr\": %llu, \"count\": %lld, \"file\": \"layer%d.cmp.bin\"},\n",
			(unsigned long long)m->dq, (long long)m->ndq, i, (unsigned long long)m->cq,
			(long long)m->ncq, i);
		fprintf(f, "     \"a\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d, "
			"\"what\": \"%s\"},\n", (unsigned long long)m->a, (long long)m->na, m->ab,
			net->layers[i].kind == ARCH_CONV ? "im2col of the input (seeded)" :
			"the input (seeded)");
		fprintf(f, "     \"b\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d, "
			"\"what\": \"%s\"},\n", (unsigned long long)m->b, (long long)m->nb, m->wb,
			c->b_in_plan ? "weights (tensor plan)" : "second operand (scratch)");
		fprintf(f, "     \"c\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d, "
			"\"what\": \"output tensor (tensor plan)\", \"expect\": ",
			(unsigned long long)m->c, (long long)m->nc, m->ab);
		if (o->program_only)
			fprintf(f, "null},\n");
		else
			fprintf(f, "\"layer%d.expect.bin\"},\n", i);
		fputs("     ", f);
		manifest_tail(f, m, i + 1 < r->n);
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f))
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Writes bytes [at, at + n) of img (which starts at DRAM byte 0) to dir/name. */
static int write_part(const char *dir, const char *name, const uint8_t *img, uint64_t at,
		      uint64_t n, struct hn_err *err)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return sim_write_file(path, img + at, (size_t)n, err);
}

/* The whole-network form's manifest: the two lists, the tensors, per layer its records'
 * slots and its private regions. */
static int write_manifest_whole(const char *path, const struct arch_net *net,
				const struct hw_config *hw, const struct sim_rtl_params *rp,
				const struct sim_compile_options *o,
				const struct sim_compile_report *r, struct hn_err *err)
{
	FILE *f = fopen(path, "w");
	const int ab = (rp->a_bits + 7) / 8;

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	manifest_head(f, net, hw, rp, o, r);
	fprintf(f, "  \"program\": {\"dma\": {\"addr\": %llu, \"count\": %lld, \"file\": "
		"\"program.dma.bin\"}, \"cmp\": {\"addr\": %llu, \"count\": %lld, \"file\": "
		"\"program.cmp.bin\"}},\n", (unsigned long long)r->dq, (long long)r->ndq,
		(unsigned long long)r->cq, (long long)r->ncq);
	if (o->program_only)
		fprintf(f, "  \"expect\": null,\n");
	else
		fprintf(f, "  \"expect\": {\"file\": \"expect.bin\", \"addr\": %llu, \"bytes\": "
			"%llu, \"what\": \"the tensor region as a correct run leaves it\"},\n",
			(unsigned long long)r->tensors_at, (unsigned long long)r->tensors_bytes);
	fprintf(f, "  \"tensors\": [\n");
	for (int t = 0; t < r->n_tensors; t++) {
		const int in = t < net->n_inputs;
		fprintf(f, "    {\"name\": ");
		json_str(f, in ? net->inputs[t].name : net->layers[t - net->n_inputs].name);
		fprintf(f, ", \"what\": \"%s\", \"addr\": %llu, \"elements\": %lld, "
			"\"bytes\": %d, \"layout\": \"NHWC\"}%s\n", in ? "network input" :
			"layer output", (unsigned long long)r->tensor_addr[t],
			(long long)r->tensor_elems[t], ab, t + 1 < r->n_tensors ? "," : "");
	}
	fprintf(f, "  ],\n  \"layers\": [\n");
	for (int i = 0; i < r->n; i++) {
		const struct sim_compile_layer *c = &r->layers[i];
		const struct sim_axi_map *m = &c->map;
		const struct arch_layer *l = &net->layers[i];
		fprintf(f, "    {\"index\": %d, \"name\": ", i);
		json_str(f, l->name);
		fprintf(f, ", \"kind\": \"%s\", \"compiled\": true, \"tiling\": ",
			arch_kind_name(l->kind));
		if (arch_gemm(l).g == 0)
			fprintf(f, "null");   /* one vector request */
		else
			fprintf(f, "{\"tm\": %lld, \"tn\": %lld, \"tk\": %lld, \"order\": \"%s\"}",
				(long long)c->tiling.tm, (long long)c->tiling.tn,
				(long long)c->tiling.tk, map_order_name(c->tiling.order));
		fprintf(f, ", \"macs\": %lld, \"model_cycles\": %lld,\n", (long long)c->macs,
			(long long)c->model_cycles);
		fprintf(f, "     \"dma\": {\"first\": %lld, \"count\": %lld, \"addr\": %llu}, "
			"\"cmp\": {\"first\": %lld, \"count\": %lld, \"addr\": %llu},\n",
			(long long)((m->dq - r->dq) / HND_DMA_RECORD), (long long)m->ndq,
			(unsigned long long)m->dq, (long long)((m->cq - r->cq) / HND_CMP_RECORD),
			(long long)m->ncq, (unsigned long long)m->cq);
		fprintf(f, "     \"reads\": [");
		for (int j = 0; j < l->n_in; j++) {
			int t = sim_whole_tensor_of(net, l->in[j]);
			json_str(f, t < net->n_inputs ? net->inputs[t].name :
				 net->layers[t - net->n_inputs].name);
			fputs(j + 1 < l->n_in ? ", " : "", f);
		}
		fprintf(f, "], \"writes\": ");
		json_str(f, l->name);
		fprintf(f, ",\n     \"b\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d, "
			"\"what\": \"weights\"}, ", (unsigned long long)m->b, (long long)m->nb, m->wb);
		manifest_tail(f, m, i + 1 < r->n);
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f))
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

static int compile_per_layer(const struct arch_net *net, const struct hw_config *hw,
			     const struct sim_rtl_params *rpp, const struct sim_compile_options *o,
			     const char *out_dir, struct sim_compile_report *r, struct hn_err *err);

/* The tiling rule of both forms (cost_net_layer): the mapper's, or with o->axi's bus the
 * AXI top's choice with A read as the form reads it (im2col 1: the host's matrix, 0: the
 * windows walked); *a holds the bus co points to. */
static void compile_net_opts(const struct sim_compile_options *o, int im2col, struct cost_axi *a,
			     struct cost_net_opts *co)
{
	cost_net_opts_init(co);
	co->mapper = o->mapper;
	*a = o->axi;
	a->im2col = im2col;
	co->axi = a->dw ? a : NULL;
}

/* The whole network as one program (sim_whole_axi_layout): dram.bin, the two lists,
 * expect.bin, the manifest. */
static int compile_whole(const struct arch_net *net, const struct hw_config *hw,
			 const struct sim_rtl_params *rp, const struct sim_compile_options *o,
			 const char *out_dir, struct sim_compile_report *r, struct hn_err *err)
{
	struct sim_options so;
	struct cost_net_opts co;
	struct cost_axi a;
	struct sim_whole_img w;
	struct sim_whole_axi_map m;
	struct sim_whole_layer *wl = calloc((size_t)net->n_layers + 1, sizeof(*wl));
	uint8_t *img = NULL, *exp = NULL;
	char path[1200];
	int ret;

	memset(&m, 0, sizeof(m));
	memset(&w, 0, sizeof(w));
	if (!wl)
		return hn_fail(err, HN_ENOMEM, "out of memory for %d layers", net->n_layers);
	sim_options_init(&so);
	so.seed = o->seed;
	compile_net_opts(o, 0, &a, &co);
	ret = sim_whole_img_build(net, hw, rp, &so, &co, SIM_WHOLE_AXI_FLAGS |
				  (o->program_only ? SIM_PROG_NO_DATA : 0), NULL, wl, &w, err);
	if (ret == 1)
		ret = HN_EINVAL;
	if (ret || (ret = sim_whole_axi_layout(net, &w, rp, &m, &img, err)))
		goto out_free;
	r->whole = 1;
	r->n = net->n_layers;
	r->n_tensors = w.T;
	r->layers = calloc((size_t)r->n + 1, sizeof(*r->layers));
	r->tensor_addr = calloc((size_t)w.T + 1, sizeof(*r->tensor_addr));
	r->tensor_elems = calloc((size_t)w.T + 1, sizeof(*r->tensor_elems));
	if (!r->layers || !r->tensor_addr || !r->tensor_elems) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory for %d layers", r->n);
		goto out_free;
	}
	r->bytes = m.end;
	r->programs_at = r->dq = m.dq;
	r->cq = m.cq;
	r->ndq = m.ndq;
	r->ncq = m.ncq;
	r->tensors_at = m.tensors;
	r->tensors_bytes = m.tensors_end - m.tensors;
	r->params_at = r->scratch_at = m.priv;
	for (int t = 0; t < w.T; t++) {
		r->tensor_addr[t] = m.tb[t];
		r->tensor_elems[t] = w.off[t + 1] - w.off[t];
	}
	for (int s = 0; s < w.L; s++) {
		struct sim_compile_layer *c = &r->layers[w.order[s]];
		c->compiled = 1;
		c->b_in_plan = 0;
		c->tiling = wl[s].tiling;
		c->model_cycles = wl[s].cost.cycles;
		c->macs = wl[s].cost.macs;
		c->map = m.lm[s];
	}
	if (!o->program_only) {
		/* the tensor region after a correct run: every tensor of the reference chain */
		exp = calloc((size_t)r->tensors_bytes + 1, 1);
		if (!exp) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory for the expected tensors");
			goto out_free;
		}
		for (int t = 0; t < w.T; t++)
			for (int64_t j = 0; j < r->tensor_elems[t]; j++)
				sim_whole_axi_put(exp + (m.tb[t] - m.tensors) +
						  (uint64_t)j * (uint64_t)m.ab,
						  w.g.expect[w.off[t] + j], m.ab);
		if ((ret = write_part(out_dir, "dram.bin", img, 0, m.end, err)) ||
		    (ret = write_part(out_dir, "expect.bin", exp, 0, r->tensors_bytes, err)))
			goto out_free;
	}
	if ((ret = write_part(out_dir, "program.dma.bin", img, m.dq,
			      (uint64_t)m.ndq * HND_DMA_RECORD, err)) ||
	    (ret = write_part(out_dir, "program.cmp.bin", img, m.cq,
			      (uint64_t)m.ncq * HND_CMP_RECORD, err)))
		goto out_free;
	snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
	ret = write_manifest_whole(path, net, hw, rp, o, r, err);
out_free:
	free(wl);
	free(img);
	free(exp);
	sim_whole_axi_map_release(&m);
	sim_whole_img_release(&w);
	return ret;
}

int sim_compile_net(const struct arch_net *net, const struct hw_config *hw,
		    const struct sim_compile_options *o, const char *out_dir,
		    struct sim_compile_report *r, struct hn_err *err)
{
	struct sim_rtl_params rp;
	struct stat sb;
	char why[200];
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = sim_check_rtl(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	if ((ret = sim_axi_check(&rp, err)))
		return ret;
	if (stat(out_dir, &sb) != 0 && mkdir(out_dir, 0777) != 0)
		return hn_fail(err, HN_EIO, "--out %s: cannot create the folder: %s", out_dir,
			       strerror(errno));
	if (!net->graph)
		return hn_fail(err, HN_EINVAL, "%s: compile needs a graph network (inputs, outputs "
			       "and each layer's 'inputs', docs/network_format.md \"Graphs\") to "
			       "place its tensors", net->name);
	/* the whole network in one start when the AXI top can run every layer in a chain */
	for (int i = 0; i < net->n_layers; i++)
		if (sim_whole_axi_chainable(&net->layers[i], why, sizeof(why))) {
			snprintf(r->why_whole, sizeof(r->why_whole), "layers[%d] '%s': %s", i,
				 net->layers[i].name, why);
			return compile_per_layer(net, hw, &rp, o, out_dir, r, err);
		}
	ret = compile_whole(net, hw, &rp, o, out_dir, r, err);
	if (ret)
		sim_compile_report_release(r);
	return ret;
}

/* One program per MAC layer, each started on its own (the form for networks with a layer
 * the AXI top cannot run in a chain): the tensor plan's layout. */
static int compile_per_layer(const struct arch_net *net, const struct hw_config *hw,
			     const struct sim_rtl_params *rpp, const struct sim_compile_options *o,
			     const char *out_dir, struct sim_compile_report *r, struct hn_err *err)
{
	const struct sim_rtl_params rp = *rpp;
	struct arch_plan plan;
	struct arch_plan_opts po;
	struct cost_net_opts co;
	struct cost_axi a;
	struct sim_prog *progs = NULL;
	uint8_t *img = NULL;
	uint64_t at;
	int ret, n = net->n_layers;

	memset(&plan, 0, sizeof(plan));
	po.act_bytes = hw_act_bytes(hw);
	po.weight_bytes = hw_weight_bytes(hw);
	po.align = 64;
	po.padded = 0;
	if ((ret = arch_plan_build(net, &po, &plan, err)))
		return ret;
	r->n = n;
	r->layers = calloc((size_t)n + 1, sizeof(*r->layers));
	progs = calloc((size_t)n + 1, sizeof(*progs));
	if (!r->layers || !progs) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory for %d layers", n);
		goto out_free;
	}
	compile_net_opts(o, 1, &a, &co);

	/* pass 1: tiling, program and data of every MAC layer; the lists placed from 0 */
	at = 0;
	for (int i = 0; i < n; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct sim_compile_layer *c = &r->layers[i];
		struct cost_net_row row;
		if (arch_gemm(l).g == 0) {
			snprintf(c->why, sizeof(c->why), "kind '%s' (the vector unit) is compiled in "
				 "the whole-network form only (docs/deploy.md)", arch_kind_name(l->kind));
			continue;
		}
		if ((ret = cost_net_layer(l, hw, &co, &row, err)))
			goto out_free;
		if (!row.fits) {
			ret = hn_fail(err, HN_EINVAL, "%s: layer %d '%s': no tiling fits the buffers "
				      "(%s)", net->name, i, l->name, row.cost.why);
			goto out_free;
		}
		c->tiling = row.tiling;
		c->model_cycles = row.cost.cycles;
		c->macs = row.cost.macs;
		if ((ret = sim_prog_build_flags(l, hw, &c->tiling, &rp, o->seed, 0,
						SIM_PROG_NO_WIN |
						(o->program_only ? SIM_PROG_NO_DATA : 0), &progs[i],
						err))) {
			hn_err_prefix(err, net->name);
			goto out_free;
		}
		if ((ret = sim_axi_place(&progs[i], &rp, at, &c->map, err))) {
			hn_err_prefix(err, l->name);
			goto out_free;
		}
		c->map.cq = align_up(c->map.dq + (uint64_t)c->map.ndq * HND_DMA_RECORD);
		at = align_up(c->map.cq + (uint64_t)c->map.ncq * HND_CMP_RECORD);
		c->compiled = 1;
	}
	/* the tensor plan (weights, then activations with liveness reuse), the parameter
	 * records, then each layer's scratch: its seeded input A (a conv's im2col), its second
	 * operand when it has no weights, its partial sums */
	r->programs_at = 0;
	r->tensors_at = align_up(at);
	r->tensors_bytes = (uint64_t)plan.total;
	at = align_up(r->tensors_at + r->tensors_bytes);
	r->params_at = at;
	for (int i = 0; i < n; i++)
		if (r->layers[i].compiled) {
			struct sim_axi_map *m = &r->layers[i].map;
			m->q = at;
			at = align_up(at + (uint64_t)m->nq * HND_PARAM_RECORD);
		}
	r->scratch_at = at;
	for (int i = 0; i < n; i++) {
		struct sim_compile_layer *c = &r->layers[i];
		struct sim_axi_map *m = &c->map;
		const struct arch_plan_tensor *t = &plan.act[net->n_inputs + i];
		if (!c->compiled)
			continue;
		if ((int64_t)m->nc * m->ab > t->bytes) {
			ret = hn_fail(err, HN_EINVAL, "%s: layer '%s': the tensor plan gives its output "
				      "%lld bytes, the program writes %lld", net->name,
				      net->layers[i].name, (long long)t->bytes,
				      (long long)m->nc * m->ab);
			goto out_free;
		}
		m->c = r->tensors_at + (uint64_t)t->offset;
		c->b_in_plan = plan.weight_offset[i] >= 0 &&
			       plan.weight_bytes[i] >= (int64_t)m->nb * m->wb;
		m->a = at;
		at = align_up(at + (uint64_t)m->na * (uint64_t)m->ab);
		if (c->b_in_plan) {
			m->b = r->tensors_at + (uint64_t)plan.weight_offset[i];
		} else {
			m->b = at;
			at = align_up(at + (uint64_t)m->nb * (uint64_t)m->wb);
		}
		m->p = at;
		at = align_up(at + (uint64_t)m->np * (uint64_t)m->cb);
		m->end = at;
	}
	r->bytes = at;
	if (at >= ((uint64_t)1 << 32)) {
		ret = hn_fail(err, HN_EINVAL, "%s: the compiled image needs %llu bytes, beyond the "
			      "AXI top's 32-bit addresses (compile a smaller batch or network)",
			      net->name, (unsigned long long)at);
		goto out_free;
	}
	/* the image exists in memory also for program_only (the lists are cut from it); only
	 * its records are written then */
	img = calloc((size_t)at + 1, 1);
	if (!img) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory for a %llu-byte image",
			      (unsigned long long)at);
		goto out_free;
	}
	for (int i = 0; i < n; i++)
		if (r->layers[i].compiled)
			sim_axi_fill(&progs[i], &r->layers[i].map, img, 0);
	if (!o->program_only && (ret = write_part(out_dir, "dram.bin", img, 0, at, err)))
		goto out_free;
	for (int i = 0; i < n; i++) {
		const struct sim_compile_layer *c = &r->layers[i];
		const struct sim_prog *p = &progs[i];
		char name[64];
		if (!c->compiled)
			continue;
		snprintf(name, sizeof(name), "layer%d.dma.bin", i);
		if ((ret = write_part(out_dir, name, img, c->map.dq,
				      (uint64_t)c->map.ndq * HND_DMA_RECORD, err)))
			goto out_free;
		snprintf(name, sizeof(name), "layer%d.cmp.bin", i);
		if ((ret = write_part(out_dir, name, img, c->map.cq,
				      (uint64_t)c->map.ncq * HND_CMP_RECORD, err)))
			goto out_free;
		/* the reference outputs, as the accelerator writes them (act bytes) */
		if (!o->program_only) {
			uint8_t *e = malloc((size_t)p->nout * (size_t)c->map.ab + 1);
			char path[1200];
			if (!e) {
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				goto out_free;
			}
			for (int64_t k = 0; k < p->nout; k++)
				for (int b = 0; b < c->map.ab; b++)
					e[k * c->map.ab + b] = (uint8_t)((uint64_t)p->expect[k] >> (8 * b));
			snprintf(path, sizeof(path), "%s/layer%d.expect.bin", out_dir, i);
			ret = sim_write_file(path, e, (size_t)p->nout * (size_t)c->map.ab, err);
			free(e);
			if (ret)
				goto out_free;
		}
	}
	{
		char path[1200];
		snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
		ret = write_manifest(path, net, hw, &rp, o, r, err);
	}
out_free:
	free(img);
	if (progs)
		for (int i = 0; i < n; i++)
			sim_prog_release(&progs[i]);   /* zeroed when not built */
	free(progs);
	arch_plan_release(&plan);
	if (ret)
		sim_compile_report_release(r);
	return ret;
}
