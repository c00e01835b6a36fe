/* report_json.c: reads what 'hwnas explore' wrote (front.json, evaluations.jsonl, schema in
 * docs/search.md) and what 'hwnas sim --json' prints, into the plain structs of
 * report.h. The only report file that sees cJSON. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "report.h"

static double num_or_nan(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void copy_str(const cJSON *o, const char *k, char *dst, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	hn_strlcpy(dst, cJSON_IsString(v) ? v->valuestring : "", size);
}

double report_value(const struct report_run *run, const struct report_point *p,
		    const struct report_objective *o)
{
	return search_metric_at((const double (*)[SEARCH_M_COUNT])p->tm, run->n_targets, p->m,
				o->metric, o->at);
}

int report_objective_parse(const struct report_run *run, const char *label,
			   struct report_objective *o)
{
	hn_strlcpy(o->label, label, sizeof(o->label));
	return search_metric_label_parse(label, (const char (*)[SEARCH_TARGET_NAME])run->targets,
					 run->n_targets, &o->metric, &o->at) < 0 ? -1 : 0;
}

/* One point object of front.json or one line of evaluations.jsonl; its "targets" (a run of
 * several) by the run's target names. */
static int read_point(const struct report_run *run, const cJSON *o, const char *origin,
		      struct report_point *p, struct hn_err *err)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "targets");
	const cJSON *hw = cJSON_GetObjectItemCaseSensitive(o, "hw");
	const cJSON *fe = cJSON_GetObjectItemCaseSensitive(o, "feasible");
	double v;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(o))
		return hn_fail(err, HN_EINVAL, "%s: a point is not an object", origin);
	v = num_or_nan(o, "seq");
	p->seq = isfinite(v) ? (int64_t)v : -1;
	v = num_or_nan(o, "index");
	p->index = isfinite(v) ? (int64_t)v : -1;
	p->feasible = !cJSON_IsFalse(fe);
	for (int m = 0; m < SEARCH_M_COUNT; m++)
		p->m[m] = num_or_nan(o, search_metric_name(m));
	for (int t = 0; t < run->n_targets; t++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(ts, run->targets[t]);
		for (int m = 0; m < SEARCH_M_COUNT; m++)
			p->tm[t][m] = num_or_nan(x, search_metric_name(m));
	}
	copy_str(o, "arch", p->arch, sizeof(p->arch));
	copy_str(o, "fidelity", p->fidelity, sizeof(p->fidelity));
	copy_str(o, "accuracy_source", p->acc_source, sizeof(p->acc_source));
	copy_str(o, "network", p->network, sizeof(p->network));
	v = num_or_nan(o, "quantisation_penalty");
	p->acc_penalty = isfinite(v) ? v : 0;
	if (cJSON_IsObject(hw)) {
		char *text = cJSON_PrintUnformatted(hw);
		int ret;
		if (!text)
			return hn_fail(err, HN_ENOMEM, "out of memory");
		ret = hw_config_parse_json(text, strlen(text), origin, &p->hw, err);
		free(text);
		if (ret < 0 && !p->feasible && ret != HN_ENOMEM) {
			/* an infeasible point's accelerator may break a config rule (a packing
			 * its widths do not allow; 'why' names it): a result, kept without hw */
			const cJSON *pk = cJSON_GetObjectItemCaseSensitive(hw, "mac_packing");
			memset(&p->hw, 0, sizeof(p->hw));
			if (cJSON_IsString(pk) && hw_packing_parse(pk->valuestring) >= 0)
				hn_strlcpy(p->mac_packing, pk->valuestring, sizeof(p->mac_packing));
			if (err) {
				err->code = 0;
				err->msg[0] = '\0';
			}
			return 0;
		}
		if (ret < 0) {
			hn_err_prefix(err, "'hw'");
			return ret;
		}
		p->has_hw = 1;
		hn_strlcpy(p->mac_packing, hw_packing_name(p->hw.mac_packing),
			   sizeof(p->mac_packing));
	}
	return 0;
}

static int read_front(const char *path, struct report_run *run, struct hn_err *err)
{
	char *text = NULL;
	size_t len;
	cJSON *root = NULL;
	const cJSON *pts, *objs, *it;
	int ret = hn_read_file(path, &text, &len, err);

	if (ret < 0)
		return ret;
	root = cJSON_ParseWithLength(text, len);
	if (!root || !cJSON_IsObject(root)) {
		ret = hn_fail(err, HN_EINVAL, "%s: not a JSON object (is it an explore front.json?)",
			      path);
		goto out_free;
	}
	copy_str(root, "space", run->space, sizeof(run->space));
	copy_str(root, "strategy", run->strategy, sizeof(run->strategy));
	copy_str(root, "formulation", run->formulation, sizeof(run->formulation));
	run->seed = (int64_t)num_or_nan(root, "seed");
	run->budget = (int64_t)num_or_nan(root, "budget");
	run->evaluations = (int64_t)num_or_nan(root, "evaluations");
	run->space_size = (int64_t)num_or_nan(root, "space_size");
	run->hypervolume = num_or_nan(root, "hypervolume");
	{
		const cJSON *pb = cJSON_GetObjectItemCaseSensitive(root, "produced_by");
		const cJSON *en = cJSON_GetObjectItemCaseSensitive(pb, "energy");
		copy_str(pb, "mapper", run->mapper, sizeof(run->mapper));
		copy_str(pb, "calibration", run->calib, sizeof(run->calib));
		/* "default table (...)" names no file */
		if (cJSON_IsString(en) && strncmp(en->valuestring, "default", 7))
			copy_str(pb, "energy", run->energy, sizeof(run->energy));
	}
	/* a run of several targets names them; objectives may read one ("latency_ms@zcu102") */
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "targets")) {
		if (run->n_targets == SEARCH_MAX_TARGETS)
			break;
		copy_str(it, "name", run->targets[run->n_targets], sizeof(run->targets[0]));
		run->n_targets++;
	}
	objs = cJSON_GetObjectItemCaseSensitive(root, "objectives");
	cJSON_ArrayForEach(it, objs) {
		struct report_objective *ob = &run->obj[run->n_obj];
		char name[64], goal[8];
		if (run->n_obj == SEARCH_MAX_OBJ)
			break;
		copy_str(it, "metric", name, sizeof(name));
		copy_str(it, "goal", goal, sizeof(goal));
		if (report_objective_parse(run, name, ob) < 0) {
			ret = hn_fail(err, HN_EINVAL, "%s: 'objectives[%d].metric': unknown metric "
				      "'%s'", path, run->n_obj, name);
			goto out_free;
		}
		ob->maximize = !strcmp(goal, "max");
		ob->ideal = num_or_nan(it, "ideal");
		ob->ref = num_or_nan(it, "ref");
		if (!isfinite(ob->ideal) || !isfinite(ob->ref) || ob->ideal == ob->ref) {
			ret = hn_fail(err, HN_EINVAL, "%s: 'objectives[%d]': needs 'ideal' and 'ref' "
				      "that differ", path, run->n_obj);
			goto out_free;
		}
		run->n_obj++;
	}
	pts = cJSON_GetObjectItemCaseSensitive(root, "points");
	if (!cJSON_IsArray(pts)) {
		ret = hn_fail(err, HN_EINVAL, "%s: 'points' is missing or not an array", path);
		goto out_free;
	}
	run->front = calloc((size_t)cJSON_GetArraySize(pts) + 1, sizeof(*run->front));
	if (!run->front) {
		ret = hn_fail(err, HN_ENOMEM, "out of memory");
		goto out_free;
	}
	cJSON_ArrayForEach(it, pts) {
		char where[600];
		snprintf(where, sizeof(where), "%.500s: 'points[%d]'", path, run->n_front);
		if ((ret = read_point(run, it, where, &run->front[run->n_front], err)) < 0)
			goto out_free;
		run->n_front++;
	}
	ret = 0;
out_free:
	cJSON_Delete(root);
	free(text);
	return ret;
}

static int read_evals(const char *path, FILE *f, struct report_run *run, report_tick_fn tick,
		      void *ctx, struct hn_err *err)
{
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0, bytes = 0, total = fstat(fileno(f), &st) == 0 ? (int64_t)st.st_size : 0;
	int ret = 0;

	while ((n = getline(&line, &cap, f)) > 0) {
		cJSON *o;
		lineno++;
		bytes += n;
		if (n <= 1 && (line[0] == '\n' || !line[0]))
			continue;
		if (hn_grow(&run->evals, run->n_evals, &run->cap_evals, sizeof(*run->evals), 1024)) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			break;
		}
		o = cJSON_ParseWithLength(line, (size_t)n);
		if (!o) {
			ret = hn_fail(err, HN_EINVAL, "%s:%lld: not a JSON object", path,
				      (long long)lineno);
			break;
		}
		char where[600];
		snprintf(where, sizeof(where), "%.500s:%lld", path, (long long)lineno);
		ret = read_point(run, o, where, &run->evals[run->n_evals], err);
		cJSON_Delete(o);
		if (ret < 0)
			break;
		run->n_evals++;
		if (tick && (lineno & 1023) == 0)
			tick(ctx, bytes, total);
	}
	if (ret == 0 && ferror(f))
		ret = hn_fail(err, HN_EIO, "%s: cannot read: %s", path, strerror(errno));
	free(line);
	return ret;
}

int report_run_load_dir(const char *dir, struct report_run *run, report_tick_fn tick,
			void *ctx, struct hn_err *err)
{
	char path[4096];
	FILE *f;
	int ret;

	memset(run, 0, sizeof(*run));
	hn_strlcpy(run->origin, dir, sizeof(run->origin));
	snprintf(path, sizeof(path), "%s/front.json", dir);
	if ((ret = read_front(path, run, err)) < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/evaluations.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : hn_fail(err, HN_EIO, "%s: cannot read: %s", path,
						    strerror(errno));
	run->has_evals = 1;
	ret = read_evals(path, f, run, tick, ctx, err);
	fclose(f);
	return ret;
}

void report_run_release(struct report_run *run)
{
	free(run->front);
	free(run->evals);
	free(run->hv_at);
	free(run->hv);
	free(run->sp);
	memset(run, 0, sizeof(*run));
}

/* ---- RTL results ---- */

void report_rtl_release(struct report_rtl *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

static struct report_rtl_row *rtl_add(struct report_rtl *r)
{
	if (hn_grow(&r->rows, r->n, &r->cap, sizeof(*r->rows), 64))
		return NULL;
	memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
	return &r->rows[r->n++];
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* 'hwnas sim --json': layers[] with simulated, model_cycles, rtl_cycles, bit_exact. */
static int rtl_from_json(const char *path, const cJSON *root, struct report_rtl *r,
			 struct hn_err *err)
{
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers"), *it;
	int added = 0;

	if (!cJSON_IsArray(layers))
		return hn_fail(err, HN_EINVAL, "%s: 'layers' is missing (is it 'hwnas sim --json' "
			       "output?)", path);
	cJSON_ArrayForEach(it, layers) {
		double mc = num_or_nan(it, "model_cycles"), rc = num_or_nan(it, "rtl_cycles");
		const cJSON *be = cJSON_GetObjectItemCaseSensitive(it, "bit_exact");
		struct report_rtl_row *row;
		if (!isfinite(mc) || !isfinite(rc))
			continue;       /* not simulated (a pool or add layer, or skipped) */
		if (!(row = rtl_add(r)))
			return hn_fail(err, HN_ENOMEM, "out of memory");
		hn_strlcpy(row->source, base_name(path), sizeof(row->source));
		copy_str(it, "name", row->name, sizeof(row->name));
		row->model_cycles = mc;
		row->rtl_cycles = rc;
		row->bit_exact = cJSON_IsBool(be) ? cJSON_IsTrue(be) : -1;
		added++;
	}
	if (!added)
		return hn_fail(err, HN_EINVAL, "%s: no layer has both 'model_cycles' and "
			       "'rtl_cycles'", path);
	return 0;
}

/* Splits a CSV line in place at commas (no quoted commas in these files). */
static int split_csv(char *line, char **cols, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		cols[n++] = line;
		char *c = strchr(line, ',');
		if (!c)
			break;
		*c = '\0';
		line = c + 1;
	}
	return n;
}

static int rtl_from_csv(const char *path, char *text, struct report_rtl *r, struct hn_err *err)
{
	char *cols[64], *save = NULL, *line = strtok_r(text, "\n", &save);
	int n, im = -1, ir = -1, iname = -1, ibe = -1, lineno = 1, added = 0;

	if (!line)
		return hn_fail(err, HN_EINVAL, "%s: empty", path);
	n = split_csv(line, cols, 64);
	for (int i = 0; i < n; i++) {
		if (!strcmp(cols[i], "model_cycles"))
			im = i;
		else if (!strcmp(cols[i], "rtl_cycles"))
			ir = i;
		else if (!strcmp(cols[i], "name") || !strcmp(cols[i], "layer"))
			iname = i;
		else if (!strcmp(cols[i], "bit_exact"))
			ibe = i;
	}
	if (im < 0 || ir < 0)
		return hn_fail(err, HN_EINVAL, "%s: the header needs 'model_cycles' and 'rtl_cycles' "
			       "columns", path);
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *end1, *end2;
		struct report_rtl_row *row;
		lineno++;
		n = split_csv(line, cols, 64);
		if (n == 1 && !cols[0][0])
			continue;
		if (n <= im || n <= ir)
			return hn_fail(err, HN_EINVAL, "%s:%d: %d columns, the header has more", path,
				       lineno, n);
		double mc = strtod(cols[im], &end1), rc = strtod(cols[ir], &end2);
		if (end1 == cols[im] || end2 == cols[ir])
			continue;       /* a layer that was not simulated: empty cells */
		if (*end1 || *end2 || !(mc >= 0) || !(rc >= 0))
			return hn_fail(err, HN_EINVAL, "%s:%d: 'model_cycles' and 'rtl_cycles' must "
				       "be non-negative numbers", path, lineno);
		if (!(row = rtl_add(r)))
			return hn_fail(err, HN_ENOMEM, "out of memory");
		hn_strlcpy(row->source, base_name(path), sizeof(row->source));
		if (iname >= 0 && iname < n)
			hn_strlcpy(row->name, cols[iname], sizeof(row->name));
		else
			snprintf(row->name, sizeof(row->name), "row %d", lineno);
		row->model_cycles = mc;
		row->rtl_cycles = rc;
		row->bit_exact = ibe >= 0 && ibe < n ? (strcmp(cols[ibe], "1") == 0 ||
							strcmp(cols[ibe], "true") == 0) : -1;
		added++;
	}
	if (!added)
		return hn_fail(err, HN_EINVAL, "%s: no row with both cycle counts", path);
	return 0;
}

int report_rtl_load(const char *path, struct report_rtl *r, struct hn_err *err)
{
	char *text = NULL;
	size_t len;
	int ret = hn_read_file(path, &text, &len, err);

	if (ret < 0)
		return ret;
	const char *p = text + strspn(text, " \t\r\n");
	if (*p == '{') {
		cJSON *root = cJSON_ParseWithLength(text, len);
		ret = root ? rtl_from_json(path, root, r, err)
			   : hn_fail(err, HN_EINVAL, "%s: not valid JSON", path);
		cJSON_Delete(root);
	} else {
		ret = rtl_from_csv(path, text, r, err);
	}
	free(text);
	return ret;
}
