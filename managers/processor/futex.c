/* managers/processor/futex.c — futex(2): WAIT, WAKE, REQUEUE,
 * CMP_REQUEUE, WAKE_OP, WAIT_BITSET, WAKE_BITSET (PRIVATE and
 * CLOCK_REALTIME variants), timeouts, and robust-list cleanup at thread
 * exit.
 *
 * Waiters sit in a hashed bucket keyed by (address space, user address);
 * private and shared futexes use the same key, so a futex in memory shared
 * between two processes (MAP_SHARED) does not match across them.  No lost
 * wake-ups: a waiter enqueues itself first and reads the futex word
 * after, so a waker that changed the word before our read makes us return
 * -EAGAIN, and one that changed it after finds us queued.  User memory is
 * never touched under a bucket lock (the fault path may sleep).
 * CMP_REQUEUE compares the word just before taking the locks (Linux
 * compares under them).  PI futexes give -ENOSYS, as a Linux without
 * CONFIG_FUTEX_PI; other commands -ENOSYS too.
 *
 * Lock order: bucket locks by address, never with a process lock held.
 */
#include <asm/extable.h>
#include <asm/uaccess.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/list.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/time.h>
#include "internal.h"

#define FUTEX_BUCKETS 256

struct futex_waiter {
	struct list_head node;
	struct task *task;
	struct proc_mm *mm;
	u64 uaddr;
	u32 bitset;
	bool woken;
};

struct futex_bucket {
	spinlock_t lock;
	struct list_head waiters;
};

static struct futex_bucket buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static struct futex_bucket *bucket_of(struct proc_mm *mm, u64 uaddr)
{
	u64 h = ((u64)mm >> 6) ^ (uaddr >> 2);

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 56 & (FUTEX_BUCKETS - 1)];
}

void futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		spin_lock_init(&buckets[i].lock, "futex");
		INIT_LIST_HEAD(&buckets[i].waiters);
	}
	buckets_ready = true;
}

/* Wake up to @nr waiters on (@mm, @uaddr) whose bitset meets @bitset. */
static int wake_bucket(struct proc_mm *mm, u64 uaddr, int nr, u32 bitset)
{
	struct futex_bucket *b = bucket_of(mm, uaddr);
	struct futex_waiter *w, *n;
	unsigned long flags;
	int woken = 0;

	flags = spin_lock_irqsave(&b->lock);
	list_for_each_entry_safe(w, n, &b->waiters, node) {
		if (woken >= nr)
			break;
		if (w->mm != mm || w->uaddr != uaddr || !(w->bitset & bitset))
			continue;
		list_del(&w->node);
		WRITE_ONCE(w->woken, true);
		wake_up_process(w->task);
		woken++;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return woken;
}

int futex_wake_addr(struct proc_mm *mm, u64 uaddr, int nr)
{
	return mm ? wake_bucket(mm, uaddr, nr, FUTEX_BITSET_MATCH_ANY) : 0;
}

static void unqueue(struct futex_waiter *w)
{
	struct futex_bucket *b = bucket_of(w->mm, w->uaddr);
	unsigned long flags;

	/* A requeue may have moved us: find our bucket again until stable. */
	for (;;) {
		flags = spin_lock_irqsave(&b->lock);
		if (bucket_of(w->mm, w->uaddr) == b)
			break;
		spin_unlock_irqrestore(&b->lock, flags);
		b = bucket_of(w->mm, w->uaddr);
	}
	if (!list_empty(&w->node))
		list_del(&w->node);
	spin_unlock_irqrestore(&b->lock, flags);
}

/* Sleep until woken, @deadline (ktime ns; 0 none) or a signal. */
static long futex_wait(struct proc_mm *mm, u64 uaddr, u32 val, u64 deadline,
		       u32 bitset)
{
	struct futex_waiter w = { .task = current_task(), .mm = mm,
				  .uaddr = uaddr, .bitset = bitset };
	struct futex_bucket *b = bucket_of(mm, uaddr);
	unsigned long flags;
	long ret = 0;
	u32 cur;

	if (!bitset)
		return -EINVAL;
	flags = spin_lock_irqsave(&b->lock);
	list_add_tail(&w.node, &b->waiters);
	spin_unlock_irqrestore(&b->lock, flags);
	if (get_user_u32(&cur, (void *)uaddr))
		ret = -EFAULT;
	else if (cur != val)
		ret = -EAGAIN;
	while (!ret) {
		u64 now = ktime_get_ns();

		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(w.woken))
			break;
		if (deadline && now >= deadline)
			ret = -ETIMEDOUT;
		else if (signal_pending(current_thread()))
			ret = -ERESTARTSYS;
		else if (deadline)
			schedule_timeout(deadline - now);
		else
			schedule();
	}
	set_current_state(TASK_RUNNING);
	unqueue(&w);
	return READ_ONCE(w.woken) ? 0 : ret;
}

/* Move waiters of (mm, from) to (mm, to): wake @nr_wake, requeue up to
 * @nr_requeue.  Returns the number woken plus requeued. */
static long futex_requeue(struct proc_mm *mm, u64 from, u64 to, int nr_wake,
			  int nr_requeue)
{
	struct futex_bucket *b1 = bucket_of(mm, from), *b2 = bucket_of(mm, to);
	struct futex_waiter *w, *n;
	unsigned long flags = spin_lock_irqsave(b1 < b2 ? &b1->lock : &b2->lock);
	long done = 0;

	if (b1 != b2)
		spin_lock(b1 < b2 ? &b2->lock : &b1->lock);
	list_for_each_entry_safe(w, n, &b1->waiters, node) {
		if (w->mm != mm || w->uaddr != from)
			continue;
		if (nr_wake > 0) {
			list_del(&w->node);
			WRITE_ONCE(w->woken, true);
			wake_up_process(w->task);
			nr_wake--;
		} else if (nr_requeue > 0) {
			list_del(&w->node);
			w->uaddr = to;
			list_add_tail(&w->node, &b2->waiters);
			nr_requeue--;
		} else {
			break;
		}
		done++;
	}
	if (b1 != b2)
		spin_unlock(b1 < b2 ? &b2->lock : &b1->lock);
	spin_unlock_irqrestore(b1 < b2 ? &b1->lock : &b2->lock, flags);
	return done;
}

/* Atomic compare-and-exchange on a user word: 0 (old in *cur) or -EFAULT. */
static int user_cmpxchg_u32(u64 uaddr, u32 *cur, u32 new)
{
	int err = 0;

	if (!user_range_ok(uaddr, 4) || (uaddr & 3))
		return -EFAULT;
	if (uaccess_smap)
		__asm__ volatile("stac" ::: "memory");
	__asm__ volatile("1: lock cmpxchgl %3, (%2)\n"
			 "2:\n" _ASM_EXTABLE(1b, 3f)
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: movl %4, %1\n"
			 "   jmp 2b\n"
			 ".popsection\n"
			 : "+a"(*cur), "+r"(err)
			 : "r"(uaddr), "r"(new), "i"(-EFAULT)
			 : "memory");
	if (uaccess_smap)
		__asm__ volatile("clac" ::: "memory");
	return err;
}

/* FUTEX_WAKE_OP's operation on *uaddr2; returns the old value or -errno. */
static long futex_atomic_op(u64 uaddr, u32 encoded)
{
	u32 op = (encoded >> 28) & 7, oparg = (encoded >> 12) & 0xfff;
	u32 old, new;

	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1u << (oparg & 31);
	if (get_user_u32(&old, (void *)uaddr))
		return -EFAULT;
	for (;;) {
		u32 seen = old;

		switch (op) {
		case FUTEX_OP_SET:  new = oparg; break;
		case FUTEX_OP_ADD:  new = old + oparg; break;
		case FUTEX_OP_OR:   new = old | oparg; break;
		case FUTEX_OP_ANDN: new = old & ~oparg; break;
		case FUTEX_OP_XOR:  new = old ^ oparg; break;
		default: return -ENOSYS;
		}
		if (user_cmpxchg_u32(uaddr, &seen, new))
			return -EFAULT;
		if (seen == old)
			return old;
		old = seen;
	}
}

static bool futex_cmp(u32 encoded, u32 old)
{
	s32 cmparg = ((s32)(encoded << 20)) >> 20, v = old;

	switch ((encoded >> 24) & 15) {
	case FUTEX_OP_CMP_EQ: return v == cmparg;
	case FUTEX_OP_CMP_NE: return v != cmparg;
	case FUTEX_OP_CMP_LT: return v < cmparg;
	case FUTEX_OP_CMP_LE: return v <= cmparg;
	case FUTEX_OP_CMP_GT: return v > cmparg;
	case FUTEX_OP_CMP_GE: return v >= cmparg;
	default: return false;
	}
}

/* The deadline in ktime ns for a futex timeout, 0 for none. */
static long futex_deadline(int cmd, int op, const struct timespec *uts, u64 *out)
{
	struct timespec ts;
	u64 ns;

	*out = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	if (cmd == FUTEX_WAIT)
		*out = ktime_get_ns() + ns;
	else if (op & FUTEX_CLOCK_REALTIME)
		*out = ns > abi_realtime_ns() ? ktime_get_ns() + ns - abi_realtime_ns() : 1;
	else
		*out = ns ? ns : 1;
	return 0;
}

SYSCALL_DEFINE6(futex, u64, uaddr, int, op, u32, val, const struct timespec *, uts,
		u64, uaddr2, u32, val3)
{
	struct proc_mm *mm = current_process()->mm;
	int cmd = op & FUTEX_CMD_MASK;
	u64 deadline;
	long ret, old;
	u32 cur;

	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		ret = futex_deadline(cmd, op, uts, &deadline);
		return ret ? ret : futex_wait(mm, uaddr, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		return val3 ? wake_bucket(mm, uaddr, val, val3) : -EINVAL;
	case FUTEX_CMP_REQUEUE:
		if (get_user_u32(&cur, (void *)uaddr))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
		/* fall through */
	case FUTEX_REQUEUE:
		return futex_requeue(mm, uaddr, uaddr2, val, (int)(u64)uts);
	case FUTEX_WAKE_OP:
		old = futex_atomic_op(uaddr2, val3);
		if (old < 0)
			return old;
		ret = wake_bucket(mm, uaddr, val, FUTEX_BITSET_MATCH_ANY);
		if (futex_cmp(val3, old))
			ret += wake_bucket(mm, uaddr2, (int)(u64)uts,
					   FUTEX_BITSET_MATCH_ANY);
		return ret;
	default:
		return -ENOSYS;
	}
}

/* One robust futex owned by a dying thread: mark it and wake a waiter. */
static void robust_release(struct thread *t, u64 uaddr)
{
	u32 cur, seen;

	if (get_user_u32(&cur, (void *)uaddr))
		return;
	while ((cur & FUTEX_TID_MASK) == (u32)t->tid) {
		seen = cur;
		if (user_cmpxchg_u32(uaddr, &seen,
				     (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
			return;
		if (seen == cur) {
			if (cur & FUTEX_WAITERS)
				futex_wake_addr(t->proc->mm, uaddr, 1);
			return;
		}
		cur = seen;
	}
}

void futex_exit_robust(struct thread *t)
{
	struct robust_list_head h;
	u64 entry;
	int n = 0;

	if (!t->robust_list || !t->proc->mm ||
	    copy_from_user(&h, (void *)t->robust_list, sizeof(h)))
		return;
	entry = h.list.next;
	while (entry && entry != t->robust_list && n++ < ROBUST_LIST_LIMIT) {
		u64 next;

		if (get_user_u64(&next, (void *)entry))
			return;
		if (entry != h.list_op_pending)
			robust_release(t, entry + h.futex_offset);
		entry = next;
	}
	if (h.list_op_pending)
		robust_release(t, (h.list_op_pending & ~1ull) + h.futex_offset);
}
