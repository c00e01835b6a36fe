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

static void compile_should_run_every_layer_bit_exactly_through_the_driver(void)
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

	snprintf(path, sizeof(path), "%s/tests/data/nets/tiny_graph.json", src);
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
	CHECK_EQ_I64(rep.n, 5);
	CHECK(rep.layers[0].compiled && rep.layers[1].compiled && rep.layers[4].compiled);
	CHECK(!rep.layers[2].compiled && !rep.layers[3].compiled);   /* add, pool: vector unit */
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
		CHECK(c->b_in_plan);
		CHECK(c->map.b >= rep.tensors_at && c->map.b < rep.tensors_at + rep.tensors_bytes);
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
	CHECK_EQ_I64(ran, 3);
	free(img);
	sim_compile_report_release(&rep);
	arch_net_release(&net);
	if (!test_failed_checks) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
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
	RUN(compile_should_run_every_layer_bit_exactly_through_the_driver);
	RUN(compile_should_name_what_is_wrong);
	RUN(driver_should_pack_the_documented_records);
	return TEST_SUMMARY();
}
