/* cost_kendall.c: Kendall's tau-b, the rank agreement of the model's and the RTL's figures
 * (hwnas validate, explore --rtl; docs/validation.md). Pure. */
#include <math.h>

#include "models.h"

double cost_kendall_tau_b(const double *x, const double *y, int n)
{
	double conc = 0, disc = 0, tx = 0, ty = 0;

	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			double dx = x[i] - x[j], dy = y[i] - y[j];
			if (dx == 0 && dy == 0)
				continue;
			if (dx == 0)
				tx++;
			else if (dy == 0)
				ty++;
			else if ((dx > 0) == (dy > 0))
				conc++;
			else
				disc++;
		}
	}
	double den = sqrt((conc + disc + tx) * (conc + disc + ty));
	return den > 0 ? (conc - disc) / den : 0.0;
}
