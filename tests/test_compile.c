/* test_compile.c: hwnas compile's output (sim/sim_compile.c) run as a host would: dram.bin
 * loaded at address 0 of the simulated AXI top, each compiled layer's lists started by the C
 * driver (sim/harness/harness_axi.cpp), the layer's output region read back and compared with
 * layer<i>.expect.bin and with the direct harness's run of the same layer (the C reference,
 * bit for bit); cycles printed beside the model's. Also the layout itself: records, parameter
 * records and weights at the manifest's addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_small_hw.h"
#include "../driver/hwnas_drv.h"
#include "../sim/sim.h"

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	*n = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len)
		*n = (size_t)len;
	fclose(f);
	return buf;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void compile_should_run_each_layer_of_the_per_layer_form_through_the_driver(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct arch_net net;
	struct sim_compile_options co;
	struct sim_compile_report rep;
	struct sim_rtl_params rp;
	struct sim_axi_options ao;
	struct hn_err err = { 0 };
	char dir[] = "/tmp/hwnas-compile-XXXXXX", path[256], exe[1200];
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;
	int built = 0, ran = 0;
	size_t nimg = 0;
	uint8_t *img;

	snprintf(path, sizeof(path), "%s/tests/data/nets/attn_graph.json", src);
	CHECK(arch_net_resolve(path, 0, &net, &err) == 0);
	CHECK(mkdtemp(dir) != NULL);
	sim_compile_options_init(&co);
	co.seed = 7;
	if (sim_compile_net(&net, &hw, &co, dir, &rep, &err)) {
		fprintf(stderr, "  compile: %s\n", err.msg);
		CHECK(0);
		arch_net_release(&net);
		return;
	}
	CHECK_EQ_I64(rep.n, 1);
	/* a matmul of two activations is not run whole: one program per layer */
	CHECK(!rep.whole);
	CHECK_STR_CONTAINS(rep.why_whole, "layers[0] 'scores': a matmul");
	CHECK(rep.layers[0].compiled);
	snprintf(path, sizeof(path), "%s/dram.bin", dir);
	img = read_all(path, &nimg);
	CHECK(img != NULL);
	CHECK_EQ_I64((int64_t)nimg, (int64_t)rep.bytes);

	sim_rtl_params_from_hw(&hw, &rp);
	sim_axi_options_init(&ao);
	ao.stall = 0.2;
	ao.seed = 11;
	CHECK(sim_axi_build(&rp, &ao, NULL, exe, sizeof(exe), &built, &err) == 0);
	for (int i = 0; i < rep.n && img; i++) {
		const struct sim_compile_layer *c = &rep.layers[i];
		struct sim_axi_result axi;
		struct sim_result direct;
		struct sim_options so;
		size_t ne = 0;
		uint8_t *exp;
		int64_t bad = 0, bad_direct = 0;
		if (!c->compiled)
			continue;
		/* the layout: the first DMA record's word 0 is a load (op 0 or 1), its base inside
		 * the region the manifest names; the weights sit in the tensor plan */
		CHECK(c->map.dq + HND_DMA_RECORD <= nimg);
		CHECK((le32(img + c->map.dq) & 3) <= 1);
		CHECK(!c->b_in_plan);   /* a matmul's B: its second input, in scratch */
		CHECK(c->map.b >= rep.scratch_at);
		CHECK(c->map.c >= rep.tensors_at && c->map.c < rep.tensors_at + rep.tensors_bytes);
		/* parameter record 0: the multiplier of a realistic draw lies in [2^30, 2^31) */
		CHECK(le32(img + c->map.q + 8) >= (1u << 30));
		CHECK(img[c->map.q + 12] <= 63);

		if (sim_axi_run(exe, path, &c->map, &ao, 8.0, hw.dram_latency_cycles, 10000000, dir,
				&axi, &err)) {
			fprintf(stderr, "  layer %d: %s\n", i, err.msg);
			CHECK(0);
			continue;
		}
		snprintf(path, sizeof(path), "%s/layer%d.expect.bin", dir, i);
		exp = read_all(path, &ne);
		snprintf(path, sizeof(path), "%s/dram.bin", dir);
		CHECK_EQ_I64((int64_t)ne, c->map.nc * c->map.ab);
		for (int64_t k = 0; exp && k < c->map.nc; k++)
			bad += axi.outputs[k] != sim_axi_elem(exp + k * c->map.ab, c->map.ab);
		CHECK_EQ_I64(bad, 0);
		/* the expected outputs are the direct harness's: the same seed, bit-exact */
		sim_options_init(&so);
		so.seed = co.seed;
		CHECK(sim_layer(&net.layers[i], &hw, &c->tiling, &so, &direct, &err) == 0);
		CHECK(direct.bit_exact);
		bad_direct = direct.mismatches;
		printf("  %-5s %lld outputs bit-exact %d (direct %d)  axi %7lld cycles  direct %7lld"
		       "  model %7lld\n", net.layers[i].name, (long long)c->map.nc, bad == 0,
		       bad_direct == 0, (long long)axi.cycles, (long long)direct.rtl_cycles,
		       (long long)c->model_cycles);
		ran++;
		free(exp);
		sim_axi_result_release(&axi);
	}
	CHECK_EQ_I64(ran, 1);
	free(img);
	sim_compile_report_release(&rep);
	arch_net_release(&net);
	if (!test_failed_checks) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
}

/* The whole network as one program: dram.bin loaded at address 0, the two lists started
 * once by the driver on the simulated top, the tensor region read back after done equal to
 * expect.bin element by element (every tensor of the C reference chain: the network input
 * unchanged, every layer's output); the AXI cycles beside the model's. */
static void compile_whole_and_run(const char *file, const struct hw_config *hwp,
				  uint64_t seed)
{
	const struct hw_config hw = *hwp;
	struct arch_net net;
	struct sim_compile_options co;
	struct sim_compile_report rep;
	struct sim_rtl_params rp;
	struct sim_axi_options ao;
	struct sim_axi_result axi;
	struct sim_axi_map dump;
	struct hn_err err = { 0 };
	char dir[] = "/tmp/hwnas-compile-whole-XXXXXX", path[256], exe[1200];
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;
	int built = 0;
	size_t nimg = 0, nexp = 0, nd = 0, nc = 0;
	uint8_t *img, *exp, *dl, *cl;
	int64_t model = 0, bad = 0;

	snprintf(path, sizeof(path), "%s/tests/data/nets/%s", src, file);
	CHECK(arch_net_resolve(path, 0, &net, &err) == 0);
	CHECK(mkdtemp(dir) != NULL);
	sim_compile_options_init(&co);
	co.seed = seed;
	if (sim_compile_net(&net, &hw, &co, dir, &rep, &err)) {
		fprintf(stderr, "  compile: %s\n", err.msg);
		CHECK(0);
		arch_net_release(&net);
		return;
	}
	CHECK(rep.whole);
	CHECK_EQ_I64(rep.n, net.n_layers);
	CHECK_EQ_I64(rep.n_tensors, net.n_inputs + net.n_layers);
	snprintf(path, sizeof(path), "%s/dram.bin", dir);
	img = read_all(path, &nimg);
	snprintf(path, sizeof(path), "%s/expect.bin", dir);
	exp = read_all(path, &nexp);
	snprintf(path, sizeof(path), "%s/program.dma.bin", dir);
	dl = read_all(path, &nd);
	snprintf(path, sizeof(path), "%s/program.cmp.bin", dir);
	cl = read_all(path, &nc);
	CHECK(img && exp && dl && cl);
	CHECK_EQ_I64((int64_t)nimg, (int64_t)rep.bytes);
	CHECK_EQ_I64((int64_t)nexp, (int64_t)rep.tensors_bytes);
	CHECK_EQ_I64((int64_t)nd, rep.ndq * HND_DMA_RECORD);
	CHECK_EQ_I64((int64_t)nc, rep.ncq * HND_CMP_RECORD);
	if (!img || !exp || !dl || !cl)
		goto out_free;
	/* the lists are the image's; every layer's records follow the previous layer's */
	CHECK(!memcmp(img + rep.dq, dl, nd) && !memcmp(img + rep.cq, cl, nc));
	for (int i = 0, next = 0; i < rep.n; i++) {
		const struct sim_axi_map *m = &rep.layers[i].map;
		CHECK_EQ_I64((int64_t)(m->dq - rep.dq) / HND_DMA_RECORD, next);
		next += (int)m->ndq;
		/* A and C are tensors: its input and its own output */
		CHECK_EQ_I64((int64_t)m->c, (int64_t)rep.tensor_addr[net.n_inputs + i]);
		CHECK(m->a >= rep.tensors_at && m->a < rep.tensors_at + rep.tensors_bytes);
		CHECK(m->b >= rep.scratch_at && m->q + 16 * (uint64_t)m->nq <= rep.bytes);
		model += rep.layers[i].model_cycles;
	}
	/* the network input is in the image as expected, the other tensors are zero */
	for (int64_t j = 0; j < rep.tensor_elems[0]; j++)
		bad += img[rep.tensor_addr[0] + (uint64_t)j] != exp[rep.tensor_addr[0] -
								   rep.tensors_at + (uint64_t)j];
	CHECK_EQ_I64(bad, 0);
	for (int t = 1; t < rep.n_tensors; t++)
		for (int64_t j = 0; j < rep.tensor_elems[t]; j++)
			bad += img[rep.tensor_addr[t] + (uint64_t)j] != 0;
	CHECK_EQ_I64(bad, 0);

	sim_rtl_params_from_hw(&hw, &rp);
	sim_axi_options_init(&ao);
	ao.stall = 0.2;
	ao.seed = 3;
	CHECK(sim_axi_build(&rp, &ao, NULL, exe, sizeof(exe), &built, &err) == 0);
	memset(&dump, 0, sizeof(dump));
	dump.dq = rep.dq;
	dump.ndq = rep.ndq;
	dump.cq = rep.cq;
	dump.ncq = rep.ncq;
	dump.c = rep.tensors_at;
	dump.nc = (int64_t)rep.tensors_bytes;
	dump.ab = 1;
	snprintf(path, sizeof(path), "%s/dram.bin", dir);
	if (sim_axi_run(exe, path, &dump, &ao, 8.0, hw.dram_latency_cycles, 10000000, dir, &axi,
			&err)) {
		fprintf(stderr, "  whole run: %s\n", err.msg);
		CHECK(0);
		goto out_free;
	}
	for (int t = 0; t < rep.n_tensors; t++)
		for (int64_t j = 0; j < rep.tensor_elems[t]; j++) {
			uint64_t at = rep.tensor_addr[t] - rep.tensors_at + (uint64_t)j;
			bad += axi.outputs[at] != sim_axi_elem(exp + at, 1);
		}
	CHECK_EQ_I64(bad, 0);
	printf("  %-12s %d layers in one start, %3lld DMA and %3lld compute records, %5llu tensor "
	       "bytes bit-exact %d: axi %6lld cycles, model %6lld\n", net.name, rep.n,
	       (long long)rep.ndq,
	       (long long)rep.ncq, (unsigned long long)rep.tensors_bytes, bad == 0,
	       (long long)axi.cycles, (long long)model);
	sim_axi_result_release(&axi);
out_free:
	free(img);
	free(exp);
	free(dl);
	free(cl);
	sim_compile_report_release(&rep);
	arch_net_release(&net);
	if (!test_failed_checks) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
}

static void compile_should_run_the_whole_network_in_one_start(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);

	compile_whole_and_run("whole_pw_fc.json", &hw, 7);
	compile_whole_and_run("tiny_graph.json", &hw, 7);
	compile_whole_and_run("whole_cnn.json", &hw, 3);
}

/* Bad input: a list-form network (no graph), an unwritable folder: errors that name the
 * network and the folder. */
static void compile_should_name_what_is_wrong(void)
{
	struct hw_config hw = small_hw(4, 4, HW_WS, 8, 32, 1);
	struct arch_net net;
	struct sim_compile_options co;
	struct sim_compile_report rep;
	struct hn_err err = { 0 };
	char path[256];
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;

	sim_compile_options_init(&co);
	snprintf(path, sizeof(path), "%s/tests/data/nets/small_net.json", src);
	CHECK(arch_net_resolve(path, 0, &net, &err) == 0);
	CHECK(sim_compile_net(&net, &hw, &co, "/tmp", &rep, &err) == HN_EINVAL);
	CHECK(strstr(err.msg, "small_net") && strstr(err.msg, "graph"));
	arch_net_release(&net);

	snprintf(path, sizeof(path), "%s/tests/data/nets/tiny_graph.json", src);
	CHECK(arch_net_resolve(path, 0, &net, &err) == 0);
	CHECK(sim_compile_net(&net, &hw, &co, "/proc/hwnas-no/such", &rep, &err) == HN_EIO);
	CHECK(strstr(err.msg, "/proc/hwnas-no/such") != NULL);
	arch_net_release(&net);
}

/* With a bus (sim_compile_options.axi) every layer takes the tiling cost_net_layer chooses
 * for the AXI top, A read as the form reads it (the whole form walks windows, im2col 0; the
 * per-layer form the host's matrix, 1), and its model cycles are that choice's; without one,
 * the mapper's. What the front of an "axi" space priced is what the bundle runs. */
static void compile_with_a_bus_should_take_the_tilings_chosen_for_the_axi_top(void)
{
	struct hw_config hw = small_hw(4, 4, HW_OS, 8, 32, 1);
	const char *files[2] = { "whole_cnn.json", "attn_graph.json" };
	const char *src = getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;
	struct hn_err err = { 0 };
	int changed = 0;

	for (int f = 0; f < 2; f++)
		for (int dw = 0; dw <= 64; dw += 64) {
			struct arch_net net;
			struct sim_compile_options so;
			struct sim_compile_report rep;
			struct cost_net_opts co;
			struct cost_axi a;
			char dir[] = "/tmp/hwnas-compile-axi-XXXXXX", path[256];
			snprintf(path, sizeof(path), "%s/tests/data/nets/%s", src, files[f]);
			CHECK(arch_net_resolve(path, 0, &net, &err) == 0);
			CHECK(mkdtemp(dir) != NULL);
			sim_compile_options_init(&so);
			so.program_only = 1;
			so.axi.dw = dw;
			CHECK_EQ_I64(sim_compile_net(&net, &hw, &so, dir, &rep, &err), 0);
			CHECK(rep.whole == (f == 0));
			cost_axi_init(&a);
			a.dw = dw;
			a.im2col = !rep.whole;
			cost_net_opts_init(&co);
			co.axi = dw ? &a : NULL;
			for (int i = 0; i < rep.n; i++) {
				const struct sim_compile_layer *c = &rep.layers[i];
				struct cost_net_row row;
				if (!c->compiled || !arch_gemm(&net.layers[i]).g)
					continue;
				CHECK(cost_net_layer(&net.layers[i], &hw, &co, &row, &err) == 0);
				CHECK(row.tiling.tm == c->tiling.tm && row.tiling.tn == c->tiling.tn &&
				      row.tiling.tk == c->tiling.tk &&
				      row.tiling.order == c->tiling.order);
				CHECK_EQ_I64(c->model_cycles, row.cost.cycles);
				if (dw) {
					struct cost_net_row m;
					co.axi = NULL;
					CHECK(cost_net_layer(&net.layers[i], &hw, &co, &m, &err) == 0);
					co.axi = &a;
					changed += m.tiling.tm != c->tiling.tm ||
						   m.tiling.tn != c->tiling.tn ||
						   m.tiling.tk != c->tiling.tk;
				}
			}
			sim_compile_report_release(&rep);
			snprintf(path, sizeof(path), "rm -rf %s", dir);
			CHECK(system(path) == 0);
			arch_net_release(&net);
		}
	CHECK(changed > 0);
}

/* The record layouts of docs/deploy.md "Program format", byte for byte. */
static void driver_should_pack_the_documented_records(void)
{
	struct hnd_dma d = { .op = 3, .half = 1, .layout = 1, .final = 1, .shift = 0,
			     .base = 0x12345678, .rows = 7, .cols = 9, .stride = 36, .words = 21,
			     .wait = 5, .qbase = 0x4000, .zp = (uint32_t)-3, .lo = (uint32_t)-128,
			     .hi = 127, .obase = 2, .ostride = 3, .ocols = 9, .qwords = 3 };
	uint8_t r[HND_DMA_RECORD], q[HND_PARAM_RECORD];

	hnd_pack_dma(&d, r);
	/* op 3 | half << 2 | layout << 3 | final << 4, zp -3 in bits 16..31 */
	CHECK_EQ_I64(le32(r), 3 | 4 | 8 | 16 | 0xfffdu << 16);
	CHECK_EQ_I64(le32(r + 4), 0x12345678);
	CHECK_EQ_I64(le32(r + 8), 7);
	CHECK_EQ_I64(le32(r + 12), 9);
	CHECK_EQ_I64(le32(r + 16), 36);
	CHECK_EQ_I64(le32(r + 20), 21);
	CHECK_EQ_I64(le32(r + 24), 5);
	CHECK_EQ_I64(le32(r + 28), 0xff80u | 0x7fu << 16);   /* lo -128, hi 127 */
	CHECK_EQ_I64(le32(r + 32), 0x4000);
	CHECK_EQ_I64(le32(r + 36), 2);
	CHECK_EQ_I64(le32(r + 40), 3);
	CHECK_EQ_I64(le32(r + 44), 9);
	CHECK_EQ_I64(le32(r + 48), 3);
	CHECK_EQ_I64(le32(r + 52) | le32(r + 56) | le32(r + 60), 0);
	hnd_pack_params(-5, 0x40000001u, 37, q);
	CHECK_EQ_I64(le32(q), 0xfffffffbu);
	CHECK_EQ_I64(le32(q + 4), 0xffffffffu);
	CHECK_EQ_I64(le32(q + 8), 0x40000001u);
	CHECK_EQ_I64(le32(q + 12), 37);
}

int main(void)
{
	RUN(compile_should_run_each_layer_of_the_per_layer_form_through_the_driver);
	RUN(compile_should_run_the_whole_network_in_one_start);
	RUN(compile_should_name_what_is_wrong);
	RUN(compile_with_a_bus_should_take_the_tilings_chosen_for_the_axi_top);
	RUN(driver_should_pack_the_documented_records);
	return TEST_SUMMARY();
}
