/* synth.h: Yosys synthesis of the RTL accelerator (rtl/) for a config, beside the resource
 * model (hw_resources, docs/resources.md). Part of sim/ (prefix sim_synth_): like the
 * Verilator models, a synthesis runs as a separate process with a timeout and its result is
 * cached per parameter set. docs/synthesis.md describes the flow and the measured figures.
 *
 * A failed or timed-out synthesis is an error (HN_EEXTERNAL, naming the log), never a crash. */
#ifndef SIM_SYNTH_H
#define SIM_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include "../common/hn.h"
#include "../hw/hw.h"
#include "sim.h"

/* The parameters a synthesis uses: those of sim_rtl_params_from_hw() (array, widths, DMA
 * beat words), but dense depths: a half holds capacity / word bits words (word = lanes x
 * element bits), rounded up to whole DMA lines, instead of one word per element. Pure. */
void sim_synth_params_from_hw(const struct hw_config *hw, struct sim_rtl_params *p);

/* Yosys synth_xilinx family of the config's device: "xcup" (zynqmp, alveo, and no device),
 * "xc7" (zynq7, virtex7). */
const char *sim_synth_family(const struct hw_config *hw);

/* Cell counts of one synthesis (the `stat` of the flattened hwnas_top). */
struct sim_synth_stat {
	int64_t dsp;            /* DSP48E2 / DSP48E1 */
	int64_t ramb36, ramb18; /* RAMB36E2/E1, RAMB18E2/E1 */
	int64_t bram36_x2;      /* BRAM36 in halves: 2 x ramb36 + ramb18 */
	int64_t lut_logic;      /* LUT1 .. LUT6 */
	int64_t lut_mem;        /* LUTs of LUTRAM and shift registers (RAM64M = 4, SRL16E = 1, ...) */
	int64_t lut;            /* lut_logic + lut_mem (what the model's LUT counts) */
	int64_t ff;             /* FDRE, FDSE, FDCE, FDPE, LDCE, LDPE */
	int64_t carry;          /* CARRY4 / CARRY8 (not in lut) */
	int64_t cells;          /* every cell */
};

struct sim_synth_options {
	const char *srcdir;    /* tree with rtl/; NULL: as sim_options.srcdir */
	const char *cache_dir; /* NULL: as sim_options.cache_dir */
	const char *yosys;     /* executable; NULL: $HWNAS_YOSYS, else "yosys" */
	double timeout_s;      /* 0: 1800 s */
	int no_cache;          /* 1: synthesize even when a cached result exists (and store it) */
};

void sim_synth_options_init(struct sim_synth_options *o);

struct sim_synth_result {
	struct sim_rtl_params params;
	char family[8];
	struct sim_synth_stat stat;
	double seconds;        /* wall time of the synthesis (the cached run's when cached) */
	int cached;            /* 1: read from the cache */
	char result_path[1024];/* <cache>/synth-<hash>.stat */
	char log_path[1024];   /* the Yosys log kept beside it */
};

/* Synthesizes hw's RTL (or reads the cached result). Returns 0 and fills *out, or HN_EINVAL
 * (a config the RTL cannot build, sim_check_hw), HN_EEXTERNAL (Yosys failed, timed out or its
 * log has no statistics; the message names the log), HN_EIO. */
int sim_synth_run(const struct hw_config *hw, const struct sim_synth_options *opt,
		  struct sim_synth_result *out, struct hn_err *err);

/* Parses the last cell table of a Yosys log (the output of `stat`) into *out. HN_EINVAL when
 * the text has no "Number of cells:" table. Pure. */
int sim_synth_parse_stat(const char *log_text, struct sim_synth_stat *out, struct hn_err *err);

#endif
