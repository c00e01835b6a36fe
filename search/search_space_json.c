/* search_space_json.c: the search-space file (docs/search.md "Space file"). Every error names
 * the file and the field: "space.json: 'hw.choices.pe_rows[2]': ...". Unknown keys are errors
 * (they are usually typos). */
#include "search.h"

#include <cjson/cJSON.h>

#include "../common/hn_json.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	const char *origin;
	struct hn_err *err;
};

#define FAIL(c, ...) hn_fail((c)->err, HN_EINVAL, __VA_ARGS__)

static int check_keys(struct ctx *c, const cJSON *obj, const char *where,
		      const char *const *allowed)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return FAIL(c, "%s: '%s' must be an object", c->origin, where);
	cJSON_ArrayForEach(it, obj) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			ok |= !strcmp(it->string, allowed[i]);
		if (!ok) {
			char list[256] = "";
			for (int i = 0; allowed[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", allowed[i]);
			return FAIL(c, "%s: '%s.%s' is not a known field (known: %s)", c->origin, where,
				    it->string, list);
		}
	}
	return 0;
}

static int get_number(struct ctx *c, const cJSON *o, const char *key, const char *where,
		      double lo, double hi, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return 1;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return FAIL(c, "%s: '%s.%s' must be a number", c->origin, where, key);
	if (v->valuedouble < lo || v->valuedouble > hi)
		return FAIL(c, "%s: '%s.%s' must be between %g and %g, got %g", c->origin, where, key,
			    lo, hi, v->valuedouble);
	*out = v->valuedouble;
	return 0;
}

static int get_string(struct ctx *c, const cJSON *o, const char *key, const char *where,
		      const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return 1;
	if (!cJSON_IsString(v))
		return FAIL(c, "%s: '%s.%s' must be a string", c->origin, where, key);
	*out = v->valuestring;
	return 0;
}

/* A file named in the space file: relative to the space file's folder unless absolute. */
static void resolve_path(const struct ctx *c, const char *name, char *out, size_t size)
{
	const char *slash = strrchr(c->origin, '/');

	if (name[0] == '/' || !slash)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - c->origin), c->origin, name);
}

static int add_dim(struct ctx *c, struct search_space *sp, const char *name, int knob, int stage,
		   const double *v, int n)
{
	if (sp->n_dims >= SEARCH_MAX_DIMS)
		return FAIL(c, "%s: more than %d searched knobs", c->origin, SEARCH_MAX_DIMS);
	struct search_dim *d = &sp->dims[sp->n_dims++];
	memset(d, 0, sizeof(*d));
	hn_strlcpy(d->name, name, sizeof(d->name));
	d->knob = knob;
	d->stage = stage;
	d->n = n;
	memcpy(d->v, v, (size_t)n * sizeof(double));
	return 0;
}

/* A list of numbers: choices, 1 .. SEARCH_MAX_CHOICES of them, each in [lo, hi]. */
static int number_list(struct ctx *c, const cJSON *a, const char *where, double lo, double hi,
		       int integer, double *v, int *n)
{
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > SEARCH_MAX_CHOICES)
		return FAIL(c, "%s: '%s' must be a list of 1 to %d choices", c->origin, where,
			    SEARCH_MAX_CHOICES);
	cJSON_ArrayForEach(it, a) {
		double x = cJSON_IsBool(it) ? (cJSON_IsTrue(it) ? 1 : 0) : it->valuedouble;
		if (!cJSON_IsNumber(it) && !cJSON_IsBool(it))
			return FAIL(c, "%s: '%s[%d]' must be a number", c->origin, where, i);
		if (!isfinite(x) || x < lo || x > hi || (integer && x != floor(x)))
			return FAIL(c, "%s: '%s[%d]' must be %s between %g and %g, got %g", c->origin,
				    where, i, integer ? "an integer" : "a number", lo, hi, x);
		v[i++] = x;
	}
	*n = i;
	return 0;
}

/* ---- nn ---- */

static int parse_nn(struct ctx *c, const cJSON *nn, struct search_space *sp)
{
	static const char *const keys[] = { "space", "dataset", "network", "accuracy", "kernel",
					    "expansion", "depth_delta", "stages", "width",
					    "resolution", "classes", "accuracy_command",
					    "accuracy_timeout_s", "quant_from_command", NULL };
	const char *kind = NULL, *s;
	int ret = check_keys(c, nn, "nn", keys);

	if (ret)
		return ret;
	if (get_string(c, nn, "space", "nn", &kind))
		return FAIL(c, "%s: 'nn.space' is required: \"nb201\", \"mbv2\" or \"zoo\"", c->origin);
	sp->acc_timeout_s = 60;
	if ((ret = get_string(c, nn, "accuracy_command", "nn", &s)) < 0)
		return ret;
	if (ret == 0) {
		if (strlen(s) >= sizeof(sp->acc_cmd) || !s[0])
			return FAIL(c, "%s: 'nn.accuracy_command' must be 1 to %d bytes", c->origin,
				    (int)sizeof(sp->acc_cmd) - 1);
		hn_strlcpy(sp->acc_cmd, s, sizeof(sp->acc_cmd));
	}
	if ((ret = get_number(c, nn, "accuracy_timeout_s", "nn", 0.001, 86400, &sp->acc_timeout_s)) < 0)
		return ret;
	const cJSON *qc = cJSON_GetObjectItemCaseSensitive(nn, "quant_from_command");
	if (qc && !cJSON_IsBool(qc))
		return FAIL(c, "%s: 'nn.quant_from_command' must be true or false", c->origin);
	sp->quant_from_command = qc && cJSON_IsTrue(qc);

	if (!strcmp(kind, "nb201")) {
		static const double ops[5] = { 0, 1, 2, 3, 4 };
		sp->nn_kind = SEARCH_NN_NB201;
		sp->dataset = ARCH_NB201_CIFAR10;
		if ((ret = get_string(c, nn, "dataset", "nn", &s)) < 0)
			return ret;
		if (ret == 0 && (sp->dataset = arch_nb201_dataset_parse(s)) < 0)
			return FAIL(c, "%s: 'nn.dataset' must be \"cifar10\", \"cifar100\" or "
				    "\"imagenet16_120\", got \"%s\"", c->origin, s);
		if (sp->acc_cmd[0])
			return FAIL(c, "%s: 'nn.accuracy_command' is for \"mbv2\"; nb201 reads the "
				    "benchmark table", c->origin);
		for (int e = 0; e < ARCH_NB201_EDGES; e++) {
			char name[16];
			snprintf(name, sizeof(name), "edge%d", e);
			if ((ret = add_dim(c, sp, name, SEARCH_K_NB201_EDGE, e, ops, 5)) < 0)
				return ret;
		}
		return 0;
	}
	if (!strcmp(kind, "zoo")) {
		struct arch_net net = { 0 };
		int in_zoo = 0;
		sp->nn_kind = SEARCH_NN_ZOO;
		sp->fixed_accuracy = NAN;
		if (get_string(c, nn, "network", "nn", &s))
			return FAIL(c, "%s: 'nn.network' (a zoo name or a network file) is required for "
				    "\"zoo\"", c->origin);
		for (int i = 0; i < arch_zoo_count(); i++)
			in_zoo |= !strcmp(s, arch_zoo_name(i));
		if (in_zoo) {
			hn_strlcpy(sp->zoo, s, sizeof(sp->zoo));
		} else {
			/* a network file (JSON, SCALE-Sim CSV), relative to the space file; read once
			 * here so that a bad file is reported before a run starts */
			resolve_path(c, s, sp->net_path, sizeof(sp->net_path));
			if ((ret = arch_net_resolve(sp->net_path, 0, &net, c->err)) < 0) {
				hn_err_prefix(c->err, "'nn.network'");
				hn_err_prefix(c->err, c->origin);
				return ret;
			}
			hn_strlcpy(sp->zoo, net.name, sizeof(sp->zoo));
			sp->batch = net.batch; /* unless the space gives "batch" */
			arch_net_release(&net);
		}
		if ((ret = get_number(c, nn, "accuracy", "nn", 0, 100, &sp->fixed_accuracy)) < 0)
			return ret;
		return 0;
	}
	if (strcmp(kind, "mbv2"))
		return FAIL(c, "%s: 'nn.space' must be \"nb201\", \"mbv2\" or \"zoo\", got \"%s\"",
			    c->origin, kind);
	sp->nn_kind = SEARCH_NN_MBV2;
	sp->mb_base = arch_mb_default();
	double kv[SEARCH_MAX_CHOICES] = { 3 }, ev[SEARCH_MAX_CHOICES] = { 6 };
	double dv[SEARCH_MAX_CHOICES] = { 0 }, wv[SEARCH_MAX_CHOICES] = { 1.0 };
	double rv[SEARCH_MAX_CHOICES] = { 224 }, stv[SEARCH_MAX_CHOICES] = { 1, 2, 3, 4, 5, 6 };
	int nk = 1, ne = 1, nd = 1, nw = 1, nr = 1, nst = 6;
	const cJSON *a;
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "kernel")) &&
	    (ret = number_list(c, a, "nn.kernel", 3, 7, 1, kv, &nk)) < 0)
		return ret;
	for (int i = 0; i < nk; i++)
		if (kv[i] != 3 && kv[i] != 5 && kv[i] != 7)
			return FAIL(c, "%s: 'nn.kernel[%d]' must be 3, 5 or 7, got %g", c->origin, i, kv[i]);
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "expansion")) &&
	    (ret = number_list(c, a, "nn.expansion", 1, 12, 1, ev, &ne)) < 0)
		return ret;
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "depth_delta")) &&
	    (ret = number_list(c, a, "nn.depth_delta", -3, 3, 1, dv, &nd)) < 0)
		return ret;
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "width")) &&
	    (ret = number_list(c, a, "nn.width", 0.1, 4, 0, wv, &nw)) < 0)
		return ret;
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "resolution")) &&
	    (ret = number_list(c, a, "nn.resolution", 32, 1024, 1, rv, &nr)) < 0)
		return ret;
	if ((a = cJSON_GetObjectItemCaseSensitive(nn, "stages")) &&
	    (ret = number_list(c, a, "nn.stages", 0, ARCH_MB_STAGES - 1, 1, stv, &nst)) < 0)
		return ret;
	double cl = 1000;
	if ((ret = get_number(c, nn, "classes", "nn", 1, 100000, &cl)) < 0)
		return ret;
	sp->mb_base.classes = (int)cl;
	for (int i = 0; i < nst; i++) {
		int st = (int)stv[i];
		char name[32];
		double depth[SEARCH_MAX_CHOICES];
		for (int j = 0; j < nd; j++)
			depth[j] = fmax(1.0, sp->mb_base.depth[st] + dv[j]);
		snprintf(name, sizeof(name), "s%d.kernel", st);
		if (nk > 1 && (ret = add_dim(c, sp, name, SEARCH_K_MB_KERNEL, st, kv, nk)) < 0)
			return ret;
		snprintf(name, sizeof(name), "s%d.expansion", st);
		if (ne > 1 && (ret = add_dim(c, sp, name, SEARCH_K_MB_EXPAND, st, ev, ne)) < 0)
			return ret;
		snprintf(name, sizeof(name), "s%d.depth", st);
		if (nd > 1 && (ret = add_dim(c, sp, name, SEARCH_K_MB_DEPTH, st, depth, nd)) < 0)
			return ret;
		if (nk == 1)
			sp->mb_base.kernel[st] = (int)kv[0];
		if (ne == 1)
			sp->mb_base.expand[st] = (int)ev[0];
		if (nd == 1)
			sp->mb_base.depth[st] = (int)depth[0];
	}
	if (nw > 1 && (ret = add_dim(c, sp, "width", SEARCH_K_MB_WIDTH, 0, wv, nw)) < 0)
		return ret;
	if (nr > 1 && (ret = add_dim(c, sp, "resolution", SEARCH_K_MB_RESOLUTION, 0, rv, nr)) < 0)
		return ret;
	sp->mb_base.width = wv[0];
	sp->mb_base.resolution = (int)rv[0];
	return 0;
}

/* ---- hw ---- */

struct hw_knob {
	const char *json;
	int knob;
	const char *field;  /* hw_config_check_field name, NULL for non-integers */
	int64_t scale;      /* 1024 for *_kib */
};

static const struct hw_knob hw_knobs[] = {
	{ "pe_rows", SEARCH_K_HW_PE_ROWS, "pe_rows", 1 },
	{ "pe_cols", SEARCH_K_HW_PE_COLS, "pe_cols", 1 },
	{ "dataflow", SEARCH_K_HW_DATAFLOW, NULL, 1 },
	{ "bits", SEARCH_K_HW_BITS, "act_bits", 1 },
	{ "act_bits", SEARCH_K_HW_ACT_BITS, "act_bits", 1 },
	{ "weight_bits", SEARCH_K_HW_WEIGHT_BITS, "weight_bits", 1 },
	{ "acc_bits", SEARCH_K_HW_ACC_BITS, "acc_bits", 1 },
	{ "buffer_bytes", SEARCH_K_HW_BUFFER, "ibuf_bytes", 1 },
	{ "buffer_kib", SEARCH_K_HW_BUFFER, "ibuf_bytes", 1024 },
	{ "ibuf_bytes", SEARCH_K_HW_IBUF, "ibuf_bytes", 1 },
	{ "wbuf_bytes", SEARCH_K_HW_WBUF, "wbuf_bytes", 1 },
	{ "obuf_bytes", SEARCH_K_HW_OBUF, "obuf_bytes", 1 },
	{ "ibuf_kib", SEARCH_K_HW_IBUF, "ibuf_bytes", 1024 },
	{ "wbuf_kib", SEARCH_K_HW_WBUF, "wbuf_bytes", 1024 },
	{ "obuf_kib", SEARCH_K_HW_OBUF, "obuf_bytes", 1024 },
	{ "double_buffer", SEARCH_K_HW_DOUBLE_BUFFER, "double_buffer", 1 },
	{ "freq_mhz", SEARCH_K_HW_FREQ, NULL, 1 },
	{ "dram_gbps", SEARCH_K_HW_DRAM_GBPS, NULL, 1 },
	{ "dram_latency_cycles", SEARCH_K_HW_DRAM_LATENCY, "dram_latency_cycles", 1 },
	{ "mac_packing", SEARCH_K_HW_MAC_PACKING, NULL, 1 },
};

/* The choices of one HW knob of target t (0 in a space without targets); hw is "hw" or
 * "targets[1].hw", for messages. */
static int hw_choice_list(struct ctx *c, const cJSON *a, const struct hw_knob *k,
			  struct search_space *sp, int t, const char *hw)
{
	char where[96], dname[64];
	double v[SEARCH_MAX_CHOICES];
	int n = 0, ret;
	const cJSON *it;

	snprintf(where, sizeof(where), "%s.choices.%s", hw, k->json);
	if (k->knob == SEARCH_K_HW_DATAFLOW) {
		if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
		    cJSON_GetArraySize(a) > SEARCH_MAX_CHOICES)
			return FAIL(c, "%s: '%s' must be a list of 1 to %d choices", c->origin, where,
				    SEARCH_MAX_CHOICES);
		cJSON_ArrayForEach(it, a) {
			int df = cJSON_IsString(it) ? hw_dataflow_parse(it->valuestring) : -1;
			if (df < 0)
				return FAIL(c, "%s: '%s[%d]' must be \"ws\", \"os\" or \"is\"", c->origin,
					    where, n);
			v[n++] = df;
		}
	} else if (k->knob == SEARCH_K_HW_MAC_PACKING) {
		if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
		    cJSON_GetArraySize(a) > SEARCH_MAX_CHOICES)
			return FAIL(c, "%s: '%s' must be a list of 1 to %d choices", c->origin, where,
				    SEARCH_MAX_CHOICES);
		cJSON_ArrayForEach(it, a) {
			int pk = cJSON_IsString(it) ? hw_packing_parse(it->valuestring) : -1;
			if (pk < 0)
				return FAIL(c, "%s: '%s[%d]' must be \"none\", \"dsp2\", \"dsp4\" or "
					    "\"lut\"", c->origin, where, n);
			v[n++] = pk;
		}
	} else if (k->knob == SEARCH_K_HW_FREQ || k->knob == SEARCH_K_HW_DRAM_GBPS) {
		double hi = k->knob == SEARCH_K_HW_FREQ ? 2000 : 10000;
		if ((ret = number_list(c, a, where, 1e-3, hi, 0, v, &n)) < 0)
			return ret;
	} else {
		if ((ret = number_list(c, a, where, 0, 1e15, 1, v, &n)) < 0)
			return ret;
		for (int i = 0; i < n; i++) {
			struct hn_err e2 = { 0 };
			v[i] *= (double)k->scale;
			if (hw_config_check_field(k->field, (int64_t)v[i], NULL, &e2) < 0)
				return FAIL(c, "%s: '%s[%d]': %s", c->origin, where, i, e2.msg);
		}
	}
	/* a target's knob is named after it: "zcu102.pe_rows" */
	snprintf(dname, sizeof(dname), "%s%s%s", search_space_target_name(sp, t),
		 sp->n_targets ? "." : "", k->json);
	return add_dim(c, sp, dname, k->knob, t, v, n);
}

/* The "hw" object of the space (t = 0, where "hw") or of target t (where "targets[t].hw"):
 * its base config into *base_out (and the file into base_path), its knobs into sp->dims. */
static int parse_hw(struct ctx *c, const cJSON *hw, struct search_space *sp, int t,
		    const char *hwname, struct hw_config *base_out, char *base_path,
		    size_t base_path_size)
{
	static const char *const keys[] = { "base", "choices", NULL };
	const cJSON *base, *ch, *it;
	int ret = check_keys(c, hw, hwname, keys);

	if (ret)
		return ret;
	*base_out = hw_config_default();
	base = cJSON_GetObjectItemCaseSensitive(hw, "base");
	if (cJSON_IsString(base)) {
		char path[512], field[128];
		resolve_path(c, base->valuestring, path, sizeof(path));
		hn_strlcpy(base_path, path, base_path_size);
		if ((ret = hw_config_load(path, base_out, c->err)) < 0) {
			snprintf(field, sizeof(field), "'%s.base'", hwname);
			hn_err_prefix(c->err, field);
			hn_err_prefix(c->err, c->origin);
			return ret;
		}
	} else if (cJSON_IsObject(base)) {
		char *text = cJSON_PrintUnformatted(base), where[400];
		if (!text)
			return hn_fail(c->err, HN_ENOMEM, "out of memory");
		snprintf(where, sizeof(where), "%s: '%s.base'", c->origin, hwname);
		ret = hw_config_parse_json(text, strlen(text), where, base_out, c->err);
		free(text);
		if (ret < 0)
			return ret;
	} else if (base) {
		return FAIL(c, "%s: '%s.base' must be a config file name or a config object",
			    c->origin, hwname);
	}
	ch = cJSON_GetObjectItemCaseSensitive(hw, "choices");
	if (!ch)
		return 0;
	if (!cJSON_IsObject(ch))
		return FAIL(c, "%s: '%s.choices' must be an object", c->origin, hwname);
	cJSON_ArrayForEach(it, ch) {
		const struct hw_knob *k = NULL;
		for (size_t i = 0; i < sizeof(hw_knobs) / sizeof(hw_knobs[0]); i++)
			if (!strcmp(it->string, hw_knobs[i].json))
				k = &hw_knobs[i];
		if (!k)
			return FAIL(c, "%s: '%s.choices.%s' is not a searchable field (pe_rows, "
				    "pe_cols, dataflow, bits, act_bits, weight_bits, acc_bits, "
				    "buffer_kib, ibuf_kib, wbuf_kib, obuf_kib, *_bytes, double_buffer, "
				    "freq_mhz, dram_gbps, dram_latency_cycles, mac_packing)", c->origin,
				    hwname, it->string);
		if ((ret = hw_choice_list(c, it, k, sp, t, hwname)) < 0)
			return ret;
	}
	return 0;
}

/* ---- targets (docs/search.md "Multiple targets") ---- */

static int reserved_target_name(const char *s)
{
	return !strcmp(s, "max") || !strcmp(s, "min") || !strcmp(s, "mean") || !strcmp(s, "worst");
}

static int parse_targets(struct ctx *c, const cJSON *a, struct search_space *sp)
{
	static const char *const keys[] = { "name", "device", "hw", "comment", NULL };
	const cJSON *it;
	int t = 0, ret;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 2 ||
	    cJSON_GetArraySize(a) > SEARCH_MAX_TARGETS)
		return FAIL(c, "%s: 'targets' must be a list of 2 to %d targets", c->origin,
			    SEARCH_MAX_TARGETS);
	sp->n_targets = cJSON_GetArraySize(a);
	cJSON_ArrayForEach(it, a) {
		struct search_target *tg = &sp->targets[t];
		char where[32], hwname[48];
		const char *name = NULL, *dev = NULL;
		const cJSON *hw;
		snprintf(where, sizeof(where), "targets[%d]", t);
		snprintf(hwname, sizeof(hwname), "targets[%d].hw", t);
		if ((ret = check_keys(c, it, where, keys)))
			return ret;
		if ((ret = get_string(c, it, "name", where, &name)) < 0 ||
		    (ret = get_string(c, it, "device", where, &dev)) < 0)
			return ret;
		if (!name)
			return FAIL(c, "%s: '%s.name' is required (objectives name a target: "
				    "latency_ms@NAME)", c->origin, where);
		size_t len = strlen(name);
		if (len < 1 || len >= SEARCH_TARGET_NAME || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != len)
			return FAIL(c, "%s: '%s.name' must be 1 to %d letters, digits, '_' or '-', got "
				    "\"%s\"", c->origin, where, SEARCH_TARGET_NAME - 1, name);
		if (reserved_target_name(name))
			return FAIL(c, "%s: '%s.name': \"%s\" is reserved for an aggregate over the "
				    "targets (max, min, mean, worst)", c->origin, where, name);
		for (int j = 0; j < t; j++)
			if (!strcmp(sp->targets[j].name, name))
				return FAIL(c, "%s: '%s.name': target \"%s\" is already targets[%d]",
					    c->origin, where, name, j);
		hn_strlcpy(tg->name, name, sizeof(tg->name));
		if (!(hw = cJSON_GetObjectItemCaseSensitive(it, "hw")))
			return FAIL(c, "%s: '%s.hw' is required (a base config, and choices to search)",
				    c->origin, where);
		if ((ret = parse_hw(c, hw, sp, t, hwname, &tg->hw_base, tg->hw_base_path,
				    sizeof(tg->hw_base_path))) < 0)
			return ret;
		if (dev) {
			if (!hw_device_find(dev))
				return FAIL(c, "%s: '%s.device': unknown device \"%s\"", c->origin, where,
					    dev);
			hn_strlcpy(tg->hw_base.device, dev, sizeof(tg->hw_base.device));
		}
		t++;
	}
	sp->hw_base = sp->targets[0].hw_base;
	hn_strlcpy(sp->hw_base_path, sp->targets[0].hw_base_path, sizeof(sp->hw_base_path));
	return 0;
}

/* "latency_ms", "latency_ms@zcu102", "latency_ms@max" (also @min, @mean, @worst: max, or
 * min for accuracy) into *metric and *at. where is "objectives[1]" (the field is .metric) or
 * "formulation.weights" (the field is the key). */
static int parse_metric_at(struct ctx *c, const struct search_space *sp, const char *s,
			   const char *field, int *metric, int *at)
{
	char names[SEARCH_MAX_TARGETS][SEARCH_TARGET_NAME], list[160] = "";
	int r;

	for (int t = 0; t < sp->n_targets; t++) {
		hn_strlcpy(names[t], sp->targets[t].name, sizeof(names[t]));
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s, ",
			 sp->targets[t].name);
	}
	r = search_metric_label_parse(s, (const char (*)[SEARCH_TARGET_NAME])names, sp->n_targets,
				      metric, at);
	if (r == -1)
		return FAIL(c, "%s: '%s' must be one of accuracy, latency_ms, energy_mj, edp, dsp, "
			    "bram, lut, ff, macs%s, got \"%s\"", c->origin, field,
			    sp->n_targets ? " (with @TARGET, @max, @min, @mean or @worst)" : "", s);
	if (r == -2)
		return FAIL(c, "%s: '%s': \"%s\" names a target, but the space has no 'targets'",
			    c->origin, field, s);
	if (r == -3)
		return FAIL(c, "%s: '%s': unknown target \"%s\" in \"%s\" (targets: %smax, min, "
			    "mean, worst)", c->origin, field, strchr(s, '@') + 1, s, list);
	return 0;
}

/* ---- objectives, constraints, formulation ---- */

static int parse_objectives(struct ctx *c, const cJSON *a, struct search_space *sp)
{
	static const char *const keys[] = { "metric", "goal", "ref", NULL };
	const cJSON *it;
	int i = 0, ret;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 || cJSON_GetArraySize(a) > SEARCH_MAX_OBJ)
		return FAIL(c, "%s: 'objectives' must be a list of 1 to %d objectives", c->origin,
			    SEARCH_MAX_OBJ);
	cJSON_ArrayForEach(it, a) {
		char where[32];
		const char *s;
		struct search_objective *o = &sp->obj[i];
		snprintf(where, sizeof(where), "objectives[%d]", i);
		if ((ret = check_keys(c, it, where, keys)))
			return ret;
		char field[48];
		snprintf(field, sizeof(field), "%s.metric", where);
		if (get_string(c, it, "metric", where, &s))
			return FAIL(c, "%s: '%s.metric' must be one of accuracy, latency_ms, energy_mj, "
				    "edp, dsp, bram, lut, ff, macs", c->origin, where);
		if ((ret = parse_metric_at(c, sp, s, field, &o->metric, &o->at)) < 0)
			return ret;
		for (int j = 0; j < i; j++)
			if (sp->obj[j].metric == o->metric && sp->obj[j].at == o->at)
				return FAIL(c, "%s: '%s.metric': '%s' is already an objective", c->origin,
					    where, s);
		o->maximize = o->metric == SEARCH_M_ACCURACY;
		if ((ret = get_string(c, it, "goal", where, &s)) < 0)
			return ret;
		if (ret == 0 && strcmp(s, o->maximize ? "max" : "min"))
			return FAIL(c, "%s: '%s.goal' of %s must be \"%s\"", c->origin, where,
				    search_metric_name(o->metric), o->maximize ? "max" : "min");
		o->ideal = o->maximize ? 100.0 : 0.0;
		o->ref = NAN;
		if ((ret = get_number(c, it, "ref", where, -1e300, 1e300, &o->ref)) < 0)
			return ret;
		i++;
	}
	sp->n_obj = i;
	return 0;
}

static int parse_constraints(struct ctx *c, const cJSON *a, struct search_space *sp)
{
	static const char *const keys[] = { "metric", "max", "min", NULL };
	const cJSON *it;
	int i = 0, ret;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > SEARCH_MAX_CON)
		return FAIL(c, "%s: 'constraints' must be a list of at most %d constraints", c->origin,
			    SEARCH_MAX_CON);
	cJSON_ArrayForEach(it, a) {
		char where[32];
		const char *s;
		struct search_constraint *k = &sp->con[i];
		snprintf(where, sizeof(where), "constraints[%d]", i);
		if ((ret = check_keys(c, it, where, keys)))
			return ret;
		char field[48];
		snprintf(field, sizeof(field), "%s.metric", where);
		if (get_string(c, it, "metric", where, &s))
			return FAIL(c, "%s: '%s.metric' must be one of accuracy, latency_ms, energy_mj, "
				    "edp, dsp, bram, lut, ff, macs", c->origin, where);
		if ((ret = parse_metric_at(c, sp, s, field, &k->metric, &k->at)) < 0)
			return ret;
		k->lo = -INFINITY;
		k->hi = INFINITY;
		int r1 = get_number(c, it, "max", where, -1e300, 1e300, &k->hi);
		int r2 = get_number(c, it, "min", where, -1e300, 1e300, &k->lo);
		if (r1 < 0 || r2 < 0)
			return HN_EINVAL;
		if (r1 && r2)
			return FAIL(c, "%s: '%s' needs \"max\" or \"min\"", c->origin, where);
		i++;
	}
	sp->n_con = i;
	return 0;
}

static int parse_formulation(struct ctx *c, const cJSON *f, struct search_space *sp)
{
	static const char *const keys[] = { "type", "weights", "target_ms", "w", "alpha", "beta",
					    NULL };
	const char *t;
	int ret;

	sp->form = SEARCH_PARETO;
	if (!f)
		return 0;
	if ((ret = check_keys(c, f, "formulation", keys)))
		return ret;
	if (get_string(c, f, "type", "formulation", &t))
		return FAIL(c, "%s: 'formulation.type' must be \"pareto\", \"weighted\" or \"mnas\"",
			    c->origin);
	if (!strcmp(t, "pareto"))
		return 0;
	if (!strcmp(t, "weighted")) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(f, "weights"), *it;
		sp->form = SEARCH_WEIGHTED;
		if (!cJSON_IsObject(w))
			return FAIL(c, "%s: 'formulation.weights' must be an object of metric: weight",
				    c->origin);
		cJSON_ArrayForEach(it, w) {
			int m = -1, at = 0, j;
			struct hn_err e2 = { 0 };
			struct ctx c2 = { c->origin, &e2 };
			parse_metric_at(&c2, sp, it->string, "formulation.weights", &m, &at);
			for (j = 0; j < sp->n_obj && (sp->obj[j].metric != m || sp->obj[j].at != at); j++)
				;
			if (m < 0 || j == sp->n_obj)
				return FAIL(c, "%s: 'formulation.weights.%s' is not one of the objectives",
					    c->origin, it->string);
			if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0))
				return FAIL(c, "%s: 'formulation.weights.%s' must be a number >= 0",
					    c->origin, it->string);
			sp->weights[j] = it->valuedouble;
		}
		return 0;
	}
	if (strcmp(t, "mnas"))
		return FAIL(c, "%s: 'formulation.type' must be \"pareto\", \"weighted\" or \"mnas\", "
			    "got \"%s\"", c->origin, t);
	sp->form = SEARCH_MNAS;
	sp->mnas_alpha = sp->mnas_beta = -0.07; /* MnasNet's soft constraint */
	if (get_number(c, f, "target_ms", "formulation", 1e-9, 1e12, &sp->mnas_target_ms))
		return FAIL(c, "%s: 'formulation.target_ms' (a latency > 0) is required for \"mnas\"",
			    c->origin);
	double w;
	if ((ret = get_number(c, f, "w", "formulation", -10, 10, &w)) < 0)
		return ret;
	if (ret == 0)
		sp->mnas_alpha = sp->mnas_beta = w;
	if ((ret = get_number(c, f, "alpha", "formulation", -10, 10, &sp->mnas_alpha)) < 0 ||
	    (ret = get_number(c, f, "beta", "formulation", -10, 10, &sp->mnas_beta)) < 0)
		return ret;
	return 0;
}

static int parse_quant(struct ctx *c, const cJSON *q, struct search_space *sp)
{
	const cJSON *it;
	int n = 0;

	if (!cJSON_IsObject(q))
		return FAIL(c, "%s: 'quant_penalty' must be an object of bits: percentage points",
			    c->origin);
	cJSON_ArrayForEach(it, q) {
		char *end;
		long b = strtol(it->string, &end, 10);
		if (*end || b < 1 || b > 64)
			return FAIL(c, "%s: 'quant_penalty.%s': keys are bit-widths 1 .. 64", c->origin,
				    it->string);
		if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 100))
			return FAIL(c, "%s: 'quant_penalty.%s' must be percentage points 0 .. 100",
				    c->origin, it->string);
		if (n >= ARCH_QUANT_MAX)
			return FAIL(c, "%s: 'quant_penalty' has more than %d entries", c->origin,
				    ARCH_QUANT_MAX);
		int j = n++;
		while (j > 0 && sp->quant.bits[j - 1] > b) {
			sp->quant.bits[j] = sp->quant.bits[j - 1];
			sp->quant.points[j] = sp->quant.points[j - 1];
			j--;
		}
		if (j > 0 && sp->quant.bits[j - 1] == b)
			return FAIL(c, "%s: 'quant_penalty.%s' given twice", c->origin, it->string);
		sp->quant.bits[j] = (int)b;
		sp->quant.points[j] = it->valuedouble;
	}
	sp->quant.n = n;
	sp->quant_overridden = 1;
	return 0;
}

/* Reference points not given: a constraint's bound, the device budget, 0 % accuracy. */
/* The device that bounds a resource objective at `at`: the space's, the target's, or over
 * every target (plain or an aggregate) the one with the largest budget of that resource. */
static const struct hw_device *ref_device(const struct search_space *sp, int at, int metric)
{
	const struct hw_device *best = NULL;

	if (!sp->n_targets)
		return sp->hw_base.device[0] ? hw_device_find(sp->hw_base.device) : NULL;
	for (int t = 0; t < sp->n_targets; t++) {
		const struct hw_device *d = sp->targets[t].hw_base.device[0] ?
			hw_device_find(sp->targets[t].hw_base.device) : NULL;
		if (at > 0 && t != at - 1)
			continue;
		if (!d)
			return NULL;
		if (!best || (metric == SEARCH_M_DSP ? d->dsp > best->dsp :
			      metric == SEARCH_M_BRAM ? d->bram36 > best->bram36 :
			      metric == SEARCH_M_LUT ? d->lut > best->lut : d->ff > best->ff))
			best = d;
	}
	return best;
}

static int default_refs(struct ctx *c, struct search_space *sp)
{
	for (int i = 0; i < sp->n_obj; i++) {
		struct search_objective *o = &sp->obj[i];
		const struct hw_device *dev = ref_device(sp, o->at, o->metric);
		if (!isnan(o->ref))
			goto check;
		/* a constraint on the same metric bounds it: at the same place, or (a plain
		 * constraint holds on every target) anywhere */
		for (int j = 0; j < sp->n_con; j++)
			if (sp->con[j].metric == o->metric &&
			    (sp->con[j].at == o->at || sp->con[j].at == SEARCH_AT_PLAIN))
				o->ref = o->maximize ? sp->con[j].lo : sp->con[j].hi;
		if (!isnan(o->ref) && isfinite(o->ref))
			goto check;
		if (o->metric == SEARCH_M_ACCURACY)
			o->ref = 0.0;
		else if (dev && o->metric == SEARCH_M_DSP)
			o->ref = dev->dsp;
		else if (dev && o->metric == SEARCH_M_BRAM)
			o->ref = dev->bram36;
		else if (dev && o->metric == SEARCH_M_LUT)
			o->ref = (double)dev->lut;
		else if (dev && o->metric == SEARCH_M_FF)
			o->ref = (double)dev->ff;
		else
			return FAIL(c, "%s: 'objectives[%d].ref' is required: no constraint or device "
				    "bounds %s (the hypervolume needs a reference point)", c->origin, i,
				    search_metric_name(o->metric));
check:
		if (o->maximize ? !(o->ref < o->ideal) : !(o->ref > o->ideal))
			return FAIL(c, "%s: 'objectives[%d].ref' must be %s %g, got %g", c->origin, i,
				    o->maximize ? "below" : "above", o->ideal, o->ref);
	}
	return 0;
}

int search_space_parse_json(const char *text, size_t len, const char *origin,
			    struct search_space *sp, struct hn_err *err)
{
	static const char *const keys[] = { "name", "nn", "hw", "device", "batch", "mapper",
					    "fit_device", "objectives", "constraints", "formulation",
					    "quant_penalty", "comment", "energy", "calibration", "targets",
					    "axi", NULL };
	struct ctx c = { origin, err };
	const char *end = NULL, *s;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	const cJSON *v;
	int ret = 0;

	while (root && end && end < text + len && (*end == ' ' || *end == '\n' || *end == '\t' ||
						   *end == '\r'))
		end++;
	if (root && end && end < text + len) { /* trailing text after the object */
		cJSON_Delete(root);
		root = NULL;
	}

	memset(sp, 0, sizeof(*sp));
	hn_strlcpy(sp->origin, origin, sizeof(sp->origin));
	if (root && (hn_json_check_text(text, len, origin, err) < 0 ||
		     hn_json_check_keys(root, origin, err) < 0)) {
		cJSON_Delete(root);
		return HN_EINVAL;
	}
	if (!root) {
		int line = 1;
		for (const char *p = text; end && p < end; p++)
			line += *p == '\n';
		return FAIL(&c, "%s: line %d: not valid JSON", origin, line);
	}
	if ((ret = check_keys(&c, root, "space", keys)))
		goto out;
	sp->batch = 1;
	sp->fit_device = 1;
	sp->quant = arch_quant_penalty_default();
	if ((ret = get_string(&c, root, "name", "space", &s)) < 0)
		goto out;
	hn_strlcpy(sp->name, ret == 0 ? s : "space", sizeof(sp->name));
	ret = 0;
	if (!(v = cJSON_GetObjectItemCaseSensitive(root, "nn"))) {
		ret = FAIL(&c, "%s: 'nn' is required", origin);
		goto out;
	}
	if ((ret = parse_nn(&c, v, sp)) < 0)
		goto out;
	sp->n_nn_dims = sp->n_dims;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "targets"))) {
		/* several targets: each has its own hw and device */
		if (cJSON_GetObjectItemCaseSensitive(root, "hw") ||
		    cJSON_GetObjectItemCaseSensitive(root, "device")) {
			ret = FAIL(&c, "%s: 'hw' and 'device' go into each of 'targets' (targets[i].hw, "
				   "targets[i].device), not beside them", origin);
			goto out;
		}
		if ((ret = parse_targets(&c, v, sp)) < 0)
			goto out;
	} else if (!(v = cJSON_GetObjectItemCaseSensitive(root, "hw"))) {
		ret = FAIL(&c, "%s: 'hw' is required", origin);
		goto out;
	} else if ((ret = parse_hw(&c, v, sp, 0, "hw", &sp->hw_base, sp->hw_base_path,
				   sizeof(sp->hw_base_path))) < 0) {
		goto out;
	}
	if ((ret = get_string(&c, root, "device", "space", &s)) < 0)
		goto out;
	if (ret == 0) {
		if (!hw_device_find(s)) {
			ret = FAIL(&c, "%s: 'device': unknown device \"%s\"", origin, s);
			goto out;
		}
		hn_strlcpy(sp->hw_base.device, s, sizeof(sp->hw_base.device));
	}
	double b = (double)sp->batch;
	if ((ret = get_number(&c, root, "batch", "space", 1, 65536, &b)) < 0)
		goto out;
	sp->batch = (int64_t)b;
	if ((ret = get_string(&c, root, "mapper", "space", &s)) < 0)
		goto out;
	sp->mapper = COST_MAP_GLPK; /* as hwnas eval and sim: the optimal mapper */
	if (ret == 0) {
		/* "default" is the greedy mapper's old name (it was the default once) */
		int m = !strcmp(s, "default") ? COST_MAP_GREEDY : cost_mapper_parse(s);
		if (m < 0) {
			ret = FAIL(&c, "%s: 'mapper' must be \"glpk\" or \"greedy\", got \"%s\"", origin, s);
			goto out;
		}
		sp->mapper = (enum cost_mapper)m;
	}
	/* tables that change the figures: an energy table (hwnas eval --energy) and an RTL
	 * calibration (hwnas eval --calib), files relative to the space file */
	sp->energy = hw_energy_default();
	cost_calib_init(&sp->calib);
	if ((ret = get_string(&c, root, "energy", "space", &s)) < 0)
		goto out;
	if (ret == 0) {
		resolve_path(&c, s, sp->energy_path, sizeof(sp->energy_path));
		if ((ret = hw_energy_load(sp->energy_path, &sp->energy, err)) < 0) {
			hn_err_prefix(err, "'energy'");
			hn_err_prefix(err, origin);
			goto out;
		}
	}
	if ((ret = get_string(&c, root, "calibration", "space", &s)) < 0)
		goto out;
	if (ret == 0) {
		resolve_path(&c, s, sp->calib_path, sizeof(sp->calib_path));
		if ((ret = cost_calib_load(sp->calib_path, &sp->calib, err)) < 0) {
			hn_err_prefix(err, "'calibration'");
			hn_err_prefix(err, origin);
			goto out;
		}
	}
	/* "axi": {"dw": 64, "maxb": 16, "maxout": 16}: the AXI top's cycles */
	cost_axi_init(&sp->axi);
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "axi"))) {
		static const char *const akeys[] = { "dw", "maxb", "maxout", NULL };
		double d;
		if ((ret = check_keys(&c, v, "axi", akeys)) < 0)
			goto out;
		sp->axi.dw = 64;
		if ((ret = get_number(&c, v, "dw", "axi", 64, 256, &d)) < 0)
			goto out;
		if (ret == 0)
			sp->axi.dw = (int32_t)d;
		if ((ret = get_number(&c, v, "maxb", "axi", 1, 256, &d)) < 0)
			goto out;
		if (ret == 0)
			sp->axi.maxb = (int32_t)d;
		if ((ret = get_number(&c, v, "maxout", "axi", 1, 16, &d)) < 0)
			goto out;
		if (ret == 0)
			sp->axi.maxout = (int32_t)d;
		if ((ret = cost_axi_check(&sp->axi, err)) < 0) {
			hn_err_prefix(err, origin);
			goto out;
		}
	}
	ret = 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "fit_device"))) {
		if (!cJSON_IsBool(v)) {
			ret = FAIL(&c, "%s: 'fit_device' must be true or false", origin);
			goto out;
		}
		sp->fit_device = cJSON_IsTrue(v);
	}
	if (!(v = cJSON_GetObjectItemCaseSensitive(root, "objectives"))) {
		ret = FAIL(&c, "%s: 'objectives' is required", origin);
		goto out;
	}
	if ((ret = parse_objectives(&c, v, sp)) < 0)
		goto out;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "constraints")) &&
	    (ret = parse_constraints(&c, v, sp)) < 0)
		goto out;
	if ((ret = parse_formulation(&c, cJSON_GetObjectItemCaseSensitive(root, "formulation"), sp)) < 0)
		goto out;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "quant_penalty")) &&
	    (ret = parse_quant(&c, v, sp)) < 0)
		goto out;
	if ((ret = default_refs(&c, sp)) < 0)
		goto out;
	for (int i = 0; i < sp->n_obj; i++)
		if (sp->obj[i].metric == SEARCH_M_ACCURACY && sp->nn_kind == SEARCH_NN_ZOO &&
		    isnan(sp->fixed_accuracy)) {
			ret = FAIL(&c, "%s: 'objectives[%d]': accuracy of a zoo network needs "
				   "'nn.accuracy'", origin, i);
			goto out;
		}
	if (sp->form == SEARCH_MNAS && sp->nn_kind == SEARCH_NN_ZOO && isnan(sp->fixed_accuracy)) {
		ret = FAIL(&c, "%s: 'formulation': mnas needs an accuracy ('nn.accuracy')", origin);
		goto out;
	}
	if (sp->n_dims == 0) {
		ret = FAIL(&c, "%s: nothing to search: no NN knobs and no 'hw.choices'", origin);
		goto out;
	}
	long double size = 1;
	for (int i = 0; i < sp->n_dims; i++)
		size *= sp->dims[i].n;
	if (size > 4e18L)
		ret = FAIL(&c, "%s: the space has %.3Lg points, more than 4e18", origin, size);
out:
	cJSON_Delete(root);
	return ret < 0 ? ret : 0;
}

int search_space_load(const char *path, struct search_space *sp, struct hn_err *err)
{
	char *text;
	size_t len;
	int ret = hn_read_file(path, &text, &len, err);

	if (ret < 0)
		return ret;
	ret = search_space_parse_json(text, len, path, sp, err);
	free(text);
	return ret;
}
