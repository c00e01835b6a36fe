/* bench_dsp.c: DSP efficiency of packed MACs (issue 20). Evaluates every accelerator of
 * examples/resnet50_zcu102_packed_space.json (ResNet-50, int8, ZCU102: arrays 32..64 x
 * 32..128, three dataflows, mac_packing none / dsp2, two buffer sizes) and prints the fastest
 * design that fits the ZCU102 with and without packing: its latency, GOP/s, and int8
 * operations per DSP per cycle (peak: 2 x PEs / DSPs; achieved: GOP/s / (DSPs x clock)),
 * beside the Xilinx DPU B4096's published figures. Target: >= 4 peak ops per DSP per cycle
 * for the packed design (exit 1 otherwise). docs/resources.md "DSP efficiency" has the
 * comparison and what it leaves out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/search.h"

/* Xilinx DPUCZDX8G B4096 (PG338): peak 4096 operations per cycle (Table "Parallelism":
 * PP 8 x ICP 16 x OCP 16 x 2); DSP48E2 slices of the B4096 with high / low DSP usage: 642 /
 * 514 (PG338 v1.2, March 2019, Table 9, on a ZCU102). */
#define DPU_OPS_PER_CYCLE 4096
#define DPU_DSP_HIGH 642
#define DPU_DSP_LOW 514

struct best {
	int have;
	struct search_eval e;
};

struct track {
	struct best packed, unpacked;
	const struct search_space *sp;
	int64_t feasible, evaluated;
};

static int on_eval(void *ctx, const struct search_eval *e, const struct search_front *f,
		   struct hn_err *err)
{
	struct track *t = ctx;
	struct hw_config hw;
	struct best *b;

	(void)f;
	(void)err;
	t->evaluated++;
	if (!e->feasible)
		return 0;
	t->feasible++;
	search_space_hw(t->sp, &e->pt, &hw);
	b = hw.mac_packing == HW_PACK_NONE ? &t->unpacked : &t->packed;
	if (!b->have || e->m[SEARCH_M_LATENCY_MS] < b->e.m[SEARCH_M_LATENCY_MS]) {
		b->have = 1;
		b->e = *e;
	}
	return 0;
}

/* Prints one design; returns its peak int8 operations per DSP per cycle. */
static double report(const char *what, const struct search_space *sp, const struct best *b)
{
	struct hw_config hw;
	struct hw_resources res;
	double lat_s, gops, peak, peak_array, achieved;
	int64_t pes, array_dsp;

	if (!b->have) {
		printf("%s: no design fits\n", what);
		return 0;
	}
	search_space_hw(sp, &b->e.pt, &hw);
	hw_resources(&hw, &res);
	pes = (int64_t)hw.pe_rows * hw.pe_cols;
	/* the PE array's share: the rest are the DMA's byte-count product (3) and the output
	 * stage's requantisers (docs/resources.md "DSP"), which packing does not touch */
	array_dsp = res.array_dsp;
	lat_s = b->e.m[SEARCH_M_LATENCY_MS] * 1e-3;
	gops = 2.0 * b->e.m[SEARCH_M_MACS] / lat_s * 1e-9;
	peak = 2.0 * (double)pes / (double)res.dsp;
	peak_array = array_dsp ? 2.0 * (double)pes / (double)array_dsp : 0;
	achieved = gops * 1e9 / ((double)res.dsp * hw.freq_mhz * 1e6);
	printf("%s: %dx%d %s, mac_packing %s, %lld KiB buffers, %.0f MHz (assumed)\n", what,
	       hw.pe_rows, hw.pe_cols, hw_dataflow_name(hw.dataflow),
	       hw_packing_name(hw.mac_packing), (long long)(hw.ibuf_bytes / 1024), hw.freq_mhz);
	printf("  %lld PEs, DSP %lld (array %lld, output stage %lld, DMA 3), BRAM36 %lld, LUT %lld, "
	       "FF %lld of the ZCU102's 2520 / 912 / 274080 / 548160\n", (long long)pes,
	       (long long)res.dsp, (long long)array_dsp, (long long)(res.dsp - array_dsp - 3),
	       (long long)res.bram36, (long long)res.lut, (long long)res.ff);
	printf("  ResNet-50 latency %.2f ms, %.1f GOP/s (model), utilisation %.1f%%\n",
	       b->e.m[SEARCH_M_LATENCY_MS], gops,
	       100.0 * gops * 1e9 / (2.0 * (double)pes * hw.freq_mhz * 1e6));
	printf("  int8 ops per DSP per cycle: peak %.2f on the array's DSPs, %.2f on all; "
	       "achieved on ResNet-50 (all DSPs) %.2f\n", peak_array, peak, achieved);
	return peak_array;
}

int main(void)
{
#ifdef HWNAS_SRCDIR
	const char *path = HWNAS_SRCDIR "/examples/resnet50_zcu102_packed_space.json";
#else
	const char *path = "examples/resnet50_zcu102_packed_space.json";
#endif
	struct search_space sp;
	struct search_evaluator *ev;
	struct search_run_opts o;
	struct search_run_result r;
	struct hn_err err = { 0 };
	struct track t;
	double packed_peak;

	if (search_space_load(path, &sp, &err) < 0 || search_evaluator_new(&sp, &ev, &err) < 0) {
		fprintf(stderr, "bench_dsp: %s\n", err.msg);
		return 1;
	}
	memset(&t, 0, sizeof(t));
	t.sp = &sp;
	memset(&o, 0, sizeof(o));
	o.exhaustive = 1;
	o.on_eval = on_eval;
	o.ctx = &t;
	o.jobs = 2;
	if (search_run(&sp, ev, &o, &r, &err) < 0) {
		fprintf(stderr, "bench_dsp: %s\n", err.msg);
		return 1;
	}
	printf("space %s: %lld accelerators evaluated (exhaustive, %.1f s), %lld fit the ZCU102\n\n",
	       sp.name, (long long)t.evaluated, r.seconds, (long long)t.feasible);
	report("fastest without packing", &sp, &t.unpacked);
	packed_peak = report("fastest with packing  ", &sp, &t.packed);
	printf("\nXilinx DPU B4096 (PG338): %d ops/cycle peak; %.2f ops per DSP per cycle with "
	       "%d DSPs (high DSP usage), %.2f with %d (low); clocked at its own (higher) clock "
	       "with DSPs at twice the fabric clock, and with engines besides the convolution "
	       "array (docs/resources.md \"DSP efficiency\")\n", DPU_OPS_PER_CYCLE,
	       (double)DPU_OPS_PER_CYCLE / DPU_DSP_HIGH, DPU_DSP_HIGH,
	       (double)DPU_OPS_PER_CYCLE / DPU_DSP_LOW, DPU_DSP_LOW);
	printf("target (issue 20): >= 4 int8 ops per DSP per cycle for the packed design (array "
	       "DSPs): %s\n", packed_peak >= 4.0 - 1e-9 ? "met" : "NOT met");
	search_run_result_release(&r);
	search_evaluator_free(ev);
	return packed_peak >= 4.0 - 1e-9 ? 0 : 1;
}
