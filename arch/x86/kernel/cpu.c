/* arch/x86/kernel/cpu.c — processor features and descriptor tables.
 *
 * Feature detection runs once on the boot CPU; Tessera refuses to boot,
 * with a message that names the missing feature, on a CPU without long
 * mode NX, an APIC, or XSAVE (the FPU state of every user thread is kept
 * with XSAVE).  Every CPU then runs cpu_setup(): its own GDT and TSS
 * (IST1 #DF, IST2 NMI, IST3 #MC, each with a private stack), the shared
 * IDT, control-register features and XCR0.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/syscall.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>

#define IST_STACK_SIZE	8192

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "tss size");

struct gdt {
	u64 entry[8];
};

struct cpu_features boot_cpu;
static DEFINE_PER_CPU(struct gdt, cpu_gdt) __aligned(16);
static DEFINE_PER_CPU(struct tss, cpu_tss) __aligned(16);
static u8 boot_ist_stacks[3][IST_STACK_SIZE] __aligned(16);

static void detect(void)
{
	struct cpuid_regs r = cpuid(0, 0), f1 = cpuid(1, 0);
	struct cpuid_regs e = cpuid(0x80000001, 0), s7 = { 0 };
	u32 maxext = cpuid(0x80000000, 0).eax;

	memcpy(boot_cpu.vendor, &r.ebx, 4);
	memcpy(boot_cpu.vendor + 4, &r.edx, 4);
	memcpy(boot_cpu.vendor + 8, &r.ecx, 4);
	if (maxext >= 0x80000004)
		for (u32 i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i, 0);
			memcpy(boot_cpu.brand + 16 * i, &b, 16);
		}
	if (r.eax >= 7)
		s7 = cpuid(7, 0);
	boot_cpu.x2apic = f1.ecx & (1u << 21);
	boot_cpu.xsave = f1.ecx & (1u << 26);
	boot_cpu.avx = f1.ecx & (1u << 28);
	boot_cpu.hypervisor = f1.ecx & (1u << 31);
	boot_cpu.nx = e.edx & (1u << 20);
	boot_cpu.pdpe1gb = e.edx & (1u << 26);
	boot_cpu.smep = s7.ebx & (1u << 7);
	boot_cpu.smap = s7.ebx & (1u << 20);
	boot_cpu.fsgsbase = s7.ebx & (1u << 0);
	if (maxext >= 0x80000007)
		boot_cpu.invariant_tsc = cpuid(0x80000007, 0).edx & (1u << 8);
	if (!(f1.edx & (1u << 9)))
		panic("cpu: this CPU has no local APIC; Tessera needs one");
	if (!boot_cpu.xsave)
		panic("cpu: this CPU has no XSAVE; Tessera saves thread FPU "
		      "state with XSAVE and cannot run without it");
	if (!boot_cpu.nx)
		panic("cpu: this CPU has no NX (execute-disable) bit");
}

void cpu_early_init(void)
{
	percpu_boot_init();
	detect();
	printk("cpu: %s %s%s%s%s%s%s\n", boot_cpu.vendor, boot_cpu.brand,
	       boot_cpu.x2apic ? " x2apic" : "", boot_cpu.avx ? " avx" : "",
	       boot_cpu.smep ? " smep" : "", boot_cpu.smap ? " smap" : "",
	       boot_cpu.hypervisor ? " hypervisor" : "");
}

static u64 seg(u32 flags)
{
	/* Base 0, limit 0xfffff, granularity 4K; flags = access | (flag<<8) */
	return 0x000f00000000ffffull | ((u64)(flags & 0xff) << 40) |
	       ((u64)(flags >> 8) << 52);
}

static void load_gdt_tss(int cpu)
{
	struct gdt *g = this_cpu_ptr(&cpu_gdt);
	struct tss *t = this_cpu_ptr(&cpu_tss);
	u64 tb = (u64)t;

	memset(t, 0, sizeof(*t));
	t->iomap_base = sizeof(*t);
	for (int i = 0; i < 3; i++) {
		u8 *stk = cpu == 0 ? boot_ist_stacks[i]
				   : alloc_pages(1); /* 8 KiB */
		if (!stk)
			panic("cpu%d: no memory for IST stacks", cpu);
		t->ist[i] = (u64)stk + IST_STACK_SIZE;
	}
	g->entry[0] = 0;
	g->entry[1] = seg(0x9a | (0xa << 8));	/* kernel code, L */
	g->entry[2] = seg(0x92 | (0xc << 8));	/* kernel data */
	g->entry[3] = seg(0xfa | (0xc << 8));	/* user code 32 */
	g->entry[4] = seg(0xf2 | (0xc << 8));	/* user data */
	g->entry[5] = seg(0xfa | (0xa << 8));	/* user code 64 */
	g->entry[6] = (sizeof(*t) - 1) | ((tb & 0xffffff) << 16) |
		      (0x89ull << 40) | (((tb >> 24) & 0xff) << 56);
	g->entry[7] = tb >> 32;

	struct {
		u16 limit;
		u64 base;
	} __packed d = { sizeof(*g) - 1, (u64)g };
	u64 gs = rdmsr(MSR_GS_BASE);

	__asm__ volatile("lgdt %0\n"
			 "movl %1, %%ds\n movl %1, %%es\n movl %1, %%ss\n"
			 "pushq %2\n leaq 1f(%%rip), %%rax\n pushq %%rax\n"
			 "lretq\n1:\n"
			 "ltr %w3\n"
			 : : "m"(d), "r"(GDT_KDATA), "i"(GDT_KCODE), "r"(GDT_TSS)
			 : "rax", "memory");
	/* Loading segment registers does not touch the GS base MSR, but
	 * make the invariant explicit. */
	wrmsr(MSR_GS_BASE, gs);
}

void tss_set_rsp0(unsigned long rsp0)
{
	this_cpu_ptr(&cpu_tss)->rsp[0] = rsp0;
}

static void enable_features(void)
{
	u64 cr4 = read_cr4() | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
	u64 xcr0 = 0x3; /* x87 | SSE */

	if (boot_cpu.smep)
		cr4 |= CR4_SMEP;
	if (boot_cpu.smap) {
		cr4 |= CR4_SMAP;
		uaccess_smap = true;
	}
	if (boot_cpu.fsgsbase)
		cr4 |= CR4_FSGSBASE;
	write_cr4(cr4);
	write_cr0((read_cr0() | CR0_WP | (1ul << 1)) & ~(1ul << 2) & ~(1ul << 3));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE | EFER_SCE);
	if (boot_cpu.avx)
		xcr0 |= 0x4;
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
	boot_cpu.xcr0 = xcr0;
	boot_cpu.xsave_size = cpuid(0xd, 0).ebx;
}

void cpu_setup(int cpu)
{
	load_gdt_tss(cpu);
	idt_load();
	enable_features();
	syscall_cpu_init();
}
