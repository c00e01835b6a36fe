/* hn_pool.c: jobs 0 .. n-1 on up to `threads` threads, the caller being one of them; each
 * thread takes the next job from a shared counter until none is left. */
#include <pthread.h>

#include "hn.h"

struct pool {
	int n, next;
	void (*job)(void *ctx, int i);
	void (*thread_end)(void);
	void *ctx;
	pthread_mutex_t lock;
};

static void take(struct pool *p)
{
	for (;;) {
		pthread_mutex_lock(&p->lock);
		int i = p->next < p->n ? p->next++ : -1;
		pthread_mutex_unlock(&p->lock);
		if (i < 0)
			return;
		p->job(p->ctx, i);
	}
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	take(p);
	if (p->thread_end)
		p->thread_end();
	return NULL;
}

void hn_parallel_for(int n, int threads, void (*job)(void *ctx, int i), void *ctx,
		     void (*thread_end)(void))
{
	struct pool p = { n, 0, job, thread_end, ctx, PTHREAD_MUTEX_INITIALIZER };
	pthread_t tid[HN_POOL_MAX_THREADS];
	int t = 0;

	if (threads > n)
		threads = n;
	if (threads > HN_POOL_MAX_THREADS)
		threads = HN_POOL_MAX_THREADS;
	for (; t < threads - 1; t++)
		if (pthread_create(&tid[t], NULL, worker, &p) != 0)
			break; /* fewer threads: the caller takes the rest */
	take(&p);
	while (t-- > 0)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&p.lock);
}
