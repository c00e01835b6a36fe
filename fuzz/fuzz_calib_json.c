/* fuzz_calib_json: the calibration reader (cost_calib_parse_json); an accepted calibration is
 * written back and read again unchanged, and applying it to a report stays defined. */
#include "fuzz.h"
#include "../models/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct cost_calib c, back;
	struct hn_err err = { 0 };
	int ret = cost_calib_parse_json(text, size, "fuzz.json", &c, &err);

	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free_text;
	}
	out = cost_calib_to_json(&c);
	FUZZ_ASSERT(out != NULL);
	FUZZ_ASSERT(cost_calib_parse_json(out, strlen(out), "written.json", &back, &err) == 0);
	for (int d = 0; d < 3; d++)
		for (int b = 0; b < 2; b++) {
			FUZZ_ASSERT(back.cls[d][b].a == c.cls[d][b].a);
			FUZZ_ASSERT(back.cls[d][b].b == c.cls[d][b].b);
		}
	free(out);
	{
		struct hw_config hw = hw_config_default();
		struct cost_report r = { 0 };
		r.feasible = 1;
		r.compute_cycles = 1000;
		r.mem_cycles = 1500;
		r.cycles = 1600;
		r.macs = 256000;
		cost_calib_apply(&c, &hw, &r);
		FUZZ_ASSERT(r.cycles >= r.compute_cycles);
	}
out_free_text:
	free(text);
	return 0;
}
