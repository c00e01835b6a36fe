/* cost_steps.c: the exact latency of a double-buffered layer (docs/model.md "Latency").
 *
 * The RTL runs the tile program of docs/rtl.md "Tile program": one DMA queue and one compute
 * queue, each in order, a command starting when its unit is free and the command it waits
 * for has ended. That is a max-plus system, and its makespan is what this file computes,
 * step by step in loop order, without building the program:
 *
 *   - at a step that begins a visit to a C tile, the previous visit's store becomes pending;
 *     pending stores are issued, oldest first, while d of them wait (d = 2 double-buffered:
 *     the store of visit v goes just before the loads of the step that begins visit v + 2);
 *   - the step's loads (A if (g, m, k) changed, B if (g, k, n) changed, C's partial sums at
 *     a visit with k > 0) each start at max(DMA free, end of the last compute that read the
 *     half they fill), halves alternating;
 *   - the compute starts at max(array free, end of its A, B and partial-sum loads, and, at a
 *     visit's first step, end of the store that last drained its obuf half);
 *   - at the end the pending stores are issued; the latency is when both units are done.
 *
 * Loop iterations 1 .. T-2 of a loop level are the same max-plus map F (same tile sizes,
 * same loads). A max-plus map commutes with adding a constant to every time, so when the
 * state after iteration i equals the state after iteration i - 2 plus c in every time (and
 * in nothing else), every further pair of identical iterations adds c again: the walk jumps
 * over them exactly. Times no future command can see (older than both units' current end)
 * are first raised to that end, which changes no later start time and lets the comparison
 * succeed. A layer is then a few dozen steps, whatever its size. Pure: no allocation. */
#include "cost_int.h"

#include <string.h>

enum { CLS_FIRST = 1, CLS_LAST = 2, LV_G = 0, NLV = 4, DIM_G = 3 };

/* AXI: a command waits for its record (1, the AXI top). 0 is a what-if, never the top's
 * timing: every record in when its command could start (the fetch bursts still spend the
 * bus), the bound on what any record prefetch could gain (docs/model.md "Through the AXI
 * top", What-ifs). */
#ifndef COST_AXI_RECORD_WAIT
#define COST_AXI_RECORD_WAIT 1
#endif

struct pend {
	int64_t ready, dur;
	int half, kind, ci, cj;    /* AXI: the request (RQ_SP, RQ_SF), its classes, its tile */
	int64_t ix[4];
};

/* The walk's state: everything a later command's start time depends on. */
struct stt {
	int64_t dma, cmp;         /* when each unit is free */
	int64_t used[3][2];       /* end of the last compute that read half h of A, B, C */
	int64_t cur[3];           /* end of the load of the current A, B tile, C partial sums */
	int64_t stored[2];        /* end of the last store out of obuf half h */
	struct pend pend[3];      /* stores waiting to be issued, oldest first */
	int64_t dnext, cnext;     /* AXI: when the next DMA / compute record is in (0 direct) */
	int64_t cfx;              /* AXI: the pending compute record fetch's AR from cfx */
	struct axi_credit cr;     /* AXI: the memory's bandwidth credit */
	int cf_pend;
	int64_t st_dur;           /* the current visit's store time (-1: no visit yet) */
	int st_kind, st_i, st_j;  /* ... its request, classes and tile (AXI) */
	int64_t st_ix[4];
	int npend, half[3];
};

/* What does not change during the walk. */
struct walk {
	int64_t trips[NLV];
	int dim[NLV];             /* the dimension each level walks (DIM_G for groups) */
	int lev[3];               /* the level of m, n, k */
	int d, fast;
	int anew[NLV], bnew[NLV], cbeg[NLV]; /* by the level whose index changed */
	int cls[NLV];             /* CLS_* of each level's current iteration */
	/* request and compute times by tile-size class (0 full, 1 last tile) */
	int64_t ta[2][2], tb[2][2], tcl[2][2], tsf[2][2], tsp[2][2], tc[2][2][2];
	int axi;                  /* the AXI top's timing (cost_axi.c) */
	int chain_next;           /* AXI: a layer follows (axi_chain's next) */
	int chain_cmore;          /* AXI: ... with compute records (axi_chain's cmore) */

	const struct axictx *ax;
	const struct arch_gemm *g;
	int64_t idx[NLV];         /* AXI: each level's current iteration */
	int64_t sz[3][2], ab, wb, cb;
};

enum { RQ_A, RQ_B, RQ_CL, RQ_SP, RQ_SF, RQ_SF0 };

/* AXI: a request of kind k, classes (i, j) as the tables, of tile ix (group, m, n, k
 * indices), at its byte address in the layout of sim_axi_place (docs/model.md "Through the
 * AXI top"), with the pending compute record fetch at request-relative cycle xc; *av its
 * record's arrival (AXI_NO_CF: not issued during the request). */
static int64_t axi_req(const struct walk *w, int k, int i, int j, const int64_t ix[4],
		       int fk, int64_t xc, int64_t *av, struct axi_credit *cr, int64_t *fd)
{
	const struct axictx *ax = w->ax;
	const struct arch_gemm *g = w->g;
	const int64_t m0 = ix[1] * w->sz[MAP_DIM_M][0], n0 = ix[2] * w->sz[MAP_DIM_N][0];
	const int64_t k0 = ix[3] * w->sz[MAP_DIM_K][0], gi = ix[0];
	const int64_t sm = w->sz[MAP_DIM_M][i], sn = w->sz[MAP_DIM_N][j];
	const int64_t mn = gi * g->m * g->n + m0 * g->n + n0;

	*av = AXI_NO_CF;
	switch (k) {
	case RQ_A:
		if (ax->win)
			return axi_win_cycles(ax, fk, gi, m0, sm, k0, w->sz[MAP_DIM_K][j], xc, av,
					      cr, fd);
		return axi_load_cycles(ax, fk, COST_REQ_A, sm, w->sz[MAP_DIM_K][j], w->ab,
				       ax->pa + (gi * g->m * g->k + m0 * g->k + k0) * w->ab,
				       g->k * w->ab,
				       xc, av, cr, fd);
	case RQ_B:
		return axi_load_cycles(ax, fk, COST_REQ_B, w->sz[MAP_DIM_K][i], sn, w->wb,
				       ax->pb + (gi * g->k * g->n + k0 * g->n + n0) * w->wb,
				       g->n * w->wb,
				       xc, av, cr, fd);
	case RQ_CL:
		return axi_load_cycles(ax, fk, COST_REQ_C_LOAD, sm, sn, w->cb, ax->pp + mn * w->cb,
				       g->n * w->cb, xc, av, cr, fd);
	case RQ_SP:
		return axi_store_cycles(ax, fk, sm, sn, ax->pp + mn * w->cb, g->n * w->cb, xc, av,
					cr, fd);
	default:
		/* final outputs: NHWC for a conv (its groups side by side in a row) */
		return axi_final_cycles(ax, k == RQ_SF ? fk : 0, sm, sn, ax->pc + (ax->nhwc ?
					m0 * g->g * g->n + gi * g->n + n0 : mn) * w->ab,
					(ax->nhwc ? g->g * g->n : g->n) * w->ab,
					ax->pq + (gi * g->n + n0) * AXI_PARAM_RECORD, xc, av, cr, fd);
	}
}

static inline int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* A DMA command ready at t (its dependencies) taking dur: starts when the DMA and (AXI) its
 * record are there. */
static void dma_run(const struct walk *w, struct stt *s, int64_t t, int64_t dur, int k, int i,
		    int j, const int64_t ix[4], int fk)
{
	int64_t st = max64(max64(s->dma, t), COST_AXI_RECORD_WAIT ? s->dnext : 0);

	if (w->axi) {
		int64_t fd;
		int64_t av;
		/* a compute record fetched before this request started went alone */
		if (s->cf_pend && s->cfx <= st) {
			s->cnext = axi_cf_alone(w->ax, &s->cr, s->cfx, 1);
			s->cf_pend = 0;
		}
		/* the memory's credit and read channel, in the request's cycles and back */
		axi_credit_shift(&s->cr, -(st + 1));
		dur = axi_req(w, k, i, j, ix, fk, s->cf_pend ? s->cfx - (st + 1) : AXI_NO_CF, &av,
			      &s->cr, &fd);
		axi_credit_shift(&s->cr, st + 1);
		if (fd != AXI_NO_CF)
			s->dnext = st + 1 + fd;
		if (av != AXI_NO_CF) {
			s->cnext = st + 1 + av;
			s->cf_pend = 0;
		}
	}
	s->dma = st + dur;
}

/* k >= 0: the request's kind instead of the pending one's (AXI: the layer's last store) */
static void issue_store(const struct walk *w, struct stt *s, int k, int fk)
{
	struct pend p = s->pend[0];

	dma_run(w, s, p.ready, p.dur, k >= 0 ? k : p.kind, p.ci, p.cj, p.ix, fk);
	s->stored[p.half] = s->dma;
	s->npend--;
	memmove(&s->pend[0], &s->pend[1], (size_t)s->npend * sizeof(s->pend[0]));
}

/* AXI: the record fetched beside the last DMA command of this step: 2 when the next step's
 * first DMA command is a window A load (a 192-byte record), else 1 (s: after this step). */
static int next_fetch(const struct walk *w, const struct stt *s)
{
	int lv = NLV - 1, chg;

	while (lv >= 0 && w->idx[lv] >= w->trips[lv] - 1)
		lv--;
	if (lv < 0)
		return 1;          /* the last step: the stores follow */
	chg = lv;
	if (w->cbeg[chg] && s->npend + 1 >= w->d)
		return 1;          /* a store goes first */
	return w->anew[chg] && w->ax->win ? 2 : 1;
}

static void step(const struct walk *w, struct stt *s, int chg)
{
	const int im = !!(w->cls[w->lev[MAP_DIM_M]] & CLS_LAST);
	const int in = !!(w->cls[w->lev[MAP_DIM_N]] & CLS_LAST);
	const int kc = w->cls[w->lev[MAP_DIM_K]];
	const int ik = !!(kc & CLS_LAST);
	const int flip = w->d == 2;
	const int64_t ix[4] = { w->idx[LV_G], w->idx[w->lev[MAP_DIM_M]],
				w->idx[w->lev[MAP_DIM_N]], w->idx[w->lev[MAP_DIM_K]] };
	int64_t wait = s->cmp;

	if (w->cbeg[chg]) {
		if (s->st_dur >= 0)
			s->pend[s->npend++] = (struct pend){ s->cmp, s->st_dur, s->half[2],
							     s->st_kind, s->st_i, s->st_j,
							     { s->st_ix[0], s->st_ix[1],
							       s->st_ix[2], s->st_ix[3] } };
		while (s->npend >= w->d) {
			/* the next command: another store, this step's A, B, C load or the
			 * next step's first */
			int fk = 1;
			if (w->axi && s->npend == w->d && !w->anew[chg] && !w->bnew[chg] &&
			    ((kc & CLS_FIRST) || !w->cbeg[chg]))
				fk = next_fetch(w, s) ;
			else if (w->axi && s->npend == w->d && w->anew[chg] && w->ax->win)
				fk = 2;
			issue_store(w, s, -1, fk);
		}
	}
	const int has_b = w->bnew[chg], has_cl = w->cbeg[chg] && !(kc & CLS_FIRST);
	if (w->anew[chg]) {
		int h = s->half[0] ^ flip;
		dma_run(w, s, s->used[0][h], w->ta[im][ik], RQ_A, im, ik, ix,
			has_b || has_cl || !w->axi ? 1 : next_fetch(w, s));
		s->cur[0] = s->dma;
		s->half[0] = h;
	}
	if (w->bnew[chg]) {
		int h = s->half[1] ^ flip;
		dma_run(w, s, s->used[1][h], w->tb[ik][in], RQ_B, ik, in, ix,
			has_cl || !w->axi ? 1 : next_fetch(w, s));
		s->cur[1] = s->dma;
		s->half[1] = h;
	}
	if (w->cbeg[chg]) {
		int h = s->half[2] ^ flip;
		s->half[2] = h;
		if (!(kc & CLS_FIRST)) {
			dma_run(w, s, s->used[2][h], w->tcl[im][in], RQ_CL, im, in, ix,
				w->axi ? next_fetch(w, s) : 1);
			s->cur[2] = s->dma;
		}
		wait = max64(wait, s->stored[h]);
	}
	wait = max64(wait, max64(s->cur[0], max64(s->cur[1], s->cur[2])));
	if (COST_AXI_RECORD_WAIT)
		wait = max64(wait, s->cnext);
	if (w->axi) {
		/* the next compute record: fetched from two cycles after this one starts (none
		 * after the layer's last compute) */
		int last = 1;
		for (int lv = 0; lv < NLV; lv++)
			last &= !!(w->cls[lv] & CLS_LAST);
		s->cfx = wait + 2;
		s->cnext = axi_cf_alone(w->ax, &s->cr, s->cfx, 0);
		s->cf_pend = !last || w->chain_cmore;
	}
	s->cmp = wait + w->tc[im][in][ik];

	s->used[0][s->half[0]] = s->cmp;
	s->used[1][s->half[1]] = s->cmp;
	s->used[2][s->half[2]] = s->cmp;
	s->st_dur = (kc & CLS_LAST) ? w->tsf[im][in] : w->tsp[im][in];
	s->st_kind = (kc & CLS_LAST) ? RQ_SF : RQ_SP;
	s->st_i = im;
	s->st_j = in;
	memcpy(s->st_ix, ix, sizeof(s->st_ix));
}

/* Raises times no later command can see to the current end of the unit that reads them. */
static void settle(struct stt *s)
{
	for (int t = 0; t < 3; t++) {
		s->used[t][0] = max64(s->used[t][0], s->dma);
		s->used[t][1] = max64(s->used[t][1], s->dma);
		s->cur[t] = max64(s->cur[t], s->cmp);
	}
	s->stored[0] = max64(s->stored[0], s->cmp);
	s->stored[1] = max64(s->stored[1], s->cmp);
	for (int i = 0; i < s->npend; i++)
		s->pend[i].ready = max64(s->pend[i].ready, s->dma);
	s->dnext = max64(s->dnext, s->dma);
	s->cnext = max64(s->cnext, s->cmp);
}

/* 1 when b = a + c in every time (c = b.cmp - a.cmp) and equal in everything else. Both
 * settled. */
static int same_shifted(const struct stt *a, const struct stt *b)
{
	const int64_t c = b->cmp - a->cmp;

	if (b->dma - a->dma != c || b->npend != a->npend || b->st_dur != a->st_dur ||
	    b->st_kind != a->st_kind || b->st_i != a->st_i || b->st_j != a->st_j ||
	    b->cf_pend != a->cf_pend || (b->cf_pend && b->cfx - a->cfx != c))
		return 0;
	for (int t = 0; t < 3; t++)
		if (b->half[t] != a->half[t] || b->cur[t] - a->cur[t] != c ||
		    b->used[t][0] - a->used[t][0] != c || b->used[t][1] - a->used[t][1] != c)
			return 0;
	if (b->stored[0] - a->stored[0] != c || b->stored[1] - a->stored[1] != c ||
	    b->dnext - a->dnext != c || b->cnext - a->cnext != c)
		return 0;
	for (int i = 0; i < b->npend; i++)
		if (b->pend[i].ready - a->pend[i].ready != c || b->pend[i].dur != a->pend[i].dur ||
		    b->pend[i].half != a->pend[i].half || b->pend[i].kind != a->pend[i].kind ||
		    b->pend[i].ci != a->pend[i].ci || b->pend[i].cj != a->pend[i].cj)
			return 0;
	return 1;
}

static void shift(struct stt *s, int64_t c)
{
	s->dma += c;
	s->cmp += c;
	for (int t = 0; t < 3; t++) {
		s->used[t][0] += c;
		s->used[t][1] += c;
		s->cur[t] += c;
	}
	s->stored[0] += c;
	s->stored[1] += c;
	s->dnext += c;
	s->cnext += c;
	s->cfx += c;
	for (int i = 0; i < s->npend; i++)
		s->pend[i].ready += c;
}

static void walk_level(struct walk *w, struct stt *s, int lv, int chg)
{
	const int64_t T = w->trips[lv];
	struct stt snap[2];

	for (int64_t i = 0; i < T; i++) {
		w->cls[lv] = (i == 0 ? CLS_FIRST : 0) | (i == T - 1 ? CLS_LAST : 0);
		w->idx[lv] = i;
		if (lv == NLV - 1)
			step(w, s, i == 0 ? chg : lv);
		else
			walk_level(w, s, lv + 1, i == 0 ? chg : lv);
		/* iterations 1 .. T-2 are one map F: once iterations i - 1 and i were both F
		 * (i >= 2) and the state after i is the state after i - 2 shifted, jump over the
		 * remaining pairs of F; snap[] holds the settled states of the last two */
		if (!w->fast || T < 6 || i > T - 4)
			continue;
		settle(s);
		if (i >= 2 && same_shifted(&snap[i & 1], s)) {
			int64_t pairs = (T - 2 - i) / 2;
			shift(s, pairs * (s->cmp - snap[i & 1].cmp));
			i += 2 * pairs;
			continue;
		}
		snap[i & 1] = *s;
	}
}

static int64_t walk_cycles(const struct arch_gemm *g, const struct hw_config *hw,
			   const struct map_tiling *m, const struct dmactx *dc,
			   const struct axictx *ax, int fast, struct axi_chain *chn)
{
	const int64_t ext[3] = { g->m, g->n, g->k };
	const int64_t tile[3] = { hn_min64(m->tm, g->m), hn_min64(m->tn, g->n),
				  hn_min64(m->tk, g->k) };
	const int64_t ab = hw_act_bytes(hw), wb = hw_weight_bytes(hw), cb = hw_acc_bytes(hw);
	int64_t sz[3][2];
	struct walk w;
	struct stt s;

	memset(&w, 0, sizeof(w));
	w.d = hw->double_buffer ? 2 : 1;
	w.fast = fast;
	w.trips[LV_G] = g->g;
	w.dim[LV_G] = DIM_G;
	for (int i = 0; i < 3; i++) {
		int dd = map_order_dims[m->order][i];
		w.dim[i + 1] = dd;
		w.lev[dd] = i + 1;
		w.trips[i + 1] = hn_cdiv(ext[dd], tile[dd]);
		sz[dd][0] = tile[dd];
		sz[dd][1] = ext[dd] - (w.trips[i + 1] - 1) * tile[dd];
	}
	/* what changes when level c's index moves (the levels below it restart at 0) */
	for (int c = 0; c < NLV; c++) {
		int ch[4] = { 0, 0, 0, 0 };
		ch[w.dim[c]] = 1;
		for (int b = c + 1; b < NLV; b++)
			if (w.trips[b] > 1)
				ch[w.dim[b]] = 1;
		w.anew[c] = ch[DIM_G] || ch[MAP_DIM_M] || ch[MAP_DIM_K];
		w.bnew[c] = ch[DIM_G] || ch[MAP_DIM_K] || ch[MAP_DIM_N];
		w.cbeg[c] = ch[DIM_G] || ch[MAP_DIM_M] || ch[MAP_DIM_N];
	}
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			const int64_t sm = sz[MAP_DIM_M][i], sn = sz[MAP_DIM_N][j], lines =
				req_lines(dc, COST_REQ_C_STORE, sm, sz[MAP_DIM_N][j]);
			w.ta[i][j] = req_cycles(dc, COST_REQ_A, sm, sz[MAP_DIM_K][j], ab);
			w.tb[i][j] = req_cycles(dc, COST_REQ_B, sz[MAP_DIM_K][i], sn, wb);
			w.tcl[i][j] = req_time(dc, sm * sn * cb, lines + 1);
			w.tsp[i][j] = req_time(dc, sm * sn * cb, lines + 2);
			w.tsf[i][j] = final_store_cycles(dc, sm, sn, ab, NULL);
			for (int q = 0; q < 2; q++) {
				int64_t f;
				w.tc[i][j][q] = step_cycles(hw->dataflow, dc->R, dc->C, sm, sn,
							    sz[MAP_DIM_K][q], &f);
			}
		}
	}

	memset(&s, 0, sizeof(s));
	s.st_dur = -1;
	if (w.d == 2)
		s.half[0] = s.half[1] = s.half[2] = 1;
	if (ax) {
		/* every tile's requests at their own addresses: no two iterations are the same
		 * map, so no jumps */
		w.fast = 0;
		w.ax = ax;
		w.g = g;
		memcpy(w.sz, sz, sizeof(sz));
		w.ab = ab;
		w.wb = wb;
		w.cb = cb;
		/* the first records: the DMA record's two bursts, then the compute record's,
		 * their ARs from cycle 1 of the run */
		w.axi = 1;
		w.chain_next = chn ? chn->next : 0;
		w.chain_cmore = chn ? chn->cmore : 0;
		if (chn && chn->on) {
			/* after the layer before: its units' ends, this layer's first records
			 * (fetched beside its last commands), the bus */
			s.dma = chn->dma;
			s.cmp = chn->cmp;
			s.dnext = chn->dnext;
			s.cnext = chn->cnext;
			s.cfx = chn->cfx;
			s.cf_pend = chn->cf_pend;
			s.cr = chn->cr;
			for (int t = 0; t < 3; t++)
				s.used[t][0] = s.used[t][1] = s.cur[t] = s.cmp;
			s.stored[0] = s.stored[1] = s.cmp;
		} else {
			axi_credit_init(&s.cr, ax);
			axi_first_records(ax, &s.cr, &s.dnext, &s.cnext);
		}
	}
	walk_level(&w, &s, LV_G, LV_G);
	if (s.st_dur >= 0)
		s.pend[s.npend++] = (struct pend){ s.cmp, s.st_dur, s.half[2], s.st_kind, s.st_i,
						   s.st_j, { s.st_ix[0], s.st_ix[1], s.st_ix[2],
							     s.st_ix[3] } };
	while (s.npend > 0) {
		/* the layer's last DMA command fetches no record beside it (in a program, the
		 * next layer's first) */
		if (w.axi && s.npend == 1 && w.chain_next)
			issue_store(&w, &s, RQ_SF, w.chain_next);
		else
			issue_store(&w, &s, w.axi && s.npend == 1 ? RQ_SF0 : -1, 1);
	}
	if (chn) {
		chn->on = 1;
		chn->dma = s.dma;
		chn->cmp = s.cmp;
		chn->dnext = s.dnext;
		chn->cnext = s.cnext;
		chn->cfx = s.cfx;
		chn->cf_pend = s.cf_pend;
		chn->cr = s.cr;
		chn->end = max64(s.dma, s.cmp);
	}
	/* AXI: the top's done and its cycle counter two cycles after the last command */
	return max64(s.dma, s.cmp) + (w.axi ? 2 : 0);
}

int64_t cost_steps_cycles(const struct arch_gemm *g, const struct hw_config *hw,
			  const struct map_tiling *m, const struct dmactx *dc, int fast)
{
	return walk_cycles(g, hw, m, dc, NULL, fast, NULL);
}

int64_t cost_steps_cycles_axi(const struct arch_gemm *g, const struct hw_config *hw,
			      const struct map_tiling *m, const struct dmactx *dc,
			      const struct axictx *ax, int fast)
{
	return walk_cycles(g, hw, m, dc, ax, fast, NULL);
}

int64_t cost_steps_chain_axi(const struct arch_gemm *g, const struct hw_config *hw,
			     const struct map_tiling *m, const struct dmactx *dc,
			     const struct axictx *ax, struct axi_chain *ch)
{
	return walk_cycles(g, hw, m, dc, ax, 0, ch);
}
