/* report_html.c: the report page and its plots. One self-contained HTML file: inline CSS,
 * inline SVG, a little inline JS (table sorting, hover); no network access, no fonts.
 *
 * Every plotted data point is an SVG element with a data-point attribute ("eval", "front",
 * "layer", "rtl") and a <title> giving its parameters, so that the browser test can count
 * them and a reader can hover them (also in the --svg files). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Above this many feasible evaluations, a Pareto plot draws every k-th one only. */
#define MAX_EVAL_DOTS 40000
/* Above this many, evaluation dots get no tooltip (the page would grow by ~200 B each). */
#define MAX_EVAL_TITLES 8000
/* The breakdown shows at most this many layers (the slowest, in network order). */
#define MAX_BARS 40

static const char *const plot_ids[RP_COUNT] = {
	"acc-latency", "acc-energy", "latency-dsp", "roofline", "breakdown", "model-vs-rtl",
	"progress",
};

const char *report_plot_id(int which)
{
	return which >= 0 && which < RP_COUNT ? plot_ids[which] : "?";
}

static const char *metric_label(int m)
{
	switch (m) {
	case SEARCH_M_ACCURACY: return "accuracy (%)";
	case SEARCH_M_LATENCY_MS: return "latency (ms)";
	case SEARCH_M_ENERGY_MJ: return "energy per inference (mJ)";
	case SEARCH_M_EDP: return "EDP (mJ\xc2\xb7ms)";
	case SEARCH_M_DSP: return "DSP slices";
	case SEARCH_M_BRAM: return "BRAM36 blocks";
	case SEARCH_M_LUT: return "LUTs";
	case SEARCH_M_FF: return "flip-flops";
	case SEARCH_M_MACS: return "MACs per inference";
	default: return "?";
	}
}

/* "32x32 ws, 16/16-bit (acc 32), buffers 32/32/32 KiB, 200 MHz, DRAM 19.2 GB/s", with
 * ", mac_packing dsp2" after the widths when packed */
static void describe_hw(const struct hw_config *hw, char *buf, size_t size)
{
	snprintf(buf, size, "%dx%d %s, %d/%d-bit (acc %d)%s%s, buffers %lld/%lld/%lld KiB%s, "
		 "%.0f MHz, DRAM %.1f GB/s", hw->pe_rows, hw->pe_cols, hw_dataflow_name(hw->dataflow),
		 hw->act_bits, hw->weight_bits, hw->acc_bits,
		 hw->mac_packing ? ", mac_packing " : "",
		 hw->mac_packing ? hw_packing_name(hw->mac_packing) : "",
		 (long long)(hw->ibuf_bytes / 1024),
		 (long long)(hw->wbuf_bytes / 1024), (long long)(hw->obuf_bytes / 1024),
		 hw->double_buffer ? " (double)" : "", hw->freq_mhz, hw->dram_gbps);
}

/* The tooltip of a design point (escaped into b). */
static void point_title(struct rbuf *b, const struct report_point *p, const char *what, int i)
{
	char hw[200], l[64], e[64];

	rbuf_printf(b, "<title>%s %d: accuracy %.2f %%, latency %s ms, energy %s mJ, DSP %.0f, "
		    "BRAM36 %.0f, LUT %.0f", what, i, p->m[SEARCH_M_ACCURACY],
		    plot_fmt(p->m[SEARCH_M_LATENCY_MS], l, sizeof(l)),
		    plot_fmt(p->m[SEARCH_M_ENERGY_MJ], e, sizeof(e)), p->m[SEARCH_M_DSP],
		    p->m[SEARCH_M_BRAM], p->m[SEARCH_M_LUT]);
	if (p->has_hw) {
		describe_hw(&p->hw, hw, sizeof(hw));
		rbuf_puts(b, "\nhw: ");
		rbuf_esc(b, hw);
	}
	rbuf_puts(b, "\nnet: ");
	rbuf_esc(b, p->arch);
	rbuf_puts(b, "</title>");
}

static void plot_init(struct plot *p, const char *id, const char *title, double w, double h)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->title = title;
	p->w = w;
	p->h = h;
	p->ml = 68;
	p->mr = 22;
	p->mt = 54;
	p->mb = 48;
}

/* ---- Pareto plots ---- */

struct xy {
	double a, b;                    /* minimised coordinates */
	double x, y;                    /* data coordinates */
};

static int cmp_xy(const void *pa, const void *pb)
{
	const struct xy *a = pa, *b = pb;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* The 2-D non-dominated staircase of the pair over every feasible point, dashed. */
static void staircase(struct rbuf *b, const struct plot *p, const struct report_run *run,
		      int xm, int ym)
{
	int64_t n = 0, cap = run->n_evals + run->n_front;
	struct xy *v = malloc((size_t)(cap + 1) * sizeof(*v));
	double sx = xm == SEARCH_M_ACCURACY ? -1 : 1, sy = ym == SEARCH_M_ACCURACY ? -1 : 1;

	if (!v) {
		b->oom = 1;
		return;
	}
	for (int64_t i = 0; i < cap; i++) {
		const struct report_point *q = i < run->n_evals ? &run->evals[i]
							       : &run->front[i - run->n_evals];
		double x = q->m[xm], y = q->m[ym];
		if (!q->feasible || !plot_ok(p, x, y))
			continue;
		v[n++] = (struct xy){ sx * x, sy * y, x, y };
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_xy);
	int64_t k = 0;
	double best = INFINITY;
	for (int64_t i = 0; i < n; i++)
		if (v[i].b < best) {
			best = v[i].b;
			v[k++] = v[i];
		}
	if (k > 1) {
		rbuf_puts(b, "<polyline class=\"front2d\" fill=\"none\" stroke=\"#374151\" "
			  "stroke-width=\"1.3\" stroke-dasharray=\"5 3\" points=\"");
		for (int64_t i = 0; i < k; i++) {
			if (i)
				rbuf_printf(b, "%.1f,%.1f ", plot_px(p, v[i].x), plot_py(p, v[i - 1].y));
			rbuf_printf(b, "%.1f,%.1f ", plot_px(p, v[i].x), plot_py(p, v[i].y));
		}
		rbuf_puts(b, "\"/>\n");
	}
	free(v);
}

static void pareto_plot(struct rbuf *b, const struct report_input *in, int which, int xm,
			int ym, const char *title)
{
	const struct report_run *run = &in->runs[0];
	struct plot p;
	int64_t feasible = 0, stride = 1;
	int seen_df[HW_DF_COUNT] = { 0 };

	plot_init(&p, plot_ids[which], title, 600, 420);
	p.x.label = metric_label(xm);
	p.y.label = metric_label(ym);
	for (int64_t i = 0; i < run->n_evals; i++)
		if (run->evals[i].feasible) {
			feasible++;
			plot_axis_see(&p.x, run->evals[i].m[xm]);
			plot_axis_see(&p.y, run->evals[i].m[ym]);
		}
	for (int i = 0; i < run->n_front; i++) {
		plot_axis_see(&p.x, run->front[i].m[xm]);
		plot_axis_see(&p.y, run->front[i].m[ym]);
	}
	plot_axis_fit(&p.x, 1, xm == SEARCH_M_ACCURACY ? PLOT_NEVER_LOG : PLOT_AUTO);
	plot_axis_fit(&p.y, 1, ym == SEARCH_M_ACCURACY ? PLOT_NEVER_LOG : PLOT_AUTO);
	plot_begin(b, &p);
	if (feasible > MAX_EVAL_DOTS)
		stride = (feasible + MAX_EVAL_DOTS - 1) / MAX_EVAL_DOTS;
	rbuf_printf(b, "<g class=\"evals\" fill-opacity=\"0.38\" data-stride=\"%lld\">\n",
		    (long long)stride);
	int64_t k = 0;
	for (int64_t i = 0; i < run->n_evals; i++) {
		const struct report_point *q = &run->evals[i];
		if (!q->feasible || !plot_ok(&p, q->m[xm], q->m[ym]) || k++ % stride)
			continue;
		int df = q->has_hw ? (int)q->hw.dataflow : -1;
		if (df >= 0 && df < HW_DF_COUNT)
			seen_df[df] = 1;
		rbuf_printf(b, "<circle class=\"pt\" data-point=\"eval\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"2.6\" fill=\"%s\">", plot_px(&p, q->m[xm]), plot_py(&p, q->m[ym]),
			    report_df_color(df));
		if (feasible <= MAX_EVAL_TITLES)
			point_title(b, q, "evaluation", (int)q->seq);
		rbuf_puts(b, "</circle>\n");
	}
	rbuf_puts(b, "</g>\n");
	staircase(b, &p, run, xm, ym);
	rbuf_puts(b, "<g class=\"front\">\n");
	for (int i = 0; i < run->n_front; i++) {
		const struct report_point *q = &run->front[i];
		if (!plot_ok(&p, q->m[xm], q->m[ym]))
			continue;
		int df = q->has_hw ? (int)q->hw.dataflow : -1;
		if (df >= 0 && df < HW_DF_COUNT)
			seen_df[df] = 1;
		rbuf_printf(b, "<circle class=\"pt fp\" data-point=\"front\" data-i=\"%d\" "
			    "cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#111827\" "
			    "stroke-width=\"1.4\">", i, plot_px(&p, q->m[xm]), plot_py(&p, q->m[ym]),
			    report_df_color(df));
		point_title(b, q, "front point", i);
		rbuf_puts(b, "</circle>\n");
	}
	rbuf_puts(b, "</g>\n");
	struct plot_key k_[6];
	int nk = 0;
	for (int d = 0; d < HW_DF_COUNT; d++)
		if (seen_df[d])
			k_[nk++] = (struct plot_key){ report_df_color(d),
						      hw_dataflow_title((enum hw_dataflow)d), 'c' };
	k_[nk++] = (struct plot_key){ "#ffffff", "run's front", 'C' };
	k_[nk++] = (struct plot_key){ "#374151", "2-D front", 'd' };
	plot_legend(b, &p, k_, nk);
	if (run->n_front == 0 && feasible == 0)
		plot_note(b, &p, "no feasible design point");
	plot_end(b);
}

/* ---- The chosen design: roofline and latency breakdown ---- */

static void roofline_plot(struct rbuf *b, const struct report_input *in)
{
	const struct report_design *d = in->design;
	struct plot p;
	char title[160], buf[64];

	snprintf(title, sizeof(title), "Roofline of front point %d", d ? d->point : -1);
	plot_init(&p, plot_ids[RP_ROOFLINE], title, 600, 420);
	p.x.label = "operational intensity (ops per DRAM byte)";
	p.y.label = "attained performance (GOP/s)";
	if (!d) {
		plot_axis_fit(&p.x, 1, PLOT_ALWAYS_LOG);
		plot_axis_fit(&p.y, 1, PLOT_ALWAYS_LOG);
		plot_begin(b, &p);
		plot_note(b, &p, "the design could not be re-evaluated");
		plot_end(b);
		return;
	}
	double peak = 2.0 * d->hw.pe_rows * d->hw.pe_cols * d->hw.freq_mhz / 1000.0;
	double bw = d->hw.dram_gbps, ridge = peak / bw;
	for (int i = 0; i < d->net.n_layers; i++) {
		const struct cost_report *c = &d->layers[i].cost;
		if (c->macs > 0 && c->feasible && c->op_intensity > 0) {
			plot_axis_see(&p.x, c->op_intensity);
			plot_axis_see(&p.y, c->attained_gops);
		}
	}
	plot_axis_see(&p.x, ridge);
	plot_axis_see(&p.x, ridge * 4);
	plot_axis_see(&p.y, peak * 1.5);
	plot_axis_fit(&p.x, 1, PLOT_ALWAYS_LOG);
	plot_axis_fit(&p.y, 1, PLOT_ALWAYS_LOG);
	plot_begin(b, &p);
	/* roofs: bandwidth x intensity up to the ridge point, then the compute peak */
	double x0 = p.x.lo, x1 = p.x.hi;
	double xb = fmax(x0, p.y.lo / bw);
	rbuf_printf(b, "<polyline class=\"roof\" fill=\"none\" stroke=\"#111827\" "
		    "stroke-width=\"2.2\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
		    plot_px(&p, xb), plot_py(&p, xb * bw), plot_px(&p, ridge), plot_py(&p, peak),
		    plot_px(&p, x1), plot_py(&p, peak));
	rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#111827\">compute "
		    "roof %s GOP/s</text>\n", plot_px(&p, x1) - 6, plot_py(&p, peak) - 7,
		    plot_fmt(peak, buf, sizeof(buf)));
	/* the bandwidth roof's label, along the line, left of the ridge */
	double xt = fmax(xb * 1.5, ridge / 40);
	double ang = atan2(plot_py(&p, xt * 10 * bw) - plot_py(&p, xt * bw),
			   plot_px(&p, xt * 10) - plot_px(&p, xt)) * 180 / M_PI;
	rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#111827\" transform=\"rotate(%.1f "
		    "%.1f %.1f)\">DRAM %.1f GB/s</text>\n", plot_px(&p, xt), plot_py(&p, xt * bw) - 7,
		    ang, plot_px(&p, xt), plot_py(&p, xt * bw) - 7, bw);
	rbuf_puts(b, "<g class=\"layers\">\n");
	int nomac = 0;
	for (int i = 0; i < d->net.n_layers; i++) {
		const struct report_layer *l = &d->layers[i];
		const struct cost_report *c = &l->cost;
		if (!(c->macs > 0 && c->feasible && plot_ok(&p, c->op_intensity, c->attained_gops))) {
			nomac++;
			continue;
		}
		rbuf_printf(b, "<circle class=\"pt\" data-point=\"layer\" data-layer=\"%d\" "
			    "cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" fill-opacity=\"0.8\" "
			    "stroke=\"#ffffff\" stroke-width=\"0.8\"><title>", i,
			    plot_px(&p, c->op_intensity), plot_py(&p, c->attained_gops),
			    c->memory_bound ? "#D55E00" : "#0072B2");
		rbuf_esc(b, l->layer.name);
		rbuf_printf(b, " (%s): GEMM %lldx%lldx%lldx%lld, tiling %lld,%lld,%lld %s\n"
			    "%.3g ops/byte, %.3g GOP/s (%.0f%% of peak), %lld cycles, %s-bound, "
			    "utilisation %.0f%%</title></circle>\n", arch_kind_name(l->layer.kind),
			    (long long)c->gemm.g, (long long)c->gemm.m, (long long)c->gemm.n,
			    (long long)c->gemm.k, (long long)l->tiling.tm, (long long)l->tiling.tn,
			    (long long)l->tiling.tk, map_order_name(l->tiling.order), c->op_intensity,
			    c->attained_gops, 100 * c->attained_gops / peak, (long long)c->cycles,
			    c->memory_bound ? "memory" : "compute", 100 * c->utilization);
	}
	rbuf_puts(b, "</g>\n");
	/* the whole network as one operating point */
	if (d->tot.dram_bytes > 0 && d->tot.gops > 0) {
		double oi = 2.0 * (double)d->tot.macs / (double)d->tot.dram_bytes;
		if (plot_ok(&p, oi, d->tot.gops)) {
			double cx = plot_px(&p, oi), cy = plot_py(&p, d->tot.gops);
			rbuf_printf(b, "<path class=\"total\" d=\"M%.1f %.1fl7 7l-7 7l-7 -7z\" "
				    "fill=\"#CC79A7\" stroke=\"#111827\"><title>whole network: %.3g "
				    "ops/byte, %.3g GOP/s</title></path>\n", cx, cy - 7, oi,
				    d->tot.gops);
		}
	}
	struct plot_key k[] = {
		{ "#0072B2", "compute-bound layer", 'c' },
		{ "#D55E00", "memory-bound layer", 'c' },
		{ "#CC79A7", "whole network", 'r' },
		{ "#111827", "roofs", 'l' },
	};
	plot_legend(b, &p, k, 4);
	(void)nomac;
	plot_end(b);
}

static int cmp_desc_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void breakdown_plot(struct rbuf *b, const struct report_input *in)
{
	const struct report_design *d = in->design;
	struct plot p;
	char title[160], buf[64];
	int n = d ? d->net.n_layers : 0, shown = n;
	int64_t cut = -1, *sorted;
	double us = d ? 1.0 / d->hw.freq_mhz : 1; /* microseconds per cycle */

	snprintf(title, sizeof(title), "Latency per layer of front point %d", d ? d->point : -1);
	if (n > MAX_BARS) {
		/* the MAX_BARS slowest layers, in network order; the rest summed in one bar */
		sorted = malloc((size_t)n * sizeof(*sorted));
		if (!sorted) {
			b->oom = 1;
			return;
		}
		for (int i = 0; i < n; i++)
			sorted[i] = d->layers[i].cost.cycles;
		qsort(sorted, (size_t)n, sizeof(*sorted), cmp_desc_i64);
		cut = sorted[MAX_BARS - 1];
		free(sorted);
		shown = 0;
		for (int i = 0; i < n && shown < MAX_BARS; i++)
			shown += d->layers[i].cost.cycles >= cut;
	}
	int rows = shown + (shown < n ? 1 : 0);
	double rh = 15;
	plot_init(&p, plot_ids[RP_BREAKDOWN], title, 600, 54 + 48 + rh * (rows ? rows : 4));
	p.ml = 170;
	p.cat_y = 1;
	p.x.label = "time (\xc2\xb5s)";
	p.y.label = "";
	plot_axis_see(&p.x, 0);
	for (int i = 0; i < n; i++)
		plot_axis_see(&p.x, (double)d->layers[i].cost.cycles * us);
	plot_axis_fit(&p.x, 1, PLOT_NEVER_LOG);
	p.x.lo = 0;
	p.y.lo = 0;
	p.y.hi = rows ? rows : 1;
	plot_begin(b, &p);
	if (!d) {
		plot_note(b, &p, "the design could not be re-evaluated");
		plot_end(b);
		return;
	}
	rbuf_puts(b, "<g class=\"bars\" font-size=\"10.5\">\n");
	int row = 0, k = 0;
	int64_t rest_c = 0, rest_s = 0, rest_n = 0;
	for (int i = 0; i < n; i++) {
		const struct report_layer *l = &d->layers[i];
		const struct cost_report *c = &l->cost;
		int64_t stall = c->cycles - c->compute_cycles;
		if (shown < n && !(c->cycles >= cut && k++ < MAX_BARS)) {
			rest_c += c->compute_cycles;
			rest_s += stall;
			rest_n++;
			continue;
		}
		double y = p.mt + rh * row + 2, x0 = plot_px(&p, 0);
		double xc = plot_px(&p, (double)c->compute_cycles * us);
		double xs = plot_px(&p, (double)c->cycles * us);
		rbuf_printf(b, "<g class=\"bar\" data-point=\"bar\" data-layer=\"%d\"><title>", i);
		rbuf_esc(b, l->layer.name);
		rbuf_printf(b, " (%s): %lld cycles = %s \xc2\xb5s; compute %lld, memory stall %lld "
			    "(%.0f%%); %s-bound</title>", arch_kind_name(l->layer.kind),
			    (long long)c->cycles, plot_fmt((double)c->cycles * us, buf, sizeof(buf)),
			    (long long)c->compute_cycles, (long long)stall,
			    c->cycles ? 100.0 * (double)stall / (double)c->cycles : 0.0,
			    c->memory_bound ? "memory" : "compute");
		rbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
			    "fill=\"#0072B2\"/><rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			    "height=\"%.1f\" fill=\"#D55E00\"/>", x0, y, xc - x0, rh - 4, xc, y,
			    xs - xc, rh - 4);
		rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#374151\">",
			    p.ml - 6, y + rh - 6);
		rbuf_esc(b, l->layer.name);
		rbuf_puts(b, "</text></g>\n");
		row++;
	}
	if (rest_n) {
		/* as text: one bar of their sum would dwarf the layers shown */
		double y = p.mt + rh * row + 2;
		rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#374151\" font-style=\"italic\">"
			    "+ %lld other layers: %s \xc2\xb5s in all (%.0f%% memory stall)</text>\n",
			    p.ml + 6, y + rh - 6, (long long)rest_n,
			    plot_fmt((double)(rest_c + rest_s) * us, buf, sizeof(buf)),
			    rest_c + rest_s ? 100.0 * (double)rest_s / (double)(rest_c + rest_s) : 0.0);
	}
	rbuf_puts(b, "</g>\n");
	struct plot_key key[] = {
		{ "#0072B2", "compute (array busy)", 'r' },
		{ "#D55E00", "memory stall (waiting for DMA)", 'r' },
	};
	plot_legend(b, &p, key, 2);
	plot_end(b);
}

/* ---- Model vs RTL ---- */

struct rtl_stats {
	int n, exact, mismatched;
	double mean_abs_pct, max_abs_pct, total_pct;
};

static void rtl_stats(const struct report_rtl *r, struct rtl_stats *s)
{
	double sm = 0, sr = 0;

	memset(s, 0, sizeof(*s));
	for (int i = 0; r && i < r->n; i++) {
		const struct report_rtl_row *w = &r->rows[i];
		double e = w->rtl_cycles > 0 ? 100 * fabs(w->model_cycles - w->rtl_cycles) /
							w->rtl_cycles : 0;
		s->n++;
		s->mean_abs_pct += e;
		s->max_abs_pct = fmax(s->max_abs_pct, e);
		sm += w->model_cycles;
		sr += w->rtl_cycles;
		s->exact += w->bit_exact == 1;
		s->mismatched += w->bit_exact == 0;
	}
	if (s->n)
		s->mean_abs_pct /= s->n;
	s->total_pct = sr > 0 ? 100 * (sm - sr) / sr : 0;
}

static void rtl_plot(struct rbuf *b, const struct report_input *in)
{
	const struct report_rtl *r = in->rtl;
	struct plot p;
	struct rtl_stats st;

	rtl_stats(r, &st);
	plot_init(&p, plot_ids[RP_RTL], "Analytical model vs RTL simulation", 600, 420);
	p.x.label = "model cycles";
	p.y.label = "RTL cycles (Verilator)";
	for (int i = 0; i < st.n; i++) {
		plot_axis_see(&p.x, r->rows[i].model_cycles);
		plot_axis_see(&p.y, r->rows[i].rtl_cycles);
		plot_axis_see(&p.y, r->rows[i].model_cycles);
		plot_axis_see(&p.x, r->rows[i].rtl_cycles);
	}
	plot_axis_fit(&p.x, 1, st.n ? PLOT_ALWAYS_LOG : PLOT_NEVER_LOG);
	p.y = (struct plot_axis){ .label = p.y.label, .scale = p.x.scale, .n = p.x.n,
				  .lo = p.x.lo, .hi = p.x.hi, .pos_lo = p.x.pos_lo, .step = p.x.step };
	plot_begin(b, &p);
	if (!st.n) {
		plot_note(b, &p, "no RTL results: pass --rtl FILE ('hwnas sim --json' output)");
		plot_end(b);
		return;
	}
	rbuf_printf(b, "<line class=\"identity\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#6b7280\" stroke-dasharray=\"6 4\"/>\n", plot_px(&p, p.x.lo),
		    plot_py(&p, p.x.lo), plot_px(&p, p.x.hi), plot_py(&p, p.x.hi));
	rbuf_puts(b, "<g class=\"rtl\">\n");
	for (int i = 0; i < st.n; i++) {
		const struct report_rtl_row *w = &r->rows[i];
		const char *col = w->bit_exact == 1 ? "#009E73" : w->bit_exact == 0 ? "#D55E00"
										      : "#0072B2";
		if (!plot_ok(&p, w->model_cycles, w->rtl_cycles))
			continue;
		rbuf_printf(b, "<circle class=\"pt\" data-point=\"rtl\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"4.5\" fill=\"%s\" fill-opacity=\"0.85\" stroke=\"#ffffff\"><title>",
			    plot_px(&p, w->model_cycles), plot_py(&p, w->rtl_cycles), col);
		rbuf_esc(b, w->name);
		rbuf_puts(b, " (");
		rbuf_esc(b, w->source);
		rbuf_printf(b, "): model %.0f, RTL %.0f cycles, error %+.2f%%%s</title></circle>\n",
			    w->model_cycles, w->rtl_cycles,
			    w->rtl_cycles > 0 ? 100 * (w->model_cycles - w->rtl_cycles) / w->rtl_cycles
					      : 0.0,
			    w->bit_exact == 1 ? ", bit-exact" : w->bit_exact == 0 ? ", OUTPUT MISMATCH"
										 : "");
	}
	rbuf_puts(b, "</g>\n");
	rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#111827\">%d layers: mean |error| "
		    "%.2f%%, max %.2f%%, total %+.2f%%</text>\n", p.ml + 10, p.mt + 18, st.n,
		    st.mean_abs_pct, st.max_abs_pct, st.total_pct);
	struct plot_key k[] = {
		{ "#009E73", "bit-exact", 'c' },
		{ "#D55E00", "output mismatch", 'c' },
		{ "#0072B2", "not checked", 'c' },
		{ "#6b7280", "y = x", 'd' },
	};
	plot_legend(b, &p, k, 4);
	plot_end(b);
}

/* ---- Search progress ---- */

int report_hv_progress(struct report_run *run, int max_samples, report_tick_fn tick, void *ctx)
{
	struct search_front f;
	struct search_eval e;
	double hv = 0;
	int64_t n = run->n_evals, next = 0;
	int k = 0, ret = 0, changed = 0;

	free(run->hv_at);
	free(run->hv);
	run->n_hv = 0;
	run->hv_at = malloc((size_t)(max_samples + 1) * sizeof(*run->hv_at));
	run->hv = malloc((size_t)(max_samples + 1) * sizeof(*run->hv));
	if (!run->hv_at || !run->hv)
		return HN_ENOMEM;
	if (run->n_obj == 0 || n == 0)
		return 0;
	search_front_init(&f, run->n_obj);
	memset(&e, 0, sizeof(e));
	for (int64_t i = 0; i < n; i++) {
		const struct report_point *q = &run->evals[i];
		int ok = q->feasible;
		for (int j = 0; j < run->n_obj && ok; j++) {
			const struct report_objective *o = &run->obj[j];
			e.obj[j] = (report_value(run, q, o) - o->ideal) / (o->ref - o->ideal);
			ok = isfinite(e.obj[j]);
		}
		e.feasible = ok;
		if (ok) {
			int r = search_front_add(&f, &e);
			if (r < 0) {
				ret = r;
				break;
			}
			changed |= r;
		}
		/* sample at i + 1 = ceil((k + 1) n / max_samples) */
		if (i + 1 >= next || i + 1 == n) {
			if (changed) {
				hv = search_front_hypervolume(&f);
				changed = 0;
			}
			if (k < max_samples) {
				run->hv_at[k] = i + 1;
				run->hv[k++] = hv;
			}
			next = (int64_t)ceil((double)(k + 1) * (double)n / max_samples);
			if (tick)
				tick(ctx, i + 1, n);
		}
	}
	if (ret == 0 && k > 0 && run->hv_at[k - 1] != n && changed) {
		run->hv_at[k - 1] = n;
		run->hv[k - 1] = search_front_hypervolume(&f);
	}
	search_front_release(&f);
	run->n_hv = k;
	return ret;
}

static void progress_plot(struct rbuf *b, const struct report_input *in)
{
	struct plot p;
	char label[8][120];
	struct plot_key k[8];
	int nk = 0, any = 0;

	plot_init(&p, plot_ids[RP_PROGRESS], "Search progress: hypervolume vs evaluations", 600,
		  420);
	p.x.label = "evaluations";
	p.y.label = "hypervolume (fraction of the reference box)";
	plot_axis_see(&p.x, 0);
	plot_axis_see(&p.y, 0);
	for (int r = 0; r < in->n_runs; r++)
		for (int i = 0; i < in->runs[r].n_hv; i++) {
			plot_axis_see(&p.x, (double)in->runs[r].hv_at[i]);
			plot_axis_see(&p.y, in->runs[r].hv[i]);
			any = 1;
		}
	plot_axis_fit(&p.x, 1, PLOT_NEVER_LOG);
	plot_axis_fit(&p.y, 1, PLOT_NEVER_LOG);
	p.x.lo = p.y.lo = 0;
	plot_begin(b, &p);
	if (!any) {
		plot_note(b, &p, "no evaluations.jsonl (exhaustive runs do not write one)");
		plot_end(b);
		return;
	}
	for (int r = 0; r < in->n_runs; r++) {
		const struct report_run *run = &in->runs[r];
		const char *col = report_series_colors[r % 8];
		if (!run->n_hv)
			continue;
		rbuf_printf(b, "<polyline class=\"hv\" data-run=\"%d\" fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"2\" stroke-linejoin=\"round\" points=\"", r, col);
		for (int i = 0; i < run->n_hv; i++) {
			/* a step function: the hypervolume holds until the next sample */
			if (i)
				rbuf_printf(b, "%.1f,%.1f ", plot_px(&p, (double)run->hv_at[i]),
					    plot_py(&p, run->hv[i - 1]));
			rbuf_printf(b, "%.1f,%.1f ", plot_px(&p, (double)run->hv_at[i]),
				    plot_py(&p, run->hv[i]));
		}
		rbuf_printf(b, "\"><title>%s seed %lld: hypervolume %.4f after %lld evaluations"
			    "</title></polyline>\n", run->strategy, (long long)run->seed,
			    run->hv[run->n_hv - 1], (long long)run->hv_at[run->n_hv - 1]);
		if (nk < 8) {
			snprintf(label[nk], sizeof(label[nk]), "%s, seed %lld", run->strategy,
				 (long long)run->seed);
			k[nk] = (struct plot_key){ col, label[nk], 'l' };
			nk++;
		}
	}
	plot_legend(b, &p, k, nk);
	plot_end(b);
}

void report_plot_svg(struct rbuf *b, const struct report_input *in, int which)
{
	switch (which) {
	case RP_ACC_LAT:
		pareto_plot(b, in, which, SEARCH_M_LATENCY_MS, SEARCH_M_ACCURACY,
			    "Accuracy vs latency");
		break;
	case RP_ACC_ENERGY:
		pareto_plot(b, in, which, SEARCH_M_ENERGY_MJ, SEARCH_M_ACCURACY,
			    "Accuracy vs energy");
		break;
	case RP_LAT_DSP:
		pareto_plot(b, in, which, SEARCH_M_DSP, SEARCH_M_LATENCY_MS, "Latency vs DSP slices");
		break;
	case RP_ROOFLINE: roofline_plot(b, in); break;
	case RP_BREAKDOWN: breakdown_plot(b, in); break;
	case RP_RTL: rtl_plot(b, in); break;
	case RP_PROGRESS: progress_plot(b, in); break;
	}
}

/* ---- The page ---- */

static const char page_css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;background:#f3f4f6;color:#111827;font:14px/1.5 system-ui,-apple-system,"
"'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\n"
"header{background:#111827;color:#f9fafb;padding:22px 32px 18px}\n"
"header h1{margin:0 0 4px;font-size:22px;font-weight:650;letter-spacing:-.01em}\n"
"header p{margin:0;color:#9ca3af;font-size:13px}\n"
"main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;"
"margin-bottom:20px}\n"
".card{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px "
"rgba(0,0,0,.06)}\n"
".card b{display:block;font-size:16px;font-weight:650;overflow-wrap:anywhere}\n"
".card span{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
"section{background:#fff;border-radius:12px;padding:18px 20px;margin-bottom:20px;"
"box-shadow:0 1px 3px rgba(0,0,0,.07)}\n"
"section h2{margin:0 0 4px;font-size:17px;font-weight:650}\n"
"section>p{margin:0 0 12px;color:#4b5563;max-width:980px}\n"
".grid{display:flex;flex-wrap:wrap;gap:16px}\n"
".grid figure{margin:0;flex:1 1 560px;max-width:620px}\n"
"figure svg{width:100%;height:auto;display:block;border:1px solid #e5e7eb;border-radius:8px}\n"
"figcaption{color:#4b5563;font-size:12.5px;margin-top:6px}\n"
".note{background:#fff7ed;border-left:4px solid #f59e0b;padding:8px 12px;border-radius:4px;"
"color:#7c2d12}\n"
".pt{cursor:pointer}\n"
".pt.hl,.pt:hover{stroke:#dc2626!important;stroke-width:2.6!important;fill-opacity:1}\n"
".tablewrap{overflow-x:auto;max-height:560px;overflow-y:auto;border:1px solid #e5e7eb;"
"border-radius:8px}\n"
"table{border-collapse:collapse;font-size:12.5px;white-space:nowrap;width:100%}\n"
"th,td{padding:5px 9px;border-bottom:1px solid #f0f1f3;text-align:right}\n"
"th{position:sticky;top:0;background:#f9fafb;cursor:pointer;user-select:none;"
"font-weight:600;color:#374151;border-bottom:1px solid #d1d5db}\n"
"th:hover{background:#eef2ff}\n"
"th.asc::after{content:' \\25B2';font-size:9px}th.desc::after{content:' \\25BC';"
"font-size:9px}\n"
"td.t,th.t{text-align:left}td.arch{font-family:ui-monospace,SFMono-Regular,Menlo,"
"Consolas,monospace;font-size:11.5px}\n"
"tbody tr:hover,tbody tr.hl{background:#eef2ff}\n"
".df{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}\n"
"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0 14px}\n"
"dl.kv dt{color:#6b7280}dl.kv dd{margin:0}\n"
"#tip{position:fixed;pointer-events:none;background:#111827;color:#f9fafb;font-size:12px;"
"padding:7px 9px;border-radius:6px;white-space:pre-line;max-width:520px;display:none;"
"z-index:9;box-shadow:0 4px 14px rgba(0,0,0,.25)}\n"
"footer{color:#6b7280;font-size:12px;text-align:center;padding:10px}\n";

/* Sorting, hover tooltips, table <-> plot highlighting. Marks <html data-report="ok"> when
 * it ran without an exception (the browser test looks for it). */
static const char page_js[] =
"(function(){\n"
"'use strict';\n"
"window.addEventListener('error',function(e){document.documentElement.setAttribute("
"'data-report-error',String(e.message));});\n"
"var tip=document.getElementById('tip');\n"
"function show(t,ev){tip.textContent=t;tip.style.display='block';"
"var x=ev.clientX+14,y=ev.clientY+14;"
"if(x+tip.offsetWidth>window.innerWidth)x=ev.clientX-tip.offsetWidth-10;"
"if(y+tip.offsetHeight>window.innerHeight)y=ev.clientY-tip.offsetHeight-10;"
"tip.style.left=x+'px';tip.style.top=y+'px';}\n"
"function hide(){tip.style.display='none';}\n"
"function mark(i,on){document.querySelectorAll('[data-i=\"'+i+'\"]').forEach("
"function(el){el.classList.toggle('hl',on);});}\n"
"document.querySelectorAll('svg [data-point],svg .bar,svg .total,svg .hv').forEach("
"function(el){var t=el.querySelector('title');if(!t)return;"
"var text=t.textContent;el.setAttribute('data-tip',text);t.remove();"
"el.addEventListener('mousemove',function(ev){show(text,ev);});"
"el.addEventListener('mouseleave',hide);});\n"
"document.querySelectorAll('[data-i]').forEach(function(el){var i=el.getAttribute('data-i');"
"el.addEventListener('mouseenter',function(){mark(i,true);});"
"el.addEventListener('mouseleave',function(){mark(i,false);});});\n"
"document.querySelectorAll('table.sortable').forEach(function(tbl){"
"var ths=tbl.querySelectorAll('th');ths.forEach(function(th,c){"
"th.addEventListener('click',function(){var asc=!th.classList.contains('asc');"
"ths.forEach(function(h){h.classList.remove('asc','desc');});"
"th.classList.add(asc?'asc':'desc');var body=tbl.tBodies[0];"
"var rows=Array.prototype.slice.call(body.rows);"
"rows.sort(function(a,b){var x=a.cells[c],y=b.cells[c];"
"var u=x.getAttribute('data-v'),v=y.getAttribute('data-v');var r;"
"if(u!==null&&v!==null)r=parseFloat(u)-parseFloat(v);"
"else r=x.textContent.localeCompare(y.textContent);return asc?r:-r;});"
"rows.forEach(function(r){body.appendChild(r);});});});});\n"
"document.documentElement.setAttribute('data-report','ok');\n"
"})();\n";

static void card(struct rbuf *b, const char *label, const char *value)
{
	rbuf_puts(b, "<div class=\"card\"><span>");
	rbuf_esc(b, label);
	rbuf_puts(b, "</span><b>");
	rbuf_esc(b, value);
	rbuf_puts(b, "</b></div>\n");
}

static void td_num(struct rbuf *b, double v, const char *fmt)
{
	if (!isfinite(v)) {
		rbuf_puts(b, "<td data-v=\"-1e308\">\xe2\x80\x94</td>");
		return;
	}
	rbuf_printf(b, "<td data-v=\"%.17g\">", v);
	rbuf_printf(b, fmt, v);
	rbuf_puts(b, "</td>");
}

/* A run of several targets: each front point's figures on every target side by side (the
 * front table's metrics are the worst case over them). */
static void targets_table(struct rbuf *b, const struct report_run *run)
{
	static const char *const heads[] = { "accuracy %", "latency ms", "energy mJ", "DSP" };
	static const int ms[] = { SEARCH_M_ACCURACY, SEARCH_M_LATENCY_MS, SEARCH_M_ENERGY_MJ,
				  SEARCH_M_DSP };
	static const char *const fmts[] = { "%.2f", "%.4f", "%.4f", "%.0f" };

	rbuf_printf(b, "<p>Each front point on each of the %d targets (the table above gives the "
		    "worst case over them; a target's accelerator is "
		    "<code>configs/<i>i</i>.<i>target</i>.json</code>).</p>\n", run->n_targets);
	rbuf_puts(b, "<div class=\"tablewrap\"><table class=\"sortable\" id=\"targets-table\">"
		  "<thead><tr><th>#</th>");
	for (int t = 0; t < run->n_targets; t++)
		for (size_t j = 0; j < sizeof(heads) / sizeof(heads[0]); j++) {
			rbuf_puts(b, "<th>");
			rbuf_esc(b, heads[j]);
			rbuf_puts(b, " @");
			rbuf_esc(b, run->targets[t]);
			rbuf_puts(b, "</th>");
		}
	rbuf_puts(b, "<th class=\"t\">network</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < run->n_front; i++) {
		const struct report_point *q = &run->front[i];
		rbuf_printf(b, "<tr data-i=\"%d\"><td data-v=\"%d\">%d</td>", i, i, i);
		for (int t = 0; t < run->n_targets; t++)
			for (size_t j = 0; j < sizeof(ms) / sizeof(ms[0]); j++)
				td_num(b, q->tm[t][ms[j]], fmts[j]);
		rbuf_puts(b, "<td class=\"t\">");
		rbuf_esc(b, q->arch);
		rbuf_puts(b, "</td></tr>\n");
	}
	rbuf_puts(b, "</tbody></table></div>\n");
}

/* The packing of a front point: "none", "dsp2", ...; a dash when not recorded (a store row
 * written before schema 4 whose space file is gone or changed). */
static void packing_cell(struct rbuf *b, const struct report_point *q)
{
	rbuf_puts(b, "<td class=\"t\">");
	rbuf_esc(b, q->mac_packing[0] ? q->mac_packing : "\xe2\x80\x94");
	rbuf_puts(b, "</td>");
}

static void front_table(struct rbuf *b, const struct report_run *run)
{
	static const char *const heads[] = {
		"#", "accuracy %", "latency ms", "energy mJ", "EDP mJ\xc2\xb7ms", "DSP", "BRAM36",
		"LUT", "FF", "MMACs", "rows", "cols", "dataflow", "MAC packing", "act bits",
		"wt bits", "acc bits",
		"ibuf KiB", "wbuf KiB", "obuf KiB", "double buf", "MHz", "DRAM GB/s", "DRAM lat cyc",
		"device", "fidelity", "accuracy source", "quant. penalty", "network",
	};
	rbuf_puts(b, "<div class=\"tablewrap\"><table class=\"sortable\" id=\"front-table\">"
		  "<thead><tr>");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		int text = i == 12 || i == 13 || i >= 24;
		rbuf_printf(b, "<th%s>", text ? " class=\"t\"" : "");
		rbuf_esc(b, heads[i]);
		rbuf_puts(b, "</th>");
	}
	rbuf_puts(b, "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < run->n_front; i++) {
		const struct report_point *q = &run->front[i];
		const struct hw_config *h = &q->hw;
		rbuf_printf(b, "<tr data-i=\"%d\"><td data-v=\"%d\">%d</td>", i, i, i);
		td_num(b, q->m[SEARCH_M_ACCURACY], "%.2f");
		td_num(b, q->m[SEARCH_M_LATENCY_MS], "%.4f");
		td_num(b, q->m[SEARCH_M_ENERGY_MJ], "%.4f");
		td_num(b, q->m[SEARCH_M_EDP], "%.4g");
		td_num(b, q->m[SEARCH_M_DSP], "%.0f");
		td_num(b, q->m[SEARCH_M_BRAM], "%.0f");
		td_num(b, q->m[SEARCH_M_LUT], "%.0f");
		td_num(b, q->m[SEARCH_M_FF], "%.0f");
		td_num(b, q->m[SEARCH_M_MACS] / 1e6, "%.2f");
		if (q->has_hw) {
			td_num(b, h->pe_rows, "%.0f");
			td_num(b, h->pe_cols, "%.0f");
			rbuf_printf(b, "<td class=\"t\"><span class=\"df\" style=\"background:%s\">"
				    "</span>%s</td>", report_df_color((int)h->dataflow),
				    hw_dataflow_name(h->dataflow));
			packing_cell(b, q);
			td_num(b, h->act_bits, "%.0f");
			td_num(b, h->weight_bits, "%.0f");
			td_num(b, h->acc_bits, "%.0f");
			td_num(b, (double)h->ibuf_bytes / 1024, "%.0f");
			td_num(b, (double)h->wbuf_bytes / 1024, "%.0f");
			td_num(b, (double)h->obuf_bytes / 1024, "%.0f");
			td_num(b, h->double_buffer, h->double_buffer ? "yes" : "no");
			td_num(b, h->freq_mhz, "%.0f");
			td_num(b, h->dram_gbps, "%.1f");
			td_num(b, h->dram_latency_cycles, "%.0f");
			rbuf_puts(b, "<td class=\"t\">");
			rbuf_esc(b, h->device[0] ? h->device : "\xe2\x80\x94");
			rbuf_puts(b, "</td>");
		} else {
			for (int c = 0; c < 3; c++)
				rbuf_puts(b, "<td>\xe2\x80\x94</td>");
			packing_cell(b, q); /* a store row records it without its space */
			for (int c = 0; c < 11; c++)
				rbuf_puts(b, "<td>\xe2\x80\x94</td>");
		}
		rbuf_puts(b, "<td class=\"t\">");
		rbuf_esc(b, q->fidelity);
		rbuf_puts(b, "</td><td class=\"t\">");
		rbuf_esc(b, q->acc_source);
		rbuf_puts(b, "</td>");
		td_num(b, q->acc_penalty, "%.2f");
		rbuf_puts(b, "<td class=\"t arch\">");
		rbuf_esc(b, q->arch);
		rbuf_puts(b, "</td></tr>\n");
	}
	rbuf_puts(b, "</tbody></table></div>\n");
}

static void figure(struct rbuf *b, const struct report_input *in, int which, const char *cap)
{
	rbuf_puts(b, "<figure>\n");
	report_plot_svg(b, in, which);
	rbuf_puts(b, "<figcaption>");
	rbuf_puts(b, cap);      /* trusted HTML built here */
	rbuf_puts(b, "</figcaption></figure>\n");
}

static void design_section(struct rbuf *b, const struct report_input *in)
{
	const struct report_design *d = in->design;
	const struct report_run *run = &in->runs[0];
	char hw[200], cap[1024], t1[32], t2[32];

	rbuf_puts(b, "<section id=\"design\"><h2>The chosen design</h2>\n");
	if (!d) {
		rbuf_puts(b, "<p class=\"note\">The design could not be re-evaluated: ");
		rbuf_esc(b, in->design_error ? in->design_error : "no front point");
		rbuf_puts(b, "</p>\n<div class=\"grid\">");
		figure(b, in, RP_ROOFLINE, "");
		figure(b, in, RP_BREAKDOWN, "");
		rbuf_puts(b, "</div></section>\n");
		return;
	}
	const struct report_point *q = &run->front[d->point];
	describe_hw(&d->hw, hw, sizeof(hw));
	double peak = 2.0 * d->hw.pe_rows * d->hw.pe_cols * d->hw.freq_mhz / 1000.0;
	double dev = isfinite(d->run_latency_ms) && d->run_latency_ms > 0
		     ? 100 * (d->tot.latency_ms - d->run_latency_ms) / d->run_latency_ms : NAN;
	rbuf_printf(b, "<p>Front point %d, re-evaluated layer by layer with the analytical model "
		    "(docs/model.md) and the %s mapper, as <code>hwnas eval</code> does. Choose "
		    "another with <code>--design N</code> (the # column of the table).</p>\n",
		    d->point, d->mapper);
	rbuf_puts(b, "<dl class=\"kv\"><dt>network</dt><dd><code>");
	rbuf_esc(b, q->arch);
	rbuf_puts(b, "</code> (");
	rbuf_esc(b, d->net_note);
	rbuf_printf(b, ", %d layers)</dd><dt>accelerator</dt><dd>", d->net.n_layers);
	rbuf_esc(b, hw);
	if (d->hw.device[0]) {
		rbuf_puts(b, " on ");
		rbuf_esc(b, d->hw.device);
	}
	rbuf_printf(b, "</dd><dt>accuracy</dt><dd>%.2f %% (", q->m[SEARCH_M_ACCURACY]);
	rbuf_esc(b, q->acc_source);
	rbuf_printf(b, ")</dd><dt>latency</dt><dd>%.4f ms (%s cycles, %.1f%% memory stall); the "
		    "run recorded %.4f ms%s</dd>", d->tot.latency_ms,
		    plot_fmt((double)d->tot.cycles, t1, sizeof(t1)),
		    d->tot.cycles ? 100.0 * (double)d->tot.stall_cycles / (double)d->tot.cycles : 0.0,
		    d->run_latency_ms, isfinite(dev) && fabs(dev) > 1e-4 ? " (differs: see the "
		    "note)" : ", the same");
	rbuf_printf(b, "<dt>throughput</dt><dd>%.1f GOP/s of a %.1f GOP/s peak (utilisation "
		    "%.1f%%)</dd><dt>energy</dt><dd>%.4f mJ per inference (MAC %.3f, SRAM %.3f, "
		    "DRAM %.3f, static %.3f)</dd><dt>DRAM traffic</dt><dd>%s bytes</dd></dl>\n",
		    d->tot.gops, peak, 100 * d->tot.utilization, d->tot.energy_mj,
		    d->tot.energy_pj[0] * 1e-9, d->tot.energy_pj[1] * 1e-9,
		    d->tot.energy_pj[2] * 1e-9, d->tot.energy_pj[3] * 1e-9,
		    plot_fmt((double)d->tot.dram_bytes, t2, sizeof(t2)));
	if (isfinite(dev) && fabs(dev) > 1e-4)
		rbuf_printf(b, "<p class=\"note\">The re-evaluated latency differs from the run's by "
			    "%+.3f%%: its latency was measured on the RTL (fidelity rtl), or a file "
			    "the run names changed since.</p>\n", dev);
	rbuf_puts(b, "<div class=\"grid\">\n");
	int nomac = 0;
	for (int i = 0; i < d->net.n_layers; i++)
		nomac += !(d->layers[i].cost.macs > 0 && d->layers[i].cost.feasible);
	snprintf(cap, sizeof(cap), "One dot per layer with MACs (%d; %d pool/add layers have no "
		 "MACs and are not drawn): operations (2 \xc3\x97 MACs) per DRAM byte against "
		 "attained GOP/s. Roofs: %.1f GOP/s compute peak (2 \xc3\x97 %d \xc3\x97 %d PEs "
		 "\xc3\x97 %.0f MHz) and %.1f GB/s DRAM; ridge at %.1f ops/byte.",
		 d->net.n_layers - nomac, nomac, peak, d->hw.pe_rows, d->hw.pe_cols, d->hw.freq_mhz,
		 d->hw.dram_gbps, peak / d->hw.dram_gbps);
	figure(b, in, RP_ROOFLINE, cap);
	snprintf(cap, sizeof(cap), "Each layer's latency split into array-busy cycles and cycles "
		 "the array waits for the DMA (stall = cycles \xe2\x88\x92 compute cycles)%s.",
		 d->net.n_layers > MAX_BARS ? "; the slowest layers in network order, the others "
		 "summed in the last line" : "");
	figure(b, in, RP_BREAKDOWN, cap);
	rbuf_puts(b, "</div></section>\n");
}

void report_html(struct rbuf *b, const struct report_input *in)
{
	const struct report_run *run = &in->runs[0];
	char v[64], cap[1024];
	int64_t feasible = 0;

	for (int64_t i = 0; i < run->n_evals; i++)
		feasible += run->evals[i].feasible;
	rbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<title>");
	rbuf_esc(b, in->title);
	rbuf_puts(b, "</title>\n<style>\n");
	rbuf_puts(b, page_css);
	rbuf_puts(b, "</style></head>\n<body>\n<header><h1>");
	rbuf_esc(b, in->title);
	rbuf_puts(b, "</h1><p>");
	rbuf_esc(b, run->origin);
	rbuf_puts(b, " \xc2\xb7 ");
	rbuf_esc(b, in->generated);
	rbuf_puts(b, "</p></header>\n<main>\n<div class=\"cards\">\n");
	card(b, "space", run->space);
	snprintf(v, sizeof(v), "%s, seed %lld", run->strategy, (long long)run->seed);
	card(b, "strategy", v);
	snprintf(v, sizeof(v), "%lld of %lld", (long long)run->evaluations,
		 (long long)run->space_size);
	card(b, "evaluations", v);
	snprintf(v, sizeof(v), "%d points", run->n_front);
	card(b, "Pareto front", v);
	snprintf(v, sizeof(v), "%.4f", run->hypervolume);
	card(b, "hypervolume", v);
	v[0] = '\0';
	for (int i = 0; i < run->n_obj; i++)
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s%s %s", i ? ", " : "",
			 run->obj[i].maximize ? "max" : "min", run->obj[i].label);
	card(b, "objectives", v);
	rbuf_puts(b, "</div>\n");

	rbuf_puts(b, "<section id=\"fronts\"><h2>Pareto fronts</h2>\n<p>");
	if (run->has_evals)
		rbuf_printf(b, "Small dots: the %lld feasible evaluations of the run (of %lld), "
			    "coloured by dataflow. ", (long long)feasible, (long long)run->n_evals);
	else
		rbuf_puts(b, "The run wrote no evaluations.jsonl (an exhaustive run): only its front "
			  "is drawn. ");
	rbuf_printf(b, "Outlined: the %d points of the run's front over all its objectives; the "
		    "dashed staircase is the front of each pair alone. Hover a point for its "
		    "network and accelerator; hover a table row to find it in every plot.</p>\n",
		    run->n_front);
	if (feasible > MAX_EVAL_DOTS)
		rbuf_printf(b, "<p class=\"note\">%lld feasible evaluations: every %lld-th is "
			    "drawn.</p>\n", (long long)feasible,
			    (long long)((feasible + MAX_EVAL_DOTS - 1) / MAX_EVAL_DOTS));
	rbuf_puts(b, "<div class=\"grid\">\n");
	figure(b, in, RP_ACC_LAT, "Accuracy (after the quantisation penalty) against latency "
	       "per inference.");
	figure(b, in, RP_ACC_ENERGY, "Accuracy against energy per inference (MAC, SRAM, DRAM and "
	       "static energy).");
	figure(b, in, RP_LAT_DSP, "Latency against the DSP slices the accelerator uses on its "
	       "device (docs/resources.md).");
	/* search progress belongs with the fronts */
	{
		char hvline[256] = "";
		const struct report_run *r0 = &in->runs[0];
		if (r0->n_hv)
			snprintf(hvline, sizeof(hvline), " Computed from evaluations.jsonl: %.4f after "
				 "%lld evaluations (the run reported %.4f).", r0->hv[r0->n_hv - 1],
				 (long long)r0->hv_at[r0->n_hv - 1], r0->hypervolume);
		snprintf(cap, sizeof(cap), "Hypervolume of the feasible front found after each "
			 "evaluation, in normalised objectives (docs/search.md), one line per run."
			 "%s", hvline);
		figure(b, in, RP_PROGRESS, cap);
	}
	rbuf_puts(b, "</div></section>\n");

	design_section(b, in);

	rbuf_puts(b, "<section id=\"rtl\"><h2>Model vs RTL</h2>\n");
	struct rtl_stats st;
	rtl_stats(in->rtl, &st);
	if (!st.n) {
		rbuf_puts(b, "<p class=\"note\">No RTL results were given, so there is nothing to "
			  "compare: this page does not invent any. Run <code>hwnas sim --net NET "
			  "--hw configs/N.json --json &gt; sim.json</code> and pass <code>--rtl "
			  "sim.json</code>.</p>\n");
	} else {
		rbuf_printf(b, "<p>%d simulated layers: mean |error| %.2f%%, max %.2f%%, total "
			    "cycles %+.2f%% (model vs Verilator). %d bit-exact, %d with output "
			    "mismatches.</p>\n", st.n, st.mean_abs_pct, st.max_abs_pct, st.total_pct,
			    st.exact, st.mismatched);
		rbuf_puts(b, "<div class=\"grid\">\n");
		figure(b, in, RP_RTL, "One dot per simulated layer; on the dashed line the model "
		       "predicts the RTL's cycle count exactly.");
		rbuf_puts(b, "</div>\n");
	}
	rbuf_puts(b, "</section>\n");

	rbuf_printf(b, "<section id=\"table\"><h2>The front</h2>\n<p>Every parameter of the %d "
		    "front points. Click a column to sort. Point <i>i</i>'s accelerator is "
		    "<code>configs/<i>i</i>.json</code> in the run folder.</p>\n", run->n_front);
	front_table(b, run);
	if (run->n_targets)
		targets_table(b, run);
	rbuf_puts(b, "</section>\n</main>\n<footer>hwnas report \xc2\xb7 self-contained: no "
		  "network access, no external files</footer>\n<div id=\"tip\"></div>\n<script>\n");
	rbuf_puts(b, page_js);
	rbuf_puts(b, "</script>\n</body></html>\n");
}
