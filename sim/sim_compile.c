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
}

void sim_compile_report_release(struct sim_compile_report *r)
{
	free(r->layers);
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

static int write_manifest(const char *path, const struct arch_net *net,
			  const struct hw_config *hw, const struct sim_rtl_params *rp,
			  const struct sim_compile_options *o, const struct sim_compile_report *r,
			  struct hn_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	fprintf(f, "{\n  \"format\": \"hwnas-compile\",\n  \"version\": 1,\n"
		"  \"program_version\": 3,\n  \"id\": \"0x%08x\",\n  \"net\": ", HND_ID_VALUE);
	json_str(f, net->name);
	fprintf(f, ",\n  \"batch\": %lld,\n  \"seed\": %llu,\n  \"mapper\": \"%s\",\n",
		(long long)net->batch, (unsigned long long)o->seed,
		cost_mapper_name(o->mapper));
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
		fprintf(f, "     \"partial\": {\"addr\": %llu, \"elements\": %lld, \"bytes\": %d}, "
			"\"params\": {\"addr\": %llu, \"records\": %lld, \"bytes\": %d}}%s\n",
			(unsigned long long)m->p, (long long)m->np, m->cb, (unsigned long long)m->q,
			(long long)m->nq, HND_PARAM_RECORD, i + 1 < r->n ? "," : "");
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

int sim_compile_net(const struct arch_net *net, const struct hw_config *hw,
		    const struct sim_compile_options *o, const char *out_dir,
		    struct sim_compile_report *r, struct hn_err *err)
{
	struct sim_rtl_params rp;
	struct arch_plan plan;
	struct arch_plan_opts po;
	struct cost_net_opts co;
	struct sim_prog *progs = NULL;
	uint8_t *img = NULL;
	uint64_t at;
	int ret, n = net->n_layers;
	struct stat sb;

	memset(r, 0, sizeof(*r));
	memset(&plan, 0, sizeof(plan));
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
	cost_net_opts_init(&co);
	co.mapper = o->mapper;

	/* pass 1: tiling, program and data of every MAC layer; the lists placed from 0 */
	at = 0;
	for (int i = 0; i < n; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct sim_compile_layer *c = &r->layers[i];
		struct cost_net_row row;
		if (arch_gemm(l).g == 0) {
			snprintf(c->why, sizeof(c->why), "kind '%s' runs on the vector unit, which the "
				 "AXI top does not have yet (docs/deploy.md)", arch_kind_name(l->kind));
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
	if (ret) {
		free(r->layers);
		memset(r, 0, sizeof(*r));
	}
	return ret;
}
