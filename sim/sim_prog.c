/* sim_prog.c: from (layer, config, tiling) to the tile program, the memory image and the
 * reference outputs.
 *
 * The memory image is element-addressed (one int64 per element; the DMA counts bytes with
 * the element sizes of docs/model.md). Per group: A (M x K, the im2col matrix of the input
 * for a conv: the template fetches an input pixel once per window that uses it), B (K x N),
 * C (M x N final outputs) and P (M x N partial sums). The reference is computed from the
 * layer's own tensors (a direct convolution for conv), not from the im2col matrix, so that a
 * lowering bug shows as a mismatch. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t sim_dma_cycles(int64_t bytes, double bw, int64_t latency)
{
	/* the same rounding as models/cost.c */
	double q = (double)bytes / bw;
	int64_t t = (int64_t)q;

	if ((double)t < q)
		t++;
	t += latency;
	return t < 2 ? 2 : t;
}

int64_t sim_dma_request(struct sim_prog *p, const struct hw_config *hw, int which,
			int64_t rows, int64_t cols, int64_t elem_bytes)
{
	int32_t nb[3];
	int64_t b = rows * cols * elem_bytes, t, m;

	if (which == COST_REQ_C_FINAL)
		b += cols * COST_QPARAM_BYTES(hw_acc_bytes(hw));
	t = sim_dma_cycles(b, p->bw, p->latency);

	cost_dma_words_per_line(hw, nb);
	m = cost_dma_request_cycles(hw, nb, which, rows, cols, elem_bytes);
	if (m > t) {
		p->floor_cycles += m - t;
		t = m;
	}
	return t;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform signed value of `bits` bits. */
static int64_t rnd(uint64_t *s, int bits)
{
	uint64_t v = splitmix(s) & ((1ULL << bits) - 1);

	return (int64_t)v - (int64_t)(1ULL << (bits - 1));
}

/* Two's complement wrap-around to acc bits (the RTL's accumulator). */
static int64_t wrap(int64_t v, int bits)
{
	if (bits >= 64)
		return v;
	uint64_t m = (1ULL << bits) - 1, u = (uint64_t)v & m;
	if (u >> (bits - 1))
		u |= ~m;
	return (int64_t)u;
}

int64_t sim_requant(int64_t acc, int64_t bias, int64_t mult, int shift, int64_t zp, int64_t lo,
		    int64_t hi, int acc_bits)
{
	__int128 x = wrap((int64_t)((uint64_t)acc + (uint64_t)bias), acc_bits);
	__int128 p = x * mult, h, r, v;

	/* SaturatingRoundingDoublingHighMul: floor((x m + 2^30) / 2^31) equals gemmlowp's
	 * (x m + nudge) / 2^31 truncated, nudge = 2^30 or 1 - 2^30 by the product's sign */
	h = p + ((__int128)1 << 30);
	h = h >= 0 ? h / ((__int128)1 << 31) : -((-h + ((__int128)1 << 31) - 1) / ((__int128)1 << 31));
	/* RoundingDivideByPOT: half away from zero (exact for every shift: 2^shift > 2|h| gives 0) */
	{
		__int128 d = (__int128)1 << shift, q = (h >= 0 ? h : -h) / d, rm = (h >= 0 ? h : -h) % d;
		if (2 * rm >= d)
			q++;
		r = h >= 0 ? q : -q;
	}
	v = r + zp;
	return (int64_t)(v < lo ? lo : v > hi ? hi : v);
}

/* The final output without the output stage (the AXI top, ostage = 0):
 * saturate(acc >> shift) to act bits (arithmetic shift). */
static int64_t quant(int64_t acc, int shift, int bits)
{
	int64_t v = shift >= 63 ? (acc < 0 ? -1 : 0) : acc >> shift;
	int64_t hi = ((int64_t)1 << (bits - 1)) - 1, lo = -((int64_t)1 << (bits - 1));

	return v > hi ? hi : v < lo ? lo : v;
}

static int push_dma(struct sim_prog *p, const struct sim_dma *d)
{
	if (hn_grow(&p->dma, p->ndma, &p->cap_dma, sizeof(*p->dma), 256))
		return -1;
	p->dma[p->ndma++] = *d;
	return 0;
}

static int push_cmp(struct sim_prog *p, const struct sim_cmp *c)
{
	if (hn_grow(&p->cmp, p->ncmp, &p->cap_cmp, sizeof(*p->cmp), 256))
		return -1;
	p->cmp[p->ncmp++] = *c;
	return 0;
}

void sim_prog_release(struct sim_prog *p)
{
	free(p->dma);
	free(p->cmp);
	free(p->mem);
	free(p->expect);
	free(p->seg);
	free(p->seg_cycles);
	memset(p, 0, sizeof(*p));
}

/* The window walk of conv or pool layer l (docs/rtl.md "Window addressing") into w (mode,
 * geometry and pad value; m0 = k0 = 0): 0, or -1 when a field does not fit the descriptor's
 * packing (dims < 2^16, kernel, stride, dilation, padding < 2^8), when the layer keeps the
 * host's im2col / window matrix. */
static int win_geometry(const struct arch_layer *l, int64_t pad, int64_t *w)
{
	const int conv = l->kind == ARCH_CONV;
	const int64_t cg = conv ? l->c / l->groups : 1;
	const int64_t dh = conv ? l->dil_h : 1, dw = conv ? l->dil_w : 1;
	const int64_t big[] = { l->h, l->w, arch_out_h(l), arch_out_w(l), l->c, cg };
	const int64_t small[] = { l->r, l->s, l->stride_h, l->stride_w, dh, dw, l->pad_h,
				  l->pad_w };

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (big[i] < 1 || big[i] > 0xffff)
			return -1;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (small[i] < 0 || small[i] > 0xff)
			return -1;
	memset(w, 0, SIM_WIN_WORDS * sizeof(*w));
	w[0] = conv ? 1 : 2;
	w[1] = l->h | l->w << 16;
	w[2] = arch_out_h(l) | arch_out_w(l) << 16;
	w[3] = l->c | cg << 16;
	w[4] = l->s | (int64_t)l->stride_h << 8 | (int64_t)l->stride_w << 16;
	w[5] = dh | dw << 8 | (int64_t)l->pad_h << 16 | (int64_t)l->pad_w << 24;
	w[6] = pad;
	return 0;
}

/* Buffer words a rows x cols block occupies: layout 0 puts `lanes` consecutive columns of a
 * row in a word, layout 1 `lanes` consecutive rows of a column. */
static int64_t block_words(int layout, int64_t rows, int64_t cols, int64_t lanes)
{
	return layout == 0 ? rows * hn_cdiv(cols, lanes) : hn_cdiv(rows, lanes) * cols;
}

/* One step of the tile loops, and what it needs from the DMA. */
struct step {
	int64_t g, mi, ni, ki;
	int a_new, b_new, c_begin, c_load, c_end, c_final;
	int a_half, b_half, c_half;
	int64_t a_wait, b_wait, c_wait;     /* compute commands a load must wait for */
	int64_t a_dma, b_dma, cl_dma, st_dma;
	int64_t st_dl;                      /* its store precedes the loads of this step */
};

/* What pass 2 needs to emit one step's DMA commands. */
struct emit {
	const struct arch_gemm *g;
	const struct hw_config *hw;
	struct sim_prog *p;
	struct step *st;
	const int64_t *tiles;
	int64_t abase, bbase, cbase, pbase, qbase, eb_a, eb_w, eb_c, li, lw, lo;
	int lay_a, lay_b, lay_c, shift;
	int nhwc;                           /* a conv: final outputs NHWC (fill_data) */
	int win;                            /* A loads walk windows over the NHWC input */
	int64_t cg;                         /* a conv's channels per group */
	int64_t winw[SIM_WIN_WORDS];        /* the layer's window words (m0 = k0 = 0) */
};

/* Where the final outputs of step q's C tile start, and their row stride: NHWC for a conv
 * (group gi's channels gi x N .. of each pixel), [g][m][n] otherwise. Partial sums stay
 * [g][m][n] in their own region. */
static int64_t final_addr(const struct emit *e, const struct step *q, int64_t m0, int64_t n0)
{
	const struct arch_gemm *g = e->g;

	if (e->nhwc)
		return e->cbase + m0 * g->g * g->n + q->g * g->n + n0;
	return e->cbase + q->g * g->m * g->n + m0 * g->n + n0;
}

static int64_t final_stride(const struct emit *e)
{
	return e->nhwc ? e->g->g * e->g->n : e->g->n;
}

static void step_sizes(const struct emit *e, const struct step *q, int64_t *tm, int64_t *tn,
		       int64_t *tk)
{
	*tm = hn_min64(e->tiles[MAP_DIM_M], e->g->m - q->mi * e->tiles[MAP_DIM_M]);
	*tn = hn_min64(e->tiles[MAP_DIM_N], e->g->n - q->ni * e->tiles[MAP_DIM_N]);
	*tk = hn_min64(e->tiles[MAP_DIM_K], e->g->k - q->ki * e->tiles[MAP_DIM_K]);
}

/* The loads step s needs: A, B, then the partial sums of its C tile. */
static int emit_loads(struct emit *e, int64_t s)
{
	const struct arch_gemm *g = e->g;
	struct sim_prog *p = e->p;
	struct step *q = &e->st[s];
	int64_t m0 = q->mi * e->tiles[MAP_DIM_M], n0 = q->ni * e->tiles[MAP_DIM_N];
	int64_t k0 = q->ki * e->tiles[MAP_DIM_K], tm, tn, tk, t;
	struct sim_dma dm;

	step_sizes(e, q, &tm, &tn, &tk);
	if (q->a_new) {
		dm = (struct sim_dma){ .op = 0, .half = q->a_half, .layout = e->lay_a,
			.base = e->abase + q->g * g->m * g->k + m0 * g->k + k0, .rows = tm,
			.cols = tk, .stride = g->k, .wait = q->a_wait,
			.words = block_words(e->lay_a, tm, tk, e->li) };
		if (e->win) {
			/* the block (m0.., k0..) of the im2col matrix, walked over the NHWC
			 * input: group g's channels start at g x Cg */
			dm.base = e->abase + q->g * e->cg;
			memcpy(dm.win, e->winw, sizeof(dm.win));
			dm.win[7] = m0;
			dm.win[8] = k0;
		}
		q->a_dma = p->ndma;
		t = sim_dma_request(p, e->hw, COST_REQ_A, tm, tk, e->eb_a);
		p->serial_cycles += t;
		dm.dur = t;
		if (s == 0)
			p->first_load_cycles += t;
		if (push_dma(p, &dm))
			return -1;
	}
	if (q->b_new) {
		dm = (struct sim_dma){ .op = 1, .half = q->b_half, .layout = e->lay_b,
			.base = e->bbase + q->g * g->k * g->n + k0 * g->n + n0, .rows = tk,
			.cols = tn, .stride = g->n, .wait = q->b_wait,
			.words = block_words(e->lay_b, tk, tn, e->lw) };
		q->b_dma = p->ndma;
		t = sim_dma_request(p, e->hw, COST_REQ_B, tk, tn, e->eb_w);
		p->serial_cycles += t;
		dm.dur = t;
		if (s == 0)
			p->first_load_cycles += t;
		if (push_dma(p, &dm))
			return -1;
	}
	if (q->c_begin && q->c_load) {
		dm = (struct sim_dma){ .op = 2, .half = q->c_half, .layout = e->lay_c,
			.base = e->pbase + q->g * g->m * g->n + m0 * g->n + n0, .rows = tm,
			.cols = tn, .stride = g->n, .wait = q->c_wait,
			.words = block_words(e->lay_c, tm, tn, e->lo) };
		q->cl_dma = p->ndma;
		dm.dur = sim_dma_request(p, e->hw, COST_REQ_C_LOAD, tm, tn, e->eb_c);
		p->serial_cycles += dm.dur;
		if (push_dma(p, &dm))
			return -1;
	}
	return 0;
}

/* The store of step s's C tile when its visit ends: final outputs or partial sums. */
static int emit_store(struct emit *e, int64_t s)
{
	const struct arch_gemm *g = e->g;
	struct sim_prog *p = e->p;
	struct step *q = &e->st[s];
	int64_t m0 = q->mi * e->tiles[MAP_DIM_M], n0 = q->ni * e->tiles[MAP_DIM_N], tm, tn, tk, t;
	struct sim_dma dm;

	if (!q->c_end)
		return 0;
	step_sizes(e, q, &tm, &tn, &tk);
	if (q->c_final && p->ostage) {
		/* column chunks of at most COST_QBUF_WORDS x C channels, each one request that
		 * reads its channels' parameters and walks its obuf words (docs/rtl.md) */
		const int64_t C = e->lo, qch = COST_QBUF_WORDS * C, is = e->lay_c;
		const int64_t nfw = hn_cdiv(tn, C);
		for (int64_t c0 = 0; c0 < tn; c0 += qch) {
			const int64_t tc = hn_min64(qch, tn - c0);
			dm = (struct sim_dma){ .op = 3, .half = q->c_half, .layout = e->lay_c,
				.base = final_addr(e, q, m0, n0) + c0,
				.rows = tm, .cols = tc, .stride = final_stride(e), .final = 1,
				.wait = s + 1,
				.words = block_words(e->lay_c, tm, tc, e->lo),
				.qbase = e->qbase + 3 * (q->g * g->n + n0 + c0), .zp = p->zp,
				.lo = p->lo, .hi = p->hi,
				.obase = is ? c0 : c0 / C, .ostride = is ? tn : nfw,
				.ocols = is ? tc : hn_cdiv(tc, C), .qwords = hn_cdiv(tc, C) };
			t = sim_dma_request(p, e->hw, COST_REQ_C_FINAL, tm, tc, e->eb_a);
			p->serial_cycles += t;
			dm.dur = t;
			if (push_dma(p, &dm))
				return -1;
			p->last_store_cycles = c0 ? p->last_store_cycles + t : t;
		}
		q->st_dma = p->ndma - 1;
		return 0;
	}
	dm = (struct sim_dma){ .op = 3, .half = q->c_half, .layout = e->lay_c,
		.base = q->c_final ? final_addr(e, q, m0, n0) :
			e->pbase + q->g * g->m * g->n + m0 * g->n + n0,
		.rows = tm, .cols = tn, .stride = q->c_final ? final_stride(e) : g->n,
		.final = q->c_final, .shift = e->shift,
		.wait = s + 1, .words = block_words(e->lay_c, tm, tn, e->lo) };
	q->st_dma = p->ndma;
	t = sim_dma_request(p, e->hw, COST_REQ_C_STORE, tm, tn, q->c_final ? e->eb_a : e->eb_c);
	p->serial_cycles += t;
	dm.dur = t;
	p->last_store_cycles = t;
	return push_dma(p, &dm);
}

/* A value uniform in [lo, hi]. */
static int64_t rnd_in(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(splitmix(s) % (uint64_t)(hi - lo + 1));
}

/* The output stage's parameters: per layer the zero point and the activation's clamp, per
 * output channel (nch of them, records of bias, multiplier, shift at q) drawn either like a
 * real per-channel quantised layer (multipliers in [2^30, 2^31), shifts around `shift`, the
 * accumulator's scale) or from the whole range the RTL takes (full). */
static void fill_outq(const struct hw_config *hw, uint64_t *s, int shift, int full, int calib,
		      struct sim_prog *p, int64_t *q, int64_t nch)
{
	const int ab = hw->act_bits, cb = hw->acc_bits;
	const int64_t qmax = ((int64_t)1 << (ab - 1)) - 1, qmin = -qmax - 1;
	const int64_t amax = cb >= 64 ? INT64_MAX : ((int64_t)1 << (cb - 1)) - 1;
	int act = (int)rnd_in(s, 0, 2);             /* none, ReLU, ReLU6 */
	int64_t six;

	p->zp = full ? rnd_in(s, qmin, qmax) : rnd_in(s, qmin / 2, qmax / 2);
	six = full ? rnd_in(s, 0, 2 * qmax + 1) : rnd_in(s, 1, qmax);
	p->lo = act == 0 ? qmin : hn_max64(p->zp, qmin);
	p->hi = act == 2 ? hn_min64(p->zp + six, qmax) : qmax;
	for (int64_t c = 0; c < nch; c++, q += 3) {
		if (full) {
			int pick = (int)rnd_in(s, 0, 9);
			q[0] = cb >= 64 ? (int64_t)splitmix(s) : rnd_in(s, -amax - 1, amax);
			q[1] = pick == 0 ? 0 : pick == 1 ? INT32_MAX : pick == 2 ? 1 << 30 :
			       rnd_in(s, 0, INT32_MAX);
			q[2] = rnd_in(s, 0, 63);
		} else if (calib) {
			/* shift from the layer's accumulators (sim_calib_shift): the products
			 * fill the output range, a bias within a quarter of it */
			int64_t bmax = hn_min64(amax, (int64_t)1 << hn_min64(shift + ab - 3, 62));
			q[0] = rnd_in(s, -bmax, bmax);
			q[1] = rnd_in(s, (int64_t)1 << 30, INT32_MAX);
			q[2] = hn_min64(63, shift + (int)rnd_in(s, 0, 1));
		} else {
			int64_t bmax = hn_min64(amax, (int64_t)1 << hn_min64(shift + ab - 1, 62));
			q[0] = rnd_in(s, -bmax, bmax);
			q[1] = rnd_in(s, (int64_t)1 << 30, INT32_MAX);
			q[2] = hn_min64(63, hn_max64(0, shift + (int)rnd_in(s, -1, 1)));
		}
	}
}

/* The reference value of output element (channel ch) from its accumulator. */
static int64_t out_value(const struct sim_prog *p, const struct hw_config *hw, int64_t qbase,
			 int64_t ch, int64_t acc, int shift)
{
	const int64_t *q = p->mem + qbase + 3 * ch;

	if (!p->ostage)
		return quant(acc, shift, hw->act_bits);
	return sim_requant(acc, q[0], q[1], (int)q[2], p->zp, p->lo, p->hi, hw->acc_bits);
}

/* The calibrated output shift of a layer whose accumulators reach amax in magnitude: the
 * smallest shift with amax / 2^shift <= qmax, so that acc x mult / 2^(31 + shift) (mult in
 * [2^30, 2^31)) covers between a half and the whole output range, as a post-training
 * calibration would place it. */
static int calib_shift(int64_t amax, int act_bits)
{
	const int64_t qmax = ((int64_t)1 << (act_bits - 1)) - 1;
	int sh = 0;

	while (sh < 62 && (amax >> sh) > qmax)
		sh++;
	return sh;
}

/* Fills the A, B tensors of every group, the output stage's parameters and the reference
 * outputs. The inputs are io's tensors (NHWC) when io is set, else drawn from the seed; the
 * output is NHWC for a conv (channel gi x N + o of pixel m at m x G N + gi x N + o, so a
 * grouped conv's output is the next layer's input as it stands), [g][m][n] for a matmul.
 * With io the output stage's shift is calibrated from the accumulators (*shift updated). */
static int fill_data(const struct arch_layer *l, const struct arch_gemm *g,
		     const struct hw_config *hw, uint64_t seed, int *shift, int outq_full,
		     const struct sim_layer_in *io, struct sim_prog *p, int64_t abase,
		     int64_t bbase, int64_t qbase)
{
	const int ab = hw->act_bits, wb = hw->weight_bits, cb = hw->acc_bits;
	const int64_t M = g->m, N = g->n, K = g->k, G = g->g;
	uint64_t s = seed, sq;
	int64_t amax = 0;
	int ret = 0;

	for (const char *c = l->name; *c; c++)
		s = (s ^ (uint64_t)(unsigned char)*c) * 1099511628211ULL;
	sq = s ^ 0x6f75747374616765ULL; /* the output stage's own stream */

	/* pass 1: operands into the image, raw accumulators into expect */
	if (l->kind == ARCH_CONV) {
		const int64_t n = l->n, C = l->c, H = l->h, W = l->w, KO = l->k, R = l->r, S = l->s;
		const int64_t P = arch_out_h(l), Q = arch_out_w(l), cg = C / G, kg = KO / G;
		int64_t *in = malloc((size_t)(n * C * H * W) * sizeof(int64_t));
		int64_t *wt = malloc((size_t)(KO * cg * R * S) * sizeof(int64_t));
		if (!in || !wt) {
			ret = -1;
			goto out_conv;
		}
		/* in: NCHW inside this function */
		if (io) {
			for (int64_t b = 0; b < n; b++)
				for (int64_t c = 0; c < C; c++)
					for (int64_t y = 0; y < H; y++)
						for (int64_t x = 0; x < W; x++)
							in[((b * C + c) * H + y) * W + x] =
								io->x[0][((b * H + y) * W + x) * C + c];
		} else {
			for (int64_t i = 0; i < n * C * H * W; i++)
				in[i] = rnd(&s, ab);
		}
		for (int64_t i = 0; i < KO * cg * R * S; i++)
			wt[i] = rnd(&s, wb);
		if (p->win)
			/* the input itself, NHWC: the DMA walks its windows */
			for (int64_t b = 0; b < n; b++)
				for (int64_t c = 0; c < C; c++)
					for (int64_t y = 0; y < H; y++)
						for (int64_t x = 0; x < W; x++)
							p->mem[abase + ((b * H + y) * W + x) * C + c] =
								in[((b * C + c) * H + y) * W + x];
		for (int64_t gi = 0; gi < G; gi++) {
			int64_t *A = p->mem + abase + gi * M * K, *B = p->mem + bbase + gi * K * N;
			/* the im2col matrix, columns k = (r S + t) Cg + c (the host's re-layout
			 * where the DMA does not walk windows, docs/rtl.md "Window addressing") */
			for (int64_t b = 0; b < n && !p->win; b++)
				for (int64_t y = 0; y < P; y++)
					for (int64_t x = 0; x < Q; x++) {
						int64_t m = (b * P + y) * Q + x;
						for (int64_t c = 0; c < cg; c++)
							for (int64_t r = 0; r < R; r++)
								for (int64_t t = 0; t < S; t++) {
									int64_t iy = y * l->stride_h - l->pad_h + r * l->dil_h;
									int64_t ix = x * l->stride_w - l->pad_w + t * l->dil_w;
									int64_t v = 0;
									if (iy >= 0 && iy < H && ix >= 0 && ix < W)
										v = in[((b * C + gi * cg + c) * H + iy) * W + ix];
									A[m * K + (r * S + t) * cg + c] = v;
								}
					}
			for (int64_t o = 0; o < kg; o++)
				for (int64_t c = 0; c < cg; c++)
					for (int64_t r = 0; r < R; r++)
						for (int64_t t = 0; t < S; t++)
							B[((r * S + t) * cg + c) * N + o] =
								wt[(((gi * kg + o) * cg + c) * R + r) * S + t];
			/* reference: direct convolution */
			for (int64_t b = 0; b < n; b++)
				for (int64_t y = 0; y < P; y++)
					for (int64_t x = 0; x < Q; x++)
						for (int64_t o = 0; o < kg; o++) {
							int64_t acc = 0;
							for (int64_t c = 0; c < cg; c++)
								for (int64_t r = 0; r < R; r++)
									for (int64_t t = 0; t < S; t++) {
										int64_t iy = y * l->stride_h - l->pad_h + r * l->dil_h;
										int64_t ix = x * l->stride_w - l->pad_w + t * l->dil_w;
										if (iy < 0 || iy >= H || ix < 0 || ix >= W)
											continue;
										acc = wrap(acc + in[((b * C + gi * cg + c) * H + iy) * W + ix] *
											   wt[(((gi * kg + o) * cg + c) * R + r) * S + t], cb);
									}
							int64_t m = (b * P + y) * Q + x;
							p->expect[m * G * N + gi * N + o] = acc;
						}
		}
out_conv:
		free(in);
		free(wt);
		if (ret)
			return ret;
	} else {
		/* FC and matmul: the GEMM operands are the layer's tensors themselves (an fc
		 * reads its input's elements in storage order: an implicit flatten) */
		for (int64_t gi = 0; gi < G; gi++) {
			int64_t *A = p->mem + abase + gi * M * K, *B = p->mem + bbase + gi * K * N;
			for (int64_t i = 0; i < M * K; i++)
				A[i] = io ? io->x[0][gi * M * K + i] : rnd(&s, ab);
			for (int64_t i = 0; i < K * N; i++)
				B[i] = rnd(&s, wb);
			for (int64_t m = 0; m < M; m++)
				for (int64_t nn = 0; nn < N; nn++) {
					int64_t acc = 0;
					for (int64_t k = 0; k < K; k++)
						acc = wrap(acc + A[m * K + k] * B[k * N + nn], cb);
					p->expect[gi * M * N + m * N + nn] = acc;
				}
		}
	}

	/* pass 2: the output stage's parameters (calibrated on the accumulators with io), then
	 * the reference outputs */
	if (io) {
		for (int64_t i = 0; i < G * M * N; i++) {
			int64_t a = p->expect[i] < 0 ? -(p->expect[i] + 1) : p->expect[i];
			amax = a > amax ? a : amax;
		}
		*shift = calib_shift(amax, ab);
	}
	fill_outq(hw, &sq, *shift, outq_full, io != NULL, p, p->mem + qbase, G * N);
	for (int64_t i = 0; i < G * M * N; i++) {
		/* the output channel: conv NHWC (i mod G N), matmul [g][m][n] */
		int64_t ch = l->kind == ARCH_CONV ? i % (G * N) : (i / (M * N)) * N + i % N;
		p->expect[i] = out_value(p, hw, qbase, ch, p->expect[i], *shift);
	}
	return 0;
}

/* TFLite's QuantizeMultiplier for 0 < v < 1: v = mult x 2^-(31 + shift), mult in
 * [2^30, 2^31); v >= 1 (not representable) becomes the largest multiplier, shift 0. */
static void quantize_multiplier(double v, int64_t *mult, int64_t *shift)
{
	int e;
	double q = frexp(v, &e);
	int64_t m = llround(q * 2147483648.0);

	if (m == ((int64_t)1 << 31)) {
		m /= 2;
		e++;
	}
	if (e > 0 || v >= 1.0) {
		*mult = INT32_MAX;
		*shift = 0;
	} else {
		*mult = m;
		*shift = -e > 63 ? 63 : -e;
	}
}

/* A MAC-free layer (pool, add) as one vector request (docs/rtl.md "Vector unit"): the
 * memory image holds the pooling window matrix (m x g rows of c channels: the template
 * fetches an input pixel once per window that uses it, as a conv's im2col), or the add's two
 * inputs, and the output; the reference is computed from the layer's own input tensor. */
static int build_vector(const struct arch_layer *l, const struct hw_config *hw,
			const struct sim_rtl_params *rp, uint64_t seed, int full,
			const struct sim_layer_in *io, unsigned flags, struct sim_prog *p,
			struct hn_err *err)
{
	const int ab = hw->act_bits, cb = hw->acc_bits, pool = l->kind == ARCH_POOL;
	const int64_t ch = l->c, C = hw->pe_cols;
	const int64_t g = pool ? l->r * l->s : 2;
	const int64_t P = arch_out_h(l), Q = arch_out_w(l);
	const int64_t m = pool ? l->n * P * Q : l->n * l->h * l->w;
	const int64_t qmax = ((int64_t)1 << (ab - 1)) - 1, qmin = -qmax - 1;
	const int64_t nin = l->n * l->h * l->w * ch;
	/* pool padding: -2^(a-1) for max (its neutral), 0 for the average
	 * (count_include_pad: the sum over r x s) */
	const int64_t pad = pool && l->pool_max ? qmin : 0;
	int64_t *in = NULL, *w, t, winw[SIM_WIN_WORDS] = { 0 };
	uint64_t s = seed;
	struct sim_dma dm;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	/* a pool's input words walk its windows over the NHWC input (docs/rtl.md "Window
	 * addressing"), else (SIM_PROG_NO_WIN, or a geometry beyond the descriptor) the host
	 * lays out the window matrix */
	p->win = pool && rp->ostage && !(flags & SIM_PROG_NO_WIN) &&
		 win_geometry(l, pad, winw) == 0;
	if ((g + 1) * m * ch >= ((int64_t)1 << 31) || (pool ? m * g * ch + m * ch :
							 3 * m * ch) >= ((int64_t)1 << 31))
		return hn_fail(err, HN_EINVAL, "layer '%s': too large to simulate", l->name);
	for (const char *c = l->name; *c; c++)
		s = (s ^ (uint64_t)(unsigned char)*c) * 1099511628211ULL;
	p->ostage = rp->ostage;
	p->bw = hw_dram_bytes_per_cycle(hw);
	p->latency = hw->dram_latency_cycles;
	p->nmem = pool ? (p->win ? nin : m * g * ch) + m * ch : 3 * m * ch;
	p->in_end[0] = pool ? p->nmem - m * ch : m * ch;
	p->in_end[1] = p->nmem - m * ch;
	p->out_base = p->nmem - m * ch;
	p->nout = m * ch;
	p->mem = calloc((size_t)p->nmem, sizeof(int64_t));
	p->expect = malloc((size_t)p->nout * sizeof(int64_t));
	in = malloc((size_t)(pool ? nin : 1) * sizeof(int64_t));
	if (!p->mem || !p->expect || !in) {
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the image", l->name);
		goto out_fail;
	}
	w = p->mem;
	dm = (struct sim_dma){ .op = 3, .final = 1, .base = 0, .rows = (g + 1) * m, .cols = ch,
		.stride = ch, .words = g * m * hn_cdiv(ch, C), .vg = g, .vout = p->out_base,
		.zp = 0, .lo = qmin, .hi = qmax };
	if (pool) {
		/* input NHWC; window row (pixel, r, s) */
		int64_t mo, so;
		for (int64_t i = 0; i < nin; i++)
			in[i] = io ? io->x[0][i] : rnd(&s, ab);
		if (p->win) {
			memcpy(p->mem, in, (size_t)nin * sizeof(int64_t));
			memcpy(dm.win, winw, sizeof(dm.win));
		}
		for (int64_t b = 0; b < l->n && !p->win; b++)
			for (int64_t y = 0; y < P; y++)
				for (int64_t x = 0; x < Q; x++)
					for (int64_t r = 0; r < l->r; r++)
						for (int64_t q = 0; q < l->s; q++) {
							int64_t iy = y * l->stride_h - l->pad_h + r;
							int64_t ix = x * l->stride_w - l->pad_w + q;
							int64_t row = ((b * P + y) * Q + x) * g + r * l->s + q;
							for (int64_t c = 0; c < ch; c++)
								w[row * ch + c] = iy < 0 || iy >= l->h ||
									ix < 0 || ix >= l->w ? pad :
									in[((b * l->h + iy) * l->w + ix) * ch + c];
						}
		dm.vop = l->pool_max ? 1 : 2;
		quantize_multiplier(1.0 / (double)g, &mo, &so);
		if (g == 1) {
			mo = INT32_MAX;
			so = 0;
		}
		dm.vmo = mo;
		dm.vsh = so << 16;
		for (int64_t px = 0; px < m; px++)
			for (int64_t c = 0; c < ch; c++) {
				int64_t mx = qmin, sum = 0;
				const int64_t b = px / (P * Q), y = px / Q % P, x = px % Q;
				for (int64_t j = 0; j < g; j++) {
					/* from the input itself, not the window matrix */
					int64_t iy = y * l->stride_h - l->pad_h + j / l->s;
					int64_t ix = x * l->stride_w - l->pad_w + j % l->s;
					int64_t v = iy < 0 || iy >= l->h || ix < 0 || ix >= l->w ? pad :
						in[((b * l->h + iy) * l->w + ix) * ch + c];
					mx = v > mx ? v : mx;
					sum = wrap(sum + v, cb);
				}
				p->expect[px * ch + c] = l->pool_max ? mx :
					sim_requant(sum, 0, mo, (int)so, 0, qmin, qmax, cb + 1);
			}
	} else {
		/* TFLite's quantised add: both inputs to a common scale (left shift ls, per-input
		 * multipliers), summed, requantised to the output's scale */
		const int64_t lsmax = hn_max64(0, hn_min64(20, cb - ab - 2));
		int64_t *x1 = p->mem, *x2 = p->mem + m * ch, zp1, zp2, m1, m2, mo, s1, s2, so, ls;
		int act = (int)rnd_in(&s, 0, 2);
		if (full) {
			zp1 = rnd_in(&s, qmin, qmax);
			zp2 = rnd_in(&s, qmin, qmax);
			p->zp = rnd_in(&s, qmin, qmax);
			m1 = rnd_in(&s, 0, INT32_MAX);
			m2 = rnd_in(&s, 0, INT32_MAX);
			mo = rnd_in(&s, 0, INT32_MAX);
			s1 = rnd_in(&s, 0, 63);
			s2 = rnd_in(&s, 0, 63);
			so = rnd_in(&s, 0, 63);
			ls = rnd_in(&s, 0, lsmax);
		} else {
			double sc1 = 0.5 + (double)rnd_in(&s, 0, 1000) / 2000.0;
			double sc2 = 0.5 + (double)rnd_in(&s, 0, 1000) / 2000.0;
			double mx = sc1 > sc2 ? sc1 : sc2;
			double sco = 2.0 * mx * (1.0 + (double)rnd_in(&s, 0, 1000) / 1000.0);
			zp1 = rnd_in(&s, qmin / 2, qmax / 2);
			zp2 = rnd_in(&s, qmin / 2, qmax / 2);
			if (io) {
				/* the zero points the two inputs were written with */
				zp1 = io->zp[0];
				zp2 = io->zp[1];
			}
			p->zp = rnd_in(&s, qmin / 2, qmax / 2);
			ls = lsmax;
			quantize_multiplier(sc1 / (2.0 * mx), &m1, &s1);
			quantize_multiplier(sc2 / (2.0 * mx), &m2, &s2);
			quantize_multiplier(2.0 * mx / ((double)((int64_t)1 << ls) * sco), &mo, &so);
		}
		{
			int64_t six = rnd_in(&s, 1, qmax);
			p->lo = act == 0 ? qmin : hn_max64(p->zp, qmin);
			p->hi = act == 2 ? hn_min64(p->zp + six, qmax) : qmax;
		}
		for (int64_t i = 0; i < m * ch; i++) {
			x1[i] = io ? io->x[0][i] : rnd(&s, ab);
			x2[i] = io ? io->x[1][i] : rnd(&s, ab);
		}
		for (int64_t i = 0; i < m * ch; i++) {
			int64_t a1 = wrap((x1[i] - zp1) * ((int64_t)1 << ls), cb);
			int64_t a2 = wrap((x2[i] - zp2) * ((int64_t)1 << ls), cb);
			int64_t r1 = sim_requant(a1, 0, m1, (int)s1, 0, INT64_MIN, INT64_MAX, cb);
			int64_t r2 = sim_requant(a2, 0, m2, (int)s2, 0, INT64_MIN, INT64_MAX, cb);
			p->expect[i] = sim_requant(r1 + r2, 0, mo, (int)so, p->zp, p->lo, p->hi,
						   cb + 1);
		}
		dm.vop = 3;
		dm.vbase2 = m * ch;
		dm.vzp1 = zp1;
		dm.vzp2 = zp2;
		dm.vm1 = m1;
		dm.vm2 = m2;
		dm.vmo = mo;
		dm.vsh = s1 | s2 << 8 | so << 16 | ls << 24;
		dm.zp = p->zp;
		dm.lo = p->lo;
		dm.hi = p->hi;
	}
	t = cost_vector_request_cycles(hw, g, m, ch);
	{
		int64_t tb = sim_dma_cycles((g + 1) * m * ch * hw_act_bytes(hw), p->bw, p->latency);
		if (t > tb)
			p->floor_cycles += t - tb;
	}
	dm.dur = t;
	p->serial_cycles = t;
	p->first_load_cycles = t;
	p->max_cycles = 2 * t + 10000;
	if (push_dma(p, &dm)) {
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the program", l->name);
		goto out_fail;
	}
	free(in);
	return 0;
out_fail:
	free(in);
	sim_prog_release(p);
	return ret;
}

int sim_prog_build(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *mt, const struct sim_rtl_params *rp, uint64_t seed,
		   int outq_full, struct sim_prog *p, struct hn_err *err)
{
	return sim_prog_build_in(l, hw, mt, rp, seed, outq_full, NULL, 0, p, err);
}

static int prog_build(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *mt, const struct sim_rtl_params *rp,
		      uint64_t seed, int outq_full, const struct sim_layer_in *io, unsigned flags,
		      struct sim_prog *p, struct hn_err *err);

int sim_prog_build_in(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *mt, const struct sim_rtl_params *rp, uint64_t seed,
		      int outq_full, const struct sim_layer_in *io, unsigned flags,
		      struct sim_prog *p, struct hn_err *err)
{
	return prog_build(l, hw, mt, rp, seed, outq_full, io, flags, p, err);
}

int sim_prog_build_flags(const struct arch_layer *l, const struct hw_config *hw,
			 const struct map_tiling *mt, const struct sim_rtl_params *rp,
			 uint64_t seed, int outq_full, unsigned flags, struct sim_prog *p,
			 struct hn_err *err)
{
	return prog_build(l, hw, mt, rp, seed, outq_full, NULL, flags, p, err);
}

static int prog_build(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *mt, const struct sim_rtl_params *rp,
		      uint64_t seed, int outq_full, const struct sim_layer_in *io, unsigned flags,
		      struct sim_prog *p, struct hn_err *err)
{
	struct arch_gemm g = arch_gemm(l);
	const int64_t R = hw->pe_rows, C = hw->pe_cols, d = hw->double_buffer ? 2 : 1;
	const int df = rp->df;
	const int64_t eb_a = hw_act_bytes(hw), eb_w = hw_weight_bytes(hw), eb_c = hw_acc_bytes(hw);
	const int64_t li = df == HW_IS ? C : R, lw = df == HW_IS ? R : C, lo = C;
	const int lay_a = df == HW_WS ? 0 : 1, lay_b = df == HW_IS ? 1 : 0;
	const int lay_c = df == HW_IS ? 1 : 0;
	struct step *st = NULL;
	int64_t need[3], nsteps, idx[3], trips[3], tiles[3], asize;
	int64_t winw[SIM_WIN_WORDS] = { 0 };
	int ret = 0, shift;

	memset(p, 0, sizeof(*p));
	if (g.g == 0) {
		if (!rp->ostage)
			return hn_fail(err, HN_EINVAL, "layer '%s': a %s layer needs the vector unit, "
				       "which the AXI top does not have", l->name,
				       arch_kind_name(l->kind));
		return build_vector(l, hw, rp, seed, outq_full, io, flags, p, err);
	}
	if (mt->tm <= 0 || mt->tn <= 0 || mt->tk <= 0 || (unsigned)mt->order >= MAP_ORDER_COUNT)
		return hn_fail(err, HN_EINVAL, "layer '%s': no valid tiling (tm=%lld tn=%lld tk=%lld)",
			       l->name, (long long)mt->tm, (long long)mt->tn, (long long)mt->tk);
	map_buffer_need(&g, hw, mt, need);
	if (need[0] > hw->ibuf_bytes || need[1] > hw->wbuf_bytes || need[2] > hw->obuf_bytes)
		return hn_fail(err, HN_EINVAL, "layer '%s': the tiling does not fit the buffers "
			       "(ibuf %lld/%lld B, wbuf %lld/%lld B, obuf %lld/%lld B)", l->name,
			       (long long)need[0], (long long)hw->ibuf_bytes, (long long)need[1],
			       (long long)hw->wbuf_bytes, (long long)need[2], (long long)hw->obuf_bytes);

	tiles[MAP_DIM_M] = hn_min64(mt->tm, g.m);
	tiles[MAP_DIM_N] = hn_min64(mt->tn, g.n);
	tiles[MAP_DIM_K] = hn_min64(mt->tk, g.k);
	trips[MAP_DIM_M] = hn_cdiv(g.m, tiles[MAP_DIM_M]);
	trips[MAP_DIM_N] = hn_cdiv(g.n, tiles[MAP_DIM_N]);
	trips[MAP_DIM_K] = hn_cdiv(g.k, tiles[MAP_DIM_K]);
	nsteps = g.g * trips[0] * trips[1] * trips[2];

	/* A conv's A loads walk windows over its NHWC input (docs/rtl.md "Window addressing");
	 * with SIM_PROG_NO_WIN the image keeps the im2col matrix, loaded as 2-D blocks (what
	 * hwnas compile emits). */
	p->win = rp->ostage && !(flags & SIM_PROG_NO_WIN) && l->kind == ARCH_CONV &&
		 win_geometry(l, 0, winw) == 0;
	asize = p->win ? l->n * l->c * l->h * l->w : g.g * g.m * g.k;
	/* A (the input, or the im2col of every group), B, C and P per group, and the output
	 * stage's records (3 per channel); 32-bit DMA fields */
	p->nmem = asize + g.g * (g.k * g.n + 2 * g.m * g.n + 3 * g.n);
	if (p->nmem >= ((int64_t)1 << 31) || nsteps > ((int64_t)1 << 28))
		return hn_fail(err, HN_EINVAL, "layer '%s': too large to simulate (%lld elements, "
			       "%lld steps)", l->name, (long long)p->nmem, (long long)nsteps);
	const int64_t abase = 0, bbase = asize, cbase = bbase + g.g * g.k * g.n;
	p->in_end[0] = p->in_end[1] = asize;
	const int64_t pbase = cbase + g.g * g.m * g.n, qbase = pbase + g.g * g.m * g.n;
	p->out_base = cbase;
	p->nout = g.g * g.m * g.n;
	p->abase = abase;
	p->bbase = bbase;
	p->cbase = cbase;
	p->pbase = pbase;
	p->qbase = qbase;
	p->mem = calloc((size_t)p->nmem, sizeof(int64_t));
	p->expect = calloc((size_t)p->nout, sizeof(int64_t));
	st = calloc((size_t)nsteps, sizeof(*st));
	if (!p->mem || !p->expect || !st) {
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the image", l->name);
		goto out_fail;
	}
	{
		int lg = 0;
		while (((int64_t)1 << lg) < g.k)
			lg++;
		shift = hw->weight_bits - 1 + (lg + 1) / 2;
	}
	p->ostage = rp->ostage;
	if (flags & SIM_PROG_NO_DATA) {
		/* no parameters drawn: zero point 0, the clamp the whole act_bits range */
		p->zp = 0;
		p->hi = ((int64_t)1 << (hw->act_bits - 1)) - 1;
		p->lo = -p->hi - 1;
	} else if (fill_data(l, &g, hw, seed, &shift, outq_full, io, p, abase, bbase, qbase)) {
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the tensors", l->name);
		goto out_fail;
	}
	p->macs = g.g * g.m * g.n * g.k;
	p->bw = hw_dram_bytes_per_cycle(hw);
	p->latency = hw->dram_latency_cycles;

	/* Pass 1: the steps in loop order, which tiles change, which halves they use. */
	{
		const char *dims = map_order_dims[mt->order];
		int64_t s = 0, a_cnt = -1, b_cnt = -1, c_cnt = -1;
		int64_t last_a[2] = { -1, -1 }, last_b[2] = { -1, -1 }, last_c[2] = { -1, -1 };
		int64_t pa[3] = { -1, -1, -1 }, pb[3] = { -1, -1, -1 }, pc[3] = { -1, -1, -1 };
		for (int64_t gi = 0; gi < g.g; gi++)
			for (idx[0] = 0; idx[0] < trips[(int)dims[0]]; idx[0]++)
				for (idx[1] = 0; idx[1] < trips[(int)dims[1]]; idx[1]++)
					for (idx[2] = 0; idx[2] < trips[(int)dims[2]]; idx[2]++, s++) {
						struct step *q = &st[s];
						int64_t v[3];
						for (int i = 0; i < 3; i++)
							v[(int)dims[i]] = idx[i];
						q->g = gi;
						q->mi = v[MAP_DIM_M];
						q->ni = v[MAP_DIM_N];
						q->ki = v[MAP_DIM_K];
						q->a_new = pa[0] != gi || pa[1] != q->mi || pa[2] != q->ki;
						q->b_new = pb[0] != gi || pb[1] != q->ki || pb[2] != q->ni;
						q->c_begin = pc[0] != gi || pc[1] != q->mi || pc[2] != q->ni;
						if (q->a_new) {
							a_cnt++;
							q->a_half = (int)(a_cnt % d);
							q->a_wait = last_a[q->a_half] + 1;
						} else {
							q->a_half = st[s - 1].a_half;
						}
						if (q->b_new) {
							b_cnt++;
							q->b_half = (int)(b_cnt % d);
							q->b_wait = last_b[q->b_half] + 1;
						} else {
							q->b_half = st[s - 1].b_half;
						}
						if (q->c_begin) {
							c_cnt++;
							q->c_half = (int)(c_cnt % d);
							q->c_load = q->ki > 0;
							q->c_wait = last_c[q->c_half] + 1;
						} else {
							q->c_half = st[s - 1].c_half;
						}
						last_a[q->a_half] = s;
						last_b[q->b_half] = s;
						last_c[q->c_half] = s;
						pa[0] = gi; pa[1] = q->mi; pa[2] = q->ki;
						pb[0] = gi; pb[1] = q->ki; pb[2] = q->ni;
						pc[0] = gi; pc[1] = q->mi; pc[2] = q->ni;
						if (s > 0)
							st[s - 1].c_end = q->c_begin;
					}
		st[nsteps - 1].c_end = 1;
		for (int64_t i = 0; i < nsteps; i++)
			st[i].c_final = st[i].ki == trips[MAP_DIM_K] - 1;
	}

	/* Pass 2: the DMA queue in program order: the loads of every step in step order, and
	 * each store as late as the obuf allows: just before the loads of the step that begins
	 * the next visit to the same obuf half (d visits later), or at the end. Single-buffered
	 * this is loads(i), store(i), loads(i+1), ...; double-buffered the loads of step i+1
	 * stream in while step i computes, and a store does not delay them while the other half
	 * is in use (docs/rtl.md "Tile program"). */
	{
		struct emit e = { .g = &g, .hw = hw, .p = p, .st = st, .tiles = tiles, .abase = abase,
				  .bbase = bbase, .cbase = cbase, .pbase = pbase, .qbase = qbase,
				  .eb_a = eb_a,
				  .eb_w = eb_w, .eb_c = eb_c, .li = li, .lw = lw, .lo = lo,
				  .lay_a = lay_a, .lay_b = lay_b, .lay_c = lay_c, .shift = shift,
				  .nhwc = l->kind == ARCH_CONV, .win = p->win,
				  .cg = l->kind == ARCH_CONV ? l->c / l->groups : 0 };
		memcpy(e.winw, winw, sizeof(winw));
		int64_t *vb = malloc((size_t)nsteps * sizeof(int64_t)), nv = 0, next = 0;
		if (!vb)
			goto out_nomem;
		for (int64_t i = 0; i < nsteps; i++)
			if (st[i].c_begin)
				vb[nv++] = i;
		/* st[j].st_dl: the step whose loads the store of step j must precede */
		for (int64_t i = 0, v = -1; i < nsteps; i++) {
			v += st[i].c_begin;
			st[i].st_dl = v + d < nv ? vb[v + d] : nsteps;
		}
		free(vb);
		for (int64_t s = 0; s <= nsteps; s++) {
			/* stores are due in step order, so the pending ones are a prefix */
			for (; next < nsteps && (!st[next].c_end || st[next].st_dl <= s) && next < s;
			     next++)
				if (emit_store(&e, next))
					goto out_nomem;
			if (s < nsteps && emit_loads(&e, s))
				goto out_nomem;
		}
	}

	/* Pass 3: compute commands and what they wait for. */
	{
		int64_t cur_a = -1, cur_b = -1, cur_cl = -1, last_store[2] = { -1, -1 };
		for (int64_t s = 0; s < nsteps; s++) {
			struct step *q = &st[s];
			int64_t tm = hn_min64(tiles[MAP_DIM_M], g.m - q->mi * tiles[MAP_DIM_M]);
			int64_t tn = hn_min64(tiles[MAP_DIM_N], g.n - q->ni * tiles[MAP_DIM_N]);
			int64_t tk = hn_min64(tiles[MAP_DIM_K], g.k - q->ki * tiles[MAP_DIM_K]);
			int64_t w = -1, t, folds;
			struct sim_cmp c;
			if (q->a_new)
				cur_a = q->a_dma;
			if (q->b_new)
				cur_b = q->b_dma;
			if (q->c_begin) {
				cur_cl = q->c_load ? q->cl_dma : -1;
				w = last_store[q->c_half];
			}
			w = hn_max64(w, hn_max64(cur_a, hn_max64(cur_b, cur_cl)));
			memset(&c, 0, sizeof(c));
			c.ah = q->a_half;
			c.bh = q->b_half;
			c.ch = q->c_half;
			c.init = q->c_begin && !q->c_load;
			c.tm = tm;
			c.tn = tn;
			c.tk = tk;
			c.wait = w + 1;
			switch (df) {
			case HW_WS: c.nout = hn_cdiv(tn, C); c.nin = hn_cdiv(tk, R); t = tm; break;
			case HW_OS: c.nout = hn_cdiv(tm, R); c.nin = hn_cdiv(tn, C); t = tk; break;
			default:    c.nout = hn_cdiv(tm, C); c.nin = hn_cdiv(tk, R); t = tn; break;
			}
			folds = c.nout * c.nin;
			c.dur = folds * (2 * R + C + t - 2);
			p->compute_cycles += c.dur;
			if (push_cmp(p, &c))
				goto out_nomem;
			if (q->c_end)
				last_store[q->c_half] = q->st_dma;
		}
	}
	p->serial_cycles += p->compute_cycles;
	p->max_cycles = 2 * p->serial_cycles + 10000;
	free(st);
	return 0;

out_nomem:
	ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the program", l->name);
out_fail:
	free(st);
	sim_prog_release(p);
	return ret;
}

int sim_prog_write(const struct sim_prog *p, const struct sim_rtl_params *rp,
		   const char *prog_path, const char *mem_path, struct hn_err *err)
{
	FILE *f = fopen(mem_path, "wb");
	int ret = 0;

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s", mem_path);
	if (fwrite(p->mem, sizeof(int64_t), (size_t)p->nmem, f) != (size_t)p->nmem)
		ret = hn_fail(err, HN_EIO, "cannot write %s", mem_path);
	if (fclose(f) && !ret)
		ret = hn_fail(err, HN_EIO, "cannot write %s", mem_path);
	if (ret)
		return ret;
	if (!(f = fopen(prog_path, "w")))
		return hn_fail(err, HN_EIO, "cannot write %s", prog_path);
	fprintf(f, "hwnas-sim-program %d\n", p->ostage ? 2 : 1);
	fprintf(f, "params %d %d %d %d %d %d %d %d %d\n", rp->rows, rp->cols, rp->df, rp->a_bits,
		rp->w_bits, rp->acc_bits, rp->inb, rp->wnb, rp->onb);
	fprintf(f, "memory %s %lld\n", mem_path, (long long)p->nmem);
	fprintf(f, "bw %.17g\nlatency %lld\nmax_cycles %lld\n", p->bw, (long long)p->latency,
		(long long)p->max_cycles);
	fprintf(f, "dump %lld %lld\n", (long long)p->out_base, (long long)p->nout);
	for (int64_t i = 0; i < p->nseg; i++)
		fprintf(f, "segment %lld %lld\n", (long long)p->seg[2 * i],
			(long long)p->seg[2 * i + 1]);
	fprintf(f, "# dma op half base rows cols stride layout final shift words wait%s%s\n",
		p->ostage ? " qbase zp lo hi obase ostride ocols qwords vop vg vbase2 vout vzp1 "
		"vzp2 vm1 vm2 vmo vsh" : "", p->win ? " win0..win8" : "");
	for (int64_t i = 0; i < p->ndma; i++) {
		const struct sim_dma *d = &p->dma[i];
		fprintf(f, "dma %d %d %lld %lld %lld %lld %d %d %d %lld %lld", d->op, d->half,
			(long long)d->base, (long long)d->rows, (long long)d->cols,
			(long long)d->stride, d->layout, d->final, d->shift, (long long)d->words,
			(long long)d->wait);
		if (p->ostage)
			fprintf(f, " %lld %lld %lld %lld %lld %lld %lld %lld", (long long)d->qbase,
				(long long)d->zp, (long long)d->lo, (long long)d->hi,
				(long long)d->obase, (long long)d->ostride, (long long)d->ocols,
				(long long)d->qwords);
		if (p->ostage)
			fprintf(f, " %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
				(long long)d->vop, (long long)d->vg, (long long)d->vbase2,
				(long long)d->vout, (long long)d->vzp1, (long long)d->vzp2,
				(long long)d->vm1, (long long)d->vm2, (long long)d->vmo,
				(long long)d->vsh);
		for (int w = 0; p->win && w < SIM_WIN_WORDS; w++)
			fprintf(f, " %lld", (long long)d->win[w]);
		fputc('\n', f);
	}
	fprintf(f, "# cmp ahalf bhalf chalf init tm tn tk nout nin wait\n");
	for (int64_t i = 0; i < p->ncmp; i++) {
		const struct sim_cmp *c = &p->cmp[i];
		fprintf(f, "cmp %d %d %d %d %lld %lld %lld %lld %lld %lld\n", c->ah, c->bh, c->ch,
			c->init, (long long)c->tm, (long long)c->tn, (long long)c->tk,
			(long long)c->nout, (long long)c->nin, (long long)c->wait);
	}
	fprintf(f, "end\n");
	if (fclose(f))
		return hn_fail(err, HN_EIO, "cannot write %s", prog_path);
	return 0;
}

int64_t sim_prog_makespan(const struct sim_prog *p)
{
	int64_t *dend = malloc((size_t)(p->ndma + 1) * sizeof(int64_t));
	int64_t *cend = malloc((size_t)(p->ncmp + 1) * sizeof(int64_t));
	int64_t i = 0, j = 0, tdma = 0, tcmp = 0, ret = -1;

	if (!dend || !cend)
		goto out;
	while (i < p->ncmp || j < p->ndma) {
		int moved = 0;
		if (j < p->ndma && p->dma[j].wait <= i) {
			int64_t w = p->dma[j].wait;
			tdma = (w > 0 && cend[w - 1] > tdma ? cend[w - 1] : tdma) + p->dma[j].dur;
			dend[j++] = tdma;
			moved = 1;
		}
		if (i < p->ncmp && p->cmp[i].wait <= j) {
			int64_t w = p->cmp[i].wait;
			tcmp = (w > 0 && dend[w - 1] > tcmp ? dend[w - 1] : tcmp) + p->cmp[i].dur;
			cend[i++] = tcmp;
			moved = 1;
		}
		if (!moved)
			goto out;
	}
	ret = tdma > tcmp ? tdma : tcmp;
out:
	free(dend);
	free(cend);
	return ret;
}
