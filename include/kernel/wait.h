/* include/kernel/wait.h — wait queues and completions (kernel/sched/wait.c).
 *
 * wait_event*(wq, cond): sleep until @cond is true; the condition is
 * re-checked after every wake-up, so spurious wake-ups are harmless.
 * wake_up() wakes one exclusive waiter or all non-exclusive ones;
 * wake_up_all() wakes everybody.  Safe to call wake_up from interrupts.
 *
 * A completion counts complete() calls; wait_for_completion() consumes one.
 * complete_all() lets every present and future waiter through until
 * reinit_completion().
 *
 * The wait queue lock is taken with interrupts off; it nests outside the
 * scheduler's runqueue locks (wake_up calls wake_up_process under it).
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include <kernel/spinlock.h>
#include <kernel/sched.h>
#include <lib/list.h>

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};

struct wait_queue_entry {
	struct task *task;
	bool exclusive;
	struct list_head node;
};

#define WAIT_QUEUE_HEAD_INIT(w) { SPINLOCK_INIT(#w), LIST_HEAD_INIT((w).head) }
#define DEFINE_WAIT_QUEUE_HEAD(w) \
	struct wait_queue_head w = WAIT_QUEUE_HEAD_INIT(w)
/* An entry not on any queue has node pointing to itself. */
#define DEFINE_WAIT(e)                                                      \
	struct wait_queue_entry e = { current_task(), false,               \
				      LIST_HEAD_INIT((e).node) }

void init_waitqueue_head(struct wait_queue_head *wq);
/* Wake every non-exclusive waiter and one exclusive waiter. */
void wake_up(struct wait_queue_head *wq);
void wake_up_all(struct wait_queue_head *wq);
/* Low-level: queue @e (from DEFINE_WAIT) if it is not queued and set the
 * current task's state to @state, under the queue lock; a wake-up removes
 * the entry.  finish_wait() sets TASK_RUNNING and dequeues. */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
		     enum task_state state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);

#define wait_event(wq, cond)                                                \
	do {                                                                \
		DEFINE_WAIT(__e);                                           \
		for (;;) {                                                  \
			prepare_to_wait(&(wq), &__e, TASK_UNINTERRUPTIBLE); \
			if (cond)                                           \
				break;                                      \
			schedule();                                         \
		}                                                           \
		finish_wait(&(wq), &__e);                                   \
	} while (0)

/* Returns remaining ns (>0) if @cond became true, 0 on timeout. */
#define wait_event_timeout(wq, cond, ns)                                    \
	({                                                                  \
		DEFINE_WAIT(__e);                                           \
		u64 __left = (ns);                                          \
		for (;;) {                                                  \
			prepare_to_wait(&(wq), &__e, TASK_UNINTERRUPTIBLE); \
			if (cond) {                                         \
				if (!__left)                                \
					__left = 1;                         \
				break;                                      \
			}                                                   \
			if (!__left)                                        \
				break;                                      \
			__left = schedule_timeout(__left);                  \
		}                                                           \
		finish_wait(&(wq), &__e);                                   \
		__left;                                                     \
	})

struct completion {
	unsigned int done;		/* COMPLETION_ALL after complete_all */
	struct wait_queue_head wait;
};
#define COMPLETION_ALL	0x80000000u
#define COMPLETION_INIT(c) { 0, WAIT_QUEUE_HEAD_INIT((c).wait) }
#define DEFINE_COMPLETION(c) struct completion c = COMPLETION_INIT(c)

void init_completion(struct completion *c);
void reinit_completion(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
/* Returns remaining ns (>0) or 0 on timeout. */
u64 wait_for_completion_timeout(struct completion *c, u64 ns);
bool try_wait_for_completion(struct completion *c);

#endif
