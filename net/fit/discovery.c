/* net/fit/discovery.c — finding the other nodes at boot.
 *
 * Every node broadcasts struct fit_announce {node id, nodes, roles, MAC,
 * the set of nodes it has heard from} on the FIT netdev: every 100 ms
 * until it is ready, every second after that (so a node that came late,
 * or lost our last announcement, still learns that we heard it).  A node
 * is ready when it has heard every node 0..nodes-1 and every one of them
 * has reported hearing it, and each is a peer of the eth transport.  No
 * table of nodes or addresses exists anywhere but here, filled from the
 * wire.
 *
 * A second node claiming an id already taken (or our own id), or a node
 * booted with a different nodes=, is reported loudly and ignored.
 * A known node announcing a new boot id from the same MAC rebooted: it is
 * taken back (its heard set and RDMA entry start afresh; eth.c restarts
 * its stream from sequence 0 with the new incarnation; rdma.c resets the
 * connection under a newer epoch that the new incarnation follows).
 * Calls in flight to the old incarnation time out; they are never sent
 * to the new one.  Its previous boot id is remembered, so two live
 * machines sharing an id and a MAC are reported rather than flip-flopped
 * between.
 *
 * RDMA (when the transport is rdma.c): a peer's QPs and receive region are
 * created when we first hear it, our announcements carry one entry per
 * peer (QP numbers, rkey, region: struct fit_announce_rdma), and the
 * entry a peer sends for us connects our QPs to its own.  Readiness then
 * also needs the RDMA transport to reach every peer (both sides in RTS).
 *
 * fit_discovery_rx() runs in the NIC's interrupt: it only records what it
 * saw under disc_lock (irqsave) and kicks the discovery thread, which
 * adds eth peers (allocating), announces and decides readiness.
 */
#include <drivers/netdev.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <rdma/ib_verbs.h>
#include <uapi/errno.h>
#include "internal.h"

#define PERIOD_BOOT	(100 * NSEC_PER_MSEC)
#define PERIOD_READY	(1000 * NSEC_PER_MSEC)
#define MAX_CONFLICT_REPORTS 8

struct seen {
	bool heard, added;
	bool has_rdma;			/* rdma: its entry for us */
	struct fit_announce_rdma rdma;
	u8 mac[ETH_ALEN];
	u32 roles, boot_id;
	u32 old_boot_id;		/* before its last reboot */
	bool had_reboot;		/* old_boot_id is valid */
	bool rebooted;			/* for the discovery thread */
	u64 heard_mask;			/* nodes it has heard */
};

static DEFINE_SPINLOCK(disc_lock);
static struct seen seen[FIT_MAX_NODES];
static struct net_device *disc_dev;
static struct fit_transport *transport;	/* eth or rdma */
static struct fit_announce_rdma entries[FIT_MAX_NODES];
static u32 my_boot_id;
static bool ready, kicked;
static unsigned int conflicts;
static DEFINE_WAIT_QUEUE_HEAD(disc_wait);
static DEFINE_WAIT_QUEUE_HEAD(ready_wait);

static void report_conflict(const u8 *mac, const struct fit_announce *a,
			    const char *what)
{
	if (__atomic_fetch_add(&conflicts, 1, __ATOMIC_RELAXED) >=
	    MAX_CONFLICT_REPORTS)
		return;
	pr_err("fit: DUPLICATE NODE ID %u: %s (announcement from "
	       "%02x:%02x:%02x:%02x:%02x:%02x ignored)\n", a->node, what,
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Keep @e, the peer's RDMA entry for us; caller holds disc_lock. */
static void note_rdma(struct seen *s, const struct fit_announce_rdma *e)
{
	if (s->has_rdma && !memcmp(&s->rdma, e, sizeof(*e)))
		return;
	s->rdma = *e;
	s->has_rdma = true;
	kicked = true;
}

/* @a comes from @s's MAC with a new boot id: take it as a reboot unless
 * it is the boot id the node had before (two machines).  Caller holds
 * disc_lock. */
static bool took_reboot(struct seen *s, const struct fit_announce *a)
{
	if (s->had_reboot && a->boot_id == s->old_boot_id)
		return false;
	s->old_boot_id = s->boot_id;
	s->had_reboot = true;
	s->boot_id = a->boot_id;
	s->roles = a->roles;
	s->heard_mask = 0;
	s->has_rdma = false;
	s->rebooted = true;
	kicked = true;
	return true;
}

/* An announcement arrived (interrupt context). */
void fit_discovery_rx(const u8 *mac, const struct fit_announce *a,
		      const struct fit_announce_rdma *e, unsigned int nr)
{
	unsigned long f;
	struct seen *s;

	if (a->nodes != node_count() || a->node >= node_count()) {
		pr_warn_once("fit: node %u announces nodes=%u, we have "
			     "nodes=%u: ignored\n", a->node, a->nodes,
			     node_count());
		return;
	}
	if (a->node == node_self()) {
		if (a->boot_id != my_boot_id ||
		    memcmp(mac, disc_dev->mac, ETH_ALEN))
			report_conflict(mac, a, "another machine uses our id");
		return;
	}
	s = &seen[a->node];
	f = spin_lock_irqsave(&disc_lock);
	if (s->heard && (memcmp(s->mac, mac, ETH_ALEN) ||
			 (s->boot_id != a->boot_id && !took_reboot(s, a)))) {
		spin_unlock_irqrestore(&disc_lock, f);
		report_conflict(mac, a, "two machines announce it");
		return;
	}
	if (!s->heard) {
		memcpy(s->mac, mac, ETH_ALEN);
		s->boot_id = a->boot_id;
		s->roles = a->roles;
		s->heard = true;
		kicked = true;
	}
	if ((a->heard & ~s->heard_mask) && !ready)
		kicked = true;
	if (nr)
		note_rdma(s, &e[0]);
	s->heard_mask |= a->heard;
	spin_unlock_irqrestore(&disc_lock, f);
	if (kicked)
		wake_up(&disc_wait);
}

static void add_peer(unsigned int n, const struct seen *s)
{
	char roles[32];
	int err = fit_eth_add_peer((u16)n, s->mac, s->boot_id);

	if (!err && fit_rdma_active())
		err = fit_rdma_add_peer((u16)n);
	if (err) {
		pr_err("fit: cannot add node %u (%d)\n", n, err);
		return;
	}
	seen[n].added = true;
	printk("fit: node %u found: mac %02x:%02x:%02x:%02x:%02x:%02x roles "
	       "%s\n", n, s->mac[0], s->mac[1], s->mac[2], s->mac[3],
	       s->mac[4], s->mac[5],
	       node_roles_str(s->roles, roles, sizeof(roles)));
}

/* Add newly heard peers; returns our heard mask and whether every node
 * is known, added and has heard us. */
static u64 update_peers(bool *all)
{
	u64 heard = 1ull << node_self();

	*all = true;
	for (unsigned int n = 0; n < node_count(); n++) {
		unsigned long f;
		struct seen s;

		if (n == node_self())
			continue;
		f = spin_lock_irqsave(&disc_lock);
		s = seen[n];
		seen[n].rebooted = false;
		spin_unlock_irqrestore(&disc_lock, f);
		if (s.heard && !s.added)
			add_peer(n, &s);
		if (s.rebooted && seen[n].added) {
			printk("fit: node %u rebooted (boot id %08x, was %08x): "
			       "reconnecting\n", n, s.boot_id, s.old_boot_id);
			fit_eth_peer_rebooted((u16)n, s.boot_id);
			if (fit_rdma_active())
				fit_rdma_peer_rebooted((u16)n);
		}
		if (s.heard)
			heard |= 1ull << n;
		if (seen[n].added && s.has_rdma)
			fit_rdma_connect((u16)n, s.mac, s.boot_id, &s.rdma);
		if (!s.heard || !seen[n].added ||
		    !(s.heard_mask & (1ull << node_self())) ||
		    !(transport->ready ? transport->ready(transport, (u16)n) :
		      transport->reachable(transport, (u16)n)))
			*all = false;
	}
	return heard;
}

static void announce(u64 heard)
{
	struct fit_announce a = {
		.node = (u16)node_self(), .nodes = (u16)node_count(),
		.roles = node_roles(), .mtu = (u16)disc_dev->mtu,
		.heard = heard, .boot_id = my_boot_id,
	};

	memcpy(a.mac, disc_dev->mac, ETH_ALEN);
	if (fit_rdma_active())
		a.nr_rdma = (u16)fit_rdma_fill(entries,
					       MIN(fit_eth_announce_room(),
						   (unsigned int)FIT_MAX_NODES));
	fit_eth_xmit_announce(&a, entries);
}

static int discovery_thread(void *arg)
{
	u64 start = ktime_get_ns();

	for (;;) {
		bool all;
		u64 heard;

		__atomic_store_n(&kicked, false, __ATOMIC_RELEASE);
		heard = update_peers(&all);
		announce(heard);
		if (all && !ready) {
			__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
			printk("fit: all %u nodes up after %llu ms\n",
			       node_count(), (unsigned long long)
			       ((ktime_get_ns() - start) / NSEC_PER_MSEC));
			wake_up_all(&ready_wait);
		}
		wait_event_timeout(disc_wait,
				   __atomic_load_n(&kicked, __ATOMIC_ACQUIRE),
				   ready ? PERIOD_READY : PERIOD_BOOT);
	}
	return 0;
}

/* Start discovery on @dev; FIT's remote transport is rdma on @ib, or eth
 * when @ib is NULL or cannot be set up. */
int fit_discovery_start(struct net_device *dev, struct ib_device *ib,
			u32 boot_id)
{
	struct task *t;
	int err;

	disc_dev = dev;
	my_boot_id = boot_id;
	err = fit_eth_init(dev, boot_id);
	if (err)
		return err;
	transport = &fit_eth_transport;
	if (ib) {
		err = fit_rdma_init(ib, boot_id);
		if (err)
			pr_err("fit: rdma transport on %s failed (%d): using "
			       "eth\n", ib->name, err);
		else
			transport = &fit_rdma_transport;
	}
	fit_set_remote_transport(transport);
	t = kthread_run(discovery_thread, NULL, "fit-discovery");
	if (!t)
		return -ENOMEM;
	kthread_detach(t);
	printk("fit: announcing node %u on %s every %llu ms, transport %s\n",
	       node_self(), dev->name,
	       (unsigned long long)(PERIOD_BOOT / NSEC_PER_MSEC),
	       transport->name);
	return 0;
}

/* Have the discovery thread look at every peer now (any context). */
void fit_discovery_kick(void)
{
	__atomic_store_n(&kicked, true, __ATOMIC_RELEASE);
	wake_up(&disc_wait);
}

/* @node's MAC as discovery heard it: 0, or -ENOENT before that. */
int fit_discovery_peer_mac(u16 node, u8 *mac)
{
	unsigned long f;
	int err = -ENOENT;

	if (node >= FIT_MAX_NODES)
		return -EINVAL;
	f = spin_lock_irqsave(&disc_lock);
	if (seen[node].heard) {
		memcpy(mac, seen[node].mac, ETH_ALEN);
		err = 0;
	}
	spin_unlock_irqrestore(&disc_lock, f);
	return err;
}

unsigned int fit_node_roles(u16 node)
{
	unsigned long flags;
	unsigned int roles = 0;

	if (node == node_self())
		return node_roles();
	if (node >= FIT_MAX_NODES)
		return 0;
	flags = spin_lock_irqsave(&disc_lock);
	if (seen[node].heard)
		roles = seen[node].roles;
	spin_unlock_irqrestore(&disc_lock, flags);
	return roles;
}

bool fit_discovery_ready(void)
{
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

bool fit_wait_ready(u64 timeout_ns)
{
	if (node_count() == 1)
		return true;
	if (!disc_dev)
		return false;
	return wait_event_timeout(ready_wait, fit_discovery_ready(),
				  timeout_ns) != 0;
}
