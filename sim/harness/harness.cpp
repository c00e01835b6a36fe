// harness.cpp: the Verilator harness, a separate executable (the only C++ in hwnas).
//
//   harness PROGRAM RESULTS DUMP [--vcd FILE]
//
// Reads a tile program and a memory image (format in sim/sim.h and docs/rtl.md), feeds the
// program's two command queues to hwnas_top, plays the external memory, and writes RESULTS
// (text: "key value" lines) and DUMP (the requested memory regions, int64 little endian).
// The RTL parameters arrive twice, as Verilator -G overrides and as the HW_* defines below,
// both from the same build command in sim/sim_build.c.
//
// The memory model: a request of b bytes that starts in cycle s ends in cycle
// s + t(b) - 1 with t(b) = latency + ceil(b / bw) (docs/model.md). Load beats (one buffer line
// each) are delivered from cycle s + 1, one per cycle; store beats are taken as the DMA sends
// them (two cycles after the DMA reads each obuf line). When a request has more beats than
// about t(b) - 1 the bus, not DRAM, sets its end; those
// extra cycles are counted as dma_bus_extra.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "program.h"
#include "verilated.h"
#include "Vhwnas_top.h"
#ifdef HW_TRACE
#include "verilated_vcd_c.h"
#endif

#ifndef HW_ROWS
#error "build with -DHW_ROWS=... (see sim/sim_build.c)"
#endif

static const int ROWS = HW_ROWS, COLS = HW_COLS, DF = HW_DF;
static const int A_BITS = HW_A_BITS, W_BITS = HW_W_BITS, ACC_BITS = HW_ACC_BITS;
static const int INB = HW_INB, WNB = HW_WNB, ONB = HW_ONB;
static const int ILANES = (DF == 2) ? COLS : ROWS;
static const int WLANES = (DF == 2) ? ROWS : COLS;
static const int QRB = ACC_BITS + 40;   // a channel's parameter record on the qline bus


// A little-endian bit vector, copied into a Verilator port of any width.
struct Bits {
	std::vector<uint32_t> w;
	explicit Bits(int nbits) : w((nbits + 31) / 32 + 2, 0) {}
	void clear() { std::fill(w.begin(), w.end(), 0); }
	// ORs the low `width` bits of v in at bit lsb (width <= 64: at most three words; the
	// vector has two words of slack). Word operations: a loop over bits was a third of the
	// harness's time (issue 19).
	void put(int lsb, int width, int64_t v)
	{
		uint64_t x = (uint64_t)v & (width >= 64 ? ~0ull : (1ull << width) - 1);
		int i = lsb / 32, sh = lsb % 32;
		w[i] |= (uint32_t)(x << sh);
		if (sh + width > 32)
			w[i + 1] |= (uint32_t)(x >> (32 - sh));
		if (sh + width > 64)
			w[i + 2] |= (uint32_t)(x >> (64 - sh));
	}
	static int64_t sext(uint64_t v, int width)
	{
		if (width < 64 && (v >> (width - 1)) & 1)
			v |= ~0ull << width;
		return (int64_t)v;
	}
};

template <class T> static void to_port(T &p, const Bits &b)
{
	p = (T)((uint64_t)b.w[0] | (uint64_t)b.w[1] << 32);
}
template <std::size_t N> static void to_port(VlWide<N> &p, const Bits &b)
{
	for (std::size_t i = 0; i < N; i++)
		p[i] = b.w[i];
}
template <class T> static int64_t lane_of(const T &p, int lsb, int width)
{
	return Bits::sext(((uint64_t)p >> lsb) & (width >= 64 ? ~0ull : ((1ull << width) - 1)), width);
}
template <std::size_t N> static int64_t lane_of(const VlWide<N> &p, int lsb, int width)
{
	std::size_t i = (std::size_t)lsb / 32;
	int sh = lsb % 32;
	uint64_t v = (uint64_t)p[i] >> sh;
	if (i + 1 < N)
		v |= (uint64_t)p[i + 1] << (32 - sh);
	if (sh + width > 64 && i + 2 < N)
		v |= (uint64_t)p[i + 2] << (64 - sh);
	return Bits::sext(v & (width >= 64 ? ~0ull : (1ull << width) - 1), width);
}

static int die(const char *results, const char *msg)
{
	FILE *f = fopen(results, "w");
	if (f) {
		fprintf(f, "status error\nmessage %s\n", msg);
		fclose(f);
	}
	fprintf(stderr, "harness: %s\n", msg);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: harness PROGRAM RESULTS DUMP [--vcd FILE]\n");
		return 2;
	}
	const char *prog_path = argv[1], *res_path = argv[2], *dump_path = argv[3];
	const char *vcd_path = (argc >= 6 && !strcmp(argv[4], "--vcd")) ? argv[5] : nullptr;

	struct Program prog;
	const struct RtlParams rp = { ROWS, COLS, DF, A_BITS, W_BITS, ACC_BITS, INB, WNB, ONB };
	std::vector<int64_t> mem;

	FILE *pf = fopen(prog_path, "r");
	if (!pf)
		return die(res_path, "cannot open the program file");
	const char *perr = parse_program(pf, rp, prog);
	fclose(pf);
	if (perr)
		return die(res_path, perr);
	const std::vector<DmaCmd> &dq = prog.dq;
	const std::vector<CmpCmd> &cq = prog.cq;
	const std::vector<Region> &dumps = prog.dumps;
	const double bw = prog.bw;
	const long latency = prog.latency, max_cycles = prog.max_cycles, nmem = prog.nmem;
	const char *memfile = prog.memfile.c_str();

	mem.assign((size_t)nmem, 0);
	FILE *mf = fopen(memfile, "rb");
	if (!mf || fread(mem.data(), sizeof(int64_t), (size_t)nmem, mf) != (size_t)nmem) {
		if (mf)
			fclose(mf);
		return die(res_path, "cannot read the memory image");
	}
	fclose(mf);

	VerilatedContext *ctx = new VerilatedContext;
	ctx->commandArgs(1, argv);
	Vhwnas_top *top = new Vhwnas_top{ctx};
#ifdef HW_TRACE
	VerilatedVcdC *tfp = nullptr;
	if (vcd_path) {
		ctx->traceEverOn(true);
		tfp = new VerilatedVcdC;
		top->trace(tfp, 99);
		tfp->open(vcd_path);
	}
#else
	if (vcd_path)
		return die(res_path, "this harness was built without --trace");
#endif
	long tick = 0;
	// the rising edge, once the falling half of the cycle is evaluated
	auto rise = [&]() {
#ifdef HW_TRACE
		if (tfp)
			tfp->dump((uint64_t)(2 * tick));
#endif
		top->clk = 1;
		top->eval();
#ifdef HW_TRACE
		if (tfp)
			tfp->dump((uint64_t)(2 * tick + 1));
#endif
		tick++;
	};
	auto step = [&]() {
		top->clk = 0;
		top->eval();
		rise();
	};

	top->rst = 1;
	top->dq_valid = 0;
	top->cq_valid = 0;
	top->mem_rvalid = 0;
	top->mem_done = 0;
	top->mem_qkeep = 0;   /* the parameters always come (hwnas_axi_mem keeps them) */
	for (int i = 0; i < 3; i++)
		step();
	top->rst = 0;

	const int ilb = ILANES * A_BITS, wlb = WLANES * W_BITS, olb = COLS * ACC_BITS;
	Bits ibits(INB * ilb), wbits(WNB * wlb), obits(ONB * olb), qbits(COLS * QRB);
	Bits vbits(COLS * A_BITS);

	// the active DMA request
	bool active = false;
	int r_op = 0, r_layout = 0, r_lanes = 1, r_ebits = 8, r_nb = 1;
	long r_base = 0, r_rows = 0, r_cols = 0, r_stride = 0, r_lines = 0, r_beats = 0;
	long r_start = 0, r_done = 0, r_words = 0;
	long bus_extra = 0, requests = 0, dram_bytes = 0;
	// each request's first and last cycle (for the segments)
	std::vector<long> req_first, req_last;
	// a final store through the output stage: parameter beats, then one word per beat
	bool r_fs = false;
	long r_qwords = 0, r_qbeats = 0, r_qbase = 0;
	// a vector request: vg input words per output word, m pixels of r_cols channels
	int r_vop = 0;
	long r_vg = 1, r_vm = 0, r_vcw = 1, r_vbase2 = 0, r_vout = 0, r_vin = 0;
	// the window walk (docs/rtl.md "Window addressing"): mode 1 a conv's A block (row m0 +
	// i is output pixel (b, y, x), column k0 + j is (r, s, c) of the filter, channel c of
	// group base), mode 2 a pool's input; out-of-range taps read the pad value
	long w_mode = 0, w_h = 1, w_w = 1, w_p = 1, w_q = 1, w_c = 1, w_cg = 1, w_s = 1;
	long w_sh = 1, w_sw = 1, w_dh = 1, w_dw = 1, w_ph = 0, w_pw = 0, w_pad = 0;
	long w_m0 = 0, w_k0 = 0;
	Bits winbits(288);

	size_t di = 0, ci = 0;
	long cyc = 0, first_busy = -1, last_busy = -1, arr_busy = 0, dma_busy = 0;
	const char *status = "ok";
	auto t0 = std::chrono::steady_clock::now();
	std::clock_t c0 = std::clock();

	// word w of the active block: the element address of lane 0 and the step between lanes,
	// and how many lanes lie inside the block (0 past it); one division per word, not per
	// element
	auto word_addr = [&](long w, long *a0, long *step) -> int {
		if (r_layout == 0) {
			long nwc = (r_cols + r_lanes - 1) / r_lanes;
			long r = w / nwc, c = (w % nwc) * r_lanes;
			if (r >= r_rows || c >= r_cols)
				return 0;
			*a0 = r_base + r * r_stride + c;
			*step = 1;
			return (int)(r_cols - c < r_lanes ? r_cols - c : r_lanes);
		}
		long q = w / r_cols, c = w % r_cols, r = q * r_lanes;
		if (r >= r_rows)
			return 0;
		*a0 = r_base + r * r_stride + c;
		*step = r_stride;
		return (int)(r_rows - r < r_lanes ? r_rows - r : r_lanes);
	};
	const long msize = (long)mem.size();
	// the tap of output pixel m under window position (wr, ws), channel c (of the group at
	// r_base): its value, or the pad value outside the input
	auto tap = [&](long m, long wr, long ws, long c) -> int64_t {
		long x = m % w_q, t = m / w_q, y = t % w_p, b = t / w_p;
		long iy = y * w_sh - w_ph + wr * w_dh, ix = x * w_sw - w_pw + ws * w_dw;
		if (iy < 0 || iy >= w_h || ix < 0 || ix >= w_w)
			return w_pad;
		long a = r_base + ((b * w_h + iy) * w_w + ix) * w_c + c;
		return a >= 0 && a < msize ? mem[(size_t)a] : 0;
	};
	// element (i, j) of a conv's A block: pixel m0 + i, filter tap k0 + j = (r, s, c)
	auto win_elem = [&](long i, long j) -> int64_t {
		long m = w_m0 + i, k = w_k0 + j, c = k % w_cg, t = k / w_cg;
		return tap(m, t / w_s, t % w_s, c);
	};

	for (;;) {
		if (di < dq.size()) {
			const DmaCmd &d = dq[di];
			top->dq_valid = 1;
			top->dq_op = d.op;
			top->dq_half = d.half;
			top->dq_base = (uint32_t)d.base;
			top->dq_rows = (uint32_t)d.rows;
			top->dq_cols = (uint32_t)d.cols;
			top->dq_stride = (uint32_t)d.stride;
			top->dq_layout = d.layout;
			top->dq_final = d.final_;
			top->dq_shift = d.shift;
			top->dq_words = (uint32_t)d.words;
			top->dq_wait = (uint32_t)d.wait;
			top->dq_qbase = (uint32_t)d.qbase;
			top->dq_zp = (uint32_t)d.zp;
			top->dq_lo = (uint32_t)d.lo;
			top->dq_hi = (uint32_t)d.hi;
			top->dq_obase = (uint32_t)d.obase;
			top->dq_ostride = (uint32_t)d.ostride;
			top->dq_ocols = (uint32_t)d.ocols;
			top->dq_qwords = (uint32_t)d.qwords;
			top->dq_vop = (uint32_t)d.vop;
			top->dq_vg = (uint32_t)d.vg;
			top->dq_vbase2 = (uint32_t)d.vbase2;
			top->dq_vout = (uint32_t)d.vout;
			top->dq_vzp1 = (uint32_t)d.vzp1;
			top->dq_vzp2 = (uint32_t)d.vzp2;
			top->dq_vm1 = (uint32_t)d.vm1;
			top->dq_vm2 = (uint32_t)d.vm2;
			top->dq_vmo = (uint32_t)d.vmo;
			top->dq_vsh = (uint32_t)d.vsh;
			winbits.clear();
			for (int i = 0; i < 9; i++)
				winbits.put(32 * i, 32, d.win[i]);
			to_port(top->dq_win, winbits);
		} else {
			top->dq_valid = 0;
		}
		if (ci < cq.size()) {
			const CmpCmd &c = cq[ci];
			top->cq_valid = 1;
			top->cq_ahalf = c.ah;
			top->cq_bhalf = c.bh;
			top->cq_chalf = c.ch;
			top->cq_init = c.init;
			top->cq_tm = (uint32_t)c.tm;
			top->cq_tn = (uint32_t)c.tn;
			top->cq_tk = (uint32_t)c.tk;
			top->cq_nout = (uint32_t)c.nout;
			top->cq_nin = (uint32_t)c.nin;
			top->cq_wait = (uint32_t)c.wait;
		} else {
			top->cq_valid = 0;
		}
		top->mem_rvalid = 0;
		top->mem_done = 0;
		if (active) {
			if (r_fs && cyc > r_start && r_qbeats < r_qwords) {
				// parameter word q: channels q x COLS + e of the block, records of
				// (bias, multiplier, shift) at qbase + 3 x channel
				qbits.clear();
				for (int e = 0; e < COLS; e++) {
					long ch = r_qbeats * COLS + e, a = r_qbase + 3 * ch;
					if (ch >= r_cols || a < 0 || a + 2 >= (long)mem.size())
						continue;
					qbits.put(e * QRB, ACC_BITS, mem[(size_t)a]);
					qbits.put(e * QRB + ACC_BITS, 32, mem[(size_t)a + 1]);
					qbits.put(e * QRB + ACC_BITS + 32, 8, mem[(size_t)a + 2]);
				}
				to_port(top->mem_qline, qbits);
				top->mem_rvalid = 1;
				r_qbeats++;
			}
			if (r_vop && cyc > r_start && r_vin < r_vg * r_vm * r_vcw) {
				// input word i: output word o = i / vg (pixel o / cw, channel word
				// o % cw), group position t = i % vg: a window row of the pooling
				// matrix (m x vg + t) or one of the add's two inputs
				long i = r_vin, o = i / r_vg, t = i % r_vg, m = o / r_vcw, cw = o % r_vcw;
				vbits.clear();
				for (int e = 0; e < COLS; e++) {
					long c = cw * COLS + e, a;
					if (c >= r_cols)
						break;
					if (w_mode == 2) {
						vbits.put(e * A_BITS, A_BITS, tap(m, t / w_s, t % w_s, c));
						continue;
					}
					if (r_vop == 3)
						a = (t == 0 ? r_base : r_vbase2) + m * r_cols + c;
					else
						a = r_base + (m * r_vg + t) * r_cols + c;
					if (a >= 0 && a < (long)mem.size())
						vbits.put(e * A_BITS, A_BITS, mem[(size_t)a]);
				}
				to_port(top->mem_vline, vbits);
				top->mem_rvalid = 1;
				r_vin++;
			}
			if (r_op != 3 && cyc > r_start && r_beats < r_lines) {
				Bits &b = r_op == 0 ? ibits : r_op == 1 ? wbits : obits;
				b.clear();
				for (int k = 0; k < r_nb; k++) {
					long w = r_beats * r_nb + k;
					if (w >= r_words)
						break;
					long a0 = 0, as = 0;
					int n = word_addr(w, &a0, &as);
					if (w_mode == 1 && r_op == 0) {
						// the block element of lane e: as word_addr walks it
						long nwc = (r_cols + r_lanes - 1) / r_lanes;
						long i0 = r_layout == 0 ? w / nwc : (w / r_cols) * r_lanes;
						long j0 = r_layout == 0 ? (w % nwc) * r_lanes : w % r_cols;
						for (int e = 0; e < n; e++)
							b.put((k * r_lanes + e) * r_ebits, r_ebits,
							      win_elem(i0 + (r_layout ? e : 0),
								       j0 + (r_layout ? 0 : e)));
						continue;
					}
					for (int e = 0; e < n; e++) {
						long a = a0 + e * as;
						if (a >= 0 && a < msize)
							b.put((k * r_lanes + e) * r_ebits, r_ebits, mem[(size_t)a]);
					}
				}
				if (r_op == 0)
					to_port(top->mem_iline, b);
				else if (r_op == 1)
					to_port(top->mem_wline, b);
				else
					to_port(top->mem_oline, b);
				top->mem_rvalid = 1;
				r_beats++;
			}
			long end = r_done;
			// load beat j arrives in s + 1 + j; store beat j leaves in s + 2 + j
			// final store: word i leaves in s + 4 + i
			long beats_end = r_vop ? r_start + r_vg * r_vm * r_vcw + 1 :
					 r_fs ? r_start + r_words + 3 :
					 r_op == 3 ? r_start + r_lines + 1 : r_start + r_lines;
			if (beats_end > end)
				end = beats_end;
			if (cyc == end) {
				top->mem_done = 1;
				if (!req_last.empty())
					req_last.back() = cyc;
				bus_extra += end - r_done;
				active = false;
			}
		}

		top->clk = 0;
		top->eval();
		bool consumed_d = top->dq_valid && top->dq_ready;
		bool consumed_c = top->cq_valid && top->cq_ready;

		if (top->dma_start) {
			if (active) {
				status = "error: DMA started a request while one was active";
				break;
			}
			active = true;
			r_op = top->dma_op;
			r_base = top->dma_base;
			r_rows = top->dma_rows;
			r_cols = top->dma_cols;
			r_stride = top->dma_stride;
			r_layout = top->dma_layout;
			r_lines = top->dma_lines;
			r_start = cyc;
			r_beats = 0;
			r_lanes = r_op == 0 ? ILANES : r_op == 1 ? WLANES : COLS;
			r_ebits = r_op == 0 ? A_BITS : r_op == 1 ? W_BITS : ACC_BITS;
			r_nb = r_op == 0 ? INB : r_op == 1 ? WNB : ONB;
			r_words = r_layout == 0 ? r_rows * ((r_cols + r_lanes - 1) / r_lanes)
						: ((r_rows + r_lanes - 1) / r_lanes) * r_cols;
			r_qwords = (long)top->dma_qwords;
			r_qbase = (long)top->dma_qbase;
			r_qbeats = 0;
			r_fs = r_op == 3 && top->dma_final && r_qwords > 0;
			r_vop = r_op == 3 ? (int)top->dma_vop : 0;
			r_vg = r_vop ? (long)top->dma_vg : 1;
			if (r_vg < 1)
				r_vg = 1;
			r_vm = r_vop ? r_rows / (r_vg + 1) : 0;   // rows: vg + 1 per pixel
			r_vcw = (r_cols + COLS - 1) / COLS;
			r_vbase2 = (long)top->dma_vbase2;
			r_vout = (long)top->dma_vout;
			r_vin = 0;
			{
				uint32_t ww[9];
				for (int i = 0; i < 9; i++)
					ww[i] = (uint32_t)lane_of(top->dma_win, 32 * i, 32);
				w_mode = ww[0];
				w_h = ww[1] & 0xffff;
				w_w = ww[1] >> 16;
				w_p = ww[2] & 0xffff;
				w_q = ww[2] >> 16;
				w_c = ww[3] & 0xffff;
				w_cg = ww[3] >> 16;
				w_s = ww[4] & 0xff;
				w_sh = (ww[4] >> 8) & 0xff;
				w_sw = (ww[4] >> 16) & 0xff;
				w_dh = ww[5] & 0xff;
				w_dw = (ww[5] >> 8) & 0xff;
				w_ph = (ww[5] >> 16) & 0xff;
				w_pw = ww[5] >> 24;
				w_pad = (int32_t)ww[6];
				w_m0 = ww[7];
				w_k0 = ww[8];
				// a malformed walk reads nothing rather than divide by zero
				if (w_mode && (w_q < 1 || w_p < 1 || w_cg < 1 || w_s < 1))
					w_mode = 0;
			}
			long b = (long)top->dma_bytes;
			// the same rounding as models/cost.c dma_cycles()
			double q = (double)b / bw;
			long t = (long)q;
			if ((double)t < q)
				t++;
			t += latency;
			if (t < 2)
				t = 2;
			r_done = r_start + t - 1;
			requests++;
			dram_bytes += b;
			req_first.push_back(cyc);
			req_last.push_back(-1);
		}
		if (top->dma_wvalid && r_vop) {
			// output word o of a vector request: pixel o / cw, channels of word o % cw
			long o = r_beats, m = o / r_vcw, cw = o % r_vcw;
			for (int e = 0; e < COLS; e++) {
				long c = cw * COLS + e, a = r_vout + m * r_cols + c;
				if (c < r_cols && a >= 0 && a < (long)mem.size())
					mem[(size_t)a] = lane_of(top->dma_wline, e * ACC_BITS, ACC_BITS);
			}
			r_beats++;
		} else if (top->dma_wvalid) {
			// a store beat: lines of COLS-lane words, in the block's layout; one word
			// of act_bits values (sign-extended in ACC_BITS lanes) from the output stage
			for (int k = 0; k < (r_fs ? 1 : r_nb); k++) {
				long w = r_fs ? r_beats : r_beats * r_nb + k;
				if (w >= r_words)
					break;
				long a0 = 0, as = 0;
				int n = word_addr(w, &a0, &as);
				for (int e = 0; e < n; e++) {
					long a = a0 + e * as;
					if (a >= 0 && a < msize)
						mem[(size_t)a] = lane_of(top->dma_wline,
							(k * r_lanes + e) * ACC_BITS, ACC_BITS);
				}
			}
			r_beats++;
		}
		bool busy = top->dma_busy || top->arr_busy;
		if (top->dma_busy)
			dma_busy++;
		if (top->arr_busy)
			arr_busy++;
		if (busy) {
			if (first_busy < 0)
				first_busy = cyc;
			last_busy = cyc;
		}

		// the rising edge; the falling half of the cycle was evaluated above (a second
		// evaluation of it with unchanged inputs, as step() does, cost a third of the
		// model's time for nothing)
		rise();
		if (consumed_d)
			di++;
		if (consumed_c)
			ci++;
		cyc++;
		if (di == dq.size() && ci == cq.size() && top->dma_count == dq.size() &&
		    top->cmp_count == cq.size() && !top->dma_busy && !top->arr_busy)
			break;
		if (cyc > max_cycles) {
			status = "timeout";
			break;
		}
	}
	double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	double cpu = (double)(std::clock() - c0) / CLOCKS_PER_SEC;
#ifdef HW_TRACE
	if (tfp) {
		tfp->close();
		delete tfp;
	}
#endif
	top->final();
	delete top;
	delete ctx;

	FILE *rf = fopen(res_path, "w");
	if (!rf)
		return 2;
	fprintf(rf, "status %s\n", status);
	fprintf(rf, "cycles %ld\n", first_busy < 0 ? 0 : last_busy - first_busy + 1);
	fprintf(rf, "array_busy %ld\ndma_busy %ld\ndma_requests %ld\ndram_bytes %ld\n",
		arr_busy, dma_busy, requests, dram_bytes);
	fprintf(rf, "dma_bus_extra %ld\nsim_cycles %ld\nwall_s %.6f\ncpu_s %.6f\n", bus_extra, cyc,
		wall, cpu);
	fprintf(rf, "dma_done %zu\ncmp_done %zu\n", di, ci);
	// segment k: first cycle of its first request to the last of its last, inclusive
	for (size_t k = 0; k < prog.segments.size(); k++) {
		const Region &s = prog.segments[k];
		if ((size_t)s.count < req_last.size() && req_last[(size_t)s.count] >= 0)
			fprintf(rf, "segment %zu %ld %ld\n", k, req_first[(size_t)s.base],
				req_last[(size_t)s.count]);
	}
	fclose(rf);

	FILE *df = fopen(dump_path, "wb");
	if (!df)
		return 2;
	for (const Region &r : dumps)
		if (r.base >= 0 && r.count >= 0 && r.base <= (long)mem.size() - r.count)
			fwrite(mem.data() + r.base, sizeof(int64_t), (size_t)r.count, df);
	fclose(df);
	return strcmp(status, "ok") ? 3 : 0;
}
