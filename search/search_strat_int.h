/* search_strat_int.h: helpers the strategies share (inside search/ only). */
#ifndef SEARCH_STRAT_INT_H
#define SEARCH_STRAT_INT_H

#include "search.h"
#include "search_int.h"

/* Mixed-radix index of a point in the problem (exact key for seen-sets). */
uint64_t strat_index(const struct search_problem *p, const struct search_point *pt);
/* Changes k random dimensions (with >= 2 choices) to a different choice each. */
void strat_mutate(struct search_rng *r, const struct search_problem *p, struct search_point *pt,
		  int k);
/* 1 when pt is in the seen-set. */
int strat_seen(const struct search_map *seen, const struct search_problem *p,
	       const struct search_point *pt);

#endif
