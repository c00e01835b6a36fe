/* sim_int.h: internals of sim/ shared by its files. Nothing outside sim/ includes it. */
#ifndef SIM_INT_H
#define SIM_INT_H

#include <stdint.h>
#include "sim.h"

#define SIM_WIN_WORDS 9

/* DMA command (op: 0 load A, 1 load B, 2 load C partial sums, 3 store C). */
struct sim_dma {
	int op, half, layout, final, shift;
	int64_t base, rows, cols, stride, words, wait;
	/* a final store through the output stage (docs/rtl.md "Output stage"): its chunk's
	 * parameter records (3 elements per channel) at qbase, the per-layer zero point and
	 * clamp, the obuf walk (obase + row x ostride + column, ocols columns), parameter beats */
	int64_t qbase, zp, lo, hi, obase, ostride, ocols, qwords;
	/* a vector request (docs/rtl.md "Vector unit"): the op (1 max, 2 average, 3 add), input
	 * words per output word, the add's second input and the output (DRAM), the add's zero
	 * points and multipliers, the shifts (s1 | s2 << 8 | so << 16 | ls << 24) */
	int64_t vop, vg, vbase2, vout, vzp1, vzp2, vm1, vm2, vmo, vsh;
	/* the window walk (docs/rtl.md "Window addressing"; 0: a 2-D block): mode (1 a conv's
	 * A block, 2 a pool's input), H | W << 16, P | Q << 16, C | Cg << 16, S | sh << 8 |
	 * sw << 16, dh | dw << 8 | ph << 16 | pw << 24, pad value, m0, k0 */
	int64_t win[SIM_WIN_WORDS];
	int64_t dur;     /* cycles docs/model.md charges for it */
};

/* Compute command: one tile step. */
struct sim_cmp {
	int ah, bh, ch, init;
	int64_t tm, tn, tk, nout, nin, wait;
	int64_t dur;     /* folds x (2R + C + T - 2) */
};

/* A tile program, its memory image and what the C reference expects. */
struct sim_prog {
	struct sim_dma *dma;
	int64_t ndma, cap_dma;
	struct sim_cmp *cmp;
	int64_t ncmp, cap_cmp;
	int64_t *mem;             /* element-addressed DRAM image */
	int64_t nmem;
	int64_t out_base, nout;   /* the final output region (all groups' C) */
	/* a GEMM layer's regions of mem, in this order: A [abase, bbase), B [bbase, cbase),
	 * C [cbase, pbase), partial sums [pbase, qbase), parameter records [qbase, nmem) */
	int64_t abase, bbase, cbase, pbase, qbase;
	int64_t *expect;          /* nout reference outputs */
	int64_t serial_cycles, first_load_cycles, last_store_cycles, compute_cycles;
	int64_t floor_cycles;     /* sum over requests of the line floor's excess over t(b) */
	int64_t max_cycles;
	int64_t macs;
	double bw;
	int64_t latency;
	int ostage;               /* 1: final stores through the output stage (program version 2) */
	int win;                  /* 1: conv A loads and pool inputs walk windows over NHWC
				   * (the dma lines carry the window words) */
	int64_t in_end[2];        /* the image's input regions: input 0 is [0, in_end[0]),
				   * an add's input 1 [in_end[0], in_end[1]) (sim_whole links
				   * layers by them) */
	int64_t *seg;             /* owned, or NULL: nseg pairs of DMA command indices (first,
				   * last) whose cycle spans the harness reports */
	int64_t nseg;
	int64_t *seg_cycles;      /* owned, or NULL: sim_prog_run fills nseg spans (-1: none) */
	int64_t zp, lo, hi;       /* the output stage's per-layer values */
};

/* Builds the program, image and reference for l on hw under m with the RTL parameters p.
 * The caller releases prog with sim_prog_release. HN_EINVAL for what the RTL cannot run. */
int sim_prog_build(const struct arch_layer *l, const struct hw_config *hw,
		   const struct map_tiling *m, const struct sim_rtl_params *p, uint64_t seed,
		   int outq_full, struct sim_prog *prog, struct hn_err *err);
/* sim_prog_build with flags: SIM_PROG_NO_DATA leaves the image and the reference zero (the
 * program alone: no tensors drawn, no reference computed). */
#define SIM_PROG_NO_DATA 1u
/* SIM_PROG_NO_WIN: a conv's A as its im2col matrix in the image, loaded as 2-D blocks, not
 * its NHWC input walked by window; a pool's input as the host's window matrix. */
#define SIM_PROG_NO_WIN 2u
int sim_prog_build_flags(const struct arch_layer *l, const struct hw_config *hw,
			 const struct map_tiling *m, const struct sim_rtl_params *p,
			 uint64_t seed, int outq_full, unsigned flags, struct sim_prog *prog,
			 struct hn_err *err);
void sim_prog_release(struct sim_prog *prog);

/* What a layer of a whole-network run reads (sim_whole.c): its input tensors (in[0], and
 * in[1] for an add) as act_bits values, NHWC ([b][y][x][c]; an fc reads the elements in
 * that storage order, an implicit flatten), and the zero points they were written with. */
struct sim_layer_in {
	const int64_t *x[ARCH_IN_MAX];
	int64_t zp[ARCH_IN_MAX];
};

/* sim_prog_build with the inputs given (io; NULL: drawn from the seed as sim_prog_build
 * does) and sim_prog_build_flags' flags. With io the image's A matrix (a conv's im2col, a
 * pool's window matrix) is laid out from io's tensors on the host, and the output stage's
 * shift is calibrated from the layer's accumulators (docs/rtl.md "Whole networks"). */
int sim_prog_build_in(const struct arch_layer *l, const struct hw_config *hw,
		      const struct map_tiling *m, const struct sim_rtl_params *p, uint64_t seed,
		      int outq_full, const struct sim_layer_in *io, unsigned flags,
		      struct sim_prog *prog, struct hn_err *err);

/* The whole network as one program on one image (sim_whole.c, docs/rtl.md "Whole
 * networks"), shared by the direct harness's run (sim_whole), the AXI top's
 * (sim_whole_axi) and `hwnas compile`: every tensor (network inputs, then layer outputs, in
 * that order) at its own element address off[t], NHWC; per layer in execution order its own
 * program lp[s] (built from the reference chain's tensors, its addresses unrelocated), its
 * private region (weights, partial sums, parameter records) at priv[s], its commands
 * dma0[s] .. dma0[s + 1] - 1 and cmp0[s] .. of g; g the one relocated program and image,
 * g.expect the reference chain's tensors [0, off[T]) (zero with SIM_PROG_NO_DATA). */
struct sim_whole_img {
	int L, T;                 /* layers, tensors */
	int *order;               /* L layer indices in execution order */
	int64_t *off;             /* T + 1 */
	int64_t *zp;              /* T: the zero point each tensor was written with */
	struct sim_prog *lp;      /* L */
	int64_t *priv;            /* L */
	int64_t *dma0, *cmp0;     /* L + 1 */
	struct sim_prog g;
};
/* The tensor index (0 .. T-1: network inputs, then layer outputs) of source id. */
int sim_whole_tensor_of(const struct arch_net *net, int32_t id);
/* HN_EINVAL naming the network and the layer unless a whole-network run can take net (a
 * graph; no matmul of two activations, no first-token fc). */
int sim_whole_check_net(const struct arch_net *net, struct hn_err *err);
/* The defaults of a NULL opts (or NULL fields) into opt and co. */
void sim_whole_resolve_opts(const struct sim_whole_opts *o, struct sim_options *opt,
			    struct cost_net_opts *co);
/* Builds *w (released with sim_whole_img_release, which this call does itself on an
 * error) and each layer's tiling and cost into layers[0 .. L-1] (execution order); flags
 * as sim_prog_build_flags' for every layer; o->on_layer told before each layer. Returns 0,
 * 1 (err says which layer) when a conv's or pool's A would be a matrix the host lays out
 * from an intermediate tensor (windows not walked: SIM_PROG_NO_WIN, or a geometry beyond
 * the descriptor), HN_EINVAL (a list-form network, a matmul, no tiling fits), HN_ENOMEM. */
int sim_whole_img_build(const struct arch_net *net, const struct hw_config *hw,
			const struct sim_rtl_params *rp, const struct sim_options *opt,
			const struct cost_net_opts *co, unsigned flags,
			const struct sim_whole_opts *o, struct sim_whole_layer *layers,
			struct sim_whole_img *w, struct hn_err *err);
void sim_whole_img_release(struct sim_whole_img *w);
/* Compares got (the off[T] tensor elements the RTL wrote, read back) with the reference
 * chain (every layer's tensor, the network outputs, the network inputs unchanged) into out
 * (its layers[] filled by sim_whole_img_build): per layer outputs, macs, mismatches,
 * distinct values; the network's outputs, mismatches, bit_exact, model_cycles, macs,
 * program_cycles. o->on_output (if any) is told each layer's tensor in got first. */
void sim_whole_img_check(const struct arch_net *net, const struct sim_whole_img *w,
			 const struct sim_whole_opts *o, int64_t *got,
			 struct sim_whole_result *out);

/* 1 when a conv's A matrix without window walking (its im2col, [g][m][k]) is its NHWC input
 * tensor as it stands: a 1x1 kernel, stride 1, no padding, one group. */
int sim_im2col_is_input(const struct arch_layer *l);

/* The one image as the AXI top's DRAM (sim_whole_axi.c, docs/deploy.md "A whole network
 * through the driver"), byte addresses: the DMA list (ndq records) at dq = 0, the compute
 * list (ncq) at cq, the tensors from `tensors` to tensors_end (tensor t at tb[t], act bytes
 * ab each, 64-byte aligned), the layers' private regions from priv to end; lm[s]: step s's
 * single-layer map (its lists' slots, A = the tensor it reads, C = the tensor it writes, its
 * B, partial sums and parameter records). */
/* The program flags of a layer in a whole-network program on the AXI top: none (its memory
 * side walks conv and pool windows, rtl/hwnas_axi_mem.v, as the direct harness's DMA does). */
#define SIM_WHOLE_AXI_FLAGS 0u
struct sim_whole_axi_map {
	uint64_t dq, cq, tensors, tensors_end, priv, end;
	int64_t ndq, ncq;
	int ab;
	uint64_t *tb;               /* owned: T */
	struct sim_axi_map *lm;     /* owned: L */
};
/* Lays w out (built with SIM_WHOLE_AXI_FLAGS) into *m and *image (malloc'ed, m->end bytes: the
 * records, the network inputs, zeros for the other tensors, the weights and parameters).
 * HN_EINVAL naming the layer the AXI top cannot run or an image beyond 32-bit addresses. */
int sim_whole_axi_layout(const struct arch_net *net, const struct sim_whole_img *w,
			 const struct sim_rtl_params *rp, struct sim_whole_axi_map *m,
			 uint8_t **image, struct hn_err *err);
void sim_whole_axi_map_release(struct sim_whole_axi_map *m);
/* Element v in `bytes` bytes at at, little endian (as the AXI top reads and writes it). */
void sim_whole_axi_put(uint8_t *at, int64_t v, int bytes);
/* 0 when layer l can run inside a whole-network program on the AXI top; else -1 and why
 * (size bytes) says what it lacks. */
int sim_whole_axi_chainable(const struct arch_layer *l, char *why, size_t size);

/* Runs prog on the verilated model of rp (built or found in the cache): writes the program
 * and image to a temporary run folder, runs the harness, reads its results into *out and the
 * nout outputs it dumped into got (the caller's array), and counts out->mismatches against
 * prog->expect. what: what runs, for messages ("layer 'c1'"). Errors as sim_layer's. */
int sim_prog_run(const char *what, const struct sim_prog *prog, const struct sim_rtl_params *rp,
		 const struct sim_options *opt, struct sim_result *out, int64_t *got,
		 struct hn_err *err);

/* The AXI layout of a program (sim_axi.c): sim_axi_place puts its lists and regions one
 * after the other from byte address at (4 KiB aligned) into *map; sim_axi_fill writes the
 * lists, A, B and the parameter records at map's addresses into img, which holds DRAM from
 * byte img_at (the caller may move map's regions first; C and the partial sums are written
 * by the accelerator). */
/* 1 when p is a vector layer's program (pool, add: one vector request). */
int sim_axi_is_vector(const struct sim_prog *p);
int sim_axi_place(const struct sim_prog *p, const struct sim_rtl_params *rp, uint64_t at,
		  struct sim_axi_map *map, struct hn_err *err);
void sim_axi_fill(const struct sim_prog *p, const struct sim_axi_map *map, uint8_t *img,
		  uint64_t img_at);
/* The program as the AXI top's DRAM from byte address at (sim_axi.c): *image (malloc'ed,
 * map->end - at bytes) and *map. HN_EINVAL for what the AXI top cannot run. */
int sim_axi_image(const struct sim_prog *prog, const struct sim_rtl_params *rp, uint64_t at,
		  uint8_t **image, struct sim_axi_map *map, struct hn_err *err);

/* The program's makespan with every command taking its dur: a DMA command starts when the
 * DMA is free and `wait` computes have ended, a compute when the array is free and `wait`
 * DMA commands have ended (the RTL's queues, rtl/hwnas_top.v). -1 if it deadlocks. */
int64_t sim_prog_makespan(const struct sim_prog *prog);

/* Writes the program text and the memory image (int64 little endian). */
int sim_prog_write(const struct sim_prog *prog, const struct sim_rtl_params *p,
		   const char *prog_path, const char *mem_path, struct hn_err *err);

/* DMA time of a request of b bytes: latency + ceil(b / bw) (docs/model.md), at least 2
 * cycles (the RTL's minimum: a request cannot end in the cycle it starts). */
int64_t sim_dma_cycles(int64_t bytes, double bw, int64_t latency);

/* The request's time docs/model.md charges: sim_dma_cycles with the bus floor of its
 * buffer lines (cost_dma_request_cycles); adds the floor's excess to p->floor_cycles. */
int64_t sim_dma_request(struct sim_prog *p, const struct hw_config *hw, int which,
			int64_t rows, int64_t cols, int64_t elem_bytes);

/* sim_check_hw without the limit on simulated memory: what a synthesis (dense depths)
 * needs. */
int sim_check_rtl(const struct hw_config *hw, struct hn_err *err);

/* Runs argv with stdout and stderr appended to log_path, killing it (its process group) after
 * timeout_s. *status gets the exit code, or -1 when killed by a signal or the timeout
 * (*timed_out = 1). Returns 0, HN_EEXTERNAL when it could not start, or HN_EINTR when
 * hn_stop_signal was set (before the start or while it ran: its whole group is stopped). */
int sim_spawn(char *const argv[], const char *log_path, double timeout_s, int *status,
	      int *timed_out, struct hn_err *err);

/* rm -rf path (best effort). */
void sim_rmtree(const char *path);

/* Shared by the Verilator and Yosys builds (sim_build.c). */
/* 64-bit FNV-1a of data, continuing from h (the cache keys). */
uint64_t sim_fnv(uint64_t h, const void *data, size_t n);
/* Continues *h over each file's base name and text (the sources a cached build depends on);
 * HN_EIO naming the file it cannot read. */
int sim_fnv_files(uint64_t *h, char paths[][1024], int n, struct hn_err *err);
/* The source tree: given (when not empty), else $HWNAS_SRCDIR, else the tree hwnas was built
 * from; NULL when none is known. */
const char *sim_src_dir(const char *given);
/* The .v files of srcdir/rtl, sorted, as absolute paths (at most max); HN_EIO when none. */
int sim_list_rtl(const char *srcdir, char paths[][1024], int max, int *n, struct hn_err *err);

/* Build notices (sim_note.c): calls fn(ctx, tool, what, the last build's seconds or -1) when
 * a build starts; records this build's seconds when it ends. */
void sim_note_build_start(sim_build_fn fn, void *ctx, const char *cache, const char *tool,
			  const char *what);
void sim_note_build_done(const char *cache, const char *tool, double seconds);

#endif
