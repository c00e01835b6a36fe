/* fuzz_hw_json: the accelerator config reader (hw_config_parse_json); an accepted config
 * passes hw_config_check, reads back unchanged from hw_config_to_json, and has a resource
 * estimate. */
#include "fuzz.h"
#include "../hw/hw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct hw_config hw, back;
	struct hw_resources res;
	struct hn_err err = { 0 };
	int ret;

	ret = hw_config_parse_json(text, size, "fuzz.json", &hw, &err);
	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free_text;
	}
	FUZZ_ASSERT(hw_config_check(&hw, NULL, &err) == 0);
	out = hw_config_to_json(&hw);
	FUZZ_ASSERT(out != NULL);
	ret = hw_config_parse_json(out, strlen(out), "written.json", &back, &err);
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(back.pe_rows == hw.pe_rows && back.pe_cols == hw.pe_cols);
	FUZZ_ASSERT(back.dataflow == hw.dataflow && back.act_bits == hw.act_bits);
	FUZZ_ASSERT(back.weight_bits == hw.weight_bits && back.acc_bits == hw.acc_bits);
	FUZZ_ASSERT(back.ibuf_bytes == hw.ibuf_bytes && back.wbuf_bytes == hw.wbuf_bytes);
	FUZZ_ASSERT(back.obuf_bytes == hw.obuf_bytes && back.double_buffer == hw.double_buffer);
	FUZZ_ASSERT(back.freq_mhz == hw.freq_mhz && back.dram_gbps == hw.dram_gbps);
	FUZZ_ASSERT(back.dram_latency_cycles == hw.dram_latency_cycles);
	FUZZ_ASSERT(!strcmp(back.device, hw.device));
	free(out);
	hw_resources(&hw, &res);
	FUZZ_ASSERT(res.dsp >= 0 && res.bram36 >= 0 && res.lut >= 0 && res.ff >= 0);
	FUZZ_ASSERT(res.fits || res.why[0]);
out_free_text:
	free(text);
	return 0;
}
