/* bench_axi_lut.c: the AXI top's LUT / FF model (hw_axi_logic, docs/resources.md "The AXI
 * top") against Yosys on every point of a data file of bench/axi_lut.sh's format (default
 * tests/data/synth/axi_master.csv, the recorded syntheses): per point the measured and
 * modelled LUT and FF and the error, then the largest and the mean error over the points
 * the constants were fitted on ("fit") and over those held out ("held"); then the constants a
 * refit on the "fit" points would give (relative least squares, as hw_axi_logic's were
 * fitted), to copy into hw/hw_resources.c after a change to the RTL. bench/axi_lut.sh
 * synthesises the points again and runs this on the fresh figures. Exit 1 on a file it
 * cannot read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hw/hw.h"

#define MAX_POINTS 64

/* One point's terms of hw_axi_logic (hw/hw_resources.c: the fixed part, the staging slots'
 * source bits, DW x log2(DB); FF: the structural part besides the fixed one) and Yosys's. */
struct point {
	double src_bits, src_bus, ff_struct, lut, ff;
};

/* Solves the n x n system a x = b in place (Gaussian elimination, partial pivoting).
 * Returns -1 when it is singular. */
static int solve(int n, double a[3][3], double b[3], double x[3])
{
	for (int i = 0; i < n; i++) {
		int p = i;
		for (int r = i + 1; r < n; r++)
			if (fabs(a[r][i]) > fabs(a[p][i]))
				p = r;
		if (fabs(a[p][i]) < 1e-12)
			return -1;
		for (int c = 0; c < n; c++) {
			double t = a[i][c];
			a[i][c] = a[p][c];
			a[p][c] = t;
		}
		{
			double t = b[i];
			b[i] = b[p];
			b[p] = t;
		}
		for (int r = 0; r < n; r++) {
			double f;
			if (r == i)
				continue;
			f = a[r][i] / a[i][i];
			for (int c = 0; c < n; c++)
				a[r][c] -= f * a[i][c];
			b[r] -= f * b[i];
		}
	}
	for (int i = 0; i < n; i++)
		x[i] = b[i] / a[i][i];
	return 0;
}

/* The refit: LUT = x0 + x1 x source bits + x2 x source bits x DW / 64 minimising the sum of squared
 * relative errors; FF fixed = the weighted mean of (FF - structural) with weights 1 / FF^2. */
static void print_refit(const struct point *pt, int n)
{
	double a[3][3] = { { 0 } }, b[3] = { 0 }, x[3], fw = 0, fs = 0;

	if (n < 3) {
		printf("refit: needs 3 fit points, has %d\n", n);
		return;
	}
	for (int i = 0; i < n; i++) {
		const double f[3] = { 1, pt[i].src_bits, pt[i].src_bus };
		const double w = 1.0 / (pt[i].lut * pt[i].lut);
		for (int r = 0; r < 3; r++) {
			for (int c = 0; c < 3; c++)
				a[r][c] += w * f[r] * f[c];
			b[r] += w * f[r] * pt[i].lut;
		}
		fw += 1.0 / (pt[i].ff * pt[i].ff);
		fs += (pt[i].ff - pt[i].ff_struct) / (pt[i].ff * pt[i].ff);
	}
	if (solve(3, a, b, x))
		printf("refit: the fit points do not separate the terms\n");
	else
		printf("refit on the %d fit points: HW_AXI_LUT_FIXED %.0f, "
		       "HW_AXI_LUT_SLOT_BIT_X1000 %.0f, HW_AXI_LUT_SLOT_BIT_BUS_X1000 %.0f, HW_AXI_FF_FIXED %.0f\n",
		       n, x[0], 1000.0 * x[1], 1000.0 * x[2], fs / fw);
}

struct errs {
	int n;
	double lut_max, ff_max, lut_sum, ff_sum;
};

static void add_err(struct errs *e, double lut_pct, double ff_pct)
{
	e->n++;
	e->lut_max = fmax(e->lut_max, fabs(lut_pct));
	e->ff_max = fmax(e->ff_max, fabs(ff_pct));
	e->lut_sum += fabs(lut_pct);
	e->ff_sum += fabs(ff_pct);
}

static void print_errs(const char *what, const struct errs *e)
{
	if (e->n)
		printf("%-5s %2d points: LUT max |err| %5.1f%%, mean %5.1f%%; FF max %5.1f%%, "
		       "mean %5.1f%%\n", what, e->n, e->lut_max, e->lut_sum / e->n, e->ff_max,
		       e->ff_sum / e->n);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/data/synth/axi_master.csv";
	FILE *f = fopen(path, "r");
	struct errs fit = { 0 }, held = { 0 };
	struct point pt[MAX_POINTS];
	int npt = 0;
	char line[512];

	if (!f) {
		fprintf(stderr, "bench_axi_lut: cannot read %s\n", path);
		return 1;
	}
	printf("%-20s %-4s %7s %7s %7s %6s %6s %7s\n", "point", "set", "LUT", "model", "err",
	       "FF", "model", "err");
	while (fgets(line, sizeof(line), f)) {
		struct hw_axi_point ap;
		struct hw_axi_shape s;
		int64_t ml, mf, lut, ff;
		double el, ef;
		int rc = hw_axi_point_parse(line, &ap);

		if (rc > 0)
			continue;
		if (rc < 0) {
			fprintf(stderr, "bench_axi_lut: %s: cannot read the line '%s'\n", path, line);
			fclose(f);
			return 1;
		}
		s = ap.s;
		lut = ap.lut;
		ff = ap.ff;
		hw_axi_logic(&s, &ml, &mf);
		el = 100.0 * (double)(ml - lut) / (double)lut;
		ef = 100.0 * (double)(mf - ff) / (double)ff;
		printf("%-20s %-4s %7lld %7lld %+6.1f%% %6lld %6lld %+6.1f%%\n", ap.name, ap.set,
		       (long long)lut, (long long)ml, el, (long long)ff, (long long)mf, ef);
		add_err(strcmp(ap.set, "held") ? &fit : &held, el, ef);
		if (strcmp(ap.set, "held") && npt < MAX_POINTS) {
			/* hw_axi_logic's terms, as hw/hw_resources.c counts them */
			int64_t nbk = s.inb > s.wnb ? s.inb : s.wnb, lm = s.ilanes;
			nbk = nbk > s.onb ? nbk : s.onb;
			lm = lm > s.wlanes ? lm : s.wlanes;
			lm = lm > s.olanes ? lm : s.olanes;
			pt[npt].src_bits = (double)(nbk * lm * 8 * ((s.a_bits + 7) / 8 + (s.w_bits + 7) / 8 +
								   2 * ((s.acc_bits + 7) / 8)));
			pt[npt].src_bus = pt[npt].src_bits * (double)s.dw / 64.0;
			pt[npt].ff_struct = (double)(2 * s.dw + s.dw / 8 +
						     s.olanes * (s.a_bits + s.acc_bits + 40));
			pt[npt].lut = (double)lut;
			pt[npt].ff = (double)ff;
			npt++;
		}
	}
	fclose(f);
	print_errs("fit", &fit);
	print_errs("held", &held);
	print_refit(pt, npt);
	return 0;
}
