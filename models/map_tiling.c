/* map_tiling.c: explicit tilings as text ("tm=64,tn=32,tk=128,order=nkm") and the mapper's
 * default options. docs/mapping.md "Explicit tilings". */
#include "models.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void map_options_default(struct map_options *o)
{
	o->time_limit_s = 10.0; /* per layer; the median solve takes milliseconds */
	o->mip_gap = 0.0;       /* proven optimal */
	o->max_cuts = 1000;     /* re-solves when the bound is below the exact latency */
	o->enum_max = 2000;      /* candidate tilings costed one by one below this */
	o->finish_enum_max = 5000000; /* the exact finish enumerates below this */
	o->milp_budget_s = 0.01; /* then enumeration, when finish_enum_max allows it */
}

/* Parses a positive decimal integer that ends at end. */
static int parse_pos(const char *s, const char *end, int64_t *v)
{
	char *stop;
	long long x;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoll(s, &stop, 10);
	if (errno || stop != end || x <= 0)
		return -1;
	*v = x;
	return 0;
}

int map_tiling_parse(const char *spec, struct map_tiling *m, struct hn_err *err)
{
	static const char *const keys[4] = { "tm", "tn", "tk", "order" };
	int seen[4] = { 0, 0, 0, 0 };
	struct map_tiling t = { 0, 0, 0, MAP_MNK };
	const char *p = spec;

	if (!spec || !*spec)
		return hn_fail(err, HN_EINVAL, "tiling: empty, expected e.g. "
			       "'tm=64,tn=32,tk=128,order=nkm'");
	while (*p) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		int key = -1;

		if (!eq)
			return hn_fail(err, HN_EINVAL, "tiling '%s': '%.*s' is not key=value", spec,
				       (int)(end - p), p);
		for (int i = 0; i < 4; i++)
			if ((size_t)(eq - p) == strlen(keys[i]) && !strncmp(p, keys[i], (size_t)(eq - p)))
				key = i;
		if (key < 0)
			return hn_fail(err, HN_EINVAL, "tiling '%s': unknown field '%.*s' (expected "
				       "tm, tn, tk, order)", spec, (int)(eq - p), p);
		if (seen[key]++)
			return hn_fail(err, HN_EINVAL, "tiling '%s': '%s' given twice", spec, keys[key]);
		if (key == 3) {
			char name[8];
			size_t len = (size_t)(end - eq - 1);
			int o = -1;
			if (len < sizeof(name)) {
				memcpy(name, eq + 1, len);
				name[len] = '\0';
				o = map_order_parse(name);
			}
			if (o < 0)
				return hn_fail(err, HN_EINVAL, "tiling '%s': 'order' must be one of mnk, "
					       "mkn, nmk, nkm, kmn, knm, got '%.*s'", spec, (int)len, eq + 1);
			t.order = (enum map_order)o;
		} else {
			int64_t v;
			if (parse_pos(eq + 1, end, &v) < 0)
				return hn_fail(err, HN_EINVAL, "tiling '%s': '%s' must be a positive "
					       "integer, got '%.*s'", spec, keys[key], (int)(end - eq - 1),
					       eq + 1);
			if (key == 0)
				t.tm = v;
			else if (key == 1)
				t.tn = v;
			else
				t.tk = v;
		}
		p = comma ? comma + 1 : end;
		if (comma && !*p)
			return hn_fail(err, HN_EINVAL, "tiling '%s': trailing ','", spec);
	}
	for (int i = 0; i < 3; i++)
		if (!seen[i])
			return hn_fail(err, HN_EINVAL, "tiling '%s': '%s' is missing", spec, keys[i]);
	*m = t;
	return 0;
}

void map_tiling_format(const struct map_tiling *m, char *buf, size_t size)
{
	snprintf(buf, size, "tm=%lld,tn=%lld,tk=%lld,order=%s", (long long)m->tm,
		 (long long)m->tn, (long long)m->tk, map_order_name(m->order));
}
