/* search_map.c: the exact-key hash table behind the evaluator's caches and the driver's memo. */
#include "search_int.h"
#include "../common/hn.h"

void search_map_init(struct search_map *m)
{
	m->keys = m->vals = NULL;
	m->used = NULL;
	m->cap = m->n = 0;
}

void search_map_release(struct search_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	search_map_init(m);
}

int search_map_get(const struct search_map *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	for (size_t i = search_mix64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i])
			return 0;
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
	}
}

static int grow(struct search_map *m)
{
	struct search_map g;

	g.cap = m->cap ? m->cap * 2 : 1024;
	g.n = 0;
	g.keys = malloc(g.cap * sizeof(*g.keys));
	g.vals = malloc(g.cap * sizeof(*g.vals));
	g.used = calloc(g.cap, 1);
	if (!g.keys || !g.vals || !g.used) {
		search_map_release(&g);
		return HN_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			search_map_put(&g, m->keys[i], m->vals[i]);
	search_map_release(m);
	*m = g;
	return 0;
}

int search_map_put(struct search_map *m, uint64_t key, uint64_t val)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return HN_ENOMEM;
	for (size_t i = search_mix64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i]) {
			m->used[i] = 1;
			m->keys[i] = key;
			m->vals[i] = val;
			m->n++;
			return 0;
		}
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	}
}
