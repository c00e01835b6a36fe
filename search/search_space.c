/* search_space.c: points of a space, their index, and what a point means (the accelerator
 * config and the network description). The JSON reader is search_space_json.c. */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const metric_names[SEARCH_M_COUNT] = {
	"accuracy", "latency_ms", "energy_mj", "edp", "dsp", "bram", "lut", "ff", "macs",
};

const char *search_metric_name(int m)
{
	return m >= 0 && m < SEARCH_M_COUNT ? metric_names[m] : "?";
}

int search_metric_parse(const char *s)
{
	for (int i = 0; s && i < SEARCH_M_COUNT; i++)
		if (!strcmp(s, metric_names[i]))
			return i;
	return -1;
}

static uint64_t product(const struct search_space *sp, int from, int to)
{
	uint64_t n = 1;

	for (int d = from; d < to; d++)
		n *= (uint64_t)sp->dims[d].n;
	return n;
}

uint64_t search_space_size(const struct search_space *sp)
{
	return product(sp, 0, sp->n_dims);
}

uint64_t search_space_nn_size(const struct search_space *sp)
{
	return product(sp, 0, sp->n_nn_dims);
}

uint64_t search_space_hw_size(const struct search_space *sp)
{
	return product(sp, sp->n_nn_dims, sp->n_dims);
}

static uint64_t index_of(const struct search_space *sp, const struct search_point *pt, int from,
			 int to)
{
	uint64_t idx = 0;

	for (int d = to - 1; d >= from; d--)
		idx = idx * (uint64_t)sp->dims[d].n + pt->c[d];
	return idx;
}

uint64_t search_point_index(const struct search_space *sp, const struct search_point *pt)
{
	return index_of(sp, pt, 0, sp->n_dims);
}

uint64_t search_point_nn_id(const struct search_space *sp, const struct search_point *pt)
{
	return index_of(sp, pt, 0, sp->n_nn_dims);
}

uint64_t search_point_hw_id(const struct search_space *sp, const struct search_point *pt)
{
	return index_of(sp, pt, sp->n_nn_dims, sp->n_dims);
}

void search_point_from_index(const struct search_space *sp, uint64_t index,
			     struct search_point *pt)
{
	*pt = (struct search_point){ { 0 } };
	for (int d = 0; d < sp->n_dims; d++) {
		pt->c[d] = (uint8_t)(index % (uint64_t)sp->dims[d].n);
		index /= (uint64_t)sp->dims[d].n;
	}
}

int search_point_eq(const struct search_point *a, const struct search_point *b)
{
	return !memcmp(a, b, sizeof(*a));
}

void search_space_hw(const struct search_space *sp, const struct search_point *pt,
		     struct hw_config *hw)
{
	search_space_target_hw(sp, 0, pt, hw);
}

int search_space_target_count(const struct search_space *sp)
{
	return sp->n_targets > 0 ? sp->n_targets : 1;
}

const char *search_space_target_name(const struct search_space *sp, int t)
{
	return sp->n_targets > 0 && t >= 0 && t < sp->n_targets ? sp->targets[t].name : "";
}

void search_metric_label(const struct search_space *sp, int metric, int at, char *buf,
			 size_t size)
{
	const char *name = search_metric_name(metric);

	if (at == SEARCH_AT_PLAIN)
		snprintf(buf, size, "%s", name);
	else if (at > 0)
		snprintf(buf, size, "%s@%s", name, search_space_target_name(sp, at - 1));
	else
		snprintf(buf, size, "%s@%s", name, at == SEARCH_AT_MAX ? "max" :
			 at == SEARCH_AT_MIN ? "min" : "mean");
}

int search_metric_label_parse(const char *s, const char (*names)[SEARCH_TARGET_NAME],
			      int n_targets, int *metric, int *at)
{
	char name[64];
	const char *a = strchr(s, '@');

	snprintf(name, sizeof(name), "%.*s", a ? (int)(a - s) : (int)strlen(s), s);
	*at = SEARCH_AT_PLAIN;
	if ((*metric = search_metric_parse(name)) < 0)
		return -1;
	if (!a)
		return 0;
	a++;
	if (!n_targets)
		return -2;
	if (!strcmp(a, "max") || !strcmp(a, "min") || !strcmp(a, "mean") || !strcmp(a, "worst")) {
		*at = !strcmp(a, "max") ? SEARCH_AT_MAX : !strcmp(a, "min") ? SEARCH_AT_MIN :
		      !strcmp(a, "mean") ? SEARCH_AT_MEAN :
		      *metric == SEARCH_M_ACCURACY ? SEARCH_AT_MIN : SEARCH_AT_MAX;
		return 0;
	}
	for (int t = 0; t < n_targets; t++)
		if (!strcmp(a, names[t])) {
			*at = 1 + t;
			return 0;
		}
	return -3;
}

double search_metric_at(const double (*tm)[SEARCH_M_COUNT], int n_targets, const double *m,
			int metric, int at)
{
	double v;

	if (n_targets == 0 || at == SEARCH_AT_PLAIN)
		return m[metric];
	if (at > 0)
		return tm[at - 1][metric];
	v = tm[0][metric];
	for (int t = 1; t < n_targets; t++) {
		double x = tm[t][metric];
		if (at == SEARCH_AT_MAX)
			v = fmax(v, x);
		else if (at == SEARCH_AT_MIN)
			v = fmin(v, x);
		else
			v += x;
	}
	return at == SEARCH_AT_MEAN ? v / n_targets : v;
}

double search_eval_metric(const struct search_space *sp, const struct search_eval *e, int metric,
			  int at)
{
	return search_metric_at((const double (*)[SEARCH_M_COUNT])e->tm, sp->n_targets, e->m,
				metric, at);
}

void search_space_target_hw(const struct search_space *sp, int t, const struct search_point *pt,
			    struct hw_config *hw)
{
	*hw = sp->n_targets > 0 ? sp->targets[t].hw_base : sp->hw_base;
	for (int d = sp->n_nn_dims; d < sp->n_dims; d++) {
		double v = sp->dims[d].v[pt->c[d]];
		if (sp->dims[d].stage != t)
			continue;
		int64_t i = (int64_t)llround(v);
		switch (sp->dims[d].knob) {
		case SEARCH_K_HW_PE_ROWS: hw->pe_rows = (int32_t)i; break;
		case SEARCH_K_HW_PE_COLS: hw->pe_cols = (int32_t)i; break;
		case SEARCH_K_HW_DATAFLOW: hw->dataflow = (enum hw_dataflow)i; break;
		case SEARCH_K_HW_BITS: hw->act_bits = hw->weight_bits = (int32_t)i; break;
		case SEARCH_K_HW_ACT_BITS: hw->act_bits = (int32_t)i; break;
		case SEARCH_K_HW_WEIGHT_BITS: hw->weight_bits = (int32_t)i; break;
		case SEARCH_K_HW_ACC_BITS: hw->acc_bits = (int32_t)i; break;
		case SEARCH_K_HW_BUFFER: hw->ibuf_bytes = hw->wbuf_bytes = hw->obuf_bytes = i; break;
		case SEARCH_K_HW_IBUF: hw->ibuf_bytes = i; break;
		case SEARCH_K_HW_WBUF: hw->wbuf_bytes = i; break;
		case SEARCH_K_HW_OBUF: hw->obuf_bytes = i; break;
		case SEARCH_K_HW_DOUBLE_BUFFER: hw->double_buffer = (int32_t)i; break;
		case SEARCH_K_HW_FREQ: hw->freq_mhz = v; break;
		case SEARCH_K_HW_DRAM_GBPS: hw->dram_gbps = v; break;
		case SEARCH_K_HW_DRAM_LATENCY: hw->dram_latency_cycles = (int32_t)i; break;
		case SEARCH_K_HW_MAC_PACKING: hw->mac_packing = (enum hw_packing)i; break;
		default: break;
		}
	}
}

void search_space_nb201_ops(const struct search_space *sp, const struct search_point *pt,
			    int ops[ARCH_NB201_EDGES])
{
	for (int e = 0; e < ARCH_NB201_EDGES; e++)
		ops[e] = ARCH_NB201_CONV3X3;
	for (int d = 0; d < sp->n_nn_dims; d++)
		if (sp->dims[d].knob == SEARCH_K_NB201_EDGE)
			ops[sp->dims[d].stage] = (int)sp->dims[d].v[pt->c[d]];
}

void search_space_mb(const struct search_space *sp, const struct search_point *pt,
		     struct arch_mb_config *mb)
{
	*mb = sp->mb_base;
	for (int d = 0; d < sp->n_nn_dims; d++) {
		const struct search_dim *dm = &sp->dims[d];
		double v = dm->v[pt->c[d]];
		switch (dm->knob) {
		case SEARCH_K_MB_KERNEL: mb->kernel[dm->stage] = (int)v; break;
		case SEARCH_K_MB_EXPAND: mb->expand[dm->stage] = (int)v; break;
		case SEARCH_K_MB_DEPTH: mb->depth[dm->stage] = (int)v; break;
		case SEARCH_K_MB_WIDTH: mb->width = v; break;
		case SEARCH_K_MB_RESOLUTION: mb->resolution = (int)v; break;
		default: break;
		}
	}
}

void search_space_describe_nn(const struct search_space *sp, const struct search_point *pt,
			      char *buf, size_t size)
{
	if (sp->nn_kind == SEARCH_NN_NB201) {
		int ops[ARCH_NB201_EDGES];
		search_space_nb201_ops(sp, pt, ops);
		arch_nb201_format(ops, buf, size);
	} else if (sp->nn_kind == SEARCH_NN_MBV2) {
		struct arch_mb_config mb;
		search_space_mb(sp, pt, &mb);
		arch_mb_describe(&mb, buf, size);
	} else {
		hn_strlcpy(buf, sp->zoo, size);
	}
}

int search_space_net(const struct search_space *sp, const struct search_point *pt,
		     struct arch_net *net, struct hn_err *err)
{
	if (sp->nn_kind == SEARCH_NN_NB201) {
		int ops[ARCH_NB201_EDGES];
		search_space_nb201_ops(sp, pt, ops);
		return arch_nb201_build(ops, sp->dataset, sp->batch, net, err);
	}
	if (sp->nn_kind == SEARCH_NN_MBV2) {
		struct arch_mb_config mb;
		search_space_mb(sp, pt, &mb);
		return arch_mb_build(&mb, sp->batch, net, err);
	}
	if (sp->net_path[0])
		return arch_net_resolve(sp->net_path, sp->batch, net, err);
	return arch_zoo_build(sp->zoo, sp->batch, net, err);
}
