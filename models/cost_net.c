/* cost_net.c: a whole network on one accelerator with a named mapper, the one place where
 * "pick a tiling, cost the layer, sum the network" is written (docs/model.md "A whole
 * network"). eval, sim, validate, the report, the search's evaluator and the RTL refinement
 * all call it; none sums by hand. */
#include <string.h>

#include "models.h"

static const char *const mapper_names[COST_MAPPER_COUNT] = {
	[COST_MAP_GLPK] = "glpk",
	[COST_MAP_GREEDY] = "greedy",
};

const char *cost_mapper_name(enum cost_mapper m)
{
	return (unsigned)m < COST_MAPPER_COUNT ? mapper_names[m] : "?";
}

int cost_mapper_parse(const char *s)
{
	for (int m = 0; m < COST_MAPPER_COUNT; m++)
		if (!strcmp(s, mapper_names[m]))
			return m;
	return -1;
}

void cost_net_opts_init(struct cost_net_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mapper = COST_MAP_GLPK;
}

/* The tiling of a MAC layer: the tiling file's, the fixed one, or the mapper's; *none = 1
 * when the mapper finds none. */
static int pick_tiling(const struct arch_layer *l, const struct hw_config *hw,
		       const struct hw_energy *e, const struct cost_net_opts *o,
		       struct map_tiling *t, int *none, struct hn_err *err)
{
	if (o->tilings) {
		const struct map_tiling *f = map_tilings_find(o->tilings, l->name);
		if (!f)
			return hn_fail(err, HN_EINVAL, "%s: no tiling for layer '%s'",
				       o->tilings_origin ? o->tilings_origin : "tilings", l->name);
		*t = *f;
		return 0;
	}
	if (o->fixed) {
		*t = *o->fixed;
		return 0;
	}
	if (o->mapper == COST_MAP_GREEDY) {
		int ret = map_default(l, hw, t);
		*none = t->tm == 0;
		return ret;
	}

	struct map_options mo;
	struct map_result r;
	int ret;

	map_options_default(&mo);
	ret = map_layer(l, hw, e, &mo, o->cache, &r, err);
	if (ret < 0)
		return ret;
	*t = r.tiling;
	*none = !r.feasible;
	return 0;
}

int cost_net_layer(const struct arch_layer *l, const struct hw_config *hw,
		   const struct cost_net_opts *o, struct cost_net_row *row, struct hn_err *err)
{
	struct hw_energy dflt;
	const struct hw_energy *e = o->energy;
	int ret, chosen = 0;

	if (!e) {
		dflt = hw_energy_default();
		e = &dflt;
	}
	memset(row, 0, sizeof(*row));
	row->fits = 1;
	if (arch_gemm(l).g == 0) {
		/* No MACs: the vector unit prices it; the tiling is not used (map_default's 1x1x1). */
		map_default(l, hw, &row->tiling);
	} else {
		int none = 0;
		ret = pick_tiling(l, hw, e, o, &row->tiling, &none, err);
		if (ret < 0)
			return ret;
		if (none) {
			/* No tiling fits: the smallest one names the buffer that is too small. */
			row->fits = 0;
			row->tiling = (struct map_tiling){ 1, 1, 1, MAP_MNK };
		} else if (o->axi && o->axi->dw > 0 && !o->tilings && !o->fixed) {
			/* the mapper's tiling is the direct top's choice: on the AXI top, the
			 * fastest of its variants (map_axi_choose; never slower) */
			const struct map_tiling base = row->tiling;
			chosen = map_axi_choose(l, hw, &base, o->axi, e, &row->tiling,
						&row->cost) == 0;
		}
	}
	if (!chosen && cost_layer_axi(l, hw, &row->tiling, o->axi, e, &row->cost) < 0)
		return hn_fail(err, HN_EINVAL, "layer '%s': invalid tiling %lld,%lld,%lld", l->name,
			       (long long)row->tiling.tm, (long long)row->tiling.tn,
			       (long long)row->tiling.tk);
	if (!row->cost.feasible)
		row->fits = 0;
	if (o->calib)
		cost_calib_apply(o->calib, hw, &row->cost);
	return 0;
}

int cost_net(const struct arch_net *net, const struct hw_config *hw,
	     const struct cost_net_opts *o, struct cost_net_row *rows, struct cost_total *tot,
	     struct hn_err *err)
{
	cost_total_init(tot);
	for (int i = 0; i < net->n_layers; i++) {
		struct cost_net_row one, *row = rows ? &rows[i] : &one;
		int ret = cost_net_layer(&net->layers[i], hw, o, row, err);
		if (ret < 0)
			return ret;
		cost_total_add(tot, &row->cost, net->layers[i].name);
		if (o->tick)
			o->tick(o->tick_ctx, i + 1, net->n_layers);
	}
	cost_total_finish(tot, hw);
	return 0;
}
