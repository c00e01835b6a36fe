/* fuzz_energy_json: the energy table reader (hw_energy_parse_json); an accepted table passes
 * hw_energy_check and reads back unchanged from hw_energy_to_json. */
#include "fuzz.h"
#include "../hw/hw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct hw_energy e, back;
	struct hn_err err = { 0 };
	int ret;

	ret = hw_energy_parse_json(text, size, "fuzz.json", &e, &err);
	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free_text;
	}
	FUZZ_ASSERT(hw_energy_check(&e, NULL, &err) == 0);
	out = hw_energy_to_json(&e);
	FUZZ_ASSERT(out != NULL);
	ret = hw_energy_parse_json(out, strlen(out), "written.json", &back, &err);
	FUZZ_ASSERT(ret == 0);
	for (int i = 0; i < 3; i++)
		FUZZ_ASSERT(back.mac_pj[i] == e.mac_pj[i]);
	FUZZ_ASSERT(back.sram_pj_per_byte_small == e.sram_pj_per_byte_small);
	FUZZ_ASSERT(back.sram_pj_per_byte_medium == e.sram_pj_per_byte_medium);
	FUZZ_ASSERT(back.sram_pj_per_byte_large == e.sram_pj_per_byte_large);
	FUZZ_ASSERT(back.dram_pj_per_byte == e.dram_pj_per_byte);
	FUZZ_ASSERT(back.static_mw == e.static_mw && back.reg_pj_per_byte == e.reg_pj_per_byte);
	free(out);
out_free_text:
	free(text);
	return 0;
}
