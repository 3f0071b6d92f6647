/* arch/x86/kernel/user_test.c — ring 3 end to end: a user page table with
 * a code and a stack page, the first jump to user mode, `syscall` with six
 * arguments and a return value, and user faults (reading kernel memory,
 * writing read-only code) reaching the user trap hook with the right
 * vector and error code instead of panicking the kernel.
 *
 * The test owns the syscall handler and the user trap hook while it runs
 * (no Linux ABI layer exists in this build's tests); it runs pinned to one
 * CPU because no scheduler switch reloads CR3 for it.
 */
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/syscall.h>
#include <asm/upt.h>
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>

#define CODE_VA	0x400000ull
#define STACK_VA 0x7ffff000ull

extern const char utest_syscall_start[], utest_syscall_end[];
void start_kernel(u32 proto, phys_addr_t info);
extern const char utest_kread_start[], utest_kread_end[];
extern const char utest_codewrite_start[], utest_codewrite_end[];

struct utest {
	const char *code, *end;
	struct upt upt;
	long args_ok;
	u64 fault_vector, fault_error, fault_addr;
};

static struct utest *running;

static __noreturn void leave(int code)
{
	upt_switch(NULL);
	local_irq_enable();
	kthread_exit(code);
}

static long test_syscall(struct pt_regs *r)
{
	if (r->error_code == 39) {
		running->args_ok = r->rdi == 1 && r->rsi == 2 && r->rdx == 3 &&
				   r->r10 == 4 && r->r8 == 5 && r->r9 == 6;
		return 777;
	}
	if (r->error_code == 60)
		leave((int)r->rdi);
	return -38;
}

static bool test_trap(struct pt_regs *r)
{
	running->fault_vector = r->vector;
	running->fault_error = r->error_code;
	running->fault_addr = read_cr2();
	leave(-1);
}

static int user_thread(void *arg)
{
	struct utest *u = arg;
	u8 *code = alloc_page_zeroed(), *stack = alloc_page_zeroed();

	if (!code || !stack || upt_create(&u->upt))
		return -2;
	memcpy(code, u->code, u->end - u->code);
	if (upt_map(&u->upt, CODE_VA, virt_to_phys(code), 0) ||
	    upt_map(&u->upt, STACK_VA, virt_to_phys(stack), PTE_W | PTE_NX))
		return -3;
	running = u;
	/* Kernel stacks are KSTACK_SIZE-aligned blocks of the buddy. */
	arch_set_kernel_stack(ALIGN_UP((unsigned long)__builtin_frame_address(0),
				       KSTACK_SIZE));
	upt_switch(&u->upt);
	arch_enter_user(CODE_VA, STACK_VA + PAGE_SIZE);
}

static int run(struct utest *u, const char *code, const char *end)
{
	struct task *t;
	int ret;

	memset(u, 0, sizeof(*u));
	u->code = code;
	u->end = end;
	syscall_set_handler(test_syscall);
	trap_set_user_handler(test_trap);
	t = kthread_run_on(user_thread, u, smp_processor_id(), "utest");
	ret = t ? kthread_join(t) : -1000;
	syscall_set_handler(NULL);
	trap_set_user_handler(NULL);
	upt_destroy(&u->upt);
	return ret;
}

SELFTEST(user_mode_syscall)
{
	static struct utest u;

	ST_EQ(run(&u, utest_syscall_start, utest_syscall_end), 777);
	ST_EQ(u.args_ok, 1);
	ST_EQ(run(&u, utest_kread_start, utest_kread_end), -1);
	ST_EQ(u.fault_vector, 14);
	ST_EQ(u.fault_error & 7, 5);		/* user, read, present */
	ST_EQ(u.fault_addr, (u64)start_kernel);
	ST_EQ(run(&u, utest_codewrite_start, utest_codewrite_end), -1);
	ST_EQ(u.fault_vector, 14);
	ST_EQ(u.fault_error & 7, 7);		/* user, write, present */
	ST_EQ(u.fault_addr, CODE_VA);
	return 0;
}
