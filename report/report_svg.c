/* report_svg.c: plot primitives for the report: axes with linear or logarithmic scales,
 * ticks, grid, legend. Styles are SVG attributes, not CSS classes, so that the --svg files
 * look the same outside the page. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#define FONT "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

/* Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
const char *const report_series_colors[8] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
};

const char *report_df_color(int df)
{
	switch (df) {
	case HW_WS: return "#0072B2";
	case HW_OS: return "#E69F00";
	case HW_IS: return "#009E73";
	default: return "#777777";
	}
}

void plot_axis_see(struct plot_axis *a, double v)
{
	if (!isfinite(v))
		return;
	if (a->n++ == 0) {
		a->lo = a->hi = v;
		a->pos_lo = v > 0 ? v : INFINITY;
		return;
	}
	a->lo = fmin(a->lo, v);
	a->hi = fmax(a->hi, v);
	if (v > 0)
		a->pos_lo = fmin(a->pos_lo, v);
}

/* 1, 2 or 5 x a power of ten, at least x. */
static double nice_step(double x)
{
	double p = pow(10, floor(log10(x))), f = x / p;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* The largest 1, 2 or 5 x 10^k at most v, and the smallest at least v: log axes end there
 * rather than at whole decades, so that 0.11 .. 17 ms does not waste a decade. */
static double log_floor(double v)
{
	double p = pow(10, floor(log10(v) + 1e-9)), f = v / p;

	return (f >= 5 - 1e-9 ? 5 : f >= 2 - 1e-9 ? 2 : 1) * p;
}

static double log_ceil(double v)
{
	double p = pow(10, floor(log10(v) - 1e-9)), f = v / p;

	return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * p;
}

void plot_axis_fit(struct plot_axis *a, double decades, int log_rule)
{
	if (a->n == 0) {
		a->lo = 0;
		a->hi = 1;
		a->pos_lo = 1;
	}
	a->scale = PLOT_LIN;
	if (log_rule == PLOT_ALWAYS_LOG ||
	    (log_rule == PLOT_AUTO && a->lo > 0 && a->hi / a->lo > pow(10, decades))) {
		double lo = isfinite(a->pos_lo) ? a->pos_lo : 1, hi = a->hi > lo ? a->hi : lo;
		a->scale = PLOT_LOG;
		a->lo = log_floor(lo);
		a->hi = log_ceil(hi);
		if (a->hi <= a->lo)
			a->hi = a->lo * 10;
		return;
	}
	double lo = a->lo, hi = a->hi;
	if (hi - lo <= 1e-12 * fmax(fabs(lo), 1)) {
		double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
		lo -= d;
		hi += d;
	}
	a->step = nice_step((hi - lo) / 5);
	a->lo = floor(lo / a->step + 1e-9) * a->step;
	a->hi = ceil(hi / a->step - 1e-9) * a->step;
	/* a little air above and below points at the edges */
	if (a->lo == lo && a->lo != 0)
		a->lo -= a->step / 2;
	if (a->hi == hi)
		a->hi += a->step / 2;
}

static double frac(const struct plot_axis *a, double v)
{
	if (a->scale == PLOT_LOG)
		return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	return (v - a->lo) / (a->hi - a->lo);
}

double plot_px(const struct plot *p, double x)
{
	return p->ml + frac(&p->x, x) * (p->w - p->ml - p->mr);
}

double plot_py(const struct plot *p, double y)
{
	return p->h - p->mb - frac(&p->y, y) * (p->h - p->mt - p->mb);
}

int plot_ok(const struct plot *p, double x, double y)
{
	return isfinite(x) && isfinite(y) && (p->x.scale != PLOT_LOG || x > 0) &&
	       (p->y.scale != PLOT_LOG || y > 0);
}

const char *plot_fmt(double v, char *buf, size_t size)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, size, "n/a");
	else if (a >= 1e9)
		snprintf(buf, size, "%.3gG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.3gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, size, "%.3gk", v / 1e3);
	else
		snprintf(buf, size, "%.4g", v);
	return buf;
}

/* Tick values of an axis into t (at most max); returns the count. Minor log ticks (2..9 x
 * 10^k) are marked by a negative sign in minor[]. */
static int ticks(const struct plot_axis *a, double *t, int *major, int max)
{
	int n = 0;

	if (a->scale == PLOT_LOG) {
		int d0 = (int)floor(log10(a->lo) + 1e-9), d1 = (int)ceil(log10(a->hi) - 1e-9);
		double span = log10(a->hi) - log10(a->lo);
		for (int d = d0; d <= d1 && n < max; d++) {
			double base = pow(10, d);
			for (int m = 1; m <= 9 && n < max; m++) {
				double v = base * m;
				if (v < a->lo * (1 - 1e-9))
					continue;
				if (v > a->hi * (1 + 1e-9))
					break;
				t[n] = v;
				/* few decades: label 2 and 5 too */
				major[n++] = m == 1 || (span <= 2.5 && (m == 2 || m == 5));
			}
		}
		return n;
	}
	for (double v = a->lo; v <= a->hi + a->step * 1e-6 && n < max; v += a->step) {
		t[n] = fabs(v) < a->step * 1e-9 ? 0 : v;
		major[n++] = 1;
	}
	return n;
}

void plot_begin(struct rbuf *b, const struct plot *p)
{
	double x0 = p->ml, x1 = p->w - p->mr, y0 = p->mt, y1 = p->h - p->mb;
	double t[128];
	int major[128], n;
	char buf[32];

	rbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"plot\" "
		    "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" font-family=\"%s\" "
		    "font-size=\"12\" role=\"img\" aria-label=\"", p->id, p->w, p->h, p->w, p->h,
		    FONT);
	rbuf_esc(b, p->title);
	rbuf_puts(b, "\">\n<title>");
	rbuf_esc(b, p->title);
	rbuf_printf(b, "</title>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
		    p->w, p->h);
	rbuf_printf(b, "<text x=\"%.1f\" y=\"20\" font-size=\"14\" font-weight=\"600\" "
		    "fill=\"#1f2937\">", x0);
	rbuf_esc(b, p->title);
	rbuf_puts(b, "</text>\n");
	rbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		    "fill=\"#fbfbfd\" stroke=\"#d1d5db\"/>\n", x0, y0, x1 - x0, y1 - y0);
	/* x ticks and vertical grid */
	n = ticks(&p->x, t, major, 128);
	rbuf_puts(b, "<g class=\"axis x\" fill=\"#4b5563\" text-anchor=\"middle\">\n");
	for (int i = 0; i < n; i++) {
		double x = plot_px(p, t[i]);
		if (x < x0 - 0.5 || x > x1 + 0.5)
			continue;
		rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
			    x, y0, x, y1, major[i] ? "#e5e7eb" : "#f1f2f4");
		if (major[i])
			rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"#6b7280\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, y1,
				    x, y1 + 5, x, y1 + 18, plot_fmt(t[i], buf, sizeof(buf)));
	}
	rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#111827\" font-size=\"12.5\">",
		    (x0 + x1) / 2, p->h - 12);
	rbuf_esc(b, p->x.label);
	if (p->x.scale == PLOT_LOG)
		rbuf_puts(b, " \xc2\xb7 log scale");
	rbuf_puts(b, "</text>\n</g>\n");
	if (p->cat_y)
		return;
	/* y ticks and horizontal grid */
	n = ticks(&p->y, t, major, 128);
	rbuf_puts(b, "<g class=\"axis y\" fill=\"#4b5563\" text-anchor=\"end\">\n");
	for (int i = 0; i < n; i++) {
		double y = plot_py(p, t[i]);
		if (y < y0 - 0.5 || y > y1 + 0.5)
			continue;
		rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
			    x0, y, x1, y, major[i] ? "#e5e7eb" : "#f1f2f4");
		if (major[i])
			rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"#6b7280\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x0 - 5,
				    y, x0, y, x0 - 8, y + 4, plot_fmt(t[i], buf, sizeof(buf)));
	}
	rbuf_printf(b, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\" "
		    "fill=\"#111827\" font-size=\"12.5\">", (y0 + y1) / 2);
	rbuf_esc(b, p->y.label);
	if (p->y.scale == PLOT_LOG)
		rbuf_puts(b, " \xc2\xb7 log scale");
	rbuf_puts(b, "</text>\n</g>\n");
}

void plot_end(struct rbuf *b)
{
	rbuf_puts(b, "</svg>\n");
}

void plot_legend(struct rbuf *b, const struct plot *p, const struct plot_key *k, int n)
{
	double x = p->ml, cy = 38;

	rbuf_puts(b, "<g class=\"legend\">\n");
	for (int i = 0; i < n; i++) {
		double cx = x + 8;
		switch (k[i].shape) {
		case 'c':
			rbuf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>", cx,
				    cy, k[i].color);
			break;
		case 'C': /* a highlighted (front) point */
			rbuf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" "
				    "stroke=\"#111827\" stroke-width=\"1.6\"/>", cx, cy, k[i].color);
			break;
		case 'r':
			rbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"9\" "
				    "fill=\"%s\"/>", cx - 6, cy - 4.5, k[i].color);
			break;
		case 'd':
			rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
				    cx - 8, cy, cx + 8, cy, k[i].color);
			break;
		default:
			rbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"%s\" stroke-width=\"2.2\"/>", cx - 8, cy, cx + 8, cy,
				    k[i].color);
		}
		rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#374151\">", cx + 12, cy + 4);
		rbuf_esc(b, k[i].label);
		rbuf_puts(b, "</text>\n");
		x += 12 + 20 + 6.3 * (double)strlen(k[i].label) + 8;
	}
	rbuf_puts(b, "</g>\n");
}

void plot_note(struct rbuf *b, const struct plot *p, const char *text)
{
	rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#6b7280\" "
		    "font-size=\"13\">", (p->ml + p->w - p->mr) / 2, (p->mt + p->h - p->mb) / 2);
	rbuf_esc(b, text);
	rbuf_puts(b, "</text>\n");
}
