/* sim_whole.c: a whole network on the RTL, layer after layer (docs/rtl.md "Whole networks").
 *
 * Every tensor of the graph lives twice: as the RTL wrote it (read back from the simulated
 * DRAM after the layer that wrote it ran) and as the C reference chain computed it. A layer's
 * run starts from the RTL's copies of its inputs, copied unchanged into the layer's memory
 * image (the DMA walks a conv's and a pool's windows over the NHWC tensor, docs/rtl.md
 * "Window addressing"; only a geometry beyond the window descriptor's packing makes the host
 * lay out an im2col or window matrix), the harness runs the tile program, and the outputs it
 * dumps become the RTL's copy of the layer's tensor. The reference chain computes each layer from the reference's
 * copies only, so the final comparison is the RTL's whole network against the C reference's
 * whole network, not a layer against itself. */
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sim_whole_release(struct sim_whole_result *r)
{
	free(r->layers);
	memset(r, 0, sizeof(*r));
}

/* A network input's values: uniform act_bits integers, a function of (seed, its name). */
static void draw_input(int64_t *x, int64_t n, const char *name, uint64_t seed, int bits)
{
	uint64_t s = seed ^ 0x696e707574ULL;

	for (const char *c = name; *c; c++)
		s = (s ^ (uint64_t)(unsigned char)*c) * 1099511628211ULL;
	for (int64_t i = 0; i < n; i++) {
		/* splitmix64 */
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		x[i] = (int64_t)(z & ((1ULL << bits) - 1)) - (int64_t)(1ULL << (bits - 1));
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Distinct values among x[0 .. n-1]; -1 when out of memory. */
static int64_t distinct(const int64_t *x, int64_t n)
{
	int64_t *c = malloc((size_t)(n ? n : 1) * sizeof(int64_t)), d = 0;

	if (!c)
		return -1;
	memcpy(c, x, (size_t)n * sizeof(int64_t));
	qsort(c, (size_t)n, sizeof(int64_t), cmp_i64);
	for (int64_t i = 0; i < n; i++)
		d += i == 0 || c[i] != c[i - 1];
	free(c);
	return d;
}

/* What the runner cannot run: a list without connections, a matmul (two activations into
 * the array), an fc reading the first token only. HN_EINVAL naming the network and layer. */
int sim_whole_check_net(const struct arch_net *net, struct hn_err *err)
{
	if (!net->graph)
		return hn_fail(err, HN_EINVAL, "%s: a whole-network run needs a graph (layers "
			       "naming their 'inputs', docs/network_format.md \"Graphs\"); this "
			       "network is a list of unconnected layers", net->name);
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		if (l->kind == ARCH_MATMUL)
			return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': a matmul of two "
				       "activations is not run whole yet (conv, fc, pool and add are)",
				       net->name, i, l->name);
		if (l->kind == ARCH_FC && l->first_token)
			return hn_fail(err, HN_EINVAL, "%s: layers[%d] '%s': an fc that reads the "
				       "first token only is not run whole yet", net->name, i, l->name);
	}
	return 0;
}

/* An address of layer program lp's own image in the one image: its input regions are the
 * tensors it reads (in0, in1), its output region the tensor it writes (out), the rest its
 * private region (priv: weights, partial sums, output-stage records). */
static int64_t reloc(const struct sim_prog *lp, int64_t a, int64_t in0, int64_t in1,
		     int64_t out, int64_t priv)
{
	if (a < lp->in_end[0])
		return in0 + a;
	if (a < lp->in_end[1])
		return in1 + (a - lp->in_end[0]);
	if (a >= lp->out_base && a < lp->out_base + lp->nout)
		return out + (a - lp->out_base);
	return priv + a;
}

/* Layer li's tiling and modelled cost into wl, by the one rule (cost_net_layer); a layer no
 * tiling fits is an error naming it. */
static int layer_tiling(const struct arch_net *net, const struct arch_layer *l, int li,
			const struct hw_config *hw, const struct cost_net_opts *co,
			struct sim_whole_layer *wl, struct hn_err *err)
{
	struct cost_net_row row;
	int ret = cost_net_layer(l, hw, co, &row, err);

	if (ret)
		return ret;
	if (!row.fits)
		return hn_fail(err, HN_EINVAL, "%s: layer '%s': no tiling fits the buffers (%s)",
			       net->name, l->name, row.cost.why);
	wl->layer = li;
	wl->tiling = row.tiling;
	wl->cost = row.cost;
	return 0;
}

int sim_whole_tensor_of(const struct arch_net *net, int32_t id)
{
	return id < 0 ? -1 - id : net->n_inputs + id;
}

int sim_im2col_is_input(const struct arch_layer *l)
{
	return l->kind == ARCH_CONV && l->r == 1 && l->s == 1 && l->stride_h == 1 &&
	       l->stride_w == 1 && l->pad_h == 0 && l->pad_w == 0 && l->groups == 1;
}

void sim_whole_img_release(struct sim_whole_img *w)
{
	for (int s = 0; w->lp && s < w->L; s++)
		sim_prog_release(&w->lp[s]);
	free(w->lp);
	free(w->order);
	free(w->off);
	free(w->zp);
	free(w->priv);
	free(w->dma0);
	free(w->cmp0);
	sim_prog_release(&w->g);
	memset(w, 0, sizeof(*w));
}

void sim_whole_resolve_opts(const struct sim_whole_opts *o, struct sim_options *opt,
			    struct cost_net_opts *co)
{
	if (o && o->sim)
		*opt = *o->sim;
	else
		sim_options_init(opt);
	if (o && o->cost)
		*co = *o->cost;
	else
		cost_net_opts_init(co);
}

int sim_whole_img_build(const struct arch_net *net, const struct hw_config *hw,
			const struct sim_rtl_params *rp, const struct sim_options *opt,
			const struct cost_net_opts *co, unsigned flags,
			const struct sim_whole_opts *o, struct sim_whole_layer *layers,
			struct sim_whole_img *w, struct hn_err *err)
{
	const int L = net->n_layers, T = net->n_inputs + L;
	struct sim_prog *g = &w->g;
	int64_t total = 0, ndma = 0, ncmp = 0;
	int ret = 0;

	memset(w, 0, sizeof(*w));
	if ((ret = sim_whole_check_net(net, err)))
		return ret;
	w->L = L;
	w->T = T;
	w->lp = calloc((size_t)L + 1, sizeof(*w->lp));
	w->order = calloc((size_t)L + 1, sizeof(int));
	w->off = calloc((size_t)T + 1, sizeof(int64_t));
	w->zp = calloc((size_t)T + 1, sizeof(int64_t));
	w->priv = calloc((size_t)L + 1, sizeof(int64_t));
	w->dma0 = calloc((size_t)L + 1, sizeof(int64_t));
	w->cmp0 = calloc((size_t)L + 1, sizeof(int64_t));
	if (!w->lp || !w->order || !w->off || !w->zp || !w->priv || !w->dma0 || !w->cmp0) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the programs", net->name);
		goto out_fail;
	}
	if ((ret = arch_net_topo_order(net, w->order, err)))
		goto out_fail;
	/* the tensors' addresses: network inputs, then layer outputs */
	for (int t = 0; t < T; t++) {
		struct arch_shape sh = arch_net_tensor_shape(net, t < net->n_inputs ?
							     ARCH_SRC_INPUT(t) : t - net->n_inputs);
		w->off[t] = total;
		total += arch_shape_elems(&sh);
	}
	w->off[T] = total;
	/* every layer's program from the reference chain's tensors */
	g->expect = calloc((size_t)total + 1, sizeof(int64_t));
	if (!g->expect) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the tensors", net->name);
		goto out_fail;
	}
	for (int i = 0; i < net->n_inputs && !(flags & SIM_PROG_NO_DATA); i++)
		draw_input(g->expect + w->off[i], w->off[i + 1] - w->off[i], net->inputs[i].name,
			   opt->seed, hw->act_bits);
	for (int s = 0; s < L; s++) {
		const int li = w->order[s], t = net->n_inputs + li;
		const struct arch_layer *l = &net->layers[li];
		struct sim_whole_layer *wl = &layers[s];
		struct sim_prog *q = &w->lp[s];
		struct sim_layer_in in;

		if (o && o->on_layer)
			o->on_layer(o->ctx, s + 1, L, l);
		memset(&in, 0, sizeof(in));
		for (int j = 0; j < l->n_in; j++) {
			in.x[j] = g->expect + w->off[sim_whole_tensor_of(net, l->in[j])];
			in.zp[j] = w->zp[sim_whole_tensor_of(net, l->in[j])];
		}
		if ((ret = layer_tiling(net, l, li, hw, co, wl, err)))
			goto out_fail;
		if ((ret = sim_prog_build_in(l, hw, &wl->tiling, rp, opt->seed, opt->outq_full,
					     &in, flags, q, err)))
			goto out_fail;
		if ((l->kind == ARCH_CONV && !q->win && !sim_im2col_is_input(l)) ||
		    (l->kind == ARCH_POOL && !q->win)) {
			ret = hn_fail(err, 1, "%s: layer '%s': its %s is a matrix the host lays out "
				      "from its input (the DMA walks no windows %s)", net->name,
				      l->name, l->kind == ARCH_CONV ? "im2col" : "window matrix",
				      flags & SIM_PROG_NO_WIN ? "on this top" : "of this geometry");
			goto out_fail;
		}
		memcpy(g->expect + w->off[t], q->expect, (size_t)q->nout * sizeof(int64_t));
		w->zp[t] = l->kind == ARCH_POOL ? in.zp[0] : q->zp;
		w->priv[s] = total;
		ndma += q->ndma;
		ncmp += q->ncmp;
		total += q->nmem;
	}
	if (total >= ((int64_t)1 << 31)) {
		ret = hn_fail(err, HN_EINVAL, "%s: too large to simulate as one image (%lld "
			      "elements)", net->name, (long long)total);
		goto out_fail;
	}

	/* the one image and the one program */
	g->nmem = total;
	g->out_base = 0;
	g->nout = w->off[T];
	g->ostage = 1;
	g->win = 1;
	g->bw = w->lp[0].bw;
	g->latency = w->lp[0].latency;
	g->nseg = L;
	g->mem = calloc((size_t)total, sizeof(int64_t));
	g->dma = malloc((size_t)(ndma + 1) * sizeof(*g->dma));
	g->cmp = malloc((size_t)(ncmp + 1) * sizeof(*g->cmp));
	g->seg = malloc((size_t)(2 * L) * sizeof(int64_t));
	g->seg_cycles = malloc((size_t)L * sizeof(int64_t));
	if (!g->mem || !g->dma || !g->cmp || !g->seg || !g->seg_cycles) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the image", net->name);
		goto out_fail;
	}
	g->cap_dma = ndma + 1;
	g->cap_cmp = ncmp + 1;
	memcpy(g->mem, g->expect, (size_t)w->off[net->n_inputs] * sizeof(int64_t));
	for (int s = 0; s < L; s++) {
		const struct arch_layer *l = &net->layers[w->order[s]];
		const struct sim_prog *q = &w->lp[s];
		int64_t in[2] = { 0, 0 }, o_t = w->off[net->n_inputs + w->order[s]], pv = w->priv[s];
		for (int j = 0; j < l->n_in; j++)
			in[j] = w->off[sim_whole_tensor_of(net, l->in[j])];
		/* the private region: the layer's own image (its input and output regions in it
		 * go unused: those addresses move to the tensors) */
		memcpy(g->mem + pv, q->mem, (size_t)q->nmem * sizeof(int64_t));
		w->dma0[s] = g->ndma;
		w->cmp0[s] = g->ncmp;
		g->seg[2 * s] = g->ndma;
		g->seg[2 * s + 1] = g->ndma + q->ndma - 1;
		for (int64_t k = 0; k < q->ndma; k++) {
			struct sim_dma d = q->dma[k];
			d.base = reloc(q, d.base, in[0], in[1], o_t, pv);
			if (d.op == 3 && d.final && d.vop == 0)
				d.qbase = reloc(q, d.qbase, in[0], in[1], o_t, pv);
			if (d.vop) {
				d.vbase2 = reloc(q, d.vbase2, in[0], in[1], o_t, pv);
				d.vout = reloc(q, d.vout, in[0], in[1], o_t, pv);
			}
			d.wait += g->ncmp;  /* computes of the layers before count as done */
			g->dma[g->ndma + k] = d;
		}
		for (int64_t k = 0; k < q->ncmp; k++) {
			struct sim_cmp c = q->cmp[k];
			c.wait += g->ndma;
			g->cmp[g->ncmp + k] = c;
		}
		g->ndma += q->ndma;
		g->ncmp += q->ncmp;
		g->max_cycles += q->max_cycles;
	}
	w->dma0[L] = g->ndma;
	w->cmp0[L] = g->ncmp;
	return 0;
out_fail:
	sim_whole_img_release(w);
	return ret;
}

void sim_whole_img_check(const struct arch_net *net, const struct sim_whole_img *w,
			 const struct sim_whole_opts *o, int64_t *got, struct sim_whole_result *out)
{
	const struct sim_prog *g = &w->g;

	out->bit_exact = 1;
	out->n = w->L;
	for (int s = 0; s < w->L; s++) {
		struct sim_whole_layer *wl = &out->layers[s];
		const int t = net->n_inputs + w->order[s];
		const struct sim_prog *q = &w->lp[s];
		if (o && o->on_output)
			o->on_output(o->ctx, &net->layers[w->order[s]], got + w->off[t], q->nout);
		wl->res.outputs = q->nout;
		wl->res.macs = q->macs;
		wl->res.out_zp = q->zp;
		wl->res.out_lo = q->lo;
		wl->res.out_hi = q->hi;
		wl->chain_mismatches = 0;
		for (int64_t i = 0; i < q->nout; i++)
			wl->chain_mismatches += got[w->off[t] + i] != g->expect[w->off[t] + i];
		/* one image: a layer's own reference is the chain's (from the same inputs only
		 * while the chains agree) */
		wl->res.mismatches = wl->chain_mismatches;
		wl->res.bit_exact = wl->chain_mismatches == 0;
		wl->distinct = distinct(got + w->off[t], q->nout);
		out->bit_exact &= wl->chain_mismatches == 0;
		out->model_cycles += wl->cost.cycles;
		out->macs += wl->res.macs;
	}
	for (int j = 0; j < net->n_outputs; j++) {
		int ti = sim_whole_tensor_of(net, net->outputs[j]);
		int64_t n = w->off[ti + 1] - w->off[ti];
		out->outputs += n;
		for (int64_t i = 0; i < n; i++)
			out->mismatches += got[w->off[ti] + i] != g->expect[w->off[ti] + i];
	}
	out->bit_exact &= out->mismatches == 0;
	/* the network inputs, which no store may touch */
	for (int64_t i = 0; i < w->off[net->n_inputs]; i++)
		out->bit_exact &= got[i] == g->expect[i];
	out->one_image = 1;
	out->image_elements = g->nmem;
	out->program_cycles = sim_prog_makespan(g);
}

/* The whole network as one program on one image (docs/rtl.md "Whole networks",
 * sim_whole_img_build) on the direct harness: one run; the RTL's tensors are dumped at the
 * end and compared with the reference chain's, and each layer's cycles are its span of DMA
 * requests (first cycle of its first to last of its last). Returns 1 (nothing run) when a
 * layer's windows cannot be walked (its program needs a host-built matrix of its input), 0
 * or an error otherwise. */
static int whole_one_image(const struct arch_net *net, const struct hw_config *hw,
			   const struct sim_options *opt, const struct cost_net_opts *co,
			   const struct sim_rtl_params *rp, const struct sim_whole_opts *o,
			   struct sim_whole_result *out, struct hn_err *err)
{
	struct sim_whole_img w;
	struct sim_result r;
	int64_t *got = NULL;
	char what[ARCH_NAME_MAX + 24];
	int ret = sim_whole_img_build(net, hw, rp, opt, co, 0, o, out->layers, &w, err);

	if (ret) {
		if (ret == 1)
			memset(out->layers, 0, (size_t)net->n_layers * sizeof(*out->layers));
		return ret;
	}
	got = malloc((size_t)w.g.nout * sizeof(int64_t) + 1);
	if (!got) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the image", net->name);
		goto out_free;
	}
	memset(&r, 0, sizeof(r));
	snprintf(what, sizeof(what), "network '%s' (one image)", net->name);
	if ((ret = sim_prog_run(what, &w.g, rp, opt, &r, got, err)))
		goto out_free;
	out->sim_cycles = r.sim_cycles;
	out->sim_seconds = r.sim_seconds;
	out->build_seconds = r.build_seconds;
	sim_whole_img_check(net, &w, NULL, got, out);
	out->cycles_equal = 1;
	for (int s = 0; s < w.L; s++) {
		struct sim_whole_layer *wl = &out->layers[s];
		wl->res.rtl_cycles = w.g.seg_cycles[s];
		out->cycles_equal &= wl->res.rtl_cycles == wl->cost.cycles;
		out->rtl_cycles += wl->res.rtl_cycles;
	}
out_free:
	sim_whole_img_release(&w);
	free(got);
	return ret;
}

int sim_whole(const struct arch_net *net, const struct hw_config *hw,
	      const struct sim_whole_opts *o, struct sim_whole_result *out, struct hn_err *err)
{
	struct sim_options opt;
	struct cost_net_opts co;
	struct sim_rtl_params rp;
	const int T = net->n_inputs + net->n_layers;
	int64_t **rtl = NULL, **ref = NULL, *zp = NULL, *elems = NULL;
	int *order = NULL, *last = NULL, *same = NULL;
	double t0 = now_s();
	int ret;

	memset(out, 0, sizeof(*out));
	sim_whole_resolve_opts(o, &opt, &co);
	if ((ret = sim_whole_check_net(net, err)) || (ret = sim_check_hw(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	rtl = calloc((size_t)T, sizeof(*rtl));
	ref = calloc((size_t)T, sizeof(*ref));
	zp = calloc((size_t)T, sizeof(*zp));
	elems = calloc((size_t)T, sizeof(*elems));
	same = calloc((size_t)T, sizeof(*same));
	last = calloc((size_t)T, sizeof(*last));
	order = calloc((size_t)net->n_layers + 1, sizeof(*order));
	out->layers = calloc((size_t)net->n_layers + 1, sizeof(*out->layers));
	if (!rtl || !ref || !zp || !elems || !same || !last || !order || !out->layers) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for the tensors", net->name);
		goto out_free;
	}
	if ((ret = arch_net_topo_order(net, order, err)))
		goto out_free;
	if (!(o && (o->per_layer || o->on_output))) {
		ret = whole_one_image(net, hw, &opt, &co, &rp, o, out, err);
		if (ret <= 0)
			goto out_free;
	}

	/* when each tensor can go: after its last reader (never for a network output) */
	for (int t = 0; t < T; t++)
		last[t] = -1;
	for (int s = 0; s < net->n_layers; s++) {
		const struct arch_layer *l = &net->layers[order[s]];
		for (int j = 0; j < l->n_in; j++)
			last[sim_whole_tensor_of(net, l->in[j])] = s;
	}
	for (int j = 0; j < net->n_outputs; j++) {
		int32_t id = net->outputs[j];
		last[sim_whole_tensor_of(net, id)] = net->n_layers;
	}

	/* the network inputs: seeded random activations, zero point 0, the same for both */
	for (int i = 0; i < net->n_inputs; i++) {
		struct arch_shape sh = arch_net_tensor_shape(net, ARCH_SRC_INPUT(i));
		elems[i] = arch_shape_elems(&sh);
		rtl[i] = malloc((size_t)elems[i] * sizeof(int64_t));
		if (!rtl[i]) {
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for input '%s'", net->name,
				      net->inputs[i].name);
			goto out_free;
		}
		draw_input(rtl[i], elems[i], net->inputs[i].name, opt.seed, hw->act_bits);
		ref[i] = rtl[i];
		same[i] = 1;
	}

	out->bit_exact = 1;
	out->cycles_equal = 1;
	for (int s = 0; s < net->n_layers; s++) {
		const int li = order[s], t = net->n_inputs + li;
		const struct arch_layer *l = &net->layers[li];
		struct sim_whole_layer *wl = &out->layers[out->n];
		struct sim_layer_in in_rtl, in_ref;
		struct sim_prog prog;
		int same_in = 1;

		if (o && o->on_layer)
			o->on_layer(o->ctx, s + 1, net->n_layers, l);
		memset(&in_rtl, 0, sizeof(in_rtl));
		memset(&in_ref, 0, sizeof(in_ref));
		for (int j = 0; j < l->n_in; j++) {
			int ti = sim_whole_tensor_of(net, l->in[j]);
			in_rtl.x[j] = rtl[ti];
			in_ref.x[j] = ref[ti];
			in_rtl.zp[j] = in_ref.zp[j] = zp[ti];
			same_in &= same[ti];
		}
		if ((ret = layer_tiling(net, l, li, hw, &co, wl, err)))
			goto out_free;
		if ((ret = sim_prog_build_in(l, hw, &wl->tiling, &rp, opt.seed, opt.outq_full,
					     &in_rtl, 0, &prog, err)))
			goto out_free;
		elems[t] = prog.nout;
		wl->host_layout = (l->kind == ARCH_CONV || l->kind == ARCH_POOL) && !prog.win;
		out->host_layouts += wl->host_layout;
		rtl[t] = malloc((size_t)prog.nout * sizeof(int64_t));
		if (!rtl[t]) {
			sim_prog_release(&prog);
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory for '%s'", net->name, l->name);
			goto out_free;
		}
		{
			char what[ARCH_NAME_MAX + 16];
			snprintf(what, sizeof(what), "layer '%s'", l->name);
			ret = sim_prog_run(what, &prog, &rp, &opt, &wl->res, rtl[t], err);
		}
		if (!ret && o && o->on_output)
			o->on_output(o->ctx, l, rtl[t], prog.nout);
		/* the RTL's tensor: a pool keeps its input's zero point (max: the values
		 * themselves; average: their mean), the others write the output stage's */
		zp[t] = l->kind == ARCH_POOL ? in_rtl.zp[0] : prog.zp;
		if (!ret && same_in) {
			/* the reference of this layer from the reference chain's own inputs, which
			 * are the RTL's bit for bit: the program's expected outputs */
			ref[t] = prog.expect;
			prog.expect = NULL;
		}
		sim_prog_release(&prog);
		if (ret)
			goto out_free;
		out->n++;
		if (!same_in) {
			/* the chains have parted: the reference layer from the reference's inputs */
			struct sim_prog rprog;
			if ((ret = sim_prog_build_in(l, hw, &wl->tiling, &rp, opt.seed,
						     opt.outq_full, &in_ref, 0, &rprog, err)))
				goto out_free;
			ref[t] = rprog.expect;
			rprog.expect = NULL;
			sim_prog_release(&rprog);
		}
		wl->chain_mismatches = 0;
		for (int64_t i = 0; i < elems[t]; i++)
			wl->chain_mismatches += rtl[t][i] != ref[t][i];
		same[t] = wl->chain_mismatches == 0;
		wl->distinct = distinct(rtl[t], elems[t]);
		out->bit_exact &= same[t];
		out->cycles_equal &= wl->res.rtl_cycles == wl->cost.cycles;
		out->rtl_cycles += wl->res.rtl_cycles;
		out->model_cycles += wl->cost.cycles;
		out->sim_cycles += wl->res.sim_cycles;
		out->sim_seconds += wl->res.sim_seconds;
		out->build_seconds += wl->res.build_seconds;
		out->macs += wl->res.macs;
		/* free what no later layer reads */
		for (int j = 0; j < l->n_in; j++) {
			int ti = sim_whole_tensor_of(net, l->in[j]);
			if (last[ti] == s && rtl[ti]) {
				if (ref[ti] != rtl[ti])
					free(ref[ti]);
				free(rtl[ti]);
				rtl[ti] = ref[ti] = NULL;
			}
		}
	}
	for (int j = 0; j < net->n_outputs; j++) {
		int32_t id = net->outputs[j];
		int ti = sim_whole_tensor_of(net, id);
		out->outputs += elems[ti];
		for (int64_t i = 0; i < elems[ti]; i++)
			out->mismatches += rtl[ti][i] != ref[ti][i];
	}
	out->bit_exact &= out->mismatches == 0;
	ret = 0;
out_free:
	if (rtl && ref)
		for (int t = 0; t < T; t++) {
			if (ref[t] != rtl[t])
				free(ref[t]);
			free(rtl[t]);
		}
	free(rtl);
	free(ref);
	free(zp);
	free(elems);
	free(same);
	free(last);
	free(order);
	out->wall_seconds = now_s() - t0;
	return ret;
}
