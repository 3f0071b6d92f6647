/* usr/tests/t_futex.c — futex operations beyond WAIT/WAKE: REQUEUE,
 * CMP_REQUEUE, WAKE_OP, WAIT_BITSET with an absolute timeout, and the
 * robust list: a thread that exits holding a robust lock leaves
 * FUTEX_OWNER_DIED in it and wakes its waiter. */
#include "../lib/nolibc.h"

#define CLONE_FLAGS 0x3d0f00
#define F_WAIT 0
#define F_WAKE 1
#define F_REQUEUE 3
#define F_CMP_REQUEUE 4
#define F_WAKE_OP 5
#define F_WAIT_BITSET 9
#define PRIV 128

static volatile int fa, fb, started, tids[4], robust_lock;
static char stacks[4][16384] __attribute__((aligned(16)));
static long waiter_ret[4];

struct robust_head { void *next; long offset; void *pending; };
struct robust_lockent { void *next; int word; };
static struct robust_lockent ent;

__attribute__((used, noreturn)) void waiter(long i);
__attribute__((used, noreturn)) void waiter(long i)
{
	__sync_fetch_and_add(&started, 1);
	waiter_ret[i] = sys4(SYS_futex, &fa, F_WAIT | PRIV, 0, 0);
	for (;;)
		sys1(SYS_exit, 0);
}

__attribute__((used, noreturn)) void robust_owner(long i);
__attribute__((used, noreturn)) void robust_owner(long i)
{
	static struct robust_head head;

	head.next = &ent;
	head.offset = (char *)&ent.word - (char *)&ent;
	head.pending = 0;
	ent.next = &head;
	ent.word = (int)sys0(SYS_gettid);
	sys2(SYS_set_robust_list, &head, sizeof(head));
	__sync_fetch_and_add(&started, 1);
	for (;;)
		sys1(SYS_exit, 0);	/* dies holding ent.word */
}

/* A thread (no TLS of its own) that calls @fn(@i) on its own stack. */
static long spawn_call(int i, void (*fn)(long))
{
	return clone_thread(CLONE_FLAGS & ~0x80000 /* CLONE_SETTLS */,
			    stacks[i] + sizeof(stacks[i]), (int *)&tids[i], 0,
			    fn, i);
}

static void join(int i)
{
	int t;

	while ((t = tids[i]) != 0)
		sys4(SYS_futex, &tids[i], F_WAIT, t, 0);
}

int main(int argc, char **argv, char **envp)
{
	struct { long s, ns; } now, abs;

	for (int i = 0; i < 3; i++)
		CHECK(spawn_call(i, waiter) > 0);
	while (started < 3)
		sys0(SYS_sched_yield);
	for (int spin = 0; spin < 50; spin++)
		sys0(SYS_sched_yield);
	/* CMP_REQUEUE with a stale value fails; then wake 1, move 2 to fb. */
	CHECK(syscall6(SYS_futex, (long)&fa, F_CMP_REQUEUE | PRIV, 1, 2,
		       (long)&fb, 5) == -11);
	CHECK(syscall6(SYS_futex, (long)&fa, F_CMP_REQUEUE | PRIV, 1, 2,
		       (long)&fb, 0) == 3);
	CHECK(sys3(SYS_futex, &fa, F_WAKE | PRIV, 10) == 0);
	/* WAKE_OP: fb += 1, then wake fb's waiters if old fb == 0. */
	CHECK(syscall6(SYS_futex, (long)&fa, F_WAKE_OP | PRIV, 1, 10, (long)&fb,
		       (1 << 28) | (1 << 12) | (0 << 24) | 0) == 2);
	CHECK(fb == 1);
	for (int i = 0; i < 3; i++) {
		join(i);
		CHECK(waiter_ret[i] == 0);
	}
	say("ok requeue cmp_requeue wake_op\n");
	CHECK(sys2(SYS_clock_gettime, 1, &now) == 0);
	abs.s = now.s;
	abs.ns = now.ns + 5000000;
	if (abs.ns >= 1000000000)
		abs.s++, abs.ns -= 1000000000;
	CHECK(syscall6(SYS_futex, (long)&fa, F_WAIT_BITSET | PRIV, 0, (long)&abs,
		       0, 0xffffffff) == -110);
	CHECK(syscall6(SYS_futex, (long)&fa, F_WAIT_BITSET | PRIV, 0, (long)&abs,
		       0, 0) == -22);
	say("ok wait_bitset timeout\n");
	started = 0;
	CHECK(spawn_call(3, robust_owner) > 0);
	join(3);
	CHECK(ent.word & 0x40000000);		/* FUTEX_OWNER_DIED */
	CHECK((ent.word & 0x3fffffff) == 0);
	say("ok robust list\n");
	return 0;
}
