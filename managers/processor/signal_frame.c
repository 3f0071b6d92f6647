/* managers/processor/signal_frame.c — delivering signals on the way back
 * to user mode, the x86-64 signal frame, rt_sigreturn, and user
 * exceptions turned into signals.
 *
 * The frame is Linux's rt_sigframe, built below the interrupted stack
 * (after the 128-byte red zone) or at the top of the alternate stack:
 *
 *     [xsave image, 64-aligned, + FP_XSTATE_MAGIC2]   <- uc_mcontext.fpstate
 *     siginfo                                          <- %rsi
 *     ucontext (flags, link, stack, sigcontext, mask)  <- %rdx
 *     pretcode = sa_restorer                           <- %rsp (16n + 8)
 *
 * The xsave image is the thread's full XSAVE area (x87/SSE/AVX as XCR0
 * enables) with the software bytes at 464 describing it, as Linux lays it
 * out, so glibc's and musl's ucontext readers find what they expect.  The
 * handler runs with the interrupted FPU state (Linux resets it to the
 * initial state; programs cannot rely on either).  rt_sigreturn checks
 * the image before XRSTOR: XSTATE_BV within XCR0, XCOMP_BV zero, MXCSR
 * within MXCSR_MASK — a bad image is a SIGSEGV, never a kernel #GP.
 *
 * Syscall restart: a syscall that slept and saw a signal returns
 * -ERESTARTSYS; here it becomes -EINTR when a handler without SA_RESTART
 * runs, and otherwise the syscall is re-issued (rip -= 2, rax = nr).
 */
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/irq.h>
#include <asm/syscall.h>
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <lib/string.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include "internal.h"

#define SIGBIT(s)	(1ull << ((s) - 1))
#define CORE_SIGNALS	(SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
			 SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) |   \
			 SIGBIT(SIGSEGV) | SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) | \
			 SIGBIT(SIGSYS))
#define IGNORE_SIGNALS	(SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | \
			 SIGBIT(SIGCONT) | SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | \
			 SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define FLAGS_USER	0x0dd5ul	/* CF PF AF ZF SF TF DF OF */
#define XSAVE_HDR	512

struct rt_sigframe {
	u64 pretcode;
	struct ucontext uc;
	siginfo_t info;
};

static const char *const signames[] = {
	[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGSEGV] = "SIGSEGV", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGSYS] = "SIGSYS",
};

/* Take the lowest pending unblocked signal; 0 if none. */
static int dequeue(struct thread *t, struct sigpend *info)
{
	struct process *p = t->proc;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	u64 ready = (t->pending | p->pending) &
		    ~(t->blocked & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP)));
	int sig = 0;

	if (p->group_exit)
		ready = SIGBIT(SIGKILL);
	if (ready) {
		sig = __builtin_ctzll(ready) + 1;
		if (t->pending & SIGBIT(sig)) {
			t->pending &= ~SIGBIT(sig);
			*info = t->info[sig - 1];
		} else {
			p->pending &= ~SIGBIT(sig);
			*info = p->info[sig - 1];
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return sig;
}

static __noreturn void die(struct thread *t, int sig, const struct pt_regs *r,
			   const struct sigpend *info)
{
	bool core = CORE_SIGNALS & SIGBIT(sig);

	if (core)
		printk("tessera: pid %d tid %d (%s) killed by %s at rip %#llx "
		       "addr %#llx\n", t->proc->tgid, t->tid, t->proc->exe,
		       signames[sig], r->rip, info->addr);
	process_exit_group(WSTATUS_SIGNALED(sig, core));
}

/* Copy the FPU state to user memory at @fx (64-aligned) as Linux does. */
static int save_fpu_frame(struct thread_arch *arch, u64 fx)
{
	struct fpx_sw_bytes sw = { 0 };
	u32 size = fpu_area_size();
	u32 magic2 = FP_XSTATE_MAGIC2;

	fpu_save(&arch->fpu);
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = size + sizeof(magic2);
	sw.xfeatures = boot_cpu.xcr0;
	sw.xstate_size = size;
	if (copy_to_user((void *)fx, arch->fpu.area, size) ||
	    copy_to_user((void *)(fx + 464), &sw, sizeof(sw)) ||
	    copy_to_user((void *)(fx + size), &magic2, sizeof(magic2)))
		return -EFAULT;
	return 0;
}

static void fill_sigcontext(struct sigcontext *sc, const struct pt_regs *r,
			    const struct thread *t, u64 fx, sigset_t mask)
{
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->rflags;
	sc->cs = r->cs;
	sc->ss = r->ss;
	sc->err = t->trap_err;
	sc->trapno = t->trap_no;
	sc->cr2 = t->trap_cr2;
	sc->oldmask = mask;
	sc->fpstate = fx;
}

static void fill_siginfo(siginfo_t *si, int sig, const struct sigpend *i)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = i->code;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
	    sig == SIGTRAP) {
		si->f.fault.addr = i->addr;
	} else if (sig == SIGCHLD) {
		si->f.chld.pid = i->pid;
		si->f.chld.status = (i->status & 0x7f) ? (i->status & 0x7f) :
				    (i->status >> 8) & 0xff;
	} else {
		si->f.kill.pid = i->pid;
	}
}

/* Build the frame and point @r at the handler; -EFAULT if it cannot. */
static int setup_frame(struct thread *t, int sig, const struct sigaction *ka,
		       const struct sigpend *info, struct pt_regs *r)
{
	struct thread_arch *arch = task_arch(t->task);
	sigset_t mask = t->restore_mask ? t->saved_mask : t->blocked;
	struct rt_sigframe f;
	u64 sp = r->rsp - 128, fx, frame;

	if ((ka->sa_flags & SA_ONSTACK) && t->altstack.ss_size &&
	    !signal_on_altstack(t, r->rsp))
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	fx = ALIGN_DOWN(sp - fpu_area_size() - 4, 64);
	frame = ALIGN_DOWN(fx - sizeof(f), 16) - 8;
	if (!(ka->sa_flags & SA_RESTORER))
		return -EFAULT;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->sa_restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->altstack.ss_sp;
	f.uc.uc_stack.ss_size = t->altstack.ss_size;
	f.uc.uc_stack.ss_flags = !t->altstack.ss_size ? SS_DISABLE :
			signal_on_altstack(t, r->rsp) ? SS_ONSTACK : 0;
	fill_sigcontext(&f.uc.uc_mcontext, r, t, fx, mask);
	f.uc.uc_sigmask = mask;
	fill_siginfo(&f.info, sig, info);
	if (save_fpu_frame(arch, fx) || copy_to_user((void *)frame, &f, sizeof(f)))
		return -EFAULT;
	r->rdi = sig;
	r->rsi = frame + offsetof(struct rt_sigframe, info);
	r->rdx = frame + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rip = ka->sa_handler;
	r->rsp = frame;
	r->rflags &= ~((1ul << 8) | (1ul << 10));	/* TF, DF */
	r->cs = USER_CS;
	r->ss = USER_DS;
	t->restore_mask = false;
	return 0;
}

/* -ERESTARTSYS from a syscall: restart it or make it -EINTR. */
static void fix_restart(struct pt_regs *r, const struct sigaction *ka)
{
	if (r->vector != SYSCALL_VECTOR || (long)r->rax != -ERESTARTSYS)
		return;
	if (ka && !(ka->sa_flags & SA_RESTART)) {
		r->rax = -EINTR;
	} else {
		r->rax = r->error_code;
		r->rip -= 2;
	}
	r->vector = 0;		/* handled: never twice */
}

/* Deliver one signal; false if there was none to deliver. */
static bool deliver_one(struct thread *t, struct pt_regs *r)
{
	struct process *p = t->proc;
	struct sigpend info;
	struct sigaction ka;
	unsigned long flags;
	int sig = dequeue(t, &info);

	if (!sig)
		return false;
	if (p->group_exit || sig == SIGKILL)
		thread_exit(p->group_exit ? p->exit_status :
			    WSTATUS_SIGNALED(SIGKILL, false));
	flags = spin_lock_irqsave(&p->lock);
	ka = p->actions[sig - 1];
	if (ka.sa_handler > SIG_IGN && (ka.sa_flags & SA_RESETHAND))
		p->actions[sig - 1].sa_handler = SIG_DFL;
	spin_unlock_irqrestore(&p->lock, flags);
	if (ka.sa_handler == SIG_IGN ||
	    (ka.sa_handler == SIG_DFL && (IGNORE_SIGNALS & SIGBIT(sig))))
		return true;
	if (ka.sa_handler == SIG_DFL)
		die(t, sig, r, &info);
	fix_restart(r, &ka);
	if (setup_frame(t, sig, &ka, &info, r))
		die(t, SIGSEGV, r, &info);
	t->blocked |= ka.sa_mask;
	if (!(ka.sa_flags & SA_NODEFER))
		t->blocked |= SIGBIT(sig);
	t->blocked &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return true;
}

void signal_deliver(struct pt_regs *r)
{
	struct thread *t = current_thread();

	if (!t || !user_mode(r))
		return;
	while (signal_pending(t) || t->proc->group_exit)
		if (!deliver_one(t, r))
			break;
	fix_restart(r, NULL);
	if (t->restore_mask) {
		t->blocked = t->saved_mask;
		t->restore_mask = false;
	}
}

/* Check and load a user XSAVE image into the thread's area. */
static int restore_fpu_frame(struct thread_arch *arch, u64 fx)
{
	u32 size = fpu_area_size();
	u8 *a = arch->fpu.area;
	u32 mxcsr_mask;
	u64 *hdr;

	if (!fx) {		/* no FPU state in the frame: the initial one */
		fpu_reset(&arch->fpu);
		return 0;
	}
	if (!IS_ALIGNED(fx, 64) || copy_from_user(a, (void *)fx, size))
		return -EFAULT;
	memcpy(&mxcsr_mask, a + 28, 4);
	if (!mxcsr_mask)
		mxcsr_mask = 0xffbf;
	*fpu_mxcsr(&arch->fpu) &= mxcsr_mask;
	hdr = (u64 *)(a + XSAVE_HDR);
	hdr[0] &= boot_cpu.xcr0;
	memset(&hdr[1], 0, 56);		/* XCOMP_BV and the reserved bytes */
	fpu_restore(&arch->fpu);
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct thread *t = current_thread();
	struct pt_regs *r = abi_user_regs();
	struct rt_sigframe f;
	struct sigcontext *sc = &f.uc.uc_mcontext;

	if (copy_from_user(&f, (void *)(r->rsp - 8), sizeof(f)))
		goto bad;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = (r->rflags & ~FLAGS_USER) | (sc->eflags & FLAGS_USER);
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->vector = 0;		/* no restart processing for this return */
	t->blocked = f.uc.uc_sigmask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (restore_fpu_frame(task_arch(t->task), sc->fpstate))
		goto bad;
	return r->rax;
bad:
	{
		struct sigpend i = { .code = SI_KERNEL };

		die(t, SIGSEGV, r, &i);
	}
}

/* Exception vector -> signal and si_code. */
static int trap_signal(u64 vec, u64 err, int *code)
{
	switch (vec) {
	case 0:  *code = FPE_INTDIV; return SIGFPE;
	case 16: case 19: *code = FPE_FLTDIV; return SIGFPE;
	case 1:  case 3: *code = TRAP_BRKPT; return SIGTRAP;
	case 6:  *code = ILL_ILLOPN; return SIGILL;
	case 17: *code = BUS_ADRERR; return SIGBUS;
	case 14: *code = (err & 1) ? SEGV_ACCERR : SEGV_MAPERR; return SIGSEGV;
	default: *code = SI_KERNEL; return SIGSEGV;
	}
}

/* User exception (interrupts off): record it and force the signal — a
 * blocked or ignored synchronous signal kills, as in Linux. */
bool signal_user_trap(struct pt_regs *r)
{
	struct thread *t = current_thread();
	struct process *p;
	struct sigpend i = { 0 };
	unsigned long flags;
	int sig;

	if (!t)
		return false;
	p = t->proc;
	sig = trap_signal(r->vector, r->error_code, &i.code);
	if (r->vector == 14 && t->pf_sigbus) {	/* past a mapped file's end */
		sig = SIGBUS;
		i.code = BUS_ADRERR;
		t->pf_sigbus = false;
	}
	t->trap_no = r->vector;
	t->trap_err = r->error_code;
	t->trap_cr2 = r->vector == 14 ? read_cr2() : 0;
	i.addr = r->vector == 14 ? t->trap_cr2 : r->rip;
	flags = spin_lock_irqsave(&p->lock);
	if ((t->blocked & SIGBIT(sig)) || p->actions[sig - 1].sa_handler == SIG_IGN) {
		t->blocked &= ~SIGBIT(sig);
		p->actions[sig - 1].sa_handler = SIG_DFL;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	signal_send_thread(t, sig, &i);
	return true;
}
