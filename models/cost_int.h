/* cost_int.h: internals shared by the cost model's files (cost.c, cost_steps.c). Nothing
 * outside models/ includes this header (tests/test_models.c does, to check the step walk). */
#ifndef COST_INT_H
#define COST_INT_H

#include "models.h"

/* DMA time of one request of b bytes: latency + ceil(b / bw) (docs/model.md "DRAM traffic").
 * Also the vector unit's requests (the RTL has no vector unit, so no line floor there). */
static inline int64_t dma_cycles(int64_t b, double bw, int64_t latency)
{
	double q = (double)b / bw;
	int64_t t = (int64_t)q;

	if ((double)t < q)
		t++;
	return latency + t;
}

/* What a request's time depends on, read from hw once per layer. */
struct dmactx {
	double bw;
	int64_t lat, R, C;
	int64_t ab, cb;             /* act and acc element bytes */
	enum hw_dataflow df;
	int32_t nb[3], lg[3];
};

static inline void dmactx_init(struct dmactx *d, const struct hw_config *hw, const int32_t nb[3])
{
	d->bw = hw_dram_bytes_per_cycle(hw);
	d->lat = hw->dram_latency_cycles;
	d->R = hw->pe_rows;
	d->C = hw->pe_cols;
	d->df = hw->dataflow;
	d->ab = hw_act_bytes(hw);
	d->cb = hw_acc_bytes(hw);
	for (int b = 0; b < 3; b++) {
		d->nb[b] = nb[b];
		d->lg[b] = 0;
		while ((1 << d->lg[b]) < nb[b])
			d->lg[b]++;
	}
}

/* Buffer lines of a rows x cols block (docs/rtl.md "Word layouts": lanes along a row or
 * along a column; words per line a power of two). */
static inline int64_t req_lines(const struct dmactx *d, int which, int64_t rows, int64_t cols)
{
	const int is = d->df == HW_IS;
	int64_t words;
	int b;

	switch (which) {
	case COST_REQ_A:
		words = d->df == HW_WS ? rows * hn_cdiv(cols, d->R) :
			hn_cdiv(rows, is ? d->C : d->R) * cols;
		b = 0;
		break;
	case COST_REQ_B:
		words = is ? hn_cdiv(rows, d->R) * cols : rows * hn_cdiv(cols, d->C);
		b = 1;
		break;
	default:
		words = is ? hn_cdiv(rows, d->C) * cols : rows * hn_cdiv(cols, d->C);
		b = 2;
		break;
	}
	return (words + d->nb[b] - 1) >> d->lg[b];
}

/* max(t(bytes), floor): one line per cycle, a load's line j arrives in cycle 1 + j, a
 * store's leaves in 2 + j, so floor = lines + 1 (load) or lines + 2 (store). */
static inline int64_t req_time(const struct dmactx *d, int64_t bytes, int64_t floor_)
{
	int64_t t = dma_cycles(bytes, d->bw, d->lat);

	return t > floor_ ? t : floor_;
}

/* One chunk of a final store (cols <= COST_QBUF_WORDS x C channels): the chunk's parameter
 * records are read and rows x cols outputs of elem_bytes written, one obuf word (C lanes)
 * per cycle through the output stage, word i leaving in cycle 4 + i (docs/rtl.md "Output
 * stage"). */
static inline int64_t final_chunk_cycles(const struct dmactx *d, int64_t rows, int64_t cols,
					 int64_t elem_bytes)
{
	int64_t words = d->df == HW_IS ? hn_cdiv(rows, d->C) * cols : rows * hn_cdiv(cols, d->C);

	return req_time(d, rows * cols * elem_bytes + cols * COST_QPARAM_BYTES(d->cb), words + 4);
}

/* A final store of a rows x cols C tile: its column chunks, back to back (*nreq: how many
 * requests). */
static inline int64_t final_store_cycles(const struct dmactx *d, int64_t rows, int64_t cols,
					 int64_t elem_bytes, int64_t *nreq)
{
	const int64_t q = COST_QBUF_WORDS * d->C, full = (cols - 1) / q;
	int64_t t = full * final_chunk_cycles(d, rows, q, elem_bytes);

	if (nreq)
		*nreq = full + 1;
	return t + final_chunk_cycles(d, rows, cols - full * q, elem_bytes);
}

/* A vector request (docs/rtl.md "Vector unit"): m output pixels of ch channels, each from g
 * input words of ceil(ch / C) words per pixel; it reads g x m x ch and writes m x ch act
 * elements of ab bytes, one input word per cycle (the last output leaves in cycle
 * words + 1): max(latency + ceil(bytes / bw), words + 2). */
static inline int64_t vec_cycles(int64_t g, int64_t m, int64_t ch, int64_t C, int64_t ab,
				 double bw, int64_t lat)
{
	const int64_t words = g * m * hn_cdiv(ch, C), t = dma_cycles((g + 1) * m * ch * ab, bw, lat);

	return t > words + 2 ? t : words + 2;
}

static inline int64_t req_cycles(const struct dmactx *d, int which, int64_t rows, int64_t cols,
				 int64_t elem_bytes)
{
	if (which == COST_REQ_C_FINAL)
		return final_store_cycles(d, rows, cols, elem_bytes, NULL);
	return req_time(d, rows * cols * elem_bytes, req_lines(d, which, rows, cols) +
			(which == COST_REQ_C_STORE ? 2 : 1));
}

/* Cycles of one step of sizes (sm, sn, sk) on the array, and its folds. */
static inline int64_t step_cycles(enum hw_dataflow df, int64_t R, int64_t C, int64_t sm, int64_t sn,
			   int64_t sk, int64_t *folds)
{
	int64_t rows, cols, t;

	switch (df) {
	case HW_WS: rows = sk; cols = sn; t = sm; break;
	case HW_OS: rows = sm; cols = sn; t = sk; break;
	default:    rows = sk; cols = sm; t = sn; break;
	}
	*folds = hn_cdiv(rows, R) * hn_cdiv(cols, C);
	return *folds * (2 * R + C + t - 2);
}

/* The AXI master's timing (cost_axi.c): what a request's AXI cycles depend on. */
#define AXI_PARAM_RECORD 16   /* bytes of a channel's output-stage parameters in DRAM */
struct axictx {
	int64_t db, maxb, maxout, lat, recb;   /* bus bytes, MAXB, MAXOUT, latency, record beats */
	int nhwc;                              /* a conv: final outputs NHWC (sim_prog.c) */
	int win;                               /* a conv whose A loads walk windows */
	int stg;                               /* staging reads' extra cycle (cost_axi.c) */
	const struct arch_layer *l;            /* the layer (its window geometry) */
	int64_t pa, pb, pc, pp, pq;            /* its regions' byte addresses (0: each 4 KiB
						* aligned, the single-layer layout) */
	double bw;
	const struct dmactx *d;
};
void axictx_init(struct axictx *x, const struct cost_axi *a, const struct dmactx *d);
/* The AXI memory's bandwidth credit (sim/harness/harness_axi.cpp): cr bytes after cycle t,
 * gaining bw a cycle up to 2 x bus bytes + bw; a read beat needs a bus width of it when
 * offered, every beat (read or write) spends one. Requests take it in their own cycles. */
struct axi_credit {
	double cr;
	int64_t t;
	/* the read channel, which outlives a request (a record's bursts may still be in
	 * flight): the last AR, the last beat taken, the last bursts' last beats (a ring of
	 * MAXOUT: the AR slots), bursts so far */
	int64_t ar, acc, rend[16], nburst;
	/* the DMA's qbuf: the parameter records (byte address, channels) of the run's last
	 * final store, which the next final store with the same ones does not read again
	 * (-1: none yet) */
	int64_t qbase, qcols;
};
void axi_credit_init(struct axi_credit *c, const struct axictx *x);  /* full at cycle 0 */
/* adds d to every time in c (a request's cycles <-> the run's) */
void axi_credit_shift(struct axi_credit *c, int64_t d);
/* Cycles of one request through the AXI top (its handshake cycle counted, as t(request)):
 * fetch = 1 when the next DMA record is fetched beside it (every DMA command but the
 * last). base: byte offset of the block in its 4 KiB aligned region, stride: bytes between
 * its rows. */
/* xc: the request-relative cycle from which a compute record's fetch wants the AR channel
 * (AXI_NO_CF: none); *cf_av (when not NULL): the cycle its record is in, when the fetch went
 * out while the request read (else AXI_NO_CF). */
#define AXI_NO_CF INT64_MIN
/* cr: the credit in the request's cycles, updated (NULL: full); *fd_av (not NULL): when
 * the next DMA record fetched beside it is in (AXI_NO_CF: fetch = 0) */
int64_t axi_load_cycles(const struct axictx *x, int fetch, int which, int64_t rows,
			int64_t cols, int64_t eb, int64_t base, int64_t stride, int64_t xc,
			int64_t *cf_av, struct axi_credit *cr, int64_t *fd_av);
int64_t axi_store_cycles(const struct axictx *x, int fetch, int64_t rows, int64_t cols,
			 int64_t base, int64_t stride, int64_t xc, int64_t *cf_av,
			 struct axi_credit *cr, int64_t *fd_av);
int64_t axi_final_cycles(const struct axictx *x, int fetch, int64_t rows, int64_t cols,
			 int64_t base, int64_t stride, int64_t qbase, int64_t xc, int64_t *cf_av,
			 struct axi_credit *cr, int64_t *fd_av);
/* A conv's A load walked over the NHWC input (group gi, output pixels m0 .., im2col columns
 * k0 ..), as axi_load_cycles. */
int64_t axi_win_cycles(const struct axictx *x, int fetch, int64_t gi, int64_t m0, int64_t rows,
		       int64_t k0, int64_t cols, int64_t xc, int64_t *cf_av,
		       struct axi_credit *cr, int64_t *fd_av);
/* The run's first records (their ARs in cycles 1, 2 and 3): when the DMA and the compute
 * record are in, spending cr. */
void axi_first_records(const struct axictx *x, struct axi_credit *cr, int64_t *dma_av,
		       int64_t *cmp_av);
/* When a compute record whose fetch wants the AR channel from cycle cfx is in, no request
 * running (cr read only, or, commit = 1, its burst put on the bus). */
int64_t axi_cf_alone(const struct axictx *x, struct axi_credit *cr, int64_t cfx, int commit);

/* cost_layer, except that when a double-buffered layer's closed-form bound exceeds cutoff
 * it returns 1 at once with cycles = cycles_bound (the exact cycles, above the cutoff too,
 * are not computed, nor the energy): for searches that only want tilings under a cutoff. */
int cost_layer_below(const struct arch_layer *l, const struct hw_config *hw,
		     const struct map_tiling *m, const struct hw_energy *e, int64_t cutoff,
		     struct cost_report *out);

/* The exact latency of a double-buffered layer (docs/model.md "Latency"): the tile program of
 * docs/rtl.md "Tile program" walked as a max-plus system, one step at a time, skipping runs
 * of identical loop iterations once the state repeats up to a shift (fast = 1; fast = 0
 * walks every step, for tests). Sizes: tiles clamped to the extents. Pure. */
int64_t cost_steps_cycles(const struct arch_gemm *g, const struct hw_config *hw,
			  const struct map_tiling *m, const struct dmactx *dc, int fast);
/* The same walk with the AXI top's request times and record fetches (cost_axi.c). */
int64_t cost_steps_cycles_axi(const struct arch_gemm *g, const struct hw_config *hw,
			      const struct map_tiling *m, const struct dmactx *dc,
			      const struct axictx *ax, int fast);
/* A layer inside a whole-network program (cost_net_axi): the state one layer hands the
 * next, in the run's cycles. on = 0: the first layer (an idle bus at cycle 0). next: the
 * next layer's first DMA record, fetched beside this layer's last DMA command (0: none,
 * the program's last layer; 1: 64 bytes; 2: 192 bytes, a window walk or a vector request);
 * cmore: a later layer has compute records (the next one is fetched after this layer's
 * last compute starts: cnext). Out: end, when this layer's last command ends. */
struct axi_chain {
	int on, next, cmore;
	int64_t dma, cmp, dnext, cnext, cfx, end;
	int cf_pend;
	struct axi_credit cr;
};
int64_t cost_steps_chain_axi(const struct arch_gemm *g, const struct hw_config *hw,
			     const struct map_tiling *m, const struct dmactx *dc,
			     const struct axictx *ax, struct axi_chain *ch);

#endif
