#include "hn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t hn_stop_signal;

const char *hn_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" :
	       "a signal";
}

int hn_fail(struct hn_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap, ap2;
		int n;
		va_start(ap, fmt);
		va_copy(ap2, ap);
		n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		if (n >= (int)sizeof(err->msg)) {
			/* Too long (a long path): keep the start and the end, where the reason
			 * is, with "..." between, rather than cut the reason off. */
			char *full = malloc((size_t)n + 1);
			if (full) {
				const size_t head = 160, tail = sizeof(err->msg) - head - 6;
				vsnprintf(full, (size_t)n + 1, fmt, ap2);
				memcpy(err->msg, full, head);
				memcpy(err->msg + head, " ... ", 5);
				memcpy(err->msg + head + 5, full + n - tail, tail);
				err->msg[head + 5 + tail] = '\0';
				free(full);
			}
		}
		va_end(ap2);
		va_end(ap);
		err->code = code;
	}
	return code;
}

void hn_err_prefix(struct hn_err *err, const char *prefix)
{
	char tmp[sizeof(err->msg)];
	size_t plen;

	if (!err || !prefix)
		return;
	memcpy(tmp, err->msg, sizeof(tmp));
	plen = strlen(prefix);
	if (plen + 2 >= sizeof(err->msg))
		plen = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, ": ", 2);
	hn_strlcpy(err->msg + plen + 2, tmp, sizeof(err->msg) - plen - 2);
}

uint64_t hn_fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

void hn_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

#define HN_READ_MAX ((size_t)256 << 20)

int hn_read_file(const char *path, char **buf, size_t *len, struct hn_err *err)
{
	FILE *f;
	char *data = NULL;
	size_t cap = 0, n = 0;
	int ret = 0, fd;
	struct stat sb;

	/* Opened without blocking, so a FIFO without a writer cannot hang the open; only a
	 * regular file is read (a FIFO or a device has no end a reader can count on). */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return hn_fail(err, HN_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0) {
		ret = hn_fail(err, HN_EIO, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return hn_fail(err, HN_EIO, "%s: read error: Is a directory", path);
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return hn_fail(err, HN_EIO, "%s: not a regular file (%s); hwnas reads its inputs "
			       "from regular files only", path, S_ISFIFO(sb.st_mode) ? "a FIFO or pipe" :
			       S_ISSOCK(sb.st_mode) ? "a socket" : S_ISCHR(sb.st_mode) ?
			       "a character device" : "a block device");
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "rb");
	if (!f) {
		ret = hn_fail(err, HN_EIO, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			/* Inputs are small; the bound stops /dev/zero from taking all memory. */
			if (cap >= HN_READ_MAX) {
				ret = hn_fail(err, HN_EIO, "%s: larger than %d MiB, not an input file",
					      path, (int)(HN_READ_MAX >> 20));
				goto out_close;
			}
			size_t ncap = cap ? cap * 2 : 65536;
			char *p = realloc(data, ncap);
			if (!p) {
				ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
				goto out_close;
			}
			data = p;
			cap = ncap;
		}
		size_t got = fread(data + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = hn_fail(err, HN_EIO, "%s: read error: %s", path, strerror(errno));
		goto out_close;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	data = NULL;
out_close:
	free(data);
	fclose(f);
	return ret;
}

FILE *hn_fopen_out(const char *path, struct hn_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
	FILE *f;

	if (fd < 0) {
		if (errno == ENXIO)
			hn_fail(err, HN_EIO, "%s: cannot write: a FIFO that nobody reads", path);
		else
			hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno));
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "w");
	if (!f) {
		hn_fail(err, HN_EIO, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int hn_grow(void *items, int64_t n, int64_t *cap, size_t elem, int64_t first)
{
	void *p;
	int64_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : first;
	memcpy(&p, items, sizeof(p));
	p = realloc(p, (size_t)c * elem);
	if (!p)
		return HN_ENOMEM;
	memcpy(items, &p, sizeof(p));
	*cap = c;
	return 0;
}
