/* fuzz_estim_pred: the predictor reader (estim_pred_parse); an accepted predictor is written
 * back and read again, and predicts the same cycles for a layer. */
#include <math.h>

#include <inttypes.h>

#include "fuzz_estim.h"
#include "../estim/estim.h"
#include "../estim/estim_int.h"

static int one(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct estim_pred p, back;
	struct hn_err err = { 0 };
	size_t len;
	int ret = estim_pred_parse(text, size, "fuzz.pred", &p, &err);

	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free;
	}
	out = estim_pred_to_text(&p, &len);
	FUZZ_ASSERT(out != NULL);
	FUZZ_ASSERT(estim_pred_parse(out, len, "written.pred", &back, &err) == 0);
	{
		struct hw_config hw = hw_config_default();
		struct arch_layer l = arch_conv("c", 1, 16, 14, 14, 32, 3, 1, 1, 1);
		double a = estim_pred_layer(&p, &l, &hw), b = estim_pred_layer(&back, &l, &hw);
		FUZZ_ASSERT(a >= 1.0 && a <= ESTIM_PRED_MAX_CYCLES);
		FUZZ_ASSERT(a == b);
	}
	estim_pred_release(&back);
	estim_pred_release(&p);
	free(out);
out_free:
	free(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_estim_signed(data, size, one);
	return 0;
}
