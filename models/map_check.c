/* map_check.c: a network mapped layer by layer with the mapper's own figures (solver status,
 * time, gap) and, on request, brute force beside it: what `hwnas map` shows. Not pure: maps
 * with GLPK (map_layer) and enumerates (map_brute_force*). */
#include <math.h>
#include <string.h>

#include "models.h"

/* The greedy mapper's tiling of l as a map_result (no solver: status 0), infeasible with the
 * buffer's reason when none fits. */
static int map_greedy(const struct arch_layer *l, const struct hw_config *hw,
		      const struct hw_energy *e, struct map_result *r, struct hn_err *err)
{
	memset(r, 0, sizeof(*r));
	map_default(l, hw, &r->tiling);
	if (r->tiling.tm == 0)
		r->tiling.tm = r->tiling.tn = r->tiling.tk = 1;
	if (cost_layer(l, hw, &r->tiling, e, &r->cost) < 0)
		return hn_fail(err, HN_EINVAL, "layer '%s': no tiling of it", l->name);
	r->feasible = r->cost.feasible;
	snprintf(r->why, sizeof(r->why), "%s", r->cost.why);
	return 0;
}

double map_check_full_space(const struct arch_layer *l, const struct hw_config *hw)
{
	struct arch_gemm g = arch_gemm(l);
	double d = hw->double_buffer ? 2 : 1;
	double ci = (double)hw->ibuf_bytes / (d * (double)hw_act_bytes(hw));
	double cw = (double)hw->wbuf_bytes / (d * (double)hw_weight_bytes(hw));
	double co = (double)hw->obuf_bytes / (d * (double)hw_acc_bytes(hw));

	return fmin((double)g.m, fmin(ci, co)) * fmin((double)g.n, fmin(cw, co)) *
	       fmin((double)g.k, fmin(ci, cw));
}

int map_check_brute_better(const struct map_check_row *row)
{
	const struct cost_report *b = &row->b.cost, *r = &row->r.cost;

	return row->has_brute && b->feasible &&
	       (b->cycles < r->cycles || (b->cycles == r->cycles && b->dram_bytes < r->dram_bytes));
}

int map_check_net(const struct arch_net *net, const struct hw_config *hw,
		  const struct hw_energy *e, const struct map_check_opts *o,
		  struct map_cache *cache, struct map_check_row *rows, int *n_rows,
		  struct cost_total *tot, struct hn_err *err)
{
	int n = 0;

	cost_total_init(tot);
	for (int i = 0; i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];
		struct map_check_row *row = &rows[n];
		int ret;
		if (o->layer && strcmp(o->layer, l->name))
			continue;
		memset(row, 0, sizeof(*row));
		row->l = l;
		if (o->mapper == COST_MAP_GREEDY)
			ret = map_greedy(l, hw, e, &row->r, err);
		else
			ret = map_layer(l, hw, e, &o->mo, cache, &row->r, err);
		if (ret < 0)
			return ret;
		if (o->exhaustive && arch_gemm(l).g && row->r.feasible) {
			row->brute_full = map_check_full_space(l, hw) <= MAP_CHECK_FULL_MAX;
			if (row->brute_full)
				map_brute_force(l, hw, e, &row->b);
			else
				map_brute_force_candidates(l, hw, e, &row->b);
			row->has_brute = 1;
		}
		cost_total_add(tot, &row->r.cost, l->name);
		n++;
	}
	cost_total_finish(tot, hw);
	*n_rows = n;
	return 0;
}
