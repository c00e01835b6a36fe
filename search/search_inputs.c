/* search_inputs.c: what shapes a run's results, for the store's resume check and for
 * front.json (docs/store.md "Same run"). A file counts by its bytes (FNV-1a 64), not its
 * name, so a copied or moved file is the same input and an edited one is not. */
#include "search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add(struct search_inputs *out, const char *role, const char *value, const char *path)
{
	struct search_input *in;

	if (out->n >= SEARCH_MAX_INPUTS)
		return -1;
	in = &out->in[out->n++];
	hn_strlcpy(in->role, role, sizeof(in->role));
	hn_strlcpy(in->value, value, sizeof(in->value));
	hn_strlcpy(in->path, path, sizeof(in->path));
	return 0;
}

static int add_file(struct search_inputs *out, const char *role, const char *path,
		    struct hn_err *err)
{
	char *buf, hex[SEARCH_ID_LEN + 1];
	size_t len;
	int ret = hn_read_file(path, &buf, &len, err);

	if (ret < 0) {
		hn_err_prefix(err, role);
		return ret;
	}
	snprintf(hex, sizeof(hex), "%016" PRIx64, hn_fnv1a(HN_FNV_START, buf, len));
	free(buf);
	return add(out, role, hex, path);
}

int search_inputs_collect(const char *space_file, const struct search_space *sp,
			  struct search_inputs *out, struct hn_err *err)
{
	char v[32];
	uint64_t h = HN_FNV_START;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = add_file(out, "space file", space_file, err)) < 0)
		return ret;
	if (!sp->n_targets && sp->hw_base_path[0] &&
	    (ret = add_file(out, "hw.base file", sp->hw_base_path, err)) < 0)
		return ret;
	if (sp->n_targets) {
		/* the targets by name (a store made for other targets is not resumed) and each
		 * one's base config file */
		char names[112] = "";
		for (int t = 0; t < sp->n_targets; t++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 t ? "," : "", sp->targets[t].name);
		add(out, "targets", names, "");
		for (int t = 0; t < sp->n_targets; t++) {
			char role[40]; /* "targets[3].hw.base": 18 bytes, within a role's 24 */
			snprintf(role, sizeof(role), "targets[%d].hw.base", t);
			if (sp->targets[t].hw_base_path[0] &&
			    (ret = add_file(out, role, sp->targets[t].hw_base_path, err)) < 0)
				return ret;
		}
	}
	if (sp->net_path[0] && (ret = add_file(out, "network file", sp->net_path, err)) < 0)
		return ret;
	if (sp->energy_path[0] && (ret = add_file(out, "energy file", sp->energy_path, err)) < 0)
		return ret;
	if (sp->calib_path[0] && (ret = add_file(out, "calibration file", sp->calib_path, err)) < 0)
		return ret;
	if (sp->acc_cmd[0]) {
		/* the command's program when it is a file (a script): its text shapes the
		 * accuracies; what it reads in turn cannot be seen from here (docs/store.md) */
		char prog[SEARCH_CMD_MAX];
		struct stat st;
		sscanf(sp->acc_cmd, "%511s", prog);
		if (stat(prog, &st) == 0 && S_ISREG(st.st_mode) &&
		    (ret = add_file(out, "accuracy command", prog, err)) < 0)
			return ret;
	}
	if (sp->nn_kind == SEARCH_NN_NB201) {
		char path[512];
		if ((ret = arch_data_path("nb201_accuracy.csv", path, sizeof(path), err)) < 0 ||
		    (ret = add_file(out, "accuracy table", path, err)) < 0)
			return ret;
	}
	snprintf(v, sizeof(v), "%d", COST_MODEL_VERSION);
	add(out, "cost model version", v, "");
	add(out, "mapper", cost_mapper_name(sp->mapper), "");
	/* another estimator than the model (explore --cost): its name and its file; none for
	 * the model, so a run without --cost keeps its identity */
	if (sp->cost[0] && strcmp(sp->cost, "analytical")) {
		char what[40];
		snprintf(what, sizeof(what), "%s%s", sp->cost,
			 sp->cost_miss_model ? ", misses: model" : "");
		add(out, "cost estimator", what, "");
		if (sp->cost_path[0] && (ret = add_file(out, "cost file", sp->cost_path, err)) < 0)
			return ret;
	}
	for (int i = 0; i < out->n; i++) {
		h = hn_fnv1a(h, out->in[i].role, strlen(out->in[i].role) + 1);
		h = hn_fnv1a(h, out->in[i].value, strlen(out->in[i].value) + 1);
	}
	snprintf(out->id, sizeof(out->id), "%016" PRIx64, h);
	return 0;
}

int search_inputs_to_text(const struct search_inputs *in, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < in->n; i++) {
		int n = snprintf(buf + o, size - o, "%s\t%s\t%s\n", in->in[i].role, in->in[i].value,
				 in->in[i].path);
		if (n < 0 || (size_t)n >= size - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

int search_inputs_from_text(const char *text, struct search_inputs *out, struct hn_err *err)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		const char *nl = t2 ? strchr(t2 + 1, '\n') : NULL;
		char role[24], value[112], path[512];
		if (!nl || (size_t)(t1 - p) >= sizeof(role) || (size_t)(t2 - t1 - 1) >= sizeof(value) ||
		    (size_t)(nl - t2 - 1) >= sizeof(path) || out->n >= SEARCH_MAX_INPUTS)
			return hn_fail(err, HN_EINVAL, "malformed list of inputs");
		snprintf(role, sizeof(role), "%.*s", (int)(t1 - p), p);
		snprintf(value, sizeof(value), "%.*s", (int)(t2 - t1 - 1), t1 + 1);
		snprintf(path, sizeof(path), "%.*s", (int)(nl - t2 - 1), t2 + 1);
		add(out, role, value, path);
		p = nl + 1;
	}
	return 0;
}

static const struct search_input *find(const struct search_inputs *s, const char *role)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->in[i].role, role))
			return &s->in[i];
	return NULL;
}

/* Appends one clause to buf ("; " between clauses). */
static void clause(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void clause(char *buf, size_t size, const char *fmt, ...)
{
	size_t o = strlen(buf);
	va_list ap;

	if (o && o + 2 < size) {
		memcpy(buf + o, "; ", 3);
		o += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + o, size - o, fmt, ap);
	va_end(ap);
}

void search_inputs_diff(const struct search_inputs *was, const struct search_inputs *now,
			char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < now->n; i++) {
		const struct search_input *n = &now->in[i], *w = find(was, n->role);
		int file = n->path[0] != '\0';
		if (!w) {
			if (file)
				clause(buf, size, "%s %s is new (the store's run had no %s)", n->role,
				       n->path, n->role);
			else
				clause(buf, size, "the store's run records no %s (this run: %s)", n->role,
				       n->value);
		} else if (strcmp(w->value, n->value)) {
			if (!strcmp(n->role, "cost model version"))
				clause(buf, size, "the cost model is version %s, the store's figures are "
				       "version %s", n->value, w->value);
			else if (!file)
				clause(buf, size, "the %s is %s, the store's run used %s", n->role,
				       n->value, w->value);
			else if (strcmp(w->path, n->path))
				clause(buf, size, "%s %s differs from the store's %s", n->role, n->path,
				       w->path);
			else
				clause(buf, size, "%s %s changed since the store was made", n->role,
				       n->path);
		}
	}
	for (int i = 0; i < was->n; i++)
		if (!find(now, was->in[i].role))
			clause(buf, size, "the store's run had %s %s, this run has none",
			       was->in[i].role, was->in[i].path[0] ? was->in[i].path :
			       was->in[i].value);
}
