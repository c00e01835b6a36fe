/* arch_json.c: the network JSON format (docs/network_format.md): the reader, the writer
 * (arch_net_to_json) and the loaders that pick a reader or the zoo by name. The only file of
 * arch/ that sees cJSON. */
#include "arch_int.h"

#include <cjson/cJSON.h>

#include "../common/hn_json.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <string.h>

/* Where an error is: the origin (file name) and, inside a layer, its index and name. */
struct jctx {
	const char *origin;
	int index;            /* -1 outside layers[] */
	const char *name;     /* layer name once known, else NULL */
	struct hn_err *err;
};

/* A field name for a message: at most 40 characters, control characters as '?'. */
static const char *jkey(const char *key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < size && i < 40; i++)
		buf[i] = (unsigned char)key[i] < 0x20 || key[i] == 0x7f ? '?' : key[i];
	buf[i] = '\0';
	return buf;
}

/* A short text of a JSON value for "got ..." in messages. */
static const char *jdescribe(const cJSON *v, char *buf, size_t size)
{
	char *text;

	if (!v)
		return "nothing";
	if (cJSON_IsNumber(v)) {
		snprintf(buf, size, "%.15g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsString(v)) {
		char key[48];

		snprintf(buf, size, "\"%s\"%s", jkey(v->valuestring, key, sizeof(key)),
			 strlen(v->valuestring) > 40 ? "..." : "");
		return buf;
	}
	text = cJSON_PrintUnformatted(v);
	if (!text)
		return "a JSON value";
	snprintf(buf, size, "%.40s%s", text, strlen(text) > 40 ? "..." : "");
	free(text);
	return buf;
}

/* hn_fail with the "origin: layers[i] 'name': " prefix of the context. */
__attribute__((format(printf, 2, 3)))
static int jfail(const struct jctx *jc, const char *fmt, ...)
{
	char msg[sizeof(jc->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (jc->index < 0)
		return hn_fail(jc->err, HN_EINVAL, "%s: %s", jc->origin, msg);
	if (jc->name)
		return hn_fail(jc->err, HN_EINVAL, "%s: layers[%d] '%s': %s", jc->origin, jc->index,
			       jc->name, msg);
	return hn_fail(jc->err, HN_EINVAL, "%s: layers[%d]: %s", jc->origin, jc->index, msg);
}

/* JSON numbers are doubles: an integer is exact up to 2^53. */
static int jint_value(const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* An integer field >= min (and <= max); absent fields keep *out when not required. */
static int jint(const struct jctx *jc, const cJSON *obj, const char *key, int required,
		int64_t min, int64_t max, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char buf[64];
	int64_t x;

	if (!v) {
		if (required)
			return jfail(jc, "missing required field '%s'", key);
		return 0;
	}
	if (jint_value(v, &x) || x < min || x > max) {
		if (max == INT64_MAX && (min == 0 || min == 1))
			return jfail(jc, "'%s' must be a %s integer, got %s", key,
				     min ? "positive" : "non-negative", jdescribe(v, buf, sizeof(buf)));
		return jfail(jc, "'%s' must be an integer between %lld and %lld, got %s", key,
			     (long long)min, (long long)max, jdescribe(v, buf, sizeof(buf)));
	}
	*out = x;
	return 0;
}

/* An integer or a [h, w] pair, each >= min; absent keeps out[]. */
static int jpair(const struct jctx *jc, const cJSON *obj, const char *key, int required,
		 int64_t min, int64_t out[2])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *what = min > 0 ? "a positive integer" : "a non-negative integer";
	int64_t a, b;
	char buf[64];

	if (!v) {
		if (required)
			return jfail(jc, "missing required field '%s'", key);
		return 0;
	}
	if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 &&
	    !jint_value(cJSON_GetArrayItem(v, 0), &a) && !jint_value(cJSON_GetArrayItem(v, 1), &b) &&
	    a >= min && b >= min && a <= INT32_MAX && b <= INT32_MAX) {
		out[0] = a;
		out[1] = b;
		return 0;
	}
	if (!jint_value(v, &a) && a >= min && a <= INT32_MAX) {
		out[0] = out[1] = a;
		return 0;
	}
	return jfail(jc, "'%s' must be %s or [h, w], got %s", key, what,
		     jdescribe(v, buf, sizeof(buf)));
}

/* "in": [C, H, W], each a positive integer. */
static int jshape(const struct jctx *jc, const cJSON *obj, int64_t chw[3])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "in");
	char buf[64];

	if (!v)
		return jfail(jc, "missing required field 'in'");
	if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 3) {
		int ok = 1;

		for (int i = 0; i < 3; i++)
			if (jint_value(cJSON_GetArrayItem(v, i), &chw[i]) || chw[i] < 1)
				ok = 0;
		if (ok)
			return 0;
	}
	return jfail(jc, "'in' must be [C, H, W] of positive integers, got %s",
		     jdescribe(v, buf, sizeof(buf)));
}

static int jbool(const struct jctx *jc, const cJSON *obj, const char *key, uint8_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char buf[64];

	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return jfail(jc, "'%s' must be true or false, got %s", key,
			     jdescribe(v, buf, sizeof(buf)));
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 0;
}

/* Fields each type reads; "name", "type", "extra_params" are common, and "out", "gemm",
 * "macs", "params" (written by arch_net_to_json) are informational and ignored, as are "in"
 * on fc and matmul layers. */
static const char *const common_fields[] = {
	"name", "type", "inputs", "extra_params", "out", "gemm", "macs", "params", NULL
};
static const char *const kind_fields[ARCH_KIND_COUNT][12] = {
	[ARCH_CONV] = { "in", "out_channels", "kernel", "stride", "padding", "dilation", "groups",
			"bias", "bn", NULL },
	[ARCH_FC] = { "in_features", "out_features", "tokens", "bias", "bn", "in", "first_token",
		      NULL },
	[ARCH_MATMUL] = { "batch", "m", "k", "n", "in", NULL },
	[ARCH_POOL] = { "in", "kernel", "stride", "padding", "op", NULL },
	[ARCH_ADD] = { "in", NULL },
};

static int in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (!strcmp(*list, key))
			return 1;
	return 0;
}

/* Edit distance of two short strings (insertions, deletions, substitutions), capped at 9. */
static int edit_distance(const char *a, const char *b)
{
	int prev[33], cur[33];
	size_t la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 9;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

/* The known field closest to key, when it is a likely typo (distance <= 2), else NULL. */
static const char *closest_field(const char *key, enum arch_kind kind)
{
	const char *const *lists[2] = { common_fields, kind_fields[kind] };
	const char *best = NULL;
	int best_d = 3;

	for (int l = 0; l < 2; l++)
		for (const char *const *f = lists[l]; *f; f++) {
			int d = edit_distance(key, *f);

			if (d < best_d) {
				best_d = d;
				best = *f;
			}
		}
	return best;
}

static int check_fields(const struct jctx *jc, const cJSON *obj, enum arch_kind kind)
{
	const cJSON *f;
	char buf[48];

	cJSON_ArrayForEach(f, obj) {
		const char *hint;

		if (in_list(common_fields, f->string) || in_list(kind_fields[kind], f->string))
			continue;
		hint = closest_field(f->string, kind);
		if (hint)
			return jfail(jc, "unknown field '%s' for a %s layer (did you mean '%s'?)",
				     jkey(f->string, buf, sizeof(buf)), arch_kind_name(kind), hint);
		return jfail(jc, "unknown field '%s' for a %s layer (see docs/network_format.md)",
			     jkey(f->string, buf, sizeof(buf)), arch_kind_name(kind));
	}
	return 0;
}

static int read_conv(const struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	int64_t chw[3], k = 0, ker[2] = { 0, 0 }, st[2] = { 1, 1 }, pad[2] = { 0, 0 };
	int64_t dil[2] = { 1, 1 }, groups = 1;
	uint8_t bias = 0, bn = 0;
	int ret;

	if ((ret = jshape(jc, o, chw)) || (ret = jint(jc, o, "out_channels", 1, 1, INT64_MAX, &k)) ||
	    (ret = jpair(jc, o, "kernel", 1, 1, ker)) || (ret = jpair(jc, o, "stride", 0, 1, st)) ||
	    (ret = jpair(jc, o, "padding", 0, 0, pad)) ||
	    (ret = jpair(jc, o, "dilation", 0, 1, dil)) ||
	    (ret = jint(jc, o, "groups", 0, 1, INT32_MAX, &groups)) ||
	    (ret = jbool(jc, o, "bias", &bias)) || (ret = jbool(jc, o, "bn", &bn)))
		return ret;
	if (chw[0] % groups)
		return jfail(jc, "'groups' (%lld) must divide the input channels in[0] (%lld)",
			     (long long)groups, (long long)chw[0]);
	if (k % groups)
		return jfail(jc, "'groups' (%lld) must divide 'out_channels' (%lld)",
			     (long long)groups, (long long)k);
	*l = arch_conv("", batch, chw[0], chw[1], chw[2], k, ker[0], (int32_t)st[0],
		       (int32_t)pad[0], (int32_t)groups);
	l->s = ker[1];
	l->stride_w = (int32_t)st[1];
	l->pad_w = (int32_t)pad[1];
	l->dil_h = (int32_t)dil[0];
	l->dil_w = (int32_t)dil[1];
	l->bias = bias;
	l->bn = bn;
	return 0;
}

static int read_fc(const struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	int64_t in = 0, out = 0, tokens = 1;
	int ret;

	if ((ret = jint(jc, o, "in_features", 1, 1, INT64_MAX, &in)) ||
	    (ret = jint(jc, o, "out_features", 1, 1, INT64_MAX, &out)) ||
	    (ret = jint(jc, o, "tokens", 0, 1, INT64_MAX, &tokens)))
		return ret;
	if (__builtin_mul_overflow(tokens, batch, &tokens))
		return jfail(jc, "'tokens' x batch overflows int64");
	*l = arch_fc("", tokens, in, out);
	if ((ret = jbool(jc, o, "bias", &l->bias)) || (ret = jbool(jc, o, "bn", &l->bn)) ||
	    (ret = jbool(jc, o, "first_token", &l->first_token)))
		return ret;
	return 0;
}

static int read_matmul(const struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	int64_t g = 1, m = 0, k = 0, n = 0;
	int ret;

	if ((ret = jint(jc, o, "batch", 0, 1, INT64_MAX, &g)) ||
	    (ret = jint(jc, o, "m", 1, 1, INT64_MAX, &m)) ||
	    (ret = jint(jc, o, "k", 1, 1, INT64_MAX, &k)) ||
	    (ret = jint(jc, o, "n", 1, 1, INT64_MAX, &n)))
		return ret;
	if (__builtin_mul_overflow(g, batch, &g))
		return jfail(jc, "'batch' x network batch overflows int64");
	*l = arch_matmul("", g, m, k, n);
	return 0;
}

static int read_pool(const struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
	int64_t chw[3], ker[2] = { 0, 0 }, st[2], pad[2] = { 0, 0 };
	char buf[64];
	int ret;

	if ((ret = jshape(jc, o, chw)) || (ret = jpair(jc, o, "kernel", 1, 1, ker)))
		return ret;
	st[0] = ker[0]; /* torch: stride defaults to the kernel size */
	st[1] = ker[1];
	if ((ret = jpair(jc, o, "stride", 0, 1, st)) || (ret = jpair(jc, o, "padding", 0, 0, pad)))
		return ret;
	if (!op)
		return jfail(jc, "missing required field 'op' (\"max\" or \"avg\")");
	if (!cJSON_IsString(op) || (strcmp(op->valuestring, "max") && strcmp(op->valuestring, "avg")))
		return jfail(jc, "'op' must be \"max\" or \"avg\", got %s", jdescribe(op, buf, sizeof(buf)));
	*l = arch_pool("", batch, chw[0], chw[1], chw[2], ker[0], (int32_t)st[0], (int32_t)pad[0],
		       !strcmp(op->valuestring, "max"));
	l->s = ker[1];
	l->stride_w = (int32_t)st[1];
	l->pad_w = (int32_t)pad[1];
	return 0;
}

static int read_add(const struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	int64_t chw[3];
	int ret = jshape(jc, o, chw);

	if (ret)
		return ret;
	*l = arch_add("", batch, chw[0], chw[1], chw[2]);
	return 0;
}

/* arch_layer_check's messages start with "layer 'NAME': "; here the prefix names the file
 * and the index, so that part is dropped. */
static int jcheck_layer(const struct jctx *jc, const struct arch_layer *l)
{
	struct hn_err e = { 0 };
	char pfx[ARCH_NAME_MAX + 16];
	const char *msg;
	size_t n;

	if (!arch_layer_check(l, &e))
		return 0;
	n = (size_t)snprintf(pfx, sizeof(pfx), "layer '%s': ", l->name);
	msg = strncmp(e.msg, pfx, n) ? e.msg : e.msg + n;
	return jfail(jc, "%s", msg);
}

static int read_layer(struct jctx *jc, const cJSON *o, int64_t batch, struct arch_layer *l)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	int64_t extra = 0;
	char buf[64];
	int kind, ret;

	if (!cJSON_IsObject(o))
		return jfail(jc, "a layer must be an object, got %s", jdescribe(o, buf, sizeof(buf)));
	if (name) {
		if (!cJSON_IsString(name) || !name->valuestring[0])
			return jfail(jc, "'name' must be a non-empty string, got %s",
				     jdescribe(name, buf, sizeof(buf)));
		for (const char *c = name->valuestring; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return jfail(jc, "'name' must not contain control characters, got %s",
					     jdescribe(name, buf, sizeof(buf)));
		if (strlen(name->valuestring) >= ARCH_NAME_MAX)
			return jfail(jc, "'name' must be at most %d bytes (UTF-8), got %zu",
				     ARCH_NAME_MAX - 1, strlen(name->valuestring));
		jc->name = name->valuestring;
	}
	if (!type)
		return jfail(jc, "missing required field 'type' (conv, fc, matmul, pool or add)");
	kind = cJSON_IsString(type) ? arch_kind_parse(type->valuestring) : -1;
	if (kind < 0)
		return jfail(jc, "'type' must be one of conv, fc, matmul, pool, add, got %s",
			     jdescribe(type, buf, sizeof(buf)));
	if ((ret = check_fields(jc, o, (enum arch_kind)kind)) ||
	    (ret = jint(jc, o, "extra_params", 0, 0, INT64_MAX, &extra)))
		return ret;
	switch (kind) {
	case ARCH_CONV: ret = read_conv(jc, o, batch, l); break;
	case ARCH_FC: ret = read_fc(jc, o, batch, l); break;
	case ARCH_MATMUL: ret = read_matmul(jc, o, batch, l); break;
	case ARCH_POOL: ret = read_pool(jc, o, batch, l); break;
	default: ret = read_add(jc, o, batch, l); break;
	}
	if (ret)
		return ret;
	l->extra_params = extra;
	if (jc->name)
		hn_strlcpy(l->name, jc->name, sizeof(l->name));
	else
		snprintf(l->name, sizeof(l->name), "%s%d", arch_kind_name(l->kind), jc->index);
	return jcheck_layer(jc, l);
}

/* Duplicate names would make "layer X" ambiguous in every later message and report. */
static int check_duplicates(const struct jctx *jc, const struct arch_net *net)
{
	int i, j, r = arch_net_find_duplicate(net, &i, &j);

	if (r < 0)
		return hn_fail(jc->err, HN_ENOMEM, "%s: out of memory", jc->origin);
	if (r)
		return hn_fail(jc->err, HN_EINVAL,
			       "%s: layers[%d] '%s': duplicate layer name (also layers[%d])",
			       jc->origin, i, net->layers[i].name, j);
	return 0;
}

/* The file name without directories and extension, the default network name. */
static void base_name(char *dst, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot;

	hn_strlcpy(dst, slash ? slash + 1 : path, size);
	dot = strrchr(dst, '.');
	if (dot && dot != dst)
		dst[dot - dst] = '\0';
}

/* Line and column (both from 1) of byte offset off in text. */
static void line_col(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* cJSON stops after the first value; anything but white space after it is an error. */
static int trailing_garbage(const char *text, size_t len, const char *end, const struct jctx *jc)
{
	size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
	size_t i = off;
	int line, col;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i >= len || text[i] == '\0')
		return 0;
	line_col(text, i, &line, &col);
	hn_fail(jc->err, HN_EINVAL, "%s:%d:%d: JSON syntax error: unexpected text after the top-level value",
		jc->origin, line, col);
	return 1;
}

/* "not_executed": [{"name", "op", "note"?, "unknown"?}], the nodes of an imported graph
 * that are no layer (arch_onnx.c), written back by arch_net_to_json. */
static int read_skipped(struct jctx *jc, const cJSON *arr, struct arch_net *net)
{
	const cJSON *o;
	char buf[64];
	int i = 0;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return jfail(jc, "'not_executed' must be an array, got %s",
			     jdescribe(arr, buf, sizeof(buf)));
	cJSON_ArrayForEach(o, arr) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
		const cJSON *note = cJSON_GetObjectItemCaseSensitive(o, "note");
		const cJSON *unk = cJSON_GetObjectItemCaseSensitive(o, "unknown");

		if (!cJSON_IsObject(o) || !cJSON_IsString(name) || !cJSON_IsString(op) ||
		    (note && !cJSON_IsString(note)) || (unk && !cJSON_IsBool(unk)))
			return jfail(jc, "not_executed[%d] must be {\"name\": string, \"op\": string, "
				     "\"note\"?: string, \"unknown\"?: bool}", i);
		if (arch_net_add_skip(net, name->valuestring, op->valuestring,
				      note ? note->valuestring : "", cJSON_IsTrue(unk)))
			return hn_fail(jc->err, HN_ENOMEM, "%s: out of memory", jc->origin);
		i++;
	}
	return 0;
}

/* ---- graphs (docs/network_format.md "Graphs") ---- */

/* Top-level "inputs": [{"name": string, "shape": [1 to 3 positive integers]}, ...]. */
static int read_net_inputs(struct jctx *jc, const cJSON *arr, struct arch_net *net)
{
	const cJSON *o;
	char buf[64];
	int i = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > ARCH_IO_MAX)
		return jfail(jc, "'inputs' must be an array of 1 to %d network inputs "
			     "{\"name\", \"shape\"}, got %s", ARCH_IO_MAX,
			     jdescribe(arr, buf, sizeof(buf)));
	cJSON_ArrayForEach(o, arr) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *shape = cJSON_GetObjectItemCaseSensitive(o, "shape"), *f;
		int64_t dims[3];
		int rank = 0;

		if (!cJSON_IsObject(o))
			return jfail(jc, "inputs[%d] must be an object {\"name\", \"shape\"}, got %s",
				     i, jdescribe(o, buf, sizeof(buf)));
		cJSON_ArrayForEach(f, o)
			if (strcmp(f->string, "name") && strcmp(f->string, "shape"))
				return jfail(jc, "inputs[%d]: unknown field '%s' (expected name, shape)",
					     i, jkey(f->string, buf, sizeof(buf)));
		if (!cJSON_IsString(name) || !name->valuestring[0] ||
		    strlen(name->valuestring) >= ARCH_NAME_MAX)
			return jfail(jc, "inputs[%d]: 'name' must be a string of 1 to %d bytes, got %s",
				     i, ARCH_NAME_MAX - 1, jdescribe(name, buf, sizeof(buf)));
		if (cJSON_IsArray(shape) && cJSON_GetArraySize(shape) >= 1 &&
		    cJSON_GetArraySize(shape) <= 3) {
			const cJSON *d;

			cJSON_ArrayForEach(d, shape) {
				if (jint_value(d, &dims[rank]) || dims[rank] < 1 ||
				    dims[rank] > ((int64_t)1 << 40))
					break;
				rank++;
			}
		}
		if (rank == 0 || rank != cJSON_GetArraySize(shape))
			return jfail(jc, "inputs[%d] '%s': 'shape' must be [C, H, W], [tokens, "
				     "features] or [features] of integers 1 .. 2^40, got %s", i,
				     name->valuestring, jdescribe(shape, buf, sizeof(buf)));
		if (arch_net_add_input(net, name->valuestring, rank, dims))
			return jfail(jc, "inputs[%d]: too many inputs", i); /* checked above */
		i++;
	}
	return 0;
}

/* A layer's "inputs": arch_kind_inputs() names of layers or network inputs. */
static int read_layer_inputs(struct jctx *jc, const cJSON *o, const struct arch_names *ix,
			     struct arch_net *net, struct arch_layer *l)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "inputs"), *e;
	int want = arch_kind_inputs(l->kind), k = 0;
	char buf[64];

	if (!v)
		return jfail(jc, "missing required field 'inputs' (the network has top-level "
			     "'inputs', so it is a graph: every layer names the tensors it reads)");
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != want)
		return jfail(jc, "'inputs' must be an array of %d tensor name%s for %s layer, got %s",
			     want, want > 1 ? "s" : "", l->kind == ARCH_ADD ? "an add" :
			     l->kind == ARCH_MATMUL ? "a matmul (A, B)" : "this",
			     jdescribe(v, buf, sizeof(buf)));
	cJSON_ArrayForEach(e, v) {
		int32_t id;

		if (!cJSON_IsString(e) || !e->valuestring[0])
			return jfail(jc, "'inputs'[%d] must be a tensor name (a string), got %s", k,
				     jdescribe(e, buf, sizeof(buf)));
		id = arch_names_find(ix, net, e->valuestring);
		if (id == ARCH_NAMES_EMPTY)
			return jfail(jc, "'inputs'[%d] names '%s', which is neither a layer nor a "
				     "network input", k, jkey(e->valuestring, buf, sizeof(buf)));
		l->in[k++] = id;
	}
	l->n_in = want;
	return 0;
}

/* "outputs": names; without it, every layer whose output no layer reads, in list order. */
static int read_net_outputs(struct jctx *jc, const cJSON *arr, const struct arch_names *ix,
			    struct arch_net *net)
{
	const cJSON *e;
	char buf[64];
	int k = 0;

	if (!arr) {
		uint8_t *read = calloc((size_t)net->n_layers, 1);
		int ret = 0;

		if (!read)
			return hn_fail(jc->err, HN_ENOMEM, "%s: out of memory", jc->origin);
		for (int i = 0; i < net->n_layers; i++)
			for (int s = 0; s < net->layers[i].n_in; s++)
				if (net->layers[i].in[s] >= 0)
					read[net->layers[i].in[s]] = 1;
		for (int i = 0; i < net->n_layers && !ret; i++)
			if (!read[i] && arch_net_add_output(net, i))
				ret = jfail(jc, "more than %d layers whose output no layer reads: list "
					    "the network's 'outputs'", ARCH_IO_MAX);
		free(read);
		if (!ret && net->n_outputs == 0)
			ret = jfail(jc, "every layer's output is read by another layer (a cycle?): "
				    "list the network's 'outputs'");
		return ret;
	}
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > ARCH_IO_MAX)
		return jfail(jc, "'outputs' must be an array of 1 to %d tensor names, got %s",
			     ARCH_IO_MAX, jdescribe(arr, buf, sizeof(buf)));
	cJSON_ArrayForEach(e, arr) {
		int32_t id;

		if (!cJSON_IsString(e) || !e->valuestring[0])
			return jfail(jc, "'outputs'[%d] must be a tensor name (a string), got %s", k,
				     jdescribe(e, buf, sizeof(buf)));
		id = arch_names_find(ix, net, e->valuestring);
		if (id == ARCH_NAMES_EMPTY)
			return jfail(jc, "'outputs'[%d] names '%s', which is neither a layer nor a "
				     "network input", k, jkey(e->valuestring, buf, sizeof(buf)));
		arch_net_add_output(net, id);
		k++;
	}
	return 0;
}

/* The second pass of a graph: names resolved once every layer is read. */
static int read_graph(struct jctx *jc, const cJSON *root, const cJSON *layers,
		      struct arch_net *net)
{
	struct arch_names ix;
	const cJSON *lo;
	int32_t dup, first;
	int ret;

	ret = arch_names_build(&ix, net, &dup, &first);
	if (ret < 0)
		return hn_fail(jc->err, HN_ENOMEM, "%s: out of memory", jc->origin);
	if (ret)
		return arch_names_fail(jc->err, jc->origin, net, dup, first);
	jc->index = 0;
	cJSON_ArrayForEach(lo, layers) {
		jc->name = net->layers[jc->index].name;
		if ((ret = read_layer_inputs(jc, lo, &ix, net, &net->layers[jc->index])))
			goto out_release_ix;
		jc->index++;
	}
	jc->index = -1;
	ret = read_net_outputs(jc, cJSON_GetObjectItemCaseSensitive(root, "outputs"), &ix, net);
	if (ret == 0)
		ret = arch_net_check_graph(net, jc->origin, jc->err);
out_release_ix:
	arch_names_release(&ix);
	return ret;
}

static int read_root(struct jctx *jc, const cJSON *root, struct arch_net *net)
{
	static const char *const root_fields[] = { "name", "batch", "inputs", "outputs", "layers",
						   "macs", "params", "not_executed", NULL };
	const cJSON *name, *layers, *f, *lo, *inputs;
	int64_t batch = 1;
	char buf[64], defname[ARCH_NAME_MAX];
	int ret;

	if (!cJSON_IsObject(root))
		return jfail(jc, "the top level must be an object {\"name\", \"batch\", \"layers\"}, got %s",
			     jdescribe(root, buf, sizeof(buf)));
	cJSON_ArrayForEach(f, root) {
		if (!in_list(root_fields, f->string))
			return jfail(jc, "unknown top-level field '%s' (expected name, batch, inputs, "
				     "outputs, layers)",
				     jkey(f->string, buf, sizeof(buf)));
	}
	name = cJSON_GetObjectItemCaseSensitive(root, "name");
	if (name && (!cJSON_IsString(name) || !name->valuestring[0] ||
		     strlen(name->valuestring) >= ARCH_NAME_MAX))
		return jfail(jc, "'name' must be a string of 1 to %d bytes (UTF-8), got %s",
			     ARCH_NAME_MAX - 1, jdescribe(name, buf, sizeof(buf)));
	if ((ret = jint(jc, root, "batch", 0, 1, (int64_t)1 << 24, &batch)))
		return ret;
	layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
	if (!layers)
		return jfail(jc, "missing required field 'layers'");
	if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0)
		return jfail(jc, "'layers' must be a non-empty array, got %s",
			     jdescribe(layers, buf, sizeof(buf)));
	base_name(defname, sizeof(defname), jc->origin);
	arch_net_init(net, name ? name->valuestring : defname, batch);
	inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
	if (inputs && (ret = read_net_inputs(jc, inputs, net)))
		goto out_release_net;
	if (!inputs && cJSON_GetObjectItemCaseSensitive(root, "outputs")) {
		ret = jfail(jc, "'outputs' needs the network's 'inputs' (a graph names its input "
			    "tensors)");
		goto out_release_net;
	}
	jc->index = 0;
	cJSON_ArrayForEach(lo, layers) {
		struct arch_layer l;

		jc->name = NULL;
		if ((ret = read_layer(jc, lo, batch, &l)))
			goto out_release_net;
		if (!inputs && cJSON_GetObjectItemCaseSensitive(lo, "inputs")) {
			jc->name = l.name;
			ret = jfail(jc, "'inputs' needs the network's top-level 'inputs' (a graph "
				    "names its input tensors; see docs/network_format.md)");
			goto out_release_net;
		}
		if ((ret = arch_net_add(net, &l))) {
			ret = hn_fail(jc->err, HN_ENOMEM, "%s: out of memory", jc->origin);
			goto out_release_net;
		}
		jc->index++;
	}
	if ((ret = check_duplicates(jc, net)))
		goto out_release_net;
	if (inputs && (ret = read_graph(jc, root, layers, net)))
		goto out_release_net;
	jc->index = -1;
	if ((ret = read_skipped(jc, cJSON_GetObjectItemCaseSensitive(root, "not_executed"), net)))
		goto out_release_net;
	return 0;
out_release_net:
	arch_net_release(net);
	return ret;
}

int arch_net_parse_json(const char *text, size_t len, const char *origin, struct arch_net *net,
			struct hn_err *err)
{
	struct jctx jc = { origin ? origin : "<json>", -1, NULL, err };
	const char *end = NULL;
	cJSON *root;
	int ret;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
		int line, col;

		char near[24];
		size_t n = 0;

		line_col(text, off, &line, &col);
		while (off + n < len && n + 1 < sizeof(near) && text[off + n] != '\n' &&
		       text[off + n] != '\r' && text[off + n] != '\0') {
			near[n] = text[off + n];
			n++;
		}
		near[n] = '\0';
		if (len == 0)
			return hn_fail(err, HN_EINVAL, "%s: JSON syntax error: empty file", jc.origin);
		return hn_fail(err, HN_EINVAL, "%s:%d:%d: JSON syntax error at byte %zu, near '%s'",
			       jc.origin, line, col, off, near);
	}
	if (trailing_garbage(text, len, end, &jc)) {
		ret = HN_EINVAL;
		goto out_delete_root;
	}
	if ((ret = hn_json_check_text(text, len, jc.origin, err)) < 0 ||
	    (ret = hn_json_check_keys(root, jc.origin, err)) < 0)
		goto out_delete_root;
	ret = read_root(&jc, root, net);
out_delete_root:
	cJSON_Delete(root);
	return ret;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

int arch_net_load(const char *path, struct arch_net *net, struct hn_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (has_suffix(path, ".onnx")) { /* binary and maybe large: mapped by its reader */
		ret = arch_net_load_onnx(path, NULL, net, err);
	} else {
		ret = hn_read_file(path, &text, &len, err);
		if (ret)
			return ret;
		if (has_suffix(path, ".csv"))
			ret = arch_net_parse_scalesim(text, len, path, net, err);
		else
			ret = arch_net_parse_json(text, len, path, net, err);
		free(text);
	}
	if (ret == 0 && (ret = arch_net_check_size(net, path, err)) < 0)
		arch_net_release(net);
	return ret;
}

/* Rescales a network read at batch net->batch to batch: every layer's n (the matmul count g
 * for ARCH_MATMUL) holds net->batch x a per-sample count. */
static int set_batch(struct arch_net *net, int64_t batch, const char *path, struct hn_err *err)
{
	for (int i = 0; i < net->n_layers; i++) {
		struct arch_layer *l = &net->layers[i];
		int64_t per = l->n / net->batch;

		if (l->n % net->batch || __builtin_mul_overflow(per, batch, &l->n))
			return hn_fail(err, HN_EINVAL, "%s: layer '%s': cannot rescale to batch %lld",
				       path, l->name, (long long)batch);
	}
	net->batch = batch;
	for (int i = 0; i < net->n_layers; i++) {
		struct hn_err e;

		if (arch_layer_check(&net->layers[i], &e))
			return hn_fail(err, HN_EINVAL, "%s: at batch %lld: %s", path,
				       (long long)batch, e.msg);
	}
	return 0;
}

/* batch <= 0 keeps the file's own batch (1 for the zoo). */
int arch_net_resolve(const char *name_or_path, int64_t batch, struct arch_net *net,
		     struct hn_err *err)
{
	return arch_net_resolve_opts(name_or_path, batch, 0, net, err);
}

int arch_net_resolve_opts(const char *name_or_path, int64_t batch, int skip_unknown_ops,
			  struct arch_net *net, struct hn_err *err)
{
	struct stat st;
	int ret;

	for (int i = 0; i < arch_zoo_count(); i++)
		if (!strcmp(name_or_path, arch_zoo_name(i))) {
			ret = arch_zoo_build(name_or_path, batch > 0 ? batch : 1, net, err);
			if (ret == 0 && (ret = arch_net_check_size(net, name_or_path, err)) < 0)
				arch_net_release(net);
			return ret;
		}
	if (stat(name_or_path, &st))
		return hn_fail(err, HN_ENOTFOUND,
			       "unknown network '%s' (not in the zoo, no such file); "
			       "'hwnas zoo list' shows the zoo", name_or_path);
	if (S_ISDIR(st.st_mode))
		return hn_fail(err, HN_EINVAL, "%s: is a directory, not a network file", name_or_path);
	if (has_suffix(name_or_path, ".onnx")) {
		/* the batch fills a symbolic batch dimension; a fixed one is rescaled below */
		struct arch_onnx_opts o = { batch > 0 ? batch : 0, skip_unknown_ops };

		ret = arch_net_load_onnx(name_or_path, &o, net, err);
	} else {
		ret = arch_net_load(name_or_path, net, err);
	}
	if (ret || batch <= 0 || batch == net->batch)
		return ret;
	ret = set_batch(net, batch, name_or_path, err);
	if (ret == 0)
		ret = arch_net_check_size(net, name_or_path, err);
	if (ret)
		arch_net_release(net);
	return ret;
}

/* --- writer --- */

static int jadd_i64(cJSON *obj, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return cJSON_AddRawToObject(obj, key, buf) ? 0 : -1;
}

static int jadd_ints(cJSON *obj, const char *key, const int64_t *v, int n)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);
	char buf[32];

	if (!a)
		return -1;
	for (int i = 0; i < n; i++) {
		cJSON *x;

		snprintf(buf, sizeof(buf), "%lld", (long long)v[i]);
		x = cJSON_CreateRaw(buf);
		if (!x || !cJSON_AddItemToArray(a, x)) {
			cJSON_Delete(x);
			return -1;
		}
	}
	return 0;
}

/* Fields the reader reads back, for each kind; b is the network batch, which divides n. */
static int write_kind_fields(cJSON *o, const struct arch_layer *l, int64_t b)
{
	const int64_t in3[3] = { l->c, l->h, l->w };
	const int64_t out3[3] = { l->k, arch_out_h(l), arch_out_w(l) };
	const int64_t ker[2] = { l->r, l->s }, st[2] = { l->stride_h, l->stride_w };
	const int64_t pad[2] = { l->pad_h, l->pad_w }, dil[2] = { l->dil_h, l->dil_w };
	int bad = 0;

	switch (l->kind) {
	case ARCH_CONV:
		bad |= jadd_ints(o, "in", in3, 3) | jadd_ints(o, "out", out3, 3);
		bad |= jadd_i64(o, "out_channels", l->k) | jadd_ints(o, "kernel", ker, 2);
		bad |= jadd_ints(o, "stride", st, 2) | jadd_ints(o, "padding", pad, 2);
		bad |= jadd_ints(o, "dilation", dil, 2) | jadd_i64(o, "groups", l->groups);
		bad |= !cJSON_AddBoolToObject(o, "bias", l->bias);
		bad |= !cJSON_AddBoolToObject(o, "bn", l->bn);
		break;
	case ARCH_FC: {
		const int64_t fin[2] = { l->n / b, l->c }, fout[2] = { l->n / b, l->k };

		bad |= jadd_ints(o, "in", fin, 2) | jadd_ints(o, "out", fout, 2);
		bad |= jadd_i64(o, "in_features", l->c) | jadd_i64(o, "out_features", l->k);
		bad |= jadd_i64(o, "tokens", l->n / b);
		bad |= !cJSON_AddBoolToObject(o, "bias", l->bias);
		bad |= !cJSON_AddBoolToObject(o, "bn", l->bn);
		break;
	}
	case ARCH_MATMUL: {
		const int64_t min[3] = { l->n / b, l->h, l->c }, mout[3] = { l->n / b, l->h, l->k };

		bad |= jadd_ints(o, "in", min, 3) | jadd_ints(o, "out", mout, 3);
		bad |= jadd_i64(o, "batch", l->n / b) | jadd_i64(o, "m", l->h);
		bad |= jadd_i64(o, "k", l->c) | jadd_i64(o, "n", l->k);
		break;
	}
	case ARCH_POOL:
		bad |= jadd_ints(o, "in", in3, 3) | jadd_ints(o, "out", out3, 3);
		bad |= jadd_ints(o, "kernel", ker, 2) | jadd_ints(o, "stride", st, 2);
		bad |= jadd_ints(o, "padding", pad, 2);
		bad |= !cJSON_AddStringToObject(o, "op", l->pool_max ? "max" : "avg");
		break;
	default:
		bad |= jadd_ints(o, "in", in3, 3) | jadd_ints(o, "out", out3, 3);
		break;
	}
	return bad ? -1 : 0;
}

/* An array of the names of tensor ids. */
static int jadd_names(const struct arch_net *net, cJSON *obj, const char *key, const int32_t *id,
		      int n)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);

	if (!a)
		return -1;
	for (int i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateString(arch_net_tensor_name(net, id[i]));

		if (!x || !cJSON_AddItemToArray(a, x)) {
			cJSON_Delete(x);
			return -1;
		}
	}
	return 0;
}

static cJSON *layer_to_json(const struct arch_net *net, const struct arch_layer *l, int64_t b,
			    int graph)
{
	struct arch_gemm gm = arch_gemm(l);
	cJSON *o = cJSON_CreateObject(), *g;
	int bad = 0;

	if (!o)
		return NULL;
	bad |= !cJSON_AddStringToObject(o, "name", l->name);
	bad |= !cJSON_AddStringToObject(o, "type", arch_kind_name(l->kind));
	if (graph)
		bad |= jadd_names(net, o, "inputs", l->in, l->n_in);
	bad |= write_kind_fields(o, l, b);
	if (l->kind == ARCH_FC && l->first_token)
		bad |= !cJSON_AddBoolToObject(o, "first_token", 1);
	if (l->extra_params)
		bad |= jadd_i64(o, "extra_params", l->extra_params);
	g = cJSON_AddObjectToObject(o, "gemm");
	bad |= !g;
	if (g) {
		bad |= jadd_i64(g, "g", gm.g) | jadd_i64(g, "m", gm.m);
		bad |= jadd_i64(g, "n", gm.n) | jadd_i64(g, "k", gm.k);
	}
	bad |= jadd_i64(o, "macs", arch_layer_macs(l));
	bad |= jadd_i64(o, "params", arch_layer_params(l));
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Per-layer counts are written per sample of the network batch when it divides every n;
 * otherwise (a hand-built network) the file says batch 1 and the whole counts. */
static int64_t writable_batch(const struct arch_net *net)
{
	if (net->batch < 1)
		return 1;
	for (int i = 0; i < net->n_layers; i++)
		if (net->layers[i].n % net->batch)
			return 1;
	return net->batch;
}

char *arch_net_to_json(const struct arch_net *net)
{
	int64_t b = writable_batch(net);
	/* a graph whose layers do not all share the batch is written as a list: its inputs'
	 * per-sample shapes, and a feature map whose n is not the batch (an add of an import,
	 * fuzz/regressions/onnx/graph_adds_off_batch.onnx), would not read back */
	int graph = net->graph && b == net->batch;

	for (int i = 0; graph && i < net->n_layers; i++) {
		const struct arch_layer *l = &net->layers[i];

		if ((l->kind == ARCH_CONV || l->kind == ARCH_POOL || l->kind == ARCH_ADD) &&
		    l->n != b)
			graph = 0;
	}
	cJSON *root = cJSON_CreateObject(), *layers;
	char *text = NULL;
	int bad = 0;

	if (!root)
		return NULL;
	bad |= !cJSON_AddStringToObject(root, "name", net->name);
	bad |= jadd_i64(root, "batch", b);
	bad |= jadd_i64(root, "macs", arch_net_macs(net));
	bad |= jadd_i64(root, "params", arch_net_params(net));
	if (graph) {
		cJSON *in = cJSON_AddArrayToObject(root, "inputs");

		bad |= !in;
		for (int i = 0; !bad && i < net->n_inputs; i++) {
			const struct arch_tensor *t = &net->inputs[i];
			cJSON *o = cJSON_CreateObject();

			bad |= !o || !cJSON_AddItemToArray(in, o);
			bad |= !bad && (!cJSON_AddStringToObject(o, "name", t->name) ||
					jadd_ints(o, "shape", t->dims, t->rank));
		}
		bad |= bad || jadd_names(net, root, "outputs", net->outputs, net->n_outputs);
	}
	layers = cJSON_AddArrayToObject(root, "layers");
	bad |= !layers;
	for (int i = 0; !bad && i < net->n_layers; i++) {
		cJSON *o = layer_to_json(net, &net->layers[i], b, graph);

		if (!o || !cJSON_AddItemToArray(layers, o)) {
			cJSON_Delete(o);
			bad = 1;
		}
	}
	if (!bad && net->n_skipped) {
		cJSON *sk = cJSON_AddArrayToObject(root, "not_executed");

		bad |= !sk;
		for (int i = 0; !bad && i < net->n_skipped; i++) {
			const struct arch_skip *s = &net->skipped[i];
			cJSON *o = cJSON_CreateObject();

			bad |= !o || !cJSON_AddItemToArray(sk, o);
			bad |= !bad && (!cJSON_AddStringToObject(o, "name", s->name) ||
					!cJSON_AddStringToObject(o, "op", s->op));
			if (!bad && s->note[0])
				bad |= !cJSON_AddStringToObject(o, "note", s->note);
			if (!bad && s->unknown)
				bad |= !cJSON_AddBoolToObject(o, "unknown", 1);
		}
	}
	if (!bad)
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}
