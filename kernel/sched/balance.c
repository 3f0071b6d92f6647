/* kernel/sched/balance.c — placing and moving tasks between CPUs.
 *
 * Placement: an unbound kthread starts on the online CPU with the fewest
 * runnable tasks; a rotating start index breaks ties, so a burst of
 * creations spreads over every CPU.
 *
 * Balancing: a CPU pulls one queued, unbound task from the busiest CPU when
 * that one has at least two more runnable tasks.  Idle CPUs try after every
 * interrupt (cpu_idle_loop), busy ones every BALANCE_TICKS ticks
 * (sched_tick).  Loads are read without locks to choose, and only a CPU
 * with a movable (queued, unbound) task is a candidate, so idle CPUs never
 * touch the lock of a CPU busy with bound tasks (under QEMU TCG such
 * polling convoys on the ticket lock).  The move itself happens with both
 * runqueue locks held (in CPU order) and re-checks.
 * Only queued tasks move — a queued task is fully switched out (core.c).
 */
#include <kernel/smp.h>
#include "internal.h"

int sched_pick_cpu(void)
{
	static unsigned int rotor;
	int n = nr_cpus_possible(), best = -1;
	unsigned int start = __atomic_fetch_add(&rotor, 1, __ATOMIC_RELAXED);
	unsigned int best_load = ~0u;

	for (int i = 0; i < n; i++) {
		int cpu = (int)((start + i) % n);
		struct rq *rq = sched_rq(cpu);
		unsigned int load;

		if (!READ_ONCE(rq->online))
			continue;
		load = READ_ONCE(rq->nr_running);
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best >= 0 ? best : smp_processor_id();
}

static struct rq *find_busiest(struct rq *me)
{
	struct rq *busiest = NULL;
	unsigned int max = READ_ONCE(me->nr_running) + 1;
	int n = nr_cpus_possible();

	for (int cpu = 0; cpu < n; cpu++) {
		struct rq *rq = sched_rq(cpu);
		unsigned int load = READ_ONCE(rq->nr_running);

		if (rq != me && READ_ONCE(rq->online) && load > max &&
		    READ_ONCE(rq->nr_migratable)) {
			busiest = rq;
			max = load;
		}
	}
	return busiest;
}

/* Both locked: move the last movable queued task of @src to @dst. */
static bool pull_one(struct rq *dst, struct rq *src)
{
	struct list_head *p;

	if (src->nr_running < dst->nr_running + 2)
		return false;
	for (p = src->queue.prev; p != &src->queue; p = p->prev) {
		struct task *t = list_entry(p, struct task, rq_node);

		if (t->bound_cpu >= 0)
			continue;
		rq_dequeue(src, t);
		src->nr_running--;
		WRITE_ONCE(t->cpu, dst->cpu);
		dst->nr_running++;
		rq_enqueue(dst, t, false);
		if (dst->curr->idle)
			dst->cl->need_resched = true;
		return true;
	}
	return false;
}

bool sched_balance(bool idle)
{
	struct rq *me = this_rq(), *busiest;
	bool moved;

	if (!me->online)
		return false;
	if (idle && READ_ONCE(me->nr_running))
		return false;
	busiest = find_busiest(me);
	if (!busiest)
		return false;
	rq_double_lock(me, busiest);
	moved = pull_one(me, busiest);
	rq_double_unlock(me, busiest);
	return moved;
}
