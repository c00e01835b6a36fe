/* estim_net.c: a network's cost by one estimator of the family: the analytical model, the
 * lookup table, a predictor, or the RTL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"
#include "../sim/sim.h"

static const char *const kind_names[ESTIM_KIND_COUNT] = {
	"analytical", "lut", "linear", "gbt", "rtl"
};

const char *estim_kind_name(int k)
{
	return k >= 0 && k < ESTIM_KIND_COUNT ? kind_names[k] : "?";
}

/* The smallest tiling fits the buffers (then the mapper finds a tiling): what a predictor,
 * which sees no tiling, knows of feasibility. */
static int smallest_fits(const struct arch_layer *l, const struct hw_config *hw)
{
	const struct map_tiling one = { 1, 1, 1, MAP_MNK };
	const int64_t have[3] = { hw->ibuf_bytes, hw->wbuf_bytes, hw->obuf_bytes };
	struct arch_gemm g = arch_gemm(l);
	int64_t need[3];

	map_buffer_need(&g, hw, &one, need);
	return need[0] <= have[0] && need[1] <= have[1] && need[2] <= have[2];
}

static void infeasible(struct estim_net_cost *out, const char *layer, const char *why)
{
	if (out->feasible) {
		out->feasible = 0;
		snprintf(out->why, sizeof(out->why), "layer '%s': %s", layer, why);
	}
}

static int lut_miss(const struct estim_using *u, const struct arch_layer *l,
		    const struct estim_key *key, struct hn_err *err)
{
	char k[320];

	estim_key_format(key, k, sizeof(k));
	return hn_fail(err, HN_ENOTFOUND, "%s: no entry for layer '%s' (%s); measure it into the "
		       "table, or let the model price misses", u->lut_origin ? u->lut_origin :
		       "lookup table", l->name, k);
}

/* r's cycles set to cyc; the terms that follow the latency follow (as cost_calib_apply). */
static void set_cycles(struct cost_report *r, const struct hw_config *hw, int64_t cyc)
{
	if (cyc < 1)
		cyc = 1;
	if (r->cycles > 0)
		r->energy_pj[COST_E_STATIC] *= (double)cyc / (double)r->cycles;
	r->energy_total_pj = r->energy_pj[0] + r->energy_pj[1] + r->energy_pj[2] + r->energy_pj[3];
	r->cycles = cyc;
	r->stall_cycles = cyc > r->compute_cycles ? cyc - r->compute_cycles : 0;
	r->attained_gops = 2.0 * (double)r->macs * hw->freq_mhz / 1000.0 / (double)cyc;
	r->utilization = (double)r->macs / ((double)hw->pe_rows * hw->pe_cols * (double)cyc);
}

int estim_apply(const struct estim_using *u, const struct arch_layer *l,
		const struct hw_config *hw, const struct map_tiling *t, struct cost_report *r,
		int *from_model, struct hn_err *err)
{
	int mac = arch_gemm(l).g > 0, dummy;

	if (!from_model)
		from_model = &dummy;
	*from_model = 0;
	if (u->kind == ESTIM_ANALYTICAL || !r->feasible)
		return 0;
	if (u->kind == ESTIM_LUT) {
		struct estim_key key;
		const struct estim_lut_entry *e;

		estim_key_of(l, hw, &key);
		if (!(e = estim_lut_get(u->lut, &key))) {
			if (u->on_miss == ESTIM_MISS_FAIL)
				return lut_miss(u, l, &key, err);
			*from_model = 1;
			return 0;
		}
		set_cycles(r, hw, e->cycles);
		r->dram_bytes = e->dram_bytes;
		r->energy_pj[COST_E_STATIC] += e->energy_pj - r->energy_total_pj;
		r->energy_total_pj = e->energy_pj;
		return 0;
	}
	if (!mac || (u->kind == ESTIM_RTL && u->cx->max_macs > 0 &&
		     arch_layer_macs(l) > u->cx->max_macs)) {
		*from_model = 1;
		return 0;
	}
	if (u->kind == ESTIM_RTL) {
		struct sim_options dflt;
		const struct sim_options *so = u->cx->sim;
		struct sim_result sr;
		int ret;

		if (!so) {
			sim_options_init(&dflt);
			so = &dflt;
		}
		if ((ret = sim_layer(l, hw, t, so, &sr, err)) < 0)
			return ret;
		if (!sr.bit_exact)
			return hn_fail(err, HN_EEXTERNAL, "layer '%s': the RTL's outputs differ from "
				       "the C reference in %lld of %lld elements", l->name,
				       (long long)sr.mismatches, (long long)sr.outputs);
		set_cycles(r, hw, sr.rtl_cycles);
		r->dram_bytes = sr.dram_bytes;
		return 0;
	}
	set_cycles(r, hw, (int64_t)(estim_pred_layer(u->pred, l, hw) + 0.5));
	return 0;
}

/* The RTL's measurements of this network so far, by shape: each one simulated once. */
#define RTL_SEEN 256
struct rtl_seen {
	int n;
	struct estim_key key[RTL_SEEN];
	struct estim_meas m[RTL_SEEN];
};

static int measure_rtl(const struct arch_layer *l, const struct hw_config *hw,
		       const struct estim_ctx *cx, struct rtl_seen *seen, struct estim_meas *m,
		       struct hn_err *err)
{
	struct estim_key key;
	int ret;

	estim_key_of(l, hw, &key);
	for (int j = 0; j < seen->n; j++)
		if (!memcmp(&seen->key[j], &key, sizeof(key))) {
			*m = seen->m[j];
			return 0;
		}
	ret = estim_measure_layer(l, hw, cx, m, err);
	if (ret == 0 && seen->n < RTL_SEEN) {
		seen->key[seen->n] = key;
		seen->m[seen->n++] = *m;
	}
	return ret;
}

int estim_net(const struct estim_using *u, const struct arch_net *net, const struct hw_config *hw,
	      struct estim_net_cost *out, struct hn_err *err)
{
	struct estim_ctx model = *u->cx, rtl = *u->cx;
	struct rtl_seen *seen = NULL;
	int ret = 0;

	model.source = ESTIM_SRC_MODEL;
	rtl.source = ESTIM_SRC_RTL;
	memset(out, 0, sizeof(*out));
	out->feasible = 1;
	out->has_energy = u->kind != ESTIM_LINEAR && u->kind != ESTIM_GBT;
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		int mac = arch_gemm(l).g > 0;
		struct estim_meas m;

		out->layers++;
		if (u->kind == ESTIM_LUT) {
			struct estim_key key;
			const struct estim_lut_entry *e;

			estim_key_of(l, hw, &key);
			if ((e = estim_lut_get(u->lut, &key))) {
				out->cycles += e->cycles;
				out->dram_bytes += e->dram_bytes;
				out->energy_pj += e->energy_pj;
				continue;
			}
			if (u->on_miss == ESTIM_MISS_FAIL) {
				ret = lut_miss(u, l, &key, err);
				goto out_free;
			}
			out->lut_misses++;
		}
		if ((u->kind == ESTIM_LINEAR || u->kind == ESTIM_GBT) && mac) {
			if (!smallest_fits(l, hw)) {
				infeasible(out, l->name, "no tiling fits the buffers");
				continue;
			}
			out->cycles += (int64_t)(estim_pred_layer(u->pred, l, hw) + 0.5);
			continue;
		}
		if (u->kind == ESTIM_RTL && mac) {
			if (!seen && !(seen = calloc(1, sizeof(*seen)))) {
				ret = hn_fail(err, HN_ENOMEM, "out of memory");
				goto out_free;
			}
			ret = measure_rtl(l, hw, &rtl, seen, &m, err);
		} else {
			ret = estim_measure_layer(l, hw, &model, &m, err);
		}
		if (ret < 0)
			goto out_free;
		if (!m.fits)
			infeasible(out, l->name, "no tiling fits the buffers");
		out->cycles += m.cycles;
		out->dram_bytes += m.dram_bytes;
		out->energy_pj += m.energy_pj;
		out->rtl_layers += m.measured;
	}
out_free:
	free(seen);
	return ret;
}

int estim_apply_rows(const struct estim_using *u, const struct arch_net *net,
		     const struct hw_config *hw, struct cost_net_row *rows, struct cost_total *tot,
		     int *from_model, struct hn_err *err)
{
	struct rtl_seen *seen = NULL;
	struct map_tiling *seen_t = NULL;
	int ret = 0;

	*from_model = 0;
	if (u->kind == ESTIM_RTL && (!(seen = calloc(1, sizeof(*seen))) ||
				     !(seen_t = calloc(RTL_SEEN, sizeof(*seen_t))))) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	cost_total_init(tot);
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct cost_net_row *row = &rows[i];
		int fm = 0, j = -1;

		if (seen && arch_gemm(l).g > 0) {
			/* the same shape under the same tiling: the same cycles */
			struct estim_key key;
			estim_key_of(l, hw, &key);
			for (j = 0; j < seen->n; j++)
				if (!memcmp(&seen->key[j], &key, sizeof(key)) &&
				    !memcmp(&seen_t[j], &row->tiling, sizeof(row->tiling)))
					break;
			if (j < seen->n && row->cost.feasible) {
				int64_t dram = seen->m[j].dram_bytes;
				set_cycles(&row->cost, hw, seen->m[j].cycles);
				row->cost.dram_bytes = dram;
				cost_total_add(tot, &row->cost, l->name);
				continue;
			}
			if (seen->n < RTL_SEEN) {
				seen->key[seen->n] = key;
				seen_t[seen->n] = row->tiling;
			} else {
				j = -1;
			}
		}
		ret = estim_apply(u, l, hw, &row->tiling, &row->cost, &fm, err);
		if (ret < 0)
			goto out_free;
		if (j >= 0 && j == seen->n) {
			seen->m[j].cycles = row->cost.cycles;
			seen->m[j].dram_bytes = row->cost.dram_bytes;
			seen->n++;
		}
		*from_model += fm;
		cost_total_add(tot, &row->cost, l->name);
	}
	cost_total_finish(tot, hw);
out_free:
	free(seen);
	free(seen_t);
	return ret;
}

int estim_open(struct estim_open *o, const char *name, const char *path, int on_miss,
	       int mapper, const struct hw_energy *e, int64_t max_macs,
	       const struct sim_options *so, struct hn_err *err)
{
	int kind, ret;

	memset(o, 0, sizeof(*o));
	if (!strcmp(name, "analytical"))
		kind = ESTIM_ANALYTICAL;
	else if (!strcmp(name, "lut"))
		kind = ESTIM_LUT;
	else if (!strcmp(name, "predictor"))
		kind = ESTIM_GBT;
	else if (!strcmp(name, "rtl"))
		kind = ESTIM_RTL;
	else
		return hn_fail(err, HN_EINVAL, "cost estimator must be 'analytical', 'lut', "
			       "'predictor' or 'rtl', got '%s'", name);
	if ((kind == ESTIM_LUT || kind == ESTIM_GBT) != (path && path[0]))
		return hn_fail(err, HN_EINVAL, path && path[0] ? "the '%s' estimator takes no file" :
			       "the '%s' estimator needs its file", name);
	estim_ctx_init(&o->cx);
	o->cx.greedy = mapper == COST_MAP_GREEDY;
	o->cx.energy = *e;
	o->cx.max_macs = max_macs;
	o->cx.sim = so;
	o->cx.source = kind == ESTIM_RTL ? ESTIM_SRC_RTL : ESTIM_SRC_MODEL;
	o->u.kind = kind;
	o->u.cx = &o->cx;
	o->u.on_miss = on_miss;
	if (path)
		hn_strlcpy(o->path, path, sizeof(o->path));
	if (kind == ESTIM_LUT) {
		if ((ret = estim_lut_load(path, &o->lut, err)) < 0 ||
		    (ret = estim_lut_check_ctx(&o->lut, &o->cx, path, err)) < 0)
			return ret;
		o->u.lut = &o->lut;
		o->u.lut_origin = o->path;
	} else if (kind == ESTIM_GBT) {
		if ((ret = estim_pred_load(path, &o->pred, err)) < 0)
			return ret;
		if (o->pred.greedy != o->cx.greedy)
			return hn_fail(err, HN_EINVAL, "%s: the predictor was trained on layers tiled "
				       "by the %s mapper, this run uses %s", path,
				       cost_mapper_name(o->pred.greedy ? COST_MAP_GREEDY : COST_MAP_GLPK),
				       cost_mapper_name((enum cost_mapper)mapper));
		o->u.kind = o->pred.kind == ESTIM_PRED_LINEAR ? ESTIM_LINEAR : ESTIM_GBT;
		o->u.pred = &o->pred;
	}
	return 0;
}

void estim_close(struct estim_open *o)
{
	estim_lut_release(&o->lut);
	estim_pred_release(&o->pred);
}
