/* fuzz_estim.h: the entry point the estimator file targets share (fuzz_estim_lut.c,
 * fuzz_estim_pred.c). Their files end in a checksum line, so most inputs are refused before
 * the parser: each input is fed as it is and again with its own checksum line appended. */
#ifndef FUZZ_ESTIM_H
#define FUZZ_ESTIM_H

#include <inttypes.h>

#include "fuzz.h"
#include "../estim/estim_int.h"

static inline void fuzz_estim_signed(const uint8_t *data, size_t size,
				     int (*one)(const uint8_t *, size_t))
{
	char line[32];
	int n = snprintf(line, sizeof(line), "checksum %016" PRIx64 "\n",
			 hn_fnv1a(HN_FNV_START, data, size));
	uint8_t *signed_ = malloc(size + (size_t)n);

	if (!signed_)
		abort();
	one(data, size);
	memcpy(signed_, data, size);
	memcpy(signed_ + size, line, (size_t)n);
	one(signed_, size + (size_t)n);
	free(signed_);
}

#endif
