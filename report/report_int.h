/* report_int.h: the SVG plot primitives of report_svg.c, used by report_html.c; nothing
 * outside report/ includes it. */
#ifndef REPORT_INT_H
#define REPORT_INT_H

#include "report.h"

/* ---- Plots (report_svg.c) ---- */

enum { PLOT_LIN = 0, PLOT_LOG = 1 };

struct plot_axis {
	const char *label;              /* with its unit: "latency (ms)" */
	int scale;                      /* PLOT_LIN or PLOT_LOG */
	int n;                          /* values seen */
	double lo, hi;                  /* data range; after plot_axis_fit, the drawn range */
	double pos_lo;                  /* smallest positive value seen */
	double step;                    /* linear tick step (plot_axis_fit) */
};
enum { PLOT_AUTO = 1, PLOT_NEVER_LOG = 0, PLOT_ALWAYS_LOG = 2 };

/* A plot frame: size in px, margins, the two axes. */
struct plot {
	const char *id;                 /* element id and file stem: "acc-lat" */
	const char *title;
	double w, h;
	double ml, mr, mt, mb;          /* margins */
	struct plot_axis x, y;
	int cat_y;                      /* 1: the caller labels the rows (bar chart) */
};

/* Widens [lo, hi] to hold v (NaN and, on a log axis, v <= 0 are ignored). */
void plot_axis_see(struct plot_axis *a, double v);
/* Chooses the scale (PLOT_AUTO: log when the data are positive and span more than `decades`
 * decades; PLOT_ALWAYS_LOG, PLOT_NEVER_LOG) and pads the range to nice ticks. Call after
 * every plot_axis_see. */
void plot_axis_fit(struct plot_axis *a, double decades, int log_rule);
/* Screen coordinates of a data value. */
double plot_px(const struct plot *p, double x);
double plot_py(const struct plot *p, double y);
/* 1 when (x, y) can be drawn (finite, positive on log axes). */
int plot_ok(const struct plot *p, double x, double y);
/* Opens <svg> (with xmlns, viewBox, the title) and draws the frame, grid, ticks and axis
 * labels; plot_end draws nothing more than </svg>. */
void plot_begin(struct rbuf *b, const struct plot *p);
void plot_end(struct rbuf *b);
/* A legend row in the top margin, under the title: n entries of (colour, label, shape 'c'
 * circle, 'C' outlined circle, 'l' line, 'r' rectangle, 'd' dashed line). */
struct plot_key {
	const char *color, *label;
	char shape;
};
void plot_legend(struct rbuf *b, const struct plot *p, const struct plot_key *k, int n);
/* A note in the middle of the plot area ("no RTL results"). */
void plot_note(struct rbuf *b, const struct plot *p, const char *text);
/* Formats a value for ticks and tooltips (3 significant digits, k/M/G for big values). */
const char *plot_fmt(double v, char *buf, size_t size);

#endif
