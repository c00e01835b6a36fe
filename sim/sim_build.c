/* sim_build.c: verilated models on demand, one per RTL parameter set, in a cache folder.
 *
 * A model lives in <cache>/rtl-<hash>/harness, hash = FNV-1a 64 of the parameters, the
 * Verilator flags and the text of every RTL and harness source. It is built in a private
 * temporary folder and renamed into place when complete, so two processes building the same
 * model at once both succeed (the loser of the rename discards its copy), and a killed
 * build leaves no half-built model behind. */
#include "sim_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* -MAKEFLAGS OPT_FAST=-O2: Verilator's makefile compiles the model's per-cycle code and the
 * harness with -Os by default (its -O3 is its own optimisation, not the C++ compiler's);
 * -O2 there made the simulation 1.5x faster for a few seconds of build (issue 19). The
 * runtime library (OPT_GLOBAL) stays -Os: it is not on the per-cycle path. Every flag here and
 * in the -CFLAGS of build_model keys the cache. */
#define VERILATOR_FLAGS "--cc --exe --build -j 2 -O3 --x-assign fast --x-initial fast -Wall " \
			"-Wno-fatal --top-module hwnas_top -MAKEFLAGS OPT_FAST=-O2"
/* Large arrays (at least LARGE_PES PEs): Verilator flattens every PE into the model's
 * functions, in pieces of 20,000 statements by default, and g++ -O2 spends superlinear time
 * on such functions. Pieces of 1,000 statements cut the compiler's CPU time by a third
 * (32 x 32 ws: 34 s -> 23 s) for a function call per piece (docs/validation.md "Corners").
 * Smaller arrays keep the flags, and so the cache keys, they had. */
#define LARGE_PES 1024
#define VERILATOR_LARGE_FLAGS "--output-split-cfuncs 1000"
/* The build's time limit when the caller gives none: 900 s, and 0.1 s more per PE (a 128 x
 * 128 build on a loaded 2-core machine took more than 900 s). */
#define BUILD_TIMEOUT_S 900.0
#define BUILD_TIMEOUT_PER_PE_S 0.1
#define MAX_SOURCES 32

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t sim_fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int sim_fnv_files(uint64_t *h, char paths[][1024], int n, struct hn_err *err)
{
	for (int i = 0; i < n; i++) {
		char *text;
		size_t len;
		const char *base = strrchr(paths[i], '/');
		int ret = hn_read_file(paths[i], &text, &len, err);
		if (ret)
			return ret;
		base = base ? base : paths[i];
		*h = sim_fnv(*h, base, strlen(base));
		*h = sim_fnv(*h, text, len);
		free(text);
	}
	return 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void sim_rmtree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path, struct hn_err *err)
{
	char tmp[1024];

	hn_strlcpy(tmp, path, sizeof(tmp));
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) && errno != EEXIST)
			return hn_fail(err, HN_EIO, "cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) && errno != EEXIST)
		return hn_fail(err, HN_EIO, "cannot create %s: %s", tmp, strerror(errno));
	return 0;
}

int sim_cache_dir(const struct sim_options *opt, char *buf, size_t size, struct hn_err *err)
{
	const char *env;

	if (opt && opt->cache_dir && opt->cache_dir[0])
		snprintf(buf, size, "%s", opt->cache_dir);
	else if ((env = getenv("HWNAS_CACHE")) && env[0])
		snprintf(buf, size, "%s", env);
	else if ((env = getenv("XDG_CACHE_HOME")) && env[0])
		snprintf(buf, size, "%s/hwnas", env);
	else if ((env = getenv("HOME")) && env[0])
		snprintf(buf, size, "%s/.cache/hwnas", env);
	else
		return hn_fail(err, HN_EIO, "no cache folder: set HWNAS_CACHE");
	return mkdir_p(buf, err);
}

const char *sim_src_dir(const char *given)
{
	const char *env = getenv("HWNAS_SRCDIR");

	if (given && given[0])
		return given;
	if (env && env[0])
		return env;
#ifdef HWNAS_SRCDIR
	return HWNAS_SRCDIR;
#else
	return NULL;
#endif
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .v files of srcdir/rtl, sorted, as absolute paths into paths[] (at most max). */
int sim_list_rtl(const char *srcdir, char paths[][1024], int max, int *n, struct hn_err *err)
{
	char dir[700], *names[MAX_SOURCES];
	DIR *d;
	struct dirent *e;
	int k = 0;

	if (max > MAX_SOURCES)
		max = MAX_SOURCES;
	snprintf(dir, sizeof(dir), "%s/rtl", srcdir);
	if (!(d = opendir(dir)))
		return hn_fail(err, HN_EIO, "RTL sources: cannot open %s: %s (set HWNAS_SRCDIR to "
			       "the hwnas source tree)", dir, strerror(errno));
	while ((e = readdir(d)) && k < max) {
		size_t len = strlen(e->d_name);
		if (len > 2 && !strcmp(e->d_name + len - 2, ".v"))
			names[k++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)k, sizeof(names[0]), cmp_str);
	for (int i = 0; i < k; i++) {
		snprintf(paths[i], 1024, "%s/%.255s", dir, names[i]);
		free(names[i]);
	}
	*n = k;
	if (k == 0)
		return hn_fail(err, HN_EIO, "RTL sources: no .v file in %s", dir);
	return 0;
}

/* The RTL sources, the harness and its program reader header: all of them key the cache;
 * the header is not passed to Verilator. */
static int list_sources(const char *srcdir, char paths[][1024], int *n, struct hn_err *err)
{
	int k, ret = sim_list_rtl(srcdir, paths, MAX_SOURCES - 2, &k, err);

	if (ret)
		return ret;
	snprintf(paths[k++], 1024, "%.900s/sim/harness/harness.cpp", srcdir);
	snprintf(paths[k++], 1024, "%.900s/sim/harness/program.h", srcdir);
	*n = k;
	return 0;
}

static void param_string(const struct sim_rtl_params *p, char *buf, size_t size)
{
	snprintf(buf, size, "rows=%d cols=%d df=%d a=%d w=%d acc=%d dbuf=%d id=%lld wd=%lld "
		 "od=%lld inb=%d wnb=%d onb=%d pack=%d trace=%d", p->rows, p->cols, p->df, p->a_bits,
		 p->w_bits, p->acc_bits, p->dbuf, (long long)p->idepth, (long long)p->wdepth,
		 (long long)p->odepth, p->inb, p->wnb, p->onb, p->pack, p->trace);
}

/* SIGTERM to the child's process group, a second for it to clean up, then SIGKILL; reaps. */
static void stop_group(pid_t pid, int *ws)
{
	double t0 = now_s();

	kill(-pid, SIGTERM);
	while (now_s() - t0 < 1.0) {
		pid_t r = waitpid(pid, ws, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		struct timespec nap = { 0, 10 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
	/* the leader may be gone and its children (make's g++) not: the group still exists */
	kill(-pid, SIGKILL);
	while (waitpid(pid, ws, 0) < 0 && errno == EINTR)
		;
}

int sim_spawn(char *const argv[], const char *log_path, double timeout_s, int *status,
	      int *timed_out, struct hn_err *err)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	double t0 = now_s();
	pid_t pid;
	int ws = 0;

	*status = -1;
	*timed_out = 0;
	if (fd < 0)
		return hn_fail(err, HN_EIO, "cannot open %s: %s", log_path, strerror(errno));
	if (hn_stop_signal) {
		close(fd);
		return hn_fail(err, HN_EINTR, "%s: not started: stopped by %s", argv[0],
			       hn_signal_name(hn_stop_signal));
	}
	pid = fork();
	if (pid < 0) {
		close(fd);
		return hn_fail(err, HN_EEXTERNAL, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &ws, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return hn_fail(err, HN_EEXTERNAL, "waitpid: %s", strerror(errno));
		if (hn_stop_signal) {
			/* Ctrl-C reaches only our process group, not the build's: end the whole
			 * build (verilator, make, g++) and say so; callers remove their folders */
			stop_group(pid, &ws);
			return hn_fail(err, HN_EINTR, "%s stopped by %s", argv[0],
				       hn_signal_name(hn_stop_signal));
		}
		if (timeout_s > 0 && now_s() - t0 > timeout_s) {
			/* the child leads its own process group: end it and what it started */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			*timed_out = 1;
			return 0;
		}
		struct timespec nap = { 0, 5 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	return 0;
}

int sim_build(const struct sim_rtl_params *p, const struct sim_options *opt, char *exe,
	      size_t size, int *built, double *seconds, struct hn_err *err)
{
	char srcs[MAX_SOURCES][1024];
	char cache[1024], pstr[256], final_dir[1100], tmp_dir[1200], log[1300], obj[1300];
	char out_exe[1300], gflags[13][64], cflags[512], failed_log[1200];
	const char *srcdir = sim_src_dir(opt ? opt->srcdir : NULL);
	uint64_t h = 1469598103934665603ULL;
	int nsrc = 0, ret, status, timed_out;
	struct stat st;
	double t0, timeout;
	const int large = (int64_t)p->rows * p->cols >= LARGE_PES;

	*built = 0;
	*seconds = 0;
	if (!srcdir)
		return hn_fail(err, HN_EINVAL, "RTL sources: set HWNAS_SRCDIR to the hwnas tree");
	if ((ret = sim_cache_dir(opt, cache, sizeof(cache), err)))
		return ret;
	if ((ret = list_sources(srcdir, srcs, &nsrc, err)))
		return ret;
	param_string(p, pstr, sizeof(pstr));
	h = sim_fnv(h, pstr, strlen(pstr));
	snprintf(cflags, sizeof(cflags), "-O2 -DHW_ROWS=%d -DHW_COLS=%d -DHW_DF=%d -DHW_A_BITS=%d "
		 "-DHW_W_BITS=%d -DHW_ACC_BITS=%d -DHW_INB=%d -DHW_WNB=%d -DHW_ONB=%d%s",
		 p->rows, p->cols, p->df, p->a_bits, p->w_bits, p->acc_bits, p->inb, p->wnb,
		 p->onb, p->trace ? " -DHW_TRACE" : "");
	h = sim_fnv(h, VERILATOR_FLAGS, strlen(VERILATOR_FLAGS));
	if (large)
		h = sim_fnv(h, VERILATOR_LARGE_FLAGS, strlen(VERILATOR_LARGE_FLAGS));
	h = sim_fnv(h, cflags, strlen(cflags));
	{
		char q[32]; /* the -GQDEPTH below: a constant of the cost model, not in pstr */
		snprintf(q, sizeof(q), "-GQDEPTH=%d", COST_QBUF_WORDS);
		h = sim_fnv(h, q, strlen(q));
	}
	if ((ret = sim_fnv_files(&h, srcs, nsrc, err)))
		return ret;
	snprintf(final_dir, sizeof(final_dir), "%s/rtl-%016llx", cache, (unsigned long long)h);
	snprintf(exe, size, "%s/harness", final_dir);
	if (stat(exe, &st) == 0 && (st.st_mode & S_IXUSR))
		return 0;

	static unsigned counter;
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/.tmp-%016llx-%d-%u", cache, (unsigned long long)h,
		 (int)getpid(), counter++);
	if (mkdir(tmp_dir, 0777))
		return hn_fail(err, HN_EIO, "cannot create %s: %s", tmp_dir, strerror(errno));
	snprintf(log, sizeof(log), "%s/build.log", tmp_dir);
	snprintf(obj, sizeof(obj), "%s/obj", tmp_dir);
	snprintf(out_exe, sizeof(out_exe), "%s/harness", tmp_dir);
	{
		FILE *f = fopen(log, "w");
		if (f) {
			fprintf(f, "hwnas sim build: %s\nsources: %s\n", pstr, srcdir);
			fclose(f);
		}
	}
	snprintf(gflags[0], 64, "-GROWS=%d", p->rows);
	snprintf(gflags[1], 64, "-GCOLS=%d", p->cols);
	snprintf(gflags[2], 64, "-GDF=%d", p->df);
	snprintf(gflags[3], 64, "-GA_BITS=%d", p->a_bits);
	snprintf(gflags[4], 64, "-GW_BITS=%d", p->w_bits);
	snprintf(gflags[5], 64, "-GACC_BITS=%d", p->acc_bits);
	snprintf(gflags[6], 64, "-GDBUF=%d", p->dbuf);
	snprintf(gflags[7], 64, "-GIDEPTH=%lld", (long long)p->idepth);
	snprintf(gflags[8], 64, "-GWDEPTH=%lld", (long long)p->wdepth);
	snprintf(gflags[9], 64, "-GODEPTH=%lld", (long long)p->odepth);
	snprintf(gflags[10], 64, "-GINB=%d", p->inb);
	snprintf(gflags[11], 64, "-GWNB=%d", p->wnb);
	snprintf(gflags[12], 64, "-GPACK=%d", p->pack);
	char onb[64], qd[64];
	snprintf(onb, sizeof(onb), "-GONB=%d", p->onb);
	snprintf(qd, sizeof(qd), "-GQDEPTH=%d", COST_QBUF_WORDS);

	char *argv[80];
	int a = 0;
	char flags[] = VERILATOR_FLAGS, large_flags[] = VERILATOR_LARGE_FLAGS;
	argv[a++] = "verilator";
	for (char *tok = strtok(flags, " "); tok; tok = strtok(NULL, " "))
		argv[a++] = tok;
	if (large)
		for (char *tok = strtok(large_flags, " "); tok; tok = strtok(NULL, " "))
			argv[a++] = tok;
	argv[a++] = "-Mdir";
	argv[a++] = obj;
	argv[a++] = "-o";
	argv[a++] = out_exe;
	for (int i = 0; i < 13; i++)
		argv[a++] = gflags[i];
	argv[a++] = onb;
	argv[a++] = qd;
	argv[a++] = "-CFLAGS";
	argv[a++] = cflags;
	if (p->trace)
		argv[a++] = "--trace";
	for (int i = 0; i < nsrc; i++) {
		size_t len = strlen(srcs[i]);
		if (len > 2 && !strcmp(srcs[i] + len - 2, ".h"))
			continue; /* hashed, included by harness.cpp, not a Verilator input */
		argv[a++] = srcs[i];
	}
	argv[a] = NULL;

	sim_note_build_start(opt ? opt->on_build : NULL, opt ? opt->build_ctx : NULL, cache,
			     "verilator", pstr);
	t0 = now_s();
	timeout = opt && opt->build_timeout_s > 0 ? opt->build_timeout_s :
		  BUILD_TIMEOUT_S + BUILD_TIMEOUT_PER_PE_S * (double)p->rows * (double)p->cols;
	ret = sim_spawn(argv, log, timeout, &status, &timed_out, err);
	if (ret)
		goto out_remove;
	if (timed_out || status != 0 || stat(out_exe, &st) != 0) {
		snprintf(failed_log, sizeof(failed_log), "%s/rtl-%016llx.build-failed.log", cache,
			 (unsigned long long)h);
		rename(log, failed_log);
		char why[64] = "failed";
		if (timed_out)
			snprintf(why, sizeof(why), "timed out after %.0f s", timeout);
		ret = hn_fail(err, HN_EEXTERNAL, "verilator build of the RTL (%s) %s; log: %s", pstr,
			      why, failed_log);
		goto out_remove;
	}
	*seconds = now_s() - t0;
	sim_note_build_done(cache, "verilator", *seconds);
	/* Drop the object folder: only the executable and the log are kept. */
	sim_rmtree(obj);
	if (rename(tmp_dir, final_dir) == 0) {
		*built = 1;
		return 0;
	}
	if (stat(exe, &st) == 0) /* another process finished the same model first */
		goto out_remove;
	ret = hn_fail(err, HN_EIO, "cannot rename %s to %s: %s", tmp_dir, final_dir,
		      strerror(errno));
out_remove:
	sim_rmtree(tmp_dir);
	return ret;
}
