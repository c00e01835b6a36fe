/* test_small_hw.h: the small RTL configs the simulation tests share (tests/test_sim.c,
 * test_axi.c, test_estim.c, test_validate.c), so their verilated models are built once and cached for all. */
#ifndef TEST_SMALL_HW_H
#define TEST_SMALL_HW_H

#include "../hw/hw.h"

/* rows x cols, df, bits-bit operands, an acc-bit accumulator, 2/2/4 KiB buffers (double
 * buffered or not), 1.6 GB/s (8 B/cycle at 200 MHz), 20 cycles of DRAM latency, no device. */
static inline struct hw_config small_hw(int rows, int cols, enum hw_dataflow df, int bits,
					int acc, int dbuf)
{
	struct hw_config hw = hw_config_default();

	hw.pe_rows = rows;
	hw.pe_cols = cols;
	hw.dataflow = df;
	hw.act_bits = hw.weight_bits = bits;
	hw.acc_bits = acc;
	hw.double_buffer = dbuf;
	hw.ibuf_bytes = hw.wbuf_bytes = 2048;
	hw.obuf_bytes = 4096;
	hw.dram_latency_cycles = 20;
	hw.dram_gbps = 1.6;
	hw.device[0] = '\0';
	return hw;
}

#endif
