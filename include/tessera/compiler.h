/* include/tessera/compiler.h — compiler attributes and tiny helpers used
 * everywhere.  No dependencies beyond types.h. */
#ifndef TESSERA_COMPILER_H
#define TESSERA_COMPILER_H
#ifndef __ASSEMBLER__

#include <tessera/types.h>

/* Host unit tests: the libc headers pulled in by types.h define these two
 * with the same meaning; ours win. */
#ifdef __HOST_TEST__
#undef __always_inline
#undef offsetof
#endif

#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define __section(s)	__attribute__((section(s)))
#define __used		__attribute__((used))
#define __unused	__attribute__((unused))
#define __noreturn	__attribute__((noreturn))
#define __weak		__attribute__((weak))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __always_inline	inline __attribute__((always_inline))
#define __noinline	__attribute__((noinline))
#define __must_check	__attribute__((warn_unused_result))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define barrier()	__asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define offsetof(t, m)	__builtin_offsetof(t, m)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define BUILD_BUG_ON(c)	_Static_assert(!(c), #c)

#endif /* __ASSEMBLER__ */
#endif
