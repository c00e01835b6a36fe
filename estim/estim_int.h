/* estim_int.h: helpers shared inside estim/ only. */
#ifndef ESTIM_INT_H
#define ESTIM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "../common/hn.h"

static inline double estim_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64: the seeded stream of the split and the trees' subsamples. */
static inline uint64_t estim_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A checksummed text file: the body's FNV-1a 64 on a last line "checksum <16 hex>".
 * estim_file_body checks it and returns the body's length, or HN_EINVAL naming the file
 * ("damaged: ..."). */
int estim_file_body(const char *text, size_t len, const char *path, size_t *body_len,
		    struct hn_err *err);
int estim_file_write(const char *path, const char *body, size_t len, struct hn_err *err);
/* Writes text as it is (it carries its checksum line already). */
int estim_file_write_text(const char *path, const char *text, size_t len, struct hn_err *err);

/* A growing text buffer; estim_bprintf appends (0, HN_EINVAL, HN_ENOMEM). Free b.p. */
struct estim_buf { char *p; size_t n, cap; };
int estim_bprintf(struct estim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends b with its checksum line: the text (the caller frees it) and *len, or NULL (b freed)
 * when ret, the earlier appends' result, or this one failed. */
char *estim_buf_finish(struct estim_buf *b, int ret, size_t *len);
/* Writes the text to_text made of an object (NULL: out of memory) to path, frees it. */
int estim_save_text(char *text, size_t len, const char *path, struct hn_err *err);
/* The next line of [*p, end) into line (without '\n', truncated to size); 0 at the end. */
int estim_next_line(const char **p, const char *end, char *line, size_t size);
/* The value of a "key value" line, or NULL. */
const char *estim_header(const char *line, const char *key);
/* Reads the lines "format F V" (after '#' comments) and "cost_model_version N"; HN_EINVAL
 * naming path for another format, version or COST_MODEL_VERSION. */
int estim_header_check(const char *path, const char **p, const char *end, const char *format,
		       int format_version, char *line, size_t size, int *lineno, struct hn_err *err);

#endif
