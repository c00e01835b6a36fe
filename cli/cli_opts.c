/* cli_opts.c: option values several commands share. */
#include <string.h>

#include "cli.h"
#include "../models/models.h"

int cli_parse_mapper(const char *cmd, const char *s, int *mapper)
{
	int m = !strcmp(s, "default") ? COST_MAP_GREEDY : cost_mapper_parse(s); /* its old name */

	if (m < 0)
		return cli_usage_error(cmd, "--mapper must be 'glpk' or 'greedy', got '%s'", s);
	*mapper = m;
	return 0;
}
