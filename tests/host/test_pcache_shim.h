/* tests/host/test_pcache_shim.h — the kernel services the pcache uses,
 * rebuilt on pthreads for the host tests (test_pcache_*.c).
 *
 * Spinlocks are ticket locks on the kernel's own spinlock_t fields (they
 * yield while waiting: the host may have fewer cores than threads).  A
 * task is a pthread with a mutex and condition variable guarding its
 * state; schedule() sleeps while the state is not TASK_RUNNING and
 * wake_up_process() sets it back, so the kernel's wait_event() protocol
 * (prepare_to_wait, check, schedule) works unchanged, lost wake-ups
 * included.  Wait queues are the kernel's struct, managed here the way
 * kernel/sched/wait.c does.  Memory comes from malloc; pages from
 * aligned_alloc.  panic() prints and aborts.
 */
#ifndef TEST_PCACHE_SHIM_H
#define TEST_PCACHE_SHIM_H

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CONFIG_NR_CPUS	4	/* no autoconf.h on the host; smp.h wants it */

#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <mm/mm.h>

/* --- spinlocks --- */
void spin_lock_init(spinlock_t *l, const char *name)
{
	l->next = 0;
	l->owner = 0;
}

void spin_lock(spinlock_t *l)
{
	u16 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	for (int n = 0; __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me;
	     n++) {
		if (n > 64)
			sched_yield();
	}
}

void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}

bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&l->next, __ATOMIC_ACQUIRE);
}

/* --- tasks --- */
struct task {
	pthread_t thread;
	pthread_mutex_t m;
	pthread_cond_t c;
	int state;
	kthread_fn_t fn;
	void *arg;
	int ret;
};

static __thread struct task *shim_current;

static struct task *shim_task_new(void)
{
	struct task *t = calloc(1, sizeof(*t));

	pthread_mutex_init(&t->m, NULL);
	pthread_cond_init(&t->c, NULL);
	return t;
}

struct task *current_task(void)
{
	if (!shim_current)
		shim_current = shim_task_new();	/* main thread: leaked once */
	return shim_current;
}

void set_current_state(enum task_state s)
{
	struct task *t = current_task();

	pthread_mutex_lock(&t->m);
	t->state = s;
	pthread_mutex_unlock(&t->m);
}

bool wake_up_process(struct task *t)
{
	bool woke;

	pthread_mutex_lock(&t->m);
	woke = t->state != TASK_RUNNING;
	t->state = TASK_RUNNING;
	pthread_cond_signal(&t->c);
	pthread_mutex_unlock(&t->m);
	return woke;
}

void schedule(void)
{
	struct task *t = current_task();

	pthread_mutex_lock(&t->m);
	while (t->state != TASK_RUNNING)
		pthread_cond_wait(&t->c, &t->m);
	pthread_mutex_unlock(&t->m);
}

u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

u64 schedule_timeout(u64 ns)
{
	struct task *t = current_task();
	u64 end = ktime_get_ns() + ns, now;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000ull);
	ts.tv_nsec += (long)(ns % 1000000000ull);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->m);
	while (t->state != TASK_RUNNING &&
	       pthread_cond_timedwait(&t->c, &t->m, &ts) == 0)
		;
	t->state = TASK_RUNNING;
	pthread_mutex_unlock(&t->m);
	now = ktime_get_ns();
	return now < end ? end - now : 0;
}

void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void preempt_disable(void) {}
void preempt_enable(void) {}
void yield(void) { sched_yield(); }

static void *shim_trampoline(void *arg)
{
	struct task *t = arg;

	shim_current = t;
	t->ret = t->fn(t->arg);
	return NULL;
}

struct task *kthread_run(kthread_fn_t fn, void *arg, const char *name)
{
	struct task *t = shim_task_new();

	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->thread, NULL, shim_trampoline, t)) {
		free(t);
		return NULL;
	}
	return t;
}

struct task *kthread_run_on(kthread_fn_t fn, void *arg, int cpu,
			    const char *name)
{
	return kthread_run(fn, arg, name);	/* the host places threads */
}

int nr_cpus_online(void) { return 4; }
int nr_cpus_possible(void) { return 4; }
bool cpu_is_online(int cpu) { return cpu >= 0 && cpu < 4; }

int kthread_join(struct task *t)
{
	int ret;

	pthread_join(t->thread, NULL);
	ret = t->ret;
	pthread_mutex_destroy(&t->m);
	pthread_cond_destroy(&t->c);
	free(t);
	return ret;
}

/* --- wait queues (same protocol as kernel/sched/wait.c) --- */
void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock, "wq");
	INIT_LIST_HEAD(&wq->head);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
		     enum task_state state)
{
	spin_lock(&wq->lock);
	if (list_empty(&e->node))
		list_add_tail(&e->node, &wq->head);
	set_current_state(state);
	spin_unlock(&wq->lock);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	set_current_state(TASK_RUNNING);
	spin_lock(&wq->lock);
	if (!list_empty(&e->node))
		list_del(&e->node);
	spin_unlock(&wq->lock);
}

static void shim_wake(struct wait_queue_head *wq, bool all)
{
	struct list_head *p, *n;

	spin_lock(&wq->lock);
	list_for_each_safe(p, n, &wq->head) {
		struct wait_queue_entry *e =
			list_entry(p, struct wait_queue_entry, node);
		bool excl = e->exclusive;

		list_del(&e->node);
		wake_up_process(e->task);
		if (excl && !all)
			break;
	}
	spin_unlock(&wq->lock);
}

void wake_up(struct wait_queue_head *wq) { shim_wake(wq, false); }
void wake_up_all(struct wait_queue_head *wq) { shim_wake(wq, true); }

/* --- printk, panic --- */
void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("PANIC: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	printf("WARNING at %s:%d: %s\n", file, line, cond);
}

/* --- memory --- */
void *kmalloc(size_t size) { return malloc(size ? size : 1); }
void *kzalloc(size_t size) { return calloc(1, size ? size : 1); }
void *kcalloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
void kfree(const void *p) { free((void *)p); }

static long shim_pages_out;	/* allocated pages not yet freed */

void *alloc_pages(unsigned int order)
{
	__atomic_add_fetch(&shim_pages_out, 1l << order, __ATOMIC_RELAXED);
	return aligned_alloc(4096, 4096ul << order);
}

void free_pages(void *addr, unsigned int order)
{
	if (!addr)
		return;
	__atomic_sub_fetch(&shim_pages_out, 1l << order, __ATOMIC_RELAXED);
	free(addr);
}

void *alloc_page(void) { return alloc_pages(0); }
void free_page(void *addr) { free_pages(addr, 0); }

void *alloc_page_zeroed(void)
{
	void *p = alloc_page();

	if (p)
		__builtin_memset(p, 0, 4096);
	return p;
}

#endif
