/*
 * threads.c — a small pthread pool for the generated code's hot kernels.
 *
 * Only the outer loops of the big kernels are threaded (docs/style.md, habit 22): a
 * kernel is written as a task `fn(ctx, part, parts)` that does its share of the
 * work, and rt_pool_run() cuts a job into 4 parts per thread, which the
 * threads (the caller among them) take in turn until none is left.  Workers sleep on a condition variable between jobs, after a short
 * spin, so a decode step (about fifty small jobs) does not pay a wake-up on
 * every matrix while an idle model costs nothing.
 *
 * Kernels called with the portable signatures (runtime/rt.h) have no pool
 * argument, so they run on one pool per model.c, rt_parallel(): started on
 * first use with NAME_set_threads's count (rt_set_threads), else the
 * TFC_NUM_THREADS environment variable, else the number of online cores
 * (rt_default_threads).  A NULL pool, or a pool of one, runs the task inline.
 * Like every runtime file this is copied into model.c, so everything here is
 * static.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef RT_API
#define RT_API static inline
#endif

typedef void (*RtTask)(void *ctx, int part, int parts);

typedef struct RtPool {
  int n;                    /* threads, the caller included */
  pthread_t *threads;       /* n - 1 workers */
  pthread_mutex_t lock;
  pthread_cond_t wake;      /* a new job, or shutdown */
  pthread_cond_t done;      /* the last worker finished the job */
  pthread_mutex_t busy;     /* held by the caller for a whole job: jobs from
                             * several threads (two forward calls) take turns */
  RtTask fn;                /* the current job */
  void *ctx;
  unsigned job;             /* job counter (atomic): a worker runs each value once */
  int chunks;               /* the current job is cut into this many parts ... */
  int next;                 /* ... handed out in order (atomic) to whoever is free */
  int pending;              /* workers still running the current job (atomic) */
  int quit;                 /* atomic: workers exit */
} RtPool;

/* Spins for a while before sleeping: kernels come in bursts (a forward pass
 * is dozens of jobs with short gaps), and waking a sleeping thread costs tens
 * of microseconds, far more on a virtual machine. */
#define RT_POOL_SPIN 200000

static inline unsigned rt_pool_wait_job(RtPool *p, unsigned seen) {
  for (int spin = 0; spin < RT_POOL_SPIN; spin++)
    if (__atomic_load_n(&p->job, __ATOMIC_ACQUIRE) != seen ||
        __atomic_load_n(&p->quit, __ATOMIC_ACQUIRE))
      break;
  pthread_mutex_lock(&p->lock);
  while (p->job == seen && !p->quit) pthread_cond_wait(&p->wake, &p->lock);
  unsigned job = p->job;
  pthread_mutex_unlock(&p->lock);
  return job;
}

/* Runs parts of the current job until none is left.  Parts are taken, not
 * assigned: on a busy machine a thread that got the CPU does more of them, and
 * nobody waits long for a descheduled straggler. */
static inline void rt_pool_work(RtPool *p) {
  int c;
  while ((c = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->chunks)
    p->fn(p->ctx, c, p->chunks);
}

static inline void *rt_pool_worker(void *arg) {
  RtPool *p = arg;
  unsigned seen = 0;
  for (;;) {
    seen = rt_pool_wait_job(p, seen);
    if (__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE)) break;
    rt_pool_work(p);
    pthread_mutex_lock(&p->lock);
    if (__atomic_sub_fetch(&p->pending, 1, __ATOMIC_ACQ_REL) == 0) pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->lock);
  }
  return NULL;
}

/* The default thread count: TFC_NUM_THREADS when set and positive, else the
 * online cores. */
RT_API int rt_default_threads(void) {
  const char *s = getenv("TFC_NUM_THREADS");
  if (s && atoi(s) > 0) return atoi(s);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

RT_API void rt_pool_free(RtPool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  __atomic_store_n(&p->quit, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->n - 1; i++) pthread_join(p->threads[i], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_mutex_destroy(&p->busy);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  free(p->threads);
  free(p);
}

/* A pool of n threads (the caller is one of them); NULL when n <= 1 or on
 * failure, which callers treat as "run inline". */
RT_API RtPool *rt_pool_new(int n) {
  if (n <= 1) return NULL;
  RtPool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc((size_t)n, sizeof *p->threads);
  pthread_mutex_init(&p->lock, NULL);
  pthread_mutex_init(&p->busy, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);
  p->n = 1;
  for (int i = 1; p->threads && i < n; i++) {
    if (pthread_create(&p->threads[i - 1], NULL, rt_pool_worker, p) != 0) break;
    p->n++;
  }
  if (p->n < n) {   /* could not start them all: give up cleanly */
    rt_pool_free(p);
    return NULL;
  }
  return p;
}

RT_API int rt_pool_size(const RtPool *p) { return p ? p->n : 1; }

/* Runs fn(ctx, part, parts) for every part, in parallel, and returns when all
 * are done.  Jobs from several calling threads are serialized. */
RT_API void rt_pool_run(RtPool *p, RtTask fn, void *ctx) {
  if (!p) {
    fn(ctx, 0, 1);
    return;
  }
  pthread_mutex_lock(&p->busy);
  pthread_mutex_lock(&p->lock);
  p->fn = fn;
  p->ctx = ctx;
  p->chunks = 4 * p->n;
  __atomic_store_n(&p->next, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&p->pending, p->n - 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&p->job, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  rt_pool_work(p);
  for (int spin = 0; spin < RT_POOL_SPIN && __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE); spin++)
    continue;   /* the others are finishing their last part: wait awake */
  pthread_mutex_lock(&p->lock);
  while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) > 0) pthread_cond_wait(&p->done, &p->lock);
  pthread_mutex_unlock(&p->lock);
  pthread_mutex_unlock(&p->busy);
}

/* ---- the model's pool, for kernels with the portable signatures ---- */
static RtPool *rt_pool_global;     /* NULL until first use, or when one thread */
static int rt_pool_threads;        /* 0: not decided yet (read under rt_pool_init) */
static pthread_mutex_t rt_pool_init = PTHREAD_MUTEX_INITIALIZER;

/* Replaces the model's pool by one of n threads (n <= 0: the default); the
 * caller holds rt_pool_init. */
static inline void rt_pool_restart(int n) {
  rt_pool_free(rt_pool_global);
  rt_pool_threads = n > 0 ? n : rt_default_threads();
  rt_pool_global = rt_pool_new(rt_pool_threads);
  if (!rt_pool_global) rt_pool_threads = 1;
}

/* NAME_set_threads: n threads from now on (n <= 0: the default).  Not to be
 * called while a forward pass is running. */
RT_API void rt_set_threads(int n) {
  pthread_mutex_lock(&rt_pool_init);
  rt_pool_restart(n);
  pthread_mutex_unlock(&rt_pool_init);
}

/* The model's pool, started with the default count on first use. */
static inline RtPool *rt_pool_get(void) {
  pthread_mutex_lock(&rt_pool_init);
  if (!rt_pool_threads) rt_pool_restart(0);
  RtPool *p = rt_pool_global;
  pthread_mutex_unlock(&rt_pool_init);
  return p;
}

RT_API int rt_get_threads(void) { return rt_pool_size(rt_pool_get()); }

/* Runs fn's parts on the model's pool. */
RT_API void rt_parallel(RtTask fn, void *ctx) { rt_pool_run(rt_pool_get(), fn, ctx); }
