/* calib_json.c: the calibration file (docs/validation.md "Calibration file"). The only file
 * of models/ besides map_json.c that sees cJSON.
 *
 *   {"format": "hwnas-calibration", "version": 1,
 *    "classes": [{"dataflow": "ws", "double_buffer": true, "a": 1.02, "b": 35.5, "n": 30}, ...]}
 *
 * A class not listed keeps the identity. */
#include "models.h"

#include <cjson/cJSON.h>

#include "../common/hn_json.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>


/* A double with 17 significant digits, so that it reads back to the same value (cJSON's own
 * printer settles for 15 when they compare equal within its tolerance). */
static void add_exact(cJSON *o, const char *key, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	cJSON_AddRawToObject(o, key, buf);
}

char *cost_calib_to_json(const struct cost_calib *c)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *s = NULL;

	if (!root)
		return NULL;
	cJSON_AddStringToObject(root, "format", "hwnas-calibration");
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "model", "cycles = compute + a x (model cycles - compute) + b, "
				"at least max(compute, mem) (double-buffered) or compute + mem");
	arr = cJSON_AddArrayToObject(root, "classes");
	for (int d = 0; d < HW_DF_COUNT && arr; d++) {
		for (int b = 0; b < 2; b++) {
			const struct cost_calib_class *cl = &c->cls[d][b];
			cJSON *o = cJSON_CreateObject();
			if (!o)
				goto out_delete;
			cJSON_AddStringToObject(o, "dataflow", hw_dataflow_name((enum hw_dataflow)d));
			cJSON_AddBoolToObject(o, "double_buffer", b);
			add_exact(o, "a", cl->n ? cl->a : 1.0);
			add_exact(o, "b", cl->n ? cl->b : 0.0);
			cJSON_AddNumberToObject(o, "n", cl->n);
			cJSON_AddItemToArray(arr, o);
		}
	}
	s = cJSON_Print(root);
out_delete:
	cJSON_Delete(root);
	return s;
}

static int bad(struct hn_err *err, const char *path, int i, const char *what)
{
	return hn_fail(err, HN_EINVAL, "%s: classes[%d]: %s", path, i, what);
}

int cost_calib_load(const char *path, struct cost_calib *c, struct hn_err *err)
{
	char *text;
	size_t len;
	int ret = hn_read_file(path, &text, &len, err);

	if (ret)
		return ret;
	ret = cost_calib_parse_json(text, len, path, c, err);
	free(text);
	return ret;
}

int cost_calib_parse_json(const char *text, size_t len, const char *path, struct cost_calib *c,
			  struct hn_err *err)
{
	const char *end = NULL;
	cJSON *root, *arr, *o;
	int ret = 0, i = 0;
	char seen[HW_DF_COUNT][2] = { { 0 } };

	cost_calib_init(c);
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root)
		return hn_fail(err, HN_EINVAL, "%s: not valid JSON near byte %ld", path,
			       end ? (long)(end - text) : 0L);
	if ((ret = hn_json_check_text(text, len, path, err)) < 0 ||
	    (ret = hn_json_check_keys(root, path, err)) < 0)
		goto out_delete;
	cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "hwnas-calibration")) {
		ret = hn_fail(err, HN_EINVAL, "%s: 'format' must be \"hwnas-calibration\"", path);
		goto out_delete;
	}
	/* the one version this reader knows; a file without one is from before it was written */
	cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (ver && !(cJSON_IsNumber(ver) && ver->valuedouble == 1)) {
		char *shown = cJSON_PrintUnformatted(ver);
		ret = hn_fail(err, HN_EINVAL, "%s: 'version' must be 1, got %.32s (a calibration "
			      "from another hwnas?)", path, shown ? shown : "?");
		free(shown);
		goto out_delete;
	}
	cJSON_ArrayForEach(o, root) {
		static const char *const known[] = { "format", "version", "model", "classes" };
		int k = 0;
		while (k < 4 && strcmp(o->string, known[k]))
			k++;
		if (k == 4) {
			ret = hn_fail(err, HN_EINVAL, "%s: unknown field '%.40s' (known: format, "
				      "version, model, classes)", path, o->string);
			goto out_delete;
		}
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "classes");
	if (!cJSON_IsArray(arr)) {
		ret = hn_fail(err, HN_EINVAL, "%s: 'classes' must be an array", path);
		goto out_delete;
	}
	cJSON_ArrayForEach(o, arr) {
		cJSON *df = cJSON_GetObjectItemCaseSensitive(o, "dataflow");
		cJSON *db = cJSON_GetObjectItemCaseSensitive(o, "double_buffer");
		cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "a");
		cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "b");
		cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "n");
		int d = cJSON_IsString(df) ? hw_dataflow_parse(df->valuestring) : -1;
		if (d < 0) {
			ret = bad(err, path, i, "'dataflow' must be \"ws\", \"os\" or \"is\"");
			goto out_delete;
		}
		if (seen[d][cJSON_IsTrue(db) ? 1 : 0]) {
			ret = bad(err, path, i, "a second class of the same dataflow and double_buffer");
			goto out_delete;
		}
		if (!cJSON_IsBool(db)) {
			ret = bad(err, path, i, "'double_buffer' must be true or false");
			goto out_delete;
		}
		if (!cJSON_IsNumber(a) || !(a->valuedouble >= 0.0 && a->valuedouble <= 100.0)) {
			ret = bad(err, path, i, "'a' must be a number in [0, 100]");
			goto out_delete;
		}
		if (!cJSON_IsNumber(b) || !(b->valuedouble >= -1e12 && b->valuedouble <= 1e12)) {
			ret = bad(err, path, i, "'b' must be a number (cycles)");
			goto out_delete;
		}
		struct cost_calib_class *cl = &c->cls[d][cJSON_IsTrue(db) ? 1 : 0];
		seen[d][cJSON_IsTrue(db) ? 1 : 0] = 1;
		cl->a = a->valuedouble;
		cl->b = b->valuedouble;
		/* n = 0 in the file means "not fitted": keep the identity's behaviour */
		if (cJSON_IsNumber(n) && !(n->valuedouble >= 0 && n->valuedouble <= 1e9)) {
			ret = bad(err, path, i, "'n' must be a sample count in [0, 1e9]");
			goto out_delete;
		}
		cl->n = cJSON_IsNumber(n) && n->valuedouble > 0 ? (int)n->valuedouble :
			(cl->a != 1.0 || cl->b != 0.0);
		if (cl->n == 0) { /* not fitted: the identity, as cost_calib_to_json writes it */
			cl->a = 1.0;
			cl->b = 0.0;
		}
		i++;
	}
out_delete:
	cJSON_Delete(root);
	return ret;
}
