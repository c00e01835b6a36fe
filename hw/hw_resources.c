/* hw_resources.c: DSP, BRAM36, LUT and FF estimate of a configuration, and whether it fits
 * its device. Pure. docs/resources.md states every rule and where each number comes from. */
#include "hw.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* The model's coefficients, all in one place. The LUT and FF figures are estimates, to be
 * calibrated against Yosys `synth_xilinx` of rtl/ (docs/resources.md). */
enum {
	/* A product narrower than this on both operands is built in LUTs: 4x4 bits only, since
	 * widths are 4, 8 or 16. 8-bit or wider products take one DSP slice per PE (no INT8
	 * two-per-DSP packing, which needs a dedicated RTL structure, Xilinx WP486). */
	HW_DSP_MIN_OPERAND_BITS = 8,
	/* Width of the DSP's post-adder / accumulator (P register) on DSP48E1 and DSP48E2;
	 * accumulator bits beyond it extend the sum in fabric, one LUT per bit. */
	HW_DSP_ACC_BITS = 48,
	/* LUT6s of a signed 4x4 -> 8-bit multiplier in fabric (synthesis reports for small
	 * array multipliers run 16 to 20; we take 18). */
	HW_LUT_MUL4X4 = 18,
	/* Per PE: psum / operand muxes and control, LUTs = acc_bits / 2 + HW_LUT_PE_BASE. */
	HW_LUT_PE_BASE = 8,
	/* Per PE: FFs = act_bits + weight_bits (operand pipeline) + acc_bits (accumulator)
	 * + HW_FF_PE_CTRL (valid and load-stationary bits). */
	HW_FF_PE_CTRL = 2,
	/* DMA engine, AXI interfaces, tile-program controller, buffer address generators. */
	HW_LUT_FIXED = 3000,
	HW_FF_FIXED = 4000,
};

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

int64_t hw_buffer_bram36(int64_t bytes, int64_t width_bits)
{
	int64_t depth, best = -1;

	assert(bytes > 0 && width_bits > 0);
	depth = hn_cdiv(bytes * 8, width_bits);
	for (size_t i = 0; i < sizeof(bram_modes) / sizeof(bram_modes[0]); i++) {
		const struct bram_mode *m = &bram_modes[i];
		int64_t halves = hn_cdiv(width_bits, m->width) * hn_cdiv(depth, m->depth) * m->halves;
		if (best < 0 || halves < best)
			best = halves;
	}
	return hn_cdiv(best, 2);
}

static int uses_dsp(const struct hw_config *hw)
{
	return hw->act_bits >= HW_DSP_MIN_OPERAND_BITS || hw->weight_bits >= HW_DSP_MIN_OPERAND_BITS;
}

static int64_t lut_per_pe(const struct hw_config *hw)
{
	int64_t lut = hw->acc_bits / 2 + HW_LUT_PE_BASE;

	if (!uses_dsp(hw))
		lut += HW_LUT_MUL4X4 + hw->acc_bits; /* multiplier and a carry-chain adder */
	else if (hw->acc_bits > HW_DSP_ACC_BITS)
		lut += hw->acc_bits - HW_DSP_ACC_BITS;
	return lut;
}

static int64_t ff_per_pe(const struct hw_config *hw)
{
	return (int64_t)hw->act_bits + hw->weight_bits + hw->acc_bits + HW_FF_PE_CTRL;
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

	out->dsp = uses_dsp(hw) ? pes : 0;
	out->macs_per_dsp_x100 = uses_dsp(hw) ? 100 : 0;
	/* Each buffer is banked to its port width: one element per array row (ibuf) or column
	 * (wbuf, obuf) per cycle. Both halves of a double buffer share the banks. */
	out->bram36 = hw_buffer_bram36(hw->ibuf_bytes, (int64_t)hw->pe_rows * hw->act_bits) +
		      hw_buffer_bram36(hw->wbuf_bytes, (int64_t)hw->pe_cols * hw->weight_bits) +
		      hw_buffer_bram36(hw->obuf_bytes, (int64_t)hw->pe_cols * hw->acc_bits);
	out->lut = pes * lut_per_pe(hw) + HW_LUT_FIXED;
	out->ff = pes * ff_per_pe(hw) + HW_FF_FIXED;

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
