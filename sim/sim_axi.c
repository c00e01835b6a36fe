/* sim_axi.c: a tile program as the AXI top's DRAM (docs/deploy.md "Memory map"), the AXI
 * harness (sim/harness/harness_axi.cpp) built and run on it, and a layer checked through it.
 *
 * The image is what `hwnas compile` writes and what a host loads: the two command lists as
 * records (driver/hwnas_drv.h), then the layer's regions, each at a 4 KiB boundary, elements
 * little endian in their own width (act, weight, acc bytes) and the output stage's parameters
 * as 16-byte records. The harness reads it from byte 0, runs it through the C driver and
 * dumps the output region. */
#include "sim_int.h"
#include "../driver/hwnas_drv.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AXI_ALIGN 4096

void sim_axi_options_init(struct sim_axi_options *o)
{
	memset(o, 0, sizeof(*o));
	o->dw = 64;
	o->maxb = 16;
	o->maxout = 16;
	o->busy_start = -1;
}

static uint64_t align_up(uint64_t v) { return (v + AXI_ALIGN - 1) & ~(uint64_t)(AXI_ALIGN - 1); }

/* Bytes of an element of `bits` bits in DRAM; 0 when the AXI master cannot move it (it
 * unpacks 1, 2, 4 or 8-byte elements). */
static int elem_bytes(int bits)
{
	int b = (bits + 7) / 8;
	return b == 1 || b == 2 || b == 4 || b == 8 ? b : 0;
}

static void put_elem(uint8_t *at, int64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		at[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

static int64_t get_elem(const uint8_t *at, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)at[i] << (8 * i);
	if (bytes < 8 && (v >> (8 * bytes - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * bytes);
	return (int64_t)v;
}

int sim_axi_is_vector(const struct sim_prog *p)
{
	return p->ndma == 1 && p->dma[0].vop != 0;
}

int sim_axi_check(const struct sim_rtl_params *rp, struct hn_err *err)
{
	if (!elem_bytes(rp->a_bits) || !elem_bytes(rp->w_bits) || !elem_bytes(rp->acc_bits))
		return hn_fail(err, HN_EINVAL, "the AXI top moves elements of 1, 2, 4 or 8 bytes: "
			       "act_bits %d, weight_bits %d, acc_bits %d do not all fit one",
			       rp->a_bits, rp->w_bits, rp->acc_bits);
	if (!rp->ostage)
		return hn_fail(err, HN_EINVAL, "the AXI top runs version-2 programs (the output "
			       "stage)");
	return 0;
}

int sim_axi_place(const struct sim_prog *p, const struct sim_rtl_params *rp, uint64_t at,
		  struct sim_axi_map *map, struct hn_err *err)
{
	struct sim_axi_map m;
	int ret;

	if ((ret = sim_axi_check(rp, err)))
		return ret;
	memset(&m, 0, sizeof(m));
	m.ab = elem_bytes(rp->a_bits);
	m.wb = elem_bytes(rp->w_bits);
	m.cb = elem_bytes(rp->acc_bits);
	m.ndq = p->ndma;
	m.ncq = p->ncmp;
	if (sim_axi_is_vector(p)) {
		/* a vector request: its inputs and output in one act region, A */
		m.dq = at;
		m.cq = align_up(m.dq + (uint64_t)m.ndq * HND_DMA_RECORD);
		m.a = align_up(m.cq + (uint64_t)m.ncq * HND_CMP_RECORD);
		m.na = p->nmem;
		m.c = m.a + (uint64_t)p->out_base * (uint64_t)m.ab;
		m.nc = p->nout;
		m.b = m.p = m.q = m.end = align_up(m.a + (uint64_t)m.na * (uint64_t)m.ab);
		goto out_check;
	}
	m.na = p->bbase - p->abase;
	m.nb = p->cbase - p->bbase;
	m.nc = p->pbase - p->cbase;
	m.np = p->qbase - p->pbase;
	m.nq = (p->nmem - p->qbase) / 3;
	m.dq = at;
	m.cq = align_up(m.dq + (uint64_t)m.ndq * HND_DMA_RECORD);
	m.a = align_up(m.cq + (uint64_t)m.ncq * HND_CMP_RECORD);
	m.b = align_up(m.a + (uint64_t)m.na * (uint64_t)m.ab);
	m.c = align_up(m.b + (uint64_t)m.nb * (uint64_t)m.wb);
	m.p = align_up(m.c + (uint64_t)m.nc * (uint64_t)m.ab);
	m.q = align_up(m.p + (uint64_t)m.np * (uint64_t)m.cb);
	m.end = align_up(m.q + (uint64_t)m.nq * HND_PARAM_RECORD);
out_check:
	if (m.end >= ((uint64_t)1 << 32))
		return hn_fail(err, HN_EINVAL, "the layer's DRAM image (%llu bytes from %llu) does "
			       "not fit the AXI top's 32-bit addresses",
			       (unsigned long long)(m.end - at), (unsigned long long)at);
	*map = m;
	return 0;
}

void sim_axi_fill(const struct sim_prog *p, const struct sim_axi_map *mp, uint8_t *img,
		  uint64_t img_at)
{
	const struct sim_axi_map m = *mp;

	for (int64_t i = 0; i < m.na; i++)
		put_elem(img + (m.a - img_at) + (uint64_t)i * (uint64_t)m.ab, p->mem[p->abase + i],
			 m.ab);
	for (int64_t i = 0; i < m.nb; i++)
		put_elem(img + (m.b - img_at) + (uint64_t)i * (uint64_t)m.wb, p->mem[p->bbase + i],
			 m.wb);
	for (int64_t i = 0; i < m.nq; i++) {
		const int64_t *q = p->mem + p->qbase + 3 * i;
		hnd_pack_params(q[0], (uint32_t)q[1], (uint32_t)q[2],
				img + (m.q - img_at) + (uint64_t)i * HND_PARAM_RECORD);
	}
	for (int64_t k = 0; k < p->ndma && sim_axi_is_vector(p); k++) {
		/* a vector request: element addresses in A become byte addresses */
		const struct sim_dma *d = &p->dma[k];
		const uint64_t ab = (uint64_t)m.ab;
		struct hnd_dma r = {
			.op = (uint32_t)d->op, .final = (uint32_t)d->final,
			.base = (uint32_t)(m.a + (uint64_t)d->base * ab),
			.rows = (uint32_t)d->rows, .cols = (uint32_t)d->cols,
			.stride = (uint32_t)((uint64_t)d->stride * ab),
			.words = (uint32_t)d->words, .wait = (uint32_t)d->wait,
			.zp = (uint32_t)d->zp, .lo = (uint32_t)d->lo, .hi = (uint32_t)d->hi,
			.vop = (uint32_t)d->vop, .vg = (uint32_t)d->vg,
			.vbase2 = (uint32_t)(m.a + (uint64_t)d->vbase2 * ab),
			.vout = (uint32_t)(m.a + (uint64_t)d->vout * ab),
			.vzp1 = (uint32_t)d->vzp1, .vzp2 = (uint32_t)d->vzp2, .vm1 = (uint32_t)d->vm1,
			.vm2 = (uint32_t)d->vm2, .vmo = (uint32_t)d->vmo, .vsh = (uint32_t)d->vsh };
		for (int w = 0; w < HND_WIN_WORDS; w++)
			r.win[w] = (uint32_t)d->win[w];
		hnd_pack_dma(&r, img + (m.dq - img_at) + (uint64_t)k * HND_DMA_RECORD);
	}
	for (int64_t k = 0; k < p->ndma && !sim_axi_is_vector(p); k++) {
		const struct sim_dma *d = &p->dma[k];
		uint64_t rb;   /* region byte address, its first element, element bytes */
		int64_t r0;
		int eb;
		if (d->op == 0) {
			rb = m.a; r0 = p->abase; eb = m.ab;
		} else if (d->op == 1) {
			rb = m.b; r0 = p->bbase; eb = m.wb;
		} else if (d->op == 3 && d->final) {
			rb = m.c; r0 = p->cbase; eb = m.ab;
		} else {
			rb = m.p; r0 = p->pbase; eb = m.cb;
		}
		assert(d->base >= r0 && d->vop == 0);
		struct hnd_dma r = {
			.op = (uint32_t)d->op, .half = (uint32_t)d->half, .layout = (uint32_t)d->layout,
			.final = (uint32_t)d->final, .shift = (uint32_t)d->shift,
			.base = (uint32_t)(rb + (uint64_t)(d->base - r0) * (uint64_t)eb),
			.rows = (uint32_t)d->rows, .cols = (uint32_t)d->cols,
			.stride = (uint32_t)((uint64_t)d->stride * (uint64_t)eb),
			.words = (uint32_t)d->words, .wait = (uint32_t)d->wait,
			.zp = (uint32_t)d->zp, .lo = (uint32_t)d->lo, .hi = (uint32_t)d->hi,
			.obase = (uint32_t)d->obase, .ostride = (uint32_t)d->ostride,
			.ocols = (uint32_t)d->ocols, .qwords = (uint32_t)d->qwords };
		if (d->op == 3 && d->final)
			r.qbase = (uint32_t)(m.q + (uint64_t)((d->qbase - p->qbase) / 3) *
					     HND_PARAM_RECORD);
		/* a conv's A load walked over the NHWC input (docs/rtl.md "Window addressing") */
		for (int w = 0; w < HND_WIN_WORDS; w++)
			r.win[w] = (uint32_t)d->win[w];
		hnd_pack_dma(&r, img + (m.dq - img_at) + (uint64_t)k * HND_DMA_RECORD);
	}
	for (int64_t k = 0; k < p->ncmp; k++) {
		const struct sim_cmp *c = &p->cmp[k];
		struct hnd_cmp r = { (uint32_t)c->ah, (uint32_t)c->bh, (uint32_t)c->ch,
				     (uint32_t)c->init, (uint32_t)c->tm, (uint32_t)c->tn,
				     (uint32_t)c->tk, (uint32_t)c->nout, (uint32_t)c->nin,
				     (uint32_t)c->wait };
		hnd_pack_cmp(&r, img + (m.cq - img_at) + (uint64_t)k * HND_CMP_RECORD);
	}
}

int sim_axi_image(const struct sim_prog *p, const struct sim_rtl_params *rp, uint64_t at,
		  uint8_t **image, struct sim_axi_map *map, struct hn_err *err)
{
	int ret;

	*image = NULL;
	if ((ret = sim_axi_place(p, rp, at, map, err)))
		return ret;
	*image = calloc((size_t)(map->end - at), 1);
	if (!*image)
		return hn_fail(err, HN_ENOMEM, "out of memory for a %llu-byte image",
			       (unsigned long long)(map->end - at));
	sim_axi_fill(p, map, *image, at);
	return 0;
}

int64_t sim_axi_elem(const uint8_t *at, int bytes)
{
	return get_elem(at, bytes);
}

int sim_axi_build(const struct sim_rtl_params *p, const struct sim_axi_options *ao,
		  const struct sim_options *opt, char *exe, size_t size, int *built,
		  struct hn_err *err)
{
	char srcs[40][1024], cache[1024], gs[700], defs[400], dir[1200], tmp[1300], log[1400];
	char failed[1400], obj[1400], out[1400], cflags[700];
	const char *src = sim_src_dir(opt ? opt->srcdir : NULL);
	uint64_t h = 1469598103934665603ULL;
	int nv = 0, ret, st, timed_out;
	static unsigned counter;
	struct stat sb;

	*built = 0;
	if (!src)
		return hn_fail(err, HN_EINVAL, "RTL sources: set HWNAS_SRCDIR to the hwnas tree");
	if ((ret = sim_cache_dir(opt, cache, sizeof(cache), err)))
		return ret;
	if ((ret = sim_list_rtl(src, srcs, 34, &nv, err)))
		return ret;
	snprintf(srcs[nv++], 1024, "%s/sim/harness/harness_axi.cpp", src);
	snprintf(srcs[nv++], 1024, "%s/driver/hwnas_drv.c", src);
	snprintf(srcs[nv++], 1024, "%s/driver/hwnas_drv.h", src);
	snprintf(gs, sizeof(gs), "-GROWS=%d -GCOLS=%d -GDF=%d -GA_BITS=%d -GW_BITS=%d "
		 "-GACC_BITS=%d -GPACK=%d -GDBUF=%d -GIDEPTH=%lld -GWDEPTH=%lld -GODEPTH=%lld "
		 "-GINB=%d -GWNB=%d -GONB=%d -GAXI_DW=%d -GMAXB=%d -GMAXOUT=%d", p->rows, p->cols,
		 p->df, p->a_bits, p->w_bits, p->acc_bits, p->pack, p->dbuf, (long long)p->idepth,
		 (long long)p->wdepth, (long long)p->odepth, p->inb, p->wnb, p->onb, ao->dw,
		 ao->maxb, ao->maxout);
	snprintf(defs, sizeof(defs), "-DHW_ROWS=%d -DHW_COLS=%d -DHW_AXI_DW=%d -DHW_MAXB=%d",
		 p->rows, p->cols, ao->dw, ao->maxb);
	h = sim_fnv(h, gs, strlen(gs));
	h = sim_fnv(h, defs, strlen(defs));
	if ((ret = sim_fnv_files(&h, srcs, nv, err)))
		return ret;
	snprintf(dir, sizeof(dir), "%s/axi-%016llx", cache, (unsigned long long)h);
	snprintf(exe, size, "%s/harness_axi", dir);
	if (stat(exe, &sb) == 0 && (sb.st_mode & S_IXUSR))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-axi-%016llx-%d-%u", cache, (unsigned long long)h,
		 (int)getpid(), counter++);
	if (mkdir(tmp, 0777))
		return hn_fail(err, HN_EIO, "cannot create %s: %s", tmp, strerror(errno));
	snprintf(log, sizeof(log), "%s/build.log", tmp);
	snprintf(obj, sizeof(obj), "%s/obj", tmp);
	snprintf(out, sizeof(out), "%s/harness_axi", tmp);
	snprintf(cflags, sizeof(cflags), "-O2 %s -I%s/driver", defs, src);

	/* argv: verilator, its flags, the -G overrides (split), the sources */
	char *argv[120], gcopy[700];
	int a = 0;
	argv[a++] = "verilator";
	argv[a++] = "--cc";
	argv[a++] = "--exe";
	argv[a++] = "--build";
	argv[a++] = "-j";
	argv[a++] = "2";
	argv[a++] = "-O2";
	argv[a++] = "--x-assign";
	argv[a++] = "fast";
	argv[a++] = "--x-initial";
	argv[a++] = "fast";
	argv[a++] = "-Wno-fatal";
	argv[a++] = "-Wno-lint";
	argv[a++] = "-Wno-style";
	argv[a++] = "--top-module";
	argv[a++] = "hwnas_axi";
	snprintf(gcopy, sizeof(gcopy), "%s", gs);
	for (char *t = strtok(gcopy, " "); t; t = strtok(NULL, " "))
		argv[a++] = t;
	argv[a++] = "-CFLAGS";
	argv[a++] = cflags;
	argv[a++] = "-Mdir";
	argv[a++] = obj;
	argv[a++] = "-o";
	argv[a++] = out;
	for (int i = 0; i < nv; i++) {
		size_t len = strlen(srcs[i]);
		if (len > 2 && !strcmp(srcs[i] + len - 2, ".h"))
			continue;
		argv[a++] = srcs[i];
	}
	argv[a] = NULL;
	sim_note_build_start(opt ? opt->on_build : NULL, opt ? opt->build_ctx : NULL, cache,
			     "verilator", gs);
	ret = sim_spawn(argv, log, opt && opt->build_timeout_s > 0 ? opt->build_timeout_s : 900.0,
			&st, &timed_out, err);
	if (ret)
		goto out_remove;
	if (timed_out || st != 0 || stat(out, &sb) != 0) {
		snprintf(failed, sizeof(failed), "%s/axi-%016llx.build-failed.log", cache,
			 (unsigned long long)h);
		rename(log, failed);
		ret = hn_fail(err, HN_EEXTERNAL, "verilator build of the AXI top (%s) %s; log: %s",
			      gs, timed_out ? "timed out" : "failed", failed);
		goto out_remove;
	}
	sim_rmtree(obj);
	if (rename(tmp, dir) == 0) {
		*built = 1;
		return 0;
	}
	if (stat(exe, &sb) == 0)
		goto out_remove;
	ret = hn_fail(err, HN_EIO, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
out_remove:
	sim_rmtree(tmp);
	return ret;
}

int sim_axi_run(const char *exe, const char *image_path, const struct sim_axi_map *map,
		const struct sim_axi_options *ao, double bw, int64_t latency, int64_t max_cycles,
		const char *dir, struct sim_axi_result *out, struct hn_err *err)
{
	char res[1200], dump[1200], log[1200], a_dq[64], a_dqn[32], a_cq[64], a_cqn[32];
	char a_d[64], a_dn[32], a_bw[40], a_lat[32], a_max[32], a_seed[32], a_stall[40];
	char a_er[32], a_eb[32], a_bs[32], a_we[8];
	char line[256];
	int st, timed_out, ret;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(res, sizeof(res), "%s/axi-results.txt", dir);
	snprintf(dump, sizeof(dump), "%s/axi-outputs.bin", dir);
	snprintf(log, sizeof(log), "%s/axi-run.log", dir);
	snprintf(a_dq, sizeof(a_dq), "%llu", (unsigned long long)map->dq);
	snprintf(a_dqn, sizeof(a_dqn), "%lld", (long long)map->ndq);
	snprintf(a_cq, sizeof(a_cq), "%llu", (unsigned long long)map->cq);
	snprintf(a_cqn, sizeof(a_cqn), "%lld", (long long)map->ncq);
	snprintf(a_d, sizeof(a_d), "%llu", (unsigned long long)map->c);
	snprintf(a_dn, sizeof(a_dn), "%lld", (long long)map->nc * map->ab);
	snprintf(a_bw, sizeof(a_bw), "%.17g", bw);
	snprintf(a_lat, sizeof(a_lat), "%lld", (long long)latency);
	snprintf(a_max, sizeof(a_max), "%lld", (long long)max_cycles);
	snprintf(a_seed, sizeof(a_seed), "%llu", (unsigned long long)ao->seed);
	snprintf(a_stall, sizeof(a_stall), "%.17g", ao->stall);
	snprintf(a_er, sizeof(a_er), "%lld", (long long)ao->err_rbeat);
	snprintf(a_eb, sizeof(a_eb), "%lld", (long long)ao->err_bresp);
	snprintf(a_bs, sizeof(a_bs), "%lld", (long long)ao->busy_start);
	snprintf(a_we, sizeof(a_we), "%d", ao->w_early ? 1 : 0);
	char *argv[] = { (char *)exe, (char *)image_path, res, dump, "--dq", a_dq, a_dqn, "--cq",
			 a_cq, a_cqn, "--dump", a_d, a_dn, "--axi-bw", a_bw, "--axi-latency",
			 a_lat, "--max-cycles", a_max, "--seed", a_seed, "--stall", a_stall,
			 "--err-rbeat", a_er, "--err-bresp", a_eb, "--busy-start", a_bs,
			 "--w-early", a_we, NULL };
	if ((ret = sim_spawn(argv, log, 600.0, &st, &timed_out, err)))
		return ret;
	if (timed_out)
		return hn_fail(err, HN_EEXTERNAL, "the AXI harness timed out; log: %s", log);
	if (!(f = fopen(res, "r")))
		return hn_fail(err, HN_EEXTERNAL, "the AXI harness wrote no results (exit %d); "
			       "log: %s", st, log);
	while (fgets(line, sizeof(line), f)) {
		long long v;
		sscanf(line, "status %127[^\n]", out->status);
		if (sscanf(line, "cycles %lld", &v) == 1)
			out->cycles = v;
		if (sscanf(line, "rd_bytes %lld", &v) == 1)
			out->rd_bytes = v;
		if (sscanf(line, "wr_bytes %lld", &v) == 1)
			out->wr_bytes = v;
		if (sscanf(line, "axi_bursts %lld", &v) == 1)
			out->bursts = v;
		if (sscanf(line, "r_beats %lld", &v) == 1)
			out->r_beats = v;
		if (sscanf(line, "b_resps %lld", &v) == 1)
			out->b_resps = v;
		if (sscanf(line, "err_status %lld", &v) == 1)
			out->err_status = v;
		if (sscanf(line, "err_cycles %lld", &v) == 1)
			out->err_cycles = v;
		if (sscanf(line, "busy_start_status %lld", &v) == 1)
			out->busy_status = v;
		if (sscanf(line, "w_early_beats %lld", &v) == 1)
			out->w_early_beats = v;
	}
	fclose(f);
	if (st != 0 || strcmp(out->status, "ok"))
		return hn_fail(err, HN_EEXTERNAL, "the AXI harness failed (exit %d, status '%s'); "
			       "log: %s", st, out->status[0] ? out->status : "none", log);
	out->nout = map->nc;
	out->outputs = malloc((size_t)(map->nc > 0 ? map->nc : 1) * sizeof(int64_t));
	if (!out->outputs)
		return hn_fail(err, HN_ENOMEM, "out of memory for the outputs");
	{
		size_t n = (size_t)map->nc * (size_t)map->ab;
		uint8_t *buf = malloc(n ? n : 1);
		size_t got = 0;
		if (buf && (f = fopen(dump, "rb"))) {
			got = fread(buf, 1, n, f);
			fclose(f);
		}
		if (!buf || got != n) {
			free(buf);
			return hn_fail(err, HN_EEXTERNAL, "the AXI harness dumped %zu of %zu output "
				       "bytes; files in %s", got, n, dir);
		}
		for (int64_t i = 0; i < map->nc; i++)
			out->outputs[i] = get_elem(buf + (size_t)i * (size_t)map->ab, map->ab);
		free(buf);
	}
	return 0;
}

void sim_axi_result_release(struct sim_axi_result *r)
{
	free(r->outputs);
	r->outputs = NULL;
}

int sim_write_file(const char *path, const void *data, size_t n, struct hn_err *err)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	if (n && fwrite(data, 1, n, f) != n)
		ret = hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	if (fclose(f) && !ret)
		ret = hn_fail(err, HN_EIO, "cannot write %s: %s", path, strerror(errno));
	return ret;
}

int sim_layer_axi(const struct arch_layer *l, const struct hw_config *hw,
		  const struct map_tiling *m, const struct sim_options *opt_in,
		  const struct sim_axi_options *ao, struct sim_result *out,
		  struct sim_axi_result *axi, struct hn_err *err)
{
	struct sim_options opt;
	struct sim_rtl_params rp;
	struct sim_prog prog;
	struct sim_axi_map map;
	uint8_t *img = NULL;
	char dir[512], img_path[600];
	const char *tmp = getenv("TMPDIR");
	int ret, keep = 0;

	if (opt_in)
		opt = *opt_in;
	else
		sim_options_init(&opt);
	memset(out, 0, sizeof(*out));
	memset(axi, 0, sizeof(*axi));
	if ((ret = sim_check_hw(hw, err)))
		return ret;
	sim_rtl_params_from_hw(hw, &rp);
	if ((ret = sim_axi_check(&rp, err)))
		return ret;
	if ((ret = sim_prog_build_flags(l, hw, m, &rp, opt.seed, opt.outq_full,
					ao->no_win ? SIM_PROG_NO_WIN : 0, &prog, err)))
		return ret;
	out->serial_cycles = prog.serial_cycles;
	out->compute_cycles = prog.compute_cycles;
	out->macs = prog.macs;
	out->outputs = prog.nout;
	if ((ret = sim_axi_image(&prog, &rp, 0, &img, &map, err)))
		goto out_prog;
	if ((ret = sim_axi_build(&rp, ao, &opt, out->model, sizeof(out->model), &out->built,
				 err)))
		goto out_img;
	snprintf(dir, sizeof(dir), "%s/hwnas-axi-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		ret = hn_fail(err, HN_EIO, "cannot create a run folder %s: %s", dir, strerror(errno));
		goto out_img;
	}
	snprintf(img_path, sizeof(img_path), "%s/dram.bin", dir);
	if ((ret = sim_write_file(img_path, img, (size_t)map.end, err)))
		goto out_dir;
	if ((ret = sim_axi_run(out->model, img_path, &map, ao, prog.bw, prog.latency,
			       4 * prog.max_cycles + 100000, dir, axi, err))) {
		keep = 1;
		goto out_dir;
	}
	for (int64_t i = 0; i < prog.nout; i++)
		out->mismatches += axi->outputs[i] != prog.expect[i];
	out->bit_exact = out->mismatches == 0;
	out->rtl_cycles = axi->cycles;
	out->dram_bytes = axi->rd_bytes + axi->wr_bytes;
out_dir:
	if (!keep && !opt.keep_files)
		sim_rmtree(dir);
out_img:
	free(img);
out_prog:
	sim_prog_release(&prog);
	return ret;
}
