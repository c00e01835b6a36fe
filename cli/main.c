/* hwnas: hardware-aware NAS and accelerator co-design. Subcommands are a table, as in git. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"

static const struct cmd commands[] = {
	{ "zoo",  cmd_zoo,  "list the built-in networks or show one (layers, MACs, params)" },
	{ "eval", cmd_eval, "analytical cost of a network on an accelerator" },
	{ "map",  cmd_map,  "optimal tile mapping of layers (GLPK)" },
	{ "sim",  cmd_sim,  "cycle-accurate Verilator run of a layer or network" },
	{ "compile", cmd_compile, "a network as the AXI top's DRAM image: programs, weights, memory map" },
	{ "validate", cmd_validate, "model against RTL: error, ranking, calibration" },
	{ "estimators", cmd_estim, "cost estimators (model, lookup table, predictors, RTL) compared" },
	{ "synth", cmd_synth, "Yosys synthesis of the accelerator: resources beside the model" },
	{ "explore", cmd_explore, "joint search of network and accelerator" },
	{ "db", cmd_db, "inspect a result store: stats, front, export" },
	{ "report", cmd_report, "HTML report with plots of an exploration (fronts, roofline, progress)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hwnas <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'hwnas <command> --help' describes a command.\n"
		   "exit codes: 0 success (an infeasible design is a result, not a failure), 1 failure\n"
		   "(bad input, I/O, a failed build or simulation), 2 usage error\n");
}

int cli_error(const struct hn_err *err)
{
	fprintf(stderr, "hwnas: %s\n", err->msg[0] ? err->msg : "unknown error");
	return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hwnas %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hwnas %s --help'.\n", cmd);
	return CLI_USAGE;
}

static void on_stop_signal(int sig)
{
	if (hn_stop_signal) { /* the second one: no more waiting */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	hn_stop_signal = sig;
}

void cli_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cli_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(f)) && !(nc && nc[0]);
}

int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (!*s || *end || errno || x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

int cli_parse_axi(const char *s, struct cost_axi *a, char *why, size_t size)
{
	struct hn_err e = { 0 };
	char *end;

	a->dw = (int32_t)strtol(s, &end, 10);
	if (*end == ',')
		a->maxb = (int32_t)strtol(end + 1, &end, 10);
	if (*end == ',')
		a->maxout = (int32_t)strtol(end + 1, &end, 10);
	if (*end || end == s || cost_axi_check(a, &e)) {
		snprintf(why, size, "%s", *end || end == s ? "expected DW[,MAXB[,MAXOUT]]" : e.msg);
		return -1;
	}
	return 0;
}

int cli_parse_double(const char *s, double lo, double hi, double *v)
{
	char *end;
	double x = strtod(s, &end);

	if (!*s || *end || !isfinite(x) || !(x >= lo && x <= hi))
		return -1;
	*v = x;
	return 0;
}

int cli_print_json(cJSON *root)
{
	char *s = root ? cJSON_Print(root) : NULL;

	cJSON_Delete(root);
	if (!s)
		return -1;
	puts(s);
	free(s);
	return 0;
}

const char *cli_thousands(long long n, char *buf, size_t size)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%lld", n < 0 ? -n : n);
	size_t o = 0;

	if (n < 0 && o + 1 < size)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 1 < size; i++) {
		buf[o++] = tmp[i];
		if ((len - i - 1) % 3 == 0 && i != len - 1 && o + 1 < size)
			buf[o++] = ',';
	}
	buf[o] = '\0';
	return buf;
}

/* Every command's output ends here: stdio buffers it, so a full disk or a closed pipe shows up
 * only at the flush or the close (`> /dev/full` exited 0 having written nothing). A command
 * that succeeded but whose output was lost fails. */
static int finish_stdout(int ret)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad && ret == CLI_OK) {
		fprintf(stderr, "hwnas: cannot write the output (standard output): %s\n",
			e ? strerror(e) : "write error");
		return CLI_FAIL;
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish_stdout(CLI_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hwnas 0.1\n");
		return finish_stdout(CLI_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish_stdout(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "hwnas: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
