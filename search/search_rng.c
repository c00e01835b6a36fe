/* search_rng.c: xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64: every strategy
 * owns one, so that a seed fixes a run. */
#include "search.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void search_rng_seed(struct search_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t search_rng_next(struct search_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double search_rng_uniform(struct search_rng *r)
{
	return (double)(search_rng_next(r) >> 11) * 0x1.0p-53;
}

int search_rng_below(struct search_rng *r, int n)
{
	return n <= 1 ? 0 : (int)(search_rng_uniform(r) * n);
}

void search_rng_point(struct search_rng *r, const struct search_problem *p,
		      struct search_point *pt)
{
	*pt = (struct search_point){ { 0 } };
	for (int d = 0; d < p->n_dims; d++)
		pt->c[d] = (uint8_t)search_rng_below(r, p->n_choices[d]);
}

void search_rng_weights(struct search_rng *r, int n, double *w)
{
	double sum = 0;

	/* exponential spacings: uniform on the simplex */
	for (int i = 0; i < n; i++) {
		w[i] = -log(1.0 - search_rng_uniform(r));
		sum += w[i];
	}
	for (int i = 0; i < n; i++)
		w[i] = sum > 0 ? w[i] / sum : 1.0 / n;
}
