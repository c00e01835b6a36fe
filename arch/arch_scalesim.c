/* arch_scalesim.c: SCALE-Sim topology CSV files.
 *
 *   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
 *   Conv1, 224, 224, 11, 11, 3, 96, 4,
 *
 * A file means what it means in SCALE-Sim (scale-sim-v2, scalesim/topology_utils.py): the
 * output is ceil((H - F + S) / S) rows (and columns), with no padding; the one stride applies
 * to both directions. That rule reaches past the IFMAP when (H - F) is not a multiple of S
 * (AlexNet's Conv1: 224, 11, 4 gives 55, where torch's floor gives 54), so the layer is read
 * with an IFMAP of (P - 1) S + F rows, the rows its last window covers, and pad 0: its output,
 * MACs and weights are SCALE-Sim's. A row whose name contains "DP" is depthwise, as in
 * SCALE-Sim: Channels separate one-channel convs of Num Filter filters each (groups =
 * Channels, out channels = Channels x Num Filter). An FC layer is a 1 x 1 IFMAP with a 1 x 1
 * filter and Channels = in features. Batch is 1. LF, CRLF and CR-only line ends, blank lines
 * and a missing trailing comma are accepted. docs/network_format.md. */
#include "arch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { SS_COLS = 8 };

static const char *const ss_cols[SS_COLS] = {
	"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
	"Channels", "Num Filter", "Strides",
};

/* One line split at commas, each field trimmed of blanks. Fields point into line (which
 * is modified). Returns the number of fields, dropping one empty field after a trailing
 * comma; at most max are stored, and *extra says whether there were more. */
static int split_csv(char *line, char **fields, int max, int *extra)
{
	int n = 0;
	char *p = line;

	*extra = 0;
	for (;;) {
		char *comma = strchr(p, ',');
		char *b = p, *e;

		if (comma)
			*comma = '\0';
		while (*b == ' ' || *b == '\t')
			b++;
		e = b + strlen(b);
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!comma && !*b && n > 0)
			break; /* the empty field after a trailing comma */
		if (n < max)
			fields[n] = b;
		else if (*b)
			*extra = 1;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n < max ? n : max;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* A positive integer field; 0 or HN_EINVAL naming the file, line and column. */
static int ss_int(const char *origin, int line, int col, const char *s, int64_t max, int64_t *out,
		  struct hn_err *err)
{
	char *end;
	long long v;

	v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1 || v > max)
		return hn_fail(err, HN_EINVAL,
			       "%s:%d: column %d '%s' must be a positive integer%s, got '%s'",
			       origin, line, col + 1, ss_cols[col],
			       max < INT64_MAX ? " (at most 2^31 - 1)" : "", s);
	*out = v;
	return 0;
}

/* The header: SS_COLS names, compared ignoring case and blanks around them. */
static int ss_header(const char *origin, int line, char **f, int n, struct hn_err *err)
{
	for (int i = 0; i < SS_COLS; i++)
		if (i >= n || strcasecmp(f[i], ss_cols[i]))
			return hn_fail(err, HN_EINVAL,
				       "%s:%d: column %d of the header must be '%s', got '%s' (a SCALE-Sim "
				       "topology starts with: Layer name, IFMAP Height, IFMAP Width, "
				       "Filter Height, Filter Width, Channels, Num Filter, Strides,)",
				       origin, line, i + 1, ss_cols[i], i < n ? f[i] : "");
	return 0;
}

static int ss_row(const char *origin, int line, char **f, int n, struct arch_layer *l,
		  struct hn_err *err)
{
	int64_t v[SS_COLS];
	struct hn_err e;
	int ret;

	if (n < SS_COLS)
		return hn_fail(err, HN_EINVAL, "%s:%d: column %d '%s' is missing (a row has %d columns)",
			       origin, line, n + 1, ss_cols[n], SS_COLS);
	if (!f[0][0])
		return hn_fail(err, HN_EINVAL, "%s:%d: column 1 'Layer name' is empty", origin, line);
	if (strlen(f[0]) >= ARCH_NAME_MAX)
		return hn_fail(err, HN_EINVAL, "%s:%d: column 1 'Layer name' must be at most %d bytes (UTF-8)",
			       origin, line, ARCH_NAME_MAX - 1);
	for (const char *c = f[0]; *c; c++) /* the JSON reader's rule, so a net reads back */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return hn_fail(err, HN_EINVAL, "%s:%d: column 1 'Layer name' must not contain "
				       "control characters", origin, line);
	for (int i = 1; i < SS_COLS; i++)
		if ((ret = ss_int(origin, line, i, f[i], i == 7 ? INT32_MAX : INT64_MAX, &v[i], err)))
			return ret;
	/* IFMAP h, w = v[1], v[2]; filter r, s = v[3], v[4]; C = v[5]; K = v[6]; stride = v[7] */
	for (int d = 0; d < 2; d++) {
		int64_t in = v[1 + d], flt = v[3 + d], st = v[7];
		if (in - flt < 1 - st)
			return hn_fail(err, HN_EINVAL, "%s:%d: layer '%s': output size must be >= 1, got "
				       "ceil((%lld - %lld + %lld) / %lld) = 0 (the filter is larger than "
				       "the IFMAP)", origin, line, f[0], (long long)in, (long long)flt,
				       (long long)st, (long long)st);
		/* the rows the last of the ceil((in - flt + st) / st) windows reaches; sizes
		 * beyond 2^50 are refused by arch_layer_check below, so this cannot overflow */
		if (in <= ((int64_t)1 << 52) && flt <= ((int64_t)1 << 52))
			v[1 + d] = ((in - flt + st - 1) / st) * st + flt;
	}
	if (strstr(f[0], "DP")) {
		if (v[6] > INT64_MAX / v[5] || v[5] > INT32_MAX)
			return hn_fail(err, HN_EINVAL, "%s:%d: layer '%s': shape too large: the MAC or "
				       "parameter count would overflow int64", origin, line, f[0]);
		*l = arch_conv(f[0], 1, v[5], v[1], v[2], v[5] * v[6], v[3], (int32_t)v[7], 0,
			       (int32_t)v[5]);
	} else {
		*l = arch_conv(f[0], 1, v[5], v[1], v[2], v[6], v[3], (int32_t)v[7], 0, 1);
	}
	l->s = v[4];
	if (arch_layer_check(l, &e))
		return hn_fail(err, HN_EINVAL, "%s:%d: %s", origin, line, e.msg);
	return 0;
}

/* The file name without directories and extension, the network name. */
static void ss_base_name(char *dst, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dot;

	hn_strlcpy(dst, slash ? slash + 1 : path, size);
	dot = strrchr(dst, '.');
	if (dot && dot != dst)
		*dot = '\0';
}

/* One non-blank line: the header (the first one) or a layer row. */
static int ss_line(char *p, int line, int *header_seen, const char *origin, struct arch_net *net,
		   struct hn_err *err)
{
	char *fields[SS_COLS];
	struct arch_layer l;
	int n, extra, ret;

	n = split_csv(p, fields, SS_COLS, &extra);
	if (!*header_seen) {
		*header_seen = 1;
		return ss_header(origin, line, fields, n, err);
	}
	if (extra)
		return hn_fail(err, HN_EINVAL, "%s:%d: column %d: unexpected field after '%s'",
			       origin, line, SS_COLS + 1, ss_cols[SS_COLS - 1]);
	if ((ret = ss_row(origin, line, fields, n, &l, err)))
		return ret;
	if (arch_net_add(net, &l))
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
	return 0;
}

/* The line of each layer, for messages about a layer found after the parse. */
struct ss_lines {
	int *at;
	int64_t n, cap;
};

int arch_net_parse_scalesim(const char *text, size_t len, const char *origin,
			    struct arch_net *net, struct hn_err *err)
{
	char name[ARCH_NAME_MAX];
	char *copy, *p, *end;
	int line = 0, header_seen = 0, ret = 0, dup, first;
	struct ss_lines lines = { NULL, 0, 0 };

	origin = origin ? origin : "<csv>";
	copy = malloc(len + 1);
	if (!copy)
		return hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
	memcpy(copy, text, len);
	copy[len] = '\0';
	end = copy + len;
	ss_base_name(name, sizeof(name), origin);
	arch_net_init(net, name, 1);
	for (p = copy; !ret && p < end; ) {
		/* a line ends at LF, CRLF or a lone CR (old Mac files) */
		char *nl = p;
		while (nl < end && *nl != '\n' && *nl != '\r' && *nl != '\0')
			nl++;
		line++;
		if (nl < end && *nl == '\0') {
			int col = 1;
			for (char *c = p; c < nl; c++)
				col += *c == ',';
			ret = hn_fail(err, HN_EINVAL, "%s:%d: column %d: a NUL byte (not a text file?)",
				      origin, line, col);
			break;
		}
		char *next = nl < end ? nl + 1 + (*nl == '\r' && nl + 1 < end && nl[1] == '\n') : end;
		*nl = '\0';
		if (!blank(p)) {
			int before = net->n_layers;
			ret = ss_line(p, line, &header_seen, origin, net, err);
			if (!ret && net->n_layers > before) {
				if (hn_grow(&lines.at, lines.n, &lines.cap, sizeof(int), 64))
					ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
				else
					lines.at[lines.n++] = line;
			}
		}
		p = next;
	}
	if (!ret && net->n_layers == 0)
		ret = hn_fail(err, HN_EINVAL, "%s: %s", origin,
			      header_seen ? "no layers after the header" : "empty file: no header, no layers");
	if (!ret) {
		int r = arch_net_find_duplicate(net, &dup, &first);
		if (r < 0)
			ret = hn_fail(err, HN_ENOMEM, "%s: out of memory", origin);
		else if (r)
			ret = hn_fail(err, HN_EINVAL, "%s:%d: column 1 'Layer name': duplicate layer "
				      "name '%s' (also layer %d, line %d)", origin, lines.at[dup],
				      net->layers[dup].name, first + 1, lines.at[first]);
	}
	if (ret)
		arch_net_release(net);
	free(lines.at);
	free(copy);
	return ret;
}
