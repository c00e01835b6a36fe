/* map_cache.c: the mapping cache. A hash map keyed by everything the optimum depends on: the
 * layer's GEMM shape, its kind, the accelerator fields the model reads, the energy table (it
 * breaks ties) and the options. Keys and values are plain copies, never pointers into the
 * caller's data. Thread-safe with one mutex; two threads missing the same key both solve,
 * and the second store overwrites the first with the same answer. */
#include "map_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Every field a value, written after a memset so that padding bytes compare equal. */
struct cache_key {
	int64_t g, m, n, k;
	int32_t b_is_act, kind;
	int32_t pe_rows, pe_cols, dataflow, act_bits, weight_bits, acc_bits;
	int64_t ibuf, wbuf, obuf;
	int32_t double_buffer, dram_latency;
	double freq_mhz, dram_gbps;
	struct hw_energy energy;
	double time_limit_s, mip_gap, milp_budget_s;
	int64_t enum_max, finish_enum_max;
	int32_t max_cuts;
};

struct cache_entry {
	struct cache_key key;
	uint64_t hash;
	struct map_tiling tiling;
	int feasible, solver_status, cuts, enumerated, milp_solves, milp_gave_up;
	double gap;
	char why[96];
	int used;
};

struct map_cache {
	pthread_mutex_t lock;
	struct cache_entry *slots; /* open addressing, linear probing, power-of-two size */
	size_t cap, size;
	int64_t hits;
};

static void make_key(const struct arch_layer *l, const struct hw_config *hw,
		     const struct hw_energy *e, const struct map_options *opt, struct cache_key *k)
{
	struct arch_gemm g = arch_gemm(l);

	memset(k, 0, sizeof(*k));
	k->g = g.g;
	k->m = g.m;
	k->n = g.n;
	k->k = g.k;
	k->b_is_act = g.b_is_act;
	k->kind = (int32_t)l->kind;
	k->pe_rows = hw->pe_rows;
	k->pe_cols = hw->pe_cols;
	k->dataflow = (int32_t)hw->dataflow;
	k->act_bits = hw->act_bits;
	k->weight_bits = hw->weight_bits;
	k->acc_bits = hw->acc_bits;
	k->ibuf = hw->ibuf_bytes;
	k->wbuf = hw->wbuf_bytes;
	k->obuf = hw->obuf_bytes;
	k->double_buffer = hw->double_buffer;
	k->dram_latency = hw->dram_latency_cycles;
	k->freq_mhz = hw->freq_mhz;
	k->dram_gbps = hw->dram_gbps;
	memcpy(&k->energy, e, sizeof(*e));
	k->time_limit_s = opt->time_limit_s;
	k->mip_gap = opt->mip_gap;
	k->max_cuts = opt->max_cuts;
	k->enum_max = opt->enum_max;
	k->finish_enum_max = opt->finish_enum_max;
	k->milp_budget_s = opt->milp_budget_s;
}

/* FNV-1a over the key's bytes. */
static uint64_t hash_key(const struct cache_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct map_cache *map_cache_new(void)
{
	struct map_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cap = 64;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void map_cache_free(struct map_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

int64_t map_cache_hits(const struct map_cache *c)
{
	int64_t h;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	h = c->hits;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return h;
}

int64_t map_cache_size(const struct map_cache *c)
{
	int64_t n;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	n = (int64_t)c->size;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return n;
}

/* The slot of key k: its entry, or the empty slot where it belongs. Lock held. */
static struct cache_entry *find_slot(struct cache_entry *slots, size_t cap,
				     const struct cache_key *k, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slots[i].used && !(slots[i].hash == h && !memcmp(&slots[i].key, k, sizeof(*k))))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

int map_cache_lookup(struct map_cache *c, const struct arch_layer *l, const struct hw_config *hw,
		     const struct hw_energy *e, const struct map_options *opt,
		     struct map_result *out)
{
	struct cache_key k;
	struct cache_entry ent;
	uint64_t h;
	int hit;

	make_key(l, hw, e, opt, &k);
	h = hash_key(&k);
	pthread_mutex_lock(&c->lock);
	struct cache_entry *s = find_slot(c->slots, c->cap, &k, h);
	hit = s->used;
	if (hit) {
		ent = *s;
		c->hits++;
	}
	pthread_mutex_unlock(&c->lock);
	if (!hit)
		return 0;
	/* The report is recomputed for this layer (its name and MAC-free fields are not in the
	 * key); the model is pure and costs a microsecond. */
	memset(out, 0, sizeof(*out));
	out->tiling = ent.tiling;
	out->feasible = ent.feasible;
	out->solver_status = ent.solver_status;
	out->gap = ent.gap;
	out->cuts = ent.cuts;
	out->enumerated = ent.enumerated;
	out->milp_solves = ent.milp_solves;
	out->milp_gave_up = ent.milp_gave_up;
	hn_strlcpy(out->why, ent.why, sizeof(out->why));
	cost_layer(l, hw, &out->tiling, e, &out->cost);
	out->from_cache = 1;
	return 1;
}

/* Doubles the table; on out-of-memory the cache just stays full-ish (it is an optimisation,
 * never a correctness matter). Lock held. */
static void grow(struct map_cache *c)
{
	size_t ncap = c->cap * 2;
	struct cache_entry *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].used)
			*find_slot(ns, ncap, &c->slots[i].key, c->slots[i].hash) = c->slots[i];
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
}

void map_cache_store(struct map_cache *c, const struct arch_layer *l, const struct hw_config *hw,
		     const struct hw_energy *e, const struct map_options *opt,
		     const struct map_result *r)
{
	struct cache_key k;
	uint64_t h;

	make_key(l, hw, e, opt, &k);
	h = hash_key(&k);
	pthread_mutex_lock(&c->lock);
	if (2 * (c->size + 1) > c->cap)
		grow(c);
	if (2 * (c->size + 1) <= c->cap) {
		struct cache_entry *s = find_slot(c->slots, c->cap, &k, h);
		if (!s->used)
			c->size++;
		memset(s, 0, sizeof(*s));
		s->key = k;
		s->hash = h;
		s->tiling = r->tiling;
		s->feasible = r->feasible;
		s->solver_status = r->solver_status;
		s->gap = r->gap;
		s->cuts = r->cuts;
		s->enumerated = r->enumerated;
		s->milp_solves = r->milp_solves;
		s->milp_gave_up = r->milp_gave_up;
		hn_strlcpy(s->why, r->why, sizeof(s->why));
		s->used = 1;
	}
	pthread_mutex_unlock(&c->lock);
}
