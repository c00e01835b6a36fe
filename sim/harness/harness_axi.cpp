// harness_axi.cpp: the Verilator harness of hwnas_axi (the AXI top), apart from harness.cpp.
//
//   harness_axi IMAGE RESULTS DUMP --dq ADDR N --cq ADDR N --dump ADDR BYTES --max-cycles N
//               [--seed N] [--stall P] [--axi-latency N] [--axi-bw B]
//               [--err-rbeat N] [--err-bresp N] [--busy-start C] [--w-early 0|1]
//
// IMAGE is the accelerator's DRAM from byte 0, as sim/sim_axi.c (and `hwnas compile`) lay it
// out (docs/deploy.md "Memory map"): the two command lists (N records at ADDR each), weights,
// activations, parameter records. The harness programs the AXI4-Lite registers like a host,
// through the C driver (driver/hwnas_drv.c), and plays an AXI4 slave memory: a read burst's
// first beat comes `latency` cycles after its address, beats leave at most `bw` bytes per
// cycle (read and write share it), and with probability P in every cycle ARREADY, AWREADY,
// WREADY and the R/B valids are held back (seeded, replayable). It checks the AXI rules on
// every cycle (bursts within MAXB and 4 KiB, aligned addresses, WLAST where AWLEN says, VALID
// held and payload stable until READY) and stops with status "axi: ..." on a violation; when
// the top raises done it checks the memory side's view: every AR and AW it accepted answered
// (all R beats, every W burst complete, every B taken) and no VALID up, and none until the
// next start. DUMP gets BYTES bytes of DRAM from ADDR after the run.
//
// --err-rbeat N / --err-bresp N: the Nth R beat / Nth B response is SLVERR. The run must end
// with STATUS done + error (reported through the driver, "err_status", "err_cycles"); then
// the DRAM image is restored and the SAME top, without a reset, runs the program again with
// no error: that run's results and outputs are the ones reported. --busy-start C: C cycles
// after the start, the host writes CTRL.start again while the run is busy (the driver would
// refuse): the top must ignore it (STATUS read back busy, "busy_start_status"). --w-early 1:
// the slave also takes W beats ahead of their AW (up to 2 x MAXB, as AXI allows; they are
// written when the AW comes; "w_early_beats" counts them); by default it waits for the AW.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "hwnas_drv.h"
#include "verilated.h"
#include "Vhwnas_axi.h"

#ifndef HW_ROWS
#error "build with -DHW_ROWS=... (see tests/test_axi.c)"
#endif

static const int DW = HW_AXI_DW, DB = HW_AXI_DW / 8, MAXB = HW_MAXB;

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd()
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static bool chance(double p) { return p > 0 && (double)(rnd() % 1000000) < p * 1e6; }

template <class T> static uint8_t byte_of(const T &p, int i) { return (uint8_t)((uint64_t)p >> (8 * i)); }
template <std::size_t N> static uint8_t byte_of(const VlWide<N> &p, int i)
{
	return (uint8_t)(p[i / 4] >> (8 * (i % 4)));
}
template <class T> static void set_byte(T &p, int i, uint8_t v)
{
	uint64_t x = (uint64_t)p;
	x &= ~(0xffull << (8 * i));
	x |= (uint64_t)v << (8 * i);
	p = (T)x;
}
template <std::size_t N> static void set_byte(VlWide<N> &p, int i, uint8_t v)
{
	p[i / 4] = (p[i / 4] & ~(0xffu << (8 * (i % 4)))) | ((uint32_t)v << (8 * (i % 4)));
}
template <class T> static bool bit_of(const T &p, int i) { return ((uint64_t)p >> i) & 1; }
template <std::size_t N> static bool bit_of(const VlWide<N> &p, int i) { return (p[i / 32] >> (i % 32)) & 1; }
template <class T> static std::vector<uint8_t> bytes_of(const T &p)
{
	std::vector<uint8_t> v(DB);
	for (int i = 0; i < DB; i++)
		v[i] = byte_of(p, i);
	return v;
}

static int die(const char *results, const char *msg)
{
	FILE *f = fopen(results, "w");
	if (f) {
		fprintf(f, "status error\nmessage %s\n", msg);
		fclose(f);
	}
	fprintf(stderr, "harness_axi: %s\n", msg);
	return 2;
}


struct Burst { uint32_t addr; int len, beat; long ready; };
struct WBeat { std::vector<uint8_t> d; uint64_t s; bool last; };

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: harness_axi IMAGE RESULTS DUMP --dq ADDR N --cq ADDR N "
			"--dump ADDR BYTES --max-cycles N [--seed N] [--stall P] "
			"[--axi-latency N] [--axi-bw B]\n");
		return 2;
	}
	const char *res_path = argv[2], *dump_path = argv[3];
	double stall = 0, bw = 8;
	long latency = 0, max_cycles = 1000000;
	uint64_t dq_at = 0, cq_at = 0, dq_n = 0, cq_n = 0, dump_at = 0, dump_n = 0;
	long err_r = 0, err_b = 0, busy_at = -1;
	bool w_early = false;
	for (int i = 4; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--seed"))
			rng = strtoull(argv[++i], nullptr, 10) * 2654435761ull + 1;
		else if (!strcmp(argv[i], "--stall"))
			stall = atof(argv[++i]);
		else if (!strcmp(argv[i], "--axi-latency"))
			latency = atol(argv[++i]);
		else if (!strcmp(argv[i], "--axi-bw"))
			bw = atof(argv[++i]);
		else if (!strcmp(argv[i], "--max-cycles"))
			max_cycles = atol(argv[++i]);
		else if (!strcmp(argv[i], "--err-rbeat"))
			err_r = atol(argv[++i]);
		else if (!strcmp(argv[i], "--err-bresp"))
			err_b = atol(argv[++i]);
		else if (!strcmp(argv[i], "--busy-start"))
			busy_at = atol(argv[++i]);
		else if (!strcmp(argv[i], "--w-early"))
			w_early = atol(argv[++i]) != 0;
		else if (i + 2 < argc && !strcmp(argv[i], "--dq")) {
			dq_at = strtoull(argv[i + 1], nullptr, 0);
			dq_n = strtoull(argv[i + 2], nullptr, 0);
			i += 2;
		} else if (i + 2 < argc && !strcmp(argv[i], "--cq")) {
			cq_at = strtoull(argv[i + 1], nullptr, 0);
			cq_n = strtoull(argv[i + 2], nullptr, 0);
			i += 2;
		} else if (i + 2 < argc && !strcmp(argv[i], "--dump")) {
			dump_at = strtoull(argv[i + 1], nullptr, 0);
			dump_n = strtoull(argv[i + 2], nullptr, 0);
			i += 2;
		} else {
			return die(res_path, "unknown option");
		}
	}
	if (bw <= 0)
		return die(res_path, "--axi-bw must be positive");
	FILE *mf = fopen(argv[1], "rb");
	if (!mf)
		return die(res_path, "cannot open the image");
	std::vector<uint8_t> dram;
	{
		uint8_t buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), mf)) > 0)
			dram.insert(dram.end(), buf, buf + n);
	}
	fclose(mf);
	// 4 KiB of slack past the image: a burst may read a little beyond the last row
	dram.resize(((dram.size() + 4095) & ~(size_t)4095) + 4096, 0);
	const uint64_t dram_size = dram.size();
	const std::vector<uint8_t> image = dram;     // restored for the run after an error
	if (dram_size >= (1ull << 32))
		return die(res_path, "the image does not fit a 32-bit address space");
	if (dump_at + dump_n > dram_size)
		return die(res_path, "the dump region lies outside the image");

	VerilatedContext *ctx = new VerilatedContext;
	ctx->commandArgs(1, argv);
	Vhwnas_axi *top = new Vhwnas_axi{ctx};
	long cyc = 0;
	std::string status = "ok";

	// slave state
	std::deque<Burst> rq, wq;                   // accepted read / write bursts
	std::deque<long> bq;                        // B responses due
	std::deque<WBeat> wpre;                     // W beats taken ahead of their AW
	long w_early_beats = 0;
	double credit = 0;
	bool r_hold = false, b_hold = false;
	long r_sent = 0, b_sent = 0;                // R beats / B responses offered so far
	uint8_t b_resp = 0;
	bool expect_quiet = false;                  // done seen: no VALID until the next start
	// master-side protocol monitor: the payload seen while VALID was up and not taken
	bool ar_pend = false, aw_pend = false, w_pend = false;
	uint32_t ar_a = 0, aw_a = 0;
	int ar_l = 0, aw_l = 0;
	std::vector<uint8_t> w_d;
	uint64_t w_s = 0;
	bool w_l = false;
	long rd_beats = 0, wr_beats = 0, bursts = 0;

	auto check_burst = [&](uint32_t a, int len, const char *ch) {
		if (a % DB)
			status = std::string("axi: unaligned ") + ch + "ADDR";
		else if (len + 1 > MAXB)
			status = std::string("axi: ") + ch + "LEN beyond MAXB";
		else if ((a & 4095u) + (uint32_t)(len + 1) * DB > 4096u)
			status = std::string("axi: ") + ch + " burst crosses 4 KiB";
		else if ((uint64_t)a + (uint64_t)(len + 1) * DB > dram_size)
			status = std::string("axi: ") + ch + " burst outside the memory";
	};

	// a W beat into the oldest write burst (W beats fill the bursts in order: the front)
	auto w_apply = [&](const WBeat &x) {
		Burst *b = &wq.front();
		uint32_t a = b->addr + (uint32_t)(b->beat * DB);
		for (int i = 0; i < DB; i++)
			if ((x.s >> i) & 1)
				dram[a + i] = x.d[i];
		if (x.last != (b->beat == b->len))
			status = "axi: WLAST not on the burst's last beat";
		bool last = b->beat == b->len;
		b->beat++;
		if (last) {
			bq.push_back(cyc + 1 + (latency > 0 ? 1 : 0));
			wq.pop_front();
		}
	};

	// one clock: drive the slave outputs from state, evaluate, sample handshakes, clock
	auto tick = [&]() {
		top->m_axi_arready = !chance(stall);
		top->m_axi_awready = !chance(stall);
		// this slave takes W beats only for an accepted AW (AXI lets a slave wait for it)
		top->m_axi_wready = (!wq.empty() || (w_early && wpre.size() < 2u * MAXB)) &&
				    !chance(stall);
		credit += bw;
		if (credit > 2.0 * DB + bw)
			credit = 2.0 * DB + bw;
		// R
		if (!r_hold && !rq.empty() && rq.front().ready <= cyc && credit >= DB && !chance(stall)) {
			Burst &b = rq.front();
			uint32_t a = b.addr + (uint32_t)(b.beat * DB);
			for (int i = 0; i < DB; i++)
				set_byte(top->m_axi_rdata, i, dram[a + i]);
			top->m_axi_rlast = b.beat == b.len;
			top->m_axi_rresp = ++r_sent == err_r ? 2 : 0;
			r_hold = true;
			credit -= DB;
		}
		top->m_axi_rvalid = r_hold;
		if (!b_hold && !bq.empty() && bq.front() <= cyc && !chance(stall)) {
			b_hold = true;
			b_resp = ++b_sent == err_b ? 2 : 0;
		}
		top->m_axi_bvalid = b_hold;
		top->m_axi_bresp = b_resp;
		top->clk = 0;
		top->eval();
		if (expect_quiet && (top->m_axi_arvalid || top->m_axi_awvalid || top->m_axi_wvalid))
			status = "axi: a request while the top is done";
		// monitor: VALID held and payload stable until READY
		if (ar_pend && (!top->m_axi_arvalid || top->m_axi_araddr != ar_a || top->m_axi_arlen != ar_l))
			status = "axi: ARVALID dropped or AR payload changed before ARREADY";
		if (aw_pend && (!top->m_axi_awvalid || top->m_axi_awaddr != aw_a || top->m_axi_awlen != aw_l))
			status = "axi: AWVALID dropped or AW payload changed before AWREADY";
		if (w_pend && (!top->m_axi_wvalid || bytes_of(top->m_axi_wdata) != w_d ||
			       (uint64_t)top->m_axi_wstrb != w_s || (bool)top->m_axi_wlast != w_l))
			status = "axi: WVALID dropped or W payload changed before WREADY";
		// handshakes
		if (top->m_axi_arvalid && top->m_axi_arready) {
			check_burst(top->m_axi_araddr, top->m_axi_arlen, "AR");
			if (top->m_axi_arburst != 1 || top->m_axi_arsize != __builtin_ctz(DB))
				status = "axi: AR not INCR of the bus width";
			rq.push_back({ top->m_axi_araddr, top->m_axi_arlen, 0, cyc + 1 + latency });
			bursts++;
			ar_pend = false;
		} else if (top->m_axi_arvalid) {
			ar_pend = true;
			ar_a = top->m_axi_araddr;
			ar_l = top->m_axi_arlen;
		}
		if (top->m_axi_awvalid && top->m_axi_awready) {
			check_burst(top->m_axi_awaddr, top->m_axi_awlen, "AW");
			if (top->m_axi_awburst != 1 || top->m_axi_awsize != __builtin_ctz(DB))
				status = "axi: AW not INCR of the bus width";
			wq.push_back({ top->m_axi_awaddr, top->m_axi_awlen, 0, 0 });
			bursts++;
			aw_pend = false;
			while (!wpre.empty() && !wq.empty()) {
				w_apply(wpre.front());
				wpre.pop_front();
			}
		} else if (top->m_axi_awvalid) {
			aw_pend = true;
			aw_a = top->m_axi_awaddr;
			aw_l = top->m_axi_awlen;
		}
		if (top->m_axi_wvalid && top->m_axi_wready) {
			// W ahead of its AW (only with --w-early) waits in wpre for the AW
			WBeat x = { bytes_of(top->m_axi_wdata), (uint64_t)top->m_axi_wstrb,
				    (bool)top->m_axi_wlast };
			if (wq.empty() || !wpre.empty()) {
				if (!w_early)
					status = "axi: W beat without an outstanding AW";
				wpre.push_back(x);
				w_early_beats++;
			} else {
				w_apply(x);
			}
			wr_beats++;
			credit -= DB;
			w_pend = false;
		} else if (top->m_axi_wvalid) {
			w_pend = true;
			w_d = bytes_of(top->m_axi_wdata);
			w_s = (uint64_t)top->m_axi_wstrb;
			w_l = top->m_axi_wlast;
		}
		if (r_hold && top->m_axi_rready) {
			Burst &b = rq.front();
			b.beat++;
			rd_beats++;
			if (b.beat > b.len)
				rq.pop_front();
			r_hold = false;
		}
		if (b_hold && top->m_axi_bready) {
			bq.pop_front();
			b_hold = false;
		}
		top->clk = 1;
		top->eval();
		cyc++;
	};

	// host side: AXI4-Lite register access (one transaction at a time)
	auto reg_write = [&](uint32_t off, uint32_t v) {
		top->s_axil_awvalid = 1;
		top->s_axil_awaddr = off;
		top->s_axil_wvalid = 1;
		top->s_axil_wdata = v;
		top->s_axil_wstrb = 0xf;
		top->s_axil_bready = 1;
		bool aw = false, w = false;
		for (int n = 0; n < 100; n++) {
			top->clk = 0;
			top->eval();
			bool awf = top->s_axil_awvalid && top->s_axil_awready;
			bool wf = top->s_axil_wvalid && top->s_axil_wready;
			bool bf = top->s_axil_bvalid;
			tick();
			if (awf) {
				aw = true;
				top->s_axil_awvalid = 0;
			}
			if (wf) {
				w = true;
				top->s_axil_wvalid = 0;
			}
			if (bf && aw && w)
				return true;
		}
		return false;
	};
	auto reg_read = [&](uint32_t off, uint32_t &v) {
		top->s_axil_arvalid = 1;
		top->s_axil_araddr = off;
		top->s_axil_rready = 1;
		for (int n = 0; n < 100; n++) {
			top->clk = 0;
			top->eval();
			bool arf = top->s_axil_arvalid && top->s_axil_arready;
			bool rf = top->s_axil_rvalid;
			v = top->s_axil_rdata;
			tick();
			if (arf)
				top->s_axil_arvalid = 0;
			if (rf)
				return true;
		}
		return false;
	};

	// the host is driver/hwnas_drv.c: its register reads and writes are AXI4-Lite
	// transactions on the model, its interrupt wait runs the clock until irq
	struct Host {
		decltype(reg_write) *w;
		decltype(reg_read) *r;
		std::function<int(int)> wait;
		bool ok;
		bool *quiet;
	} host = { &reg_write, &reg_read, nullptr, true, &expect_quiet };
	long t_start = 0, irq_at = -1;
	uint32_t busy_st = 0;
	host.wait = [&](int) -> int {
		while (!top->irq && status == "ok") {
			if (busy_at >= 0 && cyc - t_start >= busy_at) {
				// CTRL.start (irq_en kept) while busy, then STATUS: still busy
				busy_at = -1;
				host.ok = reg_write(HND_CTRL, 3) && reg_read(HND_STATUS, busy_st) && host.ok;
				if (!(busy_st & HND_STATUS_BUSY) || (busy_st & HND_STATUS_DONE))
					status = "error: the run was not busy at the start while busy";
				continue;
			}
			tick();
			if (cyc - t_start > max_cycles) {
				status = "timeout";
				return 1;
			}
		}
		irq_at = cyc - t_start;
		// done: the memory side has answered everything it accepted, nothing is offered
		if (status == "ok" && (!rq.empty() || !wq.empty() || !bq.empty() || !wpre.empty() ||
				       r_hold || b_hold))
			status = "axi: done with a burst outstanding (AR or AW unanswered, W incomplete)";
		if (status == "ok" && (top->m_axi_arvalid || top->m_axi_awvalid || top->m_axi_wvalid))
			status = "axi: done with a VALID up";
		expect_quiet = true;
		return status == "ok" ? 0 : -1;
	};
	struct hnd_bus bus;
	bus.ctx = &host;
	bus.rd = [](void *ctx, uint32_t off) -> uint32_t {
		Host *h = (Host *)ctx;
		uint32_t v = 0;
		h->ok = (*h->r)(off, v) && h->ok;
		return v;
	};
	bus.wr = [](void *ctx, uint32_t off, uint32_t v) {
		Host *h = (Host *)ctx;
		if (off == HND_CTRL && (v & 1u))
			*h->quiet = false;
		h->ok = (*h->w)(off, v) && h->ok;
	};
	bus.wait_irq = [](void *ctx, int timeout_ms) -> int {
		return ((Host *)ctx)->wait(timeout_ms);
	};

	top->rst = 1;
	for (int i = 0; i < 3; i++)
		tick();
	top->rst = 0;
	uint32_t p0 = 0, p1 = 0;
	struct hnd_counters cnt = {};
	if (hnd_probe(&bus, &p0, &p1) || (p0 & 0xff) != HW_ROWS || ((p0 >> 8) & 0xff) != HW_COLS ||
	    ((p0 >> 24) & 0xff) != DB)
		status = "error: the driver's probe of ID / PARAMS0 failed";
	long err_cycles = -1;
	uint32_t err_st = 0;
	if (status == "ok" && (err_r > 0 || err_b > 0)) {
		// the run with an error response: done + error through the driver, then the same
		// program again on the same top (no reset) from the restored image
		t_start = cyc;
		if (hnd_start(&bus, (uint32_t)dq_at, (uint32_t)dq_n, (uint32_t)cq_at,
			      (uint32_t)cq_n, 1))
			status = "error: hnd_start refused the addresses";
		int we = status == "ok" ? hnd_wait(&bus, 0, &cnt) : -1;
		err_st = cnt.status;
		err_cycles = cnt.cycles;
		if (status == "ok" && (we != 1 || !(err_st & HND_STATUS_ERROR) ||
				       !(err_st & HND_STATUS_DONE) || (err_st & HND_STATUS_BUSY)))
			status = "error: the error response was not reported as done + error";
		if (status == "ok" && ((err_r > 0 && r_sent < err_r) || (err_b > 0 && b_sent < err_b)))
			status = "error: the run ended before the error response";
		err_r = err_b = 0;
		dram = image;
	}
	t_start = cyc;
	if (status == "ok" && hnd_start(&bus, (uint32_t)dq_at, (uint32_t)dq_n, (uint32_t)cq_at,
					(uint32_t)cq_n, 1))
		status = "error: hnd_start refused the addresses";
	int wr = status == "ok" ? hnd_wait(&bus, 0, &cnt) : -1;
	bool ok = host.ok;
	uint32_t st = cnt.status, cycles = cnt.cycles, dmac = cnt.dma_count, cmpc = cnt.cmp_count;
	uint32_t arrb = cnt.array_busy, dmab = cnt.dma_busy, rdb = cnt.rd_bytes, wrb = cnt.wr_bytes;
	if (!ok && status == "ok")
		status = "error: AXI4-Lite access did not complete";
	if (status == "ok" && (wr != 0 || (st & HND_STATUS_ERROR)))
		status = "error: hnd_wait reported an error or no done";
	if (status == "ok" && top->irq)
		status = "error: irq still up after the driver cleared done";
	if (status == "ok" && (dmac != dq_n || cmpc != cq_n))
		status = "error: command counts differ from the program";
	top->final();
	delete top;
	delete ctx;

	FILE *rf = fopen(res_path, "w");
	if (!rf)
		return 2;
	fprintf(rf, "status %s\ncycles %u\nirq_cycles %ld\narray_busy %u\ndma_busy %u\n",
		status.c_str(), cycles, irq_at, arrb, dmab);
	fprintf(rf, "rd_bytes %u\nwr_bytes %u\naxi_bursts %ld\nrd_beats %ld\nwr_beats %ld\n",
		rdb, wrb, bursts, rd_beats, wr_beats);
	fprintf(rf, "dma_done %u\ncmp_done %u\nsim_cycles %ld\n", dmac, cmpc, cyc);
	fprintf(rf, "r_beats %ld\nb_resps %ld\nerr_status %u\nerr_cycles %ld\n"
		"busy_start_status %u\nw_early_beats %ld\n", r_sent, b_sent, err_st, err_cycles,
		busy_st, w_early_beats);
	fclose(rf);

	FILE *df = fopen(dump_path, "wb");
	if (!df)
		return 2;
	if (dump_n && fwrite(&dram[dump_at], 1, dump_n, df) != dump_n) {
		fclose(df);
		return 2;
	}
	fclose(df);
	(void)DW;
	return status == "ok" ? 0 : 3;
}
