/* hn_json.c: checks shared by the JSON readers (hn_json.h). */
#include "hn_json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hn_json_check_text(const char *text, size_t len, const char *origin, struct hn_err *err)
{
	int in_str = 0, line = 1, col = 1;

	for (size_t i = 0; i < len; i++, col++) {
		char ch = text[i];
		if (ch == '\n') {
			line++;
			col = 0;
		} else if (in_str && ch == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && text[i + 2] == '0' &&
			    text[i + 3] == '0' && text[i + 4] == '0' && text[i + 5] == '0')
				return origin ?
				       hn_fail(err, HN_EINVAL, "%s:%d:%d: a NUL character (\\u0000) in a "
					       "string: names and keys cannot hold one", origin, line, col) :
				       hn_fail(err, HN_EINVAL, "line %d, column %d: a NUL character "
					       "(\\u0000) in a string: names and keys cannot hold one",
					       line, col);
			i++; /* the escaped character, \" and \\ included */
			col++;
		} else if (ch == '"') {
			in_str = !in_str;
		}
	}
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Depth-first; path holds the place of v ("" at the top). */
static int check(const cJSON *v, char *path, size_t size, const char *origin, struct hn_err *err)
{
	const cJSON *c;
	size_t n = 0, plen = strlen(path);
	int ret = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	if (cJSON_IsObject(v)) {
		const cJSON **keys;
		cJSON_ArrayForEach(c, v)
			n++;
		keys = malloc((n ? n : 1) * sizeof(*keys));
		if (!keys)
			return hn_fail(err, HN_ENOMEM, "out of memory");
		n = 0;
		cJSON_ArrayForEach(c, v)
			keys[n++] = c;
		qsort(keys, n, sizeof(*keys), by_key);
		for (size_t i = 1; i < n && !ret; i++)
			if (!strcmp(keys[i]->string, keys[i - 1]->string))
				ret = hn_fail(err, HN_EINVAL, "%s%s'%.64s' appears more than once (in %s)",
					      origin ? origin : "", origin ? ": " : "", keys[i]->string,
					      plen ? path : "the top level");
		free(keys);
	}
	n = 0;
	cJSON_ArrayForEach(c, v) {
		if (ret)
			break;
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			if (cJSON_IsArray(v))
				snprintf(path + plen, size - plen, "[%zu]", n);
			else
				snprintf(path + plen, size - plen, "%s%.40s", plen ? "." : "", c->string);
			ret = check(c, path, size, origin, err);
			path[plen] = '\0';
		}
		n++;
	}
	return ret;
}

int hn_json_check_keys(const struct cJSON *root, const char *origin, struct hn_err *err)
{
	char path[256] = "";

	return check(root, path, sizeof(path), origin, err);
}
