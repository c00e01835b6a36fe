/* hwnas_drv.c: host driver of the hwnas AXI top (docs/deploy.md). See hwnas_drv.h. C99 that
 * also compiles as C++ (the Verilator harness builds it into the simulated host). */
#define _DEFAULT_SOURCE
#include "hwnas_drv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#define HND_WINDOW 0x1000

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The window walk's start and strides the AXI master steps from (words 32..46, docs/deploy.md
 * "Program format"), in elements: the host divides once per request so the master needs no
 * divider. Element (i, j) of a conv's A block is pixel m0 + i = (b, y, x) under tap
 * k0 + j = (r, s, c); a pool walks from pixel 0, tap 0. */
static void pack_walk(const struct hnd_dma *d, uint8_t *out)
{
	const int64_t H = d->win[1] & 0xffff, W = d->win[1] >> 16;
	const int64_t P = d->win[2] & 0xffff, Q = d->win[2] >> 16;
	const int64_t C = d->win[3] & 0xffff, Cg = d->win[3] >> 16;
	const int64_t S = d->win[4] & 0xff, sh = (d->win[4] >> 8) & 0xff;
	const int64_t sw = (d->win[4] >> 16) & 0xff, dh = d->win[5] & 0xff;
	const int64_t dw = (d->win[5] >> 8) & 0xff, ph = (d->win[5] >> 16) & 0xff;
	const int64_t pw = d->win[5] >> 24;
	const int64_t m0 = d->win[0] == 1 ? d->win[7] : 0, k0 = d->win[0] == 1 ? d->win[8] : 0;
	int64_t x0, y0, b0, c0, s0, r0, iy0, ix0, org;

	if (d->win[0] != 1 && d->win[0] != 2)
		return;
	if (P < 1 || Q < 1 || Cg < 1 || S < 1)
		return;   /* a malformed walk: the master reads garbage, it does not hang the bus */
	x0 = m0 % Q;
	y0 = m0 / Q % P;
	b0 = m0 / (P * Q);
	c0 = k0 % Cg;
	s0 = k0 / Cg % S;
	r0 = k0 / (Cg * S);
	iy0 = y0 * sh - ph;
	ix0 = x0 * sw - pw;
	org = ((b0 * H + iy0) * W + ix0) * C;
	put32(out + 33 * 4, (uint32_t)(sw * C));
	put32(out + 34 * 4, (uint32_t)(sh * W * C));
	put32(out + 35 * 4, (uint32_t)(H * W * C - (P - 1) * sh * W * C));
	put32(out + 36 * 4, (uint32_t)(dw * C));
	put32(out + 37 * 4, (uint32_t)(dh * W * C));
	put32(out + 38 * 4, (uint32_t)(x0 | y0 << 16));
	put32(out + 39 * 4, (uint32_t)org);
	put32(out + 40 * 4, (uint32_t)(org - x0 * sw * C));
	put32(out + 41 * 4, (uint32_t)iy0);
	put32(out + 42 * 4, (uint32_t)ix0);
	put32(out + 43 * 4, (uint32_t)(s0 | c0 << 16));
	put32(out + 44 * 4, (uint32_t)((r0 * dh * W + s0 * dw) * C));
	put32(out + 45 * 4, (uint32_t)(r0 * dh * W * C));
	put32(out + 46 * 4, (uint32_t)(r0 * dh | (s0 * dw) << 16));
}

void hnd_pack_dma(const struct hnd_dma *d, uint8_t out[HND_DMA_RECORD])
{
	memset(out, 0, HND_DMA_RECORD);
	put32(out, (d->op & 3) | (d->half & 1) << 2 | (d->layout & 1) << 3 | (d->final & 1) << 4 |
		   (d->vop & 3) << 5 | (uint32_t)(d->vop || d->win[0]) << 7 | (d->shift & 0xff) << 8 |
		   (d->zp & 0xffffu) << 16);
	put32(out + 4, d->base);
	put32(out + 8, d->rows);
	put32(out + 12, d->cols);
	put32(out + 16, d->stride);
	put32(out + 20, d->words);
	put32(out + 24, d->wait);
	put32(out + 28, (d->lo & 0xffffu) | (d->hi & 0xffffu) << 16);
	put32(out + 32, d->qbase);
	put32(out + 36, d->obase);
	put32(out + 40, d->ostride);
	put32(out + 44, d->ocols);
	put32(out + 48, d->qwords);
	put32(out + 52, d->vg);
	put32(out + 56, d->vbase2);
	put32(out + 60, d->vout);
	put32(out + 64, d->vzp1);
	put32(out + 68, d->vzp2);
	put32(out + 72, d->vm1);
	put32(out + 76, d->vm2);
	put32(out + 80, d->vmo);
	put32(out + 84, d->vsh);
	for (int i = 0; i < HND_WIN_WORDS; i++)
		put32(out + 88 + 4 * i, d->win[i]);
	/* a vector request's pixels: rows = (vg + 1) x pixels */
	if (d->vop)
		put32(out + 32 * 4, (uint32_t)(d->rows / ((uint64_t)d->vg + 1)));
	pack_walk(d, out);
}

void hnd_pack_params(int64_t bias, uint32_t mult, uint32_t shift, uint8_t out[HND_PARAM_RECORD])
{
	uint64_t b = (uint64_t)bias;

	memset(out, 0, HND_PARAM_RECORD);
	put32(out, (uint32_t)b);
	put32(out + 4, (uint32_t)(b >> 32));
	put32(out + 8, mult);
	out[12] = (uint8_t)shift;
}

void hnd_pack_cmp(const struct hnd_cmp *c, uint8_t out[HND_CMP_RECORD])
{
	memset(out, 0, HND_CMP_RECORD);
	put32(out, (c->ahalf & 1) | (c->bhalf & 1) << 1 | (c->chalf & 1) << 2 | (c->init & 1) << 3);
	put32(out + 4, c->tm);
	put32(out + 8, c->tn);
	put32(out + 12, c->tk);
	put32(out + 16, c->nout);
	put32(out + 20, c->nin);
	put32(out + 24, c->wait);
}

int hnd_probe(const struct hnd_bus *b, uint32_t *params0, uint32_t *params1)
{
	if (b->rd(b->ctx, HND_ID) != HND_ID_VALUE)
		return -1;
	if (params0)
		*params0 = b->rd(b->ctx, HND_PARAMS0);
	if (params1)
		*params1 = b->rd(b->ctx, HND_PARAMS1);
	return 0;
}

int hnd_start(const struct hnd_bus *b, uint32_t dq_addr, uint32_t dq_count, uint32_t cq_addr,
	      uint32_t cq_count, int irq)
{
	/* never while busy: the top would ignore the start, and the list registers written
	 * first are the ones the running program is fetched with */
	if ((dq_addr & 63u) || (cq_addr & (HND_CMP_RECORD - 1)) ||
	    (b->rd(b->ctx, HND_STATUS) & HND_STATUS_BUSY))
		return -1;
	b->wr(b->ctx, HND_DQ_ADDR, dq_addr);
	b->wr(b->ctx, HND_DQ_COUNT, dq_count);
	b->wr(b->ctx, HND_CQ_ADDR, cq_addr);
	b->wr(b->ctx, HND_CQ_COUNT, cq_count);
	b->wr(b->ctx, HND_CTRL, 1u | (irq ? 2u : 0u));
	return 0;
}

int hnd_wait(const struct hnd_bus *b, long max_polls, struct hnd_counters *c)
{
	uint32_t st = 0;
	long n = 0;

	if (b->wait_irq) {
		int r = b->wait_irq(b->ctx, max_polls > 0 ? (int)max_polls : -1);
		if (r < 0)
			return r;
		st = b->rd(b->ctx, HND_STATUS);
	} else {
		while (!((st = b->rd(b->ctx, HND_STATUS)) & HND_STATUS_DONE))
			if (max_polls > 0 && ++n >= max_polls)
				break;
	}
	if (c) {
		c->status = st;
		c->cycles = b->rd(b->ctx, HND_CYCLES);
		c->dma_count = b->rd(b->ctx, HND_DMA_COUNT);
		c->cmp_count = b->rd(b->ctx, HND_CMP_COUNT);
		c->array_busy = b->rd(b->ctx, HND_ARRAY_BUSY);
		c->dma_busy = b->rd(b->ctx, HND_DMA_BUSY);
		c->rd_bytes = b->rd(b->ctx, HND_RD_BYTES);
		c->wr_bytes = b->rd(b->ctx, HND_WR_BYTES);
	}
	if (!(st & HND_STATUS_DONE))
		return 2;
	b->wr(b->ctx, HND_STATUS, HND_STATUS_DONE);
	return (st & HND_STATUS_ERROR) ? 1 : 0;
}

/* ---- memory-mapped windows ---- */
struct hnd_map { volatile uint32_t *regs; int fd; void *base; size_t len; };

static uint32_t mmio_rd(void *ctx, uint32_t off)
{
	return ((volatile uint32_t *)ctx)[off / 4];
}

static void mmio_wr(void *ctx, uint32_t off, uint32_t v)
{
	((volatile uint32_t *)ctx)[off / 4] = v;
}

void hnd_bus_mmio(struct hnd_bus *b, volatile void *base)
{
	b->rd = mmio_rd;
	b->wr = mmio_wr;
	b->wait_irq = NULL;
	b->ctx = (void *)base;
}

#ifdef __linux__
static uint32_t map_rd(void *ctx, uint32_t off)
{
	return ((struct hnd_map *)ctx)->regs[off / 4];
}

static void map_wr(void *ctx, uint32_t off, uint32_t v)
{
	((struct hnd_map *)ctx)->regs[off / 4] = v;
}

/* UIO: write 1 to re-enable the interrupt, then read() blocks until it fires */
static int uio_wait(void *ctx, int timeout_ms)
{
	struct hnd_map *m = (struct hnd_map *)ctx;
	uint32_t one = 1, count;
	struct pollfd p;
	int r;

	p.fd = m->fd;
	p.events = POLLIN;
	p.revents = 0;
	if (write(m->fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return -1;
	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -1;
	if (r == 0)
		return 1;
	return read(m->fd, &count, sizeof(count)) == (ssize_t)sizeof(count) ? 0 : -1;
}

static int map_common(struct hnd_bus *b, int fd, off_t off, int uio)
{
	struct hnd_map *m = (struct hnd_map *)calloc(1, sizeof(*m));
	long pg = sysconf(_SC_PAGESIZE);
	off_t aligned = off & ~(off_t)(pg - 1);
	size_t len = (size_t)(off - aligned) + HND_WINDOW;

	if (!m) {
		close(fd);
		return -1;
	}
	m->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, aligned);
	if (m->base == MAP_FAILED) {
		int e = errno;
		close(fd);
		free(m);
		errno = e;
		return -1;
	}
	m->len = len;
	m->fd = fd;
	m->regs = (volatile uint32_t *)((char *)m->base + (off - aligned));
	b->rd = map_rd;
	b->wr = map_wr;
	b->wait_irq = uio ? uio_wait : NULL;
	b->ctx = m;
	return 0;
}

int hnd_map_uio(struct hnd_bus *b, const char *dev)
{
	int fd = open(dev, O_RDWR | O_SYNC);
	return fd < 0 ? -1 : map_common(b, fd, 0, 1);
}

int hnd_map_devmem(struct hnd_bus *b, uint64_t phys_base)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	return fd < 0 ? -1 : map_common(b, fd, (off_t)phys_base, 0);
}

void hnd_unmap(struct hnd_bus *b)
{
	struct hnd_map *m = (struct hnd_map *)b->ctx;

	if (!m || b->rd != map_rd)
		return;
	munmap(m->base, m->len);
	close(m->fd);
	free(m);
	b->ctx = NULL;
}
#else
int hnd_map_uio(struct hnd_bus *b, const char *dev)
{
	(void)b;
	(void)dev;
	errno = ENOSYS;
	return -1;
}

int hnd_map_devmem(struct hnd_bus *b, uint64_t phys_base)
{
	(void)b;
	(void)phys_base;
	errno = ENOSYS;
	return -1;
}

void hnd_unmap(struct hnd_bus *b)
{
	(void)b;
}
#endif
