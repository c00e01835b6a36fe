/* Whole networks on the RTL (sim_whole, docs/rtl.md "Whole networks"): a small CNN with a
 * conv, a depthwise conv, a pointwise conv, a residual add, a max pool, a strided conv, a
 * global average pool and an fc, run as one chain (each layer reading what the RTL wrote)
 * on small configs of every dataflow and 16 / 8 / 4 bits, bit-exact against the C reference
 * chain with the model's cycles equal to the RTL's on every layer. HWNAS_LONG=1 adds a
 * NAS-Bench-201 network and a reduced-resolution ResNet-18 on the default 16x16 config,
 * printing the wall time and the simulated cycles per second. */
#include "test.h"
#include "test_small_hw.h"
#include "test_mm_net.h"
#include "../arch/arch.h"
#include "../sim/sim.h"
#include "../sim/sim_int.h" /* white-box: the programs' window words */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NETS "tests/data/nets/"

/* Runs net whole on hw (one image, or one run per layer) and checks every layer; fills
 * cycles[] (net->n_layers, execution order) when given. */
static void check_whole_opt(const struct arch_net *net, const struct hw_config *hw,
			    const char *what, int64_t min_distinct, int per_layer, int64_t *cycles)
{
	struct sim_whole_opts o = { .per_layer = per_layer };
	struct sim_whole_result w;
	struct hn_err err = { 0 };
	int rc = sim_whole(net, hw, &o, &w, &err);

	if (rc)
		fprintf(stderr, "  %s: %s\n", what, err.msg);
	CHECK_EQ_I64(rc, 0);
	CHECK_EQ_I64(w.n, net->n_layers);
	for (int i = 0; i < w.n; i++) {
		const struct sim_whole_layer *x = &w.layers[i];
		const struct arch_layer *l = &net->layers[x->layer];
		if (x->chain_mismatches || x->res.mismatches || x->res.rtl_cycles != x->cost.cycles)
			fprintf(stderr, "  %s: %s: %lld/%lld outputs differ from the chain (%lld "
				"from its own reference), rtl %lld model %lld cycles\n", what, l->name,
				(long long)x->chain_mismatches, (long long)x->res.outputs,
				(long long)x->res.mismatches, (long long)x->res.rtl_cycles,
				(long long)x->cost.cycles);
		CHECK_EQ_I64(x->chain_mismatches, 0);
		CHECK_EQ_I64(x->res.mismatches, 0);
		CHECK_EQ_I64(x->res.rtl_cycles, x->cost.cycles);
		CHECK(x->res.outputs > 0);
	}
	CHECK(w.bit_exact);
	CHECK(w.cycles_equal);
	CHECK_EQ_I64(w.host_layouts, 0); /* every window walked by the DMA */
	CHECK_EQ_I64(w.one_image, !per_layer);
	for (int i = 0; cycles && i < w.n; i++)
		cycles[i] = w.layers[i].res.rtl_cycles;
	CHECK(w.outputs > 0);
	CHECK_EQ_I64(w.mismatches, 0);
	/* the calibrated output stage keeps the data spread: the final output is not constant */
	if (w.n > 0)
		CHECK(w.layers[w.n - 1].distinct >= min_distinct);
	printf("  %-12s %-28s %-9s %3d layers, rtl %9lld = model %9lld cycles, %lld outputs bit-exact "
	       "%d, %.1f s wall (%.1f s harness), %.0f simulated cycles/s\n", net->name, what,
	       per_layer ? "per layer" : "one image", w.n,
	       (long long)w.rtl_cycles, (long long)w.model_cycles, (long long)w.outputs,
	       w.bit_exact, w.wall_seconds, w.sim_seconds,
	       w.wall_seconds - w.build_seconds > 0 ?
	       (double)w.sim_cycles / (w.wall_seconds - w.build_seconds) : 0.0);
	sim_whole_release(&w);
}

static void check_whole(const struct arch_net *net, const struct hw_config *hw, const char *what,
			int64_t min_distinct)
{
	check_whole_opt(net, hw, what, min_distinct, 0, NULL);
}

static void whole_cnn_should_run_bit_exact_as_one_chain_on_every_dataflow(void)
{
	struct hw_config cfgs[4] = {
		small_hw(2, 2, HW_WS, 8, 32, 0), small_hw(4, 4, HW_OS, 8, 32, 1),
		small_hw(3, 2, HW_IS, 16, 40, 1), small_hw(4, 4, HW_WS, 4, 10, 1),
	};
	const char *what[4] = { "2x2 ws int8 single", "4x4 os int8 double",
				"3x2 is int16 double", "4x4 ws int4 acc10 double" };
	struct arch_net net;
	struct hn_err err = { 0 };

	cfgs[2].ibuf_bytes = cfgs[2].wbuf_bytes = 4096;
	cfgs[2].obuf_bytes = 8192;
	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	for (int i = 0; i < 4; i++)
		check_whole(&net, &cfgs[i], what[i], 3);
	arch_net_release(&net);
}

/* One program on one image (each layer's loads read what the previous layers' stores wrote
 * in the same simulated DRAM, its span of requests its cycles) against one run per layer
 * (each on its own image): the same cycles on every layer, both bit-exact. */
static void one_image_should_take_the_cycles_of_the_runs_per_layer(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 4, 10, 1);
	struct arch_net net;
	struct hn_err err = { 0 };
	int64_t a[16] = { 0 }, b[16] = { 0 };

	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	CHECK(net.n_layers <= 16);
	check_whole_opt(&net, &hw, "4x4 ws int4 acc10 double", 3, 0, a);
	check_whole_opt(&net, &hw, "4x4 ws int4 acc10 double", 3, 1, b);
	for (int i = 0; i < net.n_layers; i++) {
		CHECK(a[i] > 0);
		CHECK_EQ_I64(a[i], b[i]);
	}
	arch_net_release(&net);
}

/* A batch of 2 and a second seed: the chain's NHWC tensors hold both samples. */
static void whole_cnn_should_run_bit_exact_at_batch_2(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_net_resolve(NETS "whole_cnn.json", 2, &net, &err), 0);
	CHECK_EQ_I64(net.batch, 2);
	check_whole(&net, &hw, "4x4 os int8, batch 2", 3);
	arch_net_release(&net);
}

/* A fault in one tensor the RTL wrote (one element of stem's output changed after it was read
 * back, as a faulty store would leave it): stem's tensor differs from the reference chain,
 * and so do the layers after it, which read the RTL's tensors, while each of them is still
 * exact against its own reference from the inputs it was given. A runner that fed a layer the
 * reference's tensors (or drew its inputs) would show no difference downstream. */
static void flip_stem(void *ctx, const struct arch_layer *l, int64_t *x, int64_t n)
{
	(void)ctx;
	if (!strcmp(l->name, "stem") && n > 0)
		x[5] = x[5] == 0 ? 1 : 0;
}

static void whole_run_should_feed_each_layer_what_the_rtl_wrote(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct sim_whole_opts o = { .on_output = flip_stem };
	struct sim_whole_result w;
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	CHECK_EQ_I64(sim_whole(&net, &hw, &o, &w, &err), 0);
	CHECK(!w.bit_exact);
	CHECK_EQ_I64(w.n, net.n_layers);
	for (int i = 0; i < w.n; i++) {
		const struct sim_whole_layer *x = &w.layers[i];
		const char *name = net.layers[x->layer].name;
		CHECK_EQ_I64(x->res.mismatches, 0);
		if (!strcmp(name, "stem"))
			CHECK_EQ_I64(x->chain_mismatches, 1);
		/* dw reads stem (its 3x3 windows spread the fault), add reads stem directly */
		if (!strcmp(name, "dw") || !strcmp(name, "add"))
			CHECK(x->chain_mismatches >= 1);
	}
	printf("  a fault in stem's tensor reaches %lld of %lld network outputs\n",
	       (long long)w.mismatches, (long long)w.outputs);
	sim_whole_release(&w);
	arch_net_release(&net);
}

static void whole_run_should_refuse_what_it_cannot_run(void)
{
	struct hw_config hw = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct arch_net net;
	struct sim_whole_result w;
	struct hn_err err = { 0 };

	/* a list of unconnected layers */
	CHECK_EQ_I64(arch_net_load(NETS "small_net.json", &net, &err), 0);
	CHECK_EQ_I64(sim_whole(&net, &hw, NULL, &w, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "needs a graph");
	sim_whole_release(&w);
	arch_net_release(&net);
	/* a matmul of two activations */
	{
		CHECK_EQ_I64(mm_net(&net), 0);
		CHECK_EQ_I64(sim_whole(&net, &hw, NULL, &w, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "layers[0] 'attn': a matmul");
		sim_whole_release(&w);
		arch_net_release(&net);
	}
	/* a config the simulator does not take */
	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	hw.acc_bits = 8;
	CHECK_EQ_I64(sim_whole(&net, &hw, NULL, &w, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "acc_bits");
	sim_whole_release(&w);
	arch_net_release(&net);
}

/* Conv A loads and pool inputs walk windows over the NHWC input (docs/rtl.md "Window
 * addressing"): the image holds the input itself, not an im2col or window matrix, and every
 * A load carries its block's origin; the AXI top's programs (ostage 0) and geometries beyond
 * the descriptor's packing keep the host's matrix. The RTL runs of these layers (test_sim,
 * test_sim_fuzz, the whole runs above) are what shows the walk is right. */
static void programs_should_walk_windows_over_the_nhwc_input(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct sim_rtl_params rp;
	struct hn_err err = { 0 };
	struct arch_layer convs[4] = {
		arch_conv("c3", 2, 5, 7, 6, 6, 3, 2, 1, 1),
		arch_conv("dw", 1, 6, 5, 5, 6, 3, 1, 1, 6),
		arch_conv("g2", 1, 4, 6, 6, 6, 3, 1, 0, 2),
		arch_conv("dil", 1, 3, 9, 9, 4, 3, 1, 2, 1),
	};
	struct map_tiling m = { 5, 2, 7, MAP_KMN };

	convs[3].dil_h = convs[3].dil_w = 2;
	sim_rtl_params_from_hw(&hw, &rp);
	for (int i = 0; i < 4; i++) {
		const struct arch_layer *l = &convs[i];
		struct arch_gemm g = arch_gemm(l);
		struct sim_prog p;
		int64_t loads = 0;
		CHECK_EQ_I64(sim_prog_build(l, &hw, &m, &rp, 1, 0, &p, &err), 0);
		CHECK_EQ_I64(p.win, 1);
		/* the image: the input, then B, C, P and the records */
		CHECK_EQ_I64(p.nmem, l->n * l->c * l->h * l->w +
			     g.g * (g.k * g.n + 2 * g.m * g.n + 3 * g.n));
		for (int64_t j = 0; j < p.ndma; j++) {
			const struct sim_dma *d = &p.dma[j];
			if (d->op != 0) {
				CHECK_EQ_I64(d->win[0], 0);
				continue;
			}
			loads++;
			CHECK_EQ_I64(d->win[0], 1);
			CHECK_EQ_I64(d->win[7] % m.tm, 0);
			CHECK_EQ_I64(d->win[8] % m.tk, 0);
			CHECK(d->base >= 0 && d->base < l->c);
		}
		CHECK(loads > 0);
		sim_prog_release(&p);
	}
	{
		struct arch_layer pl = arch_pool("mp", 1, 5, 7, 7, 3, 2, 1, 1);
		struct sim_prog p;
		CHECK_EQ_I64(sim_prog_build(&pl, &hw, &m, &rp, 1, 0, &p, &err), 0);
		CHECK_EQ_I64(p.win, 1);
		CHECK_EQ_I64(p.nmem, 5 * 7 * 7 + 5 * 4 * 4);
		CHECK_EQ_I64(p.ndma, 1);
		CHECK_EQ_I64(p.dma[0].win[0], 2);
		CHECK_EQ_I64(p.dma[0].win[6], -128); /* max pool: pads with -2^(a-1) */
		sim_prog_release(&p);
	}
	{
		/* a padding beyond the packing's 8 bits: the host's im2col */
		struct arch_layer big = arch_conv("bigpad", 1, 2, 4, 4, 2, 1, 1, 300, 1);
		struct sim_prog p;
		CHECK_EQ_I64(sim_prog_build(&big, &hw, &(struct map_tiling){ 8, 2, 2, MAP_MNK },
					    &rp, 1, 0, &p, &err), 0);
		CHECK_EQ_I64(p.win, 0);
		sim_prog_release(&p);
	}
	{
		/* the AXI top (no output stage): 2-D blocks */
		struct sim_prog p;
		rp.ostage = 0;
		CHECK_EQ_I64(sim_prog_build(&convs[0], &hw, &m, &rp, 1, 0, &p, &err), 0);
		CHECK_EQ_I64(p.win, 0);
		sim_prog_release(&p);
	}
}

/* ResNet-18 of the zoo at res x res: the input's size changed and every layer's input shape
 * re-derived from its producer in topological order (the global average pool's window
 * follows the map). */
static int resnet18_at(int64_t res, struct arch_net *net, struct hn_err *err)
{
	int ret = arch_zoo_build("resnet18", 1, net, err);
	int *order = NULL;

	if (ret)
		return ret;
	net->inputs[0].dims[1] = net->inputs[0].dims[2] = res;
	snprintf(net->name, sizeof(net->name), "resnet18@%lld", (long long)res);
	order = malloc((size_t)net->n_layers * sizeof(int));
	if (!order || (ret = arch_net_topo_order(net, order, err))) {
		free(order);
		return order ? ret : HN_ENOMEM;
	}
	for (int s = 0; s < net->n_layers; s++) {
		struct arch_layer *l = &net->layers[order[s]];
		struct arch_shape in = arch_net_tensor_shape(net, l->in[0]);
		int global = l->kind == ARCH_POOL && l->r == l->h && l->s == l->w;
		if (l->kind == ARCH_FC || in.rank != 4)
			continue;
		l->c = in.d[1];
		l->h = in.d[2];
		l->w = in.d[3];
		if (global) {
			l->r = l->h;
			l->s = l->w;
		}
	}
	free(order);
	return arch_net_check_graph(net, net->name, err);
}

static void long_networks_should_run_whole_on_16x16(void)
{
	struct hw_config hw = hw_config_default(); /* 16x16 ws int8, 64 KiB buffers */
	struct arch_net net;
	struct hn_err err = { 0 };
	int ops[ARCH_NB201_EDGES];

	/* a NAS-Bench-201 cell with every op kind: 3x3 and 1x1 convs, an average pool, skips */
	CHECK_EQ_I64(arch_nb201_parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+"
				      "|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", ops, &err), 0);
	CHECK_EQ_I64(arch_nb201_build(ops, ARCH_NB201_CIFAR10, 1, &net, &err), 0);
	{
		/* one image, then one run per layer: the same cycles on every layer */
		int64_t *a = calloc((size_t)net.n_layers, sizeof(int64_t));
		int64_t *b = calloc((size_t)net.n_layers, sizeof(int64_t));
		CHECK(a && b);
		if (a && b) {
			check_whole_opt(&net, &hw, "16x16 ws int8", 3, 0, a);
			check_whole_opt(&net, &hw, "16x16 ws int8", 3, 1, b);
			for (int i = 0; i < net.n_layers; i++)
				CHECK_EQ_I64(a[i], b[i]);
		}
		free(a);
		free(b);
	}
	arch_net_release(&net);

	CHECK_EQ_I64(resnet18_at(64, &net, &err), 0);
	check_whole(&net, &hw, "16x16 ws int8", 3);
	arch_net_release(&net);
}

int main(void)
{
	const char *lg = getenv("HWNAS_LONG");

	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(programs_should_walk_windows_over_the_nhwc_input);
	RUN(whole_run_should_refuse_what_it_cannot_run);
	RUN(whole_cnn_should_run_bit_exact_as_one_chain_on_every_dataflow);
	RUN(whole_cnn_should_run_bit_exact_at_batch_2);
	RUN(one_image_should_take_the_cycles_of_the_runs_per_layer);
	RUN(whole_run_should_feed_each_layer_what_the_rtl_wrote);
	if (lg && !strcmp(lg, "1"))
		RUN(long_networks_should_run_whole_on_16x16);
	return TEST_SUMMARY();
}
