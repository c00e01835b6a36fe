/* search_int.h: helpers shared inside search/ only. */
#ifndef SEARCH_INT_H
#define SEARCH_INT_H

#include <stdint.h>
#include <stdlib.h>

/* An open-addressing table of exact 64-bit keys to 64-bit values. */
struct search_map {
	uint64_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
};

static inline uint64_t search_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

void search_map_init(struct search_map *m);
void search_map_release(struct search_map *m);
/* 1 and *val when found, else 0. */
int search_map_get(const struct search_map *m, uint64_t key, uint64_t *val);
/* Inserts or replaces; 0 or HN_ENOMEM. */
int search_map_put(struct search_map *m, uint64_t key, uint64_t val);

#endif
