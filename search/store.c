/* store.c: the result store, one SQLite file (docs/store.md).
 *
 * Why these settings: journal_mode=WAL with synchronous=NORMAL makes every committed
 * transaction survive a kill of the process at any instant (the WAL is in the OS page cache
 * and is replayed by the next open); only a power loss can drop the last few commits, and the
 * file is valid in every case. A lost row is evaluated again on resume, never half-written.
 *
 * Tables: meta (format marker), runs (one per set of arguments: space hash, strategy, seed,
 * budget; sessions counts the processes that worked on it), evals (one row per evaluated
 * point, primary key (space_hash, idx, fidelity)). Every field of struct search_eval has a
 * column, so a row read back is the record that was written (doubles are 8-byte REALs; NaN,
 * which SQLite stores as NULL, is read back as NaN). */
#include "search.h"
#include "search_int.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_FORMAT "hwnas-store"

struct store {
	sqlite3 *db;
	char path[512];                 /* SQLite opens paths of at most 511 bytes */
	int readonly;
	const struct search_space *sp;
	char space_hash[STORE_HASH_LEN + 1];
	char strategy[32];
	uint64_t seed;
	int64_t run_id, session, rows_written;
	char replaced[600];             /* the empty runs store_begin_run replaced, "" if none */
	sqlite3_stmt *get, *put;
	/* exhaustive runs (store_progress_save): the indices of the run's model rows, sorted */
	uint64_t *saved;
	int64_t n_saved, cap_saved, saved_evals;
	int in_tx;
	int has_progress;               /* the progress table exists (version 3; a reader may
					 * open an older store as it is) */
	sqlite3_stmt *tget, *tput;      /* a multi-target space's rows of target_metrics */
	int has_packing;                /* evals.mac_packing exists (version 4; likewise) */
	int lock_fd;                    /* flock'd while writing: one explore per store */
	int ckpt_rc;                    /* the last checkpoint's failure (SQLite code), else 0 */
};

/* Checkpoints are ours, not SQLite's automatic ones (whose failure SQLite ignores, so a store
 * that became unwritable grew its WAL without end while the run reported success). */
#define STORE_CKPT_PAGES 1000

/* Version 3 (issue 19): an exhaustive run keeps its progress here instead of a row per point. */
#define PROGRESS_SQL "CREATE TABLE IF NOT EXISTS progress(run_id INTEGER PRIMARY KEY," \
	" next_index INTEGER NOT NULL, evaluations INTEGER NOT NULL, networks INTEGER NOT NULL," \
	" feasible INTEGER NOT NULL, best_idx INTEGER NOT NULL, eval_s REAL NOT NULL,"\
	" time REAL NOT NULL);"

/* A multi-target space (docs/search.md "Multiple targets"): one row per evaluated point and
 * target, its metrics on that target (struct search_eval.tm); created by the first run of such
 * a space, so a store of single-target runs is unchanged. */
#define TARGETS_SQL "CREATE TABLE IF NOT EXISTS target_metrics(space_hash TEXT NOT NULL," \
	" idx INTEGER NOT NULL, fidelity TEXT NOT NULL, target INTEGER NOT NULL," \
	" name TEXT NOT NULL, accuracy REAL, latency_ms REAL, energy_mj REAL, edp REAL, dsp REAL," \
	" bram REAL, lut REAL, ff REAL, macs REAL," \
	" PRIMARY KEY(space_hash, idx, fidelity, target)) WITHOUT ROWID;"

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, space_hash TEXT NOT NULL, space_file TEXT,"
	" space_name TEXT, strategy TEXT NOT NULL, seed INTEGER NOT NULL, budget INTEGER NOT NULL,"
	" objectives TEXT NOT NULL, n_obj INTEGER NOT NULL, created REAL NOT NULL, finished REAL,"
	" evaluations INTEGER, sessions INTEGER NOT NULL DEFAULT 0, inputs TEXT);"
	"CREATE TABLE evals(space_hash TEXT NOT NULL, idx INTEGER NOT NULL,"
	" fidelity TEXT NOT NULL, run_id INTEGER NOT NULL, session INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, strategy TEXT NOT NULL, seed INTEGER NOT NULL, time REAL NOT NULL,"
	" eval_s REAL NOT NULL, choices TEXT NOT NULL, arch TEXT NOT NULL,"
	" pe_rows INTEGER, pe_cols INTEGER, dataflow TEXT, act_bits INTEGER, weight_bits INTEGER,"
	" acc_bits INTEGER, ibuf_bytes INTEGER, wbuf_bytes INTEGER, obuf_bytes INTEGER,"
	" double_buffer INTEGER, freq_mhz REAL, dram_gbps REAL, device TEXT,"
	" cycles INTEGER, stall_cycles INTEGER, dram_bytes INTEGER,"
	" feasible INTEGER NOT NULL, why TEXT NOT NULL, violation REAL,"
	" accuracy REAL, latency_ms REAL, energy_mj REAL, edp REAL, dsp REAL, bram REAL, lut REAL,"
	" ff REAL, macs REAL, obj0 REAL, obj1 REAL, obj2 REAL, obj3 REAL, obj4 REAL, obj5 REAL,"
	" score REAL, acc_raw REAL, acc_penalty REAL, acc_source TEXT NOT NULL,"
	" mac_packing TEXT,"
	" PRIMARY KEY(space_hash, idx, fidelity)) WITHOUT ROWID;"
	"CREATE INDEX evals_run ON evals(run_id, seq);"
	PROGRESS_SQL
	"INSERT INTO meta VALUES('format', '" STORE_FORMAT "');";

/* The columns store_lookup and store_each read, in this order; then mac_packing (NULL when
 * a reader opened a store older than version 4 as it is: ROW_COLS_OLD). */
#define ROW_COLS_BASE "idx, fidelity, seq, feasible, why, violation, accuracy, latency_ms," \
	" energy_mj, edp, dsp, bram, lut, ff, macs, obj0, obj1, obj2, obj3, obj4, obj5, score," \
	" acc_raw, acc_penalty, acc_source, choices, cycles, stall_cycles, dram_bytes," \
	" space_hash, arch, strategy, run_id, session, time, eval_s, pe_rows, pe_cols, dataflow," \
	" act_bits, ibuf_bytes"
#define ROW_COLS ROW_COLS_BASE ", mac_packing"
#define ROW_COLS_OLD ROW_COLS_BASE ", NULL AS mac_packing"

static double unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int db_fail(struct store *st, int code, const char *what, struct hn_err *err)
{
	if (st->ckpt_rc)
		return hn_fail(err, code, "%s: %s: cannot copy the log into the store file "
			       "(checkpoint): %s", st->path, what, sqlite3_errstr(st->ckpt_rc));
	return hn_fail(err, code, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql, const char *what, struct hn_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int ret = hn_fail(err, HN_EIO, "%s: %s: %s", st->path, what, msg ? msg : "?");
		sqlite3_free(msg);
		return ret;
	}
	return 0;
}

/* One integer from a query (PRAGMA user_version, counts); -1 and err on failure. */
static int query_int(struct store *st, const char *sql, int64_t *out, struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), ret = 0;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
	} else if (rc == SQLITE_NOTADB) {
		ret = hn_fail(err, HN_EINVAL, "%s: not a hwnas store (not an SQLite database)",
			      st->path);
	} else {
		ret = db_fail(st, HN_EIO, "cannot read", err);
	}
	sqlite3_finalize(q);
	return ret;
}

/* Migrations from older schema versions, one step per version. A version this code does not
 * know is refused by the caller.
 * 1 -> 2: runs.inputs, the run's inputs (search_inputs_to_text), so that a refused resume can
 * say what changed; runs of version 1 have none (their space hash covered the space file's
 * bytes only, so they never match a version 2 run and are named as such).
 * 2 -> 3: the progress table (exhaustive runs). An exhaustive run that an older hwnas stored
 * one row per point stays as it is; store_progress_load refuses to resume it.
 * 3 -> 4: evals.mac_packing (issue 20), the packing of the row's accelerator. Older rows keep
 * NULL: their space file may have changed or gone since, so it is not guessed; readers say
 * "not recorded". Their other columns, and a resume that looks them up, are unchanged. */
static int add_column(struct store *st, const char *table, const char *col, const char *decl,
		      struct hn_err *err)
{
	char sql[200];
	int64_t n = 0;
	int ret;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info('%s') WHERE name = "
		 "'%s'", table, col);
	if ((ret = query_int(st, sql, &n, err)) < 0 || n > 0)
		return ret;
	snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", table, col, decl);
	return exec(st, sql, "cannot migrate the store", err);
}

static int migrate(struct store *st, int64_t from, struct hn_err *err)
{
	int ret = exec(st, "BEGIN IMMEDIATE", "cannot migrate the store", err);

	if (ret < 0)
		return ret;
	/* another process may have migrated it since check_schema read the version */
	if ((ret = query_int(st, "PRAGMA user_version", &from, err)) < 0)
		goto out_rollback;
	if (from < 2)
		ret = add_column(st, "runs", "inputs", "TEXT", err);
	if (ret == 0 && from < 3)
		ret = exec(st, PROGRESS_SQL, "cannot migrate the store", err);
	if (ret == 0 && from < 4)
		ret = add_column(st, "evals", "mac_packing", "TEXT", err);
	if (ret == 0) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
		ret = exec(st, sql, "cannot migrate the store", err);
	}
	if (ret == 0)
		return exec(st, "COMMIT", "cannot migrate the store", err);
out_rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static int check_schema(struct store *st, struct hn_err *err)
{
	int64_t version, tables, marker;
	int ret;

	if ((ret = query_int(st, "SELECT count(*) FROM sqlite_master", &tables, err)) < 0)
		return ret;
	if ((ret = query_int(st, "PRAGMA user_version", &version, err)) < 0)
		return ret;
	if (tables == 0 && version == 0) {
		if (st->readonly)
			return hn_fail(err, HN_EINVAL, "%s: not a hwnas store (an empty file)", st->path);
		ret = exec(st, "BEGIN IMMEDIATE", "cannot create the store", err);
		if (ret == 0)
			ret = exec(st, schema_sql, "cannot create the store", err);
		if (ret == 0) {
			char sql[64];
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
			ret = exec(st, sql, "cannot create the store", err);
		}
		if (ret == 0)
			return exec(st, "COMMIT", "cannot create the store", err);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	if (query_int(st, "SELECT count(*) FROM meta WHERE key = 'format' AND value = '"
		      STORE_FORMAT "'", &marker, err) < 0 || marker != 1)
		return hn_fail(err, HN_EINVAL, "%s: not a hwnas store (an SQLite database without "
			       "the hwnas tables)", st->path);
	if (version > STORE_SCHEMA_VERSION || version < 1)
		return hn_fail(err, HN_EINVAL, "%s: store schema version %lld, this hwnas reads "
			       "version %d%s", st->path, (long long)version, STORE_SCHEMA_VERSION,
			       version > STORE_SCHEMA_VERSION ? " (written by a newer hwnas)" : "");
	if (version < STORE_SCHEMA_VERSION) {
		if (st->readonly && version <= 3)
			return 0; /* readers do not use runs.inputs; a missing progress table is
				   * an empty one (has_progress), a missing mac_packing column
				   * unrecorded packings (has_packing) */
		if (st->readonly)
			return hn_fail(err, HN_EINVAL, "%s: store schema version %lld, this hwnas "
				       "reads version %d; open it once for writing to migrate",
				       st->path, (long long)version, STORE_SCHEMA_VERSION);
		return migrate(st, version, err);
	}
	return 0;
}

/* After every commit: a passive checkpoint once the WAL holds STORE_CKPT_PAGES pages. Its
 * failure fails the statement that committed (SQLite passes the hook's code on). */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct store *st = ctx;
	int rc;

	if (pages < STORE_CKPT_PAGES)
		return SQLITE_OK;
	rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return SQLITE_OK; /* another connection checkpoints or reads: next time */
	if (rc != SQLITE_OK)
		st->ckpt_rc = rc;
	return rc;
}

/* A store path must name a regular file or nothing yet: SQLite would block for ever on a
 * FIFO without a writer, and a device is no store. */
static int check_store_path(const char *path, size_t max, struct hn_err *err)
{
	struct stat sb;

	if (!path[0])
		return hn_fail(err, HN_EINVAL, "the store path is empty (--db ''): name a file");
	if (strlen(path) >= max)
		return hn_fail(err, HN_EINVAL, "%.60s...: the store path is %zu bytes long, at most %zu "
			       "(SQLite's limit): use a shorter --out or --db", path, strlen(path),
			       max - 1);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return hn_fail(err, HN_EINVAL, "%s: not a regular file (%s), not a store", path,
			       S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ?
			       "a FIFO" : S_ISSOCK(sb.st_mode) ? "a socket" : "a device");
	return 0;
}

/* One writer per store: two explores on one store would evaluate the same points. flock is
 * separate from SQLite's POSIX locks; the descriptor stays open until store_close (closing
 * another descriptor of the file would drop SQLite's locks). */
static int lock_store(struct store *st, struct hn_err *err)
{
	st->lock_fd = open(st->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (st->lock_fd < 0)
		return hn_fail(err, HN_EIO, "%s: cannot open: %s", st->path, strerror(errno));
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return hn_fail(err, HN_EIO, "%s: another process holds the store (an explore "
				       "still running on it); wait for it to finish or use another "
				       "--db", st->path);
		return hn_fail(err, HN_EIO, "%s: cannot lock: %s", st->path, strerror(errno));
	}
	return 0;
}

int store_open(const char *path, int readonly, struct store **out, struct hn_err *err)
{
	struct store *st;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int ret;

	if ((ret = check_store_path(path, sizeof(st->path), err)) < 0)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	st->lock_fd = -1;
	hn_strlcpy(st->path, path, sizeof(st->path));
	st->readonly = readonly;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		ret = hn_fail(err, HN_EIO, "%s: cannot open the store: %s", path,
			      st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (!readonly && sqlite3_db_readonly(st->db, "main") == 1) {
		ret = hn_fail(err, HN_EIO, "%s: the store is read-only (no write permission); "
			      "evaluations cannot be recorded", path);
		goto fail;
	}
	if (!readonly && (ret = lock_store(st, err)) < 0)
		goto fail;
	if ((ret = check_schema(st, err)) < 0)
		goto fail;
	{
		int64_t n = 0;
		if ((ret = query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				     "AND name = 'progress'", &n, err)) < 0)
			goto fail;
		st->has_progress = n > 0;
		if ((ret = query_int(st, "SELECT count(*) FROM pragma_table_info('evals') WHERE "
				     "name = 'mac_packing'", &n, err)) < 0)
			goto fail;
		st->has_packing = n > 0;
	}
	if (!readonly) {
		/* WAL keeps readers (hwnas db) working during a run; NORMAL: see the top. */
		if ((ret = exec(st, "PRAGMA journal_mode=WAL", "cannot switch to WAL", err)) < 0 ||
		    (ret = exec(st, "PRAGMA synchronous=NORMAL", "cannot set synchronous", err)) < 0)
			goto fail;
		sqlite3_wal_hook(st->db, wal_hook, st);
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return ret;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(st->get);
	sqlite3_finalize(st->put);
	sqlite3_finalize(st->tget);
	sqlite3_finalize(st->tput);
	free(st->saved);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

int store_space_hash(const char *space_file, char out[STORE_HASH_LEN + 1], struct hn_err *err)
{
	struct search_space *sp = malloc(sizeof(*sp));
	struct search_inputs in;
	int ret;

	if (!sp)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	ret = search_space_load(space_file, sp, err);
	if (ret == 0)
		ret = search_inputs_collect(space_file, sp, &in, err);
	if (ret == 0)
		hn_strlcpy(out, in.id, STORE_HASH_LEN + 1);
	free(sp);
	return ret;
}

/* ---- runs ---- */

static void objectives_text(const struct search_space *sp, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < sp->n_obj; i++) {
		size_t n = strlen(buf);
		char label[64];
		search_metric_label(sp, sp->obj[i].metric, sp->obj[i].at, label, sizeof(label));
		snprintf(buf + n, size - n, "%s%s:%s:%.17g", i ? "," : "", label,
			 sp->obj[i].maximize ? "max" : "min", sp->obj[i].ref);
	}
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

static int prepare(struct store *st, sqlite3_stmt **q, const char *sql, struct hn_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
		return db_fail(st, HN_EIO, "cannot read", err);
	return 0;
}

/* Why the stored run r (a row of the SELECT in store_begin_run) is not the run of a: the
 * arguments and the inputs that differ. */
static void run_difference(sqlite3_stmt *q, const struct store_run_args *a, char *buf,
			   size_t size)
{
	struct search_inputs was;
	struct hn_err e = { 0 };
	const char *text = col_text(q, 6);
	size_t o;

	snprintf(buf, size, "it holds '--strategy %s --seed %lld --budget %lld' on %s, this run "
		 "is '--strategy %s --seed %llu --budget %lld' on %s", col_text(q, 2),
		 (long long)sqlite3_column_int64(q, 3), (long long)sqlite3_column_int64(q, 4),
		 col_text(q, 5), a->strategy, (unsigned long long)a->seed, (long long)a->budget,
		 a->space_file);
	if (!strcmp(col_text(q, 1), a->space_hash))
		return;
	o = strlen(buf);
	if (!a->inputs) {
		snprintf(buf + o, size - o, "; space hash %s, this run's %s", col_text(q, 1),
			 a->space_hash);
		return;
	}
	if (!text[0] || search_inputs_from_text(text, &was, &e) < 0) {
		snprintf(buf + o, size - o, "; its inputs (space hash %s) were recorded by an older "
			 "hwnas that hashed the space file only (this run: %s)", col_text(q, 1),
			 a->space_hash);
		return;
	}
	snprintf(buf + o, size - o, "; ");
	o = strlen(buf);
	search_inputs_diff(&was, a->inputs, buf + o, size - o);
	if (!buf[o]) /* same inputs, another hash: a hwnas that hashed them differently */
		snprintf(buf + o, size - o, "space hash %s, this run's %s", col_text(q, 1),
			 a->space_hash);
}

int64_t store_begin_run(struct store *st, const struct search_space *sp,
			const struct store_run_args *a, struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	char objs[256], inputs[SEARCH_MAX_INPUTS * 600];
	int64_t stored = 0;
	int ret, rc;

	objectives_text(sp, objs, sizeof(objs));
	if (a->inputs && search_inputs_to_text(a->inputs, inputs, sizeof(inputs)) < 0)
		return hn_fail(err, HN_EINVAL, "%s: the list of inputs is too long", st->path);
	st->sp = sp;
	st->replaced[0] = '\0';
	hn_strlcpy(st->space_hash, a->space_hash, sizeof(st->space_hash));
	hn_strlcpy(st->strategy, a->strategy, sizeof(st->strategy));
	st->seed = a->seed;
	if (sp->n_targets && (ret = exec(st, TARGETS_SQL, "cannot add the targets' table",
					 err)) < 0)
		return ret;
	if ((ret = exec(st, "BEGIN IMMEDIATE", "cannot start the run", err)) < 0)
		return ret;
	if (a->force) {
		/* a store of an earlier multi-target run has their metrics: they go too */
		int64_t has = 0;
		if ((ret = query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				     "AND name = 'target_metrics'", &has, err)) < 0 ||
		    (has && (ret = exec(st, "DELETE FROM target_metrics", "cannot empty the store",
					err)) < 0))
			goto out_rollback;
	}
	if (a->force && ((ret = exec(st, "DELETE FROM evals", "cannot empty the store", err)) < 0 ||
			 (ret = exec(st, "DELETE FROM progress", "cannot empty the store",
				     err)) < 0 ||
			 (ret = exec(st, "DELETE FROM runs", "cannot empty the store", err)) < 0))
		goto out_rollback;
	/* a run's evaluations: its progress (exhaustive runs), else its rows */
	ret = prepare(st, &q, "SELECT id, space_hash, strategy, seed, budget, space_file,"
		      " coalesce(inputs, ''), coalesce((SELECT evaluations FROM progress WHERE"
		      " run_id = runs.id), (SELECT count(*) FROM evals WHERE run_id = runs.id))"
		      " FROM runs ORDER BY id", err);
	if (ret < 0)
		goto out_rollback;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int same = !strcmp(col_text(q, 1), a->space_hash) && !strcmp(col_text(q, 2),
			   a->strategy) && (uint64_t)sqlite3_column_int64(q, 3) == a->seed &&
			   sqlite3_column_int64(q, 4) == a->budget;
		char why[2048];
		if (same) {
			st->run_id = sqlite3_column_int64(q, 0);
			continue;
		}
		run_difference(q, a, why, sizeof(why));
		if (sqlite3_column_int64(q, 7) == 0) {
			/* A run that stopped before its first evaluation (a bad space, a failing
			 * accuracy command) left nothing to resume: this run replaces it. */
			char sql[96];
			size_t o = strlen(st->replaced);
			snprintf(st->replaced + o, sizeof(st->replaced) - o, "%s%s", o ? " | " : "",
				 why);
			snprintf(sql, sizeof(sql), "DELETE FROM runs WHERE id = %lld",
				 (long long)sqlite3_column_int64(q, 0));
			if ((ret = exec(st, sql, "cannot replace an empty run", err)) < 0)
				goto out_rollback;
			continue;
		}
		ret = hn_fail(err, HN_EINVAL, "%s: holds another run (%lld evaluations): %s; resume "
			      "with the same inputs and arguments, use another --db, or --force to "
			      "start over", st->path, (long long)sqlite3_column_int64(q, 7), why);
		goto out_rollback;
	}
	if (rc != SQLITE_DONE) {
		ret = db_fail(st, HN_EIO, "cannot read the runs", err);
		goto out_rollback;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (!st->run_id) {
		ret = prepare(st, &q, "INSERT INTO runs(space_hash, space_file, space_name, strategy,"
			      " seed, budget, objectives, n_obj, created, inputs)"
			      " VALUES(?,?,?,?,?,?,?,?,?,?)", err);
		if (ret < 0)
			goto out_rollback;
		sqlite3_bind_text(q, 1, a->space_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, a->space_file, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, sp->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, a->strategy, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 5, (sqlite3_int64)a->seed);
		sqlite3_bind_int64(q, 6, a->budget);
		sqlite3_bind_text(q, 7, objs, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 8, sp->n_obj);
		sqlite3_bind_double(q, 9, unix_now());
		if (a->inputs)
			sqlite3_bind_text(q, 10, inputs, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q, 10);
		if (sqlite3_step(q) != SQLITE_DONE) {
			ret = db_fail(st, HN_EIO, "cannot record the run", err);
			goto out_rollback;
		}
		st->run_id = sqlite3_last_insert_rowid(st->db);
		sqlite3_finalize(q);
		q = NULL;
	}
	{
		char sql[160];
		snprintf(sql, sizeof(sql), "UPDATE runs SET sessions = sessions + 1 WHERE id = %lld",
			 (long long)st->run_id);
		if ((ret = exec(st, sql, "cannot record the run", err)) < 0)
			goto out_rollback;
		snprintf(sql, sizeof(sql), "SELECT sessions FROM runs WHERE id = %lld",
			 (long long)st->run_id);
		if ((ret = query_int(st, sql, &st->session, err)) < 0)
			goto out_rollback;
	}
	ret = prepare(st, &q, "SELECT coalesce((SELECT evaluations FROM progress WHERE run_id ="
		      " ?2), (SELECT count(*) FROM evals WHERE space_hash = ?1))", err);
	if (ret < 0)
		goto out_rollback;
	sqlite3_bind_text(q, 1, a->space_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, st->run_id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		ret = db_fail(st, HN_EIO, "cannot read", err);
		goto out_rollback;
	}
	stored = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	if ((ret = exec(st, "COMMIT", "cannot start the run", err)) < 0)
		return ret;
	if (prepare(st, &st->get, "SELECT " ROW_COLS " FROM evals WHERE space_hash = ?1 AND "
		    "idx = ?2 AND fidelity = ?3", err) < 0 ||
	    prepare(st, &st->put, "INSERT INTO evals(space_hash, idx, fidelity, run_id, session,"
		    " seq, strategy, seed, time, eval_s, choices, arch, pe_rows, pe_cols, dataflow,"
		    " act_bits, weight_bits, acc_bits, ibuf_bytes, wbuf_bytes, obuf_bytes,"
		    " double_buffer, freq_mhz, dram_gbps, device, cycles, stall_cycles, dram_bytes,"
		    " feasible, why, violation, accuracy, latency_ms, energy_mj, edp, dsp, bram, lut,"
		    " ff, macs, obj0, obj1, obj2, obj3, obj4, obj5, score, acc_raw, acc_penalty,"
		    " acc_source, mac_packing) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
		    "?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,"
		    "?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,?47,?48,?49,?50,?51)", err) < 0)
		return HN_EIO;
	if (sp->n_targets &&
	    (prepare(st, &st->tget, "SELECT idx, target, name, accuracy, latency_ms, energy_mj, edp,"
		     " dsp, bram, lut, ff, macs FROM target_metrics WHERE space_hash = ?1 AND"
		     " idx = ?2 AND fidelity = ?3 ORDER BY target", err) < 0 ||
	     prepare(st, &st->tput, "INSERT INTO target_metrics(space_hash, idx, fidelity, target,"
		     " name, accuracy, latency_ms, energy_mj, edp, dsp, bram, lut, ff, macs)"
		     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)", err) < 0))
		return HN_EIO;
	return stored;
out_rollback:
	sqlite3_finalize(q);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

const char *store_replaced(const struct store *st)
{
	return st->replaced;
}

int store_session(const struct store *st)
{
	return (int)st->session;
}

int64_t store_rows_written(const struct store *st)
{
	return st->rows_written;
}

int store_end_run(struct store *st, int64_t evaluations, struct hn_err *err)
{
	char sql[200];
	int ret, rc;

	snprintf(sql, sizeof(sql), "UPDATE runs SET finished = %.6f, evaluations = %lld WHERE id = "
		 "%lld", unix_now(), (long long)evaluations, (long long)st->run_id);
	if ((ret = exec(st, sql, "cannot record the end of the run", err)) < 0)
		return ret;
	/* Everything into the store file itself, so a run that says it succeeded left no
	 * evaluation only in the WAL. */
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		return hn_fail(err, HN_EIO, "%s: cannot copy the log into the store file "
			       "(checkpoint): %s", st->path, sqlite3_errmsg(st->db));
	return 0;
}

int store_tx_begin(struct store *st, struct hn_err *err)
{
	int ret = exec(st, "BEGIN", "cannot begin a transaction", err);

	st->in_tx = ret == 0;
	return ret;
}

int store_tx_commit(struct store *st, struct hn_err *err)
{
	st->in_tx = 0;
	return exec(st, "COMMIT", "cannot commit", err);
}

/* ---- rows ---- */

static void bind_double(sqlite3_stmt *q, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_double(q, i, v);
}

static int acc_source_parse(const char *s)
{
	for (int i = 0; i <= SEARCH_ACC_FIXED; i++)
		if (!strcmp(search_acc_source_name(i), s))
			return i;
	return SEARCH_ACC_NONE;
}

/* A row read back is input like any file: every column is checked before it is used (a
 * crafted or damaged store gave a division by zero, a huge allocation, a different front). */
static int bad_col(const struct store *st, sqlite3_stmt *q, int i, const char *what,
		   struct hn_err *err)
{
	return hn_fail(err, HN_EINVAL, "%s: damaged store: evals row idx %lld: column '%s' %s",
		       st->path, (long long)sqlite3_column_int64(q, 0), sqlite3_column_name(q, i),
		       what);
}

static int want_int(const struct store *st, sqlite3_stmt *q, int i, int64_t lo, int64_t hi,
		    int64_t *v, struct hn_err *err)
{
	if (sqlite3_column_type(q, i) != SQLITE_INTEGER)
		return bad_col(st, q, i, "is not an integer", err);
	*v = sqlite3_column_int64(q, i);
	if (*v < lo || *v > hi)
		return bad_col(st, q, i, "is out of range", err);
	return 0;
}

/* A REAL column: a number or NULL (NaN); text or a blob is damage. */
static int want_real(const struct store *st, sqlite3_stmt *q, int i, double *v,
		     struct hn_err *err)
{
	int t = sqlite3_column_type(q, i);

	if (t != SQLITE_FLOAT && t != SQLITE_INTEGER && t != SQLITE_NULL)
		return bad_col(st, q, i, "is not a number", err);
	*v = t == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
	return 0;
}

static int want_text(const struct store *st, sqlite3_stmt *q, int i, char *dst, size_t size,
		     struct hn_err *err)
{
	const char *t;

	if (sqlite3_column_type(q, i) != SQLITE_TEXT)
		return bad_col(st, q, i, "is not text", err);
	t = col_text(q, i);
	if ((size_t)sqlite3_column_bytes(q, i) != strlen(t) || strlen(t) >= size)
		return bad_col(st, q, i, "is too long or holds a NUL", err);
	if (dst)
		hn_strlcpy(dst, t, size);
	return 0;
}

/* "3,0,12": at most SEARCH_MAX_DIMS decimal choices; with sp, exactly its dimensions, each
 * below its count, and their index equal to idx. */
static int read_choices(const struct store *st, sqlite3_stmt *q, int i,
			const struct search_space *sp, struct search_eval *e, struct hn_err *err)
{
	const char *ch;
	int d = 0;
	int ret;

	if ((ret = want_text(st, q, i, NULL, 4 * SEARCH_MAX_DIMS + 1, err)) < 0)
		return ret;
	ch = col_text(q, i);
	while (*ch) {
		unsigned long v = 0;
		int digits = 0;
		for (; *ch >= '0' && *ch <= '9' && digits < 4; ch++, digits++)
			v = v * 10 + (unsigned long)(*ch - '0');
		if (!digits || v > 255 || d == SEARCH_MAX_DIMS || (*ch && *ch != ','))
			return bad_col(st, q, i, "is not a list of choices", err);
		if (sp && (d >= sp->n_dims || v >= (unsigned long)sp->dims[d].n))
			return bad_col(st, q, i, "names a choice the space does not have", err);
		e->pt.c[d++] = (uint8_t)v;
		if (*ch == ',' && !*++ch)
			return bad_col(st, q, i, "is not a list of choices", err);
	}
	if (sp && (d != sp->n_dims || search_point_index(sp, &e->pt) != e->index))
		return bad_col(st, q, i, "does not match the row's idx", err);
	return 0;
}

/* Reads the ROW_COLS of q into *r (r->e and the extra columns), checking each; sp (or NULL)
 * is the space the row must belong to. */
static int read_row(const struct store *st, sqlite3_stmt *q, const struct search_space *sp,
		    struct store_row *r, struct hn_err *err)
{
	struct search_eval *e = &r->e;
	char fid[8], src[16], df[8];
	int64_t v, hw[5];
	int c = 0, ret = 0, n_obj = sp ? sp->n_obj : 1;
	uint64_t size = sp ? search_space_size(sp) : UINT64_MAX;

	memset(r, 0, sizeof(*r));
	if ((ret = want_int(st, q, c++, 0, size > (uint64_t)INT64_MAX ? INT64_MAX :
			    (int64_t)size - 1, &v, err)) < 0)
		return ret;
	e->index = (uint64_t)v;
	if ((ret = want_text(st, q, c, fid, sizeof(fid), err)) < 0)
		return ret;
	if (strcmp(fid, "model") && strcmp(fid, "rtl"))
		return bad_col(st, q, c, "is neither 'model' nor 'rtl'", err);
	c++;
	e->fidelity = !strcmp(fid, "rtl") ? SEARCH_FID_RTL : SEARCH_FID_MODEL;
	if ((ret = want_int(st, q, c++, 0, INT64_MAX, &e->seq, err)) < 0 ||
	    (ret = want_int(st, q, c++, 0, 1, &v, err)) < 0)
		return ret;
	e->feasible = (int)v;
	if ((ret = want_text(st, q, c++, e->why, sizeof(e->why), err)) < 0 ||
	    (ret = want_real(st, q, c++, &e->violation, err)) < 0)
		return ret;
	for (int m = 0; m < SEARCH_M_COUNT; m++)
		if ((ret = want_real(st, q, c++, &e->m[m], err)) < 0)
			return ret;
	for (int o = 0; o < SEARCH_MAX_OBJ; o++) {
		if ((ret = want_real(st, q, c, &e->obj[o], err)) < 0)
			return ret;
		/* a feasible point's objectives are numbers: a NaN would reorder the front */
		if (e->feasible && o < n_obj && !isfinite(e->obj[o]))
			return bad_col(st, q, c, "is not a finite number on a feasible row", err);
		c++;
	}
	if ((ret = want_real(st, q, c++, &e->score, err)) < 0 ||
	    (ret = want_real(st, q, c++, &e->acc_raw, err)) < 0 ||
	    (ret = want_real(st, q, c++, &e->acc_penalty, err)) < 0 ||
	    (ret = want_text(st, q, c, src, sizeof(src), err)) < 0)
		return ret;
	e->acc_source = acc_source_parse(src);
	if (strcmp(search_acc_source_name(e->acc_source), src))
		return bad_col(st, q, c, "is not an accuracy source", err);
	c++;
	if ((ret = read_choices(st, q, c++, sp, e, err)) < 0 ||
	    (ret = want_int(st, q, c++, 0, INT64_MAX, &e->cycles, err)) < 0 ||
	    (ret = want_int(st, q, c++, 0, INT64_MAX, &e->stall_cycles, err)) < 0 ||
	    (ret = want_int(st, q, c++, 0, INT64_MAX, &e->dram_bytes, err)) < 0 ||
	    (ret = want_text(st, q, c++, r->space_hash, sizeof(r->space_hash), err)) < 0 ||
	    (ret = want_text(st, q, c++, r->arch, sizeof(r->arch), err)) < 0 ||
	    (ret = want_text(st, q, c++, r->strategy, sizeof(r->strategy), err)) < 0 ||
	    (ret = want_int(st, q, c++, 1, INT64_MAX, &r->run_id, err)) < 0 ||
	    (ret = want_int(st, q, c++, 1, INT64_MAX, &r->session, err)) < 0 ||
	    (ret = want_real(st, q, c++, &r->time, err)) < 0 ||
	    (ret = want_real(st, q, c++, &r->eval_s, err)) < 0)
		return ret;
	for (int i = 0; i < 5; i++, c++) {
		if (i == 2) {
			if ((ret = want_text(st, q, c, df, sizeof(df), err)) < 0)
				return ret;
			continue;
		}
		if ((ret = want_int(st, q, c, 0, INT64_MAX, &hw[i], err)) < 0)
			return ret;
	}
	/* mac_packing: a packing's name, or NULL for a row stored before schema 4 */
	if (sqlite3_column_type(q, c) != SQLITE_NULL) {
		if ((ret = want_text(st, q, c, r->mac_packing, sizeof(r->mac_packing), err)) < 0)
			return ret;
		if (hw_packing_parse(r->mac_packing) < 0)
			return bad_col(st, q, c, "is not a MAC packing (none, dsp2, dsp4, lut)", err);
	}
	snprintf(r->hw, sizeof(r->hw), "%lldx%lld %s %lldb %lldK%s%s", (long long)hw[0],
		 (long long)hw[1], df, (long long)hw[3], (long long)(hw[4] / 1024),
		 r->mac_packing[0] && strcmp(r->mac_packing, "none") ? " " : "",
		 strcmp(r->mac_packing, "none") ? r->mac_packing : "");
	return 0;
}

/* The per-target metrics of a stored point of a multi-target space into e->tm: every target
 * must have its row, under its name (a row missing or of another target is damage). */
static int read_targets(struct store *st, struct search_eval *e, struct hn_err *err)
{
	const struct search_space *sp = st->sp;
	sqlite3_stmt *q = st->tget;
	int rc, t = 0, ret = 0;

	if (!sp || !sp->n_targets)
		return 0;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, st->space_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)e->index);
	sqlite3_bind_text(q, 3, search_fidelity_name(e->fidelity), -1, SQLITE_STATIC);
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char name[SEARCH_TARGET_NAME];
		int64_t v;
		/* column 0 is idx, so that a message names the point */
		if ((ret = want_int(st, q, 1, t, t, &v, err)) < 0 ||
		    (ret = want_text(st, q, 2, name, sizeof(name), err)) < 0)
			break;
		if (t >= sp->n_targets || strcmp(name, sp->targets[t].name)) {
			ret = bad_col(st, q, 2, "is not the space's target of that number", err);
			break;
		}
		for (int m = 0; ret == 0 && m < SEARCH_M_COUNT; m++)
			ret = want_real(st, q, 3 + m, &e->tm[t][m], err);
		t++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
	if (ret == 0 && t != sp->n_targets)
		ret = hn_fail(err, HN_EINVAL, "%s: damaged store: point %llu has metrics for %d of its "
			      "%d targets", st->path, (unsigned long long)e->index, t, sp->n_targets);
	sqlite3_reset(q);
	return ret;
}

int store_lookup(struct store *st, uint64_t index, int fidelity, struct search_eval *out,
		 struct hn_err *err)
{
	struct store_row row;
	int rc, ret = 0;

	sqlite3_reset(st->get);
	sqlite3_bind_text(st->get, 1, st->space_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->get, 2, (sqlite3_int64)index);
	sqlite3_bind_text(st->get, 3, search_fidelity_name(fidelity), -1, SQLITE_STATIC);
	rc = sqlite3_step(st->get);
	if (rc == SQLITE_ROW) {
		ret = read_row(st, st->get, st->sp, &row, err);
		if (ret == 0)
			ret = read_targets(st, &row.e, err);
		if (ret == 0) {
			*out = row.e;
			ret = 1;
		}
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(st, HN_EIO, "cannot read", err);
	}
	sqlite3_reset(st->get);
	return ret;
}

static int put_row(struct store *st, const struct search_eval *e, double eval_s,
		   struct hn_err *err)
{
	const struct search_space *sp = st->sp;
	sqlite3_stmt *q = st->put;
	struct hw_config hw;
	char choices[4 * SEARCH_MAX_DIMS + 1] = "", arch[256];
	int c = 1, rc;

	search_space_hw(sp, &e->pt, &hw);
	search_space_describe_nn(sp, &e->pt, arch, sizeof(arch));
	for (int d = 0; d < sp->n_dims; d++) {
		size_t n = strlen(choices);
		snprintf(choices + n, sizeof(choices) - n, "%s%d", d ? "," : "", e->pt.c[d]);
	}
	sqlite3_reset(q);
	sqlite3_bind_text(q, c++, st->space_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, c++, (sqlite3_int64)e->index);
	sqlite3_bind_text(q, c++, search_fidelity_name(e->fidelity), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, c++, st->run_id);
	sqlite3_bind_int64(q, c++, st->session);
	sqlite3_bind_int64(q, c++, e->seq);
	sqlite3_bind_text(q, c++, st->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, c++, (sqlite3_int64)st->seed);
	sqlite3_bind_double(q, c++, unix_now());
	sqlite3_bind_double(q, c++, eval_s);
	sqlite3_bind_text(q, c++, choices, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, c++, arch, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, c++, hw.pe_rows);
	sqlite3_bind_int(q, c++, hw.pe_cols);
	sqlite3_bind_text(q, c++, hw_dataflow_name(hw.dataflow), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, c++, hw.act_bits);
	sqlite3_bind_int(q, c++, hw.weight_bits);
	sqlite3_bind_int(q, c++, hw.acc_bits);
	sqlite3_bind_int64(q, c++, hw.ibuf_bytes);
	sqlite3_bind_int64(q, c++, hw.wbuf_bytes);
	sqlite3_bind_int64(q, c++, hw.obuf_bytes);
	sqlite3_bind_int(q, c++, hw.double_buffer);
	bind_double(q, c++, hw.freq_mhz);
	bind_double(q, c++, hw.dram_gbps);
	sqlite3_bind_text(q, c++, hw.device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, c++, e->cycles);
	sqlite3_bind_int64(q, c++, e->stall_cycles);
	sqlite3_bind_int64(q, c++, e->dram_bytes);
	sqlite3_bind_int(q, c++, e->feasible);
	sqlite3_bind_text(q, c++, e->why, -1, SQLITE_TRANSIENT);
	bind_double(q, c++, e->violation);
	for (int m = 0; m < SEARCH_M_COUNT; m++)
		bind_double(q, c++, e->m[m]);
	for (int o = 0; o < SEARCH_MAX_OBJ; o++)
		bind_double(q, c++, e->obj[o]);
	bind_double(q, c++, e->score);
	bind_double(q, c++, e->acc_raw);
	bind_double(q, c++, e->acc_penalty);
	sqlite3_bind_text(q, c++, search_acc_source_name(e->acc_source), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, c++, hw_packing_name(hw.mac_packing), -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_CONSTRAINT && !st->ckpt_rc)
		return hn_fail(err, HN_EINVAL, "%s: point %llu (%s) is already stored: it would be "
			       "evaluated twice", st->path, (unsigned long long)e->index,
			       search_fidelity_name(e->fidelity));
	if (rc != SQLITE_DONE)
		return db_fail(st, HN_EIO, "cannot write", err);
	for (int t = 0; t < sp->n_targets; t++) {
		q = st->tput;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, st->space_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)e->index);
		sqlite3_bind_text(q, 3, search_fidelity_name(e->fidelity), -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 4, t);
		sqlite3_bind_text(q, 5, sp->targets[t].name, -1, SQLITE_STATIC);
		for (int m = 0; m < SEARCH_M_COUNT; m++)
			bind_double(q, 6 + m, e->tm[t][m]);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			return db_fail(st, HN_EIO, "cannot write", err);
	}
	return 0;
}

int store_put(struct store *st, const struct search_eval *e, double eval_s, struct hn_err *err)
{
	int ret = put_row(st, e, eval_s, err);

	st->rows_written += ret == 0;
	return ret;
}

/* ---- progress of exhaustive runs ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int has_u64(const uint64_t *v, int64_t n, uint64_t key)
{
	return n > 0 && bsearch(&key, v, (size_t)n, sizeof(*v), cmp_u64) != NULL;
}

int store_progress_save(struct store *st, const struct store_progress *p,
			const struct search_eval *rows, int n, struct hn_err *err)
{
	uint64_t *now = malloc((size_t)(n > 0 ? n : 1) * sizeof(*now));
	sqlite3_stmt *del = NULL, *q = NULL;
	int ret;

	if (!now)
		return hn_fail(err, HN_ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		now[i] = rows[i].index;
	qsort(now, (size_t)n, sizeof(*now), cmp_u64);
	if ((ret = store_tx_begin(st, err)) < 0)
		goto out_free;
	/* rows that left the front (or stopped being the best) go; new members come */
	ret = prepare(st, &del, "DELETE FROM evals WHERE space_hash = ?1 AND idx = ?2 AND "
		      "fidelity = 'model'", err);
	for (int64_t i = 0; ret == 0 && i < st->n_saved; i++) {
		if (has_u64(now, n, st->saved[i]))
			continue;
		sqlite3_reset(del);
		sqlite3_bind_text(del, 1, st->space_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(del, 2, (sqlite3_int64)st->saved[i]);
		if (sqlite3_step(del) != SQLITE_DONE)
			ret = db_fail(st, HN_EIO, "cannot write", err);
		if (ret == 0 && st->sp->n_targets) {
			char sql[160];
			snprintf(sql, sizeof(sql), "DELETE FROM target_metrics WHERE space_hash = '%s'"
				 " AND idx = %llu AND fidelity = 'model'", st->space_hash,
				 (unsigned long long)st->saved[i]);
			ret = exec(st, sql, "cannot write", err);
		}
	}
	for (int i = 0; ret == 0 && i < n; i++)
		if (!has_u64(st->saved, st->n_saved, rows[i].index))
			ret = put_row(st, &rows[i], 0.0, err);
	if (ret == 0)
		ret = prepare(st, &q, "INSERT OR REPLACE INTO progress(run_id, next_index, "
			      "evaluations, networks, feasible, best_idx, eval_s, time) "
			      "VALUES(?,?,?,?,?,?,?,?)", err);
	if (ret == 0) {
		sqlite3_bind_int64(q, 1, st->run_id);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)p->next_index);
		sqlite3_bind_int64(q, 3, p->evaluations);
		sqlite3_bind_int64(q, 4, p->networks);
		sqlite3_bind_int64(q, 5, p->feasible);
		sqlite3_bind_int64(q, 6, p->best_index);
		sqlite3_bind_double(q, 7, p->eval_s);
		sqlite3_bind_double(q, 8, unix_now());
		if (sqlite3_step(q) != SQLITE_DONE)
			ret = db_fail(st, HN_EIO, "cannot write", err);
	}
	if (ret == 0)
		ret = store_tx_commit(st, err);
	if (ret < 0) {
		if (st->in_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_tx = 0;
		goto out_finalize;
	}
	free(st->saved);
	st->saved = now;
	now = NULL;
	st->n_saved = st->cap_saved = n;
	st->rows_written += p->evaluations - st->saved_evals;
	st->saved_evals = p->evaluations;
out_finalize:
	sqlite3_finalize(del);
	sqlite3_finalize(q);
out_free:
	free(now);
	return ret;
}

int store_progress_load(struct store *st, struct store_progress *p,
			int (*fn)(void *ctx, const struct search_eval *e), void *ctx,
			struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	struct store_row row;
	int64_t rows = 0, v;
	int rc, ret, found = 0;
	char sql[160];

	memset(p, 0, sizeof(*p));
	p->best_index = -1;
	st->n_saved = 0;
	ret = prepare(st, &q, "SELECT next_index, evaluations, networks, feasible, best_idx, "
		      "eval_s FROM progress WHERE run_id = ?", err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, st->run_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		uint64_t size = search_space_size(st->sp);
		int64_t f[5];
		found = 1;
		for (int i = 0; i < 5; i++)
			f[i] = sqlite3_column_int64(q, i);
		p->next_index = (uint64_t)f[0];
		p->evaluations = f[1];
		p->networks = f[2];
		p->feasible = f[3];
		p->best_index = f[4];
		p->eval_s = sqlite3_column_double(q, 5);
		for (int i = 0; i < 5; i++)
			if (sqlite3_column_type(q, i) != SQLITE_INTEGER)
				found = -1;
		if (found < 0 || f[0] < 0 || (uint64_t)f[0] > size || f[1] != f[0] || f[2] < 0 ||
		    f[2] > f[1] || f[3] < 0 || f[3] > f[1] || f[4] < -1 ||
		    (f[4] >= 0 && (uint64_t)f[4] >= (uint64_t)f[0]))
			ret = hn_fail(err, HN_EINVAL, "%s: damaged store: progress of run %lld: "
				      "next_index %lld, evaluations %lld, networks %lld, feasible "
				      "%lld, best_idx %lld do not fit a space of %llu points",
				      st->path, (long long)st->run_id, (long long)f[0],
				      (long long)f[1], (long long)f[2], (long long)f[3],
				      (long long)f[4], (unsigned long long)size);
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(st, HN_EIO, "cannot read", err);
	}
	sqlite3_finalize(q);
	q = NULL;
	if (ret < 0)
		return ret;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM evals WHERE run_id = %lld AND "
		 "fidelity = 'model'", (long long)st->run_id);
	if ((ret = query_int(st, sql, &v, err)) < 0)
		return ret;
	if (!found && v > 0)
		return hn_fail(err, HN_EINVAL, "%s: holds this exhaustive run as %lld rows, one per "
			       "point (an older hwnas, store schema version 2); this hwnas keeps "
			       "the front and a checkpoint instead: finish it with the older hwnas "
			       "or use --force to start over", st->path, (long long)v);
	if (!found)
		return 0;
	ret = prepare(st, &q, "SELECT " ROW_COLS " FROM evals WHERE run_id = ? AND fidelity = "
		      "'model' ORDER BY seq", err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, st->run_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((ret = read_row(st, q, st->sp, &row, err)) < 0 ||
		    (ret = read_targets(st, &row.e, err)) < 0)
			break;
		if (row.e.index >= p->next_index) {
			ret = bad_col(st, q, 0, "lies beyond the run's progress", err);
			break;
		}
		if (hn_grow(&st->saved, st->n_saved, &st->cap_saved, sizeof(*st->saved), 64)) {
			ret = hn_fail(err, HN_ENOMEM, "out of memory");
			break;
		}
		st->saved[st->n_saved++] = row.e.index;
		rows++;
		if (fn && (ret = fn(ctx, &row.e)) < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
	sqlite3_finalize(q);
	if (ret < 0)
		return ret;
	qsort(st->saved, (size_t)st->n_saved, sizeof(*st->saved), cmp_u64);
	st->saved_evals = p->evaluations;
	if (p->best_index >= 0 && !has_u64(st->saved, st->n_saved, (uint64_t)p->best_index))
		return hn_fail(err, HN_EINVAL, "%s: damaged store: progress of run %lld: its best "
			       "point %lld has no row", st->path, (long long)st->run_id,
			       (long long)p->best_index);
	return 1;
}

/* ---- reading ---- */

static int add_count(struct store_count *g, int *n, const char *label, int64_t count)
{
	if (*n >= STORE_MAX_GROUPS)
		return 0;
	hn_strlcpy(g[*n].label, label, sizeof(g[*n].label));
	g[(*n)++].n = count;
	return 0;
}

static int group(struct store *st, const char *sql, struct store_count *g, int *n,
		 struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = prepare(st, &q, sql, err);

	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		add_count(g, n, col_text(q, 0), sqlite3_column_int64(q, 1));
	if (rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
	sqlite3_finalize(q);
	return ret;
}

int store_stats(struct store *st, struct store_stats *out, struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	int64_t v;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = query_int(st, "PRAGMA user_version", &v, err)) < 0)
		return ret;
	out->schema_version = (int)v;
	if ((ret = query_int(st, "SELECT count(*) FROM runs", &out->runs, err)) < 0 ||
	    (ret = query_int(st, "SELECT coalesce(sum(sessions), 0) FROM runs", &out->sessions,
			     err)) < 0)
		return ret;
	ret = prepare(st, &q, "SELECT count(*), coalesce(sum(feasible), 0), coalesce(min(time), 0),"
		      " coalesce(max(time), 0), coalesce(sum(eval_s), 0) FROM evals", err);
	if (ret < 0)
		return ret;
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return db_fail(st, HN_EIO, "cannot read", err);
	}
	out->points = sqlite3_column_int64(q, 0);
	out->feasible = sqlite3_column_int64(q, 1);
	out->first_time = sqlite3_column_double(q, 2);
	out->last_time = sqlite3_column_double(q, 3);
	out->eval_seconds = sqlite3_column_double(q, 4);
	sqlite3_finalize(q);
	q = NULL;
	if (st->has_progress) {
		ret = prepare(st, &q, "SELECT coalesce(sum(evaluations), 0), coalesce(sum(feasible),"
			      " 0), coalesce(sum(eval_s), 0) FROM progress", err);
		if (ret < 0)
			return ret;
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_finalize(q);
			return db_fail(st, HN_EIO, "cannot read", err);
		}
		out->progress_points = sqlite3_column_int64(q, 0);
		out->progress_feasible = sqlite3_column_int64(q, 1);
		out->eval_seconds += sqlite3_column_double(q, 2);
		sqlite3_finalize(q);
	}
	if ((ret = group(st, "SELECT strategy, count(*) FROM evals GROUP BY strategy ORDER BY 2 "
			 "DESC, 1", out->strategy, &out->n_strategy, err)) < 0 ||
	    (ret = group(st, "SELECT fidelity, count(*) FROM evals GROUP BY fidelity ORDER BY 1",
			 out->fidelity, &out->n_fidelity, err)) < 0 ||
	    (ret = group(st, "SELECT space_hash, count(*) FROM evals GROUP BY space_hash ORDER BY 2"
			 " DESC, 1", out->space, &out->n_space, err)) < 0)
		return ret;
	return 0;
}

/* A run row read back: n_obj and the objectives text decide array sizes in `db front`. */
static int check_run(const struct store *st, sqlite3_stmt *q, const struct store_run_info *r,
		     struct hn_err *err)
{
	const char *p = r->objectives;
	int n = 0;

	if (sqlite3_column_type(q, 8) != SQLITE_INTEGER || r->n_obj < 1 ||
	    r->n_obj > SEARCH_MAX_OBJ)
		return hn_fail(err, HN_EINVAL, "%s: damaged store: runs row %lld: n_obj must be 1 to "
			       "%d, got '%s'", st->path, (long long)r->id, SEARCH_MAX_OBJ,
			       col_text(q, 8));
	while (*p) {
		char name[32];
		size_t len = strcspn(p, ":@"); /* "latency_ms@zcu102": a target's (or aggregate) */
		snprintf(name, sizeof(name), "%.*s", (int)(len < 31 ? len : 31), p);
		if (search_metric_parse(name) < 0 || ++n > r->n_obj)
			break;
		p += strcspn(p, ",");
		p += *p == ',';
	}
	if (*p || n != r->n_obj)
		return hn_fail(err, HN_EINVAL, "%s: damaged store: runs row %lld: objectives '%s' "
			       "are not %d known metrics", st->path, (long long)r->id, r->objectives,
			       r->n_obj);
	if (sqlite3_column_type(q, 1) != SQLITE_TEXT || strlen(r->space_hash) != STORE_HASH_LEN)
		return hn_fail(err, HN_EINVAL, "%s: damaged store: runs row %lld: space_hash is not "
			       "%d hex digits", st->path, (long long)r->id, STORE_HASH_LEN);
	return 0;
}

int store_runs(struct store *st, int (*fn)(void *ctx, const struct store_run_info *r),
	       void *ctx, struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	/* an unfinished run's evaluations: its progress (exhaustive runs), else its rows */
	int rc, ret = prepare(st, &q, st->has_progress ?
			      "SELECT id, space_hash, coalesce(space_file, ''),"
			      " coalesce(space_name, ''), strategy, seed, budget, objectives, n_obj,"
			      " created, finished IS NOT NULL, coalesce(evaluations, (SELECT"
			      " evaluations FROM progress WHERE run_id = runs.id), (SELECT count(*)"
			      " FROM evals WHERE run_id = runs.id)), sessions FROM runs ORDER BY id" :
			      "SELECT id, space_hash, coalesce(space_file, ''),"
			      " coalesce(space_name, ''), strategy, seed, budget, objectives, n_obj,"
			      " created, finished IS NOT NULL, coalesce(evaluations, (SELECT count(*)"
			      " FROM evals WHERE run_id = runs.id)), sessions FROM runs ORDER BY id",
			      err);

	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_run_info r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(q, 0);
		hn_strlcpy(r.space_hash, col_text(q, 1), sizeof(r.space_hash));
		hn_strlcpy(r.space_file, col_text(q, 2), sizeof(r.space_file));
		hn_strlcpy(r.space_name, col_text(q, 3), sizeof(r.space_name));
		hn_strlcpy(r.strategy, col_text(q, 4), sizeof(r.strategy));
		r.seed = sqlite3_column_int64(q, 5);
		r.budget = sqlite3_column_int64(q, 6);
		hn_strlcpy(r.objectives, col_text(q, 7), sizeof(r.objectives));
		r.n_obj = sqlite3_column_int(q, 8);
		if ((ret = check_run(st, q, &r, err)) < 0)
			break;
		r.created = sqlite3_column_double(q, 9);
		r.finished = sqlite3_column_int(q, 10);
		r.evaluations = sqlite3_column_int64(q, 11);
		r.sessions = sqlite3_column_int64(q, 12);
		if ((ret = fn(ctx, &r)) < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
	sqlite3_finalize(q);
	return ret;
}

int store_each(struct store *st, const char *space_hash,
	       int (*fn)(void *ctx, const struct store_row *row, struct hn_err *err), void *ctx,
	       struct hn_err *err)
{
	sqlite3_stmt *q = NULL, *tq = NULL;
	struct store_row row;
	int64_t has_targets = 0;
	int rc, ret = prepare(st, &q, st->has_packing ? "SELECT " ROW_COLS " FROM evals WHERE ?1 "
			      "= '' OR space_hash = ?1 ORDER BY run_id, seq" : "SELECT " ROW_COLS_OLD
			      " FROM evals WHERE ?1 = '' OR space_hash = ?1 ORDER BY run_id, seq",
			      err);

	if (ret < 0)
		return ret;
	/* rows of multi-target runs carry each target's metrics (e.tm) */
	if ((ret = query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
			     "name = 'target_metrics'", &has_targets, err)) < 0 ||
	    (has_targets && (ret = prepare(st, &tq, "SELECT idx, target, accuracy, latency_ms,"
					   " energy_mj, edp, dsp, bram, lut, ff, macs FROM"
					   " target_metrics WHERE space_hash = ?1 AND idx = ?2 AND"
					   " fidelity = ?3 ORDER BY target", err)) < 0))
		goto out_finalize;
	sqlite3_bind_text(q, 1, space_hash, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((ret = read_row(st, q, NULL, &row, err)) < 0)
			break;
		if (tq) {
			int trc;
			sqlite3_reset(tq);
			sqlite3_bind_text(tq, 1, row.space_hash, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(tq, 2, (sqlite3_int64)row.e.index);
			sqlite3_bind_text(tq, 3, search_fidelity_name(row.e.fidelity), -1,
					  SQLITE_STATIC);
			while (ret == 0 && (trc = sqlite3_step(tq)) == SQLITE_ROW) {
				int64_t t;
				if ((ret = want_int(st, tq, 1, 0, SEARCH_MAX_TARGETS - 1, &t, err)) < 0)
					break;
				for (int m = 0; ret == 0 && m < SEARCH_M_COUNT; m++)
					ret = want_real(st, tq, 2 + m, &row.e.tm[t][m], err);
			}
			if (ret == 0 && trc != SQLITE_DONE)
				ret = db_fail(st, HN_EIO, "cannot read", err);
			if (ret < 0)
				break;
		}
		if ((ret = fn(ctx, &row, err)) < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
out_finalize:
	sqlite3_finalize(q);
	sqlite3_finalize(tq);
	return ret;
}

int store_orphans(struct store *st, int64_t *n, struct hn_err *err)
{
	return query_int(st, "SELECT count(*) FROM evals WHERE space_hash NOT IN "
			 "(SELECT space_hash FROM runs)", n, err);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static int csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r"))
		return fputs(s, f) < 0 ? -1 : 0;
	if (fputc('"', f) < 0)
		return -1;
	for (; *s; s++)
		if ((*s == '"' && fputc('"', f) < 0) || fputc(*s, f) < 0)
			return -1;
	return fputc('"', f) < 0 ? -1 : 0;
}

int store_export_csv(struct store *st, FILE *f, const char *f_name, int64_t *rows,
		     struct hn_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = prepare(st, &q, "SELECT * FROM evals ORDER BY run_id, seq", err), bad = 0;
	int n;

	*rows = 0;
	if (ret < 0)
		return ret;
	n = sqlite3_column_count(q);
	for (int i = 0; i < n; i++)
		bad |= (i && fputc(',', f) < 0) || csv_field(f, sqlite3_column_name(q, i)) < 0;
	bad |= fputc('\n', f) < 0;
	while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			char num[40];
			const char *v;
			switch (sqlite3_column_type(q, i)) {
			case SQLITE_NULL: v = ""; break;
			case SQLITE_FLOAT:
				snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(q, i));
				v = num;
				break;
			default: v = col_text(q, i); break;
			}
			bad |= (i && fputc(',', f) < 0) || csv_field(f, v) < 0;
		}
		bad |= fputc('\n', f) < 0;
		(*rows)++;
	}
	if (bad)
		ret = hn_fail(err, HN_EIO, "%s: cannot write: %s", f_name, strerror(errno));
	else if (rc != SQLITE_DONE)
		ret = db_fail(st, HN_EIO, "cannot read", err);
	sqlite3_finalize(q);
	return ret;
}
