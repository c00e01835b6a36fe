/* hwnas_drv.h: host driver of the hwnas AXI top (rtl/hwnas_axi.v, docs/deploy.md).
 *
 * Plain C99, no dependency on the rest of hwnas. Register access goes through a struct
 * hnd_bus: a mapped register window (Linux UIO or /dev/mem, hnd_map_*), a bare-metal base
 * address (hnd_bus_mmio), or any other pair of functions (the Verilator harness passes its
 * AXI4-Lite model). The caller owns DRAM: it writes the command lists and data at physical
 * addresses the accelerator can reach and passes those addresses here. */
#ifndef HWNAS_DRV_H
#define HWNAS_DRV_H

#include <stddef.h>
#include <stdint.h>

/* register offsets (docs/deploy.md "Register map") */
enum {
	HND_CTRL = 0x00, HND_STATUS = 0x04, HND_DQ_ADDR = 0x08, HND_DQ_COUNT = 0x0c,
	HND_CQ_ADDR = 0x10, HND_CQ_COUNT = 0x14, HND_CYCLES = 0x18, HND_DMA_COUNT = 0x1c,
	HND_CMP_COUNT = 0x20, HND_ARRAY_BUSY = 0x24, HND_DMA_BUSY = 0x28, HND_RD_BYTES = 0x2c,
	HND_WR_BYTES = 0x30, HND_ID = 0x34, HND_PARAMS0 = 0x38, HND_PARAMS1 = 0x3c
};
#define HND_ID_VALUE 0x484e4133u   /* "HNA3": the version-3 records below */
#define HND_STATUS_BUSY 1u
#define HND_STATUS_DONE 2u
#define HND_STATUS_ERROR 4u

struct hnd_bus {
	uint32_t (*rd)(void *ctx, uint32_t off);
	void (*wr)(void *ctx, uint32_t off, uint32_t v);
	/* optional: block until the interrupt fires or timeout_ms passes; 0 on the interrupt,
	 * 1 on timeout, < 0 on error. NULL: hnd_wait polls STATUS. */
	int (*wait_irq)(void *ctx, int timeout_ms);
	void *ctx;
};

/* One DMA and one compute command (docs/deploy.md "Program format", version 3). A final store
 * (op 3, final 1) runs through the output stage: qbase is the byte address of its cols
 * parameter records (16 bytes each, hnd_pack_params, 16-byte aligned), zp / lo / hi the layer's
 * zero point and clamp (16-bit two's complement), obase / ostride / ocols the obuf walk,
 * qwords = ceil(cols / pe_cols). A vector request (op 3, vop 1 max pool, 2 average pool, 3
 * add; docs/rtl.md "Vector unit") has vg input words per output word, rows = (vg + 1) x
 * pixels, base the first input (a pool's NHWC input, or its window matrix without a window),
 * vbase2 an add's second input, vout the output (byte addresses), vzp1 .. vsh the add's
 * and the average's arithmetic, zp / lo / hi its output's. win: the window descriptor of a
 * conv's A load (mode 1) or a pool's input (mode 2), docs/rtl.md "Window addressing";
 * hnd_pack_dma adds the walk's start and strides the master needs. Other requests leave
 * those fields 0. */
#define HND_WIN_WORDS 9
struct hnd_dma {
	uint32_t op, half, layout, final, shift, base, rows, cols, stride, words, wait;
	uint32_t qbase, zp, lo, hi, obase, ostride, ocols, qwords;
	uint32_t vop, vg, vbase2, vout, vzp1, vzp2, vm1, vm2, vmo, vsh;
	uint32_t win[HND_WIN_WORDS];
};
struct hnd_cmp { uint32_t ahalf, bhalf, chalf, init, tm, tn, tk, nout, nin, wait; };

#define HND_DMA_RECORD 192     /* bytes of a DMA record (the DMA list is 64-byte aligned) */
#define HND_CMP_RECORD 32      /* bytes of a compute record (and its list's alignment) */
#define HND_PARAM_RECORD 16    /* bytes of one output channel's parameters */

/* The record of a command, into out (little endian). */
void hnd_pack_dma(const struct hnd_dma *d, uint8_t out[HND_DMA_RECORD]);
void hnd_pack_cmp(const struct hnd_cmp *c, uint8_t out[HND_CMP_RECORD]);
/* One output channel's parameter record: bias (int64, sign-extended from acc_bits),
 * multiplier (0 <= mult < 2^31), shift (0..63), 3 bytes of zeros. */
void hnd_pack_params(int64_t bias, uint32_t mult, uint32_t shift,
		     uint8_t out[HND_PARAM_RECORD]);

/* Counters of a finished run. */
struct hnd_counters {
	uint32_t status, cycles, dma_count, cmp_count, array_busy, dma_busy, rd_bytes, wr_bytes;
};

/* Checks the ID register; 0 or -1 (no hwnas top at this address). */
int hnd_probe(const struct hnd_bus *b, uint32_t *params0, uint32_t *params1);
/* Writes the lists' addresses (the DMA list 64-byte, the compute list 32-byte aligned) and
 * lengths, and starts (irq enabled when irq != 0). Returns 0, or -1 for a misaligned address
 * or a run still busy (the top ignores a start while busy, docs/deploy.md; refusing it here
 * tells the caller). */
int hnd_start(const struct hnd_bus *b, uint32_t dq_addr, uint32_t dq_count, uint32_t cq_addr,
	      uint32_t cq_count, int irq);
/* Waits for done (through wait_irq when given, else by polling STATUS up to max_polls times;
 * max_polls 0 waits forever). Reads the counters into *c. Returns 0 when done without error,
 * 1 when done with STATUS.error, 2 on timeout, < 0 when wait_irq failed. Clears done. */
int hnd_wait(const struct hnd_bus *b, long max_polls, struct hnd_counters *c);

/* Memory-mapped register windows. hnd_bus_mmio: bare metal, base is the slave's address.
 * hnd_map_uio: /dev/uioN (map 0, the interrupt through read() of the device).
 * hnd_map_devmem: /dev/mem at a physical base. Both fill *b and return 0, or -1 (errno set);
 * hnd_unmap releases what they mapped. */
void hnd_bus_mmio(struct hnd_bus *b, volatile void *base);
int hnd_map_uio(struct hnd_bus *b, const char *dev);
int hnd_map_devmem(struct hnd_bus *b, uint64_t phys_base);
void hnd_unmap(struct hnd_bus *b);

#endif
