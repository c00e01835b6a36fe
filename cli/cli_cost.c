/* cli_cost.c: --cost and its files, shared by eval and explore: which estimator of estim/
 * prices a layer (docs/search.md "Cost estimators"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../estim/estim.h"

void cli_cost_init(struct cli_cost *c)
{
	memset(c, 0, sizeof(*c));
	c->kind_name = "analytical";
	c->miss_name = "fail";
	c->u.kind = ESTIM_ANALYTICAL;
}

int cli_cost_option(int opt, const char *arg, struct cli_cost *c)
{
	switch (opt) {
	case CLI_OPT_COST: c->kind_name = arg; return 1;
	case CLI_OPT_LUT: c->lut_path = arg; return 1;
	case CLI_OPT_LUT_MISS: c->miss_name = arg; return 1;
	case CLI_OPT_PREDICTOR: c->pred_path = arg; return 1;
	default: return 0;
	}
}

int cli_cost_finish(const char *cmd, struct cli_cost *c)
{
	const char *k = c->kind_name;

	if (!strcmp(k, "analytical"))
		c->u.kind = ESTIM_ANALYTICAL;
	else if (!strcmp(k, "lut"))
		c->u.kind = ESTIM_LUT;
	else if (!strcmp(k, "predictor"))
		c->u.kind = ESTIM_GBT;          /* or ESTIM_LINEAR: the file says */
	else if (!strcmp(k, "rtl"))
		c->u.kind = ESTIM_RTL;
	else
		return cli_usage_error(cmd, "--cost must be 'analytical', 'lut', 'predictor' or "
				       "'rtl', got '%s'", k);
	if (c->u.kind == ESTIM_LUT && !c->lut_path)
		return cli_usage_error(cmd, "--cost lut needs --lut FILE (a table written by "
				       "'hwnas estimators --lut-out')");
	if (c->u.kind != ESTIM_LUT && c->lut_path)
		return cli_usage_error(cmd, "--lut is for --cost lut");
	if ((c->u.kind == ESTIM_GBT) != (c->pred_path != NULL))
		return cli_usage_error(cmd, c->pred_path ? "--predictor is for --cost predictor" :
				       "--cost predictor needs --predictor FILE (written by "
				       "'hwnas estimators --predictor-out')");
	if (!strcmp(c->miss_name, "fail"))
		c->on_miss = c->u.on_miss = ESTIM_MISS_FAIL;
	else if (!strcmp(c->miss_name, "model"))
		c->on_miss = c->u.on_miss = ESTIM_MISS_MODEL;
	else
		return cli_usage_error(cmd, "--lut-miss must be 'fail' or 'model', got '%s'",
				       c->miss_name);
	return 0;
}

int cli_cost_load(struct cli_cost *c, int mapper, const struct hw_energy *e, int64_t max_macs,
		  const struct sim_options *so, struct hn_err *err)
{
	int ret;

	if (!(c->open = calloc(1, sizeof(*c->open))))
		return hn_fail(err, HN_ENOMEM, "out of memory");
	ret = estim_open(c->open, c->kind_name, c->lut_path ? c->lut_path : c->pred_path,
			 c->on_miss, mapper, e, max_macs, so, err);
	if (ret == 0)
		c->u = c->open->u;
	return ret;
}

void cli_cost_release(struct cli_cost *c)
{
	if (c->open)
		estim_close(c->open);
	free(c->open);
	c->open = NULL;
}

void cli_cost_describe(const struct cli_cost *c, char *buf, size_t size)
{
	switch (c->u.kind) {
	case ESTIM_LUT:
		snprintf(buf, size, "lut %s (misses: %s)", c->lut_path,
			 c->u.on_miss == ESTIM_MISS_FAIL ? "fail" : "the model");
		break;
	case ESTIM_LINEAR:
	case ESTIM_GBT:
		snprintf(buf, size, "predictor %s (%s)", c->pred_path, estim_kind_name(c->u.kind));
		break;
	default:
		snprintf(buf, size, "%s", estim_kind_name(c->u.kind));
	}
}
