/* managers/processor/init.c — the processor role's start: the ABI layer
 * is installed (syscall handler, exit-to-user hook, user trap handler),
 * futex buckets and the wall clock are set up, and if `init=PATH ARGS...`
 * is on the command line the first user process is started (an embedded
 * program or a file of the root file system; %XX in an argument stands
 * for the byte XX) in a kernel thread that waits for it
 * and reports "tessera: init exited with status S" — `tessera run` reads
 * that line for its own exit code — then stops the machine.
 *
 * On a processor node of a cluster (`tessera run --topology p,m,s`) init
 * first waits for its peers: FIT discovery of every node, the memory node
 * (with abi.p2m=1) and the storage node's file service (storage_node(),
 * which probes).  The memory node may announce itself before its P2M
 * service is registered, so the first exec is retried on -EOPNOTSUPP for
 * up to INIT_PEER_NS.
 */
#include <kernel/machine.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/node.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <kernel/time.h>
#include <fit/fit.h>
#include <processor/files.h>
#include <processor/p2m.h>
#include <processor/pcache.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "internal.h"

#define INIT_MAX_ARGS 32
#define INIT_PEER_NS	(60ull * NSEC_PER_SEC)

static char init_cmd[512];
param_string("init", init_cmd, "first user program and its arguments");

extern const struct embedded_prog embedded_progs[];

const struct embedded_prog *embedded_find(const char *path)
{
	const char *base = strrchr(path, '/');

	for (const struct embedded_prog *p = embedded_progs; p->name; p++) {
		if (!strcmp(p->name, path) ||
		    (base && !strcmp(strrchr(p->name, '/'), base)) ||
		    !strcmp(p->name + 5, path))
			return p;
	}
	return NULL;
}

/* @argv/@envp (kernel strings) as an exec request for @argv[0], "#!"
 * scripts resolved. */
static struct exec_args *spawn_args(const char *const *argv,
				    const char *const *envp, int *err)
{
	struct exec_args *a = kzalloc(sizeof(*a));
	int n;

	*err = a ? 0 : -ENOMEM;
	for (n = 0; a && argv[n] && n < EXEC_MAX_ARGS - 1; n++)
		a->argv[n] = argv[n];
	for (n = 0; a && envp[n] && n < EXEC_MAX_ARGS - 1; n++)
		a->envp[n] = envp[n];
	if (a) {
		strscpy(a->path, argv[0], sizeof(a->path));
		strscpy(a->execfn, argv[0], sizeof(a->execfn));
		*err = exec_resolve_scripts(a, !abi_use_p2m);
	}
	if (*err) {
		kfree(a);
		return NULL;
	}
	return a;
}

/* Start @argv[0] (embedded, or a file of the root file system, maybe a
 * "#!" script) as a parentless process. */
struct process *abi_spawn(const char *const *argv, const char *const *envp,
			  int *err)
{
	struct exec_args *a = spawn_args(argv, envp, err);
	struct exec_source src;
	struct exec_image img;
	struct process *p = NULL;

	if (!a)
		return NULL;
	if (abi_use_p2m) {
		p = process_create(NULL, &p2m_mm_ops);
		*err = p ? p2m_exec_image(p, a->path, a->argv, a->envp, &img)
			 : -ENOMEM;
	} else {
		*err = exec_source_get(a->path, &src);
		p = *err ? NULL : process_create(NULL, &localmm_ops);
		if (!*err)
			*err = p ? process_load_elf(p, &src, a->argv, a->envp,
						    a->execfn, &img) : -ENOMEM;
		exec_source_put(&src);
	}
	kfree(a);
	if (!*err)
		*err = process_start(p, &img);
	if (*err < 0) {
		if (p)
			process_abandon(p);
		return NULL;
	}
	*err = 0;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX escapes in place (how `tessera run` passes spaces, quotes
 * and other bytes the kernel command line cannot carry). */
static void percent_decode(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*out++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* A cluster's processor node: wait until the nodes that hold the
 * program's memory and files are there.  0, or -EHOSTUNREACH (logged). */
static int init_wait_peers(void)
{
	int mem = 0, sto;

	if (node_count() == 1)
		return 0;
	if (!fit_wait_ready(INIT_PEER_NS))
		printk("tessera: init: discovery did not find every node\n");
	if (abi_use_p2m)
		mem = p2m_mem_node();
	sto = storage_node();
	if (mem < 0 || sto < 0) {
		printk("tessera: init: no %s node\n",
		       mem < 0 ? "memory" : "storage");
		return -EHOSTUNREACH;
	}
	pr_info("init: memory node %d, storage node %d\n",
		abi_use_p2m ? mem : (int)node_self(), sto);
	return 0;
}

/* abi_spawn, retried while the memory node does not serve P2M yet. */
static struct process *init_spawn(const char *const *argv,
				  const char *const *envp, int *err)
{
	u64 deadline = ktime_get_ns() + INIT_PEER_NS;
	struct process *p;

	*err = init_wait_peers();
	if (*err)
		return NULL;
	for (;;) {
		p = abi_spawn(argv, envp, err);
		if (p || *err != -EOPNOTSUPP || ktime_get_ns() > deadline)
			return p;
		msleep(100);
	}
}

static int init_thread(void *arg)
{
	static const char *const envp[] = { "HOME=/", "PATH=/bin:/usr/bin",
					    "TERM=dumb", NULL };
	const char *argv[INIT_MAX_ARGS + 1];
	char *s = init_cmd;
	struct process *p;
	int argc = 0, err = -EINVAL, status;

	while (*s && argc < INIT_MAX_ARGS) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[argc] = NULL;
	for (int i = 0; i < argc; i++)
		percent_decode((char *)argv[i]);
	p = argc ? init_spawn(argv, envp, &err) : NULL;
	if (!p) {
		printk("tessera: cannot start init '%s': %d\n", argc ? argv[0] : "",
		       err);
		machine_exit(MACHINE_EXIT_FAIL);
	}
	status = process_wait(p);
	/* Everything the program wrote is on the disk before we stop. */
	err = files_sync();
	if (err && err != -ENOENT)
		printk("tessera: sync after init failed: %d\n", err);
	/* `tessera run` stops reading COM2 soon after this line. */
	tty_flush();
	tlb_print_stats("tessera");
	if (pcache_get())
		pcache_dump_stats(pcache_get());
	printk("tessera: init exited with status %#x\n", status);
	machine_exit(MACHINE_EXIT_OK);
}

static int processor_abi_start(void)
{
	futex_init();
	abi_time_init();
	abi_install();
	fs_storage_init();
	if (abi_p2m_init())
		pr_err("abi: P2M and pcache could not start; programs run locally\n");
	if (init_cmd[0] && !kthread_run(init_thread, NULL, "init"))
		return -ENOMEM;
	return 0;
}
ROLE_INIT(processor_abi, ROLE_PROCESSOR, processor_abi_start);
