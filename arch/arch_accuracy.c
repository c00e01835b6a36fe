/* arch_accuracy.c: where an architecture's accuracy comes from. The NAS-Bench-201 table
 * (measured, data/README.md), an external command the user names, a documented proxy for the
 * MobileNet space, and the quantisation penalty table (an assumption). docs/search.md. */
#include "arch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int arch_data_path(const char *name, char *path, size_t size, struct hn_err *err)
{
	const char *env = getenv("HWNAS_DATA");
	const char *dirs[3];
	int n = 0;

	if (env && env[0])
		dirs[n++] = env;
#ifdef HWNAS_SRCDIR
	dirs[n++] = HWNAS_SRCDIR "/data";
#endif
	dirs[n++] = "data";
	for (int i = 0; i < n; i++) {
		snprintf(path, size, "%s/%s", dirs[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return hn_fail(err, HN_ENOTFOUND, "cannot find data file '%s' (looked in $HWNAS_DATA%s, "
		       "./data); set HWNAS_DATA to the folder holding it", name,
#ifdef HWNAS_SRCDIR
		       ", " HWNAS_SRCDIR "/data"
#else
		       ""
#endif
		       );
}

int arch_nb201_table_load(const char *path, struct arch_nb201_table *t, struct hn_err *err)
{
	char *text = NULL;
	size_t len;
	int ret = hn_read_file(path, &text, &len, err);
	char *line, *save = NULL;
	int lineno = 0, rows = 0;
	unsigned char *seen;

	if (ret < 0)
		return ret;
	seen = calloc(ARCH_NB201_CELLS, 1);
	if (!seen) {
		free(text);
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", path);
	}
	hn_strlcpy(t->path, path, sizeof(t->path));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *p = line, *end;
		int ops[ARCH_NB201_EDGES], nf = 0;
		lineno++;
		if (lineno == 1) {
			if (strncmp(line, "index,arch,cifar10,cifar100,imagenet16_120", 42)) {
				ret = hn_fail(err, HN_EINVAL, "%s: line 1: header must be "
					      "'index,arch,cifar10,cifar100,imagenet16_120'", path);
				goto out_free;
			}
			continue;
		}
		while (nf < 5 && p) {
			f[nf++] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
		}
		if (nf != 5 || p) {
			ret = hn_fail(err, HN_EINVAL, "%s: line %d: want 5 fields", path, lineno);
			goto out_free;
		}
		ret = arch_nb201_parse(f[1], ops, err);
		if (ret < 0) {
			char where[300];
			snprintf(where, sizeof(where), "%s: line %d", path, lineno);
			hn_err_prefix(err, where);
			goto out_free;
		}
		int code = arch_nb201_code(ops);
		for (int d = 0; d < 3; d++) {
			double v = strtod(f[2 + d], &end);
			if (end == f[2 + d] || (*end && *end != '\r') || !(v >= 0 && v <= 100)) {
				ret = hn_fail(err, HN_EINVAL, "%s: line %d: accuracy '%s' is not a "
					      "percentage", path, lineno, f[2 + d]);
				goto out_free;
			}
			t->acc[d][code] = v;
		}
		rows += !seen[code];
		seen[code] = 1;
	}
	if (rows != ARCH_NB201_CELLS)
		ret = hn_fail(err, HN_EINVAL, "%s: %d distinct cells, want %d", path, rows,
			      ARCH_NB201_CELLS);
out_free:
	free(seen);
	free(text);
	return ret;
}

/* log10(MACs) fit, least squares over the ten MobileNetV2 width x resolution checkpoints of
 * the TensorFlow model zoo (Sandler et al. 2018; 56 M .. 582 M MACs, 60.3 .. 75.0 % top-1);
 * largest residual 1.24 points. Clamped to 0 .. 80 %. */
double arch_acc_proxy_mb(int64_t macs)
{
	double a;

	if (macs < 1)
		return 0.0;
	a = -50.74 + 14.45 * log10((double)macs);
	return a < 0 ? 0 : a > 80 ? 80 : a;
}

struct arch_quant_penalty arch_quant_penalty_default(void)
{
	/* ASSUMPTION, order of magnitude from Krishnamoorthi 2018 ("Quantizing deep
	 * convolutional networks for efficient inference", arXiv:1806.08342): 8-bit
	 * quantisation-aware training loses well under a point on ImageNet CNNs, 4-bit weights
	 * lose a few points. 16 bits is taken as lossless. */
	struct arch_quant_penalty q = { 3, { 4, 8, 16 }, { 4.0, 0.5, 0.0 } };
	return q;
}

double arch_quant_penalty_at(const struct arch_quant_penalty *q, int act_bits, int weight_bits)
{
	int b = act_bits < weight_bits ? act_bits : weight_bits;

	if (q->n <= 0)
		return 0.0;
	if (b <= q->bits[0])
		return q->points[0];
	for (int i = 1; i < q->n; i++)
		if (b <= q->bits[i]) {
			double f = (double)(b - q->bits[i - 1]) / (double)(q->bits[i] - q->bits[i - 1]);
			return q->points[i - 1] + f * (q->points[i] - q->points[i - 1]);
		}
	return q->points[q->n - 1];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Keeps the last line of the child's stderr for the error message. */
static void last_line(const char *s, char *out, size_t size)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	size_t b = n;
	while (b && s[b - 1] != '\n')
		b--;
	snprintf(out, size, "%.*s", (int)(n - b), s + b);
}

/* Kills the command's whole process group (grandchildren too) and reaps the command. */
static void kill_group(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Waits for the command to exit, at most until deadline and only while no stop signal came:
 * a command that closed its output and sleeps is killed at its deadline like any other.
 * 0 when it exited, 1 when it ran out of time, 2 when a signal stopped the wait. */
static int reap(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 0;
		if (hn_stop_signal) {
			kill_group(pid, status);
			return 2;
		}
		if (now_s() >= deadline) {
			kill_group(pid, status);
			return 1;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* The command's answer: exactly one decimal number, a finite percentage in 0..100, with
 * nothing but white space around it. Returns 0 and *v, or -1 with why filled. */
static int parse_percentage(const char *s, size_t len, int truncated, double *v, char *why,
			    size_t size)
{
	const char *p = s, *b;
	char *end;

	if (truncated) {
		snprintf(why, size, "printed more than %zu bytes, want one number", len);
		return -1;
	}
	if (strlen(s) != len) {
		snprintf(why, size, "printed a NUL byte, want one number");
		return -1;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p) {
		snprintf(why, size, "printed nothing, want a percentage");
		return -1;
	}
	b = p;
	while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' ||
		      *p == 'e' || *p == 'E'))
		p++;
	*v = strtod(b, &end);
	if (end == b || end != p || !isfinite(*v)) {
		char shown[64];
		last_line(b, shown, sizeof(shown));
		snprintf(why, size, "printed '%s', not a number", shown);
		return -1;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p) {
		char shown[64];
		last_line(p, shown, sizeof(shown));
		snprintf(why, size, "printed more than one value (then '%s'), want one number",
			 shown);
		return -1;
	}
	if (!(*v >= 0 && *v <= 100)) {
		snprintf(why, size, "printed %.17g, not a percentage in 0..100", *v);
		return -1;
	}
	return 0;
}

int arch_acc_command(const char *cmd, const char *input, double timeout_s, double *acc,
		     struct hn_err *err)
{
	/* stdin is a socket so that a child that never reads it gives EPIPE (MSG_NOSIGNAL),
	 * not a SIGPIPE that would kill this process. */
	int in[2], outp[2], errp[2];
	char obuf[4096], ebuf[4096], tail[160];
	size_t olen = 0, elen = 0, ilen = strlen(input), ioff = 0;
	int status = 0, ret = 0, open_out = 1, open_err = 1, truncated = 0, waited;
	double deadline = now_s() + (timeout_s > 0 ? timeout_s : 1e9);
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return hn_fail(err, HN_EEXTERNAL, "accuracy command '%s': socketpair: %s", cmd,
			       strerror(errno));
	if (pipe2(outp, O_CLOEXEC) < 0) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s': pipe: %s", cmd, strerror(errno));
		goto out_close_in;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s': pipe: %s", cmd, strerror(errno));
		goto out_close_out;
	}
	pid = fork();
	if (pid < 0) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s': fork: %s", cmd, strerror(errno));
		goto out_close_err;
	}
	if (pid == 0) {
		/* its own process group, so the deadline and a stop reach its children too */
		setpgid(0, 0);
		dup2(in[1], 0);
		dup2(outp[1], 1);
		dup2(errp[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[1]);
	in[1] = -1;
	close(outp[1]);
	outp[1] = -1;
	close(errp[1]);
	errp[1] = -1;
	if (ilen == 0) {
		shutdown(in[0], SHUT_WR);
	}
	while (open_out || open_err) {
		struct pollfd pf[3];
		int np = 0, io = -1, ie = -1, ii = -1;
		double left = deadline - now_s();
		if (hn_stop_signal) {
			kill_group(pid, &status);
			ret = hn_fail(err, HN_EINTR, "accuracy command '%s' stopped by %s", cmd,
				      hn_signal_name(hn_stop_signal));
			goto out_close_err;
		}
		if (left <= 0) {
			kill_group(pid, &status);
			ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s' timed out after %g s",
				      cmd, timeout_s);
			goto out_close_err;
		}
		if (open_out) { io = np; pf[np++] = (struct pollfd){ outp[0], POLLIN, 0 }; }
		if (open_err) { ie = np; pf[np++] = (struct pollfd){ errp[0], POLLIN, 0 }; }
		if (ioff < ilen) { ii = np; pf[np++] = (struct pollfd){ in[0], POLLOUT, 0 }; }
		/* at most 100 ms at a time, so a stop signal is seen even if it came between the
		 * check above and the poll */
		if (poll(pf, (nfds_t)np, left > 0.1 ? 100 : (int)(left * 1000) + 1) < 0 &&
		    errno != EINTR) {
			kill_group(pid, &status);
			ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s': poll: %s", cmd,
				      strerror(errno));
			goto out_close_err;
		}
		if (ii >= 0 && pf[ii].revents) {
			ssize_t w = send(in[0], input + ioff, ilen - ioff, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				ioff += (size_t)w;
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				ioff = ilen; /* the child closed its stdin: it does not want it */
			if (ioff >= ilen)
				shutdown(in[0], SHUT_WR);
		}
		if (io >= 0 && pf[io].revents) {
			char tmp[1024];
			ssize_t r = read(outp[0], tmp, sizeof(tmp));
			if (r <= 0) {
				open_out = r < 0 && (errno == EINTR || errno == EAGAIN);
			} else {
				size_t take = hn_min64(r, (int64_t)(sizeof(obuf) - 1 - olen));
				memcpy(obuf + olen, tmp, take);
				olen += take;
				truncated |= take < (size_t)r;
			}
		}
		if (ie >= 0 && pf[ie].revents) {
			char tmp[1024];
			ssize_t r = read(errp[0], tmp, sizeof(tmp));
			if (r <= 0) {
				open_err = r < 0 && (errno == EINTR || errno == EAGAIN);
			} else {
				/* keep the end of stderr, where the reason usually is */
				if (elen + (size_t)r > sizeof(ebuf) - 1) {
					size_t drop = elen + (size_t)r - (sizeof(ebuf) - 1);
					if (drop > elen)
						drop = elen;
					memmove(ebuf, ebuf + drop, elen - drop);
					elen -= drop;
				}
				size_t take = hn_min64(r, (int64_t)(sizeof(ebuf) - 1 - elen));
				memcpy(ebuf + elen, tmp + (size_t)r - take, take);
				elen += take;
			}
		}
	}
	obuf[olen] = '\0';
	ebuf[elen] = '\0';
	waited = reap(pid, deadline, &status);
	last_line(ebuf, tail, sizeof(tail));
	if (waited == 2) {
		ret = hn_fail(err, HN_EINTR, "accuracy command '%s' stopped by %s", cmd,
			      hn_signal_name(hn_stop_signal));
	} else if (waited == 1) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s' timed out after %g s (it "
			      "closed its output but did not exit)", cmd, timeout_s);
	} else if (WIFSIGNALED(status)) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s' was killed by signal %d%s%s",
			      cmd, WTERMSIG(status), tail[0] ? ": " : "", tail);
	} else if (WEXITSTATUS(status) != 0) {
		ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s' exited with status %d%s%s",
			      cmd, WEXITSTATUS(status), tail[0] ? ": " : "", tail);
	} else {
		char why[160];
		double v;
		if (parse_percentage(obuf, olen, truncated, &v, why, sizeof(why)) < 0)
			ret = hn_fail(err, HN_EEXTERNAL, "accuracy command '%s' %s%s%s", cmd, why,
				      tail[0] ? "; its stderr: " : "", tail);
		else
			*acc = v;
	}
	/* anything the command left behind in its group goes with it */
	if (!waited)
		kill(-pid, SIGKILL);
out_close_err:
	close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
out_close_out:
	close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
out_close_in:
	close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	return ret;
}
