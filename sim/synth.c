/* synth.c: Yosys synth_xilinx of rtl/ for a config, cached per parameter set.
 *
 * A result lives in <cache>/synth-<hash>.stat (plain "key value" lines) beside its Yosys log
 * synth-<hash>.log; hash = FNV-1a 64 of the parameters, the family, the Yosys script and the
 * text of every RTL source. Yosys runs in a private temporary folder; the result file is
 * written there and renamed into place, so concurrent runs of the same point are safe and a
 * killed one leaves nothing half-written. */
#include "sim.h"
#include "sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOURCES 32

void sim_synth_options_init(struct sim_synth_options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_s = 1800.0;
}

/* Words of one half: capacity bits / word bits, whole DMA lines, at least one line. */
static int64_t dense_words(int64_t bytes, int64_t halves, int64_t word_bits, int32_t nb)
{
	int64_t words = hn_cdiv(bytes * 8 / halves, word_bits);

	return hn_cdiv(hn_max64(words, 1), nb) * nb;
}

void sim_synth_params_from_hw(const struct hw_config *hw, struct sim_rtl_params *p)
{
	const int64_t d = hw->double_buffer ? 2 : 1;
	const int64_t R = hw->pe_rows, C = hw->pe_cols;
	const int64_t li = hw->dataflow == HW_IS ? C : R, lw = hw->dataflow == HW_IS ? R : C;

	sim_rtl_params_from_hw(hw, p);
	p->idepth = dense_words(hw->ibuf_bytes, d, li * hw->act_bits, p->inb);
	p->wdepth = dense_words(hw->wbuf_bytes, d, lw * hw->weight_bits, p->wnb);
	p->odepth = dense_words(hw->obuf_bytes, d, C * hw->acc_bits, p->onb);
	p->trace = 0;
}

const char *sim_synth_family(const struct hw_config *hw)
{
	const struct hw_device *dev = hw->device[0] ? hw_device_find(hw->device) : NULL;

	if (dev && (!strcmp(dev->family, "zynq7") || !strcmp(dev->family, "virtex7")))
		return "xc7";
	return "xcup";
}

/* ---- the stat parser ---- */

struct cell_kind {
	const char *name;
	int what;     /* 0 dsp, 1 ramb36, 2 ramb18, 3 logic LUT, 4 LUTRAM/SRL, 5 FF, 6 carry */
	int luts;     /* LUTs per cell for kind 4 */
};

static const struct cell_kind cell_kinds[] = {
	{ "DSP48E2", 0, 0 }, { "DSP48E1", 0, 0 },
	{ "RAMB36E2", 1, 0 }, { "RAMB36E1", 1, 0 },
	{ "RAMB18E2", 2, 0 }, { "RAMB18E1", 2, 0 },
	{ "LUT1", 3, 0 }, { "LUT2", 3, 0 }, { "LUT3", 3, 0 }, { "LUT4", 3, 0 },
	{ "LUT5", 3, 0 }, { "LUT6", 3, 0 },
	/* LUTRAM and shift registers: LUTs each (UG574 / UG474 CLB primitives) */
	{ "RAM16X1D", 4, 2 }, { "RAM32X1D", 4, 2 }, { "RAM64X1D", 4, 2 }, { "RAM128X1D", 4, 4 },
	{ "RAM32X1S", 4, 1 }, { "RAM64X1S", 4, 1 }, { "RAM128X1S", 4, 2 }, { "RAM256X1S", 4, 4 },
	{ "RAM32M", 4, 4 }, { "RAM64M", 4, 4 }, { "RAM32M16", 4, 8 }, { "RAM64M8", 4, 8 },
	{ "SRL16E", 4, 1 }, { "SRLC16E", 4, 1 }, { "SRLC32E", 4, 1 },
	{ "FDRE", 5, 0 }, { "FDSE", 5, 0 }, { "FDCE", 5, 0 }, { "FDPE", 5, 0 },
	{ "LDCE", 5, 0 }, { "LDPE", 5, 0 },
	{ "CARRY4", 6, 0 }, { "CARRY8", 6, 0 },
};

int sim_synth_parse_stat(const char *log_text, struct sim_synth_stat *out, struct hn_err *err)
{
	const char *p, *table = NULL;

	memset(out, 0, sizeof(*out));
	for (p = log_text; (p = strstr(p, "Number of cells:")); p++)
		table = p;
	if (!table)
		return hn_fail(err, HN_EINVAL, "no 'Number of cells:' table in the Yosys log");
	out->cells = strtoll(table + strlen("Number of cells:"), NULL, 10);
	p = strchr(table, '\n');
	/* the rows: "     NAME   COUNT", until an empty line or another section */
	while (p && *++p) {
		char name[64];
		long long n;
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[160];

		if (len >= sizeof(line))
			break;
		memcpy(line, p, len);
		line[len] = '\0';
		if (sscanf(line, " %63s %lld", name, &n) != 2)
			break;
		for (size_t i = 0; i < sizeof(cell_kinds) / sizeof(cell_kinds[0]); i++) {
			const struct cell_kind *k = &cell_kinds[i];
			if (strcmp(name, k->name))
				continue;
			switch (k->what) {
			case 0: out->dsp += n; break;
			case 1: out->ramb36 += n; break;
			case 2: out->ramb18 += n; break;
			case 3: out->lut_logic += n; break;
			case 4: out->lut_mem += n * k->luts; break;
			case 5: out->ff += n; break;
			default: out->carry += n; break;
			}
		}
		p = eol;
	}
	out->bram36_x2 = 2 * out->ramb36 + out->ramb18;
	out->lut = out->lut_logic + out->lut_mem;
	return 0;
}

/* ---- running Yosys ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


/* The Yosys script: every RTL file, the parameters on the top (hwnas_top, or hwnas_axi with
 * its bus parameters when axi_dw > 0), synth_xilinx flattened without I/O buffers (an
 * accelerator is a block inside a design), then stat. */
static void write_script(FILE *f, const struct sim_rtl_params *p, const char *family,
			 const struct sim_synth_options *opt, char srcs[][1024], int nsrc)
{
	const char *top = opt && opt->axi_dw > 0 ? "hwnas_axi" : "hwnas_top";

	if (opt && opt->bundle_dir) {
		/* an export bundle as it is: its files, its header, its wrapper as the top */
		/* the cache key (nsrc 0) does not depend on where the bundle lies: its files'
		 * names and texts key it (sim_fnv_files) */
		fprintf(f, "read_verilog -I%s", nsrc ? opt->bundle_dir : "BUNDLE");
		for (int i = 0; i < nsrc; i++)
			fprintf(f, " %s", srcs[i]);
		fprintf(f, "\nsynth_xilinx -family %s -top hwnas_accel -flatten -noiopad\nstat\n",
			family);
		(void)p;
		return;
	}
	fprintf(f, "read_verilog");
	for (int i = 0; i < nsrc; i++)
		fprintf(f, " %s", srcs[i]);
	fprintf(f, "\nchparam -set ROWS %d -set COLS %d -set DF %d -set A_BITS %d -set W_BITS %d "
		"-set ACC_BITS %d -set DBUF %d -set IDEPTH %lld -set WDEPTH %lld -set ODEPTH %lld "
		"-set INB %d -set WNB %d -set ONB %d -set PACK %d", p->rows, p->cols,
		p->df, p->a_bits, p->w_bits, p->acc_bits, p->dbuf, (long long)p->idepth,
		(long long)p->wdepth, (long long)p->odepth, p->inb, p->wnb, p->onb, p->pack);
	if (opt && opt->axi_dw > 0)
		fprintf(f, " -set AXI_DW %d -set MAXB %d -set MAXOUT %d", opt->axi_dw, opt->axi_maxb,
			opt->axi_maxout);
	fprintf(f, " %s\nsynth_xilinx -family %s -top %s -flatten -noiopad\nstat\n", top, family,
		top);
}

static int write_result(const char *path, const struct sim_synth_stat *s, double seconds,
			struct hn_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	fprintf(f, "hwnas-synth 1\ndsp %lld\nramb36 %lld\nramb18 %lld\nlut_logic %lld\n"
		"lut_mem %lld\nff %lld\ncarry %lld\ncells %lld\nseconds %.3f\n",
		(long long)s->dsp, (long long)s->ramb36, (long long)s->ramb18,
		(long long)s->lut_logic, (long long)s->lut_mem, (long long)s->ff,
		(long long)s->carry, (long long)s->cells, seconds);
	if (fclose(f))
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Reads a cached result; HN_EINVAL when it is not one (then it is synthesized again). */
static int read_result(const char *path, struct sim_synth_stat *s, double *seconds)
{
	char *text, *line, *save = NULL;
	size_t len;
	int seen = 0;

	if (hn_read_file(path, &text, &len, NULL))
		return HN_EIO;
	memset(s, 0, sizeof(*s));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[32];
		double v;
		if (sscanf(line, "%31s %lf", key, &v) != 2)
			continue;
		seen++;
		if (!strcmp(key, "dsp")) s->dsp = (int64_t)v;
		else if (!strcmp(key, "ramb36")) s->ramb36 = (int64_t)v;
		else if (!strcmp(key, "ramb18")) s->ramb18 = (int64_t)v;
		else if (!strcmp(key, "lut_logic")) s->lut_logic = (int64_t)v;
		else if (!strcmp(key, "lut_mem")) s->lut_mem = (int64_t)v;
		else if (!strcmp(key, "ff")) s->ff = (int64_t)v;
		else if (!strcmp(key, "carry")) s->carry = (int64_t)v;
		else if (!strcmp(key, "cells")) s->cells = (int64_t)v;
		else if (!strcmp(key, "seconds")) *seconds = v;
		else seen--;
	}
	free(text);
	if (seen < 9)
		return HN_EINVAL;
	s->bram36_x2 = 2 * s->ramb36 + s->ramb18;
	s->lut = s->lut_logic + s->lut_mem;
	return 0;
}

/* The last non-empty line of a log that names a problem, for the error message. */
static void log_error_line(const char *path, char *buf, size_t size)
{
	char *text, *p, *hit = NULL;
	size_t len;

	buf[0] = '\0';
	if (hn_read_file(path, &text, &len, NULL))
		return;
	for (p = text; (p = strstr(p, "ERROR")); p++)
		hit = p;
	if (hit) {
		char *eol = strchr(hit, '\n');
		if (eol)
			*eol = '\0';
		hn_strlcpy(buf, hit, size);
	}
	free(text);
}

/* The files of an export bundle: dir/rtl_files.txt, one path per line relative to dir, plus
 * the header it includes (hashed, not read by Yosys directly). */
static int bundle_files(const char *dir, char paths[][1024], int max, int *n,
			struct hn_err *err)
{
	char list[1100], *text, *line, *save = NULL;
	size_t len;
	int ret;

	*n = 0;
	snprintf(list, sizeof(list), "%.1000s/rtl_files.txt", dir);
	if ((ret = hn_read_file(list, &text, &len, err)))
		return ret;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!line[0])
			continue;
		if (*n >= max - 1) {
			free(text);
			return hn_fail(err, HN_EINVAL, "%s: more than %d files", list, max - 1);
		}
		snprintf(paths[(*n)++], 1024, "%.500s/%.500s", dir, line);
	}
	free(text);
	if (*n == 0)
		return hn_fail(err, HN_EINVAL, "%s: no files listed", list);
	/* the header goes into the cache key through sim_fnv_files, and not to read_verilog:
	 * the caller passes nsrc - 1 files to the script */
	snprintf(paths[(*n)++], 1024, "%.1000s/hwnas_params.vh", dir);
	return 0;
}

int sim_synth_run(const struct hw_config *hw, const struct sim_synth_options *opt,
		  struct sim_synth_result *out, struct hn_err *err)
{
	static unsigned counter;
	char srcs[MAX_SOURCES][1024], cache[1024], tmp_dir[1100], script[1200], tmp_log[1200];
	char tmp_res[1200], why[300], pstr[300];
	const char *srcdir = sim_src_dir(opt ? opt->srcdir : NULL), *family, *yosys;
	const char *env_yosys = getenv("HWNAS_YOSYS");
	struct sim_options so;
	uint64_t h = 1469598103934665603ULL;
	int nsrc = 0, ret, status, timed_out;
	double t0, timeout = opt && opt->timeout_s > 0 ? opt->timeout_s : 1800.0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	if ((ret = sim_check_rtl(hw, err)))
		return ret;
	if (!srcdir)
		return hn_fail(err, HN_EINVAL, "RTL sources: set HWNAS_SRCDIR to the hwnas tree");
	yosys = opt && opt->yosys && opt->yosys[0] ? opt->yosys
		: env_yosys && env_yosys[0] ? env_yosys : "yosys";
	sim_synth_params_from_hw(hw, &out->params);
	family = sim_synth_family(hw);
	{
		const struct sim_rtl_params *p = &out->params;
		snprintf(pstr, sizeof(pstr), "%dx%d df %d, %d/%d/%d bits, depths %lld/%lld/%lld, "
			 "beats %d/%d/%d, %s", p->rows, p->cols, p->df, p->a_bits, p->w_bits,
			 p->acc_bits, (long long)p->idepth, (long long)p->wdepth,
			 (long long)p->odepth, p->inb, p->wnb, p->onb, family);
	}
	hn_strlcpy(out->family, family, sizeof(out->family));
	sim_options_init(&so);
	so.cache_dir = opt ? opt->cache_dir : NULL;
	if ((ret = sim_cache_dir(&so, cache, sizeof(cache), err)))
		return ret;
	if (opt && opt->bundle_dir) {
		if ((ret = bundle_files(opt->bundle_dir, srcs, MAX_SOURCES, &nsrc, err)))
			return ret;
	} else if ((ret = sim_list_rtl(srcdir, srcs, MAX_SOURCES, &nsrc, err))) {
		return ret;
	}

	/* the key: the script text (parameters, family, flow) and every source's name and text */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&text, &len);
		if (!mf)
			return hn_fail(err, HN_ENOMEM, "out of memory");
		write_script(mf, &out->params, family, opt, srcs, 0);
		fclose(mf);
		h = sim_fnv(h, text, len);
		free(text);
	}
	if ((ret = sim_fnv_files(&h, srcs, nsrc, err)))
		return ret;
	snprintf(out->result_path, sizeof(out->result_path), "%.990s/synth-%016llx.stat", cache,
		 (unsigned long long)h);
	snprintf(out->log_path, sizeof(out->log_path), "%.990s/synth-%016llx.log", cache,
		 (unsigned long long)h);
	if (!(opt && opt->no_cache) &&
	    read_result(out->result_path, &out->stat, &out->seconds) == 0) {
		out->cached = 1;
		return 0;
	}

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/.synth-%016llx-%d-%u", cache, (unsigned long long)h,
		 (int)getpid(), counter++);
	if (mkdir(tmp_dir, 0777))
		return hn_fail(err, HN_EIO, "cannot create %s: %s", tmp_dir, strerror(errno));
	snprintf(script, sizeof(script), "%s/synth.ys", tmp_dir);
	snprintf(tmp_log, sizeof(tmp_log), "%s/synth.log", tmp_dir);
	snprintf(tmp_res, sizeof(tmp_res), "%s/synth.stat", tmp_dir);
	if (!(f = fopen(script, "w"))) {
		ret = hn_fail(err, HN_EIO, "cannot write %s: %s", script, strerror(errno));
		goto out_remove;
	}
	write_script(f, &out->params, family, opt, srcs,
		     opt && opt->bundle_dir ? nsrc - 1 : nsrc);
	fclose(f);

	{
		char *argv[] = { (char *)yosys, "-q", "-l", tmp_log, script, NULL };
		sim_note_build_start(opt ? opt->on_build : NULL, opt ? opt->build_ctx : NULL, cache,
				     "yosys", pstr);
		t0 = now_s();
		ret = sim_spawn(argv, tmp_log, timeout, &status, &timed_out, err);
		out->seconds = now_s() - t0;
		if (ret == 0 && !timed_out && status == 0)
			sim_note_build_done(cache, "yosys", out->seconds);
	}
	if (ret)
		goto out_remove;
	if (timed_out || status != 0) {
		log_error_line(tmp_log, why, sizeof(why));
		rename(tmp_log, out->log_path);
		if (timed_out)
			ret = hn_fail(err, HN_EEXTERNAL, "yosys synthesis of the RTL (%s) timed out "
				      "after %.0f s; log: %s", pstr, timeout, out->log_path);
		else
			ret = hn_fail(err, HN_EEXTERNAL, "yosys synthesis of the RTL failed (exit "
				      "%d)%s%s; log: %s", status, why[0] ? ": " : "", why,
				      out->log_path);
		goto out_remove;
	}
	{
		char *text;
		size_t len;
		if ((ret = hn_read_file(tmp_log, &text, &len, err)))
			goto out_remove;
		ret = sim_synth_parse_stat(text, &out->stat, err);
		free(text);
		rename(tmp_log, out->log_path);
		if (ret) {
			ret = hn_fail(err, HN_EEXTERNAL, "yosys synthesis of the RTL: no cell "
				      "statistics in its log %s", out->log_path);
			goto out_remove;
		}
	}
	if ((ret = write_result(tmp_res, &out->stat, out->seconds, err)))
		goto out_remove;
	if (rename(tmp_res, out->result_path))
		ret = hn_fail(err, HN_EIO, "cannot rename %s to %s: %s", tmp_res, out->result_path,
			      strerror(errno));
out_remove:
	sim_rmtree(tmp_dir);
	return ret;
}
