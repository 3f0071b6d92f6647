/* arch/x86/include/asm/x86.h — thin inline wrappers around x86 instructions:
 * port I/O, MSRs, control registers, CPUID, interrupt flag, TSC. */
#ifndef ASM_X86_H
#define ASM_X86_H

#include <tessera/types.h>

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define EFER_SCE		(1u << 0)
#define EFER_LME		(1u << 8)
#define EFER_NXE		(1u << 11)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(u32 leaf, u32 sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

#define DEFINE_CR(n)                                                        \
	static inline u64 read_cr##n(void)                                  \
	{                                                                   \
		u64 v;                                                      \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void write_cr##n(u64 v)                               \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");  \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

#define CR0_WP		(1ul << 16)
#define CR4_PGE		(1ul << 7)
#define CR4_OSFXSR	(1ul << 9)
#define CR4_OSXMMEXCPT	(1ul << 10)
#define CR4_FSGSBASE	(1ul << 16)
#define CR4_OSXSAVE	(1ul << 18)
#define CR4_SMEP	(1ul << 20)
#define CR4_SMAP	(1ul << 21)

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline unsigned long local_save_flags(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}
static inline unsigned long local_irq_save(void)
{
	unsigned long f = local_save_flags();
	local_irq_disable();
	return f;
}
static inline void local_irq_restore(unsigned long f)
{
	if (f & (1ul << 9))
		local_irq_enable();
}
static inline bool irqs_disabled(void)
{
	return !(local_save_flags() & (1ul << 9));
}
/* Enable interrupts and halt atomically (sti's one-instruction shadow). */
static inline void safe_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
static inline void invlpg(unsigned long va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif
