/* progress.c: a progress bar on a terminal, plain periodic lines elsewhere (cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static int locale_utf8(void)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8"));
}

void cli_progress_start(struct cli_progress *p, const char *what, int64_t total, int quiet)
{
	const char *mode = getenv("HWNAS_PROGRESS"), *every = getenv("HWNAS_PROGRESS_INTERVAL");

	memset(p, 0, sizeof(*p));
	snprintf(p->what, sizeof(p->what), "%s", what);
	p->total = total > 0 ? total : 0;
	p->mode = isatty(STDERR_FILENO) ? CLI_PROGRESS_BAR : CLI_PROGRESS_LINES;
	if (mode && !strcmp(mode, "bar"))
		p->mode = CLI_PROGRESS_BAR;
	else if (mode && !strcmp(mode, "lines"))
		p->mode = CLI_PROGRESS_LINES;
	else if (mode && !strcmp(mode, "none"))
		p->mode = CLI_PROGRESS_NONE;
	if (quiet)
		p->mode = CLI_PROGRESS_NONE;
	p->color = p->mode == CLI_PROGRESS_BAR && cli_color(stderr);
	p->utf8 = locale_utf8();
	/* a bar only for work that lasts (no flicker), redrawn 10 times a second; a line every
	 * 10 s when stderr is a log */
	p->delay = p->mode == CLI_PROGRESS_BAR ? 0.25 : 10.0;
	p->every = p->mode == CLI_PROGRESS_BAR ? 0.1 : 10.0;
	if (every && *every) {
		char *end;
		double v = strtod(every, &end);
		if (!*end && v >= 0)
			p->delay = p->every = v;
	}
	p->t0 = now_s();
	p->last = p->t0;
}

int cli_progress_due(const struct cli_progress *p)
{
	double t;

	if (p->mode == CLI_PROGRESS_NONE)
		return 0;
	t = now_s();
	return p->shown ? t - p->last >= p->every : t - p->t0 >= p->delay;
}

/* "840/2000 (42%), 1.2 s, 3.4 s left" */
static void counts(const struct cli_progress *p, double t, char *buf, size_t size)
{
	char a[32], b[32];

	cli_thousands(p->done, a, sizeof(a));
	if (p->total) {
		double left = p->done > 0 ? t / (double)p->done * (double)(p->total - p->done) : 0;
		cli_thousands(p->total, b, sizeof(b));
		int n = snprintf(buf, size, "%s/%s (%.0f%%), %.1f s", a, b,
				 100.0 * (double)p->done / (double)p->total, t);
		/* the time left once there is a rate to estimate it from */
		if (p->done > 0 && n > 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, ", %.1f s left", left);
	} else {
		snprintf(buf, size, "%s, %.1f s", a, t);
	}
}

static void draw_bar(struct cli_progress *p, double t)
{
	char cnt[128], line[512];
	int cols = term_cols(), width = cols >= 100 ? 30 : cols >= 70 ? 20 : 10;
	int fill = p->total ? (int)((double)width * (double)p->done / (double)p->total) : 0;
	size_t o = 0;

	if (fill > width)
		fill = width;
	counts(p, t, cnt, sizeof(cnt));
	fprintf(stderr, "\r%s ", p->what);
	if (p->total) {
		fputs(p->color ? "\033[32m" : "", stderr);
		for (int i = 0; i < width; i++)
			fputs(i < fill ? (p->utf8 ? "\xe2\x96\x88" : "#")
				       : (p->utf8 ? "\xe2\x96\x91" : "."), stderr);
		fputs(p->color ? "\033[0m " : " ", stderr);
	}
	/* counts and status, cut to the terminal's width so that \r returns to this line */
	o = (size_t)snprintf(line, sizeof(line), "%s%s%s", cnt, p->status[0] ? ", " : "",
			     p->status);
	int room = cols - (int)strlen(p->what) - 2 - (p->total ? width + 1 : 0);
	if (room < 0)
		room = 0;
	if (o > (size_t)room)
		line[room] = '\0';
	fprintf(stderr, "%s\033[K", line);
	fflush(stderr);
}

static void draw_line(struct cli_progress *p, double t)
{
	char cnt[128];

	counts(p, t, cnt, sizeof(cnt));
	fprintf(stderr, "%s: %s%s%s\n", p->what, cnt, p->status[0] ? ", " : "", p->status);
	fflush(stderr);
}

void cli_progress_update(struct cli_progress *p, int64_t done, const char *fmt, ...)
{
	double t;

	p->done = done;
	if (!cli_progress_due(p))
		return;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->status, sizeof(p->status), fmt, ap);
		va_end(ap);
	}
	t = now_s();
	p->last = t;
	p->shown = 1;
	if (p->mode == CLI_PROGRESS_BAR)
		draw_bar(p, t - p->t0);
	else
		draw_line(p, t - p->t0);
}

void cli_progress_done(struct cli_progress *p)
{
	if (!p->shown || p->mode == CLI_PROGRESS_NONE)
		return;
	if (p->mode == CLI_PROGRESS_BAR) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	} else {
		p->status[0] = '\0';
		draw_line(p, now_s() - p->t0);
	}
	p->shown = 0;
}

void cli_build_notice(void *ctx, const char *tool, const char *what, double last_s)
{
	struct cli_progress *p = ctx;
	int yosys = !strcmp(tool, "yosys");

	if (p && p->mode == CLI_PROGRESS_NONE)
		return;
	if (p && p->mode == CLI_PROGRESS_BAR && p->shown)
		fputs("\r\033[K", stderr); /* the bar is redrawn at its next update */
	if (last_s >= 0)
		fprintf(stderr, "hwnas: %s (%s); the last %s in this cache took %.0f s\n",
			yosys ? "synthesising with Yosys" : "building the Verilator model", what,
			yosys ? "synthesis" : "build", last_s);
	else
		fprintf(stderr, "hwnas: %s (%s); the first in this cache: %s\n",
			yosys ? "synthesising with Yosys" : "building the Verilator model", what,
			yosys ? "about a minute for a 4x4 array, several for 16x16" :
				"typically 5 to 60 s");
	fflush(stderr);
}
