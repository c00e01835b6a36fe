/* estim_lut.c: the lookup table of per-layer costs (FBNet, HW-NAS-Bench style): a hash table
 * keyed by a layer's shape and the config fields that matter, and its checksummed text file
 * (docs/search.md "Lookup table file"). */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"

#define LUT_FORMAT "hwnas-lut"
#define LUT_FORMAT_VERSION 1

void estim_key_of(const struct arch_layer *l, const struct hw_config *hw, struct estim_key *k)
{
	memset(k, 0, sizeof(*k));
	k->kind = l->kind;
	k->n = l->n; k->c = l->c; k->h = l->h; k->w = l->w;
	k->k = l->k; k->r = l->r; k->s = l->s;
	k->stride_h = l->stride_h; k->stride_w = l->stride_w;
	k->pad_h = l->pad_h; k->pad_w = l->pad_w;
	k->dil_h = l->dil_h; k->dil_w = l->dil_w;
	k->groups = l->groups;
	k->pool_max = l->kind == ARCH_POOL ? l->pool_max : 0;
	k->pe_rows = hw->pe_rows; k->pe_cols = hw->pe_cols;
	k->dataflow = hw->dataflow;
	k->act_bits = hw->act_bits; k->weight_bits = hw->weight_bits; k->acc_bits = hw->acc_bits;
	k->ibuf_bytes = hw->ibuf_bytes; k->wbuf_bytes = hw->wbuf_bytes;
	k->obuf_bytes = hw->obuf_bytes;
	k->double_buffer = hw->double_buffer;
	k->dram_latency_cycles = hw->dram_latency_cycles;
	k->freq_mhz = hw->freq_mhz;
	k->dram_gbps = hw->dram_gbps;
}

void estim_key_format(const struct estim_key *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s n%" PRId64 " c%" PRId64 " %" PRId64 "x%" PRId64 " k%" PRId64
		 " %" PRId64 "x%" PRId64 " s%" PRId64 "/%" PRId64 " p%" PRId64 "/%" PRId64
		 " d%" PRId64 "/%" PRId64 " g%" PRId64 " on %" PRId64 "x%" PRId64 " %s a%" PRId64
		 " w%" PRId64 " acc%" PRId64 " buf %" PRId64 "/%" PRId64 "/%" PRId64 " %s %g MHz"
		 " %g GB/s lat %" PRId64,
		 arch_kind_name((enum arch_kind)k->kind), k->n, k->c, k->h, k->w, k->k, k->r, k->s,
		 k->stride_h, k->stride_w, k->pad_h, k->pad_w, k->dil_h, k->dil_w, k->groups,
		 k->pe_rows, k->pe_cols, hw_dataflow_name((enum hw_dataflow)k->dataflow),
		 k->act_bits, k->weight_bits, k->acc_bits, k->ibuf_bytes, k->wbuf_bytes,
		 k->obuf_bytes, k->double_buffer ? "double" : "single", k->freq_mhz, k->dram_gbps,
		 k->dram_latency_cycles);
}

uint64_t estim_energy_hash(const struct hw_energy *e)
{
	/* the figures as text with round-trip precision, so the hash is the table's values */
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g",
			 e->mac_pj[0], e->mac_pj[1], e->mac_pj[2], e->sram_pj_per_byte_small,
			 e->sram_pj_per_byte_medium, e->sram_pj_per_byte_large,
			 e->dram_pj_per_byte, e->static_mw, e->reg_pj_per_byte);
	return hn_fnv1a(HN_FNV_START, buf, (size_t)n);
}

void estim_lut_init(struct estim_lut *t, const struct estim_ctx *cx)
{
	memset(t, 0, sizeof(*t));
	t->source = cx->source;
	t->greedy = cx->greedy;
	t->energy_hash = estim_energy_hash(&cx->energy);
}

void estim_lut_release(struct estim_lut *t)
{
	free(t->e);
	free(t->used);
	t->e = NULL;
	t->used = NULL;
	t->n = t->cap = 0;
}

static uint64_t key_hash(const struct estim_key *k)
{
	return hn_fnv1a(HN_FNV_START, k, sizeof(*k));
}

static int64_t find_slot(const struct estim_lut *t, const struct estim_key *k)
{
	int64_t i = (int64_t)(key_hash(k) & (uint64_t)(t->cap - 1));

	while (t->used[i] && memcmp(&t->e[i].key, k, sizeof(*k)))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int grow(struct estim_lut *t)
{
	int64_t cap = t->cap ? 2 * t->cap : 256;
	struct estim_lut old = *t;

	t->e = calloc((size_t)cap, sizeof(*t->e));
	t->used = calloc((size_t)cap, 1);
	if (!t->e || !t->used) {
		free(t->e);
		free(t->used);
		t->e = old.e;
		t->used = old.used;
		return HN_ENOMEM;
	}
	t->cap = cap;
	for (int64_t i = 0; i < old.cap; i++)
		if (old.used[i]) {
			int64_t j = find_slot(t, &old.e[i].key);
			t->used[j] = 1;
			t->e[j] = old.e[i];
		}
	free(old.e);
	free(old.used);
	return 0;
}

int estim_lut_put(struct estim_lut *t, const struct estim_lut_entry *e)
{
	int64_t i;

	if (2 * (t->n + 1) > t->cap && grow(t))
		return HN_ENOMEM;
	i = find_slot(t, &e->key);
	if (!t->used[i])
		t->n++;
	t->used[i] = 1;
	t->e[i] = *e;
	return 0;
}

const struct estim_lut_entry *estim_lut_get(const struct estim_lut *t,
					    const struct estim_key *key)
{
	int64_t i;

	if (!t->cap)
		return NULL;
	i = find_slot(t, key);
	return t->used[i] ? &t->e[i] : NULL;
}

int estim_lut_check_ctx(const struct estim_lut *t, const struct estim_ctx *cx,
			const char *origin, struct hn_err *err)
{
	if (t->greedy != cx->greedy)
		return hn_fail(err, HN_EINVAL, "%s: the table's tilings come from the %s mapper, "
			       "this run uses %s", origin, cost_mapper_name(t->greedy ? COST_MAP_GREEDY : COST_MAP_GLPK),
			       cost_mapper_name(cx->greedy ? COST_MAP_GREEDY : COST_MAP_GLPK));
	if (t->energy_hash != estim_energy_hash(&cx->energy))
		return hn_fail(err, HN_EINVAL, "%s: the table's energy figures come from another "
			       "energy table than this run's", origin);
	return 0;
}

#define LUT_COLUMNS "kind n c h w k r s stride_h stride_w pad_h pad_w dil_h dil_w groups " \
	"pool_max pe_rows pe_cols dataflow act_bits weight_bits acc_bits ibuf_bytes wbuf_bytes " \
	"obuf_bytes double_buffer dram_latency_cycles freq_mhz dram_gbps cycles dram_bytes energy_pj"
#define LUT_INT_KEYS 27  /* kind .. dram_latency_cycles */

char *estim_lut_to_text(const struct estim_lut *t, size_t *len)
{
	struct estim_buf b = { 0 };
	int ret = 0;

	ret |= estim_bprintf(&b, "# hwnas lookup table: per-layer costs (docs/search.md \"Cost "
		       "estimators\")\nformat %s %d\ncost_model_version %d\nsource %s\n"
		       "mapper %s\nenergy %016" PRIx64 "\ncolumns %s\nentries %" PRId64 "\n",
		       LUT_FORMAT, LUT_FORMAT_VERSION, COST_MODEL_VERSION,
		       estim_source_name(t->source), cost_mapper_name(t->greedy ? COST_MAP_GREEDY : COST_MAP_GLPK),
		       t->energy_hash, LUT_COLUMNS, t->n);
	for (int64_t i = 0; i < t->cap && !ret; i++) {
		if (!t->used[i])
			continue;
		const struct estim_lut_entry *e = &t->e[i];
		const int64_t *ik = &e->key.kind;
		for (int j = 0; j < LUT_INT_KEYS && !ret; j++)
			ret |= estim_bprintf(&b, "%" PRId64 " ", ik[j]);
		ret |= estim_bprintf(&b, "%.17g %.17g %" PRId64 " %" PRId64 " %.17g\n", e->key.freq_mhz,
			       e->key.dram_gbps, e->cycles, e->dram_bytes, e->energy_pj);
	}
	return estim_buf_finish(&b, ret, len);
}

int estim_lut_save(const struct estim_lut *t, const char *path, struct hn_err *err)
{
	size_t len = 0;
	char *text = estim_lut_to_text(t, &len);

	return estim_save_text(text, len, path, err);
}



int estim_lut_load(const char *path, struct estim_lut *t, struct hn_err *err)
{
	char *text = NULL;
	size_t len;
	int ret;

	memset(t, 0, sizeof(*t));
	if ((ret = hn_read_file(path, &text, &len, err)) < 0)
		return ret;
	ret = estim_lut_parse(text, len, path, t, err);
	free(text);
	return ret;
}

int estim_lut_parse(const char *text, size_t len, const char *path, struct estim_lut *t,
		    struct hn_err *err)
{
	char line[1024], word[16];
	const char *p, *end, *v;
	size_t body;
	int64_t entries;
	int lineno = 0, ret;

	memset(t, 0, sizeof(*t));
	if ((ret = estim_file_body(text, len, path, &body, err)) < 0)
		goto out;
	p = text;
	end = text + body;
	if ((ret = estim_header_check(path, &p, end, LUT_FORMAT, LUT_FORMAT_VERSION, line,
				      sizeof(line), &lineno, err)) < 0)
		goto out;
#define NEXT_HEADER(key) \
	if (!estim_next_line(&p, end, line, sizeof(line)) || (lineno++, !(v = estim_header(line, key)))) { \
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: '%s' expected", path, lineno, key); \
		goto out; \
	}
	NEXT_HEADER("source");
	if ((t->source = estim_source_parse(v)) < 0) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'source' must be model or rtl, got '%s'",
			      path, lineno, v);
		goto out;
	}
	NEXT_HEADER("mapper");
	if (cost_mapper_parse(v) < 0) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'mapper' must be glpk or greedy, got "
			      "'%s'", path, lineno, v);
		goto out;
	}
	t->greedy = cost_mapper_parse(v) == COST_MAP_GREEDY;
	NEXT_HEADER("energy");
	if (sscanf(v, "%15s", word) != 1 || strlen(v) != 16 ||
	    sscanf(v, "%" SCNx64, &t->energy_hash) != 1) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: 'energy' must be 16 hex digits", path,
			      lineno);
		goto out;
	}
	NEXT_HEADER("columns");
	if (strcmp(v, LUT_COLUMNS)) {
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: the columns are not this format's", path,
			      lineno);
		goto out;
	}
	NEXT_HEADER("entries");
	entries = atoll(v);
#undef NEXT_HEADER
	for (int64_t i = 0; i < entries; i++) {
		struct estim_lut_entry e;
		int64_t *ik = &e.key.kind;
		char *s, *q;

		memset(&e, 0, sizeof(e));
		if (!estim_next_line(&p, end, line, sizeof(line))) {
			ret = hn_fail(err, HN_EINVAL, "%s: %" PRId64 " entries, 'entries' says %" PRId64,
				      path, i, entries);
			goto out;
		}
		lineno++;
		s = line;
		errno = 0;
		for (int j = 0; j < LUT_INT_KEYS; j++, s = q) {
			ik[j] = strtoll(s, &q, 10);
			if (q == s)
				goto bad_line;
		}
		e.key.freq_mhz = strtod(s, &q);
		if (q == s)
			goto bad_line;
		e.key.dram_gbps = strtod(s = q, &q);
		if (q == s)
			goto bad_line;
		e.cycles = strtoll(s = q, &q, 10);
		if (q == s)
			goto bad_line;
		e.dram_bytes = strtoll(s = q, &q, 10);
		if (q == s)
			goto bad_line;
		e.energy_pj = strtod(s = q, &q);
		if (q == s || *q || errno || e.cycles < 0 || e.dram_bytes < 0 || e.energy_pj < 0 ||
		    e.key.kind < 0 || e.key.kind >= ARCH_KIND_COUNT)
			goto bad_line;
		if ((ret = estim_lut_put(t, &e)) < 0) {
			ret = hn_fail(err, ret, "%s: out of memory", path);
			goto out;
		}
		continue;
bad_line:
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: malformed entry (%d numbers expected: "
			      "%s)", path, lineno, LUT_INT_KEYS + 5, LUT_COLUMNS);
		goto out;
	}
	if (estim_next_line(&p, end, line, sizeof(line)))
		ret = hn_fail(err, HN_EINVAL, "%s: line %d: more entries than 'entries' says", path,
			      lineno + 1);
out:
	return ret;
}
