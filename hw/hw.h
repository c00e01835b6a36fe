/* hw.h: the accelerator template, the FPGA device catalogue and the resource model.
 *
 * The template is a pe_rows x pe_cols systolic array with input (ibuf), weight (wbuf) and
 * output/accumulator (obuf) scratchpads fed by a DMA engine from DRAM. docs/model.md and
 * docs/resources.md give the formulas; sources of device figures are in hw/hw_device.c. */
#ifndef HW_H
#define HW_H

#include <stdint.h>
#include "../common/hn.h"

/* The dataflows; HW_DF_COUNT counts them (tables indexed by dataflow are HW_DF_COUNT long). */
enum hw_dataflow { HW_WS = 0, HW_OS = 1, HW_IS = 2, HW_DF_COUNT };

/* How the PEs' multipliers map to the FPGA (docs/hw_config.md "mac_packing", docs/rtl.md
 * "Packed MACs"): one multiplier per PE; two products sharing an operand per DSP multiply
 * (act_bits, weight_bits <= 8); four per DSP, a 2 x 2 outer product (os, 4-bit only); or
 * LUT shift-and-add multipliers (the narrower operand 4-bit). The RTL's PACK parameter. */
enum hw_packing { HW_PACK_NONE = 0, HW_PACK_DSP2 = 1, HW_PACK_DSP4 = 2, HW_PACK_LUT = 3 };
#define HW_PACK_COUNT 4

#define HW_NAME_MAX 32

struct hw_config {
	int32_t pe_rows, pe_cols;
	enum hw_dataflow dataflow;
	int32_t act_bits, weight_bits, acc_bits;
	enum hw_packing mac_packing;
	int64_t ibuf_bytes, wbuf_bytes, obuf_bytes; /* total capacity, both halves if double */
	int32_t double_buffer;                      /* 1: each buffer is two halves */
	double freq_mhz;
	double dram_gbps;                           /* 1e9 bytes per second */
	int32_t dram_latency_cycles;                /* first-beat latency of one DMA request */
	char device[HW_NAME_MAX];                   /* catalogue name, "" for none */
};

/* A device's budget. Figures and sources in hw/hw_device.c. */
struct hw_device {
	const char *name;      /* catalogue key, e.g. "zcu102" */
	const char *part;      /* e.g. "XCZU9EG" */
	const char *family;    /* "zynqmp", "zynq7", "virtex7", "alveo" */
	int32_t dsp, bram36, uram;
	int64_t lut, ff;
	double dram_gbps;      /* peak DRAM bandwidth of the board's memory the PL reaches */
	double freq_mhz;       /* typical clock of a DSP-based accelerator on this part */
	int dsp_a_bits, dsp_b_bits; /* multiplier port widths: 27x18 (DSP48E2) or 25x18 (DSP48E1) */
	const char *source;
};

/* DSP slices of a signed a x b bit product with a full-width result in Yosys's
 * synth_xilinx (mul2dsp), a_max the DSP's wider port (27 DSP48E2, 25 DSP48E1). Pure. */
int64_t hw_mul_dsp(int64_t a, int64_t b, int64_t a_max);

/* Resources a configuration uses, and whether it fits its device. */
struct hw_resources {
	int64_t dsp, bram36, lut, ff;
	int64_t bram_halves;           /* BRAM18 halves (RAMB18 = 1, RAMB36 = 2) the memories
					* take; bram36 rounds them up to whole BRAM36 */
	int64_t array_dsp;             /* of dsp, the PE array's multipliers (docs/resources.md
					* "DSP"); the rest: the DMA's 3 and the output stage */
	int64_t macs_per_dsp_x100;     /* packing, for the docs (100 = one MAC per DSP) */
	int fits;                      /* 1 when every figure is within the device budget */
	char why[128];                 /* which budget is exceeded, "" when it fits */
};

/* The default configuration (a 16x16 WS array on ZCU102, docs/model.md). */
struct hw_config hw_config_default(void);

/* Validates every field; returns 0 or HN_EINVAL naming the field, its range and the value
 * (origin, e.g. the file name, is prefixed when not NULL). */
int hw_config_check(const struct hw_config *hw, const char *origin, struct hn_err *err);

/* Checks one integer field ("pe_rows", "act_bits", "ibuf_bytes", "double_buffer", ...) against
 * its range with hw_config_check's message, before a reader narrows the value into the
 * struct (so that 4294967312 is not read as 16). HN_EINVAL also for a name that is not an
 * integer field. */
int hw_config_check_field(const char *field, int64_t value, const char *origin,
			  struct hn_err *err);

/* Reads a config from JSON text / a file. Missing optional fields take the default's value;
 * unknown fields are an error (catches typos). */
int hw_config_parse_json(const char *text, size_t len, const char *origin,
			 struct hw_config *hw, struct hn_err *err);
int hw_config_load(const char *path, struct hw_config *hw, struct hn_err *err);

/* JSON text of a config that hw_config_parse_json reads back unchanged. Caller frees. */
char *hw_config_to_json(const struct hw_config *hw);

const char *hw_dataflow_name(enum hw_dataflow df); /* "ws", "os", "is" */
const char *hw_dataflow_title(enum hw_dataflow df); /* "weight stationary", ... */
int hw_dataflow_parse(const char *s);              /* or -1 */
const char *hw_packing_name(enum hw_packing pk);   /* "none", "dsp2", "dsp4", "lut" */
int hw_packing_parse(const char *s);               /* or -1 */
/* 0 when mac_packing pk is legal beside hw's dataflow and bit widths, else HN_EINVAL with a
 * message saying which rule it breaks (docs/hw_config.md). */
int hw_packing_check(const struct hw_config *hw, enum hw_packing pk, struct hn_err *err);

/* Device catalogue. hw_device_find returns NULL for an unknown name. */
int hw_device_count(void);
const struct hw_device *hw_device_at(int i);
const struct hw_device *hw_device_find(const char *name);

/* Resource estimate of a configuration (on its device's family; generic when no device).
 * Pure. docs/resources.md gives the rules. */
void hw_resources(const struct hw_config *hw, struct hw_resources *out);
/* The AXI top's bus (rtl/hwnas_axi.v's AXI_DW, MAXB, MAXOUT): data bits (64, 128 or 256),
 * beats a burst, bursts outstanding per direction (a space's "axi", `hwnas synth --axi`, an
 * export bundle's header). */
struct hw_axi_bus {
	int32_t dw, maxb, maxout;
};

/* The parameters of the AXI top's own logic (the AXI master rtl/hwnas_axi_mem.v, the
 * AXI4-Lite slave rtl/hwnas_axil.v, the glue of rtl/hwnas_axi.v) as the RTL gets them: the
 * bus, element bits, each buffer's lanes and DMA beat words (INB, WNB, ONB), the staging
 * words SW (the deepest buffer half). */
struct hw_axi_shape {
	int64_t dw, maxb, maxout;
	int64_t a_bits, w_bits, acc_bits;
	int64_t ilanes, wlanes, olanes;
	int64_t inb, wnb, onb;
	int64_t sw;
};

/* The shape the AXI top built for hw on bus has (sim_synth_params_from_hw's beats and dense
 * depths). Pure. */
void hw_axi_shape_of(const struct hw_config *hw, const struct hw_axi_bus *bus,
		     struct hw_axi_shape *out);
/* LUTs and FFs of the AXI top's own logic (everything but hwnas_top and the staging memory's
 * block RAM): a structural count with constants fitted to Yosys 0.23 synth_xilinx of the
 * points in tests/data/synth/axi_master.csv (docs/resources.md "The AXI top";
 * bench/axi_lut.sh measures them again). Pure. */
void hw_axi_logic(const struct hw_axi_shape *s, int64_t *lut, int64_t *ff);
/* One row of tests/data/synth/axi_master.csv: a synthesis of the AXI top's own logic. */
struct hw_axi_point {
	char name[64], set[8], rtl[64]; /* set: "fit" or "held"; rtl: the commit measured */
	struct hw_axi_shape s;         /* the shape of the row's hwnas_axi parameters */
	int64_t lut, ff;               /* Yosys's figures */
};
/* Parses line (name,set,rows,cols,df,a_bits,w_bits,acc_bits,inb,wnb,onb,idepth,wdepth,odepth,
 * dw,maxb,maxout,lut,ff,rtl) into *p. Returns 0, 1 for a comment or blank line, -1 for a line
 * it cannot read (fewer fields, LUT or FF not positive). Pure. */
int hw_axi_point_parse(const char *line, struct hw_axi_point *p);
/* DSP slices hw_resources counts that the AXI top (rtl/hwnas_axi.v, docs/deploy.md) does not
 * build: the DMA's byte-count product, unused there (the AXI master counts its bytes
 * itself). The AXI top's DSP = hw_resources' - this. Pure. */
int64_t hw_axi_dsp_delta(const struct hw_config *hw);
/* BRAM18 halves of the AXI master's staging memory (rtl/hwnas_axi_mem.v), which hwnas_top
 * does not have: one simple dual-port memory, counted by hw_memory_bram_halves. Pure. */
int64_t hw_axi_staging_bram_halves(const struct hw_config *hw);
/* The AXI top's estimate on bus: hw_resources less hw_axi_dsp_delta DSPs, plus the staging
 * memory's halves (BRAM36 rounded up over the sum), plus hw_axi_logic's LUTs and FFs; fits /
 * why against the device again. Pure. */
void hw_axi_resources(const struct hw_config *hw, const struct hw_axi_bus *bus,
		      struct hw_resources *out);

/* BRAM36 blocks of one buffer of bytes, read width_bits wide per cycle: the count of the
 * best aspect ratio (BRAM36 or BRAM18 halves), rounded up to whole BRAM36. Pure. */
int64_t hw_buffer_bram36(int64_t bytes, int64_t width_bits);

/* BRAM18 halves (a BRAM36 = 2) Yosys maps one simple dual-port memory of depth lines to,
 * each line `groups` write-enable groups of group_bits (1 group: written whole). Pure. */
int64_t hw_memory_bram_halves(int64_t group_bits, int64_t groups, int64_t depth);

/* Bytes of one element. */
static inline int64_t hw_act_bytes(const struct hw_config *hw) { return (hw->act_bits + 7) / 8; }
static inline int64_t hw_weight_bytes(const struct hw_config *hw) { return (hw->weight_bits + 7) / 8; }
static inline int64_t hw_acc_bytes(const struct hw_config *hw) { return (hw->acc_bits + 7) / 8; }

/* DRAM bytes per clock cycle: dram_gbps * 1e9 / (freq_mhz * 1e6). */
static inline double hw_dram_bytes_per_cycle(const struct hw_config *hw)
{
	return hw->dram_gbps * 1000.0 / hw->freq_mhz;
}

/* Energy per action, picojoules (defaults and sources in hw/hw_energy.c; overridable by a
 * JSON file, docs/model.md "Energy"). */
struct hw_energy {
	double mac_pj[3];          /* one MAC at 4, 8, 16 bits (index 0, 1, 2) */
	double sram_pj_per_byte_small;  /* buffer <= 32 KiB */
	double sram_pj_per_byte_medium; /* buffer <= 256 KiB */
	double sram_pj_per_byte_large;  /* larger buffers */
	double dram_pj_per_byte;
	double static_mw;          /* static power of the accelerator's share of the device */
	double reg_pj_per_byte;    /* array-internal register transfer (PE to PE) */
};

struct hw_energy hw_energy_default(void);
/* Every figure finite and >= 0; HN_EINVAL naming the field otherwise (origin prefixed). */
int hw_energy_check(const struct hw_energy *e, const char *origin, struct hn_err *err);
/* A JSON object with any subset of the fields (docs/hw_config.md "Energy table"); missing
 * fields take hw_energy_default()'s value, unknown fields are an error. */
int hw_energy_parse_json(const char *text, size_t len, const char *origin,
			 struct hw_energy *e, struct hn_err *err);
int hw_energy_load(const char *path, struct hw_energy *e, struct hn_err *err);
/* JSON text of a table that hw_energy_parse_json reads back unchanged. Caller frees. */
char *hw_energy_to_json(const struct hw_energy *e);
/* One MAC at bits (4, 8 or 16; the wider of act_bits and weight_bits): <= 4 takes mac_pj[0],
 * <= 8 mac_pj[1], wider mac_pj[2]. */
double hw_energy_mac_pj(const struct hw_energy *e, int bits);
/* By the buffer's total size in bytes: <= 32 KiB small, <= 256 KiB medium, else large. */
double hw_energy_sram_pj_per_byte(const struct hw_energy *e, int64_t buf_bytes);

#endif
