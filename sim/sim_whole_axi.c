/* sim_whole_axi.c: a whole network through the AXI top and the host driver in one start
 * (docs/deploy.md "A whole network through the driver").
 *
 * The program is sim_whole's one image (sim_whole_img_build: every tensor at its own
 * address, each layer's program relocated onto it, its waits offset past the layers before
 * it) laid out as the AXI top's DRAM: one DMA list and one compute list for the whole
 * network, the tensors (act bytes each, network inputs first), then per layer its weights,
 * partial sums and output-stage parameter records. Each layer's records are packed by
 * sim_axi_fill (the layout of a single layer, sim_axi.c) with its regions moved onto the
 * tensors it reads and writes. `hwnas compile` writes this image; sim_whole_axi runs it
 * through the driver on the simulated top, dumps every tensor and compares it with the C
 * reference chain. */
#include "sim_int.h"
#include "../driver/hwnas_drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define TENSOR_ALIGN 64u   /* each tensor and private region: a DMA-list-sized alignment */


static uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sim_whole_axi_chainable(const struct arch_layer *l, char *why, size_t size)
{
	why[0] = 0;
	if (l->kind == ARCH_MATMUL)
		snprintf(why, size, "a matmul of two activations is not run whole");
	else if (l->kind == ARCH_FC && l->first_token)
		snprintf(why, size, "an fc that reads the first token only is not run whole");
	return why[0] ? -1 : 0;
}

void sim_whole_axi_map_release(struct sim_whole_axi_map *m)
{
	free(m->tb);
	free(m->lm);
	memset(m, 0, sizeof(*m));
}

void sim_whole_axi_put(uint8_t *at, int64_t v, int bytes)
{
	for (int b = 0; b < bytes; b++)
		at[b] = (uint8_t)((uint64_t)v >> (8 * b));
}

/* Where element a of a vector layer's own image (its inputs and output, sim_prog's in_end
 * and out_base) lies in the tensor region, in elements from its start. */
static int64_t vec_reloc(const struct sim_prog *q, int64_t a, const int64_t t[3])
{
	if (a < q->in_end[0])
		return t[0] + a;
	if (a < q->in_end[1])
		return t[1] + (a - q->in_end[0]);
	return t[2] + (a - q->out_base);
}

/* Step s's records at their slots in the lists: sim_axi_fill of its own program with the
 * waits offset past the commands of the layers before it (as in w->g), its operand regions
 * moved by lm; nothing written into the tensors (lm's A is not filled). A vector request's
 * inputs and output are element addresses of one act region (sim_axi_fill): the tensor
 * region, with its base, second input and output relocated onto the tensors (tel: the
 * tensors' first elements from the region's start). */
static int fill_layer(const struct sim_whole_img *w, int s, const struct sim_axi_map *lm,
		      const int64_t tel[3], uint8_t *img)
{
	struct sim_prog v = w->lp[s];
	struct sim_axi_map fm = *lm;
	int ret = 0;

	v.dma = malloc((size_t)(v.ndma + 1) * sizeof(*v.dma));
	v.cmp = malloc((size_t)(v.ncmp + 1) * sizeof(*v.cmp));
	if (!v.dma || !v.cmp) {
		ret = -1;
		goto out_free;
	}
	for (int64_t k = 0; k < v.ndma; k++) {
		struct sim_dma *d = &v.dma[k];
		*d = w->lp[s].dma[k];
		d->wait += w->cmp0[s];
		if (d->vop) {
			d->base = vec_reloc(&w->lp[s], d->base, tel);
			d->vbase2 = vec_reloc(&w->lp[s], d->vbase2, tel);
			d->vout = vec_reloc(&w->lp[s], d->vout, tel);
		}
	}
	for (int64_t k = 0; k < v.ncmp; k++) {
		v.cmp[k] = w->lp[s].cmp[k];
		v.cmp[k].wait += w->dma0[s];
	}
	fm.na = 0;
	sim_axi_fill(&v, &fm, img, 0);
out_free:
	free(v.dma);
	free(v.cmp);
	return ret;
}

int sim_whole_axi_layout(const struct arch_net *net, const struct sim_whole_img *w,
			 const struct sim_rtl_params *rp, struct sim_whole_axi_map *m,
			 uint8_t **image, struct hn_err *err)
{
	uint64_t at;
	uint8_t *img = NULL;
	int ret;

	memset(m, 0, sizeof(*m));
	*image = NULL;
	if ((ret = sim_axi_check(rp, err)))
		return ret;
	m->tb = calloc((size_t)w->T + 1, sizeof(*m->tb));
	m->lm = calloc((size_t)w->L + 1, sizeof(*m->lm));
	if (!m->tb || !m->lm) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the memory map", net->name);
		goto out_fail;
	}
	m->ab = (rp->a_bits + 7) / 8;
	m->ndq = w->g.ndma;
	m->ncq = w->g.ncmp;
	m->dq = 0;
	m->cq = align_to((uint64_t)m->ndq * HND_DMA_RECORD, PAGE);
	m->tensors = align_to(m->cq + (uint64_t)m->ncq * HND_CMP_RECORD, PAGE);
	at = m->tensors;
	for (int t = 0; t < w->T; t++) {
		at = align_to(at, TENSOR_ALIGN);
		m->tb[t] = at;
		at += (uint64_t)(w->off[t + 1] - w->off[t]) * (uint64_t)m->ab;
	}
	m->tensors_end = at;
	m->priv = at = align_to(at, PAGE);
	for (int s = 0; s < w->L; s++) {
		const struct arch_layer *l = &net->layers[w->order[s]];
		struct sim_axi_map *lm = &m->lm[s];
		const struct sim_prog *q = &w->lp[s];
		const int ti = sim_whole_tensor_of(net, l->in[0]), to = net->n_inputs + w->order[s];
		const int ti2 = l->n_in > 1 ? sim_whole_tensor_of(net, l->in[1]) : ti;
		if ((ret = sim_axi_place(&w->lp[s], rp, 0, lm, err))) {
			char pre[ARCH_NAME_MAX * 2 + 16];
			snprintf(pre, sizeof(pre), "%s: layer '%s'", net->name, l->name);
			hn_err_prefix(err, pre);
			goto out_fail;
		}
		/* the layer's input regions are the tensors it reads, its output the tensor it
		 * writes, element for element */
		if (q->in_end[0] != w->off[ti + 1] - w->off[ti] ||
		    (l->n_in > 1 && q->in_end[1] - q->in_end[0] != w->off[ti2 + 1] - w->off[ti2]) ||
		    q->nout != w->off[to + 1] - w->off[to]) {
			ret = hn_fail(err, HN_EINVAL, "%s: layer '%s': its inputs (%lld, %lld elements) "
				      "or output (%lld) are not the tensors it reads (%lld, %lld) or "
				      "writes (%lld)", net->name, l->name, (long long)q->in_end[0],
				      (long long)(q->in_end[1] - q->in_end[0]), (long long)q->nout,
				      (long long)(w->off[ti + 1] - w->off[ti]),
				      (long long)(l->n_in > 1 ? w->off[ti2 + 1] - w->off[ti2] : 0),
				      (long long)(w->off[to + 1] - w->off[to]));
			goto out_fail;
		}
		lm->dq = m->dq + (uint64_t)w->dma0[s] * HND_DMA_RECORD;
		lm->cq = m->cq + (uint64_t)w->cmp0[s] * HND_CMP_RECORD;
		/* a vector request addresses the whole tensor region (fill_layer) */
		lm->a = sim_axi_is_vector(q) ? m->tensors : m->tb[ti];
		lm->na = sim_axi_is_vector(q) ? 0 : lm->na;
		lm->c = m->tb[to];
		lm->b = at = align_to(at, TENSOR_ALIGN);
		at += (uint64_t)lm->nb * (uint64_t)lm->wb;
		lm->p = at = align_to(at, TENSOR_ALIGN);
		at += (uint64_t)lm->np * (uint64_t)lm->cb;
		lm->q = at = align_to(at, TENSOR_ALIGN);
		at += (uint64_t)lm->nq * HND_PARAM_RECORD;
		lm->end = at;
	}
	m->end = align_to(at, TENSOR_ALIGN);
	if (m->end >= ((uint64_t)1 << 32)) {
		ret = hn_fail(err, HN_EINVAL, "%s: the whole-network image needs %llu bytes, beyond "
			      "the AXI top's 32-bit addresses (a smaller batch or network)", net->name,
			      (unsigned long long)m->end);
		goto out_fail;
	}
	img = calloc((size_t)m->end, 1);
	if (!img) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for a %llu-byte image", net->name,
			      (unsigned long long)m->end);
		goto out_fail;
	}
	for (int s = 0; s < w->L; s++) {
		const struct arch_layer *l = &net->layers[w->order[s]];
		const int ti = sim_whole_tensor_of(net, l->in[0]);
		const int64_t tel[3] = {
			(int64_t)((m->tb[ti] - m->tensors) / (uint64_t)m->ab),
			(int64_t)((m->tb[l->n_in > 1 ? sim_whole_tensor_of(net, l->in[1]) : ti] - m->tensors) /
				  (uint64_t)m->ab),
			(int64_t)((m->tb[net->n_inputs + w->order[s]] - m->tensors) /
				  (uint64_t)m->ab) };
		if (fill_layer(w, s, &m->lm[s], tel, img)) {
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the records", net->name);
			goto out_fail;
		}
	}
	/* the tensors: zeros, the network inputs as drawn */
	for (int t = 0; t < net->n_inputs; t++)
		for (int64_t j = 0; j < w->off[t + 1] - w->off[t]; j++)
			sim_whole_axi_put(img + m->tb[t] + (uint64_t)j * (uint64_t)m->ab,
					  w->g.expect[w->off[t] + j], m->ab);
	*image = img;
	return 0;
out_fail:
	free(img);
	sim_whole_axi_map_release(m);
	return ret;
}

/* Each layer's AXI cycles from runs of the program's prefixes (o->per_layer): the lists cut
 * after layer s (the first dma0[s + 1] and cmp0[s + 1] records, the same image) end at
 * end(s); layer s takes end(s) - end(s - 1), the whole program's run ending at `total`, so
 * the layers' cycles sum to it. (harness_axi reports no segments; a prefix ends when its
 * last command does, which the commands after it in the full run do not delay: both queues
 * run in order.) */
static int prefix_spans(const char *exe, const char *image, const struct sim_axi_map *full,
			const struct sim_whole_img *w, const struct sim_axi_options *ao,
			const char *dir, int64_t total, struct sim_whole_result *out,
			struct hn_err *err)
{
	int64_t prev = 0;
	double t0 = now_s();
	int ret = 0;

	for (int s = 0; s < w->L; s++) {
		struct sim_axi_map m = *full;
		struct sim_axi_result r;
		int64_t end = total;
		if (s + 1 < w->L) {
			m.ndq = w->dma0[s + 1];
			m.ncq = w->cmp0[s + 1];
			m.nc = 1;   /* nothing to read back but the first element */
			if ((ret = sim_axi_run(exe, image, &m, ao, w->g.bw, w->g.latency,
					       4 * w->g.max_cycles + 100000, dir, &r, err)))
				return ret;
			end = r.cycles;
			sim_axi_result_release(&r);
		}
		out->layers[s].res.rtl_cycles = end - prev;
		prev = end;
	}
	out->axi_spans = 1;
	out->sim_seconds += now_s() - t0;
	return 0;
}

/* The AXI model's cycles beside the run's: the layers walked as the one program
 * (cost_net_axi) at the run's bus (the program walks windows: im2col 0), each at its
 * regions' addresses in the image (m); a layer's figure the program cut after it less the
 * program cut before it (as prefix_spans). */
static int model_axi(const struct arch_net *net, const struct hw_config *hw,
		     const struct cost_net_opts *co, const struct sim_axi_options *ao,
		     const struct sim_whole_img *w, const struct sim_whole_axi_map *m,
		     struct sim_whole_result *out, struct hn_err *err)
{
	struct cost_axi a;
	struct hw_energy e = co->energy ? *co->energy : hw_energy_default();
	struct cost_axi_step *st = calloc((size_t)out->n + 1, sizeof(*st));
	int64_t *end = calloc((size_t)out->n + 1, sizeof(*end)), total = 0;
	int ret = 0;

	if (!st || !end) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the AXI model", net->name);
		goto out_free;
	}
	cost_axi_init(&a);
	a.dw = ao->dw;
	a.maxb = ao->maxb;
	a.maxout = ao->maxout;
	a.im2col = 0;
	for (int i = 0; i < out->n; i++) {
		const struct sim_whole_layer *x = &out->layers[i];
		const struct arch_layer *l = &net->layers[x->layer];
		const struct sim_axi_map *lm = &m->lm[i];
		const int ti = sim_whole_tensor_of(net, l->in[0]);
		const int ti2 = l->n_in > 1 ? sim_whole_tensor_of(net, l->in[1]) : ti;
		const int to = net->n_inputs + x->layer;
		struct cost_axi_place *pl = &st[i].place;
		if (i >= w->L || w->order[i] != x->layer) {
			ret = hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s' is not step %d of the "
				      "image", net->name, x->layer, l->name, i);
			goto out_free;
		}
		st[i].l = l;
		st[i].m = &x->tiling;
		pl->a = (int64_t)m->tb[ti];
		pl->b = (int64_t)lm->b;
		pl->c = (int64_t)m->tb[to];
		pl->p = (int64_t)lm->p;
		pl->q = (int64_t)lm->q;
		/* a vector request addresses the tensor region (sim_whole_axi_layout) */
		pl->vbase = (int64_t)m->tensors;
		pl->vin0 = (int64_t)(m->tb[ti] - m->tensors) / m->ab;
		pl->vin1 = (int64_t)(m->tb[ti2] - m->tensors) / m->ab;
		pl->vout = (int64_t)(m->tb[to] - m->tensors) / m->ab;
	}
	/* each layer: the program cut after it less the program cut before it, as the run's
	 * prefixes (the cut program's last layer fetches no record after it) */
	for (int i = 0; i < out->n; i++) {
		int64_t prev = total;
		if ((ret = cost_net_axi(st, i + 1, hw, &a, &e, end, &total, err))) {
			hn_err_prefix(err, net->name);
			goto out_free;
		}
		out->layers[i].model_axi_cycles = total - (i ? prev : 0);
	}
	out->model_axi_cycles = total;
out_free:
	free(st);
	free(end);
	return ret;
}

int sim_whole_axi(const struct arch_net *net, const struct hw_config *hw,
		  const struct sim_whole_opts *o, const struct sim_axi_options *ao_in,
		  struct sim_whole_result *out, struct hn_err *err)
{
	struct sim_options opt;
	struct cost_net_opts co;
	struct sim_rtl_params rp;
	struct sim_axi_options ao;
	struct sim_whole_img w;
	struct sim_whole_axi_map m;
	struct sim_axi_result axi;
	struct sim_axi_map dump;
	uint8_t *img = NULL;
	int64_t *got = NULL;
	char exe[1200], dir[512], path[600], why[200];
	const char *tmp = getenv("TMPDIR");
	double t0 = now_s(), t1;
	int ret, built = 0, keep = 0, have_dir = 0;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	memset(&m, 0, sizeof(m));
	memset(&axi, 0, sizeof(axi));
	sim_whole_resolve_opts(o, &opt, &co);
	if (ao_in)
		ao = *ao_in;
	else
		sim_axi_options_init(&ao);
	if ((ret = sim_check_hw(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	if ((ret = sim_axi_check(&rp, err)) || (ret = sim_whole_check_net(net, err)))
		return ret;
	for (int i = 0; i < net->n_layers; i++)
		if (sim_whole_axi_chainable(&net->layers[i], why, sizeof(why)))
			return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': %s", net->name, i,
				       net->layers[i].name, why);
	out->layers = calloc((size_t)net->n_layers + 1, sizeof(*out->layers));
	if (!out->layers)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory for the layers", net->name);
	ret = sim_whole_img_build(net, hw, &rp, &opt, &co, SIM_WHOLE_AXI_FLAGS, o, out->layers, &w,
				  err);
	if (ret == 1)
		ret = HN_EINVAL;   /* err names the layer */
	if (ret)
		goto out_free;
	if ((ret = sim_whole_axi_layout(net, &w, &rp, &m, &img, err)))
		goto out_free;
	t1 = now_s();
	if ((ret = sim_axi_build(&rp, &ao, &opt, exe, sizeof(exe), &built, err)))
		goto out_free;
	if (built)
		out->build_seconds = now_s() - t1;
	snprintf(dir, sizeof(dir), "%s/hwnas-whole-axi-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		ret = hn_fail(err, HN_EIO, "cannot create a run folder %s: %s", dir, strerror(errno));
		goto out_free;
	}
	have_dir = 1;
	snprintf(path, sizeof(path), "%s/dram.bin", dir);
	if ((ret = sim_write_file(path, img, (size_t)m.end, err)))
		goto out_free;
	/* the lists, and every tensor read back after the run */
	memset(&dump, 0, sizeof(dump));
	dump.dq = m.dq;
	dump.ndq = m.ndq;
	dump.cq = m.cq;
	dump.ncq = m.ncq;
	dump.c = m.tensors;
	dump.nc = (int64_t)((m.tensors_end - m.tensors) / (uint64_t)m.ab);
	dump.ab = m.ab;
	t1 = now_s();
	if ((ret = sim_axi_run(exe, path, &dump, &ao, w.g.bw, w.g.latency,
			       4 * w.g.max_cycles + 100000, dir, &axi, err))) {
		keep = 1;
		goto out_free;
	}
	out->sim_seconds = now_s() - t1;
	got = malloc((size_t)w.off[w.T] * sizeof(int64_t) + 1);
	if (!got) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the tensors", net->name);
		goto out_free;
	}
	for (int t = 0; t < w.T; t++) {
		const int64_t at = (int64_t)((m.tb[t] - m.tensors) / (uint64_t)m.ab);
		for (int64_t j = 0; j < w.off[t + 1] - w.off[t]; j++)
			got[w.off[t] + j] = axi.outputs[at + j];
	}
	sim_whole_img_check(net, &w, o, got, out);
	out->axi = 1;
	out->rtl_cycles = axi.cycles;
	out->sim_cycles = axi.cycles;
	out->cycles_equal = axi.cycles == out->model_cycles;
	out->axi_rd_bytes = axi.rd_bytes;
	out->axi_wr_bytes = axi.wr_bytes;
	if ((ret = model_axi(net, hw, &co, &ao, &w, &m, out, err)))
		goto out_free;
	if (o && o->per_layer)
		ret = prefix_spans(exe, path, &dump, &w, &ao, dir, axi.cycles, out, err);
out_free:
	if (have_dir && !keep && !opt.keep_files)
		sim_rmtree(dir);
	sim_axi_result_release(&axi);
	sim_whole_axi_map_release(&m);
	sim_whole_img_release(&w);
	free(img);
	free(got);
	out->wall_seconds = now_s() - t0;
	return ret;
}
