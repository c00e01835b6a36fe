/* estim_file.c: the checksummed text files of estim/ (the lookup table, the predictors):
 * writing with a checksum line, checking it, and reading the common header. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estim.h"
#include "estim_int.h"

/* ---- Files ---- */

int estim_file_write_text(const char *path, const char *text, size_t len, struct hn_err *err)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno));
	if (fwrite(text, 1, len, f) != len)
		ret = hn_fail(err, HN_EIO, "%s: write failed: %s", path, strerror(errno));
	if (fclose(f) && !ret)
		ret = hn_fail(err, HN_EIO, "%s: write failed: %s", path, strerror(errno));
	return ret;
}

int estim_file_write(const char *path, const char *body, size_t len, struct hn_err *err)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "checksum %016" PRIx64 "\n",
			 hn_fnv1a(HN_FNV_START, body, len));
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno));
	if (fwrite(body, 1, len, f) != len || fwrite(line, 1, (size_t)n, f) != (size_t)n)
		ret = hn_fail(err, HN_EIO, "%s: write failed: %s", path, strerror(errno));
	if (fclose(f) && !ret)
		ret = hn_fail(err, HN_EIO, "%s: write failed: %s", path, strerror(errno));
	return ret;
}

int estim_file_body(const char *text, size_t len, const char *path, size_t *body_len,
		    struct hn_err *err)
{
	size_t end = len;
	const char *last;
	uint64_t want;
	char *stop;

	if (end && text[end - 1] == '\n')
		end--;
	last = end ? memrchr(text, '\n', end) : NULL;
	last = last ? last + 1 : text;
	if (end - (size_t)(last - text) != 25 || strncmp(last, "checksum ", 9))
		return hn_fail(err, HN_EINVAL, "%s: damaged: no 'checksum' last line (truncated?)",
			       path);
	errno = 0;
	want = strtoull(last + 9, &stop, 16);
	if (errno || stop != text + end)
		return hn_fail(err, HN_EINVAL, "%s: damaged: malformed 'checksum' line", path);
	*body_len = (size_t)(last - text);
	if (hn_fnv1a(HN_FNV_START, text, *body_len) != want)
		return hn_fail(err, HN_EINVAL, "%s: damaged: the checksum does not match its "
			       "contents (edited or corrupted)", path);
	return 0;
}

int estim_bprintf(struct estim_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return HN_EINVAL;
		if (b->p && b->n + (size_t)n < b->cap) {
			b->n += (size_t)n;
			return 0;
		}
		size_t cap = b->cap ? 2 * b->cap : 4096;
		while (cap <= b->n + (size_t)n)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return HN_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
}

/* The next line of the body into line (without '\n'); 0 at the end. */
int estim_next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	n = (size_t)(nl - *p);
	if (n >= size)
		n = size - 1;
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = nl < end ? nl + 1 : end;
	return 1;
}

/* "key value" header line: the value after "key ", or NULL. */
const char *estim_header(const char *line, const char *key)
{
	size_t n = strlen(key);
	return !strncmp(line, key, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

/* Reads the lines "format F V" and "cost_model_version N" after comments; refuses others. */
int estim_header_check(const char *path, const char **p, const char *end, const char *format,
		       int format_version, char *line, size_t size, int *lineno, struct hn_err *err)
{
	const char *v;
	char fmt[32];
	int ver;

	do {
		if (!estim_next_line(p, end, line, size))
			return hn_fail(err, HN_EINVAL, "%s: empty", path);
		(*lineno)++;
	} while (line[0] == '#');
	if (!(v = estim_header(line, "format")) || sscanf(v, "%31s %d", fmt, &ver) != 2 ||
	    strcmp(fmt, format))
		return hn_fail(err, HN_EINVAL, "%s: not a %s file (line %d: 'format %s' expected)",
			       path, format, *lineno, format);
	if (ver != format_version)
		return hn_fail(err, HN_EINVAL, "%s: format version %d, this hwnas reads %d", path,
			       ver, format_version);
	if (!estim_next_line(p, end, line, size) || ((*lineno)++, !(v = estim_header(line, "cost_model_version"))))
		return hn_fail(err, HN_EINVAL, "%s: line %d: 'cost_model_version' expected", path,
			       *lineno);
	if (atoi(v) != COST_MODEL_VERSION)
		return hn_fail(err, HN_EINVAL, "%s: made with COST_MODEL_VERSION %d, this hwnas's "
			       "cost model is version %d: its figures are out of date (measure it "
			       "again)", path, atoi(v), COST_MODEL_VERSION);
	return 0;
}


char *estim_buf_finish(struct estim_buf *b, int ret, size_t *len)
{
	ret |= estim_bprintf(b, "checksum %016" PRIx64 "\n", hn_fnv1a(HN_FNV_START, b->p, b->n));
	if (ret) {
		free(b->p);
		return NULL;
	}
	*len = b->n;
	return b->p;
}

int estim_save_text(char *text, size_t len, const char *path, struct hn_err *err)
{
	int ret;

	if (!text)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
	ret = estim_file_write_text(path, text, len, err);
	free(text);
	return ret;
}
