/* arch/x86/kernel/thread.c — switching the architecture state of threads.
 *
 * Eager FPU switching: the outgoing user thread's registers are saved
 * with XSAVE, the incoming one's restored with XRSTOR (LESSONS 9).  The
 * TLS bases are read back from the MSRs on the way out, since user code
 * may change them itself (wrfsbase where FSGSBASE is on).  CR3: a user
 * thread loads its process's tables if they are not loaded yet; a kernel
 * thread runs on the kernel's own tables, so a process's tables are never
 * live on a CPU after the process stopped running there (they can be freed
 * without a shootdown of CR3s).  upt_activate keeps each table's CPU mask
 * (the targets of its TLB shootdowns) true across the switch.
 */
#include <asm/fpu.h>
#include <asm/paging.h>
#include <asm/syscall.h>
#include <asm/thread.h>
#include <asm/upt.h>
#include <asm/x86.h>

void arch_thread_switch(struct thread_arch *prev, struct thread_arch *next)
{
	if (prev->fpu.area) {
		fpu_save(&prev->fpu);
		prev->fs_base = rdmsr(MSR_FS_BASE);
		prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	}
	upt_activate(next->upt);	/* CR3 and the tables' CPU masks */
	if (next->fpu.area) {
		fpu_restore(&next->fpu);
		wrmsr(MSR_FS_BASE, next->fs_base);
		wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
		arch_set_kernel_stack(next->kstack_top);
	}
}
