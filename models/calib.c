/* calib.c: a least-squares correction of the model's stall term fitted on RTL samples
 * (docs/validation.md). Pure: no allocation, no I/O. */
#include "models.h"

#include <math.h>
#include <string.h>

void cost_calib_init(struct cost_calib *c)
{
	memset(c, 0, sizeof(*c));
	for (int d = 0; d < HW_DF_COUNT; d++)
		for (int b = 0; b < 2; b++) {
			c->cls[d][b].a = 1.0;
			c->cls[d][b].b = 0.0;
		}
}

void cost_calib_fit(struct cost_calib *c, const struct cost_calib_sample *s, int n)
{
	cost_calib_init(c);
	for (int d = 0; d < HW_DF_COUNT; d++) {
		for (int b = 0; b < 2; b++) {
			/* rtl stall y = a x + b0 on model stall x, least squares on the relative
			 * residual (each sample weighted by 1 / model cycles^2): an absolute fit lets
			 * the large layers set an offset b0 that swamps the small ones
			 * (docs/validation.md) */
			double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
			for (int i = 0; i < n; i++) {
				if ((int)s[i].df != d || !!s[i].double_buffer != b)
					continue;
				double x = (double)(s[i].model_cycles - s[i].compute_cycles);
				double y = (double)(s[i].rtl_cycles - s[i].compute_cycles);
				double w = 1.0 / ((double)s[i].model_cycles * (double)s[i].model_cycles);
				sw += w;
				sx += w * x;
				sy += w * y;
				sxx += w * x * x;
				sxy += w * x * y;
				k++;
			}
			if (k < 3)
				continue;
			double den = sw * sxx - sx * sx;
			struct cost_calib_class *cl = &c->cls[d][b];
			cl->n = (int)k;
			if (fabs(den) < 1e-12 * (sw * sxx + 1e-30)) {
				/* every x equal: a pure offset */
				cl->a = 1.0;
				cl->b = (sy - sx) / sw;
			} else {
				cl->a = (sw * sxy - sx * sy) / den;
				cl->b = (sy - cl->a * sx) / sw;
			}
		}
	}
}

int64_t cost_calib_cycles(const struct cost_calib *c, const struct hw_config *hw,
			  const struct cost_report *r)
{
	const struct cost_calib_class *cl;
	double v;
	int64_t lo, out;

	if (!r->feasible || r->gemm.g == 0 || (unsigned)hw->dataflow >= HW_DF_COUNT)
		return r->cycles;
	cl = &c->cls[hw->dataflow][hw->double_buffer ? 1 : 0];
	if (!cl->n)
		return r->cycles;
	v = (double)r->compute_cycles + cl->a * (double)(r->cycles - r->compute_cycles) + cl->b;
	out = (int64_t)llround(v);
	/* the RTL is never faster than its array or its DMA alone */
	lo = hw->double_buffer ? hn_max64(r->compute_cycles, r->mem_cycles) :
		r->compute_cycles + r->mem_cycles;
	return out < lo ? lo : out;
}

void cost_calib_apply(const struct cost_calib *c, const struct hw_config *hw,
		      struct cost_report *r)
{
	int64_t cyc = cost_calib_cycles(c, hw, r);

	if (cyc == r->cycles || r->cycles <= 0)
		return;
	r->energy_pj[COST_E_STATIC] *= (double)cyc / (double)r->cycles;
	r->energy_total_pj = r->energy_pj[0] + r->energy_pj[1] + r->energy_pj[2] + r->energy_pj[3];
	r->cycles = cyc;
	r->stall_cycles = cyc - r->compute_cycles;
	r->attained_gops = 2.0 * (double)r->macs * hw->freq_mhz / 1000.0 / (double)cyc;
	r->utilization = (double)r->macs / ((double)hw->pe_rows * hw->pe_cols * (double)cyc);
}
