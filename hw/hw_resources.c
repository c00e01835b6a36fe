/* hw_resources.c: DSP, BRAM36, LUT and FF estimate of a configuration, and whether it fits
 * its device. Pure. docs/resources.md states every rule and where each number comes from;
 * docs/synthesis.md compares it with Yosys synthesis of rtl/. */
#include "hw.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* The model's coefficients, all in one place, fitted to Yosys 0.23 `synth_xilinx` of rtl/
 * (docs/synthesis.md has the configs and figures; docs/resources.md the rules). */
enum {
	/* A product narrower than this on both operands is built in LUTs: 4x4 bits only, since
	 * widths are 4, 8 or 16 (Yosys maps a product of 9 bits or more to a DSP). 8-bit or
	 * wider products take one DSP slice per PE (no INT8 two-per-DSP packing, which needs a
	 * dedicated RTL structure, Xilinx WP486). */
	HW_DSP_MIN_OPERAND_BITS = 8,
	/* The DMA's byte count, rows x cols (32 x 32 -> 32 bits), one product per request:
	 * three DSP48E2 or DSP48E1 slices. */
	HW_DSP_DMA = 3,
	/* Fixed LUTs and FFs: the controller, the sequencer's 32-bit command registers and
	 * address counters, the DMA's descriptor registers. The LUTs' fixed share came out of
	 * the refit after the output stage at -31 (the per-lane terms, which every design has,
	 * absorb it), so it is 0; the FFs keep theirs. */
	HW_LUT_FIXED = 0,
	/* LUTs of every PE besides its datapath: its share of the valid / fold-control fan-out
	 * (fitted; without it the model was 12 LUTs per PE low at 16x16 and 32x32). */
	HW_LUT_PE_FIXED = 5,
	HW_FF_FIXED = 700,
	/* LUTs per bit of a DMA store lane (acc_bits wide), x2: none since the output stage
	 * (the partial-sum store line is registers; a least-squares fit on the ten syntheses
	 * of docs/synthesis.md gave it a negative weight, so the term is dropped). */
	HW_LUT_STORE_BIT_X2 = 0,
	/* The output stage and the vector unit (docs/rtl.md): pe_cols lanes of two
	 * requantisers each (the output stage's, which the vector unit's output shares, and
	 * the vector unit's add input), each an acc_bits (+ 1) x 32 product (DSPs,
	 * hw_mul_dsp), a rounding shift by 0..63 of acc_bits + 33 bits, adders and a clamp:
	 * LUTs per bit of acc_bits + 33 per lane, fitted (with the line term below) by
	 * relative least squares to the ten syntheses after the output stage in
	 * docs/synthesis.md (27.3, rounded). */
	HW_LUT_REQUANT_BIT = 27,
	/* FFs: the vector unit's per-lane state (max, sum, first addend: act + 2 acc bits)
	 * and the output stage's and vector request's descriptor registers. */
	HW_FF_OUTSTAGE_FIXED = 600,
	/* qbuf words (docs/rtl.md "Output stage"; models.h COST_QBUF_WORDS) and the bits of a
	 * channel's record besides its bias (multiplier 32, shift 8). */
	HW_QBUF_WORDS = 64,
	HW_QREC_EXTRA_BITS = 40,
	/* LUTs per bit of a scratchpad line, x2: the port and word multiplexers in front of and
	 * behind the block RAMs, and the DMA's line assembly (refitted with the requantiser
	 * term on the ten syntheses after the output stage: 2.0 a bit). */
	HW_LUT_LINE_BIT_X2 = 4,
};

/* The RTL's DMA beat: the smallest power of two, at most 64, of words (lanes of
 * elem_bytes) that carries the DRAM bytes per cycle (sim_rtl_params_from_hw's rule). */
static int64_t beat_words(const struct hw_config *hw, int64_t lanes, int64_t elem_bytes)
{
	double want = hw_dram_bytes_per_cycle(hw) / (double)(lanes * elem_bytes);
	int64_t n = 1;

	while (n < 64 && (double)n < want)
		n *= 2;
	return n;
}

/* The RTL's buffer memories: one line of nb words of word_bits is the memory's width;
 * a half holds its capacity in dense words (capacity bits / word bits), whole lines. */
struct spad_shape {
	int64_t width, lines_per_half, nb;
};

static struct spad_shape spad_shape(int64_t bytes, int64_t halves, int64_t word_bits,
				    int64_t nb)
{
	struct spad_shape s;
	int64_t words = hn_max64(hn_cdiv(bytes * 8 / halves, word_bits), 1);

	s.nb = nb;
	s.width = nb * word_bits;
	s.lines_per_half = hn_cdiv(words, nb);
	return s;
}

/* The three buffers' memories as the RTL builds them, lanes as docs/rtl.md orders them
 * (is swaps the ibuf's and the wbuf's). */
struct buf_shapes {
	struct spad_shape ib, wb, ob;
	int64_t li, lw;                /* ibuf and wbuf lanes */
};

static struct buf_shapes buf_shapes(const struct hw_config *hw)
{
	const int64_t d = hw->double_buffer ? 2 : 1;
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	struct buf_shapes b;

	b.li = hw->dataflow == HW_IS ? C : R;
	b.lw = hw->dataflow == HW_IS ? R : C;
	b.ib = spad_shape(hw->ibuf_bytes, d, b.li * hw->act_bits,
			  beat_words(hw, b.li, hw_act_bytes(hw)));
	b.wb = spad_shape(hw->wbuf_bytes, d, b.lw * hw->weight_bits,
			  beat_words(hw, b.lw, hw_weight_bytes(hw)));
	/* obuf beats also carry final outputs, act_bits wide in DRAM */
	b.ob = spad_shape(hw->obuf_bytes, d, C * hw->acc_bits, beat_words(hw, C, hw_act_bytes(hw)));
	return b;
}

/* One BRAM aspect ratio: width x depth, in halves of a BRAM36 (BRAM18 = 1, BRAM36 = 2).
 * Widths 9, 18, 36, 72 use the parity bits as data. 72 and the BRAM18's 36 are the simple
 * dual-port modes; a buffer is written by the DMA on one port and read by the array on the
 * other, so those modes are available. */
struct bram_mode {
	int64_t width, depth, halves;
};

static const struct bram_mode bram_modes[] = {
	{ 1, 32768, 2 }, { 2, 16384, 2 }, { 4, 8192, 2 }, { 9, 4096, 2 },
	{ 18, 2048, 2 }, { 36, 1024, 2 }, { 72, 512, 2 },
	{ 1, 16384, 1 }, { 2, 8192, 1 }, { 4, 4096, 1 }, { 9, 2048, 1 },
	{ 18, 1024, 1 }, { 36, 512, 1 },
};

/* Yosys 0.23's costs of the two block sizes (share/yosys/xilinx/brams_xc4v.txt, the file
 * synth_xilinx reads for UltraScale and series 7): memory_libmap takes, per memory, the one
 * aspect ratio of least total cost, so a BRAM36 wins a tie in halves. */
enum { HW_BRAM18_COST = 129, HW_BRAM36_COST = 257, HW_BRAM_BYTE_BITS = 9 };

/* BRAM18 halves of one memory `groups` x group_bits wide and depth lines deep, as Yosys
 * maps it: a memory written in groups (the obuf: one write enable per word) places each
 * group at a byte-enable boundary of the block RAM (9 bits; a 1-, 2- or 4-bit mode has no
 * byte enables and aligns to its width), so every group but a multiple of the byte is
 * padded; then the aspect ratio of least cost (docs/resources.md "Block RAM"). */
int64_t hw_memory_bram_halves(int64_t group_bits, int64_t groups, int64_t depth)
{
	int64_t best_cost = -1, best = -1;

	for (size_t i = 0; i < sizeof(bram_modes) / sizeof(bram_modes[0]); i++) {
		const struct bram_mode *m = &bram_modes[i];
		int64_t byte = hn_min64(HW_BRAM_BYTE_BITS, m->width);
		int64_t width = groups > 1 ? groups * hn_cdiv(group_bits, byte) * byte
					   : group_bits;
		int64_t units = hn_cdiv(width, m->width) * hn_cdiv(depth, m->depth);
		int64_t cost = units * (m->halves == 1 ? HW_BRAM18_COST : HW_BRAM36_COST);
		if (best_cost < 0 || cost < best_cost) {
			best_cost = cost;
			best = units * m->halves;
		}
	}
	return best;
}

int64_t hw_buffer_bram36(int64_t bytes, int64_t width_bits)
{
	assert(bytes > 0 && width_bits > 0);
	return hn_cdiv(hw_memory_bram_halves(width_bits, 1, hn_cdiv(bytes * 8, width_bits)), 2);
}

/* DSP slices Yosys's mul2dsp (synth_xilinx: signed-only slices, 18-bit partial slices,
 * ports a_max x 18) gives a signed a x b product with a full-width result: the wider
 * operand is cut in slices of 17 bits plus a last of at most a_max, each slice's other
 * operand in slices of 17 plus a last of at most 18 (measured: acc 9..18 x 32 -> 2, 19..42
 * -> 4, 48 -> 6, 64 -> 8 on both families, 43 -> 4 xcup, 6 xc7; tests/test_hw.c). */
static int64_t mul_dsp_b(int64_t b)
{
	const int64_t bmax = 18, part = 17;

	if (b <= bmax)
		return 1;
	return (b - bmax + part - 1) / part + 1;
}

int64_t hw_mul_dsp(int64_t a, int64_t b, int64_t a_max)
{
	const int64_t part = 17;
	int64_t n, last;

	if (a < b) {
		int64_t t = a;
		a = b;
		b = t;
	}
	if (a <= a_max)
		return mul_dsp_b(b);
	n = (a - a_max + part - 1) / part;
	last = a - n * part;
	return n * mul_dsp_b(b) + (last <= a_max ? mul_dsp_b(b) :
					      hw_mul_dsp(last, b, a_max));
}

static int uses_dsp(const struct hw_config *hw)
{
	return hw->act_bits >= HW_DSP_MIN_OPERAND_BITS || hw->weight_bits >= HW_DSP_MIN_OPERAND_BITS;
}

/* The array's multipliers as rtl/hwnas_compute.v builds them (docs/resources.md "DSP"):
 * blocks of BR x BC PEs share one multiply; a block of more than one PE multiplies a packed
 * operand of at least 12 bits, always a DSP; a 1 x 1 block is a DSP unless its product is
 * 4x4 (8 bits, LUTs); lut blocks never use one. */
static int64_t array_dsp(const struct hw_config *hw)
{
	const int64_t R = hw->pe_rows, C = hw->pe_cols, one = uses_dsp(hw) ? 1 : 0;

	switch (hw->mac_packing) {
	case HW_PACK_DSP2:
		return R * (C / 2) + (C % 2) * R * one;
	case HW_PACK_DSP4: /* dataflow os, 4x4 bits: the corner of odd R and C is 1 x 1 */
		return hn_cdiv(R, 2) * hn_cdiv(C, 2) - (R % 2) * (C % 2);
	case HW_PACK_LUT:
		return 0;
	case HW_PACK_NONE:
		break;
	}
	return R * C * one;
}

/* Per PE. With a DSP the multiply-add and most operand and sum registers are in the slice;
 * what is left (operand skew and sum pipeline spill-over, the sum's extension) grows with
 * the bits it carries: (a + w + c) x 3 / 8. Without one, the multiplier and the c-bit adder
 * are LUTs: (c + 18) x 9 / 8 for 4x4, and a shift-and-add over the 4-bit operand (lut) adds
 * 4 x 9 / 8 per bit of the wider operand beyond 4. */
static int64_t lut_per_pe_dsp(const struct hw_config *hw)
{
	return HW_LUT_PE_FIXED +
	       hn_cdiv(((int64_t)hw->act_bits + hw->weight_bits + hw->acc_bits) * 3, 8);
}

static int64_t lut_per_pe_fabric(const struct hw_config *hw)
{
	int64_t wide = hw->act_bits > hw->weight_bits ? hw->act_bits : hw->weight_bits;

	return HW_LUT_PE_FIXED + hn_cdiv(((int64_t)hw->acc_bits + 18 + 4 * (wide - 4)) * 9, 8);
}

/* The array's LUTs. Packed blocks (dsp2, dsp4) are DSP PEs plus, per block, one adder of a
 * product field's S = a + w bits for each field above the lowest (its sign correction,
 * docs/rtl.md "Packed MACs"); the packing of the operands is wiring and a short adder that
 * the fit leaves in the field term. A 1 x 1 block is a plain PE. */
static int64_t array_lut(const struct hw_config *hw)
{
	const int64_t R = hw->pe_rows, C = hw->pe_cols, P = R * C, S = hw->act_bits + hw->weight_bits;

	switch (hw->mac_packing) {
	case HW_PACK_DSP2: {
		int64_t pairs = R * (C / 2), singles = R * (C % 2);
		return 2 * pairs * lut_per_pe_dsp(hw) + pairs * S +
		       singles * (uses_dsp(hw) ? lut_per_pe_dsp(hw) : lut_per_pe_fabric(hw));
	}
	case HW_PACK_DSP4: { /* 4x4 bits: 2 x 2 blocks, 1 x 2 and 2 x 1 edges, a 1 x 1 corner */
		int64_t quads = (R / 2) * (C / 2), pairs = (R % 2) * (C / 2) + (C % 2) * (R / 2);
		int64_t single = (R % 2) * (C % 2);
		return (4 * quads + 2 * pairs) * lut_per_pe_dsp(hw) + (3 * quads + pairs) * S +
		       single * lut_per_pe_fabric(hw);
	}
	case HW_PACK_LUT:
		return P * lut_per_pe_fabric(hw);
	case HW_PACK_NONE:
		break;
	}
	return P * (uses_dsp(hw) ? lut_per_pe_dsp(hw) : lut_per_pe_fabric(hw));
}

/* Per PE: the operand registers passed to the neighbours and the sum register. */
static int64_t ff_per_pe(const struct hw_config *hw)
{
	return (int64_t)hw->act_bits + hw->weight_bits + hw->acc_bits;
}

/* Fills out->fits and out->why against dev: the first exceeded budget in the order DSP,
 * BRAM36, LUT, FF. */
static void check_fit(const struct hw_device *dev, struct hw_resources *out)
{
	const struct { const char *what; int64_t need, have; } budget[] = {
		{ "DSP", out->dsp, dev->dsp },
		{ "BRAM36", out->bram36, dev->bram36 },
		{ "LUT", out->lut, dev->lut },
		{ "FF", out->ff, dev->ff },
	};

	out->fits = 1;
	out->why[0] = '\0';
	for (size_t i = 0; i < sizeof(budget) / sizeof(budget[0]); i++) {
		if (budget[i].need > budget[i].have) {
			out->fits = 0;
			snprintf(out->why, sizeof(out->why), "needs %lld %s, %s has %lld",
				 (long long)budget[i].need, budget[i].what, dev->name,
				 (long long)budget[i].have);
			return;
		}
	}
}

void hw_resources(const struct hw_config *hw, struct hw_resources *out)
{
	int64_t pes;

	assert(hw->pe_rows > 0 && hw->pe_cols > 0);
	assert(hw->act_bits > 0 && hw->weight_bits > 0 && hw->acc_bits > 0);
	memset(out, 0, sizeof(*out));
	pes = (int64_t)hw->pe_rows * hw->pe_cols;

	{
		const struct hw_device *dv = hw->device[0] ? hw_device_find(hw->device) : NULL;
		const int64_t amax = dv && dv->dsp_a_bits > 0 ? dv->dsp_a_bits : 27;
		int64_t adsp = array_dsp(hw);
		/* per pe_cols lane: the shared output requantiser's acc_bits + 1 x 32 product
		 * and the vector unit's add input's acc_bits x 32 (docs/rtl.md) */
		out->dsp = adsp + HW_DSP_DMA +
			   hw->pe_cols * (hw_mul_dsp(hw->acc_bits, 32, amax) +
					  hw_mul_dsp(hw->acc_bits + 1, 32, amax));
		out->array_dsp = adsp;
		out->macs_per_dsp_x100 = adsp ? pes * 100 / adsp : 0;
	}

	/* The buffers as the RTL builds them (docs/resources.md "Block RAM"): the ibuf and the
	 * wbuf are one memory each, both halves deep; the obuf is one memory per half. */
	{
		const int64_t d = hw->double_buffer ? 2 : 1;
		const int64_t C = hw->pe_cols;
		const struct buf_shapes bs = buf_shapes(hw);
		const struct spad_shape ib = bs.ib, wb = bs.wb, ob = bs.ob;
		/* the DMA writes ibuf and wbuf lines whole; the array writes one obuf word; the
		 * qbuf: HW_QBUF_WORDS words of C channel records, written whole */
		const int64_t qbits = C * (hw->acc_bits + HW_QREC_EXTRA_BITS);
		int64_t halves = hw_memory_bram_halves(ib.width, 1, d * ib.lines_per_half) +
				 hw_memory_bram_halves(wb.width, 1, d * wb.lines_per_half) +
				 d * hw_memory_bram_halves(ob.width / ob.nb, ob.nb, ob.lines_per_half) +
				 hw_memory_bram_halves(qbits, 1, HW_QBUF_WORDS);
		int64_t store_lanes = ob.nb * C;
		int64_t line_bits = ib.width + wb.width + d * ob.width;

		out->bram_halves = halves;
		out->bram36 = hn_cdiv(halves, 2);
		out->lut = array_lut(hw) + HW_LUT_FIXED +
			   hn_cdiv(store_lanes * hw->acc_bits * HW_LUT_STORE_BIT_X2 +
				   line_bits * HW_LUT_LINE_BIT_X2, 2) +
			   C * ((int64_t)hw->acc_bits + 33) * HW_LUT_REQUANT_BIT;
		out->ff = pes * ff_per_pe(hw) + HW_FF_FIXED + store_lanes * hw->acc_bits +
			  HW_FF_OUTSTAGE_FIXED + C * ((int64_t)hw->act_bits + 2 * hw->acc_bits);
	}

	out->fits = 1;
	if (hw->device[0]) {
		const struct hw_device *dev = hw_device_find(hw->device);
		if (dev) {
			check_fit(dev, out);
		} else {
			out->fits = 0;
			snprintf(out->why, sizeof(out->why), "unknown device '%.*s'",
				 HW_NAME_MAX - 1, hw->device);
		}
	}
}

int64_t hw_axi_dsp_delta(const struct hw_config *hw)
{
	const struct hw_device *dv = hw->device[0] ? hw_device_find(hw->device) : NULL;
	const int64_t amax = dv && dv->dsp_a_bits > 0 ? dv->dsp_a_bits : 27;

	/* the DMA's byte count (the AXI master counts the bytes it moves itself); the vector
	 * unit's products are built (vector requests run through AXI) */
	(void)amax;
	return HW_DSP_DMA;
}

void hw_axi_shape_of(const struct hw_config *hw, const struct hw_axi_bus *bus,
		     struct hw_axi_shape *out)
{
	const struct buf_shapes b = buf_shapes(hw);

	out->dw = bus->dw;
	out->maxb = bus->maxb;
	out->maxout = bus->maxout;
	out->a_bits = hw->act_bits;
	out->w_bits = hw->weight_bits;
	out->acc_bits = hw->acc_bits;
	out->ilanes = b.li;
	out->wlanes = b.lw;
	out->olanes = hw->pe_cols;
	out->inb = b.ib.nb;
	out->wnb = b.wb.nb;
	out->onb = b.ob.nb;
	out->sw = hn_max64(hn_max64(b.ib.lines_per_half * b.ib.nb, b.wb.lines_per_half * b.wb.nb),
			   b.ob.lines_per_half * b.ob.nb);
}

/* rtl/hwnas_axi_mem.v's staging memory, one hwnas_spad: as many words as the deepest buffer
 * half (SW), a row of NBK = the widest line's words (INB, WNB, ONB) of LMAX lanes (the most
 * of the three buffers'), each lane an element of acc bytes with its own write enable. */
int64_t hw_axi_staging_bram_halves(const struct hw_config *hw)
{
	const struct hw_axi_bus bus = { 64, 16, 16 }; /* the memory does not depend on it */
	struct hw_axi_shape s;
	int64_t nbk, lmax;

	hw_axi_shape_of(hw, &bus, &s);
	nbk = hn_max64(hn_max64(s.inb, s.wnb), s.onb);
	lmax = hn_max64(hn_max64(s.ilanes, s.wlanes), s.olanes);
	return hw_memory_bram_halves(8 * hw_acc_bytes(hw), nbk * lmax, hn_cdiv(s.sw, nbk));
}

/* The AXI top's own logic (docs/resources.md "The AXI top"), fitted to Yosys 0.23
 * synth_xilinx of hwnas_axi with hwnas_top a black box on the points of
 * tests/data/synth/axi_master.csv (bench/axi_lut.sh). */
enum {
	/* LUTs of what no parameter but the bus scales: the two run generators' 32-bit
	 * counters, the element walk, the AR / AW issuers and their 32-bit row and burst
	 * counters, the fetchers' record loading, the AXI4-Lite slave, the run control;
	 * fitted (9,613) */
	HW_AXI_LUT_FIXED = 9613,
	/* LUTs per bit of the staging slots' element sources, x1000: each of the NBK x LMAX
	 * slots takes its element from the turned read beat as each load op places it (act,
	 * weight and acc bytes: a multiplexer by op), and the store's capture and the packer's
	 * window gather move acc bytes in and out of it: NBK x LMAX x 8 x (a + w + 2 c bytes);
	 * fitted on rtl/ of 75930fd (1.674; the chunk placed by position, linear in the row) */
	HW_AXI_LUT_SLOT_BIT_X1000 = 1674,
	/* ... and per source bit per 64 bits of bus, x1000: what of the slots' logic grows with
	 * the beat (the positions a slot's window and write enable decode, the rotations'
	 * width); fitted (0.623: on the main job's 8x8 point 64 -> 256 bits adds 11.2 k LUTs,
	 * on a 4x4 8-bit point 1.4 k) */
	HW_AXI_LUT_SLOT_BIT_BUS_X1000 = 623,
	/* FFs of the fixed registers: the 192- and 32-byte record registers and the walk's
	 * start words (1,464 + 196 + 472 used bits), the two run generators (2 x 568), the
	 * 32-bit walk, burst, row and byte counters, the AXI4-Lite slave's registers and the
	 * run control's cycle counters; fitted (4,815; 4,951 with a 64-bit bus's beat
	 * registers) */
	HW_AXI_FF_FIXED = 4815,
};

void hw_axi_logic(const struct hw_axi_shape *s, int64_t *lut, int64_t *ff)
{
	const int64_t db = s->dw / 8;
	const int64_t nbk = hn_max64(hn_max64(s->inb, s->wnb), s->onb);
	const int64_t lmax = hn_max64(hn_max64(s->ilanes, s->wlanes), s->olanes);
	const int64_t src_bits = nbk * lmax * 8 * (hn_cdiv(s->a_bits, 8) + hn_cdiv(s->w_bits, 8) +
						   2 * hn_cdiv(s->acc_bits, 8));

	*lut = HW_AXI_LUT_FIXED + hn_cdiv(src_bits * HW_AXI_LUT_SLOT_BIT_X1000, 1000) +
	       hn_cdiv(src_bits * s->dw * HW_AXI_LUT_SLOT_BIT_BUS_X1000, 64 * 1000);
	/* structural beside the fixed part: the held read beat and the W beat with its
	 * strobes (2 x DW + DW / 8); per output lane a vector word's lane (act bits) and a
	 * parameter word's lane on mem_qline (acc + 40 bits) */
	*ff = HW_AXI_FF_FIXED + 2 * s->dw + db +
	      s->olanes * (s->a_bits + s->acc_bits + HW_QREC_EXTRA_BITS);
}

int hw_axi_point_parse(const char *line, struct hw_axi_point *p)
{
	long long v[17]; /* rows .. maxout, lut, ff */
	struct hw_axi_shape *s = &p->s;

	if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
		return 1;
	if (sscanf(line, "%63[^,],%7[^,],%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,"
		   "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%63s", p->name, p->set, &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12],
		   &v[13], &v[14], &v[15], &v[16], p->rtl) != 20 || v[15] <= 0 || v[16] <= 0)
		return -1;
	/* rows, cols, df: the lanes as rtl/hwnas_axi.v gives them (is swaps I and W) */
	s->ilanes = v[2] == 2 ? v[1] : v[0];
	s->wlanes = v[2] == 2 ? v[0] : v[1];
	s->olanes = v[1];
	s->a_bits = v[3];
	s->w_bits = v[4];
	s->acc_bits = v[5];
	s->inb = v[6];
	s->wnb = v[7];
	s->onb = v[8];
	s->sw = v[9] > v[10] ? v[9] : v[10];
	s->sw = s->sw > v[11] ? s->sw : v[11];
	s->dw = v[12];
	s->maxb = v[13];
	s->maxout = v[14];
	p->lut = v[15];
	p->ff = v[16];
	return 0;
}

void hw_axi_resources(const struct hw_config *hw, const struct hw_axi_bus *bus,
		      struct hw_resources *out)
{
	struct hw_axi_shape s;
	int64_t lut, ff;

	hw_resources(hw, out);
	hw_axi_shape_of(hw, bus, &s);
	hw_axi_logic(&s, &lut, &ff);
	out->dsp -= hw_axi_dsp_delta(hw);
	out->bram_halves += hw_axi_staging_bram_halves(hw);
	out->bram36 = hn_cdiv(out->bram_halves, 2);
	out->lut += lut;
	out->ff += ff;
	if (hw->device[0]) {
		const struct hw_device *dev = hw_device_find(hw->device);
		if (dev)
			check_fit(dev, out);
	}
}
