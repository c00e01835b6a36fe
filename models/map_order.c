/* map_order.c: the six loop orders of a tiling's DRAM-level loops (enum map_order): their
 * dimensions outermost first, read by the model (cost.c, cost_steps.c) and the tile program
 * (sim/sim_prog.c), and their names. */
#include <string.h>

#include "models.h"

const char map_order_dims[MAP_ORDER_COUNT][3] = {
	{ MAP_DIM_M, MAP_DIM_N, MAP_DIM_K }, { MAP_DIM_M, MAP_DIM_K, MAP_DIM_N },
	{ MAP_DIM_N, MAP_DIM_M, MAP_DIM_K }, { MAP_DIM_N, MAP_DIM_K, MAP_DIM_M },
	{ MAP_DIM_K, MAP_DIM_M, MAP_DIM_N }, { MAP_DIM_K, MAP_DIM_N, MAP_DIM_M },
};

static const char *const order_names[MAP_ORDER_COUNT] = {
	"mnk", "mkn", "nmk", "nkm", "kmn", "knm",
};

const char *map_order_name(enum map_order o)
{
	return (unsigned)o < MAP_ORDER_COUNT ? order_names[o] : "?";
}

int map_order_parse(const char *s)
{
	for (int i = 0; i < MAP_ORDER_COUNT; i++)
		if (!strcmp(s, order_names[i]))
			return i;
	return -1;
}
