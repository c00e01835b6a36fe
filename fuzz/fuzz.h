/* fuzz.h: helpers shared by the libFuzzer targets fuzz/fuzz_<parser>.c (docs/robustness.md).
 *
 * Each target feeds the bytes to one reader the way the tool does (hn_read_file gives a
 * NUL-terminated buffer and its length), then checks what a reader promises: an error has a
 * negative code and a non-empty message, and what it accepts survives the writer and the
 * reader again. A broken promise is a crash (FUZZ_ASSERT), which libFuzzer saves. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} } while (0)

/* A NUL-terminated copy of the input (caller frees), as hn_read_file would return it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (!t)
		abort();
	memcpy(t, data, size);
	t[size] = '\0';
	return t;
}

/* A reader's error: negative code, a message that is a non-empty string within the buffer. */
static inline void fuzz_check_error(int ret, const struct hn_err *err)
{
	FUZZ_ASSERT(ret < 0);
	FUZZ_ASSERT(err->code == ret);
	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	FUZZ_ASSERT(err->msg[0] != '\0');
}

#endif
