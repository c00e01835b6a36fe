/* sim.c: one simulated layer: parameters, build, program, run, compare. */
#include "sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sim_options_init(struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->build_timeout_s = 0; /* sim_build's: 900 s and 0.1 s per PE */
	o->run_timeout_s = 600.0;
	o->seed = 1;
}

void sim_rtl_params_from_hw(const struct hw_config *hw, struct sim_rtl_params *p)
{
	const int64_t d = hw->double_buffer ? 2 : 1;
	int32_t nb[3];

	memset(p, 0, sizeof(*p));
	p->rows = hw->pe_rows;
	p->cols = hw->pe_cols;
	p->df = (int32_t)hw->dataflow;
	p->a_bits = hw->act_bits;
	p->w_bits = hw->weight_bits;
	p->acc_bits = hw->acc_bits;
	p->dbuf = hw->double_buffer ? 1 : 0;
	p->pack = (int32_t)hw->mac_packing;
	p->ostage = 1;
	/* A beat carries at least bw bytes of full words (docs/rtl.md "DMA"); tiles whose rows
	 * leave words part-empty may take longer than t(b), and the model times requests with
	 * the same line widths (cost_dma_request_cycles, the bus floor). */
	cost_dma_words_per_line(hw, nb);
	p->inb = nb[0];
	p->wnb = nb[1];
	p->onb = nb[2];
	/* One word per element of capacity: the worst case (a tile one element wide). */
	p->idepth = hn_cdiv(hn_max64(hw->ibuf_bytes / d / hw_act_bytes(hw), 1), p->inb) * p->inb;
	p->wdepth = hn_cdiv(hn_max64(hw->wbuf_bytes / d / hw_weight_bytes(hw), 1), p->wnb) * p->wnb;
	p->odepth = hn_cdiv(hn_max64(hw->obuf_bytes / d / hw_acc_bytes(hw), 1), p->onb) * p->onb;
}

int sim_check_rtl(const struct hw_config *hw, struct hn_err *err)
{
	int hi = hw->act_bits > hw->weight_bits ? hw->act_bits : hw->weight_bits;

	if (hw->act_bits < 2 || hw->act_bits > 32 || hw->weight_bits < 2 || hw->weight_bits > 32)
		return hn_fail(err, HN_EINVAL, "sim: act_bits and weight_bits must be 2..32, got %d "
			       "and %d", hw->act_bits, hw->weight_bits);
	if (hw->acc_bits <= hi || hw->acc_bits > 64)
		return hn_fail(err, HN_EINVAL, "sim: acc_bits must be in (%d, 64], got %d", hi,
			       hw->acc_bits);
	if (hw->pe_rows < 1 || hw->pe_cols < 1 || hw->pe_rows > SIM_MAX_PES ||
	    hw->pe_cols > SIM_MAX_PES) {
		int rows_bad = hw->pe_rows < 1 || hw->pe_rows > SIM_MAX_PES;
		return hn_fail(err, HN_EINVAL, "sim: the array must be 1..%d x 1..%d, got %d x %d "
			       "('%s' %d is %s %d; docs/rtl.md \"Parameters\")", SIM_MAX_PES,
			       SIM_MAX_PES, hw->pe_rows, hw->pe_cols,
			       rows_bad ? "pe_rows" : "pe_cols",
			       rows_bad ? hw->pe_rows : hw->pe_cols,
			       (rows_bad ? hw->pe_rows : hw->pe_cols) < 1 ? "below" : "above",
			       (rows_bad ? hw->pe_rows : hw->pe_cols) < 1 ? 1 : SIM_MAX_PES);
	}
	return 0;
}

int sim_check_hw(const struct hw_config *hw, struct hn_err *err)
{
	int ret = sim_check_rtl(hw, err);

	if (ret)
		return ret;
	{
		/* The verilated scratchpads hold one word per element of capacity: a config's
		 * buffers can ask for more memory than a simulation can allocate. */
		struct sim_rtl_params p;
		int64_t il, wl, b[3], bits;
		const int64_t mib = (int64_t)1 << 23; /* bits */
		sim_rtl_params_from_hw(hw, &p);
		il = p.df == HW_IS ? p.cols : p.rows;
		wl = p.df == HW_IS ? p.rows : p.cols;
		b[0] = (p.dbuf ? 2 : 1) * p.idepth * il * p.a_bits;
		b[1] = (p.dbuf ? 2 : 1) * p.wdepth * wl * p.w_bits;
		b[2] = (p.dbuf ? 2 : 1) * p.odepth * p.cols * p.acc_bits;
		bits = b[0] + b[1] + b[2];
		if (bits > SIM_MAX_BUFFER_BITS)
			return hn_fail(err, HN_EINVAL, "sim: the buffers would take %lld MiB of "
				       "simulated memory (ibuf_bytes %lld MiB, wbuf_bytes %lld MiB, "
				       "obuf_bytes %lld MiB: one word of the array's lanes per "
				       "element, both halves); at most %lld MiB (docs/rtl.md "
				       "\"Parameters\"): use smaller buffers",
				       (long long)hn_cdiv(bits, mib), (long long)hn_cdiv(b[0], mib),
				       (long long)hn_cdiv(b[1], mib), (long long)hn_cdiv(b[2], mib),
				       (long long)(SIM_MAX_BUFFER_BITS / mib));
	}
	return 0;
}

static int read_results(const char *path, struct sim_result *out, char *status, size_t ssize,
			int64_t *seg, int64_t nseg, struct hn_err *err)
{
	char *text, *line, *save = NULL;
	size_t len;
	int ret = hn_read_file(path, &text, &len, err);

	if (ret)
		return ret;
	status[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		long long v;
		if (!strncmp(line, "status ", 7))
			hn_strlcpy(status, line + 7, ssize);
		else if (!strncmp(line, "wall_s ", 7))
			out->sim_seconds = atof(line + 7);
		else if (!strncmp(line, "cpu_s ", 6))
			out->sim_cpu_seconds = atof(line + 6);
		else if (!strncmp(line, "segment ", 8)) {
			long long k, a, b;
			if (seg && sscanf(line, "segment %lld %lld %lld", &k, &a, &b) == 3 &&
			    k >= 0 && k < nseg)
				seg[k] = b - a + 1;
		} else if (sscanf(line, "%63s %lld", key, &v) == 2) {
			if (!strcmp(key, "cycles"))
				out->rtl_cycles = v;
			else if (!strcmp(key, "array_busy"))
				out->array_busy = v;
			else if (!strcmp(key, "dma_busy"))
				out->dma_busy = v;
			else if (!strcmp(key, "dma_requests"))
				out->dma_requests = v;
			else if (!strcmp(key, "dram_bytes"))
				out->dram_bytes = v;
			else if (!strcmp(key, "dma_bus_extra"))
				out->dma_bus_extra = v; /* beyond t(b); sim_layer subtracts the floors */
			else if (!strcmp(key, "sim_cycles"))
				out->sim_cycles = v;
		}
	}
	free(text);
	return 0;
}

/* The last line of a log, for error messages. */
static void log_tail(const char *path, char *buf, size_t size)
{
	char *text;
	size_t len;

	buf[0] = '\0';
	if (hn_read_file(path, &text, &len, NULL))
		return;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	char *nl = strrchr(text, '\n');
	hn_strlcpy(buf, nl ? nl + 1 : text, size);
	free(text);
}

int sim_program_cycles(const struct arch_layer *l, const struct hw_config *hw,
		       const struct map_tiling *m, int64_t *cycles, struct hn_err *err)
{
	struct sim_rtl_params rp;
	struct sim_prog prog;
	int ret;

	if ((ret = sim_check_hw(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	if ((ret = sim_prog_build(l, hw, m, &rp, 1, 0, &prog, err)))
		return ret;
	*cycles = sim_prog_makespan(&prog);
	sim_prog_release(&prog);
	if (*cycles < 0)
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory, or a program that "
			      "deadlocks", l->name);
	return ret;
}

int sim_prog_run(const char *what, const struct sim_prog *prog, const struct sim_rtl_params *rp,
		 const struct sim_options *opt, struct sim_result *out, int64_t *got,
		 struct hn_err *err)
{
	char dir[512], prog_path[600], mem_path[600], res_path[600], dump_path[600];
	char log_path[600], status[128], tail[200];
	const char *tmp = getenv("TMPDIR");
	int ret, st, timed_out, keep = 0;

	out->out_zp = prog->zp;
	out->out_lo = prog->lo;
	out->out_hi = prog->hi;
	out->serial_cycles = prog->serial_cycles;
	out->first_load_cycles = prog->first_load_cycles;
	out->last_store_cycles = prog->last_store_cycles;
	out->compute_cycles = prog->compute_cycles;
	out->macs = prog->macs;
	out->outputs = prog->nout;

	if ((ret = sim_build(rp, opt, out->model, sizeof(out->model), &out->built,
			     &out->build_seconds, err)))
		return ret;

	snprintf(dir, sizeof(dir), "%s/hwnas-sim-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return hn_fail(err, HN_EIO, "cannot create a run folder %s: %s", dir,
			       strerror(errno));
	snprintf(prog_path, sizeof(prog_path), "%s/program.txt", dir);
	snprintf(mem_path, sizeof(mem_path), "%s/memory.bin", dir);
	snprintf(res_path, sizeof(res_path), "%s/results.txt", dir);
	snprintf(dump_path, sizeof(dump_path), "%s/outputs.bin", dir);
	snprintf(log_path, sizeof(log_path), "%s/run.log", dir);
	if ((ret = sim_prog_write(prog, rp, prog_path, mem_path, err)))
		goto out_dir;
	{
		char *argv[] = { out->model, prog_path, res_path, dump_path, NULL, NULL, NULL };
		if (opt->vcd_path) {
			argv[4] = "--vcd";
			argv[5] = (char *)opt->vcd_path;
		}
		ret = sim_spawn(argv, log_path, opt->run_timeout_s > 0 ? opt->run_timeout_s : 600.0,
				&st, &timed_out, err);
	}
	if (ret)
		goto out_dir;
	if (timed_out) {
		ret = hn_fail(err, HN_EEXTERNAL, "%s: the simulation timed out after %g s "
			      "(raise --timeout)", what, opt->run_timeout_s);
		goto out_dir;
	}
	for (int64_t i = 0; prog->seg_cycles && i < prog->nseg; i++)
		prog->seg_cycles[i] = -1;
	if (read_results(res_path, out, status, sizeof(status), prog->seg_cycles, prog->nseg,
			 NULL) || st != 0 ||
	    strcmp(status, "ok")) {
		keep = 1;
		log_tail(log_path, tail, sizeof(tail));
		ret = hn_fail(err, HN_EEXTERNAL, "%s: the harness failed (exit %d, status "
			      "'%s'%s%s); log: %s", what, st, status[0] ? status : "none",
			      tail[0] ? ": " : "", tail, log_path);
		goto out_dir;
	}
	{
		FILE *f = fopen(dump_path, "rb");
		size_t n = 0;
		if (f) {
			n = fread(got, sizeof(int64_t), (size_t)prog->nout, f);
			fclose(f);
		}
		if (n != (size_t)prog->nout) {
			keep = 1;
			ret = hn_fail(err, HN_EEXTERNAL, "%s: the harness wrote no outputs; "
				      "files in %s", what, dir);
			goto out_dir;
		}
		for (int64_t i = 0; i < prog->nout; i++)
			out->mismatches += got[i] != prog->expect[i];
		out->bit_exact = out->mismatches == 0;
		/* the harness counts cycles beyond t(b); the line floors docs/model.md charges are
		 * not extra */
		out->dma_bus_extra -= prog->floor_cycles;
	}
out_dir:
	if (!keep && !opt->keep_files)
		sim_rmtree(dir);
	return ret;
}

int sim_layer(const struct arch_layer *l, const struct hw_config *hw,
	      const struct map_tiling *m, const struct sim_options *opt_in,
	      struct sim_result *out, struct hn_err *err)
{
	struct sim_options opt;
	struct sim_rtl_params rp;
	struct sim_prog prog;
	int64_t *got;
	int ret;

	if (opt_in)
		opt = *opt_in;
	else
		sim_options_init(&opt);
	memset(out, 0, sizeof(*out));
	if ((ret = sim_check_hw(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	rp.trace = opt.vcd_path != NULL;
	if ((ret = sim_prog_build(l, hw, m, &rp, opt.seed, opt.outq_full, &prog, err)))
		return ret;
	got = malloc((size_t)prog.nout * sizeof(int64_t));
	if (!got)
		ret = hn_fail(err, HN_ENOMEM, "layer '%s': out of memory for the outputs", l->name);
	else
	{
		char what[ARCH_NAME_MAX + 16];
		snprintf(what, sizeof(what), "layer '%s'", l->name);
		ret = sim_prog_run(what, &prog, &rp, &opt, out, got, err);
	}
	free(got);
	sim_prog_release(&prog);
	return ret;
}
