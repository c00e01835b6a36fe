// program.h: the tile-program reader of the Verilator harness (format in docs/rtl.md), kept
// apart from verilated code so that a fuzz target (fuzz/fuzz_tile_program.cpp) can drive it.
// C++ (the harness side of the process boundary); no exceptions escape it.
#ifndef HWNAS_HARNESS_PROGRAM_H
#define HWNAS_HARNESS_PROGRAM_H

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// qbase .. qwords: a final store through the output stage (version 2, docs/rtl.md)
struct DmaCmd {
	int op, half; long base, rows, cols, stride; int layout, final_, shift; long words, wait;
	long qbase, zp, lo, hi, obase, ostride, ocols, qwords;
	// a vector request (docs/rtl.md "Vector unit")
	long vop, vg, vbase2, vout, vzp1, vzp2, vm1, vm2, vmo, vsh;
	// the window walk of a conv's A load or a pool's input (docs/rtl.md "Window
	// addressing"): nine 32-bit words, all 0 for a 2-D block
	long win[9];
};
struct CmpCmd { int ah, bh, ch, init; long tm, tn, tk, nout, nin, wait; };
struct Region { long base, count; };

// The RTL parameters the harness was built with; a program must name the same.
struct RtlParams { int rows, cols, df, ab, wb, cb, inb, wnb, onb; };

struct Program {
	std::vector<DmaCmd> dq;
	std::vector<CmpCmd> cq;
	std::vector<Region> dumps;
	// segments: DMA requests first .. last (inclusive) whose span of cycles the results
	// report (a layer of a whole network run as one program, docs/rtl.md "Whole networks")
	std::vector<Region> segments;
	double bw = 1;                  // DRAM bytes per cycle
	long latency = 0, max_cycles = 1000000000L;
	std::string memfile;
	long nmem = 0;                  // memory image words (int64)
};

// Largest memory image the harness takes, in words (128 GiB of int64).
static const long PROGRAM_MAX_WORDS = 1L << 34;

// Reads a program from f into p. Returns nullptr, or a message saying what is wrong (the
// caller reports it; nothing is thrown).
static inline const char *parse_program(FILE *pf, const RtlParams &rp, Program &p)
{
	char line[1024], memfile[4096] = "";

	if (!fgets(line, sizeof(line), pf) || (strncmp(line, "hwnas-sim-program 1", 19) &&
						 strncmp(line, "hwnas-sim-program 2", 19)))
		return "program file: bad header";
	while (fgets(line, sizeof(line), pf)) {
		DmaCmd d = DmaCmd();
		CmpCmd c;
		Region r;
		int nf = sscanf(line, "dma %d %d %ld %ld %ld %ld %d %d %d %ld %ld %ld %ld %ld %ld %ld "
				"%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld "
				"%ld %ld %ld", &d.op, &d.half,
				&d.base, &d.rows, &d.cols, &d.stride, &d.layout, &d.final_, &d.shift,
				&d.words, &d.wait, &d.qbase, &d.zp, &d.lo, &d.hi, &d.obase, &d.ostride,
				&d.ocols, &d.qwords, &d.vop, &d.vg, &d.vbase2, &d.vout, &d.vzp1,
				&d.vzp2, &d.vm1, &d.vm2, &d.vmo, &d.vsh, &d.win[0], &d.win[1], &d.win[2],
				&d.win[3], &d.win[4], &d.win[5], &d.win[6], &d.win[7], &d.win[8]);
		if (nf == 11 || nf == 19 || nf == 29 || nf == 38)
			p.dq.push_back(d);
		else if (sscanf(line, "cmp %d %d %d %d %ld %ld %ld %ld %ld %ld", &c.ah, &c.bh, &c.ch,
				&c.init, &c.tm, &c.tn, &c.tk, &c.nout, &c.nin, &c.wait) == 10)
			p.cq.push_back(c);
		else if (sscanf(line, "dump %ld %ld", &r.base, &r.count) == 2)
			p.dumps.push_back(r);
		else if (sscanf(line, "segment %ld %ld", &r.base, &r.count) == 2)
			p.segments.push_back(r);
		else if (sscanf(line, "memory %4095s %ld", memfile, &p.nmem) == 2)
			p.memfile = memfile;
		else if (sscanf(line, "bw %lf", &p.bw) == 1)
			;
		else if (sscanf(line, "latency %ld", &p.latency) == 1)
			;
		else if (sscanf(line, "max_cycles %ld", &p.max_cycles) == 1)
			;
		else if (!strncmp(line, "params ", 7)) {
			int r_, c_, df_, ab, wb, cb, inb, wnb, onb;
			if (sscanf(line, "params %d %d %d %d %d %d %d %d %d", &r_, &c_, &df_, &ab, &wb,
				   &cb, &inb, &wnb, &onb) != 9 || r_ != rp.rows || c_ != rp.cols ||
			    df_ != rp.df || ab != rp.ab || wb != rp.wb || cb != rp.cb ||
			    inb != rp.inb || wnb != rp.wnb || onb != rp.onb)
				return "program built for other RTL parameters";
		} else if (line[0] != '#' && line[0] != '\n' && strncmp(line, "end", 3)) {
			return "program file: unknown line";
		}
	}
	if (!(p.bw > 0) || !std::isfinite(p.bw))   // also rejects NaN
		return "program file: bw must be a finite number > 0";
	if (p.nmem < 0 || p.nmem > PROGRAM_MAX_WORDS)
		return "program file: memory size out of range";
	if (p.latency < 0 || p.max_cycles < 0)
		return "program file: latency and max_cycles must be >= 0";
	for (const Region &r : p.dumps)
		if (r.base < 0 || r.count < 0 || r.count > p.nmem || r.base > p.nmem - r.count)
			return "program file: dump region outside the memory";
	for (const Region &r : p.segments)
		if (r.base < 0 || r.count < r.base || r.count >= (long)p.dq.size())
			return "program file: segment outside the DMA commands";
	return nullptr;
}

#endif
