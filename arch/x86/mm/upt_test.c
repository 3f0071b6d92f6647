/* arch/x86/mm/upt_test.c — selftests of the user page tables' CPU mask and
 * of the shootdowns that follow it (arch/x86/mm/upt.c, smp.c).
 *
 * tlb_mask_targets: kernel threads pinned to every other online CPU load a
 * table and spin (a sleep would switch to the idle task and drop the
 * table); the test thread loads it too.  The mask must be exactly those
 * CPUs; each upt_flush_range must run a flush IPI on every other CPU of
 * the mask and on no CPU outside it (per-CPU received counters); after a
 * remap + flush every holder reads the new page.  When everybody left,
 * the mask is empty and a flush sends nothing.
 *
 * tlb_mask_migrate: waves of reader threads, pinned to a different CPU in
 * each wave, enter and leave the table in short bursts while the test
 * thread remaps one user page between two pages over and over: new value
 * into the spare page, PTE switched, upt_flush_range, then POISON into the
 * page just unmapped.  A reader that reads POISON went through a TLB
 * entry that the shootdown should have removed.  Readers must also see
 * the value change (the test is not vacuous).
 */
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <asm/upt.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>

#define TEST_UVA	0x40000000ull
#define POISON		0xdeaddeaddeaddeadull

struct holder {
	struct upt *u;
	volatile int req, done;		/* read requests, answered */
	volatile u64 value;
	volatile bool ready, stop;
	int err;
};

static void enter(struct upt *u)
{
	preempt_disable();
	task_arch(current_task())->upt = u;
	upt_switch(u);
	preempt_enable();
}

static int holder_thread(void *arg)
{
	struct holder *h = arg;
	u64 v;

	enter(h->u);
	h->err = get_user_u64(&v, (const void *)TEST_UVA);
	h->value = v;
	h->ready = true;
	while (!h->stop) {
		int req = h->req;

		if (req != h->done) {
			if (get_user_u64(&v, (const void *)TEST_UVA))
				h->err = -1;
			h->value = v;
			__atomic_store_n(&h->done, req, __ATOMIC_RELEASE);
		}
		cpu_relax();
	}
	enter(NULL);
	return h->err;
}

static int map_test_page(struct upt *u, void *page)
{
	u64 *pte = upt_lookup(u, TEST_UVA);

	if (pte && *pte) {
		WRITE_ONCE(*pte, virt_to_phys(page) | PTE_P | PTE_U);
		return 0;
	}
	return upt_map(u, TEST_UVA, virt_to_phys(page), 0);
}

/* Ask every running holder to re-read; wait for the answers. */
static void holders_read(struct holder *h, int n)
{
	for (int i = 0; i < n; i++)
		if (h[i].u)
			h[i].req++;
	for (int i = 0; i < n; i++)
		while (h[i].u && __atomic_load_n(&h[i].done, __ATOMIC_ACQUIRE) !=
				 h[i].req)
			cpu_relax();
}

/* Holders and this thread have @u loaded, TEST_UVA maps @page_a. */
static int check_targets(struct selftest_ctx *t, struct upt *u,
			 struct holder *h, u64 *page_a, u64 *page_b)
{
	int me = smp_processor_id(), cpu, rounds = 20;
	u64 before[CONFIG_NR_CPUS], v = 0;

	ST_EQ(get_user_u64(&v, (const void *)TEST_UVA), 0);
	ST_EQ(v, *page_a);
	for_each_online_cpu(cpu) {
		bool want = cpu == me || h[cpu].u;

		if (h[cpu].u)
			ST_EQ(h[cpu].value, *page_a);
		ST_EQ(cpumask_test(&u->cpus, cpu), want);
		before[cpu] = tlb_flush_ipis_received(cpu);
	}
	for (int i = 0; i < rounds; i++)
		upt_flush_range(u, TEST_UVA, TEST_UVA + PAGE_SIZE);
	for_each_online_cpu(cpu) {
		u64 got = tlb_flush_ipis_received(cpu) - before[cpu];

		ST_EQ(got, h[cpu].u ? (u64)rounds : 0);
	}
	*page_b = 0xbbbb;
	ST_EQ(map_test_page(u, page_b), 0);
	upt_flush_range(u, TEST_UVA, TEST_UVA + PAGE_SIZE);
	holders_read(h, nr_cpus_possible());
	for_each_online_cpu(cpu)
		if (h[cpu].u)
			ST_EQ(h[cpu].value, 0xbbbb);
	return 0;
}

/* The body of tlb_mask_targets, on a thread pinned to one CPU. */
static int targets_body(void *arg)
{
	struct selftest_ctx *t = arg;
	int nr = nr_cpus_possible(), me = smp_processor_id(), cpu, n = 0;
	struct holder *h = kcalloc(nr, sizeof(*h));
	struct task **th = kcalloc(nr, sizeof(*th));
	u64 *a = alloc_page_zeroed(), *b = alloc_page_zeroed(), v = 0;
	struct tlb_stats st0, st1;
	struct upt u;
	int ret;

	ST_ASSERT(h && th && a && b && !upt_create(&u));
	*a = 0xaaaa;
	ST_EQ(map_test_page(&u, a), 0);
	for_each_online_cpu(cpu) {
		if (cpu == me || n++ % 2)
			continue;
		h[cpu].u = &u;
		th[cpu] = kthread_run_on(holder_thread, &h[cpu], cpu, "tlbhold");
		ST_ASSERT(th[cpu]);
		while (!h[cpu].ready)
			yield();
	}
	enter(&u);
	ret = check_targets(t, &u, h, a, b);
	if (!ret && (get_user_u64(&v, (const void *)TEST_UVA) || v != 0xbbbb))
		ret = -1;
	enter(NULL);
	for_each_online_cpu(cpu) {
		if (!th[cpu])
			continue;
		h[cpu].stop = true;
		if (kthread_join(th[cpu]))
			ret = -1;
	}
	ST_EQ(ret, 0);
	ST_EQ(cpumask_weight(&u.cpus), 0);
	tlb_get_stats(&st0);
	upt_flush_range(&u, TEST_UVA, TEST_UVA + PAGE_SIZE);
	tlb_get_stats(&st1);
	ST_EQ(st1.ipis, st0.ipis);
	ST_ASSERT(st1.none > st0.none);
	upt_destroy(&u);
	free_page(a);
	free_page(b);
	kfree(h);
	kfree(th);
	return 0;
}

SELFTEST(tlb_mask_targets)
{
	struct task *th = kthread_run_on(targets_body, t, 0, "tlbmask");

	ST_ASSERT(th);
	return kthread_join(th);
}

/* --- tlb_mask_migrate ---------------------------------------------------- */

#define MIGRATE_WAVES		8
#define MIGRATE_BURSTS		8
#define MIGRATE_READS		4096

struct migrate {
	struct upt u;
	int live;			/* readers of this wave still running */
	u64 stale, reads, changes, errors;
};

static int reader_thread(void *arg)
{
	struct migrate *m = arg;
	u64 last = 0, v;

	for (int b = 0; b < MIGRATE_BURSTS; b++) {
		enter(&m->u);
		for (int i = 0; i < MIGRATE_READS; i++) {
			if (get_user_u64(&v, (const void *)TEST_UVA)) {
				__atomic_fetch_add(&m->errors, 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			if (v == POISON)
				__atomic_fetch_add(&m->stale, 1,
						   __ATOMIC_RELAXED);
			else if (v != last)
				__atomic_fetch_add(&m->changes, 1,
						   __ATOMIC_RELAXED);
			last = v;
		}
		__atomic_fetch_add(&m->reads, MIGRATE_READS, __ATOMIC_RELAXED);
		enter(NULL);	/* leaves the mask; the next burst re-enters */
		if (b % 4 == 3)
			yield();
	}
	__atomic_fetch_sub(&m->live, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Remap TEST_UVA between two pages until every reader of the wave is done
 * (m->live counts them down).  Returns the remaps done. */
static u64 remap_while(struct migrate *m, u64 **page, u64 *gen)
{
	u64 remaps = 0;

	while (__atomic_load_n(&m->live, __ATOMIC_ACQUIRE) > 0) {
		u64 *tmp;

		*page[1] = ++*gen;
		if (map_test_page(&m->u, page[1]))
			return remaps;
		upt_flush_range(&m->u, TEST_UVA, TEST_UVA + PAGE_SIZE);
		WRITE_ONCE(*page[0], POISON);	/* nobody may still see it */
		tmp = page[0];
		page[0] = page[1];
		page[1] = tmp;
		if (++remaps % 64 == 0)
			yield();	/* let this CPU's readers run */
	}
	return remaps;
}

SELFTEST(tlb_mask_migrate)
{
	int ncpu = nr_cpus_online(), n = 2 * ncpu, cpus[CONFIG_NR_CPUS], k = 0;
	struct migrate *m = kzalloc(sizeof(*m));
	struct task **th = kcalloc(n, sizeof(*th));
	u64 *page[2] = { alloc_page_zeroed(), alloc_page_zeroed() };
	u64 gen = 1, remaps = 0, ipis0 = 0, ipis1 = 0;
	struct tlb_stats st;
	int cpu;

	ST_ASSERT(m && th && page[0] && page[1] && !upt_create(&m->u));
	for_each_online_cpu(cpu)
		cpus[k++] = cpu;
	*page[0] = gen;
	ST_EQ(map_test_page(&m->u, page[0]), 0);
	tlb_get_stats(&st);
	ipis0 = st.ipis;
	for (int w = 0; w < MIGRATE_WAVES; w++) {
		m->live = n;
		for (int i = 0; i < n; i++) {
			th[i] = kthread_run_on(reader_thread, m,
					      cpus[(i + w) % ncpu], "tlbread");
			if (!th[i])
				__atomic_fetch_sub(&m->live, 1, __ATOMIC_RELAXED);
		}
		remaps += remap_while(m, page, &gen);
		for (int i = 0; i < n; i++)
			if (th[i])
				kthread_join(th[i]);
	}
	tlb_get_stats(&st);
	ipis1 = st.ipis;
	printk("tlb_mask_migrate: %llu reads, %llu remaps, %llu value changes "
	       "seen, %llu flush IPIs\n", m->reads, remaps, m->changes,
	       ipis1 - ipis0);
	ST_EQ(m->stale, 0);
	ST_EQ(m->errors, 0);
	ST_EQ(cpumask_weight(&m->u.cpus), 0);
	ST_ASSERT(m->reads == (u64)n * MIGRATE_WAVES * MIGRATE_BURSTS *
			      MIGRATE_READS);
	ST_ASSERT(remaps > 0 && m->changes > 0);
	upt_destroy(&m->u);
	free_page(page[0]);
	free_page(page[1]);
	kfree(th);
	kfree(m);
	return 0;
}
