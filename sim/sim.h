/* sim.h: cycle-accurate runs of layers on the RTL accelerator (rtl/), through Verilator.
 *
 * The C core (this module) turns (layer, hw config, tiling) into a tile program and a memory
 * image, builds or reuses a verilated model of the RTL for the config's parameters, runs it
 * as a separate process (sim/harness/harness.cpp, the only C++ in hwnas) with a timeout, and
 * checks every output element against a C reference of the layer. docs/rtl.md describes the
 * microarchitecture, the program format and the integer semantics; docs/model.md the timing
 * both the RTL and the analytical model follow.
 *
 * A failed build or run is an error (HN_EEXTERNAL, naming the log file), never a crash. */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>
#include "../common/hn.h"
#include "../arch/arch.h"
#include "../hw/hw.h"
#include "../models/models.h"

/* The RTL parameter set of one verilated model (the -G overrides of hwnas_top). Two configs
 * with equal parameters share one cached model. */
struct sim_rtl_params {
	int32_t rows, cols;
	int32_t df;                 /* 0 ws, 1 os, 2 is (ws on the transposed problem) */
	int32_t a_bits, w_bits, acc_bits;
	int32_t dbuf;               /* 1: two halves per scratchpad */
	int64_t idepth, wdepth, odepth; /* buffer words per half (multiples of the bank counts) */
	int32_t inb, wnb, onb;      /* words per DMA beat (banks) of ibuf, wbuf, obuf */
	int32_t pack;               /* mac_packing (enum hw_packing): the RTL's PACK */
	int32_t trace;              /* 1: built with --trace (VCD) */
	int32_t ostage;             /* 1 (sim_rtl_params_from_hw): final stores through the
				     * output stage; 0: the saturate(acc >> shift) store the AXI
				     * top still has (program version 1) */
};

/* The parameters for a config: each half holds one word per element of its capacity (so a
 * tile narrower than the array never overflows it), and a DMA beat carries at least twice
 * the DRAM bytes per cycle. Pure. */
void sim_rtl_params_from_hw(const struct hw_config *hw, struct sim_rtl_params *p);

/* The largest config a simulation takes: arrays up to SIM_MAX_PES x SIM_MAX_PES (the
 * documented range goes to 256; a verilated 256 x 256 array takes too long to build), and
 * scratchpads whose verilated memories (sim_rtl_params_from_hw's depths x word bits, both
 * halves) take at most SIM_MAX_BUFFER_BITS. */
#define SIM_MAX_PES 128
#define SIM_MAX_BUFFER_BITS ((int64_t)1 << 33) /* 1 GiB */

/* Checks that the RTL can run hw at all (bit widths, acc_bits <= 64, the limits above);
 * HN_EINVAL naming the field otherwise. */
int sim_check_hw(const struct hw_config *hw, struct hn_err *err);

/* Told when a Verilator build or a Yosys synthesis starts (a cache miss, before the wait):
 * tool "verilator" or "yosys", what the parameter set, last_s how long the last build of that
 * tool took (the cache folder remembers it; -1 when unknown). Called on the thread that
 * builds; cli/ prints it. */
typedef void (*sim_build_fn)(void *ctx, const char *tool, const char *what, double last_s);

struct sim_options {
	const char *srcdir;    /* tree with rtl/ and sim/harness/; NULL: $HWNAS_SRCDIR, else the
				* source tree hwnas was built from */
	const char *cache_dir; /* NULL: $HWNAS_CACHE, $XDG_CACHE_HOME/hwnas, ~/.cache/hwnas */
	const char *vcd_path;  /* write a waveform (builds a --trace model); NULL: none */
	double build_timeout_s;/* verilate + compile limit; 0: 900 s + 0.1 s per PE */
	double run_timeout_s;  /* one harness run; 0: 600 s */
	uint64_t seed;         /* inputs and weights are a function of (seed, layer name) */
	int keep_files;        /* 1: keep the run folder (program, image, results) */
	sim_build_fn on_build; /* NULL: builds start silently */
	void *build_ctx;
	int outq_full;         /* output-stage parameters: 0 realistic (multipliers in
				* [2^30, 2^31), shifts that keep outputs in range), 1 drawn from
				* their whole range (docs/rtl.md "Output stage") */
};

void sim_options_init(struct sim_options *o);

/* The outcome of one simulated layer. */
struct sim_result {
	int bit_exact;             /* every output element equals the C reference */
	int64_t mismatches;        /* output elements that differ */
	int64_t outputs;           /* output elements compared */
	int64_t rtl_cycles;        /* first to last busy cycle of the accelerator */
	int64_t array_busy;        /* cycles the array ran a command */
	int64_t dma_busy;          /* cycles the DMA served a request */
	int64_t dma_requests;
	int64_t dram_bytes;        /* bytes the DMA requests moved (the model's counting) */
	int64_t dma_bus_extra;     /* cycles requests lasted beyond the time docs/model.md
				    * charges (t(b) or the line floor): 0 when they agree */
	int64_t serial_cycles;     /* sum of t(b) + sum of fold cycles: the single-buffered
				    * latency docs/model.md predicts for this program */
	int64_t first_load_cycles; /* t(A0) + t(B0) */
	int64_t last_store_cycles; /* t(C_last) */
	int64_t compute_cycles;    /* sum of fold cycles */
	int64_t macs;
	int64_t sim_cycles;        /* cycles simulated (incl. reset-free idle) */
	double sim_seconds;        /* wall time of the harness's cycle loop */
	double sim_cpu_seconds;    /* its CPU time (on a shared machine, below the wall) */
	double build_seconds;      /* verilate + compile, 0 when the model was cached */
	int built;                 /* 1: this call built the model */
	char model[256];           /* path of the harness executable */
	int64_t out_zp, out_lo, out_hi; /* the output stage's zero point and clamp (drawn) */
};

/* The output stage's arithmetic on one element (docs/rtl.md "Output stage"): acc (acc_bits
 * two's complement) plus bias wrapped to acc_bits, x mult (0 <= mult < 2^31) with gemmlowp's
 * rounding doubling high multiply, rounding divide by 2^shift (0..63, half away from zero),
 * plus zp, clamped to [lo, hi]. The C reference of rtl/hwnas_requant.v. Pure. */
int64_t sim_requant(int64_t acc, int64_t bias, int64_t mult, int shift, int64_t zp, int64_t lo,
		    int64_t hi, int acc_bits);

/* Simulates layer l (a conv, FC or matmul; HN_EINVAL for MAC-free layers) on hw under
 * tiling m. Returns 0 and fills *out (bit_exact says whether the outputs matched), or a
 * negative code with err set: HN_EINVAL (layer, config or tiling the RTL cannot run),
 * HN_EEXTERNAL (build or run failed or timed out; the message names the log), HN_EIO. */
int sim_layer(const struct arch_layer *l, const struct hw_config *hw,
	      const struct map_tiling *m, const struct sim_options *opt,
	      struct sim_result *out, struct hn_err *err);

/* ---- A whole network on the RTL (sim_whole.c, docs/rtl.md "Whole networks") ---- */

/* One layer of a whole-network run. */
struct sim_whole_layer {
	int layer;                 /* index in net->layers */
	struct map_tiling tiling;  /* cost_net_layer's (unused by pool and add) */
	struct cost_report cost;   /* the model's figures for the layer (cost.cycles) */
	struct sim_result res;     /* the RTL's run; res.mismatches counts outputs that differ
				    * from the reference computed from the RTL's own inputs */
	int64_t chain_mismatches;  /* outputs that differ from the reference chain's tensor */
	int64_t distinct;          /* distinct values in the RTL's output (the data stay
				    * spread through the network: calibrated output shifts) */
	int64_t model_axi_cycles;  /* sim_whole_axi: the AXI model's (cost_net_axi) program
				    * cut after the layer less the program cut before it */
	int host_layout;           /* 1: a conv or pool whose windows the DMA could not walk
				    * (docs/rtl.md "Window addressing"): the host laid out its
				    * im2col / window matrix; 0 otherwise */
};

struct sim_whole_result {
	struct sim_whole_layer *layers; /* owned: the layers that ran, in execution order */
	int n;
	int bit_exact;             /* every tensor the RTL wrote equals the reference chain's */
	int cycles_equal;          /* every layer: RTL cycles == the model's cycles */
	int host_layouts;          /* layers with host_layout set (0: no re-layout anywhere) */
	int one_image;             /* 1: the network ran as one program on one image (then a
				    * layer's res has rtl_cycles, outputs, macs, mismatches, the
				    * output stage's values; its harness time and DMA counters are
				    * the network's, not split per layer) */
	int64_t image_elements;    /* one image: its size in elements */
	int64_t program_cycles;    /* one image: the one program's makespan with every command
				    * taking the model's cycles (sim_prog_makespan: the layers'
				    * commands overlap where the queues let them) */
	int axi;                   /* 1: run through the AXI top and the driver (sim_whole_axi):
				    * rtl_cycles is the top's CYCLES register from start to done
				    * for the whole network; the layers' res.rtl_cycles are 0, or
				    * with axi_spans their cycles from the prefixes' runs */
	int64_t axi_rd_bytes, axi_wr_bytes; /* the top's RD_BYTES, WR_BYTES */
	int64_t model_axi_cycles;  /* axi: the AXI model's cycles of the one program
				    * (cost_net_axi: the layers walked in program order, the bus
				    * carried across them, each request at its image address) */
	int axi_spans;             /* 1: the layers' res.rtl_cycles are AXI cycles from runs of
				    * the program's prefixes (sim_whole_axi with per_layer) */
	int64_t outputs, mismatches;   /* elements of the network outputs, and those differing */
	int64_t rtl_cycles, model_cycles; /* sums over the layers (run one after another) */
	int64_t macs, sim_cycles;
	double sim_seconds;        /* the harness runs' cycle loops */
	double build_seconds;      /* Verilator builds (0 when cached) */
	double wall_seconds;       /* the whole call: images, runs, references */
};

struct sim_whole_opts {
	const struct sim_options *sim;     /* seed, timeouts, cache, build notices; NULL: defaults */
	const struct cost_net_opts *cost;  /* mapper, fixed tiling, cache; NULL: defaults (GLPK) */
	/* told before each layer runs (done counts from 1), or NULL */
	void (*on_layer)(void *ctx, int done, int total, const struct arch_layer *l);
	/* told the n outputs the RTL wrote for l, read back, before they are compared and read
	 * by later layers; may change them (the tests inject a fault this way), or NULL */
	void (*on_output)(void *ctx, const struct arch_layer *l, int64_t *x, int64_t n);
	void *ctx;
	int per_layer;             /* 1: one harness run per layer, each on its own image with
				    * the tensors it reads copied in; also taken with on_output,
				    * and for a layer whose windows the DMA cannot walk.
				    * sim_whole_axi: one more run per prefix of the program (each
				    * layer's AXI cycles); its one-start run is unchanged */
};

struct sim_axi_options;

/* Runs graph network net on hw's RTL layer after layer in topological order, as one program
 * on one image (or one run per layer, o->per_layer): network inputs drawn from the seed,
 * each layer's weights and output-stage parameters from (seed, layer name) with the output
 * shift calibrated on its accumulators; each layer reads the tensors the RTL wrote for its
 * inputs in the simulated DRAM (the DMA walks conv and pool windows over them, docs/rtl.md
 * "Whole networks"), and every tensor
 * is compared with a C reference chain computed from the network inputs alone. Fills *out
 * (the caller releases it with sim_whole_release, also after an error: it holds the layers
 * that ran). Returns 0 (also when not bit-exact: out->bit_exact), HN_EINVAL (a list-form
 * network, a layer the runner cannot run, no tiling fits), or sim_layer's errors. */
int sim_whole(const struct arch_net *net, const struct hw_config *hw,
	      const struct sim_whole_opts *o, struct sim_whole_result *out, struct hn_err *err);
void sim_whole_release(struct sim_whole_result *r);

/* sim_whole through the AXI top (rtl/hwnas_axi.v) and the host driver (sim/sim_whole_axi.c,
 * docs/deploy.md "A whole network through the driver"): the same one-image program laid
 * out as the top's DRAM (one DMA list and one compute list for the whole network, the
 * tensors, each layer's weights and parameter records), started once by the C driver on the
 * simulated top (sim/harness/harness_axi.cpp, ao: bus and slave; NULL: the defaults), every
 * tensor read back after done and compared with the reference chain as sim_whole does
 * (o->on_output told each tensor read back before the compare; the run itself read the
 * RTL's own). out->axi = 1, out->rtl_cycles the top's CYCLES for the whole network,
 * out->model_cycles the model's sum over the layers, out->program_cycles the one program's
 * makespan at the model's command times. With o->per_layer, L - 1 more runs of the
 * program's prefixes (the lists cut after each layer) give each layer's AXI cycles as the
 * difference of the prefixes' end times (out->axi_spans; they sum to rtl_cycles). HN_EINVAL
 * also for a layer the AXI top cannot run in a chain (a matmul, a first-token fc, a conv
 * beyond the window descriptor; the message names it and what it lacks). */
int sim_whole_axi(const struct arch_net *net, const struct hw_config *hw,
		  const struct sim_whole_opts *o, const struct sim_axi_options *ao,
		  struct sim_whole_result *out, struct hn_err *err);

/* The tile program's makespan without the RTL: the program sim_layer would run, each command
 * taking the cycles docs/model.md charges, through the RTL's two in-order queues and their
 * dependencies. An independent check of cost_layer's step walk (models/cost_steps.c). */
int sim_program_cycles(const struct arch_layer *l, const struct hw_config *hw,
		       const struct map_tiling *m, int64_t *cycles, struct hn_err *err);

/* Builds (or finds in the cache) the harness executable for p. Writes its path into exe;
 * *built = 1 and *seconds = verilate + compile wall time when this call built it. */
int sim_build(const struct sim_rtl_params *p, const struct sim_options *opt, char *exe,
	      size_t size, int *built, double *seconds, struct hn_err *err);

/* Folder the models are cached in (see sim_options.cache_dir), into buf. */
int sim_cache_dir(const struct sim_options *opt, char *buf, size_t size, struct hn_err *err);

/* ---- The AXI top (rtl/hwnas_axi.v) in simulation (sim/sim_axi.c, docs/deploy.md) ---- */

/* The AXI build and run: bus bits (64, 128, 256), beats per burst, outstanding bursts per
 * direction; the slave model's back-pressure (probability per cycle) and its seed. */
struct sim_axi_options {
	int dw, maxb, maxout;
	double stall;
	uint64_t seed;
	int no_win;   /* 1: no window walks: a conv's A as the host's im2col matrix (2-D loads), a
		       * pool's input as its window matrix */
	/* error injection (sim/harness/harness_axi.cpp): the slave answers the err_rbeat-th R
	 * beat / err_bresp-th B response with SLVERR (0: never); the run must end with done +
	 * error, then the same top, without a reset, runs the program again (the results are
	 * that run's). busy_start >= 0: a CTRL.start while busy, that many cycles after the
	 * start, which the top must ignore. */
	int64_t err_rbeat, err_bresp, busy_start;
	int w_early;  /* 1: the slave takes W beats ahead of their AW (AXI allows it) */
};
void sim_axi_options_init(struct sim_axi_options *o);   /* 64-bit bus, MAXB 16, MAXOUT 16 */

/* Where one layer's program and data sit in the AXI top's DRAM (byte addresses, each region
 * 4 KiB aligned, docs/deploy.md "Memory map"): the DMA list (ndq 192-byte records), the
 * compute list (ncq 32-byte records), the GEMM operands A (na act elements: a conv's NHWC
 * input, or its im2col matrix; a vector layer's inputs and output, C inside it) and B (nb weight elements), the outputs C (nc act elements), the partial sums
 * (np acc elements), the output stage's parameter records (nq of 16 bytes); end is the first
 * byte past them. ab, wb, cb: element bytes. */
struct sim_axi_map {
	uint64_t dq, cq, a, b, c, p, q, end;
	int64_t ndq, ncq, na, nb, nc, np, nq;
	int ab, wb, cb;
};

/* HN_EINVAL unless the AXI top can run programs for these parameters (element bytes 1, 2, 4
 * or 8; the output stage). */
int sim_axi_check(const struct sim_rtl_params *rp, struct hn_err *err);

/* Builds (or finds in the cache, as axi-<hash>) the AXI harness for p and ao; its path into
 * exe. *built = 1 when this call built it. */
int sim_axi_build(const struct sim_rtl_params *p, const struct sim_axi_options *ao,
		  const struct sim_options *opt, char *exe, size_t size, int *built,
		  struct hn_err *err);

/* One run of the AXI harness. outputs: the nc output elements read back (sign-extended),
 * malloc'ed; free with sim_axi_result_release. */
struct sim_axi_result {
	char status[128];
	int64_t cycles;          /* the top's CYCLES register: start to done */
	int64_t rd_bytes, wr_bytes, bursts;
	int64_t *outputs, nout;
	int64_t r_beats, b_resps;    /* R beats and B responses the slave gave (all runs) */
	int64_t err_status, err_cycles; /* the error run's STATUS and CYCLES (-1: none) */
	int64_t busy_status;         /* STATUS read right after the start while busy */
	int64_t w_early_beats;       /* W beats the slave took ahead of their AW */
};
void sim_axi_result_release(struct sim_axi_result *r);

/* Runs the image file (loaded at byte 0) laid out as map through the AXI harness exe with a
 * slave of bw bytes/cycle and latency cycles; dir holds the run's files. HN_EEXTERNAL when
 * the harness fails or reports a status other than ok (an AXI rule broken, a timeout). */
int sim_axi_run(const char *exe, const char *image_path, const struct sim_axi_map *map,
		const struct sim_axi_options *ao, double bw, int64_t latency, int64_t max_cycles,
		const char *dir, struct sim_axi_result *out, struct hn_err *err);

/* sim_layer through the AXI top: the same program and reference, laid out by sim_axi_image,
 * run by the C driver on the simulated top. out->rtl_cycles: the AXI cycles; *axi: the run
 * (release it). */
int sim_layer_axi(const struct arch_layer *l, const struct hw_config *hw,
		  const struct map_tiling *m, const struct sim_options *opt,
		  const struct sim_axi_options *ao, struct sim_result *out,
		  struct sim_axi_result *axi, struct hn_err *err);

/* An element of `bytes` bytes (little endian, sign-extended) at at. */
int64_t sim_axi_elem(const uint8_t *at, int bytes);

/* ---- hwnas compile (sim/sim_compile.c, docs/deploy.md "hwnas compile") ---- */
struct sim_compile_options {
	uint64_t seed;             /* the random weights, inputs and parameters (sim_layer's) */
	enum cost_mapper mapper;   /* tiling per layer */
	int program_only;          /* 1: the lists and the manifest only (no dram.bin, no
				    * expected outputs, no data drawn; zero point 0, no clamp) */
	struct cost_axi axi;       /* dw > 0: each tiling chosen for the AXI top at this bus
				    * (cost_net_opts.axi: map_axi_choose, as hwnas eval --axi;
				    * im2col as the form reads A) and each layer's model cycles
				    * the AXI model's of the layer alone; dw 0: the mapper's
				    * tiling and the direct top's cycles */
};
void sim_compile_options_init(struct sim_compile_options *o);   /* seed 1, GLPK, dw 0 */

/* One layer of a compiled network: its tiling, the model's cycles, and where its program
 * and operands sit (map: addresses in dram.bin). compiled = 0 with why for a layer the AXI
 * top cannot run (pool, add: no vector unit yet). b_in_plan: B is the layer's weights at the
 * tensor plan's offset (else a second operand in scratch). */
struct sim_compile_layer {
	int compiled, b_in_plan;
	char why[200];
	struct map_tiling tiling;
	int64_t model_cycles, macs;
	struct sim_axi_map map;
};
/* The whole image, bytes in all; layers: n entries, owned (sim_compile_report_release).
 * whole = 1: the whole-network program (sim_whole_axi's layout, docs/deploy.md "hwnas
 * compile"): the DMA list (ndq records) at dq = programs_at = 0, the compute list (ncq) at
 * cq, the tensors from tensors_at (tensors_bytes; tensor t at tensor_addr[t], tensor_elems[t]
 * act elements, n_tensors: network inputs then layer outputs), the layers' weights, partial
 * sums and parameter records from scratch_at; each layer's map: its records' slots in the
 * lists (dq, ndq, cq, ncq), A and C the tensors it reads and writes.
 * whole = 0 (why_whole says which layer the AXI top cannot run in a chain): one program per
 * layer: programs from 0, the tensor plan (arch_plan_build: weights, then the activations)
 * at tensors_at, the parameter records at params_at, per-layer scratch at scratch_at. */
struct sim_compile_report {
	struct sim_compile_layer *layers;
	int n;
	uint64_t bytes, programs_at, tensors_at, tensors_bytes, params_at, scratch_at;
	int whole;
	char why_whole[300];
	uint64_t dq, cq;
	int64_t ndq, ncq;
	int n_tensors;
	uint64_t *tensor_addr;     /* owned: n_tensors */
	int64_t *tensor_elems;     /* owned: n_tensors */
};
void sim_compile_report_release(struct sim_compile_report *r);

/* Compiles net for hw into out_dir (created if missing): dram.bin and manifest.json, and
 * either (every layer runs in a chain on the AXI top: whole = 1) the whole network's
 * program.dma.bin and program.cmp.bin (the two lists: one start of the driver) and
 * expect.bin (the tensor region, tensors_at .. + tensors_bytes, as a correct run leaves it:
 * every tensor the C reference chain computes, act bytes each), or per compiled layer i
 * layer<i>.dma.bin, layer<i>.cmp.bin (its command lists) and layer<i>.expect.bin (its
 * outputs). HN_EINVAL naming the network and the layer (no tiling fits, a list-form network
 * without a graph, an image beyond 4 GiB, a config the AXI top cannot run), HN_EIO naming the
 * file. */
int sim_compile_net(const struct arch_net *net, const struct hw_config *hw,
		    const struct sim_compile_options *o, const char *out_dir,
		    struct sim_compile_report *r, struct hn_err *err);

/* ---- The export bundle of one accelerator (sim/sim_export.c, docs/deploy.md) ---- */
struct sim_export_options {
	const char *srcdir;        /* the RTL to copy: as sim_options.srcdir */
	const char *title;         /* the README's title; NULL: the network's name */
	enum cost_mapper mapper;   /* the program's tilings */
	struct sim_axi_options axi;/* the bus parameters written into the header */
	int axi_tilings;           /* 1: the program's tilings chosen for the AXI top at that
				    * bus (sim_compile_options.axi), as a search space with
				    * "axi" priced them; 0: the mapper's */
	const char *rtl_rel;       /* NULL: the RTL copied into dir/rtl; else where a copy
				    * already is, relative to dir (sim_export_rtl made it) */
};
/* Copies every RTL source of srcdir (as sim_options.srcdir) into dir (created). */
int sim_export_rtl(const char *srcdir, const char *dir, struct hn_err *err);
/* Writes dir (created): hwnas_params.vh (header, then AXI_DW, MAXB, MAXOUT), hwnas_accel.v
 * (hwnas_axi with those parameters), rtl_files.txt (the sources, relative to dir; copied
 * into dir/rtl unless eo->rtl_rel),
 * hw.json, program/ (sim_compile_net, programs only) and README.md (the Vivado steps).
 * Errors as sim_compile_net's; HN_EIO naming the file. */
int sim_export_bundle(const struct arch_net *net, const struct hw_config *hw,
		      const char *header, const struct sim_export_options *eo, const char *dir,
		      struct hn_err *err);

/* The bus of the bundle in dir (the AXI_DW, MAXB and MAXOUT of its hwnas_params.vh) into
 * ao's dw, maxb, maxout. HN_EIO naming the file, HN_EINVAL naming the missing parameter. */
int sim_export_bundle_bus(const char *dir, struct sim_axi_options *ao, struct hn_err *err);

/* Writes n bytes to path; HN_EIO naming it. */
int sim_write_file(const char *path, const void *data, size_t n, struct hn_err *err);


/* ---- Yosys synthesis of the RTL (sim/synth.c, docs/synthesis.md) ----
 * A config's RTL synthesised with `synth_xilinx` beside the resource model (hw_resources,
 * docs/resources.md): like the Verilator models, a separate process with a timeout, cached
 * per parameter set; a failed or timed-out synthesis is an error (HN_EEXTERNAL, naming the
 * log), never a crash. */

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
	int axi_dw;            /* > 0: the AXI top (rtl/hwnas_axi.v) with this bus width, */
	int axi_maxb, axi_maxout; /* bursts of at most axi_maxb beats, axi_maxout outstanding */
	const char *bundle_dir;/* an export bundle (sim_export_bundle) synthesised as it is: the
				* files of its rtl_files.txt, top hwnas_accel (its header's
				* parameters); the config only names the family */
	sim_build_fn on_build; /* NULL: synthesis starts silently */
	void *build_ctx;
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
 * (bit widths or an array the RTL cannot build), HN_EEXTERNAL (Yosys failed, timed out or its
 * log has no statistics; the message names the log), HN_EIO. */
int sim_synth_run(const struct hw_config *hw, const struct sim_synth_options *opt,
		  struct sim_synth_result *out, struct hn_err *err);

/* Parses the last cell table of a Yosys log (the output of `stat`) into *out. HN_EINVAL when
 * the text has no "Number of cells:" table. Pure. */
int sim_synth_parse_stat(const char *log_text, struct sim_synth_stat *out, struct hn_err *err);

/* ---- The model against the RTL over a sweep (sim_validate.c, hwnas validate,
 * docs/validation.md) ---- */

/* One (layer, config) point. */
struct sim_val_point {
	char net[48], layer[48], hw[64];
	struct hw_config hwc;
	struct map_tiling tiling;       /* cost_net_layer's, with the sweep's mapper */
	struct cost_report cost;
	struct sim_result res;
	int stall_free;                 /* the RTL's array never waited (beyond the first loads) */
	double err;                     /* (model - rtl) / rtl x 100 */
	/* set by sim_validate_summarize */
	int seq;                        /* position in the sweep: even fit, odd held out */
	int64_t calib_cycles;
	double err_cal;
};

struct sim_val_hw {
	const char *name;               /* the config's name in the tables (its file's stem) */
	struct hw_config hw;            /* checked with sim_check_hw by the caller */
};

struct sim_val_opts {
	enum cost_mapper mapper;
	int64_t layers;                 /* MAC layers per network, evenly spaced; 0: all */
	int64_t max_macs;               /* layers with more MACs are not run */
	const struct sim_options *sim;  /* NULL: defaults */
	/* optional hooks (ctx passed back): the number of points before the first; each point
	 * before it runs (p NULL after the last); a point that could not run (no tiling fits,
	 * a failed build or run), which the sweep leaves out and goes on */
	void (*on_start)(void *ctx, int64_t total);
	void (*on_point)(void *ctx, int64_t done, const struct sim_val_point *p, int64_t macs);
	void (*on_fail)(void *ctx, const char *msg);
	void *ctx;
};

struct sim_val_run {
	struct sim_val_point *p;        /* owned: the points that ran, in sweep order */
	int n;
	int failed;                     /* a point did not run, or was not bit-exact */
};

/* Indices into idx (net->n_layers long) of the MAC layers of net a sweep runs: every one
 * within max_macs, or `layers` of them at positions round(i (L-1) / (layers-1)). Returns
 * their count. */
int sim_validate_pick_layers(const struct arch_net *net, int64_t layers, int64_t max_macs,
			     int *idx);
/* For every config, every network, every picked layer: tiling and cost (cost_net_layer),
 * then the RTL (sim_layer). Fills *out (caller releases with sim_val_run_release); returns
 * 0 (also when points failed: out->failed, on_fail told why) or HN_ENOMEM. */
int sim_validate_sweep(const struct arch_net *nets, int n_nets, const struct sim_val_hw *hws,
		       int n_hws, const struct sim_val_opts *o, struct sim_val_run *out,
		       struct hn_err *err);
void sim_val_run_release(struct sim_val_run *r);

/* Error statistics of a subset of points: MAPE and max |error| in %, Kendall tau-b of the
 * model's against the RTL's cycles, and the same errors after calibration. */
struct sim_val_stats {
	int n;
	double mape, max_err, tau;
	double mape_cal, max_cal;
};
struct sim_val_summary {
	struct sim_val_stats all, by_df[HW_DF_COUNT], by_bound[2] /* compute, memory */,
		by_dbuf[2] /* single, double */, stall_free, fitset /* even */, heldout /* odd */;
	double bound_mape, bound_max;   /* the closed-form bound alone (cycles_bound) */
	struct cost_calib applied;      /* given, or fitted on the even-numbered points */
	struct cost_calib fit_all;      /* fitted on all points */
};
/* The statistics of n points; sets each point's seq, calib_cycles and err_cal. given: the
 * calibration to apply, or NULL to fit one on the even-numbered points. 0 or HN_ENOMEM. */
int sim_validate_summarize(struct sim_val_point *p, int n, const struct cost_calib *given,
			   struct sim_val_summary *s, struct hn_err *err);
/* A point's roofline: attained GOP/s in the RTL (2 x MACs / RTL time), the compute roof and
 * the bandwidth roof (the model's). */
void sim_validate_roofline(const struct sim_val_point *p, double *att, double *peak,
			   double *bwroof);

#endif
