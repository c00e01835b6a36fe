/* test_sim_cache.c: the cache of verilated models (sim/sim_build.c, docs/rtl.md "Builds,
 * cache, robustness"). A model is reused when its key matches, so a key that misses a
 * parameter the build reads would hand a simulation a model of another accelerator.
 *
 * A stand-in 'verilator' first on PATH makes each build instant: it prints its command line
 * into the build log (kept beside the model) and writes an empty executable where -o says.
 * Every field of struct sim_rtl_params is changed in turn: a change that reaches the
 * command line must miss the cache (a new build, a new model path), identical parameters
 * and a change the build does not read must hit it; so must a copy of the sources in
 * another folder, while a change in any source's text misses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "../sim/sim.h"

static char fake_bin[256], cache[256], src_copy[256];

static int sh(const char *cmd)
{
	return system(cmd);
}

/* The stand-in verilator: the command line on one line, then an executable at -o. */
static int make_fake_verilator(void)
{
	char path[300], cmd[600];
	FILE *f;

	snprintf(fake_bin, sizeof(fake_bin), "/tmp/hwnas-test-fakebin-XXXXXX");
	if (!mkdtemp(fake_bin))
		return -1;
	snprintf(path, sizeof(path), "%s/verilator", fake_bin);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("#!/bin/sh\n"
	      "out=; prev=\n"
	      "for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n"
	      "printf 'ARGV'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; printf '\\n'\n"
	      "[ -n \"$out\" ] || exit 1\n"
	      "printf '#!/bin/sh\\nexit 0\\n' > \"$out\" && chmod +x \"$out\"\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "chmod +x %s", path);
	return sh(cmd);
}

/* The build's command line from the log kept beside the model at exe, without what differs
 * per build and tree: the folders after -Mdir and -o, and the sources' folders (their text
 * keys the cache separately). */
static void command_of(const char *exe, char *out, size_t n)
{
	char path[600], line[8192];
	const char *slash = strrchr(exe, '/');
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%.*s/build.log", slash ? (int)(slash - exe) : 0, exe);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ARGV ", 5))
			break;
	fclose(f);
	if (strncmp(line, "ARGV ", 5))
		return;
	int skip = 0;
	for (char *tok = strtok(line + 5, "]\n"); tok; tok = strtok(NULL, "]\n")) {
		const char *arg = tok[0] == ' ' ? tok + 1 : tok;
		arg = arg[0] == '[' ? arg + 1 : arg;
		const char *base = strrchr(arg, '/');
		if (skip) {
			skip = 0;
			continue;
		}
		skip = !strcmp(arg, "-Mdir") || !strcmp(arg, "-o");
		if (arg[0] == '/' && base)
			arg = base + 1;
		strncat(out, arg, n - strlen(out) - 2);
		strncat(out, " ", n - strlen(out) - 1);
	}
}

static const char *srcdir(void);

struct build {
	char exe[512];
	int built;
	int ret;
	char cmd[8192];
};

/* Builds p from the sources in srcdir into the cache folder dir (NULL: the shared one). */
static void build_in(const struct sim_rtl_params *p, const char *srcdir, const char *dir,
		     struct build *b)
{
	struct sim_options o;
	struct hn_err err = { 0 };
	double secs;

	sim_options_init(&o);
	o.cache_dir = dir ? dir : cache;
	o.srcdir = srcdir;
	b->exe[0] = '\0';
	b->built = -1;
	b->ret = sim_build(p, &o, b->exe, sizeof(b->exe), &b->built, &secs, &err);
	if (b->ret)
		fprintf(stderr, "sim_build: %s\n", err.msg);
	command_of(b->exe, b->cmd, sizeof(b->cmd));
}

static void build(const struct sim_rtl_params *p, const char *srcdir, struct build *b)
{
	build_in(p, srcdir, NULL, b);
}

/* The command line the build of p runs, from a build into an empty cache folder. */
static void command_for(const struct sim_rtl_params *p, char *out, size_t n)
{
	static struct build b;
	char dir[300], cmd[400];

	snprintf(dir, sizeof(dir), "%s/fresh-XXXXXX", cache);
	out[0] = '\0';
	if (!mkdtemp(dir))
		return;
	build_in(p, srcdir(), dir, &b);
	snprintf(out, n, "%s", b.cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (sh(cmd) != 0)
		fprintf(stderr, "test_sim_cache: could not remove %s\n", dir);
}

static const char *srcdir(void)
{
	return getenv("HWNAS_SRCDIR") ? getenv("HWNAS_SRCDIR") : HWNAS_SRCDIR;
}

static void base_params(struct sim_rtl_params *p)
{
	struct hw_config hw = hw_config_default();

	hw.pe_rows = 4;
	hw.pe_cols = 3;
	hw.double_buffer = 1;
	sim_rtl_params_from_hw(&hw, p);
}

/* One change per field of struct sim_rtl_params; reaches_build: the build reads it. */
struct change {
	const char *field;
	int reaches_build;
	void (*apply)(struct sim_rtl_params *p);
};

#define CHANGE(name, stmt) \
	static void change_##name(struct sim_rtl_params *p) { stmt; }
CHANGE(rows, p->rows += 1)
CHANGE(cols, p->cols += 1)
CHANGE(df, p->df = (p->df + 1) % 3)
CHANGE(a_bits, p->a_bits -= 4)
CHANGE(w_bits, p->w_bits -= 4)
CHANGE(acc_bits, p->acc_bits -= 8)
CHANGE(dbuf, p->dbuf = !p->dbuf)
CHANGE(idepth, p->idepth *= 2)
CHANGE(wdepth, p->wdepth *= 2)
CHANGE(odepth, p->odepth *= 2)
CHANGE(inb, p->inb *= 2)
CHANGE(wnb, p->wnb *= 2)
CHANGE(onb, p->onb *= 2)
CHANGE(pack, p->pack = (p->pack + 1) % 4)
CHANGE(trace, p->trace = !p->trace)
CHANGE(ostage, p->ostage = !p->ostage)

static const struct change changes[] = {
	{ "rows", 1, change_rows },     { "cols", 1, change_cols },
	{ "df", 1, change_df },         { "a_bits", 1, change_a_bits },
	{ "w_bits", 1, change_w_bits }, { "acc_bits", 1, change_acc_bits },
	{ "dbuf", 1, change_dbuf },     { "idepth", 1, change_idepth },
	{ "wdepth", 1, change_wdepth }, { "odepth", 1, change_odepth },
	{ "inb", 1, change_inb },       { "wnb", 1, change_wnb },
	{ "onb", 1, change_onb },       { "pack", 1, change_pack },
	{ "trace", 1, change_trace },
	/* the model is always hwnas_top with its output stage; ostage says which program
	 * version sim_prog writes (the AXI top's models are built by sim_axi) */
	{ "ostage", 0, change_ostage },
};
#define NCHANGES ((int)(sizeof(changes) / sizeof(changes[0])))

/* Every field of struct sim_rtl_params has a change above: a field added to the struct
 * changes its size and fails this until it gets one (seven int32, three int64, six int32). */
static void every_field_should_have_a_change(void)
{
	CHECK_EQ_I64(sizeof(struct sim_rtl_params), 7 * 4 + 4 + 3 * 8 + 6 * 4);
	CHECK_EQ_I64(NCHANGES, 16);
}

static void identical_parameters_should_hit_the_cache(void)
{
	struct sim_rtl_params p;
	struct build a, b;

	base_params(&p);
	build(&p, srcdir(), &a);
	CHECK_EQ_I64(a.ret, 0);
	CHECK_EQ_I64(a.built, 1);
	CHECK(access(a.exe, X_OK) == 0);
	CHECK(a.cmd[0] != '\0');
	build(&p, srcdir(), &b);
	CHECK_EQ_I64(b.ret, 0);
	CHECK_EQ_I64(b.built, 0);
	CHECK(!strcmp(a.exe, b.exe));
}

static void a_change_the_build_reads_should_miss_the_cache(void)
{
	static struct build base, got[NCHANGES];
	static char base_cmd[8192], cmd[8192];
	struct sim_rtl_params p;

	base_params(&p);
	build(&p, srcdir(), &base);
	CHECK_EQ_I64(base.ret, 0);
	command_for(&p, base_cmd, sizeof(base_cmd));
	CHECK(base_cmd[0] != '\0');
	CHECK(!strcmp(base_cmd, base.cmd));
	for (int i = 0; i < NCHANGES; i++) {
		struct sim_rtl_params q = p;
		changes[i].apply(&q);
		build(&q, srcdir(), &got[i]);
		CHECK_EQ_I64(got[i].ret, 0);
		command_for(&q, cmd, sizeof(cmd));
		int same_cmd = !strcmp(cmd, base_cmd);
		int miss = strcmp(got[i].exe, base.exe) != 0;
		if (miss != changes[i].reaches_build || miss == same_cmd)
			fprintf(stderr, "field %s: %s the cache, command line %s\n",
				changes[i].field, miss ? "missed" : "hit",
				same_cmd ? "unchanged" : "changed");
		/* a field the build reads changes its command line and must miss; one it does
		 * not read leaves the command line alone and hits */
		CHECK_EQ_I64(same_cmd, !changes[i].reaches_build);
		CHECK_EQ_I64(miss, !same_cmd);
		CHECK_EQ_I64(got[i].built, miss);
		/* and every miss is a model of its own */
		for (int j = 0; j < i; j++)
			if (changes[i].reaches_build && changes[j].reaches_build)
				CHECK(strcmp(got[i].exe, got[j].exe) != 0);
	}
}

/* The key is the sources' names and text, not their folder; a changed byte in any source,
 * or a new RTL file, misses. */
static void the_sources_text_should_key_the_cache(void)
{
	static const char *const edits[] = {
		"printf '// x\\n' >> %s/rtl/hwnas_requant.v",
		"printf '// x\\n' >> %s/rtl/hwnas_top.v",
		"printf '// x\\n' >> %s/sim/harness/harness.cpp",
		"printf '// x\\n' >> %s/sim/harness/program.h",
		"printf 'module hwnas_extra; endmodule\\n' > %s/rtl/hwnas_extra.v",
	};
	struct sim_rtl_params p;
	struct build orig, copy, prev;
	char cmd[1200];

	base_params(&p);
	snprintf(src_copy, sizeof(src_copy), "/tmp/hwnas-test-src-XXXXXX");
	CHECK(mkdtemp(src_copy) != NULL);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sim && cp -r %s/rtl %s/ && cp -r %s/sim/harness "
		 "%s/sim/", src_copy, srcdir(), src_copy, srcdir(), src_copy);
	CHECK(sh(cmd) == 0);
	build(&p, srcdir(), &orig);
	build(&p, src_copy, &copy);
	CHECK_EQ_I64(copy.ret, 0);
	CHECK_EQ_I64(copy.built, 0);
	CHECK(!strcmp(orig.exe, copy.exe));
	prev = copy;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct build b;
		snprintf(cmd, sizeof(cmd), edits[i], src_copy);
		CHECK(sh(cmd) == 0);
		build(&p, src_copy, &b);
		CHECK_EQ_I64(b.ret, 0);
		CHECK_EQ_I64(b.built, 1);
		CHECK(strcmp(b.exe, prev.exe) != 0);
		prev = b;
	}
}

int main(void)
{
	char cmd[1100];
	const char *path = getenv("PATH");
	char *newpath;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(cache, sizeof(cache), "/tmp/hwnas-test-cache-XXXXXX");
	if (make_fake_verilator() || !mkdtemp(cache)) {
		fprintf(stderr, "test_sim_cache: cannot set up the stand-in verilator\n");
		return 1;
	}
	newpath = malloc(strlen(fake_bin) + strlen(path ? path : "") + 2);
	if (!newpath)
		return 1;
	sprintf(newpath, "%s:%s", fake_bin, path ? path : "");
	setenv("PATH", newpath, 1);
	free(newpath);

	RUN(every_field_should_have_a_change);
	RUN(identical_parameters_should_hit_the_cache);
	RUN(a_change_the_build_reads_should_miss_the_cache);
	RUN(the_sources_text_should_key_the_cache);

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", fake_bin, cache, src_copy[0] ? src_copy : "");
	if (sh(cmd) != 0)
		fprintf(stderr, "test_sim_cache: could not remove the temporary folders\n");
	return TEST_SUMMARY();
}
