/* cli.h: the command layer. Only cli/ prints or exits. Each cmd_*.c parses its own options
 * with getopt_long, prints --help with an example, and returns 0 (success), 1 (failure) or
 * 2 (usage error). */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>
#include "../common/hn.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_zoo(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_explore(int argc, char **argv);

/* Prints "hwnas: <msg>" on stderr and returns CLI_FAIL. */
int cli_error(const struct hn_err *err);
/* Prints "hwnas <cmd>: <printf message>" and a pointer to --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when colour may be used on stream f (a terminal and NO_COLOR unset). */
int cli_color(FILE *f);
/* Formats n with thousands separators into buf. */
const char *cli_thousands(long long n, char *buf, size_t size);

#endif
