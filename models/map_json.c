/* map_json.c: per-layer explicit tilings from a JSON file, the only file of models/ that
 * sees cJSON. Format (docs/mapping.md "Explicit tilings"):
 *   {"layers": {"conv1": {"tm": 64, "tn": 32, "tk": 128, "order": "nkm"}, ...}}
 * "order" is optional (mnk); unknown fields are errors (they catch typos). */
#include "models.h"

#include <cjson/cJSON.h>

#include "../common/hn_json.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct map_tilings_entry {
	char name[ARCH_NAME_MAX];
	struct map_tiling tiling;
};

struct map_tilings_file {
	int n;
	struct map_tilings_entry *v;
};

void map_tilings_free(struct map_tilings_file *f)
{
	if (!f)
		return;
	free(f->v);
	free(f);
}

const struct map_tiling *map_tilings_find(const struct map_tilings_file *f, const char *layer)
{
	if (!f)
		return NULL;
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, layer))
			return &f->v[i].tiling;
	return NULL;
}

/* One layer's object into *t; errors name the file, the layer and the field. */
static int parse_one(const char *path, const cJSON *o, struct map_tiling *t, struct hn_err *err)
{
	static const char *const keys[3] = { "tm", "tn", "tk" };
	int64_t v[3];
	const cJSON *it;

	if (!cJSON_IsObject(o))
		return hn_fail(err, HN_EINVAL, "%s: layers.%s must be an object", path, o->string);
	cJSON_ArrayForEach(it, o) {
		if (strcmp(it->string, "tm") && strcmp(it->string, "tn") && strcmp(it->string, "tk") &&
		    strcmp(it->string, "order"))
			return hn_fail(err, HN_EINVAL, "%s: layers.%s: unknown field '%s' (expected tm, "
				       "tn, tk, order)", path, o->string, it->string);
	}
	for (int i = 0; i < 3; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		if (!x)
			return hn_fail(err, HN_EINVAL, "%s: layers.%s: '%s' is missing", path, o->string,
				       keys[i]);
		if (!cJSON_IsNumber(x) || x->valuedouble < 1 || x->valuedouble > 1e12 ||
		    floor(x->valuedouble) != x->valuedouble)
			return hn_fail(err, HN_EINVAL, "%s: layers.%s: '%s' must be a positive integer",
				       path, o->string, keys[i]);
		v[i] = (int64_t)x->valuedouble;
	}
	t->tm = v[0];
	t->tn = v[1];
	t->tk = v[2];
	t->order = MAP_MNK;
	const cJSON *ord = cJSON_GetObjectItemCaseSensitive(o, "order");
	if (ord) {
		int k = cJSON_IsString(ord) ? map_order_parse(ord->valuestring) : -1;
		if (k < 0)
			return hn_fail(err, HN_EINVAL, "%s: layers.%s: 'order' must be one of mnk, mkn, "
				       "nmk, nkm, kmn, knm", path, o->string);
		t->order = (enum map_order)k;
	}
	return 0;
}

int map_tilings_load(const char *path, struct map_tilings_file **out, struct hn_err *err)
{
	char *text = NULL;
	size_t len = 0;
	cJSON *root = NULL;
	const char *end = NULL;
	struct map_tilings_file *f = NULL;
	int ret;

	*out = NULL;
	ret = hn_read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		ret = hn_fail(err, HN_EINVAL, "%s: not valid JSON near byte %ld", path,
			      end ? (long)(end - text) : 0L);
		goto out_free_text;
	}
	if ((ret = hn_json_check_text(text, len, path, err)) < 0 ||
	    (ret = hn_json_check_keys(root, path, err)) < 0)
		goto out_delete_json;
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
	if (!cJSON_IsObject(layers)) {
		ret = hn_fail(err, HN_EINVAL, "%s: expected {\"layers\": {\"<layer>\": {\"tm\": .., "
			      "\"tn\": .., \"tk\": .., \"order\": \"..\"}}}", path);
		goto out_delete_json;
	}
	f = calloc(1, sizeof(*f));
	if (f)
		f->v = calloc((size_t)cJSON_GetArraySize(layers) + 1, sizeof(*f->v));
	if (!f || !f->v) {
		ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
		goto out_free_file;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, layers) {
		struct map_tilings_entry *e = &f->v[f->n];
		ret = parse_one(path, it, &e->tiling, err);
		if (ret < 0)
			goto out_free_file;
		hn_strlcpy(e->name, it->string, sizeof(e->name));
		f->n++;
	}
	*out = f;
	f = NULL;
	ret = 0;
out_free_file:
	map_tilings_free(f);
out_delete_json:
	cJSON_Delete(root);
out_free_text:
	free(text);
	return ret;
}
