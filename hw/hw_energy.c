/* hw_energy.c: default energy per action and the lookups the cost model uses.
 *
 * Source: M. Horowitz, "Computing's Energy Problem (and what we can do about it)", ISSCC 2014,
 * 45 nm, 0.9 V. These are ASIC figures: an FPGA spends several times more per operation, so
 * the defaults rank design points rather than predict a board's joules. A JSON table
 * (docs/hw_config.md "Energy table") replaces any of them, e.g. with figures from Xilinx XPE
 * or from measurements. */
#include "hw.h"

#include <math.h>

#define KIB 1024LL

struct hw_energy hw_energy_default(void)
{
	struct hw_energy e = {
		/* MAC = multiply + add into a 32-bit accumulator (the default acc_bits, and the
		 * least acc_bits a 16x16 product allows). Horowitz: 8-bit mult 0.2 pJ, 32-bit
		 * mult 3.1 pJ (0.2 x (32/8)^2 = 3.2: a multiplier's energy scales ~ bits^2), 32-bit
		 * add 0.1 pJ. So 4-bit mult 0.2 / 4 = 0.05, 16-bit mult 0.2 x 4 = 0.8:
		 * 4-bit 0.05 + 0.1, 8-bit 0.2 + 0.1, 16-bit 0.8 + 0.1 pJ. */
		.mac_pj = { 0.15, 0.30, 0.90 },
		/* Horowitz, SRAM read of 64 bits: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ, i.e.
		 * 1.25, 2.5 and 12.5 pJ/B. Small (<= 32 KiB) takes the 32 KB figure; medium
		 * (<= 256 KiB) 5 pJ/B is our interpolation (log-linear in size between 32 KB and
		 * 1 MB gives 4.0 at the class's geometric middle, 6.6 at its top); large takes
		 * the 1 MB figure. */
		.sram_pj_per_byte_small = 2.5,
		.sram_pj_per_byte_medium = 5.0,
		.sram_pj_per_byte_large = 12.5,
		/* Horowitz, DRAM: 1.3 to 2.6 nJ per 64-bit access; the low end, 1300 / 8 = 162.5,
		 * rounded to 160 pJ/B. */
		.dram_pj_per_byte = 160.0,
		/* Assumption: the static power of the accelerator's share of the device. An FPGA's
		 * static power depends on the part, the process corner and the junction
		 * temperature; Xilinx XPE gives the real figure. */
		.static_mw = 500.0,
		/* Assumption: moving a byte between neighbouring PE registers, about twice an
		 * 8-bit add (0.03 pJ) for the flip-flops and the short wire. */
		.reg_pj_per_byte = 0.06,
	};
	return e;
}

#define HW_ENERGY_MAX 1e6

int hw_energy_check(const struct hw_energy *e, const char *origin, struct hn_err *err)
{
	const struct { const char *name; double v; } fields[] = {
		{ "mac_pj.4", e->mac_pj[0] },
		{ "mac_pj.8", e->mac_pj[1] },
		{ "mac_pj.16", e->mac_pj[2] },
		{ "sram_pj_per_byte_small", e->sram_pj_per_byte_small },
		{ "sram_pj_per_byte_medium", e->sram_pj_per_byte_medium },
		{ "sram_pj_per_byte_large", e->sram_pj_per_byte_large },
		{ "dram_pj_per_byte", e->dram_pj_per_byte },
		{ "static_mw", e->static_mw },
		{ "reg_pj_per_byte", e->reg_pj_per_byte },
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* 1e6 pJ (a microjoule per MAC or byte) is absurd but still summed exactly
		 * enough: at 1e308 the energy came out as inf (issue 14) */
		if (!(isfinite(fields[i].v) && fields[i].v >= 0.0 && fields[i].v <= HW_ENERGY_MAX)) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be a finite number in [0, %g], got %g",
				      fields[i].name, HW_ENERGY_MAX, fields[i].v);
			break;
		}
	}
	if (ret && origin)
		hn_err_prefix(err, origin);
	return ret;
}

double hw_energy_mac_pj(const struct hw_energy *e, int bits)
{
	if (bits <= 4)
		return e->mac_pj[0];
	if (bits <= 8)
		return e->mac_pj[1];
	return e->mac_pj[2];
}

double hw_energy_sram_pj_per_byte(const struct hw_energy *e, int64_t buf_bytes)
{
	if (buf_bytes <= 32 * KIB)
		return e->sram_pj_per_byte_small;
	if (buf_bytes <= 256 * KIB)
		return e->sram_pj_per_byte_medium;
	return e->sram_pj_per_byte_large;
}
