/* hn.h: the few things every module shares: the error record and checked arithmetic.
 *
 * Three kinds of failure (see ARCHITECTURE.md): an infeasible design point is a result with a
 * reason; a real error (bad input, I/O, solver) returns a negative HN_E* code and fills a
 * caller-owned struct hn_err; a bug is an assert. Library code never prints or exits. */
#ifndef HN_H
#define HN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hn_code {
	HN_OK = 0,
	HN_EINVAL = -1,   /* bad input: a file, a field, an option */
	HN_EIO = -2,      /* cannot read or write a file */
	HN_ESOLVER = -3,  /* GLPK or another solver failed */
	HN_ENOMEM = -4,
	HN_ENOTFOUND = -5,/* a named thing (network, device, layer) does not exist */
	HN_EEXTERNAL = -6,/* an external build, simulation or command failed */
	HN_EINTR = -7     /* stopped by a signal (SIGINT, SIGTERM); what was done is kept */
};

/* A real error: the code and one human-readable line that names the file and the field. */
struct hn_err {
	int code;
	char msg[512];
};

/* Fills err (when not NULL) with code and a printf-style message; returns code, so that
 * `return hn_fail(err, HN_EINVAL, "...")` reads as one statement. */
int hn_fail(struct hn_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to err->msg (e.g. the file name once the parser knows it). */
void hn_err_prefix(struct hn_err *err, const char *prefix);

/* Ceiling division of non-negative 64-bit values; b > 0. */
static inline int64_t hn_cdiv(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

static inline int64_t hn_min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t hn_max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Reads a whole regular file (at most 256 MiB) into a NUL-terminated buffer the caller frees
 * with free(). Returns 0, or HN_EIO with err naming the path: a FIFO, socket or device is
 * refused without blocking (a FIFO without a writer hung the open). *len gets the length
 * without the NUL. */
int hn_read_file(const char *path, char **buf, size_t *len, struct hn_err *err);

/* Opens path for writing (created or truncated) without ever blocking: a FIFO nobody reads
 * is an error, not a hang (issue 14's red-team pass: `--csv FIFO`, `-o FIFO`, a FIFO in the
 * place of evaluations.jsonl). A FIFO with a reader, a terminal or /dev/null work as usual.
 * Returns the stream (the caller fcloses it), or NULL with err naming the path. */
FILE *hn_fopen_out(const char *path, struct hn_err *err);

/* Room for element n of a growing array: items points to the array's pointer (T **), elem is
 * sizeof(T), *cap the elements allocated. When n == *cap the array grows to 2 x *cap elements
 * (first when empty). Returns 0, or HN_ENOMEM with the array and *cap unchanged. */
int hn_grow(void *items, int64_t n, int64_t *cap, size_t elem, int64_t first);

/* The one signal flag: the signal number (SIGINT, SIGTERM, SIGHUP) a command's handler saw,
 * else 0. Only cli/ sets it (from a signal handler); library code that blocks (an external
 * command, a build) reads it and stops with HN_EINTR, so a signal works at every blocking
 * point. */
extern volatile sig_atomic_t hn_stop_signal;

/* "SIGINT", "SIGTERM", "SIGHUP" or "a signal". */
const char *hn_signal_name(int sig);

/* hwnas's one thread pool (hn_pool.c). A pool's threads live until hn_pool_free, so what a
 * thread caches lives with them; each started thread calls thread_end (may be NULL; e.g.
 * map_thread_release) before it ends. hn_pool_new(threads) starts threads - 1 threads, the
 * caller being worker 0; NULL when out of memory; hn_pool_threads says how many workers it
 * got (fewer when the system refuses a thread). */
struct hn_pool;
struct hn_pool *hn_pool_new(int threads, void (*thread_end)(void));
int hn_pool_threads(const struct hn_pool *p);
void hn_pool_free(struct hn_pool *p);
/* Runs job(ctx, i, worker) for i = 0 .. n-1 on the pool's threads and the caller (worker 0);
 * returns when every job is done. Jobs are taken in order from a shared counter, so job i's
 * results go to slot i of the caller's arrays; `worker` indexes per-worker state. */
void hn_pool_for(struct hn_pool *p, int n, void (*job)(void *ctx, int i, int worker),
		 void *ctx);
/* The same on the pool's own threads only (workers 1 ..), returning at once: the caller goes
 * on (e.g. proposing work the jobs wait for) and then calls hn_pool_wait. Jobs that run until
 * told to stop need n <= hn_pool_threads(p) - 1, one thread each. */
void hn_pool_start(struct hn_pool *p, int n, void (*job)(void *ctx, int i, int worker),
		   void *ctx);
void hn_pool_wait(struct hn_pool *p);

/* Runs job(ctx, i) for i = 0 .. n-1 on up to `threads` threads (at most HN_POOL_MAX_THREADS),
 * the calling thread among them: a pool for one job set. */
enum { HN_POOL_MAX_THREADS = 64 };
void hn_parallel_for(int n, int threads, void (*job)(void *ctx, int i), void *ctx,
		     void (*thread_end)(void));

/* FNV-1a 64 of n bytes at data, continuing from h (HN_FNV_START for a fresh hash): hwnas's
 * one non-cryptographic hash (file identities, checksums, name indexes, cache keys). */
#define HN_FNV_START 0xcbf29ce484222325ULL
uint64_t hn_fnv1a(uint64_t h, const void *data, size_t n);

/* Copies src into dst of size n, always NUL-terminated, truncating if needed. */
void hn_strlcpy(char *dst, const char *src, size_t n);

#endif
