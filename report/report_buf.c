/* report_buf.c: the growing string the report page and its SVG files are built in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void rbuf_init(struct rbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void rbuf_release(struct rbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Makes room for n more bytes and the NUL; 0 or -1 (oom latched). */
static int grow(struct rbuf *b, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = 1;
		return -1;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

static void put(struct rbuf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rbuf_puts(struct rbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

void rbuf_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put(b, small, (size_t)n);
		return;
	}
	if (grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rbuf_esc(struct rbuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		put(b, run, (size_t)(s - run));
		rbuf_puts(b, rep);
		run = s + 1;
	}
	put(b, run, (size_t)(s - run));
}

int rbuf_write(const struct rbuf *b, const char *path, struct hn_err *err)
{
	FILE *f;
	int bad;

	if (b->oom)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory building the report", path);
	f = hn_fopen_out(path, err);
	if (!f)
		return HN_EIO;
	bad = b->len && fwrite(b->s, 1, b->len, f) != b->len;
	bad |= fclose(f) != 0;
	return bad ? hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno)) : 0;
}
