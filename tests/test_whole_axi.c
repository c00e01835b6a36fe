/* Whole networks through the AXI top and the host driver (sim_whole_axi, docs/deploy.md "A
 * whole network through the driver"): the one-image program of sim_whole laid out as the
 * top's DRAM, started once by driver/hwnas_drv.c on the simulated top, every tensor read
 * back and compared with the C reference chain; the AXI cycles printed beside the model's.
 * Networks: whole_pw_fc (1x1 convs, fcs) and whole_cnn (convs walked by window, depthwise,
 * add, pools on the vector unit, fc). Also what it must catch (a changed element of a tensor
 * the RTL wrote) and refuse (a matmul, a conv beyond the window descriptor, a layer no tiling
 * fits, a list-form network). */
#include "test.h"
#include "test_small_hw.h"
#include "test_mm_net.h"
#include "../arch/arch.h"
#include "../sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NETS "tests/data/nets/"

/* Runs net through the AXI top on hw and checks every tensor; returns the AXI cycles.
 * exact: the AXI model's figure (the layers walked as one program) must be the run's. */
static int64_t check_axi(const struct arch_net *net, const struct hw_config *hw,
			 const struct sim_axi_options *ao, const char *what, int exact)
{
	struct sim_whole_result w;
	struct hn_err err = { 0 };
	int rc = sim_whole_axi(net, hw, NULL, ao, &w, &err);
	int64_t cycles = w.rtl_cycles, model_axi = 0, alone = 0;
	struct sim_axi_options a_opts;

	if (rc)
		fprintf(stderr, "  %s: %s\n", what, err.msg);
	CHECK_EQ_I64(rc, 0);
	CHECK_EQ_I64(w.n, net->n_layers);
	CHECK(w.axi && w.one_image);
	for (int i = 0; i < w.n; i++) {
		const struct sim_whole_layer *x = &w.layers[i];
		if (x->chain_mismatches)
			fprintf(stderr, "  %s: %s: %lld/%lld elements differ from the chain\n", what,
				net->layers[x->layer].name, (long long)x->chain_mismatches,
				(long long)x->res.outputs);
		CHECK_EQ_I64(x->chain_mismatches, 0);
		CHECK(x->res.outputs > 0);
		CHECK(x->cost.cycles > 0);
		/* the calibrated output stage keeps every tensor spread: not a constant */
		CHECK(x->distinct >= 2);
		/* the layer alone (cost_layer_axi at the run's bus), for the residual below */
		struct cost_axi a;
		struct cost_report r;
		struct hw_energy e = hw_energy_default();
		sim_axi_options_init(&a_opts);
		cost_axi_init(&a);
		a.dw = ao ? ao->dw : a_opts.dw;
		a.maxb = ao ? ao->maxb : a_opts.maxb;
		a.maxout = ao ? ao->maxout : a_opts.maxout;
		CHECK_EQ_I64(cost_layer_axi(&net->layers[x->layer], hw, &x->tiling, &a, &e, &r), 0);
		CHECK(x->model_axi_cycles > 0);
		model_axi += x->model_axi_cycles;
		alone += r.cycles;
	}
	/* the layers' figures in the program are its ends' differences: they sum to it */
	CHECK_EQ_I64(w.model_axi_cycles, model_axi);
	CHECK(w.model_axi_cycles > 0);
	CHECK(w.bit_exact);
	CHECK_EQ_I64(w.mismatches, 0);
	CHECK(w.outputs > 0);
	/* the top ran, moved the tensors and weights, and is no faster than the model's own
	 * schedule of the same program (it adds a DRAM round trip per record fetched) */
	CHECK(w.rtl_cycles >= w.program_cycles && w.program_cycles > 0);
	CHECK(w.axi_rd_bytes > 0 && w.axi_wr_bytes > 0);
	printf("  %-12s %-26s %d layers, one start: axi %7lld cycles, model %7lld (sum of layers), "
	       "%7lld (the program's makespan), axi/model %.2f, %lld outputs bit-exact %d, "
	       "%.1f s wall (%.1f s run, %.1f s build)\n", net->name, what, w.n,
	       (long long)w.rtl_cycles, (long long)w.model_cycles, (long long)w.program_cycles,
	       (double)w.rtl_cycles / (double)(w.model_cycles ? w.model_cycles : 1),
	       (long long)w.outputs, w.bit_exact, w.wall_seconds, w.sim_seconds,
	       w.build_seconds);
	printf("  %-12s %-26s AXI model %7lld cycles (the layers as one program): axi - model "
	       "%+lld (%+.2f%%); the layers each alone: %7lld (%+lld)\n", net->name, what,
	       (long long)w.model_axi_cycles, (long long)(w.rtl_cycles - w.model_axi_cycles),
	       100.0 * (double)(w.model_axi_cycles - w.rtl_cycles) /
		       (double)(w.rtl_cycles ? w.rtl_cycles : 1), (long long)alone,
	       (long long)(w.rtl_cycles - alone));
	if (exact)
		CHECK_EQ_I64(w.model_axi_cycles, w.rtl_cycles);
	sim_whole_release(&w);
	return cycles;
}

static void pw_fc_net_should_run_through_the_driver_bit_exactly(void)
{
	/* the configs of whole_cnn's runs below: no AXI top built for this test alone */
	struct hw_config a = small_hw(4, 4, HW_WS, 8, 32, 1), b = small_hw(2, 2, HW_WS, 8, 32, 0);
	struct sim_axi_options ao;
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_net_load(NETS "whole_pw_fc.json", &net, &err), 0);
	sim_axi_options_init(&ao);
	check_axi(&net, &a, &ao, "4x4 ws int8 double", 1);
	/* back-pressure on every channel of the slave: the same tensors */
	ao.stall = 0.2;
	ao.seed = 5;
	check_axi(&net, &a, &ao, "4x4 ws int8, 20% stalls", 0);
	sim_axi_options_init(&ao);
	check_axi(&net, &b, &ao, "2x2 ws int8 single", 1);
	arch_net_release(&net);
}

/* The CNN of test_whole.c (conv, depthwise, pointwise, add, padded max pool, strided conv,
 * global average pool, fc) through the driver: the top walks the conv and pool windows over
 * the NHWC tensors and runs the pools and the add on its vector unit, on every dataflow and
 * at 16 / 8 / 4 bits, in one start. */
static void whole_cnn_should_run_through_the_driver_on_every_dataflow(void)
{
	struct hw_config cfgs[4] = {
		small_hw(2, 2, HW_WS, 8, 32, 0), small_hw(4, 4, HW_OS, 8, 32, 1),
		small_hw(3, 2, HW_IS, 16, 32, 1), small_hw(4, 4, HW_WS, 4, 10, 1),
	};
	const char *what[4] = { "2x2 ws int8 single", "4x4 os int8 double",
				"3x2 is int16 acc32 double", "4x4 ws int4 acc10 double" };
	struct sim_axi_options ao;
	struct arch_net net;
	struct hn_err err = { 0 };

	cfgs[2].ibuf_bytes = cfgs[2].wbuf_bytes = 4096;
	cfgs[2].obuf_bytes = 8192;
	/* (test_whole's 3x2 is config has acc_bits 40: 5-byte elements, which the AXI master
	 * does not move; 32 here) */
	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	sim_axi_options_init(&ao);
	for (int i = 0; i < 4; i++)
		check_axi(&net, &cfgs[i], &ao, what[i], 1);
	ao.stall = 0.25;
	ao.seed = 9;
	check_axi(&net, &cfgs[1], &ao, "4x4 os int8, 25% stalls", 0);
	arch_net_release(&net);
	/* a batch of 2 */
	CHECK_EQ_I64(arch_net_resolve(NETS "whole_cnn.json", 2, &net, &err), 0);
	sim_axi_options_init(&ao);
	check_axi(&net, &cfgs[1], &ao, "4x4 os int8, batch 2", 1);
	arch_net_release(&net);
}

/* Per-layer AXI cycles from the program's prefixes: each layer's is positive, they sum to
 * the whole run's, and the tensors are still checked bit-exact. */
static void prefixes_should_split_the_axi_cycles_per_layer(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct sim_whole_opts o = { .per_layer = 1 };
	struct sim_whole_result w;
	struct arch_net net;
	struct hn_err err = { 0 };
	int64_t sum = 0;

	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	CHECK_EQ_I64(sim_whole_axi(&net, &hw, &o, NULL, &w, &err), 0);
	CHECK(w.bit_exact && w.axi_spans);
	for (int i = 0; i < w.n; i++) {
		const struct sim_whole_layer *x = &w.layers[i];
		CHECK(x->res.rtl_cycles > 0);
		sum += x->res.rtl_cycles;
		printf("  %-5s axi %6lld cycles, model %6lld, AXI model %6lld (the program cut after "
		       "it less the program cut before)\n", net.layers[x->layer].name,
		       (long long)x->res.rtl_cycles, (long long)x->cost.cycles,
		       (long long)x->model_axi_cycles);
		/* no back-pressure: each prefix's run is the model's */
		CHECK_EQ_I64(x->model_axi_cycles, x->res.rtl_cycles);
	}
	CHECK_EQ_I64(sum, w.rtl_cycles);
	sim_whole_release(&w);
	arch_net_release(&net);
}

/* The AXI run and the direct harness's one image compare the same tensors with the same
 * reference chain: both bit-exact, the same model cycles, the same layers. */
static void axi_run_should_check_what_the_direct_run_checks(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct sim_whole_result d, x;
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_net_load(NETS "whole_pw_fc.json", &net, &err), 0);
	CHECK_EQ_I64(sim_whole(&net, &hw, NULL, &d, &err), 0);
	CHECK_EQ_I64(sim_whole_axi(&net, &hw, NULL, NULL, &x, &err), 0);
	CHECK(d.bit_exact && x.bit_exact && d.one_image && !d.axi && x.axi);
	CHECK_EQ_I64(d.model_cycles, x.model_cycles);
	CHECK_EQ_I64(d.program_cycles, x.program_cycles);
	CHECK_EQ_I64(d.outputs, x.outputs);
	CHECK_EQ_I64(d.macs, x.macs);
	CHECK_EQ_I64(d.n, x.n);
	for (int i = 0; i < d.n && i < x.n; i++) {
		CHECK_EQ_I64(d.layers[i].layer, x.layers[i].layer);
		CHECK_EQ_I64(d.layers[i].distinct, x.layers[i].distinct);
	}
	printf("  direct harness: %lld cycles (sum of layer spans, = model %lld); AXI top: %lld\n",
	       (long long)d.rtl_cycles, (long long)d.model_cycles, (long long)x.rtl_cycles);
	sim_whole_release(&d);
	sim_whole_release(&x);
	arch_net_release(&net);
}

/* A changed element of a tensor the RTL wrote, as a faulty store would leave it, is caught:
 * that layer's tensor differs in exactly that element, and a network output changed counts
 * as an output mismatch. */
struct flip { const char *name; int64_t at; };

static void flip_one(void *ctx, const struct arch_layer *l, int64_t *x, int64_t n)
{
	const struct flip *f = ctx;

	if (!strcmp(l->name, f->name) && f->at < n)
		x[f->at] ^= 1;
}

static void axi_run_should_catch_a_changed_tensor_element(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	const struct flip flips[2] = { { "expand", 37 }, { "fc2", 9 } };
	struct arch_net net;
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_net_load(NETS "whole_pw_fc.json", &net, &err), 0);
	for (int k = 0; k < 2; k++) {
		struct sim_whole_opts o = { .on_output = flip_one, .ctx = (void *)&flips[k] };
		struct sim_whole_result w;
		CHECK_EQ_I64(sim_whole_axi(&net, &hw, &o, NULL, &w, &err), 0);
		CHECK(!w.bit_exact);
		for (int i = 0; i < w.n; i++) {
			const char *name = net.layers[w.layers[i].layer].name;
			CHECK_EQ_I64(w.layers[i].chain_mismatches, !strcmp(name, flips[k].name));
		}
		/* fc2 is a network output; expand is not */
		CHECK_EQ_I64(w.mismatches, k == 1);
		sim_whole_release(&w);
	}
	arch_net_release(&net);
}

static void axi_run_should_name_what_it_cannot_run(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct sim_whole_result w;
	struct arch_net net;
	struct hn_err err = { 0 };

	/* a list of unconnected layers */
	CHECK_EQ_I64(arch_net_load(NETS "small_net.json", &net, &err), 0);
	CHECK_EQ_I64(sim_whole_axi(&net, &hw, NULL, NULL, &w, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "needs a graph");
	sim_whole_release(&w);
	arch_net_release(&net);
	/* a layer no tiling fits: buffers smaller than one element of a tile */
	CHECK_EQ_I64(arch_net_load(NETS "whole_pw_fc.json", &net, &err), 0);
	{
		struct hw_config tiny = hw;
		tiny.wbuf_bytes = 1;
		CHECK_EQ_I64(sim_whole_axi(&net, &tiny, NULL, NULL, &w, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "whole_pw_fc: layer 'expand': no tiling fits");
		sim_whole_release(&w);
	}
	/* a config the AXI top cannot move (3-byte elements) */
	{
		struct hw_config odd = small_hw(4, 4, HW_WS, 8, 24, 1);
		CHECK_EQ_I64(sim_whole_axi(&net, &odd, NULL, NULL, &w, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "acc_bits 24");
		sim_whole_release(&w);
	}
	arch_net_release(&net);
	/* a matmul of two activations (not run whole) */
	{
		CHECK_EQ_I64(mm_net(&net), 0);
		CHECK_EQ_I64(sim_whole_axi(&net, &hw, NULL, NULL, &w, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "mm: layers[0] 'attn': a matmul");
		sim_whole_release(&w);
		arch_net_release(&net);
	}
	/* a conv whose padding is beyond the window descriptor's 8 bits: its A would be the
	 * host's im2col of the tensor, which no single start can lay out */
	{
		const int64_t dims[3] = { 2, 4, 4 };
		struct arch_layer c = arch_conv("bigpad", 1, 2, 4, 4, 2, 1, 1, 300, 1);
		arch_net_init(&net, "pad", 1);
		CHECK_EQ_I64(arch_net_add_input(&net, "x", 3, dims), 0);
		c.n_in = 1;
		c.in[0] = ARCH_SRC_INPUT(0);
		CHECK_EQ_I64(arch_net_add(&net, &c), 0);
		CHECK_EQ_I64(arch_net_add_output(&net, 0), 0);
		CHECK_EQ_I64(sim_whole_axi(&net, &hw, NULL, NULL, &w, &err), HN_EINVAL);
		CHECK_STR_CONTAINS(err.msg, "pad: layer 'bigpad': its im2col is a matrix the host");
		sim_whole_release(&w);
		arch_net_release(&net);
	}
}

/* The tilings chosen for the AXI top (cost_net_opts.axi: map_axi_choose, what hwnas compile
 * --axi and an "axi" search space take) run through the top bit-exactly with the AXI model
 * exact, on the 4x4 os config above; at least one layer's differs from the mapper's and is
 * faster alone. */
static void tilings_chosen_for_the_axi_top_should_run_exactly(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	struct cost_net_opts co, direct;
	struct cost_axi a;
	struct sim_whole_opts o = { 0 };
	struct sim_whole_result w;
	struct arch_net net;
	struct hn_err err = { 0 };
	int changed = 0;

	CHECK_EQ_I64(arch_net_load(NETS "whole_cnn.json", &net, &err), 0);
	cost_axi_init(&a);
	a.dw = 64;              /* sim_axi_options_init's bus, the run's */
	cost_net_opts_init(&co);
	cost_net_opts_init(&direct);
	co.axi = &a;
	o.cost = &co;
	CHECK_EQ_I64(sim_whole_axi(&net, &hw, &o, NULL, &w, &err), 0);
	CHECK(w.bit_exact && w.mismatches == 0);
	CHECK_EQ_I64(w.model_axi_cycles, w.rtl_cycles);
	for (int i = 0; i < w.n; i++) {
		const struct sim_whole_layer *x = &w.layers[i];
		const struct arch_layer *l = &net.layers[x->layer];
		struct cost_net_row mine, theirs;
		CHECK(cost_net_layer(l, &hw, &co, &mine, &err) == 0);
		CHECK(cost_net_layer(l, &hw, &direct, &theirs, &err) == 0);
		CHECK(mine.tiling.tm == x->tiling.tm && mine.tiling.tn == x->tiling.tn &&
		      mine.tiling.tk == x->tiling.tk && mine.tiling.order == x->tiling.order);
		if (arch_gemm(l).g && (theirs.tiling.tm != mine.tiling.tm ||
				       theirs.tiling.tn != mine.tiling.tn ||
				       theirs.tiling.tk != mine.tiling.tk)) {
			struct cost_report r;
			const struct hw_energy e = hw_energy_default();
			CHECK_EQ_I64(cost_layer_axi(l, &hw, &theirs.tiling, &a, &e, &r), 0);
			CHECK(mine.cost.cycles < r.cycles);
			printf("  %-5s %lld,%lld,%lld -> %lld,%lld,%lld: AXI alone %lld -> %lld cycles\n",
			       l->name, (long long)theirs.tiling.tm, (long long)theirs.tiling.tn,
			       (long long)theirs.tiling.tk, (long long)mine.tiling.tm,
			       (long long)mine.tiling.tn, (long long)mine.tiling.tk,
			       (long long)r.cycles, (long long)mine.cost.cycles);
			changed++;
		}
	}
	CHECK(changed > 0);
	printf("  whole_cnn 4x4 os, tilings for the AXI top: axi %lld cycles, AXI model %lld, "
	       "bit-exact %d\n", (long long)w.rtl_cycles, (long long)w.model_axi_cycles,
	       w.bit_exact);
	sim_whole_release(&w);
	arch_net_release(&net);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(axi_run_should_name_what_it_cannot_run);
	RUN(pw_fc_net_should_run_through_the_driver_bit_exactly);
	RUN(whole_cnn_should_run_through_the_driver_on_every_dataflow);
	RUN(prefixes_should_split_the_axi_cycles_per_layer);
	RUN(tilings_chosen_for_the_axi_top_should_run_exactly);
	RUN(axi_run_should_check_what_the_direct_run_checks);
	RUN(axi_run_should_catch_a_changed_tensor_element);
	return TEST_SUMMARY();
}
