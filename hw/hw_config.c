/* hw_config.c: the default accelerator configuration, its validation and the dataflow names.
 * docs/hw_config.md lists every field with unit, range and default; keep the two in step. */
#include "hw.h"

#include <stdio.h>
#include <string.h>

/* How a field's allowed values are spelled in the error message. */
enum range_kind {
	RANGE_SPAN,  /* lo .. hi */
	RANGE_BITS,  /* 4, 8 or 16 */
	RANGE_BOOL   /* 0 or 1 */
};

struct int_field {
	const char *name;
	int64_t lo, hi;
	enum range_kind kind;
	const char *note;    /* appended to the range, e.g. the unit */
};

#define HW_BUF_MIN 64LL
#define HW_BUF_MAX (1LL << 30)

/* The integer fields and their ranges: the one place they are written down. */
static const struct int_field int_fields[] = {
	{ "pe_rows", 1, 256, RANGE_SPAN, "" },
	{ "pe_cols", 1, 256, RANGE_SPAN, "" },
	{ "act_bits", 4, 16, RANGE_BITS, "" },
	{ "weight_bits", 4, 16, RANGE_BITS, "" },
	{ "acc_bits", 8, 64, RANGE_SPAN, "" },
	{ "ibuf_bytes", HW_BUF_MIN, HW_BUF_MAX, RANGE_SPAN, " (64 B .. 1 GiB)" },
	{ "wbuf_bytes", HW_BUF_MIN, HW_BUF_MAX, RANGE_SPAN, " (64 B .. 1 GiB)" },
	{ "obuf_bytes", HW_BUF_MIN, HW_BUF_MAX, RANGE_SPAN, " (64 B .. 1 GiB)" },
	{ "double_buffer", 0, 1, RANGE_BOOL, "" },
	{ "dram_latency_cycles", 0, 100000, RANGE_SPAN, " cycles" },
};

/* The ranges the model computes exactly (issue 14): at 1e-300 MHz or GB/s a layer's cycle
 * count overflowed int64. From 1 MHz and 0.1 GB/s the DRAM moves at least 0.05 B/cycle, so a
 * layer's cycles stay far inside int64 (docs/hw_config.md). */
#define HW_FREQ_MIN_MHZ 1.0
#define HW_FREQ_MAX_MHZ 2000.0
#define HW_DRAM_MIN_GBPS 0.1
#define HW_DRAM_MAX_GBPS 10000.0

/* The one table of dataflow names (calib_json.c, the report and the CLI call these). */
static const char *const dataflow_names[HW_DF_COUNT] = { "ws", "os", "is" };
static const char *const dataflow_titles[HW_DF_COUNT] = {
	"weight stationary", "output stationary", "input stationary",
};
static const char *const packing_names[HW_PACK_COUNT] = { "none", "dsp2", "dsp4", "lut" };

struct hw_config hw_config_default(void)
{
	struct hw_config hw;

	memset(&hw, 0, sizeof(hw)); /* zero padding too, so that configs can be hashed */
	hw.pe_rows = 16;
	hw.pe_cols = 16;
	hw.dataflow = HW_WS;
	hw.act_bits = 8;
	hw.weight_bits = 8;
	hw.acc_bits = 32;
	hw.ibuf_bytes = 64 * 1024;
	hw.wbuf_bytes = 64 * 1024;
	hw.obuf_bytes = 64 * 1024;
	hw.double_buffer = 1;
	hw.freq_mhz = 200.0;
	hw.dram_gbps = 19.2;         /* ZCU102 PS DDR4, hw_device.c */
	hw.dram_latency_cycles = 100;
	hn_strlcpy(hw.device, "zcu102", sizeof(hw.device));
	return hw;
}

const char *hw_dataflow_name(enum hw_dataflow df)
{
	if ((int)df < 0 || (int)df >= (int)(sizeof(dataflow_names) / sizeof(dataflow_names[0])))
		return "?";
	return dataflow_names[df];
}

const char *hw_dataflow_title(enum hw_dataflow df)
{
	return (unsigned)df < HW_DF_COUNT ? dataflow_titles[df] : "?";
}

int hw_dataflow_parse(const char *s)
{
	for (int i = 0; s && i < (int)(sizeof(dataflow_names) / sizeof(dataflow_names[0])); i++)
		if (!strcmp(s, dataflow_names[i]))
			return i;
	return -1;
}

const char *hw_packing_name(enum hw_packing pk)
{
	if ((int)pk < 0 || (int)pk >= HW_PACK_COUNT)
		return "?";
	return packing_names[pk];
}

int hw_packing_parse(const char *s)
{
	for (int i = 0; s && i < HW_PACK_COUNT; i++)
		if (!strcmp(s, packing_names[i]))
			return i;
	return -1;
}

/* The port widths behind the rules (hwnas_pkmul.v): two products of an a-bit and a w-bit
 * value need fields of a + w bits, so dsp2's wide operand is a + w + 8 <= 24 bits at 8 bits
 * (a 25x18 DSP48E1 or 27x18 DSP48E2 port); dsp4's two ports are a + w + 4 = 12 and
 * 2 (a + w) + 4 = 20 bits at 4 bits; at 4x8 they would be 16 and 32 (> 27). */
int hw_packing_check(const struct hw_config *hw, enum hw_packing pk, struct hn_err *err)
{
	switch (pk) {
	case HW_PACK_NONE:
		return 0;
	case HW_PACK_DSP2:
		if (hw->act_bits > 8 || hw->weight_bits > 8)
			return hn_fail(err, HN_EINVAL, "'mac_packing' dsp2 needs act_bits and "
				       "weight_bits of at most 8 (two products in one 25x18 or 27x18 "
				       "multiply), got %d and %d", hw->act_bits, hw->weight_bits);
		return 0;
	case HW_PACK_DSP4:
		if (hw->act_bits != 4 || hw->weight_bits != 4)
			return hn_fail(err, HN_EINVAL, "'mac_packing' dsp4 needs act_bits = "
				       "weight_bits = 4 (four products in one multiply), got %d and %d",
				       hw->act_bits, hw->weight_bits);
		if (hw->dataflow != HW_OS)
			return hn_fail(err, HN_EINVAL, "'mac_packing' dsp4 needs dataflow os (a 2 x 2 "
				       "block's two activations times two weights is an outer product "
				       "only there; in %s four PEs sharing one operand need a 28-bit "
				       "port), got %s", hw_dataflow_name(hw->dataflow),
				       hw_dataflow_name(hw->dataflow));
		return 0;
	case HW_PACK_LUT:
		if (hw->act_bits != 4 && hw->weight_bits != 4)
			return hn_fail(err, HN_EINVAL, "'mac_packing' lut needs act_bits or weight_bits "
				       "= 4 (shift-and-add over the 4-bit operand), got %d and %d",
				       hw->act_bits, hw->weight_bits);
		return 0;
	}
	return hn_fail(err, HN_EINVAL, "'mac_packing' must be none, dsp2, dsp4 or lut, got %d",
		       (int)pk);
}

static const struct int_field *find_int_field(const char *name)
{
	for (size_t i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]); i++)
		if (!strcmp(int_fields[i].name, name))
			return &int_fields[i];
	return NULL;
}

static int in_range(const struct int_field *f, int64_t v)
{
	if (f->kind == RANGE_BITS)
		return v == 4 || v == 8 || v == 16;
	return v >= f->lo && v <= f->hi;
}

int hw_config_check_field(const char *field, int64_t value, const char *origin,
			  struct hn_err *err)
{
	const struct int_field *f = find_int_field(field);
	int ret = 0;

	if (!f) {
		ret = hn_fail(err, HN_EINVAL, "'%s' is not an integer field", field);
		goto out_prefix;
	}
	if (in_range(f, value))
		return 0;
	switch (f->kind) {
	case RANGE_BITS:
		ret = hn_fail(err, HN_EINVAL, "'%s' must be 4, 8 or 16, got %lld", f->name,
			      (long long)value);
		break;
	case RANGE_BOOL:
		ret = hn_fail(err, HN_EINVAL, "'%s' must be 0 or 1 (false or true), got %lld",
			      f->name, (long long)value);
		break;
	case RANGE_SPAN:
		ret = hn_fail(err, HN_EINVAL, "'%s' must be between %lld and %lld%s, got %lld",
			      f->name, (long long)f->lo, (long long)f->hi, f->note,
			      (long long)value);
		break;
	}
out_prefix:
	if (origin)
		hn_err_prefix(err, origin);
	return ret;
}

/* "zcu102, zcu104, ..." into buf. */
static void device_list(char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < hw_device_count() && o < size; i++) {
		int n = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", hw_device_at(i)->name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int check_device(const char *device, struct hn_err *err)
{
	char known[256];

	if (!memchr(device, '\0', HW_NAME_MAX))
		return hn_fail(err, HN_EINVAL, "'device' must be at most %d bytes (UTF-8)",
			       HW_NAME_MAX - 1);
	if (device[0] == '\0' || hw_device_find(device))
		return 0;
	device_list(known, sizeof(known));
	return hn_fail(err, HN_EINVAL,
		       "'device' \"%s\" is not in the catalogue; known devices: %s (or \"\" for none)",
		       device, known);
}

/* Checks in field order, so the first bad field of a file is the one reported. */
static int check_all(const struct hw_config *hw, struct hn_err *err)
{
	const struct { const char *name; int64_t v; } head[] = {
		{ "pe_rows", hw->pe_rows },
		{ "pe_cols", hw->pe_cols },
	}, tail[] = {
		{ "act_bits", hw->act_bits },
		{ "weight_bits", hw->weight_bits },
		{ "acc_bits", hw->acc_bits },
		{ "ibuf_bytes", hw->ibuf_bytes },
		{ "wbuf_bytes", hw->wbuf_bytes },
		{ "obuf_bytes", hw->obuf_bytes },
		{ "double_buffer", hw->double_buffer },
	};
	int ret;

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if ((ret = hw_config_check_field(head[i].name, head[i].v, NULL, err)) != 0)
			return ret;
	if ((int)hw->dataflow < HW_WS || (int)hw->dataflow > HW_IS)
		return hn_fail(err, HN_EINVAL, "'dataflow' must be ws, os or is, got %d",
			       (int)hw->dataflow);
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++) {
		if ((ret = hw_config_check_field(tail[i].name, tail[i].v, NULL, err)) != 0)
			return ret;
		/* The relation needs both widths, so it comes right after acc_bits' range. */
		if (!strcmp(tail[i].name, "acc_bits") &&
		    hw->acc_bits < hw->act_bits + hw->weight_bits)
			return hn_fail(err, HN_EINVAL,
				       "'acc_bits' must be at least act_bits + weight_bits = %d so "
				       "that one product does not overflow the accumulator, got %d",
				       hw->act_bits + hw->weight_bits, hw->acc_bits);
		/* mac_packing comes after acc_bits in the file; its rules need the widths. */
		if (!strcmp(tail[i].name, "acc_bits") &&
		    (ret = hw_packing_check(hw, hw->mac_packing, err)) != 0)
			return ret;
	}
	/* Written as !(inside) so that NaN is rejected too. */
	if (!(hw->freq_mhz >= HW_FREQ_MIN_MHZ && hw->freq_mhz <= HW_FREQ_MAX_MHZ))
		return hn_fail(err, HN_EINVAL, "'freq_mhz' must be in [%g, %g] MHz, got %g",
			       HW_FREQ_MIN_MHZ, HW_FREQ_MAX_MHZ, hw->freq_mhz);
	if (!(hw->dram_gbps >= HW_DRAM_MIN_GBPS && hw->dram_gbps <= HW_DRAM_MAX_GBPS))
		return hn_fail(err, HN_EINVAL, "'dram_gbps' must be in [%g, %g] GB/s, got %g",
			       HW_DRAM_MIN_GBPS, HW_DRAM_MAX_GBPS, hw->dram_gbps);
	if ((ret = hw_config_check_field("dram_latency_cycles", hw->dram_latency_cycles, NULL,
					 err)) != 0)
		return ret;
	return check_device(hw->device, err);
}

int hw_config_check(const struct hw_config *hw, const char *origin, struct hn_err *err)
{
	int ret = check_all(hw, err);

	if (ret && origin)
		hn_err_prefix(err, origin);
	return ret;
}
