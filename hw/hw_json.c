/* hw_json.c: the accelerator config and the energy table as JSON (docs/hw_config.md).
 * The only file of hw/ that sees cJSON. Parsing is strict: wrong types, non-integral numbers
 * for integer fields, duplicate and unknown fields are errors that name the field. */
#include "hw.h"

#include <cjson/cJSON.h>

#include "../common/hn_json.h"
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_kind {
	F_INT32,     /* integer number */
	F_INT64,     /* integer number */
	F_DOUBLE,    /* any number */
	F_BOOL,      /* true / false, or the numbers 0 / 1 */
	F_DATAFLOW,  /* "ws", "os", "is" */
	F_PACKING,   /* "none", "dsp2", "dsp4", "lut" */
	F_NAME       /* string shorter than HW_NAME_MAX */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off;
};

#define CONFIG_FIELD(name, kind) { #name, kind, offsetof(struct hw_config, name) }

/* Struct order, which is also the order hw_config_to_json writes. */
static const struct field config_fields[] = {
	CONFIG_FIELD(pe_rows, F_INT32),
	CONFIG_FIELD(pe_cols, F_INT32),
	CONFIG_FIELD(dataflow, F_DATAFLOW),
	CONFIG_FIELD(act_bits, F_INT32),
	CONFIG_FIELD(weight_bits, F_INT32),
	CONFIG_FIELD(acc_bits, F_INT32),
	CONFIG_FIELD(mac_packing, F_PACKING),
	CONFIG_FIELD(ibuf_bytes, F_INT64),
	CONFIG_FIELD(wbuf_bytes, F_INT64),
	CONFIG_FIELD(obuf_bytes, F_INT64),
	CONFIG_FIELD(double_buffer, F_BOOL),
	CONFIG_FIELD(freq_mhz, F_DOUBLE),
	CONFIG_FIELD(dram_gbps, F_DOUBLE),
	CONFIG_FIELD(dram_latency_cycles, F_INT32),
	CONFIG_FIELD(device, F_NAME),
};
#define N_CONFIG_FIELDS (sizeof(config_fields) / sizeof(config_fields[0]))

#define ENERGY_FIELD(name) { #name, F_DOUBLE, offsetof(struct hw_energy, name) }

/* The scalar fields of the energy table; "mac_pj" is an object read on its own. */
static const struct field energy_fields[] = {
	ENERGY_FIELD(sram_pj_per_byte_small),
	ENERGY_FIELD(sram_pj_per_byte_medium),
	ENERGY_FIELD(sram_pj_per_byte_large),
	ENERGY_FIELD(dram_pj_per_byte),
	ENERGY_FIELD(static_mw),
	ENERGY_FIELD(reg_pj_per_byte),
};
#define N_ENERGY_FIELDS (sizeof(energy_fields) / sizeof(energy_fields[0]))

/* The keys of "mac_pj", in the order of hw_energy.mac_pj[]. */
static const char *const mac_keys[3] = { "4", "8", "16" };

static const char *type_name(const cJSON *item)
{
	if (cJSON_IsBool(item))
		return "boolean";
	if (cJSON_IsNull(item))
		return "null";
	if (cJSON_IsNumber(item))
		return "number";
	if (cJSON_IsString(item))
		return "string";
	if (cJSON_IsArray(item))
		return "array";
	if (cJSON_IsObject(item))
		return "object";
	return "invalid value";
}

/* 1-based line and column (in bytes) of byte offset off of text. */
static void line_col(const char *text, size_t off, int *line, int *col)
{
	size_t start = 0;

	*line = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = (int)(off - start) + 1;
}

/* Parses text as one JSON object, with nothing but white space after it. On success *root
 * is the object, which the caller deletes with cJSON_Delete. */
static int parse_object(const char *text, size_t len, cJSON **root, struct hn_err *err)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	size_t off;
	int line, col, ret = 0;

	if (!j) {
		off = (end && end >= text && end <= text + len) ? (size_t)(end - text) : 0;
		line_col(text, off, &line, &col);
		return hn_fail(err, HN_EINVAL, "JSON syntax error at byte %zu (line %d, column %d)",
			       off, line, col);
	}
	if (hn_json_check_text(text, len, NULL, err) < 0) {
		cJSON_Delete(j);
		return HN_EINVAL;
	}
	off = (size_t)(end - text);
	while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' ||
			     text[off] == '\r'))
		off++;
	if (off < len && text[off] != '\0') {
		line_col(text, off, &line, &col);
		ret = hn_fail(err, HN_EINVAL,
			      "JSON syntax error at byte %zu (line %d, column %d): text after the "
			      "top-level value", off, line, col);
		goto out_delete_root;
	}
	if (!cJSON_IsObject(j)) {
		ret = hn_fail(err, HN_EINVAL, "the top level must be a JSON object, got %s",
			      type_name(j));
		goto out_delete_root;
	}
	*root = j;
	j = NULL;
out_delete_root:
	cJSON_Delete(j);
	return ret;
}

/* "a, b, c" of the field names into buf, with extra names first (may be NULL). */
static void field_list(const struct field *fields, size_t n, const char *extra, char *buf,
		       size_t size)
{
	size_t o = 0;
	int w;

	buf[0] = '\0';
	if (extra) {
		w = snprintf(buf, size, "%s", extra);
		o = w > 0 ? (size_t)w : 0;
	}
	for (size_t i = 0; i < n && o < size; i++) {
		w = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", fields[i].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static const struct field *find_field(const struct field *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

/* A JSON number with an integral value that fits an int64. */
static int read_int(const cJSON *item, const char *name, int64_t *out, struct hn_err *err)
{
	double v;

	if (!cJSON_IsNumber(item))
		return hn_fail(err, HN_EINVAL, "'%s' must be an integer, got %s", name,
			       type_name(item));
	v = item->valuedouble;
	/* 2^63 is exactly representable; every double below it in magnitude fits an int64. */
	if (!(fabs(v) < 9223372036854775808.0))
		return hn_fail(err, HN_EINVAL, "'%s' is too large for a 64-bit integer, got %g",
			       name, v);
	if (v != floor(v))
		return hn_fail(err, HN_EINVAL, "'%s' must be an integer, got %.15g", name, v);
	*out = (int64_t)v;
	return 0;
}

static int read_config_field(const struct field *f, const cJSON *item, struct hw_config *hw,
			     struct hn_err *err)
{
	char *p = (char *)hw + f->off;
	int64_t v = 0;
	int ret = 0, df;

	switch (f->kind) {
	case F_INT32:
	case F_INT64:
		if ((ret = read_int(item, f->name, &v, err)) != 0)
			break;
		/* Range first: narrowing 4294967312 to int32 would give 16. */
		if ((ret = hw_config_check_field(f->name, v, NULL, err)) != 0)
			break;
		if (f->kind == F_INT32)
			*(int32_t *)p = (int32_t)v;
		else
			*(int64_t *)p = v;
		break;
	case F_BOOL:
		if (cJSON_IsBool(item)) {
			v = cJSON_IsTrue(item) ? 1 : 0;
		} else if (cJSON_IsNumber(item)) {
			if ((ret = read_int(item, f->name, &v, err)) != 0 ||
			    (ret = hw_config_check_field(f->name, v, NULL, err)) != 0)
				break;
		} else {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be true, false, 0 or 1, got %s",
				      f->name, type_name(item));
			break;
		}
		*(int32_t *)p = (int32_t)v;
		break;
	case F_DOUBLE:
		if (!cJSON_IsNumber(item)) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be a number, got %s", f->name,
				      type_name(item));
			break;
		}
		*(double *)p = item->valuedouble;
		break;
	case F_DATAFLOW:
		if (!cJSON_IsString(item)) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be a string, got %s", f->name,
				      type_name(item));
			break;
		}
		df = hw_dataflow_parse(item->valuestring);
		if (df < 0) {
			ret = hn_fail(err, HN_EINVAL,
				      "'%s' must be \"ws\", \"os\" or \"is\", got \"%.64s\"", f->name,
				      item->valuestring);
			break;
		}
		*(enum hw_dataflow *)p = (enum hw_dataflow)df;
		break;
	case F_PACKING:
		if (!cJSON_IsString(item)) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be a string, got %s", f->name,
				      type_name(item));
			break;
		}
		df = hw_packing_parse(item->valuestring);
		if (df < 0) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be \"none\", \"dsp2\", \"dsp4\" "
				      "or \"lut\", got \"%.64s\"", f->name, item->valuestring);
			break;
		}
		*(enum hw_packing *)p = (enum hw_packing)df;
		break;
	case F_NAME:
		if (!cJSON_IsString(item)) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be a string, got %s", f->name,
				      type_name(item));
			break;
		}
		if (strlen(item->valuestring) >= HW_NAME_MAX) {
			ret = hn_fail(err, HN_EINVAL, "'%s' must be at most %d bytes (UTF-8), got %zu",
				      f->name, HW_NAME_MAX - 1, strlen(item->valuestring));
			break;
		}
		hn_strlcpy(p, item->valuestring, HW_NAME_MAX);
		break;
	}
	return ret;
}

/* Reads the fields of root over *hw, then checks the whole config; unknown and repeated
 * keys are errors. */
static int read_config_object(const cJSON *root, struct hw_config *hw, struct hn_err *err)
{
	char known[512];
	unsigned seen = 0;
	const cJSON *item;
	int ret;

	cJSON_ArrayForEach(item, root) {
		const struct field *f = find_field(config_fields, N_CONFIG_FIELDS, item->string);
		unsigned bit;

		if (!f) {
			field_list(config_fields, N_CONFIG_FIELDS, NULL, known, sizeof(known));
			return hn_fail(err, HN_EINVAL, "unknown field '%.64s' (known fields: %s)",
				       item->string, known);
		}
		bit = 1u << (f - config_fields);
		if (seen & bit)
			return hn_fail(err, HN_EINVAL, "'%s' appears more than once", f->name);
		seen |= bit;
		if ((ret = read_config_field(f, item, hw, err)) != 0)
			return ret;
	}
	return hw_config_check(hw, NULL, err);
}

int hw_config_parse_json(const char *text, size_t len, const char *origin,
			 struct hw_config *hw, struct hn_err *err)
{
	struct hw_config tmp = hw_config_default();
	cJSON *root = NULL;
	int ret;

	if ((ret = parse_object(text, len, &root, err)) != 0)
		goto out_prefix;
	if ((ret = read_config_object(root, &tmp, err)) != 0)
		goto out_delete_root;
	*hw = tmp;
out_delete_root:
	cJSON_Delete(root);
out_prefix:
	if (ret && origin)
		hn_err_prefix(err, origin);
	return ret;
}

int hw_config_load(const char *path, struct hw_config *hw, struct hn_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if ((ret = hn_read_file(path, &text, &len, err)) != 0)
		return ret;
	ret = hw_config_parse_json(text, len, path, hw, err);
	free(text);
	return ret;
}

/* Adds a number that reads back as the same double: cJSON's printer accepts a 15-digit form
 * that is only within DBL_EPSILON of the value (0.1 + 0.2 prints as 0.3), so the digits are
 * written here and added raw. Non-finite values (rejected by the checks) become null. */
static cJSON *add_exact_number(cJSON *obj, const char *name, double v)
{
	char buf[32];

	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, name);
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	return cJSON_AddRawToObject(obj, name, buf);
}

static int add_config_field(cJSON *root, const struct field *f, const struct hw_config *hw)
{
	const char *p = (const char *)hw + f->off;
	char name[HW_NAME_MAX];
	cJSON *v = NULL;

	switch (f->kind) {
	case F_INT32:
		v = cJSON_AddNumberToObject(root, f->name, (double)*(const int32_t *)p);
		break;
	case F_INT64: /* exact: values are at most 1 GiB, far below 2^53 */
		v = cJSON_AddNumberToObject(root, f->name, (double)*(const int64_t *)p);
		break;
	case F_DOUBLE:
		v = add_exact_number(root, f->name, *(const double *)p);
		break;
	case F_BOOL:
		v = cJSON_AddBoolToObject(root, f->name, *(const int32_t *)p != 0);
		break;
	case F_DATAFLOW:
		v = cJSON_AddStringToObject(root, f->name,
					    hw_dataflow_name(*(const enum hw_dataflow *)p));
		break;
	case F_PACKING:
		v = cJSON_AddStringToObject(root, f->name,
					    hw_packing_name(*(const enum hw_packing *)p));
		break;
	case F_NAME:
		snprintf(name, sizeof(name), "%.*s", HW_NAME_MAX - 1, p);
		v = cJSON_AddStringToObject(root, f->name, name);
		break;
	}
	return v ? 0 : HN_ENOMEM;
}

char *hw_config_to_json(const struct hw_config *hw)
{
	cJSON *root = cJSON_CreateObject();
	char *text = NULL;

	if (!root)
		return NULL;
	for (size_t i = 0; i < N_CONFIG_FIELDS; i++)
		if (add_config_field(root, &config_fields[i], hw) != 0)
			goto out_delete_root;
	text = cJSON_Print(root);
out_delete_root:
	cJSON_Delete(root);
	return text;
}

static int read_number(const cJSON *item, const char *name, double *out, struct hn_err *err)
{
	if (!cJSON_IsNumber(item))
		return hn_fail(err, HN_EINVAL, "'%s' must be a number, got %s", name,
			       type_name(item));
	*out = item->valuedouble;
	return 0;
}

static int read_mac_pj(const cJSON *obj, struct hw_energy *e, struct hn_err *err)
{
	unsigned seen = 0;
	const cJSON *item;
	char name[32];
	int ret;

	if (!cJSON_IsObject(obj))
		return hn_fail(err, HN_EINVAL,
			       "'mac_pj' must be an object with keys \"4\", \"8\", \"16\", got %s",
			       type_name(obj));
	cJSON_ArrayForEach(item, obj) {
		int k = -1;

		for (int i = 0; i < 3; i++)
			if (!strcmp(item->string, mac_keys[i]))
				k = i;
		if (k < 0)
			return hn_fail(err, HN_EINVAL,
				       "unknown key 'mac_pj.%.32s' (known keys: 4, 8, 16)",
				       item->string);
		if (seen & (1u << k))
			return hn_fail(err, HN_EINVAL, "'mac_pj.%s' appears more than once",
				       mac_keys[k]);
		seen |= 1u << k;
		snprintf(name, sizeof(name), "mac_pj.%s", mac_keys[k]);
		if ((ret = read_number(item, name, &e->mac_pj[k], err)) != 0)
			return ret;
	}
	return 0;
}

static int read_energy_object(const cJSON *root, struct hw_energy *e, struct hn_err *err)
{
	char known[512];
	unsigned seen = 0;
	const cJSON *item;
	int ret;

	cJSON_ArrayForEach(item, root) {
		const struct field *f;
		unsigned bit;

		if (!strcmp(item->string, "mac_pj")) {
			f = NULL;
			bit = 1u << N_ENERGY_FIELDS;
		} else {
			f = find_field(energy_fields, N_ENERGY_FIELDS, item->string);
			if (!f) {
				field_list(energy_fields, N_ENERGY_FIELDS, "mac_pj", known,
					   sizeof(known));
				return hn_fail(err, HN_EINVAL,
					       "unknown field '%.64s' (known fields: %s)",
					       item->string, known);
			}
			bit = 1u << (f - energy_fields);
		}
		if (seen & bit)
			return hn_fail(err, HN_EINVAL, "'%s' appears more than once",
				       f ? f->name : "mac_pj");
		seen |= bit;
		ret = f ? read_number(item, f->name, (double *)((char *)e + f->off), err)
			: read_mac_pj(item, e, err);
		if (ret)
			return ret;
	}
	return hw_energy_check(e, NULL, err);
}

int hw_energy_parse_json(const char *text, size_t len, const char *origin,
			 struct hw_energy *e, struct hn_err *err)
{
	struct hw_energy tmp = hw_energy_default();
	cJSON *root = NULL;
	int ret;

	if ((ret = parse_object(text, len, &root, err)) != 0)
		goto out_prefix;
	if ((ret = read_energy_object(root, &tmp, err)) != 0)
		goto out_delete_root;
	*e = tmp;
out_delete_root:
	cJSON_Delete(root);
out_prefix:
	if (ret && origin)
		hn_err_prefix(err, origin);
	return ret;
}

int hw_energy_load(const char *path, struct hw_energy *e, struct hn_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if ((ret = hn_read_file(path, &text, &len, err)) != 0)
		return ret;
	ret = hw_energy_parse_json(text, len, path, e, err);
	free(text);
	return ret;
}

char *hw_energy_to_json(const struct hw_energy *e)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *mac;
	char *text = NULL;

	if (!root)
		return NULL;
	mac = cJSON_AddObjectToObject(root, "mac_pj");
	if (!mac)
		goto out_delete_root;
	for (int i = 0; i < 3; i++)
		if (!add_exact_number(mac, mac_keys[i], e->mac_pj[i]))
			goto out_delete_root;
	for (size_t i = 0; i < N_ENERGY_FIELDS; i++) {
		double v = *(const double *)((const char *)e + energy_fields[i].off);
		if (!add_exact_number(root, energy_fields[i].name, v))
			goto out_delete_root;
	}
	text = cJSON_Print(root);
out_delete_root:
	cJSON_Delete(root);
	return text;
}
