/* managers/processor/signal.c — signal state and the signal syscalls:
 * rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, kill,
 * tgkill, tkill, sigaltstack.  Delivery, frames, rt_sigreturn and user
 * traps live in signal_frame.c.
 *
 * State: actions and the process-directed pending set in struct process,
 * the blocked mask and the thread-directed pending set in struct thread,
 * all under process->lock.  A pending set holds one instance per signal
 * (standard signals do not queue in Linux either; real-time signals would
 * queue there and collapse here).  Sending sets the bit, records the
 * sender's info and wakes one thread that does not block the signal; a
 * sleeping thread sees signal_pending() and returns -ERESTARTSYS, which
 * the exit-to-user hook turns into a restart (SA_RESTART) or -EINTR.
 * SIGKILL ends the whole group at once.  Job control is not modelled:
 * SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU by default are ignored, SIGCONT too.
 */
#include <asm/uaccess.h>
#include <kernel/sched.h>
#include <lib/string.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include "internal.h"

#define SIGBIT(s)	(1ull << ((s) - 1))
#define UNBLOCKABLE	(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define DEFAULT_IGNORE	(SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | \
			 SIGBIT(SIGCONT) | SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | \
			 SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

static bool sig_valid(int sig)
{
	return sig >= 1 && sig <= _NSIG;
}

/* The signal would be dropped on arrival. Caller holds p->lock. */
static bool sig_ignored(struct process *p, int sig)
{
	u64 h = p->actions[sig - 1].sa_handler;

	if (sig == SIGKILL)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (DEFAULT_IGNORE & SIGBIT(sig)));
}

bool signal_pending(struct thread *t)
{
	if (!t)
		return false;
	return ((READ_ONCE(t->pending) | READ_ONCE(t->proc->pending)) &
		~(t->blocked & ~UNBLOCKABLE)) != 0;
}

bool fatal_signal_pending(struct thread *t)
{
	return t && (READ_ONCE(t->proc->group_exit) ||
		     ((t->pending | t->proc->pending) & SIGBIT(SIGKILL)));
}

/* SIGKILL: every thread leaves at its next return to user mode. Caller
 * holds p->lock. */
static void kill_group(struct process *p, int status)
{
	struct thread *t;

	if (!p->group_exit) {
		p->group_exit = true;
		p->exit_status = status;
	}
	list_for_each_entry(t, &p->threads, node) {
		t->pending |= SIGBIT(SIGKILL);
		wake_up_process(t->task);
	}
}

int signal_send_thread(struct thread *t, int sig, const struct sigpend *i)
{
	struct process *p = t->proc;
	unsigned long flags = spin_lock_irqsave(&p->lock);

	if (sig == SIGKILL) {
		kill_group(p, WSTATUS_SIGNALED(SIGKILL, false));
	} else if (!sig_ignored(p, sig)) {
		t->pending |= SIGBIT(sig);
		t->info[sig - 1] = *i;
		wake_up_process(t->task);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

int signal_send_process(struct process *p, int sig, const struct sigpend *i)
{
	unsigned long flags = spin_lock_irqsave(&p->lock);
	struct thread *t;

	if (sig == SIGKILL) {
		kill_group(p, WSTATUS_SIGNALED(SIGKILL, false));
	} else if (!sig_ignored(p, sig)) {
		p->pending |= SIGBIT(sig);
		p->info[sig - 1] = *i;
		list_for_each_entry(t, &p->threads, node) {
			if (!(t->blocked & SIGBIT(sig))) {
				wake_up_process(t->task);
				break;
			}
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

void signal_fork(struct process *child, const struct process *parent)
{
	memcpy(child->actions, parent->actions, sizeof(child->actions));
}

/* Caught signals go back to SIG_DFL, ignored ones stay ignored (exec and
 * clone3's CLONE_CLEAR_SIGHAND).  @p is not yet running, or is current. */
void signal_clear_handlers(struct process *p)
{
	for (int s = 0; s < _NSIG; s++)
		if (p->actions[s].sa_handler != SIG_IGN)
			memset(&p->actions[s], 0, sizeof(p->actions[s]));
}

/* Unsupported: none of the SA_ flags is refused (SA_NOCLDSTOP and
 * SA_NOCLDWAIT are accepted and have no effect: no stopped children, and
 * children of a SA_NOCLDWAIT parent still become zombies). */
SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct sigaction *, uact,
		struct sigaction *, uoact, u64, setsize)
{
	struct process *p = current_process();
	struct sigaction new, old;
	unsigned long flags;

	if (setsize != sizeof(sigset_t) || !sig_valid(sig))
		return -EINVAL;
	if (uact && copy_from_user(&new, uact, sizeof(new)))
		return -EFAULT;
	if (uact && (SIGBIT(sig) & UNBLOCKABLE))
		return -EINVAL;
	flags = spin_lock_irqsave(&p->lock);
	old = p->actions[sig - 1];
	if (uact) {
		new.sa_mask &= ~UNBLOCKABLE;
		p->actions[sig - 1] = new;
		if (sig_ignored(p, sig))
			p->pending &= ~SIGBIT(sig);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (uoact && copy_to_user(uoact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const sigset_t *, uset,
		sigset_t *, uoset, u64, setsize)
{
	struct thread *t = current_thread();
	sigset_t set, old = t->blocked;

	if (setsize != sizeof(sigset_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		set &= ~UNBLOCKABLE;
		if (how == SIG_BLOCK)
			t->blocked |= set;
		else if (how == SIG_UNBLOCK)
			t->blocked &= ~set;
		else if (how == SIG_SETMASK)
			t->blocked = set;
		else
			return -EINVAL;
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, sigset_t *, uset, u64, setsize)
{
	struct thread *t = current_thread();
	sigset_t set = (t->pending | t->proc->pending) & t->blocked;

	if (setsize > sizeof(sigset_t))
		return -EINVAL;
	return copy_to_user(uset, &set, setsize) ? -EFAULT : 0;
}

/* Sleep with @mask until a signal is delivered; the old mask comes back
 * when the handler returns (signal_frame.c saves it in the frame). */
SYSCALL_DEFINE2(rt_sigsuspend, const sigset_t *, umask, u64, setsize)
{
	struct thread *t = current_thread();
	sigset_t mask;

	if (setsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	t->saved_mask = t->blocked;
	t->restore_mask = true;
	t->blocked = mask & ~UNBLOCKABLE;
	while (!signal_pending(t))
		abi_sleep_interruptible(0);
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	while (!signal_pending(current_thread()))
		abi_sleep_interruptible(0);
	return -EINTR;
}

static int send_checked(struct process *p, struct thread *t, int sig)
{
	struct sigpend i = { .code = t ? SI_TKILL : SI_USER,
			     .pid = current_process()->tgid };

	if (!sig)
		return 0;
	return t ? signal_send_thread(t, sig, &i) : signal_send_process(p, sig, &i);
}

static int send_to_each(struct process *p, void *arg)
{
	return send_checked(p, NULL, *(int *)arg) == 0;
}

/* No process groups: pid 0 and -pgid signal the caller's own process;
 * -1 signals every process but the caller's. */
SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct process *p, *me = current_process();
	int sent = 0;

	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	if (pid == 0 || pid < -1)
		return send_checked(me, NULL, sig);
	/* The tree lock is held while sending: the target cannot be freed. */
	spin_lock(&proc_tree_lock);
	if (pid > 0) {
		p = process_find(pid);
		sent = p ? send_checked(p, NULL, sig) : -ESRCH;
		spin_unlock(&proc_tree_lock);
		return sent;
	}
	sent = process_for_each_other(me, send_to_each, &sig);
	spin_unlock(&proc_tree_lock);
	return sent ? 0 : -ESRCH;
}

static long tkill_common(int tgid, int tid, int sig)
{
	struct thread *t;
	long ret;

	if (tid <= 0 || sig < 0 || sig > _NSIG)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	t = thread_find(tid);
	if (t && tgid > 0 && t->proc->tgid != tgid)
		t = NULL;
	ret = t ? send_checked(t->proc, t, sig) : -ESRCH;
	spin_unlock(&proc_tree_lock);
	return ret;
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return tkill_common(tgid, tid, sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return tkill_common(0, tid, sig);
}

bool signal_on_altstack(struct thread *t, u64 sp)
{
	return t->altstack.ss_size && sp > t->altstack.ss_sp &&
	       sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

/* Unsupported: SS_AUTODISARM -EINVAL (Linux supports it). */
SYSCALL_DEFINE2(sigaltstack, const stack_t *, uss, stack_t *, uoss)
{
	struct thread *t = current_thread();
	u64 sp = abi_user_regs()->rsp;
	stack_t old = t->altstack, ss;

	old.ss_flags = !old.ss_size ? SS_DISABLE :
		       signal_on_altstack(t, sp) ? SS_ONSTACK : 0;
	if (uss) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (signal_on_altstack(t, sp))
			return -EPERM;
		if (ss.ss_flags & ~(SS_DISABLE | SS_ONSTACK))
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			memset(&t->altstack, 0, sizeof(t->altstack));
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.ss_sp = ss.ss_sp;
			t->altstack.ss_size = ss.ss_size;
		}
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
