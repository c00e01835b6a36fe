/* test_common.c: common/. The one hash, hn_fnv1a, on the published FNV-1a 64 test vectors;
 * hwnas's one thread pool (common/hn_pool.c): every job runs exactly once, on a
 * worker in range, across many job sets on the same threads; the threads' end hook runs once
 * per thread; jobs started without the caller run while the caller works and stop when told.
 * The seed of the random set sizes is printed (HWNAS_SEED replays it). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "test.h"
#include "../common/hn.h"

enum { MAX_JOBS = 500, MAX_WORKERS = 8 };

struct count_ctx {
	atomic_int runs[MAX_JOBS];
	atomic_int by_worker[MAX_WORKERS];
	atomic_int bad_worker;
	int workers;
};

static void count_job(void *ctx, int i, int worker)
{
	struct count_ctx *c = ctx;

	atomic_fetch_add(&c->runs[i], 1);
	if (worker < 0 || worker >= c->workers)
		atomic_fetch_add(&c->bad_worker, 1);
	else
		atomic_fetch_add(&c->by_worker[worker], 1);
}

static atomic_int ends;

static void count_end(void)
{
	atomic_fetch_add(&ends, 1);
}

static uint64_t seed_from_env(void)
{
	const char *s = getenv("HWNAS_SEED");

	return s && s[0] ? strtoull(s, NULL, 10) : 20261203;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void every_job_of_every_set_should_run_exactly_once_on_a_worker_in_range(void)
{
	uint64_t seed = seed_from_env(), r = seed | 1;
	int sets = 0, bad = 0;

	printf("  seed %llu (HWNAS_SEED replays)\n", (unsigned long long)seed);
	for (int threads = 1; threads <= 4; threads++) {
		struct hn_pool *p = hn_pool_new(threads, count_end);
		CHECK(p != NULL);
		if (!p)
			return;
		CHECK_EQ_I64(hn_pool_threads(p), threads);
		atomic_store(&ends, 0);
		for (int k = 0; k < 300; k++, sets++) {
			/* set sizes 0 .. MAX_JOBS, with many below the thread count */
			int n = (int)(next_rand(&r) % 4 == 0 ? next_rand(&r) % 4 :
				      next_rand(&r) % (MAX_JOBS + 1));
			struct count_ctx c;
			memset(&c, 0, sizeof(c));
			c.workers = threads;
			hn_pool_for(p, n, count_job, &c);
			for (int i = 0; i < MAX_JOBS; i++)
				bad += atomic_load(&c.runs[i]) != (i < n ? 1 : 0);
			bad += atomic_load(&c.bad_worker) != 0;
		}
		hn_pool_free(p);
		/* each started thread, not the caller, ran the end hook once */
		CHECK_EQ_I64(atomic_load(&ends), threads - 1);
	}
	CHECK_EQ_I64(sets, 1200);
	CHECK_EQ_I64(bad, 0);
}

/* Long-running jobs on the pool's own threads: each waits for work the caller hands out, as
 * the search's streaming evaluation does, and stops when the caller says so. */
struct stream_ctx {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int todo, finished, stop;
	atomic_int caller_ran_a_job;
	pthread_t caller;
};

static void stream_job(void *ctx, int i, int worker)
{
	struct stream_ctx *s = ctx;

	(void)i;
	if (worker == 0 || pthread_equal(pthread_self(), s->caller))
		atomic_store(&s->caller_ran_a_job, 1);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && s->todo == 0)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->stop)
			break;
		s->todo--;
		s->finished++;
		pthread_cond_signal(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
}

static void started_jobs_should_run_beside_the_caller_until_stopped(void)
{
	struct stream_ctx s = { .mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
				.done = PTHREAD_COND_INITIALIZER };
	struct hn_pool *p = hn_pool_new(4, NULL);

	CHECK(p != NULL);
	if (!p)
		return;
	s.caller = pthread_self();
	for (int round = 0; round < 3; round++) {
		s.stop = 0;
		hn_pool_start(p, 3, stream_job, &s); /* returns at once: the caller hands out work */
		for (int k = 0; k < 1000; k++) {
			pthread_mutex_lock(&s.mu);
			s.todo++;
			pthread_cond_signal(&s.work);
			pthread_mutex_unlock(&s.mu);
		}
		pthread_mutex_lock(&s.mu);
		while (s.finished < 1000 * (round + 1))
			pthread_cond_wait(&s.done, &s.mu);
		s.stop = 1;
		pthread_cond_broadcast(&s.work);
		pthread_mutex_unlock(&s.mu);
		hn_pool_wait(p);
	}
	CHECK_EQ_I64(s.finished, 3000);
	CHECK_EQ_I64(atomic_load(&s.caller_ran_a_job), 0);
	/* the same threads then take an ordinary set with the caller */
	struct count_ctx c;
	memset(&c, 0, sizeof(c));
	c.workers = 4;
	hn_pool_for(p, 100, count_job, &c);
	int bad = 0;
	for (int i = 0; i < 100; i++)
		bad += atomic_load(&c.runs[i]) != 1;
	CHECK_EQ_I64(bad, 0);
	hn_pool_free(p);
}

struct sum_ctx {
	int64_t out[1000];
};

static void square_job(void *ctx, int i)
{
	((struct sum_ctx *)ctx)->out[i] = (int64_t)i * i;
}

static void parallel_for_should_fill_every_slot(void)
{
	static struct sum_ctx s;
	int64_t sum = 0;

	for (int threads = 1; threads <= 70; threads += 23) {
		memset(&s, 0, sizeof(s));
		atomic_store(&ends, 0);
		hn_parallel_for(1000, threads, square_job, &s, count_end);
		sum = 0;
		for (int i = 0; i < 1000; i++)
			sum += s.out[i];
		/* sum of i^2 for i < 1000 = 999 * 1000 * 1999 / 6 */
		CHECK_EQ_I64(sum, 332833500);
		/* at most HN_POOL_MAX_THREADS workers, the caller one of them */
		int want = threads > HN_POOL_MAX_THREADS ? HN_POOL_MAX_THREADS : threads;
		CHECK_EQ_I64(atomic_load(&ends), want - 1);
	}
	hn_parallel_for(0, 4, square_job, &s, NULL); /* nothing to do: returns */
}

/* FNV-1a 64 test vectors (Fowler, Noll, Vo: the reference's test suite): "" is the offset
 * basis, "a" and "foobar" as published; continuing a hash equals hashing the concatenation. */
static void fnv1a_should_match_the_published_vectors(void)
{
	CHECK(hn_fnv1a(HN_FNV_START, "", 0) == 0xcbf29ce484222325ULL);
	CHECK(hn_fnv1a(HN_FNV_START, "a", 1) == 0xaf63dc4c8601ec8cULL);
	CHECK(hn_fnv1a(HN_FNV_START, "foobar", 6) == 0x85944171f73967e8ULL);
	CHECK(hn_fnv1a(hn_fnv1a(HN_FNV_START, "foo", 3), "bar", 3) ==
	      hn_fnv1a(HN_FNV_START, "foobar", 6));
}

int main(void)
{
	RUN(fnv1a_should_match_the_published_vectors);
	RUN(every_job_of_every_set_should_run_exactly_once_on_a_worker_in_range);
	RUN(started_jobs_should_run_beside_the_caller_until_stopped);
	RUN(parallel_for_should_fill_every_slot);
	return TEST_SUMMARY();
}
