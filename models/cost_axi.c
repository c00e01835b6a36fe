/* cost_axi.c: the model's AXI timing (docs/model.md "Through the AXI top"): the cycles of
 * hwnas_axi (rtl/hwnas_axi.v, its master rtl/hwnas_axi_mem.v) against the AXI memory of
 * sim/harness/harness_axi.cpp with no back-pressure (first beat `latency` cycles after its
 * address, at most bw bytes per cycle, a credit shared by reads and writes).
 *
 * Each DMA request is walked burst by burst and beat by beat as the master issues them, in
 * request-relative cycles (0 = the request's first cycle, the DMA's `first`), on a read
 * channel and a bus credit (struct axi_credit) that carry over from request to request:
 *   - reads: an AR fires a cycle after the previous one, and two cycles after the burst
 *     MAXOUT places back took its last beat; the record fetcher's bursts go first (the next
 *     DMA record's two in cycles 1 and 2; a 192-byte record's other four from two cycles
 *     after its first beat), then a compute record wanted by then, then the data; a beat is
 *     ready 1 + latency cycles after its AR, offered when the channel and the credit allow,
 *     and taken (a data beat) when the one-beat holder is free: the unpacker takes one
 *     element a cycle;
 *   - a conv's A load walks the window runs (rd_win), a 2-D block its rows (rd_block);
 *   - a load ends `lines` cycles after its last element (the lines go one a cycle);
 *   - a store packs a chunk a cycle (the elements of a W beat in one staging row whose
 *     words are captured, wr_chunk), W beats leave after their last chunk and their burst's
 *     AW, B two cycles after a burst's last beat; the reads beside a store (records) go in
 *     time order with its W beats (pend_rd).
 * cost_steps.c runs the tile program's queue schedule on these times, each command also
 * waiting for its record. A pool or an add (one vector request) is stepped cycle by cycle
 * through the master instead (vec_walk, jumping over the cycles in which nothing changes).
 * Pure: no allocation, no I/O. */
#include "cost_int.h"

#include <string.h>

#define AXI_REC_BYTES 32          /* a record burst (a DMA record is two) */
/* Cycles a read of the master's staging buffer takes before its data is used: 1 for its
 * block RAM (registered reads: a load's emission ends a cycle later, and the packer sees a
 * captured word, and starts, a cycle later); 0 while it was registers (main at 319157d,
 * read in the cycle). Measured both ways in docs/model.md. */
#ifndef COST_AXI_STAGING_READ
#define COST_AXI_STAGING_READ 1
#endif
/* A final store reads its parameter records first unless the run's previous final store
 * read the same ones (1, the AXI top). 0 is a what-if, never the top's timing: every final
 * store's records already in (no read for them), the bound on what fetching them ahead of
 * the store could gain (docs/model.md "Through the AXI top"). */
#ifndef COST_AXI_PARAM_WAIT
#define COST_AXI_PARAM_WAIT 1
#endif
#define AXI_4K 4096
#define AXI_MAXOUT_MAX 16
/* output words whose capture is tracked one by one; past them each follows the last a cycle
 * later (exact when they cover the walk's first row, which needs every parameter word) */
#define AXI_CAP_WORDS 2048

void cost_axi_init(struct cost_axi *a)
{
	a->dw = 0;
	a->maxb = 16;
	a->maxout = 16;
	a->im2col = 0;
}

void axictx_init(struct axictx *x, const struct cost_axi *a, const struct dmactx *d)
{
	x->db = a->dw / 8;
	x->maxb = a->maxb;
	x->maxout = a->maxout < AXI_MAXOUT_MAX ? a->maxout : AXI_MAXOUT_MAX;
	x->lat = d->lat;
	x->bw = d->bw;
	x->recb = AXI_REC_BYTES / x->db;
	x->nhwc = 0;
	x->win = 0;
	x->stg = COST_AXI_STAGING_READ;
	x->l = NULL;
	x->pa = x->pb = x->pc = x->pp = x->pq = 0;
	x->d = d;
}

/* beats of a burst starting at aligned address a with left beats to go */
static int64_t burst_beats(const struct axictx *x, int64_t a, int64_t left)
{
	int64_t to4k = (AXI_4K - (a & (AXI_4K - 1))) / x->db, n = left < to4k ? left : to4k;

	return n < x->maxb ? n : x->maxb;
}

/* The read side of one request: bursts in issue order. */
struct rd {
	const struct axictx *x;
	int64_t ar;                   /* last AR fire */
	int64_t rend[AXI_MAXOUT_MAX]; /* r_end of the last MAXOUT bursts, a ring */
	int64_t nburst;
	int64_t acc;                  /* last beat taken (any) */
	int64_t hfree;                /* the beat holder is free from this cycle */
	int64_t unext;                /* the unpacker's next free cycle */
	struct axi_credit *cr;        /* the memory's bandwidth credit */
	int64_t fd_av;                /* the next DMA record is in from fd_av (fetched) */
	int defer;                    /* 1: the fetches still to go wait for the caller */
	int ext_on;                   /* its last 128 bytes (four bursts) want the AR channel */
	int64_t ext_t;                /* ... from ext_t (two cycles after its first beat) */
	int cf_on;                    /* a compute record's fetch wants the AR channel from cfx */
	int64_t cfx, cf_av;           /* ... and its record is in from cf_av (when issued) */
	/* the staging buffer's layout of the block read (the unpacker writes, a cycle, the
	 * elements of a beat that fall into one staging row): lanes 0 = one element a cycle
	 * (a final store's parameter records), lay 1 = lanes along a column, cols the block's,
	 * nbk words a staging row */
	int64_t lanes, cols, nbk;
	int lay;
	/* the emission of a load's lines while it unpacks: words a line, the request's lines,
	 * lines emitted so far (em_j) and the cycle after the last of them */
	int64_t em_nb, em_lines, em_j, em_t;
};

/* The memory's credit at cycle t (it gains bw a cycle up to 2 x bus bytes + bw). */
static double cr_at(const struct axictx *x, const struct axi_credit *c, int64_t t)
{
	const double cap = 2.0 * (double)x->db + x->bw;
	double v = c->cr + x->bw * (double)(t - c->t);

	return v > cap ? cap : v;
}

/* a beat (read or write) spends a bus width of credit in cycle t (a cycle before the last
 * spend, as a store's W beats beside its record fetch's R beats: spent then, not earlier) */
static void cr_spend(const struct axictx *x, struct axi_credit *c, int64_t t)
{
	if (t < c->t) {
		c->cr -= (double)x->db;
		return;
	}
	c->cr = cr_at(x, c, t) - (double)x->db;
	c->t = t;
}

void axi_credit_init(struct axi_credit *c, const struct axictx *x)
{
	memset(c, 0, sizeof(*c));
	c->cr = 2.0 * (double)x->db + x->bw;
	c->t = 0;
	c->ar = c->acc = -1000000;
	for (int i = 0; i < AXI_MAXOUT_MAX; i++)
		c->rend[i] = -1000000;
	c->qbase = c->qcols = -1;
}

void axi_credit_shift(struct axi_credit *c, int64_t d)
{
	c->t += d;
	c->ar += d;
	c->acc += d;
	for (int i = 0; i < AXI_MAXOUT_MAX; i++)
		c->rend[i] += d;
}

static void rd_init(struct rd *r, const struct axictx *x, struct axi_credit *cr)
{
	memset(r, 0, sizeof(*r));
	r->x = x;
	r->ar = cr->ar;
	r->acc = cr->acc;
	r->hfree = -1000000;
	r->unext = 1;
	r->cr = cr;
	r->nburst = cr->nburst;
	memcpy(r->rend, cr->rend, sizeof(r->rend));
}

/* the block's staging word of element k of block row row (docs/rtl.md "Word layouts") */
static int64_t stg_word(const struct rd *r, int64_t row, int64_t k)
{
	return r->lay ? row / r->lanes * r->cols + k : row * hn_cdiv(r->cols, r->lanes) + k / r->lanes;
}

/* the lines whose words are all below word cw (every word under cw written) are emitted
 * from cycle tc on, one a cycle, all but the request's last (that one goes in S_EMIT) */
static void rd_emit(struct rd *r, int64_t tc, int64_t cw)
{
	const int64_t n = hn_min64(cw / r->em_nb, r->em_lines - 1);

	for (; r->em_j < n; r->em_j++) {
		r->em_t = hn_max64(r->em_t, tc) + 1;
	}
}

/* the unpacker writes n elements k .. k + n - 1 of block row row (all in one held beat, or
 * one pad run) from cycle st: one cycle a staging row they touch (n cycles for one element
 * a cycle, lanes 0), each chunk moving the walk's word, below which the emission may read
 * the lines (layout 0: the walk's next word; layout 1: its group's first word). Returns the
 * cycles. */
static int64_t rd_unpack(struct rd *r, int64_t row, int64_t k, int64_t n, int64_t st)
{
	int64_t s0, c, cw;

	if (!r->lanes)
		return n;
	s0 = stg_word(r, row, k) / r->nbk;
	c = stg_word(r, row, k + n - 1) / r->nbk - s0 + 1;
	if (!r->lay)
		for (int64_t i = 0; i + 1 < c; i++)
			rd_emit(r, st + i + 1, (s0 + i + 1) * r->nbk);
	if (r->lay)
		cw = k + n == r->cols && (row + 1) % r->lanes == 0 ? (row + 1) / r->lanes * r->cols :
			row / r->lanes * r->cols;
	else
		cw = k + n == r->cols ? stg_word(r, row + 1, 0) : stg_word(r, row, k + n);
	rd_emit(r, st + c, cw);
	return c;
}

/* A window walk's pad run of n elements k .. k + n - 1 of block row row from cycle st, as
 * rd_unpack, but a chunk also ends after a beat's worth (DB) of elements: the unpacker
 * writes at most DB elements a cycle (its chunk loop), and a staging row may hold more
 * (NBK x lanes when the DMA's lines outgrow the bus). Returns the cycles. */
static int64_t rd_unpack_pad(struct rd *r, int64_t row, int64_t k, int64_t n, int64_t st)
{
	int64_t c = 0;

	if (!r->lanes || n <= r->x->db)
		return rd_unpack(r, row, k, n, st);
	while (n > 0) {
		/* elements from k to the end of k's staging row (layout 0: its lanes too) */
		const int64_t w = stg_word(r, row, k), we = (w / r->nbk + 1) * r->nbk;
		const int64_t room = r->lay ? we - w : (we - w) * r->lanes - k % r->lanes;
		const int64_t m = hn_min64(room, n);
		c += hn_cdiv(m, r->x->db);
		k += m;
		n -= m;
		if (n > 0 && !r->lay)
			rd_emit(r, st + c, we);
	}
	/* the run's end: as rd_unpack's last chunk */
	if (r->lay)
		rd_emit(r, st + c, k == r->cols && (row + 1) % r->lanes == 0 ?
			(row + 1) / r->lanes * r->cols : row / r->lanes * r->cols);
	else
		rd_emit(r, st + c, k == r->cols ? stg_word(r, row + 1, 0) : stg_word(r, row, k));
	return c;
}

/* cycles of a load request whose last chunk is unpacked in cycle u: the lines not emitted
 * by then go one a cycle, the last with mem_done; the handshake cycle and the staging read */
static int64_t rd_load_end(const struct rd *r, int64_t u)
{
	const int64_t late = hn_max64(0, r->em_t - 1 - u);

	return u + r->em_lines - (r->em_j - late) + 1 + r->x->stg;
}

/* the staging layout of a load request (hwnas_dma's layout, the op's lanes) */
static void rd_stage(struct rd *r, int which, int64_t rows, int64_t cols)
{
	const struct dmactx *d = r->x->d;
	const int is = d->df == HW_IS;

	r->cols = cols;
	r->nbk = hn_max64(hn_max64(d->nb[0], d->nb[1]), d->nb[2]);
	r->em_nb = d->nb[which == COST_REQ_A ? 0 : which == COST_REQ_B ? 1 : 2];
	r->em_lines = req_lines(d, which, rows, cols);
	r->em_j = 0;
	r->em_t = 0;
	switch (which) {
	case COST_REQ_A:
		r->lay = d->df != HW_WS;
		r->lanes = is ? d->C : d->R;
		break;
	case COST_REQ_B:
		r->lay = is;
		r->lanes = is ? d->R : d->C;
		break;
	default:
		r->lay = is;
		r->lanes = d->C;
		break;
	}
}

/* the read channel back into the bus state */
static void rd_save(const struct rd *r)
{
	r->cr->ar = r->ar;
	r->cr->acc = r->acc;
	r->cr->nburst = r->nburst;
	memcpy(r->cr->rend, r->rend, sizeof(r->rend));
}

/* when the next AR can fire, no earlier than t0 */
static int64_t rd_ar_at(const struct rd *r, int64_t t0)
{
	int64_t t = r->ar + 1 > t0 ? r->ar + 1 : t0;
	int64_t free_at = r->rend[r->nburst % r->x->maxout] + 2;

	if (r->nburst >= r->x->maxout && free_at > t)
		t = free_at;
	return t;
}

static int64_t rd_beat(struct rd *r, int64_t rdy, int data);
static void rd_burst_end(struct rd *r, int64_t t);

static void rd_ext(struct rd *r);

/* the compute record's burst, when it wants the channel first */
static void rd_cf(struct rd *r)
{
	int64_t a, t = 0;

	if (r->ext_on && r->ext_t <= rd_ar_at(r, r->cfx))
		rd_ext(r);
	r->cf_on = 0;
	a = rd_ar_at(r, r->cfx);
	r->ar = a;
	for (int64_t i = 0; i < r->x->recb; i++)
		t = rd_beat(r, a + 1 + r->x->lat, 0);
	rd_burst_end(r, t);
	r->cf_av = t + 1;
}

/* the next AR, no earlier than t0; a compute record's fetch that wants the channel by then
 * goes first (strictly earlier only, against the DMA record fetcher: cf = 2) */
static int64_t rd_ar(struct rd *r, int64_t t0, int cf)
{
	int64_t t = rd_ar_at(r, t0);

	/* the DMA record fetcher's last four bursts go before anything else, then a compute
	 * record; each pushes this AR later, which may make the other due */
	for (;;) {
		if (cf && r->ext_on && r->ext_t <= t) {
			rd_ext(r);
		} else if (cf && r->cf_on && (cf == 2 ? r->cfx < t : r->cfx <= t)) {
			rd_cf(r);
		} else {
			break;
		}
		t = rd_ar_at(r, t0);
	}
	r->ar = t;
	return t;
}

/* a beat ready from cycle rdy: the memory offers it once the channel is free (the cycle
 * after the previous beat was taken) and its credit holds a beat, spending the credit then;
 * the master takes it then or (data) once the beat holder is free. Returns the cycle it is
 * taken. */
static int64_t rd_beat(struct rd *r, int64_t rdy, int data)
{
	const struct axictx *x = r->x;
	int64_t t = rdy > r->acc + 1 ? rdy : r->acc + 1;

	if (cr_at(x, r->cr, t) < (double)x->db) {
		double q = ((double)x->db - r->cr->cr) / x->bw;
		int64_t u = r->cr->t + (int64_t)q;
		t = u > t ? u : t;
		while (cr_at(x, r->cr, t) < (double)x->db)
			t++;
	}
	cr_spend(x, r->cr, t);
	if (data && r->hfree > t)
		t = r->hfree;
	r->acc = t;
	return t;
}

static void rd_burst_end(struct rd *r, int64_t t)
{
	r->rend[r->nburst % r->x->maxout] = t;
	r->nburst++;
}

/* the next DMA record's two record bursts, ARs from cycle t0; ext: the record has 192
 * bytes (a window walk or a vector request), its other four bursts asked for once its first
 * beat shows bit 7 */
static void rd_fetch(struct rd *r, int64_t t0, int ext)
{
	for (int b = 0; b < 2; b++) {
		int64_t a = rd_ar(r, t0, b == 0 ? 2 : 0), t = 0;
		for (int64_t i = 0; i < r->x->recb; i++) {
			t = rd_beat(r, a + 1 + r->x->lat, 0);
			if (b == 0 && i == 0 && ext) {
				r->ext_on = 1;
				r->ext_t = t + 2;
			}
		}
		rd_burst_end(r, t);
		r->fd_av = t + 1;
	}
}

static void rd_ext(struct rd *r)
{
	r->ext_on = 0;
	for (int b = 0; b < 4; b++) {
		int64_t a = rd_ar_at(r, r->ext_t), t = 0;
		r->ar = a;
		for (int64_t i = 0; i < r->x->recb; i++)
			t = rd_beat(r, a + 1 + r->x->lat, 0);
		rd_burst_end(r, t);
		r->fd_av = t + 1;
	}
}

/* Reads a rows x cols block of eb-byte elements at byte offset base (row stride bytes);
 * mark > 0: *marks[i] = the cycle element (i + 1) x mark - 1 is unpacked (and the last
 * element's, at most nmarks). Returns the cycle the last element is unpacked. */
static int64_t rd_block(struct rd *r, int64_t rows, int64_t cols, int64_t eb, int64_t base,
			int64_t stride, int64_t mark, int64_t *marks, int nmarks)
{
	const struct axictx *x = r->x;
	const int64_t db = x->db;
	int64_t e = 0, u = 0;

	for (int64_t row = 0; row < rows; row++) {
		const int64_t a0 = base + row * stride, a1 = a0 + cols * eb;  /* [a0, a1) */
		int64_t ba = a0 & ~(db - 1), left = (a1 - 1) / db - a0 / db + 1;
		while (left > 0) {
			const int64_t n = burst_beats(x, ba, left);
			const int64_t ar = rd_ar(r, 2, 1), rdy = ar + 1 + x->lat;
			int64_t t = 0;
			for (int64_t i = 0; i < n; i++, ba += db) {
				int64_t lo = ba > a0 ? ba : a0, hi = ba + db < a1 ? ba + db : a1;
				int64_t k = (hi - lo + eb - 1) / eb;
				t = rd_beat(r, rdy, 1);
				/* its k elements unpack in cycles st .. st + c - 1 (c = k one
				 * element a cycle, else one a staging row); the holder is free in
				 * the last of them */
				const int64_t st = hn_max64(t + 1, r->unext);
				const int64_t c = rd_unpack(r, row, (lo - a0) / eb, k, st);
				for (int64_t j = 0; mark > 0 && j < k; j++)
					if ((e + j + 1) % mark == 0 && (e + j + 1) / mark - 1 < nmarks)
						marks[(e + j + 1) / mark - 1] = st + j;
				e += k;
				u = st + c - 1;
				r->unext = st + c;
				r->hfree = st + c - 1;
			}
			rd_burst_end(r, t);
			left -= n;
		}
	}
	if (mark > 0 && e % mark != 0 && e / mark < nmarks)
		marks[e / mark] = u;
	/* a compute record wanted while the block was read: behind its beats; the DMA
	 * record's last bursts in any case */
	if (r->defer)
		return u;
	if (r->ext_on && (!r->cf_on || r->ext_t <= r->cfx))
		rd_ext(r);
	if (r->cf_on && r->cfx <= u)
		rd_cf(r);
	if (r->ext_on)
		rd_ext(r);
	return u;
}

static void rd_start(struct rd *r, const struct axictx *x, int fetch, int64_t xc,
		     struct axi_credit *cr)
{
	/* fetch: 1 the next DMA record (64 bytes), 2 a record of 192 bytes */
	rd_init(r, x, cr);
	r->cf_on = xc != AXI_NO_CF;
	r->cfx = xc;
	r->cf_av = AXI_NO_CF;
	r->fd_av = AXI_NO_CF;
	if (fetch)
		rd_fetch(r, 1, fetch == 2);
}

void axi_first_records(const struct axictx *x, struct axi_credit *cr, int64_t *dma_av,
		       int64_t *cmp_av)
{
	struct rd r;

	/* the run's cycle 0 is the first with busy set: the DMA record's ARs in cycles 1 and
	 * 2, the compute record's in 3, nothing else on the bus */
	rd_start(&r, x, 0, 1, cr);
	rd_fetch(&r, 1, x->win);
	rd_cf(&r);
	if (r.ext_on)
		rd_ext(&r);
	rd_save(&r);
	*dma_av = r.fd_av;
	*cmp_av = r.cf_av;
}

int64_t axi_cf_alone(const struct axictx *x, struct axi_credit *cr, int64_t cfx, int commit)
{
	struct axi_credit c = *cr;
	struct rd r;

	rd_start(&r, x, 0, cfx, commit ? cr : &c);
	rd_cf(&r);
	rd_save(&r);
	return r.cf_av;
}

/* A conv's A load walked over its NHWC input (rtl/hwnas_axi_mem.v's runs, docs/rtl.md
 * "Window addressing"): block row i is output pixel m0 + i, its columns k0 .. k0 + cols - 1
 * runs of one tap's channels each (cut at the block's columns); a tap outside the input is
 * a pad run (no burst; its elements take the unpacker a cycle each, and the issuer a cycle
 * per run); a data run's bursts are its own (from its aligned address), the first of them
 * fired two cycles after the previous run's last (the issuer loads a run, then asks), the
 * first run's in cycle 3. Group gi's channels start at gi x Cg. Returns the last element's
 * unpack cycle. */
static int64_t rd_win(struct rd *r, const struct arch_layer *l, int64_t gi, int64_t m0,
		      int64_t rows, int64_t k0, int64_t cols, int64_t eb)
{
	const struct axictx *x = r->x;
	const int64_t db = x->db, cg = l->c / l->groups, P = arch_out_h(l), Q = arch_out_w(l);
	int64_t next = 3, u = 0;

	for (int64_t row = 0; row < rows; row++) {
		const int64_t m = m0 + row, img = m / (P * Q), y = m % (P * Q) / Q, xo = m % Q;
		int64_t j = 0, tap = k0 / cg, c = k0 % cg, A0 = 0, jm = -1;
		while (j < cols) {
			const int64_t n = hn_min64(cg - c, cols - j), rr = tap / l->s, ss = tap % l->s;
			const int64_t iy = y * l->stride_h - l->pad_h + rr * l->dil_h;
			const int64_t ix = xo * l->stride_w - l->pad_w + ss * l->dil_w;
			if (iy < 0 || iy >= l->h || ix < 0 || ix >= l->w) {
				next++;
				r->unext += rd_unpack_pad(r, row, j, n, r->unext);
				u = r->unext - 1;
			} else if (cg == l->c && l->dil_w == 1 && j + n < cols && ss + 1 < l->s &&
				   ix + 1 < l->w) {
				/* the next tap continues this run (merged): the first's start kept, a
				 * cycle for the issuer to load each */
				if (jm < 0) {
					A0 = x->pa + (((img * l->h + iy) * l->w + ix) * l->c + gi * cg +
						      c) * eb;
					jm = j;
				}
				next++;
			} else {
				const int64_t a1 = x->pa + (((img * l->h + iy) * l->w + ix) * l->c +
							    gi * cg + c + n) * eb;
				const int64_t a0 = jm < 0 ? a1 - n * eb : A0, j0 = jm < 0 ? j : jm;
				int64_t ba = a0 & ~(db - 1), left = (a1 - 1) / db - a0 / db + 1;
				jm = -1;
				while (left > 0) {
					const int64_t nb = burst_beats(x, ba, left);
					const int64_t ar = rd_ar(r, next, 1), rdy = ar + 1 + x->lat;
					int64_t t = 0;
					next = ar + 1;
					for (int64_t i = 0; i < nb; i++, ba += db) {
						int64_t lo = ba > a0 ? ba : a0;
						int64_t hi = ba + db < a1 ? ba + db : a1;
						int64_t k = (hi - lo + eb - 1) / eb, st;
						int64_t ch = 0, col = j0 + (lo - a0) / eb;
						t = rd_beat(r, rdy, 1);
						st = hn_max64(t + 1, r->unext);
						/* a chunk stops at each run's end (merged runs share beats) */
						while (k > 0) {
							const int64_t sg = hn_min64(k, cg - (k0 + col) % cg);
							ch += rd_unpack(r, row, col, sg, st + ch);
							col += sg;
							k -= sg;
						}
						u = st + ch - 1;
						r->unext = st + ch;
						r->hfree = st + ch - 1;
					}
					rd_burst_end(r, t);
					left -= nb;
				}
				next++;   /* the issuer loads the next run */
			}
			j += n;
			c = 0;
			tap++;
		}
	}
	if (r->ext_on && (!r->cf_on || r->ext_t <= r->cfx))
		rd_ext(r);
	if (r->cf_on && r->cfx <= u)
		rd_cf(r);
	if (r->ext_on)
		rd_ext(r);
	return u;
}

int64_t axi_win_cycles(const struct axictx *x, int fetch, int64_t gi, int64_t m0, int64_t rows,
		       int64_t k0, int64_t cols, int64_t xc, int64_t *cf_av,
		       struct axi_credit *cr, int64_t *fd_av)
{
	struct axi_credit own;
	struct rd r;
	int64_t u;

	if (!cr)
		axi_credit_init(cr = &own, x);
	rd_start(&r, x, fetch, xc, cr);
	rd_stage(&r, COST_REQ_A, rows, cols);
	u = rd_win(&r, x->l, gi, m0, rows, k0, cols, x->d->ab);
	rd_save(&r);
	if (cf_av)
		*cf_av = r.cf_av;
	if (fd_av)
		*fd_av = r.fd_av;
	return rd_load_end(&r, u);
}

int64_t axi_load_cycles(const struct axictx *x, int fetch, int which, int64_t rows,
			int64_t cols, int64_t eb, int64_t base, int64_t stride, int64_t xc,
			int64_t *cf_av, struct axi_credit *cr, int64_t *fd_av)
{
	struct axi_credit own;
	struct rd r;
	int64_t u;

	if (!cr)
		axi_credit_init(cr = &own, x);
	rd_start(&r, x, fetch, xc, cr);
	rd_stage(&r, which, rows, cols);
	u = rd_block(&r, rows, cols, eb, base, stride, 0, NULL, 0);
	rd_save(&r);
	if (cf_av)
		*cf_av = r.cf_av;
	if (fd_av)
		*fd_av = r.fd_av;
	return rd_load_end(&r, u);
}

/* The reads beside a store's write-back (the next DMA record, a compute record): at most
 * three bursts, their beats taken as soon as offered (the fetchers are always ready), in
 * time order with the W beats, which spend the same credit. */
struct pend_rd {
	int n, b;                 /* bursts (in AR order), the current one */
	int64_t want[7], left[7]; /* when each wants the AR channel, beats still to come */
	int64_t rdy[7];           /* its first beat's ready cycle (once its AR is placed) */
	int placed[7];
	int cf[7];                /* 1: the compute record's (2: dropped) */
	int ext[7];               /* a 192-byte record's last four bursts, wanted two cycles
				   * after the record's first beat */
	int fd0;                  /* the burst holding the record's first beat */
	int64_t acc, fd_av, cf_av, ar;
	int64_t last[7];          /* each burst's last beat */
	int64_t rend[AXI_MAXOUT_MAX], nburst;   /* the AR slots (the bus's ring, carried on) */
};

/* offers the pending beats that the memory can offer by cycle lim (R before W in a cycle) */
static void pend_until(const struct axictx *x, struct pend_rd *q, struct axi_credit *cr,
		       int64_t lim)
{
	while (q && q->b < q->n) {
		int64_t t;
		if (q->left[q->b] == 0) {   /* dropped (a compute record of a later request) */
			q->b++;
			continue;
		}
		if (!q->placed[q->b]) {
			/* its AR: a cycle after the previous, when it wants, with a slot */
			int64_t a = hn_max64(q->ar + 1, q->want[q->b]);
			if (q->nburst >= x->maxout)
				a = hn_max64(a, q->rend[q->nburst % x->maxout] + 2);
			if (a > lim)
				return;
			q->ar = a;
			q->rdy[q->b] = a + 1 + x->lat;
			q->placed[q->b] = 1;
		}
		t = q->rdy[q->b] > q->acc + 1 ? q->rdy[q->b] : q->acc + 1;
		if (t > lim)
			return;
		if (cr_at(x, cr, t) < (double)x->db) {
			int64_t u = cr->t + (int64_t)(((double)x->db - cr->cr) / x->bw);
			t = u > t ? u : t;
			while (cr_at(x, cr, t) < (double)x->db)
				t++;
			if (t > lim)
				return;
		}
		cr_spend(x, cr, t);
		q->acc = t;
		if (q->b == q->fd0 && q->left[q->b] == x->recb) {
			/* the record's first beat: its last four bursts want the channel from
			 * t + 2 */
			for (int i = 0; i < q->n; i++)
				if (q->ext[i])
					q->want[i] = t + 2;
		}
		if (--q->left[q->b] == 0) {
			q->last[q->b] = t;
			q->rend[q->nburst % x->maxout] = t;
			q->nburst++;
			if (q->cf[q->b])
				q->cf_av = t + 1;
			else
				q->fd_av = t + 1;
			q->b++;
		}
	}
}

/* The end of a store: a compute record wanted (at xc) after the store ended is not this
 * request's; the reads still pending go out; the read channel (these bursts' ARs and last
 * beats) and the fetchers' times go back to the caller. */
static void store_finish(const struct axictx *x, struct pend_rd *q, int64_t xc, int64_t end,
			 struct axi_credit *cr, int64_t *fd_av, int64_t *cf_av)
{
	for (int i = q->b; i < q->n; i++)
		if (q->cf[i] && xc > end) {
			q->left[i] = 0;
			q->cf[i] = 2;
		}
	pend_until(x, q, cr, INT64_MAX);
	memcpy(cr->rend, q->rend, sizeof(q->rend));
	cr->nburst = q->nburst;
	cr->ar = q->ar;
	cr->acc = q->acc;
	if (fd_av)
		*fd_av = q->fd_av;
	if (cf_av)
		*cf_av = q->cf_av;
}

/* The words a store's packer takes (rtl/hwnas_axi_mem.v's chunk in S_WR): word w of the
 * staging buffer is captured (usable by the packer) from cap[w] (or, cap NULL, from
 * w / nb + 3 + stg: partial-sum lines of nb words; words past ncap follow the last one a
 * cycle apart); nbk words a staging row. */
struct wr_cap {
	const int64_t *cap;
	int64_t ncap, nb, nbk, stg;
};

/* the first cycle the packer may take word w */
static int64_t wr_cap_at(const struct wr_cap *c, int64_t w)
{
	if (!c->cap)
		return w / c->nb + 3 + c->stg;
	return w < c->ncap ? c->cap[w] : c->cap[c->ncap - 1] + (w - c->ncap + 1);
}

/* A chunk packed in cycle t from word w (taken by then): the words after w up to the end of
 * its staging row that are captured by t (capture is in word order, so they are a prefix).
 * Returns the first word not in the chunk. */
static int64_t wr_chunk(const struct wr_cap *c, int64_t w, int64_t t)
{
	const int64_t we = (w / c->nbk + 1) * c->nbk;
	int64_t e;

	if (!c->cap)
		return hn_min64(we, (t - 2 - c->stg) * c->nb);
	for (e = w + 1; e < we && wr_cap_at(c, e) <= t; e++)
		;
	return e;
}

/* The write-back of a rows x cols block of eb-byte elements at byte offset base, packing
 * from cycle swr (c: when the packer may take each staging word). swr counts the staging
 * buffer's read (x->stg); the AW issuer does not wait for it (its first AW in cycle
 * swr - x->stg + 1). A beat's elements are packed a chunk a cycle: from its next element,
 * every element of the beat in that element's staging row whose word is captured, at the
 * earliest in the cycle the element's word is, a cycle after the previous chunk, and (the
 * beat's first chunk) in the cycle the previous beat leaves. Returns the request's last
 * cycle. */
static int64_t wr_block(const struct axictx *x, int64_t rows, int64_t cols, int64_t eb,
			int64_t base, int64_t stride, int64_t swr, const struct wr_cap *c,
			int64_t ocols, int layout, int64_t lanes, struct axi_credit *cr,
			struct pend_rd *q)
{
	const int64_t db = x->db, bdel = x->lat > 0 ? 2 : 1;
	int64_t aw_last = swr - x->stg, bq[AXI_MAXOUT_MAX], nburst = 0, b_last = -1000000;
	int64_t p = swr - 1, wf = -1000000;

	for (int i = 0; i < AXI_MAXOUT_MAX; i++)
		bq[i] = -1000000;
	for (int64_t row = 0; row < rows; row++) {
		const int64_t a0 = base + row * stride, a1 = a0 + cols * eb;
		/* the row's first staging word */
		const int64_t rw0 = layout ? (row / lanes) * cols : row * ocols;
		int64_t ba = a0 & ~(db - 1), left = (a1 - 1) / db - a0 / db + 1, k = 0;
		while (left > 0) {
			const int64_t n = burst_beats(x, ba, left);
			int64_t aw = aw_last + 1, bfree = bq[nburst % x->maxout] + 2;
			if (nburst >= x->maxout && bfree > aw)
				aw = bfree;
			aw_last = aw;
			for (int64_t i = 0; i < n; i++, ba += db) {
				const int64_t lo = ba > a0 ? ba : a0, hi = ba + db < a1 ? ba + db : a1;
				const int64_t ke = k + (hi - lo + eb - 1) / eb;
				for (int first = 1; k < ke; first = 0) {
					const int64_t w = layout ? rw0 + k : rw0 + k / lanes;
					int64_t e;
					p = hn_max64(p + 1, wr_cap_at(c, w));
					if (first && p < wf)
						p = wf;
					e = wr_chunk(c, w, p);
					k = hn_min64(ke, layout ? e - rw0 : (e - rw0) * lanes);
				}
				/* the beat leaves after its last chunk, its AW and the beat before */
				wf = hn_max64(hn_max64(p + 1, aw + 1), wf + 1);
				pend_until(x, q, cr, wf);
				cr_spend(x, cr, wf);
			}
			int64_t b = hn_max64(wf + bdel, b_last + 1);
			bq[nburst % x->maxout] = b;
			b_last = b;
			nburst++;
			left -= n;
		}
	}
	return b_last + 2;
}

/* The reads beside a store that reads nothing itself (a partial-sum store, a final store
 * whose parameters are in): the next DMA record's two bursts (ARs in cycles 1 and 2) and a
 * compute record's (first when it wanted the channel earlier, else after them). */
static void store_reads(const struct axictx *x, int fetch, int64_t xc,
			const struct axi_credit *cr, struct pend_rd *q)
{
	int cf = xc != AXI_NO_CF;

	memset(q, 0, sizeof(*q));
	q->acc = cr->acc;
	q->ar = cr->ar;
	q->fd_av = q->cf_av = AXI_NO_CF;
	q->fd0 = -1;
	q->nburst = cr->nburst;
	memcpy(q->rend, cr->rend, sizeof(q->rend));
	if (cf && (!fetch || xc < 1)) {
		q->want[q->n] = xc;
		q->left[q->n] = x->recb;
		q->cf[q->n++] = 1;
		cf = 0;
	}
	for (int b = 0; fetch && b < 2; b++) {
		if (b == 0)
			q->fd0 = q->n;
		q->want[q->n] = 1 + b;
		q->left[q->n++] = x->recb;
	}
	/* a compute record asked for before a 192-byte record's last bursts can be (two
	 * cycles after its first beat, at the earliest latency + 4) goes before them */
	if (cf && xc < x->lat + 4) {
		q->want[q->n] = xc;
		q->left[q->n] = x->recb;
		q->cf[q->n++] = 1;
		cf = 0;
	}
	for (int b = 0; fetch == 2 && b < 4; b++) {
		q->ext[q->n] = 1;
		q->want[q->n] = INT64_MAX / 4;   /* set by the record's first beat */
		q->left[q->n++] = x->recb;
	}
	if (cf) {
		q->want[q->n] = xc;
		q->left[q->n] = x->recb;
		q->cf[q->n++] = 1;
	}
}

/* the staging row's words (hwnas_axi_mem.v's NBK: the widest line) */
static int64_t stg_nbk(const struct dmactx *d)
{
	return hn_max64(hn_max64(d->nb[0], d->nb[1]), d->nb[2]);
}

int64_t axi_store_cycles(const struct axictx *x, int fetch, int64_t rows, int64_t cols,
			 int64_t base, int64_t stride, int64_t xc, int64_t *cf_av,
			 struct axi_credit *cr, int64_t *fd_av)
{
	const struct dmactx *d = x->d;
	const int is = d->df == HW_IS;
	struct axi_credit own;
	struct pend_rd q;
	struct wr_cap wc;
	int64_t end;

	if (!cr)
		axi_credit_init(cr = &own, x);
	store_reads(x, fetch, xc, cr, &q);
	/* partial sums: packing from cycle 1, line j captured in cycle j + 3 */
	wc.cap = NULL;
	wc.ncap = 0;
	wc.nb = d->nb[2];
	wc.nbk = stg_nbk(d);
	wc.stg = x->stg;
	end = wr_block(x, rows, cols, d->cb, base, stride, 1 + x->stg, &wc, hn_cdiv(cols, d->C),
		       is, d->C, cr, &q) + 1;
	store_finish(x, &q, xc, end, cr, fd_av, cf_av);
	return end;
}

/* A final store's chunk (cols <= COST_QBUF_WORDS x C): the parameter records (one row of
 * 2 x cols 8-byte elements), the DMA's output words as their parameter words arrive, the
 * write-back. When the run's previous final store read the same records (cr's qbase, qcols)
 * the DMA's qbuf still holds them: no read, the write-back from cycle 1 as a partial-sum
 * store's, the output words from cycle 2 one a cycle. */
static int64_t axi_final_chunk(const struct axictx *x, int fetch, int64_t rows, int64_t cols,
			       int64_t base, int64_t stride, int64_t qbase, int64_t xc,
			       int64_t *cf_av, struct axi_credit *cr, int64_t *fd_av)
{
	const struct dmactx *d = x->d;
	const int is = d->df == HW_IS;
	const int64_t C = d->C, ocols = is ? cols : hn_cdiv(cols, C);
	const int64_t words = is ? hn_cdiv(rows, C) * cols : rows * ocols;
	int64_t qav[COST_QBUF_WORDS + 1], u, fre = 1;
	int64_t capw[AXI_CAP_WORDS];   /* past these, every parameter word is in */
	const int64_t ncap = words < AXI_CAP_WORDS ? words : AXI_CAP_WORDS;
	const int keep = !COST_AXI_PARAM_WAIT || (cr->qbase == qbase && cr->qcols == cols);
	struct pend_rd q;
	struct wr_cap wc;
	struct rd r;
	int64_t end;

	cr->qbase = qbase;
	cr->qcols = cols;
	wc.cap = capw;
	wc.ncap = ncap;
	wc.nb = 1;
	wc.nbk = stg_nbk(d);
	wc.stg = x->stg;
	if (keep) {
		for (int64_t i = 0; i < ncap; i++)
			capw[i] = 2 + i + 3 + x->stg;
		store_reads(x, fetch, xc, cr, &q);
		end = wr_block(x, rows, cols, d->ab, base, stride, 1 + x->stg, &wc, ocols, is, C,
			       cr, &q) + 1;
		store_finish(x, &q, xc, end, cr, fd_av, cf_av);
		return end;
	}
	rd_start(&r, x, fetch, xc, cr);
	r.defer = 1;
	u = rd_block(&r, 1, 2 * cols, 8, qbase, 0, 2 * C, qav, COST_QBUF_WORDS + 1);
	for (int64_t i = 0; i < ncap; i++) {
		const int64_t col = i % ocols, qi = is ? col / C : col;
		fre = hn_max64(hn_max64(fre + 1, 2), qav[qi] + 2);
		capw[i] = fre + 3 + x->stg;
	}
	/* the fetches still to go (a 192-byte record's last bursts, a compute record) read
	 * beside the write-back, in time order with its W beats */
	memset(&q, 0, sizeof(q));
	q.acc = r.acc;
	q.ar = r.ar;
	q.fd_av = r.fd_av;
	q.cf_av = r.cf_av;
	q.fd0 = -1;
	q.nburst = r.nburst;
	memcpy(q.rend, r.rend, sizeof(q.rend));
	for (int pass = 0; pass < 2; pass++) {
		/* the DMA record fetcher first unless the compute record wanted earlier */
		const int cf_first = r.cf_on && (!r.ext_on || r.cfx < r.ext_t);
		if (pass == cf_first && r.ext_on) {
			for (int b = 0; b < 4; b++) {
				q.want[q.n] = r.ext_t;
				q.left[q.n++] = x->recb;
			}
		} else if (pass != cf_first && r.cf_on) {
			q.want[q.n] = r.cfx;
			q.left[q.n] = x->recb;
			q.cf[q.n++] = 1;
		}
	}
	end = wr_block(x, rows, cols, d->ab, base, stride, u + 1 + x->stg, &wc, ocols, is, C, cr,
		       &q) + 1;
	store_finish(x, &q, r.cfx, end, cr, fd_av, cf_av);
	return end;
}

int64_t axi_final_cycles(const struct axictx *x, int fetch, int64_t rows, int64_t cols,
			 int64_t base, int64_t stride, int64_t qbase, int64_t xc, int64_t *cf_av,
			 struct axi_credit *cr, int64_t *fd_av)
{
	const int64_t q = COST_QBUF_WORDS * x->d->C, full = (cols - 1) / q;
	int64_t t = 0, av = AXI_NO_CF, d;
	struct axi_credit own;

	if (!cr)
		axi_credit_init(cr = &own, x);
	/* chunks before the last are not the layer's last DMA command; a compute record's
	 * fetch is seen by the first chunk only (the rare wide stores: an error term) */
	for (int64_t c = 0; c < full; c++) {
		/* each chunk is its own request: its cycles count from its own start */
		d = axi_final_chunk(x, 1, rows, q, base + c * q * x->d->ab, stride,
				    qbase + c * q * AXI_PARAM_RECORD, c == 0 ? xc : AXI_NO_CF,
				    c == 0 ? &av : NULL, cr, NULL);
		cr->t -= d;
		t += d;
	}
	d = axi_final_chunk(x, fetch, rows, cols - full * q, base + full * q * x->d->ab, stride,
			    qbase + full * q * AXI_PARAM_RECORD, full == 0 ? xc : AXI_NO_CF,
			    full == 0 ? &av : NULL, cr, fd_av);
	cr->t += t;
	if (fd_av && *fd_av != AXI_NO_CF)
		*fd_av += t;
	t += d;
	if (cf_av)
		*cf_av = av;
	return t;
}

/* A conv the AXI top walks windows for (sim_prog.c's win_geometry: its sizes fit the
 * record's 16- and 8-bit fields); else the host's im2col matrix */
static int axi_win_fits(const struct arch_layer *l)
{
	const int64_t big[] = { l->h, l->w, arch_out_h(l), arch_out_w(l), l->c,
				l->c / (l->groups > 0 ? l->groups : 1) };
	const int64_t small[] = { l->r, l->s, l->stride_h, l->stride_w, l->dil_h, l->dil_w,
				  l->pad_h, l->pad_w };

	if (l->kind != ARCH_CONV)
		return 0;
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (big[i] < 1 || big[i] > 0xffff)
			return 0;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (small[i] < 0 || small[i] > 0xff)
			return 0;
	return 1;
}

/* A vector request's runs (rtl/hwnas_axi_mem.v's hwnas_axi_runs, modes 2 to 4): run i is
 * pixel i / (nw g), its channel word, the group's word (a window tap, or the add's input)
 * innermost; n elements at element offset off (from the region's start), pad outside the
 * input. */
struct vrun {
	int64_t off, n;
	int pad, gend, last;
};

struct vgeo {
	const struct arch_layer *l;
	int mode;                      /* 2 a pool's window walk, 4 its window matrix, 3 an add */
	int64_t g, m, ch, C, nw, P, Q, in2;   /* in2: the add's second input (elements) */
	int64_t in0;                          /* the (first) input (elements) */
};

/* a generator's place: run i = (px, cw, t), t the tap (tr, ts), px the pixel (img, y, xo) */
struct vpos {
	int64_t px, cw, t, tr, ts, img, y, xo;
};

/* the next run (counters as the RTL's generator keeps them, no division) */
static void vpos_next(const struct vgeo *v, struct vpos *p)
{
	if (v->mode == 2 && ++p->ts == v->l->s) {
		p->ts = 0;
		p->tr++;
	}
	if (++p->t < v->g)
		return;
	p->t = p->tr = p->ts = 0;
	if (++p->cw < v->nw)
		return;
	p->cw = 0;
	p->px++;
	if (++p->xo < v->Q)
		return;
	p->xo = 0;
	if (++p->y < v->P)
		return;
	p->y = 0;
	p->img++;
}

static void vrun_at(const struct vgeo *v, const struct vpos *p, struct vrun *r)
{
	const struct arch_layer *l = v->l;
	const int64_t px = p->px, cw = p->cw, t = p->t;

	r->n = hn_min64(v->C, v->ch - cw * v->C);
	r->pad = 0;
	r->gend = t == v->g - 1;
	r->last = r->gend && cw == v->nw - 1 && px == v->m - 1;
	if (v->mode == 3) {
		r->off = (t ? v->in2 : v->in0) + px * v->ch + cw * v->C;
	} else if (v->mode == 4) {
		r->off = v->in0 + (px * v->g + t) * v->ch + cw * v->C;
	} else {
		const int64_t img = p->img, y = p->y, xo = p->xo;
		const int64_t iy = y * l->stride_h - l->pad_h + p->tr;
		const int64_t ix = xo * l->stride_w - l->pad_w + p->ts;
		r->pad = iy < 0 || iy >= l->h || ix < 0 || ix >= l->w;
		r->off = v->in0 + ((img * l->h + iy) * l->w + ix) * v->ch + cw * v->C;
	}
}

#define VQ_WORDS 4       /* the master's output queue (hwnas_axi_mem.v's VQ) */
#define VMEM_Q 64        /* the memory's queues (bursts in flight: MAXOUT at most) */

/* The next cycle after c in which an idle vector walk changes: a beat ready from rdy offered
 * (once the credit holds a bus width), a B due at b, an output word captured at cap (seen at
 * the end of the cycle before); -1: none. c + 1 when none is due. */
static int64_t vec_idle_until(const struct axictx *x, const struct axi_credit *cr, int64_t c,
			      int64_t rdy, int64_t b, int64_t cap)
{
	int64_t n = INT64_MAX;

	if (rdy >= 0) {
		int64_t t = hn_max64(rdy, c + 1);
		if (cr_at(x, cr, t) < (double)x->db) {
			const int64_t u = cr->t + (int64_t)(((double)x->db - cr->cr) / x->bw);
			t = hn_max64(u, t);
			while (cr_at(x, cr, t) < (double)x->db)
				t++;
		}
		n = t;
	}
	if (b >= 0)
		n = hn_min64(n, b);
	if (cap >= 0)
		n = hn_min64(n, cap - 1);
	return n == INT64_MAX || n <= c ? c + 1 : n;
}

/* A vector request through the master, cycle by cycle (request cycle 0 = its start): the
 * runs' AR issuer, the memory (harness_axi.cpp: a beat ready 1 + latency after its AR, the
 * credit), the beat holder and the unpacker (a cycle takes every element of the word in the
 * held beat, a pad word whole; a group's last word only with room in the output queue), the
 * vector unit (a group's output word captured three cycles after its last input word), the
 * AW issuer and the W packer (a cycle packs the output word's elements in the W beat, to the
 * row's end). Returns the cycle the
 * master sees its work done (S_FIN from the next). */
static int64_t vec_walk(const struct axictx *x, const struct vgeo *v, int64_t eb,
			int64_t vout, struct axi_credit *cr, int fk, int64_t *fd_av)
{
	const int64_t db = x->db, lat = x->lat, maxout = x->maxout;
	const int64_t rowb = v->ch * eb;
	const int elg = eb >= 8 ? 3 : eb >= 4 ? 2 : eb >= 2 ? 1 : 0;
	/* memory */
	int64_t rq_n[VMEM_Q], rq_b[VMEM_Q], rq_rdy[VMEM_Q], rq_h = 0, rq_t = 0;
	int rq_f[VMEM_Q];   /* 1: a DMA record's burst (its fetcher takes every beat) */
	/* the next DMA record's fetcher (fk: 1 64 bytes, 2 192 bytes; its first AR in cycle
	 * 1): bursts asked for, the record's size known (its first beat), its last beat */
	int fd_part = fk > 0, fd_x = fk == 2 ? -1 : 0, ar_f = fk > 0;
	int64_t fd_seen = 0;
	int64_t wq_n[VMEM_Q], wq_b[VMEM_Q], wq_h = 0, wq_t = 0, bq[VMEM_Q], bq_h = 0, bq_t = 0;
	int r_hold = 0, b_hold = 0;
	/* master: read side */
	int arv = fk > 0, wa_on = 1, wa_ld = 1, rb_v = 0, v_done = 0;
	int64_t ar_n = 0, rd_out = 0, wa_a = 0, wa_left = 0, u_idx = 0;
	int64_t vo_iss = 0, capt[VQ_WORDS + 4], cap_h = 0, cap_t = 0, cap_w = 0;
	/* master: write side */
	int awv = 0, aw_on = 1, wv = 0, w_done = 0;
	int64_t aw_n = 0, aw_r = 0, aw_ra = vout, aw_a = vout & ~(db - 1), wr_out = 0;
	int64_t aw_left = ((vout + rowb - 1) / db) - vout / db + 1;
	int64_t e_r = 0, e_k = 0, e_ra = vout, e_ea = vout, e_w = 0, e_ln = 0;
	struct vrun ur, ar;
	struct vpos up, ap;
	int64_t c;

	memset(&up, 0, sizeof(up));
	ap = up;
	vrun_at(v, &up, &ur);
	ar = ur;

	for (c = 1;; c++) {
		/* act: something changes this cycle (else the next cycles are the same until a
		 * beat, a B or an output word is due: skipped at the end) */
		int act = 0;
		/* the memory's outputs */
		if (!r_hold && rq_h != rq_t && rq_rdy[rq_h % VMEM_Q] <= c &&
		    cr_at(x, cr, c) >= (double)db) {
			r_hold = act = 1;
			cr_spend(x, cr, c);
		}
		if (!b_hold && bq_h != bq_t && bq[bq_h % VMEM_Q] <= c)
			b_hold = act = 1;
		const int wready = wq_h != wq_t;
		/* the master's combinational view (a run looked up once) */
		/* the word's elements in the held beat go at once (a pad word whole) */
		const int64_t u_off = ((ur.off + u_idx) * eb) & (db - 1);   /* db, eb: powers of 2 */
		const int64_t u_k = ur.pad ? ur.n - u_idx : hn_min64(ur.n - u_idx, (db - u_off) >> elg);
		const int u_rend = u_idx + u_k == ur.n;
		const int u_bend = !ur.pad;
		const int vq_room = vo_iss - e_w < VQ_WORDS;
		const int v_go = !v_done && (rb_v || ur.pad) && !(u_rend && ur.gend && !vq_room);
		const int rb_take = v_go && u_bend;
		const int rready = !rb_v || rb_take;
		const int ar_fire = arv;
		const int r_isf = rq_h != rq_t && rq_f[rq_h % VMEM_Q];
		const int r_fire = r_hold && (rready || r_isf);
		const int fd_want = fk > 0 && (fd_part < 2 || (fd_x == 1 && fd_part < 6));
		int r_end = 0;
		const int ar_slot = (!arv || ar_fire) && rd_out < maxout &&
				    !(ar_fire && rd_out + 1 >= maxout);
		const int64_t wa_n = wa_on && !wa_ld ? burst_beats(x, wa_a, wa_left) : 0;
		const int wa_ok = wa_on && !wa_ld && !fd_want;
		const int ag_step = (wa_on && wa_ld && ar.pad && !ar.last) ||
				    (ar_slot && wa_ok && wa_left == wa_n && !ar.last);
		const int aw_fire = awv, w_fire = wv && wready, b_fire = b_hold;
		const int w_have = e_w < cap_w;
		/* the packer's chunk: the word's elements in the beat, to the row's end */
		const int64_t e_off = e_ea & (db - 1);
		const int64_t p_n = hn_min64(hn_min64((db - e_off) >> elg, v->C - e_ln), v->ch - e_k);
		const int e_last_col = e_k + p_n == v->ch, e_last = e_last_col && e_r + 1 == v->m;
		const int e_beat_end = e_last_col || e_off + p_n * eb >= db;
		const int fin = w_done && !aw_on && !awv && !wv && wr_out == 0;

		/* the memory's handshakes */
		if (ar_fire) {
			rq_f[rq_t % VMEM_Q] = ar_f;
			cr->ar = c;
			rq_n[rq_t % VMEM_Q] = ar_f ? x->recb : ar_n;
			rq_b[rq_t % VMEM_Q] = 0;
			rq_rdy[rq_t++ % VMEM_Q] = c + 1 + lat;
		}
		if (aw_fire) {
			wq_n[wq_t % VMEM_Q] = aw_n;
			wq_b[wq_t++ % VMEM_Q] = 0;
		}
		if (w_fire) {
			if (++wq_b[wq_h % VMEM_Q] == wq_n[wq_h % VMEM_Q]) {
				bq[bq_t++ % VMEM_Q] = c + 1 + (lat > 0 ? 1 : 0);
				wq_h++;
			}
			cr_spend(x, cr, c);
		}
		if (r_fire) {
			const int64_t k = rq_h % VMEM_Q;
			if (rq_f[k]) {
				/* the record's first beat shows its size; its last beat */
				if (fd_x < 0 && fd_seen == 0 && rq_b[k] == 0)
					fd_x = 1;
				fd_seen++;
				if (fd_seen == (fk == 2 ? 6 : 2) * x->recb && fd_av)
					*fd_av = c + 1;
			}
			cr->acc = c;
			if (++rq_b[k] == rq_n[k]) {
				rq_h++;
				r_end = 1;
				cr->rend[cr->nburst % x->maxout] = c;
				cr->nburst++;
			}
			r_hold = 0;
		}
		if (b_fire) {
			bq_h++;
			b_hold = 0;
		}
		if (fin)
			break;
		act |= ar_fire || aw_fire || w_fire || r_fire || b_fire || ag_step || v_go ||
		       (ar_slot && (fd_want || wa_ok)) || (wa_on && wa_ld);
		/* the read side's registers */
		const int wa_on0 = wa_on, wa_ld0 = wa_ld, awv0 = awv;
		const int64_t wr_out0 = wr_out, e_w0 = e_w;
		rd_out += ar_fire - r_end;
		if (ar_fire)
			arv = 0;
		if (ar_slot && fd_want) {
			arv = 1;
			ar_f = 1;
			fd_part++;
		} else if (ar_slot && wa_ok) {
			arv = 1;
			ar_f = 0;
			ar_n = wa_n;
			if (wa_left == wa_n) {
				if (ar.last)
					wa_on = 0;
				else
					wa_ld = 1;
			} else {
				wa_a += wa_n * db;
				wa_left -= wa_n;
			}
		}
		if (wa_on0 && wa_ld0) {
			if (ar.pad) {
				if (ar.last)
					wa_on = 0;
			} else {
				const int64_t a0 = ar.off * eb;
				wa_ld = 0;
				wa_a = a0 & ~(db - 1);
				wa_left = (a0 + ar.n * eb - 1) / db - a0 / db + 1;
			}
		}
		if (ag_step) {
			vpos_next(v, &ap);
			vrun_at(v, &ap, &ar);
		}
		if (rb_v && rb_take)
			rb_v = 0;
		if (r_fire && !r_isf)
			rb_v = 1;
		if (v_go) {
			u_idx = u_rend ? 0 : u_idx + u_k;
			if (u_rend && ur.gend) {
				vo_iss++;
				capt[cap_t++ % (VQ_WORDS + 4)] = c + 3;
			}
			if (u_rend && ur.last)
				v_done = 1;
			if (u_rend && !ur.last) {
				vpos_next(v, &up);
				vrun_at(v, &up, &ur);
			}
		}
		/* the write side's registers */
		wr_out += aw_fire - b_fire;
		if (aw_fire)
			awv = 0;
		if (w_fire)
			wv = 0;
		if (aw_on && (!awv || aw_fire) && wr_out0 + awv0 < maxout) {
			const int64_t n = burst_beats(x, aw_a, aw_left);
			act = 1;
			awv = 1;
			aw_n = n;
			if (aw_left == n) {
				if (aw_r + 1 == v->m) {
					aw_on = 0;
				} else {
					aw_r++;
					aw_ra += rowb;
					aw_a = aw_ra & ~(db - 1);
					aw_left = (aw_ra + rowb - 1) / db - aw_ra / db + 1;
				}
			} else {
				aw_a += n * db;
				aw_left -= n;
			}
		}
		if (!w_done && (!wv || w_fire) && w_have) {
			act = 1;
			e_ea += p_n * eb;
			e_k += p_n;
			if (e_ln + p_n == v->C) {
				e_ln = 0;
				e_w++;
			} else {
				e_ln += p_n;
			}
			if (e_last_col) {
				e_k = 0;
				e_r++;
				e_ra += rowb;
				e_ea = e_ra;
				e_ln = 0;
				e_w = e_w0 + 1;
			}
			if (e_beat_end)
				wv = 1;
			if (e_last)
				w_done = 1;
		}
		while (cap_h != cap_t && capt[cap_h % (VQ_WORDS + 4)] <= c + 1) {
			cap_h++;
			cap_w++;
			act = 1;
		}
		if (!act)
			c = vec_idle_until(x, cr, c, r_hold || rq_h == rq_t ? -1 : rq_rdy[rq_h % VMEM_Q],
					   b_hold || bq_h == bq_t ? -1 : bq[bq_h % VMEM_Q],
					   cap_h == cap_t ? -1 : capt[cap_h % (VQ_WORDS + 4)]) - 1;
	}
	return c;
}

static int axi_pool_win_fits(const struct arch_layer *l);

/* A pool's or an add's request geometry (its inputs' offsets left to the caller): g input
 * words per output word (the window's taps, or the add's two), m output pixels of ch
 * channels in nw words of pe_cols; the walk's mode as sim_prog.c's build_vector picks it
 * (matrix: the host's window matrix). */
static void vgeo_init(struct vgeo *v, const struct arch_layer *l, const struct hw_config *hw,
		      int matrix)
{
	const int pool = l->kind == ARCH_POOL;

	v->l = l;
	v->g = pool ? (int64_t)l->r * l->s : 2;
	v->P = pool ? arch_out_h(l) : l->h;
	v->Q = pool ? arch_out_w(l) : l->w;
	v->m = l->n * v->P * v->Q;
	v->ch = l->c;
	v->C = hw->pe_cols;
	v->nw = hn_cdiv(l->c, v->C);
	v->mode = !pool ? 3 : !matrix && axi_pool_win_fits(l) ? 2 : 4;
}

/* A pool or an add through the AXI top: its program is one vector request (sim_prog.c's
 * build_vector; sim_axi.c places its inputs and output in one act region, 4 KiB aligned;
 * matrix: a pool's input as the host's window matrix, SIM_PROG_NO_WIN):
 * the request's 192-byte record (no compute record), then the request, then the top's done
 * two cycles later. */
static int64_t axi_vector_cycles(const struct axictx *x, const struct arch_layer *l,
				 const struct hw_config *hw, int matrix,
				 const struct cost_axi_place *pl)
{
	const int pool = l->kind == ARCH_POOL;
	const int64_t ab = x->d->ab, ch = l->c;
	struct axi_credit cr;
	struct vgeo v;
	struct rd r;
	int64_t nmem, st, fin, vout;

	vgeo_init(&v, l, hw, matrix);
	v.in0 = 0;
	v.in2 = v.m * ch;
	nmem = pool ? (v.mode == 2 ? l->n * l->h * l->w * ch : v.m * v.g * ch) + v.m * ch :
		      3 * v.m * ch;
	axi_credit_init(&cr, x);
	rd_start(&r, x, 0, AXI_NO_CF, &cr);
	rd_fetch(&r, 1, 1);
	if (r.ext_on)
		rd_ext(&r);
	rd_save(&r);
	st = r.fd_av;
	axi_credit_shift(&cr, -(st + 1));
	vout = (nmem - v.m * ch) * ab;
	if (pl) {
		/* element offsets from the region's base (its address mod 4 KiB kept) */
		const int64_t b = pl->vbase & (AXI_4K - 1);
		v.in0 = pl->vin0 + b / ab;
		v.in2 = pl->vin1 + b / ab;
		vout = (pl->vout + b / ab) * ab;
	}
	fin = vec_walk(x, &v, ab, vout, &cr, 0, NULL);
	/* S_FIN (the DMA's done) the cycle after fin, the top's done two cycles later */
	return st + 1 + fin + 1 + 2;
}

/* A pool whose input words walk its windows (sim_prog.c's win_geometry), else the host's
 * window matrix */
static int axi_pool_win_fits(const struct arch_layer *l)
{
	const int64_t big[] = { l->h, l->w, arch_out_h(l), arch_out_w(l), l->c };
	const int64_t small[] = { l->r, l->s, l->stride_h, l->stride_w, l->pad_h, l->pad_w };

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (big[i] < 1 || big[i] > 0xffff)
			return 0;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (small[i] < 0 || small[i] > 0xff)
			return 0;
	return 1;
}

/* A pool or an add inside a program after other layers (ch->on): its 192-byte record was
 * fetched beside the previous layer's last DMA command (ch->dnext); the request starts once
 * the DMA is free and the record is in. A compute record still to fetch goes alone before
 * it, the next layer's DMA record from the request's cycles 1 and 2 (ARs) beside it; both
 * only spend the credit the request's reads see (vec_walk steps the request's own bursts). */
static void axi_vector_chain(const struct axictx *x, const struct arch_layer *l,
			     const struct hw_config *hw, const struct cost_axi_place *pl,
			     struct axi_chain *ch)
{
	const int64_t ab = x->d->ab;
	struct vgeo v;
	int64_t st, fin, fd;

	vgeo_init(&v, l, hw, 0);
	v.in0 = pl->vin0 + (pl->vbase & (AXI_4K - 1)) / ab;
	v.in2 = pl->vin1 + (pl->vbase & (AXI_4K - 1)) / ab;
	st = hn_max64(ch->dma, ch->dnext);
	if (ch->cf_pend && ch->cfx <= st) {
		ch->cnext = axi_cf_alone(x, &ch->cr, ch->cfx, 1);
		ch->cf_pend = 0;
	}
	axi_credit_shift(&ch->cr, -(st + 1));
	fd = AXI_NO_CF;
	fin = vec_walk(x, &v, ab, (pl->vout + (pl->vbase & (AXI_4K - 1)) / ab) * ab, &ch->cr,
		       ch->next, &fd);
	if (ch->next)
		ch->dnext = st + 1 + fd;
	axi_credit_shift(&ch->cr, st + 1);
	if (ch->cf_pend) {
		ch->cnext = axi_cf_alone(x, &ch->cr, ch->cfx, 1);
		ch->cf_pend = 0;
	}
	/* S_FIN the cycle after fin */
	ch->dma = st + 1 + fin + 1;
	ch->end = hn_max64(ch->dma, ch->cmp);
}

/* the first DMA record of a layer: 192 bytes for a window walk or a vector request */
static int axi_first_fetch(const struct arch_layer *l, const struct cost_report *r)
{
	if (r->gemm.g == 0)
		return 2;
	return axi_win_fits(l) ? 2 : 1;
}

int cost_net_axi(const struct cost_axi_step *steps, int n, const struct hw_config *hw,
		 const struct cost_axi *a, const struct hw_energy *e, int64_t *end,
		 int64_t *total, struct hn_err *err)
{
	struct axi_chain ch;
	struct cost_report r, rn;
	int32_t nb[3];
	struct dmactx dc;
	struct axictx ax;
	int ret;

	*total = 0;
	if (!a || a->dw <= 0 || a->im2col)
		return hn_fail(err, HN_EINVAL, "the whole-program AXI model needs 'axi_dw' set and "
			       "windows walked (im2col 0)");
	if ((ret = cost_axi_check(a, err)))
		return ret;
	memset(&ch, 0, sizeof(ch));
	cost_dma_words_per_line(hw, nb);
	dmactx_init(&dc, hw, nb);
	for (int s = 0; s < n; s++) {
		const struct arch_layer *l = steps[s].l;
		const struct cost_axi_place *pl = &steps[s].place;
		if ((ret = cost_layer(l, hw, steps[s].m, e, &r)))
			return hn_fail(err, ret, "steps[%d] '%s': no cost", s, l->name);
		if (!r.feasible)
			return hn_fail(err, HN_EINVAL, "steps[%d] '%s': its tiling does not fit", s,
				       l->name);
		ch.next = 0;
		ch.cmore = 0;
		for (int k = s + 1; k < n; k++)
			if (steps[k].l->kind != ARCH_POOL && steps[k].l->kind != ARCH_ADD)
				ch.cmore = 1;
		if (s + 1 < n) {
			if ((ret = cost_layer(steps[s + 1].l, hw, steps[s + 1].m, e, &rn)))
				return hn_fail(err, ret, "steps[%d] '%s': no cost", s + 1,
					       steps[s + 1].l->name);
			ch.next = axi_first_fetch(steps[s + 1].l, &rn);
		}
		axictx_init(&ax, a, &dc);
		ax.pa = pl->a;
		ax.pb = pl->b;
		ax.pc = pl->c;
		ax.pp = pl->p;
		ax.pq = pl->q;
		if (r.gemm.g == 0 && !ch.on) {
			/* the program's first layer is a pool or an add: its record fetched on an
			 * idle bus, the compute fetcher's first record (a later layer's) asked
			 * for in cycle 3 */
			struct rd rr;
			axi_credit_init(&ch.cr, &ax);
			rd_start(&rr, &ax, 0, AXI_NO_CF, &ch.cr);
			rd_fetch(&rr, 1, 1);
			if (rr.ext_on)
				rd_ext(&rr);
			rd_save(&rr);
			ch.on = 1;
			ch.dnext = rr.fd_av;
			ch.cf_pend = ch.cmore;
			ch.cfx = 3;
			axi_vector_chain(&ax, l, hw, pl, &ch);
		} else if (r.gemm.g == 0) {
			axi_vector_chain(&ax, l, hw, pl, &ch);
		} else {
			ax.nhwc = l->kind == ARCH_CONV;
			ax.l = l;
			ax.win = axi_win_fits(l);
			cost_steps_chain_axi(&r.gemm, hw, steps[s].m, &dc, &ax, &ch);
		}
		if (end)
			end[s] = ch.end;
	}
	*total = ch.end + 2;
	return 0;
}

int cost_axi_check(const struct cost_axi *a, struct hn_err *err)
{
	if (a->dw != 64 && a->dw != 128 && a->dw != 256)
		return hn_fail(err, HN_EINVAL, "'axi_dw' must be 64, 128 or 256 bits, got %d", a->dw);
	if (a->maxb < 1 || a->maxb > 256 || a->maxb * (a->dw / 8) < AXI_REC_BYTES)
		return hn_fail(err, HN_EINVAL, "'axi_maxb' must be 1..256 beats and hold a 32-byte "
			       "record (%d at %d bits), got %d", AXI_REC_BYTES / (a->dw / 8), a->dw,
			       a->maxb);
	if (a->maxout < 1 || a->maxout > AXI_MAXOUT_MAX)
		return hn_fail(err, HN_EINVAL, "'axi_maxout' must be 1..%d, got %d", AXI_MAXOUT_MAX,
			       a->maxout);
	return 0;
}

int cost_layer_axi(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *m, const struct cost_axi *a, const struct hw_energy *e,
		   struct cost_report *out)
{
	return cost_layer_axi_at(l, hw, m, a, NULL, e, out);
}

int cost_layer_axi_at(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *m, const struct cost_axi *a,
		      const struct cost_axi_place *place, const struct hw_energy *e,
		      struct cost_report *out)
{
	int ret = cost_layer(l, hw, m, e, out);
	int32_t nb[3];
	struct dmactx dc;
	struct axictx ax;
	int64_t cyc;

	if (ret || !a || a->dw <= 0 || !out->feasible)
		return ret;
	cost_dma_words_per_line(hw, nb);
	dmactx_init(&dc, hw, nb);
	axictx_init(&ax, a, &dc);
	if (out->gemm.g == 0) {
		cyc = axi_vector_cycles(&ax, l, hw, a->im2col, place);
		goto out_set;
	}
	ax.nhwc = l->kind == ARCH_CONV;
	ax.l = l;
	if (place) {
		ax.pa = place->a;
		ax.pb = place->b;
		ax.pc = place->c;
		ax.pp = place->p;
		ax.pq = place->q;
	}
	ax.win = !a->im2col && axi_win_fits(l);
	cyc = cost_steps_cycles_axi(&out->gemm, hw, m, &dc, &ax, 1);
out_set:
	out->energy_pj[COST_E_STATIC] *= (double)cyc / (double)out->cycles;
	out->energy_total_pj = out->energy_pj[0] + out->energy_pj[1] + out->energy_pj[2] +
			       out->energy_pj[3];
	out->cycles = cyc;
	out->stall_cycles = cyc - out->compute_cycles;
	out->attained_gops = 2.0 * (double)out->macs * hw->freq_mhz / 1000.0 / (double)cyc;
	out->utilization = (double)out->macs / ((double)hw->pe_rows * hw->pe_cols * (double)cyc);
	out->memory_bound = out->stall_cycles > out->compute_cycles;
	return 0;
}
