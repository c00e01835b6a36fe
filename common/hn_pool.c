/* hn_pool.c: hwnas's one thread pool. A pool keeps its threads between job sets, so what a
 * thread caches (the mapper's per-thread cache) lives as long as the pool. A job set is jobs
 * 0 .. n-1; each thread takes the next job from a shared counter until none is left. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "hn.h"

struct hn_pool_thread {
	struct hn_pool *p;
	int id;                         /* worker number, 1 .. n_th */
	pthread_t tid;
};

struct hn_pool {
	int n_th;                       /* started threads; the caller is worker 0 */
	struct hn_pool_thread *th;
	void (*thread_end)(void);
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	int64_t gen;                    /* job sets started */
	int stop, active;               /* active: threads not yet done with the set */
	void (*job)(void *ctx, int i, int worker);
	void *ctx;
	int n, next;
};

static void take(struct hn_pool *p, int worker)
{
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int i = p->next < p->n ? p->next++ : -1;
		void (*job)(void *, int, int) = p->job;
		void *ctx = p->ctx;
		pthread_mutex_unlock(&p->mu);
		if (i < 0)
			return;
		job(ctx, i, worker);
	}
}

static void *thread_main(void *arg)
{
	struct hn_pool_thread *t = arg;
	struct hn_pool *p = t->p;
	int64_t seen = 0;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->gen == seen && !p->stop)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		take(p, t->id);
		pthread_mutex_lock(&p->mu);
		if (--p->active == 0)
			pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
	if (p->thread_end)
		p->thread_end();
	return NULL;
}

struct hn_pool *hn_pool_new(int threads, void (*thread_end)(void))
{
	struct hn_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (threads < 1)
		threads = 1;
	p->th = calloc((size_t)threads, sizeof(*p->th));
	if (!p->th) {
		free(p);
		return NULL;
	}
	p->thread_end = thread_end;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	for (int i = 1; i < threads; i++) {
		struct hn_pool_thread *t = &p->th[p->n_th];
		t->p = p;
		t->id = i;
		if (pthread_create(&t->tid, NULL, thread_main, t) != 0)
			break; /* fewer threads: hn_pool_threads says how many */
		p->n_th++;
	}
	return p;
}

int hn_pool_threads(const struct hn_pool *p)
{
	return p->n_th + 1;
}

static void start_set(struct hn_pool *p, int n, void (*job)(void *ctx, int i, int worker),
		      void *ctx)
{
	pthread_mutex_lock(&p->mu);
	p->job = job;
	p->ctx = ctx;
	p->n = n;
	p->next = 0;
	p->active = p->n_th;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

void hn_pool_wait(struct hn_pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->active > 0)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void hn_pool_for(struct hn_pool *p, int n, void (*job)(void *ctx, int i, int worker),
		 void *ctx)
{
	if (p->n_th > 0)
		start_set(p, n, job, ctx);
	else {
		p->job = job;
		p->ctx = ctx;
		p->n = n;
		p->next = 0;
	}
	take(p, 0);
	hn_pool_wait(p);
}

void hn_pool_start(struct hn_pool *p, int n, void (*job)(void *ctx, int i, int worker),
		   void *ctx)
{
	start_set(p, n, job, ctx);
}

void hn_pool_free(struct hn_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_th; i++)
		pthread_join(p->th[i].tid, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	free(p->th);
	free(p);
}

/* hn_parallel_for: a pool for one job set. */
struct one_set {
	void (*job)(void *ctx, int i);
	void *ctx;
};

static void one_set_job(void *ctx, int i, int worker)
{
	struct one_set *s = ctx;

	(void)worker;
	s->job(s->ctx, i);
}

void hn_parallel_for(int n, int threads, void (*job)(void *ctx, int i), void *ctx,
		     void (*thread_end)(void))
{
	struct one_set s = { job, ctx };
	struct hn_pool *p;

	if (threads > n)
		threads = n;
	if (threads > HN_POOL_MAX_THREADS)
		threads = HN_POOL_MAX_THREADS;
	p = hn_pool_new(threads, thread_end);
	if (!p) { /* no memory for a pool: the caller does every job */
		for (int i = 0; i < n; i++)
			job(ctx, i);
		return;
	}
	hn_pool_for(p, n, one_set_job, &s);
	hn_pool_free(p);
}
