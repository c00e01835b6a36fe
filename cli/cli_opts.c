/* cli_opts.c: the options several commands share (--net, --hw, --batch, --energy, --mapper):
 * one parser, one set of messages, one default each. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

int cli_parse_mapper(const char *cmd, const char *s, int *mapper)
{
	int m = !strcmp(s, "default") ? COST_MAP_GREEDY : cost_mapper_parse(s); /* its old name */

	if (m < 0)
		return cli_usage_error(cmd, "--mapper must be 'glpk' or 'greedy', got '%s'", s);
	*mapper = m;
	return 0;
}

void cli_common_init(struct cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->mapper_name = "glpk";
	c->mapper = COST_MAP_GLPK;
}

int cli_common_option(const char *cmd, int opt, const char *arg, struct cli_common *c)
{
	switch (opt) {
	case CLI_OPT_NET: c->net = arg; return 1;
	case CLI_OPT_HW: c->hw = arg; return 1;
	case CLI_OPT_ENERGY: c->energy = arg; return 1;
	case CLI_OPT_MAPPER: c->mapper_name = arg; return 1; /* checked by cli_common_finish */
	case CLI_OPT_BATCH:
		if (cli_parse_i64(arg, 1, 1000000, &c->batch))
			return cli_usage_error(cmd, "--batch must be an integer in 1..1000000, got "
					       "'%s'", arg);
		return 1;
	default:
		return 0;
	}
}

int cli_common_finish(const char *cmd, struct cli_common *c)
{
	return cli_parse_mapper(cmd, c->mapper_name, &c->mapper) ? CLI_USAGE : 0;
}

int cli_common_load(const struct cli_common *c, struct hw_config *hw, struct hw_energy *e,
		    struct hn_err *err)
{
	*hw = hw_config_default();
	if (e)
		*e = hw_energy_default();
	if (c->hw && hw_config_load(c->hw, hw, err) < 0)
		return -1;
	if (e && c->energy && hw_energy_load(c->energy, e, err) < 0)
		return -1;
	return 0;
}
