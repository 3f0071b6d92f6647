/* usr/tests/t_thread.c — clone threads the way pthreads do (CLONE_VM,
 * FS, FILES, SIGHAND, THREAD, SYSVSEM, SETTLS, PARENT_SETTID,
 * CHILD_CLEARTID; the odd ones with clone3, as glibc's pthread_create
 * does first), futex WAIT/WAKE as a lock, a counter incremented by
 * several threads, join through the cleared tid. */
#include "../lib/nolibc.h"

#define NTHREADS 4
#define ROUNDS 2000
#define CLONE_FLAGS 0x3d0f00

static volatile int lock_word, counter;
static int tids[NTHREADS];
static char stacks[NTHREADS][16384] __attribute__((aligned(16)));
static unsigned long tls_blocks[NTHREADS][4];
static struct {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup;
} args[NTHREADS];

/* Drepper's "mutex 2": 0 free, 1 locked, 2 locked with waiters.  A
 * waiter that gets the lock marks it 2, so the unlock wakes the next. */
static void lock(void)
{
	int c = __sync_val_compare_and_swap(&lock_word, 0, 1);

	if (c == 0)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_SEQ_CST);
	while (c != 0) {
		sys4(SYS_futex, &lock_word, 128 /* WAIT_PRIVATE */, 2, 0);
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_SEQ_CST);
	}
}

static void unlock(void)
{
	if (__sync_fetch_and_sub(&lock_word, 1) != 1) {
		lock_word = 0;
		sys3(SYS_futex, &lock_word, 129 /* WAKE_PRIVATE */, 1);
	}
}

__attribute__((used, noreturn)) void worker(void);
__attribute__((used, noreturn)) void worker(void)
{
	unsigned long fs;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs));
	for (int i = 0; i < ROUNDS; i++) {
		lock();
		counter++;
		unlock();
		if (i % 100 == 0)
			sys0(SYS_sched_yield);
	}
	for (;;)
		sys1(SYS_exit, fs == 0);
}

/* clone (even @i) or clone3 (odd @i) with a fresh stack: the child
 * returns 0 on its new stack and must not touch the parent's frame, so
 * it jumps straight to worker. */
static long spawn(int i)
{
	long ret, nr = SYS_clone, a0 = CLONE_FLAGS;
	long a1 = (long)(stacks[i] + sizeof(stacks[i]));
	register long r10 __asm__("r10") = (long)&tids[i];
	register long r8 __asm__("r8") = (long)tls_blocks[i];

	tls_blocks[i][0] = (unsigned long)tls_blocks[i];
	if (i & 1) {
		args[i].flags = CLONE_FLAGS;
		args[i].child_tid = args[i].parent_tid = (u64)&tids[i];
		args[i].stack = (u64)stacks[i];
		args[i].stack_size = sizeof(stacks[i]);
		args[i].tls = (u64)tls_blocks[i];
		nr = 435;
		a0 = (long)&args[i];
		a1 = sizeof(args[i]);
	}
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "call worker\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(&tids[i]),
			   "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv, char **envp)
{
	for (int i = 0; i < NTHREADS; i++)
		CHECK(spawn(i) > 0);
	for (int i = 0; i < NTHREADS; i++) {
		int t;

		while ((t = tids[i]) != 0)
			sys4(SYS_futex, &tids[i], 0 /* WAIT */, t, 0);
	}
	CHECK(counter == NTHREADS * ROUNDS);
	CHECK(sys4(SYS_futex, &lock_word, 0, 1, 0) == -11);	/* EAGAIN */
	{
		struct { long s, ns; } to = { 0, 1000000 };

		CHECK(sys4(SYS_futex, &lock_word, 0, 0, &to) == -110);
	}
	say("ok threads futex\n");
	return 0;
}
