/* tests/host/mm_host_shim.h — host stand-ins for the kernel services the
 * memory manager (managers/memory) uses: mutexes, kmalloc/kzalloc/kfree,
 * alloc_page/free_page and panic.  Counters make leak checks exact, a
 * failure countdown (shim_fail_in) makes the Nth allocation from now fail
 * so tests can check that an error changes nothing, and pages come back
 * full of 0xa5 so code that forgets to zero them is caught (LESSONS 1, 2).
 * Mutexes are single-threaded owner flags: locking one twice fails loud;
 * spinlocks count holders the same way, and a wait (the P2M service's
 * reader/writer lock) must never have to sleep: single-threaded, its
 * condition is always true, so schedule() is a failure.
 * Include this, then lib/string.c, lib/rbtree.c and the files under test.
 */
#ifndef TESTS_HOST_MM_HOST_SHIM_H
#define TESTS_HOST_MM_HOST_SHIM_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/mutex.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <mm/mm.h>

static long shim_objs;		/* live kmalloc objects */
static long shim_pages;		/* live pages */
static long shim_fail_in;	/* >0: the shim_fail_in-th allocation fails */

static bool shim_should_fail(void)
{
	if (shim_fail_in > 0 && --shim_fail_in == 0)
		return true;
	return false;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "PANIC: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	fprintf(stderr, "WARNING at %s:%d: %s\n", file, line, cond);
}

void mutex_init(struct mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	if (m->owner)
		panic("mutex %s locked twice", m->name);
	m->owner = (struct task *)1;
}

bool mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return false;
	m->owner = (struct task *)1;
	return true;
}

void mutex_unlock(struct mutex *m)
{
	if (!m->owner)
		panic("mutex %s unlocked while free", m->name);
	m->owner = NULL;
}

static int shim_spins;		/* spinlocks held */

void spin_lock_init(spinlock_t *l, const char *name)
{
	memset(l, 0, sizeof(*l));
}

void spin_lock(spinlock_t *l)
{
	shim_spins++;
}

void spin_unlock(spinlock_t *l)
{
	if (--shim_spins < 0)
		panic("spinlock unlocked while free");
}

void init_waitqueue_head(struct wait_queue_head *wq)
{
	memset(wq, 0, sizeof(*wq));
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
		     enum task_state state)
{
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
}

void schedule(void)
{
	panic("a single-threaded host test had to sleep");
}

void wake_up_all(struct wait_queue_head *wq)
{
}

struct task *current_task(void)
{
	return (struct task *)1;
}

bool mutex_is_locked(struct mutex *m)
{
	return m->owner != NULL;
}

void *kmalloc(size_t size)
{
	void *p;

	if (shim_should_fail())
		return NULL;
	p = malloc(size ? size : 1);
	if (p) {
		memset(p, 0x6b, size);
		shim_objs++;
	}
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	return kzalloc(n * size);
}

void kfree(const void *p)
{
	if (p)
		shim_objs--;
	free((void *)p);
}

void *alloc_page(void)
{
	void *p;

	if (shim_should_fail())
		return NULL;
	p = aligned_alloc(4096, 4096);
	if (p) {
		memset(p, 0xa5, 4096);
		shim_pages++;
	}
	return p;
}

void *alloc_page_zeroed(void)
{
	void *p = alloc_page();

	if (p)
		memset(p, 0, 4096);
	return p;
}

void free_page(void *p)
{
	if (p)
		shim_pages--;
	free(p);
}

#endif
