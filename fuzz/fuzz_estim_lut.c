/* fuzz_estim_lut: the lookup-table reader (estim_lut_parse); an accepted table is written
 * back and read again with the same entries. */
#include <inttypes.h>

#include "fuzz_estim.h"
#include "../estim/estim.h"
#include "../estim/estim_int.h"

static int one(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct estim_lut t, back;
	struct hn_err err = { 0 };
	size_t len;
	int ret = estim_lut_parse(text, size, "fuzz.lut", &t, &err);

	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_release;
	}
	out = estim_lut_to_text(&t, &len);
	FUZZ_ASSERT(out != NULL);
	FUZZ_ASSERT(estim_lut_parse(out, len, "written.lut", &back, &err) == 0);
	FUZZ_ASSERT(back.n == t.n && back.source == t.source && back.greedy == t.greedy &&
		    back.energy_hash == t.energy_hash);
	for (int64_t i = 0; i < t.cap; i++) {
		if (!t.used[i])
			continue;
		const struct estim_lut_entry *e = estim_lut_get(&back, &t.e[i].key);
		FUZZ_ASSERT(e && e->cycles == t.e[i].cycles && e->dram_bytes == t.e[i].dram_bytes);
	}
	estim_lut_release(&back);
	free(out);
out_release:
	estim_lut_release(&t);
	free(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_estim_signed(data, size, one);
	return 0;
}
